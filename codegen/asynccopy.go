package codegen

import (
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// cp.async copies of 16-byte chunks into swizzled shared tiles: each
// thread copies the chunks its registers would hold in the source layout
// (runs of 8 16-bit elements along the tile's contiguous dim); a chunk
// whose mask is false is copied with source size 0, which zero-fills.

// copyChunks issues the copies of a tile held in layout src, whose chunks'
// global addresses and masks at gives, into the swizzled buffer of type b
// at base (a 32-bit shared address), in the threads where pred holds.
func (lw *lowering) copyChunks(src *layout.Linear, at func(reg int) (value.Value, value.Value), b ir.Type, base, pred value.Value) {
	sw := swizzleOfType(b)
	pred = and(lw, pred, lw.owner(src))
	const text = "cp.async.cg.shared.global [$0], [$1], 16, $2;"
	plain := asm(types.Void, text, "r,l,r,~{memory}", true, types.I32, types.I64, types.I32)
	guarded := asm(types.Void, "@$3 "+text, "r,l,r,b,~{memory}", true, types.I32, types.I64, types.I32, types.I1)
	for r0 := 0; r0 < src.NumRegs(); r0 += 8 {
		if !canonicalReg(src, r0) {
			continue
		}
		ptr, mask := at(r0)
		// The chunk's place in the tile depends on the thread alone: once,
		// in the entry block.
		var off value.Value
		lw.inEntry(func() {
			off = lw.swizzled(sw, lw.coord(src, r0, sw.slow), lw.coord(src, r0, sw.fast))
		})
		dst := lw.cur.NewAdd(base, off)
		var size value.Value = i32(16)
		if mask != nil && !isConstTrue(mask) {
			size = lw.cur.NewSelect(mask, i32(16), i32(0))
		}
		if pred == nil || isConstTrue(pred) {
			lw.cur.NewCall(plain, dst, lw.addr(ptr), size)
		} else {
			lw.cur.NewCall(guarded, dst, lw.addr(ptr), size, pred)
		}
	}
}

func lowerAsyncCopyBlock(lw *lowering, op *ir.Op) error {
	l := op.LayoutAttr("layout")
	at := lw.blockAccess(lw.bptrs[op.Args[0]], l, op.Ints("boundary_check"))
	lw.copyChunks(l, at, op.Args[1].Type, lw.buf(op.Args[1]), lw.scalar(op.Args[2]))
	return nil
}

func lowerAsyncCopy(lw *lowering, op *ir.Op) error {
	ptrs := lw.tile(op.Args[0])
	var masks []value.Value
	if len(op.Args) > 3 {
		masks = lw.tile(op.Args[3])
	}
	at := func(reg int) (value.Value, value.Value) {
		if masks == nil {
			return ptrs[reg], nil
		}
		return ptrs[reg], masks[reg]
	}
	lw.copyChunks(op.Args[0].Type.Layout, at, op.Args[1].Type, lw.buf(op.Args[1]), lw.scalar(op.Args[2]))
	return nil
}

func lowerAsyncCommit(lw *lowering, _ *ir.Op) error {
	lw.cur.NewCall(lw.x.get("llvm.nvvm.cp.async.commit.group", types.Void))
	return nil
}

func lowerAsyncWait(lw *lowering, op *ir.Op) error {
	lw.cur.NewCall(lw.x.get("llvm.nvvm.cp.async.wait.group", types.Void, types.I32), i32(int64(op.Int("pending"))))
	return nil
}
