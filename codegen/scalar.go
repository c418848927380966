package codegen

import (
	"fmt"
	"math"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
)

// The scalar semantics of elementwise ops in LLVM IR: one row per op, the
// counterpart of the op table's Eval (the interpreter's definition). f16
// and bf16 arithmetic runs in f32 and rounds back once, which gives exactly
// the correctly rounded half result the interpreter computes.

// scalarCtx is what a scalar rule sees: the op, its operand and result
// dtypes, and the block to emit into.
type scalarCtx struct {
	lw      *lowering
	op      *ir.Op
	in, out ir.DType
	b       *llir.Block
}

type scalarRule func(c *scalarCtx, a []value.Value) (value.Value, error)

var scalarTable [ir.NumOpcodes]scalarRule

func init() {
	scalarTable = [ir.NumOpcodes]scalarRule{
		ir.OpAdd:     arith(func(c *scalarCtx, x, y value.Value) value.Value { return c.b.NewAdd(x, y) }, func(c *scalarCtx, x, y value.Value) value.Value { return c.b.NewFAdd(x, y) }),
		ir.OpSub:     arith(func(c *scalarCtx, x, y value.Value) value.Value { return c.b.NewSub(x, y) }, func(c *scalarCtx, x, y value.Value) value.Value { return c.b.NewFSub(x, y) }),
		ir.OpMul:     arith(func(c *scalarCtx, x, y value.Value) value.Value { return c.b.NewMul(x, y) }, func(c *scalarCtx, x, y value.Value) value.Value { return c.b.NewFMul(x, y) }),
		ir.OpDiv:     arith(intDiv, func(c *scalarCtx, x, y value.Value) value.Value { return c.b.NewFDiv(x, y) }),
		ir.OpRem:     arith(intRem, nil),
		ir.OpMin:     arith(intMinMax(enum.IPredSLT), floatIntrinsic2("llvm.minnum")),
		ir.OpMax:     arith(intMinMax(enum.IPredSGT), floatIntrinsic2("llvm.maxnum")),
		ir.OpAnd:     arith(func(c *scalarCtx, x, y value.Value) value.Value { return c.b.NewAnd(x, y) }, nil),
		ir.OpOr:      arith(func(c *scalarCtx, x, y value.Value) value.Value { return c.b.NewOr(x, y) }, nil),
		ir.OpXor:     arith(func(c *scalarCtx, x, y value.Value) value.Value { return c.b.NewXor(x, y) }, nil),
		ir.OpShl:     arith(shift(ir.OpShl), nil),
		ir.OpShr:     arith(shift(ir.OpShr), nil),
		ir.OpShrU:    arith(shift(ir.OpShrU), nil),
		ir.OpNeg:     unaryArith(func(c *scalarCtx, x value.Value) value.Value { return c.b.NewSub(zeroOf(x.Type()), x) }, func(c *scalarCtx, x value.Value) value.Value { return c.b.NewFNeg(x) }),
		ir.OpNot:     unaryArith(func(c *scalarCtx, x value.Value) value.Value { return c.b.NewXor(x, allOnes(x.Type())) }, nil),
		ir.OpAbs:     unaryArith(intAbs, floatIntrinsic1("llvm.fabs")),
		ir.OpExp:     unaryArith(nil, mathExp),
		ir.OpExp2:    unaryArith(nil, approx(ex2Intrinsic)),
		ir.OpLog:     unaryArith(nil, mathLog),
		ir.OpLog2:    unaryArith(nil, approx("llvm.nvvm.lg2.approx.f")),
		ir.OpSqrt:    unaryArith(nil, floatIntrinsic1("llvm.sqrt")),
		ir.OpRsqrt:   unaryArith(nil, approx("llvm.nvvm.rsqrt.approx.f")),
		ir.OpSin:     unaryArith(nil, trig("llvm.nvvm.sin.approx.f")),
		ir.OpCos:     unaryArith(nil, trig("llvm.nvvm.cos.approx.f")),
		ir.OpFma:     lowerFma,
		ir.OpCmp:     lowerCmp,
		ir.OpWhere:   func(c *scalarCtx, a []value.Value) (value.Value, error) { return c.b.NewSelect(a[0], a[1], a[2]), nil },
		ir.OpCast:    func(c *scalarCtx, a []value.Value) (value.Value, error) { return c.cast(a[0], c.in, c.out), nil },
		ir.OpBitcast: lowerBitcast,
	}
}

