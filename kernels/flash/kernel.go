// Package flash is FlashAttention's forward pass written in tilec's DSL:
// O = softmax(scale * Q Kᵀ [+ causal mask]) V for Q, K, V, O of shape
// [batch, heads, seq, head_dim] with arbitrary strides, f16 or bf16,
// grouped-query attention (K and V may have fewer heads), sequence lengths
// that are not a multiple of the block, and the log-sum-exp of every score
// row written for a backward pass.
//
// The kernel follows Triton's fused-attention tutorial (06): _attn_fwd_inner
// is attnFwdInner, _attn_fwd is the body of FwdIR, and causal attention
// walks the blocks left of the diagonal without a mask, then the diagonal
// blocks with one (the tutorial's STAGE 1 and 2). Full attention walks the
// whole key blocks without a mask and then, when N is ragged, the last
// block with one (the tutorial masks every block there). Which stages a
// kernel has is chosen in Go when it is built, as Triton's constexpr STAGE
// is when it compiles.
package flash

import (
	"math"

	"github.com/tilec/tilec/ir"
)

// log2e converts exp to exp2: e^x = 2^(x log2 e).
const log2e = 1.44269504

// Masks of a stage of attnFwdInner.
const (
	noMask     = iota // every key of every block is valid and visible
	causalMask        // the diagonal blocks: keys after the query are hidden
	raggedMask        // the last block of a ragged N: keys past N_CTX are hidden
)

// attnFwdInner is the tutorial's _attn_fwd_inner: it walks the key blocks
// [lo, hi) of one stage, updating the running row maximum m_i, the row sum
// l_i and the accumulator acc (online softmax). Only the stages that need
// a mask pay for it.
func attnFwdInner(k *ir.Builder, acc, l_i, m_i, q, K_block_ptr, V_block_ptr *ir.Value,
	lo, hi, qk_scale, N_CTX *ir.Value, dt ir.DType,
	BLOCK_N ir.Meta, mask int, offs_m, offs_n *ir.Value) (*ir.Value, *ir.Value, *ir.Value) {
	K_block_ptr = k.Advance(K_block_ptr, 0, lo)
	V_block_ptr = k.Advance(V_block_ptr, lo, 0)
	// Without a mask every key row of the stage is below N_CTX: only the
	// head dim (padded up to HEAD_DIM) needs a bounds check, which saves
	// each 16-byte copy two compares per iteration.
	kCheck, vCheck := []int{0, 1}, []int{0, 1}
	if mask == noMask {
		kCheck, vCheck = []int{0}, []int{1}
	}
	// loop over k, v and update accumulator
	res := k.For(lo, hi, BLOCK_N, []*ir.Value{acc, l_i, m_i, K_block_ptr, V_block_ptr},
		func(start_n *ir.Value, c []*ir.Value) []*ir.Value {
			acc, l_i, m_i, K_block_ptr, V_block_ptr := c[0], c[1], c[2], c[3], c[4]
			// -- compute qk ----
			kt := k.LoadBlock(K_block_ptr, kCheck, "zero")
			qk := k.Dot(q, kt, nil)
			var m_ij *ir.Value
			if mask != noMask {
				var visible *ir.Value
				if mask == causalMask {
					visible = k.Ge(k.ExpandDims(offs_m, 1), k.ExpandDims(k.Add(start_n, offs_n), 0))
				} else {
					visible = k.ExpandDims(k.Lt(k.Add(start_n, offs_n), N_CTX), 0)
				}
				qk = k.Fma(qk, qk_scale, k.Where(visible, 0.0, -1.0e6))
				m_ij = k.Maximum(m_i, k.Max(qk, 1))
				qk = k.Sub(qk, k.ExpandDims(m_ij, 1))
			} else {
				m_ij = k.Maximum(m_i, k.Mul(k.Max(qk, 1), qk_scale))
				// qk·scale − m in one FMA before exp2 (Triton writes
				// qk * qk_scale - m_ij[:, None] and lets the compiler fuse).
				qk = k.Fma(qk, qk_scale, k.ExpandDims(k.Neg(m_ij), 1))
			}
			p := k.Exp2(qk)
			l_ij := k.Sum(p, 1)
			// -- update m_i and l_i
			alpha := k.Exp2(k.Sub(m_i, m_ij))
			l_i = k.Fma(l_i, alpha, l_ij)
			// -- update output accumulator --
			acc = k.Mul(acc, k.ExpandDims(alpha, 1))
			// update acc
			v := k.LoadBlock(V_block_ptr, vCheck, "zero")
			acc = k.Dot(k.Cast(p, dt), v, acc)
			// update m_i and l_i
			m_i = m_ij
			V_block_ptr = k.Advance(V_block_ptr, BLOCK_N, 0)
			K_block_ptr = k.Advance(K_block_ptr, 0, BLOCK_N)
			return []*ir.Value{acc, l_i, m_i, K_block_ptr, V_block_ptr}
		})
	return res[0], res[1], res[2]
}

