package examples

import (
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

// MatmulIR builds C = A @ B with BLOCK_M x BLOCK_N tiles per program,
// programs grouped GROUP_M rows at a time for L2 reuse, and a loop over K
// in BLOCK_K steps (Triton's tutorial 03). Ragged M, N and K are masked.
func MatmulIR(dt ir.DType) (*ir.Func, error) {
	k := ir.NewKernel("matmul")
	a := k.Pointer("a", dt)
	b := k.Pointer("b", dt)
	c := k.Pointer("c", dt)
	M := k.Scalar("M", ir.I32)
	N := k.Scalar("N", ir.I32)
	K := k.Scalar("K", ir.I32)
	strideAM, strideAK := k.Scalar("stride_am", ir.I32), k.Scalar("stride_ak", ir.I32)
	strideBK, strideBN := k.Scalar("stride_bk", ir.I32), k.Scalar("stride_bn", ir.I32)
	strideCM, strideCN := k.Scalar("stride_cm", ir.I32), k.Scalar("stride_cn", ir.I32)
	BLOCK_M := k.Constexpr("BLOCK_M")
	BLOCK_N := k.Constexpr("BLOCK_N")
	BLOCK_K := k.Constexpr("BLOCK_K")
	GROUP_M := k.Constexpr("GROUP_M")

	pid := k.ProgramID(0)
	numPidM := k.CDiv(M, BLOCK_M)
	numPidN := k.CDiv(N, BLOCK_N)
	numPidInGroup := k.Mul(GROUP_M, numPidN)
	groupID := k.Div(pid, numPidInGroup)
	firstPidM := k.Mul(groupID, GROUP_M)
	groupSizeM := k.Minimum(k.Sub(numPidM, firstPidM), GROUP_M)
	pidM := k.Add(firstPidM, k.Rem(k.Rem(pid, numPidInGroup), groupSizeM))
	pidN := k.Div(k.Rem(pid, numPidInGroup), groupSizeM)

	offsAM := k.Add(k.Mul(pidM, BLOCK_M), k.Arange(0, BLOCK_M))
	offsBN := k.Add(k.Mul(pidN, BLOCK_N), k.Arange(0, BLOCK_N))
	offsK := k.Arange(0, BLOCK_K)
	aPtrs := k.Add(a, k.Add(k.Mul(k.ExpandDims(offsAM, 1), strideAM), k.Mul(k.ExpandDims(offsK, 0), strideAK)))
	bPtrs := k.Add(b, k.Add(k.Mul(k.ExpandDims(offsK, 1), strideBK), k.Mul(k.ExpandDims(offsBN, 0), strideBN)))
	acc := k.Zeros(ir.F32, BLOCK_M, BLOCK_N)

	res := k.For(0, k.CDiv(K, BLOCK_K), 1, []*ir.Value{acc, aPtrs, bPtrs}, func(i *ir.Value, v []*ir.Value) []*ir.Value {
		acc, aPtrs, bPtrs := v[0], v[1], v[2]
		kLeft := k.Sub(K, k.Mul(i, BLOCK_K))
		aMask := k.And(k.ExpandDims(k.Lt(offsAM, M), 1), k.ExpandDims(k.Lt(offsK, kLeft), 0))
		bMask := k.And(k.ExpandDims(k.Lt(offsK, kLeft), 1), k.ExpandDims(k.Lt(offsBN, N), 0))
		av := k.Load(aPtrs, aMask, 0.0)
		bv := k.Load(bPtrs, bMask, 0.0)
		acc = k.Dot(av, bv, acc)
		aPtrs = k.Add(aPtrs, k.Mul(BLOCK_K, strideAK))
		bPtrs = k.Add(bPtrs, k.Mul(BLOCK_K, strideBK))
		return []*ir.Value{acc, aPtrs, bPtrs}
	})

	cPtrs := k.Add(c, k.Add(k.Mul(k.ExpandDims(offsAM, 1), strideCM), k.Mul(k.ExpandDims(offsBN, 0), strideCN)))
	cMask := k.And(k.ExpandDims(k.Lt(offsAM, M), 1), k.ExpandDims(k.Lt(offsBN, N), 0))
	k.Store(cPtrs, k.Cast(res[0], dt), cMask)
	return k.Build()
}

// Matmul is the matrix-multiplication kernel.
var Matmul = &kernels.Kernel{
	Name:    "matmul",
	Summary: "C = A @ B with grouped tile ordering (Triton tutorial 03)",
	Params: []kernels.Param{
		{Name: "M", Default: 100, Doc: "rows of A and C"},
		{Name: "N", Default: 72, Doc: "columns of B and C"},
		{Name: "K", Default: 80, Doc: "columns of A, rows of B"},
	},
	DTypes: []ir.DType{ir.F16, ir.BF16, ir.F32},
	Tuned:  []string{"BLOCK_M", "BLOCK_N", "BLOCK_K", "GROUP_M"},
	Space: func(p kernels.Problem) []ir.Config {
		shapes := [][5]int{ // BLOCK_M, BLOCK_N, BLOCK_K, GROUP_M, num_warps
			{64, 64, 32, 8, 4}, {128, 64, 32, 8, 4}, {64, 128, 32, 8, 8}, {128, 128, 32, 8, 8},
			{32, 32, 32, 4, 4}, {16, 16, 16, 1, 1}, {64, 32, 64, 4, 4}, {32, 64, 64, 4, 4},
		}
		var out []ir.Config
		for _, s := range shapes {
			out = append(out, ir.Config{"BLOCK_M": s[0], "BLOCK_N": s[1], "BLOCK_K": s[2], "GROUP_M": s[3],
				ir.KeyNumWarps: s[4], ir.KeyNumStages: 3})
		}
		if p.Target == "sm_90a" {
			// wgmma tiles: two warpgroups, 64-deep k-steps (128-byte swizzled
			// rows), deeper rings (Hopper's 227 KB of shared memory).
			out = append(out,
				ir.Config{"BLOCK_M": 128, "BLOCK_N": 128, "BLOCK_K": 64, "GROUP_M": 8, ir.KeyNumWarps: 8, ir.KeyNumStages: 4},
				ir.Config{"BLOCK_M": 128, "BLOCK_N": 256, "BLOCK_K": 64, "GROUP_M": 8, ir.KeyNumWarps: 8, ir.KeyNumStages: 3})
		}
		return out
	},
	Plan: planMatmul,
}

func planMatmul(p kernels.Problem, cfg ir.Config) (*kernels.Plan, error) {
	m, n, kk := p.Get("M"), p.Get("N"), p.Get("K")
	if m < 1 || n < 1 || kk < 1 {
		return nil, fmt.Errorf("sizes must be positive: M=%d, N=%d, K=%d", m, n, kk)
	}
	bm, err := kernels.Pow2(cfg, "BLOCK_M", 16, 256)
	if err != nil {
		return nil, err
	}
	bn, err := kernels.Pow2(cfg, "BLOCK_N", 16, 256)
	if err != nil {
		return nil, err
	}
	if _, err := kernels.Pow2(cfg, "BLOCK_K", 16, 256); err != nil {
		return nil, err
	}
	if _, err := kernels.Need(cfg, "GROUP_M"); err != nil {
		return nil, err
	}
	f, err := kernels.Cached("matmul", p.DType, func() (*ir.Func, error) { return MatmulIR(p.DType) })
	if err != nil {
		return nil, err
	}
	dt := p.DType
	return &kernels.Plan{
		Buffers: []*kernels.Buffer{
			{Name: "a", DType: dt, Len: m * kk, Role: kernels.Input, View: kernels.Contiguous(m, kk)},
			{Name: "b", DType: dt, Len: kk * n, Role: kernels.Input, View: kernels.Contiguous(kk, n)},
			{Name: "c", DType: dt, Len: m * n, Role: kernels.Output, View: kernels.Contiguous(m, n), Tol: kernels.TolFor(dt)},
		},
		Launches: []kernels.Launch{{
			Kernel: f, Config: cfg, Grid: [3]int{kernels.CDiv(m, bm) * kernels.CDiv(n, bn), 1, 1},
			GridExpr: [3]kernels.GridExpr{"cdiv(M, BLOCK_M) * cdiv(N, BLOCK_N)", "1", "1"},
			Args: []kernels.Arg{kernels.Buf("a"), kernels.Buf("b"), kernels.Buf("c"),
				kernels.Int(m), kernels.Int(n), kernels.Int(kk),
				kernels.Int(kk), kernels.Int(1), kernels.Int(n), kernels.Int(1), kernels.Int(n), kernels.Int(1)},
		}},
		FLOPs: 2 * float64(m) * float64(n) * float64(kk),
		Bytes: float64((m*kk + kk*n + m*n) * dt.Size()),
		Reference: func(in map[string][]float64) map[string][]float64 {
			var c mat.Dense
			c.Mul(mat.NewDense(m, kk, in["a"]), mat.NewDense(kk, n, in["b"]))
			return map[string][]float64{"c": c.RawMatrix().Data}
		},
	}, nil
}
