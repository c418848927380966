package emu

import (
	"math"
	"math/bits"
	"strings"
)

// Memory instructions: ld, st, atom, red, prefetch, cp.async. Every lane's
// access goes through ref, which resolves the state space, checks bounds
// and alignment, runs the shared-memory sanitizer and collects the lane
// into the request the counters see.

func getLE(b []byte, n int) uint64 {
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func putLE(b []byte, n int, v uint64) {
	for i := 0; i < n; i++ {
		b[i] = byte(v >> (8 * i))
	}
}

// accessMode says what an access does, for the sanitizer.
type accessMode uint8

const (
	modeRead accessMode = iota
	modeWrite
	modeAtomic
)

// ref returns the n bytes a lane accesses at addr in space sp, or nil after
// reporting why the access is invalid.
func (c *ctaRun) ref(w *warp, in *inst, lane int, sp space, addr uint64, n int, mode accessMode) []byte {
	switch sp {
	case spGeneric:
		switch {
		case addr-sharedWin < winSize:
			return c.sharedRef(w, in, lane, addr-sharedWin, n, mode)
		case addr-localWin < winSize:
			return c.localRef(w, in, lane, addr-localWin, n)
		case addr-paramWin < winSize:
			return c.paramRef(w, in, lane, addr-paramWin, n, mode)
		}
		return c.globalRef(w, in, lane, addr, n, mode, true)
	case spGlobal:
		return c.globalRef(w, in, lane, addr, n, mode, true)
	case spConst:
		// The constant cache is not global memory traffic.
		return c.globalRef(w, in, lane, addr, n, mode, false)
	case spShared:
		return c.sharedRef(w, in, lane, addr, n, mode)
	case spLocal:
		return c.localRef(w, in, lane, addr, n)
	case spParam:
		return c.paramRef(w, in, lane, addr, n, mode)
	}
	return nil
}

func (c *ctaRun) globalRef(w *warp, in *inst, lane int, addr uint64, n int, mode accessMode, count bool) []byte {
	if addr%uint64(n) != 0 {
		c.report(Misaligned, w, in, lane, addr, spGlobal, "%d-byte access at %#x is not %d-byte aligned", n, addr, n)
		return nil
	}
	return c.globalSpan(w, in, lane, addr, n, mode, count)
}

// globalSpan is globalRef without the alignment check: the n bytes at
// addr must lie in one allocation.
func (c *ctaRun) globalSpan(w *warp, in *inst, lane int, addr uint64, n int, mode accessMode, count bool) []byte {
	a := w.lastAlloc
	if a == nil || !a.contains(addr, uint64(n)) {
		a = c.l.dev.mem.find(addr, uint64(n))
		if a == nil {
			c.report(OutOfBounds, w, in, lane, addr, spGlobal, "%d-byte access at %#x: %s", n, addr, c.l.dev.mem.describe(addr))
			return nil
		}
		w.lastAlloc = a
	}
	if mode != modeRead && a.readOnly {
		c.report(ReadOnlyWrite, w, in, lane, addr, spGlobal, "write to .const variable %s", a.name)
		return nil
	}
	if count {
		c.mem.global = append(c.mem.global, access{addr: addr, size: uint32(n), lane: uint8(lane)})
	}
	off := addr - a.base
	return a.data[off : off+uint64(n)]
}

func (c *ctaRun) sharedRef(w *warp, in *inst, lane int, off uint64, n int, mode accessMode) []byte {
	if off >= uint64(len(c.shared)) || uint64(n) > uint64(len(c.shared))-off {
		c.report(OutOfBounds, w, in, lane, off, spShared, "%d-byte access at shared offset %d; the CTA has %d bytes of shared memory", n, off, len(c.shared))
		return nil
	}
	if off%uint64(n) != 0 {
		c.report(Misaligned, w, in, lane, off, spShared, "%d-byte access at shared offset %d is not %d-byte aligned", n, off, n)
		return nil
	}
	if mode == modeAtomic {
		c.checkAtomicShared(w, in, lane, off, n)
	} else {
		c.checkShared(w, in, lane, off, n, mode == modeWrite)
	}
	c.mem.shared = append(c.mem.shared, access{addr: off, size: uint32(n), lane: uint8(lane)})
	return c.shared[off : off+uint64(n)]
}

func (c *ctaRun) localRef(w *warp, in *inst, lane int, off uint64, n int) []byte {
	sz := uint64(c.l.mod.localSize)
	if off >= sz || uint64(n) > sz-off {
		c.report(OutOfBounds, w, in, lane, off, spLocal, "%d-byte access at local offset %d; threads have %d bytes of local memory", n, off, sz)
		return nil
	}
	if off%uint64(n) != 0 {
		c.report(Misaligned, w, in, lane, off, spLocal, "%d-byte access at local offset %d is not aligned", n, off)
		return nil
	}
	base := uint64(w.tid(lane)) * sz
	return c.local[base+off : base+off+uint64(n)]
}

func (c *ctaRun) paramRef(w *warp, in *inst, lane int, addr uint64, n int, mode accessMode) []byte {
	if addr >= funcParamBase {
		off := addr - funcParamBase
		sz := uint64(c.l.mod.scratchSize)
		if off >= sz || uint64(n) > sz-off {
			c.report(OutOfBounds, w, in, lane, addr, spParam, "%d-byte access outside the function parameters", n)
			return nil
		}
		base := uint64(w.tid(lane)) * sz
		return c.scratch[base+off : base+off+uint64(n)]
	}
	p := c.l.params
	if addr >= uint64(len(p)) || uint64(n) > uint64(len(p))-addr {
		c.report(OutOfBounds, w, in, lane, addr, spParam, "%d-byte access at offset %d outside the %d bytes of kernel parameters", n, addr, len(p))
		return nil
	}
	if mode != modeRead {
		c.report(ReadOnlyWrite, w, in, lane, addr, spParam, "store to kernel parameters")
		return nil
	}
	return p[addr : addr+uint64(n)]
}

// checkAtomicShared: atomics do not race with each other, but they read,
// so the byte must have been written, and a plain unordered write by
// another thread still races.
func (c *ctaRun) checkAtomicShared(w *warp, in *inst, lane int, off uint64, n int) {
	tid := w.tid(lane)
	for i := 0; i < n; i++ {
		s := &c.shadow[off+uint64(i)]
		if s.gen != c.gen {
			c.report(UninitializedShared, w, in, lane, off, spShared, "atomic on shared memory that no thread of this CTA has written")
			s.gen = c.gen
			return
		}
		if s.wEp == c.epoch && c.conflicts(s.wTid, s.wSeq, tid, w) {
			c.report(SharedRace, w, in, lane, off, spShared, "atomic on a byte that another thread wrote with no barrier in between")
			return
		}
	}
}

// memSpace consumes a state-space modifier.
func (x *ictx) memSpace() space {
	switch x.pick("global", "shared", "shared::cta", "local", "param", "param::entry", "param::func", "const") {
	case "global":
		return spGlobal
	case "shared", "shared::cta":
		return spShared
	case "local":
		return spLocal
	case "param", "param::entry", "param::func":
		return spParam
	case "const":
		return spConst
	}
	return spGeneric
}

// dropHints consumes cache operators, eviction hints and memory-order
// qualifiers: with one memory image and CTAs that run to completion,
// they do not change results.
func (x *ictx) dropHints() {
	x.drop(func(w string) bool {
		switch w {
		case "ca", "cg", "cs", "lu", "cv", "wb", "wt", "nc", "volatile", "relaxed", "acquire", "release", "acq_rel",
			"weak", "cta", "gpu", "sys", "cluster", "mmio", "unified":
			return true
		}
		return strings.HasPrefix(w, "L1::") || strings.HasPrefix(w, "L2::")
	})
}

func (x *ictx) vecWidth() int {
	switch x.pick("v2", "v4", "v8") {
	case "v2":
		return 2
	case "v4":
		return 4
	case "v8":
		return 8
	}
	return 1
}

func memClass(sp space) Class {
	switch sp {
	case spShared:
		return ClassShared
	case spLocal, spParam, spConst:
		return ClassOtherMem
	}
	return ClassGlobal
}

// decodeLd: ld/ldu d, [a]. Narrow signed loads sign-extend to the
// destination register's width (in.c), others zero-extend; in.imm bit 0
// marks signed.
func decodeLd(x *ictx) {
	x.dropHints()
	sp := x.memSpace()
	nv := x.vecWidth()
	t := x.typ()
	if x.nargs(2) < 0 || x.err != nil {
		return
	}
	if t == tPred {
		x.fail("cannot load a predicate")
		return
	}
	x.in.space = sp
	x.in.class = memClass(sp)
	x.in.size = int32(t.size())
	if nv == 1 {
		x.in.vd = []int32{x.dst(0)}
	} else {
		x.in.vd = x.vec(0, nv, t, true)
	}
	x.in.a, x.in.off, _ = x.addr(1)
	if t.signed() && t.size() < 8 {
		x.in.imm = 1
		x.in.c = int32(x.dstWidth(0))
	}
	x.in.exec = execLd
}

func execLd(w *warp, in *inst, m uint32) {
	c := w.c
	n := int(in.size)
	tot := n * len(in.vd)
	r := w.r
	for ; m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		addr := r[in.a+int32(l)] + uint64(in.off)
		b := c.ref(w, in, l, in.space, addr, tot, modeRead)
		for j, d := range in.vd {
			var v uint64
			if b != nil {
				v = getLE(b[j*n:], n)
			}
			if in.imm&1 != 0 {
				v = uint64(sext(v, n)) & sizeMask(int(in.c))
			}
			r[d+int32(l)] = v
		}
	}
	c.countRequest(false)
}

