package cuda

import (
	"errors"
	"fmt"
	"unsafe"
)

// TensorMap is a CUtensorMap: the 128-byte opaque descriptor of a tensor in
// global memory from which the Tensor Memory Accelerator (Hopper, sm_90 and
// newer) copies tiles into shared memory (cp.async.bulk.tensor). Driver.
// EncodeTensorMapTiled makes one; a kernel takes it by value, as a
// ".param .align 64 .b8 p[128]" parameter, and Launch accepts a TensorMap
// or *TensorMap argument for it.
//
// cuda.h declares CUtensorMap with alignas(64), and the driver requires the
// map it encodes into to be 64-byte aligned; a Go array cannot declare that
// alignment. So EncodeTensorMapTiled encodes into a 64-byte-aligned buffer
// and copies the bytes out, Launch copies TensorMap arguments to 64-byte-
// aligned places, and AlignedTensorMap returns one at an aligned address for
// callers that build kernelParams themselves (LaunchRaw).
type TensorMap [128]byte

// tensorMapAlign is the alignment of a CUtensorMap.
const tensorMapAlign = 64

// AlignedTensorMap returns a new zeroed TensorMap at a 64-byte-aligned
// address, as cuda.h aligns CUtensorMap: for a kernelParams entry of
// LaunchRaw, or any C API that wants an aligned CUtensorMap*.
func AlignedTensorMap() *TensorMap {
	buf := make([]byte, len(TensorMap{})+tensorMapAlign-1)
	off := (tensorMapAlign - int(uintptr(unsafe.Pointer(&buf[0]))%tensorMapAlign)) % tensorMapAlign
	return (*TensorMap)(unsafe.Pointer(&buf[off]))
}

// TensorMapDataType is a CUtensorMapDataType: the element type of a tensor
// map.
type TensorMapDataType uint32

// CUtensorMapDataType values (cuda.h, CUDA 12.0+).
const (
	TensorMapUint8       TensorMapDataType = 0  // CU_TENSOR_MAP_DATA_TYPE_UINT8
	TensorMapUint16      TensorMapDataType = 1  // CU_TENSOR_MAP_DATA_TYPE_UINT16
	TensorMapUint32      TensorMapDataType = 2  // CU_TENSOR_MAP_DATA_TYPE_UINT32
	TensorMapInt32       TensorMapDataType = 3  // CU_TENSOR_MAP_DATA_TYPE_INT32
	TensorMapUint64      TensorMapDataType = 4  // CU_TENSOR_MAP_DATA_TYPE_UINT64
	TensorMapInt64       TensorMapDataType = 5  // CU_TENSOR_MAP_DATA_TYPE_INT64
	TensorMapFloat16     TensorMapDataType = 6  // CU_TENSOR_MAP_DATA_TYPE_FLOAT16
	TensorMapFloat32     TensorMapDataType = 7  // CU_TENSOR_MAP_DATA_TYPE_FLOAT32
	TensorMapFloat64     TensorMapDataType = 8  // CU_TENSOR_MAP_DATA_TYPE_FLOAT64
	TensorMapBFloat16    TensorMapDataType = 9  // CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
	TensorMapFloat32FTZ  TensorMapDataType = 10 // CU_TENSOR_MAP_DATA_TYPE_FLOAT32_FTZ
	TensorMapTFloat32    TensorMapDataType = 11 // CU_TENSOR_MAP_DATA_TYPE_TFLOAT32
	TensorMapTFloat32FTZ TensorMapDataType = 12 // CU_TENSOR_MAP_DATA_TYPE_TFLOAT32_FTZ
)

// tensorMapTypes gives each known data type its cuda.h name, element size
// and whether it is a floating-point type.
var tensorMapTypes = map[TensorMapDataType]struct {
	name  string
	size  int
	float bool
}{
	TensorMapUint8:       {"UINT8", 1, false},
	TensorMapUint16:      {"UINT16", 2, false},
	TensorMapUint32:      {"UINT32", 4, false},
	TensorMapInt32:       {"INT32", 4, false},
	TensorMapUint64:      {"UINT64", 8, false},
	TensorMapInt64:       {"INT64", 8, false},
	TensorMapFloat16:     {"FLOAT16", 2, true},
	TensorMapFloat32:     {"FLOAT32", 4, true},
	TensorMapFloat64:     {"FLOAT64", 8, true},
	TensorMapBFloat16:    {"BFLOAT16", 2, true},
	TensorMapFloat32FTZ:  {"FLOAT32_FTZ", 4, true},
	TensorMapTFloat32:    {"TFLOAT32", 4, true},
	TensorMapTFloat32FTZ: {"TFLOAT32_FTZ", 4, true},
}

