package cuda

// sym names one driver entry point; it indexes Driver.fn.
type sym int

// The driver entry points this package calls. symbols below is the single
// place that says which C symbol binds each one.
const (
	symInit sym = iota
	symDriverGetVersion
	symGetErrorName
	symGetErrorString

	symDeviceGetCount
	symDeviceGet
	symDeviceGetName
	symDeviceGetAttribute
	symDeviceTotalMem

	symDevicePrimaryCtxRetain
	symDevicePrimaryCtxRelease
	symCtxSetCurrent
	symCtxGetCurrent
	symCtxSynchronize

	symModuleLoadDataEx
	symModuleUnload
	symModuleGetFunction
	symFuncGetAttribute
	symFuncSetAttribute
	symFuncGetParamInfo
	symLaunchKernel

	symMemAlloc
	symMemFree
	symMemGetInfo
	symMemcpyHtoD
	symMemcpyDtoH
	symMemcpyDtoD
	symMemcpyHtoDAsync
	symMemcpyDtoHAsync
	symMemcpyDtoDAsync
	symMemsetD8
	symMemsetD32
	symMemsetD8Async
	symMemsetD32Async

	symStreamCreate
	symStreamDestroy
	symStreamSynchronize
	symEventCreate
	symEventDestroy
	symEventRecord
	symEventSynchronize
	symEventElapsedTime

	symTensorMapEncodeTiled

	numSyms
)

// symbolSpec says how one entry point is bound.
type symbolSpec struct {
	// api is the name a C program writes (and cuda.h may #define to a
	// versioned symbol).
	api string
	// names are the exported symbols to try, in order. The first is the one
	// CUDA 13.0's cuda.h maps api to; later ones are fallbacks for older
	// drivers that lack it.
	names []string
	// optional entry points may be missing: the feature that needs one
	// reports an error, everything else works.
	optional bool
}

