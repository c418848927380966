package flash

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

// Layout is the memory order of Q, K, V and O.
type Layout int

// Layouts.
const (
	BHND Layout = iota // [batch, heads, seq, head_dim], contiguous
	BNHD               // [batch, seq, heads, head_dim], as FlashAttention stores it
)

// Options describe one attention problem.
type Options struct {
	B, H, HKV, N, D int // batch, query heads, key/value heads (0: H), sequence length, head dim
	Causal          bool
	Scale           float64 // softmax scale; 0 means 1/sqrt(D)
	DType           ir.DType
	Layout          Layout
	// Target is the architecture the kernel is compiled for ("": the
	// default); it only changes the tuning space.
	Target string
}

// HeadDims are the supported head dimensions.
var HeadDims = []int{32, 64, 96, 128}

// Normalize fills in the defaults (HKV: H, Scale: 1/sqrt(D)) and checks
// the options.
func (o Options) Normalize() (Options, error) {
	if o.HKV == 0 {
		o.HKV = o.H
	}
	if o.Scale == 0 {
		o.Scale = 1 / math.Sqrt(float64(o.D))
	}
	switch {
	case o.B < 1 || o.H < 1 || o.N < 1:
		return o, fmt.Errorf("flash: sizes must be positive (B=%d, H=%d, N=%d)", o.B, o.H, o.N)
	case o.HKV < 1 || o.H%o.HKV != 0:
		return o, fmt.Errorf("flash: HKV=%d must divide H=%d (grouped-query attention)", o.HKV, o.H)
	case o.DType != ir.F16 && o.DType != ir.BF16:
		return o, fmt.Errorf("flash: dtype %s is not supported (f16, bf16)", o.DType)
	case o.Layout != BHND && o.Layout != BNHD:
		return o, fmt.Errorf("flash: unknown layout %d", o.Layout)
	}
	for _, d := range HeadDims {
		if o.D == d {
			return o, nil
		}
	}
	return o, fmt.Errorf("flash: head dim D=%d is not supported (32, 64, 96, 128)", o.D)
}

// strides returns the element strides of a [B, heads, N, D] tensor in the
// layout, in (batch, head, seq, dim) order.
func (o Options) strides(heads int) [4]int {
	if o.Layout == BNHD {
		return [4]int{o.N * heads * o.D, o.D, heads * o.D, 1}
	}
	return [4]int{heads * o.N * o.D, o.N * o.D, o.D, 1}
}

func (o Options) view(heads int) *kernels.View {
	s := o.strides(heads)
	return &kernels.View{Shape: []int{o.B, heads, o.N, o.D}, Strides: s[:]}
}

// FLOPs counts the two matmuls, 4·B·H·N²·D, halved for causal attention.
func (o Options) FLOPs() float64 {
	f := 4 * float64(o.B) * float64(o.H) * float64(o.N) * float64(o.N) * float64(o.D)
	if o.Causal {
		f /= 2
	}
	return f
}

// Space returns the tuning space pruned for the problem: BLOCK_N must not
// exceed the head dim (Triton's static assert) and, causal, must divide
// BLOCK_M so the diagonal stage covers whole key blocks; configs whose
// tiles need too many registers per thread are left out.
func Space(o Options) []ir.Config {
	all := [][4]int{ // BLOCK_M, BLOCK_N, num_warps, num_stages
		{128, 64, 8, 3}, {128, 32, 4, 3}, {64, 64, 4, 3}, {64, 32, 4, 4},
		{128, 128, 8, 2}, {64, 128, 4, 2}, {128, 64, 4, 4}, {32, 32, 4, 3},
		{16, 16, 1, 2},
	}
	hd := kernels.NextPow2(o.D)
	hopper := o.Target == "sm_90a"
	if hopper {
		// Two warpgroups with a deeper TMA ring: the sm_90a kernel's shared
		// memory holds Q and the ring only (227 KB allows 4 stages at D=128).
		all = append(all, [4]int{128, 64, 8, 4}, [4]int{128, 64, 8, 2})
	}
	var out []ir.Config
	for _, c := range all {
		if c[1] > hd || (o.Causal && c[0]%c[1] != 0) {
			continue
		}
		// Registers per thread for the accumulator, the scores and Q's
		// fragments: above 128 the kernel spills once addresses, K/V
		// fragments and the softmax state are added (codegen's estimate,
		// Binary.LiveRegisters, is checked by tests/counters_test.go).
		// With wgmma (sm_90a, whole warpgroups) Q stays in shared memory,
		// but the scores are also held as P for the second product.
		regs := c[0] * (hd + hd/2 + c[1]) / (32 * c[2])
		if hopper && c[2]%4 == 0 && c[0]%(16*c[2]) == 0 {
			regs = c[0] * (hd + c[1] + c[1]/2) / (32 * c[2])
		}
		if regs > 128 {
			continue
		}
		out = append(out, ir.Config{"BLOCK_M": c[0], "BLOCK_N": c[1], ir.KeyNumWarps: c[2], ir.KeyNumStages: c[3]})
	}
	return out
}

