package codegen

import (
	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/value"
)

// Lowering emits what every register of a tile needs (its address, its
// bounds check) even where a vector access uses only the first register's;
// deadCode removes the instructions whose results nothing uses, so that
// tilec's PTX backend, which translates instruction by instruction, does
// not emit them (llc would remove them itself).
func deadCode(m *llir.Module) {
	for _, f := range m.Funcs {
		for removed := true; removed; {
			removed = false
			uses := map[value.Value]int{}
			count := func(u value.User) {
				for _, op := range u.Operands() {
					if op != nil && *op != nil {
						uses[*op]++
					}
				}
			}
			for _, b := range f.Blocks {
				for _, inst := range b.Insts {
					if u, ok := inst.(value.User); ok {
						count(u)
					}
				}
				if u, ok := b.Term.(value.User); ok {
					count(u)
				}
			}
			for _, b := range f.Blocks {
				kept := b.Insts[:0]
				for _, inst := range b.Insts {
					if v, ok := inst.(value.Value); ok && pure(inst) && uses[v] == 0 {
						removed = true
						continue
					}
					kept = append(kept, inst)
				}
				b.Insts = kept
			}
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
