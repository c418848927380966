package emu

import (
	"strings"
	"testing"
)

func validMap() TensorMap {
	return TensorMap{
		DType: TensorF16, Rank: 3, Global: 0x7000_0000_0100,
		Dims:        [5]uint64{64, 33, 7},
		Strides:     [4]uint64{160, 160 * 33},
		Box:         [5]uint32{64, 16, 2},
		ElemStrides: [5]uint32{1, 1, 1},
		Swizzle:     Swizzle128B,
	}
}

func TestTensorMapRoundTrip(t *testing.T) {
	maps := []TensorMap{validMap()}
	for r := 1; r <= 5; r++ {
		m := TensorMap{DType: TensorDType(r * 2 % int(numTensorDTypes)), Rank: r, Global: 0x1230}
		for i := 0; i < r; i++ {
			m.Dims[i] = uint64(1 + 7*i)
			m.Box[i] = uint32(16 * (i + 1))
			m.ElemStrides[i] = 1
			if i > 0 {
				m.Strides[i-1] = uint64(16 << (2 * i))
			}
		}
		m.Box[0] = uint32(16 * 8 / m.DType.Size())
		maps = append(maps, m)
	}
	big := validMap()
	big.Dims[0] = 1 << 32
	big.Strides[1] = 1<<40 - 16
	big.Box = [5]uint32{64, 256, 1}
	maps = append(maps, big)
	for _, m := range maps {
		b, err := EncodeTensorMap(m)
		if err != nil {
			t.Fatalf("encode %+v: %v", m, err)
		}
		got, err := DecodeTensorMap(b)
		if err != nil {
			t.Fatalf("decode %+v: %v", m, err)
		}
		if got != m {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, m)
		}
	}
	// Entries beyond the rank are ignored and decode as zero.
	m := validMap()
	m.Dims[4], m.Box[3], m.Strides[3], m.ElemStrides[4] = 9, 9, 9, 9
	b, err := EncodeTensorMap(m)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := DecodeTensorMap(b); got != validMap() {
		t.Errorf("unused entries survived: %+v", got)
	}
}

func TestTensorMapRejects(t *testing.T) {
	cases := []struct {
		name string
		edit func(m *TensorMap)
		want string
	}{
		{"dtype", func(m *TensorMap) { m.DType = numTensorDTypes }, "data type"},
		{"rank 0", func(m *TensorMap) { m.Rank = 0 }, "rank"},
		{"rank 6", func(m *TensorMap) { m.Rank = 6 }, "rank"},
		{"unaligned global", func(m *TensorMap) { m.Global += 8 }, "16-byte aligned"},
		{"zero dim", func(m *TensorMap) { m.Dims[1] = 0 }, "dimension 1"},
		{"huge dim", func(m *TensorMap) { m.Dims[2] = 1<<32 + 1 }, "dimension 2"},
		{"stride not multiple of 16", func(m *TensorMap) { m.Strides[0] = 168 }, "multiple of 16"},
		{"stride too large", func(m *TensorMap) { m.Strides[1] = 1 << 40 }, "below 2^40"},
		{"zero box", func(m *TensorMap) { m.Box[1] = 0 }, "box dimension 1"},
		{"box over 256", func(m *TensorMap) { m.Box[2] = 257 }, "box dimension 2"},
		{"inner box bytes", func(m *TensorMap) { m.Box[0] = 12; m.Swizzle = SwizzleNone }, "multiple of 16"},
		{"element stride", func(m *TensorMap) { m.ElemStrides[1] = 2 }, "element stride"},
		{"element stride 0", func(m *TensorMap) { m.ElemStrides[0] = 0 }, "element stride"},
		{"swizzle span", func(m *TensorMap) { m.Swizzle = Swizzle64B }, "swizzle span"},
		{"swizzle span 32", func(m *TensorMap) { m.Box[0] = 24; m.Swizzle = Swizzle32B }, "swizzle span"},
		{"swizzle mode", func(m *TensorMap) { m.Swizzle = 4 }, "swizzle mode"},
		{"nan fill", func(m *TensorMap) { m.OOBFill = OOBFillNaN }, "NaN"},
		{"fill mode", func(m *TensorMap) { m.OOBFill = 7 }, "fill mode"},
	}
	for _, c := range cases {
		m := validMap()
		c.edit(&m)
		_, err := EncodeTensorMap(m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	// Boundary values that are valid.
	for _, edit := range []func(m *TensorMap){
		func(m *TensorMap) { m.Box = [5]uint32{8, 256, 1} },
		func(m *TensorMap) { m.Swizzle = SwizzleNone; m.Box[0] = 256 },
		func(m *TensorMap) { m.Swizzle = Swizzle32B; m.Box[0] = 16 },
		func(m *TensorMap) { m.Dims[2] = 1 << 32 },
	} {
		m := validMap()
		edit(&m)
		if _, err := EncodeTensorMap(m); err != nil {
			t.Errorf("valid map %+v rejected: %v", m, err)
		}
	}
}

func TestTensorMapDecodeRejectsGarbage(t *testing.T) {
	b, err := EncodeTensorMap(validMap())
	if err != nil {
		t.Fatal(err)
	}
	var zero [128]byte
	if _, err := DecodeTensorMap(zero); err == nil || !strings.Contains(err.Error(), "magic") {
		t.Errorf("zero bytes: %v", err)
	}
	for _, i := range []int{5, 16, 40, 100, 110, 127} {
		c := b
		c[i] ^= 0x10
		if _, err := DecodeTensorMap(c); err == nil {
			t.Errorf("byte %d flipped: decoded without error", i)
		}
	}
}
