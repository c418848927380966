package codegen

import (
	"math"
	"sort"

	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/codegen/layout"
	"github.com/tilec/tilec/ir"
)

// Software pipelining of loop loads (num_stages = S ≥ 2). A load in the
// body of an innermost for loop, through a block pointer or a pointer
// tile, is pipelined when the loop carries its pointer and advances it by
// a loop-invariant amount every iteration, and its value only feeds mma
// operands. Such a load never passes through registers: cp.async copies its tile from global memory straight into a
// swizzled shared tile (the one ldmatrix reads, see ldmatrix.go), S − 1
// iterations ahead, in a ring of S tiles ("slots"):
//
//	prologue:  for s in 0 … S−2: copy iteration s's tiles into slot s; commit
//	body top:  wait until at most S−2 groups are in flight (iteration i's
//	           tiles have landed); barrier (every thread's copies have
//	           landed, and every thread is done reading slot (i−1) mod S);
//	           copy iteration i+S−1's tiles into slot (i+S−1) mod S; commit
//	the load:  ldmatrix from slot i mod S
//	exit:      wait for everything; barrier (the slots are free again)
//
// Copies of iterations past the loop's end are predicated off; a 16-byte
// chunk outside the tensor (boundary_check) is copied with source size 0,
// which reads nothing and zero-fills, as the load's "zero" padding says.
// Every loop's slots start at the same offset of the shared buffer (after
// the resident tiles, planResidents): only innermost loops are pipelined,
// so no two of them run at once. Scratch uses (conversions, reductions)
// outside pipelined loops reuse the slots' memory; inside one they come
// after the slots.

// pipeLoop is one pipelined loop.
type pipeLoop struct {
	stages int
	loads  []*pipeLoad
	slot   value.Value // the slot the current iteration reads (a phi), while lowering
}

// pipeLoad is one load copied into shared memory: pipelined in a loop, or
// resident (loop nil).
type pipeLoad struct {
	op     *ir.Op
	loop   *pipeLoop
	arg    int            // its pointer is the loop's carried value arg
	deltas []*ir.Value    // a block pointer's advance per iteration, per dim
	src    *layout.Linear // the load's coalesced layout: which thread copies which chunk
	dst    *layout.Linear // the mma operand layout its users read
	sw     swizzle
	offset int // shared-memory offset of slot 0
	bytes  int // bytes per slot

	// A load through a pointer tile (ir.OpLoad) rather than a block
	// pointer: the tile advances by delta each iteration; mask (nil: none)
	// depends on the induction variable and on values from outside the
	// loop. The body's ops they are computed from (deltaCone, maskCone)
	// are lowered again for the iterations copied ahead.
	delta, mask         *ir.Value
	deltaCone, maskCone []*ir.Op
	deltaRegs           []value.Value // delta in the load's layout, while lowering
}

// planPipelines picks the pipelined loops and loads and lays out their
// slots.
func (lw *lowering) planPipelines() {
	lw.pipes, lw.pipeLoads, lw.residents = map[*ir.Op]*pipeLoop{}, map[*ir.Op]*pipeLoad{}, map[*ir.Op]*pipeLoad{}
	lw.lazyFrags = map[*ir.Value]*lazyFrag{}
	S := lw.f.NumStages
	if S < 2 || !lw.a.mma || lw.axes == nil {
		return
	}
	uses := map[*ir.Value][]*ir.Op{}
	lw.f.Walk(func(op *ir.Op) {
		for _, a := range op.Args {
			uses[a] = append(uses[a], op)
		}
	})
	lw.f.Walk(func(op *ir.Op) {
		if op.Code != ir.OpFor || hasLoop(op.Regions[0]) {
			return
		}
		pl := &pipeLoop{stages: S}
		off := 0
		inside := definedIn(op.Regions[0])
		for _, x := range op.Regions[0].Ops {
			ld := lw.pipelinable(op, x, uses, inside)
			if ld == nil {
				continue
			}
			ld.loop, ld.offset = pl, off
			off += S * ld.bytes
			pl.loads = append(pl.loads, ld)
			lw.pipeLoads[x] = ld
		}
		if len(pl.loads) > 0 {
			lw.pipes[op] = pl
			lw.pipeBytes = max(lw.pipeBytes, off)
		}
	})
	// Resident tiles first, for the whole kernel; then the stage slots.
	lw.planResidents(uses)
	for _, ld := range lw.pipeLoads {
		ld.offset += lw.residentBytes
	}
	lw.pipeBytes += lw.residentBytes
	lw.smemBytes = lw.pipeBytes
}

