package emu

import (
	"math"

	"github.com/tilec/tilec/internal/fp"
)

// Floating-point instructions on f32, f64, f16, bf16 and the packed
// f16x2/bf16x2 pairs. Each lane function decodes its operands to float64,
// computes the exact result as a pair (see float.go), and encodes it in the
// instruction's type with its rounding mode, then applies .ftz and .sat.

// fcodec converts between a float type's bits and float64.
type fcodec struct {
	t      ptype
	dec    func(b uint64) float64
	enc    func(s float64, e int, mode fp.Mode) uint64
	ftzIn  func(b uint64) uint64
	packed bool   // f16x2 / bf16x2: two 16-bit lanes
	one    uint64 // bits of 1.0 (for .sat)
}

func codecFor(t ptype) (fcodec, bool) {
	switch t {
	case tF32:
		return fcodec{t: t, dec: func(b uint64) float64 { return float64(f32of(b)) },
			enc: func(s float64, e int, m fp.Mode) uint64 { return fp.F32.Round(s, e, m) }, ftzIn: fp.F32.FlushSubnormal, one: 0x3f800000}, true
	case tF64:
		return fcodec{t: t, dec: f64of,
			enc: func(s float64, e int, m fp.Mode) uint64 { return f64Bits(dirRound64(s, e, m)) }, ftzIn: func(b uint64) uint64 { return b }, one: math.Float64bits(1)}, true
	case tF16, tF16x2:
		return fcodec{t: t, dec: func(b uint64) float64 { return fp.F16.Decode(b & 0xffff) },
			enc: func(s float64, e int, m fp.Mode) uint64 { return fp.F16.Round(s, e, m) }, ftzIn: fp.F16.FlushSubnormal, packed: t == tF16x2, one: 0x3c00}, true
	case tBF16, tBF16x2:
		return fcodec{t: t, dec: func(b uint64) float64 { return fp.BF16.Decode(b & 0xffff) },
			enc: func(s float64, e int, m fp.Mode) uint64 { return fp.BF16.Round(s, e, m) }, ftzIn: func(b uint64) uint64 { return b }, packed: t == tBF16x2, one: 0x3f80}, true
	}
	return fcodec{}, false
}

// exactOp computes an exact result pair from up to three operands.
type exactOp func(a, b, c float64) (float64, int)

// lane builds the lane function for op under the codec's type and mods.
func (cd fcodec) lane(op exactOp, mode fp.Mode, ftz, sat bool) func(a, b, c uint64) uint64 {
	one := func(a, b, c uint64) uint64 {
		if ftz {
			a, b, c = cd.ftzIn(a), cd.ftzIn(b), cd.ftzIn(c)
		}
		s, e := op(cd.dec(a), cd.dec(b), cd.dec(c))
		r := cd.enc(s, e, mode)
		if ftz {
			r = cd.ftzIn(r)
		}
		if sat {
			r = cd.saturate(r)
		}
		return r
	}
	if !cd.packed {
		return one
	}
	return func(a, b, c uint64) uint64 {
		lo := one(a&0xffff, b&0xffff, c&0xffff)
		hi := one(a>>16&0xffff, b>>16&0xffff, c>>16&0xffff)
		return hi<<16 | lo
	}
}

// saturate clamps to [0, 1]; NaN becomes +0.
func (cd fcodec) saturate(r uint64) uint64 {
	v := cd.dec(r)
	switch {
	case math.IsNaN(v) || v < 0:
		return 0
	case v > 1:
		return cd.one
	}
	return r
}

func opAdd(a, b, _ float64) (float64, int) { return twoSum(a, b) }
func opSub(a, b, _ float64) (float64, int) { return twoSum(a, -b) }
func opMul(a, b, _ float64) (float64, int) { return f64Mul(a, b) }

// opFMA is exact for operands of f32 and narrower, whose products are
// exact in float64; f64 uses f64FMA (see fmaFor).
func opFMA(a, b, c float64) (float64, int) { return twoSum(a*b, c) }

