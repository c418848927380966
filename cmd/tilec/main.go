// Command tilec compiles, runs and autotunes tile kernels.
//
// Each subcommand lives in its own file and registers itself with the root
// command in an init function, so the command set is the list of files here.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tilec/tilec/autotune"
	"github.com/tilec/tilec/ir"
	_ "github.com/tilec/tilec/kernels/all" // the shipped kernels, in the registry
)

// Exit codes shared by every subcommand.
const (
	exitOK       = 0
	exitFailure  = 1 // the tool ran but something failed (a mismatch, an I/O error)
	exitBadInput = 2 // the user's input was wrong (unknown kernel, bad flag value)
	exitFindings = 3 // the emulator's sanitizer reported findings
)

// exitError carries an exit code to main. Subcommands return it (through
// badInput or failed) instead of calling os.Exit, so deferred cleanup runs.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// badInput wraps err as a user-input error (exit code 2).
func badInput(format string, args ...any) error {
	return &exitError{code: exitBadInput, err: fmt.Errorf(format, args...)}
}

// failed wraps err as a run failure (exit code 1).
func failed(format string, args ...any) error {
	return &exitError{code: exitFailure, err: fmt.Errorf(format, args...)}
}

var rootCmd = &cobra.Command{
	Use:   "tilec",
	Short: "tilec compiles, runs and autotunes tile kernels for NVIDIA GPUs",
	Long: `tilec is a tile-language GPU kernel compiler and autotuner.

Kernels are written in a Go DSL (package ir), lowered through LLVM IR to PTX,
and run on the GPU, on tilec's PTX emulator, or on the tile interpreter.`,
	SilenceUsage:  true,
	SilenceErrors: true,
}

// verbose (-v) shows the stack of an internal compiler error.
var verbose bool

func init() {
	rootCmd.PersistentFlags().BoolVarP(&verbose, "verbose", "v", false, "on an internal compiler error, show where in tilec it happened (the stack)")
}

func main() {
	// A tuning run re-executes tilec to check each config in a child
	// process; such a child serves its job here and exits.
	autotune.WorkerMain()
	os.Exit(run(os.Args[1:]))
}

// run executes the CLI with args and returns the process exit code.
func run(args []string) int {
	resetFlags(rootCmd)
	rootCmd.SetArgs(args)
	// Flag parsing errors are the user's: report them as bad input.
	rootCmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return &exitError{code: exitBadInput, err: err}
	})
	err := rootCmd.Execute()
	if err == nil {
		return exitOK
	}
	return report(os.Stderr, err)
}

// report prints a command's error and returns the exit code for it.
func report(w io.Writer, err error) int {
	fmt.Fprintln(w, "tilec:", err)
	// A bug in tilec: the stack says where (-v).
	var ie *ir.InternalError
	if errors.As(err, &ie) {
		if verbose {
			fmt.Fprintf(w, "\n%s", ie.Stack)
		} else {
			fmt.Fprintln(w, "tilec: this is a bug in tilec; -v shows where it happened")
		}
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if ie != nil {
		return exitFailure
	}
	// Cobra reports unknown commands and wrong argument counts as plain errors.
	return exitBadInput
}

// resetFlags puts every flag back to its default, so that run can be called
// more than once in a process (the tests do) without one call's flags
// leaking into the next.
func resetFlags(c *cobra.Command) {
	reset := func(f *pflag.Flag) {
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			_ = sv.Replace(nil)
		} else {
			_ = f.Value.Set(f.DefValue)
		}
		f.Changed = false
	}
	c.Flags().VisitAll(reset)
	c.PersistentFlags().VisitAll(reset)
	for _, sub := range c.Commands() {
		resetFlags(sub)
	}
}
