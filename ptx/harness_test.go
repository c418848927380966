package ptx

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tilec/tilec/ptx/emu"
)

var update = flag.Bool("update", false, "rewrite the golden .ptx files in testdata")

// readLL returns testdata/name.ll, checked by opt -passes=verify where opt
// is installed.
func readLL(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".ll"))
	if err != nil {
		t.Fatal(err)
	}
	if HaveOpt() {
		if err := Verify(string(b)); err != nil {
			t.Fatalf("testdata/%s.ll: %v", name, err)
		}
	}
	return string(b)
}

// backend is one way to turn LLVM IR into PTX.
type backend struct {
	name    string
	compile func(ll string, t Target) (string, error)
}

var (
	ownBackend = backend{"tilec", CompileText}
	llcBackend = backend{"llc", LLC}
)

// run is one backend's compiled module on a fresh emulated device.
type run struct {
	t       *testing.T
	backend string
	ptx     string
	mod     *emu.Module
	dev     *emu.Device
	rng     *rand.Rand
}

// compileRun compiles ll with a backend and parses it in the emulator.
func compileRun(t *testing.T, b backend, name, ll string, tg Target, seed int64) *run {
	t.Helper()
	src, err := b.compile(ll, tg)
	if err != nil {
		t.Fatalf("%s: compile %s: %v", b.name, name, err)
	}
	mod, err := emu.Parse(name+"."+b.name+".ptx", []byte(src))
	if err != nil {
		t.Fatalf("%s: emulator cannot parse the PTX of %s: %v\n%s", b.name, name, err, numbered(src))
	}
	return &run{t: t, backend: b.name, ptx: src, mod: mod, dev: emu.NewDevice(emu.Options{}), rng: rand.New(rand.NewSource(seed))}
}

// numbered prefixes PTX lines with their numbers, for failure messages.
func numbered(s string) string {
	var sb strings.Builder
	for i, l := range strings.Split(s, "\n") {
		fmt.Fprintf(&sb, "%4d  %s\n", i+1, l)
	}
	return sb.String()
}

// both runs body once per backend (this one, and llc-14 where it is
// installed and the target is within its reach) on identical inputs (the
// same seed) and requires the buffers each returns to be bit-identical.
// body checks results against its Go reference itself.
func both(t *testing.T, name string, tg Target, body func(r *run) [][]byte) {
	t.Helper()
	ll := readLL(t, name)
	own := compileRun(t, ownBackend, name, ll, tg, 1)
	ownOut := body(own)
	if !HaveLLC() {
		t.Skip("llc-14 is not installed (apt-get install llvm-14): the comparison with llc is skipped; tilec's own PTX passed")
	}
	ref := compileRun(t, llcBackend, name, ll, tg, 1)
	refOut := body(ref)
	if len(ownOut) != len(refOut) {
		t.Fatalf("backends returned %d and %d buffers", len(ownOut), len(refOut))
	}
	for i := range ownOut {
		if !bytes.Equal(ownOut[i], refOut[i]) {
			j := 0
			for j < len(ownOut[i]) && ownOut[i][j] == refOut[i][j] {
				j++
			}
			t.Errorf("buffer %d differs between tilec and llc at byte %d", i, j)
		}
	}
}

// alloc copies data to a new device buffer.
func (r *run) alloc(data []byte) uint64 {
	r.t.Helper()
	a, err := r.dev.Alloc(len(data))
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.dev.CopyToDevice(a, data); err != nil {
		r.t.Fatal(err)
	}
	return a
}

// poison allocates n bytes filled with 0xFF (a NaN in every float width),
// for outputs: an element the kernel forgets to write cannot pass.
func (r *run) poison(n int) uint64 {
	return r.alloc(bytes.Repeat([]byte{0xFF}, n))
}

// read copies n bytes back from the device.
func (r *run) read(addr uint64, n int) []byte {
	r.t.Helper()
	b := make([]byte, n)
	if err := r.dev.CopyFromDevice(b, addr); err != nil {
		r.t.Fatal(err)
	}
	return b
}

// launch runs a kernel and requires a clean sanitizer report.
func (r *run) launch(kernel string, grid, block [3]uint32, dyn uint32, args ...any) *emu.Result {
	r.t.Helper()
	res, err := r.dev.Launch(r.mod, kernel, emu.LaunchConfig{Grid: grid, Block: block, DynamicShared: dyn}, args...)
	if err != nil {
		r.t.Fatalf("%s: launch %s: %v", r.backend, kernel, err)
	}
	if !res.Clean() {
		var sb strings.Builder
		for _, f := range res.Findings {
			sb.WriteString("\n  " + f.String())
		}
		r.t.Fatalf("%s: %s: %d sanitizer findings:%s\n%s", r.backend, kernel, res.FindingCount, sb.String(), numbered(r.ptx))
	}
	return res
}

// errorf reports a result mismatch with the backend's name.
func (r *run) errorf(format string, args ...any) {
	r.t.Helper()
	r.t.Errorf("%s: %s", r.backend, fmt.Sprintf(format, args...))
}

func (r *run) randF32(n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.rng.NormFloat64())
		if v[i] == 0 {
			v[i] = 1
		}
	}
	return v
}

func (r *run) randU32(n int) []uint32 {
	v := make([]uint32, n)
	for i := range v {
		v[i] = r.rng.Uint32() | 1
	}
	return v
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

func u16Bytes(v []uint16) []byte {
	out := make([]byte, 2*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint16(out[2*i:], x)
	}
	return out
}

func bytesU16(b []byte) []uint16 {
	out := make([]uint16, len(b)/2)
	for i := range out {
		out[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return out
}

// f16ToF32 decodes an IEEE half.
func f16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int(h>>10) & 0x1F
	man := uint32(h & 0x3FF)
	switch {
	case exp == 0x1F:
		return math.Float32frombits(sign | 0x7F800000 | man<<13)
	case exp == 0:
		v := float32(man) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | man<<13)
}

// f32ToF16 rounds a float32 to the nearest half.
func f32ToF16(x float32) uint16 { return f16Bits(float64(x)) }

// bf16 rounds a float32 to bfloat16 (nearest even) and back.
func bf16Bits(x float32) uint16 {
	b := math.Float32bits(x)
	if x != x {
		return 0x7FFF
	}
	b += 0x7FFF + (b>>16)&1
	return uint16(b >> 16)
}

func bf16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// randF16 returns random halves (normal distribution, never zero).
func (r *run) randF16(n int) []uint16 {
	v := make([]uint16, n)
	for i := range v {
		v[i] = f16Bits(r.rng.NormFloat64())
		if v[i]&0x7FFF == 0 {
			v[i] = 0x3C00
		}
	}
	return v
}
