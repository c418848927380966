package tests

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

// Differential tests: small kernels that together use every op of the tile
// IR, run through codegen on the emulator and compared with the tile
// interpreter on the same random inputs. The interpreter is the reference
// semantics, so integer results must match exactly and float results to
// within the hardware approximations' error.

type opCase struct {
	name    string
	build   func(k *ir.Builder)
	buffers []*kernels.Buffer // one per pointer parameter, in order
	scalars []kernels.Arg     // the scalar parameters after the pointers
	cfg     ir.Config
	grid    [3]int
	ptxHas  []string // text the PTX must contain (the code path the case is for)
}

// approxTol covers ex2/lg2/rsqrt/sin/cos.approx against exact math.
var approxTol = kernels.Tol{Abs: 1e-5, Rel: 1e-5, L2: 1e-5}

func runDiff(t *testing.T, c opCase, opts tilec.Options, seed uint64) {
	t.Helper()
	k := ir.NewKernel(c.name)
	c.build(k)
	f, err := k.Build()
	require.NoError(t, err)
	plan := &kernels.Plan{Buffers: c.buffers}
	var args []kernels.Arg
	for _, b := range c.buffers {
		args = append(args, kernels.Buf(b.Name))
	}
	args = append(args, c.scalars...)
	cfg := c.cfg
	if cfg == nil {
		cfg = ir.Config{}
	}
	if _, ok := cfg[ir.KeyNumWarps]; !ok {
		cfg[ir.KeyNumWarps] = 4
	}
	grid := c.grid
	if grid == [3]int{} {
		grid = [3]int{1, 1, 1}
	}
	plan.Launches = []kernels.Launch{{Kernel: f, Config: cfg, Grid: grid, Args: args}}
	plan.Reference = kernels.InterpReference(plan)
	e := emulator(t, opts)
	rep, err := kernels.Check(e, plan, seed)
	require.NoError(t, err)
	for _, want := range c.ptxHas {
		for _, b := range e.Binaries() {
			require.Containsf(t, b.PTX, want, "%s: the PTX lacks %q", c.name, want)
		}
	}
	for _, o := range rep.Outputs {
		require.Truef(t, o.Pass(), "%s: max abs %.3g rel L2 %.3g bad %d unwritten %d stray %d: %s", o.Name, o.MaxAbs, o.RelL2, o.Bad, o.Unwritten, o.Stray, o.First)
	}
}

func in(name string, d ir.DType, n int, init func(r *rand.Rand, i int) float64) *kernels.Buffer {
	return &kernels.Buffer{Name: name, DType: d, Len: n, Role: kernels.Input, Init: init}
}

func out(name string, d ir.DType, n int, tol kernels.Tol) *kernels.Buffer {
	return &kernels.Buffer{Name: name, DType: d, Len: n, Role: kernels.Output, Tol: tol}
}

func ints(lo, hi int) func(r *rand.Rand, _ int) float64 {
	return func(r *rand.Rand, _ int) float64 { return float64(lo + r.IntN(hi-lo)) }
}

func uniform(lo, hi float64) func(r *rand.Rand, _ int) float64 {
	return func(r *rand.Rand, _ int) float64 { return lo + (hi-lo)*r.Float64() }
}

var exact = kernels.Tol{Exact: true}

// tile2 is the [R, C] index grid r*C + c.
func tile2(k *ir.Builder, r, c int) *ir.Value {
	return k.Add(k.Mul(k.ExpandDims(k.Arange(0, r), 1), c), k.ExpandDims(k.Arange(0, c), 0))
}

