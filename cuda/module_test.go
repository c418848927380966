//go:build linux

package cuda

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testPTX has the kernels the module, launch and memory tests use. The
// "// fakecuda:" comment sets the attributes the fake reports.
const testPTX = `//
// fakecuda: mixed regs=40 local=16 shared=2048 const=8 maxthreads=512
.version 8.0
.target sm_90
.address_size 64

.visible .entry mixed(
	.param .u64 mixed_param_0,
	.param .s32 mixed_param_1,
	.param .f32 mixed_param_2,
	.param .s64 mixed_param_3,
	.param .f64 mixed_param_4,
	.param .u32 mixed_param_5,
	.param .u16 mixed_param_6,
	.param .u8 mixed_param_7,
	.param .align 8 .b8 mixed_param_8[16]
)
{
	ret;
}

.visible .entry noargs()
{
	ret;
}

.visible .entry fakecuda_fill(
	.param .u64 fakecuda_fill_param_0,
	.param .u32 fakecuda_fill_param_1,
	.param .u32 fakecuda_fill_param_2
)
{
	ret;
}
`

func loadTestModule(t *testing.T, ctx *Context, opts *JITOptions) *Module {
	t.Helper()
	m, err := ctx.LoadModule([]byte(testPTX), opts)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, m.Unload()) })
	return m
}

func TestLoadModule(t *testing.T) {
	ctx := fakeContext(t)
	m := loadTestModule(t, ctx, &JITOptions{MaxRegisters: 64, OptLevel: OptO3, Verbose: true, LogSize: 4096})
	assert.NotZero(t, m.Handle())
	assert.Contains(t, m.InfoLog(), "ptxas info    : Compiling entry function 'mixed' for 'sm_90'")
	assert.Contains(t, m.InfoLog(), "Used 40 registers, 2048 bytes smem, 16 bytes lmem")
	assert.Equal(t, 1500*time.Microsecond, m.CompileTime(), "CU_JIT_WALL_TIME is read back as a float")

	// What reached cuModuleLoadDataEx.
	for opt, want := range map[JITOption]uint64{
		JITMaxRegisters:            64,
		JITOptimizationLevel:       3,
		JITLogVerbose:              1,
		JITErrorLogBufferSizeBytes: 4096,
	} {
		got, ok := fakeHooks.JITOption(int32(opt))
		require.True(t, ok, "option %d not passed", opt)
		assert.Equal(t, want, got, "option %d", opt)
	}
	for _, opt := range []JITOption{JITGenerateLineInfo, JITGenerateDebugInfo} {
		_, ok := fakeHooks.JITOption(int32(opt))
		assert.False(t, ok, "option %d passed though not asked for", opt)
	}

	// Defaults: no optional options, logs still collected.
	m2 := loadTestModule(t, ctx, nil)
	assert.Empty(t, m2.InfoLog())
	_, ok := fakeHooks.JITOption(int32(JITOptimizationLevel))
	assert.False(t, ok)
	v, ok := fakeHooks.JITOption(int32(JITInfoLogBufferSizeBytes))
	require.True(t, ok)
	assert.Equal(t, uint64(defaultLogSize), v)

	_, err := ctx.LoadModule([]byte(testPTX), &JITOptions{OptLevel: 9})
	assert.ErrorContains(t, err, "optimization level")
	_, err = ctx.LoadModule([]byte("garbage"), nil)
	assert.ErrorIs(t, err, ErrInvalidImage)
}

func TestLoadModuleJITError(t *testing.T) {
	ctx := fakeContext(t)
	ptx := strings.Replace(testPTX, "\tret;\n}\n\n.visible .entry noargs", "\tFAKE_JIT_ERROR;\n}\n\n.visible .entry noargs", 1)
	line := 1 + strings.Count(ptx[:strings.Index(ptx, "FAKE_JIT_ERROR")], "\n")
	require.Equal(t, 19, line)

	_, err := ctx.LoadModule([]byte(ptx), nil)
	var je *JITError
	require.ErrorAs(t, err, &je)
	assert.ErrorIs(t, err, ErrInvalidPTX)
	assert.Equal(t, line, je.Line)
	assert.Equal(t, []Diagnostic{{line, "error", "Unknown symbol 'FAKE_JIT_ERROR'"}}, je.Diagnostics)
	assert.Equal(t, "cuModuleLoadDataEx: CUDA_ERROR_INVALID_PTX (218): a PTX JIT compilation failed: "+
		"ptxas application ptx input, line 19; error   : Unknown symbol 'FAKE_JIT_ERROR'\n"+
		"ptxas fatal   : Ptx assembly aborted due to errors", err.Error())
	assert.Equal(t, "ptxas info    : 0 bytes gmem", je.InfoLog, "the info log is kept too")

	// A small log buffer truncates the log at the size the driver reports.
	_, err = ctx.LoadModule([]byte(ptx), &JITOptions{LogSize: 60})
	require.ErrorAs(t, err, &je)
	assert.Equal(t, "ptxas application ptx input, line 19; error   : Unknown sym", je.ErrorLog)
	assert.Equal(t, line, je.Line)
}

