package interp

import (
	"fmt"
	"math"
	"strings"

	"github.com/tilec/tilec/ir"
)

func init() {
	handlers = [ir.NumOpcodes]handler{
		ir.OpConstant:     execConstant,
		ir.OpConstexpr:    execConstexpr,
		ir.OpProgramID:    execProgramID,
		ir.OpNumPrograms:  execNumPrograms,
		ir.OpArange:       execArange,
		ir.OpSplat:        execSplat,
		ir.OpBroadcast:    execBroadcast,
		ir.OpExpandDims:   execSameData,
		ir.OpReshape:      execSameData,
		ir.OpTrans:        execTrans,
		ir.OpJoin:         execJoin,
		ir.OpSplit:        execSplit,
		ir.OpAddPtr:       execAddPtr,
		ir.OpLoad:         execLoad,
		ir.OpStore:        execStore,
		ir.OpAtomicRMW:    execAtomicRMW,
		ir.OpAtomicCAS:    execAtomicCAS,
		ir.OpMakeBlockPtr: execMakeBlockPtr,
		ir.OpAdvance:      execAdvance,
		ir.OpBlockLoad:    execBlockLoad,
		ir.OpBlockStore:   execBlockStore,
		ir.OpReduce:       execReduce,
		ir.OpScan:         execScan,
		ir.OpDot:          execDot,
		ir.OpFor:          execFor,
		ir.OpIf:           execIf,
		ir.OpWhile:        execWhile,
		ir.OpPrint:        execPrint,
		ir.OpAssert:       execAssert,
	}
	addGPUHandlers()
}

func scalar(n ir.Num) *value { return &value{d: []ir.Num{n}} }

func execConstant(m *machine, op *ir.Op) error {
	r := op.Results[0]
	d := make([]ir.Num, numel(r.Type))
	c := op.NumAttr("value")
	for i := range d {
		d[i] = c
	}
	m.set(r, &value{d: d})
	return nil
}

func execConstexpr(m *machine, op *ir.Op) error {
	return m.fault(op, "constexpr %s is unbound", op.Str("name"))
}

func execProgramID(m *machine, op *ir.Op) error {
	m.set(op.Results[0], scalar(ir.Num{I: int64(m.pid[op.Int("axis")])}))
	return nil
}

func execNumPrograms(m *machine, op *ir.Op) error {
	m.set(op.Results[0], scalar(ir.Num{I: int64(m.grid[op.Int("axis")])}))
	return nil
}

func execArange(m *machine, op *ir.Op) error {
	start, end := op.Int("start"), op.DimAttr("end").N
	d := make([]ir.Num, end-start)
	for i := range d {
		d[i].I = int64(start + i)
	}
	m.set(op.Results[0], &value{d: d})
	return nil
}

func execSplat(m *machine, op *ir.Op) error {
	x := m.get(op.Args[0]).d[0]
	d := make([]ir.Num, numel(op.Results[0].Type))
	for i := range d {
		d[i] = x
	}
	m.set(op.Results[0], &value{d: d})
	return nil
}

func execBroadcast(m *machine, op *ir.Op) error {
	x := m.get(op.Args[0]).d
	in, out := op.Args[0].Type.Shape.Ints(), op.Results[0].Type.Shape.Ints()
	st := strides(in)
	for k, n := range in {
		if n == 1 {
			st[k] = 0 // a repeated dim: every output index reads element 0
		}
	}
	d := make([]ir.Num, numel(op.Results[0].Type))
	gatherStrided(d, x, out, st)
	m.set(op.Results[0], &value{d: d})
	return nil
}

// gatherStrided fills d (row-major over dims) with x[sum(idx[k]*st[k])],
// walking the multi-index like an odometer instead of dividing per element.
func gatherStrided(d, x []ir.Num, dims, st []int) {
	idx := make([]int, len(dims))
	off := 0
	for i := range d {
		d[i] = x[off]
		for k := len(dims) - 1; k >= 0; k-- {
			idx[k]++
			off += st[k]
			if idx[k] < dims[k] {
				break
			}
			off -= st[k] * idx[k]
			idx[k] = 0
		}
	}
}