// symbols binds every sym. Versioned names are those cuda.h (CUDA 13.0)
// #defines the API name to; where cuda.h has no #define the plain name is the
// symbol. Open fails, naming what is missing, when a required one is absent.
var symbols = [numSyms]symbolSpec{
	symInit:             {api: "cuInit", names: []string{"cuInit"}},
	symDriverGetVersion: {api: "cuDriverGetVersion", names: []string{"cuDriverGetVersion"}},
	symGetErrorName:     {api: "cuGetErrorName", names: []string{"cuGetErrorName"}},
	symGetErrorString:   {api: "cuGetErrorString", names: []string{"cuGetErrorString"}},

	symDeviceGetCount:     {api: "cuDeviceGetCount", names: []string{"cuDeviceGetCount"}},
	symDeviceGet:          {api: "cuDeviceGet", names: []string{"cuDeviceGet"}},
	symDeviceGetName:      {api: "cuDeviceGetName", names: []string{"cuDeviceGetName"}},
	symDeviceGetAttribute: {api: "cuDeviceGetAttribute", names: []string{"cuDeviceGetAttribute"}},
	symDeviceTotalMem:     {api: "cuDeviceTotalMem", names: []string{"cuDeviceTotalMem_v2"}},

	symDevicePrimaryCtxRetain:  {api: "cuDevicePrimaryCtxRetain", names: []string{"cuDevicePrimaryCtxRetain"}},
	symDevicePrimaryCtxRelease: {api: "cuDevicePrimaryCtxRelease", names: []string{"cuDevicePrimaryCtxRelease_v2"}},
	symCtxSetCurrent:           {api: "cuCtxSetCurrent", names: []string{"cuCtxSetCurrent"}},
	symCtxGetCurrent:           {api: "cuCtxGetCurrent", names: []string{"cuCtxGetCurrent"}},
	// cuda.h 13.0 adds cuCtxSynchronize_v2(ctx) but does not map
	// cuCtxSynchronize to it: the plain symbol is still the API.
	symCtxSynchronize: {api: "cuCtxSynchronize", names: []string{"cuCtxSynchronize"}},

	symModuleLoadDataEx:  {api: "cuModuleLoadDataEx", names: []string{"cuModuleLoadDataEx"}},
	symModuleUnload:      {api: "cuModuleUnload", names: []string{"cuModuleUnload"}},
	symModuleGetFunction: {api: "cuModuleGetFunction", names: []string{"cuModuleGetFunction"}},
	symFuncGetAttribute:  {api: "cuFuncGetAttribute", names: []string{"cuFuncGetAttribute"}},
	symFuncSetAttribute:  {api: "cuFuncSetAttribute", names: []string{"cuFuncSetAttribute"}},
	// CUDA 12.4+; without it Launch cannot check arguments against the
	// kernel's parameter list.
	symFuncGetParamInfo: {api: "cuFuncGetParamInfo", names: []string{"cuFuncGetParamInfo"}, optional: true},
	symLaunchKernel:     {api: "cuLaunchKernel", names: []string{"cuLaunchKernel"}},

	symMemAlloc:        {api: "cuMemAlloc", names: []string{"cuMemAlloc_v2"}},
	symMemFree:         {api: "cuMemFree", names: []string{"cuMemFree_v2"}},
	symMemGetInfo:      {api: "cuMemGetInfo", names: []string{"cuMemGetInfo_v2"}},
	symMemcpyHtoD:      {api: "cuMemcpyHtoD", names: []string{"cuMemcpyHtoD_v2"}},
	symMemcpyDtoH:      {api: "cuMemcpyDtoH", names: []string{"cuMemcpyDtoH_v2"}},
	symMemcpyDtoD:      {api: "cuMemcpyDtoD", names: []string{"cuMemcpyDtoD_v2"}},
	symMemcpyHtoDAsync: {api: "cuMemcpyHtoDAsync", names: []string{"cuMemcpyHtoDAsync_v2"}},
	symMemcpyDtoHAsync: {api: "cuMemcpyDtoHAsync", names: []string{"cuMemcpyDtoHAsync_v2"}},
	symMemcpyDtoDAsync: {api: "cuMemcpyDtoDAsync", names: []string{"cuMemcpyDtoDAsync_v2"}},
	symMemsetD8:        {api: "cuMemsetD8", names: []string{"cuMemsetD8_v2"}},
	symMemsetD32:       {api: "cuMemsetD32", names: []string{"cuMemsetD32_v2"}},
	symMemsetD8Async:   {api: "cuMemsetD8Async", names: []string{"cuMemsetD8Async"}},
	symMemsetD32Async:  {api: "cuMemsetD32Async", names: []string{"cuMemsetD32Async"}},

	symStreamCreate:      {api: "cuStreamCreate", names: []string{"cuStreamCreate"}},
	symStreamDestroy:     {api: "cuStreamDestroy", names: []string{"cuStreamDestroy_v2"}},
	symStreamSynchronize: {api: "cuStreamSynchronize", names: []string{"cuStreamSynchronize"}},
	symEventCreate:       {api: "cuEventCreate", names: []string{"cuEventCreate"}},
	symEventDestroy:      {api: "cuEventDestroy", names: []string{"cuEventDestroy_v2"}},
	symEventRecord:       {api: "cuEventRecord", names: []string{"cuEventRecord"}},
	symEventSynchronize:  {api: "cuEventSynchronize", names: []string{"cuEventSynchronize"}},
	// cuEventElapsedTime_v2 appeared in CUDA 12.8 and cuda.h 13.0 maps the
	// API to it (13.0 headers no longer declare the old one); drivers before
	// 12.8 only export cuEventElapsedTime, with the same signature.
	symEventElapsedTime: {api: "cuEventElapsedTime", names: []string{"cuEventElapsedTime_v2", "cuEventElapsedTime"}},

	// CUDA 12.0+; without it EncodeTensorMapTiled reports ErrNotSupported.
	symTensorMapEncodeTiled: {api: "cuTensorMapEncodeTiled", names: []string{"cuTensorMapEncodeTiled"}, optional: true},
}
