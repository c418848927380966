package tests

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/kernels/all"
)

func TestScratchEmu(t *testing.T) {
	seed := uint64(1)
	for _, k := range all.Kernels() {
		for _, dt := range k.DTypes {
			p, err := k.Problem(nil, dt)
			require.NoError(t, err)
			for _, cfg := range k.Space(p) {
				t.Run(fmt.Sprintf("%s/%s/%s", k.Name, dt, cfg), func(t *testing.T) {
					plan, err := k.Plan(p, cfg)
					require.NoError(t, err)
					dev := tilec.NewEmu(tilec.Options{Backend: tilec.BackendLLC})
					seed++
					rep, err := kernels.Check(dev, plan, seed)
					require.NoError(t, err)
					for _, o := range rep.Outputs {
						require.Truef(t, o.Pass(), "%s: max abs %.3g rel L2 %.3g bad %d unwritten %d stray %d: %s", o.Name, o.MaxAbs, o.RelL2, o.Bad, o.Unwritten, o.Stray, o.First)
					}
				})
			}
		}
	}
}
