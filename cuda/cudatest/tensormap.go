package cudatest

import "encoding/binary"

// FakeTensorMap is what the fake driver's cuTensorMapEncodeTiled received,
// decoded from the 128 bytes it writes in place of an opaque descriptor
// (the layout is documented at the function in testdata/fakecuda.c).
type FakeTensorMap struct {
	DataType, Rank uint32
	Address        uint64
	Dims           []uint64
	Strides        []uint64 // rank-1 entries
	Box            []uint32
	ElementStrides []uint32
	Interleave     uint8
	Swizzle        uint8
	L2Promotion    uint8
	OOBFill        uint8
}

// fakeTensorMapMagic marks a map the fake wrote.
const fakeTensorMapMagic = 0x4d415446

// DecodeFakeTensorMap decodes a tensor map the fake driver encoded; ok is
// false when m does not carry the fake's mark (or has an impossible rank).
func DecodeFakeTensorMap(m [128]byte) (t FakeTensorMap, ok bool) {
	le := binary.LittleEndian
	if le.Uint32(m[124:]) != fakeTensorMapMagic {
		return FakeTensorMap{}, false
	}
	t.DataType, t.Rank = le.Uint32(m[0:]), le.Uint32(m[4:])
	if t.Rank < 1 || t.Rank > 5 {
		return FakeTensorMap{}, false
	}
	t.Address = le.Uint64(m[8:])
	for i := 0; i < int(t.Rank); i++ {
		t.Dims = append(t.Dims, le.Uint64(m[16+8*i:]))
		t.Box = append(t.Box, uint32(le.Uint16(m[88+2*i:])))
		t.ElementStrides = append(t.ElementStrides, uint32(m[98+i]))
	}
	t.Strides = []uint64{}
	for i := 0; i+1 < int(t.Rank); i++ {
		t.Strides = append(t.Strides, le.Uint64(m[56+8*i:]))
	}
	t.Interleave, t.Swizzle, t.L2Promotion, t.OOBFill = m[103], m[104], m[105], m[106]
	return t, true
}
