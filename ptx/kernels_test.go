package ptx

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/tilec/tilec/ptx/emu"
)

// Each test runs a testdata kernel compiled by this backend and by llc-14
// on the emulator, checks it against a Go reference, requires a clean
// sanitizer, and requires both backends to write identical bytes.

func TestVecAdd(t *testing.T) {
	const n = 1000
	t.Run("f32", func(t *testing.T) {
		both(t, "vecadd", Target{}, func(r *run) [][]byte {
			a, b := r.randF32(n), r.randF32(n)
			da, db, dc := r.alloc(f32Bytes(a)), r.alloc(f32Bytes(b)), r.poison(4*n)
			r.launch("vecadd_f32", [3]uint32{4}, [3]uint32{256}, 0, da, db, dc, int32(n))
			out := r.read(dc, 4*n)
			for i, v := range bytesF32(out) {
				if v != a[i]+b[i] {
					r.errorf("c[%d] = %v, want %v", i, v, a[i]+b[i])
					break
				}
			}
			return [][]byte{out}
		})
	})
	t.Run("f16", func(t *testing.T) {
		both(t, "vecadd", Target{}, func(r *run) [][]byte {
			a, b := r.randF16(n), r.randF16(n)
			da, db, dc := r.alloc(u16Bytes(a)), r.alloc(u16Bytes(b)), r.poison(2*n)
			r.launch("vecadd_f16", [3]uint32{8}, [3]uint32{128}, 0, da, db, dc, int32(n))
			out := r.read(dc, 2*n)
			for i, v := range bytesU16(out) {
				if want := f16Bits(float64(f16ToF32(a[i])) + float64(f16ToF32(b[i]))); v != want {
					r.errorf("c[%d] = %#04x, want %#04x", i, v, want)
					break
				}
			}
			return [][]byte{out}
		})
	})
	t.Run("h2", func(t *testing.T) {
		both(t, "vecadd", Target{}, func(r *run) [][]byte {
			a, b := r.randF16(2*n), r.randF16(2*n)
			da, db, dc := r.alloc(u16Bytes(a)), r.alloc(u16Bytes(b)), r.poison(4*n)
			r.launch("vecadd_h2", [3]uint32{4}, [3]uint32{256}, 0, da, db, dc, int32(n))
			out := r.read(dc, 4*n)
			for i, v := range bytesU16(out) {
				if want := f16Bits(float64(f16ToF32(a[i])) + float64(f16ToF32(b[i]))); v != want {
					r.errorf("c[%d] = %#04x, want %#04x", i, v, want)
					break
				}
			}
			return [][]byte{out}
		})
	})
}

func TestLoopPhis(t *testing.T) {
	t.Run("swap", func(t *testing.T) {
		const threads, n = 64, 5
		both(t, "loop", Target{}, func(r *run) [][]byte {
			x0, y0 := r.randF32(1)[0], r.randF32(1)[0]
			dout := r.poison(4 * 3 * threads)
			r.launch("swaploop", [3]uint32{1}, [3]uint32{threads}, 0, dout, int32(n), x0, y0)
			out := bytesF32(r.read(dout, 4*3*threads))
			for tid := 0; tid < threads; tid++ {
				x, y, acc := x0, y0+float32(tid), float32(0)
				for i := 0; ; {
					d := x
					if i&1 == 0 {
						d = x * 2
					}
					acc += d
					i++
					if i >= n+tid {
						break
					}
					x, y = y, x
				}
				if got := out[3*tid : 3*tid+3]; got[0] != acc || got[1] != x || got[2] != y {
					r.errorf("thread %d: acc, x, y = %v, want %v %v %v", tid, got, acc, x, y)
				}
			}
			return [][]byte{f32Bytes(out)}
		})
	})
	t.Run("rotate", func(t *testing.T) {
		const threads = 96
		both(t, "loop", Target{}, func(r *run) [][]byte {
			in := r.randU32(threads)
			for i := range in {
				in[i] %= 300
			}
			din, dout := r.alloc(u32Bytes(in)), r.poison(4*6*threads)
			r.launch("rotate", [3]uint32{1}, [3]uint32{threads}, 0, dout, din)
			out := bytesU32(r.read(dout, 4*6*threads))
			for tid, v := range in {
				a, b, c, f0, f1, flag, k := v, uint32(1), uint32(2), uint32(0), uint32(1), v > 100, uint32(tid)
				cnt := v & 31
				for i := uint32(0); ; {
					f2 := f0 + f1
					i++
					if i > cnt {
						break
					}
					a, b, c = b, c, a
					f0, f1 = f1, f2
					flag = !flag
					k = 7
				}
				fz := uint32(0)
				if flag {
					fz = 1
				}
				want := []uint32{a, b, c, f1, fz, k}
				got := out[6*tid : 6*tid+6]
				for j := range want {
					if got[j] != want[j] {
						r.errorf("thread %d: %v, want %v", tid, got, want)
						break
					}
				}
			}
			return [][]byte{u32Bytes(out)}
		})
	})
}

