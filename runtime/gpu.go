package runtime

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tilec/tilec/cuda"
	"github.com/tilec/tilec/internal/arch"
)

// GPU is an NVIDIA GPU as a Device, through the CUDA driver API (package
// cuda, bound at run time: no cgo). Kernels are JIT-loaded once; every
// Launch synchronizes, so a fault is reported by the launch that caused it.
// Besides Device it is a Targeted, Describer, Loader and Timer, so that
// nothing above it needs package cuda's types.
type GPU struct {
	props  cuda.Props
	driver int
	drv    *cuda.Driver
	ctx    *cuda.Context
	mu     sync.Mutex
	loaded map[*Kernel]*loaded
	allocs []cuda.DevicePtr
	events [2]*cuda.Event // for Time, created on first use
}

// loaded is a kernel JIT-compiled for the GPU.
type loaded struct {
	mod  *cuda.Module
	fn   *cuda.Function
	info KernelInfo
}

// OpenGPU opens GPU 0 with its primary context.
func OpenGPU() (*GPU, error) {
	drv, err := cuda.Load()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoGPU, err)
	}
	n, err := drv.DeviceCount()
	if err != nil || n == 0 {
		return nil, fmt.Errorf("%w: the driver reports %d devices (%v)", ErrNoGPU, n, err)
	}
	dev, err := drv.Device(0)
	if err != nil {
		return nil, err
	}
	props, err := dev.Props()
	if err != nil {
		return nil, err
	}
	version, err := drv.DriverVersion()
	if err != nil {
		return nil, err
	}
	ctx, err := dev.PrimaryContext()
	if err != nil {
		return nil, err
	}
	return &GPU{props: props, driver: version, drv: drv, ctx: ctx, loaded: map[*Kernel]*loaded{}}, nil
}

// Target implements Targeted: the GPU's architecture (sm_90 for compute
// capability 9.0).
func (g *GPU) Target() string { return arch.Of(g.props.Major, g.props.Minor) }

// Props implements Describer.
func (g *GPU) Props() Props {
	p := g.props
	return Props{Name: p.Name, Target: g.Target(), Driver: g.driver, SMs: p.MultiprocessorCount,
		ClockHz: float64(p.ClockRateKHz) * 1e3, MemoryClockHz: float64(p.MemoryClockRateKHz) * 1e3,
		MemoryBusWidth: p.MemoryBusWidth, L2Bytes: p.L2CacheSize,
		SharedPerBlock: p.SharedMemPerBlock, SharedPerBlockOptin: p.SharedMemPerBlockOptin}
}

// Name implements Device.
func (g *GPU) Name() string { return "gpu (" + g.props.Name + ")" }

// Alloc implements Device.
func (g *GPU) Alloc(_ string, bytes int) (uint64, error) {
	p, err := g.ctx.MemAlloc(uint64(max(bytes, 1)))
	if err != nil {
		return 0, err
	}
	g.mu.Lock()
	g.allocs = append(g.allocs, p)
	g.mu.Unlock()
	return uint64(p), nil
}

// Write implements Device.
func (g *GPU) Write(addr uint64, data []byte) error {
	return g.ctx.MemcpyHtoD(cuda.DevicePtr(addr), data)
}

// Read implements Device.
func (g *GPU) Read(addr uint64, data []byte) error {
	return g.ctx.MemcpyDtoH(data, cuda.DevicePtr(addr))
}

// Memset implements Timer.
func (g *GPU) Memset(addr uint64, v byte, n int) error {
	return g.ctx.MemsetD8(cuda.DevicePtr(addr), v, uint64(n))
}

// Copy implements Timer.
func (g *GPU) Copy(dst, src uint64, n int) error {
	return g.ctx.MemcpyDtoD(cuda.DevicePtr(dst), cuda.DevicePtr(src), uint64(n))
}

// Free implements Device.
func (g *GPU) Free() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	var errs []error
	for _, p := range g.allocs {
		errs = append(errs, g.ctx.MemFree(p))
	}
	g.allocs = nil
	return errors.Join(errs...)
}

// Close implements Device.
func (g *GPU) Close() error { return errors.Join(g.Free(), g.ctx.Release()) }

// Load implements Loader: it JIT-compiles k (once), opts in to its
// dynamic shared memory, and checks that the JIT left room for its block
// size.
func (g *GPU) Load(k *Kernel) (KernelInfo, error) {
	l, err := g.load(k)
	if err != nil {
		return KernelInfo{}, err
	}
	return l.info, nil
}

