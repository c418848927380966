// Package ir is tilec's tile IR: a typed SSA form of tile programs, the Go
// DSL that builds it (Builder), its verifier, its text form (.tir, printed
// by Print and read by Parse) and its passes (fold, CSE, DCE, specialize).
//
// # The model
//
// A kernel is a Func. Its body is a Block: a list of Ops, each taking Values
// as arguments and defining Values as results. Values are scalars, tiles
// (statically shaped arrays of rank 1 to 3) or block pointers; see Type.
// Control flow is structured: `for`, `if`, `while`, `reduce` and `scan` own
// regions (Blocks with arguments) that end in a terminator (`yield` or
// `condition`). A value may be used in the block that defines it, after its
// definition, and in every region nested below; there are no gotos and no
// phis, and loop-carried values are block arguments of the loop body.
//
// Every op is one row of the op table (ops.go): its name, its operands,
// attributes and regions, how its result types follow from its operands, its
// checks, whether it has side effects, and for elementwise ops its scalar
// semantics. The printer, parser, verifier, folder and the interpreter
// (package interp) all read that table; nothing else describes an op.
//
// # Meta-parameters
//
// A Func may declare constexpr meta-parameters (Func.Metas): block sizes and
// switches that are fixed per configuration, as in Triton. They appear as
// symbolic tile dimensions (f32[BLOCK_M, HEAD_DIM]) and as `constexpr` ops
// that yield their value. Specialize binds them from a Config, folds what
// became constant and returns a Func with no free meta-parameter, which is
// what the interpreter and codegen run.
package ir

import (
	"fmt"
	"path/filepath"
	"sort"

	"github.com/tilec/tilec/layout"
)

// Pos is a source position: the Go file and line of the DSL call that built
// an op, or the .tir line it was parsed from.
type Pos struct {
	File string
	Line int
}

func (p Pos) String() string {
	if p.File == "" {
		return "?"
	}
	return fmt.Sprintf("%s:%d", filepath.ToSlash(p.File), p.Line)
}

// Value is an SSA value: an op result, a block argument or a kernel parameter.
type Value struct {
	ID   int    // unique within the Func; printing renumbers
	Type Type   // never changes after creation except through specialization
	Def  *Op    // the op that defines it; nil for block arguments
	Name string // the parameter name for kernel parameters, else ""
}

// Op is one operation.
type Op struct {
	Code    Opcode
	Args    []*Value
	Results []*Value
	// Attrs holds the op's attributes by name; the op table lists which
	// exist and their kinds.
	Attrs   map[string]Attr
	Regions []*Block
	Pos     Pos
	Parent  *Block // the block that contains the op
}

// Info returns the op's table entry.
func (op *Op) Info() *OpInfo { return &opTable[op.Code] }

// Name returns the op's IR name.
func (op *Op) Name() string { return opTable[op.Code].Name }

// Result returns the op's single result; it panics if there is not exactly
// one, which is a bug in tilec, not user input.
func (op *Op) Result() *Value {
	if len(op.Results) != 1 {
		panic(fmt.Sprintf("ir: %s has %d results", op.Name(), len(op.Results)))
	}
	return op.Results[0]
}

// Block is a list of ops with arguments. The kernel body's arguments are the
// kernel parameters; a region's arguments are what its parent op passes in
// (a loop's induction variable and carried values, a combine function's
// operands).
type Block struct {
	Args   []*Value
	Ops    []*Op
	Parent *Op // the op owning this region; nil for the kernel body
}

// Terminator returns the block's last op if it is a terminator, else nil.
func (b *Block) Terminator() *Op {
	if len(b.Ops) == 0 {
		return nil
	}
	if last := b.Ops[len(b.Ops)-1]; last.Info().Terminator {
		return last
	}
	return nil
}

// Config binds meta-parameters (and the reserved keys num_warps and
// num_stages) to integers.
type Config map[string]int

// Reserved config keys that are not meta-parameters of the body but options
// of the compiled kernel.
const (
	KeyNumWarps  = "num_warps"
	KeyNumStages = "num_stages"
)

