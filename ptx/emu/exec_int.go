package emu

import (
	"math/bits"
)

// Integer, bit and predicate instructions, plus mov, selp and setp (whose
// float forms compare through cmpFloat in exec_float.go).

// Lane-loop builders: the handler runs f for every lane in m. Operands are
// slot bases, so immediates and registers look the same.
func lanes1(f func(a uint64) uint64) execFn {
	return func(w *warp, in *inst, m uint32) {
		r := w.r
		for ; m != 0; m &= m - 1 {
			l := int32(bits.TrailingZeros32(m))
			r[in.d+l] = f(r[in.a+l])
		}
	}
}

func lanes2(f func(a, b uint64) uint64) execFn {
	return func(w *warp, in *inst, m uint32) {
		r := w.r
		for ; m != 0; m &= m - 1 {
			l := int32(bits.TrailingZeros32(m))
			r[in.d+l] = f(r[in.a+l], r[in.b+l])
		}
	}
}

func lanes3(f func(a, b, c uint64) uint64) execFn {
	return func(w *warp, in *inst, m uint32) {
		r := w.r
		for ; m != 0; m &= m - 1 {
			l := int32(bits.TrailingZeros32(m))
			r[in.d+l] = f(r[in.a+l], r[in.b+l], r[in.c+l])
		}
	}
}

// binary decodes "op.type d, a, b" with f as the lane function.
func (x *ictx) binary(t ptype, f func(a, b uint64) uint64) {
	if x.nargs(3) < 0 {
		return
	}
	x.in.d, x.in.a, x.in.b = x.dst(0), x.src(1, t), x.src(2, t)
	x.in.exec = lanes2(f)
}

func (x *ictx) unary(t ptype, f func(a uint64) uint64) {
	if x.nargs(2) < 0 {
		return
	}
	x.in.d, x.in.a = x.dst(0), x.src(1, t)
	x.in.exec = lanes1(f)
}

func (x *ictx) ternary(t, tc ptype, f func(a, b, c uint64) uint64) {
	if x.nargs(4) < 0 {
		return
	}
	x.in.d, x.in.a, x.in.b, x.in.c = x.dst(0), x.src(1, t), x.src(2, t), x.src(3, tc)
	x.in.exec = lanes3(f)
}

func isIntArith(t ptype) bool {
	switch t {
	case tU16, tU32, tU64, tS16, tS32, tS64, tB16, tB32, tB64:
		return true
	}
	return false
}

func satS32(v int64) uint64 {
	if v > 1<<31-1 {
		v = 1<<31 - 1
	}
	if v < -1<<31 {
		v = -1 << 31
	}
	return uint64(uint32(int32(v)))
}

func decodeAddSub(x *ictx) {
	t := x.typ()
	if t.isFloat() {
		decodeFloatArith(x, t)
		return
	}
	if !isIntArith(t) {
		x.fail("unsupported type %s", t)
		return
	}
	sat := x.flag("sat")
	if sat && t != tS32 {
		x.fail(".sat needs .s32")
	}
	mask, sub := t.mask(), x.base == "sub"
	switch {
	case sat && sub:
		x.binary(t, func(a, b uint64) uint64 { return satS32(int64(int32(a)) - int64(int32(b))) })
	case sat:
		x.binary(t, func(a, b uint64) uint64 { return satS32(int64(int32(a)) + int64(int32(b))) })
	case sub:
		x.binary(t, func(a, b uint64) uint64 { return (a - b) & mask })
	default:
		x.binary(t, func(a, b uint64) uint64 { return (a + b) & mask })
	}
}

// mulHi returns the high half of the full product of two n-byte integers.
func mulHi(a, b uint64, n int, signed bool) uint64 {
	if n < 8 {
		if signed {
			return uint64(sext(a, n)*sext(b, n)>>(8*uint(n))) & sizeMask(n)
		}
		return ((a & sizeMask(n)) * (b & sizeMask(n)) >> (8 * uint(n))) & sizeMask(n)
	}
	hi, _ := bits.Mul64(a, b)
	if signed {
		// Two's-complement correction of the unsigned high word.
		if int64(a) < 0 {
			hi -= b
		}
		if int64(b) < 0 {
			hi -= a
		}
	}
	return hi
}