// Size returns the bytes of one element, or 0 for an unknown type.
func (t TensorMapDataType) Size() int { return tensorMapTypes[t].size }

// String returns the cuda.h name, e.g. "CU_TENSOR_MAP_DATA_TYPE_FLOAT16".
func (t TensorMapDataType) String() string {
	if d, ok := tensorMapTypes[t]; ok {
		return "CU_TENSOR_MAP_DATA_TYPE_" + d.name
	}
	return fmt.Sprintf("CUtensorMapDataType(%d)", uint32(t))
}

// TensorMapInterleave is a CUtensorMapInterleave: whether the tensor's
// innermost dimension is interleaved in 16- or 32-byte chunks (NCHW16 and
// NC/8HWC8-style layouts); dense tensors use TensorMapInterleaveNone.
type TensorMapInterleave uint32

// CUtensorMapInterleave values.
const (
	TensorMapInterleaveNone TensorMapInterleave = 0 // CU_TENSOR_MAP_INTERLEAVE_NONE
	TensorMapInterleave16B  TensorMapInterleave = 1 // CU_TENSOR_MAP_INTERLEAVE_16B
	TensorMapInterleave32B  TensorMapInterleave = 2 // CU_TENSOR_MAP_INTERLEAVE_32B
)

// TensorMapSwizzle is a CUtensorMapSwizzle: how the TMA permutes 16-byte
// chunks of each row it writes into shared memory, within a span of 32, 64
// or 128 bytes, to avoid bank conflicts when the tile is read back (what
// wgmma's shared-memory descriptors and ldmatrix layouts expect).
type TensorMapSwizzle uint32

// CUtensorMapSwizzle values (the Hopper ones; CUDA 12.8 adds Blackwell's
// 128-byte spans with 32- and 64-byte atoms, which this package rejects).
const (
	TensorMapSwizzleNone TensorMapSwizzle = 0 // CU_TENSOR_MAP_SWIZZLE_NONE
	TensorMapSwizzle32B  TensorMapSwizzle = 1 // CU_TENSOR_MAP_SWIZZLE_32B
	TensorMapSwizzle64B  TensorMapSwizzle = 2 // CU_TENSOR_MAP_SWIZZLE_64B
	TensorMapSwizzle128B TensorMapSwizzle = 3 // CU_TENSOR_MAP_SWIZZLE_128B
)

// Span returns the bytes a swizzle permutes within (32, 64 or 128), or 0
// for TensorMapSwizzleNone and unknown values.
func (s TensorMapSwizzle) Span() int {
	switch s {
	case TensorMapSwizzle32B:
		return 32
	case TensorMapSwizzle64B:
		return 64
	case TensorMapSwizzle128B:
		return 128
	}
	return 0
}

// TensorMapL2Promotion is a CUtensorMapL2promotion: the L2 sector
// promotion of the TMA's global reads.
type TensorMapL2Promotion uint32

// CUtensorMapL2promotion values.
const (
	TensorMapL2PromotionNone TensorMapL2Promotion = 0 // CU_TENSOR_MAP_L2_PROMOTION_NONE
	TensorMapL2Promotion64B  TensorMapL2Promotion = 1 // CU_TENSOR_MAP_L2_PROMOTION_L2_64B
	TensorMapL2Promotion128B TensorMapL2Promotion = 2 // CU_TENSOR_MAP_L2_PROMOTION_L2_128B
	TensorMapL2Promotion256B TensorMapL2Promotion = 3 // CU_TENSOR_MAP_L2_PROMOTION_L2_256B
)

// TensorMapFloatOOBFill is a CUtensorMapFloatOOBfill: what a tile holds
// where the box lies outside the tensor. TensorMapOOBFillNone writes zeros;
// TensorMapOOBFillNaNRequestZeroFMA writes NaNs (float types only) that
// wgmma reads as zeros.
type TensorMapFloatOOBFill uint32

