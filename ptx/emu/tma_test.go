package emu

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// coordList renders the coordinate vector of a .Nd copy: registers
// %r30.. or, given imm, immediates.
func coordList(rank int, imm []int32) string {
	var cs []string
	for i := 0; i < rank; i++ {
		if imm != nil {
			cs = append(cs, fmt.Sprint(imm[i]))
		} else {
			cs = append(cs, fmt.Sprintf("%%r%d", 30+i))
		}
	}
	return "{" + strings.Join(cs, ", ") + "}"
}

const tmaParams = `.param .align 64 .b8 tmap[128], .param .u64 buf, .param .u32 nchunk, .param .u32 nbytes,
	.param .s32 c0, .param .s32 c1, .param .s32 c2, .param .s32 c3, .param .s32 c4`

// tmaPrologue loads the coordinates, initializes the mbarrier (thread 0)
// and elects thread 0 of warp 0 into %p4.
const tmaPrologue = `
	.shared .align 8 .b64 bar;
	ld.param.s32 %r30, [c0];
	ld.param.s32 %r31, [c1];
	ld.param.s32 %r32, [c2];
	ld.param.s32 %r33, [c3];
	ld.param.s32 %r34, [c4];
	mov.u32 %r1, %tid.x;
	setp.eq.u32 %p1, %r1, 0;
	@%p1 mbarrier.init.shared::cta.b64 [bar], 1;
	bar.sync 0;
	setp.lt.u32 %p3, %r1, 32;
	elect.sync _|%p2, 0xffffffff;
	and.pred %p4, %p2, %p3;
	mov.u64 %rd1, tmap;
	cvta.param.u64 %rd2, %rd1;
	mov.u32 %r2, smem;
	mov.u32 %r3, bar;
	ld.param.u64 %rd3, [buf];
	ld.param.u32 %r5, [nchunk];
`

// copyLoop moves nchunk 16-byte chunks between smem and buf, each thread
// of 64 taking every 64th chunk.
func copyLoop(toShared bool) string {
	ld, st := "ld.shared.v4.u32 {%r10, %r11, %r12, %r13}, [%r8];", "st.global.v4.u32 [%rd5], {%r10, %r11, %r12, %r13};"
	if toShared {
		ld, st = "ld.global.v4.u32 {%r10, %r11, %r12, %r13}, [%rd5];", "st.shared.v4.u32 [%r8], {%r10, %r11, %r12, %r13};"
	}
	return `
	mov.u32 %r6, %r1;
COPY:
	setp.ge.u32 %p6, %r6, %r5;
	@%p6 bra COPIED;
	shl.b32 %r7, %r6, 4;
	add.u32 %r8, %r2, %r7;
	mul.wide.u32 %rd4, %r6, 16;
	add.s64 %rd5, %rd3, %rd4;
	` + ld + `
	` + st + `
	add.u32 %r6, %r6, 64;
	bra.uni COPY;
COPIED:
`
}

// tmaLoadKernel loads one box with a .rank-d bulk tensor copy, waits on
// the mbarrier and copies the shared box out to buf.
func tmaLoadKernel(rank int, imm bool) string {
	var coords []int32
	if imm {
		coords = []int32{-3, 7, 0, -1, 2}
	}
	return hopperHeader + smemDecl + `.visible .entry k(` + tmaParams + `) {` + hopRegs + tmaPrologue + `
	ld.param.u32 %r4, [nbytes];
	@%p4 mbarrier.arrive.expect_tx.shared::cta.b64 _, [%r3], %r4;
	@%p4 cp.async.bulk.tensor.` + fmt.Sprint(rank) + `d.shared::cluster.global.tile.mbarrier::complete_tx::bytes [%r2], [%rd2, ` + coordList(rank, coords) + `], [%r3];
WAIT:
	mbarrier.try_wait.parity.shared::cta.b64 %p5, [%r3], 0;
	@!%p5 bra WAIT;` + copyLoop(false) + `
	ret;
}`
}

// tmaStoreKernel copies buf into the shared box with generic stores,
// fences (if fence), and stores the box with a bulk tensor store.
func tmaStoreKernel(rank int, fence bool) string {
	f := "fence.proxy.async.shared::cta;"
	if !fence {
		f = ""
	}
	return hopperHeader + smemDecl + `.visible .entry k(` + tmaParams + `) {` + hopRegs + tmaPrologue + copyLoop(true) + `
	` + f + `
	bar.sync 0;
	@%p4 cp.async.bulk.tensor.` + fmt.Sprint(rank) + `d.global.shared::cta.tile.bulk_group [%rd2, ` + coordList(rank, nil) + `], [%r2];
	cp.async.bulk.commit_group;
	cp.async.bulk.wait_group.read 0;
	cp.async.bulk.wait_group 0;
	ret;
}`
}

