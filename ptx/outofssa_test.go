package ptx

import (
	"math/rand"
	"strings"
	"testing"
)

// simulate runs copies on a register file: in parallel (every source read
// before any destination is written) or one after the other.
func simulate(regs map[int32]uint64, copies []pcopy, parallel bool) map[int32]uint64 {
	out := map[int32]uint64{}
	for k, v := range regs {
		out[k] = v
	}
	read := func(m map[int32]uint64, o opnd) uint64 {
		if o.isReg() {
			return m[o.reg]
		}
		return o.bits
	}
	src := out
	if parallel {
		src = map[int32]uint64{}
		for k, v := range regs {
			src[k] = v
		}
	}
	for _, c := range copies {
		out[c.dst.reg] = read(src, c.src)
	}
	return out
}

func TestSequentializeSwap(t *testing.T) {
	a, b := opnd{k: kF32, reg: 1}, opnd{k: kF32, reg: 2}
	next := int32(10)
	temp := func(k kind) opnd { next++; return opnd{k: k, reg: next} }
	seq := sequentialize([]pcopy{{a, b}, {b, a}}, temp)
	if len(seq) != 3 || seq[0].dst.reg != 11 {
		t.Fatalf("swap = %v, want three moves through a temporary", seq)
	}
	regs := map[int32]uint64{1: 100, 2: 200}
	got := simulate(regs, seq, false)
	if got[1] != 200 || got[2] != 100 {
		t.Errorf("after the swap: %v", got)
	}
}

// TestSequentializeRandom compares sequentialized copies with parallel
// semantics on random parallel copies: permutations with cycles, shared
// sources, immediates and no-op copies.
func TestSequentializeRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for iter := 0; iter < 2000; iter++ {
		n := 1 + rng.Intn(8)
		regs := map[int32]uint64{}
		for r := int32(1); r <= 16; r++ {
			regs[r] = uint64(r) * 1000
		}
		dsts := rng.Perm(12)[:n]
		var copies []pcopy
		for _, d := range dsts {
			var src opnd
			switch rng.Intn(5) {
			case 0:
				src = imm(kI32, uint64(rng.Intn(50)))
			default:
				src = opnd{k: kI32, reg: int32(1 + rng.Intn(12))}
			}
			copies = append(copies, pcopy{opnd{k: kI32, reg: int32(d + 1)}, src})
		}
		next := int32(100)
		temps := 0
		seq := sequentialize(copies, func(k kind) opnd { next++; temps++; return opnd{k: k, reg: next} })
		want := simulate(regs, copies, true)
		got := simulate(regs, seq, false)
		for r := int32(1); r <= 16; r++ {
			if got[r] != want[r] {
				t.Fatalf("copies %v sequentialized to %v: r%d = %d, want %d", copies, seq, r, got[r], want[r])
			}
		}
		if temps > n {
			t.Fatalf("%d temporaries for %d copies", temps, n)
		}
	}
}

// TestSwapLoopPTX checks that the phi-swap loop's back edge is split and
// its copies go through a temporary (the kernel itself runs in
// TestLoopPhis).
func TestSwapLoopPTX(t *testing.T) {
	out := compileOwn(t, "loop")
	body := out[strings.Index(out, ".entry swaploop"):]
	body = body[:strings.Index(body, "\n}")]
	for _, want := range []string{"split edge %latch -> %loop", "split edge %loop -> %latch"} {
		if !strings.Contains(body, want) {
			t.Errorf("swaploop: no %q block", want)
		}
	}
	// x and y swap: three f32 moves in the split back edge, one of them
	// into a register that nothing else defines (the temporary).
	i := strings.Index(body, "split edge %latch -> %loop")
	edge := body[i:]
	edge = edge[:strings.Index(edge, "bra.uni")]
	if n := strings.Count(edge, "mov.f32"); n < 3 {
		t.Errorf("back edge has %d f32 moves, want at least 3:\n%s", n, edge)
	}
}
