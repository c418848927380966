// Package gpu runs tilec's kernels on a real NVIDIA GPU: every kernel and
// config against the float64 reference, and against the emulator's output.
// Without a GPU the tests skip; with TILEC_REQUIRE_GPU=1 they fail instead.
package gpu

import (
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/device"
	"github.com/tilec/tilec/kernels"
	_ "github.com/tilec/tilec/kernels/all" // the shipped kernels, in the registry
	"github.com/tilec/tilec/runtime"
)

// openGPU returns the GPU, compiling for its own architecture, or skips
// (fails under TILEC_REQUIRE_GPU=1).
func openGPU(t *testing.T) *device.Compiling {
	t.Helper()
	gpu, err := runtime.OpenGPU()
	if err != nil {
		if os.Getenv("TILEC_REQUIRE_GPU") == "1" {
			t.Fatalf("TILEC_REQUIRE_GPU=1 but %v", err)
		}
		t.Skipf("skipping GPU tests: %v", err)
	}
	g, err := device.New(gpu, tilec.Options{})
	if err != nil {
		_ = gpu.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = g.Close() })
	return g
}

// gpuShapes are ragged problems and two of the benchmark shapes' cousins.
var gpuShapes = map[string][]map[string]int{
	"flash": {
		{"B": 1, "H": 2, "N": 100, "D": 64},
		{"B": 2, "H": 4, "HKV": 2, "N": 257, "D": 128, "causal": 1, "layout": 1},
		{"B": 1, "H": 2, "N": 1024, "D": 64, "causal": 1},
		{"B": 1, "H": 1, "N": 70, "D": 96},
	},
	"rope":        {{"T": 1000, "H": 32, "HK": 8, "D": 128}, {"T": 17, "H": 5, "HK": 3, "D": 128, "rot": 96, "style": 1, "cache": 0}},
	"moe":         {{"T": 1000, "Hd": 512, "E": 64, "K": 8, "renorm": 1}, {"T": 100, "Hd": 64, "E": 8, "K": 2}},
	"moe_combine": {{"T": 1000, "Hd": 512, "K": 8, "rows": 9000}},
	"vector_add":  {{"N": 100000}},
	"softmax":     {{"M": 1000, "N": 1000}},
	"matmul":      {{"M": 512, "N": 384, "K": 300}},
}

// TestKernelsOnGPU checks every kernel and config on the GPU against the
// float64 reference and, element by element, against the emulator.
func TestKernelsOnGPU(t *testing.T) {
	g := openGPU(t)
	seed := uint64(1)
	for _, k := range kernels.Registered() {
		for _, sizes := range gpuShapes[k.Name] {
			for _, dt := range k.DTypes {
				p, err := k.Problem(sizes, dt)
				require.NoError(t, err)
				for _, cfg := range k.Space(p) {
					seed++
					t.Run(fmt.Sprintf("%s/%s/%v/%s", k.Name, dt, sizes, cfg), func(t *testing.T) {
						plan, err := k.Plan(p, cfg)
						require.NoError(t, err)
						rep, err := kernels.Check(g, plan, seed)
						require.NoError(t, err)
						for _, o := range rep.Outputs {
							require.Truef(t, o.Pass(), "%s: max abs %.3g rel L2 %.3g bad %d unwritten %d stray %d: %s",
								o.Name, o.MaxAbs, o.RelL2, o.Bad, o.Unwritten, o.Stray, o.First)
						}
						require.NoError(t, g.Free())
					})
				}
			}
		}
	}
}

// TestGPUAgreesWithEmulator runs one config per kernel on both devices with
// the same inputs and compares the outputs with each other.
func TestGPUAgreesWithEmulator(t *testing.T) {
	g := openGPU(t)
	for _, k := range kernels.Registered() {
		p, err := k.Problem(gpuShapes[k.Name][len(gpuShapes[k.Name])-1], k.DTypes[0])
		require.NoError(t, err)
		cfg, err := k.DefaultConfig(p)
		require.NoError(t, err)
		t.Run(k.Name, func(t *testing.T) {
			plan, err := k.Plan(p, cfg)
			require.NoError(t, err)
			// The emulator's outputs become the reference of the GPU run.
			e, err := device.NewEmu(g.Options())
			require.NoError(t, err)
			plan.Reference = kernels.DeviceReference(plan, e)
			rep, err := kernels.Check(g, plan, 7)
			require.NoError(t, err)
			for _, o := range rep.Outputs {
				require.Truef(t, o.Pass(), "%s: max abs %.3g rel L2 %.3g: %s", o.Name, o.MaxAbs, o.RelL2, o.First)
			}
			require.NoError(t, g.Free())
		})
	}
}
