// Package kernels holds what every shipped kernel shares: the host-side
// description of a kernel (its problem parameters, dtypes and tuning space),
// the Plan of one problem instance (buffers, launches, FLOP and byte counts,
// the float64 reference), and Check, which runs a plan on a device and
// compares every output with the reference.
//
// The kernels themselves live in the sub-packages flash, rope, moe and
// examples, each registering its own (Register); importing package all
// registers them all. The package sits below the compiler, the tuner and
// the session: Check runs a plan on any runtime.Device that runs tile IR
// (FuncLauncher), and kernels/all's tests check that no kernel package
// imports what sits above.
package kernels

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/tilec/tilec/ir"
)

// Param is a named integer parameter of a problem: a size (N, D) or a
// switch (causal=1).
type Param struct {
	Name    string
	Default int
	Doc     string
}

// Problem is one instance of a kernel's problem: its parameters and dtype.
type Problem struct {
	Sizes map[string]int
	DType ir.DType
	// Target is the architecture the problem is compiled for (sm_90a; ""
	// for the default): a tuning space may hold configs that only suit
	// some targets (Hopper's wgmma tiles need fewer registers).
	Target string
}

// Get returns parameter name.
func (p Problem) Get(name string) int { return p.Sizes[name] }

// String formats the problem as K=V,... dtype.
func (p Problem) String() string {
	keys := make([]string, 0, len(p.Sizes))
	for k := range p.Sizes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, p.Sizes[k])
	}
	return strings.Join(parts, ",") + " " + p.DType.String()
}

// Kernel is a shipped kernel's host-side description.
type Kernel struct {
	Name    string
	Summary string
	Params  []Param
	// DTypes are the supported element types; the first is the default.
	DTypes []ir.DType
	// Tuned names the meta-parameters a config chooses (besides num_warps
	// and num_stages); the rest are derived from the problem.
	Tuned []string
	// Space returns the tuning space for a problem: the configs worth
	// trying, already pruned of those that cannot run it.
	Space func(p Problem) []ir.Config
	// Plan builds a problem instance for one config. Its errors are the
	// user's (a size out of range, a config that does not divide).
	Plan func(p Problem, cfg ir.Config) (*Plan, error)
	// Bench lists the benchmark problems (ANCHORS.md's shapes): what
	// tilec bench measures and tilec tune tunes on a GPU by default.
	Bench []BenchShape
}

// BenchShape is one benchmark problem.
type BenchShape struct {
	Sizes map[string]int
	DType ir.DType
}

// Problem completes sizes with defaults and checks names and the dtype.
func (k *Kernel) Problem(sizes map[string]int, dtype ir.DType) (Problem, error) {
	p := Problem{Sizes: map[string]int{}, DType: dtype}
	for _, prm := range k.Params {
		p.Sizes[prm.Name] = prm.Default
	}
	for name, v := range sizes {
		if _, ok := p.Sizes[name]; !ok {
			return Problem{}, fmt.Errorf("%s has no parameter %s (it has %s)", k.Name, name, k.paramNames())
		}
		p.Sizes[name] = v
	}
	if dtype == ir.Invalid {
		p.DType = k.DTypes[0]
	}
	ok := false
	for _, d := range k.DTypes {
		ok = ok || d == p.DType
	}
	if !ok {
		return Problem{}, fmt.Errorf("%s does not support dtype %s (it supports %s)", k.Name, p.DType, dtypeList(k.DTypes))
	}
	return p, nil
}

func (k *Kernel) paramNames() string {
	names := make([]string, len(k.Params))
	for i, p := range k.Params {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

func dtypeList(ds []ir.DType) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ", ")
}

// DefaultConfig returns the first config of the problem's space.
func (k *Kernel) DefaultConfig(p Problem) (ir.Config, error) {
	space := k.Space(p)
	if len(space) == 0 {
		return nil, fmt.Errorf("%s: no config in the tuning space fits %s", k.Name, p)
	}
	return space[0], nil
}

