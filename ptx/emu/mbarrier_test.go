package emu

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

const hopRegs = `
	.reg .pred %p<24>;
	.reg .b32 %r<64>;
	.reg .b64 %rd<24>;
	.reg .f32 %f<8>;
`

// electKernel: warp 0 elects over the full warp; in warp 1 lanes 0..4
// leave first and the rest elect over mask 0xffffffe0 with the sink form.
func electKernel() string {
	return hopperHeader + `.visible .entry k(.param .u64 out) {` + hopRegs + `
	ld.param.u64 %rd1, [out];
	mov.u32 %r1, %tid.x;
	mul.wide.u32 %rd2, %r1, 8;
	add.s64 %rd3, %rd1, %rd2;
	setp.ge.u32 %p3, %r1, 32;
	@%p3 bra W1;
	elect.sync %r2|%p1, 0xffffffff;
	selp.u32 %r3, 1, 0, %p1;
	st.global.v2.u32 [%rd3], {%r2, %r3};
	ret;
W1:
	and.b32 %r4, %r1, 31;
	setp.lt.u32 %p4, %r4, 5;
	@%p4 bra DONE;
	elect.sync _|%p2, 0xffffffe0;
	selp.u32 %r3, 1, 0, %p2;
	st.global.v2.u32 [%rd3], {%r4, %r3};
DONE:
	ret;
}`
}

func TestElectSync(t *testing.T) {
	d := NewDevice(Options{})
	out := alloc(t, d, make([]byte, 64*8))
	res := run(t, d, mustParse(t, "elect.ptx", []byte(electKernel())), "k", [3]uint32{1}, [3]uint32{64}, out.addr)
	requireClean(t, res)
	got := bytesU32(out.bytes(t))
	for tid := 0; tid < 64; tid++ {
		r, p := got[2*tid], got[2*tid+1]
		switch {
		case tid < 32:
			if r != 0 || p != boolU32(tid == 0) {
				t.Errorf("thread %d: leader %d p %d, want 0 %d", tid, r, p, boolU32(tid == 0))
			}
		case tid%32 < 5:
			if r != 0 || p != 0 {
				t.Errorf("thread %d did not elect but wrote %d %d", tid, r, p)
			}
		default:
			if r != uint32(tid%32) || p != boolU32(tid == 37) {
				t.Errorf("thread %d: lane %d p %d, want p %d", tid, r, p, boolU32(tid == 37))
			}
		}
	}
}

// phaseKernel runs one thread through an mbarrier's phases and records
// test_wait results: count 3, arrivals, expect_tx, and a 128-byte bulk
// copy whose complete_tx finishes phase 0.
func phaseKernel() string {
	return hopperHeader + `.visible .entry k(.param .align 64 .b8 tmap[128], .param .u64 out) {` + hopRegs + `
	.shared .align 1024 .b8 buf[128];
	.shared .align 8 .b64 bar;
	ld.param.u64 %rd1, [out];
	mov.u32 %r1, bar;
	mbarrier.init.shared::cta.b64 [%r1], 3;
	mbarrier.test_wait.parity.shared::cta.b64 %p1, [%r1], 0;
	mbarrier.test_wait.parity.shared::cta.b64 %p2, [%r1], 1;
	selp.u32 %r10, 1, 0, %p1;
	selp.u32 %r11, 1, 0, %p2;
	mbarrier.arrive.shared::cta.b64 %rd2, [%r1];
	mbarrier.test_wait.parity.acquire.cta.shared::cta.b64 %p1, [bar], 0;
	selp.u32 %r12, 1, 0, %p1;
	mbarrier.arrive.expect_tx.release.cta.shared::cta.b64 %rd3, [bar], 100;
	mbarrier.arrive.shared.b64 _, [bar];
	mbarrier.test_wait.parity.shared::cta.b64 %p1, [%r1], 0;
	selp.u32 %r13, 1, 0, %p1;
	mbarrier.expect_tx.relaxed.cta.shared::cta.b64 [bar], 28;
	mbarrier.test_wait.shared::cta.b64 %p1, [%r1], %rd2;
	selp.u32 %r14, 1, 0, %p1;
	mov.u64 %rd4, tmap;
	cvta.param.u64 %rd5, %rd4;
	mov.u32 %r2, buf;
	cp.async.bulk.tensor.1d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%r2], [%rd5, {8}], [%r1];
	mbarrier.test_wait.parity.shared::cta.b64 %p1, [%r1], 0;
	mbarrier.test_wait.parity.shared::cta.b64 %p2, [%r1], 1;
	selp.u32 %r15, 1, 0, %p1;
	selp.u32 %r16, 1, 0, %p2;
	mbarrier.test_wait.shared::cta.b64 %p1, [%r1], %rd3;
	selp.u32 %r17, 1, 0, %p1;
	cvt.u32.u64 %r18, %rd2;
	cvt.u32.u64 %r19, %rd3;
	st.global.v4.u32 [%rd1], {%r10, %r11, %r12, %r13};
	st.global.v4.u32 [%rd1+16], {%r14, %r15, %r16, %r17};
	ld.shared.u32 %r20, [buf+4];
	st.global.v2.u32 [%rd1+32], {%r18, %r20};
	mbarrier.inval.shared::cta.b64 [bar];
	ret;
}`
}