// execSameData covers ops that only retype row-major data.
func execSameData(m *machine, op *ir.Op) error {
	m.set(op.Results[0], m.get(op.Args[0]))
	return nil
}

func execTrans(m *machine, op *ir.Op) error {
	x := m.get(op.Args[0]).d
	in, out := op.Args[0].Type.Shape.Ints(), op.Results[0].Type.Shape.Ints()
	inStrides := strides(in)
	st := make([]int, len(out))
	for k, p := range op.Ints("perm") {
		st[k] = inStrides[p]
	}
	d := make([]ir.Num, len(x))
	gatherStrided(d, x, out, st)
	m.set(op.Results[0], &value{d: d})
	return nil
}

func execJoin(m *machine, op *ir.Op) error {
	a, b := m.get(op.Args[0]).d, m.get(op.Args[1]).d
	d := make([]ir.Num, 2*len(a))
	for i := range a {
		d[2*i], d[2*i+1] = a[i], b[i]
	}
	m.set(op.Results[0], &value{d: d})
	return nil
}

func execSplit(m *machine, op *ir.Op) error {
	x := m.get(op.Args[0]).d
	a, b := make([]ir.Num, len(x)/2), make([]ir.Num, len(x)/2)
	for i := range a {
		a[i], b[i] = x[2*i], x[2*i+1]
	}
	m.set(op.Results[0], &value{d: a})
	m.set(op.Results[1], &value{d: b})
	return nil
}

func execAddPtr(m *machine, op *ir.Op) error {
	p, off := m.get(op.Args[0]).d, m.get(op.Args[1]).d
	size := int64(op.Args[0].Type.Elem.Size())
	d := make([]ir.Num, len(p))
	for i := range d {
		d[i].I = p[i].I + off[i].I*size
	}
	m.set(op.Results[0], &value{d: d})
	return nil
}

// read and write move one element between memory and a Num.
func (m *machine) read(op *ir.Op, t ir.DType, addr int64, lane int) (ir.Num, error) {
	b, err := m.mem.slice(uint64(addr), t.Size())
	if err != nil {
		return ir.Num{}, m.fault(op, "lane %d: %v", lane, err)
	}
	if t.IsFloat() {
		return ir.Num{F: t.Decode(b)}, nil
	}
	return ir.Num{I: t.DecodeInt(b)}, nil
}

func (m *machine) write(op *ir.Op, t ir.DType, addr int64, lane int, v ir.Num) error {
	b, err := m.mem.slice(uint64(addr), t.Size())
	if err != nil {
		return m.fault(op, "lane %d: %v", lane, err)
	}
	if addr%int64(t.Size()) != 0 {
		return m.fault(op, "lane %d: address %#x is not aligned to %d bytes", lane, addr, t.Size())
	}
	if t.IsFloat() {
		t.Encode(b, v.F)
	} else {
		t.EncodeInt(b, v.I)
	}
	return nil
}

// optional returns operand i's data, or nil when the op does not have it.
func (m *machine) optional(op *ir.Op, i int) []ir.Num {
	if len(op.Args) > i {
		return m.get(op.Args[i]).d
	}
	return nil
}

func execLoad(m *machine, op *ir.Op) error {
	p := m.get(op.Args[0]).d
	mask, other := m.optional(op, 1), m.optional(op, 2)
	t := op.Results[0].Type.Elem
	d := make([]ir.Num, len(p))
	for i := range d {
		if mask != nil && mask[i].I == 0 {
			if other != nil {
				d[i] = other[i]
			}
			continue
		}
		if p[i].I%int64(t.Size()) != 0 {
			return m.fault(op, "lane %d: address %#x is not aligned to %d bytes", i, p[i].I, t.Size())
		}
		v, err := m.read(op, t, p[i].I, i)
		if err != nil {
			return err
		}
		d[i] = v
	}
	m.set(op.Results[0], &value{d: d})
	return nil
}

