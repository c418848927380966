package examples

import (
	"fmt"
	"math"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

// SoftmaxIR builds a row softmax over an [M, N] matrix with a row stride,
// BLOCK_M rows per program, each row in one BLOCK_N-wide tile (Triton's
// tutorial 02, with several rows per program).
func SoftmaxIR(dt ir.DType) (*ir.Func, error) {
	k := ir.NewKernel("softmax")
	x := k.Pointer("x", dt)
	out := k.Pointer("out", dt)
	m := k.Scalar("m", ir.I32)
	n := k.Scalar("n", ir.I32)
	strideX := k.Scalar("stride_x", ir.I32)
	strideOut := k.Scalar("stride_out", ir.I32)
	BLOCK_M := k.Constexpr("BLOCK_M")
	BLOCK_N := k.Constexpr("BLOCK_N")

	rows := k.Add(k.Mul(k.ProgramID(0), BLOCK_M), k.Arange(0, BLOCK_M))
	cols := k.Arange(0, BLOCK_N)
	mask := k.And(k.ExpandDims(k.Lt(rows, m), 1), k.ExpandDims(k.Lt(cols, n), 0))
	ptrs := k.Add(x, k.Add(k.ExpandDims(k.Mul(rows, strideX), 1), k.ExpandDims(cols, 0)))
	row := k.Cast(k.Load(ptrs, mask, math.Inf(-1)), ir.F32)
	row = k.Sub(row, k.ExpandDims(k.Max(row, 1), 1))
	num := k.Exp(row)
	y := k.Div(num, k.ExpandDims(k.Sum(num, 1), 1))
	optrs := k.Add(out, k.Add(k.ExpandDims(k.Mul(rows, strideOut), 1), k.ExpandDims(cols, 0)))
	k.Store(optrs, k.Cast(y, dt), mask)
	return k.Build()
}

// Softmax is the row-softmax kernel.
var Softmax = &kernels.Kernel{
	Name:    "softmax",
	Summary: "row softmax of an [M, N] matrix with a padded row stride (Triton tutorial 02)",
	Params: []kernels.Param{
		{Name: "M", Default: 100, Doc: "rows"},
		{Name: "N", Default: 257, Doc: "columns (one row fits a tile)"},
	},
	DTypes: []ir.DType{ir.F32, ir.F16, ir.BF16},
	Tuned:  []string{"BLOCK_M"},
	Space: func(p kernels.Problem) []ir.Config {
		var out []ir.Config
		for _, bm := range []int{1, 2, 4, 8} {
			for _, w := range []int{4, 8} {
				out = append(out, ir.Config{"BLOCK_M": bm, ir.KeyNumWarps: w})
			}
		}
		return out
	},
	Plan: planSoftmax,
}

func planSoftmax(p kernels.Problem, cfg ir.Config) (*kernels.Plan, error) {
	m, n := p.Get("M"), p.Get("N")
	if m < 1 || n < 1 || n > 1<<14 {
		return nil, fmt.Errorf("sizes out of range: M=%d, N=%d (need M >= 1 and 1 <= N <= 16384)", m, n)
	}
	bm, err := kernels.Pow2(cfg, "BLOCK_M", 1, 64)
	if err != nil {
		return nil, err
	}
	f, err := kernels.Cached("softmax", p.DType, func() (*ir.Func, error) { return SoftmaxIR(p.DType) })
	if err != nil {
		return nil, err
	}
	dt := p.DType
	strideX := n + 3 // a padded row stride: the kernel must not assume rows are contiguous
	return &kernels.Plan{
		Buffers: []*kernels.Buffer{
			{Name: "x", DType: dt, Len: m * strideX, Role: kernels.Input,
				View: &kernels.View{Shape: []int{m, n}, Strides: []int{strideX, 1}}},
			{Name: "out", DType: dt, Len: m * n, Role: kernels.Output, View: kernels.Contiguous(m, n), Tol: kernels.TolFor(dt)},
		},
		Launches: []kernels.Launch{{
			Kernel: f, Config: kernels.With(cfg, ir.Config{"BLOCK_N": kernels.NextPow2(n)}),
			Grid:     [3]int{kernels.CDiv(m, bm), 1, 1},
			GridExpr: [3]kernels.GridExpr{"cdiv(m, BLOCK_M)", "1", "1"},
			Keys:     []string{"n"},
			Args:     []kernels.Arg{kernels.Buf("x"), kernels.Buf("out"), kernels.Int(m), kernels.Int(n), kernels.Int(strideX), kernels.Int(n)},
		}},
		FLOPs: float64(4 * m * n),
		Bytes: float64(2 * m * n * dt.Size()),
		Reference: func(in map[string][]float64) map[string][]float64 {
			x := in["x"]
			out := make([]float64, m*n)
			for i := 0; i < m; i++ {
				row := x[i*strideX : i*strideX+n]
				mx := math.Inf(-1)
				for _, v := range row {
					mx = math.Max(mx, v)
				}
				s := 0.0
				for j, v := range row {
					out[i*n+j] = math.Exp(v - mx)
					s += out[i*n+j]
				}
				for j := range row {
					out[i*n+j] /= s
				}
			}
			return map[string][]float64{"out": out}
		},
	}, nil
}
