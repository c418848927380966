package kernels

import (
	"fmt"
	"strconv"
	"unicode"
)

// GridExpr is a launch grid axis as an expression over the kernel's scalar
// parameters and meta-parameters: integers, names, + - * / (truncating)
// and cdiv(a, b). It is what lets generated launchers (tilec gen) compute
// the grid from the arguments they are called with, as Triton's AOT
// compiler's grid strings do.
type GridExpr string

// gridNode is a parsed expression.
type gridNode struct {
	op   string // "num", "name", "+", "-", "*", "/", "cdiv"
	num  int64
	name string
	args []*gridNode
}

// parseGrid parses an expression.
func parseGrid(s string) (*gridNode, error) {
	p := &gridParser{s: s}
	n, err := p.expr()
	if err != nil {
		return nil, fmt.Errorf("grid %q: %w", s, err)
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("grid %q: unexpected %q", s, p.s[p.i:])
	}
	return n, nil
}

type gridParser struct {
	s string
	i int
}

func (p *gridParser) space() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *gridParser) peek() byte {
	p.space()
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *gridParser) expr() (*gridNode, error) {
	n, err := p.term()
	for err == nil && (p.peek() == '+' || p.peek() == '-') {
		op := string(p.s[p.i])
		p.i++
		var r *gridNode
		if r, err = p.term(); err == nil {
			n = &gridNode{op: op, args: []*gridNode{n, r}}
		}
	}
	return n, err
}

func (p *gridParser) term() (*gridNode, error) {
	n, err := p.atom()
	for err == nil && (p.peek() == '*' || p.peek() == '/') {
		op := string(p.s[p.i])
		p.i++
		var r *gridNode
		if r, err = p.atom(); err == nil {
			n = &gridNode{op: op, args: []*gridNode{n, r}}
		}
	}
	return n, err
}

func (p *gridParser) atom() (*gridNode, error) {
	c := p.peek()
	switch {
	case c == '(':
		p.i++
		n, err := p.expr()
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, fmt.Errorf("missing )")
		}
		p.i++
		return n, nil
	case c >= '0' && c <= '9':
		j := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		v, err := strconv.ParseInt(p.s[j:p.i], 10, 64)
		return &gridNode{op: "num", num: v}, err
	case c == '_' || unicode.IsLetter(rune(c)):
		j := p.i
		for p.i < len(p.s) && (p.s[p.i] == '_' || unicode.IsLetter(rune(p.s[p.i])) || unicode.IsDigit(rune(p.s[p.i]))) {
			p.i++
		}
		name := p.s[j:p.i]
		if name == "cdiv" && p.peek() == '(' {
			p.i++
			a, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.peek() != ',' {
				return nil, fmt.Errorf("cdiv needs two arguments")
			}
			p.i++
			b, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.peek() != ')' {
				return nil, fmt.Errorf("missing ) after cdiv")
			}
			p.i++
			return &gridNode{op: "cdiv", args: []*gridNode{a, b}}, nil
		}
		return &gridNode{op: "name", name: name}, nil
	}
	return nil, fmt.Errorf("unexpected %q", p.s[p.i:])
}

func (n *gridNode) eval(vals map[string]int64) (int64, error) {
	switch n.op {
	case "num":
		return n.num, nil
	case "name":
		v, ok := vals[n.name]
		if !ok {
			return 0, fmt.Errorf("unknown name %s", n.name)
		}
		return v, nil
	}
	a, err := n.args[0].eval(vals)
	if err != nil {
		return 0, err
	}
	b, err := n.args[1].eval(vals)
	if err != nil {
		return 0, err
	}
	switch n.op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	}
	if b == 0 {
		return 0, fmt.Errorf("division by zero")
	}
	if n.op == "/" {
		return a / b, nil
	}
	return (a + b - 1) / b, nil
}

// Eval evaluates the expression with the given values.
func (g GridExpr) Eval(vals map[string]int64) (int64, error) {
	n, err := parseGrid(string(g))
	if err != nil {
		return 0, err
	}
	return n.eval(vals)
}

// Go translates the expression to Go, naming each identifier through name
// (cdiv becomes a call to a function called cdiv).
func (g GridExpr) Go(name func(string) string) (string, error) {
	n, err := parseGrid(string(g))
	if err != nil {
		return "", err
	}
	var emit func(n *gridNode) string
	emit = func(n *gridNode) string {
		switch n.op {
		case "num":
			return strconv.FormatInt(n.num, 10)
		case "name":
			return name(n.name)
		case "cdiv":
			return "cdiv(" + emit(n.args[0]) + ", " + emit(n.args[1]) + ")"
		}
		return "(" + emit(n.args[0]) + " " + n.op + " " + emit(n.args[1]) + ")"
	}
	return emit(n), nil
}

// Names lists the identifiers the expression uses.
func (g GridExpr) Names() ([]string, error) {
	n, err := parseGrid(string(g))
	if err != nil {
		return nil, err
	}
	var out []string
	var walk func(n *gridNode)
	walk = func(n *gridNode) {
		if n.op == "name" {
			out = append(out, n.name)
		}
		for _, a := range n.args {
			walk(a)
		}
	}
	walk(n)
	return out, nil
}

// GridValues returns the values a launch's grid expressions see: its
// integer arguments by parameter name and its config.
func (l *Launch) GridValues() map[string]int64 {
	vals := map[string]int64{}
	for k, v := range l.Config {
		vals[k] = int64(v)
	}
	for i, a := range l.Args {
		if a.kind == argInt && i < len(l.Kernel.Params) {
			vals[l.Kernel.Params[i].Name] = a.Int
		}
	}
	return vals
}

// CheckGrid verifies that the launch's grid expressions give its grid.
func (l *Launch) CheckGrid() error {
	vals := l.GridValues()
	for i, e := range l.GridExpr {
		if e == "" {
			return fmt.Errorf("launch of %s has no grid expression for axis %d", l.Kernel.Name, i)
		}
		v, err := e.Eval(vals)
		if err != nil {
			return fmt.Errorf("launch of %s: %w", l.Kernel.Name, err)
		}
		if int(v) != l.Grid[i] {
			return fmt.Errorf("launch of %s: grid axis %d is %d, but %s gives %d", l.Kernel.Name, i, l.Grid[i], e, v)
		}
	}
	return nil
}
