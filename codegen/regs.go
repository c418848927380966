package codegen

import (
	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

// liveRegisters estimates the most 32-bit registers a thread holds at
// once: the peak, over the kernel's program points, of the values that are
// live there (defined and still to be used), each weighted by the 32-bit
// registers it takes (64-bit values two, predicates none). It follows the
// LLVM IR's instruction order; ptxas schedules and allocates on its own, so
// this is an estimate of the pressure the code asks for, not the count the
// driver reports. Above 255 the GPU spills to local memory.
func liveRegisters(m *llir.Module) int {
	peak := 0
	for _, f := range m.Funcs {
		if len(f.Blocks) > 0 {
			peak = max(peak, funcLiveRegisters(f))
		}
	}
	return peak
}

// bitset is a set of value indices.
type bitset []uint64

func (s bitset) has(i int) bool { return s[i>>6]>>(i&63)&1 == 1 }
func (s bitset) set(i int)      { s[i>>6] |= 1 << (i & 63) }
func (s bitset) clear(i int)    { s[i>>6] &^= 1 << (i & 63) }

func funcLiveRegisters(f *llir.Func) int {
	// Number the values that take registers: parameters and instructions.
	index := map[value.Value]int{}
	var weight []int
	add := func(v value.Value) {
		if w := regWeight(v.Type()); w > 0 {
			index[v] = len(weight)
			weight = append(weight, w)
		}
	}
	for _, p := range f.Params {
		add(p)
	}
	for _, b := range f.Blocks {
		for _, inst := range b.Insts {
			v, ok := inst.(value.Value)
			if !ok {
				continue
			}
			// A bitcast between types of one size renames its operand's
			// register: one value for liveness.
			if bc, isBC := inst.(*llir.InstBitCast); isBC && regWeight(bc.From.Type()) == regWeight(bc.To) {
				if i, ok := index[bc.From]; ok {
					index[v] = i
					continue
				}
			}
			add(v)
		}
	}
	words := (len(weight) + 63) / 64
	newSet := func() bitset { return make(bitset, words) }
	operands := func(u value.User, fn func(i int)) {
		for _, op := range u.Operands() {
			if op != nil && *op != nil {
				if i, ok := index[*op]; ok {
					fn(i)
				}
			}
		}
	}
	// Per block: the values it uses before defining them (phis' operands
	// count as uses at the end of their predecessors), and the values it
	// defines.
	pos := map[*llir.Block]int{}
	for i, b := range f.Blocks {
		pos[b] = i
	}
	n := len(f.Blocks)
	use, def, phiOut := make([]bitset, n), make([]bitset, n), make([]bitset, n)
	for i := range f.Blocks {
		use[i], def[i], phiOut[i] = newSet(), newSet(), newSet()
	}
	for bi, b := range f.Blocks {
		for _, inst := range b.Insts {
			if phi, ok := inst.(*llir.InstPhi); ok {
				for _, inc := range phi.Incs {
					if i, ok := index[inc.X]; ok {
						if pb, ok := inc.Pred.(*llir.Block); ok {
							phiOut[pos[pb]].set(i)
						}
					}
				}
			} else if u, ok := inst.(value.User); ok {
				operands(u, func(i int) {
					if !def[bi].has(i) {
						use[bi].set(i)
					}
				})
			}
			if v, ok := inst.(value.Value); ok && !isAlias(inst) {
				if i, ok := index[v]; ok {
					def[bi].set(i)
				}
			}
		}
		if u, ok := b.Term.(value.User); ok {
			operands(u, func(i int) {
				if !def[bi].has(i) {
					use[bi].set(i)
				}
			})
		}
	}
	// Live-out sets to a fixed point: live-out(b) = phi uses from b ∪
	// (live-in(s) − phis(s)) over b's successors.
	out, in, phis := make([]bitset, n), make([]bitset, n), make([]bitset, n)
	for i, b := range f.Blocks {
		out[i], in[i], phis[i] = newSet(), newSet(), phiDefs(b, index, words)
	}
	for changed := true; changed; {
		changed = false
		for bi := n - 1; bi >= 0; bi-- {
			b := f.Blocks[bi]
			o := newSet()
			copy(o, phiOut[bi])
			for _, s := range b.Term.Succs() {
				si := pos[s]
				for w := range o {
					o[w] |= in[si][w] &^ phis[si][w]
				}
			}
			for w := range o {
				nin := use[bi][w] | (o[w] &^ def[bi][w])
				if nin != in[bi][w] || o[w] != out[bi][w] {
					changed = true
				}
				in[bi][w], out[bi][w] = nin, o[w]
			}
		}
	}
	// Walk each block backwards from its live-out set.
	peak := 0
	for bi, b := range f.Blocks {
		live := newSet()
		copy(live, out[bi])
		cur := 0
		for i := range weight {
			if live.has(i) {
				cur += weight[i]
			}
		}
		peak = max(peak, cur)
		step := func(inst value.User, defined value.Value) {
			if i, ok := index[defined]; ok && live.has(i) {
				live.clear(i)
				cur -= weight[i]
			}
			if _, isPhi := inst.(*llir.InstPhi); !isPhi {
				operands(inst, func(i int) {
					if !live.has(i) {
						live.set(i)
						cur += weight[i]
					}
				})
			}
			peak = max(peak, cur)
		}
		if u, ok := b.Term.(value.User); ok {
			step(u, nil)
		}
		for k := len(b.Insts) - 1; k >= 0; k-- {
			inst := b.Insts[k]
			if u, ok := inst.(value.User); ok {
				v, _ := inst.(value.Value)
				if isAlias(inst) {
					v = nil
				}
				step(u, v)
			}
		}
	}
	return peak
}

// isAlias reports a bitcast that renames its operand's register.
func isAlias(inst llir.Instruction) bool {
	bc, ok := inst.(*llir.InstBitCast)
	return ok && regWeight(bc.From.Type()) == regWeight(bc.To) && regWeight(bc.To) > 0
}

// phiDefs is the set of values defined by b's phis.
func phiDefs(b *llir.Block, index map[value.Value]int, words int) bitset {
	s := make(bitset, words)
	for _, inst := range b.Insts {
		phi, ok := inst.(*llir.InstPhi)
		if !ok {
			break
		}
		if i, ok := index[phi]; ok {
			s.set(i)
		}
	}
	return s
}

// regWeight is how many 32-bit registers a value of type t takes.
func regWeight(t types.Type) int {
	switch t := t.(type) {
	case *types.IntType:
		switch {
		case t.BitSize == 1:
			return 0 // predicate registers
		case t.BitSize <= 32:
			return 1
		}
		return 2
	case *types.FloatType:
		if t.Kind == types.FloatKindDouble {
			return 2
		}
		return 1
	case *types.PointerType:
		return 2
	case *types.VectorType:
		bits := int(t.Len) * elemBits(t.ElemType)
		return (bits + 31) / 32
	case *types.StructType:
		return 0 // an mma or ldmatrix result: its extractvalues are the registers
	}
	return 0
}

func elemBits(t types.Type) int {
	switch t := t.(type) {
	case *types.IntType:
		return int(t.BitSize)
	case *types.FloatType:
		switch t.Kind {
		case types.FloatKindHalf:
			return 16
		case types.FloatKindDouble:
			return 64
		}
		return 32
	case *types.PointerType:
		return 64
	}
	return 32
}
