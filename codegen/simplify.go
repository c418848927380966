package codegen

import (
	"reflect"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

// Lowering builds index arithmetic from layout bases without checking
// which parts are constant (a warp coordinate that is 0 for one warp, a
// register offset of 0), so the LLVM IR holds instructions such as
// add 0, 8 or or %x, 0. tilec's PTX backend translates instruction by
// instruction, so simplify folds them before it: integer operations on
// constants become constants, identities (x+0, x·1, x<<0, x|0, x^0, …)
// become their operand, a select on a constant picks its side, a phi
// whose inputs are one value (loop-invariant parts a loop carries) and a
// bitcast to the same type are that value; and a pure instruction that
// repeats an earlier one of its block (same op, same operands) is that one: the per-register index code of a tile
// recomputes the same thread coordinates many times. The instructions
// left without uses go in deadCode.
func simplify(m *llir.Module) {
	for _, f := range m.Funcs {
		repl := map[value.Value]value.Value{}
		resolve := func(v value.Value) value.Value {
			for {
				r, ok := repl[v]
				if !ok {
					return v
				}
				v = r
			}
		}
		rewrite := func(u value.User) {
			for _, op := range u.Operands() {
				if op != nil && *op != nil {
					*op = resolve(*op)
				}
			}
		}
		for _, b := range f.Blocks {
			seen := map[cseKey]value.Value{}
			for _, inst := range b.Insts {
				u, ok := inst.(value.User)
				if !ok {
					continue
				}
				rewrite(u)
				if r := fold(inst); r != nil {
					repl[inst.(value.Value)] = r
					continue
				}
				if k, ok := keyOf(inst); ok {
					if prev, dup := seen[k]; dup {
						repl[inst.(value.Value)] = prev
					} else {
						seen[k] = inst.(value.Value)
					}
				}
			}
			if u, ok := b.Term.(value.User); ok {
				rewrite(u)
			}
		}
		// Phis, whose operands may come later in block order (a loop's
		// latch): every other use comes after its operand's definition
		// (lowering creates a block before any block it dominates emits
		// into it), so the first sweep rewrote it.
		for _, b := range f.Blocks {
			for _, inst := range b.Insts {
				if phi, ok := inst.(*llir.InstPhi); ok {
					rewrite(phi)
				}
			}
		}
	}
}

// cseKey identifies what a pure instruction computes: its Go type (the
// LLVM opcode), result type, predicate, element type or index, and up to
// three operands (integer constants by value, other values by identity).
// Types compare by identity too, which can only miss a duplicate.
type cseKey struct {
	kind    reflect.Type
	typ     types.Type
	extra   any
	n       int
	ops     [3]value.Value
	consts  [3]intKey
	isConst [3]bool
}

type intKey struct {
	bits uint64
	v    int64
}

func keyOf(inst llir.Instruction) (cseKey, bool) {
	if _, isPhi := inst.(*llir.InstPhi); isPhi || !pure(inst) {
		return cseKey{}, false
	}
	k := cseKey{kind: reflect.TypeOf(inst), typ: inst.(value.Value).Type()}
	switch x := inst.(type) {
	case *llir.InstICmp:
		k.extra = x.Pred
	case *llir.InstFCmp:
		k.extra = x.Pred
	case *llir.InstGetElementPtr:
		k.extra = x.ElemType
	case *llir.InstExtractValue:
		if len(x.Indices) != 1 {
			return k, false
		}
		k.extra = x.Indices[0]
	case *llir.InstInsertValue, *llir.InstShuffleVector:
		return k, false
	}
	ops := inst.(value.User).Operands()
	if len(ops) > len(k.ops) {
		return k, false
	}
	k.n = len(ops)
	for i, op := range ops {
		if op == nil || *op == nil {
			return k, false
		}
		if c, ok := (*op).(*constant.Int); ok && c.X.IsInt64() {
			k.consts[i], k.isConst[i] = intKey{c.Typ.BitSize, c.X.Int64()}, true
			continue
		}
		k.ops[i] = *op
	}
	return k, true
}

// fold returns what inst simplifies to, or nil.
func fold(inst llir.Instruction) value.Value {
	switch x := inst.(type) {
	case *llir.InstAdd:
		return foldBin(x.X, x.Y, func(a, b int64) int64 { return a + b }, 0, true)
	case *llir.InstSub:
		return foldBin(x.X, x.Y, func(a, b int64) int64 { return a - b }, 0, false)
	case *llir.InstMul:
		if z := zeroOperand(x.X, x.Y); z != nil {
			return z
		}
		return foldBin(x.X, x.Y, func(a, b int64) int64 { return a * b }, 1, true)
	case *llir.InstOr:
		return foldBin(x.X, x.Y, func(a, b int64) int64 { return a | b }, 0, true)
	case *llir.InstXor:
		return foldBin(x.X, x.Y, func(a, b int64) int64 { return a ^ b }, 0, true)
	case *llir.InstAnd:
		if z := zeroOperand(x.X, x.Y); z != nil {
			return z
		}
		return foldBin(x.X, x.Y, func(a, b int64) int64 { return a & b }, -1, true)
	case *llir.InstShl:
		return foldShift(x.X, x.Y, func(a int64, n uint) int64 { return a << n })
	case *llir.InstLShr:
		return foldShift(x.X, x.Y, func(a int64, n uint) int64 {
			return int64(uint64(a)&mask(x.X.Type())) >> n
		})
	case *llir.InstBitCast:
		if x.From.Type().Equal(x.To) {
			return x.From
		}
	case *llir.InstSExt:
		if c, ok := intConst(x.From); ok {
			return newInt(x.To, c)
		}
	case *llir.InstZExt:
		if c, ok := intConst(x.From); ok {
			return newInt(x.To, int64(uint64(c)&mask(x.From.Type())))
		}
	case *llir.InstTrunc:
		if c, ok := intConst(x.From); ok {
			return newInt(x.To, c)
		}
	case *llir.InstPhi:
		// A phi whose incoming values are one value (or the phi itself, on
		// a loop's back edge) is that value: loops carry invariant parts of
		// block pointers this way.
		var only value.Value
		for _, inc := range x.Incs {
			if inc.X == value.Value(x) {
				continue
			}
			if only != nil && inc.X != only && !sameConst(inc.X, only) {
				return nil
			}
			only = inc.X
		}
		return only
	case *llir.InstSelect:
		if c, ok := x.Cond.(*constant.Int); ok && c.Typ.BitSize == 1 {
			if c.X.Sign() != 0 {
				return x.ValueTrue
			}
			return x.ValueFalse
		}
	}
	return nil
}

// foldBin folds a binary integer op whose operands are both constant, or
// whose constant operand is the op's identity id (on the right, or on
// either side when the op commutes).
func foldBin(x, y value.Value, f func(a, b int64) int64, id int64, commutes bool) value.Value {
	a, okA := intConst(x)
	b, okB := intConst(y)
	is := func(c int64) bool { return uint64(c)&mask(x.Type()) == uint64(id)&mask(x.Type()) }
	switch {
	case okA && okB:
		return newInt(x.Type(), f(a, b))
	case okB && is(b):
		return x
	case okA && commutes && is(a):
		return y
	}
	return nil
}

// sameConst reports whether a and b are equal integer constants.
func sameConst(a, b value.Value) bool {
	x, okA := a.(*constant.Int)
	y, okB := b.(*constant.Int)
	return okA && okB && x.Typ.BitSize == y.Typ.BitSize && x.X.Cmp(y.X) == 0
}

// zeroOperand is the operand of x·y or x&y that is the constant 0.
func zeroOperand(x, y value.Value) value.Value {
	for _, v := range []value.Value{x, y} {
		if c, ok := intConst(v); ok && c == 0 {
			return v
		}
	}
	return nil
}

func foldShift(x, y value.Value, f func(a int64, n uint) int64) value.Value {
	n, okN := intConst(y)
	if !okN || n < 0 || uint64(n) >= uint64(bits(x.Type())) {
		return nil
	}
	if n == 0 {
		return x
	}
	if a, okA := intConst(x); okA {
		return newInt(x.Type(), f(a, uint(n)))
	}
	return nil
}

// intConst is the value of an i8..i64 constant.
func intConst(v value.Value) (int64, bool) {
	c, ok := v.(*constant.Int)
	if !ok || c.Typ.BitSize < 8 || c.Typ.BitSize > 64 || !c.X.IsInt64() {
		return 0, false
	}
	return c.X.Int64(), true
}

func bits(t types.Type) uint64 {
	if it, ok := t.(*types.IntType); ok {
		return it.BitSize
	}
	return 0
}

func mask(t types.Type) uint64 {
	n := bits(t)
	if n >= 64 {
		return ^uint64(0)
	}
	return 1<<n - 1
}

// newInt is c wrapped to t's width, sign-extended as LLVM prints it.
func newInt(t types.Type, c int64) value.Value {
	it := t.(*types.IntType)
	n := it.BitSize
	if n == 1 {
		return constant.NewInt(types.I1, c&1)
	}
	if n < 64 {
		c = c << (64 - n) >> (64 - n)
	}
	return constant.NewInt(intType(int(n)), c)
}
