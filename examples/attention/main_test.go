package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLayerOnEmulator runs the example as CI does, with fresh inputs.
func TestLayerOnEmulator(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		var out bytes.Buffer
		require.NoError(t, run(&out, "emu", seed), out.String())
		assert.Contains(t, out.String(), "device: emu")
		assert.Contains(t, out.String(), "0 unwritten: PASS")
		t.Log(out.String())
	}
}
