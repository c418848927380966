package gpu

import (
	"maps"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// The "remat" pass removes conversions of polymorphic values: constants,
// aranges and splats, views (expand_dims, broadcast, reshape, trans) of
// anything, and elementwise maths (and addptr) of polymorphic values only.
// Such a value is computed again in the layout the conversion asks for,
// where the conversion stood (right after the original), its operands in
// the layouts that clone needs: conversions again, removed the same way
// when their operands are polymorphic too. What nothing uses any more
// (the originals, conversions made for them) goes at the end.
func rematerialize(f *ir.Func) error {
	r := &remat{converter: converter{f: f, owner: blockOf(f), convs: map[convKey]*ir.Value{}, last: map[*ir.Value]*ir.Op{}},
		poly: map[*ir.Value]bool{}, repl: map[*ir.Value]*ir.Value{}}
	var work []*ir.Op
	f.Walk(func(op *ir.Op) {
		if op.Code == ir.OpConvertLayout {
			work = append(work, op)
			r.convs[convKey{op.Args[0], op.Results[0].Type.Layout}] = op.Results[0]
			r.last[op.Args[0]] = op
		}
	})
	for len(work) > 0 {
		c := work[0]
		work = work[1:]
		x := c.Args[0]
		if !r.isPoly(x) {
			continue
		}
		l := c.Results[0].Type.Layout
		clone := r.clone(x.Def, l, &work)
		insertBefore(c, clone)
		remove(c)
		if r.last[x] == c {
			r.last[x] = clone
		}
		r.repl[c.Results[0]] = clone.Results[0]
		r.convs[convKey{x, l}] = clone.Results[0]
	}
	replaceUses(f, r.repl)
	return ir.DCE(f)
}

type remat struct {
	converter
	poly map[*ir.Value]bool
	repl map[*ir.Value]*ir.Value
}

// isPoly reports whether v may be computed in any layout: see the pass's
// comment; a conversion of a polymorphic value is one too.
func (r *remat) isPoly(v *ir.Value) bool {
	if p, ok := r.poly[v]; ok {
		return p
	}
	p := false
	if op := v.Def; op != nil && isTile(v) {
		switch op.Code {
		case ir.OpConstant, ir.OpArange, ir.OpSplat, ir.OpExpandDims, ir.OpBroadcast, ir.OpReshape, ir.OpTrans:
			p = true
		case ir.OpConvertLayout:
			p = r.isPoly(op.Args[0])
		default:
			if op.Info().Elem != nil || op.Code == ir.OpAddPtr {
				p = true
				for _, a := range op.Args {
					if isTile(a) && !r.isPoly(a) {
						p = false
					}
				}
			}
		}
	}
	r.poly[v] = p
	return p
}

// clone copies op with its result in layout l and its tile operands in the
// layouts that needs; conversions it makes go on the work list.
func (r *remat) clone(op *ir.Op, l *layout.Linear, work *[]*ir.Op) *ir.Op {
	args := make([]*ir.Value, len(op.Args))
	for i, a := range op.Args {
		args[i] = a
		if !isTile(a) {
			continue
		}
		want := l
		switch op.Code {
		case ir.OpExpandDims, ir.OpBroadcast, ir.OpReshape, ir.OpTrans:
			want = r.f.Intern(ir.ViewOperandLayout(op, l))
		}
		args[i] = r.in(a, want, work)
	}
	return build(r.f, op.Code, op.Pos, args, maps.Clone(op.Attrs), op.Results[0].Type.WithLayout(l))
}

// in returns v in layout l: v itself, a value already converted, or a new
// conversion (of the original when v is a conversion itself).
func (r *remat) in(v *ir.Value, l *layout.Linear, work *[]*ir.Op) *ir.Value {
	for v.Def != nil && v.Def.Code == ir.OpConvertLayout {
		v = v.Def.Args[0]
	}
	if v.Type.Layout == l {
		return v
	}
	if x, ok := r.convs[convKey{v, l}]; ok {
		return x
	}
	x := r.convert(v, l)
	*work = append(*work, x.Def)
	return x
}