func opCases() []opCase {
	var cs []opCase
	// Unary and binary float math, in f32, f16 and bf16.
	for _, d := range []ir.DType{ir.F32, ir.F16, ir.BF16} {
		tol := approxTol
		if d != ir.F32 {
			tol = kernels.Tol{Abs: 1e-2, Rel: 1e-2, L2: 3e-3} // one half ulp of rounding either side
		}
		d := d
		cs = append(cs, opCase{
			name: "float_math_" + d.String(),
			build: func(k *ir.Builder) {
				x, y, o := k.Pointer("x", d), k.Pointer("y", d), k.Pointer("o", d)
				offs := k.Arange(0, 256)
				a, b := k.Load(k.Add(x, offs), nil, nil), k.Load(k.Add(y, offs), nil, nil)
				res := []*ir.Value{k.Add(a, b), k.Sub(a, b), k.Mul(a, b), k.Div(a, b), k.Minimum(a, b), k.Maximum(a, b),
					k.Neg(a), k.Abs(a), k.Exp(a), k.Exp2(a), k.Log(k.Abs(a)), k.Log2(k.Abs(a)), k.Sqrt(k.Abs(a)), k.Rsqrt(k.Abs(a)),
					k.Sin(k.Mul(a, 100.0)), k.Cos(k.Mul(a, 100.0)), k.Fma(a, b, a), k.Where(k.Lt(a, b), a, b)}
				for i, r := range res {
					k.Store(k.Add(o, k.Add(offs, 256*i)), r, nil)
				}
			},
			buffers: []*kernels.Buffer{in("x", d, 256, uniform(0.1, 4)), in("y", d, 256, uniform(-4, 4)), out("o", d, 256*18, tol)},
		})
	}
	// Comparisons of floats, with NaNs.
	cs = append(cs, opCase{
		name: "float_cmp",
		build: func(k *ir.Builder) {
			x, y, o := k.Pointer("x", ir.F32), k.Pointer("y", ir.F32), k.Pointer("o", ir.I32)
			offs := k.Arange(0, 128)
			a, b := k.Load(k.Add(x, offs), nil, nil), k.Load(k.Add(y, offs), nil, nil)
			for i, p := range []string{"eq", "ne", "lt", "le", "gt", "ge"} {
				k.Store(k.Add(o, k.Add(offs, 128*i)), k.Cast(k.Cmp(p, a, b), ir.I32), nil)
			}
		},
		buffers: []*kernels.Buffer{
			in("x", ir.F32, 128, func(r *rand.Rand, i int) float64 { return []float64{1, 2, math.NaN(), -1}[r.IntN(4)] }),
			in("y", ir.F32, 128, func(r *rand.Rand, i int) float64 { return []float64{1, 2, math.NaN(), 3}[r.IntN(4)] }),
			out("o", ir.I32, 128*6, exact)},
	})
	// Integer arithmetic in i32 and i64, with zero divisors and big shifts.
	for _, d := range []ir.DType{ir.I32, ir.I64} {
		d := d
		cs = append(cs, opCase{
			name: "int_math_" + d.String(),
			build: func(k *ir.Builder) {
				x, y, o := k.Pointer("x", d), k.Pointer("y", d), k.Pointer("o", d)
				offs := k.Arange(0, 128)
				a, b := k.Load(k.Add(x, offs), nil, nil), k.Load(k.Add(y, offs), nil, nil)
				res := []*ir.Value{k.Add(a, b), k.Sub(a, b), k.Mul(a, b), k.Div(a, b), k.Rem(a, b), k.Minimum(a, b), k.Maximum(a, b),
					k.And(a, b), k.Or(a, b), k.Xor(a, b), k.Shl(a, b), k.Shr(a, b), k.ShrU(a, b), k.Not(a), k.Neg(a), k.Abs(a),
					k.Cast(k.Cmp("lt", a, b), d), k.Cast(k.Cmp("ult", a, b), d), k.Cast(k.Cmp("ge", a, b), d), k.Cast(k.Cmp("uge", a, b), d),
					k.Where(k.Eq(a, b), a, k.Neg(b))}
				for i, r := range res {
					k.Store(k.Add(o, k.Add(offs, 128*i)), r, nil)
				}
			},
			buffers: []*kernels.Buffer{in("x", d, 128, ints(-1000, 1000)), in("y", d, 128, ints(-3, 70)), out("o", d, 128*21, exact)},
		})
	}
	// Casts between every pair of the common dtypes, and bitcasts.
	dts := []ir.DType{ir.I1, ir.I8, ir.I16, ir.I32, ir.I64, ir.F16, ir.BF16, ir.F32}
	for _, from := range dts {
		from := from
		cs = append(cs, opCase{
			name: "cast_from_" + from.String(),
			build: func(k *ir.Builder) {
				x := k.Pointer("x", from)
				var outs []*ir.Value
				for _, to := range dts {
					outs = append(outs, k.Pointer("o_"+to.String(), to))
				}
				offs := k.Arange(0, 128)
				v := k.Load(k.Add(x, offs), nil, nil)
				for i, to := range dts {
					k.Store(k.Add(outs[i], offs), k.Cast(v, to), nil)
				}
			},
			buffers: func() []*kernels.Buffer {
				init := uniform(-300, 300)
				if from.IsInt() {
					init = ints(-200, 200)
				}
				bs := []*kernels.Buffer{in("x", from, 128, init)}
				for _, to := range dts {
					bs = append(bs, out("o_"+to.String(), to, 128, exact))
				}
				return bs
			}(),
		})
	}
	// Bitcasts both ways.
	cs = append(cs, opCase{
		name: "bitcast",
		build: func(k *ir.Builder) {
			x, h := k.Pointer("x", ir.F32), k.Pointer("h", ir.F16)
			oi, of, oh := k.Pointer("oi", ir.I32), k.Pointer("of", ir.F32), k.Pointer("oh", ir.I16)
			offs := k.Arange(0, 64)
			v, hv := k.Load(k.Add(x, offs), nil, nil), k.Load(k.Add(h, offs), nil, nil)
			bits := k.Bitcast(v, ir.I32)
			k.Store(k.Add(oi, offs), bits, nil)
			k.Store(k.Add(of, offs), k.Bitcast(k.Xor(bits, math.MinInt32), ir.F32), nil)
			k.Store(k.Add(oh, offs), k.Bitcast(hv, ir.I16), nil)
		},
		buffers: []*kernels.Buffer{in("x", ir.F32, 64, uniform(-5, 5)), in("h", ir.F16, 64, uniform(-5, 5)),
			out("oi", ir.I32, 64, exact), out("of", ir.F32, 64, exact), out("oh", ir.I16, 64, exact)},
	})
	cs = append(cs, reductionCases()...)
	cs = append(cs, shapeCases()...)
	cs = append(cs, controlCases()...)
	cs = append(cs, memoryCases()...)
	cs = append(cs, dotCases()...)
	return cs
}

