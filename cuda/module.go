package cuda

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// OptLevel is a ptxas optimization level for JITOptions.
type OptLevel int

// Optimization levels. The zero value leaves the driver's default (O4).
const (
	OptDefault OptLevel = iota
	OptO0
	OptO1
	OptO2
	OptO3
	OptO4
)

// JITOptions are the options of LoadModule. The zero value compiles with the
// driver's defaults.
type JITOptions struct {
	MaxRegisters      int      // CU_JIT_MAX_REGISTERS per thread; 0: no limit
	OptLevel          OptLevel // CU_JIT_OPTIMIZATION_LEVEL
	GenerateLineInfo  bool     // CU_JIT_GENERATE_LINE_INFO
	GenerateDebugInfo bool     // CU_JIT_GENERATE_DEBUG_INFO
	// Verbose asks ptxas to report each function's registers, spills and
	// shared memory in the info log (CU_JIT_LOG_VERBOSE).
	Verbose bool
	// LogSize is the size of each log buffer in bytes; 0: 64 KiB.
	LogSize int
}

// defaultLogSize holds the longest JIT logs seen in practice (a verbose log
// of a module with dozens of kernels).
const defaultLogSize = 64 << 10

// Module is PTX compiled and loaded into a context.
type Module struct {
	ctx         *Context
	h           uintptr // CUmodule
	infoLog     string
	compileTime time.Duration
}

// LoadModule JIT-compiles PTX for the context's device and loads it
// (cuModuleLoadDataEx). The driver's error and info logs are collected: on
// failure the error is a *JITError carrying them and the PTX line they name;
// on success the info log is kept (Module.InfoLog), with JITOptions.Verbose
// it reports registers and spills.
func (c *Context) LoadModule(ptx []byte, opts *JITOptions) (*Module, error) {
	if opts == nil {
		opts = &JITOptions{}
	}
	logSize := opts.LogSize
	if logSize <= 0 {
		logSize = defaultLogSize
	}
	// The driver reads PTX as a C string.
	image := ptx
	if len(image) == 0 || image[len(image)-1] != 0 {
		image = make([]byte, len(ptx)+1)
		copy(image, ptx)
	}
	errLog := make([]byte, logSize)
	infoLog := make([]byte, logSize)

	// Integer option values travel in the void* slots themselves; the log
	// buffer options hold pointers; the size and wall-time slots are written
	// back by the driver.
	var keys []JITOption
	var vals []uintptr
	add := func(k JITOption, v uintptr) int {
		keys = append(keys, k)
		vals = append(vals, v)
		return len(vals) - 1
	}
	add(JITErrorLogBuffer, uintptr(unsafe.Pointer(&errLog[0])))
	errSize := add(JITErrorLogBufferSizeBytes, uintptr(logSize))
	add(JITInfoLogBuffer, uintptr(unsafe.Pointer(&infoLog[0])))
	infoSize := add(JITInfoLogBufferSizeBytes, uintptr(logSize))
	wall := add(JITWallTime, 0)
	if opts.MaxRegisters > 0 {
		add(JITMaxRegisters, uintptr(opts.MaxRegisters))
	}
	if opts.OptLevel != OptDefault {
		if opts.OptLevel < OptO0 || opts.OptLevel > OptO4 {
			return nil, fmt.Errorf("cuda: JIT optimization level %d out of range", opts.OptLevel)
		}
		add(JITOptimizationLevel, uintptr(opts.OptLevel-OptO0))
	}
	if opts.GenerateLineInfo {
		add(JITGenerateLineInfo, 1)
	}
	if opts.GenerateDebugInfo {
		add(JITGenerateDebugInfo, 1)
	}
	if opts.Verbose {
		add(JITLogVerbose, 1)
	}
	// vals holds pointers to Go memory as integers, invisible to the
	// collector: pin the buffers so they stay put and alive through the call.
	var pin runtime.Pinner
	defer pin.Unpin()
	pin.Pin(&errLog[0])
	pin.Pin(&infoLog[0])

	var h uintptr
	err := c.do(func() error {
		return c.d.call(symModuleLoadDataEx, uintptr(unsafe.Pointer(&h)), uintptr(unsafe.Pointer(&image[0])),
			uintptr(len(keys)), uintptr(unsafe.Pointer(&keys[0])), uintptr(unsafe.Pointer(&vals[0])))
	})
	elog := logText(errLog, vals[errSize])
	ilog := logText(infoLog, vals[infoSize])
	if err != nil {
		var ce *Error
		if !errors.As(err, &ce) {
			return nil, err
		}
		ds := parseDiagnostics(elog + "\n" + ilog)
		return nil, &JITError{Err: ce, ErrorLog: elog, InfoLog: ilog, Diagnostics: ds, Line: firstErrorLine(ds)}
	}
	m := &Module{ctx: c, h: h, infoLog: ilog}
	if elog != "" { // warnings
		m.infoLog = strings.TrimSpace(ilog + "\n" + elog)
	}
	// CU_JIT_WALL_TIME comes back as a float in the slot's low 32 bits.
	if ms := math.Float32frombits(uint32(vals[wall])); ms > 0 && !math.IsInf(float64(ms), 0) {
		m.compileTime = time.Duration(float64(ms) * float64(time.Millisecond))
	}
	return m, nil
}

