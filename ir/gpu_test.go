package ir

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A kernel at the GPU level with every GPU op: it parses, verifies and
// prints back to the same text.
const gpuKernel = `#blocked0 = blocked<spt [1, 8], tpw [16, 2], wpc [1, 1], order [1, 0]> [16, 16]
#trans0 = trans<[1, 0], #blocked0>
#dot0 = dot<B, warps [1, 1], num_warps 1> [16, 16]
#mma0 = mma<warps [1, 1], num_warps 1> [16, 16]
#slice0 = slice<1, #mma0>
#restrict0 = restrict<[16, 1], #mma0>
#drop0 = drop<1, #restrict0>
kernel @k(%a: ptr<f16> {div = 16}, %b: ptr<f16> {div = 16}, %n: i32 {div = 16}, %s: i64 {div = 1, one = 1}) config(num_stages = 2, num_warps = 1) gpu(sm = 80, shared = 1536) {
  %0 = constant {value = 0} : i32
  %1 = constant {value = 16} : i32
  %2 = constant {value = 1} : i32
  %3 = make_block_ptr %a, %1, %n, %2, %1, %0, %0 {order = [0, 1]} : bptr<f16>[16, 16]
  %4 = local_alloc {offset = 0} : smem<f16[2, 16, 16], swizzle<fast 0, per_phase 4, max_phase 2>>
  %5 = local_index %4, %0 : smem<f16[16, 16], swizzle<fast 0, per_phase 4, max_phase 2>>
  %6 = constant {value = 1} : i1
  async_copy_block %3, %5, %6 {boundary_check = [1], layout = #trans0}
  async_commit
  async_wait {pending = 0}
  barrier
  %7 = make_block_ptr %b, %1, %1, %1, %2, %0, %0 {order = [1, 0]} : bptr<f16>[16, 16]
  %8 = block_load %7 {boundary_check = [], padding = "zero", vec = 8} : f16[16, 16]#blocked0
  %9 = local_alloc {offset = 1024} : smem<f16[16, 16], swizzle<fast 1, per_phase 4, max_phase 2>>
  local_store %8, %9 {vec = 8}
  barrier
  %10 = ldmatrix %9 {operand = "B", warps = [1, 1]} : f16[16, 16]#dot0
  %11 = constant {value = 0.0} : f32[16, 16]#mma0
  %12 = constant {value = 1.0} : f16[16, 16]#mma0
  %13 = dot %12, %5, %11 : f32[16, 16]#mma0
  %14 = dot %12, %10, %13 : f32[16, 16]#mma0
  %15 = reduce %14 {axis = 1} : f32[16]#slice0 {
  ^(%16: f32, %17: f32):
    %18 = max %16, %17 : f32
    yield %18
  }
  %19 = convert_layout %15 : f32[16]#drop0
}
`

func TestGPULevelParsesAndPrintsBack(t *testing.T) {
	f, err := ParseFunc("k.gpu", gpuKernel)
	require.NoError(t, err)
	require.Equal(t, gpuKernel, f.String())
	require.NotNil(t, f.GPU)
	assert.Equal(t, 80, f.GPU.SM)
	assert.Equal(t, 1536, f.GPU.SharedBytes)
	assert.Equal(t, []Facts{{Div: 16}, {Div: 16}, {Div: 16}, {Div: 1, One: true}}, f.GPU.Facts)
	// Equal layouts are one pointer, so types compare with ==.
	var dots []*Op
	f.Walk(func(op *Op) {
		if op.Code == OpDot {
			dots = append(dots, op)
		}
	})
	require.Len(t, dots, 2)
	assert.Equal(t, dots[0].Results[0].Type, dots[1].Args[2].Type)
	// A clone is a copy at the GPU level too.
	assert.Equal(t, gpuKernel, f.Clone().String())
}

