package examples

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

func TestExamplesOnInterpreter(t *testing.T) {
	cases := []struct {
		k     *kernels.Kernel
		sizes []map[string]int
	}{
		{VecAdd, []map[string]int{{"N": 1}, {"N": 100}, {"N": 257}, {"N": 4096}}},
		{Softmax, []map[string]int{{"M": 1, "N": 1}, {"M": 7, "N": 100}, {"M": 9, "N": 257}}},
		{Matmul, []map[string]int{{"M": 1, "N": 1, "K": 1}, {"M": 100, "N": 72, "K": 80}, {"M": 33, "N": 17, "K": 257}}},
	}
	seed := uint64(1)
	for _, c := range cases {
		for _, dt := range c.k.DTypes {
			for _, sz := range c.sizes {
				p, err := c.k.Problem(sz, dt)
				require.NoError(t, err)
				for _, cfg := range c.k.Space(p) {
					name := fmt.Sprintf("%s/%s/%v/%s", c.k.Name, dt, sz, cfg)
					t.Run(name, func(t *testing.T) {
						plan, err := c.k.Plan(p, cfg)
						require.NoError(t, err)
						seed++
						rep, err := kernels.Check(kernels.NewInterp(), plan, seed)
						require.NoError(t, err)
						for _, o := range rep.Outputs {
							require.Truef(t, o.Pass(), "%s: max abs %g, rel L2 %g, bad %d, unwritten %d, stray %d: %s",
								o.Name, o.MaxAbs, o.RelL2, o.Bad, o.Unwritten, o.Stray, o.First)
						}
					})
				}
			}
		}
	}
	_ = ir.F32
}
