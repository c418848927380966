package gpu

import (
	"sort"

	"github.com/tilec/tilec/ir"
)

// The "alloc" pass places every shared buffer (local_alloc) and every op's
// scratch area in the kernel's one dynamic shared-memory buffer: in
// program order, each at the lowest 16-byte-aligned offset (more for
// swizzled buffers on sm_90a: alignment) that overlaps nothing live at
// the same time (ir.SharedUses says when each is live). A
// tile kept for the whole kernel (resident) comes first; a loop's ring
// lives across the loop; conversions and reductions inside it go above the
// ring, those outside reuse its memory.
func allocate(f *ir.Func) error {
	us := ir.SharedUses(f)
	offs := make([]int, len(us))
	total := 0
	for i, u := range us {
		cands := []int{0}
		a := alignment(f, u)
		for j := 0; j < i; j++ {
			if o := us[j]; u.Start <= o.End && o.Start <= u.End {
				cands = append(cands, alignUp(offs[j]+o.Bytes, a))
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

// alignment is the byte alignment a use needs: 16 (the widest access),
// or for a swizzled buffer wgmma or TMA may read on sm_90a the swizzle's
// repeat, 8 rows of its span (1024 bytes for 128-byte rows), since the
// hardware swizzles address bits.
func alignment(f *ir.Func, u ir.SharedUse) int {
	if u.Op.Code != ir.OpLocalAlloc || !f.GPU.Specific {
		return 16
	}
	t := u.Op.Results[0].Type
	if !t.Shared.Swizzled {
		return 16
	}
	shape := t.Shape.Ints()
	return max(16, 8*t.Shared.SpanBytes(shape[len(shape)-2:]))
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }
