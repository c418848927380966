package ptx

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/value"
)

// fn is the state of lowering one LLVM function.
type fn struct {
	c      *compiler
	f      *ir.Func
	name   string // PTX name
	idx    int    // function index, for label names
	kernel bool
	unsafe bool // "unsafe-fp-math"="true": approximate f32 division, as llc-14
	ftz    bool // "denormal-fp-math-f32"="preserve-sign,...": .ftz on f32 instructions

	nreg     [numClasses]int32
	vals     map[value.Value][]opnd
	addrOnly map[value.Value]bool     // GEPs whose only uses are memory addresses
	folded   map[value.Value]addrFold // those of them lowered to [base+offset]
	// packed remembers registers unpacked into parts (mov.b32 {a, b}, r),
	// keyed by the parts, so packing the same parts again reuses r. Safe
	// for the same reason sharing parts is (see the package comment).
	packed map[string]opnd
	// byval are the kernel's by-value array parameters; paramAddr the
	// pointers that are one of them plus a constant offset (byval.go).
	byval     map[*ir.Param]*byvalParam
	paramAddr map[value.Value]paramRef
	// unpacks lists the unpacking movs, which dropDeadUnpacks removes when
	// no instruction reads their parts (the packed memo often makes the
	// parts unnecessary after the fact).
	unpacks []unpackLine
	// useSites are each value's uses, siteOf each instruction's place
	// (built on first need, by lastUse).
	useSites map[value.Value][]useSite
	siteOf   map[ir.Instruction]useSite
	phiUses  map[value.Value][]*ir.InstPhi
	extracts map[value.Value][]*ir.InstExtractValue

	blocks []*block // layout order
	byIR   map[*ir.Block]*block
	cur    *block
	err    error // first error raised while emitting (see emit)
}

// block is a basic block of the output: an LLVM block, or an edge-split
// block that holds the phi copies of one critical edge.
type block struct {
	b        *ir.Block // nil for an edge-split block
	from     *block    // edge-split block: the original predecessor
	succs    []*block
	preds    []*block
	index    int  // position in the layout
	targeted bool // some branch names this block's label
	lines    []string
}

// irPred is the LLVM block a phi sees as the incoming block on the edge
// from p: p itself, or the block an edge-split block was split from.
func (b *block) irPred() *ir.Block {
	for b.b == nil {
		b = b.from
	}
	return b.b
}

func (b *block) String() string {
	if b.b != nil {
		return b.b.Ident()
	}
	return fmt.Sprintf("split edge %s -> %s", b.from, b.succs[0])
}

// label is the PTX label of a block.
func (f *fn) label(b *block) string { return fmt.Sprintf("$L__BB%d_%d", f.idx, b.index) }

// newReg allocates a fresh virtual register for a value of kind k.
// Registers are numbered from 1 per class, in emission order, so the same
// input always gives the same output.
func (f *fn) newReg(k kind) opnd {
	c := k.cls()
	f.nreg[c]++
	return opnd{k: k, reg: f.nreg[c]}
}

// fail records the first error raised while emitting; lowering checks it
// after each instruction.
func (f *fn) fail(err error) {
	if f.err == nil {
		f.err = err
	}
}

func (f *fn) failf(format string, args ...any) { f.fail(fmt.Errorf(format, args...)) }

// emit appends one instruction to the current block. Every instruction
// goes through here (or through emitAsm for inline asm), so the target
// check and the .version rule see all of them.
func (f *fn) emit(mnemonic string, args ...string) {
	if err := f.c.req.need(mnemonic); err != nil {
		f.fail(err)
	}
	if len(args) == 0 {
		f.line("\t" + mnemonic + ";")
		return
	}
	f.line("\t" + mnemonic + " \t" + strings.Join(args, ", ") + ";")
}

// op emits "mnemonic d, srcs..." into a fresh register d of kind k. The
// sources are formatted (and any constants materialized) before d is
// allocated, so registers are numbered in the order they are written.
func (f *fn) op(k kind, mnemonic string, srcs ...string) opnd {
	d := f.newReg(k)
	f.emit(mnemonic, append([]string{regName(d)}, srcs...)...)
	return d
}

// line appends raw text (labels, branches, comments) to the current block.
func (f *fn) line(s string) { f.cur.lines = append(f.cur.lines, s) }

