package emu

import (
	"math/bits"

	"github.com/tilec/tilec/internal/fp"
)

// Warp collectives. The scheduler runs their handlers once, with every
// participating lane in m, after all of them have arrived (sched.go).

// decodeShfl: shfl.sync.{up,down,bfly,idx}.b32 d[|p], a, b, c, membermask.
// c packs the clamp (bits 0-4) and the segment mask (bits 8-12).
func decodeShfl(x *ictx) {
	if !x.flag("sync") {
		x.fail("only shfl.sync is supported")
		return
	}
	mode := x.pick("up", "down", "bfly", "idx")
	t := x.typ()
	if mode == "" || t != tB32 || x.nargs(5) < 0 {
		x.fail("expected shfl.sync.{up,down,bfly,idx}.b32 d[|p], a, b, c, mask")
		return
	}
	dst := x.arg(0)
	x.in.c = 0 // predicate destination: the sink unless d|p
	if dst.kind == oPair {
		x.a.args[0] = dst.elems[1]
		pd := x.dst(0)
		x.a.args[0] = dst.elems[0]
		x.in.d = x.dst(0)
		x.a.args[0] = dst
		x.in.off = int64(pd)
	} else {
		x.in.d = x.dst(0)
	}
	x.in.a, x.in.b = x.src(1, tB32), x.src(2, tB32)
	cslot := x.src(3, tB32)
	x.in.e = x.src(4, tB32)
	x.in.exec = func(w *warp, in *inst, m uint32) {
		r := w.r
		// Read every source before writing: d may alias a.
		var src [32]uint64
		copy(src[:], r[in.a:in.a+32])
		for mm := m; mm != 0; mm &= mm - 1 {
			lane := int32(bits.TrailingZeros32(mm))
			bval := int32(r[in.b+lane] & 31)
			c := r[cslot+lane]
			cval := int32(c & 31)
			seg := int32(c >> 8 & 31)
			maxLane := lane&seg | cval&^seg
			minLane := lane & seg
			var j int32
			var p bool
			switch mode {
			case "up":
				j = lane - bval
				p = j >= maxLane
			case "down":
				j = lane + bval
				p = j <= maxLane
			case "bfly":
				j = lane ^ bval
				p = j <= maxLane
			default:
				j = minLane | bval&^seg
				p = j <= maxLane
			}
			if !p {
				j = lane
			}
			r[in.d+lane] = src[j&31]
			r[int32(in.off)+lane] = boolU(p)
		}
	}
}

// decodeVote: vote.sync.{all,any,uni}.pred d, [!]a, mask and
// vote.sync.ballot.b32 d, [!]a, mask, over the lanes executing it.
func decodeVote(x *ictx) {
	if !x.flag("sync") {
		x.fail("only vote.sync is supported")
		return
	}
	mode := x.pick("all", "any", "uni", "ballot")
	t := x.typ()
	if mode == "" || (mode == "ballot") != (t == tB32) || mode != "ballot" && t != tPred || x.nargs(3) < 0 {
		x.fail("expected vote.sync.{all,any,uni}.pred or vote.sync.ballot.b32")
		return
	}
	x.in.d = x.dst(0)
	var neg bool
	x.in.a, neg = x.predSrc(1)
	x.in.e = x.src(2, tB32)
	x.in.exec = func(w *warp, in *inst, m uint32) {
		r := w.r
		var ballot uint32
		for mm := m; mm != 0; mm &= mm - 1 {
			l := bits.TrailingZeros32(mm)
			if (r[in.a+int32(l)] != 0) != neg {
				ballot |= 1 << l
			}
		}
		var v uint64
		switch mode {
		case "all":
			v = boolU(ballot == m)
		case "any":
			v = boolU(ballot != 0)
		case "uni":
			v = boolU(ballot == 0 || ballot == m)
		default:
			v = uint64(ballot)
		}
		for mm := m; mm != 0; mm &= mm - 1 {
			r[in.d+int32(bits.TrailingZeros32(mm))] = v
		}
	}
}

