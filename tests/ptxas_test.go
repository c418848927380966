package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/kernels"
)

// ptxasPath returns NVIDIA's assembler (TILEC_PTXAS, else ptxas on the
// PATH) or skips: it ships with the CUDA toolkit (Debian: the non-free
// package nvidia-cuda-toolkit), which CI does not install.
func ptxasPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TILEC_PTXAS"); p != "" {
		return p
	}
	p, err := exec.LookPath("ptxas")
	if err != nil {
		t.Skip("ptxas not found (set TILEC_PTXAS or put the CUDA toolkit's ptxas on the PATH)")
	}
	return p
}

var ptxasUsed = regexp.MustCompile(`Used (\d+) registers`)
var ptxasSpill = regexp.MustCompile(`(\d+) bytes spill stores`)

// TestPTXAssemblesForHopper assembles the PTX of every config of every
// kernel's tuning space, at each benchmark shape, for sm_90 with ptxas: what
// the driver's JIT does on an H100 or H200, checked without one. It fails
// on any ptxas error, on more than 255 registers, and on spills larger than
// a few words (one flash config spills 12 bytes; more means a register
// pressure regression), and logs the registers beside codegen's estimate.
func TestPTXAssemblesForHopper(t *testing.T) {
	ptxas := ptxasPath(t)
	dir := t.TempDir()
	n := 0
	for _, k := range kernels.Registered() {
		for _, b := range k.Bench {
			p, err := k.Problem(b.Sizes, b.DType)
			require.NoError(t, err)
			for _, cfg := range k.Space(p) {
				plan, err := k.Plan(p, cfg)
				require.NoError(t, err)
				funcs, err := plan.Specialize()
				require.NoError(t, err)
				for i, f := range funcs {
					bin, err := tilec.Compile(f, tilec.Options{Target: "sm_90", Facts: tilec.FactsOf(f, plan.NominalArgs(i))})
					require.NoError(t, err, "%s %s %s", k.Name, p, cfg)
					n++
					file := filepath.Join(dir, fmt.Sprintf("k%d.ptx", n))
					require.NoError(t, os.WriteFile(file, []byte(bin.PTX), 0o644))
					out, err := exec.Command(ptxas, "-arch=sm_90", "-v", file, "-o", file+".cubin").CombinedOutput()
					require.NoError(t, err, "%s %s %s launch %d: ptxas: %s", k.Name, p, cfg, i, out)
					regs := ptxasUsed.FindSubmatch(out)
					require.NotNil(t, regs, "%s", out)
					r, _ := strconv.Atoi(string(regs[1]))
					spill := 0
					if m := ptxasSpill.FindSubmatch(out); m != nil {
						spill, _ = strconv.Atoi(string(m[1]))
					}
					t.Logf("%s %s %s %s: %d registers (estimate %d), %d bytes spilled", k.Name, p, cfg, f.Name, r, bin.LiveRegisters(), spill)
					require.LessOrEqual(t, r, 255)
					require.LessOrEqual(t, spill, 16, "%s %s %s: spills", k.Name, p, cfg)
				}
			}
		}
	}
	require.Positive(t, n)
}
