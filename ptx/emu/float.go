package emu

import (
	"math"
	"math/big"

	"github.com/tilec/tilec/internal/fp"
)

// Floating-point rounding. Every f16, bf16 and f32 result is computed as an
// exact pair in float64, s + e (s = the float64 nearest the exact result,
// only the sign of the tiny remainder e kept), then rounded once to the
// target format with the instruction's rounding mode (package fp, which
// the IR's dtypes and the PTX backend round with too). Using the
// remainder's sign avoids double rounding (f64 then f32) in fma and in
// conversions.

// canonF64 is the NaN every f64 operation returns.
const canonF64 = 0x7fffffffffffffff

func f32of(b uint64) float32 { return math.Float32frombits(uint32(b)) }
func f64of(b uint64) float64 { return math.Float64frombits(b) }

func sgnf(x float64) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

func boolU(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// canonF32 returns the bits of x, with any NaN replaced by the canonical
// f32 NaN that NVIDIA hardware produces.
func canonF32(x float32) uint64 { return canonBits32(math.Float32bits(x)) }

func canonBits32(b uint32) uint64 {
	if b&0x7fffffff > 0x7f800000 {
		return 0x7fffffff
	}
	return uint64(b)
}

// twoSum returns s = fl(a+b) and the sign of the exact error a+b-s.
func twoSum(a, b float64) (float64, int) {
	s := a + b
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return s, 0
	}
	bb := s - a
	e := (a - (s - bb)) + (b - bb)
	return s, sgnf(e)
}

// exactDiv and exactSqrt return the nearest float64 and the sign of the
// exact remainder, from the exact residual an fma gives.
func exactDiv(a, b float64) (float64, int) {
	q := a / b
	if math.IsInf(q, 0) || math.IsNaN(q) || q == 0 {
		return q, 0
	}
	r := math.FMA(-q, b, a) // exact remainder a - q*b
	return q, sgnf(r) * sgnf(b)
}
func exactSqrt(a float64) (float64, int) {
	s := math.Sqrt(a)
	if math.IsInf(s, 0) || math.IsNaN(s) || s == 0 {
		return s, 0
	}
	return s, sgnf(math.FMA(-s, s, a))
}

// dirRound64 adjusts the nearest float64 r of an exact value whose
// difference exact-r has sign esign to the rounding mode.
func dirRound64(r float64, esign int, mode fp.Mode) float64 {
	if esign == 0 || mode == fp.NearestEven || math.IsNaN(r) {
		return r
	}
	switch mode {
	case fp.TowardZero:
		if r > 0 && esign < 0 || r < 0 && esign > 0 {
			return math.Nextafter(r, 0)
		}
		if math.IsInf(r, 0) {
			return math.Copysign(math.MaxFloat64, r)
		}
	case fp.Down:
		if esign < 0 {
			return math.Nextafter(r, math.Inf(-1))
		}
		if math.IsInf(r, 1) {
			return math.MaxFloat64
		}
	case fp.Up:
		if esign > 0 {
			return math.Nextafter(r, math.Inf(1))
		}
		if math.IsInf(r, -1) {
			return -math.MaxFloat64
		}
	}
	return r
}

// f64Mul and f64FMA return the nearest float64 and the sign of the exact
// error, for directed rounding of f64 operations.
func f64Mul(a, b float64) (float64, int) {
	p := a * b
	if math.IsInf(p, 0) || math.IsNaN(p) || p == 0 {
		return p, 0
	}
	return p, sgnf(math.FMA(a, b, -p))
}
func f64FMA(a, b, c float64) (float64, int) {
	r := math.FMA(a, b, c)
	if math.IsInf(r, 0) || math.IsNaN(r) || math.IsInf(a*b, 0) || math.IsInf(c, 0) {
		return r, 0
	}
	// The error of an fma is not an f64 in general: compare exactly.
	ex := new(big.Float).SetPrec(2200).SetFloat64(a)
	ex.Mul(ex, new(big.Float).SetPrec(2200).SetFloat64(b))
	ex.Add(ex, new(big.Float).SetPrec(2200).SetFloat64(c))
	if r == 0 {
		return r, ex.Sign()
	}
	return r, ex.Cmp(new(big.Float).SetFloat64(r))
}

// f64Bits returns the bits of x with NaN canonicalized.
func f64Bits(x float64) uint64 {
	if math.IsNaN(x) {
		return canonF64
	}
	return math.Float64bits(x)
}
