package emu

import (
	"bytes"
	"math"
	"math/big"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
)

// Kernels compiled by llc-14 from the hand-written LLVM IR in testdata.
// The committed .ptx goldens are what these tests run, so they also run
// where llc is missing; TestGoldensCurrent checks them against llc.

var llKernels = []string{"vecadd", "reduce", "transpose", "cpasync", "mma", "histogram"}

func TestGoldensCurrent(t *testing.T) {
	for _, name := range llKernels {
		got := compileLL(t, name)
		path := filepath.Join("testdata", name+".ptx")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if !bytes.Equal(got, golden(t, name)) {
			t.Errorf("%s is stale: llc output differs; run go test ./ptx/emu -run TestGoldensCurrent -update", path)
		}
	}
}

func randF32(r *rand.Rand, n int) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return v
}

func TestLLCVecAdd(t *testing.T) {
	m := mustParse(t, "vecadd.ptx", golden(t, "vecadd"))
	d := NewDevice(Options{})
	r := rand.New(rand.NewSource(1))
	const n = 1000
	a, b := randF32(r, n), randF32(r, n)
	da, db := alloc(t, d, f32Bytes(a)), alloc(t, d, f32Bytes(b))
	dc := alloc(t, d, nanBytes(4*n))
	res := run(t, d, m, "vecadd", [3]uint32{4}, [3]uint32{256}, da.addr, db.addr, dc.addr, int32(n))
	requireClean(t, res)
	for i, v := range bytesF32(dc.bytes(t)) {
		if v != a[i]+b[i] {
			t.Fatalf("c[%d] = %v, want %v", i, v, a[i]+b[i])
		}
	}
	// Every warp's loads are contiguous 128-byte runs: fully coalesced.
	c := res.Counters
	if c.GlobalLoadEfficiency() != 1 || c.GlobalLoadSectorsPerRequest() > 4 {
		t.Errorf("vecadd loads: efficiency %v, %v sectors/request; want 1 and <= 4", c.GlobalLoadEfficiency(), c.GlobalLoadSectorsPerRequest())
	}
	if c.ThreadInstructions[ClassFloat] != n {
		t.Errorf("float thread-instructions = %d, want %d", c.ThreadInstructions[ClassFloat], n)
	}
}

func TestLLCReduce(t *testing.T) {
	m := mustParse(t, "reduce.ptx", golden(t, "reduce"))
	d := NewDevice(Options{})
	r := rand.New(rand.NewSource(2))
	const ctas = 6
	x := randF32(r, 256*ctas)
	dx := alloc(t, d, f32Bytes(x))
	dout := alloc(t, d, nanBytes(4*ctas))
	res := run(t, d, m, "reduce", [3]uint32{ctas}, [3]uint32{256}, dx.addr, dout.addr)
	requireClean(t, res)
	for c, got := range bytesF32(dout.bytes(t)) {
		var want, mag float64
		for _, v := range x[256*c : 256*(c+1)] {
			want += float64(v)
			mag += math.Abs(float64(v))
		}
		if math.Abs(float64(got)-want) > 1e-5*mag {
			t.Errorf("out[%d] = %v, want %v", c, got, want)
		}
	}
	if res.Counters.Barriers != ctas {
		t.Errorf("barriers = %d, want %d", res.Counters.Barriers, ctas)
	}
}

func TestLLCTranspose(t *testing.T) {
	m := mustParse(t, "transpose.ptx", golden(t, "transpose"))
	d := NewDevice(Options{})
	r := rand.New(rand.NewSource(3))
	for _, sz := range [][2]int{{64, 96}, {45, 70}} {
		h, w := sz[0], sz[1]
		in := randF32(r, h*w)
		din := alloc(t, d, f32Bytes(in))
		dout := alloc(t, d, nanBytes(4*h*w))
		grid := [3]uint32{uint32((w + 31) / 32), uint32((h + 31) / 32)}
		res := run(t, d, m, "transpose", grid, [3]uint32{32, 8}, din.addr, dout.addr, int32(h), int32(w))
		requireClean(t, res)
		out := bytesF32(dout.bytes(t))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				if got := out[x*h+y]; got != in[y*w+x] {
					t.Fatalf("%dx%d: out[%d][%d] = %v, want %v", h, w, x, y, got, in[y*w+x])
				}
			}
		}
		c := res.Counters
		if h%32 == 0 && w%32 == 0 && (c.GlobalLoadEfficiency() != 1 || c.GlobalStoreEfficiency() != 1) {
			t.Errorf("%dx%d: efficiency load %v store %v, want 1", h, w, c.GlobalLoadEfficiency(), c.GlobalStoreEfficiency())
		}
		if c.SharedBankConflicts != 0 {
			t.Errorf("%dx%d: %d bank conflicts with the padded tile, want 0", h, w, c.SharedBankConflicts)
		}
	}
}

func TestLLCCpAsync(t *testing.T) {
	m := mustParse(t, "cpasync.ptx", golden(t, "cpasync"))
	d := NewDevice(Options{})
	r := rand.New(rand.NewSource(4))
	const ctas, tiles = 3, 5
	in := make([]byte, ctas*tiles*128*16)
	r.Read(in)
	din := alloc(t, d, in)
	dout := alloc(t, d, nanBytes(len(in)))
	res := run(t, d, m, "cpasync", [3]uint32{ctas}, [3]uint32{128}, din.addr, dout.addr, int32(tiles))
	requireClean(t, res)
	if got := dout.bytes(t); !bytes.Equal(got, in) {
		i := 0
		for got[i] == in[i] {
			i++
		}
		t.Fatalf("output differs from input at byte %d", i)
	}
	if want := uint64(ctas * tiles * 2); res.Counters.Barriers != want {
		t.Errorf("barriers = %d, want %d", res.Counters.Barriers, want)
	}
}

