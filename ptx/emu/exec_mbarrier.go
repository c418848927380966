package emu

import (
	"fmt"
	"math/bits"
	"sort"
)

// Hopper synchronization: mbarrier objects, elect.sync and the proxy fence.
//
// An mbarrier is a 64-bit object in shared memory; its state lives beside
// shared memory, keyed by the object's shared offset: the arrivals each
// phase expects, the arrivals still pending, the transaction count and the
// number of completed phases. A phase completes when its pending arrivals
// and its tx-count are both zero; then the phase number advances and the
// arrivals reset. try_wait.parity(P) succeeds iff the phase with parity P
// has completed, i.e. the current phase's parity differs from P.
//
// A try_wait or test_wait that fails does not spin: its lanes yield (mbw)
// until the barrier's phase completes, and are not counted as runnable.
// When no lane of the CTA can run, the scheduler first lands the bulk
// copies in flight, then lets the yielding lanes see their wait fail once
// (for code that does other work when try_wait returns false); if that
// changes nothing, the CTA is deadlocked and the report names the barrier.

// asyncCTA is a CTA's state for the asynchronous instructions.
type asyncCTA struct {
	mbars    map[uint64]*mbarrier
	tma      []*tensorCopy // bulk tensor loads issued, not yet landed, in issue order
	fenceSeq []uint32      // per thread: sequence number of its last fence.proxy.async
	wgArr    []wgArrival   // per warpgroup: warps waiting at a wgmma.mma_async
	events   uint64        // synchronization events, to tell a stall from progress
	forcedAt uint64        // events when yielding lanes were last woken to fail
}

func (a *asyncCTA) reset() {
	clear(a.mbars)
	clear(a.tma)
	a.tma = a.tma[:0]
	clear(a.fenceSeq)
	clear(a.wgArr)
	a.events, a.forcedAt = 0, 0
}

// mbarrier is the state of one mbarrier object.
type mbarrier struct {
	count   int    // arrivals per phase (mbarrier.init)
	pending int    // arrivals the current phase still expects
	tx      int64  // the current phase's transaction count
	phase   uint64 // completed phases
	line    int32  // line of the mbarrier.init
}

// mbarrier limits from the PTX ISA: counts and tx-counts are 20-bit.
const (
	mbarMaxCount = 1<<20 - 1
	mbarMaxTx    = 1<<20 - 1
)

// mbarOp is the operation of an mbarrier instruction.
type mbarOp uint8

const (
	mbInit mbarOp = iota
	mbInval
	mbArrive
	mbArriveTx
	mbExpectTx
	mbWait // try_wait / test_wait
)

