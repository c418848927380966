// Package emu is tilec's PTX emulator: it parses the PTX that tilec's
// backend and llc emit, runs kernels on the CPU, checks every memory access
// and synchronization (the sanitizer), and counts what matters for speed.
//
// # Model
//
// A Module is parsed and decoded once (Parse): each instruction becomes an
// inst with its operands resolved to register-file slots and a handler
// chosen for its exact type and modifiers from the instruction table in
// ops.go. A Device owns global memory: allocations at distinct 256-byte
// aligned addresses in a heap far from zero, separated by unmapped gaps, so
// each address belongs to at most one allocation. Launch runs the grid's
// CTAs on runtime.GOMAXPROCS goroutines; one goroutine runs one CTA at a
// time, so shared memory and the sanitizer's shadow state need no locks.
// Global atomics take one of 256 striped locks.
//
// # Warps and divergence
//
// A CTA's threads are grouped into warps of 32 lanes. A warp keeps a pc per
// lane and executes a group: the lanes at one pc, chosen as the lanes whose
// pc comes first in a per-function reverse postorder of the CFG (calls
// compare their call sites first). Lanes that diverge at a branch rejoin
// where the paths meet, as on hardware, and while a warp is converged the
// group simply advances, so the common case costs one handler call per
// warp-instruction; the handler loops over the active lanes. Handlers read
// and write a structure-of-arrays register file, r[slot*32+lane].
//
// Synchronizing instructions stop a group: bar.sync parks the arriving
// lanes until every thread of the CTA (or the barrier's count) has arrived;
// warp collectives (shfl.sync, vote.sync, bar.warp.sync, redux.sync, and
// the .aligned ldmatrix and mma) park their lanes until every lane named by
// the member mask (the whole warp for .aligned) stands at the same
// instruction, and then run once for all of them. wgmma.mma_async is a
// collective of a warpgroup (4 warps from a warp index divisible by 4):
// each warp parks there with all its lanes until the four have arrived.
// A failing mbarrier.try_wait or test_wait does not spin: its lanes yield
// until the barrier's phase completes. When no lane of a CTA can move,
// bulk copies in flight land, then yielding lanes see their wait fail once;
// if nothing changes, the CTA is deadlocked: the sanitizer reports which
// threads wait where (naming the mbarrier), and the CTA ends. It never
// hangs, and spinning never burns the step limit.
//
// # Asynchronous instructions (sm_90a)
//
// mbarrier objects live beside shared memory, keyed by shared offset, with
// the PTX ISA's phase, pending-arrival and tx-count state; completing a
// phase also orders shared accesses like a CTA barrier. Kernel parameters
// have generic addresses (cvta.param) in a read-only window, so a tensor
// map passed by value (.param .align 64 .b8 tmap[128], encoded by
// EncodeTensorMap) can be named by its generic address. A bulk tensor load
// (cp.async.bulk.tensor) reads its box at issue but lands lazily, in issue
// order, when a thread waits on its mbarrier (or the CTA stalls or ends),
// then performs complete_tx on the barrier; until then its destination
// bytes are pending. Bulk tensor stores read their shared source at issue
// and write global memory when cp.async.bulk.wait_group retires their
// group. wgmma.mma_async reads its operands (shared memory through the
// matrix descriptors, in the ISA's canonical K-major and MN-major layouts
// with 32B/64B/128B swizzles on absolute shared addresses) and computes at
// issue, but its accumulator registers are written only when
// wgmma.wait_group retires its commit group; later wgmmas on the same
// registers accumulate onto the pending values.
//
// # Sanitizer
//
// Always on. Global accesses are checked against the live allocations and
// for natural alignment; shared accesses against the CTA's static plus
// dynamic shared size. Shared memory has a shadow per byte: the CTA
// generation that last wrote it (reads of bytes never written are reported,
// since shared memory is not initialized on a GPU) and the last writer and
// two last readers with their barrier epoch, so two threads touching a
// byte in one epoch, at least one writing, are reported as a race. Lanes of
// one warp are ordered by any warp collective between their accesses, and
// lanes executing one instruction together do not race with each other.
// The asynchronous instructions add checks: shared bytes a bulk tensor
// copy has not landed are not to be read or written (the stage read before
// its mbarrier wait), a wgmma accumulator is not to be named by another
// instruction before the wgmma.wait_group that retires it, shared bytes
// read by the async proxy (wgmma operands, bulk store sources) must have
// been landed, written, ordered by a barrier, and, when written by generic
// stores, fenced by fence.proxy.async in the writing thread; mbarriers
// report use before init, arrivals beyond the count and tx-counts that go
// negative; wgmma reports partial warpgroups and warps that disagree on
// the instruction, descriptors or scale-d; bulk copies report tensor maps
// that do not decode, and misaligned or out-of-bounds boxes.
// A bad access is reported and skipped (loads read zero). Findings carry
// the kernel, CTA, thread, PTX line and instruction text; a launch stores
// the first Options.MaxFindings and counts all.
//
// # Counters
//
// Per launch: warp- and thread-level instruction counts by Class; global
// requests (one per warp per executed memory instruction) with the 32-byte
// sectors they touch and the minimum they could touch; shared requests
// with the wavefronts they need under a 32-bank model; mma, barrier and
// atomic counts; wgmma executions and tensor-core multiply-accumulates
// (m*n*k, comparable between mma.sync and wgmma); bulk tensor load and
// store requests and bytes. counters.go defines each one.
//
// # Numerics
//
// Integer and IEEE arithmetic are exact per the PTX ISA, including rounding
// modes (.rn .rz .rm .rp), .ftz, .sat, f16/bf16 round-to-nearest-even with
// subnormals, and NaN canonicalization (0x7fffffff for f32, 0x7fff for
// f16/bf16). The .approx instructions (ex2, lg2, rsqrt, sin, cos, tanh,
// rcp.approx, sqrt.approx, div.approx) are computed in float64 and rounded
// to nearest f32, which is within the ISA's error bounds. mma and wgmma
// accumulate in f32 in k order starting from C (or D; zero when wgmma's
// scale-d is false), each step an fma.rn.f32 (the product exact, the sum
// rounded once).
package emu

