// Package tilec is the compiler's front door: Compile turns a specialized
// tile-IR kernel into a Binary (a runtime.Kernel: PTX plus what a launcher
// needs). It holds the compile driver only; the devices that compile on
// launch are package device's.
package tilec

import (
	"fmt"
	"io"

	"github.com/tilec/tilec/codegen"
	"github.com/tilec/tilec/gpu"
	"github.com/tilec/tilec/internal/arch"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/ptx"
	"github.com/tilec/tilec/runtime"
)

// Version is tilec's version; it keys caches.
const Version = "0.1.0-dev"

// Target is a GPU architecture: "sm_80", "sm_90", "sm_90a".
type Target string

// DefaultTarget is the target when none is given (arch.Default: the
// architecture the emulator stands for).
const DefaultTarget Target = arch.Default

// SM returns the compute capability times ten (80 for sm_80).
func (t Target) SM() (int, error) {
	a, err := arch.Parse(string(t))
	if err != nil {
		return 0, err
	}
	return a.SM, nil
}

// gpuInfo is the GPU level's record of target t.
func (t Target) gpuInfo() (*ir.GPUInfo, error) {
	a, err := arch.Parse(string(t))
	if err != nil {
		return nil, err
	}
	return &ir.GPUInfo{SM: a.SM, Specific: a.Specific}, nil
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
	// VerifyEach runs the verifier after every pass of the GPU level;
	// DumpAfter names a pass ("all": every one) after which the kernel is
	// printed to Dump.
	VerifyEach bool
	DumpAfter  string
	Dump       io.Writer
}

// Binary is a compiled kernel: the runtime.Kernel to launch, and the
// compiler's intermediate texts.
type Binary struct {
	runtime.Kernel
	Target  Target
	Backend string
	gpu     *ir.Func // the kernel at the GPU level, as emitted
	res     *codegen.Result
}

// LL is the LLVM IR the PTX came from (printed on demand: the own backend
// reads the module, not the text).
func (b *Binary) LL() string { return b.res.LL() }

// GPU is the kernel at the GPU level (package gpu's output), in the text
// form ir.Parse reads back: CompileGPU of it gives the same PTX.
func (b *Binary) GPU() string { return b.gpu.String() }

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
		opts.Target = DefaultTarget
	}
	if opts.Backend == "" {
		opts.Backend = DefaultBackend
	}
	target, err := opts.Target.gpuInfo()
	if err != nil {
		return nil, err
	}
	if _, err := Params(f); err != nil {
		return nil, err
	}
	opts.Facts = normalFacts(opts.Facts, len(f.Params))
	facts := make([]ir.Facts, len(opts.Facts))
	for i, fa := range opts.Facts {
		facts[i] = ir.Facts{Div: fa.Div, One: fa.One}
	}
	g, err := gpu.Lower(f, gpu.Options{SM: target.SM, Specific: target.Specific, Facts: facts, Verify: opts.VerifyEach, DumpAfter: opts.DumpAfter, Dump: opts.Dump})
	if err != nil {
		return nil, err
	}
	return emit(g, opts)
}

// CompileGPU compiles a kernel at the GPU level (the text of Binary.GPU,
// parsed): the facts and the target's SM are the kernel's own.
func CompileGPU(g *ir.Func, opts Options) (*Binary, error) {
	if g.GPU == nil {
		return nil, fmt.Errorf("kernel %s is not at the GPU level (no gpu(...) clause)", g.Name)
	}
	if opts.Target == "" {
		opts.Target = Target(g.GPU.Target())
	}
	if opts.Backend == "" {
		opts.Backend = DefaultBackend
	}
	if _, err := opts.Target.SM(); err != nil {
		return nil, err
	}
	if string(opts.Target) != g.GPU.Target() {
		return nil, fmt.Errorf("kernel %s was lowered for %s, not %s", g.Name, g.GPU.Target(), opts.Target)
	}
	if err := ir.Verify(g); err != nil {
		return nil, fmt.Errorf("kernel %s: %w", g.Name, err)
	}
	opts.Facts = make([]runtime.Fact, len(g.GPU.Facts))
	for i, fa := range g.GPU.Facts {
		opts.Facts[i] = runtime.Fact{Div: fa.Div, One: fa.One}
	}
	opts.Facts = normalFacts(opts.Facts, len(g.Params))
	return emit(g, opts)
}

// normalFacts is a binary's facts in one form, so that the GPU level's
// text (which shows the known ones) gives them back: nil when nothing is
// known, else one per parameter.
func normalFacts(fs []runtime.Fact, params int) []runtime.Fact {
	known := false
	for _, f := range fs {
		known = known || f != runtime.Fact{}
	}
	if !known {
		return nil
	}
	return append(fs[:len(fs):len(fs)], make([]runtime.Fact, max(0, params-len(fs)))...)
}

// emit turns a kernel at the GPU level into a Binary.
func emit(g *ir.Func, opts Options) (*Binary, error) {
	params, err := Params(g)
	if err != nil {
		return nil, err
	}
	res, err := codegen.Emit(g)
	if err != nil {
		return nil, err
	}
	for i, m := range res.TensorMaps {
		spec := &runtime.MapSpec{Elem: m.Elem.String(), Base: m.Base, Box: m.Box[:], Swizzle: m.Swizzle}
		for _, a := range m.Dims {
			spec.Dims = append(spec.Dims, runtime.MapArg{Param: a.Param, Const: a.Const})
		}
		for _, a := range m.Strides {
			spec.Strides = append(spec.Strides, runtime.MapArg{Param: a.Param, Const: a.Const})
		}
		params = append(params, runtime.Param{Name: fmt.Sprintf("tmap%d", i), Kind: runtime.TensorMap, Map: spec})
	}
	b := &Binary{Kernel: runtime.Kernel{Name: res.Name, Params: params, Threads: res.Threads, SharedBytes: res.SharedBytes,
		Facts: opts.Facts}, Target: opts.Target, Backend: opts.Backend, gpu: g, res: res}
	switch opts.Backend {
	case BackendOwn:
		b.PTX, err = ptx.Compile(res.Module, ptx.Target{SM: string(opts.Target)})
	case BackendLLC:
		b.PTX, err = ptx.LLC(b.LL(), ptx.Target{SM: string(opts.Target)})
	default:
		return nil, fmt.Errorf("unknown backend %q (own, llc)", opts.Backend)
	}
	if err != nil {
		return nil, fmt.Errorf("kernel %s: %w", g.Name, err)
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
