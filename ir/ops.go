package ir

import (
	"fmt"
	"math"
)

// Opcode identifies an op; it indexes the op table.
type Opcode uint8

// The opcodes. Each has exactly one row in opTable below.
const (
	OpInvalid Opcode = iota
	// Constants, ids and shapes.
	OpConstant
	OpConstexpr
	OpProgramID
	OpNumPrograms
	OpArange
	OpSplat
	OpBroadcast
	OpExpandDims
	OpReshape
	OpTrans
	OpJoin
	OpSplit
	// Elementwise.
	OpAdd
	OpSub
	OpMul
	OpDiv
	OpRem
	OpMin
	OpMax
	OpAnd
	OpOr
	OpXor
	OpShl
	OpShr
	OpShrU
	OpNeg
	OpNot
	OpAbs
	OpExp
	OpExp2
	OpLog
	OpLog2
	OpSqrt
	OpRsqrt
	OpSin
	OpCos
	OpFma
	OpCmp
	OpWhere
	OpCast
	OpBitcast
	// Memory.
	OpAddPtr
	OpLoad
	OpStore
	OpAtomicRMW
	OpAtomicCAS
	OpMakeBlockPtr
	OpAdvance
	OpBlockLoad
	OpBlockStore
	// Reductions and matrix product.
	OpReduce
	OpScan
	OpDot
	// Control flow.
	OpFor
	OpIf
	OpWhile
	OpYield
	OpCondition
	// Debugging.
	OpPrint
	OpAssert
	// The GPU level (layouts, shared memory, async copies; rules in check_gpu.go).
	OpConvertLayout
	OpLocalAlloc
	OpLocalIndex
	OpLocalStore
	OpLocalLoad
	OpLdmatrix
	OpAsyncCopy
	OpAsyncCopyBlock
	OpAsyncCommit
	OpAsyncWait
	OpBarrier
	OpFenceAsyncShared
	OpTensorMap
	OpTMALoad
	OpMBarrierInit
	OpMBarrierExpect
	OpMBarrierWait
	OpMBarrierInval
	OpDotWait
	NumOpcodes
)

// ArgSpec names one operand of an op. Optional operands come last and are
// present as a prefix (load's other needs its mask); they print as `name %v`.
type ArgSpec struct {
	Name     string
	Optional bool
}

// OpInfo is one row of the op table: everything the IR knows about an op.
type OpInfo struct {
	Name string
	Doc  string
	// Args are the fixed operands; Variadic allows any number after them.
	Args     []ArgSpec
	Variadic bool
	Attrs    []AttrSpec
	Regions  int
	// Results is the number of results, or -1 when it varies per op
	// (control flow, reduce, scan).
	Results int
	// Terminator ops end a region; they are only legal as a block's last op.
	Terminator bool
	// Effects marks ops that write memory, print or trap: DCE keeps them and
	// CSE does not merge them. ReadsMemory marks loads, which CSE must not
	// merge either (a store may come between).
	Effects, ReadsMemory bool
	// Elem, for elementwise ops, gives their scalar semantics: the single
	// definition that the folder and the interpreter both run.
	Elem *Elementwise
	// Infer computes the result types from the operands and attributes. Ops
	// without it take their result types from the builder (or the text) and
	// Check validates them.
	Infer func(op *Op) ([]Type, error)
	// Check performs the op's remaining checks (operand kinds, regions).
	Check func(op *Op) error

	// GPU marks ops that exist only at the GPU level (Func.GPU set):
	// conversions, shared memory, async copies, barriers.
	GPU bool
	// Layouts checks, at the GPU level, that the layouts of the op's
	// operands and results are ones it accepts (check_gpu.go). Ops without
	// tiles have none.
	Layouts func(op *Op, f *Func) error
	// Scratch, at the GPU level, is how many bytes of shared memory the
	// op's lowering uses on its own (partial results crossing warps); the
	// allocation pass puts them at the op's scratch attribute.
	Scratch func(op *Op) int
}

// Domain says which dtypes an elementwise op accepts.
type Domain uint8

// Operand domains of elementwise ops.
const (
	DomFloat   Domain = 1 << iota // f16 bf16 f32 f64
	DomInt                        // i1 .. i64
	DomNumeric = DomFloat | DomInt
)

// Elementwise describes an op that applies a scalar function lane by lane
// to operands of one shape.
type Elementwise struct {
	Arity  int
	Domain Domain
	// Bool results are i1 (comparisons); otherwise the result has the
	// operands' type (cast and bitcast: the type given by the builder).
	Bool bool
	// Eval computes one lane. in is the operands' dtype (for where: the
	// dtype of the chosen values), out the result's. The result is rounded
	// to out by the LaneFunc, not by Eval.
	Eval func(in, out DType, a []Num) Num
	// Bind, when set, returns Eval for one op whose semantics depend on its
	// attributes (cmp's predicate).
	Bind func(op *Op) func(in, out DType, a []Num) Num
}

