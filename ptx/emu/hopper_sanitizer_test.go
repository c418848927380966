package emu

import (
	"math/rand"
	"strings"
	"testing"
)

// Planted bugs in the Hopper asynchronous instructions, in the style of
// sanitizer_test.go: each kernel has one defect marked "// BUG".

// tmaOneBox is a kernel in which thread 0 loads a 32-element f32 box
// (128 bytes) into buf with TMA on mbarrier bar, everyone waits, and each
// of the 32 threads reads its element; body replaces @BODY.
const tmaOneBox = `.visible .entry k(.param .align 64 .b8 tmap[128], .param .u64 out) {` + hopRegs + `
	.shared .align 1024 .b8 buf[1024];
	.shared .align 8 .b64 bar;
	ld.param.u64 %rd1, [out];
	mov.u32 %r1, %tid.x;
	setp.eq.u32 %p1, %r1, 0;
	@%p1 mbarrier.init.shared::cta.b64 [bar], 1;
	bar.sync 0;
	mov.u64 %rd2, tmap;
	cvta.param.u64 %rd3, %rd2;
	shl.b32 %r2, %r1, 2;
	mov.u32 %r3, buf;
	add.u32 %r4, %r3, %r2;
@BODY
	mul.wide.u32 %rd4, %r1, 4;
	add.s64 %rd5, %rd1, %rd4;
	st.global.u32 [%rd5], %r5;
	ret;
}`

func oneBox(body string) string {
	return hopperHeader + strings.Replace(tmaOneBox, "@BODY", body, 1)
}

func oneBoxRun(t *testing.T, src string) *Result {
	t.Helper()
	d := NewDevice(Options{MaxSteps: 100000})
	g := alloc(t, d, make([]byte, 4*64))
	tm := tensorMapArg(t, TensorMap{DType: TensorF32, Rank: 1, Global: g.addr, Dims: [5]uint64{64}, Box: [5]uint32{32}, ElemStrides: [5]uint32{1}})
	out := alloc(t, d, make([]byte, 128))
	return run(t, d, mustParse(t, "planted.ptx", []byte(src)), "k", [3]uint32{1}, [3]uint32{32}, tm, out.addr)
}

const issue = `
	@%p1 mbarrier.arrive.expect_tx.shared::cta.b64 _, [bar], 128;
	@%p1 cp.async.bulk.tensor.1d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [buf], [%rd3, {0}], [bar];`

const wait = `
WAIT:
	mbarrier.try_wait.parity.shared::cta.b64 %p2, [bar], 0;
	@!%p2 bra WAIT;`

func TestSanitizerTMAReadBeforeWait(t *testing.T) {
	requireClean(t, oneBoxRun(t, oneBox(issue+wait+"\n\tld.shared.u32 %r5, [%r4];")))
	src := oneBox(issue + "\n\tld.shared.u32 %r5, [%r4]; // BUG: the box has not landed" + wait)
	res := oneBoxRun(t, src)
	f := expectFinding(t, res, src, TensorCopyRace, [3]uint32{}, [3]uint32{0})
	if f.Space != "shared" || f.Addr != 0 {
		t.Errorf("finding should name shared offset 0: %v", f)
	}
	// A generic store into the box before it lands races with the copy.
	src = oneBox(issue + "\n\tst.shared.u32 [%r4], %r1; // BUG: the copy will overwrite it" + wait + "\n\tld.shared.u32 %r5, [%r4];")
	expectFinding(t, oneBoxRun(t, src), src, TensorCopyRace, [3]uint32{}, [3]uint32{0})
}

func TestSanitizerMbarrierTxUnderflow(t *testing.T) {
	src := oneBox(strings.Replace(issue, "[bar], 128;", "[bar], 64;", 1) + " // BUG: 128 bytes land, 64 expected" +
		"\n\tmbarrier.try_wait.parity.shared::cta.b64 %p2, [bar], 0;\n\tld.shared.u32 %r5, [%r4];")
	res := oneBoxRun(t, src)
	f := expectFinding(t, res, src, MbarrierMisuse, [3]uint32{}, [3]uint32{0})
	if !strings.Contains(f.Detail, "negative (-64)") {
		t.Errorf("detail should give the negative tx-count: %s", f.Detail)
	}
}

func TestSanitizerMbarrierExtraArrival(t *testing.T) {
	// Count 1: thread 0's arrive.expect_tx completes the arrivals, the
	// phase waits for its bytes, and thread 1 arrives once too many.
	src := oneBox(issue + `
	setp.eq.u32 %p3, %r1, 1;
	@%p3 mbarrier.arrive.shared::cta.b64 _, [bar]; // BUG: the barrier expects one arrival` + wait + "\n\tld.shared.u32 %r5, [%r4];")
	f := expectFinding(t, oneBoxRun(t, src), src, MbarrierMisuse, [3]uint32{}, [3]uint32{1})
	if !strings.Contains(f.Detail, "expects only 0 more") {
		t.Errorf("detail: %s", f.Detail)
	}
}

