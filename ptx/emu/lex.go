package emu

import (
	"fmt"
	"strings"
)

// tokKind distinguishes the few token shapes PTX needs.
type tokKind uint8

const (
	tkEOF   tokKind = iota
	tkIdent         // names, directives (.reg), opcodes (add.s32), registers (%r1)
	tkNum           // integer or float literal, as written
	tkStr           // "quoted string"
	tkPunct         // one of { } [ ] ( ) , ; : + - @ ! < > = |
)

type token struct {
	kind tokKind
	text string
	line int
}

// SyntaxError is a parse or decode error at a PTX source line.
type SyntaxError struct {
	File string // module name given to Parse
	Line int    // 1-based source line
	Text string // the offending source text, if known
	Msg  string
}

func (e *SyntaxError) Error() string {
	if e.Text != "" {
		return fmt.Sprintf("%s:%d: %s: %q", e.File, e.Line, e.Msg, e.Text)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || c == '%' || c == '.' || (c|0x20) >= 'a' && (c|0x20) <= 'z'
}

func isIdentChar(c byte) bool {
	return c == '_' || c == '$' || c == '.' || (c|0x20) >= 'a' && (c|0x20) <= 'z' || c >= '0' && c <= '9'
}

// lex splits PTX source into tokens, dropping comments. It fails only on
// characters PTX never uses and on unterminated comments or strings.
func lex(file string, src []byte) ([]token, error) {
	var toks []token
	line := 1
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			start := line
			i += 2
			for i < len(src) && !(src[i] == '*' && i+1 < len(src) && src[i+1] == '/') {
				if src[i] == '\n' {
					line++
				}
				i++
			}
			if i >= len(src) {
				return nil, &SyntaxError{File: file, Line: start, Msg: "unterminated /* comment"}
			}
			i += 2
		case c == '"':
			j := i + 1
			for j < len(src) && src[j] != '"' && src[j] != '\n' {
				j++
			}
			if j >= len(src) || src[j] != '"' {
				return nil, &SyntaxError{File: file, Line: line, Msg: "unterminated string"}
			}
			toks = append(toks, token{tkStr, string(src[i+1 : j]), line})
			i = j + 1
		case c >= '0' && c <= '9':
			j := i + 1
			hex := c == '0' && j < len(src) && strings.IndexByte("xXfFdD", src[j]) >= 0
			for j < len(src) {
				d := src[j]
				if isIdentChar(d) {
					j++
					continue
				}
				// A decimal exponent sign: 1e-5.
				if !hex && (d == '-' || d == '+') && (src[j-1]|0x20) == 'e' {
					j++
					continue
				}
				break
			}
			toks = append(toks, token{tkNum, string(src[i:j]), line})
			i = j
		case isIdentStart(c):
			j := i + 1
			for j < len(src) {
				if isIdentChar(src[j]) {
					j++
					continue
				}
				// Qualifiers such as .shared::cta and .L2::128B.
				if src[j] == ':' && j+2 < len(src) && src[j+1] == ':' && isIdentChar(src[j+2]) {
					j += 2
					continue
				}
				break
			}
			toks = append(toks, token{tkIdent, string(src[i:j]), line})
			i = j
		case strings.IndexByte("{}[](),;:+-@!<>=|", c) >= 0:
			toks = append(toks, token{tkPunct, string(src[i : i+1]), line})
			i++
		default:
			return nil, &SyntaxError{File: file, Line: line, Msg: fmt.Sprintf("unexpected character %q", c)}
		}
	}
	toks = append(toks, token{tkEOF, "", line})
	return toks, nil
}