// LaneFunc evaluates one lane of an elementwise op, rounded to its dtype.
type LaneFunc func(a []Num) Num

// Lane returns the lane function of an elementwise op: the op's scalar
// semantics with its operand and result dtypes bound. It returns nil for
// ops that are not elementwise.
func (op *Op) Lane() LaneFunc {
	e := op.Info().Elem
	if e == nil {
		return nil
	}
	eval := e.Eval
	if e.Bind != nil {
		eval = e.Bind(op)
	}
	in := op.Args[len(op.Args)-1].Type.Elem // where: the values, not the condition
	out := op.Results[0].Type.Elem
	if out.IsFloat() {
		return func(a []Num) Num { r := eval(in, out, a); r.F = out.Round(r.F); return r }
	}
	if op.Results[0].Type.Kind != KindScalar { // pointers (where over pointer tiles)
		return func(a []Num) Num { return eval(in, out, a) }
	}
	return func(a []Num) Num { r := eval(in, out, a); r.I = out.Wrap(r.I); return r }
}

// Lookup returns the opcode named name.
func Lookup(name string) (Opcode, bool) {
	c, ok := opByName[name]
	return c, ok
}

// Info returns the table row of c.
func (c Opcode) Info() *OpInfo { return &opTable[c] }

func (c Opcode) String() string { return opTable[c].Name }

var opByName = map[string]Opcode{}

// indexOps fills opByName and checks the table is complete.
func indexOps() {
	for c := Opcode(1); c < NumOpcodes; c++ {
		info := &opTable[c]
		if info.Name == "" {
			panic(fmt.Sprintf("ir: opcode %d has no table entry", c))
		}
		if _, dup := opByName[info.Name]; dup {
			panic("ir: duplicate op name " + info.Name)
		}
		opByName[info.Name] = c
		if info.Elem != nil && info.Infer == nil && info.Check == nil {
			info.Infer = inferElementwise
		}
		if info.Elem != nil && info.Layouts == nil {
			info.Layouts = layoutsSame
		}
	}
}

// The scalar semantics of elementwise ops. Integer results are wrapped and
// float results rounded to the result dtype by Apply.
func floatOrInt(f func(a, b float64) float64, i func(a, b int64, d DType) int64) func(in, out DType, a []Num) Num {
	return func(in, _ DType, a []Num) Num {
		if in.IsFloat() {
			return Num{F: f(a[0].F, a[1].F)}
		}
		return Num{I: i(a[0].I, a[1].I, in)}
	}
}

func floatUnary(f func(float64) float64) func(in, out DType, a []Num) Num {
	return func(_, _ DType, a []Num) Num { return Num{F: f(a[0].F)} }
}

func intBinary(f func(a, b int64, d DType) int64) func(in, out DType, a []Num) Num {
	return func(in, _ DType, a []Num) Num { return Num{I: f(a[0].I, a[1].I, in)} }
}

// maxNum and minNum follow IEEE maxNum/minNum (and PTX max.f32): a NaN
// operand is ignored unless both are NaN.
func maxNum(a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return math.Max(a, b)
}

func minNum(a, b float64) float64 {
	switch {
	case math.IsNaN(a):
		return b
	case math.IsNaN(b):
		return a
	}
	return math.Min(a, b)
}

// unsigned returns v's bits as an unsigned number of d's width.
func unsigned(v int64, d DType) uint64 {
	if d.Bits() >= 64 {
		return uint64(v)
	}
	return uint64(v) & (1<<uint(d.Bits()) - 1)
}

// Shift semantics: amounts of at least the width shift everything out (as
// PTX shl/shr do; LLVM would call that poison).
func shl(a, b int64, d DType) int64 {
	if b < 0 || b >= int64(d.Bits()) {
		return 0
	}
	return a << uint(b)
}

func shr(a, b int64, d DType) int64 {
	if b < 0 || b >= int64(d.Bits()) {
		b = int64(d.Bits()) - 1
	}
	return a >> uint(b)
}

func shru(a, b int64, d DType) int64 {
	if b < 0 || b >= int64(d.Bits()) {
		return 0
	}
	return int64(unsigned(a, d) >> uint(b))
}

// Integer division truncates toward zero; dividing by zero gives 0 and the
// remainder by zero gives the dividend, so the result is defined (a GPU's is
// not: kernels must mask such lanes).
func idiv(a, b int64, d DType) int64 {
	if b == 0 {
		return 0
	}
	if b == -1 {
		return -a // wraps for the minimum value, like hardware
	}
	return a / b
}

func irem(a, b int64, d DType) int64 {
	if b == 0 || b == -1 {
		if b == 0 {
			return a
		}
		return 0
	}
	return a % b
}

// CmpPreds are the comparison predicates: signed for integers, ordered for
// floats except ne, which is unordered (true when either operand is NaN), as
// in C and Triton; the u-forms compare integers as unsigned.
var CmpPreds = []string{"eq", "ne", "lt", "le", "gt", "ge", "ult", "ule", "ugt", "uge"}

