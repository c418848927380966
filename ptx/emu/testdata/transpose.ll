; Shared-memory transpose: out[x][y] = in[y][x] for an h x w matrix of floats.
; Block (32, 8); each CTA moves a 32x32 tile through a padded [32][33] shared
; array, so both the global reads and the global writes are coalesced.
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
  br label %load
load:
  %j = phi i32 [ 0, %entry ], [ %j2, %load.next ]
  %row = add i32 %ty, %j
  %y = add i32 %y0, %row
  %xin = icmp ult i32 %x, %w
  %yin = icmp ult i32 %y, %h
  %ok = and i1 %xin, %yin
  br i1 %ok, label %load.do, label %load.next
load.do:
  %yw = mul i32 %y, %w
  %idx = add i32 %yw, %x
  %p = getelementptr float, float addrspace(1)* %in, i32 %idx
  %v = load float, float addrspace(1)* %p, align 4
  %s = getelementptr [32 x [33 x float]], [32 x [33 x float]] addrspace(3)* @tile, i32 0, i32 %row, i32 %tx
  store float %v, float addrspace(3)* %s, align 4
  br label %load.next
load.next:
  %j2 = add i32 %j, 8
  %lmore = icmp ult i32 %j2, 32
  br i1 %lmore, label %load, label %mid
mid:
  call void @llvm.nvvm.barrier0()
  %ox = add i32 %y0, %tx
  br label %store
store:
  %k = phi i32 [ 0, %mid ], [ %k2, %store.next ]
  %orow = add i32 %ty, %k
  %oy = add i32 %x0, %orow
  %oxin = icmp ult i32 %ox, %h
  %oyin = icmp ult i32 %oy, %w
  %ook = and i1 %oxin, %oyin
  br i1 %ook, label %store.do, label %store.next
store.do:
  %t = getelementptr [32 x [33 x float]], [32 x [33 x float]] addrspace(3)* @tile, i32 0, i32 %tx, i32 %orow
  %tv = load float, float addrspace(3)* %t, align 4
  %oyh = mul i32 %oy, %h
  %oidx = add i32 %oyh, %ox
  %q = getelementptr float, float addrspace(1)* %out, i32 %oidx
  store float %tv, float addrspace(1)* %q, align 4
  br label %store.next
store.next:
  %k2 = add i32 %k, 8
  %smore = icmp ult i32 %k2, 32
  br i1 %smore, label %store, label %done
done:
  ret void
}

!nvvm.annotations = !{!0}
!0 = !{void (float addrspace(1)*, float addrspace(1)*, i32, i32)* @transpose, !"kernel", i32 1}