func TestSanitizerMbarrierUninitialized(t *testing.T) {
	src := hopperHeader + `.visible .entry k() {` + hopRegs + `
	.shared .align 8 .b64 bars[2];
	mov.u32 %r1, %tid.x;
	setp.eq.u32 %p1, %r1, 0;
	@%p1 mbarrier.init.shared::cta.b64 [bars], 32;
	bar.sync 0;
	mbarrier.arrive.shared::cta.b64 _, [bars+8]; // BUG: bars[1] was never initialized
	ret;
}`
	res := run(t, NewDevice(Options{}), mustParse(t, "uninit.ptx", []byte(src)), "k", [3]uint32{1}, [3]uint32{32})
	expectFinding(t, res, src, MbarrierMisuse, [3]uint32{}, [3]uint32{0})
}

func TestSanitizerTMAExpectTooMuchDeadlocks(t *testing.T) {
	src := oneBox(strings.Replace(issue, "[bar], 128;", "[bar], 256;", 1) + strings.Replace(wait, "[bar], 0;", "[bar], 0; // BUG: 256 bytes never arrive", 1) + "\n\tld.shared.u32 %r5, [%r4];")
	res := oneBoxRun(t, src)
	f := expectFinding(t, res, src, BarrierDivergence, [3]uint32{}, [3]uint32{0})
	if !strings.Contains(f.Detail, "tx-count 128") {
		t.Errorf("deadlock detail should show the missing bytes: %s", f.Detail)
	}
}

// wgSmall is a single m64n8k16 wgmma on an all-ones K-major operand
// written with generic stores; @PRE goes before the wgmma, @POST between
// commit_group and wait_group.
const wgSmall = `.visible .entry k(.param .u64 out) {` + hopRegs + `
	.shared .align 1024 .b8 s[2048];
	.reg .f32 %d<4>;
	mov.u32 %r1, %tid.x;
	shl.b32 %r2, %r1, 4;
	mov.u32 %r3, s;
	add.u32 %r4, %r3, %r2;
	mov.b32 %r5, 0x3c003c00;
	st.shared.v4.u32 [%r4], {%r5, %r5, %r5, %r5};
@FENCE
	bar.sync 0;
	shr.u32 %r6, %r3, 4;
	cvt.u64.u32 %rd1, %r6;
	or.b64 %rd2, %rd1, 0x0000001000080000;
	mov.f32 %d0, 0f00000000;
	mov.f32 %d1, 0f00000000;
	mov.f32 %d2, 0f00000000;
	mov.f32 %d3, 0f00000000;
	wgmma.fence.sync.aligned;
@PRE
	wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 {%d0, %d1, %d2, %d3}, %rd2, %rd2, 1, 1, 1, 0, 0;@MMA
	wgmma.commit_group.sync.aligned;
@POST
	wgmma.wait_group.sync.aligned 0;
	ld.param.u64 %rd3, [out];
	mul.wide.u32 %rd4, %r1, 16;
	add.s64 %rd5, %rd3, %rd4;
	st.global.v4.f32 [%rd5], {%d0, %d1, %d2, %d3};
	ret;
}`

func wgSmallSrc(fence, pre, mma, post string) string {
	r := strings.NewReplacer("@FENCE", fence, "@PRE", pre, "@MMA", mma, "@POST", post)
	return hopperHeader + r.Replace(wgSmall)
}

func wgSmallRun(t *testing.T, src string, threads uint32) *Result {
	t.Helper()
	d := NewDevice(Options{MaxSteps: 100000})
	out := alloc(t, d, make([]byte, 16*128))
	return run(t, d, mustParse(t, "wg.ptx", []byte(src)), "k", [3]uint32{1}, [3]uint32{threads}, out.addr)
}

const fence = "\tfence.proxy.async.shared::cta;"

func TestSanitizerWgmmaAccumulatorBeforeWait(t *testing.T) {
	requireClean(t, wgSmallRun(t, wgSmallSrc(fence, "", "", ""), 128))
	src := wgSmallSrc(fence, "", "", "\tadd.f32 %f1, %d2, 0f3F800000; // BUG: %d2 is still in flight")
	f := expectFinding(t, wgSmallRun(t, src, 128), src, WgmmaRace, [3]uint32{}, [3]uint32{0})
	if !strings.Contains(f.Detail, "%d2") {
		t.Errorf("detail should name the register: %s", f.Detail)
	}
	// Writing it is as wrong: the retiring wait would overwrite it.
	src = wgSmallSrc(fence, "", "", "\tmov.f32 %d0, 0f00000000; // BUG")
	expectFinding(t, wgSmallRun(t, src, 128), src, WgmmaRace, [3]uint32{}, [3]uint32{0})
}

