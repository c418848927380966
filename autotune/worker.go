package autotune

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/ptx/emu"
	"github.com/tilec/tilec/runtime"
)

// Correctness checks run in a child process: the program re-executes
// itself with TILEC_TUNE_WORKER=1, reads a job (every config of one
// problem) on stdin and writes one verdict line per config on stdout as it
// goes, all on the same inputs and reference (kernels.Trial). A config that
// faults the GPU (or crashes, or hangs) takes only its worker down: it is
// reported failed and a new worker checks the configs after it. Programs
// that tune call WorkerMain first thing in main (the tilec CLI does; test
// binaries do it in TestMain).

// workerEnv marks a worker process.
const workerEnv = "TILEC_TUNE_WORKER"

// workerTimeout bounds one config's check.
const workerTimeout = 5 * time.Minute

// job is what the parent asks a worker to check.
type job struct {
	Kernel  string
	Sizes   map[string]int
	DType   string
	Configs []ir.Config
	Seed    uint64
	Device  string // gpu or emu
	Backend string
	Target  string
}

// verdict is the worker's answer for one config.
type verdict struct {
	Pass     bool
	Err      string
	Counters *emu.Counters
}

// workerReady records that this program called WorkerMain, so a child
// started from it serves a job instead of running the program again.
// Without it, checks run in this process.
var workerReady atomic.Bool

// WorkerMain serves one job and exits when this process is a tuning
// worker; otherwise it returns at once.
func WorkerMain() {
	if os.Getenv(workerEnv) != "1" {
		workerReady.Store(true)
		return
	}
	out := json.NewEncoder(os.Stdout) // unbuffered: each line reaches the parent at once
	var j job
	if err := json.NewDecoder(os.Stdin).Decode(&j); err != nil {
		_ = out.Encode(verdict{Err: "bad job: " + err.Error()})
		os.Exit(0)
	}
	runJob(j, func(v verdict) { _ = out.Encode(v) })
	os.Exit(0)
}

// runJob checks the job's configs in this process, in order, calling emit
// with each verdict.
func runJob(j job, emit func(verdict)) {
	fail := func(err error) {
		for range j.Configs {
			emit(verdict{Err: err.Error()})
		}
	}
	k := kernels.Lookup(j.Kernel)
	if k == nil {
		fail(fmt.Errorf("the worker does not know kernel %q (register it with kernels.Register in an init function)", j.Kernel))
		return
	}
	dt, err := ir.ParseDType(j.DType)
	if err != nil {
		fail(err)
		return
	}
	p, err := k.Problem(j.Sizes, dt)
	if err != nil {
		fail(err)
		return
	}
	dev, err := openTuner(Options{Device: j.Device, Backend: j.Backend, Target: tilec.Target(j.Target)})
	if err != nil {
		fail(err)
		return
	}
	defer dev.close()
	trial := kernels.NewTrial(j.Seed)
	for _, cfg := range j.Configs {
		plan, err := k.Plan(p, cfg)
		if err != nil {
			emit(verdict{Err: err.Error()})
			continue
		}
		emit(dev.checkHere(plan, trial))
	}
}

// checkOn runs the correctness check on dev.
func checkOn(dev runtime.Device, plan *kernels.Plan, trial *kernels.Trial) (v verdict) {
	defer func() {
		if r := recover(); r != nil {
			v = verdict{Err: fmt.Sprintf("panic: %v", r)}
		}
	}()
	rep, err := trial.Check(dev, plan)
	if err != nil {
		return verdict{Err: err.Error()}
	}
	for _, o := range rep.Outputs {
		if !o.Pass() {
			v.Err = fmt.Sprintf("wrong result: %s: max abs err %.3g, rel L2 %.3g, %d outside tolerance, %d unwritten, %d stray: %s",
				o.Name, o.MaxAbs, o.RelL2, o.Bad, o.Unwritten, o.Stray, o.First)
			return v
		}
	}
	v.Pass = true
	return v
}

// inProcess reports whether checks of k run in this process: when asked,
// when the program never called WorkerMain (re-executing it would run the
// program again), or when a child could not find k by name.
func inProcess(k *kernels.Kernel, opts Options) bool {
	return opts.NoIsolation || !workerReady.Load() || kernels.Lookup(k.Name) != k
}

// isolated runs a job in child processes and returns one verdict per
// config: a worker that crashes, hangs or answers garbage fails the config
// it was checking, and a new worker takes the configs after it.
// done is called with the number of verdicts so far as each arrives.
func isolated(j job, done func(n int)) []verdict {
	var out []verdict
	for len(out) < len(j.Configs) {
		rest := j
		rest.Configs = j.Configs[len(out):]
		base := len(out)
		vs, why := runWorker(rest, func(n int) { done(base + n) })
		out = append(out, vs...)
		if why != "" && len(out) < len(j.Configs) {
			out = append(out, verdict{Err: why})
			done(len(out))
		}
	}
	return out
}

// runWorker starts one worker for j and collects its verdicts until it
// exits; why says what went wrong if it stopped before the last one.
func runWorker(j job, done func(n int)) (vs []verdict, why string) {
	exe, err := os.Executable()
	if err != nil {
		return nil, "cannot find this program to re-execute: " + err.Error()
	}
	in, err := json.Marshal(j)
	if err != nil {
		return nil, err.Error()
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), workerEnv+"=1")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err.Error()
	}
	if err := cmd.Start(); err != nil {
		return nil, "the worker did not start: " + err.Error()
	}
	// Each verdict must come within workerTimeout of the one before.
	var timedOut atomic.Bool
	timer := time.AfterFunc(workerTimeout, func() {
		timedOut.Store(true)
		_ = cmd.Process.Kill()
	})
	dec := json.NewDecoder(stdout)
	for len(vs) < len(j.Configs) {
		var v verdict
		if dec.Decode(&v) != nil {
			break
		}
		timer.Reset(workerTimeout)
		vs = append(vs, v)
		done(len(vs))
	}
	timer.Stop()
	err = cmd.Wait()
	if len(vs) == len(j.Configs) {
		return vs, ""
	}
	why = "crashed"
	switch {
	case timedOut.Load():
		why = fmt.Sprintf("did not finish in %v", workerTimeout)
	case err != nil:
		why = "crashed (" + err.Error() + ")"
	}
	return vs, fmt.Sprintf("the worker %s: %s", why, tail(stderr.String(), 400))
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