func execStore(m *machine, op *ir.Op) error {
	p, v, mask := m.get(op.Args[0]).d, m.get(op.Args[1]).d, m.optional(op, 2)
	t := op.Args[0].Type.Elem
	for i := range p {
		if mask != nil && mask[i].I == 0 {
			continue
		}
		if err := m.write(op, t, p[i].I, i, v[i]); err != nil {
			return err
		}
	}
	return nil
}

func execAtomicRMW(m *machine, op *ir.Op) error {
	p, v, mask := m.get(op.Args[0]).d, m.get(op.Args[1]).d, m.optional(op, 2)
	t, kind := op.Args[0].Type.Elem, op.Str("kind")
	old := make([]ir.Num, len(p))
	for i := range p {
		if mask != nil && mask[i].I == 0 {
			continue
		}
		o, err := m.read(op, t, p[i].I, i)
		if err != nil {
			return err
		}
		old[i] = o
		if err := m.write(op, t, p[i].I, i, ir.EvalAtomic(kind, t, o, v[i])); err != nil {
			return err
		}
	}
	m.set(op.Results[0], &value{d: old})
	return nil
}

func execAtomicCAS(m *machine, op *ir.Op) error {
	p, c, v := m.get(op.Args[0]).d, m.get(op.Args[1]).d, m.get(op.Args[2]).d
	t := op.Args[0].Type.Elem
	old := make([]ir.Num, len(p))
	for i := range p {
		o, err := m.read(op, t, p[i].I, i)
		if err != nil {
			return err
		}
		old[i] = o
		if o.I == c[i].I {
			if err := m.write(op, t, p[i].I, i, v[i]); err != nil {
				return err
			}
		}
	}
	m.set(op.Results[0], &value{d: old})
	return nil
}

func execMakeBlockPtr(m *machine, op *ir.Op) error {
	t := op.Results[0].Type
	r := t.Shape.Rank
	bp := &blockPtr{base: uint64(m.get(op.Args[0]).d[0].I), elem: t.Elem, block: t.Shape.Ints()}
	for i := 0; i < r; i++ {
		bp.shape = append(bp.shape, m.get(op.Args[1+i]).d[0].I)
		bp.strides = append(bp.strides, m.get(op.Args[1+r+i]).d[0].I)
		bp.offsets = append(bp.offsets, m.get(op.Args[1+2*r+i]).d[0].I)
	}
	m.set(op.Results[0], &value{bp: bp})
	return nil
}

func execAdvance(m *machine, op *ir.Op) error {
	old := m.get(op.Args[0]).bp
	bp := *old
	bp.offsets = append([]int64(nil), old.offsets...)
	for i := range bp.offsets {
		bp.offsets[i] += m.get(op.Args[1+i]).d[0].I
	}
	m.set(op.Results[0], &value{bp: &bp})
	return nil
}

// blockAddrs visits each element of a block: its flat index, its address,
// and whether a boundary-checked dim puts it outside the tensor.
func blockAddrs(bp *blockPtr, check []int, fn func(i int, addr int64, outside bool) error) error {
	n := 1
	for _, b := range bp.block {
		n *= b
	}
	checked := make([]bool, len(bp.block))
	for _, c := range check {
		checked[c] = true
	}
	size := int64(bp.elem.Size())
	idx := make([]int, len(bp.block))
	for i := 0; i < n; i++ {
		unravel(i, bp.block, idx)
		addr := int64(bp.base)
		outside := false
		for d, k := range idx {
			c := bp.offsets[d] + int64(k)
			if checked[d] && (c < 0 || c >= bp.shape[d]) {
				outside = true
			}
			addr += c * bp.strides[d] * size
		}
		if err := fn(i, addr, outside); err != nil {
			return err
		}
	}
	return nil
}

func execBlockLoad(m *machine, op *ir.Op) error {
	bp := m.get(op.Args[0]).bp
	pad := ir.Num{}
	if op.Str("padding") == "nan" {
		pad.F = math.NaN()
	}
	d := make([]ir.Num, numel(op.Results[0].Type))
	err := blockAddrs(bp, op.Ints("boundary_check"), func(i int, addr int64, outside bool) error {
		if outside {
			d[i] = pad
			return nil
		}
		v, err := m.read(op, bp.elem, addr, i)
		d[i] = v
		return err
	})
	if err != nil {
		return err
	}
	m.set(op.Results[0], &value{d: d})
	return nil
}

