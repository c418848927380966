package ptx

import (
	"strings"
	"testing"
)

// TestVersionRule checks .version and .target per target, and that an
// instruction that needs a newer PTX raises the version.
func TestVersionRule(t *testing.T) {
	plain := kernelLL("", "  store i32 %n, i32 addrspace(1)* %p\n  ret void")
	asm := func(text string) string {
		return kernelLL("", `  call void asm sideeffect "`+text+`", "~{memory}"()`+"\n  ret void")
	}
	cases := []struct {
		ll      string
		target  Target
		version string
		sm      string
	}{
		{plain, Target{}, "7.0", "sm_80"},
		{plain, Target{SM: "sm_70"}, "6.0", "sm_70"},
		{plain, Target{SM: "sm_75"}, "6.3", "sm_75"},
		{plain, Target{SM: "sm_80"}, "7.0", "sm_80"},
		{plain, Target{SM: "sm_86"}, "7.1", "sm_86"},
		{plain, Target{SM: "sm_89"}, "7.8", "sm_89"},
		{plain, Target{SM: "sm_90"}, "7.8", "sm_90"},
		{plain, Target{SM: "sm_90a"}, "8.0", "sm_90a"},
		// ldmatrix needs PTX 6.5: raised on sm_75, already there on sm_80.
		{asm("ldmatrix.sync.aligned.m8n8.x1.shared.b16 {%r1}, [%rd1];"), Target{SM: "sm_75"}, "6.5", "sm_75"},
		{asm("ldmatrix.sync.aligned.m8n8.x1.shared.b16 {%r1}, [%rd1];"), Target{}, "7.0", "sm_80"},
		// cvt.f32.bf16 needs PTX 7.1: raised on sm_80.
		{asm("cvt.f32.bf16 %f1, %rs1;"), Target{}, "7.1", "sm_80"},
		// stmatrix needs sm_90 and PTX 7.8; wgmma sm_90a and 8.0.
		{asm("stmatrix.sync.aligned.m8n8.x1.shared.b16 [%rd1], {%r1};"), Target{SM: "sm_90"}, "7.8", "sm_90"},
		{asm("wgmma.fence.sync.aligned;"), Target{SM: "sm_90a"}, "8.0", "sm_90a"},
		{asm("@%p1 cp.async.bulk.commit_group;"), Target{SM: "sm_90"}, "8.0", "sm_90"},
	}
	for _, tc := range cases {
		out, err := CompileText(tc.ll, tc.target)
		if err != nil {
			t.Errorf("%v: %v", tc.target, err)
			continue
		}
		if !strings.Contains(out, "\n.version "+tc.version+"\n.target "+tc.sm+"\n.address_size 64\n") {
			t.Errorf("%v: want .version %s .target %s, got header:\n%s", tc.target, tc.version, tc.sm, out[:strings.Index(out, ".address_size")])
		}
	}
}

func TestFeatureTable(t *testing.T) {
	for _, tc := range []struct {
		mnemonic string
		prefix   string
	}{
		{"cp.async.cg.shared.global", "cp.async"},
		{"cp.async.bulk.tensor.2d.shared::cluster.global", "cp.async.bulk"},
		{"cp.asyncx", ""}, // a prefix must end at a '.'
		{"mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32", "mma.sync.aligned.m16n8k16"},
		{"add.s32", ""},
		{"wgmma.mma_async.sync.aligned.m64n128k16.f32.f16.f16", "wgmma"},
	} {
		f := featureFor(tc.mnemonic)
		got := ""
		if f != nil {
			got = f.prefix
		}
		if got != tc.prefix {
			t.Errorf("featureFor(%q) = %q, want %q", tc.mnemonic, got, tc.prefix)
		}
	}
	// Every row is reachable: no earlier row shadows it.
	for i, f := range features {
		if g := featureFor(f.prefix); g != &features[i] {
			t.Errorf("row %q is shadowed by %q", f.prefix, g.prefix)
		}
		if a, err := lookupArch(Target{SM: "sm_90a"}); err != nil || f.sm > a.sm || f.ptx > 80 {
			t.Errorf("row %q needs more than the newest target", f.prefix)
		}
	}
}

func TestAsmMnemonics(t *testing.T) {
	text := "{\n .reg .pred p;\n setp.ne.b32 p, %r1, 0;\n@p cp.async.commit_group; // note\n}\nL1:\n bra L1;"
	got := strings.Join(asmMnemonics(text), " ")
	if want := "setp.ne.b32 cp.async.commit_group bra"; got != want {
		t.Errorf("asmMnemonics = %q, want %q", got, want)
	}
}

func TestLLCTargets(t *testing.T) {
	if _, err := LLC(kernelLL("", "  ret void"), Target{SM: "sm_90a"}); err == nil || !strings.Contains(err.Error(), "sm_90a") {
		t.Errorf("LLC for sm_90a: err = %v, want an error naming the target", err)
	}
	if !HaveLLC() {
		t.Skip("llc-14 is not installed")
	}
	out, err := LLC(kernelLL("", "  ret void"), Target{SM: "sm_86"})
	if err != nil || !strings.Contains(out, ".target sm_86") {
		t.Errorf("LLC sm_86: %v\n%s", err, out)
	}
	if _, err := LLC("this is not IR", Target{}); err == nil {
		t.Error("LLC accepted garbage")
	}
}

func TestVerify(t *testing.T) {
	if !HaveOpt() {
		t.Skip("opt-14 is not installed")
	}
	if err := Verify(kernelLL("", "  ret void")); err != nil {
		t.Errorf("valid module: %v", err)
	}
	bad := kernelLL("", "  %x = add i32 %y, 1\n  %y = add i32 %x, 1\n  ret void")
	if err := Verify(bad); err == nil {
		t.Error("Verify accepted a module whose instruction does not dominate its use")
	}
}
