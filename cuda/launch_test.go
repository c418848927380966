//go:build linux

package cuda

import (
	"encoding/binary"
	"math"
	"runtime"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLaunchABI checks the 11-argument cuLaunchKernel call end to end: the
// fake records grid, block, shared bytes, stream and function, and copies
// each parameter's bytes out through the kernelParams pointers using the
// sizes of the kernel's .param list.
func TestLaunchABI(t *testing.T) {
	ctx := fakeContext(t)
	m := loadTestModule(t, ctx, nil)
	f, err := m.Function("mixed")
	require.NoError(t, err)
	s, err := ctx.NewStream(StreamNonBlocking)
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Destroy()) }()

	ptr := DevicePtr(0x7f00_1234_5678_9abc)
	arr := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	args := []any{ptr, int32(-7), float32(1.5), int64(-1 << 40), math.Pi, uint32(0xdeadbeef), uint16(0xbeef), uint8(0x5a), arr}
	before := fakeHooks.LaunchCount()
	// Garbage collections during the launch must not disturb the argument storage.
	runtime.GC()
	require.NoError(t, f.Launch([3]uint32{3, 2, 1}, [3]uint32{128, 2, 1}, 1024, s, args...))
	assert.Equal(t, before+1, fakeHooks.LaunchCount())

	got := fakeHooks.LastLaunch()
	assert.Equal(t, [3]uint32{3, 2, 1}, got.Grid)
	assert.Equal(t, [3]uint32{128, 2, 1}, got.Block)
	assert.Equal(t, uint32(1024), got.SharedBytes)
	assert.Equal(t, s.Handle(), got.Stream)
	assert.Equal(t, f.Handle(), got.Func)
	assert.Equal(t, 9, got.NParams)

	le := binary.LittleEndian
	var want []byte
	want = le.AppendUint64(want, uint64(ptr))
	want = le.AppendUint32(want, uint32(0xfffffff9)) // int32(-7)
	want = le.AppendUint32(want, math.Float32bits(1.5))
	want = le.AppendUint64(want, uint64(0xffff_ff00_0000_0000)) // int64(-1 << 40)
	want = le.AppendUint64(want, math.Float64bits(math.Pi))
	want = le.AppendUint32(want, 0xdeadbeef)
	want = le.AppendUint16(want, 0xbeef)
	want = append(want, 0x5a)
	want = append(want, arr...)
	assert.Equal(t, want, got.Params)

	// The default stream is the NULL handle.
	require.NoError(t, f.Launch([3]uint32{1, 1, 1}, [3]uint32{1, 1, 1}, 0, nil, args...))
	assert.Zero(t, fakeHooks.LastLaunch().Stream)
}

func TestLaunchChecksArguments(t *testing.T) {
	ctx := fakeContext(t)
	m := loadTestModule(t, ctx, nil)
	f, err := m.Function("fakecuda_fill")
	require.NoError(t, err)
	one := [3]uint32{1, 1, 1}
	before := fakeHooks.LaunchCount()

	err = f.Launch(one, one, 0, nil, DevicePtr(0), uint32(1))
	assert.EqualError(t, err, "cuda: launch fakecuda_fill: the kernel takes 3 parameters, got 2 arguments")
	err = f.Launch(one, one, 0, nil, DevicePtr(0), uint64(1), uint32(0))
	assert.EqualError(t, err, "cuda: launch fakecuda_fill: argument 1 is a uint64 of 8 bytes, the kernel's parameter 1 has 4 bytes")
	err = f.Launch(one, one, 0, nil, DevicePtr(0), 1, uint32(0))
	assert.EqualError(t, err, "cuda: launch fakecuda_fill: argument 1: int has no fixed C size: use int32 or int64")
	err = f.Launch(one, one, 0, nil, DevicePtr(0), "x", uint32(0))
	assert.ErrorContains(t, err, "argument 1: unsupported type string")
	assert.Equal(t, before, fakeHooks.LaunchCount(), "nothing reached the driver")

	// Launch configuration errors come from the driver.
	err = f.Launch(one, [3]uint32{2048, 1, 1}, 0, nil, DevicePtr(0), uint32(0), uint32(0))
	assert.ErrorIs(t, err, ErrInvalidValue)
	err = f.Launch(one, one, 0, ctx.StreamFromHandle(0xbad), DevicePtr(0), uint32(0), uint32(0))
	assert.ErrorIs(t, err, ErrInvalidHandle)
}

// TestLaunchRunsKernel runs the fake's one real kernel: fakecuda_fill(p, n, v)
// stores v into n words at p, which shows a DevicePtr argument arrives as
// the address MemAlloc returned.
func TestLaunchRunsKernel(t *testing.T) {
	ctx := fakeContext(t)
	m := loadTestModule(t, ctx, nil)
	f, err := m.Function("fakecuda_fill")
	require.NoError(t, err)
	const n = 100
	buf, err := ctx.MemAlloc(4 * n)
	require.NoError(t, err)
	defer func() { require.NoError(t, ctx.MemFree(buf)) }()
	require.NoError(t, ctx.MemsetD32(buf, 0, n))

	require.NoError(t, f.Launch([3]uint32{1, 1, 1}, [3]uint32{128, 1, 1}, 0, nil, buf, uint32(n-1), uint32(0x3f800000)))
	out := make([]float32, n)
	require.NoError(t, ctx.MemcpyDtoH(SliceBytes(out), buf))
	for i := range n - 1 {
		require.Equal(t, float32(1), out[i], "element %d", i)
	}
	assert.Equal(t, float32(0), out[n-1], "one past the count is untouched")

	// The fake faults like a GPU when the kernel writes out of bounds.
	err = f.Launch([3]uint32{1, 1, 1}, [3]uint32{1, 1, 1}, 0, nil, buf, uint32(n+1), uint32(0))
	assert.ErrorIs(t, err, ErrIllegalAddress)
}

func TestLaunchRaw(t *testing.T) {
	ctx := fakeContext(t)
	m := loadTestModule(t, ctx, nil)
	f, err := m.Function("fakecuda_fill")
	require.NoError(t, err)
	buf, err := ctx.MemAlloc(16)
	require.NoError(t, err)
	defer func() { require.NoError(t, ctx.MemFree(buf)) }()

	p, n, v := uint64(buf), uint32(4), uint32(7)
	params := []unsafe.Pointer{unsafe.Pointer(&p), unsafe.Pointer(&n), unsafe.Pointer(&v)}
	require.NoError(t, f.LaunchRaw([3]uint32{1, 1, 1}, [3]uint32{4, 1, 1}, 0, nil, params))
	got := fakeHooks.LastLaunch()
	want := binary.LittleEndian.AppendUint64(nil, p)
	want = binary.LittleEndian.AppendUint32(want, 4)
	want = binary.LittleEndian.AppendUint32(want, 7)
	assert.Equal(t, want, got.Params)
	out := make([]uint32, 4)
	require.NoError(t, ctx.MemcpyDtoH(SliceBytes(out), buf))
	assert.Equal(t, []uint32{7, 7, 7, 7}, out)

	// A kernel without parameters takes a nil kernelParams.
	none, err := m.Function("noargs")
	require.NoError(t, err)
	require.NoError(t, none.LaunchRaw([3]uint32{1, 1, 1}, [3]uint32{1, 1, 1}, 0, nil, nil))
	require.NoError(t, none.Launch([3]uint32{1, 1, 1}, [3]uint32{1, 1, 1}, 0, nil))
}
