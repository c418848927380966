package gpu

import (
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// The "vectorize" pass sets the vector width (in registers) of every tile
// load and store: when the axis analysis proves that the V registers a
// thread holds consecutively along a dim have consecutive, V·size-aligned
// addresses and one mask, the access moves them with one instruction (up
// to 16 bytes: ld.global.v4.b32).
func vectorize(f *ir.Func) error {
	x := analyzeAxes(f, f.GPU.Facts)
	f.Walk(func(op *ir.Op) {
		v := 0
		switch op.Code {
		case ir.OpLoad:
			if r := op.Results[0]; isTile(r) {
				var mask *ir.Value
				if len(op.Args) > 1 {
					mask = op.Args[1]
				}
				v = x.vecPtrs(r.Type.Layout, op.Args[0], mask, r.Type.Elem.Size())
			}
		case ir.OpStore:
			if p := op.Args[0]; isTile(p) {
				var mask *ir.Value
				if len(op.Args) > 2 {
					mask = op.Args[2]
				}
				v = x.vecPtrs(p.Type.Layout, p, mask, p.Type.Elem.Size())
			}
		case ir.OpBlockLoad:
			t := op.Results[0].Type
			v = x.vecBlock(t.Layout, op.Args[0], op.Ints("boundary_check"), t.Elem.Size())
		case ir.OpBlockStore:
			t := op.Args[1].Type
			v = x.vecBlock(t.Layout, op.Args[0], op.Ints("boundary_check"), t.Elem.Size())
		}
		if v > 0 {
			setAttr(op, "vec", v)
		}
	})
	return nil
}

// vecPtrs is the vector width for a pointer tile in layout l.
func (x *axisAnalysis) vecPtrs(l *layout.Linear, ptr, mask *ir.Value, esize int) int {
	d, v := l.RegRun()
	info := x.get(ptr)
	v = min(v, info.contig[d], max(info.div[d]/esize, 1), 16/esize)
	if mask != nil && mask.Type.IsTile() {
		v = min(v, x.get(mask).cons[d])
	}
	return pow2Floor(v)
}

// vecBlock is the vector width for a block access in layout l.
func (x *axisAnalysis) vecBlock(l *layout.Linear, bpv *ir.Value, check []int, esize int) int {
	b, ok := x.bps[bpv]
	if !ok {
		return 1
	}
	d, v := l.RegRun()
	if !b.strideOne[d] {
		return 1
	}
	v = min(v, 16/esize, max(b.baseDiv/esize, 1), b.offDiv[d])
	for dd := range b.strideDiv {
		if dd != d {
			v = min(v, b.strideDiv[dd])
		}
	}
	for _, c := range check {
		if c == d {
			v = min(v, b.shapeDiv[d])
		}
	}
	return pow2Floor(v)
}

func pow2Floor(v int) int {
	p := 1
	for p*2 <= v {
		p *= 2
	}
	return p
}
