// Package gen writes Go packages that embed compiled kernels: tilec gen.
// A generated package holds, per launch kernel, a typed function (its
// parameters named after the kernel's) that picks the variant compiled
// for the device, the config and the problem (runtime.Select), computes
// the grid from its arguments and launches; the PTX of every variant as a
// constant; and a test that runs every variant on the emulator against the
// kernel's float64 reference. It imports only package runtime (the CUDA
// driver binding and the emulator), never the compiler, so programs that
// use it build and start fast and work with //go:generate.
package gen

import (
	"bytes"
	"fmt"
	"go/format"
	"go/token"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/runtime"
)

// Problem is one problem to generate variants for, with its config.
type Problem struct {
	Problem kernels.Problem
	Config  ir.Config
}

// DefaultTargets are the architectures a package is compiled for when
// none are named: Ampere and later GPUs run the sm_80 code, an H100 or
// H200 its own sm_90a code (wgmma, TMA), which runtime.Select prefers there.
var DefaultTargets = []tilec.Target{tilec.DefaultTarget, "sm_90a"}

// Options describe a package.
type Options struct {
	Kernel   *kernels.Kernel
	Problems []Problem
	Targets  []tilec.Target // default DefaultTargets
	Package  string
	Backend  string
}

// variant is one compiled launch kernel.
type variant struct {
	fn     string // the launcher it belongs to (its launcherKey)
	target tilec.Target
	bin    *tilec.Binary
	meta   ir.Config
	keys   []string
	vals   map[string]int64
}

// CheckPackageName reports whether name can name a Go package.
func CheckPackageName(name string) error {
	if !token.IsIdentifier(name) || token.IsKeyword(name) || name == "_" {
		return fmt.Errorf("%q is not a valid Go package name", name)
	}
	return nil
}

// FileNames are the files Generate writes for package pkg.
func FileNames(pkg string) []string {
	return []string{pkg + ".go", pkg + "_test.go", "ptx.go"}
}

// Generate returns the package's files by name (FileNames).
func Generate(o Options) (map[string][]byte, error) {
	if err := CheckPackageName(o.Package); err != nil {
		return nil, err
	}
	if len(o.Problems) == 0 {
		return nil, fmt.Errorf("no problem to generate for")
	}
	if len(o.Targets) == 0 {
		o.Targets = DefaultTargets
	}
	var vs []*variant
	ls, err := launchers(o)
	if err != nil {
		return nil, err
	}
	kernelsByName := map[string]kernels.Launch{} // one launch per launcher, for signatures and grids
	var order []string
	for _, pr := range o.Problems {
		plan, err := o.Kernel.Plan(pr.Problem, pr.Config)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", o.Kernel.Name, pr.Problem, err)
		}
		funcs, err := plan.Specialize()
		if err != nil {
			return nil, err
		}
		for li, l := range plan.Launches {
			if err := l.CheckGrid(); err != nil {
				return nil, err
			}
			name := launcherKey(l.Kernel.Name, pr.Problem.DType)
			if _, ok := kernelsByName[name]; !ok {
				kernelsByName[name] = l
				order = append(order, name)
			}
			// Per target, a variant specialized on what the problem's
			// arguments guarantee (alignment, unit strides, as a launch
			// would compile it), and a generic one that fits any arguments.
			for _, t := range o.Targets {
				for _, facts := range [][]runtime.Fact{tilec.FactsOf(funcs[li], plan.NominalArgs(li)), nil} {
					bin, err := tilec.Compile(funcs[li], tilec.Options{Target: t, Backend: o.Backend, Facts: facts})
					if err != nil {
						return nil, fmt.Errorf("%s for %s: %w", name, t, err)
					}
					vs = append(vs, &variant{fn: name, target: t, bin: bin, meta: l.Config, keys: l.Keys, vals: l.GridValues()})
				}
			}
		}
	}
	files := map[string][]byte{}
	g := &writer{pkg: o.Package, fns: ls}
	src, err := g.main(o, order, kernelsByName, vs)
	if err != nil {
		return nil, err
	}
	files[o.Package+".go"] = src
	if files["ptx.go"], err = g.ptx(vs); err != nil {
		return nil, err
	}
	if files[o.Package+"_test.go"], err = g.test(o, order, kernelsByName); err != nil {
		return nil, err
	}
	return files, nil
}

