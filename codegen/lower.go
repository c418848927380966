package codegen

import (
	"fmt"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/metadata"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/codegen/layout"
	"github.com/tilec/tilec/ir"
)

// lowering emits one kernel's LLVM IR. A tile value in layout L is
// L.NumRegs() LLVM values per thread (registers); a scalar is one LLVM
// value, the same in every thread; a block pointer is its scalar parts.
type lowering struct {
	f       *ir.Func
	a       *assignment
	opts    Options
	m       *llir.Module
	fn      *llir.Func
	x       *intrinsics
	entry   *llir.Block // thread ids and per-layout thread coordinates
	cur     *llir.Block
	nblocks int

	regs    map[regKey][]value.Value
	scalars map[*ir.Value]value.Value
	bptrs   map[*ir.Value]*blockPtr

	tid, lane, warp value.Value
	coords          map[coordKey]value.Value

	smem      *llir.Global // dynamic shared memory: stage buffers, then scratch
	smemBytes int

	// Software pipelining (pipeline.go): the loops whose loads are
	// pipelined, those loads, and the bytes their stage buffers take.
	pipes     map[*ir.Op]*pipeLoop
	pipeLoads map[*ir.Op]*pipeLoad
	pipeBytes int // resident tiles and the largest loop's slots
	// residents are loads kept in shared memory for the whole kernel
	// (planResidents), at offsets below residentBytes.
	residents     map[*ir.Op]*pipeLoad
	residentBytes int
	pipeLive      bool // lowering a pipelined loop: its slots hold data

	ldmOffsets map[ldmatrixKey]value.Value // per-thread ldmatrix offsets, in the entry block
	lazyFrags  map[*ir.Value]*lazyFrag     // pipelined mma operands, read by k-steps

	axes *axisAnalysis
}

type regKey struct {
	v *ir.Value
	l *layout.Linear
}

type coordKey struct {
	l *layout.Linear
	d int
}

// blockPtr is a lowered block pointer: a base and, per dim, the tensor's
// size, stride and the block's offset (i64).
type blockPtr struct {
	base                    value.Value
	shape, strides, offsets []value.Value
	elem                    ir.DType
	block                   []int
}

// errorAt wraps an error with the op's position.
func errorAt(op *ir.Op, format string, args ...any) error {
	return &ir.Error{Pos: op.Pos, Op: op.Name(), Msg: fmt.Sprintf(format, args...)}
}

func (lw *lowering) newBlock(name string) *llir.Block {
	lw.nblocks++
	return lw.fn.NewBlock(fmt.Sprintf("%s%d", name, lw.nblocks))
}

// inEntry emits what emit builds in the entry block: values that depend on
// the thread alone, computed once and available everywhere.
func (lw *lowering) inEntry(emit func()) {
	cur := lw.cur
	lw.cur = lw.entry
	emit()
	lw.cur = cur
}

// tile returns v's registers in layout l, which assignment guaranteed.
func (lw *lowering) tile(v *ir.Value, l *layout.Linear) []value.Value {
	rs, ok := lw.regs[regKey{v, lw.a.canon(l)}]
	if !ok {
		panic(fmt.Sprintf("codegen: %s (%s) is not available in layout %s", v.Type, defName(v), l))
	}
	return rs
}

func defName(v *ir.Value) string {
	if v.Def == nil {
		return "argument"
	}
	return v.Def.Name() + " at " + v.Def.Pos.String()
}

func (lw *lowering) setTile(v *ir.Value, l *layout.Linear, rs []value.Value) {
	lw.regs[regKey{v, lw.a.canon(l)}] = rs
}

func (lw *lowering) scalar(v *ir.Value) value.Value {
	s, ok := lw.scalars[v]
	if !ok {
		panic(fmt.Sprintf("codegen: scalar %s (%s) was not lowered", v.Type, defName(v)))
	}
	return s
}

