package ops_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/autotune"
	"github.com/tilec/tilec/internal/sessiontest"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/kernels/flash"
	"github.com/tilec/tilec/kernels/moe"
	"github.com/tilec/tilec/kernels/rope"
	"github.com/tilec/tilec/ops"
	"github.com/tilec/tilec/session"
)

func TestFlashForwardBothLayouts(t *testing.T) {
	s := sessiontest.OpenEmu(t, session.TuneOff)
	r := rand.New(rand.NewPCG(1, 2))
	const B, H, HKV, N, D = 1, 4, 2, 70, 64
	for _, dt := range []ir.DType{ir.F16, ir.BF16} {
		for _, layout := range []flash.Layout{flash.BHND, flash.BNHD} {
			o := flash.Options{B: B, H: H, HKV: HKV, N: N, D: D, Causal: layout == flash.BNHD, DType: dt, Layout: layout}
			q, k, v := sessiontest.Random(r, dt, B*H*N*D), sessiontest.Random(r, dt, B*HKV*N*D), sessiontest.Random(r, dt, B*HKV*N*D)
			// The tensors hold memory in the layout's order; views give
			// Forward the [B, H, N, D] shape.
			tensor := func(vals []float64, heads int) session.Tensor {
				if layout == flash.BHND {
					x, err := s.FromHost(dt, vals, B, heads, N, D)
					require.NoError(t, err)
					return x
				}
				x, err := s.FromHost(dt, vals, B, N, heads, D)
				require.NoError(t, err)
				x, err = x.View(0, 2, 1, 3)
				require.NoError(t, err)
				return x
			}
			qt, kt, vt := tensor(q, H), tensor(k, HKV), tensor(v, HKV)
			ot := tensor(make([]float64, B*H*N*D), H)
			nan := make([]float64, B*H*N*D)
			for i := range nan {
				nan[i] = math.NaN()
			}
			require.NoError(t, s.Write(ot, nan))
			lse := sessiontest.Poisoned(t, s, ir.F32, B, H, N)
			require.NoError(t, ops.FlashForward(s, qt, kt, vt, ot, lse, ops.FlashOptions{Causal: o.Causal}))
			want := flash.Reference(o, q, k, v)
			// ToHost reads the view in [B, H, N, D] order, as the
			// reference returns O.
			got, err := s.ToHost(ot)
			require.NoError(t, err)
			sessiontest.Near(t, "o", got, want["o"], kernels.TolFor(dt))
			gotLSE, err := s.ToHost(lse)
			require.NoError(t, err)
			sessiontest.Near(t, "lse", gotLSE, want["lse"], kernels.Tol{Abs: 1e-3, Rel: 1e-3})
		}
	}
}

func TestFlashForwardRejectsBadTensors(t *testing.T) {
	s := sessiontest.OpenEmu(t, session.TuneOff)
	q, err := s.Empty(ir.F16, 1, 2, 16, 64)
	require.NoError(t, err)
	k, err := s.Empty(ir.F16, 1, 2, 16, 64)
	require.NoError(t, err)
	bf, err := s.Empty(ir.BF16, 1, 2, 16, 64)
	require.NoError(t, err)
	short, err := s.Empty(ir.F16, 1, 2, 8, 64)
	require.NoError(t, err)
	odd, err := s.Empty(ir.F16, 1, 2, 16, 48)
	require.NoError(t, err)
	for _, c := range []struct {
		q, k, v, o session.Tensor
		want       string
	}{
		{q, k, bf, q, "v: dtype bf16, the kernel needs f16"},
		{q, short, short, q, "batch, length and head dim must match"},
		{q, k, k, session.Tensor{}, "o: "},
		{odd, odd, odd, odd, "head dim D=48 is not supported"},
		{session.Wrap(q.Ptr, ir.F16, 2, 16, 64), k, k, q, "q and k must be [B, H, N, D]"},
	} {
		err := ops.FlashForward(s, c.q, c.k, c.v, c.o, session.Tensor{}, ops.FlashOptions{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), c.want)
	}
}

