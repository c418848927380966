package ptx

import (
	"fmt"
	"strings"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

func lowerCast(f *fn, r *instRow, inst ir.Instruction) error {
	from := *inst.Operands()[0]
	to := inst.(value.Value).Type()
	if a, ok := f.folded[from]; ok && r.name == "bitcast" && f.addrOnly[inst.(value.Value)] {
		// A pointer bitcast of a folded address is the same address.
		f.folded[inst.(value.Value)] = a
		return nil
	}
	out, err := f.convert(r.name, from, to)
	if err != nil {
		return err
	}
	f.def(inst.(value.Value), out)
	return nil
}

// convert lowers the cast op of from to type to, elementwise on vectors
// except for bitcast, which reinterprets the bits of the whole value.
func (f *fn) convert(op string, from value.Value, to types.Type) ([]opnd, error) {
	xs, err := f.parts(from)
	if err != nil {
		return nil, err
	}
	tks, err := flatten(to)
	if err != nil {
		return nil, err
	}
	switch op {
	case "bitcast":
		return f.repack(xs, tks)
	case "addrspacecast":
		src, ok1 := from.Type().(*types.PointerType)
		dst, ok2 := to.(*types.PointerType)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("addrspacecast of vectors of pointers is not supported")
		}
		o, err := f.addrSpaceCast(xs[0], src.AddrSpace, dst.AddrSpace)
		if err != nil {
			return nil, err
		}
		return []opnd{o}, nil
	}
	if len(xs) != len(tks) {
		return nil, fmt.Errorf("%s: %d parts to %d", op, len(xs), len(tks))
	}
	out := make([]opnd, len(xs))
	for i, x := range xs {
		if out[i], err = f.convert1(op, x, tks[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// convert1 converts one scalar. Integer widths follow the register
// classes: i8 and i16 share 16-bit registers (i8's upper byte undefined),
// so a truncation to i8 is free and an extension from i8 first defines
// the upper byte.
func (f *fn) convert1(op string, x opnd, to kind) (opnd, error) {
	from := x.k
	switch op {
	case "trunc", "ptrtoint", "inttoptr":
		return f.intResize(x, to, false)
	case "zext":
		return f.intResize(x, to, false)
	case "sext":
		return f.intResize(x, to, true)
	case "fptrunc":
		return f.cvt("cvt.rn"+f.ftzFor(to)+f.ftzFor(from)+"."+to.floatType()+"."+from.floatType(), to, x), nil
	case "fpext":
		return f.cvt("cvt"+f.ftzFor(from)+f.ftzFor(to)+"."+to.floatType()+"."+from.floatType(), to, x), nil
	case "fptosi", "fptoui":
		if to == kI1 {
			return opnd{}, fmt.Errorf("%s to i1 is not supported", op)
		}
		it := to.intType(op == "fptosi")
		return f.cvt("cvt.rzi"+f.ftzFor(from)+"."+it+"."+from.floatType(), to, x), nil
	case "sitofp", "uitofp":
		signed := op == "sitofp"
		if from == kI1 {
			t := selpType(to)
			return f.op(to, "selp."+t, immText(floatOne(to, signed), t), immText(imm(to, 0), t), f.reg(x)), nil
		}
		if from == kI8 {
			x = f.extend8(x, signed)
		}
		return f.cvt("cvt.rn."+to.floatType()+"."+x.k.intType(signed), to, x), nil
	}
	return opnd{}, fmt.Errorf("unknown cast %s", op)
}

// floatOne is 1.0 (or -1.0 for a signed i1, whose true is -1) of kind k.
func floatOne(k kind, neg bool) opnd {
	switch k {
	case kF16:
		if neg {
			return imm(kF16, 0xBC00)
		}
		return imm(kF16, 0x3C00)
	case kF32:
		if neg {
			return f32Imm(-1)
		}
		return f32Imm(1)
	}
	if neg {
		return f64Imm(-1)
	}
	return f64Imm(1)
}

// intResize converts between integer kinds (pointers count as i64).
func (f *fn) intResize(x opnd, to kind, signed bool) (opnd, error) {
	from := x.k
	if !(from.isInt() || from == kI1) || !(to.isInt() || to == kI1) {
		return opnd{}, fmt.Errorf("integer conversion from %s to %s", from, to)
	}
	if x.isImm() {
		v := x.bits
		if signed {
			v = uint64(x.sext())
		}
		return imm(to, v), nil
	}
	if x.sym != "" {
		x = f.inReg(x)
	}
	switch {
	case from == to, from.cls() == to.cls() && to.bits() <= from.bits():
		// Same register class and not wider: the bits are already there
		// (ptr <-> i64, i16 -> i8).
		return opnd{k: to, reg: x.reg}, nil
	case to == kI1:
		w := kindInfo[from].arith
		t := f.op(from, fmt.Sprintf("and.b%d", w), regName(x), "1")
		d := f.op(kI1, fmt.Sprintf("setp.eq.b%d", w), regName(t), "1")
		return d, nil
	case from == kI1:
		one := "1"
		if signed {
			one = "-1"
		}
		return f.op(to, "selp."+to.intType(signed), one, "0", regName(x)), nil
	}
	if from == kI8 {
		// Define the upper byte; that may already be the whole job.
		x = f.extend8(x, signed)
		if to.cls() == cB16 {
			return opnd{k: to, reg: x.reg}, nil
		}
		from = kI16
	}
	if to.bits() < from.bits() {
		return f.cvt("cvt."+to.intType(false)+"."+from.intType(false), to, x), nil
	}
	return f.cvt("cvt."+to.intType(signed)+"."+from.intType(signed), to, x), nil
}

// repack reinterprets the bits of parts xs as parts of kinds tks (a
// bitcast). Equal layouts are renamed or moved part by part; otherwise
// narrow parts are packed into wide ones with mov.bN d, {a, b} and wide
// ones unpacked with mov.bN {a, b}, s.
func (f *fn) repack(xs []opnd, tks []kind) ([]opnd, error) {
	total := func(ks []kind) int {
		n := 0
		for _, k := range ks {
			n += k.bits()
		}
		return n
	}
	xks := make([]kind, len(xs))
	for i, x := range xs {
		xks[i] = x.k
	}
	if total(xks) != total(tks) {
		return nil, fmt.Errorf("bitcast between types of different sizes")
	}
	for _, k := range append(append([]kind(nil), xks...), tks...) {
		if k == kI1 || k == kI8 {
			return nil, fmt.Errorf("bitcast of %s parts is not supported", k)
		}
	}
	var out []opnd
	i, j := 0, 0
	for i < len(xs) {
		x, tk := xs[i], tks[j]
		switch {
		case x.k.bits() == tk.bits():
			out = append(out, f.retype(x, tk))
			i, j = i+1, j+1
		case x.k.bits() > tk.bits():
			n := x.k.bits() / tk.bits()
			if j+n > len(tks) {
				return nil, fmt.Errorf("bitcast parts do not line up")
			}
			for _, k := range tks[j : j+n] {
				if k.bits() != tk.bits() {
					return nil, fmt.Errorf("bitcast parts do not line up")
				}
			}
			ds := make([]string, n)
			for m := 0; m < n; m++ {
				r := f.newReg(tks[j+m])
				out = append(out, r)
				ds[m] = regName(r)
			}
			x = f.inReg(x)
			f.emit("mov."+x.k.bitsType(), braces(ds), regName(x))
			f.unpacks = append(f.unpacks, unpackLine{f.cur, len(f.cur.lines) - 1, ds})
			f.packed[partsKey(out[len(out)-n:])] = x
			i, j = i+1, j+n
		default:
			var ss []string
			w, i0 := 0, i
			for w < tk.bits() && i < len(xs) {
				w += xs[i].k.bits()
				i++
			}
			if w != tk.bits() {
				return nil, fmt.Errorf("bitcast parts do not line up")
			}
			if p, ok := f.packed[partsKey(xs[i0:i])]; ok && partsKey(xs[i0:i]) != "" {
				// These parts were unpacked from p: use it again.
				out = append(out, f.retype(p, tk))
				j++
				continue
			}
			for _, x := range xs[i0:i] {
				ss = append(ss, f.reg(x))
			}
			r := f.op(tk, "mov."+tk.bitsType(), braces(ss))
			out = append(out, r)
			j++
		}
	}
	return out, nil
}

// retype gives the bits of x the kind k of the same width: a rename when
// the class is the same, else a mov.bN between classes.
func (f *fn) retype(x opnd, k kind) opnd {
	if x.k == k {
		return x
	}
	if x.isImm() {
		return imm(k, x.bits)
	}
	if x.sym != "" {
		x = f.inReg(x)
	}
	if x.k.cls() == k.cls() {
		return opnd{k: k, reg: x.reg}
	}
	d := f.op(k, "mov."+k.bitsType(), regName(x))
	return d
}

// partsKey identifies a list of registers, for the packed memo.
func partsKey(ps []opnd) string {
	var sb strings.Builder
	for _, p := range ps {
		if !p.isReg() {
			return ""
		}
		fmt.Fprintf(&sb, "%s,", regName(p))
	}
	return sb.String()
}

func braces(ss []string) string {
	s := "{"
	for i, x := range ss {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s + "}"
}

// addrSpaceCast converts a pointer between state spaces: cvta to generic,
// cvta.to from generic, through generic between two specific spaces.
func (f *fn) addrSpaceCast(x opnd, from, to types.AddrSpace) (opnd, error) {
	fs, err := addrSpace(from)
	if err != nil {
		return opnd{}, err
	}
	ts, err := addrSpace(to)
	if err != nil {
		return opnd{}, err
	}
	if fs == ts {
		return x, nil
	}
	if fs != "" && ts != "" {
		g, err := f.addrSpaceCast(x, from, 0)
		if err != nil {
			return opnd{}, err
		}
		return f.addrSpaceCast(g, 0, to)
	}
	if x.isImm() && x.bits == 0 {
		// A null pointer: keep it null rather than map it into a window.
		return x, nil
	}
	if ts == "" {
		return f.op(kPtr, "cvta."+fs+".u64", f.reg(x)), nil
	}
	return f.op(kPtr, "cvta.to."+ts+".u64", f.reg(x)), nil
}
