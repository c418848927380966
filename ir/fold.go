package ir

// Fold evaluates ops whose operands are constants, using the op table's
// scalar semantics (the interpreter's), applies integer identities (x+0,
// x*1, x*0), picks where/if branches on constant conditions, and drops for
// loops that run zero times.
func Fold(f *Func) error {
	repl := map[*Value]*Value{}
	foldBlock(f, f.Body, repl)
	replaceUses(f, repl)
	return nil
}

// constOf returns the value of a constant (uniform across a tile).
func constOf(v *Value) (Num, bool) {
	if v.Def != nil && v.Def.Code == OpConstant {
		return v.Def.NumAttr("value"), true
	}
	return Num{}, false
}

func foldBlock(f *Func, b *Block, repl map[*Value]*Value) {
	var out []*Op
	for _, op := range b.Ops {
		for i, a := range op.Args {
			op.Args[i] = resolve(repl, a)
		}
		for _, r := range op.Regions {
			foldBlock(f, r, repl)
		}
		if inlined, ok := foldRegionOp(op, repl); ok {
			for _, in := range inlined {
				in.Parent = b
			}
			out = append(out, inlined...)
			continue
		}
		if r := foldOp(f, op); r != nil {
			if r.Def != nil && r.Def.Parent == nil { // a new constant
				r.Def.Pos = op.Pos
				r.Def.Parent = b
				out = append(out, r.Def)
			}
			repl[op.Results[0]] = r
			continue
		}
		out = append(out, op)
	}
	b.Ops = out
}

// foldRegionOp replaces an if on a constant, or a for that runs no
// iteration, by the ops that remain; ok reports a replacement.
func foldRegionOp(op *Op, repl map[*Value]*Value) ([]*Op, bool) {
	switch op.Code {
	case OpIf:
		c, ok := constOf(op.Args[0])
		if !ok {
			return nil, false
		}
		r := op.Regions[1]
		if c.I != 0 {
			r = op.Regions[0]
		}
		y := r.Terminator()
		for i, res := range op.Results {
			repl[res] = resolve(repl, y.Args[i])
		}
		return r.Ops[:len(r.Ops)-1], true
	case OpFor:
		lb, ok1 := constOf(op.Args[0])
		ub, ok2 := constOf(op.Args[1])
		if !ok1 || !ok2 || lb.I < ub.I {
			return nil, false
		}
		for i, res := range op.Results {
			repl[res] = op.Args[3+i]
		}
		return nil, true
	}
	return nil, false
}

// foldOp returns a value that replaces op's single result, or nil.
func foldOp(f *Func, op *Op) *Value {
	if len(op.Results) != 1 || op.Info().Effects || op.Info().ReadsMemory || len(op.Regions) > 0 {
		return nil
	}
	res := op.Results[0]
	if op.Code == OpAdvance {
		for _, a := range op.Args[1:] {
			if c, ok := constOf(a); !ok || c.I != 0 {
				return nil
			}
		}
		return op.Args[0] // advancing by zero
	}
	if res.Type.Kind != KindScalar {
		return nil // never fold pointers: their values are addresses known at run time
	}
	switch op.Code {
	case OpSplat, OpBroadcast, OpExpandDims, OpReshape, OpTrans:
		if c, ok := constOf(op.Args[0]); ok {
			return newConst(f, c, res.Type)
		}
		return nil
	case OpWhere:
		if c, ok := constOf(op.Args[0]); ok {
			if c.I != 0 {
				return op.Args[1]
			}
			return op.Args[2]
		}
	}
	lane := op.Lane()
	if lane == nil {
		return nil
	}
	args := make([]Num, len(op.Args))
	all := true
	for i, a := range op.Args {
		c, ok := constOf(a)
		if !ok {
			all = false
			break
		}
		args[i] = c
	}
	if all {
		return newConst(f, lane(args), res.Type)
	}
	return foldIdentity(f, op)
}

// foldIdentity applies integer identities; float ones (x+0) are not
// identities under IEEE (-0 + 0 = +0), so they are left alone.
func foldIdentity(f *Func, op *Op) *Value {
	if len(op.Args) != 2 || !op.Args[0].Type.IsInt() {
		return nil
	}
	x, y := op.Args[0], op.Args[1]
	cx, xok := constOf(x)
	cy, yok := constOf(y)
	switch op.Code {
	case OpAdd, OpOr, OpXor:
		if yok && cy.I == 0 {
			return x
		}
		if xok && cx.I == 0 {
			return y
		}
	case OpSub, OpShl, OpShr, OpShrU:
		if yok && cy.I == 0 {
			return x
		}
	case OpMul:
		if yok && cy.I == 1 {
			return x
		}
		if xok && cx.I == 1 {
			return y
		}
		if (yok && cy.I == 0) || (xok && cx.I == 0) {
			return newConst(f, Num{}, op.Results[0].Type)
		}
	case OpDiv:
		if yok && cy.I == 1 {
			return x
		}
	case OpAnd:
		if x.Type.Elem == I1 && ((yok && cy.I == 0) || (xok && cx.I == 0)) {
			return newConst(f, Num{}, op.Results[0].Type)
		}
		if x.Type.Elem == I1 && yok && cy.I != 0 {
			return x
		}
		if x.Type.Elem == I1 && xok && cx.I != 0 {
			return y
		}
	}
	return nil
}

// newConst creates a detached constant op of type t; the caller links it.
func newConst(f *Func, n Num, t Type) *Value {
	op := f.NewOp(OpConstant, nil, map[string]Attr{"value": n}, []Type{t})
	return op.Results[0]
}
