package ir

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strings"
)

// Builder is the DSL: Go calls that append ops to a kernel, the way a Triton
// kernel's Python lines build TTIR. Operands may be *Value or Go literals
// (int, float64, bool), which take the dtype of the other operand; scalars
// and size-1 dimensions broadcast as in NumPy. Meta (a constexpr) may stand
// wherever a dimension or an i32 scalar is expected.
//
// The builder never panics on a mistake in the kernel: it records an Error
// with the Go position of the call, returns a poisoned value (later calls on
// it are silent), and Build reports everything.
type Builder struct {
	f    *Func
	cur  *Block
	errs []error
}

// NewKernel starts a kernel called name.
func NewKernel(name string) *Builder {
	f := NewFunc(name)
	return &Builder{f: f, cur: f.Body}
}

// Func returns the kernel under construction (for tests and tools).
func (b *Builder) Func() *Func { return b.f }

// Build verifies the kernel and returns it, or every error the builder and
// the verifier found.
func (b *Builder) Build() (*Func, error) {
	if len(b.errs) > 0 {
		return nil, fmt.Errorf("kernel %s: %w", b.f.Name, errors.Join(b.errs...))
	}
	if err := Verify(b.f); err != nil {
		return nil, fmt.Errorf("kernel %s: %w", b.f.Name, err)
	}
	return b.f, nil
}

// Meta is a constexpr meta-parameter of the kernel, bound per config.
type Meta struct {
	Name string
}

// Dim returns the meta-parameter as a tile dimension.
func (m Meta) Dim() Dim { return Dim{Sym: m.Name} }

// Constexpr declares a meta-parameter. Use it as a dimension (Arange(0, m),
// Zeros(F32, m, HEAD)) or as an i32 operand.
func (b *Builder) Constexpr(name string) Meta {
	if b.f.HasMeta(name) {
		b.errorf("constexpr", "%s is declared twice", name)
	} else if !isIdent(name) {
		b.errorf("constexpr", "%q is not an identifier", name)
	} else {
		b.f.Metas = append(b.f.Metas, name)
	}
	return Meta{Name: name}
}

// Pointer declares a kernel parameter that points to elements of dtype d.
func (b *Builder) Pointer(name string, d DType) *Value { return b.param(name, Ptr(d)) }

// Scalar declares a scalar kernel parameter of dtype d.
func (b *Builder) Scalar(name string, d DType) *Value { return b.param(name, Scalar(d)) }

// Doc says what parameter p means; generated launchers repeat it.
func (b *Builder) Doc(p *Value, text string) {
	for _, q := range b.f.Params {
		if q == p {
			if b.f.Docs == nil {
				b.f.Docs = map[string]string{}
			}
			b.f.Docs[p.Name] = text
			return
		}
	}
	b.errorf("doc", "the value documented is not a parameter of %s", b.f.Name)
}

func (b *Builder) param(name string, t Type) *Value {
	if !isIdent(name) {
		b.errorf("param", "%q is not an identifier", name)
	}
	for _, p := range b.f.Params {
		if p.Name == name {
			b.errorf("param", "parameter %s is declared twice", name)
		}
	}
	return b.f.AddParam(name, t)
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r != '_' && !(r >= 'a' && r <= 'z') && !(r >= 'A' && r <= 'Z') && !(i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// callerPos returns the position of the first caller outside this package's
// non-test files: the line of the kernel that called the DSL.
func callerPos() Pos {
	var pcs [16]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		fr, more := frames.Next()
		if !isBuilderFile(fr.File) {
			return Pos{File: shortPath(fr.File), Line: fr.Line}
		}
		if !more {
			return Pos{File: shortPath(fr.File), Line: fr.Line}
		}
	}
}

var builderDir = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}()

func isBuilderFile(file string) bool {
	return filepath.Dir(file) == builderDir && !strings.HasSuffix(file, "_test.go")
}

// shortPath keeps the last two elements of a path (flash/flash.go).
func shortPath(p string) string {
	dir, file := filepath.Split(p)
	return filepath.Join(filepath.Base(dir), file)
}

func (b *Builder) errorf(op, format string, args ...any) *Value {
	b.errs = append(b.errs, &Error{Pos: callerPos(), Op: op, Msg: fmt.Sprintf(format, args...)})
	return b.poison()
}

func (b *Builder) poison() *Value { return b.f.NewValue(Type{}) }

func poisoned(vs ...*Value) bool {
	for _, v := range vs {
		if v == nil || v.Type.Kind == KindInvalid {
			return true
		}
	}
	return false
}

