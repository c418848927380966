package runtime

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/tilec/tilec/internal/arch"
)

// Variant is one kernel compiled ahead of time (tilec gen) for an
// architecture, a config and a problem: Select picks the variant that
// fits a call's arguments.
type Variant struct {
	Target string // sm_80, sm_90, sm_90a
	Kernel Kernel
	// Meta binds the kernel's meta-parameters (block sizes, derived
	// sizes): the generated launcher reads the grid from them.
	Meta map[string]int64
	// Keys are integer parameters whose next power of two the
	// specialization depends on; a call fits when its keys round up to
	// the same powers of two.
	Keys map[string]int64
	// Shape is the problem the variant was tuned for (integer arguments
	// by parameter name); among fitting variants the nearest wins.
	Shape map[string]int64
}

func nextPow2(n int64) int64 {
	p := int64(1)
	for p < n {
		p *= 2
	}
	return p
}

// Select returns the variant to launch on dev with args (by parameter
// name: vals): compiled for the device's architecture (or the newest
// older one, whose PTX the driver compiles for the device; an "a" target,
// preferred, only for its own compute capability), with keys that round
// up alike, with launch facts the arguments keep, and tuned for the
// nearest problem.
func Select(dev Device, vs []*Variant, args []any, vals map[string]int64) (*Variant, error) {
	target := arch.Default
	if t, ok := dev.(Targeted); ok {
		target = t.Target()
	}
	devArch, err := arch.Parse(target)
	if err != nil {
		return nil, fmt.Errorf("device %s: %w", dev.Name(), err)
	}
	// The newest architecture that runs on the device, and of its
	// variants the architecture-specific ones (built for exactly this
	// GPU) over the portable ones.
	best, bestRank := []*Variant(nil), -1
	for _, v := range vs {
		a, err := arch.Parse(v.Target)
		if err != nil || !a.RunsOn(devArch) {
			continue
		}
		rank := 2 * a.SM
		if a.Specific {
			rank++
		}
		switch {
		case rank > bestRank:
			best, bestRank = []*Variant{v}, rank
		case rank == bestRank:
			best = append(best, v)
		}
	}
	if len(best) == 0 {
		return nil, fmt.Errorf("no variant for %s (compiled for %s)", target, targets(vs))
	}
	var fits []*Variant
	var why []string
	for _, v := range best {
		ok := true
		for k, want := range v.Keys {
			if nextPow2(vals[k]) != nextPow2(want) {
				ok = false
				why = append(why, fmt.Sprintf("%s=%d needs a variant for %s up to %d", k, vals[k], k, nextPow2(vals[k])))
			}
		}
		if ok {
			if err := v.Kernel.CheckFacts(args); err != nil {
				ok = false
				why = append(why, err.Error())
			}
		}
		if ok {
			fits = append(fits, v)
		}
	}
	if len(fits) == 0 {
		sort.Strings(why)
		return nil, fmt.Errorf("no variant fits these arguments: %s (regenerate with tilec gen for this problem)", strings.Join(dedupe(why), "; "))
	}
	dist := func(v *Variant) float64 {
		d := 0.0
		for k, s := range v.Shape {
			if a := vals[k]; a > 0 && s > 0 {
				d += math.Abs(math.Log2(float64(a)) - math.Log2(float64(s)))
			}
		}
		return d
	}
	sort.SliceStable(fits, func(i, j int) bool { return dist(fits[i]) < dist(fits[j]) })
	return fits[0], nil
}

func targets(vs []*Variant) string {
	seen := map[string]bool{}
	var out []string
	for _, v := range vs {
		if !seen[v.Target] {
			seen[v.Target] = true
			out = append(out, v.Target)
		}
	}
	return strings.Join(out, ", ")
}

func dedupe(xs []string) []string {
	var out []string
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// CDiv is ceil(a / b) for the generated grid expressions.
func CDiv(a, b int64) int64 { return (a + b - 1) / b }

// DevicePtr is a device address: from Device.Alloc, or from any other CUDA
// library (gorgonia.org/cu, cudarc, PyTorch's data_ptr) as a raw pointer.
type DevicePtr uint64
