package ir

import (
	"fmt"
	"github.com/tilec/tilec/layout"
	"strings"
)

// Default launch options for a config that does not set them (Triton's).
const (
	DefaultNumWarps  = 4
	DefaultNumStages = 3
)

// Specialize returns a copy of f with every meta-parameter bound from cfg:
// symbolic dimensions become numbers, constexpr ops become constants, and
// the pass pipeline folds what that made constant. cfg must bind every
// meta-parameter and nothing else (besides num_warps and num_stages). The
// result has no meta-parameters and is verified.
func Specialize(f *Func, cfg Config) (*Func, error) {
	return SpecializeWith(f, cfg, PassOptions{})
}

// SpecializeWith is Specialize with options for the pass pipeline (verify
// after each pass, dumps).
func SpecializeWith(f *Func, cfg Config, opts PassOptions) (*Func, error) {
	var missing, unknown []string
	for _, m := range f.Metas {
		if _, ok := cfg[m]; !ok {
			missing = append(missing, m)
		}
	}
	for _, k := range cfg.Keys() {
		if !f.HasMeta(k) && k != KeyNumWarps && k != KeyNumStages {
			unknown = append(unknown, k)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("specialize %s: missing constexpr %s (config has %s)", f.Name, strings.Join(missing, ", "), cfg)
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("specialize %s: unknown config key %s (the kernel's constexprs are %s)",
			f.Name, strings.Join(unknown, ", "), strings.Join(f.Metas, ", "))
	}
	for _, m := range f.Metas {
		if v := cfg[m]; v < 0 {
			return nil, fmt.Errorf("specialize %s: %s = %d is negative", f.Name, m, v)
		}
	}
	bound := cfg.Clone()
	if _, ok := bound[KeyNumWarps]; !ok {
		bound[KeyNumWarps] = DefaultNumWarps
	}
	if _, ok := bound[KeyNumStages]; !ok {
		bound[KeyNumStages] = DefaultNumStages
	}
	if w := bound[KeyNumWarps]; !isPow2(w) || w > 32 {
		return nil, fmt.Errorf("specialize %s: num_warps = %d is not a power of two from 1 to 32", f.Name, w)
	}
	if s := bound[KeyNumStages]; s < 1 || s > 8 {
		return nil, fmt.Errorf("specialize %s: num_stages = %d is outside 1..8", f.Name, s)
	}

	g := f.Clone()
	bindDim := func(d Dim) Dim {
		if d.Symbolic() {
			return D(cfg[d.Sym])
		}
		return d
	}
	bindType := func(t Type) Type {
		for i := 0; i < t.Shape.Rank; i++ {
			t.Shape.Dims[i] = bindDim(t.Shape.Dims[i])
		}
		return t
	}
	var bindBlock func(b *Block)
	bindBlock = func(b *Block) {
		for _, a := range b.Args {
			a.Type = bindType(a.Type)
		}
		for _, op := range b.Ops {
			for _, r := range op.Results {
				r.Type = bindType(r.Type)
			}
			if d, ok := op.Attrs["end"].(Dim); ok {
				op.Attrs["end"] = bindDim(d)
			}
			if op.Code == OpConstexpr {
				op.Code = OpConstant
				op.Attrs = map[string]Attr{"value": Num{I: int64(cfg[op.Str("name")])}}
			}
			for _, r := range op.Regions {
				bindBlock(r)
			}
		}
	}
	bindBlock(g.Body)
	g.Metas = nil
	g.Bound = bound
	g.NumWarps, g.NumStages = bound[KeyNumWarps], bound[KeyNumStages]
	if err := Verify(g); err != nil {
		return nil, fmt.Errorf("specialize %s with %s: %w", f.Name, cfg, err)
	}
	if err := RunPasses(g, opts); err != nil {
		return nil, fmt.Errorf("specialize %s: %w", f.Name, err)
	}
	if err := Verify(g); err != nil {
		return nil, fmt.Errorf("specialize %s with %s: after passes: %w", f.Name, cfg, err)
	}
	return g, nil
}

// Clone returns a deep copy of f.
func (f *Func) Clone() *Func {
	g := &Func{Name: f.Name, Metas: append([]string(nil), f.Metas...), NumWarps: f.NumWarps, NumStages: f.NumStages, Docs: f.Docs}
	if f.Bound != nil {
		g.Bound = f.Bound.Clone()
	}
	if f.GPU != nil { // layouts are immutable: the copy shares them
		gi := *f.GPU
		gi.Facts = append([]Facts(nil), f.GPU.Facts...)
		gi.layouts = make(map[string]*layout.Linear, len(f.GPU.layouts))
		for k, l := range f.GPU.layouts {
			gi.layouts[k] = l
		}
		g.GPU = &gi
	}
	m := map[*Value]*Value{}
	cp := func(v *Value) *Value {
		if n, ok := m[v]; ok {
			return n
		}
		n := g.NewValue(v.Type)
		n.Name = v.Name
		m[v] = n
		return n
	}
	for _, p := range f.Params {
		g.Params = append(g.Params, cp(p))
	}
	g.Body = &Block{Args: g.Params}
	var cloneBlock func(dst, src *Block)
	cloneBlock = func(dst, src *Block) {
		for _, op := range src.Ops {
			n := &Op{Code: op.Code, Pos: op.Pos, Parent: dst}
			if op.Attrs != nil {
				n.Attrs = make(map[string]Attr, len(op.Attrs))
				for k, v := range op.Attrs {
					if xs, ok := v.([]int); ok {
						v = append([]int{}, xs...)
					}
					n.Attrs[k] = v
				}
			}
			for _, a := range op.Args {
				n.Args = append(n.Args, cp(a))
			}
			for _, r := range op.Results {
				nr := cp(r)
				nr.Def = n
				n.Results = append(n.Results, nr)
			}
			for _, r := range op.Regions {
				nb := &Block{Parent: n}
				for _, a := range r.Args {
					nb.Args = append(nb.Args, cp(a))
				}
				cloneBlock(nb, r)
				n.Regions = append(n.Regions, nb)
			}
			dst.Ops = append(dst.Ops, n)
		}
	}
	cloneBlock(g.Body, f.Body)
	return g
}
