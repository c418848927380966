package ptx

import (
	"fmt"

	"github.com/llir/llvm/ir/types"
)

// class is a PTX virtual register class. Each scalar kind lives in one.
type class uint8

const (
	cPred class = iota // %p, .pred: i1
	cB16               // %rs, .b16: i8 (upper byte undefined), i16, half, bf16-as-i16
	cB32               // %r, .b32: i32
	cB64               // %rd, .b64: i64 and every pointer
	cF32               // %f, .f32: float
	cF64               // %fd, .f64: double
	numClasses
)

// classInfo gives each class its register prefix, declaration type and
// the mov suffix used for copies.
var classInfo = [numClasses]struct{ prefix, decl, mov string }{
	cPred: {"%p", ".pred", "pred"},
	cB16:  {"%rs", ".b16", "u16"},
	cB32:  {"%r", ".b32", "u32"},
	cB64:  {"%rd", ".b64", "u64"},
	cF32:  {"%f", ".f32", "f32"},
	cF64:  {"%fd", ".f64", "f64"},
}

// kind is a scalar LLVM type as the backend sees it. Vectors and literal
// structs are lists of kinds (see flatten).
type kind uint8

const (
	kI1 kind = iota
	kI8
	kI16
	kI32
	kI64
	kF16
	kF32
	kF64
	kPtr
	numKinds
)

// kindInfo describes a scalar kind: its name in LLVM, register class, width
// in bits, the width of the integer arithmetic done on it (i8 is computed
// in 16-bit registers), the type suffix of ld/st/ld.param, and whether it
// is a float.
var kindInfo = [numKinds]struct {
	name  string
	cls   class
	bits  int
	arith int
	mem   string
	float bool
}{
	kI1:  {"i1", cPred, 1, 0, "u8", false},
	kI8:  {"i8", cB16, 8, 16, "u8", false},
	kI16: {"i16", cB16, 16, 16, "u16", false},
	kI32: {"i32", cB32, 32, 32, "u32", false},
	kI64: {"i64", cB64, 64, 64, "u64", false},
	kF16: {"half", cB16, 16, 0, "b16", true},
	kF32: {"float", cF32, 32, 0, "f32", true},
	kF64: {"double", cF64, 64, 0, "f64", true},
	kPtr: {"ptr", cB64, 64, 64, "u64", false},
}

func (k kind) cls() class     { return kindInfo[k].cls }
func (k kind) bits() int      { return kindInfo[k].bits }
func (k kind) isFloat() bool  { return kindInfo[k].float }
func (k kind) String() string { return kindInfo[k].name }

// isInt reports whether k is an integer kind wider than i1 (pointers
// count: they are 64-bit integers in registers).
func (k kind) isInt() bool { return k != kI1 && !k.isFloat() }

// bitsType is the untyped PTX suffix for k's width: b16, b32, b64.
func (k kind) bitsType() string {
	switch k.cls() {
	case cB16:
		return "b16"
	case cB32, cF32:
		return "b32"
	case cB64, cF64:
		return "b64"
	}
	return "pred"
}

// floatType is the PTX float suffix of a float kind.
func (k kind) floatType() string {
	switch k {
	case kF16:
		return "f16"
	case kF32:
		return "f32"
	}
	return "f64"
}

// intType is the PTX integer suffix of k's arithmetic width, signed or not.
func (k kind) intType(signed bool) string {
	if signed {
		return fmt.Sprintf("s%d", kindInfo[k].arith)
	}
	return fmt.Sprintf("u%d", kindInfo[k].arith)
}

// scalarKind maps a scalar LLVM type to its kind.
func scalarKind(t types.Type) (kind, error) {
	switch t := t.(type) {
	case *types.IntType:
		switch t.BitSize {
		case 1:
			return kI1, nil
		case 8:
			return kI8, nil
		case 16:
			return kI16, nil
		case 32:
			return kI32, nil
		case 64:
			return kI64, nil
		}
		return 0, fmt.Errorf("type %s is not supported (integers are i1, i8, i16, i32, i64)", t.LLString())
	case *types.FloatType:
		switch t.Kind {
		case types.FloatKindHalf:
			return kF16, nil
		case types.FloatKindFloat:
			return kF32, nil
		case types.FloatKindDouble:
			return kF64, nil
		}
		return 0, fmt.Errorf("type %s is not supported", t.LLString())
	case *types.PointerType:
		return kPtr, nil
	}
	return 0, fmt.Errorf("type %s is not a scalar", t.LLString())
}

// maxParts bounds how many scalars one value may flatten to; it keeps a
// mistaken <1024 x float> from turning into a thousand registers. 128 is
// the most one instruction needs: wgmma m64n256k16's f32 accumulators,
// which inline asm returns as a struct of 128 floats.
const maxParts = 128