func TestSanitizerMissingProxyFence(t *testing.T) {
	src := wgSmallSrc("", "", " // BUG: generic stores, no fence.proxy.async", "")
	f := expectFinding(t, wgSmallRun(t, src, 128), src, ProxyFenceMissing, [3]uint32{}, [3]uint32{0})
	if f.Space != "shared" {
		t.Errorf("space %q", f.Space)
	}
	// fence.proxy.async.global does not cover shared memory.
	src = wgSmallSrc("\tfence.proxy.async.global;", "", " // BUG", "")
	expectFinding(t, wgSmallRun(t, src, 128), src, ProxyFenceMissing, [3]uint32{}, [3]uint32{0})
	// The bulk tensor store reads its source through the async proxy too.
	tc := tmaCases[2]
	d := NewDevice(Options{})
	tm, _ := tc.tensor(t, d, rand.New(rand.NewSource(9)))
	n := tm.BoxBytes()
	in := alloc(t, d, make([]byte, n))
	src = strings.Replace(tmaStoreKernel(2, false), "bulk_group [%rd2", "bulk_group [%rd2", 1)
	src = strings.Replace(src, "[%r2];\n\tcp.async.bulk.commit_group;", "[%r2]; // BUG: no fence after the generic stores\n\tcp.async.bulk.commit_group;", 1)
	res := runDyn(t, d, mustParse(t, "store.ptx", []byte(src)), [3]uint32{1}, [3]uint32{64}, uint32(n), tc.args(tensorMapArg(t, tm), in, n)...)
	expectFinding(t, res, src, ProxyFenceMissing, [3]uint32{}, [3]uint32{0})
}

func TestSanitizerWarpgroupDivergence(t *testing.T) {
	// 96 threads: no fourth warp. Warp 2 arrives last at the bar.sync, so
	// it runs on first and reports.
	src := wgSmallSrc(fence, "", " // BUG: a warpgroup needs 128 threads", "")
	f := expectFinding(t, wgSmallRun(t, src, 96), src, WarpgroupDivergence, [3]uint32{}, [3]uint32{64})
	if !strings.Contains(f.Detail, "partial warpgroup") {
		t.Errorf("detail: %s", f.Detail)
	}
	// Warp 2 passes another descriptor.
	src = wgSmallSrc(fence, "\tsetp.ge.u32 %p5, %r1, 64;\n\tsetp.lt.u32 %p6, %r1, 96;\n\tand.pred %p5, %p5, %p6;\n\t@%p5 add.s64 %rd2, %rd2, 8;", " // BUG", "")
	expectFinding(t, wgSmallRun(t, src, 128), src, WarpgroupDivergence, [3]uint32{}, [3]uint32{64})
	// Warps 0-1 and 2-3 reach different wgmma instructions.
	src = wgSmallSrc(fence, "\tsetp.lt.u32 %p5, %r1, 64;\n\t@%p5 bra OTHER;", "", "")
	src = strings.Replace(src, "\twgmma.commit_group.sync.aligned;", "\tbra.uni JOIN;\nOTHER:\n\twgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 {%d0, %d1, %d2, %d3}, %rd2, %rd2, 1, 1, 1, 0, 0; // BUG\nJOIN:\n\twgmma.commit_group.sync.aligned;", 1)
	res := wgSmallRun(t, src, 128)
	found := false
	for _, f := range res.Findings {
		found = found || f.Kind == WarpgroupDivergence && strings.Contains(f.Detail, "different wgmma instructions")
	}
	if !found {
		t.Errorf("want a warpgroup-divergence finding for two wgmma instructions, got %v", res.Findings)
	}
	// A warp that never comes: the others wait at the wgmma forever.
	src = wgSmallSrc(fence, "\tsetp.ge.u32 %p5, %r1, 96;\n\t@%p5 exit;", " // BUG: warp 3 left", "")
	f = expectFinding(t, wgSmallRun(t, src, 128), src, WarpgroupDivergence, [3]uint32{}, [3]uint32{0})
	t.Log(f)
}

func TestSanitizerBadTensorMapAddress(t *testing.T) {
	src := oneBox(strings.Replace(issue, "[%rd3, {0}]", "[%rd6, {0}]", 1) + wait + "\n\tld.shared.u32 %r5, [%r4];")
	src = strings.Replace(src, "@%p1 cp.async.bulk", "add.s64 %rd6, %rd3, 16;\n\t@%p1 cp.async.bulk", 1)
	src = strings.Replace(src, "[%rd6, {0}], [bar];", "[%rd6, {0}], [bar]; // BUG: not the tensor map's address", 1)
	res := oneBoxRun(t, src)
	expectFinding(t, res, src, Misaligned, [3]uint32{}, [3]uint32{0})
	src = strings.Replace(src, "add.s64 %rd6, %rd3, 16;", "add.s64 %rd6, %rd3, 64;", 1)
	res = oneBoxRun(t, src)
	expectFinding(t, res, src, BadTensorMap, [3]uint32{}, [3]uint32{0})
	if res.FindingCount != 1 {
		t.Errorf("a bad tensor map should stop the CTA with one finding, got %v", res.Findings)
	}
}
