package emu

import (
	"math/bits"
	"strings"
)

// Bulk tensor copies (TMA): cp.async.bulk.tensor between global memory
// described by a tensor map and a box in shared memory.
//
// A load is issued by one thread: it decodes the tensor map, reads the
// box from global memory (out-of-bounds elements read as zero) and queues
// the copy on the CTA, its destination bytes marked pending. It does not
// land at issue: the queue lands in issue order when a thread waits on the
// copy's mbarrier (try_wait/test_wait lands every copy up to the last one
// for that barrier), when the CTA cannot otherwise move, and when it ends.
// Landing writes the box, marks its bytes as written by the async proxy
// and performs complete_tx(box bytes) on the mbarrier. Reading the box
// before the wait is therefore a read of pending bytes, which the
// sanitizer reports.
//
// A store reads its box from shared memory at issue (checked as an
// async-proxy read: landed, initialized, fenced) and joins the thread's
// open bulk group; its in-bounds elements reach global memory when
// cp.async.bulk.wait_group (without .read) retires the group, or when the
// thread exits. The shared box is dense, dimension 0 fastest, and swizzled
// on its shared address bits (TensorSwizzle).

// tensorCopy is a bulk tensor load in flight.
type tensorCopy struct {
	w    *warp
	lane int
	in   *inst
	dst  uint64 // shared offset of the box
	mbar uint64 // shared offset of the mbarrier
	sw   TensorSwizzle
	n    int    // box bytes: the complete_tx count
	data []byte // the box in shared layout order, before swizzling
	bad  bool   // the destination was bad: only complete_tx
}

// bulkStore is one element run of a bulk tensor store, waiting to be
// written to global memory.
type bulkStore struct {
	addr uint64
	data []byte
	in   *inst
}

// bulkQueue is a lane's bulk tensor stores: the open bulk group, then the
// committed groups, oldest first.
type bulkQueue struct {
	open   []bulkStore
	groups [][]bulkStore
}

func (q *bulkQueue) reset() {
	q.open = nil
	q.groups = q.groups[:0]
}

// decodeCpAll dispatches the cp row: cp.async.bulk forms here, the rest to
// decodeCp.
func decodeCpAll(x *ictx) {
	for _, w := range x.words {
		if w == "bulk" {
			decodeCpBulk(x)
			return
		}
	}
	decodeCp(x)
}

// tensor copy direction, kept in inst.imm bits 8-9.
const (
	tmaLoad  = 1 << 8
	tmaStore = 2 << 8
)

// decodeCpBulk decodes
//
//	cp.async.bulk.tensor.Nd.shared::cluster.global[.tile].mbarrier::complete_tx::bytes [dst], [tmap, {c0..}], [mbar]
//	cp.async.bulk.tensor.Nd.global.shared::cta[.tile].bulk_group [tmap, {c0..}], [src]
//	cp.async.bulk.commit_group
//	cp.async.bulk.wait_group[.read] n
//
// N is 1..5. Fields: d/off the shared box address, a the tensor map's
// generic address (imm low byte: N), vb the coordinate slots, c/e the
// mbarrier address.
func decodeCpBulk(x *ictx) {
	if !x.flag("async") || !x.flag("bulk") {
		x.fail("expected cp.async.bulk")
		return
	}
	switch {
	case x.flag("commit_group"):
		x.in.class = ClassSync
		x.nargs(0)
		x.in.exec = func(w *warp, in *inst, m uint32) {
			for ; m != 0; m &= m - 1 {
				q := &w.bulk[bits.TrailingZeros32(m)]
				q.groups = append(q.groups, q.open)
				q.open = nil
			}
		}
		return
	case x.flag("wait_group"):
		x.in.class = ClassSync
		read := x.flag("read")
		if x.nargs(1) < 0 {
			return
		}
		o := x.arg(0)
		if o.kind != oImm || o.lit.kind != 'i' || o.lit.i > 63 {
			x.fail("wait_group needs an immediate 0..63")
			return
		}
		keep := int(o.lit.i)
		if read {
			// The sources were read at issue: nothing to wait for.
			return
		}
		x.in.exec = func(w *warp, in *inst, m uint32) {
			for ; m != 0; m &= m - 1 {
				w.c.flushBulkStores(w, bits.TrailingZeros32(m), keep, false)
			}
		}
		return
	}
	if !x.flag("tensor") {
		x.fail("only cp.async.bulk.tensor, cp.async.bulk.commit_group and cp.async.bulk.wait_group are supported")
		return
	}
	rank := 0
	var dst, src string
	for i, w := range x.words {
		switch {
		case len(w) == 2 && w[1] == 'd' && w[0] >= '1' && w[0] <= '5':
			rank = int(w[0] - '0')
		case w == "global" || strings.HasPrefix(w, "shared"):
			if dst == "" {
				dst = w
			} else {
				src = w
			}
		default:
			continue
		}
		x.words[i] = ""
	}
	x.flag("tile")
	if rank == 0 {
		x.fail("missing or bad dimension .1d .. .5d")
		return
	}
	load := dst == "shared::cluster" && src == "global"
	store := dst == "global" && src == "shared::cta"
	switch {
	case load:
		if !x.flag("mbarrier::complete_tx::bytes") {
			x.fail("a bulk tensor load needs .mbarrier::complete_tx::bytes")
			return
		}
		if x.nargs(3) < 0 {
			return
		}
		x.in.d, x.in.off, _ = x.addr(0)
		x.tensorOperand(1, rank)
		x.in.c, x.in.off2, _ = x.addr(2)
		x.in.imm = uint64(rank) | tmaLoad
		x.in.exec = execTensorLoad
	case store:
		if !x.flag("bulk_group") {
			x.fail("a bulk tensor store needs .bulk_group")
			return
		}
		if x.nargs(2) < 0 {
			return
		}
		x.tensorOperand(0, rank)
		x.in.d, x.in.off, _ = x.addr(1)
		x.in.imm = uint64(rank) | tmaStore
		x.in.exec = execTensorStore
	default:
		x.fail("supported directions: .shared::cluster.global (load with mbarrier) and .global.shared::cta (store with bulk_group)")
		return
	}
	x.in.class = ClassGlobal
	x.in.space = spShared
}

