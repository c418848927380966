package main

import (
	"encoding/json"
	"os"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/autotune"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/runtime"
)

func init() { rootCmd.AddCommand(newBenchCmd()) }

// benchRow is one measurement, as --json writes it.
type benchRow struct {
	Kernel, Problem, Device string
	Config                  ir.Config
	MedianUS, CIUS          float64
	Samples                 int
	TFLOPs, GBs, Roofline   float64
	Estimated               bool // the emulator's cost model, not a measurement
}

func newBenchCmd() *cobra.Command {
	var pf problemFlags
	var device, jsonPath, backend, target string
	var budget time.Duration
	cmd := &cobra.Command{
		Use:   "bench KERNEL|all",
		Short: "Time kernels on the GPU at the benchmark shapes (ANCHORS.md's) with their tuned configs",
		Long: `bench measures each benchmark problem of KERNEL (or of every kernel) on the
GPU: the config tuning picks (tuned on first use and cached; --config to
force one), timed with CUDA events, the L2 flushed before each run. It
prints the median, TFLOP/s or GB/s, and the fraction of the device's
roofline. --shape measures one problem instead of the benchmark list.

Without a GPU, --device emu prints the emulator's cost-model estimate for
small --shape problems instead; the benchmark shapes are too large for it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ks []*kernels.Kernel
			if args[0] == "all" {
				ks = kernels.Registered()
			} else if k := kernels.Lookup(args[0]); k != nil {
				ks = []*kernels.Kernel{k}
			} else {
				return badInput("unknown kernel %q (kernels: %s, or all)", args[0], kernels.Names())
			}
			opts, err := compileOptions(backend, target)
			if err != nil {
				return err
			}
			kind, err := tuneDevice(device)
			if err != nil {
				return err
			}
			switch kind {
			case runtime.DeviceAuto, runtime.DeviceGPU:
				g, err := runtime.OpenGPU()
				if err != nil {
					return failed("bench measures on a GPU: %v; `tilec run --device emu --counters` reports the emulator's counters", err)
				}
				_ = g.Close()
				device = runtime.DeviceGPU
			case runtime.DeviceEmu:
				if pf.shape == "" {
					return badInput("bench --device emu needs --shape: the benchmark shapes are too large for the emulator")
				}
			}
			cache, err := autotune.OpenCache("")
			if err != nil {
				return failed("%v", err)
			}
			var rows []benchRow
			w := cmd.OutOrStdout()
			t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
			t.Header("kernel", "problem", "config", "median", "±95%", "throughput", "roofline")
			for _, k := range ks {
				shapes := k.Bench
				if pf.shape != "" || len(shapes) == 0 {
					sizes, err := kernels.ParseAssignments(pf.shape)
					if err != nil {
						return badInput("--shape: %v", err)
					}
					shapes = []kernels.BenchShape{{Sizes: sizes}}
				}
				for _, s := range shapes {
					dt := s.DType
					if pf.dtype != "" {
						if dt, err = ir.ParseDType(pf.dtype); err != nil {
							return badInput("--dtype: %v", err)
						}
					}
					p, err := k.Problem(s.Sizes, dt)
					if err != nil {
						return badInput("%v", err)
					}
					to := autotune.Options{Device: device, Budget: budget, Backend: opts.Backend, Target: opts.Target, Cache: cache}
					var cfg ir.Config
					if pf.config != "" {
						m, err := kernels.ParseAssignments(pf.config)
						if err != nil {
							return badInput("--config: %v", err)
						}
						cfg = ir.Config(m)
					} else {
						tr, err := autotune.Tune(k, p, to)
						if err != nil {
							return failed("tuning %s %s: %v", k.Name, p, err)
						}
						if tr.Best == nil {
							return failed("tuning %s %s: no config passed", k.Name, p)
						}
						cfg = tr.Best.Config
					}
					res, err := autotune.Measure(k, p, cfg, to)
					if err != nil {
						return failed("%s %s: %v", k.Name, p, err)
					}
					c := res.Best
					d := c.Median
					if c.Samples == 0 {
						d = c.Estimate
					}
					tp, roof := throughput(res, d)
					med := d.String()
					if c.Samples == 0 {
						med += " (est.)"
					}
					ci := ""
					if c.Samples > 0 {
						ci = c.CI.String()
					}
					_ = t.Append(k.Name, p.String(), cfg.String(), med, ci, tp, roof)
					row := benchRow{Kernel: k.Name, Problem: p.String(), Device: res.Device, Config: cfg,
						MedianUS: float64(d.Nanoseconds()) / 1e3, CIUS: float64(c.CI.Nanoseconds()) / 1e3, Samples: c.Samples,
						Estimated: c.Samples == 0}
					if s := d.Seconds(); s > 0 {
						row.TFLOPs, row.GBs = res.FLOPs/s/1e12, res.Bytes/s/1e9
						row.Roofline = max(res.FLOPs/res.Peak.TensorFLOPs, res.Bytes/res.Peak.BytesPerSec) / s
					}
					rows = append(rows, row)
				}
			}
			_ = t.Render()
			if jsonPath != "" {
				b, err := json.MarshalIndent(rows, "", "  ")
				if err != nil {
					return failed("%v", err)
				}
				if err := os.WriteFile(jsonPath, b, 0o644); err != nil {
					return failed("--json: %v", err)
				}
			}
			return nil
		},
	}
	pf.add(cmd)
	cmd.Flags().StringVar(&device, "device", runtime.DeviceAuto, "gpu (auto), or emu for a cost-model estimate of a small --shape")
	cmd.Flags().StringVar(&jsonPath, "json", "", "write the measurements as JSON to this file")
	cmd.Flags().DurationVar(&budget, "budget", 10*time.Second, "time budget per measurement (and per tuning run)")
	cmd.Flags().StringVar(&backend, "backend", "", "LLVM IR to PTX: own or llc (default "+tilec.DefaultBackend+")")
	cmd.Flags().StringVar(&target, "target", "", "GPU architecture (default: the GPU's best: sm_90a on an H100 or H200)")
	return cmd
}
