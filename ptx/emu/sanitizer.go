package emu

import "fmt"

// FindingKind classifies a sanitizer finding.
type FindingKind uint8

// Finding kinds.
const (
	OutOfBounds         FindingKind = iota // access outside any allocation or the shared/local/param area
	Misaligned                             // address not a multiple of the access size
	SharedRace                             // two threads touch a shared byte between barriers, one writing
	UninitializedShared                    // read of a shared byte no thread of the CTA wrote
	BarrierDivergence                      // a barrier that not all threads reach, or reached at different instructions
	WarpDivergence                         // a warp collective whose lanes do not all arrive or disagree
	AsyncCopyRace                          // read of a cp.async destination before its wait
	ReadOnlyWrite                          // store or atomic to .const memory or kernel parameters
	Trap                                   // trap instruction
	StepLimit                              // the CTA ran past Options.MaxSteps
	TensorCopyRace                         // access to shared bytes a bulk tensor copy has not landed (before its mbarrier phase completed)
	WgmmaRace                              // a wgmma accumulator register used before the wgmma.wait_group that retires it
	ProxyFenceMissing                      // async proxy (wgmma, bulk copy) reads shared bytes written by generic stores without fence.proxy.async
	MbarrierMisuse                         // mbarrier tx-count underflow, arrivals beyond the count, use before init, bad count
	WarpgroupDivergence                    // wgmma by a partial warpgroup, or warps of one warpgroup that disagree
	BadTensorMap                           // a bulk tensor copy's tensor map is not a valid encoded tensor map
	numFindingKinds
)

var findingNames = [numFindingKinds]string{
	"out-of-bounds", "misaligned", "shared-race", "uninitialized-shared-read",
	"barrier-divergence", "warp-divergence", "cp.async-race", "read-only-write", "trap", "step-limit",
	"tma-race", "wgmma-race", "missing-proxy-fence", "mbarrier-misuse", "warpgroup-divergence", "bad-tensor-map",
}

// String returns the kind's report name, e.g. "shared-race".
func (k FindingKind) String() string {
	if k < numFindingKinds {
		return findingNames[k]
	}
	return fmt.Sprintf("finding%d", k)
}

