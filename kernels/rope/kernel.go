// Package rope is rotary position embedding (RoPE) written in tilec's DSL.
//
// q [T, H, D] and k [T, HK, D] are rotated in one launch: program (t, j)
// handles token t and a block of BLOCK_H heads, of q for the first
// cdiv(H, BLOCK_H) values of j and of k after them. The first rot dims of
// each head rotate by angle pos·θ_i with θ_i = base^(-2i/rot); the rest
// pass through. Two styles:
//   - NeoX (rotate-half): pairs (x[i], x[i + rot/2]);
//   - GPT-J (interleaved): pairs (x[2i], x[2i+1]), loaded as one [.., 2]
//     tile and taken apart with split, so every access stays contiguous.
//
// cos and sin come from caches [P, rot/2] or are computed in the kernel in
// f32; positions come from an i32 tensor [T] or are the token index.
package rope

import (
	"github.com/tilec/tilec/ir"
)

// Style selects how dims pair up.
type Style int

// Styles.
const (
	NeoX Style = iota // rotate-half: (x[i], x[i+rot/2])
	GPTJ              // interleaved: (x[2i], x[2i+1])
)

// Variant is what the kernel's code depends on; each is its own kernel.
type Variant struct {
	Style    Style
	HasPos   bool // positions from a tensor (else the token index)
	HasCache bool // cos/sin from caches (else computed from the base)
	CopyPass bool // copy the dims past rot (out of place with rot < D)
}

func (v Variant) name() string {
	n := "rope_neox"
	if v.Style == GPTJ {
		n = "rope_gptj"
	}
	if v.HasPos {
		n += "_pos"
	}
	if v.HasCache {
		n += "_cache"
	}
	if v.CopyPass {
		n += "_pass"
	}
	return n
}

