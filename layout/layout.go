// Package layout is the mathematics of distributed tile layouts: which
// thread of a CTA holds which element of a tile, in which register.
//
// # Linear layouts
//
// Tiles have power-of-two shapes, so an element's coordinates are bits, and
// so are a thread's identity (5 lane bits, log2(warps) warp bits) and a
// register's index within the thread. A layout (type Linear) gives, for
// every register bit, lane bit and warp bit, the coordinate offset it
// contributes; the element held in register r of lane l of warp w is
//
//	coord(r, l, w) = Σ_{bit i of r set} Regs[i] + Σ_{bit i of l set} Lanes[i] + Σ_{bit i of w set} Warps[i]
//
// Each basis vector is zero (a broadcast bit: the tile is too small to give
// that bit an element of its own, so threads or registers differing only in
// it hold the same element) or has a single power-of-two component. Every
// coordinate bit of the tile comes from exactly one basis, so the sum never
// carries: it is the OR of the bits.
//
// A worked example: a 16x8 f32 tile, 4 warps, blocked with 1x2 elements per
// thread, 8x4 threads per warp, warps along rows, row-major (order [1, 0]):
//
//	Regs:  [0 1]                 register bit 0 = column bit 0
//	Lanes: [0 2] [0 4] [1 0] [2 0] [4 0]
//	                             lane bits 0-1 = column bits 1-2, lane bits 2-4 = row bits 0-2
//	Warps: [8 0] [0 0]           warp bit 0 = row bit 3; warp bit 1 is a broadcast bit:
//	                             warps 2 and 3 hold copies of warps 0 and 1
//
// Thread 13 (lane 13 = 0b01101, warp 0) holds register 0 = row 0b011 = 3,
// column 0b010 = 2, and register 1 = (3, 3).
//
// Every layout tilec uses is a Linear: Blocked (Triton's #blocked), Slice
// (what a reduction leaves), MMA (the m16n8k16 accumulator), DotOperand
// (the A and B fragments of mma.sync, or the operands of an FMA dot). Two
// layouts are the same exactly when their bases are; that is how codegen
// sees that an mma's accumulator, converted to f16, already is the A
// fragment of the next mma (no data moves).
package layout

import (
	"fmt"
	"math/bits"
	"strings"
)

// WarpSize is the number of lanes in a warp.
const WarpSize = 32

// LaneBits is log2(WarpSize).
const LaneBits = 5

// Linear is a distributed layout of a tile; see the package comment.
type Linear struct {
	Shape []int   // the tile's shape (powers of two)
	Regs  [][]int // per register bit: the coordinates it adds
	Lanes [][]int // per lane bit (LaneBits of them)
	Warps [][]int // per warp bit (log2 of the warp count)
	// Def says how the layout was built, which is also its text form
	// (expr.go); it does not take part in equality.
	Def Def
	// Frag, for the layouts of mma.sync operands and accumulators, says
	// which fragment and how the warps are arranged (codegen loads operand
	// fragments with ldmatrix). It does not take part in equality.
	Frag *Fragment
}

// Fragment describes an mma.sync m16n8k16 fragment layout.
type Fragment struct {
	Operand  byte // 'A', 'B' or 'C'
	Warps    [2]int
	NumWarps int
}

// NumRegs is the number of registers each thread uses for the tile.
func (l *Linear) NumRegs() int { return 1 << len(l.Regs) }

// NumWarps is the number of warps the layout spans.
func (l *Linear) NumWarps() int { return 1 << len(l.Warps) }

// Rank is the tile's rank.
func (l *Linear) Rank() int { return len(l.Shape) }

// Equal reports whether two layouts place every element identically.
func (l *Linear) Equal(o *Linear) bool {
	return eqInts(l.Shape, o.Shape) && eqBases(l.Regs, o.Regs) && eqBases(l.Lanes, o.Lanes) && eqBases(l.Warps, o.Warps)
}

func eqInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func eqBases(a, b [][]int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !eqInts(a[i], b[i]) {
			return false
		}
	}
	return true
}

func isZero(v []int) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// RegCoords returns the coordinates register r contributes (the thread's
// own part is added at run time).
func (l *Linear) RegCoords(r int) []int {
	c := make([]int, l.Rank())
	for i, b := range l.Regs {
		if r>>i&1 == 1 {
			for d := range c {
				c[d] += b[d]
			}
		}
	}
	return c
}

// Coords returns the coordinates of register r of lane lane of warp warp.
func (l *Linear) Coords(r, lane, warp int) []int {
	c := l.RegCoords(r)
	for i, b := range l.Lanes {
		if lane>>i&1 == 1 {
			for d := range c {
				c[d] += b[d]
			}
		}
	}
	for i, b := range l.Warps {
		if warp>>i&1 == 1 {
			for d := range c {
				c[d] += b[d]
			}
		}
	}
	return c
}

// Broadcast masks: the lane, warp and register bits that add nothing.
// Threads (registers) that differ only in these hold the same elements.
func (l *Linear) LaneBroadcast() int { return zeroMask(l.Lanes) }

// WarpBroadcast is the mask of warp bits that add nothing.
func (l *Linear) WarpBroadcast() int { return zeroMask(l.Warps) }

// RegBroadcast is the mask of register bits that add nothing.
func (l *Linear) RegBroadcast() int { return zeroMask(l.Regs) }

func zeroMask(bs [][]int) int {
	m := 0
	for i, b := range bs {
		if isZero(b) {
			m |= 1 << i
		}
	}
	return m
}

// Validate checks that every coordinate bit of the shape comes from exactly
// one basis vector and that each vector is zero or one power of two.
func (l *Linear) Validate() error {
	seen := make([]int, l.Rank()) // OR of the bits produced per dim
	for _, group := range [][][]int{l.Regs, l.Lanes, l.Warps} {
		for _, b := range group {
			if len(b) != l.Rank() {
				return fmt.Errorf("layout %s: basis %v has rank %d, want %d", l, b, len(b), l.Rank())
			}
			nz := 0
			for d, x := range b {
				if x == 0 {
					continue
				}
				nz++
				if x < 0 || x&(x-1) != 0 || x >= l.Shape[d] {
					return fmt.Errorf("layout %s: basis %v is not a bit of the shape %v", l, b, l.Shape)
				}
				if seen[d]&x != 0 {
					return fmt.Errorf("layout %s: coordinate bit %d of dim %d comes from two bases", l, x, d)
				}
				seen[d] |= x
			}
			if nz > 1 {
				return fmt.Errorf("layout %s: basis %v has more than one component", l, b)
			}
		}
	}
	if len(l.Lanes) != LaneBits {
		return fmt.Errorf("layout %s: %d lane bits, want %d", l, len(l.Lanes), LaneBits)
	}
	for d, n := range l.Shape {
		if n < 1 || n&(n-1) != 0 {
			return fmt.Errorf("layout %s: dim %d is %d, not a power of two", l, d, n)
		}
		if seen[d] != n-1 {
			return fmt.Errorf("layout %s: dim %d (size %d) is not covered: bits %b", l, d, n, seen[d])
		}
	}
	return nil
}

// String is the layout's text form with its parents inline.
func (l *Linear) String() string { return l.Expr(nil) }

// Key is a compact string identifying the layout (equal layouts have equal
// keys), cheaper than Bases for interning.
func (l *Linear) Key() string {
	buf := make([]byte, 0, 4*(len(l.Shape)+len(l.Shape)*(len(l.Regs)+len(l.Lanes)+len(l.Warps)))+8)
	put := func(x int) { buf = append(buf, byte(x), byte(x>>8), byte(x>>16), byte(x>>24)) }
	put(len(l.Shape))
	put(len(l.Regs))
	put(len(l.Warps))
	for _, x := range l.Shape {
		put(x)
	}
	for _, group := range [][][]int{l.Regs, l.Lanes, l.Warps} {
		for _, b := range group {
			for _, x := range b {
				put(x)
			}
		}
	}
	return string(buf)
}

