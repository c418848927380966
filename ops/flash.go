package ops

import (
	"fmt"
	"slices"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/kernels/flash"
	"github.com/tilec/tilec/session"
)

// FlashOptions are the attention options of FlashForward.
type FlashOptions struct {
	Causal bool
	Scale  float64 // softmax scale; 0 means 1/sqrt(head_dim)
}

// FlashForward computes attention on s (FlashAttention, kernels/flash): o = softmax(scale·q·kᵀ)·v per head,
// with the config tuned for the problem (Session.Config), and, when lse is
// given, the natural-log log-sum-exp of each row (f32, [B, H, N]).
//
// q and o are [B, H, N, D] and k and v [B, HKV, N, D] (HKV dividing H:
// grouped-query attention), all of one dtype (f16 or bf16), either
// contiguous or in FlashAttention's [B, N, H, D] memory order (strides
// {N·H·D, D, H·D, 1}); D is 32, 64, 96 or 128.
func FlashForward(s *session.Session, q, k, v, o, lse session.Tensor, opt FlashOptions) error {
	if len(q.Shape) != 4 || len(k.Shape) != 4 {
		return fmt.Errorf("flash: q and k must be [B, H, N, D] (shapes %v, %v)", q.Shape, k.Shape)
	}
	B, H, N, D, HKV := q.Shape[0], q.Shape[1], q.Shape[2], q.Shape[3], k.Shape[1]
	if k.Shape[0] != B || k.Shape[2] != N || k.Shape[3] != D {
		return fmt.Errorf("flash: k is %v, q is %v: batch, length and head dim must match", k.Shape, q.Shape)
	}
	layout := flash.BHND
	if q.Strides != nil && !q.Contiguous() {
		layout = flash.BNHD
	}
	opts := flash.Options{B: B, H: H, HKV: HKV, N: N, D: D, Causal: opt.Causal, Scale: opt.Scale, DType: q.DType, Layout: layout}
	if _, err := opts.Normalize(); err != nil {
		return err
	}
	causal := 0
	if opt.Causal {
		causal = 1
	}
	p, err := flash.Kernel.Problem(map[string]int{"B": B, "H": H, "HKV": HKV, "N": N, "D": D, "causal": causal, "layout": int(layout)}, q.DType)
	if err != nil {
		return err
	}
	if lse.IsZero() {
		if lse, err = s.Temp("flash.lse", ir.F32, B*H*N); err != nil {
			return err
		}
	} else if !slices.Equal(lse.Shape, []int{B, H, N}) || !lse.Contiguous() {
		return fmt.Errorf("flash: lse is %v (strides %v), want a contiguous [%d %d %d]", lse.Shape, lse.Stride(), B, H, N)
	}
	plan := func(cfg ir.Config) (*kernels.Plan, error) { return flash.NewPlan(opts, cfg) }
	if err := s.RunWith(flash.Kernel, p, plan, map[string]session.Tensor{"q": q, "k": k, "v": v, "o": o, "lse": lse}); err != nil {
		return fmt.Errorf("flash: %w", err)
	}
	return nil
}
