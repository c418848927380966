package moe

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

// Options describe one dispatch problem.
type Options struct {
	T, Hd, E, K int // tokens, hidden size, experts, experts per token
	Renorm      bool
	Pad         int // segment padding (a grouped GEMM's block); 0: 16
	DType       ir.DType
	// LogitsF32 keeps the router logits in f32 (routers often compute in
	// f32); otherwise they have the hidden rows' dtype.
	LogitsF32 bool
}

func (o Options) logitsType() ir.DType {
	if o.LogitsF32 {
		return ir.F32
	}
	return o.DType
}

// Normalize fills in the default padding (16) and checks the options.
func (o Options) Normalize() (Options, error) {
	if o.Pad == 0 {
		o.Pad = 16
	}
	switch {
	case o.T < 1 || o.Hd < 1:
		return o, fmt.Errorf("moe: sizes must be positive (T=%d, Hd=%d)", o.T, o.Hd)
	case o.E < 1 || o.E > 512:
		return o, fmt.Errorf("moe: E=%d experts is outside 1..512", o.E)
	case o.K < 1 || o.K > 8 || o.K > o.E:
		return o, fmt.Errorf("moe: top-k K=%d must be in 1..min(8, E=%d)", o.K, o.E)
	case o.Pad < 1:
		return o, fmt.Errorf("moe: pad=%d must be positive", o.Pad)
	case o.DType != ir.F16 && o.DType != ir.BF16 && o.DType != ir.F32:
		return o, fmt.Errorf("moe: dtype %s is not supported (f16, bf16, f32)", o.DType)
	}
	return o, nil
}

// Rows is the capacity of the permuted buffer: every slot plus the most
// padding the segments can need.
func (o Options) Rows() int { return o.T*o.K + o.E*(o.Pad-1) }

// Space is the tuning space, pruned so that a block's slot matrix
// (BLOCK_T·BLOCK_K)² and its row tile BLOCK_T·BLOCK_K × BLOCK_D stay
// small enough for registers.
func Space(o Options) []ir.Config {
	bk := kernels.NextPow2(o.K)
	var out []ir.Config
	be := kernels.NextPow2(o.E)
	for _, c := range [][3]int{{16, 128, 4}, {32, 64, 4}, {64, 64, 8}, {16, 64, 4}, {8, 128, 4}, {16, 64, 1}, {8, 256, 4}, {4, 256, 4}} {
		threads := 32 * c[2]
		// Per thread: the slot matrix, the row tile, the routing tile.
		if s := c[0] * bk; s > 128 || s*s/threads > 128 || s*c[1]/threads > 64 || c[0]*be/threads > 64 {
			continue
		}
		out = append(out, ir.Config{"BLOCK_T": c[0], "BLOCK_D": c[1], ir.KeyNumWarps: c[2]})
	}
	return out
}

