package emu

import (
	"fmt"

	"github.com/tilec/tilec/internal/fp"
)

// opDef is one row of the instruction table: a PTX base mnemonic, the
// counter class it defaults to, how it affects scheduling, and its decode
// function. Decode functions read the modifiers and operands, reject what
// they do not support, and choose a handler specialized to the type and
// modifiers, so nothing is looked up while a kernel runs.
type opDef struct {
	name   string
	class  Class
	ctl    ctlKind
	decode func(x *ictx)
	doc    string
}

// opDefs is the instruction set. Arithmetic rows default to ClassInt and
// are reclassified by type (float, half) in their decode function.
var opDefs = []opDef{
	// Integer and bit arithmetic (float forms share the row, see arith).
	{"add", ClassInt, ctlPlain, decodeAddSub, "add.{s,u}{16,32,64}[.sat]; add[.rnd][.ftz][.sat].{f32,f64,f16,f16x2,bf16,bf16x2}"},
	{"sub", ClassInt, ctlPlain, decodeAddSub, "like add"},
	{"mul", ClassInt, ctlPlain, decodeMul, "mul.{lo,hi,wide}.{s,u}{16,32,64}; mul[.rnd][.ftz][.sat].{float types}"},
	{"mad", ClassInt, ctlPlain, decodeMad, "mad.{lo,hi,wide}[.sat].{s,u}{16,32,64}; mad.rnd[.ftz][.sat].{f32,f64}"},
	{"div", ClassInt, ctlPlain, decodeDiv, "div.{s,u}{16,32,64}; div.{approx,full,rnd}[.ftz].f32; div.rnd.f64"},
	{"rem", ClassInt, ctlPlain, decodeRem, "rem.{s,u}{16,32,64}"},
	{"abs", ClassInt, ctlPlain, decodeAbsNeg, "abs.{s16,s32,s64}; abs[.ftz].{f32,f64,f16,f16x2,bf16,bf16x2}"},
	{"neg", ClassInt, ctlPlain, decodeAbsNeg, "like abs"},
	{"min", ClassInt, ctlPlain, decodeMinMax, "min.{s,u}{16,32,64}; min[.ftz][.NaN].{f32,f64,f16,f16x2,bf16,bf16x2}"},
	{"max", ClassInt, ctlPlain, decodeMinMax, "like min"},
	{"popc", ClassInt, ctlPlain, decodeBitCount, "popc.{b32,b64} (u32 result)"},
	{"clz", ClassInt, ctlPlain, decodeBitCount, "clz.{b32,b64} (u32 result)"},
	{"brev", ClassInt, ctlPlain, decodeBitCount, "brev.{b32,b64}"},
	{"bfind", ClassInt, ctlPlain, decodeBitCount, "bfind[.shiftamt].{u32,s32,u64,s64}"},
	{"bfe", ClassInt, ctlPlain, decodeBfe, "bfe.{u32,s32,u64,s64} d, a, pos, len"},
	{"bfi", ClassInt, ctlPlain, decodeBfi, "bfi.{b32,b64} d, f, b, pos, len"},
	{"prmt", ClassInt, ctlPlain, decodePrmt, "prmt.b32[.f4e,.b4e,.rc8,.ecl,.ecr,.rc16] d, a, b, c"},
	{"shf", ClassInt, ctlPlain, decodeShf, "shf.{l,r}.{wrap,clamp}.b32"},
	{"shl", ClassInt, ctlPlain, decodeShift, "shl.{b16,b32,b64}"},
	{"shr", ClassInt, ctlPlain, decodeShift, "shr.{b,u,s}{16,32,64}"},
	{"and", ClassInt, ctlPlain, decodeLogic, "and.{pred,b16,b32,b64}"},
	{"or", ClassInt, ctlPlain, decodeLogic, "or.{pred,b16,b32,b64}"},
	{"xor", ClassInt, ctlPlain, decodeLogic, "xor.{pred,b16,b32,b64}"},
	{"not", ClassInt, ctlPlain, decodeLogic, "not.{pred,b16,b32,b64}"},
	{"cnot", ClassInt, ctlPlain, decodeLogic, "cnot.{b16,b32,b64}"},
	{"lop3", ClassInt, ctlPlain, decodeLop3, "lop3.b32 d, a, b, c, immLut"},
	{"mov", ClassInt, ctlPlain, decodeMov, "mov.type d, a: registers, immediates, special registers, symbol addresses, vector pack/unpack"},
	{"selp", ClassInt, ctlPlain, decodeSelp, "selp.type d, a, b, p"},
	{"setp", ClassInt, ctlPlain, decodeSetp, "setp.cmp[.bool][.ftz].type p[|q], a, b[, [!]c]"},
	// Floating point only.
	{"fma", ClassFloat, ctlPlain, decodeFma, "fma.rnd[.ftz][.sat].{f32,f64,f16,f16x2,bf16,bf16x2}"},
	{"rcp", ClassFloat, ctlPlain, decodeUnaryFloat, "rcp.{approx,rnd}[.ftz].f32; rcp.rnd.f64; rcp.approx.ftz.f64"},
	{"sqrt", ClassFloat, ctlPlain, decodeUnaryFloat, "sqrt.{approx,rnd}[.ftz].f32; sqrt.rnd.f64"},
	{"rsqrt", ClassSFU, ctlPlain, decodeUnaryFloat, "rsqrt.approx[.ftz].{f32,f64}"},
	{"ex2", ClassSFU, ctlPlain, decodeUnaryFloat, "ex2.approx[.ftz].f32; ex2.approx.{f16,f16x2,bf16,bf16x2}"},
	{"lg2", ClassSFU, ctlPlain, decodeUnaryFloat, "lg2.approx[.ftz].f32"},
	{"sin", ClassSFU, ctlPlain, decodeUnaryFloat, "sin.approx[.ftz].f32"},
	{"cos", ClassSFU, ctlPlain, decodeUnaryFloat, "cos.approx[.ftz].f32"},
	{"tanh", ClassSFU, ctlPlain, decodeUnaryFloat, "tanh.approx.f32"},
	{"testp", ClassFloat, ctlPlain, decodeTestp, "testp.{finite,infinite,number,notanumber,normal,subnormal}.{f32,f64}"},
	{"copysign", ClassFloat, ctlPlain, decodeCopysign, "copysign.{f32,f64} d, a, b (sign of a, magnitude of b)"},
	// Conversions and addresses.
	{"cvt", ClassConvert, ctlPlain, decodeCvt, "cvt[.rnd][.ftz][.sat][.relu].dtype.atype, incl. f16x2/bf16x2 packing"},
	{"cvta", ClassConvert, ctlPlain, decodeCvta, "cvta[.to].{global,shared,local,const,param}.{u32,u64} (param: the generic window of kernel parameters, read-only)"},
	{"isspacep", ClassConvert, ctlPlain, decodeIsspacep, "isspacep.{global,shared,local,const} p, a"},
	// Memory.
	{"ld", ClassGlobal, ctlPlain, decodeLd, "ld[.volatile|.relaxed.scope|.acquire.scope][.space][.cop][.vN].type"},
	{"ldu", ClassGlobal, ctlPlain, decodeLd, "ldu.global[.vN].type"},
	{"st", ClassGlobal, ctlPlain, decodeSt, "st[.volatile|.relaxed.scope|.release.scope][.space][.cop][.vN].type"},
	{"atom", ClassGlobal, ctlPlain, decodeAtom, "atom[.sem][.scope][.space].op.type d, [a], b[, c]"},
	{"red", ClassGlobal, ctlPlain, decodeAtom, "red[.sem][.scope][.space].op.type [a], b"},
	{"prefetch", ClassGlobal, ctlPlain, decodePrefetch, "prefetch[.space].{L1,L2} [a] (no effect)"},
	{"prefetchu", ClassGlobal, ctlPlain, decodePrefetch, "prefetchu.L1 [a] (no effect)"},
	{"cp", ClassGlobal, ctlPlain, decodeCpAll, "cp.async.{ca,cg}.shared.global [d], [s], size[, srcsize]; cp.async.commit_group; cp.async.wait_group n; cp.async.wait_all; " +
		"cp.async.bulk.tensor.{1..5}d.shared::cluster.global[.tile].mbarrier::complete_tx::bytes [d], [tmap, {c...}], [mbar]; " +
		"cp.async.bulk.tensor.{1..5}d.global.shared::cta[.tile].bulk_group [tmap, {c...}], [s]; cp.async.bulk.commit_group; cp.async.bulk.wait_group[.read] n"},
	{"ldmatrix", ClassShared, ctlAligned, decodeLdmatrix, "ldmatrix.sync.aligned.m8n8.{x1,x2,x4}[.trans].shared.b16"},
	{"mma", ClassMMA, ctlAligned, decodeMma, "mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}.{f16,bf16}.f32"},
	{"wgmma", ClassMMA, ctlAligned, decodeWgmma, "wgmma.mma_async.sync.aligned.m64nNk16.f32.{f16,bf16}.{f16,bf16} {d...}, adesc|{a0,a1,a2,a3}, bdesc, scaleD, ±1, ±1[, transA], transB (N = 8..256 by 8); " +
		"wgmma.fence.sync.aligned; wgmma.commit_group.sync.aligned; wgmma.wait_group.sync.aligned n"},
	// Control.
	{"bra", ClassControl, ctlBranch, decodeBra, "bra[.uni] label"},
	{"call", ClassControl, ctlCall, decodeCall, "call[.uni] [(ret),] func[, (params)]"},
	{"ret", ClassControl, ctlRet, decodeRet, "ret[.uni]"},
	{"exit", ClassControl, ctlExit, decodeExit, "exit"},
	{"trap", ClassControl, ctlTrap, decodeExit, "trap (reported as a finding; the CTA stops)"},
	{"nanosleep", ClassControl, ctlPlain, decodeNanosleep, "nanosleep.u32 t (no effect)"},
	// Synchronization and warp collectives.
	{"bar", ClassSync, ctlBarrier, decodeBar, "bar.sync/bar.arrive id[, n]; bar.warp.sync mask"},
	{"barrier", ClassSync, ctlBarrier, decodeBar, "barrier.sync[.aligned]/barrier.arrive id[, n]"},
	{"membar", ClassSync, ctlPlain, decodeFence, "membar.{cta,gl,sys} (no effect: one memory image)"},
	{"fence", ClassSync, ctlPlain, decodeFence, "fence.{sc,acq_rel}.{cta,gpu,sys} (no effect); fence.proxy.async[.shared::cta|.global] (orders generic shared writes before async-proxy reads); fence.mbarrier_init.release.cluster (no effect)"},
	{"mbarrier", ClassSync, ctlPlain, decodeMbarrier, "mbarrier.{init,inval,arrive[.expect_tx],expect_tx,try_wait[.parity],test_wait[.parity]}[.sem.cta][.shared[::cta]].b64 (a 64-bit object in shared memory)"},
	{"elect", ClassSync, ctlWarp, decodeElect, "elect.sync d|p, membermask (d may be _): the lowest lane of the mask is the leader"},
	{"shfl", ClassSync, ctlWarp, decodeShfl, "shfl.sync.{up,down,bfly,idx}.b32 d[|p], a, b, c, mask"},
	{"vote", ClassSync, ctlWarp, decodeVote, "vote.sync.{all,any,uni}.pred d, [!]p, mask; vote.sync.ballot.b32 d, [!]p, mask"},
	{"activemask", ClassSync, ctlPlain, decodeActivemask, "activemask.b32 d"},
	{"redux", ClassSync, ctlWarp, decodeRedux, "redux.sync.{add,min,max}.{u32,s32}; redux.sync.{and,or,xor}.b32 d, a, mask"},
}

