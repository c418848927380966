package ir

import (
	"errors"
	"fmt"

	"github.com/tilec/tilec/layout"
)

// The GPU level's rules: which layouts each op accepts (OpInfo.Layouts),
// the scratch shared memory an op's lowering needs (OpInfo.Scratch), and
// the checks of the GPU ops. Every tile value at the GPU level has a
// layout (the verifier checks that for all values); these rules check how
// an op's layouts relate.

// ElemBytes is the size of an element of t in registers and memory
// (pointers are 8 bytes).
func ElemBytes(t Type) int {
	if t.Kind == KindPtr {
		return 8
	}
	return t.Elem.Size()
}

// SharedSize is the size in bytes of a shared buffer of type t, padding
// included.
func (t Type) SharedSize() int {
	return t.Shared.Elems(t.Shape.Ints()) * t.Elem.Size()
}

// layoutsAny accepts any layouts.
func layoutsAny(*Op, *Func) error { return nil }

// layoutsSame: every tile operand and result has one layout (elementwise
// ops compute register by register).
func layoutsSame(op *Op, _ *Func) error {
	var first *Value
	check := func(v *Value) error {
		if !v.Type.IsTile() {
			return nil
		}
		if first == nil {
			first = v
			return nil
		}
		if v.Type.Layout != first.Type.Layout {
			return fmt.Errorf("layouts differ: %s and %s", first.Type, v.Type)
		}
		return nil
	}
	for _, a := range op.Args {
		if err := check(a); err != nil {
			return err
		}
	}
	for _, r := range op.Results {
		if err := check(r); err != nil {
			return err
		}
	}
	return nil
}

// ViewOperandLayout is the layout the operand of a view op (broadcast,
// expand_dims, reshape, trans) must have for the view to move no data
// when its result is in l: register r of the result is register r of the
// operand.
func ViewOperandLayout(op *Op, l *layout.Linear) *layout.Linear {
	in := op.Args[0].Type.Shape.Ints()
	switch op.Code {
	case OpExpandDims:
		return l.DropDim(op.Int("axis"))
	case OpBroadcast:
		return l.Restrict(in)
	case OpReshape:
		return l.Reshape(in)
	case OpTrans:
		perm := op.Ints("perm")
		inv := make([]int, len(perm))
		for i, p := range perm {
			inv[p] = i
		}
		return l.Permute(inv)
	}
	panic("ir: ViewOperandLayout of " + op.Name())
}

func layoutsView(op *Op, _ *Func) error {
	x := op.Args[0]
	if !x.Type.IsTile() {
		return nil
	}
	if want := ViewOperandLayout(op, op.Results[0].Type.Layout); !x.Type.Layout.Equal(want) {
		return fmt.Errorf("operand %s is not in the layout the result's needs: %s", x.Type, want)
	}
	return nil
}

func layoutsJoin(op *Op, f *Func) error {
	a := op.Args[0].Type.Layout
	if op.Args[1].Type.Layout != a {
		return fmt.Errorf("operand layouts differ: %s and %s", op.Args[0].Type, op.Args[1].Type)
	}
	if r := op.Results[0].Type.Layout; !r.Equal(a.Join()) {
		return fmt.Errorf("result %s is not in join<%s>", op.Results[0].Type, a)
	}
	return nil
}

// SplitsInRegisters reports whether l holds both halves of its last dim
// (of size 2) in one thread, which split needs.
func SplitsInRegisters(l *layout.Linear) bool {
	last := l.Rank() - 1
	for _, b := range l.Regs {
		if b[last] == 1 {
			return true
		}
	}
	return false
}

func layoutsSplit(op *Op, _ *Func) error {
	x := op.Args[0].Type.Layout
	if !SplitsInRegisters(x) {
		return fmt.Errorf("operand %s does not hold its last dim in registers", op.Args[0].Type)
	}
	want := x.Slice(x.Rank() - 1)
	for _, r := range op.Results {
		if !r.Type.Layout.Equal(want) {
			return fmt.Errorf("result %s is not in %s", r.Type, want)
		}
	}
	return nil
}

