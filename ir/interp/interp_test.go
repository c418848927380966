package interp

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/ir"
)

// Every opcode is run by a handler, by the elementwise path, or is a
// terminator: an op added to the table without semantics fails here.
func TestEveryOpHasSemantics(t *testing.T) {
	for c := ir.Opcode(1); c < ir.NumOpcodes; c++ {
		info := c.Info()
		ok := handlers[c] != nil || info.Elem != nil || info.Terminator
		assert.Truef(t, ok, "op %s has no interpreter semantics", info.Name)
		if handlers[c] != nil && info.Elem != nil {
			t.Errorf("op %s has both a handler and elementwise semantics", info.Name)
		}
	}
}

func build(t *testing.T, k *ir.Builder, cfg ir.Config) *ir.Func {
	t.Helper()
	f, err := k.Build()
	require.NoError(t, err)
	g, err := ir.Specialize(f, cfg)
	require.NoError(t, err)
	return g
}

func f32s(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func i32s(b []byte) []int32 {
	out := make([]int32, len(b)/4)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func TestOutOfBoundsLoadIsAnError(t *testing.T) {
	k := ir.NewKernel("oob")
	x := k.Pointer("x", ir.F32)
	ptrs := k.Add(x, k.Arange(0, 16))
	k.Store(ptrs, k.Load(ptrs, nil, nil), nil)
	f := build(t, k, nil)
	mem := NewMemory()
	a := mem.Alloc("x", 10*4)
	err := Run(f, [3]int{2, 1, 1}, []any{a}, mem, Options{})
	var fault *Fault
	require.ErrorAs(t, err, &fault)
	assert.Equal(t, "load", fault.Op)
	assert.Equal(t, [3]int{0, 0, 0}, fault.Program)
	assert.Contains(t, err.Error(), "interp_test.go:")
	assert.Contains(t, err.Error(), "lane 10: address")
	assert.Contains(t, err.Error(), "40 bytes into x, which has 40 bytes")
}

func TestMaskedLoadTouchesNoMemory(t *testing.T) {
	k := ir.NewKernel("masked")
	x := k.Pointer("x", ir.F32)
	out := k.Pointer("out", ir.F32)
	n := k.Scalar("n", ir.I32)
	offs := k.Add(k.Mul(k.ProgramID(0), 16), k.Arange(0, 16))
	v := k.Load(k.Add(x, k.Mul(offs, 1000)), k.Lt(offs, n), 7.0) // masked lanes point far outside x
	k.Store(k.Add(out, offs), v, nil)
	f := build(t, k, nil)
	mem := NewMemory()
	xa, oa := mem.Alloc("x", 4*4), mem.Alloc("out", 16*4)
	binary.LittleEndian.PutUint32(mem.Bytes(xa), math.Float32bits(3))
	require.NoError(t, Run(f, [3]int{1, 1, 1}, []any{xa, oa, 1}, mem, Options{}))
	got := f32s(mem.Bytes(oa))
	assert.Equal(t, float32(3), got[0])
	for _, v := range got[1:] {
		assert.Equal(t, float32(7), v)
	}
}

// Atomics apply in linear program order: each program's old value is the
// count of programs before it.
func TestAtomicOrder(t *testing.T) {
	k := ir.NewKernel("ticket")
	ctr := k.Pointer("ctr", ir.I32)
	out := k.Pointer("out", ir.I32)
	pid := k.Add(k.ProgramID(0), k.Mul(k.ProgramID(1), k.NumPrograms(0)))
	old := k.Atomic("add", ctr, 1, nil)
	k.Store(k.Add(out, pid), old, nil)
	f := build(t, k, nil)
	mem := NewMemory()
	c, o := mem.Alloc("ctr", 4), mem.Alloc("out", 12*4)
	require.NoError(t, Run(f, [3]int{4, 3, 1}, []any{c, o}, mem, Options{}))
	for i, v := range i32s(mem.Bytes(o)) {
		assert.Equal(t, int32(i), v)
	}
	assert.Equal(t, int32(12), i32s(mem.Bytes(c))[0])
}

// dot of f16 inputs: exact products, one f32 rounding of the sum.
func TestDotAccumulatesInF32(t *testing.T) {
	k := ir.NewKernel("dot")
	a := k.Pointer("a", ir.F16)
	out := k.Pointer("out", ir.F32)
	r := k.Arange(0, 16)
	idx := k.Add(k.Mul(k.ExpandDims(r, 1), 16), k.ExpandDims(r, 0))
	av := k.Load(k.Add(a, idx), nil, nil)
	k.Store(k.Add(out, idx), k.Dot(av, av, nil), nil)
	f := build(t, k, nil)
	mem := NewMemory()
	aa, oa := mem.Alloc("a", 256*2), mem.Alloc("out", 256*4)
	vals := make([]float64, 256)
	for i := range vals {
		vals[i] = ir.F16.Round(1 + float64(i)/1000) // products need more than f16 precision
		ir.F16.Encode(mem.Bytes(aa)[2*i:], vals[i])
	}
	require.NoError(t, Run(f, [3]int{1, 1, 1}, []any{aa, oa}, mem, Options{}))
	got := f32s(mem.Bytes(oa))
	for i := 0; i < 16; i++ {
		for j := 0; j < 16; j++ {
			s := 0.0
			for kk := 0; kk < 16; kk++ {
				s += vals[i*16+kk] * vals[kk*16+j]
			}
			require.Equal(t, float32(s), got[i*16+j])
		}
	}
}

// f16 arithmetic rounds every result: 2048 + 1 is 2048 in f16.
func TestHalfArithmeticRounds(t *testing.T) {
	k := ir.NewKernel("half")
	x := k.Pointer("x", ir.F16)
	v := k.Load(x, nil, nil)
	k.Store(x, k.Add(v, 1.0), nil)
	f := build(t, k, nil)
	mem := NewMemory()
	xa := mem.Alloc("x", 2)
	ir.F16.Encode(mem.Bytes(xa), 2048)
	require.NoError(t, Run(f, [3]int{1, 1, 1}, []any{xa}, mem, Options{}))
	assert.Equal(t, 2048.0, ir.F16.Decode(mem.Bytes(xa)))
}

func TestReduceScanArgmax(t *testing.T) {
	k := ir.NewKernel("red")
	x := k.Pointer("x", ir.F32)
	out := k.Pointer("out", ir.F32)
	idx := k.Pointer("idx", ir.I32)
	r := k.Arange(0, 8)
	c := k.Arange(0, 4)
	v := k.Load(k.Add(x, k.Add(k.Mul(k.ExpandDims(r, 1), 4), k.ExpandDims(c, 0))), nil, nil) // [8, 4]
	k.Store(k.Add(out, c), k.Sum(v, 0), nil)
	k.Store(k.Add(idx, r), k.Argmax(v, 1), nil)
	cs := k.Cumsum(v, 1)
	k.Store(k.Add(out, k.Add(4, k.Add(k.Mul(k.ExpandDims(r, 1), 4), k.ExpandDims(c, 0)))), cs, nil)
	f := build(t, k, nil)
	mem := NewMemory()
	xa, oa, ia := mem.Alloc("x", 32*4), mem.Alloc("out", 36*4), mem.Alloc("idx", 8*4)
	in := []float32{1, 5, 5, 2, 0, -1, -3, 0, 9, 8, 9, 9, 4, 4, 4, 4, 1, 2, 3, 4, 4, 3, 2, 1, -5, -5, -5, -6, 0, 0, 0, 1}
	for i, v := range in {
		binary.LittleEndian.PutUint32(mem.Bytes(xa)[4*i:], math.Float32bits(v))
	}
	require.NoError(t, Run(f, [3]int{1, 1, 1}, []any{xa, oa, ia}, mem, Options{}))
	got := f32s(mem.Bytes(oa))
	for col := 0; col < 4; col++ {
		s := float32(0)
		for row := 0; row < 8; row++ {
			s += in[row*4+col]
		}
		assert.Equal(t, s, got[col])
	}
	assert.Equal(t, []int32{1, 0, 0, 0, 3, 0, 0, 3}, i32s(mem.Bytes(ia)), "ties go to the lowest index")
	for row := 0; row < 8; row++ {
		s := float32(0)
		for col := 0; col < 4; col++ {
			s += in[row*4+col]
			assert.Equal(t, s, got[4+row*4+col])
		}
	}
}

func TestWhileIfAndPrint(t *testing.T) {
	k := ir.NewKernel("collatz")
	n := k.Scalar("n", ir.I32)
	out := k.Pointer("out", ir.I32)
	res := k.While([]*ir.Value{n, k.Const(0, ir.I32)}, func(a []*ir.Value) (*ir.Value, []*ir.Value) {
		return k.Ne(a[0], 1), a
	}, func(a []*ir.Value) []*ir.Value {
		even := k.Eq(k.Rem(a[0], 2), 0)
		next := k.If(even, func() []*ir.Value { return []*ir.Value{k.Div(a[0], 2)} },
			func() []*ir.Value { return []*ir.Value{k.Add(k.Mul(a[0], 3), 1)} })
		return []*ir.Value{next[0], k.Add(a[1], 1)}
	})
	k.Print("steps", res[1])
	k.Store(out, res[1], nil)
	f := build(t, k, nil)
	mem := NewMemory()
	oa := mem.Alloc("out", 4)
	var sb bytes.Buffer
	require.NoError(t, Run(f, [3]int{1, 1, 1}, []any{27, oa}, mem, Options{Stdout: &sb}))
	assert.Equal(t, int32(111), i32s(mem.Bytes(oa))[0])
	assert.Equal(t, "pid (0, 0, 0) steps 111\n", sb.String())

	err := Run(f, [3]int{1, 1, 1}, []any{oa}, mem, Options{})
	require.ErrorContains(t, err, "takes 2 arguments, got 1")
	err = Run(f, [3]int{1, 1, 1}, []any{2.5, oa}, mem, Options{})
	require.ErrorContains(t, err, "2.5 is not an integer")
	err = Run(f, [3]int{1, 1, 1}, []any{27, 7}, mem, Options{})
	require.ErrorContains(t, err, "pass a uint64 address")
}

func TestWhileThatNeverEnds(t *testing.T) {
	k := ir.NewKernel("forever")
	k.While([]*ir.Value{k.Const(0, ir.I32)}, func(a []*ir.Value) (*ir.Value, []*ir.Value) {
		return k.Const(true, ir.I1), a
	}, func(a []*ir.Value) []*ir.Value { return a })
	f, err := k.Build()
	require.NoError(t, err)
	err = Run(f, [3]int{1, 1, 1}, nil, NewMemory(), Options{MaxWhileIterations: 1000})
	require.ErrorContains(t, err, "ran 1000 iterations without stopping")
}

func TestAssert(t *testing.T) {
	k := ir.NewKernel("check")
	n := k.Scalar("n", ir.I32)
	k.Assert(k.Lt(k.Arange(0, 8), n), "index below n")
	f := build(t, k, nil)
	require.NoError(t, Run(f, [3]int{1, 1, 1}, []any{8}, NewMemory(), Options{}))
	err := Run(f, [3]int{1, 1, 1}, []any{5}, NewMemory(), Options{})
	require.ErrorContains(t, err, "assertion failed at lane 5: index below n")
}

// Block pointers: padding outside the checked dims, strides, advance.
func TestBlockPointer(t *testing.T) {
	k := ir.NewKernel("bp")
	x := k.Pointer("x", ir.F32)
	out := k.Pointer("out", ir.F32)
	rows, cols := k.Scalar("rows", ir.I32), k.Scalar("cols", ir.I32)
	bp := k.MakeBlockPtr(x, []any{rows, cols}, []any{cols, 1}, []any{0, 0}, []any{4, 4}, []int{1, 0})
	bp = k.Advance(bp, 1, 2)
	v := k.LoadBlock(bp, []int{0, 1}, "nan")
	ob := k.MakeBlockPtr(out, []any{4, 4}, []any{4, 1}, []any{0, 0}, []any{4, 4}, []int{1, 0})
	k.StoreBlock(ob, v, nil)
	f := build(t, k, nil)
	mem := NewMemory()
	xa, oa := mem.Alloc("x", 3*5*4), mem.Alloc("out", 16*4)
	for i := 0; i < 15; i++ {
		binary.LittleEndian.PutUint32(mem.Bytes(xa)[4*i:], math.Float32bits(float32(i)))
	}
	require.NoError(t, Run(f, [3]int{1, 1, 1}, []any{xa, oa, 3, 5}, mem, Options{}))
	got := f32s(mem.Bytes(oa))
	for r := 0; r < 4; r++ {
		for c := 0; c < 4; c++ {
			row, col := r+1, c+2
			if row < 3 && col < 5 {
				assert.Equal(t, float32(row*5+col), got[r*4+c])
			} else {
				assert.True(t, math.IsNaN(float64(got[r*4+c])))
			}
		}
	}
}

func TestSpecializeFirst(t *testing.T) {
	k := ir.NewKernel("generic")
	B := k.Constexpr("B")
	k.Arange(0, B)
	f, err := k.Build()
	require.NoError(t, err)
	err = Run(f, [3]int{1, 1, 1}, nil, NewMemory(), Options{})
	require.ErrorContains(t, err, "unbound constexprs B")
}
