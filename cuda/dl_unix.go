//go:build linux || darwin || freebsd || netbsd

package cuda

import (
	"runtime"
	"unsafe"

	"github.com/ebitengine/purego"
)

// dlopen loads the shared library at path (a bare name goes through the
// dynamic loader's search: LD_LIBRARY_PATH, ld.so.cache, /lib, /usr/lib).
func dlopen(path string) (uintptr, error) {
	// dlerror's message is per OS thread: keep dlopen and purego's dlerror
	// call on the same one.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return purego.Dlopen(path, purego.RTLD_NOW|purego.RTLD_GLOBAL)
}

// dlclose drops a reference taken by dlopen.
func dlclose(h uintptr) { _ = purego.Dlclose(h) }

// dlsym returns the address of name in the library h, or 0.
func dlsym(h uintptr, name string) uintptr {
	p, err := purego.Dlsym(h, name)
	if err != nil {
		return 0
	}
	return p
}

// syscallN calls the C function fn with integer and pointer arguments and
// returns its integer result. purego places arguments as the platform's C ABI
// does: on amd64 the first 6 in registers and the rest on the stack, on arm64
// the first 8 in registers; up to 32 in all (purego v0.11's maxArgs).
//
//go:uintptrescapes
func syscallN(fn uintptr, args ...uintptr) uintptr {
	r1, _, _ := purego.SyscallN(fn, args...)
	return r1
}

// dlInfo is glibc's Dl_info, filled in by dladdr.
type dlInfo struct {
	fname *byte
	fbase uintptr
	sname *byte
	saddr uintptr
}

// libraryFile returns the file the code at addr was loaded from (found with
// dladdr), or "" when that cannot be told. It lets Driver.Path name the file
// the loader picked for "libcuda.so.1".
func libraryFile(addr uintptr) string {
	dladdr := dlsym(purego.RTLD_DEFAULT, "dladdr")
	if dladdr == 0 || addr == 0 {
		return ""
	}
	var info dlInfo
	if r, _, _ := purego.SyscallN(dladdr, addr, uintptr(unsafe.Pointer(&info))); r == 0 {
		return ""
	}
	return gostring(info.fname)
}
