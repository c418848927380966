package ir

import (
	"errors"
	"fmt"
)

// The Infer and Check functions of the op table. Their errors say what is
// wrong; the verifier prefixes the op's position and name.

func one(t Type) ([]Type, error) { return []Type{t}, nil }

func isNumeric(t Type) bool { return t.Kind == KindScalar && t.Elem != Invalid }

func inDomain(d DType, dom Domain) bool {
	return (d.IsFloat() && dom&DomFloat != 0) || (d.IsInt() && dom&DomInt != 0)
}

func domainName(dom Domain) string {
	switch dom {
	case DomFloat:
		return "a float"
	case DomInt:
		return "an integer"
	}
	return "a number"
}

// inferElementwise: every operand has one type, in the op's domain; the
// result has that type (i1 for comparisons).
func inferElementwise(op *Op) ([]Type, error) {
	e := op.Info().Elem
	t := op.Args[0].Type
	for i, a := range op.Args {
		if !isNumeric(a.Type) {
			return nil, fmt.Errorf("operand %d is %s, want %s", i, a.Type, domainName(e.Domain))
		}
		if a.Type != t {
			return nil, fmt.Errorf("operand types differ: %s and %s", t, a.Type)
		}
	}
	if !inDomain(t.Elem, e.Domain) {
		return nil, fmt.Errorf("operand is %s, want %s", t, domainName(e.Domain))
	}
	if e.Bool {
		return one(t.WithElem(I1))
	}
	return one(t)
}

// checkCmp rejects unsigned predicates on floats.
func checkCmp(op *Op) error {
	if pred := op.Str("pred"); pred[0] == 'u' && op.Args[0].Type.IsFloat() {
		return fmt.Errorf("predicate %s compares integers as unsigned; the operands are %s", pred, op.Args[0].Type)
	}
	return nil
}

func inferWhere(op *Op) ([]Type, error) {
	c, a, b := op.Args[0].Type, op.Args[1].Type, op.Args[2].Type
	if c.Kind != KindScalar || c.Elem != I1 {
		return nil, fmt.Errorf("condition is %s, want i1", c)
	}
	if a != b {
		return nil, fmt.Errorf("value types differ: %s and %s", a, b)
	}
	if a.Kind == KindBlockPtr {
		return nil, fmt.Errorf("values are block pointers")
	}
	if c.Shape != a.Shape {
		return nil, fmt.Errorf("condition shape %s differs from value shape %s", c.Shape, a.Shape)
	}
	return one(a)
}

func checkCast(op *Op) error {
	in, out := op.Args[0].Type, op.Results[0].Type
	if !isNumeric(in) || !isNumeric(out) {
		return fmt.Errorf("casts numbers, not %s to %s", in, out)
	}
	if in.Shape != out.Shape {
		return fmt.Errorf("changes the shape: %s to %s", in, out)
	}
	return nil
}

func checkBitcast(op *Op) error {
	if err := checkCast(op); err != nil {
		return err
	}
	in, out := op.Args[0].Type.Elem, op.Results[0].Type.Elem
	if in.Bits() != out.Bits() || in == I1 {
		return fmt.Errorf("needs dtypes of one width: %s is %d bits, %s is %d", in, in.Bits(), out, out.Bits())
	}
	return nil
}

func checkConstant(op *Op) error {
	t := op.Results[0].Type
	if !isNumeric(t) {
		return fmt.Errorf("result %s is not a number or a tile of numbers", t)
	}
	return nil
}

func inferI32(*Op) ([]Type, error) { return one(Scalar(I32)) }

func inferGridAxis(op *Op) ([]Type, error) {
	if a := op.Int("axis"); a < 0 || a > 2 {
		return nil, fmt.Errorf("axis %d is not 0, 1 or 2", a)
	}
	return one(Scalar(I32))
}

