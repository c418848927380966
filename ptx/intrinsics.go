package ptx

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/value"
)

// Intrinsic is one LLVM intrinsic the backend lowers, and how.
//
// PTX is a one-instruction template. In it:
//
//	$d    the result, as one register (a <2 x half> result is a .b32 register, unpacked after)
//	$D    the result's parts as a vector operand {a, b, ...} (struct results)
//	$N    argument N as one register (vectors packed, constants moved into a register)
//	$xN   argument N as a register or an immediate
//	$iN   argument N, which must be a constant, as an immediate
//	$aN   argument N as an address: a register, or symbol+offset
//	$ftz  ".ftz" in functions that flush f32 denormals, else ""
type Intrinsic struct {
	// Name is the LLVM function name.
	Name string
	// Sig is the LLVM function type as llir prints it, e.g. "float (float)".
	// A call whose declaration differs is an error.
	Sig string
	// PTX is the instruction template.
	PTX string
}

// Intrinsics is every intrinsic the backend knows, sorted by name. It is
// the only place that knows them: codegen checks the names it emits
// against it, and the tests pin each row against llc-14, which (unlike
// this backend) silently turns an unknown llvm.nvvm.* name into a call of
// an undefined function.
var Intrinsics = buildIntrinsics()

var intrinsicIndex = func() map[string]*Intrinsic {
	m := make(map[string]*Intrinsic, len(Intrinsics))
	for i := range Intrinsics {
		in := &Intrinsics[i]
		if m[in.Name] != nil {
			panic("ptx: duplicate intrinsic " + in.Name)
		}
		m[in.Name] = in
	}
	return m
}()

// LookupIntrinsic returns the table row of an intrinsic name, or nil.
func LookupIntrinsic(name string) *Intrinsic { return intrinsicIndex[name] }

