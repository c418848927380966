package autotune

import (
	"strings"
	"time"

	"github.com/tilec/tilec/internal/arch"
	"github.com/tilec/tilec/ptx/emu"
	"github.com/tilec/tilec/runtime"
)

// Peak is a device's roofline: memory bandwidth and dense f16/bf16
// tensor-core throughput.
type Peak struct {
	Name          string
	BytesPerSec   float64
	TensorFLOPs   float64 // dense f16/bf16 with f32 accumulation
	SMs           int
	ClockHz       float64
	FromDatasheet bool // false when estimated from the driver's attributes
}

// datasheet holds the peaks of known GPUs (dense, boost clocks), which the
// driver's attributes cannot give exactly.
var datasheet = []Peak{
	{Name: "H100 80GB HBM3", BytesPerSec: 3.35e12, TensorFLOPs: 989e12, SMs: 132, ClockHz: 1.98e9, FromDatasheet: true},
	{Name: "H200", BytesPerSec: 4.8e12, TensorFLOPs: 989e12, SMs: 132, ClockHz: 1.98e9, FromDatasheet: true},
	{Name: "H100 PCIe", BytesPerSec: 2.0e12, TensorFLOPs: 756e12, SMs: 114, ClockHz: 1.755e9, FromDatasheet: true},
	{Name: "A100-SXM4-80GB", BytesPerSec: 2.039e12, TensorFLOPs: 312e12, SMs: 108, ClockHz: 1.41e9, FromDatasheet: true},
	{Name: "A100-SXM4-40GB", BytesPerSec: 1.555e12, TensorFLOPs: 312e12, SMs: 108, ClockHz: 1.41e9, FromDatasheet: true},
}

// emuPeak is the device the emulator's cost model assumes: an H100 SXM.
var emuPeak = datasheet[0]

// gpuPeak looks the GPU up, or estimates it from its properties: DDR
// bandwidth from the memory clock and bus width, tensor throughput from
// the SMs and clock (2048 f16 FLOPs per SM per clock on sm_8x, 4096 on
// sm_9x and newer).
func gpuPeak(p runtime.Props) Peak {
	for _, d := range datasheet {
		if strings.Contains(p.Name, d.Name) {
			return d
		}
	}
	perSM := 2048.0
	if a, err := arch.Parse(p.Target); err == nil && a.SM >= 90 {
		perSM = 4096
	}
	return Peak{
		Name:        p.Name,
		BytesPerSec: 2 * p.MemoryClockHz * float64(p.MemoryBusWidth) / 8,
		TensorFLOPs: float64(p.SMs) * p.ClockHz * perSM,
		SMs:         p.SMs,
		ClockHz:     p.ClockHz,
	}
}

// Estimate is the emulator's cost model: the time a kernel with these
// counters would take on the assumed device, as the largest of its DRAM
// sector traffic over the bandwidth, its mma work over the tensor
// throughput, and its warp instructions over the issue rate (four
// schedulers per SM, one instruction per clock each), where a launch of
// fewer CTAs than SMs keeps only that many SMs busy. It ranks configs
// where there is no GPU to time them; docs/perf.md compares it with GPU
// measurements.
func Estimate(c *emu.Counters, p Peak) time.Duration {
	busy := min(float64(max(c.CTAs, 1)), float64(p.SMs)) / float64(p.SMs)
	bytes := float64(c.GlobalLoadSectors+c.GlobalStoreSectors) * 32
	mem := bytes / p.BytesPerSec
	mma := float64(c.MMA) * 2 * 16 * 8 * 16 / (p.TensorFLOPs * busy)
	issue := float64(c.TotalWarpInstructions()) / (float64(p.SMs) * busy * 4 * p.ClockHz)
	return time.Duration(max(mem, mma, issue) * 1e9)
}
