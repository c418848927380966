package ptx

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"

	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/internal/fp"
)

// constParts flattens a constant into immediates. undef and poison become
// zeros (any value is allowed, and zeros keep the output deterministic).
// Constant expressions over globals (getelementptr, casts) are computed
// into registers at the point of use, never cached: the use may be in a
// block the previous use does not dominate.
func (f *fn) constParts(v value.Value) ([]opnd, error) {
	switch c := v.(type) {
	case *constant.Index:
		return f.constParts(c.Constant)
	case *constant.Int:
		k, err := scalarKind(c.Typ)
		if err != nil {
			return nil, err
		}
		return []opnd{imm(k, intBits(c.X))}, nil
	case *constant.Float:
		k, err := scalarKind(c.Typ)
		if err != nil {
			return nil, err
		}
		return []opnd{imm(k, floatBits(c, k))}, nil
	case *constant.Null:
		return []opnd{imm(kPtr, 0)}, nil
	case *constant.Undef, *constant.Poison, *constant.ZeroInitializer:
		ks, err := flatten(v.Type())
		if err != nil {
			return nil, err
		}
		out := make([]opnd, len(ks))
		for i, k := range ks {
			out[i] = imm(k, 0)
		}
		return out, nil
	case *constant.Vector:
		return f.constList(c.Elems)
	case *constant.Struct:
		return f.constList(c.Fields)
	case *constant.ExprGetElementPtr:
		idx := make([]value.Value, len(c.Indices))
		for i, x := range c.Indices {
			idx[i] = x
		}
		o, err := f.gep(c.ElemType, c.Src, idx)
		if err != nil {
			return nil, err
		}
		return []opnd{o}, nil
	case *constant.ExprBitCast:
		return f.convert("bitcast", c.From, c.To)
	case *constant.ExprAddrSpaceCast:
		return f.convert("addrspacecast", c.From, c.To)
	case *constant.ExprPtrToInt:
		return f.convert("ptrtoint", c.From, c.To)
	case *constant.ExprIntToPtr:
		return f.convert("inttoptr", c.From, c.To)
	}
	return nil, fmt.Errorf("constant %s is not supported", v.Ident())
}

func (f *fn) constList(cs []constant.Constant) ([]opnd, error) {
	var out []opnd
	for _, e := range cs {
		p, err := f.constParts(e)
		if err != nil {
			return nil, err
		}
		out = append(out, p...)
	}
	return out, nil
}

// intBits is the two's complement bit pattern of an integer constant.
func intBits(x *big.Int) uint64 {
	if x.Sign() >= 0 {
		return new(big.Int).And(x, new(big.Int).SetUint64(math.MaxUint64)).Uint64()
	}
	// -x = ^(x-1): take the low 64 bits of |x| - 1 and complement.
	m := new(big.Int).Neg(x)
	m.Sub(m, big.NewInt(1))
	return ^new(big.Int).And(m, new(big.Int).SetUint64(math.MaxUint64)).Uint64()
}

// floatBits is the IEEE bit pattern of a float constant of kind k. A NaN
// constant becomes the default quiet NaN (llir keeps only its sign).
func floatBits(c *constant.Float, k kind) uint64 {
	neg := c.X.Signbit()
	switch k {
	case kF16:
		if c.NaN {
			return uint64(0x7E00) | b2u(neg)<<15
		}
		x, _ := c.X.Float64()
		return uint64(f16Bits(x))
	case kF32:
		if c.NaN {
			return uint64(0x7FC00000) | b2u(neg)<<31
		}
		x, _ := c.X.Float32()
		return uint64(math.Float32bits(x))
	}
	if c.NaN {
		return 0x7FF8000000000000 | b2u(neg)<<63
	}
	x, _ := c.X.Float64()
	return math.Float64bits(x)
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// f16Bits rounds a float64 to the nearest IEEE half (ties to even).
func f16Bits(x float64) uint16 { return uint16(fp.F16.Round(x, 0, fp.NearestEven)) }

// initBytes serializes a global's initializer in little-endian order.
func initBytes(c constant.Constant, t types.Type) ([]byte, error) {
	size, _, err := layout(t)
	if err != nil {
		return nil, err
	}
	out := make([]byte, size)
	if err := putConst(out, c); err != nil {
		return nil, err
	}
	return out, nil
}

// putConst writes c at the start of buf, which is the constant's size.
func putConst(buf []byte, c constant.Constant) error {
	if size, _, err := layout(c.Type()); err != nil || size > int64(len(buf)) {
		return fmt.Errorf("initializer %s does not fit its type", c.Ident())
	}
	switch c := c.(type) {
	case *constant.ZeroInitializer, *constant.Undef, *constant.Poison:
		return nil
	case *constant.Int:
		k, err := scalarKind(c.Typ)
		if err != nil {
			return err
		}
		putBits(buf, intBits(c.X), k)
		return nil
	case *constant.Float:
		k, err := scalarKind(c.Typ)
		if err != nil {
			return err
		}
		putBits(buf, floatBits(c, k), k)
		return nil
	case *constant.Null:
		return nil
	case *constant.CharArray:
		copy(buf, c.X)
		return nil
	case *constant.Array:
		return putElems(buf, c.Elems, c.Typ.ElemType)
	case *constant.Vector:
		return putElems(buf, c.Elems, c.Typ.ElemType)
	case *constant.Struct:
		for i, fc := range c.Fields {
			off, err := fieldOffset(c.Typ, i)
			if err != nil {
				return err
			}
			if err := putConst(buf[off:], fc); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("initializer %s is not supported (only numbers, arrays, vectors and structs of them)", c.Ident())
}

func putElems(buf []byte, elems []constant.Constant, et types.Type) error {
	es, _, err := layout(et)
	if err != nil {
		return err
	}
	if int64(len(elems))*es > int64(len(buf)) {
		return fmt.Errorf("initializer larger than its type")
	}
	for i, e := range elems {
		if err := putConst(buf[int64(i)*es:], e); err != nil {
			return err
		}
	}
	return nil
}

func putBits(buf []byte, bits uint64, k kind) {
	switch (k.bits() + 7) / 8 {
	case 1:
		buf[0] = byte(bits)
	case 2:
		binary.LittleEndian.PutUint16(buf, uint16(bits))
	case 4:
		binary.LittleEndian.PutUint32(buf, uint32(bits))
	default:
		binary.LittleEndian.PutUint64(buf, bits)
	}
}

// constIntArg returns the value of an integer constant operand, for the
// instructions whose PTX form needs an immediate (cp.async.wait_group).
func constIntArg(v value.Value) (int64, bool) {
	c, ok := v.(*constant.Int)
	if !ok {
		return 0, false
	}
	if !c.X.IsInt64() {
		return 0, false
	}
	return c.X.Int64(), true
}

// stripCasts removes constant bitcasts around a function reference.
func stripCasts(v value.Value) value.Value {
	for {
		c, ok := v.(*constant.ExprBitCast)
		if !ok {
			return v
		}
		v = c.From
	}
}
