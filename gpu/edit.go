package gpu

import (
	"github.com/tilec/tilec/ir"
)

// Small tools the passes share to build and move ops.

// build makes an op at pos (not yet in a block).
func build(f *ir.Func, code ir.Opcode, pos ir.Pos, args []*ir.Value, attrs map[string]ir.Attr, results ...ir.Type) *ir.Op {
	if attrs == nil {
		attrs = map[string]ir.Attr{}
	}
	op := f.NewOp(code, args, attrs, results)
	op.Pos = pos
	return op
}

// insertAt puts ops into b before index i.
func insertAt(b *ir.Block, i int, ops ...*ir.Op) {
	for _, op := range ops {
		op.Parent = b
	}
	rest := append([]*ir.Op(nil), b.Ops[i:]...)
	b.Ops = append(append(b.Ops[:i], ops...), rest...)
}

// index is op's place in its block.
func index(op *ir.Op) int {
	for i, x := range op.Parent.Ops {
		if x == op {
			return i
		}
	}
	panic("gpu: op " + op.Name() + " is not in its block")
}

// insertBefore puts ops right before at.
func insertBefore(at *ir.Op, ops ...*ir.Op) { insertAt(at.Parent, index(at), ops...) }

// insertAfter puts ops right after at.
func insertAfter(at *ir.Op, ops ...*ir.Op) { insertAt(at.Parent, index(at)+1, ops...) }

// remove takes op out of its block.
func remove(op *ir.Op) {
	b := op.Parent
	i := index(op)
	b.Ops = append(b.Ops[:i], b.Ops[i+1:]...)
}

// replaceUses makes every use of a value in repl use its replacement.
func replaceUses(f *ir.Func, repl map[*ir.Value]*ir.Value) {
	if len(repl) == 0 {
		return
	}
	f.Walk(func(op *ir.Op) {
		for i, a := range op.Args {
			if r, ok := repl[a]; ok {
				op.Args[i] = r
			}
		}
	})
}

// usesOf maps every value to the ops that use it, in program order.
func usesOf(f *ir.Func) map[*ir.Value][]*ir.Op {
	uses := map[*ir.Value][]*ir.Op{}
	f.Walk(func(op *ir.Op) {
		for _, a := range op.Args {
			uses[a] = append(uses[a], op)
		}
	})
	return uses
}

// blockOf maps the arguments of every region to their region.
func blockOf(f *ir.Func) map[*ir.Value]*ir.Block {
	m := map[*ir.Value]*ir.Block{}
	f.Walk(func(op *ir.Op) {
		for _, r := range op.Regions {
			for _, a := range r.Args {
				m[a] = r
			}
		}
	})
	return m
}

// isTile reports whether v is a tile.
func isTile(v *ir.Value) bool { return v.Type.IsTile() }

// shapeOf is a concrete type's shape.
func shapeOf(t ir.Type) []int { return t.Shape.Ints() }

// setAttr sets an attribute of op.
func setAttr(op *ir.Op, name string, v ir.Attr) {
	if op.Attrs == nil {
		op.Attrs = map[string]ir.Attr{}
	}
	op.Attrs[name] = v
}
