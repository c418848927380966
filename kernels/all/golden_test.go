package all

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

var update = flag.Bool("update", false, "rewrite the golden .tir files")

// texts returns the generic and the specialized text of every kernel the
// problem launches.
func texts(t *testing.T, k *kernels.Kernel, p kernels.Problem, cfg ir.Config) (generic, specialized string) {
	t.Helper()
	plan, err := k.Plan(p, cfg)
	require.NoError(t, err)
	funcs, err := plan.Specialize()
	require.NoError(t, err)
	var g, s strings.Builder
	seen := map[*ir.Func]bool{}
	for i, l := range plan.Launches {
		if seen[l.Kernel] {
			continue
		}
		seen[l.Kernel] = true
		g.WriteString(l.Kernel.String())
		s.WriteString(funcs[i].String())
	}
	return g.String(), s.String()
}

// roundTrip parses text and prints it again; the result must be the same.
func roundTrip(t *testing.T, name, text string) {
	t.Helper()
	fs, err := ir.Parse(name, text)
	require.NoError(t, err)
	var sb strings.Builder
	for _, f := range fs {
		sb.WriteString(f.String())
	}
	require.Equal(t, text, sb.String(), "print(parse(print(f))) != print(f) for %s", name)
}

// The golden files show each shipped kernel's IR for its default problem
// and config, before and after specialization; go test -update rewrites them.
func TestGoldenIR(t *testing.T) {
	for _, k := range kernels.Registered() {
		p, err := k.Problem(nil, ir.Invalid)
		require.NoError(t, err)
		cfg, err := k.DefaultConfig(p)
		require.NoError(t, err)
		g, s := texts(t, k, p, cfg)
		for suffix, text := range map[string]string{".generic.tir": g, ".tir": s} {
			path := filepath.Join("testdata", k.Name+suffix)
			if *update {
				require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run go test -update to create the golden files")
			require.Equal(t, string(want), text, "%s changed; run go test ./kernels/all -update if that is intended", path)
			roundTrip(t, path, text)
		}
	}
}

// Every config of every kernel's space, for every dtype, prints and parses
// back to the same text.
func TestRoundTripEverySpecialization(t *testing.T) {
	for _, k := range kernels.Registered() {
		for _, dt := range k.DTypes {
			p, err := k.Problem(nil, dt)
			require.NoError(t, err)
			for _, cfg := range k.Space(p) {
				g, s := texts(t, k, p, cfg)
				roundTrip(t, k.Name+".generic", g)
				roundTrip(t, k.Name+" "+cfg.String(), s)
			}
		}
	}
}

// Every launch's grid expressions give its grid, for every config of every
// kernel at its default and benchmark problems.
func TestGridExpressions(t *testing.T) {
	for _, k := range kernels.Registered() {
		var problems []kernels.Problem
		for _, dt := range k.DTypes {
			p, err := k.Problem(nil, dt)
			require.NoError(t, err)
			problems = append(problems, p)
		}
		for _, b := range k.Bench {
			p, err := k.Problem(b.Sizes, b.DType)
			require.NoError(t, err)
			problems = append(problems, p)
		}
		for _, p := range problems {
			for _, cfg := range k.Space(p) {
				plan, err := k.Plan(p, cfg)
				require.NoError(t, err)
				for _, l := range plan.Launches {
					require.NoError(t, l.CheckGrid(), "%s %s %s", k.Name, p, cfg)
					for _, key := range l.Keys {
						require.Contains(t, l.GridValues(), key, "%s: key %s is not an integer parameter", k.Name, key)
					}
				}
			}
		}
	}
}
