package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/autotune"
	"github.com/tilec/tilec/ir"
)

// runCLI runs the CLI in process and returns the exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&errOut)
	stderr := os.Stderr
	r, w, err := os.Pipe()
	require.NoError(t, err)
	os.Stderr = w
	code := run(args)
	w.Close()
	os.Stderr = stderr
	var captured bytes.Buffer
	_, _ = captured.ReadFrom(r)
	rootCmd.SetOut(nil)
	rootCmd.SetErr(nil)
	return code, out.String(), errOut.String() + captured.String()
}

func TestRunShippedKernelsOnTheInterpreter(t *testing.T) {
	for _, args := range [][]string{
		{"run", "flash", "--device", "interp", "--shape", "B=1,H=2,N=100,D=64", "--dtype", "f16"},
		{"run", "rope", "--device", "interp"},
		{"run", "moe", "--device", "interp"},
		{"run", "vector_add", "--shape", "N=257", "--config", "BLOCK=128", "--seed", "9"},
	} {
		code, out, errs := runCLI(t, args...)
		require.Equalf(t, exitOK, code, "%v: %s%s", args, out, errs)
		assert.Contains(t, out, "max abs err")
		assert.Contains(t, out, "rel L2 err")
		assert.Contains(t, out, "tolerance")
		assert.NotContains(t, out, "FAIL")
	}
}

func TestBadInputIsExitTwoWithOneLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "nope"}, `unknown kernel "nope"`},
		{[]string{"run", "flash", "--shape", "N=x"}, `"x" is not an integer`},
		{[]string{"run", "flash", "--shape", "Q=1"}, "flash has no parameter Q"},
		{[]string{"run", "flash", "--shape", "D=48"}, "head dim D=48 is not supported"},
		{[]string{"run", "flash", "--config", "BLOCK_M=96,BLOCK_N=32"}, "BLOCK_M=96 must be a power of two"},
		{[]string{"run", "flash", "--shape", "causal=1", "--config", "BLOCK_M=32,BLOCK_N=64"}, "needs BLOCK_N=64 to divide BLOCK_M=32"},
		{[]string{"run", "matmul", "--config", "BLOCK_M=64"}, "has no BLOCK_N"},
		{[]string{"run", "flash", "--dtype", "f32"}, "flash does not support dtype f32"},
		{[]string{"run", "flash", "--dtype", "half"}, `unknown dtype "half"`},
		{[]string{"run", "flash", "--device", "tpu"}, "--device tpu: unknown device"},
		{[]string{"run", "flash", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"compile", "flash", "--emit", "sass"}, "--emit sass"},
		{[]string{"kernels", "nope"}, `unknown kernel "nope"`},
		{[]string{"frobnicate"}, "unknown command"},
	} {
		code, out, errs := runCLI(t, c.args...)
		assert.Equalf(t, exitBadInput, code, "%v", c.args)
		assert.Containsf(t, errs, c.want, "%v", c.args)
		assert.NotContains(t, errs, "panic")
		assert.NotContains(t, errs, "goroutine")
		_ = out
	}
}

func TestCompileEmitsTileIR(t *testing.T) {
	code, out, errs := runCLI(t, "compile", "flash", "--shape", "causal=1", "--config", "BLOCK_M=64,BLOCK_N=32")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "kernel @attn_fwd_causal(")
	assert.Contains(t, out, "config(BLOCK_M = 64, BLOCK_N = 32, HEAD_DIM = 64")
	assert.Contains(t, out, "dot")

	code, out, _ = runCLI(t, "compile", "softmax", "--generic")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "constexpr(BLOCK_M, BLOCK_N)")

	path := filepath.Join(t.TempDir(), "moe.tir")
	code, _, errs = runCLI(t, "compile", "moe", "-o", path, "--dump-after", "dce")
	require.Equal(t, exitOK, code, errs)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), "// after dce")
	assert.Contains(t, string(b), "kernel @moe_dispatch(")
}

func TestKernelsListsAndDescribes(t *testing.T) {
	code, out, _ := runCLI(t, "kernels")
	require.Equal(t, exitOK, code)
	for _, name := range []string{"flash", "rope", "moe", "vector_add", "softmax", "matmul"} {
		assert.Contains(t, out, name)
	}
	code, out, _ = runCLI(t, "kernels", "flash")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "HKV")
	assert.Contains(t, out, "BLOCK_M=128,BLOCK_N=64")
}

