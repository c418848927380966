package autotune

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
)

// Correctness checks run in a child process: the program re-executes
// itself with TILEC_TUNE_WORKER=1, reads a job on stdin and writes the
// verdict on stdout. A config that faults the GPU (or crashes, or hangs)
// takes only its worker down. Programs that tune call WorkerMain first
// thing in main (the tilec CLI does; test binaries do it in TestMain).

// workerEnv marks a worker process.
const workerEnv = "TILEC_TUNE_WORKER"

// workerTimeout bounds one check.
const workerTimeout = 5 * time.Minute

// job is what the parent asks a worker to check.
type job struct {
	Kernel  string
	Sizes   map[string]int
	DType   string
	Config  ir.Config
	Seed    uint64
	Device  string // gpu or emu
	Backend string
	Target  string
}

// verdict is the worker's answer.
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
	var j job
	v := verdict{}
	if err := json.NewDecoder(os.Stdin).Decode(&j); err != nil {
		v.Err = "bad job: " + err.Error()
	} else {
		v = runJob(j)
	}
	_ = json.NewEncoder(os.Stdout).Encode(v)
	os.Exit(0)
}

// runJob checks one config in this process.
func runJob(j job) verdict {
	k := Lookup(j.Kernel)
	if k == nil {
		return verdict{Err: fmt.Sprintf("the worker does not know kernel %q (register it with autotune.Register in an init function)", j.Kernel)}
	}
	dt, err := ir.ParseDType(j.DType)
	if err != nil {
		return verdict{Err: err.Error()}
	}
	p, err := k.Problem(j.Sizes, dt)
	if err != nil {
		return verdict{Err: err.Error()}
	}
	plan, err := k.Plan(p, j.Config)
	if err != nil {
		return verdict{Err: err.Error()}
	}
	opts := tilec.Options{Backend: j.Backend, Target: tilec.Target(j.Target)}
	var dev kernels.Device
	var e *tilec.Emu
	switch j.Device {
	case "gpu":
		g, err := tilec.OpenGPU(opts)
		if err != nil {
			return verdict{Err: err.Error()}
		}
		defer g.Close()
		dev = g
	default:
		if opts.Target == "" {
			opts.Target = "sm_80"
		}
		e = tilec.NewEmu(opts)
		dev = e
	}
	return checkOn(dev, plan, j.Seed, e)
}

// checkOn runs the correctness check on dev (counting on the emulator).
func checkOn(dev kernels.Device, plan *kernels.Plan, seed uint64, e *tilec.Emu) (v verdict) {
	defer func() {
		if r := recover(); r != nil {
			v = verdict{Err: fmt.Sprintf("panic: %v", r)}
		}
	}()
	rep, err := kernels.Check(dev, plan, seed)
	if err != nil {
		return verdict{Err: err.Error()}
	}
	if e != nil {
		c := e.Counters
		v.Counters = &c
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
	return opts.NoIsolation || !workerReady.Load() || Lookup(k.Name) != k
}

// isolated runs a job in a child process.
func isolated(j job) verdict {
	exe, err := os.Executable()
	if err != nil {
		return verdict{Err: "cannot find this program to re-execute: " + err.Error()}
	}
	in, err := json.Marshal(j)
	if err != nil {
		return verdict{Err: err.Error()}
	}
	ctx, cancel := context.WithTimeout(context.Background(), workerTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe)
	cmd.Env = append(os.Environ(), workerEnv+"=1")
	cmd.Stdin = bytes.NewReader(in)
	var out, stderr bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &stderr
	err = cmd.Run()
	var v verdict
	if decodeErr := json.NewDecoder(&out).Decode(&v); decodeErr == nil && err == nil {
		return v
	}
	why := "crashed"
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		why = fmt.Sprintf("did not finish in %v", workerTimeout)
	} else if err != nil {
		why = "crashed (" + err.Error() + ")"
	}
	return verdict{Err: fmt.Sprintf("the worker %s: %s", why, tail(stderr.String(), 400))}
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