// decodeMbarrier decodes the mbarrier instructions:
//
//	mbarrier.init[.shared[::cta]].b64 [a], count
//	mbarrier.inval[.shared[::cta]].b64 [a]
//	mbarrier.arrive[.release.cta][.shared[::cta]].b64 state, [a][, count]
//	mbarrier.arrive.expect_tx[.release.cta][.shared[::cta]].b64 state, [a], tx
//	mbarrier.expect_tx[.relaxed.cta][.shared[::cta]].b64 [a], tx
//	mbarrier.{try_wait,test_wait}[.parity][.acquire.cta][.shared[::cta]].b64 p, [a], parity|state[, hint]
//
// state is a .b64 register or _. Without a state space the address is
// generic and must point into shared memory. Fields: a/off the address,
// space, b the count/tx/parity operand, d the result (state or p), imm the
// operation and, for waits, bit 8 set for .parity.
func decodeMbarrier(x *ictx) {
	var op mbarOp
	switch {
	case x.flag("init"):
		op = mbInit
	case x.flag("inval"):
		op = mbInval
	case x.flag("arrive"):
		op = mbArrive
		if x.flag("expect_tx") {
			op = mbArriveTx
		}
	case x.flag("expect_tx"):
		op = mbExpectTx
	case x.flag("try_wait"), x.flag("test_wait"):
		op = mbWait
	default:
		x.fail("supported: mbarrier.{init,inval,arrive,arrive.expect_tx,expect_tx,try_wait,test_wait}")
		return
	}
	parity := op == mbWait && x.flag("parity")
	sem := x.pick("release", "acquire", "relaxed")
	scope := x.pick("cta", "cluster")
	if scope == "cluster" {
		x.fail(".cluster scope needs thread block clusters, which the emulator does not model")
		return
	}
	if sem != "" && scope == "" || sem == "" && scope != "" {
		x.fail(".sem and .scope must be given together")
		return
	}
	okSem := map[mbarOp]string{mbArrive: "release", mbArriveTx: "release", mbExpectTx: "relaxed", mbWait: "acquire"}[op]
	if sem != "" && sem != okSem && !(op == mbWait && sem == "relaxed") {
		x.fail(".%s is not valid here", sem)
		return
	}
	sp := spGeneric
	switch x.pick("shared", "shared::cta", "shared::cluster") {
	case "shared", "shared::cta":
		sp = spShared
	case "shared::cluster":
		x.fail(".shared::cluster needs thread block clusters; use .shared::cta")
		return
	}
	if x.typ() != tB64 {
		x.fail("mbarrier operations are .b64")
		return
	}
	x.in.space = sp
	x.in.imm = uint64(op)
	x.in.class = ClassSync
	addrArg := 0
	switch op {
	case mbInit:
		if x.nargs(2) < 0 {
			return
		}
		x.in.b = x.src(1, tU32)
	case mbInval:
		x.nargs(1)
	case mbArrive:
		if x.nargs(2, 3) < 0 {
			return
		}
		x.in.d = x.dst(0)
		addrArg = 1
		x.in.b = x.d.constSlot(1)
		if len(x.a.args) == 3 {
			x.in.b = x.src(2, tU32)
		}
	case mbArriveTx:
		if x.nargs(3) < 0 {
			return
		}
		x.in.d = x.dst(0)
		addrArg = 1
		x.in.b = x.src(2, tU32)
	case mbExpectTx:
		if x.nargs(2) < 0 {
			return
		}
		x.in.b = x.src(1, tU32)
	case mbWait:
		if x.nargs(3, 4) < 0 {
			return
		}
		if s := x.reg(x.arg(0)); s != nil && s.typ != tPred {
			x.fail("the result of a wait is a predicate")
			return
		}
		x.in.d = x.dst(0)
		addrArg = 1
		if parity {
			x.in.b = x.src(2, tU32)
			x.in.imm |= 1 << 8
		} else {
			x.in.b = x.src(2, tB64)
		}
		if len(x.a.args) == 4 {
			x.src(3, tU32) // suspend-time hint: no effect
		}
		x.in.ctl = ctlMbarWait
	}
	x.in.a, x.in.off, _ = x.addr(addrArg)
	if op != mbWait {
		x.in.exec = execMbarrier
	}
}

// mbarOffset turns lane's address operand into an mbarrier's shared
// offset, reporting a bad address.
func (c *ctaRun) mbarOffset(w *warp, in *inst, lane int) (uint64, bool) {
	addr := w.r[in.a+int32(lane)] + uint64(in.off)
	if in.space == spGeneric {
		if addr-sharedWin >= winSize {
			c.report(MbarrierMisuse, w, in, lane, addr, spGeneric, "mbarrier address %#x is not in shared memory", addr)
			return 0, false
		}
		addr -= sharedWin
	}
	if addr >= uint64(len(c.shared)) || uint64(len(c.shared))-addr < 8 {
		c.report(OutOfBounds, w, in, lane, addr, spShared, "mbarrier at shared offset %d; the CTA has %d bytes of shared memory", addr, len(c.shared))
		return 0, false
	}
	if addr%8 != 0 {
		c.report(Misaligned, w, in, lane, addr, spShared, "mbarrier at shared offset %d is not 8-byte aligned", addr)
		return 0, false
	}
	return addr, true
}

// sharedName names shared offset off for reports: "bars+8 (shared offset
// 8)", or "shared offset 8" when no variable holds it.
func (c *ctaRun) sharedName(off uint64) string {
	var best *symbol
	for _, s := range c.l.mod.sharedVars {
		if off >= s.addr && (off < s.addr+uint64(s.size) || s.size == 0 && s.addr == uint64(c.l.mod.sharedStatic)) {
			best = s
		}
	}
	if best == nil {
		return fmt.Sprintf("shared offset %d", off)
	}
	if off == best.addr {
		return fmt.Sprintf("%s (shared offset %d)", best.name, off)
	}
	return fmt.Sprintf("%s+%d (shared offset %d)", best.name, off-best.addr, off)
}

