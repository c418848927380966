package flash

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

func check(t *testing.T, o Options, cfg ir.Config, seed uint64) {
	t.Helper()
	plan, err := NewPlan(o, cfg)
	require.NoError(t, err)
	rep, err := kernels.Check(kernels.NewInterp(), plan, seed)
	require.NoError(t, err)
	for _, r := range rep.Outputs {
		require.Truef(t, r.Pass(), "%s: max abs %.3g, rel L2 %.3g, bad %d, unwritten %d, stray %d: %s",
			r.Name, r.MaxAbs, r.RelL2, r.Bad, r.Unwritten, r.Stray, r.First)
		t.Logf("%s: max abs %.3g rel L2 %.3g", r.Name, r.MaxAbs, r.RelL2)
	}
}

func TestFlashShapes(t *testing.T) {
	seed := uint64(100)
	for _, o := range []Options{
		{B: 1, H: 2, N: 100, D: 64},
		{B: 1, H: 2, N: 100, D: 64, Causal: true},
		{B: 2, H: 4, HKV: 2, N: 1, D: 32},
		{B: 1, H: 4, HKV: 1, N: 257, D: 128, Causal: true, Layout: BNHD},
		{B: 1, H: 1, N: 70, D: 96, Scale: 0.3},
		{B: 1, H: 2, N: 64, D: 64, Causal: true, Layout: BNHD},
	} {
		for _, dt := range []ir.DType{ir.F16, ir.BF16} {
			o.DType = dt
			for _, cfg := range Space(o) {
				seed++
				t.Run(fmt.Sprintf("%+v/%s", o, cfg), func(t *testing.T) { check(t, o, cfg, seed) })
			}
		}
	}
}

// TestSampledReference checks that the sampled reference of a large
// problem computes its rows exactly as the full one, marks every other
// element NotComputed, and that Check still requires those to be written.
func TestSampledReference(t *testing.T) {
	for _, o := range []Options{
		{B: 3, H: 4, HKV: 2, N: 200, D: 32, Causal: true, Layout: BNHD, DType: ir.F16},
		{B: 1, H: 5, N: 129, D: 64, DType: ir.F16},
	} {
		o, err := o.Normalize()
		require.NoError(t, err)
		rng := rand.New(rand.NewPCG(1, 2))
		buf := func(heads int) []float64 {
			x := make([]float64, o.B*heads*o.N*o.D)
			for i := range x {
				x[i] = 2*rng.Float64() - 1
			}
			return x
		}
		q, k, v := buf(o.H), buf(o.HKV), buf(o.HKV)
		full := Reference(o, q, k, v)
		samp := sampledReference(o, q, k, v, 3*o.N*o.D)
		for _, name := range []string{"o", "lse"} {
			computed := 0
			for i, w := range samp[name] {
				if kernels.IsNotComputed(w) {
					continue
				}
				computed++
				require.InDeltaf(t, full[name][i], w, 1e-12, "%s[%d]", name, i)
			}
			require.Greater(t, computed, 0)
			require.Less(t, computed, len(samp[name]), "%s: a sample, not everything", name)
		}
	}
	// An unwritten element outside the sample still fails.
	o := Options{B: 1, H: 4, N: 64, D: 32, DType: ir.F16}
	plan, err := NewPlan(o, ir.Config{"BLOCK_M": 16, "BLOCK_N": 16, "num_warps": 1, "num_stages": 2})
	require.NoError(t, err)
	on, _ := o.Normalize()
	plan.Reference = func(in map[string][]float64) map[string][]float64 {
		return sampledReference(on, in["q"], in["k"], in["v"], 2*on.N*on.D)
	}
	dev := kernels.NewInterp()
	rep, err := kernels.Check(dev, plan, 3)
	require.NoError(t, err)
	require.True(t, rep.Pass())
	require.Greater(t, rep.Outputs[0].Sampled, 0)
	plan.Launches[0].Grid[0]-- // the last query block is never computed
	rep, err = kernels.Check(dev, plan, 3)
	require.NoError(t, err)
	require.False(t, rep.Pass())
}
