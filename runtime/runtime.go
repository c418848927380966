// Package runtime loads and launches compiled kernels: PTX plus what a
// launcher needs (Kernel), on an NVIDIA GPU through the CUDA driver or on
// tilec's PTX emulator, behind tilec's one Device interface. It is all a
// program needs to run kernels that tilec compiled ahead of time (tilec
// gen), and it depends on no part of the compiler.
package runtime

import (
	"errors"
	"fmt"
	"strings"
	"time"
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

func (k ParamKind) String() string {
	if int(k) < len(paramKindNames) {
		return paramKindNames[k]
	}
	return fmt.Sprintf("kind%d", k)
}

var paramKindNames = [...]string{"ptr", "i32", "i64", "f32", "f64", "tmap"}

// Param is one kernel parameter.
type Param struct {
	Name string
	Kind ParamKind
	Map  *MapSpec // how to build a TensorMap parameter
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
	ps := k.UserParams()
	if len(args) != len(ps) {
		return nil, fmt.Errorf("kernel %s takes %d arguments, got %d", k.Name, len(ps), len(args))
	}
	out := make([]any, len(args))
	for i, a := range args {
		p := ps[i]
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

// Device is where kernels run: tilec's one device interface. The GPU
// (GPU) and the PTX emulator (Emu) implement it here; the tile interpreter
// (kernels.Interp) implements it too, and runs tile IR instead of PTX.
// Packages above the compiler run tile IR on any Device through the
// optional kernels.FuncLauncher (package device compiles it on launch).
// Capabilities that only some devices have are optional interfaces:
// Targeted, Describer, Loader and Timer.
type Device interface {
	// Name says which device it is ("emu", "gpu (NVIDIA H100 ...)").
	Name() string
	// Alloc reserves device memory and returns its address (256-byte
	// aligned); name labels it in error messages.
	Alloc(name string, bytes int) (uint64, error)
	Write(addr uint64, data []byte) error
	Read(addr uint64, data []byte) error
	// Launch runs k over grid (blocks of k.Threads threads) and waits for it.
	Launch(k *Kernel, grid [3]int, args ...any) error
	// Free releases every allocation; Close also releases the device.
	Free() error
	Close() error
}

// Targeted is implemented by devices that run PTX for an architecture
// (arch names: sm_90): the GPU its own, the emulator arch.Default.
type Targeted interface {
	Target() string
}

// Props describe a GPU: what the tuner checks kernels against (limits)
// and measures them against (the roofline), and what its cache key holds.
type Props struct {
	Name           string
	Target         string  // the architecture (sm_90)
	Driver         int     // the CUDA driver's version (13000 for 13.0)
	SMs            int     // multiprocessors
	ClockHz        float64 // the SM clock
	MemoryClockHz  float64
	MemoryBusWidth int // bits
	L2Bytes        int
	// SharedPerBlock is the shared memory a block gets without opting in;
	// SharedPerBlockOptin the most it can opt in to.
	SharedPerBlock, SharedPerBlockOptin int
}

// Describer is implemented by devices that report their properties (the
// GPU).
type Describer interface {
	Props() Props
}

// KernelInfo is what a device's own compiler made of a kernel.
type KernelInfo struct {
	Registers  int // per thread
	LocalBytes int // per thread: spills (and local arrays)
}

// Loader is implemented by devices that compile PTX themselves (the GPU's
// JIT): Load compiles k (once) and reports what the compiler made of it.
type Loader interface {
	Load(k *Kernel) (KernelInfo, error)
}

// Timer is implemented by devices that time their own work (the GPU, with
// events): what the tuner needs to time kernels and to put their buffers
// back between timed runs.
type Timer interface {
	// Prepare checks k's arguments and returns a function that launches
	// it without waiting.
	Prepare(k *Kernel, grid [3]int, args ...any) (func() error, error)
	// Time runs work between two events and returns the device time
	// between them.
	Time(work func() error) (time.Duration, error)
	Memset(addr uint64, v byte, n int) error
	// Copy copies n bytes from src to dst on the device.
	Copy(dst, src uint64, n int) error
}

// ErrNoGPU means the CUDA driver or a GPU was not found; `tilec doctor`
// says what is missing.
var ErrNoGPU = errors.New("no GPU: the NVIDIA driver (libcuda.so.1) or a CUDA device was not found (tilec doctor explains)")

// Device names, as options and command lines give them. ParseDevice is
// the one place that reads them.
const (
	DeviceAuto   = "auto"   // the GPU when there is one, else the emulator
	DeviceGPU    = "gpu"    // an NVIDIA GPU through the CUDA driver
	DeviceEmu    = "emu"    // tilec's PTX emulator
	DeviceInterp = "interp" // the tile interpreter (package kernels; runs tile IR, not PTX)
)

// ParseDevice checks a device name; "" means DeviceAuto.
func ParseDevice(name string) (string, error) {
	switch name {
	case "":
		return DeviceAuto, nil
	case DeviceAuto, DeviceGPU, DeviceEmu, DeviceInterp:
		return name, nil
	}
	return "", fmt.Errorf("unknown device %q (%s, %s, %s, %s)", name, DeviceAuto, DeviceGPU, DeviceEmu, DeviceInterp)
}

// Open returns a device that runs PTX, by name: gpu, emu, or auto (the GPU
// when there is one, else the emulator). The interpreter runs tile IR, not
// PTX: package device opens it.
func Open(name string) (Device, error) {
	kind, err := ParseDevice(name)
	if err != nil {
		return nil, err
	}
	switch kind {
	case DeviceGPU:
		return OpenGPU()
	case DeviceEmu:
		return NewEmu(), nil
	case DeviceInterp:
		return nil, fmt.Errorf("the %s device runs tile IR, not compiled kernels (package device opens it)", kind)
	}
	if g, err := OpenGPU(); err == nil {
		return g, nil
	}
	return NewEmu(), nil
}
