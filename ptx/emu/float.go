package emu

import (
	"math"
	"math/big"
	"math/bits"
)

// Floating-point rounding. Every f16, bf16 and f32 result is computed as an
// exact pair in float64, s + e (s = the float64 nearest the exact result,
// only the sign of the tiny remainder e kept), then rounded once to the
// target format with the instruction's rounding mode. Using the remainder's
// sign avoids double rounding (f64 then f32) in fma and in conversions.

// rmode is an IEEE rounding direction.
type rmode uint8

const (
	rnEven rmode = iota // .rn: to nearest, ties to even
	rzZero              // .rz: toward zero
	rmDown              // .rm: toward -inf
	rpUp                // .rp: toward +inf
)

// fpFormat describes a binary floating-point format no wider than f32.
type fpFormat struct {
	mant    uint   // stored mantissa bits
	bias    int    // exponent bias
	expMax  uint64 // all-ones exponent field
	canon   uint64 // canonical NaN bits
	signBit uint64
}

var (
	fmtF16  = fpFormat{mant: 10, bias: 15, expMax: 0x1f, canon: 0x7fff, signBit: 1 << 15}
	fmtBF16 = fpFormat{mant: 7, bias: 127, expMax: 0xff, canon: 0x7fff, signBit: 1 << 15}
	fmtF32  = fpFormat{mant: 23, bias: 127, expMax: 0xff, canon: 0x7fffffff, signBit: 1 << 31}
)

// canonF64 is the NaN every f64 operation returns.
const canonF64 = 0x7fffffffffffffff

// round converts s (+ a remainder of sign esign) to the format's bits.
func (f fpFormat) round(s float64, esign int, mode rmode) uint64 {
	if math.IsNaN(s) {
		return f.canon
	}
	b := math.Float64bits(s)
	sign := b >> 63
	var signOut uint64
	if sign != 0 {
		signOut = f.signBit
		esign = -esign // work on the magnitude
	}
	mag := b &^ (1 << 63)
	maxFinite := (f.expMax-1)<<f.mant | (1<<f.mant - 1)
	inf := f.expMax << f.mant
	if mag == 0x7ff<<52 {
		return signOut | inf
	}
	// up reports whether an inexact magnitude rounds up (away from zero),
	// given how the remainder compares with half a quantum.
	up := func(cmpHalf int, odd bool) bool {
		switch mode {
		case rnEven:
			return cmpHalf > 0 || cmpHalf == 0 && odd
		case rzZero:
			return false
		case rmDown:
			return sign != 0
		default:
			return sign == 0
		}
	}
	// Unpack s as m * 2^e2 with m a 53-bit integer (subnormals included).
	e64 := int(mag >> 52)
	m := mag & (1<<52 - 1)
	if e64 == 0 {
		if m == 0 {
			return signOut // exact zeros carry no remainder
		}
		e64 = 1
	} else {
		m |= 1 << 52
	}
	e2 := e64 - 1075 // value = m * 2^e2
	// Target: value = q * 2^qe with q < 2^(mant+1), qe >= emin - mant.
	qeMin := 1 - f.bias - int(f.mant)
	// Choose the quantum exponent: keep mant+1 significant bits, unless
	// that would go below the subnormal quantum.
	nbits := 64 - bits.LeadingZeros64(m)
	qe := e2 + nbits - int(f.mant+1)
	if qe < qeMin {
		qe = qeMin
	}
	shift := qe - e2 // bits of m to drop (> 0 for all supported formats)
	var q, rem, half uint64
	switch {
	case shift <= 0:
		q = m << uint(-shift)
	case shift >= 64:
		q, rem, half = 0, m, 0
		// Far below half a quantum: compare as "less than half".
	default:
		q = m >> uint(shift)
		rem = m & (1<<uint(shift) - 1)
		half = 1 << uint(shift-1)
	}
	var res uint64
	switch {
	case rem == 0 && esign == 0:
		res = q
	case rem == 0 && esign < 0:
		// Just below q quanta: round q-1 + almost one quantum.
		res = q
		if mode != rnEven && !up(1, false) {
			res = q - 1
			if q == 1<<f.mant && qe > qeMin {
				// Just below a power of two: the largest value of the
				// binade below, which has a quantum half as large.
				res = 1<<(f.mant+1) - 1
				qe--
			}
		}
	default:
		cmp := 0
		switch {
		case shift >= 64 || rem < half:
			cmp = -1
		case rem > half:
			cmp = 1
		default:
			cmp = esign
		}
		res = q
		if up(cmp, q&1 == 1) {
			res = q + 1
		}
	}
	// Encode q * 2^qe: normal numbers carry the implicit bit.
	var enc uint64
	if res >= 1<<(f.mant+1) {
		res >>= 1
		qe++
	}
	if res >= 1<<f.mant {
		exp := uint64(qe - qeMin + 1)
		if exp >= f.expMax {
			return signOut | f.overflow(sign != 0, mode, inf, maxFinite)
		}
		enc = exp<<f.mant | res&(1<<f.mant-1)
	} else {
		enc = res // subnormal or zero
	}
	return signOut | enc
}

func (f fpFormat) overflow(neg bool, mode rmode, inf, maxFinite uint64) uint64 {
	switch mode {
	case rzZero:
		return maxFinite
	case rmDown:
		if !neg {
			return maxFinite
		}
	case rpUp:
		if neg {
			return maxFinite
		}
	}
	return inf
}

