package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/session"
)

// TestBlockOnEmulator runs the example as CI does: tuning on first use
// into a fresh cache, then from the cache, with fresh inputs.
func TestBlockOnEmulator(t *testing.T) {
	opts := session.Options{Device: "emu", CacheDir: t.TempDir()}
	for _, seed := range []uint64{1, 2} {
		var out bytes.Buffer
		require.NoError(t, run(&out, opts, seed), out.String())
		assert.Contains(t, out.String(), "device: emu")
		assert.Contains(t, out.String(), "0 unwritten: PASS")
		t.Log(out.String())
	}
}