// emit appends an op. Result types come from the op's Infer when it has
// one, else from results.
func (b *Builder) emit(code Opcode, args []*Value, attrs map[string]Attr, results ...Type) *Op {
	info := code.Info()
	op := &Op{Code: code, Args: args, Attrs: attrs, Pos: callerPos()}
	if info.Infer != nil {
		ts, err := info.Infer(op)
		if err != nil {
			b.errs = append(b.errs, &Error{Pos: op.Pos, Op: info.Name, Msg: err.Error()})
			return nil
		}
		results = ts
	}
	for _, t := range results {
		v := b.f.NewValue(t)
		v.Def = op
		op.Results = append(op.Results, v)
	}
	if info.Check != nil && info.Regions == 0 {
		if err := info.Check(op); err != nil {
			b.errs = append(b.errs, &Error{Pos: op.Pos, Op: info.Name, Msg: err.Error()})
			return nil
		}
	}
	b.cur.Append(op)
	return op
}

// emit1 emits a single-result op and returns its result (or poison).
func (b *Builder) emit1(code Opcode, args []*Value, attrs map[string]Attr, results ...Type) *Value {
	if poisoned(args...) {
		return b.poison()
	}
	op := b.emit(code, args, attrs, results...)
	if op == nil {
		return b.poison()
	}
	return op.Results[0]
}

// --- operands ---------------------------------------------------------

// operand turns x into a value; literals take like's dtype (or a default).
func (b *Builder) operand(op string, x any, like *Value) *Value {
	switch x := x.(type) {
	case *Value:
		if x == nil {
			return b.errorf(op, "operand is nil")
		}
		return x
	case Meta:
		return b.MetaValue(x)
	case int, int32, int64:
		d := I32
		if like != nil && like.Type.Kind == KindScalar {
			d = like.Type.Elem
		}
		return b.Const(x, d)
	case float64, float32:
		d := F32
		if like != nil && like.Type.IsFloat() {
			d = like.Type.Elem
		}
		return b.Const(x, d)
	case bool:
		return b.Const(x, I1)
	}
	return b.errorf(op, "operand %v (%T) is not a value or a number", x, x)
}

// operands turns a pair into values, typing a literal by the other operand.
func (b *Builder) operands(op string, x, y any) (*Value, *Value) {
	isValue := func(a any) bool {
		switch a.(type) {
		case *Value, Meta:
			return true
		}
		return false
	}
	switch {
	case isValue(x):
		xv := b.operand(op, x, nil)
		return xv, b.operand(op, y, xv)
	case isValue(y):
		yv := b.operand(op, y, nil)
		return b.operand(op, x, yv), yv
	}
	// Two literals: f32 if either is a float, else i32 (Python's promotion).
	d := I32
	for _, a := range []any{x, y} {
		switch a.(type) {
		case float64, float32:
			d = F32
		}
	}
	like := b.f.NewValue(Scalar(d))
	return b.operand(op, x, like), b.operand(op, y, like)
}

// MetaValue returns a meta-parameter's value as an i32 scalar.
func (b *Builder) MetaValue(m Meta) *Value {
	if !b.f.HasMeta(m.Name) {
		return b.errorf("constexpr", "%s is not a declared constexpr", m.Name)
	}
	return b.emit1(OpConstexpr, nil, map[string]Attr{"name": m.Name})
}

// dimOf turns an int, Meta or Dim into a Dim.
func dimOf(x any) (Dim, error) {
	switch x := x.(type) {
	case int:
		if x <= 0 {
			return Dim{}, fmt.Errorf("dimension %d is not positive", x)
		}
		return D(x), nil
	case Meta:
		return x.Dim(), nil
	case Dim:
		return x, nil
	}
	return Dim{}, fmt.Errorf("dimension %v (%T) is not an int or a constexpr", x, x)
}

func (b *Builder) dims(op string, xs []any) ([]Dim, bool) {
	if err := checkRank(len(xs)); err != nil {
		b.errorf(op, "%v", err)
		return nil, false
	}
	out := make([]Dim, len(xs))
	for i, x := range xs {
		d, err := dimOf(x)
		if err != nil {
			b.errorf(op, "%v", err)
			return nil, false
		}
		out[i] = d
	}
	return out, true
}

// --- constants, ids, shapes -------------------------------------------

// Const returns a scalar constant of dtype d (v is an int, float or bool).
func (b *Builder) Const(v any, d DType) *Value {
	n, err := numOf(v, d)
	if err != nil {
		return b.errorf("constant", "%v", err)
	}
	return b.emit1(OpConstant, nil, map[string]Attr{"value": n}, Scalar(d))
}

