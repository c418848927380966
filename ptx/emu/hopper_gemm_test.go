package emu

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// gemmKernel is a Hopper GEMM tile kernel written by hand: D (MxN f32,
// row-major, leading dimension ldd) = A (MxK f16, row-major) * B^T, with B
// stored NxK (K-major, the wgmma "column-major" B). One warpgroup computes
// a 64x64 tile; the elected lane of warp 0 loads 64x64 tiles of A and B
// with TMA into 128B-swizzled stages of a 2-stage ring, each stage with a
// full mbarrier (count 1 + tx) and an empty mbarrier (count 128). Each
// k-tile is 4 wgmma k-steps, the descriptors' start addresses advancing by
// 32 bytes inside the swizzled rows; with aRegs, A comes from registers
// loaded by ldmatrix from the swizzled stage instead.
//
// bug plants one defect and marks the line where the sanitizer must report
// it with "// BUG":
//
//	tma-race       the full-barrier wait is gone: the stage is read before the copy lands
//	acc-race       an accumulator is read between commit_group and wait_group
//	proxy-fence    the threads overwrite part of the B stage with st.shared, then bar.sync, no fence.proxy.async
//	tx-underflow   the prologue announces half the bytes the copies deliver
//	desc-diverge   warp 1 passes a different B descriptor
//	partial        (the kernel is unchanged; the test launches 96 threads)
//	bad-tmap       (unchanged; the test passes a garbage tensor map for B)
func gemmKernel(aRegs bool, bug string) string {
	var b strings.Builder
	mark := func(site string) string {
		if site == bug {
			return " // BUG"
		}
		return ""
	}
	line := func(s string) { b.WriteString("\t" + s + "\n") }
	b.WriteString(hopperHeader + smemDecl + `.visible .entry k(.param .align 64 .b8 tmA[128], .param .align 64 .b8 tmB[128], .param .u64 dptr, .param .u32 kt, .param .u32 ldd)
{` + hopRegs + `	.reg .f32 %acc<32>;
	.reg .b32 %a<4>;
	.reg .b32 %q<64>;
	.shared .align 8 .b8 bars[32];
	mov.u32 %r1, %tid.x;
	mov.u32 %r2, %ctaid.x;
	mov.u32 %r3, %ctaid.y;
	shl.b32 %r4, %r2, 6;
	shl.b32 %r5, %r3, 6;
	ld.param.u32 %r6, [kt];
	mov.u32 %r7, bars;
	mov.u32 %r8, smem;
	mov.u64 %rd1, tmA;
	cvta.param.u64 %rd2, %rd1;
	mov.u64 %rd3, tmB;
	cvta.param.u64 %rd4, %rd3;
	setp.eq.u32 %p1, %r1, 0;
	@%p1 mbarrier.init.shared::cta.b64 [bars], 1;
	@%p1 mbarrier.init.shared::cta.b64 [bars+8], 1;
	@%p1 mbarrier.init.shared::cta.b64 [bars+16], 128;
	@%p1 mbarrier.init.shared::cta.b64 [bars+24], 128;
	bar.sync 0;
	setp.lt.u32 %p2, %r1, 32;
	elect.sync _|%p3, 0xffffffff;
	and.pred %p4, %p2, %p3;
	shr.u32 %q0, %r1, 5;
	and.b32 %q1, %r1, 31;
	and.b32 %q2, %q1, 7;
	shr.u32 %q3, %q1, 3;
	and.b32 %q3, %q3, 1;
	shr.u32 %q4, %q1, 4;
	shl.b32 %q5, %q0, 4;
	add.u32 %q5, %q5, %q2;
	shl.b32 %q6, %q3, 3;
	add.u32 %q5, %q5, %q6;
	shl.b32 %q5, %q5, 7;
	mov.u32 %r9, 0;
PRO:
	setp.ge.u32 %p5, %r9, 2;
	setp.ge.or.u32 %p5, %r9, %r6, %p5;
	@%p5 bra PRODONE;
	shl.b32 %r23, %r9, 3;
	add.u32 %r24, %r7, %r23;
	shl.b32 %r25, %r9, 14;
	add.u32 %r26, %r8, %r25;
	add.u32 %r27, %r26, 8192;
	shl.b32 %r28, %r9, 6;
`)
	tx := "16384"
	if bug == "tx-underflow" {
		tx = "8192"
	}
	line("@%p4 mbarrier.arrive.expect_tx.shared::cta.b64 _, [%r24], " + tx + ";")
	line("@%p4 cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%r26], [%rd2, {%r28, %r5}], [%r24];")
	line("@%p4 cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%r27], [%rd4, {%r28, %r4}], [%r24];" + mark("tx-underflow") + mark("bad-tmap"))
	b.WriteString(`	add.u32 %r9, %r9, 1;
	bra.uni PRO;
PRODONE:
`)
	for i := 0; i < 32; i++ {
		line(fmt.Sprintf("mov.f32 %%acc%d, 0f00000000;", i))
	}
	b.WriteString(`	mov.u32 %r10, 0;
LOOP:
	setp.ge.u32 %p6, %r10, %r6;
	@%p6 bra EPI;
	and.b32 %r11, %r10, 1;
	shr.u32 %r12, %r10, 1;
	and.b32 %r12, %r12, 1;
	shl.b32 %r13, %r11, 3;
	add.u32 %r14, %r7, %r13;
	add.u32 %r15, %r14, 16;
	shl.b32 %r16, %r11, 14;
	add.u32 %r17, %r8, %r16;
	add.u32 %r18, %r17, 8192;
`)
	if bug != "tma-race" {
		b.WriteString(`WAITFULL:
	mbarrier.try_wait.parity.shared::cta.b64 %p7, [%r14], %r12;
	@!%p7 bra WAITFULL;
`)
	}
	if bug == "proxy-fence" {
		b.WriteString(`	shl.b32 %r50, %r1, 2;
	add.u32 %r51, %r18, %r50;
	st.shared.u32 [%r51], 0;
	bar.sync 0;
`)
	}
	b.WriteString(`	shr.u32 %r19, %r17, 4;
	cvt.u64.u32 %rd5, %r19;
	or.b64 %rd5, %rd5, 0x4000004000010000;
	shr.u32 %r20, %r18, 4;
	cvt.u64.u32 %rd6, %r20;
	or.b64 %rd6, %rd6, 0x4000004000010000;
`)
	if bug == "desc-diverge" {
		line("setp.eq.u32 %p20, %q0, 1;")
		line("@%p20 add.s64 %rd6, %rd6, 64;")
	}
	var accs []string
	for i := 0; i < 32; i++ {
		accs = append(accs, fmt.Sprintf("%%acc%d", i))
	}
	acc := "{" + strings.Join(accs, ", ") + "}"
	if !aRegs {
		line("wgmma.fence.sync.aligned;")
	}
	for kk := 0; kk < 4; kk++ {
		first := ""
		if kk == 0 {
			first = mark("tma-race") + mark("proxy-fence") + mark("desc-diverge") + mark("partial")
		}
		if aRegs {
			line(fmt.Sprintf("add.u32 %%q7, %%q4, %d;", 2*kk))
			line("xor.b32 %q7, %q7, %q2;")
			line("shl.b32 %q7, %q7, 4;")
			line("add.u32 %q8, %r17, %q5;")
			line("add.u32 %q8, %q8, %q7;")
			line("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%a0, %a1, %a2, %a3}, [%q8];" + first)
			line("wgmma.fence.sync.aligned;")
			line("wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16 " + acc + ", {%a0, %a1, %a2, %a3}, %rd6, 1, 1, 1, 0;")
		} else {
			line("wgmma.mma_async.sync.aligned.m64n64k16.f32.f16.f16 " + acc + ", %rd5, %rd6, 1, 1, 1, 0, 0;" + first)
			line("add.s64 %rd5, %rd5, 2;")
		}
		line("add.s64 %rd6, %rd6, 2;")
	}
	line("wgmma.commit_group.sync.aligned;")
	if bug == "acc-race" {
		line("mov.b32 %r52, %acc5; // BUG")
	}
	b.WriteString(`	wgmma.wait_group.sync.aligned 0;
	mbarrier.arrive.shared::cta.b64 _, [%r15];
	add.u32 %r21, %r10, 2;
	setp.lt.u32 %p8, %r21, %r6;
	and.pred %p9, %p8, %p4;
	@!%p9 bra NEXT;
WAITEMPTY:
	mbarrier.try_wait.parity.shared::cta.b64 %p10, [%r15], %r12;
	@!%p10 bra WAITEMPTY;
	shl.b32 %r22, %r21, 6;
	mbarrier.arrive.expect_tx.shared::cta.b64 _, [%r14], 16384;
	cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%r17], [%rd2, {%r22, %r5}], [%r14];
	cp.async.bulk.tensor.2d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%r18], [%rd4, {%r22, %r4}], [%r14];
NEXT:
	add.u32 %r10, %r10, 1;
	bra.uni LOOP;
EPI:
	ld.param.u64 %rd7, [dptr];
	ld.param.u32 %r40, [ldd];
	shl.b32 %r41, %q0, 4;
	shr.u32 %r43, %q1, 2;
	add.u32 %r41, %r41, %r43;
	add.u32 %r41, %r41, %r5;
	and.b32 %r44, %q1, 3;
	shl.b32 %r44, %r44, 1;
	add.u32 %r44, %r44, %r4;
	mad.lo.u32 %r45, %r41, %r40, %r44;
	mul.wide.u32 %rd8, %r45, 4;
	add.s64 %rd9, %rd7, %rd8;
	shl.b32 %r46, %r40, 5;
	cvt.u64.u32 %rd10, %r46;
	add.s64 %rd11, %rd9, %rd10;
`)
	for j := 0; j < 8; j++ {
		line(fmt.Sprintf("st.global.v2.f32 [%%rd9+%d], {%%acc%d, %%acc%d};", 32*j, 4*j, 4*j+1))
		line(fmt.Sprintf("st.global.v2.f32 [%%rd11+%d], {%%acc%d, %%acc%d};", 32*j, 4*j+2, 4*j+3))
	}
	b.WriteString("\tret;\n}\n")
	return b.String()
}