// NewPlan builds the dispatch plan of one problem with a config.
func NewPlan(o Options, cfg ir.Config) (*kernels.Plan, error) {
	o, err := o.Normalize()
	if err != nil {
		return nil, err
	}
	if cfg, err = kernels.Only(cfg, "BLOCK_T", "BLOCK_D"); err != nil {
		return nil, fmt.Errorf("moe: %w", err)
	}
	bt, err := kernels.Pow2(cfg, "BLOCK_T", 1, 256)
	if err != nil {
		return nil, fmt.Errorf("moe: %w", err)
	}
	bd, err := kernels.Pow2(cfg, "BLOCK_D", 1, 4096)
	if err != nil {
		return nil, fmt.Errorf("moe: %w", err)
	}
	be, bk := kernels.NextPow2(o.E), kernels.NextPow2(o.K)
	if bt*bk > 1024 {
		return nil, fmt.Errorf("moe: BLOCK_T=%d times top-k %d exceeds 1024 slots per block", bt, bk)
	}
	dt := o.DType
	lt := o.logitsType()
	route, err := kernels.Cached(fmt.Sprintf("moe_route/%v", o.Renorm), lt, func() (*ir.Func, error) { return RouteIR(lt, o.Renorm) })
	if err != nil {
		return nil, err
	}
	scan, err := kernels.Cached("moe_scan", ir.I32, ScanIR)
	if err != nil {
		return nil, err
	}
	offsets, err := kernels.Cached("moe_offsets", ir.I32, OffsetsIR)
	if err != nil {
		return nil, err
	}
	dispatch, err := kernels.Cached("moe_dispatch", dt, func() (*ir.Func, error) { return DispatchIR(dt) })
	if err != nil {
		return nil, err
	}
	nb := kernels.CDiv(o.T, bt)
	rows := o.Rows()
	warps := ir.Config{ir.KeyNumWarps: cfg[ir.KeyNumWarps]}
	if warps[ir.KeyNumWarps] == 0 {
		warps = ir.Config{}
	}
	// The scan (8 warps whatever the config) reads 4096 histogram entries
	// per step, for up to 32 experts per program; the padding programs
	// write their rows (fewer than pad) in one step.
	se := min(be, 32)
	bb := min(kernels.NextPow2(nb), max(1, 4096/se))
	scanWarps := ir.Config{ir.KeyNumWarps: 8}
	br := min(kernels.NextPow2(max(o.Pad-1, 1)), bt*bk)
	plan := &kernels.Plan{
		Buffers: []*kernels.Buffer{
			{Name: "logits", DType: lt, Len: o.T * o.E, Role: kernels.Input},
			{Name: "hidden", DType: dt, Len: o.T * o.Hd, Role: kernels.Input},
			{Name: "topk_ids", DType: ir.I32, Len: o.T * o.K, Role: kernels.Output, Tol: kernels.Tol{Exact: true}},
			{Name: "topk_weights", DType: ir.F32, Len: o.T * o.K, Role: kernels.Output, Tol: kernels.Tol{Abs: 1e-6, Rel: 1e-5, L2: 1e-5}},
			{Name: "counts", DType: ir.I32, Len: o.E, Role: kernels.Output, Tol: kernels.Tol{Exact: true}},
			{Name: "offsets", DType: ir.I32, Len: o.E + 1, Role: kernels.Output, Tol: kernels.Tol{Exact: true}},
			{Name: "sorted_ids", DType: ir.I32, Len: rows, Role: kernels.Output, Tol: kernels.Tol{Exact: true}},
			{Name: "inverse", DType: ir.I32, Len: o.T * o.K, Role: kernels.Output, Tol: kernels.Tol{Exact: true}},
			{Name: "permuted", DType: dt, Len: rows * o.Hd, Role: kernels.Output, Tol: kernels.Tol{Exact: true}},
			{Name: "hist", DType: ir.I32, Len: nb * o.E, Role: kernels.Scratch},
			{Name: "blockoff", DType: ir.I32, Len: nb * o.E, Role: kernels.Scratch},
		},
		Launches: []kernels.Launch{
			{Kernel: route, Config: kernels.With(warps, ir.Config{"BLOCK_T": bt, "BLOCK_E": be}), Grid: [3]int{nb, 1, 1},
				GridExpr: [3]kernels.GridExpr{"cdiv(T, BLOCK_T)", "1", "1"}, Keys: []string{"E"},
				Args: []kernels.Arg{kernels.Buf("logits"), kernels.Buf("topk_ids"), kernels.Buf("topk_weights"), kernels.Buf("hist"),
					kernels.Int(o.T), kernels.Int(o.E), kernels.Int(o.K)}},
			{Kernel: scan, Config: kernels.With(scanWarps, ir.Config{"BLOCK_E": se, "BLOCK_B": bb}), Grid: [3]int{kernels.CDiv(o.E, se), 1, 1},
				GridExpr: [3]kernels.GridExpr{"cdiv(E, BLOCK_E)", "1", "1"},
				Args:     []kernels.Arg{kernels.Buf("hist"), kernels.Buf("blockoff"), kernels.Buf("counts"), kernels.Int(nb), kernels.Int(o.E)}},
			{Kernel: offsets, Config: kernels.With(warps, ir.Config{"BLOCK_E": be}), Grid: [3]int{1, 1, 1},
				GridExpr: [3]kernels.GridExpr{"1", "1", "1"}, Keys: []string{"E"},
				Args: []kernels.Arg{kernels.Buf("counts"), kernels.Buf("offsets"), kernels.Int(o.E), kernels.Int(o.Pad)}},
			{Kernel: dispatch, Config: kernels.With(warps, ir.Config{"BLOCK_T": bt, "BLOCK_K": bk, "BLOCK_S": bt * bk, "BLOCK_D": bd, "BLOCK_R": br}),
				Grid: [3]int{nb + o.E, 1, 1}, GridExpr: [3]kernels.GridExpr{"NB + E", "1", "1"}, Keys: []string{"K"},
				Args: []kernels.Arg{kernels.Buf("hidden"), kernels.Buf("topk_ids"), kernels.Buf("blockoff"), kernels.Buf("offsets"), kernels.Buf("counts"),
					kernels.Buf("sorted_ids"), kernels.Buf("inverse"), kernels.Buf("permuted"),
					kernels.Int(o.T), kernels.Int(o.E), kernels.Int(o.K), kernels.Int(o.Hd), kernels.Int(nb), kernels.Int(rows)}},
		},
		FLOPs: float64(o.T * o.E * 4),
		// The least DRAM traffic: the logits and hidden rows read once, the
		// permuted rows (padding included) and the index arrays written.
		Bytes: float64(o.T*o.E*lt.Size() + o.T*o.Hd*dt.Size() + rows*o.Hd*dt.Size() + 3*o.T*o.K*4 + rows*4),
		Reference: func(in map[string][]float64) map[string][]float64 {
			return Reference(o, in["logits"], in["hidden"])
		},
	}
	return plan, nil
}

