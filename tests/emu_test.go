package tests

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/device"
	"github.com/tilec/tilec/kernels"
	_ "github.com/tilec/tilec/kernels/all" // the shipped kernels, in the registry
	"github.com/tilec/tilec/ptx"
)

// emuShapes are the ragged problems every kernel runs on the emulator.
var emuShapes = map[string][]map[string]int{
	"flash": {
		{"B": 1, "H": 2, "N": 1, "D": 32, "HKV": 1},
		{"B": 1, "H": 2, "N": 100, "D": 64},
		{"B": 1, "H": 2, "N": 100, "D": 64, "causal": 1},
		{"B": 2, "H": 4, "HKV": 2, "N": 70, "D": 96, "layout": 1},
		{"B": 1, "H": 2, "HKV": 1, "N": 257, "D": 128, "causal": 1, "layout": 1},
	},
	"rope": {
		{"T": 1, "H": 1, "HK": 1, "D": 2},
		{"T": 33, "H": 5, "HK": 3, "D": 128, "rot": 96},
		{"T": 17, "H": 4, "HK": 2, "D": 64, "style": 1, "cache": 0, "inplace": 1},
		{"T": 9, "H": 3, "HK": 1, "D": 80, "rot": 32, "style": 1, "pos": 0},
	},
	"moe": {
		{"T": 1, "Hd": 8, "E": 1, "K": 1},
		{"T": 100, "Hd": 64, "E": 8, "K": 2},
		{"T": 257, "Hd": 33, "E": 64, "K": 8, "renorm": 1, "pad": 4},
		{"T": 50, "Hd": 16, "E": 256, "K": 6, "pad": 64, "f32logits": 1},
	},
	"moe_combine": {{"T": 1, "Hd": 1, "K": 1, "rows": 1}, {"T": 100, "Hd": 64, "K": 2, "rows": 300}, {"T": 33, "Hd": 257, "K": 8, "rows": 500}},
	"vector_add":  {{"N": 1}, {"N": 257}, {"N": 4099}},
	"softmax":     {{"M": 1, "N": 1}, {"M": 7, "N": 100}, {"M": 9, "N": 1025}},
	"matmul":      {{"M": 1, "N": 1, "K": 1}, {"M": 100, "N": 72, "K": 80}, {"M": 33, "N": 17, "K": 257}},
}

// TestKernelsOnEmulator runs every shipped kernel, for every config of its
// tuning space, over ragged shapes and every dtype, through codegen and
// both PTX backends on the emulator with the sanitizer on, against the
// float64 reference.
func TestKernelsOnEmulator(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			needBackend(t, backend)
			kernelsOnEmulator(t, backend, tilec.DefaultTarget)
		})
	}
	// Hopper's code (wgmma, TMA, mbarriers) through tilec's own backend:
	// llc-14 does not know sm_90a.
	t.Run("sm_90a", func(t *testing.T) { kernelsOnEmulator(t, tilec.BackendOwn, "sm_90a") })
}

// backends are the PTX backends the emulator runs tests through: tilec's
// own, and llc (LLVM 14, which CI installs).
var backends = []string{tilec.BackendOwn, tilec.BackendLLC}

// needBackend skips the test when backend's tool is not installed.
func needBackend(t *testing.T, backend string) {
	t.Helper()
	if backend == tilec.BackendLLC && !ptx.HaveLLC() {
		t.Skip("llc-14 is not installed (apt-get install llvm-14; CI installs it): the llc backend is not tested")
	}
}

// emulator returns the emulator compiling with opts.
func emulator(t *testing.T, opts tilec.Options) *device.Compiling {
	t.Helper()
	e, err := device.NewEmu(opts)
	require.NoError(t, err)
	return e
}

func kernelsOnEmulator(t *testing.T, backend string, target tilec.Target) {
	seed := uint64(1)
	for _, k := range kernels.Registered() {
		start := time.Now()
		n := 0
		for _, sizes := range emuShapes[k.Name] {
			for _, dt := range k.DTypes {
				p, err := k.Problem(sizes, dt)
				require.NoError(t, err)
				p.Target = string(target)
				for _, cfg := range k.Space(p) {
					n++
					t.Run(fmt.Sprintf("%s/%s/%v/%s", k.Name, dt, sizes, cfg), func(t *testing.T) {
						plan, err := k.Plan(p, cfg)
						require.NoError(t, err)
						dev := emulator(t, tilec.Options{Backend: backend, Target: target})
						seed++
						rep, err := kernels.Check(dev, plan, seed)
						require.NoError(t, err)
						for _, o := range rep.Outputs {
							require.Truef(t, o.Pass(), "%s: max abs %.3g rel L2 %.3g bad %d unwritten %d stray %d: %s", o.Name, o.MaxAbs, o.RelL2, o.Bad, o.Unwritten, o.Stray, o.First)
						}
						// Every module codegen emits is valid LLVM IR.
						if backend == tilec.BackendOwn && ptx.HaveOpt() {
							for _, b := range dev.Binaries() {
								require.NoError(t, ptx.Verify(b.LL()), "opt -passes=verify on %s", b.Name)
							}
						}
					})
				}
			}
		}
		t.Logf("%s: %d runs in %v", k.Name, n, time.Since(start))
	}
}
