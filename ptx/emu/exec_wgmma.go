package emu

import (
	"math/bits"
	"strconv"
	"strings"

	"github.com/tilec/tilec/internal/fp"
)

// Warpgroup MMA (wgmma, sm_90a). A warpgroup is 4 consecutive warps whose
// first warp index is a multiple of 4; wgmma.mma_async is a collective of
// all 128 threads: every warp parks at the instruction until the four are
// there, and then it runs once for the warpgroup. Warp w of the group owns
// rows 16w..16w+15 of the 64-row tile; its D fragment for each 8-column
// slice j is mma.sync.m16n8k16's C/D fragment (d[4j..4j+3]), and a
// register A operand is mma.sync's A fragment for its 16 rows.
//
// The operands are read when the instruction issues (shared memory through
// the matrix descriptors, checked as async-proxy reads) and the product is
// computed then, but the D registers are written only when a
// wgmma.wait_group retires the wgmma's group: until then the results are
// pending per warp, a later wgmma on the same registers accumulates onto
// the pending values, and any other instruction naming a pending register
// is a finding (it would see a stale value).

// wgState is a warp's pending wgmma results.
type wgState struct {
	acc       map[int32]*wgPend // by register slot base
	committed uint64            // wgmma.commit_group executions
}

// wgPend is a register's pending value for all 32 lanes.
type wgPend struct {
	vals  [32]uint64
	group uint64 // index of the commit group it belongs to
	in    *inst
}

func (s *wgState) reset() {
	clear(s.acc)
	s.committed = 0
}

// wgArrival records the warps of a warpgroup waiting at a wgmma.mma_async.
type wgArrival struct {
	pc   int32
	mask uint8 // warps (bit = warp index within the group) that arrived
}

// wgmmaSpec is the decoded shape and modifiers of a wgmma.mma_async.
type wgmmaSpec struct {
	n              int
	ab             fp.Format
	aRegs          bool // A from registers (in.va), else descriptor in.a
	transA, transB bool // MN-major A / B in shared memory
	negA, negB     bool // imm-scale-a / imm-scale-b == -1
	scaleNeg       bool // !p as scale-d
}

// decodeWgmma decodes
//
//	wgmma.fence.sync.aligned
//	wgmma.commit_group.sync.aligned
//	wgmma.wait_group.sync.aligned n
//	wgmma.mma_async.sync.aligned.m64nNk16.f32.{f16,bf16}.{f16,bf16} {d..}, adesc, bdesc, scale-d, imm-scale-a, imm-scale-b, imm-trans-a, imm-trans-b
//	wgmma.mma_async.sync.aligned.m64nNk16.f32.{f16,bf16}.{f16,bf16} {d..}, {a0,a1,a2,a3}, bdesc, scale-d, imm-scale-a, imm-scale-b, imm-trans-b
func decodeWgmma(x *ictx) {
	if !x.flag("sync") || !x.flag("aligned") {
		x.fail("wgmma instructions are .sync.aligned")
		return
	}
	switch {
	case x.flag("fence"):
		x.in.class = ClassSync
		x.nargs(0)
		return
	case x.flag("commit_group"):
		x.in.class = ClassSync
		x.nargs(0)
		x.in.exec = func(w *warp, in *inst, m uint32) {
			w.wgState().committed++
		}
		return
	case x.flag("wait_group"):
		x.in.class = ClassSync
		if x.nargs(1) < 0 {
			return
		}
		o := x.arg(0)
		if o.kind != oImm || o.lit.kind != 'i' || o.lit.i > 1023 {
			x.fail("wait_group needs an immediate count")
			return
		}
		keep := o.lit.i
		x.in.exec = func(w *warp, in *inst, m uint32) { w.wgRetire(keep) }
		return
	case x.flag("mma_async"):
	default:
		x.fail("supported: wgmma.{fence,commit_group,wait_group,mma_async}.sync.aligned")
		return
	}
	sp := &wgmmaSpec{}
	for i, w := range x.words {
		if strings.HasPrefix(w, "m64n") && strings.HasSuffix(w, "k16") {
			n, err := strconv.Atoi(w[4 : len(w)-3])
			if err != nil || n < 8 || n > 256 || n%8 != 0 {
				x.fail("shape %s: N must be a multiple of 8 from 8 to 256", w)
				return
			}
			sp.n = n
			x.words[i] = ""
		}
	}
	if sp.n == 0 {
		x.fail("only the .m64nNk16 shapes are supported")
		return
	}
	t := x.types
	if len(t) != 3 || t[0] != tF32 || t[1] != t[2] || t[1] != tF16 && t[1] != tBF16 {
		x.fail("only .f32.f16.f16 and .f32.bf16.bf16 are supported")
		return
	}
	sp.ab = fp.F16
	if t[1] == tBF16 {
		sp.ab = fp.BF16
	}
	if x.nargs(7, 8) < 0 {
		return
	}
	sp.aRegs = len(x.a.args) == 7
	if sp.aRegs != (x.arg(1).kind == oVec) {
		x.fail("A from registers takes 7 operands ({a0,a1,a2,a3}, no imm-trans-a), A from a descriptor 8")
		return
	}
	x.in.vd = x.vec(0, sp.n/2, tF32, true)
	for k, e := range x.arg(0).elems {
		if e.kind != oName {
			x.fail("accumulator %d must be a register", k)
			return
		}
		if s := x.reg(e); s != nil && s.typ.size() != 4 {
			x.fail("accumulator %s must be a 32-bit (.f32) register", e.name)
			return
		}
	}
	if sp.aRegs {
		x.in.va = x.vec(1, 4, tB32, false)
	} else {
		x.in.a = x.src(1, tB64)
	}
	x.in.b = x.src(2, tB64)
	x.in.c, sp.scaleNeg = x.predSrc(3)
	imm := func(i int, allowed ...int64) int64 {
		o := x.arg(i)
		if o.kind == oImm && o.lit.kind == 'i' {
			for _, a := range allowed {
				if int64(o.lit.i) == a {
					return a
				}
			}
		}
		x.fail("operand %d must be one of the immediates %v", i+1, allowed)
		return allowed[0]
	}
	sp.negA = imm(4, 1, -1) == -1
	sp.negB = imm(5, 1, -1) == -1
	if sp.aRegs {
		sp.transB = imm(6, 0, 1) == 1
	} else {
		sp.transA = imm(6, 0, 1) == 1
		sp.transB = imm(7, 0, 1) == 1
	}
	x.in.ctl = ctlWarpgroup
	x.in.class = ClassMMA
	x.in.exec = func(w *warp, in *inst, m uint32) { execWgmma(w, in, sp) }
}

