package ptx

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

// addrFold is a getelementptr with a constant last offset whose only uses
// are memory addresses: they read [base+off] and no add is emitted.
type addrFold struct {
	base opnd
	off  int64
}

// findAddressOnly lists the getelementptr results (and pointer bitcasts
// of them) whose every use is the address operand of a load, store or
// atomic, directly or through such a bitcast: those become [base+offset]
// operands instead of an add.
func findAddressOnly(fn *ir.Func) map[value.Value]bool {
	type use struct {
		user ir.Instruction // nil for a terminator
		addr bool
	}
	uses := map[value.Value][]use{}
	for _, b := range fn.Blocks {
		for _, inst := range b.Insts {
			var slot *value.Value // the address operand
			var addrArgs []int    // an intrinsic's arguments used as $aN
			switch i := inst.(type) {
			case *ir.InstLoad:
				slot = &i.Src
			case *ir.InstStore:
				slot = &i.Dst
			case *ir.InstAtomicRMW:
				slot = &i.Dst
			case *ir.InstCmpXchg:
				slot = &i.Ptr
			case *ir.InstCall:
				addrArgs = intrinsicAddressArgs(i)
			}
			for _, op := range inst.Operands() {
				if !addressLike(*op) {
					continue // only getelementptrs and bitcasts can become [base+offset]
				}
				addr := op == slot
				if call, isCall := inst.(*ir.InstCall); isCall {
					for _, n := range addrArgs {
						addr = addr || op == &call.Args[n]
					}
				}
				uses[*op] = append(uses[*op], use{inst, addr})
			}
		}
		for _, op := range b.Term.Operands() {
			if addressLike(*op) {
				uses[*op] = append(uses[*op], use{nil, false})
			}
		}
	}
	memo := map[value.Value]bool{}
	var ok func(v value.Value) bool
	ok = func(v value.Value) bool {
		if r, seen := memo[v]; seen {
			return r
		}
		memo[v] = false // a cycle (only through phis, which are not addresses) is not address-only
		us := uses[v]
		r := len(us) > 0
		for _, u := range us {
			if u.addr {
				continue
			}
			if bc, isBC := u.user.(*ir.InstBitCast); isBC && isPointer(bc.To) && ok(bc) {
				continue
			}
			r = false
		}
		memo[v] = r
		return r
	}
	out := map[value.Value]bool{}
	for _, b := range fn.Blocks {
		for _, inst := range b.Insts {
			switch i := inst.(type) {
			case *ir.InstGetElementPtr:
				if ok(i) {
					out[i] = true
				}
			case *ir.InstBitCast:
				if isPointer(i.To) && ok(i) {
					out[i] = true
				}
			}
		}
	}
	return out
}

// addressLike reports a value findAddressOnly may fold into an address.
func addressLike(v value.Value) bool {
	switch v.(type) {
	case *ir.InstGetElementPtr, *ir.InstBitCast:
		return true
	}
	return false
}

// intrinsicAddressArgs lists the arguments an intrinsic call's template
// uses as addresses ($aN): they can be register+offset.
func intrinsicAddressArgs(call *ir.InstCall) []int {
	callee, ok := stripCasts(call.Callee).(*ir.Func)
	if !ok || !strings.HasPrefix(callee.Name(), "llvm.") {
		return nil
	}
	in := LookupIntrinsic(callee.Name())
	if in == nil {
		return nil
	}
	var out []int
	t := in.PTX
	for i := strings.Index(t, "$a"); i >= 0; i = strings.Index(t, "$a") {
		t = t[i+2:]
		j := 0
		for j < len(t) && t[j] >= '0' && t[j] <= '9' {
			j++
		}
		if n, err := strconv.Atoi(t[:j]); err == nil && n < len(call.Args) {
			out = append(out, n)
		}
	}
	return out
}

func isPointer(t types.Type) bool {
	_, ok := t.(*types.PointerType)
	return ok
}

func lowerGEP(f *fn, _ *instRow, inst ir.Instruction) error {
	g := inst.(*ir.InstGetElementPtr)
	if _, ok := g.Typ.(*types.VectorType); ok {
		return fmt.Errorf("getelementptr on vectors of pointers is not supported")
	}
	base, off, err := f.gepParts(g.ElemType, g.Src, g.Indices)
	if err != nil {
		return err
	}
	if base.isReg() && off != 0 && f.addrOnly[g] {
		f.folded[g] = addrFold{base, off}
		return nil
	}
	f.def(g, []opnd{f.addOffset(base, off)})
	return nil
}

// gep computes a getelementptr (also for constant expressions).
func (f *fn) gep(elem types.Type, base value.Value, idx []value.Value) (opnd, error) {
	b, off, err := f.gepParts(elem, base, idx)
	if err != nil {
		return opnd{}, err
	}
	return f.addOffset(b, off), nil
}

