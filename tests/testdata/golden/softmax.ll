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
	%11 = add i32 %10, 0
	%12 = add i32 %10, 0
	%13 = add i32 %10, 0
	%14 = add i32 %10, 0
	%15 = or i32 %7, 1
	%16 = or i32 %7, 2
	%17 = or i32 %7, 3
	%18 = icmp slt i32 %11, %m
	%19 = icmp slt i32 %12, %m
	%20 = icmp slt i32 %13, %m
	%21 = icmp slt i32 %14, %m
	%22 = icmp slt i32 %7, %n
	%23 = icmp slt i32 %15, %n
	%24 = icmp slt i32 %16, %n
	%25 = icmp slt i32 %17, %n
	%26 = and i1 %18, %22
	%27 = and i1 %19, %23
	%28 = and i1 %20, %24
	%29 = and i1 %21, %25
	%30 = mul i32 %11, %stride_x
	%31 = mul i32 %12, %stride_x
	%32 = mul i32 %13, %stride_x
	%33 = mul i32 %14, %stride_x
	%34 = add i32 %30, %7
	%35 = add i32 %31, %15
	%36 = add i32 %32, %16
	%37 = add i32 %33, %17
	%38 = getelementptr float, float addrspace(1)* %x, i32 %34
	%39 = getelementptr float, float addrspace(1)* %x, i32 %35
	%40 = getelementptr float, float addrspace(1)* %x, i32 %36
	%41 = getelementptr float, float addrspace(1)* %x, i32 %37
	%42 = ptrtoint float addrspace(1)* %38 to i64
	%43 = bitcast float 0xFFF0000000000000 to i32
	%44 = call i32 asm sideeffect "mov.b32 $0, $3;\0A\09@$2 ld.global.b32 $0, [$1];", "=r,l,b,r"(i64 %42, i1 %26, i32 %43)
	%45 = bitcast i32 %44 to float
	%46 = ptrtoint float addrspace(1)* %39 to i64
	%47 = bitcast float 0xFFF0000000000000 to i32
	%48 = call i32 asm sideeffect "mov.b32 $0, $3;\0A\09@$2 ld.global.b32 $0, [$1];", "=r,l,b,r"(i64 %46, i1 %27, i32 %47)
	%49 = bitcast i32 %48 to float
	%50 = ptrtoint float addrspace(1)* %40 to i64
	%51 = bitcast float 0xFFF0000000000000 to i32
	%52 = call i32 asm sideeffect "mov.b32 $0, $3;\0A\09@$2 ld.global.b32 $0, [$1];", "=r,l,b,r"(i64 %50, i1 %28, i32 %51)
	%53 = bitcast i32 %52 to float
	%54 = ptrtoint float addrspace(1)* %41 to i64
	%55 = bitcast float 0xFFF0000000000000 to i32
	%56 = call i32 asm sideeffect "mov.b32 $0, $3;\0A\09@$2 ld.global.b32 $0, [$1];", "=r,l,b,r"(i64 %54, i1 %29, i32 %55)
	%57 = bitcast i32 %56 to float
	%58 = call float @llvm.maxnum.f32(float %45, float %49)
	%59 = call float @llvm.maxnum.f32(float %58, float %53)
	%60 = call float @llvm.maxnum.f32(float %59, float %57)
	%61 = and i32 %1, 1
	%62 = icmp ne i32 %61, 0
	%63 = bitcast float %60 to i32
	%64 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %63, i32 1, i32 31)
	%65 = bitcast i32 %64 to float
	%66 = select i1 %62, float %65, float %60
	%67 = select i1 %62, float %60, float %65
	%68 = call float @llvm.maxnum.f32(float %66, float %67)
	%69 = and i32 %1, 2
	%70 = icmp ne i32 %69, 0
	%71 = bitcast float %68 to i32
	%72 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %71, i32 2, i32 31)
	%73 = bitcast i32 %72 to float
	%74 = select i1 %70, float %73, float %68
	%75 = select i1 %70, float %68, float %73
	%76 = call float @llvm.maxnum.f32(float %74, float %75)
	%77 = and i32 %1, 4
	%78 = icmp ne i32 %77, 0
	%79 = bitcast float %76 to i32
	%80 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %79, i32 4, i32 31)
	%81 = bitcast i32 %80 to float
	%82 = select i1 %78, float %81, float %76
	%83 = select i1 %78, float %76, float %81
	%84 = call float @llvm.maxnum.f32(float %82, float %83)
	%85 = and i32 %1, 8
	%86 = icmp ne i32 %85, 0
	%87 = bitcast float %84 to i32
	%88 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %87, i32 8, i32 31)
	%89 = bitcast i32 %88 to float
	%90 = select i1 %86, float %89, float %84
	%91 = select i1 %86, float %84, float %89
	%92 = call float @llvm.maxnum.f32(float %90, float %91)
	%93 = and i32 %1, 16
	%94 = icmp ne i32 %93, 0
	%95 = bitcast float %92 to i32
	%96 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %95, i32 16, i32 31)
	%97 = bitcast i32 %96 to float
	%98 = select i1 %94, float %97, float %92
	%99 = select i1 %94, float %92, float %97
	%100 = call float @llvm.maxnum.f32(float %98, float %99)
	%101 = lshr i32 %2, 0
	%102 = and i32 %101, 1
	%103 = shl i32 %102, 0
	%104 = or i32 0, %103
	%105 = lshr i32 %2, 1
	%106 = and i32 %105, 1
	%107 = shl i32 %106, 1
	%108 = or i32 %104, %107
	%109 = and i32 %1, 31
	%110 = icmp eq i32 %109, 0
	call void @llvm.nvvm.barrier0()
	br i1 %110, label %then2, label %join3