// tensorOperand resolves [tmap, {c0, ..., cN-1}]: the tensor map's
// generic address (a 64-bit register, or a .global variable named
// directly) into in.a, and the coordinates into in.vb.
func (x *ictx) tensorOperand(i, rank int) {
	o := x.arg(i)
	if o.kind != oAddr || o.elems == nil || o.name == "" {
		x.fail("operand %d must be [tensormap, {coordinates}]", i+1)
		return
	}
	if len(o.elems) != rank {
		x.fail("a .%dd copy takes %d coordinates, got %d", rank, rank, len(o.elems))
		return
	}
	if o.off != 0 {
		x.fail("the tensor map operand takes no offset")
		return
	}
	s := x.d.lookup(o.name)
	switch {
	case s == nil:
		x.fail("undefined name %s", o.name)
		return
	case s.kind == symReg:
		x.in.a = s.slot * 32
	case s.kind == symKParam || s.kind == symFParam:
		x.fail("name the tensor map by its generic address (mov.u64 %%rd, %s; cvta.param.u64 ...): ptxas rejects a .param name here", o.name)
		return
	case s.kind == symGlobal:
		x.in.a = x.d.addrSlot(s)
	default:
		x.fail("the tensor map must be a 64-bit generic address or a .global variable")
		return
	}
	x.in.vb = make([]int32, rank)
	for k, e := range o.elems {
		x.in.vb[k] = x.srcOp(e, tS32)
	}
}

// tensorMapAt reads and decodes the tensor map at generic address addr,
// reporting a bad one.
func (c *ctaRun) tensorMapAt(w *warp, in *inst, lane int, addr uint64) (*TensorMap, bool) {
	var raw [128]byte
	if addr%64 != 0 {
		c.report(Misaligned, w, in, lane, addr, spGeneric, "tensor map address %#x is not 64-byte aligned", addr)
		return nil, false
	}
	switch {
	case addr-paramWin < winSize:
		off := addr - paramWin
		p := c.l.params
		if off >= uint64(len(p)) || uint64(len(p))-off < 128 {
			c.report(BadTensorMap, w, in, lane, off, spParam, "the tensor map at param offset %d lies outside the %d bytes of kernel parameters", off, len(p))
			return nil, false
		}
		copy(raw[:], p[off:])
	case addr-sharedWin < winSize || addr-localWin < winSize:
		c.report(BadTensorMap, w, in, lane, addr, spGeneric, "the tensor map address %#x is not in parameter or global memory", addr)
		return nil, false
	default:
		b := c.globalSpan(w, in, lane, addr, 128, modeRead, false)
		if b == nil {
			return nil, false
		}
		copy(raw[:], b)
	}
	m, err := DecodeTensorMap(raw)
	if err != nil {
		c.report(BadTensorMap, w, in, lane, addr, spGeneric, "the 128 bytes at %#x are not a valid tensor map: %v", addr, err)
		return nil, false
	}
	return &m, true
}