func evalCmp(pred string) func(in, out DType, a []Num) Num {
	var fc func(x, y float64) bool
	var ic func(x, y int64, ux, uy uint64) bool
	switch pred {
	case "eq":
		fc, ic = func(x, y float64) bool { return x == y }, func(x, y int64, _, _ uint64) bool { return x == y }
	case "ne":
		fc, ic = func(x, y float64) bool { return x != y }, func(x, y int64, _, _ uint64) bool { return x != y }
	case "lt":
		fc, ic = func(x, y float64) bool { return x < y }, func(x, y int64, _, _ uint64) bool { return x < y }
	case "le":
		fc, ic = func(x, y float64) bool { return x <= y }, func(x, y int64, _, _ uint64) bool { return x <= y }
	case "gt":
		fc, ic = func(x, y float64) bool { return x > y }, func(x, y int64, _, _ uint64) bool { return x > y }
	case "ge":
		fc, ic = func(x, y float64) bool { return x >= y }, func(x, y int64, _, _ uint64) bool { return x >= y }
	case "ult":
		ic = func(_, _ int64, x, y uint64) bool { return x < y }
	case "ule":
		ic = func(_, _ int64, x, y uint64) bool { return x <= y }
	case "ugt":
		ic = func(_, _ int64, x, y uint64) bool { return x > y }
	case "uge":
		ic = func(_, _ int64, x, y uint64) bool { return x >= y }
	}
	return func(in, _ DType, a []Num) Num {
		var r bool
		switch {
		case in.IsFloat() && fc != nil:
			r = fc(a[0].F, a[1].F)
		case !in.IsFloat() && ic != nil:
			r = ic(a[0].I, a[1].I, unsigned(a[0].I, in), unsigned(a[1].I, in))
		}
		return Num{I: b2i(r)}
	}
}

// EvalCmp evaluates a comparison lane; the folder and interpreter share it.
func EvalCmp(pred string, in DType, a, b Num) bool {
	return evalCmp(pred)(in, I1, []Num{a, b}).I != 0
}

