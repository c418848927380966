// The values below are those of CUDA 13.0's cuda.h; enums_test.go pins each one.

package cuda

import "fmt"

// Result is a CUresult, the status every driver call returns. It implements
// error so that errors.Is(err, cuda.ErrOutOfMemory) works on any error this
// package returns for a failed call.
type Result int32

// CUresult values (enum cudaError_enum).
const (
	Success                         Result = 0   // CUDA_SUCCESS
	ErrInvalidValue                 Result = 1   // CUDA_ERROR_INVALID_VALUE
	ErrOutOfMemory                  Result = 2   // CUDA_ERROR_OUT_OF_MEMORY
	ErrNotInitialized               Result = 3   // CUDA_ERROR_NOT_INITIALIZED
	ErrDeinitialized                Result = 4   // CUDA_ERROR_DEINITIALIZED
	ErrProfilerDisabled             Result = 5   // CUDA_ERROR_PROFILER_DISABLED
	ErrProfilerNotInitialized       Result = 6   // CUDA_ERROR_PROFILER_NOT_INITIALIZED
	ErrProfilerAlreadyStarted       Result = 7   // CUDA_ERROR_PROFILER_ALREADY_STARTED
	ErrProfilerAlreadyStopped       Result = 8   // CUDA_ERROR_PROFILER_ALREADY_STOPPED
	ErrStubLibrary                  Result = 34  // CUDA_ERROR_STUB_LIBRARY
	ErrCallRequiresNewerDriver      Result = 36  // CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER
	ErrDeviceUnavailable            Result = 46  // CUDA_ERROR_DEVICE_UNAVAILABLE
	ErrNoDevice                     Result = 100 // CUDA_ERROR_NO_DEVICE
	ErrInvalidDevice                Result = 101 // CUDA_ERROR_INVALID_DEVICE
	ErrDeviceNotLicensed            Result = 102 // CUDA_ERROR_DEVICE_NOT_LICENSED
	ErrInvalidImage                 Result = 200 // CUDA_ERROR_INVALID_IMAGE
	ErrInvalidContext               Result = 201 // CUDA_ERROR_INVALID_CONTEXT
	ErrContextAlreadyCurrent        Result = 202 // CUDA_ERROR_CONTEXT_ALREADY_CURRENT
	ErrMapFailed                    Result = 205 // CUDA_ERROR_MAP_FAILED
	ErrUnmapFailed                  Result = 206 // CUDA_ERROR_UNMAP_FAILED
	ErrArrayIsMapped                Result = 207 // CUDA_ERROR_ARRAY_IS_MAPPED
	ErrAlreadyMapped                Result = 208 // CUDA_ERROR_ALREADY_MAPPED
	ErrNoBinaryForGPU               Result = 209 // CUDA_ERROR_NO_BINARY_FOR_GPU
	ErrAlreadyAcquired              Result = 210 // CUDA_ERROR_ALREADY_ACQUIRED
	ErrNotMapped                    Result = 211 // CUDA_ERROR_NOT_MAPPED
	ErrNotMappedAsArray             Result = 212 // CUDA_ERROR_NOT_MAPPED_AS_ARRAY
	ErrNotMappedAsPointer           Result = 213 // CUDA_ERROR_NOT_MAPPED_AS_POINTER
	ErrECCUncorrectable             Result = 214 // CUDA_ERROR_ECC_UNCORRECTABLE
	ErrUnsupportedLimit             Result = 215 // CUDA_ERROR_UNSUPPORTED_LIMIT
	ErrContextAlreadyInUse          Result = 216 // CUDA_ERROR_CONTEXT_ALREADY_IN_USE
	ErrPeerAccessUnsupported        Result = 217 // CUDA_ERROR_PEER_ACCESS_UNSUPPORTED
	ErrInvalidPTX                   Result = 218 // CUDA_ERROR_INVALID_PTX
	ErrInvalidGraphicsContext       Result = 219 // CUDA_ERROR_INVALID_GRAPHICS_CONTEXT
	ErrNVLinkUncorrectable          Result = 220 // CUDA_ERROR_NVLINK_UNCORRECTABLE
	ErrJITCompilerNotFound          Result = 221 // CUDA_ERROR_JIT_COMPILER_NOT_FOUND
	ErrUnsupportedPTXVersion        Result = 222 // CUDA_ERROR_UNSUPPORTED_PTX_VERSION
	ErrJITCompilationDisabled       Result = 223 // CUDA_ERROR_JIT_COMPILATION_DISABLED
	ErrUnsupportedExecAffinity      Result = 224 // CUDA_ERROR_UNSUPPORTED_EXEC_AFFINITY
	ErrUnsupportedDevsideSync       Result = 225 // CUDA_ERROR_UNSUPPORTED_DEVSIDE_SYNC
	ErrContained                    Result = 226 // CUDA_ERROR_CONTAINED
	ErrInvalidSource                Result = 300 // CUDA_ERROR_INVALID_SOURCE
	ErrFileNotFound                 Result = 301 // CUDA_ERROR_FILE_NOT_FOUND
	ErrSharedObjectSymbolNotFound   Result = 302 // CUDA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND
	ErrSharedObjectInitFailed       Result = 303 // CUDA_ERROR_SHARED_OBJECT_INIT_FAILED
	ErrOperatingSystem              Result = 304 // CUDA_ERROR_OPERATING_SYSTEM
	ErrInvalidHandle                Result = 400 // CUDA_ERROR_INVALID_HANDLE
	ErrIllegalState                 Result = 401 // CUDA_ERROR_ILLEGAL_STATE
	ErrLossyQuery                   Result = 402 // CUDA_ERROR_LOSSY_QUERY
	ErrNotFound                     Result = 500 // CUDA_ERROR_NOT_FOUND
	ErrNotReady                     Result = 600 // CUDA_ERROR_NOT_READY
	ErrIllegalAddress               Result = 700 // CUDA_ERROR_ILLEGAL_ADDRESS
	ErrLaunchOutOfResources         Result = 701 // CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES
	ErrLaunchTimeout                Result = 702 // CUDA_ERROR_LAUNCH_TIMEOUT
	ErrLaunchIncompatibleTexturing  Result = 703 // CUDA_ERROR_LAUNCH_INCOMPATIBLE_TEXTURING
	ErrPeerAccessAlreadyEnabled     Result = 704 // CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED
	ErrPeerAccessNotEnabled         Result = 705 // CUDA_ERROR_PEER_ACCESS_NOT_ENABLED
	ErrPrimaryContextActive         Result = 708 // CUDA_ERROR_PRIMARY_CONTEXT_ACTIVE
	ErrContextIsDestroyed           Result = 709 // CUDA_ERROR_CONTEXT_IS_DESTROYED
	ErrAssert                       Result = 710 // CUDA_ERROR_ASSERT
	ErrTooManyPeers                 Result = 711 // CUDA_ERROR_TOO_MANY_PEERS
	ErrHostMemoryAlreadyRegistered  Result = 712 // CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED
	ErrHostMemoryNotRegistered      Result = 713 // CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED
	ErrHardwareStackError           Result = 714 // CUDA_ERROR_HARDWARE_STACK_ERROR
	ErrIllegalInstruction           Result = 715 // CUDA_ERROR_ILLEGAL_INSTRUCTION
	ErrMisalignedAddress            Result = 716 // CUDA_ERROR_MISALIGNED_ADDRESS
	ErrInvalidAddressSpace          Result = 717 // CUDA_ERROR_INVALID_ADDRESS_SPACE
	ErrInvalidPC                    Result = 718 // CUDA_ERROR_INVALID_PC
	ErrLaunchFailed                 Result = 719 // CUDA_ERROR_LAUNCH_FAILED
	ErrCooperativeLaunchTooLarge    Result = 720 // CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE
	ErrTensorMemoryLeak             Result = 721 // CUDA_ERROR_TENSOR_MEMORY_LEAK
	ErrNotPermitted                 Result = 800 // CUDA_ERROR_NOT_PERMITTED
	ErrNotSupported                 Result = 801 // CUDA_ERROR_NOT_SUPPORTED
	ErrSystemNotReady               Result = 802 // CUDA_ERROR_SYSTEM_NOT_READY
	ErrSystemDriverMismatch         Result = 803 // CUDA_ERROR_SYSTEM_DRIVER_MISMATCH
	ErrCompatNotSupportedOnDevice   Result = 804 // CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE
	ErrMPSConnectionFailed          Result = 805 // CUDA_ERROR_MPS_CONNECTION_FAILED
	ErrMPSRPCFailure                Result = 806 // CUDA_ERROR_MPS_RPC_FAILURE
	ErrMPSServerNotReady            Result = 807 // CUDA_ERROR_MPS_SERVER_NOT_READY
	ErrMPSMaxClientsReached         Result = 808 // CUDA_ERROR_MPS_MAX_CLIENTS_REACHED
	ErrMPSMaxConnectionsReached     Result = 809 // CUDA_ERROR_MPS_MAX_CONNECTIONS_REACHED
	ErrMPSClientTerminated          Result = 810 // CUDA_ERROR_MPS_CLIENT_TERMINATED
	ErrCDPNotSupported              Result = 811 // CUDA_ERROR_CDP_NOT_SUPPORTED
	ErrCDPVersionMismatch           Result = 812 // CUDA_ERROR_CDP_VERSION_MISMATCH
	ErrStreamCaptureUnsupported     Result = 900 // CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED
	ErrStreamCaptureInvalidated     Result = 901 // CUDA_ERROR_STREAM_CAPTURE_INVALIDATED
	ErrStreamCaptureMerge           Result = 902 // CUDA_ERROR_STREAM_CAPTURE_MERGE
	ErrStreamCaptureUnmatched       Result = 903 // CUDA_ERROR_STREAM_CAPTURE_UNMATCHED
	ErrStreamCaptureUnjoined        Result = 904 // CUDA_ERROR_STREAM_CAPTURE_UNJOINED
	ErrStreamCaptureIsolation       Result = 905 // CUDA_ERROR_STREAM_CAPTURE_ISOLATION
	ErrStreamCaptureImplicit        Result = 906 // CUDA_ERROR_STREAM_CAPTURE_IMPLICIT
	ErrCapturedEvent                Result = 907 // CUDA_ERROR_CAPTURED_EVENT
	ErrStreamCaptureWrongThread     Result = 908 // CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD
	ErrTimeout                      Result = 909 // CUDA_ERROR_TIMEOUT
	ErrGraphExecUpdateFailure       Result = 910 // CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE
	ErrExternalDevice               Result = 911 // CUDA_ERROR_EXTERNAL_DEVICE
	ErrInvalidClusterSize           Result = 912 // CUDA_ERROR_INVALID_CLUSTER_SIZE
	ErrFunctionNotLoaded            Result = 913 // CUDA_ERROR_FUNCTION_NOT_LOADED
	ErrInvalidResourceType          Result = 914 // CUDA_ERROR_INVALID_RESOURCE_TYPE
	ErrInvalidResourceConfiguration Result = 915 // CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION
	ErrKeyRotation                  Result = 916 // CUDA_ERROR_KEY_ROTATION
	ErrUnknown                      Result = 999 // CUDA_ERROR_UNKNOWN
)

