package ptx

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tilec/tilec/internal/arch"
)

// Target names the GPU architecture the PTX is for.
type Target struct {
	// SM is "sm_70", "sm_75", "sm_80", "sm_86", "sm_89", "sm_90" or
	// "sm_90a"; empty means DefaultSM.
	SM string
}

// DefaultSM is the architecture used when Target.SM is empty.
const DefaultSM = arch.Default

// archInfo is a known architecture: its number, whether it is the
// architecture-specific ("a") variant, and the lowest PTX ISA version that
// can name it in .target (the version chosen when nothing needs more).
type archInfo struct {
	name     string
	sm       int  // 80 for sm_80
	specific bool // sm_90a: arch-accelerated features, runs only on sm_90
	basePTX  int  // PTX ISA version times ten: 70 is 7.0
}

// archs lists the supported targets. The base versions are the first PTX
// ISA that knows each architecture (the same as LLVM's processor table):
// the driver refuses a .version newer than itself, so the lowest version
// that works is the most portable.
var archs = []archInfo{
	{"sm_70", 70, false, 60},
	{"sm_75", 75, false, 63},
	{"sm_80", 80, false, 70},
	{"sm_86", 86, false, 71},
	{"sm_89", 89, false, 78},
	{"sm_90", 90, false, 78},
	{"sm_90a", 90, true, 80},
}

func lookupArch(t Target) (archInfo, error) {
	name := t.SM
	if name == "" {
		name = DefaultSM
	}
	for _, a := range archs {
		if a.name == name {
			return a, nil
		}
	}
	names := make([]string, len(archs))
	for i, a := range archs {
		names[i] = a.name
	}
	return archInfo{}, fmt.Errorf("ptx: unknown target %q (supported: %s)", t.SM, strings.Join(names, ", "))
}

// feature is one row of the table of PTX instructions that need more than
// the oldest supported target: the instruction (a mnemonic prefix, ending
// at a '.' boundary), the architecture and the PTX ISA version it needs.
type feature struct {
	prefix   string
	sm       int
	specific bool // needs the "a" target (sm_90a)
	ptx      int
}

// features is consulted for every emitted instruction, including the
// statements of inline asm, so the .version and the target check come from
// one place. Rows are ordered most specific first; the first match wins.
// Instructions not listed run on every supported target at the base
// version. Sources: the "PTX ISA notes" / "Target ISA notes" of each
// instruction in the PTX ISA reference.
var features = []feature{
	{"wgmma", 90, true, 80},
	{"setmaxnreg", 90, true, 80},
	{"cp.async.bulk", 90, false, 80},
	{"prefetch.tensormap", 90, false, 80},
	{"cp.reduce.async.bulk", 90, false, 80},
	{"fence.proxy.async", 90, false, 80},
	{"elect.sync", 90, false, 80},
	{"mbarrier.expect_tx", 90, false, 80},
	{"mbarrier.arrive.expect_tx", 90, false, 80},
	{"mbarrier.try_wait", 90, false, 78},
	{"stmatrix", 90, false, 78},
	{"griddepcontrol", 90, false, 78},
	{"mbarrier", 80, false, 70},
	{"cp.async", 80, false, 70},
	{"redux.sync", 80, false, 70},
	{"mma.sync.aligned.m16n8k16", 80, false, 70},
	{"mma.sync.aligned.m16n8k8.row.col.f32.bf16", 80, false, 70},
	{"mma.sync.aligned.m16n8k8.row.col.f32.tf32", 80, false, 70},
	{"mma.sync.aligned.m16n8k8", 75, false, 65},
	{"mma.sync.aligned.m8n8k4", 70, false, 64},
	{"ldmatrix", 75, false, 65},
	{"cvt.f32.bf16", 80, false, 71},
	{"cvt.rn.bf16x2.f32", 80, false, 70},
	{"cvt.rn.relu.bf16x2.f32", 80, false, 70},
	{"cvt.rn.bf16.f32", 80, false, 70},
	{"cvt.rn.f16x2.f32", 80, false, 70},
	{"cvt.rn.relu.f16x2.f32", 80, false, 70},
	{"tanh.approx", 75, false, 70},
	{"ex2.approx.f16", 75, false, 70},
	{"min.f16", 80, false, 70},
	{"max.f16", 80, false, 70},
	{"cvta.param", 70, false, 77}, // the generic address of a kernel parameter (byval.go)
	{"nanosleep", 70, false, 63},
	{"activemask", 70, false, 62},
}

// featureFor returns the table row that governs a mnemonic, or nil.
func featureFor(mnemonic string) *feature {
	for i := range features {
		p := features[i].prefix
		if mnemonic == p || strings.HasPrefix(mnemonic, p) && mnemonic[len(p)] == '.' {
			return &features[i]
		}
	}
	return nil
}

// requirements accumulates what the emitted instructions need.
type requirements struct {
	a   archInfo
	ptx int             // highest PTX version needed so far
	why map[string]bool // instructions that raised the version, for the header
}

func newRequirements(a archInfo) *requirements {
	return &requirements{a: a, ptx: a.basePTX, why: map[string]bool{}}
}

// need records that mnemonic is emitted and returns an error when the
// target cannot run it.
func (r *requirements) need(mnemonic string) error {
	f := featureFor(mnemonic)
	if f == nil {
		return nil
	}
	if r.a.sm < f.sm || f.specific && !r.a.specific {
		want := fmt.Sprintf("sm_%d", f.sm)
		if f.specific {
			want += "a"
		}
		return fmt.Errorf("PTX instruction %s needs %s or newer, target is %s", mnemonic, want, r.a.name)
	}
	if f.ptx > r.ptx {
		r.ptx = f.ptx
	}
	if f.ptx > r.a.basePTX {
		r.why[f.prefix] = true
	}
	return nil
}

// version formats the chosen .version, e.g. "7.0".
func (r *requirements) version() string { return fmt.Sprintf("%d.%d", r.ptx/10, r.ptx%10) }

// raisedBy lists the instructions that needed more than the base version.
func (r *requirements) raisedBy() []string {
	var out []string
	for k := range r.why {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
