package emu

import (
	"bytes"
	"encoding/binary"
	"flag"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the .ptx goldens in testdata from llc")

// llcPath returns llc-14, or llc, or "" when neither is installed.
func llcPath() string {
	for _, n := range []string{"llc-14", "llc"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// compileLL runs llc on testdata/name.ll and returns the PTX.
func compileLL(t *testing.T, name string) []byte {
	t.Helper()
	llc := llcPath()
	if llc == "" {
		t.Skip("neither llc-14 nor llc is installed (apt-get install llvm-14); the .ptx goldens are still tested")
	}
	// The goldens are LLVM 14's output; another version prints other text.
	if v, err := exec.Command(llc, "--version").Output(); err != nil || !bytes.Contains(v, []byte("LLVM version 14.")) {
		t.Skipf("%s is not LLVM 14 (%v); install llvm-14 to check the .ptx goldens", llc, err)
	}
	out, err := exec.Command(llc, "-march=nvptx64", "-mcpu=sm_80", "-mattr=+ptx75", filepath.Join("testdata", name+".ll"), "-o", "-").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("llc %s: %v\n%s", name, err, ee.Stderr)
		}
		t.Fatalf("llc %s: %v", name, err)
	}
	return out
}

// golden returns testdata/name.ptx, the committed llc output.
func golden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".ptx"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t testing.TB, name string, src []byte) *Module {
	t.Helper()
	m, err := Parse(name, src)
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	return m
}

// buf is a device buffer in a test.
type buf struct {
	d    *Device
	addr uint64
	n    int
}

func alloc(t testing.TB, d *Device, data []byte) buf {
	t.Helper()
	a, err := d.Alloc(len(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.CopyToDevice(a, data); err != nil {
		t.Fatal(err)
	}
	return buf{d, a, len(data)}
}

func (b buf) bytes(t testing.TB) []byte {
	t.Helper()
	out := make([]byte, b.n)
	if err := b.d.CopyFromDevice(out, b.addr); err != nil {
		t.Fatal(err)
	}
	return out
}

func f32Bytes(v []float32) []byte {
	out := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(x))
	}
	return out
}

func bytesF32(b []byte) []float32 {
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func u32Bytes(v []uint32) []byte {
	out := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(out[4*i:], x)
	}
	return out
}

func bytesU32(b []byte) []uint32 {
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}

func u64Bytes(v []uint64) []byte {
	out := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(out[8*i:], x)
	}
	return out
}

func bytesU64(b []byte) []uint64 {
	out := make([]uint64, len(b)/8)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return out
}

// nanBytes is n bytes of f32 NaN poison for output buffers.
func nanBytes(n int) []byte {
	return bytes.Repeat([]byte{0xff, 0xff, 0xbf, 0x7f}, n/4)
}

func run(t testing.TB, d *Device, m *Module, kernel string, grid, block [3]uint32, args ...any) *Result {
	t.Helper()
	res, err := d.Launch(m, kernel, LaunchConfig{Grid: grid, Block: block}, args...)
	if err != nil {
		t.Fatalf("launch %s: %v", kernel, err)
	}
	return res
}

// requireClean fails the test if the sanitizer reported anything.
func requireClean(t testing.TB, res *Result) {
	t.Helper()
	if res.FindingCount != 0 {
		var sb strings.Builder
		for _, f := range res.Findings {
			sb.WriteString("\n  " + f.String())
		}
		t.Fatalf("%d sanitizer findings:%s", res.FindingCount, sb.String())
	}
}

// ptxHeader starts every inline test module.
const ptxHeader = ".version 7.5\n.target sm_80\n.address_size 64\n"
