package tests

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/gpu"
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
	for _, target := range gpuTargets {
		t.Run(string(target), func(t *testing.T) { roundTrip(t, target) })
	}
}

// gpuTargets are the targets the GPU level is tested for: Ampere's path
// and Hopper's (wgmma, TMA, mbarriers).
var gpuTargets = []tilec.Target{tilec.DefaultTarget, "sm_90a"}

func roundTrip(t *testing.T, target tilec.Target) {
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
			p.Target = string(target)
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
					bin, err := tilec.Compile(f, tilec.Options{Target: target, Facts: facts, VerifyEach: true})
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

// gpuInterp runs kernels on the tile interpreter at the GPU level: each
// launch is lowered by package gpu's passes up to and including stop (with
// the launch's facts) and the result is interpreted, layouts, shared
// buffers, async copies and all (ir/interp gives the GPU ops their
// meaning at the tile level).
type gpuInterp struct {
	*kernels.Interp
	stop   string
	hopper bool // lower for sm_90a
}

func (d *gpuInterp) LaunchFunc(f *ir.Func, grid [3]int, args []any) error {
	var facts []ir.Facts
	for _, fa := range tilec.FactsOf(f, args) {
		facts = append(facts, ir.Facts{Div: fa.Div, One: fa.One})
	}
	opts := gpu.Options{Facts: facts, Verify: true, Stop: d.stop}
	if d.hopper {
		opts.SM, opts.Specific = 90, true
	}
	g, err := gpu.Lower(f, opts)
	if err != nil {
		return err
	}
	return d.Interp.LaunchFunc(g, grid, args)
}

// The passes keep what a kernel computes: on the interpreter, every
// shipped kernel gives the same outputs, bit for bit, from the tile IR and
// from the GPU level after each pass (for its first config; after the last
// pass for every config), on the same random inputs.
func TestGPUPassesKeepSemantics(t *testing.T) {
	for _, target := range gpuTargets {
		t.Run(string(target), func(t *testing.T) { keepSemantics(t, target) })
	}
}

func keepSemantics(t *testing.T, target tilec.Target) {
	for _, k := range kernels.Registered() {
		sizes := emuShapes[k.Name][1]
		p, err := k.Problem(sizes, k.DTypes[0])
		require.NoError(t, err)
		p.Target = string(target)
		for i, cfg := range k.Space(p) {
			plan, err := k.Plan(p, cfg)
			require.NoError(t, err)
			want, err := kernels.Check(kernels.NewInterp(), plan, 7)
			require.NoError(t, err)
			stops := []string{gpu.Passes[len(gpu.Passes)-1].Name}
			if i == 0 {
				stops = nil
				for _, ps := range gpu.Passes {
					stops = append(stops, ps.Name)
				}
			}
			for _, stop := range stops {
				got, err := kernels.Check(&gpuInterp{Interp: kernels.NewInterp(), stop: stop, hopper: target == "sm_90a"}, plan, 7)
				require.NoError(t, err, "%s %s %s after %s", k.Name, p, cfg, stop)
				require.Len(t, got.Outputs, len(want.Outputs))
				for j, o := range got.Outputs {
					w := want.Outputs[j]
					require.Truef(t, o.MaxAbs == w.MaxAbs && o.RelL2 == w.RelL2 && o.Bad == w.Bad && o.Unwritten == w.Unwritten && o.Stray == w.Stray,
						"%s %s %s after %s: output %s differs from the tile IR's: max abs %g vs %g, rel L2 %g vs %g, unwritten %d vs %d",
						k.Name, p, cfg, stop, o.Name, o.MaxAbs, w.MaxAbs, o.RelL2, w.RelL2, o.Unwritten, w.Unwritten)
				}
			}
		}
	}
}
