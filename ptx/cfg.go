package ptx

import (
	"fmt"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/value"
)

// buildCFG makes the output blocks: one per reachable LLVM block, plus an
// edge-split block on every edge that carries phi copies but leaves a
// block with two successors. It then lays the blocks out in reverse
// postorder, so every block comes after its dominators and values are
// always lowered before their uses.
func (f *fn) buildCFG() error {
	f.byIR = map[*ir.Block]*block{}
	for _, b := range f.f.Blocks {
		f.byIR[b] = &block{b: b}
	}
	for _, b := range f.f.Blocks {
		targets, err := termTargets(b.Term)
		if err != nil {
			return f.instErr(b.Term, err)
		}
		ob := f.byIR[b]
		for _, t := range targets {
			ob.succs = append(ob.succs, f.byIR[t])
		}
	}
	entry := f.byIR[f.f.Blocks[0]]
	reach := map[*block]bool{}
	var walk func(b *block)
	walk = func(b *block) {
		if reach[b] {
			return
		}
		reach[b] = true
		for _, s := range b.succs {
			walk(s)
		}
	}
	walk(entry)
	for _, b := range f.f.Blocks {
		ob := f.byIR[b]
		if !reach[ob] {
			continue
		}
		for _, s := range ob.succs {
			s.preds = append(s.preds, ob)
		}
	}
	if len(entry.preds) > 0 {
		return fmt.Errorf("ptx: function %s: the entry block has predecessors", f.f.Ident())
	}
	// Split the edges whose phi copies have no block of their own.
	for _, b := range f.f.Blocks {
		p := f.byIR[b]
		if !reach[p] || len(p.succs) < 2 {
			continue
		}
		for i, s := range p.succs {
			if len(s.preds) < 2 || !hasPhis(s.b) {
				continue
			}
			x := &block{from: p, succs: []*block{s}, preds: []*block{p}}
			p.succs[i] = x
			for j, q := range s.preds {
				if q == p {
					s.preds[j] = x
					break
				}
			}
		}
	}
	// Reverse postorder. Successors are visited last-first so the first
	// successor (the "then" side of a branch) is laid out right after its
	// predecessor.
	seen := map[*block]bool{}
	var post []*block
	var dfs func(b *block)
	dfs = func(b *block) {
		seen[b] = true
		for i := len(b.succs) - 1; i >= 0; i-- {
			if s := b.succs[i]; !seen[s] {
				dfs(s)
			}
		}
		post = append(post, b)
	}
	dfs(entry)
	for i := len(post) - 1; i >= 0; i-- {
		b := post[i]
		b.index = len(f.blocks)
		f.blocks = append(f.blocks, b)
	}
	return nil
}

// termTargets lists the distinct successors of a supported terminator. A
// branch on a constant, or with both targets equal, has one successor.
func termTargets(t ir.Terminator) ([]*ir.Block, error) {
	switch t := t.(type) {
	case *ir.TermRet, *ir.TermUnreachable:
		return nil, nil
	case *ir.TermBr:
		return []*ir.Block{t.Target.(*ir.Block)}, nil
	case *ir.TermCondBr:
		tt, ft := t.TargetTrue.(*ir.Block), t.TargetFalse.(*ir.Block)
		if c, ok := t.Cond.(*constant.Int); ok {
			if c.X.Sign() != 0 {
				return []*ir.Block{tt}, nil
			}
			return []*ir.Block{ft}, nil
		}
		if tt == ft {
			return []*ir.Block{tt}, nil
		}
		return []*ir.Block{tt, ft}, nil
	}
	return nil, fmt.Errorf("unsupported terminator %q", opcodeOf(t))
}

func hasPhis(b *ir.Block) bool {
	if b == nil || len(b.Insts) == 0 {
		return false
	}
	_, ok := b.Insts[0].(*ir.InstPhi)
	return ok
}

// lowerPhi gives a phi its parts. In a block with one predecessor the phi
// is that predecessor's value and shares its parts; otherwise it gets fresh
// registers, written by the copies on each incoming edge (edgeCopies).
func lowerPhi(f *fn, inst ir.Instruction) error {
	phi := inst.(*ir.InstPhi)
	b := f.cur
	if len(b.preds) == 1 {
		v, err := incomingFor(phi, b.preds[0])
		if err != nil {
			return err
		}
		p, err := f.parts(v)
		if err != nil {
			return err
		}
		f.def(phi, p)
		return nil
	}
	_, err := f.phiRegs(phi)
	return err
}

