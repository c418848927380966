package tilec

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tilec/tilec/cuda"
	"github.com/tilec/tilec/ir"
)

// GPU is an NVIDIA GPU as a kernels.Device, through the CUDA driver API
// (package cuda, bound at run time: no cgo). Launch compiles the
// specialized kernel for the device (once per kind of arguments), JIT-loads
// the PTX and launches it; every launch synchronizes, so a fault is
// reported by the launch that caused it.
type GPU struct {
	Opts   Options
	Props  cuda.Props
	drv    *cuda.Driver
	ctx    *cuda.Context
	mu     sync.Mutex
	bins   map[binKey]*gpuLoaded
	allocs []cuda.DevicePtr
}

type gpuLoaded struct {
	bin   *Binary
	mod   *cuda.Module
	fn    *cuda.Function
	attrs cuda.FuncAttributes
}

// ErrNoGPU means the CUDA driver or a GPU was not found; `tilec doctor`
// says what is missing.
var ErrNoGPU = errors.New("no GPU: the NVIDIA driver (libcuda.so.1) or a CUDA device was not found (tilec doctor explains)")

// OpenGPU opens GPU 0 with its primary context. opts.Target defaults to
// the device's architecture.
func OpenGPU(opts Options) (*GPU, error) {
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
	if opts.Target == "" {
		opts.Target = TargetOf(props.Major, props.Minor)
	}
	ctx, err := dev.PrimaryContext()
	if err != nil {
		return nil, err
	}
	return &GPU{Opts: opts, Props: props, drv: drv, ctx: ctx, bins: map[binKey]*gpuLoaded{}}, nil
}

// TargetOf names the architecture of a compute capability (sm_90 for 9.0:
// tilec's sm_80 code path, mma.sync, runs on every later GPU).
func TargetOf(major, minor int) Target { return Target(fmt.Sprintf("sm_%d%d", major, minor)) }

// DriverVersion is the CUDA driver's version (13000 for 13.0).
func (g *GPU) DriverVersion() (int, error) { return g.drv.DriverVersion() }

// MemcpyDtoD copies n bytes on the device.
func (g *GPU) MemcpyDtoD(dst, src uint64, n int) error {
	return g.ctx.MemcpyDtoD(cuda.DevicePtr(dst), cuda.DevicePtr(src), uint64(n))
}

// Name implements kernels.Device.
func (g *GPU) Name() string { return "gpu (" + g.Props.Name + ")" }

// Alloc implements kernels.Device.
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

// Write implements kernels.Device.
func (g *GPU) Write(addr uint64, data []byte) error {
	return g.ctx.MemcpyHtoD(cuda.DevicePtr(addr), data)
}

// Read implements kernels.Device.
func (g *GPU) Read(addr uint64, data []byte) error {
	return g.ctx.MemcpyDtoH(data, cuda.DevicePtr(addr))
}

// Memset sets n bytes at addr to v (the autotuner restores buffers with it).
func (g *GPU) Memset(addr uint64, v byte, n int) error {
	return g.ctx.MemsetD8(cuda.DevicePtr(addr), v, uint64(n))
}

// Free releases every allocation made so far.
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

// Close frees the memory and releases the context.
func (g *GPU) Close() error {
	return errors.Join(g.Free(), g.ctx.Release())
}

// Load compiles f for args and loads it: the binary and the function's
// attributes after the JIT (registers, spills, shared memory).
func (g *GPU) Load(f *ir.Func, args []any) (*Binary, cuda.FuncAttributes, error) {
	l, err := g.load(f, args)
	if err != nil {
		return nil, cuda.FuncAttributes{}, err
	}
	return l.bin, l.attrs, nil
}

func (g *GPU) load(f *ir.Func, args []any) (*gpuLoaded, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	opts := g.Opts
	opts.Facts = FactsOf(f, args)
	key := binKey{f, factsKey(opts.Facts)}
	if l, ok := g.bins[key]; ok {
		return l, nil
	}
	bin, err := Compile(f, opts)
	if err != nil {
		return nil, err
	}
	mod, err := g.ctx.LoadModule([]byte(bin.PTX), &cuda.JITOptions{Verbose: true})
	if err != nil {
		return nil, fmt.Errorf("kernel %s: the driver rejects its PTX: %w", f.Name, err)
	}
	fn, err := mod.Function(bin.Name)
	if err != nil {
		return nil, err
	}
	if bin.SharedBytes > g.Props.SharedMemPerBlock {
		if bin.SharedBytes > g.Props.SharedMemPerBlockOptin {
			return nil, fmt.Errorf("kernel %s needs %d bytes of shared memory; %s allows %d per block",
				f.Name, bin.SharedBytes, g.Props.Name, g.Props.SharedMemPerBlockOptin)
		}
		if err := fn.SetMaxDynamicSharedMemory(bin.SharedBytes); err != nil {
			return nil, err
		}
	}
	attrs, err := fn.Attributes()
	if err != nil {
		return nil, err
	}
	if attrs.MaxThreadsPerBlock < bin.Threads {
		return nil, fmt.Errorf("kernel %s needs %d threads per block; with %d registers per thread the device allows %d",
			f.Name, bin.Threads, attrs.NumRegs, attrs.MaxThreadsPerBlock)
	}
	l := &gpuLoaded{bin: bin, mod: mod, fn: fn, attrs: attrs}
	g.bins[key] = l
	return l, nil
}

// Launch implements kernels.Device.
func (g *GPU) Launch(f *ir.Func, grid [3]int, args []any) error {
	run, err := g.Prepare(f, grid, args)
	if err != nil {
		return err
	}
	if err := run(nil); err != nil {
		return err
	}
	if err := g.ctx.Synchronize(); err != nil {
		return fmt.Errorf("kernel %s: %w", f.Name, err)
	}
	return nil
}

// Prepare compiles and loads f and returns a function that launches it
// (asynchronously, on stream s; nil is the default stream).
func (g *GPU) Prepare(f *ir.Func, grid [3]int, args []any) (func(s *cuda.Stream) error, error) {
	l, err := g.load(f, args)
	if err != nil {
		return nil, err
	}
	if err := l.bin.CheckFacts(args); err != nil {
		return nil, err
	}
	a, err := l.bin.Args(args)
	if err != nil {
		return nil, err
	}
	gr := [3]uint32{uint32(grid[0]), uint32(grid[1]), uint32(grid[2])}
	block := [3]uint32{uint32(l.bin.Threads), 1, 1}
	return func(s *cuda.Stream) error {
		if err := l.fn.Launch(gr, block, uint32(l.bin.SharedBytes), s, a...); err != nil {
			return fmt.Errorf("kernel %s: %w", f.Name, err)
		}
		return nil
	}, nil
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
