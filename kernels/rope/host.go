package rope

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

// Options describe one RoPE problem.
type Options struct {
	T, H, HK, D int // tokens, q heads, k heads, head dim
	Rot         int // rotary dims (0: D); even
	Style       Style
	HasPos      bool // positions from a tensor of values in [0, MaxPos)
	MaxPos      int  // positions (and cache rows); 0: T
	HasCache    bool // cos/sin caches instead of computing them
	InPlace     bool
	Base        float64 // 0: 10000
	DType       ir.DType
}

// Normalize fills in the defaults (Rot: D, MaxPos: T, Base: 10000) and
// checks the options.
func (o Options) Normalize() (Options, error) {
	if o.Rot == 0 {
		o.Rot = o.D
	}
	if o.MaxPos == 0 {
		o.MaxPos = o.T
	}
	if o.Base == 0 {
		o.Base = 10000
	}
	switch {
	case o.T < 1 || o.H < 1 || o.HK < 0 || o.D < 2:
		return o, fmt.Errorf("rope: sizes out of range (T=%d, H=%d, HK=%d, D=%d)", o.T, o.H, o.HK, o.D)
	case o.Rot < 2 || o.Rot > o.D || o.Rot%2 != 0:
		return o, fmt.Errorf("rope: rot=%d must be even and within 2..D=%d", o.Rot, o.D)
	case o.Style != NeoX && o.Style != GPTJ:
		return o, fmt.Errorf("rope: unknown style %d", o.Style)
	case o.DType != ir.F16 && o.DType != ir.BF16 && o.DType != ir.F32:
		return o, fmt.Errorf("rope: dtype %s is not supported (f16, bf16, f32)", o.DType)
	case !o.HasPos && o.MaxPos < o.T:
		return o, fmt.Errorf("rope: implicit positions need MaxPos >= T")
	case o.D > 4096:
		return o, fmt.Errorf("rope: head dim D=%d is above 4096", o.D)
	}
	return o, nil
}

func (o Options) variant() Variant {
	return Variant{Style: o.Style, HasPos: o.HasPos, HasCache: o.HasCache, CopyPass: !o.InPlace && o.Rot < o.D}
}

// Space is the tuning space: heads per program and warps, without blocks
// of more heads than the problem has. BLOCK_H=8 with 2 warps comes first
// (the default untuned): on an H200 it beat BLOCK_H=4 with 1 warp by 8%
// at T=16384, H=32, D=128 (docs/perf.md).
func Space(o Options) []ir.Config {
	heads := kernels.NextPow2(max(o.H, o.HK, 1))
	out := []ir.Config{{"BLOCK_H": min(8, heads), ir.KeyNumWarps: 2}}
	for _, bh := range []int{4, 1, 2, 8, 16, 32} {
		for _, w := range []int{1, 2, 4} {
			if bh > heads || (bh == out[0]["BLOCK_H"] && w == 2) {
				continue
			}
			out = append(out, ir.Config{"BLOCK_H": bh, ir.KeyNumWarps: w})
		}
	}
	return out
}

