package ptx

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/types"
)

// lowerCall dispatches a call: an intrinsic from the table, a defined
// function (.func), or inline asm. Indirect calls and calls of functions
// that are only declared are errors.
func lowerCall(f *fn, _ *instRow, inst ir.Instruction) error {
	call := inst.(*ir.InstCall)
	if len(call.OperandBundles) > 0 {
		return fmt.Errorf("operand bundles are not supported")
	}
	switch callee := stripCasts(call.Callee).(type) {
	case *ir.InlineAsm:
		return f.lowerInlineAsm(call, callee)
	case *ir.Func:
		name := callee.Name()
		if strings.HasPrefix(name, "llvm.") {
			in := LookupIntrinsic(name)
			if in == nil {
				return fmt.Errorf("intrinsic %s is not in ptx.Intrinsics", name)
			}
			return f.lowerIntrinsic(in, call, callee)
		}
		if callee.Blocks == nil {
			return fmt.Errorf("call of function %s, which is only declared (no body)", callee.Ident())
		}
		if f.c.kernels[callee] != nil {
			return fmt.Errorf("call of kernel %s", callee.Ident())
		}
		return f.lowerFuncCall(call, callee)
	}
	return fmt.Errorf("indirect calls are not supported")
}

// lowerFuncCall calls a .func with the PTX calling sequence llc uses:
// a brace scope declaring .param slots, st.param, call.uni, ld.param.
func (f *fn) lowerFuncCall(call *ir.InstCall, callee *ir.Func) error {
	if len(call.Args) != len(callee.Params) {
		return fmt.Errorf("call passes %d arguments to %s, which takes %d", len(call.Args), callee.Ident(), len(callee.Params))
	}
	for i, a := range call.Args {
		if !types.Equal(a.Type(), callee.Params[i].Typ) {
			return fmt.Errorf("argument %d is %s, %s takes %s", i, a.Type().LLString(), callee.Ident(), callee.Params[i].Typ.LLString())
		}
	}
	f.line("\t{ // call " + callee.Ident())
	var params []string
	for i, a := range call.Args {
		s, err := paramSlotFor(a.Type(), false)
		if err != nil {
			return err
		}
		vals, err := f.parts(a)
		if err != nil {
			return err
		}
		p := fmt.Sprintf("param%d", i)
		params = append(params, p)
		f.line("\t.param " + fmt.Sprintf(s.decl, p) + ";")
		if err := f.storeParam(s, p, vals); err != nil {
			return err
		}
	}
	var ret paramSlot
	hasRet := !types.Equal(call.Typ, types.Void)
	if hasRet {
		var err error
		if ret, err = paramSlotFor(call.Typ, false); err != nil {
			return err
		}
		f.line("\t.param " + fmt.Sprintf(ret.decl, "retval0") + ";")
	}
	var args []string
	if hasRet {
		args = append(args, "(retval0)")
	}
	args = append(args, f.c.funcNames[callee])
	if len(params) > 0 {
		args = append(args, "("+strings.Join(params, ", ")+")")
	}
	f.emit("call.uni", args...)
	if hasRet {
		vals, err := f.loadParam(ret, "retval0")
		if err != nil {
			return err
		}
		f.def(call, vals)
	}
	f.line("\t}")
	return nil
}

// asmConstraint is one operand of an inline asm constraint string.
type asmConstraint struct {
	output bool
	letter byte // r l h c f d b n i; 0 for a tied input
	tied   int  // a tied input's output index
}

// asmKinds maps constraint letters to the register they name (as llc-14's
// NVPTX backend does): r 32-bit, l 64-bit, h and c 16-bit, f f32, d f64,
// b predicate.
var asmKinds = map[byte]kind{'r': kI32, 'l': kI64, 'h': kI16, 'c': kI16, 'f': kF32, 'd': kF64, 'b': kI1}

