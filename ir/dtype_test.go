package ir

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every f16 bit pattern decodes and encodes back to itself (NaNs to the
// canonical NaN), and the midpoint between two neighbours rounds to the one
// with an even significand: round to nearest even, checked against the
// encoding itself rather than against the rounding code.
func TestF16ExhaustiveRoundToNearestEven(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		v := F16FromBits(uint16(h))
		if math.IsNaN(v) {
			assert.Equal(t, uint16(0x7e00)|uint16(h)&0x8000, F16Bits(v)&0xfe00|uint16(h)&0x8000)
			continue
		}
		require.Equalf(t, uint16(h), F16Bits(v), "pattern %#04x (%v)", h, v)
		require.Equal(t, v, F16.Round(v))
		// The neighbour above in magnitude, and the midpoint between them.
		if h&0x7fff >= 0x7bff { // the largest finite value and infinity
			continue
		}
		next := F16FromBits(uint16(h + 1))
		mid := (v + next) / 2
		want := uint16(h)
		if h&1 == 1 {
			want = uint16(h + 1)
		}
		require.Equalf(t, want, F16Bits(mid), "midpoint of %#04x and its neighbour", h)
		// Just off the midpoint, the nearer one wins.
		require.Equal(t, uint16(h), F16Bits(v+(mid-v)*0.999))
		require.Equal(t, uint16(h+1), F16Bits(next-(next-mid)*0.999))
	}
}

func TestF16Specials(t *testing.T) {
	cases := []struct {
		x    float64
		bits uint16
	}{
		{0, 0x0000},
		{math.Copysign(0, -1), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{65504, 0x7bff},    // largest finite
		{65519.99, 0x7bff}, // rounds down to it
		{65520, 0x7c00},    // the midpoint to 2^16 rounds to even: infinity
		{math.Inf(1), 0x7c00},
		{math.Ldexp(1, -24), 0x0001},   // smallest subnormal
		{math.Ldexp(1, -25), 0x0000},   // half of it: ties to even (zero)
		{math.Ldexp(1.5, -25), 0x0001}, // above half: rounds up
		{math.Ldexp(3, -25), 0x0002},   // 1.5 ulp: ties to even (2)
		{math.Ldexp(1, -14), 0x0400},   // smallest normal
		{1 + math.Ldexp(1, -11), 0x3c00},
		{1 + math.Ldexp(3, -11), 0x3c02},
	}
	for _, c := range cases {
		assert.Equalf(t, c.bits, F16Bits(c.x), "F16Bits(%v)", c.x)
	}
	assert.True(t, math.IsNaN(F16FromBits(F16Bits(math.NaN()))))
}

// bf16 is the top half of an f32: rounding to nearest even is the classic
// bit trick, an independent check of the general code.
func TestBF16AgainstBitTrick(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	check := func(f float32) {
		b := math.Float32bits(f)
		want := uint16((b + 0x7fff + (b>>16)&1) >> 16)
		require.Equalf(t, want, BF16Bits(float64(f)), "%v (%#08x)", f, b)
	}
	for i := 0; i < 200000; i++ {
		f := math.Float32frombits(r.Uint32())
		if math.IsNaN(float64(f)) {
			continue
		}
		check(f)
	}
	for _, f := range []float32{0, 1, -1, math.MaxFloat32, math.SmallestNonzeroFloat32, 1.00390625, 1.01171875, 3.3895314e38} {
		check(f)
	}
	for h := 0; h < 1<<16; h++ {
		v := BF16FromBits(uint16(h))
		if !math.IsNaN(v) {
			require.Equal(t, uint16(h), BF16Bits(v))
		}
	}
}

func TestIntWrapAndEncode(t *testing.T) {
	assert.Equal(t, int64(-128), I8.Wrap(128))
	assert.Equal(t, int64(-1), I32.Wrap(0xffffffff))
	assert.Equal(t, int64(1), I1.Wrap(3))
	b := make([]byte, 8)
	for _, d := range []DType{I8, I16, I32, I64} {
		for _, v := range []int64{0, 1, -1, 100, -100} {
			d.EncodeInt(b, v)
			assert.Equal(t, v, d.DecodeInt(b))
		}
	}
	I64.EncodeInt(b, math.MaxInt64)
	assert.Equal(t, int64(math.MaxInt64), I64.DecodeInt(b))
	F32.Encode(b, 1.1)
	assert.Equal(t, float64(float32(1.1)), F32.Decode(b))
}

// The cast semantics: float to int truncates and saturates, NaN is 0.
func TestCastSemantics(t *testing.T) {
	c := func(x float64, out DType) int64 { return evalCast(F32, out, []Num{{F: x}}).I }
	assert.Equal(t, int64(2), c(2.9, I32))
	assert.Equal(t, int64(-2), c(-2.9, I32))
	assert.Equal(t, int64(math.MaxInt32), c(1e20, I32))
	assert.Equal(t, int64(math.MinInt32), c(-1e20, I32))
	assert.Equal(t, int64(0), c(math.NaN(), I32))
	assert.Equal(t, int64(127), c(1000, I8))
	assert.Equal(t, int64(math.MaxInt64), c(1e30, I64))
	assert.Equal(t, int64(1), c(0.5, I1))
	assert.Equal(t, int64(0), c(0, I1))
	// i1 widens to 0/1, wider ints truncate and sign-extend.
	assert.Equal(t, int64(1), evalCast(I1, I32, []Num{{I: 1}}).I)
	assert.Equal(t, int64(-1), I8.Wrap(evalCast(I32, I8, []Num{{I: 255}}).I))
}
