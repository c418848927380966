package all

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The kernels sit below the compiler driver, the devices that compile on
// launch, the tuner, the session and the typed entry points: a kernel
// package that imported one of them would pull it into every program that
// only describes, checks or generates kernels.
func TestKernelsImportNeitherTunerNorSession(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to list the packages' dependencies")
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/tilec/tilec/kernels/...").CombinedOutput()
	require.NoError(t, err, "%s", out)
	deps := strings.Fields(string(out))
	require.Contains(t, deps, "github.com/tilec/tilec/kernels/flash", "go list lists the kernels themselves")
	above := map[string]bool{}
	for _, pkg := range []string{"", "/device", "/autotune", "/session", "/ops"} {
		above["github.com/tilec/tilec"+pkg] = true
	}
	var found []string
	for _, d := range deps {
		if above[d] {
			found = append(found, d)
		}
	}
	require.Empty(t, found, "packages under kernels/ depend on what sits above them (go list -deps ./kernels/...)")
}
