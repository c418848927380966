package emu

// Special registers. Each one read by a module gets a slot that is filled
// per lane before a warp starts; the clocks are read live by mov.

type special uint8

const (
	spTidX special = iota
	spTidY
	spTidZ
	spNtidX
	spNtidY
	spNtidZ
	spCtaidX
	spCtaidY
	spCtaidZ
	spNctaidX
	spNctaidY
	spNctaidZ
	spLaneid
	spWarpid
	spNwarpid
	spSmid
	spNsmid
	spGridid
	spLanemaskEq
	spLanemaskLt
	spLanemaskLe
	spLanemaskGt
	spLanemaskGe
	spDynSmem
	spTotalSmem
	spClock
	spClock64
	spGlobaltimer
)

var specialByName = map[string]special{
	"%tid.x": spTidX, "%tid.y": spTidY, "%tid.z": spTidZ,
	"%ntid.x": spNtidX, "%ntid.y": spNtidY, "%ntid.z": spNtidZ,
	"%ctaid.x": spCtaidX, "%ctaid.y": spCtaidY, "%ctaid.z": spCtaidZ,
	"%nctaid.x": spNctaidX, "%nctaid.y": spNctaidY, "%nctaid.z": spNctaidZ,
	"%laneid": spLaneid, "%warpid": spWarpid, "%nwarpid": spNwarpid,
	"%smid": spSmid, "%nsmid": spNsmid, "%gridid": spGridid,
	"%lanemask_eq": spLanemaskEq, "%lanemask_lt": spLanemaskLt, "%lanemask_le": spLanemaskLe,
	"%lanemask_gt": spLanemaskGt, "%lanemask_ge": spLanemaskGe,
	"%dynamic_smem_size": spDynSmem, "%total_smem_size": spTotalSmem,
	"%clock": spClock, "%clock64": spClock64, "%globaltimer": spGlobaltimer,
}

type specialFill struct {
	slot int32
	sp   special
}

func (d *decoder) specialSlot(sp special) int32 {
	if s, ok := d.specials[int(sp)]; ok {
		return s * 32
	}
	s := d.newSlot()
	d.specials[int(sp)] = s
	d.m.specials = append(d.m.specials, specialFill{slot: s, sp: sp})
	return s * 32
}

// specialValue is the value of sp for lane of w.
func (w *warp) specialValue(sp special, lane int) uint64 {
	c := w.c
	l := c.l
	t := w.id*32 + lane
	b := l.cfg.Block
	switch sp {
	case spTidX:
		return uint64(t % int(b[0]))
	case spTidY:
		return uint64(t / int(b[0]) % int(b[1]))
	case spTidZ:
		return uint64(t / int(b[0]*b[1]))
	case spNtidX, spNtidY, spNtidZ:
		return uint64(b[sp-spNtidX])
	case spCtaidX, spCtaidY, spCtaidZ:
		return uint64(c.id[sp-spCtaidX])
	case spNctaidX, spNctaidY, spNctaidZ:
		return uint64(l.cfg.Grid[sp-spNctaidX])
	case spLaneid:
		return uint64(lane)
	case spWarpid:
		return uint64(w.id)
	case spNwarpid:
		return uint64(len(c.warps))
	case spSmid:
		return uint64(c.worker)
	case spNsmid:
		return uint64(l.dev.opts.Workers)
	case spGridid:
		return 0
	case spLanemaskEq:
		return 1 << lane
	case spLanemaskLt:
		return 1<<lane - 1
	case spLanemaskLe:
		return 1<<(lane+1) - 1
	case spLanemaskGt:
		return uint64(^uint32(1<<(lane+1) - 1))
	case spLanemaskGe:
		return uint64(^uint32(1<<lane - 1))
	case spDynSmem:
		return uint64(l.cfg.DynamicShared)
	case spTotalSmem:
		return uint64(len(c.shared))
	case spClock:
		return c.steps & 0xffffffff
	}
	return c.steps // clock64, globaltimer: executed warp-instructions of the CTA
}
