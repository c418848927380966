package codegen

import (
	"strings"
	"testing"

	llir "github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/types"
	"github.com/stretchr/testify/assert"
)

func TestDeadCodeKeepsEffectsAndUsedValues(t *testing.T) {
	m := llir.NewModule()
	sink := m.NewFunc("sink", types.Void, llir.NewParam("x", types.I32))
	f := m.NewFunc("k", types.Void, llir.NewParam("p", types.NewPointer(types.I32)), llir.NewParam("a", types.I32))
	b := f.NewBlock("entry")
	dead := b.NewAdd(f.Params[1], constant.NewInt(types.I32, 1)) // unused
	deadToo := b.NewMul(dead, dead)                              // unused, and the only use of dead
	_ = deadToo
	used := b.NewShl(f.Params[1], constant.NewInt(types.I32, 2))
	b.NewStore(used, f.Params[0])
	unusedLoad := b.NewLoad(types.I32, f.Params[0]) // memory access: kept
	_ = unusedLoad
	b.NewCall(sink, constant.NewInt(types.I32, 7)) // a call: kept
	b.NewRet(nil)

	deadCode(m)
	text := f.LLString()
	assert.NotContains(t, text, "add i32")
	assert.NotContains(t, text, "mul i32")
	for _, want := range []string{"shl i32", "store i32", "load i32", "call void @sink"} {
		assert.Contains(t, text, want)
	}
	assert.Equal(t, 5, strings.Count(text, "\n\t"), text) // shl, store, load, call, ret
}
