package codegen

import (
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// splatRegs repeats one value in every register of a tile of type t (one
// value for scalars).
func splatRegs(t ir.Type, v value.Value) []value.Value {
	n := 1
	if t.IsTile() {
		n = t.Layout.NumRegs()
	}
	rs := make([]value.Value, n)
	for i := range rs {
		rs[i] = v
	}
	return rs
}

func lowerConstant(lw *lowering, op *ir.Op) error {
	t := op.Results[0].Type
	lw.set(op.Results[0], splatRegs(t, constOf(t.Elem, op.NumAttr("value")))...)
	return nil
}

func lowerProgramID(lw *lowering, op *ir.Op) error {
	name := "llvm.nvvm.read.ptx.sreg.ctaid." + string("xyz"[op.Int("axis")])
	lw.set(op.Results[0], lw.cur.NewCall(lw.x.get(name, types.I32)))
	return nil
}

func lowerNumPrograms(lw *lowering, op *ir.Op) error {
	name := "llvm.nvvm.read.ptx.sreg.nctaid." + string("xyz"[op.Int("axis")])
	lw.set(op.Results[0], lw.cur.NewCall(lw.x.get(name, types.I32)))
	return nil
}

func lowerArange(lw *lowering, op *ir.Op) error {
	start := int64(op.Int("start"))
	l := op.Results[0].Type.Layout
	rs := make([]value.Value, l.NumRegs())
	for r := range rs {
		c := lw.coord(l, r, 0)
		if start != 0 {
			c = lw.cur.NewAdd(c, i32(start))
		}
		rs[r] = c
	}
	lw.set(op.Results[0], rs...)
	return nil
}

func lowerSplat(lw *lowering, op *ir.Op) error {
	lw.set(op.Results[0], splatRegs(op.Results[0].Type, lw.scalar(op.Args[0]))...)
	return nil
}

// lowerView covers broadcast, expand_dims, reshape and trans: the operand
// is in the layout derived from the result's (the verifier checks), where
// register r of the result is register r of the operand.
func lowerView(lw *lowering, op *ir.Op) error {
	x, r := op.Args[0], op.Results[0]
	if !x.Type.IsTile() {
		lw.set(r, splatRegs(r.Type, lw.scalar(x))...)
		return nil
	}
	lw.set(r, lw.tile(x)...)
	return nil
}

// lowerJoin: the result's register bit 0 is the new dim (layout.Join), so
// registers interleave the operands' registers.
func lowerJoin(lw *lowering, op *ir.Op) error {
	a, b := lw.tile(op.Args[0]), lw.tile(op.Args[1])
	rs := make([]value.Value, 0, 2*len(a))
	for i := range a {
		rs = append(rs, a[i], b[i])
	}
	lw.set(op.Results[0], rs...)
	return nil
}

// lowerSplit takes the operand (in a layout with the last dim in a register
// bit) apart by that bit.
func lowerSplit(lw *lowering, op *ir.Op) error {
	src := op.Args[0].Type.Layout
	x := lw.tile(op.Args[0])
	groups := src.SlicedRegs(src.Rank() - 1)
	lo, hi := make([]value.Value, len(groups)), make([]value.Value, len(groups))
	for i, g := range groups {
		lo[i], hi[i] = x[g[0]], x[g[1]]
	}
	lw.set(op.Results[0], lo...)
	lw.set(op.Results[1], hi...)
	return nil
}

// regsOf is the register count of op's first result (1 for a scalar).
func regsOf(op *ir.Op) int {
	if t := op.Results[0].Type; t.IsTile() {
		return t.Layout.NumRegs()
	}
	return 1
}

func lowerAddPtr(lw *lowering, op *ir.Op) error {
	n := regsOf(op)
	p, off := lw.operandRegs(op.Args[0], n), lw.operandRegs(op.Args[1], n)
	elem := memType(op.Args[0].Type.Elem)
	rs := make([]value.Value, n)
	for i := range rs {
		rs[i] = lw.cur.NewGetElementPtr(elem, p[i], off[i])
	}
	lw.set(op.Results[0], rs...)
	return nil
}

// lowerElementwise applies the op's scalar lowering register by register.
func lowerElementwise(lw *lowering, op *ir.Op) error {
	n := regsOf(op)
	args := make([][]value.Value, len(op.Args))
	for i, a := range op.Args {
		args[i] = lw.operandRegs(a, n)
	}
	rs := make([]value.Value, n)
	in := make([]value.Value, len(args))
	s := lw.scalarEmitter(op)
	for r := 0; r < n; r++ {
		for i := range args {
			in[i] = args[i][r]
		}
		v, err := s(lw, in)
		if err != nil {
			return err
		}
		rs[r] = v
	}
	lw.set(op.Results[0], rs...)
	return nil
}

// lowerConvert renames registers: each thread holds the elements already
// (the exchange pass moved every other conversion to shared memory).
func lowerConvert(lw *lowering, op *ir.Op) error {
	src, dst := op.Args[0].Type.Layout, op.Results[0].Type.Layout
	perm, ok := registerPermutation(src, dst)
	if !ok {
		return errorAt(op, "converting %s to %s moves data between threads; the exchange pass lowers such conversions to shared memory", src, dst)
	}
	regs := lw.tile(op.Args[0])
	out := make([]value.Value, len(perm))
	for i, p := range perm {
		out[i] = regs[p]
	}
	lw.set(op.Results[0], out...)
	return nil
}

// registerPermutation is dst's registers as registers of src, when each
// thread holds the same elements in both.
func registerPermutation(src, dst *layout.Linear) ([]int, bool) {
	if src == dst || src.Equal(dst) {
		perm := make([]int, dst.NumRegs())
		for i := range perm {
			perm[i] = i
		}
		return perm, true
	}
	return src.RegPermutation(dst)
}
