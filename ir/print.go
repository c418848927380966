package ir

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tilec/tilec/layout"
)

// The text form (.tir). One kernel reads:
//
//	kernel @add(%x: ptr<f32>, %out: ptr<f32>, %n: i32) constexpr(BLOCK) {
//	  %0 = program_id {axis = 0} : i32
//	  %1 = constexpr {name = "BLOCK"} : i32
//	  %2 = mul %0, %1 : i32
//	  %3 = arange {start = 0, end = BLOCK} : i32[BLOCK]
//	  ...
//	  store %9, %8, mask %5
//	}
//
// An op line is `results = name operands {attributes} : result types`
// followed by its regions, each `{ ^(block arguments): ops }`. Required
// operands are positional; optional ones are named (`mask %5`). Values are
// numbered in print order, so printing a parsed kernel gives the same text.
// A specialized kernel shows its binding as `config(BLOCK = 1024, ...)`.
//
// A kernel at the GPU level says so with `gpu(sm = 80)` (and, once shared
// memory is allocated, `gpu(sm = 80, shared = 65536)`); its parameters
// show what the launch guarantees (`%Q: ptr<f16> {div = 16}`, `%s: i64
// {one = 1}`), its tiles their layouts (`f32[128, 64]#mma0`), and the
// layouts are defined before the kernel, one per line, by the expressions
// that build them (package layout), parents by their aliases:
//
//	#mma0 = mma<warps [8, 1], num_warps 8> [128, 64]
//	#slice0 = slice<1, #mma0>

// PrintOptions tune Print.
type PrintOptions struct {
	// Locs appends each op's source position as a comment.
	Locs bool
}

// String prints f in the text form.
func (f *Func) String() string { return Print(f, PrintOptions{}) }

// Print returns f in the text form.
func Print(f *Func, opts PrintOptions) string {
	p := &printer{names: map[*Value]string{}, opts: opts}
	p.kernel(f)
	return p.sb.String()
}

type printer struct {
	sb    strings.Builder
	names map[*Value]string
	next  int
	opts  PrintOptions
	// aliases names the layouts of a GPU-level kernel by their bases.
	aliases map[string]string
}

// alias is the name of layout l ("" for none).
func (p *printer) alias(l *layout.Linear) string {
	if l == nil || p.aliases == nil {
		return ""
	}
	return p.aliases[l.Key()]
}

func (p *printer) typ(t Type) string {
	return t.text(func(l *layout.Linear) string { return p.alias(l) })
}

// layouts prints the alias line of every layout f uses, parents first, in
// the order the ops first use them.
func (p *printer) layouts(f *Func) {
	p.aliases = map[string]string{}
	counts := map[string]int{}
	var define func(l *layout.Linear)
	define = func(l *layout.Linear) {
		if l == nil || p.aliases[l.Key()] != "" {
			return
		}
		define(l.Def.Parent)
		prefix := l.Def.Op
		if prefix == "" {
			prefix = "linear"
		}
		name := fmt.Sprintf("#%s%d", prefix, counts[prefix])
		counts[prefix]++
		fmt.Fprintf(&p.sb, "%s = %s\n", name, l.Expr(p.alias))
		p.aliases[l.Key()] = name
	}
	f.Walk(func(op *Op) {
		for _, s := range op.Info().Attrs {
			if s.Kind == AttrLayout {
				define(op.LayoutAttr(s.Name))
			}
		}
		for _, r := range op.Results {
			define(r.Type.Layout)
		}
		for _, rg := range op.Regions {
			for _, a := range rg.Args {
				define(a.Type.Layout)
			}
		}
	})
}

func (p *printer) name(v *Value) string {
	if n, ok := p.names[v]; ok {
		return n
	}
	return fmt.Sprintf("%%<undefined %s>", v.Type) // a verifier error; printed so dumps of broken IR still work
}

func (p *printer) define(v *Value) string {
	n := "%" + strconv.Itoa(p.next)
	p.next++
	p.names[v] = n
	return n
}

