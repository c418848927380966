; Transpose of an h x w row-major f32 matrix through a padded 32x33 tile of
; shared memory: a CTA of 32x8 threads reads a 32x32 tile (four rows per
; thread, coalesced), waits at a barrier, and writes the transposed tile
; (coalesced again); the padding column keeps the column reads free of
; bank conflicts. Edges are masked for sizes that are not multiples of 32.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@tile = internal addrspace(3) global [32 x [33 x float]] undef, align 4

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.tid.y()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.y()
declare void @llvm.nvvm.barrier0()

define void @transpose(float addrspace(1)* %in, float addrspace(1)* %out, i32 %h, i32 %w) {
entry:
  %tx = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %ty = call i32 @llvm.nvvm.read.ptx.sreg.tid.y()
  %bx = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %by = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.y()
  %x0 = shl i32 %bx, 5
  %y0 = shl i32 %by, 5
  %x = add i32 %x0, %tx
  %xin = icmp slt i32 %x, %w
  br label %load
load:
  %j = phi i32 [ 0, %entry ], [ %j1, %load.next ]
  %ly = add i32 %ty, %j
  %y = add i32 %y0, %ly
  %yin = icmp slt i32 %y, %h
  %in_ok = and i1 %xin, %yin
  br i1 %in_ok, label %load.do, label %load.next
load.do:
  %row = mul i32 %y, %w
  %idx = add i32 %row, %x
  %pin = getelementptr inbounds float, float addrspace(1)* %in, i32 %idx
  %v = load float, float addrspace(1)* %pin, align 4
  %ps = getelementptr inbounds [32 x [33 x float]], [32 x [33 x float]] addrspace(3)* @tile, i32 0, i32 %ly, i32 %tx
  store float %v, float addrspace(3)* %ps, align 4
  br label %load.next
load.next:
  %j1 = add i32 %j, 8
  %lmore = icmp slt i32 %j1, 32
  br i1 %lmore, label %load, label %sync
sync:
  call void @llvm.nvvm.barrier0()
  %ox = add i32 %y0, %tx
  %oxin = icmp slt i32 %ox, %h
  br label %store
store:
  %k = phi i32 [ 0, %sync ], [ %k1, %store.next ]
  %lx = add i32 %ty, %k
  %oy = add i32 %x0, %lx
  %oyin = icmp slt i32 %oy, %w
  %out_ok = and i1 %oxin, %oyin
  br i1 %out_ok, label %store.do, label %store.next
store.do:
  %ps2 = getelementptr inbounds [32 x [33 x float]], [32 x [33 x float]] addrspace(3)* @tile, i32 0, i32 %tx, i32 %lx
  %v2 = load float, float addrspace(3)* %ps2, align 4
  %orow = mul i32 %oy, %h
  %oidx = add i32 %orow, %ox
  %pout = getelementptr inbounds float, float addrspace(1)* %out, i32 %oidx
  store float %v2, float addrspace(1)* %pout, align 4
  br label %store.next
store.next:
  %k1 = add i32 %k, 8
  %smore = icmp slt i32 %k1, 32
  br i1 %smore, label %store, label %done
done:
  ret void
}

!nvvm.annotations = !{!0}
!0 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32)* @transpose, !"kernel", i32 1}
