// Package moe is mixture-of-experts token dispatch written in tilec's DSL:
// from router logits [T, E] it picks each token's top-k experts (with their
// softmax weights, optionally renormalized over the k), counts tokens per
// expert, pads each expert's segment to a multiple of a block size (for a
// grouped GEMM), and permutes the hidden rows [T, Hd] into expert order.
// The permutation is stable: inside an expert, rows keep the order of
// (token, slot), so the result equals a stable sort and is deterministic.
// Combine, the reverse step, is its own kernel.
//
// Dispatch is four launches:
//
//	route     per block of BLOCK_T tokens: softmax, top-k, and the block's
//	          per-expert histogram (no atomics: deterministic)
//	scan      per group of experts: their counts, and each block's first
//	          slot among an expert's slots (a scan over blocks, BLOCK_B
//	          blocks of the histogram at a time; the groups run in parallel)
//	offsets   one program: the padded offsets (a scan over experts)
//	dispatch  per token block: each (token, slot)'s rank among the block's
//	          earlier slots of its expert gives its destination (sorted_ids
//	          and the inverse permutation), and the token's hidden row is
//	          copied there, 16 bytes at a time: the rows are read once
//	          and written once per slot. E more programs fill the padding
//	          of each expert's segment (sentinel ids, zero rows).
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
	k.Doc(logits, "router logits [T, E]")
	k.Doc(ids, "written: each token's top-K experts [T, K], best first")
	k.Doc(weights, "written: their softmax weights [T, K]")
	k.Doc(hist, "written: per block of BLOCK_T tokens, the slots per expert [cdiv(T, BLOCK_T), E] (scratch for moe_offsets)")
	k.Doc(K, "experts per token")
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

// ScanIR builds the scan over blocks, BLOCK_E experts per program. Grid:
// cdiv(E, BLOCK_E). Each program walks the histogram's rows BLOCK_B at a
// time for its experts: their totals, and each block's first slot among
// an expert's slots.
func ScanIR() (*ir.Func, error) {
	k := ir.NewKernel("moe_scan")
	hist := k.Pointer("hist", ir.I32)
	blockoff := k.Pointer("blockoff", ir.I32)
	counts := k.Pointer("counts", ir.I32)
	NB, E := k.Scalar("NB", ir.I32), k.Scalar("E", ir.I32)
	k.Doc(hist, "moe_route's per-block histogram [NB, E]")
	k.Doc(blockoff, "written: each block's first slot per expert, counted from the expert's first row [NB, E] (scratch for moe_dispatch)")
	k.Doc(counts, "written: slots per expert [E]")
	k.Doc(NB, "token blocks: cdiv(T, BLOCK_T) of moe_route")
	BLOCK_E, BLOCK_B := k.Constexpr("BLOCK_E"), k.Constexpr("BLOCK_B")

	e := k.Add(k.Mul(k.ProgramID(0), BLOCK_E), k.Arange(0, BLOCK_E))
	emask := k.Lt(e, E)
	total := k.For(0, NB, BLOCK_B, []*ir.Value{k.Zeros(ir.I32, BLOCK_E)}, func(b0 *ir.Value, c []*ir.Value) []*ir.Value {
		rows := k.ExpandDims(k.Add(b0, k.Arange(0, BLOCK_B)), 1)
		at := k.Add(k.Mul(rows, E), k.ExpandDims(e, 0))
		m := k.And(k.Lt(rows, NB), k.ExpandDims(emask, 0))
		h := k.Load(k.Add(hist, at), m, 0)
		before := k.Sub(k.Cumsum(h, 0), h)
		k.Store(k.Add(blockoff, at), k.Add(k.ExpandDims(c[0], 0), before), m)
		return []*ir.Value{k.Add(c[0], k.Sum(h, 0))}
	})[0]
	k.Store(k.Add(counts, e), total, emask)
	return k.Build()
}

// OffsetsIR builds the scan over experts: each expert's first row, its
// segment padded. Grid: 1 (E ≤ 512 values).
func OffsetsIR() (*ir.Func, error) {
	k := ir.NewKernel("moe_offsets")
	counts := k.Pointer("counts", ir.I32)
	offsets := k.Pointer("offsets", ir.I32)
	E, PAD := k.Scalar("E", ir.I32), k.Scalar("PAD", ir.I32)
	k.Doc(counts, "slots per expert [E] (moe_scan)")
	k.Doc(offsets, "written: each expert's first row in the permuted buffer, padded [E+1]")
	k.Doc(PAD, "each expert's rows are padded to a multiple of PAD (a grouped GEMM's block)")
	BLOCK_E := k.Constexpr("BLOCK_E")

	e := k.Arange(0, BLOCK_E)
	emask := k.Lt(e, E)
	total := k.Load(k.Add(counts, e), emask, 0)
	padded := k.Mul(k.CDiv(total, PAD), PAD)
	k.Store(offsets, 0, nil)
	k.Store(k.Add(offsets, k.Add(e, 1)), k.Cumsum(padded, 0), emask)
	return k.Build()
}

