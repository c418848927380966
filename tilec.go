// Package tilec is the compiler's front door: Compile turns a specialized
// tile-IR kernel into a Binary (a runtime.Kernel: PTX plus what a launcher
// needs), and Emu and GPU compile kernels on demand and run them on the
// runtime's devices, behind the kernels.Device interface the tile
// interpreter also implements.
package tilec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tilec/tilec/codegen"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/ptx"
	"github.com/tilec/tilec/runtime"
)

// Version is tilec's version; it keys caches.
const Version = "0.1.0-dev"

// Target is a GPU architecture: "sm_80", "sm_90", "sm_90a".
type Target string

// SM returns the compute capability times ten (80 for sm_80).
func (t Target) SM() (int, error) {
	s := strings.TrimSuffix(strings.TrimPrefix(string(t), "sm_"), "a")
	n, err := strconv.Atoi(s)
	if err != nil || !strings.HasPrefix(string(t), "sm_") || n < 70 {
		return 0, fmt.Errorf("unknown target %q (want sm_80, sm_86, sm_89, sm_90 or sm_90a)", t)
	}
	return n, nil
}

// Backends translate LLVM IR to PTX.
const (
	BackendOwn = "own" // tilec's own PTX backend (package ptx)
	BackendLLC = "llc" // LLVM's llc, when installed
)

// DefaultBackend is the backend Compile uses when Options leave it empty.
var DefaultBackend = BackendOwn

// Options control Compile.
type Options struct {
	Target  Target // default sm_80
	Backend string // default DefaultBackend
	// Facts are what the launch guarantees about each parameter (from
	// FactsOf); the binary is valid only for arguments that keep them.
	Facts []runtime.Fact
}

// Binary is a compiled kernel: the runtime.Kernel to launch, and the
// compiler's intermediate texts.
type Binary struct {
	runtime.Kernel
	Target  Target
	Backend string
	res     *codegen.Result
}

// LL is the LLVM IR the PTX came from (printed on demand: the own backend
// reads the module, not the text).
func (b *Binary) LL() string { return b.res.LL() }

// GPU is the layout-annotated tile IR.
func (b *Binary) GPU() string { return b.res.GPUText() }

// LiveRegisters estimates the 32-bit registers a thread needs at its peak
// (codegen's estimate in emission order; the driver's count comes from
// ptxas): above 255 a GPU spills to local memory.
func (b *Binary) LiveRegisters() int { return b.res.LiveRegisters }

// Params returns the runtime parameters of a kernel.
func Params(f *ir.Func) ([]runtime.Param, error) {
	out := make([]runtime.Param, len(f.Params))
	for i, p := range f.Params {
		k, err := paramKind(p.Type)
		if err != nil {
			return nil, fmt.Errorf("kernel %s: parameter %s: %w", f.Name, p.Name, err)
		}
		out[i] = runtime.Param{Name: p.Name, Kind: k}
	}
	return out, nil
}

// FactsOf derives the facts a launch's arguments guarantee for f.
func FactsOf(f *ir.Func, args []any) []runtime.Fact {
	ps, err := Params(f)
	if err != nil {
		return nil
	}
	return runtime.FactsOf(ps, args)
}

// Compile lowers a specialized kernel to PTX.
func Compile(f *ir.Func, opts Options) (*Binary, error) {
	if opts.Target == "" {
		opts.Target = "sm_80"
	}
	if opts.Backend == "" {
		opts.Backend = DefaultBackend
	}
	sm, err := opts.Target.SM()
	if err != nil {
		return nil, err
	}
	params, err := Params(f)
	if err != nil {
		return nil, err
	}
	facts := make([]codegen.Facts, len(opts.Facts))
	for i, fa := range opts.Facts {
		facts[i] = codegen.Facts{Div: fa.Div, One: fa.One}
	}
	res, err := codegen.Compile(f, codegen.Options{SM: sm, Facts: facts})
	if err != nil {
		return nil, err
	}
	b := &Binary{Kernel: runtime.Kernel{Name: res.Name, Params: params, Threads: res.Threads, SharedBytes: res.SharedBytes,
		Facts: opts.Facts}, Target: opts.Target, Backend: opts.Backend, res: res}
	switch opts.Backend {
	case BackendOwn:
		b.PTX, err = ptx.Compile(res.Module, ptx.Target{SM: string(opts.Target)})
	case BackendLLC:
		b.PTX, err = ptx.LLC(b.LL(), ptx.Target{SM: string(opts.Target)})
	default:
		return nil, fmt.Errorf("unknown backend %q (own, llc)", opts.Backend)
	}
	if err != nil {
		return nil, fmt.Errorf("kernel %s: %w", f.Name, err)
	}
	return b, nil
}

func paramKind(t ir.Type) (runtime.ParamKind, error) {
	if t.Kind == ir.KindPtr {
		return runtime.Ptr, nil
	}
	switch t.Elem {
	case ir.I32:
		return runtime.I32, nil
	case ir.I64:
		return runtime.I64, nil
	case ir.F32:
		return runtime.F32, nil
	case ir.F64:
		return runtime.F64, nil
	}
	return 0, fmt.Errorf("type %s cannot be a kernel parameter (pointers, i32, i64, f32, f64)", t)
}