// reductionCases: sums, maxima, argmax/argmin and a two-operand combine
// along both axes of tiles spread over registers, lanes and warps; scans
// of 1D and 2D tiles.
func reductionCases() []opCase {
	var cs []opCase
	for _, sh := range [][2]int{{8, 256}, {64, 32}, {128, 4}, {2, 2}} {
		for _, w := range []int{1, 4, 8} {
			r, c, w := sh[0], sh[1], w
			cs = append(cs, opCase{
				name: fmt.Sprintf("reduce_%dx%d_w%d", r, c, w),
				build: func(k *ir.Builder) {
					x, xi := k.Pointer("x", ir.F32), k.Pointer("xi", ir.I32)
					o, oi := k.Pointer("o", ir.F32), k.Pointer("oi", ir.I32)
					idx := tile2(k, r, c)
					v, vi := k.Load(k.Add(x, idx), nil, nil), k.Load(k.Add(xi, idx), nil, nil)
					rr, cc := k.Arange(0, r), k.Arange(0, c)
					k.Store(k.Add(o, cc), k.Sum(v, 0), nil)
					k.Store(k.Add(o, k.Add(rr, c)), k.Max(v, 1), nil)
					k.Store(k.Add(oi, cc), k.Argmax(vi, 0), nil)
					k.Store(k.Add(oi, k.Add(rr, c)), k.Argmin(vi, 1), nil)
					k.Store(k.Add(oi, c+r), k.Sum(k.Sum(vi, 1), 0), nil)
					// A combine over two operands (associative and commutative,
					// as every combine must be: codegen combines in a tree).
					res := k.Reduce([]*ir.Value{v, vi}, 1, func(acc, e []*ir.Value) []*ir.Value {
						return []*ir.Value{k.Add(acc[0], e[0]), k.Maximum(acc[1], e[1])}
					})
					k.Store(k.Add(o, k.Add(rr, c+r)), res[0], nil)
					k.Store(k.Add(oi, k.Add(rr, c+r+1)), res[1], nil)
				},
				buffers: []*kernels.Buffer{in("x", ir.F32, r*c, uniform(-1, 1)), in("xi", ir.I32, r*c, ints(-5, 5)),
					out("o", ir.F32, c+2*r, kernels.Tol{Abs: 1e-5, Rel: 1e-5, L2: 1e-5}), out("oi", ir.I32, c+2*r+1, exact)},
				cfg: ir.Config{ir.KeyNumWarps: w},
			})
			cs = append(cs, opCase{
				name: fmt.Sprintf("scan_%dx%d_w%d", r, c, w),
				build: func(k *ir.Builder) {
					xi, oi, om := k.Pointer("xi", ir.I32), k.Pointer("oi", ir.I32), k.Pointer("om", ir.I32)
					idx := tile2(k, r, c)
					vi := k.Load(k.Add(xi, idx), nil, nil)
					k.Store(k.Add(oi, idx), k.Cumsum(vi, 1), nil)
					k.Store(k.Add(oi, k.Add(idx, r*c)), k.Cumsum(vi, 0), nil)
					mx := k.Scan([]*ir.Value{vi}, 1, false, func(acc, e []*ir.Value) []*ir.Value { return []*ir.Value{k.Maximum(acc[0], e[0])} })
					k.Store(k.Add(om, idx), mx[0], nil)
				},
				buffers: []*kernels.Buffer{in("xi", ir.I32, r*c, ints(-9, 10)), out("oi", ir.I32, 2*r*c, exact), out("om", ir.I32, r*c, exact)},
				cfg:     ir.Config{ir.KeyNumWarps: w},
			})
		}
	}
	cs = append(cs, opCase{
		name: "scan_1d_4096",
		build: func(k *ir.Builder) {
			xi, oi := k.Pointer("xi", ir.I32), k.Pointer("oi", ir.I32)
			offs := k.Arange(0, 4096)
			k.Store(k.Add(oi, offs), k.Cumsum(k.Load(k.Add(xi, offs), nil, nil), 0), nil)
		},
		buffers: []*kernels.Buffer{in("xi", ir.I32, 4096, ints(0, 100)), out("oi", ir.I32, 4096, exact)},
		cfg:     ir.Config{ir.KeyNumWarps: 8},
	})
	return cs
}

