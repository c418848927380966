package emu

// Counters are a launch's performance counters, summed over all CTAs.
//
// Instruction counts are per class: WarpInstructions counts each group
// execution once (what hardware calls instructions executed), and
// ThreadInstructions counts the lanes that executed it with a true guard.
//
// A global request is one warp executing one global (or generic-to-global)
// load, store, atomic or cp.async for its active lanes. Its sectors are the
// distinct 32-byte aligned blocks the lanes touch; its ideal sectors are
// ceil(distinct bytes / 32), what a perfectly packed access would touch.
// GlobalLoadEfficiency is ideal/actual: 1 means fully coalesced.
//
// A shared request is one warp executing one shared load, store, atomic or
// ldmatrix. Shared memory has 32 banks of 4 bytes; the lanes are served in
// phases (all 32 lanes for accesses of 1-4 bytes, half-warps for 8 bytes,
// quarter-warps for 16 bytes, as the hardware does), and a phase needs as
// many wavefronts as the largest number of distinct 4-byte words any one
// bank holds among the phase's accesses (one word read by many lanes is a
// broadcast, not a conflict). SharedBankConflicts counts the wavefronts
// beyond one per active phase.
type Counters struct {
	CTAs               uint64
	WarpInstructions   [NumClasses]uint64
	ThreadInstructions [NumClasses]uint64

	GlobalLoadRequests     uint64
	GlobalLoadSectors      uint64
	GlobalLoadIdealSectors uint64
	GlobalLoadBytes        uint64 // bytes requested by active lanes

	GlobalStoreRequests     uint64
	GlobalStoreSectors      uint64
	GlobalStoreIdealSectors uint64
	GlobalStoreBytes        uint64

	SharedLoadRequests    uint64
	SharedLoadWavefronts  uint64
	SharedStoreRequests   uint64
	SharedStoreWavefronts uint64
	SharedBankConflicts   uint64 // extra wavefronts, loads and stores

	MMA      uint64 // mma.sync executions (per warp)
	Barriers uint64 // CTA barrier completions
	Atomics  uint64 // atom/red thread-operations, global and shared

	// Hopper asynchronous units. WGMMA counts wgmma.mma_async executions
	// per warpgroup. TensorMACs counts the multiply-accumulates of the
	// tensor-core instructions, m*n*k each (2048 per mma.sync m16n8k16,
	// 64*N*16 per wgmma m64nNk16), so the two paths compare directly.
	// A bulk tensor load or store is one request of one thread; load bytes
	// are the boxes delivered to shared memory (what complete_tx counts),
	// store bytes the in-bounds elements written to global memory.
	WGMMA            uint64
	TensorMACs       uint64
	TMALoadRequests  uint64
	TMALoadBytes     uint64
	TMAStoreRequests uint64
	TMAStoreBytes    uint64
}

// Add sums o into c (counters of several launches).
func (c *Counters) Add(o *Counters) {
	c.CTAs += o.CTAs
	for i := range c.WarpInstructions {
		c.WarpInstructions[i] += o.WarpInstructions[i]
		c.ThreadInstructions[i] += o.ThreadInstructions[i]
	}
	c.GlobalLoadRequests += o.GlobalLoadRequests
	c.GlobalLoadSectors += o.GlobalLoadSectors
	c.GlobalLoadIdealSectors += o.GlobalLoadIdealSectors
	c.GlobalLoadBytes += o.GlobalLoadBytes
	c.GlobalStoreRequests += o.GlobalStoreRequests
	c.GlobalStoreSectors += o.GlobalStoreSectors
	c.GlobalStoreIdealSectors += o.GlobalStoreIdealSectors
	c.GlobalStoreBytes += o.GlobalStoreBytes
	c.SharedLoadRequests += o.SharedLoadRequests
	c.SharedLoadWavefronts += o.SharedLoadWavefronts
	c.SharedStoreRequests += o.SharedStoreRequests
	c.SharedStoreWavefronts += o.SharedStoreWavefronts
	c.SharedBankConflicts += o.SharedBankConflicts
	c.MMA += o.MMA
	c.Barriers += o.Barriers
	c.Atomics += o.Atomics
	c.WGMMA += o.WGMMA
	c.TensorMACs += o.TensorMACs
	c.TMALoadRequests += o.TMALoadRequests
	c.TMALoadBytes += o.TMALoadBytes
	c.TMAStoreRequests += o.TMAStoreRequests
	c.TMAStoreBytes += o.TMAStoreBytes
}

// TotalThreadInstructions sums ThreadInstructions over all classes.
func (c *Counters) TotalThreadInstructions() uint64 {
	var n uint64
	for _, v := range c.ThreadInstructions {
		n += v
	}
	return n
}

// TotalWarpInstructions sums WarpInstructions over all classes.
func (c *Counters) TotalWarpInstructions() uint64 {
	var n uint64
	for _, v := range c.WarpInstructions {
		n += v
	}
	return n
}