func numOf(v any, d DType) (Num, error) {
	var f float64
	var i int64
	switch v := v.(type) {
	case int:
		f, i = float64(v), int64(v)
	case int32:
		f, i = float64(v), int64(v)
	case int64:
		f, i = float64(v), v
	case float64:
		f, i = v, int64(v)
		if d.IsInt() && (v != math.Trunc(v) || math.IsInf(v, 0) || math.IsNaN(v)) {
			return Num{}, fmt.Errorf("%v is not an integer, but the dtype is %s", v, d)
		}
	case float32:
		f, i = float64(v), int64(v)
		if d.IsInt() && float64(v) != math.Trunc(float64(v)) {
			return Num{}, fmt.Errorf("%v is not an integer, but the dtype is %s", v, d)
		}
	case bool:
		f, i = float64(b2i(v)), b2i(v)
	default:
		return Num{}, fmt.Errorf("constant %v (%T) is not a number", v, v)
	}
	if d.IsFloat() {
		return Num{F: d.Round(f)}, nil
	}
	if d == Invalid {
		return Num{}, errors.New("invalid dtype")
	}
	return Num{I: d.Wrap(i)}, nil
}

// Full returns a tile of the given dims filled with v (Triton's tl.full).
func (b *Builder) Full(v any, d DType, dims ...any) *Value {
	ds, ok := b.dims("constant", dims)
	if !ok {
		return b.poison()
	}
	n, err := numOf(v, d)
	if err != nil {
		return b.errorf("constant", "%v", err)
	}
	return b.emit1(OpConstant, nil, map[string]Attr{"value": n}, Tile(d, ds...))
}

// Zeros returns a tile of zeros.
func (b *Builder) Zeros(d DType, dims ...any) *Value { return b.Full(0, d, dims...) }

// ProgramID returns the program's index along axis (0, 1, 2).
func (b *Builder) ProgramID(axis int) *Value {
	return b.emit1(OpProgramID, nil, map[string]Attr{"axis": axis})
}

// NumPrograms returns the grid size along axis.
func (b *Builder) NumPrograms(axis int) *Value {
	return b.emit1(OpNumPrograms, nil, map[string]Attr{"axis": axis})
}

// Arange returns the i32 tile [start, end); end is an int or a Meta.
func (b *Builder) Arange(start int, end any) *Value {
	d, err := dimOf(end)
	if err != nil {
		return b.errorf("arange", "%v", err)
	}
	return b.emit1(OpArange, nil, map[string]Attr{"start": start, "end": d})
}

// Splat returns a tile of the given dims with every element x.
func (b *Builder) Splat(x *Value, dims ...any) *Value {
	ds, ok := b.dims("splat", dims)
	if !ok || poisoned(x) {
		return b.poison()
	}
	return b.emit1(OpSplat, []*Value{x}, nil, x.Type.WithShape(ShapeOf(ds...)))
}

// Broadcast expands x to the given dims (scalars are splat; size-1 dims repeat).
func (b *Builder) Broadcast(x *Value, dims ...any) *Value {
	ds, ok := b.dims("broadcast", dims)
	if !ok || poisoned(x) {
		return b.poison()
	}
	return b.broadcastTo(x, ShapeOf(ds...))
}

// broadcastTo brings x to shape s by splatting, adding leading size-1 dims,
// and repeating size-1 dims.
func (b *Builder) broadcastTo(x *Value, s Shape) *Value {
	if poisoned(x) || x.Type.Shape == s {
		return x
	}
	if x.Type.Shape.Rank == 0 {
		return b.emit1(OpSplat, []*Value{x}, nil, x.Type.WithShape(s))
	}
	for x.Type.Shape.Rank < s.Rank && !poisoned(x) {
		x = b.ExpandDims(x, 0)
	}
	if x.Type.Shape.Rank != s.Rank {
		return b.errorf("broadcast", "cannot broadcast %s to %s", x.Type, s)
	}
	return b.emit1(OpBroadcast, []*Value{x}, nil, x.Type.WithShape(s))
}

// commonShape is the NumPy broadcast of the shapes of vs.
func (b *Builder) commonShape(op string, vs ...*Value) (Shape, bool) {
	var out Shape
	for _, v := range vs {
		s := v.Type.Shape
		if v.Type.Kind == KindBlockPtr {
			s = Shape{}
		}
		r := max(out.Rank, s.Rank)
		a, c := alignRank(out, r), alignRank(s, r)
		for i := 0; i < r; i++ {
			switch {
			case a.Dims[i] == c.Dims[i] || c.Dims[i] == D(1):
			case a.Dims[i] == D(1):
				a.Dims[i] = c.Dims[i]
			default:
				b.errorf(op, "shapes %s do not broadcast", shapeOfAll(vs))
				return Shape{}, false
			}
		}
		out = a
	}
	return out, true
}

// alignRank pads s with leading size-1 dims to rank r.
func alignRank(s Shape, r int) Shape {
	if s.Rank >= r {
		return s
	}
	dims := make([]Dim, 0, r)
	for i := s.Rank; i < r; i++ {
		dims = append(dims, D(1))
	}
	return ShapeOf(append(dims, s.Slice()...)...)
}

func shapeOfAll(vs []*Value) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = v.Type.Shape.String()
	}
	return strings.Join(parts, " and ")
}

