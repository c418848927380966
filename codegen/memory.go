package codegen

import (
	"fmt"
	"math"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// --- shared memory ------------------------------------------------------------

// Shared memory is one dynamic buffer; the allocation pass placed every
// buffer (local_alloc's offset) and every op's scratch area (its scratch
// attribute) in it.

// sharedBase returns the dynamic shared buffer's address, declaring the
// buffer on first use.
func (lw *lowering) sharedBase(off int) value.Value {
	if lw.smem == nil {
		// On sm_90a swizzled buffers sit at multiples of their swizzle's
		// repeat, up to 1024 bytes (the alloc pass), from this base.
		align := 16
		if lw.f.GPU.Specific {
			align = 1024
		}
		g := &llir.Global{ContentType: types.NewArray(0, types.I8), Linkage: enum.LinkageExternal, AddrSpace: spaceShared, Align: llir.Align(align)}
		g.SetName("__tilec_smem")
		g.Type()
		lw.m.Globals = append(lw.m.Globals, g)
		lw.smem = g
	}
	return lw.entry.NewGetElementPtr(types.NewArray(0, types.I8), lw.smem, i32(0), i32(int64(off)))
}

// shared32 is the 32-bit shared-memory address of offset off of the
// buffer: shared addresses fit in 32 bits, and 32-bit registers halve
// what per-thread addresses cost (ldmatrix and cp.async take them).
func (lw *lowering) shared32(off int) value.Value {
	var a value.Value
	lw.inEntry(func() { a = lw.cur.NewPtrToInt(lw.sharedBase(off), types.I32) })
	return a
}

// scratch returns the address of op's scratch area.
func (lw *lowering) scratch(op *ir.Op) value.Value {
	if !op.HasAttr("scratch") {
		panic("no scratch offset: the allocation pass has not run")
	}
	return lw.sharedBase(op.Int("scratch"))
}

func (lw *lowering) barrier() {
	lw.cur.NewCall(lw.x.get("llvm.nvvm.barrier0", types.Void))
}

// sharedAt returns a pointer to element idx (of byte size esz) of the
// scratch buffer, typed t.
func (lw *lowering) sharedAt(base value.Value, idx value.Value, esz int, t types.Type) value.Value {
	off := lw.cur.NewMul(idx, i32(int64(esz)))
	p := lw.cur.NewGetElementPtr(types.I8, base, off)
	return lw.cur.NewBitCast(p, sharedPtr(t))
}

// toMem converts a register to what is stored in memory (i1 as a byte,
// pointers as i64).
func (lw *lowering) toMem(v value.Value, t ir.Type) value.Value {
	switch {
	case t.Kind == ir.KindPtr:
		return lw.cur.NewPtrToInt(v, types.I64)
	case t.Elem == ir.I1:
		return lw.cur.NewZExt(v, types.I8)
	}
	return v
}

func (lw *lowering) fromMem(v value.Value, t ir.Type) value.Value {
	switch {
	case t.Kind == ir.KindPtr:
		return lw.cur.NewIntToPtr(v, globalPtr(t.Elem))
	case t.Elem == ir.I1:
		return lw.cur.NewICmp(enum.IPredNE, v, constant.NewInt(types.I8, 0))
	}
	return v
}

// memLLVMType is the type an element of t has in shared memory.
func memLLVMType(t ir.Type) types.Type {
	if t.Kind == ir.KindPtr {
		return types.I64
	}
	return memType(t.Elem)
}

// flat is the row-major index of register r of l in this thread.
func (lw *lowering) flat(l *layout.Linear, r int) value.Value {
	return lw.flatStrided(l, r, layout.RowMajor(l.Shape))
}

// flatStrided is register r's element index with strides st.
func (lw *lowering) flatStrided(l *layout.Linear, r int, st []int) value.Value {
	var acc value.Value
	for d := range l.Shape {
		term := lw.coord(l, r, d)
		if st[d] != 1 {
			term = lw.cur.NewMul(term, i32(int64(st[d])))
		}
		if acc == nil {
			acc = term
		} else {
			acc = lw.cur.NewAdd(acc, term)
		}
	}
	if acc == nil {
		return i32(0)
	}
	return acc
}

// ifThen emits `if p { body }` and continues after it.
func (lw *lowering) ifThen(p value.Value, body func()) {
	if isConstTrue(p) {
		body()
		return
	}
	then, join := lw.newBlock("then"), lw.newBlock("join")
	lw.cur.NewCondBr(p, then, join)
	lw.cur = then
	body()
	lw.cur.NewBr(join)
	lw.cur = join
}

// sharedTile is how registers of layout l address a buffer of shape in
// shared layout s: a dense buffer is seen as one dim (runs of registers
// continue across rows), a padded one with its row strides.
func sharedTile(l *layout.Linear, s layout.Shared) (*layout.Linear, []int) {
	if s.Pad == 0 {
		n := 1
		for _, d := range l.Shape {
			n *= d
		}
		return l.Reshape([]int{n}), []int{1}
	}
	return l, s.Strides(l.Shape)
}

// storeTile writes a tile of type t held in layout l to the buffer at base
// (an i8 shared pointer) laid out as s, vec registers per access, each
// element once: by the threads and registers that own it.
func (lw *lowering) storeTile(base value.Value, regs []value.Value, l *layout.Linear, t ir.Type, s layout.Shared, vec int) {
	src, strides := sharedTile(l, s)
	esz := ir.ElemBytes(t)
	lw.ifThen(lw.owner(src), func() {
		for r := 0; r < len(regs); r += vec {
			if !canonicalReg(src, r) {
				continue
			}
			lw.storeShared(lw.sharedAt(base, lw.flatStrided(src, r, strides), esz, types.I8), regs[r:r+vec], t)
		}
	})
}

// loadTile reads a tile of type t into layout l from the buffer at base,
// vec registers per access; registers holding copies are read once.
func (lw *lowering) loadTile(base value.Value, l *layout.Linear, t ir.Type, s layout.Shared, vec int) []value.Value {
	dst, strides := sharedTile(l, s)
	esz := ir.ElemBytes(t)
	out := make([]value.Value, dst.NumRegs())
	for r := 0; r < len(out); r += vec {
		if !canonicalReg(dst, r) { // a copy of a register read already
			copy(out[r:r+vec], out[r&^dst.RegBroadcast():])
			continue
		}
		copy(out[r:], lw.loadShared(lw.sharedAt(base, lw.flatStrided(dst, r, strides), esz, types.I8), vec, t))
	}
	return out
}

// storeShared stores consecutive elements of t at the shared address at
// (an i8 pointer): one element, or a vector of them.
func (lw *lowering) storeShared(at value.Value, regs []value.Value, t ir.Type) {
	if len(regs) == 1 {
		mt := memLLVMType(t)
		lw.cur.NewStore(lw.toMem(regs[0], t), lw.cur.NewBitCast(at, sharedPtr(mt)))
		return
	}
	vec, vt := lw.vector(lw.pack(regs, t.Elem))
	lw.cur.NewStore(vec, lw.cur.NewBitCast(at, sharedPtr(vt)))
}

// loadShared loads n consecutive elements of t from the shared address at.
func (lw *lowering) loadShared(at value.Value, n int, t ir.Type) []value.Value {
	if n == 1 {
		mt := memLLVMType(t)
		return []value.Value{lw.fromMem(lw.cur.NewLoad(mt, lw.cur.NewBitCast(at, sharedPtr(mt))), t)}
	}
	wb, count := wordsOf(n, ir.ElemBytes(t))
	words := make([]value.Value, count)
	if count == 1 {
		words[0] = lw.cur.NewLoad(intType(wb), lw.cur.NewBitCast(at, sharedPtr(intType(wb))))
	} else {
		vt := types.NewVector(uint64(count), intType(wb))
		vec := lw.cur.NewLoad(vt, lw.cur.NewBitCast(at, sharedPtr(vt)))
		for i := range words {
			words[i] = lw.cur.NewExtractElement(vec, i32(int64(i)))
		}
	}
	return lw.unpack(words, t.Elem, n)
}

// vector builds an LLVM vector of words (a scalar for one word).
func (lw *lowering) vector(words []value.Value) (value.Value, types.Type) {
	if len(words) == 1 {
		return words[0], words[0].Type()
	}
	vt := types.NewVector(uint64(len(words)), words[0].Type())
	var vec value.Value = constant.NewUndef(vt)
	for i, w := range words {
		vec = lw.cur.NewInsertElement(vec, w, i32(int64(i)))
	}
	return vec, vt
}

// broadcastScalar makes thread 0's value of a scalar everyone's, through
// the scratch area at base.
func (lw *lowering) broadcastScalar(base, v value.Value, t ir.Type) value.Value {
	mt := memLLVMType(t)
	lw.barrier()
	lw.ifThen(lw.cur.NewICmp(enum.IPredEQ, lw.tid, i32(0)), func() {
		lw.cur.NewStore(lw.toMem(v, t), lw.cur.NewBitCast(base, sharedPtr(mt)))
	})
	lw.barrier()
	return lw.fromMem(lw.cur.NewLoad(mt, lw.cur.NewBitCast(base, sharedPtr(mt))), t)
}

// --- global memory --------------------------------------------------------------

// ptxType is the PTX bit type, register constraint and LLVM register type
// used to move an element of d with inline assembly.
func ptxType(d ir.DType) (ptx, constraint string, reg types.Type) {
	switch memType(d) {
	case types.I8:
		return "u8", "h", types.I16
	case types.I16, types.Half:
		return "b16", "h", types.I16
	case types.I32, types.Float:
		return "b32", "r", types.I32
	}
	return "b64", "l", types.I64
}

// asBits reinterprets a register as the integer the asm moves.
func (lw *lowering) asBits(v value.Value, d ir.DType, reg types.Type) value.Value {
	switch {
	case v.Type() == reg:
		return v
	case d == ir.I1 || d == ir.I8:
		if d == ir.I1 {
			v = lw.cur.NewZExt(v, types.I8)
		}
		return lw.cur.NewZExt(v, types.I16)
	case d.IsFloat() && d != ir.BF16:
		return lw.cur.NewBitCast(v, reg)
	}
	return v
}

func (lw *lowering) fromBits(v value.Value, d ir.DType) value.Value {
	switch {
	case d == ir.I1:
		return lw.cur.NewICmp(enum.IPredNE, v, constant.NewInt(types.I16, 0))
	case d == ir.I8:
		return lw.cur.NewTrunc(v, types.I8)
	case d.IsFloat() && d != ir.BF16:
		return lw.cur.NewBitCast(v, regType(d))
	}
	return v
}

func (lw *lowering) addr(p value.Value) value.Value { return lw.cur.NewPtrToInt(p, types.I64) }

// loadGlobal reads one element at p where pred holds, else other.
func (lw *lowering) loadGlobal(p, pred, other value.Value, d ir.DType) value.Value {
	if pred == nil || isConstTrue(pred) {
		v := lw.cur.NewLoad(memType(d), p)
		if d == ir.I1 {
			return lw.cur.NewICmp(enum.IPredNE, v, constant.NewInt(types.I8, 0))
		}
		return v
	}
	pt, c, reg := ptxType(d)
	mov := "b16"
	if c == "r" {
		mov = "b32"
	} else if c == "l" {
		mov = "b64"
	}
	text := fmt.Sprintf("mov.%s $0, $3;\n\t@$2 ld.global.%s $0, [$1];", mov, pt)
	call := lw.cur.NewCall(asm(reg, text, "="+c+",l,b,"+c, true, types.I64, types.I1, reg), lw.addr(p), pred, lw.asBits(other, d, reg))
	return lw.fromBits(call, d)
}

// storeGlobal writes v at p where pred holds.
func (lw *lowering) storeGlobal(p, v, pred value.Value, d ir.DType) {
	if pred == nil || isConstTrue(pred) {
		if d == ir.I1 {
			v = lw.cur.NewZExt(v, types.I8)
		}
		lw.cur.NewStore(v, p)
		return
	}
	pt, c, reg := ptxType(d)
	text := fmt.Sprintf("@$2 st.global.%s [$0], $1;", pt)
	lw.cur.NewCall(asm(types.Void, text, "l,"+c+",b,~{memory}", true, types.I64, reg, types.I1), lw.addr(p), lw.asBits(v, d, reg), pred)
}

func and(lw *lowering, a, b value.Value) value.Value {
	switch {
	case a == nil || isConstTrue(a):
		return b
	case b == nil || isConstTrue(b):
		return a
	}
	return lw.cur.NewAnd(a, b)
}

func zeroElem(d ir.DType) value.Value { return constOf(d, ir.Num{}) }

// vecOf is an access's vector width in registers (1 without the attribute).
func vecOf(op *ir.Op) int {
	if v := op.Int("vec"); v > 1 {
		return v
	}
	return 1
}

func lowerLoad(lw *lowering, op *ir.Op) error {
	d := op.Results[0].Type.Elem
	if !op.Results[0].Type.IsTile() { // a scalar load: every thread reads the same address
		var mask, other value.Value
		if len(op.Args) > 1 {
			mask = lw.scalar(op.Args[1])
			other = zeroElem(d)
		}
		if len(op.Args) > 2 {
			other = lw.scalar(op.Args[2])
		}
		lw.set(op.Results[0], lw.loadGlobal(lw.scalar(op.Args[0]), mask, other, d))
		return nil
	}
	n := regsOf(op)
	ptrs := lw.operandRegs(op.Args[0], n)
	var mask, other []value.Value
	if len(op.Args) > 1 {
		mask = lw.operandRegs(op.Args[1], n)
	}
	if len(op.Args) > 2 {
		other = lw.operandRegs(op.Args[2], n)
	}
	v := vecOf(op)
	rs := make([]value.Value, n)
	for r0 := 0; r0 < len(rs); r0 += v {
		var m value.Value
		os := make([]value.Value, v)
		for j := range os {
			os[j] = zeroElem(d)
			if other != nil {
				os[j] = other[r0+j]
			}
		}
		if mask != nil {
			m = mask[r0]
		}
		if v == 1 {
			o := value.Value(nil)
			if m != nil {
				o = os[0]
			}
			rs[r0] = lw.loadGlobal(ptrs[r0], m, o, d)
			continue
		}
		copy(rs[r0:], lw.vecLoad(ptrs[r0], m, os, d, v))
	}
	lw.set(op.Results[0], rs...)
	return nil
}

func lowerStore(lw *lowering, op *ir.Op) error {
	d := op.Args[0].Type.Elem
	if !op.Args[0].Type.IsTile() { // a scalar store: thread 0 writes it
		var m value.Value = lw.cur.NewICmp(enum.IPredEQ, lw.tid, i32(0))
		if len(op.Args) > 2 {
			m = and(lw, m, lw.scalar(op.Args[2]))
		}
		lw.storeGlobal(lw.scalar(op.Args[0]), lw.scalar(op.Args[1]), m, d)
		return nil
	}
	l := op.Args[0].Type.Layout
	n := l.NumRegs()
	ptrs, vals := lw.operandRegs(op.Args[0], n), lw.operandRegs(op.Args[1], n)
	var mask []value.Value
	if len(op.Args) > 2 {
		mask = lw.operandRegs(op.Args[2], n)
	}
	v := vecOf(op)
	own := lw.owner(l)
	for r0 := 0; r0 < len(ptrs); r0 += v {
		if !canonicalReg(l, r0) {
			continue // a copy of another register: store each element once
		}
		p := own
		if mask != nil {
			p = and(lw, p, mask[r0])
		}
		if v == 1 {
			lw.storeGlobal(ptrs[r0], vals[r0], p, d)
		} else {
			lw.vecStore(ptrs[r0], vals[r0:r0+v], p, d)
		}
	}
	return nil
}

// atomicPTX is the atom instruction for a kind and dtype.
func atomicPTX(kind string, d ir.DType) (string, error) {
	switch kind {
	case "add":
		switch d {
		case ir.I32:
			return "add.u32", nil
		case ir.I64:
			return "add.u64", nil
		case ir.F32:
			return "add.f32", nil
		case ir.F64:
			return "add.f64", nil
		case ir.F16:
			return "add.noftz.f16", nil
		}
	case "max", "min":
		switch d {
		case ir.I32:
			return kind + ".s32", nil
		case ir.I64:
			return kind + ".s64", nil
		}
	case "xchg":
		return fmt.Sprintf("exch.b%d", d.Bits()), nil
	case "and", "or":
		return fmt.Sprintf("%s.b%d", kind, d.Bits()), nil
	}
	return "", fmt.Errorf("no atomic %s for %s", kind, d)
}

// atomic performs one element's atomic where pred holds, returning the old
// value (zero where it did not run).
func (lw *lowering) atomic(op *ir.Op, p, v, cmp, pred value.Value, d ir.DType) (value.Value, error) {
	_, c, reg := ptxType(d)
	mov := "b32"
	if c == "l" {
		mov = "b64"
	} else if c == "h" {
		mov = "b16"
	}
	if pred == nil {
		pred = constant.True
	}
	if op.Code == ir.OpAtomicCAS {
		text := fmt.Sprintf("mov.%s $0, 0;\n\t@$4 atom.global.cas.b%d $0, [$1], $2, $3;", mov, d.Bits())
		call := lw.cur.NewCall(asm(reg, text, "="+c+",l,"+c+","+c+",b,~{memory}", true, types.I64, reg, reg, types.I1),
			lw.addr(p), lw.asBits(cmp, d, reg), lw.asBits(v, d, reg), pred)
		return lw.fromBits(call, d), nil
	}
	inst, err := atomicPTX(op.Str("kind"), d)
	if err != nil {
		return nil, errorAt(op, "%v", err)
	}
	if d == ir.F16 && lw.f.GPU.SM < 70 {
		return nil, errorAt(op, "f16 atomics need sm_70 or newer")
	}
	text := fmt.Sprintf("mov.%s $0, 0;\n\t@$3 atom.global.%s $0, [$1], $2;", mov, inst)
	call := lw.cur.NewCall(asm(reg, text, "="+c+",l,"+c+",b,~{memory}", true, types.I64, reg, types.I1), lw.addr(p), lw.asBits(v, d, reg), pred)
	return lw.fromBits(call, d), nil
}

func lowerAtomic(lw *lowering, op *ir.Op) error {
	d := op.Args[0].Type.Elem
	t := op.Results[0].Type
	if !t.IsTile() { // scalar: thread 0 performs it, everyone gets the old value
		var cmp, v value.Value
		pred := value.Value(lw.cur.NewICmp(enum.IPredEQ, lw.tid, i32(0)))
		if op.Code == ir.OpAtomicCAS {
			cmp, v = lw.scalar(op.Args[1]), lw.scalar(op.Args[2])
		} else {
			v = lw.scalar(op.Args[1])
			if len(op.Args) > 2 {
				pred = and(lw, pred, lw.scalar(op.Args[2]))
			}
		}
		old, err := lw.atomic(op, lw.scalar(op.Args[0]), v, cmp, pred, d)
		if err != nil {
			return err
		}
		lw.set(op.Results[0], lw.broadcastScalar(lw.scratch(op), old, t))
		return nil
	}
	l := t.Layout
	n := l.NumRegs()
	ptrs := lw.operandRegs(op.Args[0], n)
	var vals, cmps, mask []value.Value
	if op.Code == ir.OpAtomicCAS {
		cmps, vals = lw.operandRegs(op.Args[1], n), lw.operandRegs(op.Args[2], n)
	} else {
		vals = lw.operandRegs(op.Args[1], n)
		if len(op.Args) > 2 {
			mask = lw.operandRegs(op.Args[2], n)
		}
	}
	own := lw.owner(l)
	rs := make([]value.Value, len(ptrs))
	for r := range ptrs {
		if !canonicalReg(l, r) {
			continue
		}
		p := own
		if mask != nil {
			p = and(lw, p, mask[r])
		}
		var cmp value.Value
		if cmps != nil {
			cmp = cmps[r]
		}
		old, err := lw.atomic(op, ptrs[r], vals[r], cmp, p, d)
		if err != nil {
			return err
		}
		rs[r] = old
	}
	for r := range rs {
		if rs[r] == nil {
			rs[r] = rs[r&^l.RegBroadcast()]
		}
	}
	// Only the owners ran the atomic: hand their old values to the copies
	// through the op's scratch area.
	if x, ok := ir.AtomicExchange(t); ok {
		base := lw.scratch(op)
		lw.barrier()
		lw.storeTile(base, rs, l, t, x.Buffer, x.VecSrc)
		lw.barrier()
		rs = lw.loadTile(base, l, t, x.Buffer, x.VecDst)
	}
	lw.set(op.Results[0], rs...)
	return nil
}

// --- block pointers -------------------------------------------------------------

func (b *blockPtr) parts() []value.Value {
	out := []value.Value{b.base}
	out = append(out, b.shape...)
	out = append(out, b.strides...)
	return append(out, b.offsets...)
}

func (b *blockPtr) withParts(p []value.Value) *blockPtr {
	r := len(b.shape)
	return &blockPtr{base: p[0], shape: p[1 : 1+r], strides: p[1+r : 1+2*r], offsets: p[1+2*r : 1+3*r], elem: b.elem, block: b.block}
}

// toI64 sign-extends an index to i64.
func (lw *lowering) toI64(v value.Value) value.Value {
	if v.Type() == types.I64 {
		return v
	}
	return lw.cur.NewSExt(v, types.I64)
}

func lowerMakeBlockPtr(lw *lowering, op *ir.Op) error {
	t := op.Results[0].Type
	r := t.Shape.Rank
	bp := &blockPtr{base: lw.scalar(op.Args[0]), elem: t.Elem, block: t.Shape.Ints()}
	for i := 0; i < r; i++ {
		bp.shape = append(bp.shape, lw.toI64(lw.scalar(op.Args[1+i])))
		bp.strides = append(bp.strides, lw.toI64(lw.scalar(op.Args[1+r+i])))
		bp.offsets = append(bp.offsets, lw.toI64(lw.scalar(op.Args[1+2*r+i])))
	}
	lw.bptrs[op.Results[0]] = bp
	return nil
}

func lowerAdvance(lw *lowering, op *ir.Op) error {
	old := lw.bptrs[op.Args[0]]
	bp := *old
	bp.offsets = make([]value.Value, len(old.offsets))
	for i, o := range old.offsets {
		bp.offsets[i] = lw.cur.NewAdd(o, lw.toI64(lw.scalar(op.Args[1+i])))
	}
	lw.bptrs[op.Results[0]] = &bp
	return nil
}

// blockAccess prepares the element pointers and boundary masks of a block
// access in layout l: at(reg) returns register reg's pointer and mask (nil
// when no dim is checked). The thread's part is computed once; a register's
// own part only when asked for, so a vector access pays for its first
// register alone.
func (lw *lowering) blockAccess(bp *blockPtr, l *layout.Linear, check []int) (at func(reg int) (value.Value, value.Value)) {
	r := len(bp.shape)
	tidx := make([]value.Value, r)
	var toff value.Value = i64(0)
	for d := 0; d < r; d++ {
		tidx[d] = lw.cur.NewAdd(bp.offsets[d], lw.cur.NewSExt(lw.threadCoord(l, d), types.I64))
		toff = lw.cur.NewAdd(toff, lw.cur.NewMul(tidx[d], bp.strides[d]))
	}
	checked := make([]bool, r)
	for _, d := range check {
		checked[d] = true
	}
	elem := memType(bp.elem)
	// Each address after the first is the previous one plus the byte
	// distance between their coordinates (one 64-bit add), the distance
	// computed once per distinct step: every register from scratch costs
	// a 64-bit multiply, add and scaling, which ptxas left inside flash's
	// key loop (D=128: 624 SASS instructions per block before, 596 after).
	var prevRC []int
	var prevPtr value.Value
	steps := map[string]value.Value{}
	bytePtr := types.NewPointer(types.I8)
	if pt, ok := bp.base.Type().(*types.PointerType); ok {
		bytePtr.AddrSpace = pt.AddrSpace // a cast may not change the address space
	}
	return func(reg int) (value.Value, value.Value) {
		rc := l.RegCoords(reg)
		var m value.Value
		if len(check) > 0 {
			m = constant.True
		}
		for d := 0; d < r; d++ {
			if checked[d] {
				idx := tidx[d]
				if rc[d] != 0 {
					idx = lw.cur.NewAdd(idx, i64(int64(rc[d])))
				}
				in := lw.cur.NewAnd(lw.cur.NewICmp(enum.IPredSGE, idx, i64(0)), lw.cur.NewICmp(enum.IPredSLT, idx, bp.shape[d]))
				m = and(lw, m, in)
			}
		}
		var ptr value.Value
		if prevPtr == nil {
			off := toff
			for d := 0; d < r; d++ {
				if rc[d] != 0 {
					off = lw.cur.NewAdd(off, lw.cur.NewMul(i64(int64(rc[d])), bp.strides[d]))
				}
			}
			ptr = lw.cur.NewGetElementPtr(elem, bp.base, off)
		} else {
			diff := make([]int, r)
			for d := range diff {
				diff[d] = rc[d] - prevRC[d]
			}
			key := fmt.Sprint(diff)
			step, ok := steps[key]
			if !ok {
				var elems value.Value = i64(0)
				for d, dd := range diff {
					if dd != 0 {
						elems = lw.cur.NewAdd(elems, lw.cur.NewMul(i64(int64(dd)), bp.strides[d]))
					}
				}
				step = lw.cur.NewMul(elems, i64(int64(bp.elem.Size())))
				steps[key] = step
			}
			p := lw.cur.NewGetElementPtr(types.I8, lw.cur.NewBitCast(prevPtr, bytePtr), step)
			ptr = lw.cur.NewBitCast(p, prevPtr.Type())
		}
		prevRC, prevPtr = rc, ptr
		return ptr, m
	}
}

func lowerBlockLoad(lw *lowering, op *ir.Op) error {
	bp := lw.bptrs[op.Args[0]]
	l := op.Results[0].Type.Layout
	at := lw.blockAccess(bp, l, op.Ints("boundary_check"))
	pad := zeroElem(bp.elem)
	if op.Str("padding") == "nan" {
		if !bp.elem.IsFloat() {
			return errorAt(op, "nan padding needs a float tile, not %s", bp.elem)
		}
		pad = constOf(bp.elem, ir.Num{F: math.NaN()})
	}
	v := vecOf(op)
	rs := make([]value.Value, l.NumRegs())
	for r0 := 0; r0 < len(rs); r0 += v {
		p, m := at(r0)
		if v == 1 {
			rs[r0] = lw.loadGlobal(p, m, pad, bp.elem)
			continue
		}
		pads := make([]value.Value, v)
		for j := range pads {
			pads[j] = pad
		}
		copy(rs[r0:], lw.vecLoad(p, m, pads, bp.elem, v))
	}
	lw.set(op.Results[0], rs...)
	return nil
}

func lowerBlockStore(lw *lowering, op *ir.Op) error {
	bp := lw.bptrs[op.Args[0]]
	l := op.Args[1].Type.Layout
	at := lw.blockAccess(bp, l, op.Ints("boundary_check"))
	vals := lw.tile(op.Args[1])
	own := lw.owner(l)
	v := vecOf(op)
	for r0 := 0; r0 < len(vals); r0 += v {
		if !canonicalReg(l, r0) {
			continue
		}
		ptr, m := at(r0)
		p := and(lw, own, m)
		if v == 1 {
			lw.storeGlobal(ptr, vals[r0], p, bp.elem)
		} else {
			lw.vecStore(ptr, vals[r0:r0+v], p, bp.elem)
		}
	}
	return nil
}

// --- debugging ---------------------------------------------------------------------

// lowerAssert traps (the emulator reports it; the driver reports an
// illegal instruction) when any lane of the condition is false.
func lowerAssert(lw *lowering, op *ir.Op) error {
	trap := asm(types.Void, "@$0 trap;", "b", true, types.I1)
	x := op.Args[0]
	if !x.Type.IsTile() {
		lw.cur.NewCall(trap, lw.cur.NewXor(lw.scalar(x), constant.True))
		return nil
	}
	for _, c := range lw.tile(x) {
		lw.cur.NewCall(trap, lw.cur.NewXor(c, constant.True))
	}
	return nil
}

func lowerPrint(lw *lowering, op *ir.Op) error {
	return errorAt(op, "codegen cannot lower print yet; run the kernel with --device interp to see its output")
}

// --- the GPU level's shared-memory ops ---------------------------------------

// lowerLocalAlloc: a buffer is its place in the dynamic shared memory.
func lowerLocalAlloc(lw *lowering, op *ir.Op) error {
	if !op.HasAttr("offset") {
		return errorAt(op, "the buffer has no offset: the allocation pass has not run")
	}
	lw.bufs[op.Results[0]] = lw.shared32(op.Int("offset"))
	return nil
}

// lowerLocalIndex: slot i of a ring is i slots further.
func lowerLocalIndex(lw *lowering, op *ir.Op) error {
	slot := op.Results[0].Type.SharedSize()
	lw.bufs[op.Results[0]] = lw.cur.NewAdd(lw.buf(op.Args[0]), lw.mulConst(lw.scalar(op.Args[1]), slot))
	return nil
}

// sharedPointer is a buffer's address as an i8 shared pointer.
func (lw *lowering) sharedPointer(v *ir.Value) value.Value {
	if op := v.Def; op != nil && op.Code == ir.OpLocalAlloc {
		return lw.sharedBase(op.Int("offset"))
	}
	return lw.cur.NewIntToPtr(lw.buf(v), sharedPtr(types.I8))
}

func lowerLocalStore(lw *lowering, op *ir.Op) error {
	x, b := op.Args[0], op.Args[1]
	if b.Type.Shared.Swizzled {
		lw.storeSwizzled(lw.sharedPointer(b), lw.tile(x), x.Type.Layout, b.Type, vecOf(op))
		return nil
	}
	lw.storeTile(lw.sharedPointer(b), lw.tile(x), x.Type.Layout, x.Type, b.Type.Shared, vecOf(op))
	return nil
}

func lowerLocalLoad(lw *lowering, op *ir.Op) error {
	b, r := op.Args[0], op.Results[0]
	lw.set(r, lw.loadTile(lw.sharedPointer(b), r.Type.Layout, r.Type, b.Type.Shared, vecOf(op))...)
	return nil
}

func lowerBarrier(lw *lowering, _ *ir.Op) error {
	lw.barrier()
	return nil
}

func lowerFenceAsyncShared(lw *lowering, _ *ir.Op) error {
	lw.cur.NewCall(asm(types.Void, "fence.proxy.async.shared::cta;", "~{memory}", true))
	return nil
}