// mulWide returns the 2n-byte product of two n-byte integers (n <= 4).
func mulWide(a, b uint64, n int, signed bool) uint64 {
	if signed {
		return uint64(sext(a, n)*sext(b, n)) & sizeMask(2*n)
	}
	return (a & sizeMask(n)) * (b & sizeMask(n))
}

func intMulFn(mode string, t ptype) func(a, b uint64) uint64 {
	n, s, mask := t.size(), t.signed(), t.mask()
	switch mode {
	case "hi":
		return func(a, b uint64) uint64 { return mulHi(a, b, n, s) }
	case "wide":
		return func(a, b uint64) uint64 { return mulWide(a, b, n, s) }
	}
	return func(a, b uint64) uint64 { return (a * b) & mask }
}

// intMulMode decodes the type and the .lo/.hi/.wide mode of an integer
// mul or mad; float forms go to decodeFloatArith (ok false, nothing left
// to do), as do errors.
func intMulMode(x *ictx, name string) (t ptype, mode string, ok bool) {
	t = x.typ()
	if t.isFloat() {
		decodeFloatArith(x, t)
		return t, "", false
	}
	if !isIntArith(t) {
		x.fail("unsupported type %s", t)
		return t, "", false
	}
	mode = x.pick("lo", "hi", "wide")
	if mode == "" {
		x.fail("integer %s needs .lo, .hi or .wide", name)
		return t, "", false
	}
	if mode == "wide" && t.size() == 8 {
		x.fail("%s.wide needs a 16- or 32-bit type", name)
		return t, "", false
	}
	return t, mode, true
}

func decodeMul(x *ictx) {
	if t, mode, ok := intMulMode(x, "mul"); ok {
		x.binary(t, intMulFn(mode, t))
	}
}

func decodeMad(x *ictx) {
	t, mode, ok := intMulMode(x, "mad")
	if !ok {
		return
	}
	sat := x.flag("sat")
	if sat && !(mode == "hi" && t == tS32) {
		x.fail(".sat needs mad.hi.s32")
		return
	}
	mul := intMulFn(mode, t)
	tc, mask := t, t.mask()
	if mode == "wide" {
		tc = map[int]ptype{2: tU32, 4: tU64}[t.size()]
		mask = tc.mask()
	}
	if sat {
		x.ternary(t, tc, func(a, b, c uint64) uint64 {
			p := sext(a, 4) * sext(b, 4) // mad.hi.sat: (a*b)>>32 + c, saturated
			return satS32(p>>32 + sext(c, 4))
		})
		return
	}
	x.ternary(t, tc, func(a, b, c uint64) uint64 { return (mul(a, b) + c) & mask })
}

func decodeDiv(x *ictx) {
	t := x.typ()
	if t.isFloat() {
		decodeFloatDiv(x, t)
		return
	}
	if !isIntArith(t) {
		x.fail("unsupported type %s", t)
		return
	}
	x.binary(t, intDivRem(t, false))
}

func decodeRem(x *ictx) {
	t := x.typ()
	if !isIntArith(t) {
		x.fail("unsupported type %s", t)
		return
	}
	x.binary(t, intDivRem(t, true))
}

// intDivRem: division by zero is undefined in PTX; like the hardware the
// emulator returns all ones for the quotient and the dividend for the
// remainder, and never traps.
func intDivRem(t ptype, rem bool) func(a, b uint64) uint64 {
	n, mask := t.size(), t.mask()
	if t.signed() {
		return func(a, b uint64) uint64 {
			sa, sb := sext(a, n), sext(b, n)
			if sb == 0 {
				if rem {
					return a & mask
				}
				return mask
			}
			if sb == -1 {
				// Avoid the overflow trap of MinInt64 / -1: wraps like hardware.
				if rem {
					return 0
				}
				return uint64(-sa) & mask
			}
			if rem {
				return uint64(sa%sb) & mask
			}
			return uint64(sa/sb) & mask
		}
	}
	return func(a, b uint64) uint64 {
		a, b = a&mask, b&mask
		if b == 0 {
			if rem {
				return a
			}
			return mask
		}
		if rem {
			return a % b
		}
		return a / b
	}
}