// broadcastAll brings vs to their common shape.
func (b *Builder) broadcastAll(op string, vs ...*Value) bool {
	if poisoned(vs...) {
		return false
	}
	s, ok := b.commonShape(op, vs...)
	if !ok {
		return false
	}
	for i, v := range vs {
		vs[i] = b.broadcastTo(v, s)
	}
	return !poisoned(vs...)
}

// ExpandDims inserts a size-1 dimension at axis (x[:, None] is axis 1).
func (b *Builder) ExpandDims(x *Value, axis int) *Value {
	if !poisoned(x) && axis < 0 {
		axis += x.Type.Shape.Rank + 1
	}
	return b.emit1(OpExpandDims, []*Value{x}, map[string]Attr{"axis": axis})
}

// Reshape returns x's elements in row-major order under new dims.
func (b *Builder) Reshape(x *Value, dims ...any) *Value {
	ds, ok := b.dims("reshape", dims)
	if !ok || poisoned(x) {
		return b.poison()
	}
	return b.emit1(OpReshape, []*Value{x}, nil, x.Type.WithShape(ShapeOf(ds...)))
}

// Trans permutes x's dimensions; with no perm it reverses them.
func (b *Builder) Trans(x *Value, perm ...int) *Value {
	if poisoned(x) {
		return x
	}
	if len(perm) == 0 {
		for i := x.Type.Shape.Rank - 1; i >= 0; i-- {
			perm = append(perm, i)
		}
	}
	return b.emit1(OpTrans, []*Value{x}, map[string]Attr{"perm": perm})
}

// Join stacks x and y along a new last dimension of size 2.
func (b *Builder) Join(x, y *Value) *Value {
	return b.emit1(OpJoin, []*Value{x, y}, nil)
}

// Split is the inverse of Join.
func (b *Builder) Split(x *Value) (*Value, *Value) {
	if poisoned(x) {
		return x, x
	}
	op := b.emit(OpSplit, []*Value{x}, nil)
	if op == nil {
		return b.poison(), b.poison()
	}
	return op.Results[0], op.Results[1]
}

// --- elementwise --------------------------------------------------------

func (b *Builder) binary(code Opcode, x, y any) *Value {
	name := code.String()
	xv, yv := b.operands(name, x, y)
	vs := []*Value{xv, yv}
	if !b.broadcastAll(name, vs...) {
		return b.poison()
	}
	return b.emit1(code, vs, nil)
}

// Add returns x + y. When x is a pointer (or a tile of them), y is an
// offset in elements and the result is a pointer (Triton's ptr + offs).
func (b *Builder) Add(x, y any) *Value {
	if xv, ok := x.(*Value); ok && xv != nil && xv.Type.Kind == KindPtr {
		return b.AddPtr(xv, y)
	}
	return b.binary(OpAdd, x, y)
}

// AddPtr returns ptr + offset elements.
func (b *Builder) AddPtr(ptr *Value, offset any) *Value {
	off := b.operand("addptr", offset, nil)
	vs := []*Value{ptr, off}
	if !b.broadcastAll("addptr", vs...) {
		return b.poison()
	}
	return b.emit1(OpAddPtr, vs, nil)
}

// Sub returns x - y.
func (b *Builder) Sub(x, y any) *Value { return b.binary(OpSub, x, y) }

// Mul returns x * y.
func (b *Builder) Mul(x, y any) *Value { return b.binary(OpMul, x, y) }

// Div returns x / y (integers truncate toward zero).
func (b *Builder) Div(x, y any) *Value { return b.binary(OpDiv, x, y) }

// Rem returns x % y with the sign of x.
func (b *Builder) Rem(x, y any) *Value { return b.binary(OpRem, x, y) }

// CDiv returns ceil(x / y) for non-negative integers.
func (b *Builder) CDiv(x, y any) *Value {
	xv, yv := b.operands("cdiv", x, y)
	return b.Div(b.Sub(b.Add(xv, yv), 1), yv)
}

// Minimum returns the elementwise minimum (tl.minimum).
func (b *Builder) Minimum(x, y any) *Value { return b.binary(OpMin, x, y) }

// Maximum returns the elementwise maximum (tl.maximum).
func (b *Builder) Maximum(x, y any) *Value { return b.binary(OpMax, x, y) }

// And returns x & y.
func (b *Builder) And(x, y any) *Value { return b.binary(OpAnd, x, y) }

// Or returns x | y.
func (b *Builder) Or(x, y any) *Value { return b.binary(OpOr, x, y) }

// Xor returns x ^ y.
func (b *Builder) Xor(x, y any) *Value { return b.binary(OpXor, x, y) }

// Shl returns x << y.
func (b *Builder) Shl(x, y any) *Value { return b.binary(OpShl, x, y) }

// Shr returns x >> y (arithmetic).
func (b *Builder) Shr(x, y any) *Value { return b.binary(OpShr, x, y) }

// ShrU returns x >> y (logical).
func (b *Builder) ShrU(x, y any) *Value { return b.binary(OpShrU, x, y) }

