package ops

import (
	"fmt"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/kernels/moe"
	"github.com/tilec/tilec/session"
)

// RouteOptions are the routing options of MoERoute.
type RouteOptions struct {
	K      int  // experts per token
	Renorm bool // renormalize the top-k weights to sum to 1
	Pad    int  // pad each expert's segment to a multiple of this (0: 16)
}

// Dispatch is what MoERoute produces, on the session's device.
type Dispatch struct {
	TopkIDs     session.Tensor // [T, K] i32: each token's experts, best first
	TopkWeights session.Tensor // [T, K] f32: their softmax weights
	Counts      session.Tensor // [E] i32: slots per expert
	Offsets     session.Tensor // [E+1] i32: where each expert's padded segment starts
	SortedIDs   session.Tensor // [Rows] i32: the slot (t·K + j) in each row, -1 in padding
	Inverse     session.Tensor // [T, K] i32: the row of each slot
	Permuted    session.Tensor // [Rows, Hd]: hidden rows grouped by expert
	Rows        int            // rows of the permuted buffer (its capacity)
}

// MoERoute dispatches tokens to experts on s (MoE dispatch, kernels/moe): softmax top-k routing of
// logits ([T, E], the dtype of hidden or f32), counts, padded segment
// offsets and a stable permutation of hidden's rows ([T, Hd]) into expert
// order, with the configs tuned for the problem. The outputs are allocated
// on the session.
func MoERoute(s *session.Session, logits, hidden session.Tensor, opt RouteOptions) (*Dispatch, error) {
	if len(logits.Shape) != 2 || len(hidden.Shape) != 2 || logits.Shape[0] != hidden.Shape[0] {
		return nil, fmt.Errorf("moe: logits must be [T, E] and hidden [T, Hd] (shapes %v, %v)", logits.Shape, hidden.Shape)
	}
	T, E, Hd := logits.Shape[0], logits.Shape[1], hidden.Shape[1]
	if logits.DType != hidden.DType && logits.DType != ir.F32 {
		return nil, fmt.Errorf("moe: logits are %s: they must be f32 or the dtype of hidden (%s)", logits.DType, hidden.DType)
	}
	o, err := moe.Options{T: T, Hd: Hd, E: E, K: opt.K, Renorm: opt.Renorm, Pad: opt.Pad, DType: hidden.DType,
		LogitsF32: logits.DType == ir.F32 && hidden.DType != ir.F32}.Normalize()
	if err != nil {
		return nil, err
	}
	bit := map[bool]int{false: 0, true: 1}
	p, err := moe.Kernel.Problem(map[string]int{"T": T, "Hd": Hd, "E": E, "K": o.K, "renorm": bit[o.Renorm], "pad": o.Pad,
		"f32logits": bit[o.LogitsF32]}, hidden.DType)
	if err != nil {
		return nil, err
	}
	d := &Dispatch{Rows: o.Rows()}
	for _, a := range []struct {
		t     *session.Tensor
		dt    ir.DType
		shape []int
	}{
		{&d.TopkIDs, ir.I32, []int{T, o.K}}, {&d.TopkWeights, ir.F32, []int{T, o.K}}, {&d.Counts, ir.I32, []int{E}},
		{&d.Offsets, ir.I32, []int{E + 1}}, {&d.SortedIDs, ir.I32, []int{d.Rows}}, {&d.Inverse, ir.I32, []int{T, o.K}},
		{&d.Permuted, hidden.DType, []int{d.Rows, Hd}},
	} {
		if *a.t, err = s.Empty(a.dt, a.shape...); err != nil {
			return nil, err
		}
	}
	plan := func(cfg ir.Config) (*kernels.Plan, error) { return moe.NewPlan(o, cfg) }
	err = s.RunWith(moe.Kernel, p, plan, map[string]session.Tensor{"logits": logits, "hidden": hidden,
		"topk_ids": d.TopkIDs, "topk_weights": d.TopkWeights, "counts": d.Counts, "offsets": d.Offsets,
		"sorted_ids": d.SortedIDs, "inverse": d.Inverse, "permuted": d.Permuted})
	if err != nil {
		return nil, fmt.Errorf("moe: %w", err)
	}
	return d, nil
}

// MoECombineRows computes out[t] = Σ_j weights[t, j] · expertOut[inverse[t, j]]
// on s: expertOut is [rows, Hd] (the experts' outputs in the permuted
// order), weights [T, K] f32, inverse [T, K] i32 (MoERoute's Dispatch), out [T, Hd].
func MoECombineRows(s *session.Session, expertOut, weights, inverse, out session.Tensor) error {
	if len(expertOut.Shape) != 2 || len(weights.Shape) != 2 || len(out.Shape) != 2 {
		return fmt.Errorf("moe: expertOut [rows, Hd], weights [T, K] and out [T, Hd] (shapes %v, %v, %v)", expertOut.Shape, weights.Shape, out.Shape)
	}
	T, K, Hd := weights.Shape[0], weights.Shape[1], expertOut.Shape[1]
	p, err := moe.Combine.Problem(map[string]int{"T": T, "Hd": Hd, "K": K, "rows": expertOut.Shape[0]}, expertOut.DType)
	if err != nil {
		return err
	}
	bufs := map[string]session.Tensor{"expert_out": expertOut, "topk_weights": weights, "inverse": inverse, "out": out}
	if err := s.Run(moe.Combine, p, bufs); err != nil {
		return fmt.Errorf("moe: %w", err)
	}
	return nil
}