// run emits the kernel.
func (lw *lowering) run() error {
	var params []*llir.Param
	for _, p := range lw.f.Params {
		params = append(params, llir.NewParam(p.Name, valueType(p.Type)))
	}
	lw.fn = lw.m.NewFunc(lw.f.Name, types.Void, params...)
	for i, p := range lw.f.Params {
		lw.scalars[p] = lw.fn.Params[i]
	}
	lw.entry = lw.fn.NewBlock("entry")
	x := lw.x
	lw.tid = lw.entry.NewCall(x.get("llvm.nvvm.read.ptx.sreg.tid.x", types.I32))
	lw.lane = lw.entry.NewAnd(lw.tid, i32(layout.WarpSize-1))
	lw.warp = lw.entry.NewLShr(lw.tid, i32(layout.LaneBits))
	body := lw.newBlock("body")
	lw.cur = body
	lw.planPipelines()
	if err := lw.block(lw.f.Body); err != nil {
		return err
	}
	lw.cur.NewRet(nil)
	lw.entry.NewBr(body)
	lw.annotate()
	return nil
}

// annotate marks the function as a kernel with its exact block size.
func (lw *lowering) annotate() {
	threads := int64(layout.WarpSize * lw.f.NumWarps)
	kernel := &metadata.Tuple{MetadataID: -1, Fields: []metadata.Field{lw.fn, &metadata.String{Value: "kernel"}, i32(1)}}
	ntid := &metadata.Tuple{MetadataID: -1, Fields: []metadata.Field{lw.fn, &metadata.String{Value: "reqntidx"}, i32(threads)}}
	lw.m.NamedMetadataDefs["nvvm.annotations"] = &metadata.NamedDef{Name: "nvvm.annotations", Nodes: []metadata.Node{kernel, ntid}}
	lw.m.MetadataDefs = append(lw.m.MetadataDefs, kernel, ntid)
}

func (lw *lowering) block(b *ir.Block) error {
	for _, op := range b.Ops {
		if op.Info().Terminator {
			continue // the parent op reads its operands
		}
		if err := lw.op(op); err != nil {
			return err
		}
	}
	return nil
}

// op lowers one op: its results in every layout they are needed in.
func (lw *lowering) op(op *ir.Op) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errorAt(op, "codegen: %v", r)
		}
	}()
	switch op.Code {
	case ir.OpFor:
		return lw.lowerFor(op)
	case ir.OpIf:
		return lw.lowerIf(op)
	case ir.OpWhile:
		return lw.lowerWhile(op)
	}
	if ld := lw.pipeLoads[op]; ld != nil {
		lw.lowerPipelined(ld)
		return nil
	}
	if ld := lw.residents[op]; ld != nil {
		lw.lowerResident(ld)
		return nil
	}
	rule := lowerTable[op.Code]
	if rule == nil {
		if op.Info().Elem == nil {
			return errorAt(op, "codegen does not lower %s", op.Name())
		}
		rule = lowerElementwise
	}
	if len(op.Results) == 0 || !isTile(op.Results[0]) {
		outs, err := rule(lw, op, nil)
		if err != nil {
			return err
		}
		for i, r := range op.Results {
			if r.Type.Kind == ir.KindBlockPtr {
				continue // set by the rule
			}
			lw.scalars[r] = outs[i][0]
		}
		return nil
	}
	if lw.a.poly[op.Results[0]] {
		for _, l := range lw.a.needs[op.Results[0]] {
			outs, err := rule(lw, op, l)
			if err != nil {
				return err
			}
			lw.setTile(op.Results[0], l, outs[0])
		}
		return nil
	}
	prim := lw.a.primary[op.Results[0]]
	outs, err := rule(lw, op, prim)
	if err != nil {
		return err
	}
	for i, r := range op.Results {
		lw.setTile(r, lw.a.primary[r], outs[i])
		lw.convertNeeds(r)
	}
	return nil
}

// convertNeeds makes an anchored value available in every other layout its
// users need.
func (lw *lowering) convertNeeds(v *ir.Value) {
	if !isTile(v) {
		return
	}
	src := lw.a.primary[v]
	for _, l := range lw.a.needs[v] {
		lw.setTile(v, l, lw.convert(lw.tile(v, src), src, l, v.Type))
	}
}

