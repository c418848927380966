package codegen

import (
	"fmt"
	"strings"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"

	"github.com/tilec/tilec/ir"
)

// Vector accesses: an access's vec attribute (set by the vectorize pass)
// says how many consecutive registers move with one instruction (up to 16
// bytes: ld.global.v4.b32).

// wordsOf describes how n elements of esize bytes move: as words of
// wordBits, count of them.
func wordsOf(n, esize int) (wordBits, count int) {
	switch {
	case esize == 8:
		return 64, n
	case n*esize >= 4:
		return 32, n * esize / 4
	}
	return n * esize * 8, 1
}

// intType returns LLVM's own integer types, so that types compare with ==.
func intType(bits int) *types.IntType {
	switch bits {
	case 1:
		return types.I1
	case 8:
		return types.I8
	case 16:
		return types.I16
	case 32:
		return types.I32
	case 64:
		return types.I64
	}
	return types.NewInt(uint64(bits))
}

// elemBits is an element register as an integer of its memory width.
func (lw *lowering) elemBits(v value.Value, d ir.DType) value.Value {
	switch d {
	case ir.I1:
		return lw.cur.NewZExt(v, types.I8)
	case ir.F16:
		return lw.cur.NewBitCast(v, types.I16)
	case ir.F32:
		return lw.cur.NewBitCast(v, types.I32)
	case ir.F64:
		return lw.cur.NewBitCast(v, types.I64)
	}
	return v
}

func (lw *lowering) bitsElem(v value.Value, d ir.DType) value.Value {
	switch d {
	case ir.I1:
		return lw.cur.NewICmp(enum.IPredNE, v, constant.NewInt(types.I8, 0))
	case ir.F16, ir.F32, ir.F64:
		return lw.cur.NewBitCast(v, regType(d))
	}
	return v
}

func (lw *lowering) pack(elems []value.Value, d ir.DType) []value.Value {
	esize := d.Size()
	wb, count := wordsOf(len(elems), esize)
	wt := intType(wb)
	per := len(elems) / count
	words := make([]value.Value, count)
	for w := range words {
		if per == 2 && esize == 2 && (d == ir.F16 || d == ir.BF16) {
			if p, ok := lw.fusedPair(elems[2*w], elems[2*w+1], d); ok {
				words[w] = lw.cur.NewBitCast(p, types.I32)
				continue
			}
		}
		var acc value.Value
		for j := 0; j < per; j++ {
			e := lw.elemBits(elems[w*per+j], d)
			if esize*8 < wb {
				e = lw.cur.NewZExt(e, wt)
			}
			if j > 0 {
				e = lw.cur.NewShl(e, constant.NewInt(wt, int64(j*esize*8)))
				acc = lw.cur.NewOr(acc, e)
			} else {
				acc = e
			}
		}
		words[w] = acc
	}
	return words
}

func (lw *lowering) unpack(words []value.Value, d ir.DType, n int) []value.Value {
	esize := d.Size()
	per := n / len(words)
	out := make([]value.Value, 0, n)
	for _, w := range words {
		wt := w.Type().(*types.IntType)
		for j := 0; j < per; j++ {
			e := w
			if j > 0 {
				e = lw.cur.NewLShr(e, constant.NewInt(wt, int64(j*esize*8)))
			}
			if int(wt.BitSize) > esize*8 {
				e = lw.cur.NewTrunc(e, intType(esize*8))
			}
			out = append(out, lw.bitsElem(e, d))
		}
	}
	return out
}

// vecSuffix is the PTX type of an access: v4.b32, v2.b64, b16, ...
func vecSuffix(wb, count int) (string, string) {
	c := map[int]string{16: "h", 32: "r", 64: "l"}[wb]
	if count == 1 {
		return fmt.Sprintf("b%d", wb), c
	}
	return fmt.Sprintf("v%d.b%d", count, wb), c
}

// vecLoad loads n consecutive elements at p where pred holds (nil: always),
// else other.
func (lw *lowering) vecLoad(p value.Value, pred value.Value, other []value.Value, d ir.DType, n int) []value.Value {
	wb, count := wordsOf(n, d.Size())
	wt := intType(wb)
	suffix, c := vecSuffix(wb, count)
	outs := make([]string, count)
	for i := range outs {
		outs[i] = fmt.Sprintf("$%d", i)
	}
	cons := strings.Repeat("="+c+",", count) + "l"
	params := []types.Type{types.I64}
	args := []value.Value{lw.addr(p)}
	var text string
	if pred == nil || isConstTrue(pred) {
		text = fmt.Sprintf("ld.global.%s {%s}, [$%d];", suffix, strings.Join(outs, ", "), count)
	} else {
		var sb strings.Builder
		for i := range outs {
			fmt.Fprintf(&sb, "mov.b%d $%d, $%d;\n\t", wb, i, count+2+i)
		}
		fmt.Fprintf(&sb, "@$%d ld.global.%s {%s}, [$%d];", count+1, suffix, strings.Join(outs, ", "), count)
		text = sb.String()
		cons += ",b" + strings.Repeat(","+c, count)
		params = append(params, types.I1)
		args = append(args, pred)
		for _, w := range lw.pack(other, d) {
			params = append(params, wt)
			args = append(args, w)
		}
	}
	if count == 1 {
		text = strings.ReplaceAll(strings.ReplaceAll(text, "{$0}", "$0"), "{", "{")
		call := lw.cur.NewCall(asm(wt, text, cons, true, params...), args...)
		return lw.unpack([]value.Value{call}, d, n)
	}
	fields := make([]types.Type, count)
	for i := range fields {
		fields[i] = wt
	}
	call := lw.cur.NewCall(asm(types.NewStruct(fields...), text, cons, true, params...), args...)
	words := make([]value.Value, count)
	for i := range words {
		words[i] = lw.cur.NewExtractValue(call, uint64(i))
	}
	return lw.unpack(words, d, n)
}

