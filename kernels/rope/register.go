package rope

import "github.com/tilec/tilec/kernels"

// Importing the package registers the kernel (kernels.Lookup finds it, in
// a tuning worker too).
func init() { kernels.Register(Kernel) }