type gemmProblem struct {
	M, N, K int
	A, B    []uint16 // A[m*K+k], B[n*K+k]
	a, bb   buf
	ta, tb  TensorMap
}

func newGemm(t *testing.T, d *Device, M, N, K int, seed int64) *gemmProblem {
	r := rand.New(rand.NewSource(seed))
	p := &gemmProblem{M: M, N: N, K: K, A: make([]uint16, M*K), B: make([]uint16, N*K)}
	for i := range p.A {
		p.A[i] = halfBits(r, false, -3, 1)
	}
	for i := range p.B {
		p.B[i] = halfBits(r, false, -3, 1)
	}
	toBytes := func(v []uint16) []byte {
		out := make([]byte, 2*len(v))
		for i, x := range v {
			putU16(out, uint64(2*i), x)
		}
		return out
	}
	p.a = alloc(t, d, toBytes(p.A))
	p.bb = alloc(t, d, toBytes(p.B))
	tile := func(g buf, rows int) TensorMap {
		return TensorMap{DType: TensorF16, Rank: 2, Global: g.addr, Dims: [5]uint64{uint64(K), uint64(rows)}, Strides: [4]uint64{uint64(2 * K)},
			Box: [5]uint32{64, 64}, ElemStrides: [5]uint32{1, 1}, Swizzle: Swizzle128B}
	}
	p.ta, p.tb = tile(p.a, M), tile(p.bb, N)
	return p
}