func TestMbarrierPhases(t *testing.T) {
	d := NewDevice(Options{})
	src := make([]uint32, 64)
	for i := range src {
		src[i] = uint32(1000 + i)
	}
	g := alloc(t, d, u32Bytes(src))
	tm := tensorMapArg(t, TensorMap{DType: TensorU32, Rank: 1, Global: g.addr, Dims: [5]uint64{64}, Box: [5]uint32{32}, ElemStrides: [5]uint32{1}})
	out := alloc(t, d, make([]byte, 40))
	res := run(t, d, mustParse(t, "phase.ptx", []byte(phaseKernel())), "k", [3]uint32{1}, [3]uint32{1}, tm, out.addr)
	requireClean(t, res)
	got := bytesU32(out.bytes(t))
	want := []uint32{
		0, 1, // fresh: phase 0 incomplete, the "preceding" parity 1 complete
		0,    // one of three arrivals
		0,    // three arrivals but tx-count 100 pending
		0,    // state form, state of phase 0: still incomplete
		1, 0, // the copy's complete_tx(128) balances 100+28: phase 0 done, phase 1 not
		1,    // state form: phase 0 is done
		0,    // both states are phase 0
		1009, // the copy landed: element 8+1
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("result %d = %d, want %d (all %v)", i, got[i], w, got[:len(want)])
		}
	}
	if res.Counters.TMALoadRequests != 1 || res.Counters.TMALoadBytes != 128 {
		t.Errorf("TMA counters %d requests %d bytes, want 1 and 128", res.Counters.TMALoadRequests, res.Counters.TMALoadBytes)
	}
}

// spinKernel: every thread arrives on a barrier of count 128 and spins on
// try_wait, for three phases; warps arrive in a staggered order (warp w
// first does w*40 loop iterations of busy work).
func spinKernel() string {
	return hopperHeader + `.visible .entry k(.param .u64 out) {` + hopRegs + `
	.shared .align 8 .b64 bar;
	ld.param.u64 %rd1, [out];
	mov.u32 %r1, %tid.x;
	setp.eq.u32 %p1, %r1, 0;
	@%p1 mbarrier.init.shared::cta.b64 [bar], 128;
	bar.sync 0;
	mov.u32 %r5, 0;
	mov.u32 %r9, 0;
PHASE:
	shr.u32 %r6, %r1, 5;
	mul.lo.u32 %r6, %r6, 40;
	mov.u32 %r7, 0;
BUSY:
	setp.lt.u32 %p2, %r7, %r6;
	add.u32 %r7, %r7, 1;
	@%p2 bra BUSY;
	mbarrier.arrive.release.cta.shared::cta.b64 _, [bar];
	and.b32 %r8, %r5, 1;
WAIT:
	mbarrier.try_wait.parity.shared::cta.b64 %p3, [bar], %r8;
	@!%p3 bra WAIT;
	add.u32 %r9, %r9, %r7;
	add.u32 %r5, %r5, 1;
	setp.lt.u32 %p4, %r5, 3;
	@%p4 bra PHASE;
	mul.wide.u32 %rd2, %r1, 4;
	add.s64 %rd3, %rd1, %rd2;
	st.global.u32 [%rd3], %r5;
	ret;
}`
}