// def records the parts of an instruction's result, checking them against
// its type: llir does not type-check every operand, and a mismatch here
// means the IR is invalid.
func (f *fn) def(v value.Value, parts []opnd) {
	ks, err := flatten(v.Type())
	if err != nil {
		f.fail(err)
		return
	}
	if len(ks) != len(parts) {
		f.failf("result of type %s has %d parts from its operands, want %d (operand types do not match)", v.Type().LLString(), len(parts), len(ks))
		return
	}
	for i, k := range ks {
		if parts[i].k != k {
			f.failf("result of type %s: part %d is %s, want %s (operand types do not match)", v.Type().LLString(), i, parts[i].k, k)
			return
		}
	}
	f.vals[v] = parts
}

// newRegs allocates registers for a list of kinds.
func (f *fn) newRegs(ks []kind) []opnd {
	out := make([]opnd, len(ks))
	for i, k := range ks {
		out[i] = f.newReg(k)
	}
	return out
}

// movType is the suffix of a mov of kind k.
func movType(k kind) string {
	if k == kF16 {
		return "b16"
	}
	return classInfo[k.cls()].mov
}

// inReg returns o in a register, moving an immediate or a symbol's
// address into a fresh one.
func (f *fn) inReg(o opnd) opnd {
	if o.isReg() {
		return o
	}
	r := f.newReg(o.k)
	f.move(r, o)
	return r
}

// move copies src into the register dst.
func (f *fn) move(dst, src opnd) {
	d := regName(dst)
	switch {
	case src.sym != "":
		f.emit("mov.u64", d, src.sym)
		if src.bits != 0 {
			f.emit("add.s64", d, d, fmt.Sprint(int64(src.bits)))
		}
	case src.isReg():
		f.emit("mov."+movType(dst.k), d, regName(src))
	default:
		f.emit("mov."+movType(dst.k), d, immText(src, movType(dst.k)))
	}
}

// reg formats o as a register, materializing constants.
func (f *fn) reg(o opnd) string { return regName(f.inReg(o)) }

// src formats o for a source position of an instruction of type t that
// accepts an immediate. Halves have no immediate form in arithmetic and
// symbols only appear in mov and addresses, so both go to registers.
func (f *fn) src(o opnd, t string) string {
	if o.isImm() && o.k != kF16 && o.k != kI1 {
		return immText(o, t)
	}
	return f.reg(o)
}

// parts returns the operands of a value: the registers of an instruction
// result or parameter, or the immediates (or, for constant expressions,
// freshly computed registers) of a constant.
func (f *fn) parts(v value.Value) ([]opnd, error) {
	if p, ok := f.vals[v]; ok {
		return p, nil
	}
	switch v := v.(type) {
	case *ir.Global:
		name, ok := f.c.globalNames[v]
		if !ok {
			return nil, fmt.Errorf("global %s is not emitted", v.Ident())
		}
		return []opnd{{k: kPtr, sym: name}}, nil
	case *ir.Func:
		return nil, fmt.Errorf("function %s used as a value (function pointers are not supported)", v.Ident())
	case ir.Instruction, *ir.Param:
		return nil, fmt.Errorf("value %s is used before it is defined (or defined in an unreachable block)", v.Ident())
	}
	return f.constParts(v)
}

// one returns the single operand of a scalar value.
func (f *fn) one(v value.Value) (opnd, error) {
	p, err := f.parts(v)
	if err != nil {
		return opnd{}, err
	}
	if len(p) != 1 {
		return opnd{}, fmt.Errorf("value %s of type %s is not a scalar", v.Ident(), v.Type().LLString())
	}
	return p[0], nil
}

// lowerBody lowers the blocks in layout order.
func (f *fn) lowerBody() error {
	for i, b := range f.blocks {
		f.cur = b
		if i == 0 {
			if err := f.loadParams(); err != nil {
				return err
			}
		}
		if b.b == nil {
			if err := f.edgeCopies(b.from, b.succs[0]); err != nil {
				return err
			}
			f.branch(b, nil)
			continue
		}
		for _, inst := range b.b.Insts {
			if err := f.lowerInst(inst); err != nil {
				return err
			}
		}
		if err := f.lowerTerm(b); err != nil {
			return err
		}
	}
	return nil
}

// lowerInst looks an instruction up in the table and lowers it.
func (f *fn) lowerInst(inst ir.Instruction) error {
	row := instTable[reflect.TypeOf(inst)]
	if row == nil {
		return f.instErr(inst, fmt.Errorf("unsupported instruction %q", opcodeOf(inst)))
	}
	err := row.lower(f, row, inst)
	if err == nil {
		err = f.err
	}
	if err != nil {
		return f.instErr(inst, err)
	}
	return nil
}

