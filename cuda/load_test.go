//go:build linux

package cuda

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/cuda/cudatest"
)

func TestLoadFromEnv(t *testing.T) {
	d := fakeDriver(t)
	assert.Equal(t, fakePath, d.Path(), "dladdr names the file TILEC_LIBCUDA pointed at")
	again, err := Load()
	require.NoError(t, err)
	assert.Same(t, d, again, "Load loads once per process")
	v, err := d.DriverVersion()
	require.NoError(t, err)
	assert.Equal(t, 13000, v)
	assert.Equal(t, "13.0", VersionString(v))
	assert.Equal(t, "12.8", VersionString(12080))
}

func TestSymbolTable(t *testing.T) {
	d := fakeDriver(t)
	seen := map[string]bool{}
	for s := range numSyms {
		spec := symbols[s]
		require.NotEmpty(t, spec.api, "sym %d has no entry in the symbol table", s)
		require.NotEmpty(t, spec.names, spec.api)
		for _, name := range spec.names {
			assert.False(t, seen[name], "%s bound twice", name)
			seen[name] = true
			// The fake must export every name the table can bind, fallbacks
			// included, or the tests would not cover them.
			assert.NotZero(t, fakeHooks.Sym(name), "the fake driver does not export %s", name)
		}
		// The driver binds the first (newest) name when it exists.
		assert.Equal(t, spec.names[0], d.bound[s], spec.api)
		assert.NotZero(t, d.fn[s], spec.api)
	}
	// The versioned names that cuda.h (CUDA 13.0) maps the API to.
	want := map[sym]string{
		symDeviceTotalMem:          "cuDeviceTotalMem_v2",
		symDevicePrimaryCtxRelease: "cuDevicePrimaryCtxRelease_v2",
		symMemAlloc:                "cuMemAlloc_v2",
		symMemFree:                 "cuMemFree_v2",
		symMemGetInfo:              "cuMemGetInfo_v2",
		symMemcpyHtoD:              "cuMemcpyHtoD_v2",
		symMemcpyDtoH:              "cuMemcpyDtoH_v2",
		symMemcpyDtoD:              "cuMemcpyDtoD_v2",
		symMemcpyHtoDAsync:         "cuMemcpyHtoDAsync_v2",
		symMemcpyDtoHAsync:         "cuMemcpyDtoHAsync_v2",
		symMemcpyDtoDAsync:         "cuMemcpyDtoDAsync_v2",
		symMemsetD8:                "cuMemsetD8_v2",
		symMemsetD32:               "cuMemsetD32_v2",
		symStreamDestroy:           "cuStreamDestroy_v2",
		symEventDestroy:            "cuEventDestroy_v2",
		symEventElapsedTime:        "cuEventElapsedTime_v2",
		symLaunchKernel:            "cuLaunchKernel",
		symModuleLoadDataEx:        "cuModuleLoadDataEx",
	}
	for s, name := range want {
		assert.Equal(t, name, d.bound[s])
	}
}

func TestCandidates(t *testing.T) {
	t.Setenv(EnvLibCUDA, "")
	c := candidates()
	require.Len(t, c, 1+len(SearchDirs()))
	assert.Equal(t, LibName, c[0], "the dynamic loader's search comes first")
	assert.Equal(t, "/usr/local/nvidia/lib64/libcuda.so.1", c[1])
	assert.Equal(t, "/usr/lib/wsl/lib/libcuda.so.1", c[len(c)-1])
	assert.Contains(t, c, "/usr/lib64/libcuda.so.1")

	t.Setenv(EnvLibCUDA, "/opt/x/libcuda.so.1")
	assert.Equal(t, []string{"/opt/x/libcuda.so.1"}, candidates(), "an override is the only candidate")
}

func TestOpenNotFound(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope", "libcuda.so.1")
	d, err := Open(missing)
	require.Nil(t, d)
	var nf *NotFoundError
	require.ErrorAs(t, err, &nf)
	require.Len(t, nf.Tried, 1)
	assert.Equal(t, missing, nf.Tried[0].Path)
	assert.Contains(t, nf.Tried[0].Err.Error(), "No such file")
	assert.Contains(t, err.Error(), "cannot load the NVIDIA driver (libcuda.so.1)")
	assert.Contains(t, err.Error(), missing)

	// A file that is no shared library.
	bogus := filepath.Join(t.TempDir(), "libcuda.so.1")
	require.NoError(t, os.WriteFile(bogus, bytes.Repeat([]byte("not an ELF file\n"), 16), 0o644))
	_, err = Open(bogus)
	require.ErrorAs(t, err, &nf)
	assert.Contains(t, nf.Tried[0].Err.Error(), "invalid ELF header", "the loader's reason is kept")
}

