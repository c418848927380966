package arch

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	for name, want := range map[string]Arch{
		"sm_80":  {Name: "sm_80", SM: 80},
		"sm_90a": {Name: "sm_90a", SM: 90, Specific: true},
		"sm_120": {Name: "sm_120", SM: 120},
	} {
		got, err := Parse(name)
		require.NoError(t, err, name)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"", "auto", "sm80", "sm_", "sm_61", "sm_8O", "sm_090", "sm_90b", "compute_80"} {
		_, err := Parse(bad)
		assert.ErrorContains(t, err, "unknown target", bad)
	}
	_, err := Parse(Default)
	assert.NoError(t, err)
}

func TestRunsOn(t *testing.T) {
	p := func(s string) Arch {
		a, err := Parse(s)
		require.NoError(t, err)
		return a
	}
	assert.True(t, p("sm_80").RunsOn(p("sm_90")), "older PTX runs on a newer GPU")
	assert.True(t, p("sm_90").RunsOn(p("sm_90a")))
	assert.False(t, p("sm_90").RunsOn(p("sm_80")), "newer PTX does not run on an older GPU")
	assert.True(t, p("sm_90a").RunsOn(p("sm_90")), "an H100 names itself sm_90")
	assert.False(t, p("sm_90a").RunsOn(p("sm_120")), "an a target runs only on its own compute capability")
	assert.False(t, p("sm_90a").RunsOn(p("sm_89")))
}

func TestResolve(t *testing.T) {
	for _, c := range []struct{ name, dev, want string }{
		{"", "", Default},
		{Auto, "", Default},
		{"", "sm_90", "sm_90a"}, // compute capability 9.0: wgmma and TMA
		{Auto, "sm_90", "sm_90a"},
		{"sm_90", "sm_90", "sm_90"},
		{Auto, "sm_89", "sm_89"},
		{"sm_80", "sm_90", "sm_80"},
	} {
		got, err := Resolve(c.name, c.dev)
		require.NoError(t, err)
		assert.Equal(t, c.want, got, "%q on %q", c.name, c.dev)
	}
	_, err := Resolve("sm_9", "sm_90")
	assert.ErrorContains(t, err, `unknown target "sm_9"`)
	assert.Equal(t, "sm_90", Of(9, 0))
}
