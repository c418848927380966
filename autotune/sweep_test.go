package autotune_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/autotune"
	"github.com/tilec/tilec/kernels"
	_ "github.com/tilec/tilec/kernels/all"
)

// Every config of rope's and flash's spaces is checked and reported.
func TestSweepReportsEveryConfig(t *testing.T) {
	for _, name := range []string{"rope", "flash"} {
		k := kernels.Lookup(name)
		p, err := k.Problem(map[string]int{}, k.DTypes[0])
		require.NoError(t, err)
		res, err := autotune.Tune(k, p, autotune.Options{Device: "emu", NoIsolation: name == "rope"})
		require.NoError(t, err)
		require.Len(t, res.All, len(k.Space(p)))
		for _, c := range res.All {
			assert.Containsf(t, []autotune.Status{autotune.Passed, autotune.Selected}, c.Status, "%s %s: %s", name, c.Config, c.Reason)
			require.NotNil(t, c.Counters, "%s %s", name, c.Config)
			assert.Positive(t, c.Counters.TotalWarpInstructions())
		}
		require.NotNil(t, res.Best)
	}
}
