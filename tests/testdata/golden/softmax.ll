target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@__tilec_smem = external addrspace(3) global [0 x i8], align 16

define void @softmax(float addrspace(1)* %x, float addrspace(1)* %out, i32 %m, i32 %n, i32 %stride_x, i32 %stride_out) {
entry:
	%0 = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
	%1 = and i32 %0, 31
	%2 = lshr i32 %0, 5
	%3 = and i32 %1, 31
	%4 = shl i32 %3, 2
	%5 = and i32 %2, 3
	%6 = shl i32 %5, 7
	%7 = or i32 %4, %6
	%8 = getelementptr [0 x i8], [0 x i8] addrspace(3)* @__tilec_smem, i32 0, i32 0
	%9 = getelementptr [0 x i8], [0 x i8] addrspace(3)* @__tilec_smem, i32 0, i32 0
	br label %body1

body1:
	%10 = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
	%11 = or i32 %7, 1
	%12 = or i32 %7, 2
	%13 = or i32 %7, 3
	%14 = icmp slt i32 %10, %m
	%15 = icmp slt i32 %7, %n
	%16 = icmp slt i32 %11, %n
	%17 = icmp slt i32 %12, %n
	%18 = icmp slt i32 %13, %n
	%19 = and i1 %14, %15
	%20 = and i1 %14, %16
	%21 = and i1 %14, %17
	%22 = and i1 %14, %18
	%23 = mul i32 %10, %stride_x
	%24 = add i32 %23, %7
	%25 = add i32 %23, %11
	%26 = add i32 %23, %12
	%27 = add i32 %23, %13
	%28 = getelementptr float, float addrspace(1)* %x, i32 %24
	%29 = getelementptr float, float addrspace(1)* %x, i32 %25
	%30 = getelementptr float, float addrspace(1)* %x, i32 %26
	%31 = getelementptr float, float addrspace(1)* %x, i32 %27
	%32 = ptrtoint float addrspace(1)* %28 to i64
	%33 = bitcast float 0xFFF0000000000000 to i32
	%34 = call i32 asm sideeffect "mov.b32 $0, $3;\0A\09@$2 ld.global.b32 $0, [$1];", "=r,l,b,r"(i64 %32, i1 %19, i32 %33)
	%35 = bitcast i32 %34 to float
	%36 = ptrtoint float addrspace(1)* %29 to i64
	%37 = call i32 asm sideeffect "mov.b32 $0, $3;\0A\09@$2 ld.global.b32 $0, [$1];", "=r,l,b,r"(i64 %36, i1 %20, i32 %33)
	%38 = bitcast i32 %37 to float
	%39 = ptrtoint float addrspace(1)* %30 to i64
	%40 = call i32 asm sideeffect "mov.b32 $0, $3;\0A\09@$2 ld.global.b32 $0, [$1];", "=r,l,b,r"(i64 %39, i1 %21, i32 %33)
	%41 = bitcast i32 %40 to float
	%42 = ptrtoint float addrspace(1)* %31 to i64
	%43 = call i32 asm sideeffect "mov.b32 $0, $3;\0A\09@$2 ld.global.b32 $0, [$1];", "=r,l,b,r"(i64 %42, i1 %22, i32 %33)
	%44 = bitcast i32 %43 to float
	%45 = call float @llvm.maxnum.f32(float %35, float %38)
	%46 = call float @llvm.maxnum.f32(float %45, float %41)
	%47 = call float @llvm.maxnum.f32(float %46, float %44)
	%48 = and i32 %1, 1
	%49 = icmp ne i32 %48, 0
	%50 = bitcast float %47 to i32
	%51 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %50, i32 1, i32 31)
	%52 = bitcast i32 %51 to float
	%53 = select i1 %49, float %52, float %47
	%54 = select i1 %49, float %47, float %52
	%55 = call float @llvm.maxnum.f32(float %53, float %54)
	%56 = and i32 %1, 2
	%57 = icmp ne i32 %56, 0
	%58 = bitcast float %55 to i32
	%59 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %58, i32 2, i32 31)
	%60 = bitcast i32 %59 to float
	%61 = select i1 %57, float %60, float %55
	%62 = select i1 %57, float %55, float %60
	%63 = call float @llvm.maxnum.f32(float %61, float %62)
	%64 = and i32 %1, 4
	%65 = icmp ne i32 %64, 0
	%66 = bitcast float %63 to i32
	%67 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %66, i32 4, i32 31)
	%68 = bitcast i32 %67 to float
	%69 = select i1 %65, float %68, float %63
	%70 = select i1 %65, float %63, float %68
	%71 = call float @llvm.maxnum.f32(float %69, float %70)
	%72 = and i32 %1, 8
	%73 = icmp ne i32 %72, 0
	%74 = bitcast float %71 to i32
	%75 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %74, i32 8, i32 31)
	%76 = bitcast i32 %75 to float
	%77 = select i1 %73, float %76, float %71
	%78 = select i1 %73, float %71, float %76
	%79 = call float @llvm.maxnum.f32(float %77, float %78)
	%80 = and i32 %1, 16
	%81 = icmp ne i32 %80, 0
	%82 = bitcast float %79 to i32
	%83 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %82, i32 16, i32 31)
	%84 = bitcast i32 %83 to float
	%85 = select i1 %81, float %84, float %79
	%86 = select i1 %81, float %79, float %84
	%87 = call float @llvm.maxnum.f32(float %85, float %86)
	%88 = and i32 %2, 1
	%89 = lshr i32 %2, 1
	%90 = and i32 %89, 1
	%91 = shl i32 %90, 1
	%92 = or i32 %88, %91
	%93 = and i32 %1, 31
	%94 = icmp eq i32 %93, 0
	call void @llvm.nvvm.barrier0()
	br i1 %94, label %then2, label %join3

