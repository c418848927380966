package examples

import (
	"fmt"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

// VecAddIR builds out[i] = x[i] + y[i] for i < n, BLOCK elements per
// program (Triton's tutorial 01).
func VecAddIR(dt ir.DType) (*ir.Func, error) {
	k := ir.NewKernel("vector_add")
	x := k.Pointer("x", dt)
	y := k.Pointer("y", dt)
	out := k.Pointer("out", dt)
	n := k.Scalar("n", ir.I32)
	BLOCK := k.Constexpr("BLOCK")

	pid := k.ProgramID(0)
	offs := k.Add(k.Mul(pid, BLOCK), k.Arange(0, BLOCK))
	mask := k.Lt(offs, n)
	xv := k.Load(k.Add(x, offs), mask, nil)
	yv := k.Load(k.Add(y, offs), mask, nil)
	k.Store(k.Add(out, offs), k.Add(xv, yv), mask)
	return k.Build()
}

// VecAdd is the vector-add kernel.
var VecAdd = &kernels.Kernel{
	Name:    "vector_add",
	Summary: "out = x + y (Triton tutorial 01)",
	Params:  []kernels.Param{{Name: "N", Default: 1000, Doc: "vector length"}},
	DTypes:  []ir.DType{ir.F32, ir.F16, ir.BF16},
	Tuned:   []string{"BLOCK"},
	Space: func(p kernels.Problem) []ir.Config {
		var out []ir.Config
		for _, b := range []int{1024, 128, 256, 512} {
			out = append(out, ir.Config{"BLOCK": b, ir.KeyNumWarps: 4})
		}
		return out
	},
	Plan: planVecAdd,
}

func planVecAdd(p kernels.Problem, cfg ir.Config) (*kernels.Plan, error) {
	n := p.Get("N")
	if n < 1 {
		return nil, fmt.Errorf("size N=%d must be positive", n)
	}
	block, err := kernels.Pow2(cfg, "BLOCK", 16, 1<<16)
	if err != nil {
		return nil, err
	}
	f, err := kernels.Cached("vector_add", p.DType, func() (*ir.Func, error) { return VecAddIR(p.DType) })
	if err != nil {
		return nil, err
	}
	dt := p.DType
	return &kernels.Plan{
		Buffers: []*kernels.Buffer{
			{Name: "x", DType: dt, Len: n, Role: kernels.Input},
			{Name: "y", DType: dt, Len: n, Role: kernels.Input},
			{Name: "out", DType: dt, Len: n, Role: kernels.Output, Tol: kernels.TolFor(dt)},
		},
		Launches: []kernels.Launch{{
			Kernel: f, Config: cfg, Grid: [3]int{kernels.CDiv(n, block), 1, 1},
			GridExpr: [3]kernels.GridExpr{"cdiv(n, BLOCK)", "1", "1"},
			Args:     []kernels.Arg{kernels.Buf("x"), kernels.Buf("y"), kernels.Buf("out"), kernels.Int(n)},
		}},
		FLOPs: float64(n),
		Bytes: float64(3 * n * dt.Size()),
		Reference: func(in map[string][]float64) map[string][]float64 {
			out := make([]float64, n)
			for i := range out {
				out[i] = in["x"][i] + in["y"][i]
			}
			return map[string][]float64{"out": out}
		},
	}, nil
}