func decodeActivemask(x *ictx) {
	if x.typ() != tB32 || x.nargs(1) < 0 {
		x.fail("expected activemask.b32 d")
		return
	}
	x.in.d = x.dst(0)
	x.in.exec = func(w *warp, in *inst, m uint32) {
		for mm := m; mm != 0; mm &= mm - 1 {
			w.r[in.d+int32(bits.TrailingZeros32(mm))] = uint64(m)
		}
	}
}

// decodeRedux: redux.sync.op.type d, a, membermask over the lanes executing it.
func decodeRedux(x *ictx) {
	if !x.flag("sync") {
		x.fail("only redux.sync is supported")
		return
	}
	op := x.pick("add", "min", "max", "and", "or", "xor")
	t := x.typ()
	bitOp := op == "and" || op == "or" || op == "xor"
	if op == "" || bitOp && t != tB32 || !bitOp && t != tU32 && t != tS32 || x.nargs(3) < 0 {
		x.fail("expected redux.sync.{add,min,max}.{u32,s32} or redux.sync.{and,or,xor}.b32")
		return
	}
	x.in.d, x.in.a, x.in.e = x.dst(0), x.src(1, t), x.src(2, tB32)
	signed := t == tS32
	x.in.exec = func(w *warp, in *inst, m uint32) {
		r := w.r
		first := true
		var acc uint32
		for mm := m; mm != 0; mm &= mm - 1 {
			v := uint32(r[in.a+int32(bits.TrailingZeros32(mm))])
			if first {
				acc, first = v, false
				continue
			}
			switch op {
			case "add":
				acc += v
			case "and":
				acc &= v
			case "or":
				acc |= v
			case "xor":
				acc ^= v
			case "min":
				if signed && int32(v) < int32(acc) || !signed && v < acc {
					acc = v
				}
			case "max":
				if signed && int32(v) > int32(acc) || !signed && v > acc {
					acc = v
				}
			}
		}
		for mm := m; mm != 0; mm &= mm - 1 {
			r[in.d+int32(bits.TrailingZeros32(mm))] = uint64(acc)
		}
	}
}

// decodeLdmatrix: ldmatrix.sync.aligned.m8n8.{x1,x2,x4}[.trans][.shared].b16.
// Lanes 8j..8j+7 give the row addresses of matrix j (16-byte rows); lane l
// receives row l/4, elements 2(l%4) and 2(l%4)+1 of matrix j in register j
// (of the transposed matrix with .trans).
func decodeLdmatrix(x *ictx) {
	if !x.flag("sync") || !x.flag("aligned") || !x.flag("m8n8") {
		x.fail("expected ldmatrix.sync.aligned.m8n8")
		return
	}
	num := map[string]int{"x1": 1, "x2": 2, "x4": 4}[x.pick("x1", "x2", "x4")]
	trans := x.flag("trans")
	sp := x.memSpace()
	if num == 0 || x.typ() != tB16 || sp != spShared && sp != spGeneric || x.nargs(2) < 0 {
		x.fail("expected ldmatrix.sync.aligned.m8n8.{x1,x2,x4}[.trans].shared.b16 d, [a]")
		return
	}
	if x.arg(0).kind == oVec {
		x.in.vd = x.vec(0, num, tB32, true)
	} else if num == 1 {
		x.in.vd = []int32{x.dst(0)}
	} else {
		x.fail("ldmatrix .x%d needs %d destination registers", num, num)
		return
	}
	x.in.a, x.in.off, _ = x.addr(1)
	x.in.space = sp
	x.in.exec = func(w *warp, in *inst, m uint32) {
		c := w.c
		var mat [4][8][8]uint16
		for j := 0; j < num; j++ {
			for row := 0; row < 8; row++ {
				lane := 8*j + row
				addr := w.r[in.a+int32(lane)] + uint64(in.off)
				b := c.ref(w, in, lane, in.space, addr, 16, modeRead)
				for k := 0; k < 8 && b != nil; k++ {
					mat[j][row][k] = uint16(b[2*k]) | uint16(b[2*k+1])<<8
				}
			}
		}
		c.countRequest(false)
		for mm := m; mm != 0; mm &= mm - 1 {
			l := bits.TrailingZeros32(mm)
			row, col := l/4, 2*(l%4)
			for j, d := range in.vd {
				lo, hi := mat[j][row][col], mat[j][row][col+1]
				if trans {
					lo, hi = mat[j][col][row], mat[j][col+1][row]
				}
				w.r[d+int32(l)] = uint64(lo) | uint64(hi)<<16
			}
		}
	}
}