func TestFunctions(t *testing.T) {
	ctx := fakeContext(t)
	m := loadTestModule(t, ctx, nil)
	f, err := m.Function("mixed")
	require.NoError(t, err)
	assert.Equal(t, "mixed", f.Name())
	assert.NotZero(t, f.Handle())

	a, err := f.Attributes()
	require.NoError(t, err)
	assert.Equal(t, FuncAttributes{
		NumRegs: 40, LocalSizeBytes: 16, SharedSizeBytes: 2048, ConstSizeBytes: 8,
		MaxThreadsPerBlock: 512, MaxDynamicSharedSizeBytes: 48<<10 - 2048,
		PTXVersion: 80, BinaryVersion: 90,
	}, a)

	ps, err := f.Params()
	require.NoError(t, err)
	assert.Equal(t, []Param{{0, 8}, {8, 4}, {12, 4}, {16, 8}, {24, 8}, {32, 4}, {36, 2}, {38, 1}, {40, 16}}, ps)
	none, err := m.Function("noargs")
	require.NoError(t, err)
	ps, err = none.Params()
	require.NoError(t, err)
	assert.Empty(t, ps)
	assert.NotNil(t, ps, "known to have no parameters")

	_, err = m.Function("missing")
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), `cuda: kernel "missing": cuModuleGetFunction: CUDA_ERROR_NOT_FOUND (500)`)
	_, err = f.Attribute(FunctionAttribute(99))
	assert.ErrorIs(t, err, ErrInvalidValue)
}

func TestDynamicSharedMemoryOptIn(t *testing.T) {
	ctx := fakeContext(t)
	m := loadTestModule(t, ctx, nil)
	f, err := m.Function("noargs")
	require.NoError(t, err)
	grid, block := [3]uint32{1, 1, 1}, [3]uint32{32, 1, 1}

	// Past 48 KiB a launch needs the opt-in.
	err = f.Launch(grid, block, 64<<10, nil)
	require.ErrorIs(t, err, ErrInvalidValue)
	assert.Contains(t, err.Error(), "cuda: launch noargs grid [1 1 1] block [32 1 1] shared 65536: cuLaunchKernel")

	require.NoError(t, f.SetMaxDynamicSharedMemory(64<<10))
	a, err := f.Attributes()
	require.NoError(t, err)
	assert.Equal(t, 64<<10, a.MaxDynamicSharedSizeBytes)
	require.NoError(t, f.Launch(grid, block, 64<<10, nil))
	assert.Equal(t, uint32(64<<10), fakeHooks.LastLaunch().SharedBytes)

	// The device's opt-in maximum (227 KiB on sm_90) is the limit.
	props, err := ctx.Device().Props()
	require.NoError(t, err)
	require.NoError(t, f.SetMaxDynamicSharedMemory(props.SharedMemPerBlockOptin))
	err = f.SetMaxDynamicSharedMemory(props.SharedMemPerBlockOptin + 1)
	assert.ErrorIs(t, err, ErrInvalidValue)
	assert.Contains(t, err.Error(), `cuda: kernel "noargs" set attribute 8 to 232449: cuFuncSetAttribute`)
}

func TestModuleUnload(t *testing.T) {
	ctx := fakeContext(t)
	m, err := ctx.LoadModule([]byte(testPTX), nil)
	require.NoError(t, err)
	require.NoError(t, m.Unload())
	_, err = m.Function("mixed")
	assert.ErrorIs(t, err, ErrInvalidHandle)
	assert.ErrorIs(t, m.Unload(), ErrInvalidHandle)
}
