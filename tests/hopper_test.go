package tests

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/runtime"
)

// planted runs tile IR on the emulator compiled for sm_90a, with a bug
// planted in the GPU-level text (gpu) or in the PTX (ptx) between
// compiling and launching: what the sanitizer must catch when a pass or
// the lowering gets Hopper's rules wrong.
type planted struct {
	*runtime.Emu
	gpu, ptx func(string) string
	planted  bool // a plant changed something
}

func (p *planted) LaunchFunc(f *ir.Func, grid [3]int, args []any) error {
	bin, err := tilec.Compile(f, tilec.Options{Target: "sm_90a", Facts: tilec.FactsOf(f, args)})
	if err != nil {
		return err
	}
	if p.gpu != nil {
		text := bin.GPU()
		changed := p.gpu(text)
		p.planted = p.planted || changed != text
		g, err := ir.ParseFunc(f.Name+".gpu", changed)
		if err != nil {
			return err
		}
		if bin, err = tilec.CompileGPU(g, tilec.Options{}); err != nil {
			return err
		}
	}
	k := bin.Kernel
	if p.ptx != nil {
		changed := p.ptx(k.PTX)
		p.planted = p.planted || changed != k.PTX
		k.PTX = changed
	}
	return p.Launch(&k, grid, args...)
}

// dropLines removes the lines that match re.
func dropLines(re string) func(string) string {
	r := regexp.MustCompile(re)
	return func(s string) string {
		var out []string
		for _, l := range strings.Split(s, "\n") {
			if !r.MatchString(l) {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
}

// expectBytes makes every mbarrier_expect expect n bytes.
func expectBytes(n int) func(string) string {
	r := regexp.MustCompile(`bytes = \d+`)
	return func(s string) string { return r.ReplaceAllString(s, fmt.Sprintf("bytes = %d", n)) }
}

// TestHopperPlantedBugs: each of Hopper's rules that the compiler keeps
// (a fence between generic stores and wgmma's reads, a wait on the stage's
// mbarrier before reading it, expecting every byte a TMA copy brings, the
// wgmma wait before reading the accumulator, also after a loop whose dot
// stays in flight across iterations) is broken on purpose in a
// shipped kernel compiled for sm_90a, and the emulator's sanitizer names
// the broken rule. Unplanted, the same kernels pass.
func TestHopperPlantedBugs(t *testing.T) {
	matmul := func(t *testing.T) *kernels.Plan {
		k := kernels.Lookup("matmul")
		p, err := k.Problem(map[string]int{"M": 64, "N": 64, "K": 64}, ir.F16)
		require.NoError(t, err)
		plan, err := k.Plan(p, ir.Config{"BLOCK_M": 64, "BLOCK_N": 64, "BLOCK_K": 32, "GROUP_M": 1, "num_stages": 3, "num_warps": 4})
		require.NoError(t, err)
		return plan
	}
	// 4 stages: the K loop's dot stays in flight across iterations.
	matmul4 := func(t *testing.T) *kernels.Plan {
		k := kernels.Lookup("matmul")
		p, err := k.Problem(map[string]int{"M": 128, "N": 128, "K": 320}, ir.F16)
		require.NoError(t, err)
		plan, err := k.Plan(p, ir.Config{"BLOCK_M": 128, "BLOCK_N": 128, "BLOCK_K": 64, "GROUP_M": 1, "num_stages": 4, "num_warps": 8})
		require.NoError(t, err)
		return plan
	}
	flash := func(t *testing.T) *kernels.Plan {
		k := kernels.Lookup("flash")
		p, err := k.Problem(map[string]int{"N": 128, "D": 64}, ir.F16)
		require.NoError(t, err)
		plan, err := k.Plan(p, ir.Config{"BLOCK_M": 64, "BLOCK_N": 64, "num_stages": 2, "num_warps": 4})
		require.NoError(t, err)
		return plan
	}
	for _, c := range []struct {
		name    string
		plan    func(*testing.T) *kernels.Plan
		gpu     func(string) string
		ptx     func(string) string
		finding string
	}{
		{"no fence before wgmma reads stores", matmul, dropLines(`^\s*fence_async_shared$`), nil, "missing-proxy-fence"},
		{"stage read before its mbarrier phase", flash, dropLines(`^\s*mbarrier_wait `), nil, "tma-race"},
		{"fewer bytes expected than copied", flash, expectBytes(16), nil, "mbarrier-misuse"},
		{"accumulator read before wait_group", matmul, nil, dropLines(`wgmma\.wait_group`), "wgmma-race"},
		{"loop's in-flight accumulator read before wait_group 0", matmul4, nil, dropLines(`wgmma\.wait_group\.sync\.aligned 0;`), "wgmma-race"},
	} {
		t.Run(c.name, func(t *testing.T) {
			clean := &planted{Emu: runtime.NewEmu()}
			_, err := kernels.Check(clean, c.plan(t), 1)
			require.NoError(t, err, "unplanted")
			bad := &planted{Emu: runtime.NewEmu(), gpu: c.gpu, ptx: c.ptx}
			_, err = kernels.Check(bad, c.plan(t), 1)
			require.True(t, bad.planted, "the plant changed nothing")
			require.Error(t, err)
			require.Contains(t, err.Error(), c.finding)
		})
	}
}
