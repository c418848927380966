package examples

import "github.com/tilec/tilec/kernels"

// Importing the package registers its kernels (kernels.Lookup finds them,
// in a tuning worker too).
func init() {
	kernels.Register(VecAdd)
	kernels.Register(Softmax)
	kernels.Register(Matmul)
}
