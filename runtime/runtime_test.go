package runtime

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDevice(t *testing.T) {
	for name, want := range map[string]string{"": DeviceAuto, "auto": DeviceAuto, "gpu": DeviceGPU, "emu": DeviceEmu, "interp": DeviceInterp} {
		got, err := ParseDevice(name)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := ParseDevice("cpu")
	assert.ErrorContains(t, err, `unknown device "cpu" (auto, gpu, emu, interp)`)
	_, err = Open(DeviceInterp)
	assert.ErrorContains(t, err, "runs tile IR")
	d, err := Open(DeviceEmu)
	require.NoError(t, err)
	assert.Equal(t, "emu", d.Name())
}

// on is the emulator standing for a GPU of another architecture.
type on struct {
	*Emu
	target string
}

func (o on) Target() string { return o.target }

// Select keeps the variants compiled for the device's architecture or the
// newest older one, and prefers an "a" target on its own compute
// capability (a GPU of compute capability 9.0 names itself sm_90).
func TestSelectByArchitecture(t *testing.T) {
	var vs []*Variant
	for _, target := range []string{"sm_80", "sm_90", "sm_90a"} {
		vs = append(vs, &Variant{Target: target, Kernel: Kernel{Name: "k"}})
	}
	for dev, want := range map[string]string{"sm_80": "sm_80", "sm_86": "sm_80", "sm_90": "sm_90a", "sm_120": "sm_90"} {
		v, err := Select(on{NewEmu(), dev}, vs, nil, nil)
		require.NoError(t, err, dev)
		assert.Equal(t, want, v.Target, "on %s", dev)
	}
	v, err := Select(NewEmu(), vs, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "sm_80", v.Target, "the emulator stands for the default target")
	_, err = Select(on{NewEmu(), "sm_75"}, vs, nil, nil)
	assert.ErrorContains(t, err, "no variant for sm_75 (compiled for sm_80, sm_90, sm_90a)")
	_, err = Select(on{NewEmu(), "gfx90a"}, vs, nil, nil)
	assert.ErrorContains(t, err, `unknown target "gfx90a"`)
}
