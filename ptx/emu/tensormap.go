package emu

import (
	"encoding/binary"
	"fmt"
)

// Tensor maps describe a tiled tensor in global memory for the bulk tensor
// copies (cp.async.bulk.tensor). On hardware they are an opaque 128-byte
// CUtensorMap built by cuTensorMapEncodeTiled and passed to the kernel by
// value (.param .align 64 .b8 name[128]) or placed in global memory. The
// emulator has its own encoding of those 128 bytes: EncodeTensorMap checks
// the documented cuTensorMapEncodeTiled rules and writes it, and the copy
// instructions decode and check it again, so 128 bytes that did not come
// from EncodeTensorMap are reported instead of being trusted.

// TensorDType is a tensor map's element type (CUtensorMapDataType).
type TensorDType uint8

// Element types, numbered as CUtensorMapDataType.
const (
	TensorU8      TensorDType = iota // CU_TENSOR_MAP_DATA_TYPE_UINT8
	TensorU16                        // UINT16
	TensorU32                        // UINT32
	TensorI32                        // INT32
	TensorU64                        // UINT64
	TensorI64                        // INT64
	TensorF16                        // FLOAT16
	TensorF32                        // FLOAT32
	TensorF64                        // FLOAT64
	TensorBF16                       // BFLOAT16
	TensorF32FTZ                     // FLOAT32_FTZ
	TensorTF32                       // TFLOAT32
	TensorTF32FTZ                    // TFLOAT32_FTZ
	numTensorDTypes
)

var tensorDTypeInfo = [numTensorDTypes]struct {
	name string
	size int
}{
	{"u8", 1}, {"u16", 2}, {"u32", 4}, {"i32", 4}, {"u64", 8}, {"i64", 8},
	{"f16", 2}, {"f32", 4}, {"f64", 8}, {"bf16", 2}, {"f32.ftz", 4}, {"tf32", 4}, {"tf32.ftz", 4},
}

// Size returns the element size in bytes, or 0 for an unknown type.
func (t TensorDType) Size() int {
	if t < numTensorDTypes {
		return tensorDTypeInfo[t].size
	}
	return 0
}

// String returns the type's short name, e.g. "bf16".
func (t TensorDType) String() string {
	if t < numTensorDTypes {
		return tensorDTypeInfo[t].name
	}
	return fmt.Sprintf("dtype%d", uint8(t))
}

// TensorSwizzle is a tensor map's shared-memory swizzle (CUtensorMapSwizzle).
type TensorSwizzle uint8

// Swizzle modes, numbered as CUtensorMapSwizzle. A box row of the
// innermost dimension lands in shared memory as 16-byte chunks whose
// address bits [4:6] are XORed with bits [7:9] (128B), bits [4:5] with
// [7:8] (64B) or bit 4 with bit 7 (32B).
const (
	SwizzleNone TensorSwizzle = iota
	Swizzle32B
	Swizzle64B
	Swizzle128B
)

// Span returns the swizzle's span in bytes (0 for SwizzleNone).
func (s TensorSwizzle) Span() int {
	switch s {
	case Swizzle32B:
		return 32
	case Swizzle64B:
		return 64
	case Swizzle128B:
		return 128
	}
	return 0
}

// Align returns the shared-memory alignment a box with this swizzle needs:
// 128 bytes unswizzled, else the swizzle pattern's repeat (8 rows of 128
// bytes for 128B, 512 and 256 bytes for 64B and 32B).
func (s TensorSwizzle) Align() uint64 {
	switch s {
	case Swizzle32B:
		return 256
	case Swizzle64B:
		return 512
	case Swizzle128B:
		return 1024
	}
	return 128
}

// String returns "none", "32B", "64B" or "128B".
func (s TensorSwizzle) String() string {
	switch s {
	case SwizzleNone:
		return "none"
	case Swizzle32B, Swizzle64B, Swizzle128B:
		return fmt.Sprintf("%dB", s.Span())
	}
	return fmt.Sprintf("swizzle%d", uint8(s))
}