func launcherKey(kernel string, dt ir.DType) string { return kernel + "/" + dt.String() }

// launchers names the package's launch functions: one per launch kernel
// and element type, named after the kernel (attn_fwd -> AttnFwd), with the
// element type appended where the package holds the kernel for several
// (AttnFwdF16, AttnFwdBF16): raw device pointers do not say what they
// point to, so each typed launcher serves one. Keys are launcherKey's.
func launchers(o Options) (map[string]string, error) {
	dtypes := map[string]map[ir.DType]bool{} // kernel name -> element types
	for _, pr := range o.Problems {
		plan, err := o.Kernel.Plan(pr.Problem, pr.Config)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", o.Kernel.Name, pr.Problem, err)
		}
		for _, l := range plan.Launches {
			if dtypes[l.Kernel.Name] == nil {
				dtypes[l.Kernel.Name] = map[ir.DType]bool{}
			}
			dtypes[l.Kernel.Name][pr.Problem.DType] = true
		}
	}
	out := map[string]string{}
	for name, dts := range dtypes {
		for dt := range dts {
			fn := goName(name, true)
			if len(dts) > 1 {
				fn += strings.ToUpper(dt.String())
			}
			out[launcherKey(name, dt)] = fn
		}
	}
	return out, nil
}

type writer struct {
	pkg string
	fns map[string]string // launcherKey -> Go function name
}

// varName is the name of a launcher's variant table.
func (g *writer) varName(key string) string {
	fn := g.fns[key]
	return strings.ToLower(fn[:1]) + fn[1:] + "Variants"
}

// goName turns a kernel or parameter name into a Go identifier: exported
// camel case for functions (attn_fwd -> AttnFwd), lower camel case for
// parameters (stride_qz -> strideQz, N_CTX -> nCtx).
func goName(s string, exported bool) string {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '_' })
	var sb strings.Builder
	for i, p := range parts {
		if p == strings.ToUpper(p) { // an all-caps word: Ctx, not CTX
			p = strings.ToLower(p)
		}
		if i > 0 || exported {
			p = strings.ToUpper(p[:1]) + p[1:]
		} else {
			p = strings.ToLower(p[:1]) + p[1:]
		}
		sb.WriteString(p)
	}
	name := sb.String()
	if name == "" || !unicode.IsLetter(rune(name[0])) {
		name = "x" + name
	}
	if token.IsKeyword(name) || name == "dev" || name == "args" || name == "vals" || name == "v" || name == "err" || name == "grid" {
		name += "_"
	}
	return name
}

func goType(k runtime.ParamKind) string {
	return map[runtime.ParamKind]string{runtime.Ptr: "runtime.DevicePtr", runtime.I32: "int32", runtime.I64: "int64",
		runtime.F32: "float32", runtime.F64: "float64"}[k]
}