// scalarEmitter returns the scalar lowering of an elementwise op.
func (lw *lowering) scalarEmitter(op *ir.Op) func(lw *lowering, a []value.Value) (value.Value, error) {
	rule := scalarTable[op.Code]
	in := op.Args[len(op.Args)-1].Type.Elem
	if op.Code == ir.OpCast || op.Code == ir.OpBitcast {
		in = op.Args[0].Type.Elem
	}
	out := op.Results[0].Type.Elem
	return func(lw *lowering, a []value.Value) (value.Value, error) {
		if rule == nil {
			return nil, errorAt(op, "codegen has no scalar lowering for %s", op.Name())
		}
		return rule(&scalarCtx{lw: lw, op: op, in: in, out: out, b: lw.cur}, a)
	}
}

// widen brings a float register to the type arithmetic runs in.
func (c *scalarCtx) widen(x value.Value, d ir.DType) value.Value {
	switch d {
	case ir.F16:
		return c.b.NewFPExt(x, types.Float)
	case ir.BF16:
		return c.b.NewBitCast(c.b.NewShl(c.b.NewZExt(x, types.I32), i32(16)), types.Float)
	}
	return x
}

// narrow rounds an f32 (or f64) back to d, to nearest even.
func (c *scalarCtx) narrow(x value.Value, d ir.DType) value.Value {
	switch d {
	case ir.F16:
		return c.b.NewFPTrunc(x, types.Half)
	case ir.BF16:
		if x.Type() == types.Double {
			x = c.b.NewFPTrunc(x, types.Float)
		}
		return c.b.NewCall(c.lw.x.get("llvm.nvvm.f2bf16.rn", types.I16, types.Float), x)
	case ir.F32:
		if x.Type() == types.Double {
			return c.b.NewFPTrunc(x, types.Float)
		}
	}
	return x
}

// arith builds a binary rule from an integer and a float emitter (nil: the
// op does not take that domain, which the verifier already rejected).
func arith(fi, ff func(c *scalarCtx, x, y value.Value) value.Value) scalarRule {
	return func(c *scalarCtx, a []value.Value) (value.Value, error) {
		if c.in.IsFloat() {
			if ff == nil {
				return nil, errorAt(c.op, "codegen does not lower %s on %s", c.op.Name(), c.in)
			}
			return c.narrow(ff(c, c.widen(a[0], c.in), c.widen(a[1], c.in)), c.out), nil
		}
		if fi == nil {
			return nil, errorAt(c.op, "codegen does not lower %s on %s", c.op.Name(), c.in)
		}
		return fi(c, a[0], a[1]), nil
	}
}

func unaryArith(fi, ff func(c *scalarCtx, x value.Value) value.Value) scalarRule {
	return func(c *scalarCtx, a []value.Value) (value.Value, error) {
		if c.in.IsFloat() {
			if ff == nil {
				return nil, errorAt(c.op, "codegen does not lower %s on %s", c.op.Name(), c.in)
			}
			if c.in == ir.F64 && c.op.Code != ir.OpNeg && c.op.Code != ir.OpAbs && c.op.Code != ir.OpSqrt {
				return nil, errorAt(c.op, "codegen lowers %s on f32, f16 and bf16, not f64", c.op.Name())
			}
			return c.narrow(ff(c, c.widen(a[0], c.in)), c.out), nil
		}
		if fi == nil {
			return nil, errorAt(c.op, "codegen does not lower %s on %s", c.op.Name(), c.in)
		}
		return fi(c, a[0]), nil
	}
}

func zeroOf(t types.Type) value.Value { return constant.NewInt(t.(*types.IntType), 0) }

func allOnes(t types.Type) value.Value {
	if t == types.I1 {
		return constant.True
	}
	return constant.NewInt(t.(*types.IntType), -1)
}

// intDiv and intRem give x/0 = 0, x%0 = x and x%-1 = 0 as the interpreter
// does; LLVM's sdiv and srem leave those undefined.
func intDiv(c *scalarCtx, x, y value.Value) value.Value {
	t := x.Type()
	zero := c.b.NewICmp(enum.IPredEQ, y, zeroOf(t))
	safe := c.b.NewSelect(zero, constant.NewInt(t.(*types.IntType), 1), y)
	return c.b.NewSelect(zero, zeroOf(t), c.b.NewSDiv(x, safe))
}

func intRem(c *scalarCtx, x, y value.Value) value.Value {
	t := x.Type()
	zero := c.b.NewICmp(enum.IPredEQ, y, zeroOf(t))
	minus1 := c.b.NewICmp(enum.IPredEQ, y, allOnes(t))
	odd := c.b.NewOr(zero, minus1)
	safe := c.b.NewSelect(odd, constant.NewInt(t.(*types.IntType), 1), y)
	r := c.b.NewSRem(x, safe)
	return c.b.NewSelect(zero, x, c.b.NewSelect(minus1, zeroOf(t), r))
}

