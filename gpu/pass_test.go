package gpu_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/gpu"
	"github.com/tilec/tilec/ir"
)

// The passes' tests are text in, text out, in the style of LLVM's lit and
// FileCheck: each file of testdata holds cases separated by "// -----";
// a case is a kernel (tile IR for the layouts pass, else the GPU level as
// the pass before leaves it), a "// RUN: pass[, pass...]" line naming the
// passes to run (the verifier runs after each), and directives about the
// printed result, matched in order against its lines:
//
//	// CHECK: text        a later line contains text
//	// CHECK-NEXT: text   the line right after the previous match contains text
//	// CHECK-NOT: text    no line between the previous match and the next
//	                      CHECK (or the end) contains text
//	// ERROR: text        the passes (or the verifier, reading the input)
//	                      fail with an error containing text
func TestPassesOnTestdata(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.gpu"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		src, err := os.ReadFile(file)
		require.NoError(t, err)
		for i, c := range strings.Split(string(src), "// -----") {
			name := strings.TrimSuffix(filepath.Base(file), ".gpu")
			t.Run(name+"/"+string(rune('a'+i)), func(t *testing.T) { runCase(t, file, c) })
		}
	}
}

type directive struct{ kind, text string }

func runCase(t *testing.T, file, src string) {
	var passes []gpu.Pass
	var ds []directive
	for _, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		rest, ok := strings.CutPrefix(line, "// ")
		if !ok {
			continue
		}
		kind, text, ok := strings.Cut(rest, ": ")
		if !ok {
			continue
		}
		switch kind {
		case "RUN":
			for _, n := range strings.Split(text, ",") {
				p, ok := gpu.Lookup(strings.TrimSpace(n))
				require.Truef(t, ok, "no pass %q", n)
				passes = append(passes, p)
			}
		case "CHECK", "CHECK-NEXT", "CHECK-NOT", "ERROR":
			ds = append(ds, directive{kind, strings.TrimSpace(text)})
		}
	}
	require.NotEmpty(t, passes, "a case needs a RUN line")
	f, err := ir.ParseFunc(file, src)
	if err == nil {
		if f.GPU == nil { // the layouts pass starts from the tile IR
			f.GPU = &ir.GPUInfo{SM: 80}
		}
		for _, p := range passes {
			if err = gpu.RunPass(f, p, true); err != nil {
				break
			}
		}
	}
	if len(ds) > 0 && ds[0].kind == "ERROR" {
		require.Error(t, err)
		require.ErrorContains(t, err, ds[0].text)
		return
	}
	require.NoError(t, err)
	out := f.String()
	// What a pass prints, it parses back.
	g, err := ir.ParseFunc("printed", out)
	require.NoError(t, err, out)
	require.Equal(t, out, g.String())
	check(t, out, ds)
}

// check matches the directives against the lines of out.
func check(t *testing.T, out string, ds []directive) {
	lines := strings.Split(out, "\n")
	at := 0 // the first line a CHECK may match
	var not []string
	for _, d := range ds {
		switch d.kind {
		case "CHECK-NOT":
			not = append(not, d.text)
			continue
		case "CHECK-NEXT":
			require.Lessf(t, at, len(lines), "CHECK-NEXT: %s: no line after the previous match\n%s", d.text, out)
			require.Containsf(t, lines[at], d.text, "CHECK-NEXT: %s\n%s", d.text, out)
			at++
			continue
		}
		found := -1
		for i := at; i < len(lines); i++ {
			if strings.Contains(lines[i], d.text) {
				found = i
				break
			}
		}
		require.GreaterOrEqualf(t, found, 0, "CHECK: %s: not found after line %d\n%s", d.text, at, out)
		notBetween(t, lines[at:found], not, out)
		not = nil
		at = found + 1
	}
	notBetween(t, lines[at:], not, out)
}

func notBetween(t *testing.T, lines, not []string, out string) {
	for _, n := range not {
		for _, l := range lines {
			require.NotContainsf(t, l, n, "CHECK-NOT: %s\n%s", n, out)
		}
	}
}
