package ir

import (
	"encoding/binary"
	"fmt"
	"math"
)

// DType is an element type of the tile IR: a signless integer of 1 to 64 bits
// or an IEEE-style float. Integers are signless like LLVM's: signedness is a
// property of the op (cmp predicates, shr vs shru), not of the type.
type DType uint8

// The element types. The order is used by tables indexed by DType.
const (
	Invalid DType = iota
	I1
	I8
	I16
	I32
	I64
	F16
	BF16
	F32
	F64
	numDTypes
)

var dtypeNames = [numDTypes]string{"invalid", "i1", "i8", "i16", "i32", "i64", "f16", "bf16", "f32", "f64"}
var dtypeBits = [numDTypes]int{0, 1, 8, 16, 32, 64, 16, 16, 32, 64}

// String returns the IR spelling of d (f16, i32, ...).
func (d DType) String() string {
	if d < numDTypes {
		return dtypeNames[d]
	}
	return fmt.Sprintf("dtype(%d)", uint8(d))
}

// ParseDType returns the DType spelled s.
func ParseDType(s string) (DType, error) {
	for d := I1; d < numDTypes; d++ {
		if dtypeNames[d] == s {
			return d, nil
		}
	}
	return Invalid, fmt.Errorf("unknown dtype %q (want one of i1 i8 i16 i32 i64 f16 bf16 f32 f64)", s)
}

// Bits is the width of d in bits (1 for i1).
func (d DType) Bits() int { return dtypeBits[d] }

// Size is the number of bytes d occupies in memory (i1 is stored as a byte).
func (d DType) Size() int {
	if d == I1 {
		return 1
	}
	return dtypeBits[d] / 8
}

// IsFloat reports whether d is a floating-point type.
func (d DType) IsFloat() bool { return d >= F16 && d <= F64 }

// IsInt reports whether d is an integer type (including i1).
func (d DType) IsInt() bool { return d >= I1 && d <= I64 }

// Round rounds x to the nearest value representable in d, ties to even for
// floats. For integers it wraps x (already integral) to d's width and
// sign-extends, which is how two's-complement arithmetic behaves.
func (d DType) Round(x float64) float64 {
	switch d {
	case F16:
		return roundFloat(x, 11, -14, 15)
	case BF16:
		return roundFloat(x, 8, -126, 127)
	case F32:
		return float64(float32(x))
	case F64:
		return x
	}
	return float64(d.Wrap(int64(x)))
}

// Wrap truncates v to d's width and sign-extends it (i1 becomes 0 or 1).
func (d DType) Wrap(v int64) int64 {
	switch d {
	case I1:
		return v & 1
	case I8:
		return int64(int8(v))
	case I16:
		return int64(int16(v))
	case I32:
		return int64(int32(v))
	}
	return v
}

// roundFloat rounds x to a binary float with prec significand bits
// (including the implicit bit), minimum normal exponent emin and maximum
// exponent emax, with round-to-nearest-even, gradual underflow and overflow
// to infinity. It rounds from float64 directly, so there is no double
// rounding through float32.
func roundFloat(x float64, prec, emin, emax int) float64 {
	bits := math.Float64bits(x)
	e := int(bits>>52) & 0x7FF
	if e == 0x7FF || bits<<1 == 0 { // NaN, infinities, zeros
		return x
	}
	// x = 1.f * 2^exp; below emin the quantum is fixed (subnormals). The
	// quantum is a power of two, so the division and product are exact.
	quantum := pow2(max(e-1023, emin) - (prec - 1))
	r := math.RoundToEven(x/quantum) * quantum
	if math.Abs(r) > maxFinite(prec, emax) { // rounds beyond the largest finite value
		return math.Copysign(math.Inf(1), x)
	}
	return r
}

// pow2 is 2^e for a normal float64 exponent e (-1022 <= e <= 1023), built
// from its bits: math.Ldexp's generality costs more than the whole rounding.
func pow2(e int) float64 { return math.Float64frombits(uint64(e+1023) << 52) }

// maxFinite is the largest finite value with prec significand bits and
// exponent at most emax: 1.11...1 * 2^emax.
func maxFinite(prec, emax int) float64 {
	return math.Float64frombits(uint64(emax+1023)<<52 | (1<<(prec-1)-1)<<(53-prec))
}

