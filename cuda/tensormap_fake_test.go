//go:build linux

package cuda

import (
	"encoding/binary"
	"runtime"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/cuda/cudatest"
)

// TestEncodeTensorMapTiledABI checks that each of the 12 arguments of
// cuTensorMapEncodeTiled reaches the driver intact (on amd64 the last six
// go on the stack): the fake writes them into the map, and the 64-bit
// values are chosen so that a truncation to 32 bits would show.
func TestEncodeTensorMapTiledABI(t *testing.T) {
	d := fakeDriver(t)
	m := TensorMapTiled{
		DataType:       TensorMapBFloat16,
		Address:        DevicePtr(0x7f12_3456_7800),
		Dims:           []uint64{1 << 32, 3, 5, 7, 9},
		Strides:        []uint64{1<<40 - 32, 1 << 35, 96, 1 << 20},
		Box:            []uint32{256, 1, 2, 3, 4},
		ElementStrides: []uint32{1, 2, 3, 4, 8},
		Interleave:     TensorMapInterleave32B,
		Swizzle:        TensorMapSwizzle32B,
		L2Promotion:    TensorMapL2Promotion256B,
		OOBFill:        TensorMapOOBFillNaNRequestZeroFMA,
	}
	tm, err := d.EncodeTensorMapTiled(m)
	require.NoError(t, err, "the fake rejects a map that is not 64-byte aligned")
	got, ok := cudatest.DecodeFakeTensorMap(tm)
	require.True(t, ok, "not written by the fake: %x", tm)
	assert.Equal(t, cudatest.FakeTensorMap{
		DataType: 9, Rank: 5, Address: 0x7f12_3456_7800,
		Dims: m.Dims, Strides: m.Strides, Box: m.Box, ElementStrides: m.ElementStrides,
		Interleave: 2, Swizzle: 1, L2Promotion: 3, OOBFill: 1,
	}, got)

	// Rank 1 (no strides) with the default element strides.
	tm, err = d.EncodeTensorMapTiled(TensorMapTiled{DataType: TensorMapFloat32, Address: 0x1000, Dims: []uint64{100}, Box: []uint32{32}})
	require.NoError(t, err)
	got, ok = cudatest.DecodeFakeTensorMap(tm)
	require.True(t, ok)
	assert.Equal(t, cudatest.FakeTensorMap{
		DataType: 7, Rank: 1, Address: 0x1000, Dims: []uint64{100}, Strides: []uint64{}, Box: []uint32{32}, ElementStrides: []uint32{1},
	}, got)
}

func TestEncodeTensorMapTiledErrors(t *testing.T) {
	d := fakeDriver(t)
	// A description the rules reject never reaches the driver.
	bad := tileMap()
	bad.Box[1] = 300
	_, err := d.EncodeTensorMapTiled(bad)
	require.ErrorIs(t, err, ErrTensorMap)

	// The driver's own error.
	fakeHooks.Fail("cuTensorMapEncodeTiled", int32(ErrInvalidValue), 1)
	_, err = d.EncodeTensorMapTiled(tileMap())
	require.ErrorIs(t, err, ErrInvalidValue)
	assert.Contains(t, err.Error(), "cuda: tensor map of CU_TENSOR_MAP_DATA_TYPE_FLOAT16, dims [1024 4096], box [64 128]: cuTensorMapEncodeTiled: CUDA_ERROR_INVALID_VALUE")
}

// TestEncodeTensorMapTiledOldDriver: a driver before CUDA 12.0 lacks the
// entry point; Open still works and the call reports ErrNotSupported.
func TestEncodeTensorMapTiledOldDriver(t *testing.T) {
	path := cudatest.FakeDriver(t, "FAKE_NO_TENSOR_MAP")
	d, err := Open(path)
	require.NoError(t, err)
	assert.Zero(t, d.fn[symTensorMapEncodeTiled])
	_, err = d.EncodeTensorMapTiled(tileMap())
	require.ErrorIs(t, err, ErrNotSupported)
	assert.Contains(t, err.Error(), "cuTensorMapEncodeTiled needs CUDA 12.0+, the driver "+path+" is 13.0")
}

// tmaPTX has a kernel that takes a tensor map by value between two scalars,
// as tilec's backend declares it.
const tmaPTX = `.version 8.0
.target sm_90a
.address_size 64

.visible .entry tma_copy(
	.param .u64 tma_copy_param_0,
	.param .align 64 .b8 tma_copy_param_1[128],
	.param .u32 tma_copy_param_2
)
{
	ret;
}
`

// TestLaunchTensorMap passes a 128-byte tensor map by value: the driver
// reads its bytes through a kernelParams pointer that Launch aligns to 64
// bytes, as C code passing a CUtensorMap does.
func TestLaunchTensorMap(t *testing.T) {
	ctx := fakeContext(t)
	m, err := ctx.LoadModule([]byte(tmaPTX), nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, m.Unload()) }()
	f, err := m.Function("tma_copy")
	require.NoError(t, err)
	ps, err := f.Params()
	require.NoError(t, err)
	assert.Equal(t, []Param{{0, 8}, {64, 128}, {192, 4}}, ps, "the fake lays out .align 64 like the driver")

	tm, err := ctx.d.EncodeTensorMapTiled(tileMap())
	require.NoError(t, err)
	le := binary.LittleEndian
	want := le.AppendUint64(nil, 0xabcdef)
	want = append(want, tm[:]...)
	want = le.AppendUint32(want, 77)
	one := [3]uint32{1, 1, 1}
	for _, arg := range []any{tm, &tm} {
		// Odd-sized arguments before the map must not misalign it.
		runtime.GC()
		require.NoError(t, f.Launch(one, one, 0, nil, uint64(0xabcdef), arg, uint32(77)))
		got := fakeHooks.LastLaunch()
		assert.Equal(t, want, got.Params, "%T", arg)
		require.Len(t, got.ParamPtrs, 3)
		assert.Zero(t, got.ParamPtrs[1]%64, "%T: the tensor map's kernelParams entry %#x is not 64-byte aligned", arg, got.ParamPtrs[1])
	}
	err = f.Launch(one, one, 0, nil, uint64(1), make([]byte, 64), uint32(0))
	assert.EqualError(t, err, "cuda: launch tma_copy: argument 1 is a []uint8 of 64 bytes, the kernel's parameter 1 has 128 bytes")
	err = f.Launch(one, one, 0, nil, uint64(1), (*TensorMap)(nil), uint32(0))
	assert.EqualError(t, err, "cuda: launch tma_copy: argument 1: nil *TensorMap")

	// LaunchRaw with a map at an aligned address.
	p, n := uint64(5), uint32(6)
	am := AlignedTensorMap()
	*am = tm
	require.NoError(t, f.LaunchRaw(one, one, 0, nil, []unsafe.Pointer{unsafe.Pointer(&p), unsafe.Pointer(am), unsafe.Pointer(&n)}))
	got := fakeHooks.LastLaunch()
	assert.Equal(t, tm[:], got.Params[8:136])
	assert.Equal(t, uintptr(unsafe.Pointer(am)), got.ParamPtrs[1])
}
