package codegen

import (
	"fmt"

	"github.com/tilec/tilec/codegen/layout"
	"github.com/tilec/tilec/ir"
)

// Layout assignment decides, for every tile value, which layouts it must be
// computed in. Two kinds of values:
//
//   - Anchored values have one primary layout, chosen where the data comes
//     from: a load's coalesced blocked layout, a dot's accumulator layout, a
//     reduction's slice of its operand, a loop-carried value's layout (a
//     fixed point over the loop body). An elementwise op with an anchored
//     operand takes its layout (the first "strong" one: a layout chosen on
//     purpose beats a fallback).
//   - Polymorphic values (constants, aranges, splats, and elementwise math
//     or views of those; and views — expand_dims, broadcast, reshape, trans
//     — of anything) are computed in whatever layouts their users need: an
//     index computation costs less to redo per layout than to move through
//     shared memory, and a view costs nothing in the right layout.
//
// Then every use states the layout it needs (needs); a need on a
// polymorphic value becomes a need on its operands in the derived layout,
// and a need on an anchored value in another layout becomes a conversion
// (free when the same elements sit in other registers, else through shared
// memory), emitted once right after the value is defined.
type assignment struct {
	numWarps int
	mma      bool // dot of f16/bf16 uses mma.sync (sm_80+)
	primary  map[*ir.Value]*layout.Linear
	strong   map[*ir.Value]bool
	poly     map[*ir.Value]bool
	pref     map[*ir.Value]*layout.Linear // a polymorphic value's natural layout, when it has one
	needs    map[*ir.Value][]*layout.Linear
	// opLayout records per-op choices: the layout a store or a reduce
	// operates in, the operand layouts of a dot.
	opLayout map[*ir.Op][]*layout.Linear
	intern   map[string]*layout.Linear
	// carried maps a loop's carried block pointers (body arguments and
	// results) to their initial values, so a block load inside the loop
	// finds the make_block_ptr and its order.
	carried map[*ir.Value]*ir.Value
}

func newAssignment(numWarps int, mma bool) *assignment {
	return &assignment{numWarps: numWarps, mma: mma,
		primary: map[*ir.Value]*layout.Linear{}, strong: map[*ir.Value]bool{}, poly: map[*ir.Value]bool{},
		pref: map[*ir.Value]*layout.Linear{}, needs: map[*ir.Value][]*layout.Linear{},
		opLayout: map[*ir.Op][]*layout.Linear{}, intern: map[string]*layout.Linear{}, carried: map[*ir.Value]*ir.Value{}}
}

// traceCarried records where f's loop-carried block pointers start.
func (a *assignment) traceCarried(b *ir.Block) {
	for _, op := range b.Ops {
		for _, r := range op.Regions {
			a.traceCarried(r)
		}
		if op.Code != ir.OpFor {
			continue
		}
		body := op.Regions[0]
		for i, init := range op.Args[3:] {
			if init.Type.Kind == ir.KindBlockPtr {
				a.carried[body.Args[1+i]] = init
				a.carried[op.Results[i]] = init
			}
		}
	}
}

// canon interns a layout so equal layouts are one pointer.
func (a *assignment) canon(l *layout.Linear) *layout.Linear {
	if l == nil {
		return nil
	}
	k := l.Key()
	if c, ok := a.intern[k]; ok {
		// An accumulator layout can equal an A-operand layout; remember
		// the operand role, which tells the conversion to use ldmatrix.
		if l.Frag != nil && l.Frag.Operand != 'C' && (c.Frag == nil || c.Frag.Operand == 'C') {
			c.Frag = l.Frag
		}
		return c
	}
	a.intern[k] = l
	return l
}

func isTile(v *ir.Value) bool { return v.Type.IsTile() }

func shapeOf(t ir.Type) []int { return t.Shape.Ints() }

// elemBytes is the size of a tile's elements in registers and memory.
func elemBytes(t ir.Type) int {
	if t.Kind == ir.KindPtr {
		return 8
	}
	return t.Elem.Size()
}

