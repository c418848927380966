// Command moe runs a mixture-of-experts block through tilec's in-process
// API: the program compiles, tunes (on first use; the winners go to the
// tuning cache) and launches kernels at run time, on a GPU when there is
// one, else on tilec's emulator.
//
//  1. ops.MoERoute: softmax top-k routing, counts, padded offsets and the
//     rows of the hidden states permuted into expert order;
//  2. the "experts": a kernel written here in tilec's DSL that scales each
//     row by its expert's factor (Session.Launch compiles it);
//  3. ops.MoECombineRows: each token's weighted sum of its experts' rows.
//
// It checks the result against a float64 reference.
//
//	go run ./examples/moe [-device auto|gpu|emu]
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sort"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/ops"
	"github.com/tilec/tilec/runtime"
	"github.com/tilec/tilec/session"
)

// The block: T tokens of hidden size Hd, E experts, K per token.
const (
	T, Hd, E, K = 200, 256, 8, 2
	blockD      = 128
	tolerance   = 2e-2 // bf16 rows, relative to the row's scale
)

func main() {
	device := flag.String("device", runtime.DeviceAuto, "gpu, emu or auto (the GPU when there is one)")
	flag.Parse()
	if err := run(os.Stdout, session.Options{Device: *device}, 1); err != nil {
		fmt.Fprintln(os.Stderr, "moe:", err)
		os.Exit(1)
	}
}

// scaleRowsIR is the experts' stand-in, in the DSL: y[r, :] = x[r, :] ·
// f[r], one row and blockD columns per program.
func scaleRowsIR() (*ir.Func, error) {
	k := ir.NewKernel("scale_rows")
	x, f, y := k.Pointer("x", ir.BF16), k.Pointer("f", ir.F32), k.Pointer("y", ir.BF16)
	hd := k.Scalar("hd", ir.I32)
	BLOCK_D := k.Constexpr("BLOCK_D")
	row := k.ProgramID(0)
	cols := k.Add(k.Mul(k.ProgramID(1), BLOCK_D), k.Arange(0, BLOCK_D))
	mask := k.Lt(cols, hd)
	at := k.Add(k.Mul(row, hd), cols)
	scaled := k.Mul(k.Cast(k.Load(k.Add(x, at), mask, 0.0), ir.F32), k.Load(k.Add(f, row), nil, nil))
	k.Store(k.Add(y, at), k.Cast(scaled, ir.BF16), mask)
	return k.Build()
}

// run computes the block and prints its check.
func run(w io.Writer, opts session.Options, seed uint64) error {
	s, err := session.Open(opts)
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintf(w, "device: %s\n", s.Device())

	r := rand.New(rand.NewPCG(seed, 11))
	logits, hidden := make([]float64, T*E), make([]float64, T*Hd)
	for i := range logits {
		logits[i] = 4 * r.NormFloat64()
	}
	for i := range hidden {
		hidden[i] = ir.BF16.Round(2*r.Float64() - 1)
	}
	lt, err := s.FromHost(ir.F32, logits, T, E)
	if err != nil {
		return err
	}
	ht, err := s.FromHost(ir.BF16, hidden, T, Hd)
	if err != nil {
		return err
	}

	// 1. Dispatch.
	d, err := ops.MoERoute(s, lt, ht, ops.RouteOptions{K: K, Renorm: true})
	if err != nil {
		return err
	}
	offsets, err := s.ToHost(d.Offsets)
	if err != nil {
		return err
	}

	// 2. The experts: expert e scales its rows by e+1 (its rows are
	// offsets[e]..offsets[e+1]; padding rows are zero).
	factor := make([]float64, d.Rows)
	for e := range E {
		for row := int(offsets[e]); row < int(offsets[e+1]); row++ {
			factor[row] = float64(e + 1)
		}
	}
	ft, err := s.FromHost(ir.F32, factor, d.Rows)
	if err != nil {
		return err
	}
	expertOut, err := s.Empty(ir.BF16, d.Rows, Hd)
	if err != nil {
		return err
	}
	f, err := scaleRowsIR()
	if err != nil {
		return err
	}
	grid := [3]int{d.Rows, kernels.CDiv(Hd, blockD), 1}
	if err := s.Launch(f, ir.Config{"BLOCK_D": blockD}, grid, d.Permuted, ft, expertOut, Hd); err != nil {
		return err
	}

	// 3. Combine.
	out, err := s.FromHost(ir.BF16, nanRows(T*Hd), T, Hd)
	if err != nil {
		return err
	}
	if err := ops.MoECombineRows(s, expertOut, d.TopkWeights, d.Inverse, out); err != nil {
		return err
	}
	got, err := s.ToHost(out)
	if err != nil {
		return err
	}

	// The reference: out[t] = Σ_j w[t,j] · (e[t,j]+1) · hidden[t], with the
	// top-k taken in float64 (ties to the lower expert).
	maxErr, unwritten := 0.0, 0
	for t := range T {
		row := logits[t*E : (t+1)*E]
		order := make([]int, E)
		for e := range order {
			order[e] = e
		}
		sort.SliceStable(order, func(a, b int) bool { return row[order[a]] > row[order[b]] })
		sel, scale := 0.0, 0.0
		for j := range K {
			sel += math.Exp(row[order[j]])
		}
		for j := range K {
			scale += math.Exp(row[order[j]]) / sel * float64(order[j]+1)
		}
		for c := range Hd {
			g := got[t*Hd+c]
			if math.IsNaN(g) {
				unwritten++
				continue
			}
			maxErr = math.Max(maxErr, math.Abs(g-scale*hidden[t*Hd+c])/scale)
		}
	}
	verdict := "PASS"
	if unwritten > 0 || maxErr > tolerance {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "MoE block T=%d Hd=%d E=%d K=%d (route, DSL experts, combine; bf16): max rel err %.3g vs the float64 reference (tolerance %g), %d unwritten: %s\n",
		T, Hd, E, K, maxErr, tolerance, unwritten, verdict)
	if verdict != "PASS" {
		return fmt.Errorf("the output does not match the reference")
	}
	return nil
}

func nanRows(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}