func decodeAbsNeg(x *ictx) {
	t := x.typ()
	if t.isFloat() {
		decodeFloatAbsNeg(x, t)
		return
	}
	if !t.signed() {
		x.fail("unsupported type %s (signed integer or float)", t)
		return
	}
	n, mask := t.size(), t.mask()
	if x.base == "neg" {
		x.unary(t, func(a uint64) uint64 { return -a & mask })
		return
	}
	x.unary(t, func(a uint64) uint64 {
		if sext(a, n) < 0 {
			return -a & mask
		}
		return a & mask
	})
}

func decodeMinMax(x *ictx) {
	t := x.typ()
	if t.isFloat() {
		decodeFloatMinMax(x, t)
		return
	}
	if !isIntArith(t) {
		x.fail("unsupported type %s", t)
		return
	}
	n, mask, isMax := t.size(), t.mask(), x.base == "max"
	if t.signed() {
		x.binary(t, func(a, b uint64) uint64 {
			if (sext(a, n) < sext(b, n)) == isMax {
				return b & mask
			}
			return a & mask
		})
		return
	}
	x.binary(t, func(a, b uint64) uint64 {
		a, b = a&mask, b&mask
		if (a < b) == isMax {
			return b
		}
		return a
	})
}

func decodeBitCount(x *ictx) {
	t := x.typ()
	n := t.size()
	if n != 4 && n != 8 || t.isFloat() {
		x.fail("unsupported type %s", t)
		return
	}
	w := 8 * n
	switch x.base {
	case "popc":
		x.unary(t, func(a uint64) uint64 { return uint64(bits.OnesCount64(a & sizeMask(n))) })
	case "clz":
		x.unary(t, func(a uint64) uint64 { return uint64(bits.LeadingZeros64(a&sizeMask(n)) - (64 - w)) })
	case "brev":
		x.unary(t, func(a uint64) uint64 { return bits.Reverse64(a) >> (64 - w) })
	case "bfind":
		shiftamt := x.flag("shiftamt")
		signed := t.signed()
		x.unary(t, func(a uint64) uint64 {
			a &= sizeMask(n)
			if signed && sext(a, n) < 0 {
				a = ^a & sizeMask(n) // find the most significant 0
			}
			if a == 0 {
				return 0xffffffff
			}
			pos := uint64(63 - bits.LeadingZeros64(a))
			if shiftamt {
				return uint64(w-1) - pos
			}
			return pos
		})
	}
}

// bfe extracts len bits of a at pos; signed forms replicate the last bit
// extracted (or a's sign bit when the field runs past it).
func decodeBfe(x *ictx) {
	t := x.typ()
	n := t.size()
	if n != 4 && n != 8 || t.isFloat() {
		x.fail("unsupported type %s", t)
		return
	}
	w, signed := uint64(8*n), t.signed()
	x.ternary(t, tU32, func(a, b, c uint64) uint64 {
		pos, ln := b&0xff, c&0xff
		a &= sizeMask(n)
		var sbit uint64
		if signed && ln > 0 {
			top := pos + ln - 1
			if top > w-1 {
				top = w - 1
			}
			sbit = a >> top & 1
		}
		var d uint64
		for i := uint64(0); i < w; i++ {
			bit := sbit
			if i < ln && pos+i < w {
				bit = a >> (pos + i) & 1
			}
			d |= bit << i
		}
		return d
	})
}

// bfi inserts the low len bits of a into b at pos.
func decodeBfi(x *ictx) {
	t := x.typ()
	n := t.size()
	if n != 4 && n != 8 || t.isFloat() {
		x.fail("unsupported type %s", t)
		return
	}
	if x.nargs(5) < 0 {
		return
	}
	w := uint64(8 * n)
	x.in.d, x.in.a, x.in.b, x.in.c, x.in.e = x.dst(0), x.src(1, t), x.src(2, t), x.src(3, tU32), x.src(4, tU32)
	x.in.exec = func(wp *warp, in *inst, m uint32) {
		r := wp.r
		for ; m != 0; m &= m - 1 {
			l := int32(bits.TrailingZeros32(m))
			a, b := r[in.a+l], r[in.b+l]&sizeMask(n)
			pos, ln := r[in.c+l]&0xff, r[in.e+l]&0xff
			for i := uint64(0); i < ln && pos+i < w; i++ {
				b = b&^(1<<(pos+i)) | (a>>i&1)<<(pos+i)
			}
			r[in.d+l] = b
		}
	}
}

