package ptx

import (
	"fmt"
	"reflect"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

// instRow is one row of the instruction table: an LLVM instruction (by its
// llir type), its opcode, the function that lowers it, and the PTX details
// that function reads from the row.
type instRow struct {
	proto ir.Instruction // typed nil, e.g. (*ir.InstAdd)(nil)
	name  string         // LLVM opcode
	lower func(f *fn, r *instRow, inst ir.Instruction) error
	ptx   string   // PTX mnemonic (stem) the row emits, where one applies
	typ   byte     // integer rows: 's', 'u' or 'b', the prefix of the type suffix
	flags rowFlags // integer rows: operand properties
	pred  string   // integer rows: the .pred instruction for i1 operands
}

type rowFlags uint8

const (
	commutative rowFlags = 1 << iota // an immediate first operand may be swapped to second
	zext8                            // i8 operands are zero-extended first (upper byte is undefined)
	sext8                            // i8 operands are sign-extended first
	shiftOp                          // second operand is a shift amount (.u32 in PTX)
)

// instRows is the supported LLVM instruction set. Anything else is an
// error naming the instruction.
var instRows = []instRow{
	// Integer arithmetic, elementwise on vectors.
	{proto: (*ir.InstAdd)(nil), name: "add", lower: lowerIntBinary, ptx: "add", typ: 's', flags: commutative, pred: "xor.pred"},
	{proto: (*ir.InstSub)(nil), name: "sub", lower: lowerIntBinary, ptx: "sub", typ: 's', pred: "xor.pred"},
	{proto: (*ir.InstMul)(nil), name: "mul", lower: lowerIntBinary, ptx: "mul.lo", typ: 's', flags: commutative, pred: "and.pred"},
	{proto: (*ir.InstSDiv)(nil), name: "sdiv", lower: lowerIntBinary, ptx: "div", typ: 's', flags: sext8},
	{proto: (*ir.InstUDiv)(nil), name: "udiv", lower: lowerIntBinary, ptx: "div", typ: 'u', flags: zext8},
	{proto: (*ir.InstSRem)(nil), name: "srem", lower: lowerIntBinary, ptx: "rem", typ: 's', flags: sext8},
	{proto: (*ir.InstURem)(nil), name: "urem", lower: lowerIntBinary, ptx: "rem", typ: 'u', flags: zext8},
	{proto: (*ir.InstShl)(nil), name: "shl", lower: lowerIntBinary, ptx: "shl", typ: 'b', flags: shiftOp},
	{proto: (*ir.InstLShr)(nil), name: "lshr", lower: lowerIntBinary, ptx: "shr", typ: 'u', flags: shiftOp | zext8},
	{proto: (*ir.InstAShr)(nil), name: "ashr", lower: lowerIntBinary, ptx: "shr", typ: 's', flags: shiftOp | sext8},
	{proto: (*ir.InstAnd)(nil), name: "and", lower: lowerIntBinary, ptx: "and", typ: 'b', flags: commutative, pred: "and.pred"},
	{proto: (*ir.InstOr)(nil), name: "or", lower: lowerIntBinary, ptx: "or", typ: 'b', flags: commutative, pred: "or.pred"},
	{proto: (*ir.InstXor)(nil), name: "xor", lower: lowerIntBinary, ptx: "xor", typ: 'b', flags: commutative, pred: "xor.pred"},
	// Float arithmetic (see floatOp for rounding and the fast-math rule).
	{proto: (*ir.InstFAdd)(nil), name: "fadd", lower: lowerFloatBinary, ptx: "add"},
	{proto: (*ir.InstFSub)(nil), name: "fsub", lower: lowerFloatBinary, ptx: "sub"},
	{proto: (*ir.InstFMul)(nil), name: "fmul", lower: lowerFloatBinary, ptx: "mul"},
	{proto: (*ir.InstFDiv)(nil), name: "fdiv", lower: lowerFloatBinary, ptx: "div"},
	{proto: (*ir.InstFRem)(nil), name: "frem", lower: lowerFloatBinary, ptx: "rem"},
	{proto: (*ir.InstFNeg)(nil), name: "fneg", lower: lowerFNeg, ptx: "neg"},
	// Comparisons and selection.
	{proto: (*ir.InstICmp)(nil), name: "icmp", lower: lowerICmp, ptx: "setp"},
	{proto: (*ir.InstFCmp)(nil), name: "fcmp", lower: lowerFCmp, ptx: "setp"},
	{proto: (*ir.InstSelect)(nil), name: "select", lower: lowerSelect, ptx: "selp"},
	{proto: (*ir.InstPhi)(nil), name: "phi", lower: func(f *fn, _ *instRow, i ir.Instruction) error { return lowerPhi(f, i) }},
	{proto: (*ir.InstFreeze)(nil), name: "freeze", lower: lowerFreeze},
	// Conversions.
	{proto: (*ir.InstTrunc)(nil), name: "trunc", lower: lowerCast, ptx: "cvt"},
	{proto: (*ir.InstZExt)(nil), name: "zext", lower: lowerCast, ptx: "cvt"},
	{proto: (*ir.InstSExt)(nil), name: "sext", lower: lowerCast, ptx: "cvt"},
	{proto: (*ir.InstFPTrunc)(nil), name: "fptrunc", lower: lowerCast, ptx: "cvt"},
	{proto: (*ir.InstFPExt)(nil), name: "fpext", lower: lowerCast, ptx: "cvt"},
	{proto: (*ir.InstFPToSI)(nil), name: "fptosi", lower: lowerCast, ptx: "cvt"},
	{proto: (*ir.InstFPToUI)(nil), name: "fptoui", lower: lowerCast, ptx: "cvt"},
	{proto: (*ir.InstSIToFP)(nil), name: "sitofp", lower: lowerCast, ptx: "cvt"},
	{proto: (*ir.InstUIToFP)(nil), name: "uitofp", lower: lowerCast, ptx: "cvt"},
	{proto: (*ir.InstBitCast)(nil), name: "bitcast", lower: lowerCast, ptx: "mov"},
	{proto: (*ir.InstPtrToInt)(nil), name: "ptrtoint", lower: lowerCast, ptx: "cvt"},
	{proto: (*ir.InstIntToPtr)(nil), name: "inttoptr", lower: lowerCast, ptx: "cvt"},
	{proto: (*ir.InstAddrSpaceCast)(nil), name: "addrspacecast", lower: lowerCast, ptx: "cvta"},
	// Vectors and aggregates: parts are renamed, no instructions.
	{proto: (*ir.InstExtractElement)(nil), name: "extractelement", lower: lowerExtractElement},
	{proto: (*ir.InstInsertElement)(nil), name: "insertelement", lower: lowerInsertElement},
	{proto: (*ir.InstShuffleVector)(nil), name: "shufflevector", lower: lowerShuffleVector},
	{proto: (*ir.InstExtractValue)(nil), name: "extractvalue", lower: lowerExtractValue},
	{proto: (*ir.InstInsertValue)(nil), name: "insertvalue", lower: lowerInsertValue},
	// Memory (memory.go).
	{proto: (*ir.InstLoad)(nil), name: "load", lower: lowerLoad, ptx: "ld"},
	{proto: (*ir.InstStore)(nil), name: "store", lower: lowerStore, ptx: "st"},
	{proto: (*ir.InstGetElementPtr)(nil), name: "getelementptr", lower: lowerGEP, ptx: "add"},
	{proto: (*ir.InstAtomicRMW)(nil), name: "atomicrmw", lower: lowerAtomicRMW, ptx: "atom"},
	{proto: (*ir.InstCmpXchg)(nil), name: "cmpxchg", lower: lowerCmpXchg, ptx: "atom"},
	{proto: (*ir.InstFence)(nil), name: "fence", lower: lowerFence, ptx: "fence"},
	// Calls: intrinsics, .func calls, inline asm (call.go).
	{proto: (*ir.InstCall)(nil), name: "call", lower: lowerCall, ptx: "call"},
}

// instTable indexes instRows by the llir type of the instruction.
var instTable = func() map[reflect.Type]*instRow {
	m := make(map[reflect.Type]*instRow, len(instRows))
	for i := range instRows {
		t := reflect.TypeOf(instRows[i].proto)
		if m[t] != nil {
			panic("ptx: duplicate instruction row " + instRows[i].name)
		}
		m[t] = &instRows[i]
	}
	return m
}()

// binaryOperands returns the parts of a two-operand instruction.
func (f *fn) binaryOperands(inst ir.Instruction) (xs, ys []opnd, err error) {
	ops := inst.Operands()
	if xs, err = f.parts(*ops[0]); err != nil {
		return nil, nil, err
	}
	if ys, err = f.parts(*ops[1]); err != nil {
		return nil, nil, err
	}
	if len(xs) != len(ys) {
		return nil, nil, fmt.Errorf("operands have %d and %d parts", len(xs), len(ys))
	}
	return xs, ys, nil
}

func lowerIntBinary(f *fn, r *instRow, inst ir.Instruction) error {
	xs, ys, err := f.binaryOperands(inst)
	if err != nil {
		return err
	}
	out := make([]opnd, len(xs))
	for i := range xs {
		if out[i], err = f.intOp(r, xs[i], ys[i]); err != nil {
			return err
		}
	}
	f.def(inst.(value.Value), out)
	return nil
}

// intOp emits one scalar integer operation. i8 values live in 16-bit
// registers with an undefined upper byte, so operations that read the
// upper bits (division, right shifts) extend their operands first.
func (f *fn) intOp(r *instRow, a, b opnd) (opnd, error) {
	k := a.k
	if k == kI1 {
		if r.pred == "" {
			return opnd{}, fmt.Errorf("%s on i1 is not supported", r.name)
		}
		if r.pred == "xor.pred" && (a.isImm() || b.isImm()) {
			// x ^ true is not.pred; x ^ false is x.
			if a.isImm() {
				a, b = b, a
			}
			if b.bits&1 == 0 {
				return a, nil
			}
			return f.op(kI1, "not.pred", f.reg(a)), nil
		}
		d := f.op(kI1, r.pred, f.reg(a), f.reg(b))
		return d, nil
	}
	if !k.isInt() {
		return opnd{}, fmt.Errorf("%s on %s is not supported", r.name, k)
	}
	if k == kI8 && r.flags&(zext8|sext8) != 0 {
		a = f.extend8(a, r.flags&sext8 != 0)
		if r.flags&shiftOp == 0 {
			b = f.extend8(b, r.flags&sext8 != 0)
		}
	}
	t := fmt.Sprintf("%c%d", r.typ, kindInfo[k].arith)
	if r.flags&shiftOp != 0 {
		return f.op(k, r.ptx+"."+t, f.reg(a), f.shiftAmount(b)), nil
	}
	if a.isImm() && !b.isImm() && r.flags&commutative != 0 {
		a, b = b, a
	}
	return f.op(k, r.ptx+"."+t, f.reg(a), f.src(b, t)), nil
}

// extend8 gives an i8 value a defined upper byte: sign or zero extended.
func (f *fn) extend8(o opnd, signed bool) opnd {
	if o.isImm() {
		if signed {
			return imm(kI16, uint64(o.sext()))
		}
		return imm(kI16, o.bits&0xFF)
	}
	if signed {
		return f.op(kI16, "cvt.s16.s8", regName(o))
	}
	return f.op(kI16, "and.b16", regName(o), "255")
}

// shiftAmount formats a shift amount: PTX shifts take it as .u32 whatever
// the shifted type.
func (f *fn) shiftAmount(o opnd) string {
	if o.isImm() {
		return fmt.Sprint(o.bits)
	}
	switch o.k {
	case kI32:
		return regName(o)
	case kI8:
		o = f.extend8(o, false)
	}
	d := f.op(kI32, "cvt.u32."+o.k.intType(false), regName(o))
	return regName(d)
}

func lowerFloatBinary(f *fn, r *instRow, inst ir.Instruction) error {
	xs, ys, err := f.binaryOperands(inst)
	if err != nil {
		return err
	}
	out := make([]opnd, len(xs))
	for i := range xs {
		if out[i], err = f.floatOp(r.ptx, xs[i], ys[i]); err != nil {
			return err
		}
	}
	f.def(inst.(value.Value), out)
	return nil
}

// ftzFor is ".ftz" for f32 instructions in a function whose f32 denormals
// are flushed, as llc-14 does.
func (f *fn) ftzFor(k kind) string {
	if f.ftz && k == kF32 {
		return ".ftz"
	}
	return ""
}

// floatOp emits one scalar float operation.
//
// Rounding rule (the same as llc-14): add, sub and mul are IEEE .rn.
// fdiv is div.rn unless the function has "unsafe-fp-math"="true", which
// makes f32 division div.approx (fast-math flags on the instruction alone
// change nothing: llc-14 only looks at the function attribute). frem is
// llc-14's expansion a - trunc(a/b)*b. Half division and remainder are
// done in f32 and rounded back, as llc-14 does.
func (f *fn) floatOp(op string, a, b opnd) (opnd, error) {
	k := a.k
	if !k.isFloat() {
		return opnd{}, fmt.Errorf("float operation on %s", k)
	}
	if k == kF16 && (op == "div" || op == "rem") {
		wa, wb := f.cvt("cvt.f32.f16", kF32, a), f.cvt("cvt.f32.f16", kF32, b)
		r, err := f.floatOp(op, wa, wb)
		if err != nil {
			return opnd{}, err
		}
		return f.cvt("cvt.rn.f16.f32", kF16, r), nil
	}
	ft, ftz := k.floatType(), f.ftzFor(k)
	switch op {
	case "div":
		rnd := ".rn"
		if f.unsafe && k == kF32 {
			rnd = ".approx"
		}
		return f.op(k, "div"+rnd+ftz+"."+ft, f.reg(a), f.src(b, ft)), nil
	case "rem":
		q := f.op(k, "div.rn"+ftz+"."+ft, f.reg(a), f.src(b, ft))
		t := f.op(k, "cvt.rzi"+ftz+"."+ft+"."+ft, regName(q))
		m := f.op(k, "mul.rn"+ftz+"."+ft, regName(t), f.src(b, ft))
		return f.op(k, "sub.rn"+ftz+"."+ft, f.reg(a), regName(m)), nil
	}
	if a.isImm() && !b.isImm() && op != "sub" {
		a, b = b, a
	}
	return f.op(k, op+".rn"+ftz+"."+ft, f.reg(a), f.src(b, ft)), nil
}

// cvt emits a one-operand conversion into a fresh register of kind k.
func (f *fn) cvt(mnemonic string, k kind, a opnd) opnd { return f.op(k, mnemonic, f.reg(a)) }

func lowerFNeg(f *fn, _ *instRow, inst ir.Instruction) error {
	xs, err := f.parts(inst.(*ir.InstFNeg).X)
	if err != nil {
		return err
	}
	out := make([]opnd, len(xs))
	for i, x := range xs {
		switch x.k {
		case kF16:
			// llc-14 flips the sign bit: no f16 neg before sm_53 semantics.
			d := f.op(kF16, "xor.b16", f.reg(x), "-32768")
			out[i] = d
		case kF32, kF64:
			out[i] = f.cvt("neg"+f.ftzFor(x.k)+"."+x.k.floatType(), x.k, x)
		default:
			return fmt.Errorf("fneg of %s", x.k)
		}
	}
	f.def(inst.(value.Value), out)
	return nil
}

// icmpPreds maps an integer predicate to PTX: comparison, signedness, and
// the predicate that holds with the operands swapped.
var icmpPreds = map[enum.IPred]struct {
	cmp    string
	signed bool
	swap   enum.IPred
}{
	enum.IPredEQ:  {"eq", true, enum.IPredEQ},
	enum.IPredNE:  {"ne", true, enum.IPredNE},
	enum.IPredSGT: {"gt", true, enum.IPredSLT},
	enum.IPredSGE: {"ge", true, enum.IPredSLE},
	enum.IPredSLT: {"lt", true, enum.IPredSGT},
	enum.IPredSLE: {"le", true, enum.IPredSGE},
	enum.IPredUGT: {"gt", false, enum.IPredULT},
	enum.IPredUGE: {"ge", false, enum.IPredULE},
	enum.IPredULT: {"lt", false, enum.IPredUGT},
	enum.IPredULE: {"le", false, enum.IPredUGE},
}

func lowerICmp(f *fn, _ *instRow, inst ir.Instruction) error {
	c := inst.(*ir.InstICmp)
	a, err := f.one(c.X)
	if err != nil {
		return fmt.Errorf("vector compares are not supported: %w", err)
	}
	b, err := f.one(c.Y)
	if err != nil {
		return fmt.Errorf("vector compares are not supported: %w", err)
	}
	pred := c.Pred
	if a.k == kI1 {
		var d opnd
		switch pred {
		case enum.IPredNE:
			d = f.op(kI1, "xor.pred", f.reg(a), f.reg(b))
		case enum.IPredEQ:
			t := f.op(kI1, "xor.pred", f.reg(a), f.reg(b))
			d = f.op(kI1, "not.pred", regName(t))
		default:
			return fmt.Errorf("icmp %s on i1 is not supported", pred)
		}
		f.def(c, []opnd{d})
		return nil
	}
	if a.isImm() && !b.isImm() {
		a, b, pred = b, a, icmpPreds[pred].swap
	}
	p := icmpPreds[pred]
	if a.k == kI8 {
		a, b = f.extend8(a, p.signed && pred != enum.IPredEQ && pred != enum.IPredNE), f.extend8(b, p.signed && pred != enum.IPredEQ && pred != enum.IPredNE)
	}
	t := a.k.intType(p.signed)
	d := f.op(kI1, "setp."+p.cmp+"."+t, f.reg(a), f.src(b, t))
	f.def(c, []opnd{d})
	return nil
}

// fcmpPreds maps a float predicate to PTX's comparison (the u forms are
// true when either operand is NaN) and its operand-swapped form.
var fcmpPreds = map[enum.FPred]struct{ cmp, swap string }{
	enum.FPredOEQ: {"eq", "eq"},
	enum.FPredOGT: {"gt", "lt"},
	enum.FPredOGE: {"ge", "le"},
	enum.FPredOLT: {"lt", "gt"},
	enum.FPredOLE: {"le", "ge"},
	enum.FPredONE: {"ne", "ne"},
	enum.FPredORD: {"num", "num"},
	enum.FPredUEQ: {"equ", "equ"},
	enum.FPredUGT: {"gtu", "ltu"},
	enum.FPredUGE: {"geu", "leu"},
	enum.FPredULT: {"ltu", "gtu"},
	enum.FPredULE: {"leu", "geu"},
	enum.FPredUNE: {"neu", "neu"},
	enum.FPredUNO: {"nan", "nan"},
}

func lowerFCmp(f *fn, _ *instRow, inst ir.Instruction) error {
	c := inst.(*ir.InstFCmp)
	a, err := f.one(c.X)
	if err != nil {
		return fmt.Errorf("vector compares are not supported: %w", err)
	}
	b, err := f.one(c.Y)
	if err != nil {
		return fmt.Errorf("vector compares are not supported: %w", err)
	}
	switch c.Pred {
	case enum.FPredFalse:
		f.def(c, []opnd{imm(kI1, 0)})
		return nil
	case enum.FPredTrue:
		f.def(c, []opnd{imm(kI1, 1)})
		return nil
	}
	p := fcmpPreds[c.Pred]
	cmp := p.cmp
	if a.isImm() && !b.isImm() {
		a, b, cmp = b, a, p.swap
	}
	t := a.k.floatType()
	d := f.op(kI1, "setp."+cmp+f.ftzFor(a.k)+"."+t, f.reg(a), f.src(b, t))
	f.def(c, []opnd{d})
	return nil
}

// selpType is the selp suffix of a kind.
func selpType(k kind) string {
	switch k {
	case kF32:
		return "f32"
	case kF64:
		return "f64"
	}
	return k.bitsType()
}

func lowerSelect(f *fn, _ *instRow, inst ir.Instruction) error {
	s := inst.(*ir.InstSelect)
	if _, ok := s.Cond.Type().(*types.VectorType); ok {
		return fmt.Errorf("select with a vector condition is not supported")
	}
	c, err := f.one(s.Cond)
	if err != nil {
		return err
	}
	if c.k != kI1 {
		return fmt.Errorf("select condition is %s, not i1", c.k)
	}
	xs, err := f.parts(s.ValueTrue)
	if err != nil {
		return err
	}
	ys, err := f.parts(s.ValueFalse)
	if err != nil {
		return err
	}
	if c.isImm() {
		if c.bits&1 != 0 {
			f.def(s, xs)
		} else {
			f.def(s, ys)
		}
		return nil
	}
	if len(xs) != len(ys) {
		return fmt.Errorf("select operands have %d and %d parts", len(xs), len(ys))
	}
	out := make([]opnd, len(xs))
	for i := range xs {
		out[i] = f.selp(c, xs[i], ys[i])
	}
	f.def(s, out)
	return nil
}

// selp emits d = c ? a : b for one part.
func (f *fn) selp(c, a, b opnd) opnd {
	if a.k == kI1 {
		// No selp for predicates: (c & a) | (!c & b).
		t1 := f.op(kI1, "and.pred", regName(c), f.reg(a))
		nc := f.op(kI1, "not.pred", regName(c))
		t2 := f.op(kI1, "and.pred", regName(nc), f.reg(b))
		return f.op(kI1, "or.pred", regName(t1), regName(t2))
	}
	t := selpType(a.k)
	return f.op(a.k, "selp."+t, f.selpSrc(a, t), f.selpSrc(b, t), regName(c))
}

// selpSrc allows immediates in selp, halves included (selp.b16 takes their bits).
func (f *fn) selpSrc(o opnd, t string) string {
	if o.isImm() {
		return immText(o, t)
	}
	return f.reg(o)
}

func lowerFreeze(f *fn, _ *instRow, inst ir.Instruction) error {
	p, err := f.parts(inst.(*ir.InstFreeze).X)
	if err != nil {
		return err
	}
	f.def(inst.(value.Value), p)
	return nil
}

func lowerExtractElement(f *fn, _ *instRow, inst ir.Instruction) error {
	e := inst.(*ir.InstExtractElement)
	xs, err := f.parts(e.X)
	if err != nil {
		return err
	}
	i, ok := constIntArg(e.Index)
	if !ok || i < 0 || int(i) >= len(xs) {
		return fmt.Errorf("extractelement needs a constant index in range")
	}
	f.def(e, xs[i:i+1])
	return nil
}

func lowerInsertElement(f *fn, _ *instRow, inst ir.Instruction) error {
	e := inst.(*ir.InstInsertElement)
	xs, err := f.parts(e.X)
	if err != nil {
		return err
	}
	v, err := f.one(e.Elem)
	if err != nil {
		return err
	}
	i, ok := constIntArg(e.Index)
	if !ok || i < 0 || int(i) >= len(xs) {
		return fmt.Errorf("insertelement needs a constant index in range")
	}
	out := append([]opnd(nil), xs...)
	out[i] = v
	f.def(e, out)
	return nil
}

func lowerShuffleVector(f *fn, _ *instRow, inst ir.Instruction) error {
	s := inst.(*ir.InstShuffleVector)
	xs, err := f.parts(s.X)
	if err != nil {
		return err
	}
	ys, err := f.parts(s.Y)
	if err != nil {
		return err
	}
	both := append(append([]opnd(nil), xs...), ys...)
	n := int(s.Typ.Len)
	out := make([]opnd, n)
	var mask []constant.Constant
	switch m := s.Mask.(type) {
	case *constant.Vector:
		mask = m.Elems
	case *constant.ZeroInitializer:
		mask = make([]constant.Constant, n)
		for i := range mask {
			mask[i] = constant.NewInt(types.I32, 0)
		}
	case *constant.Undef, *constant.Poison:
		mask = make([]constant.Constant, n)
	default:
		return fmt.Errorf("shufflevector needs a constant mask")
	}
	for i := 0; i < n; i++ {
		j, ok := int64(-1), false
		if i < len(mask) && mask[i] != nil {
			j, ok = constIntArg(mask[i])
		}
		if !ok || j < 0 {
			out[i] = imm(xs[0].k, 0) // undef lane
			continue
		}
		if int(j) >= len(both) {
			return fmt.Errorf("shufflevector mask index %d out of range", j)
		}
		out[i] = both[j]
	}
	f.def(s, out)
	return nil
}

// partRange finds the parts of an aggregate member: its first part and
// how many parts it has.
func partRange(t types.Type, idx []uint64) (start, n int, err error) {
	for _, i := range idx {
		st, ok := t.(*types.StructType)
		if !ok {
			return 0, 0, fmt.Errorf("aggregate type %s is not supported (only literal structs)", t.LLString())
		}
		if i >= uint64(len(st.Fields)) {
			return 0, 0, fmt.Errorf("index %d out of range", i)
		}
		for _, fld := range st.Fields[:i] {
			ks, err := flatten(fld)
			if err != nil {
				return 0, 0, err
			}
			start += len(ks)
		}
		t = st.Fields[i]
	}
	ks, err := flatten(t)
	return start, len(ks), err
}

func lowerExtractValue(f *fn, _ *instRow, inst ir.Instruction) error {
	e := inst.(*ir.InstExtractValue)
	xs, err := f.parts(e.X)
	if err != nil {
		return err
	}
	s, n, err := partRange(e.X.Type(), e.Indices)
	if err != nil {
		return err
	}
	if s+n > len(xs) {
		return fmt.Errorf("extractvalue: member out of range")
	}
	f.def(e, xs[s:s+n])
	return nil
}

func lowerInsertValue(f *fn, _ *instRow, inst ir.Instruction) error {
	e := inst.(*ir.InstInsertValue)
	xs, err := f.parts(e.X)
	if err != nil {
		return err
	}
	v, err := f.parts(e.Elem)
	if err != nil {
		return err
	}
	s, n, err := partRange(e.X.Type(), e.Indices)
	if err != nil {
		return err
	}
	if n != len(v) || s+n > len(xs) {
		return fmt.Errorf("insertvalue: member has %d parts, value %d", n, len(v))
	}
	out := append([]opnd(nil), xs...)
	copy(out[s:], v)
	f.def(e, out)
	return nil
}
