package main

import (
	"bytes"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tilec/tilec/cuda"
	"github.com/tilec/tilec/cuda/cudatest"
)

// runDoctor runs `tilec doctor` through the CLI entry point and returns the
// exit code and what it printed.
func runDoctor(t *testing.T) (int, string) {
	t.Helper()
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	t.Cleanup(func() { rootCmd.SetOut(nil) })
	code := run([]string{"doctor"})
	return code, out.String()
}

func TestDoctorWithoutDriver(t *testing.T) {
	t.Setenv(cuda.EnvLibCUDA, "/nonexistent/libcuda.so.1")
	code, out := runDoctor(t)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "TILEC_LIBCUDA=/nonexistent/libcuda.so.1 (only this library is tried)")
	assert.Contains(t, out, "not found; looked for libcuda.so.1:\n    /nonexistent/libcuda.so.1: ")
	assert.Contains(t, out, "No such file or directory")
	assert.Contains(t, out, "missing: the NVIDIA driver's libcuda.so.1")
	assert.Contains(t, out, "tilec will use the built-in PTX emulator.")
	assert.NotContains(t, out, "GPUs:")
}

func TestDoctorSearchList(t *testing.T) {
	// Without the override every place of the search is listed. This
	// machine may have a driver; only when it has none is the list printed.
	t.Setenv(cuda.EnvLibCUDA, "")
	var nf *cuda.NotFoundError
	if _, err := cuda.Open(""); !errors.As(err, &nf) {
		t.Skip("a CUDA driver is installed here")
	}
	code, out := runDoctor(t)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "TILEC_LIBCUDA is not set")
	assert.Contains(t, out, "    libcuda.so.1 (dynamic loader search: LD_LIBRARY_PATH, /etc/ld.so.cache, /lib, /usr/lib): ")
	for _, dir := range cuda.SearchDirs() {
		assert.Contains(t, out, "    "+dir+"/libcuda.so.1: ")
	}
	assert.Contains(t, out, "tilec will use the built-in PTX emulator.")
}

func TestDoctorWithFakeDriver(t *testing.T) {
	path := cudatest.FakeDriver(t)
	t.Setenv(cuda.EnvLibCUDA, path)
	code, out := runDoctor(t)
	assert.Equal(t, exitOK, code)
	for _, want := range []string{
		"  library: " + path + "\n",
		"  driver version: 13.0 (13000)\n",
		"GPUs: 2\n",
		"  GPU 0: Fake H100\n",
		"    compute capability: 9.0 (sm_90)\n",
		"    multiprocessors: 132\n",
		"    memory: 80 GiB, 5120-bit bus\n",
		"    shared memory per block: 48 KiB, up to 227 KiB with opt-in\n",
		"    shared memory per multiprocessor: 228 KiB\n",
		"    L2 cache: 50 MiB\n",
		"    registers: 65536 per block, 65536 per multiprocessor\n",
		"    PCI: 0000:1b:00.0\n",
		"  GPU 1: Fake A100\n",
		"    compute capability: 8.0 (sm_80)\n",
		"Device: tilec will run kernels on GPU 0 (Fake H100).\n",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "emulator")
}

func TestDoctorDriverWithoutGPU(t *testing.T) {
	path := cudatest.FakeDriver(t)
	t.Setenv(cuda.EnvLibCUDA, path)
	t.Setenv("FAKECUDA_INIT_RESULT", "100") // CUDA_ERROR_NO_DEVICE, as on a machine whose GPU is gone
	code, out := runDoctor(t)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "  driver version: 13.0 (13000)\n")
	assert.Contains(t, out, "  cuInit failed: cuInit: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected\n")
	assert.Contains(t, out, "  missing: a GPU the driver can see")
	assert.Contains(t, out, "tilec will use the built-in PTX emulator.")
}

func TestDoctorRejectsArguments(t *testing.T) {
	rootCmd.SetOut(new(bytes.Buffer))
	rootCmd.SetErr(new(bytes.Buffer))
	t.Cleanup(func() { rootCmd.SetOut(nil); rootCmd.SetErr(nil) })
	assert.Equal(t, exitBadInput, run([]string{"doctor", "extra"}))
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[uint64]string{
		0:           "0 bytes",
		1023:        "1023 bytes",
		48 << 10:    "48 KiB",
		232448:      "227 KiB",
		1536:        "1.5 KiB",
		50 << 20:    "50 MiB",
		80 << 30:    "80 GiB",
		84987740160: "79.2 GiB",
	} {
		assert.Equal(t, want, formatBytes(n), "%d", n)
	}
}