// boxRows calls f for each row of the box (dimension 0 runs): its byte
// offset in the box, the global address of its first element, and the
// range [lo, hi) of its elements that lie inside the tensor.
func boxRows(m *TensorMap, coord [5]int64, f func(boxOff int, addr uint64, lo, hi int)) {
	es := m.DType.Size()
	var box [5]int
	for i := range box {
		box[i] = 1
		if i < m.Rank {
			box[i] = int(m.Box[i])
		}
	}
	rowBytes := box[0] * es
	lo := max(0, -coord[0])
	hi := min(int64(box[0]), int64(m.Dims[0])-coord[0])
	off := 0
	for e4 := 0; e4 < box[4]; e4++ {
		for e3 := 0; e3 < box[3]; e3++ {
			for e2 := 0; e2 < box[2]; e2++ {
				for e1 := 0; e1 < box[1]; e1++ {
					in := lo < hi
					addr := m.Global + uint64(coord[0]*int64(es))
					for d, e := range [4]int{e1, e2, e3, e4} {
						if d+1 >= m.Rank {
							break
						}
						g := coord[d+1] + int64(e)
						if g < 0 || g >= int64(m.Dims[d+1]) {
							in = false
						}
						addr += uint64(g * int64(m.Strides[d]))
					}
					if in {
						f(off, addr, int(lo), int(hi))
					} else {
						f(off, addr, 0, 0)
					}
					off += rowBytes
				}
			}
		}
	}
}

// tensorCoords reads lane's coordinates and the tensor map for a copy.
func (c *ctaRun) tensorCoords(w *warp, in *inst, lane int) (*TensorMap, [5]int64, bool) {
	var coord [5]int64
	m, ok := c.tensorMapAt(w, in, lane, w.r[in.a+int32(lane)])
	if !ok {
		c.abort = true // hardware faults on a bad tensor map
		return nil, coord, false
	}
	if rank := int(in.imm & 0xff); rank != m.Rank {
		c.report(BadTensorMap, w, in, lane, 0, spGeneric, "a .%dd copy uses a tensor map of rank %d", rank, m.Rank)
		c.abort = true
		return nil, coord, false
	}
	for k, s := range in.vb {
		coord[k] = int64(int32(w.r[s+int32(lane)]))
	}
	return m, coord, true
}

// boxAddress checks the shared address of a box: in bounds and aligned as
// the swizzle requires. It reports and returns false otherwise.
func (c *ctaRun) boxAddress(w *warp, in *inst, lane int, off uint64, m *TensorMap, what string) bool {
	n := uint64(m.BoxBytes())
	if a := m.Swizzle.Align(); off%a != 0 {
		c.report(Misaligned, w, in, lane, off, spShared, "%s box at shared offset %d is not %d-byte aligned (swizzle %s)", what, off, a, m.Swizzle)
		return false
	}
	// A swizzled box whose last 128-byte line is partial may place chunks
	// past its end.
	end := off + n
	if m.Swizzle != SwizzleNone && n%128 != 0 {
		for i := n / 128 * 128; i < n; i += 16 {
			end = max(end, m.Swizzle.apply(off+i)+16)
		}
	}
	if off >= uint64(len(c.shared)) || end > uint64(len(c.shared)) {
		c.report(OutOfBounds, w, in, lane, off, spShared, "%s box of %d bytes at shared offset %d; the CTA has %d bytes of shared memory", what, n, off, len(c.shared))
		return false
	}
	return true
}

func execTensorLoad(w *warp, in *inst, m uint32) {
	c := w.c
	for ; m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		tm, coord, ok := c.tensorCoords(w, in, l)
		if !ok {
			return
		}
		dst := w.r[in.d+int32(l)] + uint64(in.off)
		mbar := w.r[in.c+int32(l)] + uint64(in.off2)
		n := tm.BoxBytes()
		cp := &tensorCopy{w: w, lane: l, in: in, dst: dst, mbar: mbar, sw: tm.Swizzle, n: n}
		c.cnt.TMALoadRequests++
		c.cnt.TMALoadBytes += uint64(n)
		if mbar%8 != 0 || mbar >= uint64(len(c.shared)) {
			c.report(Misaligned, w, in, l, mbar, spShared, "the mbarrier operand (shared offset %d) is not an 8-byte aligned shared address", mbar)
		}
		// Check the box before reading it: a bad one only signals the
		// mbarrier when it "lands".
		if !c.boxAddress(w, in, l, dst, tm, "bulk tensor load") {
			cp.bad = true
			c.ac.tma = append(c.ac.tma, cp)
			continue
		}
		cp.data = make([]byte, n)
		es := tm.DType.Size()
		reported := false
		boxRows(tm, coord, func(boxOff int, addr uint64, lo, hi int) {
			if lo >= hi || reported {
				return
			}
			a := addr + uint64(lo*es)
			b := c.globalSpan(w, in, l, a, (hi-lo)*es, modeRead, false)
			if b == nil {
				reported = true
				return
			}
			copy(cp.data[boxOff+lo*es:], b)
		})
		for i := 0; i < n; i += 16 {
			p := tm.Swizzle.apply(dst + uint64(i))
			for k := uint64(0); k < 16; k++ {
				c.shadow[p+k].pending += tmaPending
			}
		}
		c.ac.tma = append(c.ac.tma, cp)
	}
}