// lowerRule computes an op's results in layout l (nil for ops without tile
// results), one register slice per result.
type lowerRule func(lw *lowering, op *ir.Op, l *layout.Linear) ([][]value.Value, error)

// lowerTable holds the rules of the ops that are not elementwise (those use
// lowerElementwise and the scalar table) and not control flow (op handles
// those). A test checks every opcode is covered.
var lowerTable [ir.NumOpcodes]lowerRule

func init() {
	lowerTable = [ir.NumOpcodes]lowerRule{
		ir.OpConstant:     lowerConstant,
		ir.OpProgramID:    lowerProgramID,
		ir.OpNumPrograms:  lowerNumPrograms,
		ir.OpArange:       lowerArange,
		ir.OpSplat:        lowerSplat,
		ir.OpBroadcast:    lowerView,
		ir.OpExpandDims:   lowerView,
		ir.OpReshape:      lowerView,
		ir.OpTrans:        lowerView,
		ir.OpJoin:         lowerJoin,
		ir.OpSplit:        lowerSplit,
		ir.OpAddPtr:       lowerAddPtr,
		ir.OpLoad:         lowerLoad,
		ir.OpStore:        lowerStore,
		ir.OpAtomicRMW:    lowerAtomic,
		ir.OpAtomicCAS:    lowerAtomic,
		ir.OpMakeBlockPtr: lowerMakeBlockPtr,
		ir.OpAdvance:      lowerAdvance,
		ir.OpBlockLoad:    lowerBlockLoad,
		ir.OpBlockStore:   lowerBlockStore,
		ir.OpReduce:       lowerReduce,
		ir.OpScan:         lowerScan,
		ir.OpDot:          lowerDot,
		ir.OpPrint:        lowerPrint,
		ir.OpAssert:       lowerAssert,
	}
}

func one(rs []value.Value) [][]value.Value { return [][]value.Value{rs} }

// --- thread coordinates -----------------------------------------------------

// threadCoord is the part of every element coordinate along dim d that
// comes from the thread's lane and warp in layout l, computed once in the
// entry block.
func (lw *lowering) threadCoord(l *layout.Linear, d int) value.Value {
	k := coordKey{lw.a.canon(l), d}
	if v, ok := lw.coords[k]; ok {
		return v
	}
	var acc value.Value = i32(0)
	or := func(term value.Value) {
		if c, ok := acc.(*constant.Int); ok && c.X.Sign() == 0 {
			acc = term
		} else {
			acc = lw.entry.NewOr(acc, term)
		}
	}
	// Runs of consecutive source bits that give consecutive coordinate bits
	// (the usual case) become one shift, mask and shift.
	add := func(src value.Value, bases [][]int) {
		for b := 0; b < len(bases); {
			v := bases[b][d]
			if v == 0 {
				b++
				continue
			}
			n := 1
			for b+n < len(bases) && bases[b+n][d] == v<<n {
				n++
			}
			t := value.Value(src)
			if b > 0 {
				t = lw.entry.NewLShr(t, i32(int64(b)))
			}
			t = lw.entry.NewAnd(t, i32(int64(1<<n-1)))
			if sh := log2(v); sh > 0 {
				t = lw.entry.NewShl(t, i32(int64(sh)))
			}
			or(t)
			b += n
		}
	}
	add(lw.lane, l.Lanes)
	add(lw.warp, l.Warps)
	lw.coords[k] = acc
	return acc
}

// coord is the coordinate along dim d of register r of l in this thread.
func (lw *lowering) coord(l *layout.Linear, r, d int) value.Value {
	tc := lw.threadCoord(l, d)
	c := l.RegCoords(r)[d]
	if c == 0 {
		return tc
	}
	if k, ok := tc.(*constant.Int); ok {
		return i32(k.X.Int64() + int64(c))
	}
	return lw.cur.NewOr(tc, i32(int64(c))) // disjoint bits: or is add
}

