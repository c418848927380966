; One warp computes D = A*B + C with mma.sync.m16n8k16 (f32 accumulate).
; mma_f16: A (16x16, row-major) and B (16x8, row-major) f16 are staged in
; shared memory and loaded with ldmatrix (.x4 for A, .x2.trans for B).
; mma_bf16: bf16 fragments are loaded straight from global memory by the
; fragment layout (B stored transposed, 8x16, so each pair is contiguous).
; C and D are 16x8 row-major f32.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@sa = internal addrspace(3) global [256 x half] undef, align 16
@sb = internal addrspace(3) global [128 x half] undef, align 16

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare void @llvm.nvvm.barrier0()
declare {i32, i32, i32, i32} @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16(i8 addrspace(3)*)
declare {i32, i32} @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x2.trans.b16(i8 addrspace(3)*)
declare {float, float, float, float} @llvm.nvvm.mma.m16n8k16.row.col.f32.f32(<2 x half>, <2 x half>, <2 x half>, <2 x half>, <2 x half>, <2 x half>, float, float, float, float)
declare {float, float, float, float} @llvm.nvvm.mma.m16n8k16.row.col.bf16(i32, i32, i32, i32, i32, i32, float, float, float, float)

; storeD writes a C/D fragment: c0,c1 -> row g cols 2t,2t+1; c2,c3 -> row g+8.
define internal void @storeD(float addrspace(1)* %d, i32 %lane, {float, float, float, float} %r) alwaysinline {
  %g = lshr i32 %lane, 2
  %t = and i32 %lane, 3
  %col = shl i32 %t, 1
  %row0 = shl i32 %g, 3
  %i0 = add i32 %row0, %col
  %i2 = add i32 %i0, 64
  %p0 = getelementptr float, float addrspace(1)* %d, i32 %i0
  %p2 = getelementptr float, float addrspace(1)* %d, i32 %i2
  %v0 = extractvalue {float, float, float, float} %r, 0
  %v1 = extractvalue {float, float, float, float} %r, 1
  %v2 = extractvalue {float, float, float, float} %r, 2
  %v3 = extractvalue {float, float, float, float} %r, 3
  %q0 = bitcast float addrspace(1)* %p0 to <2 x float> addrspace(1)*
  %q2 = bitcast float addrspace(1)* %p2 to <2 x float> addrspace(1)*
  %w0 = insertelement <2 x float> undef, float %v0, i32 0
  %w1 = insertelement <2 x float> %w0, float %v1, i32 1
  %w2 = insertelement <2 x float> undef, float %v2, i32 0
  %w3 = insertelement <2 x float> %w2, float %v3, i32 1
  store <2 x float> %w1, <2 x float> addrspace(1)* %q0, align 8
  store <2 x float> %w3, <2 x float> addrspace(1)* %q2, align 8
  ret void
}

define internal {float, float, float, float} @loadC(float addrspace(1)* %c, i32 %lane) alwaysinline {
  %g = lshr i32 %lane, 2
  %t = and i32 %lane, 3
  %col = shl i32 %t, 1
  %row0 = shl i32 %g, 3
  %i0 = add i32 %row0, %col
  %i2 = add i32 %i0, 64
  %p0 = getelementptr float, float addrspace(1)* %c, i32 %i0
  %p2 = getelementptr float, float addrspace(1)* %c, i32 %i2
  %q0 = bitcast float addrspace(1)* %p0 to <2 x float> addrspace(1)*
  %q2 = bitcast float addrspace(1)* %p2 to <2 x float> addrspace(1)*
  %w0 = load <2 x float>, <2 x float> addrspace(1)* %q0, align 8
  %w2 = load <2 x float>, <2 x float> addrspace(1)* %q2, align 8
  %c0 = extractelement <2 x float> %w0, i32 0
  %c1 = extractelement <2 x float> %w0, i32 1
  %c2 = extractelement <2 x float> %w2, i32 0
  %c3 = extractelement <2 x float> %w2, i32 1
  %r0 = insertvalue {float, float, float, float} undef, float %c0, 0
  %r1 = insertvalue {float, float, float, float} %r0, float %c1, 1
  %r2 = insertvalue {float, float, float, float} %r1, float %c2, 2
  %r3 = insertvalue {float, float, float, float} %r2, float %c3, 3
  ret {float, float, float, float} %r3
}