// swizzleBits is the number of address bits from bit 7 up that are XORed
// into bits 4 and up.
func (s TensorSwizzle) swizzleBits() uint {
	switch s {
	case Swizzle32B:
		return 1
	case Swizzle64B:
		return 2
	case Swizzle128B:
		return 3
	}
	return 0
}

// apply returns the swizzled shared address of addr.
func (s TensorSwizzle) apply(addr uint64) uint64 {
	b := s.swizzleBits()
	return addr ^ (addr>>7&(1<<b-1))<<4
}

// TensorOOBFill is what a tensor load writes for elements outside the
// tensor (CUtensorMapFloatOOBfill).
type TensorOOBFill uint8

// Out-of-bounds fill modes.
const (
	OOBFillZero TensorOOBFill = iota // CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE: zeros
	OOBFillNaN                       // NAN_REQUEST_ZERO_FMA (not supported by the emulator)
)

// TensorMap is the description of a tiled tensor that cuTensorMapEncodeTiled
// takes (interleave none, L2 promotion ignored). Dimension 0 is the
// innermost (contiguous) one. Entries beyond Rank are ignored and encode as
// zero.
type TensorMap struct {
	DType       TensorDType
	Rank        int       // 1..5
	Global      uint64    // device address of element (0, ..., 0); 16-byte aligned
	Dims        [5]uint64 // elements per dimension, each 1..2^32
	Strides     [4]uint64 // bytes between consecutive indices of dimensions 1..Rank-1: multiples of 16, < 2^40
	Box         [5]uint32 // box elements per dimension, each 1..256; Box[0] times the element size a multiple of 16
	ElemStrides [5]uint32 // traversal strides: only 1 is supported
	Swizzle     TensorSwizzle
	OOBFill     TensorOOBFill
}

// BoxBytes returns the bytes one box occupies in shared memory.
func (m *TensorMap) BoxBytes() int {
	n := m.DType.Size()
	for i := 0; i < m.Rank && i < 5; i++ {
		n *= int(m.Box[i])
	}
	return n
}

// validate checks the cuTensorMapEncodeTiled rules the emulator relies on.
func (m *TensorMap) validate() error {
	if m.DType >= numTensorDTypes {
		return fmt.Errorf("tensor map: unknown data type %d", m.DType)
	}
	if m.Rank < 1 || m.Rank > 5 {
		return fmt.Errorf("tensor map: rank %d is not in 1..5", m.Rank)
	}
	if m.Global%16 != 0 {
		return fmt.Errorf("tensor map: global address %#x is not 16-byte aligned", m.Global)
	}
	es := uint64(m.DType.Size())
	for i := 0; i < m.Rank; i++ {
		if m.Dims[i] < 1 || m.Dims[i] > 1<<32 {
			return fmt.Errorf("tensor map: dimension %d size %d is not in 1..2^32", i, m.Dims[i])
		}
		if m.Box[i] < 1 || m.Box[i] > 256 {
			return fmt.Errorf("tensor map: box dimension %d is %d, not in 1..256", i, m.Box[i])
		}
		if m.ElemStrides[i] != 1 {
			return fmt.Errorf("tensor map: element stride %d of dimension %d is not supported (only 1)", m.ElemStrides[i], i)
		}
	}
	for i := 0; i < m.Rank-1; i++ {
		if m.Strides[i]%16 != 0 || m.Strides[i] >= 1<<40 {
			return fmt.Errorf("tensor map: stride %d (of dimension %d) is %d bytes: it must be a multiple of 16 below 2^40", i, i+1, m.Strides[i])
		}
	}
	inner := uint64(m.Box[0]) * es
	if inner%16 != 0 {
		return fmt.Errorf("tensor map: the innermost box dimension is %d bytes, not a multiple of 16", inner)
	}
	if m.Swizzle > Swizzle128B {
		return fmt.Errorf("tensor map: unknown swizzle mode %d", m.Swizzle)
	}
	if m.Swizzle != SwizzleNone && inner > uint64(m.Swizzle.Span()) {
		return fmt.Errorf("tensor map: the innermost box dimension is %d bytes, more than the %s swizzle span", inner, m.Swizzle)
	}
	switch m.OOBFill {
	case OOBFillZero:
	case OOBFillNaN:
		return fmt.Errorf("tensor map: OOB NaN fill is not supported by the emulator")
	default:
		return fmt.Errorf("tensor map: unknown OOB fill mode %d", m.OOBFill)
	}
	return nil
}

