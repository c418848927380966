package ir

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tilec/tilec/layout"
)

// Parse reads the kernels of a .tir text (see print.go for the form) and
// verifies each. file names the source in positions and errors.
func Parse(file, src string) ([]*Func, error) {
	p := &parser{file: file, lex: lexer{src: src, line: 1}}
	p.advance()
	var fs []*Func
	for p.tok.kind != tEOF {
		f, err := p.kernel()
		if err != nil {
			return nil, err
		}
		if err := Verify(f); err != nil {
			return nil, fmt.Errorf("%s: kernel %s: %w", file, f.Name, err)
		}
		fs = append(fs, f)
	}
	if len(fs) == 0 {
		return nil, fmt.Errorf("%s: no kernel", file)
	}
	return fs, nil
}

// ParseFunc reads a text holding exactly one kernel.
func ParseFunc(file, src string) (*Func, error) {
	fs, err := Parse(file, src)
	if err != nil {
		return nil, err
	}
	if len(fs) != 1 {
		return nil, fmt.Errorf("%s: %d kernels, want 1", file, len(fs))
	}
	return fs[0], nil
}

// --- lexer ----------------------------------------------------------------

type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // kernel, add, f32, BLOCK
	tValue          // %name
	tGlobal         // @name
	tInt            // 12, -3
	tFloat          // 1.5, -inf, nan
	tString         // "text"
	tPunct          // ( ) { } [ ] < > , : = ^
	tAlias          // #name: a layout alias
)

type token struct {
	kind tokKind
	text string
	line int
}

type lexer struct {
	src  string
	pos  int
	line int
}

func (l *lexer) next() (token, error) {
	// Skip space and // comments.
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\n' {
			l.line++
			l.pos++
		} else if c == ' ' || c == '\t' || c == '\r' {
			l.pos++
		} else if strings.HasPrefix(l.src[l.pos:], "//") {
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
		} else {
			break
		}
	}
	if l.pos >= len(l.src) {
		return token{kind: tEOF, line: l.line}, nil
	}
	start := l.pos
	c := l.src[l.pos]
	tok := token{line: l.line}
	switch {
	case c == '%' || c == '@' || c == '#':
		l.pos++
		l.word()
		if l.pos == start+1 {
			return tok, fmt.Errorf("line %d: %c without a name", l.line, c)
		}
		tok.kind = tValue
		switch c {
		case '@':
			tok.kind = tGlobal
		case '#':
			tok.kind = tAlias
		}
		tok.text = l.src[start+1 : l.pos]
	case c == '"':
		l.pos++
		for l.pos < len(l.src) && l.src[l.pos] != '"' && l.src[l.pos] != '\n' {
			if l.src[l.pos] == '\\' {
				l.pos++
			}
			l.pos++
		}
		if l.pos >= len(l.src) || l.src[l.pos] != '"' {
			return tok, fmt.Errorf("line %d: unterminated string", l.line)
		}
		l.pos++
		s, err := strconv.Unquote(l.src[start:l.pos])
		if err != nil {
			return tok, fmt.Errorf("line %d: bad string %s", l.line, l.src[start:l.pos])
		}
		tok.kind, tok.text = tString, s
	case c == '-' || c == '.' || (c >= '0' && c <= '9'):
		l.pos++
		for l.pos < len(l.src) {
			d := l.src[l.pos]
			if isWordByte(d) || d == '.' || ((d == '-' || d == '+') && (l.src[l.pos-1] == 'e' || l.src[l.pos-1] == 'E')) {
				l.pos++
				continue
			}
			break
		}
		tok.text = l.src[start:l.pos]
		switch {
		case tok.text == "-inf":
			tok.kind = tFloat
		case strings.ContainsAny(tok.text, ".eE") && !strings.HasPrefix(tok.text, "0x"):
			tok.kind = tFloat
		default:
			tok.kind = tInt
		}
	case isWordByte(c):
		l.word()
		tok.kind, tok.text = tIdent, l.src[start:l.pos]
		if tok.text == "inf" || tok.text == "nan" {
			tok.kind = tFloat
		}
	case strings.IndexByte("(){}[]<>,:=^", c) >= 0:
		l.pos++
		tok.kind, tok.text = tPunct, string(c)
	default:
		return tok, fmt.Errorf("line %d: unexpected character %q", l.line, c)
	}
	return tok, nil
}

func isWordByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func (l *lexer) word() {
	for l.pos < len(l.src) && isWordByte(l.src[l.pos]) {
		l.pos++
	}
}

// --- parser ---------------------------------------------------------------

type parser struct {
	file   string
	lex    lexer
	tok    token
	peeked []token
	err    error
	f      *Func
	values map[string]*Value
	// aliases are the layouts defined before the kernel.
	aliases map[string]*layout.Linear
}

// aliasLines reads the `#name = expr` lines before a kernel: each
// expression is the rest of its line (package layout parses it).
func (p *parser) aliasLines() error {
	p.aliases = map[string]*layout.Linear{}
	for p.tok.kind == tAlias && len(p.peeked) == 0 {
		name, line := p.tok.text, p.tok.line
		rest := p.lex.src[p.lex.pos:]
		eol := strings.IndexByte(rest, '\n')
		if eol < 0 {
			eol = len(rest)
		}
		text := strings.TrimSpace(rest[:eol])
		if !strings.HasPrefix(text, "=") {
			return p.failAt(line, "want #%s = a layout", name)
		}
		if _, dup := p.aliases[name]; dup {
			return p.failAt(line, "layout #%s defined twice", name)
		}
		l, err := layout.Parse(strings.TrimSpace(text[1:]), func(n string) (*layout.Linear, error) {
			if a, ok := p.aliases[n]; ok {
				return a, nil
			}
			return nil, fmt.Errorf("#%s is not defined before", n)
		})
		if err != nil {
			return p.failAt(line, "%v", err)
		}
		p.aliases[name] = l
		p.lex.pos += eol
		p.advance()
	}
	return p.err
}

// layoutRef reads #name and returns the kernel's copy of that layout.
func (p *parser) layoutRef() (*layout.Linear, error) {
	if p.tok.kind != tAlias {
		return nil, p.fail("want a layout #name, found %q", p.tok.text)
	}
	l, ok := p.aliases[p.tok.text]
	if !ok {
		return nil, p.fail("layout #%s is not defined", p.tok.text)
	}
	if p.f.GPU == nil {
		return nil, p.fail("layout #%s in a kernel at the tile level (no gpu(...) clause)", p.tok.text)
	}
	p.advance()
	return p.f.Intern(l), p.err
}

func (p *parser) fail(format string, args ...any) error {
	return p.failAt(p.tok.line, format, args...)
}

// failAt reports an error at a line, for tokens already consumed.
func (p *parser) failAt(line int, format string, args ...any) error {
	if p.err == nil {
		p.err = fmt.Errorf("%s:%d: %s", p.file, line, fmt.Sprintf(format, args...))
	}
	return p.err
}

func (p *parser) advance() {
	if len(p.peeked) > 0 {
		p.tok = p.peeked[0]
		p.peeked = p.peeked[1:]
		return
	}
	t, err := p.lex.next()
	if err != nil {
		p.fail("%v", err)
		t = token{kind: tEOF, line: p.lex.line}
	}
	p.tok = t
}

// peek returns the token n places after the current one.
func (p *parser) peek(n int) token {
	for len(p.peeked) < n {
		t, err := p.lex.next()
		if err != nil {
			p.fail("%v", err)
			t = token{kind: tEOF, line: p.lex.line}
		}
		p.peeked = append(p.peeked, t)
	}
	return p.peeked[n-1]
}

func (p *parser) is(text string) bool {
	return (p.tok.kind == tPunct || p.tok.kind == tIdent) && p.tok.text == text
}

func (p *parser) expect(text string) error {
	if !p.is(text) {
		return p.fail("want %q, found %q", text, p.tok.text)
	}
	p.advance()
	return p.err
}

func (p *parser) ident() (string, error) {
	if p.tok.kind != tIdent {
		return "", p.fail("want a name, found %q", p.tok.text)
	}
	s := p.tok.text
	p.advance()
	return s, p.err
}

