package tilec

import (
	"fmt"

	"github.com/tilec/tilec/cuda"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/runtime"
)

// GPU is an NVIDIA GPU as a kernels.Device: Launch compiles the
// specialized kernel for the device (once per kind of arguments), JIT-loads
// it and launches it (runtime.GPU).
type GPU struct {
	*runtime.GPU
	compiler
}

// ErrNoGPU means the CUDA driver or a GPU was not found.
var ErrNoGPU = runtime.ErrNoGPU

// OpenGPU opens GPU 0. opts.Target defaults to the device's architecture.
func OpenGPU(opts Options) (*GPU, error) {
	g, err := runtime.OpenGPU()
	if err != nil {
		return nil, err
	}
	if opts.Target == "" {
		opts.Target = Target(g.Target())
	}
	return &GPU{GPU: g, compiler: compiler{opts: opts}}, nil
}

// Opts are the compile options the device uses.
func (g *GPU) Opts() Options { return g.opts }

// Alloc implements kernels.Device.
func (g *GPU) Alloc(_ string, bytes int) (uint64, error) { return g.GPU.Alloc(bytes) }

// Load compiles f for args and loads it: the binary and the function's
// attributes after the JIT (registers, spills, shared memory).
func (g *GPU) Load(f *ir.Func, args []any) (*Binary, cuda.FuncAttributes, error) {
	b, err := g.binary(f, args)
	if err != nil {
		return nil, cuda.FuncAttributes{}, err
	}
	l, err := g.GPU.Load(&b.Kernel)
	if err != nil {
		return nil, cuda.FuncAttributes{}, err
	}
	return b, l.Attrs, nil
}

// Prepare compiles and loads f and returns a function that launches it
// asynchronously.
func (g *GPU) Prepare(f *ir.Func, grid [3]int, args []any) (func(s *cuda.Stream) error, error) {
	b, err := g.binary(f, args)
	if err != nil {
		return nil, err
	}
	return g.GPU.Prepare(&b.Kernel, grid, args...)
}

// Launch implements kernels.Device.
func (g *GPU) Launch(f *ir.Func, grid [3]int, args []any) error {
	b, err := g.binary(f, args)
	if err != nil {
		return fmt.Errorf("kernel %s: %w", f.Name, err)
	}
	return g.GPU.Launch(&b.Kernel, grid, args...)
}
