package codegen

import (
	"fmt"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/metadata"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// lowering emits one kernel's LLVM IR.
type lowering struct {
	f       *ir.Func
	m       *llir.Module
	fn      *llir.Func
	x       *intrinsics
	entry   *llir.Block // thread ids and per-layout thread coordinates
	cur     *llir.Block
	nblocks int

	regs    map[*ir.Value][]value.Value // a tile's registers, in its layout
	scalars map[*ir.Value]value.Value
	bptrs   map[*ir.Value]*blockPtr
	bufs    map[*ir.Value]value.Value // a shared buffer's 32-bit address

	tid, lane, warp value.Value
	coords          map[coordKey]value.Value

	smem       *llir.Global                // the dynamic shared memory
	ldmOffsets map[ldmatrixKey]value.Value // per-thread ldmatrix offsets, in the entry block
	frags      map[string]*layout.Linear   // mma operand layouts by operand, shape and warps
	ldmSplits  map[splitKey]bool           // ldmatrixOffset's identity checks

	tmapParams  map[*ir.Value]*llir.Param // each tensor_map's hidden parameter
	maps        []TensorMap               // how to encode them, in parameter order
	elected     value.Value               // the one thread that issues TMA copies (leader)
	tensorCores bool                      // a dot runs on mma.sync or wgmma (annotate)
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

// tile returns v's registers.
func (lw *lowering) tile(v *ir.Value) []value.Value {
	rs, ok := lw.regs[v]
	if !ok {
		panic(fmt.Sprintf("%s (%s) has no registers", v.Type, defName(v)))
	}
	return rs
}

func defName(v *ir.Value) string {
	if v.Def == nil {
		return "argument"
	}
	return v.Def.Name() + " at " + v.Def.Pos.String()
}

func (lw *lowering) scalar(v *ir.Value) value.Value {
	s, ok := lw.scalars[v]
	if !ok {
		panic(fmt.Sprintf("scalar %s (%s) was not lowered", v.Type, defName(v)))
	}
	return s
}

// buf returns a shared buffer's 32-bit address.
func (lw *lowering) buf(v *ir.Value) value.Value {
	b, ok := lw.bufs[v]
	if !ok {
		panic(fmt.Sprintf("buffer %s (%s) was not lowered", v.Type, defName(v)))
	}
	return b
}

// operandRegs returns an operand's registers, or the scalar repeated n
// times for a scalar operand.
func (lw *lowering) operandRegs(v *ir.Value, n int) []value.Value {
	if v.Type.IsTile() {
		return lw.tile(v)
	}
	rs := make([]value.Value, n)
	s := lw.scalar(v)
	for i := range rs {
		rs[i] = s
	}
	return rs
}

// run emits the kernel.
func (lw *lowering) run() error {
	var params []*llir.Param
	for _, p := range lw.f.Params {
		params = append(params, llir.NewParam(p.Name, valueType(p.Type)))
	}
	params = append(params, lw.tensorMapParams()...)
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
	if err := lw.block(lw.f.Body); err != nil {
		return err
	}
	lw.cur.NewRet(nil)
	lw.entry.NewBr(body)
	lw.annotate()
	return nil
}

// annotate marks the function as a kernel with its exact block size. A
// kernel with tensor-core dots also says one block per SM is enough
// (.minnctapersm 1): its tiles are sized for the registers a thread can
// have (the tuning spaces budget them), and ptxas's own occupancy target
// for the block size (three blocks of 128 threads: 168 registers) would
// spill some of them.
func (lw *lowering) annotate() {
	threads := int64(layout.WarpSize * lw.f.NumWarps)
	annotation := func(key string, v int64) *metadata.Tuple {
		return &metadata.Tuple{MetadataID: -1, Fields: []metadata.Field{lw.fn, &metadata.String{Value: key}, i32(v)}}
	}
	nodes := []*metadata.Tuple{annotation("kernel", 1), annotation("reqntidx", threads)}
	if lw.tensorCores {
		nodes = append(nodes, annotation("minctasm", 1))
	}
	def := &metadata.NamedDef{Name: "nvvm.annotations"}
	for _, n := range nodes {
		def.Nodes = append(def.Nodes, n)
		lw.m.MetadataDefs = append(lw.m.MetadataDefs, n)
	}
	lw.m.NamedMetadataDefs["nvvm.annotations"] = def
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

// op lowers one op. A panic (a bug in tilec) becomes an InternalError
// naming the op, with the stack.
func (lw *lowering) op(op *ir.Op) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = recovered(op, r)
		}
	}()
	rule := lowerTable[op.Code]
	if rule == nil {
		if op.Info().Elem == nil {
			return errorAt(op, "codegen does not lower %s", op.Name())
		}
		rule = lowerElementwise
	}
	return rule(lw, op)
}

