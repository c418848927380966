package ir

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/tilec/tilec/internal/fp"
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
		return fp.F16.Decode(fp.F16.Round(x, 0, fp.NearestEven))
	case BF16:
		return fp.BF16.Decode(fp.BF16.Round(x, 0, fp.NearestEven))
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

// F16Bits returns the IEEE binary16 encoding of x rounded to nearest even
// (NaN as the canonical 0x7fff).
func F16Bits(x float64) uint16 { return uint16(fp.F16.Round(x, 0, fp.NearestEven)) }

// BF16Bits returns the bfloat16 encoding of x rounded to nearest even (NaN
// as the canonical 0x7fff).
func BF16Bits(x float64) uint16 { return uint16(fp.BF16.Round(x, 0, fp.NearestEven)) }

// F16FromBits decodes an IEEE binary16 value.
func F16FromBits(h uint16) float64 { return fp.F16.Decode(uint64(h)) }

// BF16FromBits decodes a bfloat16 value.
func BF16FromBits(h uint16) float64 { return fp.BF16.Decode(uint64(h)) }