func (g *writer) main(o Options, order []string, byName map[string]kernels.Launch, vs []*variant) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by tilec gen; DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "// Package %s launches tilec's %s kernel (%s), compiled ahead of time\n", g.pkg, o.Kernel.Name, o.Kernel.Summary)
	fmt.Fprintf(&b, "// %s.\n", problemsText(o))
	fmt.Fprintf(&b, "//\n// Each launcher picks the variant compiled for the device's architecture\n")
	fmt.Fprintf(&b, "// whose specialization fits its arguments (runtime.Select), computes the grid\n")
	fmt.Fprintf(&b, "// and launches on the device it is given: a GPU or tilec's emulator\n")
	fmt.Fprintf(&b, "// (runtime.Open). Regenerate with tilec gen to add problems or targets.\n")
	fmt.Fprintf(&b, "package %s\n\nimport \"github.com/tilec/tilec/runtime\"\n\n", g.pkg)
	for _, name := range order {
		l := byName[name]
		params, err := tilec.Params(l.Kernel)
		if err != nil {
			return nil, err
		}
		fn := g.fns[name]
		var sig, conv []string
		argNames := map[string]string{}
		for _, p := range params {
			n := goName(p.Name, false)
			argNames[p.Name] = n
			sig = append(sig, n+" "+goType(p.Kind))
			if p.Kind == runtime.Ptr {
				conv = append(conv, "uint64("+n+")")
			} else {
				conv = append(conv, n)
			}
		}
		fmt.Fprintf(&b, "// %s launches the %s kernel (%s) on dev.\n", fn, l.Kernel.Name, strings.TrimPrefix(name, l.Kernel.Name+"/"))
		b.WriteString(paramDocs(l.Kernel, params, argNames))
		fmt.Fprintf(&b, "func %s(dev runtime.Device, %s) error {\n", fn, strings.Join(sig, ", "))
		fmt.Fprintf(&b, "\targs := []any{%s}\n", strings.Join(conv, ", "))
		fmt.Fprintf(&b, "\tvals := map[string]int64{")
		var kv []string
		for _, p := range params {
			if p.Kind == runtime.I32 || p.Kind == runtime.I64 {
				kv = append(kv, fmt.Sprintf("%q: int64(%s)", p.Name, argNames[p.Name]))
			}
		}
		fmt.Fprintf(&b, "%s}\n", strings.Join(kv, ", "))
		fmt.Fprintf(&b, "\tv, err := selectVariant(dev, %s, args, vals)\n\tif err != nil {\n\t\treturn fmt.Errorf(\"%s: %%w\", err)\n\t}\n", g.varName(name), fn)
		var grid []string
		for _, e := range l.GridExpr {
			code, err := e.Go(func(id string) string {
				if _, ok := argNames[id]; ok {
					return "vals[" + strconv.Quote(id) + "]"
				}
				return "v.Meta[" + strconv.Quote(id) + "]"
			})
			if err != nil {
				return nil, err
			}
			grid = append(grid, "int("+strings.ReplaceAll(code, "cdiv(", "runtime.CDiv(")+")")
		}
		fmt.Fprintf(&b, "\tgrid := [3]int{%s}\n", strings.Join(grid, ", "))
		fmt.Fprintf(&b, "\treturn dev.Launch(&v.Kernel, grid, args...)\n}\n\n")
	}
	fmt.Fprintf(&b, "// selectVariant picks a launch's variant; the package's test replaces it to\n// run every variant.\nvar selectVariant = runtime.Select\n\n")
	// The variant tables.
	idx := ptxConsts(vs)
	for _, name := range order {
		fmt.Fprintf(&b, "var %s = []*runtime.Variant{\n", g.varName(name))
		for i, v := range vs {
			if v.fn != name {
				continue
			}
			k := v.bin.Kernel
			fmt.Fprintf(&b, "\t{\n\t\tTarget: %q,\n\t\tKernel: runtime.Kernel{Name: %q, PTX: ptx%d, Threads: %d, SharedBytes: %d,\n", v.target, k.Name, idx[i], k.Threads, k.SharedBytes)
			fmt.Fprintf(&b, "\t\t\tParams: []runtime.Param{")
			for _, p := range k.Params {
				fmt.Fprintf(&b, "%s, ", paramLit(p))
			}
			fmt.Fprintf(&b, "},\n\t\t\tFacts: []runtime.Fact{")
			for _, f := range k.Facts {
				fmt.Fprintf(&b, "{Div: %d, One: %v}, ", f.Div, f.One)
			}
			fmt.Fprintf(&b, "}},\n")
			fmt.Fprintf(&b, "\t\tMeta: %s,\n", mapLit("map[string]int64", v.meta))
			keys := map[string]int64{}
			for _, k := range v.keys {
				keys[k] = v.vals[k]
			}
			fmt.Fprintf(&b, "\t\tKeys: %s,\n", mapLit("map[string]int64", keys))
			shape := map[string]int64{}
			for k, x := range v.vals {
				if _, meta := v.meta[k]; !meta {
					shape[k] = x
				}
			}
			fmt.Fprintf(&b, "\t\tShape: %s,\n\t},\n", mapLit("map[string]int64", shape))
		}
		fmt.Fprintf(&b, "}\n\n")
	}
	src := strings.Replace(b.String(), "import \"github.com/tilec/tilec/runtime\"", "import (\n\t\"fmt\"\n\n\t\"github.com/tilec/tilec/runtime\"\n)", 1)
	return format.Source([]byte(src))
}

