package tests

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/device"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/ptx/emu"
	"github.com/tilec/tilec/runtime"
)

// Counters as regression tests: the emulator's counters stand in for what
// a GPU profiler would show, so the properties the kernels are built for
// (16-byte coalesced accesses, conflict-free shared memory, exactly the
// mma instructions the maths needs, no local memory) are checked per
// shipped kernel and config, on shapes without ragged edges (where masked
// lanes make accesses partial by design).

// perLaunch is the emulator, compiling on launch, keeping its counters per
// kernel name too.
type perLaunch struct {
	*device.Compiling
	e  *runtime.Emu
	by map[string]*emu.Counters
}

func (p *perLaunch) LaunchFunc(f *ir.Func, grid [3]int, args []any) error {
	total := p.e.Counters
	p.e.Counters = emu.Counters{}
	err := p.Compiling.LaunchFunc(f, grid, args)
	c := p.e.Counters
	if p.by[f.Name] == nil {
		p.by[f.Name] = &emu.Counters{}
	}
	p.by[f.Name].Add(&c)
	total.Add(&c)
	p.e.Counters = total
	return err
}

// countersOf runs a plan on the emulator, checks it against the reference
// and returns the counters per launch kernel and the compiled binaries.
func countersOf(t *testing.T, k *kernels.Kernel, p kernels.Problem, cfg ir.Config) (map[string]*emu.Counters, []*tilec.Binary) {
	t.Helper()
	plan, err := k.Plan(p, cfg)
	require.NoError(t, err)
	e := runtime.NewEmu()
	c, err := device.New(e, tilec.Options{})
	require.NoError(t, err)
	dev := &perLaunch{Compiling: c, e: e, by: map[string]*emu.Counters{}}
	rep, err := kernels.Check(dev, plan, 1)
	require.NoError(t, err)
	for _, o := range rep.Outputs {
		require.Truef(t, o.Pass(), "%s %s %s: %s wrong: %s", k.Name, p, cfg, o.Name, o.First)
	}
	return dev.by, dev.Binaries()
}

// noLocalMemory checks that no binary uses local memory, and that none
// needs more than the 255 registers a thread has by codegen's estimate
// (else ptxas would spill).
func noLocalMemory(t *testing.T, what string, bins []*tilec.Binary) {
	t.Helper()
	for _, b := range bins {
		assert.LessOrEqualf(t, b.LiveRegisters(), 255, "%s: %s needs about %d registers per thread", what, b.Name, b.LiveRegisters())
		for _, l := range strings.Split(b.PTX, "\n") {
			if strings.Contains(l, ".local") {
				t.Errorf("%s: %s uses local memory: %s", what, b.Name, strings.TrimSpace(l))
				break
			}
		}
	}
}

// flashMMAs is the number of mma.sync m16n8k16 a FlashAttention forward
// needs: per (query block, key block) pair it visits, QKᵀ and PV of
// BLOCK_M×BLOCK_N×D each; causal attention visits the key blocks up to the
// diagonal only.
func flashMMAs(b, h, n, d, bm, bn int, causal bool) uint64 {
	pairs := 0
	for m := 0; m < kernels.CDiv(n, bm); m++ {
		if causal {
			pairs += kernels.CDiv(min((m+1)*bm, n), bn)
		} else {
			pairs += kernels.CDiv(n, bn)
		}
	}
	dp := kernels.NextPow2(d)
	// m16n8k16 tiles: QKᵀ is [bm, dp]·[dp, bn], PV is [bm, bn]·[bn, dp].
	per := (bm/16)*(bn/8)*(dp/16) + (bm/16)*(dp/8)*(bn/16)
	return uint64(b * h * pairs * per)
}

func TestFlashCounters(t *testing.T) {
	k := kernels.Lookup("flash")
	for _, s := range []map[string]int{
		{"B": 1, "H": 2, "N": 256, "D": 64},
		{"B": 1, "H": 2, "N": 256, "D": 128, "causal": 1},
		{"B": 1, "H": 4, "HKV": 2, "N": 128, "D": 64, "layout": 1},
	} {
		for _, dt := range k.DTypes {
			p, err := k.Problem(s, dt)
			require.NoError(t, err)
			for _, cfg := range k.Space(p) {
				what := fmt.Sprintf("flash %s %s", p, cfg)
				by, bins := countersOf(t, k, p, cfg)
				noLocalMemory(t, what, bins)
				// K and V are copied with cp.async, num_stages − 1 key blocks ahead.
				wait := regexp.MustCompile(fmt.Sprintf(`cp\.async\.wait_group\s+%d;`, cfg[ir.KeyNumStages]-2))
				for _, b := range bins {
					assert.Truef(t, wait.MatchString(b.PTX), "%s: K/V loads are not pipelined (no %s)", what, wait)
				}
				var c emu.Counters
				for _, x := range by {
					c.Add(x)
				}
				assert.Zerof(t, c.SharedBankConflicts, "%s: bank conflicts", what)
				assert.Equalf(t, 1.0, c.GlobalLoadEfficiency(), "%s: Q/K/V loads not coalesced", what)
				assert.Equalf(t, 1.0, c.GlobalStoreEfficiency(), "%s: O stores not coalesced", what)
				want := flashMMAs(p.Get("B"), p.Get("H"), p.Get("N"), p.Get("D"), cfg["BLOCK_M"], cfg["BLOCK_N"], p.Get("causal") == 1)
				assert.Equalf(t, want, c.MMA, "%s: mma count", what)
			}
		}
	}
}

