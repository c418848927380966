package emu

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/tilec/tilec/internal/fp"
)

// Decoding turns the AST into one flat program: every instruction of every
// function in a single pc space, operands resolved to register-file slots.
// A slot is a column of 32 uint64 (one per lane); inst operand fields hold
// slot*32 so handlers index w.r[op+lane] directly. Immediates, special
// registers and symbol addresses also become slots, filled before a warp
// starts, so handlers never distinguish operand kinds.

// ctlKind tells the scheduler how an instruction affects control flow and
// synchronization; ctlPlain instructions just run and fall through.
type ctlKind uint8

const (
	ctlPlain     ctlKind = iota
	ctlBranch            // bra: target
	ctlCall              // call: callee
	ctlRet               // ret: pop a frame or exit
	ctlExit              // exit
	ctlBarrier           // bar.sync / barrier.sync: wait for the CTA
	ctlArrive            // bar.arrive: count without waiting
	ctlWarp              // collective over the lanes of operand mask (shfl.sync, vote.sync, ...)
	ctlAligned           // collective over the whole warp (ldmatrix, mma)
	ctlAsyncWait         // cp.async.wait_group / wait_all
	ctlTrap              // trap: a finding, then the CTA stops
	ctlMbarWait          // mbarrier.try_wait / test_wait: failing lanes yield until the phase completes
	ctlWarpgroup         // collective over the 4 warps of a warpgroup (wgmma.mma_async)
)

// space is a PTX state space.
type space uint8

const (
	spGeneric space = iota
	spGlobal
	spShared
	spLocal
	spParam
	spConst
)

var spaceNames = [...]string{"generic", "global", "shared", "local", "param", "const"}

func (s space) String() string { return spaceNames[s] }

// execFn runs one instruction for the lanes in m.
type execFn func(w *warp, in *inst, m uint32)

// inst is one decoded instruction.
type inst struct {
	exec     execFn
	ctl      ctlKind
	class    Class
	space    space // memory instructions
	guardNeg bool
	guard    int32 // slot base of the guard predicate, -1 if none
	d, a, b  int32 // slot bases of the usual operands
	c, e     int32
	vd, va   []int32 // vector operands (slot bases)
	vb, vc   []int32
	off      int64  // address offset; also misc immediates
	off2     int64  // a second address offset (a bulk copy's mbarrier)
	size     int32  // bytes per element of a memory access
	imm      uint64 // decode-time constant for handlers that need one
	target   int32  // branch target pc
	callee   *function
	argCopy  []pcopy // call: caller param -> callee param
	retCopy  []pcopy // call: callee retval -> caller retval
	line     int32
	text     string
	fn       *function
	// regs lists the registers the instruction names (sources,
	// destinations, address bases, guard), for the wgmma sanitizer.
	regs []regUse
}

// regUse is one register an instruction names.
type regUse struct {
	slot int32 // slot base
	name string
}

// pcopy copies size bytes inside a thread's parameter scratch.
type pcopy struct{ from, to, size uint32 }

// param is a formal parameter of a kernel or function.
type param struct {
	name  string
	typ   ptype
	size  int
	align int
	off   uint64 // kernel: offset in the parameter buffer; func: scratch address
	array bool
}

// function is a decoded .entry or .func.
type function struct {
	name       string
	entry      bool
	defined    bool
	start, end int32
	params     []param
	rets       []param
	paramSize  int // kernel parameter buffer size
	reqntid    [3]int
	maxntid    [3]int
	callees    map[*function]bool
	hasLocal   bool
	line       int
}

// symKind is what a non-register name refers to.
type symKind uint8

const (
	symReg symKind = iota
	symShared
	symLocal
	symKParam // kernel parameter
	symFParam // function parameter, return value or call-site .param
	symGlobal // module .global or .const variable
	symFunc
)

type symbol struct {
	kind  symKind
	name  string
	slot  int32 // register slot (symReg) or address slot once allocated
	typ   ptype
	addr  uint64 // shared/local/param address
	size  int
	gvar  int // index into Module.globals
	fn    *function
	haveS bool // address slot allocated
}

