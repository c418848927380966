package tests

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGoldenStages keeps each stage's text for the vector-add and softmax
// examples (default problem and config) in testdata/golden, so a reviewer
// sees what every stage does: tir (specialized tile IR), gpu (with
// layouts), ll (LLVM IR), ptx (tilec's backend). go test ./tests -run
// Golden -update rewrites them.
func TestGoldenStages(t *testing.T) {
	for _, name := range []string{"vector_add", "softmax"} {
		k := kernels.Lookup(name)
		p, err := k.Problem(nil, ir.Invalid)
		require.NoError(t, err)
		cfg, err := k.DefaultConfig(p)
		require.NoError(t, err)
		plan, err := k.Plan(p, cfg)
		require.NoError(t, err)
		funcs, err := plan.Specialize()
		require.NoError(t, err)
		bin, err := tilec.Compile(funcs[0], tilec.Options{Backend: tilec.BackendOwn, Facts: tilec.FactsOf(funcs[0], plan.NominalArgs(0))})
		require.NoError(t, err)
		for ext, text := range map[string]string{"tir": funcs[0].String(), "gpu": bin.GPU(), "ll": bin.LL(), "ptx": bin.PTX} {
			path := filepath.Join("testdata", "golden", name+"."+ext)
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "go test ./tests -run Golden -update creates it")
			require.Equal(t, string(want), text, "%s changed; rerun with -update if that is intended", path)
		}
	}
}
