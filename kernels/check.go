package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/ir/interp"
	"github.com/tilec/tilec/runtime"
)

// FuncLauncher is implemented by devices that run specialized tile IR:
// the interpreter (Interp) directly, the emulator and the GPU by compiling
// it on launch (package device). Check, Trial, Run and DeviceReference
// take any runtime.Device and launch through it.
type FuncLauncher interface {
	// LaunchFunc runs a specialized kernel over grid; args are uint64
	// addresses for pointers and int64 or float64 for scalars.
	LaunchFunc(f *ir.Func, grid [3]int, args []any) error
}

// launcher returns dev's FuncLauncher, or an error saying why there is none.
func launcher(dev runtime.Device) (FuncLauncher, error) {
	if l, ok := dev.(FuncLauncher); ok {
		return l, nil
	}
	return nil, fmt.Errorf("device %s runs compiled kernels only, not tile IR (package device compiles on launch)", dev.Name())
}

// Interp is the tile interpreter as a runtime.Device: it runs tile IR
// (LaunchFunc), not PTX. It lives beside Check because it defines what a
// kernel means (InterpReference).
type Interp struct {
	Mem  *interp.Memory
	Opts interp.Options
}

// NewInterp returns an interpreter device with fresh memory.
func NewInterp() *Interp { return &Interp{Mem: interp.NewMemory()} }

// Name implements runtime.Device.
func (d *Interp) Name() string { return runtime.DeviceInterp }

// Alloc implements runtime.Device.
func (d *Interp) Alloc(name string, bytes int) (uint64, error) { return d.Mem.Alloc(name, bytes), nil }

// Write implements runtime.Device.
func (d *Interp) Write(addr uint64, data []byte) error {
	b := d.Mem.Bytes(addr)
	if len(b) < len(data) {
		return fmt.Errorf("interp: write of %d bytes to %#x, an allocation of %d", len(data), addr, len(b))
	}
	copy(b, data)
	return nil
}

// Read implements runtime.Device.
func (d *Interp) Read(addr uint64, data []byte) error {
	b := d.Mem.Bytes(addr)
	if len(b) < len(data) {
		return fmt.Errorf("interp: read of %d bytes from %#x, an allocation of %d", len(data), addr, len(b))
	}
	copy(data, b)
	return nil
}

// Launch implements runtime.Device: the interpreter has no PTX to run.
func (d *Interp) Launch(k *runtime.Kernel, _ [3]int, _ ...any) error {
	return fmt.Errorf("interp: kernel %s is compiled PTX; the tile interpreter runs tile IR (LaunchFunc)", k.Name)
}

// LaunchFunc implements FuncLauncher.
func (d *Interp) LaunchFunc(f *ir.Func, grid [3]int, args []any) error {
	return interp.Run(f, grid, args, d.Mem, d.Opts)
}

// Free implements runtime.Device: every allocation goes with the memory.
func (d *Interp) Free() error {
	d.Mem = interp.NewMemory()
	return nil
}

// Close implements runtime.Device.
func (d *Interp) Close() error { return d.Free() }

// Poison is what unwritten integer outputs hold: a value no shipped kernel
// writes, as NaN is for floats.
const Poison = -0x5A5A5A5B

// OutputReport is the comparison of one output with the reference.
type OutputReport struct {
	Name string
	Tol  Tol
	// Scale is the reference's magnitude (Magnitude), which Tol.Abs is
	// relative to.
	Scale float64
	// MaxAbs is the largest |got - want|; RelL2 is ||got - want|| / ||want||.
	MaxAbs, RelL2 float64
	// Bad counts elements outside the tolerance, Unwritten those still
	// holding the poison, Stray the elements outside the view that changed.
	Bad, Unwritten, Stray int
	// Sampled counts the elements the reference left NotComputed (a large
	// problem's reference samples rows): they are only checked as written.
	Sampled int
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
func Run(dev runtime.Device, plan *Plan, addrs map[string]uint64) error {
	run, err := launcher(dev)
	if err != nil {
		return err
	}
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
		if err := run.LaunchFunc(funcs[i], l.Grid, plan.Args(i, func(n string) uint64 { return bound[n] })); err != nil {
			return fmt.Errorf("launch %d (%s): %w", i, l.Kernel.Name, err)
		}
	}
	return nil
}

// Check runs plan on dev with inputs drawn from seed and outputs poisoned,
// then compares every checked buffer with the float64 reference.
func Check(dev runtime.Device, plan *Plan, seed uint64) (*Report, error) {
	return NewTrial(seed).Check(dev, plan)
}