// pipelinable returns x as a pipelined load of loop, or nil.
func (lw *lowering) pipelinable(loop, x *ir.Op, uses map[*ir.Value][]*ir.Op, inside map[*ir.Value]bool) *pipeLoad {
	if x.Code == ir.OpLoad {
		return lw.pipelinablePtrLoad(loop, x, uses)
	}
	if x.Code != ir.OpBlockLoad {
		return nil
	}
	arg, adv := carriedStep(loop.Regions[0], x.Args[0], ir.OpAdvance)
	if adv == nil {
		return nil
	}
	for _, d := range adv.Args[1:] {
		if inside[d] && d.Def.Code != ir.OpConstant {
			return nil
		}
	}
	ld := lw.sharedOperand(x, uses)
	if ld != nil {
		ld.arg, ld.deltas = arg, adv.Args[1:]
	}
	return ld
}

// carriedStep finds v among the loop body's carried values and returns its
// index and the op (of kind code, applied to v itself) that gives its next
// iteration's value, or nil.
func carriedStep(body *ir.Block, v *ir.Value, code ir.Opcode) (int, *ir.Op) {
	for i, a := range body.Args[1:] {
		if a != v {
			continue
		}
		if next := body.Terminator().Args[i].Def; next != nil && next.Code == code && next.Args[0] == v {
			return i, next
		}
		return -1, nil
	}
	return -1, nil
}

// pipelinablePtrLoad returns x, a load through a loop-carried pointer tile
// advanced by a loop-invariant offset each iteration, as a pipelined load,
// or nil.
func (lw *lowering) pipelinablePtrLoad(loop, x *ir.Op, uses map[*ir.Value][]*ir.Op) *pipeLoad {
	body := loop.Regions[0]
	v, ptr := x.Results[0], x.Args[0]
	if !v.Type.IsTile() || !ptr.Type.IsTile() {
		return nil
	}
	arg, adv := carriedStep(body, ptr, ir.OpAddPtr)
	if adv == nil {
		return nil
	}
	// A chunk outside the mask is zero-filled: the padding must be zero.
	if len(x.Args) > 2 && !isZeroConst(x.Args[2]) {
		return nil
	}
	deltaCone, ok := coneIn(body, adv.Args[1], nil)
	if !ok {
		return nil
	}
	var mask *ir.Value
	var maskCone []*ir.Op
	if len(x.Args) > 1 {
		mask = x.Args[1]
		if maskCone, ok = coneIn(body, mask, body.Args[0]); !ok {
			return nil
		}
	}
	t := v.Type
	if t.Elem.Size() != 2 || t.Shape.Rank != 2 {
		return nil
	}
	for _, u := range uses[v] {
		if u.Code != ir.OpDot || u.Args[2] == v {
			return nil
		}
	}
	src, needs := lw.a.primary[v], lw.a.needs[v]
	if src == nil || len(needs) != 1 || !canLdmatrix(src, needs[0], t) {
		return nil
	}
	// The carried pointer tile in the load's layout: then the load, the
	// advance and the mask all have their values in it.
	if lw.a.primary[ptr] != src {
		return nil
	}
	sw, vec := fragmentSwizzle(src, needs[0])
	if vec != 8 || lw.vecPtrs(src, ptr, mask, 2) != 8 {
		return nil
	}
	shape := shapeOf(t)
	return &pipeLoad{op: x, arg: arg, src: src, dst: needs[0], sw: sw, bytes: shape[0] * shape[1] * 2,
		delta: adv.Args[1], mask: mask, deltaCone: deltaCone, maskCone: maskCone}
}

