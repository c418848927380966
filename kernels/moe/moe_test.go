package moe

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

func requirePass(t *testing.T, plan *kernels.Plan, seed uint64) {
	t.Helper()
	rep, err := kernels.Check(kernels.NewInterp(), plan, seed)
	require.NoError(t, err)
	for _, r := range rep.Outputs {
		require.Truef(t, r.Pass(), "%s: max abs %.3g, rel L2 %.3g, bad %d, unwritten %d, stray %d: %s",
			r.Name, r.MaxAbs, r.RelL2, r.Bad, r.Unwritten, r.Stray, r.First)
	}
}

func TestDispatch(t *testing.T) {
	seed := uint64(31)
	for _, o := range []Options{
		{T: 1, Hd: 8, E: 1, K: 1},
		{T: 100, Hd: 64, E: 8, K: 2},
		{T: 257, Hd: 33, E: 64, K: 8, Renorm: true, Pad: 4},
		{T: 50, Hd: 16, E: 256, K: 6, Pad: 64},
		{T: 20, Hd: 16, E: 512, K: 3, Renorm: true},
		{T: 700, Hd: 8, E: 512, K: 2, Pad: 3}, // the scan reads the histogram in several steps
	} {
		for _, dt := range []ir.DType{ir.BF16, ir.F16, ir.F32} {
			o.DType = dt
			for _, cfg := range Space(o) {
				seed++
				t.Run(fmt.Sprintf("%+v/%s", o, cfg), func(t *testing.T) {
					plan, err := NewPlan(o, cfg)
					require.NoError(t, err)
					requirePass(t, plan, seed)
				})
			}
		}
	}
}

func TestCombine(t *testing.T) {
	seed := uint64(77)
	for _, o := range []CombineOptions{{T: 1, Hd: 1, K: 1, Rows: 1}, {T: 100, Hd: 64, K: 2, Rows: 300}, {T: 33, Hd: 257, K: 8, Rows: 500}} {
		for _, dt := range []ir.DType{ir.BF16, ir.F16, ir.F32} {
			o.DType = dt
			for _, cfg := range Combine.Space(kernels.Problem{}) {
				seed++
				t.Run(fmt.Sprintf("%+v/%s", o, cfg), func(t *testing.T) {
					plan, err := NewCombinePlan(o, cfg)
					require.NoError(t, err)
					requirePass(t, plan, seed)
				})
			}
		}
	}
}

func TestSpaceIsNeverEmpty(t *testing.T) {
	for e := 1; e <= 512; e *= 2 {
		for k := 1; k <= min(8, e); k++ {
			o, err := Options{T: 100, Hd: 64, E: e, K: k, DType: ir.BF16}.Normalize()
			require.NoError(t, err)
			require.NotEmptyf(t, Space(o), "E=%d K=%d", e, k)
		}
	}
}
