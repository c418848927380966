package layout

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The package comment's worked example.
func TestWorkedExample(t *testing.T) {
	l, err := Blocked([]int{16, 8}, []int{1, 2}, []int{8, 4}, []int{4, 1}, []int{1, 0})
	require.NoError(t, err)
	assert.Equal(t, [][]int{{0, 1}}, l.Regs)
	assert.Equal(t, [][]int{{0, 2}, {0, 4}, {1, 0}, {2, 0}, {4, 0}}, l.Lanes)
	assert.Equal(t, [][]int{{8, 0}, {0, 0}}, l.Warps)
	assert.Equal(t, []int{3, 2}, l.Coords(0, 13, 0))
	assert.Equal(t, []int{3, 3}, l.Coords(1, 13, 0))
	assert.Equal(t, 0b10, l.WarpBroadcast())
}

// coverage checks that the layout puts every element of the tile in some
// thread, and that a thread's copies are exactly the broadcast bits' doing.
func coverage(t *testing.T, l *Linear) {
	t.Helper()
	require.NoError(t, l.Validate())
	n := 1
	for _, s := range l.Shape {
		n *= s
	}
	seen := map[string]int{}
	for w := 0; w < l.NumWarps(); w++ {
		for lane := 0; lane < WarpSize; lane++ {
			for r := 0; r < l.NumRegs(); r++ {
				c := l.Coords(r, lane, w)
				for d, x := range c {
					require.Less(t, x, l.Shape[d])
				}
				seen[fmt.Sprint(c)]++
			}
		}
	}
	require.Len(t, seen, n)
	copies := (l.NumRegs() * WarpSize * l.NumWarps()) / n
	for k, c := range seen {
		require.Equal(t, copies, c, "element %s", k)
	}
}

func TestDefaultBlockedCoversEveryShape(t *testing.T) {
	for _, w := range []int{1, 2, 4, 8} {
		for _, eb := range []int{1, 2, 4, 8} {
			for _, shape := range [][]int{{1}, {2}, {32}, {128}, {1024}, {1, 1}, {1, 64}, {64, 1}, {16, 16}, {128, 64}, {4, 256}, {2, 4, 8}, {64, 2, 2}, {1, 1, 1}} {
				l := DefaultBlocked(shape, w, eb)
				t.Run(fmt.Sprint(shape, w, eb), func(t *testing.T) { coverage(t, l) })
			}
		}
	}
	// 16 bytes per thread along the contiguous dim: 8 halves.
	l := DefaultBlocked([]int{64, 64}, 4, 2)
	assert.Equal(t, []int{0, 1}, l.Regs[0])
	assert.Equal(t, []int{0, 4}, l.Regs[2])
	assert.Equal(t, []int{0, 8}, l.Lanes[0])
}

// MMA fragments, element by element against the PTX ISA's tables.
func TestMMAFragments(t *testing.T) {
	c, err := MMA(16, 8, [2]int{1, 1}, 1)
	require.NoError(t, err)
	a, err := DotA(16, 16, [2]int{1, 1}, 1)
	require.NoError(t, err)
	b, err := DotB(16, 8, [2]int{1, 1}, 1)
	require.NoError(t, err)
	for lane := 0; lane < 32; lane++ {
		g, tt := lane/4, lane%4
		assert.Equal(t, []int{g, 2 * tt}, c.Coords(0, lane, 0))
		assert.Equal(t, []int{g, 2*tt + 1}, c.Coords(1, lane, 0))
		assert.Equal(t, []int{g + 8, 2 * tt}, c.Coords(2, lane, 0))
		assert.Equal(t, []int{g + 8, 2*tt + 1}, c.Coords(3, lane, 0))
		wantA := [][]int{{g, 2 * tt}, {g, 2*tt + 1}, {g + 8, 2 * tt}, {g + 8, 2*tt + 1},
			{g, 2*tt + 8}, {g, 2*tt + 9}, {g + 8, 2*tt + 8}, {g + 8, 2*tt + 9}}
		for r, w := range wantA {
			assert.Equal(t, w, a.Coords(r, lane, 0), "a%d lane %d", r, lane)
		}
		wantB := [][]int{{2 * tt, g}, {2*tt + 1, g}, {2*tt + 8, g}, {2*tt + 9, g}}
		for r, w := range wantB {
			assert.Equal(t, w, b.Coords(r, lane, 0), "b%d lane %d", r, lane)
		}
	}
	for _, l := range []*Linear{c, a, b} {
		coverage(t, l)
	}
}

