// Package interp runs specialized tile-IR kernels on the CPU. It is the
// reference semantics of the DSL, as Triton's interpreter mode is for
// Triton: codegen, the PTX emulator and the GPU are all held to what it
// computes.
//
// Semantics it fixes:
//   - Every float result is rounded to its dtype (f16 and bf16 round to
//     nearest even); integers wrap to their width. The scalar semantics of
//     elementwise ops come from the op table in package ir.
//   - dot: products of f16/bf16 (or f32) inputs are exact, summed in float64
//     along K, then added to the f32 accumulator and rounded to f32 once.
//     Hardware sums in f32 in an unspecified order; the difference is within
//     the tolerances the kernels state.
//   - reduce and scan combine elements in index order (reverse scans from the
//     end): acc = combine(acc, x[k]) for k = 1, 2, ...
//   - A load lane whose mask is false touches no memory and yields other
//     (zero without it). Accesses outside every allocation are errors naming
//     the op, its position and the program id.
//   - Programs run one at a time in order of their linear id (x fastest, then
//     y, then z), ops in program order, tile lanes in row-major order. That
//     is the order in which atomics apply; a kernel whose results depend on
//     it is nondeterministic on a GPU.
package interp

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/tilec/tilec/ir"
)

// Options tune a run.
type Options struct {
	// Stdout receives print output (os.Stdout when nil).
	Stdout io.Writer
	// MaxWhileIterations bounds each while loop (default 1<<24), so a kernel
	// that never ends is an error instead of a hang.
	MaxWhileIterations int
}

// Fault is an error inside a running kernel.
type Fault struct {
	Program [3]int
	Op      string
	Pos     ir.Pos
	Msg     string
}

func (e *Fault) Error() string {
	return fmt.Sprintf("%s: %s: program (%d, %d, %d): %s", e.Pos, e.Op, e.Program[0], e.Program[1], e.Program[2], e.Msg)
}

// value is a tile (or scalar, one element) or a block pointer.
type value struct {
	d  []ir.Num
	bp *blockPtr
}

type blockPtr struct {
	base                    uint64
	elem                    ir.DType
	shape, strides, offsets []int64
	block                   []int
}