func (b *Builder) unary(code Opcode, x *Value) *Value { return b.emit1(code, []*Value{x}, nil) }

// Neg returns -x.
func (b *Builder) Neg(x *Value) *Value { return b.unary(OpNeg, x) }

// Not returns ^x (logical not for i1).
func (b *Builder) Not(x *Value) *Value { return b.unary(OpNot, x) }

// Abs returns |x|.
func (b *Builder) Abs(x *Value) *Value { return b.unary(OpAbs, x) }

// Exp returns e^x.
func (b *Builder) Exp(x *Value) *Value { return b.unary(OpExp, x) }

// Exp2 returns 2^x.
func (b *Builder) Exp2(x *Value) *Value { return b.unary(OpExp2, x) }

// Log returns ln x.
func (b *Builder) Log(x *Value) *Value { return b.unary(OpLog, x) }

// Log2 returns log2 x.
func (b *Builder) Log2(x *Value) *Value { return b.unary(OpLog2, x) }

// Sqrt returns the square root of x.
func (b *Builder) Sqrt(x *Value) *Value { return b.unary(OpSqrt, x) }

// Rsqrt returns 1/sqrt(x).
func (b *Builder) Rsqrt(x *Value) *Value { return b.unary(OpRsqrt, x) }

// Sin returns sin x.
func (b *Builder) Sin(x *Value) *Value { return b.unary(OpSin, x) }

// Cos returns cos x.
func (b *Builder) Cos(x *Value) *Value { return b.unary(OpCos, x) }

// Fma returns x*y + z with one rounding.
func (b *Builder) Fma(x, y, z any) *Value {
	xv, yv := b.operands("fma", x, y)
	zv := b.operand("fma", z, xv)
	vs := []*Value{xv, yv, zv}
	if !b.broadcastAll("fma", vs...) {
		return b.poison()
	}
	return b.emit1(OpFma, vs, nil)
}

// Cmp compares x and y with pred (one of CmpPreds).
func (b *Builder) Cmp(pred string, x, y any) *Value {
	xv, yv := b.operands("cmp", x, y)
	vs := []*Value{xv, yv}
	if !b.broadcastAll("cmp", vs...) {
		return b.poison()
	}
	return b.emit1(OpCmp, vs, map[string]Attr{"pred": pred})
}

// Lt returns x < y.
func (b *Builder) Lt(x, y any) *Value { return b.Cmp("lt", x, y) }

// Le returns x <= y.
func (b *Builder) Le(x, y any) *Value { return b.Cmp("le", x, y) }

// Gt returns x > y.
func (b *Builder) Gt(x, y any) *Value { return b.Cmp("gt", x, y) }

// Ge returns x >= y.
func (b *Builder) Ge(x, y any) *Value { return b.Cmp("ge", x, y) }

// Eq returns x == y.
func (b *Builder) Eq(x, y any) *Value { return b.Cmp("eq", x, y) }

// Ne returns x != y.
func (b *Builder) Ne(x, y any) *Value { return b.Cmp("ne", x, y) }

// Where returns cond ? x : y lane by lane.
func (b *Builder) Where(cond *Value, x, y any) *Value {
	xv, yv := b.operands("where", x, y)
	vs := []*Value{cond, xv, yv}
	if !b.broadcastAll("where", vs...) {
		return b.poison()
	}
	return b.emit1(OpWhere, vs, nil)
}

// Cast converts x to dtype d (x itself when it already is d).
func (b *Builder) Cast(x *Value, d DType) *Value {
	if poisoned(x) || (x.Type.Kind == KindScalar && x.Type.Elem == d) {
		return x
	}
	return b.emit1(OpCast, []*Value{x}, nil, x.Type.WithElem(d))
}

// Bitcast reinterprets x's bits as dtype d of the same width.
func (b *Builder) Bitcast(x *Value, d DType) *Value {
	if poisoned(x) {
		return x
	}
	return b.emit1(OpBitcast, []*Value{x}, nil, x.Type.WithElem(d))
}

// --- memory -------------------------------------------------------------

// Load reads *ptrs. Lanes where mask (may be nil) is false read nothing and
// yield other (may be nil: zero).
func (b *Builder) Load(ptrs *Value, mask *Value, other any) *Value {
	vs := []*Value{ptrs}
	if mask != nil {
		vs = append(vs, mask)
	}
	if !b.broadcastAll("load", vs...) {
		return b.poison()
	}
	if other != nil {
		if mask == nil {
			return b.errorf("load", "other needs a mask")
		}
		like := b.f.NewValue(Scalar(vs[0].Type.Elem))
		o := b.broadcastTo(b.operand("load", other, like), vs[0].Type.Shape)
		vs = append(vs, o)
	}
	return b.emit1(OpLoad, vs, nil)
}

