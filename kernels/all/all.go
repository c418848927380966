// Package all lists every kernel tilec ships.
package all

import (
	"sort"
	"strings"

	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/kernels/examples"
	"github.com/tilec/tilec/kernels/flash"
	"github.com/tilec/tilec/kernels/moe"
	"github.com/tilec/tilec/kernels/rope"
)

// Kernels returns the shipped kernels, sorted by name.
func Kernels() []*kernels.Kernel {
	ks := []*kernels.Kernel{flash.Kernel, rope.Kernel, moe.Kernel, moe.Combine, examples.VecAdd, examples.Softmax, examples.Matmul}
	sort.Slice(ks, func(i, j int) bool { return ks[i].Name < ks[j].Name })
	return ks
}

// Lookup returns the kernel called name, or nil.
func Lookup(name string) *kernels.Kernel {
	for _, k := range Kernels() {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// Names returns the kernel names, comma-separated, for messages.
func Names() string {
	var names []string
	for _, k := range Kernels() {
		names = append(names, k.Name)
	}
	return strings.Join(names, ", ")
}
