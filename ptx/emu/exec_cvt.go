package emu

import (
	"math"
	"math/bits"

	"github.com/tilec/tilec/internal/fp"
)

// Conversions: cvt between all integer and float types (f16/bf16 and their
// packed pairs included), cvta between generic and state-space addresses,
// isspacep.

// intExact returns a float64 near the integer v (n bytes, signed or not)
// and the sign of the exact remainder, for correctly rounded conversion.
func intExact(v uint64, n int, signed bool) (float64, int) {
	if signed {
		iv := sext(v, n)
		s := float64(iv)
		if s >= 0x1p63 {
			return s, -1 // iv < 2^63 = s
		}
		back := int64(s)
		switch {
		case iv > back:
			return s, 1
		case iv < back:
			return s, -1
		}
		return s, 0
	}
	u := v & sizeMask(n)
	s := float64(u)
	if s >= 0x1p64 {
		return s, -1
	}
	back := uint64(s)
	switch {
	case u > back:
		return s, 1
	case u < back:
		return s, -1
	}
	return s, 0
}

// floatToInt converts v to an n-byte integer, saturating; NaN gives 0.
func floatToInt(v float64, n int, signed bool) uint64 {
	if math.IsNaN(v) {
		return 0
	}
	if signed {
		lo, hi := -math.Ldexp(1, 8*n-1), math.Ldexp(1, 8*n-1)
		switch {
		case v <= lo:
			return uint64(int64(-1)<<(8*n-1)) & sizeMask(n)
		case v >= hi:
			return sizeMask(n) >> 1
		}
		return uint64(int64(v)) & sizeMask(n)
	}
	hi := math.Ldexp(1, 8*n)
	switch {
	case v <= 0:
		return 0
	case v >= hi:
		return sizeMask(n)
	}
	return uint64(v)
}

func roundInt(v float64, mode string) float64 {
	switch mode {
	case "rni":
		return math.RoundToEven(v)
	case "rzi":
		return math.Trunc(v)
	case "rmi":
		return math.Floor(v)
	case "rpi":
		return math.Ceil(v)
	}
	return v
}

func decodeCvt(x *ictx) {
	irnd := x.pick("rni", "rzi", "rmi", "rpi")
	mode, hasMode := x.rounding()
	ftz := x.flag("ftz")
	sat := x.flag("sat")
	relu := x.flag("relu")
	satfinite := x.flag("satfinite")
	if len(x.types) != 2 {
		x.fail("cvt needs a destination and a source type")
		return
	}
	dt, st := x.types[0], x.types[1]
	if dt == tPred || st == tPred || dt == tTF32 {
		x.fail("cvt from %s to %s is not supported", st, dt)
		return
	}
	if (dt == tF16x2 || dt == tBF16x2) && st == tF32 {
		decodeCvtPack(x, dt, mode, hasMode, relu, satfinite)
		return
	}
	if dt.isFloat() && (dt == tF16x2 || dt == tBF16x2) || st == tF16x2 || st == tBF16x2 {
		x.fail("cvt from %s to %s is not supported", st, dt)
		return
	}
	if x.nargs(2) < 0 {
		return
	}
	x.in.d, x.in.a = x.dst(0), x.src(1, st)
	if relu && !dt.isFloat() || satfinite && !dt.isFloat() {
		x.fail(".relu and .satfinite need a float destination")
		return
	}
	dn, sn := dt.size(), st.size()
	var f func(a uint64) uint64
	switch {
	case !dt.isFloat() && !st.isFloat():
		if hasMode || irnd != "" {
			x.fail("integer conversions take no rounding modifier")
			return
		}
		dsigned, ssigned := dt.signed(), st.signed()
		width := x.dstWidth(0)
		f = func(a uint64) uint64 {
			var v int64
			var u uint64
			if ssigned {
				v = sext(a, sn)
			} else {
				u = a & sizeMask(sn)
			}
			if sat {
				// Clamp the source value to the destination's range.
				neg := ssigned && v < 0
				mag := u
				if ssigned && !neg {
					mag = uint64(v)
				}
				switch {
				case neg && !dsigned:
					return 0
				case neg:
					if uint64(-v) > 1<<(8*dn-1) {
						return (1 << (8*dn - 1)) & sizeMask(dn) // most negative
					}
					return uint64(v) & sizeMask(dn)
				case dsigned && mag > sizeMask(dn)>>1:
					return sizeMask(dn) >> 1
				case !dsigned && mag > sizeMask(dn):
					return sizeMask(dn)
				}
				return mag
			}
			if ssigned {
				u = uint64(v)
			}
			u &= sizeMask(dn)
			if dsigned && dn < width {
				u = uint64(sext(u, dn)) & sizeMask(width)
			}
			return u
		}
	case dt.isFloat() && !st.isFloat():
		if irnd != "" || !hasMode && dt != tF64 && !(sn <= 2 && dt == tF32) {
			x.fail("int to float conversion needs .rn, .rz, .rm or .rp")
			return
		}
		cd, _ := codecFor(dt)
		ssigned := st.signed()
		f = func(a uint64) uint64 {
			s, e := intExact(a, sn, ssigned)
			r := cd.enc(s, e, mode)
			if sat {
				r = cd.saturate(r)
			}
			return r
		}
	case !dt.isFloat() && st.isFloat():
		if hasMode || irnd == "" {
			x.fail("float to int conversion needs .rni, .rzi, .rmi or .rpi")
			return
		}
		cd, _ := codecFor(st)
		dsigned := dt.signed()
		width := x.dstWidth(0)
		f = func(a uint64) uint64 {
			if ftz {
				a = cd.ftzIn(a)
			}
			r := floatToInt(roundInt(cd.dec(a), irnd), dn, dsigned)
			if dsigned && dn < width {
				r = uint64(sext(r, dn)) & sizeMask(width)
			}
			return r
		}
	default:
		sc, _ := codecFor(st)
		dc, _ := codecFor(dt)
		narrowing := dn < sn || dt == tBF16 && st == tF16 || dt == tF16 && st == tBF16
		if narrowing && !hasMode {
			x.fail("narrowing float conversion needs .rn, .rz, .rm or .rp")
			return
		}
		if irnd != "" && hasMode {
			x.fail("conflicting rounding modifiers")
			return
		}
		f = func(a uint64) uint64 {
			if ftz {
				a = sc.ftzIn(a)
			}
			v := sc.dec(a)
			if irnd != "" {
				v = roundInt(v, irnd)
			}
			if relu && (v < 0 || math.IsNaN(v)) {
				if math.IsNaN(v) {
					return fcanon(dt)
				}
				v = 0
			}
			r := dc.enc(v, 0, mode)
			if satfinite && !math.IsNaN(v) && math.IsInf(dc.dec(r), 0) {
				r = dc.enc(math.Copysign(math.MaxFloat64, v), 0, fp.TowardZero)
			}
			if ftz {
				r = dc.ftzIn(r)
			}
			if sat {
				r = dc.saturate(r)
			}
			return r
		}
	}
	x.in.exec = lanes1(f)
}