// Reference computes dispatch in float64 with a stable sort: top-k on the
// logits (ties to the lower expert), softmax weights, counts, padded
// offsets, and the permutation in which slots of one expert keep their
// (token, slot) order. Padding slots hold the sentinel T*K and zero rows.
func Reference(o Options, logits, hidden []float64) map[string][]float64 {
	o, _ = o.Normalize()
	ids := make([]float64, o.T*o.K)
	weights := make([]float64, o.T*o.K)
	counts := make([]float64, o.E)
	for t := 0; t < o.T; t++ {
		row := logits[t*o.E : (t+1)*o.E]
		order := make([]int, o.E)
		for e := range order {
			order[e] = e
		}
		sort.SliceStable(order, func(a, b int) bool { return row[order[a]] > row[order[b]] })
		mx, sum := math.Inf(-1), 0.0
		for _, v := range row {
			mx = math.Max(mx, v)
		}
		for _, v := range row {
			sum += math.Exp(v - mx)
		}
		sel := 0.0
		for j := 0; j < o.K; j++ {
			sel += math.Exp(row[order[j]]-mx) / sum
		}
		for j := 0; j < o.K; j++ {
			e := order[j]
			ids[t*o.K+j] = float64(e)
			w := math.Exp(row[e]-mx) / sum
			if o.Renorm {
				w /= sel
			}
			weights[t*o.K+j] = w
			counts[e]++
		}
	}
	offsets := make([]float64, o.E+1)
	for e := 0; e < o.E; e++ {
		offsets[e+1] = offsets[e] + math.Ceil(counts[e]/float64(o.Pad))*float64(o.Pad)
	}
	rows := o.Rows()
	sentinel := float64(o.T * o.K)
	sorted := make([]float64, rows)
	for i := range sorted {
		sorted[i] = sentinel
	}
	inverse := make([]float64, o.T*o.K)
	permuted := make([]float64, rows*o.Hd)
	next := append([]float64(nil), offsets[:o.E]...)
	for f := 0; f < o.T*o.K; f++ { // slots in (token, slot) order: a stable sort by expert
		e := int(ids[f])
		p := int(next[e])
		next[e]++
		sorted[p] = float64(f)
		inverse[f] = float64(p)
		t := f / o.K
		copy(permuted[p*o.Hd:(p+1)*o.Hd], hidden[t*o.Hd:(t+1)*o.Hd])
	}
	return map[string][]float64{"topk_ids": ids, "topk_weights": weights, "counts": counts, "offsets": offsets,
		"sorted_ids": sorted, "inverse": inverse, "permuted": permuted}
}