// shapeCases: expand_dims/broadcast (views), trans, reshape, join/split.
func shapeCases() []opCase {
	return []opCase{{
		name: "trans_reshape_join_split",
		build: func(k *ir.Builder) {
			x, o := k.Pointer("x", ir.F32), k.Pointer("o", ir.F32)
			idx := tile2(k, 16, 32)
			v := k.Load(k.Add(x, idx), nil, nil)
			k.Store(k.Add(o, tile2(k, 32, 16)), k.Trans(v), nil)
			k.Store(k.Add(o, k.Add(k.Arange(0, 512), 512)), k.Reshape(v, 512), nil)
			j := k.Join(v, k.Neg(v)) // [16, 32, 2]
			a, b := k.Split(k.Trans(j, 0, 1, 2))
			k.Store(k.Add(o, k.Add(idx, 1024)), k.Sub(a, b), nil)
			j3 := k.Reshape(j, 16, 64)
			k.Store(k.Add(o, k.Add(tile2(k, 16, 64), 1536)), j3, nil)
			col := k.ExpandDims(k.Max(v, 1), 1)                     // [16, 1]
			k.Store(k.Add(o, k.Add(idx, 2560)), k.Sub(v, col), nil) // broadcast
		},
		buffers: []*kernels.Buffer{in("x", ir.F32, 512, uniform(-1, 1)), out("o", ir.F32, 3072, exact)},
	}}
}

