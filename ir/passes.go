package ir

import (
	"fmt"
	"io"
)

// Pass is one IR-to-IR transformation. Passes rewrite the Func in place and
// leave it valid: tests run the verifier after each.
type Pass struct {
	Name string // also the value of --dump-after
	Doc  string
	Run  func(*Func) error
}

// Pipeline is the ordered list of passes run after specialization.
// fold first: it turns bound meta-parameters into constants and removes dead
// branches, which gives CSE more to merge; DCE last, to drop what both left.
var Pipeline = []Pass{
	{Name: "fold", Doc: "fold constants, identities and branches on constants", Run: Fold},
	{Name: "cse", Doc: "merge identical pure ops", Run: CSE},
	{Name: "dce", Doc: "remove ops whose results are unused and that have no effects", Run: DCE},
}

// PassOptions control RunPasses.
type PassOptions struct {
	// Verify runs the verifier after every pass.
	Verify bool
	// DumpAfter names a pass ("all" for every one) after which the IR is
	// printed to Dump.
	DumpAfter string
	Dump      io.Writer
}

// RunPasses runs Pipeline on f.
func RunPasses(f *Func, opts PassOptions) error {
	for _, p := range Pipeline {
		if err := p.Run(f); err != nil {
			return fmt.Errorf("pass %s: %w", p.Name, err)
		}
		if opts.Verify {
			if err := Verify(f); err != nil {
				return fmt.Errorf("after pass %s: %w", p.Name, err)
			}
		}
		if opts.Dump != nil && (opts.DumpAfter == p.Name || opts.DumpAfter == "all") {
			fmt.Fprintf(opts.Dump, "// after %s\n%s", p.Name, f)
		}
	}
	return nil
}

// replaceUses rewrites every operand of f found in repl, following chains.
func replaceUses(f *Func, repl map[*Value]*Value) {
	if len(repl) == 0 {
		return
	}
	f.Walk(func(op *Op) {
		for i, a := range op.Args {
			op.Args[i] = resolve(repl, a)
		}
	})
}

func resolve(repl map[*Value]*Value, v *Value) *Value {
	for {
		r, ok := repl[v]
		if !ok {
			return v
		}
		v = r
	}
}