// coneIn lists, in program order, the ops of b's top level that v is
// computed from, and reports whether they can be lowered again anywhere:
// no memory access or other effect, no region, and no argument of b but
// iv (nil: none).
func coneIn(b *ir.Block, v *ir.Value, iv *ir.Value) ([]*ir.Op, bool) {
	top := map[*ir.Op]int{}
	for i, op := range b.Ops {
		top[op] = i
	}
	args := map[*ir.Value]bool{}
	for _, a := range b.Args {
		args[a] = a != iv
	}
	inner := definedIn(b)
	in := map[*ir.Op]bool{}
	ok := true
	var visit func(v *ir.Value)
	visit = func(v *ir.Value) {
		if args[v] {
			ok = false
			return
		}
		op := v.Def
		if op == nil || in[op] {
			return
		}
		if _, mine := top[op]; !mine {
			if inner[v] {
				ok = false // defined in a region of the body
			}
			return // defined before the loop
		}
		info := op.Info()
		if info.Effects || info.ReadsMemory || len(op.Regions) > 0 || op.Code == ir.OpDot || op.Code == ir.OpReduce || op.Code == ir.OpScan {
			ok = false
			return
		}
		in[op] = true
		for _, a := range op.Args {
			visit(a)
		}
	}
	visit(v)
	cone := make([]*ir.Op, 0, len(in))
	for op := range in {
		cone = append(cone, op)
	}
	sort.Slice(cone, func(i, j int) bool { return top[cone[i]] < top[cone[j]] })
	return cone, ok
}

// isZeroConst reports a constant zero (scalar or splat).
func isZeroConst(v *ir.Value) bool {
	op := v.Def
	for op != nil && op.Code == ir.OpSplat {
		op = op.Args[0].Def
	}
	if op == nil || op.Code != ir.OpConstant {
		return false
	}
	n := op.NumAttr("value")
	return n.I == 0 && n.F == 0 && !math.Signbit(n.F)
}

// sharedOperand returns block load x as a copy into shared memory, or nil:
// its value must only feed mma operands (read with ldmatrix), and its
// 16-byte chunks must be legal cp.async copies.
func (lw *lowering) sharedOperand(x *ir.Op, uses map[*ir.Value][]*ir.Op) *pipeLoad {
	if x.Code != ir.OpBlockLoad || x.Str("padding") == "nan" {
		return nil
	}
	v := x.Results[0]
	t := v.Type
	if t.Elem.Size() != 2 || t.Shape.Rank != 2 {
		return nil
	}
	for _, u := range uses[v] {
		if u.Code != ir.OpDot || u.Args[2] == v {
			return nil
		}
	}
	src, needs := lw.a.primary[v], lw.a.needs[v]
	if src == nil || len(needs) != 1 || !canLdmatrix(src, needs[0], t) {
		return nil
	}
	sw, vec := fragmentSwizzle(src, needs[0])
	if vec != 8 || lw.vecBlock(src, x.Args[0], x.Ints("boundary_check"), 2) != 8 {
		return nil
	}
	shape := shapeOf(t)
	return &pipeLoad{op: x, src: src, dst: needs[0], sw: sw, bytes: shape[0] * shape[1] * 2}
}

// planResidents picks the block loads of the kernel's top level whose
// value only feeds mma operands inside pipelined loops (FlashAttention's
// Q): they are copied once into shared memory, at the start of the
// buffer, and the loops read their fragments by k-steps like the
// pipelined operands, instead of holding them in registers throughout.
// The wait and barrier at the top of each pipelined iteration cover the
// copy.
func (lw *lowering) planResidents(uses map[*ir.Value][]*ir.Op) {
	inLoop := map[*ir.Op]bool{}
	for loop := range lw.pipes {
		for _, op := range loop.Regions[0].Ops {
			inLoop[op] = true
		}
	}
	for _, x := range lw.f.Body.Ops {
		ld := lw.sharedOperand(x, uses)
		if ld == nil {
			continue
		}
		for _, u := range uses[x.Results[0]] {
			if !inLoop[u] {
				ld = nil
				break
			}
		}
		if ld == nil {
			continue
		}
		ld.offset = lw.residentBytes
		lw.residentBytes += ld.bytes
		lw.residents[x] = ld
	}
}