// controlCases: for with carried tiles, if with tile results, while.
func controlCases() []opCase {
	return []opCase{{
		name: "control_flow",
		build: func(k *ir.Builder) {
			x, o := k.Pointer("x", ir.F32), k.Pointer("o", ir.F32)
			n := k.Scalar("n", ir.I32)
			offs := k.Arange(0, 128)
			v := k.Load(k.Add(x, offs), nil, nil)
			acc := k.For(0, n, 1, []*ir.Value{k.Zeros(ir.F32, 128), v}, func(i *ir.Value, c []*ir.Value) []*ir.Value {
				w := k.If(k.Lt(k.Rem(i, 2), 1), func() []*ir.Value { return []*ir.Value{k.Mul(c[1], 0.5)} },
					func() []*ir.Value { return []*ir.Value{k.Add(c[1], 1.0)} })
				return []*ir.Value{k.Add(c[0], w[0]), w[0]}
			})
			k.Store(k.Add(o, offs), acc[0], nil)
			// Halve until below 1 (a while loop over a tile).
			res := k.While([]*ir.Value{k.Abs(v), k.Const(0, ir.I32)}, func(a []*ir.Value) (*ir.Value, []*ir.Value) {
				return k.Gt(k.Max(a[0], 0), 1.0), a
			}, func(a []*ir.Value) []*ir.Value { return []*ir.Value{k.Mul(a[0], 0.5), k.Add(a[1], 1)} })
			k.Store(k.Add(o, k.Add(offs, 128)), res[0], nil)
			k.Store(k.Add(o, 256), k.Cast(res[1], ir.F32), nil)
		},
		buffers: []*kernels.Buffer{in("x", ir.F32, 128, uniform(-40, 40)), out("o", ir.F32, 257, exact)},
		scalars: []kernels.Arg{kernels.Int(7)},
	}}
}

