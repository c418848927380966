package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/ir/interp"
)

// Device runs specialized kernels on some memory: the tile interpreter
// here, the PTX emulator and the GPU in later stages.
type Device interface {
	Name() string
	// Alloc reserves bytes and returns their device address.
	Alloc(name string, bytes int) (uint64, error)
	Write(addr uint64, data []byte) error
	Read(addr uint64, data []byte) error
	// Launch runs a specialized kernel over grid; args are uint64 addresses
	// for pointers and int64 or float64 for scalars.
	Launch(f *ir.Func, grid [3]int, args []any) error
}

// Interp is the tile interpreter as a Device.
type Interp struct {
	Mem  *interp.Memory
	Opts interp.Options
}

// NewInterp returns an interpreter device with fresh memory.
func NewInterp() *Interp { return &Interp{Mem: interp.NewMemory()} }

// Name implements Device.
func (d *Interp) Name() string { return "interp" }

// Alloc implements Device.
func (d *Interp) Alloc(name string, bytes int) (uint64, error) { return d.Mem.Alloc(name, bytes), nil }

// Write implements Device.
func (d *Interp) Write(addr uint64, data []byte) error {
	b := d.Mem.Bytes(addr)
	if len(b) < len(data) {
		return fmt.Errorf("interp: write of %d bytes to %#x, an allocation of %d", len(data), addr, len(b))
	}
	copy(b, data)
	return nil
}

// Read implements Device.
func (d *Interp) Read(addr uint64, data []byte) error {
	b := d.Mem.Bytes(addr)
	if len(b) < len(data) {
		return fmt.Errorf("interp: read of %d bytes from %#x, an allocation of %d", len(data), addr, len(b))
	}
	copy(data, b)
	return nil
}

// Launch implements Device.
func (d *Interp) Launch(f *ir.Func, grid [3]int, args []any) error {
	return interp.Run(f, grid, args, d.Mem, d.Opts)
}

// Poison is what unwritten integer outputs hold: a value no shipped kernel
// writes, as NaN is for floats.
const Poison = -0x5A5A5A5B

// OutputReport is the comparison of one output with the reference.
type OutputReport struct {
	Name string
	Tol  Tol
	// MaxAbs is the largest |got - want|; RelL2 is ||got - want|| / ||want||.
	MaxAbs, RelL2 float64
	// Bad counts elements outside the tolerance, Unwritten those still
	// holding the poison, Stray the elements outside the view that changed.
	Bad, Unwritten, Stray int
	// First describes the first bad element.
	First string
}

// Pass reports whether the output is within tolerance and fully written.
func (r *OutputReport) Pass() bool {
	return r.Bad == 0 && r.Unwritten == 0 && r.Stray == 0 && (r.Tol.Exact || r.RelL2 <= r.Tol.L2)
}

// Report is the result of Check.
type Report struct {
	Device  string
	Outputs []*OutputReport
}

// Pass reports whether every output passed.
func (r *Report) Pass() bool {
	for _, o := range r.Outputs {
		if !o.Pass() {
			return false
		}
	}
	return true
}

// Specialize binds every launch's config, once per distinct kernel and
// config.
func (p *Plan) Specialize() ([]*ir.Func, error) {
	out := make([]*ir.Func, len(p.Launches))
	type key struct {
		f   *ir.Func
		cfg string
	}
	done := map[key]*ir.Func{}
	for i, l := range p.Launches {
		k := key{l.Kernel, l.Config.String()}
		if f, ok := done[k]; ok {
			out[i] = f
			continue
		}
		f, err := ir.Specialize(l.Kernel, l.Config)
		if err != nil {
			return nil, err
		}
		done[k], out[i] = f, f
	}
	return out, nil
}

// Args are launch i's arguments with buffer name at address addr(name):
// uint64 addresses for pointers, int64 and float64 for scalars.
func (p *Plan) Args(i int, addr func(name string) uint64) []any {
	l := p.Launches[i]
	args := make([]any, len(l.Args))
	for j, a := range l.Args {
		switch a.kind {
		case argBuf:
			args[j] = addr(a.Buf) + uint64(a.Offset*p.Buffer(a.Buf).DType.Size())
		case argInt:
			args[j] = a.Int
		case argFloat:
			args[j] = a.Float
		}
	}
	return args
}

// NominalArgs are launch i's arguments with every buffer at a 256-byte
// aligned address (what every device's allocator gives): what a compiler
// may assume about them before the buffers exist.
func (p *Plan) NominalArgs(i int) []any {
	return p.Args(i, func(string) uint64 { return 1 << 32 })
}

