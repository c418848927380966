package codegen

import (
	"fmt"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
)

// Address spaces of NVPTX.
const (
	spaceGlobal = 1
	spaceShared = 3
)

// regType is the LLVM type a tile element lives in inside registers: bf16
// as i16 (LLVM 14 cannot select bfloat), i1 as i1.
func regType(d ir.DType) types.Type {
	switch d {
	case ir.I1:
		return types.I1
	case ir.I8:
		return types.I8
	case ir.I16, ir.BF16:
		return types.I16
	case ir.I32:
		return types.I32
	case ir.I64:
		return types.I64
	case ir.F16:
		return types.Half
	case ir.F32:
		return types.Float
	case ir.F64:
		return types.Double
	}
	panic(fmt.Sprintf("codegen: no LLVM type for %s", d))
}

// memType is the LLVM type of an element in memory: i1 is a byte.
func memType(d ir.DType) types.Type {
	if d == ir.I1 {
		return types.I8
	}
	return regType(d)
}

// valueType is the LLVM type of one element of an IR type in registers.
func valueType(t ir.Type) types.Type {
	if t.Kind == ir.KindPtr {
		return globalPtr(t.Elem)
	}
	return regType(t.Elem)
}

func globalPtr(d ir.DType) *types.PointerType {
	p := types.NewPointer(memType(d))
	p.AddrSpace = spaceGlobal
	return p
}

func sharedPtr(t types.Type) *types.PointerType {
	p := types.NewPointer(t)
	p.AddrSpace = spaceShared
	return p
}

func i32(v int64) *constant.Int { return constant.NewInt(types.I32, v) }

func i64(v int64) *constant.Int { return constant.NewInt(types.I64, v) }

func f32(v float64) *constant.Float { return constant.NewFloat(types.Float, float64(float32(v))) }

// constOf returns the LLVM constant of an IR constant element.
func constOf(d ir.DType, n ir.Num) constant.Constant {
	t := regType(d)
	switch d {
	case ir.F16, ir.F32, ir.F64:
		v := n.F
		if d == ir.F32 {
			v = float64(float32(v))
		}
		return constant.NewFloat(t.(*types.FloatType), v)
	case ir.BF16:
		return constant.NewInt(types.I16, int64(int16(ir.BF16Bits(n.F))))
	case ir.I1:
		return constant.NewBool(n.I != 0)
	}
	return constant.NewInt(t.(*types.IntType), n.I)
}

// intrinsics declares LLVM intrinsics (and other external functions) once
// per module.
type intrinsics struct {
	m     *llir.Module
	funcs map[string]*llir.Func
}

func (x *intrinsics) get(name string, ret types.Type, params ...types.Type) *llir.Func {
	if f, ok := x.funcs[name]; ok {
		return f
	}
	ps := make([]*llir.Param, len(params))
	for i, p := range params {
		ps[i] = llir.NewParam("", p)
	}
	f := x.m.NewFunc(name, ret, ps...)
	x.funcs[name] = f
	return f
}

// asm returns an inline-assembly callee; sideEffect keeps it from being
// moved or removed (stores, barriers, anything predicated on memory).
func asm(ret types.Type, text, constraints string, sideEffect bool, params ...types.Type) *llir.InlineAsm {
	sig := types.NewFunc(ret, params...)
	a := llir.NewInlineAsm(types.NewPointer(sig), text, constraints)
	a.SideEffect = sideEffect
	return a
}

// isConstTrue reports a constant true i1.
func isConstTrue(v value.Value) bool {
	c, ok := v.(*constant.Int)
	return ok && c.Typ == types.I1 && c.X.Sign() != 0
}

func undefVector(t *types.VectorType) value.Value { return constant.NewUndef(t) }