// defaultFor is the blocked layout for a tile of type t: 16 bytes per
// thread along the last dim. A pointer tile takes its pointee's size, so
// that a load through it gets 16-byte runs of what it loads (a pointer
// tile carried by a loop keeps this layout, and its loads theirs).
func (a *assignment) defaultFor(t ir.Type) *layout.Linear {
	esz := elemBytes(t)
	if t.Kind == ir.KindPtr {
		esz = t.Elem.Size()
	}
	return a.canon(layout.DefaultBlocked(shapeOf(t), a.numWarps, esz))
}

// layoutOf is v's primary layout, or a polymorphic value's preference.
func (a *assignment) layoutOf(v *ir.Value) *layout.Linear {
	if l := a.primary[v]; l != nil {
		return l
	}
	return a.pref[v]
}

func (a *assignment) anchor(v *ir.Value, l *layout.Linear, strong bool) {
	a.primary[v] = a.canon(l)
	a.strong[v] = strong
	delete(a.poly, v)
	delete(a.pref, v)
}

func (a *assignment) setPoly(v *ir.Value, pref *layout.Linear) {
	a.poly[v] = true
	delete(a.primary, v)
	if pref != nil {
		a.pref[v] = a.canon(pref)
	} else {
		delete(a.pref, v)
	}
}

// run assigns layouts to f's values and collects every use's needs.
func (a *assignment) run(f *ir.Func) error {
	if err := a.forwardBlock(f.Body); err != nil {
		return err
	}
	return a.needsBlock(f.Body)
}

func (a *assignment) forwardBlock(b *ir.Block) error {
	for _, op := range b.Ops {
		if err := a.forward(op); err != nil {
			return err
		}
	}
	return nil
}

// forward decides the layouts of op's results from its operands'.
func (a *assignment) forward(op *ir.Op) error {
	if len(op.Results) == 0 && len(op.Regions) == 0 {
		return nil
	}
	res := op.Results
	switch op.Code {
	case ir.OpConstant, ir.OpArange, ir.OpSplat:
		if isTile(res[0]) {
			a.setPoly(res[0], nil)
		}
	case ir.OpExpandDims, ir.OpBroadcast, ir.OpReshape, ir.OpTrans:
		var pref *layout.Linear
		if l := a.layoutOf(op.Args[0]); l != nil {
			switch op.Code {
			case ir.OpExpandDims:
				pref = l.ExpandDims(op.Int("axis"))
			case ir.OpReshape:
				pref = l.Reshape(shapeOf(res[0].Type))
			case ir.OpTrans:
				pref = l.Permute(op.Ints("perm"))
			}
		}
		a.setPoly(res[0], pref)
	case ir.OpLoad, ir.OpAtomicRMW, ir.OpAtomicCAS:
		if !isTile(res[0]) {
			return nil
		}
		l := a.layoutOf(op.Args[0])
		if l == nil {
			l = a.defaultFor(res[0].Type)
		}
		a.anchor(res[0], l, true)
	case ir.OpBlockLoad:
		a.anchor(res[0], a.blockLayout(op), true)
	case ir.OpDot:
		c, _, _, err := a.dotLayouts(op)
		if err != nil {
			return err
		}
		a.anchor(res[0], c, true)
	case ir.OpReduce:
		x := a.layoutOf(op.Args[0])
		if x == nil {
			x = a.defaultFor(op.Args[0].Type)
		}
		a.opLayout[op] = []*layout.Linear{x}
		for _, r := range res {
			if isTile(r) {
				a.anchor(r, x.Slice(op.Int("axis")), true)
			}
		}
	case ir.OpScan:
		x := a.scanLayout(op.Args[0].Type, op.Int("axis"))
		a.opLayout[op] = []*layout.Linear{x}
		for _, r := range res {
			a.anchor(r, x, true)
		}
	case ir.OpJoin:
		x := a.layoutOf(op.Args[0])
		if x == nil {
			x = a.layoutOf(op.Args[1])
		}
		if x == nil {
			x = a.defaultFor(op.Args[0].Type)
		}
		a.anchor(res[0], joinLayout(x), true)
	case ir.OpSplit:
		x := a.splitLayout(op.Args[0])
		a.opLayout[op] = []*layout.Linear{x}
		for _, r := range res {
			a.anchor(r, x.Slice(x.Rank()-1), true)
		}
	case ir.OpFor:
		return a.loop(op, op.Args[3:], op.Regions[0], op.Regions[0].Args[1:], op.Regions[0])
	case ir.OpWhile:
		return a.while(op)
	case ir.OpIf:
		for _, r := range op.Regions {
			if err := a.forwardBlock(r); err != nil {
				return err
			}
		}
		then := op.Regions[0].Terminator()
		for i, r := range res {
			if !isTile(r) {
				continue
			}
			l, strong := a.layoutOf(then.Args[i]), a.strong[then.Args[i]]
			if l == nil {
				l, strong = a.defaultFor(r.Type), false
			}
			a.anchor(r, l, strong)
		}
	default:
		if op.Info().Elem != nil || op.Code == ir.OpAddPtr {
			a.elementwise(op)
			return nil
		}
		for _, r := range res {
			if isTile(r) {
				a.anchor(r, a.defaultFor(r.Type), false)
			}
		}
	}
	return nil
}

