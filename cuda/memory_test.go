//go:build linux

package cuda

import (
	"bytes"
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemoryRoundTrip(t *testing.T) {
	ctx := fakeContext(t)
	allocs0, _, _ := fakeHooks.Live()

	a, err := ctx.MemAlloc(1024)
	require.NoError(t, err)
	b, err := ctx.MemAlloc(1024)
	require.NoError(t, err)
	allocs, _, _ := fakeHooks.Live()
	assert.Equal(t, allocs0+2, allocs)

	src := make([]byte, 1024)
	for i := range src {
		src[i] = byte(i * 7)
	}
	require.NoError(t, ctx.MemcpyHtoD(a, src))
	require.NoError(t, ctx.MemcpyDtoD(b, a, 1024))
	got := make([]byte, 1024)
	require.NoError(t, ctx.MemcpyDtoH(got, b))
	assert.Equal(t, src, got)

	// Offsets into an allocation.
	require.NoError(t, ctx.MemcpyDtoH(got[:16], a.Add(100)))
	assert.Equal(t, src[100:116], got[:16])

	require.NoError(t, ctx.MemsetD8(a, 0x11, 10))
	require.NoError(t, ctx.MemcpyDtoH(got[:12], a))
	assert.Equal(t, append(bytes.Repeat([]byte{0x11}, 10), src[10:12]...), got[:12])

	require.NoError(t, ctx.MemsetD32(b, math.Float32bits(2.5), 256))
	f := make([]float32, 256)
	require.NoError(t, ctx.MemcpyDtoH(SliceBytes(f), b))
	for i := range f {
		require.Equal(t, float32(2.5), f[i])
	}

	// Out of bounds and unknown pointers fail like the driver.
	err = ctx.MemcpyHtoD(a.Add(1000), src[:100])
	assert.ErrorIs(t, err, ErrInvalidValue)
	assert.ErrorIs(t, ctx.MemFree(DevicePtr(0x1000)), ErrInvalidValue)
	// Empty copies do not reach the driver.
	require.NoError(t, ctx.MemcpyHtoD(DevicePtr(0x1000), nil))
	require.NoError(t, ctx.MemcpyDtoH(nil, DevicePtr(0x1000)))

	require.NoError(t, ctx.MemFree(a))
	require.NoError(t, ctx.MemFree(b))
	allocs, _, _ = fakeHooks.Live()
	assert.Equal(t, allocs0, allocs)
	assert.ErrorIs(t, ctx.MemFree(a), ErrInvalidValue, "double free")
}

func TestSliceBytes(t *testing.T) {
	assert.Nil(t, SliceBytes[float32](nil))
	f := []float32{1, -2}
	b := SliceBytes(f)
	require.Len(t, b, 8)
	assert.Equal(t, unsafe.Pointer(&f[0]), unsafe.Pointer(&b[0]), "a view, not a copy")
	assert.Equal(t, []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}, b)
	type myInt int16
	assert.Len(t, SliceBytes([]myInt{1, 2, 3}), 6)
}

