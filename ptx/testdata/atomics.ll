; Atomics.
;
; histogram: grid-stride loop, atomicrmw add into 256 global bins.
; rmw_ops: every atomicrmw operation on shared memory (add sub max min
;   umax umin and or xor, fadd on a float) and on global memory (the same
;   plus xchg, whose old values must form a permutation with the final).
; cas_add: float accumulation by a cmpxchg retry loop on the bits.
; lock: lane 0 of each warp takes a spin lock (cmpxchg 0 -> 1 on global
;   memory), increments a plain counter, and releases it (xchg 0), with
;   membar.gl on both sides.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@counters = internal addrspace(3) global [9 x i32] undef, align 4
@fsum = internal addrspace(3) global float undef, align 4

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
declare i32 @llvm.nvvm.read.ptx.sreg.nctaid.x()
declare void @llvm.nvvm.barrier0()
declare void @llvm.nvvm.membar.gl()

define void @histogram(i32 addrspace(1)* %data, i32 %n, i32 addrspace(1)* %hist) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %bid = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %bdim = call i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
  %gdim = call i32 @llvm.nvvm.read.ptx.sreg.nctaid.x()
  %s0 = mul i32 %bid, %bdim
  %start = add i32 %s0, %tid
  %stride = mul i32 %bdim, %gdim
  br label %loop
loop:
  %i = phi i32 [ %start, %entry ], [ %i2, %body ]
  %in = icmp slt i32 %i, %n
  br i1 %in, label %body, label %done
body:
  %p = getelementptr inbounds i32, i32 addrspace(1)* %data, i32 %i
  %v = load i32, i32 addrspace(1)* %p, align 4
  %bin = and i32 %v, 255
  %hp = getelementptr inbounds i32, i32 addrspace(1)* %hist, i32 %bin
  %old = atomicrmw add i32 addrspace(1)* %hp, i32 1 monotonic
  %i2 = add i32 %i, %stride
  br label %loop
done:
  ret void
}

define void @rmw_ops(i32 addrspace(1)* %in, i32 addrspace(1)* %init, i32 addrspace(1)* %out, i32 addrspace(1)* %g, i32 addrspace(1)* %olds) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %first = icmp eq i32 %tid, 0
  br i1 %first, label %setup, label %ready
setup:
  br label %setup.loop
setup.loop:
  %k = phi i32 [ 0, %setup ], [ %k1, %setup.loop ]
  %ip = getelementptr inbounds i32, i32 addrspace(1)* %init, i32 %k
  %iv = load i32, i32 addrspace(1)* %ip, align 4
  %cp = getelementptr inbounds [9 x i32], [9 x i32] addrspace(3)* @counters, i32 0, i32 %k
  store i32 %iv, i32 addrspace(3)* %cp, align 4
  %k1 = add i32 %k, 1
  %kmore = icmp ult i32 %k1, 9
  br i1 %kmore, label %setup.loop, label %setup.f
setup.f:
  store float 0.5, float addrspace(3)* @fsum, align 4
  br label %ready