// mbarAt returns the initialized mbarrier at off, or reports its absence.
func (c *ctaRun) mbarAt(w *warp, in *inst, lane int, off uint64) *mbarrier {
	mb := c.ac.mbars[off]
	if mb == nil {
		c.report(MbarrierMisuse, w, in, lane, off, spShared, "no mbarrier is initialized at %s (mbarrier.init missing or invalidated)", c.sharedName(off))
	}
	return mb
}

func execMbarrier(w *warp, in *inst, m uint32) {
	c := w.c
	r := w.r
	op := mbarOp(in.imm & 0xff)
	for ; m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		li := int32(l)
		off, ok := c.mbarOffset(w, in, l)
		if !ok {
			continue
		}
		v := r[in.b+li]
		switch op {
		case mbInit:
			if v < 1 || v > mbarMaxCount {
				c.report(MbarrierMisuse, w, in, l, off, spShared, "mbarrier.init count %d is not in 1..%d", v, mbarMaxCount)
				continue
			}
			if c.ac.mbars == nil {
				c.ac.mbars = map[uint64]*mbarrier{}
			}
			c.ac.mbars[off] = &mbarrier{count: int(v), pending: int(v), line: in.line}
			c.ac.events++
			// The object's bytes count as written (they are opaque).
			sh := c.shadow[off : off+8]
			for i := range sh {
				sh[i].gen = c.gen
			}
		case mbInval:
			if c.mbarAt(w, in, l, off) != nil {
				delete(c.ac.mbars, off)
				c.ac.events++
			}
		case mbArrive, mbArriveTx, mbExpectTx:
			mb := c.mbarAt(w, in, l, off)
			if mb == nil {
				continue
			}
			state := mb.phase
			if op != mbArrive && !c.mbarTx(w, in, l, off, mb, int64(uint32(v)), false) {
				continue
			}
			if op != mbExpectTx {
				n := 1
				if op == mbArrive {
					n = int(uint32(v))
				}
				c.mbarArrive(w, in, l, off, mb, n)
				r[in.d+li] = state
			}
		}
	}
}

// mbarArrive counts n arrivals on mb.
func (c *ctaRun) mbarArrive(w *warp, in *inst, lane int, off uint64, mb *mbarrier, n int) {
	if n < 1 || n > mbarMaxCount {
		c.report(MbarrierMisuse, w, in, lane, off, spShared, "arrive count %d is not in 1..%d", n, mbarMaxCount)
		return
	}
	c.ac.events++
	if n > mb.pending {
		c.report(MbarrierMisuse, w, in, lane, off, spShared, "%d arrival(s) on the mbarrier %s (initialized at line %d, count %d) when its phase %d expects only %d more",
			n, c.sharedName(off), mb.line, mb.count, mb.phase, mb.pending)
		mb.pending = 0
	} else {
		mb.pending -= n
	}
	c.mbarCheck(off, mb)
}

// mbarTx adds delta to mb's tx-count (expect_tx: positive; complete_tx:
// negative). It reports a count out of range and a negative count, which
// means more bytes completed than the phase expected.
func (c *ctaRun) mbarTx(w *warp, in *inst, lane int, off uint64, mb *mbarrier, delta int64, complete bool) bool {
	c.ac.events++
	if delta > mbarMaxTx || delta < -mbarMaxTx {
		c.report(MbarrierMisuse, w, in, lane, off, spShared, "transaction count %d is out of range (at most %d)", delta, mbarMaxTx)
		return false
	}
	mb.tx += delta
	if mb.tx > mbarMaxTx {
		c.report(MbarrierMisuse, w, in, lane, off, spShared, "the tx-count of the mbarrier %s overflows (%d)", c.sharedName(off), mb.tx)
	}
	if complete && mb.tx < 0 {
		c.report(MbarrierMisuse, w, in, lane, off, spShared, "complete_tx of %d bytes makes the tx-count of the mbarrier %s (initialized at line %d) negative (%d) in phase %d: the copies deliver more bytes than expect_tx announced",
			-delta, c.sharedName(off), mb.line, mb.tx, mb.phase)
	}
	c.mbarCheck(off, mb)
	return true
}