type tmaCase struct {
	dt      TensorDType
	dims    []uint64
	pad     []uint64 // extra bytes per stride
	box     []uint32
	sw      TensorSwizzle
	coords  []int32
	immCoor bool // the kernel has the coordinates {-3, 7, 0, -1, 2} as immediates
}

// tensor builds the case's tensor map over a fresh random tensor.
func (c tmaCase) tensor(t *testing.T, d *Device, r *rand.Rand) (TensorMap, buf) {
	m := TensorMap{DType: c.dt, Rank: len(c.dims), Swizzle: c.sw}
	es := uint64(c.dt.Size())
	size := es
	stride := es * c.dims[0]
	for i := range c.dims {
		m.Dims[i] = c.dims[i]
		m.Box[i] = c.box[i]
		m.ElemStrides[i] = 1
		if i > 0 {
			stride = (stride + 15) / 16 * 16
			stride += c.pad[i-1]
			m.Strides[i-1] = stride
			size += (c.dims[i] - 1) * stride
			stride *= c.dims[i]
		}
	}
	size += (c.dims[0] - 1) * es
	data := make([]byte, size)
	r.Read(data)
	g := alloc(t, d, data)
	m.Global = g.addr
	return m, g
}

// boxElements calls f with each box element's linear index, its global
// byte offset, and whether it lies inside the tensor.
func boxElements(m TensorMap, coords []int32, f func(idx int, goff uint64, in bool)) {
	n := 1
	for i := 0; i < m.Rank; i++ {
		n *= int(m.Box[i])
	}
	es := uint64(m.DType.Size())
	for idx := 0; idx < n; idx++ {
		rest, in := idx, true
		var goff uint64
		for i := 0; i < m.Rank; i++ {
			e := rest % int(m.Box[i])
			rest /= int(m.Box[i])
			g := int64(coords[i]) + int64(e)
			if g < 0 || g >= int64(m.Dims[i]) {
				in = false
				continue
			}
			if i == 0 {
				goff += uint64(g) * es
			} else {
				goff += uint64(g) * m.Strides[i-1]
			}
		}
		f(idx, goff, in)
	}
}

func (c tmaCase) args(tm []byte, b buf, nbytes int) []any {
	args := []any{tm, b.addr, uint32(nbytes / 16), uint32(nbytes)}
	for i := 0; i < 5; i++ {
		v := int32(0)
		if i < len(c.coords) {
			v = c.coords[i]
		}
		args = append(args, v)
	}
	return args
}

var tmaCases = []tmaCase{
	{dt: TensorF32, dims: []uint64{100}, box: []uint32{32}, sw: Swizzle128B, coords: []int32{-5}},
	{dt: TensorF32, dims: []uint64{100}, box: []uint32{32}, sw: SwizzleNone, coords: []int32{90}},
	{dt: TensorF16, dims: []uint64{70, 50}, pad: []uint64{16}, box: []uint32{64, 16}, sw: Swizzle128B, coords: []int32{-8, 40}},
	{dt: TensorU8, dims: []uint64{40, 7, 5}, pad: []uint64{0, 16}, box: []uint32{32, 4, 3}, sw: Swizzle32B, coords: []int32{20, -2, 3}},
	{dt: TensorBF16, dims: []uint64{20, 5, 3, 4}, pad: []uint64{0, 0, 0}, box: []uint32{16, 3, 2, 2}, sw: Swizzle64B, coords: []int32{10, 3, -1, 3}},
	{dt: TensorF32, dims: []uint64{6, 3, 2, 4, 5}, pad: []uint64{0, 32, 0, 16}, box: []uint32{4, 2, 2, 2, 3}, sw: SwizzleNone, coords: []int32{-2, 2, 1, -1, 4}},
	{dt: TensorU64, dims: []uint64{10, 9}, pad: []uint64{0}, box: []uint32{8, 8}, sw: Swizzle64B, coords: []int32{5, -3}},
	{dt: TensorI32, dims: []uint64{40, 12, 3}, pad: []uint64{0, 0}, box: []uint32{32, 8, 2}, sw: Swizzle128B, coords: []int32{4, 2, 1}},
	{dt: TensorF16, dims: []uint64{30, 30}, pad: []uint64{0}, box: []uint32{16, 8}, sw: Swizzle32B, coords: []int32{100, 100}},
	{dt: TensorU16, dims: []uint64{64, 9, 2, 2, 3}, pad: []uint64{0, 0, 0, 0}, box: []uint32{8, 8, 2, 2, 3}, sw: Swizzle128B, coords: []int32{-3, 7, 0, -1, 2}, immCoor: true},
}