// The emulator's 128-byte encoding: a magic and version, the fields in
// fixed little-endian slots, reserved bytes that must be zero, and an
// FNV-1a checksum of bytes 0..119 in bytes 120..127.
const (
	tmapMagic   = "tcTM"
	tmapVersion = 1
	tmapSum     = 120
)

func fnv64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

// EncodeTensorMap checks m against the cuTensorMapEncodeTiled rules
// documented on TensorMap and returns the emulator's 128-byte encoding of
// it, to be passed to a kernel's .param .align 64 .b8 name[128] (as a
// []byte) or copied to 64-byte aligned global memory.
func EncodeTensorMap(m TensorMap) ([128]byte, error) {
	var b [128]byte
	if err := m.validate(); err != nil {
		return b, err
	}
	copy(b[0:4], tmapMagic)
	b[4] = tmapVersion
	b[5] = byte(m.DType)
	b[6] = byte(m.Rank)
	b[7] = byte(m.Swizzle)
	b[8] = byte(m.OOBFill)
	le := binary.LittleEndian
	le.PutUint64(b[16:], m.Global)
	for i := 0; i < m.Rank; i++ {
		le.PutUint64(b[24+8*i:], m.Dims[i])
		le.PutUint16(b[96+2*i:], uint16(m.Box[i]))
		b[106+i] = byte(m.ElemStrides[i])
	}
	for i := 0; i < m.Rank-1; i++ {
		le.PutUint64(b[64+8*i:], m.Strides[i])
	}
	le.PutUint64(b[tmapSum:], fnv64(b[:tmapSum]))
	return b, nil
}

// DecodeTensorMap decodes and checks 128 bytes made by EncodeTensorMap.
func DecodeTensorMap(b [128]byte) (TensorMap, error) {
	var m TensorMap
	le := binary.LittleEndian
	if string(b[0:4]) != tmapMagic || b[4] != tmapVersion {
		return m, fmt.Errorf("not a tensor map encoded by EncodeTensorMap (bad magic or version)")
	}
	if le.Uint64(b[tmapSum:]) != fnv64(b[:tmapSum]) {
		return m, fmt.Errorf("tensor map checksum mismatch (the 128 bytes were modified)")
	}
	m.DType = TensorDType(b[5])
	m.Rank = int(b[6])
	m.Swizzle = TensorSwizzle(b[7])
	m.OOBFill = TensorOOBFill(b[8])
	m.Global = le.Uint64(b[16:])
	if m.Rank < 1 || m.Rank > 5 {
		return m, fmt.Errorf("tensor map: rank %d is not in 1..5", m.Rank)
	}
	for i := 0; i < m.Rank; i++ {
		m.Dims[i] = le.Uint64(b[24+8*i:])
		m.Box[i] = uint32(le.Uint16(b[96+2*i:]))
		m.ElemStrides[i] = uint32(b[106+i])
	}
	for i := 0; i < m.Rank-1; i++ {
		m.Strides[i] = le.Uint64(b[64+8*i:])
	}
	if err := m.validate(); err != nil {
		return m, err
	}
	// Reserved bytes and the slots of unused dimensions must be zero, so
	// that decoding is the exact inverse of encoding.
	enc, _ := EncodeTensorMap(m)
	if enc != b {
		return m, fmt.Errorf("tensor map has nonzero reserved bytes")
	}
	return m, nil
}
