package emu

import (
	"fmt"
	"sort"
	"sync"
)

// Address map of the emulated device. Global allocations live in a heap far
// from zero; generic addresses of shared and local memory live in two
// windows that no allocation can reach, so cvta and generic loads can tell
// the state spaces apart by range alone; a third window holds the generic
// addresses of kernel parameters (cvta.param), read-only.
const (
	heapBase  uint64 = 0x0000_7000_0000_0000
	heapGuard uint64 = 64 << 10 // unmapped gap after each allocation
	heapAlign uint64 = 256
	sharedWin uint64 = 0x0000_1000_0000_0000 // generic address of shared offset 0
	localWin  uint64 = 0x0000_2000_0000_0000 // generic address of local offset 0
	paramWin  uint64 = 0x0000_3000_0000_0000 // generic address of param offset 0 (cvta.param)
	winSize   uint64 = 1 << 32
	// funcParamBase separates .func parameter scratch from kernel
	// parameters in the param state space.
	funcParamBase uint64 = 1 << 20
)

// allocation is one live block of device memory.
type allocation struct {
	base     uint64
	data     []byte
	readOnly bool   // .const module variables
	name     string // module variable name, or "" for Alloc
}

func (a *allocation) contains(addr, n uint64) bool {
	return addr >= a.base && addr-a.base <= uint64(len(a.data)) && n <= uint64(len(a.data))-(addr-a.base)
}

// memory is the device's global memory: a sorted list of allocations.
// Launches hold the read lock, so the list is stable while kernels run.
type memory struct {
	mu     sync.RWMutex
	allocs []*allocation // sorted by base
	next   uint64
	stripe [256]sync.Mutex // atomics on global memory, keyed by address
}

func newMemory() *memory { return &memory{next: heapBase} }

func (m *memory) alloc(size int, name string, readOnly bool) (*allocation, error) {
	if size < 0 || size > 1<<36 {
		return nil, fmt.Errorf("alloc: bad size %d", size)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a := &allocation{base: m.next, data: make([]byte, size), readOnly: readOnly, name: name}
	m.next = (m.next + uint64(size) + heapGuard + heapAlign - 1) &^ (heapAlign - 1)
	m.allocs = append(m.allocs, a) // bases grow, so the list stays sorted
	return a, nil
}

func (m *memory) free(ptr uint64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := sort.Search(len(m.allocs), func(i int) bool { return m.allocs[i].base >= ptr })
	if i == len(m.allocs) || m.allocs[i].base != ptr {
		return fmt.Errorf("free: %#x is not the start of a live allocation", ptr)
	}
	m.allocs = append(m.allocs[:i], m.allocs[i+1:]...)
	return nil
}

// find returns the allocation holding [addr, addr+n), or nil. Callers hold
// the read lock (launches) or the write lock.
func (m *memory) find(addr, n uint64) *allocation {
	i := sort.Search(len(m.allocs), func(i int) bool { return m.allocs[i].base > addr }) - 1
	if i < 0 {
		return nil
	}
	if a := m.allocs[i]; a.contains(addr, n) {
		return a
	}
	return nil
}

// describe names the allocation nearest to addr for out-of-bounds reports.
func (m *memory) describe(addr uint64) string {
	i := sort.Search(len(m.allocs), func(i int) bool { return m.allocs[i].base > addr }) - 1
	var best string
	if i >= 0 {
		a := m.allocs[i]
		end := a.base + uint64(len(a.data))
		best = fmt.Sprintf("%d bytes past the end of allocation %#x (%d bytes)", addr-end, a.base, len(a.data))
		if addr < end {
			best = fmt.Sprintf("inside allocation %#x (%d bytes) but crossing its end", a.base, len(a.data))
		}
	}
	if i+1 < len(m.allocs) {
		a := m.allocs[i+1]
		s := fmt.Sprintf("%d bytes before allocation %#x", a.base-addr, a.base)
		if best == "" || a.base-addr < 4096 {
			best = s
		}
	}
	if best == "" {
		return "no allocation near"
	}
	return best
}

// span returns the bytes [addr, addr+n) of one allocation for host copies.
func (m *memory) span(addr uint64, n int) ([]byte, error) {
	a := m.find(addr, uint64(n))
	if a == nil {
		return nil, fmt.Errorf("[%#x, +%d) is not inside one live allocation", addr, n)
	}
	off := addr - a.base
	return a.data[off : off+uint64(n)], nil
}
