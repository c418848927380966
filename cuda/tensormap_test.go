package cuda

import (
	"errors"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The values below were read from cuda.h (CUDA 12.0 to 13.0, unchanged);
// they are written out literally so an edit that changes one fails here.
func TestTensorMapEnumValues(t *testing.T) {
	types := []struct {
		got  TensorMapDataType
		want uint32
		name string
		size int
	}{
		{TensorMapUint8, 0, "CU_TENSOR_MAP_DATA_TYPE_UINT8", 1},
		{TensorMapUint16, 1, "CU_TENSOR_MAP_DATA_TYPE_UINT16", 2},
		{TensorMapUint32, 2, "CU_TENSOR_MAP_DATA_TYPE_UINT32", 4},
		{TensorMapInt32, 3, "CU_TENSOR_MAP_DATA_TYPE_INT32", 4},
		{TensorMapUint64, 4, "CU_TENSOR_MAP_DATA_TYPE_UINT64", 8},
		{TensorMapInt64, 5, "CU_TENSOR_MAP_DATA_TYPE_INT64", 8},
		{TensorMapFloat16, 6, "CU_TENSOR_MAP_DATA_TYPE_FLOAT16", 2},
		{TensorMapFloat32, 7, "CU_TENSOR_MAP_DATA_TYPE_FLOAT32", 4},
		{TensorMapFloat64, 8, "CU_TENSOR_MAP_DATA_TYPE_FLOAT64", 8},
		{TensorMapBFloat16, 9, "CU_TENSOR_MAP_DATA_TYPE_BFLOAT16", 2},
		{TensorMapFloat32FTZ, 10, "CU_TENSOR_MAP_DATA_TYPE_FLOAT32_FTZ", 4},
		{TensorMapTFloat32, 11, "CU_TENSOR_MAP_DATA_TYPE_TFLOAT32", 4},
		{TensorMapTFloat32FTZ, 12, "CU_TENSOR_MAP_DATA_TYPE_TFLOAT32_FTZ", 4},
	}
	for _, c := range types {
		assert.Equal(t, c.want, uint32(c.got), c.name)
		assert.Equal(t, c.name, c.got.String())
		assert.Equal(t, c.size, c.got.Size(), c.name)
	}
	assert.Equal(t, "CUtensorMapDataType(13)", TensorMapDataType(13).String())
	assert.Zero(t, TensorMapDataType(13).Size())

	assert.Equal(t, []uint32{0, 1, 2}, []uint32{uint32(TensorMapInterleaveNone), uint32(TensorMapInterleave16B), uint32(TensorMapInterleave32B)})
	assert.Equal(t, []uint32{0, 1, 2, 3}, []uint32{uint32(TensorMapSwizzleNone), uint32(TensorMapSwizzle32B), uint32(TensorMapSwizzle64B), uint32(TensorMapSwizzle128B)})
	assert.Equal(t, []int{0, 32, 64, 128, 0}, []int{TensorMapSwizzleNone.Span(), TensorMapSwizzle32B.Span(), TensorMapSwizzle64B.Span(), TensorMapSwizzle128B.Span(), TensorMapSwizzle(4).Span()})
	assert.Equal(t, []uint32{0, 1, 2, 3}, []uint32{uint32(TensorMapL2PromotionNone), uint32(TensorMapL2Promotion64B), uint32(TensorMapL2Promotion128B), uint32(TensorMapL2Promotion256B)})
	assert.Equal(t, []uint32{0, 1}, []uint32{uint32(TensorMapOOBFillNone), uint32(TensorMapOOBFillNaNRequestZeroFMA)})
}

func TestAlignedTensorMap(t *testing.T) {
	assert.Equal(t, uintptr(128), unsafe.Sizeof(TensorMap{}))
	for range 64 {
		m := AlignedTensorMap()
		require.Zero(t, uintptr(unsafe.Pointer(m))%64)
		require.Equal(t, TensorMap{}, *m)
	}
}

// tileMap describes a 128×64-element f16 tile of a row-major 4096×1024
// matrix with the 128-byte swizzle (wgmma's K-major operand layout).
func tileMap() TensorMapTiled {
	return TensorMapTiled{
		DataType: TensorMapFloat16,
		Address:  DevicePtr(0x7f00_0000_1000),
		Dims:     []uint64{1024, 4096},
		Strides:  []uint64{1024 * 2},
		Box:      []uint32{64, 128},
		Swizzle:  TensorMapSwizzle128B,
	}
}

func TestTensorMapValidate(t *testing.T) {
	ok := tileMap()
	require.NoError(t, ok.Validate())
	interleaved := TensorMapTiled{
		DataType: TensorMapInt32, Address: 0x1000, Dims: []uint64{8, 16, 16}, Strides: []uint64{64, 1024},
		Box: []uint32{8, 4, 4}, Interleave: TensorMapInterleave32B, Swizzle: TensorMapSwizzle32B,
	}
	require.NoError(t, interleaved.Validate(), "the innermost-row rules apply without interleave only")

	cases := []struct {
		name string
		edit func(m *TensorMapTiled)
		want string
	}{
		{"data type", func(m *TensorMapTiled) { m.DataType = 13 }, "unknown data type 13"},
		{"interleave", func(m *TensorMapTiled) { m.Interleave = 3 }, "unknown interleave 3"},
		{"swizzle", func(m *TensorMapTiled) { m.Swizzle = 4 }, "unsupported swizzle 4"},
		{"l2", func(m *TensorMapTiled) { m.L2Promotion = 4 }, "unknown L2 promotion 4"},
		{"oob", func(m *TensorMapTiled) { m.OOBFill = 2 }, "unknown out-of-bounds fill 2"},
		{"nan fill of ints", func(m *TensorMapTiled) {
			m.DataType, m.OOBFill = TensorMapInt32, TensorMapOOBFillNaNRequestZeroFMA
			m.Box[0] = 32
		}, "needs a floating-point data type, not CU_TENSOR_MAP_DATA_TYPE_INT32"},
		{"rank 0", func(m *TensorMapTiled) { m.Dims, m.Strides, m.Box = nil, nil, nil }, "rank 0 (len(Dims)) is not 1 to 5"},
		{"rank 6", func(m *TensorMapTiled) {
			m.Dims, m.Strides, m.Box = make([]uint64, 6), make([]uint64, 5), make([]uint32, 6)
		}, "rank 6 (len(Dims)) is not 1 to 5"},
		{"interleave rank", func(m *TensorMapTiled) { m.Interleave = TensorMapInterleave16B }, "rank 2: interleaved tensor maps need rank 3 or more"},
		{"strides", func(m *TensorMapTiled) { m.Strides = []uint64{2048, 4096} }, "2 strides for rank 2, want 1"},
		{"box", func(m *TensorMapTiled) { m.Box = []uint32{64} }, "1 box dimensions for rank 2"},
		{"element strides", func(m *TensorMapTiled) { m.ElementStrides = []uint32{1} }, "1 element strides for rank 2"},
		{"null address", func(m *TensorMapTiled) { m.Address = 0 }, "no global address"},
		{"address", func(m *TensorMapTiled) { m.Address += 8 }, "global address 0x7f0000001008 is not 16-byte aligned"},
		{"address interleaved", func(m *TensorMapTiled) {
			*m = interleaved
			m.Address += 16
		}, "global address 0x1010 is not 32-byte aligned"},
		{"dim 0", func(m *TensorMapTiled) { m.Dims[1] = 0 }, "dimension 1 has 0 elements, not 1 to 2^32"},
		{"dim 2^32+1", func(m *TensorMapTiled) { m.Dims[0] = 1<<32 + 1 }, "dimension 0 has 4294967297 elements"},
		{"stride 8", func(m *TensorMapTiled) { m.Strides[0] = 2056 }, "stride of dimension 1 is 2056 bytes, not a multiple of 16 below 2^40"},
		{"stride 2^40", func(m *TensorMapTiled) { m.Strides[0] = 1 << 40 }, "stride of dimension 1 is 1099511627776 bytes"},
		{"stride interleaved", func(m *TensorMapTiled) {
			*m = interleaved
			m.Strides = []uint64{48, 1024}
		}, "not a multiple of 32 below 2^40"},
		{"box 0", func(m *TensorMapTiled) { m.Box[1] = 0 }, "box dimension 1 is 0, not 1 to 256"},
		{"box 257", func(m *TensorMapTiled) { m.Box[1] = 257 }, "box dimension 1 is 257, not 1 to 256"},
		{"box row 16 bytes", func(m *TensorMapTiled) { m.Box[0] = 12 }, "innermost row is 24 bytes (12 × 2), not a multiple of 16"},
		{"box row swizzle", func(m *TensorMapTiled) { m.Swizzle = TensorMapSwizzle64B }, "innermost row is 128 bytes, more than the 64-byte swizzle span"},
		{"element stride 0", func(m *TensorMapTiled) { m.ElementStrides = []uint32{1, 0} }, "element stride 1 is 0, not 1 to 8"},
		{"element stride 9", func(m *TensorMapTiled) { m.ElementStrides = []uint32{9, 1} }, "element stride 0 is 9, not 1 to 8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := tileMap()
			c.edit(&m)
			err := m.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			assert.True(t, errors.Is(err, ErrTensorMap))
			assert.Contains(t, err.Error(), "cuda: tensor map: ")
		})
	}
}