// elementwise gives the result the layout of its first strong anchored
// operand, else its first anchored one, else keeps it polymorphic.
func (a *assignment) elementwise(op *ir.Op) {
	r := op.Results[0]
	if !isTile(r) {
		return
	}
	var weak *layout.Linear
	var pref *layout.Linear
	for _, x := range op.Args {
		if !isTile(x) {
			continue
		}
		if l := a.primary[x]; l != nil {
			if a.strong[x] {
				a.anchor(r, l, true)
				return
			}
			if weak == nil {
				weak = l
			}
		} else if pref == nil {
			pref = a.pref[x]
		}
	}
	if weak != nil {
		a.anchor(r, weak, false)
		return
	}
	a.setPoly(r, pref)
}

// loop finds a fixed point for loop-carried layouts: start from the inits'
// layouts (a default where they have none), run the body, and adopt what it
// yields until nothing changes.
func (a *assignment) loop(op *ir.Op, inits []*ir.Value, body *ir.Block, args []*ir.Value, yieldBlock *ir.Block) error {
	ls := make([]*layout.Linear, len(args))
	strong := make([]bool, len(args))
	for i, x := range inits {
		if !isTile(x) {
			continue
		}
		ls[i], strong[i] = a.layoutOf(x), a.strong[x] && a.primary[x] != nil
		if ls[i] == nil {
			ls[i] = a.defaultFor(x.Type)
		}
	}
	for iter := 0; ; iter++ {
		for i, arg := range args {
			if ls[i] != nil {
				a.anchor(arg, ls[i], strong[i])
			}
		}
		if err := a.forwardBlock(body); err != nil {
			return err
		}
		if yieldBlock != body {
			if err := a.forwardBlock(yieldBlock); err != nil {
				return err
			}
		}
		y := yieldBlock.Terminator()
		changed := false
		for i := range args {
			if ls[i] == nil {
				continue
			}
			l := a.layoutOf(y.Args[i])
			if l != nil && l != ls[i] && (a.strong[y.Args[i]] || !strong[i]) {
				ls[i], strong[i] = l, a.strong[y.Args[i]]
				changed = true
			}
		}
		if !changed || iter == 4 {
			break
		}
	}
	for i, r := range op.Results {
		if ls[i] != nil && op.Code == ir.OpFor {
			a.anchor(r, ls[i], strong[i])
		}
	}
	return nil
}

