package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tilec/tilec/ir"
)

func init() { rootCmd.AddCommand(newCompileCmd()) }

func newCompileCmd() *cobra.Command {
	var pf problemFlags
	var emit, out, dumpAfter string
	var generic, locs bool
	cmd := &cobra.Command{
		Use:   "compile KERNEL",
		Short: "Compile a kernel for a problem and config and print a stage's text",
		Long: `compile builds KERNEL's tile IR for the problem (--shape, --dtype), binds the
config (--config) and prints the result. --emit tir prints the specialized
tile IR of every kernel the problem launches; with --generic it prints the
kernels before specialization, with their constexpr meta-parameters.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if emit != "tir" {
				return badInput("--emit %s: only tir is available (the tile IR)", emit)
			}
			r, err := pf.resolve(args[0])
			if err != nil {
				return err
			}
			var sb strings.Builder
			opts := ir.PrintOptions{Locs: locs}
			seen := map[*ir.Func]bool{}
			if generic {
				for _, l := range r.plan.Launches {
					if !seen[l.Kernel] {
						seen[l.Kernel] = true
						sb.WriteString(ir.Print(l.Kernel, opts))
					}
				}
			} else {
				for _, l := range r.plan.Launches {
					if seen[l.Kernel] {
						continue
					}
					seen[l.Kernel] = true
					var dump strings.Builder
					passes := ir.PassOptions{Verify: true, DumpAfter: dumpAfter}
					if dumpAfter != "" {
						passes.Dump = &dump
					}
					f, err := ir.SpecializeWith(l.Kernel, l.Config, passes)
					if err != nil {
						return badInput("%v", err)
					}
					fmt.Fprintf(&sb, "// grid %v\n", l.Grid)
					sb.WriteString(dump.String())
					sb.WriteString(ir.Print(f, opts))
				}
			}
			return writeOutput(cmd.OutOrStdout(), out, sb.String())
		},
	}
	pf.add(cmd)
	cmd.Flags().StringVar(&emit, "emit", "tir", "what to print: tir")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().BoolVar(&generic, "generic", false, "print the kernels before binding the config")
	cmd.Flags().BoolVar(&locs, "locs", false, "annotate each op with the Go source line that built it")
	cmd.Flags().StringVar(&dumpAfter, "dump-after", "", "also print the IR after this pass (fold, cse, dce, or all)")
	return cmd
}

// writeOutput writes text to path, or to w when path is empty.
func writeOutput(w io.Writer, path, text string) error {
	if path == "" {
		_, err := io.WriteString(w, text)
		return err
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return failed("%v", err)
	}
	return nil
}
