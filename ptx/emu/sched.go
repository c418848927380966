package emu

import (
	"fmt"
	"math/bits"
	"sort"
	"sync"
	"sync/atomic"
)

// launch is the state of one kernel launch shared by its workers.
type launch struct {
	dev     *Device
	mod     *Module
	fn      *function
	cfg     LaunchConfig
	params  []byte
	gaddrs  []uint64
	tmpl    []uint64 // per-slot values broadcast to every lane at warp start
	nthread int
	nwarp   int
	ncta    uint64

	mu        sync.Mutex
	counters  Counters
	findings  []Finding
	nfindings int
}

func newLaunch(d *Device, m *Module, f *function, cfg LaunchConfig, params []byte, gaddrs []uint64) *launch {
	l := &launch{dev: d, mod: m, fn: f, cfg: cfg, params: params, gaddrs: gaddrs}
	l.nthread = int(cfg.Block[0] * cfg.Block[1] * cfg.Block[2])
	l.nwarp = (l.nthread + 31) / 32
	l.ncta = uint64(cfg.Grid[0]) * uint64(cfg.Grid[1]) * uint64(cfg.Grid[2])
	l.tmpl = make([]uint64, m.nslots)
	for _, f := range m.fills {
		switch f.kind {
		case fillConst:
			l.tmpl[f.slot] = f.val
		case fillGlobal:
			l.tmpl[f.slot] = gaddrs[f.val]
		}
	}
	return l
}

// run executes every CTA, spreading them over the device's workers.
func (l *launch) run() {
	workers := uint64(l.dev.opts.Workers)
	if workers > l.ncta {
		workers = l.ncta
	}
	var next atomic.Uint64
	var wg sync.WaitGroup
	for i := uint64(0); i < workers; i++ {
		wg.Add(1)
		go func(worker int) {
			defer wg.Done()
			c := newCTA(l, worker)
			for {
				idx := next.Add(1) - 1
				if idx >= l.ncta {
					break
				}
				c.start(idx)
				c.run()
				c.finish()
			}
			l.merge(c)
		}(int(i))
	}
	wg.Wait()
	// Workers take CTAs in increasing order and keep their first findings,
	// so sorting by CTA gives the same list on every run.
	sort.SliceStable(l.findings, func(i, j int) bool {
		a, b := &l.findings[i], &l.findings[j]
		if a.ctaLinear != b.ctaLinear {
			return a.ctaLinear < b.ctaLinear
		}
		return a.order < b.order
	})
	if len(l.findings) > l.dev.opts.MaxFindings {
		l.findings = l.findings[:l.dev.opts.MaxFindings]
	}
}

func (l *launch) merge(c *ctaRun) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.counters.Add(&c.cnt)
	l.findings = append(l.findings, c.findings...)
	l.nfindings += c.nfindings
}

// frame is one call on a lane's call stack.
type frame struct {
	callPC int32
	call   *inst
}

// warp is 32 lanes of one CTA.
type warp struct {
	c      *ctaRun
	id     int
	r      []uint64 // register file: r[slot*32+lane]
	exists uint32   // lanes that are threads of the CTA
	live   uint32   // lanes that have not exited
	bar    uint32   // lanes waiting at a CTA barrier
	park   uint32   // lanes waiting at a warp collective
	gmask  uint32   // the group being executed
	gpc    int32    // its pc
	pc     [32]int32
	stack  [32][]frame
	// lastSync is the CTA sequence number of the last warp collective;
	// shared accesses of this warp before it are ordered with those after.
	lastSync  uint32
	lastAlloc *allocation // cache for global address lookups
	async     [32]asyncQueue
	// Hopper asynchronous state: lanes yielding at mbarrier.try_wait (mbw)
	// on the barrier at shared offset mbAddr, lanes whose next failing
	// try_wait returns false instead of yielding (mbTok), pending wgmma
	// results, and each lane's bulk tensor stores.
	mbw    uint32
	mbTok  uint32
	mbAddr [32]uint64
	wg     *wgState
	bulk   [32]bulkQueue
}

func (w *warp) tid(lane int) int32 { return int32(w.id*32 + lane) }

// barState is one of the 16 named barriers of a CTA.
type barState struct {
	waiting int   // threads waiting
	arrived int   // threads counted, waiting or bar.arrive
	pc      int32 // the instruction the waiters wait at
	count   int   // expected threads (0: all threads of the CTA)
}

