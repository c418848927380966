package cuda

import (
	"fmt"
	"unsafe"
)

// DevicePtr is a device address (CUdeviceptr). It converts to and from the
// raw uint64/uintptr pointers of other CUDA libraries: DevicePtr(p) and
// uint64(ptr).
type DevicePtr uint64

// Add returns p offset by n bytes.
func (p DevicePtr) Add(n uint64) DevicePtr { return p + DevicePtr(n) }

// Scalar is the element types whose slices SliceBytes views as bytes.
type Scalar interface {
	~int8 | ~uint8 | ~int16 | ~uint16 | ~int32 | ~uint32 | ~int64 | ~uint64 | ~float32 | ~float64
}

// SliceBytes views s as its bytes (no copy), for the memcpy functions.
func SliceBytes[T Scalar](s []T) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*int(unsafe.Sizeof(s[0])))
}

// hostPtr returns the address of b's first byte, or nil for an empty b.
func hostPtr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

// MemAlloc allocates n bytes of device memory (cuMemAlloc). The memory is
// not initialized. Free it with MemFree.
func (c *Context) MemAlloc(n uint64) (DevicePtr, error) {
	var p DevicePtr
	err := c.do(func() error { return c.d.call(symMemAlloc, uintptr(unsafe.Pointer(&p)), uintptr(n)) })
	if err != nil {
		return 0, fmt.Errorf("cuda: allocate %d bytes: %w", n, err)
	}
	return p, nil
}

// MemFree frees memory from MemAlloc (cuMemFree).
func (c *Context) MemFree(p DevicePtr) error {
	return c.do(func() error { return c.d.call(symMemFree, uintptr(p)) })
}

// MemcpyHtoD copies src to device memory at dst (cuMemcpyHtoD).
func (c *Context) MemcpyHtoD(dst DevicePtr, src []byte) error {
	if len(src) == 0 {
		return nil
	}
	return c.do(func() error {
		return c.d.call(symMemcpyHtoD, uintptr(dst), uintptr(hostPtr(src)), uintptr(len(src)))
	})
}

// MemcpyDtoH copies len(dst) bytes from device memory at src (cuMemcpyDtoH).
func (c *Context) MemcpyDtoH(dst []byte, src DevicePtr) error {
	if len(dst) == 0 {
		return nil
	}
	return c.do(func() error {
		return c.d.call(symMemcpyDtoH, uintptr(hostPtr(dst)), uintptr(src), uintptr(len(dst)))
	})
}

// MemcpyDtoD copies n bytes between device buffers (cuMemcpyDtoD).
func (c *Context) MemcpyDtoD(dst, src DevicePtr, n uint64) error {
	return c.do(func() error { return c.d.call(symMemcpyDtoD, uintptr(dst), uintptr(src), uintptr(n)) })
}

// MemsetD8 sets n bytes at dst to v (cuMemsetD8).
func (c *Context) MemsetD8(dst DevicePtr, v uint8, n uint64) error {
	return c.do(func() error { return c.d.call(symMemsetD8, uintptr(dst), uintptr(v), uintptr(n)) })
}

// MemsetD32 sets n 32-bit words at dst (4-byte aligned) to v (cuMemsetD32).
// For a float32 fill pass math.Float32bits(x).
func (c *Context) MemsetD32(dst DevicePtr, v uint32, n uint64) error {
	return c.do(func() error { return c.d.call(symMemsetD32, uintptr(dst), uintptr(v), uintptr(n)) })
}

// The asynchronous copies below take Go memory, which is pageable: the
// driver stages it, so cuMemcpyHtoDAsync returns once src has been read and
// cuMemcpyDtoHAsync returns once dst has been written (CUDA's documented
// behaviour for pageable host memory). They are still ordered on the
// stream, which is what they are for.

// MemcpyHtoDAsync copies src to dst in stream order (cuMemcpyHtoDAsync).
func (s *Stream) MemcpyHtoDAsync(dst DevicePtr, src []byte) error {
	if len(src) == 0 {
		return nil
	}
	return s.do(func() error {
		return s.ctx.d.call(symMemcpyHtoDAsync, uintptr(dst), uintptr(hostPtr(src)), uintptr(len(src)), s.Handle())
	})
}

// MemcpyDtoHAsync copies len(dst) bytes from src in stream order (cuMemcpyDtoHAsync).
func (s *Stream) MemcpyDtoHAsync(dst []byte, src DevicePtr) error {
	if len(dst) == 0 {
		return nil
	}
	return s.do(func() error {
		return s.ctx.d.call(symMemcpyDtoHAsync, uintptr(hostPtr(dst)), uintptr(src), uintptr(len(dst)), s.Handle())
	})
}

// MemcpyDtoDAsync copies n bytes between device buffers in stream order (cuMemcpyDtoDAsync).
func (s *Stream) MemcpyDtoDAsync(dst, src DevicePtr, n uint64) error {
	return s.do(func() error {
		return s.ctx.d.call(symMemcpyDtoDAsync, uintptr(dst), uintptr(src), uintptr(n), s.Handle())
	})
}

// MemsetD8Async sets n bytes at dst to v in stream order (cuMemsetD8Async).
func (s *Stream) MemsetD8Async(dst DevicePtr, v uint8, n uint64) error {
	return s.do(func() error {
		return s.ctx.d.call(symMemsetD8Async, uintptr(dst), uintptr(v), uintptr(n), s.Handle())
	})
}

// MemsetD32Async sets n 32-bit words at dst to v in stream order (cuMemsetD32Async).
func (s *Stream) MemsetD32Async(dst DevicePtr, v uint32, n uint64) error {
	return s.do(func() error {
		return s.ctx.d.call(symMemsetD32Async, uintptr(dst), uintptr(v), uintptr(n), s.Handle())
	})
}