func TestTensorLoad(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	d := NewDevice(Options{})
	for i, c := range tmaCases {
		name := fmt.Sprintf("case%d-%dd-%s", i, len(c.dims), c.sw)
		tm, g := c.tensor(t, d, r)
		mod := mustParse(t, name, []byte(tmaLoadKernel(len(c.dims), c.immCoor)))
		n := tm.BoxBytes()
		out := alloc(t, d, bytes.Repeat([]byte{0xee}, n))
		res := runDyn(t, d, mod, [3]uint32{1}, [3]uint32{64}, uint32(n), c.args(tensorMapArg(t, tm), out, n)...)
		requireClean(t, res)
		src := g.bytes(t)
		want := make([]byte, n)
		es := tm.DType.Size()
		boxElements(tm, c.coords, func(idx int, goff uint64, in bool) {
			if in {
				copy(want[tmaSwizzle(uint64(idx*es), tm.Swizzle.Span()):][:es], src[goff:])
			}
		})
		if got := out.bytes(t); !bytes.Equal(got, want) {
			for k := range got {
				if got[k] != want[k] {
					t.Errorf("%s: shared byte %d = %#x, want %#x", name, k, got[k], want[k])
					break
				}
			}
		}
		if cn := res.Counters; cn.TMALoadRequests != 1 || cn.TMALoadBytes != uint64(n) {
			t.Errorf("%s: counters %d loads %d bytes, want 1 and %d", name, cn.TMALoadRequests, cn.TMALoadBytes, n)
		}
	}
}

func TestTensorStore(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	d := NewDevice(Options{})
	for i, c := range tmaCases {
		if c.immCoor {
			continue
		}
		name := fmt.Sprintf("case%d-%dd-%s", i, len(c.dims), c.sw)
		tm, g := c.tensor(t, d, r)
		before := g.bytes(t)
		n := tm.BoxBytes()
		img := make([]byte, n)
		r.Read(img)
		in := alloc(t, d, img)
		mod := mustParse(t, name, []byte(tmaStoreKernel(len(c.dims), true)))
		res := runDyn(t, d, mod, [3]uint32{1}, [3]uint32{64}, uint32(n), c.args(tensorMapArg(t, tm), in, n)...)
		requireClean(t, res)
		want := append([]byte(nil), before...)
		es := tm.DType.Size()
		inBytes := 0
		boxElements(tm, c.coords, func(idx int, goff uint64, ok bool) {
			if ok {
				copy(want[goff:goff+uint64(es)], img[tmaSwizzle(uint64(idx*es), tm.Swizzle.Span()):])
				inBytes += es
			}
		})
		if got := g.bytes(t); !bytes.Equal(got, want) {
			for k := range got {
				if got[k] != want[k] {
					t.Errorf("%s: global byte %d = %#x, want %#x", name, k, got[k], want[k])
					break
				}
			}
		}
		if cn := res.Counters; cn.TMAStoreRequests != 1 || cn.TMAStoreBytes != uint64(inBytes) {
			t.Errorf("%s: counters %d stores %d bytes, want 1 and %d", name, cn.TMAStoreRequests, cn.TMAStoreBytes, inBytes)
		}
	}
}

