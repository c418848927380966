package codegen

import (
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/codegen/layout"
	"github.com/tilec/tilec/ir"
)

// Operands of mma.sync reach their fragments through shared memory: each
// thread stores its part of the tile (16-byte vectors along the tile's
// contiguous dim), then ldmatrix.x4 gives every lane its fragment
// registers, four 8x8 matrices at a time.
//
// The shared tile is row-major along its fast dim (the source's
// contiguous dim) in 16-byte chunks, and chunk c of row r is stored at
// chunk c ^ ((r / perPhase) % maxPhase): the 8 rows one ldmatrix matrix
// reads land in 8 different chunks of a 128-byte line, so neither the
// vector stores nor ldmatrix have bank conflicts (Triton's swizzled shared
// layout with vec = 8 halves).

// swizzle describes the shared tile of a conversion.
type swizzle struct {
	fast, slow     int // dims of the tile: fast is contiguous in shared memory
	rowElems       int // elements per row (the fast dim's size)
	perPhase, maxP int
}

func newSwizzle(shape []int, fast int) swizzle {
	s := swizzle{fast: fast, slow: 1 - fast, rowElems: shape[fast]}
	rowBytes := s.rowElems * 2
	s.perPhase = max(1, 128/rowBytes)
	s.maxP = max(1, min(rowBytes/16, 8))
	return s
}

// offset returns the byte offset of (row, col) in the tile; col is a
// multiple of the access width within its 16-byte chunk.
func (lw *lowering) swizzled(s swizzle, row, col value.Value) value.Value {
	chunk := lw.cur.NewLShr(col, i32(3))
	within := lw.cur.NewAnd(col, i32(7))
	// perPhase and maxP are powers of two: shifts and masks.
	phase := lw.cur.NewAnd(lw.shr(row, log2(s.perPhase)), i32(int64(s.maxP-1)))
	sw := lw.cur.NewXor(chunk, phase)
	elem := lw.cur.NewAdd(lw.mulConst(row, s.rowElems), lw.cur.NewOr(lw.cur.NewShl(sw, i32(3)), within))
	return lw.cur.NewShl(elem, i32(1))
}

// shr is x >> n (x for n = 0).
func (lw *lowering) shr(x value.Value, n int) value.Value {
	if n == 0 {
		return x
	}
	return lw.cur.NewLShr(x, i32(int64(n)))
}

// mulConst is x·c, a shift when c is a power of two.
func (lw *lowering) mulConst(x value.Value, c int) value.Value {
	if c > 0 && c&(c-1) == 0 {
		if c == 1 {
			return x
		}
		return lw.cur.NewShl(x, i32(int64(log2(c))))
	}
	return lw.cur.NewMul(x, i32(int64(c)))
}

// canLdmatrix reports whether a conversion into dst can use ldmatrix.
func canLdmatrix(src, dst *layout.Linear, t ir.Type) bool {
	f := dst.Frag
	return f != nil && (f.Operand == 'A' || f.Operand == 'B') && len(dst.Shape) == 2 &&
		t.Kind == ir.KindScalar && t.Elem.Size() == 2 && dst.Shape[0] >= 16 && dst.Shape[1] >= 16
}

// fragmentSwizzle is the shared tile of a conversion from src into the
// operand layout dst, and how many of src's registers move as one store
// (a 16-byte chunk when src holds runs of 8 along the tile's fast dim).
func fragmentSwizzle(src, dst *layout.Linear) (swizzle, int) {
	fast, run := regRun(src)
	if run < 2 {
		fast = 1
	}
	v := min(run, 8)
	if fast != regRunDim(src) {
		v = 1
	}
	return newSwizzle(dst.Shape, fast), v
}

// toFragment converts a 16-bit tile from layout src to the mma operand
// layout dst through swizzled shared memory and ldmatrix.
func (lw *lowering) toFragment(regs []value.Value, src, dst *layout.Linear, t ir.Type) []value.Value {
	d := t.Elem
	sw, v := fragmentSwizzle(src, dst)
	base := lw.scratch(dst.Shape[0] * dst.Shape[1] * 2)
	lw.barrier()
	// Stores: runs of up to 8 registers along the fast dim as one vector.
	lw.ifThen(lw.owner(src), func() {
		for r0 := 0; r0 < len(regs); r0 += v {
			if !canonicalReg(src, r0) {
				continue
			}
			row, col := lw.coord(src, r0, sw.slow), lw.coord(src, r0, sw.fast)
			off := lw.swizzled(sw, row, col)
			p := lw.cur.NewGetElementPtr(types.I8, base, off)
			if v == 1 {
				lw.cur.NewStore(regs[r0], lw.cur.NewBitCast(p, sharedPtr(regType(d))))
				continue
			}
			vec, vt := lw.vector(lw.pack(regs[r0:r0+v], d))
			lw.cur.NewStore(vec, lw.cur.NewBitCast(p, sharedPtr(vt)))
		}
	})
	lw.barrier()
	return lw.ldmatrixTile(base, sw, dst, d)
}

