package emu

import (
	"math"
	"math/big"
	"math/rand"
	"sort"
	"testing"

	"github.com/tilec/tilec/internal/fp"
)

// Independent references for f16/bf16 rounding: enumerate every finite
// value of the format and pick the nearest, ties to the even encoding.

type halfTable struct {
	vals []float64 // positive finite values, ascending
	bits []uint16
	inf  uint16
	next float64 // the first value past the largest finite (2^(emax+1))
}

func buildHalfTable(bf bool) *halfTable {
	h := &halfTable{}
	for b := 0; b < 0x8000; b++ {
		v := halfToF64(uint16(b), bf)
		if math.IsInf(v, 0) || math.IsNaN(v) {
			continue
		}
		h.vals = append(h.vals, v)
		h.bits = append(h.bits, uint16(b))
	}
	idx := make([]int, len(h.vals))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return h.vals[idx[i]] < h.vals[idx[j]] })
	vals, bits := make([]float64, len(idx)), make([]uint16, len(idx))
	for i, k := range idx {
		vals[i], bits[i] = h.vals[k], h.bits[k]
	}
	h.vals, h.bits = vals, bits
	h.inf = 0x7c00
	h.next = 65536
	if bf {
		h.inf, h.next = 0x7f80, 0x1p128
	}
	return h
}

// nearest rounds x to nearest, ties to even, by search.
func (h *halfTable) nearest(x float64) uint16 {
	if math.IsNaN(x) {
		return 0x7fff
	}
	sign := uint16(0)
	if math.Signbit(x) {
		sign = 0x8000
		x = -x
	}
	i := sort.SearchFloat64s(h.vals, x) // first >= x
	if i < len(h.vals) && h.vals[i] == x {
		return sign | h.bits[i]
	}
	if i == len(h.vals) {
		lo := h.vals[i-1]
		// Past the largest finite value: the next candidate is 2^(emax+1),
		// which encodes as infinity (and is even).
		if x-lo < h.next-x {
			return sign | h.bits[i-1]
		}
		return sign | h.inf
	}
	lo, hi := h.vals[i-1], h.vals[i]
	switch {
	case x-lo < hi-x:
		return sign | h.bits[i-1]
	case x-lo > hi-x:
		return sign | h.bits[i]
	case h.bits[i-1]&1 == 0:
		return sign | h.bits[i-1]
	}
	return sign | h.bits[i]
}

var f16Table, bf16Table = buildHalfTable(false), buildHalfTable(true)

func interestingF32(r *rand.Rand) float32 {
	switch r.Intn(6) {
	case 0:
		return math.Float32frombits(r.Uint32()) // anything, NaN and inf included
	case 1:
		// Near f16 and bf16 ties: low mantissa bits of a midpoint.
		b := r.Uint32()&0xffffe000 | 0x1000
		return math.Float32frombits(b)
	case 2:
		return math.Float32frombits(r.Uint32()&0x80ffffff | uint32(90+r.Intn(60))<<23) // f16 range incl. subnormals
	case 3:
		return math.Float32frombits(r.Uint32()&0xffff0000 | 0x8000) // bf16 ties
	case 4:
		return float32(r.NormFloat64() * 1000)
	}
	return math.Float32frombits(r.Uint32() & 0x807fffff) // f32 subnormals
}

func TestRoundHalfAgainstTable(t *testing.T) {
	r := rand.New(rand.NewSource(10))
	for i := 0; i < 200000; i++ {
		x := float64(interestingF32(r))
		if got, want := f64ToF16(x), f16Table.nearest(x); got != want {
			t.Fatalf("f16(%g = %#x): got %#04x, want %#04x", x, math.Float32bits(float32(x)), got, want)
		}
		if got, want := f64ToBF16(x), bf16Table.nearest(x); got != want {
			t.Fatalf("bf16(%g = %#x): got %#04x, want %#04x", x, math.Float32bits(float32(x)), got, want)
		}
	}
}