// Store writes value at ptrs where mask (may be nil) is true.
func (b *Builder) Store(ptrs *Value, value any, mask *Value) {
	if poisoned(ptrs) {
		return
	}
	like := b.f.NewValue(Scalar(ptrs.Type.Elem))
	vs := []*Value{ptrs, b.operand("store", value, like)}
	if mask != nil {
		vs = append(vs, mask)
	}
	if !b.broadcastAll("store", vs...) {
		return
	}
	b.emit(OpStore, vs, nil)
}

// Atomic applies an atomic read-modify-write (kind: add, max, min, xchg,
// and, or) at ptrs where mask (may be nil) is true, returning the old values.
func (b *Builder) Atomic(kind string, ptrs *Value, value any, mask *Value) *Value {
	if poisoned(ptrs) {
		return ptrs
	}
	like := b.f.NewValue(Scalar(ptrs.Type.Elem))
	vs := []*Value{ptrs, b.operand("atomic_rmw", value, like)}
	if mask != nil {
		vs = append(vs, mask)
	}
	if !b.broadcastAll("atomic_rmw", vs...) {
		return b.poison()
	}
	return b.emit1(OpAtomicRMW, vs, map[string]Attr{"kind": kind})
}

// AtomicCAS stores value at ptrs where memory equals cmp, returning the old values.
func (b *Builder) AtomicCAS(ptrs *Value, cmp, value any) *Value {
	if poisoned(ptrs) {
		return ptrs
	}
	like := b.f.NewValue(Scalar(ptrs.Type.Elem))
	vs := []*Value{ptrs, b.operand("atomic_cas", cmp, like), b.operand("atomic_cas", value, like)}
	if !b.broadcastAll("atomic_cas", vs...) {
		return b.poison()
	}
	return b.emit1(OpAtomicCAS, vs, nil)
}

// MakeBlockPtr returns a block pointer into the tensor at base with the
// given shape and strides (in elements), positioned at offsets, addressing
// blocks of the given dims; order lists dims from fastest-varying (a hint
// for codegen, as in Triton).
func (b *Builder) MakeBlockPtr(base *Value, shape, strides, offsets []any, block []any, order []int) *Value {
	ds, ok := b.dims("make_block_ptr", block)
	if !ok || poisoned(base) {
		return b.poison()
	}
	if len(shape) != len(ds) || len(strides) != len(ds) || len(offsets) != len(ds) {
		return b.errorf("make_block_ptr", "shape, strides and offsets need %d entries each, got %d, %d, %d",
			len(ds), len(shape), len(strides), len(offsets))
	}
	args := []*Value{base}
	for _, group := range [][]any{shape, strides, offsets} {
		for _, x := range group {
			args = append(args, b.operand("make_block_ptr", x, nil))
		}
	}
	return b.emit1(OpMakeBlockPtr, args, map[string]Attr{"order": order}, BlockPtr(base.Type.Elem, ds...))
}

// Advance moves a block pointer by offsets (one per dim).
func (b *Builder) Advance(bp *Value, offsets ...any) *Value {
	args := []*Value{bp}
	for _, x := range offsets {
		args = append(args, b.operand("advance", x, nil))
	}
	return b.emit1(OpAdvance, args, nil)
}

// LoadBlock loads the block; dims listed in boundaryCheck read padding
// ("zero" or "nan"; "" means zero) outside the tensor.
func (b *Builder) LoadBlock(bp *Value, boundaryCheck []int, padding string) *Value {
	if padding == "" {
		padding = "zero"
	}
	return b.emit1(OpBlockLoad, []*Value{bp}, map[string]Attr{"boundary_check": ints(boundaryCheck), "padding": padding})
}

// StoreBlock stores value into the block; dims listed in boundaryCheck skip
// elements outside the tensor.
func (b *Builder) StoreBlock(bp *Value, value *Value, boundaryCheck []int) {
	if poisoned(bp, value) {
		return
	}
	b.emit(OpBlockStore, []*Value{bp, value}, map[string]Attr{"boundary_check": ints(boundaryCheck)})
}

func ints(xs []int) []int {
	if xs == nil {
		return []int{}
	}
	return xs
}

// --- reductions and dot ------------------------------------------------

// Dot returns x[M,K] @ y[K,N] + acc (acc may be nil: zeros), in f32.
func (b *Builder) Dot(x, y, acc *Value) *Value {
	if poisoned(x, y) {
		return b.poison()
	}
	if acc == nil {
		if x.Type.Shape.Rank != 2 || y.Type.Shape.Rank != 2 {
			return b.errorf("dot", "operands must be rank-2 tiles, not %s and %s", x.Type, y.Type)
		}
		acc = b.Full(0, F32, x.Type.Shape.Dims[0], y.Type.Shape.Dims[1])
	}
	return b.emit1(OpDot, []*Value{x, y, acc}, nil)
}

// normAxis turns a negative axis into a positive one.
func normAxis(axis, rank int) int {
	if axis < 0 {
		return axis + rank
	}
	return axis
}