// CUtensorMapFloatOOBfill values.
const (
	TensorMapOOBFillNone              TensorMapFloatOOBFill = 0 // CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE
	TensorMapOOBFillNaNRequestZeroFMA TensorMapFloatOOBFill = 1 // CU_TENSOR_MAP_FLOAT_OOB_FILL_NAN_REQUEST_ZERO_FMA
)

// TensorMapTiled describes a tiled tensor map (cuTensorMapEncodeTiled):
// a tensor of rank 1 to 5 in global memory and the box (tile) one TMA copy
// moves. Dimensions are listed innermost (contiguous) first, as the driver
// takes them: a row-major R×C matrix is Dims {C, R}, Strides {C*elemsize
// (plus any padding)}, and a box of BR rows by BC columns is Box {BC, BR}.
type TensorMapTiled struct {
	DataType TensorMapDataType
	// Address is the tensor's start in global memory: 16-byte aligned
	// (32-byte with TensorMapInterleave32B).
	Address DevicePtr
	// Dims are the elements in each dimension, each 1 to 2^32; the rank is
	// len(Dims), 1 to 5 (at least 3 with interleave).
	Dims []uint64
	// Strides are the bytes from one index to the next of dimensions 1 to
	// rank-1 (rank-1 values; dimension 0 is contiguous): multiples of 16
	// (32 with TensorMapInterleave32B), below 2^40.
	Strides []uint64
	// Box is the tile's elements in each dimension (rank values), each 1
	// to 256. Without interleave the innermost row, Box[0] elements, is a
	// multiple of 16 bytes, and with a swizzle at most its span.
	Box []uint32
	// ElementStrides step through the tensor within a box, 1 to 8 per
	// dimension (rank values); nil means 1 in every dimension.
	ElementStrides []uint32
	Interleave     TensorMapInterleave
	Swizzle        TensorMapSwizzle
	L2Promotion    TensorMapL2Promotion
	OOBFill        TensorMapFloatOOBFill
}

// Limits of cuTensorMapEncodeTiled's parameters (CUDA driver API reference,
// "Tensor Map Object Management").
const (
	tensorMapMaxRank          = 5
	tensorMapMaxDim           = 1 << 32
	tensorMapMaxStride        = 1 << 40
	tensorMapMaxBox           = 256
	tensorMapMaxElementStride = 8
)

// ErrTensorMap is wrapped by every error Validate (and so
// EncodeTensorMapTiled) returns for a description the driver would reject.
var ErrTensorMap = errors.New("invalid tensor map")