// checkVec checks a vector width of registers for elements of esz bytes in
// layout l: a power of two, at most 16 bytes, within the register run.
func checkVec(op *Op, l *layout.Linear, esz int) error {
	if !op.HasAttr("vec") {
		return nil
	}
	v := op.Int("vec")
	if v < 1 || v&(v-1) != 0 || v*esz > 16 {
		return fmt.Errorf("vec %d: want a power of two of at most 16 bytes", v)
	}
	if l == nil {
		if v != 1 {
			return fmt.Errorf("vec %d on a scalar access", v)
		}
		return nil
	}
	if _, n := l.RegRun(); v > n {
		return fmt.Errorf("vec %d: %s holds runs of %d registers", v, l, n)
	}
	return nil
}

func layoutsAccess(op *Op, f *Func) error {
	var l *layout.Linear
	var esz int
	switch op.Code {
	case OpLoad, OpStore:
		if err := layoutsSame(op, f); err != nil {
			return err
		}
		l, esz = op.Args[0].Type.Layout, op.Args[0].Type.Elem.Size()
	case OpBlockLoad:
		l, esz = op.Results[0].Type.Layout, op.Results[0].Type.Elem.Size()
	case OpBlockStore:
		l, esz = op.Args[1].Type.Layout, op.Args[1].Type.Elem.Size()
	}
	return checkVec(op, l, esz)
}

func layoutsReduce(op *Op, f *Func) error {
	x := op.Args[0].Type.Layout
	for _, a := range op.Args {
		if a.Type.Layout != x {
			return fmt.Errorf("operand layouts differ: %s and %s", op.Args[0].Type, a.Type)
		}
	}
	want := x.Slice(op.Int("axis"))
	for _, r := range op.Results {
		if !r.Type.Layout.Equal(want) {
			return fmt.Errorf("result %s is not in %s", r.Type, want)
		}
	}
	return nil
}

// ScanOrdered reports whether l lays out dim axis as a scan needs: its
// low coordinate bits in registers, then lanes, then warps (each thread
// scans its registers, then the lanes, then the warps).
func ScanOrdered(l *layout.Linear, axis int) bool {
	top := 0
	for _, group := range [][][]int{l.Regs, l.Lanes, l.Warps} {
		hi := 0
		for _, b := range group {
			if b[axis] != 0 {
				if b[axis] < top {
					return false
				}
				hi = max(hi, b[axis])
			}
		}
		top = max(top, hi)
	}
	return true
}

func layoutsScan(op *Op, f *Func) error {
	if err := layoutsSame(op, f); err != nil {
		return err
	}
	if x := op.Args[0].Type.Layout; !ScanOrdered(x, op.Int("axis")) {
		return fmt.Errorf("%s does not hold dim %d in registers, then lanes, then warps", x, op.Int("axis"))
	}
	return nil
}

// UsesMMA reports whether a dot of a and b's element type runs on
// mma.sync for the kernel's target.
func (g *GPUInfo) UsesMMA(elem DType) bool {
	return g.SM >= 80 && (elem == F16 || elem == BF16)
}

// UsesWGMMA reports whether a dot of an [m, k] by [k, n] product of elem
// runs on Hopper's wgmma.mma_async m64nNk16 (sm_90a): f16/bf16, whole
// warpgroups, all warps along M with m a multiple of 16 rows per warp (so
// the mma accumulator layout is the warpgroups' m64 tiles, in the same
// registers), n a multiple of 8 up to 256. Other dots use mma.sync.
func (g *GPUInfo) UsesWGMMA(elem DType, m, n, k, numWarps int) bool {
	return g.SM == 90 && g.Specific && g.UsesMMA(elem) && numWarps%4 == 0 &&
		m%(16*numWarps) == 0 && n%8 == 0 && n <= 256 && k%16 == 0
}

// WGMMAShared checks that a shared operand of wgmma is a layout its matrix
// descriptors can name: swizzled with a span of 32, 64 or 128 bytes (rows
// longer than 128 bytes cut into blocks).
func WGMMAShared(t Type) error {
	s := t.Shared
	if !s.Swizzled {
		return fmt.Errorf("wgmma reads swizzled buffers, not %s", s)
	}
	shape := t.Shape.Ints()
	row := 2 * shape[s.Fast]
	if s.Block == 0 && row > 128 || row < 32 || s.Block != 0 && row%(2*s.Block) != 0 {
		return fmt.Errorf("wgmma cannot read %s rows of %d bytes (32 to 128, or blocks of 128)", s, row)
	}
	return nil
}

