package examples

import "github.com/tilec/tilec/autotune"

// The examples can be tuned in worker processes of any program that imports
// this package.
func init() {
	autotune.Register(VecAdd)
	autotune.Register(Softmax)
	autotune.Register(Matmul)
}
