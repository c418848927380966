; Block sum reduction: each CTA of 256 threads sums 256 floats of x into
; out[ctaid]. Warps reduce with shfl.sync.bfly, write one partial per warp to
; shared memory, and warp 0 reduces the 8 partials after a barrier.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@partials = internal addrspace(3) global [8 x float] undef, align 4

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
declare float @llvm.nvvm.shfl.sync.bfly.f32(i32, float, i32, i32)
declare float @llvm.nvvm.shfl.sync.down.f32(i32, float, i32, i32)
declare void @llvm.nvvm.barrier0()

define void @reduce(float addrspace(1)* %x, float addrspace(1)* %out) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %bid = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %base = shl i32 %bid, 8
  %i = add i32 %base, %tid
  %px = getelementptr float, float addrspace(1)* %x, i32 %i
  %v = load float, float addrspace(1)* %px, align 4
  br label %loop
loop:
  %acc = phi float [ %v, %entry ], [ %acc2, %loop ]
  %off = phi i32 [ 16, %entry ], [ %off2, %loop ]
  %o = call float @llvm.nvvm.shfl.sync.bfly.f32(i32 -1, float %acc, i32 %off, i32 31)
  %acc2 = fadd float %acc, %o
  %off2 = lshr i32 %off, 1
  %more = icmp ne i32 %off2, 0
  br i1 %more, label %loop, label %after
after:
  %lane = and i32 %tid, 31
  %warp = lshr i32 %tid, 5
  %lane0 = icmp eq i32 %lane, 0
  br i1 %lane0, label %write, label %sync
write:
  %pp = getelementptr [8 x float], [8 x float] addrspace(3)* @partials, i32 0, i32 %warp
  store float %acc2, float addrspace(3)* %pp, align 4
  br label %sync
sync:
  call void @llvm.nvvm.barrier0()
  %w0 = icmp eq i32 %warp, 0
  br i1 %w0, label %final, label %done
final:
  %small = icmp ult i32 %lane, 8
  br i1 %small, label %ld, label %red
ld:
  %pq = getelementptr [8 x float], [8 x float] addrspace(3)* @partials, i32 0, i32 %lane
  %pv = load float, float addrspace(3)* %pq, align 4
  br label %red
red:
  %p = phi float [ %pv, %ld ], [ 0.0, %final ]
  %r1 = call float @llvm.nvvm.shfl.sync.down.f32(i32 -1, float %p, i32 4, i32 31)
  %s1 = fadd float %p, %r1
  %r2 = call float @llvm.nvvm.shfl.sync.down.f32(i32 -1, float %s1, i32 2, i32 31)
  %s2 = fadd float %s1, %r2
  %r3 = call float @llvm.nvvm.shfl.sync.down.f32(i32 -1, float %s2, i32 1, i32 31)
  %s3 = fadd float %s2, %r3
  br i1 %lane0, label %store, label %done
store:
  %po = getelementptr float, float addrspace(1)* %out, i32 %bid
  store float %s3, float addrspace(1)* %po, align 4
  br label %done
done:
  ret void
}

!nvvm.annotations = !{!0}
!0 = !{void (float addrspace(1)*, float addrspace(1)*)* @reduce, !"kernel", i32 1}
