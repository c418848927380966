package ptx

import (
	"fmt"
	"strings"

	"github.com/llir/llvm/ir"
	"github.com/llir/llvm/ir/constant"
	"github.com/llir/llvm/ir/enum"
	"github.com/llir/llvm/ir/metadata"
	"github.com/llir/llvm/ir/types"
	"github.com/llir/llvm/ir/value"
)

// compiler is the state of compiling one module.
type compiler struct {
	m           *ir.Module
	req         *requirements
	globalNames map[*ir.Global]string
	funcNames   map[*ir.Func]string
	kernels     map[*ir.Func]*kernelInfo
	used        map[string]bool   // PTX names taken
	sigChecked  map[*ir.Func]bool // intrinsic declarations whose signature matched
}

// kernelInfo holds a kernel's launch bounds from !nvvm.annotations.
type kernelInfo struct {
	reqntid, maxntid  [3]int64
	minctasm, maxnreg int64
}

// Triple and DataLayout are what the backend accepts (an empty module
// field is accepted too).
const (
	Triple     = "nvptx64-nvidia-cuda"
	DataLayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"
)

func (c *compiler) checkModule() error {
	if t := c.m.TargetTriple; t != "" && t != Triple {
		return fmt.Errorf("ptx: module triple is %q, want %q", t, Triple)
	}
	if d := c.m.DataLayout; d != "" && d != DataLayout {
		return fmt.Errorf("ptx: module datalayout is %q, want %q", d, DataLayout)
	}
	if len(c.m.ModuleAsms) > 0 {
		return fmt.Errorf("ptx: module-level inline asm is not supported")
	}
	return nil
}

// readAnnotations finds the kernels: functions named in !nvvm.annotations
// with !"kernel" set to 1, or with the ptx_kernel calling convention, and
// their launch bounds.
func (c *compiler) readAnnotations() error {
	c.kernels = map[*ir.Func]*kernelInfo{}
	for _, fn := range c.m.Funcs {
		if fn.CallingConv == enum.CallingConvPTXKernel {
			c.kernels[fn] = &kernelInfo{}
		}
	}
	nd := c.m.NamedMetadataDefs["nvvm.annotations"]
	if nd == nil {
		return nil
	}
	// First the kernel marks, then the bounds (which may come first in
	// the list but only apply to kernels).
	type ann struct {
		fn  *ir.Func
		key string
		val int64
	}
	var anns []ann
	for _, node := range nd.Nodes {
		t, ok := node.(*metadata.Tuple)
		if !ok {
			continue
		}
		fs := t.Fields
		if len(fs) < 3 || len(fs)%2 == 0 {
			return fmt.Errorf("ptx: malformed !nvvm.annotations entry %s", t.LLString())
		}
		fv, ok := fs[0].(value.Value)
		if !ok {
			continue
		}
		fn, ok := stripCasts(fv).(*ir.Func)
		if !ok {
			continue // annotations of globals (texture, surface) do not concern us
		}
		for i := 1; i+1 < len(fs); i += 2 {
			key, ok1 := fs[i].(*metadata.String)
			val, ok2 := fs[i+1].(*constant.Int)
			if !ok1 || !ok2 {
				return fmt.Errorf("ptx: malformed !nvvm.annotations entry %s", t.LLString())
			}
			anns = append(anns, ann{fn, key.Value, val.X.Int64()})
		}
	}
	for _, a := range anns {
		if a.key == "kernel" && a.val == 1 {
			if a.fn.Blocks == nil {
				return fmt.Errorf("ptx: kernel %s is only declared", a.fn.Ident())
			}
			if c.kernels[a.fn] == nil {
				c.kernels[a.fn] = &kernelInfo{}
			}
		}
	}
	for _, a := range anns {
		k := c.kernels[a.fn]
		if k == nil || a.key == "kernel" {
			continue
		}
		if a.val <= 0 {
			return fmt.Errorf("ptx: !nvvm.annotations %q of %s must be positive, got %d", a.key, a.fn.Ident(), a.val)
		}
		switch a.key {
		case "reqntidx", "reqntidy", "reqntidz":
			k.reqntid[a.key[len(a.key)-1]-'x'] = a.val
		case "maxntidx", "maxntidy", "maxntidz":
			k.maxntid[a.key[len(a.key)-1]-'x'] = a.val
		case "minctasm":
			k.minctasm = a.val
		case "maxnreg":
			k.maxnreg = a.val
		case "align", "grid_constant":
			// Parameter attributes that do not change the code.
		default:
			return fmt.Errorf("ptx: !nvvm.annotations key %q of %s is not supported", a.key, a.fn.Ident())
		}
	}
	return nil
}

