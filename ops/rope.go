package ops

import (
	"fmt"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/kernels/rope"
	"github.com/tilec/tilec/session"
)

// RopeOptions are the rotation options of RopeApply.
type RopeOptions struct {
	Style rope.Style
	Rot   int     // rotary dims (0: the head dim); the rest pass through
	Base  float64 // frequency base for in-kernel frequencies (0: 10000)
}

// RopeApply rotates q ([T, H, D]) and k ([T, HK, D], or the zero Tensor for
// none) on s in one launch, with the config tuned for the problem. The
// results go to qOut and kOut, or back into q and k when qOut is the zero
// Tensor. positions ([T] i32) gives each token's position (zero Tensor:
// the token index); cos and sin ([P, Rot/2], the dtype of q) are the
// caches (zero Tensors: frequencies computed in the kernel). All tensors
// are contiguous.
func RopeApply(s *session.Session, q, k, qOut, kOut, positions, cos, sin session.Tensor, opt RopeOptions) error {
	if len(q.Shape) != 3 {
		return fmt.Errorf("rope: q must be [T, H, D] (shape %v)", q.Shape)
	}
	T, H, D := q.Shape[0], q.Shape[1], q.Shape[2]
	var err error
	if k.IsZero() {
		if k, err = s.Temp("rope.k", q.DType, T, 0, D); err != nil {
			return err
		}
	}
	if len(k.Shape) != 3 || k.Shape[0] != T || k.Shape[2] != D {
		return fmt.Errorf("rope: k is %v, q is %v: tokens and head dim must match", k.Shape, q.Shape)
	}
	inPlace := qOut.IsZero()
	if inPlace != kOut.IsZero() && k.Shape[1] > 0 {
		return fmt.Errorf("rope: give both qOut and kOut, or neither (in place)")
	}
	if cos.IsZero() != sin.IsZero() {
		return fmt.Errorf("rope: give both cos and sin caches, or neither")
	}
	o := rope.Options{T: T, H: H, HK: k.Shape[1], D: D, Rot: opt.Rot, Style: opt.Style, HasPos: !positions.IsZero(),
		HasCache: !cos.IsZero(), InPlace: inPlace, Base: opt.Base, DType: q.DType}
	if o.HasCache {
		o.MaxPos = cos.Shape[0]
	}
	if _, err := o.Normalize(); err != nil {
		return err
	}
	bit := map[bool]int{false: 0, true: 1}
	p, err := rope.Kernel.Problem(map[string]int{"T": T, "H": H, "HK": o.HK, "D": D, "rot": opt.Rot, "style": int(opt.Style),
		"pos": bit[o.HasPos], "cache": bit[o.HasCache], "inplace": bit[inPlace]}, q.DType)
	if err != nil {
		return err
	}
	bufs := map[string]session.Tensor{"q": q, "k": k}
	if !inPlace {
		bufs["q_out"] = qOut
		if kOut.IsZero() { // no k heads
			kOut = k
		}
		bufs["k_out"] = kOut
	}
	if o.HasPos {
		bufs["positions"] = positions
	}
	if o.HasCache {
		bufs["cos"], bufs["sin"] = cos, sin
	}
	plan := func(cfg ir.Config) (*kernels.Plan, error) { return rope.NewPlan(o, cfg) }
	if err := s.RunWith(rope.Kernel, p, plan, bufs); err != nil {
		return fmt.Errorf("rope: %w", err)
	}
	return nil
}