// logText returns the text the driver wrote into a log buffer: up to the
// size it reported back (in the slot's low 32 bits) and the first NUL.
func logText(buf []byte, reported uintptr) string {
	if n := int(uint32(reported)); n >= 0 && n < len(buf) {
		buf = buf[:n]
	}
	if i := bytes.IndexByte(buf, 0); i >= 0 {
		buf = buf[:i]
	}
	return strings.TrimSpace(string(buf))
}

// Handle returns the CUmodule.
func (m *Module) Handle() uintptr { return m.h }

// InfoLog returns the JIT's info log (and any warnings) from loading.
func (m *Module) InfoLog() string { return m.infoLog }

// CompileTime returns the JIT compile time the driver reported
// (CU_JIT_WALL_TIME), or 0 if it reported none.
func (m *Module) CompileTime() time.Duration { return m.compileTime }

// Unload unloads the module (cuModuleUnload); its functions become invalid.
func (m *Module) Unload() error {
	return m.ctx.do(func() error { return m.ctx.d.call(symModuleUnload, m.h) })
}

// Function returns the kernel (.entry) called name (cuModuleGetFunction).
func (m *Module) Function(name string) (*Function, error) {
	cname := append([]byte(name), 0)
	var h uintptr
	err := m.ctx.do(func() error {
		return m.ctx.d.call(symModuleGetFunction, uintptr(unsafe.Pointer(&h)), m.h, uintptr(unsafe.Pointer(&cname[0])))
	})
	if err != nil {
		return nil, fmt.Errorf("cuda: kernel %q: %w", name, err)
	}
	return &Function{mod: m, name: name, h: h}, nil
}

// Function is a kernel of a loaded module.
type Function struct {
	mod  *Module
	name string
	h    uintptr // CUfunction

	paramsOnce sync.Once
	params     []Param // nil when unknown
}

// Name returns the kernel's name.
func (f *Function) Name() string { return f.name }

// Handle returns the CUfunction.
func (f *Function) Handle() uintptr { return f.h }

// Attribute reads one CUfunction_attribute (cuFuncGetAttribute).
func (f *Function) Attribute(a FunctionAttribute) (int, error) {
	var v int32
	c := f.mod.ctx
	err := c.do(func() error { return c.d.call(symFuncGetAttribute, uintptr(unsafe.Pointer(&v)), uintptr(a), f.h) })
	if err != nil {
		return 0, fmt.Errorf("cuda: kernel %q attribute %d: %w", f.name, a, err)
	}
	return int(v), nil
}