// The verifier knows layouts and shared memory: each edit below breaks one
// rule, and the error says which.
func TestVerifierRejectsAtTheGPULevel(t *testing.T) {
	for _, c := range []struct{ old, new, want string }{
		// An operand in a layout the op does not accept.
		{"%13 = dot %12, %5, %11", "%13 = dot %12, %8, %11", "operand 1 f16[16, 16]#<blocked"},
		{"%14 = dot %12, %10, %13 : f32[16, 16]#mma0", "%14 = dot %12, %10, %13 : f32[16, 16]#dot0", "accumulator"},
		{"%15 = reduce %14 {axis = 1} : f32[16]#slice0", "%15 = reduce %14 {axis = 1} : f32[16]#drop0", "is not in slice"},
		// A conversion that changes the tile.
		{"%19 = convert_layout %15 : f32[16]#drop0", "%19 = convert_layout %8 : f32[16]#drop0", "converts a tile to the same tile"},
		// Shared memory: a buffer reaching past the kernel's, two buffers on
		// the same bytes while both are live, a misaligned one.
		{"shared = 1536", "shared = 1200", "outside the kernel's 1200"},
		{"{offset = 1024}", "{offset = 512}", "overlap those of local_alloc"},
		{"{offset = 1024}", "{offset = 1032}", "not a multiple of 16"},
		{"{offset = 1024}", "", "has no shared-memory offset"},
		// The ops' own rules.
		{"local_store %8, %9 {vec = 8}", "local_store %8, %5 {vec = 8}", "runs of 8 registers along dim 0"},
		{"local_store %8, %9 {vec = 8}", "local_store %8, %9 {vec = 32}", "vec 32"},
		{"%10 = ldmatrix %9 {operand = \"B\"", "%10 = ldmatrix %9 {operand = \"A\"", "is not in dot<A"},
		{"async_wait {pending = 0}", "async_wait {pending = -1}", "pending is negative"},
		{"%5 = local_index %4, %0", "%5 = local_index %4, %s", "index is i64"},
		{"layout = #trans0}", "layout = #blocked0}", "16-byte runs along the fast dim"},
		{"{boundary_check = [], padding = \"zero\", vec = 8}", "{boundary_check = [], padding = \"zero\", vec = 16}", "vec 16"},
	} {
		require.Contains(t, gpuKernel, c.old)
		src := strings.Replace(gpuKernel, c.old, c.new, 1)
		_, err := ParseFunc("k.gpu", src)
		require.Errorf(t, err, "%s -> %s", c.old, c.new)
		assert.ErrorContains(t, err, c.want, "%s -> %s", c.old, c.new)
	}
}

// The two levels stay apart: no layouts, shared buffers or GPU ops in the
// tile IR, and nothing at the GPU level without a layout.
func TestLevelsStayApart(t *testing.T) {
	for src, want := range map[string]string{
		"kernel @k() {\n  barrier\n}":                                  "is a GPU-level op",
		"kernel @k(%p: ptr<f32>) {\n  %0 = load %p {vec = 1} : f32\n}": "attribute vec belongs to the GPU level",
		"#b0 = blocked<spt [1], tpw [32], wpc [1], order [0]> [32]\nkernel @k() {\n  %0 = constant {value = 1} : i32[32]#b0\n}": "no gpu(...) clause",
		"kernel @k(%p: ptr<f32> {div = 16}) {\n}":                                                                                                                            "launch facts",
		"kernel @k() gpu(sm = 80) {\n  %0 = constant {value = 1} : i32[32]\n}":                                                                                               "has no layout",
		"kernel @k() gpu(sm = 60) {\n}":                                                                                                                                      "sm = 70 or more",
		"kernel @k() gpu(sm = 80) {\n  %0 = constant {value = 1} : i32[32]#nope\n}":                                                                                          "layout #nope is not defined",
		"#a = slice<1, #b>\nkernel @k() gpu(sm = 80) {\n}":                                                                                                                   "#b is not defined before",
		"#a = mma<warps [1, 1], num_warps 1> [16, 8]\n#a = mma<warps [1, 1], num_warps 1> [16, 8]\nkernel @k() gpu(sm = 80) {\n}":                                            "defined twice",
		"#a = mma<warps [1, 1], num_warps 1> [16, 8]\nkernel @k() config(num_warps = 1) gpu(sm = 80) {\n  %0 = constant {value = 1.0} : f32[16, 16]#a\n}":                    "the layout is for shape [16 8]",
		"#a = blocked<spt [1], tpw [32], wpc [1], order [0]> [1048576]\nkernel @k() config(num_warps = 1) gpu(sm = 80) {\n  %0 = constant {value = 1.0} : f32[1048576]#a\n}": "registers per thread",
		"kernel @k() gpu(sm = 80) {\n  %0 = local_alloc : smem<f32[4096, 4096], dense>\n}":                                                                                   "larger than",
		"kernel @k(%p: ptr<f32> {div = 3}) gpu(sm = 80) {\n}":                                                                                                                "bad launch fact div = 3",
	} {
		_, err := Parse("x.gpu", src)
		require.Errorf(t, err, src)
		assert.ErrorContains(t, err, want, src)
	}
}

// Liveness of shared memory: a buffer lives until the last op of its
// block that uses it (a loop using it keeps it to the loop's end), through
// its slots (local_index); scratch lives during its op.
func TestSharedUses(t *testing.T) {
	f, err := ParseFunc("k.gpu", gpuKernel)
	require.NoError(t, err)
	us := SharedUses(f)
	require.Len(t, us, 2)
	ring, b := us[0], us[1]
	assert.Equal(t, 2*16*16*2, ring.Bytes)
	assert.Equal(t, 16*16*2, b.Bytes)
	assert.Less(t, ring.Start, b.Start)
	assert.Greater(t, ring.End, b.Start, "the ring is read by the first dot, after the second buffer is allocated")
	assert.True(t, ring.Overlaps(0, b, 0))
	assert.False(t, ring.Overlaps(0, b, 1024))
}
