package emu

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
)

// wgCase is one wgmma test: shape, types, operand layouts and modifiers.
type wgCase struct {
	n          int
	bf         bool
	aRegs      bool
	la, lb     wgLayout
	scaleD     string // "0", "1", "pred" (p true), "npred" (!p, p true)
	negA, negB bool
	transA     bool // set from la by the test
	transB     bool
	ksteps     int // k-steps of 16, chained on the same accumulators
}

func (c wgCase) String() string {
	lay := func(l wgLayout) string {
		m := "K"
		if l.mnMajor {
			m = "MN"
		}
		return fmt.Sprintf("%s-%dB-lbo%d-sbo%d", m, l.span, l.lbo, l.sbo)
	}
	a := "A:" + lay(c.la)
	if c.aRegs {
		a = "A:regs"
	}
	ty := "f16"
	if c.bf {
		ty = "bf16"
	}
	return fmt.Sprintf("n%d-%s-%s-B:%s-scale%s-neg%v%v-k%d", c.n, ty, a, lay(c.lb), c.scaleD, c.negA, c.negB, c.ksteps)
}

// wgKernel: 128 threads copy an operand image into shared memory, load
// initial accumulators (and A fragments), run ksteps wgmmas on the same
// accumulators, advancing the descriptors by sa/sb each step, wait, and
// store D: thread t's register v at out[t*N/2+v].
func wgKernel(c wgCase) string {
	n2 := c.n / 2
	ty := "f16"
	if c.bf {
		ty = "bf16"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s.visible .entry k(.param .u64 img, .param .u32 nchunk, .param .u64 da, .param .u64 db, .param .u64 sa, .param .u64 sb,\n\t.param .u64 areg, .param .u64 dinit, .param .u64 out, .param .u32 sd) {%s", hopperHeader, smemDecl, hopRegs)
	fmt.Fprintf(&b, "\t.reg .f32 %%d<%d>;\n\t.reg .b32 %%a<%d>;\n", n2, 4*c.ksteps)
	b.WriteString(`	mov.u32 %r1, %tid.x;
	ld.param.u64 %rd3, [img];
	ld.param.u32 %r5, [nchunk];
	mov.u32 %r2, smem;
	mov.u32 %r6, %r1;
COPY:
	setp.ge.u32 %p6, %r6, %r5;
	@%p6 bra COPIED;
	shl.b32 %r7, %r6, 4;
	add.u32 %r8, %r2, %r7;
	mul.wide.u32 %rd4, %r6, 16;
	add.s64 %rd5, %rd3, %rd4;
	ld.global.v4.u32 {%r10, %r11, %r12, %r13}, [%rd5];
	st.shared.v4.u32 [%r8], {%r10, %r11, %r12, %r13};
	add.u32 %r6, %r6, 128;
	bra.uni COPY;
COPIED:
	fence.proxy.async.shared::cta;
	bar.sync 0;
	ld.param.u64 %rd10, [da];
	ld.param.u64 %rd11, [db];
	ld.param.u64 %rd12, [sa];
	ld.param.u64 %rd13, [sb];
	shr.u32 %r20, %r2, 4;
	cvt.u64.u32 %rd14, %r20;
	add.s64 %rd10, %rd10, %rd14;
	add.s64 %rd11, %rd11, %rd14;
	ld.param.u64 %rd15, [dinit];
`)
	fmt.Fprintf(&b, "\tmul.wide.u32 %%rd16, %%r1, %d;\n\tadd.s64 %%rd17, %%rd15, %%rd16;\n", 4*n2)
	for v := 0; v < n2; v++ {
		fmt.Fprintf(&b, "\tld.global.f32 %%d%d, [%%rd17+%d];\n", v, 4*v)
	}
	if c.aRegs {
		fmt.Fprintf(&b, "\tld.param.u64 %%rd18, [areg];\n\tmul.wide.u32 %%rd19, %%r1, %d;\n\tadd.s64 %%rd20, %%rd18, %%rd19;\n", 16*c.ksteps)
		for s := 0; s < c.ksteps; s++ {
			fmt.Fprintf(&b, "\tld.global.v4.b32 {%%a%d, %%a%d, %%a%d, %%a%d}, [%%rd20+%d];\n", 4*s, 4*s+1, 4*s+2, 4*s+3, 16*s)
		}
	}
	b.WriteString("\tld.param.u32 %r21, [sd];\n\tsetp.ne.u32 %p1, %r21, 0;\n\twgmma.fence.sync.aligned;\n")
	var ds []string
	for v := 0; v < n2; v++ {
		ds = append(ds, fmt.Sprintf("%%d%d", v))
	}
	imm := func(neg bool) string {
		if neg {
			return "-1"
		}
		return "1"
	}
	bit := func(x bool) int {
		if x {
			return 1
		}
		return 0
	}
	for s := 0; s < c.ksteps; s++ {
		scale := map[string]string{"0": "0", "1": "1", "pred": "%p1", "npred": "!%p1"}[c.scaleD]
		if s > 0 {
			scale = "1"
		}
		a := "%rd10"
		tail := fmt.Sprintf("%d, %d", bit(c.transA), bit(c.transB))
		if c.aRegs {
			a = fmt.Sprintf("{%%a%d, %%a%d, %%a%d, %%a%d}", 4*s, 4*s+1, 4*s+2, 4*s+3)
			tail = fmt.Sprint(bit(c.transB))
		}
		fmt.Fprintf(&b, "\twgmma.mma_async.sync.aligned.m64n%dk16.f32.%s.%s {%s}, %s, %%rd11, %s, %s, %s, %s;\n",
			c.n, ty, ty, strings.Join(ds, ", "), a, scale, imm(c.negA), imm(c.negB), tail)
		b.WriteString("\tadd.s64 %rd10, %rd10, %rd12;\n\tadd.s64 %rd11, %rd11, %rd13;\n")
	}
	b.WriteString("\twgmma.commit_group.sync.aligned;\n\twgmma.wait_group.sync.aligned 0;\n\tld.param.u64 %rd21, [out];\n\tadd.s64 %rd22, %rd21, %rd16;\n")
	for v := 0; v < n2; v++ {
		fmt.Fprintf(&b, "\tst.global.f32 [%%rd22+%d], %%d%d;\n", 4*v, v)
	}
	b.WriteString("\tret;\n}\n")
	return b.String()
}

// testLayout picks LBO/SBO for an operand of mn rows (K = 16*ksteps); the
// variant chooses between a tight layout and one with the other stride
// order or padding.
func testLayout(span int, mnMajor bool, mn, variant int) wgLayout {
	l := wgLayout{span: span, mnMajor: mnMajor}
	groups := (mn + 7) / 8
	switch {
	case span == 0 && !mnMajor:
		l.lbo, l.sbo = 128, 256
		if variant%2 == 1 {
			l.lbo, l.sbo = groups*128, 128
		}
	case span == 0:
		l.sbo, l.lbo = 128, groups*128
		if variant%2 == 1 {
			l.lbo, l.sbo = 128, 256
		}
	case !mnMajor:
		l.lbo, l.sbo = 16, 8*span
		if variant%2 == 1 {
			l.sbo = 16 * span
		}
	default:
		chunks := (mn + span/2 - 1) / (span / 2)
		l.sbo, l.lbo = 8*span, 16*span
		if variant%2 == 1 {
			l.lbo, l.sbo = 8*span, chunks*8*span
		}
	}
	return l
}

// wgRun builds the operands, runs the case and compares every accumulator
// bit-exactly with a plain f32 fma chain in k order.
func wgRun(t *testing.T, d *Device, c wgCase, seed int64) {
	t.Helper()
	r := rand.New(rand.NewSource(seed))
	K := 16 * c.ksteps
	c.transA, c.transB = c.la.mnMajor, c.lb.mnMajor
	A := make([]uint16, 64*K) // A[m*K+k]
	B := make([]uint16, K*c.n)
	for i := range A {
		A[i] = halfBits(r, c.bf, -3, 1)
	}
	for i := range B {
		B[i] = halfBits(r, c.bf, -3, 1)
	}
	// The shared image: A at 0 (unless in registers), B after it at a
	// 1024-byte boundary; unused bytes are random.
	extent := func(l wgLayout, start uint64, mn int) uint64 {
		var end uint64
		for i := 0; i < mn; i++ {
			for k := 0; k < K; k++ {
				end = max(end, l.addr(start, i, k)+2)
			}
		}
		return end
	}
	var bStart uint64
	if !c.aRegs {
		bStart = (extent(c.la, 0, 64) + 1023) / 1024 * 1024
	}
	size := (extent(c.lb, bStart, c.n) + 15) / 16 * 16
	img := make([]byte, size)
	r.Read(img)
	if !c.aRegs {
		for m := 0; m < 64; m++ {
			for k := 0; k < K; k++ {
				putU16(img, c.la.addr(0, m, k), A[m*K+k])
			}
		}
	}
	for n := 0; n < c.n; n++ {
		for k := 0; k < K; k++ {
			putU16(img, c.lb.addr(bStart, n, k), B[k*c.n+n])
		}
	}
	// A fragments from the ISA's figure: thread t, element i of a k-step
	// is row 16*warp + lane/4 + 8*((i/2)%2), column 2*(lane%4) + i%2 + 8*(i/4);
	// register i/2 holds elements i (low half) and i+1.
	areg := make([]uint32, 128*4*c.ksteps)
	for tid := 0; tid < 128; tid++ {
		w, l := tid/32, tid%32
		for s := 0; s < c.ksteps; s++ {
			for i := 0; i < 8; i += 2 {
				row := 16*w + l/4 + 8*((i/2)%2)
				col := 16*s + 2*(l%4) + 8*(i/4)
				areg[tid*4*c.ksteps+4*s+i/2] = uint32(A[row*K+col]) | uint32(A[row*K+col+1])<<16
			}
		}
	}
	// Accumulators: thread t, register v is row 16*warp + lane/4 +
	// 8*((v/2)%2), column 8*(v/4) + 2*(lane%4) + v%2.
	n2 := c.n / 2
	dinit := make([]float32, 128*n2)
	for i := range dinit {
		dinit[i] = float32(r.Intn(2)*2-1) * float32(0.5+3.5*r.Float64())
	}
	frag := func(tid, v int) (int, int) {
		w, l := tid/32, tid%32
		return 16*w + l/4 + 8*((v/2)%2), 8*(v/4) + 2*(l%4) + v%2
	}
	sa, sb := -1.0, -1.0
	if !c.negA {
		sa = 1
	}
	if !c.negB {
		sb = 1
	}
	scale := c.scaleD == "1" || c.scaleD == "pred"
	want := make([]float32, 128*n2)
	for tid := 0; tid < 128; tid++ {
		for v := 0; v < n2; v++ {
			row, col := frag(tid, v)
			acc := float32(0)
			if scale {
				acc = dinit[tid*n2+v]
			}
			for k := 0; k < K; k++ {
				acc = fmaF32(sa*halfValue(A[row*K+k], c.bf), sb*halfValue(B[k*c.n+col], c.bf), acc)
			}
			want[tid*n2+v] = acc
		}
	}
	mod := mustParse(t, c.String(), []byte(wgKernel(c)))
	ib := alloc(t, d, img)
	ab := alloc(t, d, u32Bytes(areg))
	db := alloc(t, d, f32Bytes(dinit))
	out := alloc(t, d, nanBytes(4*len(want)))
	var stepA, stepB uint64
	if c.ksteps > 1 {
		stepA, stepB = 2, 2 // +32 bytes: the next k-step inside a swizzled row
	}
	res := runDyn(t, d, mod, [3]uint32{1}, [3]uint32{128}, uint32(size), ib.addr, uint32(size/16),
		c.la.descriptor(0), c.lb.descriptor(bStart), stepA, stepB, ab.addr, db.addr, out.addr, uint32(1))
	requireClean(t, res)
	got := bytesF32(out.bytes(t))
	bad := 0
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			if bad < 4 {
				row, col := frag(i/n2, i%n2)
				t.Errorf("%v: D[%d][%d] (thread %d reg %d) = %v, want %v", c, row, col, i/n2, i%n2, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%v: %d of %d accumulators wrong", c, bad, len(want))
	}
	if cn := res.Counters; cn.WGMMA != uint64(c.ksteps) || cn.TensorMACs != uint64(64*c.n*16*c.ksteps) {
		t.Errorf("%v: counters WGMMA %d TensorMACs %d", c, cn.WGMMA, cn.TensorMACs)
	}
}

func TestWgmmaLayouts(t *testing.T) {
	d := NewDevice(Options{})
	ns := []int{8, 64, 136, 256}
	scales := []string{"1", "0", "pred", "npred"}
	i := 0
	for _, span := range []int{0, 32, 64, 128} {
		for _, aMN := range []bool{false, true} {
			for _, bMN := range []bool{false, true} {
				n := ns[i%4]
				c := wgCase{n: n, bf: i%2 == 1, la: testLayout(span, aMN, 64, i/4), lb: testLayout(span, bMN, n, i/2),
					scaleD: scales[i/3%4], negA: i%3 == 0, negB: i%5 == 1, ksteps: 1}
				wgRun(t, d, c, int64(100+i))
				i++
			}
		}
	}
}

func TestWgmmaARegisters(t *testing.T) {
	d := NewDevice(Options{})
	ns := []int{256, 136, 64, 8}
	i := 0
	for _, span := range []int{0, 32, 64, 128} {
		for _, bMN := range []bool{false, true} {
			n := ns[i%4]
			c := wgCase{n: n, bf: i%3 == 0, aRegs: true, lb: testLayout(span, bMN, n, i), scaleD: []string{"pred", "1", "0", "npred"}[i%4],
				negA: i%2 == 1, negB: i%4 == 2, ksteps: 1}
			wgRun(t, d, c, int64(200+i))
			i++
		}
	}
}

// Chained k-steps without a wait in between, the start address advanced
// by 32 bytes inside 128-byte swizzled rows (as CUTLASS and DeepGEMM do).
func TestWgmmaKSteps(t *testing.T) {
	d := NewDevice(Options{})
	k128 := func(mn int) wgLayout { return wgLayout{span: 128, lbo: 16, sbo: 1024} }
	wgRun(t, d, wgCase{n: 64, la: k128(64), lb: k128(64), scaleD: "1", ksteps: 4}, 300)
	wgRun(t, d, wgCase{n: 256, bf: true, la: k128(64), lb: k128(256), scaleD: "0", negB: true, ksteps: 4}, 301)
	wgRun(t, d, wgCase{n: 136, aRegs: true, lb: k128(136), scaleD: "pred", ksteps: 4}, 302)
}

// Two wgmmas on the same accumulators in two commit groups: wait_group 1
// retires only the first group; a read in between would see the first
// result, and the final registers hold the chained sum.
func TestWgmmaWaitGroupRetiresOldest(t *testing.T) {
	src := wgWaitKernel
	d := NewDevice(Options{})
	out := alloc(t, d, make([]byte, 4096))
	res := run(t, d, mustParse(t, "wait.ptx", []byte(src)), "k", [3]uint32{1}, [3]uint32{128}, out.addr)
	requireClean(t, res)
	got := bytesF32(out.bytes(t))
	// All ones: each product sums 16; e = 1 + 16 - 16 + 16.
	for i, v := range got {
		want := float32(16)
		if i >= 512 {
			want = 17
		}
		if v != want {
			t.Fatalf("value %d = %v, want %v", i, v, want)
		}
	}
}

const wgWaitKernel = hopperHeader + `.visible .entry k(.param .u64 out) {` + hopRegs + `
	.shared .align 1024 .b8 s[2048];
	.reg .f32 %d<4>;
	.reg .f32 %e<4>;
	mov.u32 %r1, %tid.x;
	shl.b32 %r2, %r1, 4;
	mov.u32 %r3, s;
	add.u32 %r4, %r3, %r2;
	mov.b32 %r5, 0x3c003c00;
	st.shared.v4.u32 [%r4], {%r5, %r5, %r5, %r5};
	fence.proxy.async.shared::cta;
	bar.sync 0;
	shr.u32 %r6, %r3, 4;
	cvt.u64.u32 %rd1, %r6;
	or.b64 %rd2, %rd1, 0x0000001000080000;
	mov.f32 %d0, 0f00000000;
	mov.f32 %d1, 0f00000000;
	mov.f32 %d2, 0f00000000;
	mov.f32 %d3, 0f00000000;
	mov.f32 %e0, 0f3F800000;
	mov.f32 %e1, 0f3F800000;
	mov.f32 %e2, 0f3F800000;
	mov.f32 %e3, 0f3F800000;
	wgmma.fence.sync.aligned;
	wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 {%d0, %d1, %d2, %d3}, %rd2, %rd2, 0, 1, 1, 0, 0;
	wgmma.commit_group.sync.aligned;
	wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 {%e0, %e1, %e2, %e3}, %rd2, %rd2, 1, 1, 1, 0, 0;
	wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 {%e0, %e1, %e2, %e3}, %rd2, %rd2, 1, 1, -1, 0, 0;
	wgmma.mma_async.sync.aligned.m64n8k16.f32.f16.f16 {%e0, %e1, %e2, %e3}, %rd2, %rd2, 1, -1, -1, 0, 0;
	wgmma.commit_group.sync.aligned;
	wgmma.wait_group.sync.aligned 1;
	ld.param.u64 %rd3, [out];
	mul.wide.u32 %rd4, %r1, 16;
	add.s64 %rd5, %rd3, %rd4;
	st.global.v4.f32 [%rd5], {%d0, %d1, %d2, %d3};
	wgmma.wait_group.sync.aligned 0;
	st.global.v4.f32 [%rd5+2048], {%e0, %e1, %e2, %e3};
	ret;
}`