func sizeMask(n int) uint64 {
	if n >= 8 {
		return math.MaxUint64
	}
	return 1<<(8*uint(n)) - 1
}

func decodeSt(x *ictx) {
	x.dropHints()
	sp := x.memSpace()
	nv := x.vecWidth()
	t := x.typ()
	if x.nargs(2) < 0 || x.err != nil {
		return
	}
	x.in.space = sp
	x.in.class = memClass(sp)
	x.in.size = int32(t.size())
	x.in.a, x.in.off, _ = x.addr(0)
	if nv == 1 {
		x.in.va = []int32{x.src(1, t)}
	} else {
		x.in.va = x.vec(1, nv, t, false)
	}
	x.in.exec = execSt
}

func execSt(w *warp, in *inst, m uint32) {
	c := w.c
	n := int(in.size)
	tot := n * len(in.va)
	r := w.r
	for ; m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		addr := r[in.a+int32(l)] + uint64(in.off)
		b := c.ref(w, in, l, in.space, addr, tot, modeWrite)
		if b == nil {
			continue
		}
		for j, s := range in.va {
			putLE(b[j*n:], n, r[s+int32(l)])
		}
	}
	c.countRequest(true)
}

// atomicOp computes the new memory value from the old one and the
// operands b and c.
type atomicOp func(old, b, c uint64) uint64

