package ir

// DCE removes ops whose results are unused and that have no effects,
// including for/if/reduce/scan ops whose regions have none. While loops
// stay: removing one could remove a loop that never ends.
func DCE(f *Func) error {
	for {
		used := map[*Value]bool{}
		f.Walk(func(op *Op) {
			for _, a := range op.Args {
				used[a] = true
			}
		})
		if !dceBlock(f.Body, used) {
			return nil
		}
	}
}

// dceBlock removes dead ops from b and its regions; it reports a change.
func dceBlock(b *Block, used map[*Value]bool) bool {
	changed := false
	out := b.Ops[:0]
	for _, op := range b.Ops {
		for _, r := range op.Regions {
			if dceBlock(r, used) {
				changed = true
			}
		}
		if removable(op, used) {
			changed = true
			continue
		}
		out = append(out, op)
	}
	b.Ops = out
	return changed
}

func removable(op *Op, used map[*Value]bool) bool {
	if op.Info().Terminator || op.Code == OpWhile || hasEffects(op) {
		return false
	}
	for _, r := range op.Results {
		if used[r] {
			return false
		}
	}
	return true
}

// hasEffects reports whether op or anything in its regions has effects.
func hasEffects(op *Op) bool {
	if op.Info().Effects {
		return true
	}
	for _, r := range op.Regions {
		for _, in := range r.Ops {
			if hasEffects(in) {
				return true
			}
		}
	}
	return false
}
