package emu

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"math/rand"
	"strings"
	"testing"

	"github.com/tilec/tilec/internal/fp"
)

// Per-instruction tests: each case is a tiny kernel that reads operands
// a, b, c (u64 each) per thread into registers A, B, C of the given
// types, runs body, and stores D (widened to u64). Expected values come
// from Go written independently of the emulator.

type opCase struct {
	body     string
	ta, tc   string // register types of A,B and of C ("b32" when empty)
	td       string // type of D; "pred" for predicates
	ref      func(a, b, c uint64) uint64
	gen      func(r *rand.Rand) uint64 // operand generator; default: mixed integers
	tolerate func(got, want uint64) bool
}

func regSize(t string) int {
	switch t {
	case "pred":
		return 0
	case "b16", "u16", "s16", "f16":
		return 2
	case "b64", "u64", "s64", "f64":
		return 8
	}
	return 4
}

func toReg(dst, t, src string) string {
	switch regSize(t) {
	case 0:
		return fmt.Sprintf("setp.ne.u64 %s, %s, 0;", dst, src)
	case 2:
		return fmt.Sprintf("cvt.u16.u64 %s, %s;", dst, src)
	case 8:
		return fmt.Sprintf("mov.b64 %s, %s;", dst, src)
	}
	return fmt.Sprintf("cvt.u32.u64 %s, %s;", dst, src)
}

func fromReg(dst, t, src string) string {
	switch regSize(t) {
	case 0:
		return fmt.Sprintf("selp.u64 %s, 1, 0, %s;", dst, src)
	case 2:
		return fmt.Sprintf("cvt.u64.u16 %s, %s;", dst, src)
	case 8:
		return fmt.Sprintf("mov.b64 %s, %s;", dst, src)
	}
	return fmt.Sprintf("cvt.u64.u32 %s, %s;", dst, src)
}

func regDecl(t string) string {
	if t == "pred" {
		return ".pred"
	}
	return fmt.Sprintf(".b%d", 8*regSize(t))
}

func opKernel(c opCase) string {
	ta, tc, td := c.ta, c.tc, c.td
	if ta == "" {
		ta = "b32"
	}
	if tc == "" {
		tc = ta
	}
	if td == "" {
		td = ta
	}
	return ptxHeader + `.visible .entry k(.param .u64 pa, .param .u64 pb, .param .u64 pc, .param .u64 pd) {
	.reg .b32 %r<4>;
	.reg .b64 %rd<12>;
	.reg ` + regDecl(ta) + ` A, B;
	.reg ` + regDecl(tc) + ` C;
	.reg ` + regDecl(td) + ` D;
	.reg .pred P, Q;
	.reg .b32 E, F;
	mov.u32 %r1, %ctaid.x;
	mov.u32 %r2, %ntid.x;
	mov.u32 %r3, %tid.x;
	mad.lo.s32 %r1, %r1, %r2, %r3;
	mul.wide.u32 %rd1, %r1, 8;
	ld.param.u64 %rd2, [pa];
	add.s64 %rd2, %rd2, %rd1;
	ld.global.u64 %rd3, [%rd2];
	ld.param.u64 %rd4, [pb];
	add.s64 %rd4, %rd4, %rd1;
	ld.global.u64 %rd5, [%rd4];
	ld.param.u64 %rd6, [pc];
	add.s64 %rd6, %rd6, %rd1;
	ld.global.u64 %rd7, [%rd6];
	` + toReg("A", ta, "%rd3") + `
	` + toReg("B", ta, "%rd5") + `
	` + toReg("C", tc, "%rd7") + `
	` + c.body + `
	` + fromReg("%rd9", td, "D") + `
	ld.param.u64 %rd10, [pd];
	add.s64 %rd10, %rd10, %rd1;
	st.global.u64 [%rd10], %rd9;
	ret;
}`
}

// genInt mixes small values, sign boundaries and random bits.
func genInt(r *rand.Rand) uint64 {
	switch r.Intn(5) {
	case 0:
		return uint64(r.Intn(70))
	case 1:
		return uint64(int64(-r.Intn(70)))
	case 2:
		return []uint64{0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x7fff, 0x8000, 0xffff, 1 << 63, 1<<63 - 1, math.MaxUint64}[r.Intn(11)]
	case 3:
		return uint64(r.Uint32())
	}
	return r.Uint64()
}