func execBlockStore(m *machine, op *ir.Op) error {
	bp, v := m.get(op.Args[0]).bp, m.get(op.Args[1]).d
	return blockAddrs(bp, op.Ints("boundary_check"), func(i int, addr int64, outside bool) error {
		if outside {
			return nil
		}
		return m.write(op, bp.elem, addr, i, v[i])
	})
}

// axisSplit returns the sizes before, along and after axis.
func axisSplit(dims []int, axis int) (outer, n, inner int) {
	outer, inner = 1, 1
	for i, d := range dims {
		switch {
		case i < axis:
			outer *= d
		case i > axis:
			inner *= d
		}
	}
	return outer, dims[axis], inner
}

// slices cuts operand data into the slices along axis: slice k holds the
// outer*inner elements with axis index k.
func slices(x []ir.Num, outer, n, inner int) [][]ir.Num {
	out := make([][]ir.Num, n)
	for k := range out {
		s := make([]ir.Num, outer*inner)
		for o := 0; o < outer; o++ {
			copy(s[o*inner:(o+1)*inner], x[(o*n+k)*inner:(o*n+k+1)*inner])
		}
		out[k] = s
	}
	return out
}

// combineSlices runs the combine region over whole slices at once.
func (m *machine) combine(op *ir.Op, acc, x [][]ir.Num) ([][]ir.Num, error) {
	args := make([]*value, 0, 2*len(acc))
	for _, a := range acc {
		args = append(args, &value{d: a})
	}
	for _, a := range x {
		args = append(args, &value{d: a})
	}
	ys, err := m.region(op.Regions[0], args)
	if err != nil {
		return nil, err
	}
	out := make([][]ir.Num, len(ys))
	for i, y := range ys {
		out[i] = y.d
		if len(y.d) == 1 && len(acc[i]) > 1 { // the region yielded a constant
			out[i] = make([]ir.Num, len(acc[i]))
			for j := range out[i] {
				out[i][j] = y.d[0]
			}
		}
	}
	return out, nil
}

func execReduce(m *machine, op *ir.Op) error {
	dims := op.Args[0].Type.Shape.Ints()
	outer, n, inner := axisSplit(dims, op.Int("axis"))
	cut := make([][][]ir.Num, len(op.Args))
	for i, a := range op.Args {
		cut[i] = slices(m.get(a).d, outer, n, inner)
	}
	at := func(k int) [][]ir.Num {
		s := make([][]ir.Num, len(cut))
		for i := range cut {
			s[i] = cut[i][k]
		}
		return s
	}
	acc := at(0)
	for k := 1; k < n; k++ {
		var err error
		if acc, err = m.combine(op, acc, at(k)); err != nil {
			return err
		}
	}
	for i, r := range op.Results {
		m.set(r, &value{d: acc[i]})
	}
	return nil
}

func execScan(m *machine, op *ir.Op) error {
	dims := op.Args[0].Type.Shape.Ints()
	outer, n, inner := axisSplit(dims, op.Int("axis"))
	cut := make([][][]ir.Num, len(op.Args))
	for i, a := range op.Args {
		cut[i] = slices(m.get(a).d, outer, n, inner)
	}
	outs := make([][]ir.Num, len(op.Args))
	for i := range outs {
		outs[i] = make([]ir.Num, outer*n*inner)
	}
	order := make([]int, n)
	for k := range order {
		order[k] = k
		if op.Int("reverse") == 1 {
			order[k] = n - 1 - k
		}
	}
	var acc [][]ir.Num
	for step, k := range order {
		cur := make([][]ir.Num, len(cut))
		for i := range cut {
			cur[i] = cut[i][k]
		}
		if step == 0 {
			acc = cur
		} else {
			var err error
			if acc, err = m.combine(op, acc, cur); err != nil {
				return err
			}
		}
		for i := range outs {
			for o := 0; o < outer; o++ {
				copy(outs[i][(o*n+k)*inner:(o*n+k+1)*inner], acc[i][o*inner:(o+1)*inner])
			}
		}
	}
	for i, r := range op.Results {
		m.set(r, &value{d: outs[i]})
	}
	return nil
}