// decode returns the exact float64 value of the format's bits.
func (f fpFormat) decode(b uint64) float64 {
	neg := b&f.signBit != 0
	exp := (b >> f.mant) & f.expMax
	man := b & (1<<f.mant - 1)
	var v float64
	switch {
	case exp == f.expMax && man != 0:
		return math.NaN()
	case exp == f.expMax:
		v = math.Inf(1)
	case exp == 0:
		v = math.Ldexp(float64(man), 1-f.bias-int(f.mant))
	default:
		v = math.Ldexp(float64(man|1<<f.mant), int(exp)-f.bias-int(f.mant))
	}
	if neg {
		v = -v
	}
	return v
}

// isSub reports whether b is a subnormal of the format.
func (f fpFormat) isSub(b uint64) bool {
	return (b>>f.mant)&f.expMax == 0 && b&(1<<f.mant-1) != 0
}

// ftz flushes a subnormal to a zero of the same sign.
func (f fpFormat) ftz(b uint64) uint64 {
	if f.isSub(b) {
		return b & f.signBit
	}
	return b
}

// F16 returns the IEEE half-precision bits nearest to x (ties to even,
// subnormals kept, NaN as 0x7fff), as cvt.rn.f16 computes them.
func F16(x float64) uint16 { return f64ToF16(x) }

// BF16 returns the bfloat16 bits nearest to x (ties to even, NaN as 0x7fff).
func BF16(x float64) uint16 { return f64ToBF16(x) }

// F16Value returns the exact value of half-precision bits h.
func F16Value(h uint16) float64 { return fmtF16.decode(uint64(h)) }

// BF16Value returns the exact value of bfloat16 bits h.
func BF16Value(h uint16) float64 { return fmtBF16.decode(uint64(h)) }

func f64ToF16(x float64) uint16  { return uint16(fmtF16.round(x, 0, rnEven)) }
func f64ToBF16(x float64) uint16 { return uint16(fmtBF16.round(x, 0, rnEven)) }
func f32of(b uint64) float32     { return math.Float32frombits(uint32(b)) }
func f64of(b uint64) float64     { return math.Float64frombits(b) }

func sgnf(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func boolU(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// canonF32 returns the bits of x, with any NaN replaced by the canonical
// f32 NaN that NVIDIA hardware produces.
func canonF32(x float32) uint64 { return canonBits32(math.Float32bits(x)) }

func canonBits32(b uint32) uint64 {
	if b&0x7fffffff > 0x7f800000 {
		return 0x7fffffff
	}
	return uint64(b)
}

// twoSum returns s = fl(a+b) and the sign of the exact error a+b-s.
func twoSum(a, b float64) (float64, int) {
	s := a + b
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return s, 0
	}
	bb := s - a
	e := (a - (s - bb)) + (b - bb)
	return s, sgnf(e)
}

// exactDiv and exactSqrt return the nearest float64 and the sign of the
// exact remainder, from the exact residual an fma gives.
func exactDiv(a, b float64) (float64, int) {
	q := a / b
	if math.IsInf(q, 0) || math.IsNaN(q) || q == 0 {
		return q, 0
	}
	r := math.FMA(-q, b, a) // exact remainder a - q*b
	return q, sgnf(r) * sgnf(b)
}
func exactSqrt(a float64) (float64, int) {
	s := math.Sqrt(a)
	if math.IsInf(s, 0) || math.IsNaN(s) || s == 0 {
		return s, 0
	}
	return s, sgnf(math.FMA(-s, s, a))
}

// dirRound64 adjusts the nearest float64 r of an exact value whose
// difference exact-r has sign esign to the rounding mode.
func dirRound64(r float64, esign int, mode rmode) float64 {
	if esign == 0 || mode == rnEven || math.IsNaN(r) {
		return r
	}
	switch mode {
	case rzZero:
		if r > 0 && esign < 0 || r < 0 && esign > 0 {
			return math.Nextafter(r, 0)
		}
		if math.IsInf(r, 0) {
			return math.Copysign(math.MaxFloat64, r)
		}
	case rmDown:
		if esign < 0 {
			return math.Nextafter(r, math.Inf(-1))
		}
		if math.IsInf(r, 1) {
			return math.MaxFloat64
		}
	case rpUp:
		if esign > 0 {
			return math.Nextafter(r, math.Inf(1))
		}
		if math.IsInf(r, -1) {
			return -math.MaxFloat64
		}
	}
	return r
}

// f64Mul and f64FMA return the nearest float64 and the sign of the exact
// error, for directed rounding of f64 operations.
func f64Mul(a, b float64) (float64, int) {
	p := a * b
	if math.IsInf(p, 0) || math.IsNaN(p) || p == 0 {
		return p, 0
	}
	return p, sgnf(math.FMA(a, b, -p))
}
func f64FMA(a, b, c float64) (float64, int) {
	r := math.FMA(a, b, c)
	if math.IsInf(r, 0) || math.IsNaN(r) || math.IsInf(a*b, 0) || math.IsInf(c, 0) {
		return r, 0
	}
	// The error of an fma is not an f64 in general: compare exactly.
	ex := new(big.Float).SetPrec(2200).SetFloat64(a)
	ex.Mul(ex, new(big.Float).SetPrec(2200).SetFloat64(b))
	ex.Add(ex, new(big.Float).SetPrec(2200).SetFloat64(c))
	if r == 0 {
		return r, ex.Sign()
	}
	return r, ex.Cmp(new(big.Float).SetFloat64(r))
}

// f64Bits returns the bits of x with NaN canonicalized.
func f64Bits(x float64) uint64 {
	if math.IsNaN(x) {
		return canonF64
	}
	return math.Float64bits(x)
}
