// Package autotune picks a kernel's meta-parameters (block sizes, warps,
// stages) for a device and a problem without ever trading correctness for
// speed:
//
//  1. the search space is the kernel's list of configs; configs whose plan
//     is refused (a tile that does not fit the problem) are pruned with the
//     reason, and every remaining config is compiled, in parallel;
//  2. hard limits are checked before anything runs: threads per block,
//     shared memory per block, and on a GPU the registers the JIT gave the
//     kernel (and its spills, reported);
//  3. every candidate runs once on fresh random inputs with its outputs
//     poisoned (NaN) and is compared with the CPU reference; the check runs
//     in a child process (tilec re-executing itself as a worker) so that a
//     config that faults cannot poison the tuning run; failures are
//     reported per config and never chosen;
//  4. on a GPU the survivors are timed with CUDA events after a warm-up,
//     with the L2 cache flushed before each timed run and buffers that the
//     kernel updates (in place, accumulated, atomics) restored, in rounds
//     that interleave the candidates so drift hits all of them alike, until
//     each median's 95% confidence interval is within 1% or the budget is
//     spent; on the emulator the emulator's counters stand in for times;
//  5. the winner is cached on disk (cache.go), keyed by the kernel's IR,
//     tilec's version, the device and the problem.
package autotune

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/ptx/emu"
)

// Status is what became of a candidate.
type Status string

// Candidate statuses.
const (
	Pruned   Status = "pruned"   // refused by the plan (does not fit the problem)
	Failed   Status = "failed"   // did not compile, exceeded a limit, faulted or gave wrong results
	Passed   Status = "passed"   // correct, not timed (emulator, or cut by the strategy)
	Timed    Status = "timed"    // correct and timed
	Selected Status = "selected" // the winner
)

// Candidate is one config and what happened to it.
type Candidate struct {
	Config ir.Config
	Status Status
	Reason string // why it was pruned or failed
	// Trace, for a config that failed on a bug in tilec (an internal
	// compiler error), is where it happened: the pass or op and the stack.
	Trace string
	// Median and CI (the half-width of the 95% confidence interval) of
	// its GPU time, over Samples runs.
	Median, CI time.Duration
	Samples    int
	// Counters are the emulator's counters of its correctness run.
	Counters *emu.Counters
	// Estimate is the emulator's cost model of its time (emulator only).
	Estimate time.Duration
	// Registers and Spills per thread, SharedBytes per block (from the
	// compiled kernels: the GPU's JIT counts registers and spills; on the
	// emulator Registers is codegen's estimate and SpillBytes stays 0).
	Registers, SpillBytes, SharedBytes int
	// EstRegisters is codegen's estimate of the registers per thread
	// (tilec.Binary.LiveRegisters), to set beside the JIT's count.
	EstRegisters int

	plan *kernels.Plan
}

// Result is a tuning run's outcome.
type Result struct {
	Kernel    string
	Problem   kernels.Problem
	Device    string
	Best      *Candidate // nil when no config passed
	All       []*Candidate
	FromCache bool
	Elapsed   time.Duration
	// Phases splits Elapsed: compiling (and loading on a GPU), the
	// correctness checks, and timing or ranking.
	Phases struct{ Compile, Check, Rank time.Duration }
	// FLOPs and Bytes of the problem, for TFLOP/s, GB/s and rooflines.
	FLOPs, Bytes float64
	Peak         Peak
}

// Options control Tune.
type Options struct {
	// Device is gpu, emu or auto (default: the GPU when there is one).
	Device string
	// Strategy is exhaustive or halving (successive halving, for large
	// spaces on a GPU).
	Strategy string
	// Budget bounds the timing phase (default 30 s).
	Budget time.Duration
	// Seed of the correctness runs' inputs.
	Seed uint64
	// Backend and Target of the compiler ("" for defaults).
	Backend string
	Target  tilec.Target
	// Cache is the on-disk cache (nil: none). Refresh ignores a cached
	// result and tunes again (the new result replaces it).
	Cache   *Cache
	Refresh bool
	// NoIsolation runs correctness checks in this process. They run in
	// it anyway when the program never called WorkerMain or k is not
	// registered (kernels.Register: a child process could not find it).
	NoIsolation bool
	// Progress, when set, is called as candidates finish each phase.
	Progress func(done, total int, what string)
}

