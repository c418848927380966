package ptx

import (
	"testing"
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