func inferArange(op *Op) ([]Type, error) {
	start, end := op.Int("start"), op.DimAttr("end")
	if end.Symbolic() {
		if start != 0 {
			return nil, fmt.Errorf("start must be 0 when end is the meta-parameter %s", end.Sym)
		}
		return one(Tile(I32, end))
	}
	if end.N <= start {
		return nil, fmt.Errorf("end %d is not above start %d", end.N, start)
	}
	return one(Tile(I32, D(end.N-start)))
}

func checkSplat(op *Op) error {
	in, out := op.Args[0].Type, op.Results[0].Type
	if in.IsTile() || in.Kind == KindBlockPtr {
		return fmt.Errorf("operand %s is not a scalar", in)
	}
	if !out.IsTile() || out.ScalarType() != in {
		return fmt.Errorf("result %s is not a tile of %s", out, in)
	}
	return nil
}

func checkBroadcast(op *Op) error {
	in, out := op.Args[0].Type, op.Results[0].Type
	if !in.IsTile() || !out.IsTile() || in.ScalarType() != out.ScalarType() || in.Shape.Rank != out.Shape.Rank {
		return fmt.Errorf("cannot broadcast %s to %s (ranks and element types must agree)", in, out)
	}
	for i := 0; i < in.Shape.Rank; i++ {
		if d := in.Shape.Dims[i]; d != out.Shape.Dims[i] && d != D(1) {
			return fmt.Errorf("cannot broadcast %s to %s: dim %d is %s, not 1", in, out, i, d)
		}
	}
	return nil
}

func inferExpandDims(op *Op) ([]Type, error) {
	in, axis := op.Args[0].Type, op.Int("axis")
	if in.Kind == KindBlockPtr || in.Shape.Rank >= MaxRank {
		return nil, fmt.Errorf("cannot add a dimension to %s", in)
	}
	if axis < 0 || axis > in.Shape.Rank {
		return nil, fmt.Errorf("axis %d is outside 0..%d", axis, in.Shape.Rank)
	}
	dims := in.Shape.Slice()
	dims = append(dims[:axis], append([]Dim{D(1)}, dims[axis:]...)...)
	return one(in.WithShape(ShapeOf(dims...)))
}

func checkReshape(op *Op) error {
	in, out := op.Args[0].Type, op.Results[0].Type
	if !in.IsTile() || !out.IsTile() || in.ScalarType() != out.ScalarType() {
		return fmt.Errorf("cannot reshape %s to %s", in, out)
	}
	if in.Shape.Concrete() && out.Shape.Concrete() && in.Shape.Numel() != out.Shape.Numel() {
		return fmt.Errorf("element counts differ: %s has %d, %s has %d", in, in.Shape.Numel(), out, out.Shape.Numel())
	}
	return nil
}

func inferTrans(op *Op) ([]Type, error) {
	in, perm := op.Args[0].Type, op.Ints("perm")
	if !in.IsTile() || len(perm) != in.Shape.Rank {
		return nil, fmt.Errorf("perm %v does not fit %s", perm, in)
	}
	seen := make([]bool, len(perm))
	dims := make([]Dim, len(perm))
	for i, p := range perm {
		if p < 0 || p >= len(perm) || seen[p] {
			return nil, fmt.Errorf("perm %v is not a permutation", perm)
		}
		seen[p] = true
		dims[i] = in.Shape.Dims[p]
	}
	return one(in.WithShape(ShapeOf(dims...)))
}

func inferJoin(op *Op) ([]Type, error) {
	a, b := op.Args[0].Type, op.Args[1].Type
	if a != b || a.Kind == KindBlockPtr {
		return nil, fmt.Errorf("operands must have one type, not %s and %s", a, b)
	}
	if a.Shape.Rank >= MaxRank {
		return nil, fmt.Errorf("%s has no room for another dimension", a)
	}
	return one(a.WithShape(ShapeOf(append(a.Shape.Slice(), D(2))...)))
}

