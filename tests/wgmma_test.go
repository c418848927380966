package tests

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/runtime"
)

// TestWGMMAOnEmulator multiplies on wgmma (sm_90a) with every operand
// orientation the compiler can give it, on the emulator against a float64
// reference: A and B each stored row- or column-major in global memory
// (order of their block pointers: the contiguous dim is the swizzled
// buffer's, K-major or MN-major for the descriptors), spans of 32, 64, 128
// bytes and 128-byte blocks, one or two warpgroups and m64 tiles per
// warpgroup, A from shared memory or from registers (C = (A·B)·B₂, the
// first product cast to 16 bits as attention's P), copied through
// registers (no loop) or by TMA in a pipelined loop (K in two steps).
func TestWGMMAOnEmulator(t *testing.T) {
	type shape struct{ m, n, k, warps int }
	shapes := []shape{{64, 16, 16, 4}, {64, 64, 32, 4}, {128, 128, 64, 4}, {128, 256, 128, 8}, {128, 64, 256, 8}}
	seed := uint64(7)
	for _, dt := range []ir.DType{ir.F16, ir.BF16} {
		for _, s := range shapes {
			for _, aOrder := range [][]int{{1, 0}, {0, 1}} {
				for _, bOrder := range [][]int{{1, 0}, {0, 1}} {
					for _, mode := range []string{"once", "loop", "chain"} {
						if mode == "loop" && s.k < 32 {
							continue // two k-steps of at least 16
						}
						name := fmt.Sprintf("%s/%dx%dx%d/w%d/a%v/b%v/%s", dt, s.m, s.n, s.k, s.warps, aOrder, bOrder, mode)
						t.Run(name, func(t *testing.T) {
							seed++
							runDot(t, dt, s.m, s.n, s.k, s.warps, aOrder, bOrder, mode, seed)
						})
					}
				}
			}
		}
	}
}

// runDot builds C = A·B (or (A·B)·B₂ for "chain"), runs it for sm_90a on
// the emulator and compares with float64.
func runDot(t *testing.T, dt ir.DType, m, n, kk, warps int, aOrder, bOrder []int, mode string, seed uint64) {
	k := ir.NewKernel("dot")
	a, b, b2, c := k.Pointer("a", dt), k.Pointer("b", dt), k.Pointer("b2", dt), k.Pointer("c", ir.F32)
	// The strides of a row- or column-major matrix of rows × cols.
	strides := func(order []int, rows, cols int) []any {
		if order[0] == 1 {
			return []any{cols, 1}
		}
		return []any{1, rows}
	}
	step := kk
	if mode == "loop" {
		step = kk / 2
	}
	ap := k.MakeBlockPtr(a, []any{m, kk}, strides(aOrder, m, kk), []any{0, 0}, []any{m, step}, aOrder)
	bp := k.MakeBlockPtr(b, []any{kk, n}, strides(bOrder, kk, n), []any{0, 0}, []any{step, n}, bOrder)
	acc := k.Zeros(ir.F32, m, n)
	if mode == "loop" {
		acc = k.For(0, kk, step, []*ir.Value{acc, ap, bp}, func(_ *ir.Value, v []*ir.Value) []*ir.Value {
			d := k.Dot(k.LoadBlock(v[1], nil, "zero"), k.LoadBlock(v[2], nil, "zero"), v[0])
			return []*ir.Value{d, k.Advance(v[1], 0, step), k.Advance(v[2], step, 0)}
		})[0]
	} else {
		acc = k.Dot(k.LoadBlock(ap, nil, "zero"), k.LoadBlock(bp, nil, "zero"), acc)
	}
	outN := n
	if mode == "chain" {
		b2p := k.MakeBlockPtr(b2, []any{n, n}, strides(bOrder, n, n), []any{0, 0}, []any{n, n}, bOrder)
		acc = k.Dot(k.Cast(acc, dt), k.LoadBlock(b2p, nil, "zero"), k.Zeros(ir.F32, m, n))
	}
	cp := k.MakeBlockPtr(c, []any{m, outN}, []any{outN, 1}, []any{0, 0}, []any{m, outN}, []int{1, 0})
	k.StoreBlock(cp, acc, nil)
	f, err := k.Build()
	require.NoError(t, err)
	f, err = ir.Specialize(f, ir.Config{ir.KeyNumWarps: warps, ir.KeyNumStages: 2})
	require.NoError(t, err)

	rng := rand.New(rand.NewPCG(seed, 1))
	fill := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = kernels.Decode(dt, kernels.Encode(dt, []float64{2*rng.Float64() - 1}))[0]
		}
		return x
	}
	A, B, B2 := fill(m*kk), fill(kk*n), fill(n*n)
	at := func(x []float64, order []int, rows, cols, r, c int) float64 {
		if order[0] == 1 {
			return x[r*cols+c]
		}
		return x[c*rows+r]
	}
	want := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			for l := 0; l < kk; l++ {
				want[i*n+j] += at(A, aOrder, m, kk, i, l) * at(B, bOrder, kk, n, l, j)
			}
		}
	}
	tol := 1e-4
	if mode == "chain" { // P rounded to 16 bits, then P·B₂
		p := make([]float64, m*n)
		for i := range p {
			p[i] = kernels.Decode(dt, kernels.Encode(dt, []float64{want[i]}))[0]
		}
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				s := 0.0
				for l := 0; l < n; l++ {
					s += p[i*n+l] * at(B2, bOrder, n, n, l, j)
				}
				want[i*n+j] = s
			}
		}
		// P rounded to 16 bits from an f32 sum may land one unit away
		// from the float64 sum's rounding.
		tol = 2e-2
		if dt == ir.BF16 {
			tol = 5e-2
		}
	}

	e := runtime.NewEmu()
	addr := func(vals []float64, d ir.DType) uint64 {
		p, err := e.Alloc("x", len(vals)*d.Size())
		require.NoError(t, err)
		require.NoError(t, e.Write(p, kernels.Encode(d, vals)))
		return p
	}
	poison := make([]float64, m*outN)
	for i := range poison {
		poison[i] = math.NaN()
	}
	args := []any{addr(A, dt), addr(B, dt), addr(B2, dt), addr(poison, ir.F32)}
	bin, err := tilec.Compile(f, tilec.Options{Target: "sm_90a", Facts: tilec.FactsOf(f, args)})
	require.NoError(t, err)
	require.Contains(t, bin.PTX, "wgmma.mma_async", "the dot must run on wgmma")
	if mode == "loop" {
		require.Contains(t, bin.PTX, "cp.async.bulk.tensor", "the loop's loads must be TMA copies")
	}
	if mode == "chain" {
		require.Regexp(t, `wgmma\.mma_async[^\n]*\{%r\d+, %r\d+, %r\d+, %r\d+\}`, bin.PTX, "P must be A in registers")
	}
	require.NoError(t, e.Launch(&bin.Kernel, [3]int{1, 1, 1}, args...))
	raw := make([]byte, m*outN*4)
	require.NoError(t, e.Read(args[3].(uint64), raw))
	got := kernels.Decode(ir.F32, raw)
	for i, w := range want {
		require.Falsef(t, math.IsNaN(got[i]), "element %d was not written", i)
		require.InDeltaf(t, w, got[i], tol*(1+math.Abs(w)), "element (%d, %d)", i/outN, i%outN)
	}
}
