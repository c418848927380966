package codegen

import (
	"testing"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/types"
	"github.com/stretchr/testify/assert"
)

// Peak liveness by hand: p (a pointer, 2 registers) is live to the end;
// a and b until y; x from its definition to z.
func TestLiveRegistersStraightLine(t *testing.T) {
	m := llir.NewModule()
	f := m.NewFunc("k", types.Void, llir.NewParam("p", types.NewPointer(types.I32)), llir.NewParam("a", types.I32), llir.NewParam("b", types.I32))
	p, a, b := f.Params[0], f.Params[1], f.Params[2]
	e := f.NewBlock("entry")
	x := e.NewAdd(a, b)                     // live: p a b x = 5
	y := e.NewMul(a, b)                     // p x y = 4
	c := e.NewICmp(enum.IPredSLT, x, y)     // a predicate: no register
	z := e.NewSelect(c, e.NewAdd(x, y), x)  // p x y s = 5
	w := e.NewSExt(z, types.I64)            // p w = 4
	e.NewStore(e.NewTrunc(w, types.I32), p) // p t = 3
	e.NewRet(nil)
	assert.Equal(t, 5, liveRegisters(m))
}

// A loop: the carried value and everything used after the loop stay live
// through it.
func TestLiveRegistersLoop(t *testing.T) {
	m := llir.NewModule()
	f := m.NewFunc("k", types.Void, llir.NewParam("p", types.NewPointer(types.I32)), llir.NewParam("n", types.I32))
	p, n := f.Params[0], f.Params[1]
	entry, head, body, exit := f.NewBlock("entry"), f.NewBlock("head"), f.NewBlock("body"), f.NewBlock("exit")
	k := entry.NewMul(n, constant.NewInt(types.I32, 3)) // used after the loop
	entry.NewBr(head)
	i := head.NewPhi(llir.NewIncoming(constant.NewInt(types.I32, 0), entry))
	acc := head.NewPhi(llir.NewIncoming(constant.NewInt(types.I32, 0), entry))
	head.NewCondBr(head.NewICmp(enum.IPredSLT, i, n), body, exit)
	t1 := body.NewMul(i, i) // p n k i acc t1 = 7
	next := body.NewAdd(acc, t1)
	i2 := body.NewAdd(i, constant.NewInt(types.I32, 1))
	body.NewBr(head)
	i.Incs = append(i.Incs, llir.NewIncoming(i2, body))
	acc.Incs = append(acc.Incs, llir.NewIncoming(next, body))
	exit.NewStore(exit.NewAdd(acc, k), p)
	exit.NewRet(nil)
	assert.Equal(t, 7, liveRegisters(m))
}