// Tune tunes kernel k for problem p.
func Tune(k *kernels.Kernel, p kernels.Problem, opts Options) (*Result, error) {
	start := time.Now()
	if opts.Budget == 0 {
		opts.Budget = 30 * time.Second
	}
	if opts.Strategy == "" {
		opts.Strategy = "exhaustive"
	}
	if opts.Strategy != "exhaustive" && opts.Strategy != "halving" {
		return nil, fmt.Errorf("unknown strategy %q (exhaustive, halving)", opts.Strategy)
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	dev, err := openTuner(opts)
	if err != nil {
		return nil, err
	}
	defer dev.close()
	if p.Target == "" { // the space for the target the device compiles for
		p.Target = string(dev.dev.Options().Target)
	}
	res := &Result{Kernel: k.Name, Problem: p, Device: dev.name(), Peak: dev.peak()}

	key, err := cacheKey(k, p, dev)
	if err != nil {
		return nil, err
	}
	if opts.Cache != nil && !opts.Refresh {
		if hit, ok := opts.Cache.Get(key); ok {
			if plan, err := k.Plan(p, hit.Config); err == nil {
				res.Best = hit
				res.Best.plan = plan
				res.All = []*Candidate{hit}
				res.FromCache = true
				res.FLOPs, res.Bytes = plan.FLOPs, plan.Bytes
				res.Elapsed = time.Since(start)
				return res, nil
			}
		}
	}

	// 1. The space, pruned by the plans, compiled in parallel.
	space := k.Space(p)
	if len(space) == 0 {
		return nil, fmt.Errorf("%s: the tuning space is empty for %s", k.Name, p)
	}
	cands := make([]*Candidate, len(space))
	for i, cfg := range space {
		c := &Candidate{Config: cfg}
		cands[i] = c
		plan, err := k.Plan(p, cfg)
		if err != nil {
			c.Status, c.Reason = Pruned, err.Error()
			continue
		}
		c.plan = plan
		res.FLOPs, res.Bytes = plan.FLOPs, plan.Bytes
	}
	res.All = cands
	phase := time.Now()
	dev.compileAll(cands)
	res.Phases.Compile = time.Since(phase)
	phase = time.Now()

	// 2 and 3. Limits, then correctness (in a worker process).
	var todo []*Candidate
	for _, c := range cands {
		if c.Status == "" {
			todo = append(todo, c)
		}
	}
	settled := len(cands) - len(todo)
	checkCandidates(dev, k, p, todo, opts, func(n int) {
		if opts.Progress != nil {
			opts.Progress(settled+n, len(cands), "correctness")
		}
	})
	res.Phases.Check = time.Since(phase)
	var live []*Candidate
	for _, c := range todo {
		if c.Status == Passed {
			live = append(live, c)
		}
	}
	if len(live) == 0 {
		res.Elapsed = time.Since(start)
		return res, nil
	}

	// 4. Timing on the GPU; the emulator's cost model otherwise.
	phase = time.Now()
	if err := dev.rank(live, opts); err != nil {
		return nil, err
	}
	res.Phases.Rank = time.Since(phase)
	var best *Candidate
	for _, c := range live {
		if c.Reason == "" && (best == nil || c.cost() < best.cost()) {
			best = c
		}
	}
	best.Status = Selected
	res.Best = best
	res.Elapsed = time.Since(start)
	if opts.Cache != nil {
		if err := opts.Cache.Put(key, best); err != nil {
			return res, fmt.Errorf("tuned, but the cache write failed: %w", err)
		}
	}
	return res, nil
}

// cost orders candidates: the measured median, else the estimate.
func (c *Candidate) cost() time.Duration {
	if c.Samples > 0 {
		return c.Median
	}
	return c.Estimate
}

// Sorted returns the candidates ordered by status, then cost.
func (r *Result) Sorted() []*Candidate {
	out := append([]*Candidate(nil), r.All...)
	rank := map[Status]int{Selected: 0, Timed: 1, Passed: 2, Failed: 3, Pruned: 4}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].Status] != rank[out[j].Status] {
			return rank[out[i].Status] < rank[out[j].Status]
		}
		return out[i].cost() < out[j].cost()
	})
	return out
}

// Summary is a one-line description of the winner.
func (r *Result) Summary() string {
	if r.Best == nil {
		return fmt.Sprintf("%s %s on %s: no config passed", r.Kernel, r.Problem, r.Device)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %s on %s: best %s", r.Kernel, r.Problem, r.Device, r.Best.Config)
	if r.Best.Samples > 0 {
		fmt.Fprintf(&sb, " at %v", r.Best.Median)
	}
	if r.FromCache {
		sb.WriteString(" (from the cache)")
	}
	return sb.String()
}

// Measure times one config (on the emulator: checks it and estimates its
// time from the counters). It does not check results on the GPU: Tune
// does, and tilec bench measures configs that tuning chose.
func Measure(k *kernels.Kernel, p kernels.Problem, cfg ir.Config, opts Options) (*Result, error) {
	start := time.Now()
	if opts.Budget == 0 {
		opts.Budget = 10 * time.Second
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	dev, err := openTuner(opts)
	if err != nil {
		return nil, err
	}
	defer dev.close()
	plan, err := k.Plan(p, cfg)
	if err != nil {
		return nil, err
	}
	c := &Candidate{Config: cfg, plan: plan}
	res := &Result{Kernel: k.Name, Problem: p, Device: dev.name(), Peak: dev.peak(), All: []*Candidate{c},
		FLOPs: plan.FLOPs, Bytes: plan.Bytes}
	dev.compileAll(res.All)
	if c.Status == Failed {
		return nil, fmt.Errorf("%s %s: %s", k.Name, cfg, c.Reason)
	}
	if dev.timer == nil { // the cost model ranks on the counters of a check
		checkCandidates(dev, k, p, []*Candidate{c}, Options{Seed: opts.Seed, NoIsolation: true}, func(int) {})
		if c.Status == Failed {
			return nil, errors.New(c.Reason)
		}
	}
	if err := dev.rank(res.All, opts); err != nil {
		return nil, err
	}
	c.Status = Selected
	res.Best = c
	res.Elapsed = time.Since(start)
	return res, nil
}

// Cached returns the cached winner for k and p without tuning.
func Cached(k *kernels.Kernel, p kernels.Problem, opts Options) (ir.Config, bool, error) {
	if opts.Cache == nil {
		return nil, false, nil
	}
	dev, err := openTuner(opts)
	if err != nil {
		return nil, false, err
	}
	defer dev.close()
	key, err := cacheKey(k, p, dev)
	if err != nil {
		return nil, false, err
	}
	c, ok := opts.Cache.Get(key)
	if !ok {
		return nil, false, nil
	}
	return c.Config, true, nil
}