// memoryCases: masked loads with other, masked stores, narrow and wide
// dtypes, atomics (one writer per element even when threads hold copies),
// block pointers with padding and advance.
func memoryCases() []opCase {
	return []opCase{{
		name: "masked_dtypes",
		build: func(k *ir.Builder) {
			a, b, c := k.Pointer("a", ir.I8), k.Pointer("b", ir.I64), k.Pointer("c", ir.I1)
			oa, ob, oc := k.Pointer("oa", ir.I8), k.Pointer("ob", ir.I64), k.Pointer("oc", ir.I1)
			n := k.Scalar("n", ir.I32)
			offs := k.Arange(0, 64)
			m := k.Lt(offs, n)
			k.Store(k.Add(oa, offs), k.Add(k.Load(k.Add(a, offs), m, 7), 1), m)
			k.Store(k.Add(ob, offs), k.Mul(k.Load(k.Add(b, offs), m, -1), 3), nil)
			k.Store(k.Add(oc, offs), k.Not(k.Load(k.Add(c, offs), nil, nil)), k.Not(m))
		},
		buffers: []*kernels.Buffer{in("a", ir.I8, 64, ints(-100, 100)), in("b", ir.I64, 64, ints(-1<<30, 1<<30)), in("c", ir.I1, 64, ints(0, 2)),
			{Name: "oa", DType: ir.I8, Len: 64, Role: kernels.Output, Zero: true, Tol: exact},
			out("ob", ir.I64, 64, exact), {Name: "oc", DType: ir.I1, Len: 64, Role: kernels.Output, Zero: true, Tol: exact}},
		scalars: []kernels.Arg{kernels.Int(37)},
	}, {
		name: "atomics",
		build: func(k *ir.Builder) {
			x, hist, mx, cas, ctr, old := k.Pointer("x", ir.I32), k.Pointer("hist", ir.I32), k.Pointer("mx", ir.I32), k.Pointer("cas", ir.I32), k.Pointer("ctr", ir.I32), k.Pointer("old", ir.I32)
			offs := k.Add(k.Mul(k.ProgramID(0), 256), k.Arange(0, 256))
			v := k.Load(k.Add(x, offs), nil, nil)
			k.Atomic("add", k.Add(hist, k.Rem(k.Abs(v), 16)), 1, nil)
			k.Atomic("max", k.Add(mx, k.Rem(k.Abs(v), 4)), v, k.Gt(v, 0))
			// Each program claims slot pid once: the first compare-and-swap wins.
			k.AtomicCAS(k.Add(cas, k.ProgramID(0)), 0, k.Add(k.ProgramID(0), 1))
			// A tile smaller than the CTA: threads hold copies, one adds.
			small := k.Arange(0, 8)
			k.Atomic("add", k.Add(ctr, small), 1, nil)
			// A scalar atomic whose old value every thread sees.
			o := k.Atomic("add", ctr, 0, nil)
			k.Store(k.Add(old, k.ProgramID(0)), k.Sub(o, o), nil) // the old value's order is nondeterministic; its use is not
		},
		buffers: []*kernels.Buffer{in("x", ir.I32, 1024, ints(-50, 50)),
			{Name: "hist", DType: ir.I32, Len: 16, Role: kernels.Output, Zero: true, Tol: exact},
			{Name: "mx", DType: ir.I32, Len: 4, Role: kernels.Output, Zero: true, Tol: exact},
			{Name: "cas", DType: ir.I32, Len: 4, Role: kernels.Output, Zero: true, Tol: exact},
			{Name: "ctr", DType: ir.I32, Len: 8, Role: kernels.Output, Zero: true, Tol: exact},
			out("old", ir.I32, 4, exact)},
		grid: [3]int{4, 1, 1},
	}, {
		name: "block_pointers",
		build: func(k *ir.Builder) {
			x, o := k.Pointer("x", ir.F16), k.Pointer("o", ir.F16)
			rows, cols := k.Scalar("rows", ir.I32), k.Scalar("cols", ir.I32)
			bp := k.MakeBlockPtr(x, []any{rows, cols}, []any{cols, 1}, []any{k.Mul(k.ProgramID(0), 16), 0}, []any{16, 32}, []int{1, 0})
			acc := k.For(0, 3, 1, []*ir.Value{k.Zeros(ir.F16, 16, 32), bp}, func(i *ir.Value, c []*ir.Value) []*ir.Value {
				v := k.LoadBlock(c[1], []int{0, 1}, "zero")
				return []*ir.Value{k.Add(c[0], v), k.Advance(c[1], 0, 32)}
			})
			ob := k.MakeBlockPtr(o, []any{rows, 32}, []any{32, 1}, []any{k.Mul(k.ProgramID(0), 16), 0}, []any{16, 32}, []int{1, 0})
			k.StoreBlock(ob, acc[0], []int{0})
			tp := k.MakeBlockPtr(x, []any{cols, rows}, []any{1, cols}, []any{0, 0}, []any{32, 16}, []int{0, 1})
			nanPad := k.LoadBlock(tp, []int{0, 1}, "nan")
			// Past the first store's rows: every program writes the same
			// values here, and no program's first store overlaps it.
			ob2 := k.MakeBlockPtr(k.Add(o, 40*32), []any{32, 16}, []any{16, 1}, []any{0, 0}, []any{32, 16}, []int{1, 0})
			k.StoreBlock(k.Advance(ob2, 0, 0), k.Where(k.Ne(nanPad, nanPad), -1.0, nanPad), nil)
		},
		buffers: []*kernels.Buffer{in("x", ir.F16, 40*90, uniform(-1, 1)),
			{Name: "o", DType: ir.F16, Len: 40*32 + 32*16, Role: kernels.Output, Zero: true, Tol: exact}},
		scalars: []kernels.Arg{kernels.Int(40), kernels.Int(90)},
		grid:    [3]int{3, 1, 1},
	}, {
		// Block loads that only feed a dot, in loops: copied with cp.async
		// num_stages − 1 iterations ahead; K = 104 is not a multiple of
		// the 32-deep step, so the last copies are partly zero-filled. The
		// second loop's A tile, loaded before it, stays in shared memory.
		name: "pipelined_dots",
		build: func(k *ir.Builder) {
			a, b, c, o := k.Pointer("a", ir.F16), k.Pointer("b", ir.F16), k.Pointer("c", ir.F16), k.Pointer("o", ir.F32)
			K := k.Scalar("K", ir.I32)
			ap := k.MakeBlockPtr(a, []any{64, K}, []any{K, 1}, []any{0, 0}, []any{64, 32}, []int{1, 0})
			bp := k.MakeBlockPtr(b, []any{K, 64}, []any{64, 1}, []any{0, 0}, []any{32, 64}, []int{1, 0})
			acc := k.For(0, K, 32, []*ir.Value{k.Zeros(ir.F32, 64, 64), ap, bp}, func(_ *ir.Value, v []*ir.Value) []*ir.Value {
				acc := k.Dot(k.LoadBlock(v[1], []int{0, 1}, "zero"), k.LoadBlock(v[2], []int{0, 1}, "zero"), v[0])
				return []*ir.Value{acc, k.Advance(v[1], 0, 32), k.Advance(v[2], 32, 0)}
			})[0]
			ct := k.LoadBlock(k.MakeBlockPtr(c, []any{64, 32}, []any{32, 1}, []any{0, 0}, []any{64, 32}, []int{1, 0}), []int{0, 1}, "zero")
			acc = k.For(0, K, 32, []*ir.Value{acc, bp}, func(_ *ir.Value, v []*ir.Value) []*ir.Value {
				return []*ir.Value{k.Dot(ct, k.LoadBlock(v[1], []int{0, 1}, "zero"), v[0]), k.Advance(v[1], 32, 0)}
			})[0]
			k.StoreBlock(k.MakeBlockPtr(o, []any{64, 64}, []any{64, 1}, []any{0, 0}, []any{64, 64}, []int{1, 0}), acc, nil)
		},
		buffers: []*kernels.Buffer{in("a", ir.F16, 64*104, uniform(-1, 1)), in("b", ir.F16, 104*64, uniform(-1, 1)),
			in("c", ir.F16, 64*32, uniform(-1, 1)), out("o", ir.F32, 64*64, kernels.Tol{Abs: 1e-3, Rel: 1e-3, L2: 1e-4})},
		scalars: []kernels.Arg{kernels.Int(104)},
		cfg:     ir.Config{ir.KeyNumWarps: 4, ir.KeyNumStages: 3},
		ptxHas:  []string{"cp.async.cg.shared.global", "cp.async.wait_group"},
	}, {
		// The same through loop-carried pointer tiles with masks (Triton's
		// tutorial style): the copies ahead recompute the mask for their
		// iteration.
		name: "pipelined_pointer_dot",
		build: func(k *ir.Builder) {
			a, b, o := k.Pointer("a", ir.F16), k.Pointer("b", ir.F16), k.Pointer("o", ir.F32)
			K := k.Scalar("K", ir.I32)
			rows, cols, ks := k.Arange(0, 64), k.Arange(0, 64), k.Arange(0, 32)
			ap := k.Add(a, k.Add(k.Mul(k.ExpandDims(rows, 1), K), k.ExpandDims(ks, 0)))
			bp := k.Add(b, k.Add(k.Mul(k.ExpandDims(ks, 1), 64), k.ExpandDims(cols, 0)))
			// A advances by a tile computed before the loop (32 everywhere,
			// but not a constant), B by a scalar computed in the body.
			astep := k.Sub(k.Add(k.Zeros(ir.I32, 64, 32), K), k.Sub(K, 32))
			acc := k.For(0, k.CDiv(K, 32), 1, []*ir.Value{k.Zeros(ir.F32, 64, 64), ap, bp}, func(i *ir.Value, v []*ir.Value) []*ir.Value {
				left := k.Sub(K, k.Mul(i, 32))
				am := k.ExpandDims(k.Lt(ks, left), 0)
				bm := k.ExpandDims(k.Lt(ks, left), 1)
				acc := k.Dot(k.Load(v[1], k.Broadcast(am, 64, 32), 0.0), k.Load(v[2], k.Broadcast(bm, 32, 64), 0.0), v[0])
				return []*ir.Value{acc, k.Add(v[1], astep), k.Add(v[2], k.Mul(32, 64))}
			})[0]
			k.Store(k.Add(o, k.Add(k.Mul(k.ExpandDims(rows, 1), 64), k.ExpandDims(cols, 0))), acc, nil)
		},
		buffers: []*kernels.Buffer{in("a", ir.F16, 64*104, uniform(-1, 1)), in("b", ir.F16, 104*64, uniform(-1, 1)),
			out("o", ir.F32, 64*64, kernels.Tol{Abs: 1e-3, Rel: 1e-3, L2: 1e-4})},
		scalars: []kernels.Arg{kernels.Int(104)},
		cfg:     ir.Config{ir.KeyNumWarps: 4, ir.KeyNumStages: 3},
		ptxHas:  []string{"cp.async.cg.shared.global", "cp.async.wait_group"},
	}}
}

