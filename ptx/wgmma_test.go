package ptx

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// wgmmaLL builds a kernel whose loop issues one warpgroup MMA per
// iteration through inline asm, as a Hopper GEMM main loop does: acc f32
// accumulators ("=f" outputs tied to the loop-carried inputs "0".."acc-1",
// LLVM IR's encoding of "+f"), the two 64-bit shared-memory matrix
// descriptors ("l"), the scale-d flag ("r", turned into a predicate inside
// a braced block) and, with imm, the four immediate operands as "n"
// constraints instead of literals. n is the instruction's N (acc = n/2).
func wgmmaLL(n int, imm bool) string {
	acc := n / 2
	var sb strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&sb, format, args...) }
	p("target datalayout = %q\ntarget triple = %q\n\n", DataLayout, Triple)
	fields := strings.TrimSuffix(strings.Repeat("float, ", acc), ", ")
	p("define void @wgmma_loop(float addrspace(1)* %%out, i64 %%da, i64 %%db, i32 %%steps) {\nentry:\n  br label %%loop\nloop:\n")
	p("  %%i = phi i32 [ 0, %%entry ], [ %%i1, %%loop ]\n")
	for j := 0; j < acc; j++ {
		p("  %%acc%d = phi float [ 0.0, %%entry ], [ %%r%d, %%loop ]\n", j, j)
	}
	p("  %%scale = zext i1 true to i32\n")
	p("  %%first = icmp eq i32 %%i, 0\n  %%scaled = select i1 %%first, i32 0, i32 %%scale\n")
	p("  %%adesc = add i64 %%da, 2\n  %%bdesc = add i64 %%db, 2\n")
	p("  call void asm sideeffect \"wgmma.fence.sync.aligned;\", \"~{memory}\"()\n")
	var regs []string
	for j := 0; j < acc; j++ {
		regs = append(regs, fmt.Sprintf("$%d", j))
	}
	ops := "1, 1, 0, 0"
	if imm {
		ops = fmt.Sprintf("$%d, $%d, $%d, $%d", 2*acc+3, 2*acc+4, 2*acc+5, 2*acc+6)
	}
	text := fmt.Sprintf(`{\0A.reg .pred p;\0Asetp.ne.b32 p, $%d, 0;\0Awgmma.mma_async.sync.aligned.m64n%dk16.f32.f16.f16 {%s}, $%d, $%d, p, %s;\0A}`,
		2*acc+2, n, strings.Join(regs, ", "), 2*acc, 2*acc+1, ops)
	cons := strings.TrimSuffix(strings.Repeat("=f,", acc), ",")
	for j := 0; j < acc; j++ {
		cons += fmt.Sprintf(",%d", j)
	}
	cons += ",l,l,r"
	var args []string
	for j := 0; j < acc; j++ {
		args = append(args, fmt.Sprintf("float %%acc%d", j))
	}
	args = append(args, "i64 %adesc", "i64 %bdesc", "i32 %scaled")
	if imm {
		cons += ",n,n,n,n"
		args = append(args, "i32 1", "i32 1", "i32 0", "i32 0")
	}
	p("  %%res = call { %s } asm sideeffect \"%s\", \"%s,~{memory}\"(%s)\n", fields, text, cons, strings.Join(args, ", "))
	p("  call void asm sideeffect \"wgmma.commit_group.sync.aligned;\", \"~{memory}\"()\n")
	p("  call void asm sideeffect \"wgmma.wait_group.sync.aligned 0;\", \"~{memory}\"()\n")
	for j := 0; j < acc; j++ {
		p("  %%r%d = extractvalue { %s } %%res, %d\n", j, fields, j)
	}
	p("  %%i1 = add i32 %%i, 1\n  %%more = icmp slt i32 %%i1, %%steps\n  br i1 %%more, label %%loop, label %%exit\nexit:\n")
	p("  %%tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()\n  %%base = mul i32 %%tid, %d\n", acc)
	for j := 0; j < acc; j++ {
		p("  %%o%d = add i32 %%base, %d\n  %%q%d = getelementptr inbounds float, float addrspace(1)* %%out, i32 %%o%d\n  store float %%r%d, float addrspace(1)* %%q%d, align 4\n", j, j, j, j, j, j)
	}
	p("  ret void\n}\n\ndeclare i32 @llvm.nvvm.read.ptx.sreg.tid.x()\n\n")
	p("!nvvm.annotations = !{!0, !1}\n!0 = !{void (float addrspace(1)*, i64, i64, i32)* @wgmma_loop, !\"kernel\", i32 1}\n")
	p("!1 = !{void (float addrspace(1)*, i64, i64, i32)* @wgmma_loop, !\"reqntidx\", i32 128}\n")
	return sb.String()
}

