package flash

import (
	"fmt"
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
