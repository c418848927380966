package codegen

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/ir"
)

// Every opcode is lowered by a rule, by the scalar table (elementwise), by
// control flow, or is a terminator: an op added without a lowering fails
// here.
func TestEveryOpIsLowered(t *testing.T) {
	for c := ir.Opcode(1); c < ir.NumOpcodes; c++ {
		info := c.Info()
		switch {
		case info.Terminator, c == ir.OpFor, c == ir.OpIf, c == ir.OpWhile, c == ir.OpConstexpr:
		case info.Elem != nil:
			assert.NotNilf(t, scalarTable[c], "elementwise op %s has no scalar lowering", info.Name)
		default:
			assert.NotNilf(t, lowerTable[c], "op %s has no lowering rule", info.Name)
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

func TestCompileErrors(t *testing.T) {
	k := ir.NewKernel("generic")
	B := k.Constexpr("B")
	k.Arange(0, B)
	f, err := k.Build()
	require.NoError(t, err)
	_, err = Compile(f, Options{})
	require.ErrorContains(t, err, "unbound constexprs B")

	k = ir.NewKernel("printer")
	x := k.Scalar("x", ir.I32)
	k.Print("x", x)
	_, err = Compile(build(t, k, nil), Options{})
	require.ErrorContains(t, err, "cannot lower print")

	k = ir.NewKernel("frem")
	p := k.Pointer("p", ir.F32)
	v := k.Load(p, nil, nil)
	k.Store(p, k.Rem(v, 2.0), nil)
	_, err = Compile(build(t, k, nil), Options{})
	require.ErrorContains(t, err, "does not lower rem on f32")
	assert.Contains(t, err.Error(), "codegen_test.go:")
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
	res, err := Compile(build(t, k, ir.Config{ir.KeyNumWarps: 4}), Options{SM: 80})
	require.NoError(t, err)
	// The cast's result is needed in the A layout and already has it.
	var cast *ir.Value
	res.f.Walk(func(op *ir.Op) {
		if op.Code == ir.OpCast {
			cast = op.Results[0]
		}
	})
	require.NotNil(t, cast)
	assert.Empty(t, res.assign.needs[cast], "P needs no second layout")
	assert.Contains(t, res.GPUText(), "mma<m16n8k16")
	// 4 warps along M: 64x32x64 is 4·4 m16n8k16 per warp, 64x64x32 is 8·2.
	calls := 0
	for _, line := range strings.Split(res.LL(), "\n") {
		if strings.Contains(line, "= call") && strings.Contains(line, "@llvm.nvvm.mma.m16n8k16.row.col.f32.f32") {
			calls++
		}
	}
	assert.Equal(t, 32, calls)
}