// ctaRun is a worker's state; it runs one CTA at a time.
type ctaRun struct {
	l      *launch
	worker int
	id     [3]uint32
	linear uint64
	warps  []*warp
	live   int // threads not exited
	steps  uint64
	abort  bool
	bars   [16]barState

	shared  []byte
	shadow  []shadowByte
	gen     uint32 // CTA generation: shadow bytes written in another are unwritten
	epoch   uint32 // barrier epoch, never reset, so old shadow entries go stale
	seq     uint32 // warp-instruction sequence number
	local   []byte // nthread * localSize
	scratch []byte // nthread * scratchSize

	cnt       Counters
	findings  []Finding
	nfindings int
	order     int
	mem       memScratch
	ac        asyncCTA // mbarriers, bulk copies in flight, proxy fences, warpgroup arrivals
}

func newCTA(l *launch, worker int) *ctaRun {
	c := &ctaRun{l: l, worker: worker}
	m := l.mod
	c.warps = make([]*warp, l.nwarp)
	for i := range c.warps {
		c.warps[i] = &warp{c: c, id: i, r: make([]uint64, m.nslots*32)}
	}
	c.shared = make([]byte, m.sharedStatic+int(l.cfg.DynamicShared))
	c.shadow = make([]shadowByte, len(c.shared))
	c.local = make([]byte, l.nthread*m.localSize)
	c.scratch = make([]byte, l.nthread*m.scratchSize)
	c.ac.fenceSeq = make([]uint32, l.nthread)
	c.ac.wgArr = make([]wgArrival, (l.nwarp+3)/4)
	return c
}

// start prepares the worker for CTA number idx.
func (c *ctaRun) start(idx uint64) {
	l := c.l
	g := l.cfg.Grid
	c.linear = idx
	c.id = [3]uint32{uint32(idx % uint64(g[0])), uint32(idx / uint64(g[0]) % uint64(g[1])), uint32(idx / uint64(g[0]*g[1]))}
	if c.seq > 1<<31 || c.epoch > 1<<31 {
		// Sequence numbers and epochs only grow, so stale shadow entries
		// never match; restart them before they could wrap.
		clear(c.shadow)
		c.seq, c.epoch, c.gen = 0, 0, 0
	}
	c.live = l.nthread
	c.steps = 0
	c.abort = false
	c.bars = [16]barState{}
	c.ac.reset()
	c.gen++
	c.epoch++
	c.cnt.CTAs++
	clear(c.local)
	m := l.mod
	for _, w := range c.warps {
		n := l.nthread - w.id*32
		if n > 32 {
			n = 32
		}
		w.exists = uint32(1<<n - 1)
		w.live = w.exists
		w.bar, w.park = 0, 0
		w.mbw, w.mbTok = 0, 0
		if w.wg != nil {
			w.wg.reset()
		}
		w.gmask, w.gpc = w.exists, l.fn.start
		for i := range w.pc {
			w.pc[i] = l.fn.start
			w.stack[i] = w.stack[i][:0]
			w.async[i].reset()
			w.bulk[i].reset()
		}
		w.lastSync = 0
		r := w.r
		for s, v := range l.tmpl {
			col := r[s*32 : s*32+32]
			for i := range col {
				col[i] = v
			}
		}
		for _, sp := range m.specials {
			for lane := 0; lane < 32; lane++ {
				r[int(sp.slot)*32+lane] = w.specialValue(sp.sp, lane)
			}
		}
	}
}

// finish completes what a CTA leaves behind: cp.async and bulk copies
// still in flight are written, as the hardware would before the CTA
// retires.
func (c *ctaRun) finish() {
	for _, w := range c.warps {
		for lane := range w.async {
			w.async[lane].complete(w, lane, 0)
		}
	}
	c.landTensorCopies(len(c.ac.tma))
	for _, w := range c.warps {
		for lane := range w.bulk {
			c.flushBulkStores(w, lane, 0, true)
		}
	}
}

// run schedules the CTA's warps until all threads exit, the CTA deadlocks
// or a fatal finding stops it.
func (c *ctaRun) run() {
	for !c.abort && c.live > 0 {
		progress := false
		for _, w := range c.warps {
			if w.live&^w.bar&^w.park&^w.mbw != 0 {
				c.runWarp(w)
				progress = true
				if c.abort {
					return
				}
			}
		}
		if !progress && c.live > 0 {
			// Before declaring a deadlock, let bulk copies land and let
			// lanes yielding at try_wait see it fail once (unstall).
			if c.unstall() {
				continue
			}
			c.deadlock()
			return
		}
	}
}

