package layout

import "fmt"

// The mma.sync.m16n8k16 fragments (PTX-NOTES, with g = lane/4, t = lane%4):
//
//	C/D 16x8: c0,c1 = (g, 2t), (g, 2t+1); c2,c3 = the same at row g+8
//	A 16x16:  a0,a1 = (g, 2t..2t+1); a2,a3 = row g+8; a4..a7 = the same at k+8
//	B 16x8:   b0,b1 = (k 2t..2t+1, n g); b2,b3 = k+8
//
// As linear layouts: register bits first walk one instruction's fragment in
// PTX's register order, so register i of a fragment is PTX's c_i/a_i/b_i;
// then come the repetitions: along N (C) or K (A, B) first, then along M
// (C, A) or N (B). With that order, C over [M, N] and A over [M, K=N]
// are the same layout when the warps all lie along M: an accumulator
// converted to f16 is the next mma's A operand where it stands.

// MMAWarps picks the warp grid of an [M, N] accumulator: warps along M as
// far as M has 16-row tiles, then along N in 8-column tiles; warps left
// over hold copies.
func MMAWarps(m, n, numWarps int) [2]int {
	wm := min(numWarps, max(m/16, 1))
	wn := min(numWarps/wm, max(n/8, 1))
	return [2]int{wm, wn}
}

// MMA is the accumulator layout of an [M, N] tile computed by m16n8k16
// instructions with the warps of warps (a result of MMAWarps) and numWarps
// warps in all.
func MMA(m, n int, warps [2]int, numWarps int) (*Linear, error) {
	if m%16 != 0 || n%8 != 0 {
		return nil, fmt.Errorf("mma layout: %dx%d is not a multiple of 16x8", m, n)
	}
	b := newBuilder([]int{m, n})
	b.reg(1, 1).reg(0, 8)
	b.lane(1, 2).lane(1, 4).lane(0, 1).lane(0, 2).lane(0, 4)
	b.warpsAlong(0, 16, warps[0]).warpsAlong(1, 8, warps[1]).warpsRest(numWarps)
	b.repeat(1).repeat(0)
	b.l.Frag = &Fragment{Operand: 'C', Warps: warps, NumWarps: numWarps}
	return b.done(Def{Op: "mma", Ints: [][]int{warps[:], {numWarps}}})
}

// DotA is the A-operand layout ([M, K]) for the accumulator of MMA(m, n,
// warps): warps along M as in C, warps along N hold copies.
func DotA(m, k int, warps [2]int, numWarps int) (*Linear, error) {
	if m%16 != 0 || k%16 != 0 {
		return nil, fmt.Errorf("mma A operand: %dx%d is not a multiple of 16x16", m, k)
	}
	b := newBuilder([]int{m, k})
	b.reg(1, 1).reg(0, 8).reg(1, 8)
	b.lane(1, 2).lane(1, 4).lane(0, 1).lane(0, 2).lane(0, 4)
	b.warpsAlong(0, 16, warps[0]).warpsZero(warps[1]).warpsRest(numWarps)
	b.repeat(1).repeat(0)
	b.l.Frag = &Fragment{Operand: 'A', Warps: warps, NumWarps: numWarps}
	return b.done(Def{Op: "dot", Operand: 'A', Ints: [][]int{warps[:], {numWarps}}})
}

// DotB is the B-operand layout ([K, N]) for the accumulator of MMA(m, n,
// warps): warps along N as in C, warps along M hold copies.
func DotB(k, n int, warps [2]int, numWarps int) (*Linear, error) {
	if k%16 != 0 || n%8 != 0 {
		return nil, fmt.Errorf("mma B operand: %dx%d is not a multiple of 16x8", k, n)
	}
	b := newBuilder([]int{k, n})
	b.reg(0, 1).reg(0, 8)
	b.lane(0, 2).lane(0, 4).lane(1, 1).lane(1, 2).lane(1, 4)
	b.warpsZero(warps[0]).warpsAlong(1, 8, warps[1]).warpsRest(numWarps)
	b.repeat(0).repeat(1)
	b.l.Frag = &Fragment{Operand: 'B', Warps: warps, NumWarps: numWarps}
	return b.done(Def{Op: "dot", Operand: 'B', Ints: [][]int{warps[:], {numWarps}}})
}

// DotFMA is an operand layout of a dot computed with FMAs in the
// accumulator's layout c ([M, N]): for A ([M, K], opIdx 0) every thread
// holds whole rows of A for its rows of C; for B ([K, N]) whole columns.
func DotFMA(c *Linear, opIdx, k int) *Linear {
	// A keeps C's row bits, B its column bits; the other dim's bits hold copies.
	conv := func(src [][]int) [][]int {
		out := make([][]int, len(src))
		for i, v := range src {
			nv := make([]int, 2)
			nv[opIdx] = v[opIdx]
			out[i] = nv
		}
		return out
	}
	l := &Linear{Regs: conv(c.Regs), Lanes: conv(c.Lanes), Warps: conv(c.Warps)}
	kdim := 1 - opIdx
	for bit := 1; bit < k; bit *= 2 {
		l.Regs = append(l.Regs, unit(2, kdim, bit))
	}
	if opIdx == 0 {
		l.Shape = []int{c.Shape[0], k}
	} else {
		l.Shape = []int{k, c.Shape[1]}
	}
	l.Def = Def{Op: "fma", Operand: "AB"[opIdx], Ints: [][]int{{k}}, Parent: c}
	return l
}

// builder assembles a layout bit by bit.
type builder struct {
	l    *Linear
	used []int // the coordinate bits assigned so far, per dim
}

func newBuilder(shape []int) *builder {
	return &builder{l: &Linear{Shape: shape}, used: make([]int, len(shape))}
}

// basis returns the vector of coordinate bit v of dim d (zero beyond the
// shape: the bit holds copies).
func (b *builder) basis(d, v int) []int {
	if v >= b.l.Shape[d] {
		return make([]int, len(b.l.Shape))
	}
	b.used[d] |= v
	return unit(len(b.l.Shape), d, v)
}

func (b *builder) reg(d, v int) *builder  { b.l.Regs = append(b.l.Regs, b.basis(d, v)); return b }
func (b *builder) lane(d, v int) *builder { b.l.Lanes = append(b.l.Lanes, b.basis(d, v)); return b }

// warpsAlong gives n warps to dim d starting at coordinate bit from.
func (b *builder) warpsAlong(d, from, n int) *builder {
	for v := from; v < from*n; v *= 2 {
		b.l.Warps = append(b.l.Warps, b.basis(d, v))
	}
	return b
}

// warpsZero adds warp bits that hold copies.
func (b *builder) warpsZero(n int) *builder {
	for i := 1; i < n; i *= 2 {
		b.l.Warps = append(b.l.Warps, make([]int, len(b.l.Shape)))
	}
	return b
}

// warpsRest pads the warp bits to numWarps with copies.
func (b *builder) warpsRest(numWarps int) *builder {
	for len(b.l.Warps) < log2(numWarps) {
		b.l.Warps = append(b.l.Warps, make([]int, len(b.l.Shape)))
	}
	return b
}

// repeat gives the unassigned bits of dim d, lowest first, to registers.
func (b *builder) repeat(d int) *builder {
	for v := 1; v < b.l.Shape[d]; v *= 2 {
		if b.used[d]&v == 0 {
			b.l.Regs = append(b.l.Regs, b.basis(d, v))
		}
	}
	return b
}

func (b *builder) done(def Def) (*Linear, error) {
	b.l.Def = def
	return b.l, b.l.Validate()
}
