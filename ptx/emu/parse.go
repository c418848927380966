package emu

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The parser turns tokens into a small AST: module-level variables and
// functions, each function a flat list of statements (declarations, labels,
// instructions, scope brackets). Names are resolved later by the decoder,
// which walks the statements with a scope stack.

// opndKind is the syntactic shape of an instruction operand.
type opndKind uint8

const (
	oName opndKind = iota // register, special register, symbol or label
	oImm                  // numeric literal (possibly negated)
	oAddr                 // [base+off]; base is a name or empty for [imm]; [tmap, {c...}] keeps the coordinates in elems
	oVec                  // {a, b, ...}
	oList                 // (a, b, ...) in call
	oPair                 // p|q destination of setp (p may be _)
	oSink                 // _
)

// literal is a numeric constant as written: an integer, the bits of a
// 0f (f32) or 0d (f64) literal, or a decimal float.
type literal struct {
	kind byte // 'i' integer, 'f' 0f bits, 'd' 0d bits, 'r' decimal real
	i    uint64
	r    float64
}

type operand struct {
	kind  opndKind
	name  string // oName, oAddr base
	neg   bool   // !%p
	lit   literal
	off   int64 // oAddr offset
	elems []operand
}

type astInst struct {
	guard    string
	guardNeg bool
	op       string // full dotted opcode, e.g. "ld.global.v4.f32"
	args     []operand
	line     int
	text     string
}

// varDecl is a .reg/.shared/.local/.global/.const/.param declaration.
type varDecl struct {
	space   string // "reg", "shared", "local", "global", "const", "param"
	typ     ptype
	vec     int // .v2/.v4, 0 if scalar
	align   int
	name    string
	count   int   // N in %r<N> (registers) or array length; -1 for [] (extern)
	dims    []int // array dimensions; nil for scalars
	extern  bool
	init    []literal
	hasInit bool
	line    int
}

// size returns the declared size in bytes of a non-register variable.
func (v *varDecl) size() int {
	n := v.typ.size()
	if v.vec > 0 {
		n *= v.vec
	}
	for _, d := range v.dims {
		if d < 0 {
			return 0
		}
		n *= d
	}
	return n
}

type stmtKind uint8

const (
	sInst stmtKind = iota
	sLabel
	sDecl
	sOpen  // {
	sClose // }
)

type stmt struct {
	kind  stmtKind
	inst  *astInst
	label string
	decl  *varDecl
	line  int
}

type astFunc struct {
	name    string
	entry   bool
	params  []*varDecl
	rets    []*varDecl
	body    []stmt
	hasBody bool
	reqntid [3]int
	maxntid [3]int
	line    int
}

type astModule struct {
	version     string
	target      []string
	addressSize int
	vars        []*varDecl
	funcs       []*astFunc
}

type parser struct {
	file string
	toks []token
	pos  int
}

func (p *parser) peek() token { return p.toks[p.pos] }
func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tkEOF {
		p.pos++
	}
	return t
}

