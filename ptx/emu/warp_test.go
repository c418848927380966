package emu

import (
	"fmt"
	"math/rand"
	"testing"
)

// Warp collectives, checked lane by lane against CUDA's documented
// semantics (written independently of the PTX pseudo-code the emulator
// follows).

// laneKernel runs body with %r1 = lane value in[tid] and stores %r2 to
// out[tid]; one CTA of n threads.
func laneKernel(t *testing.T, body string, n int, in []uint32) ([]uint32, *Result) {
	t.Helper()
	src := ptxHeader + `.visible .entry k(.param .u64 pin, .param .u64 pout) {
	.reg .pred %p<8>;
	.reg .b32 %r<16>;
	.reg .b64 %rd<8>;
	mov.u32 %r0, %tid.x;
	mul.wide.u32 %rd1, %r0, 4;
	ld.param.u64 %rd2, [pin];
	add.s64 %rd2, %rd2, %rd1;
	ld.global.u32 %r1, [%rd2];
	mov.u32 %r2, 0;
` + body + `
	ld.param.u64 %rd3, [pout];
	add.s64 %rd3, %rd3, %rd1;
	st.global.u32 [%rd3], %r2;
	ret;
}`
	m := mustParse(t, "lane.ptx", []byte(src))
	d := NewDevice(Options{})
	din := alloc(t, d, u32Bytes(in))
	dout := alloc(t, d, nanBytes(4*n))
	res := run(t, d, m, "k", [3]uint32{1}, [3]uint32{uint32(n)}, din.addr, dout.addr)
	return bytesU32(dout.bytes(t)), res
}

func TestShfl(t *testing.T) {
	r := rand.New(rand.NewSource(20))
	in := make([]uint32, 64)
	for i := range in {
		in[i] = r.Uint32()
	}
	for _, width := range []int{32, 16, 8, 4} {
		c := (32-width)<<8 | 31 // CUDA packs the width as the segment mask
		for _, delta := range []int{0, 1, 3, width - 1} {
			cases := []struct {
				mode string
				c    int
				src  func(lane int) int
			}{
				{"down", c, func(l int) int {
					if l%width+delta < width {
						return l + delta
					}
					return l
				}},
				{"up", (32 - width) << 8, func(l int) int {
					if l%width >= delta {
						return l - delta
					}
					return l
				}},
				{"bfly", c, func(l int) int { return l ^ delta }},
				{"idx", c, func(l int) int { return l/width*width + delta%width }},
			}
			for _, cs := range cases {
				body := fmt.Sprintf("\tshfl.sync.%s.b32 %%r2|%%p1, %%r1, %d, %d, -1;\n", cs.mode, delta, cs.c)
				out, res := laneKernel(t, body, 64, in)
				requireClean(t, res)
				for l := 0; l < 64; l++ {
					w := l / 32 * 32
					want := in[w+cs.src(l%32)]
					if out[l] != want {
						t.Fatalf("shfl.%s width %d delta %d: lane %d got %#x, want %#x (lane %d)", cs.mode, width, delta, l, out[l], want, cs.src(l%32))
					}
				}
			}
		}
	}
	// The predicate says whether the source lane was in range.
	out, _ := laneKernel(t, "\tshfl.sync.down.b32 %r3|%p1, %r1, 5, 31, -1;\n\tselp.u32 %r2, 1, 0, %p1;\n", 32, in)
	for l, v := range out {
		if want := boolU(l+5 < 32); uint64(v) != want {
			t.Fatalf("shfl.down predicate lane %d = %d, want %d", l, v, want)
		}
	}
}

func TestVoteReduxActivemask(t *testing.T) {
	in := make([]uint32, 64)
	for i := range in {
		in[i] = uint32(i * 7 % 11)
	}
	ballot := func(w int, f func(v uint32) bool) uint32 {
		var b uint32
		for l := 0; l < 32; l++ {
			if f(in[32*w+l]) {
				b |= 1 << l
			}
		}
		return b
	}
	check := func(name, body string, want func(lane int) uint32) {
		t.Helper()
		out, res := laneKernel(t, body, 64, in)
		requireClean(t, res)
		for l := range out {
			if out[l] != want(l) {
				t.Fatalf("%s: lane %d got %#x, want %#x", name, l, out[l], want(l))
			}
		}
	}
	check("ballot", "\tsetp.gt.u32 %p1, %r1, 4;\n\tvote.sync.ballot.b32 %r2, %p1, -1;\n", func(l int) uint32 {
		return ballot(l/32, func(v uint32) bool { return v > 4 })
	})
	check("ballot negated", "\tsetp.gt.u32 %p1, %r1, 4;\n\tvote.sync.ballot.b32 %r2, !%p1, -1;\n", func(l int) uint32 {
		return ballot(l/32, func(v uint32) bool { return v <= 4 })
	})
	check("any/all", "\tsetp.lt.u32 %p1, %r1, 11;\n\tvote.sync.all.pred %p2, %p1, -1;\n\tsetp.eq.u32 %p3, %r1, 10;\n\tvote.sync.any.pred %p4, %p3, -1;\n\tselp.u32 %r3, 1, 0, %p2;\n\tselp.u32 %r4, 2, 0, %p4;\n\tor.b32 %r2, %r3, %r4;\n", func(l int) uint32 {
		return 1 | 2*boolU32(ballot(l/32, func(v uint32) bool { return v == 10 }) != 0)
	})
	check("redux.add", "\tredux.sync.add.u32 %r2, %r1, -1;\n", func(l int) uint32 {
		var s uint32
		for k := 0; k < 32; k++ {
			s += in[l/32*32+k]
		}
		return s
	})
	check("redux.max", "\tredux.sync.max.s32 %r2, %r1, -1;\n", func(int) uint32 { return 10 })
	// In divergent code activemask names only the lanes that got there.
	check("activemask", "\tsetp.lt.u32 %p1, %r1, 5;\n\t@%p1 bra SKIP;\n\tactivemask.b32 %r2;\nSKIP:\n", func(l int) uint32 {
		if in[l] < 5 {
			return 0
		}
		return ballot(l/32, func(v uint32) bool { return v >= 5 })
	})
}

