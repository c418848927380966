package codegen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/gpu"
	"github.com/tilec/tilec/ir"
)

// From the DSL through package gpu's passes to LLVM IR: what the emitted
// code looks like for the patterns the passes are for.

func lower(t *testing.T, k *ir.Builder, cfg ir.Config, facts []ir.Facts) (*ir.Func, *Result) {
	t.Helper()
	f, err := k.Build()
	require.NoError(t, err)
	g, err := ir.Specialize(f, cfg)
	require.NoError(t, err)
	h, err := gpu.Lower(g, gpu.Options{SM: 80, Facts: facts, Verify: true})
	require.NoError(t, err)
	res, err := Emit(h)
	require.NoError(t, err)
	return h, res
}

// loopBody is the LLVM IR of the (first) loop's body.
func loopBody(t *testing.T, ll string) string {
	t.Helper()
	i := strings.Index(ll, "\nfor.body")
	require.GreaterOrEqual(t, i, 0)
	body := ll[i:]
	return body[:strings.Index(body, "\nfor.exit")]
}

// The accumulator of one mma is the next mma's A operand where it stands:
// FlashAttention's P·V needs no conversion of P.
func TestAccumulatorFeedsNextDotWithoutMovingData(t *testing.T) {
	k := ir.NewKernel("chain")
	q, kt, v, o := k.Pointer("q", ir.F16), k.Pointer("kt", ir.F16), k.Pointer("v", ir.F16), k.Pointer("o", ir.F32)
	idx := func(r, c int) *ir.Value {
		return k.Add(k.Mul(k.ExpandDims(k.Arange(0, r), 1), c), k.ExpandDims(k.Arange(0, c), 0))
	}
	s := k.Dot(k.Load(k.Add(q, idx(64, 64)), nil, nil), k.Load(k.Add(kt, idx(64, 32)), nil, nil), nil)
	pv := k.Dot(k.Cast(k.Exp2(s), ir.F16), k.Load(k.Add(v, idx(32, 64)), nil, nil), nil)
	k.Store(k.Add(o, idx(64, 64)), pv, nil)
	g, res := lower(t, k, ir.Config{ir.KeyNumWarps: 4}, nil)
	// The cast's result goes to the second dot as it is.
	var cast, dot *ir.Op
	g.Walk(func(op *ir.Op) {
		switch op.Code {
		case ir.OpCast:
			cast = op
		case ir.OpDot:
			dot = op
		}
	})
	require.NotNil(t, cast)
	assert.Same(t, cast.Results[0], dot.Args[0], "P needs no conversion:\n%s", g)
	// 4 warps along M: 64x32x64 is 4·4 m16n8k16 per warp, 64x64x32 is 8·2.
	assert.Equal(t, 32, strings.Count(res.LL(), "= call { float, float, float, float } @llvm.nvvm.mma.m16n8k16.row.col.f32.f32("))
}

// blockMatmul is C = A·B, [64, 256]·[256, 64], with block pointers and
// a loop over K; extra adds a use of the A tile that is not an mma operand.
func blockMatmul(extra bool) *ir.Builder {
	k := ir.NewKernel("bmm")
	a, b, c := k.Pointer("a", ir.F16), k.Pointer("b", ir.F16), k.Pointer("c", ir.F32)
	BM, BN := k.Constexpr("BM"), k.Constexpr("BN") // BN is also the K step
	ap := k.MakeBlockPtr(a, []any{64, 256}, []any{256, 1}, []any{0, 0}, []any{BM, BN}, []int{1, 0})
	bp := k.MakeBlockPtr(b, []any{256, 64}, []any{64, 1}, []any{0, 0}, []any{BN, BN}, []int{1, 0})
	acc := k.Zeros(ir.F32, BM, BN)
	res := k.For(0, 256, BN, []*ir.Value{acc, ap, bp}, func(_ *ir.Value, v []*ir.Value) []*ir.Value {
		at := k.LoadBlock(v[1], []int{0, 1}, "zero")
		acc := k.Dot(at, k.LoadBlock(v[2], []int{0, 1}, "zero"), v[0])
		if extra {
			acc = k.Add(acc, k.Cast(at, ir.F32))
		}
		return []*ir.Value{acc, k.Advance(v[1], 0, BN), k.Advance(v[2], BN, 0)}
	})
	cp := k.MakeBlockPtr(c, []any{64, 64}, []any{64, 1}, []any{0, 0}, []any{BM, BN}, []int{1, 0})
	k.StoreBlock(cp, res[0], []int{0, 1})
	return k
}