import (
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
)

// Module is a parsed and decoded PTX module. It is immutable after Parse
// and may be launched on several devices concurrently.
type Module struct {
	// Name is the name given to Parse, used in error messages.
	Name string
	// Version is the .version directive, e.g. "7.5".
	Version string
	// Target lists the .target entries, e.g. ["sm_80"].
	Target []string

	funcs        map[string]*function
	prog         []inst
	rank         []int32
	nslots       int
	fills        []slotFill
	specials     []specialFill
	globals      []*globalVar
	sharedVars   []*symbol // .shared variables, to name shared offsets in reports
	sharedStatic int
	localSize    int
	scratchSize  int
}

// Parse parses and decodes PTX source. name identifies the module in
// errors. Syntax errors and unsupported instructions are reported as a
// *SyntaxError naming the line.
func Parse(name string, src []byte) (*Module, error) {
	a, err := parse(name, src)
	if err != nil {
		return nil, err
	}
	m, err := decodeModule(name, a)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Kernels returns the names of the module's .entry functions, sorted.
func (m *Module) Kernels() []string {
	var out []string
	for n, f := range m.funcs {
		if f.entry && f.defined {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Param describes one kernel parameter.
type Param struct {
	Name  string
	Type  string // PTX type without the dot: "u64", "f32", "b8", ...
	Size  int    // bytes
	Array bool   // .param .align A .b8 name[N] (a by-value aggregate)
}

// Params returns the parameters of a kernel in order.
func (m *Module) Params(kernel string) ([]Param, error) {
	f, err := m.kernel(kernel)
	if err != nil {
		return nil, err
	}
	out := make([]Param, len(f.params))
	for i, p := range f.params {
		out[i] = Param{Name: p.name, Type: typeInfo[p.typ].name, Size: p.size, Array: p.array}
	}
	return out, nil
}

func (m *Module) kernel(name string) (*function, error) {
	f := m.funcs[name]
	if f == nil || !f.entry || !f.defined {
		return nil, fmt.Errorf("module %s has no kernel %q (kernels: %v)", m.Name, name, m.Kernels())
	}
	return f, nil
}

// Options configure a Device.
type Options struct {
	// Workers is the number of goroutines running CTAs; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// MaxFindings is how many findings a launch stores (all are counted);
	// 0 means 100.
	MaxFindings int
	// MaxSteps bounds the warp-instructions one CTA may execute, so a
	// kernel that never ends becomes a finding; 0 means 1<<28, and values
	// above 1<<30 count as 1<<30.
	MaxSteps uint64
}

// Device is an emulated GPU: global memory plus a launcher.
type Device struct {
	opts    Options
	mem     *memory
	mu      sync.Mutex
	globals map[*Module][]uint64 // device addresses of module variables
}

// NewDevice returns an empty device.
func NewDevice(opts Options) *Device {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.MaxFindings <= 0 {
		opts.MaxFindings = 100
	}
	if opts.MaxSteps == 0 {
		opts.MaxSteps = 1 << 28
	}
	// The sanitizer's 32-bit sequence numbers restart between CTAs; one
	// CTA must not run long enough to wrap them.
	opts.MaxSteps = min(opts.MaxSteps, 1<<30)
	return &Device{opts: opts, mem: newMemory(), globals: map[*Module][]uint64{}}
}

// Alloc allocates size bytes of zeroed global memory and returns its
// device address (256-byte aligned, never 0).
func (d *Device) Alloc(size int) (uint64, error) {
	a, err := d.mem.alloc(size, "", false)
	if err != nil {
		return 0, err
	}
	return a.base, nil
}

// Free releases an allocation returned by Alloc.
func (d *Device) Free(ptr uint64) error { return d.mem.free(ptr) }

// CopyToDevice copies src to device address dst, which must lie inside
// one allocation with its whole length.
func (d *Device) CopyToDevice(dst uint64, src []byte) error {
	d.mem.mu.Lock()
	defer d.mem.mu.Unlock()
	b, err := d.mem.span(dst, len(src))
	if err != nil {
		return fmt.Errorf("copy to device: %w", err)
	}
	copy(b, src)
	return nil
}

// CopyFromDevice copies len(dst) bytes from device address src.
func (d *Device) CopyFromDevice(dst []byte, src uint64) error {
	d.mem.mu.RLock()
	defer d.mem.mu.RUnlock()
	b, err := d.mem.span(src, len(dst))
	if err != nil {
		return fmt.Errorf("copy from device: %w", err)
	}
	copy(dst, b)
	return nil
}

// Memset sets n bytes at device address dst to value.
func (d *Device) Memset(dst uint64, value byte, n int) error {
	d.mem.mu.Lock()
	defer d.mem.mu.Unlock()
	b, err := d.mem.span(dst, n)
	if err != nil {
		return fmt.Errorf("memset: %w", err)
	}
	for i := range b {
		b[i] = value
	}
	return nil
}

// LaunchConfig is a launch's geometry.
type LaunchConfig struct {
	Grid          [3]uint32 // CTAs per dimension; 0 counts as 1
	Block         [3]uint32 // threads per dimension; 0 counts as 1
	DynamicShared uint32    // bytes of dynamic shared memory per CTA
}

// Result is what a launch produced besides memory contents.
type Result struct {
	Kernel   string
	Counters Counters
	// Findings holds the first Options.MaxFindings sanitizer findings, in
	// the order CTAs reported them.
	Findings []Finding
	// FindingCount counts all findings, stored or not.
	FindingCount int
}

// Clean reports whether the sanitizer found nothing.
func (r *Result) Clean() bool { return r.FindingCount == 0 }

// moduleGlobals returns the device addresses of m's module variables,
// allocating and initializing them on first use.
func (d *Device) moduleGlobals(m *Module) ([]uint64, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if g, ok := d.globals[m]; ok {
		return g, nil
	}
	addrs := make([]uint64, len(m.globals))
	for i, g := range m.globals {
		a, err := d.mem.alloc(g.size, g.name, g.readOnly)
		if err != nil {
			return nil, fmt.Errorf("allocating %s: %w", g.name, err)
		}
		copy(a.data, g.init)
		addrs[i] = a.base
	}
	d.globals[m] = addrs
	return addrs, nil
}

// packArgs lays out kernel arguments in the parameter buffer by the PTX
// ABI, checking each Go value against its .param declaration.
func packArgs(f *function, args []any) ([]byte, error) {
	if len(args) != len(f.params) {
		return nil, fmt.Errorf("kernel %s takes %d parameters, got %d arguments", f.name, len(f.params), len(args))
	}
	buf := make([]byte, f.paramSize)
	for i, a := range args {
		p := f.params[i]
		dst := buf[p.off : p.off+uint64(p.size)]
		if p.array {
			b, ok := a.([]byte)
			if !ok || len(b) != p.size {
				return nil, fmt.Errorf("parameter %d (%s) is a %d-byte aggregate: pass a []byte of that length, got %T", i, p.name, p.size, a)
			}
			copy(dst, b)
			continue
		}
		var v uint64
		var sz int
		isFloat := false
		switch x := a.(type) {
		case uint64:
			v, sz = x, 8
		case int64:
			v, sz = uint64(x), 8
		case uintptr:
			v, sz = uint64(x), 8
		case uint32:
			v, sz = uint64(x), 4
		case int32:
			v, sz = uint64(uint32(x)), 4
		case uint16:
			v, sz = uint64(x), 2
		case int16:
			v, sz = uint64(uint16(x)), 2
		case uint8:
			v, sz = uint64(x), 1
		case int8:
			v, sz = uint64(uint8(x)), 1
		case float32:
			v, sz, isFloat = uint64(math.Float32bits(x)), 4, true
		case float64:
			v, sz, isFloat = math.Float64bits(x), 8, true
		default:
			return nil, fmt.Errorf("parameter %d (%s %s): unsupported argument type %T (use a sized integer, float32/float64 or []byte)", i, p.name, p.typ, a)
		}
		if sz != p.size {
			return nil, fmt.Errorf("parameter %d (%s) is %s (%d bytes), got %T (%d bytes)", i, p.name, p.typ, p.size, a, sz)
		}
		if isFloat && p.typ.isInt() && !typeInfo[p.typ].bits {
			return nil, fmt.Errorf("parameter %d (%s) is %s, got a float %T", i, p.name, p.typ, a)
		}
		if !isFloat && p.typ.isFloat() {
			return nil, fmt.Errorf("parameter %d (%s) is %s, got an integer %T", i, p.name, p.typ, a)
		}
		switch sz {
		case 1:
			dst[0] = byte(v)
		case 2:
			binary.LittleEndian.PutUint16(dst, uint16(v))
		case 4:
			binary.LittleEndian.PutUint32(dst, uint32(v))
		case 8:
			binary.LittleEndian.PutUint64(dst, v)
		}
	}
	return buf, nil
}

// Launch runs kernel on the device. It returns an error for problems that
// prevent the launch (unknown kernel, argument mismatch, bad geometry);
// what goes wrong inside the kernel is reported in Result.Findings.
func (d *Device) Launch(m *Module, kernel string, cfg LaunchConfig, args ...any) (*Result, error) {
	f, err := m.kernel(kernel)
	if err != nil {
		return nil, err
	}
	for i := 0; i < 3; i++ {
		if cfg.Grid[i] == 0 {
			cfg.Grid[i] = 1
		}
		if cfg.Block[i] == 0 {
			cfg.Block[i] = 1
		}
	}
	nthreads := uint64(cfg.Block[0]) * uint64(cfg.Block[1]) * uint64(cfg.Block[2])
	if nthreads > 1024 || cfg.Block[2] > 64 {
		return nil, fmt.Errorf("launch %s: block %v exceeds 1024 threads (or z > 64)", kernel, cfg.Block)
	}
	if cfg.Grid[1] > 65535 || cfg.Grid[2] > 65535 {
		return nil, fmt.Errorf("launch %s: grid %v exceeds 65535 in y or z", kernel, cfg.Grid)
	}
	if f.reqntid[0] > 0 && (int(cfg.Block[0]) != f.reqntid[0] || int(cfg.Block[1]) != f.reqntid[1] || int(cfg.Block[2]) != f.reqntid[2]) {
		return nil, fmt.Errorf("launch %s: block %v differs from .reqntid %v", kernel, cfg.Block, f.reqntid)
	}
	if f.maxntid[0] > 0 && nthreads > uint64(f.maxntid[0]*f.maxntid[1]*f.maxntid[2]) {
		return nil, fmt.Errorf("launch %s: %d threads exceed .maxntid %v", kernel, nthreads, f.maxntid)
	}
	shared := uint64(m.sharedStatic) + uint64(cfg.DynamicShared)
	if shared > 228<<10 {
		return nil, fmt.Errorf("launch %s: %d bytes of shared memory exceed 228 KiB", kernel, shared)
	}
	params, err := packArgs(f, args)
	if err != nil {
		return nil, fmt.Errorf("launch %s: %w", kernel, err)
	}
	gaddrs, err := d.moduleGlobals(m)
	if err != nil {
		return nil, fmt.Errorf("launch %s: %w", kernel, err)
	}
	l := newLaunch(d, m, f, cfg, params, gaddrs)
	d.mem.mu.RLock()
	defer d.mem.mu.RUnlock()
	l.run()
	res := &Result{Kernel: kernel, Counters: l.counters, Findings: l.findings, FindingCount: l.nfindings}
	return res, nil
}