// resultNames maps every Result this package declares to its cuda.h name, so
// a Result prints by name even when the driver cannot be asked.
var resultNames = map[Result]string{
	Success:                         "CUDA_SUCCESS",
	ErrInvalidValue:                 "CUDA_ERROR_INVALID_VALUE",
	ErrOutOfMemory:                  "CUDA_ERROR_OUT_OF_MEMORY",
	ErrNotInitialized:               "CUDA_ERROR_NOT_INITIALIZED",
	ErrDeinitialized:                "CUDA_ERROR_DEINITIALIZED",
	ErrProfilerDisabled:             "CUDA_ERROR_PROFILER_DISABLED",
	ErrProfilerNotInitialized:       "CUDA_ERROR_PROFILER_NOT_INITIALIZED",
	ErrProfilerAlreadyStarted:       "CUDA_ERROR_PROFILER_ALREADY_STARTED",
	ErrProfilerAlreadyStopped:       "CUDA_ERROR_PROFILER_ALREADY_STOPPED",
	ErrStubLibrary:                  "CUDA_ERROR_STUB_LIBRARY",
	ErrCallRequiresNewerDriver:      "CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER",
	ErrDeviceUnavailable:            "CUDA_ERROR_DEVICE_UNAVAILABLE",
	ErrNoDevice:                     "CUDA_ERROR_NO_DEVICE",
	ErrInvalidDevice:                "CUDA_ERROR_INVALID_DEVICE",
	ErrDeviceNotLicensed:            "CUDA_ERROR_DEVICE_NOT_LICENSED",
	ErrInvalidImage:                 "CUDA_ERROR_INVALID_IMAGE",
	ErrInvalidContext:               "CUDA_ERROR_INVALID_CONTEXT",
	ErrContextAlreadyCurrent:        "CUDA_ERROR_CONTEXT_ALREADY_CURRENT",
	ErrMapFailed:                    "CUDA_ERROR_MAP_FAILED",
	ErrUnmapFailed:                  "CUDA_ERROR_UNMAP_FAILED",
	ErrArrayIsMapped:                "CUDA_ERROR_ARRAY_IS_MAPPED",
	ErrAlreadyMapped:                "CUDA_ERROR_ALREADY_MAPPED",
	ErrNoBinaryForGPU:               "CUDA_ERROR_NO_BINARY_FOR_GPU",
	ErrAlreadyAcquired:              "CUDA_ERROR_ALREADY_ACQUIRED",
	ErrNotMapped:                    "CUDA_ERROR_NOT_MAPPED",
	ErrNotMappedAsArray:             "CUDA_ERROR_NOT_MAPPED_AS_ARRAY",
	ErrNotMappedAsPointer:           "CUDA_ERROR_NOT_MAPPED_AS_POINTER",
	ErrECCUncorrectable:             "CUDA_ERROR_ECC_UNCORRECTABLE",
	ErrUnsupportedLimit:             "CUDA_ERROR_UNSUPPORTED_LIMIT",
	ErrContextAlreadyInUse:          "CUDA_ERROR_CONTEXT_ALREADY_IN_USE",
	ErrPeerAccessUnsupported:        "CUDA_ERROR_PEER_ACCESS_UNSUPPORTED",
	ErrInvalidPTX:                   "CUDA_ERROR_INVALID_PTX",
	ErrInvalidGraphicsContext:       "CUDA_ERROR_INVALID_GRAPHICS_CONTEXT",
	ErrNVLinkUncorrectable:          "CUDA_ERROR_NVLINK_UNCORRECTABLE",
	ErrJITCompilerNotFound:          "CUDA_ERROR_JIT_COMPILER_NOT_FOUND",
	ErrUnsupportedPTXVersion:        "CUDA_ERROR_UNSUPPORTED_PTX_VERSION",
	ErrJITCompilationDisabled:       "CUDA_ERROR_JIT_COMPILATION_DISABLED",
	ErrUnsupportedExecAffinity:      "CUDA_ERROR_UNSUPPORTED_EXEC_AFFINITY",
	ErrUnsupportedDevsideSync:       "CUDA_ERROR_UNSUPPORTED_DEVSIDE_SYNC",
	ErrContained:                    "CUDA_ERROR_CONTAINED",
	ErrInvalidSource:                "CUDA_ERROR_INVALID_SOURCE",
	ErrFileNotFound:                 "CUDA_ERROR_FILE_NOT_FOUND",
	ErrSharedObjectSymbolNotFound:   "CUDA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND",
	ErrSharedObjectInitFailed:       "CUDA_ERROR_SHARED_OBJECT_INIT_FAILED",
	ErrOperatingSystem:              "CUDA_ERROR_OPERATING_SYSTEM",
	ErrInvalidHandle:                "CUDA_ERROR_INVALID_HANDLE",
	ErrIllegalState:                 "CUDA_ERROR_ILLEGAL_STATE",
	ErrLossyQuery:                   "CUDA_ERROR_LOSSY_QUERY",
	ErrNotFound:                     "CUDA_ERROR_NOT_FOUND",
	ErrNotReady:                     "CUDA_ERROR_NOT_READY",
	ErrIllegalAddress:               "CUDA_ERROR_ILLEGAL_ADDRESS",
	ErrLaunchOutOfResources:         "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
	ErrLaunchTimeout:                "CUDA_ERROR_LAUNCH_TIMEOUT",
	ErrLaunchIncompatibleTexturing:  "CUDA_ERROR_LAUNCH_INCOMPATIBLE_TEXTURING",
	ErrPeerAccessAlreadyEnabled:     "CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED",
	ErrPeerAccessNotEnabled:         "CUDA_ERROR_PEER_ACCESS_NOT_ENABLED",
	ErrPrimaryContextActive:         "CUDA_ERROR_PRIMARY_CONTEXT_ACTIVE",
	ErrContextIsDestroyed:           "CUDA_ERROR_CONTEXT_IS_DESTROYED",
	ErrAssert:                       "CUDA_ERROR_ASSERT",
	ErrTooManyPeers:                 "CUDA_ERROR_TOO_MANY_PEERS",
	ErrHostMemoryAlreadyRegistered:  "CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED",
	ErrHostMemoryNotRegistered:      "CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED",
	ErrHardwareStackError:           "CUDA_ERROR_HARDWARE_STACK_ERROR",
	ErrIllegalInstruction:           "CUDA_ERROR_ILLEGAL_INSTRUCTION",
	ErrMisalignedAddress:            "CUDA_ERROR_MISALIGNED_ADDRESS",
	ErrInvalidAddressSpace:          "CUDA_ERROR_INVALID_ADDRESS_SPACE",
	ErrInvalidPC:                    "CUDA_ERROR_INVALID_PC",
	ErrLaunchFailed:                 "CUDA_ERROR_LAUNCH_FAILED",
	ErrCooperativeLaunchTooLarge:    "CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE",
	ErrTensorMemoryLeak:             "CUDA_ERROR_TENSOR_MEMORY_LEAK",
	ErrNotPermitted:                 "CUDA_ERROR_NOT_PERMITTED",
	ErrNotSupported:                 "CUDA_ERROR_NOT_SUPPORTED",
	ErrSystemNotReady:               "CUDA_ERROR_SYSTEM_NOT_READY",
	ErrSystemDriverMismatch:         "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH",
	ErrCompatNotSupportedOnDevice:   "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE",
	ErrMPSConnectionFailed:          "CUDA_ERROR_MPS_CONNECTION_FAILED",
	ErrMPSRPCFailure:                "CUDA_ERROR_MPS_RPC_FAILURE",
	ErrMPSServerNotReady:            "CUDA_ERROR_MPS_SERVER_NOT_READY",
	ErrMPSMaxClientsReached:         "CUDA_ERROR_MPS_MAX_CLIENTS_REACHED",
	ErrMPSMaxConnectionsReached:     "CUDA_ERROR_MPS_MAX_CONNECTIONS_REACHED",
	ErrMPSClientTerminated:          "CUDA_ERROR_MPS_CLIENT_TERMINATED",
	ErrCDPNotSupported:              "CUDA_ERROR_CDP_NOT_SUPPORTED",
	ErrCDPVersionMismatch:           "CUDA_ERROR_CDP_VERSION_MISMATCH",
	ErrStreamCaptureUnsupported:     "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED",
	ErrStreamCaptureInvalidated:     "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED",
	ErrStreamCaptureMerge:           "CUDA_ERROR_STREAM_CAPTURE_MERGE",
	ErrStreamCaptureUnmatched:       "CUDA_ERROR_STREAM_CAPTURE_UNMATCHED",
	ErrStreamCaptureUnjoined:        "CUDA_ERROR_STREAM_CAPTURE_UNJOINED",
	ErrStreamCaptureIsolation:       "CUDA_ERROR_STREAM_CAPTURE_ISOLATION",
	ErrStreamCaptureImplicit:        "CUDA_ERROR_STREAM_CAPTURE_IMPLICIT",
	ErrCapturedEvent:                "CUDA_ERROR_CAPTURED_EVENT",
	ErrStreamCaptureWrongThread:     "CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD",
	ErrTimeout:                      "CUDA_ERROR_TIMEOUT",
	ErrGraphExecUpdateFailure:       "CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE",
	ErrExternalDevice:               "CUDA_ERROR_EXTERNAL_DEVICE",
	ErrInvalidClusterSize:           "CUDA_ERROR_INVALID_CLUSTER_SIZE",
	ErrFunctionNotLoaded:            "CUDA_ERROR_FUNCTION_NOT_LOADED",
	ErrInvalidResourceType:          "CUDA_ERROR_INVALID_RESOURCE_TYPE",
	ErrInvalidResourceConfiguration: "CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION",
	ErrKeyRotation:                  "CUDA_ERROR_KEY_ROTATION",
	ErrUnknown:                      "CUDA_ERROR_UNKNOWN",
}

