//go:build !(linux || darwin || freebsd || netbsd)

package cuda

import (
	"errors"
	"runtime"
)

// errNoDlopen is what loading reports on platforms where purego cannot dlopen.
var errNoDlopen = errors.New("loading libcuda is not supported on " + runtime.GOOS)

func dlopen(string) (uintptr, error) { return 0, errNoDlopen }

func dlclose(uintptr) {}

func dlsym(uintptr, string) uintptr { return 0 }

// syscallN is never reached here (no library can be opened); it reports
// CUDA_ERROR_NOT_SUPPORTED rather than panicking.
func syscallN(uintptr, ...uintptr) uintptr { return uintptr(ErrNotSupported) }

func libraryFile(uintptr) string { return "" }
