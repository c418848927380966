package codegen

import (
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/codegen/layout"
	"github.com/tilec/tilec/ir"
)

// Software pipelining of loop loads (num_stages = S ≥ 2). A block load in
// the body of an innermost for loop is pipelined when its block pointer is
// loop-carried and advanced by a loop-invariant amount every iteration,
// and its value only feeds mma operands. Such a load never passes through
// registers: cp.async copies its tile from global memory straight into a
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

// pipeLoad is one pipelined block load.
type pipeLoad struct {
	op     *ir.Op
	loop   *pipeLoop
	arg    int            // its block pointer is the loop's carried value arg
	deltas []*ir.Value    // the advance per iteration, per dim
	src    *layout.Linear // the load's coalesced layout: which thread copies which chunk
	dst    *layout.Linear // the mma operand layout its users read
	sw     swizzle
	offset int // shared-memory offset of slot 0
	bytes  int // bytes per slot
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
	if x.Code != ir.OpBlockLoad {
		return nil
	}
	body := loop.Regions[0]
	bpv := x.Args[0]
	arg := -1
	for i, a := range body.Args[1:] {
		if a == bpv {
			arg = i
		}
	}
	if arg < 0 {
		return nil
	}
	adv := body.Terminator().Args[arg].Def
	if adv == nil || adv.Code != ir.OpAdvance || adv.Args[0] != bpv {
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
	at := lw.blockAccess(bp, ld.src, ld.op.Ints("boundary_check"))
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
	it := iv
	if n > 0 {
		it = lw.cur.NewAdd(iv, lw.cur.NewMul(step, constant.NewInt(iv.Type().(*types.IntType), int64(n))))
	}
	return lw.cur.NewICmp(enum.IPredSLT, it, ub)
}

// pipePrologue copies the first S−1 iterations' tiles, one group each,
// after a barrier: scratch uses before the loop may overlap the slots.
func (lw *lowering) pipePrologue(loop *ir.Op, pl *pipeLoop, lb, ub, step value.Value) {
	lw.barrier()
	lw.pipeLive = true
	for s := 0; s < pl.stages-1; s++ {
		runs := lw.iterAt(lb, ub, step, s)
		for _, ld := range pl.loads {
			bp := lw.advanceBy(lw.bptrs[loop.Args[3+ld.arg]], ld.deltas, s)
			lw.pipeCopy(ld, bp, lw.slotBase(ld, i32(int64(s))), runs)
		}
		lw.asyncCommit()
	}
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
		bp := lw.advanceBy(lw.bptrs[body.Args[1+ld.arg]], ld.deltas, S-1)
		lw.pipeCopy(ld, bp, lw.slotBase(ld, write), runs)
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
