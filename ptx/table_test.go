package ptx

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/llir/llvm/asm"
)

// TestInstructionTable checks every row's opcode against the instructions
// llir parses from testdata, and that every row is exercised by some
// testdata kernel (so each lowering is run against llc and a reference).
func TestInstructionTable(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.ll"))
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]int{}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		m, err := asm.ParseString(p, string(b))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, fn := range m.Funcs {
			for _, blk := range fn.Blocks {
				for _, inst := range blk.Insts {
					row := instTable[reflect.TypeOf(inst)]
					if row == nil {
						t.Errorf("%s: %s has no row", p, inst.LLString())
						continue
					}
					if op := opcodeOf(inst); op != row.name {
						t.Errorf("row %q matched %s (opcode %q)", row.name, inst.LLString(), op)
					}
					used[row.name]++
				}
			}
		}
	}
	for _, r := range instRows {
		if used[r.name] == 0 {
			t.Errorf("row %q is not exercised by any testdata kernel", r.name)
		}
	}
}