// TestWGMMAInlineAsm checks that inline asm carries what Hopper's wgmma
// needs: up to 128 "=f" outputs tied to as many inputs, "l" descriptors,
// an "r" flag used in a braced block that declares a predicate, "n"
// immediates, and operand numbers past 99 ($128, $258). The PTX must name
// 64 or 128 distinct accumulator registers in the braces, in order, need
// sm_90a, and assemble with ptxas for sm_90a without an advisory (wgmma
// serialized, spills).
func TestWGMMAInlineAsm(t *testing.T) {
	wgmmaLine := regexp.MustCompile(`wgmma\.mma_async\.sync\.aligned\.m64n(\d+)k16\.f32\.f16\.f16 \{([^}]*)\}, (%rd\d+), (%rd\d+), p, ([^;]*);`)
	for _, c := range []struct {
		n   int
		imm bool
	}{{128, false}, {128, true}, {256, true}} {
		t.Run(fmt.Sprintf("m64n%dk16 imm=%v", c.n, c.imm), func(t *testing.T) {
			ll := wgmmaLL(c.n, c.imm)
			if HaveOpt() {
				if err := Verify(ll); err != nil {
					t.Fatalf("the generated module is not valid LLVM IR: %v\n%s", err, ll)
				}
			}
			if _, err := CompileText(ll, Target{SM: "sm_90"}); err == nil || !strings.Contains(err.Error(), "needs sm_90a") {
				t.Errorf("sm_90: err = %v, want wgmma to need sm_90a", err)
			}
			ptx, err := CompileText(ll, Target{SM: "sm_90a"})
			if err != nil {
				t.Fatal(err)
			}
			m := wgmmaLine.FindStringSubmatch(ptx)
			if m == nil {
				t.Fatalf("no wgmma line in:\n%s", ptx)
			}
			regs := strings.Split(m[2], ", ")
			if len(regs) != c.n/2 {
				t.Fatalf("%d accumulator registers, want %d: %s", len(regs), c.n/2, m[2])
			}
			seen := map[string]bool{}
			for _, r := range regs {
				if !strings.HasPrefix(r, "%f") || seen[r] {
					t.Fatalf("accumulators must be distinct f32 registers: %s", m[2])
				}
				seen[r] = true
			}
			if m[5] != "1, 1, 0, 0" {
				t.Errorf("immediates %q, want 1, 1, 0, 0", m[5])
			}
			if !regexp.MustCompile(`setp\.ne\.b32 p, %r\d+, 0;`).MatchString(ptx) {
				t.Errorf("the scale-d flag is not an r register in setp:\n%s", ptx)
			}
			for _, want := range []string{"\t{\n", "\t.reg .pred p;\n", "\t}\n", ".version 8.0\n", ".target sm_90a\n"} {
				if !strings.Contains(ptx, want) {
					t.Errorf("the PTX lacks %q", want)
				}
			}
			ptxas := ptxasPath(t)
			log := assemble(t, ptxas, ptx, "sm_90a")
			t.Logf("ptxas: %s", strings.Join(strings.Fields(log), " "))
		})
	}
}