// Role says how a plan uses a buffer.
type Role uint8

// Buffer roles.
const (
	Input   Role = iota // read by the kernels; random on entry
	Output              // written by the kernels; poisoned (NaN) on entry and checked
	InOut               // random on entry, updated in place, checked
	Scratch             // kernel-private; not checked
)

func (r Role) String() string { return [...]string{"input", "output", "inout", "scratch"}[r] }

// View is the logical tensor inside a buffer: element (i0, i1, ...) is at
// Offset + sum(ik * Strides[k]). Outputs are checked over the view; the rest
// of the buffer must stay untouched.
type View struct {
	Shape, Strides []int
	Offset         int
}

// Tol is an output's tolerance: each element must satisfy
// |got - want| <= Abs·M + Rel·|want| (Bound), where M is the output's
// magnitude (Magnitude: the root mean square of the reference), so the
// absolute part never exceeds the values compared; and the relative L2
// error of the whole output must be at most L2. Exact demands equality
// (integer outputs).
type Tol struct {
	Abs, Rel, L2 float64
	Exact        bool
}

// Buffer is one device allocation of a plan.
type Buffer struct {
	Name  string
	DType ir.DType
	Len   int // elements
	Role  Role
	View  *View // nil: the whole buffer, as a vector
	// Init draws input element i; nil means uniform in [-1, 1).
	Init func(r *rand.Rand, i int) float64
	// Zero asks for a zero-filled output or scratch buffer (for kernels that
	// accumulate into it, like a memset before launch). A zeroed output is
	// not checked for unwritten elements.
	Zero bool
	Tol  Tol
}

// Arg is one kernel argument: a buffer's address (plus an element offset)
// or a scalar.
type Arg struct {
	Buf    string
	Offset int
	Int    int64
	Float  float64
	kind   argKind
}

type argKind uint8

const (
	argBuf argKind = iota
	argInt
	argFloat
)

// Buf passes the address of the named buffer.
func Buf(name string) Arg { return Arg{Buf: name, kind: argBuf} }

// BufAt passes the address of element off of the named buffer.
func BufAt(name string, off int) Arg { return Arg{Buf: name, Offset: off, kind: argBuf} }

// Int passes an integer scalar.
func Int(v int) Arg { return Arg{Int: int64(v), kind: argInt} }

// Float passes a float scalar.
func Float(v float64) Arg { return Arg{Float: v, kind: argFloat} }

func (a Arg) String() string {
	switch a.kind {
	case argBuf:
		if a.Offset != 0 {
			return a.Buf + "+" + strconv.Itoa(a.Offset)
		}
		return a.Buf
	case argInt:
		return strconv.FormatInt(a.Int, 10)
	}
	return strconv.FormatFloat(a.Float, 'g', -1, 64)
}

// Launch is one kernel launch of a plan.
type Launch struct {
	Kernel *ir.Func  // the generic kernel
	Config ir.Config // binds every meta-parameter of Kernel (and launch options)
	Grid   [3]int
	Args   []Arg
	// GridExpr gives Grid as expressions over the kernel's scalar
	// parameters and meta-parameters (for generated launchers).
	GridExpr [3]GridExpr
	// Keys are the integer parameters whose next power of two the
	// problem-derived meta-parameters come from (HEAD_DIM from head_dim):
	// a binary serves arguments whose keys round up alike.
	Keys []string
}

// Plan is one problem instance, ready to run: allocations, the launches in
// order, the work it does, and the float64 reference.
type Plan struct {
	Buffers  []*Buffer
	Launches []Launch
	// FLOPs and Bytes are the useful floating-point operations and the
	// minimum DRAM traffic, for rooflines.
	FLOPs, Bytes float64
	// Reference computes the expected outputs from the inputs. in maps each
	// input and in-out buffer's name to its elements (whole allocations, as
	// drawn, rounded to the dtype); the result maps each checked buffer to
	// its expected elements in view order (kernels.NotComputed where it
	// samples). It must not depend on the config: a Trial computes it once
	// for all the configs of a problem.
	Reference func(in map[string][]float64) map[string][]float64
}

