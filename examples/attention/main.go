// Command attention runs one attention layer with kernels that tilec
// generated ahead of time: RoPE on q and k (package rotary), then causal
// FlashAttention with grouped-query heads (package attn). It needs only
// tilec's runtime, not the compiler: on a GPU when there is one, else on
// tilec's emulator. It checks the output against a float64 reference.
//
//	go run ./examples/attention [-device auto|gpu|emu]
//
// The packages are regenerated (tuned for this machine's device) with
// go generate ./examples/attention.
package main

//go:generate go run github.com/tilec/tilec/cmd/tilec gen rope --shape T=128,H=4,HK=2,D=64,pos=0,cache=0,inplace=1 --dtype f16 -o rotary --package rotary
//go:generate go run github.com/tilec/tilec/cmd/tilec gen flash --shape B=1,H=4,HKV=2,N=128,D=64,causal=1,layout=1 --dtype f16 -o attn --package attn

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"

	"github.com/tilec/tilec/examples/attention/attn"
	"github.com/tilec/tilec/examples/attention/rotary"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/runtime"
)

// The layer: T tokens, H query heads sharing HK key/value heads, head dim D.
const (
	T, H, HK, D = 128, 4, 2, 64
	base        = 10000.0
	tolerance   = 1e-2 // f16 inputs and output
)

func main() {
	device := flag.String("device", runtime.DeviceAuto, "gpu, emu or auto (the GPU when there is one)")
	flag.Parse()
	if err := run(os.Stdout, *device, 1); err != nil {
		fmt.Fprintln(os.Stderr, "attention:", err)
		os.Exit(1)
	}
}

// run computes the layer on the device and prints its check.
func run(w io.Writer, device string, seed uint64) error {
	dev, err := runtime.Open(device)
	if err != nil {
		return err
	}
	defer dev.Close()
	fmt.Fprintf(w, "device: %s\n", dev.Name())

	// Inputs in the layout a model keeps them: [T, heads, D] per tensor.
	r := rand.New(rand.NewPCG(seed, 7))
	q, k, v := randomF16(r, T*H*D), randomF16(r, T*HK*D), randomF16(r, T*HK*D)
	dq, err := upload(dev, "q", q)
	if err != nil {
		return err
	}
	dk, err := upload(dev, "k", k)
	if err != nil {
		return err
	}
	dv, err := upload(dev, "v", v)
	if err != nil {
		return err
	}
	nan := make([]float64, T*H*D)
	for i := range nan {
		nan[i] = math.NaN() // every element the kernel skips stays NaN
	}
	do, err := upload(dev, "o", nan)
	if err != nil {
		return err
	}
	lse, err := dev.Alloc("lse", T*H*4)
	if err != nil {
		return err
	}

	// RoPE in place on q and k, frequencies computed in the kernel: the
	// arguments follow the kernel's parameters (strides in elements).
	const half = D / 2
	if err := rotary.RopeNeox(dev, dq, dk, dq, dk, T, H, HK,
		H*D, D, HK*D, D, // q and k: token and head strides
		H*D, D, HK*D, D, // the outputs (the same tensors)
		half, 0, half, float32(-math.Log2(base)/half)); err != nil {
		return err
	}
	// Causal attention over the rotated q and k. [T, heads, D] is
	// FlashAttention's [B, N, H, D] order with B = 1.
	if err := attn.AttnFwdCausal(dev, dq, dk, dv, float32(1/math.Sqrt(D)), runtime.DevicePtr(lse), do,
		T*H*D, D, H*D, 1, // q: batch, head, token, dim strides
		T*HK*D, D, HK*D, 1, // k
		T*HK*D, D, HK*D, 1, // v
		T*H*D, D, H*D, 1, // o
		1, H, H/HK, T, D); err != nil {
		return err
	}
	got, err := download(dev, do, T*H*D)
	if err != nil {
		return err
	}

	want := reference(q, k, v)
	maxErr, unwritten := 0.0, 0
	for i := range want {
		if math.IsNaN(got[i]) {
			unwritten++
			continue
		}
		maxErr = math.Max(maxErr, math.Abs(got[i]-want[i]))
	}
	verdict := "PASS"
	if unwritten > 0 || maxErr > tolerance {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "attention layer T=%d H=%d HK=%d D=%d (RoPE + causal FlashAttention, f16): max abs err %.3g vs the float64 reference (tolerance %g), %d unwritten: %s\n",
		T, H, HK, D, maxErr, tolerance, unwritten, verdict)
	if verdict != "PASS" {
		return fmt.Errorf("the output does not match the reference")
	}
	return nil
}

func randomF16(r *rand.Rand, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = ir.F16.Round(2*r.Float64() - 1)
	}
	return out
}

func upload(dev runtime.Device, name string, vals []float64) (runtime.DevicePtr, error) {
	b := make([]byte, 2*len(vals))
	for i, x := range vals {
		ir.F16.Encode(b[2*i:], x)
	}
	addr, err := dev.Alloc(name, len(b))
	if err != nil {
		return 0, err
	}
	return runtime.DevicePtr(addr), dev.Write(addr, b)
}

func download(dev runtime.Device, p runtime.DevicePtr, n int) ([]float64, error) {
	b := make([]byte, 2*n)
	if err := dev.Read(uint64(p), b); err != nil {
		return nil, err
	}
	out := make([]float64, n)
	for i := range out {
		out[i] = ir.F16.Decode(b[2*i:])
	}
	return out, nil
}

// reference computes the layer in float64 from the same inputs: rotate
// (rounding the rotated q and k to f16, as the kernel stores them), then
// causal softmax attention per head, in [T, H, D] order.
func reference(q, k, v []float64) []float64 {
	rotate := func(x []float64, heads int) []float64 {
		y := append([]float64(nil), x...)
		for t := range T {
			for h := range heads {
				row := (t*heads + h) * D
				for i := range D / 2 {
					a := float64(t) * math.Pow(base, -float64(2*i)/D)
					c, s := math.Cos(a), math.Sin(a)
					x1, x2 := x[row+i], x[row+i+D/2]
					y[row+i], y[row+i+D/2] = ir.F16.Round(x1*c-x2*s), ir.F16.Round(x2*c+x1*s)
				}
			}
		}
		return y
	}
	q, k = rotate(q, H), rotate(k, HK)
	out := make([]float64, T*H*D)
	scores := make([]float64, T)
	for h := range H {
		hk := h / (H / HK)
		for i := range T {
			mx := math.Inf(-1)
			for j := 0; j <= i; j++ {
				s := 0.0
				for d := range D {
					s += q[(i*H+h)*D+d] * k[(j*HK+hk)*D+d]
				}
				scores[j] = s / math.Sqrt(D)
				mx = math.Max(mx, scores[j])
			}
			sum := 0.0
			for j := 0; j <= i; j++ {
				scores[j] = math.Exp(scores[j] - mx)
				sum += scores[j]
			}
			for j := 0; j <= i; j++ {
				for d := range D {
					out[(i*H+h)*D+d] += scores[j] / sum * v[(j*HK+hk)*D+d]
				}
			}
		}
	}
	return out
}