// An accumulator [M, N] is the A operand [M, K=N] when warps lie along M:
// the register reuse FlashAttention's P·V relies on.
func TestAccumulatorIsTheNextAOperand(t *testing.T) {
	for _, s := range [][3]int{{128, 64, 4}, {64, 64, 4}, {128, 128, 8}, {16, 16, 1}, {64, 32, 4}} {
		m, n, w := s[0], s[1], s[2]
		warps := MMAWarps(m, n, w)
		require.Equal(t, 1, warps[1], "%v", s)
		c, err := MMA(m, n, warps, w)
		require.NoError(t, err)
		a, err := DotA(m, n, warps, w)
		require.NoError(t, err)
		assert.Truef(t, c.Equal(a), "%v:\n%s\n%s", s, c.Bases(), a.Bases())
		coverage(t, c)
	}
	// With warps along N the layouts differ (A is copied across N-warps).
	c, _ := MMA(16, 64, MMAWarps(16, 64, 4), 4)
	a, _ := DotA(16, 64, MMAWarps(16, 64, 4), 4)
	assert.False(t, c.Equal(a))
}

func TestDotFMA(t *testing.T) {
	c := DefaultBlocked([]int{32, 16}, 4, 4)
	a := DotFMA(c, 0, 8)
	b := DotFMA(c, 1, 8)
	coverage(t, a)
	coverage(t, b)
	// Each thread holds all of K for its rows (A) and columns (B).
	for lane := 0; lane < 32; lane++ {
		for r := 0; r < c.NumRegs(); r++ {
			cc := c.Coords(r, lane, 1)
			rowsA, colsB := map[int]bool{}, map[int]bool{}
			for ra := 0; ra < a.NumRegs(); ra++ {
				rowsA[a.Coords(ra, lane, 1)[0]] = true
			}
			for rb := 0; rb < b.NumRegs(); rb++ {
				colsB[b.Coords(rb, lane, 1)[1]] = true
			}
			assert.True(t, rowsA[cc[0]] && colsB[cc[1]])
		}
	}
}

func TestSliceAndSlicedRegs(t *testing.T) {
	l := DefaultBlocked([]int{8, 64}, 4, 4) // 4 registers along dim 1
	s := l.Slice(1)
	coverage(t, s)
	groups := l.SlicedRegs(1)
	require.Len(t, groups, s.NumRegs())
	for rp, regs := range groups {
		last := -1
		for _, r := range regs {
			c := l.RegCoords(r)
			assert.Equal(t, s.RegCoords(rp), []int{c[0]})
			assert.Greater(t, c[1], last, "folded in index order")
			last = c[1]
		}
	}
}

func TestExpandRestrictPermuteReshape(t *testing.T) {
	l := DefaultBlocked([]int{32, 16}, 4, 4)
	e := l.Slice(1).ExpandDims(1) // [32, 1]
	coverage(t, e)
	r := l.Restrict([]int{32, 1})
	coverage(t, r)
	// Every register of the broadcast result reads the same-numbered register.
	for lane := 0; lane < 32; lane++ {
		for reg := 0; reg < l.NumRegs(); reg++ {
			assert.Equal(t, l.Coords(reg, lane, 2)[0], r.Coords(reg, lane, 2)[0])
		}
	}
	p := l.Permute([]int{1, 0})
	coverage(t, p)
	assert.Equal(t, []int{16, 32}, p.Shape)
	f := l.Reshape([]int{512})
	coverage(t, f)
	for lane := 0; lane < 32; lane++ {
		for reg := 0; reg < l.NumRegs(); reg++ {
			c := l.Coords(reg, lane, 3)
			assert.Equal(t, c[0]*16+c[1], f.Coords(reg, lane, 3)[0])
		}
	}
	d := e.DropDim(1)
	assert.True(t, d.Equal(l.Slice(1)))
}

