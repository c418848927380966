; Double-buffered copies global -> shared -> global with cp.async.
;
; cpasync_intr: 128 threads move ntiles tiles of 2 KiB per CTA with the
; llvm.nvvm.cp.async.cg.shared.global.16 intrinsic: tile i+1 is in flight
; into one buffer while tile i is written out of the other
; (commit.group, wait.group 1, then wait.group 0 for the last). Thread t
; writes the chunk thread 127-t fetched, so only the barrier after the
; wait makes it visible. Then 8- and 4-byte elements go through
; cp.async.ca.shared.global.{8,4} and wait.all.
;
; cpasync_asm: the same double buffer through inline asm, with the
; zero-filling form "cp.async.cg.shared.global [dst], [src], 16, srcsize"
; (LLVM 14 has no intrinsic for it): bytes past nbytes arrive as zeros.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@buf = internal addrspace(3) global [2 x [128 x <4 x i32>]] undef, align 16
@small8 = internal addrspace(3) global [128 x i64] undef, align 8
@small4 = internal addrspace(3) global [128 x i32] undef, align 4
@abuf = internal addrspace(3) global [4096 x i8] undef, align 16

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
declare void @llvm.nvvm.cp.async.cg.shared.global.16(i8 addrspace(3)*, i8 addrspace(1)*)
declare void @llvm.nvvm.cp.async.ca.shared.global.8(i8 addrspace(3)*, i8 addrspace(1)*)
declare void @llvm.nvvm.cp.async.ca.shared.global.4(i8 addrspace(3)*, i8 addrspace(1)*)
declare void @llvm.nvvm.cp.async.commit.group()
declare void @llvm.nvvm.cp.async.wait.group(i32)
declare void @llvm.nvvm.cp.async.wait.all()
declare void @llvm.nvvm.barrier0()

define void @cpasync_intr(<4 x i32> addrspace(1)* %in, <4 x i32> addrspace(1)* %out, i32 %ntiles, i64 addrspace(1)* %in8, i64 addrspace(1)* %out8, i32 addrspace(1)* %in4, i32 addrspace(1)* %out4) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %bid = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %base = mul i32 %bid, %ntiles
  %mirror = sub i32 127, %tid
  %t0 = shl i32 %base, 7
  %g0i = add i32 %t0, %tid
  %g0 = getelementptr <4 x i32>, <4 x i32> addrspace(1)* %in, i32 %g0i
  %s0 = getelementptr [2 x [128 x <4 x i32>]], [2 x [128 x <4 x i32>]] addrspace(3)* @buf, i32 0, i32 0, i32 %tid
  %s0b = bitcast <4 x i32> addrspace(3)* %s0 to i8 addrspace(3)*
  %g0b = bitcast <4 x i32> addrspace(1)* %g0 to i8 addrspace(1)*
  call void @llvm.nvvm.cp.async.cg.shared.global.16(i8 addrspace(3)* %s0b, i8 addrspace(1)* %g0b)
  call void @llvm.nvvm.cp.async.commit.group()
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %consume ]
  %i1 = add i32 %i, 1
  %more = icmp ult i32 %i1, %ntiles
  br i1 %more, label %prefetch, label %drain
prefetch:
  %tile1 = add i32 %base, %i1
  %t1 = shl i32 %tile1, 7
  %g1i = add i32 %t1, %tid
  %g1 = getelementptr <4 x i32>, <4 x i32> addrspace(1)* %in, i32 %g1i
  %stage1 = and i32 %i1, 1
  %s1 = getelementptr [2 x [128 x <4 x i32>]], [2 x [128 x <4 x i32>]] addrspace(3)* @buf, i32 0, i32 %stage1, i32 %tid
  %s1b = bitcast <4 x i32> addrspace(3)* %s1 to i8 addrspace(3)*
  %g1b = bitcast <4 x i32> addrspace(1)* %g1 to i8 addrspace(1)*
  call void @llvm.nvvm.cp.async.cg.shared.global.16(i8 addrspace(3)* %s1b, i8 addrspace(1)* %g1b)
  call void @llvm.nvvm.cp.async.commit.group()
  call void @llvm.nvvm.cp.async.wait.group(i32 1)
  br label %ready
drain:
  call void @llvm.nvvm.cp.async.wait.group(i32 0)
  br label %ready
ready:
  call void @llvm.nvvm.barrier0()
  %stage = and i32 %i, 1
  %sp = getelementptr [2 x [128 x <4 x i32>]], [2 x [128 x <4 x i32>]] addrspace(3)* @buf, i32 0, i32 %stage, i32 %mirror
  %v = load <4 x i32>, <4 x i32> addrspace(3)* %sp, align 16
  %tile = add i32 %base, %i
  %to = shl i32 %tile, 7
  %oi = add i32 %to, %mirror
  %op = getelementptr <4 x i32>, <4 x i32> addrspace(1)* %out, i32 %oi
  store <4 x i32> %v, <4 x i32> addrspace(1)* %op, align 16
  ; the buffer is refilled by the next prefetch: all must have read it
  call void @llvm.nvvm.barrier0()
  br label %consume
consume:
  br i1 %more, label %loop, label %small