// Buffer returns the named buffer, or nil.
func (p *Plan) Buffer(name string) *Buffer {
	for _, b := range p.Buffers {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// Validate checks the plan's internal consistency (a bug in a kernel
// package otherwise): arguments match parameters, buffers exist, views fit.
func (p *Plan) Validate() error {
	for _, b := range p.Buffers {
		if b.View != nil {
			last := b.View.Offset
			for i, n := range b.View.Shape {
				last += (n - 1) * b.View.Strides[i]
			}
			if b.View.Offset < 0 || last >= b.Len {
				return fmt.Errorf("buffer %s: view reaches element %d of %d", b.Name, last, b.Len)
			}
		}
	}
	for i, l := range p.Launches {
		if len(l.Args) != len(l.Kernel.Params) {
			return fmt.Errorf("launch %d (%s): %d args for %d parameters", i, l.Kernel.Name, len(l.Args), len(l.Kernel.Params))
		}
		for j, a := range l.Args {
			prm := l.Kernel.Params[j]
			switch a.kind {
			case argBuf:
				b := p.Buffer(a.Buf)
				if b == nil {
					return fmt.Errorf("launch %d (%s): no buffer %s", i, l.Kernel.Name, a.Buf)
				}
				if prm.Type.Kind != ir.KindPtr || prm.Type.Elem != b.DType {
					return fmt.Errorf("launch %d (%s): buffer %s (%s) passed as %s %s", i, l.Kernel.Name, a.Buf, b.DType, prm.Name, prm.Type)
				}
			default:
				if prm.Type.Kind != ir.KindScalar {
					return fmt.Errorf("launch %d (%s): scalar passed as %s %s", i, l.Kernel.Name, prm.Name, prm.Type)
				}
			}
		}
	}
	return nil
}

// ViewIndex returns the flat buffer index of each view element in row-major
// view order (all elements when v is nil).
func ViewIndex(v *View, n int) []int {
	if v == nil {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	total := 1
	for _, d := range v.Shape {
		total *= d
	}
	idx := make([]int, 0, total)
	if total == 0 {
		return idx
	}
	// An odometer over the outer dimensions; the innermost runs in a loop.
	last := len(v.Shape) - 1
	inner, step := v.Shape[last], v.Strides[last]
	cur := make([]int, last)
	for len(idx) < total {
		off := v.Offset
		for k, c := range cur {
			off += c * v.Strides[k]
		}
		for j := 0; j < inner; j++ {
			idx = append(idx, off+j*step)
		}
		for k := last - 1; k >= 0; k-- {
			cur[k]++
			if cur[k] < v.Shape[k] {
				break
			}
			cur[k] = 0
		}
	}
	return idx
}

// Contiguous returns the row-major view of shape.
func Contiguous(shape ...int) *View {
	st := make([]int, len(shape))
	acc := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = acc
		acc *= shape[i]
	}
	return &View{Shape: shape, Strides: st}
}

// FormatSizes writes sizes as k=v,... in key order (ParseAssignments
// reads it back).
func FormatSizes(sizes map[string]int) string {
	keys := make([]string, 0, len(sizes))
	for k := range sizes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, sizes[k])
	}
	return strings.Join(parts, ",")
}

// ParseAssignments parses "k=v,k=v" (the CLI's --shape and --config).
func ParseAssignments(s string) (map[string]int, error) {
	out := map[string]int{}
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not name=value", part)
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %q is not an integer", k, v, v)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("%s is given twice", k)
		}
		out[strings.TrimSpace(k)] = n
	}
	return out, nil
}