// globalVar is a module-level .global or .const variable; each device that
// runs the module gets its own copy, allocated on first launch.
type globalVar struct {
	name     string
	size     int
	init     []byte
	readOnly bool
}

// slot fill kinds for values known before a warp runs.
type fillKind uint8

const (
	fillConst   fillKind = iota // a fixed value
	fillSpecial                 // a per-thread special register
	fillGlobal                  // the device address of a module variable
)

type slotFill struct {
	slot int32
	kind fillKind
	val  uint64 // constant, special register id or global index
}

type decoder struct {
	file     string
	m        *Module
	nslots   int32
	consts   map[uint64]int32
	specials map[int]int32
	scopes   []map[string]*symbol
	fn       *function
	labels   map[string]int32
	fixups   []labelFixup
	scratch  uint64 // next function-parameter scratch offset
	local    uint64 // next .local offset
}

type labelFixup struct {
	pc    int32
	label string
	line  int
}

func (d *decoder) errf(line int, text string, format string, args ...any) error {
	return &SyntaxError{File: d.file, Line: line, Text: text, Msg: fmt.Sprintf(format, args...)}
}

// maxSlots bounds a module's register slots (declared registers,
// constants, special registers, symbol addresses): each costs 256 bytes
// per warp, and real kernels use a few thousand at most.
const maxSlots = 1 << 16

func (d *decoder) newSlot() int32 {
	s := d.nslots
	d.nslots++
	return s
}

func (d *decoder) constSlot(v uint64) int32 {
	if s, ok := d.consts[v]; ok {
		return s * 32
	}
	s := d.newSlot()
	d.consts[v] = s
	d.m.fills = append(d.m.fills, slotFill{slot: s, kind: fillConst, val: v})
	return s * 32
}

func (d *decoder) lookup(name string) *symbol {
	for i := len(d.scopes) - 1; i >= 0; i-- {
		if s := d.scopes[i][name]; s != nil {
			return s
		}
	}
	return nil
}

func (d *decoder) define(s *symbol) {
	d.scopes[len(d.scopes)-1][s.name] = s
}

// addrSlot returns the slot holding the address of a memory symbol.
func (d *decoder) addrSlot(s *symbol) int32 {
	if !s.haveS {
		s.slot = d.newSlot()
		s.haveS = true
		if s.kind == symGlobal {
			d.m.fills = append(d.m.fills, slotFill{slot: s.slot, kind: fillGlobal, val: uint64(s.gvar)})
		} else {
			d.m.fills = append(d.m.fills, slotFill{slot: s.slot, kind: fillConst, val: s.addr})
		}
	}
	return s.slot * 32
}

func alignUp(v, a uint64) uint64 {
	if a <= 1 {
		return v
	}
	return (v + a - 1) / a * a
}

func declAlign(v *varDecl) int {
	if v.align > 0 {
		return v.align
	}
	n := v.typ.size()
	if v.vec > 0 {
		n *= v.vec
	}
	if n == 0 {
		n = 1
	}
	return n
}

// initBytes renders a variable's initializer as little-endian bytes.
func initBytes(v *varDecl) ([]byte, error) {
	n := v.size()
	if len(v.dims) > 0 && v.dims[len(v.dims)-1] == -1 {
		// name[] = {...}: the size comes from the initializer.
		n = v.typ.size() * len(v.init)
	}
	out := make([]byte, n)
	es := v.typ.size()
	if len(v.init)*es > n {
		return nil, fmt.Errorf("initializer of %s has %d elements, more than its size", v.name, len(v.init))
	}
	for i, l := range v.init {
		bits := litBits(l, v.typ)
		for k := 0; k < es; k++ {
			out[i*es+k] = byte(bits >> (8 * k))
		}
	}
	return out, nil
}

