package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/autotune"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/runtime"
)

func init() { rootCmd.AddCommand(newTuneCmd()) }

func newTuneCmd() *cobra.Command {
	var pf problemFlags
	var device, strategy, jsonPath, plotPath, backend, target string
	var budget time.Duration
	var seed uint64
	var refresh, noCache, noIsolation, quiet bool
	cmd := &cobra.Command{
		Use:   "tune KERNEL",
		Short: "Pick a kernel's best config for this device and problem, checking every candidate",
		Long: `tune compiles every config of KERNEL's tuning space for the problem (--shape,
--dtype), checks each against the float64 reference on fresh random inputs
(outputs poisoned with NaN; in a child process, so a config that faults
cannot take the run down), and times the correct ones on the GPU: CUDA
events, warm-up, L2 flushed before each run, rounds that interleave the
candidates, until each median's 95% interval is within 1% or the budget is
spent. Without a GPU it runs on the emulator, which checks every config and
reports its counters and a cost model instead of times. The winner is
cached (tilec cache ls).

Without --shape, tune uses the kernel's first benchmark shape on a GPU and
its small default problem on the emulator.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k := kernels.Lookup(args[0])
			if k == nil {
				return badInput("unknown kernel %q (kernels: %s)", args[0], kernels.Names())
			}
			opts, err := compileOptions(backend, target)
			if err != nil {
				return err
			}
			kind, err := tuneDevice(device)
			if err != nil {
				return err
			}
			if strategy != "exhaustive" && strategy != "halving" {
				return badInput("--strategy %s: want exhaustive or halving", strategy)
			}
			onGPU := kind == runtime.DeviceGPU
			if kind == runtime.DeviceAuto {
				if g, err := runtime.OpenGPU(); err == nil {
					_ = g.Close()
					onGPU = true
				}
			}
			if pf.shape == "" && onGPU && len(k.Bench) > 0 {
				pf.shape = kernels.FormatSizes(k.Bench[0].Sizes)
				if pf.dtype == "" {
					pf.dtype = k.Bench[0].DType.String()
				}
			}
			r, err := pf.resolve(k.Name)
			if err != nil {
				return err
			}
			to := autotune.Options{Device: device, Strategy: strategy, Budget: budget, Seed: seed,
				Backend: opts.Backend, Target: opts.Target, Refresh: refresh, NoIsolation: noIsolation}
			if !noCache {
				c, err := autotune.OpenCache("")
				if err != nil {
					return failed("%v", err)
				}
				c.Warn = func(msg string) { fmt.Fprintln(cmd.ErrOrStderr(), "tilec: warning:", msg) }
				to.Cache = c
			}
			var bar *progressbar.ProgressBar
			if !quiet && isTerminal(cmd.ErrOrStderr()) {
				bar = progressbar.NewOptions(-1, progressbar.OptionSetWriter(cmd.ErrOrStderr()),
					progressbar.OptionSetDescription("tuning "+k.Name), progressbar.OptionClearOnFinish())
				to.Progress = func(done, total int, what string) {
					bar.ChangeMax(total)
					bar.Describe(fmt.Sprintf("%s: %s", k.Name, what))
					_ = bar.Set(done)
				}
			}
			res, err := autotune.Tune(k, r.problem, to)
			if bar != nil {
				_ = bar.Finish()
			}
			if err != nil {
				return failed("%v", err)
			}
			w := cmd.OutOrStdout()
			printTuneTable(w, res)
			fmt.Fprintln(w, res.Summary())
			printTraces(w, res)
			if jsonPath != "" {
				if err := writeJSON(jsonPath, res); err != nil {
					return failed("--json: %v", err)
				}
			}
			if plotPath != "" {
				if err := plotTune(plotPath, res); err != nil {
					return failed("--plot: %v", err)
				}
			}
			if res.Best == nil {
				return failed("%s: no config passed the correctness check", k.Name)
			}
			return nil
		},
	}
	pf.add(cmd)
	cmd.Flags().Lookup("config").Hidden = true
	cmd.Flags().StringVar(&device, "device", runtime.DeviceAuto, "where to tune: gpu, emu or auto")
	cmd.Flags().StringVar(&strategy, "strategy", "exhaustive", "exhaustive, or halving (successive halving) for large spaces")
	cmd.Flags().DurationVar(&budget, "budget", 30*time.Second, "time budget of the timing phase")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the correctness runs' inputs")
	cmd.Flags().StringVar(&jsonPath, "json", "", "write the results as JSON to this file")
	cmd.Flags().StringVar(&plotPath, "plot", "", "plot time (or the emulator's estimate) per config to this PNG")
	cmd.Flags().BoolVar(&refresh, "refresh", false, "tune again even if the cache has the answer")
	cmd.Flags().BoolVar(&noCache, "no-cache", false, "neither read nor write the tuning cache")
	cmd.Flags().BoolVar(&noIsolation, "no-isolation", false, "run the correctness checks in this process")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "no progress bar")
	cmd.Flags().StringVar(&backend, "backend", "", "LLVM IR to PTX: own or llc (default "+tilec.DefaultBackend+")")
	cmd.Flags().StringVar(&target, "target", "", "GPU architecture (default: the GPU's best, sm_90a on an H100 or H200; sm_80 on the emulator)")
	return cmd
}

// throughput formats a time as TFLOP/s or GB/s, whichever bounds the
// kernel on the device, with the fraction of that roof.
// tuneDevice checks a --device that tuning can use: the interpreter
// compiles nothing to tune.
func tuneDevice(name string) (string, error) {
	kind, err := runtime.ParseDevice(name)
	if err == nil && kind == runtime.DeviceInterp {
		err = fmt.Errorf("tuning compiles kernels: want %s, %s or %s", runtime.DeviceGPU, runtime.DeviceEmu, runtime.DeviceAuto)
	}
	if err != nil {
		return "", badInput("--device %s: %v", name, err)
	}
	return kind, nil
}

func throughput(res *autotune.Result, d time.Duration) (string, string) {
	if d <= 0 {
		return "", ""
	}
	s := d.Seconds()
	compute := res.FLOPs / res.Peak.TensorFLOPs
	memory := res.Bytes / res.Peak.BytesPerSec
	if compute > memory {
		return fmt.Sprintf("%.1f TFLOP/s", res.FLOPs/s/1e12), fmt.Sprintf("%.0f%%", 100*compute/s)
	}
	return fmt.Sprintf("%.0f GB/s", res.Bytes/s/1e9), fmt.Sprintf("%.0f%%", 100*memory/s)
}

// printTraces names the configs that failed on a bug in tilec and, with
// -v, shows where it happened (the report's JSON has it too).
func printTraces(w io.Writer, res *autotune.Result) {
	for _, c := range res.All {
		if c.Trace == "" {
			continue
		}
		if !verbose {
			fmt.Fprintf(w, "%s failed on a bug in tilec (an internal compiler error); -v shows where\n", c.Config)
			continue
		}
		fmt.Fprintf(w, "%s: %s\n", c.Config, c.Trace)
	}
}

func printTuneTable(w io.Writer, res *autotune.Result) {
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	emu := res.Best == nil || res.Best.Samples == 0
	if emu {
		t.Header("config", "status", "est. time", "throughput", "roofline", "warp instr", "ld sect/req", "st sect/req", "bank confl", "mma", "regs (est.)", "smem", "note")
	} else {
		t.Header("config", "status", "median", "±95%", "throughput", "roofline", "regs", "regs (est.)", "spills", "smem", "note")
	}
	for _, c := range res.Sorted() {
		note := c.Reason
		if len(note) > 90 {
			note = note[:87] + "..."
		}
		var row []any
		if emu {
			tp, roof := throughput(res, c.Estimate)
			var wi, ld, st, bc, mma string
			if cn := c.Counters; cn != nil {
				wi, ld, st = fmt.Sprint(cn.TotalWarpInstructions()), fmt.Sprintf("%.2f", cn.GlobalLoadSectorsPerRequest()), fmt.Sprintf("%.2f", cn.GlobalStoreSectorsPerRequest())
				bc, mma = fmt.Sprint(cn.SharedBankConflicts), fmt.Sprint(cn.MMA)
			}
			est := ""
			if c.Estimate > 0 {
				est = c.Estimate.String()
			}
			row = []any{c.Config.String(), string(c.Status), est, tp, roof, wi, ld, st, bc, mma, c.Registers, c.SharedBytes, note}
		} else {
			tp, roof := throughput(res, c.Median)
			med, ci := "", ""
			if c.Samples > 0 {
				med, ci = c.Median.String(), c.CI.String()
			}
			row = []any{c.Config.String(), string(c.Status), med, ci, tp, roof, c.Registers, c.EstRegisters, c.SpillBytes, c.SharedBytes, note}
		}
		_ = t.Append(row...)
	}
	_ = t.Render()
	ph, rank := res.Phases, "ranking"
	if res.Best != nil && res.Best.Samples > 0 {
		rank = "timing"
	}
	fmt.Fprintf(w, "device %s, %d configs, %v (compile %v, checks %v, %s %v)\n", res.Device, len(res.All), res.Elapsed.Round(time.Millisecond),
		ph.Compile.Round(time.Millisecond), ph.Check.Round(time.Millisecond), rank, ph.Rank.Round(time.Millisecond))
}

// tuneJSON is the --json document.
type tuneJSON struct {
	Kernel    string
	Problem   string
	Device    string
	FromCache bool
	Best      ir.Config
	Configs   []*autotune.Candidate
	// Seconds of the whole run and of its phases.
	Seconds, CompileSeconds, CheckSeconds, RankSeconds float64
}

func writeJSON(path string, res *autotune.Result) error {
	doc := tuneJSON{Kernel: res.Kernel, Problem: res.Problem.String(), Device: res.Device, FromCache: res.FromCache, Configs: res.Sorted(),
		Seconds: res.Elapsed.Seconds(), CompileSeconds: res.Phases.Compile.Seconds(), CheckSeconds: res.Phases.Check.Seconds(), RankSeconds: res.Phases.Rank.Seconds()}
	if res.Best != nil {
		doc.Best = res.Best.Config
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// isTerminal reports whether w is a terminal (progress bars only go there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
