package ptx

import (
	"fmt"
	"math"
	"strings"
)

// opnd is one PTX scalar operand: a virtual register, an immediate, or
// the address of a module variable. An LLVM value is a list of opnds (its
// parts, see flatten); parts are shared freely between values because a
// register is written only by its definition or, for a phi's register, by
// the copies on the edges into the phi's block (see the design note).
type opnd struct {
	k    kind
	reg  int32  // register number in k's class, > 0; 0 for immediates and symbols
	bits uint64 // immediate bits (low k.bits() significant), or the symbol offset
	sym  string // module variable whose address this is, plus bits
}

func (o opnd) isReg() bool { return o.reg > 0 }
func (o opnd) isImm() bool { return o.reg == 0 && o.sym == "" }

// imm returns an immediate of kind k.
func imm(k kind, bits uint64) opnd {
	if b := k.bits(); b < 64 {
		bits &= 1<<uint(b) - 1
	}
	return opnd{k: k, bits: bits}
}

// regName is the PTX name of a register operand.
func regName(o opnd) string { return fmt.Sprintf("%s%d", classInfo[o.k.cls()].prefix, o.reg) }

// sext returns the immediate's value sign-extended from its kind's width.
func (o opnd) sext() int64 {
	b := uint(o.k.bits())
	if b >= 64 {
		return int64(o.bits)
	}
	return int64(o.bits<<(64-b)) >> (64 - b)
}

// immText formats an immediate for an instruction whose type suffix is t:
// floats in PTX's hex forms (0f/0d, and 0x for the bits of a half),
// integers unsigned for .u types and signed otherwise, predicates as llc
// writes them (-1 and 0).
func immText(o opnd, t string) string {
	switch o.k {
	case kF32:
		return fmt.Sprintf("0f%08X", uint32(o.bits))
	case kF64:
		return fmt.Sprintf("0d%016X", o.bits)
	case kF16:
		return fmt.Sprintf("0x%04X", uint16(o.bits))
	case kI1:
		if o.bits&1 != 0 {
			return "-1"
		}
		return "0"
	}
	if strings.HasPrefix(t, "u") {
		return fmt.Sprintf("%d", o.bits)
	}
	return fmt.Sprintf("%d", o.sext())
}

// text formats any operand for an instruction of type suffix t.
func (o opnd) text(t string) string {
	switch {
	case o.isReg():
		return regName(o)
	case o.sym != "":
		if o.bits != 0 {
			return fmt.Sprintf("%s+%d", o.sym, int64(o.bits))
		}
		return o.sym
	}
	return immText(o, t)
}

// f32Bits and friends build float immediates.
func f32Imm(x float32) opnd { return imm(kF32, uint64(math.Float32bits(x))) }
func f64Imm(x float64) opnd { return imm(kF64, math.Float64bits(x)) }

// pcopy is one copy of a parallel copy: dst (a register) gets src.
type pcopy struct {
	dst, src opnd
}

// sameLoc reports whether two operands denote the same register or the
// same constant, so a copy between them is a no-op.
func sameLoc(a, b opnd) bool {
	return a.k.cls() == b.k.cls() && a.reg == b.reg && a.bits == b.bits && a.sym == b.sym
}

// sequentialize orders a parallel copy (every src read before any dst is
// written; the dsts are distinct registers) into plain moves. A copy is
// emitted once no pending copy still reads its destination; when only
// cycles remain (a loop swapping two carried values), one destination is
// saved in a temporary from newTemp and its readers read the temporary.
func sequentialize(copies []pcopy, newTemp func(kind) opnd) []pcopy {
	var pending []pcopy
	for _, c := range copies {
		if !sameLoc(c.dst, c.src) {
			pending = append(pending, c)
		}
	}
	var out []pcopy
	for len(pending) > 0 {
		progressed := false
		for i := 0; i < len(pending); i++ {
			c := pending[i]
			read := false
			for j, o := range pending {
				if j != i && o.src.isReg() && sameLoc(o.src, c.dst) {
					read = true
					break
				}
			}
			if read {
				continue
			}
			out = append(out, c)
			pending = append(pending[:i], pending[i+1:]...)
			i--
			progressed = true
		}
		if progressed {
			continue
		}
		// Only cycles are left: break the first one with a temporary.
		d := pending[0].dst
		t := newTemp(d.k)
		out = append(out, pcopy{dst: t, src: d})
		for j := range pending {
			if sameLoc(pending[j].src, d) {
				pending[j].src = t
			}
		}
	}
	return out
}
