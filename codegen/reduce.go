package codegen

import (
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// Reductions and scans run their combine region on scalars three times
// over: across the registers a thread holds along the axis, across the
// lanes (shuffles), and across the warps (shared memory). Partners always
// combine as combine(lower index, higher index), so every thread that ends
// up holding an element computes it identically, and a sum adds in a fixed
// tree order.

// combine applies a reduce/scan region to scalar registers.
func (lw *lowering) combine(op *ir.Op, acc, x []value.Value) []value.Value {
	r := op.Regions[0]
	env := map[*ir.Value]value.Value{}
	for i, a := range r.Args {
		if i < len(acc) {
			env[a] = acc[i]
		} else {
			env[a] = x[i-len(acc)]
		}
	}
	for _, in := range r.Ops {
		switch {
		case in.Code == ir.OpYield:
			out := make([]value.Value, len(in.Args))
			for i, a := range in.Args {
				out[i] = env[a]
			}
			return out
		case in.Code == ir.OpConstant:
			env[in.Results[0]] = constOf(in.Results[0].Type.Elem, in.NumAttr("value"))
		default:
			args := make([]value.Value, len(in.Args))
			for i, a := range in.Args {
				args[i] = env[a]
			}
			v, err := lw.scalarEmitter(in)(lw, args)
			if err != nil {
				panic(err)
			}
			env[in.Results[0]] = v
		}
	}
	panic("codegen: combine region without yield")
}

// shuffle exchanges a register with another lane: xor-butterfly when idx is
// nil (lane ^ mask), or from lane idx.
func (lw *lowering) shuffle(v value.Value, mask int, idx value.Value) value.Value {
	t := v.Type()
	var words []value.Value
	switch t {
	case types.I32:
		words = []value.Value{v}
	case types.Float:
		words = []value.Value{lw.cur.NewBitCast(v, types.I32)}
	case types.I1, types.I8, types.I16:
		words = []value.Value{lw.cur.NewZExt(v, types.I32)}
	case types.Half:
		words = []value.Value{lw.cur.NewZExt(lw.cur.NewBitCast(v, types.I16), types.I32)}
	default: // 64-bit values, pointers: two halves
		var bits value.Value = v
		if _, ok := t.(*types.PointerType); ok {
			bits = lw.cur.NewPtrToInt(v, types.I64)
		} else if t == types.Double {
			bits = lw.cur.NewBitCast(v, types.I64)
		}
		words = []value.Value{lw.cur.NewTrunc(bits, types.I32), lw.cur.NewTrunc(lw.cur.NewLShr(bits, i64(32)), types.I32)}
	}
	for i, w := range words {
		if idx == nil {
			f := lw.x.get("llvm.nvvm.shfl.sync.bfly.i32", types.I32, types.I32, types.I32, types.I32, types.I32)
			words[i] = lw.cur.NewCall(f, i32(-1), w, i32(int64(mask)), i32(31))
		} else {
			f := lw.x.get("llvm.nvvm.shfl.sync.idx.i32", types.I32, types.I32, types.I32, types.I32, types.I32)
			words[i] = lw.cur.NewCall(f, i32(-1), w, idx, i32(31))
		}
	}
	switch t {
	case types.I32:
		return words[0]
	case types.Float:
		return lw.cur.NewBitCast(words[0], types.Float)
	case types.I1, types.I8, types.I16:
		return lw.cur.NewTrunc(words[0], t)
	case types.Half:
		return lw.cur.NewBitCast(lw.cur.NewTrunc(words[0], types.I16), types.Half)
	}
	bits := lw.cur.NewOr(lw.cur.NewZExt(words[0], types.I64), lw.cur.NewShl(lw.cur.NewZExt(words[1], types.I64), i64(32)))
	if pt, ok := t.(*types.PointerType); ok {
		return lw.cur.NewIntToPtr(bits, pt)
	}
	if t == types.Double {
		return lw.cur.NewBitCast(bits, types.Double)
	}
	return bits
}

// selectAll picks a or b register by register.
func (lw *lowering) selectAll(c value.Value, a, b []value.Value) []value.Value {
	out := make([]value.Value, len(a))
	for i := range a {
		out[i] = lw.cur.NewSelect(c, a[i], b[i])
	}
	return out
}

// axisBits lists the bits of group (lanes or warps) that move along dim.
func axisBits(group [][]int, dim int) []int {
	var out []int
	for b, v := range group {
		if v[dim] != 0 {
			out = append(out, b)
		}
	}
	// Ascending coordinate order.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && group[out[j]][dim] < group[out[j-1]][dim]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// bitIsSet is (src >> bit) & 1 != 0.
func (lw *lowering) bitIsSet(src value.Value, bit int) value.Value {
	return lw.cur.NewICmp(enum.IPredNE, lw.cur.NewAnd(src, i32(1<<bit)), i32(0))
}

// compress gathers the given bits of src into a dense index.
func (lw *lowering) compress(src value.Value, bits []int) value.Value {
	var acc value.Value = i32(0)
	for i, b := range bits {
		bit := lw.cur.NewAnd(lw.cur.NewLShr(src, i32(int64(b))), i32(1))
		acc = lw.cur.NewOr(acc, lw.cur.NewShl(bit, i32(int64(i))))
	}
	return acc
}

func lowerReduce(lw *lowering, op *ir.Op) error {
	x := op.Args[0].Type.Layout
	axis := op.Int("axis")
	res := x.Slice(axis)
	n := len(op.Args)
	xs := make([][]value.Value, n)
	for i, a := range op.Args {
		xs[i] = lw.tile(a)
	}
	// 1. Registers along the axis, in index order.
	groups := x.SlicedRegs(axis)
	acc := make([][]value.Value, len(groups)) // per result register, per operand
	for rp, g := range groups {
		cur := make([]value.Value, n)
		for i := range cur {
			cur[i] = xs[i][g[0]]
		}
		for _, r := range g[1:] {
			next := make([]value.Value, n)
			for i := range next {
				next[i] = xs[i][r]
			}
			cur = lw.combine(op, cur, next)
		}
		acc[rp] = cur
	}
	// 2. Lanes along the axis: butterflies, lower lane first.
	for _, b := range axisBits(x.Lanes, axis) {
		upper := lw.bitIsSet(lw.lane, b)
		for rp := range acc {
			other := make([]value.Value, n)
			for i, v := range acc[rp] {
				other[i] = lw.shuffle(v, 1<<b, nil)
			}
			lo, hi := lw.selectAll(upper, other, acc[rp]), lw.selectAll(upper, acc[rp], other)
			acc[rp] = lw.combine(op, lo, hi)
		}
	}
	// 3. Warps along the axis: through shared memory.
	if wb := axisBits(x.Warps, axis); len(wb) > 0 {
		acc = lw.crossWarp(op, x, res, acc, wb, axis)
	}
	for i, r := range op.Results {
		rs := make([]value.Value, len(acc))
		for rp := range acc {
			rs[rp] = acc[rp][i]
		}
		lw.set(r, rs...)
	}
	return nil
}

// crossWarp folds partial results held by the warps along the axis: each
// warp writes its partials (one writer per element), then every thread
// reads all of them and folds in warp order.
func (lw *lowering) crossWarp(op *ir.Op, x, res *layout.Linear, acc [][]value.Value, wb []int, axis int) [][]value.Value {
	n := len(op.Args)
	nw := 1 << len(wb)
	elems := 1
	for _, s := range res.Shape {
		elems *= s
	}
	esz := slotBytes(op)
	base := lw.scratch(op)
	widx := lw.compress(lw.warp, wb)
	// Writers: the first lane along the axis, and not a copy elsewhere.
	laneMask := x.LaneBroadcast()
	for _, b := range axisBits(x.Lanes, axis) {
		laneMask |= 1 << b
	}
	warpMask := x.WarpBroadcast()
	var writer value.Value = lw.cur.NewICmp(enum.IPredEQ, lw.cur.NewAnd(lw.lane, i32(int64(laneMask))), i32(0))
	if warpMask != 0 {
		writer = lw.cur.NewAnd(writer, lw.cur.NewICmp(enum.IPredEQ, lw.cur.NewAnd(lw.warp, i32(int64(warpMask))), i32(0)))
	}
	slot := func(i int, w value.Value, rp int) value.Value {
		s := lw.cur.NewAdd(lw.cur.NewMul(w, i32(int64(elems))), lw.flat(res, rp))
		return lw.cur.NewAdd(s, i32(int64(i*nw*elems)))
	}
	// Runs of registers move as vectors (every operand as wide as its
	// slot), so that a warp's accesses are whole 128-byte lines.
	v := 1
	if res.Rank() > 0 {
		v = layout.ExchangeVec(res, esz, vectorizable(op.Args[0].Type))
		for _, a := range op.Args {
			if ir.ElemBytes(a.Type) != esz || layout.ExchangeVec(res, esz, vectorizable(a.Type)) != v {
				v = 1
			}
		}
	}
	column := func(rp, i int) []value.Value { // operand i of registers rp … rp+v−1
		out := make([]value.Value, v)
		for j := range out {
			out[j] = acc[rp+j][i]
		}
		return out
	}
	lw.barrier()
	lw.ifThen(writer, func() {
		for rp := 0; rp < len(acc); rp += v {
			if !canonicalReg(res, rp) {
				continue
			}
			for i := range acc[rp] {
				lw.storeShared(lw.sharedAt(base, slot(i, widx, rp), esz, types.I8), column(rp, i), op.Args[i].Type.ScalarType())
			}
		}
	})
	lw.barrier()
	out := make([][]value.Value, len(acc))
	for rp := 0; rp < len(acc); rp += v {
		cur := make([][]value.Value, v)
		for w := 0; w < nw; w++ {
			loaded := make([][]value.Value, n) // operand i, register j
			for i := range loaded {
				loaded[i] = lw.loadShared(lw.sharedAt(base, slot(i, i32(int64(w)), rp), esz, types.I8), v, op.Args[i].Type.ScalarType())
			}
			for j := range cur {
				vals := make([]value.Value, n)
				for i := range vals {
					vals[i] = loaded[i][j]
				}
				if cur[j] == nil {
					cur[j] = vals
				} else {
					cur[j] = lw.combine(op, cur[j], vals)
				}
			}
		}
		copy(out[rp:], cur)
	}
	return out
}

// vectorizable reports whether elements of t move in vectors through
// shared memory (pointers and i1 move one by one).
func vectorizable(t ir.Type) bool { return t.Kind != ir.KindPtr && t.Elem != ir.I1 }

// slotBytes is the size of the slots that carry partial results between
// warps (ir.CombineSlotBytes).
func slotBytes(op *ir.Op) int { return ir.CombineSlotBytes(op) }

func lowerScan(lw *lowering, op *ir.Op) error {
	x := op.Args[0].Type.Layout
	axis := op.Int("axis")
	if op.Int("reverse") == 1 {
		return errorAt(op, "codegen does not lower reverse scans yet")
	}
	n := len(op.Args)
	xs := make([][]value.Value, n)
	for i, a := range op.Args {
		xs[i] = lw.tile(a)
	}
	nregs := x.NumRegs()
	outs := make([][]value.Value, n)
	for i := range outs {
		outs[i] = make([]value.Value, nregs)
	}
	at := func(r int) []value.Value {
		v := make([]value.Value, n)
		for i := range v {
			v[i] = outs[i][r]
		}
		return v
	}
	set := func(r int, v []value.Value) {
		for i := range v {
			outs[i][r] = v[i]
		}
	}
	// 1. In-thread inclusive scan of each group of registers along the axis.
	groups := x.SlicedRegs(axis)
	totals := make([][]value.Value, len(groups))
	for gi, g := range groups {
		for k, r := range g {
			cur := make([]value.Value, n)
			for i := range cur {
				cur[i] = xs[i][r]
			}
			if k > 0 {
				cur = lw.combine(op, at(g[k-1]), cur)
			}
			set(r, cur)
		}
		totals[gi] = at(g[len(g)-1])
	}
	// 2. Lanes: an inclusive scan of the thread totals over the lanes along
	// the axis (Hillis–Steele with shfl.idx), then each thread's exclusive
	// prefix from the lane before it.
	lb := axisBits(x.Lanes, axis)
	var prefix [][]value.Value
	var hasPrefix value.Value = constant.False
	if len(lb) > 0 {
		laneMask := 0
		for _, b := range lb {
			laneMask |= 1 << b
		}
		didx := lw.compress(lw.lane, lb)
		spread := func(i value.Value) value.Value { // a lane with index i along the axis
			var acc value.Value = lw.cur.NewAnd(lw.lane, i32(int64(^laneMask)))
			for j, b := range lb {
				bit := lw.cur.NewAnd(lw.cur.NewLShr(i, i32(int64(j))), i32(1))
				acc = lw.cur.NewOr(acc, lw.cur.NewShl(bit, i32(int64(b))))
			}
			return acc
		}
		incl := totals
		for s := 0; s < len(lb); s++ {
			src := spread(lw.cur.NewSub(didx, i32(1<<s)))
			ok := lw.cur.NewICmp(enum.IPredSGE, didx, i32(1<<s))
			for gi := range incl {
				other := make([]value.Value, n)
				for i, v := range incl[gi] {
					other[i] = lw.shuffle(v, 0, src)
				}
				incl[gi] = lw.selectAll(ok, lw.combine(op, other, incl[gi]), incl[gi])
			}
		}
		src := spread(lw.cur.NewSub(didx, i32(1)))
		hasPrefix = lw.cur.NewICmp(enum.IPredSGT, didx, i32(0))
		prefix = make([][]value.Value, len(incl))
		for gi := range incl {
			prefix[gi] = make([]value.Value, n)
			for i, v := range incl[gi] {
				prefix[gi][i] = lw.shuffle(v, 0, src)
			}
		}
		totals = incl // now each lane's inclusive total over its warp's lanes
	}
	// 3. Warps: every warp publishes its total (from its last lane along the
	// axis); each thread folds the totals of the warps before it.
	if wb := axisBits(x.Warps, axis); len(wb) > 0 {
		res := x.Slice(axis)
		elems := 1
		for _, s := range res.Shape {
			elems *= s
		}
		nw := 1 << len(wb)
		esz := slotBytes(op)
		base := lw.scratch(op)
		widx := lw.compress(lw.warp, wb)
		laneMask := 0
		for _, b := range lb {
			laneMask |= 1 << b
		}
		// Writers: the last lane along the axis, not a copy elsewhere.
		var writer value.Value = lw.cur.NewICmp(enum.IPredEQ, lw.cur.NewAnd(lw.lane, i32(int64(laneMask))), i32(int64(laneMask)))
		if m := x.LaneBroadcast(); m != 0 {
			writer = lw.cur.NewAnd(writer, lw.cur.NewICmp(enum.IPredEQ, lw.cur.NewAnd(lw.lane, i32(int64(m))), i32(0)))
		}
		if m := x.WarpBroadcast(); m != 0 {
			writer = lw.cur.NewAnd(writer, lw.cur.NewICmp(enum.IPredEQ, lw.cur.NewAnd(lw.warp, i32(int64(m))), i32(0)))
		}
		slot := func(i int, w value.Value, gi int) value.Value {
			s := lw.cur.NewAdd(lw.cur.NewMul(w, i32(int64(elems))), lw.flat(res, gi))
			return lw.cur.NewAdd(s, i32(int64(i*nw*elems)))
		}
		lw.barrier()
		lw.ifThen(writer, func() {
			for gi := range totals {
				if !canonicalReg(res, gi) {
					continue
				}
				for i, v := range totals[gi] {
					t := op.Args[i].Type.ScalarType()
					lw.cur.NewStore(lw.toMem(v, t), lw.sharedAt(base, slot(i, widx, gi), esz, memLLVMType(t)))
				}
			}
		})
		lw.barrier()
		hasWarp := lw.cur.NewICmp(enum.IPredSGT, widx, i32(0))
		if prefix == nil {
			prefix = make([][]value.Value, len(totals))
		}
		for gi := range totals {
			var wp []value.Value // the fold of the totals of the warps before this one
			for w := 0; w < nw-1; w++ {
				vals := make([]value.Value, n)
				for i := range vals {
					t := op.Args[i].Type.ScalarType()
					p := lw.sharedAt(base, slot(i, i32(int64(w)), gi), esz, memLLVMType(t))
					vals[i] = lw.fromMem(lw.cur.NewLoad(memLLVMType(t), p), t)
				}
				if wp == nil {
					wp = vals
				} else {
					before := lw.cur.NewICmp(enum.IPredSLT, i32(int64(w)), widx)
					wp = lw.selectAll(before, lw.combine(op, wp, vals), wp)
				}
			}
			if prefix[gi] == nil {
				prefix[gi] = wp
			} else {
				// The warp prefix comes before the lane prefix.
				withLane := lw.selectAll(hasPrefix, lw.combine(op, wp, prefix[gi]), wp)
				prefix[gi] = lw.selectAll(hasWarp, withLane, prefix[gi])
			}
		}
		hasPrefix = lw.cur.NewOr(hasPrefix, hasWarp)
	}
	// 4. Fold each thread's prefix into its registers.
	if prefix != nil {
		for gi, g := range groups {
			for _, r := range g {
				set(r, lw.selectAll(hasPrefix, lw.combine(op, prefix[gi], at(r)), at(r)))
			}
		}
	}
	for i, r := range op.Results {
		lw.set(r, outs[i]...)
	}
	return nil
}