func fmaFor(t ptype) exactOp {
	if t == tF64 {
		return f64FMA
	}
	return opFMA
}
func opDiv(a, b, _ float64) (float64, int)  { return exactDiv(a, b) }
func opSqrt(a, _, _ float64) (float64, int) { return exactSqrt(a) }
func opRcp(a, _, _ float64) (float64, int)  { return exactDiv(1, a) }

// decodeFloatArith handles add, sub, mul, mad on float types.
func decodeFloatArith(x *ictx, t ptype) {
	cd, ok := codecFor(t)
	if !ok {
		x.fail("unsupported type %s", t)
		return
	}
	x.in.class = classFor(t)
	mode, hasMode := x.rounding()
	ftz := x.flag("ftz")
	sat := x.flag("sat")
	if ftz && (t == tF64 || t == tBF16 || t == tBF16x2) {
		x.fail(".ftz is not allowed on %s", t)
	}
	if sat && t == tF64 {
		x.fail(".sat is not allowed on .f64")
	}
	if x.base == "mad" && !hasMode && t != tF32 {
		x.fail("mad on %s needs a rounding modifier", t)
	}
	var op exactOp
	switch x.base {
	case "add":
		op = opAdd
	case "sub":
		op = opSub
	case "mul":
		op = opMul
	case "mad":
		op = fmaFor(t) // mad.f32 is fused on sm_20 and later
	}
	if x.base == "mad" {
		x.ternary(t, t, cd.lane(op, mode, ftz, sat))
		return
	}
	if t == tF32 && mode == fp.NearestEven && !ftz && !sat {
		// Go's float32 arithmetic is IEEE round-to-nearest-even.
		switch x.base {
		case "add":
			x.binary(t, func(a, b uint64) uint64 { return canonF32(f32of(a) + f32of(b)) })
			return
		case "sub":
			x.binary(t, func(a, b uint64) uint64 { return canonF32(f32of(a) - f32of(b)) })
			return
		case "mul":
			x.binary(t, func(a, b uint64) uint64 { return canonF32(f32of(a) * f32of(b)) })
			return
		}
	}
	f := cd.lane(op, mode, ftz, sat)
	x.binary(t, func(a, b uint64) uint64 { return f(a, b, 0) })
}

func decodeFma(x *ictx) {
	t := x.typ()
	cd, ok := codecFor(t)
	if !ok {
		x.fail("unsupported type %s", t)
		return
	}
	x.in.class = classFor(t)
	mode, hasMode := x.rounding()
	if !hasMode {
		x.fail("fma needs a rounding modifier")
	}
	ftz := x.flag("ftz")
	sat := x.flag("sat")
	x.flag("oob") // bf16 out-of-bounds-as-zero hint: operands here are always in bounds
	if ftz && (t == tF64 || t == tBF16 || t == tBF16x2) {
		x.fail(".ftz is not allowed on %s", t)
	}
	if t == tF32 && mode == fp.NearestEven && !ftz && !sat {
		x.ternary(t, t, func(a, b, c uint64) uint64 {
			s, e := twoSum(float64(f32of(a))*float64(f32of(b)), float64(f32of(c)))
			if e == 0 {
				return canonF32(float32(s))
			}
			return fp.F32.Round(s, e, fp.NearestEven)
		})
		return
	}
	x.ternary(t, t, cd.lane(fmaFor(t), mode, ftz, sat))
}

func decodeFloatDiv(x *ictx, t ptype) {
	x.in.class = ClassFloat
	approx := x.pick("approx", "full")
	mode, hasMode := x.rounding()
	ftz := x.flag("ftz")
	if t != tF32 && t != tF64 {
		x.fail("unsupported type %s", t)
		return
	}
	if approx == "" && !hasMode || approx != "" && (hasMode || t == tF64) {
		x.fail("div needs one of .approx/.full (f32) or a rounding modifier")
		return
	}
	cd, _ := codecFor(t)
	f := cd.lane(opDiv, mode, ftz, false)
	x.binary(t, func(a, b uint64) uint64 { return f(a, b, 0) })
}