then2:
	%111 = mul i32 %108, 1
	%112 = add i32 %111, 0
	%113 = add i32 %112, 0
	%114 = mul i32 %113, 8
	%115 = getelementptr i8, i8 addrspace(3)* %8, i32 %114
	%116 = bitcast i8 addrspace(3)* %115 to float addrspace(3)*
	store float %100, float addrspace(3)* %116
	br label %join3

join3:
	call void @llvm.nvvm.barrier0()
	%117 = mul i32 0, 1
	%118 = add i32 %117, 0
	%119 = add i32 %118, 0
	%120 = mul i32 %119, 8
	%121 = getelementptr i8, i8 addrspace(3)* %8, i32 %120
	%122 = bitcast i8 addrspace(3)* %121 to float addrspace(3)*
	%123 = load float, float addrspace(3)* %122
	%124 = mul i32 1, 1
	%125 = add i32 %124, 0
	%126 = add i32 %125, 0
	%127 = mul i32 %126, 8
	%128 = getelementptr i8, i8 addrspace(3)* %8, i32 %127
	%129 = bitcast i8 addrspace(3)* %128 to float addrspace(3)*
	%130 = load float, float addrspace(3)* %129
	%131 = call float @llvm.maxnum.f32(float %123, float %130)
	%132 = mul i32 2, 1
	%133 = add i32 %132, 0
	%134 = add i32 %133, 0
	%135 = mul i32 %134, 8
	%136 = getelementptr i8, i8 addrspace(3)* %8, i32 %135
	%137 = bitcast i8 addrspace(3)* %136 to float addrspace(3)*
	%138 = load float, float addrspace(3)* %137
	%139 = call float @llvm.maxnum.f32(float %131, float %138)
	%140 = mul i32 3, 1
	%141 = add i32 %140, 0
	%142 = add i32 %141, 0
	%143 = mul i32 %142, 8
	%144 = getelementptr i8, i8 addrspace(3)* %8, i32 %143
	%145 = bitcast i8 addrspace(3)* %144 to float addrspace(3)*
	%146 = load float, float addrspace(3)* %145
	%147 = call float @llvm.maxnum.f32(float %139, float %146)
	%148 = fsub float %45, %147
	%149 = fsub float %49, %147
	%150 = fsub float %53, %147
	%151 = fsub float %57, %147
	%152 = fmul float %148, 0x3FF7154760000000
	%153 = call float @llvm.nvvm.ex2.approx.f(float %152)
	%154 = fmul float %149, 0x3FF7154760000000
	%155 = call float @llvm.nvvm.ex2.approx.f(float %154)
	%156 = fmul float %150, 0x3FF7154760000000
	%157 = call float @llvm.nvvm.ex2.approx.f(float %156)
	%158 = fmul float %151, 0x3FF7154760000000
	%159 = call float @llvm.nvvm.ex2.approx.f(float %158)
	%160 = fadd float %153, %155
	%161 = fadd float %160, %157
	%162 = fadd float %161, %159
	%163 = and i32 %1, 1
	%164 = icmp ne i32 %163, 0
	%165 = bitcast float %162 to i32
	%166 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %165, i32 1, i32 31)
	%167 = bitcast i32 %166 to float
	%168 = select i1 %164, float %167, float %162
	%169 = select i1 %164, float %162, float %167
	%170 = fadd float %168, %169
	%171 = and i32 %1, 2
	%172 = icmp ne i32 %171, 0
	%173 = bitcast float %170 to i32
	%174 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %173, i32 2, i32 31)
	%175 = bitcast i32 %174 to float
	%176 = select i1 %172, float %175, float %170
	%177 = select i1 %172, float %170, float %175
	%178 = fadd float %176, %177
	%179 = and i32 %1, 4
	%180 = icmp ne i32 %179, 0
	%181 = bitcast float %178 to i32
	%182 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %181, i32 4, i32 31)
	%183 = bitcast i32 %182 to float
	%184 = select i1 %180, float %183, float %178
	%185 = select i1 %180, float %178, float %183
	%186 = fadd float %184, %185
	%187 = and i32 %1, 8
	%188 = icmp ne i32 %187, 0
	%189 = bitcast float %186 to i32
	%190 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %189, i32 8, i32 31)
	%191 = bitcast i32 %190 to float
	%192 = select i1 %188, float %191, float %186
	%193 = select i1 %188, float %186, float %191
	%194 = fadd float %192, %193
	%195 = and i32 %1, 16
	%196 = icmp ne i32 %195, 0
	%197 = bitcast float %194 to i32
	%198 = call i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 -1, i32 %197, i32 16, i32 31)
	%199 = bitcast i32 %198 to float
	%200 = select i1 %196, float %199, float %194
	%201 = select i1 %196, float %194, float %199
	%202 = fadd float %200, %201
	%203 = lshr i32 %2, 0
	%204 = and i32 %203, 1
	%205 = shl i32 %204, 0
	%206 = or i32 0, %205
	%207 = lshr i32 %2, 1
	%208 = and i32 %207, 1
	%209 = shl i32 %208, 1
	%210 = or i32 %206, %209
	%211 = and i32 %1, 31
	%212 = icmp eq i32 %211, 0
	call void @llvm.nvvm.barrier0()
	br i1 %212, label %then4, label %join5

