package ptx

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/llir/llvm/asm"
	"github.com/llir/llvm/ir"
)

// fuzzEdit mutates one line of a module: the fuzzer picks the file, the
// line, the kind of edit and its data, so most mutants still parse and
// reach the backend (raw byte mutations of a large module rarely do).
func fuzzEdit(lines []string, line, other uint16, op uint8, data string) []string {
	n := len(lines)
	out := append([]string(nil), lines...)
	i, j := int(line)%n, int(other)%n
	switch op % 8 {
	case 0: // delete a line
		out = append(out[:i], out[i+1:]...)
	case 1: // duplicate a line
		out = append(out[:i+1], out[i:]...)
	case 2: // swap two lines
		out[i], out[j] = out[j], out[i]
	case 3: // replace the first number
		out[i] = reNumber.ReplaceAllLiteralString(out[i], data)
	case 4: // change a type
		for _, p := range [][2]string{{"i32", "i64"}, {"float", "half"}, {"i64", "i16"}, {"half", "double"}, {"i8", "i1"}, {"addrspace(3)", "addrspace(1)"}} {
			if strings.Contains(out[i], p[0]) {
				out[i] = strings.Replace(out[i], p[0], p[1], int(other%3)+1)
				break
			}
		}
	case 5: // use another value: the first local name of line j
		if m := reLocal.FindString(out[j]); m != "" {
			out[i] = reLocal.ReplaceAllLiteralString(out[i], m)
		}
	case 6: // insert a line
		out = append(out[:i], append([]string{data}, out[i:]...)...)
	case 7: // replace an opcode
		for _, p := range [][2]string{{"add", "sub"}, {"fadd", "frem"}, {"icmp slt", "icmp ugt"}, {"sext", "zext"}, {"load", "load volatile"}, {"lshr", "ashr"}, {"fcmp olt", "fcmp uno"}} {
			if strings.Contains(out[i], p[0]) {
				out[i] = strings.Replace(out[i], p[0], p[1], 1)
				break
			}
		}
	}
	return out
}

var (
	reNumber = regexp.MustCompile(`\b\d+\b`)
	reLocal  = regexp.MustCompile(`%[A-Za-z_][A-Za-z0-9_.]*`)
)

// FuzzCompile mutates the testdata modules line by line: whatever still
// parses as LLVM IR must compile or fail with an error, never panic.
// Run it with go test ./ptx -run '^$' -fuzz FuzzCompile -fuzztime 1m.
func FuzzCompile(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.ll"))
	if err != nil {
		f.Fatal(err)
	}
	var mods [][]string
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		mods = append(mods, strings.Split(string(b), "\n"))
	}
	for i := range mods {
		for op := uint8(0); op < 8; op++ {
			f.Add(uint8(i), uint16(40+7*op), uint16(30), op, "7", uint8(op))
		}
	}
	f.Add(uint8(0), uint16(20), uint16(21), uint8(6), "  %zz = alloca i32", uint8(2))
	f.Fuzz(func(t *testing.T, file uint8, line, other uint16, op uint8, data string, sm uint8) {
		src := strings.Join(fuzzEdit(mods[int(file)%len(mods)], line, other, op, data), "\n")
		m := parseOrNil(src)
		if m == nil {
			return
		}
		_, _ = Compile(m, Target{SM: archs[int(sm)%len(archs)].name})
	})
}

// parseOrNil parses LLVM IR. A text the third-party parser panics on, or
// accepts but its printer then panics on (an i1 constant 9), counts as not
// parsing: the fuzz target is about Compile.
func parseOrNil(src string) (m *ir.Module) {
	defer func() {
		if recover() != nil {
			m = nil
		}
	}()
	m, err := asm.ParseString("fuzz.ll", src)
	if err != nil {
		return nil
	}
	_ = m.String()
	fixParsed(m)
	return m
}