func TestMbarrierSpinYields(t *testing.T) {
	// A spinning warp must yield, not burn steps: the whole kernel needs a
	// few thousand warp-instructions, and 20000 is the limit.
	d := NewDevice(Options{MaxSteps: 20000})
	out := alloc(t, d, make([]byte, 128*4))
	res := run(t, d, mustParse(t, "spin.ptx", []byte(spinKernel())), "k", [3]uint32{2}, [3]uint32{128}, out.addr)
	requireClean(t, res)
	for i, v := range bytesU32(out.bytes(t)) {
		if v != 3 {
			t.Fatalf("thread %d finished %d phases, want 3", i, v)
		}
	}
}

func TestMbarrierDeadlockNamesBarrier(t *testing.T) {
	// Count 129 but 128 threads arrive: everyone spins forever.
	src := strings.Replace(spinKernel(), "[bar], 128;", "[bar], 129; // BUG", 1)
	src = strings.Replace(src, "// BUG", "", 1)
	src = strings.Replace(src, "\tmbarrier.try_wait.parity.shared::cta.b64 %p3, [bar], %r8;", "\tmbarrier.try_wait.parity.shared::cta.b64 %p3, [bar], %r8; // BUG", 1)
	d := NewDevice(Options{MaxSteps: 50000})
	out := alloc(t, d, make([]byte, 128*4))
	res := run(t, d, mustParse(t, "dead.ptx", []byte(src)), "k", [3]uint32{1}, [3]uint32{128}, out.addr)
	f := expectFinding(t, res, src, BarrierDivergence, [3]uint32{}, [3]uint32{0})
	if !strings.Contains(f.Detail, "mbarrier bar (shared offset 0)") || !strings.Contains(f.Detail, "1 of 129 arrivals pending") || !strings.Contains(f.Detail, "128 thread(s) wait") {
		t.Errorf("deadlock detail should name the barrier and its state: %s", f.Detail)
	}
	for _, f := range res.Findings {
		if f.Kind == StepLimit {
			t.Errorf("spinning burned the step limit: %v", f)
		}
	}
	if res.FindingCount != 1 {
		t.Errorf("want exactly the deadlock finding, got %d: %v", res.FindingCount, res.Findings)
	}
}

// A try_wait that fails may lead to other work: the lanes that yield see
// the failure once when nothing else can move, and here they arrive
// themselves.
func TestMbarrierTryWaitFailureIsSeen(t *testing.T) {
	src := hopperHeader + `.visible .entry k(.param .u64 out) {` + hopRegs + `
	.shared .align 8 .b64 bar;
	ld.param.u64 %rd1, [out];
	mov.u32 %r1, %tid.x;
	setp.eq.u32 %p1, %r1, 0;
	@%p1 mbarrier.init.shared::cta.b64 [bar], 32;
	bar.warp.sync -1;
	mov.u32 %r2, 0;
WAIT:
	mbarrier.try_wait.parity.shared::cta.b64 %p2, [bar], 0;
	@%p2 bra DONE;
	add.u32 %r2, %r2, 1;
	mbarrier.arrive.shared::cta.b64 _, [bar];
	bra.uni WAIT;
DONE:
	mul.wide.u32 %rd2, %r1, 4;
	add.s64 %rd3, %rd1, %rd2;
	st.global.u32 [%rd3], %r2;
	ret;
}`
	d := NewDevice(Options{MaxSteps: 10000})
	out := alloc(t, d, make([]byte, 32*4))
	res := run(t, d, mustParse(t, "fail.ptx", []byte(src)), "k", [3]uint32{1}, [3]uint32{32}, out.addr)
	requireClean(t, res)
	for i, v := range bytesU32(out.bytes(t)) {
		if v != 1 {
			t.Fatalf("thread %d saw %d failed waits, want 1", i, v)
		}
	}
}

