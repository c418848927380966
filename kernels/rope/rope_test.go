package rope

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

func TestRopeVariants(t *testing.T) {
	seed := uint64(7)
	base := []Options{
		{T: 1, H: 1, HK: 1, D: 2},
		{T: 100, H: 4, HK: 2, D: 64},
		{T: 17, H: 5, HK: 3, D: 128, Rot: 96},
		{T: 9, H: 3, HK: 1, D: 80, Rot: 32, MaxPos: 300, HasPos: true},
	}
	for _, o := range base {
		for _, style := range []Style{NeoX, GPTJ} {
			for _, flags := range []int{0, 1, 2, 3, 4, 7} {
				o := o
				o.Style, o.HasCache, o.InPlace = style, flags&1 != 0, flags&4 != 0
				o.HasPos = o.HasPos || flags&2 != 0
				if o.HasPos && o.MaxPos == 0 {
					o.MaxPos = 2 * o.T
				}
				for _, dt := range []ir.DType{ir.BF16, ir.F16, ir.F32} {
					o.DType = dt
					for i, cfg := range Space(o) {
						if i%3 != int(seed%3) { // a third of the space per case keeps the suite fast
							continue
						}
						seed++
						t.Run(fmt.Sprintf("%+v/%s", o, cfg), func(t *testing.T) {
							plan, err := NewPlan(o, cfg)
							require.NoError(t, err)
							rep, err := kernels.Check(kernels.NewInterp(), plan, seed)
							require.NoError(t, err)
							for _, r := range rep.Outputs {
								require.Truef(t, r.Pass(), "%s: max abs %.3g, rel L2 %.3g, bad %d, unwritten %d, stray %d: %s",
									r.Name, r.MaxAbs, r.RelL2, r.Bad, r.Unwritten, r.Stray, r.First)
							}
						})
					}
				}
			}
		}
	}
}
