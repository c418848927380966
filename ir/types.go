package ir

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tilec/tilec/layout"
)

// MaxRank is the highest tile rank the IR supports.
const MaxRank = 3

// Dim is one dimension of a tile shape: a number, or the name of a constexpr
// meta-parameter that specialization replaces with its bound value. Symbols
// are opaque: BLOCK and BLOCK are equal, BLOCK and 64 are not, even when the
// config later binds BLOCK to 64.
type Dim struct {
	N   int    // the size when Sym is empty
	Sym string // a meta-parameter name, or ""
}

// D returns the concrete dimension n.
func D(n int) Dim { return Dim{N: n} }

// Symbolic reports whether d names a meta-parameter.
func (d Dim) Symbolic() bool { return d.Sym != "" }

func (d Dim) String() string {
	if d.Sym != "" {
		return d.Sym
	}
	return strconv.Itoa(d.N)
}

// Shape is a tile shape of rank 0 (a scalar) to MaxRank. It is a value type so
// that Type stays comparable with ==.
type Shape struct {
	Rank int
	Dims [MaxRank]Dim
}

// ShapeOf builds a shape from dims.
func ShapeOf(dims ...Dim) Shape {
	var s Shape
	s.Rank = len(dims)
	copy(s.Dims[:], dims)
	return s
}

// Slice returns the dimensions as a slice.
func (s Shape) Slice() []Dim { return append([]Dim(nil), s.Dims[:s.Rank]...) }

// Concrete reports whether no dimension is symbolic.
func (s Shape) Concrete() bool {
	for _, d := range s.Dims[:s.Rank] {
		if d.Symbolic() {
			return false
		}
	}
	return true
}

// Ints returns the concrete sizes; it must only be called on concrete shapes.
func (s Shape) Ints() []int {
	out := make([]int, s.Rank)
	for i, d := range s.Dims[:s.Rank] {
		out[i] = d.N
	}
	return out
}

// Numel is the number of elements of a concrete shape (1 for a scalar).
func (s Shape) Numel() int {
	n := 1
	for _, d := range s.Dims[:s.Rank] {
		n *= d.N
	}
	return n
}