// lowerResident starts the copy of a resident load's tile and notes where
// its fragments are.
func (lw *lowering) lowerResident(ld *pipeLoad) {
	base := lw.shared32(ld.offset)
	lw.pipeCopy(ld, lw.bptrs[ld.op.Args[0]], base, nil)
	lw.asyncCommit()
	lw.lazyFrags[ld.op.Results[0]] = &lazyFrag{base: base, sw: ld.sw, l: ld.dst, d: ld.op.Results[0].Type.Elem}
}

// hasLoop reports whether b holds a loop at any depth.
func hasLoop(b *ir.Block) bool {
	found := false
	b.Walk(func(op *ir.Op) { found = found || op.Code == ir.OpFor || op.Code == ir.OpWhile })
	return found
}

// definedIn is the set of values defined in b: its ops' results and the
// arguments of b and of its nested regions.
func definedIn(b *ir.Block) map[*ir.Value]bool {
	in := map[*ir.Value]bool{}
	for _, a := range b.Args {
		in[a] = true
	}
	b.Walk(func(op *ir.Op) {
		for _, r := range op.Results {
			in[r] = true
		}
		for _, rg := range op.Regions {
			for _, a := range rg.Args {
				in[a] = true
			}
		}
	})
	return in
}

// invariant is a loop-invariant scalar as i64: a constant (which may sit
// inside the loop body, not yet lowered) or a value lowered before the loop.
func (lw *lowering) invariant(v *ir.Value) value.Value {
	if v.Def != nil && v.Def.Code == ir.OpConstant {
		return constOf(ir.I64, v.Def.NumAttr("value"))
	}
	return lw.toI64(lw.scalar(v))
}

// advanceBy is bp advanced n times by deltas.
func (lw *lowering) advanceBy(bp *blockPtr, deltas []*ir.Value, n int) *blockPtr {
	out := *bp
	out.offsets = append([]value.Value(nil), bp.offsets...)
	if n == 0 {
		return &out
	}
	for d := range out.offsets {
		step := lw.invariant(deltas[d])
		if c, ok := step.(*constant.Int); ok && c.X.Sign() == 0 {
			continue
		}
		out.offsets[d] = lw.cur.NewAdd(out.offsets[d], lw.cur.NewMul(step, i64(int64(n))))
	}
	return &out
}

// slotBase is the shared-memory address (32 bits) of load ld's tile in
// slot (an i32).
func (lw *lowering) slotBase(ld *pipeLoad, slot value.Value) value.Value {
	return lw.cur.NewAdd(lw.shared32(ld.offset), lw.mulConst(slot, ld.bytes))
}

// pipeCopy starts the cp.async copies of ld's tile at bp into the tile at
// base (a 32-bit shared address), in the threads where pred holds: each
// thread copies the 16-byte chunks its registers would hold in the load's
// coalesced layout.
func (lw *lowering) pipeCopy(ld *pipeLoad, bp *blockPtr, base, pred value.Value) {
	lw.copyChunks(ld, lw.blockAccess(bp, ld.src, ld.op.Ints("boundary_check")), base, pred)
}

