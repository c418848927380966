package codegen

import (
	"fmt"
	"strings"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
)

// TMA and mbarriers (sm_90a). A tensor_map becomes a hidden kernel
// parameter after the kernel's own: a 128-byte CUtensorMap passed by
// value, 64-byte aligned, that the launcher encodes from the arguments
// its TensorMap record names; the kernel passes its generic address to
// cp.async.bulk.tensor. The copies and the mbarrier arrivals that expect
// their bytes are issued by one elected thread (lane elect.sync chooses,
// of warp 0); every thread waits on an mbarrier by polling try_wait.

// TensorMap is a hidden parameter of an emitted kernel: how to encode it.
type TensorMap struct {
	Elem    ir.DType
	Base    int      // the kernel parameter holding the tensor's address
	Dims    []MapArg // elements, innermost first
	Strides []MapArg // elements, of dims 1 and up
	Box     [2]int   // elements, innermost first
	Swizzle int      // bytes: 0, 32, 64 or 128
}

// MapArg is a kernel parameter's value (Param ≥ 0) or a constant.
type MapArg struct {
	Param int
	Const int64
}

// tensorMapType is a tensor map parameter's LLVM type.
var tensorMapType = types.NewArray(128, types.I8)

// tensorMapParams adds a by-value parameter per tensor_map of f (they are
// at its top level) and records how to encode each.
func (lw *lowering) tensorMapParams() []*llir.Param {
	index := map[*ir.Value]int{}
	for i, p := range lw.f.Params {
		index[p] = i
	}
	var params []*llir.Param
	for _, op := range lw.f.Body.Ops {
		if op.Code != ir.OpTensorMap {
			continue
		}
		arg := func(v *ir.Value) MapArg {
			if i, ok := index[v]; ok {
				return MapArg{Param: i}
			}
			return MapArg{Param: -1, Const: v.Def.NumAttr("value").I}
		}
		r := ir.TensorMapRank(op)
		box := op.Results[0].Type.Shape.Ints()
		m := TensorMap{Elem: op.Results[0].Type.Elem, Base: index[op.Args[0]], Box: [2]int{box[0], box[1]}, Swizzle: op.Int("swizzle")}
		for _, v := range op.Args[1 : 1+r] {
			m.Dims = append(m.Dims, arg(v))
		}
		for _, v := range op.Args[1+r:] {
			m.Strides = append(m.Strides, arg(v))
		}
		p := llir.NewParam(fmt.Sprintf("tmap%d", len(lw.maps)), types.NewPointer(tensorMapType))
		p.Attrs = append(p.Attrs, llir.Byval{Typ: tensorMapType}, llir.Align(64))
		lw.tmapParams[op.Results[0]] = p
		lw.maps = append(lw.maps, m)
		params = append(params, p)
	}
	return params
}

func lowerTensorMap(lw *lowering, op *ir.Op) error {
	p, ok := lw.tmapParams[op.Results[0]]
	if !ok {
		return errorAt(op, "a tensor map must be at the kernel's top level")
	}
	lw.scalars[op.Results[0]] = lw.cur.NewPtrToInt(p, types.I64)
	return nil
}

// leader is true in one thread of the block: the lane elect.sync picks in
// warp 0. It is computed in the entry block, where every thread runs.
func (lw *lowering) leader() value.Value {
	if lw.elected == nil {
		lw.inEntry(func() {
			elect := lw.cur.NewCall(asm(types.I1, "elect.sync _|$0, 0xffffffff;", "=b", true))
			first := lw.cur.NewICmp(enum.IPredEQ, lw.warp, i32(0))
			lw.elected = lw.cur.NewAnd(first, elect)
		})
	}
	return lw.elected
}

// barAddr is the shared address of mbarrier slot of bars.
func (lw *lowering) barAddr(bars, slot *ir.Value) value.Value {
	return lw.cur.NewAdd(lw.buf(bars), lw.cur.NewMul(lw.scalar(slot), i32(8)))
}