// CombineOptions describe one combine problem.
type CombineOptions struct {
	T, Hd, K, Rows int // tokens, hidden size, experts per token, rows of expert output
	DType          ir.DType
}

// NewCombinePlan builds the combine plan: out[t] = sum_j w[t,j] ·
// expert_out[inverse[t,j]].
func NewCombinePlan(o CombineOptions, cfg ir.Config) (*kernels.Plan, error) {
	if o.T < 1 || o.Hd < 1 || o.K < 1 || o.K > 8 || o.Rows < 1 {
		return nil, fmt.Errorf("moe_combine: sizes out of range (T=%d, Hd=%d, K=%d, rows=%d)", o.T, o.Hd, o.K, o.Rows)
	}
	if o.DType != ir.F16 && o.DType != ir.BF16 && o.DType != ir.F32 {
		return nil, fmt.Errorf("moe_combine: dtype %s is not supported (f16, bf16, f32)", o.DType)
	}
	cfg, err := kernels.Only(cfg, "BLOCK_T", "BLOCK_D")
	if err != nil {
		return nil, fmt.Errorf("moe_combine: %w", err)
	}
	bt, err := kernels.Pow2(cfg, "BLOCK_T", 1, 256)
	if err != nil {
		return nil, fmt.Errorf("moe_combine: %w", err)
	}
	bd, err := kernels.Pow2(cfg, "BLOCK_D", 1, 4096)
	if err != nil {
		return nil, fmt.Errorf("moe_combine: %w", err)
	}
	f, err := kernels.Cached("moe_combine", o.DType, func() (*ir.Func, error) { return CombineIR(o.DType) })
	if err != nil {
		return nil, err
	}
	rows := o.Rows
	return &kernels.Plan{
		Buffers: []*kernels.Buffer{
			{Name: "expert_out", DType: o.DType, Len: rows * o.Hd, Role: kernels.Input},
			{Name: "topk_weights", DType: ir.F32, Len: o.T * o.K, Role: kernels.Input, Init: func(r *rand.Rand, _ int) float64 { return r.Float64() }},
			{Name: "inverse", DType: ir.I32, Len: o.T * o.K, Role: kernels.Input, Init: func(r *rand.Rand, _ int) float64 { return float64(r.IntN(rows)) }},
			{Name: "out", DType: o.DType, Len: o.T * o.Hd, Role: kernels.Output, Tol: kernels.TolFor(o.DType)},
		},
		Launches: []kernels.Launch{{Kernel: f, Config: cfg, Grid: [3]int{kernels.CDiv(o.T, bt), kernels.CDiv(o.Hd, bd), 1},
			GridExpr: [3]kernels.GridExpr{"cdiv(T, BLOCK_T)", "cdiv(Hd, BLOCK_D)", "1"},
			Args: []kernels.Arg{kernels.Buf("expert_out"), kernels.Buf("topk_weights"), kernels.Buf("inverse"), kernels.Buf("out"),
				kernels.Int(o.T), kernels.Int(o.K), kernels.Int(o.Hd)}}},
		FLOPs: float64(2 * o.T * o.K * o.Hd),
		Bytes: float64((o.T*o.K + o.T) * o.Hd * o.DType.Size()),
		Reference: func(in map[string][]float64) map[string][]float64 {
			out := make([]float64, o.T*o.Hd)
			for t := 0; t < o.T; t++ {
				for j := 0; j < o.K; j++ {
					w, src := in["topk_weights"][t*o.K+j], int(in["inverse"][t*o.K+j])
					for d := 0; d < o.Hd; d++ {
						out[t*o.Hd+d] += w * in["expert_out"][src*o.Hd+d]
					}
				}
			}
			return map[string][]float64{"out": out}
		},
	}, nil
}