// pick chooses the next group of w: the runnable lanes whose position
// comes first in scheduling rank; parked lanes at that pc rejoin.
func (w *warp) pick() bool {
	run := w.live &^ w.bar &^ w.park &^ w.mbw
	if run == 0 {
		return false
	}
	best := bits.TrailingZeros32(run)
	for m := run & (run - 1); m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		if w.pc[l] != w.pc[best] && w.before(l, best) {
			best = l
		}
	}
	pc := w.pc[best]
	var g uint32
	for m := run | w.park; m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		if w.pc[l] == pc {
			g |= 1 << l
		}
	}
	w.park &^= g
	w.gmask, w.gpc = g, pc
	return true
}

// before orders two lanes for scheduling by their call stacks' call sites
// and then their pcs, each compared by rank.
func (w *warp) before(a, b int) bool {
	rank := w.c.l.mod.rank
	sa, sb := w.stack[a], w.stack[b]
	n := min(len(sa), len(sb))
	for i := 0; i < n; i++ {
		if sa[i].callPC != sb[i].callPC {
			return rank[sa[i].callPC] < rank[sb[i].callPC]
		}
	}
	ea, eb := w.pc[a], w.pc[b]
	if len(sa) > n {
		ea = sa[n].callPC
	}
	if len(sb) > n {
		eb = sb[n].callPC
	}
	if ea != eb {
		return rank[ea] < rank[eb]
	}
	return len(sa) < len(sb)
}

// regroup stores the group's pc into its lanes so pick can choose again.
func (w *warp) regroup() {
	for m := w.gmask; m != 0; m &= m - 1 {
		w.pc[bits.TrailingZeros32(m)] = w.gpc
	}
	w.gmask = 0
}

// split ends the group: lanes in to go to pc target, the rest to next.
func (w *warp) split(to uint32, target int32, next int32) {
	for m := w.gmask; m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		if to&(1<<l) != 0 {
			w.pc[l] = target
		} else {
			w.pc[l] = next
		}
	}
	w.gmask = 0
}

func (w *warp) guardMask(in *inst) uint32 {
	p := w.r[in.guard : in.guard+32]
	var m uint32
	for g := w.gmask; g != 0; g &= g - 1 {
		l := bits.TrailingZeros32(g)
		if (p[l] != 0) != in.guardNeg {
			m |= 1 << l
		}
	}
	return m
}

// runWarp executes w until none of its lanes can run.
func (c *ctaRun) runWarp(w *warp) {
	prog := c.l.mod.prog
	maxSteps := c.l.dev.opts.MaxSteps
	for {
		if w.gmask == 0 && !w.pick() {
			return
		}
		in := &prog[w.gpc]
		em := w.gmask
		if in.guard >= 0 {
			em = w.guardMask(in)
		}
		c.steps++
		c.seq++
		if c.steps > maxSteps {
			c.report(StepLimit, w, in, bits.TrailingZeros32(w.gmask), 0, spGeneric, "the CTA executed %d warp-instructions without finishing (endless loop?)", maxSteps)
			c.abort = true
			return
		}
		c.cnt.WarpInstructions[in.class]++
		c.cnt.ThreadInstructions[in.class] += uint64(bits.OnesCount32(em))
		if w.wg != nil && len(w.wg.acc) != 0 && em != 0 && in.regs != nil {
			c.checkPendingRegs(w, in, em)
		}
		switch in.ctl {
		case ctlPlain:
			if em != 0 {
				in.exec(w, in, em)
			}
			w.gpc++
		case ctlBranch:
			switch em {
			case w.gmask:
				w.gpc = in.target
			case 0:
				w.gpc++
			default:
				w.split(em, in.target, w.gpc+1)
			}
		case ctlCall:
			c.call(w, in, em)
		case ctlRet:
			c.ret(w, in, em)
		case ctlExit:
			c.exitLanes(w, em)
			w.gmask &^= em
			w.gpc++
		case ctlBarrier, ctlArrive:
			c.barrier(w, in, em)
		case ctlWarp, ctlAligned:
			c.collective(w, in, em)
		case ctlMbarWait:
			c.mbarWait(w, in, em)
		case ctlWarpgroup:
			c.warpgroup(w, in, em)
		case ctlTrap:
			if em != 0 {
				c.report(Trap, w, in, bits.TrailingZeros32(em), 0, spGeneric, "trap executed")
				c.abort = true
				return
			}
			w.gpc++
		}
		if c.abort {
			return
		}
		// Other lanes of the warp may be waiting at this pc, or ahead of
		// it in rank: let pick decide. Converged warps skip this.
		if w.gmask != 0 && w.live&^w.bar&^w.gmask != 0 {
			w.regroup()
		}
	}
}

