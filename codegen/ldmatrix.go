package codegen

import (
	"fmt"

	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// Operands of mma.sync reach their fragments through swizzled shared
// tiles (layout.Shared): stored by the threads that hold them (16-byte
// vectors along the tile's contiguous dim) or copied there by cp.async,
// then read with ldmatrix.x4, which gives every lane its fragment
// registers four 8x8 matrices at a time. The 8 rows one ldmatrix matrix
// reads land in 8 different chunks of a 128-byte line, so neither the
// vector stores nor ldmatrix have bank conflicts.

// swizzle is a swizzled tile's geometry.
type swizzle struct {
	fast, slow     int // dims of the tile: fast is contiguous in shared memory
	rowElems       int // elements per row (the fast dim's size, or the block's)
	rows           int // rows (the slow dim's size)
	block          int // elements per column block (0: rows are whole)
	perPhase, maxP int
}

// swizzleOfType is the geometry of a swizzled 2-D buffer type.
func swizzleOfType(t ir.Type) swizzle {
	s, shape := t.Shared, t.Shape.Ints()
	sw := swizzle{fast: s.Fast, slow: 1 - s.Fast, rowElems: shape[s.Fast], rows: shape[1-s.Fast], block: s.Block, perPhase: s.PerPhase, maxP: s.MaxPhase}
	if s.Block != 0 {
		sw.rowElems = s.Block
	}
	return sw
}

// offset returns the byte offset of (row, col) in the tile; col is a
// multiple of the access width within its 16-byte chunk.
func (lw *lowering) swizzled(s swizzle, row, col value.Value) value.Value {
	var blockStart value.Value
	if s.block != 0 {
		// Blocks are powers of two (64 elements): shift and mask.
		blockStart = lw.mulConst(lw.cur.NewLShr(col, i32(int64(log2(s.block)))), s.rows*s.block)
		col = lw.cur.NewAnd(col, i32(int64(s.block-1)))
	}
	chunk := lw.cur.NewLShr(col, i32(3))
	within := lw.cur.NewAnd(col, i32(7))
	// perPhase and maxP are powers of two: shifts and masks.
	phase := lw.cur.NewAnd(lw.shr(row, log2(s.perPhase)), i32(int64(s.maxP-1)))
	sw := lw.cur.NewXor(chunk, phase)
	elem := lw.cur.NewAdd(lw.mulConst(row, s.rowElems), lw.cur.NewOr(lw.cur.NewShl(sw, i32(3)), within))
	if blockStart != nil {
		elem = lw.cur.NewAdd(blockStart, elem)
	}
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

// storeSwizzled writes a tile held in layout src into the swizzled buffer
// of type b at base (an i8 shared pointer): runs of v registers along the
// fast dim as one vector, each element once.
func (lw *lowering) storeSwizzled(base value.Value, regs []value.Value, src *layout.Linear, b ir.Type, v int) {
	d := b.Elem
	sw := swizzleOfType(b)
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
}

// fragment returns the layout of mma operand A or B of shape with warps,
// one pointer per layout (ldmatrix offsets are cached by it).
func (lw *lowering) fragment(operand byte, shape []int, warps [2]int) (*layout.Linear, error) {
	k := fmt.Sprint(operand, shape, warps)
	if l, ok := lw.frags[k]; ok {
		return l, nil
	}
	build := layout.DotA
	if operand == 'B' {
		build = layout.DotB
	}
	l, err := build(shape[0], shape[1], warps, lw.f.NumWarps)
	if err != nil {
		return nil, err
	}
	lw.frags[k] = l
	return l, nil
}

// lowerLdmatrix reads an mma operand's fragments from a swizzled buffer.
func lowerLdmatrix(lw *lowering, op *ir.Op) error {
	b, r := op.Args[0], op.Results[0]
	w := op.Ints("warps")
	dst, err := lw.fragment(op.Str("operand")[0], r.Type.Shape.Ints(), [2]int{w[0], w[1]})
	if err != nil {
		return errorAt(op, "%v", err)
	}
	lw.set(r, lw.ldmatrixTile(lw.buf(b), swizzleOfType(b.Type), dst, r.Type.Elem, -1)...)
	return nil
}

// ldmatrixTile reads the operand layout dst's registers from the swizzled
// shared tile sw at base (a 32-bit shared address): all of them, or
// (kOnly ≥ 0) those of one 16-deep k-step, leaving the others nil.
func (lw *lowering) ldmatrixTile(base value.Value, sw swizzle, dst *layout.Linear, d ir.DType, kOnly int) []value.Value {
	fast := sw.fast
	// Loads: one ldmatrix.x4 per four 8x8 matrices, by inline asm: LLVM
	// 14's intrinsic takes a 64-bit shared pointer, and the constant part
	// of the address goes in the instruction.
	f := dst.Def // built by layout.DotA or DotB
	trans := (f.Operand == 'A' && fast == 0) || (f.Operand == 'B' && fast == 1)
	mnemonic := "ldmatrix.sync.aligned.m8n8.x4.shared.b16"
	if trans {
		mnemonic = "ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16"
	}
	words4 := types.NewStruct(types.I32, types.I32, types.I32, types.I32)
	out := make([]value.Value, dst.NumRegs())
	// A lane's row address in the stored tile is (row, col) = (rowVar +
	// rowConst, colVar + colConst): the matrix's first element plus the
	// lane's row within it, where the variable parts (laneTerms) depend on
	// the lane and warp only.
	// The row address is base + a per-thread offset + a constant: one add
	// per distinct per-thread offset, the constant in the instruction.
	bases := map[value.Value]value.Value{}
	load := func(rowVar laneTerms, rowConst int, colVar laneTerms, colConst int) []value.Value {
		y, c := lw.ldmatrixOffset(sw, dst, rowVar, rowConst, colVar, colConst)
		p, ok := bases[y]
		if !ok {
			p = lw.cur.NewAdd(base, y)
			bases[y] = p
		}
		addr := "[$4]"
		if c != 0 {
			addr = fmt.Sprintf("[$4+%d]", c)
		}
		ldm := asm(words4, mnemonic+" {$0, $1, $2, $3}, "+addr+";", "=r,=r,=r,=r,r", true, types.I32)
		res := lw.cur.NewCall(ldm, p)
		words := make([]value.Value, 4)
		for i := range words {
			words[i] = lw.cur.NewExtractValue(res, uint64(i))
		}
		return words
	}
	put := func(regBase int, words []value.Value, which []int) {
		for i, w := range words {
			halves := lw.unpack([]value.Value{w}, d, 2)
			out[regBase+which[i]] = halves[0]
			out[regBase+which[i]+1] = halves[1]
		}
	}
	M, N := dst.Shape[0], dst.Shape[1]
	switch f.Operand {
	case 'A': // [M, K]; registers q + 8·(kk + kTiles·i)
		kTiles := N / 16
		mTiles := M / (16 * f.Ints[0][0])
		for i := 0; i < mTiles; i++ {
			for kk := 0; kk < kTiles; kk++ {
				if kOnly >= 0 && kk != kOnly {
					continue
				}
				r0 := 8 * (kk + kTiles*i)
				rc := dst.RegCoords(r0)
				var words []value.Value
				if !trans { // stored rows are m: matrix j = (m + 8·(j&1), k + 8·(j>>1))
					words = load(laneTerms{wr: 1, l8: 1, m1: 8}, rc[0], laneTerms{m2: 8}, rc[1])
				} else { // stored rows are k: matrix j = (k + 8·(j>>1), m + 8·(j&1))
					words = load(laneTerms{l8: 1, m2: 8}, rc[1], laneTerms{wr: 1, m1: 8}, rc[0])
				}
				put(r0, words, []int{0, 2, 4, 6})
			}
		}
	case 'B': // [K, N]; registers q + 4·(kk + kTiles·j), two n-tiles per x4
		kTiles := M / 16
		nTiles := N / (8 * f.Ints[0][1])
		for kk := 0; kk < kTiles; kk++ {
			if kOnly >= 0 && kk != kOnly {
				continue
			}
			for j := 0; j < nTiles; j += 2 {
				// Matrices 0 and 1 are n-tile j (k and k+8), 2 and 3 n-tile
				// j+1, which need not be next to it: the tiles of other
				// warps can lie between (delta apart).
				r0, r1 := 4*(kk+kTiles*j), 4*(kk+kTiles*min(j+1, nTiles-1))
				kBase, n0 := dst.RegCoords(r0)[0], dst.RegCoords(r0)[1]
				delta := dst.RegCoords(r1)[1] - n0
				var words []value.Value
				if trans { // stored rows are k
					words = load(laneTerms{l8: 1, m1: 8}, kBase, laneTerms{wc: 1, m2: delta}, n0)
				} else { // stored rows are n
					words = load(laneTerms{wc: 1, m2: delta, l8: 1}, n0, laneTerms{m1: 8}, kBase)
				}
				put(r0, words[:2], []int{0, 2})
				if j+1 < nTiles {
					put(r1, words[2:], []int{0, 2})
				}
			}
		}
	}
	return out
}

// laneTerms is a coordinate that depends on the thread alone:
// l8·(lane&7) + m1·(lane>>3&1) + m2·(lane>>4) + wr·(the warp's row) +
// wc·(the warp's column) in an operand layout.
type laneTerms struct{ l8, m1, m2, wr, wc int }

// eval is the coordinate in lane lane of warp warp of layout l.
func (t laneTerms) eval(l *layout.Linear, lane, warp int) int {
	return t.l8*(lane&7) + t.m1*(lane>>3&1) + t.m2*(lane>>4) + t.wr*warpCoordOf(l, 0, warp) + t.wc*warpCoordOf(l, 1, warp)
}

// emit computes the coordinate in the current block.
func (lw *lowering) emitTerms(t laneTerms, l *layout.Linear) value.Value {
	lane := lw.lane
	var acc value.Value = i32(0)
	add := func(c int, x func() value.Value) {
		if c != 0 {
			acc = lw.cur.NewAdd(acc, lw.mulConst(x(), c))
		}
	}
	add(t.l8, func() value.Value { return lw.cur.NewAnd(lane, i32(7)) })
	add(t.m1, func() value.Value { return lw.cur.NewAnd(lw.cur.NewLShr(lane, i32(3)), i32(1)) })
	add(t.m2, func() value.Value { return lw.cur.NewLShr(lane, i32(4)) })
	add(t.wr, func() value.Value { return lw.warpCoord(l, 0) })
	add(t.wc, func() value.Value { return lw.warpCoord(l, 1) })
	return acc
}

// warpCoordOf is warpCoord's value for warp warp.
func warpCoordOf(l *layout.Linear, d, warp int) int {
	c := 0
	for bit, b := range l.Warps {
		if warp>>bit&1 == 1 {
			c += b[d]
		}
	}
	return c
}

// swizzleOf is swizzled's value: the byte offset of (row, col).
func swizzleOf(s swizzle, row, col int) int {
	base := 0
	if s.block != 0 {
		base, col = (col/s.block)*s.rows*s.block, col%s.block
	}
	phase := (row / s.perPhase) % s.maxP
	return 2 * (base + row*s.rowElems + ((col>>3)^phase)<<3 + col&7)
}

// splitKey identifies one check of ldmatrixOffset's identity.
type splitKey struct {
	k                  ldmatrixKey
	rowConst, colConst int
}

// ldmatrixKey identifies a precomputed lane offset.
type ldmatrixKey struct {
	sw             swizzle
	l              *layout.Linear // one pointer per fragment layout (lowering.fragment)
	rowVar, colVar laneTerms
	lo             int
}

// ldmatrixOffset is the byte offset of (rowVar + rowConst, colVar +
// colConst) in the swizzled tile, as an i32 value plus a constant. The swizzle's phase comes from the row's
// low 3 bits and xors the 16-byte chunk index, so when the constants are
// multiples of 8 and the constant chunk shares no bit with the variable
// one, the offset is a per-thread part, computed once in the entry block
// (one per constant chunk modulo maxP), plus a constant: the loop only
// adds. The identity is checked for every lane and warp; where it fails,
// the offset is computed in full.
func (lw *lowering) ldmatrixOffset(s swizzle, l *layout.Linear, rowVar laneTerms, rowConst int, colVar laneTerms, colConst int) (value.Value, int) {
	cc := colConst >> 3
	lo, hi := cc&(s.maxP-1), cc&^(s.maxP-1)
	split := rowConst%8 == 0 && colConst%8 == 0
	// rowConst is a multiple of 8, so its phase is 0; hi has no bit of the
	// phase: the constant's offset on its own (checked below anyway).
	c := swizzleOf(s, rowConst, hi<<3)
	part := func(lane, warp int) int {
		rv, cv := rowVar.eval(l, lane, warp), colVar.eval(l, lane, warp)
		return swizzleOf(s, rv, cv+lo<<3)
	}
	// The check depends on the tile, the terms and the constants only: once
	// per kernel each.
	sk := splitKey{ldmatrixKey{s, l, rowVar, colVar, lo}, rowConst, colConst}
	if known, ok := lw.ldmSplits[sk]; ok {
		split = split && known
	} else {
		for w := 0; split && w < 1<<len(l.Warps); w++ {
			for lane := 0; lane < layout.WarpSize; lane++ {
				rv, cv := rowVar.eval(l, lane, w), colVar.eval(l, lane, w)
				if cv%8 != 0 || (cv>>3)&cc != 0 || swizzleOf(s, rv+rowConst, cv+colConst) != part(lane, w)+c {
					split = false
					break
				}
			}
		}
		lw.ldmSplits[sk] = split
	}
	if !split {
		row := lw.cur.NewAdd(lw.emitTerms(rowVar, l), i32(int64(rowConst)))
		col := lw.cur.NewAdd(lw.emitTerms(colVar, l), i32(int64(colConst)))
		return lw.swizzled(s, row, col), 0
	}
	k := ldmatrixKey{s, l, rowVar, colVar, lo}
	y, ok := lw.ldmOffsets[k]
	if !ok {
		lw.inEntry(func() {
			row := lw.emitTerms(rowVar, l)
			col := lw.cur.NewAdd(lw.emitTerms(colVar, l), i32(int64(lo<<3)))
			y = lw.swizzled(s, row, col)
		})
		lw.ldmOffsets[k] = y
	}
	return y, c
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
