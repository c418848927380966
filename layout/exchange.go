package layout

// Moving a tile between two distributed layouts through shared memory: the
// threads of the source layout store their registers (each element once),
// and after a barrier the threads of the destination load theirs. The
// buffer is the row-major tile, dense or with padded rows; which one, and
// how many registers move per access, follows from a model of the
// shared-memory wavefronts one warp needs.

// RegRun returns the dim along which l's lowest register bits walk
// consecutive elements, and how many registers that run has.
func (l *Linear) RegRun() (dim, n int) {
	if len(l.Regs) == 0 {
		return 0, 1
	}
	dim = -1
	for d, x := range l.Regs[0] {
		if x == 1 {
			dim = d
		}
	}
	if dim < 0 {
		return 0, 1
	}
	n = 1
	for _, b := range l.Regs {
		if b[dim] != n || nonzero(b) != 1 {
			break
		}
		n *= 2
	}
	return dim, n
}

func nonzero(b []int) int {
	n := 0
	for _, x := range b {
		if x != 0 {
			n++
		}
	}
	return n
}

// Exchange is how a tile moves from layout Src to Dst through shared
// memory: the buffer's layout (dense or padded rows), and how many
// registers each store (VecSrc) and load (VecDst) moves. A dense buffer
// lets runs continue across rows: its accesses are planned on the layouts
// reshaped to one dim.
type Exchange struct {
	Buffer         Shared
	VecSrc, VecDst int
}

// PlanExchange picks the buffer of an exchange from src to dst of
// elements of esz bytes (vector accesses only where vectorizable): the
// dense tile, rows padded by 16 bytes, or (4-byte elements) rows padded
// by one element, by the shared-memory wavefronts each costs one warp (the
// other warps' accesses are the same pattern shifted). Ties go to the
// earlier: the dense buffer is the smallest.
func PlanExchange(src, dst *Linear, esz int, vectorizable bool) Exchange {
	n := 1
	for _, d := range src.Shape {
		n *= d
	}
	type plan struct {
		x        Exchange
		src, dst *Linear
		strides  []int
	}
	plans := []plan{{x: Exchange{}, src: src.Reshape([]int{n}), dst: dst.Reshape([]int{n}), strides: []int{1}}}
	if last := len(src.Shape) - 1; last >= 1 {
		// Rows padded by 16 bytes keep 16-byte vectors aligned.
		if row := src.Shape[last] * esz; row >= 32 && row%16 == 0 {
			s := Shared{Pad: 16 / esz}
			plans = append(plans, plan{x: Exchange{Buffer: s}, src: src, dst: dst, strides: s.Strides(src.Shape)})
		}
		// Rows padded by one element: a warp reading down a column hits 32
		// banks, at the price of element-by-element accesses.
		if esz == 4 {
			s := Shared{Pad: 1}
			plans = append(plans, plan{x: Exchange{Buffer: s, VecSrc: 1, VecDst: 1}, src: src, dst: dst, strides: s.Strides(src.Shape)})
		}
	}
	best, bestCost := Exchange{}, -1
	for _, p := range plans {
		if p.x.VecSrc == 0 {
			p.x.VecSrc, p.x.VecDst = ExchangeVec(p.src, esz, vectorizable), ExchangeVec(p.dst, esz, vectorizable)
		}
		cost := SharedWaves(p.src, p.strides, esz, p.x.VecSrc, true) + SharedWaves(p.dst, p.strides, esz, p.x.VecDst, false)
		if bestCost < 0 || cost < bestCost {
			best, bestCost = p.x, cost
		}
	}
	return best
}

// SharedWaves counts the shared-memory wavefronts warp 0 needs to access
// its registers of l, vec at a time, in a buffer with element strides st:
// the model of the emulator's counters (lanes in phases of 128 bytes of
// requests; per phase, the most distinct 4-byte words any bank serves).
// Stores skip the broadcast lanes, which do not store.
func SharedWaves(l *Linear, st []int, esz, vec int, store bool) int {
	size := vec * esz
	perPhase := 32
	switch {
	case size == 8:
		perPhase = 16
	case size >= 16:
		perPhase = 8
	}
	total := 0
	for r := 0; r < l.NumRegs(); r += vec {
		if r&l.RegBroadcast() != 0 {
			continue
		}
		for p0 := 0; p0 < WarpSize; p0 += perPhase {
			words := map[int]bool{}
			for lane := p0; lane < p0+perPhase; lane++ {
				if store && lane&l.LaneBroadcast() != 0 {
					continue
				}
				c := l.Coords(r, lane, 0)
				off := 0
				for d := range c {
					off += c[d] * st[d]
				}
				for w := off * esz / 4; w <= (off*esz+size-1)/4; w++ {
					words[w] = true
				}
			}
			var perBank [32]int
			worst := 0
			for w := range words {
				perBank[w&31]++
				worst = max(worst, perBank[w&31])
			}
			total += worst
		}
	}
	return total
}

// ExchangeVec is how many registers of l move as one shared-memory
// access: a run along the last dim, at most 16 bytes, that starts at a
// multiple of its length whatever the lane, warp and other registers.
func ExchangeVec(l *Linear, esz int, vectorizable bool) int {
	if !vectorizable || esz > 4 || len(l.Shape) == 0 {
		return 1
	}
	last := len(l.Shape) - 1
	d, n := l.RegRun()
	if d != last || n < 2 {
		return 1
	}
	v := min(n, 16/esz)
	bits := log2(v)
	var others [][]int
	others = append(others, l.Regs[bits:]...)
	others = append(others, l.Lanes...)
	others = append(others, l.Warps...)
	for _, b := range others {
		if b[last]%v != 0 {
			return 1
		}
	}
	return v
}
