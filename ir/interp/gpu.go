package interp

import (
	"math"

	"github.com/tilec/tilec/ir"
)

// The GPU level's ops, at the tile level of detail: layouts do not change
// values, so convert_layout is the identity; a shared buffer is a
// row-major tile (slots of a ring one after another), poisoned on
// allocation so that a read of what was never written shows as NaN; async
// copies complete at once, and commits, waits and barriers do nothing.
// Running a kernel before and after a GPU pass compares what the pass
// changed with what the tile IR means.

// addGPUHandlers adds the GPU ops' handlers to the table.
func addGPUHandlers() {
	for code, h := range map[ir.Opcode]handler{
		ir.OpConvertLayout:    execSameData,
		ir.OpLocalAlloc:       execLocalAlloc,
		ir.OpLocalIndex:       execLocalIndex,
		ir.OpLocalStore:       execLocalStore,
		ir.OpLocalLoad:        execLocalLoad,
		ir.OpLdmatrix:         execLocalLoad,
		ir.OpAsyncCopy:        execAsyncCopy,
		ir.OpAsyncCopyBlock:   execAsyncCopyBlock,
		ir.OpAsyncCommit:      execNothing,
		ir.OpAsyncWait:        execNothing,
		ir.OpBarrier:          execNothing,
		ir.OpFenceAsyncShared: execNothing,
		ir.OpTensorMap:        execTensorMap,
		ir.OpTMALoad:          execTMALoad,
		ir.OpMBarrierInit:     execNothing,
		ir.OpMBarrierExpect:   execNothing,
		ir.OpMBarrierWait:     execNothing,
		ir.OpMBarrierInval:    execNothing,
		ir.OpDotWait:          execDotWait,
	} {
		handlers[code] = h
	}
}

func execNothing(*machine, *ir.Op) error { return nil }

// execDotWait gives back its operands: the interpreter's dots complete at
// once.
func execDotWait(m *machine, op *ir.Op) error {
	for i, a := range op.Args {
		m.set(op.Results[i], m.get(a))
	}
	return nil
}

// poison is what a shared buffer holds before it is written.
var poison = ir.Num{F: math.NaN(), I: -0x5a5a5a5a}

func execLocalAlloc(m *machine, op *ir.Op) error {
	d := make([]ir.Num, op.Results[0].Type.Shape.Numel())
	for i := range d {
		d[i] = poison
	}
	m.set(op.Results[0], &value{d: d})
	return nil
}

func execLocalIndex(m *machine, op *ir.Op) error {
	buf, i := m.get(op.Args[0]).d, int(m.get(op.Args[1]).d[0].I)
	n := op.Results[0].Type.Shape.Numel()
	if i < 0 || (i+1)*n > len(buf) {
		return m.fault(op, "slot %d of a buffer of %d", i, len(buf)/n)
	}
	m.set(op.Results[0], &value{d: buf[i*n : (i+1)*n : (i+1)*n]})
	return nil
}

func execLocalStore(m *machine, op *ir.Op) error {
	copy(m.get(op.Args[1]).d, m.get(op.Args[0]).d)
	return nil
}

func execLocalLoad(m *machine, op *ir.Op) error {
	m.set(op.Results[0], &value{d: append([]ir.Num(nil), m.get(op.Args[0]).d...)})
	return nil
}

func execAsyncCopy(m *machine, op *ir.Op) error {
	if m.get(op.Args[2]).d[0].I == 0 {
		return nil
	}
	p, buf, mask := m.get(op.Args[0]).d, m.get(op.Args[1]).d, m.optional(op, 3)
	t := op.Args[0].Type.Elem
	for i := range p {
		if mask != nil && mask[i].I == 0 {
			buf[i] = ir.Num{}
			continue
		}
		v, err := m.read(op, t, p[i].I, i)
		if err != nil {
			return err
		}
		buf[i] = v
	}
	return nil
}

// execTensorMap makes a tensor map's value: the copies read the block
// pointer they are given, so the map is only a handle here.
func execTensorMap(m *machine, op *ir.Op) error {
	m.set(op.Results[0], &value{d: []ir.Num{{}}})
	return nil
}

// execTMALoad copies the block pointer's block as a TMA copy does: every
// element outside the tensor is zero. (The tensor map's dims are the
// block pointer's shape; its extra dims' coordinates are in the block
// pointer's base.) The copy lands at once: the interpreter runs one
// thread, for which the mbarrier wait is a no-op.
func execTMALoad(m *machine, op *ir.Op) error {
	if m.get(op.Args[5]).d[0].I == 0 {
		return nil
	}
	bp, buf := m.get(op.Args[1]).bp, m.get(op.Args[2]).d
	return blockAddrs(bp, []int{0, 1}, func(i int, addr int64, outside bool) error {
		if outside {
			buf[i] = ir.Num{}
			return nil
		}
		v, err := m.read(op, bp.elem, addr, i)
		buf[i] = v
		return err
	})
}

func execAsyncCopyBlock(m *machine, op *ir.Op) error {
	if m.get(op.Args[2]).d[0].I == 0 {
		return nil
	}
	bp, buf := m.get(op.Args[0]).bp, m.get(op.Args[1]).d
	return blockAddrs(bp, op.Ints("boundary_check"), func(i int, addr int64, outside bool) error {
		if outside {
			buf[i] = ir.Num{}
			return nil
		}
		v, err := m.read(op, bp.elem, addr, i)
		buf[i] = v
		return err
	})
}
