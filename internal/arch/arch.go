// Package arch is the one place tilec reads the names of NVIDIA GPU
// architectures ("sm_80", "sm_90a"): compile targets, a GPU's own
// architecture, the default, and "auto". The compiler, the runtime (which
// picks among variants compiled ahead of time), the devices and the CLI
// all go through it; it imports nothing, so every package can.
package arch

import (
	"fmt"
	"strconv"
	"strings"
)

// Default is the target when neither the user nor a GPU names one; the
// emulator stands for it.
const Default = "sm_80"

// Auto asks for the GPU's own target (Default where there is no GPU).
const Auto = "auto"

// Arch is a parsed architecture name.
type Arch struct {
	Name string
	SM   int // the compute capability times ten: 90 for sm_90 and sm_90a
	// Specific marks an architecture-specific target (the "a" suffix):
	// its PTX uses features (wgmma) that run only on that architecture.
	Specific bool
}

// Parse reads "sm_XY" or "sm_XYa" (compute capability 7.0 or newer).
// Which targets the PTX backend can emit is the backend's to say; Parse
// also accepts a newer GPU's own name (sm_120).
func Parse(name string) (Arch, error) {
	digits, ok := strings.CutPrefix(name, "sm_")
	specific := strings.HasSuffix(digits, "a")
	digits = strings.TrimSuffix(digits, "a")
	n, err := strconv.Atoi(digits)
	if !ok || err != nil || n < 70 || digits != strconv.Itoa(n) {
		return Arch{}, fmt.Errorf("unknown target %q (want sm_80, sm_86, sm_89, sm_90 or sm_90a)", name)
	}
	return Arch{Name: name, SM: n, Specific: specific}, nil
}

// Of names the architecture of a GPU with compute capability major.minor.
func Of(major, minor int) string { return fmt.Sprintf("sm_%d%d", major, minor) }

// RunsOn reports whether PTX compiled for a runs on a GPU of architecture
// dev: the driver compiles PTX for the same or an older architecture, and
// an architecture-specific target (sm_90a) only for its own compute
// capability (a GPU names itself sm_90: Of knows no suffix).
func (a Arch) RunsOn(dev Arch) bool {
	return a.SM <= dev.SM && (!a.Specific || a.SM == dev.SM)
}

// Resolve returns the target to compile for when name is requested on a
// device whose own architecture is dev ("" for a device without one, the
// emulator): name itself when it names a target, else ("" or Auto) the
// device's best target (Best), or Default.
func Resolve(name, dev string) (string, error) {
	if name != "" && name != Auto {
		if _, err := Parse(name); err != nil {
			return "", err
		}
		return name, nil
	}
	if dev == "" {
		return Default, nil
	}
	return Best(dev), nil
}

// Best is the target that makes the most of a GPU of architecture dev: on
// compute capability 9.0 the architecture-specific sm_90a (wgmma, TMA),
// else dev itself. (Of names a GPU without the suffix.)
func Best(dev string) string {
	if dev == "sm_90" {
		return "sm_90a"
	}
	return dev
}