// NewPlan builds the plan of one attention problem with a config.
func NewPlan(o Options, cfg ir.Config) (*kernels.Plan, error) {
	o, err := o.Normalize()
	if err != nil {
		return nil, err
	}
	cfg, err = kernels.Only(cfg, "BLOCK_M", "BLOCK_N")
	if err != nil {
		return nil, fmt.Errorf("flash: %w", err)
	}
	bm, err := kernels.Pow2(cfg, "BLOCK_M", 16, 256)
	if err != nil {
		return nil, fmt.Errorf("flash: %w", err)
	}
	bn, err := kernels.Pow2(cfg, "BLOCK_N", 16, 256)
	if err != nil {
		return nil, fmt.Errorf("flash: %w", err)
	}
	hd := kernels.NextPow2(o.D)
	if bn > hd {
		return nil, fmt.Errorf("flash: BLOCK_N=%d exceeds the head dim %d", bn, hd)
	}
	if o.Causal && bm%bn != 0 {
		return nil, fmt.Errorf("flash: causal attention needs BLOCK_N=%d to divide BLOCK_M=%d", bn, bm)
	}
	key := "attn_fwd"
	if o.Causal {
		key = "attn_fwd_causal"
	}
	f, err := kernels.Cached(key, o.DType, func() (*ir.Func, error) { return FwdIR(o.DType, o.Causal) })
	if err != nil {
		return nil, err
	}
	qs, ks := o.strides(o.H), o.strides(o.HKV)
	qLen, kLen := o.B*o.H*o.N*o.D, o.B*o.HKV*o.N*o.D
	tol := kernels.TolFor(o.DType)
	args := []kernels.Arg{kernels.Buf("q"), kernels.Buf("k"), kernels.Buf("v"), kernels.Float(o.Scale), kernels.Buf("lse"), kernels.Buf("o")}
	for _, s := range [][4]int{qs, ks, ks, qs} {
		for _, x := range s {
			args = append(args, kernels.Int(x))
		}
	}
	args = append(args, kernels.Int(o.B), kernels.Int(o.H), kernels.Int(o.H/o.HKV), kernels.Int(o.N), kernels.Int(o.D))
	elem := o.DType.Size()
	return &kernels.Plan{
		Buffers: []*kernels.Buffer{
			{Name: "q", DType: o.DType, Len: qLen, Role: kernels.Input, View: o.view(o.H)},
			{Name: "k", DType: o.DType, Len: kLen, Role: kernels.Input, View: o.view(o.HKV)},
			{Name: "v", DType: o.DType, Len: kLen, Role: kernels.Input, View: o.view(o.HKV)},
			{Name: "o", DType: o.DType, Len: qLen, Role: kernels.Output, View: o.view(o.H), Tol: tol},
			{Name: "lse", DType: ir.F32, Len: o.B * o.H * o.N, Role: kernels.Output, Tol: kernels.Tol{Abs: 1e-3, Rel: 1e-3, L2: 1e-4}},
		},
		Launches: []kernels.Launch{{
			Kernel:   f,
			Config:   kernels.With(cfg, ir.Config{"HEAD_DIM": hd}),
			Grid:     [3]int{kernels.CDiv(o.N, bm), o.B * o.H, 1},
			GridExpr: [3]kernels.GridExpr{"cdiv(N_CTX, BLOCK_M)", "Z * H", "1"},
			Keys:     []string{"head_dim"},
			Args:     args,
		}},
		FLOPs: o.FLOPs(),
		Bytes: float64((2*qLen + 2*kLen) * elem),
		Reference: func(in map[string][]float64) map[string][]float64 {
			return Reference(o, in["q"], in["k"], in["v"])
		},
	}, nil
}