define void @mma_f16(<8 x half> addrspace(1)* %a, <8 x half> addrspace(1)* %b, float addrspace(1)* %c, float addrspace(1)* %d) {
entry:
  %lane = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  ; stage A: 32 lanes x 16 bytes; B: lanes 0-15 x 16 bytes
  %ga = getelementptr <8 x half>, <8 x half> addrspace(1)* %a, i32 %lane
  %va = load <8 x half>, <8 x half> addrspace(1)* %ga, align 16
  %sa8 = bitcast [256 x half] addrspace(3)* @sa to <8 x half> addrspace(3)*
  %psa = getelementptr <8 x half>, <8 x half> addrspace(3)* %sa8, i32 %lane
  store <8 x half> %va, <8 x half> addrspace(3)* %psa, align 16
  %lowb = icmp ult i32 %lane, 16
  br i1 %lowb, label %stageb, label %staged
stageb:
  %gb = getelementptr <8 x half>, <8 x half> addrspace(1)* %b, i32 %lane
  %vb = load <8 x half>, <8 x half> addrspace(1)* %gb, align 16
  %sb8 = bitcast [128 x half] addrspace(3)* @sb to <8 x half> addrspace(3)*
  %psb = getelementptr <8 x half>, <8 x half> addrspace(3)* %sb8, i32 %lane
  store <8 x half> %vb, <8 x half> addrspace(3)* %psb, align 16
  br label %staged
staged:
  call void @llvm.nvvm.barrier0()
  ; A row addresses: matrix j = lane/8, row i = lane%8:
  ; j=0 A[i][0], j=1 A[8+i][0], j=2 A[i][8], j=3 A[8+i][8]
  %j = lshr i32 %lane, 3
  %i = and i32 %lane, 7
  %jlo = and i32 %j, 1
  %jhi = lshr i32 %j, 1
  %r8 = shl i32 %jlo, 3
  %row = add i32 %r8, %i
  %rowoff = shl i32 %row, 4
  %coloff = shl i32 %jhi, 3
  %aidx = add i32 %rowoff, %coloff
  %pa = getelementptr [256 x half], [256 x half] addrspace(3)* @sa, i32 0, i32 %aidx
  %pa8 = bitcast half addrspace(3)* %pa to i8 addrspace(3)*
  %fa = call {i32, i32, i32, i32} @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16(i8 addrspace(3)* %pa8)
  ; B rows: lanes 0-15 give rows 0-15 (lanes 16-31 mirror them)
  %brow = and i32 %lane, 15
  %bidx = shl i32 %brow, 3
  %pb = getelementptr [128 x half], [128 x half] addrspace(3)* @sb, i32 0, i32 %bidx
  %pb8 = bitcast half addrspace(3)* %pb to i8 addrspace(3)*
  %fb = call {i32, i32} @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x2.trans.b16(i8 addrspace(3)* %pb8)
  %a0 = extractvalue {i32, i32, i32, i32} %fa, 0
  %a1 = extractvalue {i32, i32, i32, i32} %fa, 1
  %a2 = extractvalue {i32, i32, i32, i32} %fa, 2
  %a3 = extractvalue {i32, i32, i32, i32} %fa, 3
  %b0 = extractvalue {i32, i32} %fb, 0
  %b1 = extractvalue {i32, i32} %fb, 1
  %h0 = bitcast i32 %a0 to <2 x half>
  %h1 = bitcast i32 %a1 to <2 x half>
  %h2 = bitcast i32 %a2 to <2 x half>
  %h3 = bitcast i32 %a3 to <2 x half>
  %hb0 = bitcast i32 %b0 to <2 x half>
  %hb1 = bitcast i32 %b1 to <2 x half>
  %cf = call {float, float, float, float} @loadC(float addrspace(1)* %c, i32 %lane)
  %c0 = extractvalue {float, float, float, float} %cf, 0
  %c1 = extractvalue {float, float, float, float} %cf, 1
  %c2 = extractvalue {float, float, float, float} %cf, 2
  %c3 = extractvalue {float, float, float, float} %cf, 3
  %r = call {float, float, float, float} @llvm.nvvm.mma.m16n8k16.row.col.f32.f32(<2 x half> %h0, <2 x half> %h1, <2 x half> %h2, <2 x half> %h3, <2 x half> %hb0, <2 x half> %hb1, float %c0, float %c1, float %c2, float %c3)
  call void @storeD(float addrspace(1)* %d, i32 %lane, {float, float, float, float} %r)
  ret void
}