func TestRopeApply(t *testing.T) {
	s := sessiontest.OpenEmu(t, session.TuneOff)
	r := rand.New(rand.NewPCG(3, 4))
	const T, H, HK, D, P = 37, 4, 2, 64, 80
	for _, inPlace := range []bool{false, true} {
		dt := ir.BF16
		o := rope.Options{T: T, H: H, HK: HK, D: D, HasPos: true, MaxPos: P, HasCache: true, InPlace: inPlace, DType: dt}
		in := map[string][]float64{"q": sessiontest.Random(r, dt, T*H*D), "k": sessiontest.Random(r, dt, T*HK*D)}
		pos := make([]float64, T)
		for i := range pos {
			pos[i] = float64(r.IntN(P))
		}
		in["positions"] = pos
		in["cos"], in["sin"] = make([]float64, P*D/2), make([]float64, P*D/2)
		for i := range in["cos"] {
			a := float64(i/(D/2)) * math.Pow(10000, -float64(2*(i%(D/2)))/D)
			in["cos"][i], in["sin"][i] = dt.Round(math.Cos(a)), dt.Round(math.Sin(a))
		}
		up := func(d ir.DType, vals []float64, shape ...int) session.Tensor {
			x, err := s.FromHost(d, vals, shape...)
			require.NoError(t, err)
			return x
		}
		q, k := up(dt, in["q"], T, H, D), up(dt, in["k"], T, HK, D)
		var qOut, kOut session.Tensor
		if !inPlace {
			qOut, kOut = sessiontest.Poisoned(t, s, dt, T, H, D), sessiontest.Poisoned(t, s, dt, T, HK, D)
		}
		require.NoError(t, ops.RopeApply(s, q, k, qOut, kOut, up(ir.I32, pos, T), up(dt, in["cos"], P, D/2), up(dt, in["sin"], P, D/2), ops.RopeOptions{}))
		want := rope.Reference(o, in)
		if inPlace {
			qOut, kOut = q, k
			want["q_out"], want["k_out"] = want["q"], want["k"]
		}
		for name, x := range map[string]session.Tensor{"q_out": qOut, "k_out": kOut} {
			got, err := s.ToHost(x)
			require.NoError(t, err)
			sessiontest.Near(t, name, got, want[name], kernels.TolFor(dt))
		}
	}
}

// The first session tunes route and combine once each, on first use; the
// second finds both in the tuning cache and tunes nothing.
func TestMoERouteAndCombineTunedOnce(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(5, 6))
	const T, E, K, Hd = 45, 8, 2, 64
	dt := ir.BF16
	logits, hidden := sessiontest.Random(r, ir.F32, T*E), sessiontest.Random(r, dt, T*Hd)
	var configs []ir.Config
	var tunes [2][]string // kernels tuned, per session
	for i := range 2 {
		s, err := session.Open(session.Options{Device: "emu", CacheDir: dir,
			OnTune: func(r *autotune.Result) { tunes[i] = append(tunes[i], r.Kernel) }})
		require.NoError(t, err)
		lt, err := s.FromHost(ir.F32, logits, T, E)
		require.NoError(t, err)
		ht, err := s.FromHost(dt, hidden, T, Hd)
		require.NoError(t, err)
		d, err := ops.MoERoute(s, lt, ht, ops.RouteOptions{K: K, Renorm: true})
		require.NoError(t, err)
		want := moe.Reference(moe.Options{T: T, Hd: Hd, E: E, K: K, Renorm: true, DType: dt, LogitsF32: true}, logits, hidden)
		for name, x := range map[string]session.Tensor{"topk_ids": d.TopkIDs, "counts": d.Counts, "offsets": d.Offsets,
			"sorted_ids": d.SortedIDs, "inverse": d.Inverse, "permuted": d.Permuted} {
			got, err := s.ToHost(x)
			require.NoError(t, err)
			sessiontest.Near(t, name, got, want[name], kernels.Tol{Exact: true})
		}
		got, err := s.ToHost(d.TopkWeights)
		require.NoError(t, err)
		sessiontest.Near(t, "topk_weights", got, want["topk_weights"], kernels.Tol{Abs: 1e-6, Rel: 1e-5})

		// Combine the permuted rows straight back: with renormalized
		// weights each token gets its own row again.
		out := sessiontest.Poisoned(t, s, dt, T, Hd)
		require.NoError(t, ops.MoECombineRows(s, d.Permuted, d.TopkWeights, d.Inverse, out))
		back, err := s.ToHost(out)
		require.NoError(t, err)
		sessiontest.Near(t, "combined", back, hidden, kernels.TolFor(dt))

		p, err := moe.Kernel.Problem(map[string]int{"T": T, "Hd": Hd, "E": E, "K": K, "renorm": 1, "f32logits": 1}, dt)
		require.NoError(t, err)
		cfg, err := s.Config(moe.Kernel, p)
		require.NoError(t, err)
		configs = append(configs, cfg)
		require.NoError(t, s.Close())
	}
	assert.ElementsMatch(t, []string{"moe", "moe_combine"}, tunes[0], "the first session tunes each kernel once")
	assert.Empty(t, tunes[1], "the second session takes both configs from the cache")
	assert.Equal(t, configs[0], configs[1])
	c, err := autotune.OpenCache(dir)
	require.NoError(t, err)
	entries, err := c.List()
	require.NoError(t, err)
	var tuned []string
	for _, e := range entries {
		tuned = append(tuned, e.Key.Kernel)
		if e.Key.Kernel == "moe" {
			assert.Equal(t, configs[0], e.Config)
		}
	}
	assert.ElementsMatch(t, []string{"moe", "moe_combine"}, tuned)
}
