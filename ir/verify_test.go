package ir

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Malformed programs in the text form: each must be rejected with a message
// that names the op, the problem and the line.
var malformed = []struct {
	name, src, want string
}{
	{"operand types differ", `kernel @k(%a: f32, %b: f16) {
  %0 = add %a, %b : f32
}`, "x.tir:2: add: operand types differ: f32 and f16"},
	{"shape mismatch", `kernel @k() {
  %0 = arange {start = 0, end = 64} : i32[64]
  %1 = arange {start = 0, end = 32} : i32[32]
  %2 = add %0, %1 : i32[64]
}`, "x.tir:4: add: operand types differ: i32[64] and i32[32]"},
	{"wrong result type", `kernel @k(%a: f32) {
  %0 = exp %a : f16
}`, "x.tir:2: exp: result 0 is f16, want f32"},
	{"float op on ints", `kernel @k(%a: i32) {
  %0 = exp %a : i32
}`, "exp: operand is i32, want a float"},
	{"bit op on floats", `kernel @k(%a: f32) {
  %0 = xor %a, %a : f32
}`, "xor: operand is f32, want an integer"},
	{"dot inner dims", `kernel @k() {
  %0 = constant {value = 0.0} : f16[64, 32]
  %1 = constant {value = 0.0} : f16[64, 64]
  %2 = constant {value = 0.0} : f32[64, 64]
  %3 = dot %0, %1, %2 : f32[64, 64]
}`, "x.tir:5: dot: inner dimensions differ: a is f16[64, 32], b is f16[64, 64]"},
	{"dot too small", `kernel @k() {
  %0 = constant {value = 0.0} : f16[8, 16]
  %1 = constant {value = 0.0} : f16[16, 16]
  %2 = constant {value = 0.0} : f32[8, 16]
  %3 = dot %0, %1, %2 : f32[8, 16]
}`, "dot: dimensions must be at least 16"},
	{"dot dtypes", `kernel @k() {
  %0 = constant {value = 0.0} : f16[16, 16]
  %1 = constant {value = 0.0} : bf16[16, 16]
  %2 = constant {value = 0.0} : f32[16, 16]
  %3 = dot %0, %1, %2 : f32[16, 16]
}`, "dot: operand dtypes differ: f16 and bf16"},
	{"dot accumulator", `kernel @k() {
  %0 = constant {value = 0.0} : f16[16, 16]
  %2 = constant {value = 0.0} : f16[16, 16]
  %3 = dot %0, %0, %2 : f32[16, 16]
}`, "dot: accumulator is f16[16, 16], want f32[16, 16]"},
	{"missing constexpr", `kernel @k() constexpr(BLOCK) {
  %0 = arange {start = 0, end = BLOCKS} : i32[BLOCKS]
}`, "BLOCKS is not a declared constexpr (missing constexpr)"},
	{"unbound constexpr value", `kernel @k() {
  %0 = constexpr {name = "BLOCK"} : i32
}`, "x.tir:2: constexpr: BLOCK is not a declared constexpr (missing constexpr)"},
	{"non power of two", `kernel @k() {
  %0 = arange {start = 0, end = 100} : i32[100]
}`, "arange: type i32[100] has dimension 100, which is not a power of two"},
	{"load of non-pointer", `kernel @k(%a: i32) {
  %0 = load %a : i32
}`, "x.tir:2: load: operand i32 is not a pointer"},
	{"mask shape", `kernel @k(%p: ptr<f32>) {
  %0 = arange {start = 0, end = 16} : i32[16]
  %1 = splat %p : ptr<f32>[16]
  %2 = addptr %1, %0 : ptr<f32>[16]
  %3 = constant {value = 1} : i1[32]
  %4 = load %2, mask %3 : f32[16]
}`, "load: mask is i1[32], want i1[16]"},
	{"store value type", `kernel @k(%p: ptr<f32>, %v: f16) {
  store %p, %v
}`, "x.tir:2: store: value is f16, want f32"},
	{"use before definition", `kernel @k() {
  %0 = add %1, %1 : i32
  %1 = constant {value = 1} : i32
}`, "undefined value %1"},
	{"value from a sibling region", `kernel @k(%c: i1) {
  %0 = if %c : i32 {
    %1 = constant {value = 1} : i32
    yield %1
  } {
    yield %1
  }
}`, "x.tir:6: yield: operand 0 (i32) is not defined before this use or not visible here"},
	{"for yields wrong type", `kernel @k() {
  %0 = constant {value = 0} : i32
  %1 = constant {value = 4} : i32
  %2 = constant {value = 1} : i32
  %3 = constant {value = 0.0} : f32
  %4 = for %0, %1, %2, %3 : f32 {
  ^(%5: i32, %6: f32):
    yield %5
  }
}`, "x.tir:6: for: loop body yields i32 as value 0, want f32"},
	{"for bound types", `kernel @k(%n: i64) {
  %0 = constant {value = 0} : i32
  %2 = constant {value = 1} : i32
  for %0, %n, %2 {
  ^(%5: i32):
    yield
  }
}`, "for: bounds and step must share one type: i32 and i64"},
	{"if without else value", `kernel @k(%c: i1) {
  %0 = if %c : i32 {
    %1 = constant {value = 1} : i32
    yield %1
  } {
    yield
  }
}`, "if: else region yields 0 values, want 1"},
	{"if condition type", `kernel @k(%c: i32) {
  if %c {
    yield
  } {
    yield
  }
}`, "if: condition is i32, want i1"},
	{"reduce axis", `kernel @k() {
  %0 = constant {value = 0.0} : f32[16]
  %1 = reduce %0 {axis = 1} : f32 {
  ^(%2: f32, %3: f32):
    %4 = add %2, %3 : f32
    yield %4
  }
}`, "reduce: axis 1 is outside 0..0"},
	{"reduce combine with a load", `kernel @k(%p: ptr<f32>) {
  %0 = constant {value = 0.0} : f32[16]
  %1 = reduce %0 {axis = 0} : f32 {
  ^(%2: f32, %3: f32):
    %4 = load %p : f32
    yield %4
  }
}`, "reduce: combine region may only hold elementwise ops and constants, not load"},
	{"terminator in the middle", `kernel @k() {
  %0 = constant {value = 0} : i32
  %1 = constant {value = 4} : i32
  for %0, %1, %1 {
  ^(%5: i32):
    yield
    %6 = constant {value = 1} : i32
  }
}`, "yield: terminator is not the last op of its region"},
	{"broadcast non-1 dim", `kernel @k() {
  %0 = constant {value = 0} : i32[4, 8]
  %1 = broadcast %0 : i32[4, 16]
}`, "broadcast: cannot broadcast i32[4, 8] to i32[4, 16]: dim 1 is 8, not 1"},
	{"reshape element count", `kernel @k() {
  %0 = constant {value = 0} : i32[4, 8]
  %1 = reshape %0 : i32[16]
}`, "reshape: element counts differ: i32[4, 8] has 32, i32[16] has 16"},
	{"trans perm", `kernel @k() {
  %0 = constant {value = 0} : i32[4, 8]
  %1 = trans %0 {perm = [0, 0]} : i32[4, 4]
}`, "trans: perm [0 0] is not a permutation"},
	{"missing attribute", `kernel @k() {
  %0 = program_id : i32
}`, "program_id: attribute axis is missing"},
	{"bad axis", `kernel @k() {
  %0 = program_id {axis = 3} : i32
}`, "program_id: axis 3 is not 0, 1 or 2"},
	{"enum attribute", `kernel @k(%a: i32) {
  %0 = cmp %a, %a {pred = "lesser"} : i1
}`, `cmp: attribute pred = "lesser" is not one of eq, ne`},
	{"unsigned compare of floats", `kernel @k(%a: f32) {
  %0 = cmp %a, %a {pred = "ult"} : i1
}`, "cmp: predicate ult compares integers as unsigned; the operands are f32"},
	{"atomic on i8", `kernel @k(%p: ptr<i8>, %v: i8) {
  %0 = atomic_rmw %p, %v {kind = "add"} : i8
}`, "atomic_rmw: atomics need 32- or 64-bit elements, not i8"},
	{"block pointer operand count", `kernel @k(%p: ptr<f16>, %n: i32) {
  %0 = make_block_ptr %p, %n, %n {order = [1, 0]} : bptr<f16>[16, 16]
}`, "make_block_ptr: has 3 operands, want base + 2 shape + 2 strides + 2 offsets"},
	{"tile parameter", `kernel @k(%p: f32[16]) {
}`, "parameter p has type f32[16]; parameters are scalars and pointers"},
	{"bitcast widths", `kernel @k(%a: f32) {
  %0 = bitcast %a : f16
}`, "bitcast: needs dtypes of one width: f32 is 32 bits, f16 is 16"},
	{"unknown op", `kernel @k() {
  %0 = frobnicate : i32
}`, `x.tir:2: unknown op "frobnicate"`},
}