func (w *warp) wgState() *wgState {
	if w.wg == nil {
		w.wg = &wgState{acc: map[int32]*wgPend{}}
	}
	return w.wg
}

// wgRetire writes the pending results of all but the newest keep committed
// groups to the registers.
func (w *warp) wgRetire(keep uint64) {
	s := w.wgState()
	for slot, p := range s.acc {
		if p.group+keep < s.committed {
			copy(w.r[slot:slot+32], p.vals[:])
			delete(s.acc, slot)
		}
	}
}

// checkPendingRegs reports an instruction that names a register holding a
// wgmma result not yet retired by wgmma.wait_group.
func (c *ctaRun) checkPendingRegs(w *warp, in *inst, em uint32) {
	for _, ru := range in.regs {
		if p := w.wg.acc[ru.slot]; p != nil {
			c.report(WgmmaRace, w, in, bits.TrailingZeros32(em), 0, spGeneric,
				"%s is an accumulator of the wgmma at line %d that no wgmma.wait_group has retired yet (it still holds its old value)", ru.name, p.in.line)
			return
		}
	}
}

const fullWarp = 0xffffffff

// warpgroup runs a wgmma.mma_async once all four warps of the warpgroup
// stand at it with all their lanes.
func (c *ctaRun) warpgroup(w *warp, in *inst, em uint32) {
	if em == 0 {
		w.gpc++
		return
	}
	l0 := bits.TrailingZeros32(em)
	if skip := w.gmask &^ em; skip != 0 {
		c.report(WarpgroupDivergence, w, in, bits.TrailingZeros32(skip), 0, spGeneric, "lanes %#08x skip the wgmma (guard false): all 128 threads of the warpgroup must execute it", skip)
		c.abort = true
		return
	}
	g := w.id / 4
	if 4*g+4 > len(c.warps) {
		c.report(WarpgroupDivergence, w, in, l0, 0, spGeneric, "partial warpgroup: warpgroup %d has %d warps (the CTA has %d threads); wgmma needs 4 full warps", g, len(c.warps)-4*g, c.l.nthread)
		c.abort = true
		return
	}
	for _, w2 := range c.warps[4*g : 4*g+4] {
		if w2.exists != fullWarp || w2.live != fullWarp {
			c.report(WarpgroupDivergence, w, in, l0, 0, spGeneric, "partial warpgroup: warp %d of warpgroup %d has threads %#08x of which %#08x have not exited; wgmma needs 4 full warps", w2.id, g, w2.exists, w2.live)
			c.abort = true
			return
		}
	}
	if em != fullWarp {
		// Wait for the warp's other lanes at this pc.
		w.park |= em
		w.split(em, w.gpc, w.gpc+1)
		return
	}
	a := &c.ac.wgArr[g]
	if a.mask != 0 && a.pc != w.gpc {
		c.report(WarpgroupDivergence, w, in, l0, 0, spGeneric, "warps of warpgroup %d execute different wgmma instructions: this one and line %d", g, c.l.mod.prog[a.pc].line)
		c.abort = true
		return
	}
	a.pc = w.gpc
	a.mask |= 1 << (w.id % 4)
	if a.mask != 0xf {
		w.park |= em
		w.split(em, w.gpc, w.gpc+1)
		return
	}
	*a = wgArrival{}
	for _, w2 := range c.warps[4*g : 4*g+4] {
		if w2 != w {
			w2.park = 0
			for l := range w2.pc {
				w2.pc[l] = w.gpc + 1
			}
		}
		w2.lastSync = c.seq
	}
	in.exec(w, in, em)
	w.gpc++
}