// parseConstraints reads an LLVM inline asm constraint string such as
// "=r,r,l,~{memory}". Clobbers are dropped: ptxas sees the whole kernel.
func parseConstraints(s string) ([]asmConstraint, error) {
	var out []asmConstraint
	if s == "" {
		return nil, nil
	}
	for _, c := range strings.Split(s, ",") {
		c = strings.TrimSpace(c)
		if strings.HasPrefix(c, "~") {
			continue
		}
		var a asmConstraint
		if strings.HasPrefix(c, "=") {
			a.output = true
			c = strings.TrimPrefix(strings.TrimPrefix(c, "="), "&")
		}
		if n, err := strconv.Atoi(c); err == nil && !a.output && n >= 0 {
			a.tied = n
			out = append(out, a)
			continue
		}
		if len(c) != 1 {
			return nil, fmt.Errorf("inline asm constraint %q is not supported (r l h c f d b n i, or a tied output number)", c)
		}
		if _, known := asmKinds[c[0]]; !known && c[0] != 'n' && c[0] != 'i' {
			return nil, fmt.Errorf("inline asm constraint %q is not supported (r l h c f d b n i, or a tied output number)", c)
		}
		if a.output && (c[0] == 'n' || c[0] == 'i') {
			return nil, fmt.Errorf("inline asm output constraint %q", c)
		}
		a.letter = c[0]
		out = append(out, a)
	}
	return out, nil
}

// lowerInlineAsm substitutes the operands into the asm text: $N is the
// N-th operand counting outputs first, $$ is a dollar sign. Each operand
// is one register of its constraint's class; values of another type with
// the same width are moved or (un)packed into it (a <2 x half> for "r").
func (f *fn) lowerInlineAsm(call *ir.InstCall, a *ir.InlineAsm) error {
	if a.IntelDialect {
		return fmt.Errorf("inline asm in Intel dialect")
	}
	cons, err := parseConstraints(a.Constraint)
	if err != nil {
		return err
	}
	var outs []types.Type
	nout := 0
	for _, c := range cons {
		if c.output {
			nout++
		}
	}
	switch {
	case nout == 0:
	case nout == 1:
		outs = []types.Type{call.Typ}
	default:
		st, ok := call.Typ.(*types.StructType)
		if !ok || len(st.Fields) != nout {
			return fmt.Errorf("inline asm with %d outputs must return a struct of %d fields", nout, nout)
		}
		outs = st.Fields
	}
	if len(cons)-nout != len(call.Args) {
		return fmt.Errorf("inline asm has %d input constraints and %d arguments", len(cons)-nout, len(call.Args))
	}
	texts := make([]string, len(cons))
	outRegs := make([]opnd, nout)
	var results []opnd
	type unpack struct {
		tmp opnd
		ks  []kind
		at  int
	}
	var unpacks []unpack
	// Outputs tied to inputs avoid copies where they can: an output whose
	// one reader carries it to a phi whose register is free is written
	// there (phiOutput: the loop's back edge copies nothing); else an
	// output tied to an input that is the input's last use takes over the
	// input's register (lastUse: nothing is copied into the output first).
	steal := map[int]opnd{}
	if anyTied(cons) {
		for i := 0; i < nout; i++ {
			if r, ok := f.phiOutput(call, i, nout); ok && r.k == asmKinds[cons[i].letter] {
				steal[i] = r
			}
		}
	}
	for j, arg := range call.Args {
		c := cons[nout+j]
		if c.output || c.letter != 0 || c.tied >= nout || !f.lastUse(arg, call) {
			continue
		}
		if _, taken := steal[c.tied]; taken {
			continue
		}
		if r := f.vals[arg][0]; r.k == asmKinds[cons[c.tied].letter] {
			steal[c.tied] = r
		}
	}
	for i := 0; i < nout; i++ {
		c := cons[i]
		if !c.output {
			return fmt.Errorf("inline asm outputs must come before inputs")
		}
		ks, err := flatten(outs[i])
		if err != nil {
			return err
		}
		want := asmKinds[c.letter]
		if r, ok := steal[i]; ok && len(ks) == 1 && ks[0] == r.k {
			outRegs[i] = r
			results = append(results, r)
		} else if len(ks) == 1 && ks[0].cls() == want.cls() {
			r := f.newReg(ks[0])
			outRegs[i] = r
			results = append(results, r)
		} else {
			if totalBits(ks) != want.bits() || want == kI1 {
				return fmt.Errorf("inline asm output %d of type %s does not fit constraint %q", i, outs[i].LLString(), c.letter)
			}
			r := f.newReg(want)
			outRegs[i] = r
			unpacks = append(unpacks, unpack{r, ks, len(results)})
			results = append(results, make([]opnd, len(ks))...)
		}
		texts[i] = regName(outRegs[i])
	}
	for j, arg := range call.Args {
		i := nout + j
		c := cons[i]
		if c.output {
			return fmt.Errorf("inline asm outputs must come before inputs")
		}
		ps, err := f.parts(arg)
		if err != nil {
			return err
		}
		if c.letter == 0 { // tied to an output: the value starts in its register
			if c.tied >= nout {
				return fmt.Errorf("inline asm input %d is tied to missing output %d", j, c.tied)
			}
			dst := outRegs[c.tied]
			p, err := f.asmValue(ps, dst.k)
			if err != nil {
				return fmt.Errorf("inline asm input %d: %w", j, err)
			}
			if !p.isReg() || p.reg != dst.reg || p.k.cls() != dst.k.cls() {
				f.move(dst, p)
			}
			texts[i] = regName(dst)
			continue
		}
		if c.letter == 'n' || c.letter == 'i' {
			if len(ps) != 1 || !ps[0].isImm() {
				return fmt.Errorf("inline asm input %d (constraint %q) must be a constant", j, c.letter)
			}
			texts[i] = immText(ps[0], "s")
			continue
		}
		p, err := f.asmValue(ps, asmKinds[c.letter])
		if err != nil {
			return fmt.Errorf("inline asm input %d: %w", j, err)
		}
		texts[i] = f.reg(p)
	}
	text, err := substituteAsm(a.Asm, texts)
	if err != nil {
		return err
	}
	for _, m := range asmMnemonics(text) {
		if err := f.c.req.need(m); err != nil {
			return err
		}
	}
	f.line("\t// begin inline asm")
	for _, l := range strings.Split(text, "\n") {
		f.line("\t" + strings.TrimSpace(l))
	}
	f.line("\t// end inline asm")
	for _, u := range unpacks {
		ps, err := f.repack([]opnd{u.tmp}, u.ks)
		if err != nil {
			return err
		}
		copy(results[u.at:], ps)
	}
	if nout > 0 {
		f.def(call, results)
	}
	return nil
}

