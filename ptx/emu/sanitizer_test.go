package emu

import (
	"bytes"
	"strings"
	"testing"
)

// Planted bugs: each kernel has one defect, marked "// BUG" on its line,
// and the sanitizer must report it with kernel, CTA, thread and line.

func lineOf(t *testing.T, src, marker string) int {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("marker %q not in source", marker)
	return 0
}

// expectFinding checks that res holds a finding of kind at the marked line
// from the given CTA and thread.
func expectFinding(t *testing.T, res *Result, src string, kind FindingKind, cta, thread [3]uint32) Finding {
	t.Helper()
	line := lineOf(t, src, "// BUG")
	for _, f := range res.Findings {
		if f.Kind == kind && f.Line == line && f.CTA == cta && f.Thread == thread {
			if f.Kernel != "k" || f.Inst == "" || !strings.Contains(src, strings.Fields(f.Inst)[0]) {
				t.Errorf("finding lacks kernel or instruction text: %+v", f)
			}
			return f
		}
	}
	var sb strings.Builder
	for _, f := range res.Findings {
		sb.WriteString("\n  " + f.String())
	}
	t.Fatalf("no %s finding at line %d, CTA %v, thread %v; got %d:%s", kind, line, cta, thread, res.FindingCount, sb.String())
	return Finding{}
}

const sanRegs = `
	.reg .pred %p<4>;
	.reg .b32 %r<16>;
	.reg .b64 %rd<16>;
`

func TestSanitizerOutOfBoundsStore(t *testing.T) {
	src := ptxHeader + `.visible .entry k(.param .u64 out) {` + sanRegs + `
	ld.param.u64 %rd1, [out];
	mov.u32 %r1, %tid.x;
	mul.wide.u32 %rd2, %r1, 4;
	add.s64 %rd3, %rd1, %rd2;
	st.global.u32 [%rd3], %r1; // BUG: 40 threads, 32 elements
	ret;
}`
	m := mustParse(t, "oob.ptx", []byte(src))
	d := NewDevice(Options{})
	out := alloc(t, d, make([]byte, 128))
	next := alloc(t, d, bytes.Repeat([]byte{0xab}, 256))
	res := run(t, d, m, "k", [3]uint32{2}, [3]uint32{40}, out.addr)
	f := expectFinding(t, res, src, OutOfBounds, [3]uint32{1}, [3]uint32{32})
	if f.Space != "global" || f.Addr != out.addr+128 {
		t.Errorf("finding space %q addr %#x, want global %#x", f.Space, f.Addr, out.addr+128)
	}
	if res.FindingCount != 16 {
		t.Errorf("finding count %d, want 16 (8 threads x 2 CTAs)", res.FindingCount)
	}
	// The bad stores were skipped: nothing else was touched.
	if !bytes.Equal(next.bytes(t), bytes.Repeat([]byte{0xab}, 256)) {
		t.Error("an out-of-bounds store corrupted another allocation")
	}
	for i, v := range bytesU32(out.bytes(t)) {
		if v != uint32(i) {
			t.Fatalf("out[%d] = %d", i, v)
		}
	}
}

func TestSanitizerMissingBarrier(t *testing.T) {
	// Phase 1 fills the buffer and syncs. Phase 2 reads the other warp's
	// half and then overwrites its own without a barrier in between. Warp 1
	// arrives last at the barrier and runs on first, so warp 0's writes
	// race with warp 1's reads.
	src := ptxHeader + `.visible .entry k(.param .u64 out) {` + sanRegs + `
	.shared .align 4 .b8 buf[256];
	mov.u32 %r1, %tid.x;
	shl.b32 %r2, %r1, 2;
	mov.u32 %r3, buf;
	add.s32 %r4, %r3, %r2;
	st.shared.u32 [%r4], %r1;
	bar.sync 0;
	xor.b32 %r5, %r2, 128;
	add.s32 %r6, %r3, %r5;
	ld.shared.u32 %r7, [%r6];
	st.shared.u32 [%r4], %r7; // BUG: no bar.sync between the read above and this write
	ret;
}`
	m := mustParse(t, "race.ptx", []byte(src))
	d := NewDevice(Options{})
	out := alloc(t, d, make([]byte, 4))
	res := run(t, d, m, "k", [3]uint32{1}, [3]uint32{64}, out.addr)
	f := expectFinding(t, res, src, SharedRace, [3]uint32{}, [3]uint32{0})
	if !strings.Contains(f.Detail, "thread (32,0,0) read") || f.Space != "shared" || f.Addr != 0 {
		t.Errorf("race finding should name thread 32 and shared offset 0: %v", f)
	}
	// With the barrier the same kernel is clean.
	fixed := strings.Replace(src, "\tst.shared.u32 [%r4], %r7; // BUG", "\tbar.sync 0;\n\tst.shared.u32 [%r4], %r7; //", 1)
	requireClean(t, run(t, d, mustParse(t, "fixed.ptx", []byte(fixed)), "k", [3]uint32{1}, [3]uint32{64}, out.addr))
}

