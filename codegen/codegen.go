// Package codegen emits a GPU-level kernel (package gpu's output) as one
// LLVM module (github.com/llir/llvm) for NVPTX. It decides nothing: every
// tile already has its layout, every conversion that moves data is
// explicit shared-memory traffic, every buffer has its offset and every
// access its vector width. A tile value in layout L is L.NumRegs() LLVM
// values per thread (registers); a scalar is one LLVM value, the same in
// every thread; a block pointer is its scalar parts; a shared buffer is a
// 32-bit shared-memory address. Each op has one lowering (lowerTable,
// elementwise ops through the scalar table in scalar.go); the LLVM IR is
// then cleaned (simplify.go, dce.go) for the backend.
package codegen

import (
	"fmt"
	"runtime/debug"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/layout"
)

// Result is an emitted kernel.
type Result struct {
	Module *llir.Module
	// Name is the kernel's entry point.
	Name string
	// Threads is the block size (32 · num_warps).
	Threads int
	// SharedBytes is the dynamic shared memory each block needs.
	SharedBytes int
	// LiveRegisters estimates the 32-bit registers a thread needs at its
	// peak, in the order the code is emitted (liveRegisters).
	LiveRegisters int
	// TensorMaps are the kernel's hidden parameters, after its own: the
	// TMA tensor maps a launcher encodes from the arguments.
	TensorMaps []TensorMap
}

// Emit lowers a GPU-level kernel whose shared memory is allocated.
func Emit(f *ir.Func) (*Result, error) {
	if f.GPU == nil || !f.GPU.Allocated {
		return nil, fmt.Errorf("codegen: kernel %s is not at the GPU level with its shared memory allocated (run package gpu's passes)", f.Name)
	}
	m := llir.NewModule()
	m.TargetTriple = "nvptx64-nvidia-cuda"
	m.DataLayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
	lw := &lowering{f: f, m: m, x: &intrinsics{m: m, funcs: map[string]*llir.Func{}},
		regs: map[*ir.Value][]value.Value{}, scalars: map[*ir.Value]value.Value{}, bptrs: map[*ir.Value]*blockPtr{},
		bufs: map[*ir.Value]value.Value{}, coords: map[coordKey]value.Value{}, ldmOffsets: map[ldmatrixKey]value.Value{},
		frags: map[string]*layout.Linear{}, ldmSplits: map[splitKey]bool{}, tmapParams: map[*ir.Value]*llir.Param{}}
	if err := lw.run(); err != nil {
		return nil, fmt.Errorf("codegen: %s: %w", f.Name, err)
	}
	simplify(m)
	deadCode(m)
	return &Result{Module: m, Name: f.Name, Threads: layout.WarpSize * f.NumWarps, SharedBytes: f.GPU.SharedBytes,
		LiveRegisters: liveRegisters(m), TensorMaps: lw.maps}, nil
}

// LL is the module's LLVM IR text.
func (r *Result) LL() string { return r.Module.String() }

// errorAt wraps an error with the op's position.
func errorAt(op *ir.Op, format string, args ...any) error {
	return &ir.Error{Pos: op.Pos, Op: op.Name(), Msg: fmt.Sprintf(format, args...)}
}

// recovered turns a panic while emitting op into an *ir.InternalError; the
// innermost op (a region's) is the one named.
func recovered(op *ir.Op, r any) error {
	if e, ok := r.(*ir.InternalError); ok {
		return e
	}
	return &ir.InternalError{Stage: "emit", Op: op.Name(), Pos: op.Pos, Value: r, Stack: string(debug.Stack())}
}