func totalBits(ks []kind) int {
	n := 0
	for _, k := range ks {
		n += k.bits()
	}
	return n
}

// asmValue fits a value's parts into one operand of kind want.
func (f *fn) asmValue(ps []opnd, want kind) (opnd, error) {
	if len(ps) == 1 && ps[0].k.cls() == want.cls() {
		return ps[0], nil
	}
	if totalBits(kindsOf(ps)) != want.bits() || want == kI1 {
		return opnd{}, fmt.Errorf("a value of %d bits does not fit a %d-bit register", totalBits(kindsOf(ps)), want.bits())
	}
	p, err := f.repack(ps, []kind{want})
	if err != nil {
		return opnd{}, err
	}
	return p[0], nil
}

// substituteAsm replaces $N, ${N} and $$ in inline asm text.
func substituteAsm(s string, ops []string) (string, error) {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' {
			sb.WriteByte(s[i])
			continue
		}
		i++
		if i >= len(s) {
			return "", fmt.Errorf("inline asm text ends in $")
		}
		if s[i] == '$' {
			sb.WriteByte('$')
			continue
		}
		braced := s[i] == '{'
		if braced {
			i++
		}
		j := i
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == i {
			return "", fmt.Errorf("inline asm text has $ not followed by an operand number")
		}
		n, _ := strconv.Atoi(s[i:j])
		if braced {
			if j >= len(s) || s[j] != '}' {
				return "", fmt.Errorf("inline asm operand modifiers (${N:x}) are not supported")
			}
			j++
		}
		if n >= len(ops) {
			return "", fmt.Errorf("inline asm text names operand $%d of %d", n, len(ops))
		}
		sb.WriteString(ops[n])
		i = j - 1
	}
	return sb.String(), nil
}

// asmMnemonics lists the instruction mnemonics in inline asm text, for
// the target check and the .version rule: statements are split at ';'
// and newlines; labels, directives, braces and guards are skipped.
func asmMnemonics(text string) []string {
	var out []string
	for _, st := range strings.FieldsFunc(text, func(r rune) bool { return r == ';' || r == '\n' }) {
		st = strings.TrimSpace(strings.Trim(strings.TrimSpace(st), "{}"))
		if i := strings.Index(st, "//"); i >= 0 {
			st = st[:i]
		}
		fs := strings.Fields(st)
		if len(fs) == 0 {
			continue
		}
		if strings.HasPrefix(fs[0], "@") {
			fs = fs[1:]
		}
		if len(fs) == 0 || strings.HasPrefix(fs[0], ".") || strings.HasSuffix(fs[0], ":") {
			continue
		}
		out = append(out, fs[0])
	}
	return out
}

// anyTied reports whether an input constraint is tied to an output.
func anyTied(cons []asmConstraint) bool {
	for _, c := range cons {
		if !c.output && c.letter == 0 {
			return true
		}
	}
	return false
}