// Run launches plan on dev with its buffers at addrs (by name): memory the
// caller owns, such as tensors of a Go program. Scratch buffers missing
// from addrs are allocated on dev (zeroed where the plan asks).
func Run(dev Device, plan *Plan, addrs map[string]uint64) error {
	if err := plan.Validate(); err != nil {
		return err
	}
	funcs, err := plan.Specialize()
	if err != nil {
		return err
	}
	bound := map[string]uint64{}
	for _, b := range plan.Buffers {
		if a, ok := addrs[b.Name]; ok {
			bound[b.Name] = a
			continue
		}
		if b.Role != Scratch {
			return fmt.Errorf("no address for %s buffer %s", b.Role, b.Name)
		}
		a, err := dev.Alloc(b.Name, b.Len*b.DType.Size())
		if err != nil {
			return fmt.Errorf("alloc %s: %w", b.Name, err)
		}
		if b.Zero {
			if err := dev.Write(a, make([]byte, b.Len*b.DType.Size())); err != nil {
				return fmt.Errorf("zero %s: %w", b.Name, err)
			}
		}
		bound[b.Name] = a
	}
	for name := range addrs {
		if plan.Buffer(name) == nil {
			return fmt.Errorf("the plan has no buffer %s", name)
		}
	}
	for i, l := range plan.Launches {
		if err := dev.Launch(funcs[i], l.Grid, plan.Args(i, func(n string) uint64 { return bound[n] })); err != nil {
			return fmt.Errorf("launch %d (%s): %w", i, l.Kernel.Name, err)
		}
	}
	return nil
}

// Check runs plan on dev with inputs drawn from seed and outputs poisoned,
// then compares every checked buffer with the float64 reference.
func Check(dev Device, plan *Plan, seed uint64) (*Report, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	funcs, err := plan.Specialize()
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	host := map[string][]float64{} // the values each buffer starts with
	addrs := map[string]uint64{}
	for _, b := range plan.Buffers {
		vals := make([]float64, b.Len)
		switch {
		case b.Role == Input || b.Role == InOut:
			init := b.Init
			if init == nil {
				init = func(r *rand.Rand, _ int) float64 { return 2*r.Float64() - 1 }
			}
			for i := range vals {
				vals[i] = b.DType.Round(init(rng, i))
			}
		case b.Zero:
		default:
			for i := range vals {
				vals[i] = poisonOf(b.DType)
			}
		}
		host[b.Name] = vals
		addr, err := dev.Alloc(b.Name, b.Len*b.DType.Size())
		if err != nil {
			return nil, fmt.Errorf("alloc %s: %w", b.Name, err)
		}
		addrs[b.Name] = addr
		if err := dev.Write(addr, Encode(b.DType, vals)); err != nil {
			return nil, fmt.Errorf("write %s: %w", b.Name, err)
		}
	}
	for i, l := range plan.Launches {
		if err := dev.Launch(funcs[i], l.Grid, plan.Args(i, func(n string) uint64 { return addrs[n] })); err != nil {
			return nil, fmt.Errorf("launch %d (%s): %w", i, l.Kernel.Name, err)
		}
	}
	want, err := reference(plan, host)
	if err != nil {
		return nil, err
	}
	rep := &Report{Device: dev.Name()}
	for _, b := range plan.Buffers {
		if b.Role != Output && b.Role != InOut {
			continue
		}
		exp, ok := want[b.Name]
		if !ok {
			return nil, fmt.Errorf("the reference gives no values for output %s", b.Name)
		}
		raw := make([]byte, b.Len*b.DType.Size())
		if err := dev.Read(addrs[b.Name], raw); err != nil {
			return nil, fmt.Errorf("read %s: %w", b.Name, err)
		}
		got := Decode(b.DType, raw)
		r, err := compare(b, host[b.Name], got, exp)
		if err != nil {
			return nil, err
		}
		rep.Outputs = append(rep.Outputs, r)
	}
	return rep, nil
}

func poisonOf(d ir.DType) float64 {
	if d.IsFloat() {
		return math.NaN()
	}
	return float64(d.Wrap(Poison))
}

func isPoison(d ir.DType, v float64) bool {
	if d.IsFloat() {
		return math.IsNaN(v)
	}
	return v == float64(d.Wrap(Poison)) && d.Bits() >= 16
}

// Encode stores vals as elements of type d (rounding to it).
func Encode(d ir.DType, vals []float64) []byte {
	b := make([]byte, len(vals)*d.Size())
	for i, v := range vals {
		d.Encode(b[i*d.Size():], v)
	}
	return b
}

// Decode reads elements of type d.
func Decode(d ir.DType, b []byte) []float64 {
	vals := make([]float64, len(b)/d.Size())
	for i := range vals {
		vals[i] = d.Decode(b[i*d.Size():])
	}
	return vals
}