func (c *ctaRun) call(w *warp, in *inst, em uint32) {
	f := in.callee
	ssz := c.l.mod.scratchSize
	for m := em; m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		s := c.scratch[int(w.tid(l))*ssz:][:ssz]
		for _, cp := range in.argCopy {
			copy(s[cp.to:cp.to+cp.size], s[cp.from:cp.from+cp.size])
		}
		w.stack[l] = append(w.stack[l], frame{callPC: w.gpc, call: in})
	}
	switch em {
	case w.gmask:
		w.gpc = f.start
	case 0:
		w.gpc++
	default:
		w.split(em, f.start, w.gpc+1)
	}
}

func (c *ctaRun) ret(w *warp, in *inst, em uint32) {
	ssz := c.l.mod.scratchSize
	var exit uint32
	for m := w.gmask; m != 0; m &= m - 1 {
		l := bits.TrailingZeros32(m)
		if em&(1<<l) == 0 {
			w.pc[l] = w.gpc + 1
			continue
		}
		st := w.stack[l]
		if len(st) == 0 {
			exit |= 1 << l
			continue
		}
		fr := st[len(st)-1]
		w.stack[l] = st[:len(st)-1]
		s := c.scratch[int(w.tid(l))*ssz:][:ssz]
		for _, cp := range fr.call.retCopy {
			copy(s[cp.to:cp.to+cp.size], s[cp.from:cp.from+cp.size])
		}
		w.pc[l] = fr.callPC + 1
	}
	w.gmask = 0
	c.exitLanes(w, exit)
}

func (c *ctaRun) exitLanes(w *warp, m uint32) {
	if m == 0 {
		return
	}
	for x := m; x != 0; x &= x - 1 {
		l := bits.TrailingZeros32(x)
		w.async[l].complete(w, l, 0)
		c.flushBulkStores(w, l, 0, true)
	}
	w.live &^= m
	c.live -= bits.OnesCount32(m)
	c.ac.events++
}

// barrier handles bar.sync/barrier.sync (wait) and bar.arrive.
func (c *ctaRun) barrier(w *warp, in *inst, em uint32) {
	if em == 0 {
		w.gpc++
		return
	}
	l0 := bits.TrailingZeros32(em)
	id := w.r[in.a+int32(l0)]
	count := 0
	if in.b >= 0 {
		count = int(w.r[in.b+int32(l0)])
	}
	for m := em; m != 0; m &= m - 1 {
		l := int32(bits.TrailingZeros32(m))
		if w.r[in.a+l] != id || in.b >= 0 && int(w.r[in.b+l]) != count {
			c.report(BarrierDivergence, w, in, int(l), 0, spGeneric, "lanes of one warp name different barriers or counts")
			c.abort = true
			return
		}
	}
	if id >= 16 || count < 0 || count > c.l.nthread || count%32 != 0 && count != 0 {
		c.report(BarrierDivergence, w, in, l0, 0, spGeneric, "bad barrier id %d or thread count %d", id, count)
		c.abort = true
		return
	}
	b := &c.bars[id]
	n := bits.OnesCount32(em)
	if in.ctl == ctlArrive {
		b.arrived += n
		w.gpc++
	} else {
		if b.waiting > 0 && b.pc != w.gpc {
			c.report(BarrierDivergence, w, in, l0, 0, spGeneric, "threads wait at different barrier instructions: this one and line %d (barrier %d)", c.l.mod.prog[b.pc].line, id)
			c.abort = true
			return
		}
		if b.waiting == 0 {
			b.pc = w.gpc
		}
		b.waiting += n
		b.arrived += n
		w.bar |= em
		w.split(em, w.gpc, w.gpc+1)
	}
	if count != 0 {
		b.count = count
	}
	want := b.count
	if want == 0 {
		want = c.l.nthread
	}
	if b.arrived >= want && b.waiting > 0 {
		c.release(int(id))
	}
}

// release lets the threads waiting at barrier id continue; all shared
// memory accesses before it are ordered with those after.
func (c *ctaRun) release(id int) {
	b := &c.bars[id]
	for _, w := range c.warps {
		for m := w.bar; m != 0; m &= m - 1 {
			l := bits.TrailingZeros32(m)
			if w.pc[l] == b.pc {
				w.bar &^= 1 << l
				w.pc[l]++
			}
		}
	}
	*b = barState{}
	c.epoch++
	c.ac.events++
	c.cnt.Barriers++
}

