package emu

import (
	"bytes"
	"fmt"
	"math"
	"math/rand"
	"testing"
)

func TestVectorsConstsGlobalsGeneric(t *testing.T) {
	src := ptxHeader + `
.const .align 4 .u32 tab[4] = {10, 20, 30, 40};
.global .align 8 .f32 gscale = 0f40000000;
.visible .entry k(.param .u64 pin, .param .u64 pout) {
	.reg .pred %p<4>;
	.reg .b32 %r<16>;
	.reg .f32 %f<8>;
	.reg .b64 %rd<12>;
	.shared .align 16 .b8 sm[1024];
	mov.u32 %r1, %tid.x;
	ld.param.u64 %rd1, [pin];
	mul.wide.u32 %rd2, %r1, 16;
	add.s64 %rd3, %rd1, %rd2;
	ld.global.v4.f32 {%f1, %f2, %f3, %f4}, [%rd3];
	// through shared memory with a generic address
	mov.u64 %rd4, sm;
	add.s64 %rd4, %rd4, %rd2;
	cvta.shared.u64 %rd5, %rd4;
	isspacep.shared %p1, %rd5;
	isspacep.global %p2, %rd5;
	st.v4.f32 [%rd5], {%f4, %f3, %f2, %f1};
	bar.sync 0;
	ld.shared.v2.f32 {%f5, %f6}, [%rd4+8];
	// constant table and an initialized global
	and.b32 %r2, %r1, 3;
	mul.wide.u32 %rd6, %r2, 4;
	mov.u64 %rd7, tab;
	add.s64 %rd7, %rd7, %rd6;
	ld.const.u32 %r3, [%rd7];
	cvt.rn.f32.u32 %f7, %r3;
	ld.global.f32 %f3, [gscale];
	mul.rn.f32 %f7, %f7, %f3;
	selp.u32 %r4, 1, 0, %p1;
	selp.u32 %r5, 2, 0, %p2;
	or.b32 %r4, %r4, %r5;
	cvt.rn.f32.u32 %f4, %r4;
	ld.param.u64 %rd8, [pout];
	add.s64 %rd8, %rd8, %rd2;
	st.global.v4.f32 [%rd8], {%f5, %f6, %f7, %f4};
	ret;
}`
	m := mustParse(t, "mem.ptx", []byte(src))
	d := NewDevice(Options{})
	r := rand.New(rand.NewSource(40))
	in := randF32(r, 4*64)
	din := alloc(t, d, f32Bytes(in))
	dout := alloc(t, d, nanBytes(16*64))
	res := run(t, d, m, "k", [3]uint32{1}, [3]uint32{64}, din.addr, dout.addr)
	requireClean(t, res)
	out := bytesF32(dout.bytes(t))
	for i := 0; i < 64; i++ {
		want := []float32{in[4*i+1], in[4*i], float32(10*(i%4+1)) * 2, 1}
		for k := range want {
			if out[4*i+k] != want[k] {
				t.Fatalf("thread %d element %d: got %v, want %v", i, k, out[4*i+k], want[k])
			}
		}
	}
	// 64 threads x 16 bytes: each warp's vector request covers 512
	// contiguous bytes (16 sectors); each warp also reads gscale (1
	// sector); the .const table is not global traffic.
	if c := res.Counters; c.GlobalLoadSectors != 34 || c.GlobalLoadRequests != 4 || c.GlobalLoadEfficiency() != 1 {
		t.Errorf("loads: %d requests, %d sectors, efficiency %v; want 4, 34, 1", c.GlobalLoadRequests, c.GlobalLoadSectors, c.GlobalLoadEfficiency())
	}
}

