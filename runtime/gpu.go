package runtime

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tilec/tilec/cuda"
)

// GPU is an NVIDIA GPU as a Device, through the CUDA driver API (package
// cuda, bound at run time: no cgo). Kernels are JIT-loaded once; every
// Launch synchronizes, so a fault is reported by the launch that caused it.
type GPU struct {
	Props  cuda.Props
	drv    *cuda.Driver
	ctx    *cuda.Context
	mu     sync.Mutex
	loaded map[*Kernel]*Loaded
	allocs []cuda.DevicePtr
}

// Loaded is a kernel JIT-compiled for the GPU.
type Loaded struct {
	Kernel *Kernel
	Func   *cuda.Function
	// Attrs are what the JIT made of it: registers, spills (local
	// memory), static shared memory, the block size it allows.
	Attrs cuda.FuncAttributes
	mod   *cuda.Module
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
	ctx, err := dev.PrimaryContext()
	if err != nil {
		return nil, err
	}
	return &GPU{Props: props, drv: drv, ctx: ctx, loaded: map[*Kernel]*Loaded{}}, nil
}

// Target names the GPU's architecture (sm_90 for compute capability 9.0).
func (g *GPU) Target() string { return fmt.Sprintf("sm_%d%d", g.Props.Major, g.Props.Minor) }

// DriverVersion is the CUDA driver's version (13000 for 13.0).
func (g *GPU) DriverVersion() (int, error) { return g.drv.DriverVersion() }

// Name implements Device.
func (g *GPU) Name() string { return "gpu (" + g.Props.Name + ")" }

// Alloc implements Device.
func (g *GPU) Alloc(bytes int) (uint64, error) {
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

// Memset implements Device.
func (g *GPU) Memset(addr uint64, v byte, n int) error {
	return g.ctx.MemsetD8(cuda.DevicePtr(addr), v, uint64(n))
}

// MemcpyDtoD copies n bytes on the device.
func (g *GPU) MemcpyDtoD(dst, src uint64, n int) error {
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

// Load JIT-compiles k (once), opts in to its dynamic shared memory, and
// checks that the JIT left room for its block size.
func (g *GPU) Load(k *Kernel) (*Loaded, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if l, ok := g.loaded[k]; ok {
		return l, nil
	}
	mod, err := g.ctx.LoadModule([]byte(k.PTX), &cuda.JITOptions{Verbose: true})
	if err != nil {
		return nil, fmt.Errorf("kernel %s: the driver rejects its PTX: %w", k.Name, err)
	}
	fn, err := mod.Function(k.Name)
	if err != nil {
		return nil, err
	}
	if k.SharedBytes > g.Props.SharedMemPerBlock {
		if k.SharedBytes > g.Props.SharedMemPerBlockOptin {
			return nil, fmt.Errorf("kernel %s needs %d bytes of shared memory; %s allows %d per block",
				k.Name, k.SharedBytes, g.Props.Name, g.Props.SharedMemPerBlockOptin)
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
	l := &Loaded{Kernel: k, Func: fn, Attrs: attrs, mod: mod}
	g.loaded[k] = l
	return l, nil
}

// Prepare loads k and returns a function that launches it asynchronously
// on stream s (nil: the default stream).
func (g *GPU) Prepare(k *Kernel, grid [3]int, args ...any) (func(s *cuda.Stream) error, error) {
	l, err := g.Load(k)
	if err != nil {
		return nil, err
	}
	if err := k.CheckFacts(args); err != nil {
		return nil, err
	}
	a, err := k.Args(args)
	if err != nil {
		return nil, err
	}
	gr := [3]uint32{uint32(grid[0]), uint32(grid[1]), uint32(grid[2])}
	block := [3]uint32{uint32(k.Threads), 1, 1}
	return func(s *cuda.Stream) error {
		if err := l.Func.Launch(gr, block, uint32(k.SharedBytes), s, a...); err != nil {
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
	if err := run(nil); err != nil {
		return err
	}
	if err := g.ctx.Synchronize(); err != nil {
		return fmt.Errorf("kernel %s: %w", k.Name, err)
	}
	return nil
}

// Timer times GPU work with CUDA events on the default stream.
type Timer struct {
	start, end *cuda.Event
}

// NewTimer creates the events.
func (g *GPU) NewTimer() (*Timer, error) {
	s, err := g.ctx.NewEvent(0)
	if err != nil {
		return nil, err
	}
	e, err := g.ctx.NewEvent(0)
	if err != nil {
		return nil, err
	}
	return &Timer{start: s, end: e}, nil
}

// Time runs fn between the two events and returns the GPU time between
// them.
func (t *Timer) Time(fn func() error) (time.Duration, error) {
	if err := t.start.Record(nil); err != nil {
		return 0, err
	}
	if err := fn(); err != nil {
		return 0, err
	}
	if err := t.end.Record(nil); err != nil {
		return 0, err
	}
	if err := t.end.Synchronize(); err != nil {
		return 0, err
	}
	return cuda.ElapsedTime(t.start, t.end)
}