func TestTuneAndCache(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	code, out, errs := runCLI(t, "tune", "rope", "--device", "emu", "--quiet")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "best BLOCK_H=")
	assert.Contains(t, out, "warp instr")
	path := filepath.Join(t.TempDir(), "tune.json")
	code, out, errs = runCLI(t, "tune", "rope", "--device", "emu", "--quiet", "--json", path)
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "(from the cache)")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"FromCache": true`)
	code, out, _ = runCLI(t, "cache", "ls")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "1 entries")
	code, out, _ = runCLI(t, "cache", "clear")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "removed 1 entries")
	code, _, errs = runCLI(t, "tune", "rope", "--strategy", "random")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errs, "--strategy random")
}

func TestRunOnEmulatorWithCounters(t *testing.T) {
	code, out, errs := runCLI(t, "run", "flash", "--device", "emu", "--shape", "B=1,H=2,N=100,D=64", "--dtype", "f16", "--counters")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "device emu")
	assert.Contains(t, out, "mma ")
	code, out, errs = runCLI(t, "compile", "vector_add", "--emit", "ptx")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, ".entry vector_add(")
	code, out, _ = runCLI(t, "compile", "vector_add", "--emit", "ptx", "--backend", "llc")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, ".visible .entry vector_add(")
	code, out, _ = runCLI(t, "compile", "softmax", "--emit", "gpu")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "blocked<")
	code, out, _ = runCLI(t, "compile", "softmax", "--emit", "ll")
	require.Equal(t, exitOK, code)
	assert.Contains(t, out, "!nvvm.annotations")
	code, _, errs = runCLI(t, "run", "vector_add", "--target", "sm_52")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errs, "--target")
}

func TestGenWritesAPackage(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := filepath.Join(t.TempDir(), "rotary")
	code, _, errs := runCLI(t, "gen", "rope", "--from-cache", "-o", dir, "--package", "rotary")
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errs, "is not in the tuning cache: run tilec tune first")

	code, _, errs = runCLI(t, "tune", "rope", "--device", "emu", "--quiet", "--shape", "T=50")
	require.Equal(t, exitOK, code, errs)
	code, out, errs := runCLI(t, "gen", "rope", "--shape", "T=50", "--from-cache", "--target", "sm_80,sm_90", "-o", dir, "--package", "rotary")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "wrote package rotary")
	first, err := os.ReadFile(filepath.Join(dir, "ptx.go"))
	require.NoError(t, err)
	assert.Contains(t, string(first), "for sm_90")
	// Regenerating into the package's own directory is allowed and
	// gives the same bytes.
	code, _, errs = runCLI(t, "gen", "rope", "--shape", "T=50", "--from-cache", "--target", "sm_80,sm_90", "-o", dir, "--package", "rotary")
	require.Equal(t, exitOK, code, errs)
	again, err := os.ReadFile(filepath.Join(dir, "ptx.go"))
	require.NoError(t, err)
	assert.Equal(t, first, again)
	src, err := os.ReadFile(filepath.Join(dir, "rotary.go"))
	require.NoError(t, err)
	assert.Contains(t, string(src), "func RopeNeoxPosCache(dev runtime.Device, q runtime.DevicePtr")
}

func TestGenBadInput(t *testing.T) {
	busy := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(busy, "main.go"), []byte("package main\n"), 0o644))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"gen", "nope", "-o", t.TempDir(), "--package", "p"}, `unknown kernel "nope"`},
		{[]string{"gen", "rope", "-o", t.TempDir(), "--package", "my-rope"}, `"my-rope" is not a valid Go package name`},
		{[]string{"gen", "rope", "-o", t.TempDir(), "--package", "type"}, `"type" is not a valid Go package name`},
		{[]string{"gen", "rope", "--package", "p"}, "-o DIR is required"},
		{[]string{"gen", "rope", "--config", "BLOCK_H=4", "-o", busy, "--package", "p"}, "holds other files (main.go)"},
		{[]string{"gen", "rope", "--target", "sm_12", "-o", t.TempDir(), "--package", "p"}, "--target"},
		{[]string{"gen", "rope", "--dtype", "half", "-o", t.TempDir(), "--package", "p"}, `unknown dtype "half"`},
	} {
		code, _, errs := runCLI(t, c.args...)
		assert.Equalf(t, exitBadInput, code, "%v: %s", c.args, errs)
		assert.Containsf(t, errs, c.want, "%v", c.args)
	}
	entries, err := os.ReadDir(busy)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "a refused directory is left alone")
}

// What compile --emit gpu writes, compile reads back: the same PTX, and the
// same GPU-level text; a .tir file compiles too.
func TestCompileFromGPULevelText(t *testing.T) {
	dir := t.TempDir()
	gpuFile, tirFile := filepath.Join(dir, "flash.gpu"), filepath.Join(dir, "flash.tir")
	args := []string{"flash", "--shape", "B=1,H=2,N=256,D=64"}
	code, _, errs := runCLI(t, append([]string{"compile", "--emit", "gpu", "-o", gpuFile}, args...)...)
	require.Equal(t, exitOK, code, errs)
	code, want, errs := runCLI(t, append([]string{"compile", "--emit", "ptx"}, args...)...)
	require.Equal(t, exitOK, code, errs)
	code, got, errs := runCLI(t, "compile", gpuFile, "--emit", "ptx")
	require.Equal(t, exitOK, code, errs)
	assert.Equal(t, want, got)
	src, err := os.ReadFile(gpuFile)
	require.NoError(t, err)
	code, again, errs := runCLI(t, "compile", gpuFile, "--emit", "gpu")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, string(src), again, "the text prints back (after the grid comment)")

	code, _, errs = runCLI(t, append([]string{"compile", "--emit", "tir", "-o", tirFile}, args...)...)
	require.Equal(t, exitOK, code, errs)
	// A .tir file says nothing about the launch (no alignment facts): no
	// 16-byte accesses, so no cp.async, but ldmatrix for the operands.
	code, out, errs := runCLI(t, "compile", tirFile, "--emit", "gpu", "--verify-each")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "ldmatrix")

	// Broken input is the user's, named by file and line.
	require.NoError(t, os.WriteFile(gpuFile, []byte(strings.Replace(string(src), "vec = 8", "vec = 32", 1)), 0o644))
	code, _, errs = runCLI(t, "compile", gpuFile, "--emit", "ptx")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errs, "flash.gpu:")
	assert.Contains(t, errs, "vec 32")
}

// --dump-after names any pass of either level, --verify-each runs the
// verifier after each.
func TestCompileDumpsAfterGPUPasses(t *testing.T) {
	code, out, errs := runCLI(t, "compile", "matmul", "--emit", "ptx", "--dump-after", "all", "--verify-each")
	require.Equal(t, exitOK, code, errs)
	for _, p := range []string{"layouts", "remat", "vectorize", "pipeline", "resident", "exchange", "alloc"} {
		assert.Contains(t, out, "// after "+p+"\n")
	}
	assert.Contains(t, out, ".entry matmul(")
	code, out, errs = runCLI(t, "compile", "matmul", "--emit", "gpu", "--dump-after", "pipeline")
	require.Equal(t, exitOK, code, errs)
	assert.Equal(t, 1, strings.Count(out, "// after "))
	assert.Contains(t, out, "async_copy %")
	code, _, errs = runCLI(t, "compile", "matmul", "--dump-after", "nosuch")
	assert.Equal(t, exitBadInput, code)
	assert.Contains(t, errs, "no such pass (tile IR: fold, cse, dce; GPU level: layouts")
}

// An internal compiler error says it is one; -v shows its stack.
func TestInternalErrorReport(t *testing.T) {
	err := fmt.Errorf("kernel k: %w", &ir.InternalError{Stage: "pipeline", Value: "index out of range", Stack: "goroutine 1:\ngpu.pipeline(...)\n"})
	var sb strings.Builder
	assert.Equal(t, exitFailure, report(&sb, err))
	assert.Contains(t, sb.String(), "tilec: kernel k: internal compiler error in pass pipeline: index out of range")
	assert.Contains(t, sb.String(), "-v shows where")
	assert.NotContains(t, sb.String(), "goroutine")
	verbose = true
	defer func() { verbose = false }()
	sb.Reset()
	report(&sb, err)
	assert.Contains(t, sb.String(), "gpu.pipeline(...)")
}

// A config that failed on a bug in tilec says so in the tuning report; -v
// shows where.
func TestTuneReportsInternalErrors(t *testing.T) {
	res := &autotune.Result{All: []*autotune.Candidate{
		{Config: ir.Config{"BLOCK": 64}, Status: autotune.Failed, Reason: "compile k: internal compiler error in pass remat: boom",
			Trace: "internal compiler error in pass remat: boom\ngoroutine 7:\ngpu.rematerialize(...)\n"},
		{Config: ir.Config{"BLOCK": 128}, Status: autotune.Passed},
	}}
	var sb strings.Builder
	printTraces(&sb, res)
	assert.Equal(t, "BLOCK=64 failed on a bug in tilec (an internal compiler error); -v shows where\n", sb.String())
	verbose = true
	defer func() { verbose = false }()
	sb.Reset()
	printTraces(&sb, res)
	assert.Contains(t, sb.String(), "BLOCK=64: internal compiler error in pass remat: boom\ngoroutine 7:\ngpu.rematerialize(...)")
	assert.NotContains(t, sb.String(), "BLOCK=128")
}