func kindName(k runtime.ParamKind) string {
	return map[runtime.ParamKind]string{runtime.Ptr: "Ptr", runtime.I32: "I32", runtime.I64: "I64", runtime.F32: "F32", runtime.F64: "F64",
		runtime.TensorMap: "TensorMap"}[k]
}

// paramLit is a runtime.Param as a Go literal.
func paramLit(p runtime.Param) string {
	if p.Map == nil {
		return fmt.Sprintf("{Name: %q, Kind: runtime.%s}", p.Name, kindName(p.Kind))
	}
	args := func(as []runtime.MapArg) string {
		parts := make([]string, len(as))
		for i, a := range as {
			parts[i] = fmt.Sprintf("{Param: %d, Const: %d}", a.Param, a.Const)
		}
		return "[]runtime.MapArg{" + strings.Join(parts, ", ") + "}"
	}
	m := p.Map
	return fmt.Sprintf("{Name: %q, Kind: runtime.%s, Map: &runtime.MapSpec{Elem: %q, Base: %d, Dims: %s, Strides: %s, Box: %#v, Swizzle: %d}}",
		p.Name, kindName(p.Kind), m.Elem, m.Base, args(m.Dims), args(m.Strides), m.Box, m.Swizzle)
}

func problemsText(o Options) string {
	var parts []string
	for _, p := range o.Problems {
		parts = append(parts, p.Problem.String()+" ("+p.Config.String()+")")
	}
	return "for " + strings.Join(parts, "; ")
}

// paramDocs is the doc comment's list of the parameters the kernel
// documents (ir.Builder.Doc), in order.
func paramDocs(f *ir.Func, params []runtime.Param, goNames map[string]string) string {
	var b strings.Builder
	for _, p := range params {
		if d := f.Docs[p.Name]; d != "" {
			if b.Len() == 0 {
				b.WriteString("//\n// Parameters the kernel documents:\n")
			}
			fmt.Fprintf(&b, "//   - %s: %s\n", goNames[p.Name], d)
		}
	}
	return b.String()
}

// variantDoc says what a variant is for.
func variantDoc(v *variant) string {
	kind := "generic"
	if len(v.bin.Facts) > 0 {
		kind = "specialized"
	}
	return fmt.Sprintf("%s for %s, config %s, %s", v.fn, v.target, v.meta, kind)
}

// ptxConsts numbers the distinct PTX texts of vs (a specialization that
// changes nothing shares its generic variant's text): const ptx<N>.
func ptxConsts(vs []*variant) []int {
	idx := make([]int, len(vs))
	seen := map[string]int{}
	for i, v := range vs {
		n, ok := seen[v.bin.PTX]
		if !ok {
			n = len(seen)
			seen[v.bin.PTX] = n
		}
		idx[i] = n
	}
	return idx
}

// ptx writes the PTX of every variant as constants.
func (g *writer) ptx(vs []*variant) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by tilec gen; DO NOT EDIT.\n\npackage %s\n\n", g.pkg)
	idx := ptxConsts(vs)
	written := map[int]bool{}
	for i, v := range vs {
		n := idx[i]
		if written[n] {
			continue
		}
		written[n] = true
		var docs []string
		for j, w := range vs {
			if idx[j] == n {
				docs = append(docs, variantDoc(w))
			}
		}
		fmt.Fprintf(&b, "// ptx%d is %s.\n", n, strings.Join(docs, "; and "))
		text := v.bin.PTX
		if strings.Contains(text, "`") {
			fmt.Fprintf(&b, "const ptx%d = %s\n\n", n, strconv.Quote(text))
		} else {
			fmt.Fprintf(&b, "const ptx%d = `%s`\n\n", n, text)
		}
	}
	return format.Source(b.Bytes())
}

