package runtime

import (
	"fmt"
	"strings"
	"sync"

	"github.com/tilec/tilec/internal/arch"
	"github.com/tilec/tilec/ptx/emu"
)

// Emu is tilec's PTX emulator as a Device. Every launch runs with the
// sanitizer on; any finding fails it.
type Emu struct {
	dev  *emu.Device
	mu   sync.Mutex
	mods map[*Kernel]*emu.Module
	// Counters sums the emulator's counters over every launch.
	Counters emu.Counters
	// Launches records each launch's result in order.
	Launches []*emu.Result
}

// NewEmu returns an emulated device with empty memory.
func NewEmu() *Emu { return &Emu{dev: emu.NewDevice(emu.Options{}), mods: map[*Kernel]*emu.Module{}} }

// Name implements Device.
func (e *Emu) Name() string { return DeviceEmu }

// Alloc implements Device.
func (e *Emu) Alloc(_ string, bytes int) (uint64, error) { return e.dev.Alloc(max(bytes, 1)) }

// Write implements Device.
func (e *Emu) Write(addr uint64, data []byte) error { return e.dev.CopyToDevice(addr, data) }

// Read implements Device.
func (e *Emu) Read(addr uint64, data []byte) error { return e.dev.CopyFromDevice(data, addr) }

// Free implements Device: the emulator's memory goes with the device.
func (e *Emu) Free() error { return nil }

// Close implements Device.
func (e *Emu) Close() error { return nil }

// Target implements Targeted: the emulator runs PTX for any architecture
// and stands for the default one.
func (e *Emu) Target() string { return arch.Default }

// Module parses k's PTX (once).
func (e *Emu) Module(k *Kernel) (*emu.Module, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if m, ok := e.mods[k]; ok {
		return m, nil
	}
	if k.PTX == "" {
		return nil, fmt.Errorf("kernel %s has no PTX (it was not compiled for a GPU)", k.Name)
	}
	m, err := emu.Parse(k.Name+".ptx", []byte(k.PTX))
	if err != nil {
		return nil, fmt.Errorf("kernel %s: the emulator rejects its PTX: %w", k.Name, err)
	}
	e.mods[k] = m
	return m, nil
}

// Launch implements Device.
func (e *Emu) Launch(k *Kernel, grid [3]int, args ...any) error {
	m, err := e.Module(k)
	if err != nil {
		return err
	}
	if err := k.CheckFacts(args); err != nil {
		return err
	}
	a, err := k.LaunchArgs(args, e)
	if err != nil {
		return err
	}
	for i, x := range a {
		if m, ok := x.([128]byte); ok { // the emulator takes aggregates as bytes
			a[i] = m[:]
		}
	}
	cfg := emu.LaunchConfig{
		Grid:          [3]uint32{uint32(grid[0]), uint32(grid[1]), uint32(grid[2])},
		Block:         [3]uint32{uint32(k.Threads), 1, 1},
		DynamicShared: uint32(k.SharedBytes),
	}
	res, err := e.dev.Launch(m, k.Name, cfg, a...)
	if err != nil {
		return fmt.Errorf("kernel %s: %w", k.Name, err)
	}
	e.mu.Lock()
	e.Launches = append(e.Launches, res)
	e.Counters.Add(&res.Counters)
	e.mu.Unlock()
	if !res.Clean() {
		var sb strings.Builder
		for i, fd := range res.Findings {
			if i == 5 {
				fmt.Fprintf(&sb, "\n  ... %d findings in all", res.FindingCount)
				break
			}
			fmt.Fprintf(&sb, "\n  %v", fd)
		}
		return fmt.Errorf("kernel %s: the sanitizer found %d problems:%s", k.Name, res.FindingCount, sb.String())
	}
	return nil
}

// emuTensorTypes are the emulator's names of tensor map element types.
var emuTensorTypes = map[string]emu.TensorDType{"u8": emu.TensorU8, "i8": emu.TensorU8, "f16": emu.TensorF16, "bf16": emu.TensorBF16,
	"i16": emu.TensorU16, "f32": emu.TensorF32, "i32": emu.TensorI32, "f64": emu.TensorF64, "i64": emu.TensorI64}

// emuSwizzles are the emulator's swizzle modes by span.
var emuSwizzles = map[int]emu.TensorSwizzle{0: emu.SwizzleNone, 32: emu.Swizzle32B, 64: emu.Swizzle64B, 128: emu.Swizzle128B}

// EncodeTensorMap implements TensorMapEncoder with the emulator's own
// encoding of a tensor map.
func (e *Emu) EncodeTensorMap(d TensorMapDesc) ([128]byte, error) {
	dt, ok := emuTensorTypes[d.Elem]
	sw, okSw := emuSwizzles[d.Swizzle]
	if !ok || !okSw || len(d.Dims) > 5 || len(d.Strides) != len(d.Dims)-1 || len(d.Box) != len(d.Dims) {
		return [128]byte{}, fmt.Errorf("emu: cannot encode tensor map %+v", d)
	}
	m := emu.TensorMap{DType: dt, Rank: len(d.Dims), Global: d.Global, Swizzle: sw, OOBFill: emu.OOBFillZero}
	copy(m.Dims[:], d.Dims)
	copy(m.Strides[:], d.Strides)
	copy(m.Box[:], d.Box)
	for i := range m.Rank {
		m.ElemStrides[i] = 1
	}
	return emu.EncodeTensorMap(m)
}
