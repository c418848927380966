; Every integer operation, icmp and fcmp predicate, float operation and
; cast of the subset, each result stored with its natural width into an
; 8-byte slot of the thread's record (out + tid*8*slots), so the test can
; compare every one of them with a Go reference. The slot order is listed
; in ops_test.go.
;
; ops_int:   i32, i64, i16 and i8: add sub mul sdiv udiv srem urem shl
;            lshr ashr and or xor, immediate forms (a constant first
;            operand too), the ten icmp predicates as a bit mask, zext and
;            sext of a result to i64; i1 logic; selects.
; ops_float: float, double and half: fadd fsub fmul fdiv frem fneg,
;            immediate forms, all sixteen fcmp predicates as a bit mask,
;            selects; inputs include NaN, infinities and signed zeros.
; ops_cast:  trunc zext sext fptrunc fpext fptosi fptoui sitofp uitofp
;            bitcast (scalars and vectors) ptrtoint inttoptr addrspacecast.
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

@sh = internal addrspace(3) global [64 x i32] undef, align 4

declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()
declare float @llvm.fabs.f32(float)
declare void @llvm.nvvm.barrier0()

define void @ops_int(i32 addrspace(1)* %a, i32 addrspace(1)* %b, i8 addrspace(1)* %out) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %recoff = mul i32 %tid, 664
  %rec = getelementptr i8, i8 addrspace(1)* %out, i32 %recoff
  %pa = getelementptr i32, i32 addrspace(1)* %a, i32 %tid
  %pb = getelementptr i32, i32 addrspace(1)* %b, i32 %tid
  %a0 = load i32, i32 addrspace(1)* %pa, align 4
  %b0 = load i32, i32 addrspace(1)* %pb, align 4
  %v1 = and i32 %b0, 31
  %v2 = and i32 %b0, 127
  %v3 = or i32 %v2, 1
  %v4 = add i32 %a0, %b0
  %v5 = getelementptr i8, i8 addrspace(1)* %rec, i32 0
  %v6 = bitcast i8 addrspace(1)* %v5 to i32 addrspace(1)*
  store i32 %v4, i32 addrspace(1)* %v6, align 4
  %v7 = sub i32 %a0, %b0
  %v8 = getelementptr i8, i8 addrspace(1)* %rec, i32 8
  %v9 = bitcast i8 addrspace(1)* %v8 to i32 addrspace(1)*
  store i32 %v7, i32 addrspace(1)* %v9, align 4
  %v10 = mul i32 %a0, %b0
  %v11 = getelementptr i8, i8 addrspace(1)* %rec, i32 16
  %v12 = bitcast i8 addrspace(1)* %v11 to i32 addrspace(1)*
  store i32 %v10, i32 addrspace(1)* %v12, align 4
  %v13 = sdiv i32 %a0, %v3
  %v14 = getelementptr i8, i8 addrspace(1)* %rec, i32 24
  %v15 = bitcast i8 addrspace(1)* %v14 to i32 addrspace(1)*
  store i32 %v13, i32 addrspace(1)* %v15, align 4
  %v16 = udiv i32 %a0, %v3
  %v17 = getelementptr i8, i8 addrspace(1)* %rec, i32 32
  %v18 = bitcast i8 addrspace(1)* %v17 to i32 addrspace(1)*
  store i32 %v16, i32 addrspace(1)* %v18, align 4
  %v19 = srem i32 %a0, %v3
  %v20 = getelementptr i8, i8 addrspace(1)* %rec, i32 40
  %v21 = bitcast i8 addrspace(1)* %v20 to i32 addrspace(1)*
  store i32 %v19, i32 addrspace(1)* %v21, align 4
  %v22 = urem i32 %a0, %v3
  %v23 = getelementptr i8, i8 addrspace(1)* %rec, i32 48
  %v24 = bitcast i8 addrspace(1)* %v23 to i32 addrspace(1)*
  store i32 %v22, i32 addrspace(1)* %v24, align 4
  %v25 = shl i32 %a0, %v1
  %v26 = getelementptr i8, i8 addrspace(1)* %rec, i32 56
  %v27 = bitcast i8 addrspace(1)* %v26 to i32 addrspace(1)*
  store i32 %v25, i32 addrspace(1)* %v27, align 4
  %v28 = lshr i32 %a0, %v1
  %v29 = getelementptr i8, i8 addrspace(1)* %rec, i32 64
  %v30 = bitcast i8 addrspace(1)* %v29 to i32 addrspace(1)*
  store i32 %v28, i32 addrspace(1)* %v30, align 4
  %v31 = ashr i32 %a0, %v1
  %v32 = getelementptr i8, i8 addrspace(1)* %rec, i32 72
  %v33 = bitcast i8 addrspace(1)* %v32 to i32 addrspace(1)*
  store i32 %v31, i32 addrspace(1)* %v33, align 4
  %v34 = and i32 %a0, %b0
  %v35 = getelementptr i8, i8 addrspace(1)* %rec, i32 80
  %v36 = bitcast i8 addrspace(1)* %v35 to i32 addrspace(1)*
  store i32 %v34, i32 addrspace(1)* %v36, align 4
  %v37 = or i32 %a0, %b0
  %v38 = getelementptr i8, i8 addrspace(1)* %rec, i32 88
  %v39 = bitcast i8 addrspace(1)* %v38 to i32 addrspace(1)*
  store i32 %v37, i32 addrspace(1)* %v39, align 4
  %v40 = xor i32 %a0, %b0
  %v41 = getelementptr i8, i8 addrspace(1)* %rec, i32 96
  %v42 = bitcast i8 addrspace(1)* %v41 to i32 addrspace(1)*
  store i32 %v40, i32 addrspace(1)* %v42, align 4
  %v43 = add i32 %a0, 7
  %v44 = getelementptr i8, i8 addrspace(1)* %rec, i32 104
  %v45 = bitcast i8 addrspace(1)* %v44 to i32 addrspace(1)*
  store i32 %v43, i32 addrspace(1)* %v45, align 4
  %v46 = sub i32 100, %a0
  %v47 = getelementptr i8, i8 addrspace(1)* %rec, i32 112
  %v48 = bitcast i8 addrspace(1)* %v47 to i32 addrspace(1)*
  store i32 %v46, i32 addrspace(1)* %v48, align 4
  %v49 = mul i32 %a0, -3
  %v50 = getelementptr i8, i8 addrspace(1)* %rec, i32 120
  %v51 = bitcast i8 addrspace(1)* %v50 to i32 addrspace(1)*
  store i32 %v49, i32 addrspace(1)* %v51, align 4
  %v52 = udiv i32 %a0, 3
  %v53 = getelementptr i8, i8 addrspace(1)* %rec, i32 128
  %v54 = bitcast i8 addrspace(1)* %v53 to i32 addrspace(1)*
  store i32 %v52, i32 addrspace(1)* %v54, align 4
  %v55 = icmp eq i32 %a0, %b0
  %v56 = icmp ne i32 %a0, %b0
  %v57 = icmp ugt i32 %a0, %b0
  %v58 = icmp uge i32 %a0, %b0
  %v59 = icmp ult i32 %a0, %b0
  %v60 = icmp ule i32 %a0, %b0
  %v61 = icmp sgt i32 %a0, %b0
  %v62 = icmp sge i32 %a0, %b0
  %v63 = icmp slt i32 %a0, %b0
  %v64 = icmp sle i32 %a0, %b0
  %v65 = icmp slt i32 %a0, 5
  %v66 = icmp ult i32 200, %a0
  %v67 = icmp eq i32 %a0, -1
  %v68 = icmp ugt i32 %a0, 200
  %v69 = icmp sle i32 -3, %a0
  %v70 = zext i1 %v55 to i32
  %v71 = zext i1 %v56 to i32
  %v72 = shl i32 %v71, 1
  %v73 = or i32 %v70, %v72
  %v74 = zext i1 %v57 to i32
  %v75 = shl i32 %v74, 2
  %v76 = or i32 %v73, %v75
  %v77 = zext i1 %v58 to i32
  %v78 = shl i32 %v77, 3
  %v79 = or i32 %v76, %v78
  %v80 = zext i1 %v59 to i32
  %v81 = shl i32 %v80, 4
  %v82 = or i32 %v79, %v81
  %v83 = zext i1 %v60 to i32
  %v84 = shl i32 %v83, 5
  %v85 = or i32 %v82, %v84
  %v86 = zext i1 %v61 to i32
  %v87 = shl i32 %v86, 6
  %v88 = or i32 %v85, %v87
  %v89 = zext i1 %v62 to i32
  %v90 = shl i32 %v89, 7
  %v91 = or i32 %v88, %v90
  %v92 = zext i1 %v63 to i32
  %v93 = shl i32 %v92, 8
  %v94 = or i32 %v91, %v93
  %v95 = zext i1 %v64 to i32
  %v96 = shl i32 %v95, 9
  %v97 = or i32 %v94, %v96
  %v98 = zext i1 %v65 to i32
  %v99 = shl i32 %v98, 10
  %v100 = or i32 %v97, %v99
  %v101 = zext i1 %v66 to i32
  %v102 = shl i32 %v101, 11
  %v103 = or i32 %v100, %v102
  %v104 = zext i1 %v67 to i32
  %v105 = shl i32 %v104, 12
  %v106 = or i32 %v103, %v105
  %v107 = zext i1 %v68 to i32
  %v108 = shl i32 %v107, 13
  %v109 = or i32 %v106, %v108
  %v110 = zext i1 %v69 to i32
  %v111 = shl i32 %v110, 14
  %v112 = or i32 %v109, %v111
  %v113 = getelementptr i8, i8 addrspace(1)* %rec, i32 136
  %v114 = bitcast i8 addrspace(1)* %v113 to i32 addrspace(1)*
  store i32 %v112, i32 addrspace(1)* %v114, align 4
  %v115 = add i32 %a0, %b0
  %v116 = zext i32 %v115 to i64
  %v117 = getelementptr i8, i8 addrspace(1)* %rec, i32 144
  %v118 = bitcast i8 addrspace(1)* %v117 to i64 addrspace(1)*
  store i64 %v116, i64 addrspace(1)* %v118, align 8
  %v119 = sext i32 %v115 to i64
  %v120 = getelementptr i8, i8 addrspace(1)* %rec, i32 152
  %v121 = bitcast i8 addrspace(1)* %v120 to i64 addrspace(1)*
  store i64 %v119, i64 addrspace(1)* %v121, align 8
  %v122 = zext i32 %a0 to i64
  %v123 = zext i32 %b0 to i64
  %v124 = shl i64 %v122, 32
  %v125 = or i64 %v124, %v123
  %v126 = shl i64 %v123, 32
  %v127 = or i64 %v126, %v122
  %v128 = and i64 %v127, 63
  %v129 = and i64 %v127, 127
  %v130 = or i64 %v129, 1
  %v131 = add i64 %v125, %v127
  %v132 = getelementptr i8, i8 addrspace(1)* %rec, i32 160
  %v133 = bitcast i8 addrspace(1)* %v132 to i64 addrspace(1)*
  store i64 %v131, i64 addrspace(1)* %v133, align 8
  %v134 = sub i64 %v125, %v127
  %v135 = getelementptr i8, i8 addrspace(1)* %rec, i32 168
  %v136 = bitcast i8 addrspace(1)* %v135 to i64 addrspace(1)*
  store i64 %v134, i64 addrspace(1)* %v136, align 8
  %v137 = mul i64 %v125, %v127
  %v138 = getelementptr i8, i8 addrspace(1)* %rec, i32 176
  %v139 = bitcast i8 addrspace(1)* %v138 to i64 addrspace(1)*
  store i64 %v137, i64 addrspace(1)* %v139, align 8
  %v140 = sdiv i64 %v125, %v130
  %v141 = getelementptr i8, i8 addrspace(1)* %rec, i32 184
  %v142 = bitcast i8 addrspace(1)* %v141 to i64 addrspace(1)*
  store i64 %v140, i64 addrspace(1)* %v142, align 8
  %v143 = udiv i64 %v125, %v130
  %v144 = getelementptr i8, i8 addrspace(1)* %rec, i32 192
  %v145 = bitcast i8 addrspace(1)* %v144 to i64 addrspace(1)*
  store i64 %v143, i64 addrspace(1)* %v145, align 8
  %v146 = srem i64 %v125, %v130
  %v147 = getelementptr i8, i8 addrspace(1)* %rec, i32 200
  %v148 = bitcast i8 addrspace(1)* %v147 to i64 addrspace(1)*
  store i64 %v146, i64 addrspace(1)* %v148, align 8
  %v149 = urem i64 %v125, %v130
  %v150 = getelementptr i8, i8 addrspace(1)* %rec, i32 208
  %v151 = bitcast i8 addrspace(1)* %v150 to i64 addrspace(1)*
  store i64 %v149, i64 addrspace(1)* %v151, align 8
  %v152 = shl i64 %v125, %v128
  %v153 = getelementptr i8, i8 addrspace(1)* %rec, i32 216
  %v154 = bitcast i8 addrspace(1)* %v153 to i64 addrspace(1)*
  store i64 %v152, i64 addrspace(1)* %v154, align 8
  %v155 = lshr i64 %v125, %v128
  %v156 = getelementptr i8, i8 addrspace(1)* %rec, i32 224
  %v157 = bitcast i8 addrspace(1)* %v156 to i64 addrspace(1)*
  store i64 %v155, i64 addrspace(1)* %v157, align 8
  %v158 = ashr i64 %v125, %v128
  %v159 = getelementptr i8, i8 addrspace(1)* %rec, i32 232
  %v160 = bitcast i8 addrspace(1)* %v159 to i64 addrspace(1)*
  store i64 %v158, i64 addrspace(1)* %v160, align 8
  %v161 = and i64 %v125, %v127
  %v162 = getelementptr i8, i8 addrspace(1)* %rec, i32 240
  %v163 = bitcast i8 addrspace(1)* %v162 to i64 addrspace(1)*
  store i64 %v161, i64 addrspace(1)* %v163, align 8
  %v164 = or i64 %v125, %v127
  %v165 = getelementptr i8, i8 addrspace(1)* %rec, i32 248
  %v166 = bitcast i8 addrspace(1)* %v165 to i64 addrspace(1)*
  store i64 %v164, i64 addrspace(1)* %v166, align 8
  %v167 = xor i64 %v125, %v127
  %v168 = getelementptr i8, i8 addrspace(1)* %rec, i32 256
  %v169 = bitcast i8 addrspace(1)* %v168 to i64 addrspace(1)*
  store i64 %v167, i64 addrspace(1)* %v169, align 8
  %v170 = add i64 %v125, 7
  %v171 = getelementptr i8, i8 addrspace(1)* %rec, i32 264
  %v172 = bitcast i8 addrspace(1)* %v171 to i64 addrspace(1)*
  store i64 %v170, i64 addrspace(1)* %v172, align 8
  %v173 = sub i64 100, %v125
  %v174 = getelementptr i8, i8 addrspace(1)* %rec, i32 272
  %v175 = bitcast i8 addrspace(1)* %v174 to i64 addrspace(1)*
  store i64 %v173, i64 addrspace(1)* %v175, align 8
  %v176 = mul i64 %v125, -3
  %v177 = getelementptr i8, i8 addrspace(1)* %rec, i32 280
  %v178 = bitcast i8 addrspace(1)* %v177 to i64 addrspace(1)*
  store i64 %v176, i64 addrspace(1)* %v178, align 8
  %v179 = udiv i64 %v125, 3
  %v180 = getelementptr i8, i8 addrspace(1)* %rec, i32 288
  %v181 = bitcast i8 addrspace(1)* %v180 to i64 addrspace(1)*
  store i64 %v179, i64 addrspace(1)* %v181, align 8
  %v182 = icmp eq i64 %v125, %v127
  %v183 = icmp ne i64 %v125, %v127
  %v184 = icmp ugt i64 %v125, %v127
  %v185 = icmp uge i64 %v125, %v127
  %v186 = icmp ult i64 %v125, %v127
  %v187 = icmp ule i64 %v125, %v127
  %v188 = icmp sgt i64 %v125, %v127
  %v189 = icmp sge i64 %v125, %v127
  %v190 = icmp slt i64 %v125, %v127
  %v191 = icmp sle i64 %v125, %v127
  %v192 = icmp slt i64 %v125, 5
  %v193 = icmp ult i64 200, %v125
  %v194 = icmp eq i64 %v125, -1
  %v195 = icmp ugt i64 %v125, 200
  %v196 = icmp sle i64 -3, %v125
  %v197 = zext i1 %v182 to i32
  %v198 = zext i1 %v183 to i32
  %v199 = shl i32 %v198, 1
  %v200 = or i32 %v197, %v199
  %v201 = zext i1 %v184 to i32
  %v202 = shl i32 %v201, 2
  %v203 = or i32 %v200, %v202
  %v204 = zext i1 %v185 to i32
  %v205 = shl i32 %v204, 3
  %v206 = or i32 %v203, %v205
  %v207 = zext i1 %v186 to i32
  %v208 = shl i32 %v207, 4
  %v209 = or i32 %v206, %v208
  %v210 = zext i1 %v187 to i32
  %v211 = shl i32 %v210, 5
  %v212 = or i32 %v209, %v211
  %v213 = zext i1 %v188 to i32
  %v214 = shl i32 %v213, 6
  %v215 = or i32 %v212, %v214
  %v216 = zext i1 %v189 to i32
  %v217 = shl i32 %v216, 7
  %v218 = or i32 %v215, %v217
  %v219 = zext i1 %v190 to i32
  %v220 = shl i32 %v219, 8
  %v221 = or i32 %v218, %v220
  %v222 = zext i1 %v191 to i32
  %v223 = shl i32 %v222, 9
  %v224 = or i32 %v221, %v223
  %v225 = zext i1 %v192 to i32
  %v226 = shl i32 %v225, 10
  %v227 = or i32 %v224, %v226
  %v228 = zext i1 %v193 to i32
  %v229 = shl i32 %v228, 11
  %v230 = or i32 %v227, %v229
  %v231 = zext i1 %v194 to i32
  %v232 = shl i32 %v231, 12
  %v233 = or i32 %v230, %v232
  %v234 = zext i1 %v195 to i32
  %v235 = shl i32 %v234, 13
  %v236 = or i32 %v233, %v235
  %v237 = zext i1 %v196 to i32
  %v238 = shl i32 %v237, 14
  %v239 = or i32 %v236, %v238
  %v240 = getelementptr i8, i8 addrspace(1)* %rec, i32 296
  %v241 = bitcast i8 addrspace(1)* %v240 to i32 addrspace(1)*
  store i32 %v239, i32 addrspace(1)* %v241, align 4
  %v242 = trunc i32 %a0 to i16
  %v243 = trunc i32 %b0 to i16
  %v244 = and i16 %v243, 15
  %v245 = and i16 %v243, 127
  %v246 = or i16 %v245, 1
  %v247 = add i16 %v242, %v243
  %v248 = getelementptr i8, i8 addrspace(1)* %rec, i32 304
  %v249 = bitcast i8 addrspace(1)* %v248 to i16 addrspace(1)*
  store i16 %v247, i16 addrspace(1)* %v249, align 2
  %v250 = sub i16 %v242, %v243
  %v251 = getelementptr i8, i8 addrspace(1)* %rec, i32 312
  %v252 = bitcast i8 addrspace(1)* %v251 to i16 addrspace(1)*
  store i16 %v250, i16 addrspace(1)* %v252, align 2
  %v253 = mul i16 %v242, %v243
  %v254 = getelementptr i8, i8 addrspace(1)* %rec, i32 320
  %v255 = bitcast i8 addrspace(1)* %v254 to i16 addrspace(1)*
  store i16 %v253, i16 addrspace(1)* %v255, align 2
  %v256 = sdiv i16 %v242, %v246
  %v257 = getelementptr i8, i8 addrspace(1)* %rec, i32 328
  %v258 = bitcast i8 addrspace(1)* %v257 to i16 addrspace(1)*
  store i16 %v256, i16 addrspace(1)* %v258, align 2
  %v259 = udiv i16 %v242, %v246
  %v260 = getelementptr i8, i8 addrspace(1)* %rec, i32 336
  %v261 = bitcast i8 addrspace(1)* %v260 to i16 addrspace(1)*
  store i16 %v259, i16 addrspace(1)* %v261, align 2
  %v262 = srem i16 %v242, %v246
  %v263 = getelementptr i8, i8 addrspace(1)* %rec, i32 344
  %v264 = bitcast i8 addrspace(1)* %v263 to i16 addrspace(1)*
  store i16 %v262, i16 addrspace(1)* %v264, align 2
  %v265 = urem i16 %v242, %v246
  %v266 = getelementptr i8, i8 addrspace(1)* %rec, i32 352
  %v267 = bitcast i8 addrspace(1)* %v266 to i16 addrspace(1)*
  store i16 %v265, i16 addrspace(1)* %v267, align 2
  %v268 = shl i16 %v242, %v244
  %v269 = getelementptr i8, i8 addrspace(1)* %rec, i32 360
  %v270 = bitcast i8 addrspace(1)* %v269 to i16 addrspace(1)*
  store i16 %v268, i16 addrspace(1)* %v270, align 2
  %v271 = lshr i16 %v242, %v244
  %v272 = getelementptr i8, i8 addrspace(1)* %rec, i32 368
  %v273 = bitcast i8 addrspace(1)* %v272 to i16 addrspace(1)*
  store i16 %v271, i16 addrspace(1)* %v273, align 2
  %v274 = ashr i16 %v242, %v244
  %v275 = getelementptr i8, i8 addrspace(1)* %rec, i32 376
  %v276 = bitcast i8 addrspace(1)* %v275 to i16 addrspace(1)*
  store i16 %v274, i16 addrspace(1)* %v276, align 2
  %v277 = and i16 %v242, %v243
  %v278 = getelementptr i8, i8 addrspace(1)* %rec, i32 384
  %v279 = bitcast i8 addrspace(1)* %v278 to i16 addrspace(1)*
  store i16 %v277, i16 addrspace(1)* %v279, align 2
  %v280 = or i16 %v242, %v243
  %v281 = getelementptr i8, i8 addrspace(1)* %rec, i32 392
  %v282 = bitcast i8 addrspace(1)* %v281 to i16 addrspace(1)*
  store i16 %v280, i16 addrspace(1)* %v282, align 2
  %v283 = xor i16 %v242, %v243
  %v284 = getelementptr i8, i8 addrspace(1)* %rec, i32 400
  %v285 = bitcast i8 addrspace(1)* %v284 to i16 addrspace(1)*
  store i16 %v283, i16 addrspace(1)* %v285, align 2
  %v286 = add i16 %v242, 7
  %v287 = getelementptr i8, i8 addrspace(1)* %rec, i32 408
  %v288 = bitcast i8 addrspace(1)* %v287 to i16 addrspace(1)*
  store i16 %v286, i16 addrspace(1)* %v288, align 2
  %v289 = sub i16 100, %v242
  %v290 = getelementptr i8, i8 addrspace(1)* %rec, i32 416
  %v291 = bitcast i8 addrspace(1)* %v290 to i16 addrspace(1)*
  store i16 %v289, i16 addrspace(1)* %v291, align 2
  %v292 = mul i16 %v242, -3
  %v293 = getelementptr i8, i8 addrspace(1)* %rec, i32 424
  %v294 = bitcast i8 addrspace(1)* %v293 to i16 addrspace(1)*
  store i16 %v292, i16 addrspace(1)* %v294, align 2
  %v295 = udiv i16 %v242, 3
  %v296 = getelementptr i8, i8 addrspace(1)* %rec, i32 432
  %v297 = bitcast i8 addrspace(1)* %v296 to i16 addrspace(1)*
  store i16 %v295, i16 addrspace(1)* %v297, align 2
  %v298 = icmp eq i16 %v242, %v243
  %v299 = icmp ne i16 %v242, %v243
  %v300 = icmp ugt i16 %v242, %v243
  %v301 = icmp uge i16 %v242, %v243
  %v302 = icmp ult i16 %v242, %v243
  %v303 = icmp ule i16 %v242, %v243
  %v304 = icmp sgt i16 %v242, %v243
  %v305 = icmp sge i16 %v242, %v243
  %v306 = icmp slt i16 %v242, %v243
  %v307 = icmp sle i16 %v242, %v243
  %v308 = icmp slt i16 %v242, 5
  %v309 = icmp ult i16 200, %v242
  %v310 = icmp eq i16 %v242, -1
  %v311 = icmp ugt i16 %v242, 200
  %v312 = icmp sle i16 -3, %v242
  %v313 = zext i1 %v298 to i32
  %v314 = zext i1 %v299 to i32
  %v315 = shl i32 %v314, 1
  %v316 = or i32 %v313, %v315
  %v317 = zext i1 %v300 to i32
  %v318 = shl i32 %v317, 2
  %v319 = or i32 %v316, %v318
  %v320 = zext i1 %v301 to i32
  %v321 = shl i32 %v320, 3
  %v322 = or i32 %v319, %v321
  %v323 = zext i1 %v302 to i32
  %v324 = shl i32 %v323, 4
  %v325 = or i32 %v322, %v324
  %v326 = zext i1 %v303 to i32
  %v327 = shl i32 %v326, 5
  %v328 = or i32 %v325, %v327
  %v329 = zext i1 %v304 to i32
  %v330 = shl i32 %v329, 6
  %v331 = or i32 %v328, %v330
  %v332 = zext i1 %v305 to i32
  %v333 = shl i32 %v332, 7
  %v334 = or i32 %v331, %v333
  %v335 = zext i1 %v306 to i32
  %v336 = shl i32 %v335, 8
  %v337 = or i32 %v334, %v336
  %v338 = zext i1 %v307 to i32
  %v339 = shl i32 %v338, 9
  %v340 = or i32 %v337, %v339
  %v341 = zext i1 %v308 to i32
  %v342 = shl i32 %v341, 10
  %v343 = or i32 %v340, %v342
  %v344 = zext i1 %v309 to i32
  %v345 = shl i32 %v344, 11
  %v346 = or i32 %v343, %v345
  %v347 = zext i1 %v310 to i32
  %v348 = shl i32 %v347, 12
  %v349 = or i32 %v346, %v348
  %v350 = zext i1 %v311 to i32
  %v351 = shl i32 %v350, 13
  %v352 = or i32 %v349, %v351
  %v353 = zext i1 %v312 to i32
  %v354 = shl i32 %v353, 14
  %v355 = or i32 %v352, %v354
  %v356 = getelementptr i8, i8 addrspace(1)* %rec, i32 440
  %v357 = bitcast i8 addrspace(1)* %v356 to i32 addrspace(1)*
  store i32 %v355, i32 addrspace(1)* %v357, align 4
  %v358 = add i16 %v242, %v243
  %v359 = zext i16 %v358 to i64
  %v360 = getelementptr i8, i8 addrspace(1)* %rec, i32 448
  %v361 = bitcast i8 addrspace(1)* %v360 to i64 addrspace(1)*
  store i64 %v359, i64 addrspace(1)* %v361, align 8
  %v362 = sext i16 %v358 to i64
  %v363 = getelementptr i8, i8 addrspace(1)* %rec, i32 456
  %v364 = bitcast i8 addrspace(1)* %v363 to i64 addrspace(1)*
  store i64 %v362, i64 addrspace(1)* %v364, align 8
  %v365 = trunc i32 %a0 to i8
  %v366 = trunc i32 %b0 to i8
  %v367 = and i8 %v366, 7
  %v368 = and i8 %v366, 127
  %v369 = or i8 %v368, 1
  %v370 = add i8 %v365, %v366
  %v371 = getelementptr i8, i8 addrspace(1)* %rec, i32 464
  %v372 = bitcast i8 addrspace(1)* %v371 to i8 addrspace(1)*
  store i8 %v370, i8 addrspace(1)* %v372, align 1
  %v373 = sub i8 %v365, %v366
  %v374 = getelementptr i8, i8 addrspace(1)* %rec, i32 472
  %v375 = bitcast i8 addrspace(1)* %v374 to i8 addrspace(1)*
  store i8 %v373, i8 addrspace(1)* %v375, align 1
  %v376 = mul i8 %v365, %v366
  %v377 = getelementptr i8, i8 addrspace(1)* %rec, i32 480
  %v378 = bitcast i8 addrspace(1)* %v377 to i8 addrspace(1)*
  store i8 %v376, i8 addrspace(1)* %v378, align 1
  %v379 = sdiv i8 %v365, %v369
  %v380 = getelementptr i8, i8 addrspace(1)* %rec, i32 488
  %v381 = bitcast i8 addrspace(1)* %v380 to i8 addrspace(1)*
  store i8 %v379, i8 addrspace(1)* %v381, align 1
  %v382 = udiv i8 %v365, %v369
  %v383 = getelementptr i8, i8 addrspace(1)* %rec, i32 496
  %v384 = bitcast i8 addrspace(1)* %v383 to i8 addrspace(1)*
  store i8 %v382, i8 addrspace(1)* %v384, align 1
  %v385 = srem i8 %v365, %v369
  %v386 = getelementptr i8, i8 addrspace(1)* %rec, i32 504
  %v387 = bitcast i8 addrspace(1)* %v386 to i8 addrspace(1)*
  store i8 %v385, i8 addrspace(1)* %v387, align 1
  %v388 = urem i8 %v365, %v369
  %v389 = getelementptr i8, i8 addrspace(1)* %rec, i32 512
  %v390 = bitcast i8 addrspace(1)* %v389 to i8 addrspace(1)*
  store i8 %v388, i8 addrspace(1)* %v390, align 1
  %v391 = shl i8 %v365, %v367
  %v392 = getelementptr i8, i8 addrspace(1)* %rec, i32 520
  %v393 = bitcast i8 addrspace(1)* %v392 to i8 addrspace(1)*
  store i8 %v391, i8 addrspace(1)* %v393, align 1
  %v394 = lshr i8 %v365, %v367
  %v395 = getelementptr i8, i8 addrspace(1)* %rec, i32 528
  %v396 = bitcast i8 addrspace(1)* %v395 to i8 addrspace(1)*
  store i8 %v394, i8 addrspace(1)* %v396, align 1
  %v397 = ashr i8 %v365, %v367
  %v398 = getelementptr i8, i8 addrspace(1)* %rec, i32 536
  %v399 = bitcast i8 addrspace(1)* %v398 to i8 addrspace(1)*
  store i8 %v397, i8 addrspace(1)* %v399, align 1
  %v400 = and i8 %v365, %v366
  %v401 = getelementptr i8, i8 addrspace(1)* %rec, i32 544
  %v402 = bitcast i8 addrspace(1)* %v401 to i8 addrspace(1)*
  store i8 %v400, i8 addrspace(1)* %v402, align 1
  %v403 = or i8 %v365, %v366
  %v404 = getelementptr i8, i8 addrspace(1)* %rec, i32 552
  %v405 = bitcast i8 addrspace(1)* %v404 to i8 addrspace(1)*
  store i8 %v403, i8 addrspace(1)* %v405, align 1
  %v406 = xor i8 %v365, %v366
  %v407 = getelementptr i8, i8 addrspace(1)* %rec, i32 560
  %v408 = bitcast i8 addrspace(1)* %v407 to i8 addrspace(1)*
  store i8 %v406, i8 addrspace(1)* %v408, align 1
  %v409 = add i8 %v365, 7
  %v410 = getelementptr i8, i8 addrspace(1)* %rec, i32 568
  %v411 = bitcast i8 addrspace(1)* %v410 to i8 addrspace(1)*
  store i8 %v409, i8 addrspace(1)* %v411, align 1
  %v412 = sub i8 100, %v365
  %v413 = getelementptr i8, i8 addrspace(1)* %rec, i32 576
  %v414 = bitcast i8 addrspace(1)* %v413 to i8 addrspace(1)*
  store i8 %v412, i8 addrspace(1)* %v414, align 1
  %v415 = mul i8 %v365, -3
  %v416 = getelementptr i8, i8 addrspace(1)* %rec, i32 584
  %v417 = bitcast i8 addrspace(1)* %v416 to i8 addrspace(1)*
  store i8 %v415, i8 addrspace(1)* %v417, align 1
  %v418 = udiv i8 %v365, 3
  %v419 = getelementptr i8, i8 addrspace(1)* %rec, i32 592
  %v420 = bitcast i8 addrspace(1)* %v419 to i8 addrspace(1)*
  store i8 %v418, i8 addrspace(1)* %v420, align 1
  %v421 = icmp eq i8 %v365, %v366
  %v422 = icmp ne i8 %v365, %v366
  %v423 = icmp ugt i8 %v365, %v366
  %v424 = icmp uge i8 %v365, %v366
  %v425 = icmp ult i8 %v365, %v366
  %v426 = icmp ule i8 %v365, %v366
  %v427 = icmp sgt i8 %v365, %v366
  %v428 = icmp sge i8 %v365, %v366
  %v429 = icmp slt i8 %v365, %v366
  %v430 = icmp sle i8 %v365, %v366
  %v431 = icmp slt i8 %v365, 5
  %v432 = icmp ult i8 200, %v365
  %v433 = icmp eq i8 %v365, -1
  %v434 = icmp ugt i8 %v365, 200
  %v435 = icmp sle i8 -3, %v365
  %v436 = zext i1 %v421 to i32
  %v437 = zext i1 %v422 to i32
  %v438 = shl i32 %v437, 1
  %v439 = or i32 %v436, %v438
  %v440 = zext i1 %v423 to i32
  %v441 = shl i32 %v440, 2
  %v442 = or i32 %v439, %v441
  %v443 = zext i1 %v424 to i32
  %v444 = shl i32 %v443, 3
  %v445 = or i32 %v442, %v444
  %v446 = zext i1 %v425 to i32
  %v447 = shl i32 %v446, 4
  %v448 = or i32 %v445, %v447
  %v449 = zext i1 %v426 to i32
  %v450 = shl i32 %v449, 5
  %v451 = or i32 %v448, %v450
  %v452 = zext i1 %v427 to i32
  %v453 = shl i32 %v452, 6
  %v454 = or i32 %v451, %v453
  %v455 = zext i1 %v428 to i32
  %v456 = shl i32 %v455, 7
  %v457 = or i32 %v454, %v456
  %v458 = zext i1 %v429 to i32
  %v459 = shl i32 %v458, 8
  %v460 = or i32 %v457, %v459
  %v461 = zext i1 %v430 to i32
  %v462 = shl i32 %v461, 9
  %v463 = or i32 %v460, %v462
  %v464 = zext i1 %v431 to i32
  %v465 = shl i32 %v464, 10
  %v466 = or i32 %v463, %v465
  %v467 = zext i1 %v432 to i32
  %v468 = shl i32 %v467, 11
  %v469 = or i32 %v466, %v468
  %v470 = zext i1 %v433 to i32
  %v471 = shl i32 %v470, 12
  %v472 = or i32 %v469, %v471
  %v473 = zext i1 %v434 to i32
  %v474 = shl i32 %v473, 13
  %v475 = or i32 %v472, %v474
  %v476 = zext i1 %v435 to i32
  %v477 = shl i32 %v476, 14
  %v478 = or i32 %v475, %v477
  %v479 = getelementptr i8, i8 addrspace(1)* %rec, i32 600
  %v480 = bitcast i8 addrspace(1)* %v479 to i32 addrspace(1)*
  store i32 %v478, i32 addrspace(1)* %v480, align 4
  %v481 = add i8 %v365, %v366
  %v482 = zext i8 %v481 to i64
  %v483 = getelementptr i8, i8 addrspace(1)* %rec, i32 608
  %v484 = bitcast i8 addrspace(1)* %v483 to i64 addrspace(1)*
  store i64 %v482, i64 addrspace(1)* %v484, align 8
  %v485 = sext i8 %v481 to i64
  %v486 = getelementptr i8, i8 addrspace(1)* %rec, i32 616
  %v487 = bitcast i8 addrspace(1)* %v486 to i64 addrspace(1)*
  store i64 %v485, i64 addrspace(1)* %v487, align 8
  %v488 = icmp slt i32 %a0, %b0
  %v489 = icmp ult i32 %a0, %b0
  %v490 = and i1 %v488, %v489
  %v491 = or i1 %v488, %v489
  %v492 = xor i1 %v488, %v489
  %v493 = xor i1 %v488, true
  %v494 = icmp eq i1 %v488, %v489
  %v495 = icmp ne i1 %v488, %v489
  %v496 = select i1 %v488, i1 %v489, i1 false
  %v497 = add i1 %v488, %v489
  %v498 = zext i1 %v490 to i32
  %v499 = zext i1 %v491 to i32
  %v500 = shl i32 %v499, 1
  %v501 = or i32 %v498, %v500
  %v502 = zext i1 %v492 to i32
  %v503 = shl i32 %v502, 2
  %v504 = or i32 %v501, %v503
  %v505 = zext i1 %v493 to i32
  %v506 = shl i32 %v505, 3
  %v507 = or i32 %v504, %v506
  %v508 = zext i1 %v494 to i32
  %v509 = shl i32 %v508, 4
  %v510 = or i32 %v507, %v509
  %v511 = zext i1 %v495 to i32
  %v512 = shl i32 %v511, 5
  %v513 = or i32 %v510, %v512
  %v514 = zext i1 %v496 to i32
  %v515 = shl i32 %v514, 6
  %v516 = or i32 %v513, %v515
  %v517 = zext i1 %v488 to i32
  %v518 = shl i32 %v517, 7
  %v519 = or i32 %v516, %v518
  %v520 = zext i1 %v489 to i32
  %v521 = shl i32 %v520, 8
  %v522 = or i32 %v519, %v521
  %v523 = zext i1 %v497 to i32
  %v524 = shl i32 %v523, 9
  %v525 = or i32 %v522, %v524
  %v526 = getelementptr i8, i8 addrspace(1)* %rec, i32 624
  %v527 = bitcast i8 addrspace(1)* %v526 to i32 addrspace(1)*
  store i32 %v525, i32 addrspace(1)* %v527, align 4
  %v528 = select i1 %v488, i32 %a0, i32 %b0
  %v529 = getelementptr i8, i8 addrspace(1)* %rec, i32 632
  %v530 = bitcast i8 addrspace(1)* %v529 to i32 addrspace(1)*
  store i32 %v528, i32 addrspace(1)* %v530, align 4
  %v531 = select i1 %v489, i32 -5, i32 %b0
  %v532 = getelementptr i8, i8 addrspace(1)* %rec, i32 640
  %v533 = bitcast i8 addrspace(1)* %v532 to i32 addrspace(1)*
  store i32 %v531, i32 addrspace(1)* %v533, align 4
  %v534 = sext i32 %a0 to i64
  %v535 = select i1 %v489, i64 %v534, i64 123456789012
  %v536 = getelementptr i8, i8 addrspace(1)* %rec, i32 648
  %v537 = bitcast i8 addrspace(1)* %v536 to i64 addrspace(1)*
  store i64 %v535, i64 addrspace(1)* %v537, align 8
  %v538 = trunc i32 %a0 to i8
  %v539 = select i1 %v488, i8 %v538, i8 -7
  %v540 = getelementptr i8, i8 addrspace(1)* %rec, i32 656
  %v541 = bitcast i8 addrspace(1)* %v540 to i8 addrspace(1)*
  store i8 %v539, i8 addrspace(1)* %v541, align 1
  ret void
}

