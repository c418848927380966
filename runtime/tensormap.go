package runtime

import (
	"fmt"
)

// Tensor maps: a kernel compiled for sm_90a copies tiles with the Tensor
// Memory Accelerator, which reads a 128-byte tensor map (CUtensorMap)
// describing the tensor. The launcher builds each from the call's own
// arguments (Param.Map says how) and passes it by value after them: the
// caller never sees it.

// TensorMap is the kind of a hidden parameter: a tensor map built at
// launch.
const TensorMap ParamKind = 5

// MapSpec says how to build a tensor map from a kernel's arguments.
type MapSpec struct {
	Elem    string   // the element type: f16, bf16, f32, i32, ...
	Base    int      // the pointer parameter the tensor starts at
	Dims    []MapArg // elements, innermost first
	Strides []MapArg // elements, of dims 1 and up
	Box     []int    // elements, innermost first
	Swizzle int      // bytes: 0, 32, 64 or 128
}

// MapArg is the value of parameter Param, or Const when Param < 0.
type MapArg struct {
	Param int
	Const int64
}

// TensorMapDesc is a tensor map with its values known: what a device
// encodes.
type TensorMapDesc struct {
	Elem      string
	ElemBytes int
	Global    uint64   // the tensor's address
	Dims      []uint64 // elements, innermost first
	Strides   []uint64 // bytes, of dims 1 and up
	Box       []uint32 // elements, innermost first
	Swizzle   int      // bytes
}

// TensorMapEncoder is implemented by devices that run TMA copies (the GPU
// through the driver's cuTensorMapEncodeTiled, the emulator with its own
// encoding of the same 128 bytes).
type TensorMapEncoder interface {
	EncodeTensorMap(d TensorMapDesc) ([128]byte, error)
}

// mapElemBytes are the element types a tensor map can hold.
var mapElemBytes = map[string]int{"u8": 1, "i8": 1, "f16": 2, "bf16": 2, "i16": 2, "f32": 4, "i32": 4, "f64": 8, "i64": 8}

// UserParams are the parameters a caller passes: all but the tensor maps.
func (k *Kernel) UserParams() []Param {
	n := len(k.Params)
	for n > 0 && k.Params[n-1].Kind == TensorMap {
		n--
	}
	return k.Params[:n]
}

// LaunchArgs converts a call's arguments (Args) and appends the tensor
// maps built from them, encoded by enc.
func (k *Kernel) LaunchArgs(args []any, enc TensorMapEncoder) ([]any, error) {
	out, err := k.Args(args)
	if err != nil {
		return nil, err
	}
	for _, p := range k.Params[len(out):] {
		d, err := p.Map.desc(out)
		if err != nil {
			return nil, fmt.Errorf("kernel %s: tensor map %s: %w", k.Name, p.Name, err)
		}
		if enc == nil {
			return nil, fmt.Errorf("kernel %s copies with TMA (sm_90a): this device cannot encode its tensor maps", k.Name)
		}
		m, err := enc.EncodeTensorMap(d)
		if err != nil {
			return nil, fmt.Errorf("kernel %s: tensor map %s: %w", k.Name, p.Name, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// desc evaluates the spec with the converted arguments args.
func (s *MapSpec) desc(args []any) (TensorMapDesc, error) {
	if s == nil {
		return TensorMapDesc{}, fmt.Errorf("no spec")
	}
	eb, ok := mapElemBytes[s.Elem]
	if !ok {
		return TensorMapDesc{}, fmt.Errorf("element type %q", s.Elem)
	}
	val := func(a MapArg) (int64, error) {
		if a.Param < 0 {
			return a.Const, nil
		}
		if a.Param >= len(args) {
			return 0, fmt.Errorf("parameter %d of %d", a.Param, len(args))
		}
		v, ok := asInt(args[a.Param])
		if !ok {
			return 0, fmt.Errorf("parameter %d is %T, not an integer", a.Param, args[a.Param])
		}
		return v, nil
	}
	if s.Base < 0 || s.Base >= len(args) {
		return TensorMapDesc{}, fmt.Errorf("base parameter %d of %d", s.Base, len(args))
	}
	base, ok := args[s.Base].(uint64)
	if !ok {
		return TensorMapDesc{}, fmt.Errorf("base parameter %d is %T, not an address", s.Base, args[s.Base])
	}
	d := TensorMapDesc{Elem: s.Elem, ElemBytes: eb, Global: base, Swizzle: s.Swizzle}
	for _, a := range s.Dims {
		v, err := val(a)
		if err != nil {
			return d, err
		}
		if v < 1 {
			return d, fmt.Errorf("a dim of %d elements", v)
		}
		d.Dims = append(d.Dims, uint64(v))
	}
	for _, a := range s.Strides {
		v, err := val(a)
		if err != nil {
			return d, err
		}
		if v < 0 {
			return d, fmt.Errorf("a negative stride (%d elements)", v)
		}
		d.Strides = append(d.Strides, uint64(v)*uint64(eb))
	}
	for _, b := range s.Box {
		d.Box = append(d.Box, uint32(b))
	}
	for len(d.Box) < len(d.Dims) { // a box is one index deep in the dims beyond
		d.Box = append(d.Box, 1)
	}
	return d, nil
}