// String returns the cuda.h name of r, or "CUresult(N)" for a code this
// package does not know (a newer driver may return one).
func (r Result) String() string {
	if s, ok := resultNames[r]; ok {
		return s
	}
	return fmt.Sprintf("CUresult(%d)", int32(r))
}

// Error makes Result an error value that errors.Is can compare against.
func (r Result) Error() string { return r.String() }

// DeviceAttribute is a CUdevice_attribute, queried with Device.Attribute.
// Only the attributes tilec uses are declared; any other cuda.h value can be
// passed as DeviceAttribute(n).
type DeviceAttribute int32

// CUdevice_attribute values.
const (
	AttrMaxThreadsPerBlock               DeviceAttribute = 1   // CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK
	AttrMaxBlockDimX                     DeviceAttribute = 2   // CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X
	AttrMaxBlockDimY                     DeviceAttribute = 3   // CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y
	AttrMaxBlockDimZ                     DeviceAttribute = 4   // CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z
	AttrMaxGridDimX                      DeviceAttribute = 5   // CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X
	AttrMaxGridDimY                      DeviceAttribute = 6   // CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y
	AttrMaxGridDimZ                      DeviceAttribute = 7   // CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z
	AttrMaxSharedMemoryPerBlock          DeviceAttribute = 8   // CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK
	AttrTotalConstantMemory              DeviceAttribute = 9   // CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY
	AttrWarpSize                         DeviceAttribute = 10  // CU_DEVICE_ATTRIBUTE_WARP_SIZE
	AttrMaxRegistersPerBlock             DeviceAttribute = 12  // CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK
	AttrClockRate                        DeviceAttribute = 13  // CU_DEVICE_ATTRIBUTE_CLOCK_RATE
	AttrMultiprocessorCount              DeviceAttribute = 16  // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
	AttrKernelExecTimeout                DeviceAttribute = 17  // CU_DEVICE_ATTRIBUTE_KERNEL_EXEC_TIMEOUT
	AttrIntegrated                       DeviceAttribute = 18  // CU_DEVICE_ATTRIBUTE_INTEGRATED
	AttrComputeMode                      DeviceAttribute = 20  // CU_DEVICE_ATTRIBUTE_COMPUTE_MODE
	AttrConcurrentKernels                DeviceAttribute = 31  // CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS
	AttrECCEnabled                       DeviceAttribute = 32  // CU_DEVICE_ATTRIBUTE_ECC_ENABLED
	AttrPCIBusID                         DeviceAttribute = 33  // CU_DEVICE_ATTRIBUTE_PCI_BUS_ID
	AttrPCIDeviceID                      DeviceAttribute = 34  // CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID
	AttrMemoryClockRate                  DeviceAttribute = 36  // CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE
	AttrGlobalMemoryBusWidth             DeviceAttribute = 37  // CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH
	AttrL2CacheSize                      DeviceAttribute = 38  // CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE
	AttrMaxThreadsPerMultiprocessor      DeviceAttribute = 39  // CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR
	AttrAsyncEngineCount                 DeviceAttribute = 40  // CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT
	AttrUnifiedAddressing                DeviceAttribute = 41  // CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING
	AttrPCIDomainID                      DeviceAttribute = 50  // CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID
	AttrComputeCapabilityMajor           DeviceAttribute = 75  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
	AttrComputeCapabilityMinor           DeviceAttribute = 76  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR
	AttrMaxSharedMemoryPerMultiprocessor DeviceAttribute = 81  // CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR
	AttrMaxRegistersPerMultiprocessor    DeviceAttribute = 82  // CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR
	AttrManagedMemory                    DeviceAttribute = 83  // CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY
	AttrCooperativeLaunch                DeviceAttribute = 95  // CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH
	AttrMaxSharedMemoryPerBlockOptin     DeviceAttribute = 97  // CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN
	AttrMaxBlocksPerMultiprocessor       DeviceAttribute = 106 // CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR
	AttrMaxPersistingL2CacheSize         DeviceAttribute = 108 // CU_DEVICE_ATTRIBUTE_MAX_PERSISTING_L2_CACHE_SIZE
	AttrReservedSharedMemoryPerBlock     DeviceAttribute = 111 // CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK
	AttrClusterLaunch                    DeviceAttribute = 120 // CU_DEVICE_ATTRIBUTE_CLUSTER_LAUNCH
	AttrTensorMapAccessSupported         DeviceAttribute = 127 // CU_DEVICE_ATTRIBUTE_TENSOR_MAP_ACCESS_SUPPORTED
)