func intMinMax(pred enum.IPred) func(c *scalarCtx, x, y value.Value) value.Value {
	return func(c *scalarCtx, x, y value.Value) value.Value {
		return c.b.NewSelect(c.b.NewICmp(pred, x, y), x, y)
	}
}

func intAbs(c *scalarCtx, x value.Value) value.Value {
	neg := c.b.NewICmp(enum.IPredSLT, x, zeroOf(x.Type()))
	return c.b.NewSelect(neg, c.b.NewSub(zeroOf(x.Type()), x), x)
}

// shift gives shift amounts outside 0..width-1 the interpreter's meaning
// (everything shifted out; the sign for shr); LLVM calls them poison.
func shift(code ir.Opcode) func(c *scalarCtx, x, y value.Value) value.Value {
	return func(c *scalarCtx, x, y value.Value) value.Value {
		t := x.Type().(*types.IntType)
		width := constant.NewInt(t, int64(t.BitSize))
		big := c.b.NewICmp(enum.IPredUGE, y, width)
		switch code {
		case ir.OpShl:
			return c.b.NewSelect(big, zeroOf(t), c.b.NewShl(x, y))
		case ir.OpShrU:
			return c.b.NewSelect(big, zeroOf(t), c.b.NewLShr(x, y))
		}
		amt := c.b.NewSelect(big, constant.NewInt(t, int64(t.BitSize)-1), y)
		return c.b.NewAShr(x, amt)
	}
}

// suffix names the LLVM overload of a float intrinsic.
func suffix(t types.Type) string {
	if t == types.Double {
		return ".f64"
	}
	return ".f32"
}

func floatIntrinsic1(name string) func(c *scalarCtx, x value.Value) value.Value {
	return func(c *scalarCtx, x value.Value) value.Value {
		t := x.Type()
		return c.b.NewCall(c.lw.x.get(name+suffix(t), t, t), x)
	}
}

func floatIntrinsic2(name string) func(c *scalarCtx, x, y value.Value) value.Value {
	return func(c *scalarCtx, x, y value.Value) value.Value {
		t := x.Type()
		return c.b.NewCall(c.lw.x.get(name+suffix(t), t, t, t), x, y)
	}
}

// approx calls an f32 approximation intrinsic (the hardware's SFU).
func approx(name string) func(c *scalarCtx, x value.Value) value.Value {
	return func(c *scalarCtx, x value.Value) value.Value {
		return c.b.NewCall(c.lw.x.get(name, types.Float, types.Float), x)
	}
}

// ex2Intrinsic is 2^x on the SFU in its flush-to-zero form: results
// under 2^-126 become 0 (a softmax weight below 1e-38). Without .ftz,
// ptxas guards every call against the denormal range (FSETP and two FMULs
// around MUFU.EX2, seen on sm_90): FlashAttention's key loop at
// D=128 shrank from 820 to 717 SASS instructions per 64-key block with it.
const ex2Intrinsic = "llvm.nvvm.ex2.approx.ftz.f"

// e^x = 2^(x·log2 e); ln x = log2 x · ln 2.
func mathExp(c *scalarCtx, x value.Value) value.Value {
	return approx(ex2Intrinsic)(c, c.b.NewFMul(x, f32(math.Log2E)))
}

func mathLog(c *scalarCtx, x value.Value) value.Value {
	return c.b.NewFMul(approx("llvm.nvvm.lg2.approx.f")(c, x), f32(math.Ln2))
}

// trig reduces the argument to [-π, π] before sin.approx/cos.approx, which
// are accurate only there: x - k·2π with k = round(x/2π), 2π split in two
// parts (Cody–Waite) so the product is exact enough for large x.
func trig(name string) func(c *scalarCtx, x value.Value) value.Value {
	return func(c *scalarCtx, x value.Value) value.Value {
		const twoPiHi = 6.28125             // exact in 9 bits
		const twoPiLo = 2*math.Pi - twoPiHi // the rest
		k := c.b.NewCall(c.lw.x.get("llvm.rint.f32", types.Float, types.Float), c.b.NewFMul(x, f32(1/(2*math.Pi))))
		fma := c.lw.x.get("llvm.fma.f32", types.Float, types.Float, types.Float, types.Float)
		r := c.b.NewCall(fma, c.b.NewFNeg(k), f32(twoPiHi), x)
		r2 := c.b.NewCall(fma, c.b.NewFNeg(k), f32(twoPiLo), r)
		return approx(name)(c, r2)
	}
}