// Trial checks several plans of one problem (a tuning space's configs) on
// the same inputs: they are drawn, and the reference computed, once, and
// reused by every plan whose buffers match (buffer initializers and
// references must not depend on the config). At benchmark sizes drawing
// 10^8 inputs and the float64 reference cost seconds each, far more than a
// run.
type Trial struct {
	seed   uint64
	inKey  string               // the input buffers the values were drawn for
	in     map[string][]float64 // inputs (and in-out buffers) as drawn
	outKey string               // the checked buffers the reference was computed for
	want   map[string][]float64
}

// NewTrial returns a Trial whose inputs come from seed.
func NewTrial(seed uint64) *Trial { return &Trial{seed: seed} }

// bufferKey describes the buffers with the given roles: names, dtypes,
// lengths, views and whether they have their own initializer. Plans with
// equal keys draw equal inputs from one seed.
func bufferKey(plan *Plan, roles ...Role) string {
	var sb strings.Builder
	for _, b := range plan.Buffers {
		if !slices.Contains(roles, b.Role) {
			continue
		}
		fmt.Fprintf(&sb, "%s:%s:%d:%v:%v:%t;", b.Name, b.DType, b.Len, b.View, b.Tol, b.Init != nil)
	}
	return sb.String()
}

// inputs draws the plan's input and in-out buffers (rounded to their
// dtypes), or returns the values drawn for an earlier plan with the same
// buffers.
func (t *Trial) inputs(plan *Plan) map[string][]float64 {
	key := bufferKey(plan, Input, InOut)
	if t.in != nil && key == t.inKey {
		return t.in
	}
	rng := rand.New(rand.NewPCG(t.seed, t.seed^0x9E3779B97F4A7C15))
	in := map[string][]float64{}
	for _, b := range plan.Buffers {
		if b.Role != Input && b.Role != InOut {
			continue
		}
		init := b.Init
		if init == nil {
			init = func(r *rand.Rand, _ int) float64 { return 2*r.Float64() - 1 }
		}
		vals := make([]float64, b.Len)
		for i := range vals {
			vals[i] = init(rng, i)
		}
		parallel(len(vals), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				vals[i] = b.DType.Round(vals[i])
			}
		})
		in[b.Name] = vals
	}
	t.inKey, t.in, t.want = key, in, nil
	return in
}

// Check runs plan on dev with the trial's inputs and outputs poisoned,
// then compares every checked buffer with the float64 reference. Outputs
// stay in their encoded bytes (10^8-element outputs as float64 copies
// would need gigabytes each).
func (t *Trial) Check(dev runtime.Device, plan *Plan) (*Report, error) {
	run, err := launcher(dev)
	if err != nil {
		return nil, err
	}
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	funcs, err := plan.Specialize()
	if err != nil {
		return nil, err
	}
	in := t.inputs(plan)
	addrs := map[string]uint64{}
	for _, b := range plan.Buffers {
		var raw []byte
		if vals, drawn := in[b.Name]; drawn {
			raw = Encode(b.DType, vals)
		} else {
			raw = fill(b.DType, startValue(b), b.Len)
		}
		addr, err := dev.Alloc(b.Name, len(raw))
		if err != nil {
			return nil, fmt.Errorf("alloc %s: %w", b.Name, err)
		}
		addrs[b.Name] = addr
		if err := dev.Write(addr, raw); err != nil {
			return nil, fmt.Errorf("write %s: %w", b.Name, err)
		}
	}
	for i, l := range plan.Launches {
		if err := run.LaunchFunc(funcs[i], l.Grid, plan.Args(i, func(n string) uint64 { return addrs[n] })); err != nil {
			return nil, fmt.Errorf("launch %d (%s): %w", i, l.Kernel.Name, err)
		}
	}
	if key := t.inKey + "|" + bufferKey(plan, Output, InOut); t.want == nil || key != t.outKey {
		if t.want, err = reference(plan, in); err != nil {
			return nil, err
		}
		t.outKey = key
	}
	rep := &Report{Device: dev.Name()}
	for _, b := range plan.Buffers {
		if b.Role != Output && b.Role != InOut {
			continue
		}
		exp, ok := t.want[b.Name]
		if !ok {
			return nil, fmt.Errorf("the reference gives no values for output %s", b.Name)
		}
		raw := make([]byte, b.Len*b.DType.Size())
		if err := dev.Read(addrs[b.Name], raw); err != nil {
			return nil, fmt.Errorf("read %s: %w", b.Name, err)
		}
		r, err := compare(b, in[b.Name], raw, exp)
		if err != nil {
			return nil, err
		}
		rep.Outputs = append(rep.Outputs, r)
	}
	return rep, nil
}