// NewPlan builds the plan of one RoPE problem with a config.
func NewPlan(o Options, cfg ir.Config) (*kernels.Plan, error) {
	o, err := o.Normalize()
	if err != nil {
		return nil, err
	}
	if cfg, err = kernels.Only(cfg, "BLOCK_H"); err != nil {
		return nil, fmt.Errorf("rope: %w", err)
	}
	bh, err := kernels.Pow2(cfg, "BLOCK_H", 1, 64)
	if err != nil {
		return nil, fmt.Errorf("rope: %w", err)
	}
	v := o.variant()
	f, err := kernels.Cached(v.name(), o.DType, func() (*ir.Func, error) { return IR(o.DType, v) })
	if err != nil {
		return nil, err
	}
	half := o.Rot / 2
	derived := ir.Config{"BLOCK_R": kernels.NextPow2(half)}
	if v.CopyPass {
		derived["BLOCK_P"] = kernels.NextPow2(o.D - o.Rot)
	}
	dt := o.DType
	qv, kv := kernels.Contiguous(o.T, o.H, o.D), kernels.Contiguous(o.T, o.HK, o.D)
	tol := kernels.TolFor(dt)
	if dt == ir.F32 && !o.HasCache {
		// The angle pos·θ is formed in f32: its error grows with the position.
		tol.Abs += 4 * float64(o.MaxPos) * math.Ldexp(1, -24)
		tol.L2 = 1e-4
	}
	plan := &kernels.Plan{}
	role := kernels.Input
	qOut, kOut := "q_out", "k_out"
	if o.InPlace {
		role, qOut, kOut = kernels.InOut, "q", "k"
	}
	plan.Buffers = []*kernels.Buffer{
		{Name: "q", DType: dt, Len: o.T * o.H * o.D, Role: role, View: qv, Tol: tol},
		{Name: "k", DType: dt, Len: o.T * o.HK * o.D, Role: role, View: kv, Tol: tol},
	}
	if !o.InPlace {
		plan.Buffers = append(plan.Buffers,
			&kernels.Buffer{Name: "q_out", DType: dt, Len: o.T * o.H * o.D, Role: kernels.Output, View: qv, Tol: tol},
			&kernels.Buffer{Name: "k_out", DType: dt, Len: o.T * o.HK * o.D, Role: kernels.Output, View: kv, Tol: tol})
	}
	args := []kernels.Arg{kernels.Buf("q"), kernels.Buf("k"), kernels.Buf(qOut), kernels.Buf(kOut)}
	if o.HasPos {
		maxPos := o.MaxPos
		plan.Buffers = append(plan.Buffers, &kernels.Buffer{Name: "positions", DType: ir.I32, Len: o.T, Role: kernels.Input,
			Init: func(r *rand.Rand, _ int) float64 { return float64(r.IntN(maxPos)) }})
		args = append(args, kernels.Buf("positions"))
	}
	theta := func(i int) float64 { return math.Pow(o.Base, -float64(2*i)/float64(o.Rot)) }
	if o.HasCache {
		for _, name := range []string{"cos", "sin"} {
			fn := math.Cos
			if name == "sin" {
				fn = math.Sin
			}
			plan.Buffers = append(plan.Buffers, &kernels.Buffer{Name: name, DType: dt, Len: o.MaxPos * half, Role: kernels.Input,
				Init: func(_ *rand.Rand, e int) float64 { return fn(float64(e/half) * theta(e%half)) }})
			args = append(args, kernels.Buf(name))
		}
	}
	args = append(args, kernels.Int(o.T), kernels.Int(o.H), kernels.Int(o.HK),
		kernels.Int(o.H*o.D), kernels.Int(o.D), kernels.Int(o.HK*o.D), kernels.Int(o.D),
		kernels.Int(o.H*o.D), kernels.Int(o.D), kernels.Int(o.HK*o.D), kernels.Int(o.D),
		kernels.Int(half), kernels.Int(o.D-o.Rot), kernels.Int(half), kernels.Float(-math.Log2(o.Base)/float64(half)))
	plan.Launches = []kernels.Launch{{
		Kernel: f, Config: kernels.With(cfg, derived),
		Grid:     [3]int{o.T, kernels.CDiv(o.H, bh) + kernels.CDiv(o.HK, bh), 1},
		GridExpr: [3]kernels.GridExpr{"T", "cdiv(H, BLOCK_H) + cdiv(HK, BLOCK_H)", "1"},
		Keys:     []string{"half", "pass_dims"},
		Args:     args,
	}}
	touched := o.D
	if o.InPlace {
		touched = o.Rot
	}
	elems := o.T * (o.H + o.HK)
	plan.FLOPs = float64(elems * o.Rot * 3)
	plan.Bytes = float64(2 * elems * touched * dt.Size())
	if o.HasCache {
		plan.Bytes += float64(2 * o.T * half * dt.Size())
	}
	plan.Reference = func(in map[string][]float64) map[string][]float64 {
		return Reference(o, in)
	}
	return plan, nil
}

