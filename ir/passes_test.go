package ir

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// count returns how many ops of f have the given code.
func count(f *Func, code Opcode) int {
	n := 0
	f.Walk(func(op *Op) {
		if op.Code == code {
			n++
		}
	})
	return n
}

// runVerified runs the pipeline with the verifier after every pass.
func runVerified(t *testing.T, f *Func) {
	t.Helper()
	require.NoError(t, Verify(f))
	require.NoError(t, RunPasses(f, PassOptions{Verify: true}))
}

func TestFoldConstantsWithTableSemantics(t *testing.T) {
	k := NewKernel("fold")
	out := k.Pointer("out", I32)
	a := k.Add(k.Const(7, I32), k.Const(5, I32)) // 12
	b := k.Shl(a, 2)                             // 48
	c := k.Div(k.Const(-7, I32), 2)              // -3: truncation toward zero
	k.Store(out, k.Add(b, c), nil)
	f, err := k.Build()
	require.NoError(t, err)
	runVerified(t, f)
	assert.Equal(t, 0, count(f, OpAdd)+count(f, OpShl)+count(f, OpDiv))
	require.Equal(t, 1, count(f, OpStore))
	st := f.Body.Ops[len(f.Body.Ops)-1]
	assert.Equal(t, Num{I: 45}, st.Args[1].Def.NumAttr("value"))
}

func TestFoldRoundsToTheResultType(t *testing.T) {
	k := NewKernel("fold16")
	out := k.Pointer("out", F16)
	k.Store(out, k.Add(k.Const(2048.0, F16), k.Const(1.0, F16)), nil) // 2049 is not an f16: ties to even, 2048
	f, err := k.Build()
	require.NoError(t, err)
	runVerified(t, f)
	st := f.Body.Ops[len(f.Body.Ops)-1]
	assert.Equal(t, 2048.0, st.Args[1].Def.NumAttr("value").F)
}

func TestFoldIfOnConstantAndIdentities(t *testing.T) {
	k := NewKernel("branches")
	x := k.Scalar("x", I32)
	out := k.Pointer("out", I32)
	r := k.If(k.Lt(k.Const(1, I32), 2), func() []*Value { return []*Value{k.Mul(x, 1)} }, func() []*Value { return []*Value{k.Neg(x)} })
	k.Store(out, k.Add(r[0], 0), nil)
	f, err := k.Build()
	require.NoError(t, err)
	runVerified(t, f)
	assert.Equal(t, 0, count(f, OpIf))
	assert.Equal(t, 0, count(f, OpNeg))
	st := f.Body.Ops[len(f.Body.Ops)-1]
	assert.Same(t, x, st.Args[1], "x*1+0 folds to x")
}

func TestCSEAndDCE(t *testing.T) {
	k := NewKernel("cse")
	p := k.Pointer("p", F32)
	n := k.Scalar("n", I32)
	a := k.Mul(n, 3)
	b := k.Mul(n, 3) // the same computation
	k.Exp(k.Cast(a, F32))
	k.Store(k.Add(p, k.Add(a, b)), 1.0, nil)
	l1 := k.Load(p, nil, nil)
	l2 := k.Load(p, nil, nil) // loads are never merged
	k.Store(p, k.Add(l1, l2), nil)
	f, err := k.Build()
	require.NoError(t, err)
	runVerified(t, f)
	assert.Equal(t, 1, count(f, OpMul))
	assert.Equal(t, 0, count(f, OpExp), "the unused exp is removed")
	assert.Equal(t, 2, count(f, OpLoad))
	assert.Equal(t, 2, count(f, OpStore))
}

func TestCSEDoesNotHoistOutOfRegions(t *testing.T) {
	k := NewKernel("scopes")
	n := k.Scalar("n", I32)
	out := k.Pointer("out", I32)
	r := k.For(0, n, 1, []*Value{k.Const(0, I32)}, func(i *Value, c []*Value) []*Value {
		return []*Value{k.Add(c[0], k.Mul(n, 2))} // n*2 inside the loop
	})
	k.Store(out, k.Add(r[0], k.Mul(n, 2)), nil) // and again after it: not the same value
	f, err := k.Build()
	require.NoError(t, err)
	runVerified(t, f)
	assert.Equal(t, 2, count(f, OpMul))
}

func TestDCEKeepsEffectsAndWhile(t *testing.T) {
	k := NewKernel("effects")
	p := k.Pointer("p", I32)
	k.For(0, 4, 1, nil, func(i *Value, _ []*Value) []*Value {
		k.Atomic("add", p, 1, nil) // result unused, effect kept
		return nil
	})
	k.For(0, 4, 1, nil, func(i *Value, _ []*Value) []*Value {
		k.Add(i, 1) // nothing observable: the loop goes
		return nil
	})
	f, err := k.Build()
	require.NoError(t, err)
	runVerified(t, f)
	assert.Equal(t, 1, count(f, OpFor))
	assert.Equal(t, 1, count(f, OpAtomicRMW))
}