// ldmatrixTile reads the operand layout dst's registers from the swizzled
// shared tile sw at base.
func (lw *lowering) ldmatrixTile(base value.Value, sw swizzle, dst *layout.Linear, d ir.DType) []value.Value {
	fast := sw.fast
	// Loads: one ldmatrix.x4 per four 8x8 matrices.
	f := dst.Frag
	trans := (f.Operand == 'A' && fast == 0) || (f.Operand == 'B' && fast == 1)
	name := "llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16"
	if trans {
		name = "llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.trans.b16"
	}
	ldm := lw.x.get(name, types.NewStruct(types.I32, types.I32, types.I32, types.I32), sharedPtr(types.I8))
	out := make([]value.Value, dst.NumRegs())
	lane := lw.lane
	l8 := lw.cur.NewAnd(lane, i32(7))                         // row within a matrix
	m1 := lw.cur.NewAnd(lw.cur.NewLShr(lane, i32(3)), i32(1)) // bit 0 of the matrix index
	m2 := lw.cur.NewLShr(lane, i32(4))                        // bit 1 of the matrix index
	load := func(row, col value.Value) []value.Value {
		p := lw.cur.NewGetElementPtr(types.I8, base, lw.swizzled(sw, row, col))
		res := lw.cur.NewCall(ldm, p)
		words := make([]value.Value, 4)
		for i := range words {
			words[i] = lw.cur.NewExtractValue(res, uint64(i))
		}
		return words
	}
	// rowOf/colOf place a lane's row address in the stored tile: the
	// matrix's first element (mr, mc in tile coordinates), plus the lane's
	// row within it along the stored rows.
	addr := func(slowBase, fastBase value.Value, slowStep, fastStep value.Value) (value.Value, value.Value) {
		return lw.cur.NewAdd(slowBase, slowStep), lw.cur.NewAdd(fastBase, fastStep)
	}
	eight := func(x value.Value) value.Value { return lw.cur.NewShl(x, i32(3)) }
	put := func(regBase int, words []value.Value, which []int) {
		for i, w := range words {
			if which[i] < 0 {
				continue
			}
			halves := lw.unpack([]value.Value{w}, d, 2)
			out[regBase+which[i]] = halves[0]
			out[regBase+which[i]+1] = halves[1]
		}
	}
	M, N := dst.Shape[0], dst.Shape[1]
	warpRow, warpCol := lw.warpCoord(dst, 0), lw.warpCoord(dst, 1)
	switch f.Operand {
	case 'A': // [M, K]; registers q + 8·(kk + kTiles·i)
		kTiles := N / 16
		mTiles := M / (16 * f.Warps[0])
		for i := 0; i < mTiles; i++ {
			for kk := 0; kk < kTiles; kk++ {
				r0 := 8 * (kk + kTiles*i)
				rc := dst.RegCoords(r0)
				mBase := lw.cur.NewAdd(warpRow, i32(int64(rc[0])))
				kBase := i32(int64(rc[1]))
				var row, col value.Value
				if !trans { // stored rows are m: matrix j = (m + 8·(j&1), k + 8·(j>>1))
					row, col = addr(mBase, kBase, lw.cur.NewAdd(l8, eight(m1)), eight(m2))
				} else { // stored rows are k: matrix j = (k + 8·(j>>1), m + 8·(j&1))
					row, col = addr(kBase, mBase, lw.cur.NewAdd(l8, eight(m2)), eight(m1))
				}
				put(r0, load(row, col), []int{0, 2, 4, 6})
			}
		}
	case 'B': // [K, N]; registers q + 4·(kk + kTiles·j), two n-tiles per x4
		kTiles := M / 16
		nTiles := N / (8 * f.Warps[1])
		for kk := 0; kk < kTiles; kk++ {
			for j := 0; j < nTiles; j += 2 {
				// Matrices 0 and 1 are n-tile j (k and k+8), 2 and 3 n-tile
				// j+1, which need not be next to it: the tiles of other
				// warps can lie between.
				r0, r1 := 4*(kk+kTiles*j), 4*(kk+kTiles*min(j+1, nTiles-1))
				kBase := i32(int64(dst.RegCoords(r0)[0]))
				n0 := lw.cur.NewAdd(warpCol, i32(int64(dst.RegCoords(r0)[1])))
				n1 := lw.cur.NewAdd(warpCol, i32(int64(dst.RegCoords(r1)[1])))
				nBase := lw.cur.NewSelect(lw.cur.NewICmp(enum.IPredNE, m2, i32(0)), n1, n0)
				var row, col value.Value
				if trans { // stored rows are k
					row, col = addr(kBase, nBase, lw.cur.NewAdd(l8, eight(m1)), i32(0))
				} else { // stored rows are n
					row, col = addr(nBase, kBase, l8, eight(m1))
				}
				words := load(row, col)
				put(r0, words[:2], []int{0, 2})
				if j+1 < nTiles {
					put(r1, words[2:], []int{0, 2})
				}
			}
		}
	}
	return out
}

// regRunDim is the dim of regRun.
func regRunDim(l *layout.Linear) int {
	d, _ := regRun(l)
	return d
}

// warpCoord is the part of a coordinate that comes from the warp alone.
func (lw *lowering) warpCoord(l *layout.Linear, d int) value.Value {
	var acc value.Value = i32(0)
	for bit, b := range l.Warps {
		if b[d] == 0 {
			continue
		}
		t := lw.cur.NewMul(lw.cur.NewAnd(lw.cur.NewLShr(lw.warp, i32(int64(bit))), i32(1)), i32(int64(b[d])))
		acc = lw.cur.NewOr(acc, t)
	}
	return acc
}
