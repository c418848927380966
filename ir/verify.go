package ir

import (
	"errors"
	"fmt"
)

// Error is a problem with one op: where it was built (or parsed), which op,
// and what is wrong. Builder, verifier and parser report Errors.
type Error struct {
	Pos Pos
	Op  string // the op's name, or "" for problems outside an op
	Msg string
}

func (e *Error) Error() string {
	if e.Op == "" {
		return fmt.Sprintf("%s: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.Pos, e.Op, e.Msg)
}

// Limits of the GPU level, far above what a GPU has (255 registers per
// thread, 227 KiB of shared memory per block): beyond them a kernel is
// nonsense, and checking it would take long.
const (
	MaxRegsPerThread = 1 << 14
	MaxSharedBytes   = 1 << 22
)

// maxErrors bounds how many problems one verification reports.
const maxErrors = 20

// Verify checks f: every op against its table row (operand counts and
// types, attributes, result types, regions and terminators), SSA scoping
// (a value is used only where it is visible), and types (declared
// meta-parameters; for a kernel without meta-parameters, concrete tile
// dimensions that are powers of two). It returns every problem found, up to
// a limit, joined.
//
// A kernel at the GPU level (Func.GPU set) is also checked for layouts:
// every tile has one, each op's operand and result layouts are ones it
// accepts (OpInfo.Layouts), GPU ops and attributes appear only there, and,
// once shared memory is allocated, every buffer and scratch area lies
// inside it and none overlaps another while both are live.
func Verify(f *Func) error {
	v := &verifier{f: f, visible: map[*Value]bool{}}
	for _, p := range f.Params {
		if p.Type.Kind == KindBlockPtr || p.Type.IsTile() || p.Type.IsShared() {
			v.errorf(Pos{}, "", "parameter %s has type %s; parameters are scalars and pointers", p.Name, p.Type)
		}
		v.checkType(Pos{}, "", p.Type)
	}
	if f.GPU != nil && len(f.GPU.Facts) > len(f.Params) {
		v.errorf(Pos{}, "", "%d launch facts for %d parameters", len(f.GPU.Facts), len(f.Params))
	}
	v.block(f.Body)
	if t := f.Body.Terminator(); t != nil {
		v.errorf(t.Pos, t.Name(), "the kernel body cannot end in a terminator")
	}
	if f.GPU != nil && f.GPU.Allocated && len(v.errs) == 0 {
		v.sharedMemory()
	}
	if len(v.errs) > 0 {
		return errors.Join(v.errs...)
	}
	return nil
}

type verifier struct {
	f       *Func
	visible map[*Value]bool
	errs    []error
}

func (v *verifier) errorf(pos Pos, op, format string, args ...any) {
	if len(v.errs) == maxErrors {
		v.errs = append(v.errs, errors.New("too many errors"))
	}
	if len(v.errs) > maxErrors {
		return
	}
	v.errs = append(v.errs, &Error{Pos: pos, Op: op, Msg: fmt.Sprintf(format, args...)})
}

// block checks b's ops in order; values defined in b stop being visible
// when it ends.
func (v *verifier) block(b *Block) {
	var defined []*Value
	for _, a := range b.Args {
		v.visible[a] = true
		defined = append(defined, a)
		v.checkType(Pos{}, "", a.Type)
	}
	for i, op := range b.Ops {
		if op.Parent != b {
			v.errorf(op.Pos, op.Name(), "is not linked to its block")
		}
		if op.Info().Terminator && i != len(b.Ops)-1 {
			v.errorf(op.Pos, op.Name(), "terminator is not the last op of its region")
		}
		v.op(op)
		for _, r := range op.Regions {
			v.block(r)
		}
		for _, res := range op.Results {
			v.visible[res] = true
			defined = append(defined, res)
		}
	}
	for _, d := range defined {
		delete(v.visible, d)
	}
}

// checkType reports invalid types and undeclared or unbound dimensions.
func (v *verifier) checkType(pos Pos, op string, t Type) {
	if t.Kind == KindInvalid || t.Elem == Invalid || t.Elem >= numDTypes {
		v.errorf(pos, op, "invalid type %s", t)
		return
	}
	if t.Shape.Rank > MaxRank {
		v.errorf(pos, op, "rank %d is above %d", t.Shape.Rank, MaxRank)
		return
	}
	for i, d := range t.Shape.Dims[:t.Shape.Rank] {
		if t.IsShared() && (t.Shape.Rank == MaxRank || t.Elem == I64 && t.Shape.Rank == 1) && i == 0 && d.N > 0 {
			continue // a ring of any number of stages, or their mbarriers
		}
		v.checkDim(pos, op, d, t)
	}
	gpu := v.f.GPU != nil
	switch {
	case !gpu && (t.Layout != nil || t.IsShared()):
		v.errorf(pos, op, "type %s belongs to the GPU level, not the tile IR", t)
	case gpu && t.IsTile() && t.Layout == nil:
		v.errorf(pos, op, "tile %s has no layout", t)
	case gpu && t.IsTile() && !eqShape(t.Layout.Shape, t.Shape):
		v.errorf(pos, op, "type %s: the layout is for shape %v", t, t.Layout.Shape)
	case gpu && t.IsTile() && t.Layout.NumRegs() > MaxRegsPerThread:
		v.errorf(pos, op, "type %s needs %d registers per thread (at most %d)", t, t.Layout.NumRegs(), MaxRegsPerThread)
	case gpu && t.IsShared() && t.Shape.Concrete() && t.Shape.Numel() > MaxSharedBytes:
		v.errorf(pos, op, "shared buffer %s is larger than %d bytes", t, MaxSharedBytes)
	case gpu && t.IsTile() && t.Layout != v.f.Intern(t.Layout):
		v.errorf(pos, op, "type %s: the layout is not the kernel's interned copy (use Func.Intern)", t)
	case gpu && !t.IsTile() && t.Layout != nil:
		v.errorf(pos, op, "type %s: only tiles have layouts", t)
	case gpu && t.IsShared():
		if err := checkShared(t); err != nil {
			v.errorf(pos, op, "%v", err)
		}
	}
}

func (v *verifier) checkDim(pos Pos, op string, d Dim, t Type) {
	switch {
	case d.Symbolic() && !v.f.HasMeta(d.Sym):
		v.errorf(pos, op, "type %s uses %s, which is not a declared constexpr", t, d.Sym)
	case !d.Symbolic() && d.N <= 0:
		v.errorf(pos, op, "type %s has a dimension of %d", t, d.N)
	case !d.Symbolic() && v.f.Specialized() && !isPow2(d.N):
		v.errorf(pos, op, "type %s has dimension %d, which is not a power of two", t, d.N)
	}
}

func (v *verifier) op(op *Op) {
	info := op.Info()
	name := info.Name
	if op.Code == OpInvalid || op.Code >= NumOpcodes {
		v.errorf(op.Pos, "", "invalid opcode %d", op.Code)
		return
	}
	gpu := v.f.GPU != nil
	if info.GPU && !gpu {
		v.errorf(op.Pos, name, "is a GPU-level op, in a kernel at the tile level")
		return
	}
	ok := true
	bad := func(format string, args ...any) {
		v.errorf(op.Pos, name, format, args...)
		ok = false
	}
	// Operands: visible, and as many as the row allows.
	for i, a := range op.Args {
		switch {
		case a == nil:
			bad("operand %d is missing", i)
		case !v.visible[a]:
			bad("operand %d (%s) is not defined before this use or not visible here", i, a.Type)
		case a.Type.Kind == KindInvalid:
			bad("operand %d has an invalid type", i)
		}
	}
	fixed, optional := 0, 0
	for _, s := range info.Args {
		if s.Optional {
			optional++
		} else {
			fixed++
		}
	}
	switch n := len(op.Args); {
	case n < fixed:
		bad("has %d operands, want %d", n, fixed)
	case !info.Variadic && n > fixed+optional:
		bad("has %d operands, want at most %d", n, fixed+optional)
	}
	if info.Results >= 0 && len(op.Results) != info.Results {
		bad("has %d results, want %d", len(op.Results), info.Results)
	}
	if len(op.Regions) != info.Regions {
		bad("has %d regions, want %d", len(op.Regions), info.Regions)
	}
	// Attributes: exactly the row's, each of its kind.
	for _, s := range info.Attrs {
		a, present := op.Attrs[s.Name]
		if !present {
			if !s.Optional && !s.GPU {
				bad("attribute %s is missing", s.Name)
			}
			continue
		}
		if s.GPU && !gpu {
			bad("attribute %s belongs to the GPU level", s.Name)
			continue
		}
		if err := checkAttr(s, a); err != nil {
			bad("%v", err)
			continue
		}
		switch s.Kind {
		case AttrMeta:
			if m := a.(string); !v.f.HasMeta(m) {
				bad("%s is not a declared constexpr (missing constexpr)", m)
			}
		case AttrDim:
			if d := a.(Dim); d.Symbolic() && !v.f.HasMeta(d.Sym) {
				bad("%s is not a declared constexpr (missing constexpr)", d.Sym)
			}
		}
	}
	if len(op.Attrs) > len(info.Attrs) {
		for k := range op.Attrs {
			if !hasAttrSpec(info, k) {
				bad("unknown attribute %s", k)
			}
		}
	}
	for _, r := range op.Results {
		v.checkType(op.Pos, name, r.Type)
	}
	if !ok {
		return
	}
	for i, a := range op.Args {
		if d := a.Def; d != nil && d.Code == OpDot && d.HasAttr("async") && !PendingUse(op, i) {
			v.errorf(op.Pos, name, "operand %d is an async dot's pending result: read it after a dot_wait", i)
			return
		}
	}
	if op.Code == OpConstexpr && v.f.Specialized() {
		v.errorf(op.Pos, name, "%s is unbound in a specialized kernel", op.Str("name"))
	}
	if info.Infer != nil {
		want, err := info.Infer(op)
		if err != nil {
			v.errorf(op.Pos, name, "%v", err)
			return
		}
		if len(want) != len(op.Results) {
			v.errorf(op.Pos, name, "has %d results, want %d", len(op.Results), len(want))
			return
		}
		// Layouts are the Layouts rule's to check.
		for i, t := range want {
			if op.Results[i].Type.Tiled() != t.Tiled() {
				v.errorf(op.Pos, name, "result %d is %s, want %s", i, op.Results[i].Type, t)
				return
			}
		}
	}
	if info.Check != nil {
		if err := info.Check(op); err != nil {
			v.errorf(op.Pos, name, "%v", err)
			return
		}
	}
	if gpu && op.Code == OpFor {
		if err := checkPendingCarried(op, v.f); err != nil {
			v.errorf(op.Pos, name, "%v", err)
			return
		}
	}
	if gpu && info.Layouts != nil && v.allLaidOut(op) {
		if err := info.Layouts(op, v.f); err != nil {
			v.errorf(op.Pos, name, "%v", err)
		}
	}
}

// allLaidOut reports whether every tile operand and result of op has a
// layout (a missing one is reported once, where the value is defined).
func (v *verifier) allLaidOut(op *Op) bool {
	for _, x := range op.Args {
		if x.Type.IsTile() && x.Type.Layout == nil {
			return false
		}
	}
	for _, r := range op.Results {
		if r.Type.IsTile() && r.Type.Layout == nil {
			return false
		}
	}
	return true
}

func hasAttrSpec(info *OpInfo, name string) bool {
	for _, s := range info.Attrs {
		if s.Name == name {
			return true
		}
	}
	return false
}

// InternalError is a bug in tilec found while compiling a kernel: a panic
// in a pass or in LLVM emission, caught with its stack so that it can be
// shown (tilec -v) and reported (a tuner's failed config).
type InternalError struct {
	Stage string // the pass that panicked, or "emit" (LLVM emission)
	Op    string // the op being emitted, when known
	Pos   Pos
	Value any
	Stack string
}

func (e *InternalError) Error() string {
	where := "pass " + e.Stage
	if e.Stage == "emit" {
		where = "LLVM emission"
	}
	if e.Op != "" {
		return fmt.Sprintf("%s: %s: internal compiler error in %s: %v", e.Pos, e.Op, where, e.Value)
	}
	return fmt.Sprintf("internal compiler error in %s: %v", where, e.Value)
}