// litBits converts a literal to the bits of a value of type t.
func litBits(l literal, t ptype) uint64 {
	switch t {
	case tF32:
		switch l.kind {
		case 'f':
			return l.i
		case 'd':
			return fp.F32.Round(f64of(l.i), 0, fp.NearestEven)
		case 'r':
			return fp.F32.Round(l.r, 0, fp.NearestEven)
		}
		return fp.F32.Round(float64(int64(l.i)), 0, fp.NearestEven)
	case tF64:
		switch l.kind {
		case 'f':
			return math.Float64bits(float64(f32of(l.i)))
		case 'd':
			return l.i
		case 'r':
			return math.Float64bits(l.r)
		}
		return math.Float64bits(float64(int64(l.i)))
	case tF16, tBF16:
		f := fp.F16
		if t == tBF16 {
			f = fp.BF16
		}
		switch l.kind {
		case 'f':
			return f.Round(float64(f32of(l.i)), 0, fp.NearestEven)
		case 'd':
			return f.Round(f64of(l.i), 0, fp.NearestEven)
		case 'r':
			return f.Round(l.r, 0, fp.NearestEven)
		}
		return l.i & 0xffff
	}
	if l.kind == 'r' {
		return uint64(int64(l.r)) & t.mask()
	}
	if t == tPred {
		return boolU(l.i != 0)
	}
	return l.i & t.mask()
}

// decodeModule builds the program from the AST.
func decodeModule(file string, a *astModule) (*Module, error) {
	m := &Module{Name: file, Version: a.version, Target: a.target, funcs: map[string]*function{}}
	d := &decoder{file: file, m: m, consts: map[uint64]int32{}, specials: map[int]int32{}, scratch: funcParamBase}
	d.scopes = []map[string]*symbol{{}}
	d.newSlot() // slot 0: sink for "_" destinations
	var sharedOff uint64
	dynAlign := uint64(16)
	var externShared []*symbol
	for _, v := range a.vars {
		if err := d.moduleVar(v, &sharedOff, &dynAlign, &externShared); err != nil {
			return nil, err
		}
	}
	// First pass: every function's signature, so calls can refer forward.
	for _, f := range a.funcs {
		if err := d.declareFunc(f); err != nil {
			return nil, err
		}
	}
	for _, f := range a.funcs {
		if !f.hasBody {
			continue
		}
		if err := d.function(f, &sharedOff, &dynAlign, &externShared); err != nil {
			return nil, err
		}
	}
	// Dynamic shared memory starts after all static shared variables.
	m.sharedStatic = int(alignUp(sharedOff, dynAlign))
	for _, s := range externShared {
		s.addr = uint64(m.sharedStatic)
		for i := range m.fills {
			if m.fills[i].kind == fillConst && s.haveS && m.fills[i].slot == s.slot {
				m.fills[i].val = s.addr
			}
		}
	}
	m.nslots = int(d.nslots)
	m.localSize = int(alignUp(d.local, 16))
	m.scratchSize = int(alignUp(d.scratch-funcParamBase, 16))
	if err := checkRecursion(m); err != nil {
		return nil, err
	}
	m.rank = rankProgram(m)
	return m, nil
}

func (d *decoder) moduleVar(v *varDecl, sharedOff, dynAlign *uint64, externShared *[]*symbol) error {
	sym := &symbol{name: v.name, typ: v.typ, size: v.size()}
	switch v.space {
	case "shared":
		sym.kind = symShared
		d.m.sharedVars = append(d.m.sharedVars, sym)
		if v.extern || len(v.dims) > 0 && v.dims[0] == -1 {
			if a := uint64(declAlign(v)); a > *dynAlign {
				*dynAlign = a
			}
			*externShared = append(*externShared, sym)
		} else {
			*sharedOff = alignUp(*sharedOff, uint64(declAlign(v)))
			sym.addr = *sharedOff
			*sharedOff += uint64(sym.size)
		}
	case "local":
		sym.kind = symLocal
		d.local = alignUp(d.local, uint64(declAlign(v)))
		sym.addr = d.local
		d.local += uint64(sym.size)
	case "global", "const":
		if v.extern {
			return d.errf(v.line, v.name, "extern %s variables are not supported", v.space)
		}
		b, err := initBytes(v)
		if err != nil {
			return d.errf(v.line, v.name, "%v", err)
		}
		sym.kind = symGlobal
		sym.gvar = len(d.m.globals)
		d.m.globals = append(d.m.globals, &globalVar{name: v.name, size: len(b), init: b, readOnly: v.space == "const"})
	default:
		return d.errf(v.line, v.name, "unsupported .%s variable", v.space)
	}
	if d.scopes[0][v.name] != nil {
		return d.errf(v.line, v.name, "redefinition of %s", v.name)
	}
	d.define(sym)
	return nil
}

