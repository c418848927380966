// Package sessiontest holds what the tests of the in-process API
// (packages session and ops) share: an emulator session, random and
// poisoned tensors, and an element-wise comparison with the reference.
package sessiontest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/runtime"
	"github.com/tilec/tilec/session"
)

// OpenEmu opens a session on the emulator with the tuning policy tune and
// a tuning cache of the test's own; it closes with the test.
func OpenEmu(t testing.TB, tune string) *session.Session {
	t.Helper()
	s, err := session.Open(session.Options{Device: runtime.DeviceEmu, Tune: tune, CacheDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Random returns n values in [-1, 1) rounded to dt.
func Random(r *rand.Rand, dt ir.DType, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = dt.Round(2*r.Float64() - 1)
	}
	return out
}

// Poisoned allocates a tensor filled with NaN (or -1 for integers), so an
// element the kernel skips is caught.
func Poisoned(t testing.TB, s *session.Session, dt ir.DType, shape ...int) session.Tensor {
	t.Helper()
	x, err := s.Empty(dt, shape...)
	require.NoError(t, err)
	fill := math.NaN()
	if dt.IsInt() {
		fill = -1
	}
	vals := make([]float64, x.Len())
	for i := range vals {
		vals[i] = fill
	}
	require.NoError(t, s.Write(x, vals))
	return x
}

// Near checks every element of got against want within tol, as
// kernels.Check does (Tol.Bound, relative to the magnitude of want).
func Near(t testing.TB, name string, got, want []float64, tol kernels.Tol) {
	t.Helper()
	require.Len(t, got, len(want), name)
	scale := kernels.Magnitude(want)
	bad := 0
	for i := range want {
		if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > tol.Bound(want[i], scale) {
			if bad == 0 {
				t.Errorf("%s[%d] = %g, want %g", name, i, got[i], want[i])
			}
			bad++
		}
	}
	assert.Zerof(t, bad, "%s: %d of %d elements wrong", name, bad, len(want))
}