func buildIntrinsics() []Intrinsic {
	var t []Intrinsic
	add := func(name, sig, ptx string) { t = append(t, Intrinsic{Name: name, Sig: sig, PTX: ptx}) }

	// Special registers.
	for _, r := range []string{"tid", "ntid", "ctaid", "nctaid"} {
		for _, d := range []string{"x", "y", "z"} {
			add("llvm.nvvm.read.ptx.sreg."+r+"."+d, "i32 ()", "mov.u32 $d, %"+r+"."+d)
		}
	}
	add("llvm.nvvm.read.ptx.sreg.laneid", "i32 ()", "mov.u32 $d, %laneid")
	add("llvm.nvvm.read.ptx.sreg.warpid", "i32 ()", "mov.u32 $d, %warpid")

	// Synchronization.
	add("llvm.nvvm.barrier0", "void ()", "bar.sync 0")
	add("llvm.nvvm.bar.sync", "void (i32)", "bar.sync $x0")
	add("llvm.nvvm.bar.warp.sync", "void (i32)", "bar.warp.sync $x0")
	add("llvm.nvvm.membar.cta", "void ()", "membar.cta")
	add("llvm.nvvm.membar.gl", "void ()", "membar.gl")
	add("llvm.nvvm.membar.sys", "void ()", "membar.sys")

	// Warp collectives: (membermask, value, lane/offset, clamp).
	for _, mode := range []string{"bfly", "down", "up", "idx"} {
		add("llvm.nvvm.shfl.sync."+mode+".i32", "i32 (i32, i32, i32, i32)", "shfl.sync."+mode+".b32 $d, $1, $x2, $x3, $x0")
		add("llvm.nvvm.shfl.sync."+mode+".f32", "float (i32, float, i32, i32)", "shfl.sync."+mode+".b32 $d, $1, $x2, $x3, $x0")
	}
	add("llvm.nvvm.vote.ballot.sync", "i32 (i32, i1)", "vote.sync.ballot.b32 $d, $1, $x0")
	add("llvm.nvvm.vote.all.sync", "i1 (i32, i1)", "vote.sync.all.pred $d, $1, $x0")
	add("llvm.nvvm.vote.any.sync", "i1 (i32, i1)", "vote.sync.any.pred $d, $1, $x0")
	add("llvm.nvvm.vote.uni.sync", "i1 (i32, i1)", "vote.sync.uni.pred $d, $1, $x0")

	// Float math. The .approx forms are the hardware's special functions.
	add("llvm.nvvm.ex2.approx.f", "float (float)", "ex2.approx.f32 $d, $0")
	add("llvm.nvvm.ex2.approx.ftz.f", "float (float)", "ex2.approx.ftz.f32 $d, $0")
	add("llvm.nvvm.lg2.approx.f", "float (float)", "lg2.approx.f32 $d, $0")
	add("llvm.nvvm.lg2.approx.ftz.f", "float (float)", "lg2.approx.ftz.f32 $d, $0")
	add("llvm.nvvm.rsqrt.approx.f", "float (float)", "rsqrt.approx.f32 $d, $0")
	add("llvm.nvvm.rsqrt.approx.ftz.f", "float (float)", "rsqrt.approx.ftz.f32 $d, $0")
	add("llvm.nvvm.sin.approx.f", "float (float)", "sin.approx.f32 $d, $0")
	add("llvm.nvvm.sin.approx.ftz.f", "float (float)", "sin.approx.ftz.f32 $d, $0")
	add("llvm.nvvm.cos.approx.f", "float (float)", "cos.approx.f32 $d, $0")
	add("llvm.nvvm.cos.approx.ftz.f", "float (float)", "cos.approx.ftz.f32 $d, $0")
	add("llvm.nvvm.sqrt.rn.f", "float (float)", "sqrt.rn.f32 $d, $0")
	add("llvm.nvvm.sqrt.approx.f", "float (float)", "sqrt.approx.f32 $d, $0")
	add("llvm.nvvm.rcp.rn.f", "float (float)", "rcp.rn.f32 $d, $0")
	add("llvm.nvvm.rcp.rn.d", "double (double)", "rcp.rn.f64 $d, $0")
	add("llvm.nvvm.div.approx.f", "float (float, float)", "div.approx.f32 $d, $0, $x1")
	add("llvm.nvvm.div.rn.f", "float (float, float)", "div.rn.f32 $d, $0, $x1")
	add("llvm.nvvm.fmax.f", "float (float, float)", "max.f32 $d, $0, $x1")
	add("llvm.nvvm.fmin.f", "float (float, float)", "min.f32 $d, $0, $x1")
	add("llvm.nvvm.fmax.ftz.f", "float (float, float)", "max.ftz.f32 $d, $0, $x1")
	add("llvm.nvvm.fmin.ftz.f", "float (float, float)", "min.ftz.f32 $d, $0, $x1")
	add("llvm.nvvm.fmax.d", "double (double, double)", "max.f64 $d, $0, $x1")
	add("llvm.nvvm.fmin.d", "double (double, double)", "min.f64 $d, $0, $x1")
	// IEEE even in unsafe-fp-math functions, as llc-14 emits it.
	add("llvm.sqrt.f32", "float (float)", "sqrt.rn$ftz.f32 $d, $0")
	add("llvm.sqrt.f64", "double (double)", "sqrt.rn.f64 $d, $0")
	add("llvm.fma.f32", "float (float, float, float)", "fma.rn$ftz.f32 $d, $0, $x1, $x2")
	add("llvm.fma.f64", "double (double, double, double)", "fma.rn.f64 $d, $0, $x1, $x2")
	add("llvm.maxnum.f32", "float (float, float)", "max$ftz.f32 $d, $0, $x1")
	add("llvm.minnum.f32", "float (float, float)", "min$ftz.f32 $d, $0, $x1")
	add("llvm.maxnum.f64", "double (double, double)", "max.f64 $d, $0, $x1")
	add("llvm.minnum.f64", "double (double, double)", "min.f64 $d, $0, $x1")
	add("llvm.fabs.f32", "float (float)", "abs$ftz.f32 $d, $0")
	add("llvm.rint.f32", "float (float)", "cvt.rni$ftz.f32.f32 $d, $0")
	add("llvm.fabs.f64", "double (double)", "abs.f64 $d, $0")

	// Integer min/max and bit counts.
	for _, w := range []string{"32", "64"} {
		ty := "i" + w
		for _, op := range []struct{ llvm, ptx string }{{"smax", "max.s"}, {"smin", "min.s"}, {"umax", "max.u"}, {"umin", "min.u"}} {
			add("llvm."+op.llvm+"."+ty, ty+" ("+ty+", "+ty+")", op.ptx+w+" $d, $0, $x1")
		}
	}
	add("llvm.ctpop.i32", "i32 (i32)", "popc.b32 $d, $0")
	add("llvm.ctlz.i32", "i32 (i32, i1)", "clz.b32 $d, $0")

	// Conversions to packed 16-bit floats (the first operand goes to the
	// upper half).
	add("llvm.nvvm.f2bf16.rn", "i16 (float)", "cvt.rn.bf16.f32 $d, $0")
	add("llvm.nvvm.ff2bf16x2.rn", "i32 (float, float)", "cvt.rn.bf16x2.f32 $d, $0, $1")
	add("llvm.nvvm.ff2f16x2.rn", "<2 x half> (float, float)", "cvt.rn.f16x2.f32 $d, $0, $1")

	// Tensor cores.
	for _, x := range []struct {
		n   string
		ret string
	}{{"x1", "i32"}, {"x2", "{ i32, i32 }"}, {"x4", "{ i32, i32, i32, i32 }"}} {
		for _, tr := range []string{"", ".trans"} {
			add("llvm.nvvm.ldmatrix.sync.aligned.m8n8."+x.n+tr+".b16", x.ret+" (i8 addrspace(3)*)",
				"ldmatrix.sync.aligned.m8n8."+x.n+tr+".shared.b16 $D, [$a0]")
		}
	}
	const acc = "float, float, float, float"
	add("llvm.nvvm.mma.m16n8k16.row.col.f32.f32",
		"{ "+acc+" } (<2 x half>, <2 x half>, <2 x half>, <2 x half>, <2 x half>, <2 x half>, "+acc+")",
		"mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 $D, {$0, $1, $2, $3}, {$4, $5}, {$6, $7, $8, $9}")
	add("llvm.nvvm.mma.m16n8k16.row.col.bf16",
		"{ "+acc+" } (i32, i32, i32, i32, i32, i32, "+acc+")",
		"mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 $D, {$0, $1, $2, $3}, {$4, $5}, {$6, $7, $8, $9}")

	// Asynchronous copies global -> shared.
	for _, n := range []string{"4", "8", "16"} {
		add("llvm.nvvm.cp.async.ca.shared.global."+n, "void (i8 addrspace(3)*, i8 addrspace(1)*)",
			"cp.async.ca.shared.global [$a0], [$a1], "+n)
	}
	add("llvm.nvvm.cp.async.cg.shared.global.16", "void (i8 addrspace(3)*, i8 addrspace(1)*)",
		"cp.async.cg.shared.global [$a0], [$a1], 16")
	add("llvm.nvvm.cp.async.commit.group", "void ()", "cp.async.commit_group")
	add("llvm.nvvm.cp.async.wait.group", "void (i32)", "cp.async.wait_group $i0")
	add("llvm.nvvm.cp.async.wait.all", "void ()", "cp.async.wait_all")

	sort.Slice(t, func(i, j int) bool { return t[i].Name < t[j].Name })
	return t
}