define void @ops_float(float addrspace(1)* %a, float addrspace(1)* %b, i8 addrspace(1)* %out) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %recoff = mul i32 %tid, 312
  %rec = getelementptr i8, i8 addrspace(1)* %out, i32 %recoff
  %pa = getelementptr float, float addrspace(1)* %a, i32 %tid
  %pb = getelementptr float, float addrspace(1)* %b, i32 %tid
  %a0 = load float, float addrspace(1)* %pa, align 4
  %b0 = load float, float addrspace(1)* %pb, align 4
  %v1 = fadd float %a0, %b0
  %v2 = getelementptr i8, i8 addrspace(1)* %rec, i32 0
  %v3 = bitcast i8 addrspace(1)* %v2 to float addrspace(1)*
  store float %v1, float addrspace(1)* %v3, align 4
  %v4 = fsub float %a0, %b0
  %v5 = getelementptr i8, i8 addrspace(1)* %rec, i32 8
  %v6 = bitcast i8 addrspace(1)* %v5 to float addrspace(1)*
  store float %v4, float addrspace(1)* %v6, align 4
  %v7 = fmul float %a0, %b0
  %v8 = getelementptr i8, i8 addrspace(1)* %rec, i32 16
  %v9 = bitcast i8 addrspace(1)* %v8 to float addrspace(1)*
  store float %v7, float addrspace(1)* %v9, align 4
  %v10 = fdiv float %a0, %b0
  %v11 = getelementptr i8, i8 addrspace(1)* %rec, i32 24
  %v12 = bitcast i8 addrspace(1)* %v11 to float addrspace(1)*
  store float %v10, float addrspace(1)* %v12, align 4
  %v13 = frem float %a0, %b0
  %v14 = getelementptr i8, i8 addrspace(1)* %rec, i32 32
  %v15 = bitcast i8 addrspace(1)* %v14 to float addrspace(1)*
  store float %v13, float addrspace(1)* %v15, align 4
  %v16 = fneg float %a0
  %v17 = getelementptr i8, i8 addrspace(1)* %rec, i32 40
  %v18 = bitcast i8 addrspace(1)* %v17 to float addrspace(1)*
  store float %v16, float addrspace(1)* %v18, align 4
  %v19 = fadd float %a0, 1.5
  %v20 = getelementptr i8, i8 addrspace(1)* %rec, i32 48
  %v21 = bitcast i8 addrspace(1)* %v20 to float addrspace(1)*
  store float %v19, float addrspace(1)* %v21, align 4
  %v22 = fsub float 2.0, %a0
  %v23 = getelementptr i8, i8 addrspace(1)* %rec, i32 56
  %v24 = bitcast i8 addrspace(1)* %v23 to float addrspace(1)*
  store float %v22, float addrspace(1)* %v24, align 4
  %v25 = fmul float %a0, 0.375
  %v26 = getelementptr i8, i8 addrspace(1)* %rec, i32 64
  %v27 = bitcast i8 addrspace(1)* %v26 to float addrspace(1)*
  store float %v25, float addrspace(1)* %v27, align 4
  %v28 = fdiv float %a0, 3.0
  %v29 = getelementptr i8, i8 addrspace(1)* %rec, i32 72
  %v30 = bitcast i8 addrspace(1)* %v29 to float addrspace(1)*
  store float %v28, float addrspace(1)* %v30, align 4
  %v31 = fcmp false float %a0, %b0
  %v32 = fcmp oeq float %a0, %b0
  %v33 = fcmp ogt float %a0, %b0
  %v34 = fcmp oge float %a0, %b0
  %v35 = fcmp olt float %a0, %b0
  %v36 = fcmp ole float %a0, %b0
  %v37 = fcmp one float %a0, %b0
  %v38 = fcmp ord float %a0, %b0
  %v39 = fcmp ueq float %a0, %b0
  %v40 = fcmp ugt float %a0, %b0
  %v41 = fcmp uge float %a0, %b0
  %v42 = fcmp ult float %a0, %b0
  %v43 = fcmp ule float %a0, %b0
  %v44 = fcmp une float %a0, %b0
  %v45 = fcmp uno float %a0, %b0
  %v46 = fcmp true float %a0, %b0
  %v47 = fcmp olt float %a0, 0.0
  %v48 = fcmp ogt float 1.0, %a0
  %v49 = zext i1 %v31 to i32
  %v50 = zext i1 %v32 to i32
  %v51 = shl i32 %v50, 1
  %v52 = or i32 %v49, %v51
  %v53 = zext i1 %v33 to i32
  %v54 = shl i32 %v53, 2
  %v55 = or i32 %v52, %v54
  %v56 = zext i1 %v34 to i32
  %v57 = shl i32 %v56, 3
  %v58 = or i32 %v55, %v57
  %v59 = zext i1 %v35 to i32
  %v60 = shl i32 %v59, 4
  %v61 = or i32 %v58, %v60
  %v62 = zext i1 %v36 to i32
  %v63 = shl i32 %v62, 5
  %v64 = or i32 %v61, %v63
  %v65 = zext i1 %v37 to i32
  %v66 = shl i32 %v65, 6
  %v67 = or i32 %v64, %v66
  %v68 = zext i1 %v38 to i32
  %v69 = shl i32 %v68, 7
  %v70 = or i32 %v67, %v69
  %v71 = zext i1 %v39 to i32
  %v72 = shl i32 %v71, 8
  %v73 = or i32 %v70, %v72
  %v74 = zext i1 %v40 to i32
  %v75 = shl i32 %v74, 9
  %v76 = or i32 %v73, %v75
  %v77 = zext i1 %v41 to i32
  %v78 = shl i32 %v77, 10
  %v79 = or i32 %v76, %v78
  %v80 = zext i1 %v42 to i32
  %v81 = shl i32 %v80, 11
  %v82 = or i32 %v79, %v81
  %v83 = zext i1 %v43 to i32
  %v84 = shl i32 %v83, 12
  %v85 = or i32 %v82, %v84
  %v86 = zext i1 %v44 to i32
  %v87 = shl i32 %v86, 13
  %v88 = or i32 %v85, %v87
  %v89 = zext i1 %v45 to i32
  %v90 = shl i32 %v89, 14
  %v91 = or i32 %v88, %v90
  %v92 = zext i1 %v46 to i32
  %v93 = shl i32 %v92, 15
  %v94 = or i32 %v91, %v93
  %v95 = zext i1 %v47 to i32
  %v96 = shl i32 %v95, 16
  %v97 = or i32 %v94, %v96
  %v98 = zext i1 %v48 to i32
  %v99 = shl i32 %v98, 17
  %v100 = or i32 %v97, %v99
  %v101 = getelementptr i8, i8 addrspace(1)* %rec, i32 80
  %v102 = bitcast i8 addrspace(1)* %v101 to i32 addrspace(1)*
  store i32 %v100, i32 addrspace(1)* %v102, align 4
  %v103 = fcmp olt float %a0, %b0
  %v104 = select i1 %v103, float %a0, float %b0
  %v105 = getelementptr i8, i8 addrspace(1)* %rec, i32 88
  %v106 = bitcast i8 addrspace(1)* %v105 to float addrspace(1)*
  store float %v104, float addrspace(1)* %v106, align 4
  %v107 = fcmp uno float %a0, %a0
  %v108 = select i1 %v107, float 0.0, float %a0
  %v109 = getelementptr i8, i8 addrspace(1)* %rec, i32 96
  %v110 = bitcast i8 addrspace(1)* %v109 to float addrspace(1)*
  store float %v108, float addrspace(1)* %v110, align 4
  %v111 = fpext float %a0 to double
  %v112 = fpext float %b0 to double
  %v113 = fadd double %v111, %v112
  %v114 = getelementptr i8, i8 addrspace(1)* %rec, i32 104
  %v115 = bitcast i8 addrspace(1)* %v114 to double addrspace(1)*
  store double %v113, double addrspace(1)* %v115, align 8
  %v116 = fsub double %v111, %v112
  %v117 = getelementptr i8, i8 addrspace(1)* %rec, i32 112
  %v118 = bitcast i8 addrspace(1)* %v117 to double addrspace(1)*
  store double %v116, double addrspace(1)* %v118, align 8
  %v119 = fmul double %v111, %v112
  %v120 = getelementptr i8, i8 addrspace(1)* %rec, i32 120
  %v121 = bitcast i8 addrspace(1)* %v120 to double addrspace(1)*
  store double %v119, double addrspace(1)* %v121, align 8
  %v122 = fdiv double %v111, %v112
  %v123 = getelementptr i8, i8 addrspace(1)* %rec, i32 128
  %v124 = bitcast i8 addrspace(1)* %v123 to double addrspace(1)*
  store double %v122, double addrspace(1)* %v124, align 8
  %v125 = frem double %v111, %v112
  %v126 = getelementptr i8, i8 addrspace(1)* %rec, i32 136
  %v127 = bitcast i8 addrspace(1)* %v126 to double addrspace(1)*
  store double %v125, double addrspace(1)* %v127, align 8
  %v128 = fneg double %v111
  %v129 = getelementptr i8, i8 addrspace(1)* %rec, i32 144
  %v130 = bitcast i8 addrspace(1)* %v129 to double addrspace(1)*
  store double %v128, double addrspace(1)* %v130, align 8
  %v131 = fadd double %v111, 1.5
  %v132 = getelementptr i8, i8 addrspace(1)* %rec, i32 152
  %v133 = bitcast i8 addrspace(1)* %v132 to double addrspace(1)*
  store double %v131, double addrspace(1)* %v133, align 8
  %v134 = fsub double 2.0, %v111
  %v135 = getelementptr i8, i8 addrspace(1)* %rec, i32 160
  %v136 = bitcast i8 addrspace(1)* %v135 to double addrspace(1)*
  store double %v134, double addrspace(1)* %v136, align 8
  %v137 = fmul double %v111, 0.375
  %v138 = getelementptr i8, i8 addrspace(1)* %rec, i32 168
  %v139 = bitcast i8 addrspace(1)* %v138 to double addrspace(1)*
  store double %v137, double addrspace(1)* %v139, align 8
  %v140 = fdiv double %v111, 3.0
  %v141 = getelementptr i8, i8 addrspace(1)* %rec, i32 176
  %v142 = bitcast i8 addrspace(1)* %v141 to double addrspace(1)*
  store double %v140, double addrspace(1)* %v142, align 8
  %v143 = fcmp false double %v111, %v112
  %v144 = fcmp oeq double %v111, %v112
  %v145 = fcmp ogt double %v111, %v112
  %v146 = fcmp oge double %v111, %v112
  %v147 = fcmp olt double %v111, %v112
  %v148 = fcmp ole double %v111, %v112
  %v149 = fcmp one double %v111, %v112
  %v150 = fcmp ord double %v111, %v112
  %v151 = fcmp ueq double %v111, %v112
  %v152 = fcmp ugt double %v111, %v112
  %v153 = fcmp uge double %v111, %v112
  %v154 = fcmp ult double %v111, %v112
  %v155 = fcmp ule double %v111, %v112
  %v156 = fcmp une double %v111, %v112
  %v157 = fcmp uno double %v111, %v112
  %v158 = fcmp true double %v111, %v112
  %v159 = fcmp olt double %v111, 0.0
  %v160 = fcmp ogt double 1.0, %v111
  %v161 = zext i1 %v143 to i32
  %v162 = zext i1 %v144 to i32
  %v163 = shl i32 %v162, 1
  %v164 = or i32 %v161, %v163
  %v165 = zext i1 %v145 to i32
  %v166 = shl i32 %v165, 2
  %v167 = or i32 %v164, %v166
  %v168 = zext i1 %v146 to i32
  %v169 = shl i32 %v168, 3
  %v170 = or i32 %v167, %v169
  %v171 = zext i1 %v147 to i32
  %v172 = shl i32 %v171, 4
  %v173 = or i32 %v170, %v172
  %v174 = zext i1 %v148 to i32
  %v175 = shl i32 %v174, 5
  %v176 = or i32 %v173, %v175
  %v177 = zext i1 %v149 to i32
  %v178 = shl i32 %v177, 6
  %v179 = or i32 %v176, %v178
  %v180 = zext i1 %v150 to i32
  %v181 = shl i32 %v180, 7
  %v182 = or i32 %v179, %v181
  %v183 = zext i1 %v151 to i32
  %v184 = shl i32 %v183, 8
  %v185 = or i32 %v182, %v184
  %v186 = zext i1 %v152 to i32
  %v187 = shl i32 %v186, 9
  %v188 = or i32 %v185, %v187
  %v189 = zext i1 %v153 to i32
  %v190 = shl i32 %v189, 10
  %v191 = or i32 %v188, %v190
  %v192 = zext i1 %v154 to i32
  %v193 = shl i32 %v192, 11
  %v194 = or i32 %v191, %v193
  %v195 = zext i1 %v155 to i32
  %v196 = shl i32 %v195, 12
  %v197 = or i32 %v194, %v196
  %v198 = zext i1 %v156 to i32
  %v199 = shl i32 %v198, 13
  %v200 = or i32 %v197, %v199
  %v201 = zext i1 %v157 to i32
  %v202 = shl i32 %v201, 14
  %v203 = or i32 %v200, %v202
  %v204 = zext i1 %v158 to i32
  %v205 = shl i32 %v204, 15
  %v206 = or i32 %v203, %v205
  %v207 = zext i1 %v159 to i32
  %v208 = shl i32 %v207, 16
  %v209 = or i32 %v206, %v208
  %v210 = zext i1 %v160 to i32
  %v211 = shl i32 %v210, 17
  %v212 = or i32 %v209, %v211
  %v213 = getelementptr i8, i8 addrspace(1)* %rec, i32 184
  %v214 = bitcast i8 addrspace(1)* %v213 to i32 addrspace(1)*
  store i32 %v212, i32 addrspace(1)* %v214, align 4
  %v215 = fcmp olt double %v111, %v112
  %v216 = select i1 %v215, double %v111, double %v112
  %v217 = getelementptr i8, i8 addrspace(1)* %rec, i32 192
  %v218 = bitcast i8 addrspace(1)* %v217 to double addrspace(1)*
  store double %v216, double addrspace(1)* %v218, align 8
  %v219 = fcmp uno double %v111, %v111
  %v220 = select i1 %v219, double 0.0, double %v111
  %v221 = getelementptr i8, i8 addrspace(1)* %rec, i32 200
  %v222 = bitcast i8 addrspace(1)* %v221 to double addrspace(1)*
  store double %v220, double addrspace(1)* %v222, align 8
  %v223 = fptrunc float %a0 to half
  %v224 = fptrunc float %b0 to half
  %v225 = fadd half %v223, %v224
  %v226 = getelementptr i8, i8 addrspace(1)* %rec, i32 208
  %v227 = bitcast i8 addrspace(1)* %v226 to half addrspace(1)*
  store half %v225, half addrspace(1)* %v227, align 2
  %v228 = fsub half %v223, %v224
  %v229 = getelementptr i8, i8 addrspace(1)* %rec, i32 216
  %v230 = bitcast i8 addrspace(1)* %v229 to half addrspace(1)*
  store half %v228, half addrspace(1)* %v230, align 2
  %v231 = fmul half %v223, %v224
  %v232 = getelementptr i8, i8 addrspace(1)* %rec, i32 224
  %v233 = bitcast i8 addrspace(1)* %v232 to half addrspace(1)*
  store half %v231, half addrspace(1)* %v233, align 2
  %v234 = fdiv half %v223, %v224
  %v235 = getelementptr i8, i8 addrspace(1)* %rec, i32 232
  %v236 = bitcast i8 addrspace(1)* %v235 to half addrspace(1)*
  store half %v234, half addrspace(1)* %v236, align 2
  %v237 = frem half %v223, %v224
  %v238 = getelementptr i8, i8 addrspace(1)* %rec, i32 240
  %v239 = bitcast i8 addrspace(1)* %v238 to half addrspace(1)*
  store half %v237, half addrspace(1)* %v239, align 2
  %v240 = fneg half %v223
  %v241 = getelementptr i8, i8 addrspace(1)* %rec, i32 248
  %v242 = bitcast i8 addrspace(1)* %v241 to half addrspace(1)*
  store half %v240, half addrspace(1)* %v242, align 2
  %v243 = fadd half %v223, 0xH3E00
  %v244 = getelementptr i8, i8 addrspace(1)* %rec, i32 256
  %v245 = bitcast i8 addrspace(1)* %v244 to half addrspace(1)*
  store half %v243, half addrspace(1)* %v245, align 2
  %v246 = fsub half 0xH4000, %v223
  %v247 = getelementptr i8, i8 addrspace(1)* %rec, i32 264
  %v248 = bitcast i8 addrspace(1)* %v247 to half addrspace(1)*
  store half %v246, half addrspace(1)* %v248, align 2
  %v249 = fmul half %v223, 0xH3600
  %v250 = getelementptr i8, i8 addrspace(1)* %rec, i32 272
  %v251 = bitcast i8 addrspace(1)* %v250 to half addrspace(1)*
  store half %v249, half addrspace(1)* %v251, align 2
  %v252 = fdiv half %v223, 0xH4200
  %v253 = getelementptr i8, i8 addrspace(1)* %rec, i32 280
  %v254 = bitcast i8 addrspace(1)* %v253 to half addrspace(1)*
  store half %v252, half addrspace(1)* %v254, align 2
  %v255 = fcmp false half %v223, %v224
  %v256 = fcmp oeq half %v223, %v224
  %v257 = fcmp ogt half %v223, %v224
  %v258 = fcmp oge half %v223, %v224
  %v259 = fcmp olt half %v223, %v224
  %v260 = fcmp ole half %v223, %v224
  %v261 = fcmp one half %v223, %v224
  %v262 = fcmp ord half %v223, %v224
  %v263 = fcmp ueq half %v223, %v224
  %v264 = fcmp ugt half %v223, %v224
  %v265 = fcmp uge half %v223, %v224
  %v266 = fcmp ult half %v223, %v224
  %v267 = fcmp ule half %v223, %v224
  %v268 = fcmp une half %v223, %v224
  %v269 = fcmp uno half %v223, %v224
  %v270 = fcmp true half %v223, %v224
  %v271 = fcmp olt half %v223, 0xH0000
  %v272 = fcmp ogt half 0xH3C00, %v223
  %v273 = zext i1 %v255 to i32
  %v274 = zext i1 %v256 to i32
  %v275 = shl i32 %v274, 1
  %v276 = or i32 %v273, %v275
  %v277 = zext i1 %v257 to i32
  %v278 = shl i32 %v277, 2
  %v279 = or i32 %v276, %v278
  %v280 = zext i1 %v258 to i32
  %v281 = shl i32 %v280, 3
  %v282 = or i32 %v279, %v281
  %v283 = zext i1 %v259 to i32
  %v284 = shl i32 %v283, 4
  %v285 = or i32 %v282, %v284
  %v286 = zext i1 %v260 to i32
  %v287 = shl i32 %v286, 5
  %v288 = or i32 %v285, %v287
  %v289 = zext i1 %v261 to i32
  %v290 = shl i32 %v289, 6
  %v291 = or i32 %v288, %v290
  %v292 = zext i1 %v262 to i32
  %v293 = shl i32 %v292, 7
  %v294 = or i32 %v291, %v293
  %v295 = zext i1 %v263 to i32
  %v296 = shl i32 %v295, 8
  %v297 = or i32 %v294, %v296
  %v298 = zext i1 %v264 to i32
  %v299 = shl i32 %v298, 9
  %v300 = or i32 %v297, %v299
  %v301 = zext i1 %v265 to i32
  %v302 = shl i32 %v301, 10
  %v303 = or i32 %v300, %v302
  %v304 = zext i1 %v266 to i32
  %v305 = shl i32 %v304, 11
  %v306 = or i32 %v303, %v305
  %v307 = zext i1 %v267 to i32
  %v308 = shl i32 %v307, 12
  %v309 = or i32 %v306, %v308
  %v310 = zext i1 %v268 to i32
  %v311 = shl i32 %v310, 13
  %v312 = or i32 %v309, %v311
  %v313 = zext i1 %v269 to i32
  %v314 = shl i32 %v313, 14
  %v315 = or i32 %v312, %v314
  %v316 = zext i1 %v270 to i32
  %v317 = shl i32 %v316, 15
  %v318 = or i32 %v315, %v317
  %v319 = zext i1 %v271 to i32
  %v320 = shl i32 %v319, 16
  %v321 = or i32 %v318, %v320
  %v322 = zext i1 %v272 to i32
  %v323 = shl i32 %v322, 17
  %v324 = or i32 %v321, %v323
  %v325 = getelementptr i8, i8 addrspace(1)* %rec, i32 288
  %v326 = bitcast i8 addrspace(1)* %v325 to i32 addrspace(1)*
  store i32 %v324, i32 addrspace(1)* %v326, align 4
  %v327 = fcmp olt half %v223, %v224
  %v328 = select i1 %v327, half %v223, half %v224
  %v329 = getelementptr i8, i8 addrspace(1)* %rec, i32 296
  %v330 = bitcast i8 addrspace(1)* %v329 to half addrspace(1)*
  store half %v328, half addrspace(1)* %v330, align 2
  %v331 = fcmp uno half %v223, %v223
  %v332 = select i1 %v331, half 0xH0000, half %v223
  %v333 = getelementptr i8, i8 addrspace(1)* %rec, i32 304
  %v334 = bitcast i8 addrspace(1)* %v333 to half addrspace(1)*
  store half %v332, half addrspace(1)* %v334, align 2
  ret void
}

