package codegen

import (
	"fmt"
	"strings"

	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
)

// Hopper's wgmma.mma_async.m64nNk16: a warpgroup (4 warps) multiplies a
// 64-row tile of A by all N columns of B, with B (and A, when it is a
// shared buffer) read from shared memory through matrix descriptors, A
// otherwise from registers. The accumulator layout is mma.sync's with all
// warps along M (layout.MMA with warps [numWarps, 1]): warp w holds rows
// 16w + 16·numWarps·i, so warpgroup g's i-th m64 tile starts at row
// 64g + 16·numWarps·i, and its registers are the N/2 consecutive ones
// 4·(j + nTiles·i) + q, d_{4j+q} of the instruction. The register A
// fragment of a warp is mma.sync's, registers q + 8·(kk + kTiles·i).
//
// One asm statement issues the whole dot: wgmma.fence, every instruction
// and commit_group; an async dot's wait is its dot_wait's (lowerDotWait),
// else wait_group 0 ends the statement. The accumulator registers go in
// tied to the outputs: the backend gives an output its input's register
// where the dot is the input's last use, so nothing copies an
// accumulator while an mma that writes it is in flight (a loop's carried
// accumulator stays in its phi's registers).

// wgmmaSwizzleMode is the descriptor's swizzle field for a span in bytes.
var wgmmaSwizzleMode = map[int]uint64{128: 1, 64: 2, 32: 3}

// descriptor describes one shared operand for the k-steps of a dot.
type descriptor struct {
	base     value.Value // i64: the descriptor of the tile's start
	kMajor   bool        // K is the buffer's contiguous dim
	span     int         // swizzle span in bytes: bytes per (block) row
	rows     int         // rows of the buffer (its slow dim)
	blockEls int         // elements per column block along the fast dim
}

// wgmmaDescriptor builds v's descriptor base. kDim is the operand's K
// dim (1 for A [M, K], 0 for B [K, N]).
func (lw *lowering) wgmmaDescriptor(v *ir.Value, kDim int) (descriptor, error) {
	if err := ir.WGMMAShared(v.Type); err != nil {
		return descriptor{}, err
	}
	s, shape := v.Type.Shared, v.Type.Shape.Ints()
	span := s.SpanBytes(shape)
	d := descriptor{kMajor: s.Fast == kDim, span: span, rows: shape[1-s.Fast], blockEls: span / 2}
	// LBO: between column blocks along the fast dim (MN-major operands
	// wider than a block); K-major operands never step across one within
	// a k-step (16 elements of a swizzled row), the field is unused.
	lbo := uint64(d.rows * span)
	if d.kMajor {
		lbo = 16
	}
	sbo := uint64(8 * span) // between groups of 8 rows
	fields := (lbo>>4)<<16 | (sbo>>4)<<32 | wgmmaSwizzleMode[span]<<62
	addr := lw.cur.NewZExt(lw.cur.NewLShr(lw.buf(v), i32(4)), types.I64)
	d.base = lw.cur.NewOr(addr, i64(int64(fields)))
	return d, nil
}

// at is the descriptor of the operand's sub-tile starting at (mn0, k0)
// (elements along its M or N dim and along K); extra is a per-thread
// byte offset (the warpgroup's rows) or nil.
func (lw *lowering) descAt(d descriptor, mn0, k0 int, extra value.Value) value.Value {
	fast, slow := k0, mn0
	if !d.kMajor {
		fast, slow = mn0, k0
	}
	off := (fast/d.blockEls)*d.rows*d.span + slow*d.span + (fast%d.blockEls)*2
	var x value.Value = d.base
	if extra != nil {
		x = lw.cur.NewAdd(x, lw.cur.NewZExt(lw.cur.NewLShr(extra, i32(4)), types.I64))
	}
	if off != 0 {
		x = lw.cur.NewAdd(x, i64(int64(off>>4)))
	}
	return x
}