func boolU32(b bool) uint32 { return uint32(boolU(b)) }

// TestLdmatrix stores a distinct value in every b16 element of four 8x8
// matrices and checks each destination half of each lane.
func TestLdmatrix(t *testing.T) {
	for _, num := range []int{1, 2, 4} {
		for _, trans := range []bool{false, true} {
			tr := ""
			if trans {
				tr = ".trans"
			}
			var dst string
			switch num {
			case 1:
				dst = "{%r4}"
			case 2:
				dst = "{%r4, %r5}"
			default:
				dst = "{%r4, %r5, %r6, %r7}"
			}
			// Matrix j row i lives at byte 16*(8j+i), given by lane 8j+i;
			// element k of it has value j<<12 | i<<8 | k.
			src := ptxHeader + `.visible .entry k(.param .u64 out) {
	.reg .b32 %r<16>;
	.reg .b64 %rd<8>;
	.reg .pred %p1;
	.shared .align 16 .b8 m[512];
	mov.u32 %r1, %tid.x;
	mov.u32 %r8, m;
	mov.u32 %r9, 0;
FILL:
	shl.b32 %r10, %r1, 4;
	add.s32 %r10, %r10, %r8;
	shl.b32 %r11, %r9, 1;
	add.s32 %r10, %r10, %r11;
	and.b32 %r12, %r1, 7;
	shl.b32 %r12, %r12, 8;
	shr.u32 %r14, %r1, 3;
	shl.b32 %r14, %r14, 12;
	or.b32 %r13, %r12, %r14;
	or.b32 %r13, %r13, %r9;
	st.shared.u16 [%r10], %r13;
	add.s32 %r9, %r9, 1;
	setp.lt.u32 %p1, %r9, 8;
	@%p1 bra FILL;
	bar.sync 0;
	shl.b32 %r2, %r1, 4;
	add.s32 %r2, %r2, %r8;
	ldmatrix.sync.aligned.m8n8.x` + fmt.Sprint(num) + tr + `.shared.b16 ` + dst + `, [%r2];
	ld.param.u64 %rd1, [out];
	mul.wide.u32 %rd2, %r1, 16;
	add.s64 %rd1, %rd1, %rd2;
	st.global.v4.u32 [%rd1], {%r4, %r5, %r6, %r7};
	ret;
}`
			m := mustParse(t, "ldm.ptx", []byte(src))
			d := NewDevice(Options{})
			out := alloc(t, d, nanBytes(512))
			res := run(t, d, m, "k", [3]uint32{1}, [3]uint32{32}, out.addr)
			requireClean(t, res)
			got := bytesU32(out.bytes(t))
			for l := 0; l < 32; l++ {
				for j := 0; j < num; j++ {
					row, col := l/4, 2*(l%4)
					elem := func(i, k int) uint32 { return uint32(j<<12 | i<<8 | k) }
					lo, hi := elem(row, col), elem(row, col+1)
					if trans {
						lo, hi = elem(col, row), elem(col+1, row)
					}
					if want := hi<<16 | lo; got[4*l+j] != want {
						t.Fatalf("x%d%s: lane %d reg %d = %#08x, want %#08x", num, tr, l, j, got[4*l+j], want)
					}
				}
			}
			// Rows of 16 bytes at consecutive addresses: one conflict-free
			// wavefront per 8 rows. (The fill loop's 2-byte stores at a
			// 16-byte stride do conflict: 4 words per bank, 3 extra
			// wavefronts each of 8 times.)
			c := res.Counters
			if c.SharedLoadRequests != 1 || c.SharedLoadWavefronts != uint64(num) || c.SharedBankConflicts != 24 {
				t.Errorf("x%d%s: %d requests, %d wavefronts, %d conflicts; want 1, %d, 24", num, tr, c.SharedLoadRequests, c.SharedLoadWavefronts, c.SharedBankConflicts, num)
			}
		}
	}
}
