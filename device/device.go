// Package device opens tilec's devices by name and runs tile IR on the
// ones that run PTX: Compiling wraps a runtime.Device (the GPU or the
// emulator) and compiles each specialized kernel on launch, once per kind
// of arguments (kernels.FuncLauncher), for the device's own architecture.
//
// It is a package of its own, between the compiler driver (package tilec,
// which it calls) and the tuner, the session and the CLI (which use it),
// because the runtime must not depend on the compiler (generated packages
// import only the runtime) and the compiler driver should hold nothing but
// compilation. The one device interface is runtime.Device; Compiling is
// not another kind of device but a runtime.Device with the compiler for it.
package device

import (
	"sync"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/internal/arch"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/runtime"
)

// Open opens a device by name (runtime.ParseDevice: auto, gpu, emu,
// interp). The GPU and the emulator come wrapped in Compiling, with opts
// (Target "" or "auto": the device's own architecture); the interpreter
// is a kernels.Interp.
func Open(name string, opts tilec.Options) (runtime.Device, error) {
	kind, err := runtime.ParseDevice(name)
	if err != nil {
		return nil, err
	}
	if kind == runtime.DeviceInterp {
		return kernels.NewInterp(), nil
	}
	dev, err := runtime.Open(kind)
	if err != nil {
		return nil, err
	}
	c, err := New(dev, opts)
	if err != nil {
		_ = dev.Close()
		return nil, err
	}
	return c, nil
}

// Compiling is a runtime.Device that also runs tile IR: LaunchFunc
// compiles a specialized kernel with its options (once per kernel and kind
// of arguments, tilec.FactsOf) and launches the binary on the device. The
// emulator fails a launch on any sanitizer finding; the GPU opts in to
// dynamic shared memory above 48 KiB and checks the JIT's registers
// against the block size.
type Compiling struct {
	runtime.Device
	opts tilec.Options
	mu   sync.Mutex
	bins map[binKey]*tilec.Binary
}

// binKey is a specialized kernel compiled for one kind of arguments.
type binKey struct {
	f     *ir.Func
	facts string
}

// New wraps dev. A Target of "" or "auto" in opts becomes the device's
// own architecture (runtime.Targeted), or arch.Default.
func New(dev runtime.Device, opts tilec.Options) (*Compiling, error) {
	own := ""
	if t, ok := dev.(runtime.Targeted); ok {
		own = t.Target()
	}
	target, err := arch.Resolve(string(opts.Target), own)
	if err != nil {
		return nil, err
	}
	opts.Target = tilec.Target(target)
	return &Compiling{Device: dev, opts: opts, bins: map[binKey]*tilec.Binary{}}, nil
}

// NewEmu returns the PTX emulator compiling with opts.
func NewEmu(opts tilec.Options) (*Compiling, error) { return New(runtime.NewEmu(), opts) }

// Options are the compile options the device uses (the target resolved).
func (c *Compiling) Options() tilec.Options { return c.opts }

// Kind names the device as runtime.ParseDevice does (gpu or emu), for
// another process to open the same kind.
func (c *Compiling) Kind() string {
	switch c.Device.(type) {
	case *runtime.GPU:
		return runtime.DeviceGPU
	case *runtime.Emu:
		return runtime.DeviceEmu
	}
	return c.Device.Name()
}

// Binary compiles f for arguments like args (once per kind of arguments)
// and returns it.
func (c *Compiling) Binary(f *ir.Func, args []any) (*tilec.Binary, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	opts := c.opts
	opts.Facts = tilec.FactsOf(f, args)
	key := binKey{f, runtime.FactsKey(opts.Facts)}
	if b, ok := c.bins[key]; ok {
		return b, nil
	}
	b, err := tilec.Compile(f, opts)
	if err != nil {
		return nil, err
	}
	c.bins[key] = b
	return b, nil
}

// Binaries returns every binary compiled so far, in no fixed order.
func (c *Compiling) Binaries() []*tilec.Binary {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*tilec.Binary, 0, len(c.bins))
	for _, b := range c.bins {
		out = append(out, b)
	}
	return out
}

// LaunchFunc implements kernels.FuncLauncher.
func (c *Compiling) LaunchFunc(f *ir.Func, grid [3]int, args []any) error {
	b, err := c.Binary(f, args)
	if err != nil {
		return err
	}
	return c.Launch(&b.Kernel, grid, args...)
}
