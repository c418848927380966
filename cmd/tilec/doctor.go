package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tilec/tilec/cuda"
)

func init() { rootCmd.AddCommand(newDoctorCmd()) }

// newDoctorCmd builds `tilec doctor`.
func newDoctorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Report the CUDA driver and GPUs tilec finds, or why it falls back to its emulator",
		Long: `doctor looks for the NVIDIA driver (libcuda.so.1) the way tilec does and
prints what it found: the driver version and each GPU with the properties
that matter to tilec's kernels, or every place it looked and what is missing.
Without a GPU tilec runs kernels on its built-in PTX emulator; doctor says
which of the two tilec will use. It exits 0 either way.

Set ` + cuda.EnvLibCUDA + ` to the full path of libcuda.so.1 to choose the library.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := doctor(cmd.OutOrStdout()); err != nil {
				return failed("doctor: %w", err)
			}
			return nil
		},
	}
}

// emulatorFallback is the conclusion when no GPU can be used.
const emulatorFallback = "Device: no usable GPU; tilec will use the built-in PTX emulator."

// doctor writes the report to w; only a failed write is an error.
func doctor(w io.Writer) error {
	p := &printer{w: w}
	p.line("CUDA driver")
	if env := os.Getenv(cuda.EnvLibCUDA); env != "" {
		p.line("  %s=%s (only this library is tried)", cuda.EnvLibCUDA, env)
	} else {
		p.line("  %s is not set (set it to the full path of %s to choose the library)", cuda.EnvLibCUDA, cuda.LibName)
	}
	// Open, not Load: a fresh search that reflects the environment now.
	drv, err := cuda.Open("")
	var nf *cuda.NotFoundError
	var ie *cuda.InitError
	switch {
	case errors.As(err, &nf):
		reportNotFound(p, nf)
		p.line("")
		p.line(emulatorFallback)
		return p.err
	case errors.As(err, &ie):
		p.line("  library: %s", ie.Path)
		if ie.Version > 0 {
			p.line("  driver version: %s (%d)", cuda.VersionString(ie.Version), ie.Version)
		}
		p.line("  cuInit failed: %v", ie.Err)
		p.line("  missing: %s", initHint(ie.Err))
		p.line("")
		p.line(emulatorFallback)
		return p.err
	case err != nil:
		p.line("  error: %v", err)
		p.line("")
		p.line(emulatorFallback)
		return p.err
	}

	p.line("  library: %s", drv.Path())
	if v, err := drv.DriverVersion(); err != nil {
		p.line("  driver version: unknown (%v)", err)
	} else {
		p.line("  driver version: %s (%d)", cuda.VersionString(v), v)
	}
	n, err := drv.DeviceCount()
	if err != nil {
		p.line("  cuDeviceGetCount failed: %v", err)
		n = 0
	}
	p.line("")
	p.line("GPUs: %d", n)
	first := -1
	var firstName string
	for i := range n {
		props, err := deviceProps(drv, i)
		if err != nil {
			p.line("  GPU %d: unusable: %v", i, err)
			continue
		}
		if first < 0 {
			first, firstName = i, props.Name
		}
		reportGPU(p, i, props)
	}
	p.line("")
	if first < 0 {
		if n == 0 {
			p.line("  missing: a GPU; the driver is installed but reports none")
		}
		p.line(emulatorFallback)
		return p.err
	}
	p.line("Device: tilec will run kernels on GPU %d (%s).", first, firstName)
	return p.err
}

// deviceProps reads the properties of GPU i.
func deviceProps(drv *cuda.Driver, i int) (cuda.Props, error) {
	dev, err := drv.Device(i)
	if err != nil {
		return cuda.Props{}, err
	}
	return dev.Props()
}

// reportNotFound prints every path tried and what to install.
func reportNotFound(p *printer, nf *cuda.NotFoundError) {
	p.line("  not found; looked for %s:", cuda.LibName)
	for _, a := range nf.Tried {
		where := a.Path
		if a.Path == cuda.LibName {
			where += " (dynamic loader search: LD_LIBRARY_PATH, /etc/ld.so.cache, /lib, /usr/lib)"
		}
		p.line("    %s: %v", where, a.Err)
	}
	p.line("  missing: the NVIDIA driver's %s. Install the NVIDIA driver (the CUDA toolkit is not", cuda.LibName)
	p.line("  needed), run the container with GPU access (e.g. docker --gpus all), or set")
	p.line("  %s to the full path of %s.", cuda.EnvLibCUDA, cuda.LibName)
}

// initHint says what a failed cuInit usually means.
func initHint(err error) string {
	switch {
	case errors.Is(err, cuda.ErrNoDevice):
		return "a GPU the driver can see (check nvidia-smi, CUDA_VISIBLE_DEVICES, and that the container has GPU access)"
	case errors.Is(err, cuda.ErrSystemDriverMismatch):
		return "a kernel module matching the driver library (they differ in version: reboot, or reinstall the driver)"
	case errors.Is(err, cuda.ErrCompatNotSupportedOnDevice):
		return "a GPU that the forward-compatibility driver supports"
	case errors.Is(err, cuda.ErrDeviceUnavailable), errors.Is(err, cuda.ErrDeviceNotLicensed):
		return "an available GPU (it is busy, in exclusive mode, or not licensed)"
	case errors.Is(err, cuda.ErrStubLibrary):
		return "the real driver (this is the CUDA toolkit's link stub)"
	}
	return "a working driver (see the error above)"
}

// reportGPU prints one GPU's properties.
func reportGPU(p *printer, i int, d cuda.Props) {
	p.line("  GPU %d: %s", i, d.Name)
	p.line("    compute capability: %d.%d (sm_%d%d)", d.Major, d.Minor, d.Major, d.Minor)
	p.line("    multiprocessors: %d", d.MultiprocessorCount)
	p.line("    memory: %s, %d-bit bus", formatBytes(d.TotalMem), d.MemoryBusWidth)
	p.line("    shared memory per block: %s, up to %s with opt-in",
		formatBytes(uint64(d.SharedMemPerBlock)), formatBytes(uint64(d.SharedMemPerBlockOptin)))
	p.line("    shared memory per multiprocessor: %s", formatBytes(uint64(d.SharedMemPerMultiprocessor)))
	p.line("    L2 cache: %s", formatBytes(uint64(d.L2CacheSize)))
	p.line("    registers: %d per block, %d per multiprocessor", d.RegistersPerBlock, d.RegistersPerMultiprocessor)
	p.line("    PCI: %04x:%02x:%02x.0", d.PCIDomainID, d.PCIBusID, d.PCIDeviceID)
}

// formatBytes prints n in the largest binary unit that keeps it at least 1,
// exact when it is a whole number of that unit.
func formatBytes(n uint64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB"}
	u, v := 0, float64(n)
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	if u == 0 {
		return fmt.Sprintf("%d bytes", n)
	}
	s := fmt.Sprintf("%.1f", v)
	s = strings.TrimSuffix(s, ".0")
	return s + " " + units[u]
}

// printer writes lines and keeps the first write error.
type printer struct {
	w   io.Writer
	err error
}

// line writes one formatted line.
func (p *printer) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}