func atomicFor(op string, t ptype) atomicOp {
	n := t.size()
	mask := t.mask()
	switch op {
	case "add":
		switch t {
		case tF32:
			return func(o, b, _ uint64) uint64 { return canonF32(f32of(o) + f32of(b)) }
		case tF64:
			return func(o, b, _ uint64) uint64 { return f64Bits(f64of(o) + f64of(b)) }
		case tU32, tS32, tU64, tS64:
			return func(o, b, _ uint64) uint64 { return (o + b) & mask }
		}
	case "inc":
		if t == tU32 {
			return func(o, b, _ uint64) uint64 {
				if uint32(o) >= uint32(b) {
					return 0
				}
				return uint64(uint32(o) + 1)
			}
		}
	case "dec":
		if t == tU32 {
			return func(o, b, _ uint64) uint64 {
				if uint32(o) == 0 || uint32(o) > uint32(b) {
					return uint64(uint32(b))
				}
				return uint64(uint32(o) - 1)
			}
		}
	case "min", "max":
		isMax := op == "max"
		switch t {
		case tU32, tU64:
			return func(o, b, _ uint64) uint64 {
				if (b > o) == isMax && b != o {
					return b
				}
				return o
			}
		case tS32, tS64:
			return func(o, b, _ uint64) uint64 {
				so, sb := sext(o, n), sext(b, n)
				if (sb > so) == isMax && sb != so {
					return b
				}
				return o
			}
		}
	case "and", "or", "xor", "exch", "cas":
		if t.size() != 4 && t.size() != 8 || t.isFloat() {
			return nil
		}
		switch op {
		case "and":
			return func(o, b, _ uint64) uint64 { return o & b }
		case "or":
			return func(o, b, _ uint64) uint64 { return o | b }
		case "xor":
			return func(o, b, _ uint64) uint64 { return o ^ b }
		case "exch":
			return func(_, b, _ uint64) uint64 { return b }
		case "cas":
			return func(o, b, c uint64) uint64 {
				if o == b {
					return c
				}
				return o
			}
		}
	}
	return nil
}