func decodeFloatAbsNeg(x *ictx, t ptype) {
	x.in.class = classFor(t)
	ftz := x.flag("ftz")
	cd, ok := codecFor(t)
	if !ok {
		x.fail("unsupported type %s", t)
		return
	}
	var sign uint64
	switch t.size() {
	case 2:
		sign = 1 << 15
	case 4:
		sign = 1 << 31
		if cd.packed {
			sign = 1<<31 | 1<<15
		}
	case 8:
		sign = 1 << 63
	}
	neg := x.base == "neg"
	x.unary(t, func(a uint64) uint64 {
		if ftz {
			if cd.packed {
				a = cd.ftzIn(a>>16)<<16 | cd.ftzIn(a&0xffff)
			} else {
				a = cd.ftzIn(a)
			}
		}
		if neg {
			return a ^ sign
		}
		return a &^ sign
	})
}

// decodeFloatMinMax: if one operand is NaN the other is returned, if both
// are, the canonical NaN; with .NaN any NaN operand gives the canonical
// NaN. -0 is less than +0.
func decodeFloatMinMax(x *ictx, t ptype) {
	x.in.class = classFor(t)
	ftz := x.flag("ftz")
	nanProp := x.flag("NaN")
	x.flag("xorsign")
	cd, ok := codecFor(t)
	if !ok {
		x.fail("unsupported type %s", t)
		return
	}
	isMax := x.base == "max"
	canon := fcanon(t)
	one := func(a, b uint64) uint64 {
		if ftz {
			a, b = cd.ftzIn(a), cd.ftzIn(b)
		}
		va, vb := cd.dec(a), cd.dec(b)
		na, nb := math.IsNaN(va), math.IsNaN(vb)
		switch {
		case na && nb || nanProp && (na || nb):
			return canon
		case na:
			return b
		case nb:
			return a
		}
		less := va < vb || va == vb && math.Signbit(va) && !math.Signbit(vb)
		if less != isMax {
			return a
		}
		return b
	}
	if cd.packed {
		x.binary(t, func(a, b uint64) uint64 {
			return one(a>>16, b>>16)<<16 | one(a&0xffff, b&0xffff)
		})
		return
	}
	x.binary(t, one)
}

func fcanon(t ptype) uint64 {
	switch t {
	case tF32:
		return 0x7fffffff
	case tF64:
		return canonF64
	}
	return 0x7fff
}

// cmpFloat returns the comparison for a float setp. Ordered comparisons
// are false when an operand is NaN, the u-suffixed ones true.
func cmpFloat(op string, t ptype, ftz bool) func(a, b uint64) bool {
	cd, ok := codecFor(t)
	if !ok || cd.packed {
		return nil
	}
	var rel func(a, b float64) bool
	unordered := false
	switch op {
	case "eq", "equ":
		rel = func(a, b float64) bool { return a == b }
	case "ne", "neu":
		rel = func(a, b float64) bool { return a != b }
	case "lt", "ltu":
		rel = func(a, b float64) bool { return a < b }
	case "le", "leu":
		rel = func(a, b float64) bool { return a <= b }
	case "gt", "gtu":
		rel = func(a, b float64) bool { return a > b }
	case "ge", "geu":
		rel = func(a, b float64) bool { return a >= b }
	case "num":
		return func(a, b uint64) bool { return !math.IsNaN(cd.dec(a)) && !math.IsNaN(cd.dec(b)) }
	case "nan":
		return func(a, b uint64) bool { return math.IsNaN(cd.dec(a)) || math.IsNaN(cd.dec(b)) }
	default:
		return nil
	}
	if len(op) == 3 {
		unordered = true
	}
	return func(a, b uint64) bool {
		if ftz {
			a, b = cd.ftzIn(a), cd.ftzIn(b)
		}
		va, vb := cd.dec(a), cd.dec(b)
		if math.IsNaN(va) || math.IsNaN(vb) {
			return unordered
		}
		return rel(va, vb)
	}
}

