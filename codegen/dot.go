package codegen

import (
	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// lowerDot multiplies with wgmma on sm_90a where the dot qualifies
// (wgmma.go), else with mma.sync.m16n8k16 when the operands are f16 or
// bf16 on sm_80+, else with FMAs. The layouts (package layout) put every
// fragment in PTX's register order, so instruction (i, j, kk) reads
//
//	A registers q + 8·(kk + kTiles·i)   (q = a0..a7)
//	B registers q + 4·(kk + kTiles·j)   (q = b0..b3)
//	C registers q + 4·(j + nTiles·i)    (q = c0..c3)
//
// where i counts a warp's 16-row tiles, j its 8-column tiles, kk the
// 16-deep steps.
func lowerDot(lw *lowering, op *ir.Op) error {
	at, bt := op.Args[0].Type, op.Args[1].Type
	m, k, n := at.Shape.Dims[0].N, at.Shape.Dims[1].N, bt.Shape.Dims[1].N
	lw.tensorCores = lw.tensorCores || lw.f.GPU.UsesMMA(at.Elem)
	if lw.f.GPU.UsesWGMMA(at.Elem, m, n, k, lw.f.NumWarps) {
		out, err := lw.wgmma(op)
		if err != nil {
			return errorAt(op, "%v", err)
		}
		lw.set(op.Results[0], out...)
		return nil
	}
	if lw.f.GPU.UsesMMA(at.Elem) {
		w := layout.MMAWarps(m, n, lw.f.NumWarps)
		A, fetchA, err := lw.mmaOperand(op.Args[0], 'A', w)
		if err != nil {
			return errorAt(op, "%v", err)
		}
		B, fetchB, err := lw.mmaOperand(op.Args[1], 'B', w)
		if err != nil {
			return errorAt(op, "%v", err)
		}
		lw.set(op.Results[0], lw.mma(at.Elem, A, B, lw.tile(op.Args[2]), m, n, k, fetchA, fetchB)...)
		return nil
	}
	A, B, C := lw.tile(op.Args[0]), lw.tile(op.Args[1]), lw.tile(op.Args[2])
	lw.set(op.Results[0], lw.fmaDot(op, at.Elem, op.Args[2].Type.Layout, A, B, C, k)...)
	return nil
}

// mmaOperand is an mma operand's registers, and for an operand in a
// swizzled shared buffer the function that fills those of one k-step
// (ldmatrix right before that step's mma instructions, so that only one
// step's fragments are live).
func (lw *lowering) mmaOperand(v *ir.Value, operand byte, warps [2]int) ([]value.Value, func(kk int), error) {
	if !v.Type.IsShared() {
		return lw.tile(v), nil, nil
	}
	l, err := lw.fragment(operand, v.Type.Shape.Ints(), warps)
	if err != nil {
		return nil, nil, err
	}
	base, sw, d := lw.buf(v), swizzleOfType(v.Type), v.Type.Elem
	regs := make([]value.Value, l.NumRegs())
	return regs, func(kk int) {
		for r, x := range lw.ldmatrixTile(base, sw, l, d, kk) {
			if x != nil {
				regs[r] = x
			}
		}
	}, nil
}

// mma emits the mma instructions k-step by k-step; fetchA and fetchB
// (nil for operands in registers) fill an operand's registers of a step
// just before it.
func (lw *lowering) mma(d ir.DType, A, B, C []value.Value, m, n, k int, fetchA, fetchB func(kk int)) []value.Value {
	w := layout.MMAWarps(m, n, lw.f.NumWarps)
	mTiles, nTiles, kTiles := m/(16*w[0]), n/(8*w[1]), k/16
	out := append([]value.Value(nil), C...)
	var f *llir.Func
	var pair func(lo, hi value.Value) value.Value
	h2 := types.NewVector(2, types.Half)
	if d == ir.F16 {
		f = lw.x.get("llvm.nvvm.mma.m16n8k16.row.col.f32.f32", mmaResult(),
			h2, h2, h2, h2, h2, h2, types.Float, types.Float, types.Float, types.Float)
		pair = func(lo, hi value.Value) value.Value {
			if p, ok := lw.fusedPair(lo, hi, ir.F16); ok {
				return p
			}
			v := lw.cur.NewInsertElement(undefVector(h2), lo, i32(0))
			return lw.cur.NewInsertElement(v, hi, i32(1))
		}
	} else {
		f = lw.x.get("llvm.nvvm.mma.m16n8k16.row.col.bf16", mmaResult(),
			types.I32, types.I32, types.I32, types.I32, types.I32, types.I32, types.Float, types.Float, types.Float, types.Float)
		pair = func(lo, hi value.Value) value.Value { // the lower column in the low half
			if p, ok := lw.fusedPair(lo, hi, ir.BF16); ok {
				return p
			}
			l := lw.cur.NewZExt(lo, types.I32)
			h := lw.cur.NewShl(lw.cur.NewZExt(hi, types.I32), i32(16))
			return lw.cur.NewOr(l, h)
		}
	}
	// Operands in registers are paired up front: two f32 rounded to 16
	// bits become one register before the loop needs them (P in
	// attention), which halves what stays live.
	pairs := func(regs []value.Value) []value.Value {
		ps := make([]value.Value, len(regs)/2)
		for q := range ps {
			if regs[2*q] != nil { // a lazy operand has only this k-step's
				ps[q] = pair(regs[2*q], regs[2*q+1])
			}
		}
		return ps
	}
	var pa, pb []value.Value
	if fetchA == nil {
		pa = pairs(A)
	}
	if fetchB == nil {
		pb = pairs(B)
	}
	for kk := 0; kk < kTiles; kk++ {
		if fetchA != nil {
			fetchA(kk)
			pa = pairs(A)
		}
		if fetchB != nil {
			fetchB(kk)
			pb = pairs(B)
		}
		for i := 0; i < mTiles; i++ {
			a0 := 4 * (kk + kTiles*i)
			a := []value.Value{pa[a0], pa[a0+1], pa[a0+2], pa[a0+3]}
			for j := 0; j < nTiles; j++ {
				b0 := 2 * (kk + kTiles*j)
				c0 := 4 * (j + nTiles*i)
				args := append(a, pb[b0], pb[b0+1], out[c0], out[c0+1], out[c0+2], out[c0+3])
				res := lw.cur.NewCall(f, args...)
				for q := 0; q < 4; q++ {
					out[c0+q] = lw.cur.NewExtractValue(res, uint64(q))
				}
			}
		}
	}
	return out
}

func mmaResult() types.Type {
	return types.NewStruct(types.Float, types.Float, types.Float, types.Float)
}

// fmaDot: each thread holds whole rows of A and columns of B for its
// elements of C (layout.DotFMA), register r of C pairs with registers
// r | kk << len(c.Regs) of A and B.
func (lw *lowering) fmaDot(op *ir.Op, d ir.DType, c *layout.Linear, A, B, C []value.Value, k int) []value.Value {
	out := make([]value.Value, len(C))
	nc := len(c.Regs)
	fma := lw.x.get("llvm.fma.f32", types.Float, types.Float, types.Float, types.Float)
	sc := &scalarCtx{lw: lw, op: op, in: d, out: ir.F32, b: lw.cur}
	for r := range C {
		acc := C[r]
		for kk := 0; kk < k; kk++ {
			idx := r | kk<<nc
			sc.b = lw.cur
			x, y := sc.widen(A[idx], d), sc.widen(B[idx], d)
			if d == ir.F64 {
				x, y = lw.cur.NewFPTrunc(x, types.Float), lw.cur.NewFPTrunc(y, types.Float)
			}
			acc = lw.cur.NewCall(fma, x, y, acc)
		}
		out[r] = acc
	}
	return out
}
