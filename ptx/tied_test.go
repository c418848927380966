package ptx

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// An inline asm output tied to an input is that input's register when the
// asm is its last reader (lastUse), or the register of the phi it goes to
// when that phi is free from the asm on (phiOutput): wgmma's accumulators
// are then never copied while an mma writes them, in the loop or on its
// back edge. Where the input is still needed, the output gets a register
// of its own and the input is copied into it first.
func TestTiedAsmOutputsTakeFreeRegisters(t *testing.T) {
	loop := func(body string) string {
		return `define void @k(float* %out, float %x, i32 %n) {
entry:
  br label %head
head:
  %i = phi i32 [ 0, %entry ], [ %i1, %body ]
  %acc = phi float [ 0.0, %entry ], [ %next, %body ]
  %c = icmp slt i32 %i, %n
  br i1 %c, label %body, label %exit
body:
` + body + `
  %i1 = add i32 %i, 1
  br label %head
exit:
  store float %acc, float* %out
  ret void
}
!nvvm.annotations = !{!0}
!0 = !{void (float*, float, i32)* @k, !"kernel", i32 1}
`
	}
	// asmLine is the register the asm writes and reads (its $0 and $1 are
	// the same register for a tied pair).
	asmReg := regexp.MustCompile(`acc\.op (%f\d+), (%f\d+);`)
	for _, c := range []struct {
		name, body string
		phiReg     bool // the asm writes the phi's register
		copyIn     bool // a mov into the asm's register precedes it
	}{
		// The phi's last use: the asm works in the phi's register.
		{"accumulates onto the phi", `  %next = call float asm sideeffect "acc.op $0, $1;", "=f,0"(float %acc)`, true, false},
		// Rescaled first (attention's P·V): the product is copied into the
		// phi's free register, where the asm accumulates.
		{"rescaled, back to the phi", `  %s = fmul float %acc, %x
  %next = call float asm sideeffect "acc.op $0, $1;", "=f,0"(float %s)`, true, true},
		// The phi is read after the asm: neither register is free for it.
		{"phi read after", `  %r = call float asm sideeffect "acc.op $0, $1;", "=f,0"(float %acc)
  %next = fadd float %r, %acc`, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := CompileText(loop(c.body), Target{SM: "sm_80"})
			require.NoError(t, err)
			m := asmReg.FindStringSubmatch(out)
			require.NotNil(t, m, out)
			require.Equal(t, m[1], m[2], "a tied pair is one register:\n%s", out)
			reg := m[1]
			// The phi's register: what the exit block stores.
			st := regexp.MustCompile(`st\.(?:global\.)?f32\s+\[%rd\d+\], (%f\d+);`).FindStringSubmatch(out)
			require.NotNil(t, st, out)
			if c.phiReg {
				require.Equal(t, st[1], reg, "the asm works in the phi's register:\n%s", out)
			} else {
				require.NotEqual(t, st[1], reg, out)
			}
			before := out[strings.Index(out, "// %body"):strings.Index(out, "// begin inline asm")]
			require.Equal(t, c.copyIn, strings.Contains(before, "mov.f32 \t"+reg+", "), "a copy into the asm's register:\n%s", out)
			// Nothing copies the asm's result on the back edge when it
			// lives in the phi's register.
			if c.phiReg {
				require.NotContains(t, out, ", "+reg+";\n\tbra", out)
				require.NotRegexp(t, `mov\.f32\s+%f\d+, `+regexp.QuoteMeta(reg)+`;`, out)
			}
		})
	}
}