func runOpCase(t *testing.T, name string, c opCase) {
	t.Helper()
	const n = 256
	r := rand.New(rand.NewSource(int64(len(name)) * 7919))
	gen := c.gen
	if gen == nil {
		gen = genInt
	}
	a, b, cc := make([]uint64, n), make([]uint64, n), make([]uint64, n)
	for i := range a {
		a[i], b[i], cc[i] = gen(r), gen(r), gen(r)
	}
	src := opKernel(c)
	m, err := Parse(name, []byte(src))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	d := NewDevice(Options{Workers: 1})
	da, db, dc := alloc(t, d, u64Bytes(a)), alloc(t, d, u64Bytes(b)), alloc(t, d, u64Bytes(cc))
	dd := alloc(t, d, nanBytes(8*n))
	res := run(t, d, m, "k", [3]uint32{2}, [3]uint32{n / 2}, da.addr, db.addr, dc.addr, dd.addr)
	requireClean(t, res)
	ta, tc, td := c.ta, c.tc, c.td
	if ta == "" {
		ta = "b32"
	}
	if tc == "" {
		tc = ta
	}
	if td == "" {
		td = ta
	}
	mask := func(t string, v uint64) uint64 {
		if t == "pred" {
			return boolU(v != 0)
		}
		if regSize(t) == 8 {
			return v
		}
		return v & (1<<(8*regSize(t)) - 1)
	}
	bad := 0
	for i, got := range bytesU64(dd.bytes(t)) {
		want := mask(td, c.ref(mask(ta, a[i]), mask(ta, b[i]), mask(tc, cc[i])))
		ok := got == want
		if !ok && c.tolerate != nil {
			ok = c.tolerate(got, want)
		}
		if !ok {
			t.Errorf("%s: a=%#x b=%#x c=%#x: got %#x, want %#x", name, a[i], b[i], cc[i], got, want)
			if bad++; bad > 5 {
				t.FailNow()
			}
		}
	}
}

func s32(v uint64) int32  { return int32(uint32(v)) }
func u32(v uint64) uint32 { return uint32(v) }

func mulHiBig(a, b uint64, signed bool) uint64 {
	x, y := new(big.Int).SetUint64(a), new(big.Int).SetUint64(b)
	if signed {
		x.SetInt64(int64(a))
		y.SetInt64(int64(b))
	}
	p := x.Mul(x, y)
	p.Rsh(p, 64)
	return uint64(p.Int64()) // low 64 bits of the high half (two's complement)
}