then2:
	%95 = mul i32 %92, 4
	%96 = getelementptr i8, i8 addrspace(3)* %8, i32 %95
	%97 = bitcast i8 addrspace(3)* %96 to float addrspace(3)*
	store float %87, float addrspace(3)* %97
	br label %join3

join3:
	call void @llvm.nvvm.barrier0()
	%98 = getelementptr i8, i8 addrspace(3)* %8, i32 0
	%99 = bitcast i8 addrspace(3)* %98 to float addrspace(3)*
	%100 = load float, float addrspace(3)* %99
	%101 = getelementptr i8, i8 addrspace(3)* %8, i32 4
	%102 = bitcast i8 addrspace(3)* %101 to float addrspace(3)*
	%103 = load float, float addrspace(3)* %102
	%104 = call float @llvm.maxnum.f32(float %100, float %103)
	%105 = getelementptr i8, i8 addrspace(3)* %8, i32 8
	%106 = bitcast i8 addrspace(3)* %105 to float addrspace(3)*
	%107 = load float, float addrspace(3)* %106
	%108 = call float @llvm.maxnum.f32(float %104, float %107)
	%109 = getelementptr i8, i8 addrspace(3)* %8, i32 12
	%110 = bitcast i8 addrspace(3)* %109 to float addrspace(3)*
	%111 = load float, float addrspace(3)* %110
	%112 = call float @llvm.maxnum.f32(float %108, float %111)
	%113 = fsub float %35, %112
	%114 = fsub float %38, %112
	%115 = fsub float %41, %112
	%116 = fsub float %44, %112
	%117 = fmul float %113, 0x3FF7154760000000
	%118 = call float @llvm.nvvm.ex2.approx.ftz.f(float %117)
	%119 = fmul float %114, 0x3FF7154760000000
	%120 = call float @llvm.nvvm.ex2.approx.ftz.f(float %119)
	%121 = fmul float %115, 0x3FF7154760000000
	%122 = call float @llvm.nvvm.ex2.approx.ftz.f(float %121)
	%123 = fmul float %116, 0x3FF7154760000000
	%124 = call float @llvm.nvvm.ex2.approx.ftz.f(float %123)
	%125 = fadd float %118, %120
	%126 = fadd float %125, %122
	%127 = fadd float %126, %124
	%128 = and i32 %1, 1
	%129 = icmp ne i32 %128, 0
	%130 = bitcast float %127 to i32
	%131 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %130, i32 1, i32 31)
	%132 = bitcast i32 %131 to float
	%133 = select i1 %129, float %132, float %127
	%134 = select i1 %129, float %127, float %132
	%135 = fadd float %133, %134
	%136 = and i32 %1, 2
	%137 = icmp ne i32 %136, 0
	%138 = bitcast float %135 to i32
	%139 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %138, i32 2, i32 31)
	%140 = bitcast i32 %139 to float
	%141 = select i1 %137, float %140, float %135
	%142 = select i1 %137, float %135, float %140
	%143 = fadd float %141, %142
	%144 = and i32 %1, 4
	%145 = icmp ne i32 %144, 0
	%146 = bitcast float %143 to i32
	%147 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %146, i32 4, i32 31)
	%148 = bitcast i32 %147 to float
	%149 = select i1 %145, float %148, float %143
	%150 = select i1 %145, float %143, float %148
	%151 = fadd float %149, %150
	%152 = and i32 %1, 8
	%153 = icmp ne i32 %152, 0
	%154 = bitcast float %151 to i32
	%155 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %154, i32 8, i32 31)
	%156 = bitcast i32 %155 to float
	%157 = select i1 %153, float %156, float %151
	%158 = select i1 %153, float %151, float %156
	%159 = fadd float %157, %158
	%160 = and i32 %1, 16
	%161 = icmp ne i32 %160, 0
	%162 = bitcast float %159 to i32
	%163 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %162, i32 16, i32 31)
	%164 = bitcast i32 %163 to float
	%165 = select i1 %161, float %164, float %159
	%166 = select i1 %161, float %159, float %164
	%167 = fadd float %165, %166
	%168 = and i32 %2, 1
	%169 = lshr i32 %2, 1
	%170 = and i32 %169, 1
	%171 = shl i32 %170, 1
	%172 = or i32 %168, %171
	%173 = and i32 %1, 31
	%174 = icmp eq i32 %173, 0
	call void @llvm.nvvm.barrier0()
	br i1 %174, label %then4, label %join5