// decodeAtom: atom[.sem][.scope][.space].op.type d, [a], b[, c] and
// red[...].op.type [a], b. The old value goes to d; in.b and in.c are the
// operands.
func decodeAtom(x *ictx) {
	x.dropHints()
	sp := x.memSpace()
	if sp != spGeneric && sp != spGlobal && sp != spShared {
		x.fail("atomics need global, shared or generic addresses")
		return
	}
	op := x.pick("add", "inc", "dec", "min", "max", "and", "or", "xor", "exch", "cas")
	t := x.typ()
	if op == "" {
		x.fail("missing or unsupported atomic operation")
		return
	}
	f := atomicFor(op, t)
	if f == nil {
		x.fail("atomic %s on %s is not supported", op, t)
		return
	}
	red := x.base == "red"
	if red && op == "cas" {
		x.fail("red has no cas")
		return
	}
	i := 0
	n := 3
	if op == "cas" {
		n = 4
	}
	if red {
		n--
	}
	if x.nargs(n) < 0 {
		return
	}
	x.in.d = 0
	if !red {
		x.in.d = x.dst(0)
		i = 1
	}
	x.in.a, x.in.off, _ = x.addr(i)
	x.in.b = x.src(i+1, t)
	x.in.c = x.in.b
	if op == "cas" {
		x.in.c = x.src(i+2, t)
	}
	x.in.space = sp
	x.in.class = memClass(sp)
	x.in.size = int32(t.size())
	x.in.exec = func(w *warp, in *inst, m uint32) { execAtom(w, in, m, f) }
}

func execAtom(w *warp, in *inst, m uint32, f atomicOp) {
	c := w.c
	n := int(in.size)
	r := w.r
	c.cnt.Atomics += uint64(bits.OnesCount32(m))
	for ; m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		li := int32(l)
		addr := r[in.a+li] + uint64(in.off)
		b := c.ref(w, in, l, in.space, addr, n, modeAtomic)
		if b == nil {
			r[in.d+li] = 0
			continue
		}
		shared := in.space == spShared || in.space == spGeneric && addr-sharedWin < winSize
		var mu interface{ Unlock() }
		if !shared {
			s := &c.l.dev.mem.stripe[(addr>>3)&255]
			s.Lock()
			mu = s
		}
		old := getLE(b, n)
		putLE(b, n, f(old, r[in.b+li], r[in.c+li]))
		if mu != nil {
			mu.Unlock()
		}
		r[in.d+li] = old
	}
	c.countRequest(true)
}

func decodePrefetch(x *ictx) {
	x.memSpace()
	x.pick("L1", "L2")
	x.dropHints()
	x.nargs(1)
	x.addr(0)
}

// asyncCopy is one cp.async in flight: the source was read at issue.
type asyncCopy struct {
	dst  uint64 // shared offset
	n    uint8
	data [16]byte
	in   *inst
}

// asyncQueue is a lane's cp.async state: copies not yet committed, then
// committed groups oldest first.
type asyncQueue struct {
	open   []asyncCopy
	groups [][]asyncCopy
}

func (q *asyncQueue) reset() {
	q.open = q.open[:0]
	q.groups = q.groups[:0]
}

func (q *asyncQueue) commit() {
	if len(q.open) == 0 {
		q.groups = append(q.groups, nil) // empty groups count too
		return
	}
	g := make([]asyncCopy, len(q.open))
	copy(g, q.open)
	q.groups = append(q.groups, g)
	q.open = q.open[:0]
}

// complete performs all but the newest keep committed groups (and, with
// keep < 0, also the uncommitted copies).
func (q *asyncQueue) complete(w *warp, lane int, keep int) {
	if keep < 0 {
		q.commit()
		keep = 0
	}
	for len(q.groups) > keep {
		for i := range q.groups[0] {
			w.c.landCopy(w, lane, &q.groups[0][i])
		}
		q.groups = q.groups[1:]
	}
}

