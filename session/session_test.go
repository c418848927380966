package session_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/autotune"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/kernels/examples"
	"github.com/tilec/tilec/kernels/flash"
	"github.com/tilec/tilec/kernels/moe"
	"github.com/tilec/tilec/kernels/rope"
	"github.com/tilec/tilec/session"
)

func openEmu(t *testing.T, tune string) *session.Session {
	t.Helper()
	s, err := session.Open(session.Options{Device: "emu", Tune: tune, CacheDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// random returns n values in [-1, 1) rounded to dt.
func random(r *rand.Rand, dt ir.DType, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = dt.Round(2*r.Float64() - 1)
	}
	return out
}

// poisoned allocates a tensor filled with NaN (or -1 for integers), so an
// element the kernel skips is caught.
func poisoned(t *testing.T, s *session.Session, dt ir.DType, shape ...int) session.Tensor {
	t.Helper()
	x, err := s.Empty(dt, shape...)
	require.NoError(t, err)
	fill := math.NaN()
	if dt.IsInt() {
		fill = -1
	}
	vals := make([]float64, x.Len())
	for i := range vals {
		vals[i] = fill
	}
	require.NoError(t, s.Write(x, vals))
	return x
}

// near checks every element of got against want within tol.
func near(t *testing.T, name string, got, want []float64, tol kernels.Tol) {
	t.Helper()
	require.Len(t, got, len(want), name)
	bad := 0
	for i := range want {
		if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > tol.Abs+tol.Rel*math.Abs(want[i]) {
			if bad == 0 {
				t.Errorf("%s[%d] = %g, want %g", name, i, got[i], want[i])
			}
			bad++
		}
	}
	assert.Zerof(t, bad, "%s: %d of %d elements wrong", name, bad, len(want))
}

func TestFlashForwardBothLayouts(t *testing.T) {
	s := openEmu(t, session.TuneOff)
	r := rand.New(rand.NewPCG(1, 2))
	const B, H, HKV, N, D = 1, 4, 2, 70, 64
	for _, dt := range []ir.DType{ir.F16, ir.BF16} {
		for _, layout := range []flash.Layout{flash.BHND, flash.BNHD} {
			o := flash.Options{B: B, H: H, HKV: HKV, N: N, D: D, Causal: layout == flash.BNHD, DType: dt, Layout: layout}
			q, k, v := random(r, dt, B*H*N*D), random(r, dt, B*HKV*N*D), random(r, dt, B*HKV*N*D)
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
			lse := poisoned(t, s, ir.F32, B, H, N)
			require.NoError(t, flash.Forward(s, qt, kt, vt, ot, lse, flash.ForwardOptions{Causal: o.Causal}))
			want := flash.Reference(o, q, k, v)
			// ToHost reads the view in [B, H, N, D] order, as the
			// reference returns O.
			got, err := s.ToHost(ot)
			require.NoError(t, err)
			near(t, "o", got, want["o"], kernels.TolFor(dt))
			gotLSE, err := s.ToHost(lse)
			require.NoError(t, err)
			near(t, "lse", gotLSE, want["lse"], kernels.Tol{Abs: 1e-3, Rel: 1e-3})
		}
	}
}

func TestFlashForwardRejectsBadTensors(t *testing.T) {
	s := openEmu(t, session.TuneOff)
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
		err := flash.Forward(s, c.q, c.k, c.v, c.o, session.Tensor{}, flash.ForwardOptions{})
		require.Error(t, err)
		assert.Contains(t, err.Error(), c.want)
	}
}

func TestRopeApply(t *testing.T) {
	s := openEmu(t, session.TuneOff)
	r := rand.New(rand.NewPCG(3, 4))
	const T, H, HK, D, P = 37, 4, 2, 64, 80
	for _, inPlace := range []bool{false, true} {
		dt := ir.BF16
		o := rope.Options{T: T, H: H, HK: HK, D: D, HasPos: true, MaxPos: P, HasCache: true, InPlace: inPlace, DType: dt}
		in := map[string][]float64{"q": random(r, dt, T*H*D), "k": random(r, dt, T*HK*D)}
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
			qOut, kOut = poisoned(t, s, dt, T, H, D), poisoned(t, s, dt, T, HK, D)
		}
		require.NoError(t, rope.Apply(s, q, k, qOut, kOut, up(ir.I32, pos, T), up(dt, in["cos"], P, D/2), up(dt, in["sin"], P, D/2), rope.ApplyOptions{}))
		want := rope.Reference(o, in)
		if inPlace {
			qOut, kOut = q, k
			want["q_out"], want["k_out"] = want["q"], want["k"]
		}
		for name, x := range map[string]session.Tensor{"q_out": qOut, "k_out": kOut} {
			got, err := s.ToHost(x)
			require.NoError(t, err)
			near(t, name, got, want[name], kernels.TolFor(dt))
		}
	}
}