then4:
	%175 = mul i32 %172, 4
	%176 = getelementptr i8, i8 addrspace(3)* %9, i32 %175
	%177 = bitcast i8 addrspace(3)* %176 to float addrspace(3)*
	store float %167, float addrspace(3)* %177
	br label %join5

join5:
	call void @llvm.nvvm.barrier0()
	%178 = getelementptr i8, i8 addrspace(3)* %9, i32 0
	%179 = bitcast i8 addrspace(3)* %178 to float addrspace(3)*
	%180 = load float, float addrspace(3)* %179
	%181 = getelementptr i8, i8 addrspace(3)* %9, i32 4
	%182 = bitcast i8 addrspace(3)* %181 to float addrspace(3)*
	%183 = load float, float addrspace(3)* %182
	%184 = fadd float %180, %183
	%185 = getelementptr i8, i8 addrspace(3)* %9, i32 8
	%186 = bitcast i8 addrspace(3)* %185 to float addrspace(3)*
	%187 = load float, float addrspace(3)* %186
	%188 = fadd float %184, %187
	%189 = getelementptr i8, i8 addrspace(3)* %9, i32 12
	%190 = bitcast i8 addrspace(3)* %189 to float addrspace(3)*
	%191 = load float, float addrspace(3)* %190
	%192 = fadd float %188, %191
	%193 = fdiv float %118, %192
	%194 = fdiv float %120, %192
	%195 = fdiv float %122, %192
	%196 = fdiv float %124, %192
	%197 = mul i32 %10, %stride_out
	%198 = add i32 %197, %7
	%199 = add i32 %197, %11
	%200 = add i32 %197, %12
	%201 = add i32 %197, %13
	%202 = getelementptr float, float addrspace(1)* %out, i32 %198
	%203 = getelementptr float, float addrspace(1)* %out, i32 %199
	%204 = getelementptr float, float addrspace(1)* %out, i32 %200
	%205 = getelementptr float, float addrspace(1)* %out, i32 %201
	%206 = ptrtoint float addrspace(1)* %202 to i64
	%207 = bitcast float %193 to i32
	call void asm sideeffect "@$2 st.global.b32 [$0], $1;", "l,r,b,~{memory}"(i64 %206, i32 %207, i1 %19)
	%208 = ptrtoint float addrspace(1)* %203 to i64
	%209 = bitcast float %194 to i32
	call void asm sideeffect "@$2 st.global.b32 [$0], $1;", "l,r,b,~{memory}"(i64 %208, i32 %209, i1 %20)
	%210 = ptrtoint float addrspace(1)* %204 to i64
	%211 = bitcast float %195 to i32
	call void asm sideeffect "@$2 st.global.b32 [$0], $1;", "l,r,b,~{memory}"(i64 %210, i32 %211, i1 %21)
	%212 = ptrtoint float addrspace(1)* %205 to i64
	%213 = bitcast float %196 to i32
	call void asm sideeffect "@$2 st.global.b32 [$0], $1;", "l,r,b,~{memory}"(i64 %212, i32 %213, i1 %22)
	ret void
}

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()

declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()

declare float @llvm.maxnum.f32(float %0, float %1)

declare i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 %0, i32 %1, i32 %2, i32 %3)

declare void @llvm.nvvm.barrier0()

declare float @llvm.nvvm.ex2.approx.ftz.f(float %0)

!nvvm.annotations = !{!0, !1}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32, i32, i32)* @softmax, !"kernel", i32 1}
!1 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32, i32, i32)* @softmax, !"reqntidx", i32 128}