func (d *decoder) declareFunc(f *astFunc) error {
	prev := d.m.funcs[f.name]
	if prev != nil && (prev.defined && f.hasBody || prev.entry != f.entry) {
		return d.errf(f.line, f.name, "redefinition of %s", f.name)
	}
	if prev != nil {
		prev.defined = prev.defined || f.hasBody
		return nil
	}
	fn := &function{name: f.name, entry: f.entry, defined: f.hasBody, reqntid: f.reqntid, maxntid: f.maxntid, callees: map[*function]bool{}, line: f.line}
	var off uint64
	for _, p := range f.params {
		pa := param{name: p.name, typ: p.typ, size: p.size(), align: declAlign(p), array: len(p.dims) > 0}
		if p.space == "reg" {
			return d.errf(p.line, p.name, ".reg parameters are not supported")
		}
		if f.entry {
			off = alignUp(off, uint64(pa.align))
			pa.off = off
			off += uint64(pa.size)
		} else {
			d.scratch = alignUp(d.scratch, uint64(pa.align))
			pa.off = d.scratch
			d.scratch += uint64(pa.size)
		}
		fn.params = append(fn.params, pa)
	}
	for _, p := range f.rets {
		pa := param{name: p.name, typ: p.typ, size: p.size(), align: declAlign(p)}
		d.scratch = alignUp(d.scratch, uint64(pa.align))
		pa.off = d.scratch
		d.scratch += uint64(pa.size)
		fn.rets = append(fn.rets, pa)
	}
	fn.paramSize = int(off)
	d.m.funcs[f.name] = fn
	if d.scopes[0][f.name] == nil {
		d.define(&symbol{kind: symFunc, name: f.name, fn: fn})
	}
	return nil
}

func (d *decoder) function(f *astFunc, sharedOff, dynAlign *uint64, externShared *[]*symbol) error {
	fn := d.m.funcs[f.name]
	d.fn = fn
	fn.start = int32(len(d.m.prog))
	d.labels = map[string]int32{}
	d.fixups = nil
	d.scopes = append(d.scopes, map[string]*symbol{})
	for _, p := range fn.params {
		k := symFParam
		if fn.entry {
			k = symKParam
		}
		d.define(&symbol{kind: k, name: p.name, typ: p.typ, addr: p.off, size: p.size})
	}
	for _, p := range fn.rets {
		d.define(&symbol{kind: symFParam, name: p.name, typ: p.typ, addr: p.off, size: p.size})
	}
	depth := len(d.scopes)
	for _, st := range f.body {
		switch st.kind {
		case sOpen:
			d.scopes = append(d.scopes, map[string]*symbol{})
		case sClose:
			if len(d.scopes) <= depth {
				return d.errf(st.line, "}", "unbalanced braces")
			}
			d.scopes = d.scopes[:len(d.scopes)-1]
		case sLabel:
			if _, dup := d.labels[st.label]; dup {
				return d.errf(st.line, st.label, "duplicate label")
			}
			d.labels[st.label] = int32(len(d.m.prog))
		case sDecl:
			if err := d.localDecl(st.decl, sharedOff, dynAlign, externShared); err != nil {
				return err
			}
		case sInst:
			if err := d.instruction(st.inst); err != nil {
				return err
			}
		}
	}
	d.scopes = d.scopes[:depth-1]
	fn.end = int32(len(d.m.prog))
	if fn.end == fn.start || !endsFlow(d.m.prog[fn.end-1]) {
		// Falling off the end of a function returns, as ptxas assumes.
		d.m.prog = append(d.m.prog, inst{ctl: ctlRet, class: ClassControl, guard: -1, line: int32(f.line), text: "ret (implicit)", fn: fn, exec: nop})
		fn.end++
	}
	for _, fx := range d.fixups {
		pc, ok := d.labels[fx.label]
		if !ok {
			return d.errf(fx.line, fx.label, "undefined label")
		}
		d.m.prog[fx.pc].target = pc
	}
	return nil
}

