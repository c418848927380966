package gpu

import (
	"fmt"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// TMA pipelines (sm_90a). When every load the pipeline pass takes from a
// loop is a block load whose dot runs on wgmma and whose tensor a tensor
// map can describe (tmaPlan), the ring is filled by the Tensor Memory
// Accelerator instead of cp.async: one thread per stage arrives on the
// stage's mbarrier expecting the stage's bytes and issues one
// cp.async.bulk.tensor per box, and every thread waits on the mbarrier's
// phase before reading the stage:
//
//	before:     tensor maps (at the kernel's top: built from arguments);
//	            the rings and one mbarrier per slot; init; barrier;
//	            for s in 0 … S−2: expect; copy iteration s's tiles into slot s
//	body top:   wait for slot i mod S's phase (i/S) mod 2; barrier (every
//	            thread is done reading slot (i−1) mod S); expect; copy
//	            iteration i+S−1's tiles into slot (i+S−1) mod S
//	the load:   slot i mod S (the loop carries it, and the phase)
//	after:      barrier; invalidate the mbarriers; barrier (the memory is
//	            free again)
//
// A tensor map has the block pointer's two dims (innermost first: the
// order's fastest dim) and one more dim per term of the block pointer's
// base beyond a kernel parameter: base = P + Σ u_j·s_j (in elements), with
// s_j a parameter, becomes dims of stride s_j at coordinate u_j, so one
// map serves every CTA (attention's batch and head offsets). Their extent
// is not known and not needed (a coordinate is never outside), so it is
// the largest TMA allows.

// tmaPlan is how one pipelined load is copied by TMA.
type tmaPlan struct {
	base    *ir.Value   // the pointer parameter
	dims    []*ir.Value // the block's two dims, innermost first
	stride  *ir.Value   // of the outer dim, in elements
	extra   []*ir.Value // strides of the base's terms
	coords  []*ir.Value // their coordinates (i32, defined before the loop)
	box     [2]int      // innermost first
	swizzle int         // bytes
	bytes   int         // the tile's
}

// extraDimSize is the extent of a map's dims beyond the block's: TMA's
// largest (2^32), since no coordinate is ever outside.
const extraDimSize = 1 << 32

// tmaPlanOf returns the plan of ld, or nil when TMA cannot copy it.
func tmaPlanOf(f *ir.Func, inits map[*ir.Value]*ir.Value, loop *ir.Op, ld *pipeLoad) *tmaPlan {
	if ld.op.Code != ir.OpBlockLoad || !ld.sw.Swizzled {
		return nil
	}
	mk := makeBlockPtrOf(inits, loop.Args[3+ld.arg])
	if mk == nil {
		return nil
	}
	t := ld.op.Results[0].Type
	eb := t.Elem.Size()
	order := mk.Ints("order")
	shape, strides := mk.Args[1:3], mk.Args[3:5]
	fast, slow := order[0], order[1]
	if ld.sw.Fast != fast || !unitStride(f, strides[fast]) || !alignedStride(f, strides[slow], eb) {
		return nil
	}
	for _, d := range shape {
		if !argument(d) {
			return nil
		}
	}
	p := &tmaPlan{dims: []*ir.Value{shape[fast], shape[slow]}, stride: strides[slow]}
	var ok bool
	if p.base, p.extra, p.coords, ok = affineBase(f, mk.Args[0], eb); !ok || 2+len(p.extra) > 5 {
		return nil
	}
	s := shapeOf(t)
	span := ld.sw.SpanBytes(s)
	p.box = [2]int{span / eb, s[slow]}
	p.swizzle = span
	p.bytes = s[0] * s[1] * eb
	if p.box[1] > 256 || span < 32 {
		return nil
	}
	return p
}

// carriedInits maps every for loop's carried body arguments and results
// to the loop's operands they start from.
func carriedInits(f *ir.Func) map[*ir.Value]*ir.Value {
	m := map[*ir.Value]*ir.Value{}
	f.Walk(func(op *ir.Op) {
		if op.Code != ir.OpFor {
			return
		}
		body := op.Regions[0]
		for i, init := range op.Args[3:] {
			m[body.Args[1+i]] = init
			m[op.Results[i]] = init
		}
	})
	return m
}

// makeBlockPtrOf follows advances and loops back to v's make_block_ptr
// (inits: carriedInits).
func makeBlockPtrOf(inits map[*ir.Value]*ir.Value, v *ir.Value) *ir.Op {
	for v != nil {
		if init, ok := inits[v]; ok {
			v = init
			continue
		}
		switch op := v.Def; {
		case op == nil:
			return nil
		case op.Code == ir.OpMakeBlockPtr:
			return op
		case op.Code == ir.OpAdvance:
			v = op.Args[0]
		default:
			return nil
		}
	}
	return nil
}

// argument reports whether v is a kernel parameter or a constant.
func argument(v *ir.Value) bool {
	return (v.Def == nil && v.Name != "") || (v.Def != nil && v.Def.Code == ir.OpConstant)
}

// paramIndex is v's index among f's parameters, or −1.
func paramIndex(f *ir.Func, v *ir.Value) int {
	for i, p := range f.Params {
		if p == v {
			return i
		}
	}
	return -1
}

// factOf is what the launch guarantees about parameter v.
func factOf(f *ir.Func, v *ir.Value) ir.Facts {
	if i := paramIndex(f, v); i >= 0 && i < len(f.GPU.Facts) {
		return f.GPU.Facts[i]
	}
	return ir.Facts{}
}

// unitStride reports whether stride v is known to be 1.
func unitStride(f *ir.Func, v *ir.Value) bool {
	if v.Def != nil && v.Def.Code == ir.OpConstant {
		return v.Def.NumAttr("value").I == 1
	}
	return argument(v) && factOf(f, v).One
}

// alignedStride reports whether stride v (elements of eb bytes) is known
// to be a multiple of 16 bytes, as TMA requires.
func alignedStride(f *ir.Func, v *ir.Value, eb int) bool {
	if v.Def != nil && v.Def.Code == ir.OpConstant {
		return v.Def.NumAttr("value").I*int64(eb)%16 == 0
	}
	return argument(v) && factOf(f, v).Div*eb%16 == 0
}

// affineBase splits a block pointer's base into a 16-byte-aligned pointer
// parameter and terms u·s (s a parameter stride, in elements of eb bytes,
// a multiple of 16 bytes; u any scalar, its coordinate).
func affineBase(f *ir.Func, v *ir.Value, eb int) (base *ir.Value, strides, coords []*ir.Value, ok bool) {
	if v.Def == nil {
		return v, nil, nil, argument(v) && factOf(f, v).Div >= 16
	}
	if v.Def.Code != ir.OpAddPtr || v.Type.Shape.Rank != 0 {
		return nil, nil, nil, false
	}
	base, strides, coords, ok = affineBase(f, v.Def.Args[0], eb)
	if !ok {
		return nil, nil, nil, false
	}
	var terms func(x *ir.Value) bool
	terms = func(x *ir.Value) bool {
		switch op := x.Def; {
		case op == nil:
			return false
		case op.Code == ir.OpAdd:
			return terms(op.Args[0]) && terms(op.Args[1])
		case op.Code == ir.OpMul:
			for i, s := range op.Args {
				if s.Def == nil && s.Name != "" && alignedStride(f, s, eb) {
					strides = append(strides, s)
					coords = append(coords, uncast(op.Args[1-i]))
					return true
				}
			}
		}
		return false
	}
	return base, strides, coords, terms(v.Def.Args[1])
}

// uncast strips integer widenings: a coordinate is an i32.
func uncast(v *ir.Value) *ir.Value {
	for v.Def != nil && v.Def.Code == ir.OpCast && v.Def.Args[0].Type.IsInt() && v.Def.Args[0].Type.Elem.Size() <= 4 {
		v = v.Def.Args[0]
	}
	return v
}

// tensorMaps builds each plan's tensor_map at the kernel's top, one per
// distinct tensor and box.
type tensorMaps struct {
	f    *ir.Func
	top  *emitter
	maps map[string]*ir.Value
}

func newTensorMaps(f *ir.Func) *tensorMaps {
	return &tensorMaps{f: f, top: &emitter{f: f, b: f.Body, at: 0}, maps: map[string]*ir.Value{}}
}

// of returns plan p's tensor map, building it on first use.
func (tm *tensorMaps) of(p *tmaPlan, elem ir.DType) *ir.Value {
	args := []*ir.Value{p.base, p.dims[0], p.dims[1]}
	for range p.extra {
		args = append(args, nil) // the extra dims' extents
	}
	args = append(args, p.stride)
	args = append(args, p.extra...)
	key := fmt.Sprint(args, p.box, p.swizzle)
	if m, ok := tm.maps[key]; ok {
		return m
	}
	for i, a := range args {
		switch {
		case a == nil:
			args[i] = tm.top.constant(ir.I64, extraDimSize)
		case a.Def != nil: // a constant: the map is built before it
			args[i] = tm.top.value(ir.OpConstant, nil, map[string]ir.Attr{"value": a.Def.NumAttr("value")}, a.Type)
		}
	}
	t := ir.Type{Kind: ir.KindTensorMap, Elem: elem, Shape: ir.ShapeOf(ir.D(p.box[0]), ir.D(p.box[1]))}
	m := tm.top.value(ir.OpTensorMap, args, map[string]ir.Attr{"swizzle": p.swizzle}, t)
	tm.maps[key] = m
	return m
}

// tmaFiller fills a ring with TMA copies completing on one mbarrier per
// slot; the loop carries the phase of its slot's barrier, which flips as
// the slot wraps.
type tmaFiller struct {
	lds    []*pipeLoad
	plans  []*tmaPlan
	maps   []*ir.Value
	coords [][]*ir.Value // the maps' extra coordinates, i32
	bars   *ir.Value
	bytes  int // a stage's
	S      int
}

func newTMAFiller(tm *tensorMaps, lds []*pipeLoad, plans []*tmaPlan, S int) *tmaFiller {
	t := &tmaFiller{lds: lds, plans: plans, S: S}
	for i, p := range plans {
		t.maps = append(t.maps, tm.of(p, lds[i].op.Results[0].Type.Elem))
		t.bytes += p.bytes
	}
	return t
}

func (t *tmaFiller) setup(pre *emitter) {
	t.bars = pre.value(ir.OpLocalAlloc, nil, nil, ir.SharedOf(ir.I64, layout.Shared{}, t.S))
	pre.emit(ir.OpMBarrierInit, []*ir.Value{t.bars}, map[string]ir.Attr{"count": 1})
	t.coords = make([][]*ir.Value, len(t.plans))
	for i, p := range t.plans {
		for _, c := range p.coords {
			if c.Type.Elem != ir.I32 {
				c = pre.value(ir.OpCast, []*ir.Value{c}, nil, ir.Scalar(ir.I32))
			}
			t.coords[i] = append(t.coords[i], c)
		}
	}
}

func (t *tmaFiller) copies(e *emitter, rings []*ir.Value, ptrs func(i int) *ir.Value, n int, _, runs, slot *ir.Value) {
	e.emit(ir.OpMBarrierExpect, []*ir.Value{t.bars, slot, runs}, map[string]ir.Attr{"bytes": t.bytes})
	for i, ld := range t.lds {
		dst := stageOf(e, ld, rings[i], slot)
		p := advanced(e, ld, ptrs(i), n)
		e.emit(ir.OpTMALoad, append([]*ir.Value{t.maps[i], p, dst, t.bars, slot, runs}, t.coords[i]...), nil)
	}
}

func (t *tmaFiller) wait(in *emitter, slot *ir.Value, carried []*ir.Value) {
	in.emit(ir.OpMBarrierWait, []*ir.Value{t.bars, slot, carried[0]}, nil)
}

func (t *tmaFiller) carried(pre *emitter) []*ir.Value { return []*ir.Value{pre.constant(ir.I32, 0)} }

func (t *tmaFiller) next(e *emitter, last *ir.Value, carried []*ir.Value) []*ir.Value {
	phase := carried[0]
	flip := e.binary(ir.OpXor, phase, e.constant(ir.I32, 1))
	return []*ir.Value{e.value(ir.OpWhere, []*ir.Value{last, flip, phase}, nil, ir.Scalar(ir.I32))}
}

func (t *tmaFiller) drain(post *emitter) {
	post.emit(ir.OpBarrier, nil, nil)
	post.emit(ir.OpMBarrierInval, []*ir.Value{t.bars}, nil)
	post.emit(ir.OpBarrier, nil, nil)
}
