// Package moe is mixture-of-experts token dispatch written in tilec's DSL:
// from router logits [T, E] it picks each token's top-k experts (with their
// softmax weights, optionally renormalized over the k), counts tokens per
// expert, pads each expert's segment to a multiple of a block size (for a
// grouped GEMM), and permutes the hidden rows [T, Hd] into expert order.
// The permutation is stable: inside an expert, rows keep the order of
// (token, slot), so the result equals a stable sort and is deterministic.
// Combine, the reverse step, is its own kernel.
//
// Dispatch is four launches, each one pass:
//
//	route    per block of BLOCK_T tokens: softmax, top-k, and the block's
//	         per-expert histogram (no atomics: deterministic)
//	offsets  one program: counts, padded offsets (a scan over experts), and
//	         each block's first slot per expert (a scan over blocks)
//	permute  per token block: each (token, slot)'s rank among the block's
//	         earlier slots of its expert gives its destination: sorted_ids
//	         and the inverse permutation
//	gather   per block of BLOCK_R destination rows: the row's source token
//	         (or padding), and the copy of the hidden row
package moe

import (
	"math"

	"github.com/tilec/tilec/ir"
)

// RouteIR builds the routing kernel for logits of dtype dt. Grid:
// cdiv(T, BLOCK_T).
func RouteIR(dt ir.DType, renorm bool) (*ir.Func, error) {
	name := "moe_route"
	if renorm {
		name += "_renorm"
	}
	k := ir.NewKernel(name)
	logits := k.Pointer("logits", dt)
	ids := k.Pointer("topk_ids", ir.I32)
	weights := k.Pointer("topk_weights", ir.F32)
	hist := k.Pointer("hist", ir.I32)
	T, E, K := k.Scalar("T", ir.I32), k.Scalar("E", ir.I32), k.Scalar("K", ir.I32)
	BLOCK_T, BLOCK_E := k.Constexpr("BLOCK_T"), k.Constexpr("BLOCK_E")

	pid := k.ProgramID(0)
	t := k.Add(k.Mul(pid, BLOCK_T), k.Arange(0, BLOCK_T))
	e := k.ExpandDims(k.Arange(0, BLOCK_E), 0) // [1, BLOCK_E]
	tmask := k.ExpandDims(k.Lt(t, T), 1)       // [BLOCK_T, 1]
	row := k.ExpandDims(k.Mul(t, K), 1)
	lg := k.Cast(k.Load(k.Add(logits, k.Add(k.ExpandDims(k.Mul(t, E), 1), e)), k.And(tmask, k.Lt(e, E)), math.Inf(-1)), ir.F32)
	// softmax over the experts
	m := k.Max(lg, 1)
	ex := k.Exp(k.Sub(lg, k.ExpandDims(m, 1)))
	p := k.Div(ex, k.ExpandDims(k.Sum(ex, 1), 1))

	// pick selects the best remaining expert of each token: its index, its
	// one-hot row, and its weight. Ties go to the lower index (Argmax).
	pick := func(remaining *ir.Value) (idx, sel, w *ir.Value) {
		idx = k.Argmax(remaining, 1)
		sel = k.Eq(e, k.ExpandDims(idx, 1))
		return idx, sel, k.Sum(k.Where(sel, p, 0.0), 1)
	}
	denom := k.Full(1.0, ir.F32, BLOCK_T)
	if renorm {
		denom = k.For(0, K, 1, []*ir.Value{lg, k.Zeros(ir.F32, BLOCK_T)}, func(_ *ir.Value, c []*ir.Value) []*ir.Value {
			_, sel, w := pick(c[0])
			return []*ir.Value{k.Where(sel, math.Inf(-1), c[0]), k.Add(c[1], w)}
		})[1]
	}
	counts := k.For(0, K, 1, []*ir.Value{lg, k.Zeros(ir.I32, BLOCK_E)}, func(j *ir.Value, c []*ir.Value) []*ir.Value {
		idx, sel, w := pick(c[0])
		k.Store(k.Add(ids, k.Add(row, j)), k.ExpandDims(idx, 1), tmask)
		k.Store(k.Add(weights, k.Add(row, j)), k.ExpandDims(k.Div(w, denom), 1), tmask)
		cnt := k.Add(c[1], k.Sum(k.Where(k.And(sel, tmask), 1, 0), 0))
		return []*ir.Value{k.Where(sel, math.Inf(-1), c[0]), cnt}
	})[1]
	eRow := k.Arange(0, BLOCK_E)
	k.Store(k.Add(hist, k.Add(k.Mul(pid, E), eRow)), counts, k.Lt(eRow, E))
	return k.Build()
}

