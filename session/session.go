// Package session is tilec's in-process API: a Go program compiles, tunes
// and launches kernels at run time on a device chosen as the CLI chooses
// it (the GPU when there is one, else the emulator).
//
// A Session owns the device, a compiler cache (one binary per kernel,
// config and kind of arguments) and the configs chosen per problem: the
// first call for a problem takes the config from the tuning cache, or
// tunes it now and stores it there (Options.Tune). Device memory is
// described by Tensor, a raw device address with a dtype and a shape, so
// memory from any other CUDA library can be passed in.
//
// The shipped kernels have typed entry points on top of it in package ops
// (ops.FlashForward, ops.RopeApply, ops.MoERoute, ops.MoECombineRows); a
// kernel of one's own runs through Run (a kernels.Kernel, with its plan
// and reference) or, lower down, Launch (a DSL function, a config and a
// grid).
package session

import (
	"errors"
	"fmt"
	"sync"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/autotune"
	"github.com/tilec/tilec/device"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
	"github.com/tilec/tilec/runtime"
)

// Tuning policies for a problem seen the first time.
const (
	TuneAuto  = "auto"  // the tuning cache, else tune now and store the winner
	TuneCache = "cache" // the tuning cache, else the kernel's default config
	TuneOff   = "off"   // always the kernel's default config
)

// Options configure a session. The zero value picks the GPU when there is
// one, tunes on first use and keeps results in the default tuning cache.
type Options struct {
	// Device is gpu, emu or auto (default).
	Device string
	// Backend and Target of the compiler ("" for defaults: tilec's own
	// backend, the device's architecture).
	Backend string
	Target  tilec.Target
	// Tune is TuneAuto (default), TuneCache or TuneOff.
	Tune string
	// CacheDir holds tuning results ("": the user cache directory).
	CacheDir string
	// OnTune, when set, is called with the result of every tuning run
	// the session makes (to log what tuning on first use costs).
	OnTune func(*autotune.Result)
}

// Session is a device with a compiler and tuned configs. Its methods are
// safe for concurrent use; launches run one at a time.
type Session struct {
	opts  Options
	dev   *device.Compiling // the GPU or the emulator, compiling on launch
	cache *autotune.Cache

	mu      sync.Mutex
	configs map[string]ir.Config  // kernel/problem -> config
	specs   map[specKey]*ir.Func  // DSL function and config -> specialized
	temps   map[string]tempBuffer // pooled scratch by name
	closed  bool
}

type specKey struct {
	f   *ir.Func
	cfg string
}

type tempBuffer struct {
	addr  uint64
	bytes int
}

// Open starts a session.
func Open(o Options) (*Session, error) {
	switch o.Tune {
	case "":
		o.Tune = TuneAuto
	case TuneAuto, TuneCache, TuneOff:
	default:
		return nil, fmt.Errorf("session: unknown tuning policy %q (%s, %s, %s)", o.Tune, TuneAuto, TuneCache, TuneOff)
	}
	s := &Session{opts: o, configs: map[string]ir.Config{}, specs: map[specKey]*ir.Func{}, temps: map[string]tempBuffer{}}
	d, err := device.Open(o.Device, tilec.Options{Backend: o.Backend, Target: o.Target})
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	c, ok := d.(*device.Compiling)
	if !ok {
		_ = d.Close()
		return nil, fmt.Errorf("session: the %s device runs no compiled kernels (gpu, emu, auto)", d.Name())
	}
	s.dev = c
	if o.Tune != TuneOff {
		cache, err := autotune.OpenCache(o.CacheDir)
		if err != nil {
			_ = s.dev.Close()
			return nil, fmt.Errorf("session: %w", err)
		}
		s.cache = cache
	}
	return s, nil
}

// Device names the device ("emu", or the GPU's name).
func (s *Session) Device() string { return s.dev.Name() }

// Kind is gpu or emu.
func (s *Session) Kind() string { return s.dev.Kind() }

// Close frees the session's memory and releases the device.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.dev.Close()
}