// Encode writes x (an integer for integer types) as d into b, little-endian.
// b must hold d.Size() bytes. Floats are rounded to d first.
func (d DType) Encode(b []byte, x float64) {
	switch d {
	case F16:
		binary.LittleEndian.PutUint16(b, F16Bits(x))
	case BF16:
		binary.LittleEndian.PutUint16(b, BF16Bits(x))
	case F32:
		binary.LittleEndian.PutUint32(b, math.Float32bits(float32(x)))
	case F64:
		binary.LittleEndian.PutUint64(b, math.Float64bits(x))
	default:
		d.EncodeInt(b, int64(x))
	}
}

// EncodeInt writes the integer v as d into b, little-endian, truncating to
// d's width. It exists beside Encode because an i64 does not fit a float64.
func (d DType) EncodeInt(b []byte, v int64) {
	switch d {
	case I1:
		b[0] = byte(v & 1)
	case I8:
		b[0] = byte(v)
	case I16:
		binary.LittleEndian.PutUint16(b, uint16(v))
	case I32:
		binary.LittleEndian.PutUint32(b, uint32(v))
	case I64:
		binary.LittleEndian.PutUint64(b, uint64(v))
	default:
		d.Encode(b, float64(v))
	}
}

// Decode reads a d from b (little-endian) as a float64; integers are
// sign-extended (exact up to 2^53, use DecodeInt beyond).
func (d DType) Decode(b []byte) float64 {
	switch d {
	case F16:
		return F16FromBits(binary.LittleEndian.Uint16(b))
	case BF16:
		return BF16FromBits(binary.LittleEndian.Uint16(b))
	case F32:
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
	case F64:
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	}
	return float64(d.DecodeInt(b))
}

// DecodeInt reads an integer d from b, sign-extended to 64 bits.
func (d DType) DecodeInt(b []byte) int64 {
	switch d {
	case I1:
		return int64(b[0] & 1)
	case I8:
		return int64(int8(b[0]))
	case I16:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case I32:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	case I64:
		return int64(binary.LittleEndian.Uint64(b))
	}
	return int64(d.Decode(b))
}

// F16Bits returns the IEEE binary16 encoding of x rounded to nearest even.
func F16Bits(x float64) uint16 { return halfBits(x, 11, -14, 15, 5) }

// BF16Bits returns the bfloat16 encoding of x rounded to nearest even.
func BF16Bits(x float64) uint16 { return halfBits(x, 8, -126, 127, 8) }

// halfBits encodes x in a 16-bit float format with prec significand bits and
// ebits exponent bits. NaN becomes the canonical quiet NaN.
func halfBits(x float64, prec, emin, emax, ebits int) uint16 {
	mbits := prec - 1
	var sign uint16
	if math.Signbit(x) {
		sign = 1 << 15
	}
	bias := emax
	switch {
	case math.IsNaN(x):
		return uint16((1<<ebits-1)<<mbits) | 1<<(mbits-1) | sign
	case math.IsInf(x, 0):
		return sign | uint16((1<<ebits-1)<<mbits)
	}
	r := math.Abs(roundFloat(x, prec, emin, emax))
	if math.IsInf(r, 0) {
		return sign | uint16((1<<ebits-1)<<mbits)
	}
	if r == 0 {
		return sign
	}
	rb := math.Float64bits(r)
	exp := int(rb>>52) - 1023
	if exp < emin { // subnormal: r is a multiple of 2^(emin-mbits)
		return sign | uint16(r*pow2(mbits-emin))
	}
	m := uint16(rb>>(52-mbits)) & (1<<mbits - 1)
	return sign | uint16(exp+bias)<<mbits | m
}

// F16FromBits decodes an IEEE binary16 value.
func F16FromBits(h uint16) float64 { return halfValue(h, 10, 5, 15) }

// BF16FromBits decodes a bfloat16 value.
func BF16FromBits(h uint16) float64 {
	return float64(math.Float32frombits(uint32(h) << 16))
}

func halfValue(h uint16, mbits, ebits, bias int) float64 {
	sign := uint64(h>>15) << 63
	e := int(h>>mbits) & (1<<ebits - 1)
	m := uint64(h) & (1<<mbits - 1)
	switch e {
	case 0: // subnormal or zero: m * 2^(1-bias-mbits)
		return math.Float64frombits(sign | math.Float64bits(float64(m)*pow2(1-bias-mbits)))
	case 1<<ebits - 1:
		if m != 0 {
			return math.NaN()
		}
		return math.Float64frombits(sign | 0x7FF<<52)
	}
	return math.Float64frombits(sign | uint64(e-bias+1023)<<52 | m<<(52-mbits))
}