// mbarCheck completes mb's phase when nothing is pending: the phase
// advances, arrivals reset, and lanes yielding on it wake. Completion
// orders the shared accesses before it with those after, like a CTA
// barrier (an approximation: it may hide races between threads that do
// not take part in the mbarrier).
func (c *ctaRun) mbarCheck(off uint64, mb *mbarrier) {
	if mb.pending != 0 || mb.tx != 0 {
		return
	}
	mb.phase++
	mb.pending = mb.count
	c.epoch++
	for _, w := range c.warps {
		for m := w.mbw; m != 0; m &= m - 1 {
			l := bits.TrailingZeros32(m)
			if w.mbAddr[l] == off {
				w.mbw &^= 1 << l
			}
		}
	}
}

// mbarWait runs try_wait/test_wait for the group: lanes whose phase has
// completed get true and move on; the others yield at this instruction
// until it completes (or get false once, if the scheduler woke them to).
// Bulk copies that signal the barrier land first, in issue order.
func (c *ctaRun) mbarWait(w *warp, in *inst, em uint32) {
	if em == 0 {
		w.gpc++
		return
	}
	r := w.r
	parity := in.imm&(1<<8) != 0
	var wait uint32
	for m := em; m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		li := int32(l)
		tok := w.mbTok&(1<<l) != 0
		w.mbTok &^= 1 << l
		off, ok := c.mbarOffset(w, in, l)
		if ok {
			c.landTensorCopiesFor(off)
		}
		var mb *mbarrier
		if ok {
			mb = c.mbarAt(w, in, l, off)
		}
		if mb == nil {
			r[in.d+li] = 1 // reported; do not hang on it
			continue
		}
		v := r[in.b+li]
		var done bool
		if parity {
			done = mb.phase&1 != v&1
		} else {
			done = mb.phase != v
		}
		switch {
		case done:
			r[in.d+li] = 1
		case tok:
			r[in.d+li] = 0
		default:
			wait |= 1 << l
			w.mbAddr[l] = off
		}
	}
	if wait == 0 {
		w.gpc++
		return
	}
	w.mbw |= wait
	w.split(wait, w.gpc, w.gpc+1)
}

// unstall is called when no lane of the CTA can run. It lands the bulk
// copies in flight, or else wakes the lanes yielding at try_wait so that
// their wait fails once, unless that was already tried with no
// synchronization event since. It reports whether anything changed.
func (c *ctaRun) unstall() bool {
	if len(c.ac.tma) > 0 {
		c.landTensorCopies(len(c.ac.tma))
		return true
	}
	if c.ac.events == c.ac.forcedAt {
		return false
	}
	woke := false
	for _, w := range c.warps {
		if w.mbw != 0 {
			w.mbTok |= w.mbw
			w.mbw = 0
			woke = true
		}
	}
	if woke {
		c.ac.forcedAt = c.ac.events
	}
	return woke
}

// mbarDeadlock reports each mbarrier that lanes wait on in a deadlocked CTA.
func (c *ctaRun) mbarDeadlock() {
	type waiter struct {
		w    *warp
		lane int
		n    int
	}
	at := map[uint64]*waiter{}
	for _, w := range c.warps {
		for m := w.mbw; m != 0; m &= m - 1 {
			l := bits.TrailingZeros32(m)
			off := w.mbAddr[l]
			if at[off] == nil {
				at[off] = &waiter{w: w, lane: l}
			}
			at[off].n++
		}
	}
	offs := make([]uint64, 0, len(at))
	for off := range at {
		offs = append(offs, off)
	}
	sort.Slice(offs, func(i, j int) bool { return offs[i] < offs[j] })
	for _, off := range offs {
		wt := at[off]
		pc := wt.w.pc[wt.lane]
		in := &c.l.mod.prog[pc]
		state := "no longer initialized"
		if mb := c.ac.mbars[off]; mb != nil {
			state = fmt.Sprintf("initialized at line %d with count %d, is in phase %d with %d of %d arrivals pending and tx-count %d",
				mb.line, mb.count, mb.phase, mb.pending, mb.count, mb.tx)
		}
		c.report(BarrierDivergence, wt.w, in, wt.lane, off, spShared, "mbarrier %s never completes the awaited phase: %d thread(s) wait; it %s%s",
			c.sharedName(off), wt.n, state, c.whereOthers(pc))
	}
}