// dotCases: mma.sync for f16 and bf16 in several shapes and warp counts,
// and the FMA path for f32.
func dotCases() []opCase {
	var cs []opCase
	for _, d := range []ir.DType{ir.F16, ir.BF16, ir.F32} {
		for _, s := range [][4]int{{16, 16, 16, 1}, {64, 32, 32, 4}, {32, 128, 64, 4}, {128, 64, 16, 8}} {
			d, m, n, kk, w := d, s[0], s[1], s[2], s[3]
			if d == ir.F32 && m*n*kk > 1<<17 {
				continue
			}
			cs = append(cs, opCase{
				name: fmt.Sprintf("dot_%s_%dx%dx%d_w%d", d, m, n, kk, w),
				build: func(k *ir.Builder) {
					a, b, c, o := k.Pointer("a", d), k.Pointer("b", d), k.Pointer("c", ir.F32), k.Pointer("o", ir.F32)
					av := k.Load(k.Add(a, tile2(k, m, kk)), nil, nil)
					bv := k.Load(k.Add(b, tile2(k, kk, n)), nil, nil)
					cv := k.Load(k.Add(c, tile2(k, m, n)), nil, nil)
					k.Store(k.Add(o, tile2(k, m, n)), k.Dot(av, bv, cv), nil)
				},
				buffers: []*kernels.Buffer{in("a", d, m*kk, uniform(-1, 1)), in("b", d, kk*n, uniform(-1, 1)), in("c", ir.F32, m*n, uniform(-1, 1)),
					out("o", ir.F32, m*n, kernels.Tol{Abs: 1e-5, Rel: 1e-5, L2: 1e-6})},
				cfg: ir.Config{ir.KeyNumWarps: w},
			})
		}
	}
	return cs
}

func TestOpsMatchInterpreter(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			needBackend(t, backend)
			for i, c := range opCases() {
				t.Run(c.name, func(t *testing.T) { runDiff(t, c, tilec.Options{Backend: backend}, uint64(100+i)) })
			}
		})
	}
}