func TestMoERouteAndCombineTunedOnce(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(5, 6))
	const T, E, K, Hd = 45, 8, 2, 64
	dt := ir.BF16
	logits, hidden := random(r, ir.F32, T*E), random(r, dt, T*Hd)
	var configs []ir.Config
	for range 2 { // the second session finds the first one's tuning in the cache
		s, err := session.Open(session.Options{Device: "emu", CacheDir: dir})
		require.NoError(t, err)
		lt, err := s.FromHost(ir.F32, logits, T, E)
		require.NoError(t, err)
		ht, err := s.FromHost(dt, hidden, T, Hd)
		require.NoError(t, err)
		d, err := moe.Route(s, lt, ht, moe.RouteOptions{K: K, Renorm: true})
		require.NoError(t, err)
		want := moe.Reference(moe.Options{T: T, Hd: Hd, E: E, K: K, Renorm: true, DType: dt, LogitsF32: true}, logits, hidden)
		for name, x := range map[string]session.Tensor{"topk_ids": d.TopkIDs, "counts": d.Counts, "offsets": d.Offsets,
			"sorted_ids": d.SortedIDs, "inverse": d.Inverse, "permuted": d.Permuted} {
			got, err := s.ToHost(x)
			require.NoError(t, err)
			near(t, name, got, want[name], kernels.Tol{Exact: true})
		}
		got, err := s.ToHost(d.TopkWeights)
		require.NoError(t, err)
		near(t, "topk_weights", got, want["topk_weights"], kernels.Tol{Abs: 1e-6, Rel: 1e-5})

		// Combine the permuted rows straight back: with renormalized
		// weights each token gets its own row again.
		out := poisoned(t, s, dt, T, Hd)
		require.NoError(t, moe.CombineRows(s, d.Permuted, d.TopkWeights, d.Inverse, out))
		back, err := s.ToHost(out)
		require.NoError(t, err)
		near(t, "combined", back, hidden, kernels.TolFor(dt))

		p, err := moe.Kernel.Problem(map[string]int{"T": T, "Hd": Hd, "E": E, "K": K, "renorm": 1, "f32logits": 1}, dt)
		require.NoError(t, err)
		cfg, err := s.Config(moe.Kernel, p)
		require.NoError(t, err)
		configs = append(configs, cfg)
		require.NoError(t, s.Close())
	}
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

func TestUserKernelLaunchAndRun(t *testing.T) {
	s := openEmu(t, session.TuneOff)
	r := rand.New(rand.NewPCG(7, 8))
	const n = 1000
	x, y := random(r, ir.F32, n), random(r, ir.F32, n)
	xt, err := s.FromHost(ir.F32, x, n)
	require.NoError(t, err)
	yt, err := s.FromHost(ir.F32, y, n)
	require.NoError(t, err)
	want := make([]float64, n)
	for i := range want {
		want[i] = ir.F32.Round(x[i] + y[i])
	}

	// Lowest level: a DSL function, a config and a grid.
	f, err := examples.VecAddIR(ir.F32)
	require.NoError(t, err)
	out := poisoned(t, s, ir.F32, n)
	require.NoError(t, s.Launch(f, ir.Config{"BLOCK": 256}, [3]int{kernels.CDiv(n, 256), 1, 1}, xt, yt, out, n))
	got, err := s.ToHost(out)
	require.NoError(t, err)
	near(t, "launch", got, want, kernels.Tol{})
	b, err := s.Compile(f, ir.Config{"BLOCK": 256}, xt, yt, out, n)
	require.NoError(t, err)
	assert.Contains(t, b.PTX, ".entry vector_add")

	// A described kernel: the plan binds tensors by buffer name.
	out = poisoned(t, s, ir.F32, n)
	p, err := examples.VecAdd.Problem(map[string]int{"N": n}, ir.F32)
	require.NoError(t, err)
	require.NoError(t, s.Run(examples.VecAdd, p, map[string]session.Tensor{"x": xt, "y": yt, "out": out}))
	got, err = s.ToHost(out)
	require.NoError(t, err)
	near(t, "run", got, want, kernels.Tol{})

	// Bad input is an error that says what is wrong.
	err = s.Run(examples.VecAdd, p, map[string]session.Tensor{"x": xt, "y": yt})
	require.ErrorContains(t, err, "no address for output buffer out")
	err = s.Run(examples.VecAdd, p, map[string]session.Tensor{"x": xt, "y": yt, "out": out, "z": out})
	require.ErrorContains(t, err, "the kernel has no buffer z")
	err = s.Launch(f, ir.Config{"BLOCK": 256}, [3]int{4, 1, 1}, xt, yt, out, "n")
	require.ErrorContains(t, err, "string is not a tensor, pointer, integer or float")
	_, err = session.Open(session.Options{Device: "tpu"})
	require.ErrorContains(t, err, `unknown device "tpu"`)
	_, err = session.Open(session.Options{Tune: "maybe"})
	require.ErrorContains(t, err, `unknown tuning policy "maybe"`)
}

func TestTensorViews(t *testing.T) {
	x := session.Wrap(256, ir.F16, 2, 3, 4)
	assert.True(t, x.Contiguous())
	assert.Equal(t, []int{12, 4, 1}, x.Stride())
	v, err := x.View(0, 2, 1)
	require.NoError(t, err)
	assert.Equal(t, []int{2, 4, 3}, v.Shape)
	assert.Equal(t, []int{12, 1, 4}, v.Strides)
	assert.False(t, v.Contiguous())
	_, err = x.View(0, 0, 1)
	assert.Error(t, err)
	assert.True(t, session.Tensor{}.IsZero())
}