// opTable indexes opDefs by mnemonic.
var opTable = func() map[string]*opDef {
	m := make(map[string]*opDef, len(opDefs))
	for i := range opDefs {
		if m[opDefs[i].name] != nil {
			panic("emu: duplicate opDefs row " + opDefs[i].name)
		}
		m[opDefs[i].name] = &opDefs[i]
	}
	return m
}()

// ictx is the state of decoding one instruction.
type ictx struct {
	d     *decoder
	a     *astInst
	base  string
	types []ptype  // type suffixes in order
	words []string // other modifiers; decode functions consume them
	in    inst
	err   error
	label string // branch target to resolve after the function is read
}

func (x *ictx) fail(format string, args ...any) {
	if x.err == nil {
		x.err = x.d.errf(x.a.line, x.a.text, "%s: %s", x.base, fmt.Sprintf(format, args...))
	}
}

// flag consumes modifier w and reports whether it was present.
func (x *ictx) flag(w string) bool {
	for i, v := range x.words {
		if v == w {
			x.words[i] = ""
			return true
		}
	}
	return false
}

// pick consumes the first present modifier among ws, or returns "".
func (x *ictx) pick(ws ...string) string {
	for _, w := range ws {
		if x.flag(w) {
			return w
		}
	}
	return ""
}

