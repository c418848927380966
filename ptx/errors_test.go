package ptx

import (
	"strings"
	"testing"
)

// kernelLL wraps declarations and a kernel body (taking i32 addrspace(1)*
// %p and i32 %n) into a module.
func kernelLL(decls, body string) string {
	return `target datalayout = "` + DataLayout + `"
target triple = "` + Triple + `"
` + decls + `
define void @k(i32 addrspace(1)* %p, i32 %n) {
entry:
` + body + `
}
!nvvm.annotations = !{!0}
!0 = !{void (i32 addrspace(1)*, i32)* @k, !"kernel", i32 1}
`
}

// TestUnsupported feeds one construct outside the subset per case and
// requires an error that names it (and, for instructions, the function
// and the instruction's text).
func TestUnsupported(t *testing.T) {
	cases := []struct {
		name   string
		ll     string
		target Target
		want   []string // substrings of the error
		badIR  bool     // opt rejects it too; the backend must not rely on that
	}{
		{"alloca", kernelLL("", "  %a = alloca i32, align 4\n  store i32 1, i32* %a\n  ret void"), Target{},
			[]string{"@k", `unsupported instruction "alloca"`, "%a = alloca i32"}, false},
		{"switch", kernelLL("", "  switch i32 %n, label %d [ i32 0, label %z ]\nz:\n  ret void\nd:\n  ret void"), Target{},
			[]string{"@k", `unsupported terminator "switch"`}, false},
		{"unknown function", kernelLL("declare i32 @foo(i32)", "  %r = call i32 @foo(i32 %n)\n  ret void"), Target{},
			[]string{"%r = call i32 @foo(i32 %n)", "@foo", "only declared"}, false},
		{"i128", kernelLL("", "  %w = sext i32 %n to i128\n  %t = trunc i128 %w to i32\n  store i32 %t, i32 addrspace(1)* %p\n  ret void"), Target{},
			[]string{"%w = sext i32 %n to i128", "i128"}, false},
		{"intrinsic not in the table", kernelLL("declare i32 @llvm.nvvm.read.ptx.sreg.clock()", "  %c = call i32 @llvm.nvvm.read.ptx.sreg.clock()\n  ret void"), Target{},
			[]string{"llvm.nvvm.read.ptx.sreg.clock", "not in ptx.Intrinsics"}, false},
		{"intrinsic with a wrong signature", kernelLL("declare i64 @llvm.nvvm.read.ptx.sreg.tid.x()", "  %c = call i64 @llvm.nvvm.read.ptx.sreg.tid.x()\n  ret void"), Target{},
			[]string{"llvm.nvvm.read.ptx.sreg.tid.x", "declared as i64 ()", "want i32 ()"}, true},
		{"cp.async on sm_70", kernelLL("declare void @llvm.nvvm.cp.async.commit.group()", "  call void @llvm.nvvm.cp.async.commit.group()\n  ret void"), Target{SM: "sm_70"},
			[]string{"call void @llvm.nvvm.cp.async.commit.group()", "cp.async.commit_group needs sm_80", "target is sm_70"}, false},
		{"mma bf16 on sm_75", kernelLL("declare {float, float, float, float} @llvm.nvvm.mma.m16n8k16.row.col.bf16(i32, i32, i32, i32, i32, i32, float, float, float, float)",
			"  %r = call {float, float, float, float} @llvm.nvvm.mma.m16n8k16.row.col.bf16(i32 %n, i32 %n, i32 %n, i32 %n, i32 %n, i32 %n, float 0.0, float 0.0, float 0.0, float 0.0)\n  ret void"), Target{SM: "sm_75"},
			[]string{"mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 needs sm_80"}, false},
		{"wgmma on sm_90", kernelLL("", `  call void asm sideeffect "wgmma.fence.sync.aligned;", "~{memory}"()`+"\n  ret void"), Target{SM: "sm_90"},
			[]string{"wgmma.fence.sync.aligned needs sm_90a", "target is sm_90"}, false},
		{"vector compare", kernelLL("", "  %v = insertelement <2 x i32> undef, i32 %n, i32 0\n  %c = icmp eq <2 x i32> %v, %v\n  ret void"), Target{},
			[]string{"%c = icmp eq <2 x i32> %v, %v", "vector"}, false},
		{"vector select condition", kernelLL("", "  %v = insertelement <2 x i32> undef, i32 %n, i32 0\n  %c = trunc <2 x i32> %v to <2 x i1>\n  %s = select <2 x i1> %c, <2 x i32> %v, <2 x i32> %v\n  ret void"), Target{},
			[]string{"%c = trunc <2 x i32> %v to <2 x i1>"}, false},
		{"variable extractelement", kernelLL("", "  %v = insertelement <2 x i32> undef, i32 %n, i32 0\n  %e = extractelement <2 x i32> %v, i32 %n\n  ret void"), Target{},
			[]string{"%e = extractelement <2 x i32> %v, i32 %n", "constant index"}, false},
		{"indirect call", kernelLL("", "  %f = inttoptr i32 %n to void ()*\n  call void %f()\n  ret void"), Target{},
			[]string{"call void %f()", "indirect"}, false},
		{"atomic load", kernelLL("", "  %v = load atomic i32, i32 addrspace(1)* %p seq_cst, align 4\n  ret void"), Target{},
			[]string{"load atomic", "atomic loads"}, false},
		{"struct load", kernelLL("", "  %q = bitcast i32 addrspace(1)* %p to {i32, i32} addrspace(1)*\n  %v = load {i32, i32}, {i32, i32} addrspace(1)* %q\n  ret void"), Target{},
			[]string{"%v = load { i32, i32 }", "structs"}, false},
		{"unaligned load", kernelLL("", "  %v = load i32, i32 addrspace(1)* %p, align 1\n  ret void"), Target{},
			[]string{"%v = load i32, i32 addrspace(1)* %p, align 1", "alignment 1"}, false},
		{"atomicrmw nand", kernelLL("", "  %v = atomicrmw nand i32 addrspace(1)* %p, i32 %n monotonic\n  ret void"), Target{},
			[]string{"atomicrmw nand", "not supported"}, false},
		{"atomicrmw i16", kernelLL("", "  %q = bitcast i32 addrspace(1)* %p to i16 addrspace(1)*\n  %v = atomicrmw add i16 addrspace(1)* %q, i16 1 monotonic\n  ret void"), Target{},
			[]string{"atomicrmw add i16", "i16"}, false},
		{"fptosi to i1", kernelLL("", "  %f = sitofp i32 %n to float\n  %b = fptosi float %f to i1\n  ret void"), Target{},
			[]string{"%b = fptosi float %f to i1", "i1"}, false},
		{"bitcast of i8 vector", kernelLL("", "  %v = bitcast i32 %n to <4 x i8>\n  ret void"), Target{},
			[]string{"%v = bitcast i32 %n to <4 x i8>", "i8"}, false},
		{"inline asm modifier", kernelLL("", `  call void asm sideeffect "mov.u32 ${0:x}, 1;", "r"(i32 %n)`+"\n  ret void"), Target{},
			[]string{"modifiers"}, false},
		{"inline asm constraint", kernelLL("", `  %r = call i32 asm "mov.u32 $0, 1;", "=q"()`+"\n  ret void"), Target{},
			[]string{`constraint "q"`}, false},
		{"fence scope", kernelLL("", `  fence syncscope("agent") seq_cst`+"\n  ret void"), Target{},
			[]string{`syncscope "agent"`}, false},
		{"variadic", kernelLL("define internal void @v(i32, ...) {\n  ret void\n}", "  ret void"), Target{},
			[]string{"@v", "variadic"}, false},
		{"function pointer", kernelLL("define internal void @g() {\n  ret void\n}", "  %i = ptrtoint void ()* @g to i32\n  ret void"), Target{},
			[]string{"@g", "function pointers"}, false},
		{"initialized shared memory", strings.Replace(kernelLL("", "  ret void"), "\ndefine", "@s = internal addrspace(3) global i32 7, align 4\ndefine", 1), Target{},
			[]string{"@s", "shared memory cannot be initialized"}, false},
		{"generic global", strings.Replace(kernelLL("", "  ret void"), "\ndefine", "@g = internal global i32 7, align 4\ndefine", 1), Target{},
			[]string{"@g", "address space 0"}, false},
		{"kernel returning a value", strings.Replace(strings.Replace(kernelLL("", "  ret i32 %n"), "define void @k", "define i32 @k", 1), "void (i32", "i32 (i32", 1), Target{},
			[]string{"@k", "must return void"}, false},
		{"struct kernel parameter", strings.Replace(strings.Replace(kernelLL("", "  ret void"), "i32 %n)", "{i32, i32} %n)", 1), "i32)* @k", "{i32, i32})* @k", 1), Target{},
			[]string{"@k", "by-value aggregates"}, false},
		{"not LLVM IR", "define void @k( {", Target{}, []string{"parsing LLVM IR"}, true},
		{"unknown target", kernelLL("", "  ret void"), Target{SM: "sm_100"},
			[]string{`unknown target "sm_100"`}, false},
		{"triple", strings.Replace(kernelLL("", "  ret void"), Triple, "x86_64-unknown-linux-gnu", 1), Target{},
			[]string{"triple", "x86_64-unknown-linux-gnu"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if HaveOpt() {
				if err := Verify(tc.ll); (err != nil) != tc.badIR {
					t.Fatalf("opt -passes=verify: %v (want an error: %v)", err, tc.badIR)
				}
			}
			out, err := CompileText(tc.ll, tc.target)
			if err == nil {
				t.Fatalf("no error; output:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}
