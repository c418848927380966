package interp

import (
	"fmt"
	"sort"
)

// Memory is the interpreter's global memory: separate allocations at
// addresses that leave unmapped gaps between them, so that an access just
// past one allocation never lands in another and is reported instead.
type Memory struct {
	allocs []*allocation // sorted by base
	next   uint64
}

type allocation struct {
	name string
	base uint64
	data []byte
}

// firstAddress and gap place allocations: never at 0 (a null pointer is
// always out of bounds), 256-byte aligned like cudaMalloc, 1 MiB apart.
const (
	firstAddress = 1 << 32
	gap          = 1 << 20
)

// NewMemory returns an empty memory.
func NewMemory() *Memory { return &Memory{next: firstAddress} }

// Alloc reserves size bytes (zeroed) and returns their address. name
// appears in out-of-bounds reports.
func (m *Memory) Alloc(name string, size int) uint64 {
	a := &allocation{name: name, base: m.next, data: make([]byte, size)}
	m.allocs = append(m.allocs, a)
	m.next = (m.next + uint64(size) + gap + 255) &^ 255
	return a.base
}

// Bytes returns the whole allocation that starts at addr, for the host to
// fill or read; it is nil if no allocation starts there.
func (m *Memory) Bytes(addr uint64) []byte {
	for _, a := range m.allocs {
		if a.base == addr {
			return a.data
		}
	}
	return nil
}

// slice returns the n bytes at addr, or an error if they are not all
// inside one allocation.
func (m *Memory) slice(addr uint64, n int) ([]byte, error) {
	i := sort.Search(len(m.allocs), func(i int) bool { return m.allocs[i].base > addr }) - 1
	if i >= 0 {
		a := m.allocs[i]
		off := addr - a.base
		if off+uint64(n) <= uint64(len(a.data)) {
			return a.data[off : off+uint64(n)], nil
		}
		return nil, fmt.Errorf("address %#x is %d bytes into %s, which has %d bytes", addr, off, a.name, len(a.data))
	}
	return nil, fmt.Errorf("address %#x is not in any allocation", addr)
}
