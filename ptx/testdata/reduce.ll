; Reductions with warp shuffles, shared memory and barriers.
;
; reduce_f32: each CTA of 256 threads sums its 256 floats: a butterfly
; (shfl.sync.bfly) inside each warp, the eight warp sums through shared
; memory after a barrier, a second butterfly in warp 0.
;
; warp_scan: per warp, an inclusive prefix sum with shfl.sync.up (lanes
; below the offset keep their value), the total broadcast from lane 31
; with shfl.sync.idx, a shfl.sync.down reduction that must equal it, and
; the number of odd inputs from vote.ballot.sync and ctpop.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@partial = internal addrspace(3) global [8 x float] undef, align 4

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.laneid()
declare void @llvm.nvvm.barrier0()
declare float @llvm.nvvm.shfl.sync.bfly.f32(i32, float, i32, i32)
declare i32 @llvm.nvvm.shfl.sync.up.i32(i32, i32, i32, i32)
declare i32 @llvm.nvvm.shfl.sync.down.i32(i32, i32, i32, i32)
declare i32 @llvm.nvvm.shfl.sync.idx.i32(i32, i32, i32, i32)
declare i32 @llvm.nvvm.vote.ballot.sync(i32, i1)
declare i32 @llvm.ctpop.i32(i32)

define internal float @warpsum(float %v) {
  %s16 = call float @llvm.nvvm.shfl.sync.bfly.f32(i32 -1, float %v, i32 16, i32 31)
  %v1 = fadd float %v, %s16
  %s8 = call float @llvm.nvvm.shfl.sync.bfly.f32(i32 -1, float %v1, i32 8, i32 31)
  %v2 = fadd float %v1, %s8
  %s4 = call float @llvm.nvvm.shfl.sync.bfly.f32(i32 -1, float %v2, i32 4, i32 31)
  %v3 = fadd float %v2, %s4
  %s2 = call float @llvm.nvvm.shfl.sync.bfly.f32(i32 -1, float %v3, i32 2, i32 31)
  %v4 = fadd float %v3, %s2
  %s1 = call float @llvm.nvvm.shfl.sync.bfly.f32(i32 -1, float %v4, i32 1, i32 31)
  %v5 = fadd float %v4, %s1
  ret float %v5
}

define void @reduce_f32(float addrspace(1)* %x, float addrspace(1)* %out) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %bid = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %lane = and i32 %tid, 31
  %warp = lshr i32 %tid, 5
  %b256 = shl i32 %bid, 8
  %gi = add i32 %b256, %tid
  %px = getelementptr inbounds float, float addrspace(1)* %x, i32 %gi
  %v = load float, float addrspace(1)* %px, align 4
  %ws = call float @warpsum(float %v)
  %lane0 = icmp eq i32 %lane, 0
  br i1 %lane0, label %write, label %sync
write:
  %sp = getelementptr inbounds [8 x float], [8 x float] addrspace(3)* @partial, i32 0, i32 %warp
  store float %ws, float addrspace(3)* %sp, align 4
  br label %sync
sync:
  call void @llvm.nvvm.barrier0()
  %w0 = icmp eq i32 %warp, 0
  br i1 %w0, label %second, label %done
second:
  %has = icmp ult i32 %lane, 8
  br i1 %has, label %rd, label %join
rd:
  %rp = getelementptr inbounds [8 x float], [8 x float] addrspace(3)* @partial, i32 0, i32 %lane
  %pv = load float, float addrspace(3)* %rp, align 4
  br label %join
join:
  %pv2 = phi float [ %pv, %rd ], [ 0.0, %second ]
  %total = call float @warpsum(float %pv2)
  br i1 %lane0, label %store, label %done
store:
  %po = getelementptr inbounds float, float addrspace(1)* %out, i32 %bid
  store float %total, float addrspace(1)* %po, align 4
  br label %done
done:
  ret void
}

define void @warp_scan(i32 addrspace(1)* %x, i32 addrspace(1)* %out, i32 addrspace(1)* %stats) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %lane = call i32 @llvm.nvvm.read.ptx.sreg.laneid()
  %px = getelementptr inbounds i32, i32 addrspace(1)* %x, i32 %tid
  %v = load i32, i32 addrspace(1)* %px, align 4
  br label %scan
scan:
  %d = phi i32 [ 1, %entry ], [ %d2, %scan ]
  %acc = phi i32 [ %v, %entry ], [ %acc2, %scan ]
  %up = call i32 @llvm.nvvm.shfl.sync.up.i32(i32 -1, i32 %acc, i32 %d, i32 0)
  %ok = icmp uge i32 %lane, %d
  %add = select i1 %ok, i32 %up, i32 0
  %acc2 = add i32 %acc, %add
  %d2 = shl i32 %d, 1
  %more = icmp ult i32 %d2, 32
  br i1 %more, label %scan, label %scanned
scanned:
  %po = getelementptr inbounds i32, i32 addrspace(1)* %out, i32 %tid
  store i32 %acc2, i32 addrspace(1)* %po, align 4
  %total = call i32 @llvm.nvvm.shfl.sync.idx.i32(i32 -1, i32 %acc2, i32 31, i32 31)
  %r16 = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %v, i32 16, i32 31)
  %s1 = add i32 %v, %r16
  %r8 = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %s1, i32 8, i32 31)
  %s2 = add i32 %s1, %r8
  %r4 = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %s2, i32 4, i32 31)
  %s3 = add i32 %s2, %r4
  %r2 = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %s3, i32 2, i32 31)
  %s4 = add i32 %s3, %r2
  %r1 = call i32 @llvm.nvvm.shfl.sync.down.i32(i32 -1, i32 %s4, i32 1, i32 31)
  %s5 = add i32 %s4, %r1
  %odd = trunc i32 %v to i1
  %mask = call i32 @llvm.nvvm.vote.ballot.sync(i32 -1, i1 %odd)
  %nodd = call i32 @llvm.ctpop.i32(i32 %mask)
  %first = icmp eq i32 %lane, 0
  br i1 %first, label %write, label %done
write:
  %warp = lshr i32 %tid, 5
  %w3 = mul i32 %warp, 4
  %q0 = getelementptr inbounds i32, i32 addrspace(1)* %stats, i32 %w3
  store i32 %total, i32 addrspace(1)* %q0, align 4
  %q1 = getelementptr inbounds i32, i32 addrspace(1)* %q0, i32 1
  store i32 %s5, i32 addrspace(1)* %q1, align 4
  %q2 = getelementptr inbounds i32, i32 addrspace(1)* %q0, i32 2
  store i32 %mask, i32 addrspace(1)* %q2, align 4
  %q3 = getelementptr inbounds i32, i32 addrspace(1)* %q0, i32 3
  store i32 %nodd, i32 addrspace(1)* %q3, align 4
  br label %done
done:
  ret void
}

!nvvm.annotations = !{!0, !1, !2}
!0 = !{void (float addrspace(1)*, float addrspace(1)*)* @reduce_f32, !"kernel", i32 1}
!1 = !{void (float addrspace(1)*, float addrspace(1)*)* @reduce_f32, !"reqntidx", i32 256}
!2 = !{void (i32 addrspace(1)*, i32 addrspace(1)*, i32 addrspace(1)*)* @warp_scan, !"kernel", i32 1}