func TestReduce(t *testing.T) {
	t.Run("f32", func(t *testing.T) {
		const ctas = 6
		both(t, "reduce", Target{}, func(r *run) [][]byte {
			x := r.randF32(256 * ctas)
			dx, dout := r.alloc(f32Bytes(x)), r.poison(4*ctas)
			res := r.launch("reduce_f32", [3]uint32{ctas}, [3]uint32{256}, 0, dx, dout)
			out := bytesF32(r.read(dout, 4*ctas))
			for c, got := range out {
				var want, mag float64
				for _, v := range x[256*c : 256*(c+1)] {
					want += float64(v)
					mag += math.Abs(float64(v))
				}
				if math.Abs(float64(got)-want) > 1e-5*mag {
					r.errorf("out[%d] = %v, want %v", c, got, want)
				}
			}
			if res.Counters.Barriers != ctas {
				r.errorf("barriers = %d, want %d", res.Counters.Barriers, ctas)
			}
			return [][]byte{f32Bytes(out)}
		})
	})
	t.Run("scan", func(t *testing.T) {
		const threads = 128
		both(t, "reduce", Target{}, func(r *run) [][]byte {
			x := r.randU32(threads)
			for i := range x {
				x[i] = x[i] % 1000
			}
			dx, dout, dstats := r.alloc(u32Bytes(x)), r.poison(4*threads), r.poison(4*4*threads/32)
			r.launch("warp_scan", [3]uint32{1}, [3]uint32{threads}, 0, dx, dout, dstats)
			out := bytesU32(r.read(dout, 4*threads))
			stats := bytesU32(r.read(dstats, 4*4*threads/32))
			for w := 0; w < threads/32; w++ {
				var sum, mask, odd uint32
				for l := 0; l < 32; l++ {
					v := x[32*w+l]
					sum += v
					if out[32*w+l] != sum {
						r.errorf("scan[%d] = %d, want %d", 32*w+l, out[32*w+l], sum)
					}
					if v&1 != 0 {
						mask |= 1 << l
						odd++
					}
				}
				if want := []uint32{sum, sum, mask, odd}; !equalU32(stats[4*w:4*w+4], want) {
					r.errorf("warp %d: total, down-sum, ballot, popc = %v, want %v", w, stats[4*w:4*w+4], want)
				}
			}
			return [][]byte{u32Bytes(out), u32Bytes(stats)}
		})
	})
}