// vecStore stores consecutive elements at p where pred holds.
func (lw *lowering) vecStore(p value.Value, vals []value.Value, pred value.Value, d ir.DType) {
	wb, count := wordsOf(len(vals), d.Size())
	wt := intType(wb)
	suffix, c := vecSuffix(wb, count)
	ins := make([]string, count)
	for i := range ins {
		ins[i] = fmt.Sprintf("$%d", i+1)
	}
	list := strings.Join(ins, ", ")
	if count > 1 {
		list = "{" + list + "}"
	}
	params := []types.Type{types.I64}
	args := []value.Value{lw.addr(p)}
	for _, w := range lw.pack(vals, d) {
		params = append(params, wt)
		args = append(args, w)
	}
	cons := "l" + strings.Repeat(","+c, count)
	text := fmt.Sprintf("st.global.%s [$0], %s;", suffix, list)
	if pred != nil && !isConstTrue(pred) {
		text = fmt.Sprintf("@$%d ", count+1) + text
		cons += ",b"
		params = append(params, types.I1)
		args = append(args, pred)
	}
	lw.cur.NewCall(asm(types.Void, text, cons+",~{memory}", true, params...), args...)
}

// Pairs of 16-bit elements. mma takes its operands, and 32-bit memory
// accesses take their data, as pairs of 16-bit elements in one register.
// Two peepholes keep pairs from being taken apart and rebuilt:
// elements that unpack split from one 32-bit word (an ldmatrix result, a
// vector load) go back as that word, and two f32 values rounded to f16 or
// bf16 are rounded together with one cvt.rn.{f16x2,bf16x2}.f32.

// halfOf recognizes an element that unpack took from a 32-bit word w:
// trunc(w) is half 0, trunc(lshr(w, 16)) half 1 (behind a bitcast for f16).
func halfOf(v value.Value) (w value.Value, half int, ok bool) {
	if bc, isBC := v.(*llir.InstBitCast); isBC {
		v = bc.From
	}
	tr, isTr := v.(*llir.InstTrunc)
	if !isTr {
		return nil, 0, false
	}
	if it, isInt := tr.To.(*types.IntType); !isInt || it.BitSize != 16 {
		return nil, 0, false
	}
	x := tr.From
	if sh, isShift := x.(*llir.InstLShr); isShift {
		c, isConst := sh.Y.(*constant.Int)
		if !isConst || c.X.Int64() != 16 {
			return nil, 0, false
		}
		x, half = sh.X, 1
	}
	if it, isInt := x.Type().(*types.IntType); !isInt || it.BitSize != 32 {
		return nil, 0, false
	}
	return x, half, true
}

// roundedFrom recognizes an f32 rounded to d: fptrunc to half for f16, the
// f2bf16.rn intrinsic for bf16.
func roundedFrom(v value.Value, d ir.DType) (value.Value, bool) {
	switch d {
	case ir.F16:
		if t, ok := v.(*llir.InstFPTrunc); ok && t.From.Type().Equal(types.Float) {
			return t.From, true
		}
	case ir.BF16:
		if c, ok := v.(*llir.InstCall); ok {
			if f, isFunc := c.Callee.(*llir.Func); isFunc && f.Name() == "llvm.nvvm.f2bf16.rn" {
				return c.Args[0], true
			}
		}
	}
	return nil, false
}

// fusedPair is (lo, hi) of f16 or bf16 as one register, <2 x half> for
// f16 and i32 for bf16, when a peephole applies.
func (lw *lowering) fusedPair(lo, hi value.Value, d ir.DType) (value.Value, bool) {
	h2 := types.NewVector(2, types.Half)
	if w0, h0, ok0 := halfOf(lo); ok0 {
		if w1, h1, ok1 := halfOf(hi); ok1 && w0 == w1 && h0 == 0 && h1 == 1 {
			if d == ir.F16 {
				return lw.cur.NewBitCast(w0, h2), true
			}
			return w0, true
		}
	}
	x, okLo := roundedFrom(lo, d)
	y, okHi := roundedFrom(hi, d)
	if !okLo || !okHi {
		return nil, false
	}
	// The first operand goes to the upper half.
	if d == ir.F16 {
		return lw.cur.NewCall(lw.x.get("llvm.nvvm.ff2f16x2.rn", h2, types.Float, types.Float), y, x), true
	}
	return lw.cur.NewCall(lw.x.get("llvm.nvvm.ff2bf16x2.rn", types.I32, types.Float, types.Float), y, x), true
}
