package layout

import (
	"fmt"
	"strconv"
	"strings"
)

// # Text form
//
// A layout prints as the expression that built it, which the parser
// evaluates again; equal bases follow because every constructor and
// operation is deterministic. Constructors take the tile's shape after
// their parameters; operations take their parent layout last, written
// inline or, in the GPU IR's text, as an alias (#mma0):
//
//	blocked<spt [1, 8], tpw [4, 8], wpc [8, 1], order [1, 0]> [128, 64]
//	mma<warps [8, 1], num_warps 8> [128, 64]
//	dot<B, warps [8, 1], num_warps 8> [64, 64]
//	linear<regs [[0, 1]], lanes [[0, 2], ...], warps [[4, 0]]> [8, 16]
//	slice<1, P>  expand<1, P>  drop<0, P>  restrict<[128, 1], P>
//	trans<[1, 0], P>  reshape<[8192], P>  join<P>  fma<A, 64, P>
//
// A layout without a Def (built basis by basis) prints as linear<...>.

// Def records how a layout was built: a constructor with its parameters
// (blocked, mma, dot, linear) applied to a shape, or an operation with
// parameters on a parent layout (slice, expand, drop, restrict, trans,
// reshape, join, fma).
type Def struct {
	Op string
	// Ints are the integer parameters in the order the text shows them.
	Ints [][]int
	// Operand is 'A' or 'B' for dot and fma.
	Operand byte
	// Parent is the layout an operation applies to.
	Parent *Linear
}