// fullReferenceMACs is the most multiply-adds (of both products) for which
// the reference computes every row; a larger problem's reference samples
// about sampledReferenceMACs worth of rows, so that checking a config at a
// benchmark size (B=1, H=32, N=16384: 1.1e12) takes a second, not an hour.
const (
	fullReferenceMACs    = 1 << 30
	sampledReferenceMACs = 1 << 30
)

// Reference computes O and the log-sum-exp rows in float64 from buffers in
// the problem's layout. O comes back in view order ([B, H, N, D]). Above
// fullReferenceMACs it computes sampled rows only (kernels.NotComputed
// elsewhere).
func Reference(o Options, q, k, v []float64) map[string][]float64 {
	o, _ = o.Normalize()
	if macs := 2 * float64(o.B*o.H) * float64(o.N) * float64(o.N) * float64(o.D); macs > fullReferenceMACs {
		return sampledReference(o, q, k, v, sampledReferenceMACs)
	}
	qs, ks := o.strides(o.H), o.strides(o.HKV)
	gather := func(buf []float64, s [4]int, b, h int) *mat.Dense {
		m := mat.NewDense(o.N, o.D, nil)
		for i := 0; i < o.N; i++ {
			for j := 0; j < o.D; j++ {
				m.Set(i, j, buf[b*s[0]+h*s[1]+i*s[2]+j*s[3]])
			}
		}
		return m
	}
	out := make([]float64, 0, o.B*o.H*o.N*o.D)
	lse := make([]float64, 0, o.B*o.H*o.N)
	var s, p mat.Dense
	for b := 0; b < o.B; b++ {
		for h := 0; h < o.H; h++ {
			hk := h / (o.H / o.HKV)
			qm, km, vm := gather(q, qs, b, h), gather(k, ks, b, hk), gather(v, ks, b, hk)
			s.Mul(qm, km.T())
			s.Scale(o.Scale, &s)
			for i := 0; i < o.N; i++ {
				row := s.RawRowView(i)
				mx := math.Inf(-1)
				for j, x := range row {
					if o.Causal && j > i {
						row[j] = math.Inf(-1)
						continue
					}
					mx = math.Max(mx, x)
				}
				sum := 0.0
				for j, x := range row {
					row[j] = math.Exp(x - mx)
					sum += row[j]
				}
				for j := range row {
					row[j] /= sum
				}
				lse = append(lse, mx+math.Log(sum))
			}
			p.Mul(&s, vm)
			out = append(out, p.RawMatrix().Data...)
		}
	}
	return map[string][]float64{"o": out, "lse": lse}
}

// sampledReference computes about macs multiply-adds' worth of query rows
// in a few heads, row by row: the first and last rows of each sampled head
// (the first block and the ragged or causal-diagonal last one) and rows
// spread between them. Other elements are kernels.NotComputed.
func sampledReference(o Options, q, k, v []float64, macs int) map[string][]float64 {
	out := make([]float64, o.B*o.H*o.N*o.D)
	lse := make([]float64, o.B*o.H*o.N)
	for i := range out {
		out[i] = kernels.NotComputed
	}
	for i := range lse {
		lse[i] = kernels.NotComputed
	}
	heads := sampleHeads(o.B, o.H)
	perHead := max(2, min(o.N, macs/(len(heads)*2*o.N*o.D)))
	type job struct{ b, h, i int }
	var jobs []job
	for _, bh := range heads {
		for _, i := range sampleRows(o.N, perHead) {
			jobs = append(jobs, job{bh[0], bh[1], i})
		}
	}
	qs, ks := o.strides(o.H), o.strides(o.HKV)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s := make([]float64, o.N)
			acc := make([]float64, o.D)
			for n := w; n < len(jobs); n += workers {
				b, h, i := jobs[n].b, jobs[n].h, jobs[n].i
				hk := h / (o.H / o.HKV)
				qi := q[b*qs[0]+h*qs[1]+i*qs[2]:][:o.D]
				kv := b*ks[0] + hk*ks[1]
				last := o.N - 1
				if o.Causal {
					last = i
				}
				mx := math.Inf(-1)
				for j := 0; j <= last; j++ {
					s[j] = o.Scale * floats.Dot(qi, k[kv+j*ks[2]:][:o.D])
					mx = math.Max(mx, s[j])
				}
				sum := 0.0
				for d := range acc {
					acc[d] = 0
				}
				for j := 0; j <= last; j++ {
					p := math.Exp(s[j] - mx)
					sum += p
					floats.AddScaled(acc, p, v[kv+j*ks[2]:][:o.D])
				}
				row := ((b*o.H+h)*o.N + i)
				for d, a := range acc {
					out[row*o.D+d] = a / sum
				}
				lse[row] = mx + math.Log(sum)
			}
		}(w)
	}
	wg.Wait()
	return map[string][]float64{"o": out, "lse": lse}
}

