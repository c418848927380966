target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

define void @vector_add(float addrspace(1)* %x, float addrspace(1)* %y, float addrspace(1)* %out, i32 %n) {
entry:
	%0 = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
	%1 = and i32 %0, 31
	%2 = lshr i32 %0, 5
	%3 = and i32 %1, 31
	%4 = shl i32 %3, 2
	%5 = and i32 %2, 3
	%6 = shl i32 %5, 7
	%7 = or i32 %4, %6
	br label %body1

body1:
	%8 = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
	%9 = mul i32 %8, 1024
	%10 = or i32 %7, 512
	%11 = add i32 %9, %7
	%12 = add i32 %9, %10
	%13 = icmp slt i32 %11, %n
	%14 = icmp slt i32 %12, %n
	%15 = getelementptr float, float addrspace(1)* %x, i32 %11
	%16 = getelementptr float, float addrspace(1)* %x, i32 %12
	%17 = ptrtoint float addrspace(1)* %15 to i64
	%18 = bitcast float 0.0 to i32
	%19 = bitcast float 0.0 to i32
	%20 = bitcast float 0.0 to i32
	%21 = bitcast float 0.0 to i32
	%22 = call { i32, i32, i32, i32 } asm sideeffect "mov.b32 $0, $6;\0A\09mov.b32 $1, $7;\0A\09mov.b32 $2, $8;\0A\09mov.b32 $3, $9;\0A\09@$5 ld.global.v4.b32 {$0, $1, $2, $3}, [$4];", "=r,=r,=r,=r,l,b,r,r,r,r"(i64 %17, i1 %13, i32 %18, i32 %19, i32 %20, i32 %21)
	%23 = extractvalue { i32, i32, i32, i32 } %22, 0
	%24 = extractvalue { i32, i32, i32, i32 } %22, 1
	%25 = extractvalue { i32, i32, i32, i32 } %22, 2
	%26 = extractvalue { i32, i32, i32, i32 } %22, 3
	%27 = bitcast i32 %23 to float
	%28 = bitcast i32 %24 to float
	%29 = bitcast i32 %25 to float
	%30 = bitcast i32 %26 to float
	%31 = ptrtoint float addrspace(1)* %16 to i64
	%32 = bitcast float 0.0 to i32
	%33 = bitcast float 0.0 to i32
	%34 = bitcast float 0.0 to i32
	%35 = bitcast float 0.0 to i32
	%36 = call { i32, i32, i32, i32 } asm sideeffect "mov.b32 $0, $6;\0A\09mov.b32 $1, $7;\0A\09mov.b32 $2, $8;\0A\09mov.b32 $3, $9;\0A\09@$5 ld.global.v4.b32 {$0, $1, $2, $3}, [$4];", "=r,=r,=r,=r,l,b,r,r,r,r"(i64 %31, i1 %14, i32 %32, i32 %33, i32 %34, i32 %35)
	%37 = extractvalue { i32, i32, i32, i32 } %36, 0
	%38 = extractvalue { i32, i32, i32, i32 } %36, 1
	%39 = extractvalue { i32, i32, i32, i32 } %36, 2
	%40 = extractvalue { i32, i32, i32, i32 } %36, 3
	%41 = bitcast i32 %37 to float
	%42 = bitcast i32 %38 to float
	%43 = bitcast i32 %39 to float
	%44 = bitcast i32 %40 to float
	%45 = getelementptr float, float addrspace(1)* %y, i32 %11
	%46 = getelementptr float, float addrspace(1)* %y, i32 %12
	%47 = ptrtoint float addrspace(1)* %45 to i64
	%48 = bitcast float 0.0 to i32
	%49 = bitcast float 0.0 to i32
	%50 = bitcast float 0.0 to i32
	%51 = bitcast float 0.0 to i32
	%52 = call { i32, i32, i32, i32 } asm sideeffect "mov.b32 $0, $6;\0A\09mov.b32 $1, $7;\0A\09mov.b32 $2, $8;\0A\09mov.b32 $3, $9;\0A\09@$5 ld.global.v4.b32 {$0, $1, $2, $3}, [$4];", "=r,=r,=r,=r,l,b,r,r,r,r"(i64 %47, i1 %13, i32 %48, i32 %49, i32 %50, i32 %51)
	%53 = extractvalue { i32, i32, i32, i32 } %52, 0
	%54 = extractvalue { i32, i32, i32, i32 } %52, 1
	%55 = extractvalue { i32, i32, i32, i32 } %52, 2
	%56 = extractvalue { i32, i32, i32, i32 } %52, 3
	%57 = bitcast i32 %53 to float
	%58 = bitcast i32 %54 to float
	%59 = bitcast i32 %55 to float
	%60 = bitcast i32 %56 to float
	%61 = ptrtoint float addrspace(1)* %46 to i64
	%62 = bitcast float 0.0 to i32
	%63 = bitcast float 0.0 to i32
	%64 = bitcast float 0.0 to i32
	%65 = bitcast float 0.0 to i32
	%66 = call { i32, i32, i32, i32 } asm sideeffect "mov.b32 $0, $6;\0A\09mov.b32 $1, $7;\0A\09mov.b32 $2, $8;\0A\09mov.b32 $3, $9;\0A\09@$5 ld.global.v4.b32 {$0, $1, $2, $3}, [$4];", "=r,=r,=r,=r,l,b,r,r,r,r"(i64 %61, i1 %14, i32 %62, i32 %63, i32 %64, i32 %65)
	%67 = extractvalue { i32, i32, i32, i32 } %66, 0
	%68 = extractvalue { i32, i32, i32, i32 } %66, 1
	%69 = extractvalue { i32, i32, i32, i32 } %66, 2
	%70 = extractvalue { i32, i32, i32, i32 } %66, 3
	%71 = bitcast i32 %67 to float
	%72 = bitcast i32 %68 to float
	%73 = bitcast i32 %69 to float
	%74 = bitcast i32 %70 to float
	%75 = getelementptr float, float addrspace(1)* %out, i32 %11
	%76 = getelementptr float, float addrspace(1)* %out, i32 %12
	%77 = fadd float %27, %57
	%78 = fadd float %28, %58
	%79 = fadd float %29, %59
	%80 = fadd float %30, %60
	%81 = fadd float %41, %71
	%82 = fadd float %42, %72
	%83 = fadd float %43, %73
	%84 = fadd float %44, %74
	%85 = ptrtoint float addrspace(1)* %75 to i64
	%86 = bitcast float %77 to i32
	%87 = bitcast float %78 to i32
	%88 = bitcast float %79 to i32
	%89 = bitcast float %80 to i32
	call void asm sideeffect "@$5 st.global.v4.b32 [$0], {$1, $2, $3, $4};", "l,r,r,r,r,b,~{memory}"(i64 %85, i32 %86, i32 %87, i32 %88, i32 %89, i1 %13)
	%90 = ptrtoint float addrspace(1)* %76 to i64
	%91 = bitcast float %81 to i32
	%92 = bitcast float %82 to i32
	%93 = bitcast float %83 to i32
	%94 = bitcast float %84 to i32
	call void asm sideeffect "@$5 st.global.v4.b32 [$0], {$1, $2, $3, $4};", "l,r,r,r,r,b,~{memory}"(i64 %90, i32 %91, i32 %92, i32 %93, i32 %94, i1 %14)
	ret void
}

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()

declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()

!nvvm.annotations = !{!0, !1}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32)* @vector_add, !"kernel", i32 1}
!1 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32)* @vector_add, !"reqntidx", i32 128}
