; Module variables and kernel marks.
;
; globals: a ptx_kernel (no annotation needed) with launch bounds from
; !nvvm.annotations; reads an initialized .const table by a variable
; index and through a constant getelementptr, an initialized .global
; array, writes static and dynamic (extern, sized at launch) shared
; memory, and reads shared memory through a generic pointer made by a
; constant addrspacecast.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@tab = internal addrspace(4) constant [8 x float] [float 1.0, float 2.5, float -3.0, float 0.125, float 1.0e10, float -0.0, float 7.0, float 0x3FB99999A0000000], align 4
@gvar = addrspace(1) global [4 x i32] [i32 10, i32 -20, i32 30, i32 40], align 4
@stat = internal addrspace(3) global [64 x float] undef, align 16
@dyn = external addrspace(3) global [0 x float], align 16

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare void @llvm.nvvm.barrier0()

define ptx_kernel void @globals(float addrspace(1)* %out, i32 addrspace(1)* %gout) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %k = and i32 %tid, 7
  %pt = getelementptr inbounds [8 x float], [8 x float] addrspace(4)* @tab, i32 0, i32 %k
  %tv = load float, float addrspace(4)* %pt, align 4
  %tv2 = fmul float %tv, 2.0
  %pd = getelementptr inbounds [0 x float], [0 x float] addrspace(3)* @dyn, i32 0, i32 %tid
  store float %tv2, float addrspace(3)* %pd, align 4
  %c3 = load float, float addrspace(4)* getelementptr inbounds ([8 x float], [8 x float] addrspace(4)* @tab, i32 0, i32 3), align 4
  %tf = uitofp i32 %tid to float
  %sv = fadd float %c3, %tf
  %ps = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @stat, i32 0, i32 %tid
  store float %sv, float addrspace(3)* %ps, align 4
  call void @llvm.nvvm.barrier0()
  %r = sub i32 63, %tid
  %pd2 = getelementptr inbounds [0 x float], [0 x float] addrspace(3)* @dyn, i32 0, i32 %r
  %dv = load float, float addrspace(3)* %pd2, align 4
  %n1 = add i32 %tid, 1
  %n2 = and i32 %n1, 63
  %ps2 = getelementptr inbounds [64 x float], [64 x float] addrspace(3)* @stat, i32 0, i32 %n2
  %s2 = load float, float addrspace(3)* %ps2, align 4
  %sum = fadd float %dv, %s2
  %po = getelementptr inbounds float, float addrspace(1)* %out, i32 %tid
  store float %sum, float addrspace(1)* %po, align 4
  %pg = getelementptr inbounds [64 x float], [64 x float]* addrspacecast ([64 x float] addrspace(3)* @stat to [64 x float]*), i32 0, i32 %r
  %gv = load float, float* %pg, align 4
  %t64 = add i32 %tid, 64
  %po2 = getelementptr inbounds float, float addrspace(1)* %out, i32 %t64
  store float %gv, float addrspace(1)* %po2, align 4
  %j = and i32 %tid, 3
  %pv = getelementptr inbounds [4 x i32], [4 x i32] addrspace(1)* @gvar, i32 0, i32 %j
  %vv = load i32, i32 addrspace(1)* %pv, align 4
  %v1 = add i32 %vv, 1
  %pgo = getelementptr inbounds i32, i32 addrspace(1)* %gout, i32 %tid
  store i32 %v1, i32 addrspace(1)* %pgo, align 4
  ret void
}

!nvvm.annotations = !{!0, !1, !2}
!0 = !{void (float addrspace(1)*, i32 addrspace(1)*)* @globals, !"reqntidx", i32 64}
!1 = !{void (float addrspace(1)*, i32 addrspace(1)*)* @globals, !"minctasm", i32 2}
!2 = !{void (float addrspace(1)*, i32 addrspace(1)*)* @globals, !"maxnreg", i32 128}