// ptxName turns an LLVM name into a PTX identifier: letters, digits, _ and
// $, not starting with a digit. llc's rule for '.' ("_$_") is kept so
// names match between the two backends.
func ptxName(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= 'A' && ch <= 'Z', ch == '_', ch == '$',
			ch >= '0' && ch <= '9' && i > 0:
			sb.WriteByte(ch)
		case ch == '.':
			sb.WriteString("_$_")
		default:
			fmt.Fprintf(&sb, "_$%02x_", ch)
		}
	}
	if sb.Len() == 0 {
		return "_"
	}
	return sb.String()
}

// name assigns a unique PTX name.
func (c *compiler) name(llvm string) (string, error) {
	n := ptxName(llvm)
	if c.used[n] {
		return "", fmt.Errorf("ptx: two symbols map to the PTX name %q", n)
	}
	c.used[n] = true
	return n, nil
}

// globalDecl emits a module variable: shared (static or dynamic), const
// with its initializer, or global.
func (c *compiler) globalDecl(g *ir.Global) (string, error) {
	name := c.globalNames[g]
	size, align, err := layout(g.ContentType)
	if err != nil {
		return "", fmt.Errorf("ptx: global %s: %w", g.Ident(), err)
	}
	if g.Align != 0 {
		align = int64(g.Align)
	}
	space, err := addrSpace(g.AddrSpace)
	if err != nil || space == "" || space == "local" {
		return "", fmt.Errorf("ptx: global %s: address space %d is not supported (1 global, 3 shared, 4 const)", g.Ident(), g.AddrSpace)
	}
	if g.Init == nil {
		// A declaration: dynamic shared memory, or a variable defined
		// elsewhere.
		return fmt.Sprintf(".extern .%s .align %d .b8 %s[];\n", space, align, name), nil
	}
	if space == "shared" {
		switch g.Init.(type) {
		case *constant.Undef, *constant.Poison, *constant.ZeroInitializer:
		default:
			return "", fmt.Errorf("ptx: global %s: shared memory cannot be initialized", g.Ident())
		}
		return fmt.Sprintf(".shared .align %d .b8 %s[%d];\n", align, name, size), nil
	}
	data, err := initBytes(g.Init, g.ContentType)
	if err != nil {
		return "", fmt.Errorf("ptx: global %s: %w", g.Ident(), err)
	}
	vis := ""
	if g.Linkage != enum.LinkageInternal && g.Linkage != enum.LinkagePrivate {
		vis = ".visible "
	}
	zero := true
	for _, b := range data {
		if b != 0 {
			zero = false
		}
	}
	if zero {
		return fmt.Sprintf("%s.%s .align %d .b8 %s[%d];\n", vis, space, align, name, size), nil
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s.%s .align %d .b8 %s[%d] = {", vis, space, align, name, size)
	for i, b := range data {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprint(&sb, b)
	}
	sb.WriteString("};\n")
	return sb.String(), nil
}

// paramSlot is how a value crosses a .param boundary: the declaration
// (with %s for the name) and where each of its parts lives.
type paramSlot struct {
	decl  string
	parts []paramPart
}

// paramPart is one part of a parameter: its kind, byte offset and the
// ld.param/st.param type.
type paramPart struct {
	k   kind
	off int64
	typ string
}

// paramSlotFor lays out a parameter or return value. Kernel parameters
// are scalars typed as llc writes them (.u64 for pointers, .u32, .f32,
// .b16 for half, .u8 for i1 and i8). .func scalars are .b32 or .b64, as
// llc promotes them; .func vectors and literal structs are byte arrays
// (.align A .b8 name[size]) with each part at its memory offset.
func paramSlotFor(t types.Type, kernel bool) (paramSlot, error) {
	switch t.(type) {
	case *types.VectorType, *types.StructType:
		if kernel {
			return paramSlot{}, fmt.Errorf("kernel parameter of type %s is not supported (by-value aggregates)", t.LLString())
		}
		size, align, err := layout(t)
		if err != nil {
			return paramSlot{}, err
		}
		var parts []paramPart
		if err := aggregateParts(t, 0, &parts); err != nil {
			return paramSlot{}, err
		}
		return paramSlot{fmt.Sprintf(".align %d .b8 %%s[%d]", align, size), parts}, nil
	}
	k, err := scalarKind(t)
	if err != nil {
		return paramSlot{}, fmt.Errorf("parameter type %s is not supported: %w", t.LLString(), err)
	}
	if kernel {
		return paramSlot{"." + kindInfo[k].mem + " %s", []paramPart{{k, 0, kindInfo[k].mem}}}, nil
	}
	decl := ".b32 %s"
	if k.bits() > 32 {
		decl = ".b64 %s"
	}
	return paramSlot{decl, []paramPart{{k, 0, paramType(k)}}}, nil
}

// aggregateParts lists the parts of a vector or struct with their offsets.
func aggregateParts(t types.Type, base int64, out *[]paramPart) error {
	switch t := t.(type) {
	case *types.VectorType:
		k, err := scalarKind(t.ElemType)
		if err != nil {
			return err
		}
		for i := uint64(0); i < t.Len; i++ {
			if err := aggregateParts(t.ElemType, base+int64(i)*int64(k.bits()/8), out); err != nil {
				return err
			}
		}
		return nil
	case *types.StructType:
		for i, fld := range t.Fields {
			off, err := fieldOffset(t, i)
			if err != nil {
				return err
			}
			if err := aggregateParts(fld, base+off, out); err != nil {
				return err
			}
		}
		return nil
	}
	k, err := scalarKind(t)
	if err != nil {
		return err
	}
	if k == kI1 {
		return fmt.Errorf("i1 inside an aggregate parameter is not supported")
	}
	typ := paramType(k)
	if k == kI8 {
		typ = "b8"
	}
	*out = append(*out, paramPart{k, base, typ})
	return nil
}

// paramType is the ld.param / st.param type of a scalar part.
func paramType(k kind) string {
	switch k {
	case kI1:
		return "u8"
	case kI8, kI16, kF16:
		return "b16"
	case kF32:
		return "f32"
	case kF64:
		return "f64"
	case kI32:
		return "b32"
	}
	return "b64"
}

// loadParam reads a value's parts from a .param slot.
func (f *fn) loadParam(s paramSlot, name string) ([]opnd, error) {
	out := make([]opnd, len(s.parts))
	for i, p := range s.parts {
		addr := fmt.Sprintf("[%s+%d]", name, p.off)
		if p.off == 0 {
			addr = "[" + name + "]"
		}
		if p.k == kI1 {
			t := f.newReg(kI16)
			f.emit("ld.param.u8", regName(t), addr)
			d, err := f.intResize(t, kI1, false)
			if err != nil {
				return nil, err
			}
			out[i] = d
			continue
		}
		r := f.newReg(p.k)
		f.emit("ld.param."+p.typ, regName(r), addr)
		out[i] = r
	}
	return out, nil
}

// storeParam writes a value's parts into a .param slot.
func (f *fn) storeParam(s paramSlot, name string, vals []opnd) error {
	if len(vals) != len(s.parts) {
		return fmt.Errorf("value has %d parts, parameter %d", len(vals), len(s.parts))
	}
	for i, p := range s.parts {
		src := f.reg(vals[i])
		if p.k == kI1 {
			t := f.newReg(kI16)
			f.emit("selp.u16", regName(t), "1", "0", src)
			src = regName(t)
		}
		f.emit("st.param."+p.typ, fmt.Sprintf("[%s+%d]", name, p.off), src)
	}
	return nil
}

// signature renders the .entry or .func line with its parameter list.
func (c *compiler) signature(f *fn) (string, error) {
	var sb strings.Builder
	if f.kernel {
		fmt.Fprintf(&sb, ".visible .entry %s(", f.name)
	} else {
		if f.f.Linkage == enum.LinkageInternal || f.f.Linkage == enum.LinkagePrivate {
			sb.WriteString(".func ")
		} else {
			sb.WriteString(".visible .func ")
		}
		if rt := f.f.Sig.RetType; !types.Equal(rt, types.Void) {
			s, err := paramSlotFor(rt, false)
			if err != nil {
				return "", err
			}
			sb.WriteString("(.param " + fmt.Sprintf(s.decl, "func_retval0") + ") ")
		}
		fmt.Fprintf(&sb, "%s(", f.name)
	}
	for i, p := range f.f.Params {
		if i > 0 {
			sb.WriteString(",")
		}
		if bp := f.byval[p]; bp != nil {
			fmt.Fprintf(&sb, "\n\t.param .align %d .b8 %s[%d]", bp.align, bp.name, bp.size)
			continue
		}
		s, err := paramSlotFor(p.Typ, f.kernel)
		if err != nil {
			return "", err
		}
		sb.WriteString("\n\t.param " + fmt.Sprintf(s.decl, fmt.Sprintf("%s_param_%d", f.name, i)))
	}
	if len(f.f.Params) > 0 {
		sb.WriteString("\n")
	}
	sb.WriteString(")")
	return sb.String(), nil
}

// loadParams reads every parameter at the top of the entry block.
func (f *fn) loadParams() error {
	for i, p := range f.f.Params {
		if bp := f.byval[p]; bp != nil {
			f.loadByval(p, bp)
			continue
		}
		s, err := paramSlotFor(p.Typ, f.kernel)
		if err != nil {
			return fmt.Errorf("ptx: function %s: %w", f.f.Ident(), err)
		}
		v, err := f.loadParam(s, fmt.Sprintf("%s_param_%d", f.name, i))
		if err != nil {
			return fmt.Errorf("ptx: function %s: %w", f.f.Ident(), err)
		}
		f.def(p, v)
	}
	return f.err
}

// storeRet writes a .func's return value.
func (f *fn) storeRet(v value.Value) error {
	if f.kernel {
		return fmt.Errorf("a kernel cannot return a value")
	}
	s, err := paramSlotFor(v.Type(), false)
	if err != nil {
		return err
	}
	vals, err := f.parts(v)
	if err != nil {
		return err
	}
	return f.storeParam(s, "func_retval0", vals)
}

// compile lowers the whole module.
func (c *compiler) compile() (string, error) {
	if err := c.checkModule(); err != nil {
		return "", err
	}
	if err := c.readAnnotations(); err != nil {
		return "", err
	}
	c.used = map[string]bool{}
	c.globalNames = map[*ir.Global]string{}
	c.funcNames = map[*ir.Func]string{}
	for _, g := range c.m.Globals {
		n, err := c.name(g.Name())
		if err != nil {
			return "", err
		}
		c.globalNames[g] = n
	}
	var defined []*ir.Func
	for _, fn := range c.m.Funcs {
		if fn.Blocks == nil {
			continue
		}
		n, err := c.name(fn.Name())
		if err != nil {
			return "", err
		}
		c.funcNames[fn] = n
		defined = append(defined, fn)
	}
	var globals strings.Builder
	for _, g := range c.m.Globals {
		s, err := c.globalDecl(g)
		if err != nil {
			return "", err
		}
		globals.WriteString(s)
	}
	var protos, bodies strings.Builder
	var kernelNames []string
	for i, irf := range defined {
		f := &fn{
			c:        c,
			f:        irf,
			name:     c.funcNames[irf],
			idx:      i,
			kernel:   c.kernels[irf] != nil,
			unsafe:   funcAttr(irf, "unsafe-fp-math") == "true",
			ftz:      strings.HasPrefix(funcAttr(irf, "denormal-fp-math-f32"), "preserve-sign"),
			vals:     map[value.Value][]opnd{},
			addrOnly: findAddressOnly(irf),
			folded:   map[value.Value]addrFold{},
			packed:   map[string]opnd{},
		}
		if f.kernel {
			kernelNames = append(kernelNames, f.name)
			if !types.Equal(irf.Sig.RetType, types.Void) {
				return "", fmt.Errorf("ptx: kernel %s must return void", irf.Ident())
			}
		}
		if irf.Sig.Variadic {
			return "", fmt.Errorf("ptx: function %s is variadic", irf.Ident())
		}
		if err := f.findByval(); err != nil {
			return "", err
		}
		if err := f.buildCFG(); err != nil {
			return "", err
		}
		if err := f.lowerBody(); err != nil {
			return "", err
		}
		sig, err := c.signature(f)
		if err != nil {
			return "", fmt.Errorf("ptx: function %s: %w", irf.Ident(), err)
		}
		if !f.kernel {
			protos.WriteString(sig + ";\n")
		}
		bodies.WriteString("\n// " + irf.Ident() + "\n" + sig + "\n")
		if k := c.kernels[irf]; k != nil {
			bodies.WriteString(k.directives())
		}
		bodies.WriteString(f.body())
	}
	var out strings.Builder
	out.WriteString("//\n// Generated by tilec's PTX backend (package ptx)")
	if c.m.SourceFilename != "" {
		fmt.Fprintf(&out, " from %s", c.m.SourceFilename)
	}
	out.WriteString("\n")
	if len(kernelNames) > 0 {
		fmt.Fprintf(&out, "// Kernels: %s\n", strings.Join(kernelNames, ", "))
	}
	if why := c.req.raisedBy(); len(why) > 0 {
		fmt.Fprintf(&out, "// .version %s is needed by: %s\n", c.req.version(), strings.Join(why, ", "))
	}
	out.WriteString("//\n\n")
	fmt.Fprintf(&out, ".version %s\n.target %s\n.address_size 64\n", c.req.version(), c.req.a.name)
	if globals.Len() > 0 {
		out.WriteString("\n" + globals.String())
	}
	if protos.Len() > 0 {
		out.WriteString("\n" + protos.String())
	}
	out.WriteString(bodies.String())
	return out.String(), nil
}

// directives renders a kernel's launch bounds.
func (k *kernelInfo) directives() string {
	dims := func(v [3]int64) string {
		for i := range v {
			if v[i] == 0 {
				v[i] = 1
			}
		}
		return fmt.Sprintf("%d, %d, %d", v[0], v[1], v[2])
	}
	var sb strings.Builder
	if k.reqntid != [3]int64{} {
		fmt.Fprintf(&sb, ".reqntid %s\n", dims(k.reqntid))
	}
	if k.maxntid != [3]int64{} {
		fmt.Fprintf(&sb, ".maxntid %s\n", dims(k.maxntid))
	}
	if k.minctasm != 0 {
		fmt.Fprintf(&sb, ".minnctapersm %d\n", k.minctasm)
	}
	if k.maxnreg != 0 {
		fmt.Fprintf(&sb, ".maxnreg %d\n", k.maxnreg)
	}
	return sb.String()
}

// funcAttr returns a string function attribute ("key"="value"), looking
// through attribute groups.
func funcAttr(fn *ir.Func, key string) string {
	var find func(attrs []ir.FuncAttribute) (string, bool)
	find = func(attrs []ir.FuncAttribute) (string, bool) {
		for _, a := range attrs {
			switch a := a.(type) {
			case ir.AttrPair:
				if a.Key == key {
					return a.Value, true
				}
			case *ir.AttrGroupDef:
				if v, ok := find(a.FuncAttrs); ok {
					return v, true
				}
			}
		}
		return "", false
	}
	v, _ := find(fn.FuncAttrs)
	return v
}