func (c *ctaRun) landCopy(w *warp, lane int, cp *asyncCopy) {
	n := uint64(cp.n)
	for i := uint64(0); i < n; i++ {
		c.shadow[cp.dst+i].pending--
	}
	c.checkShared(w, cp.in, lane, cp.dst, int(n), true)
	copy(c.shared[cp.dst:cp.dst+n], cp.data[:n])
}

// decodeCp: cp.async.{ca,cg}.shared{::cta}.global [d], [s], size[, srcsize],
// cp.async.commit_group, cp.async.wait_group n, cp.async.wait_all.
func decodeCp(x *ictx) {
	if !x.flag("async") {
		x.fail("only cp.async is supported")
		return
	}
	switch {
	case x.flag("commit_group"):
		x.in.class = ClassSync
		x.nargs(0)
		x.in.exec = func(w *warp, in *inst, m uint32) {
			for ; m != 0; m &= m - 1 {
				w.async[bits.TrailingZeros32(m)].commit()
			}
		}
		return
	case x.flag("wait_group"), x.flag("wait_all"):
		x.in.class = ClassSync
		keep := -1
		if len(x.a.args) == 1 {
			o := x.arg(0)
			if o.kind != oImm || o.lit.kind != 'i' || o.lit.i > 64 {
				x.fail("wait_group needs a small immediate")
				return
			}
			keep = int(o.lit.i)
		} else if x.nargs(0) < 0 {
			return
		}
		x.in.exec = func(w *warp, in *inst, m uint32) {
			for ; m != 0; m &= m - 1 {
				l := bits.TrailingZeros32(m)
				w.async[l].complete(w, l, keep)
			}
		}
		return
	}
	cg := x.pick("ca", "cg") == "cg"
	x.drop(func(w string) bool { return strings.HasPrefix(w, "L2::") })
	toShared := x.flag("shared") || x.flag("shared::cta")
	if !toShared || !x.flag("global") {
		x.fail("cp.async copies from .global to .shared")
		return
	}
	if x.nargs(3, 4) < 0 {
		return
	}
	size := x.arg(2)
	if size.kind != oImm || size.lit.kind != 'i' || (size.lit.i != 4 && size.lit.i != 8 && size.lit.i != 16) || cg && size.lit.i != 16 {
		x.fail("copy size must be 4, 8 or 16 (16 for .cg)")
		return
	}
	x.in.size = int32(size.lit.i)
	x.in.d, x.in.off, _ = x.addr(0)
	var soff int64
	x.in.a, soff, _ = x.addr(1)
	x.in.imm = uint64(soff)
	x.in.b = x.d.constSlot(size.lit.i)
	if len(x.a.args) == 4 {
		x.in.b = x.src(3, tU32)
	}
	x.in.exec = execCpAsync
}

func execCpAsync(w *warp, in *inst, m uint32) {
	c := w.c
	n := int(in.size)
	r := w.r
	for ; m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		li := int32(l)
		dst := r[in.d+li] + uint64(in.off)
		src := r[in.a+li] + in.imm
		srcSize := int(r[in.b+li])
		if srcSize > n {
			srcSize = n
		}
		if dst >= uint64(len(c.shared)) || uint64(n) > uint64(len(c.shared))-dst {
			c.report(OutOfBounds, w, in, l, dst, spShared, "cp.async of %d bytes to shared offset %d; the CTA has %d bytes", n, dst, len(c.shared))
			continue
		}
		if dst%uint64(n) != 0 {
			c.report(Misaligned, w, in, l, dst, spShared, "cp.async destination %d is not %d-byte aligned", dst, n)
			continue
		}
		cp := asyncCopy{dst: dst, n: uint8(n), in: in}
		if src%uint64(n) != 0 {
			c.report(Misaligned, w, in, l, src, spGlobal, "cp.async source %#x is not %d-byte aligned", src, n)
			continue
		}
		if srcSize > 0 {
			// The hardware reads the source asynchronously too; reading it
			// now is indistinguishable unless the kernel races on it. Only
			// src-size bytes are read (the rest is zero-filled), so only
			// they must lie in the allocation.
			b := c.globalSpan(w, in, l, src, srcSize, modeRead, true)
			if b == nil {
				continue
			}
			copy(cp.data[:srcSize], b)
		}
		for i := 0; i < n; i++ {
			c.shadow[dst+uint64(i)].pending++
		}
		w.async[l].open = append(w.async[l].open, cp)
	}
	c.countRequest(false)
}