// JITOption is a CUjit_option, an option of cuModuleLoadDataEx.
type JITOption int32

// CUjit_option values.
const (
	JITMaxRegisters                  JITOption = 0  // CU_JIT_MAX_REGISTERS
	JITThreadsPerBlock               JITOption = 1  // CU_JIT_THREADS_PER_BLOCK
	JITWallTime                      JITOption = 2  // CU_JIT_WALL_TIME
	JITInfoLogBuffer                 JITOption = 3  // CU_JIT_INFO_LOG_BUFFER
	JITInfoLogBufferSizeBytes        JITOption = 4  // CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES
	JITErrorLogBuffer                JITOption = 5  // CU_JIT_ERROR_LOG_BUFFER
	JITErrorLogBufferSizeBytes       JITOption = 6  // CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES
	JITOptimizationLevel             JITOption = 7  // CU_JIT_OPTIMIZATION_LEVEL
	JITTargetFromCucontext           JITOption = 8  // CU_JIT_TARGET_FROM_CUCONTEXT
	JITTarget                        JITOption = 9  // CU_JIT_TARGET
	JITFallbackStrategy              JITOption = 10 // CU_JIT_FALLBACK_STRATEGY
	JITGenerateDebugInfo             JITOption = 11 // CU_JIT_GENERATE_DEBUG_INFO
	JITLogVerbose                    JITOption = 12 // CU_JIT_LOG_VERBOSE
	JITGenerateLineInfo              JITOption = 13 // CU_JIT_GENERATE_LINE_INFO
	JITCacheMode                     JITOption = 14 // CU_JIT_CACHE_MODE
	JITNewSM3XOpt                    JITOption = 15 // CU_JIT_NEW_SM3X_OPT
	JITFastCompile                   JITOption = 16 // CU_JIT_FAST_COMPILE
	JITGlobalSymbolNames             JITOption = 17 // CU_JIT_GLOBAL_SYMBOL_NAMES
	JITGlobalSymbolAddresses         JITOption = 18 // CU_JIT_GLOBAL_SYMBOL_ADDRESSES
	JITGlobalSymbolCount             JITOption = 19 // CU_JIT_GLOBAL_SYMBOL_COUNT
	JITLTO                           JITOption = 20 // CU_JIT_LTO
	JITFTZ                           JITOption = 21 // CU_JIT_FTZ
	JITPrecDiv                       JITOption = 22 // CU_JIT_PREC_DIV
	JITPrecSqrt                      JITOption = 23 // CU_JIT_PREC_SQRT
	JITFMA                           JITOption = 24 // CU_JIT_FMA
	JITReferencedKernelNames         JITOption = 25 // CU_JIT_REFERENCED_KERNEL_NAMES
	JITReferencedKernelCount         JITOption = 26 // CU_JIT_REFERENCED_KERNEL_COUNT
	JITReferencedVariableNames       JITOption = 27 // CU_JIT_REFERENCED_VARIABLE_NAMES
	JITReferencedVariableCount       JITOption = 28 // CU_JIT_REFERENCED_VARIABLE_COUNT
	JITOptimizeUnusedDeviceVariables JITOption = 29 // CU_JIT_OPTIMIZE_UNUSED_DEVICE_VARIABLES
	JITPositionIndependentCode       JITOption = 30 // CU_JIT_POSITION_INDEPENDENT_CODE
	JITMinCTAPerSM                   JITOption = 31 // CU_JIT_MIN_CTA_PER_SM
	JITMaxThreadsPerBlock            JITOption = 32 // CU_JIT_MAX_THREADS_PER_BLOCK
	JITOverrideDirectiveValues       JITOption = 33 // CU_JIT_OVERRIDE_DIRECTIVE_VALUES
	JITSplitCompile                  JITOption = 34 // CU_JIT_SPLIT_COMPILE
)