// Reference rotates q and k in float64. With caches it uses the cached
// (rounded) cos and sin, as the kernel must; otherwise exact ones.
func Reference(o Options, in map[string][]float64) map[string][]float64 {
	o, _ = o.Normalize()
	half := o.Rot / 2
	rot := func(x []float64, heads int) []float64 {
		y := append([]float64(nil), x...)
		for t := 0; t < o.T; t++ {
			pos := t
			if o.HasPos {
				pos = int(in["positions"][t])
			}
			for h := 0; h < heads; h++ {
				base := (t*heads + h) * o.D
				for i := 0; i < half; i++ {
					var c, s float64
					if o.HasCache {
						c, s = in["cos"][pos*half+i], in["sin"][pos*half+i]
					} else {
						a := float64(pos) * math.Pow(o.Base, -float64(2*i)/float64(o.Rot))
						c, s = math.Cos(a), math.Sin(a)
					}
					i1, i2 := base+i, base+i+half
					if o.Style == GPTJ {
						i1, i2 = base+2*i, base+2*i+1
					}
					x1, x2 := x[i1], x[i2]
					y[i1], y[i2] = x1*c-x2*s, x2*c+x1*s
				}
			}
		}
		return y
	}
	qName, kName := "q_out", "k_out"
	if o.InPlace {
		qName, kName = "q", "k"
	}
	return map[string][]float64{qName: rot(in["q"], o.H), kName: rot(in["k"], o.HK)}
}

// Kernel is RoPE's description.
var Kernel = &kernels.Kernel{
	Name:    "rope",
	Summary: "rotary position embedding of q and k in one launch (NeoX or GPT-J style)",
	Params: []kernels.Param{
		{Name: "T", Default: 100, Doc: "tokens"},
		{Name: "H", Default: 4, Doc: "q heads"},
		{Name: "HK", Default: 2, Doc: "k heads"},
		{Name: "D", Default: 64, Doc: "head dim"},
		{Name: "rot", Default: 0, Doc: "rotary dims (0: D)"},
		{Name: "style", Default: 0, Doc: "0: NeoX rotate-half, 1: GPT-J interleaved"},
		{Name: "pos", Default: 1, Doc: "1: positions from a tensor, 0: the token index"},
		{Name: "cache", Default: 1, Doc: "1: cos/sin caches, 0: computed in the kernel"},
		{Name: "inplace", Default: 0, Doc: "1: rotate q and k in place"},
	},
	DTypes: []ir.DType{ir.BF16, ir.F16, ir.F32},
	Tuned:  []string{"BLOCK_H"},
	// ANCHORS.md: x[T, H, D] bf16, rotate-half, cos/sin caches [T, D/2]
	// indexed by the token (HK = 0: one tensor, as the peers rotate).
	Bench: []kernels.BenchShape{
		{DType: ir.BF16, Sizes: map[string]int{"T": 16384, "H": 32, "HK": 0, "D": 128, "pos": 0}},
		{DType: ir.BF16, Sizes: map[string]int{"T": 65536, "H": 8, "HK": 0, "D": 128, "pos": 0}},
	},
	Space: func(p kernels.Problem) []ir.Config { return Space(options(p)) },
	Plan: func(p kernels.Problem, cfg ir.Config) (*kernels.Plan, error) {
		for _, s := range []string{"style", "pos", "cache", "inplace"} {
			if v := p.Get(s); v != 0 && v != 1 {
				return nil, fmt.Errorf("rope: %s=%d must be 0 or 1", s, v)
			}
		}
		return NewPlan(options(p), cfg)
	},
}

func options(p kernels.Problem) Options {
	o := Options{T: p.Get("T"), H: p.Get("H"), HK: p.Get("HK"), D: p.Get("D"), Rot: p.Get("rot"),
		Style: Style(p.Get("style")), HasPos: p.Get("pos") == 1, HasCache: p.Get("cache") == 1,
		InPlace: p.Get("inplace") == 1, DType: p.DType}
	if o.HasPos {
		o.MaxPos = 2 * o.T // positions need not be the token index
	}
	return o
}