// A tensor map may also live in global memory: at an address passed in
// a register, or in a .global variable named directly.
func TestTensorMapInGlobalMemory(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	d := NewDevice(Options{})
	c := tmaCases[2]
	tm, _ := c.tensor(t, d, r)
	enc := tensorMapArg(t, tm)
	gm := alloc(t, d, enc)
	n := tm.BoxBytes()
	src := tmaLoadKernel(2, false)
	src = strings.Replace(src, ".param .s32 c4)", ".param .s32 c4, .param .u64 gmap)", 1)
	src = strings.Replace(src, "\tld.param.u32 %r4, [nbytes];", "\tld.param.u32 %r4, [nbytes];\n\tld.param.u64 %rd9, [gmap];", 1)
	src = strings.Replace(src, "[%rd2, {", "[%rd9, {", 1)
	out := alloc(t, d, make([]byte, n))
	res := runDyn(t, d, mustParse(t, "gmap.ptx", []byte(src)), [3]uint32{1}, [3]uint32{64}, uint32(n), append(c.args(make([]byte, 128), out, n), gm.addr)...)
	requireClean(t, res)
	var init []string
	for _, b := range enc {
		init = append(init, fmt.Sprint(b))
	}
	direct := strings.Replace(tmaLoadKernel(2, false), "[%rd2, {", "[gtm, {", 1)
	direct = strings.Replace(direct, ".visible .entry", ".global .align 64 .b8 gtm[128] = {"+strings.Join(init, ", ")+"};\n.visible .entry", 1)
	out2 := alloc(t, d, make([]byte, n))
	res = runDyn(t, d, mustParse(t, "direct.ptx", []byte(direct)), [3]uint32{1}, [3]uint32{64}, uint32(n), c.args(make([]byte, 128), out2, n)...)
	requireClean(t, res)
	if !bytes.Equal(out.bytes(t), out2.bytes(t)) {
		t.Error("the tensor map at a global address and the .global variable load different boxes")
	}
	// An unencoded .global variable is reported, and stops the CTA.
	bad := strings.Replace(direct, "= {"+strings.Join(init, ", ")+"}", "", 1)
	bad = strings.Replace(bad, "[gtm, {%r30, %r31}], [%r3];", "[gtm, {%r30, %r31}], [%r3]; // BUG", 1)
	res = runDyn(t, d, mustParse(t, "bad.ptx", []byte(bad)), [3]uint32{1}, [3]uint32{64}, uint32(n), c.args(make([]byte, 128), out2, n)...)
	expectFinding(t, res, bad, BadTensorMap, [3]uint32{}, [3]uint32{0})
	if res.FindingCount != 1 {
		t.Errorf("want one finding, got %v", res.Findings)
	}
}

// A box must be aligned as its swizzle requires, and every chunk must land
// inside shared memory: a 128B-swizzled box whose last 128-byte line is
// partial spills chunks past its end.
func TestTensorLoadBoxChecks(t *testing.T) {
	d := NewDevice(Options{})
	r := rand.New(rand.NewSource(4))
	c := tmaCase{dt: TensorU16, dims: []uint64{64, 9, 2, 2, 3}, pad: []uint64{0, 0, 0, 0}, box: []uint32{8, 9, 2, 2, 3}, sw: Swizzle128B, coords: []int32{-3, 7, 0, -1, 2}, immCoor: true}
	tm, _ := c.tensor(t, d, r)
	n := tm.BoxBytes() // 1728: 13.5 lines
	out := alloc(t, d, make([]byte, n))
	src := strings.Replace(tmaLoadKernel(5, true), "[%r3];\nWAIT:", "[%r3]; // BUG\nWAIT:", 1)
	res := runDyn(t, d, mustParse(t, "spill", []byte(src)), [3]uint32{1}, [3]uint32{64}, uint32(n), c.args(tensorMapArg(t, tm), out, n)...)
	expectFinding(t, res, src, OutOfBounds, [3]uint32{}, [3]uint32{0})
	// With room after the box, the same copy is fine.
	res = runDyn(t, d, mustParse(t, "room", []byte(tmaLoadKernel(5, true))), [3]uint32{1}, [3]uint32{64}, uint32(n+128), c.args(tensorMapArg(t, tm), out, n)...)
	for _, f := range res.Findings {
		if f.Kind != UninitializedShared { // the chunks that swizzled away leave holes
			t.Errorf("unexpected finding %v", f)
		}
	}
	c = tmaCases[2]
	tm, _ = c.tensor(t, d, r)
	n = tm.BoxBytes()
	src = strings.Replace(tmaLoadKernel(2, false), "[%r2], [%rd2", "[%r2+512], [%rd2", 1)
	src = strings.Replace(src, "[%r3];\nWAIT:", "[%r3]; // BUG: 128B swizzle needs 1024-byte alignment\nWAIT:", 1)
	res = runDyn(t, d, mustParse(t, "mis", []byte(src)), [3]uint32{1}, [3]uint32{64}, uint32(n+1024), c.args(tensorMapArg(t, tm), out, n)...)
	expectFinding(t, res, src, Misaligned, [3]uint32{}, [3]uint32{0})
}
