package codegen

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/ir"
)

// Every opcode is lowered by a rule, by the scalar table (elementwise), or
// is a terminator: an op added without a lowering fails here.
func TestEveryOpIsLowered(t *testing.T) {
	for c := ir.Opcode(1); c < ir.NumOpcodes; c++ {
		info := c.Info()
		switch {
		case info.Terminator, c == ir.OpConstexpr: // specialization removes constexpr
		case info.Elem != nil:
			assert.NotNilf(t, scalarTable[c], "elementwise op %s has no scalar lowering", info.Name)
		default:
			assert.NotNilf(t, lowerTable[c], "op %s has no lowering rule", info.Name)
		}
	}
}

func parse(t *testing.T, src string) *ir.Func {
	t.Helper()
	f, err := ir.ParseFunc("test.gpu", src)
	require.NoError(t, err)
	return f
}

// A conversion through shared memory, as the exchange pass leaves it:
// barriers, a store of each thread's 16-byte runs, ldmatrix.
const exchanged = `
#blocked0 = blocked<spt [1, 8], tpw [16, 2], wpc [1, 1], order [1, 0]> [16, 16]
#dot0 = dot<B, warps [1, 1], num_warps 1> [16, 16]
#mma0 = mma<warps [1, 1], num_warps 1> [16, 16]
kernel @b(%b: ptr<f16> {div = 16}, %c: ptr<f32> {div = 16}) config(num_warps = 1) gpu(sm = 80, shared = 512) {
  %0 = constant {value = 0} : i32
  %1 = constant {value = 16} : i32
  %2 = constant {value = 1} : i32
  %3 = make_block_ptr %b, %1, %1, %1, %2, %0, %0 {order = [1, 0]} : bptr<f16>[16, 16]
  %4 = block_load %3 {boundary_check = [], padding = "zero", vec = 8} : f16[16, 16]#blocked0
  %5 = local_alloc {offset = 0} : smem<f16[16, 16], swizzle<fast 1, per_phase 4, max_phase 2>>
  barrier
  local_store %4, %5 {vec = 8}
  barrier
  %6 = ldmatrix %5 {operand = "B", warps = [1, 1]} : f16[16, 16]#dot0
  %7 = constant {value = 1.0} : f16[16, 16]#mma0
  %8 = constant {value = 0.0} : f32[16, 16]#mma0
  %9 = dot %7, %6, %8 : f32[16, 16]#mma0
  %10 = make_block_ptr %c, %1, %1, %1, %2, %0, %0 {order = [1, 0]} : bptr<f32>[16, 16]
  block_store %10, %9 {boundary_check = [], vec = 2}
}
`

// Each GPU-level op becomes what it says: one lowering per op.
func TestEmitIsOneLoweringPerOp(t *testing.T) {
	res, err := Emit(parse(t, exchanged))
	require.NoError(t, err)
	ll := res.LL()
	assert.Equal(t, 512, res.SharedBytes)
	assert.Equal(t, 32, res.Threads)
	assert.Equal(t, 2, strings.Count(ll, "call void @llvm.nvvm.barrier0()"), "the two barriers, nothing more")
	assert.Equal(t, 1, strings.Count(ll, "ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16"), "one ldmatrix.x4 (B, stored along n)")
	assert.Equal(t, 2, strings.Count(ll, "= call { float, float, float, float } @llvm.nvvm.mma.m16n8k16.row.col.f32.f32("), "two m16n8k16 for a 16x16 result")
	assert.Contains(t, ll, "store <4 x i32>", "16-byte stores into the swizzled tile")
}

func TestEmitErrors(t *testing.T) {
	f := parse(t, `kernel @k(%p: ptr<f32>) config(num_warps = 1) {
  %0 = load %p : f32
}`)
	_, err := Emit(f)
	require.ErrorContains(t, err, "not at the GPU level")

	// Not allocated yet.
	f = parse(t, strings.Replace(exchanged, ", shared = 512", "", 1))
	_, err = Emit(f)
	require.ErrorContains(t, err, "allocated")

	// A conversion that moves data is the exchange pass's to lower.
	f = parse(t, `
#blocked0 = blocked<spt [1, 8], tpw [16, 2], wpc [1, 1], order [1, 0]> [16, 16]
#blocked1 = blocked<spt [1, 8], tpw [16, 2], wpc [1, 1], order [0, 1]> [16, 16]
kernel @k(%p: ptr<f16> {div = 16}) config(num_warps = 1) gpu(sm = 80, shared = 0) {
  %0 = constant {value = 1.0} : f16[16, 16]#blocked0
  %1 = convert_layout %0 : f16[16, 16]#blocked1
}`)
	_, err = Emit(f)
	require.ErrorContains(t, err, "moves data between threads")

	f = parse(t, `kernel @k(%x: f32) config(num_warps = 1) gpu(sm = 80, shared = 0) {
  print %x {prefix = "x"}
}`)
	_, err = Emit(f)
	require.ErrorContains(t, err, "cannot lower print")

	f = parse(t, `kernel @k(%x: f32, %p: ptr<f32>) config(num_warps = 1) gpu(sm = 80, shared = 0) {
  %0 = rem %x, %x : f32
  store %p, %0
}`)
	_, err = Emit(f)
	require.ErrorContains(t, err, "does not lower rem on f32")
	assert.Contains(t, err.Error(), "test.gpu:2")
}

// A bug found while emitting an op is an internal compiler error naming
// the op, with its stack.
func TestEmitPanicIsInternalError(t *testing.T) {
	// A reduction across warps whose scratch area was not placed (the
	// verifier would say so; Emit trusts its input).
	f := parse(t, `
#blocked0 = blocked<spt [1, 1], tpw [1, 32], wpc [2, 1], order [1, 0]> [2, 32]
#slice0 = slice<0, #blocked0>
kernel @k(%p: ptr<f32> {div = 16}) config(num_warps = 2) gpu(sm = 80) {
  %0 = constant {value = 1.0} : f32[2, 32]#blocked0
  %1 = reduce %0 {axis = 0} : f32[32]#slice0 {
  ^(%2: f32, %3: f32):
    %4 = add %2, %3 : f32
    yield %4
  }
}`)
	f.GPU.Allocated = true
	_, err := Emit(f)
	var ie *ir.InternalError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "emit", ie.Stage)
	assert.Equal(t, "reduce", ie.Op)
	assert.Contains(t, ie.Stack, "codegen.lowerReduce")
	assert.Contains(t, err.Error(), "test.gpu:6: reduce: internal compiler error in LLVM emission")
}