// decodeElect: elect.sync d|p, membermask. The lowest lane of the
// participating lanes is the leader: p is true there only, and every lane
// gets the leader's lane id in d (which may be _).
func decodeElect(x *ictx) {
	if !x.flag("sync") || x.nargs(2) < 0 || x.arg(0).kind != oPair {
		x.fail("expected elect.sync d|p, membermask")
		return
	}
	pair := x.arg(0)
	if p := pair.elems[1]; p.kind != oName || x.reg(p) == nil || x.reg(p).typ != tPred {
		x.fail("the second destination of elect.sync must be a predicate register")
		return
	}
	x.a.args[0] = pair.elems[0]
	x.in.d = x.dst(0)
	x.a.args[0] = pair.elems[1]
	x.in.c = x.dst(0)
	x.a.args[0] = pair
	x.in.e = x.src(1, tB32)
	x.in.exec = func(w *warp, in *inst, m uint32) {
		leader := bits.TrailingZeros32(m)
		for mm := m; mm != 0; mm &= mm - 1 {
			l := bits.TrailingZeros32(mm)
			w.r[in.d+int32(l)] = uint64(leader)
			w.r[in.c+int32(l)] = boolU(l == leader)
		}
	}
}

// execFenceProxyAsync records, per thread, where its last fence.proxy.async
// covering shared memory stands: generic writes before it may be read by
// the async proxy (wgmma operands, bulk copy sources).
func execFenceProxyAsync(w *warp, in *inst, m uint32) {
	c := w.c
	for ; m != 0; m &= m - 1 {
		c.ac.fenceSeq[w.tid(bits.TrailingZeros32(m))] = c.seq
	}
}

// asyncRead checks n shared bytes at off that the async proxy reads for
// lane of w (a wgmma operand or a bulk store source) and reports the
// first problem: bytes a bulk copy or cp.async has not landed, bytes never
// written, bytes written in this barrier epoch by a thread that the
// reading warps are not ordered with (wholeGroup: any thread), and bytes
// whose last generic write has no fence.proxy.async after it in the
// writing thread. It returns false after a report.
func (c *ctaRun) asyncRead(w *warp, in *inst, lane int, off uint64, n int, wholeGroup bool, what string) bool {
	if off >= uint64(len(c.shared)) || uint64(n) > uint64(len(c.shared))-off {
		c.report(OutOfBounds, w, in, lane, off, spShared, "%s reads %d bytes at shared offset %d; the CTA has %d bytes of shared memory", what, n, off, len(c.shared))
		return false
	}
	tid := w.tid(lane)
	for i := uint64(0); i < uint64(n); i++ {
		s := &c.shadow[off+i]
		a := off + i
		switch {
		case s.pending >= tmaPending:
			c.report(TensorCopyRace, w, in, lane, a, spShared, "%s reads a bulk tensor copy destination before the copy landed (before its mbarrier phase completed)", what)
			return false
		case s.pending != 0:
			c.report(AsyncCopyRace, w, in, lane, a, spShared, "%s reads a cp.async destination before cp.async.wait_group", what)
			return false
		case s.gen != c.gen:
			c.report(UninitializedShared, w, in, lane, a, spShared, "%s reads shared memory that no thread of this CTA has written", what)
			return false
		case s.wTid < 0:
			continue // written by the async proxy (a bulk copy)
		case s.wEp == c.epoch && (wholeGroup || c.conflicts(s.wTid, s.wSeq, tid, w)):
			c.report(SharedRace, w, in, lane, a, spShared, "%s reads a byte that thread %d wrote with no barrier in between", what, s.wTid)
			return false
		case c.ac.fenceSeq[s.wTid] <= s.wSeq:
			c.report(ProxyFenceMissing, w, in, lane, a, spShared, "%s (async proxy) reads a byte that thread %d wrote with a generic-proxy store and no fence.proxy.async after it", what, s.wTid)
			return false
		}
	}
	return true
}