// addOffset adds a constant byte offset to a pointer operand.
func (f *fn) addOffset(b opnd, off int64) opnd {
	if off == 0 {
		return b
	}
	if !b.isReg() {
		b.bits += uint64(off)
		return b
	}
	d := f.op(kPtr, "add.s64", regName(b), fmt.Sprint(off))
	return d
}

// gepParts computes the variable part of an address into a register (or
// keeps a symbol or constant) and returns the constant byte offset apart.
// i32 indices are sign-extended with mul.wide.s32, as LLVM's getelementptr
// semantics require.
func (f *fn) gepParts(elem types.Type, base value.Value, idx []value.Value) (opnd, int64, error) {
	b, err := f.one(base)
	if err != nil {
		return opnd{}, 0, err
	}
	var off int64
	t := elem
	for i, iv := range idx {
		var scale int64
		if i > 0 {
			switch tt := t.(type) {
			case *types.ArrayType:
				t = tt.ElemType
			case *types.VectorType:
				t = tt.ElemType
			case *types.StructType:
				c, ok := constIntArg(iv)
				if !ok {
					return opnd{}, 0, fmt.Errorf("struct index must be constant")
				}
				fo, err := fieldOffset(tt, int(c))
				if err != nil {
					return opnd{}, 0, err
				}
				off += fo
				t = tt.Fields[c]
				continue
			default:
				return opnd{}, 0, fmt.Errorf("getelementptr indexes into non-aggregate %s", t.LLString())
			}
		}
		if scale, _, err = layout(t); err != nil {
			return opnd{}, 0, err
		}
		x, err := f.one(iv)
		if err != nil {
			return opnd{}, 0, err
		}
		if x.isImm() {
			off += x.sext() * scale
			continue
		}
		s := f.scaleIndex(x, scale)
		bs := f.reg(b)
		acc := f.op(kPtr, "add.s64", bs, regName(s))
		b = acc
	}
	return b, off, nil
}

// scaleIndex returns index*scale as a 64-bit register.
func (f *fn) scaleIndex(x opnd, scale int64) opnd {
	switch x.k {
	case kI32:
		if scale == 1 {
			return f.op(kI64, "cvt.s64.s32", regName(x))
		}
		return f.op(kI64, "mul.wide.s32", regName(x), fmt.Sprint(scale))
	case kI8, kI16:
		if x.k == kI8 {
			x = f.extend8(x, true)
		}
		x = f.cvt("cvt.s64.s16", kI64, x)
	}
	switch {
	case scale == 1:
		return x
	case scale&(scale-1) == 0:
		d := f.op(kI64, "shl.b64", regName(x), fmt.Sprint(bits.TrailingZeros64(uint64(scale))))
		return d
	}
	d := f.op(kI64, "mul.lo.s64", regName(x), fmt.Sprint(scale))
	return d
}

// address resolves the pointer operand of a memory instruction to a base
// (a register or a symbol), a constant offset and the state space, e.g.
// ("%rd4", 16, "global"), printed as [%rd4+16] by addrText.
func (f *fn) address(p value.Value) (base string, off int64, space string, err error) {
	pt, ok := p.Type().(*types.PointerType)
	if !ok {
		return "", 0, "", fmt.Errorf("address of type %s is not a pointer", p.Type().LLString())
	}
	if space, err = addrSpace(pt.AddrSpace); err != nil {
		return "", 0, "", err
	}
	if a, ok := f.folded[p]; ok {
		return regName(a.base), a.off, space, nil
	}
	o, err := f.one(p)
	if err != nil {
		return "", 0, "", err
	}
	if o.sym != "" {
		return o.sym, int64(o.bits), space, nil
	}
	return f.reg(o), 0, space, nil
}

func addrText(base string, off int64) string {
	if off == 0 {
		return "[" + base + "]"
	}
	return fmt.Sprintf("[%s+%d]", base, off)
}

// access is one PTX load or store of a memory plan.
type access struct {
	off   int64
	kinds []kind // the kinds of the registers the access moves (its vector elements)
	typ   string // PTX type suffix of each element
	parts int    // how many value parts it covers (words of two halves cover two)
}