// flatten lists the scalar kinds of a first-class value type: a scalar is
// one kind, a vector its elements, a literal struct its fields in order.
func flatten(t types.Type) ([]kind, error) {
	switch t := t.(type) {
	case *types.VoidType:
		return nil, nil
	case *types.VectorType:
		if t.Scalable {
			return nil, fmt.Errorf("scalable vector %s is not supported", t.LLString())
		}
		k, err := scalarKind(t.ElemType)
		if err != nil {
			return nil, err
		}
		if k == kI1 || k == kPtr {
			return nil, fmt.Errorf("vector type %s is not supported (no i1 or pointer vectors)", t.LLString())
		}
		if t.Len == 0 || t.Len > maxParts {
			return nil, fmt.Errorf("vector type %s is not supported", t.LLString())
		}
		out := make([]kind, t.Len)
		for i := range out {
			out[i] = k
		}
		return out, nil
	case *types.StructType:
		if t.Opaque || t.Packed {
			return nil, fmt.Errorf("struct type %s is not supported", t.LLString())
		}
		var out []kind
		for _, f := range t.Fields {
			ks, err := flatten(f)
			if err != nil {
				return nil, err
			}
			out = append(out, ks...)
		}
		if len(out) > maxParts {
			return nil, fmt.Errorf("struct type %s has too many scalars", t.LLString())
		}
		return out, nil
	case *types.ArrayType:
		return nil, fmt.Errorf("array type %s is not supported as a value (only behind pointers)", t.LLString())
	}
	k, err := scalarKind(t)
	if err != nil {
		return nil, err
	}
	return []kind{k}, nil
}

// layout is the size and ABI alignment of a type in memory under the
// NVPTX data layout (e-i64:64-i128:128-v16:16-v32:32-n16:32:64): scalars
// are naturally aligned, vectors are aligned to their size rounded up to a
// power of two, arrays to their element, structs to their widest field.
func layout(t types.Type) (size, align int64, err error) {
	switch t := t.(type) {
	case *types.IntType:
		switch t.BitSize {
		case 1, 8:
			return 1, 1, nil
		case 16:
			return 2, 2, nil
		case 32:
			return 4, 4, nil
		case 64:
			return 8, 8, nil
		}
	case *types.FloatType:
		switch t.Kind {
		case types.FloatKindHalf:
			return 2, 2, nil
		case types.FloatKindFloat:
			return 4, 4, nil
		case types.FloatKindDouble:
			return 8, 8, nil
		}
	case *types.PointerType:
		return 8, 8, nil
	case *types.VectorType:
		es, _, err := layout(t.ElemType)
		if err != nil {
			return 0, 0, err
		}
		if t.Scalable {
			break
		}
		raw := es * int64(t.Len)
		a := int64(1)
		for a < raw {
			a <<= 1
		}
		return (raw + a - 1) / a * a, a, nil
	case *types.ArrayType:
		es, ea, err := layout(t.ElemType)
		if err != nil {
			return 0, 0, err
		}
		return es * int64(t.Len), ea, nil
	case *types.StructType:
		if t.Opaque {
			break
		}
		var off, maxA int64 = 0, 1
		for _, f := range t.Fields {
			fs, fa, err := layout(f)
			if err != nil {
				return 0, 0, err
			}
			if t.Packed {
				fa = 1
			}
			off = (off + fa - 1) / fa * fa
			off += fs
			if fa > maxA {
				maxA = fa
			}
		}
		return (off + maxA - 1) / maxA * maxA, maxA, nil
	}
	return 0, 0, fmt.Errorf("type %s has no memory layout here", t.LLString())
}

// fieldOffset is the byte offset of field i of a struct type.
func fieldOffset(t *types.StructType, i int) (int64, error) {
	var off int64
	for j, f := range t.Fields {
		fs, fa, err := layout(f)
		if err != nil {
			return 0, err
		}
		if t.Packed {
			fa = 1
		}
		off = (off + fa - 1) / fa * fa
		if j == i {
			return off, nil
		}
		off += fs
	}
	return 0, fmt.Errorf("struct %s has no field %d", t.LLString(), i)
}

// addrSpace names the PTX state space of an LLVM address space, "" for
// generic.
func addrSpace(as types.AddrSpace) (string, error) {
	switch as {
	case 0:
		return "", nil
	case 1:
		return "global", nil
	case 3:
		return "shared", nil
	case 4:
		return "const", nil
	case 5:
		return "local", nil
	}
	return "", fmt.Errorf("address space %d is not supported (0 generic, 1 global, 3 shared, 4 const, 5 local)", as)
}

// withSpace inserts a state space into a mnemonic: "ld" + "global" is
// "ld.global"; generic stays "ld".
func withSpace(op, space string) string {
	if space == "" {
		return op
	}
	return op + "." + space
}