// MarshalText makes kinds print by name in JSON.
func (k FindingKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Finding is one sanitizer report.
type Finding struct {
	Kind   FindingKind
	Kernel string
	CTA    [3]uint32 // %ctaid
	Thread [3]uint32 // %tid
	Line   int       // PTX source line of the instruction
	Inst   string    // the instruction's text
	Space  string    `json:",omitempty"` // state space of a memory access
	Addr   uint64    `json:",omitempty"` // address in that space
	Detail string

	ctaLinear uint64
	order     int
}

// String formats the finding on one line.
func (f Finding) String() string {
	s := fmt.Sprintf("%s: kernel %s, CTA (%d,%d,%d), thread (%d,%d,%d), line %d: %s",
		f.Kind, f.Kernel, f.CTA[0], f.CTA[1], f.CTA[2], f.Thread[0], f.Thread[1], f.Thread[2], f.Line, f.Detail)
	if f.Inst != "" {
		s += "  [" + f.Inst + "]"
	}
	return s
}

// report records a finding for lane of w at instruction in.
func (c *ctaRun) report(kind FindingKind, w *warp, in *inst, lane int, addr uint64, sp space, format string, args ...any) {
	c.nfindings++
	if len(c.findings) >= c.l.dev.opts.MaxFindings {
		return
	}
	b := c.l.cfg.Block
	t := uint32(w.id*32 + lane)
	f := Finding{
		Kind: kind, Kernel: c.l.fn.name, CTA: c.id,
		Thread: [3]uint32{t % b[0], t / b[0] % b[1], t / (b[0] * b[1])},
		Line:   int(in.line), Inst: in.text, Addr: addr,
		Detail: fmt.Sprintf(format, args...), ctaLinear: c.linear, order: c.order,
	}
	switch kind {
	case OutOfBounds, Misaligned, SharedRace, UninitializedShared, AsyncCopyRace, ReadOnlyWrite,
		TensorCopyRace, ProxyFenceMissing, MbarrierMisuse, BadTensorMap:
		f.Space = sp.String()
	}
	c.order++
	c.findings = append(c.findings, f)
}

// shadowByte is the sanitizer's record of one byte of shared memory.
// Entries are valid only for the epoch they name, and epochs never repeat
// on a worker, so nothing is cleared at barriers or between CTAs.
type shadowByte struct {
	gen          uint32 // CTA generation of the last write (initialized iff == c.gen)
	wEp, wSeq    uint32 // last write: epoch, instruction sequence number
	r1Ep, r1Seq  uint32 // most recent reader
	r2Ep, r2Seq  uint32 // most recent reader other than r1's thread
	wTid         int32
	r1Tid, r2Tid int32
	pending      uint32 // cp.async copies in flight into this byte, plus tmaPending per bulk tensor copy
}

// tmaPending is the shadowByte.pending increment of a bulk tensor copy not
// yet landed (cp.async copies count 1 each).
const tmaPending = 1 << 16

// conflicts reports whether an earlier access by thread ptid at sequence
// number pseq is unordered with the current access by thread tid of w.
func (c *ctaRun) conflicts(ptid int32, pseq uint32, tid int32, w *warp) bool {
	if ptid == tid {
		return false
	}
	if ptid>>5 == tid>>5 {
		// Same warp: same instruction, or a collective in between.
		if pseq == c.seq || pseq < w.lastSync {
			return false
		}
	}
	return true
}

// checkShared records a shared access of n bytes at off by lane of w and
// reports races, uninitialized reads and reads of pending cp.async data.
// It reports at most one finding per access.
func (c *ctaRun) checkShared(w *warp, in *inst, lane int, off uint64, n int, write bool) {
	tid := w.tid(lane)
	ep := c.epoch
	sh := c.shadow[off : off+uint64(n)]
	reported := false
	for i := range sh {
		s := &sh[i]
		if !reported {
			reported = c.checkByte(w, in, lane, off+uint64(i), s, tid, write)
		}
		if write {
			s.gen = c.gen
			s.wEp, s.wSeq, s.wTid = ep, c.seq, tid
			continue
		}
		switch {
		case s.r1Ep == ep && s.r1Tid == tid:
			s.r1Seq = c.seq
		case s.r1Ep == ep:
			s.r2Ep, s.r2Seq, s.r2Tid = s.r1Ep, s.r1Seq, s.r1Tid
			s.r1Seq, s.r1Tid = c.seq, tid
		default:
			s.r1Ep, s.r1Seq, s.r1Tid = ep, c.seq, tid
		}
	}
}

func (c *ctaRun) checkByte(w *warp, in *inst, lane int, addr uint64, s *shadowByte, tid int32, write bool) bool {
	ep := c.epoch
	other := func(t int32) string {
		b := c.l.cfg.Block
		return fmt.Sprintf("thread (%d,%d,%d)", uint32(t)%b[0], uint32(t)/b[0]%b[1], uint32(t)/(b[0]*b[1]))
	}
	if s.pending >= tmaPending {
		verb := "read of"
		if write {
			verb = "write to"
		}
		c.report(TensorCopyRace, w, in, lane, addr, spShared, "%s a bulk tensor copy destination before the copy landed (before its mbarrier phase completed)", verb)
		return true
	}
	if !write && s.pending != 0 {
		c.report(AsyncCopyRace, w, in, lane, addr, spShared, "read of a cp.async destination before cp.async.wait_group")
		return true
	}
	if !write && s.gen != c.gen {
		c.report(UninitializedShared, w, in, lane, addr, spShared, "read of shared memory that no thread of this CTA has written")
		return true
	}
	if s.wEp == ep && c.conflicts(s.wTid, s.wSeq, tid, w) {
		verb := "reads"
		if write {
			verb = "writes"
		}
		c.report(SharedRace, w, in, lane, addr, spShared, "%s a byte that %s wrote with no barrier in between", verb, other(s.wTid))
		return true
	}
	if write {
		for _, r := range [2]struct {
			ep, seq uint32
			tid     int32
		}{{s.r1Ep, s.r1Seq, s.r1Tid}, {s.r2Ep, s.r2Seq, s.r2Tid}} {
			if r.ep == ep && c.conflicts(r.tid, r.seq, tid, w) {
				c.report(SharedRace, w, in, lane, addr, spShared, "writes a byte that %s read with no barrier in between", other(r.tid))
				return true
			}
		}
	}
	return false
}