// FwdIR builds the forward kernel for dtype dt, causal or not. Grid:
// (cdiv(N_CTX, BLOCK_M), Z*H). HEAD_DIM is the head dimension rounded up to
// a power of two; head_dim is the real one (the block pointers pad the rest
// with zeros).
func FwdIR(dt ir.DType, causal bool) (*ir.Func, error) {
	name := "attn_fwd"
	if causal {
		name = "attn_fwd_causal"
	}
	k := ir.NewKernel(name)
	Q, K, V := k.Pointer("Q", dt), k.Pointer("K", dt), k.Pointer("V", dt)
	sm_scale := k.Scalar("sm_scale", ir.F32)
	M := k.Pointer("M", ir.F32)
	Out := k.Pointer("Out", dt)
	stride_qz, stride_qh, stride_qm, stride_qk := k.Scalar("stride_qz", ir.I64), k.Scalar("stride_qh", ir.I64), k.Scalar("stride_qm", ir.I64), k.Scalar("stride_qk", ir.I64)
	stride_kz, stride_kh, stride_kn, stride_kk := k.Scalar("stride_kz", ir.I64), k.Scalar("stride_kh", ir.I64), k.Scalar("stride_kn", ir.I64), k.Scalar("stride_kk", ir.I64)
	stride_vz, stride_vh, stride_vk, stride_vn := k.Scalar("stride_vz", ir.I64), k.Scalar("stride_vh", ir.I64), k.Scalar("stride_vk", ir.I64), k.Scalar("stride_vn", ir.I64)
	stride_oz, stride_oh, stride_om, stride_on := k.Scalar("stride_oz", ir.I64), k.Scalar("stride_oh", ir.I64), k.Scalar("stride_om", ir.I64), k.Scalar("stride_on", ir.I64)
	Z := k.Scalar("Z", ir.I32) // batch: the grid's second axis is Z·H
	H := k.Scalar("H", ir.I32)
	GROUP := k.Scalar("GROUP", ir.I32) // query heads per key/value head (GQA)
	N_CTX := k.Scalar("N_CTX", ir.I32)
	head_dim := k.Scalar("head_dim", ir.I32)
	k.Doc(Q, "queries [Z, H, N_CTX, head_dim] (strides stride_qz … stride_qk)")
	k.Doc(K, "keys [Z, H/GROUP, N_CTX, head_dim]")
	k.Doc(V, "values, like K")
	k.Doc(sm_scale, "softmax scale, usually 1/sqrt(head_dim)")
	k.Doc(M, "written: each query row's log-sum-exp (natural log) [Z·H, N_CTX], for a backward pass")
	k.Doc(Out, "written: the attention output, like Q")
	k.Doc(Z, "batch")
	k.Doc(H, "query heads")
	k.Doc(GROUP, "query heads per key/value head (grouped-query attention; 1 for none)")
	k.Doc(N_CTX, "sequence length")
	k.Doc(head_dim, "head dimension")
	HEAD_DIM := k.Constexpr("HEAD_DIM")
	BLOCK_M := k.Constexpr("BLOCK_M")
	BLOCK_N := k.Constexpr("BLOCK_N")

	start_m := k.ProgramID(0)
	if causal {
		// The query blocks near the end see the most keys: launch them
		// first, so the last wave of CTAs holds the short ones (as FA2
		// does). Blocks are independent; only the order changes.
		start_m = k.Sub(k.Sub(k.NumPrograms(0), 1), start_m)
	}
	off_hz := k.ProgramID(1)
	off_z := k.Cast(k.Div(off_hz, H), ir.I64)
	off_h := k.Rem(off_hz, H)
	off_hkv := k.Cast(k.Div(off_h, GROUP), ir.I64)
	q_offset := k.Add(k.Mul(off_z, stride_qz), k.Mul(k.Cast(off_h, ir.I64), stride_qh))
	k_offset := k.Add(k.Mul(off_z, stride_kz), k.Mul(off_hkv, stride_kh))
	v_offset := k.Add(k.Mul(off_z, stride_vz), k.Mul(off_hkv, stride_vh))
	o_offset := k.Add(k.Mul(off_z, stride_oz), k.Mul(k.Cast(off_h, ir.I64), stride_oh))

	// block pointers
	Q_block_ptr := k.MakeBlockPtr(k.Add(Q, q_offset), []any{N_CTX, head_dim}, []any{stride_qm, stride_qk},
		[]any{k.Mul(start_m, BLOCK_M), 0}, []any{BLOCK_M, HEAD_DIM}, []int{1, 0})
	V_block_ptr := k.MakeBlockPtr(k.Add(V, v_offset), []any{N_CTX, head_dim}, []any{stride_vk, stride_vn},
		[]any{0, 0}, []any{BLOCK_N, HEAD_DIM}, []int{1, 0})
	K_block_ptr := k.MakeBlockPtr(k.Add(K, k_offset), []any{head_dim, N_CTX}, []any{stride_kk, stride_kn},
		[]any{0, 0}, []any{HEAD_DIM, BLOCK_N}, []int{0, 1})
	O_block_ptr := k.MakeBlockPtr(k.Add(Out, o_offset), []any{N_CTX, head_dim}, []any{stride_om, stride_on},
		[]any{k.Mul(start_m, BLOCK_M), 0}, []any{BLOCK_M, HEAD_DIM}, []int{1, 0})
	// initialize offsets
	offs_m := k.Add(k.Mul(start_m, BLOCK_M), k.Arange(0, BLOCK_M))
	offs_n := k.Arange(0, BLOCK_N)
	// initialize pointer to m and l
	m_i := k.Full(math.Inf(-1), ir.F32, BLOCK_M)
	l_i := k.Full(1.0, ir.F32, BLOCK_M)
	acc := k.Zeros(ir.F32, BLOCK_M, HEAD_DIM)
	// load scales
	qk_scale := k.Mul(sm_scale, log2e) // 1/log(2)
	// load q: it will stay in SRAM throughout
	q := k.LoadBlock(Q_block_ptr, []int{0, 1}, "zero")
	if causal {
		// stage 1: the blocks left of the diagonal, no mask; stage 2: the
		// diagonal blocks, causal mask; the blocks right of it are skipped.
		diag := k.Mul(start_m, BLOCK_M)
		acc, l_i, m_i = attnFwdInner(k, acc, l_i, m_i, q, K_block_ptr, V_block_ptr,
			k.Const(0, ir.I32), diag, qk_scale, N_CTX, dt, BLOCK_N, noMask, offs_m, offs_n)
		acc, l_i, m_i = attnFwdInner(k, acc, l_i, m_i, q, K_block_ptr, V_block_ptr,
			diag, k.Mul(k.Add(start_m, 1), BLOCK_M), qk_scale, N_CTX, dt, BLOCK_N, causalMask, offs_m, offs_n)
	} else {
		// the whole blocks without a mask, then the ragged last block (if
		// N_CTX is not a multiple of BLOCK_N) with one.
		whole := k.Mul(k.Div(N_CTX, BLOCK_N), BLOCK_N)
		acc, l_i, m_i = attnFwdInner(k, acc, l_i, m_i, q, K_block_ptr, V_block_ptr,
			k.Const(0, ir.I32), whole, qk_scale, N_CTX, dt, BLOCK_N, noMask, offs_m, offs_n)
		acc, l_i, m_i = attnFwdInner(k, acc, l_i, m_i, q, K_block_ptr, V_block_ptr,
			whole, N_CTX, qk_scale, N_CTX, dt, BLOCK_N, raggedMask, offs_m, offs_n)
	}
	// epilogue: the log-sum-exp in natural-log units, and O = acc / l
	m_i = k.Add(m_i, k.Log2(l_i))
	acc = k.Div(acc, k.ExpandDims(l_i, 1))
	m_ptrs := k.Add(M, k.Add(k.Mul(off_hz, N_CTX), offs_m))
	k.Store(m_ptrs, k.Mul(m_i, 1/log2e), k.Lt(offs_m, N_CTX))
	k.StoreBlock(O_block_ptr, k.Cast(acc, dt), []int{0, 1})
	return k.Build()
}