// memPlan splits a load or store of a scalar or vector into PTX accesses:
// one vector access (.v2/.v4, at most 16 bytes) when the alignment allows
// it, 32-bit words when the elements are 16-bit and there are more than
// four, else one access per element.
func memPlan(ks []kind, align int64) ([]access, error) {
	k := ks[0]
	es := int64((k.bits() + 7) / 8)
	n := int64(len(ks))
	size := es * n
	if align < es {
		return nil, fmt.Errorf("alignment %d is below the %d-byte element size (unaligned accesses are not supported)", align, es)
	}
	if n == 1 {
		return []access{{0, ks, kindInfo[k].mem, 1}}, nil
	}
	if align >= size && size <= 16 {
		switch {
		case n == 2 || n == 4:
			return []access{{0, ks, kindInfo[k].mem, int(n)}}, nil
		case es == 2 && n == 8:
			w := make([]kind, size/4)
			for i := range w {
				w[i] = kI32
			}
			return []access{{0, w, "b32", int(n)}}, nil
		}
	}
	out := make([]access, n)
	for i := range out {
		out[i] = access{int64(i) * es, ks[i : i+1], kindInfo[k].mem, 1}
	}
	return out, nil
}

// memAlign is an instruction's alignment, or the type's ABI alignment.
func memAlign(a ir.Align, t types.Type) (int64, error) {
	if a != 0 {
		return int64(a), nil
	}
	_, al, err := layout(t)
	return al, err
}

func vecOp(op, space string, a access) string {
	m := withSpace(op, space)
	if len(a.kinds) > 1 {
		m += fmt.Sprintf(".v%d", len(a.kinds))
	}
	return m + "." + a.typ
}

func lowerLoad(f *fn, _ *instRow, inst ir.Instruction) error {
	l := inst.(*ir.InstLoad)
	if l.Atomic {
		return fmt.Errorf("atomic loads are not supported (use atomicrmw)")
	}
	ks, err := memKinds(l.ElemType)
	if err != nil {
		return err
	}
	var base, space string
	var off int64
	if r, ok := f.paramAddr[l.Src]; ok {
		// A byval kernel parameter plus a constant offset (byval.go).
		base, off, space = r.sym, r.off, "param"
	} else if base, off, space, err = f.address(l.Src); err != nil {
		return err
	}
	align, err := memAlign(l.Align, l.ElemType)
	if err != nil {
		return err
	}
	if ks[0] == kI1 {
		t := f.op(kI16, withSpace("ld", space)+".u8", addrText(base, off))
		d, err := f.intResize(t, kI1, false)
		if err != nil {
			return err
		}
		f.def(l, []opnd{d})
		return nil
	}
	plan, err := memPlan(ks, align)
	if err != nil {
		return err
	}
	var out []opnd
	for _, a := range plan {
		regs := f.newRegs(a.kinds)
		names := make([]string, len(regs))
		for i, r := range regs {
			names[i] = regName(r)
		}
		dst := names[0]
		if len(names) > 1 {
			dst = braces(names)
		}
		f.emit(vecOp("ld", space, a), dst, addrText(base, off+a.off))
		if a.parts != len(regs) {
			// 32-bit words holding pairs of 16-bit elements.
			regs, err = f.repack(regs, ks[len(out):len(out)+a.parts])
			if err != nil {
				return err
			}
		}
		out = append(out, regs...)
	}
	f.def(l, out)
	return nil
}

func lowerStore(f *fn, _ *instRow, inst ir.Instruction) error {
	s := inst.(*ir.InstStore)
	if s.Atomic {
		return fmt.Errorf("atomic stores are not supported (use atomicrmw xchg)")
	}
	ks, err := memKinds(s.Src.Type())
	if err != nil {
		return err
	}
	vals, err := f.parts(s.Src)
	if err != nil {
		return err
	}
	base, off, space, err := f.address(s.Dst)
	if err != nil {
		return err
	}
	align, err := memAlign(s.Align, s.Src.Type())
	if err != nil {
		return err
	}
	if ks[0] == kI1 {
		// Stored values are registers, as llc-14 emits them.
		t, err := f.intResize(vals[0], kI16, false)
		if err != nil {
			return err
		}
		f.emit(withSpace("st", space)+".u8", addrText(base, off), f.reg(t))
		return nil
	}
	plan, err := memPlan(ks, align)
	if err != nil {
		return err
	}
	i := 0
	for _, a := range plan {
		vs := vals[i : i+a.parts]
		i += a.parts
		if a.parts != len(a.kinds) {
			if vs, err = f.repack(vs, a.kinds); err != nil {
				return err
			}
		}
		var src string
		if len(vs) == 1 {
			src = f.reg(vs[0])
		} else {
			names := make([]string, len(vs))
			for j, v := range vs {
				names[j] = f.reg(v)
			}
			src = braces(names)
		}
		f.emit(vecOp("st", space, a), addrText(base, off+a.off), src)
	}
	return nil
}

// memKinds flattens a loaded or stored type: a scalar or a vector.
func memKinds(t types.Type) ([]kind, error) {
	if _, ok := t.(*types.StructType); ok {
		return nil, fmt.Errorf("loads and stores of structs are not supported")
	}
	ks, err := flatten(t)
	if err != nil {
		return nil, err
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("load or store of %s", t.LLString())
	}
	return ks, nil
}

