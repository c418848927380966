// Package cuda binds the CUDA driver API (libcuda.so.1) at run time with
// purego, so tilec builds with CGO_ENABLED=0 and without the CUDA toolkit,
// and the same binary runs on any machine with the NVIDIA driver.
//
// Load (or Open) finds and loads the driver, binds the entry points listed
// in symbols.go under the versioned names cuda.h maps them to (cuMemAlloc is
// cuMemAlloc_v2, ...), and calls cuInit. From a Driver come Devices, from a
// Device its primary Context, and from a Context modules JIT-compiled from
// PTX, device memory, streams and events:
//
//	drv, err := cuda.Load()
//	dev, err := drv.Device(0)
//	ctx, err := dev.PrimaryContext()
//	defer ctx.Release()
//	mod, err := ctx.LoadModule(ptx, &cuda.JITOptions{Verbose: true})
//	fn, err := mod.Function("vec_add")
//	buf, err := ctx.MemAlloc(4 * n)
//	err = fn.Launch([3]uint32{blocks, 1, 1}, [3]uint32{256, 1, 1}, 0, nil, buf, int32(n))
//
// Driver.EncodeTensorMapTiled makes a TensorMap (a CUtensorMap, the 128-byte
// TMA descriptor of sm_90+) after checking the description against the
// driver's documented rules; Launch passes it by value to a kernel's
// ".param .align 64 .b8 p[128]" parameter.
//
// Every call that returns a CUresult is checked; a failure is an *Error
// naming the C symbol, the code and the driver's name and description of it
// (errors.Is(err, cuda.ErrOutOfMemory) works), and a failed module load is a
// *JITError that also carries the JIT logs and the PTX line they name.
//
// The driver keeps its current context per OS thread; methods of Context
// and of what it makes set the context on the goroutine's locked thread
// before each call, so they can be used from any goroutine. Raw handles
// (Handle methods, DevicePtr, ContextFromHandle, StreamFromHandle) connect
// this package with other CUDA libraries. docs/cuda.md says more.
package cuda