// OffsetsIR builds the scan kernel. Grid: 1.
func OffsetsIR() (*ir.Func, error) {
	k := ir.NewKernel("moe_offsets")
	hist := k.Pointer("hist", ir.I32)
	blockoff := k.Pointer("blockoff", ir.I32)
	counts := k.Pointer("counts", ir.I32)
	offsets := k.Pointer("offsets", ir.I32)
	NB, E, PAD := k.Scalar("NB", ir.I32), k.Scalar("E", ir.I32), k.Scalar("PAD", ir.I32)
	BLOCK_E := k.Constexpr("BLOCK_E")

	e := k.Arange(0, BLOCK_E)
	emask := k.Lt(e, E)
	histRow := func(b *ir.Value) *ir.Value { return k.Add(hist, k.Add(k.Mul(b, E), e)) }
	total := k.For(0, NB, 1, []*ir.Value{k.Zeros(ir.I32, BLOCK_E)}, func(b *ir.Value, c []*ir.Value) []*ir.Value {
		return []*ir.Value{k.Add(c[0], k.Load(histRow(b), emask, 0))}
	})[0]
	k.Store(k.Add(counts, e), total, emask)
	padded := k.Mul(k.CDiv(total, PAD), PAD)
	incl := k.Cumsum(padded, 0)
	excl := k.Sub(incl, padded)
	k.Store(offsets, 0, nil)
	k.Store(k.Add(offsets, k.Add(e, 1)), incl, emask)
	// Each block's first slot per expert: the expert's offset plus the
	// tokens of that expert in earlier blocks.
	k.For(0, NB, 1, []*ir.Value{excl}, func(b *ir.Value, c []*ir.Value) []*ir.Value {
		k.Store(k.Add(blockoff, k.Add(k.Mul(b, E), e)), c[0], emask)
		return []*ir.Value{k.Add(c[0], k.Load(histRow(b), emask, 0))}
	})
	return k.Build()
}

// PermuteIR builds the kernel that places each (token, slot). Grid:
// cdiv(T, BLOCK_T), the same blocks as route.
func PermuteIR() (*ir.Func, error) {
	k := ir.NewKernel("moe_permute")
	ids := k.Pointer("topk_ids", ir.I32)
	blockoff := k.Pointer("blockoff", ir.I32)
	sorted := k.Pointer("sorted_ids", ir.I32)
	inverse := k.Pointer("inverse", ir.I32)
	T, E, K := k.Scalar("T", ir.I32), k.Scalar("E", ir.I32), k.Scalar("K", ir.I32)
	BLOCK_T, BLOCK_K, BLOCK_S := k.Constexpr("BLOCK_T"), k.Constexpr("BLOCK_K"), k.Constexpr("BLOCK_S") // BLOCK_S = BLOCK_T*BLOCK_K

	pid := k.ProgramID(0)
	t := k.Add(k.Mul(pid, BLOCK_T), k.Arange(0, BLOCK_T))
	j := k.Arange(0, BLOCK_K)
	valid := k.And(k.ExpandDims(k.Lt(t, T), 1), k.ExpandDims(k.Lt(j, K), 0))
	flat := k.Add(k.ExpandDims(k.Mul(t, K), 1), k.ExpandDims(j, 0))
	// One row of slots in (token, slot) order, the order the sort keeps.
	expert := k.Reshape(k.Load(k.Add(ids, flat), valid, 0), BLOCK_S)
	vs := k.Reshape(valid, BLOCK_S)
	fs := k.Reshape(flat, BLOCK_S)
	a := k.Arange(0, BLOCK_S)
	earlier := k.And(k.And(k.Eq(k.ExpandDims(expert, 1), k.ExpandDims(expert, 0)), k.ExpandDims(vs, 0)),
		k.Lt(k.ExpandDims(a, 0), k.ExpandDims(a, 1)))
	rank := k.Sum(k.Where(earlier, 1, 0), 1)
	dest := k.Add(k.Load(k.Add(blockoff, k.Add(k.Mul(pid, E), expert)), vs, 0), rank)
	k.Store(k.Add(sorted, dest), fs, vs)
	k.Store(k.Add(inverse, fs), dest, vs)
	return k.Build()
}