// Expr prints the layout's expression; name, when it returns a non-empty
// string for a parent, prints that instead of the parent's expression (an
// alias).
func (l *Linear) Expr(name func(*Linear) string) string {
	d := l.Def
	parent := func() string {
		if name != nil {
			if n := name(d.Parent); n != "" {
				return n
			}
		}
		return d.Parent.Expr(name)
	}
	ints := formatInts
	bases := func(bs [][]int) string {
		parts := make([]string, len(bs))
		for i, b := range bs {
			parts[i] = ints(b)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	shape := " " + ints(l.Shape)
	switch d.Op {
	case "blocked":
		return fmt.Sprintf("blocked<spt %s, tpw %s, wpc %s, order %s>%s", ints(d.Ints[0]), ints(d.Ints[1]), ints(d.Ints[2]), ints(d.Ints[3]), shape)
	case "mma":
		return fmt.Sprintf("mma<warps %s, num_warps %d>%s", ints(d.Ints[0]), d.Ints[1][0], shape)
	case "dot":
		return fmt.Sprintf("dot<%c, warps %s, num_warps %d>%s", d.Operand, ints(d.Ints[0]), d.Ints[1][0], shape)
	case "slice", "expand", "drop":
		return fmt.Sprintf("%s<%d, %s>", d.Op, d.Ints[0][0], parent())
	case "restrict", "trans", "reshape":
		return fmt.Sprintf("%s<%s, %s>", d.Op, ints(d.Ints[0]), parent())
	case "join":
		return fmt.Sprintf("join<%s>", parent())
	case "fma":
		return fmt.Sprintf("fma<%c, %d, %s>", d.Operand, d.Ints[0][0], parent())
	}
	return fmt.Sprintf("linear<regs %s, lanes %s, warps %s>%s", bases(l.Regs), bases(l.Lanes), bases(l.Warps), shape)
}

// Parse evaluates a layout expression. alias resolves #name references
// (nil: none allowed).
func Parse(s string, alias func(name string) (*Linear, error)) (*Linear, error) {
	p := &exprParser{s: s, alias: alias}
	l, err := p.expr()
	if err == nil {
		p.space()
		if p.pos != len(p.s) {
			err = p.errorf("unexpected %q", p.s[p.pos:])
		}
	}
	if err != nil {
		return nil, fmt.Errorf("layout %q: %w", s, err)
	}
	return l, nil
}

type exprParser struct {
	s     string
	pos   int
	alias func(string) (*Linear, error)
}

func (p *exprParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at column %d: %s", p.pos+1, fmt.Sprintf(format, args...))
}

func (p *exprParser) space() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

func (p *exprParser) is(c byte) bool {
	p.space()
	return p.pos < len(p.s) && p.s[p.pos] == c
}

func (p *exprParser) expect(c byte) error {
	if !p.is(c) {
		return p.errorf("want %q", c)
	}
	p.pos++
	return nil
}

func isWord(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func (p *exprParser) word() string {
	p.space()
	start := p.pos
	for p.pos < len(p.s) && isWord(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// keyword expects the word w.
func (p *exprParser) keyword(w string) error {
	if got := p.word(); got != w {
		return p.errorf("want %s, found %q", w, got)
	}
	return nil
}

func (p *exprParser) int() (int, error) {
	p.space()
	start := p.pos
	if p.pos < len(p.s) && p.s[p.pos] == '-' {
		p.pos++
	}
	for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
		p.pos++
	}
	n, err := strconv.Atoi(p.s[start:p.pos])
	if err != nil {
		return 0, p.errorf("want an integer")
	}
	return n, nil
}

func (p *exprParser) ints() ([]int, error) {
	if err := p.expect('['); err != nil {
		return nil, err
	}
	out := []int{}
	for !p.is(']') {
		n, err := p.int()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if !p.is(',') {
			break
		}
		p.pos++
	}
	return out, p.expect(']')
}

func (p *exprParser) bases() ([][]int, error) {
	if err := p.expect('['); err != nil {
		return nil, err
	}
	out := [][]int{}
	for !p.is(']') {
		b, err := p.ints()
		if err != nil {
			return nil, err
		}
		out = append(out, b)
		if !p.is(',') {
			break
		}
		p.pos++
	}
	return out, p.expect(']')
}

// keyed reads `key0 v0, key1 v1, ...`, each value by value(i).
func (p *exprParser) keyed(keys []string, value func(i int) error) error {
	for i, key := range keys {
		if i > 0 {
			if err := p.expect(','); err != nil {
				return err
			}
		}
		if err := p.keyword(key); err != nil {
			return err
		}
		if err := value(i); err != nil {
			return err
		}
	}
	return nil
}

// comma expects a comma, then the keyword w (when not empty).
func (p *exprParser) comma(w string) error {
	if err := p.expect(','); err != nil {
		return err
	}
	if w == "" {
		return nil
	}
	return p.keyword(w)
}

func (p *exprParser) operand() (byte, error) {
	w := p.word()
	if w != "A" && w != "B" {
		return 0, p.errorf("want A or B, found %q", w)
	}
	return w[0], nil
}

func (p *exprParser) expr() (*Linear, error) {
	if p.is('#') {
		p.pos++
		name := p.word()
		if p.alias == nil {
			return nil, p.errorf("alias #%s outside a kernel", name)
		}
		return p.alias(name)
	}
	op := p.word()
	if err := p.expect('<'); err != nil {
		return nil, err
	}
	switch op {
	case "blocked":
		var params [4][]int
		if err := p.keyed([]string{"spt", "tpw", "wpc", "order"}, func(i int) (err error) {
			params[i], err = p.ints()
			return err
		}); err != nil {
			return nil, err
		}
		shape, err := p.closeShape()
		if err != nil {
			return nil, err
		}
		return Blocked(shape, params[0], params[1], params[2], params[3])
	case "mma", "dot":
		var operand byte
		if op == "dot" {
			o, err := p.operand()
			if err != nil {
				return nil, err
			}
			operand = o
			if err := p.expect(','); err != nil {
				return nil, err
			}
		}
		if err := p.keyword("warps"); err != nil {
			return nil, err
		}
		w, err := p.ints()
		if err != nil {
			return nil, err
		}
		if len(w) != 2 {
			return nil, p.errorf("warps %v: want two numbers", w)
		}
		if err := p.comma("num_warps"); err != nil {
			return nil, err
		}
		nw, err := p.int()
		if err != nil {
			return nil, err
		}
		shape, err := p.closeShape()
		if err != nil {
			return nil, err
		}
		if len(shape) != 2 {
			return nil, p.errorf("%s layouts are 2-D, not %v", op, shape)
		}
		warps := [2]int{w[0], w[1]}
		switch operand {
		case 'A':
			return DotA(shape[0], shape[1], warps, nw)
		case 'B':
			return DotB(shape[0], shape[1], warps, nw)
		}
		return MMA(shape[0], shape[1], warps, nw)
	case "linear":
		var groups [3][][]int
		if err := p.keyed([]string{"regs", "lanes", "warps"}, func(i int) (err error) {
			groups[i], err = p.bases()
			return err
		}); err != nil {
			return nil, err
		}
		shape, err := p.closeShape()
		if err != nil {
			return nil, err
		}
		l := &Linear{Shape: shape, Regs: groups[0], Lanes: groups[1], Warps: groups[2]}
		return l, l.Validate()
	case "slice", "expand", "drop":
		n, err := p.int()
		if err != nil {
			return nil, err
		}
		parent, err := p.parent()
		if err != nil {
			return nil, err
		}
		if n < 0 || n > parent.Rank() || (op != "expand" && n == parent.Rank()) {
			return nil, p.errorf("%s dim %d of a rank-%d layout", op, n, parent.Rank())
		}
		switch op {
		case "slice":
			return parent.Slice(n), nil
		case "expand":
			return parent.ExpandDims(n), nil
		}
		if parent.Shape[n] != 1 {
			return nil, p.errorf("drop of dim %d of size %d", n, parent.Shape[n])
		}
		return parent.DropDim(n), nil
	case "restrict", "trans", "reshape":
		xs, err := p.ints()
		if err != nil {
			return nil, err
		}
		parent, err := p.parent()
		if err != nil {
			return nil, err
		}
		return derive(op, xs, parent)
	case "join":
		parent, err := p.expr()
		if err != nil {
			return nil, err
		}
		return parent.Join(), p.expect('>')
	case "fma":
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		if err := p.expect(','); err != nil {
			return nil, err
		}
		k, err := p.int()
		if err != nil {
			return nil, err
		}
		parent, err := p.parent()
		if err != nil {
			return nil, err
		}
		if parent.Rank() != 2 || k < 1 || k&(k-1) != 0 {
			return nil, p.errorf("fma operand of depth %d for a %v accumulator", k, parent.Shape)
		}
		return DotFMA(parent, int(o-'A'), k), nil
	}
	return nil, p.errorf("unknown layout %q", op)
}

// closeShape reads the end of a constructor, `> [shape]`.
func (p *exprParser) closeShape() ([]int, error) {
	if err := p.expect('>'); err != nil {
		return nil, err
	}
	shape, err := p.ints()
	if err != nil {
		return nil, err
	}
	for _, n := range shape {
		if n < 1 || n&(n-1) != 0 {
			return nil, p.errorf("shape %v is not made of powers of two", shape)
		}
	}
	return shape, nil
}

// parent reads `, expr>`.
func (p *exprParser) parent() (*Linear, error) {
	if err := p.expect(','); err != nil {
		return nil, err
	}
	l, err := p.expr()
	if err != nil {
		return nil, err
	}
	return l, p.expect('>')
}

// derive applies restrict, trans or reshape after checking the parameters
// fit the parent.
func derive(op string, xs []int, l *Linear) (*Linear, error) {
	switch op {
	case "restrict":
		if len(xs) != l.Rank() {
			return nil, fmt.Errorf("restrict%v of a rank-%d layout", xs, l.Rank())
		}
		for d, x := range xs {
			if x != 1 && x != l.Shape[d] {
				return nil, fmt.Errorf("restrict%v of %v", xs, l.Shape)
			}
		}
		return l.Restrict(xs), nil
	case "trans":
		seen := make([]bool, l.Rank())
		if len(xs) != l.Rank() {
			return nil, fmt.Errorf("trans%v of a rank-%d layout", xs, l.Rank())
		}
		for _, x := range xs {
			if x >= l.Rank() || seen[x] {
				return nil, fmt.Errorf("trans%v is not a permutation", xs)
			}
			seen[x] = true
		}
		return l.Permute(xs), nil
	}
	n, m := 1, 1
	for _, x := range xs {
		if !pow2(x) {
			return nil, fmt.Errorf("reshape%v: not powers of two", xs)
		}
		n *= x
	}
	for _, x := range l.Shape {
		m *= x
	}
	if n != m {
		return nil, fmt.Errorf("reshape%v of %v", xs, l.Shape)
	}
	return l.Reshape(xs), nil
}

// Join is the layout of join(x, y) for operands in l: the new last dim
// (of size 2) is register bit 0, so each pair sits in adjacent registers.
func (l *Linear) Join() *Linear {
	e := l.ExpandDims(l.Rank())
	e.Shape[len(e.Shape)-1] = 2
	bit := make([]int, len(e.Shape))
	bit[len(bit)-1] = 1
	e.Regs = append([][]int{bit}, e.Regs...)
	e.Def = Def{Op: "join", Parent: l}
	return e
}
