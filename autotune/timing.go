package autotune

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/tilec/tilec/kernels"
)

// Timing constants: warm-up runs per candidate, the fewest samples a
// median rests on, and the confidence the interval must reach.
const (
	warmups    = 2
	minSamples = 5
	targetCI   = 0.01 // the 95% interval's half-width relative to the median
	maxSamples = 200
)

// timed is a candidate ready to run on shared buffers.
type timed struct {
	c       *Candidate
	runs    []func() error
	samples []time.Duration
	done    bool
}

// timeCandidates times every candidate's launches with the device's
// events (t.timer): the L2 flushed and the updated buffers restored before
// each run, candidates interleaved in rounds, until every median is tight
// or the budget ends.
func timeCandidates(t *tuner, live []*Candidate, opts Options) error {
	g, timer := t.dev, t.timer
	defer func() { _ = g.Free() }()
	// One allocation per buffer name, as large as any candidate needs:
	// every candidate of a problem works on the same data.
	type buf struct {
		b       *kernels.Buffer
		addr    uint64
		backup  uint64 // a pristine copy, for buffers the kernels update
		restore bool
	}
	bufs := map[string]*buf{}
	for _, c := range live {
		for _, b := range c.plan.Buffers {
			if x, ok := bufs[b.Name]; !ok || x.b.Len < b.Len {
				bufs[b.Name] = &buf{b: b}
			}
		}
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 77))
	names := make([]string, 0, len(bufs))
	for n := range bufs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		x := bufs[n]
		size := x.b.Len * x.b.DType.Size()
		addr, err := g.Alloc(n, size)
		if err != nil {
			return fmt.Errorf("allocating %s: %w", n, err)
		}
		x.addr = addr
		data := make([]byte, size)
		if x.b.Role == kernels.Input || x.b.Role == kernels.InOut {
			init := x.b.Init
			for i := 0; i < x.b.Len; i++ {
				v := 2*rng.Float64() - 1
				if init != nil {
					v = init(rng, i)
				}
				x.b.DType.Encode(data[i*x.b.DType.Size():], x.b.DType.Round(v))
			}
		}
		if err := g.Write(addr, data); err != nil {
			return fmt.Errorf("writing %s: %w", n, err)
		}
		// Kernels that update a buffer (in place, or accumulating into a
		// zeroed one) get it back as it was before every run.
		if x.b.Role == kernels.InOut || x.b.Zero {
			x.restore = true
			if x.backup, err = g.Alloc(n+".backup", size); err != nil {
				return err
			}
			if err := g.Write(x.backup, data); err != nil {
				return err
			}
		}
	}
	// A buffer larger than L2, rewritten before each run, so no run finds
	// its data in the cache.
	l2 := 0
	if t.props != nil {
		l2 = t.props.L2Bytes
	}
	flushBytes := max(2*l2, 64<<20)
	flush, err := g.Alloc("l2flush", flushBytes)
	if err != nil {
		return err
	}
	var ts []*timed
	for _, c := range live {
		funcs, err := c.plan.Specialize()
		if err != nil {
			return err
		}
		tc := &timed{c: c}
		for i, l := range c.plan.Launches {
			args := make([]any, len(l.Args))
			for j, a := range c.plan.NominalArgs(i) {
				args[j] = a
				if ptr, ok := a.(uint64); ok {
					name := l.Args[j].Buf
					args[j] = bufs[name].addr + (ptr - uint64(1<<32))
				}
			}
			bin, err := g.Binary(funcs[i], args)
			if err != nil {
				return err
			}
			run, err := timer.Prepare(&bin.Kernel, l.Grid, args...)
			if err != nil {
				return err
			}
			tc.runs = append(tc.runs, run)
		}
		ts = append(ts, tc)
	}
	prepare := func() error {
		if err := timer.Memset(flush, 0, flushBytes); err != nil {
			return err
		}
		for _, n := range names {
			x := bufs[n]
			if x.restore {
				if err := timer.Copy(x.addr, x.backup, x.b.Len*x.b.DType.Size()); err != nil {
					return err
				}
			}
		}
		return nil
	}
	once := func(t *timed) (time.Duration, error) {
		if err := prepare(); err != nil {
			return 0, err
		}
		return timer.Time(func() error {
			for _, r := range t.runs {
				if err := r(); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for _, t := range ts {
		for i := 0; i < warmups; i++ {
			if _, err := once(t); err != nil {
				return err
			}
		}
	}
	deadline := time.Now().Add(opts.Budget)
	rung := minSamples
	for round := 0; ; round++ {
		active := 0
		for i := range ts {
			t := ts[(i+round)%len(ts)] // rotate the order: drift hits everyone alike
			if t.done {
				continue
			}
			d, err := once(t)
			if err != nil {
				return err
			}
			t.samples = append(t.samples, d)
			n := len(t.samples)
			if n >= minSamples {
				s := append([]time.Duration(nil), t.samples...)
				m := median(s)
				if float64(ci95(t.samples)) <= targetCI*float64(m) || n >= maxSamples {
					t.done = true
				}
			}
			if !t.done {
				active++
			}
		}
		if active == 0 || time.Now().After(deadline) {
			break
		}
		// Successive halving: at each rung, keep the faster half.
		if opts.Strategy == "halving" && minOf(ts) >= rung && countLive(ts) > 2 {
			halve(ts)
			rung *= 2
		}
	}
	for _, t := range ts {
		c := t.c
		c.Samples = len(t.samples)
		s := append([]time.Duration(nil), t.samples...)
		c.Median = median(s)
		c.CI = ci95(t.samples)
		if c.Status != Passed || c.Reason == "" {
			c.Status = Timed
		}
	}
	return nil
}

func minOf(ts []*timed) int {
	m := -1
	for _, t := range ts {
		if !t.done && (m < 0 || len(t.samples) < m) {
			m = len(t.samples)
		}
	}
	return max(m, 0)
}

func countLive(ts []*timed) int {
	n := 0
	for _, t := range ts {
		if !t.done {
			n++
		}
	}
	return n
}

// halve stops timing the slower half of the candidates still running.
func halve(ts []*timed) {
	var run []*timed
	for _, t := range ts {
		if !t.done {
			run = append(run, t)
		}
	}
	sort.Slice(run, func(i, j int) bool {
		a := append([]time.Duration(nil), run[i].samples...)
		b := append([]time.Duration(nil), run[j].samples...)
		return median(a) < median(b)
	})
	for _, t := range run[(len(run)+1)/2:] {
		t.done = true
		t.c.Reason = "cut by successive halving"
		t.c.Status = Passed
	}
}
