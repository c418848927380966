package device_test

import (
	"os"
	"testing"

	"github.com/tilec/tilec/cuda"
	"github.com/tilec/tilec/cuda/cudatest"
)

// Package cuda loads one driver per process, so every test here runs
// against the same fake driver (TILEC_LIBCUDA, when set, names another):
// built once, before the tests.
var (
	fake    *cudatest.Fake
	noFake  error // why there is none
	fakeDir string
)

func TestMain(m *testing.M) {
	path := os.Getenv(cuda.EnvLibCUDA)
	if path == "" {
		if fakeDir, noFake = os.MkdirTemp("", "fakecuda"); noFake == nil {
			path, noFake = cudatest.Build(fakeDir)
		}
		if noFake == nil {
			noFake = os.Setenv(cuda.EnvLibCUDA, path)
		}
	}
	if noFake == nil {
		fake, noFake = cudatest.OpenFake(path)
	}
	code := m.Run()
	if fakeDir != "" {
		_ = os.RemoveAll(fakeDir)
	}
	os.Exit(code)
}

// fakeDriver returns the fake driver, or skips t when it could not be
// built (no gcc: CI installs it).
func fakeDriver(t *testing.T) *cudatest.Fake {
	t.Helper()
	if noFake != nil {
		t.Skipf("no fake CUDA driver: %v", noFake)
	}
	return fake
}
