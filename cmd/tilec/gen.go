package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/autotune"
	"github.com/tilec/tilec/gen"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/runtime"
)

func init() { rootCmd.AddCommand(newGenCmd()) }

func newGenCmd() *cobra.Command {
	var shapes, dtypes []string
	var targets, config, out, pkg, device, backend string
	var fromCache bool
	cmd := &cobra.Command{
		Use:   "gen KERNEL -o DIR --package NAME [--shape k=v,...]... [--dtype D]... [--target sm_80,sm_90]",
		Short: "Write a Go package that embeds the tuned PTX of a kernel and a typed launcher per kernel",
		Long: `gen compiles KERNEL for each problem (--shape, repeatable; each with every
--dtype) and target, with the config tuning picks (tuned now, or read from
the tuning cache with --from-cache, or fixed with --config), and writes a
Go package to DIR: a typed launcher per kernel that the problem launches,
which picks the variant that fits its arguments and computes the grid
itself; every variant's PTX; and a test that runs each variant on the
emulator against the float64 reference. The package imports only
tilec's runtime. Use it with //go:generate.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k := kernels.Lookup(args[0])
			if k == nil {
				return badInput("unknown kernel %q (kernels: %s)", args[0], kernels.Names())
			}
			if _, err := tuneDevice(device); err != nil {
				return err
			}
			if err := gen.CheckPackageName(pkg); err != nil {
				return badInput("--package: %v", err)
			}
			if out == "" {
				return badInput("-o DIR is required")
			}
			if err := checkOutputDir(out, gen.FileNames(pkg)); err != nil {
				return err
			}
			var ts []tilec.Target
			for _, t := range strings.Split(targets, ",") {
				tt := tilec.Target(strings.TrimSpace(t))
				if _, err := tt.SM(); err != nil {
					return badInput("--target: %v", err)
				}
				ts = append(ts, tt)
			}
			opts, err := compileOptions(backend, "")
			if err != nil {
				return err
			}
			var fixed ir.Config
			if config != "" {
				m, err := kernels.ParseAssignments(config)
				if err != nil {
					return badInput("--config: %v", err)
				}
				fixed = ir.Config(m)
			}
			if len(shapes) == 0 {
				shapes = []string{""}
			}
			if len(dtypes) == 0 {
				dtypes = []string{k.DTypes[0].String()}
			}
			cache, err := autotune.OpenCache("")
			if err != nil {
				return failed("%v", err)
			}
			var probs []gen.Problem
			for _, s := range shapes {
				sizes, err := kernels.ParseAssignments(s)
				if err != nil {
					return badInput("--shape: %v", err)
				}
				for _, d := range dtypes {
					dt, err := ir.ParseDType(d)
					if err != nil {
						return badInput("--dtype: %v", err)
					}
					p, err := k.Problem(sizes, dt)
					if err != nil {
						return badInput("%v", err)
					}
					cfg := fixed
					if cfg == nil {
						to := autotune.Options{Device: device, Cache: cache, Backend: opts.Backend}
						if fromCache {
							hit, ok, err := autotune.Cached(k, p, to)
							if err != nil {
								return failed("%v", err)
							}
							if !ok {
								return failed("%s %s is not in the tuning cache: run tilec tune first, or drop --from-cache", k.Name, p)
							}
							cfg = hit
						} else {
							res, err := autotune.Tune(k, p, to)
							if err != nil {
								return failed("tuning %s %s: %v", k.Name, p, err)
							}
							if res.Best == nil {
								return failed("tuning %s %s: no config passed", k.Name, p)
							}
							cfg = res.Best.Config
						}
					}
					probs = append(probs, gen.Problem{Problem: p, Config: cfg})
				}
			}
			files, err := gen.Generate(gen.Options{Kernel: k, Problems: probs, Targets: ts, Package: pkg, Backend: opts.Backend})
			if err != nil {
				return failed("%v", err)
			}
			if err := writePackage(out, files); err != nil {
				return err
			}
			names := make([]string, 0, len(files))
			for n := range files {
				names = append(names, n)
			}
			sort.Strings(names)
			fmt.Fprintf(cmd.OutOrStdout(), "wrote package %s to %s: %s\n", pkg, out, strings.Join(names, ", "))
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&shapes, "shape", nil, "a problem, k=v,... (repeatable; default: the kernel's default problem)")
	cmd.Flags().StringArrayVar(&dtypes, "dtype", nil, "an element type (repeatable; default: the kernel's first)")
	defaultTargets := make([]string, len(gen.DefaultTargets))
	for i, t := range gen.DefaultTargets {
		defaultTargets[i] = string(t)
	}
	cmd.Flags().StringVar(&targets, "target", strings.Join(defaultTargets, ","), "architectures to compile for, comma-separated (sm_80, sm_86, sm_89, sm_90, sm_90a); a GPU runs the newest it can")
	cmd.Flags().StringVar(&config, "config", "", "use this config instead of tuning")
	cmd.Flags().BoolVar(&fromCache, "from-cache", false, "take the configs from the tuning cache instead of tuning")
	cmd.Flags().StringVar(&device, "device", runtime.DeviceAuto, "where to tune: gpu, emu or auto")
	cmd.Flags().StringVarP(&out, "output", "o", "", "the package's directory")
	cmd.Flags().StringVar(&pkg, "package", "", "the package's name")
	cmd.Flags().StringVar(&backend, "backend", "", "LLVM IR to PTX: own or llc (default "+tilec.DefaultBackend+")")
	return cmd
}

// checkOutputDir refuses a directory holding files other than ours:
// tilec gen only ever replaces what it wrote.
func checkOutputDir(dir string, ours []string) error {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return badInput("output directory: %v", err)
	}
	var stray []string
	for _, e := range entries {
		if !slices.Contains(ours, e.Name()) {
			stray = append(stray, e.Name())
		}
	}
	if len(stray) > 0 {
		return badInput("output directory %s holds other files (%s): give an empty or new directory", dir, strings.Join(stray, ", "))
	}
	return nil
}

// writePackage writes the package's files to dir.
func writePackage(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return failed("%v", err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return failed("%v", err)
		}
	}
	return nil
}
