package codegen

import (
	"strings"
	"testing"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/stretchr/testify/assert"
)

func TestSimplifyFoldsConstantsIdentitiesAndRepeats(t *testing.T) {
	m := llir.NewModule()
	f := m.NewFunc("k", types.Void, llir.NewParam("p", types.NewPointer(types.I32)), llir.NewParam("a", types.I32))
	p, a := f.Params[0], f.Params[1]
	b := f.NewBlock("entry")
	c := func(v int64) *constant.Int { return constant.NewInt(types.I32, v) }
	k := b.NewAdd(b.NewShl(c(3), c(2)), c(-20))           // 3<<2 − 20 = −8
	x := b.NewOr(b.NewMul(b.NewAdd(a, c(0)), c(1)), c(0)) // a
	u := b.NewLShr(c(-8), c(28))                          // 0xfffffff8 >> 28 = 15
	sel := b.NewSelect(constant.True, x, k)               // x
	s1 := b.NewXor(sel, a)                                // a ^ a once sel is a
	s2 := b.NewXor(a, a)                                  // the same
	s3 := b.NewXor(a, c(1))                               // another operand: kept
	cmp1 := b.NewICmp(enum.IPredSLT, a, c(4))
	cmp2 := b.NewICmp(enum.IPredSGT, a, c(4)) // another predicate: kept
	cmp3 := b.NewICmp(enum.IPredSLT, a, c(4)) // a repeat of cmp1
	b.NewStore(k, p)
	b.NewStore(u, p)
	b.NewStore(b.NewAdd(s1, s3), p)
	b.NewStore(s2, p)
	b.NewStore(b.NewZExt(b.NewAnd(cmp1, cmp3), types.I32), p)
	b.NewStore(b.NewZExt(cmp2, types.I32), p)
	b.NewRet(nil)

	simplify(m)
	deadCode(m)
	text := f.LLString()
	assert.Contains(t, text, "store i32 -8, i32* %p")
	assert.Contains(t, text, "store i32 15, i32* %p")
	assert.NotContains(t, text, "shl")
	assert.NotContains(t, text, "mul")
	assert.NotContains(t, text, " = or i32")
	assert.NotContains(t, text, "select")
	assert.Equal(t, 2, strings.Count(text, "xor i32"), text)
	assert.Contains(t, text, "xor i32 %a, %a")
	assert.Contains(t, text, "xor i32 %a, 1")
	assert.Equal(t, 2, strings.Count(text, "icmp"), text)
}
