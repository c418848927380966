package tilec

import (
	"sync"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/runtime"
)

// binKey is a specialized kernel compiled for one kind of arguments.
type binKey struct {
	f     *ir.Func
	facts string
}

// compiler compiles specialized kernels once per kind of arguments.
type compiler struct {
	opts Options
	mu   sync.Mutex
	bins map[binKey]*Binary
}

func (c *compiler) binary(f *ir.Func, args []any) (*Binary, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	opts := c.opts
	opts.Facts = FactsOf(f, args)
	key := binKey{f, runtime.FactsKey(opts.Facts)}
	if b, ok := c.bins[key]; ok {
		return b, nil
	}
	if c.bins == nil {
		c.bins = map[binKey]*Binary{}
	}
	b, err := Compile(f, opts)
	if err != nil {
		return nil, err
	}
	c.bins[key] = b
	return b, nil
}

// Binaries returns every binary compiled so far, in no fixed order.
func (c *compiler) Binaries() []*Binary {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]*Binary, 0, len(c.bins))
	for _, b := range c.bins {
		out = append(out, b)
	}
	return out
}

// Emu is tilec's PTX emulator as a kernels.Device: Launch compiles the
// specialized kernel (once per kind of arguments) and runs it with the
// sanitizer on; any finding fails the launch.
type Emu struct {
	*runtime.Emu
	compiler
}

// NewEmu returns an emulator device compiling with opts.
func NewEmu(opts Options) *Emu {
	if opts.Target == "" {
		opts.Target = "sm_80"
	}
	return &Emu{Emu: runtime.NewEmu(), compiler: compiler{opts: opts}}
}

// Alloc implements kernels.Device.
func (e *Emu) Alloc(_ string, bytes int) (uint64, error) { return e.Emu.Alloc(bytes) }

// Binary compiles f for args (once per kind of arguments) and returns it.
func (e *Emu) Binary(f *ir.Func, args []any) (*Binary, error) { return e.binary(f, args) }

// Launch implements kernels.Device.
func (e *Emu) Launch(f *ir.Func, grid [3]int, args []any) error {
	b, err := e.binary(f, args)
	if err != nil {
		return err
	}
	return e.Emu.Launch(&b.Kernel, grid, args...)
}