func TestAtomics(t *testing.T) {
	type atomCase struct {
		op, typ string
		ref     func(old, v uint32) uint32
	}
	cases := []atomCase{
		{"add", "u32", func(o, v uint32) uint32 { return o + v }},
		{"min", "s32", func(o, v uint32) uint32 { return uint32(min(int32(o), int32(v))) }},
		{"max", "u32", func(o, v uint32) uint32 { return max(o, v) }},
		{"and", "b32", func(o, v uint32) uint32 { return o & v }},
		{"or", "b32", func(o, v uint32) uint32 { return o | v }},
		{"xor", "b32", func(o, v uint32) uint32 { return o ^ v }},
		{"inc", "u32", func(o, v uint32) uint32 {
			if o >= v {
				return 0
			}
			return o + 1
		}},
	}
	r := rand.New(rand.NewSource(41))
	for _, space := range []string{"global", "shared"} {
		for _, c := range cases {
			// 4 CTAs x 64 threads hit 8 counters; the final values are
			// independent of order for these operations (inc with a bound
			// larger than the count of updates).
			src := ptxHeader + `.visible .entry k(.param .u64 pv, .param .u64 pc) {
	.reg .pred %p<4>;
	.reg .b32 %r<16>;
	.reg .b64 %rd<12>;
	.shared .align 4 .b8 cnt[32];
	mov.u32 %r1, %tid.x;
	mov.u32 %r2, %ctaid.x;
	mov.u32 %r3, %ntid.x;
	mad.lo.u32 %r4, %r2, %r3, %r1;
	ld.param.u64 %rd1, [pv];
	mul.wide.u32 %rd2, %r4, 4;
	add.s64 %rd1, %rd1, %rd2;
	ld.global.u32 %r5, [%rd1];
	and.b32 %r6, %r1, 7;
	mul.wide.u32 %rd3, %r6, 4;
	ld.param.u64 %rd4, [pc];
	add.s64 %rd4, %rd4, %rd3;
	mov.u64 %rd5, cnt;
	add.s64 %rd5, %rd5, %rd3;
	setp.lt.u32 %p1, %r1, 8;
	INIT
	bar.sync 0;
	` + fmt.Sprintf("ATOM.%s.%s %%r8, [ADDR], %%r5;", c.op, c.typ) + `
	bar.sync 0;
	mul.wide.u32 %rd9, %r2, 32;
	add.s64 %rd10, %rd4, %rd9;
	` + "@%p1 FLUSH" + `
	ret;
}`
			if space == "global" {
				src = replaceAll(src, "ATOM", "atom.global", "ADDR", "%rd4", "FLUSH", "mov.u32 %r9, %r1;", "INIT", "")
			} else {
				src = replaceAll(src, "ATOM", "atom.shared", "ADDR", "%rd5", "FLUSH", "ld.shared.u32 %r9, [%rd5];\n\t@%p1 st.global.u32 [%rd10+32], %r9;",
					"INIT", "@%p1 ld.global.u32 %r7, [%rd4];\n\t@%p1 st.shared.u32 [%rd5], %r7;")
			}
			m := mustParse(t, c.op+".ptx", []byte(src))
			d := NewDevice(Options{})
			vals := make([]uint32, 256)
			for i := range vals {
				vals[i] = r.Uint32()
				if c.op == "add" || c.op == "inc" {
					vals[i] = 1000 + uint32(r.Intn(1000))
				}
			}
			init := make([]uint32, 8)
			for i := range init {
				init[i] = r.Uint32() & 0xffff
			}
			// Shared runs flush each CTA's counters after the 8 initial
			// values: 8 slots per CTA.
			dv, dc := alloc(t, d, u32Bytes(vals)), alloc(t, d, u32Bytes(append(init, make([]uint32, 32)...)))
			res := run(t, d, m, "k", [3]uint32{4}, [3]uint32{64}, dv.addr, dc.addr)
			requireClean(t, res)
			got := bytesU32(dc.bytes(t))
			want := append([]uint32(nil), init...)
			if space == "shared" {
				for cta := 0; cta < 4; cta++ {
					want = append(want, init...)
					for i := cta * 64; i < (cta+1)*64; i++ {
						s := 8 + 8*cta + i%8
						want[s] = c.ref(want[s], vals[i])
					}
				}
			} else {
				want = append(want, make([]uint32, 32)...)
				for i := 0; i < 256; i++ {
					want[i%8] = c.ref(want[i%8], vals[i])
				}
			}
			for s := range want {
				if got[s] != want[s] {
					t.Fatalf("%s %s.%s: slot %d = %#x, want %#x", space, c.op, c.typ, s, got[s], want[s])
				}
			}
		}
	}
}