// Reduce combines xs (tiles of one shape) along axis with combine, which
// receives the accumulated values and the next elements (scalars) and
// returns the new accumulated values. It returns one result per operand.
// combine must be associative and commutative: the interpreter folds in
// index order, but compiled code combines in a tree, as Triton's does.
func (b *Builder) Reduce(xs []*Value, axis int, combine func(acc, x []*Value) []*Value) []*Value {
	return b.combineOp(OpReduce, xs, map[string]Attr{"axis": axis}, combine)
}

// Scan computes the inclusive prefix combination of xs along axis.
func (b *Builder) Scan(xs []*Value, axis int, reverse bool, combine func(acc, x []*Value) []*Value) []*Value {
	return b.combineOp(OpScan, xs, map[string]Attr{"axis": axis, "reverse": int(b2i(reverse))}, combine)
}

func (b *Builder) combineOp(code Opcode, xs []*Value, attrs map[string]Attr, combine func(acc, x []*Value) []*Value) []*Value {
	out := make([]*Value, len(xs))
	for i := range out {
		out[i] = b.poison()
	}
	if len(xs) == 0 {
		b.errorf(code.String(), "needs at least one operand")
		return out
	}
	if poisoned(xs...) {
		return out
	}
	attrs["axis"] = normAxis(attrs["axis"].(int), xs[0].Type.Shape.Rank)
	op := b.emit(code, xs, attrs)
	if op == nil {
		return out
	}
	argTypes := make([]Type, 0, 2*len(xs))
	for range 2 {
		for _, x := range xs {
			argTypes = append(argTypes, x.Type.ScalarType())
		}
	}
	r := b.f.AddRegion(op, argTypes)
	b.inRegion(r, code.String()+" combine", r.Args[:len(xs)], func() []*Value {
		return combine(r.Args[:len(xs)], r.Args[len(xs):])
	})
	return op.Results
}

// inRegion builds region r with body, ending it with a yield of what body
// returns, which must match want's types.
func (b *Builder) inRegion(r *Block, what string, want []*Value, body func() []*Value) {
	saved := b.cur
	b.cur = r
	ys := body()
	if poisoned(ys...) {
		b.cur = saved
		return
	}
	if len(ys) != len(want) {
		b.errorf("yield", "%s returns %d values, want %d", what, len(ys), len(want))
	} else {
		for i, y := range ys {
			if y.Type != want[i].Type {
				b.errorf("yield", "%s returns %s as value %d, want %s", what, y.Type, i, want[i].Type)
			}
		}
	}
	b.emit(OpYield, ys, nil)
	b.cur = saved
}

// Sum adds x's elements along axis.
func (b *Builder) Sum(x *Value, axis int) *Value {
	return b.Reduce([]*Value{x}, axis, func(acc, v []*Value) []*Value { return []*Value{b.Add(acc[0], v[0])} })[0]
}

// Max takes the maximum of x's elements along axis (tl.max).
func (b *Builder) Max(x *Value, axis int) *Value {
	return b.Reduce([]*Value{x}, axis, func(acc, v []*Value) []*Value { return []*Value{b.Maximum(acc[0], v[0])} })[0]
}

// Min takes the minimum of x's elements along axis (tl.min).
func (b *Builder) Min(x *Value, axis int) *Value {
	return b.Reduce([]*Value{x}, axis, func(acc, v []*Value) []*Value { return []*Value{b.Minimum(acc[0], v[0])} })[0]
}

// Argmax returns the i32 index of the largest element along axis; ties go
// to the lowest index.
func (b *Builder) Argmax(x *Value, axis int) *Value { return b.argReduce(x, axis, "gt") }

// Argmin returns the i32 index of the smallest element along axis; ties go
// to the lowest index.
func (b *Builder) Argmin(x *Value, axis int) *Value { return b.argReduce(x, axis, "lt") }

func (b *Builder) argReduce(x *Value, axis int, better string) *Value {
	if poisoned(x) || !x.Type.IsTile() {
		return b.errorf("reduce", "argmax/argmin need a tile")
	}
	axis = normAxis(axis, x.Type.Shape.Rank)
	if axis < 0 || axis >= x.Type.Shape.Rank {
		return b.errorf("reduce", "axis %d is outside the tile %s", axis, x.Type)
	}
	idx := b.Arange(0, x.Type.Shape.Dims[axis])
	for i := 0; i < x.Type.Shape.Rank; i++ {
		if i != axis {
			idx = b.ExpandDims(idx, i)
		}
	}
	idx = b.broadcastTo(idx, x.Type.Shape)
	res := b.Reduce([]*Value{x, idx}, axis, func(acc, v []*Value) []*Value {
		// Keep acc unless v is strictly better, or equal with a lower index.
		take := b.Or(b.Cmp(better, v[0], acc[0]), b.And(b.Eq(v[0], acc[0]), b.Lt(v[1], acc[1])))
		return []*Value{b.Where(take, v[0], acc[0]), b.Where(take, v[1], acc[1])}
	})
	return res[1]
}