func (s Shape) String() string {
	parts := make([]string, s.Rank)
	for i, d := range s.Dims[:s.Rank] {
		parts[i] = d.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// Kind says what a value of a Type is.
type Kind uint8

// The kinds of values.
const (
	KindInvalid   Kind = iota // a poisoned value: the builder already reported an error
	KindScalar                // a number of dtype Elem (a tile of them when Shape.Rank > 0)
	KindPtr                   // a global-memory pointer to Elem (a tile of pointers when Shape.Rank > 0)
	KindBlockPtr              // one block pointer to a Shape-sized block of Elem
	KindShared                // a shared-memory buffer of a Shape of Elem (GPU level only)
	KindTensorMap             // a TMA tensor map copying Shape-sized boxes of Elem (GPU level only)
)

// Type is the type of an IR value. Values of a Type compare with ==.
//
// Tiles are types with Shape.Rank > 0: f32[64, 64] is a tile of floats,
// ptr<f16>[64] a tile of pointers. A block pointer bptr<f16>[64, 64] is a
// single value that addresses a 64x64 block of f16 in a strided tensor.
// All pointers point into global memory: the tile IR has no other address
// space (shared memory is a codegen concern).
//
// At the GPU level (Func.GPU set) a tile's type also carries its layout:
// which thread holds which element in which register (package layout).
// f32[128, 64]#mma0 and f32[128, 64]#blocked0 are different types; only
// convert_layout changes one into the other. Layouts are interned per
// kernel (Func.Intern), so equal layouts are one pointer and types still
// compare with ==. A shared-memory buffer (KindShared, smem<f16[64, 64],
// swizzle<...>>) carries its shared layout instead.
type Type struct {
	Kind   Kind
	Elem   DType
	Shape  Shape
	Layout *layout.Linear // a tile's layout at the GPU level; nil in the tile IR
	Shared layout.Shared  // a shared buffer's layout (KindShared)
}

// Scalar returns the scalar type of dtype d.
func Scalar(d DType) Type { return Type{Kind: KindScalar, Elem: d} }

// Tile returns the tile type of dtype d with the given dims.
func Tile(d DType, dims ...Dim) Type { return Type{Kind: KindScalar, Elem: d, Shape: ShapeOf(dims...)} }

// Ptr returns the scalar pointer type to d.
func Ptr(d DType) Type { return Type{Kind: KindPtr, Elem: d} }

// BlockPtr returns the type of a block pointer to blocks of d with the given dims.
func BlockPtr(d DType, dims ...Dim) Type {
	return Type{Kind: KindBlockPtr, Elem: d, Shape: ShapeOf(dims...)}
}

// IsTile reports whether t is a tile (of numbers or pointers).
func (t Type) IsTile() bool { return (t.Kind == KindScalar || t.Kind == KindPtr) && t.Shape.Rank > 0 }

// IsShared reports whether t is a shared-memory buffer.
func (t Type) IsShared() bool { return t.Kind == KindShared }

// IsPtr reports whether t is a pointer or a tile of pointers.
func (t Type) IsPtr() bool { return t.Kind == KindPtr }

// IsFloat reports whether t is a float scalar or tile.
func (t Type) IsFloat() bool { return t.Kind == KindScalar && t.Elem.IsFloat() }

// IsInt reports whether t is an integer scalar or tile.
func (t Type) IsInt() bool { return t.Kind == KindScalar && t.Elem.IsInt() }

// Rank is the tile rank (0 for scalars, block pointers, shared buffers
// and tensor maps).
func (t Type) Rank() int {
	if t.Kind == KindBlockPtr || t.Kind == KindShared || t.Kind == KindTensorMap {
		return 0
	}
	return t.Shape.Rank
}

// ScalarType returns the element type of a tile (t itself for a scalar).
func (t Type) ScalarType() Type {
	if t.Kind == KindBlockPtr {
		return t
	}
	return Type{Kind: t.Kind, Elem: t.Elem}
}

// WithShape returns t's element type as a tile (or scalar) of shape s,
// without a layout (a layout is for one shape).
func (t Type) WithShape(s Shape) Type { return Type{Kind: t.Kind, Elem: t.Elem, Shape: s} }

// WithElem returns a numeric type of dtype d with t's shape and layout.
func (t Type) WithElem(d DType) Type {
	return Type{Kind: KindScalar, Elem: d, Shape: t.Shape, Layout: t.Layout}
}

// WithLayout returns t in layout l (interned by the kernel that uses it).
func (t Type) WithLayout(l *layout.Linear) Type { t.Layout = l; return t }

// Tiled returns t without its distributed layout: a tile's tile-level
// type (a shared buffer keeps its shared layout).
func (t Type) Tiled() Type { t.Layout = nil; return t }

// SharedOf returns the type of a shared buffer of d with shape dims and
// layout s.
func SharedOf(d DType, s layout.Shared, dims ...int) Type {
	ds := make([]Dim, len(dims))
	for i, n := range dims {
		ds[i] = D(n)
	}
	return Type{Kind: KindShared, Elem: d, Shape: ShapeOf(ds...), Shared: s}
}

// String returns the IR spelling: i32, f16[64, 64], ptr<f32>, ptr<f32>[128],
// bptr<f16>[64, 64], smem<f16[64, 64], dense>, tmap<f16>[64, 128]; a tile with a layout shows
// it inline, f32[64]#<slice<1, mma<...>>> (the printer uses aliases).
func (t Type) String() string {
	return t.text(func(l *layout.Linear) string { return "#<" + l.String() + ">" })
}

// text spells t with alias naming its layout.
func (t Type) text(alias func(*layout.Linear) string) string {
	var base string
	switch t.Kind {
	case KindInvalid:
		return "invalid"
	case KindScalar:
		base = t.Elem.String()
	case KindPtr:
		base = "ptr<" + t.Elem.String() + ">"
	case KindBlockPtr:
		return "bptr<" + t.Elem.String() + ">" + t.Shape.String()
	case KindTensorMap:
		return "tmap<" + t.Elem.String() + ">" + t.Shape.String()
	case KindShared:
		return "smem<" + t.Elem.String() + t.Shape.String() + ", " + t.Shared.String() + ">"
	}
	if t.Shape.Rank == 0 {
		return base
	}
	if t.Layout != nil {
		return base + t.Shape.String() + alias(t.Layout)
	}
	return base + t.Shape.String()
}

// isPow2 reports whether n is a power of two (n > 0).
func isPow2(n int) bool { return n > 0 && n&(n-1) == 0 }

// checkRank reports a rank outside 1..MaxRank.
func checkRank(n int) error {
	if n < 1 || n > MaxRank {
		return fmt.Errorf("tile rank %d is outside 1..%d", n, MaxRank)
	}
	return nil
}
