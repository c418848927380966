//go:build linux

package cuda

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/cuda/cudatest"
)

// The tests run against the fake driver of testdata/fakecuda.c. TestMain
// builds it once and points TILEC_LIBCUDA at it, so that Load (once per
// process) loads the fake; tests of other variants build their own copy and
// use Open(path). helperEnv marks a re-executed test binary (see
// TestLoadNotFoundInFreshProcess), which must see its own environment.
const helperEnv = "TILEC_CUDA_TEST_HELPER"

var (
	fakePath  string // the default fake driver; "" when it could not be built
	fakeSkip  string // why tests needing the fake skip
	fakeHooks *cudatest.Fake
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "" {
		dir, err := os.MkdirTemp("", "fakecuda-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		code := func() int {
			defer os.RemoveAll(dir)
			fakePath, err = cudatest.Build(dir)
			switch {
			case errors.Is(err, cudatest.ErrNoCompiler):
				fakeSkip = err.Error()
			case err != nil:
				fmt.Fprintln(os.Stderr, err)
				return 1
			default:
				os.Setenv(EnvLibCUDA, fakePath)
				if fakeHooks, err = cudatest.OpenFake(fakePath); err != nil {
					fmt.Fprintln(os.Stderr, err)
					return 1
				}
			}
			return m.Run()
		}()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// needFake skips t when the fake driver could not be built (no gcc).
func needFake(t *testing.T) {
	t.Helper()
	if fakeSkip != "" {
		t.Skip(fakeSkip)
	}
	if os.Getenv(helperEnv) != "" {
		t.Skip("helper process")
	}
}

// fakeDriver returns the process's driver, loaded from the fake.
func fakeDriver(t *testing.T) *Driver {
	t.Helper()
	needFake(t)
	d, err := Load()
	require.NoError(t, err)
	return d
}

// fakeContext returns a retained primary context of fake device 0,
// released when t ends.
func fakeContext(t *testing.T) *Context {
	t.Helper()
	d := fakeDriver(t)
	dev, err := d.Device(0)
	require.NoError(t, err)
	ctx, err := dev.PrimaryContext()
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, ctx.Release()) })
	return ctx
}