// owner is true in the threads that hold the canonical copy of their
// elements (the broadcast lane and warp bits are zero).
func (lw *lowering) owner(l *layout.Linear) value.Value {
	var p value.Value = constant.True
	if m := l.LaneBroadcast(); m != 0 {
		p = lw.cur.NewICmp(enum.IPredEQ, lw.cur.NewAnd(lw.lane, i32(int64(m))), i32(0))
	}
	if m := l.WarpBroadcast(); m != 0 {
		w := lw.cur.NewICmp(enum.IPredEQ, lw.cur.NewAnd(lw.warp, i32(int64(m))), i32(0))
		if isConstTrue(p) {
			p = w
		} else {
			p = lw.cur.NewAnd(p, w)
		}
	}
	return p
}

// canonicalReg reports whether register r is the first copy of its element
// within the thread (its broadcast register bits are zero).
func canonicalReg(l *layout.Linear, r int) bool { return r&l.RegBroadcast() == 0 }

// --- control flow ------------------------------------------------------------

// carried lists the registers of values in their primary layouts (or the
// scalar), flattened, for phis.
func (lw *lowering) flatten(vs []*ir.Value, layouts []*layout.Linear) []value.Value {
	var out []value.Value
	for i, v := range vs {
		if v.Type.Kind == ir.KindBlockPtr {
			out = append(out, lw.bptrs[v].parts()...)
		} else if isTile(v) {
			out = append(out, lw.tile(v, layouts[i])...)
		} else {
			out = append(out, lw.scalar(v))
		}
	}
	return out
}

// bind assigns flattened registers to values (the inverse of flatten).
func (lw *lowering) bind(vs []*ir.Value, flat []value.Value, template []*ir.Value) []value.Value {
	for i, v := range vs {
		switch {
		case v.Type.Kind == ir.KindBlockPtr:
			tb := lw.bptrs[template[i]]
			n := len(tb.parts())
			lw.bptrs[v] = tb.withParts(flat[:n])
			flat = flat[n:]
		case isTile(v):
			l := lw.a.primary[v]
			n := l.NumRegs()
			lw.setTile(v, l, flat[:n])
			flat = flat[n:]
		default:
			lw.scalars[v] = flat[0]
			flat = flat[1:]
		}
	}
	return flat
}

func (lw *lowering) primaries(vs []*ir.Value) []*layout.Linear {
	out := make([]*layout.Linear, len(vs))
	for i, v := range vs {
		out[i] = lw.a.primary[v]
	}
	return out
}

func (lw *lowering) lowerFor(op *ir.Op) error {
	body := op.Regions[0]
	args := body.Args[1:]
	lb, ub, step := lw.scalar(op.Args[0]), lw.scalar(op.Args[1]), lw.scalar(op.Args[2])
	inits := lw.flatten(op.Args[3:], lw.primaries(args))
	pl := lw.pipes[op]
	if pl != nil { // the slot the first iteration reads is carried last
		lw.pipePrologue(op, pl, lb, ub, step)
		inits = append(inits, i32(0))
	}
	pre := lw.cur
	header, bodyB, exit := lw.newBlock("for.header"), lw.newBlock("for.body"), lw.newBlock("for.exit")
	pre.NewBr(header)
	ivPhi := header.NewPhi(llir.NewIncoming(lb, pre))
	phis, flat := lw.phis(header, inits, pre)
	header.NewCondBr(header.NewICmp(enum.IPredSLT, ivPhi, ub), bodyB, exit)
	lw.scalars[body.Args[0]] = ivPhi
	lw.bind(args, flat, op.Args[3:])
	lw.cur = bodyB
	for _, arg := range args {
		lw.convertNeeds(arg)
	}
	if pl != nil { // after the conversions: the copies read pointer tiles in their loads' layouts
		pl.slot = flat[len(flat)-1]
		lw.pipeNext(body, pl, ivPhi, ub, step)
	}
	if err := lw.block(body); err != nil {
		return err
	}
	yields := lw.flatten(body.Terminator().Args, lw.primaries(args))
	if pl != nil {
		yields = append(yields, lw.nextSlot(pl))
	}
	next := lw.cur.NewAdd(ivPhi, step)
	latch := lw.cur
	latch.NewBr(header)
	ivPhi.Incs = append(ivPhi.Incs, llir.NewIncoming(next, latch))
	for i, p := range phis {
		p.Incs = append(p.Incs, llir.NewIncoming(yields[i], latch))
	}
	lw.cur = exit
	if pl != nil {
		lw.pipeDrain()
	}
	lw.bind(op.Results, flat, op.Args[3:])
	for _, r := range op.Results {
		lw.convertNeeds(r)
	}
	return nil
}