// Hand-checked corner cases.
func TestRoundHalfCorners(t *testing.T) {
	cases := []struct {
		x        float64
		f16, b16 uint16
	}{
		{1, 0x3c00, 0x3f80},
		{-2, 0xc000, 0xc000},
		{65504, 0x7bff, 0x4780},                               // f16 max; bf16 rounds it up to 65536
		{65519.99, 0x7bff, 0x4780},                            // below the f16 overflow midpoint
		{65520, 0x7c00, 0x4780},                               // f16 overflow midpoint: ties to even = inf
		{math.Ldexp(1, -24), 0x0001, 0x3380},                  // smallest f16 subnormal
		{math.Ldexp(1, -25), 0x0000, 0x3300},                  // half of it: ties to even -> 0
		{math.Ldexp(3, -26), 0x0001, 0x3340},                  // 0.75 of it rounds up
		{math.Ldexp(1, -14) * (1 - 1.0/2048), 0x0400, 0x3880}, // rounds up into the normals
		{1 + 1.0/2048, 0x3c00, 0x3f80},                        // tie at 1: even
		{1 + 3.0/2048, 0x3c02, 0x3f80},                        // tie at 1+1/1024: even is up
		{1 + 1.0/256, 0x3c04, 0x3f80},                         // bf16 tie: even (down)
		{1 + 3.0/256, 0x3c0c, 0x3f82},                         // bf16 tie: even (up)
		{math.Inf(1), 0x7c00, 0x7f80},
		{math.Inf(-1), 0xfc00, 0xff80},
		{math.Copysign(0, -1), 0x8000, 0x8000},
		{math.NaN(), 0x7fff, 0x7fff},
		{float64(math.MaxFloat32), 0x7c00, 0x7f80}, // bf16: rounds past the max finite
	}
	for _, c := range cases {
		if got := f64ToF16(c.x); got != c.f16 {
			t.Errorf("f16(%g) = %#04x, want %#04x", c.x, got, c.f16)
		}
		if got := f64ToBF16(c.x); got != c.b16 {
			t.Errorf("bf16(%g) = %#04x, want %#04x", c.x, got, c.b16)
		}
	}
}

// bigRound32 rounds an exact value to f32 with big.Float's own rounding:
// an independent reference for the directed modes in the normal range.
func bigRound32(x *big.Float, m fp.Mode) float32 {
	mode := [...]big.RoundingMode{big.ToNearestEven, big.ToZero, big.ToNegativeInf, big.ToPositiveInf}[m]
	y := new(big.Float).SetPrec(24).SetMode(mode).Set(x)
	f, _ := y.Float32()
	return f
}

func TestRoundF32DirectedAgainstBig(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	for i := 0; i < 100000; i++ {
		// An exact pair s + tiny: s with random low bits, e of either sign.
		s := math.Ldexp(1+r.Float64(), r.Intn(200)-100)
		if r.Intn(4) == 0 {
			s = float64(float32(s)) + math.Ldexp(float64(float32(s)), -24) // an exact f32 tie
		}
		e := []float64{0, math.Ldexp(s, -80), -math.Ldexp(s, -80)}[r.Intn(3)]
		exact := new(big.Float).SetPrec(300).SetFloat64(s)
		exact.Add(exact, new(big.Float).SetFloat64(e))
		for m := fp.NearestEven; m <= fp.Up; m++ {
			got := f32of(fp.F32.Round(s, sgnf(e), m))
			if want := bigRound32(exact, m); got != want {
				t.Fatalf("round(%g + %g, mode %d) = %g, want %g", s, e, m, got, want)
			}
		}
	}
}

func TestRoundF32Overflow(t *testing.T) {
	big := math.Ldexp(1, 200)
	cases := []struct {
		x    float64
		m    fp.Mode
		want float32
	}{
		{big, fp.NearestEven, float32(math.Inf(1))},
		{big, fp.TowardZero, math.MaxFloat32},
		{big, fp.Down, math.MaxFloat32},
		{big, fp.Up, float32(math.Inf(1))},
		{-big, fp.Down, float32(math.Inf(-1))},
		{-big, fp.Up, -math.MaxFloat32},
		{math.Ldexp(1, -160), fp.Up, math.SmallestNonzeroFloat32},
		{math.Ldexp(1, -160), fp.NearestEven, 0},
		{-math.Ldexp(1, -160), fp.Down, -math.SmallestNonzeroFloat32},
	}
	for _, c := range cases {
		if got := f32of(fp.F32.Round(c.x, 0, c.m)); got != c.want {
			t.Errorf("round(%g, mode %d) = %g, want %g", c.x, c.m, got, c.want)
		}
	}
}

func f64ToF16(x float64) uint16  { return uint16(fp.F16.Round(x, 0, fp.NearestEven)) }
func f64ToBF16(x float64) uint16 { return uint16(fp.BF16.Round(x, 0, fp.NearestEven)) }