// landTensorCopiesFor lands the queued loads up to the last one that
// signals the mbarrier at off.
func (c *ctaRun) landTensorCopiesFor(off uint64) {
	for i := len(c.ac.tma) - 1; i >= 0; i-- {
		if c.ac.tma[i].mbar == off {
			c.landTensorCopies(i + 1)
			return
		}
	}
}

// landTensorCopies lands the n oldest queued loads.
func (c *ctaRun) landTensorCopies(n int) {
	if n == 0 {
		return
	}
	done := make([]*tensorCopy, n)
	copy(done, c.ac.tma[:n])
	rest := copy(c.ac.tma, c.ac.tma[n:])
	clear(c.ac.tma[rest:])
	c.ac.tma = c.ac.tma[:rest]
	for _, cp := range done {
		c.landTensorCopy(cp)
	}
}

func (c *ctaRun) landTensorCopy(cp *tensorCopy) {
	c.ac.events++
	if !cp.bad {
		for i := 0; i < len(cp.data); i += 16 {
			p := cp.sw.apply(cp.dst + uint64(i))
			copy(c.shared[p:p+16], cp.data[i:i+16])
			sh := c.shadow[p : p+16]
			for k := range sh {
				s := &sh[k]
				s.pending -= tmaPending
				s.gen = c.gen
				// Written by the async proxy and ordered by the mbarrier:
				// no thread is the writer, earlier readers are forgotten.
				s.wEp, s.r1Ep, s.r2Ep = 0, 0, 0
				s.wTid = -1
			}
		}
	}
	mb := c.ac.mbars[cp.mbar]
	if mb == nil {
		c.report(MbarrierMisuse, cp.w, cp.in, cp.lane, cp.mbar, spShared, "the bulk tensor copy completes on %s, where no mbarrier is initialized", c.sharedName(cp.mbar))
		return
	}
	c.mbarTx(cp.w, cp.in, cp.lane, cp.mbar, mb, -int64(cp.n), true)
}

func execTensorStore(w *warp, in *inst, m uint32) {
	c := w.c
	for ; m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		tm, coord, ok := c.tensorCoords(w, in, l)
		if !ok {
			return
		}
		src := w.r[in.d+int32(l)] + uint64(in.off)
		if !c.boxAddress(w, in, l, src, tm, "bulk tensor store") {
			continue
		}
		n := tm.BoxBytes()
		data := make([]byte, n)
		for i := 0; i < n; i += 16 {
			p := tm.Swizzle.apply(src + uint64(i))
			if !c.asyncRead(w, in, l, p, 16, false, "the bulk tensor store") {
				break
			}
		}
		for i := 0; i < n; i += 16 {
			p := tm.Swizzle.apply(src + uint64(i))
			copy(data[i:i+16], c.shared[p:p+16])
		}
		es := tm.DType.Size()
		q := &w.bulk[l]
		c.cnt.TMAStoreRequests++
		boxRows(tm, coord, func(boxOff int, addr uint64, lo, hi int) {
			if lo >= hi {
				return
			}
			q.open = append(q.open, bulkStore{addr: addr + uint64(lo*es), data: data[boxOff+lo*es : boxOff+hi*es], in: in})
			c.cnt.TMAStoreBytes += uint64((hi - lo) * es)
		})
	}
}

// flushBulkStores writes lane's committed bulk groups but the newest keep
// to global memory; all (at exit) also writes the uncommitted stores.
func (c *ctaRun) flushBulkStores(w *warp, lane int, keep int, all bool) {
	q := &w.bulk[lane]
	if all && len(q.open) > 0 {
		q.groups = append(q.groups, q.open)
		q.open = nil
	}
	for len(q.groups) > keep {
		for _, s := range q.groups[0] {
			if b := c.globalSpan(w, s.in, lane, s.addr, len(s.data), modeWrite, false); b != nil {
				copy(b, s.data)
			}
		}
		q.groups = q.groups[1:]
	}
}