small:
  %b128 = shl i32 %bid, 7
  %e = add i32 %b128, %tid
  %g8 = getelementptr i64, i64 addrspace(1)* %in8, i32 %e
  %s8 = getelementptr [128 x i64], [128 x i64] addrspace(3)* @small8, i32 0, i32 %tid
  %g8b = bitcast i64 addrspace(1)* %g8 to i8 addrspace(1)*
  %s8b = bitcast i64 addrspace(3)* %s8 to i8 addrspace(3)*
  call void @llvm.nvvm.cp.async.ca.shared.global.8(i8 addrspace(3)* %s8b, i8 addrspace(1)* %g8b)
  %g4 = getelementptr i32, i32 addrspace(1)* %in4, i32 %e
  %s4 = getelementptr [128 x i32], [128 x i32] addrspace(3)* @small4, i32 0, i32 %tid
  %g4b = bitcast i32 addrspace(1)* %g4 to i8 addrspace(1)*
  %s4b = bitcast i32 addrspace(3)* %s4 to i8 addrspace(3)*
  call void @llvm.nvvm.cp.async.ca.shared.global.4(i8 addrspace(3)* %s4b, i8 addrspace(1)* %g4b)
  call void @llvm.nvvm.cp.async.commit.group()
  call void @llvm.nvvm.cp.async.wait.all()
  call void @llvm.nvvm.barrier0()
  %r8 = getelementptr [128 x i64], [128 x i64] addrspace(3)* @small8, i32 0, i32 %mirror
  %v8 = load i64, i64 addrspace(3)* %r8, align 8
  %o8 = getelementptr i64, i64 addrspace(1)* %out8, i32 %e
  store i64 %v8, i64 addrspace(1)* %o8, align 8
  %r4 = getelementptr [128 x i32], [128 x i32] addrspace(3)* @small4, i32 0, i32 %mirror
  %v4 = load i32, i32 addrspace(3)* %r4, align 4
  %o4 = getelementptr i32, i32 addrspace(1)* %out4, i32 %e
  store i32 %v4, i32 addrspace(1)* %o4, align 4
  ret void
}

define void @cpasync_asm(i8 addrspace(1)* %in, i8 addrspace(1)* %out, i32 %nbytes) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %mirror = sub i32 127, %tid
  %ntiles0 = add i32 %nbytes, 2047
  %ntiles = lshr i32 %ntiles0, 11
  call void @issue(i8 addrspace(1)* %in, i32 %nbytes, i32 0, i32 %tid)
  call void asm sideeffect "cp.async.commit_group;", "~{memory}"()
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %next ]
  %i1 = add i32 %i, 1
  %more = icmp ult i32 %i1, %ntiles
  br i1 %more, label %prefetch, label %drain
prefetch:
  call void @issue(i8 addrspace(1)* %in, i32 %nbytes, i32 %i1, i32 %tid)
  call void asm sideeffect "cp.async.commit_group;", "~{memory}"()
  call void asm sideeffect "cp.async.wait_group $0;", "n,~{memory}"(i32 1)
  br label %ready
drain:
  call void asm sideeffect "cp.async.wait_group $0;", "n,~{memory}"(i32 0)
  br label %ready
ready:
  call void @llvm.nvvm.barrier0()
  %stage = and i32 %i, 1
  %soff0 = shl i32 %stage, 11
  %moff = shl i32 %mirror, 4
  %soff = add i32 %soff0, %moff
  %sp = getelementptr [4096 x i8], [4096 x i8] addrspace(3)* @abuf, i32 0, i32 %soff
  %sp4 = bitcast i8 addrspace(3)* %sp to <4 x i32> addrspace(3)*
  %v = load <4 x i32>, <4 x i32> addrspace(3)* %sp4, align 16
  %toff = shl i32 %i, 11
  %ooff = add i32 %toff, %moff
  %op = getelementptr i8, i8 addrspace(1)* %out, i32 %ooff
  %op4 = bitcast i8 addrspace(1)* %op to <4 x i32> addrspace(1)*
  store <4 x i32> %v, <4 x i32> addrspace(1)* %op4, align 16
  call void @llvm.nvvm.barrier0()
  br label %next
next:
  br i1 %more, label %loop, label %done
done:
  ret void
}

; issue starts the copy of thread tid's 16-byte chunk of tile i into
; buffer i&1, reading only the bytes below nbytes.
define internal void @issue(i8 addrspace(1)* %in, i32 %nbytes, i32 %i, i32 %tid) {
  %toff = shl i32 %i, 11
  %coff = shl i32 %tid, 4
  %off = add i32 %toff, %coff
  %left = sub i32 %nbytes, %off
  %pos = icmp sgt i32 %left, 0
  %big = icmp sgt i32 %left, 16
  %c16 = select i1 %big, i32 16, i32 %left
  %size = select i1 %pos, i32 %c16, i32 0
  %srcoff = select i1 %pos, i32 %off, i32 0
  %src = getelementptr i8, i8 addrspace(1)* %in, i32 %srcoff
  %stage = and i32 %i, 1
  %soff0 = shl i32 %stage, 11
  %soff = add i32 %soff0, %coff
  %dst = getelementptr [4096 x i8], [4096 x i8] addrspace(3)* @abuf, i32 0, i32 %soff
  call void asm sideeffect "cp.async.cg.shared.global [$0], [$1], 16, $2;", "l,l,r,~{memory}"(i8 addrspace(3)* %dst, i8 addrspace(1)* %src, i32 %size)
  ret void
}

!nvvm.annotations = !{!0, !1}
!0 = !{void (<4 x i32> addrspace(1)*, <4 x i32> addrspace(1)*, i32, i64 addrspace(1)*, i64 addrspace(1)*, i32 addrspace(1)*, i32 addrspace(1)*)* @cpasync_intr, !"kernel", i32 1}
!1 = !{void (i8 addrspace(1)*, i8 addrspace(1)*, i32)* @cpasync_asm, !"kernel", i32 1}
