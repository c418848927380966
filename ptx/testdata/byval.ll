; Kernel parameters passed by value as aligned byte arrays (byval.go): a
; 128-byte tensor map whose generic address goes to inline asm ("l") and
; ptrtoint, with loads at constant offsets read straight from the parameter
; space; and a struct read only by loads, which needs no address at all.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

%pair = type { i32, [3 x i16], double }

define void @tma([128 x i8]* byval([128 x i8]) align 64 %tmap, i32 addrspace(1)* %out) {
entry:
  %p8 = getelementptr inbounds [128 x i8], [128 x i8]* %tmap, i64 0, i64 8
  %p32 = bitcast i8* %p8 to i32*
  %w = load i32, i32* %p32, align 8
  %q = getelementptr inbounds [128 x i8], [128 x i8]* %tmap, i64 0, i64 16
  %qv = bitcast i8* %q to <4 x i32>*
  %v = load <4 x i32>, <4 x i32>* %qv, align 16
  %e = extractelement <4 x i32> %v, i32 3
  %s = add i32 %w, %e
  %a = ptrtoint [128 x i8]* %tmap to i64
  %lo = trunc i64 %a to i32
  %s2 = xor i32 %s, %lo
  call void asm sideeffect "prefetch.tensormap [$0];", "l,~{memory}"([128 x i8]* %tmap)
  %d = call i64 asm "mov.b64 $0, $1;", "=l,l"([128 x i8]* %tmap)
  %dl = trunc i64 %d to i32
  %s3 = add i32 %s2, %dl
  store i32 %s3, i32 addrspace(1)* %out, align 4
  ret void
}

define void @pairs(i32 addrspace(1)* %out, %pair* byval(%pair) %pp) {
entry:
  %f0 = getelementptr inbounds %pair, %pair* %pp, i32 0, i32 0
  %x = load i32, i32* %f0, align 8
  %f1 = getelementptr inbounds %pair, %pair* %pp, i32 0, i32 1, i32 2
  %h = load i16, i16* %f1, align 2
  %hx = sext i16 %h to i32
  %f2 = getelementptr inbounds %pair, %pair* %pp, i32 0, i32 2
  %dd = load double, double* %f2, align 8
  %di = fptosi double %dd to i32
  %s = add i32 %x, %hx
  %s1 = add i32 %s, %di
  store i32 %s1, i32 addrspace(1)* %out, align 4
  ret void
}

!nvvm.annotations = !{!0, !1}
!0 = !{void ([128 x i8]*, i32 addrspace(1)*)* @tma, !"kernel", i32 1}
!1 = !{void (i32 addrspace(1)*, %pair*)* @pairs, !"kernel", i32 1}