// Bases prints the basis vectors, the layout's full identity.
func (l *Linear) Bases() string {
	f := func(bs [][]int) string {
		parts := make([]string, len(bs))
		for i, b := range bs {
			parts[i] = fmt.Sprint(b)
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprintf("linear<shape %v, regs %s, lanes %s, warps %s>", l.Shape, f(l.Regs), f(l.Lanes), f(l.Warps))
}

func clone(bs [][]int) [][]int {
	out := make([][]int, len(bs))
	for i, b := range bs {
		out[i] = append([]int(nil), b...)
	}
	return out
}

func clone1(xs []int) []int { return append([]int(nil), xs...) }

func unit(rank, d, v int) []int {
	b := make([]int, rank)
	b[d] = v
	return b
}

func log2(n int) int { return bits.Len(uint(n)) - 1 }

// Blocked builds Triton's blocked layout: each thread holds sizePerThread
// contiguous elements, a warp's threads form threadsPerWarp, the CTA's warps
// warpsPerCTA, and the pattern repeats (more registers) to cover larger
// tiles; dims are filled fastest-first in order. Where the tile is smaller
// than the pattern, the extra bits broadcast.
func Blocked(shape, sizePerThread, threadsPerWarp, warpsPerCTA, order []int) (*Linear, error) {
	r := len(shape)
	if len(sizePerThread) != r || len(threadsPerWarp) != r || len(warpsPerCTA) != r || len(order) != r {
		return nil, fmt.Errorf("blocked layout: parameters of rank %d, %d, %d, %d for a rank-%d tile",
			len(sizePerThread), len(threadsPerWarp), len(warpsPerCTA), len(order), r)
	}
	lanes := 1
	for _, t := range threadsPerWarp {
		lanes *= t
	}
	if lanes != WarpSize {
		return nil, fmt.Errorf("blocked layout: threadsPerWarp %v has %d lanes, want %d", threadsPerWarp, lanes, WarpSize)
	}
	next := ones(r) // the next unassigned coordinate bit of each dim
	take := func(d int) []int {
		if next[d] >= shape[d] {
			return make([]int, r) // the dim is used up: a broadcast bit
		}
		b := unit(r, d, next[d])
		next[d] *= 2
		return b
	}
	l := &Linear{Shape: append([]int(nil), shape...)}
	for _, d := range order {
		for i := 0; i < log2(sizePerThread[d]); i++ {
			l.Regs = append(l.Regs, take(d))
		}
	}
	for _, d := range order {
		for i := 0; i < log2(threadsPerWarp[d]); i++ {
			l.Lanes = append(l.Lanes, take(d))
		}
	}
	for _, d := range order {
		for i := 0; i < log2(warpsPerCTA[d]); i++ {
			l.Warps = append(l.Warps, take(d))
		}
	}
	// Repeat the pattern: the remaining bits of each dim go to registers.
	for _, d := range order {
		for next[d] < shape[d] {
			l.Regs = append(l.Regs, take(d))
		}
	}
	l.Def = Def{Op: "blocked", Ints: [][]int{clone1(sizePerThread), clone1(threadsPerWarp), clone1(warpsPerCTA), clone1(order)}}
	return l, l.Validate()
}

// DefaultBlocked is the layout tilec gives a tile with no better one: each
// thread holds up to 16 contiguous bytes of the last dim, lanes fill the
// last dim then the ones before it, and warps split the first dims.
func DefaultBlocked(shape []int, numWarps, elemBytes int) *Linear {
	r := len(shape)
	order := make([]int, r)
	for i := range order {
		order[i] = r - 1 - i
	}
	spt, tpw, wpc := ones(r), ones(r), ones(r)
	spt[r-1] = max(1, min(16/max(elemBytes, 1), shape[r-1]))
	// Lanes, fastest dim first, as far as each dim has elements left.
	lanes := WarpSize
	for _, d := range order {
		room := max(shape[d]/spt[d], 1)
		t := min(lanes, room)
		tpw[d] = t
		lanes /= t
	}
	tpw[order[r-1]] *= lanes // leftover lanes broadcast on the slowest dim
	// Warps, slowest dim first.
	warps := numWarps
	for i := r - 1; i >= 0 && warps > 1; i-- {
		d := order[i]
		room := max(shape[d]/(spt[d]*tpw[d]), 1)
		w := min(warps, room)
		wpc[d] = w
		warps /= w
	}
	wpc[order[r-1]] *= warps
	l, err := Blocked(shape, spt, tpw, wpc, order)
	if err != nil {
		panic(fmt.Sprintf("layout: default blocked layout for %v: %v", shape, err)) // a bug in the code above
	}
	return l
}

func ones(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

// Slice removes dim from the layout: the layout of a reduction's result.
// Register bits along dim disappear (the thread reduced them); lane and
// warp bits along dim become broadcast bits (those threads now hold the
// same result).
func (l *Linear) Slice(dim int) *Linear {
	drop := func(b []int) []int { return append(append([]int(nil), b[:dim]...), b[dim+1:]...) }
	out := &Linear{Shape: drop(l.Shape), Def: Def{Op: "slice", Ints: [][]int{{dim}}, Parent: l}}
	for _, b := range l.Regs {
		if b[dim] == 0 {
			out.Regs = append(out.Regs, drop(b))
		}
	}
	for _, b := range l.Lanes {
		out.Lanes = append(out.Lanes, drop(b))
	}
	for _, b := range l.Warps {
		out.Warps = append(out.Warps, drop(b))
	}
	return out
}

// SlicedRegs returns, for a Slice(dim), the source registers that fold into
// each result register: result register r' gathers every register of l
// that agrees with r' on the kept register bits.
func (l *Linear) SlicedRegs(dim int) [][]int {
	var keep, gone []int
	for i, b := range l.Regs {
		if b[dim] == 0 {
			keep = append(keep, i)
		} else {
			gone = append(gone, i)
		}
	}
	out := make([][]int, 1<<len(keep))
	for rp := range out {
		base := 0
		for j, i := range keep {
			if rp>>j&1 == 1 {
				base |= 1 << i
			}
		}
		// Order the folded registers by their coordinate along dim, so that
		// combining them in order is combining in index order.
		regs := make([]int, 1<<len(gone))
		for g := range regs {
			r := base
			for j, i := range gone {
				if g>>j&1 == 1 {
					r |= 1 << i
				}
			}
			regs[g] = r
		}
		sortByDim(l, regs, dim)
		out[rp] = regs
	}
	return out
}

func sortByDim(l *Linear, regs []int, dim int) {
	for i := 1; i < len(regs); i++ {
		for j := i; j > 0 && l.RegCoords(regs[j])[dim] < l.RegCoords(regs[j-1])[dim]; j-- {
			regs[j], regs[j-1] = regs[j-1], regs[j]
		}
	}
}

// ExpandDims inserts a size-1 dimension at axis.
func (l *Linear) ExpandDims(axis int) *Linear {
	ins := func(b []int) []int {
		out := append([]int(nil), b[:axis]...)
		out = append(out, 0)
		return append(out, b[axis:]...)
	}
	out := &Linear{Shape: ins(l.Shape), Def: Def{Op: "expand", Ints: [][]int{{axis}}, Parent: l}}
	out.Shape[axis] = 1
	out.mapBases(l, ins)
	return out
}

// DropDim removes a size-1 dimension (the inverse of ExpandDims).
func (l *Linear) DropDim(axis int) *Linear {
	drop := func(b []int) []int { return append(append([]int(nil), b[:axis]...), b[axis+1:]...) }
	out := &Linear{Shape: drop(l.Shape), Def: Def{Op: "drop", Ints: [][]int{{axis}}, Parent: l}}
	out.mapBases(l, drop)
	return out
}

// Restrict gives the layout of a tile of shape (each dim equal to l's or
// 1) that broadcasts to l: components along dims of size 1 are dropped, so
// the bits that placed them broadcast. It is the layout a broadcast's
// operand needs for the broadcast to move no data.
func (l *Linear) Restrict(shape []int) *Linear {
	out := &Linear{Shape: append([]int(nil), shape...), Regs: clone(l.Regs), Lanes: clone(l.Lanes), Warps: clone(l.Warps),
		Def: Def{Op: "restrict", Ints: [][]int{clone1(shape)}, Parent: l}}
	for _, group := range [][][]int{out.Regs, out.Lanes, out.Warps} {
		for _, b := range group {
			for d := range b {
				if shape[d] == 1 {
					b[d] = 0
				}
			}
		}
	}
	return out
}

// Permute reorders dims: result dim i is l's dim perm[i] (trans).
func (l *Linear) Permute(perm []int) *Linear {
	p := func(b []int) []int {
		out := make([]int, len(perm))
		for i, src := range perm {
			out[i] = b[src]
		}
		return out
	}
	out := &Linear{Shape: p(l.Shape), Def: Def{Op: "trans", Ints: [][]int{clone1(perm)}, Parent: l}}
	out.mapBases(l, p)
	return out
}

// Reshape relabels coordinates for a new shape with the same row-major
// element order: a basis that is one bit of the flat index stays that bit.
func (l *Linear) Reshape(shape []int) *Linear {
	inStr := RowMajor(l.Shape)
	re := func(b []int) []int {
		flat := 0
		for d, x := range b {
			flat += x * inStr[d]
		}
		out := make([]int, len(shape))
		for d := len(shape) - 1; d >= 0; d-- {
			out[d] = flat % shape[d]
			flat /= shape[d]
		}
		return out
	}
	out := &Linear{Shape: append([]int(nil), shape...), Def: Def{Op: "reshape", Ints: [][]int{clone1(shape)}, Parent: l}}
	out.mapBases(l, re)
	return out
}

// mapBases sets out's register, lane and warp bases to f of l's: the
// layout of a relabelled tile (coordinates moved, no data moved).
func (out *Linear) mapBases(l *Linear, f func([]int) []int) {
	for _, group := range []struct{ from, to *[][]int }{{&l.Regs, &out.Regs}, {&l.Lanes, &out.Lanes}, {&l.Warps, &out.Warps}} {
		*group.to = make([][]int, 0, len(*group.from))
		for _, b := range *group.from {
			*group.to = append(*group.to, f(b))
		}
	}
}

// RowMajor returns the row-major element strides of shape.
func RowMajor(shape []int) []int {
	s := make([]int, len(shape))
	acc := 1
	for i := len(shape) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= shape[i]
	}
	return s
}

// RegPermutation reports whether dst holds the same elements per thread as
// l, only in other registers, and if so which register of l each register
// of dst reads.
func (l *Linear) RegPermutation(dst *Linear) ([]int, bool) {
	if !eqInts(l.Shape, dst.Shape) || !eqBases(l.Lanes, dst.Lanes) || !eqBases(l.Warps, dst.Warps) {
		return nil, false
	}
	index := map[string]int{}
	for r := 0; r < l.NumRegs(); r++ {
		k := fmt.Sprint(l.RegCoords(r))
		if _, ok := index[k]; !ok {
			index[k] = r
		}
	}
	perm := make([]int, dst.NumRegs())
	for r := range perm {
		src, ok := index[fmt.Sprint(dst.RegCoords(r))]
		if !ok {
			return nil, false
		}
		perm[r] = src
	}
	return perm, true
}
