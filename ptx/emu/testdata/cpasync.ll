; Double-buffered copy through shared memory with cp.async: a CTA of 128
; threads moves ntiles tiles of 2 KiB (16 bytes per thread). While tile i is
; written out, tile i+1 is already in flight into the other buffer. Thread t
; writes the chunk that thread t+1 fetched, so the barrier after the wait
; is what makes the data visible.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@buf = internal addrspace(3) global [2 x [128 x <4 x i32>]] undef, align 16

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
declare void @llvm.nvvm.cp.async.cg.shared.global.16(i8 addrspace(3)*, i8 addrspace(1)*)
declare void @llvm.nvvm.cp.async.commit.group()
declare void @llvm.nvvm.cp.async.wait.group(i32)
declare void @llvm.nvvm.barrier0()

define void @cpasync(<4 x i32> addrspace(1)* %in, <4 x i32> addrspace(1)* %out, i32 %ntiles) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %bid = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %base = mul i32 %bid, %ntiles
  %next = add i32 %tid, 1
  %src = and i32 %next, 127
  ; prologue: tile 0 into buffer 0
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
  %i = phi i32 [ 0, %entry ], [ %i1, %loop.end ]
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
  br label %consume
drain:
  call void @llvm.nvvm.cp.async.wait.group(i32 0)
  br label %consume
consume:
  call void @llvm.nvvm.barrier0()
  %stage = and i32 %i, 1
  %sp = getelementptr [2 x [128 x <4 x i32>]], [2 x [128 x <4 x i32>]] addrspace(3)* @buf, i32 0, i32 %stage, i32 %src
  %v = load <4 x i32>, <4 x i32> addrspace(3)* %sp, align 16
  %tile = add i32 %base, %i
  %to = shl i32 %tile, 7
  %oi = add i32 %to, %src
  %op = getelementptr <4 x i32>, <4 x i32> addrspace(1)* %out, i32 %oi
  store <4 x i32> %v, <4 x i32> addrspace(1)* %op, align 16
  ; the buffer is refilled two iterations later: wait until all read it
  call void @llvm.nvvm.barrier0()
  br label %loop.end
loop.end:
  br i1 %more, label %loop, label %done
done:
  ret void
}

!nvvm.annotations = !{!0}
!0 = !{void (<4 x i32> addrspace(1)*, <4 x i32> addrspace(1)*, i32)* @cpasync, !"kernel", i32 1}
