package tests

import (
	"crypto/sha256"
	"fmt"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

// ptxasTargets are the architectures every kernel config must assemble
// for: Ampere (A100) and Hopper with its arch-specific features (H100,
// H200; wgmma and setmaxnreg need sm_90a).
var ptxasTargets = []string{"sm_80", "sm_90a"}

// ptxasJob is one launch of one config at one benchmark shape, compiled
// for one target.
type ptxasJob struct {
	kernel, problem, config string
	launch                  int
	f                       *ir.Func
	facts                   []any // nominal arguments
	target                  string
}

func (j *ptxasJob) String() string {
	return fmt.Sprintf("%s %s %s %s launch %d (%s)", j.kernel, j.problem, j.config, j.f.Name, j.launch, j.target)
}

// ptxasResult is what a job gave.
type ptxasResult struct {
	job      *ptxasJob
	fn       ptxasFunc
	estimate int // codegen's register estimate
	err      error
}

// TestPTXAssembles assembles the PTX of every config of every registered
// kernel's tuning space, at each benchmark shape, for sm_80 and sm_90a with
// ptxas: what the driver's JIT does on an A100 or an H100/H200, checked
// without one. It fails on any ptxas error or warning (spills and local
// memory are warnings here, and any "Potential Performance Loss" advisory
// such as serialized wgmma counts too), on a spill, on a kernel stack frame,
// and on more than 255 registers; -v logs ptxas's registers beside
// codegen's estimate, then the most registers per kernel and target.
//
// Compilation and ptxas run on GOMAXPROCS workers; identical PTX (configs
// that specialize alike) is assembled once per target.
func TestPTXAssembles(t *testing.T) {
	ptxas := ptxasPath(t)
	var jobs []*ptxasJob
	for _, k := range kernels.Registered() {
		for _, b := range k.Bench {
			for _, target := range ptxasTargets {
				p, err := k.Problem(b.Sizes, b.DType)
				require.NoError(t, err)
				p.Target = target // the target's own tuning space
				for _, cfg := range k.Space(p) {
					plan, err := k.Plan(p, cfg)
					require.NoError(t, err, "%s %s %s", k.Name, p, cfg)
					funcs, err := plan.Specialize()
					require.NoError(t, err, "%s %s %s", k.Name, p, cfg)
					for i, f := range funcs {
						jobs = append(jobs, &ptxasJob{k.Name, p.String(), cfg.String(), i, f, plan.NominalArgs(i), target})
					}
				}
			}
		}
	}
	require.NotEmpty(t, jobs)

	dir := t.TempDir()
	results := make([]ptxasResult, len(jobs))
	// One ptxas run per distinct (PTX, target); the others wait for it.
	type assembled struct {
		done chan struct{}
		rep  *ptxasReport
		err  error
	}
	var mu sync.Mutex
	seen := map[[32]byte]*assembled{}
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] = runPTXASJob(jobs[i], ptxas, dir, i, func(key [32]byte, run func() (*ptxasReport, error)) (*ptxasReport, error) {
					mu.Lock()
					a, ok := seen[key]
					if !ok {
						a = &assembled{done: make(chan struct{})}
						seen[key] = a
					}
					mu.Unlock()
					if !ok {
						a.rep, a.err = run()
						close(a.done)
					}
					<-a.done
					return a.rep, a.err
				})
			}
		}()
	}
	for i := range jobs {
		work <- i
	}
	close(work)
	wg.Wait()

	type maxKey struct{ kernel, target string }
	most := map[maxKey]ptxasResult{}
	for _, r := range results {
		j := r.job
		if r.fn.Name == "" { // no ptxas report: compile or assembler error
			t.Errorf("%s: %v", j, r.err)
			continue
		}
		t.Logf("%s: %d registers (estimate %d), %d bytes stack, %d/%d bytes spilled (stores/loads)",
			j, r.fn.Registers, r.estimate, r.fn.StackFrame, r.fn.SpillStores, r.fn.SpillLoads)
		switch {
		case r.fn.Registers > 255:
			t.Errorf("%s: %d registers, more than 255", j, r.fn.Registers)
		case r.fn.SpillStores > 0 || r.fn.SpillLoads > 0:
			t.Errorf("%s: spills %d bytes (stores) / %d bytes (loads) with %d registers", j, r.fn.SpillStores, r.fn.SpillLoads, r.fn.Registers)
		case r.fn.StackFrame > 0:
			t.Errorf("%s: %d bytes of stack frame (local memory)", j, r.fn.StackFrame)
		case r.err != nil: // warnings and advisories
			t.Errorf("%s: %v", j, r.err)
		}
		k := maxKey{j.kernel, j.target}
		if m, ok := most[k]; !ok || r.fn.Registers > m.fn.Registers {
			most[k] = r
		}
	}
	keys := make([]maxKey, 0, len(most))
	for k := range most {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a].kernel != keys[b].kernel {
			return keys[a].kernel < keys[b].kernel
		}
		return keys[a].target < keys[b].target
	})
	var sb strings.Builder
	for _, k := range keys {
		r := most[k]
		fmt.Fprintf(&sb, "\n  %-8s %-7s %3d registers (estimate %d) at %s %s", k.kernel, k.target, r.fn.Registers, r.estimate, r.job.problem, r.job.config)
	}
	t.Logf("%d launches assembled (%d distinct PTX×target); most registers per kernel and target:%s", len(jobs), len(seen), sb.String())
}