// collective runs a warp collective once every lane it names has arrived.
func (c *ctaRun) collective(w *warp, in *inst, em uint32) {
	if em == 0 {
		w.gpc++
		return
	}
	l0 := bits.TrailingZeros32(em)
	need := uint32(0xffffffff) // .aligned: the whole warp
	if in.ctl == ctlWarp {
		need = uint32(w.r[in.e+int32(l0)])
		for m := em; m != 0; m &= m - 1 {
			l := int32(bits.TrailingZeros32(m))
			if uint32(w.r[in.e+l]) != need {
				c.report(WarpDivergence, w, in, int(l), 0, spGeneric, "lanes pass different member masks (%#x and %#x)", need, uint32(w.r[in.e+l]))
				c.abort = true
				return
			}
		}
		if em&^need != 0 {
			c.report(WarpDivergence, w, in, bits.TrailingZeros32(em&^need), 0, spGeneric, "executing lane is not in member mask %#08x", need)
		}
	}
	if gone := need &^ w.live; gone != 0 {
		c.report(WarpDivergence, w, in, l0, 0, spGeneric, "lanes %#08x named by the collective have exited or do not exist", gone)
		need &= w.live
	}
	if skip := need & (w.gmask &^ em); skip != 0 {
		c.report(WarpDivergence, w, in, bits.TrailingZeros32(skip), 0, spGeneric, "lanes %#08x named by the collective skip it (guard false)", skip)
		need &^= skip
	}
	if need&^em != 0 {
		// Wait for the others at this pc; guarded-off lanes move on.
		w.park |= em
		w.split(em, w.gpc, w.gpc+1)
		return
	}
	// A collective orders the warp's earlier shared accesses with later
	// ones; its own accesses count as after it.
	w.lastSync = c.seq
	in.exec(w, in, em)
	w.gpc++
}

// deadlock reports why no thread of the CTA can move and stops the CTA.
func (c *ctaRun) deadlock() {
	exited := c.l.nthread - c.live
	for id := range c.bars {
		b := &c.bars[id]
		if b.waiting == 0 {
			continue
		}
		w, l := c.firstAt(func(w *warp, l int) bool { return w.bar&(1<<l) != 0 && w.pc[l] == b.pc })
		others := c.whereOthers(b.pc)
		want := b.count
		if want == 0 {
			want = c.l.nthread
		}
		c.report(BarrierDivergence, w, &c.l.mod.prog[b.pc], l, 0, spGeneric,
			"barrier %d never completes: %d of %d threads arrived, %d exited%s", id, b.arrived, want, exited, others)
	}
	for _, w := range c.warps {
		if w.park != 0 {
			l := bits.TrailingZeros32(w.park)
			in := &c.l.mod.prog[w.pc[l]]
			if in.ctl == ctlWarpgroup {
				c.report(WarpgroupDivergence, w, in, l, 0, spGeneric, "warpgroup collective never completes: warp %d waits for the other warps of warpgroup %d%s", w.id, w.id/4, c.whereOthers(w.pc[l]))
				continue
			}
			c.report(WarpDivergence, w, in, l, 0, spGeneric, "warp collective never completes: lanes %#08x wait, live lanes %#08x%s", w.park, w.live, c.whereOthers(w.pc[l]))
		}
	}
	c.mbarDeadlock()
	c.abort = true
}

func (c *ctaRun) firstAt(f func(w *warp, l int) bool) (*warp, int) {
	for _, w := range c.warps {
		for m := w.live; m != 0; m &= m - 1 {
			if l := bits.TrailingZeros32(m); f(w, l) {
				return w, l
			}
		}
	}
	return c.warps[0], 0
}

// whereOthers lists where the live threads not at pc wait.
func (c *ctaRun) whereOthers(pc int32) string {
	lines := map[int32]int{}
	for _, w := range c.warps {
		for m := w.live; m != 0; m &= m - 1 {
			l := bits.TrailingZeros32(m)
			if w.pc[l] != pc {
				lines[c.l.mod.prog[w.pc[l]].line]++
			}
		}
	}
	if len(lines) == 0 {
		return ""
	}
	keys := make([]int, 0, len(lines))
	for k := range lines {
		keys = append(keys, int(k))
	}
	sort.Ints(keys)
	s := "; other threads wait at"
	for i, k := range keys {
		if i == 3 {
			s += " ..."
			break
		}
		s += fmt.Sprintf(" line %d (%d)", k, lines[int32(k)])
	}
	return s
}
