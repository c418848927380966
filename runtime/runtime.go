// Package runtime loads and launches compiled kernels: PTX plus what a
// launcher needs (Kernel), on an NVIDIA GPU through the CUDA driver or on
// tilec's PTX emulator, behind one Device interface. It is all a program
// needs to run kernels that tilec compiled ahead of time (tilec gen), and
// it depends on no part of the compiler.
package runtime

import (
	"errors"
	"fmt"
	"strings"
)

// ParamKind is how a kernel parameter is passed (the PTX ABI as tilec
// emits it).
type ParamKind uint8

// Parameter kinds.
const (
	Ptr ParamKind = iota // .u64 global address
	I32
	I64
	F32
	F64
)

func (k ParamKind) String() string { return [...]string{"ptr", "i32", "i64", "f32", "f64"}[k] }

// Param is one kernel parameter.
type Param struct {
	Name string
	Kind ParamKind
}

// Fact is what a compiled kernel assumes about one argument: its value (a
// pointer's address) is a multiple of Div, and, when One is set, equal to
// 1. The compiler uses them for vector accesses; Launch checks them.
type Fact struct {
	Div int
	One bool
}

// MaxFactDiv caps the alignment facts: 16 bytes is the widest access.
const MaxFactDiv = 16

// Kernel is a compiled kernel.
type Kernel struct {
	Name        string // the PTX .entry
	PTX         string
	Params      []Param
	Threads     int // per block (x); y and z are 1
	SharedBytes int // dynamic shared memory per block
	Facts       []Fact
}

// FactsOf derives what arguments guarantee, the way Triton specializes on
// arguments divisible by 16 and equal to 1.
func FactsOf(params []Param, args []any) []Fact {
	out := make([]Fact, len(params))
	for i, p := range params {
		if i >= len(args) || (p.Kind != Ptr && p.Kind != I32 && p.Kind != I64) {
			continue
		}
		v, ok := asInt(args[i])
		if !ok {
			continue
		}
		d := 1
		for d < MaxFactDiv && v%(int64(d)*2) == 0 {
			d *= 2
		}
		out[i] = Fact{Div: d, One: p.Kind != Ptr && v == 1}
	}
	return out
}

// FactsKey names a facts list (for caches of binaries).
func FactsKey(fs []Fact) string {
	var sb strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&sb, "%d", f.Div)
		if f.One {
			sb.WriteString("!")
		}
		sb.WriteString(",")
	}
	return sb.String()
}

func asInt(a any) (int64, bool) {
	switch a := a.(type) {
	case uint64:
		return int64(a), true
	case int64:
		return a, true
	case int32:
		return int64(a), true
	case int:
		return int64(a), true
	case uint32:
		return int64(a), true
	}
	return 0, false
}

// CheckFacts reports whether args keep the facts k was compiled with.
func (k *Kernel) CheckFacts(args []any) error {
	for i, f := range k.Facts {
		if i >= len(args) || (f.Div <= 1 && !f.One) {
			continue
		}
		v, _ := asInt(args[i])
		if v%int64(f.Div) != 0 || (f.One && v != 1) {
			return fmt.Errorf("kernel %s: argument %s = %d breaks what the kernel was compiled for (a multiple of %d%s)",
				k.Name, k.Params[i].Name, v, f.Div, map[bool]string{true: ", equal to 1"}[f.One])
		}
	}
	return nil
}

// Args converts Go arguments to the parameter types: uint64 addresses for
// pointers, any Go integer for i32/i64, float32 or float64 for floats.
func (k *Kernel) Args(args []any) ([]any, error) {
	if len(args) != len(k.Params) {
		return nil, fmt.Errorf("kernel %s takes %d arguments, got %d", k.Name, len(k.Params), len(args))
	}
	out := make([]any, len(args))
	for i, a := range args {
		p := k.Params[i]
		var err error
		switch p.Kind {
		case Ptr:
			v, ok := a.(uint64)
			if !ok {
				err = fmt.Errorf("pass a uint64 address, not %T", a)
			}
			out[i] = v
		case I32, I64:
			v, ok := asInt(a)
			if !ok {
				err = fmt.Errorf("pass an integer, not %T", a)
			}
			if p.Kind == I32 {
				out[i] = int32(v)
			} else {
				out[i] = v
			}
		case F32, F64:
			var v float64
			switch a := a.(type) {
			case float64:
				v = a
			case float32:
				v = float64(a)
			default:
				err = fmt.Errorf("pass a float, not %T", a)
			}
			if p.Kind == F32 {
				out[i] = float32(v)
			} else {
				out[i] = v
			}
		}
		if err != nil {
			return nil, fmt.Errorf("kernel %s: parameter %s: %w", k.Name, p.Name, err)
		}
	}
	return out, nil
}

// Device runs kernels: a GPU or the emulator.
type Device interface {
	// Name says which device it is ("emu", "gpu (NVIDIA H100 ...)").
	Name() string
	// Alloc reserves device memory and returns its address (256-byte aligned).
	Alloc(bytes int) (uint64, error)
	Write(addr uint64, data []byte) error
	Read(addr uint64, data []byte) error
	Memset(addr uint64, v byte, n int) error
	// Launch runs k over grid (blocks of k.Threads threads) and waits for it.
	Launch(k *Kernel, grid [3]int, args ...any) error
	// Free releases every allocation; Close also releases the device.
	Free() error
	Close() error
}

// ErrNoGPU means the CUDA driver or a GPU was not found; `tilec doctor`
// says what is missing.
var ErrNoGPU = errors.New("no GPU: the NVIDIA driver (libcuda.so.1) or a CUDA device was not found (tilec doctor explains)")

// Open returns a device by kind: gpu, emu, or auto (the GPU when there is
// one, else the emulator).
func Open(kind string) (Device, error) {
	switch kind {
	case "gpu":
		return OpenGPU()
	case "emu":
		return NewEmu(), nil
	case "", "auto":
		if g, err := OpenGPU(); err == nil {
			return g, nil
		}
		return NewEmu(), nil
	}
	return nil, fmt.Errorf("unknown device %q (gpu, emu, auto)", kind)
}