// Validate checks m against the rules the driver documents for
// cuTensorMapEncodeTiled, so a mistake gets an error that names the field,
// not the driver's bare CUDA_ERROR_INVALID_VALUE. Errors wrap ErrTensorMap.
func (m *TensorMapTiled) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("cuda: tensor map: %s: %w", fmt.Sprintf(format, args...), ErrTensorMap)
	}
	dt, ok := tensorMapTypes[m.DataType]
	if !ok {
		return bad("unknown data type %d", uint32(m.DataType))
	}
	if m.Interleave > TensorMapInterleave32B {
		return bad("unknown interleave %d", uint32(m.Interleave))
	}
	if m.Swizzle > TensorMapSwizzle128B {
		return bad("unsupported swizzle %d (none, 32B, 64B or 128B)", uint32(m.Swizzle))
	}
	if m.L2Promotion > TensorMapL2Promotion256B {
		return bad("unknown L2 promotion %d", uint32(m.L2Promotion))
	}
	if m.OOBFill > TensorMapOOBFillNaNRequestZeroFMA {
		return bad("unknown out-of-bounds fill %d", uint32(m.OOBFill))
	}
	if m.OOBFill == TensorMapOOBFillNaNRequestZeroFMA && !dt.float {
		return bad("the NaN out-of-bounds fill needs a floating-point data type, not %s", m.DataType)
	}
	rank := len(m.Dims)
	if rank < 1 || rank > tensorMapMaxRank {
		return bad("rank %d (len(Dims)) is not 1 to %d", rank, tensorMapMaxRank)
	}
	if m.Interleave != TensorMapInterleaveNone && rank < 3 {
		return bad("rank %d: interleaved tensor maps need rank 3 or more", rank)
	}
	if len(m.Strides) != rank-1 {
		return bad("%d strides for rank %d, want %d (dimension 0 is contiguous)", len(m.Strides), rank, rank-1)
	}
	if len(m.Box) != rank {
		return bad("%d box dimensions for rank %d", len(m.Box), rank)
	}
	if m.ElementStrides != nil && len(m.ElementStrides) != rank {
		return bad("%d element strides for rank %d", len(m.ElementStrides), rank)
	}
	align := uint64(16)
	if m.Interleave == TensorMapInterleave32B {
		align = 32
	}
	if m.Address == 0 {
		return bad("no global address")
	}
	if uint64(m.Address)%align != 0 {
		return bad("global address %#x is not %d-byte aligned", uint64(m.Address), align)
	}
	for i, d := range m.Dims {
		if d < 1 || d > tensorMapMaxDim {
			return bad("dimension %d has %d elements, not 1 to 2^32", i, d)
		}
	}
	for i, s := range m.Strides {
		if s%align != 0 || s >= tensorMapMaxStride {
			return bad("stride of dimension %d is %d bytes, not a multiple of %d below 2^40", i+1, s, align)
		}
	}
	for i, b := range m.Box {
		if b < 1 || b > tensorMapMaxBox {
			return bad("box dimension %d is %d, not 1 to %d", i, b, tensorMapMaxBox)
		}
	}
	if m.Interleave == TensorMapInterleaveNone {
		row := int(m.Box[0]) * dt.size
		if row%16 != 0 {
			return bad("the box's innermost row is %d bytes (%d × %d), not a multiple of 16", row, m.Box[0], dt.size)
		}
		if span := m.Swizzle.Span(); span > 0 && row > span {
			return bad("the box's innermost row is %d bytes, more than the %d-byte swizzle span", row, span)
		}
	}
	for i, e := range m.ElementStrides {
		if e < 1 || e > tensorMapMaxElementStride {
			return bad("element stride %d is %d, not 1 to %d", i, e, tensorMapMaxElementStride)
		}
	}
	return nil
}

// EncodeTensorMapTiled validates m (see Validate) and has the driver
// encode it (cuTensorMapEncodeTiled, CUDA 12.0+; no context needed). On a
// driver without the entry point the error wraps ErrNotSupported; a
// description the driver rejects gives its *Error.
func (d *Driver) EncodeTensorMapTiled(m TensorMapTiled) (TensorMap, error) {
	if err := m.Validate(); err != nil {
		return TensorMap{}, err
	}
	if d.fn[symTensorMapEncodeTiled] == 0 {
		v, _ := d.DriverVersion()
		return TensorMap{}, fmt.Errorf("cuda: tensor map: cuTensorMapEncodeTiled needs CUDA 12.0+, the driver %s is %s: %w",
			d.file, VersionString(v), ErrNotSupported)
	}
	rank := len(m.Dims)
	es := m.ElementStrides
	if es == nil {
		es = make([]uint32, rank)
		for i := range es {
			es[i] = 1
		}
	}
	// globalStrides has rank-1 entries, none for rank 1: pass a
	// one-entry array then, so no pointer argument is nil.
	strides := append(make([]uint64, 0, rank), m.Strides...)
	strides = append(strides, 0)
	dims := append([]uint64(nil), m.Dims...)
	box := append([]uint32(nil), m.Box...)
	out := AlignedTensorMap()
	err := d.call(symTensorMapEncodeTiled,
		uintptr(unsafe.Pointer(out)), uintptr(m.DataType), uintptr(rank), uintptr(m.Address),
		uintptr(unsafe.Pointer(&dims[0])), uintptr(unsafe.Pointer(&strides[0])),
		uintptr(unsafe.Pointer(&box[0])), uintptr(unsafe.Pointer(&es[0])),
		uintptr(m.Interleave), uintptr(m.Swizzle), uintptr(m.L2Promotion), uintptr(m.OOBFill))
	if err != nil {
		return TensorMap{}, fmt.Errorf("cuda: tensor map of %s, dims %v, box %v: %w", m.DataType, m.Dims, m.Box, err)
	}
	return *out, nil
}
