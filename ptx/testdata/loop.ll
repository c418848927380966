; Loops whose phis need out-of-SSA care.
;
; swaploop: the carried values x and y swap every iteration (a parallel
; copy cycle that needs a temporary), the back edge latch -> loop is
; critical (latch has two successors, loop two predecessors), and so is
; loop -> latch (the branch skips %even into a block with a phi).
;
; rotate: three i32 values rotate (a 3-cycle), fib-like updates read old
; values, an i1 phi toggles, and a phi takes a constant on the back edge.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()

define void @swaploop(float addrspace(1)* %out, i32 %n, float %x0, float %y0) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %m = add i32 %n, %tid
  %tf = sitofp i32 %tid to float
  %y1 = fadd float %y0, %tf
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %latch ]
  %x = phi float [ %x0, %entry ], [ %y, %latch ]
  %y = phi float [ %y1, %entry ], [ %x, %latch ]
  %acc = phi float [ 0.0, %entry ], [ %acc2, %latch ]
  %odd = and i32 %i, 1
  %isodd = icmp ne i32 %odd, 0
  br i1 %isodd, label %latch, label %even
even:
  %t = fmul float %x, 2.0
  br label %latch
latch:
  %d = phi float [ %x, %loop ], [ %t, %even ]
  %acc2 = fadd float %acc, %d
  %i1 = add nsw i32 %i, 1
  %c = icmp slt i32 %i1, %m
  br i1 %c, label %loop, label %exit
exit:
  %o = mul i32 %tid, 3
  %p0 = getelementptr float, float addrspace(1)* %out, i32 %o
  store float %acc2, float addrspace(1)* %p0, align 4
  %p1 = getelementptr float, float addrspace(1)* %p0, i32 1
  store float %x, float addrspace(1)* %p1, align 4
  %p2 = getelementptr float, float addrspace(1)* %p0, i32 2
  store float %y, float addrspace(1)* %p2, align 4
  ret void
}

define void @rotate(i32 addrspace(1)* %out, i32 addrspace(1)* %in) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %pin = getelementptr i32, i32 addrspace(1)* %in, i32 %tid
  %v = load i32, i32 addrspace(1)* %pin, align 4
  %cnt = and i32 %v, 31
  %start = icmp ugt i32 %v, 100
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %a = phi i32 [ %v, %entry ], [ %b, %loop ]
  %b = phi i32 [ 1, %entry ], [ %c, %loop ]
  %c = phi i32 [ 2, %entry ], [ %a, %loop ]
  %f0 = phi i32 [ 0, %entry ], [ %f1, %loop ]
  %f1 = phi i32 [ 1, %entry ], [ %f2, %loop ]
  %flag = phi i1 [ %start, %entry ], [ %nflag, %loop ]
  %k = phi i32 [ %tid, %entry ], [ 7, %loop ]
  %f2 = add i32 %f0, %f1
  %nflag = xor i1 %flag, true
  %i1 = add i32 %i, 1
  %more = icmp ule i32 %i1, %cnt
  br i1 %more, label %loop, label %exit
exit:
  %fz = zext i1 %flag to i32
  %o = mul i32 %tid, 6
  %q0 = getelementptr i32, i32 addrspace(1)* %out, i32 %o
  store i32 %a, i32 addrspace(1)* %q0, align 4
  %q1 = getelementptr i32, i32 addrspace(1)* %q0, i32 1
  store i32 %b, i32 addrspace(1)* %q1, align 4
  %q2 = getelementptr i32, i32 addrspace(1)* %q0, i32 2
  store i32 %c, i32 addrspace(1)* %q2, align 4
  %q3 = getelementptr i32, i32 addrspace(1)* %q0, i32 3
  store i32 %f1, i32 addrspace(1)* %q3, align 4
  %q4 = getelementptr i32, i32 addrspace(1)* %q0, i32 4
  store i32 %fz, i32 addrspace(1)* %q4, align 4
  %q5 = getelementptr i32, i32 addrspace(1)* %q0, i32 5
  store i32 %k, i32 addrspace(1)* %q5, align 4
  ret void
}

!nvvm.annotations = !{!0, !1}
!0 = !{void (float addrspace(1)*, i32, float, float)* @swaploop, !"kernel", i32 1}
!1 = !{void (i32 addrspace(1)*, i32 addrspace(1)*)* @rotate, !"kernel", i32 1}