// matDesc is a decoded wgmma matrix descriptor.
type matDesc struct {
	start, lbo, sbo, base uint64
	sw                    TensorSwizzle
}

func decodeMatDesc(d uint64) matDesc {
	md := matDesc{
		start: (d & 0x3fff) << 4,
		lbo:   (d >> 16 & 0x3fff) << 4,
		sbo:   (d >> 32 & 0x3fff) << 4,
		base:  d >> 49 & 7,
	}
	md.sw = [4]TensorSwizzle{SwizzleNone, Swizzle128B, Swizzle64B, Swizzle32B}[d>>62]
	return md
}

// addr returns the shared address of element (mn, k) of a 16-bit operand
// in the PTX ISA's canonical layouts (in units of T = 8 elements = 16
// bytes, S = swizzle span / 16):
//
//	K-major,  no swizzle: ((8,m),(T,2k)):((1T,SBO),(1,LBO))
//	K-major,  swizzled:   ((8,m),(T,2k)):((S*T,SBO),(1,T))
//	MN-major, no swizzle: ((T,1,m),(8,k)):((1,T,SBO),(1T,LBO))
//	MN-major, swizzled:   ((T,S,m),(8,k)):((1,T,LBO),(S*T,SBO))
//
// The swizzle then XORs address bits [4, 4+log2 S) with the bits from 7
// up of the absolute address (so a start address advanced inside a
// swizzled row selects the next k-step); a nonzero base offset names the
// pattern row where the start address sits, and shifts that row index.
func (md matDesc) addr(mn, k int, mnMajor bool) uint64 {
	m, kk := uint64(mn), uint64(k)
	var off uint64
	span := uint64(md.sw.Span())
	switch {
	case md.sw == SwizzleNone && mnMajor:
		off = m%8*2 + m/8*md.sbo + kk%8*16 + kk/8*md.lbo
	case md.sw == SwizzleNone:
		off = m%8*16 + m/8*md.sbo + kk%8*2 + kk/8*md.lbo
	case mnMajor:
		per := span / 2 // elements in one swizzled row
		off = m%per*2 + m/per*md.lbo + kk%8*span + kk/8*md.sbo
	default:
		off = m%8*span + m/8*md.sbo + kk*2
	}
	a := md.start + off
	if md.sw == SwizzleNone {
		return a
	}
	b := md.sw.swizzleBits()
	row := (a>>7 - md.base) & (1<<b - 1)
	return a ^ row<<4
}

