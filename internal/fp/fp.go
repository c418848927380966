// Package fp rounds float64 values to the binary floating-point formats
// tilec computes in below float64 (f16, bf16, f32) and decodes them: the
// one implementation behind the IR's dtypes (ir.DType.Round, Encode,
// Decode), the PTX backend's constants and the emulator's conversions.
//
// A value to round is given as a pair s + e: s the float64 nearest the
// exact result and e a remainder of which only the sign matters (0 when s
// is exact). Rounding the pair once to the target format, with any of the
// four IEEE directions, is what lets the emulator compute an f32 fma or a
// conversion without rounding twice (to float64, then to f32).
package fp

import (
	"math"
	"math/bits"
)

// Mode is an IEEE rounding direction (PTX's .rn, .rz, .rm, .rp).
type Mode uint8

// The rounding directions.
const (
	NearestEven Mode = iota // .rn: to nearest, ties to even
	TowardZero              // .rz
	Down                    // .rm: toward -inf
	Up                      // .rp: toward +inf
)

// Format is a binary floating-point format no wider than f32.
type Format struct {
	mant    uint   // stored mantissa bits
	bias    int    // exponent bias
	expMax  uint64 // the all-ones exponent field
	canon   uint64 // the NaN every rounding returns (NVIDIA's canonical NaN)
	signBit uint64
}

// The formats.
var (
	F16  = Format{mant: 10, bias: 15, expMax: 0x1f, canon: 0x7fff, signBit: 1 << 15}
	BF16 = Format{mant: 7, bias: 127, expMax: 0xff, canon: 0x7fff, signBit: 1 << 15}
	F32  = Format{mant: 23, bias: 127, expMax: 0xff, canon: 0x7fffffff, signBit: 1 << 31}
)

// Round returns the bits of the format's value nearest s + e in the given
// direction, where esign is the sign of the remainder e (-1, 0, 1).
// Subnormals are kept, values past the largest finite one overflow to
// infinity or stop at the largest finite one as the direction says, and
// NaN becomes the canonical NaN (sign cleared, all mantissa bits set).
func (f Format) Round(s float64, esign int, mode Mode) uint64 {
	if mode == NearestEven && esign == 0 {
		if r, ok := f.nearestNormal(s); ok {
			return r
		}
	}
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
	qe := max(e2+nbits-int(f.mant+1), qeMin)
	shift := qe - e2 // bits of m to drop (> 0 for every format here)
	var q, rem, half uint64
	switch {
	case shift <= 0:
		q = m << uint(-shift)
	case shift >= 64:
		// Far below half a quantum: compared as "less than half" below.
		q, rem, half = 0, m, 0
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
		if mode != NearestEven && !f.roundsUp(mode, sign != 0, 1, false) {
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
		if f.roundsUp(mode, sign != 0, cmp, q&1 == 1) {
			res = q + 1
		}
	}
	// Encode q * 2^qe: normal numbers carry the implicit bit.
	if res >= 1<<(f.mant+1) {
		res >>= 1
		qe++
	}
	if res < 1<<f.mant {
		return signOut | res // subnormal or zero
	}
	exp := uint64(qe - qeMin + 1)
	if exp >= f.expMax {
		return signOut | f.overflow(sign != 0, mode, inf, maxFinite)
	}
	return signOut | exp<<f.mant | res&(1<<f.mant-1)
}

// nearestNormal is Round's fast path for the common case, an exact s whose
// nearest value in the format is a normal number: round the float64's
// mantissa to the format's width by adding just under half of the dropped
// part, plus one when the kept part is odd (ties to even); a carry moves
// into the exponent as it should. Checks and encoders round every element
// of buffers of 10^8 elements with it. ok is false for zeros, subnormal
// results, overflow, infinities and NaN.
func (f Format) nearestNormal(s float64) (out uint64, ok bool) {
	b := math.Float64bits(s)
	mag := b &^ (1 << 63)
	e := int(mag>>52) - 1023
	if e < 1-f.bias || e > f.bias {
		return 0, false
	}
	shift := 52 - f.mant
	r := (mag + (1<<(shift-1) - 1) + (mag>>shift)&1) >> shift
	exp := int(r>>f.mant) - 1023 + f.bias
	if exp >= int(f.expMax) {
		return 0, false
	}
	if b>>63 != 0 {
		out = f.signBit
	}
	return out | uint64(exp)<<f.mant | r&(1<<f.mant-1), true
}

// roundsUp reports whether an inexact magnitude rounds up (away from
// zero), given how its remainder compares with half a quantum (cmpHalf)
// and whether the quantum count below it is odd.
func (Format) roundsUp(mode Mode, neg bool, cmpHalf int, odd bool) bool {
	switch mode {
	case NearestEven:
		return cmpHalf > 0 || cmpHalf == 0 && odd
	case TowardZero:
		return false
	case Down:
		return neg
	}
	return !neg
}

func (f Format) overflow(neg bool, mode Mode, inf, maxFinite uint64) uint64 {
	switch {
	case mode == TowardZero, mode == Down && !neg, mode == Up && neg:
		return maxFinite
	}
	return inf
}

// Decode returns the exact value of the format's bits b.
func (f Format) Decode(b uint64) float64 {
	var sign uint64
	if b&f.signBit != 0 {
		sign = 1 << 63
	}
	exp := int(b>>f.mant) & int(f.expMax)
	man := b & (1<<f.mant - 1)
	switch {
	case exp == int(f.expMax) && man != 0:
		return math.NaN()
	case exp == int(f.expMax):
		return math.Float64frombits(sign | 0x7ff<<52)
	case exp == 0: // subnormal or zero: man * 2^(1-bias-mant), exact in float64
		return math.Float64frombits(sign | math.Float64bits(float64(man)*pow2(1-f.bias-int(f.mant))))
	}
	return math.Float64frombits(sign | uint64(exp-f.bias+1023)<<52 | man<<(52-f.mant))
}

// pow2 is 2^e for a normal float64 exponent, built from its bits (the
// decoders run per element of large buffers; math.Ldexp costs more).
func pow2(e int) float64 { return math.Float64frombits(uint64(e+1023) << 52) }

// IsSubnormal reports whether b is a subnormal of the format.
func (f Format) IsSubnormal(b uint64) bool {
	return (b>>f.mant)&f.expMax == 0 && b&(1<<f.mant-1) != 0
}

// FlushSubnormal replaces a subnormal by a zero of the same sign (PTX's
// .ftz).
func (f Format) FlushSubnormal(b uint64) uint64 {
	if f.IsSubnormal(b) {
		return b & f.signBit
	}
	return b
}