// startValue is what every element of a buffer that is not drawn holds
// before the launches: zero where the plan asks, else the poison.
func startValue(b *Buffer) float64 {
	if b.Zero {
		return 0
	}
	return poisonOf(b.DType)
}

// fill encodes n copies of v: each chunk encodes one and doubles it.
func fill(d ir.DType, v float64, n int) []byte {
	size := d.Size()
	b := make([]byte, n*size)
	parallel(n, func(lo, hi int) {
		c := b[lo*size : hi*size]
		if len(c) == 0 {
			return
		}
		d.Encode(c, v)
		for done := size; done < len(c); done *= 2 {
			copy(c[done:], c[:done])
		}
	})
	return b
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
	n := d.Size()
	b := make([]byte, len(vals)*n)
	parallel(len(vals), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			d.Encode(b[i*n:], vals[i])
		}
	})
	return b
}

// Decode reads elements of type d.
func Decode(d ir.DType, b []byte) []float64 {
	n := d.Size()
	vals := make([]float64, len(b)/n)
	parallel(len(vals), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			vals[i] = d.Decode(b[i*n:])
		}
	})
	return vals
}

// compare checks one output (raw, as the device left it): the view against
// the reference, and the rest of the buffer against what it held before
// the launch (before, or startValue where nothing was drawn). Chunks of the
// view are compared in parallel; the first bad element reported is the
// first in view order.
func compare(b *Buffer, before []float64, raw []byte, want []float64) (*OutputReport, error) {
	size := b.DType.Size()
	got := func(i int) float64 { return b.DType.Decode(raw[i*size:]) }
	view := b.View
	if view == nil {
		view = &View{Shape: []int{b.Len}, Strides: []int{1}}
	}
	total := 1
	for _, d := range view.Shape {
		total *= d
	}
	if len(want) != total {
		return nil, fmt.Errorf("the reference gives %d values for %s, whose view has %d", len(want), b.Name, total)
	}
	type part struct {
		maxAbs, num, den        float64
		bad, unwritten, sampled int
		stray                   int
		firstK                  int
		first                   string
	}
	inView := make([]bool, b.Len)
	var mu sync.Mutex
	r := &OutputReport{Name: b.Name, Tol: b.Tol, Scale: Magnitude(want)}
	var num, den float64
	firstK := -1
	merge := func(p *part) {
		mu.Lock()
		defer mu.Unlock()
		r.MaxAbs = max(r.MaxAbs, p.maxAbs)
		num, den = num+p.num, den+p.den
		r.Bad, r.Unwritten, r.Sampled, r.Stray = r.Bad+p.bad, r.Unwritten+p.unwritten, r.Sampled+p.sampled, r.Stray+p.stray
		if p.first != "" && (firstK < 0 || p.firstK < firstK) {
			firstK, r.First = p.firstK, p.first
		}
	}
	parallel(total, func(lo, hi int) {
		p := &part{}
		note := func(k int, msg string, args ...any) { // callers test p.first first: no boxing per element
			p.firstK, p.first = k, fmt.Sprintf(msg, args...)
		}
		viewOffsets(view, lo, hi, func(k, i int) {
			inView[i] = true
			g, w := got(i), want[k]
			if IsNotComputed(w) {
				p.sampled++
				if isPoison(b.DType, g) || math.IsNaN(g) {
					p.unwritten++
					if p.first == "" {
						note(k, "element %d (offset %d) was never written (or is NaN)", k, i)
					}
				}
				return
			}
			if b.Role == Output && !b.Zero && isPoison(b.DType, g) && !isPoison(b.DType, w) {
				p.unwritten++
				if p.first == "" {
					note(k, "element %d (offset %d) was never written", k, i)
				}
				return
			}
			diff := math.Abs(g - w)
			if math.IsNaN(g) != math.IsNaN(w) {
				diff = math.Inf(1)
			} else if math.IsNaN(w) || g == w {
				diff = 0
			}
			p.maxAbs = max(p.maxAbs, diff)
			p.num += diff * diff
			if !math.IsNaN(w) && !math.IsInf(w, 0) {
				p.den += w * w
			}
			if ok := diff == 0 || (!b.Tol.Exact && diff <= b.Tol.Bound(w, r.Scale)); !ok {
				p.bad++
				if p.first == "" {
					note(k, "element %d (offset %d): got %v, want %v", k, i, g, w)
				}
			}
		})
		merge(p)
	})
	switch {
	case den > 0:
		r.RelL2 = math.Sqrt(num / den)
	case num > 0:
		r.RelL2 = math.Inf(1)
	}
	// Stray writes are reported after the view's failures (firstK past
	// every view element).
	start := startValue(b)
	parallel(b.Len, func(lo, hi int) {
		p := &part{}
		for i := lo; i < hi; i++ {
			if inView[i] {
				continue
			}
			was := start
			if before != nil {
				was = before[i]
			}
			if g := got(i); !sameBits(g, was) {
				p.stray++
				if p.first == "" {
					p.firstK, p.first = total+i, fmt.Sprintf("offset %d is outside the output's view but was written (%v)", i, g)
				}
			}
		}
		merge(p)
	})
	return r, nil
}