func inferSplit(op *Op) ([]Type, error) {
	a := op.Args[0].Type
	if !a.IsTile() || a.Shape.Dims[a.Shape.Rank-1] != D(2) {
		return nil, fmt.Errorf("operand %s does not end in a dimension of size 2", a)
	}
	t := a.WithShape(ShapeOf(a.Shape.Slice()[:a.Shape.Rank-1]...))
	return []Type{t, t}, nil
}

func inferAddPtr(op *Op) ([]Type, error) {
	p, off := op.Args[0].Type, op.Args[1].Type
	if p.Kind != KindPtr {
		return nil, fmt.Errorf("operand %s is not a pointer", p)
	}
	if !off.IsInt() || off.Elem == I1 {
		return nil, fmt.Errorf("offset %s is not an integer", off)
	}
	if p.Shape != off.Shape {
		return nil, fmt.Errorf("pointer shape %s differs from offset shape %s", p.Shape, off.Shape)
	}
	return one(p)
}

// checkMask checks an optional mask operand against the pointer shape.
func checkMask(op *Op, idx int, shape Shape) error {
	if len(op.Args) <= idx {
		return nil
	}
	m := op.Args[idx].Type
	if m.Kind != KindScalar || m.Elem != I1 || m.Shape != shape {
		return fmt.Errorf("mask is %s, want %s", m, Type{Kind: KindScalar, Elem: I1, Shape: shape})
	}
	return nil
}

func inferLoad(op *Op) ([]Type, error) {
	p := op.Args[0].Type
	if p.Kind != KindPtr {
		return nil, fmt.Errorf("operand %s is not a pointer (block pointers use block_load)", p)
	}
	if err := checkMask(op, 1, p.Shape); err != nil {
		return nil, err
	}
	res := Type{Kind: KindScalar, Elem: p.Elem, Shape: p.Shape}
	if len(op.Args) > 2 && op.Args[2].Type.Tiled() != res {
		return nil, fmt.Errorf("other is %s, want %s", op.Args[2].Type, res)
	}
	return one(res)
}

func checkStore(op *Op) error {
	p, v := op.Args[0].Type, op.Args[1].Type
	if p.Kind != KindPtr {
		return fmt.Errorf("operand %s is not a pointer (block pointers use block_store)", p)
	}
	if want := (Type{Kind: KindScalar, Elem: p.Elem, Shape: p.Shape}); v.Tiled() != want {
		return fmt.Errorf("value is %s, want %s", v, want)
	}
	return checkMask(op, 2, p.Shape)
}

func inferAtomicRMW(op *Op) ([]Type, error) {
	p, v := op.Args[0].Type, op.Args[1].Type
	if p.Kind != KindPtr {
		return nil, fmt.Errorf("operand %s is not a pointer", p)
	}
	want := Type{Kind: KindScalar, Elem: p.Elem, Shape: p.Shape}
	if v.Tiled() != want {
		return nil, fmt.Errorf("value is %s, want %s", v, want)
	}
	kind := op.Str("kind")
	switch d := p.Elem; {
	case d == I1 || d == I8 || d == I16:
		return nil, fmt.Errorf("atomics need 32- or 64-bit elements, not %s", d)
	case d.IsFloat() && kind != "add" && kind != "xchg":
		return nil, fmt.Errorf("%s on floats is not supported (add and xchg are)", kind)
	case (d == F16 || d == BF16) && kind != "add":
		return nil, fmt.Errorf("%s atomics on %s are not supported", kind, d)
	}
	if err := checkMask(op, 2, p.Shape); err != nil {
		return nil, err
	}
	return one(want)
}

func inferAtomicCAS(op *Op) ([]Type, error) {
	p := op.Args[0].Type
	if p.Kind != KindPtr || (p.Elem != I32 && p.Elem != I64) {
		return nil, fmt.Errorf("operand %s is not a pointer to i32 or i64", p)
	}
	want := Type{Kind: KindScalar, Elem: p.Elem, Shape: p.Shape}
	for _, a := range op.Args[1:] {
		if a.Type.Tiled() != want {
			return nil, fmt.Errorf("operand is %s, want %s", a.Type, want)
		}
	}
	return one(want)
}