// instErr wraps an error with the function and the instruction's text.
func (f *fn) instErr(inst ir.LLStringer, err error) error {
	text := strings.Join(strings.Fields(llText(inst)), " ")
	return fmt.Errorf("ptx: function %s: %s: %w", f.f.Ident(), text, err)
}

// llText prints an instruction for an error message. llir's printer
// panics on some values its parser accepts (an i1 constant 9): the error
// must still be reported.
func llText(inst ir.LLStringer) (s string) {
	defer func() {
		if recover() != nil {
			s = fmt.Sprintf("<%T that llir cannot print>", inst)
		}
	}()
	return inst.LLString()
}

// opcodeOf extracts the LLVM opcode from an instruction's text, for
// instructions the table does not know.
func opcodeOf(inst ir.LLStringer) string {
	s := strings.TrimSpace(llText(inst))
	if i := strings.Index(s, " = "); i >= 0 && strings.HasPrefix(s, "%") {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		s = s[:i]
	}
	return s
}

// unpackLine is an emitted "mov.bN {a, b}, r": its block, line and parts.
type unpackLine struct {
	b     *block
	line  int
	parts []string
}

// dropDeadUnpacks removes the unpacking movs whose parts nothing reads.
// A part's name occurring once in the function is its definition alone.
func (f *fn) dropDeadUnpacks() {
	if len(f.unpacks) == 0 {
		return
	}
	count := map[string]int{}
	for _, u := range f.unpacks {
		for _, p := range u.parts {
			count[p] = 0
		}
	}
	for _, b := range f.blocks {
		for _, l := range b.lines {
			for i := 0; i < len(l); i++ {
				if l[i] != '%' {
					continue
				}
				j := i + 1
				for j < len(l) && (l[j] >= 'a' && l[j] <= 'z' || l[j] >= '0' && l[j] <= '9') {
					j++
				}
				if n, ok := count[l[i:j]]; ok {
					count[l[i:j]] = n + 1
				}
				i = j - 1
			}
		}
	}
	dead := map[*block]map[int]bool{}
	for _, u := range f.unpacks {
		used := false
		for _, p := range u.parts {
			used = used || count[p] > 1
		}
		if !used {
			if dead[u.b] == nil {
				dead[u.b] = map[int]bool{}
			}
			dead[u.b][u.line] = true
		}
	}
	for b, lines := range dead {
		kept := b.lines[:0]
		for i, l := range b.lines {
			if !lines[i] {
				kept = append(kept, l)
			}
		}
		b.lines = kept
	}
}

// body renders the function body: register declarations and blocks.
func (f *fn) body() string {
	f.dropDeadUnpacks()
	var sb strings.Builder
	sb.WriteString("{\n")
	for c := class(0); c < numClasses; c++ {
		if f.nreg[c] > 0 {
			fmt.Fprintf(&sb, "\t.reg %s \t%s<%d>;\n", classInfo[c].decl, classInfo[c].prefix, f.nreg[c]+1)
		}
	}
	sb.WriteString("\n")
	for i, b := range f.blocks {
		switch {
		case b.targeted:
			fmt.Fprintf(&sb, "%s: \t// %s\n", f.label(b), b)
		case i > 0:
			fmt.Fprintf(&sb, "\t// %s\n", b)
		}
		for _, l := range b.lines {
			sb.WriteString(l)
			sb.WriteByte('\n')
		}
	}
	sb.WriteString("}\n")
	return sb.String()
}

// lastUse reports whether call is the last reader of v's register: v's
// only use, or, for a phi, its last use on every path before the phi's
// block again (uses after the loop it heads see the value the loop ends
// with, which call's output is when the back edge passes it on); and the
// register is v's alone. Then an inline asm output tied to v can be v's
// own register. wgmma relies on it: its accumulators must not be copied
// between the instruction and the wait that retires it, nor on the
// loop's back edge.
func (f *fn) lastUse(v value.Value, call *ir.InstCall) bool {
	if f.useSites == nil {
		f.indexUses()
	}
	if !f.registerAlone(v) {
		return false
	}
	n := 0
	for _, a := range call.Args {
		if a == v {
			n++
		}
	}
	if n != 1 {
		return false // two outputs cannot both take its register
	}
	here := f.siteOf[call]
	others := 0
	for _, u := range f.useSites[v] {
		if u != here {
			others++
		}
	}
	if others == 0 {
		return true // the only use
	}
	phi, isPhi := v.(*ir.InstPhi)
	return isPhi && f.deadAfter(phi, here)
}

