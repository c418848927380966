package gen

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	_ "github.com/tilec/tilec/kernels/all"
)

// problem is a kernel's problem with its default config.
func problem(t *testing.T, kernel string, sizes map[string]int, dt ir.DType) Problem {
	t.Helper()
	k := kernels.Lookup(kernel)
	p, err := k.Problem(sizes, dt)
	require.NoError(t, err)
	cfg, err := k.DefaultConfig(p)
	require.NoError(t, err)
	return Problem{Problem: p, Config: cfg}
}

// packages are the generated packages the tests build: every shipped
// kernel but the examples, with several dtypes, problems and targets.
func packages(t *testing.T) []Options {
	return []Options{
		{Kernel: kernels.Lookup("flash"), Package: "attention", Targets: []tilec.Target{"sm_80", "sm_90", "sm_90a"}, Problems: []Problem{
			problem(t, "flash", map[string]int{"N": 100, "D": 64}, ir.F16),
			problem(t, "flash", map[string]int{"N": 100, "D": 64}, ir.BF16),
			problem(t, "flash", map[string]int{"N": 70, "D": 128, "causal": 1, "HKV": 1}, ir.F16),
		}},
		{Kernel: kernels.Lookup("rope"), Package: "rotary", Problems: []Problem{
			problem(t, "rope", nil, ir.BF16),
			problem(t, "rope", map[string]int{"T": 33, "H": 2, "HK": 0, "D": 128, "pos": 0, "cache": 0}, ir.BF16),
		}},
		{Kernel: kernels.Lookup("moe"), Package: "dispatch", Problems: []Problem{
			problem(t, "moe", nil, ir.BF16),
			problem(t, "moe", map[string]int{"T": 40, "E": 16, "K": 4, "f32logits": 1}, ir.BF16),
		}},
	}
}

// goTool finds the go command.
func goTool(t *testing.T) string {
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build the generated packages")
	}
	return p
}

// TestGeneratedPackagesBuildAndPass writes generated packages into a
// module that uses this checkout of tilec, then go vet and go test it: the
// generated tests run every variant on the emulator against the reference.
// Generating again gives the same bytes.
func TestGeneratedPackagesBuildAndPass(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and tests generated packages with the go command")
	}
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	dir := t.TempDir()
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	// The module requires what tilec requires, at tilec's versions, so
	// nothing new is resolved.
	gomod := strings.Replace(string(mod), "module github.com/tilec/tilec", "module gentest", 1) +
		"\nrequire github.com/tilec/tilec v0.0.0\n\nreplace github.com/tilec/tilec => " + root + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644))
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))

	for _, o := range packages(t) {
		files, err := Generate(o)
		require.NoError(t, err, o.Package)
		again, err := Generate(o)
		require.NoError(t, err)
		require.Equal(t, len(files), len(again))
		for name, b := range files {
			assert.Truef(t, bytes.Equal(b, again[name]), "%s/%s differs when generated again", o.Package, name)
			require.NoError(t, os.MkdirAll(filepath.Join(dir, o.Package), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, o.Package, name), b, 0o644))
		}
		src := string(files[o.Package+".go"])
		assert.NotContains(t, src, "github.com/tilec/tilec\"", "the package must not import the compiler")
		if slices.Contains(o.Targets, "sm_90a") {
			// Hopper's variants copy with TMA: their tensor maps are built
			// at launch from the arguments.
			assert.Contains(t, src, "Kind: runtime.TensorMap, Map: &runtime.MapSpec{")
			assert.Contains(t, string(files["ptx.go"]), "cp.async.bulk.tensor")
		}
		for _, imp := range []string{"/ir\"", "/kernels", "/codegen", "/autotune"} {
			assert.NotContains(t, src, imp, "the package imports only the runtime")
		}
	}
	gocmd := goTool(t)
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command(gocmd, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off", "GOTOOLCHAIN=local")
		out, err := cmd.CombinedOutput()
		require.NoErrorf(t, err, "go %s:\n%s", strings.Join(args, " "), out)
		t.Logf("go %s:\n%s", strings.Join(args, " "), out)
	}
}

func TestLauncherNames(t *testing.T) {
	flash := packages(t)[0]
	files, err := Generate(flash)
	require.NoError(t, err)
	src := string(files["attention.go"])
	// Two dtypes of attn_fwd: one launcher each; causal is its own kernel.
	for _, fn := range []string{"func AttnFwdF16(", "func AttnFwdBF16(", "func AttnFwdCausal("} {
		assert.Contains(t, src, fn)
	}
	assert.Contains(t, src, "strideQz int64")
	assert.Contains(t, src, "nCtx int32")
	assert.Contains(t, src, "v_ runtime.DevicePtr", "a parameter named like a local variable is renamed")
	// The parameters the kernel documents are listed in the launcher's doc.
	assert.Contains(t, src, "//   - group: query heads per key/value head")

	rope := packages(t)[1]
	files, err = Generate(rope)
	require.NoError(t, err)
	assert.Contains(t, string(files["rotary.go"]), "func RopeNeoxPosCache(", "one dtype: no suffix")
}

func TestGenerateRejectsBadInput(t *testing.T) {
	for _, name := range []string{"", "1pkg", "my-pkg", "func", "_"} {
		assert.ErrorContains(t, CheckPackageName(name), "is not a valid Go package name", name)
	}
	require.NoError(t, CheckPackageName("attention"))
	k := kernels.Lookup("flash")
	_, err := Generate(Options{Kernel: k, Package: "attention"})
	assert.ErrorContains(t, err, "no problem")
	p, err := k.Problem(nil, ir.F16)
	require.NoError(t, err)
	_, err = Generate(Options{Kernel: k, Package: "attention", Problems: []Problem{{Problem: p, Config: ir.Config{"BLOCK_M": 48, "BLOCK_N": 16}}}})
	assert.ErrorContains(t, err, "BLOCK_M=48 must be a power of two")
	_, err = Generate(Options{Kernel: k, Package: "attention", Targets: []tilec.Target{"compute_80"},
		Problems: []Problem{{Problem: p, Config: ir.Config{"BLOCK_M": 64, "BLOCK_N": 32}}}})
	assert.Error(t, err)
}
