package ptx

import (
	"math"
	"testing"
)

// The ops kernels (testdata/ops.ll) store each result with its natural
// width into an 8-byte slot of a per-thread record. A slot here is the
// expected value: its bits, its width in bytes, and whether it is a float
// (a NaN matches any NaN: PTX canonicalizes NaNs, Go does not).
type slot struct {
	bits  uint64
	width int
	float bool
}

func islot(v uint64, width int) slot { return slot{v, width, false} }
func f32slot(x float32) slot         { return slot{uint64(math.Float32bits(x)), 4, true} }
func f64slot(x float64) slot         { return slot{math.Float64bits(x), 8, true} }
func f16slot(h uint16) slot          { return slot{uint64(h), 2, true} }

func b2i(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// checkSlots compares a thread's record with the expected slots.
func checkSlots(r *run, what string, rec []byte, want []slot) {
	r.t.Helper()
	for j, s := range want {
		b := rec[8*j : 8*j+8]
		var got uint64
		for i := s.width - 1; i >= 0; i-- {
			got = got<<8 | uint64(b[i])
		}
		for i := s.width; i < 8; i++ {
			if b[i] != 0xFF {
				r.errorf("%s slot %d: byte %d written (width %d)", what, j, i, s.width)
			}
		}
		if got == s.bits {
			continue
		}
		if s.float && isNaNBits(got, s.width) && isNaNBits(s.bits, s.width) {
			continue
		}
		r.errorf("%s slot %d = %#x, want %#x", what, j, got, s.bits)
	}
}

func isNaNBits(v uint64, width int) bool {
	switch width {
	case 2:
		return v&0x7C00 == 0x7C00 && v&0x3FF != 0
	case 4:
		return math.IsNaN(float64(math.Float32frombits(uint32(v))))
	}
	return math.IsNaN(math.Float64frombits(v))
}

// sx sign-extends the low w bits of v.
func sx(v uint64, w uint) int64 { return int64(v<<(64-w)) >> (64 - w) }

func mask(w uint) uint64 {
	if w == 64 {
		return math.MaxUint64
	}
	return 1<<w - 1
}

// opsIntRef mirrors ops_int for inputs a, b.
func opsIntRef(a, b uint32) []slot {
	var out []slot
	for _, w := range []uint{32, 64, 16, 8} {
		m := mask(w)
		var x, y uint64
		switch w {
		case 64:
			x, y = uint64(a)<<32|uint64(b), uint64(b)<<32|uint64(a)
		default:
			x, y = uint64(a)&m, uint64(b)&m
		}
		ys, yd := y&uint64(w-1), y&127|1
		s := func(v uint64) slot { return islot(v&m, int(max(w/8, 1))) }
		out = append(out,
			s(x+y), s(x-y), s(x*y),
			s(uint64(sx(x, w)/sx(yd, w))), s(x/yd),
			s(uint64(sx(x, w)%sx(yd, w))), s(x%yd),
			s(x<<ys), s(x>>ys), s(uint64(sx(x, w)>>ys)),
			s(x&y), s(x|y), s(x^y),
			s(x+7), s(100-x), s(x*uint64(0xFFFFFFFFFFFFFFFD)), s(x/3),
		)
		c := uint64(200) & m
		bits := []bool{
			x == y, x != y, x > y, x >= y, x < y, x <= y,
			sx(x, w) > sx(y, w), sx(x, w) >= sx(y, w), sx(x, w) < sx(y, w), sx(x, w) <= sx(y, w),
			sx(x, w) < 5, c < x, x == m, x > c, -3 <= sx(x, w),
		}
		var mk uint64
		for i, bit := range bits {
			mk |= b2i(bit) << i
		}
		out = append(out, islot(mk, 4))
		if w != 64 {
			sum := (x + y) & m
			out = append(out, islot(sum, 8), islot(uint64(sx(sum, w)), 8))
		}
	}
	c1, c2 := int32(a) < int32(b), a < b
	bits := []bool{c1 && c2, c1 || c2, c1 != c2, !c1, c1 == c2, c1 != c2, c1 && c2, c1, c2, c1 != c2}
	var mk uint64
	for i, bit := range bits {
		mk |= b2i(bit) << i
	}
	out = append(out, islot(mk, 4))
	sel := func(c bool, t, f uint64) uint64 {
		if c {
			return t
		}
		return f
	}
	out = append(out,
		islot(sel(c1, uint64(a), uint64(b)), 4),
		islot(sel(c2, uint64(uint32(0xFFFFFFFB)), uint64(b)), 4),
		islot(sel(c2, uint64(int64(int32(a))), 123456789012), 8),
		islot(sel(c1, uint64(a&0xFF), 0xF9), 1),
	)
	return out
}

func TestOpsInt(t *testing.T) {
	const threads, slots = 96, 83
	both(t, "ops", Target{}, func(r *run) [][]byte {
		a, b := r.randU32(threads), r.randU32(threads)
		// Some equal, negative, zero, all-ones and small pairs.
		a[0], b[0] = 5, 5
		a[1], b[1] = 0, 0xFFFFFFFF
		a[2], b[2] = 0xFFFFFFFF, 7
		a[3], b[3] = 0x80000000, 0x7FFFFFFF
		a[4], b[4] = 200, 100
		a[5], b[5] = 0xFFFFFF38, 0x00000038 // i8 200 and 56
		a[6], b[6] = 0xFFFD, 0xFFFF
		da, db, dout := r.alloc(u32Bytes(a)), r.alloc(u32Bytes(b)), r.poison(8*slots*threads)
		r.launch("ops_int", [3]uint32{1}, [3]uint32{threads}, 0, da, db, dout)
		out := r.read(dout, 8*slots*threads)
		for i := 0; i < threads; i++ {
			want := opsIntRef(a[i], b[i])
			if len(want) != slots {
				t.Fatalf("reference has %d slots, kernel %d", len(want), slots)
			}
			checkSlots(r, "ops_int", out[8*slots*i:8*slots*(i+1)], want)
			if t.Failed() {
				t.Logf("inputs a=%#x b=%#x", a[i], b[i])
				break
			}
		}
		return [][]byte{out}
	})
}

// fbin is a binary float operation of the reference, on float64 values
// of the operand type.
type fbin func(x, y float64) float64

// floatType describes one float type of ops_float: how to round to it
// and to encode it.
type floatType struct {
	name  string
	round func(float64) float64 // to the type's precision
	slot  func(float64) slot
	div   fbin // division as the backend does it (half: in f32)
	rem   fbin
}

var (
	f32Type = floatType{"float",
		func(x float64) float64 { return float64(float32(x)) },
		func(x float64) slot { return f32slot(float32(x)) },
		func(x, y float64) float64 { return float64(float32(x) / float32(y)) },
		remF32,
	}
	f64Type = floatType{"double",
		func(x float64) float64 { return x },
		f64slot,
		func(x, y float64) float64 { return x / y },
		func(x, y float64) float64 {
			q := math.Trunc(x / y)
			return x - q*y
		},
	}
	f16Type = floatType{"half",
		func(x float64) float64 { return float64(f16ToF32(f16Bits(x))) },
		func(x float64) slot { return f16slot(f16Bits(x)) },
		func(x, y float64) float64 { return float64(float32(x) / float32(y)) },
		remF32,
	}
)

// remF32 is llc's frem expansion in f32: x - trunc(x/y)*y, each step rounded.
func remF32(x, y float64) float64 {
	q := float32(x) / float32(y)
	tq := float32(math.Trunc(float64(q)))
	m := tq * float32(y)
	return float64(float32(x) - m)
}

func opsFloatRef(a, b float32) []slot {
	var out []slot
	for _, ft := range []floatType{f32Type, f64Type, f16Type} {
		x, y := ft.round(float64(a)), ft.round(float64(b))
		r := func(v float64) slot { return ft.slot(ft.round(v)) }
		neg := ft.slot(x)
		switch ft.name {
		case "half":
			neg.bits ^= 0x8000
		case "float":
			neg.bits ^= 1 << 31
		default:
			neg.bits ^= 1 << 63
		}
		out = append(out,
			r(x+y), r(x-y), r(x*y), r(ft.div(x, y)), r(ft.rem(x, y)), neg,
			r(x+1.5), r(2-x), r(x*0.375), r(ft.div(x, 3)),
		)
		uno := math.IsNaN(x) || math.IsNaN(y)
		bits := []bool{
			false, x == y, x > y, x >= y, x < y, x <= y, !uno && x != y, !uno,
			uno || x == y, uno || x > y, uno || x >= y, uno || x < y, uno || x <= y, uno || x != y, uno, true,
			x < 0, 1 > x,
		}
		var mk uint64
		for i, bit := range bits {
			mk |= b2i(bit) << i
		}
		out = append(out, islot(mk, 4))
		lt := x
		if !(x < y) {
			lt = y
		}
		nz := x
		if math.IsNaN(x) {
			nz = 0
		}
		out = append(out, ft.slot(lt), ft.slot(nz))
	}
	return out
}

func TestOpsFloat(t *testing.T) {
	const threads, slots = 64, 39
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	negz := float32(math.Copysign(0, -1))
	specials := [][2]float32{
		{nan, 1}, {1, nan}, {inf, 1}, {-inf, inf}, {0, negz}, {2, 2}, {1, 0}, {-1, negz},
		{1e30, 1e-30}, {negz, 5}, {7, -3}, {-7.5, 2}, {65504, 2}, {1e-5, 3}, {3, 1e-8}, {nan, nan},
		{100.25, 3.5}, {-17, 0.75},
	}
	both(t, "ops", Target{}, func(r *run) [][]byte {
		a, b := r.randF32(threads), r.randF32(threads)
		for i, s := range specials {
			a[i], b[i] = s[0], s[1]
		}
		da, db, dout := r.alloc(f32Bytes(a)), r.alloc(f32Bytes(b)), r.poison(8*slots*threads)
		r.launch("ops_float", [3]uint32{1}, [3]uint32{threads}, 0, da, db, dout)
		out := r.read(dout, 8*slots*threads)
		for i := 0; i < threads; i++ {
			want := opsFloatRef(a[i], b[i])
			if len(want) != slots {
				t.Fatalf("reference has %d slots, kernel %d", len(want), slots)
			}
			checkSlots(r, "ops_float", out[8*slots*i:8*slots*(i+1)], want)
			if t.Failed() {
				t.Logf("inputs a=%v b=%v", a[i], b[i])
				break
			}
		}
		return [][]byte{out}
	})
}

func opsCastRef(i uint32, x float32, rec uint64) []slot {
	s := func(v uint64, w int) slot { return islot(v&mask(uint(8*w)), w) }
	i16 := uint64(i) & 0xFFFF
	v64 := uint64(int64(int32(i)) * 1000003)
	c := int32(i) > 0
	cs := uint64(0)
	if c {
		cs = math.MaxUint64
	}
	out := []slot{
		s(i16, 2), s(uint64(i), 1), s(uint64(i), 1), s(uint64(i&1), 4),
		s(v64, 4), s(v64, 2), s(v64, 1), s(i16*3, 1),
		s(b2i(c), 1), s(cs, 1), s(b2i(c), 2), s(cs, 2), s(b2i(c), 4), s(cs, 4), s(b2i(c), 8), s(cs, 8),
	}
	i8b := uint64(uint8(i) + 100)
	out = append(out,
		s(i8b, 2), s(uint64(sx(i8b, 8)), 2), s(i8b, 4), s(uint64(sx(i8b, 8)), 4), s(i8b, 8), s(uint64(sx(i8b, 8)), 8),
		s(i16, 4), s(uint64(sx(i16, 16)), 4), s(i16, 8), s(uint64(sx(i16, 16)), 8),
		s(uint64(i), 8), s(uint64(int64(int32(i))), 8),
	)
	d := float64(x)
	d2 := d * (1 + 1.0/(1<<32))
	h := f16Bits(d)
	hf := f16ToF32(h)
	ax := float32(math.Abs(float64(x)))
	out = append(out,
		f64slot(d), f32slot(float32(d2)), f16slot(h), f16slot(f16Bits(d2)), f32slot(hf), f64slot(float64(hf)),
		s(uint64(int32(x)), 4), s(uint64(int16(x)), 2), s(uint64(int8(x)), 1), s(uint64(int64(x)), 8),
		s(uint64(int32(d2)), 4), s(uint64(int64(d2)), 8), s(uint64(int32(hf)), 4), s(uint64(int16(hf)), 2),
		s(uint64(uint32(ax)), 4), s(uint64(uint16(ax)), 2), s(uint64(uint8(ax)), 1), s(uint64(ax), 8),
	)
	im := int32(i) % 1000
	neg1 := float32(0)
	if c {
		neg1 = -1
	}
	out = append(out,
		f32slot(float32(int32(i))), f64slot(float64(int32(i))), f16slot(f16Bits(float64(im))),
		f32slot(float32(int8(i8b))), f32slot(float32(int16(i16))), f64slot(float64(int64(v64))), f32slot(float32(int64(v64))),
		f32slot(neg1), f64slot(float64(neg1)),
		f32slot(float32(i)), f32slot(float32(uint8(i8b))), f16slot(f16Bits(float64(i16&2047))), f64slot(float64(v64)),
		f32slot(float32(b2i(c))), f16slot(f16Bits(float64(b2i(c)))),
	)
	hy := f16Bits(float64(x * 3))
	out = append(out,
		s(uint64(math.Float32bits(x)), 4), f32slot(math.Float32frombits(i)),
		s(math.Float64bits(d2), 8), f64slot(math.Float64frombits(v64)),
		s(uint64(h)|uint64(hy)<<16, 4), f16slot(uint16(i>>16)), s(uint64(h), 2), f16slot(uint16(i)),
		s(uint64(i>>16|i<<16), 4),
		s(uint64(h)|uint64(i>>16)<<16|uint64(hy)<<32|uint64(i&0xFFFF)<<48, 8),
		f32slot(math.Float32frombits(uint32(v64>>32))),
		s(rec, 4), s(uint64(i), 4), s(uint64(i), 1), f32slot(x), s(uint64(i), 4), s(uint64(i), 4),
	)
	return out
}

func TestOpsCast(t *testing.T) {
	const threads, slots = 64, 78
	both(t, "ops", Target{}, func(r *run) [][]byte {
		a := r.randU32(threads)
		x := make([]float32, threads)
		for k := range x {
			x[k] = float32(math.Max(-99, math.Min(99, 25*r.rng.NormFloat64())))
		}
		a[0], a[1], a[2], a[3] = 0x80000000, 0xFFFFFFFF, 0, 0x7FFFFFFF
		x[0], x[1], x[2] = 0.5, -0.75, 98.9
		da, dx, dout := r.alloc(u32Bytes(a)), r.alloc(f32Bytes(x)), r.poison(8*slots*threads)
		r.launch("ops_cast", [3]uint32{1}, [3]uint32{threads}, 0, da, dx, dout)
		out := r.read(dout, 8*slots*threads)
		for k := 0; k < threads; k++ {
			rec := dout + uint64(8*slots*k)
			want := opsCastRef(a[k], x[k], rec)
			if len(want) != slots {
				t.Fatalf("reference has %d slots, kernel %d", len(want), slots)
			}
			checkSlots(r, "ops_cast", out[8*slots*k:8*slots*(k+1)], want)
			if t.Failed() {
				t.Logf("inputs a=%#x x=%v", a[k], x[k])
				break
			}
		}
		return [][]byte{out}
	})
}