func (a *assignment) while(op *ir.Op) error {
	before, after := op.Regions[0], op.Regions[1]
	// The values passed from the first region to the second and out.
	if err := a.loop(op, op.Args, before, before.Args, after); err != nil {
		return err
	}
	cond := before.Terminator()
	for i, r := range op.Results {
		if !isTile(r) {
			continue
		}
		l := a.layoutOf(cond.Args[1+i])
		if l == nil {
			l = a.defaultFor(r.Type)
		}
		a.anchor(r, l, true)
		a.anchor(after.Args[i], l, true)
	}
	// Rerun the second region with its arguments fixed.
	return a.forwardBlock(after)
}

// blockLayout is a block load's layout: coalesced along the block
// pointer's fastest dim.
func (a *assignment) blockLayout(op *ir.Op) *layout.Linear {
	return a.coalesced(op.Results[0].Type, op.Args[0])
}

// coalesced is the layout of a t tile at block pointer bp whose lanes
// walk the pointer's fastest dim, each thread holding a 16-byte run.
func (a *assignment) coalesced(t ir.Type, bp *ir.Value) *layout.Linear {
	order := []int(nil)
	if def := a.blockPtrDef(bp); def != nil {
		order = def.Ints("order")
	}
	shape := shapeOf(t)
	if len(order) != len(shape) || order[0] == len(shape)-1 {
		return a.defaultFor(t)
	}
	// Coalesce along a dim other than the last: permute so it is last,
	// take the default layout, permute back.
	perm := make([]int, 0, len(shape)) // perm[i] = dim of shape placed at i
	for i := len(order) - 1; i >= 0; i-- {
		perm = append(perm, order[i])
	}
	ps := make([]int, len(shape))
	for i, d := range perm {
		ps[i] = shape[d]
	}
	l := layout.DefaultBlocked(ps, a.numWarps, elemBytes(t))
	inv := make([]int, len(perm))
	for i, d := range perm {
		inv[d] = i
	}
	return a.canon(l.Permute(inv))
}

// blockPtrDef follows advances and loops back to the make_block_ptr.
func (a *assignment) blockPtrDef(v *ir.Value) *ir.Op {
	for v.Def != nil || a.carried[v] != nil {
		if v.Def == nil || v.Def.Code == ir.OpFor {
			v = a.carried[v]
			continue
		}
		switch v.Def.Code {
		case ir.OpMakeBlockPtr:
			return v.Def
		case ir.OpAdvance:
			v = v.Def.Args[0]
		default:
			return nil
		}
	}
	return nil
}

// dotLayouts returns the accumulator and operand layouts of a dot and
// whether it uses mma.sync.
func (a *assignment) dotLayouts(op *ir.Op) (c, la, lb *layout.Linear, err error) {
	at, bt := op.Args[0].Type, op.Args[1].Type
	m, k, n := at.Shape.Dims[0].N, at.Shape.Dims[1].N, bt.Shape.Dims[1].N
	if ls, ok := a.opLayout[op]; ok {
		return ls[0], ls[1], ls[2], nil
	}
	if a.mma && (at.Elem == ir.F16 || at.Elem == ir.BF16) {
		w := layout.MMAWarps(m, n, a.numWarps)
		if c, err = layout.MMA(m, n, w, a.numWarps); err != nil {
			return nil, nil, nil, err
		}
		if la, err = layout.DotA(m, k, w, a.numWarps); err != nil {
			return nil, nil, nil, err
		}
		if lb, err = layout.DotB(k, n, w, a.numWarps); err != nil {
			return nil, nil, nil, err
		}
	} else {
		c = layout.DefaultBlocked([]int{m, n}, a.numWarps, 4)
		la, lb = layout.DotFMA(c, 0, k), layout.DotFMA(c, 1, k)
	}
	ls := []*layout.Linear{a.canon(c), a.canon(la), a.canon(lb)}
	a.opLayout[op] = ls
	return ls[0], ls[1], ls[2], nil
}