// sampleHeads picks up to four (batch, head) pairs: the first, the last
// and two between.
func sampleHeads(b, h int) [][2]int {
	cand := [][2]int{{0, 0}, {b - 1, h - 1}, {b / 2, h / 3}, {(b - 1) / 3, h - 1 - h/2}}
	var out [][2]int
	seen := map[[2]int]bool{}
	for _, c := range cand {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// sampleRows picks about n of the rows 0..N-1: the first and last 8 and
// the rest spread evenly, each nudged off the block-aligned grid.
func sampleRows(N, n int) []int {
	seen := map[int]bool{}
	var rows []int
	add := func(i int) {
		if i >= 0 && i < N && !seen[i] {
			seen[i] = true
			rows = append(rows, i)
		}
	}
	for i := 0; i < 8; i++ {
		add(i)
		add(N - 1 - i)
	}
	for i := 0; len(rows) < n && i < n; i++ {
		step := max(1, N/n)
		add(i*step + (i*37)%step)
	}
	sort.Ints(rows)
	return rows
}

// Kernel is the FlashAttention forward kernel's description.
var Kernel = &kernels.Kernel{
	Name:    "flash",
	Summary: "FlashAttention forward (Triton tutorial 06): causal or full, GQA, ragged N, log-sum-exp",
	Params: []kernels.Param{
		{Name: "B", Default: 1, Doc: "batch"},
		{Name: "H", Default: 2, Doc: "query heads"},
		{Name: "HKV", Default: 0, Doc: "key/value heads (0: H; fewer for grouped-query attention)"},
		{Name: "N", Default: 100, Doc: "sequence length"},
		{Name: "D", Default: 64, Doc: "head dim: 32, 64, 96 or 128"},
		{Name: "causal", Default: 0, Doc: "1 for causal attention"},
		{Name: "layout", Default: 0, Doc: "0: [B, H, N, D]; 1: [B, N, H, D]"},
	},
	DTypes: []ir.DType{ir.F16, ir.BF16},
	Tuned:  []string{"BLOCK_M", "BLOCK_N"},
	Space:  func(p kernels.Problem) []ir.Config { return Space(options(p)) },
	Bench:  benchShapes(),
	Plan: func(p kernels.Problem, cfg ir.Config) (*kernels.Plan, error) {
		if c := p.Get("causal"); c != 0 && c != 1 {
			return nil, fmt.Errorf("flash: causal=%d must be 0 or 1", c)
		}
		return NewPlan(options(p), cfg)
	},
}

func options(p kernels.Problem) Options {
	return Options{B: p.Get("B"), H: p.Get("H"), HKV: p.Get("HKV"), N: p.Get("N"), D: p.Get("D"),
		Causal: p.Get("causal") == 1, DType: p.DType, Layout: Layout(p.Get("layout")), Target: p.Target}
}

// benchShapes are ANCHORS.md's FlashAttention rows: B·N = 16384 and
// H·D = 2048, head dims 64 and 128, N = 1024, 4096, 16384, full and
// causal, f16 (and bf16 for the mma.sync comparison).
func benchShapes() []kernels.BenchShape {
	var out []kernels.BenchShape
	for _, dt := range []ir.DType{ir.F16, ir.BF16} {
		for _, d := range []int{64, 128} {
			for _, n := range []int{1024, 4096, 16384} {
				for _, causal := range []int{0, 1} {
					out = append(out, kernels.BenchShape{DType: dt,
						Sizes: map[string]int{"B": 16384 / n, "H": 2048 / d, "N": n, "D": d, "causal": causal}})
				}
			}
		}
	}
	return out
}
