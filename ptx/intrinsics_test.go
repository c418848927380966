package ptx

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/tilec/tilec/ptx/emu"
)

// intrinsicConsts fixes arguments that must agree across a warp or be
// immediates: member masks of warp collectives, the barrier number, the
// is-zero-poison flag of ctlz.
var intrinsicConsts = []struct {
	prefix string
	arg    int
	value  string
}{
	{"llvm.nvvm.shfl.sync.", 0, "-1"},
	{"llvm.nvvm.vote.", 0, "-1"},
	{"llvm.nvvm.bar.warp.sync", 0, "-1"},
	{"llvm.nvvm.bar.sync", 0, "0"},
	{"llvm.ctlz.i32", 1, "false"},
}

// splitSig splits "ret (a, b)" into the return type and parameter types.
func splitSig(sig string) (string, []string) {
	i := strings.Index(sig, "(")
	ret := strings.TrimSpace(sig[:i])
	inner := strings.TrimSuffix(sig[i+1:], ")")
	if inner == "" {
		return ret, nil
	}
	return ret, strings.Split(inner, ", ")
}

const intrRecord = 128 // input bytes per thread: 16 for shared memory, then 8 per argument

// intrinsicModule builds one kernel per table row, k<i>(in, out): it fills
// 16 bytes of shared memory per lane from its input record, waits at a
// barrier, calls the intrinsic with arguments loaded from the record (or
// fixed, see intrinsicConsts), and stores the result's parts into its
// 64-byte output record.
func intrinsicModule(t *testing.T) string {
	var sb strings.Builder
	sb.WriteString("target datalayout = \"" + DataLayout + "\"\ntarget triple = \"" + Triple + "\"\n\n")
	sb.WriteString("@sh = internal addrspace(3) global [512 x i8] undef, align 16\n")
	sb.WriteString("declare i32 @llvm.nvvm.read.ptx.sreg.tid.x()\ndeclare void @llvm.nvvm.barrier0()\n")
	for _, in := range Intrinsics {
		if in.Name == "llvm.nvvm.read.ptx.sreg.tid.x" || in.Name == "llvm.nvvm.barrier0" {
			continue
		}
		ret, params := splitSig(in.Sig)
		fmt.Fprintf(&sb, "declare %s @%s(%s)\n", ret, in.Name, strings.Join(params, ", "))
	}
	var ann []string
	for i, in := range Intrinsics {
		ret, params := splitSig(in.Sig)
		fmt.Fprintf(&sb, "\ndefine void @k%d(i8 addrspace(1)* %%in, i8 addrspace(1)* %%out) {\n", i)
		sb.WriteString(`  %tid = call i32 @llvm.nvvm.read.ptx.sreg.tid.x()
  %roff = mul i32 %tid, 128
  %rin = getelementptr i8, i8 addrspace(1)* %in, i32 %roff
  %ooff = shl i32 %tid, 6
  %rout = getelementptr i8, i8 addrspace(1)* %out, i32 %ooff
  %soff = shl i32 %tid, 4
  %sp = getelementptr [512 x i8], [512 x i8] addrspace(3)* @sh, i32 0, i32 %soff
  %sp4 = bitcast i8 addrspace(3)* %sp to <4 x i32> addrspace(3)*
  %rin4 = bitcast i8 addrspace(1)* %rin to <4 x i32> addrspace(1)*
  %fill = load <4 x i32>, <4 x i32> addrspace(1)* %rin4, align 16
  store <4 x i32> %fill, <4 x i32> addrspace(3)* %sp4, align 16
  call void @llvm.nvvm.barrier0()
`)
		var args []string
		for j, p := range params {
			val := ""
			for _, c := range intrinsicConsts {
				if strings.HasPrefix(in.Name, c.prefix) && c.arg == j {
					val = c.value
				}
			}
			switch {
			case val != "":
			case strings.Contains(in.PTX, fmt.Sprintf("$i%d", j)):
				val = "0"
			case p == "i8 addrspace(3)*":
				val = "%sp"
			case p == "i8 addrspace(1)*":
				val = "%rin"
			default:
				fmt.Fprintf(&sb, "  %%ap%d = getelementptr i8, i8 addrspace(1)* %%rin, i32 %d\n", j, 16+8*j)
				lt := p
				if p == "i1" {
					lt = "i8"
				}
				fmt.Fprintf(&sb, "  %%aq%d = bitcast i8 addrspace(1)* %%ap%d to %s addrspace(1)*\n", j, j, lt)
				fmt.Fprintf(&sb, "  %%al%d = load %s, %s addrspace(1)* %%aq%d, align 8\n", j, lt, lt, j)
				val = fmt.Sprintf("%%al%d", j)
				if p == "i1" {
					fmt.Fprintf(&sb, "  %%a%d = trunc i8 %%al%d to i1\n", j, j)
					val = fmt.Sprintf("%%a%d", j)
				}
			}
			args = append(args, p+" "+val)
		}
		call := fmt.Sprintf("call %s @%s(%s)", ret, in.Name, strings.Join(args, ", "))
		switch {
		case ret == "void":
			sb.WriteString("  " + call + "\n")
		case strings.HasPrefix(ret, "{"):
			sb.WriteString("  %r = " + call + "\n")
			fields := strings.Split(strings.Trim(ret, "{} "), ", ")
			for j, ft := range fields {
				fmt.Fprintf(&sb, "  %%f%d = extractvalue %s %%r, %d\n", j, ret, j)
				fmt.Fprintf(&sb, "  %%o%d = getelementptr i8, i8 addrspace(1)* %%rout, i32 %d\n", j, 4*j)
				fmt.Fprintf(&sb, "  %%q%d = bitcast i8 addrspace(1)* %%o%d to %s addrspace(1)*\n", j, j, ft)
				fmt.Fprintf(&sb, "  store %s %%f%d, %s addrspace(1)* %%q%d, align 4\n", ft, j, ft, j)
			}
		default:
			sb.WriteString("  %r = " + call + "\n")
			st := ret
			v := "%r"
			if ret == "i1" {
				sb.WriteString("  %rz = zext i1 %r to i8\n")
				st, v = "i8", "%rz"
			}
			fmt.Fprintf(&sb, "  %%q = bitcast i8 addrspace(1)* %%rout to %s addrspace(1)*\n", st)
			fmt.Fprintf(&sb, "  store %s %s, %s addrspace(1)* %%q, align 8\n", st, v, st)
		}
		sb.WriteString("  ret void\n}\n")
		ann = append(ann, fmt.Sprintf("!%d = !{void (i8 addrspace(1)*, i8 addrspace(1)*)* @k%d, !\"kernel\", i32 1}", i, i))
	}
	var ids []string
	for i := range ann {
		ids = append(ids, fmt.Sprintf("!%d", i))
	}
	sb.WriteString("\n!nvvm.annotations = !{" + strings.Join(ids, ", ") + "}\n" + strings.Join(ann, "\n") + "\n")
	ll := sb.String()
	if HaveOpt() {
		if err := Verify(ll); err != nil {
			t.Fatalf("intrinsic module: %v", err)
		}
	}
	return ll
}