// IR builds the kernel of a variant for dtype dt.
func IR(dt ir.DType, v Variant) (*ir.Func, error) {
	k := ir.NewKernel(v.name())
	q, kk := k.Pointer("q", dt), k.Pointer("k", dt)
	qOut, kOut := k.Pointer("q_out", dt), k.Pointer("k_out", dt)
	var positions, cosCache, sinCache *ir.Value
	if v.HasPos {
		positions = k.Pointer("positions", ir.I32)
	}
	if v.HasCache {
		cosCache, sinCache = k.Pointer("cos", dt), k.Pointer("sin", dt)
	}
	T := k.Scalar("T", ir.I32) // tokens: the grid's first axis
	H, HK := k.Scalar("H", ir.I32), k.Scalar("HK", ir.I32)
	strideQT, strideQH := k.Scalar("stride_qt", ir.I32), k.Scalar("stride_qh", ir.I32)
	strideKT, strideKH := k.Scalar("stride_kt", ir.I32), k.Scalar("stride_kh", ir.I32)
	strideQOT, strideQOH := k.Scalar("stride_qot", ir.I32), k.Scalar("stride_qoh", ir.I32)
	strideKOT, strideKOH := k.Scalar("stride_kot", ir.I32), k.Scalar("stride_koh", ir.I32)
	half := k.Scalar("half", ir.I32)          // rot / 2
	passDims := k.Scalar("pass_dims", ir.I32) // D - rot
	strideCache := k.Scalar("stride_cache", ir.I32)
	freqScale := k.Scalar("freq_scale", ir.F32) // -log2(base) / half: θ_i = 2^(i·freq_scale)
	k.Doc(q, "queries [T, H, D] (row strides stride_qt, stride_qh; unit stride along D)")
	k.Doc(kk, "keys [T, HK, D] (stride_kt, stride_kh)")
	k.Doc(qOut, "rotated queries, written (may be q for in place)")
	k.Doc(kOut, "rotated keys, written (may be k)")
	if v.HasPos {
		k.Doc(positions, "each token's position [T] (else the token index)")
	}
	if v.HasCache {
		k.Doc(cosCache, "cos(position·θ_i) [positions, half] with row stride stride_cache")
		k.Doc(sinCache, "sin(position·θ_i), like cos")
	}
	k.Doc(T, "tokens")
	k.Doc(H, "query heads")
	k.Doc(HK, "key heads")
	k.Doc(half, "rotated pairs per head: the rotary dims / 2")
	k.Doc(passDims, "trailing dims of each head that are not rotated (D − rotary dims), copied")
	k.Doc(freqScale, "−log2(base) / half: θ_i = 2^(i·freq_scale) (when there is no cache)")
	BLOCK_H := k.Constexpr("BLOCK_H")
	BLOCK_R := k.Constexpr("BLOCK_R") // half, rounded up to a power of two
	var BLOCK_P ir.Meta
	if v.CopyPass {
		BLOCK_P = k.Constexpr("BLOCK_P") // pass_dims, rounded up
	}

	t := k.ProgramID(0)
	j := k.ProgramID(1)
	qBlocks := k.CDiv(H, BLOCK_H)
	isQ := k.Lt(j, qBlocks)
	// q or k: every per-tensor scalar is chosen once, then one code path runs.
	x := k.Where(isQ, q, kk)
	out := k.Where(isQ, qOut, kOut)
	heads := k.Where(isQ, H, HK)
	strideT, strideH := k.Where(isQ, strideQT, strideKT), k.Where(isQ, strideQH, strideKH)
	strideOT, strideOH := k.Where(isQ, strideQOT, strideKOT), k.Where(isQ, strideQOH, strideKOH)
	hb := k.Where(isQ, j, k.Sub(j, qBlocks))

	pos := t
	if v.HasPos {
		pos = k.Load(k.Add(positions, t), nil, nil)
	}
	h := k.Add(k.Mul(hb, BLOCK_H), k.Arange(0, BLOCK_H))
	i := k.Arange(0, BLOCK_R)
	hMask := k.Lt(h, heads)
	iMask := k.Lt(i, half)
	var cos, sin *ir.Value
	if v.HasCache {
		row := k.Mul(pos, strideCache)
		cos = k.Cast(k.Load(k.Add(k.Add(cosCache, row), i), iMask, nil), ir.F32)
		sin = k.Cast(k.Load(k.Add(k.Add(sinCache, row), i), iMask, nil), ir.F32)
	} else {
		theta := k.Exp2(k.Mul(k.Cast(i, ir.F32), freqScale))
		angle := k.Mul(k.Cast(pos, ir.F32), theta)
		cos, sin = k.Cos(angle), k.Sin(angle)
	}
	cos, sin = k.ExpandDims(cos, 0), k.ExpandDims(sin, 0) // [1, BLOCK_R]: one row for every head

	rowIn := k.ExpandDims(k.Add(k.Mul(t, strideT), k.Mul(h, strideH)), 1) // [BLOCK_H, 1]
	rowOut := k.ExpandDims(k.Add(k.Mul(t, strideOT), k.Mul(h, strideOH)), 1)
	mask := k.And(k.ExpandDims(hMask, 1), k.ExpandDims(iMask, 0)) // [BLOCK_H, BLOCK_R]
	rotate := func(x1, x2 *ir.Value) (*ir.Value, *ir.Value) {
		x1, x2 = k.Cast(x1, ir.F32), k.Cast(x2, ir.F32)
		return k.Cast(k.Sub(k.Mul(x1, cos), k.Mul(x2, sin)), dt), k.Cast(k.Add(k.Mul(x2, cos), k.Mul(x1, sin)), dt)
	}
	if v.Style == NeoX {
		offs1 := k.Add(rowIn, k.ExpandDims(i, 0))
		x1 := k.Load(k.Add(x, offs1), mask, nil)
		x2 := k.Load(k.Add(x, k.Add(offs1, half)), mask, nil)
		y1, y2 := rotate(x1, x2)
		o1 := k.Add(rowOut, k.ExpandDims(i, 0))
		k.Store(k.Add(out, o1), y1, mask)
		k.Store(k.Add(out, k.Add(o1, half)), y2, mask)
	} else {
		// [BLOCK_H, BLOCK_R, 2]: element (h, i, c) is dim 2i+c.
		pair := k.ExpandDims(k.ExpandDims(k.Arange(0, 2), 0), 0)
		dims := k.Add(k.Mul(k.ExpandDims(k.ExpandDims(i, 0), 2), 2), pair)
		mask3 := k.ExpandDims(mask, 2)
		xs := k.Load(k.Add(x, k.Add(k.ExpandDims(rowIn, 2), dims)), mask3, nil)
		x1, x2 := k.Split(xs)
		y1, y2 := rotate(x1, x2)
		k.Store(k.Add(out, k.Add(k.ExpandDims(rowOut, 2), dims)), k.Join(y1, y2), mask3)
	}
	if v.CopyPass {
		p := k.Arange(0, BLOCK_P)
		pmask := k.And(k.ExpandDims(hMask, 1), k.ExpandDims(k.Lt(p, passDims), 0))
		dim := k.ExpandDims(k.Add(k.Mul(half, 2), p), 0)
		vals := k.Load(k.Add(x, k.Add(rowIn, dim)), pmask, nil)
		k.Store(k.Add(out, k.Add(rowOut, dim)), vals, pmask)
	}
	return k.Build()
}