// Block loads in a loop that only feed mma operands are copied with
// cp.async, num_stages − 1 iterations ahead; others are not.
func TestPipelinedLoads(t *testing.T) {
	for _, tc := range []struct {
		stages int
		extra  bool
		copies int // tile copies in the LLVM IR
		wait   string
	}{
		{3, false, 2 * 3, "@llvm.nvvm.cp.async.wait.group(i32 1)"}, // two tiles, in two prologue stages and the body
		{2, false, 2 * 2, "@llvm.nvvm.cp.async.wait.group(i32 0)"},
		{1, false, 0, ""},
		{3, true, 3, "@llvm.nvvm.cp.async.wait.group(i32 1)"}, // only B's tile
	} {
		what := fmt.Sprintf("stages %d extra %v", tc.stages, tc.extra)
		cfg := ir.Config{"BM": 64, "BN": 64, ir.KeyNumWarps: 4, ir.KeyNumStages: tc.stages}
		aligned := []ir.Facts{{Div: 16}, {Div: 16}, {Div: 16}} // a, b, c
		_, res := lower(t, blockMatmul(tc.extra), cfg, aligned)
		ll := res.LL()
		// One 64×64 f16 tile is 512 chunks of 16 bytes, 4 per thread.
		assert.Equalf(t, 4*tc.copies, strings.Count(ll, `cp.async.cg.shared.global [$0], [$1], 16, $2;`), "%s: copies", what)
		if tc.wait != "" {
			assert.Truef(t, strings.Contains(ll, tc.wait), "%s: no %s", what, tc.wait)
			assert.Truef(t, strings.Contains(ll, "@llvm.nvvm.cp.async.wait.group(i32 0)"), "%s: no wait after the loop", what)
		}
		if tc.copies > 0 && !tc.extra {
			// The swizzle of the cp.async and ldmatrix addresses (an xor
			// per address) is computed once per thread, before the loop.
			body := loopBody(t, ll)
			require.Greater(t, strings.Count(body, "ldmatrix"), 0, what)
			assert.Falsef(t, strings.Contains(body, "xor i32"), "%s: swizzle computed in the loop", what)
		}
		slots := tc.copies / max(tc.stages, 1) * tc.stages * 64 * 64 * 2
		assert.GreaterOrEqualf(t, res.SharedBytes, slots, "%s: the slots are in the shared size", what)
	}
}

// A tile loaded before a pipelined loop and used only as an mma operand in
// it (attention's Q) stays in shared memory: one cp.async copy, and the
// loop reads its fragments by k-steps like the pipelined tile's.
func TestResidentOperand(t *testing.T) {
	k := ir.NewKernel("resident")
	a, b, c := k.Pointer("a", ir.F16), k.Pointer("b", ir.F16), k.Pointer("c", ir.F32)
	BN := k.Constexpr("BN")
	ap := k.MakeBlockPtr(a, []any{64, 64}, []any{64, 1}, []any{0, 0}, []any{64, 64}, []int{1, 0})
	bp := k.MakeBlockPtr(b, []any{256, 64}, []any{64, 1}, []any{0, 0}, []any{64, BN}, []int{1, 0})
	q := k.LoadBlock(ap, []int{0, 1}, "zero")
	res := k.For(0, 256, 64, []*ir.Value{k.Zeros(ir.F32, 64, BN), bp}, func(_ *ir.Value, v []*ir.Value) []*ir.Value {
		return []*ir.Value{k.Dot(q, k.LoadBlock(v[1], []int{0, 1}, "zero"), v[0]), k.Advance(v[1], 64, 0)}
	})
	cp := k.MakeBlockPtr(c, []any{64, 64}, []any{64, 1}, []any{0, 0}, []any{64, BN}, []int{1, 0})
	k.StoreBlock(cp, res[0], []int{0, 1})
	cfg := ir.Config{"BN": 64, ir.KeyNumWarps: 4, ir.KeyNumStages: 3}
	aligned := []ir.Facts{{Div: 16}, {Div: 16}, {Div: 16}}
	_, r := lower(t, k, cfg, aligned)
	ll := r.LL()
	// 64×64 f16 tiles are 4 chunks per thread: q once, then b in two
	// prologue stages and the body.
	assert.Equal(t, 4*4, strings.Count(ll, `cp.async.cg.shared.global [$0], [$1], 16, $2;`))
	body := loopBody(t, ll)
	// Four k-steps; in each, a warp (16 rows, 64 columns) reads q's
	// fragments with one ldmatrix.x4 and b's eight n-tiles with four.
	assert.Equal(t, 4, strings.Count(body, "ldmatrix.sync.aligned.m8n8.x4.shared.b16"))
	assert.Equal(t, 4*4, strings.Count(body, "ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16"))
	assert.GreaterOrEqual(t, r.SharedBytes, 64*64*2*(1+3), "q's tile and three stages of b's")
}
