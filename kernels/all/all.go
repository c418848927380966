// Package all registers every kernel tilec ships (kernels.Register): a
// program imports it for that effect and finds them with kernels.Lookup
// and kernels.Registered, the one registry the CLI and the tuner share.
// Its tests hold the golden .tir dumps of every shipped kernel.
package all

import (
	_ "github.com/tilec/tilec/kernels/examples" // vector_add, softmax, matmul
	_ "github.com/tilec/tilec/kernels/flash"
	_ "github.com/tilec/tilec/kernels/moe" // moe, moe_combine
	_ "github.com/tilec/tilec/kernels/rope"
)
