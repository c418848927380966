package autotune

import (
	"errors"
	"fmt"
	goruntime "runtime"
	"sync"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/device"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/ptx/emu"
	"github.com/tilec/tilec/runtime"
)

// tuner is the device tuning runs on, which compiles on launch (the GPU or
// the emulator), with the optional capabilities the tuner uses where the
// device has them: timing (runtime.Timer), properties (runtime.Describer)
// and the JIT's register counts (runtime.Loader). Without a Timer the
// emulator's cost model ranks the candidates.
type tuner struct {
	dev    *device.Compiling
	timer  runtime.Timer  // nil: rank by the cost model
	props  *runtime.Props // nil: the emulator's assumed device
	loader runtime.Loader // nil: codegen's register estimate
	onEmu  bool           // checks count the emulator's counters
}

// sm80SharedOptin is sm_80's largest shared memory per block (with
// opt-in): the emulator's limit, as it stands for sm_80.
const sm80SharedOptin = 163 << 10

func openTuner(opts Options) (*tuner, error) {
	d, err := device.Open(opts.Device, tilec.Options{Backend: opts.Backend, Target: opts.Target})
	if err != nil {
		return nil, err
	}
	c, ok := d.(*device.Compiling)
	if !ok {
		_ = d.Close()
		return nil, fmt.Errorf("cannot tune on %s: tuning compiles kernels (devices gpu, emu, auto)", d.Name())
	}
	t := &tuner{dev: c}
	t.timer, _ = c.Device.(runtime.Timer)
	t.loader, _ = c.Device.(runtime.Loader)
	if d, ok := c.Device.(runtime.Describer); ok {
		p := d.Props()
		t.props = &p
	}
	_, t.onEmu = c.Device.(*runtime.Emu)
	return t, nil
}

func (t *tuner) name() string { return t.dev.Name() }

// identity names the device for the cache key: the GPU's name,
// architecture and driver, or the emulator and its target.
func (t *tuner) identity() string {
	if p := t.props; p != nil {
		return fmt.Sprintf("%s %s driver %d", p.Name, p.Target, p.Driver)
	}
	return t.dev.Kind() + " " + string(t.dev.Options().Target)
}

func (t *tuner) compiler() string {
	o := t.dev.Options()
	return o.Backend + " " + string(o.Target)
}

func (t *tuner) peak() Peak {
	if t.props != nil {
		return gpuPeak(*t.props)
	}
	return emuPeak
}

func (t *tuner) close() { _ = t.dev.Close() }

// compileAll compiles every launch of every live candidate (on a GPU also
// JIT-loads it) with at most GOMAXPROCS goroutines, and fails those that
// do not compile or need more shared memory than a block may have.
func (t *tuner) compileAll(cands []*Candidate) {
	maxShared := sm80SharedOptin
	if t.props != nil {
		maxShared = t.props.SharedPerBlockOptin
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, goruntime.GOMAXPROCS(0))
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
				if err := t.compile(c, f, c.plan.NominalArgs(i), maxShared); err != nil {
					c.Status, c.Reason = Failed, err.Error()
					var ie *ir.InternalError
					if errors.As(err, &ie) {
						c.Trace = ie.Error() + "\n" + ie.Stack
					}
					return
				}
			}
		}()
	}
	wg.Wait()
}

// compile compiles one launch of c and records its resources.
func (t *tuner) compile(c *Candidate, f *ir.Func, args []any, maxShared int) error {
	bin, err := t.dev.Binary(f, args)
	if err != nil {
		return fmt.Errorf("compile %s: %w", f.Name, err)
	}
	// Without a JIT, codegen's estimate stands in for its count.
	info := runtime.KernelInfo{Registers: bin.LiveRegisters()}
	if t.loader != nil {
		if info, err = t.loader.Load(&bin.Kernel); err != nil {
			return fmt.Errorf("compile %s: %w", f.Name, err)
		}
	}
	if bin.SharedBytes > maxShared {
		return fmt.Errorf("needs %d bytes of shared memory per block; the device allows %d", bin.SharedBytes, maxShared)
	}
	c.SharedBytes = max(c.SharedBytes, bin.SharedBytes)
	c.Registers = max(c.Registers, info.Registers)
	c.EstRegisters = max(c.EstRegisters, bin.LiveRegisters())
	c.SpillBytes = max(c.SpillBytes, info.LocalBytes)
	return nil
}

// checkHere checks one plan in this process. On the emulator each check
// gets an emulator of its own, so that its counters are its own and the
// memory of earlier checks goes; on a GPU the check's buffers are freed.
func (t *tuner) checkHere(plan *kernels.Plan, trial *kernels.Trial) verdict {
	if t.onEmu {
		e := runtime.NewEmu()
		d, err := device.New(e, t.dev.Options())
		if err != nil {
			return verdict{Err: err.Error()}
		}
		v := checkOn(d, plan, trial)
		c := e.Counters
		v.Counters = &c
		return v
	}
	v := checkOn(t.dev, plan, trial)
	if err := t.dev.Free(); err != nil && v.Pass {
		v = verdict{Err: "freeing the check's buffers: " + err.Error()}
	}
	return v
}

// job is a worker's job for k and p on this kind of device, without
// configs.
func (t *tuner) job(k *kernels.Kernel, p kernels.Problem, seed uint64) job {
	o := t.dev.Options()
	return job{Kernel: k.Name, Sizes: p.Sizes, DType: p.DType.String(), Seed: seed,
		Device: t.dev.Kind(), Backend: o.Backend, Target: string(o.Target)}
}

// rank times the correct candidates (timing.go), or ranks them by the
// cost model on the counters of their correctness runs.
func (t *tuner) rank(live []*Candidate, opts Options) error {
	if t.timer != nil {
		return timeCandidates(t, live, opts)
	}
	for _, c := range live {
		if c.Counters == nil {
			c.Counters = &emu.Counters{}
		}
		c.Estimate = Estimate(c.Counters, emuPeak)
	}
	return nil
}

// checkCandidates runs the correctness check of every candidate on the
// same inputs (one worker process for all, or this process) and marks each
// Passed or Failed; done is called as verdicts arrive.
func checkCandidates(t *tuner, k *kernels.Kernel, p kernels.Problem, cands []*Candidate, opts Options, done func(n int)) {
	vs := make([]verdict, 0, len(cands))
	if inProcess(k, opts) {
		trial := kernels.NewTrial(opts.Seed)
		for _, c := range cands {
			vs = append(vs, t.checkHere(c.plan, trial))
			done(len(vs))
		}
	} else {
		j := t.job(k, p, opts.Seed)
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