define void @ops_cast(i32 addrspace(1)* %a, float addrspace(1)* %f, i8 addrspace(1)* %out) {
entry:
  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %recoff = mul i32 %tid, 624
  %rec = getelementptr i8, i8 addrspace(1)* %out, i32 %recoff
  %pa = getelementptr i32, i32 addrspace(1)* %a, i32 %tid
  %pf = getelementptr float, float addrspace(1)* %f, i32 %tid
  %i = load i32, i32 addrspace(1)* %pa, align 4
  %x = load float, float addrspace(1)* %pf, align 4
  %v1 = trunc i32 %i to i16
  %v2 = getelementptr i8, i8 addrspace(1)* %rec, i32 0
  %v3 = bitcast i8 addrspace(1)* %v2 to i16 addrspace(1)*
  store i16 %v1, i16 addrspace(1)* %v3, align 2
  %v4 = trunc i32 %i to i8
  %v5 = getelementptr i8, i8 addrspace(1)* %rec, i32 8
  %v6 = bitcast i8 addrspace(1)* %v5 to i8 addrspace(1)*
  store i8 %v4, i8 addrspace(1)* %v6, align 1
  %v7 = trunc i16 %v1 to i8
  %v8 = getelementptr i8, i8 addrspace(1)* %rec, i32 16
  %v9 = bitcast i8 addrspace(1)* %v8 to i8 addrspace(1)*
  store i8 %v7, i8 addrspace(1)* %v9, align 1
  %v10 = trunc i32 %i to i1
  %v11 = zext i1 %v10 to i32
  %v12 = getelementptr i8, i8 addrspace(1)* %rec, i32 24
  %v13 = bitcast i8 addrspace(1)* %v12 to i32 addrspace(1)*
  store i32 %v11, i32 addrspace(1)* %v13, align 4
  %v14 = sext i32 %i to i64
  %v15 = mul i64 %v14, 1000003
  %v16 = trunc i64 %v15 to i32
  %v17 = getelementptr i8, i8 addrspace(1)* %rec, i32 32
  %v18 = bitcast i8 addrspace(1)* %v17 to i32 addrspace(1)*
  store i32 %v16, i32 addrspace(1)* %v18, align 4
  %v19 = trunc i64 %v15 to i16
  %v20 = getelementptr i8, i8 addrspace(1)* %rec, i32 40
  %v21 = bitcast i8 addrspace(1)* %v20 to i16 addrspace(1)*
  store i16 %v19, i16 addrspace(1)* %v21, align 2
  %v22 = trunc i64 %v15 to i8
  %v23 = getelementptr i8, i8 addrspace(1)* %rec, i32 48
  %v24 = bitcast i8 addrspace(1)* %v23 to i8 addrspace(1)*
  store i8 %v22, i8 addrspace(1)* %v24, align 1
  %v25 = mul i16 %v1, 3
  %v26 = trunc i16 %v25 to i8
  %v27 = getelementptr i8, i8 addrspace(1)* %rec, i32 56
  %v28 = bitcast i8 addrspace(1)* %v27 to i8 addrspace(1)*
  store i8 %v26, i8 addrspace(1)* %v28, align 1
  %v29 = icmp sgt i32 %i, 0
  %v30 = zext i1 %v29 to i8
  %v31 = getelementptr i8, i8 addrspace(1)* %rec, i32 64
  %v32 = bitcast i8 addrspace(1)* %v31 to i8 addrspace(1)*
  store i8 %v30, i8 addrspace(1)* %v32, align 1
  %v33 = sext i1 %v29 to i8
  %v34 = getelementptr i8, i8 addrspace(1)* %rec, i32 72
  %v35 = bitcast i8 addrspace(1)* %v34 to i8 addrspace(1)*
  store i8 %v33, i8 addrspace(1)* %v35, align 1
  %v36 = zext i1 %v29 to i16
  %v37 = getelementptr i8, i8 addrspace(1)* %rec, i32 80
  %v38 = bitcast i8 addrspace(1)* %v37 to i16 addrspace(1)*
  store i16 %v36, i16 addrspace(1)* %v38, align 2
  %v39 = sext i1 %v29 to i16
  %v40 = getelementptr i8, i8 addrspace(1)* %rec, i32 88
  %v41 = bitcast i8 addrspace(1)* %v40 to i16 addrspace(1)*
  store i16 %v39, i16 addrspace(1)* %v41, align 2
  %v42 = zext i1 %v29 to i32
  %v43 = getelementptr i8, i8 addrspace(1)* %rec, i32 96
  %v44 = bitcast i8 addrspace(1)* %v43 to i32 addrspace(1)*
  store i32 %v42, i32 addrspace(1)* %v44, align 4
  %v45 = sext i1 %v29 to i32
  %v46 = getelementptr i8, i8 addrspace(1)* %rec, i32 104
  %v47 = bitcast i8 addrspace(1)* %v46 to i32 addrspace(1)*
  store i32 %v45, i32 addrspace(1)* %v47, align 4
  %v48 = zext i1 %v29 to i64
  %v49 = getelementptr i8, i8 addrspace(1)* %rec, i32 112
  %v50 = bitcast i8 addrspace(1)* %v49 to i64 addrspace(1)*
  store i64 %v48, i64 addrspace(1)* %v50, align 8
  %v51 = sext i1 %v29 to i64
  %v52 = getelementptr i8, i8 addrspace(1)* %rec, i32 120
  %v53 = bitcast i8 addrspace(1)* %v52 to i64 addrspace(1)*
  store i64 %v51, i64 addrspace(1)* %v53, align 8
  %v54 = add i8 %v4, 100
  %v55 = zext i8 %v54 to i16
  %v56 = getelementptr i8, i8 addrspace(1)* %rec, i32 128
  %v57 = bitcast i8 addrspace(1)* %v56 to i16 addrspace(1)*
  store i16 %v55, i16 addrspace(1)* %v57, align 2
  %v58 = sext i8 %v54 to i16
  %v59 = getelementptr i8, i8 addrspace(1)* %rec, i32 136
  %v60 = bitcast i8 addrspace(1)* %v59 to i16 addrspace(1)*
  store i16 %v58, i16 addrspace(1)* %v60, align 2
  %v61 = zext i8 %v54 to i32
  %v62 = getelementptr i8, i8 addrspace(1)* %rec, i32 144
  %v63 = bitcast i8 addrspace(1)* %v62 to i32 addrspace(1)*
  store i32 %v61, i32 addrspace(1)* %v63, align 4
  %v64 = sext i8 %v54 to i32
  %v65 = getelementptr i8, i8 addrspace(1)* %rec, i32 152
  %v66 = bitcast i8 addrspace(1)* %v65 to i32 addrspace(1)*
  store i32 %v64, i32 addrspace(1)* %v66, align 4
  %v67 = zext i8 %v54 to i64
  %v68 = getelementptr i8, i8 addrspace(1)* %rec, i32 160
  %v69 = bitcast i8 addrspace(1)* %v68 to i64 addrspace(1)*
  store i64 %v67, i64 addrspace(1)* %v69, align 8
  %v70 = sext i8 %v54 to i64
  %v71 = getelementptr i8, i8 addrspace(1)* %rec, i32 168
  %v72 = bitcast i8 addrspace(1)* %v71 to i64 addrspace(1)*
  store i64 %v70, i64 addrspace(1)* %v72, align 8
  %v73 = zext i16 %v1 to i32
  %v74 = getelementptr i8, i8 addrspace(1)* %rec, i32 176
  %v75 = bitcast i8 addrspace(1)* %v74 to i32 addrspace(1)*
  store i32 %v73, i32 addrspace(1)* %v75, align 4
  %v76 = sext i16 %v1 to i32
  %v77 = getelementptr i8, i8 addrspace(1)* %rec, i32 184
  %v78 = bitcast i8 addrspace(1)* %v77 to i32 addrspace(1)*
  store i32 %v76, i32 addrspace(1)* %v78, align 4
  %v79 = zext i16 %v1 to i64
  %v80 = getelementptr i8, i8 addrspace(1)* %rec, i32 192
  %v81 = bitcast i8 addrspace(1)* %v80 to i64 addrspace(1)*
  store i64 %v79, i64 addrspace(1)* %v81, align 8
  %v82 = sext i16 %v1 to i64
  %v83 = getelementptr i8, i8 addrspace(1)* %rec, i32 200
  %v84 = bitcast i8 addrspace(1)* %v83 to i64 addrspace(1)*
  store i64 %v82, i64 addrspace(1)* %v84, align 8
  %v85 = zext i32 %i to i64
  %v86 = getelementptr i8, i8 addrspace(1)* %rec, i32 208
  %v87 = bitcast i8 addrspace(1)* %v86 to i64 addrspace(1)*
  store i64 %v85, i64 addrspace(1)* %v87, align 8
  %v88 = sext i32 %i to i64
  %v89 = getelementptr i8, i8 addrspace(1)* %rec, i32 216
  %v90 = bitcast i8 addrspace(1)* %v89 to i64 addrspace(1)*
  store i64 %v88, i64 addrspace(1)* %v90, align 8
  %v91 = fpext float %x to double
  %v92 = getelementptr i8, i8 addrspace(1)* %rec, i32 224
  %v93 = bitcast i8 addrspace(1)* %v92 to double addrspace(1)*
  store double %v91, double addrspace(1)* %v93, align 8
  %v94 = fmul double %v91, 0x3FF0000000100000
  %v95 = fptrunc double %v94 to float
  %v96 = getelementptr i8, i8 addrspace(1)* %rec, i32 232
  %v97 = bitcast i8 addrspace(1)* %v96 to float addrspace(1)*
  store float %v95, float addrspace(1)* %v97, align 4
  %v98 = fptrunc float %x to half
  %v99 = getelementptr i8, i8 addrspace(1)* %rec, i32 240
  %v100 = bitcast i8 addrspace(1)* %v99 to half addrspace(1)*
  store half %v98, half addrspace(1)* %v100, align 2
  %v101 = fptrunc double %v94 to half
  %v102 = getelementptr i8, i8 addrspace(1)* %rec, i32 248
  %v103 = bitcast i8 addrspace(1)* %v102 to half addrspace(1)*
  store half %v101, half addrspace(1)* %v103, align 2
  %v104 = fpext half %v98 to float
  %v105 = getelementptr i8, i8 addrspace(1)* %rec, i32 256
  %v106 = bitcast i8 addrspace(1)* %v105 to float addrspace(1)*
  store float %v104, float addrspace(1)* %v106, align 4
  %v107 = fpext half %v98 to double
  %v108 = getelementptr i8, i8 addrspace(1)* %rec, i32 264
  %v109 = bitcast i8 addrspace(1)* %v108 to double addrspace(1)*
  store double %v107, double addrspace(1)* %v109, align 8
  %v110 = fptosi float %x to i32
  %v111 = getelementptr i8, i8 addrspace(1)* %rec, i32 272
  %v112 = bitcast i8 addrspace(1)* %v111 to i32 addrspace(1)*
  store i32 %v110, i32 addrspace(1)* %v112, align 4
  %v113 = fptosi float %x to i16
  %v114 = getelementptr i8, i8 addrspace(1)* %rec, i32 280
  %v115 = bitcast i8 addrspace(1)* %v114 to i16 addrspace(1)*
  store i16 %v113, i16 addrspace(1)* %v115, align 2
  %v116 = fptosi float %x to i8
  %v117 = getelementptr i8, i8 addrspace(1)* %rec, i32 288
  %v118 = bitcast i8 addrspace(1)* %v117 to i8 addrspace(1)*
  store i8 %v116, i8 addrspace(1)* %v118, align 1
  %v119 = fptosi float %x to i64
  %v120 = getelementptr i8, i8 addrspace(1)* %rec, i32 296
  %v121 = bitcast i8 addrspace(1)* %v120 to i64 addrspace(1)*
  store i64 %v119, i64 addrspace(1)* %v121, align 8
  %v122 = fptosi double %v94 to i32
  %v123 = getelementptr i8, i8 addrspace(1)* %rec, i32 304
  %v124 = bitcast i8 addrspace(1)* %v123 to i32 addrspace(1)*
  store i32 %v122, i32 addrspace(1)* %v124, align 4
  %v125 = fptosi double %v94 to i64
  %v126 = getelementptr i8, i8 addrspace(1)* %rec, i32 312
  %v127 = bitcast i8 addrspace(1)* %v126 to i64 addrspace(1)*
  store i64 %v125, i64 addrspace(1)* %v127, align 8
  %v128 = fptosi half %v98 to i32
  %v129 = getelementptr i8, i8 addrspace(1)* %rec, i32 320
  %v130 = bitcast i8 addrspace(1)* %v129 to i32 addrspace(1)*
  store i32 %v128, i32 addrspace(1)* %v130, align 4
  %v131 = fptosi half %v98 to i16
  %v132 = getelementptr i8, i8 addrspace(1)* %rec, i32 328
  %v133 = bitcast i8 addrspace(1)* %v132 to i16 addrspace(1)*
  store i16 %v131, i16 addrspace(1)* %v133, align 2
  %v134 = call float @llvm.fabs.f32(float %x)
  %v135 = fptoui float %v134 to i32
  %v136 = getelementptr i8, i8 addrspace(1)* %rec, i32 336
  %v137 = bitcast i8 addrspace(1)* %v136 to i32 addrspace(1)*
  store i32 %v135, i32 addrspace(1)* %v137, align 4
  %v138 = fptoui float %v134 to i16
  %v139 = getelementptr i8, i8 addrspace(1)* %rec, i32 344
  %v140 = bitcast i8 addrspace(1)* %v139 to i16 addrspace(1)*
  store i16 %v138, i16 addrspace(1)* %v140, align 2
  %v141 = fptoui float %v134 to i8
  %v142 = getelementptr i8, i8 addrspace(1)* %rec, i32 352
  %v143 = bitcast i8 addrspace(1)* %v142 to i8 addrspace(1)*
  store i8 %v141, i8 addrspace(1)* %v143, align 1
  %v144 = fptoui float %v134 to i64
  %v145 = getelementptr i8, i8 addrspace(1)* %rec, i32 360
  %v146 = bitcast i8 addrspace(1)* %v145 to i64 addrspace(1)*
  store i64 %v144, i64 addrspace(1)* %v146, align 8
  %v147 = sitofp i32 %i to float
  %v148 = getelementptr i8, i8 addrspace(1)* %rec, i32 368
  %v149 = bitcast i8 addrspace(1)* %v148 to float addrspace(1)*
  store float %v147, float addrspace(1)* %v149, align 4
  %v150 = sitofp i32 %i to double
  %v151 = getelementptr i8, i8 addrspace(1)* %rec, i32 376
  %v152 = bitcast i8 addrspace(1)* %v151 to double addrspace(1)*
  store double %v150, double addrspace(1)* %v152, align 8
  %v153 = srem i32 %i, 1000
  %v154 = sitofp i32 %v153 to half
  %v155 = getelementptr i8, i8 addrspace(1)* %rec, i32 384
  %v156 = bitcast i8 addrspace(1)* %v155 to half addrspace(1)*
  store half %v154, half addrspace(1)* %v156, align 2
  %v157 = sitofp i8 %v54 to float
  %v158 = getelementptr i8, i8 addrspace(1)* %rec, i32 392
  %v159 = bitcast i8 addrspace(1)* %v158 to float addrspace(1)*
  store float %v157, float addrspace(1)* %v159, align 4
  %v160 = sitofp i16 %v1 to float
  %v161 = getelementptr i8, i8 addrspace(1)* %rec, i32 400
  %v162 = bitcast i8 addrspace(1)* %v161 to float addrspace(1)*
  store float %v160, float addrspace(1)* %v162, align 4
  %v163 = sitofp i64 %v15 to double
  %v164 = getelementptr i8, i8 addrspace(1)* %rec, i32 408
  %v165 = bitcast i8 addrspace(1)* %v164 to double addrspace(1)*
  store double %v163, double addrspace(1)* %v165, align 8
  %v166 = sitofp i64 %v15 to float
  %v167 = getelementptr i8, i8 addrspace(1)* %rec, i32 416
  %v168 = bitcast i8 addrspace(1)* %v167 to float addrspace(1)*
  store float %v166, float addrspace(1)* %v168, align 4
  %v169 = sitofp i1 %v29 to float
  %v170 = getelementptr i8, i8 addrspace(1)* %rec, i32 424
  %v171 = bitcast i8 addrspace(1)* %v170 to float addrspace(1)*
  store float %v169, float addrspace(1)* %v171, align 4
  %v172 = sitofp i1 %v29 to double
  %v173 = getelementptr i8, i8 addrspace(1)* %rec, i32 432
  %v174 = bitcast i8 addrspace(1)* %v173 to double addrspace(1)*
  store double %v172, double addrspace(1)* %v174, align 8
  %v175 = uitofp i32 %i to float
  %v176 = getelementptr i8, i8 addrspace(1)* %rec, i32 440
  %v177 = bitcast i8 addrspace(1)* %v176 to float addrspace(1)*
  store float %v175, float addrspace(1)* %v177, align 4
  %v178 = uitofp i8 %v54 to float
  %v179 = getelementptr i8, i8 addrspace(1)* %rec, i32 448
  %v180 = bitcast i8 addrspace(1)* %v179 to float addrspace(1)*
  store float %v178, float addrspace(1)* %v180, align 4
  %v181 = and i16 %v1, 2047
  %v182 = uitofp i16 %v181 to half
  %v183 = getelementptr i8, i8 addrspace(1)* %rec, i32 456
  %v184 = bitcast i8 addrspace(1)* %v183 to half addrspace(1)*
  store half %v182, half addrspace(1)* %v184, align 2
  %v185 = uitofp i64 %v15 to double
  %v186 = getelementptr i8, i8 addrspace(1)* %rec, i32 464
  %v187 = bitcast i8 addrspace(1)* %v186 to double addrspace(1)*
  store double %v185, double addrspace(1)* %v187, align 8
  %v188 = uitofp i1 %v29 to float
  %v189 = getelementptr i8, i8 addrspace(1)* %rec, i32 472
  %v190 = bitcast i8 addrspace(1)* %v189 to float addrspace(1)*
  store float %v188, float addrspace(1)* %v190, align 4
  %v191 = uitofp i1 %v29 to half
  %v192 = getelementptr i8, i8 addrspace(1)* %rec, i32 480
  %v193 = bitcast i8 addrspace(1)* %v192 to half addrspace(1)*
  store half %v191, half addrspace(1)* %v193, align 2
  %v194 = bitcast float %x to i32
  %v195 = getelementptr i8, i8 addrspace(1)* %rec, i32 488
  %v196 = bitcast i8 addrspace(1)* %v195 to i32 addrspace(1)*
  store i32 %v194, i32 addrspace(1)* %v196, align 4
  %v197 = bitcast i32 %i to float
  %v198 = getelementptr i8, i8 addrspace(1)* %rec, i32 496
  %v199 = bitcast i8 addrspace(1)* %v198 to float addrspace(1)*
  store float %v197, float addrspace(1)* %v199, align 4
  %v200 = bitcast double %v94 to i64
  %v201 = getelementptr i8, i8 addrspace(1)* %rec, i32 504
  %v202 = bitcast i8 addrspace(1)* %v201 to i64 addrspace(1)*
  store i64 %v200, i64 addrspace(1)* %v202, align 8
  %v203 = bitcast i64 %v15 to double
  %v204 = getelementptr i8, i8 addrspace(1)* %rec, i32 512
  %v205 = bitcast i8 addrspace(1)* %v204 to double addrspace(1)*
  store double %v203, double addrspace(1)* %v205, align 8
  %v206 = fmul float %x, 3.0
  %v207 = fptrunc float %v206 to half
  %v208 = insertelement <2 x half> undef, half %v98, i32 0
  %v209 = insertelement <2 x half> %v208, half %v207, i32 1
  %v210 = bitcast <2 x half> %v209 to i32
  %v211 = getelementptr i8, i8 addrspace(1)* %rec, i32 520
  %v212 = bitcast i8 addrspace(1)* %v211 to i32 addrspace(1)*
  store i32 %v210, i32 addrspace(1)* %v212, align 4
  %v213 = bitcast i32 %i to <2 x half>
  %v214 = extractelement <2 x half> %v213, i32 1
  %v215 = getelementptr i8, i8 addrspace(1)* %rec, i32 528
  %v216 = bitcast i8 addrspace(1)* %v215 to half addrspace(1)*
  store half %v214, half addrspace(1)* %v216, align 2
  %v217 = bitcast half %v98 to i16
  %v218 = getelementptr i8, i8 addrspace(1)* %rec, i32 536
  %v219 = bitcast i8 addrspace(1)* %v218 to i16 addrspace(1)*
  store i16 %v217, i16 addrspace(1)* %v219, align 2
  %v220 = bitcast i16 %v1 to half
  %v221 = getelementptr i8, i8 addrspace(1)* %rec, i32 544
  %v222 = bitcast i8 addrspace(1)* %v221 to half addrspace(1)*
  store half %v220, half addrspace(1)* %v222, align 2
  %v223 = bitcast i32 %i to <2 x i16>
  %v224 = shufflevector <2 x i16> %v223, <2 x i16> undef, <2 x i32> <i32 1, i32 0>
  %v225 = bitcast <2 x i16> %v224 to i32
  %v226 = getelementptr i8, i8 addrspace(1)* %rec, i32 552
  %v227 = bitcast i8 addrspace(1)* %v226 to i32 addrspace(1)*
  store i32 %v225, i32 addrspace(1)* %v227, align 4
  %v228 = shufflevector <2 x half> %v209, <2 x half> %v213, <4 x i32> <i32 0, i32 3, i32 1, i32 2>
  %v229 = bitcast <4 x half> %v228 to i64
  %v230 = getelementptr i8, i8 addrspace(1)* %rec, i32 560
  %v231 = bitcast i8 addrspace(1)* %v230 to i64 addrspace(1)*
  store i64 %v229, i64 addrspace(1)* %v231, align 8
  %v232 = bitcast i64 %v15 to <2 x float>
  %v233 = extractelement <2 x float> %v232, i32 1
  %v234 = getelementptr i8, i8 addrspace(1)* %rec, i32 568
  %v235 = bitcast i8 addrspace(1)* %v234 to float addrspace(1)*
  store float %v233, float addrspace(1)* %v235, align 4
  %v236 = ptrtoint i8 addrspace(1)* %rec to i64
  %v237 = ptrtoint i8 addrspace(1)* %rec to i32
  %v238 = getelementptr i8, i8 addrspace(1)* %rec, i32 576
  %v239 = bitcast i8 addrspace(1)* %v238 to i32 addrspace(1)*
  store i32 %v237, i32 addrspace(1)* %v239, align 4
  %v240 = add i64 %v236, 584
  %v241 = inttoptr i64 %v240 to i32 addrspace(1)*
  store i32 %i, i32 addrspace(1)* %v241, align 4
  %v242 = getelementptr i8, i8 addrspace(1)* %rec, i32 592
  %v243 = addrspacecast i8 addrspace(1)* %v242 to i8*
  store i8 %v4, i8* %v243, align 1
  %v244 = getelementptr i8, i8 addrspace(1)* %rec, i32 600
  %v245 = addrspacecast i8 addrspace(1)* %v244 to float*
  %v246 = addrspacecast float* %v245 to float addrspace(1)*
  store float %x, float addrspace(1)* %v246, align 4
  %v247 = getelementptr [64 x i32], [64 x i32] addrspace(3)* @sh, i32 0, i32 %tid
  store i32 %i, i32 addrspace(3)* %v247, align 4
  %v248 = addrspacecast i32 addrspace(3)* %v247 to i32*
  %v249 = load i32, i32* %v248, align 4
  %v250 = getelementptr i8, i8 addrspace(1)* %rec, i32 608
  %v251 = bitcast i8 addrspace(1)* %v250 to i32 addrspace(1)*
  store i32 %v249, i32 addrspace(1)* %v251, align 4
  %v252 = addrspacecast i32* %v248 to i32 addrspace(3)*
  %v253 = load i32, i32 addrspace(3)* %v252, align 4
  %v254 = getelementptr i8, i8 addrspace(1)* %rec, i32 616
  %v255 = bitcast i8 addrspace(1)* %v254 to i32 addrspace(1)*
  store i32 %v253, i32 addrspace(1)* %v255, align 4
  ret void
}

!nvvm.annotations = !{!0, !1, !2}
!0 = !{void (i32 addrspace(1)*, i32 addrspace(1)*, i8 addrspace(1)*)* @ops_int, !"kernel", i32 1}
!1 = !{void (float addrspace(1)*, float addrspace(1)*, i8 addrspace(1)*)* @ops_float, !"kernel", i32 1}
!2 = !{void (i32 addrspace(1)*, float addrspace(1)*, i8 addrspace(1)*)* @ops_cast, !"kernel", i32 1}
