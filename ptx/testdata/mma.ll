; One warp computes D = A*B + C on tensor cores with mma.sync.m16n8k16
; (f32 accumulate), the operands loaded from shared memory with ldmatrix.
;
; mma_f16_16x8:   A 16x16, B 16x8 (row-major k x n) f16; B with two
;                 ldmatrix .x1.trans; one mma.
; mma_f16_16x16:  B 16x16, ldmatrix .x4.trans gives both 8-column tiles;
;                 two mmas share the A fragment.
; mma_bf16_16x8:  bf16 (as i16) A 16x16, Bt = B transposed (n x k,
;                 row-major, i.e. B in the "col" layout); plain ldmatrix
;                 .x2 gives the B fragment; one mma.
; mma_bf16_16x16: Bt 16x16 with ldmatrix .x4; two mmas.
; C and D are row-major f32 with 8 or 16 columns. Staging copies 16
; bytes per lane as <8 x half>.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@sa = internal addrspace(3) global [512 x i8] undef, align 16
@sb = internal addrspace(3) global [512 x i8] undef, align 16

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare void @llvm.nvvm.barrier0()
declare i32 @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x1.trans.b16(i8 addrspace(3)*)
declare { i32, i32 } @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x2.b16(i8 addrspace(3)*)
declare { i32, i32, i32, i32 } @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16(i8 addrspace(3)*)
declare { i32, i32, i32, i32 } @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.trans.b16(i8 addrspace(3)*)
declare { float, float, float, float } @llvm.nvvm.mma.m16n8k16.row.col.f32.f32(<2 x half>, <2 x half>, <2 x half>, <2 x half>, <2 x half>, <2 x half>, float, float, float, float)
declare { float, float, float, float } @llvm.nvvm.mma.m16n8k16.row.col.bf16(i32, i32, i32, i32, i32, i32, float, float, float, float)

; stage copies chunks 16-byte chunks from global to shared, one per lane.
define internal void @stage(i8 addrspace(1)* %src, i8 addrspace(3)* %dst, i32 %chunks, i32 %lane) {
entry:
  %mine = icmp ult i32 %lane, %chunks
  br i1 %mine, label %copy, label %done
copy:
  %s = bitcast i8 addrspace(1)* %src to <8 x half> addrspace(1)*
  %d = bitcast i8 addrspace(3)* %dst to <8 x half> addrspace(3)*
  %ps = getelementptr <8 x half>, <8 x half> addrspace(1)* %s, i32 %lane
  %pd = getelementptr <8 x half>, <8 x half> addrspace(3)* %d, i32 %lane
  %v = load <8 x half>, <8 x half> addrspace(1)* %ps, align 16
  store <8 x half> %v, <8 x half> addrspace(3)* %pd, align 16
  br label %done
done:
  ret void
}

; rowaddr is the shared address of row (8*rsel + lane%8), column 8*csel of
; a 16x16 matrix of 16-bit elements, for ldmatrix.
define internal i8 addrspace(3)* @rowaddr(i8 addrspace(3)* %m, i32 %lane, i32 %rsel, i32 %csel) {
  %i = and i32 %lane, 7
  %r8 = shl i32 %rsel, 3
  %row = add i32 %r8, %i
  %rb = shl i32 %row, 5
  %cb = shl i32 %csel, 4
  %off = add i32 %rb, %cb
  %p = getelementptr i8, i8 addrspace(3)* %m, i32 %off
  ret i8 addrspace(3)* %p
}

; cidx is the index of c0 of lane's C/D fragment in a row-major matrix
; with stride columns, for the 8-column tile at column col: row lane/4,
; column col + 2*(lane%4).
define internal i32 @cidx(i32 %lane, i32 %stride, i32 %col) {
  %g = lshr i32 %lane, 2
  %t = and i32 %lane, 3
  %c2 = shl i32 %t, 1
  %r = mul i32 %g, %stride
  %c = add i32 %col, %c2
  %i = add i32 %r, %c
  ret i32 %i
}

