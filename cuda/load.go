package cuda

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"unsafe"
)

// LibName is the file name (soname) of the NVIDIA driver library.
const LibName = "libcuda.so.1"

// EnvLibCUDA names the environment variable that overrides the search: when
// it is set, only the path it holds is tried.
const EnvLibCUDA = "TILEC_LIBCUDA"

// SearchDirs are the directories tried, in order, after the dynamic loader's
// own search for LibName fails: where NVIDIA's container toolkit mounts the
// driver, the Debian/Ubuntu multiarch directory of this architecture, the
// RPM-style lib64, and WSL's driver directory.
func SearchDirs() []string {
	multiarch := "/usr/lib/x86_64-linux-gnu"
	if runtime.GOARCH == "arm64" {
		multiarch = "/usr/lib/aarch64-linux-gnu"
	}
	return []string{"/usr/local/nvidia/lib64", multiarch, "/usr/lib64", "/usr/lib/wsl/lib"}
}

// candidates lists what Open("") tries, in order.
func candidates() []string {
	if p := os.Getenv(EnvLibCUDA); p != "" {
		return []string{p}
	}
	c := []string{LibName} // a bare name: the dynamic loader searches
	for _, dir := range SearchDirs() {
		c = append(c, filepath.Join(dir, LibName))
	}
	return c
}

// Driver is a loaded libcuda with its entry points bound and cuInit done.
// It is safe for concurrent use.
type Driver struct {
	file  string // the file loaded (resolved with dladdr when possible)
	lib   uintptr
	fn    [numSyms]uintptr // entry points; 0 for a missing optional one
	bound [numSyms]string  // the symbol each entry point was bound to
}

var (
	loadOnce   sync.Once
	loadDriver *Driver
	loadErr    error
)

// Load returns the process's driver: the first call searches as Open("")
// does, later calls return the same result. A machine without the driver
// gets a *NotFoundError listing every path tried.
func Load() (*Driver, error) {
	loadOnce.Do(func() { loadDriver, loadErr = Open("") })
	return loadDriver, loadErr
}

// Open loads the driver from path, or, when path is "", searches: the value
// of TILEC_LIBCUDA alone when it is set, else LibName through the dynamic
// loader and then in each of SearchDirs. It binds every entry point of the
// symbol table and calls cuInit(0).
//
// Errors: *NotFoundError when no candidate loads (each attempt says why: the
// loader's message, or a *SymbolError for a library that lacks required
// symbols, or the stub library's cuInit error); *InitError when a driver
// loads but cuInit fails (no device, driver/kernel-module mismatch, ...).
//
// A loaded library is never unloaded: the NVIDIA driver does not support it.
func Open(path string) (*Driver, error) {
	paths := []string{path}
	if path == "" {
		paths = candidates()
	}
	nf := &NotFoundError{}
	for _, p := range paths {
		d, err := openOne(p)
		if err == nil {
			return d, nil
		}
		// A real driver whose cuInit fails ends the search: another copy of
		// the same driver would fail the same way. The toolkit's link stub
		// (libcuda.so from .../stubs) is no driver: keep looking.
		var ie *InitError
		if errors.As(err, &ie) && !errors.Is(err, ErrStubLibrary) {
			return nil, err
		}
		nf.Tried = append(nf.Tried, Attempt{Path: p, Err: err})
	}
	return nil, nf
}

// openOne loads one candidate.
func openOne(path string) (*Driver, error) {
	lib, err := dlopen(path)
	if err != nil {
		// dlerror usually starts with the path; Attempt prints it already.
		msg := strings.TrimPrefix(err.Error(), path+": ")
		return nil, errors.New(msg)
	}
	d := &Driver{lib: lib, file: path}
	var missing []string
	for s := range numSyms {
		spec := symbols[s]
		for _, name := range spec.names {
			if p := dlsym(lib, name); p != 0 {
				d.fn[s], d.bound[s] = p, name
				break
			}
		}
		if d.fn[s] == 0 && !spec.optional {
			missing = append(missing, strings.Join(spec.names, " or "))
		}
	}
	if len(missing) > 0 {
		dlclose(lib) // nothing of it was called yet
		return nil, &SymbolError{Path: path, Missing: missing}
	}
	if f := libraryFile(d.fn[symInit]); f != "" {
		d.file = f
	}
	if err := d.call(symInit, 0); err != nil {
		v, _ := d.DriverVersion()
		return nil, &InitError{Path: d.file, Version: v, Err: err}
	}
	return d, nil
}

// Path returns the file the driver was loaded from.
func (d *Driver) Path() string { return d.file }

// DriverVersion returns the CUDA version the driver supports, as
// cuDriverGetVersion reports it: 1000*major + 10*minor (13000 for 13.0).
func (d *Driver) DriverVersion() (int, error) {
	var v int32
	if err := d.call(symDriverGetVersion, uintptr(unsafe.Pointer(&v))); err != nil {
		return 0, err
	}
	return int(v), nil
}

// VersionString formats a cuDriverGetVersion number as "13.0".
func VersionString(v int) string { return fmt.Sprintf("%d.%d", v/1000, v%1000/10) }

// NotFoundError says that no candidate library could be loaded.
type NotFoundError struct {
	Tried []Attempt // in search order
}

// Attempt is one library Open tried and why it failed.
type Attempt struct {
	Path string
	Err  error
}

// Error lists every attempt.
func (e *NotFoundError) Error() string {
	var b strings.Builder
	b.WriteString("cuda: cannot load the NVIDIA driver (" + LibName + "); tried:")
	for i, a := range e.Tried {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %s (%v)", a.Path, a.Err)
	}
	return b.String()
}

// SymbolError says that a library loaded but lacks required entry points.
type SymbolError struct {
	Path    string
	Missing []string // symbol names; alternatives joined with " or "
}

// Error names the missing symbols.
func (e *SymbolError) Error() string {
	return fmt.Sprintf("%s lacks %s", e.Path, strings.Join(e.Missing, ", "))
}

// InitError says that the driver loaded but cuInit failed.
type InitError struct {
	Path    string // the library
	Version int    // cuDriverGetVersion, which works without cuInit; 0 if it failed too
	Err     error  // the *Error of cuInit
}

// Error names the library, its version and cuInit's error.
func (e *InitError) Error() string {
	return fmt.Sprintf("cuda: %s (driver version %s): %v", e.Path, VersionString(e.Version), e.Err)
}

// Unwrap returns cuInit's error.
func (e *InitError) Unwrap() error { return e.Err }
