package gpu

import (
	"fmt"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// The "layouts" pass decides, for every tile value, the layout it is
// computed in, and inserts a convert_layout wherever a use needs another
// (right after the value's definition, one per value and layout). Two
// kinds of values:
//
//   - Anchored values have one layout, chosen where the data comes from: a
//     load's coalesced blocked layout, a dot's accumulator layout, a
//     reduction's slice of its operand, a loop-carried value's layout (a
//     fixed point over the loop body). An elementwise op with an anchored
//     operand takes its layout (the first "strong" one: a layout chosen on
//     purpose beats a fallback).
//   - Polymorphic values (constants, aranges, splats, elementwise maths of
//     those; and views (expand_dims, broadcast, reshape, trans) of
//     anything) get the layout derived from their operand's (a view moves
//     no data then) or the default, and the "remat" pass recomputes them
//     in each layout their users need: index maths costs less to redo than
//     to move through shared memory.
func assignLayouts(f *ir.Func) error {
	a := &assignment{f: f, numWarps: f.NumWarps,
		primary: map[*ir.Value]*layout.Linear{}, strong: map[*ir.Value]bool{}, poly: map[*ir.Value]bool{},
		pref: map[*ir.Value]*layout.Linear{}, opLayout: map[*ir.Op][]*layout.Linear{}, carried: map[*ir.Value]*ir.Value{},
		frag: map[*layout.Linear]bool{}}
	a.traceCarried(f.Body)
	if err := a.forwardBlock(f.Body); err != nil {
		return err
	}
	// Every tile value takes its layout into its type.
	var typeBlock func(b *ir.Block)
	typeBlock = func(b *ir.Block) {
		for _, arg := range b.Args {
			a.setType(arg)
		}
		for _, op := range b.Ops {
			for _, r := range op.Results {
				a.setType(r)
			}
			for _, rg := range op.Regions {
				typeBlock(rg)
			}
		}
	}
	typeBlock(f.Body)
	c := &converter{f: f, owner: blockOf(f), convs: map[convKey]*ir.Value{}, last: map[*ir.Value]*ir.Op{}}
	var convertBlock func(b *ir.Block)
	convertBlock = func(b *ir.Block) {
		for _, op := range append([]*ir.Op(nil), b.Ops...) {
			for i, l := range a.required(op) {
				if l != nil && isTile(op.Args[i]) && op.Args[i].Type.Layout != l {
					op.Args[i] = c.convert(op.Args[i], l)
				}
			}
			for _, rg := range op.Regions {
				convertBlock(rg)
			}
		}
	}
	convertBlock(f.Body)
	return nil
}

// assignment is the state of the layouts pass. Layouts are interned in f.
type assignment struct {
	f        *ir.Func
	numWarps int
	primary  map[*ir.Value]*layout.Linear
	strong   map[*ir.Value]bool
	poly     map[*ir.Value]bool
	pref     map[*ir.Value]*layout.Linear // a polymorphic value's natural layout, when it has one
	// opLayout records per-op choices: the layout a store, reduce, scan or
	// split operates in.
	opLayout map[*ir.Op][]*layout.Linear
	// carried maps a loop's carried block pointers (body arguments and
	// results) to their initial values, so a block load inside the loop
	// finds the make_block_ptr and its order.
	carried map[*ir.Value]*ir.Value
	// frag holds the mma fragment layouts (an accumulator's or operand's):
	// stores convert them to 16-byte runs.
	frag map[*layout.Linear]bool
	// yieldNeeds are the layouts a region's terminator must pass its
	// values in, by operand: the parent op's.
	yieldNeeds map[*ir.Op]map[int]*layout.Linear
}

func (a *assignment) canon(l *layout.Linear) *layout.Linear { return a.f.Intern(l) }

// setType gives a tile value its layout: its anchor, else its preference,
// else the default.
func (a *assignment) setType(v *ir.Value) {
	if !isTile(v) {
		return
	}
	v.Type = v.Type.WithLayout(a.layoutOrDefault(v))
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

// defaultFor is the blocked layout for a tile of type t: 16 bytes per
// thread along the last dim. A pointer tile takes its pointee's size, so
// that a load through it gets 16-byte runs of what it loads (a pointer
// tile carried by a loop keeps this layout, and its loads theirs).
func (a *assignment) defaultFor(t ir.Type) *layout.Linear {
	esz := ir.ElemBytes(t)
	if t.Kind == ir.KindPtr {
		esz = t.Elem.Size()
	}
	return a.canon(layout.DefaultBlocked(shapeOf(t), a.numWarps, esz))
}

// layoutOf is v's anchored layout, or a polymorphic value's preference.
func (a *assignment) layoutOf(v *ir.Value) *layout.Linear {
	if l := a.primary[v]; l != nil {
		return l
	}
	return a.pref[v]
}

// layoutOrDefault is v's layout for a use that has no preference.
func (a *assignment) layoutOrDefault(v *ir.Value) *layout.Linear {
	if l := a.layoutOf(v); l != nil {
		return l
	}
	return a.defaultFor(v.Type)
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
		a.anchor(res[0], a.coalesced(res[0].Type, op.Args[0]), true)
	case ir.OpDot:
		c, _, _, err := a.dotLayouts(op)
		if err != nil {
			return err
		}
		a.anchor(res[0], c, true)
	case ir.OpReduce:
		x := a.layoutOrDefault(op.Args[0])
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
		a.anchor(res[0], x.Join(), true)
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
	l := layout.DefaultBlocked(ps, a.numWarps, ir.ElemBytes(t))
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

// dotLayouts returns the accumulator and operand layouts of a dot.
func (a *assignment) dotLayouts(op *ir.Op) (c, la, lb *layout.Linear, err error) {
	at, bt := op.Args[0].Type, op.Args[1].Type
	m, k, n := at.Shape.Dims[0].N, at.Shape.Dims[1].N, bt.Shape.Dims[1].N
	la, lb, c, err = ir.DotLayouts(a.f, at.Elem, m, k, n)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: dot: %w", op.Pos, err)
	}
	c, la, lb = a.canon(c), a.canon(la), a.canon(lb)
	if a.f.GPU.UsesMMA(at.Elem) {
		a.frag[c], a.frag[la], a.frag[lb] = true, true, true
	}
	return c, la, lb, nil
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
		panic(fmt.Sprintf("scan layout for %v: %v", shape, err))
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

// splitLayout is a layout of split's operand with the last dim (size 2) in
// a register bit: the operand's own when it has that, else the default
// (whose last dim of size 2 is register bit 0 for elements of at most 8
// bytes).
func (a *assignment) splitLayout(x *ir.Value) *layout.Linear {
	if l := a.layoutOf(x); l != nil && ir.SplitsInRegisters(l) {
		return l
	}
	return a.defaultFor(x.Type)
}

// required lists the layout each operand of op must be in (nil: any).
func (a *assignment) required(op *ir.Op) []*layout.Linear {
	req := make([]*layout.Linear, len(op.Args))
	all := func(l *layout.Linear) []*layout.Linear {
		for i := range req {
			req[i] = l
		}
		return req
	}
	res := func(i int) *layout.Linear { return op.Results[i].Type.Layout }
	switch op.Code {
	case ir.OpConstant, ir.OpArange, ir.OpSplat, ir.OpPrint, ir.OpAssert:
		// No operand layout (print and assert take any).
	case ir.OpYield, ir.OpCondition:
		// What the parent op recorded when the pass reached it.
		for i, l := range a.yieldNeeds[op] {
			req[i] = l
		}
	case ir.OpExpandDims, ir.OpBroadcast, ir.OpReshape, ir.OpTrans:
		if isTile(op.Args[0]) {
			req[0] = a.canon(ir.ViewOperandLayout(op, res(0)))
		}
	case ir.OpLoad, ir.OpAtomicRMW, ir.OpAtomicCAS:
		if isTile(op.Results[0]) {
			return all(res(0))
		}
	case ir.OpStore:
		if !isTile(op.Args[0]) {
			return req
		}
		l := a.layoutOf(op.Args[1])
		if l == nil {
			l = a.layoutOrDefault(op.Args[0])
		}
		if a.frag[l] {
			// As for block stores: an mma fragment holds pairs of elements
			// per row; store 16-byte runs instead.
			l = a.defaultFor(op.Args[0].Type)
		}
		return all(a.canon(l))
	case ir.OpBlockStore:
		l := a.layoutOrDefault(op.Args[1])
		if a.frag[l] {
			// An mma fragment holds pairs of elements per row: store
			// through a conversion to 16-byte runs instead.
			l = a.coalesced(op.Args[1].Type, op.Args[0])
		}
		req[1] = a.canon(l)
	case ir.OpDot:
		c, la, lb, err := a.dotLayouts(op)
		if err != nil {
			panic(err) // forward computed the same layouts without error
		}
		req[0], req[1], req[2] = la, lb, c
	case ir.OpReduce, ir.OpScan, ir.OpSplit:
		return all(a.opLayout[op][0])
	case ir.OpJoin:
		l := res(0)
		return all(a.canon(l.Slice(l.Rank() - 1)))
	case ir.OpFor:
		body := op.Regions[0]
		y := body.Terminator()
		for i, arg := range body.Args[1:] {
			req[3+i] = arg.Type.Layout
			a.requireYield(y, i, arg.Type.Layout)
		}
	case ir.OpIf:
		for _, r := range op.Regions {
			y := r.Terminator()
			for i, x := range op.Results {
				a.requireYield(y, i, x.Type.Layout)
			}
		}
	case ir.OpWhile:
		before, after := op.Regions[0], op.Regions[1]
		cond, y := before.Terminator(), after.Terminator()
		for i, arg := range before.Args {
			req[i] = arg.Type.Layout
			a.requireYield(y, i, arg.Type.Layout)
		}
		for i, arg := range after.Args {
			a.requireYield(cond, 1+i, arg.Type.Layout)
		}
	default:
		if op.Info().Elem != nil || op.Code == ir.OpAddPtr {
			if isTile(op.Results[0]) {
				return all(res(0))
			}
		}
	}
	return req
}

// requireYield records that operand i of terminator y must be in l; the
// conversion happens when the pass reaches the terminator.
func (a *assignment) requireYield(y *ir.Op, i int, l *layout.Linear) {
	if a.yieldNeeds == nil {
		a.yieldNeeds = map[*ir.Op]map[int]*layout.Linear{}
	}
	if a.yieldNeeds[y] == nil {
		a.yieldNeeds[y] = map[int]*layout.Linear{}
	}
	a.yieldNeeds[y][i] = l
}

// convKey is one value in one layout.
type convKey struct {
	v *ir.Value
	l *layout.Linear
}

// converter inserts conversions right after a value's definition (after
// the ones already there), one per value and layout.
type converter struct {
	f     *ir.Func
	owner map[*ir.Value]*ir.Block // the region of each block argument
	convs map[convKey]*ir.Value
	last  map[*ir.Value]*ir.Op // the last conversion of a value so far
}

// convert returns v in layout l.
func (c *converter) convert(v *ir.Value, l *layout.Linear) *ir.Value {
	k := convKey{v, l}
	if x, ok := c.convs[k]; ok {
		return x
	}
	op := build(c.f, ir.OpConvertLayout, posOf(v), []*ir.Value{v}, nil, v.Type.WithLayout(l))
	switch prev := c.last[v]; {
	case prev != nil:
		insertAfter(prev, op)
	case v.Def != nil:
		insertAfter(v.Def, op)
	default:
		insertAt(c.owner[v], 0, op)
	}
	c.last[v] = op
	c.convs[k] = op.Results[0]
	return op.Results[0]
}

// posOf is where a value comes from, for the ops made for it.
func posOf(v *ir.Value) ir.Pos {
	if v.Def != nil {
		return v.Def.Pos
	}
	return ir.Pos{}
}