// SetAttribute sets one CUfunction_attribute (cuFuncSetAttribute).
func (f *Function) SetAttribute(a FunctionAttribute, v int) error {
	c := f.mod.ctx
	err := c.do(func() error { return c.d.call(symFuncSetAttribute, f.h, uintptr(a), uintptr(int64(v))) })
	if err != nil {
		return fmt.Errorf("cuda: kernel %q set attribute %d to %d: %w", f.name, a, v, err)
	}
	return nil
}

// SetMaxDynamicSharedMemory opts the kernel in to bytes of dynamic shared
// memory per block; launches asking for more than 48 KiB need it. The
// device's limit is Props.SharedMemPerBlockOptin minus the kernel's static
// shared memory.
func (f *Function) SetMaxDynamicSharedMemory(bytes int) error {
	return f.SetAttribute(FuncAttrMaxDynamicSharedSizeBytes, bytes)
}

// FuncAttributes are a compiled kernel's resource usage and limits.
type FuncAttributes struct {
	NumRegs                   int // registers per thread
	LocalSizeBytes            int // local memory per thread: register spills and stack arrays
	SharedSizeBytes           int // static shared memory per block
	ConstSizeBytes            int // user constant memory
	MaxThreadsPerBlock        int // the most threads a block of this kernel can have
	MaxDynamicSharedSizeBytes int // current dynamic shared memory limit
	PTXVersion                int // 10*major+minor of the PTX ISA it was written in
	BinaryVersion             int // 10*major+minor of the SASS it was compiled to
}

// Attributes reads every field of FuncAttributes.
func (f *Function) Attributes() (FuncAttributes, error) {
	var a FuncAttributes
	fields := []struct {
		dst  *int
		attr FunctionAttribute
	}{
		{&a.NumRegs, FuncAttrNumRegs},
		{&a.LocalSizeBytes, FuncAttrLocalSizeBytes},
		{&a.SharedSizeBytes, FuncAttrSharedSizeBytes},
		{&a.ConstSizeBytes, FuncAttrConstSizeBytes},
		{&a.MaxThreadsPerBlock, FuncAttrMaxThreadsPerBlock},
		{&a.MaxDynamicSharedSizeBytes, FuncAttrMaxDynamicSharedSizeBytes},
		{&a.PTXVersion, FuncAttrPTXVersion},
		{&a.BinaryVersion, FuncAttrBinaryVersion},
	}
	for _, fl := range fields {
		v, err := f.Attribute(fl.attr)
		if err != nil {
			return a, err
		}
		*fl.dst = v
	}
	return a, nil
}

// Param is the place of one kernel parameter in the parameter buffer.
type Param struct {
	Offset, Size int // bytes
}

// maxParams bounds the parameter scan: a kernel's parameters take at most
// 32764 bytes (CUDA 12.1+), so at most that many parameters.
const maxParams = 32764

// Params returns the kernel's parameter layout (cuFuncGetParamInfo, CUDA
// 12.4+). On older drivers the error wraps ErrNotSupported.
func (f *Function) Params() ([]Param, error) {
	if f.mod.ctx.d.fn[symFuncGetParamInfo] == 0 {
		return nil, fmt.Errorf("cuda: kernel %q parameters: cuFuncGetParamInfo needs CUDA 12.4+: %w", f.name, ErrNotSupported)
	}
	c := f.mod.ctx
	ps := []Param{}
	err := c.do(func() error {
		for i := range maxParams {
			var off, size uint64 // size_t
			err := c.d.call(symFuncGetParamInfo, f.h, uintptr(i), uintptr(unsafe.Pointer(&off)), uintptr(unsafe.Pointer(&size)))
			if errors.Is(err, ErrInvalidValue) {
				return nil // past the last parameter
			}
			if err != nil {
				return err
			}
			ps = append(ps, Param{Offset: int(off), Size: int(size)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cuda: kernel %q parameters: %w", f.name, err)
	}
	return ps, nil
}

// paramLayout returns the parameter layout Launch checks arguments against,
// or nil when the driver cannot tell it (then Launch trusts the caller).
func (f *Function) paramLayout() []Param {
	f.paramsOnce.Do(func() {
		if ps, err := f.Params(); err == nil {
			f.params = ps
		}
	})
	return f.params
}
