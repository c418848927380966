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
	%10 = or i32 %7, 1
	%11 = or i32 %7, 2
	%12 = or i32 %7, 3
	%13 = or i32 %7, 512
	%14 = or i32 %7, 513
	%15 = or i32 %7, 514
	%16 = or i32 %7, 515
	%17 = add i32 %9, %7
	%18 = add i32 %9, %10
	%19 = add i32 %9, %11
	%20 = add i32 %9, %12
	%21 = add i32 %9, %13
	%22 = add i32 %9, %14
	%23 = add i32 %9, %15
	%24 = add i32 %9, %16
	%25 = icmp slt i32 %17, %n
	%26 = icmp slt i32 %18, %n
	%27 = icmp slt i32 %19, %n
	%28 = icmp slt i32 %20, %n
	%29 = icmp slt i32 %21, %n
	%30 = icmp slt i32 %22, %n
	%31 = icmp slt i32 %23, %n
	%32 = icmp slt i32 %24, %n
	%33 = getelementptr float, float addrspace(1)* %x, i32 %17
	%34 = getelementptr float, float addrspace(1)* %x, i32 %18
	%35 = getelementptr float, float addrspace(1)* %x, i32 %19
	%36 = getelementptr float, float addrspace(1)* %x, i32 %20
	%37 = getelementptr float, float addrspace(1)* %x, i32 %21
	%38 = getelementptr float, float addrspace(1)* %x, i32 %22
	%39 = getelementptr float, float addrspace(1)* %x, i32 %23
	%40 = getelementptr float, float addrspace(1)* %x, i32 %24
	%41 = ptrtoint float addrspace(1)* %33 to i64
	%42 = bitcast float 0.0 to i32
	%43 = bitcast float 0.0 to i32
	%44 = bitcast float 0.0 to i32
	%45 = bitcast float 0.0 to i32
	%46 = call { i32, i32, i32, i32 } asm sideeffect "mov.b32 $0, $6;\0A\09mov.b32 $1, $7;\0A\09mov.b32 $2, $8;\0A\09mov.b32 $3, $9;\0A\09@$5 ld.global.v4.b32 {$0, $1, $2, $3}, [$4];", "=r,=r,=r,=r,l,b,r,r,r,r"(i64 %41, i1 %25, i32 %42, i32 %43, i32 %44, i32 %45)
	%47 = extractvalue { i32, i32, i32, i32 } %46, 0
	%48 = extractvalue { i32, i32, i32, i32 } %46, 1
	%49 = extractvalue { i32, i32, i32, i32 } %46, 2
	%50 = extractvalue { i32, i32, i32, i32 } %46, 3
	%51 = bitcast i32 %47 to float
	%52 = bitcast i32 %48 to float
	%53 = bitcast i32 %49 to float
	%54 = bitcast i32 %50 to float
	%55 = ptrtoint float addrspace(1)* %37 to i64
	%56 = bitcast float 0.0 to i32
	%57 = bitcast float 0.0 to i32
	%58 = bitcast float 0.0 to i32
	%59 = bitcast float 0.0 to i32
	%60 = call { i32, i32, i32, i32 } asm sideeffect "mov.b32 $0, $6;\0A\09mov.b32 $1, $7;\0A\09mov.b32 $2, $8;\0A\09mov.b32 $3, $9;\0A\09@$5 ld.global.v4.b32 {$0, $1, $2, $3}, [$4];", "=r,=r,=r,=r,l,b,r,r,r,r"(i64 %55, i1 %29, i32 %56, i32 %57, i32 %58, i32 %59)
	%61 = extractvalue { i32, i32, i32, i32 } %60, 0
	%62 = extractvalue { i32, i32, i32, i32 } %60, 1
	%63 = extractvalue { i32, i32, i32, i32 } %60, 2
	%64 = extractvalue { i32, i32, i32, i32 } %60, 3
	%65 = bitcast i32 %61 to float
	%66 = bitcast i32 %62 to float
	%67 = bitcast i32 %63 to float
	%68 = bitcast i32 %64 to float
	%69 = getelementptr float, float addrspace(1)* %y, i32 %17
	%70 = getelementptr float, float addrspace(1)* %y, i32 %18
	%71 = getelementptr float, float addrspace(1)* %y, i32 %19
	%72 = getelementptr float, float addrspace(1)* %y, i32 %20
	%73 = getelementptr float, float addrspace(1)* %y, i32 %21
	%74 = getelementptr float, float addrspace(1)* %y, i32 %22
	%75 = getelementptr float, float addrspace(1)* %y, i32 %23
	%76 = getelementptr float, float addrspace(1)* %y, i32 %24
	%77 = ptrtoint float addrspace(1)* %69 to i64
	%78 = bitcast float 0.0 to i32
	%79 = bitcast float 0.0 to i32
	%80 = bitcast float 0.0 to i32
	%81 = bitcast float 0.0 to i32
	%82 = call { i32, i32, i32, i32 } asm sideeffect "mov.b32 $0, $6;\0A\09mov.b32 $1, $7;\0A\09mov.b32 $2, $8;\0A\09mov.b32 $3, $9;\0A\09@$5 ld.global.v4.b32 {$0, $1, $2, $3}, [$4];", "=r,=r,=r,=r,l,b,r,r,r,r"(i64 %77, i1 %25, i32 %78, i32 %79, i32 %80, i32 %81)
	%83 = extractvalue { i32, i32, i32, i32 } %82, 0
	%84 = extractvalue { i32, i32, i32, i32 } %82, 1
	%85 = extractvalue { i32, i32, i32, i32 } %82, 2
	%86 = extractvalue { i32, i32, i32, i32 } %82, 3
	%87 = bitcast i32 %83 to float
	%88 = bitcast i32 %84 to float
	%89 = bitcast i32 %85 to float
	%90 = bitcast i32 %86 to float
	%91 = ptrtoint float addrspace(1)* %73 to i64
	%92 = bitcast float 0.0 to i32
	%93 = bitcast float 0.0 to i32
	%94 = bitcast float 0.0 to i32
	%95 = bitcast float 0.0 to i32
	%96 = call { i32, i32, i32, i32 } asm sideeffect "mov.b32 $0, $6;\0A\09mov.b32 $1, $7;\0A\09mov.b32 $2, $8;\0A\09mov.b32 $3, $9;\0A\09@$5 ld.global.v4.b32 {$0, $1, $2, $3}, [$4];", "=r,=r,=r,=r,l,b,r,r,r,r"(i64 %91, i1 %29, i32 %92, i32 %93, i32 %94, i32 %95)
	%97 = extractvalue { i32, i32, i32, i32 } %96, 0
	%98 = extractvalue { i32, i32, i32, i32 } %96, 1
	%99 = extractvalue { i32, i32, i32, i32 } %96, 2
	%100 = extractvalue { i32, i32, i32, i32 } %96, 3
	%101 = bitcast i32 %97 to float
	%102 = bitcast i32 %98 to float
	%103 = bitcast i32 %99 to float
	%104 = bitcast i32 %100 to float
	%105 = getelementptr float, float addrspace(1)* %out, i32 %17
	%106 = getelementptr float, float addrspace(1)* %out, i32 %18
	%107 = getelementptr float, float addrspace(1)* %out, i32 %19
	%108 = getelementptr float, float addrspace(1)* %out, i32 %20
	%109 = getelementptr float, float addrspace(1)* %out, i32 %21
	%110 = getelementptr float, float addrspace(1)* %out, i32 %22
	%111 = getelementptr float, float addrspace(1)* %out, i32 %23
	%112 = getelementptr float, float addrspace(1)* %out, i32 %24
	%113 = fadd float %51, %87
	%114 = fadd float %52, %88
	%115 = fadd float %53, %89
	%116 = fadd float %54, %90
	%117 = fadd float %65, %101
	%118 = fadd float %66, %102
	%119 = fadd float %67, %103
	%120 = fadd float %68, %104
	%121 = ptrtoint float addrspace(1)* %105 to i64
	%122 = bitcast float %113 to i32
	%123 = bitcast float %114 to i32
	%124 = bitcast float %115 to i32
	%125 = bitcast float %116 to i32
	call void asm sideeffect "@$5 st.global.v4.b32 [$0], {$1, $2, $3, $4};", "l,r,r,r,r,b,~{memory}"(i64 %121, i32 %122, i32 %123, i32 %124, i32 %125, i1 %25)
	%126 = ptrtoint float addrspace(1)* %109 to i64
	%127 = bitcast float %117 to i32
	%128 = bitcast float %118 to i32
	%129 = bitcast float %119 to i32
	%130 = bitcast float %120 to i32
	call void asm sideeffect "@$5 st.global.v4.b32 [$0], {$1, $2, $3, $4};", "l,r,r,r,r,b,~{memory}"(i64 %126, i32 %127, i32 %128, i32 %129, i32 %130, i1 %29)
	ret void
}

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()

declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()

!nvvm.annotations = !{!0, !1}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32)* @vector_add, !"kernel", i32 1}
!1 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32)* @vector_add, !"reqntidx", i32 128}
