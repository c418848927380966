package autotune

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/cuda"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/ptx/emu"
)

// device is where tuning runs: the GPU or the emulator.
type device interface {
	name() string
	identity() string // for the cache key
	compiler() string
	peak() Peak
	// compileAll compiles every live candidate (in parallel) and fails
	// those that do not compile or exceed a hard limit.
	compileAll(cands []*Candidate, opts Options)
	// checkHere checks one plan in this process (no isolation).
	checkHere(plan *kernels.Plan, trial *kernels.Trial) verdict
	// job is a worker's job for k and p on this device, without configs.
	job(k *kernels.Kernel, p kernels.Problem, seed uint64) job
	// rank measures the correct candidates (times or the cost model).
	rank(live []*Candidate, opts Options) error
	close()
}

func openDevice(opts Options) (device, error) {
	copts := tilec.Options{Backend: opts.Backend, Target: opts.Target}
	switch opts.Device {
	case "", "auto":
		if g, err := tilec.OpenGPU(copts); err == nil {
			return &gpuTuner{g: g, opts: copts}, nil
		}
		return newEmuTuner(copts), nil
	case "gpu":
		g, err := tilec.OpenGPU(copts)
		if err != nil {
			return nil, err
		}
		return &gpuTuner{g: g, opts: copts}, nil
	case "emu":
		return newEmuTuner(copts), nil
	}
	return nil, fmt.Errorf("unknown device %q (gpu, emu, auto)", opts.Device)
}

// compileCandidates compiles every launch of every live candidate with at
// most GOMAXPROCS goroutines; load compiles (and on a GPU loads) one
// specialized kernel for its nominal arguments.
func compileCandidates(cands []*Candidate, load func(f *ir.Func, args []any) (*tilec.Binary, cuda.FuncAttributes, error), maxShared int) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, c := range cands {
		if c.Status != "" {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			funcs, err := c.plan.Specialize()
			if err != nil {
				c.Status, c.Reason = Failed, err.Error()
				return
			}
			for i, f := range funcs {
				bin, attrs, err := load(f, c.plan.NominalArgs(i))
				if err != nil {
					c.Status, c.Reason = Failed, "compile: "+err.Error()
					return
				}
				if bin.SharedBytes > maxShared {
					c.Status, c.Reason = Failed, fmt.Sprintf("needs %d bytes of shared memory per block; the device allows %d", bin.SharedBytes, maxShared)
					return
				}
				c.SharedBytes = max(c.SharedBytes, bin.SharedBytes)
				c.Registers = max(c.Registers, attrs.NumRegs)
				c.EstRegisters = max(c.EstRegisters, bin.LiveRegisters())
				c.SpillBytes = max(c.SpillBytes, attrs.LocalSizeBytes)
			}
		}()
	}
	wg.Wait()
}

// --- the emulator -------------------------------------------------------------

type emuTuner struct {
	opts tilec.Options
	e    *tilec.Emu // compiles once for all candidates
}

func newEmuTuner(o tilec.Options) *emuTuner {
	if o.Target == "" {
		o.Target = "sm_80"
	}
	return &emuTuner{opts: o, e: tilec.NewEmu(o)}
}

func (t *emuTuner) name() string     { return "emu" }
func (t *emuTuner) identity() string { return "emu " + string(t.opts.Target) }
func (t *emuTuner) compiler() string { return t.opts.Backend + " " + string(t.opts.Target) }
func (t *emuTuner) peak() Peak       { return emuPeak }
func (t *emuTuner) close()           {}

// sm80SharedOptin is sm_80's largest shared memory per block (with opt-in).
const sm80SharedOptin = 163 << 10

func (t *emuTuner) compileAll(cands []*Candidate, _ Options) {
	compileCandidates(cands, func(f *ir.Func, args []any) (*tilec.Binary, cuda.FuncAttributes, error) {
		b, err := t.e.Binary(f, args)
		if err != nil {
			return nil, cuda.FuncAttributes{}, err
		}
		// No driver here: codegen's estimate stands in for the JIT's count.
		return b, cuda.FuncAttributes{NumRegs: b.LiveRegisters()}, nil
	}, sm80SharedOptin)
}

func (t *emuTuner) checkHere(plan *kernels.Plan, trial *kernels.Trial) verdict {
	e := tilec.NewEmu(t.opts)
	return checkOn(e, plan, trial, e)
}

func (t *emuTuner) job(k *kernels.Kernel, p kernels.Problem, seed uint64) job {
	return job{Kernel: k.Name, Sizes: p.Sizes, DType: p.DType.String(), Seed: seed,
		Device: "emu", Backend: t.opts.Backend, Target: string(t.opts.Target)}
}

// checkCandidates runs the correctness check of every candidate on the
// same inputs (one worker process for all, or this process) and marks each
// Passed or Failed; done is called as verdicts arrive.
func checkCandidates(dev device, k *kernels.Kernel, p kernels.Problem, cands []*Candidate, opts Options, done func(n int)) {
	vs := make([]verdict, 0, len(cands))
	if inProcess(k, opts) {
		trial := kernels.NewTrial(opts.Seed)
		for _, c := range cands {
			vs = append(vs, dev.checkHere(c.plan, trial))
			done(len(vs))
		}
	} else {
		j := dev.job(k, p, opts.Seed)
		for _, c := range cands {
			j.Configs = append(j.Configs, c.Config)
		}
		vs = isolated(j, done)
	}
	for i, c := range cands {
		if v := vs[i]; v.Pass {
			c.Status, c.Counters = Passed, v.Counters
		} else {
			c.Status, c.Reason = Failed, v.Err
		}
	}
}

// rank uses the cost model on the counters of the correctness run.
func (t *emuTuner) rank(live []*Candidate, _ Options) error {
	for _, c := range live {
		if c.Counters == nil {
			c.Counters = &emu.Counters{}
		}
		c.Estimate = Estimate(c.Counters, emuPeak)
	}
	return nil
}

// --- the GPU -------------------------------------------------------------------

type gpuTuner struct {
	g    *tilec.GPU
	opts tilec.Options
}

func (t *gpuTuner) name() string { return t.g.Name() }
func (t *gpuTuner) identity() string {
	v, _ := t.g.DriverVersion()
	return fmt.Sprintf("%s sm_%d%d driver %d", t.g.Props.Name, t.g.Props.Major, t.g.Props.Minor, v)
}
func (t *gpuTuner) compiler() string { return t.opts.Backend + " " + string(t.g.Opts().Target) }
func (t *gpuTuner) peak() Peak       { return gpuPeak(t.g.Props) }
func (t *gpuTuner) close()           { _ = t.g.Close() }

func (t *gpuTuner) compileAll(cands []*Candidate, _ Options) {
	compileCandidates(cands, t.g.Load, t.g.Props.SharedMemPerBlockOptin)
}

func (t *gpuTuner) checkHere(plan *kernels.Plan, trial *kernels.Trial) verdict {
	v := checkOn(t.g, plan, trial, nil)
	if err := t.g.Free(); err != nil && v.Pass {
		v = verdict{Err: "freeing the check's buffers: " + err.Error()}
	}
	return v
}

func (t *gpuTuner) job(k *kernels.Kernel, p kernels.Problem, seed uint64) job {
	return job{Kernel: k.Name, Sizes: p.Sizes, DType: p.DType.String(), Seed: seed,
		Device: "gpu", Backend: t.opts.Backend, Target: string(t.g.Opts().Target)}
}

// rank times the candidates (timing.go).
func (t *gpuTuner) rank(live []*Candidate, opts Options) error {
	return timeCandidates(t.g, live, opts)
}