// Cumsum returns the inclusive prefix sum of x along axis.
func (b *Builder) Cumsum(x *Value, axis int) *Value {
	return b.Scan([]*Value{x}, axis, false, func(acc, v []*Value) []*Value { return []*Value{b.Add(acc[0], v[0])} })[0]
}

// --- control flow ------------------------------------------------------

// For runs body for iv = lo; iv < hi; iv += step, carrying inits through
// the iterations, and returns the final carried values. Literal bounds are
// i32 unless another bound is a value.
func (b *Builder) For(lo, hi, step any, inits []*Value, body func(iv *Value, carried []*Value) []*Value) []*Value {
	var like *Value
	for _, x := range []any{lo, hi, step} {
		if v, ok := x.(*Value); ok && v != nil {
			like = v
		}
	}
	args := []*Value{b.operand("for", lo, like), b.operand("for", hi, like), b.operand("for", step, like)}
	args = append(args, inits...)
	out := make([]*Value, len(inits))
	for i := range out {
		out[i] = b.poison()
	}
	if poisoned(args...) {
		return out
	}
	op := b.emit(OpFor, args, nil)
	if op == nil {
		return out
	}
	types := []Type{args[0].Type}
	for _, v := range inits {
		types = append(types, v.Type)
	}
	r := b.f.AddRegion(op, types)
	b.inRegion(r, "for body", op.Results, func() []*Value { return body(r.Args[0], r.Args[1:]) })
	return op.Results
}

// If runs then when cond is true, else els (nil when then yields nothing),
// and returns what the branch yields.
func (b *Builder) If(cond *Value, then func() []*Value, els func() []*Value) []*Value {
	if poisoned(cond) {
		return nil
	}
	// The result types are those of then's values, known only after building
	// it: build then into the op first.
	op := &Op{Code: OpIf, Args: []*Value{cond}, Pos: callerPos()}
	r0 := b.f.AddRegion(op, nil)
	saved := b.cur
	b.cur = r0
	ys := then()
	b.cur = saved
	if poisoned(ys...) {
		return nil
	}
	for _, y := range ys {
		v := b.f.NewValue(y.Type)
		v.Def = op
		op.Results = append(op.Results, v)
	}
	b.cur = r0
	b.emit(OpYield, ys, nil)
	b.cur = saved
	r1 := b.f.AddRegion(op, nil)
	if els == nil {
		if len(ys) > 0 {
			b.errorf("if", "has results but no else branch")
			return op.Results
		}
		els = func() []*Value { return nil }
	}
	b.inRegion(r1, "else branch", op.Results, els)
	if err := checkIf(op); err != nil {
		b.errorf("if", "%v", err)
		return op.Results
	}
	b.cur.Append(op)
	return op.Results
}

// While loops: cond receives the carried values and returns whether to go
// on and the values to pass to body (and to return when the loop stops);
// body returns the next carried values.
func (b *Builder) While(inits []*Value, cond func(args []*Value) (*Value, []*Value), body func(args []*Value) []*Value) []*Value {
	if poisoned(inits...) {
		return nil
	}
	op := &Op{Code: OpWhile, Args: inits, Pos: callerPos()}
	types := make([]Type, len(inits))
	for i, v := range inits {
		types[i] = v.Type
	}
	before := b.f.AddRegion(op, types)
	saved := b.cur
	b.cur = before
	c, passed := cond(before.Args)
	if poisoned(append([]*Value{c}, passed...)...) {
		b.cur = saved
		return nil
	}
	b.emit(OpCondition, append([]*Value{c}, passed...), nil)
	b.cur = saved
	ptypes := make([]Type, len(passed))
	for i, v := range passed {
		ptypes[i] = v.Type
		r := b.f.NewValue(v.Type)
		r.Def = op
		op.Results = append(op.Results, r)
	}
	after := b.f.AddRegion(op, ptypes)
	b.inRegion(after, "while body", before.Args, func() []*Value { return body(after.Args) })
	if err := checkWhile(op); err != nil {
		b.errorf("while", "%v", err)
		return op.Results
	}
	b.cur.Append(op)
	return op.Results
}

// --- debugging -----------------------------------------------------------

// Print prints vals with prefix when the kernel runs (device_print).
func (b *Builder) Print(prefix string, vals ...*Value) {
	if poisoned(vals...) {
		return
	}
	b.emit(OpPrint, vals, map[string]Attr{"prefix": prefix})
}

// Assert stops the kernel with msg when any lane of cond is false.
func (b *Builder) Assert(cond *Value, msg string) {
	if poisoned(cond) {
		return
	}
	b.emit(OpAssert, []*Value{cond}, map[string]Attr{"msg": msg})
}
