// Package codegen lowers a specialized tile-IR kernel to one LLVM module
// (github.com/llir/llvm) for NVPTX: it assigns every tile value a layout
// (package layout: which thread holds which element in which register),
// then emits per-thread code in which a tile is a set of registers.
//
// The stages, in order (Compile):
//
//  1. assign: layouts for every value and the layouts every use needs
//     (assign.go explains anchored and polymorphic values);
//  2. lower: LLVM IR, op by op in program order (lower.go; elementwise ops
//     through the scalar table in scalar.go; memory, reductions and scans,
//     dot and control flow in their files). A value needed in a second
//     layout is converted right after its definition: for free when the
//     threads already hold the elements, else through shared memory.
//
// The text dump of stage 1 is the "gpu" IR (GPUText): the tile IR with
// each value's layouts.
package codegen

import (
	"fmt"
	"strings"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/codegen/layout"
	"github.com/tilec/tilec/ir"
)

// Options choose the target.
type Options struct {
	// SM is the compute capability times ten (80 for sm_80, 90 for sm_90).
	SM int
	// Facts are what the launcher guarantees about each parameter's value
	// (alignment, unit strides); vector accesses rely on them.
	Facts []Facts
}

// Result is a lowered kernel.
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
	assign        *assignment
	f             *ir.Func
}

// Compile lowers a specialized kernel.
func Compile(f *ir.Func, opts Options) (*Result, error) {
	if !f.Specialized() {
		return nil, fmt.Errorf("codegen: kernel %s has unbound constexprs %s", f.Name, strings.Join(f.Metas, ", "))
	}
	if f.NumWarps < 1 {
		return nil, fmt.Errorf("codegen: kernel %s has no num_warps", f.Name)
	}
	if opts.SM == 0 {
		opts.SM = 80
	}
	a := newAssignment(f.NumWarps, opts.SM >= 80)
	a.traceCarried(f.Body)
	if err := a.run(f); err != nil {
		return nil, fmt.Errorf("codegen: %s: %w", f.Name, err)
	}
	m := llir.NewModule()
	m.TargetTriple = "nvptx64-nvidia-cuda"
	m.DataLayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
	lw := &lowering{f: f, a: a, opts: opts, m: m, x: &intrinsics{m: m, funcs: map[string]*llir.Func{}},
		regs: map[regKey][]value.Value{}, scalars: map[*ir.Value]value.Value{}, bptrs: map[*ir.Value]*blockPtr{},
		coords: map[coordKey]value.Value{}, axes: analyzeAxes(f, opts.Facts)}
	if err := lw.run(); err != nil {
		return nil, fmt.Errorf("codegen: %s: %w", f.Name, err)
	}
	simplify(m)
	deadCode(m)
	return &Result{Module: m, Name: f.Name, Threads: layout.WarpSize * f.NumWarps, SharedBytes: lw.smemBytes,
		LiveRegisters: liveRegisters(m), assign: a, f: f}, nil
}

// GPUText is the layout-annotated tile IR: each op line is followed by the
// layouts its results live in.
func (r *Result) GPUText() string {
	note := func(v *ir.Value) string {
		if !v.Type.IsTile() {
			return ""
		}
		var parts []string
		for i, l := range r.assign.layoutsOf(v) {
			s := l.String()
			if i == 0 && r.assign.primary[v] != nil {
				s = "primary " + s
			}
			parts = append(parts, s)
		}
		if len(parts) == 0 {
			return "unused"
		}
		return strings.Join(parts, "; ")
	}
	return ir.Print(r.f, ir.PrintOptions{Note: note})
}

// LL is the module's LLVM IR text.
func (r *Result) LL() string { return r.Module.String() }