// lowerIntrinsic expands an intrinsic's template for one call.
func (f *fn) lowerIntrinsic(in *Intrinsic, call *ir.InstCall, callee *ir.Func) error {
	if !f.c.sigChecked[callee] { // once per declaration: printing the signature is not cheap
		if sig := callee.Sig.LLString(); sig != in.Sig {
			return fmt.Errorf("intrinsic %s is declared as %s, want %s", in.Name, sig, in.Sig)
		}
		if f.c.sigChecked == nil {
			f.c.sigChecked = map[*ir.Func]bool{}
		}
		f.c.sigChecked[callee] = true
	}
	tpl := in.PTX
	ftz := ""
	if f.ftz {
		ftz = ".ftz"
	}
	tpl = strings.ReplaceAll(tpl, "$ftz", ftz)
	mnemonic, rest, _ := strings.Cut(tpl, " ")

	rks, err := flatten(call.Typ)
	if err != nil {
		return err
	}
	var res []opnd   // the result's parts
	var packed *opnd // $d of a multi-part result, unpacked after the instruction
	var sb strings.Builder
	for i := 0; i < len(rest); i++ {
		ch := rest[i]
		if ch != '$' {
			sb.WriteByte(ch)
			continue
		}
		i++
		if i >= len(rest) {
			return fmt.Errorf("template %q ends in $", in.PTX)
		}
		switch rest[i] {
		case 'd':
			if len(rks) == 1 {
				res = f.newRegs(rks)
				sb.WriteString(regName(res[0]))
				continue
			}
			w, err := packedKind(rks)
			if err != nil {
				return err
			}
			r := f.newReg(w)
			packed = &r
			sb.WriteString(regName(r))
			continue
		case 'D':
			res = f.newRegs(rks)
			names := make([]string, len(res))
			for j, r := range res {
				names[j] = regName(r)
			}
			sb.WriteString(braces(names))
			continue
		}
		mode := byte(0)
		if c := rest[i]; c == 'x' || c == 'i' || c == 'a' {
			mode = c
			i++
		}
		j := i
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == i {
			return fmt.Errorf("bad template %q", in.PTX)
		}
		n, _ := strconv.Atoi(rest[i:j])
		i = j - 1
		if n >= len(call.Args) {
			return fmt.Errorf("template %q uses argument %d of %d", in.PTX, n, len(call.Args))
		}
		arg := call.Args[n]
		text, err := f.intrinsicArg(arg, mode)
		if err != nil {
			return fmt.Errorf("argument %d: %w", n, err)
		}
		sb.WriteString(text)
	}
	if sb.Len() > 0 {
		f.emit(mnemonic, sb.String())
	} else {
		f.emit(mnemonic)
	}
	if packed != nil {
		if res, err = f.repack([]opnd{*packed}, rks); err != nil {
			return err
		}
	}
	if len(rks) > 0 {
		f.def(call, res)
	}
	return nil
}

