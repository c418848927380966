package gpu

import (
	"slices"

	"github.com/tilec/tilec/ir"
)

// Axis analysis (Triton's AxisInfo): for integer and pointer values, per
// dimension, what is known about runs of elements:
//
//   - contig[d]: along d, elements come in runs of contig[d] consecutive
//     values (x, x+1, ...), each run starting at a multiple of contig[d];
//   - div[d]: the first element of each such run is a multiple of div[d]
//     (for pointers: the address, in bytes);
//   - cons[d]: elements come in runs of cons[d] equal values.
//
// All three are powers of two. Loads and stores use them to prove that V
// consecutive registers hold consecutive, V·size-aligned addresses with one
// mask, and then move them with one vector instruction.

// maxDiv caps divisibility: nothing needs more than 16-byte alignment.
const maxDiv = 1 << 12

type axisInfo struct {
	contig, div, cons []int
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// pow2Div is the largest power of two dividing n (maxDiv for 0).
func pow2Div(n int64) int {
	if n == 0 {
		return maxDiv
	}
	d := 1
	for n%2 == 0 && d < maxDiv {
		n /= 2
		d *= 2
	}
	return d
}

// runDiv is what an operand with runs of ca elements starting at
// multiples of da guarantees about elements that start runs of c: inside
// its own runs only the run structure is known.
func runDiv(ca, da, c int) int {
	if ca > c {
		return gcd(da, c)
	}
	return da
}

func uniformInfo(rank, div int, shape []int) axisInfo {
	a := axisInfo{contig: make([]int, rank), div: make([]int, rank), cons: make([]int, rank)}
	for d := 0; d < rank; d++ {
		a.contig[d], a.div[d], a.cons[d] = 1, div, shape[d]
	}
	return a
}

type axisAnalysis struct {
	info  map[*ir.Value]axisInfo
	facts map[*ir.Value]ir.Facts
	ones  map[*ir.Value]bool // scalars known to be 1
	bps   map[*ir.Value]bpInfo
}

// bpInfo is what is known about a block pointer, per dim.
type bpInfo struct {
	baseDiv   int   // the base address's alignment in bytes
	offDiv    []int // the offsets' divisibility
	strideDiv []int
	strideOne []bool
	shapeDiv  []int
}

func (b bpInfo) merge(o bpInfo) bpInfo {
	m := bpInfo{baseDiv: gcd(b.baseDiv, o.baseDiv)}
	for d := range b.offDiv {
		m.offDiv = append(m.offDiv, gcd(b.offDiv[d], o.offDiv[d]))
		m.strideDiv = append(m.strideDiv, gcd(b.strideDiv[d], o.strideDiv[d]))
		m.strideOne = append(m.strideOne, b.strideOne[d] && o.strideOne[d])
		m.shapeDiv = append(m.shapeDiv, gcd(b.shapeDiv[d], o.shapeDiv[d]))
	}
	return m
}

func (b bpInfo) equal(o bpInfo) bool {
	if b.baseDiv != o.baseDiv {
		return false
	}
	for d := range b.offDiv {
		if b.offDiv[d] != o.offDiv[d] || b.strideDiv[d] != o.strideDiv[d] || b.strideOne[d] != o.strideOne[d] || b.shapeDiv[d] != o.shapeDiv[d] {
			return false
		}
	}
	return true
}

// isOne reports a scalar known to be 1 (a constant or a launch fact),
// through integer casts.
func (x *axisAnalysis) isOne(v *ir.Value) bool {
	for v.Def != nil && v.Def.Code == ir.OpCast && v.Def.Args[0].Type.IsInt() {
		v = v.Def.Args[0]
	}
	return x.ones[v]
}

func shapeOrScalar(v *ir.Value) []int {
	if v.Type.IsTile() {
		return shapeOf(v.Type)
	}
	return nil
}

// get returns v's info (the most conservative when unknown).
func (x *axisAnalysis) get(v *ir.Value) axisInfo {
	if i, ok := x.info[v]; ok {
		return i
	}
	shape := shapeOrScalar(v)
	a := axisInfo{contig: make([]int, len(shape)), div: make([]int, len(shape)), cons: make([]int, len(shape))}
	for d := range shape {
		a.contig[d], a.div[d], a.cons[d] = 1, 1, 1
	}
	if len(shape) == 0 {
		a.div = []int{1}
		if f, ok := x.facts[v]; ok && f.Div > 1 {
			a.div[0] = f.Div
		}
	}
	return a
}

// scalarDiv is a scalar's known divisibility.
func (x *axisAnalysis) scalarDiv(v *ir.Value) int {
	return x.get(v).div[0]
}

func analyzeAxes(f *ir.Func, facts []ir.Facts) *axisAnalysis {
	x := &axisAnalysis{info: map[*ir.Value]axisInfo{}, facts: map[*ir.Value]ir.Facts{}, ones: map[*ir.Value]bool{}, bps: map[*ir.Value]bpInfo{}}
	for i, p := range f.Params {
		if i < len(facts) {
			x.facts[p] = facts[i]
			if facts[i].Div > 1 {
				x.info[p] = axisInfo{div: []int{facts[i].Div}}
			}
			if facts[i].One {
				x.ones[p] = true
			}
		}
	}
	x.block(f.Body)
	return x
}

func (x *axisAnalysis) block(b *ir.Block) {
	for _, op := range b.Ops {
		x.op(op)
	}
}

func (x *axisAnalysis) op(op *ir.Op) {
	if op.Code == ir.OpFor {
		x.loop(op)
		return
	}
	for _, r := range op.Regions {
		x.block(r)
	}
	if len(op.Results) == 0 {
		return
	}
	res := op.Results[0]
	t := res.Type
	switch op.Code {
	case ir.OpConvertLayout: // the same values in other threads
		x.info[res] = x.get(op.Args[0])
		return
	case ir.OpMakeBlockPtr:
		r := t.Shape.Rank
		b := bpInfo{baseDiv: x.scalarDiv(op.Args[0])}
		for d := 0; d < r; d++ {
			b.shapeDiv = append(b.shapeDiv, x.scalarDivThroughCast(op.Args[1+d]))
			b.strideDiv = append(b.strideDiv, x.scalarDivThroughCast(op.Args[1+r+d]))
			b.strideOne = append(b.strideOne, x.isOne(op.Args[1+r+d]))
			b.offDiv = append(b.offDiv, x.scalarDivThroughCast(op.Args[1+2*r+d]))
		}
		x.bps[res] = b
		return
	case ir.OpAdvance:
		b := x.bps[op.Args[0]]
		n := bpInfo{baseDiv: b.baseDiv, strideDiv: b.strideDiv, strideOne: b.strideOne, shapeDiv: b.shapeDiv}
		for d := range b.offDiv {
			n.offDiv = append(n.offDiv, gcd(b.offDiv[d], x.scalarDivThroughCast(op.Args[1+d])))
		}
		x.bps[res] = n
		return
	}
	if t.Kind == ir.KindBlockPtr || (t.Kind == ir.KindScalar && !t.Elem.IsInt()) {
		return
	}
	shape := shapeOrScalar(res)
	rank := len(shape)
	switch op.Code {
	case ir.OpConstant:
		c := op.NumAttr("value").I
		if rank == 0 {
			x.info[res] = axisInfo{div: []int{pow2Div(c)}}
			if c == 1 {
				x.ones[res] = true
			}
			return
		}
		x.info[res] = uniformInfo(rank, pow2Div(c), shape)
	case ir.OpArange:
		x.info[res] = axisInfo{contig: []int{shape[0]}, div: []int{pow2Div(int64(op.Int("start")))}, cons: []int{1}}
	case ir.OpSplat:
		x.info[res] = uniformInfo(rank, x.scalarDiv(op.Args[0]), shape)
	case ir.OpExpandDims:
		a := x.get(op.Args[0])
		axis := op.Int("axis")
		ins := func(s []int, v int) []int {
			out := append([]int(nil), s[:axis]...)
			out = append(out, v)
			return append(out, s[axis:]...)
		}
		if len(a.contig) == 0 { // a scalar
			x.info[res] = uniformInfo(rank, a.div[0], shape)
			return
		}
		// Every element starts a run along the new dim, so its divisibility
		// is what all elements share: a dim with runs longer than one says
		// nothing about the elements inside the runs (Triton's rule).
		all := maxDiv
		for d := range a.div {
			if a.contig[d] > 1 {
				all = 1
			} else {
				all = gcd(all, a.div[d])
			}
		}
		x.info[res] = axisInfo{contig: ins(a.contig, 1), div: ins(a.div, all), cons: ins(a.cons, 1)}
	case ir.OpBroadcast:
		a := x.get(op.Args[0])
		in := shapeOf(op.Args[0].Type)
		out := axisInfo{contig: append([]int(nil), a.contig...), div: append([]int(nil), a.div...), cons: append([]int(nil), a.cons...)}
		for d := range shape {
			if in[d] == 1 && shape[d] != 1 {
				out.contig[d], out.cons[d] = 1, shape[d]
			}
		}
		x.info[res] = out
	case ir.OpAdd, ir.OpSub:
		a, b := x.get(op.Args[0]), x.get(op.Args[1])
		if rank == 0 {
			x.info[res] = axisInfo{div: []int{gcd(a.div[0], b.div[0])}}
			return
		}
		out := axisInfo{contig: make([]int, rank), div: make([]int, rank), cons: make([]int, rank)}
		for d := 0; d < rank; d++ {
			// A run of a plus a value constant over that run stays a run.
			c := gcd(a.contig[d], b.cons[d])
			if op.Code == ir.OpAdd {
				c = max(c, gcd(b.contig[d], a.cons[d]))
			}
			out.contig[d] = c
			out.div[d] = gcd(runDiv(a.contig[d], a.div[d], c), runDiv(b.contig[d], b.div[d], c))
			out.cons[d] = gcd(a.cons[d], b.cons[d])
		}
		x.info[res] = out
	case ir.OpMul:
		a, b := x.get(op.Args[0]), x.get(op.Args[1])
		if rank == 0 {
			d := min(a.div[0]*b.div[0], maxDiv)
			x.info[res] = axisInfo{div: []int{d}}
			if x.ones[op.Args[0]] && x.ones[op.Args[1]] {
				x.ones[res] = true
			}
			return
		}
		out := axisInfo{contig: make([]int, rank), div: make([]int, rank), cons: make([]int, rank)}
		aOne, bOne := x.isSplatOne(op.Args[0]), x.isSplatOne(op.Args[1])
		for d := 0; d < rank; d++ {
			out.contig[d] = 1
			switch {
			case bOne:
				out.contig[d] = a.contig[d]
			case aOne:
				out.contig[d] = b.contig[d]
			}
			c := out.contig[d]
			out.div[d] = min(runDiv(a.contig[d], a.div[d], c)*runDiv(b.contig[d], b.div[d], c), maxDiv)
			out.cons[d] = gcd(a.cons[d], b.cons[d])
		}
		x.info[res] = out
	case ir.OpAddPtr:
		a, b := x.get(op.Args[0]), x.get(op.Args[1])
		size := op.Args[0].Type.Elem.Size()
		if rank == 0 {
			x.info[res] = axisInfo{div: []int{gcd(a.div[0], min(b.div[0]*size, maxDiv))}}
			return
		}
		out := axisInfo{contig: make([]int, rank), div: make([]int, rank), cons: make([]int, rank)}
		for d := 0; d < rank; d++ {
			c := max(gcd(a.contig[d], b.cons[d]), gcd(b.contig[d], a.cons[d]))
			out.contig[d] = c
			out.div[d] = gcd(runDiv(a.contig[d], a.div[d], c*size), min(runDiv(b.contig[d], b.div[d], c)*size, maxDiv))
			out.cons[d] = gcd(a.cons[d], b.cons[d])
		}
		x.info[res] = out
	case ir.OpWhere:
		if rank == 0 { // a choice between two scalars keeps what both have
			a, b := x.get(op.Args[1]), x.get(op.Args[2])
			x.info[res] = axisInfo{div: []int{gcd(a.div[0], b.div[0])}}
			if x.isOne(op.Args[1]) && x.isOne(op.Args[2]) {
				x.ones[res] = true
			}
			return
		}
		fallthrough
	case ir.OpCmp, ir.OpAnd, ir.OpOr, ir.OpXor, ir.OpNot:
		// A result is constant where all operands are.
		out := axisInfo{contig: make([]int, rank), div: make([]int, rank), cons: make([]int, rank)}
		for d := 0; d < rank; d++ {
			out.contig[d], out.div[d], out.cons[d] = 1, 1, shape[d]
			for _, a := range op.Args {
				if a.Type.IsTile() {
					out.cons[d] = gcd(out.cons[d], x.cmpConstancy(op, a, d))
				}
			}
		}
		if rank > 0 {
			x.info[res] = out
		}
	case ir.OpCast:
		if op.Args[0].Type.IsInt() {
			x.info[res] = x.get(op.Args[0])
			if x.ones[op.Args[0]] {
				x.ones[res] = true
			}
		}
	}
}

// loop finds what the init and every iteration's yield share, starting
// from the inits and narrowing until nothing changes.
func (x *axisAnalysis) loop(op *ir.Op) {
	body := op.Regions[0]
	// The induction variable is start + i·step.
	x.info[body.Args[0]] = axisInfo{div: []int{gcd(x.scalarDiv(op.Args[0]), x.scalarDiv(op.Args[2]))}}
	args := body.Args[1:]
	for i, a := range args {
		if a.Type.Kind == ir.KindBlockPtr {
			x.bps[a] = x.bps[op.Args[3+i]]
			continue
		}
		x.info[a] = x.get(op.Args[3+i])
	}
	for iter := 0; iter < 4; iter++ {
		x.block(body)
		y := body.Terminator()
		changed := false
		for i, a := range args {
			if a.Type.Kind == ir.KindBlockPtr {
				m := x.bps[a].merge(x.bps[y.Args[i]])
				changed = changed || !m.equal(x.bps[a])
				x.bps[a] = m
				continue
			}
			old, ay := x.get(a), x.get(y.Args[i])
			m := axisInfo{contig: make([]int, len(old.contig)), div: make([]int, len(old.div)), cons: make([]int, len(old.cons))}
			for d := range m.div {
				m.div[d] = gcd(old.div[d], ay.div[d])
			}
			for d := range m.contig {
				m.contig[d] = gcd(old.contig[d], ay.contig[d])
				m.cons[d] = gcd(old.cons[d], ay.cons[d])
			}
			if !sameInfo(m, old) {
				changed = true
			}
			x.info[a] = m
		}
		if !changed {
			break
		}
	}
	for i, r := range op.Results {
		if r.Type.Kind == ir.KindBlockPtr {
			x.bps[r] = x.bps[args[i]]
			continue
		}
		x.info[r] = x.get(args[i])
	}
}

// scalarDivThroughCast is a scalar's divisibility, looking through
// integer casts.
func (x *axisAnalysis) scalarDivThroughCast(v *ir.Value) int {
	for v.Def != nil && v.Def.Code == ir.OpCast && v.Def.Args[0].Type.IsInt() {
		v = v.Def.Args[0]
	}
	return x.scalarDiv(v)
}

func sameInfo(a, b axisInfo) bool {
	return slices.Equal(a.contig, b.contig) && slices.Equal(a.div, b.div) && slices.Equal(a.cons, b.cons)
}

// cmpConstancy: a comparison of a run of consecutive values with a
// constant is constant over runs as long as the constant's divisibility.
func (x *axisAnalysis) cmpConstancy(op *ir.Op, a *ir.Value, d int) int {
	ai := x.get(a)
	if ai.cons[d] > 1 {
		return ai.cons[d]
	}
	if op.Code == ir.OpCmp && ai.contig[d] > 1 {
		// x < n with x in aligned runs and n a multiple of the run: the
		// run is all in or all out.
		other := op.Args[0]
		if other == a {
			other = op.Args[1]
		}
		oi := x.get(other)
		od := 1
		if other.Type.IsTile() {
			if oi.cons[d] >= ai.contig[d] {
				od = oi.div[d]
			}
		} else {
			od = oi.div[0]
		}
		return gcd(ai.contig[d], gcd(ai.div[d], od))
	}
	return 1
}

func (x *axisAnalysis) isSplatOne(v *ir.Value) bool {
	if v.Def != nil && (v.Def.Code == ir.OpSplat || v.Def.Code == ir.OpBroadcast || v.Def.Code == ir.OpExpandDims) {
		return x.ones[v.Def.Args[0]] || x.isSplatOne(v.Def.Args[0])
	}
	if v.Def != nil && v.Def.Code == ir.OpConstant {
		return v.Def.NumAttr("value").I == 1
	}
	return x.ones[v]
}