func TestSanitizerUninitializedShared(t *testing.T) {
	src := ptxHeader + `.visible .entry k(.param .u64 out) {` + sanRegs + `
	.shared .align 4 .b8 buf[128];
	mov.u32 %r1, %tid.x;
	setp.eq.u32 %p1, %r1, 5;
	shl.b32 %r2, %r1, 2;
	mov.u32 %r3, buf;
	add.s32 %r4, %r3, %r2;
	@!%p1 st.shared.u32 [%r4], %r1;
	bar.sync 0;
	ld.shared.u32 %r5, [%r4]; // BUG: thread 5 never wrote its slot
	ret;
}`
	m := mustParse(t, "uninit.ptx", []byte(src))
	d := NewDevice(Options{})
	out := alloc(t, d, make([]byte, 4))
	res := run(t, d, m, "k", [3]uint32{1, 3}, [3]uint32{32}, out.addr)
	expectFinding(t, res, src, UninitializedShared, [3]uint32{0, 2}, [3]uint32{5})
	if res.FindingCount != 3 {
		t.Errorf("finding count %d, want 3 (one per CTA)", res.FindingCount)
	}
}

func TestSanitizerDivergentBarrier(t *testing.T) {
	src := ptxHeader + `.visible .entry k() {` + sanRegs + `
	mov.u32 %r1, %tid.x;
	setp.lt.u32 %p1, %r1, 48;
	@%p1 bra WAIT;
	exit;
WAIT:
	bar.sync 0; // BUG: threads 48..63 exited
	ret;
}`
	m := mustParse(t, "divbar.ptx", []byte(src))
	d := NewDevice(Options{})
	res := run(t, d, m, "k", [3]uint32{2, 2}, [3]uint32{64}, nil...)
	f := expectFinding(t, res, src, BarrierDivergence, [3]uint32{1, 1}, [3]uint32{0})
	if !strings.Contains(f.Detail, "48 of 64 threads arrived, 16 exited") {
		t.Errorf("detail %q should count arrivals and exits", f.Detail)
	}
	// Two different bar.sync instructions on the two sides of a branch.
	src2 := ptxHeader + `.visible .entry k() {` + sanRegs + `
	mov.u32 %r1, %tid.x;
	setp.lt.u32 %p1, %r1, 32;
	@%p1 bra A;
	bar.sync 0;
	bra.uni END;
A:
	bar.sync 0; // BUG
END:
	ret;
}`
	res = run(t, d, mustParse(t, "divbar2.ptx", []byte(src2)), "k", [3]uint32{1}, [3]uint32{64})
	if res.FindingCount != 1 || res.Findings[0].Kind != BarrierDivergence || !strings.Contains(res.Findings[0].Detail, "different barrier instructions") {
		t.Fatalf("want one barrier-divergence finding for two barrier instructions, got %v", res.Findings)
	}
}

func TestSanitizerWarpCollectiveDeadlock(t *testing.T) {
	src := ptxHeader + `.visible .entry k() {` + sanRegs + `
	mov.u32 %r1, %tid.x;
	setp.lt.u32 %p1, %r1, 16;
	@%p1 bra SKIP;
	shfl.sync.bfly.b32 %r2, %r1, 1, 31, -1; // BUG: lanes 0..15 never come
SKIP:
	ret;
}`
	res := run(t, NewDevice(Options{}), mustParse(t, "shfl.ptx", []byte(src)), "k", [3]uint32{1}, [3]uint32{32})
	expectFinding(t, res, src, WarpDivergence, [3]uint32{}, [3]uint32{16})
}

func TestSanitizerMisaligned(t *testing.T) {
	src := ptxHeader + `.visible .entry k(.param .u64 p) {` + sanRegs + `
	ld.param.u64 %rd1, [p];
	ld.global.v2.u32 {%r1, %r2}, [%rd1+4]; // BUG: 8-byte vector at 4 mod 8
	ret;
}`
	d := NewDevice(Options{})
	p := alloc(t, d, make([]byte, 64))
	res := run(t, d, mustParse(t, "mis.ptx", []byte(src)), "k", [3]uint32{1}, [3]uint32{1}, p.addr)
	expectFinding(t, res, src, Misaligned, [3]uint32{}, [3]uint32{})
}