func (p *parser) intLit() (int, error) {
	if p.tok.kind != tInt {
		return 0, p.fail("want an integer, found %q", p.tok.text)
	}
	n, err := strconv.ParseInt(p.tok.text, 0, 64)
	if err != nil || n != int64(int(n)) {
		return 0, p.fail("bad integer %q", p.tok.text)
	}
	p.advance()
	return int(n), p.err
}

func (p *parser) kernel() (*Func, error) {
	if err := p.aliasLines(); err != nil {
		return nil, err
	}
	if err := p.expect("kernel"); err != nil {
		return nil, err
	}
	if p.tok.kind != tGlobal {
		return nil, p.fail("want @name after kernel")
	}
	p.f = NewFunc(p.tok.text)
	p.values = map[string]*Value{}
	var facts []Facts
	p.advance()
	if err := p.expect("("); err != nil {
		return nil, err
	}
	for !p.is(")") {
		if p.tok.kind != tValue {
			return nil, p.fail("want a parameter %%name, found %q", p.tok.text)
		}
		name := p.tok.text
		p.advance()
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		t, err := p.typ()
		if err != nil {
			return nil, err
		}
		if _, dup := p.values[name]; dup || !isIdent(name) {
			return nil, p.fail("bad or repeated parameter name %%%s", name)
		}
		p.values[name] = p.f.AddParam(name, t)
		if p.is("{") {
			fa, err := p.facts()
			if err != nil {
				return nil, err
			}
			for len(facts) < len(p.f.Params)-1 {
				facts = append(facts, Facts{})
			}
			facts = append(facts, fa)
		}
		if !p.is(",") {
			break
		}
		p.advance()
	}
	if err := p.expect(")"); err != nil {
		return nil, err
	}
	if p.is("constexpr") {
		p.advance()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		for !p.is(")") {
			name, err := p.ident()
			if err != nil {
				return nil, err
			}
			if p.f.HasMeta(name) {
				return nil, p.fail("constexpr %s declared twice", name)
			}
			p.f.Metas = append(p.f.Metas, name)
			if !p.is(",") {
				break
			}
			p.advance()
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
	}
	if p.is("config") {
		p.advance()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		p.f.Bound = Config{}
		for !p.is(")") {
			k, err := p.ident()
			if err != nil {
				return nil, err
			}
			if err := p.expect("="); err != nil {
				return nil, err
			}
			v, err := p.intLit()
			if err != nil {
				return nil, err
			}
			p.f.Bound[k] = v
			if !p.is(",") {
				break
			}
			p.advance()
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		p.f.NumWarps, p.f.NumStages = p.f.Bound[KeyNumWarps], p.f.Bound[KeyNumStages]
	}
	if p.is("gpu") {
		if err := p.gpuClause(); err != nil {
			return nil, err
		}
		for facts != nil && len(facts) < len(p.f.Params) {
			facts = append(facts, Facts{})
		}
		p.f.GPU.Facts = facts
	} else if facts != nil {
		return nil, p.fail("launch facts on parameters of a kernel at the tile level (no gpu(...) clause)")
	}
	if err := p.expect("{"); err != nil {
		return nil, err
	}
	if err := p.ops(p.f.Body); err != nil {
		return nil, err
	}
	return p.f, p.expect("}")
}

// facts parses a parameter's {div = 16, one = 1}.
func (p *parser) facts() (Facts, error) {
	var fa Facts
	p.advance()
	for !p.is("}") {
		k, err := p.ident()
		if err != nil {
			return fa, err
		}
		if err := p.expect("="); err != nil {
			return fa, err
		}
		n, err := p.intLit()
		if err != nil {
			return fa, err
		}
		switch {
		case k == "div" && isPow2(n):
			fa.Div = n
		case k == "one" && n == 1:
			fa.One = true
		default:
			return fa, p.fail("bad launch fact %s = %d (div = a power of two, one = 1)", k, n)
		}
		if !p.is(",") {
			break
		}
		p.advance()
	}
	return fa, p.expect("}")
}

// gpuClause parses gpu(sm = 80), gpu(sm = 90a) or gpu(sm = 80, shared = 65536).
func (p *parser) gpuClause() error {
	p.advance()
	if err := p.expect("("); err != nil {
		return err
	}
	g := &GPUInfo{}
	for !p.is(")") {
		k, err := p.ident()
		if err != nil {
			return err
		}
		if err := p.expect("="); err != nil {
			return err
		}
		if k == "sm" && p.tok.kind == tInt && strings.HasSuffix(p.tok.text, "a") {
			// sm = 90a: the architecture-specific target
			g.Specific = true
			p.tok.text = strings.TrimSuffix(p.tok.text, "a")
		}
		n, err := p.intLit()
		if err != nil {
			return err
		}
		switch k {
		case "sm":
			g.SM = n
		case "shared":
			g.SharedBytes, g.Allocated = n, true
		default:
			return p.fail("gpu(...) has sm and shared, not %s", k)
		}
		if !p.is(",") {
			break
		}
		p.advance()
	}
	if g.SM < 70 {
		return p.fail("gpu(...) needs sm = 70 or more")
	}
	p.f.GPU = g
	return p.expect(")")
}

// sharedLayout parses dense, padded<4> or swizzle<fast 1, per_phase 1,
// max_phase 8>.
func (p *parser) sharedLayout() (layout.Shared, error) {
	line := p.tok.line
	var text strings.Builder
	depth := 0
	for {
		if p.tok.kind == tEOF {
			return layout.Shared{}, p.fail("unterminated shared layout")
		}
		if p.is(">") {
			if depth == 0 {
				break
			}
			depth--
		}
		if p.is("<") {
			depth++
		}
		text.WriteString(p.tok.text + " ")
		p.advance()
	}
	s, err := layout.ParseShared(text.String())
	if err != nil {
		return s, p.failAt(line, "%v", err)
	}
	return s, p.err
}

// typ parses i32, f16[64, BLOCK], ptr<f32>, ptr<f32>[64], bptr<f16>[64, 64],
// and at the GPU level f16[64, 64]#blocked0, smem<f16[64, 64], dense> and
// tmap<f16>[64, 128].
func (p *parser) typ() (Type, error) {
	line := p.tok.line
	name, err := p.ident()
	if err != nil {
		return Type{}, err
	}
	var t Type
	if name == "smem" {
		if err := p.expect("<"); err != nil {
			return Type{}, err
		}
		et, err := p.typ()
		if err != nil {
			return Type{}, err
		}
		if et.Kind != KindScalar || et.Shape.Rank == 0 || et.Layout != nil {
			return Type{}, p.failAt(line, "smem<...> holds a tile shape of numbers, not %s", et)
		}
		if err := p.expect(","); err != nil {
			return Type{}, err
		}
		s, err := p.sharedLayout()
		if err != nil {
			return Type{}, err
		}
		if p.f.GPU == nil {
			return Type{}, p.failAt(line, "shared buffer in a kernel at the tile level (no gpu(...) clause)")
		}
		return Type{Kind: KindShared, Elem: et.Elem, Shape: et.Shape, Shared: s}, p.expect(">")
	}
	switch name {
	case "ptr", "bptr", "tmap":
		if err := p.expect("<"); err != nil {
			return Type{}, err
		}
		en, err := p.ident()
		if err != nil {
			return Type{}, err
		}
		d, err := ParseDType(en)
		if err != nil {
			return Type{}, p.failAt(line, "%v", err)
		}
		if err := p.expect(">"); err != nil {
			return Type{}, err
		}
		t = Ptr(d)
		if name == "bptr" {
			t.Kind = KindBlockPtr
			if !p.is("[") {
				return Type{}, p.fail("a block pointer type needs a block shape")
			}
		}
		if name == "tmap" {
			t.Kind = KindTensorMap
			if !p.is("[") {
				return Type{}, p.fail("a tensor map type needs a box shape")
			}
			if p.f.GPU == nil {
				return Type{}, p.failAt(line, "tensor map in a kernel at the tile level (no gpu(...) clause)")
			}
		}
	default:
		d, err := ParseDType(name)
		if err != nil {
			return Type{}, p.failAt(line, "%v", err)
		}
		t = Scalar(d)
	}
	if p.is("[") {
		p.advance()
		var dims []Dim
		for !p.is("]") {
			var d Dim
			switch p.tok.kind {
			case tInt:
				n, err := p.intLit()
				if err != nil {
					return Type{}, err
				}
				d = D(n)
			case tIdent:
				d = Dim{Sym: p.tok.text}
				p.advance()
			default:
				return Type{}, p.fail("want a dimension, found %q", p.tok.text)
			}
			dims = append(dims, d)
			if len(dims) > MaxRank {
				return Type{}, p.fail("rank above %d", MaxRank)
			}
			if !p.is(",") {
				break
			}
			p.advance()
		}
		if err := p.expect("]"); err != nil {
			return Type{}, err
		}
		if len(dims) == 0 {
			return Type{}, p.fail("empty shape")
		}
		t.Shape = ShapeOf(dims...)
		if p.tok.kind == tAlias {
			l, err := p.layoutRef()
			if err != nil {
				return Type{}, err
			}
			t.Layout = l
		}
	}
	return t, p.err
}

// ops parses ops into b until the closing brace.
func (p *parser) ops(b *Block) error {
	for !p.is("}") {
		if p.tok.kind == tEOF {
			return p.fail("unexpected end of input (missing })")
		}
		op, err := p.op()
		if err != nil {
			return err
		}
		b.Append(op)
	}
	return p.err
}

func (p *parser) op() (*Op, error) {
	pos := Pos{File: p.file, Line: p.tok.line}
	var resNames []string
	if p.tok.kind == tValue {
		for {
			if p.tok.kind != tValue {
				return nil, p.fail("want a result %%name, found %q", p.tok.text)
			}
			resNames = append(resNames, p.tok.text)
			p.advance()
			if !p.is(",") {
				break
			}
			p.advance()
		}
		if err := p.expect("="); err != nil {
			return nil, err
		}
	}
	name, err := p.ident()
	if err != nil {
		return nil, err
	}
	code, ok := Lookup(name)
	if !ok {
		return nil, p.failAt(pos.Line, "unknown op %q", name)
	}
	info := code.Info()
	op := &Op{Code: code, Pos: pos, Attrs: map[string]Attr{}}
	// Operands: positional values, then `name %v` for optional ones. An op's
	// header is one line: a value on the next line starts the next op.
	line := pos.Line
	for p.tok.line == line && (p.tok.kind == tValue || (p.tok.kind == tIdent && p.peek(1).kind == tValue)) {
		if p.tok.kind == tIdent {
			idx := len(op.Args)
			if idx >= len(info.Args) || !info.Args[idx].Optional || info.Args[idx].Name != p.tok.text {
				return nil, p.fail("%s: unexpected operand name %q", name, p.tok.text)
			}
			p.advance()
		} else if idx := len(op.Args); idx < len(info.Args) && info.Args[idx].Optional {
			return nil, p.fail("%s: operand %d must be written %s %%v", name, idx, info.Args[idx].Name)
		}
		v, ok := p.values[p.tok.text]
		if !ok {
			return nil, p.fail("%s: undefined value %%%s", name, p.tok.text)
		}
		op.Args = append(op.Args, v)
		p.advance()
		if !p.is(",") {
			break
		}
		p.advance()
	}
	// Attributes: `{name = value, ...}`.
	if p.tok.line == line && p.is("{") && p.peek(1).kind == tIdent && p.peek(2).text == "=" {
		p.advance()
		for !p.is("}") {
			k, err := p.ident()
			if err != nil {
				return nil, err
			}
			if err := p.expect("="); err != nil {
				return nil, err
			}
			spec, ok := attrSpec(info, k)
			if !ok {
				return nil, p.failAt(pos.Line, "%s has no attribute %s", name, k)
			}
			a, err := p.attr(spec)
			if err != nil {
				return nil, err
			}
			op.Attrs[k] = a
			if !p.is(",") {
				break
			}
			p.advance()
		}
		if err := p.expect("}"); err != nil {
			return nil, err
		}
	}
	var types []Type
	if p.tok.line == line && p.is(":") {
		p.advance()
		for {
			t, err := p.typ()
			if err != nil {
				return nil, err
			}
			types = append(types, t)
			if !p.is(",") {
				break
			}
			p.advance()
		}
	}
	if len(types) != len(resNames) {
		return nil, p.failAt(pos.Line, "%s has %d results but %d types", name, len(resNames), len(types))
	}
	for i, t := range types {
		if _, dup := p.values[resNames[i]]; dup {
			return nil, p.fail("%%%s is defined twice", resNames[i])
		}
		v := p.f.NewValue(t)
		v.Def = op
		op.Results = append(op.Results, v)
		p.values[resNames[i]] = v
	}
	// A float constant written as an integer (value = 1) means 1.0.
	if n, ok := op.Attrs["value"].(Num); ok && len(types) == 1 && types[0].IsFloat() && n.F == 0 && n.I != 0 {
		op.Attrs["value"] = Num{F: float64(n.I)}
	}
	for p.is("{") && (p.tok.line == line || len(op.Regions) > 0) {
		p.advance()
		r := &Block{Parent: op}
		if p.is("^") {
			p.advance()
			if err := p.expect("("); err != nil {
				return nil, err
			}
			for !p.is(")") {
				if p.tok.kind != tValue {
					return nil, p.fail("want a block argument %%name")
				}
				an := p.tok.text
				p.advance()
				if err := p.expect(":"); err != nil {
					return nil, err
				}
				t, err := p.typ()
				if err != nil {
					return nil, err
				}
				if _, dup := p.values[an]; dup {
					return nil, p.fail("%%%s is defined twice", an)
				}
				v := p.f.NewValue(t)
				r.Args = append(r.Args, v)
				p.values[an] = v
				if !p.is(",") {
					break
				}
				p.advance()
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
			if err := p.expect(":"); err != nil {
				return nil, err
			}
		}
		if err := p.ops(r); err != nil {
			return nil, err
		}
		if err := p.expect("}"); err != nil {
			return nil, err
		}
		op.Regions = append(op.Regions, r)
	}
	return op, p.err
}

func attrSpec(info *OpInfo, name string) (AttrSpec, bool) {
	for _, s := range info.Attrs {
		if s.Name == name {
			return s, true
		}
	}
	return AttrSpec{}, false
}

func (p *parser) attr(spec AttrSpec) (Attr, error) {
	switch spec.Kind {
	case AttrInt:
		return p.intLit()
	case AttrNum:
		switch p.tok.kind {
		case tInt:
			n, err := strconv.ParseInt(p.tok.text, 0, 64)
			if err != nil {
				return nil, p.fail("bad integer %q", p.tok.text)
			}
			p.advance()
			return Num{I: n}, p.err
		case tFloat:
			var f float64
			switch p.tok.text {
			case "inf":
				f = math.Inf(1)
			case "-inf":
				f = math.Inf(-1)
			case "nan":
				f = math.NaN()
			default:
				var err error
				if f, err = strconv.ParseFloat(p.tok.text, 64); err != nil {
					return nil, p.fail("bad number %q", p.tok.text)
				}
			}
			p.advance()
			return Num{F: f}, p.err
		}
		return nil, p.fail("want a number, found %q", p.tok.text)
	case AttrString, AttrMeta:
		if p.tok.kind != tString {
			return nil, p.fail("want a string, found %q", p.tok.text)
		}
		s := p.tok.text
		p.advance()
		return s, p.err
	case AttrDim:
		if p.tok.kind == tIdent {
			s := p.tok.text
			p.advance()
			return Dim{Sym: s}, p.err
		}
		n, err := p.intLit()
		return D(n), err
	case AttrLayout:
		return p.layoutRef()
	case AttrInts:
		if err := p.expect("["); err != nil {
			return nil, err
		}
		xs := []int{}
		for !p.is("]") {
			n, err := p.intLit()
			if err != nil {
				return nil, err
			}
			xs = append(xs, n)
			if !p.is(",") {
				break
			}
			p.advance()
		}
		return xs, p.expect("]")
	}
	return nil, p.fail("attribute %s has an unknown kind", spec.Name)
}