// isIndex reports whether t is a scalar i32 or i64, the types of sizes,
// strides and offsets.
func isIndex(t Type) bool {
	return t.Kind == KindScalar && t.Shape.Rank == 0 && (t.Elem == I32 || t.Elem == I64)
}

func checkMakeBlockPtr(op *Op) error {
	base, res := op.Args[0].Type, op.Results[0].Type
	if base.Kind != KindPtr || base.Shape.Rank != 0 {
		return fmt.Errorf("base %s is not a scalar pointer", base)
	}
	if res.Kind != KindBlockPtr || res.Elem != base.Elem {
		return fmt.Errorf("result %s is not a block pointer to %s", res, base.Elem)
	}
	r := res.Shape.Rank
	if err := checkRank(r); err != nil {
		return err
	}
	if len(op.Args) != 1+3*r {
		return fmt.Errorf("has %d operands, want base + %d shape + %d strides + %d offsets", len(op.Args), r, r, r)
	}
	for i, a := range op.Args[1:] {
		if !isIndex(a.Type) {
			return fmt.Errorf("%s %d is %s, want a scalar i32 or i64", []string{"shape", "stride", "offset"}[i/r], i%r, a.Type)
		}
	}
	order := op.Ints("order")
	if len(order) != r {
		return fmt.Errorf("order %v has %d entries, want %d", order, len(order), r)
	}
	return nil
}

func inferAdvance(op *Op) ([]Type, error) {
	p := op.Args[0].Type
	if p.Kind != KindBlockPtr {
		return nil, fmt.Errorf("operand %s is not a block pointer", p)
	}
	if len(op.Args)-1 != p.Shape.Rank {
		return nil, fmt.Errorf("has %d offsets for a rank-%d block", len(op.Args)-1, p.Shape.Rank)
	}
	for _, a := range op.Args[1:] {
		if !isIndex(a.Type) {
			return nil, fmt.Errorf("offset %s is not a scalar i32 or i64", a.Type)
		}
	}
	return one(p)
}

func checkBoundary(op *Op, rank int) error {
	for _, d := range op.Ints("boundary_check") {
		if d < 0 || d >= rank {
			return fmt.Errorf("boundary_check dim %d is outside 0..%d", d, rank-1)
		}
	}
	return nil
}

func inferBlockLoad(op *Op) ([]Type, error) {
	p := op.Args[0].Type
	if p.Kind != KindBlockPtr {
		return nil, fmt.Errorf("operand %s is not a block pointer", p)
	}
	if err := checkBoundary(op, p.Shape.Rank); err != nil {
		return nil, err
	}
	return one(Type{Kind: KindScalar, Elem: p.Elem, Shape: p.Shape})
}

func checkBlockStore(op *Op) error {
	p, v := op.Args[0].Type, op.Args[1].Type
	if p.Kind != KindBlockPtr {
		return fmt.Errorf("operand %s is not a block pointer", p)
	}
	if want := (Type{Kind: KindScalar, Elem: p.Elem, Shape: p.Shape}); v.Tiled() != want {
		return fmt.Errorf("value is %s, want %s", v, want)
	}
	return checkBoundary(op, p.Shape.Rank)
}

// reducedShape removes axis from s.
func reducedShape(s Shape, axis int) Shape {
	dims := s.Slice()
	return ShapeOf(append(dims[:axis], dims[axis+1:]...)...)
}

// checkCombineOperands checks reduce/scan operands: numeric tiles of one
// shape, and a valid axis.
func checkCombineOperands(op *Op) error {
	if len(op.Args) == 0 {
		return errors.New("needs at least one operand")
	}
	shape := op.Args[0].Type.Shape
	for _, a := range op.Args {
		if !isNumeric(a.Type) || !a.Type.IsTile() {
			return fmt.Errorf("operand %s is not a tile of numbers", a.Type)
		}
		if a.Type.Shape != shape {
			return fmt.Errorf("operand shapes differ: %s and %s", shape, a.Type.Shape)
		}
	}
	if axis := op.Int("axis"); axis < 0 || axis >= shape.Rank {
		return fmt.Errorf("axis %d is outside 0..%d", axis, shape.Rank-1)
	}
	return nil
}