ready:
  call void @llvm.nvvm.barrier0()
  %px = getelementptr inbounds i32, i32 addrspace(1)* %in, i32 %tid
  %x = load i32, i32 addrspace(1)* %px, align 4
  %c0 = getelementptr inbounds [9 x i32], [9 x i32] addrspace(3)* @counters, i32 0, i32 0
  %r0 = atomicrmw add i32 addrspace(3)* %c0, i32 %x seq_cst
  %c1 = getelementptr inbounds [9 x i32], [9 x i32] addrspace(3)* @counters, i32 0, i32 1
  %r1 = atomicrmw sub i32 addrspace(3)* %c1, i32 %x monotonic
  %c2 = getelementptr inbounds [9 x i32], [9 x i32] addrspace(3)* @counters, i32 0, i32 2
  %r2 = atomicrmw max i32 addrspace(3)* %c2, i32 %x monotonic
  %c3 = getelementptr inbounds [9 x i32], [9 x i32] addrspace(3)* @counters, i32 0, i32 3
  %r3 = atomicrmw min i32 addrspace(3)* %c3, i32 %x monotonic
  %c4 = getelementptr inbounds [9 x i32], [9 x i32] addrspace(3)* @counters, i32 0, i32 4
  %r4 = atomicrmw umax i32 addrspace(3)* %c4, i32 %x monotonic
  %c5 = getelementptr inbounds [9 x i32], [9 x i32] addrspace(3)* @counters, i32 0, i32 5
  %r5 = atomicrmw umin i32 addrspace(3)* %c5, i32 %x monotonic
  %c6 = getelementptr inbounds [9 x i32], [9 x i32] addrspace(3)* @counters, i32 0, i32 6
  %r6 = atomicrmw and i32 addrspace(3)* %c6, i32 %x monotonic
  %c7 = getelementptr inbounds [9 x i32], [9 x i32] addrspace(3)* @counters, i32 0, i32 7
  %r7 = atomicrmw or i32 addrspace(3)* %c7, i32 %x monotonic
  %c8 = getelementptr inbounds [9 x i32], [9 x i32] addrspace(3)* @counters, i32 0, i32 8
  %r8 = atomicrmw xor i32 addrspace(3)* %c8, i32 %x monotonic
  %xl = and i32 %x, 1023
  %xf = uitofp i32 %xl to float
  %rf = atomicrmw fadd float addrspace(3)* @fsum, float %xf monotonic
  ; the same on global memory, plus xchg
  %g0 = getelementptr inbounds i32, i32 addrspace(1)* %g, i32 0
  %s0 = atomicrmw add i32 addrspace(1)* %g0, i32 %x monotonic
  %g2 = getelementptr inbounds i32, i32 addrspace(1)* %g, i32 2
  %s2 = atomicrmw max i32 addrspace(1)* %g2, i32 %x monotonic
  %g3 = getelementptr inbounds i32, i32 addrspace(1)* %g, i32 3
  %s3 = atomicrmw min i32 addrspace(1)* %g3, i32 %x monotonic
  %g4 = getelementptr inbounds i32, i32 addrspace(1)* %g, i32 4
  %s4 = atomicrmw umax i32 addrspace(1)* %g4, i32 %x monotonic
  %g5 = getelementptr inbounds i32, i32 addrspace(1)* %g, i32 5
  %s5 = atomicrmw umin i32 addrspace(1)* %g5, i32 %x monotonic
  %g6 = getelementptr inbounds i32, i32 addrspace(1)* %g, i32 6
  %s6 = atomicrmw and i32 addrspace(1)* %g6, i32 %x monotonic
  %g7 = getelementptr inbounds i32, i32 addrspace(1)* %g, i32 7
  %s7 = atomicrmw or i32 addrspace(1)* %g7, i32 %x monotonic
  %g8 = getelementptr inbounds i32, i32 addrspace(1)* %g, i32 8
  %s8 = atomicrmw xor i32 addrspace(1)* %g8, i32 %x monotonic
  %g9 = getelementptr inbounds i32, i32 addrspace(1)* %g, i32 9
  %s9 = atomicrmw xchg i32 addrspace(1)* %g9, i32 %tid monotonic
  %po = getelementptr inbounds i32, i32 addrspace(1)* %olds, i32 %tid
  store i32 %s9, i32 addrspace(1)* %po, align 4
  %gf = getelementptr inbounds i32, i32 addrspace(1)* %g, i32 10
  %gff = bitcast i32 addrspace(1)* %gf to float addrspace(1)*
  %sf = atomicrmw fadd float addrspace(1)* %gff, float %xf monotonic
  call void @llvm.nvvm.barrier0()
  br i1 %first, label %flush, label %done
flush:
  br label %flush.loop
