package ir

import (
	"fmt"
	"strings"
)

// CSE merges pure ops that compute the same thing: same op, operands,
// attributes and result types. An op inside a region may reuse one defined
// in an enclosing block, never the other way round. Loads are not merged
// (a store may come between), nor ops with effects or regions.
func CSE(f *Func) error {
	repl := map[*Value]*Value{}
	cseBlock(f.Body, []map[string]*Op{}, repl)
	replaceUses(f, repl)
	return nil
}

func cseBlock(b *Block, scopes []map[string]*Op, repl map[*Value]*Value) {
	seen := map[string]*Op{}
	scopes = append(scopes, seen)
	out := b.Ops[:0]
	for _, op := range b.Ops {
		for i, a := range op.Args {
			op.Args[i] = resolve(repl, a)
		}
		for _, r := range op.Regions {
			cseBlock(r, scopes, repl)
		}
		info := op.Info()
		if info.Effects || info.ReadsMemory || info.Terminator || len(op.Regions) > 0 || len(op.Results) == 0 {
			out = append(out, op)
			continue
		}
		key := cseKey(op)
		if prev := lookupScopes(scopes, key); prev != nil {
			for i, r := range op.Results {
				repl[r] = prev.Results[i]
			}
			continue
		}
		seen[key] = op
		out = append(out, op)
	}
	b.Ops = out
}

func lookupScopes(scopes []map[string]*Op, key string) *Op {
	for i := len(scopes) - 1; i >= 0; i-- {
		if op, ok := scopes[i][key]; ok {
			return op
		}
	}
	return nil
}

// cseKey identifies what an op computes.
func cseKey(op *Op) string {
	var sb strings.Builder
	sb.WriteString(op.Name())
	for _, a := range op.Args {
		fmt.Fprintf(&sb, " %d", a.ID)
	}
	for _, s := range op.Info().Attrs {
		fmt.Fprintf(&sb, " %s=%s", s.Name, formatAttr(s, op.Attrs[s.Name], op))
	}
	for _, r := range op.Results {
		sb.WriteString(" : " + r.Type.String())
	}
	return sb.String()
}