// decodeMma: mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}.{f16,bf16}.f32
// d{4}, a{4}, b{2}, c{4}, with the fragment layouts of PTX-NOTES.md
// (g = lane/4, t = lane%4). Each D element starts from C and accumulates
// the 16 products of its row of A and column of B in k order, each product
// exact and each sum rounded to nearest f32: a chain of fma.rn.f32.
func decodeMma(x *ictx) {
	if !x.flag("sync") || !x.flag("aligned") || !x.flag("m16n8k16") || !x.flag("row") || !x.flag("col") {
		x.fail("only mma.sync.aligned.m16n8k16.row.col is supported")
		return
	}
	if len(x.types) != 4 || x.types[0] != tF32 || x.types[3] != tF32 || x.types[1] != x.types[2] || x.types[1] != tF16 && x.types[1] != tBF16 {
		x.fail("only .f32.f16.f16.f32 and .f32.bf16.bf16.f32 are supported")
		return
	}
	if x.nargs(4) < 0 {
		return
	}
	ab := fp.F16
	if x.types[1] == tBF16 {
		ab = fp.BF16
	}
	x.in.vd = x.vec(0, 4, tF32, true)
	x.in.va = x.vec(1, 4, tB32, false)
	x.in.vb = x.vec(2, 2, tB32, false)
	x.in.vc = x.vec(3, 4, tF32, false)
	x.in.exec = func(w *warp, in *inst, m uint32) {
		w.c.cnt.MMA++
		w.c.cnt.TensorMACs += 16 * 8 * 16
		var A [16][16]float64
		var B [16][8]float64
		var C [16][8]float64
		r := w.r
		for l := int32(0); l < 32; l++ {
			g, t := l/4, l%4
			half := func(s int32, hi bool) float64 {
				v := r[s+l]
				if hi {
					v >>= 16
				}
				return ab.Decode(v & 0xffff)
			}
			a := in.va
			A[g][2*t], A[g][2*t+1] = half(a[0], false), half(a[0], true)
			A[g+8][2*t], A[g+8][2*t+1] = half(a[1], false), half(a[1], true)
			A[g][2*t+8], A[g][2*t+9] = half(a[2], false), half(a[2], true)
			A[g+8][2*t+8], A[g+8][2*t+9] = half(a[3], false), half(a[3], true)
			b := in.vb
			B[2*t][g], B[2*t+1][g] = half(b[0], false), half(b[0], true)
			B[2*t+8][g], B[2*t+9][g] = half(b[1], false), half(b[1], true)
			c := in.vc
			C[g][2*t], C[g][2*t+1] = float64(f32of(r[c[0]+l])), float64(f32of(r[c[1]+l]))
			C[g+8][2*t], C[g+8][2*t+1] = float64(f32of(r[c[2]+l])), float64(f32of(r[c[3]+l]))
		}
		var D [16][8]uint64
		for i := 0; i < 16; i++ {
			for j := 0; j < 8; j++ {
				// acc = fma.rn.f32(A[i][k], B[k][j], acc) for k = 0..15.
				acc := fp.F32.Round(C[i][j], 0, fp.NearestEven)
				for k := 0; k < 16; k++ {
					s, e := twoSum(A[i][k]*B[k][j], float64(f32of(acc)))
					acc = fp.F32.Round(s, e, fp.NearestEven)
				}
				D[i][j] = acc
			}
		}
		for mm := m; mm != 0; mm &= mm - 1 {
			l := int32(bits.TrailingZeros32(mm))
			g, t := l/4, l%4
			d := in.vd
			r[d[0]+l], r[d[1]+l] = D[g][2*t], D[g][2*t+1]
			r[d[2]+l], r[d[3]+l] = D[g+8][2*t], D[g+8][2*t+1]
		}
	}
}
