package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
)

func init() { rootCmd.AddCommand(newCompileCmd()) }

func newCompileCmd() *cobra.Command {
	var pf problemFlags
	var emit, out, dumpAfter, backend, target string
	var generic, locs bool
	cmd := &cobra.Command{
		Use:   "compile KERNEL",
		Short: "Compile a kernel for a problem and config and print a stage's text",
		Long: `compile builds KERNEL's tile IR for the problem (--shape, --dtype), binds the
config (--config) and prints one stage's text for every kernel the problem
launches:

  tir  the specialized tile IR (--generic: before binding the config)
  gpu  the tile IR with the layout codegen gave each value
  ll   the LLVM IR codegen emits
  ptx  the PTX (--backend own: tilec's backend; llc: LLVM's llc-14)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch emit {
			case "tir", "gpu", "ll", "ptx":
			default:
				return badInput("--emit %s: want tir, gpu, ll or ptx", emit)
			}
			opts, err := compileOptions(backend, target)
			if err != nil {
				return err
			}
			r, err := pf.resolve(args[0])
			if err != nil {
				return err
			}
			var sb strings.Builder
			popts := ir.PrintOptions{Locs: locs}
			seen := map[*ir.Func]bool{}
			if generic {
				for _, l := range r.plan.Launches {
					if !seen[l.Kernel] {
						seen[l.Kernel] = true
						sb.WriteString(ir.Print(l.Kernel, popts))
					}
				}
			} else {
				for li, l := range r.plan.Launches {
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
					if emit == "tir" {
						fmt.Fprintf(&sb, "// grid %v\n", l.Grid)
						sb.WriteString(dump.String())
						sb.WriteString(ir.Print(f, popts))
						continue
					}
					o := opts
					o.Facts = tilec.FactsOf(f, r.plan.NominalArgs(li))
					bin, err := tilec.Compile(f, o)
					if err != nil {
						return failed("%v", err)
					}
					switch emit {
					case "gpu":
						fmt.Fprintf(&sb, "// grid %v, %d threads, %d bytes of shared memory\n", l.Grid, bin.Threads, bin.SharedBytes)
						sb.WriteString(bin.GPU())
					case "ll":
						sb.WriteString(bin.LL())
					case "ptx":
						sb.WriteString(bin.PTX)
					}
				}
			}
			return writeOutput(cmd.OutOrStdout(), out, sb.String())
		},
	}
	pf.add(cmd)
	cmd.Flags().StringVar(&emit, "emit", "tir", "what to print: tir, gpu, ll or ptx")
	cmd.Flags().StringVar(&backend, "backend", "", "LLVM IR to PTX: own or llc (default "+tilec.DefaultBackend+")")
	cmd.Flags().StringVar(&target, "target", "sm_80", "GPU architecture: sm_80, sm_86, sm_89, sm_90, sm_90a")
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

// compileOptions checks --backend and --target.
func compileOptions(backend, target string) (tilec.Options, error) {
	t := tilec.Target(target)
	if target != "" {
		if _, err := t.SM(); err != nil {
			return tilec.Options{}, badInput("--target: %v", err)
		}
	}
	switch backend {
	case "":
		backend = tilec.DefaultBackend
	case tilec.BackendOwn, tilec.BackendLLC:
	default:
		return tilec.Options{}, badInput("--backend %s: want own or llc", backend)
	}
	return tilec.Options{Target: t, Backend: backend}, nil
}