func TestVerifierRejectsMalformedPrograms(t *testing.T) {
	require.GreaterOrEqual(t, len(malformed), 20)
	for _, c := range malformed {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.tir", c.src)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// The DSL reports mistakes at the Go line of the call that made them.
func TestBuilderErrorsNameGoPosition(t *testing.T) {
	k := NewKernel("bad")
	x := k.Pointer("x", F16)
	offs := k.Arange(0, 64)
	v := k.Load(k.Add(x, offs), nil, nil)
	k.Dot(v, v, nil) // line under test: rank-1 operands
	_, err := k.Build()
	require.Error(t, err)
	assert.Regexp(t, `ir/verify_test.go:\d+: dot: operands must be rank-2 tiles, not f16\[64\] and f16\[64\]`, err.Error())

	k = NewKernel("bad2")
	a := k.Zeros(F32, 16, 16)
	b := k.Zeros(F16, 16, 16)
	k.Add(a, b)
	_, err = k.Build()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "add: operand types differ: f32[16, 16] and f16[16, 16]")

	k = NewKernel("bad3")
	k.Add(k.Zeros(F32, 16, 8), k.Zeros(F32, 16, 4))
	_, err = k.Build()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "add: shapes [16, 8] and [16, 4] do not broadcast")

	k = NewKernel("bad4")
	M := k.Constexpr("M")
	k.Constexpr("M")
	k.Arange(0, M)
	_, err = k.Build()
	require.ErrorContains(t, err, "constexpr: M is declared twice")
}

func TestVerifierErrorsAreBounded(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("kernel @k(%a: f32, %b: f16) {\n")
	for i := 0; i < 50; i++ {
		sb.WriteString("  add %a, %b\n")
	}
	sb.WriteString("}\n")
	_, err := Parse("x.tir", sb.String())
	require.Error(t, err)
	assert.LessOrEqual(t, strings.Count(err.Error(), "\n"), maxErrors+1)
	assert.Contains(t, err.Error(), "too many errors")
}

func TestDocDescribesParameters(t *testing.T) {
	k := NewKernel("docs")
	n := k.Scalar("n", I32)
	k.Doc(n, "elements")
	f, err := k.Build()
	require.NoError(t, err)
	assert.Equal(t, "elements", f.Docs["n"])
	g, err := Specialize(f, nil)
	require.NoError(t, err)
	assert.Equal(t, "elements", g.Docs["n"], "specialized kernels keep the docs")

	k = NewKernel("bad")
	k.Doc(k.Const(1, I32), "not a parameter")
	_, err = k.Build()
	require.ErrorContains(t, err, "not a parameter")
}
