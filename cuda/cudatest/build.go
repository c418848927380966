// Package cudatest builds and inspects the fake CUDA driver
// (cuda/testdata/fakecuda.c) that tests of packages using package cuda run
// against on machines without a GPU.
//
// The fake is compiled with the machine's gcc at test time; FakeDriver skips
// the test when gcc is missing. Point the code under test at the result with
// TILEC_LIBCUDA (cuda.EnvLibCUDA) or cuda.Open(path), and open the same file
// with OpenFake to read what the binding passed to the driver.
package cudatest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// ErrNoCompiler is returned by Build when gcc is not on PATH.
var ErrNoCompiler = errors.New("cudatest: gcc not found on PATH; the fake CUDA driver cannot be built")

// Source returns the path of fakecuda.c, found next to this package's source
// (the tests of any package of the module run from the module's source tree).
func Source() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cudatest: cannot locate the package source")
	}
	src := filepath.Join(filepath.Dir(file), "..", "testdata", "fakecuda.c")
	if _, err := os.Stat(src); err != nil {
		return "", fmt.Errorf("cudatest: fake driver source: %w", err)
	}
	return src, nil
}

// Build compiles the fake driver into dir/libcuda.so.1 and returns that
// path. defines are preprocessor symbols (without -D) selecting a variant,
// e.g. "FAKE_NO_ELAPSED_V2".
func Build(dir string, defines ...string) (string, error) {
	if runtime.GOOS != "linux" {
		return "", fmt.Errorf("cudatest: the fake driver is a Linux shared library; this is %s", runtime.GOOS)
	}
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return "", ErrNoCompiler
	}
	src, err := Source()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, "libcuda.so.1")
	args := []string{"-shared", "-fPIC", "-O1", "-pthread", "-o", out}
	for _, d := range defines {
		args = append(args, "-D"+d)
	}
	args = append(args, src)
	if msg, err := exec.Command(gcc, args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("cudatest: gcc %s: %w\n%s", strings.Join(args, " "), err, msg)
	}
	return out, nil
}

// FakeDriver builds the fake driver (with the given variant defines) into a
// temporary directory of tb and returns its path. It skips tb when gcc is
// missing or the system is not Linux, and fails it when the build fails. Deleting the file at the end of
// the test is harmless: a loaded library stays mapped.
func FakeDriver(tb testing.TB, defines ...string) string {
	tb.Helper()
	if runtime.GOOS != "linux" {
		tb.Skip("the fake CUDA driver is a Linux shared library")
	}
	path, err := Build(tb.TempDir(), defines...)
	if errors.Is(err, ErrNoCompiler) {
		tb.Skip(err.Error())
	}
	if err != nil {
		tb.Fatal(err)
	}
	return path
}