func execDot(m *machine, op *ir.Op) error {
	a, b, c := m.get(op.Args[0]).d, m.get(op.Args[1]).d, m.get(op.Args[2]).d
	ad := op.Args[0].Type.Shape.Ints()
	M, K, N := ad[0], ad[1], op.Args[1].Type.Shape.Ints()[1]
	d := make([]ir.Num, M*N)
	for i := 0; i < M; i++ {
		for j := 0; j < N; j++ {
			s := 0.0
			for k := 0; k < K; k++ {
				s += a[i*K+k].F * b[k*N+j].F
			}
			d[i*N+j].F = float64(float32(c[i*N+j].F + s))
		}
	}
	m.set(op.Results[0], &value{d: d})
	return nil
}

func execFor(m *machine, op *ir.Op) error {
	lb, ub, step := m.get(op.Args[0]).d[0].I, m.get(op.Args[1]).d[0].I, m.get(op.Args[2]).d[0].I
	carried := make([]*value, len(op.Args)-3)
	for i, a := range op.Args[3:] {
		carried[i] = m.get(a)
	}
	if step <= 0 && lb < ub {
		return m.fault(op, "step %d is not positive", step)
	}
	ivType := op.Args[0].Type.Elem
	for iv := lb; iv < ub; iv = ivType.Wrap(iv + step) {
		args := append([]*value{scalar(ir.Num{I: iv})}, carried...)
		ys, err := m.region(op.Regions[0], args)
		if err != nil {
			return err
		}
		carried = ys
		if ivType.Wrap(iv+step) <= iv { // the induction variable wrapped around
			break
		}
	}
	for i, r := range op.Results {
		m.set(r, carried[i])
	}
	return nil
}

func execIf(m *machine, op *ir.Op) error {
	r := op.Regions[1]
	if m.get(op.Args[0]).d[0].I != 0 {
		r = op.Regions[0]
	}
	ys, err := m.region(r, nil)
	if err != nil {
		return err
	}
	for i, res := range op.Results {
		m.set(res, ys[i])
	}
	return nil
}

func execWhile(m *machine, op *ir.Op) error {
	carried := make([]*value, len(op.Args))
	for i, a := range op.Args {
		carried[i] = m.get(a)
	}
	for iter := 0; ; iter++ {
		if iter == m.opts.MaxWhileIterations {
			return m.fault(op, "ran %d iterations without stopping", iter)
		}
		ys, err := m.region(op.Regions[0], carried)
		if err != nil {
			return err
		}
		passed := ys[1:]
		if ys[0].d[0].I == 0 {
			for i, r := range op.Results {
				m.set(r, passed[i])
			}
			return nil
		}
		if carried, err = m.region(op.Regions[1], passed); err != nil {
			return err
		}
	}
}

func execPrint(m *machine, op *ir.Op) error {
	var sb strings.Builder
	fmt.Fprintf(&sb, "pid (%d, %d, %d) %s", m.pid[0], m.pid[1], m.pid[2], op.Str("prefix"))
	for _, a := range op.Args {
		v := m.get(a).d
		float := a.Type.IsFloat()
		parts := make([]string, len(v))
		for i, x := range v {
			if float {
				parts[i] = fmt.Sprint(x.F)
			} else {
				parts[i] = fmt.Sprint(x.I)
			}
		}
		if a.Type.IsTile() {
			fmt.Fprintf(&sb, " [%s]", strings.Join(parts, " "))
		} else {
			fmt.Fprintf(&sb, " %s", parts[0])
		}
	}
	fmt.Fprintln(m.opts.Stdout, sb.String())
	return nil
}

func execAssert(m *machine, op *ir.Op) error {
	for i, c := range m.get(op.Args[0]).d {
		if c.I == 0 {
			return m.fault(op, "assertion failed at lane %d: %s", i, op.Str("msg"))
		}
	}
	return nil
}