func TestLLCHistogram(t *testing.T) {
	m := mustParse(t, "histogram.ptx", golden(t, "histogram"))
	d := NewDevice(Options{})
	r := rand.New(rand.NewSource(5))
	const n = 10007
	data := make([]byte, n)
	r.Read(data)
	ddata := alloc(t, d, data)
	dhist := alloc(t, d, make([]byte, 64*4))
	res := run(t, d, m, "histogram", [3]uint32{8}, [3]uint32{256}, ddata.addr, int32(n), dhist.addr)
	requireClean(t, res)
	var want [64]uint32
	for _, b := range data {
		want[b&63]++
	}
	for i, got := range bytesU32(dhist.bytes(t)) {
		if got != want[i] {
			t.Errorf("bin %d = %d, want %d", i, got, want[i])
		}
	}
	if res.Counters.Atomics != n+8*64 {
		t.Errorf("atomics = %d, want %d", res.Counters.Atomics, n+8*64)
	}
}

// halfToF64 decodes f16 (bf16 with bf) bits, written independently of
// fp.Format.Decode.
func halfToF64(h uint16, bf bool) float64 {
	if bf {
		return float64(math.Float32frombits(uint32(h) << 16))
	}
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	e, f := int(h>>10&31), float64(h&1023)
	switch e {
	case 0:
		return sign * f * math.Pow(2, -24)
	case 31:
		if f != 0 {
			return math.NaN()
		}
		return sign * math.Inf(1)
	}
	return sign * (1 + f/1024) * math.Pow(2, float64(e-15))
}

// mmaRef computes D = A*B + C as the documented chain of fma.rn.f32 in k
// order, with big.Float doing the exact arithmetic.
func mmaRef(A [16][16]float64, B [16][8]float64, C [16][8]float32) [16][8]float32 {
	var D [16][8]float32
	for i := 0; i < 16; i++ {
		for j := 0; j < 8; j++ {
			acc := C[i][j]
			for k := 0; k < 16; k++ {
				x := new(big.Float).SetPrec(200).SetFloat64(A[i][k])
				x.Mul(x, new(big.Float).SetFloat64(B[k][j]))
				x.Add(x, new(big.Float).SetFloat64(float64(acc)))
				acc, _ = x.Float32()
			}
			D[i][j] = acc
		}
	}
	return D
}

func randHalf(r *rand.Rand, bf bool) uint16 {
	s := uint16(r.Intn(2)) << 15
	if bf {
		return s | uint16(122+r.Intn(8))<<7 | uint16(r.Intn(128))
	}
	return s | uint16(10+r.Intn(8))<<10 | uint16(r.Intn(1024))
}

func TestLLCMma(t *testing.T) {
	m := mustParse(t, "mma.ptx", golden(t, "mma"))
	d := NewDevice(Options{})
	r := rand.New(rand.NewSource(6))
	for _, bf := range []bool{false, true} {
		var A [16][16]float64
		var B [16][8]float64
		var C [16][8]float32
		aBits := make([]byte, 512)
		bBits := make([]byte, 256) // f16: B row-major 16x8; bf16: B^T row-major 8x16
		for i := 0; i < 16; i++ {
			for k := 0; k < 16; k++ {
				h := randHalf(r, bf)
				A[i][k] = halfToF64(h, bf)
				aBits[2*(16*i+k)], aBits[2*(16*i+k)+1] = byte(h), byte(h>>8)
			}
		}
		for k := 0; k < 16; k++ {
			for j := 0; j < 8; j++ {
				h := randHalf(r, bf)
				B[k][j] = halfToF64(h, bf)
				idx := 8*k + j
				if bf {
					idx = 16*j + k
				}
				bBits[2*idx], bBits[2*idx+1] = byte(h), byte(h>>8)
			}
		}
		cf := make([]float32, 128)
		for i := range cf {
			cf[i] = float32(r.NormFloat64())
			C[i/8][i%8] = cf[i]
		}
		da, db, dc := alloc(t, d, aBits), alloc(t, d, bBits), alloc(t, d, f32Bytes(cf))
		dd := alloc(t, d, nanBytes(512))
		kernel := "mma_f16"
		if bf {
			kernel = "mma_bf16"
		}
		res := run(t, d, m, kernel, [3]uint32{1}, [3]uint32{32}, da.addr, db.addr, dc.addr, dd.addr)
		requireClean(t, res)
		want := mmaRef(A, B, C)
		got := bytesF32(dd.bytes(t))
		for i := 0; i < 16; i++ {
			for j := 0; j < 8; j++ {
				if math.Float32bits(got[8*i+j]) != math.Float32bits(want[i][j]) {
					t.Fatalf("%s: D[%d][%d] = %v, want %v", kernel, i, j, got[8*i+j], want[i][j])
				}
			}
		}
		if res.Counters.MMA != 1 {
			t.Errorf("%s: mma count %d, want 1", kernel, res.Counters.MMA)
		}
	}
}