flush.loop:
  %m = phi i32 [ 0, %flush ], [ %m1, %flush.loop ]
  %cq = getelementptr inbounds [9 x i32], [9 x i32] addrspace(3)* @counters, i32 0, i32 %m
  %cv = load i32, i32 addrspace(3)* %cq, align 4
  %oq = getelementptr inbounds i32, i32 addrspace(1)* %out, i32 %m
  store i32 %cv, i32 addrspace(1)* %oq, align 4
  %m1 = add i32 %m, 1
  %mmore = icmp ult i32 %m1, 9
  br i1 %mmore, label %flush.loop, label %flush.f
flush.f:
  %fv = load float, float addrspace(3)* @fsum, align 4
  %of = getelementptr inbounds i32, i32 addrspace(1)* %out, i32 9
  %off = bitcast i32 addrspace(1)* %of to float addrspace(1)*
  store float %fv, float addrspace(1)* %off, align 4
  br label %done
done:
  ret void
}

define void @cas_add(float addrspace(1)* %acc, float addrspace(1)* %x, i32 %n) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %bid = call i32 @llvm.nvvm.read.ptx.sreg.ctaid.x()
  %bdim = call i32 @llvm.nvvm.read.ptx.sreg.ntid.x()
  %s0 = mul i32 %bid, %bdim
  %i = add i32 %s0, %tid
  %in = icmp slt i32 %i, %n
  br i1 %in, label %start, label %done
start:
  %px = getelementptr inbounds float, float addrspace(1)* %x, i32 %i
  %v = load float, float addrspace(1)* %px, align 4
  %ai = bitcast float addrspace(1)* %acc to i32 addrspace(1)*
  %cur0 = load volatile i32, i32 addrspace(1)* %ai, align 4
  br label %retry
retry:
  %cur = phi i32 [ %cur0, %start ], [ %seen, %retry ]
  %curf = bitcast i32 %cur to float
  %sum = fadd float %curf, %v
  %new = bitcast float %sum to i32
  %pair = cmpxchg i32 addrspace(1)* %ai, i32 %cur, i32 %new seq_cst seq_cst
  %seen = extractvalue { i32, i1 } %pair, 0
  %ok = extractvalue { i32, i1 } %pair, 1
  br i1 %ok, label %done, label %retry
done:
  ret void
}

define void @lock(i32 addrspace(1)* %mutex, i32 addrspace(1)* %counter, i32 %reps) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %lane = and i32 %tid, 31
  %leader = icmp eq i32 %lane, 0
  br i1 %leader, label %rep, label %done
rep:
  %r = phi i32 [ 0, %entry ], [ %r1, %release ]
  br label %spin
spin:
  %got = cmpxchg i32 addrspace(1)* %mutex, i32 0, i32 1 acquire monotonic
  %ok = extractvalue { i32, i1 } %got, 1
  br i1 %ok, label %critical, label %spin
critical:
  call void @llvm.nvvm.membar.gl()
  %c = load volatile i32, i32 addrspace(1)* %counter, align 4
  %c1 = add i32 %c, 1
  store volatile i32 %c1, i32 addrspace(1)* %counter, align 4
  call void @llvm.nvvm.membar.gl()
  br label %release
release:
  %prev = atomicrmw xchg i32 addrspace(1)* %mutex, i32 0 release
  %r1 = add i32 %r, 1
  %more = icmp slt i32 %r1, %reps
  br i1 %more, label %rep, label %done
done:
  ret void
}

!nvvm.annotations = !{!0, !1, !2, !3}
!0 = !{void (i32 addrspace(1)*, i32, i32 addrspace(1)*)* @histogram, !"kernel", i32 1}
!1 = !{void (i32 addrspace(1)*, i32 addrspace(1)*, i32 addrspace(1)*, i32 addrspace(1)*, i32 addrspace(1)*)* @rmw_ops, !"kernel", i32 1}
!2 = !{void (float addrspace(1)*, float addrspace(1)*, i32)* @cas_add, !"kernel", i32 1}
!3 = !{void (i32 addrspace(1)*, i32 addrspace(1)*, i32)* @lock, !"kernel", i32 1}
