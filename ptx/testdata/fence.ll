; Fences, which llc-14 cannot select (so only this backend compiles this
; file): each thread publishes a value, fences, and reads its neighbour's
; after a barrier. seq_cst is membar.gl (membar.cta with
; syncscope("block")); acquire, release and acq_rel are fence.acq_rel.gpu
; (.cta).
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@box = internal addrspace(3) global [64 x i32] undef, align 4

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare void @llvm.nvvm.barrier0()

define void @fences(i32 addrspace(1)* %in, i32 addrspace(1)* %out) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %pi = getelementptr inbounds i32, i32 addrspace(1)* %in, i32 %tid
  %v = load i32, i32 addrspace(1)* %pi, align 4
  %pb = getelementptr inbounds [64 x i32], [64 x i32] addrspace(3)* @box, i32 0, i32 %tid
  store i32 %v, i32 addrspace(3)* %pb, align 4
  fence seq_cst
  fence release
  fence syncscope("block") seq_cst
  fence syncscope("block") acq_rel
  call void @llvm.nvvm.barrier0()
  fence acquire
  %n = add i32 %tid, 1
  %m = and i32 %n, 63
  %pn = getelementptr inbounds [64 x i32], [64 x i32] addrspace(3)* @box, i32 0, i32 %m
  %w = load i32, i32 addrspace(3)* %pn, align 4
  %po = getelementptr inbounds i32, i32 addrspace(1)* %out, i32 %tid
  store i32 %w, i32 addrspace(1)* %po, align 4
  ret void
}

!nvvm.annotations = !{!0}
!0 = !{void (i32 addrspace(1)*, i32 addrspace(1)*)* @fences, !"kernel", i32 1}
