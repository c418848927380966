package device_test

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/device"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels/examples"
	"github.com/tilec/tilec/runtime"
)

// The launcher against the fake driver (no GPU needed): the compiled
// kernel's PTX is loaded, and its launch gets the grid, the block size from
// num_warps, the dynamic shared memory, and the arguments packed as the PTX
// parameter list says.
func TestGPULaunchABIOnFakeDriver(t *testing.T) {
	fake := fakeDriver(t)
	gpu, err := runtime.OpenGPU()
	require.NoError(t, err)
	g, err := device.New(gpu, tilec.Options{Target: "sm_80"})
	require.NoError(t, err)
	defer g.Close()

	f, err := examples.SoftmaxIR(ir.F32)
	require.NoError(t, err)
	s, err := ir.Specialize(f, ir.Config{"BLOCK_M": 2, "BLOCK_N": 256, ir.KeyNumWarps: 8})
	require.NoError(t, err)
	x, err := g.Alloc("x", 4096)
	require.NoError(t, err)
	o, err := g.Alloc("o", 4096)
	require.NoError(t, err)
	require.NoError(t, g.LaunchFunc(s, [3]int{5, 1, 1}, []any{x, o, int64(9), int64(200), int64(203), int64(200)}))

	l := fake.LastLaunch()
	assert.Equal(t, [3]uint32{5, 1, 1}, l.Grid)
	assert.Equal(t, [3]uint32{256, 1, 1}, l.Block)
	bin, err := g.Binary(s, []any{x, o, int64(9), int64(200), int64(203), int64(200)})
	require.NoError(t, err)
	assert.Equal(t, uint32(bin.SharedBytes), l.SharedBytes)
	assert.Positive(t, bin.SharedBytes, "the row reductions need shared memory")
	want := make([]byte, 0, 32)
	want = binary.LittleEndian.AppendUint64(want, x)
	want = binary.LittleEndian.AppendUint64(want, o)
	for _, v := range []uint32{9, 200, 203, 200} {
		want = binary.LittleEndian.AppendUint32(want, v)
	}
	assert.Equal(t, want, l.Params)

	// Arguments that break what the binary assumed are refused.
	err = g.LaunchFunc(s, [3]int{1, 1, 1}, []any{x + 4, o, int64(9), int64(200), int64(203), int64(200)})
	require.NoError(t, err, "a new alignment gets its own binary")
	err = g.LaunchFunc(s, [3]int{1, 1, 1}, []any{x, o, 2.5, int64(200), int64(203), int64(200)})
	require.ErrorContains(t, err, "pass an integer")
}