// prmt picks bytes of {b, a} (a = bytes 0-3) under selector c.
func decodePrmt(x *ictx) {
	t := x.typ()
	if t != tB32 {
		x.fail("prmt needs .b32")
		return
	}
	mode := x.pick("f4e", "b4e", "rc8", "ecl", "ecr", "rc16")
	x.ternary(t, tB32, func(a, b, c uint64) uint64 {
		src := uint64(uint32(b))<<32 | uint64(uint32(a))
		byteAt := func(i uint64) uint64 { return src >> (8 * (i & 7)) & 0xff }
		var sel [4]uint64
		s := c & 0xffff
		switch mode {
		case "":
			var d uint64
			for k := uint64(0); k < 4; k++ {
				nib := s >> (4 * k) & 0xf
				v := byteAt(nib & 7)
				if nib&8 != 0 {
					v = (v >> 7) * 0xff // replicate the sign bit
				}
				d |= v << (8 * k)
			}
			return d
		case "f4e":
			base := c & 3
			sel = [4]uint64{base, base + 1, base + 2, base + 3}
		case "b4e":
			base := c & 3
			sel = [4]uint64{8 - base, 7 - base, 6 - base, 5 - base}
		case "rc8":
			b0 := c & 3
			sel = [4]uint64{b0, b0, b0, b0}
		case "ecl":
			b0 := c & 3
			sel = [4]uint64{b0, max(b0, 1), max(b0, 2), 3}
		case "ecr":
			b0 := c & 3
			sel = [4]uint64{0, min(b0, 1), min(b0, 2), b0}
		case "rc16":
			if c&1 == 0 {
				sel = [4]uint64{0, 1, 0, 1}
			} else {
				sel = [4]uint64{2, 3, 2, 3}
			}
		}
		var d uint64
		for k := range sel {
			d |= byteAt(sel[k]) << (8 * uint(k))
		}
		return d
	})
}

// shf is a funnel shift of the 64-bit value {b, a}.
func decodeShf(x *ictx) {
	dir := x.pick("l", "r")
	mode := x.pick("wrap", "clamp")
	t := x.typ()
	if dir == "" || mode == "" || t != tB32 {
		x.fail("expected shf.{l,r}.{wrap,clamp}.b32")
		return
	}
	x.ternary(t, tU32, func(a, b, c uint64) uint64 {
		n := c & 0xffffffff
		if mode == "wrap" {
			n &= 31
		} else if n > 32 {
			n = 32
		}
		v := uint64(uint32(b))<<32 | uint64(uint32(a))
		if dir == "l" {
			return (v << n) >> 32 & 0xffffffff
		}
		return (v >> n) & 0xffffffff
	})
}

func decodeShift(x *ictx) {
	t := x.typ()
	if !isIntArith(t) {
		x.fail("unsupported type %s", t)
		return
	}
	n, mask := t.size(), t.mask()
	w := uint64(8 * n)
	if x.nargs(3) < 0 {
		return
	}
	x.in.d, x.in.a, x.in.b = x.dst(0), x.src(1, t), x.src(2, tU32)
	switch {
	case x.base == "shl":
		x.in.exec = lanes2(func(a, b uint64) uint64 {
			if b&0xffffffff >= w {
				return 0
			}
			return a << b & mask
		})
	case t.signed():
		x.in.exec = lanes2(func(a, b uint64) uint64 {
			s := b & 0xffffffff
			if s >= w {
				s = w - 1
			}
			return uint64(sext(a, n)>>s) & mask
		})
	default:
		x.in.exec = lanes2(func(a, b uint64) uint64 {
			if b&0xffffffff >= w {
				return 0
			}
			return (a & mask) >> b
		})
	}
}

