; Float math through intrinsics and select, one record of results per
; thread (see TestMath for the order).
;
; math_f32: select-based min, llvm.maxnum/minnum, nvvm fmax/fmin, fma,
;   ex2 (and .ftz), lg2, rsqrt, sqrt (nvvm .rn and llvm.sqrt), rcp.rn,
;   sin and cos (.approx), fabs, nvvm div.rn/div.approx, and f64 fma,
;   sqrt, maxnum, fabs.
; fastmath: the function attributes of codegen's fast mode
;   ("unsafe-fp-math" and f32 denormals flushed): fdiv becomes
;   div.approx.ftz; llvm.sqrt.f32 stays IEEE (sqrt.rn.ftz, as in llc-14);
;   fabs and fadd get .ftz.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare float @llvm.maxnum.f32(float, float)
declare float @llvm.minnum.f32(float, float)
declare float @llvm.nvvm.fmax.f(float, float)
declare float @llvm.nvvm.fmin.f(float, float)
declare float @llvm.fma.f32(float, float, float)
declare float @llvm.nvvm.ex2.approx.f(float)
declare float @llvm.nvvm.ex2.approx.ftz.f(float)
declare float @llvm.nvvm.lg2.approx.f(float)
declare float @llvm.nvvm.rsqrt.approx.f(float)
declare float @llvm.nvvm.sqrt.rn.f(float)
declare float @llvm.sqrt.f32(float)
declare float @llvm.nvvm.rcp.rn.f(float)
declare float @llvm.nvvm.sin.approx.f(float)
declare float @llvm.nvvm.cos.approx.f(float)
declare float @llvm.fabs.f32(float)
declare float @llvm.nvvm.div.rn.f(float, float)
declare float @llvm.nvvm.div.approx.f(float, float)
declare double @llvm.fma.f64(double, double, double)
declare double @llvm.sqrt.f64(double)
declare double @llvm.maxnum.f64(double, double)
declare double @llvm.fabs.f64(double)

