package emu

// Control flow and CTA synchronization. The scheduler (sched.go) carries
// out the control effects; these decoders only resolve operands.

func decodeBra(x *ictx) {
	x.flag("uni")
	if x.nargs(1) < 0 {
		return
	}
	o := x.arg(0)
	if o.kind != oName {
		x.fail("branch target must be a label")
		return
	}
	x.label = o.name
}

// decodeCall resolves call[.uni] [(rets),] func[, (params)] and the
// parameter copies in and out of the callee's scratch.
func decodeCall(x *ictx) {
	x.flag("uni")
	args := x.a.args
	var rets, params *operand
	i := 0
	if i < len(args) && args[i].kind == oList {
		rets = &args[i]
		i++
	}
	if i >= len(args) || args[i].kind != oName {
		x.fail("expected a function name")
		return
	}
	name := args[i].name
	i++
	if i < len(args) && args[i].kind == oList {
		params = &args[i]
		i++
	}
	if i != len(args) {
		x.fail("indirect calls and call prototypes are not supported")
		return
	}
	s := x.d.lookup(name)
	if s == nil || s.kind != symFunc {
		x.fail("%s is not a function (indirect calls are not supported)", name)
		return
	}
	f := s.fn
	if !f.defined {
		x.fail("call of %s, which has no body in this module", name)
		return
	}
	if f.entry {
		x.fail("cannot call kernel %s", name)
		return
	}
	x.d.fn.callees[f] = true
	x.in.callee = f
	copies := func(list *operand, formals []param, in bool) []pcopy {
		n := 0
		if list != nil {
			n = len(list.elems)
		}
		if n != len(formals) {
			x.fail("%s takes %d %s, got %d", name, len(formals), map[bool]string{true: "parameters", false: "return values"}[in], n)
			return nil
		}
		var out []pcopy
		for k := 0; k < n; k++ {
			e := list.elems[k]
			ps := x.d.lookup(e.name)
			if e.kind != oName || ps == nil || ps.kind != symFParam {
				x.fail("call operand %s must be a .param variable", e.name)
				return nil
			}
			size := min(ps.size, formals[k].size)
			cp := pcopy{from: uint32(ps.addr - funcParamBase), to: uint32(formals[k].off - funcParamBase), size: uint32(size)}
			if !in {
				cp.from, cp.to = cp.to, cp.from
			}
			out = append(out, cp)
		}
		return out
	}
	x.in.argCopy = copies(params, f.params, true)
	x.in.retCopy = copies(rets, f.rets, false)
}

func decodeRet(x *ictx) {
	x.flag("uni")
	x.nargs(0)
}

func decodeExit(x *ictx) { x.nargs(0) }

func decodeNanosleep(x *ictx) {
	x.typ()
	if x.nargs(1) >= 0 {
		x.src(0, tU32)
	}
}

// decodeBar: bar[.cta].sync / barrier[.cta].sync[.aligned] id[, count],
// bar.arrive / barrier.arrive id, count, and bar.warp.sync mask.
func decodeBar(x *ictx) {
	x.flag("cta")
	x.flag("aligned")
	switch {
	case x.base == "bar" && x.flag("warp"):
		if !x.flag("sync") || x.nargs(1) < 0 {
			x.fail("expected bar.warp.sync mask")
			return
		}
		x.in.ctl = ctlWarp
		x.in.e = x.src(0, tU32)
	case x.flag("sync"):
		if x.nargs(1, 2) < 0 {
			return
		}
		x.in.a, x.in.b = x.src(0, tU32), -1
		if len(x.a.args) == 2 {
			x.in.b = x.src(1, tU32)
		}
	case x.flag("arrive"):
		if x.nargs(2) < 0 {
			return
		}
		x.in.ctl = ctlArrive
		x.in.a, x.in.b = x.src(0, tU32), x.src(1, tU32)
	default:
		x.fail("only bar.sync, bar.arrive and bar.warp.sync are supported")
	}
}

// decodeFence: a single memory image with sequentially executed CTAs
// needs no fences, but their syntax is still checked. The exception is
// fence.proxy.async, which the sanitizer tracks: generic-proxy writes to
// shared memory must be fenced before the async proxy (wgmma, bulk copies)
// reads them. fence.proxy.async.global does not cover shared memory.
func decodeFence(x *ictx) {
	if x.base == "fence" && x.flag("proxy") {
		if !x.flag("async") {
			x.fail("only fence.proxy.async[.shared::cta|.global] is supported")
			return
		}
		sp := x.pick("shared::cta", "global")
		x.nargs(0)
		if sp != "global" {
			x.in.exec = execFenceProxyAsync
		}
		return
	}
	if x.base == "fence" && x.flag("mbarrier_init") {
		if !x.flag("release") || !x.flag("cluster") {
			x.fail("expected fence.mbarrier_init.release.cluster")
		}
		x.nargs(0)
		return
	}
	x.pick("sc", "acq_rel")
	x.pick("cta", "gl", "gpu", "sys", "cluster")
	x.nargs(0)
}
