package kernels

import (
	"fmt"
	"strings"
	"sync"

	"github.com/tilec/tilec/ir"
)

// CDiv returns ceil(a / b).
func CDiv(a, b int) int { return (a + b - 1) / b }

// NextPow2 returns the smallest power of two >= n (1 for n <= 1).
func NextPow2(n int) int {
	p := 1
	for p < n {
		p *= 2
	}
	return p
}

// Need returns the config's value for key, or an error naming what is missing.
func Need(cfg ir.Config, key string) (int, error) {
	v, ok := cfg[key]
	if !ok {
		return 0, fmt.Errorf("config %s has no %s", cfg, key)
	}
	if v <= 0 {
		return 0, fmt.Errorf("config %s: %s=%d must be positive", cfg, key, v)
	}
	return v, nil
}

// Pow2 checks that the config's value for key is a power of two in [lo, hi].
func Pow2(cfg ir.Config, key string, lo, hi int) (int, error) {
	v, err := Need(cfg, key)
	if err != nil {
		return 0, err
	}
	if v&(v-1) != 0 || v < lo || v > hi {
		return 0, fmt.Errorf("config %s: %s=%d must be a power of two from %d to %d", cfg, key, v, lo, hi)
	}
	return v, nil
}

// With returns a copy of cfg with the derived meta-parameters added.
func With(cfg ir.Config, derived ir.Config) ir.Config {
	out := cfg.Clone()
	for k, v := range derived {
		out[k] = v
	}
	return out
}

// Only returns the keys of cfg that are tuned or launch options, dropping
// anything else a user passed: a config key a kernel does not know is an
// error.
func Only(cfg ir.Config, tuned ...string) (ir.Config, error) {
	out := ir.Config{}
	allowed := map[string]bool{ir.KeyNumWarps: true, ir.KeyNumStages: true}
	for _, t := range tuned {
		allowed[t] = true
	}
	var unknown []string
	for _, k := range cfg.Keys() {
		if !allowed[k] {
			unknown = append(unknown, k)
			continue
		}
		out[k] = cfg[k]
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown config key %s (tuned keys: %s, num_warps, num_stages)", strings.Join(unknown, ", "), strings.Join(tuned, ", "))
	}
	return out, nil
}

var cache sync.Map // name + dtype -> *cached

type cached struct {
	once sync.Once
	f    *ir.Func
	err  error
}

// Cached builds a generic kernel once per key and dtype; builds are cheap,
// but a plan per config would otherwise rebuild the same IR many times.
func Cached(key string, dt ir.DType, build func() (*ir.Func, error)) (*ir.Func, error) {
	c, _ := cache.LoadOrStore(key+"/"+dt.String(), &cached{})
	e := c.(*cached)
	e.once.Do(func() { e.f, e.err = build() })
	return e.f, e.err
}