// DotLayouts returns the layouts of a dot's A and B operands and its
// accumulator for an [m, k] x [k, n] product: mma.sync fragments for
// f16/bf16 on sm_80 and newer, else FMA operands of the default blocked
// accumulator.
func DotLayouts(f *Func, elem DType, m, k, n int) (a, b, c *layout.Linear, err error) {
	nw := f.NumWarps
	if f.GPU.UsesMMA(elem) {
		w := layout.MMAWarps(m, n, nw)
		if c, err = layout.MMA(m, n, w, nw); err != nil {
			return nil, nil, nil, err
		}
		if a, err = layout.DotA(m, k, w, nw); err != nil {
			return nil, nil, nil, err
		}
		if b, err = layout.DotB(k, n, w, nw); err != nil {
			return nil, nil, nil, err
		}
		return a, b, c, nil
	}
	c = layout.DefaultBlocked([]int{m, n}, nw, 4)
	return layout.DotFMA(c, 0, k), layout.DotFMA(c, 1, k), c, nil
}

func layoutsDot(op *Op, f *Func) error {
	at, bt, ct, rt := op.Args[0].Type, op.Args[1].Type, op.Args[2].Type, op.Results[0].Type
	m, k, n := at.Shape.Dims[0].N, at.Shape.Dims[1].N, bt.Shape.Dims[1].N
	la, lb, lc, err := DotLayouts(f, at.Elem, m, k, n)
	if err != nil {
		return err
	}
	if ct.Layout != rt.Layout || !rt.Layout.Equal(lc) {
		return fmt.Errorf("accumulator %s and result %s must be in %s", ct, rt, lc)
	}
	wgmma := f.GPU.UsesWGMMA(at.Elem, m, n, k, f.NumWarps)
	for i, x := range []struct {
		t    Type
		want *layout.Linear
	}{{at, la}, {bt, lb}} {
		switch {
		case wgmma && x.t.IsShared():
			if err := WGMMAShared(x.t); err != nil {
				return fmt.Errorf("operand %d %s: %w", i, x.t, err)
			}
		case wgmma && i == 1 && (op.Args[1].Def == nil || op.Args[1].Def.Code != OpConvertLayout):
			// A conversion is what the exchange pass turns into a buffer.
			return fmt.Errorf("operand 1 %s: wgmma reads B from shared memory", x.t)
		case x.t.IsShared():
			if !f.GPU.UsesMMA(at.Elem) || !x.t.Shared.Swizzled {
				return fmt.Errorf("operand %d %s: only mma operands are read from shared memory, swizzled", i, x.t)
			}
		case !x.t.Layout.Equal(x.want):
			return fmt.Errorf("operand %d %s is not in %s", i, x.t, x.want)
		}
	}
	return nil
}

// scratchCombine is the shared memory a reduce or scan needs when dim
// axis spans warps: a slot per operand, warp and result element.
func scratchCombine(op *Op) int {
	x := op.Args[0].Type.Layout
	if x == nil {
		return 0
	}
	axis := op.Int("axis")
	nw := 1
	for _, b := range x.Warps {
		if b[axis] != 0 {
			nw *= 2
		}
	}
	if nw == 1 {
		return 0
	}
	elems := 1
	for d, s := range x.Shape {
		if d != axis {
			elems *= s
		}
	}
	return len(op.Args) * nw * elems * CombineSlotBytes(op)
}

// CombineSlotBytes is the size of the shared-memory slots that carry a
// reduce's or scan's partial results between warps: the widest operand's,
// so that lanes reading consecutive elements hit consecutive banks.
func CombineSlotBytes(op *Op) int {
	esz := 1
	for _, a := range op.Args {
		esz = max(esz, ElemBytes(a.Type))
	}
	return esz
}

func scratchReduce(op *Op) int { return scratchCombine(op) }

func scratchScan(op *Op) int { return scratchCombine(op) }

// AtomicExchange is how an atomic in layout l hands the old values from
// the threads that performed it (one per element) to the ones holding
// copies of the element; ok is false when no thread holds a copy.
func AtomicExchange(t Type) (x layout.Exchange, ok bool) {
	l := t.Layout
	if l == nil || l.LaneBroadcast() == 0 && l.WarpBroadcast() == 0 {
		return layout.Exchange{}, false
	}
	return layout.PlanExchange(l, l, ElemBytes(t), t.Kind != KindPtr && t.Elem != I1), true
}