// copyChunks issues the cp.async copies of ld's tile, whose chunks' global
// addresses and masks at gives, into the tile at base.
func (lw *lowering) copyChunks(ld *pipeLoad, at func(reg int) (value.Value, value.Value), base, pred value.Value) {
	pred = and(lw, pred, lw.owner(ld.src))
	const text = "cp.async.cg.shared.global [$0], [$1], 16, $2;"
	plain := asm(types.Void, text, "r,l,r,~{memory}", true, types.I32, types.I64, types.I32)
	guarded := asm(types.Void, "@$3 "+text, "r,l,r,b,~{memory}", true, types.I32, types.I64, types.I32, types.I1)
	for r0 := 0; r0 < ld.src.NumRegs(); r0 += 8 {
		if !canonicalReg(ld.src, r0) {
			continue
		}
		ptr, mask := at(r0)
		// The chunk's place in the tile depends on the thread alone: once,
		// in the entry block.
		var off value.Value
		lw.inEntry(func() {
			off = lw.swizzled(ld.sw, lw.coord(ld.src, r0, ld.sw.slow), lw.coord(ld.src, r0, ld.sw.fast))
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

func (lw *lowering) asyncCommit() {
	lw.cur.NewCall(lw.x.get("llvm.nvvm.cp.async.commit.group", types.Void))
}

// iterAt is the induction variable n iterations after iv, and whether that
// iteration runs (it is below ub).
func (lw *lowering) iterAt(iv, ub, step value.Value, n int) value.Value {
	return lw.cur.NewICmp(enum.IPredSLT, lw.ivAt(iv, step, n), ub)
}

// pipePrologue copies the first S−1 iterations' tiles, one group each,
// after a barrier: scratch uses before the loop may overlap the slots.
func (lw *lowering) pipePrologue(loop *ir.Op, pl *pipeLoop, lb, ub, step value.Value) {
	lw.barrier()
	lw.pipeLive = true
	body := loop.Regions[0]
	for _, ld := range pl.loads {
		if ld.delta != nil { // the pointer tile's advance, once for the loop
			ld.deltaRegs = lw.evalCone(ld.deltaCone, ld.delta, ld.src, nil, nil)
		}
	}
	for s := 0; s < pl.stages-1; s++ {
		runs := lw.iterAt(lb, ub, step, s)
		for _, ld := range pl.loads {
			base := lw.slotBase(ld, i32(int64(s)))
			if ld.delta != nil {
				at := lw.ptrChunks(ld, lw.regsIn(loop.Args[3+ld.arg], ld.src), s, body.Args[0], lw.ivAt(lb, step, s))
				lw.copyChunks(ld, at, base, runs)
				continue
			}
			bp := lw.advanceBy(lw.bptrs[loop.Args[3+ld.arg]], ld.deltas, s)
			lw.pipeCopy(ld, bp, base, runs)
		}
		lw.asyncCommit()
	}
}

// ivAt is the induction variable n iterations after iv.
func (lw *lowering) ivAt(iv, step value.Value, n int) value.Value {
	if n == 0 {
		return iv
	}
	return lw.cur.NewAdd(iv, lw.cur.NewMul(step, constant.NewInt(iv.Type().(*types.IntType), int64(n))))
}

// ptrChunks gives a pointer load's chunk addresses n iterations after the
// one whose pointer tile is ptrs, and their masks, computed with the
// induction variable bound to ivVal.
func (lw *lowering) ptrChunks(ld *pipeLoad, ptrs []value.Value, n int, iv *ir.Value, ivVal value.Value) func(reg int) (value.Value, value.Value) {
	var masks []value.Value
	if ld.mask != nil {
		masks = lw.evalCone(ld.maskCone, ld.mask, ld.src, iv, ivVal)
	}
	elem := memType(ld.op.Results[0].Type.Elem)
	return func(reg int) (value.Value, value.Value) {
		p := ptrs[reg]
		if n != 0 {
			d := ld.deltaRegs[reg]
			p = lw.cur.NewGetElementPtr(elem, p, lw.cur.NewMul(d, constant.NewInt(d.Type().(*types.IntType), int64(n))))
		}
		var m value.Value
		if masks != nil {
			m = masks[reg]
		}
		return p, m
	}
}

// regsIn is v's registers in layout l, converted from its primary layout
// when no use needed them in l.
func (lw *lowering) regsIn(v *ir.Value, l *layout.Linear) []value.Value {
	if rs, ok := lw.regs[regKey{v, lw.a.canon(l)}]; ok {
		return rs
	}
	src := lw.a.primary[v]
	return lw.convert(lw.tile(v, src), src, l, v.Type)
}

// evalCone computes v in layout l by lowering the ops it is computed from
// (cone) again, with the induction variable iv (nil: none) bound to
// ivVal: v's value in another iteration. The lowering's state is left as
// it was.
func (lw *lowering) evalCone(cone []*ir.Op, v *ir.Value, l *layout.Linear, iv *ir.Value, ivVal value.Value) []value.Value {
	results := map[*ir.Value]bool{}
	for _, op := range cone {
		for _, r := range op.Results {
			results[r] = true
		}
	}
	savedRegs := map[regKey][]value.Value{}
	for k, rs := range lw.regs {
		if results[k.v] {
			savedRegs[k] = rs
		}
	}
	savedScalars := map[*ir.Value]value.Value{}
	for r := range results {
		if s, ok := lw.scalars[r]; ok {
			savedScalars[r] = s
		}
	}
	var savedIV value.Value
	if iv != nil {
		savedIV = lw.scalars[iv]
		lw.scalars[iv] = ivVal
	}
	for _, op := range cone {
		if err := lw.op(op); err != nil {
			panic(err)
		}
	}
	out := lw.operandRegs(v, l)
	for k := range lw.regs {
		if results[k.v] {
			delete(lw.regs, k)
		}
	}
	for k, rs := range savedRegs {
		lw.regs[k] = rs
	}
	for r := range results {
		delete(lw.scalars, r)
	}
	for r, s := range savedScalars {
		lw.scalars[r] = s
	}
	if iv != nil {
		lw.scalars[iv] = savedIV
	}
	return out
}

// pipeNext, at the top of the body, waits for this iteration's tiles and
// starts the copies of iteration i+S−1 into the slot iteration i−1 read.
func (lw *lowering) pipeNext(body *ir.Block, pl *pipeLoop, iv, ub, step value.Value) {
	S := pl.stages
	lw.cur.NewCall(lw.x.get("llvm.nvvm.cp.async.wait.group", types.Void, types.I32), i32(int64(S-2)))
	lw.barrier()
	runs := lw.iterAt(iv, ub, step, S-1)
	first := lw.cur.NewICmp(enum.IPredEQ, pl.slot, i32(0))
	write := lw.cur.NewSelect(first, i32(int64(S-1)), lw.cur.NewSub(pl.slot, i32(1)))
	for _, ld := range pl.loads {
		base := lw.slotBase(ld, write)
		if ld.delta != nil {
			at := lw.ptrChunks(ld, lw.regsIn(body.Args[1+ld.arg], ld.src), S-1, body.Args[0], lw.ivAt(iv, step, S-1))
			lw.copyChunks(ld, at, base, runs)
			continue
		}
		bp := lw.advanceBy(lw.bptrs[body.Args[1+ld.arg]], ld.deltas, S-1)
		lw.pipeCopy(ld, bp, base, runs)
	}
	lw.asyncCommit()
}

// nextSlot is the slot the next iteration reads.
func (lw *lowering) nextSlot(pl *pipeLoop) value.Value {
	last := lw.cur.NewICmp(enum.IPredEQ, pl.slot, i32(int64(pl.stages-1)))
	return lw.cur.NewSelect(last, i32(0), lw.cur.NewAdd(pl.slot, i32(1)))
}

// pipeDrain, after the loop, waits for every group (the copies past the
// end were predicated off, so this is cheap) and frees the slots for the
// next loop.
func (lw *lowering) pipeDrain() {
	lw.cur.NewCall(lw.x.get("llvm.nvvm.cp.async.wait.all", types.Void))
	lw.barrier()
	lw.pipeLive = false
}

// lowerPipelined notes where a pipelined load's tile is (this iteration's
// slot): the dots that use it read their fragments with ldmatrix one
// k-step at a time, right before that step's mma instructions, so that
// only one step's fragments are live (lazyFrag).
func (lw *lowering) lowerPipelined(ld *pipeLoad) {
	lw.lazyFrags[ld.op.Results[0]] = &lazyFrag{base: lw.slotBase(ld, ld.loop.slot), sw: ld.sw, l: ld.dst, d: ld.op.Results[0].Type.Elem}
}

// lazyFrag is an mma operand in a swizzled shared tile, read by k-steps.
type lazyFrag struct {
	base value.Value
	sw   swizzle
	l    *layout.Linear
	d    ir.DType
}