then4:
	%213 = mul i32 %210, 1
	%214 = add i32 %213, 0
	%215 = add i32 %214, 0
	%216 = mul i32 %215, 8
	%217 = getelementptr i8, i8 addrspace(3)* %9, i32 %216
	%218 = bitcast i8 addrspace(3)* %217 to float addrspace(3)*
	store float %202, float addrspace(3)* %218
	br label %join5

join5:
	call void @llvm.nvvm.barrier0()
	%219 = mul i32 0, 1
	%220 = add i32 %219, 0
	%221 = add i32 %220, 0
	%222 = mul i32 %221, 8
	%223 = getelementptr i8, i8 addrspace(3)* %9, i32 %222
	%224 = bitcast i8 addrspace(3)* %223 to float addrspace(3)*
	%225 = load float, float addrspace(3)* %224
	%226 = mul i32 1, 1
	%227 = add i32 %226, 0
	%228 = add i32 %227, 0
	%229 = mul i32 %228, 8
	%230 = getelementptr i8, i8 addrspace(3)* %9, i32 %229
	%231 = bitcast i8 addrspace(3)* %230 to float addrspace(3)*
	%232 = load float, float addrspace(3)* %231
	%233 = fadd float %225, %232
	%234 = mul i32 2, 1
	%235 = add i32 %234, 0
	%236 = add i32 %235, 0
	%237 = mul i32 %236, 8
	%238 = getelementptr i8, i8 addrspace(3)* %9, i32 %237
	%239 = bitcast i8 addrspace(3)* %238 to float addrspace(3)*
	%240 = load float, float addrspace(3)* %239
	%241 = fadd float %233, %240
	%242 = mul i32 3, 1
	%243 = add i32 %242, 0
	%244 = add i32 %243, 0
	%245 = mul i32 %244, 8
	%246 = getelementptr i8, i8 addrspace(3)* %9, i32 %245
	%247 = bitcast i8 addrspace(3)* %246 to float addrspace(3)*
	%248 = load float, float addrspace(3)* %247
	%249 = fadd float %241, %248
	%250 = fdiv float %153, %249
	%251 = fdiv float %155, %249
	%252 = fdiv float %157, %249
	%253 = fdiv float %159, %249
	%254 = mul i32 %11, %stride_out
	%255 = mul i32 %12, %stride_out
	%256 = mul i32 %13, %stride_out
	%257 = mul i32 %14, %stride_out
	%258 = add i32 %254, %7
	%259 = add i32 %255, %15
	%260 = add i32 %256, %16
	%261 = add i32 %257, %17
	%262 = getelementptr float, float addrspace(1)* %out, i32 %258
	%263 = getelementptr float, float addrspace(1)* %out, i32 %259
	%264 = getelementptr float, float addrspace(1)* %out, i32 %260
	%265 = getelementptr float, float addrspace(1)* %out, i32 %261
	%266 = ptrtoint float addrspace(1)* %262 to i64
	%267 = bitcast float %250 to i32
	call void asm sideeffect "@$2 st.global.b32 [$0], $1;", "l,r,b,~{memory}"(i64 %266, i32 %267, i1 %26)
	%268 = ptrtoint float addrspace(1)* %263 to i64
	%269 = bitcast float %251 to i32
	call void asm sideeffect "@$2 st.global.b32 [$0], $1;", "l,r,b,~{memory}"(i64 %268, i32 %269, i1 %27)
	%270 = ptrtoint float addrspace(1)* %264 to i64
	%271 = bitcast float %252 to i32
	call void asm sideeffect "@$2 st.global.b32 [$0], $1;", "l,r,b,~{memory}"(i64 %270, i32 %271, i1 %28)
	%272 = ptrtoint float addrspace(1)* %265 to i64
	%273 = bitcast float %253 to i32
	call void asm sideeffect "@$2 st.global.b32 [$0], $1;", "l,r,b,~{memory}"(i64 %272, i32 %273, i1 %29)
	ret void
}

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()

declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()

declare float @llvm.maxnum.f32(float %0, float %1)

declare i32 @llvm.nvvm.shfl.sync.bfly.i32(i32 %0, i32 %1, i32 %2, i32 %3)

declare void @llvm.nvvm.barrier0()

declare float @llvm.nvvm.ex2.approx.f(float %0)

!nvvm.annotations = !{!0, !1}

!0 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32, i32, i32)* @softmax, !"kernel", i32 1}
!1 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32, i32, i32)* @softmax, !"reqntidx", i32 128}