// viewOffsets calls visit(k, offset) for the view elements k in [lo, hi)
// in row-major order: an odometer over the outer dimensions, started at
// lo, with the innermost dimension in a plain loop.
func viewOffsets(v *View, lo, hi int, visit func(k, i int)) {
	last := len(v.Shape) - 1
	inner, step := v.Shape[last], v.Strides[last]
	if lo >= hi { // also every empty view
		return
	}
	cur := make([]int, last)
	rest := lo / inner
	for d := last - 1; d >= 0; d-- {
		cur[d] = rest % v.Shape[d]
		rest /= v.Shape[d]
	}
	j := lo % inner
	for k := lo; k < hi; {
		off := v.Offset
		for d, c := range cur {
			off += c * v.Strides[d]
		}
		for ; j < inner && k < hi; j, k = j+1, k+1 {
			visit(k, off+j*step)
		}
		j = 0
		for d := last - 1; d >= 0; d-- {
			cur[d]++
			if cur[d] < v.Shape[d] {
				break
			}
			cur[d] = 0
		}
	}
}

// parallel runs body over [0, n) in contiguous chunks, one per core; small
// ranges run inline.
func parallel(n int, body func(lo, hi int)) {
	const grain = 1 << 16
	w := min(goruntime.GOMAXPROCS(0), (n+grain-1)/grain)
	if w <= 1 {
		body(0, n)
		return
	}
	chunk := (n + w - 1) / w
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			body(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	wg.Wait()
}

// notComputedBits is a NaN payload that no arithmetic produces (Go's and
// the hardware's NaNs are quiet, 0x7FF8...), so a reference can mark an
// element it did not compute without a side table.
const notComputedBits = 0x7FF4_7E1C_0000_0001

// NotComputed is what a reference returns for an element it did not
// compute: Check then only requires the element to be written (not the
// poison, not NaN). References of large problems sample rows with it, so
// that tuning at benchmark sizes is not dominated by the CPU.
var NotComputed = math.Float64frombits(notComputedBits)

// IsNotComputed reports whether v is NotComputed (by its bits: NaN
// compares unequal to everything).
func IsNotComputed(v float64) bool { return math.Float64bits(v) == notComputedBits }

func sameBits(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// Tolerances by output dtype, for f16/bf16 inputs accumulated in f32 and
// for f32 paths (DESIGN.md: ~1e-2 worst case, 2e-3 relative L2 for half
// inputs; ~1e-5 relative for f32). The absolute parts are relative to the
// output's magnitude (Tol.Bound), so small outputs (a softmax over 1025
// columns, all below 1e-2) are checked element by element too.
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

// Bound is how far an element may be from want in an output of magnitude
// scale (Magnitude of the reference): Abs·scale + Rel·|want|.
func (t Tol) Bound(want, scale float64) float64 { return t.Abs*scale + t.Rel*math.Abs(want) }

// Magnitude is the root mean square of the finite values the reference
// computed (NotComputed and NaN left out): the scale of an output that
// its tolerance's absolute part is relative to.
func Magnitude(want []float64) float64 {
	var mu sync.Mutex
	var sum float64
	var n int
	parallel(len(want), func(lo, hi int) {
		var s float64
		var k int
		for _, w := range want[lo:hi] {
			if !math.IsNaN(w) && !math.IsInf(w, 0) { // NotComputed is a NaN
				s += w * w
				k++
			}
		}
		mu.Lock()
		sum, n = sum+s, n+k
		mu.Unlock()
	})
	if n == 0 {
		return 0
	}
	return math.Sqrt(sum / float64(n))
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
func DeviceReference(plan *Plan, dev runtime.Device) func(in map[string][]float64) map[string][]float64 {
	return func(in map[string][]float64) map[string][]float64 {
		run, err := launcher(dev)
		if err != nil {
			panic(err)
		}
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
			if err := run.LaunchFunc(funcs[i], l.Grid, plan.Args(i, func(n string) uint64 { return addrs[n] })); err != nil {
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