func (p *parser) errf(t token, format string, args ...any) error {
	return &SyntaxError{File: p.file, Line: t.line, Text: t.text, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tkPunct && t.text == s
}

func (p *parser) expect(s string) error {
	t := p.next()
	if t.text != s || (t.kind != tkPunct && t.kind != tkIdent) {
		return p.errf(t, "expected %q", s)
	}
	return nil
}

func (p *parser) accept(s string) bool {
	t := p.peek()
	if (t.kind == tkPunct || t.kind == tkIdent) && t.text == s {
		p.pos++
		return true
	}
	return false
}

func (p *parser) ident() (token, error) {
	t := p.next()
	if t.kind != tkIdent {
		return t, p.errf(t, "expected a name")
	}
	return t, nil
}

func (p *parser) integer() (int64, error) {
	neg := p.accept("-")
	t := p.next()
	if t.kind != tkNum {
		return 0, p.errf(t, "expected an integer")
	}
	l, err := parseLiteral(t.text)
	if err != nil || l.kind != 'i' {
		return 0, p.errf(t, "bad integer")
	}
	v := int64(l.i)
	if neg {
		v = -v
	}
	return v, nil
}

// parseLiteral parses a PTX numeric literal: decimal, 0x hex, 0b binary,
// octal, optional U suffix; 0fXXXXXXXX and 0dXXXXXXXXXXXXXXXX floats; or a
// decimal real such as 1.5 or 1e-3.
func parseLiteral(s string) (literal, error) {
	if len(s) > 2 && s[0] == '0' && (s[1] == 'f' || s[1] == 'F') {
		if len(s) != 10 {
			return literal{}, fmt.Errorf("0f literal needs 8 hex digits")
		}
		v, err := strconv.ParseUint(s[2:], 16, 32)
		return literal{kind: 'f', i: v}, err
	}
	if len(s) > 2 && s[0] == '0' && (s[1] == 'd' || s[1] == 'D') {
		if len(s) != 18 {
			return literal{}, fmt.Errorf("0d literal needs 16 hex digits")
		}
		v, err := strconv.ParseUint(s[2:], 16, 64)
		return literal{kind: 'd', i: v}, err
	}
	t := strings.TrimSuffix(strings.TrimSuffix(s, "U"), "u")
	if v, err := strconv.ParseUint(t, 0, 64); err == nil {
		return literal{kind: 'i', i: v}, nil
	}
	if strings.ContainsAny(s, ".eE") && !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		r, err := strconv.ParseFloat(s, 64)
		if err == nil && !math.IsInf(r, 0) {
			return literal{kind: 'r', r: r}, nil
		}
	}
	return literal{}, fmt.Errorf("bad number %q", s)
}