// TestLoadNotFoundInFreshProcess runs Load in a new process whose
// TILEC_LIBCUDA names a missing file (this process has loaded the fake
// already, and Load runs once per process).
func TestLoadNotFoundInFreshProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "" {
		_, err := Load()
		fmt.Printf("LOAD ERROR: %v\n", err)
		var nf *NotFoundError
		fmt.Printf("IS NOT FOUND: %v\n", errors.As(err, &nf))
		return
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^TestLoadNotFoundInFreshProcess$", "-test.v")
	cmd.Env = append(os.Environ(), helperEnv+"=1", EnvLibCUDA+"=/nonexistent/libcuda.so.1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "LOAD ERROR: cuda: cannot load the NVIDIA driver (libcuda.so.1); tried: /nonexistent/libcuda.so.1 (")
	assert.Contains(t, string(out), "IS NOT FOUND: true")
}

func TestOpenMissingSymbol(t *testing.T) {
	path := cudatest.FakeDriver(t, "FAKE_NO_LAUNCH")
	_, err := Open(path)
	var nf *NotFoundError
	require.ErrorAs(t, err, &nf)
	var se *SymbolError
	require.ErrorAs(t, nf.Tried[0].Err, &se)
	assert.Equal(t, []string{"cuLaunchKernel"}, se.Missing)
	assert.Contains(t, err.Error(), path+" lacks cuLaunchKernel")
}

func TestElapsedTimeFallsBackToV1(t *testing.T) {
	path := cudatest.FakeDriver(t, "FAKE_NO_ELAPSED_V2")
	d, err := Open(path)
	require.NoError(t, err)
	assert.Equal(t, "cuEventElapsedTime", d.bound[symEventElapsedTime])
	hooks, err := cudatest.OpenFake(path)
	require.NoError(t, err)

	dev, err := d.Device(0)
	require.NoError(t, err)
	ctx, err := dev.PrimaryContext()
	require.NoError(t, err)
	defer func() { require.NoError(t, ctx.Release()) }()
	start, err := ctx.NewEvent(EventDefault)
	require.NoError(t, err)
	end, err := ctx.NewEvent(EventDefault)
	require.NoError(t, err)
	require.NoError(t, start.Record(nil))
	require.NoError(t, end.Record(nil))
	el, err := ElapsedTime(start, end)
	require.NoError(t, err)
	assert.Zero(t, el)
	assert.Equal(t, 1, hooks.ElapsedCalls(false))
	assert.Equal(t, 0, hooks.ElapsedCalls(true))
}

func TestInitError(t *testing.T) {
	needFake(t)
	t.Setenv("FAKECUDA_INIT_RESULT", "100")
	_, err := Open(fakePath)
	var ie *InitError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, 13000, ie.Version, "the version is read even when cuInit fails")
	assert.ErrorIs(t, err, ErrNoDevice)
	assert.Equal(t, "cuda: "+fakePath+" (driver version 13.0): cuInit: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected", err.Error())

	// The toolkit's stub library is no driver: the search goes on, and
	// reports it as one failed candidate.
	t.Setenv("FAKECUDA_INIT_RESULT", "34")
	_, err = Open(fakePath)
	var nf *NotFoundError
	require.ErrorAs(t, err, &nf)
	require.ErrorAs(t, nf.Tried[0].Err, &ie)
	assert.ErrorIs(t, nf.Tried[0].Err, ErrStubLibrary)
}

func TestErrors(t *testing.T) {
	d := fakeDriver(t)
	e := d.newError("cuMemAlloc_v2", ErrOutOfMemory)
	assert.Equal(t, "cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory", e.Error())
	assert.ErrorIs(t, e, ErrOutOfMemory)
	assert.NotErrorIs(t, e, ErrInvalidValue)

	// A code the driver does not know: cuGetErrorName fails, the Go name
	// table or the number stands in.
	e = d.newError("cuFoo", Result(4242))
	assert.Equal(t, "cuFoo: CUresult(4242) (4242): no description from the driver", e.Error())
	e = d.newError("cuFoo", ErrTensorMemoryLeak)
	assert.Equal(t, "CUDA_ERROR_TENSOR_MEMORY_LEAK", e.Name)

	// An error injected into a call surfaces with the call's context.
	ctx := fakeContext(t)
	fakeHooks.Fail("cuMemAlloc_v2", int32(ErrOutOfMemory), 1)
	_, err := ctx.MemAlloc(16)
	require.Error(t, err)
	assert.Equal(t, "cuda: allocate 16 bytes: cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory", err.Error())
	var ce *Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "cuMemAlloc_v2", ce.Call)
	assert.Equal(t, ErrOutOfMemory, ce.Code)
	p, err := ctx.MemAlloc(16)
	require.NoError(t, err, "the failure was injected once")
	require.NoError(t, ctx.MemFree(p))
}