// Empty allocates a contiguous tensor (its contents are undefined).
func (s *Session) Empty(dt ir.DType, shape ...int) (Tensor, error) {
	t := Tensor{DType: dt, Shape: append([]int(nil), shape...)}
	if err := t.check(); err != nil {
		return Tensor{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	addr, err := s.dev.Alloc("tensor", max(t.Len(), 1)*dt.Size())
	if err != nil {
		return Tensor{}, fmt.Errorf("session: alloc %v %s: %w", shape, dt, err)
	}
	t.Ptr = runtime.DevicePtr(addr)
	return t, nil
}

// FromHost allocates a contiguous tensor holding vals (rounded to dt; len
// must be the product of shape).
func (s *Session) FromHost(dt ir.DType, vals []float64, shape ...int) (Tensor, error) {
	t, err := s.Empty(dt, shape...)
	if err != nil {
		return Tensor{}, err
	}
	if len(vals) != t.Len() {
		return Tensor{}, fmt.Errorf("session: %d values for a %v tensor of %d elements", len(vals), shape, t.Len())
	}
	if err := s.Write(t, vals); err != nil {
		return Tensor{}, err
	}
	return t, nil
}

// Write stores vals (in row-major order of t's shape) into t.
func (s *Session) Write(t Tensor, vals []float64) error {
	if err := t.check(); err != nil {
		return err
	}
	if len(vals) != t.Len() {
		return fmt.Errorf("session: %d values for a %v tensor of %d elements", len(vals), t.Shape, t.Len())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.Contiguous() {
		return s.dev.Write(uint64(t.Ptr), kernels.Encode(t.DType, vals))
	}
	span := make([]byte, t.span()*t.DType.Size())
	if err := s.dev.Read(uint64(t.Ptr), span); err != nil {
		return fmt.Errorf("session: %w", err)
	}
	t.each(func(i, at int) { t.DType.Encode(span[at*t.DType.Size():], vals[i]) })
	return s.dev.Write(uint64(t.Ptr), span)
}

// ToHost reads t's elements in row-major order of its shape.
func (s *Session) ToHost(t Tensor) ([]float64, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	span := make([]byte, t.span()*t.DType.Size())
	if err := s.dev.Read(uint64(t.Ptr), span); err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	all := kernels.Decode(t.DType, span)
	out := make([]float64, t.Len())
	t.each(func(i, at int) { out[i] = all[at] })
	return out, nil
}

// Temp returns a contiguous scratch tensor that the session reuses for
// every request of the same name: for outputs a caller discards.
func (s *Session) Temp(name string, dt ir.DType, shape ...int) (Tensor, error) {
	t := Tensor{DType: dt, Shape: append([]int(nil), shape...)}
	if err := t.check(); err != nil {
		return Tensor{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	addr, err := s.temp(name, max(t.Len(), 1)*dt.Size())
	t.Ptr = runtime.DevicePtr(addr)
	return t, err
}

// temp serves pooled scratch; s.mu is held.
func (s *Session) temp(name string, bytes int) (uint64, error) {
	if b, ok := s.temps[name]; ok && b.bytes >= bytes {
		return b.addr, nil
	}
	addr, err := s.dev.Alloc(name, bytes)
	if err != nil {
		return 0, fmt.Errorf("session: scratch %s: %w", name, err)
	}
	s.temps[name] = tempBuffer{addr, bytes}
	return addr, nil
}

// Config returns the config that runs k on p: chosen before in this
// session, else from the tuning cache, else tuned now (Options.Tune).
func (s *Session) Config(k *kernels.Kernel, p kernels.Problem) (ir.Config, error) {
	key := k.Name + " " + p.String()
	s.mu.Lock()
	cfg, ok := s.configs[key]
	s.mu.Unlock()
	if ok {
		return cfg, nil
	}
	to := s.tuneOptions()
	switch {
	case s.opts.Tune == TuneOff:
	default:
		hit, ok, err := autotune.Cached(k, p, to)
		if err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
		if ok {
			cfg = hit
		} else if s.opts.Tune == TuneAuto {
			res, err := s.Tune(k, p)
			if err != nil {
				return nil, err
			}
			cfg = res.Best.Config
		}
	}
	if cfg == nil {
		d, err := k.DefaultConfig(p)
		if err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
		cfg = d
	}
	s.mu.Lock()
	s.configs[key] = cfg
	s.mu.Unlock()
	return cfg, nil
}

func (s *Session) tuneOptions() autotune.Options {
	return autotune.Options{Device: s.Kind(), Backend: s.opts.Backend, Target: s.opts.Target, Cache: s.cache}
}

// Tune tunes k for p on the session's kind of device now (every config
// checked against the reference; on the emulator, ranked by the cost
// model), stores the winner in the tuning cache and uses it from now on.
func (s *Session) Tune(k *kernels.Kernel, p kernels.Problem) (*autotune.Result, error) {
	to := s.tuneOptions()
	to.Refresh = true
	res, err := autotune.Tune(k, p, to)
	if err != nil {
		return nil, fmt.Errorf("session: tuning %s %s: %w", k.Name, p, err)
	}
	if s.opts.OnTune != nil {
		s.opts.OnTune(res)
	}
	if res.Best == nil {
		return nil, fmt.Errorf("session: tuning %s %s: no config passed its check", k.Name, p)
	}
	s.mu.Lock()
	s.configs[k.Name+" "+p.String()] = res.Best.Config
	s.mu.Unlock()
	return res, nil
}

// Run runs kernel k on problem p with the session's config for it, with
// the plan's buffers bound to tensors by name. Scratch buffers come from
// the session; every other buffer must be given, with the plan's dtype
// and shape.
func (s *Session) Run(k *kernels.Kernel, p kernels.Problem, bufs map[string]Tensor) error {
	return s.RunWith(k, p, func(cfg ir.Config) (*kernels.Plan, error) { return k.Plan(p, cfg) }, bufs)
}

// RunWith is Run with the plan built by plan from the config (for entry
// points whose plans take more than the problem, such as a softmax scale).
func (s *Session) RunWith(k *kernels.Kernel, p kernels.Problem, plan func(ir.Config) (*kernels.Plan, error), bufs map[string]Tensor) error {
	cfg, err := s.Config(k, p)
	if err != nil {
		return err
	}
	pl, err := plan(cfg)
	if err != nil {
		return err
	}
	return s.RunPlan(pl, bufs)
}

// RunPlan launches a plan with its buffers bound to tensors by name.
func (s *Session) RunPlan(plan *kernels.Plan, bufs map[string]Tensor) error {
	addrs := map[string]uint64{}
	var errs []error
	for name, t := range bufs {
		b := plan.Buffer(name)
		if b == nil {
			errs = append(errs, fmt.Errorf("the kernel has no buffer %s", name))
			continue
		}
		if err := t.fits(b); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		addrs[name] = uint64(t.Ptr)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("session: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("session: closed")
	}
	if err := kernels.Run(pooled{s.dev, s}, plan, addrs); err != nil {
		return fmt.Errorf("session: %w", err)
	}
	return nil
}

// pooled is the session's device with the plans' scratch allocations
// reused (s.mu is held while it is used).
type pooled struct {
	runtime.Device
	s *Session
}

func (p pooled) Alloc(name string, bytes int) (uint64, error) { return p.s.temp("plan."+name, bytes) }
func (p pooled) LaunchFunc(f *ir.Func, grid [3]int, args []any) error {
	return p.s.dev.LaunchFunc(f, grid, args)
}

// Specialize binds cfg to a DSL kernel (once per config).
func (s *Session) Specialize(f *ir.Func, cfg ir.Config) (*ir.Func, error) {
	key := specKey{f, cfg.String()}
	s.mu.Lock()
	defer s.mu.Unlock()
	if sf, ok := s.specs[key]; ok {
		return sf, nil
	}
	sf, err := ir.Specialize(f, cfg)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	s.specs[key] = sf
	return sf, nil
}

// Compile compiles a DSL kernel with cfg for the session's device and for
// arguments like args (their alignment and unit strides specialize it).
func (s *Session) Compile(f *ir.Func, cfg ir.Config, args ...any) (*tilec.Binary, error) {
	sf, err := s.Specialize(f, cfg)
	if err != nil {
		return nil, err
	}
	raw, err := rawArgs(args)
	if err != nil {
		return nil, err
	}
	b, err := s.dev.Binary(sf, raw)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	// A GPU's JIT compiles it now, so that what it refuses shows here.
	if l, ok := s.dev.Device.(runtime.Loader); ok {
		if _, err := l.Load(&b.Kernel); err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
	}
	return b, nil
}

// Launch compiles a DSL kernel with cfg (once per kind of arguments) and
// runs it over grid. Arguments follow the kernel's parameters: Tensor or
// runtime.DevicePtr for pointers, Go integers and floats for scalars.
func (s *Session) Launch(f *ir.Func, cfg ir.Config, grid [3]int, args ...any) error {
	sf, err := s.Specialize(f, cfg)
	if err != nil {
		return err
	}
	raw, err := rawArgs(args)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.dev.LaunchFunc(sf, grid, raw); err != nil {
		return fmt.Errorf("session: %w", err)
	}
	return nil
}

// rawArgs turns tensors and device pointers into addresses.
func rawArgs(args []any) ([]any, error) {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case Tensor:
			out[i] = uint64(v.Ptr)
		case runtime.DevicePtr:
			out[i] = uint64(v)
		case int:
			out[i] = int64(v)
		case int32:
			out[i] = int64(v)
		case int64, uint64, float64:
			out[i] = v
		case float32:
			out[i] = float64(v)
		default:
			return nil, fmt.Errorf("session: argument %d: %T is not a tensor, pointer, integer or float", i, a)
		}
	}
	return out, nil
}
