package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// NVIDIA's assembler and disassembler, for the tests that check what
// ptxas makes of tilec's PTX without a GPU. They ship with the CUDA toolkit;
// scripts/get-ptxas.sh unpacks CUDA 12.4's from Debian, and .ci/run points
// TILEC_PTXAS and TILEC_CUOBJDUMP at them and sets TILEC_REQUIRE_PTXAS=1.
const (
	envPTXAS        = "TILEC_PTXAS"
	envCuobjdump    = "TILEC_CUOBJDUMP"
	envRequirePTXAS = "TILEC_REQUIRE_PTXAS"
)

// needTool skips t, saying why, or fails it under TILEC_REQUIRE_PTXAS=1.
func needTool(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(envRequirePTXAS) == "1" {
		t.Fatalf("%s=1 but %s", envRequirePTXAS, msg)
	}
	t.Skip(msg)
}

// ptxasPath returns NVIDIA's assembler: TILEC_PTXAS, else ptxas on the
// PATH. Without either the test skips (fails under TILEC_REQUIRE_PTXAS=1).
func ptxasPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(envPTXAS); p != "" {
		if _, err := os.Stat(p); err != nil {
			needTool(t, "%s=%s: %v", envPTXAS, p, err)
		}
		return p
	}
	p, err := exec.LookPath("ptxas")
	if err != nil {
		needTool(t, "ptxas not found: set %s or put the CUDA toolkit's ptxas on the PATH (scripts/get-ptxas.sh fetches CUDA 12.4's)", envPTXAS)
	}
	return p
}

// cuobjdumpPath returns NVIDIA's cubin dumper: TILEC_CUOBJDUMP, else the
// cuobjdump beside ptxas, else cuobjdump on the PATH; it skips (or fails)
// like ptxasPath.
func cuobjdumpPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(envCuobjdump); p != "" {
		if _, err := os.Stat(p); err != nil {
			needTool(t, "%s=%s: %v", envCuobjdump, p, err)
		}
		return p
	}
	if p := os.Getenv(envPTXAS); p != "" {
		beside := filepath.Join(filepath.Dir(p), "cuobjdump")
		if _, err := os.Stat(beside); err == nil {
			return beside
		}
	}
	p, err := exec.LookPath("cuobjdump")
	if err != nil {
		needTool(t, "cuobjdump not found: set %s or put the CUDA toolkit's cuobjdump on the PATH (scripts/get-ptxas.sh fetches it)", envCuobjdump)
	}
	return p
}

// ptxasFunc is what ptxas -v reports for one function.
type ptxasFunc struct {
	Name        string
	Entry       bool // a kernel (.entry), not a .func
	Registers   int  // "Used N registers"; -1 when not reported
	StackFrame  int  // bytes
	SpillStores int  // bytes
	SpillLoads  int  // bytes
}

// ptxasReport is one ptxas run: the functions, the whole log, and the
// lines that are problems (warnings and performance advisories such as
// wgmma serialization).
type ptxasReport struct {
	Funcs    []ptxasFunc
	Log      string
	Problems []string
	Cubin    string // the path of the cubin written
}

// Entry returns the report of the kernel called name, or nil.
func (r *ptxasReport) Entry(name string) *ptxasFunc {
	for i := range r.Funcs {
		if r.Funcs[i].Entry && r.Funcs[i].Name == name {
			return &r.Funcs[i]
		}
	}
	return nil
}

var (
	ptxasEntry    = regexp.MustCompile(`Compiling entry function '([^']+)'`)
	ptxasProps    = regexp.MustCompile(`Function properties for (\S+)`)
	ptxasFrame    = regexp.MustCompile(`(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads`)
	ptxasUsed     = regexp.MustCompile(`Used (\d+) registers`)
	ptxasProblems = regexp.MustCompile(`(?i)warning|Potential Performance Loss|serializ`)
)

// assemblePTX runs ptxas -v (with spill and local-memory warnings) on ptx
// for arch (e.g. "sm_90a"), writing name.ptx and name.cubin into dir, and
// parses its report. An error is a failed run, with the log. Safe for
// concurrent use with distinct names.
func assemblePTX(ptxas, dir, name, ptx, arch string) (*ptxasReport, error) {
	src := filepath.Join(dir, name+".ptx")
	if err := os.WriteFile(src, []byte(ptx), 0o644); err != nil {
		return nil, fmt.Errorf("writing %s: %w", src, err)
	}
	cubin := filepath.Join(dir, name+".cubin")
	out, err := exec.Command(ptxas, "-arch="+arch, "-v", "-warn-spills", "-warn-lmem-usage", src, "-o", cubin).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("ptxas -arch=%s %s: %w\n%s", arch, src, err, out)
	}
	r := &ptxasReport{Log: string(out), Cubin: cubin}
	var cur *ptxasFunc
	find := func(name string, entry bool) *ptxasFunc {
		for i := range r.Funcs {
			if r.Funcs[i].Name == name {
				r.Funcs[i].Entry = r.Funcs[i].Entry || entry
				return &r.Funcs[i]
			}
		}
		r.Funcs = append(r.Funcs, ptxasFunc{Name: name, Entry: entry, Registers: -1})
		return &r.Funcs[len(r.Funcs)-1]
	}
	for _, line := range strings.Split(string(out), "\n") {
		atoi := func(s []byte) int { n, _ := strconv.Atoi(string(s)); return n }
		switch {
		case ptxasEntry.MatchString(line):
			cur = find(ptxasEntry.FindStringSubmatch(line)[1], true)
		case ptxasProps.MatchString(line):
			cur = find(ptxasProps.FindStringSubmatch(line)[1], false)
		case ptxasFrame.MatchString(line) && cur != nil:
			m := ptxasFrame.FindSubmatch([]byte(line))
			cur.StackFrame, cur.SpillStores, cur.SpillLoads = atoi(m[1]), atoi(m[2]), atoi(m[3])
		case ptxasUsed.MatchString(line) && cur != nil:
			cur.Registers = atoi(ptxasUsed.FindSubmatch([]byte(line))[1])
		}
		if ptxasProblems.MatchString(line) {
			r.Problems = append(r.Problems, strings.TrimSpace(line))
		}
	}
	return r, nil
}

// cubinSASS returns the SASS of function fn in a cubin (ptxas -o), as
// cuobjdump -sass prints it: the instruction lines after "Function : fn"
// up to the next function. It fails t when cuobjdump fails or the cubin
// has no such function.
func cubinSASS(t testing.TB, cuobjdump, cubin, fn string) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(cuobjdump, "-sass", cubin)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cuobjdump -sass %s: %v\n%s", cubin, err, stderr.String())
	}
	sass, ok := sassFunction(string(out), fn)
	if !ok {
		t.Fatalf("cuobjdump -sass %s: no function %q in:\n%s", cubin, fn, out)
	}
	return sass
}

// sassFunction cuts one function out of cuobjdump -sass output.
func sassFunction(dump, fn string) (string, bool) {
	const marker = "Function : "
	for _, sec := range strings.Split(dump, marker)[1:] {
		name, body, _ := strings.Cut(sec, "\n")
		if strings.TrimSpace(name) != fn {
			continue
		}
		// The section runs to the end of the dump or to the next
		// function's header line (the tabs before its marker).
		return strings.TrimRight(body, " \t\n"), true
	}
	return "", false
}
