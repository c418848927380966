; Histogram of bytes into 64 bins: each CTA counts its grid-stride share of
; the input in shared-memory bins with atom.shared, then adds them to the
; global bins with atom.global.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@bins = internal addrspace(3) global [64 x i32] undef, align 4

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.nctaid.x()
declare void @llvm.nvvm.barrier0()

define void @histogram(i8 addrspace(1)* %data, i32 %n, i32 addrspace(1)* %hist) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %bid = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %bdim = call i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
  %gdim = call i32 @llvm.nvvm.read.ptx.sreg.nctaid.x()
  %zero = icmp ult i32 %tid, 64
  br i1 %zero, label %clear, label %cleared
clear:
  %cb = getelementptr [64 x i32], [64 x i32] addrspace(3)* @bins, i32 0, i32 %tid
  store i32 0, i32 addrspace(3)* %cb, align 4
  br label %cleared
cleared:
  call void @llvm.nvvm.barrier0()
  %start0 = mul i32 %bid, %bdim
  %start = add i32 %start0, %tid
  %stride = mul i32 %bdim, %gdim
  br label %loop
loop:
  %i = phi i32 [ %start, %cleared ], [ %i2, %body ]
  %in = icmp ult i32 %i, %n
  br i1 %in, label %body, label %merge
body:
  %p = getelementptr i8, i8 addrspace(1)* %data, i32 %i
  %b = load i8, i8 addrspace(1)* %p, align 1
  %bz = zext i8 %b to i32
  %bin = and i32 %bz, 63
  %sb = getelementptr [64 x i32], [64 x i32] addrspace(3)* @bins, i32 0, i32 %bin
  %old = atomicrmw add i32 addrspace(3)* %sb, i32 1 monotonic
  %i2 = add i32 %i, %stride
  br label %loop
merge:
  call void @llvm.nvvm.barrier0()
  br i1 %zero, label %flush, label %done
flush:
  %fb = getelementptr [64 x i32], [64 x i32] addrspace(3)* @bins, i32 0, i32 %tid
  %cnt = load i32, i32 addrspace(3)* %fb, align 4
  %gb = getelementptr i32, i32 addrspace(1)* %hist, i32 %tid
  %old2 = atomicrmw add i32 addrspace(1)* %gb, i32 %cnt monotonic
  br label %done
done:
  ret void
}

!nvvm.annotations = !{!0}
!0 = !{void (i8 addrspace(1)*, i32, i32 addrspace(1)*)* @histogram, !"kernel", i32 1}
