package ptx

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tilec/tilec/ptx/emu"
)

// goldens are the kernels whose PTX is committed in testdata/golden, so a
// reviewer sees what the backend emits. go test ./ptx -run TestGolden
// -update rewrites them.
var goldens = []string{"vecadd", "loop", "mma"}

func TestGolden(t *testing.T) {
	for _, name := range goldens {
		t.Run(name, func(t *testing.T) {
			got := compileOwn(t, name)
			again := compileOwn(t, name)
			if got != again {
				t.Fatal("two compilations of the same module differ")
			}
			if _, err := emu.Parse(name+".ptx", []byte(got)); err != nil {
				t.Fatalf("the emulator cannot parse the output: %v", err)
			}
			path := filepath.Join("testdata", "golden", name+".ptx")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./ptx -run TestGolden -update)", err)
			}
			if got != string(want) {
				t.Errorf("%s is stale: the backend's output changed; review the diff and run go test ./ptx -run TestGolden -update", path)
			}
		})
	}
}