func TestRegPermutation(t *testing.T) {
	a, _ := Blocked([]int{4, 64}, []int{2, 2}, []int{1, 32}, []int{1, 1}, []int{1, 0})
	b, _ := Blocked([]int{4, 64}, []int{2, 2}, []int{1, 32}, []int{1, 1}, []int{0, 1})
	perm, ok := a.RegPermutation(b) // the same bits, registers in another order
	require.True(t, ok)
	for r, src := range perm {
		assert.Equal(t, b.RegCoords(r), a.RegCoords(src))
	}
	d := DefaultBlocked([]int{4, 64}, 1, 4)
	_, ok = a.RegPermutation(d)
	require.False(t, ok, "different lanes")
	c := &Linear{Shape: a.Shape, Regs: [][]int{a.Regs[1], a.Regs[0], a.Regs[2]}, Lanes: a.Lanes, Warps: a.Warps}
	perm, ok = a.RegPermutation(c)
	require.True(t, ok)
	for r, src := range perm {
		assert.Equal(t, c.RegCoords(r), a.RegCoords(src))
	}
}

func TestValidateRejects(t *testing.T) {
	bad := &Linear{Shape: []int{4}, Regs: [][]int{{1}, {1}}, Lanes: [][]int{{0}, {0}, {0}, {0}, {0}}}
	require.ErrorContains(t, bad.Validate(), "comes from two bases")
	bad = &Linear{Shape: []int{4}, Regs: [][]int{{1}}, Lanes: [][]int{{0}, {0}, {0}, {0}, {0}}}
	require.ErrorContains(t, bad.Validate(), "not covered")
	_, err := Blocked([]int{4}, []int{1}, []int{16}, []int{1}, []int{0})
	require.ErrorContains(t, err, "16 lanes")
}

// Every layout prints as the expression that built it, and parsing that
// expression gives the same bases.
func TestExprRoundTrip(t *testing.T) {
	c, err := MMA(128, 64, [2]int{8, 1}, 8)
	require.NoError(t, err)
	a, err := DotA(128, 64, [2]int{8, 1}, 8)
	require.NoError(t, err)
	b, err := DotB(64, 32, [2]int{2, 2}, 4)
	require.NoError(t, err)
	bl := DefaultBlocked([]int{64, 128}, 4, 2)
	small := DefaultBlocked([]int{32, 16}, 4, 4)
	raw := &Linear{Shape: []int{2, 16}, Regs: [][]int{{1, 0}}, Lanes: [][]int{{0, 1}, {0, 2}, {0, 4}, {0, 8}, {0, 0}}}
	for _, l := range []*Linear{c, a, b, bl, raw,
		c.Slice(1), c.Slice(0).ExpandDims(0), c.Restrict([]int{128, 1}), c.Restrict([]int{128, 1}).DropDim(1),
		bl.Permute([]int{1, 0}), bl.Reshape([]int{8192}), bl.Slice(1).Join(), DotFMA(small, 0, 8), DotFMA(small, 1, 4),
	} {
		text := l.String()
		got, err := Parse(text, nil)
		require.NoError(t, err, text)
		assert.Truef(t, l.Equal(got), "%s:\n%s\n%s", text, l.Bases(), got.Bases())
		assert.Equal(t, text, got.String())
	}
	assert.Equal(t, "blocked<spt [1, 8], tpw [2, 16], wpc [4, 1], order [1, 0]> [64, 128]", bl.String())
	assert.Equal(t, "slice<1, mma<warps [8, 1], num_warps 8> [128, 64]>", c.Slice(1).String())
	// Aliases stand for parents.
	name := func(p *Linear) string {
		if p == c {
			return "#mma0"
		}
		return ""
	}
	assert.Equal(t, "slice<1, #mma0>", c.Slice(1).Expr(name))
	got, err := Parse("slice<1, #mma0>", func(n string) (*Linear, error) { return c, nil })
	require.NoError(t, err)
	assert.True(t, got.Equal(c.Slice(1)))
}

