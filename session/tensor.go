package session

import (
	"fmt"
	"slices"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/runtime"
)

// Tensor is device memory seen as a strided array: a raw device address,
// so memory from any CUDA library (gorgonia.org/cu, cudarc, a PyTorch
// tensor's data_ptr) can be wrapped with Wrap; the session never frees
// what it did not allocate.
type Tensor struct {
	Ptr   runtime.DevicePtr
	DType ir.DType
	Shape []int
	// Strides are in elements, one per dimension; nil means contiguous
	// (row-major).
	Strides []int
}

// Wrap describes contiguous memory at ptr.
func Wrap(ptr runtime.DevicePtr, dt ir.DType, shape ...int) Tensor {
	return Tensor{Ptr: ptr, DType: dt, Shape: append([]int(nil), shape...)}
}

// IsZero reports whether t is the zero Tensor (an omitted optional one).
func (t Tensor) IsZero() bool { return t.Ptr == 0 && t.Shape == nil }

// Len is the number of elements.
func (t Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Stride returns the element strides (contiguous ones when Strides is nil).
func (t Tensor) Stride() []int {
	if t.Strides != nil {
		return t.Strides
	}
	return kernels.Contiguous(t.Shape...).Strides
}

// Contiguous reports whether t is row-major without gaps.
func (t Tensor) Contiguous() bool {
	return slices.Equal(t.Stride(), kernels.Contiguous(t.Shape...).Strides) || t.Len() <= 1
}

// View returns t with its dimensions reordered: dimension i of the view is
// dimension perm[i] of t (no data moves).
func (t Tensor) View(perm ...int) (Tensor, error) {
	if len(perm) != len(t.Shape) {
		return Tensor{}, fmt.Errorf("permutation %v of a rank-%d tensor", perm, len(t.Shape))
	}
	st := t.Stride()
	out := Tensor{Ptr: t.Ptr, DType: t.DType, Shape: make([]int, len(perm)), Strides: make([]int, len(perm))}
	seen := make([]bool, len(perm))
	for i, p := range perm {
		if p < 0 || p >= len(perm) || seen[p] {
			return Tensor{}, fmt.Errorf("%v is not a permutation", perm)
		}
		seen[p] = true
		out.Shape[i], out.Strides[i] = t.Shape[p], st[p]
	}
	return out, nil
}

func (t Tensor) check() error {
	if t.DType.Size() == 0 {
		return fmt.Errorf("tensor has no element type")
	}
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor shape %v has a negative dimension", t.Shape)
		}
	}
	if t.Strides != nil && len(t.Strides) != len(t.Shape) {
		return fmt.Errorf("tensor has %d strides for %d dimensions", len(t.Strides), len(t.Shape))
	}
	for _, s := range t.Strides {
		if s < 0 {
			return fmt.Errorf("tensor strides %v: negative strides are not supported", t.Strides)
		}
	}
	return nil
}

// span is the number of elements from the first to the last one touched.
func (t Tensor) span() int {
	if t.Len() == 0 {
		return 0
	}
	n := 1
	for i, s := range t.Stride() {
		n += (t.Shape[i] - 1) * s
	}
	return n
}

// each calls fn with every element's row-major index and its offset.
func (t Tensor) each(fn func(i, at int)) {
	st := t.Stride()
	idx := make([]int, len(t.Shape))
	for i := range t.Len() {
		at := 0
		for d, x := range idx {
			at += x * st[d]
		}
		fn(i, at)
		for d := len(idx) - 1; d >= 0; d-- {
			if idx[d]++; idx[d] < t.Shape[d] {
				break
			}
			idx[d] = 0
		}
	}
}

// fits checks t against a plan buffer: the same dtype, and the buffer's
// view (shape and strides) or, without one, as many contiguous elements.
func (t Tensor) fits(b *kernels.Buffer) error {
	if err := t.check(); err != nil {
		return err
	}
	if t.Ptr == 0 {
		return fmt.Errorf("null device pointer")
	}
	if t.DType != b.DType {
		return fmt.Errorf("dtype %s, the kernel needs %s", t.DType, b.DType)
	}
	if b.View != nil && b.View.Offset == 0 {
		if !slices.Equal(t.Shape, b.View.Shape) {
			return fmt.Errorf("shape %v, the kernel needs %v", t.Shape, b.View.Shape)
		}
		if !slices.Equal(t.Stride(), b.View.Strides) {
			return fmt.Errorf("strides %v, the kernel needs %v", t.Stride(), b.View.Strides)
		}
		return nil
	}
	if !t.Contiguous() {
		return fmt.Errorf("strides %v: the kernel needs a contiguous tensor", t.Stride())
	}
	if t.Len() != b.Len {
		return fmt.Errorf("%d elements (shape %v), the kernel needs %d", t.Len(), t.Shape, b.Len)
	}
	return nil
}