// readOperand reads rows [mn0, mn0+cnt) x k 0..15 of a descriptor operand
// into out[(mn-mn0)*16+k], checking the shared bytes as async-proxy reads
// for lane 0 of w (whole: the operand is read for every warp of the group).
func (c *ctaRun) readOperand(w *warp, in *inst, desc uint64, mn0, cnt int, mnMajor bool, f fp.Format, out []float64, whole bool, what string) {
	md := decodeMatDesc(desc)
	checked := true
	for mn := 0; mn < cnt; mn++ {
		for k := 0; k < 16; k++ {
			a := md.addr(mn0+mn, k, mnMajor)
			if a >= uint64(len(c.shared)) || uint64(len(c.shared))-a < 2 {
				if checked {
					c.report(OutOfBounds, w, in, 0, a, spShared, "wgmma %s descriptor %#x addresses shared offset %d; the CTA has %d bytes of shared memory", what, desc, a, len(c.shared))
					checked = false
				}
				out[mn*16+k] = 0
				continue
			}
			if checked && !c.asyncRead(w, in, 0, a, 2, whole, "the wgmma "+what+" operand") {
				checked = false
			}
			out[mn*16+k] = f.Decode(uint64(c.shared[a]) | uint64(c.shared[a+1])<<8)
		}
	}
}

// execWgmma computes D = A*B (+ D) for the warpgroup of w and leaves the
// results pending in each warp. Each element accumulates in f32 in k
// order from D (or 0 when scale-d is false), each step a fused
// multiply-add rounded once to nearest even, like mma.sync.
func execWgmma(w *warp, in *inst, sp *wgmmaSpec) {
	c := w.c
	g := w.id / 4
	ws := c.warps[4*g : 4*g+4]
	uniform := func(slot int32, what string) bool {
		v := ws[0].r[slot]
		for _, wi := range ws {
			for l := int32(0); l < 32; l++ {
				if u := wi.r[slot+l]; u != v {
					c.report(WarpgroupDivergence, wi, in, int(l), 0, spGeneric, "threads of warpgroup %d pass different %s: %#x in thread %d, %#x in thread %d", g, what, v, ws[0].tid(0), u, wi.tid(int(l)))
					c.abort = true
					return false
				}
			}
		}
		return true
	}
	if !uniform(in.b, "B descriptors") || !sp.aRegs && !uniform(in.a, "A descriptors") || !uniform(in.c, "scale-d predicates") {
		return
	}
	n := sp.n
	scaleD := (ws[0].r[in.c] != 0) != sp.scaleNeg
	B := make([]float64, n*16) // B[col*16+k]
	c.readOperand(ws[0], in, ws[0].r[in.b], 0, n, sp.transB, sp.ab, B, true, "B")
	if sp.negB {
		for i := range B {
			B[i] = -B[i]
		}
	}
	c.cnt.WGMMA++
	c.cnt.TensorMACs += uint64(64 * n * 16)
	var A [16 * 16]float64 // A[row*16+k] for the warp's 16 rows
	for wi, wq := range ws {
		if sp.aRegs {
			if s := wq.wg; s != nil {
				for _, slot := range in.va {
					if p := s.acc[slot]; p != nil {
						c.report(WgmmaRace, wq, in, 0, 0, spGeneric, "an A register of this wgmma is an accumulator of the wgmma at line %d that no wgmma.wait_group has retired", p.in.line)
						break
					}
				}
			}
			for l := 0; l < 32; l++ {
				gr, t := l/4, l%4
				for i, slot := range in.va {
					v := wq.r[slot+int32(l)]
					row, k := gr+8*(i%2), 2*t+8*(i/2)
					A[row*16+k] = sp.ab.Decode(v & 0xffff)
					A[row*16+k+1] = sp.ab.Decode(v >> 16 & 0xffff)
				}
			}
		} else {
			c.readOperand(wq, in, wq.r[in.a], 16*wi, 16, sp.transA, sp.ab, A[:], false, "A")
		}
		if sp.negA {
			for i := range A {
				A[i] = -A[i]
			}
		}
		s := wq.wgState()
		for v, slot := range in.vd {
			p := s.acc[slot]
			next := &wgPend{group: s.committed, in: in}
			j, h, e := v/4, v/2%2, v%2
			for l := 0; l < 32; l++ {
				row, col := l/4+8*h, 8*j+2*(l%4)+e
				var acc uint64
				if scaleD {
					d := wq.r[slot+int32(l)]
					if p != nil {
						d = p.vals[l]
					}
					acc = fp.F32.Round(float64(f32of(d)), 0, fp.NearestEven)
				}
				for k := 0; k < 16; k++ {
					sum, rest := twoSum(A[row*16+k]*B[col*16+k], float64(f32of(acc)))
					acc = fp.F32.Round(sum, rest, fp.NearestEven)
				}
				next.vals[l] = acc
			}
			s.acc[slot] = next
		}
	}
}