// phiRegs returns (allocating on first use) the registers of a phi that
// is the target of edge copies. A predecessor may be lowered before the
// phi's block, so its copies allocate them.
func (f *fn) phiRegs(phi *ir.InstPhi) ([]opnd, error) {
	if p, ok := f.vals[phi]; ok {
		return p, nil
	}
	ks, err := flatten(phi.Typ)
	if err != nil {
		return nil, err
	}
	p := f.newRegs(ks)
	f.def(phi, p)
	return p, nil
}

// incomingFor finds a phi's value for the edge from p.
func incomingFor(phi *ir.InstPhi, p *block) (value.Value, error) {
	want := p.irPred()
	for _, inc := range phi.Incs {
		if inc.Pred.(*ir.Block) == want {
			return inc.X, nil
		}
	}
	return nil, fmt.Errorf("phi %s has no incoming value for %s", phi.Ident(), want.Ident())
}

// edgeCopies emits, at the end of p, the parallel copy that sets the phis
// of s for the edge p -> s, sequentialized (see sequentialize). p has s as
// its only successor, so the copies run on that edge only.
func (f *fn) edgeCopies(p, s *block) error {
	if s.b == nil || len(s.preds) < 2 {
		return nil
	}
	var copies []pcopy
	for _, inst := range s.b.Insts {
		phi, ok := inst.(*ir.InstPhi)
		if !ok {
			break
		}
		v, err := incomingFor(phi, p)
		if err != nil {
			return f.instErr(phi, err)
		}
		if isUndef(v) {
			continue
		}
		dst, err := f.phiRegs(phi)
		if err != nil {
			return f.instErr(phi, err)
		}
		src, err := f.parts(v)
		if err != nil {
			return f.instErr(phi, err)
		}
		for i := range dst {
			copies = append(copies, pcopy{dst: dst[i], src: src[i]})
		}
	}
	for _, c := range sequentialize(copies, f.newReg) {
		f.move(c.dst, c.src)
	}
	return f.err
}

func isUndef(v value.Value) bool {
	switch v.(type) {
	case *constant.Undef, *constant.Poison:
		return true
	}
	return false
}

// lowerTerm lowers a block's terminator: phi copies for a single
// successor, then the branch, return or trap.
func (f *fn) lowerTerm(b *block) error {
	switch t := b.b.Term.(type) {
	case *ir.TermRet:
		if t.X != nil {
			if err := f.storeRet(t.X); err != nil {
				return f.instErr(t, err)
			}
		}
		f.emit("ret")
		return f.err
	case *ir.TermUnreachable:
		// Reaching it is undefined behaviour; trap says so loudly.
		f.emit("trap")
		return nil
	}
	if len(b.succs) == 1 {
		if err := f.edgeCopies(b, b.succs[0]); err != nil {
			return err
		}
		f.branch(b, nil)
		return nil
	}
	cond, err := f.one(b.b.Term.(*ir.TermCondBr).Cond)
	if err == nil && cond.k != kI1 {
		err = fmt.Errorf("branch condition is %s, not i1", cond.k)
	}
	if err != nil {
		return f.instErr(b.b.Term, err)
	}
	f.branch(b, &cond)
	return nil
}

// branch ends a block: fall through to the next block in the layout where
// possible, else bra (predicated on cond for a two-way branch).
func (f *fn) branch(b *block, cond *opnd) {
	var next *block
	if b.index+1 < len(f.blocks) {
		next = f.blocks[b.index+1]
	}
	bra := func(pred string, to *block) {
		to.targeted = true
		if pred == "" {
			f.line("\tbra.uni \t" + f.label(to) + ";")
		} else {
			f.line("\t@" + pred + " bra \t" + f.label(to) + ";")
		}
	}
	if cond == nil {
		if b.succs[0] != next {
			bra("", b.succs[0])
		}
		return
	}
	p := f.reg(*cond)
	t, e := b.succs[0], b.succs[1]
	switch {
	case e == next:
		bra(p, t)
	case t == next:
		bra("!"+p, e)
	default:
		bra(p, t)
		bra("", e)
	}
}