; A fragment pair k of row r, cols c, c+1: one i32 of the row-major matrix.
define internal i32 @pair(i32 addrspace(1)* %m, i32 %stride, i32 %r, i32 %c) alwaysinline {
  %rs = mul i32 %r, %stride
  %ch = lshr i32 %c, 1
  %idx = add i32 %rs, %ch
  %p = getelementptr i32, i32 addrspace(1)* %m, i32 %idx
  %v = load i32, i32 addrspace(1)* %p, align 4
  ret i32 %v
}

define void @mma_bf16(i32 addrspace(1)* %a, i32 addrspace(1)* %bt, float addrspace(1)* %c, float addrspace(1)* %d) {
entry:
  %lane = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %g = lshr i32 %lane, 2
  %t = and i32 %lane, 3
  %c2t = shl i32 %t, 1
  %g8 = add i32 %g, 8
  %c2t8 = add i32 %c2t, 8
  %a0 = call i32 @pair(i32 addrspace(1)* %a, i32 8, i32 %g, i32 %c2t)
  %a1 = call i32 @pair(i32 addrspace(1)* %a, i32 8, i32 %g8, i32 %c2t)
  %a2 = call i32 @pair(i32 addrspace(1)* %a, i32 8, i32 %g, i32 %c2t8)
  %a3 = call i32 @pair(i32 addrspace(1)* %a, i32 8, i32 %g8, i32 %c2t8)
  ; B^T is 8x16: b0,b1 = B[2t][g], B[2t+1][g] = Bt[g][2t..2t+1]
  %b0 = call i32 @pair(i32 addrspace(1)* %bt, i32 8, i32 %g, i32 %c2t)
  %b1 = call i32 @pair(i32 addrspace(1)* %bt, i32 8, i32 %g, i32 %c2t8)
  %cf = call {float, float, float, float} @loadC(float addrspace(1)* %c, i32 %lane)
  %c0 = extractvalue {float, float, float, float} %cf, 0
  %c1 = extractvalue {float, float, float, float} %cf, 1
  %cc2 = extractvalue {float, float, float, float} %cf, 2
  %c3 = extractvalue {float, float, float, float} %cf, 3
  %r = call {float, float, float, float} @llvm.nvvm.mma.m16n8k16.row.col.bf16(i32 %a0, i32 %a1, i32 %a2, i32 %a3, i32 %b0, i32 %b1, float %c0, float %c1, float %cc2, float %c3)
  call void @storeD(float addrspace(1)* %d, i32 %lane, {float, float, float, float} %r)
  ret void
}

!nvvm.annotations = !{!0, !1}
!0 = !{void (<8 x half> addrspace(1)*, <8 x half> addrspace(1)*, float addrspace(1)*, float addrspace(1)*)* @mma_f16, !"kernel", i32 1}
!1 = !{void (i32 addrspace(1)*, i32 addrspace(1)*, float addrspace(1)*, float addrspace(1)*)* @mma_bf16, !"kernel", i32 1}
