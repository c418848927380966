package fp

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// spec describes a format the way IEEE 754 does, independently of Format's
// fields: significand bits (with the implicit one), the smallest normal
// exponent and the largest exponent.
type spec struct {
	name             string
	f                Format
	prec, emin, emax int
}

var specs = []spec{
	{"f16", F16, 11, -14, 15},
	{"bf16", BF16, 8, -126, 127},
	{"f32", F32, 24, -126, 127},
}

// reference rounds the exact value s + esign·2^-1200 (a remainder far
// below any float64 ulp) to the format with big.Float arithmetic: scale to
// the quantum, round the integer part by the direction, scale back, and
// saturate or overflow past the largest finite value.
func (sp spec) reference(s float64, esign int, mode Mode) float64 {
	if math.IsInf(s, 0) {
		return s
	}
	x := new(big.Float).SetPrec(3000).SetFloat64(s)
	x.Add(x, new(big.Float).SetMantExp(big.NewFloat(float64(esign)), -1200))
	neg := x.Signbit()
	if x.Sign() == 0 {
		return math.Copysign(0, s)
	}
	a := new(big.Float).Abs(x)
	e := a.MantExp(nil) - 1 // a is in [2^e, 2^(e+1))
	qe := max(e, sp.emin) - (sp.prec - 1)
	q := new(big.Float).SetMantExp(a, -qe)
	qi, _ := q.Int(nil) // truncated: q >= 0
	frac := new(big.Float).Sub(q, new(big.Float).SetInt(qi))
	half := frac.Cmp(big.NewFloat(0.5))
	inexact := frac.Sign() != 0
	var roundUp bool
	switch mode {
	case NearestEven:
		roundUp = half > 0 || half == 0 && qi.Bit(0) == 1
	case Down:
		roundUp = neg && inexact
	case Up:
		roundUp = !neg && inexact
	}
	if roundUp {
		qi.Add(qi, big.NewInt(1))
	}
	v, _ := new(big.Float).SetMantExp(new(big.Float).SetInt(qi), qe).Float64()
	maxFinite := math.Ldexp(2-math.Ldexp(1, 1-sp.prec), sp.emax)
	if v > maxFinite {
		toInf := mode == NearestEven || mode == Down && neg || mode == Up && !neg
		v = maxFinite
		if toInf {
			v = math.Inf(1)
		}
	}
	if neg {
		return -v
	}
	return v
}

// decode is the value of a format's bits computed from IEEE's definition.
func (sp spec) decode(b uint64) float64 {
	mbits := sp.prec - 1
	ebits := map[string]int{"f16": 5, "bf16": 8, "f32": 8}[sp.name]
	neg := b>>(mbits+ebits)&1 == 1
	exp := int(b>>mbits) & (1<<ebits - 1)
	man := float64(b & (1<<mbits - 1))
	var v float64
	switch {
	case exp == 1<<ebits-1 && man != 0:
		return math.NaN()
	case exp == 1<<ebits-1:
		v = math.Inf(1)
	case exp == 0:
		v = math.Ldexp(man, sp.emin-mbits)
	default:
		v = math.Ldexp(1+man/float64(uint64(1)<<mbits), exp-(sp.emax))
	}
	if neg {
		return -v
	}
	return v
}

func (sp spec) bitsWidth() int {
	if sp.name == "f32" {
		return 32
	}
	return 16
}

