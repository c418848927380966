package tilec_test

import (
	"sync"
	"testing"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels/flash"
)

// flashSpecialized builds the FlashAttention kernel from the DSL for the
// problem of ANCHORS.md's first row and binds a config.
func flashCompile(b *testing.B, cfg ir.Config) *tilec.Binary {
	o := flash.Options{B: 16, H: 32, N: 1024, D: 64, DType: ir.F16, Causal: true}
	f, err := flash.FwdIR(o.DType, o.Causal) // the DSL: builds and verifies the tile IR
	if err != nil {
		b.Fatal(err)
	}
	plan, err := flash.NewPlan(o, cfg)
	if err != nil {
		b.Fatal(err)
	}
	g, err := ir.Specialize(f, plan.Launches[0].Config)
	if err != nil {
		b.Fatal(err)
	}
	bin, err := tilec.Compile(g, tilec.Options{Backend: tilec.BackendOwn, Facts: tilec.FactsOf(g, plan.NominalArgs(0))})
	if err != nil {
		b.Fatal(err)
	}
	return bin
}

// BenchmarkCompileFlash times one FlashAttention config from the DSL to
// PTX (build, verify, specialize, codegen, PTX backend) on one goroutine.
func BenchmarkCompileFlash(b *testing.B) {
	cfg := ir.Config{"BLOCK_M": 128, "BLOCK_N": 64, ir.KeyNumWarps: 8}
	for b.Loop() {
		flashCompile(b, cfg)
	}
}

// BenchmarkCompileFlash16 compiles the 16 configs a tuning sweep would, in
// parallel goroutines; the time is for all 16.
func BenchmarkCompileFlash16(b *testing.B) {
	var cfgs []ir.Config
	for _, bm := range []int{64, 128} {
		for _, bn := range []int{32, 64} {
			for _, w := range []int{4, 8} {
				for _, s := range []int{2, 3} {
					cfgs = append(cfgs, ir.Config{"BLOCK_M": bm, "BLOCK_N": bn, ir.KeyNumWarps: w, ir.KeyNumStages: s})
				}
			}
		}
	}
	for b.Loop() {
		var wg sync.WaitGroup
		for _, c := range cfgs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				flashCompile(b, c)
			}()
		}
		wg.Wait()
	}
}
