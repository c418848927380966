package emu

import (
	"math/rand"
	"runtime"
	"testing"
)

// BenchmarkThreadInstructions measures emulated thread-instructions per
// second on kernels that mix arithmetic, shared memory, barriers, shuffles
// and global loads (the llc-compiled reduction and transpose).
func BenchmarkThreadInstructions(b *testing.B) {
	for _, bc := range []struct {
		name    string
		kernel  string
		workers int
	}{
		{"reduce/1core", "reduce", 1},
		{"transpose/1core", "transpose", 1},
		{"reduce/allcores", "reduce", 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			m := mustParse(b, bc.kernel+".ptx", golden(b, bc.kernel))
			d := NewDevice(Options{Workers: bc.workers})
			r := rand.New(rand.NewSource(1))
			const n = 256 * 256
			in := alloc(b, d, f32Bytes(randF32(r, n)))
			out := alloc(b, d, make([]byte, 4*n))
			var grid, block [3]uint32
			var args []any
			if bc.kernel == "reduce" {
				grid, block, args = [3]uint32{256}, [3]uint32{256}, []any{in.addr, out.addr}
			} else {
				grid, block, args = [3]uint32{8, 8}, [3]uint32{32, 8}, []any{in.addr, out.addr, int32(256), int32(256)}
			}
			var total uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				res, err := d.Launch(m, bc.kernel, LaunchConfig{Grid: grid, Block: block}, args...)
				if err != nil || !res.Clean() {
					b.Fatalf("launch: %v %v", err, res.Findings)
				}
				total += res.Counters.TotalThreadInstructions()
			}
			sec := b.Elapsed().Seconds()
			workers := bc.workers
			if workers == 0 {
				workers = runtime.GOMAXPROCS(0)
			}
			b.ReportMetric(float64(total)/sec, "thread-instr/s")
			b.ReportMetric(float64(total)/sec/float64(workers), "thread-instr/s/core")
		})
	}
}