// runPTXASJob compiles a job and assembles its PTX through once, which
// runs ptxas only for the first job with the same PTX and target.
func runPTXASJob(j *ptxasJob, ptxas, dir string, n int, once func([32]byte, func() (*ptxasReport, error)) (*ptxasReport, error)) ptxasResult {
	res := ptxasResult{job: j}
	bin, err := tilec.Compile(j.f, tilec.Options{Target: tilec.Target(j.target), Facts: tilec.FactsOf(j.f, j.facts)})
	if err != nil {
		res.err = fmt.Errorf("compile: %w", err)
		return res
	}
	res.estimate = bin.LiveRegisters()
	key := sha256.Sum256([]byte(j.target + "\x00" + bin.PTX))
	rep, err := once(key, func() (*ptxasReport, error) {
		return assemblePTX(ptxas, dir, fmt.Sprintf("k%d", n), bin.PTX, j.target)
	})
	if err != nil {
		res.err = err
		return res
	}
	fn := rep.Entry(j.f.Name)
	switch {
	case fn == nil:
		res.err = fmt.Errorf("ptxas reports no entry %q:\n%s", j.f.Name, rep.Log)
	case fn.Registers < 0:
		res.err = fmt.Errorf("ptxas reports no register count for %s:\n%s", j.f.Name, rep.Log)
	default:
		res.fn = *fn
	}
	if len(rep.Problems) > 0 && res.err == nil {
		res.err = fmt.Errorf("ptxas: %s", strings.Join(rep.Problems, "; "))
	}
	return res
}

// TestFlashSASSUsesTensorCores assembles the flash kernel (the first
// config of its tuning space at its first benchmark shape) and reads the
// SASS of its key loop: on sm_80 it multiplies with HMMA; on sm_90a with
// HGMMA and no HMMA, its K and V tiles arriving by TMA (UTMALDG) on
// mbarriers (SYNCS), none by cp.async (LDGSTS) or ldmatrix (LDSM).
func TestFlashSASSUsesTensorCores(t *testing.T) {
	ptxas := ptxasPath(t)
	cuobjdump := cuobjdumpPath(t)
	k := kernels.Lookup("flash")
	require.NotNil(t, k, "kernel flash is not registered")
	require.NotEmpty(t, k.Bench)
	for _, target := range ptxasTargets {
		p, err := k.Problem(k.Bench[0].Sizes, k.Bench[0].DType)
		require.NoError(t, err)
		p.Target = target
		space := k.Space(p)
		require.NotEmpty(t, space)
		plan, err := k.Plan(p, space[0])
		require.NoError(t, err)
		funcs, err := plan.Specialize()
		require.NoError(t, err)
		f := funcs[0]
		bin, err := tilec.Compile(f, tilec.Options{Target: tilec.Target(target), Facts: tilec.FactsOf(f, plan.NominalArgs(0))})
		require.NoError(t, err)
		rep, err := assemblePTX(ptxas, t.TempDir(), "flash", bin.PTX, target)
		require.NoError(t, err)
		sass := cubinSASS(t, cuobjdump, rep.Cubin, f.Name)
		loop := keyLoop(sass)
		require.NotEmpty(t, loop, "no loop with tensor-core instructions in the SASS of %s on %s:\n%s", f.Name, target, sass)
		count := func(op string) [][]int { return regexp.MustCompile(`\s`+op+`[.\s]`).FindAllStringIndex(loop, -1) }
		n := strings.Count(loop, "\n")
		t.Logf("flash %s %s on %s: key loop of %d instructions: %d HGMMA, %d HMMA, %d UTMALDG, %d LDGSTS, %d LDSM",
			p, space[0], target, n, len(count("HGMMA")), len(count("HMMA")), len(count("UTMALDG")), len(count("LDGSTS")), len(count("LDSM")))
		if target == "sm_90a" {
			require.NotEmpty(t, count("HGMMA"), "no HGMMA in the key loop:\n%s", loop)
			require.Empty(t, count("HMMA"), "HMMA in the key loop:\n%s", loop)
			require.NotEmpty(t, count("UTMALDG"), "no TMA copy in the key loop:\n%s", loop)
			require.Empty(t, count("LDGSTS"), "cp.async in the key loop:\n%s", loop)
			require.Empty(t, count("LDSM"), "ldmatrix in the key loop:\n%s", loop)
		} else {
			require.NotEmpty(t, count("HMMA"), "no HMMA in the key loop:\n%s", loop)
		}
	}
}

