package gpu

import (
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// The "exchange" pass lowers every conversion that is not a register
// renaming (the threads already hold the elements) to shared memory:
//
//	barrier                      the buffer's previous readers are done
//	local_store %x, %buf         each element once, vec registers at a time
//	barrier                      every element is written
//	%y = ldmatrix %buf | local_load %buf
//
// A conversion to an mma operand of 16-bit elements goes through a
// swizzled tile read with ldmatrix (conflict-free both ways), or read by
// the dot itself where it is a wgmma (sm_90a); any other
// through the row-major tile, dense or with padded rows, whichever a model
// of one warp's bank wavefronts says costs least (layout.PlanExchange).
func exchange(f *ir.Func) error {
	uses := usesOf(f)
	var convs []*ir.Op
	f.Walk(func(op *ir.Op) {
		if op.Code == ir.OpConvertLayout {
			convs = append(convs, op)
		}
	})
	for _, c := range convs {
		x, y := c.Args[0], c.Results[0]
		src, dst := x.Type.Layout, y.Type.Layout
		if _, free := src.RegPermutation(dst); free {
			continue
		}
		t := x.Type
		e := &emitter{f: f, b: c.Parent, at: index(c), pos: c.Pos}
		var out *ir.Value
		if role, warps, ok := operandRole(f, c, uses); ok {
			sw, vec := fragmentSwizzle(f, src, shapeOf(t))
			buf := e.value(ir.OpLocalAlloc, nil, nil, sharedOf(t, sw))
			e.emit(ir.OpBarrier, nil, nil)
			e.emit(ir.OpLocalStore, []*ir.Value{x, buf}, map[string]ir.Attr{"vec": vec})
			e.emit(ir.OpBarrier, nil, nil)
			if isWGMMA(f, uses[y][0]) {
				out = buf // wgmma reads its operands from shared memory itself
			} else {
				out = e.value(ir.OpLdmatrix, []*ir.Value{buf}, map[string]ir.Attr{"operand": []string{"A", "B"}[role], "warps": warps[:]}, y.Type)
			}
		} else {
			p := layout.PlanExchange(src, dst, ir.ElemBytes(t), t.Kind != ir.KindPtr && t.Elem != ir.I1)
			buf := e.value(ir.OpLocalAlloc, nil, nil, sharedOf(t, p.Buffer))
			e.emit(ir.OpBarrier, nil, nil)
			e.emit(ir.OpLocalStore, []*ir.Value{x, buf}, map[string]ir.Attr{"vec": p.VecSrc})
			e.emit(ir.OpBarrier, nil, nil)
			out = e.value(ir.OpLocalLoad, []*ir.Value{buf}, map[string]ir.Attr{"vec": p.VecDst}, y.Type)
		}
		replaceUses(f, map[*ir.Value]*ir.Value{y: out})
		remove(c)
	}
	return nil
}

// isWGMMA reports whether dot runs on wgmma (ir.GPUInfo.UsesWGMMA).
func isWGMMA(f *ir.Func, dot *ir.Op) bool {
	a, b := dot.Args[0].Type, dot.Args[1].Type
	return f.GPU.UsesWGMMA(a.Elem, a.Shape.Dims[0].N, b.Shape.Dims[1].N, a.Shape.Dims[1].N, f.NumWarps)
}

// sharedOf is the type of a buffer holding a tile of type t in layout s.
func sharedOf(t ir.Type, s layout.Shared) ir.Type {
	return ir.SharedOf(ir.SharedElem(t), s, shapeOf(t)...)
}