// evalCast converts between dtypes. Float to float rounds to nearest even.
// Float to integer truncates toward zero and saturates, NaN giving 0 (PTX
// cvt.rzi.sat). Integer to float rounds to nearest even. Integers are
// sign-extended or truncated; i1 widens to 0 or 1. Anything to i1 is x != 0.
func evalCast(in, out DType, a []Num) Num {
	x := a[0]
	switch {
	case out == I1:
		if in.IsFloat() {
			return Num{I: b2i(x.F != 0)}
		}
		return Num{I: b2i(x.I != 0)}
	case in.IsFloat() && out.IsFloat():
		return Num{F: x.F}
	case in.IsFloat():
		return Num{I: saturate(x.F, out)}
	case out.IsFloat():
		return Num{F: float64(x.I)}
	}
	return Num{I: x.I}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func saturate(f float64, d DType) int64 {
	if math.IsNaN(f) {
		return 0
	}
	f = math.Trunc(f)
	lo := -math.Ldexp(1, d.Bits()-1)
	hi := math.Ldexp(1, d.Bits()-1) - 1
	if d == I64 {
		if f >= math.Ldexp(1, 63) {
			return math.MaxInt64
		}
		if f < lo {
			return math.MinInt64
		}
		return int64(f)
	}
	return int64(math.Max(lo, math.Min(hi, f)))
}

// evalBitcast reinterprets bits between a float and an integer of one width.
func evalBitcast(in, out DType, a []Num) Num {
	var bits uint64
	switch in {
	case F16:
		bits = uint64(F16Bits(a[0].F))
	case BF16:
		bits = uint64(BF16Bits(a[0].F))
	case F32:
		bits = uint64(math.Float32bits(float32(a[0].F)))
	case F64:
		bits = math.Float64bits(a[0].F)
	default:
		bits = unsigned(a[0].I, in)
	}
	switch out {
	case F16:
		return Num{F: F16FromBits(uint16(bits))}
	case BF16:
		return Num{F: BF16FromBits(uint16(bits))}
	case F32:
		return Num{F: float64(math.Float32frombits(uint32(bits)))}
	case F64:
		return Num{F: math.Float64frombits(bits)}
	}
	return Num{I: int64(bits)}
}

func evalWhere(_, _ DType, a []Num) Num {
	if a[0].I != 0 {
		return a[1]
	}
	return a[2]
}

func binop(name, doc string, dom Domain, eval func(in, out DType, a []Num) Num) OpInfo {
	return OpInfo{Name: name, Doc: doc, Args: []ArgSpec{{Name: "lhs"}, {Name: "rhs"}}, Results: 1,
		Elem: &Elementwise{Arity: 2, Domain: dom, Eval: eval}}
}

func unop(name, doc string, dom Domain, eval func(in, out DType, a []Num) Num) OpInfo {
	return OpInfo{Name: name, Doc: doc, Args: []ArgSpec{{Name: "x"}}, Results: 1,
		Elem: &Elementwise{Arity: 1, Domain: dom, Eval: eval}}
}

func mathop(name, doc string, f func(float64) float64) OpInfo {
	return unop(name, doc, DomFloat, floatUnary(f))
}

// opTable is the single definition of every op. Its Infer and Check
// functions live in check.go. It is filled in an init function because those
// functions refer back to the table, which a package-level initializer
// cannot do.
var opTable [NumOpcodes]OpInfo

func init() {
	opTable = [NumOpcodes]OpInfo{
		OpInvalid: {Name: "invalid"},

		OpConstant: {Name: "constant", Doc: "a scalar constant, or a tile filled with it (Triton's full)",
			Attrs: []AttrSpec{{Name: "value", Kind: AttrNum}}, Results: 1, Check: checkConstant, Layouts: layoutsAny},
		OpConstexpr: {Name: "constexpr", Doc: "the value of a meta-parameter as an i32 scalar; specialization replaces it by a constant",
			Attrs: []AttrSpec{{Name: "name", Kind: AttrMeta}}, Results: 1, Infer: inferI32},
		OpProgramID: {Name: "program_id", Doc: "the program's index along a grid axis (0, 1 or 2)",
			Attrs: []AttrSpec{{Name: "axis", Kind: AttrInt}}, Results: 1, Infer: inferGridAxis},
		OpNumPrograms: {Name: "num_programs", Doc: "the number of programs along a grid axis",
			Attrs: []AttrSpec{{Name: "axis", Kind: AttrInt}}, Results: 1, Infer: inferGridAxis},
		OpArange: {Name: "arange", Doc: "the i32 tile start, start+1, ..., end-1",
			Attrs: []AttrSpec{{Name: "start", Kind: AttrInt}, {Name: "end", Kind: AttrDim}}, Results: 1, Infer: inferArange, Layouts: layoutsAny},
		OpSplat: {Name: "splat", Doc: "a tile with every element equal to a scalar",
			Args: []ArgSpec{{Name: "x"}}, Results: 1, Check: checkSplat, Layouts: layoutsAny},
		OpBroadcast: {Name: "broadcast", Doc: "repeat a tile along its size-1 dimensions to the result shape",
			Args: []ArgSpec{{Name: "x"}}, Results: 1, Check: checkBroadcast, Layouts: layoutsView},
		OpExpandDims: {Name: "expand_dims", Doc: "insert a size-1 dimension at axis (x[:, None] is axis 1)",
			Args: []ArgSpec{{Name: "x"}}, Attrs: []AttrSpec{{Name: "axis", Kind: AttrInt}}, Results: 1, Infer: inferExpandDims, Layouts: layoutsView},
		OpReshape: {Name: "reshape", Doc: "the same elements in row-major order under a new shape",
			Args: []ArgSpec{{Name: "x"}}, Results: 1, Check: checkReshape, Layouts: layoutsView},
		OpTrans: {Name: "trans", Doc: "permute dimensions: result dim i is operand dim perm[i]",
			Args: []ArgSpec{{Name: "x"}}, Attrs: []AttrSpec{{Name: "perm", Kind: AttrInts}}, Results: 1, Infer: inferTrans, Layouts: layoutsView},
		OpJoin: {Name: "join", Doc: "stack two tiles along a new last dimension of size 2",
			Args: []ArgSpec{{Name: "lhs"}, {Name: "rhs"}}, Results: 1, Infer: inferJoin, Layouts: layoutsJoin},
		OpSplit: {Name: "split", Doc: "the inverse of join: the two halves of a last dimension of size 2",
			Args: []ArgSpec{{Name: "x"}}, Results: 2, Infer: inferSplit, Layouts: layoutsSplit},

		OpAdd:  binop("add", "a + b", DomNumeric, floatOrInt(func(a, b float64) float64 { return a + b }, func(a, b int64, _ DType) int64 { return a + b })),
		OpSub:  binop("sub", "a - b", DomNumeric, floatOrInt(func(a, b float64) float64 { return a - b }, func(a, b int64, _ DType) int64 { return a - b })),
		OpMul:  binop("mul", "a * b", DomNumeric, floatOrInt(func(a, b float64) float64 { return a * b }, func(a, b int64, _ DType) int64 { return a * b })),
		OpDiv:  binop("div", "a / b; integers truncate toward zero (x/0 = 0)", DomNumeric, floatOrInt(func(a, b float64) float64 { return a / b }, idiv)),
		OpRem:  binop("rem", "remainder with the dividend's sign (C fmod / %); x%0 = x", DomNumeric, floatOrInt(math.Mod, irem)),
		OpMin:  binop("min", "elementwise minimum (signed; floats ignore a NaN operand)", DomNumeric, floatOrInt(minNum, func(a, b int64, _ DType) int64 { return min(a, b) })),
		OpMax:  binop("max", "elementwise maximum (signed; floats ignore a NaN operand)", DomNumeric, floatOrInt(maxNum, func(a, b int64, _ DType) int64 { return max(a, b) })),
		OpAnd:  binop("and", "bitwise and", DomInt, intBinary(func(a, b int64, _ DType) int64 { return a & b })),
		OpOr:   binop("or", "bitwise or", DomInt, intBinary(func(a, b int64, _ DType) int64 { return a | b })),
		OpXor:  binop("xor", "bitwise xor", DomInt, intBinary(func(a, b int64, _ DType) int64 { return a ^ b })),
		OpShl:  binop("shl", "shift left; amounts >= the width give 0", DomInt, intBinary(shl)),
		OpShr:  binop("shr", "arithmetic shift right; amounts >= the width give the sign", DomInt, intBinary(shr)),
		OpShrU: binop("shru", "logical shift right; amounts >= the width give 0", DomInt, intBinary(shru)),
		OpNeg: unop("neg", "-x", DomNumeric, func(in, _ DType, a []Num) Num {
			if in.IsFloat() {
				return Num{F: -a[0].F}
			}
			return Num{I: -a[0].I}
		}),
		OpNot: unop("not", "bitwise not (logical not for i1)", DomInt, func(_, _ DType, a []Num) Num { return Num{I: ^a[0].I} }),
		OpAbs: unop("abs", "|x|", DomNumeric, func(in, _ DType, a []Num) Num {
			if in.IsFloat() {
				return Num{F: math.Abs(a[0].F)}
			}
			if a[0].I < 0 {
				return Num{I: -a[0].I}
			}
			return a[0]
		}),
		OpExp:   mathop("exp", "e^x", math.Exp),
		OpExp2:  mathop("exp2", "2^x", math.Exp2),
		OpLog:   mathop("log", "natural logarithm", math.Log),
		OpLog2:  mathop("log2", "base-2 logarithm", math.Log2),
		OpSqrt:  mathop("sqrt", "square root", math.Sqrt),
		OpRsqrt: mathop("rsqrt", "1/sqrt(x)", func(x float64) float64 { return 1 / math.Sqrt(x) }),
		OpSin:   mathop("sin", "sine (radians)", math.Sin),
		OpCos:   mathop("cos", "cosine (radians)", math.Cos),
		OpFma: {Name: "fma", Doc: "a*b + c with one rounding", Args: []ArgSpec{{Name: "a"}, {Name: "b"}, {Name: "c"}}, Results: 1,
			Elem: &Elementwise{Arity: 3, Domain: DomFloat, Eval: func(_, _ DType, a []Num) Num { return Num{F: math.FMA(a[0].F, a[1].F, a[2].F)} }}},
		OpCmp: {Name: "cmp", Doc: "compare with a predicate; the result is i1",
			Args: []ArgSpec{{Name: "lhs"}, {Name: "rhs"}}, Attrs: []AttrSpec{{Name: "pred", Kind: AttrString, Enum: CmpPreds}}, Results: 1,
			Elem: &Elementwise{Arity: 2, Domain: DomNumeric, Bool: true,
				Bind: func(op *Op) func(in, out DType, a []Num) Num { return evalCmp(op.Str("pred")) }},
			Infer: inferElementwise, Check: checkCmp},
		OpWhere: {Name: "where", Doc: "cond ? a : b, lane by lane",
			Args: []ArgSpec{{Name: "cond"}, {Name: "a"}, {Name: "b"}}, Results: 1,
			Elem: &Elementwise{Arity: 3, Domain: DomNumeric, Eval: evalWhere}, Infer: inferWhere},
		OpCast: {Name: "cast", Doc: "convert to the result dtype (rounding: see evalCast)",
			Args: []ArgSpec{{Name: "x"}}, Results: 1,
			Elem: &Elementwise{Arity: 1, Domain: DomNumeric, Eval: evalCast}, Check: checkCast},
		OpBitcast: {Name: "bitcast", Doc: "reinterpret the bits as a dtype of the same width",
			Args: []ArgSpec{{Name: "x"}}, Results: 1,
			Elem: &Elementwise{Arity: 1, Domain: DomNumeric, Eval: evalBitcast}, Check: checkBitcast},

		OpAddPtr: {Name: "addptr", Doc: "ptr + offset elements (not bytes)",
			Args: []ArgSpec{{Name: "ptr"}, {Name: "offset"}}, Results: 1, Infer: inferAddPtr, Layouts: layoutsSame},
		OpLoad: {Name: "load", Doc: "read memory at each pointer; lanes with a false mask read nothing and yield other (0 without it)",
			Args: []ArgSpec{{Name: "ptr"}, {Name: "mask", Optional: true}, {Name: "other", Optional: true}}, Results: 1,
			Attrs: []AttrSpec{vecAttr}, ReadsMemory: true, Infer: inferLoad, Layouts: layoutsAccess},
		OpStore: {Name: "store", Doc: "write each lane's value at its pointer where the mask is true",
			Args: []ArgSpec{{Name: "ptr"}, {Name: "value"}, {Name: "mask", Optional: true}}, Results: 0,
			Attrs: []AttrSpec{vecAttr}, Effects: true, Check: checkStore, Layouts: layoutsAccess},
		OpAtomicRMW: {Name: "atomic_rmw", Doc: "atomically combine value into memory, returning the old value",
			Args:  []ArgSpec{{Name: "ptr"}, {Name: "value"}, {Name: "mask", Optional: true}},
			Attrs: []AttrSpec{{Name: "kind", Kind: AttrString, Enum: AtomicKinds}, scratchAttr}, Results: 1, Effects: true, Infer: inferAtomicRMW,
			Layouts: layoutsSame, Scratch: scratchAtomic},
		OpAtomicCAS: {Name: "atomic_cas", Doc: "atomically replace memory by value where it equals cmp, returning the old value",
			Args: []ArgSpec{{Name: "ptr"}, {Name: "cmp"}, {Name: "value"}}, Attrs: []AttrSpec{scratchAttr}, Results: 1, Effects: true,
			Infer: inferAtomicCAS, Layouts: layoutsSame, Scratch: scratchAtomic},
		OpMakeBlockPtr: {Name: "make_block_ptr", Doc: "a block pointer: base, then shape, strides and offsets (one scalar per dim each)",
			Args: []ArgSpec{{Name: "base"}}, Variadic: true, Attrs: []AttrSpec{{Name: "order", Kind: AttrInts}}, Results: 1,
			Check: checkMakeBlockPtr},
		OpAdvance: {Name: "advance", Doc: "move a block pointer's offsets by one scalar per dim",
			Args: []ArgSpec{{Name: "ptr"}}, Variadic: true, Results: 1, Infer: inferAdvance},
		OpBlockLoad: {Name: "block_load", Doc: "load the block; dims in boundary_check read padding outside the tensor",
			Args:    []ArgSpec{{Name: "ptr"}},
			Attrs:   []AttrSpec{{Name: "boundary_check", Kind: AttrInts}, {Name: "padding", Kind: AttrString, Enum: []string{"zero", "nan"}}, vecAttr},
			Results: 1, ReadsMemory: true, Infer: inferBlockLoad, Layouts: layoutsAccess},
		OpBlockStore: {Name: "block_store", Doc: "store the block; dims in boundary_check skip elements outside the tensor",
			Args: []ArgSpec{{Name: "ptr"}, {Name: "value"}}, Attrs: []AttrSpec{{Name: "boundary_check", Kind: AttrInts}, vecAttr}, Results: 0,
			Effects: true, Check: checkBlockStore, Layouts: layoutsAccess},

		OpReduce: {Name: "reduce", Doc: "combine the operands' elements along axis with the region (args: accumulators, then new elements)",
			Variadic: true, Attrs: []AttrSpec{{Name: "axis", Kind: AttrInt}, scratchAttr}, Regions: 1, Results: -1, Infer: inferReduce, Check: checkCombine,
			Layouts: layoutsReduce, Scratch: scratchReduce},
		OpScan: {Name: "scan", Doc: "inclusive prefix combine along axis (reverse=1 scans from the end)",
			Variadic: true, Attrs: []AttrSpec{{Name: "axis", Kind: AttrInt}, {Name: "reverse", Kind: AttrInt}, scratchAttr}, Regions: 1, Results: -1,
			Infer: inferScan, Check: checkCombine, Layouts: layoutsScan, Scratch: scratchScan},
		OpDot: {Name: "dot", Doc: "a[M,K] x b[K,N] + acc[M,N]; f16/bf16 products are exact and accumulate in f32; at the GPU level an async dot (wgmma) only issues: its result is pending until a dot_wait",
			Args: []ArgSpec{{Name: "a"}, {Name: "b"}, {Name: "acc"}}, Attrs: []AttrSpec{{Name: "async", Kind: AttrInt, Optional: true, GPU: true}},
			Results: 1, Infer: inferDot, Check: checkDot, Layouts: layoutsDot},

		OpFor: {Name: "for", Doc: "for iv = lb; iv < ub; iv += step, with carried values (region args: iv, carried...)",
			Args: []ArgSpec{{Name: "lb"}, {Name: "ub"}, {Name: "step"}}, Variadic: true, Regions: 1, Results: -1,
			Infer: inferFor, Check: checkFor, Layouts: layoutsAny},
		OpIf: {Name: "if", Doc: "run the first region if cond, else the second; results are what they yield",
			Args: []ArgSpec{{Name: "cond"}}, Regions: 2, Results: -1, Check: checkIf, Layouts: layoutsAny},
		OpWhile: {Name: "while", Doc: "loop: the first region computes a condition and passes values on; the second yields the next inits",
			Variadic: true, Regions: 2, Results: -1, Check: checkWhile, Layouts: layoutsAny},
		OpYield: {Name: "yield", Doc: "end a region, passing values to its op", Variadic: true, Results: 0, Terminator: true},
		OpCondition: {Name: "condition", Doc: "end a while's first region: continue while cond, passing values",
			Args: []ArgSpec{{Name: "cond"}}, Variadic: true, Results: 0, Terminator: true},

		OpPrint: {Name: "print", Doc: "print the operands with a prefix (device_print)", Variadic: true,
			Attrs: []AttrSpec{{Name: "prefix", Kind: AttrString}}, Results: 0, Effects: true, Layouts: layoutsAny},
		OpAssert: {Name: "assert", Doc: "stop the kernel with msg if any lane of cond is false",
			Args: []ArgSpec{{Name: "cond"}}, Attrs: []AttrSpec{{Name: "msg", Kind: AttrString}}, Results: 0, Effects: true, Check: checkAssert,
			Layouts: layoutsAny},

		// The GPU level: rules in check_gpu.go.
		OpConvertLayout: {Name: "convert_layout", Doc: "the same tile in the result's layout: free where each thread holds its elements already (registers renamed); the exchange pass moves the rest through shared memory",
			Args: []ArgSpec{{Name: "x"}}, Results: 1, GPU: true, Check: checkConvert, Layouts: layoutsAny},
		OpLocalAlloc: {Name: "local_alloc", Doc: "a shared-memory buffer of the result type; offset (bytes from the start of shared memory) is set by the allocation pass",
			Attrs: []AttrSpec{{Name: "offset", Kind: AttrInt, Optional: true}}, Results: 1, GPU: true, Check: checkLocalAlloc},
		OpLocalIndex: {Name: "local_index", Doc: "the buffer's slot index along its leading dim (a stage of a ring), itself a buffer",
			Args: []ArgSpec{{Name: "buf"}, {Name: "index"}}, Results: 1, GPU: true, Infer: inferLocalIndex},
		OpLocalStore: {Name: "local_store", Doc: "write a tile into a buffer of its shape, each element once (by the threads that own it), vec registers per access",
			Args: []ArgSpec{{Name: "value"}, {Name: "buf"}}, Attrs: []AttrSpec{{Name: "vec", Kind: AttrInt}}, Results: 0, Effects: true, GPU: true,
			Check: checkLocalStore, Layouts: layoutsLocalAccess},
		OpLocalLoad: {Name: "local_load", Doc: "read a (dense or padded) buffer into a tile of the result's layout, vec registers per access",
			Args: []ArgSpec{{Name: "buf"}}, Attrs: []AttrSpec{{Name: "vec", Kind: AttrInt}}, Results: 1, ReadsMemory: true, GPU: true,
			Check: checkLocalLoad, Layouts: layoutsLocalAccess},
		OpLdmatrix: {Name: "ldmatrix", Doc: "read operand A or B of mma.sync m16n8k16 (warps laid out as warps) from a swizzled buffer with ldmatrix.x4",
			Args: []ArgSpec{{Name: "buf"}}, Attrs: []AttrSpec{{Name: "operand", Kind: AttrString, Enum: []string{"A", "B"}}, {Name: "warps", Kind: AttrInts}},
			Results: 1, ReadsMemory: true, GPU: true, Check: checkLdmatrix, Layouts: layoutsLdmatrix},
		OpAsyncCopy: {Name: "async_copy", Doc: "cp.async where pred holds: each thread copies the 16-byte chunks its pointer tile's layout gives it into a swizzled buffer; chunks whose mask is false are zero-filled",
			Args: []ArgSpec{{Name: "ptr"}, {Name: "buf"}, {Name: "pred"}, {Name: "mask", Optional: true}}, Results: 0, Effects: true, GPU: true,
			Check: checkAsyncCopy, Layouts: layoutsSame},
		OpAsyncCopyBlock: {Name: "async_copy_block", Doc: "cp.async of a block pointer's block into a swizzled buffer where pred holds: each thread copies the 16-byte chunks it holds in layout; chunks outside the tensor along the boundary_check dims are zero-filled",
			Args:  []ArgSpec{{Name: "ptr"}, {Name: "buf"}, {Name: "pred"}},
			Attrs: []AttrSpec{{Name: "boundary_check", Kind: AttrInts}, {Name: "layout", Kind: AttrLayout}}, Results: 0, Effects: true, GPU: true,
			Check: checkAsyncCopyBlock},
		OpAsyncCommit: {Name: "async_commit", Doc: "close the group of this thread's async copies issued since the last commit",
			Results: 0, Effects: true, GPU: true},
		OpAsyncWait: {Name: "async_wait", Doc: "wait until at most pending groups of this thread's async copies are in flight",
			Attrs: []AttrSpec{{Name: "pending", Kind: AttrInt}}, Results: 0, Effects: true, GPU: true, Check: checkAsyncWait},
		OpBarrier: {Name: "barrier", Doc: "bar.sync 0: every thread of the block waits for all; shared memory written before is visible after",
			Results: 0, Effects: true, GPU: true},
		OpFenceAsyncShared: {Name: "fence_async_shared", Doc: "fence.proxy.async.shared::cta: this thread's ordinary writes to shared memory become visible to the async proxy (wgmma operands, TMA) after the next barrier",
			Results: 0, Effects: true, GPU: true},
		OpTensorMap: {Name: "tensor_map", Doc: "a TMA tensor map the launcher encodes from kernel arguments (parameters or constants) and passes as a hidden parameter: the tensor at base, dims (innermost first), the strides in elements of dims 1 and up, copied in boxes of the result's shape (innermost dim first) with swizzle (bytes: 0, 32, 64, 128)",
			Args: []ArgSpec{{Name: "base"}}, Variadic: true, Attrs: []AttrSpec{{Name: "swizzle", Kind: AttrInt}}, Results: 1, GPU: true,
			Check: checkTensorMap},
		OpTMALoad: {Name: "tma_load", Doc: "cp.async.bulk.tensor where pred holds, issued by one thread: the block of bptr (and coordinates for the map's dims beyond the block's two) into a swizzled buffer, one box per column block, zero-filled outside the tensor; its bytes complete on barrier slot of bars",
			Args: []ArgSpec{{Name: "map"}, {Name: "bptr"}, {Name: "buf"}, {Name: "bars"}, {Name: "slot"}, {Name: "pred"}}, Variadic: true,
			Results: 0, Effects: true, GPU: true, Check: checkTMALoad},
		OpMBarrierInit: {Name: "mbarrier_init", Doc: "one thread initializes every mbarrier of bars to expect count arrivals per phase",
			Args: []ArgSpec{{Name: "bars"}}, Attrs: []AttrSpec{{Name: "count", Kind: AttrInt}}, Results: 0, Effects: true, GPU: true, Check: checkMBarrierInit},
		OpMBarrierExpect: {Name: "mbarrier_expect", Doc: "where pred holds, one thread arrives on barrier slot of bars expecting bytes more of asynchronous copies (arrive.expect_tx)",
			Args: []ArgSpec{{Name: "bars"}, {Name: "slot"}, {Name: "pred"}}, Attrs: []AttrSpec{{Name: "bytes", Kind: AttrInt}}, Results: 0, Effects: true, GPU: true,
			Check: checkMBarrierExpect},
		OpMBarrierWait: {Name: "mbarrier_wait", Doc: "every thread waits until the phase of barrier slot of bars with parity phase has completed",
			Args: []ArgSpec{{Name: "bars"}, {Name: "slot"}, {Name: "phase"}}, Results: 0, Effects: true, GPU: true, Check: checkMBarrierWait},
		OpDotWait: {Name: "dot_wait", Doc: "wgmma.wait_group pending: every async dot but the newest pending groups has completed; the results are the operands (async dots' results), now readable",
			Variadic: true, Attrs: []AttrSpec{{Name: "pending", Kind: AttrInt}}, Results: -1, Effects: true, GPU: true,
			Infer: inferDotWait, Check: checkAsyncWait, Layouts: layoutsAny},
		OpMBarrierInval: {Name: "mbarrier_inval", Doc: "the thread that initialized bars invalidates its mbarriers, so the memory can hold other data (or new barriers)",
			Args: []ArgSpec{{Name: "bars"}}, Results: 0, Effects: true, GPU: true, Check: checkMBarriers},
	}
	indexOps()
}

// The attributes GPU-level passes add to tile ops: a vector width (in
// registers) for memory accesses, and the offset of an op's own scratch
// shared memory.
var (
	vecAttr     = AttrSpec{Name: "vec", Kind: AttrInt, GPU: true}
	scratchAttr = AttrSpec{Name: "scratch", Kind: AttrInt, GPU: true}
)

// AtomicKinds are the read-modify-write operations of atomic_rmw.
var AtomicKinds = []string{"add", "max", "min", "xchg", "and", "or"}

// EvalAtomic returns the value an atomic_rmw of kind stores, given the old
// memory value and the operand (integer max/min are signed).
func EvalAtomic(kind string, d DType, old, v Num) Num {
	switch kind {
	case "add":
		if d.IsFloat() {
			return Num{F: d.Round(old.F + v.F)}
		}
		return Num{I: d.Wrap(old.I + v.I)}
	case "max":
		if d.IsFloat() {
			return Num{F: maxNum(old.F, v.F)}
		}
		return Num{I: max(old.I, v.I)}
	case "min":
		if d.IsFloat() {
			return Num{F: minNum(old.F, v.F)}
		}
		return Num{I: min(old.I, v.I)}
	case "and":
		return Num{I: old.I & v.I}
	case "or":
		return Num{I: old.I | v.I}
	}
	return v // xchg
}
