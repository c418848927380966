package gpu

import (
	"maps"
	"math"
	"sort"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// The "pipeline" pass (num_stages = S ≥ 2, mma targets). A load in the
// body of an innermost for loop, through a block pointer or a pointer
// tile, is pipelined when the loop carries its pointer and advances it by
// a loop-invariant amount every iteration, and its value only feeds mma
// operands (through one conversion). Such a load never passes through
// registers: cp.async copies its tile from global memory straight into a
// swizzled shared tile, S − 1 iterations ahead, in a ring of S tiles
// ("slots"), and the dots read their fragments from the slot by k-steps:
//
//	before:     barrier (scratch used before may overlap the ring);
//	            for s in 0 … S−2: copy iteration s's tiles into slot s; commit
//	body top:   wait until at most S−2 groups are in flight (iteration i's
//	            tiles have landed); barrier (every thread's copies have
//	            landed, and every thread is done reading slot (i−1) mod S);
//	            copy iteration i+S−1's tiles into slot (i+S−1) mod S; commit
//	the load:   slot i mod S (the loop carries it)
//	after:      wait for every group; barrier (the ring is free again)
//
// Copies of iterations past the loop's end are predicated off; a 16-byte
// chunk outside the tensor (boundary_check) or outside the mask is copied
// with source size 0, which reads nothing and zero-fills, as the load's
// zero padding says. For a pointer tile, the ops its mask is computed from
// are cloned with the induction variable of the iteration copied ahead.
func pipeline(f *ir.Func) error {
	S := f.NumStages
	if S < 2 || f.GPU.SM < 80 {
		return nil
	}
	uses := usesOf(f)
	var loops []*ir.Op
	f.Walk(func(op *ir.Op) {
		if op.Code == ir.OpFor && !hasLoop(op.Regions[0]) {
			loops = append(loops, op)
		}
	})
	inits, tm := carriedInits(f), newTensorMaps(f)
	for _, loop := range loops {
		var lds []*pipeLoad
		inside := definedIn(loop.Regions[0])
		for _, x := range loop.Regions[0].Ops {
			if ld := pipelinable(f, loop, x, uses, inside); ld != nil {
				lds = append(lds, ld)
			}
		}
		if len(lds) == 0 {
			continue
		}
		d := S - 1
		if hasCarriedAsync(f, loop, uses) {
			d = S - 2
		}
		var fill ringFiller = &asyncFiller{lds: lds, body: loop.Regions[0], ahead: d}
		if plans := tmaPlans(f, inits, loop, lds, uses); plans != nil {
			fill = newTMAFiller(tm, lds, plans, S)
		}
		pipelineLoop(f, loop, lds, S, d, fill)
	}
	return nil
}

// tmaPlans returns how TMA copies each of a loop's pipelined loads, or nil
// unless it can copy them all (sm_90a, block loads, wgmma dots).
func tmaPlans(f *ir.Func, inits map[*ir.Value]*ir.Value, loop *ir.Op, lds []*pipeLoad, uses map[*ir.Value][]*ir.Op) []*tmaPlan {
	if f.GPU.SM != 90 || !f.GPU.Specific {
		return nil
	}
	plans := make([]*tmaPlan, len(lds))
	for i, ld := range lds {
		for _, u := range uses[ld.conv.Results[0]] {
			if !isWGMMA(f, u) {
				return nil
			}
		}
		if plans[i] = tmaPlanOf(f, inits, loop, ld); plans[i] == nil {
			return nil
		}
	}
	return plans
}

// pipeLoad is one load copied into shared memory (pipelined, or resident).
type pipeLoad struct {
	op   *ir.Op // the load
	conv *ir.Op // its one use: the conversion to the mma operand layout
	arg  int    // its pointer is the loop's carried value arg
	sw   layout.Shared
	// A block pointer advances by deltas per iteration, one per dim.
	deltas []*ir.Value
	// A pointer tile advances by delta; mask (nil: none) depends on the
	// induction variable and on values from outside the loop. The body's
	// ops they are computed from (deltaCone, maskCone) are cloned for the
	// iterations copied ahead.
	delta, mask         *ir.Value
	deltaCone, maskCone []*ir.Op
}

// pipelinable returns x as a pipelined load of loop, or nil.
func pipelinable(f *ir.Func, loop, x *ir.Op, uses map[*ir.Value][]*ir.Op, inside map[*ir.Value]bool) *pipeLoad {
	body := loop.Regions[0]
	switch x.Code {
	case ir.OpBlockLoad:
		arg, adv := carriedStep(body, x.Args[0], ir.OpAdvance)
		if adv == nil {
			return nil
		}
		for _, d := range adv.Args[1:] {
			if inside[d] && d.Def.Code != ir.OpConstant {
				return nil
			}
		}
		ld := sharedOperand(f, x, uses)
		if ld != nil {
			ld.arg, ld.deltas = arg, adv.Args[1:]
		}
		return ld
	case ir.OpLoad:
		v, ptr := x.Results[0], x.Args[0]
		if !isTile(v) || !isTile(ptr) {
			return nil
		}
		arg, adv := carriedStep(body, ptr, ir.OpAddPtr)
		if adv == nil {
			return nil
		}
		// A chunk outside the mask is zero-filled: the padding must be zero.
		if len(x.Args) > 2 && !isZeroConst(x.Args[2]) {
			return nil
		}
		deltaCone, ok := coneIn(body, adv.Args[1], nil)
		if !ok {
			return nil
		}
		var mask *ir.Value
		var maskCone []*ir.Op
		if len(x.Args) > 1 {
			mask = x.Args[1]
			if maskCone, ok = coneIn(body, mask, body.Args[0]); !ok {
				return nil
			}
		}
		ld := mmaOperandLoad(f, x, uses)
		if ld == nil {
			return nil
		}
		ld.arg, ld.delta, ld.mask, ld.deltaCone, ld.maskCone = arg, adv.Args[1], mask, deltaCone, maskCone
		return ld
	}
	return nil
}

// sharedOperand returns block load x as a copy into shared memory, or nil.
func sharedOperand(f *ir.Func, x *ir.Op, uses map[*ir.Value][]*ir.Op) *pipeLoad {
	if x.Code != ir.OpBlockLoad || x.Str("padding") == "nan" {
		return nil
	}
	return mmaOperandLoad(f, x, uses)
}

// mmaOperandLoad returns x as a copy into shared memory when its value only
// feeds mma operands, through one conversion that ldmatrix could do, and
// its 16-byte chunks are legal cp.async copies (vec 8); else nil.
func mmaOperandLoad(f *ir.Func, x *ir.Op, uses map[*ir.Value][]*ir.Op) *pipeLoad {
	v := x.Results[0]
	t := v.Type
	if t.Elem.Size() != 2 || t.Shape.Rank != 2 || !f.GPU.UsesMMA(t.Elem) || x.Int("vec") != 8 {
		return nil
	}
	us := uses[v]
	if len(us) != 1 || us[0].Code != ir.OpConvertLayout {
		return nil
	}
	conv := us[0]
	if _, _, ok := operandRole(f, conv, uses); !ok {
		return nil
	}
	sw, vec := fragmentSwizzle(f, t.Layout, shapeOf(t))
	if vec != 8 {
		return nil
	}
	return &pipeLoad{op: x, conv: conv, sw: sw}
}

// operandRole reports, for a conversion all of whose uses are dots that
// take it as operand A (0) or B (1), which one and the dots' warps; ok is
// false otherwise, or when the conversion is not to that operand layout.
func operandRole(f *ir.Func, conv *ir.Op, uses map[*ir.Value][]*ir.Op) (role int, warps [2]int, ok bool) {
	v := conv.Results[0]
	t := v.Type
	if t.Kind != ir.KindScalar || t.Elem.Size() != 2 || t.Shape.Rank != 2 {
		return 0, warps, false
	}
	if s := shapeOf(t); s[0] < 16 || s[1] < 16 {
		return 0, warps, false
	}
	role = -1
	for _, u := range uses[v] {
		if u.Code != ir.OpDot || u.Args[2] == v || (u.Args[0] == v) == (u.Args[1] == v) {
			return 0, warps, false
		}
		r := 0
		if u.Args[1] == v {
			r = 1
		}
		if role >= 0 && r != role {
			return 0, warps, false
		}
		role = r
		a, b := u.Args[0].Type, u.Args[1].Type
		m, k, n := a.Shape.Dims[0].N, a.Shape.Dims[1].N, b.Shape.Dims[1].N
		la, lb, _, err := ir.DotLayouts(f, a.Elem, m, k, n)
		if err != nil || !f.GPU.UsesMMA(a.Elem) {
			return 0, warps, false
		}
		want := []*layout.Linear{la, lb}[r]
		if !t.Layout.Equal(want) {
			return 0, warps, false
		}
		warps = layout.MMAWarps(m, n, f.NumWarps)
	}
	return role, warps, role >= 0
}

// fragmentSwizzle is the swizzled shared tile of a conversion from src into
// an mma operand layout of shape, and how many of src's registers move as
// one store (a 16-byte chunk when src holds runs of 8 along the tile's
// contiguous dim).
//
// On sm_90a rows longer than 128 bytes are cut into 128-byte blocks, the
// layout wgmma's descriptors (and TMA's 128-byte swizzle) address.
func fragmentSwizzle(f *ir.Func, src *layout.Linear, shape []int) (layout.Shared, int) {
	fast, run := src.RegRun()
	if run < 2 {
		fast = 1
	}
	v := min(run, 8)
	if d, _ := src.RegRun(); fast != d {
		v = 1
	}
	if f.GPU.Specific {
		return layout.SwizzleBlocks(shape, fast), v
	}
	return layout.Swizzle(shape, fast), v
}

// carriedStep finds v among the loop body's carried values and returns its
// index and the op (of kind code, applied to v itself) that gives its next
// iteration's value, or nil.
func carriedStep(body *ir.Block, v *ir.Value, code ir.Opcode) (int, *ir.Op) {
	for i, a := range body.Args[1:] {
		if a != v {
			continue
		}
		if next := body.Terminator().Args[i].Def; next != nil && next.Code == code && next.Args[0] == v {
			return i, next
		}
		return -1, nil
	}
	return -1, nil
}

// coneIn lists, in program order, the ops of b's top level that v is
// computed from, and reports whether they can be cloned anywhere: no
// memory access or other effect, no region, and no argument of b but iv
// (nil: none).
func coneIn(b *ir.Block, v *ir.Value, iv *ir.Value) ([]*ir.Op, bool) {
	top := map[*ir.Op]int{}
	for i, op := range b.Ops {
		top[op] = i
	}
	args := map[*ir.Value]bool{}
	for _, a := range b.Args {
		args[a] = a != iv
	}
	inner := definedIn(b)
	in := map[*ir.Op]bool{}
	ok := true
	var visit func(v *ir.Value)
	visit = func(v *ir.Value) {
		if args[v] {
			ok = false
			return
		}
		op := v.Def
		if op == nil || in[op] {
			return
		}
		if _, mine := top[op]; !mine {
			if inner[v] {
				ok = false // defined in a region of the body
			}
			return // defined before the loop
		}
		info := op.Info()
		if info.Effects || info.ReadsMemory || len(op.Regions) > 0 || op.Code == ir.OpDot || op.Code == ir.OpReduce || op.Code == ir.OpScan {
			ok = false
			return
		}
		in[op] = true
		for _, a := range op.Args {
			visit(a)
		}
	}
	visit(v)
	cone := make([]*ir.Op, 0, len(in))
	for op := range in {
		cone = append(cone, op)
	}
	sort.Slice(cone, func(i, j int) bool { return top[cone[i]] < top[cone[j]] })
	return cone, ok
}

// isZeroConst reports a constant zero (scalar or splat).
func isZeroConst(v *ir.Value) bool {
	op := v.Def
	for op != nil && (op.Code == ir.OpSplat || op.Code == ir.OpConvertLayout) {
		op = op.Args[0].Def
	}
	if op == nil || op.Code != ir.OpConstant {
		return false
	}
	n := op.NumAttr("value")
	return n.I == 0 && n.F == 0 && !math.Signbit(n.F)
}

// hasLoop reports whether b holds a loop at any depth.
func hasLoop(b *ir.Block) bool {
	found := false
	b.Walk(func(op *ir.Op) { found = found || op.Code == ir.OpFor || op.Code == ir.OpWhile })
	return found
}

// definedIn is the set of values defined in b: its ops' results and the
// arguments of b and of its nested regions.
func definedIn(b *ir.Block) map[*ir.Value]bool {
	in := map[*ir.Value]bool{}
	for _, a := range b.Args {
		in[a] = true
	}
	b.Walk(func(op *ir.Op) {
		for _, r := range op.Results {
			in[r] = true
		}
		for _, rg := range op.Regions {
			for _, a := range rg.Args {
				in[a] = true
			}
		}
	})
	return in
}

// emitter appends ops at one place of a block.
type emitter struct {
	f   *ir.Func
	b   *ir.Block
	at  int
	pos ir.Pos
}

func (e *emitter) emit(code ir.Opcode, args []*ir.Value, attrs map[string]ir.Attr, results ...ir.Type) *ir.Op {
	op := build(e.f, code, e.pos, args, attrs, results...)
	insertAt(e.b, e.at, op)
	e.at++
	return op
}

// value emits an op with one result and returns it.
func (e *emitter) value(code ir.Opcode, args []*ir.Value, attrs map[string]ir.Attr, t ir.Type) *ir.Value {
	return e.emit(code, args, attrs, t).Results[0]
}

func (e *emitter) constant(d ir.DType, n int64) *ir.Value {
	return e.value(ir.OpConstant, nil, map[string]ir.Attr{"value": ir.Num{I: n}}, ir.Scalar(d))
}

func (e *emitter) binary(code ir.Opcode, x, y *ir.Value) *ir.Value {
	return e.value(code, []*ir.Value{x, y}, nil, x.Type)
}

func (e *emitter) cmp(pred string, x, y *ir.Value) *ir.Value {
	return e.value(ir.OpCmp, []*ir.Value{x, y}, map[string]ir.Attr{"pred": pred}, x.Type.WithElem(ir.I1))
}

// scaled is x·n for a scalar x: a constant when x is one, else a product.
func (e *emitter) scaled(x *ir.Value, n int) *ir.Value {
	if x.Def != nil && x.Def.Code == ir.OpConstant {
		return e.constant(x.Type.Elem, x.Def.NumAttr("value").I*int64(n))
	}
	return e.binary(ir.OpMul, x, e.constant(x.Type.Elem, int64(n)))
}

// clone copies ops (a cone, in order) with values in subst replaced; it
// returns the copy of v.
func (e *emitter) clone(ops []*ir.Op, v *ir.Value, subst map[*ir.Value]*ir.Value) *ir.Value {
	m := maps.Clone(subst)
	if m == nil {
		m = map[*ir.Value]*ir.Value{}
	}
	for _, op := range ops {
		args := make([]*ir.Value, len(op.Args))
		for i, a := range op.Args {
			args[i] = a
			if r, ok := m[a]; ok {
				args[i] = r
			}
		}
		types := make([]ir.Type, len(op.Results))
		for i, r := range op.Results {
			types[i] = r.Type
		}
		n := e.emit(op.Code, args, maps.Clone(op.Attrs), types...)
		for i, r := range op.Results {
			m[r] = n.Results[i]
		}
	}
	if r, ok := m[v]; ok {
		return r
	}
	return v
}

// ringFiller is how a ring's stages are filled: by cp.async groups
// (asyncFiller) or by TMA copies on mbarriers (tmaFiller, tma.go).
type ringFiller interface {
	// setup runs before the loop, after the rings are allocated.
	setup(pre *emitter)
	// copies issues the copies of one iteration n ahead of the one whose
	// pointers are ptrs (iv its induction variable), into slot of the
	// rings, where runs holds.
	copies(e *emitter, rings []*ir.Value, ptrs func(i int) *ir.Value, n int, iv, runs, slot *ir.Value)
	// wait is the body's top: the iteration's slot has landed (the loop
	// carries the extra values carried asks for).
	wait(in *emitter, slot *ir.Value, carried []*ir.Value)
	// carried lists the values the loop carries for the filler (their
	// initial values, emitted before the loop), next their next values.
	carried(pre *emitter) []*ir.Value
	next(e *emitter, last *ir.Value, carried []*ir.Value) []*ir.Value
	// drain runs after the loop: the ring is free again.
	drain(post *emitter)
}

// pipelineLoop rewrites loop to copy lds d iterations ahead (S − 1, or
// S − 2 where a dot stays in flight across iterations: carriedAsync), in
// rings of S slots that fill fills.
func pipelineLoop(f *ir.Func, loop *ir.Op, lds []*pipeLoad, S, d int, fill ringFiller) {
	body := loop.Regions[0]
	pre := &emitter{f: f, b: loop.Parent, at: index(loop), pos: loop.Pos}
	lb, ub, step := loop.Args[0], loop.Args[1], loop.Args[2]
	rings := make([]*ir.Value, len(lds))
	for i, ld := range lds {
		t := ld.op.Results[0].Type
		s := shapeOf(t)
		rings[i] = pre.value(ir.OpLocalAlloc, nil, nil, ir.SharedOf(t.Elem, ld.sw, S, s[0], s[1]))
	}
	fill.setup(pre)
	pre.emit(ir.OpBarrier, nil, nil)
	// The prologue: iterations 0 … d−1 into slots 0 … d−1.
	inits := func(i int) *ir.Value { return loop.Args[3+lds[i].arg] }
	for s := 0; s < d; s++ {
		iv := lb
		if s > 0 {
			iv = pre.binary(ir.OpAdd, lb, pre.scaled(step, s))
		}
		fill.copies(pre, rings, inits, s, iv, pre.cmp("lt", iv, ub), pre.constant(ir.I32, int64(s)))
	}
	ahead := pre.scaled(step, d) // hoisted: the body's offset to the iteration it copies
	// The loop carries the slot the iteration reads, and what the filler
	// needs.
	inits2 := append([]*ir.Value{pre.constant(ir.I32, 0)}, fill.carried(pre)...)
	loop.Args = append(loop.Args, inits2...)
	carried := make([]*ir.Value, len(inits2))
	for i := range carried {
		carried[i] = f.NewValue(ir.Scalar(ir.I32))
		res := f.NewValue(ir.Scalar(ir.I32))
		res.Def = loop
		loop.Results = append(loop.Results, res)
	}
	body.Args = append(body.Args, carried...)
	slot := carried[0]
	// The body's top: after the conversions of its arguments.
	top := 0
	for top < len(body.Ops) && body.Ops[top].Code == ir.OpConvertLayout {
		top++
	}
	in := &emitter{f: f, b: body, at: top, pos: loop.Pos}
	fill.wait(in, slot, carried[1:])
	in.emit(ir.OpBarrier, nil, nil)
	iv := in.binary(ir.OpAdd, body.Args[0], ahead)
	runs := in.cmp("lt", iv, ub)
	// The slot d iterations ahead: (slot + d) mod S.
	var write *ir.Value
	if d == S-1 {
		first := in.cmp("eq", slot, in.constant(ir.I32, 0))
		write = in.value(ir.OpWhere, []*ir.Value{first, in.constant(ir.I32, int64(S-1)), in.binary(ir.OpSub, slot, in.constant(ir.I32, 1))}, nil, ir.Scalar(ir.I32))
	} else {
		w := in.binary(ir.OpAdd, slot, in.constant(ir.I32, int64(d)))
		wraps := in.cmp("ge", w, in.constant(ir.I32, int64(S)))
		write = in.value(ir.OpWhere, []*ir.Value{wraps, in.binary(ir.OpSub, w, in.constant(ir.I32, int64(S))), w}, nil, ir.Scalar(ir.I32))
	}
	fill.copies(in, rings, func(i int) *ir.Value { return body.Args[1+lds[i].arg] }, d, iv, runs, write)
	// Each load becomes this iteration's slot; the dots read it.
	repl := map[*ir.Value]*ir.Value{}
	for i, ld := range lds {
		t := ld.op.Results[0].Type
		s := shapeOf(t)
		e := &emitter{f: f, b: body, at: index(ld.op), pos: ld.op.Pos}
		cur := e.value(ir.OpLocalIndex, []*ir.Value{rings[i], slot}, nil, ir.SharedOf(t.Elem, ld.sw, s[0], s[1]))
		repl[ld.conv.Results[0]] = cur
		remove(ld.conv)
		remove(ld.op)
	}
	replaceUses(f, repl)
	// The next iteration's slot (and the filler's values).
	y := body.Terminator()
	e := &emitter{f: f, b: body, at: index(y), pos: y.Pos}
	last := e.cmp("eq", slot, e.constant(ir.I32, int64(S-1)))
	next := e.value(ir.OpWhere, []*ir.Value{last, e.constant(ir.I32, 0), e.binary(ir.OpAdd, slot, e.constant(ir.I32, 1))}, nil, ir.Scalar(ir.I32))
	y.Args = append(append(y.Args, next), fill.next(e, last, carried[1:])...)
	fill.drain(&emitter{f: f, b: loop.Parent, at: index(loop) + 1, pos: loop.Pos})
}

// asyncFiller fills a ring with cp.async, one commit group per stage.
type asyncFiller struct {
	lds    []*pipeLoad
	body   *ir.Block
	ahead  int         // stages copied ahead (groups in flight at the body's top)
	deltas []*ir.Value // a pointer tile's advance, once for the loop (at the first copies)
}

func (a *asyncFiller) setup(*emitter) {}

func (a *asyncFiller) copies(e *emitter, rings []*ir.Value, ptrs func(i int) *ir.Value, n int, iv, runs, slot *ir.Value) {
	if a.deltas == nil { // the prologue's first stage, before the loop
		a.deltas = make([]*ir.Value, len(a.lds))
		for i, ld := range a.lds {
			if ld.delta != nil {
				a.deltas[i] = e.clone(ld.deltaCone, ld.delta, nil)
			}
		}
	}
	for i, ld := range a.lds {
		dst, p := stageOf(e, ld, rings[i], slot), ptrs(i)
		t := ld.op.Results[0].Type
		if ld.delta == nil {
			p = advanced(e, ld, p, n)
			e.emit(ir.OpAsyncCopyBlock, []*ir.Value{p, dst, runs},
				map[string]ir.Attr{"boundary_check": append([]int{}, ld.op.Ints("boundary_check")...), "layout": t.Layout})
			continue
		}
		if n > 0 {
			d := a.deltas[i]
			k := e.value(ir.OpConstant, nil, map[string]ir.Attr{"value": ir.Num{I: int64(n)}}, d.Type)
			p = e.value(ir.OpAddPtr, []*ir.Value{p, e.binary(ir.OpMul, d, k)}, nil, p.Type)
		}
		args := []*ir.Value{p, dst, runs}
		if ld.mask != nil {
			args = append(args, e.clone(ld.maskCone, ld.mask, map[*ir.Value]*ir.Value{a.body.Args[0]: iv}))
		}
		e.emit(ir.OpAsyncCopy, args, nil)
	}
	e.emit(ir.OpAsyncCommit, nil, nil)
}

func (a *asyncFiller) wait(in *emitter, _ *ir.Value, _ []*ir.Value) {
	in.emit(ir.OpAsyncWait, nil, map[string]ir.Attr{"pending": a.ahead - 1})
}

func (a *asyncFiller) carried(*emitter) []*ir.Value { return nil }

func (a *asyncFiller) next(*emitter, *ir.Value, []*ir.Value) []*ir.Value { return nil }

func (a *asyncFiller) drain(post *emitter) {
	post.emit(ir.OpAsyncWait, nil, map[string]ir.Attr{"pending": 0})
	post.emit(ir.OpBarrier, nil, nil)
}

// stageOf is slot of ring: the buffer ld's copy of one iteration fills.
func stageOf(e *emitter, ld *pipeLoad, ring, slot *ir.Value) *ir.Value {
	t := ld.op.Results[0].Type
	s := shapeOf(t)
	return e.value(ir.OpLocalIndex, []*ir.Value{ring, slot}, nil, ir.SharedOf(t.Elem, ld.sw, s[0], s[1]))
}

// advanced is block pointer p of block load ld advanced n iterations.
func advanced(e *emitter, ld *pipeLoad, p *ir.Value, n int) *ir.Value {
	if n == 0 {
		return p
	}
	args := []*ir.Value{p}
	for _, d := range ld.deltas {
		args = append(args, e.scaled(d, n))
	}
	return e.value(ir.OpAdvance, args, nil, p.Type)
}

// isPipelined reports whether loop was pipelined: its body waits for
// async copies at the top.
func isPipelined(loop *ir.Op) bool {
	for _, op := range loop.Regions[0].Ops {
		switch op.Code {
		case ir.OpConvertLayout:
			continue
		case ir.OpAsyncWait:
			return true
		}
		return false
	}
	return false
}

// The "resident" pass copies a block load of the kernel's top level whose
// value only feeds mma operands inside pipelined loops (FlashAttention's
// Q) into shared memory once, instead of holding its fragments in
// registers throughout: the loops' dots read its fragments by k-steps like
// the pipelined operands. The wait and barrier at the top of each
// pipelined iteration cover the copy.
func resident(f *ir.Func) error {
	uses := usesOf(f)
	for _, x := range append([]*ir.Op(nil), f.Body.Ops...) {
		ld := sharedOperand(f, x, uses)
		if ld == nil {
			continue
		}
		ok := true
		for _, u := range uses[ld.conv.Results[0]] {
			loop := u.Parent.Parent
			if loop == nil || loop.Code != ir.OpFor || !isPipelined(loop) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		t := x.Results[0].Type
		s := shapeOf(t)
		e := &emitter{f: f, b: x.Parent, at: index(x), pos: x.Pos}
		buf := e.value(ir.OpLocalAlloc, nil, nil, ir.SharedOf(t.Elem, ld.sw, s[0], s[1]))
		e.emit(ir.OpAsyncCopyBlock, []*ir.Value{x.Args[0], buf, e.constant(ir.I1, 1)},
			map[string]ir.Attr{"boundary_check": append([]int{}, x.Ints("boundary_check")...), "layout": t.Layout})
		e.emit(ir.OpAsyncCommit, nil, nil)
		replaceUses(f, map[*ir.Value]*ir.Value{ld.conv.Results[0]: buf})
		remove(ld.conv)
		remove(x)
	}
	return nil
}