// parse parses a whole PTX module.
func parse(file string, src []byte) (*astModule, error) {
	toks, err := lex(file, src)
	if err != nil {
		return nil, err
	}
	p := &parser{file: file, toks: toks}
	m := &astModule{}
	for p.peek().kind != tkEOF {
		if err := p.topLevel(m); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// skipLine drops the rest of the tokens on t's line (for .loc and .file,
// which have no terminating semicolon).
func (p *parser) skipLine(line int) {
	for p.peek().kind != tkEOF && p.peek().line == line {
		p.next()
	}
}

func (p *parser) topLevel(m *astModule) error {
	t := p.next()
	if t.kind != tkIdent {
		return p.errf(t, "unexpected token at top level")
	}
	switch t.text {
	case ".version":
		v := p.next()
		m.version = v.text
		return nil
	case ".target":
		for {
			n, err := p.ident()
			if err != nil {
				return err
			}
			m.target = append(m.target, n.text)
			if !p.accept(",") {
				return nil
			}
		}
	case ".address_size":
		v, err := p.integer()
		if err != nil {
			return err
		}
		if v != 64 && v != 32 {
			return p.errf(t, "unsupported address size %d", v)
		}
		m.addressSize = int(v)
		return nil
	case ".file", ".loc":
		p.skipLine(t.line)
		return nil
	case ".pragma":
		return p.skipTo(";")
	case ".section":
		if _, err := p.ident(); err != nil {
			return err
		}
		return p.skipBlock()
	}
	extern := false
	for t.text == ".visible" || t.text == ".extern" || t.text == ".weak" || t.text == ".common" {
		extern = extern || t.text == ".extern"
		t = p.next()
	}
	switch t.text {
	case ".entry", ".func":
		f, err := p.function(t)
		if err != nil {
			return err
		}
		m.funcs = append(m.funcs, f)
		return nil
	case ".global", ".const", ".shared", ".local":
		decls, err := p.varDecls(t, extern)
		if err != nil {
			return err
		}
		m.vars = append(m.vars, decls...)
		return p.expect(";")
	}
	return p.errf(t, "unsupported top-level directive")
}

func (p *parser) skipTo(s string) error {
	for {
		t := p.next()
		if t.kind == tkEOF {
			return p.errf(t, "expected %q before end of file", s)
		}
		if t.kind == tkPunct && t.text == s {
			return nil
		}
	}
}

func (p *parser) skipBlock() error {
	if err := p.expect("{"); err != nil {
		return err
	}
	depth := 1
	for depth > 0 {
		t := p.next()
		switch {
		case t.kind == tkEOF:
			return p.errf(t, "unterminated block")
		case t.kind == tkPunct && t.text == "{":
			depth++
		case t.kind == tkPunct && t.text == "}":
			depth--
		}
	}
	return nil
}

// paramList parses "( .param ... , ... )".
func (p *parser) paramList() ([]*varDecl, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var out []*varDecl
	if p.accept(")") {
		return out, nil
	}
	for {
		t := p.next()
		if t.text != ".param" && t.text != ".reg" {
			return nil, p.errf(t, "expected .param")
		}
		d, err := p.varDecls(t, false)
		if err != nil {
			return nil, err
		}
		out = append(out, d...)
		if p.accept(")") {
			return out, nil
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
	}
}

func (p *parser) function(kw token) (*astFunc, error) {
	f := &astFunc{entry: kw.text == ".entry", line: kw.line}
	if !f.entry && p.isPunct("(") {
		rets, err := p.paramList()
		if err != nil {
			return nil, err
		}
		f.rets = rets
	}
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	f.name = name.text
	if p.isPunct("(") {
		params, err := p.paramList()
		if err != nil {
			return nil, err
		}
		f.params = params
	}
	for {
		t := p.peek()
		switch {
		case t.kind == tkPunct && t.text == ";":
			p.next()
			return f, nil
		case t.kind == tkPunct && t.text == "{":
			p.next()
			f.hasBody = true
			return f, p.body(f)
		case t.kind == tkIdent:
			p.next()
			if err := p.perfDirective(f, t); err != nil {
				return nil, err
			}
		default:
			return nil, p.errf(t, "expected function body")
		}
	}
}

func (p *parser) perfDirective(f *astFunc, t token) error {
	switch t.text {
	case ".maxntid", ".reqntid":
		var dims [3]int
		for i := 0; i < 3; i++ {
			v, err := p.integer()
			if err != nil {
				return err
			}
			if v < 1 || v > 1024 {
				return p.errf(t, "bad %s value %d", t.text, v)
			}
			dims[i] = int(v)
			if !p.accept(",") {
				break
			}
		}
		for i := range dims {
			if dims[i] == 0 {
				dims[i] = 1
			}
		}
		if t.text == ".maxntid" {
			f.maxntid = dims
		} else {
			f.reqntid = dims
		}
		return nil
	case ".minnctapersm", ".maxnreg", ".maxnctapersm", ".maxclusterrank":
		_, err := p.integer()
		return err
	case ".noreturn":
		return nil
	case ".pragma":
		return p.skipTo(";")
	}
	return p.errf(t, "unsupported function directive")
}

// body parses statements up to the function's closing brace.
func (p *parser) body(f *astFunc) error {
	depth := 1
	for {
		t := p.peek()
		switch {
		case t.kind == tkEOF:
			return p.errf(t, "unterminated function body of %s", f.name)
		case t.kind == tkPunct && t.text == "{":
			p.next()
			depth++
			f.body = append(f.body, stmt{kind: sOpen, line: t.line})
		case t.kind == tkPunct && t.text == "}":
			p.next()
			depth--
			if depth == 0 {
				return nil
			}
			f.body = append(f.body, stmt{kind: sClose, line: t.line})
		case t.kind == tkIdent && (t.text == ".reg" || t.text == ".shared" || t.text == ".local" || t.text == ".param" || t.text == ".const" || t.text == ".global"):
			p.next()
			decls, err := p.varDecls(t, false)
			if err != nil {
				return err
			}
			if err := p.expect(";"); err != nil {
				return err
			}
			for _, d := range decls {
				f.body = append(f.body, stmt{kind: sDecl, decl: d, line: d.line})
			}
		case t.kind == tkIdent && (t.text == ".pragma"):
			p.next()
			if err := p.skipTo(";"); err != nil {
				return err
			}
		case t.kind == tkIdent && (t.text == ".loc" || t.text == ".file"):
			p.next()
			p.skipLine(t.line)
		case t.kind == tkIdent && p.toks[p.pos+1].kind == tkPunct && p.toks[p.pos+1].text == ":":
			p.pos += 2
			f.body = append(f.body, stmt{kind: sLabel, label: t.text, line: t.line})
		default:
			in, err := p.instruction()
			if err != nil {
				return err
			}
			f.body = append(f.body, stmt{kind: sInst, inst: in, line: in.line})
		}
	}
}

// varDecls parses the rest of a declaration after its state-space keyword:
// attributes, type, and one or more names with array sizes, register
// ranges (%r<N>) and initializers. The terminating ';' (or ',' in a
// parameter list) is left for the caller.
func (p *parser) varDecls(kw token, extern bool) ([]*varDecl, error) {
	space := strings.TrimPrefix(kw.text, ".")
	base := varDecl{space: space, extern: extern, line: kw.line}
	for {
		t := p.peek()
		if t.kind != tkIdent || !strings.HasPrefix(t.text, ".") {
			break
		}
		p.next()
		switch {
		case t.text == ".align":
			v, err := p.integer()
			if err != nil {
				return nil, err
			}
			if v <= 0 || v&(v-1) != 0 || v > 1<<16 {
				return nil, p.errf(t, "bad alignment %d", v)
			}
			base.align = int(v)
		case t.text == ".v2" || t.text == ".v4" || t.text == ".v8":
			base.vec = int(t.text[2] - '0')
		case t.text == ".ptr" || t.text == ".global" || t.text == ".shared" || t.text == ".const" || t.text == ".local":
			// .param .u64 .ptr .global .align 8 name: attributes only.
		default:
			ty, ok := typeByName[t.text[1:]]
			if !ok {
				return nil, p.errf(t, "unknown type or attribute in declaration")
			}
			base.typ = ty
		}
	}
	if base.typ == tNone {
		return nil, p.errf(p.peek(), "declaration without a type")
	}
	var out []*varDecl
	for {
		name, err := p.ident()
		if err != nil {
			return nil, err
		}
		d := base
		d.name = name.text
		d.line = name.line
		if p.accept("<") {
			v, err := p.integer()
			if err != nil {
				return nil, err
			}
			if v < 0 || v > 1<<20 {
				return nil, p.errf(name, "bad register count %d", v)
			}
			d.count = int(v)
			if err := p.expect(">"); err != nil {
				return nil, err
			}
		}
		for p.accept("[") {
			if p.accept("]") {
				d.dims = append(d.dims, -1)
				continue
			}
			v, err := p.integer()
			if err != nil {
				return nil, err
			}
			if v < 0 || v > 1<<31 {
				return nil, p.errf(name, "bad array size %d", v)
			}
			d.dims = append(d.dims, int(v))
			if err := p.expect("]"); err != nil {
				return nil, err
			}
		}
		if p.accept("=") {
			d.hasInit = true
			if err := p.initializer(&d); err != nil {
				return nil, err
			}
		}
		out = append(out, &d)
		// "a, b" declares two names; in a parameter list the comma
		// separates declarations, so only continue before a plain name.
		nt := p.toks[min(p.pos+1, len(p.toks)-1)]
		if !p.isPunct(",") || nt.kind != tkIdent || strings.HasPrefix(nt.text, ".") {
			break
		}
		p.next()
	}
	return out, nil
}

func (p *parser) initializer(d *varDecl) error {
	if p.accept("{") {
		for {
			if p.isPunct("{") {
				// Nested braces for multi-dimensional arrays flatten.
				if err := p.initializer(d); err != nil {
					return err
				}
			} else {
				l, err := p.initLiteral()
				if err != nil {
					return err
				}
				d.init = append(d.init, l)
			}
			if p.accept("}") {
				return nil
			}
			if err := p.expect(","); err != nil {
				return err
			}
		}
	}
	l, err := p.initLiteral()
	if err != nil {
		return err
	}
	d.init = append(d.init, l)
	return nil
}

func (p *parser) initLiteral() (literal, error) {
	neg := p.accept("-")
	t := p.next()
	if t.kind != tkNum {
		return literal{}, p.errf(t, "unsupported initializer (only numeric constants are supported)")
	}
	l, err := parseLiteral(t.text)
	if err != nil {
		return literal{}, p.errf(t, "%v", err)
	}
	if neg {
		l = negLiteral(l)
	}
	return l, nil
}

func negLiteral(l literal) literal {
	switch l.kind {
	case 'i':
		l.i = -l.i
	case 'r':
		l.r = -l.r
	case 'f':
		l.i ^= 1 << 31
	case 'd':
		l.i ^= 1 << 63
	}
	return l
}

// instruction parses "[@[!]p] opcode operands ;".
func (p *parser) instruction() (*astInst, error) {
	start := p.pos
	in := &astInst{line: p.peek().line}
	if p.accept("@") {
		in.guardNeg = p.accept("!")
		g, err := p.ident()
		if err != nil {
			return nil, err
		}
		in.guard = g.text
	}
	op := p.next()
	if op.kind != tkIdent || strings.HasPrefix(op.text, ".") || strings.HasPrefix(op.text, "%") {
		return nil, p.errf(op, "expected an instruction")
	}
	in.op = op.text
	if !p.isPunct(";") {
		for {
			o, err := p.operand()
			if err != nil {
				return nil, err
			}
			in.args = append(in.args, o)
			if p.accept(";") {
				break
			}
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
	} else {
		p.next()
	}
	in.text = joinTokens(p.toks[start:p.pos])
	return in, nil
}

// joinTokens rebuilds readable instruction text for reports.
func joinTokens(ts []token) string {
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			prev := ts[i-1]
			sp := true
			if t.kind == tkPunct && strings.Contains(",;])}+|", t.text) {
				sp = false
			}
			if prev.kind == tkPunct && strings.Contains("@![({+|-", prev.text) {
				sp = false
			}
			if prev.kind == tkPunct && prev.text == "-" && i >= 2 && ts[i-2].kind != tkPunct {
				sp = true
			}
			if sp {
				b.WriteByte(' ')
			}
		}
		b.WriteString(t.text)
	}
	return b.String()
}

func (p *parser) operand() (operand, error) {
	t := p.peek()
	switch {
	case t.kind == tkPunct && t.text == "[":
		p.next()
		return p.address()
	case t.kind == tkPunct && (t.text == "{" || t.text == "("):
		p.next()
		closer := "}"
		kind := oVec
		if t.text == "(" {
			closer, kind = ")", oList
		}
		o := operand{kind: kind}
		if p.accept(closer) {
			return o, nil
		}
		for {
			e, err := p.operand()
			if err != nil {
				return o, err
			}
			o.elems = append(o.elems, e)
			if p.accept(closer) {
				return o, nil
			}
			if err := p.expect(","); err != nil {
				return o, err
			}
		}
	case t.kind == tkPunct && t.text == "!":
		p.next()
		n, err := p.ident()
		if err != nil {
			return operand{}, err
		}
		return operand{kind: oName, name: n.text, neg: true}, nil
	case t.kind == tkPunct && t.text == "-" || t.kind == tkNum:
		neg := p.accept("-")
		n := p.next()
		if n.kind != tkNum {
			return operand{}, p.errf(n, "expected a number")
		}
		l, err := parseLiteral(n.text)
		if err != nil {
			return operand{}, p.errf(n, "%v", err)
		}
		if neg {
			l = negLiteral(l)
		}
		return operand{kind: oImm, lit: l}, nil
	case t.kind == tkIdent:
		p.next()
		o := operand{kind: oName, name: t.text}
		if t.text == "_" {
			o = operand{kind: oSink}
		}
		if p.accept("|") {
			q, err := p.ident()
			if err != nil {
				return o, err
			}
			return operand{kind: oPair, elems: []operand{o, {kind: oName, name: q.text}}}, nil
		}
		return o, nil
	}
	return operand{}, p.errf(t, "unexpected operand")
}

// address parses the inside of [ ... ] after the '['.
func (p *parser) address() (operand, error) {
	o := operand{kind: oAddr}
	t := p.peek()
	if t.kind == tkIdent {
		p.next()
		o.name = t.text
		if p.accept("+") {
			v, err := p.integer()
			if err != nil {
				return o, err
			}
			o.off = v
		} else if p.isPunct("-") {
			v, err := p.integer()
			if err != nil {
				return o, err
			}
			o.off = v
		}
	} else {
		v, err := p.integer()
		if err != nil {
			return o, err
		}
		o.off = v
	}
	if p.accept(",") {
		// [tmap, {c0, c1, ...}]: a tensor map and its coordinates.
		if !p.isPunct("{") {
			return o, p.errf(p.peek(), "expected {coordinates} after the tensor map")
		}
		v, err := p.operand()
		if err != nil {
			return o, err
		}
		o.elems = v.elems
		if o.elems == nil {
			o.elems = []operand{}
		}
	}
	return o, p.expect("]")
}
