package gpu_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/gpu"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// attn is a small attention-like kernel: Q loaded once, K tiles in a loop
// feeding a dot, the result stored; every pass has work to do on it.
const attn = `
kernel @attn(%q: ptr<f16>, %k: ptr<f16>, %o: ptr<f32>, %n: i32) config(num_stages = 2, num_warps = 1) {
  %0 = constant {value = 0} : i32
  %1 = constant {value = 16} : i32
  %2 = constant {value = 1} : i32
  %3 = make_block_ptr %q, %1, %1, %1, %2, %0, %0 {order = [1, 0]} : bptr<f16>[16, 16]
  %4 = block_load %3 {boundary_check = [], padding = "zero"} : f16[16, 16]
  %5 = make_block_ptr %k, %1, %n, %2, %1, %0, %0 {order = [0, 1]} : bptr<f16>[16, 16]
  %6 = constant {value = 0.0} : f32[16, 16]
  %7, %8 = for %0, %n, %1, %6, %5 : f32[16, 16], bptr<f16>[16, 16] {
  ^(%9: i32, %10: f32[16, 16], %11: bptr<f16>[16, 16]):
    %12 = block_load %11 {boundary_check = [1], padding = "zero"} : f16[16, 16]
    %13 = dot %4, %12, %10 : f32[16, 16]
    %14 = advance %11, %0, %1 : bptr<f16>[16, 16]
    yield %13, %14
  }
  %15 = make_block_ptr %o, %1, %1, %1, %2, %0, %0 {order = [1, 0]} : bptr<f32>[16, 16]
  block_store %15, %7 {boundary_check = []}
}
`

// lowerUntil runs the passes before the named one on attn.
func lowerUntil(t *testing.T, pass string) *ir.Func {
	t.Helper()
	f, err := ir.ParseFunc("attn.tir", attn)
	require.NoError(t, err)
	f.GPU = &ir.GPUInfo{SM: 80, Facts: []ir.Facts{{Div: 16}, {Div: 16}, {Div: 16}, {Div: 16}}}
	for _, p := range gpu.Passes {
		if p.Name == pass {
			return f
		}
		require.NoError(t, gpu.RunPass(f, p, true))
	}
	t.Fatalf("no pass %s", pass)
	return nil
}

// find returns the first op of kind code.
func find(f *ir.Func, code ir.Opcode) *ir.Op {
	var found *ir.Op
	f.Walk(func(op *ir.Op) {
		if found == nil && op.Code == code {
			found = op
		}
	})
	return found
}

// A pass whose output is broken on purpose is caught by the verifier that
// runs after it, which names the pass and the op.
func TestVerifierCatchesBrokenPasses(t *testing.T) {
	for _, c := range []struct {
		pass  string
		plant func(t *testing.T, f *ir.Func)
		want  string
	}{
		{"layouts", func(t *testing.T, f *ir.Func) {
			// The dot's result in a layout other than its accumulator's.
			op := find(f, ir.OpDot)
			op.Results[0].Type = op.Results[0].Type.WithLayout(f.Intern(layout.DefaultBlocked([]int{16, 16}, 1, 4)))
		}, "dot: accumulator"},
		{"remat", func(t *testing.T, f *ir.Func) {
			// A tile without a layout.
			op := find(f, ir.OpConstant)
			for op != nil && !op.Results[0].Type.IsTile() {
				op = nil
				f.Walk(func(o *ir.Op) {
					if op == nil && o.Code == ir.OpConstant && o.Results[0].Type.IsTile() {
						op = o
					}
				})
			}
			op.Results[0].Type = op.Results[0].Type.Tiled()
		}, "has no layout"},
		{"vectorize", func(t *testing.T, f *ir.Func) {
			// Wider than a thread's run of registers.
			find(f, ir.OpBlockStore).Attrs["vec"] = 8
		}, "vec 8"},
		{"pipeline", func(t *testing.T, f *ir.Func) {
			// A copy into a buffer that is not swizzled.
			find(f, ir.OpLocalAlloc).Results[0].Type.Shared = layout.Shared{}
		}, "local_index: result 0"},
		{"exchange", func(t *testing.T, f *ir.Func) {
			// A conversion left through a non-existent shared buffer: a
			// local_load of a swizzled buffer.
			op := find(f, ir.OpLocalLoad)
			op.Args[0] = find(f, ir.OpLocalAlloc).Results[0]
		}, "local_load"},
		{"alloc", func(t *testing.T, f *ir.Func) {
			// Two buffers live at once on the same bytes.
			var allocs []*ir.Op
			f.Walk(func(op *ir.Op) {
				if op.Code == ir.OpLocalAlloc {
					allocs = append(allocs, op)
				}
			})
			require.GreaterOrEqual(t, len(allocs), 2)
			allocs[1].Attrs["offset"] = allocs[0].Int("offset")
		}, "overlap"},
		{"alloc", func(t *testing.T, f *ir.Func) {
			f.GPU.SharedBytes = 64 // smaller than the buffers
		}, "outside the kernel's 64"},
	} {
		t.Run(c.pass, func(t *testing.T) {
			f := lowerUntil(t, c.pass)
			p, _ := gpu.Lookup(c.pass)
			broken := gpu.Pass{Name: p.Name, Run: func(f *ir.Func) error {
				if err := p.Run(f); err != nil {
					return err
				}
				c.plant(t, f)
				return nil
			}}
			err := gpu.RunPass(f, broken, true)
			require.Error(t, err)
			require.ErrorContains(t, err, "after pass "+c.pass)
			require.ErrorContains(t, err, c.want)
		})
	}
}

// A panic in a pass is an internal compiler error that names the pass and
// keeps the stack.
func TestPanicInPassKeepsStack(t *testing.T) {
	f := lowerUntil(t, "remat")
	err := gpu.RunPass(f, gpu.Pass{Name: "remat", Run: func(f *ir.Func) error {
		_ = f.Params[len(f.Params)] // a bug: out of range
		return nil
	}}, true)
	var ie *ir.InternalError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "remat", ie.Stage)
	require.Contains(t, ie.Stack, "verify_test.go")
	require.ErrorContains(t, err, "internal compiler error in pass remat")
}

// Lower checks what it is given.
func TestLowerRejects(t *testing.T) {
	f, err := ir.ParseFunc("attn.tir", attn)
	require.NoError(t, err)
	_, err = gpu.Lower(f, gpu.Options{DumpAfter: "nosuch"})
	require.ErrorContains(t, err, `no pass "nosuch"`)
	g, err := gpu.Lower(f, gpu.Options{Verify: true})
	require.NoError(t, err)
	_, err = gpu.Lower(g, gpu.Options{})
	require.ErrorContains(t, err, "at the GPU level already")
	require.Nil(t, f.GPU, "Lower does not change its input")
}