// sassInst is one instruction line of cuobjdump -sass: its address and text.
var sassInst = regexp.MustCompile(`(?m)^\s+/\*([0-9a-f]+)\*/\s+([^;]*);`)

// sassBackBranch is a branch with an absolute target.
var sassBackBranch = regexp.MustCompile(`\bBRA\b[^;]*?0x([0-9a-f]+)`)

// keyLoop returns the instructions (one a line) of the smallest loop of a
// function's SASS, a backward branch's span, that multiplies on the tensor
// cores: a kernel's key loop. (ptxas may put a loop's slow paths, such as
// an mbarrier's retries, after the function's end; their spans are larger.)
func keyLoop(sass string) string {
	type inst struct {
		addr uint64
		text string
	}
	var insts []inst
	for _, m := range sassInst.FindAllStringSubmatch(sass, -1) {
		a, _ := strconv.ParseUint(m[1], 16, 64)
		insts = append(insts, inst{a, strings.TrimSpace(m[2])})
	}
	best := ""
	for _, in := range insts {
		m := sassBackBranch.FindStringSubmatch(in.text)
		if m == nil {
			continue
		}
		target, _ := strconv.ParseUint(m[1], 16, 64)
		if target >= in.addr {
			continue
		}
		var sb strings.Builder
		for _, x := range insts {
			if target <= x.addr && x.addr <= in.addr {
				sb.WriteString(" " + x.text + "\n")
			}
		}
		body := sb.String()
		if (strings.Contains(body, "HGMMA") || strings.Contains(body, "HMMA")) && (best == "" || len(body) < len(best)) {
			best = body
		}
	}
	return best
}

// TestSASSFunction pins the parsing of cuobjdump -sass output.
func TestSASSFunction(t *testing.T) {
	dump := "\nFatbin elf code:\n================\narch = sm_80\n\n\tcode for sm_80\n" +
		"\t\tFunction : first\n\t.headerflags\t@\"EF_CUDA_SM80\"\n        /*0000*/ MOV R1, c[0x0][0x28] ;\n" +
		"\t\t..........\n\n\n" +
		"\t\tFunction : second\n\t.headerflags\t@\"EF_CUDA_SM80\"\n        /*0000*/ HMMA.16816.F32 R0, R4, R8, R0 ;\n        /*0010*/ EXIT ;\n"
	s, ok := sassFunction(dump, "second")
	require.True(t, ok)
	require.Contains(t, s, "HMMA.16816.F32")
	require.NotContains(t, s, "MOV R1")
	s, ok = sassFunction(dump, "first")
	require.True(t, ok)
	require.Contains(t, s, "MOV R1")
	require.NotContains(t, s, "HMMA")
	_, ok = sassFunction(dump, "third")
	require.False(t, ok)
}
