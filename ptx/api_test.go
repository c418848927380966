package ptx

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/metadata"
	"github.com/llir/llvm/ir/types"
	"github.com/tilec/tilec/ptx/emu"
)

// buildModule builds, with llir's API as codegen does, a kernel that
// counts with cmpxchg in a shared counter (ir.NewCmpXchg types the
// result { i32, i1 }, unlike llir's parser) and writes out[i] = in[i] * 2
// plus the counter's final value from thread 0.
func buildModule() *ir.Module {
	m := ir.NewModule()
	m.TargetTriple, m.DataLayout = Triple, DataLayout
	ctr := &ir.Global{ContentType: types.I32, AddrSpace: 3, Init: constant.NewUndef(types.I32), Linkage: enum.LinkageInternal}
	ctr.SetName("ctr")
	ctr.Type()
	m.Globals = append(m.Globals, ctr)
	tidx := m.NewFunc("llvm.nvvm.read.ptx.sreg.tid.x", types.I32)
	bar := m.NewFunc("llvm.nvvm.barrier0", types.Void)
	gptr := types.NewPointer(types.I32)
	gptr.AddrSpace = 1
	in, out := ir.NewParam("in", gptr), ir.NewParam("out", gptr)
	k := m.NewFunc("built", types.Void, in, out)
	entry, init, ready, retry, done, flush, exit := k.NewBlock("entry"), k.NewBlock("init"), k.NewBlock("ready"),
		k.NewBlock("retry"), k.NewBlock("done"), k.NewBlock("flush"), k.NewBlock("exit")
	tid := entry.NewCall(tidx)
	first := entry.NewICmp(enum.IPredEQ, tid, constant.NewInt(types.I32, 0))
	entry.NewCondBr(first, init, ready)
	init.NewStore(constant.NewInt(types.I32, 0), ctr)
	init.NewBr(ready)
	ready.NewCall(bar)
	p := ready.NewGetElementPtr(types.I32, in, tid)
	v := ready.NewLoad(types.I32, p)
	ready.NewBr(retry)
	cur := retry.NewLoad(types.I32, ctr)
	cur.Volatile = true
	next := retry.NewAdd(cur, constant.NewInt(types.I32, 1))
	cx := retry.NewCmpXchg(ctr, cur, next, enum.AtomicOrderingMonotonic, enum.AtomicOrderingMonotonic)
	ok := retry.NewExtractValue(cx, 1)
	retry.NewCondBr(ok, done, retry)
	q := done.NewGetElementPtr(types.I32, out, tid)
	done.NewStore(done.NewMul(v, constant.NewInt(types.I32, 2)), q)
	done.NewCall(bar)
	done.NewCondBr(first, flush, exit)
	last := flush.NewGetElementPtr(types.I32, out, constant.NewInt(types.I32, 64))
	flush.NewStore(flush.NewLoad(types.I32, ctr), last)
	flush.NewBr(exit)
	exit.NewRet(nil)
	ann := &metadata.Tuple{MetadataID: -1, Fields: []metadata.Field{k, &metadata.String{Value: "kernel"}, constant.NewInt(types.I32, 1)}}
	m.MetadataDefs = append(m.MetadataDefs, ann)
	m.NamedMetadataDefs["nvvm.annotations"] = &metadata.NamedDef{Name: "nvvm.annotations", Nodes: []metadata.Node{ann}}
	return m
}

func TestCompileBuiltModule(t *testing.T) {
	m := buildModule()
	if HaveOpt() {
		if err := Verify(m.String()); err != nil {
			t.Fatalf("the built module is invalid: %v\n%s", err, m)
		}
	}
	src, err := Compile(m, Target{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(src, "atom.shared.cas.b32") {
		t.Errorf("no atom.shared.cas.b32 in:\n%s", src)
	}
	mod, err := emu.Parse("built.ptx", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	r := &run{t: t, backend: "tilec", ptx: src, mod: mod, dev: emu.NewDevice(emu.Options{}), rng: rand.New(rand.NewSource(3))}
	in := r.randU32(64)
	din, dout := r.alloc(u32Bytes(in)), r.poison(4*65)
	r.launch("built", [3]uint32{1}, [3]uint32{64}, 0, din, dout)
	got := bytesU32(r.read(dout, 4*65))
	for i, v := range in {
		if got[i] != 2*v {
			t.Errorf("out[%d] = %d, want %d", i, got[i], 2*v)
		}
	}
	if got[64] != 64 {
		t.Errorf("counter = %d, want 64", got[64])
	}
	// Compiling does not change the module: a second run gives the same text.
	if again, _ := Compile(m, Target{}); again != src {
		t.Error("a second Compile of the same module differs")
	}
}