func TestSanitizerCpAsyncReadBeforeWait(t *testing.T) {
	src := ptxHeader + `.visible .entry k(.param .u64 p) {` + sanRegs + `
	.shared .align 16 .b8 buf[512];
	ld.param.u64 %rd1, [p];
	mov.u32 %r1, %tid.x;
	shl.b32 %r2, %r1, 4;
	mov.u32 %r3, buf;
	add.s32 %r4, %r3, %r2;
	cvt.u64.u32 %rd2, %r2;
	add.s64 %rd3, %rd1, %rd2;
	cp.async.cg.shared.global [%r4], [%rd3], 16;
	cp.async.commit_group;
	ld.shared.u32 %r5, [%r4]; // BUG: before cp.async.wait_group
	cp.async.wait_group 0;
	ret;
}`
	d := NewDevice(Options{})
	p := alloc(t, d, make([]byte, 512))
	res := run(t, d, mustParse(t, "cpa.ptx", []byte(src)), "k", [3]uint32{1}, [3]uint32{32}, p.addr)
	expectFinding(t, res, src, AsyncCopyRace, [3]uint32{}, [3]uint32{3})
}

func TestSanitizerConstWriteAndStepLimit(t *testing.T) {
	src := ptxHeader + `.const .align 4 .u32 tab[2] = {1, 2};
.visible .entry k() {` + sanRegs + `
	mov.u64 %rd1, tab;
	st.global.u32 [%rd1], 7; // BUG: .const is read-only
	ret;
}`
	d := NewDevice(Options{})
	res := run(t, d, mustParse(t, "const.ptx", []byte(src)), "k", [3]uint32{1}, [3]uint32{1})
	expectFinding(t, res, src, ReadOnlyWrite, [3]uint32{}, [3]uint32{})

	loop := ptxHeader + `.visible .entry k() {` + sanRegs + `
L:
	add.s32 %r1, %r1, 1; // BUG: never ends
	bra.uni L;
}`
	d = NewDevice(Options{MaxSteps: 1000})
	res = run(t, d, mustParse(t, "loop.ptx", []byte(loop)), "k", [3]uint32{1}, [3]uint32{32})
	if res.FindingCount != 1 || res.Findings[0].Kind != StepLimit {
		t.Fatalf("want one step-limit finding, got %v", res.Findings)
	}
}

// Accesses that look alike but are ordered must stay quiet: lanes of one
// instruction, lanes separated by a warp collective, atomics.
func TestSanitizerNoFalsePositives(t *testing.T) {
	src := ptxHeader + `.visible .entry k(.param .u64 out) {` + sanRegs + `
	.shared .align 4 .b8 buf[128];
	.shared .align 4 .b32 cnt;
	mov.u32 %r1, %tid.x;
	mov.u32 %r3, buf;
	setp.eq.u32 %p1, %r1, 0;
	@%p1 st.shared.u32 [cnt], 0;
	bar.sync 0;
	// every lane writes slot 0 in one instruction: not a race
	st.shared.u32 [%r3], %r1;
	bar.warp.sync -1;
	// after the warp collective, lane 1 may read what lane 0 wrote
	ld.shared.u32 %r5, [%r3];
	atom.shared.add.u32 %r6, [cnt], 1;
	bar.sync 0;
	ld.shared.u32 %r7, [cnt];
	ld.param.u64 %rd1, [out];
	@%p1 st.global.u32 [%rd1], %r7;
	ret;
}`
	d := NewDevice(Options{})
	out := alloc(t, d, make([]byte, 4))
	res := run(t, d, mustParse(t, "quiet.ptx", []byte(src)), "k", [3]uint32{1}, [3]uint32{32}, out.addr)
	requireClean(t, res)
	if got := bytesU32(out.bytes(t))[0]; got != 32 {
		t.Errorf("atomic count %d, want 32", got)
	}
}

func TestFindingCap(t *testing.T) {
	src := ptxHeader + `.visible .entry k(.param .u64 out) {` + sanRegs + `
	ld.param.u64 %rd1, [out];
	st.global.u32 [%rd1], 1;
	ret;
}`
	d := NewDevice(Options{MaxFindings: 5})
	res := run(t, d, mustParse(t, "cap.ptx", []byte(src)), "k", [3]uint32{10}, [3]uint32{64}, uint64(8))
	if res.FindingCount != 640 || len(res.Findings) != 5 {
		t.Fatalf("count %d stored %d, want 640 and 5", res.FindingCount, len(res.Findings))
	}
	for i, f := range res.Findings {
		if f.CTA != [3]uint32{0} || f.Thread != [3]uint32{uint32(i)} {
			t.Errorf("finding %d from CTA %v thread %v: want the first CTA's threads in order", i, f.CTA, f.Thread)
		}
	}
}