// scanLayout puts the scanned dim's low bits in registers, then lanes,
// then warps, which the scan lowering needs: a blocked layout with that
// dim fastest.
func (a *assignment) scanLayout(t ir.Type, axis int) *layout.Linear {
	shape := shapeOf(t)
	r := len(shape)
	order := []int{axis}
	for d := r - 1; d >= 0; d-- {
		if d != axis {
			order = append(order, d)
		}
	}
	threads := layout.WarpSize * a.numWarps
	spt, tpw, wpc := ones(r), ones(r), ones(r)
	spt[axis] = max(1, shape[axis]/threads)
	lanes := layout.WarpSize
	for _, d := range order {
		t := min(lanes, max(shape[d]/spt[d], 1))
		tpw[d] = t
		lanes /= t
	}
	tpw[order[r-1]] *= lanes
	warps := a.numWarps
	for _, d := range order {
		w := min(warps, max(shape[d]/(spt[d]*tpw[d]), 1))
		wpc[d] = w
		warps /= w
	}
	wpc[order[r-1]] *= warps
	l, err := layout.Blocked(shape, spt, tpw, wpc, order)
	if err != nil {
		panic(fmt.Sprintf("codegen: scan layout for %v: %v", shape, err))
	}
	return a.canon(l)
}

func ones(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

// joinLayout is the layout of join(x, y) for operands in x: the new last
// dim of size 2 is register bit 0, so the pairs sit in adjacent registers.
func joinLayout(x *layout.Linear) *layout.Linear {
	e := x.ExpandDims(x.Rank())
	e.Shape[len(e.Shape)-1] = 2
	bit := make([]int, len(e.Shape))
	bit[len(bit)-1] = 1
	e.Regs = append([][]int{bit}, e.Regs...)
	e.Name = fmt.Sprintf("join<%s>", x)
	return e
}

// splitLayout is a layout of split's operand with the last dim (size 2) in
// a register bit: the operand's own when it has that, else the default.
func (a *assignment) splitLayout(x *ir.Value) *layout.Linear {
	if l := a.layoutOf(x); l != nil {
		last := l.Rank() - 1
		for _, b := range l.Regs {
			if b[last] == 1 {
				return l
			}
		}
	}
	l := a.defaultFor(x.Type) // the last dim of size 2 is register bit 0 for elements of at most 8 bytes
	return l
}

// --- needs ------------------------------------------------------------------

func (a *assignment) needsBlock(b *ir.Block) error {
	for _, op := range b.Ops {
		if err := a.needsOp(op); err != nil {
			return err
		}
		for _, r := range op.Regions {
			if err := a.needsBlock(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// need records that v must be available in layout l.
func (a *assignment) need(v *ir.Value, l *layout.Linear) {
	if !isTile(v) || l == nil {
		return
	}
	l = a.canon(l)
	if a.primary[v] == l {
		return
	}
	for _, x := range a.needs[v] {
		if x == l {
			return
		}
	}
	a.needs[v] = append(a.needs[v], l)
	if !a.poly[v] {
		return
	}
	// A polymorphic value needs its operands in the derived layouts.
	op := v.Def
	switch op.Code {
	case ir.OpConstant, ir.OpArange, ir.OpSplat:
	case ir.OpExpandDims:
		a.need(op.Args[0], l.DropDim(op.Int("axis")))
	case ir.OpBroadcast:
		a.need(op.Args[0], l.Restrict(shapeOf(op.Args[0].Type)))
	case ir.OpReshape:
		a.need(op.Args[0], l.Reshape(shapeOf(op.Args[0].Type)))
	case ir.OpTrans:
		perm := op.Ints("perm")
		inv := make([]int, len(perm))
		for i, p := range perm {
			inv[p] = i
		}
		a.need(op.Args[0], l.Permute(inv))
	default:
		for _, x := range op.Args {
			a.need(x, l)
		}
	}
}

// layoutOrDefault is v's layout for a use that has no preference.
func (a *assignment) layoutOrDefault(v *ir.Value) *layout.Linear {
	if !isTile(v) {
		return nil
	}
	if l := a.layoutOf(v); l != nil {
		return l
	}
	return a.defaultFor(v.Type)
}

func (a *assignment) needsOp(op *ir.Op) error {
	switch op.Code {
	case ir.OpConstant, ir.OpArange, ir.OpSplat, ir.OpExpandDims, ir.OpBroadcast, ir.OpReshape, ir.OpTrans:
		// Polymorphic: their needs come from their users.
	case ir.OpLoad, ir.OpAtomicRMW, ir.OpAtomicCAS:
		l := a.primary[op.Results[0]]
		if l == nil { // a scalar access
			return nil
		}
		for _, x := range op.Args {
			a.need(x, l)
		}
	case ir.OpStore:
		if !isTile(op.Args[0]) {
			return nil
		}
		l := a.layoutOf(op.Args[1])
		if l == nil {
			l = a.layoutOrDefault(op.Args[0])
		}
		if l.Frag != nil {
			// As for block stores: an mma fragment holds pairs of
			// elements per row; store 16-byte runs instead.
			l = a.defaultFor(op.Args[0].Type)
		}
		a.opLayout[op] = []*layout.Linear{a.canon(l)}
		for _, x := range op.Args {
			a.need(x, l)
		}
	case ir.OpBlockStore:
		l := a.layoutOrDefault(op.Args[1])
		if l.Frag != nil {
			// An mma fragment holds pairs of elements per row: store
			// through a conversion to 16-byte runs instead.
			l = a.coalesced(op.Args[1].Type, op.Args[0])
		}
		a.opLayout[op] = []*layout.Linear{a.canon(l)}
		a.need(op.Args[1], l)
	case ir.OpDot:
		c, la, lb, err := a.dotLayouts(op)
		if err != nil {
			return err
		}
		a.need(op.Args[0], la)
		a.need(op.Args[1], lb)
		a.need(op.Args[2], c)
	case ir.OpReduce, ir.OpScan, ir.OpSplit:
		x := a.opLayout[op][0]
		for _, v := range op.Args {
			a.need(v, x)
		}
	case ir.OpJoin:
		l := a.primary[op.Results[0]]
		in := l.Slice(l.Rank() - 1)
		a.need(op.Args[0], in)
		a.need(op.Args[1], in)
	case ir.OpFor:
		body := op.Regions[0]
		y := body.Terminator()
		for i, arg := range body.Args[1:] {
			a.need(op.Args[3+i], a.primary[arg])
			a.need(y.Args[i], a.primary[arg])
		}
	case ir.OpIf:
		for _, r := range op.Regions {
			y := r.Terminator()
			for i, res := range op.Results {
				a.need(y.Args[i], a.primary[res])
			}
		}
	case ir.OpWhile:
		before, after := op.Regions[0], op.Regions[1]
		cond, y := before.Terminator(), after.Terminator()
		for i, arg := range before.Args {
			a.need(op.Args[i], a.primary[arg])
			a.need(y.Args[i], a.primary[arg])
		}
		for i, arg := range after.Args {
			a.need(cond.Args[1+i], a.primary[arg])
		}
	case ir.OpPrint, ir.OpAssert:
		for _, x := range op.Args {
			a.need(x, a.layoutOrDefault(x))
		}
	case ir.OpYield, ir.OpCondition:
		// The parent op states what its regions yield.
	default:
		if op.Info().Elem != nil || op.Code == ir.OpAddPtr {
			if l := a.primary[op.Results[0]]; l != nil {
				for _, x := range op.Args {
					a.need(x, l)
				}
			}
		}
	}
	return nil
}

// layoutsOf lists the layouts v is emitted in: its primary first (when
// anchored), then the others its users need.
func (a *assignment) layoutsOf(v *ir.Value) []*layout.Linear {
	var out []*layout.Linear
	if l := a.primary[v]; l != nil {
		out = append(out, l)
	}
	return append(out, a.needs[v]...)
}
