; Inline asm: several outputs (a struct), a tied input ("0"), every
; register constraint (h r l f d b), a <2 x half> through "r", ${N}, and a
; multi-line block with a scoped predicate register.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()

define void @asm_ops(i32 addrspace(1)* %in, i32 addrspace(1)* %out) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %pin = getelementptr inbounds i32, i32 addrspace(1)* %in, i32 %tid
  %n = load i32, i32 addrspace(1)* %pin, align 4
  %rec = mul i32 %tid, 10
  %o = getelementptr inbounds i32, i32 addrspace(1)* %out, i32 %rec
  %s = call { i16, i16 } asm "mov.b32 {$0, $1}, $2;", "=h,=h,r"(i32 %n)
  %lo = extractvalue { i16, i16 } %s, 0
  %hi = extractvalue { i16, i16 } %s, 1
  %lo32 = zext i16 %lo to i32
  %hi32 = zext i16 %hi to i32
  store i32 %lo32, i32 addrspace(1)* %o, align 4
  %o1 = getelementptr inbounds i32, i32 addrspace(1)* %o, i32 1
  store i32 %hi32, i32 addrspace(1)* %o1, align 4
  %t = call i32 asm "add.s32 $0, $1, $2;", "=r,0,r"(i32 %n, i32 5)
  %o2 = getelementptr inbounds i32, i32 addrspace(1)* %o, i32 2
  store i32 %t, i32 addrspace(1)* %o2, align 4
  %p = call i1 asm "setp.gt.s32 $0, $1, 3;", "=b,r"(i32 %n)
  %c = call i32 asm "selp.b32 $0, 1, 0, $1;", "=r,b"(i1 %p)
  %o3 = getelementptr inbounds i32, i32 addrspace(1)* %o, i32 3
  store i32 %c, i32 addrspace(1)* %o3, align 4
  %d = call double asm "cvt.rn.f64.s32 $0, $1;", "=d,r"(i32 %n)
  %e = call i64 asm "mov.b64 $0, $1;", "=l,d"(double %d)
  %o4 = getelementptr inbounds i32, i32 addrspace(1)* %o, i32 4
  %o4l = bitcast i32 addrspace(1)* %o4 to i64 addrspace(1)*
  store i64 %e, i64 addrspace(1)* %o4l, align 8
  %f = call float asm "cvt.rn.f32.s64 $0, $1;", "=f,l"(i64 %e)
  %o6 = getelementptr inbounds i32, i32 addrspace(1)* %o, i32 6
  %o6f = bitcast i32 addrspace(1)* %o6 to float addrspace(1)*
  store float %f, float addrspace(1)* %o6f, align 4
  %v = call <2 x half> asm "mov.b32 $0, $1;", "=r,r"(i32 %n)
  %vs = shufflevector <2 x half> %v, <2 x half> undef, <2 x i32> <i32 1, i32 0>
  %o7 = getelementptr inbounds i32, i32 addrspace(1)* %o, i32 7
  %o7h = bitcast i32 addrspace(1)* %o7 to <2 x half> addrspace(1)*
  store <2 x half> %vs, <2 x half> addrspace(1)* %o7h, align 4
  %b = call i32 asm "add.s32 ${0}, ${1}, 1;", "=r,r"(i32 %n)
  %o8 = getelementptr inbounds i32, i32 addrspace(1)* %o, i32 8
  store i32 %b, i32 addrspace(1)* %o8, align 4
  %m = call i32 asm "{\0A\09.reg .pred q;\0A\09setp.ne.s32 q, $1, 0;\0A\09selp.s32 $0, -1, 7, q;\0A}", "=r,r"(i32 %lo32)
  %o9 = getelementptr inbounds i32, i32 addrspace(1)* %o, i32 9
  store i32 %m, i32 addrspace(1)* %o9, align 4
  ret void
}

!nvvm.annotations = !{!0}
!0 = !{void (i32 addrspace(1)*, i32 addrspace(1)*)* @asm_ops, !"kernel", i32 1}