// cvta.param gives kernel parameters a generic address: loads work,
// stores are read-only-write findings.
func paramKernel() string {
	return hopperHeader + `.visible .entry k(.param .align 64 .b8 blob[128], .param .u64 out) {` + hopRegs + `
	ld.param.u64 %rd1, [out];
	mov.u64 %rd2, blob;
	cvta.param.u64 %rd3, %rd2;
	ld.u64 %rd4, [%rd3+8];
	ld.param.u64 %rd5, [blob+120];
	ld.u32 %r1, [%rd3+124];
	cvta.to.param.u64 %rd6, %rd3;
	ld.param.u32 %r2, [%rd6+4];
	st.global.u64 [%rd1], %rd4;
	st.global.u64 [%rd1+8], %rd5;
	st.global.v2.u32 [%rd1+16], {%r1, %r2};
	ret;
}`
}

func TestCvtaParam(t *testing.T) {
	blob := make([]byte, 128)
	rand.New(rand.NewSource(7)).Read(blob)
	d := NewDevice(Options{})
	out := alloc(t, d, make([]byte, 24))
	res := run(t, d, mustParse(t, "param.ptx", []byte(paramKernel())), "k", [3]uint32{1}, [3]uint32{1}, blob, out.addr)
	requireClean(t, res)
	got := out.bytes(t)
	for i, r := range [][2]int{{8, 0}, {120, 8}, {124, 16}, {4, 20}} {
		n := 8
		if i >= 2 {
			n = 4
		}
		if string(got[r[1]:r[1]+n]) != string(blob[r[0]:r[0]+n]) {
			t.Errorf("load %d: got % x, want % x", i, got[r[1]:r[1]+n], blob[r[0]:r[0]+n])
		}
	}
	store := hopperHeader + `.visible .entry k(.param .align 64 .b8 blob[128]) {` + hopRegs + `
	mov.u64 %rd2, blob;
	cvta.param.u64 %rd3, %rd2;
	st.u32 [%rd3+16], 5; // BUG: parameters are read-only
	ret;
}`
	res = run(t, d, mustParse(t, "pst.ptx", []byte(store)), "k", [3]uint32{1}, [3]uint32{1}, blob)
	f := expectFinding(t, res, store, ReadOnlyWrite, [3]uint32{}, [3]uint32{})
	if f.Space != "param" {
		t.Errorf("finding space %q, want param", f.Space)
	}
}

// miscFormsKernel uses the remaining accepted spellings: a 64-bit
// register address with .shared, a register count, the plain and .global
// proxy fences, fence.mbarrier_init, a copy without .tile addressed by
// symbols, try_wait with .acquire.cta and a suspend-time hint.
func miscFormsKernel() string {
	return hopperHeader + `.visible .entry k(.param .align 64 .b8 tmap[128], .param .u64 out) {` + hopRegs + `
	.shared .align 1024 .b8 buf[128];
	.shared .align 8 .b64 bar;
	mov.u32 %r1, 1;
	mov.u64 %rd4, tmap;
	cvta.param.u64 %rd5, %rd4;
	mov.u32 %r2, bar;
	cvt.u64.u32 %rd1, %r2;
	mbarrier.init.shared.b64 [%rd1], %r1;
	fence.mbarrier_init.release.cluster;
	fence.proxy.async;
	fence.proxy.async.global;
	mbarrier.arrive.expect_tx.release.cta.shared::cta.b64 _, [%rd1], 128;
	cp.async.bulk.tensor.1d.shared::cluster.global.mbarrier::complete_tx::bytes [buf], [%rd5, {-4}], [bar];
	mov.u32 %r3, 0;
W:
	mbarrier.try_wait.parity.acquire.cta.shared::cta.b64 %p1, [%rd1], %r3;
	@!%p1 bra W;
	mbarrier.try_wait.parity.shared::cta.b64 %p2, [bar], 0, 1000;
	selp.u32 %r5, 1, 0, %p2;
	ld.shared.u32 %r4, [buf+16];
	ld.param.u64 %rd2, [out];
	st.global.v2.u32 [%rd2], {%r4, %r5};
	ret;
}`
}

