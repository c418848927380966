package ir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParsePrintsBack(t *testing.T) {
	src := `kernel @k(%p: ptr<f32>, %n: i32) constexpr(BLOCK) {
  %0 = program_id {axis = 0} : i32
  %1 = constexpr {name = "BLOCK"} : i32
  %2 = mul %0, %1 : i32
  %3 = arange {start = 0, end = BLOCK} : i32[BLOCK]
  %4 = splat %2 : i32[BLOCK]
  %5 = add %4, %3 : i32[BLOCK]
  %6 = splat %n : i32[BLOCK]
  %7 = cmp %5, %6 {pred = "lt"} : i1[BLOCK]
  %8 = splat %p : ptr<f32>[BLOCK]
  %9 = addptr %8, %5 : ptr<f32>[BLOCK]
  %10 = constant {value = -inf} : f32[BLOCK]
  %11 = load %9, mask %7, other %10 : f32[BLOCK]
  %12, %13 = while %11, %0 : f32[BLOCK], i32 {
  ^(%14: f32[BLOCK], %15: i32):
    %16 = cmp %15, %n {pred = "lt"} : i1
    condition %16, %14, %15
  } {
  ^(%17: f32[BLOCK], %18: i32):
    %19 = constant {value = 1.5e-07} : f32[BLOCK]
    %20 = add %17, %19 : f32[BLOCK]
    %21 = constant {value = 1} : i32
    %22 = add %18, %21 : i32
    yield %20, %22
  }
  store %9, %12, mask %7
  print %12, %13 {prefix = "x\t\"y\""}
}
`
	f, err := ParseFunc("k.tir", src)
	require.NoError(t, err)
	require.Equal(t, src, f.String())
	g, err := Specialize(f, Config{"BLOCK": 16})
	require.NoError(t, err)
	h, err := ParseFunc("g.tir", g.String())
	require.NoError(t, err)
	require.Equal(t, g.String(), h.String())
}

func TestParseErrorsNameTheLine(t *testing.T) {
	for src, want := range map[string]string{
		"kernel @k() {\n  %0 = constant {value = 1} : i32\n":      "x.tir:3: unexpected end of input",
		"kernel @k() {\n  %0 = constant {value = 1} : q32\n}":     `x.tir:2: unknown dtype "q32"`,
		"kernel @k() {\n  %0 = constant {valeu = 1} : i32\n}":     "x.tir:2: constant has no attribute valeu",
		"kernel @k() {\n  %0, %1 = constant {value = 1} : i32\n}": "x.tir:2: constant has 2 results but 1 types",
		"kernel @k(%a: i32, %a: i32) {\n}":                        "repeated parameter name %a",
		"":                                                        "x.tir: no kernel",
		"kernel @k() {\n  %0 = constant {value = \"a} : i32\n}":   "unterminated string",
	} {
		_, err := Parse("x.tir", src)
		require.Error(t, err, src)
		require.Contains(t, err.Error(), want)
	}
}

// FuzzParse: the parser and the verifier never panic, and whatever parses
// prints back to text that parses to the same text.
func FuzzParse(f *testing.F) {
	for _, c := range malformed {
		f.Add(c.src)
	}
	golden, _ := filepath.Glob(filepath.Join("..", "kernels", "all", "testdata", "*.tir"))
	for _, g := range golden {
		if b, err := os.ReadFile(g); err == nil {
			f.Add(string(b))
		}
	}
	f.Add("kernel @k() {\n}\n")
	// The GPU level: the passes' test cases.
	cases, _ := filepath.Glob(filepath.Join("..", "gpu", "testdata", "*.gpu"))
	for _, c := range cases {
		if b, err := os.ReadFile(c); err == nil {
			for _, src := range strings.Split(string(b), "// -----") {
				f.Add(src)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		fs, err := Parse("fuzz.tir", src)
		if err != nil {
			return
		}
		var sb strings.Builder
		for _, fn := range fs {
			sb.WriteString(fn.String())
		}
		again, err := Parse("again.tir", sb.String())
		if err != nil {
			t.Fatalf("printed text does not parse: %v\n%s", err, sb.String())
		}
		var sb2 strings.Builder
		for _, fn := range again {
			sb2.WriteString(fn.String())
		}
		if sb.String() != sb2.String() {
			t.Fatalf("print is not stable:\n%s\n---\n%s", sb.String(), sb2.String())
		}
	})
}
