//go:build linux

package cuda

import (
	"runtime"
	"sync"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDevices(t *testing.T) {
	d := fakeDriver(t)
	n, err := d.DeviceCount()
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	dev, err := d.Device(0)
	require.NoError(t, err)
	assert.Equal(t, 0, dev.Ordinal())
	assert.Same(t, d, dev.Driver())
	name, err := dev.Name()
	require.NoError(t, err)
	assert.Equal(t, "Fake H100", name)
	major, minor, err := dev.ComputeCapability()
	require.NoError(t, err)
	assert.Equal(t, [2]int{9, 0}, [2]int{major, minor})
	sms, err := dev.Attribute(AttrMultiprocessorCount)
	require.NoError(t, err)
	assert.Equal(t, 132, sms)
	mem, err := dev.TotalMem()
	require.NoError(t, err)
	assert.Equal(t, uint64(80)<<30, mem)

	p, err := dev.Props()
	require.NoError(t, err)
	assert.Equal(t, Props{
		Name: "Fake H100", Major: 9, Minor: 0, TotalMem: 80 << 30,
		MultiprocessorCount: 132, WarpSize: 32,
		MaxThreadsPerBlock: 1024, MaxThreadsPerMultiprocessor: 2048, MaxBlocksPerMultiprocessor: 32,
		MaxBlockDim: [3]int{1024, 1024, 64}, MaxGridDim: [3]int{2147483647, 65535, 65535},
		SharedMemPerBlock: 48 << 10, SharedMemPerBlockOptin: 232448, SharedMemPerMultiprocessor: 233472,
		ReservedSharedMemPerBlock: 1024,
		RegistersPerBlock:         65536, RegistersPerMultiprocessor: 65536,
		TotalConstantMem: 65536, L2CacheSize: 50 << 20,
		ClockRateKHz: 1980000, MemoryClockRateKHz: 2619000, MemoryBusWidth: 5120,
		PCIDomainID: 0, PCIBusID: 0x1b, PCIDeviceID: 0,
	}, p)

	dev1, err := d.Device(1)
	require.NoError(t, err)
	name, err = dev1.Name()
	require.NoError(t, err)
	assert.Equal(t, "Fake A100", name)
	assert.Equal(t, int32(1), dev1.Handle())

	_, err = d.Device(5)
	assert.ErrorIs(t, err, ErrInvalidDevice)
	assert.Contains(t, err.Error(), "cuda: device 5: cuDeviceGet: CUDA_ERROR_INVALID_DEVICE (101)")
	_, err = dev.Attribute(DeviceAttribute(9999))
	assert.ErrorIs(t, err, ErrInvalidValue)
}

func TestPrimaryContextRetainRelease(t *testing.T) {
	d := fakeDriver(t)
	dev, err := d.Device(1)
	require.NoError(t, err)
	base := fakeHooks.PrimaryRefs(1)
	ctx, err := dev.PrimaryContext()
	require.NoError(t, err)
	assert.NotZero(t, ctx.Handle())
	assert.Equal(t, dev, ctx.Device())
	assert.Equal(t, base+1, fakeHooks.PrimaryRefs(1))
	require.NoError(t, ctx.Synchronize())
	free, total, err := ctx.MemGetInfo()
	require.NoError(t, err)
	assert.Equal(t, uint64(40)<<30, total)
	assert.LessOrEqual(t, free, total)

	require.NoError(t, ctx.Release())
	assert.Equal(t, base, fakeHooks.PrimaryRefs(1))
	assert.ErrorIs(t, ctx.Release(), errReleased, "a second Release is an error, not a second cuDevicePrimaryCtxRelease")
	_, err = ctx.MemAlloc(8)
	assert.ErrorIs(t, err, errReleased)
	assert.ErrorIs(t, ctx.SetCurrent(), errReleased)
}

// TestContextFollowsGoroutines shows that the fake, like the driver, keeps
// the current context per OS thread, and that Context methods work from
// goroutines on any thread anyway.
func TestContextFollowsGoroutines(t *testing.T) {
	ctx := fakeContext(t)
	d := ctx.Driver()

	// On a thread with no current context a driver call fails...
	runtime.LockOSThread()
	require.NoError(t, d.call(symCtxSetCurrent, 0))
	var p DevicePtr
	err := d.call(symMemAlloc, uintptr(unsafe.Pointer(&p)), 8)
	runtime.UnlockOSThread()
	require.ErrorIs(t, err, ErrInvalidContext)

	// ...so methods that succeed from many goroutines at once prove that
	// each one set the context on its own thread.
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for g := range 32 {
		wg.Go(func() {
			for i := range 20 {
				buf, err := ctx.MemAlloc(64)
				if err != nil {
					errs <- err
					return
				}
				want := []byte{byte(g), byte(i), 3, 4}
				got := make([]byte, 4)
				if err := ctx.MemcpyHtoD(buf, want); err != nil {
					errs <- err
					return
				}
				runtime.Gosched()
				if err := ctx.MemcpyDtoH(got, buf); err != nil {
					errs <- err
					return
				}
				if string(got) != string(want) {
					errs <- assert.AnError
				}
				if err := ctx.MemFree(buf); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestContextFromHandle(t *testing.T) {
	ctx := fakeContext(t)
	// Another library's context, here the same primary context by its handle.
	other := ctx.Driver().ContextFromHandle(ctx.Handle(), ctx.Device())
	refs := fakeHooks.PrimaryRefs(0)
	p, err := other.MemAlloc(32)
	require.NoError(t, err)
	require.NoError(t, ctx.MemFree(p), "memory is shared through the raw context")
	require.NoError(t, other.Release())
	assert.Equal(t, refs, fakeHooks.PrimaryRefs(0), "releasing a borrowed context leaves the owner's reference")

	// SetCurrent binds the context for other CUDA code on this thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	require.NoError(t, ctx.Driver().call(symCtxSetCurrent, 0))
	require.NoError(t, ctx.SetCurrent())
	var cur uintptr
	require.NoError(t, ctx.Driver().call(symCtxGetCurrent, uintptr(unsafe.Pointer(&cur))))
	assert.Equal(t, ctx.Handle(), cur)
}
