package kernels_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/kernels/examples"
	"github.com/tilec/tilec/kernels/flash"
)

// A Trial draws the inputs and computes the reference once for the configs
// of a problem, and again for a problem whose buffers differ.
func TestTrialReusesInputsAndReference(t *testing.T) {
	k := examples.VecAdd
	// plan builds a problem's plan whose reference counts its calls.
	plan := func(n int, cfg ir.Config) (*kernels.Plan, *int) {
		p, err := k.Problem(map[string]int{"N": n}, ir.F32)
		require.NoError(t, err)
		pl, err := k.Plan(p, cfg)
		require.NoError(t, err)
		calls := new(int)
		ref := pl.Reference
		pl.Reference = func(in map[string][]float64) map[string][]float64 {
			*calls++
			return ref(in)
		}
		return pl, calls
	}
	trial := kernels.NewTrial(5)
	a, aCalls := plan(1000, ir.Config{"BLOCK": 128, "num_warps": 4})
	b, bCalls := plan(1000, ir.Config{"BLOCK": 256, "num_warps": 4})
	// Large enough that rounding, encoding and comparing run in parallel chunks.
	c, cCalls := plan(1<<18+3, ir.Config{"BLOCK": 256, "num_warps": 4})
	for _, pl := range []*kernels.Plan{a, b, c} {
		rep, err := trial.Check(kernels.NewInterp(), pl)
		require.NoError(t, err)
		require.True(t, rep.Pass())
	}
	require.Equal(t, 1, *aCalls)
	require.Zero(t, *bCalls, "same buffers: the reference of the first plan serves")
	require.Equal(t, 1, *cCalls, "other buffers: a new reference")
	// The same seed draws the same inputs as Check does.
	rep, err := kernels.Check(kernels.NewInterp(), b, 5)
	require.NoError(t, err)
	require.True(t, rep.Pass())
}

// hostOnly is a device that keeps memory on the host and launches nothing:
// the benchmark below times the host side of a check alone.
type hostOnly struct{ *kernels.Interp }

func (hostOnly) LaunchFunc(*ir.Func, [3]int, []any) error { return nil }

// BenchmarkTrialFlashBenchShape times the host side of checking flash's
// tuning space at a benchmark shape (B=4, H=16, N=4096, D=128: 33.5 M
// elements per tensor) on one Trial: inputs, the sampled reference,
// encoding, reading back and comparing. Nothing is launched, so every
// check fails as unwritten; the work is what a passing check does.
func BenchmarkTrialFlashBenchShape(b *testing.B) {
	k := flash.Kernel
	p, err := k.Problem(map[string]int{"B": 4, "H": 16, "N": 4096, "D": 128}, ir.F16)
	require.NoError(b, err)
	for b.Loop() {
		trial := kernels.NewTrial(1)
		for _, cfg := range k.Space(p) {
			plan, err := k.Plan(p, cfg)
			require.NoError(b, err)
			_, err = trial.Check(hostOnly{kernels.NewInterp()}, plan)
			require.NoError(b, err)
		}
	}
}

// corrupting is an interpreter whose reads of the buffer named out come
// back edited.
type corrupting struct {
	*kernels.Interp
	out  uint64
	edit func(data []byte)
}

func (d *corrupting) Alloc(name string, bytes int) (uint64, error) {
	a, err := d.Interp.Alloc(name, bytes)
	if name == "out" {
		d.out = a
	}
	return a, err
}

func (d *corrupting) Read(addr uint64, data []byte) error {
	if err := d.Interp.Read(addr, data); err != nil {
		return err
	}
	if addr == d.out {
		d.edit(data)
	}
	return nil
}

// A check that finds bad elements in several chunks counts all of them
// and names the first in view order.
func TestCheckReportsTheFirstBadElement(t *testing.T) {
	k := examples.VecAdd
	p, err := k.Problem(map[string]int{"N": 1 << 18}, ir.F32)
	require.NoError(t, err)
	plan, err := k.Plan(p, ir.Config{"BLOCK": 256, "num_warps": 4})
	require.NoError(t, err)
	// Two elements changed, far apart (in different chunks of the
	// parallel compare).
	dev := &corrupting{Interp: kernels.NewInterp(), edit: func(data []byte) {
		for _, i := range []int{200000, 5} {
			ir.F32.Encode(data[4*i:], 1e6)
		}
	}}
	rep, err := kernels.Check(dev, plan, 1)
	require.NoError(t, err)
	out := rep.Outputs[0]
	require.Equal(t, "out", out.Name)
	require.Equal(t, 2, out.Bad)
	require.Contains(t, out.First, "element 5 ")
}

// The absolute part of a tolerance scales with the output: f16 softmax
// rows of 1025 columns are all below 1e-2, f16's absolute tolerance for
// outputs of order 1, yet one element off by 1e-4 (a tenth of a typical
// value; too little for the relative L2 error of the whole output to
// notice) fails the element-wise check.
func TestToleranceScalesWithTheOutput(t *testing.T) {
	k := examples.Softmax
	p, err := k.Problem(map[string]int{"M": 9, "N": 1025}, ir.F16)
	require.NoError(t, err)
	cfg, err := k.DefaultConfig(p)
	require.NoError(t, err)
	plan, err := k.Plan(p, cfg)
	require.NoError(t, err)
	rep, err := kernels.Check(kernels.NewInterp(), plan, 1)
	require.NoError(t, err)
	out := rep.Outputs[0]
	require.True(t, out.Pass(), "%s", out.First)
	require.Less(t, out.Scale, 2e-3, "softmax outputs over 1025 columns are of order 1e-3")
	require.Less(t, out.Tol.Bound(out.Scale, out.Scale), 1e-4)

	dev := &corrupting{Interp: kernels.NewInterp(), edit: func(data []byte) {
		const i = 3000
		ir.F16.Encode(data[2*i:], ir.F16.Decode(data[2*i:])+1e-4)
	}}
	rep, err = kernels.Check(dev, plan, 1)
	require.NoError(t, err)
	out = rep.Outputs[0]
	require.Less(t, out.RelL2, out.Tol.L2, "the relative L2 error alone would pass it")
	require.Equal(t, 1, out.Bad)
	require.Contains(t, out.First, "element 3000 ")
}