func TestStreamsAndEvents(t *testing.T) {
	ctx := fakeContext(t)
	_, streams0, events0 := fakeHooks.Live()
	s, err := ctx.NewStream(StreamDefault)
	require.NoError(t, err)
	assert.NotZero(t, s.Handle())
	assert.Zero(t, (*Stream)(nil).Handle(), "nil is the default stream")
	var ns *Stream
	assert.ErrorIs(t, ns.Synchronize(), errNilStream)
	assert.ErrorIs(t, ns.MemsetD8Async(0, 0, 1), errNilStream)
	assert.NoError(t, ns.Destroy())
	var ne *Event
	assert.ErrorIs(t, ne.Record(nil), errNilEvent)
	assert.Zero(t, ne.Handle())

	buf, err := ctx.MemAlloc(64)
	require.NoError(t, err)
	defer func() { require.NoError(t, ctx.MemFree(buf)) }()
	src := []byte(fmt.Sprintf("%-64s", "stream-ordered copies and memsets"))
	require.NoError(t, s.MemcpyHtoDAsync(buf, src))
	require.NoError(t, s.MemsetD8Async(buf, '#', 6))
	require.NoError(t, s.MemsetD32Async(buf.Add(8), 0x41414141, 2))
	tmp, err := ctx.MemAlloc(64)
	require.NoError(t, err)
	require.NoError(t, s.MemcpyDtoDAsync(tmp, buf, 64))
	got := make([]byte, 64)
	require.NoError(t, s.MemcpyDtoHAsync(got, tmp))
	require.NoError(t, s.Synchronize())
	assert.Equal(t, "######-oAAAAAAAAopies and memsets", string(got[:33]))
	require.NoError(t, ctx.MemFree(tmp))

	// Events time the work between them: each fake launch takes 0.25 ms of
	// fake device time.
	m := loadTestModule(t, ctx, nil)
	f, err := m.Function("noargs")
	require.NoError(t, err)
	start, err := ctx.NewEvent(EventDefault)
	require.NoError(t, err)
	end, err := ctx.NewEvent(EventBlockingSync)
	require.NoError(t, err)
	require.NoError(t, start.Record(s))
	for range 4 {
		require.NoError(t, f.Launch([3]uint32{1, 1, 1}, [3]uint32{32, 1, 1}, 0, s))
	}
	require.NoError(t, end.Record(s))
	require.NoError(t, end.Synchronize())
	v2 := fakeHooks.ElapsedCalls(true)
	el, err := ElapsedTime(start, end)
	require.NoError(t, err)
	assert.Equal(t, time.Millisecond, el)
	assert.Equal(t, v2+1, fakeHooks.ElapsedCalls(true), "cuEventElapsedTime_v2 is preferred")

	// No timing without timing events; no events, no time.
	nt, err := ctx.NewEvent(EventDisableTiming)
	require.NoError(t, err)
	require.NoError(t, nt.Record(nil))
	_, err = ElapsedTime(start, nt)
	assert.ErrorIs(t, err, ErrInvalidHandle)
	_, err = ElapsedTime(start, nil)
	assert.Error(t, err)

	_, streams, events := fakeHooks.Live()
	assert.Equal(t, streams0+1, streams)
	assert.Equal(t, events0+3, events)
	for _, e := range []*Event{start, end, nt} {
		require.NoError(t, e.Destroy())
	}
	require.NoError(t, s.Destroy())
	_, streams, events = fakeHooks.Live()
	assert.Equal(t, streams0, streams)
	assert.Equal(t, events0, events)
	assert.ErrorIs(t, s.Synchronize(), ErrInvalidHandle, "destroyed")
}

// TestForeignHandles uses a stream and an event that "another CUDA library"
// created (here: direct calls into the fake driver) through raw handles.
func TestForeignHandles(t *testing.T) {
	ctx := fakeContext(t)
	var hs, he uintptr
	res := func(r int32, err error) int32 { require.NoError(t, err); return r }
	// The other library runs on a thread where the context is current.
	func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		require.NoError(t, ctx.SetCurrent())
		require.Zero(t, res(fakeHooks.Call("cuStreamCreate", uintptr(unsafe.Pointer(&hs)), 0)))
		require.Zero(t, res(fakeHooks.Call("cuEventCreate", uintptr(unsafe.Pointer(&he)), 0)))
	}()
	_, streams0, events0 := fakeHooks.Live()

	s := ctx.StreamFromHandle(hs)
	e := ctx.EventFromHandle(he)
	assert.Equal(t, hs, s.Handle())
	assert.Equal(t, he, e.Handle())
	buf, err := ctx.MemAlloc(8)
	require.NoError(t, err)
	require.NoError(t, s.MemsetD8Async(buf, 1, 8))
	require.NoError(t, e.Record(s))
	require.NoError(t, e.Synchronize())
	require.NoError(t, s.Destroy())
	require.NoError(t, e.Destroy())
	_, streams, events := fakeHooks.Live()
	assert.Equal(t, [2]int{streams0, events0}, [2]int{streams, events}, "borrowed handles stay with their owner")
	require.NoError(t, ctx.MemFree(buf))

	func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		require.NoError(t, ctx.SetCurrent())
		require.Zero(t, res(fakeHooks.Call("cuStreamDestroy_v2", hs)))
		require.Zero(t, res(fakeHooks.Call("cuEventDestroy_v2", he)))
	}()
}