// Run executes the specialized kernel f over grid with args (one per
// parameter: uint64 addresses for pointers, Go integers or floats for
// scalars) on mem.
func Run(f *ir.Func, grid [3]int, args []any, mem *Memory, opts Options) error {
	if !f.Specialized() {
		return fmt.Errorf("interp: kernel %s has unbound constexprs %s: specialize it first", f.Name, strings.Join(f.Metas, ", "))
	}
	if len(args) != len(f.Params) {
		return fmt.Errorf("interp: kernel %s takes %d arguments, got %d", f.Name, len(f.Params), len(args))
	}
	for i, g := range grid {
		if g < 1 {
			return fmt.Errorf("interp: grid %v: axis %d is not positive", grid, i)
		}
	}
	m := &machine{f: f, mem: mem, grid: grid, opts: opts, lanes: map[*ir.Op]ir.LaneFunc{}}
	if m.opts.Stdout == nil {
		m.opts.Stdout = os.Stdout
	}
	if m.opts.MaxWhileIterations == 0 {
		m.opts.MaxWhileIterations = 1 << 24
	}
	m.env = make([]*value, f.NumValues())
	params := make([]*value, len(args))
	for i, a := range args {
		v, err := argValue(f.Params[i], a)
		if err != nil {
			return fmt.Errorf("interp: kernel %s: %w", f.Name, err)
		}
		params[i] = v
	}
	for z := 0; z < grid[2]; z++ {
		for y := 0; y < grid[1]; y++ {
			for x := 0; x < grid[0]; x++ {
				m.pid = [3]int{x, y, z}
				for i, p := range f.Params {
					m.env[p.ID] = params[i]
				}
				if _, err := m.block(f.Body); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func argValue(p *ir.Value, a any) (*value, error) {
	t := p.Type
	var n ir.Num
	switch t.Kind {
	case ir.KindPtr:
		addr, ok := a.(uint64)
		if !ok {
			return nil, fmt.Errorf("parameter %s is %s: pass a uint64 address, not %T", p.Name, t, a)
		}
		n.I = int64(addr)
	case ir.KindScalar:
		switch a := a.(type) {
		case int:
			n = ir.Num{I: int64(a), F: float64(a)}
		case int32:
			n = ir.Num{I: int64(a), F: float64(a)}
		case int64:
			n = ir.Num{I: a, F: float64(a)}
		case uint64:
			n = ir.Num{I: int64(a), F: float64(a)}
		case float32:
			n = ir.Num{F: float64(a)}
		case float64:
			n = ir.Num{F: a}
		default:
			return nil, fmt.Errorf("parameter %s is %s: cannot pass %T", p.Name, t, a)
		}
		switch a.(type) {
		case float32, float64:
			if t.Elem.IsInt() {
				if n.F != math.Trunc(n.F) || math.IsInf(n.F, 0) {
					return nil, fmt.Errorf("parameter %s is %s: %v is not an integer", p.Name, t, a)
				}
				n.I = int64(n.F)
			}
		}
		if t.Elem.IsFloat() {
			n = ir.Num{F: t.Elem.Round(n.F)}
		} else {
			n = ir.Num{I: t.Elem.Wrap(n.I)}
		}
	default:
		return nil, fmt.Errorf("parameter %s has type %s", p.Name, t)
	}
	return &value{d: []ir.Num{n}}, nil
}

// machine holds the state of one run.
type machine struct {
	f     *ir.Func
	mem   *Memory
	grid  [3]int
	pid   [3]int
	opts  Options
	env   []*value
	lanes map[*ir.Op]ir.LaneFunc
}

func (m *machine) fault(op *ir.Op, format string, args ...any) error {
	return &Fault{Program: m.pid, Op: op.Name(), Pos: op.Pos, Msg: fmt.Sprintf(format, args...)}
}

func (m *machine) get(v *ir.Value) *value { return m.env[v.ID] }

func (m *machine) set(v *ir.Value, x *value) { m.env[v.ID] = x }

// block runs b's ops and returns the operands of its terminator (nil if it
// has none).
func (m *machine) block(b *ir.Block) ([]*value, error) {
	for _, op := range b.Ops {
		if op.Info().Terminator {
			out := make([]*value, len(op.Args))
			for i, a := range op.Args {
				out[i] = m.get(a)
			}
			return out, nil
		}
		h := handlers[op.Code]
		if h == nil {
			h = elementwise
		}
		if err := h(m, op); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

// region runs r with its arguments bound to args.
func (m *machine) region(r *ir.Block, args []*value) ([]*value, error) {
	for i, a := range r.Args {
		m.set(a, args[i])
	}
	return m.block(r)
}

// handler executes one op.
type handler func(m *machine, op *ir.Op) error

// handlers holds the ops that are not plain elementwise ops (those run
// elementwise) and not terminators (block handles them). A test checks
// every opcode is covered by one of the three.
var handlers [ir.NumOpcodes]handler

// elementwise applies the op's lane function lane by lane. Operands of one
// element broadcast: inside reduce and scan regions the "scalars" are whole
// slices and constants stay single elements.
func elementwise(m *machine, op *ir.Op) error {
	lane, ok := m.lanes[op]
	if !ok {
		lane = op.Lane()
		if lane == nil {
			return m.fault(op, "the interpreter has no semantics for this op")
		}
		m.lanes[op] = lane
	}
	args := make([]*value, len(op.Args))
	n := 1
	for i, a := range op.Args {
		args[i] = m.get(a)
		n = max(n, len(args[i].d))
	}
	out := make([]ir.Num, n)
	in := make([]ir.Num, len(args))
	for j := range out {
		for i, a := range args {
			if len(a.d) == 1 {
				in[i] = a.d[0]
			} else {
				in[i] = a.d[j]
			}
		}
		out[j] = lane(in)
	}
	m.set(op.Results[0], &value{d: out})
	return nil
}

// numel is the element count of a concrete type (1 for scalars).
func numel(t ir.Type) int {
	if t.Kind == ir.KindBlockPtr {
		return 1
	}
	return t.Shape.Numel()
}

// strides returns row-major strides of a shape.
func strides(dims []int) []int {
	s := make([]int, len(dims))
	acc := 1
	for i := len(dims) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= dims[i]
	}
	return s
}

// unravel turns a flat row-major index into a multi-index.
func unravel(i int, dims []int, idx []int) {
	for d := len(dims) - 1; d >= 0; d-- {
		idx[d] = i % dims[d]
		i /= dims[d]
	}
}
