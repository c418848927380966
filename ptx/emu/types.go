package emu

import "fmt"

// ptype is a PTX fundamental type as written in an instruction suffix or a
// declaration (.u32, .f16x2, .pred, ...).
type ptype uint8

const (
	tNone ptype = iota
	tPred
	tB8
	tB16
	tB32
	tB64
	tB128
	tU8
	tU16
	tU32
	tU64
	tS8
	tS16
	tS32
	tS64
	tF16
	tF16x2
	tBF16
	tBF16x2
	tTF32
	tF32
	tF64
)

// typeInfo holds the size and kind of each ptype; indexed by ptype so a
// missing entry is a zero row that the init check below rejects.
var typeInfo = [...]struct {
	name   string
	size   int // bytes
	signed bool
	float  bool
	bits   bool // untyped .bN
}{
	tNone:   {name: "", size: 0},
	tPred:   {name: "pred", size: 1},
	tB8:     {name: "b8", size: 1, bits: true},
	tB16:    {name: "b16", size: 2, bits: true},
	tB32:    {name: "b32", size: 4, bits: true},
	tB64:    {name: "b64", size: 8, bits: true},
	tB128:   {name: "b128", size: 16, bits: true},
	tU8:     {name: "u8", size: 1},
	tU16:    {name: "u16", size: 2},
	tU32:    {name: "u32", size: 4},
	tU64:    {name: "u64", size: 8},
	tS8:     {name: "s8", size: 1, signed: true},
	tS16:    {name: "s16", size: 2, signed: true},
	tS32:    {name: "s32", size: 4, signed: true},
	tS64:    {name: "s64", size: 8, signed: true},
	tF16:    {name: "f16", size: 2, float: true},
	tF16x2:  {name: "f16x2", size: 4, float: true},
	tBF16:   {name: "bf16", size: 2, float: true},
	tBF16x2: {name: "bf16x2", size: 4, float: true},
	tTF32:   {name: "tf32", size: 4, float: true},
	tF32:    {name: "f32", size: 4, float: true},
	tF64:    {name: "f64", size: 8, float: true},
}

var typeByName = func() map[string]ptype {
	m := map[string]ptype{}
	for t := tPred; int(t) < len(typeInfo); t++ {
		if typeInfo[t].name == "" {
			panic(fmt.Sprintf("emu: type %d has no typeInfo row", t))
		}
		m[typeInfo[t].name] = t
	}
	return m
}()

func (t ptype) String() string { return "." + typeInfo[t].name }
func (t ptype) size() int      { return typeInfo[t].size }
func (t ptype) signed() bool   { return typeInfo[t].signed }
func (t ptype) isFloat() bool  { return typeInfo[t].float }
func (t ptype) isInt() bool    { return t != tPred && t != tNone && !typeInfo[t].float }

// mask returns the value mask of an integer type of t's width.
func (t ptype) mask() uint64 {
	if t.size() >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*uint(t.size())) - 1
}

// sext sign-extends the low size bytes of v to 64 bits.
func sext(v uint64, size int) int64 {
	s := 64 - 8*uint(size)
	return int64(v<<s) >> s
}

// Class is an instruction class for the per-launch counters.
type Class uint8

// Instruction classes. Arithmetic opcodes are classified by their type at
// decode time: integer, float (f32/f64) or half (f16/bf16 scalars and pairs).
const (
	ClassInt      Class = iota // integer and bit arithmetic, predicates, moves
	ClassFloat                 // f32/f64 arithmetic and comparisons
	ClassHalf                  // f16/bf16 scalar and packed arithmetic
	ClassSFU                   // transcendental approximations: ex2, lg2, rsqrt, sin, ...
	ClassConvert               // cvt and cvta
	ClassGlobal                // global/generic memory, atomics, cp.async
	ClassShared                // shared-memory loads, stores, atomics, ldmatrix
	ClassOtherMem              // local, param and const space
	ClassControl               // bra, call, ret, exit
	ClassSync                  // barriers, warp collectives, fences
	ClassMMA                   // tensor-core mma
	NumClasses
)

var classNames = [NumClasses]string{"int", "float", "half", "sfu", "convert", "global", "shared", "other-mem", "control", "sync", "mma"}

// String returns the short name used in reports ("int", "float", ...).
func (c Class) String() string {
	if c < NumClasses {
		return classNames[c]
	}
	return fmt.Sprintf("class%d", c)
}