// Kernel is MoE dispatch's description.
var Kernel = &kernels.Kernel{
	Name:    "moe",
	Summary: "MoE dispatch: softmax top-k routing, counts, padded offsets, stable permutation of hidden rows",
	Params: []kernels.Param{
		{Name: "T", Default: 100, Doc: "tokens"},
		{Name: "Hd", Default: 64, Doc: "hidden size"},
		{Name: "E", Default: 8, Doc: "experts (up to 512)"},
		{Name: "K", Default: 2, Doc: "experts per token (up to 8)"},
		{Name: "renorm", Default: 0, Doc: "1: renormalize the top-k weights to sum to 1"},
		{Name: "pad", Default: 16, Doc: "pad each expert's segment to a multiple of this"},
		{Name: "f32logits", Default: 0, Doc: "1: router logits in f32 (else the hidden rows' dtype)"},
	},
	DTypes: []ir.DType{ir.BF16, ir.F16, ir.F32},
	Tuned:  []string{"BLOCK_T", "BLOCK_D"},
	// ANCHORS.md: Mixtral-, DeepSeek-V3- and Qwen3-MoE-like shapes, bf16.
	Bench: []kernels.BenchShape{
		{DType: ir.BF16, Sizes: map[string]int{"T": 16384, "Hd": 4096, "E": 8, "K": 2, "f32logits": 1}},
		{DType: ir.BF16, Sizes: map[string]int{"T": 8192, "Hd": 7168, "E": 256, "K": 8, "f32logits": 1}},
		{DType: ir.BF16, Sizes: map[string]int{"T": 32768, "Hd": 2048, "E": 128, "K": 8, "f32logits": 1}},
	},
	Space: func(p kernels.Problem) []ir.Config {
		o, _ := options(p).Normalize()
		return Space(o)
	},
	Plan: func(p kernels.Problem, cfg ir.Config) (*kernels.Plan, error) {
		for _, s := range []string{"renorm", "f32logits"} {
			if v := p.Get(s); v != 0 && v != 1 {
				return nil, fmt.Errorf("moe: %s=%d must be 0 or 1", s, v)
			}
		}
		return NewPlan(options(p), cfg)
	},
}

func options(p kernels.Problem) Options {
	return Options{T: p.Get("T"), Hd: p.Get("Hd"), E: p.Get("E"), K: p.Get("K"), Renorm: p.Get("renorm") == 1,
		Pad: p.Get("pad"), DType: p.DType, LogitsF32: p.Get("f32logits") == 1}
}

// Combine is the combine step's description.
var Combine = &kernels.Kernel{
	Name:    "moe_combine",
	Summary: "MoE combine: out[t] = sum over the top-k of weight · expert output row",
	Params: []kernels.Param{
		{Name: "T", Default: 100, Doc: "tokens"},
		{Name: "Hd", Default: 64, Doc: "hidden size"},
		{Name: "K", Default: 2, Doc: "experts per token"},
		{Name: "rows", Default: 320, Doc: "rows of the expert output"},
	},
	DTypes: []ir.DType{ir.BF16, ir.F16, ir.F32},
	Tuned:  []string{"BLOCK_T", "BLOCK_D"},
	Space: func(p kernels.Problem) []ir.Config {
		var out []ir.Config
		for _, c := range [][3]int{{16, 64, 4}, {4, 128, 4}, {32, 32, 4}, {1, 256, 1}} {
			out = append(out, ir.Config{"BLOCK_T": c[0], "BLOCK_D": c[1], ir.KeyNumWarps: c[2]})
		}
		return out
	},
	Plan: func(p kernels.Problem, cfg ir.Config) (*kernels.Plan, error) {
		return NewCombinePlan(CombineOptions{T: p.Get("T"), Hd: p.Get("Hd"), K: p.Get("K"), Rows: p.Get("rows"), DType: p.DType}, cfg)
	},
}
