package cuda

import (
	"bytes"
	"fmt"
	"unsafe"
)

// DeviceCount returns the number of CUDA devices.
func (d *Driver) DeviceCount() (int, error) {
	var n int32
	if err := d.call(symDeviceGetCount, uintptr(unsafe.Pointer(&n))); err != nil {
		return 0, err
	}
	return int(n), nil
}

// Device returns the device with the given ordinal (0 <= ordinal < DeviceCount).
func (d *Driver) Device(ordinal int) (Device, error) {
	var h int32
	if err := d.call(symDeviceGet, uintptr(unsafe.Pointer(&h)), uintptr(ordinal)); err != nil {
		return Device{}, fmt.Errorf("cuda: device %d: %w", ordinal, err)
	}
	return Device{d: d, h: h, ordinal: ordinal}, nil
}

// Device is one GPU. It is a small value; copies refer to the same GPU.
type Device struct {
	d       *Driver
	h       int32 // CUdevice
	ordinal int
}

// Ordinal returns the index passed to Driver.Device.
func (dev Device) Ordinal() int { return dev.ordinal }

// Handle returns the CUdevice, for other CUDA libraries.
func (dev Device) Handle() int32 { return dev.h }

// Driver returns the driver the device belongs to.
func (dev Device) Driver() *Driver { return dev.d }

// Name returns the device's marketing name, e.g. "NVIDIA H100 80GB HBM3".
func (dev Device) Name() (string, error) {
	buf := make([]byte, 256)
	if err := dev.d.call(symDeviceGetName, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), uintptr(dev.h)); err != nil {
		return "", err
	}
	if i := bytes.IndexByte(buf, 0); i >= 0 {
		buf = buf[:i]
	}
	return string(buf), nil
}

// Attribute returns one CUdevice_attribute.
func (dev Device) Attribute(a DeviceAttribute) (int, error) {
	var v int32
	if err := dev.d.call(symDeviceGetAttribute, uintptr(unsafe.Pointer(&v)), uintptr(a), uintptr(dev.h)); err != nil {
		return 0, fmt.Errorf("cuda: device %d attribute %d: %w", dev.ordinal, a, err)
	}
	return int(v), nil
}

// ComputeCapability returns the SM version, e.g. 9, 0 for an H100.
func (dev Device) ComputeCapability() (major, minor int, err error) {
	if major, err = dev.Attribute(AttrComputeCapabilityMajor); err != nil {
		return 0, 0, err
	}
	if minor, err = dev.Attribute(AttrComputeCapabilityMinor); err != nil {
		return 0, 0, err
	}
	return major, minor, nil
}

// TotalMem returns the device's memory in bytes.
func (dev Device) TotalMem() (uint64, error) {
	var n uint64 // size_t
	if err := dev.d.call(symDeviceTotalMem, uintptr(unsafe.Pointer(&n)), uintptr(dev.h)); err != nil {
		return 0, err
	}
	return n, nil
}

// Props gathers the attributes that code generation, the autotuner's limits
// and `tilec doctor` use. Sizes are in bytes, clocks in kHz.
type Props struct {
	Name                               string
	Major, Minor                       int // compute capability
	TotalMem                           uint64
	MultiprocessorCount                int
	WarpSize                           int
	MaxThreadsPerBlock                 int
	MaxThreadsPerMultiprocessor        int
	MaxBlocksPerMultiprocessor         int
	MaxBlockDim                        [3]int
	MaxGridDim                         [3]int
	SharedMemPerBlock                  int // without opt-in
	SharedMemPerBlockOptin             int // with cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)
	SharedMemPerMultiprocessor         int
	ReservedSharedMemPerBlock          int // taken by the system from each block's share of an SM
	RegistersPerBlock                  int
	RegistersPerMultiprocessor         int
	TotalConstantMem                   int
	L2CacheSize                        int
	ClockRateKHz                       int
	MemoryClockRateKHz                 int
	MemoryBusWidth                     int // bits
	PCIDomainID, PCIBusID, PCIDeviceID int
}

// Props reads every field of Props from the driver.
func (dev Device) Props() (Props, error) {
	p := Props{}
	var err error
	if p.Name, err = dev.Name(); err != nil {
		return p, err
	}
	if p.TotalMem, err = dev.TotalMem(); err != nil {
		return p, err
	}
	fields := []struct {
		dst  *int
		attr DeviceAttribute
	}{
		{&p.Major, AttrComputeCapabilityMajor},
		{&p.Minor, AttrComputeCapabilityMinor},
		{&p.MultiprocessorCount, AttrMultiprocessorCount},
		{&p.WarpSize, AttrWarpSize},
		{&p.MaxThreadsPerBlock, AttrMaxThreadsPerBlock},
		{&p.MaxThreadsPerMultiprocessor, AttrMaxThreadsPerMultiprocessor},
		{&p.MaxBlocksPerMultiprocessor, AttrMaxBlocksPerMultiprocessor},
		{&p.MaxBlockDim[0], AttrMaxBlockDimX},
		{&p.MaxBlockDim[1], AttrMaxBlockDimY},
		{&p.MaxBlockDim[2], AttrMaxBlockDimZ},
		{&p.MaxGridDim[0], AttrMaxGridDimX},
		{&p.MaxGridDim[1], AttrMaxGridDimY},
		{&p.MaxGridDim[2], AttrMaxGridDimZ},
		{&p.SharedMemPerBlock, AttrMaxSharedMemoryPerBlock},
		{&p.SharedMemPerBlockOptin, AttrMaxSharedMemoryPerBlockOptin},
		{&p.SharedMemPerMultiprocessor, AttrMaxSharedMemoryPerMultiprocessor},
		{&p.ReservedSharedMemPerBlock, AttrReservedSharedMemoryPerBlock},
		{&p.RegistersPerBlock, AttrMaxRegistersPerBlock},
		{&p.RegistersPerMultiprocessor, AttrMaxRegistersPerMultiprocessor},
		{&p.TotalConstantMem, AttrTotalConstantMemory},
		{&p.L2CacheSize, AttrL2CacheSize},
		{&p.ClockRateKHz, AttrClockRate},
		{&p.MemoryClockRateKHz, AttrMemoryClockRate},
		{&p.MemoryBusWidth, AttrGlobalMemoryBusWidth},
		{&p.PCIDomainID, AttrPCIDomainID},
		{&p.PCIBusID, AttrPCIBusID},
		{&p.PCIDeviceID, AttrPCIDeviceID},
	}
	for _, f := range fields {
		if *f.dst, err = dev.Attribute(f.attr); err != nil {
			return p, err
		}
	}
	return p, nil
}

// PrimaryContext retains the device's primary context (the one the CUDA
// runtime and most libraries share) and returns it. Call Release when done.
func (dev Device) PrimaryContext() (*Context, error) {
	var h uintptr
	if err := dev.d.call(symDevicePrimaryCtxRetain, uintptr(unsafe.Pointer(&h)), uintptr(dev.h)); err != nil {
		return nil, fmt.Errorf("cuda: device %d: %w", dev.ordinal, err)
	}
	return &Context{d: dev.d, h: h, dev: dev, primary: true}, nil
}