// GatherIR builds the row copy. Grid: cdiv(R, BLOCK_R) for R destination
// rows (the padded capacity).
func GatherIR(dt ir.DType) (*ir.Func, error) {
	k := ir.NewKernel("moe_gather")
	hidden := k.Pointer("hidden", dt)
	sorted := k.Pointer("sorted_ids", ir.I32)
	offsets := k.Pointer("offsets", ir.I32)
	counts := k.Pointer("counts", ir.I32)
	out := k.Pointer("permuted", dt)
	T, E, K := k.Scalar("T", ir.I32), k.Scalar("E", ir.I32), k.Scalar("K", ir.I32)
	Hd, R := k.Scalar("Hd", ir.I32), k.Scalar("R", ir.I32)
	BLOCK_R, BLOCK_E, BLOCK_D := k.Constexpr("BLOCK_R"), k.Constexpr("BLOCK_E"), k.Constexpr("BLOCK_D")

	p := k.Add(k.Mul(k.ProgramID(0), BLOCK_R), k.Arange(0, BLOCK_R))
	pmask := k.Lt(p, R)
	e := k.Arange(0, BLOCK_E)
	// The expert whose segment holds row p: how many segments end at or before it.
	ends := k.Load(k.Add(offsets, k.Add(e, 1)), k.Lt(e, E), 1<<30)
	expert := k.Sum(k.Where(k.Le(k.ExpandDims(ends, 0), k.ExpandDims(p, 1)), 1, 0), 1)
	inSegment := k.And(pmask, k.Lt(expert, E))
	start := k.Load(k.Add(offsets, expert), pmask, 0)
	cnt := k.Load(k.Add(counts, expert), inSegment, 0)
	real := k.And(inSegment, k.Lt(k.Sub(p, start), cnt))
	src := k.Load(k.Add(sorted, p), real, 0)
	k.Store(k.Add(sorted, p), k.Mul(T, K), k.And(pmask, k.Not(real))) // padding: the sentinel T*K
	tok := k.ExpandDims(k.Div(src, K), 1)
	rowMask := k.ExpandDims(real, 1)
	k.For(0, Hd, BLOCK_D, nil, func(d0 *ir.Value, _ []*ir.Value) []*ir.Value {
		cols := k.ExpandDims(k.Add(d0, k.Arange(0, BLOCK_D)), 0)
		cmask := k.Lt(cols, Hd)
		rows := k.Load(k.Add(hidden, k.Add(k.Mul(tok, Hd), cols)), k.And(rowMask, cmask), 0.0)
		k.Store(k.Add(out, k.Add(k.ExpandDims(k.Mul(p, Hd), 1), cols)), rows, k.And(k.ExpandDims(pmask, 1), cmask))
		return nil
	})
	return k.Build()
}

// CombineIR builds the reverse step: out[t] = sum_j w[t, j] ·
// expert_out[inverse[t, j]]. Grid: (cdiv(T, BLOCK_T), cdiv(Hd, BLOCK_D)).
func CombineIR(dt ir.DType) (*ir.Func, error) {
	k := ir.NewKernel("moe_combine")
	expertOut := k.Pointer("expert_out", dt)
	weights := k.Pointer("topk_weights", ir.F32)
	inverse := k.Pointer("inverse", ir.I32)
	out := k.Pointer("out", dt)
	T, K, Hd := k.Scalar("T", ir.I32), k.Scalar("K", ir.I32), k.Scalar("Hd", ir.I32)
	BLOCK_T, BLOCK_D := k.Constexpr("BLOCK_T"), k.Constexpr("BLOCK_D")

	t := k.Add(k.Mul(k.ProgramID(0), BLOCK_T), k.Arange(0, BLOCK_T))
	d := k.ExpandDims(k.Add(k.Mul(k.ProgramID(1), BLOCK_D), k.Arange(0, BLOCK_D)), 0)
	tmask := k.Lt(t, T)
	mask := k.And(k.ExpandDims(tmask, 1), k.Lt(d, Hd))
	acc := k.For(0, K, 1, []*ir.Value{k.Zeros(ir.F32, BLOCK_T, BLOCK_D)}, func(j *ir.Value, c []*ir.Value) []*ir.Value {
		slot := k.Add(k.Mul(t, K), j)
		inv := k.Load(k.Add(inverse, slot), tmask, 0)
		w := k.Load(k.Add(weights, slot), tmask, 0.0)
		rows := k.Load(k.Add(expertOut, k.Add(k.ExpandDims(k.Mul(inv, Hd), 1), d)), mask, 0.0)
		return []*ir.Value{k.Add(c[0], k.Mul(k.ExpandDims(w, 1), k.Cast(rows, ir.F32)))}
	})[0]
	k.Store(k.Add(out, k.Add(k.ExpandDims(k.Mul(t, Hd), 1), d)), k.Cast(acc, dt), mask)
	return k.Build()
}
