package flash

import "github.com/tilec/tilec/autotune"

// The kernel can be tuned in worker processes of any program that imports
// this package.
func init() {
	autotune.Register(Kernel)
}