// inputs are the values worth rounding: random values over the format's
// range and a little beyond, values of the format, their midpoints (ties)
// and the float64 neighbours of those, subnormals, the overflow threshold,
// zeros, infinities and NaN.
func (sp spec) inputs(r *rand.Rand, n int) []float64 {
	out := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		math.Ldexp(1, sp.emin-sp.prec+1), math.Ldexp(1, sp.emin-sp.prec), math.Ldexp(3, sp.emin-sp.prec),
		math.Ldexp(2-math.Ldexp(1, 1-sp.prec), sp.emax), math.Ldexp(2-math.Ldexp(1, -sp.prec), sp.emax),
		math.Ldexp(1, sp.emax+1), math.MaxFloat64, math.SmallestNonzeroFloat64}
	for len(out) < n {
		switch r.IntN(4) {
		case 0: // anywhere from far below the subnormals to past the overflow
			e := sp.emin - sp.prec - 4 + r.IntN(sp.emax-sp.emin+sp.prec+8)
			out = append(out, math.Ldexp(1+r.Float64(), e)*float64(1-2*r.IntN(2)))
		default: // a value of the format, the midpoint above it, and their float64 neighbours
			b := r.Uint64() & (1<<sp.bitsWidth() - 1)
			v := sp.decode(b)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			next := sp.decode(b + 1)
			if math.IsNaN(next) {
				continue
			}
			if math.IsInf(next, 0) { // the midpoint to 2^(emax+1)
				next = math.Copysign(math.Ldexp(1, sp.emax+1), v)
			}
			mid := (v + next) / 2
			out = append(out, v, mid, math.Nextafter(mid, 0), math.Nextafter(mid, math.Inf(1)))
		}
	}
	return out
}

// Round agrees with the big.Float reference in every direction, for exact
// values and for values with a remainder of either sign.
func TestRoundAgainstBigFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, sp := range specs {
		for _, s := range sp.inputs(r, 30000) {
			for _, esign := range []int{-1, 0, 1} {
				if s == 0 && esign != 0 || math.IsInf(s, 0) && esign != 0 {
					continue // a rounded pair never has a remainder there
				}
				for mode := NearestEven; mode <= Up; mode++ {
					got := sp.f.Round(s, esign, mode)
					if math.IsNaN(s) {
						if got != sp.f.canon {
							t.Fatalf("%s: Round(NaN) = %#x, want the canonical NaN %#x", sp.name, got, sp.f.canon)
						}
						continue
					}
					want := sp.reference(s, esign, mode)
					gv := sp.decode(got)
					if gv != want || math.Signbit(gv) != math.Signbit(want) {
						t.Fatalf("%s: Round(%g (%#x), remainder %d, mode %d) = %#x (%g), want %g",
							sp.name, s, math.Float64bits(s), esign, mode, got, gv, want)
					}
				}
			}
		}
	}
}

// Round to nearest f32 is what Go's float64 to float32 conversion does.
func TestRoundF32AgainstConversion(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, s := range specs[2].inputs(r, 100000) {
		if math.IsNaN(s) {
			continue
		}
		if got, want := uint32(F32.Round(s, 0, NearestEven)), math.Float32bits(float32(s)); got != want {
			t.Fatalf("Round(%g) = %#08x, want %#08x", s, got, want)
		}
	}
}

// Decode gives the value IEEE defines for every 16-bit pattern, and for
// random f32 patterns the value Go's float32 has.
func TestDecode(t *testing.T) {
	for _, sp := range specs[:2] {
		for b := uint64(0); b < 1<<16; b++ {
			got, want := sp.f.Decode(b), sp.decode(b)
			if got != want && !(math.IsNaN(got) && math.IsNaN(want)) || math.Signbit(got) != math.Signbit(want) && !math.IsNaN(want) {
				t.Fatalf("%s: Decode(%#04x) = %g, want %g", sp.name, b, got, want)
			}
		}
	}
	for b := uint64(0); b < 1<<16; b++ {
		if got, want := BF16.Decode(b), float64(math.Float32frombits(uint32(b)<<16)); got != want && !math.IsNaN(want) {
			t.Fatalf("bf16: Decode(%#04x) = %g, want %g (the top half of an f32)", b, got, want)
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		b := r.Uint32()
		got, want := F32.Decode(uint64(b)), float64(math.Float32frombits(b))
		if got != want && !math.IsNaN(want) || math.IsNaN(want) != math.IsNaN(got) {
			t.Fatalf("f32: Decode(%#08x) = %g, want %g", b, got, want)
		}
	}
}

// .ftz flushes subnormals, keeping the sign, and nothing else.
func TestFlushSubnormal(t *testing.T) {
	cases := []struct{ in, want uint64 }{{0x0001, 0}, {0x83ff, 0x8000}, {0x0400, 0x0400}, {0x7c00, 0x7c00}, {0x8000, 0x8000}}
	for _, c := range cases {
		if got := F16.FlushSubnormal(c.in); got != c.want {
			t.Errorf("FlushSubnormal(%#04x) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
}