// decodeCvtPack: cvt.rn[.relu][.satfinite].{f16x2,bf16x2}.f32 d, a, b puts
// the conversion of a in the upper half of d and of b in the lower half.
func decodeCvtPack(x *ictx, dt ptype, mode fp.Mode, hasMode, relu, satfinite bool) {
	if !hasMode {
		x.fail("cvt to %s needs a rounding modifier", dt)
		return
	}
	if x.nargs(3) < 0 {
		return
	}
	dc, _ := codecFor(dt)
	one := func(a uint64) uint64 {
		v := float64(f32of(a))
		if relu && (v < 0 || math.IsNaN(v)) {
			if math.IsNaN(v) {
				return 0x7fff
			}
			v = 0
		}
		r := dc.enc(v, 0, mode)
		if satfinite && !math.IsNaN(v) && math.IsInf(dc.dec(r), 0) {
			r = dc.enc(math.Copysign(math.MaxFloat64, v), 0, fp.TowardZero)
		}
		return r
	}
	x.in.d, x.in.a, x.in.b = x.dst(0), x.src(1, tF32), x.src(2, tF32)
	x.in.exec = lanes2(func(a, b uint64) uint64 { return one(a)<<16 | one(b) })
}

func decodeCvta(x *ictx) {
	to := x.flag("to")
	sp := x.memSpace()
	t := x.typ()
	if t != tU64 && t != tU32 && t != tB64 && t != tB32 || sp == spGeneric {
		x.fail("expected cvta[.to].{global,shared,local,const,param}.{u32,u64}")
		return
	}
	var win uint64
	switch sp {
	case spShared:
		win = sharedWin
	case spLocal:
		win = localWin
	case spParam:
		win = paramWin
	}
	mask := t.mask()
	if to {
		x.unary(t, func(a uint64) uint64 { return (a - win) & mask })
	} else {
		x.unary(t, func(a uint64) uint64 { return (a + win) & mask })
	}
}

func decodeIsspacep(x *ictx) {
	sp := x.memSpace()
	if sp == spGeneric || sp == spParam || x.nargs(2) < 0 {
		x.fail("expected isspacep.{global,shared,local,const} p, a")
		return
	}
	x.in.d, x.in.a = x.dst(0), x.src(1, tU64)
	x.in.exec = func(w *warp, in *inst, m uint32) {
		r := w.r
		for ; m != 0; m &= m - 1 {
			l := int32(bits.TrailingZeros32(m))
			a := r[in.a+l]
			inShared, inLocal := a-sharedWin < winSize, a-localWin < winSize
			var v bool
			switch sp {
			case spShared:
				v = inShared
			case spLocal:
				v = inLocal
			case spGlobal:
				v = !inShared && !inLocal
			case spConst:
				al := w.c.l.dev.mem.find(a, 1)
				v = al != nil && al.readOnly
			}
			r[in.d+l] = boolU(v)
		}
	}
}
