package ptx

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ptxasPath returns NVIDIA's assembler, as tests/ptxas_test.go finds it:
// TILEC_PTXAS, else ptxas on the PATH. Without either the test skips, or
// fails under TILEC_REQUIRE_PTXAS=1 (what .ci/run sets, with the ptxas of
// scripts/get-ptxas.sh).
func ptxasPath(t testing.TB) string {
	t.Helper()
	p := os.Getenv("TILEC_PTXAS")
	if p == "" {
		p, _ = exec.LookPath("ptxas")
	}
	if p == "" {
		msg := "ptxas not found: set TILEC_PTXAS or put the CUDA toolkit's ptxas on the PATH (scripts/get-ptxas.sh fetches CUDA 12.4's)"
		if os.Getenv("TILEC_REQUIRE_PTXAS") == "1" {
			t.Fatal("TILEC_REQUIRE_PTXAS=1 but " + msg)
		}
		t.Skip(msg)
	}
	return p
}

// ptxasAdvisory matches what ptxas says about code it accepts but that
// is wrong or slow: warnings, and "Potential Performance Loss" notes such
// as serialized wgmma.
var ptxasAdvisory = regexp.MustCompile(`(?i)warning|Potential Performance Loss|serializ`)

// assemble runs ptxas -v for arch on ptx and fails t on an error or an
// advisory; it returns the log.
func assemble(t *testing.T, ptxas, ptx, arch string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "k.ptx")
	if err := os.WriteFile(src, []byte(ptx), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ptxas, "-arch="+arch, "-v", src, "-o", filepath.Join(dir, "k.cubin")).CombinedOutput()
	if err != nil {
		t.Fatalf("ptxas -arch=%s: %v\n%s\n--- PTX:\n%s", arch, err, out, ptx)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if ptxasAdvisory.MatchString(l) {
			t.Errorf("ptxas -arch=%s: %s", arch, strings.TrimSpace(l))
		}
	}
	return string(out)
}