// compare checks one output: the view against the reference, and the rest
// of the buffer against what it held before the launch.
func compare(b *Buffer, before, got, want []float64) (*OutputReport, error) {
	idx := ViewIndex(b.View, b.Len)
	if len(want) != len(idx) {
		return nil, fmt.Errorf("the reference gives %d values for %s, whose view has %d", len(want), b.Name, len(idx))
	}
	r := &OutputReport{Name: b.Name, Tol: b.Tol}
	inView := make([]bool, b.Len)
	var num, den float64
	for k, i := range idx {
		inView[i] = true
		g, w := got[i], want[k]
		if b.Role == Output && !b.Zero && isPoison(b.DType, g) && !isPoison(b.DType, w) {
			r.Unwritten++
			if r.First == "" {
				r.First = fmt.Sprintf("element %d (offset %d) was never written", k, i)
			}
			continue
		}
		diff := math.Abs(g - w)
		if math.IsNaN(g) != math.IsNaN(w) {
			diff = math.Inf(1)
		} else if math.IsNaN(w) || g == w {
			diff = 0
		}
		if diff > r.MaxAbs {
			r.MaxAbs = diff
		}
		num += diff * diff
		if !math.IsNaN(w) && !math.IsInf(w, 0) {
			den += w * w
		}
		ok := diff == 0 || (!b.Tol.Exact && diff <= b.Tol.Abs+b.Tol.Rel*math.Abs(w))
		if !ok {
			r.Bad++
			if r.First == "" {
				r.First = fmt.Sprintf("element %d (offset %d): got %v, want %v", k, i, g, w)
			}
		}
	}
	switch {
	case den > 0:
		r.RelL2 = math.Sqrt(num / den)
	case num > 0:
		r.RelL2 = math.Inf(1)
	}
	for i := range got {
		if !inView[i] && !sameBits(got[i], before[i]) {
			r.Stray++
			if r.First == "" {
				r.First = fmt.Sprintf("offset %d is outside the output's view but was written (%v)", i, got[i])
			}
		}
	}
	return r, nil
}

func sameBits(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// Tolerances by output dtype, for f16/bf16 inputs accumulated in f32 and
// for f32 paths (DESIGN.md: ~1e-2 worst case, 2e-3 relative L2 for half
// inputs; ~1e-5 relative for f32).
func TolFor(d ir.DType) Tol {
	switch d {
	case ir.F16:
		return Tol{Abs: 1e-2, Rel: 1e-2, L2: 2e-3}
	case ir.BF16:
		return Tol{Abs: 2e-2, Rel: 2e-2, L2: 5e-3}
	case ir.F32:
		return Tol{Abs: 1e-5, Rel: 1e-5, L2: 1e-5}
	case ir.F64:
		return Tol{Abs: 1e-12, Rel: 1e-12, L2: 1e-12}
	}
	return Tol{Exact: true}
}

// reference runs the plan's reference, turning a panic into an error (a
// reference computed by the interpreter can fail).
func reference(plan *Plan, host map[string][]float64) (out map[string][]float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reference: %v", r)
		}
	}()
	return plan.Reference(host), nil
}

// InterpReference is a Reference that runs the plan's own launches on the
// tile interpreter: the interpreter defines what a DSL program means, so
// codegen, the emulator and the GPU are checked against it directly.
func InterpReference(plan *Plan) func(in map[string][]float64) map[string][]float64 {
	return DeviceReference(plan, NewInterp())
}

// DeviceReference is a Reference that runs the plan's launches on dev (a
// second device to compare with: the emulator for the GPU).
func DeviceReference(plan *Plan, dev Device) func(in map[string][]float64) map[string][]float64 {
	return func(in map[string][]float64) map[string][]float64 {
		funcs, err := plan.Specialize()
		if err != nil {
			panic(err)
		}
		addrs := map[string]uint64{}
		for _, b := range plan.Buffers {
			addrs[b.Name], _ = dev.Alloc(b.Name, b.Len*b.DType.Size())
			if err := dev.Write(addrs[b.Name], Encode(b.DType, in[b.Name])); err != nil {
				panic(err)
			}
		}
		for i, l := range plan.Launches {
			args := make([]any, len(l.Args))
			for j, a := range l.Args {
				switch a.kind {
				case argBuf:
					args[j] = addrs[a.Buf] + uint64(a.Offset*plan.Buffer(a.Buf).DType.Size())
				case argInt:
					args[j] = a.Int
				case argFloat:
					args[j] = a.Float
				}
			}
			if err := dev.Launch(funcs[i], l.Grid, args); err != nil {
				panic(err)
			}
		}
		out := map[string][]float64{}
		for _, b := range plan.Buffers {
			if b.Role != Output && b.Role != InOut {
				continue
			}
			raw := make([]byte, b.Len*b.DType.Size())
			if err := dev.Read(addrs[b.Name], raw); err != nil {
				panic(err)
			}
			all := Decode(b.DType, raw)
			idx := ViewIndex(b.View, b.Len)
			vals := make([]float64, len(idx))
			for k, i := range idx {
				vals[k] = all[i]
			}
			out[b.Name] = vals
		}
		return out
	}
}