// phiOutput returns the register of the phi that output i of call (an
// inline asm with nout outputs) goes to, when the output's one reader is
// that phi's incoming value and the phi's register is free from the call
// on (deadAfter): the output can be written there, so the loop's back
// edge copies nothing (wgmma's accumulator, rescaled before the dot, goes
// back to its phi while the mma is in flight).
func (f *fn) phiOutput(call *ir.InstCall, i, nout int) (opnd, bool) {
	if f.useSites == nil {
		f.indexUses()
	}
	var out value.Value = call
	if nout > 1 {
		out = nil
		for _, x := range f.extracts[call] {
			if len(x.Indices) == 1 && x.Indices[0] == uint64(i) {
				if out != nil {
					return opnd{}, false
				}
				out = x
			}
		}
		if out == nil {
			return opnd{}, false
		}
	}
	phis := f.phiUses[out]
	if len(phis) != 1 || len(f.useSites[out]) != 1 {
		return opnd{}, false
	}
	phi := phis[0]
	ps, ok := f.vals[phi]
	if !ok || len(ps) != 1 || !ps[0].isReg() || !f.registerAlone(phi) || !f.deadAfter(phi, f.siteOf[call]) {
		return opnd{}, false
	}
	for _, a := range call.Args {
		if a == value.Value(phi) {
			return opnd{}, false // read by the call: lastUse's case
		}
	}
	return ps[0], true
}

// registerAlone reports whether v is one register that no other value
// shares (nor the packed memo).
func (f *fn) registerAlone(v value.Value) bool {
	ps, ok := f.vals[v]
	if !ok || len(ps) != 1 || !ps[0].isReg() {
		return false
	}
	for w, qs := range f.vals {
		if w == v {
			continue
		}
		for _, q := range qs {
			if q.isReg() && q.reg == ps[0].reg && q.k.cls() == ps[0].k.cls() {
				return false
			}
		}
	}
	for _, q := range f.packed {
		if q.reg == ps[0].reg && q.k.cls() == ps[0].k.cls() {
			return false
		}
	}
	return true
}

// deadAfter reports whether no use of phi runs after site before phi's
// block runs again: none later in site's block, none in a block reachable
// from it without passing phi's block.
func (f *fn) deadAfter(phi *ir.InstPhi, site useSite) bool {
	head := f.siteOf[phi].block
	after := map[*ir.Block]bool{}
	var visit func(b *ir.Block)
	visit = func(b *ir.Block) {
		if b == head || after[b] {
			return
		}
		after[b] = true
		if b.Term != nil {
			for _, s := range b.Term.Succs() {
				visit(s)
			}
		}
	}
	if site.block.Term != nil {
		for _, s := range site.block.Term.Succs() {
			visit(s)
		}
	}
	for _, u := range f.useSites[phi] {
		switch {
		case u == site:
		case u.block == site.block && u.index > site.index, u.block != site.block && after[u.block]:
			return false
		}
	}
	return true
}

// useSite is where a value is used: a block and an instruction's index in
// it (len(Insts) for the terminator).
type useSite struct {
	block *ir.Block
	index int
}

// indexUses records every value's use sites (a phi's incoming values are
// used on their edges: at the end of the incoming block), the phis each
// value goes to, and the extractvalues of each aggregate.
func (f *fn) indexUses() {
	f.useSites = map[value.Value][]useSite{}
	f.siteOf = map[ir.Instruction]useSite{}
	f.phiUses = map[value.Value][]*ir.InstPhi{}
	f.extracts = map[value.Value][]*ir.InstExtractValue{}
	for _, b := range f.f.Blocks {
		for i, inst := range b.Insts {
			site := useSite{b, i}
			f.siteOf[inst] = site
			if phi, ok := inst.(*ir.InstPhi); ok {
				for _, inc := range phi.Incs {
					if pred, ok := inc.Pred.(*ir.Block); ok {
						f.useSites[inc.X] = append(f.useSites[inc.X], useSite{pred, len(pred.Insts)})
						f.phiUses[inc.X] = append(f.phiUses[inc.X], phi)
					}
				}
				continue
			}
			if x, ok := inst.(*ir.InstExtractValue); ok {
				f.extracts[x.X] = append(f.extracts[x.X], x)
			}
			for _, op := range inst.Operands() {
				f.useSites[*op] = append(f.useSites[*op], site)
			}
		}
		if b.Term != nil {
			for _, op := range b.Term.Operands() {
				f.useSites[*op] = append(f.useSites[*op], useSite{b, len(b.Insts)})
			}
		}
	}
}
