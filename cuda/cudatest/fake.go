//go:build linux

package cudatest

import (
	"fmt"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Fake gives access to the test-only fake_* functions of a loaded fake
// driver: what the last launch and module load received, live object
// counts, and error injection.
type Fake struct {
	Path  string
	lib   uintptr
	hooks map[string]uintptr
}

// hookNames are the test-only functions fakecuda.c exports.
var hookNames = []string{
	"fake_fail", "fake_last_launch", "fake_launch_count", "fake_jit_option",
	"fake_live", "fake_primary_refs", "fake_elapsed_calls", "fake_last_param_ptr",
}

// OpenFake opens the fake driver at path (the same library instance the
// code under test loads from that path).
func OpenFake(path string) (*Fake, error) {
	lib, err := purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
	if err != nil {
		return nil, fmt.Errorf("cudatest: open fake driver: %w", err)
	}
	f := &Fake{Path: path, lib: lib, hooks: map[string]uintptr{}}
	for _, name := range hookNames {
		p, err := purego.Dlsym(lib, name)
		if err != nil {
			return nil, fmt.Errorf("cudatest: %s is not the fake driver: %w", path, err)
		}
		f.hooks[name] = p
	}
	return f, nil
}

// hook calls one of the fake's test-only functions (resolved by OpenFake).
//
//go:uintptrescapes
func (f *Fake) hook(name string, args ...uintptr) uintptr {
	r, _, _ := purego.SyscallN(f.hooks[name], args...)
	return r
}

// Sym returns the address of an exported symbol of the fake, or 0.
func (f *Fake) Sym(name string) uintptr {
	p, err := purego.Dlsym(f.lib, name)
	if err != nil {
		return 0
	}
	return p
}

// Call calls an exported driver function of the fake directly, the way
// other CUDA code would, and returns its CUresult.
//
//go:uintptrescapes
func (f *Fake) Call(name string, args ...uintptr) (int32, error) {
	fn := f.Sym(name)
	if fn == 0 {
		return 0, fmt.Errorf("cudatest: the fake driver has no %s", name)
	}
	r, _, _ := purego.SyscallN(fn, args...)
	return int32(uint32(r)), nil
}

// Fail makes the next times calls of the driver function name (its exported
// symbol, e.g. "cuMemAlloc_v2") return code.
func (f *Fake) Fail(name string, code int32, times int) {
	c := append([]byte(name), 0)
	f.hook("fake_fail", uintptr(unsafe.Pointer(&c[0])), uintptr(code), uintptr(times))
}

// Launch is what the fake's cuLaunchKernel received.
type Launch struct {
	Grid, Block [3]uint32
	SharedBytes uint32
	Stream      uintptr // CUstream
	Func        uintptr // CUfunction
	NParams     int
	// Params are the bytes read through each kernelParams pointer, each
	// parameter's size as the kernel's .param list declares it, concatenated
	// without padding.
	Params []byte
	// ParamPtrs are the kernelParams pointers themselves (addresses in the
	// caller's memory, valid only during the launch): their alignment is
	// what a test can check.
	ParamPtrs []uintptr
}

// LastLaunch returns the most recent launch.
func (f *Fake) LastLaunch() Launch {
	var dims [7]uint32
	var stream, fn uint64
	var nparams int32
	buf := make([]byte, 4096)
	n := int(int32(uint32(f.hook("fake_last_launch", uintptr(unsafe.Pointer(&dims[0])), uintptr(unsafe.Pointer(&stream)),
		uintptr(unsafe.Pointer(&fn)), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), uintptr(unsafe.Pointer(&nparams))))))
	ptrs := make([]uintptr, nparams)
	for i := range ptrs {
		ptrs[i] = f.hook("fake_last_param_ptr", uintptr(i))
	}
	return Launch{
		ParamPtrs:   ptrs,
		Grid:        [3]uint32{dims[0], dims[1], dims[2]},
		Block:       [3]uint32{dims[3], dims[4], dims[5]},
		SharedBytes: dims[6],
		Stream:      uintptr(stream),
		Func:        uintptr(fn),
		NParams:     int(nparams),
		Params:      buf[:min(n, len(buf))],
	}
}

// LaunchCount returns the number of successful launches so far.
func (f *Fake) LaunchCount() int { return int(int32(uint32(f.hook("fake_launch_count")))) }

// JITOption returns the value the last cuModuleLoadDataEx call passed for
// option opt (a CUjit_option), and whether it passed one.
func (f *Fake) JITOption(opt int32) (uint64, bool) {
	var v uint64
	ok := uint32(f.hook("fake_jit_option", uintptr(opt), uintptr(unsafe.Pointer(&v)))) != 0
	return v, ok
}

// Live returns the number of device allocations, streams and events not yet
// freed or destroyed.
func (f *Fake) Live() (allocs, streams, events int) {
	return int(f.hook("fake_live", 0)), int(f.hook("fake_live", 1)), int(f.hook("fake_live", 2))
}

// PrimaryRefs returns the retain count of device dev's primary context.
func (f *Fake) PrimaryRefs(dev int) int {
	return int(int32(uint32(f.hook("fake_primary_refs", uintptr(dev)))))
}

// ElapsedCalls returns how often cuEventElapsedTime_v2 (v2) or
// cuEventElapsedTime was called.
func (f *Fake) ElapsedCalls(v2 bool) int {
	a := uintptr(0)
	if v2 {
		a = 1
	}
	return int(int32(uint32(f.hook("fake_elapsed_calls", a))))
}