func inferReduce(op *Op) ([]Type, error) {
	if err := checkCombineOperands(op); err != nil {
		return nil, err
	}
	out := make([]Type, len(op.Args))
	for i, a := range op.Args {
		out[i] = a.Type.WithShape(reducedShape(a.Type.Shape, op.Int("axis")))
	}
	return out, nil
}

func inferScan(op *Op) ([]Type, error) {
	if err := checkCombineOperands(op); err != nil {
		return nil, err
	}
	if r := op.Int("reverse"); r != 0 && r != 1 {
		return nil, fmt.Errorf("reverse is %d, want 0 or 1", r)
	}
	out := make([]Type, len(op.Args))
	for i, a := range op.Args {
		out[i] = a.Type
	}
	return out, nil
}

// checkCombine checks a reduce or scan region: 2N scalar arguments of the
// operands' dtypes, only elementwise ops and constants inside, and a yield
// of N scalars.
func checkCombine(op *Op) error {
	r := op.Regions[0]
	n := len(op.Args)
	if len(r.Args) != 2*n {
		return fmt.Errorf("combine region has %d arguments, want %d", len(r.Args), 2*n)
	}
	for i, a := range r.Args {
		if want := op.Args[i%n].Type.ScalarType(); a.Type != want {
			return fmt.Errorf("combine argument %d is %s, want %s", i, a.Type, want)
		}
	}
	// The combine function must be a pure function of its arguments: the
	// interpreter and codegen apply it to whole slices at once.
	local := map[*Value]bool{}
	for _, a := range r.Args {
		local[a] = true
	}
	for _, inner := range r.Ops {
		info := inner.Info()
		if info.Elem == nil && inner.Code != OpConstant && inner.Code != OpYield {
			return fmt.Errorf("combine region may only hold elementwise ops and constants, not %s", info.Name)
		}
		for _, a := range inner.Args {
			if !local[a] {
				return fmt.Errorf("combine region uses a value defined outside it (in %s)", info.Name)
			}
		}
		for _, res := range inner.Results {
			if res.Type.IsTile() {
				return fmt.Errorf("combine region computes on scalars, not %s", res.Type)
			}
			local[res] = true
		}
	}
	return checkYield(r, r.Args[:n], "combine region")
}

// checkYield checks that block b ends in a yield of values typed like want.
func checkYield(b *Block, want []*Value, what string) error {
	t := b.Terminator()
	if t == nil || t.Code != OpYield {
		return fmt.Errorf("%s does not end in yield", what)
	}
	if len(t.Args) != len(want) {
		return fmt.Errorf("%s yields %d values, want %d", what, len(t.Args), len(want))
	}
	for i, a := range t.Args {
		if a.Type != want[i].Type {
			return fmt.Errorf("%s yields %s as value %d, want %s", what, a.Type, i, want[i].Type)
		}
	}
	return nil
}

func inferDot(op *Op) ([]Type, error) {
	a, b, c := op.Args[0].Type, op.Args[1].Type, op.Args[2].Type
	// At the GPU level an mma operand may be a shared buffer read by
	// k-steps (checked by layoutsDot).
	operand := func(t Type) bool { return (isNumeric(t) || t.Kind == KindShared) && t.Shape.Rank == 2 }
	if !operand(a) || !operand(b) {
		return nil, fmt.Errorf("operands must be rank-2 tiles, not %s and %s", a, b)
	}
	if a.Elem != b.Elem {
		return nil, fmt.Errorf("operand dtypes differ: %s and %s", a.Elem, b.Elem)
	}
	if a.Elem != F16 && a.Elem != BF16 && a.Elem != F32 {
		return nil, fmt.Errorf("operands are %s, want f16, bf16 or f32", a.Elem)
	}
	m, k, k2, n := a.Shape.Dims[0], a.Shape.Dims[1], b.Shape.Dims[0], b.Shape.Dims[1]
	if k != k2 {
		return nil, fmt.Errorf("inner dimensions differ: a is %s, b is %s", a, b)
	}
	want := Tile(F32, m, n)
	if c.Tiled() != want {
		return nil, fmt.Errorf("accumulator is %s, want %s", c, want)
	}
	for _, d := range []Dim{m, n, k} {
		if !d.Symbolic() && d.N < 16 {
			return nil, fmt.Errorf("dimensions must be at least 16 (a is %s, b is %s)", a, b)
		}
	}
	return one(want)
}