// DispatchIR builds the fused permute and row copy for hidden rows of
// dtype dt. Grid: cdiv(T, BLOCK_T) token blocks (the same blocks as
// route), then E programs for the experts' padding.
func DispatchIR(dt ir.DType) (*ir.Func, error) {
	k := ir.NewKernel("moe_dispatch")
	hidden := k.Pointer("hidden", dt)
	ids := k.Pointer("topk_ids", ir.I32)
	blockoff := k.Pointer("blockoff", ir.I32)
	offsets := k.Pointer("offsets", ir.I32)
	counts := k.Pointer("counts", ir.I32)
	sorted := k.Pointer("sorted_ids", ir.I32)
	inverse := k.Pointer("inverse", ir.I32)
	out := k.Pointer("permuted", dt)
	T, E, K, Hd := k.Scalar("T", ir.I32), k.Scalar("E", ir.I32), k.Scalar("K", ir.I32), k.Scalar("Hd", ir.I32)
	NB, R := k.Scalar("NB", ir.I32), k.Scalar("R", ir.I32)                                              // token blocks, rows of the permuted buffer
	BLOCK_T, BLOCK_K, BLOCK_S := k.Constexpr("BLOCK_T"), k.Constexpr("BLOCK_K"), k.Constexpr("BLOCK_S") // BLOCK_S = BLOCK_T*BLOCK_K
	BLOCK_D, BLOCK_R := k.Constexpr("BLOCK_D"), k.Constexpr("BLOCK_R")
	k.Doc(hidden, "hidden rows [T, Hd]")
	k.Doc(sorted, "written: the source slot (token·K + j) of each permuted row, T·K for padding [R]")
	k.Doc(inverse, "written: each slot's row in the permuted buffer [T, K], for combine")
	k.Doc(out, "written: the hidden rows in expert order, padding rows zero [R, Hd]")
	k.Doc(R, "rows of the permuted buffer: T·K + E·(PAD−1)")

	// copyRows copies hidden row src[i] to permuted row dst[i] for the
	// rows where store[i] holds; with src nil, it writes zero rows. The
	// rows run along the tile's fast dim: 16-byte accesses.
	copyRows := func(src, dst, store *ir.Value, rows ir.Meta) {
		dstRow := k.ExpandDims(k.Mul(dst, Hd), 1)
		k.For(0, Hd, BLOCK_D, nil, func(d0 *ir.Value, _ []*ir.Value) []*ir.Value {
			cols := k.ExpandDims(k.Add(d0, k.Arange(0, BLOCK_D)), 0)
			m := k.And(k.ExpandDims(store, 1), k.Lt(cols, Hd))
			data := k.Zeros(dt, rows, BLOCK_D)
			if src != nil {
				data = k.Load(k.Add(hidden, k.Add(k.ExpandDims(k.Mul(src, Hd), 1), cols)), m, 0.0)
			}
			k.Store(k.Add(out, k.Add(dstRow, cols)), data, m)
			return nil
		})
	}
	pid := k.ProgramID(0)
	k.If(k.Lt(pid, NB), func() []*ir.Value {
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
		first := k.Add(k.Load(k.Add(offsets, expert), vs, 0), k.Load(k.Add(blockoff, k.Add(k.Mul(pid, E), expert)), vs, 0))
		dest := k.Add(first, rank)
		k.Store(k.Add(sorted, dest), fs, vs)
		k.Store(k.Add(inverse, fs), dest, vs)
		copyRows(k.Div(fs, K), dest, vs, BLOCK_S)
		return nil
	}, func() []*ir.Value {
		// The padding rows of expert e, and a 1/E share of the rows after
		// the last segment: the sentinel T*K and zeros. (Together they are
		// E·(pad−1) rows, whatever the counts.)
		fill := func(start, end *ir.Value) {
			k.For(start, end, BLOCK_R, nil, func(r0 *ir.Value, _ []*ir.Value) []*ir.Value {
				r := k.Add(r0, k.Arange(0, BLOCK_R))
				in := k.Lt(r, end)
				k.Store(k.Add(sorted, r), k.Mul(T, K), in)
				copyRows(nil, r, in, BLOCK_R)
				return nil
			})
		}
		e := k.Sub(pid, NB)
		fill(k.Add(k.Load(k.Add(offsets, e), nil, nil), k.Load(k.Add(counts, e), nil, nil)), k.Load(k.Add(offsets, k.Add(e, 1)), nil, nil))
		last := k.Load(k.Add(offsets, E), nil, nil)
		share := k.CDiv(k.Sub(R, last), E)
		from := k.Add(last, k.Mul(e, share))
		fill(from, k.Minimum(k.Add(from, share), R))
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
