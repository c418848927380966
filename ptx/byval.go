package ptx

import (
	"fmt"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

// Kernel parameters passed by value as aligned byte arrays.
//
// A tensor map (CUtensorMap, 128 bytes, 64-byte aligned) reaches a kernel
// by value: in LLVM IR a pointer parameter with the byval attribute,
//
//	define void @k([128 x i8]* byval([128 x i8]) align 64 %tmap)
//
// declared in PTX as the byte array llc declares for byval aggregates,
//
//	.param .align 64 .b8 k_param_0[128]
//
// The pointer's uses decide how it is lowered:
//
//   - A load from the parameter, or from a getelementptr with constant
//     indices (or a pointer bitcast) of it, reads the parameter space
//     directly: ld.param.T %r, [k_param_0+off]. No address is formed.
//   - Any other use of the pointer as a value (an inline asm operand such
//     as the "l" descriptor address of cp.async.bulk.tensor or
//     prefetch.tensormap, ptrtoint, a getelementptr with a variable index,
//     a phi, a call argument) needs its generic address, computed once at
//     the top of the kernel:
//
//     mov.u64 %rd1, k_param_0;
//     cvta.param.u64 %rd2, %rd1;
//
//     which is what CUDA's __grid_constant__ parameters compile to. cvta
//     with the .param space needs PTX ISA 7.7 and sm_70 (the features
//     table raises .version for sm_80, whose base is 7.0, only when a
//     kernel uses it; sm_89, sm_90 and sm_90a start at 7.8 or 8.0).
//     Other loads through that address are generic ld.
//
// Kernel parameters are read-only, so a store, atomic or cmpxchg through
// the pointer (or a constant offset of it) is an error, as is byval on a
// .func parameter (a .func byval would need a local copy, which this
// backend does not make) or of a type other than an array or a struct.

// byvalParam is a byval kernel parameter.
type byvalParam struct {
	name        string // the .param's PTX name
	size, align int64
	generic     bool // some use needs the pointer's generic address
}

// paramRef is a pointer known to be a byval parameter plus a constant
// byte offset: loads through it become ld.param.
type paramRef struct {
	sym string
	off int64
}

// byvalAttr returns the pointee type and alignment of a byval parameter;
// ok is false for other parameters.
func byvalAttr(p *ir.Param) (elem types.Type, align int64, ok bool, err error) {
	var bv *ir.Byval
	for _, a := range p.Attrs {
		switch a := a.(type) {
		case ir.Byval:
			bv = &a
		case ir.Align:
			align = int64(a)
		}
	}
	if bv == nil {
		return nil, 0, false, nil
	}
	pt, isPtr := p.Typ.(*types.PointerType)
	if !isPtr {
		return nil, 0, true, fmt.Errorf("byval parameter %s is not a pointer", p.Ident())
	}
	if pt.AddrSpace != 0 {
		return nil, 0, true, fmt.Errorf("byval parameter %s is in address space %d, want the generic space 0", p.Ident(), pt.AddrSpace)
	}
	elem = pt.ElemType
	if bv.Typ != nil {
		if !types.Equal(bv.Typ, elem) {
			return nil, 0, true, fmt.Errorf("byval parameter %s: byval(%s) does not match its pointee type %s", p.Ident(), bv.Typ.LLString(), elem.LLString())
		}
	}
	switch elem.(type) {
	case *types.ArrayType, *types.StructType:
	default:
		return nil, 0, true, fmt.Errorf("byval parameter %s of type %s is not supported (by-value arrays and structs only)", p.Ident(), elem.LLString())
	}
	size, abi, err := layout(elem)
	if err != nil {
		return nil, 0, true, fmt.Errorf("byval parameter %s: %w", p.Ident(), err)
	}
	if size == 0 {
		return nil, 0, true, fmt.Errorf("byval parameter %s of type %s is empty", p.Ident(), elem.LLString())
	}
	if align == 0 {
		align = abi
	}
	if align&(align-1) != 0 {
		return nil, 0, true, fmt.Errorf("byval parameter %s: alignment %d is not a power of two", p.Ident(), align)
	}
	return elem, align, true, nil
}

// findByval lists the function's byval parameters and classifies the uses
// of their pointers (see the comment at the top of this file). It fills
// f.byval and f.paramAddr.
func (f *fn) findByval() error {
	f.byval = map[*ir.Param]*byvalParam{}
	f.paramAddr = map[value.Value]paramRef{}
	type use struct {
		user ir.Instruction // nil for a terminator
		slot *value.Value
	}
	var uses map[value.Value][]use
	for i, p := range f.f.Params {
		elem, align, ok, err := byvalAttr(p)
		if err != nil {
			return fmt.Errorf("ptx: function %s: %w", f.f.Ident(), err)
		}
		if !ok {
			continue
		}
		if !f.kernel {
			return fmt.Errorf("ptx: function %s: parameter %s is byval: only kernel parameters can be passed by value (a .func would need a local copy)", f.f.Ident(), p.Ident())
		}
		size, _, _ := layout(elem)
		bp := &byvalParam{name: fmt.Sprintf("%s_param_%d", f.name, i), size: size, align: align}
		f.byval[p] = bp
		if uses == nil {
			uses = map[value.Value][]use{}
			for _, b := range f.f.Blocks {
				for _, inst := range b.Insts {
					for _, op := range inst.Operands() {
						uses[*op] = append(uses[*op], use{inst, op})
					}
				}
				if b.Term != nil {
					for _, op := range b.Term.Operands() {
						uses[*op] = append(uses[*op], use{nil, op})
					}
				}
			}
		}
		// Walk the pointers derived from the parameter by constant
		// offsets; every other use of one of them needs the address.
		work := []value.Value{p}
		f.paramAddr[p] = paramRef{bp.name, 0}
		for len(work) > 0 {
			v := work[len(work)-1]
			work = work[:len(work)-1]
			ref := f.paramAddr[v]
			for _, u := range uses[v] {
				switch i := u.user.(type) {
				case *ir.InstLoad:
					if u.slot == &i.Src && !i.Atomic {
						continue // ld.param
					}
				case *ir.InstStore:
					if u.slot == &i.Dst {
						return fmt.Errorf("ptx: function %s: %s: stores into byval parameter %s: kernel parameters are read-only", f.f.Ident(), llText(i), p.Ident())
					}
				case *ir.InstAtomicRMW:
					if u.slot == &i.Dst {
						return fmt.Errorf("ptx: function %s: %s: atomic on byval parameter %s: kernel parameters are read-only", f.f.Ident(), llText(i), p.Ident())
					}
				case *ir.InstCmpXchg:
					if u.slot == &i.Ptr {
						return fmt.Errorf("ptx: function %s: %s: cmpxchg on byval parameter %s: kernel parameters are read-only", f.f.Ident(), llText(i), p.Ident())
					}
				case *ir.InstGetElementPtr:
					if u.slot == &i.Src {
						if off, ok := constGEPOffset(i.ElemType, i.Indices); ok {
							if _, seen := f.paramAddr[i]; !seen {
								f.paramAddr[i] = paramRef{ref.sym, ref.off + off}
								work = append(work, i)
							}
						}
					}
				case *ir.InstBitCast:
					if isPointer(i.To) {
						if _, seen := f.paramAddr[i]; !seen {
							f.paramAddr[i] = ref
							work = append(work, i)
						}
					}
				}
				if _, derived := u.user.(value.Value); derived && u.user != nil {
					if _, ok := f.paramAddr[u.user.(value.Value)]; ok {
						continue // a constant offset of it: its own uses decide
					}
				}
				bp.generic = true
			}
		}
	}
	return nil
}

// constGEPOffset returns the byte offset of a getelementptr whose indices
// are all constants.
func constGEPOffset(elem types.Type, idx []value.Value) (int64, bool) {
	var off int64
	t := elem
	for i, iv := range idx {
		c, ok := constIntArg(iv)
		if !ok {
			return 0, false
		}
		if i > 0 {
			switch tt := t.(type) {
			case *types.ArrayType:
				t = tt.ElemType
			case *types.StructType:
				if c < 0 || c >= int64(len(tt.Fields)) {
					return 0, false
				}
				fo, err := fieldOffset(tt, int(c))
				if err != nil {
					return 0, false
				}
				off += fo
				t = tt.Fields[c]
				continue
			default:
				return 0, false
			}
		}
		scale, _, err := layout(t)
		if err != nil {
			return 0, false
		}
		off += c * scale
	}
	return off, true
}

// loadByval defines a byval parameter's pointer at the top of the kernel:
// its generic address when some use needs it, else the parameter's symbol
// (only constant offsets of it are formed, and loads through those read
// f.paramAddr, so the symbol is never materialized).
func (f *fn) loadByval(p *ir.Param, bp *byvalParam) {
	if !bp.generic {
		f.def(p, []opnd{{k: kPtr, sym: bp.name}})
		return
	}
	a := f.op(kPtr, "mov.u64", bp.name)
	g := f.op(kPtr, "cvta.param.u64", regName(a))
	f.def(p, []opnd{g})
}
