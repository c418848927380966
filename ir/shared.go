package ir

import "fmt"

// SharedUse is one use of shared memory at the GPU level: a buffer (Op is
// its local_alloc) or an op's own scratch (Op is that op), with the
// program points during which it holds data.
type SharedUse struct {
	Op    *Op
	Bytes int
	// Start and End bound the use's life in program order (ops numbered
	// as Walk visits them): a buffer lives from its local_alloc to the
	// last op of its block that contains a use (a loop that reads it
	// keeps it for all iterations); scratch lives during its op.
	Start, End int
}

// Overlaps reports whether two uses are live at once and share bytes at
// offsets a and b.
func (u SharedUse) Overlaps(a int, o SharedUse, b int) bool {
	return u.Start <= o.End && o.Start <= u.End && a < b+o.Bytes && b < a+u.Bytes
}

// SharedUses lists f's buffers and scratch areas in program order.
func SharedUses(f *Func) []SharedUse {
	num := map[*Op]int{}
	end := map[*Op]int{}
	uses := map[*Value][]*Op{}
	n := 0
	var walk func(b *Block)
	walk = func(b *Block) {
		for _, op := range b.Ops {
			num[op] = n
			n++
			for _, a := range op.Args {
				uses[a] = append(uses[a], op)
			}
			for _, r := range op.Regions {
				walk(r)
			}
			end[op] = n - 1
		}
	}
	walk(f.Body)
	// ancestorIn is the op of block b that is or contains op (nil if none).
	ancestorIn := func(op *Op, b *Block) *Op {
		for op != nil {
			if op.Parent == b {
				return op
			}
			if op.Parent == nil {
				return nil
			}
			op = op.Parent.Parent
		}
		return nil
	}
	var out []SharedUse
	f.Walk(func(op *Op) {
		if op.Code == OpLocalAlloc {
			u := SharedUse{Op: op, Bytes: op.Results[0].Type.SharedSize(), Start: num[op], End: num[op]}
			// Views of the buffer (local_index) extend its life.
			work := []*Value{op.Results[0]}
			for len(work) > 0 {
				v := work[len(work)-1]
				work = work[:len(work)-1]
				for _, user := range uses[v] {
					if a := ancestorIn(user, op.Parent); a != nil {
						u.End = max(u.End, end[a])
					}
					if user.Code == OpLocalIndex {
						work = append(work, user.Results[0])
					}
				}
			}
			out = append(out, u)
			return
		}
		if s := op.Info().Scratch; s != nil {
			if b := s(op); b > 0 {
				out = append(out, SharedUse{Op: op, Bytes: b, Start: num[op], End: num[op]})
			}
		}
	})
	return out
}

// SharedOffset is where a use's bytes start: its local_alloc's offset or
// its op's scratch attribute; ok is false when none is set.
func (u SharedUse) SharedOffset() (int, bool) {
	name := "scratch"
	if u.Op.Code == OpLocalAlloc {
		name = "offset"
	}
	if !u.Op.HasAttr(name) {
		return 0, false
	}
	return u.Op.Int(name), true
}

// sharedMemory checks an allocated kernel's shared memory: every use has
// an offset, lies inside SharedBytes, and overlaps no use live at the same
// time.
func (v *verifier) sharedMemory() {
	us := SharedUses(v.f)
	offs := make([]int, len(us))
	for i, u := range us {
		off, ok := u.SharedOffset()
		if !ok {
			v.errorf(u.Op.Pos, u.Op.Name(), "has no shared-memory offset in an allocated kernel")
			return
		}
		offs[i] = off
		if off < 0 || off+u.Bytes > v.f.GPU.SharedBytes {
			v.errorf(u.Op.Pos, u.Op.Name(), "uses shared bytes [%d, %d), outside the kernel's %d", off, off+u.Bytes, v.f.GPU.SharedBytes)
		}
	}
	for i, u := range us {
		for j := i + 1; j < len(us); j++ {
			if o := us[j]; u.Overlaps(offs[i], o, offs[j]) {
				v.errorf(o.Op.Pos, o.Op.Name(), "shared bytes [%d, %d) overlap those of %s [%d, %d) while both are live",
					offs[j], offs[j]+o.Bytes, describe(u.Op), offs[i], offs[i]+u.Bytes)
			}
		}
	}
}

func describe(op *Op) string { return fmt.Sprintf("%s at %s", op.Name(), op.Pos) }