func TestExprErrors(t *testing.T) {
	for text, want := range map[string]string{
		"blocked<spt [1, 8], tpw [4, 4], wpc [1, 1], order [1, 0]> [16, 16]": "16 lanes",
		"mma<warps [8, 1], num_warps 8> [24, 64]":                            "not made of powers of two",
		"mma<warps [8], num_warps 8> [128, 64]":                              "want two numbers",
		"slice<2, mma<warps [1, 1], num_warps 1> [16, 8]>":                   "slice dim 2",
		"drop<0, mma<warps [1, 1], num_warps 1> [16, 8]>":                    "size 16",
		"reshape<[4], mma<warps [1, 1], num_warps 1> [16, 8]>":               "reshape[4]",
		"trans<[0, 0], mma<warps [1, 1], num_warps 1> [16, 8]>":              "not a permutation",
		"slice<1, #x>": "outside a kernel",
		"swirl<1> [4]": "unknown layout",
		"linear<regs [[1]], lanes [], warps []> [2]":  "lane bits",
		"mma<warps [1, 1], num_warps 1> [16, 8] junk": "unexpected",
	} {
		_, err := Parse(text, nil)
		require.ErrorContains(t, err, want, text)
	}
}

func TestSharedText(t *testing.T) {
	for _, s := range []Shared{{}, {Pad: 4}, Swizzle([]int{64, 64}, 1), Swizzle([]int{64, 32}, 0)} {
		got, err := ParseShared(s.String())
		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	assert.Equal(t, Shared{Swizzled: true, Fast: 1, PerPhase: 1, MaxPhase: 8}, Swizzle([]int{64, 64}, 1))
	assert.Equal(t, Shared{Swizzled: true, Fast: 0, PerPhase: 2, MaxPhase: 4}, Swizzle([]int{32, 64}, 0))
	assert.Equal(t, []int{68, 1}, Shared{Pad: 4}.Strides([]int{8, 64}))
	assert.Equal(t, 8*68, Shared{Pad: 4}.Elems([]int{8, 64}))
	_, err := ParseShared("swizzle<fast 2, per_phase 1, max_phase 8>")
	require.ErrorContains(t, err, "not a swizzle")
	blocked := SwizzleBlocks([]int{32, 128}, 1)
	assert.Equal(t, Shared{Swizzled: true, Fast: 1, PerPhase: 1, MaxPhase: 8, Block: 64}, blocked)
	assert.Equal(t, "swizzle<fast 1, per_phase 1, max_phase 8, block 64>", blocked.String())
	got, err := ParseShared(blocked.String())
	require.NoError(t, err)
	assert.Equal(t, blocked, got)
	assert.Equal(t, Swizzle([]int{32, 64}, 1), SwizzleBlocks([]int{32, 64}, 1), "rows of 128 bytes need no blocks")
	_, err = ParseShared("swizzle<fast 1, per_phase 2, max_phase 4, block 64>")
	require.ErrorContains(t, err, "blocks are 64 elements")
}

// TestSwizzleOffset checks the swizzled layouts against their definition:
// each is a permutation of the tile's bytes that keeps 16-byte chunks
// whole, and element (r, c) of a blocked tile sits in block c/64, row r
// of that block, chunk (c%64/8) ^ (r%8).
func TestSwizzleOffset(t *testing.T) {
	for _, c := range []struct {
		shape []int
		fast  int
		s     Shared
	}{
		{[]int{16, 64}, 1, Swizzle([]int{16, 64}, 1)},
		{[]int{32, 32}, 1, Swizzle([]int{32, 32}, 1)},
		{[]int{64, 16}, 1, Swizzle([]int{64, 16}, 1)},
		{[]int{128, 32}, 0, Swizzle([]int{128, 32}, 0)},
		{[]int{32, 128}, 1, SwizzleBlocks([]int{32, 128}, 1)},
		{[]int{256, 16}, 0, SwizzleBlocks([]int{256, 16}, 0)},
	} {
		rows, cols := c.shape[1-c.fast], c.shape[c.fast]
		seen := map[int]bool{}
		for r := 0; r < rows; r++ {
			for col := 0; col < cols; col++ {
				off := c.s.SwizzleOffset(c.shape, r, col)
				require.False(t, seen[off], "%v: (%d, %d) at %d twice", c.s, r, col, off)
				seen[off] = true
				require.Less(t, off, 2*rows*cols)
				if col%8 != 0 {
					require.Equal(t, c.s.SwizzleOffset(c.shape, r, col-1)+2, off, "chunks stay whole")
				}
				if c.s.Block != 0 {
					want := (col/64)*rows*128 + r*128 + ((col%64/8)^(r%8))*16 + col%8*2
					require.Equal(t, want, off, "%v (%d, %d)", c.s, r, col)
				}
			}
		}
	}
}