func (p *printer) kernel(f *Func) {
	if f.GPU != nil {
		p.layouts(f)
	}
	fmt.Fprintf(&p.sb, "kernel @%s(", f.Name)
	for i, v := range f.Params {
		if i > 0 {
			p.sb.WriteString(", ")
		}
		p.names[v] = "%" + v.Name
		fmt.Fprintf(&p.sb, "%%%s: %s", v.Name, v.Type)
		if f.GPU != nil && i < len(f.GPU.Facts) {
			var parts []string
			if fa := f.GPU.Facts[i]; fa.Div != 0 {
				parts = append(parts, fmt.Sprintf("div = %d", fa.Div))
			}
			if f.GPU.Facts[i].One {
				parts = append(parts, "one = 1")
			}
			if len(parts) > 0 {
				fmt.Fprintf(&p.sb, " {%s}", strings.Join(parts, ", "))
			}
		}
	}
	p.sb.WriteString(")")
	if len(f.Metas) > 0 {
		fmt.Fprintf(&p.sb, " constexpr(%s)", strings.Join(f.Metas, ", "))
	}
	if len(f.Bound) > 0 {
		parts := make([]string, 0, len(f.Bound))
		for _, k := range f.Bound.Keys() {
			parts = append(parts, fmt.Sprintf("%s = %d", k, f.Bound[k]))
		}
		fmt.Fprintf(&p.sb, " config(%s)", strings.Join(parts, ", "))
	}
	if g := f.GPU; g != nil {
		sm := strings.TrimPrefix(g.Target(), "sm_")
		if g.Allocated {
			fmt.Fprintf(&p.sb, " gpu(sm = %s, shared = %d)", sm, g.SharedBytes)
		} else {
			fmt.Fprintf(&p.sb, " gpu(sm = %s)", sm)
		}
	}
	p.sb.WriteString(" {\n")
	p.ops(f.Body, 1)
	p.sb.WriteString("}\n")
}

func (p *printer) ops(b *Block, depth int) {
	for _, op := range b.Ops {
		p.op(op, depth)
	}
}

func (p *printer) op(op *Op, depth int) {
	indent := strings.Repeat("  ", depth)
	p.sb.WriteString(indent)
	info := op.Info()
	// Operands first: they refer to values defined earlier.
	var args []string
	for i, a := range op.Args {
		s := p.name(a)
		if i < len(info.Args) && info.Args[i].Optional {
			s = info.Args[i].Name + " " + s
		}
		args = append(args, s)
	}
	if len(op.Results) > 0 {
		names := make([]string, len(op.Results))
		for i, r := range op.Results {
			names[i] = p.define(r)
		}
		p.sb.WriteString(strings.Join(names, ", ") + " = ")
	}
	p.sb.WriteString(info.Name)
	if len(args) > 0 {
		p.sb.WriteString(" " + strings.Join(args, ", "))
	}
	if len(info.Attrs) > 0 {
		parts := make([]string, 0, len(info.Attrs))
		for _, s := range info.Attrs {
			a, ok := op.Attrs[s.Name]
			if !ok {
				continue
			}
			if s.Kind == AttrLayout {
				parts = append(parts, s.Name+" = "+p.alias(a.(*layout.Linear)))
				continue
			}
			parts = append(parts, s.Name+" = "+formatAttr(s, a, op))
		}
		if len(parts) > 0 {
			p.sb.WriteString(" {" + strings.Join(parts, ", ") + "}")
		}
	}
	if len(op.Results) > 0 {
		types := make([]string, len(op.Results))
		for i, r := range op.Results {
			types[i] = p.typ(r.Type)
		}
		p.sb.WriteString(" : " + strings.Join(types, ", "))
	}
	for i, r := range op.Regions {
		p.sb.WriteString(" {")
		if p.opts.Locs && i == 0 {
			p.sb.WriteString(" // " + op.Pos.String())
		}
		p.sb.WriteString("\n")
		if len(r.Args) > 0 {
			parts := make([]string, len(r.Args))
			for j, a := range r.Args {
				parts[j] = p.define(a) + ": " + p.typ(a.Type)
			}
			fmt.Fprintf(&p.sb, "%s^(%s):\n", indent, strings.Join(parts, ", "))
		}
		p.ops(r, depth+1)
		p.sb.WriteString(indent + "}")
	}
	if p.opts.Locs && len(op.Regions) == 0 {
		p.sb.WriteString(" // " + op.Pos.String())
	}
	p.sb.WriteString("\n")
}

func formatAttr(s AttrSpec, a Attr, op *Op) string {
	switch a := a.(type) {
	case int:
		return strconv.Itoa(a)
	case Num:
		float := len(op.Results) == 1 && op.Results[0].Type.IsFloat()
		return formatNum(a, float)
	case string:
		return strconv.Quote(a)
	case Dim:
		return a.String()
	case *layout.Linear:
		return "#<" + a.String() + ">"
	case []int:
		parts := make([]string, len(a))
		for i, x := range a {
			parts[i] = strconv.Itoa(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprintf("<%s: %v>", s.Name, a)
}
