package codegen

import (
	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/value"
)

// Lowering emits what every register of a tile needs (its address, its
// bounds check) even where a vector access uses only the first register's;
// deadCode removes the instructions whose results nothing uses, so that
// tilec's PTX backend, which translates instruction by instruction, does
// not emit them (llc would remove them itself). One pass counts uses; a
// worklist then removes each dead instruction and releases its operands.
func deadCode(m *llir.Module) {
	for _, f := range m.Funcs {
		uses := map[value.Value]int{}
		operands := func(u value.User, fn func(value.Value)) {
			for _, op := range u.Operands() {
				if op != nil && *op != nil {
					fn(*op)
				}
			}
		}
		count := func(v value.Value) {
			if _, ok := v.(llir.Instruction); ok { // only instructions can die
				uses[v]++
			}
		}
		for _, b := range f.Blocks {
			for _, inst := range b.Insts {
				if u, ok := inst.(value.User); ok {
					operands(u, count)
				}
			}
			if u, ok := b.Term.(value.User); ok {
				operands(u, count)
			}
		}
		dead := map[llir.Instruction]bool{}
		var work []llir.Instruction
		for _, b := range f.Blocks {
			for _, inst := range b.Insts {
				if v, ok := inst.(value.Value); ok && pure(inst) && uses[v] == 0 {
					work = append(work, inst)
				}
			}
		}
		for len(work) > 0 {
			inst := work[len(work)-1]
			work = work[:len(work)-1]
			if dead[inst] {
				continue
			}
			dead[inst] = true
			operands(inst.(value.User), func(v value.Value) {
				if i, ok := v.(llir.Instruction); ok {
					uses[v]--
					if uses[v] == 0 && pure(i) {
						work = append(work, i)
					}
				}
			})
		}
		if len(dead) == 0 {
			continue
		}
		for _, b := range f.Blocks {
			kept := b.Insts[:0]
			for _, inst := range b.Insts {
				if !dead[inst] {
					kept = append(kept, inst)
				}
			}
			b.Insts = kept
		}
	}
}

// pure reports whether an instruction only computes its result: no
// memory access, call, or control effect.
func pure(inst llir.Instruction) bool {
	switch inst.(type) {
	case *llir.InstAdd, *llir.InstSub, *llir.InstMul, *llir.InstUDiv, *llir.InstSDiv, *llir.InstURem, *llir.InstSRem,
		*llir.InstShl, *llir.InstLShr, *llir.InstAShr, *llir.InstAnd, *llir.InstOr, *llir.InstXor,
		*llir.InstFAdd, *llir.InstFSub, *llir.InstFMul, *llir.InstFDiv, *llir.InstFRem, *llir.InstFNeg,
		*llir.InstICmp, *llir.InstFCmp, *llir.InstSelect, *llir.InstPhi,
		*llir.InstGetElementPtr, *llir.InstBitCast, *llir.InstPtrToInt, *llir.InstIntToPtr, *llir.InstAddrSpaceCast,
		*llir.InstTrunc, *llir.InstZExt, *llir.InstSExt, *llir.InstFPTrunc, *llir.InstFPExt,
		*llir.InstFPToUI, *llir.InstFPToSI, *llir.InstUIToFP, *llir.InstSIToFP,
		*llir.InstExtractValue, *llir.InstInsertValue, *llir.InstExtractElement, *llir.InstInsertElement, *llir.InstShuffleVector:
		return true
	}
	return false
}
