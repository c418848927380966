package tests

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/runtime"
)

// Every shipped kernel, for every config of its tuning space at the
// emulator's ragged shapes and at its benchmark shapes, in every dtype:
// the GPU level verifies after every pass, prints as text that parses back
// to the same text, and that text compiles to the same PTX, byte for byte
// (what `tilec compile --emit gpu -o F` then `tilec compile F` does).
func TestGPULevelRoundTrip(t *testing.T) {
	seen := map[string]bool{}
	n := 0
	for _, k := range kernels.Registered() {
		var probs []kernels.Problem
		for _, sizes := range emuShapes[k.Name] {
			for _, dt := range k.DTypes {
				p, err := k.Problem(sizes, dt)
				require.NoError(t, err)
				probs = append(probs, p)
			}
		}
		for _, b := range k.Bench {
			p, err := k.Problem(b.Sizes, b.DType)
			require.NoError(t, err)
			probs = append(probs, p)
		}
		for _, p := range probs {
			for _, cfg := range k.Space(p) {
				plan, err := k.Plan(p, cfg)
				require.NoError(t, err)
				for li, l := range plan.Launches {
					f, err := ir.Specialize(l.Kernel, l.Config)
					require.NoError(t, err)
					facts := tilec.FactsOf(f, plan.NominalArgs(li))
					key := f.String() + runtime.FactsKey(facts)
					if seen[key] {
						continue
					}
					seen[key] = true
					n++
					what := fmt.Sprintf("%s %s %s launch %d", k.Name, p, cfg, li)
					bin, err := tilec.Compile(f, tilec.Options{Facts: facts, VerifyEach: true})
					require.NoError(t, err, what)
					text := bin.GPU()
					g, err := ir.ParseFunc(what, text)
					require.NoError(t, err, what)
					require.Equal(t, text, g.String(), "%s: the GPU level does not print back", what)
					again, err := tilec.CompileGPU(g, tilec.Options{})
					require.NoError(t, err, what)
					require.Equal(t, bin.PTX, again.PTX, "%s: PTX from the GPU level's text differs", what)
					require.Equal(t, bin.SharedBytes, again.SharedBytes, what)
					require.Equal(t, bin.Facts, again.Facts, what)
				}
			}
		}
	}
	t.Logf("%d distinct kernels", n)
}