// set records op's result: registers for a tile, else the scalar.
func (lw *lowering) set(v *ir.Value, rs ...value.Value) {
	if v.Type.IsTile() {
		lw.regs[v] = rs
		return
	}
	lw.scalars[v] = rs[0]
}

// lowerRule emits one op.
type lowerRule func(lw *lowering, op *ir.Op) error

// lowerTable holds the rules of the ops that are not elementwise (those use
// lowerElementwise and the scalar table). A test checks every opcode is
// covered.
var lowerTable [ir.NumOpcodes]lowerRule

func init() {
	lowerTable = [ir.NumOpcodes]lowerRule{
		ir.OpConstant:         lowerConstant,
		ir.OpProgramID:        lowerProgramID,
		ir.OpNumPrograms:      lowerNumPrograms,
		ir.OpArange:           lowerArange,
		ir.OpSplat:            lowerSplat,
		ir.OpBroadcast:        lowerView,
		ir.OpExpandDims:       lowerView,
		ir.OpReshape:          lowerView,
		ir.OpTrans:            lowerView,
		ir.OpJoin:             lowerJoin,
		ir.OpSplit:            lowerSplit,
		ir.OpAddPtr:           lowerAddPtr,
		ir.OpLoad:             lowerLoad,
		ir.OpStore:            lowerStore,
		ir.OpAtomicRMW:        lowerAtomic,
		ir.OpAtomicCAS:        lowerAtomic,
		ir.OpMakeBlockPtr:     lowerMakeBlockPtr,
		ir.OpAdvance:          lowerAdvance,
		ir.OpBlockLoad:        lowerBlockLoad,
		ir.OpBlockStore:       lowerBlockStore,
		ir.OpReduce:           lowerReduce,
		ir.OpScan:             lowerScan,
		ir.OpDot:              lowerDot,
		ir.OpFor:              lowerFor,
		ir.OpIf:               lowerIf,
		ir.OpWhile:            lowerWhile,
		ir.OpPrint:            lowerPrint,
		ir.OpAssert:           lowerAssert,
		ir.OpConvertLayout:    lowerConvert,
		ir.OpLocalAlloc:       lowerLocalAlloc,
		ir.OpLocalIndex:       lowerLocalIndex,
		ir.OpLocalStore:       lowerLocalStore,
		ir.OpLocalLoad:        lowerLocalLoad,
		ir.OpLdmatrix:         lowerLdmatrix,
		ir.OpAsyncCopy:        lowerAsyncCopy,
		ir.OpAsyncCopyBlock:   lowerAsyncCopyBlock,
		ir.OpAsyncCommit:      lowerAsyncCommit,
		ir.OpAsyncWait:        lowerAsyncWait,
		ir.OpBarrier:          lowerBarrier,
		ir.OpFenceAsyncShared: lowerFenceAsyncShared,
		ir.OpTensorMap:        lowerTensorMap,
		ir.OpTMALoad:          lowerTMALoad,
		ir.OpMBarrierInit:     lowerMBarrierInit,
		ir.OpMBarrierExpect:   lowerMBarrierExpect,
		ir.OpMBarrierWait:     lowerMBarrierWait,
		ir.OpMBarrierInval:    lowerMBarrierInval,
		ir.OpDotWait:          lowerDotWait,
	}
}

// --- thread coordinates -----------------------------------------------------

