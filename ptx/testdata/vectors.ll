; Vector memory accesses, i1 stores, and bf16 carried as i16.
;
; vec: per thread, <4 x float> (align 16 and, split into scalars, align 4),
;   <4 x i32>, <2 x half> and <8 x half> (four 32-bit words) loads and
;   stores with elementwise arithmetic and constant vectors; an i1 stored
;   through zext to i8 and directly.
; bf16: bf16 -> f32 by zext, shl 16 and bitcast; f32 -> bf16 with
;   llvm.nvvm.f2bf16.rn, two at once with llvm.nvvm.ff2bf16x2.rn and with
;   inline asm cvt.rn.bf16x2.f32; f32 -> f16x2 with llvm.nvvm.ff2f16x2.rn.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i16 @llvm.nvvm.f2bf16.rn(float)
declare i32 @llvm.nvvm.ff2bf16x2.rn(float, float)
declare <2 x half> @llvm.nvvm.ff2f16x2.rn(float, float)

define void @vec(<4 x float> addrspace(1)* %f4, <4 x i32> addrspace(1)* %i4, <2 x half> addrspace(1)* %h2, <8 x half> addrspace(1)* %h8, float addrspace(1)* %fu, i8 addrspace(1)* %flags) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %pf = getelementptr inbounds <4 x float>, <4 x float> addrspace(1)* %f4, i32 %tid
  %vf = load <4 x float>, <4 x float> addrspace(1)* %pf, align 16
  %vf2 = fmul <4 x float> %vf, <float 2.0, float -1.0, float 0.5, float 3.0>
  store <4 x float> %vf2, <4 x float> addrspace(1)* %pf, align 16
  %pi = getelementptr inbounds <4 x i32>, <4 x i32> addrspace(1)* %i4, i32 %tid
  %vi = load <4 x i32>, <4 x i32> addrspace(1)* %pi, align 16
  %vi2 = add <4 x i32> %vi, <i32 1, i32 2, i32 3, i32 -4>
  %vi3 = xor <4 x i32> %vi2, %vi
  %vi4 = freeze <4 x i32> %vi3
  store <4 x i32> %vi4, <4 x i32> addrspace(1)* %pi, align 16
  %ph = getelementptr inbounds <2 x half>, <2 x half> addrspace(1)* %h2, i32 %tid
  %vh = load <2 x half>, <2 x half> addrspace(1)* %ph, align 4
  %vh2 = fadd <2 x half> %vh, <half 0xH3C00, half 0xHC000>
  %sw = shufflevector <2 x half> %vh2, <2 x half> undef, <2 x i32> <i32 1, i32 0>
  store <2 x half> %sw, <2 x half> addrspace(1)* %ph, align 4
  %p8 = getelementptr inbounds <8 x half>, <8 x half> addrspace(1)* %h8, i32 %tid
  %v8 = load <8 x half>, <8 x half> addrspace(1)* %p8, align 16
  %v8b = fmul <8 x half> %v8, %v8
  %e3 = extractelement <8 x half> %v8, i32 3
  %v8c = insertelement <8 x half> %v8b, half %e3, i32 6
  store <8 x half> %v8c, <8 x half> addrspace(1)* %p8, align 16
  ; an unaligned <4 x float>: four scalar accesses
  %t4 = mul i32 %tid, 5
  %pu = getelementptr inbounds float, float addrspace(1)* %fu, i32 %t4
  %qu = bitcast float addrspace(1)* %pu to <4 x float> addrspace(1)*
  %vu = load <4 x float>, <4 x float> addrspace(1)* %qu, align 4
  %vu2 = fsub <4 x float> zeroinitializer, %vu
  store <4 x float> %vu2, <4 x float> addrspace(1)* %qu, align 4
  ; i1 stores
  %e0 = extractelement <4 x float> %vf, i32 0
  %e1 = extractelement <4 x float> %vf, i32 1
  %gt = fcmp ogt float %e0, %e1
  %z = zext i1 %gt to i8
  %t2 = shl i32 %tid, 1
  %pz = getelementptr inbounds i8, i8 addrspace(1)* %flags, i32 %t2
  store i8 %z, i8 addrspace(1)* %pz, align 1
  %pz1 = getelementptr inbounds i8, i8 addrspace(1)* %pz, i32 1
  %pb = bitcast i8 addrspace(1)* %pz1 to i1 addrspace(1)*
  %ng = xor i1 %gt, true
  store i1 %ng, i1 addrspace(1)* %pb, align 1
  ret void
}

define void @bf16(i16 addrspace(1)* %in, i16 addrspace(1)* %out1, i32 addrspace(1)* %out2, i32 addrspace(1)* %out3, <2 x half> addrspace(1)* %out4) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %t2 = shl i32 %tid, 1
  %p0 = getelementptr inbounds i16, i16 addrspace(1)* %in, i32 %t2
  %p1 = getelementptr inbounds i16, i16 addrspace(1)* %p0, i32 1
  %b0 = load i16, i16 addrspace(1)* %p0, align 2
  %b1 = load i16, i16 addrspace(1)* %p1, align 2
  %x0 = call float @bf16_to_f32(i16 %b0)
  %x1 = call float @bf16_to_f32(i16 %b1)
  %y0 = fmul float %x0, 1.5
  %y1 = fadd float %x1, 0.3125
  %r1 = call i16 @llvm.nvvm.f2bf16.rn(float %y0)
  %q1 = getelementptr inbounds i16, i16 addrspace(1)* %out1, i32 %tid
  store i16 %r1, i16 addrspace(1)* %q1, align 2
  %r2 = call i32 @llvm.nvvm.ff2bf16x2.rn(float %y0, float %y1)
  %q2 = getelementptr inbounds i32, i32 addrspace(1)* %out2, i32 %tid
  store i32 %r2, i32 addrspace(1)* %q2, align 4
  %r3 = call i32 asm "cvt.rn.bf16x2.f32 $0, $1, $2;", "=r,f,f"(float %y1, float %y0)
  %q3 = getelementptr inbounds i32, i32 addrspace(1)* %out3, i32 %tid
  store i32 %r3, i32 addrspace(1)* %q3, align 4
  %r4 = call <2 x half> @llvm.nvvm.ff2f16x2.rn(float %y0, float %y1)
  %q4 = getelementptr inbounds <2 x half>, <2 x half> addrspace(1)* %out4, i32 %tid
  store <2 x half> %r4, <2 x half> addrspace(1)* %q4, align 4
  ret void
}

define internal float @bf16_to_f32(i16 %b) {
  %w = zext i16 %b to i32
  %s = shl i32 %w, 16
  %f = bitcast i32 %s to float
  ret float %f
}

!nvvm.annotations = !{!0, !1}
!0 = !{void (<4 x float> addrspace(1)*, <4 x i32> addrspace(1)*, <2 x half> addrspace(1)*, <8 x half> addrspace(1)*, float addrspace(1)*, i8 addrspace(1)*)* @vec, !"kernel", i32 1}
!1 = !{void (i16 addrspace(1)*, i16 addrspace(1)*, i32 addrspace(1)*, i32 addrspace(1)*, <2 x half> addrspace(1)*)* @bf16, !"kernel", i32 1}
