// Package tilec is the compiler's front door: Compile turns a specialized
// tile-IR kernel into a Binary (PTX plus what a launcher needs), and Emu
// runs Binaries on tilec's PTX emulator behind the same Device interface
// the interpreter and the GPU implement.
package tilec

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tilec/tilec/codegen"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/ptx"
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
	Facts []codegen.Facts
}

// factDiv caps the alignment facts: 16 bytes is the widest access.
const factDiv = 16

// FactsOf derives the facts a launch's arguments guarantee, the way Triton
// specializes on arguments divisible by 16 and equal to 1: pointer
// alignment and integer divisibility (up to 16), and integers equal to 1.
func FactsOf(f *ir.Func, args []any) []codegen.Facts {
	out := make([]codegen.Facts, len(f.Params))
	for i, p := range f.Params {
		if i >= len(args) {
			break
		}
		var v int64
		switch a := args[i].(type) {
		case uint64:
			v = int64(a)
		case int64:
			v = a
		case int:
			v = int64(a)
		case int32:
			v = int64(a)
		default:
			continue
		}
		if p.Type.Kind != ir.KindPtr && !p.Type.IsInt() {
			continue
		}
		d := 1
		for d < factDiv && v%(int64(d)*2) == 0 {
			d *= 2
		}
		out[i] = codegen.Facts{Div: d, One: p.Type.IsInt() && v == 1}
	}
	return out
}

// factsKey names a facts list, for caches.
func factsKey(fs []codegen.Facts) string {
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

// ParamKind is how a kernel parameter is passed.
type ParamKind uint8

// Parameter kinds of the PTX ABI as tilec uses it.
const (
	ParamPtr ParamKind = iota // .u64 global address
	ParamI32
	ParamI64
	ParamF32
	ParamF64
)

// Param is one kernel parameter of a Binary.
type Param struct {
	Name string
	Kind ParamKind
}

// Binary is a compiled kernel: everything needed to load and launch it.
type Binary struct {
	Name        string // the .entry
	PTX         string
	Params      []Param
	Threads     int // per block (x); y and z are 1
	SharedBytes int // dynamic shared memory per block
	Target      Target
	Backend     string
	Facts       []codegen.Facts
	res         *codegen.Result
}

// LL is the LLVM IR the PTX came from (printed on demand: the own backend
// reads the module, not the text).
func (b *Binary) LL() string { return b.res.LL() }

// GPU is the layout-annotated tile IR.
func (b *Binary) GPU() string { return b.res.GPUText() }

// CheckFacts reports whether args keep the facts the binary was compiled
// with.
func (b *Binary) CheckFacts(args []any) error {
	if len(b.Facts) == 0 {
		return nil
	}
	for i, f := range b.Facts {
		if i >= len(args) || f.Div <= 1 && !f.One {
			continue
		}
		var v int64
		switch a := args[i].(type) {
		case uint64:
			v = int64(a)
		case int64:
			v = a
		case int32:
			v = int64(a)
		case int:
			v = int64(a)
		}
		if v%int64(max(f.Div, 1)) != 0 || (f.One && v != 1) {
			return fmt.Errorf("kernel %s: argument %s = %d breaks what the binary was compiled for (divisible by %d, one %v)",
				b.Name, b.Params[i].Name, v, f.Div, f.One)
		}
	}
	return nil
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
	res, err := codegen.Compile(f, codegen.Options{SM: sm, Facts: opts.Facts})
	if err != nil {
		return nil, err
	}
	b := &Binary{Name: res.Name, Threads: res.Threads, SharedBytes: res.SharedBytes,
		Target: opts.Target, Backend: opts.Backend, Facts: opts.Facts, res: res}
	for _, p := range f.Params {
		k, err := paramKind(p.Type)
		if err != nil {
			return nil, fmt.Errorf("kernel %s: parameter %s: %w", f.Name, p.Name, err)
		}
		b.Params = append(b.Params, Param{Name: p.Name, Kind: k})
	}
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

func paramKind(t ir.Type) (ParamKind, error) {
	if t.Kind == ir.KindPtr {
		return ParamPtr, nil
	}
	switch t.Elem {
	case ir.I32:
		return ParamI32, nil
	case ir.I64:
		return ParamI64, nil
	case ir.F32:
		return ParamF32, nil
	case ir.F64:
		return ParamF64, nil
	}
	return 0, fmt.Errorf("type %s cannot be a kernel parameter (pointers, i32, i64, f32, f64)", t)
}