func inferFor(op *Op) ([]Type, error) {
	lb := op.Args[0].Type
	if !isIndex(lb) {
		return nil, fmt.Errorf("lower bound %s is not a scalar i32 or i64", lb)
	}
	for _, a := range op.Args[1:3] {
		if a.Type != lb {
			return nil, fmt.Errorf("bounds and step must share one type: %s and %s", lb, a.Type)
		}
	}
	out := make([]Type, len(op.Args)-3)
	for i, a := range op.Args[3:] {
		out[i] = a.Type
	}
	return out, nil
}

func checkFor(op *Op) error {
	body := op.Regions[0]
	if len(body.Args) != len(op.Args)-2 {
		return fmt.Errorf("body has %d arguments, want the induction variable and %d carried values", len(body.Args), len(op.Args)-3)
	}
	if body.Args[0].Type != op.Args[0].Type {
		return fmt.Errorf("induction variable is %s, want %s", body.Args[0].Type, op.Args[0].Type)
	}
	for i, a := range body.Args[1:] {
		if a.Type != op.Args[3+i].Type {
			return fmt.Errorf("carried value %d is %s in the body, %s outside", i, a.Type, op.Args[3+i].Type)
		}
	}
	return checkYield(body, op.Results, "loop body")
}

func checkIf(op *Op) error {
	c := op.Args[0].Type
	if c != Scalar(I1) {
		return fmt.Errorf("condition is %s, want i1", c)
	}
	for i, r := range op.Regions {
		if len(r.Args) != 0 {
			return fmt.Errorf("region %d has arguments", i)
		}
		if err := checkYield(r, op.Results, []string{"then region", "else region"}[i]); err != nil {
			return err
		}
	}
	return nil
}

func checkWhile(op *Op) error {
	before, after := op.Regions[0], op.Regions[1]
	if len(before.Args) != len(op.Args) {
		return fmt.Errorf("first region has %d arguments, want %d", len(before.Args), len(op.Args))
	}
	for i, a := range before.Args {
		if a.Type != op.Args[i].Type {
			return fmt.Errorf("first region argument %d is %s, want %s", i, a.Type, op.Args[i].Type)
		}
	}
	t := before.Terminator()
	if t == nil || t.Code != OpCondition {
		return errors.New("first region does not end in condition")
	}
	if t.Args[0].Type != Scalar(I1) {
		return fmt.Errorf("condition is %s, want i1", t.Args[0].Type)
	}
	passed := t.Args[1:]
	if len(passed) != len(op.Results) || len(after.Args) != len(passed) {
		return fmt.Errorf("condition passes %d values to %d results and %d second-region arguments", len(passed), len(op.Results), len(after.Args))
	}
	for i, v := range passed {
		if v.Type != op.Results[i].Type || v.Type != after.Args[i].Type {
			return fmt.Errorf("passed value %d is %s, result %s, argument %s", i, v.Type, op.Results[i].Type, after.Args[i].Type)
		}
	}
	return checkYield(after, before.Args, "second region")
}

func checkAssert(op *Op) error {
	c := op.Args[0].Type
	if c.Kind != KindScalar || c.Elem != I1 {
		return fmt.Errorf("condition is %s, want i1", c)
	}
	return nil
}