// intrinsicArg formats one template argument.
func (f *fn) intrinsicArg(v value.Value, mode byte) (string, error) {
	if mode == 'a' {
		if a, ok := f.folded[v]; ok { // a register plus a constant offset
			return fmt.Sprintf("%s+%d", regName(a.base), a.off), nil
		}
		o, err := f.one(v)
		if err != nil {
			return "", err
		}
		if o.sym != "" {
			return o.text(""), nil
		}
		return f.reg(o), nil
	}
	if mode == 'i' {
		c, ok := constIntArg(v)
		if !ok {
			return "", fmt.Errorf("must be a constant")
		}
		return fmt.Sprint(c), nil
	}
	ps, err := f.parts(v)
	if err != nil {
		return "", err
	}
	if len(ps) == 1 {
		if mode == 'x' {
			return f.src(ps[0], "s"), nil
		}
		return f.reg(ps[0]), nil
	}
	w, err := packedKind(kindsOf(ps))
	if err != nil {
		return "", err
	}
	p, err := f.repack(ps, []kind{w})
	if err != nil {
		return "", err
	}
	return f.reg(p[0]), nil
}

// packedKind is the integer kind as wide as a list of parts together.
func packedKind(ks []kind) (kind, error) {
	n := 0
	for _, k := range ks {
		n += k.bits()
	}
	switch n {
	case 16:
		return kI16, nil
	case 32:
		return kI32, nil
	case 64:
		return kI64, nil
	}
	return 0, fmt.Errorf("cannot pack %d bits into one register", n)
}

func kindsOf(ps []opnd) []kind {
	out := make([]kind, len(ps))
	for i, p := range ps {
		out[i] = p.k
	}
	return out
}
