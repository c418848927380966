package ir

import (
	"errors"
	"fmt"
)

// Rules of Hopper's TMA and mbarrier ops (sm_90a): tensor maps, the
// copies they describe, and the barriers the copies complete on.

// TensorMapRank is the rank of a tensor_map's tensor: its operands are
// the base, rank dims and rank − 1 strides.
func TensorMapRank(op *Op) int { return len(op.Args) / 2 }

// isArgument reports whether v is a kernel parameter or a constant: what
// a launcher can compute a tensor map from.
func isArgument(v *Value) bool {
	return (v.Def == nil && v.Name != "") || (v.Def != nil && v.Def.Code == OpConstant)
}

func checkTensorMap(op *Op) error {
	t, base := op.Results[0].Type, op.Args[0]
	if t.Kind != KindTensorMap || t.Shape.Rank != 2 || !t.Shape.Concrete() {
		return fmt.Errorf("result %s is not a tensor map with a 2-D box", t)
	}
	if base.Type != Ptr(t.Elem) || base.Def != nil || base.Name == "" {
		return fmt.Errorf("base %s must be a kernel parameter of type %s", base.Type, Ptr(t.Elem))
	}
	r := TensorMapRank(op)
	if len(op.Args)%2 != 0 || r < 2 || r > 5 {
		return fmt.Errorf("%d operands: want the base, 2 to 5 dims and one stride fewer", len(op.Args))
	}
	for i, a := range op.Args[1:] {
		if !a.Type.IsInt() || a.Type.Shape.Rank != 0 || !isArgument(a) {
			return fmt.Errorf("operand %d (%s) must be an integer kernel parameter or constant", i+1, a.Type)
		}
	}
	box := t.Shape.Ints()
	sw := op.Int("swizzle")
	inner := box[0] * t.Elem.Size()
	switch {
	case sw != 0 && sw != 32 && sw != 64 && sw != 128:
		return fmt.Errorf("swizzle %d bytes (0, 32, 64 or 128)", sw)
	case inner%16 != 0 || sw != 0 && inner > sw:
		return fmt.Errorf("a box row of %d bytes: a multiple of 16, at most the swizzle's %d", inner, sw)
	case box[0] > 256 || box[1] > 256:
		return fmt.Errorf("box %v: at most 256 a dim", box)
	}
	return nil
}

func checkTMALoad(op *Op) error {
	m, bp, buf := op.Args[0], op.Args[1].Type, op.Args[2].Type
	if m.Type.Kind != KindTensorMap || m.Def == nil || m.Def.Code != OpTensorMap {
		return fmt.Errorf("map %s is not a tensor_map", m.Type)
	}
	if bp.Kind != KindBlockPtr || bp.Elem != m.Type.Elem || bp.Shape.Rank != 2 {
		return fmt.Errorf("copies the 2-D block of a block pointer to %s, not %s", m.Type.Elem, bp)
	}
	if err := sameTile(Type{Kind: KindScalar, Elem: bp.Elem, Shape: bp.Shape}, buf); err != nil {
		return err
	}
	if err := checkBars(op.Args[3].Type, op.Args[4].Type); err != nil {
		return err
	}
	if err := checkPred(op.Args[5].Type); err != nil {
		return err
	}
	coords := op.Args[6:]
	if want := TensorMapRank(m.Def) - 2; len(coords) != want {
		return fmt.Errorf("%d coordinates beyond the block's, the map has %d more dims", len(coords), want)
	}
	for _, c := range coords {
		if c.Type != Scalar(I32) {
			return fmt.Errorf("coordinate %s, want i32", c.Type)
		}
	}
	// The buffer holds whole boxes: rows of the box's inner dim along its
	// contiguous dim, swizzled as the map says.
	box, s, shape := m.Type.Shape.Ints(), buf.Shared, buf.Shape.Ints()
	sw := m.Def.Int("swizzle")
	switch {
	case !s.Swizzled && sw != 0, s.Swizzled && s.SpanBytes(shape) != sw:
		return fmt.Errorf("buffer %s does not have the map's %d-byte swizzle", buf, sw)
	case shape[s.Fast]%box[0] != 0 || shape[1-s.Fast] != box[1] || s.Block != 0 && s.Block != box[0]:
		return fmt.Errorf("buffer %s is not made of the map's boxes %v", buf, box)
	}
	return nil
}

// checkBars checks a ring of mbarriers and an index into it.
func checkBars(bars, slot Type) error {
	if err := checkShared(bars); err != nil {
		return err
	}
	if bars.Elem != I64 || bars.Shape.Rank != 1 || bars.Shared.Swizzled || bars.Shared.Pad != 0 {
		return fmt.Errorf("mbarriers are a dense smem<i64[n]>, not %s", bars)
	}
	if slot != Scalar(I32) {
		return fmt.Errorf("slot is %s, want i32", slot)
	}
	return nil
}

func checkMBarriers(op *Op) error { return checkBars(op.Args[0].Type, Scalar(I32)) }

func checkMBarrierInit(op *Op) error {
	if n := op.Int("count"); n < 1 {
		return fmt.Errorf("count %d: at least one arrival", n)
	}
	return checkMBarriers(op)
}

func checkMBarrierExpect(op *Op) error {
	if n := op.Int("bytes"); n < 1 || n >= 1<<20 {
		return fmt.Errorf("bytes %d: 1 to 2^20 − 1 (the transaction count's range)", n)
	}
	if err := checkBars(op.Args[0].Type, op.Args[1].Type); err != nil {
		return err
	}
	return checkPred(op.Args[2].Type)
}

func checkMBarrierWait(op *Op) error {
	if op.Args[2].Type != Scalar(I32) {
		return errors.New("phase must be an i32 (its parity is waited for)")
	}
	return checkBars(op.Args[0].Type, op.Args[1].Type)
}

func inferDotWait(op *Op) ([]Type, error) {
	out := make([]Type, len(op.Args))
	for i, a := range op.Args {
		out[i] = a.Type
	}
	return out, nil
}

// checkDot: an async dot (wgmma, sm_90a) has a pending result, which only
// a dot_wait reads, a loop carries (to the next iteration's async dot,
// which accumulates onto it), or an async dot accumulates onto.
func checkDot(op *Op) error {
	if !op.HasAttr("async") {
		return nil
	}
	if a := op.Int("async"); a != 1 {
		return fmt.Errorf("async = %d (1 or absent)", a)
	}
	return nil
}

// PendingUse reports whether op may use an async dot's pending result as
// its operand i.
func PendingUse(op *Op, i int) bool {
	switch op.Code {
	case OpDotWait, OpYield:
		return true
	case OpDot:
		return i == 2 && op.HasAttr("async")
	}
	return false
}

// checkPendingCarried: a loop that carries an async dot's pending result
// hands it to the next iteration and to the code after the loop, where it
// is still pending: there too only a dot_wait or an async dot's
// accumulator may read it.
func checkPendingCarried(loop *Op, f *Func) error {
	body := loop.Regions[0]
	y := body.Terminator()
	for j, x := range y.Args {
		if d := x.Def; d == nil || d.Code != OpDot || !d.HasAttr("async") {
			continue
		}
		pending := map[*Value]string{body.Args[1+j]: "carried", loop.Results[j]: "result"}
		var bad error
		f.Walk(func(op *Op) {
			for i, a := range op.Args {
				if what, ok := pending[a]; ok && bad == nil && !PendingUse(op, i) {
					bad = fmt.Errorf("%s %d is an async dot's pending result, read by %s before a dot_wait", what, j, op.Name())
				}
			}
		})
		if bad != nil {
			return bad
		}
	}
	return nil
}
