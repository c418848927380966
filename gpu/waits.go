package gpu

import (
	"github.com/tilec/tilec/ir"
)

// The "waits" pass (sm_90a) makes every wgmma dot asynchronous and places
// the wgmma.wait_group that retires it (dot_wait, with pending groups
// still allowed in flight):
//
//   - A dot whose result only goes back to a loop's carried value j, from
//     which it accumulates (carriedAsync), stays in flight across
//     iterations (num_stages ≥ 4: pipeline fills the ring S − 2 iterations
//     ahead for such loops, so the slot a copy overwrites was read two
//     iterations back, by a dot retired since). If the dot accumulates
//     onto j itself and nothing else reads j (a GEMM's K loop), the next
//     iteration's dot accumulates onto the pending registers, as wgmma
//     allows, and a dot_wait {pending = 1} after each dot retires the one
//     before. Else (attention's P·V, whose accumulator is rescaled first)
//     the next iteration reads j after a dot_wait {pending = 0}: the first
//     one before that read (the scores' wait), or a new one. The loop's
//     result is waited for after the loop. The loads, barriers and index
//     maths at the loop's top run while the dot does.
//   - Any other dot is waited for (pending = 0) right after it: its result
//     is read at once (attention's scores).
func waits(f *ir.Func) error {
	if !hopper(f) {
		return nil
	}
	uses := usesOf(f)
	var dots []*ir.Op
	f.Walk(func(op *ir.Op) {
		if op.Code == ir.OpDot && isWGMMA(f, op) && !op.HasAttr("async") {
			dots = append(dots, op)
		}
	})
	for _, dot := range dots {
		setAttr(dot, "async", 1)
		loop, j, chained, ok := carriedAsync(f, dot, uses)
		if !ok {
			waitFor(f, dot, dot.Results[0])
			continue
		}
		if chained {
			insertAfter(dot, build(f, ir.OpDotWait, dot.Pos, nil, map[string]ir.Attr{"pending": 1}))
		} else {
			waitBeforeUse(f, loop.Regions[0], loop.Regions[0].Args[1+j])
		}
		waitFor(f, loop, loop.Results[j])
	}
	return nil
}

// waitBeforeUse makes the reads of v in block b read it after a dot_wait
// {pending = 0}: the last such wait before v's first read, or a new one
// right before it.
func waitBeforeUse(f *ir.Func, b *ir.Block, v *ir.Value) {
	first := len(b.Ops)
	for i, op := range b.Ops {
		if readsValue(op, v) {
			first = i
			break
		}
	}
	var w *ir.Op
	for i := first - 1; i >= 0 && w == nil; i-- {
		if op := b.Ops[i]; op.Code == ir.OpDotWait && op.Int("pending") == 0 {
			w = op
		}
	}
	if w == nil {
		w = build(f, ir.OpDotWait, b.Ops[first].Pos, nil, map[string]ir.Attr{"pending": 0})
		insertAt(b, first, w)
	}
	w.Args = append(w.Args, v)
	ready := f.NewValue(v.Type)
	ready.Def = w
	w.Results = append(w.Results, ready)
	after := false
	for _, op := range b.Ops {
		if op == w {
			after = true
			continue
		}
		if after {
			walkOp(op, func(x *ir.Op) {
				for i, a := range x.Args {
					if a == v {
						x.Args[i] = ready
					}
				}
			})
		}
	}
}

// readsValue reports whether op or an op in its regions reads v.
func readsValue(op *ir.Op, v *ir.Value) bool {
	found := false
	walkOp(op, func(x *ir.Op) {
		for _, a := range x.Args {
			found = found || a == v
		}
	})
	return found
}

// walkOp calls fn for op and every op in its regions.
func walkOp(op *ir.Op, fn func(*ir.Op)) {
	fn(op)
	for _, r := range op.Regions {
		r.Walk(fn)
	}
}

// waitFor puts a dot_wait {pending = 0} of v right after after and makes
// v's other uses read its result.
func waitFor(f *ir.Func, after *ir.Op, v *ir.Value) {
	w := build(f, ir.OpDotWait, after.Pos, []*ir.Value{v}, map[string]ir.Attr{"pending": 0}, v.Type)
	insertAfter(after, w)
	ready := w.Results[0]
	f.Walk(func(op *ir.Op) {
		if op == w {
			return
		}
		for i, a := range op.Args {
			if a == v {
				op.Args[i] = ready
			}
		}
	})
}

// hopper reports whether f is compiled for sm_90a.
func hopper(f *ir.Func) bool { return f.GPU.SM == 90 && f.GPU.Specific }

// carriedAsync reports whether wgmma dot may stay in flight across the
// iterations of the loop whose body holds it (at the top level): the loop
// has no loop inside, the ring has at least 4 stages, the dot's result
// only goes back to carried value j, and every other read of j in the body
// comes before the dot. chained: the dot accumulates onto j itself, which
// nothing else reads.
func carriedAsync(f *ir.Func, dot *ir.Op, uses map[*ir.Value][]*ir.Op) (loop *ir.Op, j int, chained, ok bool) {
	body := dot.Parent
	loop = body.Parent
	if loop == nil || loop.Code != ir.OpFor || hasLoop(body) || f.NumStages < 4 || !isWGMMA(f, dot) {
		return nil, 0, false, false
	}
	y := body.Terminator()
	r := dot.Results[0]
	if len(uses[r]) != 1 || uses[r][0] != y || countArg(y, r) != 1 {
		return nil, 0, false, false
	}
	for i, x := range y.Args {
		if x != r {
			continue
		}
		acc := body.Args[1+i]
		if dot.Args[2] == acc && len(uses[acc]) == 1 {
			return loop, i, true, true
		}
		at := index(dot)
		for k, op := range body.Ops {
			if k >= at && readsValue(op, acc) {
				return nil, 0, false, false
			}
		}
		return loop, i, false, true
	}
	return nil, 0, false, false
}

// hasCarriedAsync reports whether a dot of loop's body stays in flight
// across iterations (carriedAsync).
func hasCarriedAsync(f *ir.Func, loop *ir.Op, uses map[*ir.Value][]*ir.Op) bool {
	if !hopper(f) {
		return false
	}
	for _, op := range loop.Regions[0].Ops {
		if op.Code == ir.OpDot {
			if _, _, _, ok := carriedAsync(f, op, uses); ok {
				return true
			}
		}
	}
	return false
}

// countArg counts op's operands that are v.
func countArg(op *ir.Op, v *ir.Value) int {
	n := 0
	for _, a := range op.Args {
		if a == v {
			n++
		}
	}
	return n
}