func (g *GPU) load(k *Kernel) (*loaded, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if l, ok := g.loaded[k]; ok {
		return l, nil
	}
	if k.PTX == "" {
		return nil, fmt.Errorf("kernel %s has no PTX (it was not compiled for a GPU)", k.Name)
	}
	mod, err := g.ctx.LoadModule([]byte(k.PTX), &cuda.JITOptions{Verbose: true})
	if err != nil {
		return nil, fmt.Errorf("kernel %s: the driver rejects its PTX: %w", k.Name, err)
	}
	fn, err := mod.Function(k.Name)
	if err != nil {
		return nil, err
	}
	if k.SharedBytes > g.props.SharedMemPerBlock {
		if k.SharedBytes > g.props.SharedMemPerBlockOptin {
			return nil, fmt.Errorf("kernel %s needs %d bytes of shared memory; %s allows %d per block",
				k.Name, k.SharedBytes, g.props.Name, g.props.SharedMemPerBlockOptin)
		}
		if err := fn.SetMaxDynamicSharedMemory(k.SharedBytes); err != nil {
			return nil, err
		}
	}
	attrs, err := fn.Attributes()
	if err != nil {
		return nil, err
	}
	if attrs.MaxThreadsPerBlock < k.Threads {
		return nil, fmt.Errorf("kernel %s needs %d threads per block; with %d registers per thread the device allows %d",
			k.Name, k.Threads, attrs.NumRegs, attrs.MaxThreadsPerBlock)
	}
	l := &loaded{mod: mod, fn: fn, info: KernelInfo{Registers: attrs.NumRegs, LocalBytes: attrs.LocalSizeBytes}}
	g.loaded[k] = l
	return l, nil
}

// Prepare implements Timer: it loads k and returns a function that
// launches it on the default stream without waiting.
func (g *GPU) Prepare(k *Kernel, grid [3]int, args ...any) (func() error, error) {
	l, err := g.load(k)
	if err != nil {
		return nil, err
	}
	if err := k.CheckFacts(args); err != nil {
		return nil, err
	}
	a, err := k.LaunchArgs(args, g)
	if err != nil {
		return nil, err
	}
	for i, x := range a {
		if m, ok := x.([128]byte); ok {
			a[i] = cuda.TensorMap(m)
		}
	}
	gr := [3]uint32{uint32(grid[0]), uint32(grid[1]), uint32(grid[2])}
	block := [3]uint32{uint32(k.Threads), 1, 1}
	return func() error {
		if err := l.fn.Launch(gr, block, uint32(k.SharedBytes), nil, a...); err != nil {
			return fmt.Errorf("kernel %s: %w", k.Name, err)
		}
		return nil
	}, nil
}

// Launch implements Device.
func (g *GPU) Launch(k *Kernel, grid [3]int, args ...any) error {
	run, err := g.Prepare(k, grid, args...)
	if err != nil {
		return err
	}
	if err := run(); err != nil {
		return err
	}
	if err := g.ctx.Synchronize(); err != nil {
		return fmt.Errorf("kernel %s: %w", k.Name, err)
	}
	return nil
}

// Time implements Timer with two CUDA events on the default stream.
func (g *GPU) Time(work func() error) (time.Duration, error) {
	g.mu.Lock()
	for i := range g.events {
		if g.events[i] == nil {
			e, err := g.ctx.NewEvent(0)
			if err != nil {
				g.mu.Unlock()
				return 0, err
			}
			g.events[i] = e
		}
	}
	start, end := g.events[0], g.events[1]
	g.mu.Unlock()
	if err := start.Record(nil); err != nil {
		return 0, err
	}
	if err := work(); err != nil {
		return 0, err
	}
	if err := end.Record(nil); err != nil {
		return 0, err
	}
	if err := end.Synchronize(); err != nil {
		return 0, err
	}
	return cuda.ElapsedTime(start, end)
}

// cudaTensorTypes are the driver's tensor map element types by name.
var cudaTensorTypes = map[string]cuda.TensorMapDataType{"u8": cuda.TensorMapUint8, "i8": cuda.TensorMapUint8,
	"f16": cuda.TensorMapFloat16, "bf16": cuda.TensorMapBFloat16, "i16": cuda.TensorMapUint16, "f32": cuda.TensorMapFloat32,
	"i32": cuda.TensorMapInt32, "f64": cuda.TensorMapFloat64, "i64": cuda.TensorMapInt64}

// cudaSwizzles are the driver's swizzle modes by span.
var cudaSwizzles = map[int]cuda.TensorMapSwizzle{0: cuda.TensorMapSwizzleNone, 32: cuda.TensorMapSwizzle32B,
	64: cuda.TensorMapSwizzle64B, 128: cuda.TensorMapSwizzle128B}

// EncodeTensorMap implements TensorMapEncoder with the driver's
// cuTensorMapEncodeTiled.
func (g *GPU) EncodeTensorMap(d TensorMapDesc) ([128]byte, error) {
	dt, ok := cudaTensorTypes[d.Elem]
	sw, okSw := cudaSwizzles[d.Swizzle]
	if !ok || !okSw {
		return [128]byte{}, fmt.Errorf("gpu: cannot encode tensor map %+v", d)
	}
	m, err := g.drv.EncodeTensorMapTiled(cuda.TensorMapTiled{DataType: dt, Address: cuda.DevicePtr(d.Global),
		Dims: d.Dims, Strides: d.Strides, Box: d.Box, Swizzle: sw, L2Promotion: cuda.TensorMapL2Promotion128B})
	return [128]byte(m), err
}