define void @math_f32(float addrspace(1)* %pa, float addrspace(1)* %pb, float addrspace(1)* %pc, float addrspace(1)* %out) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %qa = getelementptr inbounds float, float addrspace(1)* %pa, i32 %tid
  %qb = getelementptr inbounds float, float addrspace(1)* %pb, i32 %tid
  %qc = getelementptr inbounds float, float addrspace(1)* %pc, i32 %tid
  %a = load float, float addrspace(1)* %qa, align 4
  %b = load float, float addrspace(1)* %qb, align 4
  %c = load float, float addrspace(1)* %qc, align 4
  %abs = call float @llvm.fabs.f32(float %a)
  %lt = fcmp olt float %a, %b
  %r0 = select i1 %lt, float %a, float %b
  %r1 = call float @llvm.maxnum.f32(float %a, float %b)
  %r2 = call float @llvm.minnum.f32(float %a, float %b)
  %r3 = call float @llvm.nvvm.fmax.f(float %a, float %b)
  %r4 = call float @llvm.nvvm.fmin.f(float %a, float %b)
  %r5 = call float @llvm.fma.f32(float %a, float %b, float %c)
  %r6 = call float @llvm.nvvm.ex2.approx.f(float %a)
  %r7 = call float @llvm.nvvm.ex2.approx.ftz.f(float %a)
  %r8 = call float @llvm.nvvm.lg2.approx.f(float %abs)
  %r9 = call float @llvm.nvvm.rsqrt.approx.f(float %abs)
  %r10 = call float @llvm.nvvm.sqrt.rn.f(float %abs)
  %r11 = call float @llvm.sqrt.f32(float %abs)
  %r12 = call float @llvm.nvvm.rcp.rn.f(float %a)
  %r13 = call float @llvm.nvvm.sin.approx.f(float %a)
  %r14 = call float @llvm.nvvm.cos.approx.f(float %a)
  %r15 = call float @llvm.fabs.f32(float %b)
  %r16 = call float @llvm.nvvm.div.rn.f(float %a, float %b)
  %r17 = call float @llvm.nvvm.div.approx.f(float %a, float %b)
  %r18 = call float @llvm.fma.f32(float %a, float 2.0, float -1.0)
  %da = fpext float %a to double
  %db = fpext float %b to double
  %dc = fpext float %c to double
  %dabs = call double @llvm.fabs.f64(double %da)
  %d0 = call double @llvm.fma.f64(double %da, double %db, double %dc)
  %d1 = call double @llvm.sqrt.f64(double %dabs)
  %d2 = call double @llvm.maxnum.f64(double %da, double %db)
  %e0 = fptrunc double %d0 to float
  %e1 = fptrunc double %d1 to float
  %e2 = fptrunc double %d2 to float
  %base = mul i32 %tid, 22
  %o = getelementptr inbounds float, float addrspace(1)* %out, i32 %base
  store float %r0, float addrspace(1)* %o, align 4
  %o1 = getelementptr inbounds float, float addrspace(1)* %o, i32 1
  store float %r1, float addrspace(1)* %o1, align 4
  %o2 = getelementptr inbounds float, float addrspace(1)* %o, i32 2
  store float %r2, float addrspace(1)* %o2, align 4
  %o3 = getelementptr inbounds float, float addrspace(1)* %o, i32 3
  store float %r3, float addrspace(1)* %o3, align 4
  %o4 = getelementptr inbounds float, float addrspace(1)* %o, i32 4
  store float %r4, float addrspace(1)* %o4, align 4
  %o5 = getelementptr inbounds float, float addrspace(1)* %o, i32 5
  store float %r5, float addrspace(1)* %o5, align 4
  %o6 = getelementptr inbounds float, float addrspace(1)* %o, i32 6
  store float %r6, float addrspace(1)* %o6, align 4
  %o7 = getelementptr inbounds float, float addrspace(1)* %o, i32 7
  store float %r7, float addrspace(1)* %o7, align 4
  %o8 = getelementptr inbounds float, float addrspace(1)* %o, i32 8
  store float %r8, float addrspace(1)* %o8, align 4
  %o9 = getelementptr inbounds float, float addrspace(1)* %o, i32 9
  store float %r9, float addrspace(1)* %o9, align 4
  %o10 = getelementptr inbounds float, float addrspace(1)* %o, i32 10
  store float %r10, float addrspace(1)* %o10, align 4
  %o11 = getelementptr inbounds float, float addrspace(1)* %o, i32 11
  store float %r11, float addrspace(1)* %o11, align 4
  %o12 = getelementptr inbounds float, float addrspace(1)* %o, i32 12
  store float %r12, float addrspace(1)* %o12, align 4
  %o13 = getelementptr inbounds float, float addrspace(1)* %o, i32 13
  store float %r13, float addrspace(1)* %o13, align 4
  %o14 = getelementptr inbounds float, float addrspace(1)* %o, i32 14
  store float %r14, float addrspace(1)* %o14, align 4
  %o15 = getelementptr inbounds float, float addrspace(1)* %o, i32 15
  store float %r15, float addrspace(1)* %o15, align 4
  %o16 = getelementptr inbounds float, float addrspace(1)* %o, i32 16
  store float %r16, float addrspace(1)* %o16, align 4
  %o17 = getelementptr inbounds float, float addrspace(1)* %o, i32 17
  store float %r17, float addrspace(1)* %o17, align 4
  %o18 = getelementptr inbounds float, float addrspace(1)* %o, i32 18
  store float %r18, float addrspace(1)* %o18, align 4
  %o19 = getelementptr inbounds float, float addrspace(1)* %o, i32 19
  store float %e0, float addrspace(1)* %o19, align 4
  %o20 = getelementptr inbounds float, float addrspace(1)* %o, i32 20
  store float %e1, float addrspace(1)* %o20, align 4
  %o21 = getelementptr inbounds float, float addrspace(1)* %o, i32 21
  store float %e2, float addrspace(1)* %o21, align 4
  ret void
}

define void @fastmath(float addrspace(1)* %pa, float addrspace(1)* %pb, float addrspace(1)* %out) #0 {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %qa = getelementptr inbounds float, float addrspace(1)* %pa, i32 %tid
  %qb = getelementptr inbounds float, float addrspace(1)* %pb, i32 %tid
  %a = load float, float addrspace(1)* %qa, align 4
  %b = load float, float addrspace(1)* %qb, align 4
  %q = fdiv fast float %a, %b
  %abs = call float @llvm.fabs.f32(float %a)
  %s = call float @llvm.sqrt.f32(float %abs)
  %t = fadd float %q, %s
  %base = mul i32 %tid, 3
  %o = getelementptr inbounds float, float addrspace(1)* %out, i32 %base
  store float %q, float addrspace(1)* %o, align 4
  %o1 = getelementptr inbounds float, float addrspace(1)* %o, i32 1
  store float %s, float addrspace(1)* %o1, align 4
  %o2 = getelementptr inbounds float, float addrspace(1)* %o, i32 2
  store float %t, float addrspace(1)* %o2, align 4
  ret void
}

attributes #0 = { "unsafe-fp-math"="true" "denormal-fp-math-f32"="preserve-sign,preserve-sign" }

!nvvm.annotations = !{!0, !1}
!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, float addrspace(1)*)* @math_f32, !"kernel", i32 1}
!1 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*)* @fastmath, !"kernel", i32 1}