// atomOps maps atomicrmw operations to PTX atom operations by operand
// kind. Every ordering becomes a plain atom (relaxed semantics, .gpu
// scope), as llc-14 emits; kernels that need ordering around an atomic
// add a fence.
var atomOps = map[enum.AtomicOp]map[kind]string{
	enum.AtomicOpAdd:  {kI32: "add.u32", kI64: "add.u64"},
	enum.AtomicOpSub:  {kI32: "add.u32", kI64: "add.u64"}, // of the negated operand
	enum.AtomicOpFAdd: {kF32: "add.f32", kF64: "add.f64"},
	enum.AtomicOpMax:  {kI32: "max.s32", kI64: "max.s64"},
	enum.AtomicOpMin:  {kI32: "min.s32", kI64: "min.s64"},
	enum.AtomicOpUMax: {kI32: "max.u32", kI64: "max.u64"},
	enum.AtomicOpUMin: {kI32: "min.u32", kI64: "min.u64"},
	enum.AtomicOpXChg: {kI32: "exch.b32", kI64: "exch.b64", kF32: "exch.b32", kF64: "exch.b64", kPtr: "exch.b64"},
	enum.AtomicOpAnd:  {kI32: "and.b32", kI64: "and.b64"},
	enum.AtomicOpOr:   {kI32: "or.b32", kI64: "or.b64"},
	enum.AtomicOpXor:  {kI32: "xor.b32", kI64: "xor.b64"},
}

func lowerAtomicRMW(f *fn, _ *instRow, inst ir.Instruction) error {
	a := inst.(*ir.InstAtomicRMW)
	v, err := f.one(a.X)
	if err != nil {
		return err
	}
	op := atomOps[a.Op][v.k]
	if op == "" {
		return fmt.Errorf("atomicrmw %s on %s is not supported", a.Op, v.k)
	}
	base, off, space, err := f.address(a.Dst)
	if err != nil {
		return err
	}
	if space != "" && space != "global" && space != "shared" {
		return fmt.Errorf("atomicrmw in the %s space is not supported", space)
	}
	if a.Op == enum.AtomicOpSub {
		n := f.op(v.k, "neg."+v.k.intType(true), f.reg(v))
		v = n
	}
	ty := op[len(op)-3:]
	d := f.op(v.k, withSpace("atom", space)+"."+op, addrText(base, off), f.src(v, ty))
	f.def(a, []opnd{d})
	return nil
}

func lowerCmpXchg(f *fn, _ *instRow, inst ir.Instruction) error {
	c := inst.(*ir.InstCmpXchg)
	cmp, err := f.one(c.Cmp)
	if err != nil {
		return err
	}
	nv, err := f.one(c.New)
	if err != nil {
		return err
	}
	if cmp.k != kI32 && cmp.k != kI64 && cmp.k != kPtr {
		return fmt.Errorf("cmpxchg on %s is not supported", cmp.k)
	}
	base, off, space, err := f.address(c.Ptr)
	if err != nil {
		return err
	}
	if space != "" && space != "global" && space != "shared" {
		return fmt.Errorf("cmpxchg in the %s space is not supported", space)
	}
	t := cmp.k.bitsType()
	d := f.op(cmp.k, withSpace("atom", space)+".cas."+t, addrText(base, off), f.src(cmp, t), f.src(nv, t))
	st := "s" + t[1:]
	ok := f.op(kI1, "setp.eq."+st, regName(d), f.src(cmp, st))
	f.def(c, []opnd{d, ok})
	return nil
}

// lowerFence maps a fence to PTX: seq_cst is membar (fence.sc), the
// weaker orderings fence.acq_rel. The scope is the GPU (.gpu, membar.gl)
// unless the fence has syncscope("block"), which gives the CTA scope.
// llc-14 cannot select fence at all.
func lowerFence(f *fn, _ *instRow, inst ir.Instruction) error {
	fe := inst.(*ir.InstFence)
	cta := false
	switch fe.SyncScope {
	case "", "device", "gpu":
	case "block", "cta":
		cta = true
	default:
		return fmt.Errorf("fence syncscope %q is not supported", fe.SyncScope)
	}
	switch fe.Ordering {
	case enum.AtomicOrderingSequentiallyConsistent:
		if cta {
			f.emit("membar.cta")
		} else {
			f.emit("membar.gl")
		}
	case enum.AtomicOrderingAcquire, enum.AtomicOrderingRelease, enum.AtomicOrderingAcquireRelease:
		if cta {
			f.emit("fence.acq_rel.cta")
		} else {
			f.emit("fence.acq_rel.gpu")
		}
	default:
		return fmt.Errorf("fence ordering %s is not supported", fe.Ordering)
	}
	return nil
}
