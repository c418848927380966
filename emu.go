package tilec

import (
	"fmt"
	"strings"
	"sync"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/ptx/emu"
)

// Emu is tilec's PTX emulator as a kernels.Device: Launch compiles the
// specialized kernel (once), loads its PTX and runs it with the sanitizer
// on. Any sanitizer finding fails the launch.
type Emu struct {
	Opts Options
	dev  *emu.Device
	mu   sync.Mutex
	bins map[binKey]*loaded
	// Counters sums the emulator's counters over every launch.
	Counters emu.Counters
	// Launches records each launch's result in order.
	Launches []*emu.Result
}

type binKey struct {
	f     *ir.Func
	facts string
}

type loaded struct {
	bin *Binary
	mod *emu.Module
}

// NewEmu returns an emulator device compiling with opts.
func NewEmu(opts Options) *Emu {
	return &Emu{Opts: opts, dev: emu.NewDevice(emu.Options{}), bins: map[binKey]*loaded{}}
}

// Name implements kernels.Device.
func (e *Emu) Name() string { return "emu" }

// Alloc implements kernels.Device.
func (e *Emu) Alloc(_ string, bytes int) (uint64, error) { return e.dev.Alloc(bytes) }

// Write implements kernels.Device.
func (e *Emu) Write(addr uint64, data []byte) error { return e.dev.CopyToDevice(addr, data) }

// Read implements kernels.Device.
func (e *Emu) Read(addr uint64, data []byte) error { return e.dev.CopyFromDevice(data, addr) }

// Binary compiles f for args (once per kind of arguments) and returns it.
func (e *Emu) Binary(f *ir.Func, args []any) (*Binary, error) {
	l, err := e.load(f, args)
	if err != nil {
		return nil, err
	}
	return l.bin, nil
}

func (e *Emu) load(f *ir.Func, args []any) (*loaded, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	opts := e.Opts
	opts.Facts = FactsOf(f, args)
	key := binKey{f, factsKey(opts.Facts)}
	if l, ok := e.bins[key]; ok {
		return l, nil
	}
	bin, err := Compile(f, opts)
	if err != nil {
		return nil, err
	}
	mod, err := emu.Parse(bin.Name+".ptx", []byte(bin.PTX))
	if err != nil {
		return nil, fmt.Errorf("kernel %s: the emulator rejects its PTX: %w", f.Name, err)
	}
	l := &loaded{bin: bin, mod: mod}
	e.bins[key] = l
	return l, nil
}

// Binaries returns every binary the device compiled, in no fixed order.
func (e *Emu) Binaries() []*Binary {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]*Binary, 0, len(e.bins))
	for _, l := range e.bins {
		out = append(out, l.bin)
	}
	return out
}

// Args converts Device arguments to the binary's parameter types.
func (b *Binary) Args(args []any) ([]any, error) {
	if len(args) != len(b.Params) {
		return nil, fmt.Errorf("kernel %s takes %d arguments, got %d", b.Name, len(b.Params), len(args))
	}
	out := make([]any, len(args))
	for i, a := range args {
		p := b.Params[i]
		var err error
		switch p.Kind {
		case ParamPtr:
			v, ok := a.(uint64)
			if !ok {
				err = fmt.Errorf("pass a uint64 address, not %T", a)
			}
			out[i] = v
		case ParamI32, ParamI64:
			var v int64
			switch a := a.(type) {
			case int64:
				v = a
			case int:
				v = int64(a)
			case int32:
				v = int64(a)
			default:
				err = fmt.Errorf("pass an integer, not %T", a)
			}
			if p.Kind == ParamI32 {
				out[i] = int32(v)
			} else {
				out[i] = v
			}
		case ParamF32, ParamF64:
			var v float64
			switch a := a.(type) {
			case float64:
				v = a
			case float32:
				v = float64(a)
			default:
				err = fmt.Errorf("pass a float, not %T", a)
			}
			if p.Kind == ParamF32 {
				out[i] = float32(v)
			} else {
				out[i] = v
			}
		}
		if err != nil {
			return nil, fmt.Errorf("kernel %s: parameter %s: %w", b.Name, p.Name, err)
		}
	}
	return out, nil
}

// Launch implements kernels.Device.
func (e *Emu) Launch(f *ir.Func, grid [3]int, args []any) error {
	l, err := e.load(f, args)
	if err != nil {
		return err
	}
	if err := l.bin.CheckFacts(args); err != nil {
		return err
	}
	a, err := l.bin.Args(args)
	if err != nil {
		return err
	}
	cfg := emu.LaunchConfig{
		Grid:          [3]uint32{uint32(grid[0]), uint32(grid[1]), uint32(grid[2])},
		Block:         [3]uint32{uint32(l.bin.Threads), 1, 1},
		DynamicShared: uint32(l.bin.SharedBytes),
	}
	res, err := e.dev.Launch(l.mod, l.bin.Name, cfg, a...)
	if err != nil {
		return fmt.Errorf("kernel %s: %w", f.Name, err)
	}
	e.mu.Lock()
	e.Launches = append(e.Launches, res)
	e.Counters.Add(&res.Counters)
	e.mu.Unlock()
	if !res.Clean() {
		var sb strings.Builder
		for i, fd := range res.Findings {
			if i == 5 {
				fmt.Fprintf(&sb, "\n  ... %d findings in all", res.FindingCount)
				break
			}
			fmt.Fprintf(&sb, "\n  %v", fd)
		}
		return fmt.Errorf("kernel %s: the sanitizer found %d problems:%s", f.Name, res.FindingCount, sb.String())
	}
	return nil
}
