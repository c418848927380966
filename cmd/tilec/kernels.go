package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"

	"github.com/tilec/tilec/internal/arch"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

func init() { rootCmd.AddCommand(newKernelsCmd()) }

func newKernelsCmd() *cobra.Command {
	var target string
	cmd := &cobra.Command{
		Use:   "kernels [NAME]",
		Short: "List the shipped kernels, or show one kernel's parameters and tuning space",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w := cmd.OutOrStdout()
			if len(args) == 0 {
				return listKernels(w)
			}
			k := kernels.Lookup(args[0])
			if k == nil {
				return badInput("unknown kernel %q (kernels: %s)", args[0], kernels.Names())
			}
			if _, err := arch.Parse(target); err != nil {
				return badInput("--target: %v", err)
			}
			return describeKernel(w, k, target)
		},
	}
	cmd.Flags().StringVar(&target, "target", arch.Default, "the architecture whose tuning space to show (sm_80, sm_90a, ...)")
	return cmd
}

func listKernels(w io.Writer) error {
	t := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	t.Header("kernel", "dtypes", "parameters (defaults)", "tuned", "summary")
	for _, k := range kernels.Registered() {
		var params []string
		for _, p := range k.Params {
			params = append(params, fmt.Sprintf("%s=%d", p.Name, p.Default))
		}
		if err := t.Append(k.Name, dtypes(k.DTypes), strings.Join(params, ","), strings.Join(k.Tuned, ","), k.Summary); err != nil {
			return failed("%v", err)
		}
	}
	if err := t.Render(); err != nil {
		return failed("%v", err)
	}
	return nil
}

func dtypes(ds []ir.DType) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ",")
}

func describeKernel(w io.Writer, k *kernels.Kernel, target string) error {
	fmt.Fprintf(w, "%s: %s\n\ndtypes: %s (default %s)\n\nparameters (--shape k=v,...):\n", k.Name, k.Summary, dtypes(k.DTypes), k.DTypes[0])
	for _, p := range k.Params {
		fmt.Fprintf(w, "  %-8s default %-6d %s\n", p.Name, p.Default, p.Doc)
	}
	p, err := k.Problem(nil, ir.Invalid)
	if err != nil {
		return failed("%v", err)
	}
	p.Target = target
	fmt.Fprintf(w, "\ntuning space for the default problem on %s (--config k=v,...; tuned: %s):\n", target, strings.Join(k.Tuned, ", "))
	for _, c := range k.Space(p) {
		fmt.Fprintf(w, "  %s\n", c)
	}
	return nil
}
