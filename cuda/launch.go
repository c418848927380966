package cuda

import (
	"fmt"
	"math"
	"runtime"
	"unsafe"
)

// Launch runs the kernel on a grid of grid[0]×grid[1]×grid[2] blocks of
// block[0]×block[1]×block[2] threads with sharedBytes of dynamic shared
// memory, queued on stream s (nil: the default stream).
//
// args are the kernel's parameters in order, as the PTX ABI passes them:
// cuLaunchKernel gets an array of pointers, each to one argument's value.
// Accepted types and the PTX parameter types they match:
//
//	DevicePtr, uint64, uintptr, int64   .u64 .s64 .b64 (pointers are .u64)
//	int32, uint32                       .u32 .s32 .b32
//	float32                             .f32
//	float64                             .f64
//	int16, uint16                       .u16 .s16 .b16 (and f16 bits)
//	int8, uint8                         .u8 .s8 .b8
//	[]byte                              a byte array param (e.g. .align 8 .b8 p[16])
//	TensorMap, *TensorMap               .param .align 64 .b8 p[128] (a CUtensorMap by value)
//
// Each value is copied into one buffer, 8-byte aligned, and a TensorMap
// 64-byte aligned as cuda.h aligns CUtensorMap (the driver copies the bytes
// from wherever kernelParams points; the alignment mirrors what a C caller
// passes).
//
// Where the driver reports the kernel's parameter layout (CUDA 12.4+),
// Launch first checks the argument count and each argument's size against
// it, since a mismatch would make the driver read past an argument.
func (f *Function) Launch(grid, block [3]uint32, sharedBytes uint32, s *Stream, args ...any) error {
	sizes := make([]int, len(args))
	offs := make([]int, len(args)) // in 8-byte words from an aligned base
	words, align := 0, 8
	for i, a := range args {
		n, err := argSize(a)
		if err != nil {
			return fmt.Errorf("cuda: launch %s: argument %d: %w", f.name, i, err)
		}
		al := argAlign(a)
		align = max(align, al)
		words = (words + al/8 - 1) / (al / 8) * (al / 8)
		sizes[i], offs[i] = n, words
		words += (n + 7) / 8
	}
	if ps := f.paramLayout(); ps != nil {
		if len(ps) != len(args) {
			return fmt.Errorf("cuda: launch %s: the kernel takes %d parameters, got %d arguments", f.name, len(ps), len(args))
		}
		for i, p := range ps {
			if p.Size != sizes[i] {
				return fmt.Errorf("cuda: launch %s: argument %d is a %T of %d bytes, the kernel's parameter %d has %d bytes",
					f.name, i, args[i], sizes[i], i, p.Size)
			}
		}
	}
	// One buffer of 8-byte slots holds every value, so each is aligned for
	// its type (a TensorMap's slot starts at a 64-byte boundary: the buffer
	// has room to start its first slot at one); params points into it. Both
	// are Go memory handed to C, and params holds Go pointers: pin them for
	// the call. The Go heap does not move objects.
	store := make([]uint64, max(words, 1)+(align-8)/8)
	base := 0
	for uintptr(unsafe.Pointer(&store[base]))%uintptr(align) != 0 {
		base++
	}
	params := make([]unsafe.Pointer, len(args))
	for i, a := range args {
		p := unsafe.Pointer(&store[base+offs[i]])
		putArg(p, a)
		params[i] = p
	}
	var pin runtime.Pinner
	defer pin.Unpin()
	pin.Pin(&store[0])
	return f.launch(grid, block, sharedBytes, s, params, &pin)
}

// LaunchRaw is Launch with the kernelParams array built by the caller: one
// pointer per kernel parameter, each to the parameter's value (for a
// by-value array parameter such as a tensor map, to its bytes: a
// *TensorMap from AlignedTensorMap or EncodeTensorMapTiled's result copied
// there). LaunchRaw pins what the pointers point to for the duration of the
// call; nothing is checked against the kernel's parameters.
func (f *Function) LaunchRaw(grid, block [3]uint32, sharedBytes uint32, s *Stream, params []unsafe.Pointer) error {
	var pin runtime.Pinner
	defer pin.Unpin()
	for _, p := range params {
		if p != nil {
			pin.Pin(p)
		}
	}
	return f.launch(grid, block, sharedBytes, s, params, &pin)
}

// launch calls cuLaunchKernel, whose 11 arguments purego passes in
// registers and on the stack as the C ABI requires (6 in registers on
// amd64, 8 on arm64).
func (f *Function) launch(grid, block [3]uint32, sharedBytes uint32, s *Stream, params []unsafe.Pointer, pin *runtime.Pinner) error {
	var kp unsafe.Pointer
	if len(params) > 0 {
		pin.Pin(&params[0])
		kp = unsafe.Pointer(&params[0])
	}
	c := f.mod.ctx
	err := c.do(func() error {
		return c.d.call(symLaunchKernel, f.h,
			uintptr(grid[0]), uintptr(grid[1]), uintptr(grid[2]),
			uintptr(block[0]), uintptr(block[1]), uintptr(block[2]),
			uintptr(sharedBytes), s.Handle(), uintptr(kp), 0)
	})
	if err != nil {
		return fmt.Errorf("cuda: launch %s grid %v block %v shared %d: %w", f.name, grid, block, sharedBytes, err)
	}
	return nil
}

// argSize returns the byte size of a launch argument of a supported type.
func argSize(a any) (int, error) {
	switch v := a.(type) {
	case DevicePtr, uint64, uintptr, int64, float64:
		return 8, nil
	case int32, uint32, float32:
		return 4, nil
	case int16, uint16:
		return 2, nil
	case int8, uint8:
		return 1, nil
	case []byte:
		if len(v) == 0 {
			return 0, fmt.Errorf("empty []byte")
		}
		return len(v), nil
	case TensorMap:
		return len(v), nil
	case *TensorMap:
		if v == nil {
			return 0, fmt.Errorf("nil *TensorMap")
		}
		return len(v), nil
	case int, uint:
		return 0, fmt.Errorf("%T has no fixed C size: use int32 or int64", a)
	default:
		return 0, fmt.Errorf("unsupported type %T", a)
	}
}

// argAlign returns the alignment Launch gives an argument's copy: 64 for
// a tensor map (cuda.h's alignas(64) CUtensorMap), else 8.
func argAlign(a any) int {
	switch a.(type) {
	case TensorMap, *TensorMap:
		return tensorMapAlign
	}
	return 8
}

// putArg stores a (of a type argSize accepted) at p in native byte order.
func putArg(p unsafe.Pointer, a any) {
	switch v := a.(type) {
	case DevicePtr:
		*(*uint64)(p) = uint64(v)
	case uint64:
		*(*uint64)(p) = v
	case uintptr:
		*(*uint64)(p) = uint64(v)
	case int64:
		*(*int64)(p) = v
	case float64:
		*(*uint64)(p) = math.Float64bits(v)
	case int32:
		*(*int32)(p) = v
	case uint32:
		*(*uint32)(p) = v
	case float32:
		*(*uint32)(p) = math.Float32bits(v)
	case int16:
		*(*int16)(p) = v
	case uint16:
		*(*uint16)(p) = v
	case int8:
		*(*int8)(p) = v
	case uint8:
		*(*uint8)(p) = v
	case []byte:
		copy(unsafe.Slice((*byte)(p), len(v)), v)
	case TensorMap:
		*(*TensorMap)(p) = v
	case *TensorMap:
		*(*TensorMap)(p) = *v
	}
}
