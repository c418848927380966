package emu

import (
	"math/rand"
	"testing"
)

// Divergent control flow, calls and local memory.

func TestDivergentLoops(t *testing.T) {
	// Each thread sums 1..n[tid] with its own trip count; odd n take a
	// different branch inside the loop body.
	body := `
	mov.u32 %r3, 0;
	mov.u32 %r4, 0;
LOOP:
	setp.ge.u32 %p1, %r4, %r1;
	@%p1 bra DONE;
	add.u32 %r4, %r4, 1;
	and.b32 %r5, %r1, 1;
	setp.eq.u32 %p2, %r5, 1;
	@%p2 bra ODD;
	add.u32 %r3, %r3, %r4;
	bra.uni LOOP;
ODD:
	mad.lo.u32 %r3, %r4, 2, %r3;
	bra.uni LOOP;
DONE:
	mov.u32 %r2, %r3;
`
	r := rand.New(rand.NewSource(30))
	in := make([]uint32, 96)
	for i := range in {
		in[i] = uint32(r.Intn(40))
	}
	out, res := laneKernel(t, body, 96, in)
	requireClean(t, res)
	for i, n := range in {
		want := n * (n + 1) / 2
		if n%2 == 1 {
			want *= 2
		}
		if out[i] != want {
			t.Fatalf("thread %d (n=%d): got %d, want %d", i, n, out[i], want)
		}
	}
	// Divergence splits warp requests; the counters still see one
	// request per warp per instruction execution.
	if res.Counters.GlobalLoadRequests != 3 || res.Counters.GlobalStoreRequests != 3 {
		t.Errorf("requests load %d store %d, want 3 and 3 (reconverged before the store)", res.Counters.GlobalLoadRequests, res.Counters.GlobalStoreRequests)
	}
}

func TestCallAndLocal(t *testing.T) {
	// A .func with two parameters and a return value, called from
	// divergent code, using a local array.
	src := ptxHeader + `
.func (.param .b32 ret) scale(.param .b32 x, .param .b32 k)
{
	.reg .b32 %s<6>;
	.reg .b64 %sd<4>;
	.local .align 4 .b8 tmp[16];
	ld.param.u32 %s1, [x];
	ld.param.u32 %s2, [k];
	mov.u64 %sd1, tmp;
	st.local.u32 [%sd1+4], %s1;
	cvta.local.u64 %sd2, %sd1;
	ld.u32 %s3, [%sd2+4];
	mul.lo.u32 %s4, %s3, %s2;
	st.param.b32 [ret+0], %s4;
	ret;
}
.visible .entry k(.param .u64 pin, .param .u64 pout) {
	.reg .pred %p<4>;
	.reg .b32 %r<16>;
	.reg .b64 %rd<8>;
	mov.u32 %r0, %tid.x;
	mul.wide.u32 %rd1, %r0, 4;
	ld.param.u64 %rd2, [pin];
	add.s64 %rd2, %rd2, %rd1;
	ld.global.u32 %r1, [%rd2];
	mov.u32 %r2, %r1;
	setp.lt.u32 %p1, %r1, 50;
	@%p1 bra SKIP;
	{
	.param .b32 param0;
	st.param.b32 [param0+0], %r1;
	.param .b32 param1;
	st.param.b32 [param1+0], 3;
	.param .b32 retval0;
	call.uni (retval0), scale, (param0, param1);
	ld.param.b32 %r2, [retval0+0];
	}
SKIP:
	ld.param.u64 %rd3, [pout];
	add.s64 %rd3, %rd3, %rd1;
	st.global.u32 [%rd3], %r2;
	ret;
}`
	r := rand.New(rand.NewSource(31))
	in := make([]uint32, 64)
	for i := range in {
		in[i] = uint32(r.Intn(100))
	}
	m := mustParse(t, "call.ptx", []byte(src))
	d := NewDevice(Options{})
	din := alloc(t, d, u32Bytes(in))
	dout := alloc(t, d, nanBytes(4*len(in)))
	res := run(t, d, m, "k", [3]uint32{1}, [3]uint32{64}, din.addr, dout.addr)
	requireClean(t, res)
	for i, v := range bytesU32(dout.bytes(t)) {
		want := in[i]
		if want >= 50 {
			want *= 3
		}
		if v != want {
			t.Fatalf("thread %d: got %d, want %d", i, v, want)
		}
	}
}

func TestExitAndGuards(t *testing.T) {
	// Threads with even input exit early; the rest store; guarded stores
	// of a predicate that is false write nothing.
	body := `
	and.b32 %r5, %r1, 1;
	setp.eq.u32 %p1, %r5, 0;
	@%p1 exit;
	setp.gt.u32 %p2, %r1, 1000;
	@%p2 mov.u32 %r2, 99;
	@!%p2 add.u32 %r2, %r1, 1;
`
	in := make([]uint32, 40)
	for i := range in {
		in[i] = uint32(i)
	}
	out, res := laneKernel(t, body, 40, in)
	requireClean(t, res)
	for i, v := range out {
		if i%2 == 0 {
			if v != 0x7fbfffff {
				t.Fatalf("thread %d exited but output is %#x", i, v)
			}
		} else if v != uint32(i+1) {
			t.Fatalf("thread %d: got %d, want %d", i, v, i+1)
		}
	}
}

func TestMultiDimensionalLaunch(t *testing.T) {
	// Every thread writes its linear global id; checks %tid, %ntid,
	// %ctaid, %nctaid in all three dimensions.
	src := ptxHeader + `.visible .entry k(.param .u64 out) {
	.reg .b32 %r<24>;
	.reg .b64 %rd<4>;
	mov.u32 %r1, %tid.x;
	mov.u32 %r2, %tid.y;
	mov.u32 %r3, %tid.z;
	mov.u32 %r4, %ntid.x;
	mov.u32 %r5, %ntid.y;
	mov.u32 %r6, %ntid.z;
	mov.u32 %r7, %ctaid.x;
	mov.u32 %r8, %ctaid.y;
	mov.u32 %r9, %ctaid.z;
	mov.u32 %r10, %nctaid.x;
	mov.u32 %r11, %nctaid.y;
	mad.lo.u32 %r12, %r9, %r11, %r8;
	mad.lo.u32 %r12, %r12, %r10, %r7;
	mul.lo.u32 %r13, %r4, %r5;
	mul.lo.u32 %r13, %r13, %r6;
	mad.lo.u32 %r14, %r3, %r5, %r2;
	mad.lo.u32 %r14, %r14, %r4, %r1;
	mad.lo.u32 %r15, %r12, %r13, %r14;
	ld.param.u64 %rd1, [out];
	mul.wide.u32 %rd2, %r15, 4;
	add.s64 %rd1, %rd1, %rd2;
	st.global.u32 [%rd1], %r15;
	ret;
}`
	m := mustParse(t, "dims.ptx", []byte(src))
	d := NewDevice(Options{})
	grid, block := [3]uint32{3, 2, 2}, [3]uint32{5, 3, 4}
	n := 3 * 2 * 2 * 5 * 3 * 4
	out := alloc(t, d, nanBytes(4*n))
	requireClean(t, run(t, d, m, "k", grid, block, out.addr))
	for i, v := range bytesU32(out.bytes(t)) {
		if v != uint32(i) {
			t.Fatalf("out[%d] = %d", i, v)
		}
	}
}
