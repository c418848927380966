package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/gpu"
	"github.com/tilec/tilec/internal/arch"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

func init() { rootCmd.AddCommand(newCompileCmd()) }

func newCompileCmd() *cobra.Command {
	var pf problemFlags
	var emit, out, dumpAfter, backend, target string
	var generic, locs, verifyEach bool
	cmd := &cobra.Command{
		Use:   "compile KERNEL|FILE",
		Short: "Compile a kernel for a problem and config and print a stage's text",
		Long: `compile builds KERNEL's tile IR for the problem (--shape, --dtype), binds the
config (--config) and prints one stage's text for every kernel the problem
launches:

  tir  the specialized tile IR (--generic: before binding the config)
  gpu  the kernel at the GPU level: every tile typed by its layout, shared
       memory, async copies and barriers explicit (package gpu's passes)
  ll   the LLVM IR codegen emits
  ptx  the PTX (--backend own: tilec's backend; llc: LLVM's llc-14)

Instead of a kernel name, FILE may hold what --emit tir or --emit gpu
printed (specialized kernels): it is compiled from there, and the GPU level's
text gives the same PTX it came from.

--dump-after PASS also prints the kernel after one pass: the tile IR's
(` + strings.Join(tilePassNames(), ", ") + `) or the GPU level's (` + gpu.Names() + `), or all.
--verify-each runs the verifier after every pass of both.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch emit {
			case "tir", "gpu", "ll", "ptx":
			default:
				return badInput("--emit %s: want tir, gpu, ll or ptx", emit)
			}
			if err := checkDumpAfter(dumpAfter); err != nil {
				return err
			}
			opts, err := compileOptions(backend, target)
			if err != nil {
				return err
			}
			if opts.Target == arch.Auto { // no GPU to ask: the default
				opts.Target = tilec.DefaultTarget
			}
			var dump strings.Builder
			opts.VerifyEach = verifyEach
			if _, isGPU := gpu.Lookup(dumpAfter); isGPU || dumpAfter == "all" {
				opts.DumpAfter, opts.Dump = dumpAfter, &dump
			}
			if isFile(args[0]) {
				text, err := compileFile(args[0], emit, opts, cmd.Flags().Changed("target"))
				if err != nil {
					return err
				}
				return writeOutput(cmd.OutOrStdout(), out, dump.String()+text)
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
				return writeOutput(cmd.OutOrStdout(), out, sb.String())
			}
			for li, l := range r.plan.Launches {
				if seen[l.Kernel] {
					continue
				}
				seen[l.Kernel] = true
				passes := ir.PassOptions{Verify: true}
				if _, isGPU := gpu.Lookup(dumpAfter); dumpAfter != "" && !isGPU {
					passes.DumpAfter, passes.Dump = dumpAfter, &dump
				}
				f, err := ir.SpecializeWith(l.Kernel, l.Config, passes)
				if err != nil {
					return badInput("%v", err)
				}
				if emit == "tir" {
					fmt.Fprintf(&sb, "// grid %v\n", l.Grid)
					sb.WriteString(dump.String())
					dump.Reset()
					sb.WriteString(ir.Print(f, popts))
					continue
				}
				o := opts
				o.Facts = tilec.FactsOf(f, r.plan.NominalArgs(li))
				bin, err := tilec.Compile(f, o)
				if err != nil {
					// What the passes printed before the failure helps find it.
					fmt.Fprint(cmd.ErrOrStderr(), dump.String())
					return compileFailed(err)
				}
				sb.WriteString(dump.String())
				dump.Reset()
				if emit == "gpu" {
					fmt.Fprintf(&sb, "// grid %v, %d threads, %d bytes of shared memory\n", l.Grid, bin.Threads, bin.SharedBytes)
				}
				sb.WriteString(stage(bin, emit))
			}
			return writeOutput(cmd.OutOrStdout(), out, sb.String())
		},
	}
	pf.add(cmd)
	cmd.Flags().StringVar(&emit, "emit", "tir", "what to print: tir, gpu, ll or ptx")
	cmd.Flags().StringVar(&backend, "backend", "", "LLVM IR to PTX: own or llc (default "+tilec.DefaultBackend+")")
	cmd.Flags().StringVar(&target, "target", string(tilec.DefaultTarget), "GPU architecture: sm_80, sm_86, sm_89, sm_90, sm_90a, or auto (without a GPU: "+string(tilec.DefaultTarget)+")")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	cmd.Flags().BoolVar(&generic, "generic", false, "print the kernels before binding the config")
	cmd.Flags().BoolVar(&locs, "locs", false, "annotate each op with the Go source line that built it")
	cmd.Flags().StringVar(&dumpAfter, "dump-after", "", "also print the kernel after this `pass` (see above), or all")
	cmd.Flags().BoolVar(&verifyEach, "verify-each", false, "run the verifier after every pass")
	return cmd
}

// tilePassNames lists the tile IR's passes.
func tilePassNames() []string {
	var names []string
	for _, p := range ir.Pipeline {
		names = append(names, p.Name)
	}
	return names
}

// checkDumpAfter checks that --dump-after names a pass.
func checkDumpAfter(name string) error {
	if name == "" || name == "all" {
		return nil
	}
	if _, ok := gpu.Lookup(name); ok {
		return nil
	}
	for _, n := range tilePassNames() {
		if n == name {
			return nil
		}
	}
	return badInput("--dump-after %s: no such pass (tile IR: %s; GPU level: %s; or all)", name, strings.Join(tilePassNames(), ", "), gpu.Names())
}

// stage is one of a binary's texts.
func stage(bin *tilec.Binary, emit string) string {
	switch emit {
	case "gpu":
		return bin.GPU()
	case "ll":
		return bin.LL()
	}
	return bin.PTX
}

// compileFailed reports a compile error; an internal compiler error says
// where, and (with -v) shows its stack.
func compileFailed(err error) error {
	return failed("%v", err)
}

// maxInputBytes caps what compile reads from a file.
const maxInputBytes = 64 << 20

// isFile reports whether arg names a file rather than a kernel.
func isFile(arg string) bool {
	if kernels.Lookup(arg) != nil {
		return false
	}
	st, err := os.Stat(arg)
	return err == nil && st.Mode().IsRegular()
}

// compileFile compiles the specialized kernels of a .tir or GPU-level text
// file and returns the emitted stage of each.
func compileFile(path, emit string, opts tilec.Options, targetGiven bool) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", failed("%v", err)
	}
	defer fh.Close()
	src, err := io.ReadAll(io.LimitReader(fh, maxInputBytes+1))
	if err != nil {
		return "", failed("%s: %v", path, err)
	}
	if len(src) > maxInputBytes {
		return "", badInput("%s is larger than %d MiB", path, maxInputBytes>>20)
	}
	fs, err := ir.Parse(path, string(src))
	if err != nil {
		return "", badInput("%v", err)
	}
	var sb strings.Builder
	for _, f := range fs {
		if !f.Specialized() {
			return "", badInput("%s: kernel %s has unbound constexprs %s: compile it by name with --config, or from its --emit tir output", path, f.Name, strings.Join(f.Metas, ", "))
		}
		var bin *tilec.Binary
		if f.GPU != nil {
			o := opts
			if !targetGiven {
				o.Target = "" // the kernel's own
			}
			bin, err = tilec.CompileGPU(f, o)
		} else {
			if emit == "tir" {
				sb.WriteString(f.String())
				continue
			}
			bin, err = tilec.Compile(f, opts)
		}
		if err != nil {
			return "", compileFailed(err)
		}
		if emit == "tir" {
			return "", badInput("%s: kernel %s is at the GPU level; --emit gpu, ll or ptx", path, f.Name)
		}
		sb.WriteString(stage(bin, emit))
	}
	return sb.String(), nil
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
// An empty target or auto stays so: a device resolves it to its own
// architecture (compile, which has none, to the default).
func compileOptions(backend, target string) (tilec.Options, error) {
	if _, err := arch.Resolve(target, ""); err != nil {
		return tilec.Options{}, badInput("--target: %v", err)
	}
	t := tilec.Target(target)
	switch backend {
	case "":
		backend = tilec.DefaultBackend
	case tilec.BackendOwn, tilec.BackendLLC:
	default:
		return tilec.Options{}, badInput("--backend %s: want own or llc", backend)
	}
	return tilec.Options{Target: t, Backend: backend}, nil
}