func replaceAll(s string, kv ...string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		for {
			j := indexOf(s, kv[i])
			if j < 0 {
				break
			}
			s = s[:j] + kv[i+1] + s[j+len(kv[i]):]
		}
	}
	return s
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestAtomicCasAndFloatAdd(t *testing.T) {
	// A spin-free CAS: each thread tries to claim slot tid%4 once; exactly
	// one thread per slot sees the old value 0. Float atomics add exactly
	// representable values so any order gives the same sum.
	src := ptxHeader + `.visible .entry k(.param .u64 slots, .param .u64 wins, .param .u64 fsum) {
	.reg .pred %p<4>;
	.reg .b32 %r<16>;
	.reg .f32 %f<4>;
	.reg .b64 %rd<12>;
	mov.u32 %r1, %tid.x;
	mov.u32 %r2, %ctaid.x;
	mad.lo.u32 %r3, %r2, 64, %r1;
	add.u32 %r3, %r3, 1;
	and.b32 %r4, %r1, 3;
	mul.wide.u32 %rd1, %r4, 4;
	ld.param.u64 %rd2, [slots];
	add.s64 %rd2, %rd2, %rd1;
	atom.global.cas.b32 %r5, [%rd2], 0, %r3;
	setp.eq.u32 %p1, %r5, 0;
	ld.param.u64 %rd3, [wins];
	add.s64 %rd3, %rd3, %rd1;
	@%p1 red.global.add.u32 [%rd3], 1;
	ld.param.u64 %rd4, [fsum];
	cvt.rn.f32.u32 %f1, %r1;
	atom.global.add.f32 %f2, [%rd4], %f1;
	ret;
}`
	m := mustParse(t, "cas.ptx", []byte(src))
	d := NewDevice(Options{})
	slots, wins, fsum := alloc(t, d, make([]byte, 16)), alloc(t, d, make([]byte, 16)), alloc(t, d, make([]byte, 4))
	requireClean(t, run(t, d, m, "k", [3]uint32{8}, [3]uint32{64}, slots.addr, wins.addr, fsum.addr))
	for s, w := range bytesU32(wins.bytes(t)) {
		if w != 1 {
			t.Errorf("slot %d claimed %d times, want once", s, w)
		}
	}
	for s, v := range bytesU32(slots.bytes(t)) {
		if v == 0 || (v-1)%64%4 != uint32(s) {
			t.Errorf("slot %d holds %d, not a thread of that slot", s, v)
		}
	}
	if got := bytesF32(fsum.bytes(t))[0]; got != 8*63*64/2 {
		t.Errorf("float sum %v, want %v", got, 8*63*64/2)
	}
}

// TestCounterModel checks the sector and bank models on access patterns
// whose costs are known.
func TestCounterModel(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		sectors  uint64 // global load sectors (one warp)
		ideal    uint64
		wave     uint64 // shared load wavefronts
		conflict uint64
	}{
		{"contiguous f32", "mul.wide.u32 %rd2, %r1, 4;", 4, 4, 1, 0},
		{"stride 2 f32", "mul.wide.u32 %rd2, %r1, 8;", 8, 4, 2, 1},
		{"stride 32 f32", "mul.wide.u32 %rd2, %r1, 128;", 32, 4, 32, 31},
		{"broadcast", "mov.u64 %rd2, 0;", 1, 1, 1, 0},
	}
	for _, c := range cases {
		src := ptxHeader + `.visible .entry k(.param .u64 p) {
	.reg .b32 %r<8>;
	.reg .b64 %rd<8>;
	.shared .align 4 .b8 sm[4096];
	mov.u32 %r1, %tid.x;
	` + c.body + `
	ld.param.u64 %rd1, [p];
	add.s64 %rd3, %rd1, %rd2;
	ld.global.f32 %r2, [%rd3];
	mov.u64 %rd4, sm;
	add.s64 %rd4, %rd4, %rd2;
	st.shared.f32 [%rd4], %r2;
	ld.shared.f32 %r3, [%rd4];
	ret;
}`
		d := NewDevice(Options{})
		p := alloc(t, d, make([]byte, 4096))
		res := run(t, d, mustParse(t, c.name, []byte(src)), "k", [3]uint32{1}, [3]uint32{32}, p.addr)
		cn := res.Counters
		if cn.GlobalLoadRequests != 1 || cn.GlobalLoadSectors != c.sectors || cn.GlobalLoadIdealSectors != c.ideal {
			t.Errorf("%s: %d requests, %d sectors, %d ideal; want 1, %d, %d", c.name, cn.GlobalLoadRequests, cn.GlobalLoadSectors, cn.GlobalLoadIdealSectors, c.sectors, c.ideal)
		}
		if cn.SharedLoadWavefronts != c.wave || cn.SharedBankConflicts != 2*c.conflict {
			t.Errorf("%s: %d load wavefronts, %d conflicts (loads+stores); want %d, %d", c.name, cn.SharedLoadWavefronts, cn.SharedBankConflicts, c.wave, 2*c.conflict)
		}
	}
	// 8-byte accesses: half-warps are served separately, so 32 lanes of
	// contiguous doubles need 2 wavefronts and no conflict.
	src := ptxHeader + `.visible .entry k() {
	.reg .b32 %r<4>;
	.reg .b64 %rd<8>;
	.shared .align 8 .b8 sm[512];
	mov.u32 %r1, %tid.x;
	mul.wide.u32 %rd2, %r1, 8;
	mov.u64 %rd1, sm;
	add.s64 %rd1, %rd1, %rd2;
	st.shared.u64 [%rd1], %rd2;
	ret;
}`
	res := run(t, NewDevice(Options{}), mustParse(t, "f64", []byte(src)), "k", [3]uint32{1}, [3]uint32{32})
	if c := res.Counters; c.SharedStoreWavefronts != 2 || c.SharedBankConflicts != 0 {
		t.Errorf("64-bit stores: %d wavefronts, %d conflicts; want 2, 0", c.SharedStoreWavefronts, c.SharedBankConflicts)
	}
	_ = math.Pi
}

