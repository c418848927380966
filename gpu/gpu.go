// Package gpu takes a specialized tile-IR kernel to the GPU level: the same
// IR (package ir) with every tile typed by its layout (which thread holds
// which element, package layout) and with explicit ops for what the GPU
// needs beyond the maths: layout conversions, shared-memory buffers and
// their loads and stores (ldmatrix for mma operands), cp.async copies
// with their commit and wait groups, and barriers. What a pass decides is
// in the IR it leaves, so each pass can be tested on its own, text in and
// text out, and LLVM emission (package codegen) decides nothing.
//
// The passes run in the order of Passes; each says why it stands where
// it does. The verifier (ir.Verify) knows layouts and shared memory and
// can run after every pass (Options.Verify, tilec's --verify-each).
package gpu

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/tilec/tilec/ir"
)

// Pass is one IR-to-IR pass of the GPU level.
type Pass struct {
	Name string // also the value of --dump-after
	Doc  string
	Run  func(f *ir.Func) error
}

// Passes is the GPU level's pipeline, in order. Hopper (sm_90a): wgmma's
// operand and accumulator layouts are mma.sync's ("layouts"), its shared
// operands come from "pipeline", "resident" and "exchange", TMA copies
// and mbarrier rings replace cp.async groups in "pipeline", "waits" makes
// wgmma asynchronous, "fences" orders ordinary stores before its reads;
// warp specialization would split pipelined loops after "pipeline" and
// before "alloc" (docs/ARCHITECTURE.md).
var Passes = []Pass{
	// First: every later pass reads layouts from types.
	{Name: "layouts", Doc: "give every tile a layout (loads coalesced, dots mma fragments, reductions slices of their operand's, loop-carried values a fixed point) and convert where a use needs another", Run: assignLayouts},
	// After layouts: it needs the conversions to know what to recompute.
	{Name: "remat", Doc: "recompute cheap values (constants, index maths, views) in the layout a conversion asks for instead of converting them; drop what is left unused", Run: rematerialize},
	// After remat, so it sees the final accesses; before pipeline, which
	// copies only 16-byte chunks.
	{Name: "vectorize", Doc: "set the vector width of every global access from the axis analysis and the launch facts", Run: vectorize},
	// Before resident (which needs the pipelined loops) and before
	// exchange (it takes over the conversions of the loads it pipelines).
	{Name: "pipeline", Doc: "copy loop loads that only feed mma operands with cp.async into swizzled rings, num_stages - 1 iterations ahead", Run: pipeline},
	{Name: "resident", Doc: "keep a tile loaded before pipelined loops and used only as their mma operand in shared memory, read by k-steps", Run: resident},
	// After the passes that consume conversions: it lowers what is left.
	{Name: "exchange", Doc: "move the conversions that are not register renamings through shared memory: ldmatrix for mma operands, else the cheapest padded buffer", Run: exchange},
	// After exchange, when every dot reads its final operands; pipeline
	// asked carriedAsync the same question to fill its ring S − 2 ahead.
	{Name: "waits", Doc: "on sm_90a, make wgmma dots asynchronous and place their waits: a loop's carried accumulator stays in flight across iterations (one group pending), other results are waited for at once", Run: waits},
	// After every pass that writes shared memory (exchange, pipeline,
	// resident) and before alloc, which it does not affect.
	{Name: "fences", Doc: "on sm_90a, fence ordinary shared-memory writes (stores, cp.async) before the barrier that hands them to wgmma's async proxy", Run: fences},
	// Last: it needs every buffer and scratch area.
	{Name: "alloc", Doc: "place every shared buffer and scratch area by liveness, and size the kernel's shared memory", Run: allocate},
}

// Lookup returns the pass named name.
func Lookup(name string) (Pass, bool) {
	for _, p := range Passes {
		if p.Name == name {
			return p, true
		}
	}
	return Pass{}, false
}

// Names lists the passes, comma-separated, for messages.
func Names() string {
	names := make([]string, len(Passes))
	for i, p := range Passes {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

// Options control Lower.
type Options struct {
	// SM is the target's compute capability times ten (default 80);
	// Specific asks for the architecture-specific target (sm_90a).
	SM       int
	Specific bool
	// Facts are what the launch guarantees about each parameter.
	Facts []ir.Facts
	// Verify runs the verifier after every pass.
	Verify bool
	// DumpAfter names a pass ("all" for every one) after which the IR is
	// printed to Dump.
	DumpAfter string
	Dump      io.Writer
	// Stop, when set, stops after the named pass.
	Stop string
}

// Lower returns the GPU-level form of a specialized kernel (f itself is
// not changed).
func Lower(f *ir.Func, opts Options) (*ir.Func, error) {
	if !f.Specialized() {
		return nil, fmt.Errorf("gpu: kernel %s has unbound constexprs %s", f.Name, strings.Join(f.Metas, ", "))
	}
	if f.GPU != nil {
		return nil, fmt.Errorf("gpu: kernel %s is at the GPU level already", f.Name)
	}
	if f.NumWarps < 1 {
		return nil, fmt.Errorf("gpu: kernel %s has no num_warps", f.Name)
	}
	if opts.SM == 0 {
		opts.SM = 80
	}
	if opts.DumpAfter != "" && opts.DumpAfter != "all" {
		if _, ok := Lookup(opts.DumpAfter); !ok {
			return nil, fmt.Errorf("gpu: no pass %q to dump after (passes: %s)", opts.DumpAfter, Names())
		}
	}
	g := f.Clone()
	g.GPU = &ir.GPUInfo{SM: opts.SM, Specific: opts.Specific, Facts: append([]ir.Facts(nil), opts.Facts...)}
	for _, p := range Passes {
		if err := RunPass(g, p, opts.Verify); err != nil {
			return nil, err
		}
		if opts.Dump != nil && (opts.DumpAfter == p.Name || opts.DumpAfter == "all") {
			fmt.Fprintf(opts.Dump, "// after %s\n%s", p.Name, g)
		}
		if opts.Stop == p.Name {
			break
		}
	}
	return g, nil
}

// RunPass runs one pass on a GPU-level kernel and, when verify is set,
// the verifier after it. A panic in the pass becomes an *ir.InternalError
// that keeps its stack.
func RunPass(f *ir.Func, p Pass, verify bool) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("gpu: %s: %w", f.Name, &ir.InternalError{Stage: p.Name, Value: r, Stack: string(debug.Stack())})
		}
	}()
	if err := p.Run(f); err != nil {
		return fmt.Errorf("gpu: %s: pass %s: %w", f.Name, p.Name, err)
	}
	if verify {
		if err := ir.Verify(f); err != nil {
			return fmt.Errorf("gpu: %s: after pass %s: %w", f.Name, p.Name, err)
		}
	}
	return nil
}
