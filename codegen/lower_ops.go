package codegen

import (
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/codegen/layout"
	"github.com/tilec/tilec/ir"
)

// splatRegs repeats one value in every register of l (one value for scalars).
func splatRegs(l *layout.Linear, v value.Value) []value.Value {
	n := 1
	if l != nil {
		n = l.NumRegs()
	}
	rs := make([]value.Value, n)
	for i := range rs {
		rs[i] = v
	}
	return rs
}

func lowerConstant(lw *lowering, op *ir.Op, l *layout.Linear) ([][]value.Value, error) {
	t := op.Results[0].Type
	return one(splatRegs(l, constOf(t.Elem, op.NumAttr("value")))), nil
}

func lowerProgramID(lw *lowering, op *ir.Op, _ *layout.Linear) ([][]value.Value, error) {
	name := "llvm.nvvm.read.ptx.sreg.ctaid." + string("xyz"[op.Int("axis")])
	return one([]value.Value{lw.cur.NewCall(lw.x.get(name, types.I32))}), nil
}

func lowerNumPrograms(lw *lowering, op *ir.Op, _ *layout.Linear) ([][]value.Value, error) {
	name := "llvm.nvvm.read.ptx.sreg.nctaid." + string("xyz"[op.Int("axis")])
	return one([]value.Value{lw.cur.NewCall(lw.x.get(name, types.I32))}), nil
}

func lowerArange(lw *lowering, op *ir.Op, l *layout.Linear) ([][]value.Value, error) {
	start := int64(op.Int("start"))
	rs := make([]value.Value, l.NumRegs())
	for r := range rs {
		c := lw.coord(l, r, 0)
		if start != 0 {
			c = lw.cur.NewAdd(c, i32(start))
		}
		rs[r] = c
	}
	return one(rs), nil
}

func lowerSplat(lw *lowering, op *ir.Op, l *layout.Linear) ([][]value.Value, error) {
	return one(splatRegs(l, lw.scalar(op.Args[0]))), nil
}

// lowerView covers broadcast, expand_dims, reshape and trans: in the layout
// derived for the operand (assign.need), register r of the result is
// register r of the operand.
func lowerView(lw *lowering, op *ir.Op, l *layout.Linear) ([][]value.Value, error) {
	x := op.Args[0]
	var in *layout.Linear
	switch op.Code {
	case ir.OpExpandDims:
		in = l.DropDim(op.Int("axis"))
	case ir.OpBroadcast:
		in = l.Restrict(shapeOf(x.Type))
	case ir.OpReshape:
		in = l.Reshape(shapeOf(x.Type))
	case ir.OpTrans:
		perm := op.Ints("perm")
		inv := make([]int, len(perm))
		for i, p := range perm {
			inv[p] = i
		}
		in = l.Permute(inv)
	}
	if !isTile(x) {
		return one(splatRegs(l, lw.scalar(x))), nil
	}
	return one(lw.tile(x, in)), nil
}

// lowerJoin: the result's register bit 0 is the new dim (joinLayout), so
// registers interleave the operands' registers.
func lowerJoin(lw *lowering, op *ir.Op, l *layout.Linear) ([][]value.Value, error) {
	in := l.Slice(l.Rank() - 1)
	a, b := lw.tile(op.Args[0], in), lw.tile(op.Args[1], in)
	rs := make([]value.Value, 0, 2*len(a))
	for i := range a {
		rs = append(rs, a[i], b[i])
	}
	return one(rs), nil
}

// lowerSplit takes the operand (in a layout with the last dim in a register
// bit) apart by that bit.
func lowerSplit(lw *lowering, op *ir.Op, l *layout.Linear) ([][]value.Value, error) {
	src := lw.a.opLayout[op][0]
	x := lw.tile(op.Args[0], src)
	groups := src.SlicedRegs(src.Rank() - 1)
	lo, hi := make([]value.Value, len(groups)), make([]value.Value, len(groups))
	for i, g := range groups {
		lo[i], hi[i] = x[g[0]], x[g[1]]
	}
	return [][]value.Value{lo, hi}, nil
}

// operandRegs returns an operand's registers in layout l, or the scalar
// repeated for scalar operands.
func (lw *lowering) operandRegs(v *ir.Value, l *layout.Linear) []value.Value {
	if isTile(v) {
		return lw.tile(v, l)
	}
	return splatRegs(l, lw.scalar(v))
}

func lowerAddPtr(lw *lowering, op *ir.Op, l *layout.Linear) ([][]value.Value, error) {
	p, off := lw.operandRegs(op.Args[0], l), lw.operandRegs(op.Args[1], l)
	elem := memType(op.Args[0].Type.Elem)
	rs := make([]value.Value, len(p))
	for i := range rs {
		rs[i] = lw.cur.NewGetElementPtr(elem, p[i], off[i])
	}
	return one(rs), nil
}

// lowerElementwise applies the op's scalar lowering register by register.
func lowerElementwise(lw *lowering, op *ir.Op, l *layout.Linear) ([][]value.Value, error) {
	args := make([][]value.Value, len(op.Args))
	for i, a := range op.Args {
		args[i] = lw.operandRegs(a, l)
	}
	n := len(args[0])
	rs := make([]value.Value, n)
	in := make([]value.Value, len(args))
	s := lw.scalarEmitter(op)
	for r := 0; r < n; r++ {
		for i := range args {
			in[i] = args[i][r]
		}
		v, err := s(lw, in)
		if err != nil {
			return nil, err
		}
		rs[r] = v
	}
	return one(rs), nil
}
