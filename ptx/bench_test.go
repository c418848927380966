package ptx

import (
	"fmt"
	"strings"
	"testing"

	"github.com/llir/llvm/asm"
)

// benchKernel generates a kernel of about 500 instructions: a loop whose
// body repeats integer and float arithmetic, compares, selects, address
// computation, loads and stores, with a phi per carried value.
func benchKernel(reps int) string {
	var sb strings.Builder
	sb.WriteString("target datalayout = \"" + DataLayout + "\"\ntarget triple = \"" + Triple + "\"\n")
	sb.WriteString("declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()\n")
	sb.WriteString("define void @bench(float addrspace(1)* %x, i32 addrspace(1)* %y, i32 %n) {\nentry:\n")
	sb.WriteString("  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()\n  br label %loop\nloop:\n")
	sb.WriteString("  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]\n")
	sb.WriteString("  %f0 = phi float [ 1.0, %entry ], [ %fz, %loop ]\n")
	sb.WriteString("  %a0 = phi i32 [ 0, %entry ], [ %az, %loop ]\n")
	f, a := "%f0", "%a0"
	for r := 0; r < reps; r++ {
		fmt.Fprintf(&sb, "  %%idx%d = add i32 %%i, %d\n", r, r)
		fmt.Fprintf(&sb, "  %%px%d = getelementptr float, float addrspace(1)* %%x, i32 %%idx%d\n", r, r)
		fmt.Fprintf(&sb, "  %%v%d = load float, float addrspace(1)* %%px%d, align 4\n", r, r)
		fmt.Fprintf(&sb, "  %%m%d = fmul float %%v%d, %s\n", r, r, f)
		fmt.Fprintf(&sb, "  %%s%d = fadd float %%m%d, 1.5\n", r, r)
		fmt.Fprintf(&sb, "  %%c%d = fcmp olt float %%s%d, %s\n", r, r, f)
		fmt.Fprintf(&sb, "  %%f%d = select i1 %%c%d, float %%s%d, float %s\n", r+1, r, r, f)
		fmt.Fprintf(&sb, "  %%b%d = mul i32 %s, %d\n", r, a, 2*r+3)
		fmt.Fprintf(&sb, "  %%d%d = xor i32 %%b%d, %%idx%d\n", r, r, r)
		fmt.Fprintf(&sb, "  %%a%d = lshr i32 %%d%d, 1\n", r+1, r)
		fmt.Fprintf(&sb, "  %%py%d = getelementptr i32, i32 addrspace(1)* %%y, i32 %%idx%d\n", r, r)
		fmt.Fprintf(&sb, "  store i32 %%a%d, i32 addrspace(1)* %%py%d, align 4\n", r+1, r)
		f, a = fmt.Sprintf("%%f%d", r+1), fmt.Sprintf("%%a%d", r+1)
	}
	fmt.Fprintf(&sb, "  %%fz = fadd float %s, 0.0\n  %%az = add i32 %s, 0\n", f, a)
	sb.WriteString("  %i1 = add i32 %i, 1\n  %more = icmp slt i32 %i1, %n\n  br i1 %more, label %loop, label %done\ndone:\n  ret void\n}\n")
	sb.WriteString("!nvvm.annotations = !{!0}\n!0 = !{void (float addrspace(1)*, i32 addrspace(1)*, i32)* @bench, !\"kernel\", i32 1}\n")
	return sb.String()
}

// BenchmarkCompile measures Compile on a ~500-instruction kernel (parsing
// is not timed); ns/op is nanoseconds per module.
func BenchmarkCompile(b *testing.B) {
	src := benchKernel(40)
	m, err := asm.ParseString("bench.ll", src)
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for _, fn := range m.Funcs {
		for _, blk := range fn.Blocks {
			n += len(blk.Insts) + 1
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Compile(m, Target{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "insts/module")
}

func TestBenchKernelCompiles(t *testing.T) {
	src := benchKernel(40)
	if HaveOpt() {
		if err := Verify(src); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := CompileText(src, Target{}); err != nil {
		t.Fatal(err)
	}
}