// cp.async.ca with a source size copies that many bytes and zero-fills
// the rest; wait_all completes everything.
func TestCpAsyncZeroFill(t *testing.T) {
	src := ptxHeader + `.visible .entry k(.param .u64 pin, .param .u64 pout) {
	.reg .b32 %r<8>;
	.reg .b64 %rd<8>;
	.shared .align 16 .b8 sm[512];
	ld.param.u64 %rd1, [pin];
	mov.u32 %r1, %tid.x;
	shl.b32 %r2, %r1, 4;
	mov.u32 %r3, sm;
	add.s32 %r4, %r3, %r2;
	cvt.u64.u32 %rd2, %r2;
	add.s64 %rd3, %rd1, %rd2;
	and.b32 %r5, %r1, 15;
	cp.async.ca.shared.global [%r4], [%rd3], 16, %r5;
	cp.async.ca.shared.global [%r4+256], [%rd3], 8;
	cp.async.wait_all;
	membar.cta;
	fence.acq_rel.gpu;
	ld.shared.v4.u32 {%r4, %r5, %r6, %r7}, [%r4];
	ld.param.u64 %rd4, [pout];
	add.s64 %rd4, %rd4, %rd2;
	st.global.v4.u32 [%rd4], {%r4, %r5, %r6, %r7};
	ret;
}`
	d := NewDevice(Options{})
	in := make([]byte, 256)
	for i := range in {
		in[i] = byte(i + 1)
	}
	din := alloc(t, d, in)
	dout := alloc(t, d, nanBytes(256))
	requireClean(t, run(t, d, mustParse(t, "zfill.ptx", []byte(src)), "k", [3]uint32{1}, [3]uint32{16}, din.addr, dout.addr))
	got := dout.bytes(t)
	for tid := 0; tid < 16; tid++ {
		for b := 0; b < 16; b++ {
			want := byte(0)
			if b < tid {
				want = in[16*tid+b]
			}
			if got[16*tid+b] != want {
				t.Fatalf("thread %d byte %d = %d, want %d", tid, b, got[16*tid+b], want)
			}
		}
	}
}

// cp.async with a source size reads only that many bytes: a copy whose
// source ends an allocation early is in bounds, and a full-size copy from
// the same place is not.
func TestCpAsyncSourceSizeBounds(t *testing.T) {
	src := ptxHeader + `.visible .entry k(.param .u64 pin, .param .u64 pout, .param .u32 n) {
	.reg .b32 %r<8>;
	.reg .b64 %rd<8>;
	.shared .align 16 .b8 sm[16];
	ld.param.u64 %rd1, [pin];
	ld.param.u32 %r5, [n];
	mov.u32 %r4, sm;
	cp.async.cg.shared.global [%r4], [%rd1], 16, %r5;
	cp.async.wait_all;
	ld.shared.v4.u32 {%r0, %r1, %r2, %r3}, [%r4];
	ld.param.u64 %rd4, [pout];
	st.global.v4.u32 [%rd4], {%r0, %r1, %r2, %r3};
	ret;
}`
	m := mustParse(t, "srcsize.ptx", []byte(src))
	d := NewDevice(Options{})
	in := alloc(t, d, []byte{1, 2, 3, 4, 5, 6, 7, 8}) // 8 bytes: the end of the tensor
	out := alloc(t, d, nanBytes(16))
	requireClean(t, run(t, d, m, "k", [3]uint32{1}, [3]uint32{1}, in.addr, out.addr, uint32(8)))
	if got, want := out.bytes(t), []byte{1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0}; !bytes.Equal(got, want) {
		t.Errorf("copied %v, want %v", got, want)
	}
	res := run(t, d, m, "k", [3]uint32{1}, [3]uint32{1}, in.addr, out.addr, uint32(16))
	if res.FindingCount == 0 || res.Findings[0].Kind != OutOfBounds {
		t.Errorf("a 16-byte read of an 8-byte allocation was not reported: %+v", res.Findings)
	}
}