// Keys returns the config's keys in sorted order.
func (c Config) Keys() []string {
	ks := make([]string, 0, len(c))
	for k := range c {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// String formats the config as k=v,... in key order, the form the CLI takes.
func (c Config) String() string {
	s := ""
	for i, k := range c.Keys() {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprintf("%s=%d", k, c[k])
	}
	return s
}

// Clone returns a copy of c.
func (c Config) Clone() Config {
	out := make(Config, len(c))
	for k, v := range c {
		out[k] = v
	}
	return out
}

// Func is a kernel.
type Func struct {
	Name string
	// Params are the kernel parameters in order; they are Body's arguments.
	Params []*Value
	// Metas are the declared meta-parameter names, in declaration order.
	Metas []string
	// Bound records the config a specialized kernel was built with (nil for
	// a generic kernel). It is informational: nothing in Body refers to it.
	Bound Config
	// NumWarps and NumStages are launch options chosen by the config; codegen
	// reads them. Zero means unset (generic kernels).
	NumWarps, NumStages int
	// Docs says what parameters mean, by name (Builder.Doc), for the
	// documentation of generated launchers. Informational: not part of
	// the text form.
	Docs map[string]string
	// GPU is set once the kernel is at the GPU level (package gpu's
	// passes): tile values carry layouts and GPU ops may appear.
	GPU    *GPUInfo
	Body   *Block
	nextID int
}

// GPUInfo is what a kernel at the GPU level carries besides its ops.
type GPUInfo struct {
	// SM is the target's compute capability times ten (80 for sm_80);
	// Specific marks the architecture-specific target (sm_90a), whose
	// instructions (wgmma) run only on that architecture.
	SM       int
	Specific bool
	// SharedBytes is the dynamic shared memory a block uses, set by the
	// allocation pass (every local_alloc and scratch offset lies below);
	// Allocated says the pass has run.
	SharedBytes int
	Allocated   bool
	// Facts are what the launch guarantees about each parameter; the
	// vectorization pass relies on them and the binary is valid only for
	// arguments that keep them.
	Facts []Facts
	// layouts interns the kernel's layouts by their bases.
	layouts map[string]*layout.Linear
}

// Target is the target's name: sm_80, sm_90a.
func (g *GPUInfo) Target() string {
	if g.Specific {
		return fmt.Sprintf("sm_%da", g.SM)
	}
	return fmt.Sprintf("sm_%d", g.SM)
}

// Facts are what a launcher guarantees about a scalar argument (checked at
// launch, part of a binary's key; Triton specializes on divisibility by
// 16 and on the value 1 alike).
type Facts struct {
	Div int  // the value (a pointer's address) is a multiple of Div
	One bool // the value is 1 (a unit stride)
}

// Intern returns the kernel's one copy of layouts equal to l, so that
// types holding layouts compare with ==. The first copy seen keeps its
// Def (its text form).
func (f *Func) Intern(l *layout.Linear) *layout.Linear {
	if l == nil {
		return nil
	}
	if f.GPU.layouts == nil {
		f.GPU.layouts = map[string]*layout.Linear{}
	}
	k := l.Key()
	if c, ok := f.GPU.layouts[k]; ok {
		return c
	}
	f.GPU.layouts[k] = l
	return l
}

// NewFunc returns an empty kernel.
func NewFunc(name string) *Func {
	return &Func{Name: name, Body: &Block{}}
}

// NewValue creates a value of type t owned by f.
func (f *Func) NewValue(t Type) *Value {
	v := &Value{ID: f.nextID, Type: t}
	f.nextID++
	return v
}

// NumValues is an upper bound on Value.ID for values of f.
func (f *Func) NumValues() int { return f.nextID }

// AddParam appends a kernel parameter.
func (f *Func) AddParam(name string, t Type) *Value {
	v := f.NewValue(t)
	v.Name = name
	f.Params = append(f.Params, v)
	f.Body.Args = f.Params
	return v
}

// Specialized reports whether f has no free meta-parameters.
func (f *Func) Specialized() bool { return len(f.Metas) == 0 }

// HasMeta reports whether name is a declared meta-parameter.
func (f *Func) HasMeta(name string) bool {
	for _, m := range f.Metas {
		if m == name {
			return true
		}
	}
	return false
}

// Walk calls fn for every op of b and of the regions below it, in order,
// parents before their regions' ops.
func (b *Block) Walk(fn func(*Op)) {
	for _, op := range b.Ops {
		fn(op)
		for _, r := range op.Regions {
			r.Walk(fn)
		}
	}
}

// Walk calls fn for every op of f in program order.
func (f *Func) Walk(fn func(*Op)) { f.Body.Walk(fn) }

// NewOp creates an op of the given code. Results are created with the given
// types; regions are attached with AddRegion.
func (f *Func) NewOp(code Opcode, args []*Value, attrs map[string]Attr, results []Type) *Op {
	op := &Op{Code: code, Args: args, Attrs: attrs}
	for _, t := range results {
		v := f.NewValue(t)
		v.Def = op
		op.Results = append(op.Results, v)
	}
	return op
}

// AddRegion attaches a new region with arguments of the given types to op.
func (f *Func) AddRegion(op *Op, args []Type) *Block {
	b := &Block{Parent: op}
	for _, t := range args {
		b.Args = append(b.Args, f.NewValue(t))
	}
	op.Regions = append(op.Regions, b)
	return b
}

// Append adds op at the end of b.
func (b *Block) Append(op *Op) {
	op.Parent = b
	b.Ops = append(b.Ops, op)
}