// scratchAtomic: a scalar atomic's old value goes from thread 0 to all
// through 8 bytes; a tile's, from the performing threads to the copies.
func scratchAtomic(op *Op) int {
	t := op.Results[0].Type
	if !t.IsTile() {
		return 8
	}
	x, ok := AtomicExchange(t)
	if !ok {
		return 0
	}
	return x.Buffer.Elems(t.Shape.Ints()) * ElemBytes(t)
}

// --- the GPU ops' checks ------------------------------------------------------

func checkConvert(op *Op) error {
	in, out := op.Args[0].Type, op.Results[0].Type
	if !in.IsTile() || in.Tiled() != out.Tiled() {
		return fmt.Errorf("converts a tile to the same tile in another layout, not %s to %s", in, out)
	}
	return nil
}

// checkShared checks a shared buffer type.
func checkShared(t Type) error {
	if t.Kind != KindShared {
		return fmt.Errorf("%s is not a shared buffer", t)
	}
	if err := checkRank(t.Shape.Rank); err != nil {
		return err
	}
	if s := t.Shared; s.Swizzled && (t.Elem.Size() != 2 || t.Shape.Rank < 2) {
		return fmt.Errorf("%s: swizzled buffers hold 2-D tiles of 16-bit elements", t)
	}
	return nil
}

func checkLocalAlloc(op *Op) error {
	if err := checkShared(op.Results[0].Type); err != nil {
		return err
	}
	if op.HasAttr("offset") {
		if o := op.Int("offset"); o < 0 || o%16 != 0 {
			return fmt.Errorf("offset %d is not a multiple of 16", o)
		}
	}
	return nil
}

func inferLocalIndex(op *Op) ([]Type, error) {
	b, i := op.Args[0].Type, op.Args[1].Type
	if err := checkShared(b); err != nil {
		return nil, err
	}
	if b.Shape.Rank < 2 {
		return nil, fmt.Errorf("%s has no leading dim to index", b)
	}
	if i != Scalar(I32) {
		return nil, fmt.Errorf("index is %s, want i32", i)
	}
	out := b
	out.Shape = ShapeOf(b.Shape.Slice()[1:]...)
	return one(out)
}

// SharedElem is how an element of tile t is kept in shared memory:
// pointers as 64-bit integers, i1 as bytes, the rest as they are.
func SharedElem(t Type) DType {
	switch {
	case t.Kind == KindPtr:
		return I64
	case t.Elem == I1:
		return I8
	}
	return t.Elem
}

// sameTile checks that tile t and buffer b hold the same elements.
func sameTile(t, b Type) error {
	if err := checkShared(b); err != nil {
		return err
	}
	if !t.IsTile() || SharedElem(t) != b.Elem || t.Shape != b.Shape {
		return fmt.Errorf("%s does not fit the buffer %s", t, b)
	}
	return nil
}

func checkVecAttr(op *Op, esz int) error {
	if v := op.Int("vec"); v < 1 || v&(v-1) != 0 || v*esz > 16 {
		return fmt.Errorf("vec %d: want a power of two of at most 16 bytes", v)
	}
	return nil
}

func checkLocalStore(op *Op) error {
	v, b := op.Args[0].Type, op.Args[1].Type
	if err := sameTile(v, b); err != nil {
		return err
	}
	return checkVecAttr(op, v.Elem.Size())
}

// layoutsLocalAccess: vec registers move as one access only where they
// are consecutive in the buffer: along the fast dim of a swizzled buffer,
// along the rows of a padded one, anywhere in a dense one (which is seen
// as one dim, rows after rows).
func layoutsLocalAccess(op *Op, _ *Func) error {
	var t, b Type
	if op.Code == OpLocalStore {
		t, b = op.Args[0].Type, op.Args[1].Type
	} else {
		t, b = op.Results[0].Type, op.Args[0].Type
	}
	v := op.Int("vec")
	if v == 1 {
		return nil
	}
	l, want := t.Layout, t.Rank()-1
	switch {
	case b.Shared.Swizzled:
		want = b.Shared.Fast
	case b.Shared.Pad == 0:
		l, want = l.Reshape([]int{t.Shape.Numel()}), 0
	}
	if d, n := l.RegRun(); d != want || n < v {
		return fmt.Errorf("vec %d: %s does not hold runs of %d registers along dim %d of %s", v, t, v, want, b)
	}
	return nil
}