// drop consumes every modifier for which ignore is true (cache hints,
// memory-order qualifiers that a single memory image makes moot).
func (x *ictx) drop(ignore func(string) bool) {
	for i, w := range x.words {
		if w != "" && ignore(w) {
			x.words[i] = ""
		}
	}
}

// rounding consumes a rounding modifier (.rn .rz .rm .rp).
func (x *ictx) rounding() (fp.Mode, bool) {
	switch x.pick("rn", "rz", "rm", "rp") {
	case "rn":
		return fp.NearestEven, true
	case "rz":
		return fp.TowardZero, true
	case "rm":
		return fp.Down, true
	case "rp":
		return fp.Up, true
	}
	return fp.NearestEven, false
}

// typ requires exactly one type suffix.
func (x *ictx) typ() ptype {
	if len(x.types) != 1 {
		x.fail("expected one type suffix, got %d", len(x.types))
		return tB32
	}
	return x.types[0]
}

func (x *ictx) nargs(ns ...int) int {
	for _, n := range ns {
		if len(x.a.args) == n {
			return n
		}
	}
	x.fail("wrong number of operands (%d)", len(x.a.args))
	return -1
}

func (x *ictx) arg(i int) operand {
	if i >= len(x.a.args) {
		x.fail("missing operand %d", i+1)
		return operand{kind: oSink}
	}
	return x.a.args[i]
}

