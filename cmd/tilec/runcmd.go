package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/device"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/ptx/emu"
	"github.com/tilec/tilec/runtime"
)

func init() { rootCmd.AddCommand(newRunCmd()) }

func newRunCmd() *cobra.Command {
	var pf problemFlags
	var devName, backend, target string
	var seed uint64
	var counters bool
	cmd := &cobra.Command{
		Use:   "run KERNEL",
		Short: "Run a kernel on fresh random inputs and compare it with its float64 reference",
		Long: `run builds KERNEL for the problem (--shape, --dtype) and config (--config),
fills its inputs from a seeded RNG and its outputs with NaN, runs it on the
device and compares every output with the kernel's float64 CPU reference.
It prints each output's max abs error, relative L2 error and tolerance, and
exits 1 when any output fails.

Devices:
  gpu     compile to PTX and run on the NVIDIA GPU (CUDA driver, no toolkit)
  emu     compile to PTX and run on tilec's PTX emulator, with its sanitizer
          (any finding fails the run); --counters prints its counters
  interp  the tile interpreter: the reference semantics of the DSL
  auto    the GPU when there is one, else emu (tilec doctor tells which)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := compileOptions(backend, target)
			if err != nil {
				return err
			}
			dev, err := openDevice(devName, opts)
			if err != nil {
				return err
			}
			defer dev.Close()
			r, err := pf.resolve(args[0])
			if err != nil {
				return err
			}
			rep, err := kernels.Check(dev, r.plan, seed)
			if err != nil {
				return failed("%s: %v", r.kernel.Name, err)
			}
			w := cmd.OutOrStdout()
			ok := printReport(w, r, rep, seed)
			if c, ok := dev.(*device.Compiling); ok && counters {
				if e, isEmu := c.Device.(*runtime.Emu); isEmu {
					printCounters(w, &e.Counters)
				}
			}
			if !ok {
				return failed("%s: outputs differ from the reference", r.kernel.Name)
			}
			return nil
		},
	}
	pf.add(cmd)
	cmd.Flags().StringVar(&devName, "device", runtime.DeviceAuto, "where to run: gpu, emu, interp or auto")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the random inputs")
	cmd.Flags().StringVar(&backend, "backend", "", "LLVM IR to PTX: own or llc (default "+tilec.DefaultBackend+")")
	cmd.Flags().StringVar(&target, "target", "", "GPU architecture to compile for (default: the GPU's best, sm_90a on an H100 or H200; sm_80 on the emulator)")
	cmd.Flags().BoolVar(&counters, "counters", false, "print the emulator's counters (emu)")
	return cmd
}

// openDevice opens the device --device names, compiling with opts.
func openDevice(name string, opts tilec.Options) (runtime.Device, error) {
	if _, err := runtime.ParseDevice(name); err != nil {
		return nil, badInput("--device %s: %v", name, err)
	}
	dev, err := device.Open(name, opts)
	if err != nil {
		return nil, failed("--device %s: %v", name, err)
	}
	return dev, nil
}

// printReport prints one line per output and reports whether all passed.
func printReport(w io.Writer, r *resolved, rep *kernels.Report, seed uint64) bool {
	fmt.Fprintf(w, "kernel %s  problem %s  config %s  device %s  seed %d\n", r.kernel.Name, r.problem, r.config, rep.Device, seed)
	for _, o := range rep.Outputs {
		status := "ok"
		if !o.Pass() {
			status = "FAIL"
		}
		tol := "exact"
		if !o.Tol.Exact {
			tol = fmt.Sprintf("abs %.0e·rms + rel %.0e, L2 %.0e", o.Tol.Abs, o.Tol.Rel, o.Tol.L2)
		}
		fmt.Fprintf(w, "  %-13s max abs err %-10.3g rel L2 err %-10.3g rms %-10.3g tolerance %-32s %s\n", o.Name, o.MaxAbs, o.RelL2, o.Scale, tol, status)
		if o.Sampled > 0 {
			fmt.Fprintf(w, "      the reference sampled rows: %d elements only checked as written\n", o.Sampled)
		}
		if !o.Pass() {
			fmt.Fprintf(w, "      %d outside tolerance, %d unwritten, %d written outside the view; %s\n", o.Bad, o.Unwritten, o.Stray, o.First)
		}
	}
	return rep.Pass()
}

// printCounters prints the emulator's counters summed over the launches.
func printCounters(w io.Writer, c *emu.Counters) {
	fmt.Fprintf(w, "emulator counters (%d CTAs):\n", c.CTAs)
	fmt.Fprintf(w, "  instructions       %d warp-level, %d thread-level\n", c.TotalWarpInstructions(), c.TotalThreadInstructions())
	for i := emu.Class(0); i < emu.NumClasses; i++ {
		if c.WarpInstructions[i] > 0 {
			fmt.Fprintf(w, "    %-16s %d\n", i, c.WarpInstructions[i])
		}
	}
	fmt.Fprintf(w, "  global loads       %d requests, %.2f sectors/request, efficiency %.0f%%\n",
		c.GlobalLoadRequests, c.GlobalLoadSectorsPerRequest(), 100*c.GlobalLoadEfficiency())
	fmt.Fprintf(w, "  global stores      %d requests, %.2f sectors/request, efficiency %.0f%%\n",
		c.GlobalStoreRequests, c.GlobalStoreSectorsPerRequest(), 100*c.GlobalStoreEfficiency())
	fmt.Fprintf(w, "  shared memory      %d loads, %d stores, %d bank conflicts (extra wavefronts)\n",
		c.SharedLoadRequests, c.SharedStoreRequests, c.SharedBankConflicts)
	fmt.Fprintf(w, "  mma                %d\n  barriers           %d\n  atomics            %d\n", c.MMA, c.Barriers, c.Atomics)
	if line := hopperCounters(c); line != "" {
		fmt.Fprintf(w, "  %s\n", line)
	}
}

// hopperCounters is a line of the counters sm_90a code adds (wgmma, TMA),
// or "" when the kernel used none.
func hopperCounters(c *emu.Counters) string {
	if c.WGMMA == 0 && c.TMALoadRequests == 0 && c.TMAStoreRequests == 0 {
		return ""
	}
	return fmt.Sprintf("wgmma %d (%d tensor MACs in all), TMA loads %d (%d bytes), TMA stores %d (%d bytes)",
		c.WGMMA, c.TensorMACs, c.TMALoadRequests, c.TMALoadBytes, c.TMAStoreRequests, c.TMAStoreBytes)
}