// FunctionAttribute is a CUfunction_attribute, read with
// Function.Attribute and set with Function.SetAttribute.
type FunctionAttribute int32

// CUfunction_attribute values.
const (
	FuncAttrMaxThreadsPerBlock                FunctionAttribute = 0  // CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK
	FuncAttrSharedSizeBytes                   FunctionAttribute = 1  // CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES
	FuncAttrConstSizeBytes                    FunctionAttribute = 2  // CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES
	FuncAttrLocalSizeBytes                    FunctionAttribute = 3  // CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES
	FuncAttrNumRegs                           FunctionAttribute = 4  // CU_FUNC_ATTRIBUTE_NUM_REGS
	FuncAttrPTXVersion                        FunctionAttribute = 5  // CU_FUNC_ATTRIBUTE_PTX_VERSION
	FuncAttrBinaryVersion                     FunctionAttribute = 6  // CU_FUNC_ATTRIBUTE_BINARY_VERSION
	FuncAttrCacheModeCa                       FunctionAttribute = 7  // CU_FUNC_ATTRIBUTE_CACHE_MODE_CA
	FuncAttrMaxDynamicSharedSizeBytes         FunctionAttribute = 8  // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
	FuncAttrPreferredSharedMemoryCarveout     FunctionAttribute = 9  // CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT
	FuncAttrClusterSizeMustBeSet              FunctionAttribute = 10 // CU_FUNC_ATTRIBUTE_CLUSTER_SIZE_MUST_BE_SET
	FuncAttrRequiredClusterWidth              FunctionAttribute = 11 // CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH
	FuncAttrRequiredClusterHeight             FunctionAttribute = 12 // CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_HEIGHT
	FuncAttrRequiredClusterDepth              FunctionAttribute = 13 // CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_DEPTH
	FuncAttrNonPortableClusterSizeAllowed     FunctionAttribute = 14 // CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED
	FuncAttrClusterSchedulingPolicyPreference FunctionAttribute = 15 // CU_FUNC_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE
)

// StreamFlags are the CUstream_flags of cuStreamCreate.
type StreamFlags uint32

// CUstream_flags values.
const (
	StreamDefault     StreamFlags = 0 // CU_STREAM_DEFAULT
	StreamNonBlocking StreamFlags = 1 // CU_STREAM_NON_BLOCKING: no implicit sync with the NULL stream
)

// EventFlags are the CUevent_flags of cuEventCreate.
type EventFlags uint32

// CUevent_flags values.
const (
	EventDefault       EventFlags = 0 // CU_EVENT_DEFAULT
	EventBlockingSync  EventFlags = 1 // CU_EVENT_BLOCKING_SYNC: Synchronize sleeps instead of spinning
	EventDisableTiming EventFlags = 2 // CU_EVENT_DISABLE_TIMING: cheaper, but no ElapsedTime
	EventInterprocess  EventFlags = 4 // CU_EVENT_INTERPROCESS
)
