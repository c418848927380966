package gpu

import (
	"github.com/tilec/tilec/ir"
)

// The "fences" pass orders ordinary writes to shared memory before the
// async proxy's reads. On sm_90a wgmma reads its shared operands through
// the async proxy, which a barrier alone does not order after the
// generic proxy's writes (st.shared, cp.async): each writing thread must
// run fence.proxy.async.shared::cta between its writes and the barrier
// that publishes them (PTX ISA, "Async proxy"). So where a kernel has a
// wgmma that reads shared memory, every barrier that follows, in its
// block, a local_store into a swizzled buffer or an async_wait (the
// cp.async copies landing) with no barrier between gets a fence right
// before it. Swizzled buffers are the only ones wgmma reads; the rule
// over-fences a store no wgmma reads, which costs one instruction.
func fences(f *ir.Func) error {
	if !readsSharedByWGMMA(f) {
		return nil
	}
	var walk func(b *ir.Block)
	walk = func(b *ir.Block) {
		pending := false // a write the next barrier publishes to wgmma
		for _, op := range append([]*ir.Op(nil), b.Ops...) {
			switch op.Code {
			case ir.OpLocalStore:
				pending = pending || op.Args[1].Type.Shared.Swizzled
			case ir.OpAsyncWait:
				pending = true
			case ir.OpFenceAsyncShared:
				pending = false
			case ir.OpBarrier:
				if pending {
					insertBefore(op, build(f, ir.OpFenceAsyncShared, op.Pos, nil, nil))
				}
				pending = false
			}
			for _, r := range op.Regions {
				walk(r)
			}
		}
	}
	walk(f.Body)
	return nil
}

// readsSharedByWGMMA reports whether a wgmma dot of f has an operand in
// shared memory.
func readsSharedByWGMMA(f *ir.Func) bool {
	found := false
	f.Walk(func(op *ir.Op) {
		if op.Code == ir.OpDot && isWGMMA(f, op) && (op.Args[0].Type.IsShared() || op.Args[1].Type.IsShared()) {
			found = true
		}
	})
	return found
}
