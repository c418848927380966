package layout

import (
	"fmt"
	"strconv"
	"strings"
)

// Shared is how a tile is laid out in shared memory. A shared buffer's
// leading dims beyond the tile (a ring of pipeline stages) are row-major
// copies of the tile; the tile itself (the last two dims, or the only
// one) is either
//
//   - row-major, each row (along the last dim) padded by Pad elements
//     (Pad 0: dense); conversions through shared memory use this, the
//     padding chosen so a warp's accesses spread over the banks; or
//   - swizzled (mma operands, read with ldmatrix; 16-bit elements, 2-D):
//     stored along dim Fast of the tile in 16-byte chunks of 8 elements,
//     chunk c of row r at chunk c ^ ((r / PerPhase) % MaxPhase), so that
//     the 8 rows an ldmatrix matrix reads land in 8 different chunks of a
//     128-byte line (Triton's swizzled shared layout with vec = 8).
//     With Block set, the fast dim is cut into column blocks of Block
//     elements (128 bytes), each stored whole, all rows, before the next:
//     the swizzled layouts of Hopper's wgmma operands and TMA boxes,
//     whose swizzle spans at most 128 bytes of a row. Within a block the
//     chunk order is the same, so the banks a warp touches are too.
//
// Shared is a value type so that tile types holding it compare with ==.
type Shared struct {
	Swizzled           bool
	Fast               int // the tile dim that is contiguous (0 or 1), swizzled tiles only
	PerPhase, MaxPhase int
	Block              int // elements per column block along Fast (0: the whole row)
	Pad                int
}

// Swizzle returns the swizzled layout of a 2-D tile of 16-bit elements of
// shape stored along dim fast: a 128-byte line holds 128/rowBytes rows of
// one phase, and a row of n chunks cycles through up to 8 phases.
func Swizzle(shape []int, fast int) Shared {
	rowBytes := shape[fast] * 2
	return Shared{Swizzled: true, Fast: fast, PerPhase: max(1, 128/rowBytes), MaxPhase: max(1, min(rowBytes/16, 8))}
}

// SwizzleBlocks is Swizzle with rows longer than 128 bytes cut into
// 128-byte column blocks (Block): the layout wgmma's matrix descriptors
// and TMA's 128-byte swizzle address.
func SwizzleBlocks(shape []int, fast int) Shared {
	s := Swizzle(shape, fast)
	if shape[fast]*2 > 128 && shape[fast]%64 == 0 {
		s.Block = 64
	}
	return s
}

// SpanBytes is a swizzled layout's swizzle span: the bytes of a row, or of
// a block's row, that its chunks permute within (32, 64 or 128 for the
// layouts wgmma reads; 16 for a row of one chunk).
func (s Shared) SpanBytes(shape []int) int {
	if s.Block != 0 {
		return 2 * s.Block
	}
	return min(2*shape[s.Fast], 128)
}

// String is the text form: swizzle<fast 1, per_phase 1, max_phase 8>
// (with ", block 64" when blocked), padded<4>, or dense.
func (s Shared) String() string {
	switch {
	case s.Swizzled && s.Block != 0:
		return fmt.Sprintf("swizzle<fast %d, per_phase %d, max_phase %d, block %d>", s.Fast, s.PerPhase, s.MaxPhase, s.Block)
	case s.Swizzled:
		return fmt.Sprintf("swizzle<fast %d, per_phase %d, max_phase %d>", s.Fast, s.PerPhase, s.MaxPhase)
	case s.Pad != 0:
		return fmt.Sprintf("padded<%d>", s.Pad)
	}
	return "dense"
}

// ParseShared reads Shared's text form.
func ParseShared(text string) (Shared, error) {
	p := &exprParser{s: text}
	s, err := p.shared()
	if err == nil {
		p.space()
		if p.pos != len(p.s) {
			err = p.errorf("unexpected %q", p.s[p.pos:])
		}
	}
	if err != nil {
		return Shared{}, fmt.Errorf("shared layout %q: %w", text, err)
	}
	return s, nil
}

func (p *exprParser) shared() (Shared, error) {
	switch w := p.word(); w {
	case "dense":
		return Shared{}, nil
	case "padded":
		if err := p.expect('<'); err != nil {
			return Shared{}, err
		}
		n, err := p.int()
		if err != nil {
			return Shared{}, err
		}
		if n < 1 {
			return Shared{}, p.errorf("padding %d", n)
		}
		return Shared{Pad: n}, p.expect('>')
	case "swizzle":
		if err := p.expect('<'); err != nil {
			return Shared{}, err
		}
		var xs [3]int
		if err := p.keyed([]string{"fast", "per_phase", "max_phase"}, func(i int) (err error) {
			xs[i], err = p.int()
			return err
		}); err != nil {
			return Shared{}, err
		}
		s := Shared{Swizzled: true, Fast: xs[0], PerPhase: xs[1], MaxPhase: xs[2]}
		if p.is(',') {
			if err := p.comma("block"); err != nil {
				return Shared{}, err
			}
			var err error
			if s.Block, err = p.int(); err != nil {
				return Shared{}, err
			}
			if s.Block != 64 || s.PerPhase != 1 || s.MaxPhase != 8 {
				return Shared{}, p.errorf("%s is not a swizzle tilec uses (blocks are 64 elements, 128 bytes)", s)
			}
		}
		if s.Fast != 0 && s.Fast != 1 || !pow2(s.PerPhase) || !pow2(s.MaxPhase) || s.MaxPhase > 8 {
			return Shared{}, p.errorf("%s is not a swizzle tilec uses", s)
		}
		return s, p.expect('>')
	default:
		return Shared{}, p.errorf("unknown shared layout %q", w)
	}
}

func pow2(n int) bool { return n > 0 && n&(n-1) == 0 }

// ElemOffset is the element offset of coordinate c of the tile (the last
// one or two dims) in a row-major padded layout of shape.
func (s Shared) ElemOffset(shape, c []int) int {
	st := s.Strides(shape)
	off := 0
	for d := range c {
		off += c[d] * st[d]
	}
	return off
}

// Strides are the element strides of a padded (or dense) row-major layout
// of shape.
func (s Shared) Strides(shape []int) []int {
	st := make([]int, len(shape))
	acc := 1
	for d := len(shape) - 1; d >= 0; d-- {
		st[d] = acc
		acc *= shape[d]
		if d == len(shape)-1 {
			acc += s.Pad
		}
	}
	return st
}

// Elems is the number of elements a buffer of shape takes, padding
// included.
func (s Shared) Elems(shape []int) int {
	st := s.Strides(shape)
	return st[0] * shape[0]
}

// SwizzleOffset is the byte offset of (row, col) in a swizzled tile of
// shape (col along Fast, row along the other dim).
func (s Shared) SwizzleOffset(shape []int, row, col int) int {
	phase := (row / s.PerPhase) % s.MaxPhase
	rowElems, base := shape[s.Fast], 0
	if s.Block != 0 {
		base = (col / s.Block) * shape[1-s.Fast] * s.Block
		rowElems, col = s.Block, col%s.Block
	}
	return 2 * (base + row*rowElems + ((col>>3)^phase)<<3 + col&7)
}

// formatInts is [1, 2, 3].
func formatInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = strconv.Itoa(x)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