// wgmma lowers a dot whose operands qualify (ir.GPUInfo.UsesWGMMA).
func (lw *lowering) wgmma(op *ir.Op) ([]value.Value, error) {
	at, bt := op.Args[0].Type, op.Args[1].Type
	m, k, n := at.Shape.Dims[0].N, at.Shape.Dims[1].N, bt.Shape.Dims[1].N
	nw := lw.f.NumWarps
	mSub, kSteps := m/(16*nw), k/16
	C := lw.tile(op.Args[2])
	if len(C) != mSub*n/2 {
		return nil, fmt.Errorf("wgmma: accumulator has %d registers, want %d", len(C), mSub*n/2)
	}
	B, err := lw.wgmmaDescriptor(op.Args[1], 0)
	if err != nil {
		return nil, fmt.Errorf("operand B: %w", err)
	}
	// A: a descriptor, or registers paired into 32-bit words.
	var A descriptor
	var aWords []value.Value
	var rowsOfGroup value.Value // byte offset of the warpgroup's rows in A
	if at.IsShared() {
		if A, err = lw.wgmmaDescriptor(op.Args[0], 1); err != nil {
			return nil, fmt.Errorf("operand A: %w", err)
		}
		lw.inEntry(func() {
			g := lw.cur.NewLShr(lw.warp, i32(2))
			if A.kMajor { // 64 rows of span bytes
				rowsOfGroup = lw.mulConst(g, 64*A.span)
			} else { // 64 columns: 64/blockEls blocks
				rowsOfGroup = lw.mulConst(g, 64/A.blockEls*A.rows*A.span)
			}
		})
	} else {
		regs := lw.tile(op.Args[0])
		aWords = make([]value.Value, len(regs)/2)
		for q := range aWords {
			aWords[q] = lw.word(regs[2*q], regs[2*q+1], at.Elem)
		}
	}
	elem := "f16"
	if at.Elem == ir.BF16 {
		elem = "bf16"
	}
	tB := 0
	if !B.kMajor {
		tB = 1
	}
	outs := len(C)
	var text strings.Builder
	var cons []string
	var args []value.Value
	var params []types.Type
	for range C {
		cons = append(cons, "=f")
	}
	// A zero accumulator (attention's scores) is not read: the first
	// k-step's scale-d of 0 computes D = A·B.
	zero := isZeroConstant(op.Args[2])
	if !zero {
		for i := range C {
			cons = append(cons, fmt.Sprint(i))
			args = append(args, C[i])
			params = append(params, types.Float)
		}
	}
	arg := func(v value.Value, c string, t types.Type) string {
		cons = append(cons, c)
		args = append(args, v)
		params = append(params, t)
		return fmt.Sprintf("$%d", outs+len(args)-1)
	}
	text.WriteString("wgmma.fence.sync.aligned;\n")
	for i := 0; i < mSub; i++ {
		d := make([]string, n/2)
		for r := range d {
			d[r] = fmt.Sprintf("$%d", i*n/2+r)
		}
		for kk := 0; kk < kSteps; kk++ {
			scaleD := 1
			if zero && kk == 0 {
				scaleD = 0
			}
			fmt.Fprintf(&text, "wgmma.mma_async.sync.aligned.m64n%dk16.f32.%s.%s {%s}, ", n, elem, elem, strings.Join(d, ", "))
			descB := arg(lw.descAt(B, 0, 16*kk, nil), "l", types.I64)
			if at.IsShared() {
				tA := 0
				if !A.kMajor {
					tA = 1
				}
				descA := arg(lw.descAt(A, 16*nw*i, 16*kk, rowsOfGroup), "l", types.I64)
				fmt.Fprintf(&text, "%s, %s, %d, 1, 1, %d, %d;\n", descA, descB, scaleD, tA, tB)
				continue
			}
			a0 := 4 * (kk + kSteps*i)
			var a [4]string
			for q := range a {
				a[q] = arg(aWords[a0+q], "r", types.I32)
			}
			fmt.Fprintf(&text, "{%s}, %s, %d, 1, 1, %d;\n", strings.Join(a[:], ", "), descB, scaleD, tB)
		}
	}
	text.WriteString("wgmma.commit_group.sync.aligned;")
	if !op.HasAttr("async") { // else a dot_wait retires it
		text.WriteString("\nwgmma.wait_group.sync.aligned 0;")
	}
	fields := make([]types.Type, outs)
	for i := range fields {
		fields[i] = types.Float
	}
	call := lw.cur.NewCall(asm(types.NewStruct(fields...), text.String(), strings.Join(append(cons, "~{memory}"), ","), true, params...), args...)
	out := make([]value.Value, outs)
	for i := range out {
		out[i] = lw.cur.NewExtractValue(call, uint64(i))
	}
	return out, nil
}

// isZeroConstant reports whether v is a constant tile of zeros.
func isZeroConstant(v *ir.Value) bool {
	op := v.Def
	return op != nil && op.Code == ir.OpConstant && op.NumAttr("value").F == 0 && op.NumAttr("value").I == 0
}

// word packs two 16-bit values (registers of an f16 or bf16 tile) into
// one 32-bit register, the lower column in the low half.
func (lw *lowering) word(lo, hi value.Value, d ir.DType) value.Value {
	if p, ok := lw.fusedPair(lo, hi, d); ok {
		return lw.asI32(p)
	}
	l := lw.cur.NewZExt(lw.bits16(lo), types.I32)
	h := lw.cur.NewShl(lw.cur.NewZExt(lw.bits16(hi), types.I32), i32(16))
	return lw.cur.NewOr(l, h)
}

// bits16 is a 16-bit register as i16 (f16 registers are half, bf16 i16).
func (lw *lowering) bits16(v value.Value) value.Value {
	if types.Equal(v.Type(), types.I16) {
		return v
	}
	return lw.cur.NewBitCast(v, types.I16)
}

// asI32 reinterprets a 32-bit value (i32 or <2 x half>) as i32.
func (lw *lowering) asI32(v value.Value) value.Value {
	if types.Equal(v.Type(), types.I32) {
		return v
	}
	return lw.cur.NewBitCast(v, types.I32)
}

// lowerDotWait waits for all but the newest pending wgmma groups; its
// results are its operands' registers, which the wait made readable (the
// asm has side effects and comes first, so every read is after it).
func lowerDotWait(lw *lowering, op *ir.Op) error {
	lw.cur.NewCall(asm(types.Void, fmt.Sprintf("wgmma.wait_group.sync.aligned %d;", op.Int("pending")), "~{memory}", true))
	for i, a := range op.Args {
		lw.set(op.Results[i], lw.tile(a)...)
	}
	return nil
}