func decodeLogic(x *ictx) {
	t := x.typ()
	if !isIntArith(t) && t != tPred {
		x.fail("unsupported type %s", t)
		return
	}
	mask := t.mask()
	if t == tPred {
		mask = 1
	}
	switch x.base {
	case "and":
		x.binary(t, func(a, b uint64) uint64 { return a & b & mask })
	case "or":
		x.binary(t, func(a, b uint64) uint64 { return (a | b) & mask })
	case "xor":
		x.binary(t, func(a, b uint64) uint64 { return (a ^ b) & mask })
	case "not":
		x.unary(t, func(a uint64) uint64 { return ^a & mask })
	case "cnot":
		x.unary(t, func(a uint64) uint64 { return boolU(a&mask == 0) })
	}
}

func decodeLop3(x *ictx) {
	t := x.typ()
	if t != tB32 || x.nargs(5) < 0 {
		x.fail("expected lop3.b32 d, a, b, c, lut")
		return
	}
	o := x.arg(4)
	if o.kind != oImm || o.lit.kind != 'i' || o.lit.i > 255 {
		x.fail("lop3 needs an immediate lookup table")
		return
	}
	lut := o.lit.i
	x.in.d, x.in.a, x.in.b, x.in.c = x.dst(0), x.src(1, t), x.src(2, t), x.src(3, t)
	x.in.exec = lanes3(func(a, b, c uint64) uint64 {
		// Each result bit is bit (a<<2|b<<1|c) of lut: expand per bit.
		var d uint64
		for k := uint64(0); k < 8; k++ {
			if lut>>k&1 == 0 {
				continue
			}
			ma, mb, mc := a, b, c
			if k&4 == 0 {
				ma = ^a
			}
			if k&2 == 0 {
				mb = ^b
			}
			if k&1 == 0 {
				mc = ^c
			}
			d |= ma & mb & mc
		}
		return d & 0xffffffff
	})
}

// decodeMov handles mov.type d, a for registers, immediates, special
// registers and symbol addresses, plus vector pack ({a, b} -> d) and
// unpack (d -> {a, b}) for bit types.
func decodeMov(x *ictx) {
	t := x.typ()
	if x.nargs(2) < 0 {
		return
	}
	d, a := x.arg(0), x.arg(1)
	switch {
	case a.kind == oVec:
		// Pack: element k goes to bits [k*w, (k+1)*w).
		n := len(a.elems)
		if n == 0 || t.size()%n != 0 {
			x.fail("cannot pack %d elements into %s", n, t)
			return
		}
		ew := t.size() / n
		ety := map[int]ptype{1: tB8, 2: tB16, 4: tB32}[ew]
		x.in.d = x.dst(0)
		x.in.va = x.vec(1, n, ety, false)
		x.in.exec = func(w *warp, in *inst, m uint32) {
			r := w.r
			for ; m != 0; m &= m - 1 {
				l := int32(bits.TrailingZeros32(m))
				var v uint64
				for k, s := range in.va {
					v |= (r[s+l] & sizeMask(ew)) << (8 * ew * k)
				}
				r[in.d+l] = v
			}
		}
	case d.kind == oVec:
		n := len(d.elems)
		if n == 0 || t.size()%n != 0 {
			x.fail("cannot unpack %s into %d elements", t, n)
			return
		}
		ew := t.size() / n
		x.in.vd = x.vec(0, n, t, true)
		x.in.a = x.src(1, t)
		x.in.exec = func(w *warp, in *inst, m uint32) {
			r := w.r
			for ; m != 0; m &= m - 1 {
				l := int32(bits.TrailingZeros32(m))
				v := r[in.a+l]
				for k, s := range in.vd {
					r[s+l] = v >> (8 * ew * k) & sizeMask(ew)
				}
			}
		}
	case a.kind == oName && (a.name == "%clock" || a.name == "%clock64" || a.name == "%globaltimer"):
		// Clocks advance with the CTA's executed warp-instructions.
		x.in.d = x.dst(0)
		x.in.exec = func(w *warp, in *inst, m uint32) {
			for ; m != 0; m &= m - 1 {
				w.r[in.d+int32(bits.TrailingZeros32(m))] = w.c.steps & sizeMask(t.size())
			}
		}
	default:
		mask := t.mask()
		if t == tPred {
			mask = 1
		}
		x.unary(t, func(a uint64) uint64 { return a & mask })
	}
}