func lowerTMALoad(lw *lowering, op *ir.Op) error {
	m, buf := op.Args[0], op.Args[2].Type
	bp := lw.bptrs[op.Args[1]]
	s, shape := buf.Shared, buf.Shape.Ints()
	box := m.Type.Shape.Ints()
	rank := 2 + len(op.Args) - 6
	fast, slow := s.Fast, 1-s.Fast
	span := s.SpanBytes(shape)
	coord := func(v value.Value) value.Value { return lw.cur.NewTrunc(v, types.I32) }
	bar := lw.barAddr(op.Args[3], op.Args[4])
	pred := lw.cur.NewAnd(lw.leader(), lw.scalar(op.Args[5]))
	// Operands: $0 destination, $1 map, $2… coordinates, then the
	// mbarrier and the predicate.
	cs := make([]string, rank)
	for i := range cs {
		cs[i] = fmt.Sprintf("$%d", 2+i)
	}
	text := fmt.Sprintf("@$%d cp.async.bulk.tensor.%dd.shared::cluster.global.tile.mbarrier::complete_tx::bytes [$0], [$1, {%s}], [$%d];",
		3+rank, rank, strings.Join(cs, ", "), 2+rank)
	params := []types.Type{types.I32, types.I64}
	cons := []string{"r", "l"}
	for range rank {
		params, cons = append(params, types.I32), append(cons, "r")
	}
	params, cons = append(params, types.I32, types.I1), append(cons, "r", "b", "~{memory}")
	copyBox := asm(types.Void, text, strings.Join(cons, ","), true, params...)
	inner, outer := coord(bp.offsets[fast]), coord(bp.offsets[slow])
	for c := 0; c < shape[fast]/box[0]; c++ {
		// Column block c: box[0] elements along the fast dim, all rows.
		dst := lw.cur.NewAdd(lw.buf(op.Args[2]), i32(int64(c*shape[slow]*span)))
		args := []value.Value{dst, lw.scalar(m), lw.cur.NewAdd(inner, i32(int64(c*box[0]))), outer}
		for _, x := range op.Args[6:] {
			args = append(args, lw.scalar(x))
		}
		lw.cur.NewCall(copyBox, append(args, bar, pred)...)
	}
	return nil
}

// eachBarrier runs emit for the address of every mbarrier of bars, in the
// thread with tid 0 (the one that initializes and invalidates them).
func (lw *lowering) eachBarrier(bars *ir.Value, emit func(addr value.Value)) {
	n := bars.Type.Shape.Ints()[0]
	lw.ifThen(lw.cur.NewICmp(enum.IPredEQ, lw.tid, i32(0)), func() {
		for i := 0; i < n; i++ {
			emit(lw.cur.NewAdd(lw.buf(bars), i32(int64(8*i))))
		}
	})
}

func lowerMBarrierInit(lw *lowering, op *ir.Op) error {
	init := asm(types.Void, fmt.Sprintf("mbarrier.init.shared::cta.b64 [$0], %d;", op.Int("count")), "r,~{memory}", true, types.I32)
	lw.eachBarrier(op.Args[0], func(a value.Value) { lw.cur.NewCall(init, a) })
	return nil
}

func lowerMBarrierInval(lw *lowering, op *ir.Op) error {
	inval := asm(types.Void, "mbarrier.inval.shared::cta.b64 [$0];", "r,~{memory}", true, types.I32)
	lw.eachBarrier(op.Args[0], func(a value.Value) { lw.cur.NewCall(inval, a) })
	return nil
}

func lowerMBarrierExpect(lw *lowering, op *ir.Op) error {
	text := fmt.Sprintf("@$1 mbarrier.arrive.expect_tx.shared::cta.b64 _, [$0], %d;", op.Int("bytes"))
	pred := lw.cur.NewAnd(lw.leader(), lw.scalar(op.Args[2]))
	lw.cur.NewCall(asm(types.Void, text, "r,b,~{memory}", true, types.I32, types.I1), lw.barAddr(op.Args[0], op.Args[1]), pred)
	return nil
}

// lowerMBarrierWait polls try_wait.parity until the phase has completed
// (try_wait suspends the thread a while in hardware before it fails).
func lowerMBarrierWait(lw *lowering, op *ir.Op) error {
	addr := lw.barAddr(op.Args[0], op.Args[1])
	parity := lw.cur.NewAnd(lw.scalar(op.Args[2]), i32(1))
	try := asm(types.I1, "mbarrier.try_wait.parity.shared::cta.b64 $0, [$1], $2;", "=b,r,r,~{memory}", true, types.I32, types.I32)
	poll, done := lw.newBlock("wait"), lw.newBlock("waited")
	lw.cur.NewBr(poll)
	ok := poll.NewCall(try, addr, parity)
	poll.NewCondBr(ok, done, poll)
	lw.cur = done
	return nil
}