// reg resolves a register name.
func (x *ictx) reg(o operand) *symbol {
	if o.kind != oName {
		x.fail("operand must be a register")
		return nil
	}
	s := x.d.lookup(o.name)
	if s == nil || s.kind != symReg {
		x.fail("%s is not a declared register", o.name)
		return nil
	}
	return s
}

// dst returns the slot base of a destination register (or the sink).
func (x *ictx) dst(i int) int32 {
	o := x.arg(i)
	if o.kind == oSink {
		return 0
	}
	if o.neg {
		x.fail("a destination cannot be negated")
	}
	if s := x.reg(o); s != nil {
		return s.slot * 32
	}
	return 0
}

// dstWidth is the declared size in bytes of destination register i.
func (x *ictx) dstWidth(i int) int {
	o := x.arg(i)
	if o.kind != oName {
		return 8
	}
	if s := x.d.lookup(o.name); s != nil && s.kind == symReg {
		if s.typ == tPred {
			return 1
		}
		return s.typ.size()
	}
	return 8
}

// src returns the slot base of a source operand read as type t: a
// register, an immediate, a special register, or a symbol's address.
func (x *ictx) src(i int, t ptype) int32 {
	return x.srcOp(x.arg(i), t)
}

func (x *ictx) srcOp(o operand, t ptype) int32 {
	switch o.kind {
	case oImm:
		return x.d.constSlot(litBits(o.lit, t))
	case oName:
		if o.neg {
			x.fail("negated operand %s is not allowed here", o.name)
			return 0
		}
		if sp, ok := specialByName[o.name]; ok {
			return x.d.specialSlot(sp)
		}
		s := x.d.lookup(o.name)
		if s == nil {
			x.fail("undefined name %s", o.name)
			return 0
		}
		switch s.kind {
		case symReg:
			return s.slot * 32
		case symFunc:
			x.fail("function addresses are not supported")
			return 0
		}
		return x.d.addrSlot(s)
	}
	x.fail("bad source operand")
	return 0
}

// predSrc returns a predicate source slot and whether it is negated (!p).
func (x *ictx) predSrc(i int) (int32, bool) {
	o := x.arg(i)
	if o.kind == oImm {
		return x.d.constSlot(boolU(o.lit.i != 0)), false
	}
	s := x.reg(o)
	if s == nil {
		return 0, false
	}
	if s.typ != tPred {
		x.fail("%s is not a predicate", o.name)
	}
	return s.slot * 32, o.neg
}

// vec returns the slots of a vector operand {a, b, ...} of n elements; a
// destination may use "_" to discard an element.
func (x *ictx) vec(i, n int, t ptype, dst bool) []int32 {
	o := x.arg(i)
	if o.kind != oVec || len(o.elems) != n {
		x.fail("operand %d must be a vector of %d elements", i+1, n)
		return make([]int32, n)
	}
	out := make([]int32, n)
	for k, e := range o.elems {
		switch {
		case dst && e.kind == oSink:
			out[k] = 0
		case dst:
			if s := x.reg(e); s != nil {
				out[k] = s.slot * 32
			}
		default:
			out[k] = x.srcOp(e, t)
		}
	}
	return out
}

// addr resolves an address operand [reg+off], [sym+off] or [imm] to a
// base slot and offset; sym is the symbol for [sym+off] forms.
func (x *ictx) addr(i int) (int32, int64, *symbol) {
	o := x.arg(i)
	if o.kind != oAddr {
		x.fail("operand %d must be an address [..]", i+1)
		return 0, 0, nil
	}
	if o.elems != nil {
		x.fail("operand %d: tensor coordinates are only allowed in cp.async.bulk.tensor", i+1)
		return 0, 0, nil
	}
	if o.name == "" {
		return x.d.constSlot(0), o.off, nil
	}
	s := x.d.lookup(o.name)
	if s == nil {
		x.fail("undefined name %s", o.name)
		return 0, 0, nil
	}
	if s.kind == symReg {
		return s.slot * 32, o.off, nil
	}
	if s.kind == symFunc {
		x.fail("cannot address function %s", o.name)
		return 0, 0, nil
	}
	return x.d.addrSlot(s), o.off, s
}

// classFor reclassifies arithmetic by type: f16/bf16 forms are "half",
// f32/f64 forms "float".
func classFor(t ptype) Class {
	switch t {
	case tF16, tF16x2, tBF16, tBF16x2:
		return ClassHalf
	case tF32, tF64, tTF32:
		return ClassFloat
	}
	return ClassInt
}
