package kernels

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// The registry holds every kernel a program can name: the shipped ones
// register themselves when their packages are imported (importing
// kernels/all registers them all), and a program registers its own. The
// CLI lists and looks kernels up in it, and a tuning worker (the program
// re-executed) finds the kernel to check by name in it, which is why a
// program registers its kernels in an init function.
var (
	regMu    sync.Mutex
	registry = map[string]*Kernel{}
)

// Register adds k to the registry. A second kernel under a name already
// taken panics, as a second http.Handle of a pattern does: the program
// is wrong, and it says so as it starts.
func Register(k *Kernel) {
	regMu.Lock()
	defer regMu.Unlock()
	if old, ok := registry[k.Name]; ok && old != k {
		panic(fmt.Sprintf("kernels: two kernels are registered as %q", k.Name))
	}
	registry[k.Name] = k
}

// Lookup returns the registered kernel called name, or nil.
func Lookup(name string) *Kernel {
	regMu.Lock()
	defer regMu.Unlock()
	return registry[name]
}

// Registered returns the registered kernels, sorted by name.
func Registered() []*Kernel {
	regMu.Lock()
	defer regMu.Unlock()
	ks := make([]*Kernel, 0, len(registry))
	for _, k := range registry {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i].Name < ks[j].Name })
	return ks
}

// Names returns the registered kernels' names, comma-separated, for
// messages.
func Names() string {
	ks := Registered()
	names := make([]string, len(ks))
	for i, k := range ks {
		names[i] = k.Name
	}
	return strings.Join(names, ", ")
}
