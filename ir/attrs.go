package ir

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tilec/tilec/layout"
)

// Attr is an attribute value. Its Go type follows the attribute's kind in
// the op table: int (AttrInt), Num (AttrNum), string (AttrString), Dim
// (AttrDim) or []int (AttrInts).
type Attr any

// AttrKind is the kind of an attribute.
type AttrKind uint8

// Attribute kinds.
const (
	AttrInt    AttrKind = iota // a small integer (axis, start)
	AttrNum                    // a constant's value: a Num, integer or float by the result type
	AttrString                 // text; printed quoted
	AttrDim                    // a tile dimension: a number or a meta-parameter name
	AttrInts                   // a list of small integers (a permutation, dims)
	AttrMeta                   // a meta-parameter name (must be declared by the Func)
	AttrLayout                 // a distributed layout (*layout.Linear), printed as its alias
)

// AttrSpec declares one attribute of an op.
type AttrSpec struct {
	Name string
	Kind AttrKind
	// Enum, when set, lists the allowed values of a string attribute.
	Enum []string
	// Optional attributes may be absent.
	Optional bool
	// GPU attributes are set by GPU-level passes (a vector width, a
	// scratch offset); they are optional and absent in the tile IR.
	GPU bool
}

// Num is one element of a tile as the interpreter and the folder see it:
// F for float dtypes, I for integers and pointers (an address).
type Num struct {
	F float64
	I int64
}

// formatNum prints a constant so that ParseNum gives it back exactly: floats
// always carry a '.', an exponent, inf or nan, so they never read as ints.
func formatNum(n Num, float bool) string {
	if !float {
		return strconv.FormatInt(n.I, 10)
	}
	switch {
	case math.IsNaN(n.F):
		return "nan"
	case math.IsInf(n.F, 1):
		return "inf"
	case math.IsInf(n.F, -1):
		return "-inf"
	}
	s := strconv.FormatFloat(n.F, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// checkAttr checks that a has the Go type its kind requires.
func checkAttr(spec AttrSpec, a Attr) error {
	ok := false
	switch spec.Kind {
	case AttrInt:
		_, ok = a.(int)
	case AttrNum:
		_, ok = a.(Num)
	case AttrString, AttrMeta:
		var s string
		s, ok = a.(string)
		if ok && len(spec.Enum) > 0 {
			for _, e := range spec.Enum {
				if s == e {
					return nil
				}
			}
			return fmt.Errorf("attribute %s = %q is not one of %s", spec.Name, s, strings.Join(spec.Enum, ", "))
		}
	case AttrDim:
		_, ok = a.(Dim)
	case AttrInts:
		_, ok = a.([]int)
	case AttrLayout:
		var l *layout.Linear
		l, ok = a.(*layout.Linear)
		ok = ok && l != nil
	}
	if !ok {
		return fmt.Errorf("attribute %s has the wrong kind (%T)", spec.Name, a)
	}
	return nil
}

// Int returns the int attribute name.
func (op *Op) Int(name string) int { i, _ := op.Attrs[name].(int); return i }

// Str returns the string attribute name.
func (op *Op) Str(name string) string { s, _ := op.Attrs[name].(string); return s }

// DimAttr returns the Dim attribute name.
func (op *Op) DimAttr(name string) Dim { d, _ := op.Attrs[name].(Dim); return d }

// Ints returns the []int attribute name.
func (op *Op) Ints(name string) []int { s, _ := op.Attrs[name].([]int); return s }

// LayoutAttr returns the layout attribute name.
func (op *Op) LayoutAttr(name string) *layout.Linear {
	l, _ := op.Attrs[name].(*layout.Linear)
	return l
}

// HasAttr reports whether the op has attribute name.
func (op *Op) HasAttr(name string) bool { _, ok := op.Attrs[name]; return ok }

// NumAttr returns the Num attribute name.
func (op *Op) NumAttr(name string) Num { n, _ := op.Attrs[name].(Num); return n }
