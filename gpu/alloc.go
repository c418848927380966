package gpu

import (
	"sort"

	"github.com/tilec/tilec/ir"
)

// The "alloc" pass places every shared buffer (local_alloc) and every op's
// scratch area in the kernel's one dynamic shared-memory buffer: in
// program order, each at the lowest 16-byte-aligned offset that overlaps
// nothing live at the same time (ir.SharedUses says when each is live). A
// tile kept for the whole kernel (resident) comes first; a loop's ring
// lives across the loop; conversions and reductions inside it go above the
// ring, those outside reuse its memory.
func allocate(f *ir.Func) error {
	us := ir.SharedUses(f)
	offs := make([]int, len(us))
	total := 0
	for i, u := range us {
		cands := []int{0}
		for j := 0; j < i; j++ {
			if o := us[j]; u.Start <= o.End && o.Start <= u.End {
				cands = append(cands, align16(offs[j]+o.Bytes))
			}
		}
		sort.Ints(cands)
		for _, c := range cands {
			fits := true
			for j := 0; j < i && fits; j++ {
				fits = !u.Overlaps(c, us[j], offs[j])
			}
			if fits {
				offs[i] = c
				break
			}
		}
		name := "scratch"
		if u.Op.Code == ir.OpLocalAlloc {
			name = "offset"
		}
		setAttr(u.Op, name, offs[i])
		total = max(total, offs[i]+u.Bytes)
	}
	f.GPU.SharedBytes, f.GPU.Allocated = total, true
	return nil
}

func align16(n int) int { return (n + 15) &^ 15 }
