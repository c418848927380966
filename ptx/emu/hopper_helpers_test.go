package emu

import (
	"encoding/binary"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Helpers for the Hopper (sm_90a) tests. Everything here is written from
// the PTX ISA's tables and formulas, independently of the emulator's
// implementation: the half-precision encodings, the TMA swizzle pattern
// tables, and a small evaluator of the CuTe layouts in which the ISA
// states the wgmma shared-memory layouts.

const hopperHeader = ".version 8.0\n.target sm_90a\n.address_size 64\n"

// smemDecl declares dynamic shared memory, 1024-byte aligned (128B swizzle).
const smemDecl = ".extern .shared .align 1024 .b8 smem[];\n"

// halfBits returns a random f16 (bf16 when bf) with |v| in [2^lo, 2^(hi+1))
// and random sign: never zero, never subnormal.
func halfBits(r *rand.Rand, bf bool, lo, hi int) uint16 {
	e := lo + r.Intn(hi-lo+1)
	s := uint16(r.Intn(2)) << 15
	if bf {
		return s | uint16(e+127)<<7 | uint16(r.Intn(1<<7))
	}
	return s | uint16(e+15)<<10 | uint16(r.Intn(1<<10))
}

// halfValue decodes a normal f16 or bf16 (or zero).
func halfValue(b uint16, bf bool) float64 {
	mbits, bias := 10, 15
	if bf {
		mbits, bias = 7, 127
	}
	e := int(b>>mbits) & (1<<(15-mbits) - 1)
	m := float64(b & (1<<mbits - 1))
	if e == 0 && m == 0 {
		if b>>15 != 0 {
			return math.Copysign(0, -1)
		}
		return 0
	}
	v := (1 + m/float64(int(1)<<mbits)) * math.Pow(2, float64(e-bias))
	if b>>15 != 0 {
		v = -v
	}
	return v
}

// fmaF32 is one step of the tensor-core accumulation: a*b + acc rounded
// once to f32. With the operand ranges the tests use (products of normal
// halves within a few binades of the accumulator) the float64 sum is
// exact, so converting it is the single rounding.
func fmaF32(a, b float64, acc float32) float32 {
	return float32(a*b + float64(acc))
}

// tmaSwizzle maps a byte offset inside a box (whose start is aligned to
// the pattern) to its swizzled offset, from the ISA's tables: the box is
// seen as lines of 128 bytes holding 8 chunks of 16 bytes, and in line L
// chunk c moves to c XOR (L mod R), R = 8, 4, 2 rows for 128B, 64B, 32B.
func tmaSwizzle(off uint64, span int) uint64 {
	rows := map[int]uint64{0: 1, 32: 2, 64: 4, 128: 8}[span]
	line := off / 128
	chunk := off / 16 % 8
	return off - chunk*16 + (chunk^(line%rows))*16
}

// cuteOffset evaluates a CuTe layout mode: coord is split colexicographically
// over shape (the last extent absorbs the rest) and dotted with stride.
func cuteOffset(coord int, shape, stride []int) int {
	off := 0
	for i := range shape {
		c := coord
		if i < len(shape)-1 {
			c = coord % shape[i]
			coord /= shape[i]
		}
		off += c * stride[i]
	}
	return off
}

// wgLayout is a wgmma shared-memory operand layout in the ISA's terms.
type wgLayout struct {
	span     int // swizzle span in bytes: 0 (none), 32, 64, 128
	mnMajor  bool
	lbo, sbo int // bytes
}

// addr returns the byte address of element (mn, k) of a 16-bit operand
// starting at start, from the ISA's canonical layout table
// (9.7.15.5.1.2.1.3), with T = 8 elements and S = span/16:
//
//	MN-major none: ((T,1,m),(8,k)):((1,T,SBO),(1T,LBO))
//	MN-major swz:  ((T,S,m),(8,k)):((1,T,LBO),(S*T,SBO))
//	K-major none:  ((8,m),(T,2k)):((1T,SBO),(1,LBO))
//	K-major swz:   ((8,m),(T,2k)):((S*T,SBO),(1,T))
//
// in elements, followed by Swizzle<log2 S,4,3> on the byte address.
func (l wgLayout) addr(start uint64, mn, k int) uint64 {
	const T = 8
	S := l.span / 16
	lbo, sbo := l.lbo/2, l.sbo/2
	var off int
	switch {
	case l.mnMajor && l.span == 0:
		off = cuteOffset(mn, []int{T, 1, 1 << 20}, []int{1, T, sbo}) + cuteOffset(k, []int{8, 1 << 20}, []int{T, lbo})
	case l.mnMajor:
		off = cuteOffset(mn, []int{T, S, 1 << 20}, []int{1, T, lbo}) + cuteOffset(k, []int{8, 1 << 20}, []int{S * T, sbo})
	case l.span == 0:
		off = cuteOffset(mn, []int{8, 1 << 20}, []int{T, sbo}) + cuteOffset(k, []int{T, 1 << 20}, []int{1, lbo})
	default:
		off = cuteOffset(mn, []int{8, 1 << 20}, []int{S * T, sbo}) + cuteOffset(k, []int{T, 1 << 20}, []int{1, T})
	}
	a := start + uint64(2*off)
	// Swizzle<B,4,3>: bits [4, 4+B) ^= bits [7, 7+B).
	B := map[int]uint{0: 0, 32: 1, 64: 2, 128: 3}[l.span]
	mask := uint64(1)<<B - 1
	return a ^ (a>>7&mask)<<4
}

// descriptor encodes a wgmma matrix descriptor per the ISA's table.
func (l wgLayout) descriptor(start uint64) uint64 {
	mode := map[int]uint64{0: 0, 128: 1, 64: 2, 32: 3}[l.span]
	enc := func(x int) uint64 { return uint64(x) & 0x3ffff >> 4 }
	return enc(int(start)) | enc(l.lbo)<<16 | enc(l.sbo)<<32 | mode<<62
}

func putU16(b []byte, off uint64, v uint16) { binary.LittleEndian.PutUint16(b[off:], v) }

// ptxasPath finds NVIDIA's ptxas for sm_90a: $PTXAS, /tmp/cuda/bin/ptxas
// or ptxas on PATH; "" when none assembles an sm_90a kernel.
func ptxasPath(t *testing.T) string {
	t.Helper()
	cands := []string{os.Getenv("PTXAS"), "/tmp/cuda/bin/ptxas"}
	if p, err := exec.LookPath("ptxas"); err == nil {
		cands = append(cands, p)
	}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if _, err := os.Stat(c); err != nil {
			continue
		}
		f := filepath.Join(t.TempDir(), "probe.ptx")
		src := hopperHeader + ".visible .entry k() {\n\twgmma.fence.sync.aligned;\n\tret;\n}\n"
		if os.WriteFile(f, []byte(src), 0o644) != nil {
			continue
		}
		if exec.Command(c, "-arch=sm_90a", f, "-o", os.DevNull).Run() == nil {
			return c
		}
	}
	return ""
}

// assemble runs ptxas -arch=sm_90a on src.
func assemble(t *testing.T, ptxas, name, src string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), strings.ReplaceAll(name, "/", "_")+".ptx")
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ptxas, "-arch=sm_90a", f, "-o", os.DevNull).CombinedOutput()
	if err != nil {
		t.Errorf("ptxas %s: %v\n%s", name, err, out)
	}
}

// tensorMapArg encodes m for a .param .align 64 .b8 name[128] argument.
func tensorMapArg(t testing.TB, m TensorMap) []byte {
	t.Helper()
	b, err := EncodeTensorMap(m)
	if err != nil {
		t.Fatalf("EncodeTensorMap: %v", err)
	}
	return b[:]
}

func runDyn(t testing.TB, d *Device, m *Module, grid, block [3]uint32, dyn uint32, args ...any) *Result {
	t.Helper()
	res, err := d.Launch(m, "k", LaunchConfig{Grid: grid, Block: block, DynamicShared: dyn}, args...)
	if err != nil {
		t.Fatalf("launch: %v", err)
	}
	return res
}
