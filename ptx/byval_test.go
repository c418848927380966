package ptx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestByval compiles testdata/byval.ll: the tensor map's .param is a
// 64-byte-aligned byte array, loads at constant offsets read it with
// ld.param, the pointer itself is its generic address (cvta.param, which
// raises .version to 7.7 on sm_80), and the struct read only by loads
// forms no address. testdata/golden/byval_sm_90a.ptx is the output for
// sm_90a (go test ./ptx -run TestByval -update rewrites it).
func TestByval(t *testing.T) {
	ll := readLL(t, "byval")
	// prefetch.tensormap needs sm_90: sm_80 gets the kernel without it.
	noTMA := strings.Replace(ll, "  call void asm sideeffect \"prefetch.tensormap [$0];\", \"l,~{memory}\"([128 x i8]* %tmap)\n", "", 1)
	if noTMA == ll {
		t.Fatal("testdata/byval.ll has no prefetch.tensormap line to drop for sm_80")
	}
	src := map[string]string{"sm_80": noTMA, "sm_90a": ll}
	out := map[string]string{}
	for _, sm := range []string{"sm_80", "sm_90a"} {
		ptx, err := CompileText(src[sm], Target{SM: sm})
		if err != nil {
			t.Fatalf("%s: %v", sm, err)
		}
		out[sm] = ptx
		for _, want := range []string{
			".param .align 64 .b8 tma_param_0[128],",
			"\tmov.u64 \t%rd1, tma_param_0;\n\tcvta.param.u64 \t%rd2, %rd1;\n",
			"ld.param.u32 \t%r1, [tma_param_0+8];",
			"ld.param.v4.u32 \t{%r2, %r3, %r4, %r5}, [tma_param_0+16];",
			"cvt.u32.u64 \t%r7, %rd2;",
			"mov.b64 %rd4, %rd2;",
			".param .align 8 .b8 pairs_param_1[24]",
			"ld.param.u32 \t%r1, [pairs_param_1];",
			"ld.param.u16 \t%rs1, [pairs_param_1+8];",
			"ld.param.f64 \t%fd1, [pairs_param_1+16];",
		} {
			if !strings.Contains(ptx, want) {
				t.Errorf("%s: the PTX lacks %q:\n%s", sm, want, ptx)
			}
		}
		pairs := ptx[strings.Index(ptx, "// @pairs"):]
		if strings.Contains(pairs, "cvta.param") || strings.Contains(pairs, "mov.u64") {
			t.Errorf("%s: @pairs only loads from its byval parameter, yet forms its address:\n%s", sm, pairs)
		}
	}
	if !strings.Contains(out["sm_80"], ".version 7.7\n") || !strings.Contains(out["sm_80"], "// .version 7.7 is needed by: cvta.param") {
		t.Errorf("sm_80: cvta.param should raise .version to 7.7:\n%s", out["sm_80"])
	}
	if !strings.Contains(out["sm_90a"], ".version 8.0\n") || !strings.Contains(out["sm_90a"], "\tprefetch.tensormap [%rd2];\n") {
		t.Errorf("sm_90a: want .version 8.0:\n%s", out["sm_90a"])
	}
	path := filepath.Join("testdata", "golden", "byval_sm_90a.ptx")
	if *update {
		if err := os.WriteFile(path, []byte(out["sm_90a"]), 0o644); err != nil {
			t.Fatal(err)
		}
	} else if want, err := os.ReadFile(path); err != nil {
		t.Errorf("%v (run go test ./ptx -run TestByval -update)", err)
	} else if string(want) != out["sm_90a"] {
		t.Errorf("%s is stale: review the diff and run go test ./ptx -run TestByval -update", path)
	}

	t.Run("ptxas", func(t *testing.T) {
		ptxas := ptxasPath(t)
		for sm, ptx := range out {
			assemble(t, ptxas, ptx, sm)
		}
	})
}

// TestByvalErrors: what the backend cannot pass by value is an error
// naming the function and the parameter.
func TestByvalErrors(t *testing.T) {
	mod := func(sig, body, ann string) string {
		return "target datalayout = \"" + DataLayout + "\"\ntarget triple = \"" + Triple + "\"\n" +
			"define void @k(" + sig + ") {\nentry:\n" + body + "\n  ret void\n}\n" + ann
	}
	kernel := func(sig string) string {
		return "!nvvm.annotations = !{!0}\n!0 = !{void (" + sig + ")* @k, !\"kernel\", i32 1}\n"
	}
	cases := []struct {
		name, ll string
		sm       string
		want     []string
	}{
		{"on a .func", mod("[16 x i8]* byval([16 x i8]) %b", "", ""), "",
			[]string{"@k", "parameter %b is byval: only kernel parameters can be passed by value"}},
		{"of a scalar", mod("i32* byval(i32) %b", "", kernel("i32*")), "",
			[]string{"@k", "byval parameter %b of type i32 is not supported (by-value arrays and structs only)"}},
		{"mismatched type", mod("[16 x i8]* byval([8 x i8]) %b", "", kernel("[16 x i8]*")), "",
			[]string{"byval([8 x i8]) does not match its pointee type [16 x i8]"}},
		{"store", mod("[16 x i8]* byval([16 x i8]) %b", "  %p = getelementptr [16 x i8], [16 x i8]* %b, i32 0, i32 4\n  store i8 1, i8* %p", kernel("[16 x i8]*")), "",
			[]string{"@k", "store i8 1, i8* %p", "stores into byval parameter %b: kernel parameters are read-only"}},
		{"atomic", mod("[16 x i8]* byval([16 x i8]) %b", "  %p = bitcast [16 x i8]* %b to i32*\n  %o = atomicrmw add i32* %p, i32 1 monotonic", kernel("[16 x i8]*")), "",
			[]string{"atomic on byval parameter %b: kernel parameters are read-only"}},
		{"sm_70 takes cvta.param at PTX 7.7", mod("[16 x i8]* byval([16 x i8]) %b, i64 addrspace(1)* %o",
			"  %a = ptrtoint [16 x i8]* %b to i64\n  store i64 %a, i64 addrspace(1)* %o", kernel("[16 x i8]*, i64 addrspace(1)*")), "sm_70",
			nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := CompileText(c.ll, Target{SM: c.sm})
			if c.want == nil {
				if err != nil || !strings.Contains(out, ".version 7.7") {
					t.Fatalf("err = %v, want PTX 7.7:\n%s", err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("compiled:\n%s", out)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