func endsFlow(in inst) bool {
	return in.guard < 0 && (in.ctl == ctlRet || in.ctl == ctlExit || in.ctl == ctlBranch || in.ctl == ctlTrap)
}

func (d *decoder) localDecl(v *varDecl, sharedOff, dynAlign *uint64, externShared *[]*symbol) error {
	switch v.space {
	case "reg":
		if v.vec > 0 || len(v.dims) > 0 {
			return d.errf(v.line, v.name, "vector and array registers are not supported")
		}
		n := 1
		if v.count > 0 {
			n = v.count
		}
		if d.nslots+int32(n) > maxSlots {
			return d.errf(v.line, v.name, "too many registers")
		}
		for i := 0; i < n; i++ {
			name := v.name
			if v.count > 0 {
				name = fmt.Sprintf("%s%d", v.name, i)
			}
			d.define(&symbol{kind: symReg, name: name, typ: v.typ, slot: d.newSlot()})
		}
		return nil
	case "param":
		// A call-site .param (param0, retval0) lives in the thread's scratch.
		sz := v.size()
		d.scratch = alignUp(d.scratch, uint64(declAlign(v)))
		d.define(&symbol{kind: symFParam, name: v.name, typ: v.typ, addr: d.scratch, size: sz})
		d.scratch += uint64(sz)
		return nil
	case "shared", "local", "global", "const":
		if v.space == "local" {
			d.fn.hasLocal = true
		}
		// Function-scope variables are statically allocated like
		// module-level ones, but visible only in this scope: declare
		// into a scratch scope, then move the symbol here.
		save := d.scopes
		d.scopes = []map[string]*symbol{{}}
		err := d.moduleVar(v, sharedOff, dynAlign, externShared)
		sym := d.scopes[0][v.name]
		d.scopes = save
		if err != nil {
			return err
		}
		d.define(sym)
		return nil
	}
	return d.errf(v.line, v.name, "unsupported declaration")
}

// checkRecursion rejects call cycles: registers and parameter scratch are
// allocated statically per function, so a function cannot be re-entered.
func checkRecursion(m *Module) error {
	state := map[*function]int{}
	var visit func(f *function) error
	visit = func(f *function) error {
		switch state[f] {
		case 1:
			return fmt.Errorf("%s: recursive call of %s is not supported", m.Name, f.name)
		case 2:
			return nil
		}
		state[f] = 1
		for c := range f.callees {
			if err := visit(c); err != nil {
				return err
			}
		}
		state[f] = 2
		return nil
	}
	names := make([]string, 0, len(m.funcs))
	for n := range m.funcs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := visit(m.funcs[n]); err != nil {
			return err
		}
	}
	return nil
}