// phis starts one phi per register in block b, with its value from pred.
func (lw *lowering) phis(b *llir.Block, vals []value.Value, pred *llir.Block) ([]*llir.InstPhi, []value.Value) {
	phis := make([]*llir.InstPhi, len(vals))
	flat := make([]value.Value, len(vals))
	for i, v := range vals {
		phis[i] = b.NewPhi(llir.NewIncoming(v, pred))
		flat[i] = phis[i]
	}
	return phis, flat
}

func (lw *lowering) lowerIf(op *ir.Op) error {
	cond := lw.scalar(op.Args[0])
	thenB, elseB, join := lw.newBlock("if.then"), lw.newBlock("if.else"), lw.newBlock("if.end")
	lw.cur.NewCondBr(cond, thenB, elseB)
	layouts := lw.primaries(op.Results)
	var ends []*llir.Block
	var outs [][]value.Value
	var template []*ir.Value
	for i, b := range []*llir.Block{thenB, elseB} {
		lw.cur = b
		r := op.Regions[i]
		if err := lw.block(r); err != nil {
			return err
		}
		y := r.Terminator().Args
		outs = append(outs, lw.flatten(y, layouts))
		template = y
		lw.cur.NewBr(join)
		ends = append(ends, lw.cur)
	}
	lw.cur = join
	flat := make([]value.Value, len(outs[0]))
	for i := range flat {
		flat[i] = join.NewPhi(llir.NewIncoming(outs[0][i], ends[0]), llir.NewIncoming(outs[1][i], ends[1]))
	}
	lw.bind(op.Results, flat, template)
	for _, r := range op.Results {
		lw.convertNeeds(r)
	}
	return nil
}

func (lw *lowering) lowerWhile(op *ir.Op) error {
	before, after := op.Regions[0], op.Regions[1]
	inits := lw.flatten(op.Args, lw.primaries(before.Args))
	pre := lw.cur
	header, bodyB, exit := lw.newBlock("while.header"), lw.newBlock("while.body"), lw.newBlock("while.exit")
	pre.NewBr(header)
	phis, flat := lw.phis(header, inits, pre)
	lw.bind(before.Args, flat, op.Args)
	lw.cur = header
	for _, arg := range before.Args {
		lw.convertNeeds(arg)
	}
	if err := lw.block(before); err != nil {
		return err
	}
	cond := before.Terminator()
	passed := lw.flatten(cond.Args[1:], lw.primaries(after.Args))
	lw.cur.NewCondBr(lw.scalar(cond.Args[0]), bodyB, exit)
	condEnd := lw.cur
	lw.cur = bodyB
	lw.bind(after.Args, passed, cond.Args[1:])
	for _, arg := range after.Args {
		lw.convertNeeds(arg)
	}
	if err := lw.block(after); err != nil {
		return err
	}
	yields := lw.flatten(after.Terminator().Args, lw.primaries(before.Args))
	lw.cur.NewBr(header)
	for i, p := range phis {
		p.Incs = append(p.Incs, llir.NewIncoming(yields[i], lw.cur))
	}
	_ = condEnd
	lw.cur = exit
	lw.bind(op.Results, passed, cond.Args[1:])
	for _, r := range op.Results {
		lw.convertNeeds(r)
	}
	return nil
}

// log2 of a power of two.
func log2(n int) int {
	k := 0
	for n > 1 {
		n >>= 1
		k++
	}
	return k
}