func (p *gemmProblem) launch(t *testing.T, d *Device, m *Module, threads uint32, tb []byte) (*Result, buf) {
	out := alloc(t, d, nanBytes(4*p.M*p.N))
	if tb == nil {
		tb = tensorMapArg(t, p.tb)
	}
	res := runDyn(t, d, m, [3]uint32{uint32(p.N / 64), uint32(p.M / 64)}, [3]uint32{threads}, 2*16384,
		tensorMapArg(t, p.ta), tb, out.addr, uint32(p.K/64), uint32(p.N))
	return res, out
}

func TestHopperGemm(t *testing.T) {
	d := NewDevice(Options{})
	p := newGemm(t, d, 128, 128, 256, 11)
	for _, aRegs := range []bool{false, true} {
		name := fmt.Sprintf("gemm-aRegs=%v", aRegs)
		res, out := p.launch(t, d, mustParse(t, name, []byte(gemmKernel(aRegs, ""))), 128, nil)
		requireClean(t, res)
		got := bytesF32(out.bytes(t))
		bad := 0
		for m := 0; m < p.M; m++ {
			for n := 0; n < p.N; n++ {
				// float64 reference, and the exact f32 fma chain in k order.
				var ref, mag float64
				var chain float32
				for k := 0; k < p.K; k++ {
					a, b := halfValue(p.A[m*p.K+k], false), halfValue(p.B[n*p.K+k], false)
					ref += a * b
					mag += math.Abs(a * b)
					chain = fmaF32(a, b, chain)
				}
				g := got[m*p.N+n]
				if math.Abs(float64(g)-ref) > 1e-6*mag || g != chain {
					if bad < 3 {
						t.Errorf("%s: D[%d][%d] = %v, want %v (f32 chain %v)", name, m, n, g, ref, chain)
					}
					bad++
				}
			}
		}
		if bad > 0 {
			t.Fatalf("%s: %d wrong elements", name, bad)
		}
		c := res.Counters
		ctas, ktiles := uint64(4), uint64(4)
		if c.WGMMA != ctas*ktiles*4 || c.TensorMACs != uint64(p.M*p.N*p.K) || c.TMALoadRequests != ctas*ktiles*2 || c.TMALoadBytes != ctas*ktiles*16384 {
			t.Errorf("%s: counters WGMMA %d MACs %d TMA %d requests %d bytes", name, c.WGMMA, c.TensorMACs, c.TMALoadRequests, c.TMALoadBytes)
		}
	}
}