func TestRopeCounters(t *testing.T) {
	k := kernels.Lookup("rope")
	for _, s := range []map[string]int{
		{"T": 64, "H": 8, "HK": 0, "D": 128, "pos": 0},                            // ANCHORS' form
		{"T": 32, "H": 8, "HK": 2, "D": 128},                                      // q and k, positions, caches
		{"T": 32, "H": 4, "HK": 4, "D": 64, "style": 1, "cache": 0, "inplace": 1}, // GPT-J, in-kernel frequencies
	} {
		p, err := k.Problem(s, ir.BF16)
		require.NoError(t, err)
		for _, cfg := range k.Space(p) {
			what := fmt.Sprintf("rope %s %s", p, cfg)
			by, bins := countersOf(t, k, p, cfg)
			noLocalMemory(t, what, bins)
			for name, c := range by {
				assert.Equalf(t, 1.0, c.GlobalLoadEfficiency(), "%s: %s loads not coalesced", what, name)
				assert.Equalf(t, 1.0, c.GlobalStoreEfficiency(), "%s: %s stores not coalesced", what, name)
				// One pass: every byte of q and k read and written once.
				assert.LessOrEqualf(t, c.GlobalStoreBytes, uint64(2*p.Get("T")*(p.Get("H")+p.Get("HK"))*p.Get("D")), "%s: more than one pass", what)
			}
		}
	}
}

func TestMoECounters(t *testing.T) {
	k := kernels.Lookup("moe")
	for _, s := range []map[string]int{
		{"T": 256, "Hd": 512, "E": 8, "K": 2, "f32logits": 1},
		{"T": 128, "Hd": 256, "E": 64, "K": 8, "pad": 16},
	} {
		p, err := k.Problem(s, ir.BF16)
		require.NoError(t, err)
		for _, cfg := range k.Space(p) {
			what := fmt.Sprintf("moe %s %s", p, cfg)
			by, bins := countersOf(t, k, p, cfg)
			noLocalMemory(t, what, bins)
			g := by["moe_dispatch"]
			require.NotNil(t, g, what)
			// The row copy dominates: its row accesses are 16-byte vectors
			// (the per-row index loads around them are not), its stores
			// coalesced, its shared memory (the expert lookup) conflict-free.
			for _, b := range bins {
				if b.Name == "moe_dispatch" {
					assert.Containsf(t, b.PTX, "ld.global.v4.b32", "%s: rows not read 16 bytes at a time", what)
					assert.Containsf(t, b.PTX, "st.global.v4.b32", "%s: rows not written 16 bytes at a time", what)
					assert.NotContainsf(t, b.PTX, "ld.global.b16", "%s: a row read element by element", what)
				}
			}
			assert.GreaterOrEqualf(t, g.GlobalStoreEfficiency(), 0.95, "%s: dispatch stores", what)
			assert.Zerof(t, g.SharedBankConflicts, "%s: dispatch bank conflicts", what)
			for name, c := range by {
				assert.Zerof(t, c.Atomics, "%s: %s uses atomics (dispatch is deterministic without them)", what, name)
			}
		}
	}
}

// Triton's tutorial matmul walks K with loop-carried pointer tiles: its
// loads are pipelined cp.async copies of 16 bytes, and C leaves the mma
// fragments through a conversion to 16-byte runs.
func TestMatmulCounters(t *testing.T) {
	k := kernels.Lookup("matmul")
	p, err := k.Problem(map[string]int{"M": 128, "N": 128, "K": 256}, ir.F16)
	require.NoError(t, err)
	for _, cfg := range k.Space(p) {
		what := fmt.Sprintf("matmul %s %s", p, cfg)
		by, bins := countersOf(t, k, p, cfg)
		noLocalMemory(t, what, bins)
		c := by["matmul"]
		require.NotNil(t, c, what)
		assert.Equalf(t, 1.0, c.GlobalLoadEfficiency(), "%s: A/B loads not coalesced", what)
		assert.Equalf(t, 1.0, c.GlobalStoreEfficiency(), "%s: C stores not coalesced", what)
		for _, b := range bins {
			// A and B are copied with cp.async, 16 bytes at a time,
			// num_stages − 1 steps of K ahead.
			assert.Containsf(t, b.PTX, "cp.async.cg.shared.global", "%s: A/B loads are not pipelined", what)
		}
	}
}