func equalU32(a, b []uint32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestTranspose(t *testing.T) {
	for _, sz := range [][2]int{{64, 96}, {45, 70}} {
		h, w := sz[0], sz[1]
		t.Run(fmt.Sprintf("%dx%d", h, w), func(t *testing.T) {
			both(t, "transpose", Target{}, func(r *run) [][]byte {
				in := r.randF32(h * w)
				din, dout := r.alloc(f32Bytes(in)), r.poison(4*h*w)
				grid := [3]uint32{uint32((w + 31) / 32), uint32((h + 31) / 32)}
				res := r.launch("transpose", grid, [3]uint32{32, 8}, 0, din, dout, int32(h), int32(w))
				out := bytesF32(r.read(dout, 4*h*w))
				for y := 0; y < h; y++ {
					for x := 0; x < w; x++ {
						if got := out[x*h+y]; got != in[y*w+x] {
							r.errorf("out[%d][%d] = %v, want %v", x, y, got, in[y*w+x])
							return nil
						}
					}
				}
				if c := res.Counters; c.SharedBankConflicts != 0 {
					r.errorf("%d shared bank conflicts with the padded tile, want 0", c.SharedBankConflicts)
				}
				return [][]byte{f32Bytes(out)}
			})
		})
	}
}

func TestCpAsync(t *testing.T) {
	t.Run("intrinsics", func(t *testing.T) {
		const ctas, tiles = 3, 5
		both(t, "cpasync", Target{}, func(r *run) [][]byte {
			in := make([]byte, ctas*tiles*128*16)
			r.rng.Read(in)
			in8, in4 := make([]byte, ctas*128*8), make([]byte, ctas*128*4)
			r.rng.Read(in8)
			r.rng.Read(in4)
			din, dout := r.alloc(in), r.poison(len(in))
			din8, dout8 := r.alloc(in8), r.poison(len(in8))
			din4, dout4 := r.alloc(in4), r.poison(len(in4))
			res := r.launch("cpasync_intr", [3]uint32{ctas}, [3]uint32{128}, 0, din, dout, int32(tiles), din8, dout8, din4, dout4)
			out, out8, out4 := r.read(dout, len(in)), r.read(dout8, len(in8)), r.read(dout4, len(in4))
			if !bytes.Equal(out, in) {
				r.errorf("tiles: output differs from input")
			}
			for c := 0; c < ctas; c++ {
				for tid := 0; tid < 128; tid++ {
					e, m := c*128+tid, c*128+127-tid
					if !bytes.Equal(out8[8*e:8*e+8], in8[8*m:8*m+8]) || !bytes.Equal(out4[4*e:4*e+4], in4[4*m:4*m+4]) {
						r.errorf("CTA %d thread %d: 8- or 4-byte copy differs", c, tid)
					}
				}
			}
			if want := uint64(ctas * (tiles*2 + 1)); res.Counters.Barriers != want {
				r.errorf("barriers = %d, want %d", res.Counters.Barriers, want)
			}
			return [][]byte{out, out8, out4}
		})
	})
	// The source buffer is padded with random bytes past nbytes: they
	// must arrive as zeros all the same.
	t.Run("asm-zero-fill", func(t *testing.T) {
		for _, nbytes := range []int{5000, 2048, 37} {
			t.Run(fmt.Sprint(nbytes), func(t *testing.T) {
				both(t, "cpasync", Target{}, func(r *run) [][]byte {
					return cpAsyncZeroFill(r, nbytes, false)
				})
			})
		}
	})
	// With the source allocation ending at nbytes, the copies that read
	// fewer than 16 bytes must not touch memory past it.
	t.Run("asm-zero-fill-exact", func(t *testing.T) {
		both(t, "cpasync", Target{}, func(r *run) [][]byte {
			return cpAsyncZeroFill(r, 5000, true)
		})
	})
}

func cpAsyncZeroFill(r *run, nbytes int, exact bool) [][]byte {
	tiles := (nbytes + 2047) / 2048
	in := make([]byte, tiles*2048)
	r.rng.Read(in)
	if exact {
		in = in[:nbytes]
	}
	din, dout := r.alloc(in), r.poison(tiles*2048)
	res, err := r.dev.Launch(r.mod, "cpasync_asm", emu.LaunchConfig{Grid: [3]uint32{1}, Block: [3]uint32{128}}, din, dout, int32(nbytes))
	if err != nil {
		r.t.Fatal(err)
	}
	if !res.Clean() {
		r.t.Fatalf("%s: %d sanitizer findings, first %v", r.backend, res.FindingCount, res.Findings[0])
	}
	out := r.read(dout, tiles*2048)
	want := append(append([]byte(nil), in[:nbytes]...), make([]byte, tiles*2048-nbytes)...)
	if !bytes.Equal(out, want) {
		i := 0
		for out[i] == want[i] {
			i++
		}
		r.errorf("output differs at byte %d: %#x, want %#x", i, out[i], want[i])
	}
	return [][]byte{out}
}

// mmaRef is D = A*B + C for row-major A (16xK=16), B (16xn) and C (16xn),
// in float64, with the sum of the magnitudes of the terms for a tolerance.
func mmaRef(a, b, c []float32, n int) (d, mag []float64) {
	d, mag = make([]float64, 16*n), make([]float64, 16*n)
	for i := 0; i < 16; i++ {
		for j := 0; j < n; j++ {
			s, m := float64(c[i*n+j]), math.Abs(float64(c[i*n+j]))
			for k := 0; k < 16; k++ {
				p := float64(a[i*16+k]) * float64(b[k*n+j])
				s += p
				m += math.Abs(p)
			}
			d[i*n+j], mag[i*n+j] = s, m
		}
	}
	return d, mag
}

func TestMMA(t *testing.T) {
	for _, tc := range []struct {
		kernel string
		n      int
		bf16   bool
	}{
		{"mma_f16_16x8", 8, false},
		{"mma_f16_16x16", 16, false},
		{"mma_bf16_16x8", 8, true},
		{"mma_bf16_16x16", 16, true},
	} {
		t.Run(tc.kernel, func(t *testing.T) {
			both(t, "mma", Target{}, func(r *run) [][]byte {
				n := tc.n
				// Inputs are rounded to the 16-bit type; the reference
				// uses the rounded values.
				enc := func(x float32) (uint16, float32) {
					if tc.bf16 {
						h := bf16Bits(x)
						return h, bf16ToF32(h)
					}
					h := f32ToF16(x)
					return h, f16ToF32(h)
				}
				a, b, c := r.randF32(16*16), r.randF32(16*n), r.randF32(16*n)
				ah, bh := make([]uint16, len(a)), make([]uint16, 16*16)
				for i := range a {
					ah[i], a[i] = enc(a[i])
				}
				for k := 0; k < 16; k++ {
					for j := 0; j < n; j++ {
						h, v := enc(b[k*n+j])
						b[k*n+j] = v
						if tc.bf16 {
							bh[j*16+k] = h // Bt: n x 16
						} else {
							bh[k*n+j] = h
						}
					}
				}
				da, db := r.alloc(u16Bytes(ah)), r.alloc(u16Bytes(bh[:16*n]))
				dc, dd := r.alloc(f32Bytes(c)), r.poison(4*16*n)
				res := r.launch(tc.kernel, [3]uint32{1}, [3]uint32{32}, 0, da, db, dc, dd)
				out := bytesF32(r.read(dd, 4*16*n))
				want, mag := mmaRef(a, b, c, n)
				for i := range out {
					if math.Abs(float64(out[i])-want[i]) > 1e-5*mag[i] {
						r.errorf("D[%d][%d] = %v, want %v", i/n, i%n, out[i], want[i])
						break
					}
				}
				if wantMMA := uint64(n / 8); res.Counters.MMA != wantMMA {
					r.errorf("%d mma instructions, want %d", res.Counters.MMA, wantMMA)
				}
				return [][]byte{f32Bytes(out)}
			})
		})
	}
}

func TestAtomics(t *testing.T) {
	t.Run("histogram", func(t *testing.T) {
		const n = 10007
		both(t, "atomics", Target{}, func(r *run) [][]byte {
			data := r.randU32(n)
			want := make([]uint32, 256)
			for _, v := range data {
				want[v&255]++
			}
			dd, dh := r.alloc(u32Bytes(data)), r.alloc(make([]byte, 4*256))
			res := r.launch("histogram", [3]uint32{4}, [3]uint32{256}, 0, dd, int32(n), dh)
			got := bytesU32(r.read(dh, 4*256))
			if !equalU32(got, want) {
				r.errorf("histogram differs: %v, want %v", got[:8], want[:8])
			}
			if res.Counters.Atomics != n {
				r.errorf("%d atomics, want %d", res.Counters.Atomics, n)
			}
			return [][]byte{u32Bytes(got)}
		})
	})
	t.Run("rmw", func(t *testing.T) {
		const threads = 128
		both(t, "atomics", Target{}, func(r *run) [][]byte {
			in, init, g := r.randU32(threads), r.randU32(9), r.randU32(11)
			g[10] = math.Float32bits(0.25)
			din, dinit, dout := r.alloc(u32Bytes(in)), r.alloc(u32Bytes(init)), r.poison(4*10)
			dg, dolds := r.alloc(u32Bytes(g)), r.poison(4*threads)
			r.launch("rmw_ops", [3]uint32{1}, [3]uint32{threads}, 0, din, dinit, dout, dg, dolds)
			out, gout := bytesU32(r.read(dout, 40)), bytesU32(r.read(dg, 44))
			olds := bytesU32(r.read(dolds, 4*threads))
			// Reference: fold every input into the initial values.
			fold := func(v []uint32) []uint32 {
				w := append([]uint32(nil), v...)
				for _, x := range in {
					w[0] += x
					w[1] -= x
					w[2] = uint32(max(int32(w[2]), int32(x)))
					w[3] = uint32(min(int32(w[3]), int32(x)))
					w[4] = max(w[4], x)
					w[5] = min(w[5], x)
					w[6] &= x
					w[7] |= x
					w[8] ^= x
				}
				return w
			}
			fsum := func(start float32) float32 {
				for _, x := range in {
					start += float32(x & 1023)
				}
				return start
			}
			want := fold(init)
			if !equalU32(out[:9], want) || math.Float32frombits(out[9]) != fsum(0.5) {
				r.errorf("shared: %v, want %v and %v", out, want, fsum(0.5))
			}
			wg := fold(g[:9])
			wg[1] = g[1] // no global sub
			if !equalU32(gout[:9], wg) || math.Float32frombits(gout[10]) != fsum(0.25) {
				r.errorf("global: %v, want %v and %v", gout, wg, fsum(0.25))
			}
			// xchg: the old values and the final one are the initial
			// value and every thread's id, each once.
			seen := map[uint32]int{}
			for _, o := range append(olds, gout[9]) {
				seen[o]++
			}
			ok := seen[g[9]] == 1
			for tid := uint32(0); tid < threads; tid++ {
				ok = ok && seen[tid] == 1
			}
			if !ok {
				r.errorf("xchg old values are not a permutation: %v", olds)
			}
			stable := append(append([]uint32(nil), gout[:9]...), gout[10])
			return [][]byte{u32Bytes(out), u32Bytes(stable)}
		})
	})
	t.Run("cas_add", func(t *testing.T) {
		const n = 1000
		both(t, "atomics", Target{}, func(r *run) [][]byte {
			x := make([]float32, n)
			want := float32(0.5)
			for i := range x {
				x[i] = float32(r.rng.Intn(101) - 50)
				want += x[i]
			}
			dacc, dx := r.alloc(f32Bytes([]float32{0.5})), r.alloc(f32Bytes(x))
			// One CTA: the emulator runs CTAs on separate goroutines and
			// its plain loads (the loop's first read) are not synchronized
			// with other CTAs' atomics, which go test -race reports.
			r.launch("cas_add", [3]uint32{1}, [3]uint32{1000}, 0, dacc, dx, int32(n))
			got := r.read(dacc, 4)
			if v := bytesF32(got)[0]; v != want {
				r.errorf("sum = %v, want %v", v, want)
			}
			return [][]byte{got}
		})
	})
	t.Run("lock", func(t *testing.T) {
		const warps, reps = 8, 10
		both(t, "atomics", Target{}, func(r *run) [][]byte {
			dm, dc := r.alloc(make([]byte, 4)), r.alloc(make([]byte, 4))
			r.launch("lock", [3]uint32{1}, [3]uint32{32 * warps}, 0, dm, dc, int32(reps))
			m, c := bytesU32(r.read(dm, 4))[0], bytesU32(r.read(dc, 4))[0]
			if m != 0 || c != warps*reps {
				r.errorf("mutex %d, counter %d; want 0 and %d", m, c, warps*reps)
			}
			return [][]byte{u32Bytes([]uint32{m, c})}
		})
	})
}

// near reports whether got is within rel*|want| + abs of want.
func near(got float32, want float64, rel, abs float64) bool {
	return math.Abs(float64(got)-want) <= rel*math.Abs(want)+abs
}

func TestMath(t *testing.T) {
	const threads, k = 64, 22
	both(t, "math", Target{}, func(r *run) [][]byte {
		a, b, c := r.randF32(threads), r.randF32(threads), r.randF32(threads)
		da, db, dc, dout := r.alloc(f32Bytes(a)), r.alloc(f32Bytes(b)), r.alloc(f32Bytes(c)), r.poison(4*k*threads)
		r.launch("math_f32", [3]uint32{1}, [3]uint32{threads}, 0, da, db, dc, dout)
		out := bytesF32(r.read(dout, 4*k*threads))
		const u = 1.0 / (1 << 23) // one ulp, relative
		for i := 0; i < threads; i++ {
			x, y, z := float64(a[i]), float64(b[i]), float64(c[i])
			ax := math.Abs(x)
			type check struct {
				want     float64
				rel, abs float64
			}
			want := []check{
				{math.Min(x, y), 0, 0}, {math.Max(x, y), 0, 0}, {math.Min(x, y), 0, 0},
				{math.Max(x, y), 0, 0}, {math.Min(x, y), 0, 0},
				{math.FMA(x, y, z), u, 0},
				{math.Exp2(x), 2 * u, 0}, {math.Exp2(x), 2 * u, 1e-38},
				{math.Log2(ax), 0, 1e-6}, {1 / math.Sqrt(ax), 2 * u, 0},
				{float64(float32(math.Sqrt(ax))), 0, 0}, {float64(float32(math.Sqrt(ax))), 0, 0},
				{float64(float32(1 / x)), 0, 0},
				{math.Sin(x), 0, 1e-6}, {math.Cos(x), 0, 1e-6},
				{math.Abs(y), 0, 0},
				{float64(a[i] / b[i]), 0, 0}, {x / y, 2 * u, 0},
				{float64(float32(math.FMA(x, 2, -1))), u, 0},
				{float64(float32(math.FMA(x, y, z))), 0, 0},
				{float64(float32(math.Sqrt(ax))), 0, 0},
				{math.Max(x, y), 0, 0},
			}
			got := out[k*i : k*i+k]
			for j, w := range want {
				if !near(got[j], w.want, w.rel, w.abs) {
					r.errorf("thread %d result %d = %v, want %v (a=%v b=%v c=%v)", i, j, got[j], w.want, x, y, z)
				}
			}
		}
		return [][]byte{f32Bytes(out)}
	})
}

func TestFastMath(t *testing.T) {
	const threads = 64
	both(t, "math", Target{}, func(r *run) [][]byte {
		a, b := r.randF32(threads), r.randF32(threads)
		da, db, dout := r.alloc(f32Bytes(a)), r.alloc(f32Bytes(b)), r.poison(4*3*threads)
		r.launch("fastmath", [3]uint32{1}, [3]uint32{threads}, 0, da, db, dout)
		out := bytesF32(r.read(dout, 4*3*threads))
		for i := 0; i < threads; i++ {
			q, s, sum := out[3*i], out[3*i+1], out[3*i+2]
			ws := float32(math.Sqrt(math.Abs(float64(a[i]))))
			if !near(q, float64(a[i])/float64(b[i]), 2.0/(1<<23), 0) || s != ws || sum != q+ws {
				r.errorf("thread %d: %v %v %v for a=%v b=%v", i, q, s, sum, a[i], b[i])
			}
		}
		return [][]byte{f32Bytes(out)}
	})
	if !strings.Contains(compileOwn(t, "math"), "div.approx.ftz.f32") {
		t.Errorf("fastmath: fdiv did not become div.approx.ftz.f32")
	}
}

// compileOwn compiles testdata/name.ll with this backend for sm_80.
func compileOwn(t *testing.T, name string) string {
	t.Helper()
	out, err := CompileText(readLL(t, name), Target{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVectors(t *testing.T) {
	const threads = 64
	both(t, "vectors", Target{}, func(r *run) [][]byte {
		f4, i4 := r.randF32(4*threads), r.randU32(4*threads)
		h2, h8, fu := r.randF16(2*threads), r.randF16(8*threads), r.randF32(5*threads)
		df4, di4, dh2 := r.alloc(f32Bytes(f4)), r.alloc(u32Bytes(i4)), r.alloc(u16Bytes(h2))
		dh8, dfu, dfl := r.alloc(u16Bytes(h8)), r.alloc(f32Bytes(fu)), r.poison(2*threads)
		r.launch("vec", [3]uint32{1}, [3]uint32{threads}, 0, df4, di4, dh2, dh8, dfu, dfl)
		of4, oi4 := bytesF32(r.read(df4, 16*threads)), bytesU32(r.read(di4, 16*threads))
		oh2, oh8 := bytesU16(r.read(dh2, 4*threads)), bytesU16(r.read(dh8, 16*threads))
		ofu, ofl := bytesF32(r.read(dfu, 20*threads)), r.read(dfl, 2*threads)
		hadd := func(a uint16, b float64) uint16 { return f16Bits(float64(f16ToF32(a)) + b) }
		hmul := func(a, b uint16) uint16 { return f16Bits(float64(f16ToF32(a)) * float64(f16ToF32(b))) }
		for i := 0; i < threads; i++ {
			for j, m := range []float32{2, -1, 0.5, 3} {
				if of4[4*i+j] != f4[4*i+j]*m {
					r.errorf("f4[%d][%d] = %v, want %v", i, j, of4[4*i+j], f4[4*i+j]*m)
				}
			}
			for j, d := range []uint32{1, 2, 3, 0xFFFFFFFC} {
				if v := i4[4*i+j]; oi4[4*i+j] != (v+d)^v {
					r.errorf("i4[%d][%d] = %#x, want %#x", i, j, oi4[4*i+j], (v+d)^v)
				}
			}
			if w0, w1 := hadd(h2[2*i+1], -2), hadd(h2[2*i], 1); oh2[2*i] != w0 || oh2[2*i+1] != w1 {
				r.errorf("h2[%d] = %#x %#x, want %#x %#x", i, oh2[2*i], oh2[2*i+1], w0, w1)
			}
			for j := 0; j < 8; j++ {
				want := hmul(h8[8*i+j], h8[8*i+j])
				if j == 6 {
					want = h8[8*i+3]
				}
				if oh8[8*i+j] != want {
					r.errorf("h8[%d][%d] = %#x, want %#x", i, j, oh8[8*i+j], want)
				}
			}
			for j := 0; j < 5; j++ {
				want := fu[5*i+j]
				if j < 4 {
					want = 0 - want
				}
				if math.Float32bits(ofu[5*i+j]) != math.Float32bits(want) {
					r.errorf("fu[%d][%d] = %v, want %v", i, j, ofu[5*i+j], want)
				}
			}
			gt := byte(0)
			if f4[4*i] > f4[4*i+1] {
				gt = 1
			}
			if ofl[2*i] != gt || ofl[2*i+1] != 1-gt {
				r.errorf("flags[%d] = %d %d, want %d %d", i, ofl[2*i], ofl[2*i+1], gt, 1-gt)
			}
		}
		return [][]byte{f32Bytes(of4), u32Bytes(oi4), u16Bytes(oh2), u16Bytes(oh8), f32Bytes(ofu), ofl}
	})
}

func TestBF16(t *testing.T) {
	const threads = 64
	both(t, "vectors", Target{}, func(r *run) [][]byte {
		x := r.randF32(2 * threads)
		in := make([]uint16, len(x))
		for i, v := range x {
			in[i] = bf16Bits(v)
		}
		din := r.alloc(u16Bytes(in))
		d1, d2, d3, d4 := r.poison(2*threads), r.poison(4*threads), r.poison(4*threads), r.poison(4*threads)
		r.launch("bf16", [3]uint32{1}, [3]uint32{threads}, 0, din, d1, d2, d3, d4)
		o1, o2 := bytesU16(r.read(d1, 2*threads)), bytesU32(r.read(d2, 4*threads))
		o3, o4 := bytesU32(r.read(d3, 4*threads)), bytesU16(r.read(d4, 4*threads))
		for i := 0; i < threads; i++ {
			y0 := bf16ToF32(in[2*i]) * 1.5
			y1 := bf16ToF32(in[2*i+1]) + 0.3125
			b0, b1 := uint32(bf16Bits(y0)), uint32(bf16Bits(y1))
			if uint32(o1[i]) != b0 || o2[i] != b0<<16|b1 || o3[i] != b1<<16|b0 {
				r.errorf("thread %d: %#x %#x %#x, want %#x %#x %#x", i, o1[i], o2[i], o3[i], b0, b0<<16|b1, b1<<16|b0)
			}
			if o4[2*i] != f32ToF16(y1) || o4[2*i+1] != f32ToF16(y0) {
				r.errorf("thread %d: f16x2 %#x %#x, want %#x %#x", i, o4[2*i], o4[2*i+1], f32ToF16(y1), f32ToF16(y0))
			}
		}
		return [][]byte{u16Bytes(o1), u32Bytes(o2), u32Bytes(o3), u16Bytes(o4)}
	})
}

func TestInlineAsm(t *testing.T) {
	const threads = 64
	both(t, "asm", Target{}, func(r *run) [][]byte {
		in := r.randU32(threads)
		in[0], in[1], in[2] = 0, 3, 0xFFFF0000
		din, dout := r.alloc(u32Bytes(in)), r.poison(40*threads)
		r.launch("asm_ops", [3]uint32{1}, [3]uint32{threads}, 0, din, dout)
		out := bytesU32(r.read(dout, 40*threads))
		for i, n := range in {
			gt := uint32(0)
			if int32(n) > 3 {
				gt = 1
			}
			e := math.Float64bits(float64(int32(n)))
			m := uint32(7)
			if n&0xFFFF != 0 {
				m = 0xFFFFFFFF
			}
			want := []uint32{n & 0xFFFF, n >> 16, n + 5, gt, uint32(e), uint32(e >> 32),
				math.Float32bits(float32(int64(e))), n>>16 | n<<16, n + 1, m}
			if got := out[10*i : 10*i+10]; !equalU32(got, want) {
				r.errorf("thread %d (n=%#x): %#x, want %#x", i, n, got, want)
			}
		}
		return [][]byte{u32Bytes(out)}
	})
	// The multi-line asm keeps its lines.
	if out := compileOwn(t, "asm"); !strings.Contains(out, "\t.reg .pred q;\n\tsetp.ne.s32 q, ") {
		t.Errorf("multi-line inline asm not emitted line by line")
	}
}

func TestGlobals(t *testing.T) {
	tab := []float32{1, 2.5, -3, 0.125, 1e10, float32(math.Copysign(0, -1)), 7, 0.1}
	gvar := []int32{10, -20, 30, 40}
	both(t, "globals", Target{}, func(r *run) [][]byte {
		dout, dg := r.poison(4*128), r.poison(4*64)
		r.launch("globals", [3]uint32{1}, [3]uint32{64}, 64*4, dout, dg)
		out, g := bytesF32(r.read(dout, 4*128)), bytesU32(r.read(dg, 4*64))
		for tid := 0; tid < 64; tid++ {
			rv := 63 - tid
			dv := tab[rv&7] * 2
			s2 := tab[3] + float32((tid+1)&63)
			if want := dv + s2; out[tid] != want {
				r.errorf("out[%d] = %v, want %v", tid, out[tid], want)
			}
			if want := tab[3] + float32(rv); out[64+tid] != want {
				r.errorf("out[%d] = %v, want %v", 64+tid, out[64+tid], want)
			}
			if want := uint32(gvar[tid&3] + 1); g[tid] != want {
				r.errorf("gout[%d] = %d, want %d", tid, g[tid], want)
			}
		}
		return [][]byte{f32Bytes(out), u32Bytes(g)}
	})
	out := compileOwn(t, "globals")
	for _, want := range []string{
		".const .align 4 .b8 tab[32] = {0, 0, 128, 63,",
		".visible .global .align 4 .b8 gvar[16] = {10, 0, 0, 0, 236, 255, 255, 255,",
		".shared .align 16 .b8 stat[256];",
		".extern .shared .align 16 .b8 dyn[];",
		".visible .entry globals(",
		".reqntid 64, 1, 1\n.minnctapersm 2\n.maxnreg 128\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("globals: output lacks %q", want)
		}
	}
}

// TestFence runs on this backend only: llc-14 cannot select fence.
func TestFence(t *testing.T) {
	ll := readLL(t, "fence")
	r := compileRun(t, ownBackend, "fence", ll, Target{}, 1)
	in := r.randU32(64)
	din, dout := r.alloc(u32Bytes(in)), r.poison(4*64)
	r.launch("fences", [3]uint32{1}, [3]uint32{64}, 0, din, dout)
	out := bytesU32(r.read(dout, 4*64))
	for i := range out {
		if out[i] != in[(i+1)&63] {
			r.errorf("out[%d] = %#x, want %#x", i, out[i], in[(i+1)&63])
		}
	}
	body := r.ptx[strings.Index(r.ptx, ".entry fences"):]
	var fences []string
	for _, l := range strings.Split(body, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "membar") || strings.HasPrefix(l, "fence") {
			fences = append(fences, l)
		}
	}
	want := []string{"membar.gl;", "fence.acq_rel.gpu;", "membar.cta;", "fence.acq_rel.cta;", "fence.acq_rel.gpu;"}
	if strings.Join(fences, " ") != strings.Join(want, " ") {
		t.Errorf("fences = %v, want %v", fences, want)
	}
}
