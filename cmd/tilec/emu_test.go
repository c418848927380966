package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const vecaddPTX = "../../ptx/emu/testdata/vecadd.ptx"

// runEmuCLI runs `tilec emu args...` and returns the exit code and stdout.
func runEmuCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	t.Cleanup(func() { rootCmd.SetOut(nil) })
	code := run(append([]string{"emu"}, args...))
	return code, out.String()
}

func readF32File(t *testing.T, path string) []float32 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

func TestEmuVecAdd(t *testing.T) {
	dir := t.TempDir()
	// b comes from a file: element i = 0.5*i.
	bfile := filepath.Join(dir, "b.bin")
	raw := make([]byte, 4*1000)
	for i := 0; i < 1000; i++ {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(0.5*float32(i)))
	}
	if err := os.WriteFile(bfile, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := runEmuCLI(t, vecaddPTX, "--kernel", "vecadd", "--grid", "4", "--block", "256",
		"--arg", "ptr:f32:1000:range", "--arg", "ptr:f32:1000:file="+bfile, "--arg", "ptr:f32:1000:zeros", "--arg", "i32:1000", "--out", dir)
	if code != exitOK {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
	if !strings.Contains(out, "sanitizer: clean") || !strings.Contains(out, "global loads:  64 requests, 250 sectors") {
		t.Errorf("report lacks the clean verdict or the load counters:\n%s", out)
	}
	c := readF32File(t, filepath.Join(dir, "arg2.bin"))
	for i, v := range c {
		if v != 1.5*float32(i) {
			t.Fatalf("c[%d] = %v, want %v", i, v, 1.5*float32(i))
		}
	}
	if a := readF32File(t, filepath.Join(dir, "arg0.bin")); a[999] != 999 {
		t.Errorf("arg0.bin[999] = %v, want the range init 999", a[999])
	}
	if _, err := os.Stat(filepath.Join(dir, "arg3.bin")); err == nil {
		t.Error("a scalar argument must not produce a .bin file")
	}
}

func TestEmuFindingsJSON(t *testing.T) {
	dir := t.TempDir()
	// c holds only 900 elements: the last 100 stores are out of bounds.
	code, out := runEmuCLI(t, vecaddPTX, "--grid", "4", "--block", "256", "--json",
		"--arg", "ptr:f32:1000:rand", "--arg", "ptr:f32:1000:rand", "--arg", "ptr:f32:900:zeros", "--arg", "i32:1000", "--out", dir)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d; output:\n%s", code, exitFindings, out)
	}
	var rep struct {
		Clean        bool
		FindingCount int
		Findings     []struct {
			Kind   string
			Kernel string
			CTA    [3]uint32
			Thread [3]uint32
			Line   int
		}
		Counters struct {
			ThreadInstructionsByClass map[string]uint64
			GlobalStoreRequests       uint64
		}
		Outputs []string
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, out)
	}
	if rep.Clean || rep.FindingCount != 100 || len(rep.Findings) == 0 || len(rep.Outputs) != 3 {
		t.Fatalf("report: clean %v, %d findings, %d outputs", rep.Clean, rep.FindingCount, len(rep.Outputs))
	}
	f := rep.Findings[0]
	if f.Kind != "out-of-bounds" || f.Kernel != "vecadd" || f.CTA != [3]uint32{3} || f.Thread != [3]uint32{132} || f.Line != 42 {
		t.Errorf("first finding %+v, want out-of-bounds in vecadd, CTA 3, thread 132, line 42", f)
	}
	// Stores that were skipped are not memory traffic: the three warps
	// whose lanes all fall past the 900 elements issue no request.
	if rep.Counters.ThreadInstructionsByClass["float"] != 1000 || rep.Counters.GlobalStoreRequests != 29 {
		t.Errorf("counters %+v", rep.Counters)
	}
}

func TestEmuBadInput(t *testing.T) {
	dir := t.TempDir()
	good := []string{"--arg", "ptr:f32:8:zeros", "--arg", "ptr:f32:8:zeros", "--arg", "ptr:f32:8:zeros", "--arg", "i32:8"}
	cases := map[string][]string{
		"missing file":   append([]string{filepath.Join(dir, "none.ptx"), "--block", "32"}, good...),
		"unknown kernel": append([]string{vecaddPTX, "--kernel", "nope", "--block", "32"}, good...),
		"no block":       append([]string{vecaddPTX}, good...),
		"bad grid":       append([]string{vecaddPTX, "--block", "32", "--grid", "1,x"}, good...),
		"too few args":   {vecaddPTX, "--block", "32", "--arg", "ptr:f32:8:zeros"},
		"bad type":       {vecaddPTX, "--block", "32", "--arg", "ptr:f17:8:zeros", "--arg", "ptr:f32:8:zeros", "--arg", "ptr:f32:8:zeros", "--arg", "i32:8"},
		"bad init":       {vecaddPTX, "--block", "32", "--arg", "ptr:f32:8:ones", "--arg", "ptr:f32:8:zeros", "--arg", "ptr:f32:8:zeros", "--arg", "i32:8"},
		"scalar as ptr":  {vecaddPTX, "--block", "32", "--arg", "ptr:f32:8:zeros", "--arg", "ptr:f32:8:zeros", "--arg", "ptr:f32:8:zeros", "--arg", "ptr:i32:8:zeros"},
		"wrong scalar":   {vecaddPTX, "--block", "32", "--arg", "ptr:f32:8:zeros", "--arg", "ptr:f32:8:zeros", "--arg", "ptr:f32:8:zeros", "--arg", "f64:1"},
		"short file":     {vecaddPTX, "--block", "32", "--arg", "ptr:f32:8:file=" + vecaddPTX, "--arg", "ptr:f32:8:zeros", "--arg", "ptr:f32:8:zeros", "--arg", "i32:8"},
		"huge block":     append([]string{vecaddPTX, "--block", "2048"}, good...),
		"unknown flag":   append([]string{vecaddPTX, "--block", "32", "--frobnicate"}, good...),
	}
	bad := filepath.Join(dir, "bad.ptx")
	if err := os.WriteFile(bad, []byte(".version 7.5\n.target sm_80\n.visible .entry k() {\n\tfoo.bar %r1;\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases["unsupported instruction"] = []string{bad, "--block", "32"}
	for name, args := range cases {
		if code, out := runEmuCLI(t, append(args, "--out", dir)...); code != exitBadInput {
			t.Errorf("%s: exit %d, want %d\n%s", name, code, exitBadInput, out)
		}
	}
}
