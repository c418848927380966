package autotune

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tilec/tilec"
	"github.com/tilec/tilec/ir"
	"github.com/tilec/tilec/kernels"
)

// Cache keeps tuning results on disk, one JSON file per key in a
// directory (os.UserCacheDir()/tilec/tune by default). Writes are atomic
// (a temporary file renamed over the old one), so a reader never sees half
// a file; a file that does not parse, or that another tilec version or key
// wrote, is ignored with a warning and replaced on the next write.
type Cache struct {
	Dir string
	// Warn receives the warnings (nil: dropped).
	Warn func(msg string)
}

// DefaultCacheDir is os.UserCacheDir()/tilec/tune.
func DefaultCacheDir() (string, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache directory: %w", err)
	}
	return filepath.Join(d, "tilec", "tune"), nil
}

// OpenCache returns the cache in dir ("" for the default).
func OpenCache(dir string) (*Cache, error) {
	if dir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	return &Cache{Dir: dir}, nil
}

// Key identifies a tuning problem.
type Key struct {
	Kernel   string
	IRHash   string // sha256 of the kernel's generic IR: a changed kernel retunes
	Version  string // tilec's
	Device   string // name, compute capability, driver version (or the emulator)
	Problem  string // sizes and dtype
	Compiler string // backend and target
}

func (k Key) file() string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%+v", k)))
	return hex.EncodeToString(h[:16]) + ".json"
}

// entry is a cache file.
type entry struct {
	Key      Key
	Config   ir.Config
	Median   time.Duration
	Samples  int
	Estimate time.Duration
	Saved    time.Time
}

func (c *Cache) warn(format string, args ...any) {
	if c.Warn != nil {
		c.Warn(fmt.Sprintf(format, args...))
	}
}

// Get returns the cached winner for key.
func (c *Cache) Get(k Key) (*Candidate, bool) {
	path := filepath.Join(c.Dir, k.file())
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false
	}
	if err != nil {
		c.warn("tuning cache: reading %s: %v", path, err)
		return nil, false
	}
	var e entry
	if err := json.Unmarshal(b, &e); err != nil {
		c.warn("tuning cache: ignoring %s, which does not parse (%v)", path, err)
		return nil, false
	}
	if e.Key != k || len(e.Config) == 0 {
		c.warn("tuning cache: ignoring %s, which holds another key", path)
		return nil, false
	}
	return &Candidate{Config: e.Config, Status: Selected, Median: e.Median, Samples: e.Samples, Estimate: e.Estimate}, true
}

// Put stores the winner for key atomically.
func (c *Cache) Put(k Key, best *Candidate) error {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(entry{Key: k, Config: best.Config, Median: best.Median, Samples: best.Samples,
		Estimate: best.Estimate, Saved: time.Now().UTC()}, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.Dir, ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(c.Dir, k.file()))
}

// Entry is a cached result as List shows it.
type Entry struct {
	File   string
	Key    Key
	Config ir.Config
	Median time.Duration
	Saved  time.Time
	Err    string // why the file is unreadable, if it is
}

// List returns every entry, sorted by kernel and problem.
func (c *Cache) List() ([]Entry, error) {
	files, err := filepath.Glob(filepath.Join(c.Dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, f := range files {
		b, err := os.ReadFile(f)
		var e entry
		if err == nil {
			err = json.Unmarshal(b, &e)
		}
		en := Entry{File: f, Key: e.Key, Config: e.Config, Median: e.Median, Saved: e.Saved}
		if err != nil {
			en.Err = err.Error()
		}
		out = append(out, en)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key.Kernel != out[j].Key.Kernel {
			return out[i].Key.Kernel < out[j].Key.Kernel
		}
		return out[i].Key.Problem < out[j].Key.Problem
	})
	return out, nil
}

// Clear removes every cache file; it returns how many.
func (c *Cache) Clear() (int, error) {
	files, err := filepath.Glob(filepath.Join(c.Dir, "*.json"))
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, f := range files {
		errs = append(errs, os.Remove(f))
	}
	return len(files), errors.Join(errs...)
}

// cacheKey builds the key of a tuning problem on a device.
func cacheKey(k *kernels.Kernel, p kernels.Problem, dev *tuner) (Key, error) {
	cfg, err := k.DefaultConfig(p)
	if err != nil {
		return Key{}, err
	}
	plan, err := k.Plan(p, cfg)
	if err != nil {
		return Key{}, err
	}
	h := sha256.New()
	seen := map[*ir.Func]bool{}
	for _, l := range plan.Launches {
		if !seen[l.Kernel] {
			seen[l.Kernel] = true
			_, _ = io.WriteString(h, l.Kernel.String())
		}
	}
	return Key{Kernel: k.Name, IRHash: hex.EncodeToString(h.Sum(nil)[:16]), Version: tilec.Version,
		Device: dev.identity(), Problem: strings.TrimSpace(p.String()), Compiler: dev.compiler()}, nil
}