func metaKernel(t *testing.T) *Func {
	t.Helper()
	k := NewKernel("meta")
	out := k.Pointer("out", F32)
	BLOCK := k.Constexpr("BLOCK")
	SCALE := k.Constexpr("SCALE")
	offs := k.Add(k.Mul(k.ProgramID(0), BLOCK), k.Arange(0, BLOCK))
	v := k.Mul(k.Cast(offs, F32), k.Cast(k.MetaValue(SCALE), F32))
	k.Store(k.Add(out, offs), v, nil)
	f, err := k.Build()
	require.NoError(t, err)
	return f
}

func TestSpecializeBindsEverything(t *testing.T) {
	f := metaKernel(t)
	assert.Contains(t, f.String(), "f32[BLOCK]")
	g, err := Specialize(f, Config{"BLOCK": 64, "SCALE": 3, KeyNumWarps: 2})
	require.NoError(t, err)
	require.NoError(t, Verify(g))
	assert.True(t, g.Specialized())
	assert.Equal(t, 2, g.NumWarps)
	assert.Equal(t, DefaultNumStages, g.NumStages)
	assert.Equal(t, 0, count(g, OpConstexpr))
	assert.NotContains(t, g.String(), "BLOCK]")
	assert.Contains(t, g.String(), "f32[64]")
	// The generic kernel is untouched.
	assert.Contains(t, f.String(), "constexpr(BLOCK, SCALE)")
}

func TestSpecializeErrors(t *testing.T) {
	f := metaKernel(t)
	_, err := Specialize(f, Config{"BLOCK": 64})
	require.ErrorContains(t, err, "missing constexpr SCALE")
	_, err = Specialize(f, Config{"BLOCK": 64, "SCALE": 1, "BLOKC": 2})
	require.ErrorContains(t, err, "unknown config key BLOKC")
	_, err = Specialize(f, Config{"BLOCK": 48, "SCALE": 1})
	require.ErrorContains(t, err, "not a power of two")
	_, err = Specialize(f, Config{"BLOCK": 64, "SCALE": 1, KeyNumWarps: 3})
	require.ErrorContains(t, err, "num_warps = 3")
}

func TestDumpAfterPass(t *testing.T) {
	f := metaKernel(t)
	var sb strings.Builder
	_, err := SpecializeWith(f, Config{"BLOCK": 64, "SCALE": 3}, PassOptions{Verify: true, DumpAfter: "all", Dump: &sb})
	require.NoError(t, err)
	for _, p := range Pipeline {
		assert.Contains(t, sb.String(), "// after "+p.Name)
	}
}

func TestOpTableIsComplete(t *testing.T) {
	for c := Opcode(1); c < NumOpcodes; c++ {
		info := c.Info()
		assert.NotEmpty(t, info.Name)
		assert.NotEmptyf(t, info.Doc, "%s has no doc", info.Name)
		if info.Elem != nil {
			assert.Truef(t, info.Elem.Eval != nil || info.Elem.Bind != nil, "%s has no scalar semantics", info.Name)
			assert.Truef(t, info.Infer != nil || info.Check != nil, "%s has no type rule", info.Name)
		}
		bare := len(info.Args) == 0 && !info.Variadic && info.Results == 0 // async_commit, barrier
		if info.Infer == nil && info.Check == nil && !info.Terminator && c != OpPrint && !bare {
			t.Errorf("%s has neither a type rule nor a check", info.Name)
		}
		got, ok := Lookup(info.Name)
		assert.True(t, ok)
		assert.Equal(t, c, got)
		// Every op that can hold tiles says which layouts it accepts.
		switch c {
		case OpConstexpr, OpProgramID, OpNumPrograms, OpMakeBlockPtr, OpAdvance, OpYield, OpCondition,
			OpLocalAlloc, OpLocalIndex, OpAsyncCopyBlock, OpAsyncCommit, OpAsyncWait, OpBarrier,
			OpFenceAsyncShared, OpTensorMap, OpTMALoad, OpMBarrierInit, OpMBarrierExpect, OpMBarrierWait, OpMBarrierInval:
			assert.Nilf(t, info.Layouts, "%s holds no tiles", info.Name)
		default:
			assert.NotNilf(t, info.Layouts, "%s has no layout rule", info.Name)
		}
	}
}
