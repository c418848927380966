package emu

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"unknown instruction", ptxHeader + ".visible .entry k() {\n\tfrobnicate.b32 %r1;\n}", 5, `unsupported instruction "frobnicate"`},
		{"unknown modifier", ptxHeader + ".visible .entry k() {\n\t.reg .b32 %r<2>;\n\tadd.wobbly.s32 %r1, %r1, 1;\n}", 6, "unsupported modifier .wobbly"},
		{"undeclared register", ptxHeader + ".visible .entry k() {\n\tmov.u32 %r9, 1;\n}", 5, "not a declared register"},
		{"undefined label", ptxHeader + ".visible .entry k() {\n\tbra.uni NOWHERE;\n}", 5, "undefined label"},
		{"bad character", ptxHeader + "#", 4, "unexpected character"},
		{"unterminated body", ptxHeader + ".visible .entry k() {\n\tret;\n", 6, "unterminated function body"},
		{"operand count", ptxHeader + ".visible .entry k() {\n\t.reg .b32 %r<2>;\n\tadd.s32 %r1, %r1;\n}", 6, "wrong number of operands"},
		{"bad literal", ptxHeader + ".visible .entry k() {\n\t.reg .b32 %r<2>;\n\tmov.b32 %r1, 0f3F80;\n}", 6, "0f literal"},
		{"unterminated comment", ptxHeader + "/* never closed", 4, "unterminated /* comment"},
		{"call of prototype", ptxHeader + ".extern .func f();\n.visible .entry k() {\n\tcall.uni f;\n}", 6, "has no body"},
		{"recursion", ptxHeader + ".func f() {\n\tcall.uni f;\n\tret;\n}\n.visible .entry k() {\n\tcall.uni f;\n}", 0, "recursive call"},
	}
	for _, c := range cases {
		_, err := Parse("t.ptx", []byte(c.src))
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.msg)
		}
		var se *SyntaxError
		if c.line > 0 && (!errors.As(err, &se) || se.Line != c.line || se.File != "t.ptx") {
			t.Errorf("%s: error %v is not a SyntaxError at t.ptx:%d", c.name, err, c.line)
		}
	}
}

// TestParseSubset exercises syntax the backend and llc emit beyond the
// testdata kernels.
func TestParseSubset(t *testing.T) {
	src := `//
// comment block
/* multi
   line */
.version 7.5
.target sm_80, debug
.address_size 64
.file 1 "k.cu"
.global .align 4 .b8 blob[6] = {1, 2, 3, 4, 5, 6};
.const .align 8 .f64 cd[2] = {0d3FF0000000000000, 0d4000000000000000};
.extern .shared .align 16 .b8 dyn[];
.visible .entry k(
	.param .u64 .ptr .global .align 8 k_param_0,
	.param .align 8 .b8 k_param_1[16]
)
.maxntid 128, 1, 1
.minnctapersm 2
{
	.reg .pred %p<3>;
	.reg .b16 %rs<4>;
	.reg .b32 %r<20>;
	.reg .f32 %f<4>;
	.reg .b64 %rd<10>;
	.reg .f64 %fd<3>;
	.loc 1 10 3
	ld.param.u64 %rd1, [k_param_0];
	ld.param.u32 %r1, [k_param_1+8];
	mov.u64 %rd2, k_param_1;
	ld.param.u32 %r2, [%rd2+12];
	mov.u32 %r3, %tid.x;
	ld.global.u8 %r4, [blob+5];
	ld.global.s8 %r5, [blob];
	ld.const.f64 %fd1, [cd+8];
	cvt.rn.f32.f64 %f1, %fd1;
	mov.b32 %r6, 0x10;
	add.s32 %r7, %r6, -3;
	mov.f32 %f2, 1.5;
	add.rn.f32 %f3, %f1, %f2;
	mov.b32 %r8, %f3;
	mov.u64 %rd3, dyn;
	cvta.shared.u64 %rd4, %rd3;
	setp.eq.s32 %p1, %r3, 0;
	@%p1 st.u32 [%rd4], %r3;
	bar.sync 0;
	ld.shared.u32 %r9, [dyn];
	@!%p1 bra $L__BB0_2;
	add.s32 %r10, %r1, %r2;
	add.s32 %r10, %r10, %r4;
	add.s32 %r10, %r10, %r5;
	add.s32 %r10, %r10, %r7;
	add.s32 %r10, %r10, %r8;
	add.s32 %r10, %r10, %r9;
	st.global.u32 [%rd1], %r10;
$L__BB0_2:
	ret;
}
`
	m := mustParse(t, "subset.ptx", []byte(src))
	if got := m.Kernels(); len(got) != 1 || got[0] != "k" {
		t.Fatalf("kernels %v", got)
	}
	ps, err := m.Params("k")
	if err != nil || len(ps) != 2 || ps[1].Size != 16 || !ps[1].Array || ps[0].Type != "u64" {
		t.Fatalf("params %+v, %v", ps, err)
	}
	d := NewDevice(Options{})
	out := alloc(t, d, make([]byte, 4))
	agg := u32Bytes([]uint32{0, 0, 100, 1000})
	res, err := d.Launch(m, "k", LaunchConfig{Grid: [3]uint32{1}, Block: [3]uint32{32}, DynamicShared: 128}, out.addr, agg)
	if err != nil {
		t.Fatal(err)
	}
	requireClean(t, res)
	// 100 + 1000 + 6 + 1 + 13 + bits(2+1.5) + 0
	want := uint32(100 + 1000 + 6 + 1 + 13 + 0x40600000)
	if got := bytesU32(out.bytes(t))[0]; got != want {
		t.Errorf("result %#x, want %#x", got, want)
	}
	if _, err := d.Launch(m, "k", LaunchConfig{Block: [3]uint32{256}}, out.addr, agg); err == nil || !strings.Contains(err.Error(), "maxntid") {
		t.Errorf("a block beyond .maxntid must be refused, got %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range llKernels {
		f.Add(string(golden(f, name)))
	}
	f.Add(ptxHeader + ".visible .entry k() { .reg .b32 %r<3>; @%r1 bra L; L: ret; }")
	f.Add(ptxHeader + ".global .b8 x[] = {1, -2};\n.func (.param .b32 r) f(.param .b32 a) { ret; }")
	f.Add("{{{{[[[(((;;;")
	f.Add(ptxHeader + ".visible .entry k() { .reg .b32 %r<99999999>; }")
	f.Fuzz(func(t *testing.T, src string) {
		m, err := Parse("fuzz.ptx", []byte(src))
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) && !strings.Contains(err.Error(), "recursive") {
				t.Fatalf("error is not a SyntaxError: %v", err)
			}
			return
		}
		_ = m.Kernels()
	})
}