// threadCoord is the part of every element coordinate along dim d that
// comes from the thread's lane and warp in layout l, computed once in the
// entry block.
func (lw *lowering) threadCoord(l *layout.Linear, d int) value.Value {
	k := coordKey{l, d}
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

// flatten lists the registers of values (a tile's registers, a block
// pointer's parts, a scalar or buffer address), for phis.
func (lw *lowering) flatten(vs []*ir.Value) []value.Value {
	var out []value.Value
	for _, v := range vs {
		switch {
		case v.Type.Kind == ir.KindBlockPtr:
			out = append(out, lw.bptrs[v].parts()...)
		case v.Type.IsTile():
			out = append(out, lw.tile(v)...)
		case v.Type.IsShared():
			out = append(out, lw.buf(v))
		default:
			out = append(out, lw.scalar(v))
		}
	}
	return out
}

// bind assigns flattened registers to values (the inverse of flatten);
// template gives the block pointers' element types and shapes.
func (lw *lowering) bind(vs []*ir.Value, flat []value.Value, template []*ir.Value) {
	for i, v := range vs {
		switch {
		case v.Type.Kind == ir.KindBlockPtr:
			tb := lw.bptrs[template[i]]
			n := len(tb.parts())
			lw.bptrs[v] = tb.withParts(flat[:n])
			flat = flat[n:]
		case v.Type.IsTile():
			n := v.Type.Layout.NumRegs()
			lw.regs[v] = flat[:n:n]
			flat = flat[n:]
		case v.Type.IsShared():
			lw.bufs[v] = flat[0]
			flat = flat[1:]
		default:
			lw.scalars[v] = flat[0]
			flat = flat[1:]
		}
	}
}

func lowerFor(lw *lowering, op *ir.Op) error {
	body := op.Regions[0]
	args := body.Args[1:]
	lb, ub, step := lw.scalar(op.Args[0]), lw.scalar(op.Args[1]), lw.scalar(op.Args[2])
	inits := lw.flatten(op.Args[3:])
	pre := lw.cur
	header, bodyB, exit := lw.newBlock("for.header"), lw.newBlock("for.body"), lw.newBlock("for.exit")
	pre.NewBr(header)
	ivPhi := header.NewPhi(llir.NewIncoming(lb, pre))
	phis, flat := lw.phis(header, inits, pre)
	header.NewCondBr(header.NewICmp(enum.IPredSLT, ivPhi, ub), bodyB, exit)
	lw.scalars[body.Args[0]] = ivPhi
	lw.bind(args, flat, op.Args[3:])
	lw.cur = bodyB
	if err := lw.block(body); err != nil {
		return err
	}
	yields := lw.flatten(body.Terminator().Args)
	next := lw.cur.NewAdd(ivPhi, step)
	latch := lw.cur
	latch.NewBr(header)
	ivPhi.Incs = append(ivPhi.Incs, llir.NewIncoming(next, latch))
	for i, p := range phis {
		p.Incs = append(p.Incs, llir.NewIncoming(yields[i], latch))
	}
	lw.cur = exit
	lw.bind(op.Results, flat, op.Args[3:])
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

func lowerIf(lw *lowering, op *ir.Op) error {
	cond := lw.scalar(op.Args[0])
	thenB, elseB, join := lw.newBlock("if.then"), lw.newBlock("if.else"), lw.newBlock("if.end")
	lw.cur.NewCondBr(cond, thenB, elseB)
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
		outs = append(outs, lw.flatten(y))
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
	return nil
}

func lowerWhile(lw *lowering, op *ir.Op) error {
	before, after := op.Regions[0], op.Regions[1]
	inits := lw.flatten(op.Args)
	pre := lw.cur
	header, bodyB, exit := lw.newBlock("while.header"), lw.newBlock("while.body"), lw.newBlock("while.exit")
	pre.NewBr(header)
	phis, flat := lw.phis(header, inits, pre)
	lw.bind(before.Args, flat, op.Args)
	lw.cur = header
	if err := lw.block(before); err != nil {
		return err
	}
	cond := before.Terminator()
	passed := lw.flatten(cond.Args[1:])
	lw.cur.NewCondBr(lw.scalar(cond.Args[0]), bodyB, exit)
	lw.cur = bodyB
	lw.bind(after.Args, passed, cond.Args[1:])
	if err := lw.block(after); err != nil {
		return err
	}
	yields := lw.flatten(after.Terminator().Args)
	lw.cur.NewBr(header)
	for i, p := range phis {
		p.Incs = append(p.Incs, llir.NewIncoming(yields[i], lw.cur))
	}
	lw.cur = exit
	lw.bind(op.Results, passed, cond.Args[1:])
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