func TestHopperMiscForms(t *testing.T) {
	d := NewDevice(Options{})
	src := make([]uint32, 32)
	for i := range src {
		src[i] = uint32(7*i + 1)
	}
	g := alloc(t, d, u32Bytes(src))
	tm := tensorMapArg(t, TensorMap{DType: TensorU32, Rank: 1, Global: g.addr, Dims: [5]uint64{32}, Box: [5]uint32{32}, ElemStrides: [5]uint32{1}})
	out := alloc(t, d, make([]byte, 8))
	requireClean(t, run(t, d, mustParse(t, "misc.ptx", []byte(miscFormsKernel())), "k", [3]uint32{1}, [3]uint32{1}, tm, out.addr))
	if got := bytesU32(out.bytes(t)); got[0] != 1 || got[1] != 1 {
		// buf+16 is element 4 of the box, coordinate 0: src[0] = 1.
		t.Errorf("got %v, want [1 1]", got)
	}
}

func TestHopperDecodeRejects(t *testing.T) {
	for _, c := range []struct{ inst, want string }{
		{"mbarrier.init.shared::cluster.b64 [bar], 1;", "shared::cluster"},
		{"mbarrier.arrive.release.cluster.shared::cta.b64 _, [bar];", "cluster"},
		{"mbarrier.arrive.shared::cta.b32 _, [bar];", ".b64"},
		{"mbarrier.try_wait.parity.shared::cta.b64 %r1, [bar], 0;", "predicate"},
		{"mbarrier.arrive.acquire.cta.shared::cta.b64 _, [bar];", "not valid"},
		{"mbarrier.pending_count.b64 %r1, %rd1;", "supported"},
		{"elect.sync %r1, 0xffffffff;", "elect.sync d|p"},
		{"elect.sync %r1|%r2, 0xffffffff;", "predicate"},
		{"fence.proxy.tensormap::generic.release.cta;", "fence.proxy.async"},
		{"fence.proxy.async.shared::cluster;", "unsupported modifier"},
		{"cp.async.bulk.tensor.2d.shared::cluster.global.tile [buf], [%rd1, {0, 0}], [bar];", "complete_tx"},
		{"cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [buf], [%rd1, {0}], [bar];", "2 coordinates"},
		{"cp.async.bulk.tensor.6d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [buf], [%rd1, {0}], [bar];", "dimension"},
		{"cp.async.bulk.tensor.1d.shared::cluster.global.tile.mbarrier::complete_tx::bytes.multicast::cluster [buf], [%rd1, {0}], [bar];", "unsupported modifier"},
		{"cp.async.bulk.tensor.1d.shared::cluster.global.im2col.mbarrier::complete_tx::bytes [buf], [%rd1, {0}], [bar];", "unsupported modifier"},
		{"cp.async.bulk.tensor.1d.global.shared::cta.tile [%rd1, {0}], [buf];", "bulk_group"},
		{"cp.async.bulk.shared::cluster.global.mbarrier::complete_tx::bytes [buf], [%rd1], 16, [bar];", "cp.async.bulk.tensor"},
		{"cp.async.bulk.wait_group %r1;", "immediate"},
		{"ld.global.u32 %r1, [%rd1, {0}];", "tensor coordinates"},
		{"cp.async.bulk.tensor.1d.shared::cluster.global.mbarrier::complete_tx::bytes [buf], [tm, {0}], [bar];", "generic address"},
		{"wgmma.mma_async.sync.aligned.m64n12k16.f32.f16.f16 {%f0}, %rd1, %rd2, 1, 1, 1, 0, 0;", "multiple of 8"},
		{"wgmma.mma_async.sync.aligned.m64n8k32.f32.e4m3.e4m3 {%f0}, %rd1, %rd2, 1, 1, 1;", "m64nNk16"},
		{"wgmma.mma_async.sync.aligned.m64n8k16.f16.f16.f16 {%r1, %r2}, %rd1, %rd2, 1, 1, 1, 0, 0;", ".f32.f16.f16"},
		{"wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 {%f0, %f1, %f2}, %rd1, %rd2, 1, 1, 1, 0, 0;", "vector of 4"},
		{"wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 {%f0, %f1, %f2, %f3}, %rd1, %rd2, 1, 2, 1, 0, 0;", "immediates"},
		{"wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 {%f0, %f1, %f2, %f3}, %rd1, %rd2, 1, 1, 1, 0, 2;", "immediates"},
		{"wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 {%f0, %f1, %f2, %f3}, {%r1, %r2, %r3, %r4}, %rd2, 1, 1, 1, 0, 0;", "7 operands"},
		{"wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 {%rd1, %rd2, %rd3, %rd4}, %rd1, %rd2, 1, 1, 1, 0, 0;", "32-bit"},
		{"wgmma.mma_async.aligned.m64n8k16.f32.f16.f16 {%f0, %f1, %f2, %f3}, %rd1, %rd2, 1, 1, 1, 0, 0;", "sync.aligned"},
		{"wgmma.wait_group.sync.aligned %r1;", "immediate"},
	} {
		src := hopperHeader + `.visible .entry k(.param .align 64 .b8 tm[128]) {` + hopRegs + `
	.shared .align 1024 .b8 buf[1024];
	.shared .align 8 .b64 bar;
	` + c.inst + `
	ret;
}`
		_, err := Parse("rej.ptx", []byte(src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s\n  error %v, want one mentioning %q", c.inst, err, c.want)
		}
	}
}

// TestHopperPTXAssembles checks that the hand-written kernels of these
// tests are real sm_90a PTX, when NVIDIA's ptxas is available.
func TestHopperPTXAssembles(t *testing.T) {
	ptxas := ptxasPath(t)
	if ptxas == "" {
		t.Skip("no ptxas that knows sm_90a (set PTXAS, or see PTX-NOTES.md)")
	}
	kernels := map[string]string{
		"elect": electKernel(), "phase": phaseKernel(), "spin": spinKernel(), "param": paramKernel(),
		"tma-load-3d": tmaLoadKernel(3, false), "tma-load-5d-imm": tmaLoadKernel(5, true), "tma-store-2d": tmaStoreKernel(2, true),
		"gemm": gemmKernel(false, ""), "gemm-areg": gemmKernel(true, ""), "misc": miscFormsKernel(),
		"wgmma-small": wgSmallSrc(fence, "", "", ""), "wgmma-wait": wgWaitKernel,
	}
	for _, n := range []int{8, 136} {
		for _, aRegs := range []bool{false, true} {
			k := wgKernel(wgCase{n: n, aRegs: aRegs, bf: n == 8, scaleD: "pred", negA: true, transA: true, transB: true, ksteps: 1})
			kernels[fmt.Sprintf("wgmma-n%d-areg%v", n, aRegs)] = k
		}
	}
	kernels["wgmma-ksteps"] = wgKernel(wgCase{n: 64, ksteps: 4, scaleD: "1"})
	for name, src := range kernels {
		assemble(t, ptxas, name, src)
	}
}
