; Vector add, one element per thread: c[i] = a[i] + b[i] for i < n, in f32
; and in f16 (half), and a <2 x half> variant that adds two halves per thread.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ntid.x()

define void @vecadd_f32(float addrspace(1)* %a, float addrspace(1)* %b, float addrspace(1)* %c, i32 %n) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %bid = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %bdim = call i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
  %base = mul i32 %bid, %bdim
  %i = add i32 %base, %tid
  %inb = icmp slt i32 %i, %n
  br i1 %inb, label %body, label %done
body:
  %pa = getelementptr inbounds float, float addrspace(1)* %a, i32 %i
  %pb = getelementptr inbounds float, float addrspace(1)* %b, i32 %i
  %pc = getelementptr inbounds float, float addrspace(1)* %c, i32 %i
  %va = load float, float addrspace(1)* %pa, align 4
  %vb = load float, float addrspace(1)* %pb, align 4
  %s = fadd float %va, %vb
  store float %s, float addrspace(1)* %pc, align 4
  br label %done
done:
  ret void
}

define void @vecadd_f16(half addrspace(1)* %a, half addrspace(1)* %b, half addrspace(1)* %c, i32 %n) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %bid = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %bdim = call i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
  %base = mul i32 %bid, %bdim
  %i = add i32 %base, %tid
  %inb = icmp slt i32 %i, %n
  br i1 %inb, label %body, label %done
body:
  %pa = getelementptr inbounds half, half addrspace(1)* %a, i32 %i
  %pb = getelementptr inbounds half, half addrspace(1)* %b, i32 %i
  %pc = getelementptr inbounds half, half addrspace(1)* %c, i32 %i
  %va = load half, half addrspace(1)* %pa, align 2
  %vb = load half, half addrspace(1)* %pb, align 2
  %s = fadd half %va, %vb
  store half %s, half addrspace(1)* %pc, align 2
  br label %done
done:
  ret void
}

define void @vecadd_h2(<2 x half> addrspace(1)* %a, <2 x half> addrspace(1)* %b, <2 x half> addrspace(1)* %c, i32 %n) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %bid = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %bdim = call i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
  %base = mul i32 %bid, %bdim
  %i = add i32 %base, %tid
  %inb = icmp slt i32 %i, %n
  br i1 %inb, label %body, label %done
body:
  %pa = getelementptr inbounds <2 x half>, <2 x half> addrspace(1)* %a, i32 %i
  %pb = getelementptr inbounds <2 x half>, <2 x half> addrspace(1)* %b, i32 %i
  %pc = getelementptr inbounds <2 x half>, <2 x half> addrspace(1)* %c, i32 %i
  %va = load <2 x half>, <2 x half> addrspace(1)* %pa, align 4
  %vb = load <2 x half>, <2 x half> addrspace(1)* %pb, align 4
  %s = fadd <2 x half> %va, %vb
  store <2 x half> %s, <2 x half> addrspace(1)* %pc, align 4
  br label %done
done:
  ret void
}

!nvvm.annotations = !{!0, !1, !2, !3}
!0 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32)* @vecadd_f32, !"kernel", i32 1}
!1 = !{void (half addrspace(1)*, half addrspace(1)*, half addrspace(1)*, i32)* @vecadd_f16, !"kernel", i32 1}
!2 = !{void (<2 x half> addrspace(1)*, <2 x half> addrspace(1)*, <2 x half> addrspace(1)*, i32)* @vecadd_h2, !"kernel", i32 1}
!3 = !{void (float addrspace(1)*, float addrspace(1)*, float addrspace(1)*, i32)* @vecadd_f32, !"reqntidx", i32 256}