// test writes the package's test: every problem's plan, run through the
// generated launchers on the emulator, against the float64 reference.
func (g *writer) test(o Options, order []string, byName map[string]kernels.Launch) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by tilec gen; DO NOT EDIT.\n\npackage %s\n\n", g.pkg)
	b.WriteString(`import (
	"fmt"
	"testing"

	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	_ "github.com/tilec/tilec/kernels/all"
	"github.com/tilec/tilec/runtime"
)

// device is the emulator with a plan's launches run through the generated
// launchers for element type dtype (kernels.FuncLauncher).
type device struct {
	*runtime.Emu
	dtype ir.DType
}

func (d device) LaunchFunc(f *ir.Func, _ [3]int, args []any) error {
	switch f.Name + "/" + d.dtype.String() {
`)
	for _, name := range order {
		params, err := tilec.Params(byName[name].Kernel)
		if err != nil {
			return nil, err
		}
		var conv []string
		for i, p := range params {
			switch p.Kind {
			case runtime.Ptr:
				conv = append(conv, fmt.Sprintf("runtime.DevicePtr(args[%d].(uint64))", i))
			case runtime.I32:
				conv = append(conv, fmt.Sprintf("int32(args[%d].(int64))", i))
			case runtime.I64:
				conv = append(conv, fmt.Sprintf("args[%d].(int64)", i))
			case runtime.F32:
				conv = append(conv, fmt.Sprintf("float32(args[%d].(float64))", i))
			case runtime.F64:
				conv = append(conv, fmt.Sprintf("args[%d].(float64)", i))
			}
		}
		fmt.Fprintf(&b, "\tcase %q:\n\t\treturn %s(d.Emu, %s)\n", name, g.fns[name], strings.Join(conv, ", "))
	}
	b.WriteString(`	}
	return fmt.Errorf("no generated launcher for %s (%s)", f.Name, d.dtype)
}

// targeted is a device standing for another architecture, so the
// emulator runs the variants compiled for it.
type targeted struct {
	runtime.Device
	target string
}

func (t targeted) Target() string { return t.target }

// TestVariantsOnEmulator runs every problem the package was generated for
// with each of its variants (per target, the specialized and the generic
// one) on the emulator, against the float64 reference.
func TestVariantsOnEmulator(t *testing.T) {
	defer func() { selectVariant = runtime.Select }()
	k := kernels.Lookup(` + strconv.Quote(o.Kernel.Name) + `)
	problems := []struct {
		sizes  map[string]int
		dtype  ir.DType
		config ir.Config
	}{
`)
	for _, p := range o.Problems {
		fmt.Fprintf(&b, "\t\t{%s, ir.%s, %s},\n", mapLit("map[string]int", p.Problem.Sizes), dtypeName(p.Problem.DType), mapLit("ir.Config", p.Config))
	}
	var ts []string
	for _, t := range o.Targets {
		ts = append(ts, strconv.Quote(string(t)))
	}
	b.WriteString(`	}
	for i, c := range problems {
		p, err := k.Problem(c.sizes, c.dtype)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := k.Plan(p, c.config)
		if err != nil {
			t.Fatal(err)
		}
		for _, target := range []string{` + strings.Join(ts, ", ") + `} {
			for _, generic := range []bool{false, true} {
				selectVariant = func(dev runtime.Device, vs []*runtime.Variant, args []any, vals map[string]int64) (*runtime.Variant, error) {
					var pick []*runtime.Variant
					for _, v := range vs {
						if v.Target == target && (len(v.Kernel.Facts) == 0) == generic {
							pick = append(pick, v)
						}
					}
					return runtime.Select(targeted{dev, target}, pick, args, vals)
				}
				name := fmt.Sprintf("%s for %s (generic: %v)", p, target, generic)
				rep, err := kernels.Check(device{runtime.NewEmu(), c.dtype}, plan, uint64(i+1))
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for _, o := range rep.Outputs {
					if !o.Pass() {
						t.Errorf("%s: %s: max abs err %.3g, rel L2 %.3g: %s", name, o.Name, o.MaxAbs, o.RelL2, o.First)
					}
				}
			}
		}
	}
}
`)
	return format.Source(b.Bytes())
}

// mapLit writes m as a Go composite literal of type typ, keys sorted (so
// that generating again gives the same bytes).
func mapLit[V int | int64](typ string, m map[string]V) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%q: %d", k, m[k])
	}
	return typ + "{" + strings.Join(parts, ", ") + "}"
}

func dtypeName(d ir.DType) string { return strings.ToUpper(d.String()) }