// decodeUnaryFloat: rcp, sqrt, rsqrt, ex2, lg2, sin, cos, tanh.
func decodeUnaryFloat(x *ictx) {
	approx := x.flag("approx")
	mode, hasMode := x.rounding()
	ftz := x.flag("ftz")
	t := x.typ()
	cd, ok := codecFor(t)
	if !ok {
		x.fail("unsupported type %s", t)
		return
	}
	exact := x.base == "rcp" || x.base == "sqrt"
	switch {
	case exact && approx == hasMode:
		x.fail("%s needs .approx or a rounding modifier", x.base)
		return
	case !exact && !approx:
		x.fail("%s needs .approx", x.base)
		return
	case !exact && hasMode:
		x.fail("%s takes no rounding modifier", x.base)
		return
	}
	half := t == tF16 || t == tF16x2 || t == tBF16 || t == tBF16x2
	switch {
	case half && x.base != "ex2" && x.base != "tanh":
		x.fail("%s on %s is not supported", x.base, t)
		return
	case t == tF64 && !(x.base == "rcp" || x.base == "sqrt" || x.base == "rsqrt"):
		x.fail("%s on .f64 is not supported", x.base)
		return
	}
	var op exactOp
	switch x.base {
	case "rcp":
		op = opRcp
	case "sqrt":
		op = opSqrt
	default:
		// Approximations: computed in float64 and rounded once, which is
		// inside every error bound the ISA gives for them.
		fn := map[string]func(float64) float64{
			"rsqrt": func(v float64) float64 { return 1 / math.Sqrt(v) },
			"ex2":   math.Exp2,
			"lg2":   math.Log2,
			"sin":   math.Sin,
			"cos":   math.Cos,
			"tanh":  math.Tanh,
		}[x.base]
		op = func(a, _, _ float64) (float64, int) { return fn(a), 0 }
	}
	f := cd.lane(op, mode, ftz, false)
	x.unary(t, func(a uint64) uint64 { return f(a, 0, 0) })
}

func decodeTestp(x *ictx) {
	what := x.pick("finite", "infinite", "number", "notanumber", "normal", "subnormal")
	t := x.typ()
	cd, ok := codecFor(t)
	if !ok || cd.packed || what == "" {
		x.fail("expected testp.{finite,infinite,number,notanumber,normal,subnormal}.{f32,f64}")
		return
	}
	x.in.class = classFor(t)
	minNormal := math.SmallestNonzeroFloat64 * (1 << 52)
	switch t {
	case tF32:
		minNormal = 0x1p-126
	case tF16:
		minNormal = 0x1p-14
	case tBF16:
		minNormal = 0x1p-126
	}
	x.unary(t, func(a uint64) uint64 {
		v := cd.dec(a)
		av := math.Abs(v)
		switch what {
		case "finite":
			return boolU(!math.IsInf(v, 0) && !math.IsNaN(v))
		case "infinite":
			return boolU(math.IsInf(v, 0))
		case "number":
			return boolU(!math.IsNaN(v))
		case "notanumber":
			return boolU(math.IsNaN(v))
		case "normal":
			return boolU(av >= minNormal && !math.IsInf(v, 0) && !math.IsNaN(v))
		}
		return boolU(av > 0 && av < minNormal)
	})
}

// copysign d, a, b: the magnitude of b with the sign of a.
func decodeCopysign(x *ictx) {
	t := x.typ()
	if t != tF32 && t != tF64 {
		x.fail("unsupported type %s", t)
		return
	}
	sign := uint64(1) << (8*t.size() - 1)
	x.binary(t, func(a, b uint64) uint64 { return b&^sign | a&sign })
}
