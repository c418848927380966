package cuda

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unsafe"
)

// Error is a driver call that returned something other than CUDA_SUCCESS.
// errors.Is(err, cuda.ErrX) compares its Code.
type Error struct {
	Call        string // the C symbol that failed, e.g. "cuMemAlloc_v2"
	Code        Result
	Name        string // from cuGetErrorName, e.g. "CUDA_ERROR_OUT_OF_MEMORY"
	Description string // from cuGetErrorString, e.g. "out of memory"
}

// Error formats e as "call: NAME (code): description".
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s (%d): %s", e.Call, e.Name, int32(e.Code), e.Description)
}

// Unwrap returns the Result, so errors.Is(err, cuda.ErrInvalidPTX) works.
func (e *Error) Unwrap() error { return e.Code }

// call invokes entry point s with args and turns a failed CUresult into an
// *Error. Callers convert pointers in the argument list itself, as in
// d.call(symX, uintptr(unsafe.Pointer(&v))): uintptrescapes then keeps the
// pointed-to memory on the heap and alive until the C call returns.
//
//go:uintptrescapes
func (d *Driver) call(s sym, args ...uintptr) error {
	f := d.fn[s]
	if f == 0 {
		return fmt.Errorf("cuda: %s: %w (%s exports none of %s)",
			symbols[s].api, ErrNotSupported, d.file, strings.Join(symbols[s].names, ", "))
	}
	// CUresult is a 32-bit C enum: only the low half of the return register
	// is defined.
	r := Result(int32(uint32(syscallN(f, args...))))
	if r == Success {
		return nil
	}
	return d.newError(d.bound[s], r)
}

// newError builds the *Error for r, asking the driver for its name and text.
func (d *Driver) newError(call string, r Result) *Error {
	e := &Error{Call: call, Code: r, Name: r.String(), Description: "no description from the driver"}
	var p *byte
	if d.fn[symGetErrorName] != 0 &&
		syscallN(d.fn[symGetErrorName], uintptr(r), uintptr(unsafe.Pointer(&p))) == 0 && p != nil {
		e.Name = gostring(p)
	}
	p = nil
	if d.fn[symGetErrorString] != 0 &&
		syscallN(d.fn[symGetErrorString], uintptr(r), uintptr(unsafe.Pointer(&p))) == 0 && p != nil {
		e.Description = gostring(p)
	}
	return e
}

// gostring copies the NUL-terminated C string at p (C memory, which the Go
// collector ignores).
func gostring(p *byte) string {
	if p == nil {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return string(unsafe.Slice(p, n))
}

// JITError is a failed cuModuleLoadDataEx: the driver's error, the JIT logs,
// and the diagnostics parsed from them.
type JITError struct {
	Err      *Error
	ErrorLog string // CU_JIT_ERROR_LOG_BUFFER, trimmed
	InfoLog  string // CU_JIT_INFO_LOG_BUFFER, trimmed
	// Diagnostics are the ptxas messages that name a PTX line, in log order.
	Diagnostics []Diagnostic
	// Line is the PTX line (1-based) of the first error diagnostic, or of the
	// first diagnostic if none is an error; 0 when the log names no line.
	Line int
}

// Diagnostic is one ptxas message of the form
// "ptxas application ptx input, line 42; error   : message".
type Diagnostic struct {
	Line     int    // 1-based line in the PTX text
	Severity string // "error", "warning" or "fatal"
	Message  string
}

// Error formats e as the driver error followed by the JIT error log.
func (e *JITError) Error() string {
	if e.ErrorLog == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.ErrorLog
}

// Unwrap returns the driver error.
func (e *JITError) Unwrap() error { return e.Err }

// ptxasLine matches the messages ptxas (inside the driver's JIT) writes.
var ptxasLine = regexp.MustCompile(`(?m)ptx input, line (\d+); (error|warning|fatal)\s*:\s*(.*?)\s*$`)

// parseDiagnostics extracts the line-numbered ptxas messages from a JIT log.
func parseDiagnostics(log string) []Diagnostic {
	var ds []Diagnostic
	for _, m := range ptxasLine.FindAllStringSubmatch(log, -1) {
		line, err := strconv.Atoi(m[1])
		if err != nil {
			continue
		}
		ds = append(ds, Diagnostic{Line: line, Severity: m[2], Message: m[3]})
	}
	return ds
}

// firstErrorLine picks the line JITError.Line reports.
func firstErrorLine(ds []Diagnostic) int {
	for _, d := range ds {
		if d.Severity != "warning" {
			return d.Line
		}
	}
	if len(ds) > 0 {
		return ds[0].Line
	}
	return 0
}