// Each planted defect in the GEMM is reported at its line, in CTA 0.
func TestHopperGemmPlanted(t *testing.T) {
	d := NewDevice(Options{MaxSteps: 1 << 22})
	p := newGemm(t, d, 64, 64, 256, 12)
	garbage := make([]byte, 128)
	rand.New(rand.NewSource(5)).Read(garbage)
	for _, c := range []struct {
		bug     string
		aRegs   bool
		kind    FindingKind
		thread  uint32
		threads uint32
		tmapB   []byte
	}{
		{"tma-race", false, TensorCopyRace, 0, 128, nil},
		{"tma-race", true, TensorCopyRace, 0, 128, nil},
		{"acc-race", false, WgmmaRace, 0, 128, nil},
		{"proxy-fence", false, ProxyFenceMissing, 0, 128, nil},
		{"tx-underflow", false, MbarrierMisuse, 0, 128, nil},
		{"desc-diverge", false, WarpgroupDivergence, 32, 128, nil},
		{"partial", false, WarpgroupDivergence, 0, 96, nil},
		{"bad-tmap", false, BadTensorMap, 0, 128, garbage},
	} {
		src := gemmKernel(c.aRegs, c.bug)
		res, _ := p.launch(t, d, mustParse(t, c.bug, []byte(src)), c.threads, c.tmapB)
		f := expectFinding(t, res, src, c.kind, [3]uint32{}, [3]uint32{c.thread})
		t.Logf("%s (aRegs %v): %v", c.bug, c.aRegs, f)
	}
}
