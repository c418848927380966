package session_test

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/internal/sessiontest"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/kernels/examples"
	"github.com/tilec/tilec/session"
)

func TestUserKernelLaunchAndRun(t *testing.T) {
	s := sessiontest.OpenEmu(t, session.TuneOff)
	r := rand.New(rand.NewPCG(7, 8))
	const n = 1000
	x, y := sessiontest.Random(r, ir.F32, n), sessiontest.Random(r, ir.F32, n)
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
	out := sessiontest.Poisoned(t, s, ir.F32, n)
	require.NoError(t, s.Launch(f, ir.Config{"BLOCK": 256}, [3]int{kernels.CDiv(n, 256), 1, 1}, xt, yt, out, n))
	got, err := s.ToHost(out)
	require.NoError(t, err)
	sessiontest.Near(t, "launch", got, want, kernels.Tol{})
	b, err := s.Compile(f, ir.Config{"BLOCK": 256}, xt, yt, out, n)
	require.NoError(t, err)
	assert.Contains(t, b.PTX, ".entry vector_add")

	// A described kernel: the plan binds tensors by buffer name.
	out = sessiontest.Poisoned(t, s, ir.F32, n)
	p, err := examples.VecAdd.Problem(map[string]int{"N": n}, ir.F32)
	require.NoError(t, err)
	require.NoError(t, s.Run(examples.VecAdd, p, map[string]session.Tensor{"x": xt, "y": yt, "out": out}))
	got, err = s.ToHost(out)
	require.NoError(t, err)
	sessiontest.Near(t, "run", got, want, kernels.Tol{})

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