// rankProgram orders every pc for the warp scheduler: within a function,
// blocks in reverse postorder of the CFG (back edges ignored), so a block
// ranks after every block that can reach it without looping. Lanes that
// diverge then meet again where their paths join, as on hardware.
func rankProgram(m *Module) []int32 {
	rank := make([]int32, len(m.prog))
	var next int32
	fns := make([]*function, 0, len(m.funcs))
	for _, f := range m.funcs {
		if f.defined {
			fns = append(fns, f)
		}
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].start < fns[j].start })
	for _, f := range fns {
		// Block leaders: function start, branch targets, after branches.
		leader := map[int32]bool{f.start: true}
		for pc := f.start; pc < f.end; pc++ {
			in := &m.prog[pc]
			if in.ctl == ctlBranch {
				leader[in.target] = true
				leader[pc+1] = true
			}
			if in.ctl == ctlRet || in.ctl == ctlExit || in.ctl == ctlTrap {
				leader[pc+1] = true
			}
		}
		var starts []int32
		for pc := range leader {
			if pc >= f.start && pc < f.end {
				starts = append(starts, pc)
			}
		}
		sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
		blockOf := map[int32]int{}
		for i, s := range starts {
			blockOf[s] = i
		}
		end := func(i int) int32 {
			if i+1 < len(starts) {
				return starts[i+1]
			}
			return f.end
		}
		succ := func(i int) []int {
			last := &m.prog[end(i)-1]
			var out []int
			if last.ctl == ctlBranch {
				out = append(out, blockOf[last.target])
				if last.guard < 0 {
					return out
				}
			}
			if (last.ctl == ctlRet || last.ctl == ctlExit || last.ctl == ctlTrap) && last.guard < 0 {
				return out
			}
			if i+1 < len(starts) {
				out = append(out, i+1)
			}
			return out
		}
		// Iterative DFS for postorder.
		seen := make([]bool, len(starts))
		var post []int
		type item struct{ b, k int }
		stack := []item{{0, 0}}
		seen[0] = true
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			ss := succ(top.b)
			if top.k < len(ss) {
				n := ss[top.k]
				top.k++
				if !seen[n] {
					seen[n] = true
					stack = append(stack, item{n, 0})
				}
				continue
			}
			post = append(post, top.b)
			stack = stack[:len(stack)-1]
		}
		// Unreachable blocks keep program order after the reachable ones.
		for i := range starts {
			if !seen[i] {
				post = append([]int{i}, post...)
			}
		}
		for i := len(post) - 1; i >= 0; i-- {
			b := post[i]
			for pc := starts[b]; pc < end(b); pc++ {
				rank[pc] = next
				next++
			}
		}
	}
	return rank
}

// splitOp splits "ld.global.v4.f32" into its base and modifier words.
func splitOp(op string) (string, []string) {
	parts := strings.Split(op, ".")
	return parts[0], parts[1:]
}

// instruction decodes one AST instruction and appends it to the program.
func (d *decoder) instruction(a *astInst) error {
	base, words := splitOp(a.op)
	def := opTable[base]
	if def == nil {
		return d.errf(a.line, a.text, "unsupported instruction %q", base)
	}
	x := &ictx{d: d, a: a, base: base}
	x.in = inst{guard: -1, class: def.class, ctl: def.ctl, line: int32(a.line), text: a.text, fn: d.fn}
	for _, w := range words {
		if t, ok := typeByName[w]; ok {
			x.types = append(x.types, t)
		} else {
			x.words = append(x.words, w)
		}
	}
	if a.guard != "" {
		s := d.lookup(a.guard)
		if s == nil || s.kind != symReg || s.typ != tPred {
			return d.errf(a.line, a.text, "guard %s is not a predicate register", a.guard)
		}
		x.in.guard = s.slot * 32
		x.in.guardNeg = a.guardNeg
	}
	def.decode(x)
	if x.err == nil {
		for _, w := range x.words {
			if w != "" {
				x.fail("unsupported modifier .%s", w)
				break
			}
		}
	}
	if x.err != nil {
		return x.err
	}
	if x.in.exec == nil {
		x.in.exec = nop
	}
	if d.nslots > maxSlots {
		return d.errf(a.line, a.text, "more than %d registers, constants and symbols", maxSlots)
	}
	if x.label != "" {
		d.fixups = append(d.fixups, labelFixup{pc: int32(len(d.m.prog)), label: x.label, line: a.line})
	}
	if base != "wgmma" {
		// wgmma itself may name registers its pending results will write.
		x.in.regs = d.operandRegs(a.args, nil)
		if a.guard != "" {
			x.in.regs = append(x.in.regs, regUse{slot: x.in.guard, name: a.guard})
		}
	}
	d.m.prog = append(d.m.prog, x.in)
	return nil
}

func nop(*warp, *inst, uint32) {}

// operandRegs appends the registers named anywhere in args.
func (d *decoder) operandRegs(args []operand, out []regUse) []regUse {
	for _, o := range args {
		switch o.kind {
		case oName, oAddr:
			if o.name == "" {
				break
			}
			if s := d.lookup(o.name); s != nil && s.kind == symReg {
				out = append(out, regUse{slot: s.slot * 32, name: o.name})
			}
		}
		out = d.operandRegs(o.elems, out)
	}
	return out
}