func ratio(a, b uint64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// GlobalLoadSectorsPerRequest is the mean number of sectors per load request.
func (c *Counters) GlobalLoadSectorsPerRequest() float64 {
	return ratio(c.GlobalLoadSectors, c.GlobalLoadRequests)
}

// GlobalStoreSectorsPerRequest is the mean number of sectors per store request.
func (c *Counters) GlobalStoreSectorsPerRequest() float64 {
	return ratio(c.GlobalStoreSectors, c.GlobalStoreRequests)
}

// GlobalLoadEfficiency is ideal over actual load sectors (1 = coalesced).
func (c *Counters) GlobalLoadEfficiency() float64 {
	return ratio(c.GlobalLoadIdealSectors, c.GlobalLoadSectors)
}

// GlobalStoreEfficiency is ideal over actual store sectors (1 = coalesced).
func (c *Counters) GlobalStoreEfficiency() float64 {
	return ratio(c.GlobalStoreIdealSectors, c.GlobalStoreSectors)
}

// access is one lane's part of a memory request.
type access struct {
	addr uint64
	size uint32
	lane uint8
}

// memScratch collects the lanes of one request for the counters.
type memScratch struct {
	global []access
	shared []access
	keys   []uint64
}

func (s *memScratch) reset() {
	s.global = s.global[:0]
	s.shared = s.shared[:0]
}

// countRequest adds the request collected in c.mem to the counters.
func (c *ctaRun) countRequest(store bool) {
	s := &c.mem
	if len(s.global) > 0 {
		sectors, ideal, nbytes := sectorCount(s.global, &s.keys)
		if store {
			c.cnt.GlobalStoreRequests++
			c.cnt.GlobalStoreSectors += sectors
			c.cnt.GlobalStoreIdealSectors += ideal
			c.cnt.GlobalStoreBytes += nbytes
		} else {
			c.cnt.GlobalLoadRequests++
			c.cnt.GlobalLoadSectors += sectors
			c.cnt.GlobalLoadIdealSectors += ideal
			c.cnt.GlobalLoadBytes += nbytes
		}
	}
	if len(s.shared) > 0 {
		waves, phases := wavefronts(s.shared, &s.keys)
		if store {
			c.cnt.SharedStoreRequests++
			c.cnt.SharedStoreWavefronts += waves
		} else {
			c.cnt.SharedLoadRequests++
			c.cnt.SharedLoadWavefronts += waves
		}
		c.cnt.SharedBankConflicts += waves - phases
	}
	s.reset()
}

func sortU64(k []uint64) {
	// Requests have at most a few dozen keys: insertion sort, no allocation.
	for i := 1; i < len(k); i++ {
		v := k[i]
		j := i
		for j > 0 && k[j-1] > v {
			k[j] = k[j-1]
			j--
		}
		k[j] = v
	}
}

// sectorCount returns the distinct 32-byte sectors of a request, the
// minimum it could touch, and the bytes the lanes asked for.
func sectorCount(acc []access, keys *[]uint64) (sectors, ideal, nbytes uint64) {
	k := (*keys)[:0]
	for _, a := range acc {
		nbytes += uint64(a.size)
		for s := a.addr >> 5; s <= (a.addr+uint64(a.size)-1)>>5; s++ {
			k = append(k, s)
		}
	}
	sortU64(k)
	for i := range k {
		if i == 0 || k[i] != k[i-1] {
			sectors++
		}
	}
	// Distinct bytes: merge the lanes' intervals (reusing the key buffer).
	iv := k[:0]
	for _, a := range acc {
		iv = append(iv, a.addr<<5|uint64(a.size)) // sizes are <= 16
	}
	sortU64(iv)
	var uniq, end uint64
	for _, v := range iv {
		lo, hi := v>>5, v>>5+v&31
		if lo < end {
			lo = end
		}
		if hi > lo {
			uniq += hi - lo
		}
		if hi > end {
			end = hi
		}
	}
	*keys = k
	return sectors, (uniq + 31) / 32, nbytes
}

// wavefronts applies the bank model of Counters to a shared request and
// returns its wavefronts and its number of active phases.
func wavefronts(acc []access, keys *[]uint64) (waves, phases uint64) {
	size := acc[0].size
	lanesPerPhase := uint8(32)
	switch {
	case size == 8:
		lanesPerPhase = 16
	case size >= 16:
		lanesPerPhase = 8
	}
	// Handlers visit lanes in increasing order, so phases are contiguous.
	for start := 0; start < len(acc); {
		phase := acc[start].lane / lanesPerPhase
		end := start
		k := (*keys)[:0]
		for end < len(acc) && acc[end].lane/lanesPerPhase == phase {
			a := acc[end]
			for w := a.addr >> 2; w <= (a.addr+uint64(a.size)-1)>>2; w++ {
				k = append(k, w)
			}
			end++
		}
		sortU64(k)
		var perBank [32]uint64
		var worst uint64
		for i, w := range k {
			if i > 0 && k[i-1] == w {
				continue
			}
			b := w & 31
			perBank[b]++
			worst = max(worst, perBank[b])
		}
		*keys = k
		waves += worst
		phases++
		start = end
	}
	return waves, phases
}
