package device_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/device"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/runtime"
)

// Open reads the device names and resolves the target: the interpreter
// runs tile IR itself; the emulator compiles for the default target
// unless told otherwise.
func TestOpenByName(t *testing.T) {
	_, err := device.Open("tpu", tilec.Options{})
	require.ErrorContains(t, err, `unknown device "tpu" (auto, gpu, emu, interp)`)

	d, err := device.Open(runtime.DeviceInterp, tilec.Options{})
	require.NoError(t, err)
	assert.IsType(t, &kernels.Interp{}, d)

	for target, want := range map[tilec.Target]tilec.Target{"": tilec.DefaultTarget, "auto": tilec.DefaultTarget, "sm_90": "sm_90"} {
		d, err := device.Open(runtime.DeviceEmu, tilec.Options{Target: target})
		require.NoError(t, err)
		c := d.(*device.Compiling)
		assert.Equal(t, runtime.DeviceEmu, c.Kind())
		assert.Equal(t, want, c.Options().Target, "target %q", target)
	}
	_, err = device.Open(runtime.DeviceEmu, tilec.Options{Target: "sm_9"})
	require.ErrorContains(t, err, `unknown target "sm_9"`)
}

// On a GPU (the fake driver's first device, an sm_90), "auto" and no
// target mean the GPU's best (sm_90a: wgmma and TMA), and the GPU offers the capabilities the tuner
// uses without cuda types.
func TestOpenGPUOnFakeDriver(t *testing.T) {
	fakeDriver(t)
	for _, name := range []string{runtime.DeviceGPU, runtime.DeviceAuto} {
		d, err := device.Open(name, tilec.Options{Target: "auto"})
		require.NoError(t, err)
		c := d.(*device.Compiling)
		assert.Equal(t, runtime.DeviceGPU, c.Kind())
		assert.Equal(t, tilec.Target("sm_90a"), c.Options().Target)
		p := c.Device.(runtime.Describer).Props()
		assert.Equal(t, "Fake H100", p.Name)
		assert.Equal(t, "sm_90", p.Target)
		assert.Equal(t, 132, p.SMs)
		assert.Implements(t, (*runtime.Timer)(nil), c.Device)
		assert.Implements(t, (*runtime.Loader)(nil), c.Device)
		require.NoError(t, d.Close())
	}
}