define internal void @storeD(float addrspace(1)* %d, i32 %i0, i32 %stride, float %v0, float %v1, float %v2, float %v3) {
  %s8 = shl i32 %stride, 3
  %i2 = add i32 %i0, %s8
  %p0 = getelementptr float, float addrspace(1)* %d, i32 %i0
  %p2 = getelementptr float, float addrspace(1)* %d, i32 %i2
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

define void @mma_f16_16x8(i8 addrspace(1)* %a, i8 addrspace(1)* %b, float addrspace(1)* %c, float addrspace(1)* %d) {
entry:
  %lane = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %sa = getelementptr [512 x i8], [512 x i8] addrspace(3)* @sa, i32 0, i32 0
  %sb = getelementptr [512 x i8], [512 x i8] addrspace(3)* @sb, i32 0, i32 0
  call void @stage(i8 addrspace(1)* %a, i8 addrspace(3)* %sa, i32 32, i32 %lane)
  call void @stage(i8 addrspace(1)* %b, i8 addrspace(3)* %sb, i32 16, i32 %lane)
  call void @llvm.nvvm.barrier0()
  %j = lshr i32 %lane, 3
  %jlo = and i32 %j, 1
  %jhi = lshr i32 %j, 1
  %pa = call i8 addrspace(3)* @rowaddr(i8 addrspace(3)* %sa, i32 %lane, i32 %jlo, i32 %jhi)
  %fa = call { i32, i32, i32, i32 } @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16(i8 addrspace(3)* %pa)
  ; B is 16x8: rows are 16 bytes, so rows 8..15 start at byte 128
  %i = and i32 %lane, 7
  %brow = shl i32 %i, 4
  %pb0 = getelementptr i8, i8 addrspace(3)* %sb, i32 %brow
  %pb1 = getelementptr i8, i8 addrspace(3)* %pb0, i32 128
  %b0 = call i32 @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x1.trans.b16(i8 addrspace(3)* %pb0)
  %b1 = call i32 @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x1.trans.b16(i8 addrspace(3)* %pb1)
  %a0 = extractvalue { i32, i32, i32, i32 } %fa, 0
  %a1 = extractvalue { i32, i32, i32, i32 } %fa, 1
  %a2 = extractvalue { i32, i32, i32, i32 } %fa, 2
  %a3 = extractvalue { i32, i32, i32, i32 } %fa, 3
  %h0 = bitcast i32 %a0 to <2 x half>
  %h1 = bitcast i32 %a1 to <2 x half>
  %h2 = bitcast i32 %a2 to <2 x half>
  %h3 = bitcast i32 %a3 to <2 x half>
  %hb0 = bitcast i32 %b0 to <2 x half>
  %hb1 = bitcast i32 %b1 to <2 x half>
  %i0 = call i32 @cidx(i32 %lane, i32 8, i32 0)
  %i2 = add i32 %i0, 64
  %pc0 = getelementptr float, float addrspace(1)* %c, i32 %i0
  %pc2 = getelementptr float, float addrspace(1)* %c, i32 %i2
  %qc0 = bitcast float addrspace(1)* %pc0 to <2 x float> addrspace(1)*
  %qc2 = bitcast float addrspace(1)* %pc2 to <2 x float> addrspace(1)*
  %cv0 = load <2 x float>, <2 x float> addrspace(1)* %qc0, align 8
  %cv2 = load <2 x float>, <2 x float> addrspace(1)* %qc2, align 8
  %c0 = extractelement <2 x float> %cv0, i32 0
  %c1 = extractelement <2 x float> %cv0, i32 1
  %c2 = extractelement <2 x float> %cv2, i32 0
  %c3 = extractelement <2 x float> %cv2, i32 1
  %r = call { float, float, float, float } @llvm.nvvm.mma.m16n8k16.row.col.f32.f32(<2 x half> %h0, <2 x half> %h1, <2 x half> %h2, <2 x half> %h3, <2 x half> %hb0, <2 x half> %hb1, float %c0, float %c1, float %c2, float %c3)
  %d0 = extractvalue { float, float, float, float } %r, 0
  %d1 = extractvalue { float, float, float, float } %r, 1
  %d2 = extractvalue { float, float, float, float } %r, 2
  %d3 = extractvalue { float, float, float, float } %r, 3
  call void @storeD(float addrspace(1)* %d, i32 %i0, i32 8, float %d0, float %d1, float %d2, float %d3)
  ret void
}

define void @mma_f16_16x16(i8 addrspace(1)* %a, i8 addrspace(1)* %b, float addrspace(1)* %c, float addrspace(1)* %d) {
entry:
  %lane = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %sa = getelementptr [512 x i8], [512 x i8] addrspace(3)* @sa, i32 0, i32 0
  %sb = getelementptr [512 x i8], [512 x i8] addrspace(3)* @sb, i32 0, i32 0
  call void @stage(i8 addrspace(1)* %a, i8 addrspace(3)* %sa, i32 32, i32 %lane)
  call void @stage(i8 addrspace(1)* %b, i8 addrspace(3)* %sb, i32 32, i32 %lane)
  call void @llvm.nvvm.barrier0()
  %j = lshr i32 %lane, 3
  %jlo = and i32 %j, 1
  %jhi = lshr i32 %j, 1
  %pa = call i8 addrspace(3)* @rowaddr(i8 addrspace(3)* %sa, i32 %lane, i32 %jlo, i32 %jhi)
  %fa = call { i32, i32, i32, i32 } @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16(i8 addrspace(3)* %pa)
  ; matrix j of B: k rows 8*(j&1).., n columns 8*(j>>1)..
  %pb = call i8 addrspace(3)* @rowaddr(i8 addrspace(3)* %sb, i32 %lane, i32 %jlo, i32 %jhi)
  %fb = call { i32, i32, i32, i32 } @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.trans.b16(i8 addrspace(3)* %pb)
  %a0 = extractvalue { i32, i32, i32, i32 } %fa, 0
  %a1 = extractvalue { i32, i32, i32, i32 } %fa, 1
  %a2 = extractvalue { i32, i32, i32, i32 } %fa, 2
  %a3 = extractvalue { i32, i32, i32, i32 } %fa, 3
  %h0 = bitcast i32 %a0 to <2 x half>
  %h1 = bitcast i32 %a1 to <2 x half>
  %h2 = bitcast i32 %a2 to <2 x half>
  %h3 = bitcast i32 %a3 to <2 x half>
  %b0 = extractvalue { i32, i32, i32, i32 } %fb, 0
  %b1 = extractvalue { i32, i32, i32, i32 } %fb, 1
  %b2 = extractvalue { i32, i32, i32, i32 } %fb, 2
  %b3 = extractvalue { i32, i32, i32, i32 } %fb, 3
  %hb0 = bitcast i32 %b0 to <2 x half>
  %hb1 = bitcast i32 %b1 to <2 x half>
  %hb2 = bitcast i32 %b2 to <2 x half>
  %hb3 = bitcast i32 %b3 to <2 x half>
  br label %tile
tile:
  %nt = phi i32 [ 0, %entry ], [ 1, %tile ]
  %first = icmp eq i32 %nt, 0
  %x0 = select i1 %first, <2 x half> %hb0, <2 x half> %hb2
  %x1 = select i1 %first, <2 x half> %hb1, <2 x half> %hb3
  %col = shl i32 %nt, 3
  %i0 = call i32 @cidx(i32 %lane, i32 16, i32 %col)
  %i2 = add i32 %i0, 128
  %pc0 = getelementptr float, float addrspace(1)* %c, i32 %i0
  %pc2 = getelementptr float, float addrspace(1)* %c, i32 %i2
  %pc1 = getelementptr float, float addrspace(1)* %pc0, i32 1
  %pc3 = getelementptr float, float addrspace(1)* %pc2, i32 1
  %c0 = load float, float addrspace(1)* %pc0, align 4
  %c1 = load float, float addrspace(1)* %pc1, align 4
  %c2 = load float, float addrspace(1)* %pc2, align 4
  %c3 = load float, float addrspace(1)* %pc3, align 4
  %r = call { float, float, float, float } @llvm.nvvm.mma.m16n8k16.row.col.f32.f32(<2 x half> %h0, <2 x half> %h1, <2 x half> %h2, <2 x half> %h3, <2 x half> %x0, <2 x half> %x1, float %c0, float %c1, float %c2, float %c3)
  %d0 = extractvalue { float, float, float, float } %r, 0
  %d1 = extractvalue { float, float, float, float } %r, 1
  %d2 = extractvalue { float, float, float, float } %r, 2
  %d3 = extractvalue { float, float, float, float } %r, 3
  call void @storeD(float addrspace(1)* %d, i32 %i0, i32 16, float %d0, float %d1, float %d2, float %d3)
  br i1 %first, label %tile, label %done
done:
  ret void
}

define void @mma_bf16_16x8(i8 addrspace(1)* %a, i8 addrspace(1)* %bt, float addrspace(1)* %c, float addrspace(1)* %d) {
entry:
  %lane = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %sa = getelementptr [512 x i8], [512 x i8] addrspace(3)* @sa, i32 0, i32 0
  %sb = getelementptr [512 x i8], [512 x i8] addrspace(3)* @sb, i32 0, i32 0
  call void @stage(i8 addrspace(1)* %a, i8 addrspace(3)* %sa, i32 32, i32 %lane)
  call void @stage(i8 addrspace(1)* %bt, i8 addrspace(3)* %sb, i32 16, i32 %lane)
  call void @llvm.nvvm.barrier0()
  %j = lshr i32 %lane, 3
  %jlo = and i32 %j, 1
  %jhi = lshr i32 %j, 1
  %pa = call i8 addrspace(3)* @rowaddr(i8 addrspace(3)* %sa, i32 %lane, i32 %jlo, i32 %jhi)
  %fa = call { i32, i32, i32, i32 } @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16(i8 addrspace(3)* %pa)
  ; Bt is 8x16: matrix 0 is k 0..7 (row n at byte 32n), matrix 1 k 8..15
  %pb = call i8 addrspace(3)* @rowaddr(i8 addrspace(3)* %sb, i32 %lane, i32 0, i32 %jlo)
  %fb = call { i32, i32 } @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x2.b16(i8 addrspace(3)* %pb)
  %a0 = extractvalue { i32, i32, i32, i32 } %fa, 0
  %a1 = extractvalue { i32, i32, i32, i32 } %fa, 1
  %a2 = extractvalue { i32, i32, i32, i32 } %fa, 2
  %a3 = extractvalue { i32, i32, i32, i32 } %fa, 3
  %b0 = extractvalue { i32, i32 } %fb, 0
  %b1 = extractvalue { i32, i32 } %fb, 1
  %i0 = call i32 @cidx(i32 %lane, i32 8, i32 0)
  %i2 = add i32 %i0, 64
  %pc0 = getelementptr float, float addrspace(1)* %c, i32 %i0
  %pc2 = getelementptr float, float addrspace(1)* %c, i32 %i2
  %qc0 = bitcast float addrspace(1)* %pc0 to <2 x float> addrspace(1)*
  %qc2 = bitcast float addrspace(1)* %pc2 to <2 x float> addrspace(1)*
  %cv0 = load <2 x float>, <2 x float> addrspace(1)* %qc0, align 8
  %cv2 = load <2 x float>, <2 x float> addrspace(1)* %qc2, align 8
  %c0 = extractelement <2 x float> %cv0, i32 0
  %c1 = extractelement <2 x float> %cv0, i32 1
  %c2 = extractelement <2 x float> %cv2, i32 0
  %c3 = extractelement <2 x float> %cv2, i32 1
  %r = call { float, float, float, float } @llvm.nvvm.mma.m16n8k16.row.col.bf16(i32 %a0, i32 %a1, i32 %a2, i32 %a3, i32 %b0, i32 %b1, float %c0, float %c1, float %c2, float %c3)
  %d0 = extractvalue { float, float, float, float } %r, 0
  %d1 = extractvalue { float, float, float, float } %r, 1
  %d2 = extractvalue { float, float, float, float } %r, 2
  %d3 = extractvalue { float, float, float, float } %r, 3
  call void @storeD(float addrspace(1)* %d, i32 %i0, i32 8, float %d0, float %d1, float %d2, float %d3)
  ret void
}

define void @mma_bf16_16x16(i8 addrspace(1)* %a, i8 addrspace(1)* %bt, float addrspace(1)* %c, float addrspace(1)* %d) {
entry:
  %lane = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %sa = getelementptr [512 x i8], [512 x i8] addrspace(3)* @sa, i32 0, i32 0
  %sb = getelementptr [512 x i8], [512 x i8] addrspace(3)* @sb, i32 0, i32 0
  call void @stage(i8 addrspace(1)* %a, i8 addrspace(3)* %sa, i32 32, i32 %lane)
  call void @stage(i8 addrspace(1)* %bt, i8 addrspace(3)* %sb, i32 32, i32 %lane)
  call void @llvm.nvvm.barrier0()
  %j = lshr i32 %lane, 3
  %jlo = and i32 %j, 1
  %jhi = lshr i32 %j, 1
  %pa = call i8 addrspace(3)* @rowaddr(i8 addrspace(3)* %sa, i32 %lane, i32 %jlo, i32 %jhi)
  %fa = call { i32, i32, i32, i32 } @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16(i8 addrspace(3)* %pa)
  ; matrix j of Bt: n rows 8*(j>>1).., k columns 8*(j&1)..
  %pb = call i8 addrspace(3)* @rowaddr(i8 addrspace(3)* %sb, i32 %lane, i32 %jhi, i32 %jlo)
  %fb = call { i32, i32, i32, i32 } @llvm.nvvm.ldmatrix.sync.aligned.m8n8.x4.b16(i8 addrspace(3)* %pb)
  %a0 = extractvalue { i32, i32, i32, i32 } %fa, 0
  %a1 = extractvalue { i32, i32, i32, i32 } %fa, 1
  %a2 = extractvalue { i32, i32, i32, i32 } %fa, 2
  %a3 = extractvalue { i32, i32, i32, i32 } %fa, 3
  %b0 = extractvalue { i32, i32, i32, i32 } %fb, 0
  %b1 = extractvalue { i32, i32, i32, i32 } %fb, 1
  %b2 = extractvalue { i32, i32, i32, i32 } %fb, 2
  %b3 = extractvalue { i32, i32, i32, i32 } %fb, 3
  %i0 = call i32 @cidx(i32 %lane, i32 16, i32 0)
  %i8 = add i32 %i0, 8
  %acc0 = call { float, float, float, float } @loadC16(float addrspace(1)* %c, i32 %i0)
  %acc1 = call { float, float, float, float } @loadC16(float addrspace(1)* %c, i32 %i8)
  %e0 = extractvalue { float, float, float, float } %acc0, 0
  %e1 = extractvalue { float, float, float, float } %acc0, 1
  %e2 = extractvalue { float, float, float, float } %acc0, 2
  %e3 = extractvalue { float, float, float, float } %acc0, 3
  %r0 = call { float, float, float, float } @llvm.nvvm.mma.m16n8k16.row.col.bf16(i32 %a0, i32 %a1, i32 %a2, i32 %a3, i32 %b0, i32 %b1, float %e0, float %e1, float %e2, float %e3)
  %f0 = extractvalue { float, float, float, float } %acc1, 0
  %f1 = extractvalue { float, float, float, float } %acc1, 1
  %f2 = extractvalue { float, float, float, float } %acc1, 2
  %f3 = extractvalue { float, float, float, float } %acc1, 3
  %r1 = call { float, float, float, float } @llvm.nvvm.mma.m16n8k16.row.col.bf16(i32 %a0, i32 %a1, i32 %a2, i32 %a3, i32 %b2, i32 %b3, float %f0, float %f1, float %f2, float %f3)
  %d0 = extractvalue { float, float, float, float } %r0, 0
  %d1 = extractvalue { float, float, float, float } %r0, 1
  %d2 = extractvalue { float, float, float, float } %r0, 2
  %d3 = extractvalue { float, float, float, float } %r0, 3
  call void @storeD(float addrspace(1)* %d, i32 %i0, i32 16, float %d0, float %d1, float %d2, float %d3)
  %g0 = extractvalue { float, float, float, float } %r1, 0
  %g1 = extractvalue { float, float, float, float } %r1, 1
  %g2 = extractvalue { float, float, float, float } %r1, 2
  %g3 = extractvalue { float, float, float, float } %r1, 3
  call void @storeD(float addrspace(1)* %d, i32 %i8, i32 16, float %g0, float %g1, float %g2, float %g3)
  ret void
}

; loadC16 returns lane's C fragment of the 8-column tile whose c0 is at
; index i0 of a 16-column matrix, as a struct (an aggregate .func return).
define internal { float, float, float, float } @loadC16(float addrspace(1)* %c, i32 %i0) {
  %i2 = add i32 %i0, 128
  %p0 = getelementptr float, float addrspace(1)* %c, i32 %i0
  %p2 = getelementptr float, float addrspace(1)* %c, i32 %i2
  %q0 = bitcast float addrspace(1)* %p0 to <2 x float> addrspace(1)*
  %q2 = bitcast float addrspace(1)* %p2 to <2 x float> addrspace(1)*
  %w0 = load <2 x float>, <2 x float> addrspace(1)* %q0, align 8
  %w2 = load <2 x float>, <2 x float> addrspace(1)* %q2, align 8
  %s0 = shufflevector <2 x float> %w0, <2 x float> %w2, <4 x i32> <i32 0, i32 1, i32 2, i32 3>
  %c0 = extractelement <4 x float> %s0, i32 0
  %c1 = extractelement <4 x float> %s0, i32 1
  %c2 = extractelement <4 x float> %s0, i32 2
  %c3 = extractelement <4 x float> %s0, i32 3
  %r0 = insertvalue { float, float, float, float } undef, float %c0, 0
  %r1 = insertvalue { float, float, float, float } %r0, float %c1, 1
  %r2 = insertvalue { float, float, float, float } %r1, float %c2, 2
  %r3 = insertvalue { float, float, float, float } %r2, float %c3, 3
  ret { float, float, float, float } %r3
}

!nvvm.annotations = !{!0, !1, !2, !3}
!0 = !{void (i8 addrspace(1)*, i8 addrspace(1)*, float addrspace(1)*, float addrspace(1)*)* @mma_f16_16x8, !"kernel", i32 1}
!1 = !{void (i8 addrspace(1)*, i8 addrspace(1)*, float addrspace(1)*, float addrspace(1)*)* @mma_f16_16x16, !"kernel", i32 1}
!2 = !{void (i8 addrspace(1)*, i8 addrspace(1)*, float addrspace(1)*, float addrspace(1)*)* @mma_bf16_16x8, !"kernel", i32 1}
!3 = !{void (i8 addrspace(1)*, i8 addrspace(1)*, float addrspace(1)*, float addrspace(1)*)* @mma_bf16_16x16, !"kernel", i32 1}