func lowerFma(c *scalarCtx, a []value.Value) (value.Value, error) {
	if c.in == ir.F64 {
		return c.b.NewCall(c.lw.x.get("llvm.fma.f64", types.Double, types.Double, types.Double, types.Double), a[0], a[1], a[2]), nil
	}
	x, y, z := c.widen(a[0], c.in), c.widen(a[1], c.in), c.widen(a[2], c.in)
	return c.narrow(c.b.NewCall(c.lw.x.get("llvm.fma.f32", types.Float, types.Float, types.Float, types.Float), x, y, z), c.out), nil
}

var intPreds = map[string]enum.IPred{"eq": enum.IPredEQ, "ne": enum.IPredNE, "lt": enum.IPredSLT, "le": enum.IPredSLE,
	"gt": enum.IPredSGT, "ge": enum.IPredSGE, "ult": enum.IPredULT, "ule": enum.IPredULE, "ugt": enum.IPredUGT, "uge": enum.IPredUGE}

// Float comparisons are ordered, except ne (unordered), as the op table says.
var floatPreds = map[string]enum.FPred{"eq": enum.FPredOEQ, "ne": enum.FPredUNE, "lt": enum.FPredOLT, "le": enum.FPredOLE,
	"gt": enum.FPredOGT, "ge": enum.FPredOGE}

func lowerCmp(c *scalarCtx, a []value.Value) (value.Value, error) {
	pred := c.op.Str("pred")
	if c.in.IsFloat() {
		return c.b.NewFCmp(floatPreds[pred], c.widen(a[0], c.in), c.widen(a[1], c.in)), nil
	}
	return c.b.NewICmp(intPreds[pred], a[0], a[1]), nil
}

// cast converts between dtypes with the interpreter's rules: round to
// nearest even, float to integer truncating and saturating (cvt.rzi, which
// is what NVPTX selects for fptosi), anything to i1 as x != 0.
func (c *scalarCtx) cast(x value.Value, in, out ir.DType) value.Value {
	b := c.b
	switch {
	case in == out:
		return x
	case out == ir.I1:
		if in.IsFloat() {
			return b.NewFCmp(enum.FPredUNE, c.widen(x, in), constant.NewFloat(c.widen(x, in).Type().(*types.FloatType), 0))
		}
		return b.NewICmp(enum.IPredNE, x, zeroOf(x.Type()))
	case in.IsFloat() && out.IsFloat():
		w := c.widen(x, in)
		if out == ir.F64 {
			if w.Type() == types.Double {
				return w
			}
			return b.NewFPExt(w, types.Double)
		}
		if in == ir.F64 && out == ir.F16 {
			return b.NewFPTrunc(x, types.Half) // one rounding, not two
		}
		return c.narrow(w, out)
	case in.IsFloat():
		w := c.widen(x, in)
		if out == ir.I64 {
			return b.NewFPToSI(w, types.I64)
		}
		// Through i32 (cvt.rzi saturates to the i32 range and maps NaN to
		// 0), then clamp to narrower types explicitly: NVPTX converts to i8
		// through i16 and truncates, which does not saturate.
		v := value.Value(b.NewFPToSI(w, types.I32))
		if out == ir.I32 {
			return v
		}
		lo, hi := int64(-1)<<(out.Bits()-1), int64(1)<<(out.Bits()-1)-1
		v = b.NewSelect(b.NewICmp(enum.IPredSLT, v, i32(lo)), i32(lo), v)
		v = b.NewSelect(b.NewICmp(enum.IPredSGT, v, i32(hi)), i32(hi), v)
		return b.NewTrunc(v, regType(out))
	case out.IsFloat():
		if out == ir.F64 {
			return b.NewSIToFP(c.toSigned(x, in), types.Double)
		}
		if out == ir.F16 {
			return b.NewSIToFP(c.toSigned(x, in), types.Half)
		}
		return c.narrow(b.NewSIToFP(c.toSigned(x, in), types.Float), out)
	}
	// integer to integer
	from, to := regType(in).(*types.IntType), regType(out).(*types.IntType)
	switch {
	case from.BitSize > to.BitSize:
		return b.NewTrunc(x, to)
	case in == ir.I1:
		return b.NewZExt(x, to)
	default:
		return b.NewSExt(x, to)
	}
}

// toSigned widens i1 to i32 (0/1) before an int-to-float conversion.
func (c *scalarCtx) toSigned(x value.Value, in ir.DType) value.Value {
	if in == ir.I1 {
		return c.b.NewZExt(x, types.I32)
	}
	return x
}

func lowerBitcast(c *scalarCtx, a []value.Value) (value.Value, error) {
	from, to := regType(c.in), regType(c.out)
	if from == to {
		return a[0], nil
	}
	return c.b.NewBitCast(a[0], to), nil
}

var _ = fmt.Sprintf