func decodeSelp(x *ictx) {
	t := x.typ()
	if x.nargs(4) < 0 {
		return
	}
	x.in.d, x.in.a, x.in.b = x.dst(0), x.src(1, t), x.src(2, t)
	var neg bool
	x.in.c, neg = x.predSrc(3)
	x.in.exec = lanes3(func(a, b, c uint64) uint64 {
		if (c != 0) != neg {
			return a
		}
		return b
	})
}

// cmpInt returns the comparison for an integer setp.
func cmpInt(op string, t ptype) func(a, b uint64) bool {
	n := t.size()
	if t.signed() {
		switch op {
		case "lt":
			return func(a, b uint64) bool { return sext(a, n) < sext(b, n) }
		case "le":
			return func(a, b uint64) bool { return sext(a, n) <= sext(b, n) }
		case "gt":
			return func(a, b uint64) bool { return sext(a, n) > sext(b, n) }
		case "ge":
			return func(a, b uint64) bool { return sext(a, n) >= sext(b, n) }
		}
	}
	mask := t.mask()
	switch op {
	case "eq":
		return func(a, b uint64) bool { return a&mask == b&mask }
	case "ne":
		return func(a, b uint64) bool { return a&mask != b&mask }
	case "lt", "lo":
		return func(a, b uint64) bool { return a&mask < b&mask }
	case "le", "ls":
		return func(a, b uint64) bool { return a&mask <= b&mask }
	case "gt", "hi":
		return func(a, b uint64) bool { return a&mask > b&mask }
	case "ge", "hs":
		return func(a, b uint64) bool { return a&mask >= b&mask }
	}
	return nil
}

// decodeSetp: setp.cmp[.bool][.ftz].type p[|q], a, b[, [!]c]. With .bool
// (and/or/xor) the comparison is combined with c; q gets the complement.
func decodeSetp(x *ictx) {
	op := x.pick("eq", "ne", "lt", "le", "gt", "ge", "lo", "ls", "hi", "hs", "equ", "neu", "ltu", "leu", "gtu", "geu", "num", "nan")
	boolOp := x.pick("and", "or", "xor")
	ftz := x.flag("ftz")
	t := x.typ()
	if op == "" {
		x.fail("missing comparison")
		return
	}
	var cmp func(a, b uint64) bool
	if t.isFloat() {
		x.in.class = classFor(t)
		cmp = cmpFloat(op, t, ftz)
	} else if isIntArith(t) {
		cmp = cmpInt(op, t)
	}
	if cmp == nil {
		x.fail("comparison .%s on %s is not supported", op, t)
		return
	}
	n := 3
	if boolOp != "" {
		n = 4
	}
	if x.nargs(n) < 0 {
		return
	}
	dst := x.arg(0)
	x.in.d, x.in.e = 0, 0
	if dst.kind == oPair {
		x.a.args[0] = dst.elems[0]
		x.in.d = x.dst(0)
		x.a.args[0] = dst.elems[1]
		x.in.e = x.dst(0)
		x.a.args[0] = dst
	} else {
		x.in.d = x.dst(0)
	}
	x.in.a, x.in.b = x.src(1, t), x.src(2, t)
	negC := false
	x.in.c = x.d.constSlot(1)
	if boolOp != "" {
		x.in.c, negC = x.predSrc(3)
	}
	x.in.exec = func(w *warp, in *inst, m uint32) {
		r := w.r
		for ; m != 0; m &= m - 1 {
			l := int32(bits.TrailingZeros32(m))
			v := cmp(r[in.a+l], r[in.b+l])
			c := (r[in.c+l] != 0) != negC
			p, q := v, !v
			switch boolOp {
			case "and":
				p, q = v && c, !v && c
			case "or":
				p, q = v || c, !v || c
			case "xor":
				p, q = v != c, !v != c
			}
			r[in.d+l] = boolU(p)
			r[in.e+l] = boolU(q) // slot 0 (the sink) when there is no q
		}
	}
}
