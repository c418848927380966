package autotune

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

// The test binary is also the tuning worker: correctness checks re-execute
// it with TILEC_TUNE_WORKER=1.
func TestMain(m *testing.M) {
	WorkerMain()
	os.Exit(m.Run())
}

func init() { kernels.Register(planted) }

// planted is a vector scale with planted configs: WRONG=1 writes one
// element wrong, CRASH=1 takes its process down while checking (its
// input's initializer exits, as a GPU fault that kills the context would),
// and BLOCK=100 is refused by the plan.
var planted = &kernels.Kernel{
	Name:   "planted",
	Params: []kernels.Param{{Name: "N", Default: 300}},
	DTypes: []ir.DType{ir.F32},
	Tuned:  []string{"BLOCK", "WRONG", "CRASH"},
	Space: func(kernels.Problem) []ir.Config {
		return []ir.Config{
			{"BLOCK": 64, "WRONG": 1, "CRASH": 0},
			{"BLOCK": 128, "WRONG": 0, "CRASH": 0},
			{"BLOCK": 32, "WRONG": 0, "CRASH": 1},
			{"BLOCK": 256, "WRONG": 0, "CRASH": 0},
			{"BLOCK": 100, "WRONG": 0, "CRASH": 0}, // not a power of two: pruned by the plan
		}
	},
	Plan: func(p kernels.Problem, cfg ir.Config) (*kernels.Plan, error) {
		n := p.Get("N")
		block, err := kernels.Pow2(cfg, "BLOCK", 16, 1024)
		if err != nil {
			return nil, err
		}
		f, err := kernels.Cached("planted", ir.F32, plantedIR)
		if err != nil {
			return nil, err
		}
		x := &kernels.Buffer{Name: "x", DType: ir.F32, Len: n, Role: kernels.Input}
		if cfg["CRASH"] == 1 {
			x.Init = func(r *rand.Rand, _ int) float64 {
				if os.Getenv(workerEnv) == "1" {
					os.Exit(3) // the worker dies; the tuning run must not
				}
				return 2*r.Float64() - 1
			}
		}
		return &kernels.Plan{
			Buffers: []*kernels.Buffer{
				x,
				{Name: "out", DType: ir.F32, Len: n, Role: kernels.Output, Tol: kernels.TolFor(ir.F32)},
			},
			Launches: []kernels.Launch{{Kernel: f, Config: ir.Config{"BLOCK": block, "WRONG": cfg["WRONG"], ir.KeyNumWarps: 4},
				Grid: [3]int{kernels.CDiv(n, block), 1, 1}, Args: []kernels.Arg{kernels.Buf("x"), kernels.Buf("out"), kernels.Int(n)}}},
			Bytes: float64(8 * n),
			Reference: func(in map[string][]float64) map[string][]float64 {
				out := make([]float64, n)
				for i, v := range in["x"] {
					out[i] = 2 * v
				}
				return map[string][]float64{"out": out}
			},
		}, nil
	},
}

func plantedIR() (*ir.Func, error) {
	k := ir.NewKernel("planted")
	x, out := k.Pointer("x", ir.F32), k.Pointer("out", ir.F32)
	n := k.Scalar("n", ir.I32)
	BLOCK, WRONG := k.Constexpr("BLOCK"), k.Constexpr("WRONG")
	offs := k.Add(k.Mul(k.ProgramID(0), BLOCK), k.Arange(0, BLOCK))
	v := k.Mul(k.Load(k.Add(x, offs), k.Lt(offs, n), nil), 2.0)
	// WRONG=1 adds 1 to element 7: one wrong element in the output.
	bad := k.And(k.Eq(offs, 7), k.Eq(k.MetaValue(WRONG), 1))
	k.Store(k.Add(out, offs), k.Where(bad, k.Add(v, 1.0), v), k.Lt(offs, n))
	return k.Build()
}

func find(r *Result, cfg string) *Candidate {
	for _, c := range r.All {
		if c.Config.String() == cfg {
			return c
		}
	}
	return nil
}

func TestPlantedConfigsAreCaughtAndIsolated(t *testing.T) {
	p, err := planted.Problem(nil, ir.F32)
	require.NoError(t, err)
	res, err := Tune(planted, p, Options{Device: "emu"})
	require.NoError(t, err)
	wrong := find(res, "BLOCK=64,CRASH=0,WRONG=1")
	require.NotNil(t, wrong)
	assert.Equal(t, Failed, wrong.Status)
	assert.Contains(t, wrong.Reason, "wrong result: out")
	assert.Contains(t, wrong.Reason, "1 outside tolerance")
	crash := find(res, "BLOCK=32,CRASH=1,WRONG=0")
	require.NotNil(t, crash)
	assert.Equal(t, Failed, crash.Status)
	assert.Contains(t, crash.Reason, "the worker crashed")
	// A new worker checked the config after the crash.
	after := find(res, "BLOCK=256,CRASH=0,WRONG=0")
	require.NotNil(t, after)
	assert.NotEqual(t, Failed, after.Status, after.Reason)
	pruned := find(res, "BLOCK=100,CRASH=0,WRONG=0")
	assert.Equal(t, Pruned, pruned.Status)
	assert.Contains(t, pruned.Reason, "power of two")
	require.NotNil(t, res.Best)
	assert.Equal(t, 0, res.Best.Config["WRONG"])
	assert.Equal(t, 0, res.Best.Config["CRASH"])
	assert.Equal(t, Selected, res.Best.Status)
	assert.Positive(t, res.Best.Estimate)
}

func TestCacheHitAndCorruption(t *testing.T) {
	dir := t.TempDir()
	var warnings []string
	c := &Cache{Dir: dir, Warn: func(m string) { warnings = append(warnings, m) }}
	p, err := planted.Problem(map[string]int{"N": 77}, ir.F32)
	require.NoError(t, err)
	first, err := Tune(planted, p, Options{Device: "emu", Cache: c, NoIsolation: true})
	require.NoError(t, err)
	require.False(t, first.FromCache)
	second, err := Tune(planted, p, Options{Device: "emu", Cache: c, NoIsolation: true})
	require.NoError(t, err)
	assert.True(t, second.FromCache)
	assert.Equal(t, first.Best.Config, second.Best.Config)

	// Another problem is another key.
	p2, _ := planted.Problem(map[string]int{"N": 78}, ir.F32)
	third, err := Tune(planted, p2, Options{Device: "emu", Cache: c, NoIsolation: true})
	require.NoError(t, err)
	assert.False(t, third.FromCache)

	// A corrupted file is ignored with a warning and replaced.
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	require.Len(t, files, 2)
	for _, f := range files {
		require.NoError(t, os.WriteFile(f, []byte("{not json"), 0o644))
	}
	again, err := Tune(planted, p, Options{Device: "emu", Cache: c, NoIsolation: true})
	require.NoError(t, err)
	assert.False(t, again.FromCache)
	require.NotEmpty(t, warnings)
	assert.Contains(t, strings.Join(warnings, "\n"), "does not parse")
	hit, err := Tune(planted, p, Options{Device: "emu", Cache: c, NoIsolation: true})
	require.NoError(t, err)
	assert.True(t, hit.FromCache, "the corrupted file was rewritten")

	entries, err := c.List()
	require.NoError(t, err)
	assert.Len(t, entries, 2)
	n, err := c.Clear()
	require.NoError(t, err)
	assert.Equal(t, 2, n)
}