func TestIntegerOps(t *testing.T) {
	sat := func(v int64) uint64 {
		return uint64(uint32(int32(max(min(v, math.MaxInt32), math.MinInt32))))
	}
	nz := func(r *rand.Rand) uint64 {
		if v := genInt(r); uint32(v) != 0 && uint32(v) != 0xffffffff {
			return v
		}
		return 3
	}
	cases := map[string]opCase{
		"add.s32":      {body: "add.s32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(u32(a) + u32(b)) }},
		"sub.s32":      {body: "sub.s32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(u32(a) - u32(b)) }},
		"add.sat.s32":  {body: "add.sat.s32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return sat(int64(s32(a)) + int64(s32(b))) }},
		"sub.sat.s32":  {body: "sub.sat.s32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return sat(int64(s32(a)) - int64(s32(b))) }},
		"add.u64":      {ta: "u64", body: "add.u64 D, A, B;", ref: func(a, b, _ uint64) uint64 { return a + b }},
		"add.s16":      {ta: "s16", body: "add.s16 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(uint16(a) + uint16(b)) }},
		"mul.lo.s32":   {body: "mul.lo.s32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(u32(a) * u32(b)) }},
		"mul.hi.s32":   {body: "mul.hi.s32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(uint32((int64(s32(a)) * int64(s32(b))) >> 32)) }},
		"mul.hi.u32":   {body: "mul.hi.u32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(a * b >> 32) }},
		"mul.wide.s32": {td: "b64", body: "mul.wide.s32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(int64(s32(a)) * int64(s32(b))) }},
		"mul.wide.u32": {td: "b64", body: "mul.wide.u32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return a * b }},
		"mul.wide.s16": {ta: "s16", td: "b32", body: "mul.wide.s16 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(uint32(int32(int16(a)) * int32(int16(b)))) }},
		"mul.hi.s64":   {ta: "s64", body: "mul.hi.s64 D, A, B;", ref: func(a, b, _ uint64) uint64 { return mulHiBig(a, b, true) }},
		"mul.hi.u64":   {ta: "u64", body: "mul.hi.u64 D, A, B;", ref: func(a, b, _ uint64) uint64 { return mulHiBig(a, b, false) }},
		"mul.lo.u64":   {ta: "u64", body: "mul.lo.u64 D, A, B;", ref: func(a, b, _ uint64) uint64 { return a * b }},
		"mad.lo.s32":   {body: "mad.lo.s32 D, A, B, C;", ref: func(a, b, c uint64) uint64 { return uint64(u32(a)*u32(b) + u32(c)) }},
		"mad.hi.u32":   {body: "mad.hi.u32 D, A, B, C;", ref: func(a, b, c uint64) uint64 { return uint64(uint32(a*b>>32) + u32(c)) }},
		"mad.wide.s32": {tc: "b64", td: "b64", body: "mad.wide.s32 D, A, B, C;", ref: func(a, b, c uint64) uint64 { return uint64(int64(s32(a))*int64(s32(b))) + c }},
		"div.s32":      {gen: nz, body: "div.s32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(uint32(s32(a) / s32(b))) }},
		"div.u32":      {gen: nz, body: "div.u32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(u32(a) / u32(b)) }},
		"rem.s32":      {gen: nz, body: "rem.s32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(uint32(s32(a) % s32(b))) }},
		"rem.u64":      {ta: "u64", gen: func(r *rand.Rand) uint64 { return genInt(r) | 1 }, body: "rem.u64 D, A, B;", ref: func(a, b, _ uint64) uint64 { return a % b }},
		"div.u32 by 0": {body: "mov.u32 B, 0;\n\tdiv.u32 D, A, B;", ref: func(_, _, _ uint64) uint64 { return 0xffffffff }},
		"abs.s32": {body: "abs.s32 D, A;", ref: func(a, _, _ uint64) uint64 {
			v := s32(a)
			if v < 0 {
				v = -v
			}
			return uint64(uint32(v))
		}},
		"neg.s32":  {body: "neg.s32 D, A;", ref: func(a, _, _ uint64) uint64 { return uint64(uint32(-s32(a))) }},
		"min.s32":  {body: "min.s32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(uint32(min(s32(a), s32(b)))) }},
		"max.u32":  {body: "max.u32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(max(u32(a), u32(b))) }},
		"min.s64":  {ta: "s64", body: "min.s64 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(min(int64(a), int64(b))) }},
		"popc.b32": {body: "popc.b32 D, A;", ref: func(a, _, _ uint64) uint64 { return uint64(bits.OnesCount32(u32(a))) }},
		"popc.b64": {ta: "b64", td: "b32", body: "popc.b64 D, A;", ref: func(a, _, _ uint64) uint64 { return uint64(bits.OnesCount64(a)) }},
		"clz.b32":  {body: "clz.b32 D, A;", ref: func(a, _, _ uint64) uint64 { return uint64(bits.LeadingZeros32(u32(a))) }},
		"clz.b64":  {ta: "b64", td: "b32", body: "clz.b64 D, A;", ref: func(a, _, _ uint64) uint64 { return uint64(bits.LeadingZeros64(a)) }},
		"brev.b32": {body: "brev.b32 D, A;", ref: func(a, _, _ uint64) uint64 { return uint64(bits.Reverse32(u32(a))) }},
		"bfind.u32": {body: "bfind.u32 D, A;", ref: func(a, _, _ uint64) uint64 {
			if u32(a) == 0 {
				return 0xffffffff
			}
			return uint64(31 - bits.LeadingZeros32(u32(a)))
		}},
		"bfind.s32": {body: "bfind.s32 D, A;", ref: func(a, _, _ uint64) uint64 {
			v := u32(a)
			if int32(v) < 0 {
				v = ^v
			}
			if v == 0 {
				return 0xffffffff
			}
			return uint64(31 - bits.LeadingZeros32(v))
		}},
		"bfe.u32": {body: "and.b32 E, B, 31;\n\tand.b32 F, C, 15;\n\tbfe.u32 D, A, E, F;", ref: func(a, b, c uint64) uint64 {
			pos, ln := b&31, c&15
			v := a >> pos
			if ln == 0 {
				return 0
			}
			if pos+ln > 32 {
				ln = 32 - pos
			}
			return v & (1<<ln - 1)
		}},
		"bfe.s32": {body: "and.b32 E, B, 31;\n\tand.b32 F, C, 15;\n\tbfe.s32 D, A, E, F;", ref: func(a, b, c uint64) uint64 {
			pos, ln := uint(b&31), uint(c&15)
			if ln == 0 {
				return 0
			}
			end := min(pos+ln, 32)
			// Shift the field to the top, then arithmetic-shift it down.
			v := int32(u32(a)<<(32-end)) >> (32 - (end - pos))
			return uint64(uint32(v))
		}},
		"bfi.b32": {body: "and.b32 E, C, 31;\n\tshr.b32 F, C, 8;\n\tand.b32 F, F, 31;\n\tbfi.b32 D, A, B, E, F;", ref: func(a, b, c uint64) uint64 {
			pos, ln := uint(c&31), uint(c>>8&31)
			mask := uint32(1<<ln-1) << pos
			return uint64(u32(b)&^mask | u32(a)<<pos&mask)
		}},
		"prmt.b32": {body: "prmt.b32 D, A, B, C;", ref: func(a, b, c uint64) uint64 {
			src := [8]byte{}
			for i := 0; i < 4; i++ {
				src[i], src[i+4] = byte(a>>(8*i)), byte(b>>(8*i))
			}
			var d uint32
			for k := 0; k < 4; k++ {
				sel := c >> (4 * k) & 15
				v := uint32(src[sel&7])
				if sel&8 != 0 {
					v = uint32(int32(int8(v))>>7) & 0xff
				}
				d |= v << (8 * k)
			}
			return uint64(d)
		}},
		"shf.l.wrap.b32": {body: "shf.l.wrap.b32 D, A, B, C;", ref: func(a, b, c uint64) uint64 {
			return uint64(uint32((uint64(u32(b))<<32 | uint64(u32(a))) << (c & 31) >> 32))
		}},
		"shf.r.clamp.b32": {body: "shf.r.clamp.b32 D, A, B, C;", ref: func(a, b, c uint64) uint64 {
			n := min(u32(c), 32)
			return uint64(uint32((uint64(u32(b))<<32 | uint64(u32(a))) >> n))
		}},
		"shl.b32": {body: "shl.b32 D, A, B;", ref: func(a, b, _ uint64) uint64 {
			if u32(b) >= 32 {
				return 0
			}
			return uint64(u32(a) << u32(b))
		}},
		"shr.s32": {body: "shr.s32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return uint64(uint32(s32(a) >> min(u32(b), 31))) }},
		"shr.u32": {body: "shr.u32 D, A, B;", ref: func(a, b, _ uint64) uint64 {
			if u32(b) >= 32 {
				return 0
			}
			return uint64(u32(a) >> u32(b))
		}},
		"shr.u64": {ta: "u64", body: "cvt.u32.u64 E, B;\n\tshr.u64 D, A, E;", ref: func(a, b, _ uint64) uint64 {
			if u32(b) >= 64 {
				return 0
			}
			return a >> u32(b)
		}},
		"and.b32":      {body: "and.b32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return a & b }},
		"or.b64":       {ta: "b64", body: "or.b64 D, A, B;", ref: func(a, b, _ uint64) uint64 { return a | b }},
		"xor.b16":      {ta: "b16", body: "xor.b16 D, A, B;", ref: func(a, b, _ uint64) uint64 { return a ^ b }},
		"not.b32":      {body: "not.b32 D, A;", ref: func(a, _, _ uint64) uint64 { return uint64(^u32(a)) }},
		"cnot.b32":     {body: "cnot.b32 D, A;", ref: func(a, _, _ uint64) uint64 { return boolU(u32(a) == 0) }},
		"lop3.b32":     {body: "lop3.b32 D, A, B, C, 0x96;", ref: func(a, b, c uint64) uint64 { return uint64(u32(a) ^ u32(b) ^ u32(c)) }},
		"lop3.b32 maj": {body: "lop3.b32 D, A, B, C, 0xe8;", ref: func(a, b, c uint64) uint64 { return uint64(u32(a)&u32(b) | u32(a)&u32(c) | u32(b)&u32(c)) }},
		"setp.lt.s32":  {td: "pred", body: "setp.lt.s32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return boolU(s32(a) < s32(b)) }},
		"setp.lo.u32":  {td: "pred", body: "setp.lo.u32 D, A, B;", ref: func(a, b, _ uint64) uint64 { return boolU(u32(a) < u32(b)) }},
		"setp.ge.s64":  {ta: "s64", td: "pred", body: "setp.ge.s64 D, A, B;", ref: func(a, b, _ uint64) uint64 { return boolU(int64(a) >= int64(b)) }},
		"setp pair+and": {td: "pred", body: "setp.ne.u32 P, C, 0;\n\tsetp.gt.u32.and Q|D, A, B, !P;", ref: func(a, b, c uint64) uint64 {
			return boolU(u32(a) <= u32(b) && u32(c) == 0)
		}},
		"selp.b32": {body: "setp.ne.u32 P, C, 0;\n\tselp.b32 D, A, B, P;", ref: func(a, b, c uint64) uint64 {
			if u32(c) != 0 {
				return a
			}
			return b
		}},
		"pred ops": {body: "setp.ne.u32 P, A, 0;\n\tsetp.ne.u32 Q, B, 0;\n\txor.pred P, P, Q;\n\tnot.pred Q, P;\n\tselp.u32 D, 7, 9, Q;", ref: func(a, b, _ uint64) uint64 {
			if (u32(a) != 0) != (u32(b) != 0) {
				return 9
			}
			return 7
		}},
		"mov pack":    {ta: "b16", td: "b32", body: "mov.b32 D, {A, B};", ref: func(a, b, _ uint64) uint64 { return b<<16 | a }},
		"mov unpack":  {td: "b16", body: "mov.b32 {D, _}, A;", ref: func(a, _, _ uint64) uint64 { return a & 0xffff }},
		"cvt.s64.s32": {td: "b64", body: "cvt.s64.s32 D, A;", ref: func(a, _, _ uint64) uint64 { return uint64(int64(s32(a))) }},
		"cvt.u16.u32": {td: "b16", body: "cvt.u16.u32 D, A;", ref: func(a, _, _ uint64) uint64 { return a & 0xffff }},
		"cvt.sat.s8.s32": {body: "cvt.sat.s8.s32 D, A;", ref: func(a, _, _ uint64) uint64 {
			return uint64(uint8(int8(max(min(s32(a), 127), -128))))
		}},
		"cvt.sat.u8.s32": {body: "cvt.sat.u8.s32 D, A;", ref: func(a, _, _ uint64) uint64 { return uint64(max(min(s32(a), 255), 0)) }},
		"cvt.sat.u32.s64": {ta: "s64", td: "b32", body: "cvt.sat.u32.s64 D, A;", ref: func(a, _, _ uint64) uint64 {
			return uint64(max(min(int64(a), math.MaxUint32), 0))
		}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { runOpCase(t, name, c) })
	}
}

// genF32 draws f32 operands: ordinary values, specials and subnormals.
func genF32(r *rand.Rand) uint64 {
	switch r.Intn(8) {
	case 0:
		return uint64([]uint32{0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x00000001, 0x807fffff, 0x7f7fffff, 0x00800000, 0x3f800000}[r.Intn(10)])
	case 1:
		return uint64(r.Uint32() & 0x807fffff) // subnormal
	}
	return uint64(math.Float32bits(float32(r.NormFloat64() * math.Pow(2, float64(r.Intn(40)-20)))))
}

// genF32Normal draws f32 values whose results stay in the normal range,
// where big.Float's rounding is an exact reference for every mode.
func genF32Normal(r *rand.Rand) uint64 {
	v := float32((1 + r.Float64()) * math.Pow(2, float64(r.Intn(60)-30)))
	if r.Intn(2) == 0 {
		v = -v
	}
	return uint64(math.Float32bits(v))
}

func bigF(v float64) *big.Float { return new(big.Float).SetPrec(400).SetFloat64(v) }

// refF32 evaluates op exactly with big.Float and rounds with mode.
func refF32(m fp.Mode, op func(a, b, c *big.Float) *big.Float) func(a, b, c uint64) uint64 {
	return func(a, b, c uint64) uint64 {
		x := op(bigF(float64(f32of(a))), bigF(float64(f32of(b))), bigF(float64(f32of(c))))
		return uint64(math.Float32bits(bigRound32(x, m)))
	}
}

func f32eq(got, want uint64) bool {
	g, w := f32of(got), f32of(want)
	return g == w && math.Signbit(float64(g)) == math.Signbit(float64(w)) || math.IsNaN(float64(g)) && math.IsNaN(float64(w))
}

// ulpClose accepts results within n ulps (for .approx instructions).
func ulpClose(n float64) func(got, want uint64) bool {
	return func(got, want uint64) bool {
		g, w := float64(f32of(got)), float64(f32of(want))
		if math.IsNaN(g) || math.IsNaN(w) || math.IsInf(w, 0) {
			return math.IsNaN(g) == math.IsNaN(w) && (math.IsNaN(g) || g == w)
		}
		ulp := math.Max(math.Abs(float64(math.Nextafter32(float32(w), float32(math.Inf(1))))-math.Abs(w)), 0x1p-149)
		return math.Abs(g-w) <= n*ulp
	}
}

func TestFloatOps(t *testing.T) {
	add := func(a, b, _ *big.Float) *big.Float { return a.Add(a, b) }
	sub := func(a, b, _ *big.Float) *big.Float { return a.Sub(a, b) }
	mul := func(a, b, _ *big.Float) *big.Float { return a.Mul(a, b) }
	fma := func(a, b, c *big.Float) *big.Float { return a.Add(a.Mul(a, b), c) }
	div := func(a, b, _ *big.Float) *big.Float { return a.Quo(a, b) }
	sqrt := func(a, _, _ *big.Float) *big.Float { return a.Sqrt(a.Abs(a)) }
	f32 := func(v float32) uint64 { return uint64(math.Float32bits(v)) }
	fv := func(v uint64) float32 { return f32of(v) }
	cases := map[string]opCase{}
	modes := []string{"rn", "rz", "rm", "rp"}
	for mi, mname := range modes {
		m := fp.Mode(mi)
		cases["add."+mname+".f32"] = opCase{body: "add." + mname + ".f32 D, A, B;", gen: genF32Normal, ref: refF32(m, add)}
		cases["sub."+mname+".f32"] = opCase{body: "sub." + mname + ".f32 D, A, B;", gen: genF32Normal, ref: refF32(m, sub)}
		cases["mul."+mname+".f32"] = opCase{body: "mul." + mname + ".f32 D, A, B;", gen: genF32Normal, ref: refF32(m, mul)}
		cases["fma."+mname+".f32"] = opCase{body: "fma." + mname + ".f32 D, A, B, C;", gen: genF32Normal, ref: refF32(m, fma)}
		cases["div."+mname+".f32"] = opCase{body: "div." + mname + ".f32 D, A, B;", gen: genF32Normal, ref: refF32(m, div)}
		cases["sqrt."+mname+".f32"] = opCase{body: "abs.f32 A, A;\n\tsqrt." + mname + ".f32 D, A;", gen: genF32Normal, ref: refF32(m, sqrt)}
	}
	// Round to nearest over the whole range, specials included: Go's
	// float32 arithmetic is the reference.
	cases["add.f32 full range"] = opCase{body: "add.f32 D, A, B;", gen: genF32, ref: func(a, b, _ uint64) uint64 { return f32(fv(a) + fv(b)) }, tolerate: f32eq}
	cases["mul.f32 full range"] = opCase{body: "mul.f32 D, A, B;", gen: genF32, ref: func(a, b, _ uint64) uint64 { return f32(fv(a) * fv(b)) }, tolerate: f32eq}
	cases["div.rn.f32 full range"] = opCase{body: "div.rn.f32 D, A, B;", gen: genF32, ref: func(a, b, _ uint64) uint64 { return f32(fv(a) / fv(b)) }, tolerate: f32eq}
	cases["sqrt.rn.f32 full range"] = opCase{body: "sqrt.rn.f32 D, A;", gen: genF32, ref: func(a, _, _ uint64) uint64 { return f32(float32(math.Sqrt(float64(fv(a))))) }, tolerate: f32eq}
	cases["fma.rn.f32 full range"] = opCase{body: "fma.rn.f32 D, A, B, C;", gen: genF32, ref: func(a, b, c uint64) uint64 {
		x, y, z := float64(fv(a)), float64(fv(b)), float64(fv(c))
		if math.IsNaN(x) || math.IsNaN(y) || math.IsNaN(z) || math.IsInf(x, 0) || math.IsInf(y, 0) || math.IsInf(z, 0) {
			return f32(float32(x*y + z))
		}
		e := bigF(x)
		e.Add(e.Mul(e, bigF(y)), bigF(z))
		v, _ := e.Float32() // nearest even, subnormals included
		return f32(v)
	}, tolerate: f32eq}
	ftz := func(v float32) float32 {
		if v != 0 && math.Abs(float64(v)) < 0x1p-126 {
			return float32(math.Copysign(0, float64(v)))
		}
		return v
	}
	cases["add.ftz.f32"] = opCase{body: "add.ftz.f32 D, A, B;", gen: genF32, ref: func(a, b, _ uint64) uint64 { return f32(ftz(ftz(fv(a)) + ftz(fv(b)))) }, tolerate: f32eq}
	cases["mul.sat.f32"] = opCase{body: "mul.sat.f32 D, A, B;", gen: genF32, ref: func(a, b, _ uint64) uint64 {
		v := fv(a) * fv(b)
		switch {
		case v != v || v < 0:
			return 0
		case v > 1:
			return f32(1)
		}
		return f32(v)
	}, tolerate: f32eq}
	minmax := func(isMax, nanProp bool) func(a, b, _ uint64) uint64 {
		return func(a, b, _ uint64) uint64 {
			x, y := float64(fv(a)), float64(fv(b))
			switch {
			case math.IsNaN(x) && math.IsNaN(y), nanProp && (math.IsNaN(x) || math.IsNaN(y)):
				return 0x7fffffff
			case math.IsNaN(x):
				return b
			case math.IsNaN(y):
				return a
			}
			if isMax {
				return f32(float32(math.Max(x, y))) // math.Max orders -0 < +0 too
			}
			return f32(float32(math.Min(x, y)))
		}
	}
	cases["min.f32"] = opCase{body: "min.f32 D, A, B;", gen: genF32, ref: minmax(false, false)}
	cases["max.f32"] = opCase{body: "max.f32 D, A, B;", gen: genF32, ref: minmax(true, false)}
	cases["max.NaN.f32"] = opCase{body: "max.NaN.f32 D, A, B;", gen: genF32, ref: minmax(true, true)}
	cases["abs.f32"] = opCase{body: "abs.f32 D, A;", gen: genF32, ref: func(a, _, _ uint64) uint64 { return a &^ (1 << 31) }}
	cases["neg.f32"] = opCase{body: "neg.f32 D, A;", gen: genF32, ref: func(a, _, _ uint64) uint64 { return a ^ 1<<31 }}
	for _, c := range []struct {
		op  string
		rel func(x, y float64) bool
	}{
		{"eq", func(x, y float64) bool { return x == y }},
		{"ne", func(x, y float64) bool { return x != y && !math.IsNaN(x) && !math.IsNaN(y) }},
		{"lt", func(x, y float64) bool { return x < y }},
		{"geu", func(x, y float64) bool { return !(x < y) }},
		{"neu", func(x, y float64) bool { return x != y }},
		{"num", func(x, y float64) bool { return !math.IsNaN(x) && !math.IsNaN(y) }},
		{"nan", func(x, y float64) bool { return math.IsNaN(x) || math.IsNaN(y) }},
	} {
		rel := c.rel
		cases["setp."+c.op+".f32"] = opCase{td: "pred", body: "setp." + c.op + ".f32 D, A, B;", gen: genF32, ref: func(a, b, _ uint64) uint64 {
			return boolU(rel(float64(fv(a)), float64(fv(b))))
		}}
	}
	approx := func(f func(float64) float64) func(a, _, _ uint64) uint64 {
		return func(a, _, _ uint64) uint64 { return f32(float32(f(float64(fv(a))))) }
	}
	cases["ex2.approx.f32"] = opCase{body: "ex2.approx.f32 D, A;", gen: genF32, ref: approx(math.Exp2), tolerate: ulpClose(2)}
	cases["lg2.approx.f32"] = opCase{body: "lg2.approx.f32 D, A;", gen: genF32, ref: approx(math.Log2), tolerate: ulpClose(2)}
	cases["rsqrt.approx.f32"] = opCase{body: "rsqrt.approx.f32 D, A;", gen: genF32, ref: approx(func(x float64) float64 { return 1 / math.Sqrt(x) }), tolerate: ulpClose(2)}
	cases["rcp.approx.f32"] = opCase{body: "rcp.approx.f32 D, A;", gen: genF32Normal, ref: approx(func(x float64) float64 { return 1 / x }), tolerate: ulpClose(1)}
	cases["sin.approx.f32"] = opCase{body: "sin.approx.f32 D, A;", gen: genF32Normal, ref: approx(math.Sin), tolerate: ulpClose(4)}
	cases["cos.approx.f32"] = opCase{body: "cos.approx.f32 D, A;", gen: genF32Normal, ref: approx(math.Cos), tolerate: ulpClose(4)}
	cases["div.full.f32"] = opCase{body: "div.full.f32 D, A, B;", gen: genF32Normal, ref: func(a, b, _ uint64) uint64 { return f32(fv(a) / fv(b)) }, tolerate: ulpClose(2)}
	cases["ex2.approx.ftz.f32 -inf"] = opCase{body: "mov.b32 A, 0fFF800000;\n\tex2.approx.ftz.f32 D, A;", ref: func(_, _, _ uint64) uint64 { return 0 }}
	cases["testp.subnormal.f32"] = opCase{td: "pred", body: "testp.subnormal.f32 D, A;", gen: genF32, ref: func(a, _, _ uint64) uint64 {
		v := math.Abs(float64(fv(a)))
		return boolU(v > 0 && v < 0x1p-126)
	}}
	// f64: Go's float64 arithmetic and math.FMA are the reference.
	f64 := math.Float64bits
	dv := math.Float64frombits
	genF64 := func(r *rand.Rand) uint64 { return f64(r.NormFloat64() * math.Pow(2, float64(r.Intn(200)-100))) }
	cases["add.rn.f64"] = opCase{ta: "f64", body: "add.rn.f64 D, A, B;", gen: genF64, ref: func(a, b, _ uint64) uint64 { return f64(dv(a) + dv(b)) }}
	cases["fma.rn.f64"] = opCase{ta: "f64", body: "fma.rn.f64 D, A, B, C;", gen: genF64, ref: func(a, b, c uint64) uint64 { return f64(math.FMA(dv(a), dv(b), dv(c))) }}
	cases["div.rn.f64"] = opCase{ta: "f64", body: "div.rn.f64 D, A, B;", gen: genF64, ref: func(a, b, _ uint64) uint64 { return f64(dv(a) / dv(b)) }}
	cases["mul.rz.f64"] = opCase{ta: "f64", body: "mul.rz.f64 D, A, B;", gen: genF64, ref: func(a, b, _ uint64) uint64 {
		x := new(big.Float).SetPrec(200).SetFloat64(dv(a))
		x.Mul(x, bigF(dv(b)))
		v, _ := new(big.Float).SetPrec(53).SetMode(big.ToZero).Set(x).Float64()
		return f64(v)
	}}
	cases["sqrt.rn.f64"] = opCase{ta: "f64", body: "abs.f64 A, A;\n\tsqrt.rn.f64 D, A;", gen: genF64, ref: func(a, _, _ uint64) uint64 { return f64(math.Sqrt(math.Abs(dv(a)))) }}
	// f16 and bf16 arithmetic: exact in float64, then the table rounding.
	genH := func(r *rand.Rand) uint64 { return uint64(randHalf(r, false)) | uint64(randHalf(r, false))<<16 }
	genB := func(r *rand.Rand) uint64 { return uint64(randHalf(r, true)) | uint64(randHalf(r, true))<<16 }
	h := func(v uint64, bf bool) float64 { return halfToF64(uint16(v), bf) }
	cases["add.f16"] = opCase{ta: "f16", body: "add.f16 D, A, B;", gen: genH, ref: func(a, b, _ uint64) uint64 { return uint64(f16Table.nearest(h(a, false) + h(b, false))) }}
	cases["mul.f16"] = opCase{ta: "f16", body: "mul.f16 D, A, B;", gen: genH, ref: func(a, b, _ uint64) uint64 { return uint64(f16Table.nearest(h(a, false) * h(b, false))) }}
	cases["fma.rn.f16"] = opCase{ta: "f16", body: "fma.rn.f16 D, A, B, C;", gen: genH, ref: func(a, b, c uint64) uint64 {
		return uint64(f16Table.nearest(h(a, false)*h(b, false) + h(c, false))) // exact in float64 for these operands
	}}
	cases["add.f16x2"] = opCase{body: "add.f16x2 D, A, B;", gen: genH, ref: func(a, b, _ uint64) uint64 {
		lo := f16Table.nearest(h(a, false) + h(b, false))
		hi := f16Table.nearest(h(a>>16, false) + h(b>>16, false))
		return uint64(hi)<<16 | uint64(lo)
	}}
	cases["fma.rn.bf16x2"] = opCase{body: "fma.rn.bf16x2 D, A, B, C;", gen: genB, ref: func(a, b, c uint64) uint64 {
		lo := bf16Table.nearest(h(a, true)*h(b, true) + h(c, true))
		hi := bf16Table.nearest(h(a>>16, true)*h(b>>16, true) + h(c>>16, true))
		return uint64(hi)<<16 | uint64(lo)
	}}
	cases["max.f16"] = opCase{ta: "f16", body: "max.f16 D, A, B;", gen: genH, ref: func(a, b, _ uint64) uint64 {
		if h(a, false) >= h(b, false) {
			return a
		}
		return b
	}}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { runOpCase(t, name, c) })
	}
}

func TestConversions(t *testing.T) {
	f32 := func(v float32) uint64 { return uint64(math.Float32bits(v)) }
	fv := func(v uint64) float64 { return float64(f32of(v)) }
	genAny := func(r *rand.Rand) uint64 { return f32(interestingF32(r)) }
	f2i := func(v float64, round func(float64) float64, lo, hi float64) float64 {
		if math.IsNaN(v) {
			return 0
		}
		return math.Max(lo, math.Min(hi, round(v)))
	}
	cases := map[string]opCase{
		"cvt.rn.f16.f32":  {td: "b16", body: "cvt.rn.f16.f32 D, A;", gen: genAny, ref: func(a, _, _ uint64) uint64 { return uint64(f16Table.nearest(fv(a))) }},
		"cvt.rn.bf16.f32": {td: "b16", body: "cvt.rn.bf16.f32 D, A;", gen: genAny, ref: func(a, _, _ uint64) uint64 { return uint64(bf16Table.nearest(fv(a))) }},
		"cvt.rn.f16x2.f32": {body: "cvt.rn.f16x2.f32 D, A, B;", gen: genAny, ref: func(a, b, _ uint64) uint64 {
			return uint64(f16Table.nearest(fv(a)))<<16 | uint64(f16Table.nearest(fv(b))) // first source in the upper half
		}},
		"cvt.rn.bf16x2.f32": {body: "cvt.rn.bf16x2.f32 D, A, B;", gen: genAny, ref: func(a, b, _ uint64) uint64 {
			return uint64(bf16Table.nearest(fv(a)))<<16 | uint64(bf16Table.nearest(fv(b)))
		}},
		"cvt.f32.f16": {ta: "b16", td: "b32", body: "cvt.f32.f16 D, A;", gen: func(r *rand.Rand) uint64 { return uint64(r.Uint32()) }, ref: func(a, _, _ uint64) uint64 {
			v := halfToF64(uint16(a), false)
			if math.IsNaN(v) {
				return 0x7fffffff
			}
			return f32(float32(v))
		}},
		"cvt.rzi.s32.f32": {body: "cvt.rzi.s32.f32 D, A;", gen: genAny, ref: func(a, _, _ uint64) uint64 {
			return uint64(uint32(int32(f2i(fv(a), math.Trunc, math.MinInt32, math.MaxInt32))))
		}},
		"cvt.rni.s32.f32": {body: "cvt.rni.s32.f32 D, A;", gen: genAny, ref: func(a, _, _ uint64) uint64 {
			return uint64(uint32(int32(f2i(fv(a), math.RoundToEven, math.MinInt32, math.MaxInt32))))
		}},
		"cvt.rmi.u32.f32": {body: "cvt.rmi.u32.f32 D, A;", gen: genAny, ref: func(a, _, _ uint64) uint64 {
			return uint64(uint32(f2i(fv(a), math.Floor, 0, math.MaxUint32)))
		}},
		"cvt.rpi.s64.f32": {td: "b64", body: "cvt.rpi.s64.f32 D, A;", gen: genAny, ref: func(a, _, _ uint64) uint64 {
			v := fv(a)
			switch {
			case math.IsNaN(v):
				return 0
			case v >= 0x1p63:
				return math.MaxInt64
			case v < -0x1p63:
				return 1 << 63
			}
			return uint64(int64(math.Ceil(v)))
		}},
		"cvt.rn.f32.s32": {body: "cvt.rn.f32.s32 D, A;", ref: func(a, _, _ uint64) uint64 { return f32(float32(s32(a))) }},
		"cvt.rz.f32.u64": {ta: "u64", td: "b32", body: "cvt.rz.f32.u64 D, A;", ref: func(a, _, _ uint64) uint64 {
			x := new(big.Float).SetUint64(a)
			return f32(bigRound32(x, fp.TowardZero))
		}},
		"cvt.rn.f32.f64": {ta: "f64", td: "b32", body: "cvt.rn.f32.f64 D, A;", gen: func(r *rand.Rand) uint64 { return r.Uint64() }, ref: func(a, _, _ uint64) uint64 {
			v := math.Float64frombits(a)
			if math.IsNaN(v) {
				return 0x7fffffff
			}
			return f32(float32(v))
		}},
		"cvt.f64.f32": {td: "b64", body: "cvt.f64.f32 D, A;", gen: genAny, ref: func(a, _, _ uint64) uint64 {
			v := fv(a)
			if math.IsNaN(v) {
				return canonF64
			}
			return math.Float64bits(v)
		}},
		"cvt.rni.f32.f32": {body: "cvt.rni.f32.f32 D, A;", gen: genAny, ref: func(a, _, _ uint64) uint64 {
			v := fv(a)
			if math.IsNaN(v) {
				return 0x7fffffff
			}
			return f32(float32(math.RoundToEven(v)))
		}},
		"cvt.ftz.f32.f32": {body: "cvt.ftz.f32.f32 D, A;", gen: genAny, ref: func(a, _, _ uint64) uint64 {
			v := fv(a)
			switch {
			case math.IsNaN(v):
				return 0x7fffffff
			case v != 0 && math.Abs(v) < 0x1p-126:
				return a & (1 << 31)
			}
			return a
		}},
		"cvt.rn.relu.f16x2.f32": {body: "cvt.rn.relu.f16x2.f32 D, A, B;", gen: genAny, ref: func(a, b, _ uint64) uint64 {
			relu := func(v float64) uint64 {
				if math.IsNaN(v) {
					return 0x7fff
				}
				return uint64(f16Table.nearest(math.Max(v, 0)))
			}
			return relu(fv(a))<<16 | relu(fv(b))
		}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) { runOpCase(t, name, c) })
	}
}

func TestOpTableRows(t *testing.T) {
	for _, d := range opDefs {
		if d.decode == nil || d.doc == "" || d.class >= NumClasses || strings.Contains(d.name, ".") {
			t.Errorf("opDefs row %q is incomplete", d.name)
		}
	}
}