func checkLocalLoad(op *Op) error {
	b, r := op.Args[0].Type, op.Results[0].Type
	if err := sameTile(r, b); err != nil {
		return err
	}
	if b.Shared.Swizzled {
		return fmt.Errorf("reads dense or padded buffers; %s is swizzled (ldmatrix reads those)", b)
	}
	return checkVecAttr(op, r.Elem.Size())
}

func checkLdmatrix(op *Op) error {
	b, r := op.Args[0].Type, op.Results[0].Type
	if err := sameTile(r, b); err != nil {
		return err
	}
	if !b.Shared.Swizzled {
		return fmt.Errorf("reads swizzled buffers, not %s", b)
	}
	if s := b.Shape.Ints(); s[0] < 16 || s[1] < 16 {
		return fmt.Errorf("%s is smaller than 16x16", b)
	}
	if w := op.Ints("warps"); len(w) != 2 || !isPow2(w[0]) || !isPow2(w[1]) {
		return fmt.Errorf("warps %v: want two powers of two", w)
	}
	return nil
}

func layoutsLdmatrix(op *Op, f *Func) error {
	r := op.Results[0].Type
	s, w := r.Shape.Ints(), op.Ints("warps")
	warps := [2]int{w[0], w[1]}
	var want *layout.Linear
	var err error
	if op.Str("operand") == "A" {
		want, err = layout.DotA(s[0], s[1], warps, f.NumWarps)
	} else {
		want, err = layout.DotB(s[0], s[1], warps, f.NumWarps)
	}
	if err != nil {
		return err
	}
	if !r.Layout.Equal(want) {
		return fmt.Errorf("result %s is not in %s", r, want)
	}
	return nil
}

// checkChunks checks that layout l gives each thread runs of 16 bytes along
// the swizzled buffer's fast dim: the chunks cp.async copies.
func checkChunks(l *layout.Linear, b Type) error {
	d, n := l.RegRun()
	if !b.Shared.Swizzled || d != b.Shared.Fast || n < 8 {
		return fmt.Errorf("%s does not give threads 16-byte runs along the fast dim of %s", l, b)
	}
	return nil
}

func checkPred(t Type) error {
	if t != Scalar(I1) {
		return fmt.Errorf("pred is %s, want i1", t)
	}
	return nil
}

func checkAsyncCopy(op *Op) error {
	p, b := op.Args[0].Type, op.Args[1].Type
	if p.Kind != KindPtr || !p.IsTile() {
		return fmt.Errorf("copies through a tile of pointers, not %s", p)
	}
	if err := sameTile(Type{Kind: KindScalar, Elem: p.Elem, Shape: p.Shape}, b); err != nil {
		return err
	}
	if err := checkPred(op.Args[2].Type); err != nil {
		return err
	}
	if err := checkMask(op, 3, p.Shape); err != nil {
		return err
	}
	return checkChunks(p.Layout, b)
}

func checkAsyncCopyBlock(op *Op) error {
	p, b := op.Args[0].Type, op.Args[1].Type
	if p.Kind != KindBlockPtr {
		return fmt.Errorf("copies a block pointer's block, not %s", p)
	}
	if err := sameTile(Type{Kind: KindScalar, Elem: p.Elem, Shape: p.Shape}, b); err != nil {
		return err
	}
	if err := checkPred(op.Args[2].Type); err != nil {
		return err
	}
	if err := checkBoundary(op, p.Shape.Rank); err != nil {
		return err
	}
	l := op.LayoutAttr("layout")
	if !eqShape(l.Shape, p.Shape) {
		return fmt.Errorf("layout %s is not for %s", l, p)
	}
	return checkChunks(l, b)
}

func checkAsyncWait(op *Op) error {
	if op.Int("pending") < 0 {
		return errors.New("pending is negative")
	}
	return nil
}

// eqShape reports whether a layout's shape is the tile shape s.
func eqShape(l []int, s Shape) bool {
	if len(l) != s.Rank {
		return false
	}
	for i, n := range l {
		if s.Dims[i] != D(n) {
			return false
		}
	}
	return true
}
