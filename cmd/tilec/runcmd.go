package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tilec/tilec/kernels"
)

func init() { rootCmd.AddCommand(newRunCmd()) }

func newRunCmd() *cobra.Command {
	var pf problemFlags
	var device string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "run KERNEL",
		Short: "Run a kernel on fresh random inputs and compare it with its float64 reference",
		Long: `run builds KERNEL for the problem (--shape, --dtype) and config (--config),
fills its inputs from a seeded RNG and its outputs with NaN, runs it on the
device and compares every output with the kernel's float64 CPU reference.
It prints each output's max abs error, relative L2 error and tolerance, and
exits 1 when any output fails.

Devices: interp (the tile interpreter, the reference semantics of the DSL);
auto picks the best device available (today: interp).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dev, err := pickDevice(device)
			if err != nil {
				return err
			}
			r, err := pf.resolve(args[0])
			if err != nil {
				return err
			}
			rep, err := kernels.Check(dev, r.plan, seed)
			if err != nil {
				return failed("%s: %v", r.kernel.Name, err)
			}
			if !printReport(cmd.OutOrStdout(), r, rep, seed) {
				return failed("%s: outputs differ from the reference", r.kernel.Name)
			}
			return nil
		},
	}
	pf.add(cmd)
	cmd.Flags().StringVar(&device, "device", "auto", "where to run: interp or auto")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the random inputs")
	return cmd
}

func pickDevice(name string) (kernels.Device, error) {
	switch name {
	case "interp", "auto":
		return kernels.NewInterp(), nil
	}
	return nil, badInput("--device %s: unknown device (interp, auto)", name)
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
			tol = fmt.Sprintf("abs %.0e + rel %.0e, L2 %.0e", o.Tol.Abs, o.Tol.Rel, o.Tol.L2)
		}
		fmt.Fprintf(w, "  %-13s max abs err %-10.3g rel L2 err %-10.3g tolerance %-28s %s\n", o.Name, o.MaxAbs, o.RelL2, tol, status)
		if !o.Pass() {
			fmt.Fprintf(w, "      %d outside tolerance, %d unwritten, %d written outside the view; %s\n", o.Bad, o.Unwritten, o.Stray, o.First)
		}
	}
	return rep.Pass()
}