// TestIntrinsicsTable pins every row: llc-14 must lower the intrinsic
// itself (an unknown llvm.nvvm.* name becomes a call of an undeclared
// function in llc, not an error), this backend must emit the row's
// instruction, and both must compute the same bits on the emulator from
// random inputs with a clean sanitizer.
func TestIntrinsicsTable(t *testing.T) {
	ll := intrinsicModule(t)
	own, err := CompileText(ll, Target{})
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range Intrinsics {
		mn := strings.Fields(strings.ReplaceAll(in.PTX, "$ftz", ""))[0]
		if !strings.Contains(kernelText(own, i), mn) {
			t.Errorf("%s: tilec's PTX for k%d lacks %s", in.Name, i, mn)
		}
	}
	if !HaveLLC() {
		t.Skip("llc-14 is not installed: the intrinsic table is not pinned against llc")
	}
	ref, err := LLC(ll, Target{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(ref, ".extern .func") {
		t.Errorf("llc declared an external function: some intrinsic is unknown to llc-14:\n%s", externs(ref))
	}
	for i, in := range Intrinsics {
		if body := kernelText(ref, i); regexp.MustCompile(`\bcall`).MatchString(body) {
			t.Errorf("%s: llc-14 emits a call instead of lowering it", in.Name)
		}
	}
	mods := map[string]*emu.Module{}
	for name, src := range map[string]string{"tilec": own, "llc": ref} {
		m, err := emu.Parse("intrinsics."+name+".ptx", []byte(src))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		mods[name] = m
	}
	in := make([]byte, 32*intrRecord)
	for i := range in {
		in[i] = byte(i*7919 + i>>8*31 + 11)
	}
	for i, row := range Intrinsics {
		outs := map[string][]byte{}
		for _, name := range []string{"tilec", "llc"} {
			dev := emu.NewDevice(emu.Options{})
			r := &run{t: t, backend: name, dev: dev, mod: mods[name]}
			din, dout := r.alloc(in), r.poison(32*64)
			res, err := dev.Launch(mods[name], fmt.Sprintf("k%d", i), emu.LaunchConfig{Grid: [3]uint32{1}, Block: [3]uint32{32}}, din, dout)
			if err != nil {
				t.Fatalf("%s: %s: %v", row.Name, name, err)
			}
			if !res.Clean() {
				t.Errorf("%s: %s: %d sanitizer findings, first %v", row.Name, name, res.FindingCount, res.Findings[0])
			}
			outs[name] = r.read(dout, 32*64)
		}
		if !bytes.Equal(outs["tilec"], outs["llc"]) {
			t.Errorf("%s: tilec and llc results differ", row.Name)
		}
	}
}

// kernelText returns the body of kernel k<i> in PTX text.
func kernelText(ptx string, i int) string {
	start := strings.Index(ptx, fmt.Sprintf(".entry k%d(", i))
	if start < 0 {
		return ""
	}
	end := strings.Index(ptx[start:], "\n}")
	return ptx[start : start+end]
}

func externs(ptx string) string {
	var out []string
	for _, l := range strings.Split(ptx, "\n") {
		if strings.Contains(l, ".extern") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestIntrinsicsSorted(t *testing.T) {
	if !sort.SliceIsSorted(Intrinsics, func(i, j int) bool { return Intrinsics[i].Name < Intrinsics[j].Name }) {
		t.Error("Intrinsics is not sorted by name")
	}
	for _, in := range Intrinsics {
		if LookupIntrinsic(in.Name) == nil {
			t.Errorf("LookupIntrinsic(%q) = nil", in.Name)
		}
		if _, params := splitSig(in.Sig); strings.Count(in.PTX, "$") > 0 && len(params) == 0 && strings.Contains(in.PTX, "$0") {
			t.Errorf("%s: template uses $0 but the signature has no parameters", in.Name)
		}
	}
	if LookupIntrinsic("llvm.nvvm.no.such.thing") != nil {
		t.Error("LookupIntrinsic found a name that is not in the table")
	}
}
