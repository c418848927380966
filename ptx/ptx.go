// Package ptx is tilec's PTX backend: it translates the LLVM IR that
// tilec's codegen emits (an *ir.Module of github.com/llir/llvm, LLVM 14
// with typed pointers) into PTX text for a chosen GPU architecture.
//
// It is the default backend because Debian's llc-14 stops at sm_86 and
// PTX 7.5, so it cannot target Hopper (sm_90a, PTX 8.0), and a user's
// machine may have no LLVM at all. LLC runs llc-14 on the same IR where it
// is installed; the tests run both backends' PTX on the emulator
// (ptx/emu) and require the same results.
//
// # Pipeline
//
// Compile runs these steps, each in its own file:
//
//  1. Validate the module (module.go): triple and data layout, kernels
//     from !nvvm.annotations or the ptx_kernel calling convention, their
//     launch bounds, module variables (shared, dynamic shared, const,
//     global) and PTX names for every symbol.
//  2. Build the CFG of each defined function (cfg.go): the supported
//     terminators are br, conditional br, ret and unreachable; blocks
//     unreachable from the entry are dropped.
//  3. Split critical edges (cfg.go): an edge from a block with two
//     successors into a block with phis and several predecessors gets a
//     block of its own to hold that edge's phi copies. Blocks are laid out
//     in reverse postorder, so a block's dominators are lowered before it.
//  4. Assign virtual registers by class while lowering (func.go, types.go):
//     %p (.pred, i1), %rs (.b16: i8, i16, half), %r (.b32: i32), %rd
//     (.b64: i64 and all pointers), %f (.f32), %fd (.f64). A vector or a
//     literal struct is a list of such parts, one per element, so
//     extractelement, insertelement, shufflevector, extractvalue and
//     insertvalue only rename parts. There is no register allocation:
//     ptxas does it. Numbering is per class in emission order, so the same
//     input always gives the same text.
//  5. Lower each instruction through the instruction table (insts.go,
//     convert.go, memory.go, call.go): one row per LLVM instruction, whose
//     lowering function emits PTX. Calls go to the intrinsic table
//     (intrinsics.go, exported as Intrinsics), to a .func, or to inline asm.
//     An instruction, type, intrinsic or constant outside the subset is an
//     error naming the function and the instruction's text. Immediates are
//     folded into source operands where PTX takes them; a getelementptr
//     whose only uses are load/store/atomic addresses becomes a
//     [base+offset] operand (memory.go). i8 values live in 16-bit
//     registers with an undefined upper byte, defined (sign or zero
//     extended) only before operations that read it.
//  6. Leave SSA (cfg.go, operand.go): a phi in a block with one
//     predecessor shares its incoming value's parts; otherwise it gets
//     registers of its own, and each incoming edge ends with a parallel
//     copy into them, sequentialized with a temporary where the copies
//     form a cycle (a loop that swaps two carried values).
//  7. Emit (module.go): a header comment, .version, .target, .address_size,
//     module variables, .func prototypes, then every function with its
//     .reg declarations and blocks; labels only where a branch lands.
//
// Sharing parts between values is safe because a register is written only
// by its definition, except a phi's registers, which are written on the
// edges into the phi's block. A value v that shares a phi register is
// defined in a block dominated by the phi's block; any path from such a
// write to a use of v passes v's definition again, so v always reads the
// value it was defined with.
//
// # Versions and targets
//
// The .target is the requested architecture (Target.SM, default sm_80).
// The .version starts at the lowest PTX ISA that knows the architecture
// (sm_70 6.0, sm_75 6.3, sm_80 7.0, sm_86 7.1, sm_89 and sm_90 7.8,
// sm_90a 8.0) and is raised by any emitted instruction that needs more
// (the features table in target.go, which also covers the statements of
// inline asm). The driver rejects a .version newer than itself, so the
// lowest version that works is the most portable. An instruction the
// target cannot run (cp.async or mma.m16n8k16 below sm_80, wgmma without
// sm_90a) is an error naming it.
//
// # By-value parameters
//
// A kernel parameter that LLVM passes byval (a pointer to an array or
// struct, such as a 128-byte CUtensorMap with align 64) is declared as an
// aligned byte array, ".param .align 64 .b8 k_param_0[128]". Loads at
// constant offsets from it are ld.param; any other use of the pointer gets
// its generic address, mov.u64 then cvta.param.u64 at the top of the kernel
// (PTX 7.7, sm_70). Stores into it, and byval on a .func, are errors
// (byval.go).
//
// # Floating point
//
// fadd, fsub and fmul are IEEE .rn (so ptxas does not fuse them); fdiv is
// div.rn, or div.approx in functions with "unsafe-fp-math"="true", which
// is llc-14's rule (it looks at the function attribute, not at fast-math
// flags on the instruction; the flags alone change nothing), and
// llvm.sqrt.f32 stays sqrt.rn even then, as in llc-14. Functions
// with "denormal-fp-math-f32"="preserve-sign,..." get .ftz on their f32
// instructions. frem is llc-14's expansion a - trunc(a/b)*b, and half
// division goes through f32, both as llc-14 does.
//
// # Atomics
//
// atomicrmw and cmpxchg become atom.{global,shared}.* (or generic atom)
// with PTX's default relaxed semantics at .gpu scope, whatever their LLVM
// ordering, as llc-14 emits them; a fence becomes membar.gl (seq_cst) or
// fence.acq_rel.gpu (.cta with syncscope("block")).
package ptx

import (
	"fmt"

	"github.com/llir/llvm/asm"
	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/types"
)

// Compile translates an LLVM module to PTX for target t. Errors name the
// function, the LLVM instruction and why it is not supported.
func Compile(m *ir.Module, t Target) (string, error) {
	a, err := lookupArch(t)
	if err != nil {
		return "", err
	}
	c := &compiler{m: m, req: newRequirements(a)}
	return c.compile()
}

// CompileText parses LLVM IR text and compiles it (for tests and the CLI).
func CompileText(ll string, t Target) (string, error) {
	m, err := asm.ParseString("input.ll", ll)
	if err != nil {
		return "", fmt.Errorf("ptx: parsing LLVM IR: %w", err)
	}
	fixParsed(m)
	return Compile(m, t)
}

// fixParsed repairs what llir v0.3.6's parser gets wrong: it types cmpxchg
// as { T, i8 } instead of { T, i1 } (ir.NewCmpXchg is right), and the
// extractvalue results that read the flag inherit the i8.
func fixParsed(m *ir.Module) {
	for pass := 0; pass < 2; pass++ {
		for _, fn := range m.Funcs {
			for _, b := range fn.Blocks {
				for _, inst := range b.Insts {
					switch i := inst.(type) {
					case *ir.InstCmpXchg:
						if pass == 0 {
							i.Typ = types.NewStruct(i.New.Type(), types.I1)
						}
					case *ir.InstExtractValue:
						if _, ok := i.X.(*ir.InstCmpXchg); ok && pass == 1 {
							i.Typ = nil
							i.Type()
						}
					}
				}
			}
		}
	}
}
