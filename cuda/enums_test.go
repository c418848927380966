package cuda

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The numbers and names below were read from CUDA 13.0's cuda.h. They are
// written out literally (not derived from the constants) so that an edit to
// enums.go that changes a value fails here.

func TestResultValues(t *testing.T) {
	cases := []struct {
		got  Result
		want int32
		name string
	}{
		{Success, 0, "CUDA_SUCCESS"},
		{ErrInvalidValue, 1, "CUDA_ERROR_INVALID_VALUE"},
		{ErrOutOfMemory, 2, "CUDA_ERROR_OUT_OF_MEMORY"},
		{ErrNotInitialized, 3, "CUDA_ERROR_NOT_INITIALIZED"},
		{ErrDeinitialized, 4, "CUDA_ERROR_DEINITIALIZED"},
		{ErrProfilerDisabled, 5, "CUDA_ERROR_PROFILER_DISABLED"},
		{ErrProfilerNotInitialized, 6, "CUDA_ERROR_PROFILER_NOT_INITIALIZED"},
		{ErrProfilerAlreadyStarted, 7, "CUDA_ERROR_PROFILER_ALREADY_STARTED"},
		{ErrProfilerAlreadyStopped, 8, "CUDA_ERROR_PROFILER_ALREADY_STOPPED"},
		{ErrStubLibrary, 34, "CUDA_ERROR_STUB_LIBRARY"},
		{ErrCallRequiresNewerDriver, 36, "CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER"},
		{ErrDeviceUnavailable, 46, "CUDA_ERROR_DEVICE_UNAVAILABLE"},
		{ErrNoDevice, 100, "CUDA_ERROR_NO_DEVICE"},
		{ErrInvalidDevice, 101, "CUDA_ERROR_INVALID_DEVICE"},
		{ErrDeviceNotLicensed, 102, "CUDA_ERROR_DEVICE_NOT_LICENSED"},
		{ErrInvalidImage, 200, "CUDA_ERROR_INVALID_IMAGE"},
		{ErrInvalidContext, 201, "CUDA_ERROR_INVALID_CONTEXT"},
		{ErrContextAlreadyCurrent, 202, "CUDA_ERROR_CONTEXT_ALREADY_CURRENT"},
		{ErrMapFailed, 205, "CUDA_ERROR_MAP_FAILED"},
		{ErrUnmapFailed, 206, "CUDA_ERROR_UNMAP_FAILED"},
		{ErrArrayIsMapped, 207, "CUDA_ERROR_ARRAY_IS_MAPPED"},
		{ErrAlreadyMapped, 208, "CUDA_ERROR_ALREADY_MAPPED"},
		{ErrNoBinaryForGPU, 209, "CUDA_ERROR_NO_BINARY_FOR_GPU"},
		{ErrAlreadyAcquired, 210, "CUDA_ERROR_ALREADY_ACQUIRED"},
		{ErrNotMapped, 211, "CUDA_ERROR_NOT_MAPPED"},
		{ErrNotMappedAsArray, 212, "CUDA_ERROR_NOT_MAPPED_AS_ARRAY"},
		{ErrNotMappedAsPointer, 213, "CUDA_ERROR_NOT_MAPPED_AS_POINTER"},
		{ErrECCUncorrectable, 214, "CUDA_ERROR_ECC_UNCORRECTABLE"},
		{ErrUnsupportedLimit, 215, "CUDA_ERROR_UNSUPPORTED_LIMIT"},
		{ErrContextAlreadyInUse, 216, "CUDA_ERROR_CONTEXT_ALREADY_IN_USE"},
		{ErrPeerAccessUnsupported, 217, "CUDA_ERROR_PEER_ACCESS_UNSUPPORTED"},
		{ErrInvalidPTX, 218, "CUDA_ERROR_INVALID_PTX"},
		{ErrInvalidGraphicsContext, 219, "CUDA_ERROR_INVALID_GRAPHICS_CONTEXT"},
		{ErrNVLinkUncorrectable, 220, "CUDA_ERROR_NVLINK_UNCORRECTABLE"},
		{ErrJITCompilerNotFound, 221, "CUDA_ERROR_JIT_COMPILER_NOT_FOUND"},
		{ErrUnsupportedPTXVersion, 222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"},
		{ErrJITCompilationDisabled, 223, "CUDA_ERROR_JIT_COMPILATION_DISABLED"},
		{ErrUnsupportedExecAffinity, 224, "CUDA_ERROR_UNSUPPORTED_EXEC_AFFINITY"},
		{ErrUnsupportedDevsideSync, 225, "CUDA_ERROR_UNSUPPORTED_DEVSIDE_SYNC"},
		{ErrContained, 226, "CUDA_ERROR_CONTAINED"},
		{ErrInvalidSource, 300, "CUDA_ERROR_INVALID_SOURCE"},
		{ErrFileNotFound, 301, "CUDA_ERROR_FILE_NOT_FOUND"},
		{ErrSharedObjectSymbolNotFound, 302, "CUDA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND"},
		{ErrSharedObjectInitFailed, 303, "CUDA_ERROR_SHARED_OBJECT_INIT_FAILED"},
		{ErrOperatingSystem, 304, "CUDA_ERROR_OPERATING_SYSTEM"},
		{ErrInvalidHandle, 400, "CUDA_ERROR_INVALID_HANDLE"},
		{ErrIllegalState, 401, "CUDA_ERROR_ILLEGAL_STATE"},
		{ErrLossyQuery, 402, "CUDA_ERROR_LOSSY_QUERY"},
		{ErrNotFound, 500, "CUDA_ERROR_NOT_FOUND"},
		{ErrNotReady, 600, "CUDA_ERROR_NOT_READY"},
		{ErrIllegalAddress, 700, "CUDA_ERROR_ILLEGAL_ADDRESS"},
		{ErrLaunchOutOfResources, 701, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"},
		{ErrLaunchTimeout, 702, "CUDA_ERROR_LAUNCH_TIMEOUT"},
		{ErrLaunchIncompatibleTexturing, 703, "CUDA_ERROR_LAUNCH_INCOMPATIBLE_TEXTURING"},
		{ErrPeerAccessAlreadyEnabled, 704, "CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED"},
		{ErrPeerAccessNotEnabled, 705, "CUDA_ERROR_PEER_ACCESS_NOT_ENABLED"},
		{ErrPrimaryContextActive, 708, "CUDA_ERROR_PRIMARY_CONTEXT_ACTIVE"},
		{ErrContextIsDestroyed, 709, "CUDA_ERROR_CONTEXT_IS_DESTROYED"},
		{ErrAssert, 710, "CUDA_ERROR_ASSERT"},
		{ErrTooManyPeers, 711, "CUDA_ERROR_TOO_MANY_PEERS"},
		{ErrHostMemoryAlreadyRegistered, 712, "CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED"},
		{ErrHostMemoryNotRegistered, 713, "CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED"},
		{ErrHardwareStackError, 714, "CUDA_ERROR_HARDWARE_STACK_ERROR"},
		{ErrIllegalInstruction, 715, "CUDA_ERROR_ILLEGAL_INSTRUCTION"},
		{ErrMisalignedAddress, 716, "CUDA_ERROR_MISALIGNED_ADDRESS"},
		{ErrInvalidAddressSpace, 717, "CUDA_ERROR_INVALID_ADDRESS_SPACE"},
		{ErrInvalidPC, 718, "CUDA_ERROR_INVALID_PC"},
		{ErrLaunchFailed, 719, "CUDA_ERROR_LAUNCH_FAILED"},
		{ErrCooperativeLaunchTooLarge, 720, "CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE"},
		{ErrTensorMemoryLeak, 721, "CUDA_ERROR_TENSOR_MEMORY_LEAK"},
		{ErrNotPermitted, 800, "CUDA_ERROR_NOT_PERMITTED"},
		{ErrNotSupported, 801, "CUDA_ERROR_NOT_SUPPORTED"},
		{ErrSystemNotReady, 802, "CUDA_ERROR_SYSTEM_NOT_READY"},
		{ErrSystemDriverMismatch, 803, "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH"},
		{ErrCompatNotSupportedOnDevice, 804, "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE"},
		{ErrMPSConnectionFailed, 805, "CUDA_ERROR_MPS_CONNECTION_FAILED"},
		{ErrMPSRPCFailure, 806, "CUDA_ERROR_MPS_RPC_FAILURE"},
		{ErrMPSServerNotReady, 807, "CUDA_ERROR_MPS_SERVER_NOT_READY"},
		{ErrMPSMaxClientsReached, 808, "CUDA_ERROR_MPS_MAX_CLIENTS_REACHED"},
		{ErrMPSMaxConnectionsReached, 809, "CUDA_ERROR_MPS_MAX_CONNECTIONS_REACHED"},
		{ErrMPSClientTerminated, 810, "CUDA_ERROR_MPS_CLIENT_TERMINATED"},
		{ErrCDPNotSupported, 811, "CUDA_ERROR_CDP_NOT_SUPPORTED"},
		{ErrCDPVersionMismatch, 812, "CUDA_ERROR_CDP_VERSION_MISMATCH"},
		{ErrStreamCaptureUnsupported, 900, "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED"},
		{ErrStreamCaptureInvalidated, 901, "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED"},
		{ErrStreamCaptureMerge, 902, "CUDA_ERROR_STREAM_CAPTURE_MERGE"},
		{ErrStreamCaptureUnmatched, 903, "CUDA_ERROR_STREAM_CAPTURE_UNMATCHED"},
		{ErrStreamCaptureUnjoined, 904, "CUDA_ERROR_STREAM_CAPTURE_UNJOINED"},
		{ErrStreamCaptureIsolation, 905, "CUDA_ERROR_STREAM_CAPTURE_ISOLATION"},
		{ErrStreamCaptureImplicit, 906, "CUDA_ERROR_STREAM_CAPTURE_IMPLICIT"},
		{ErrCapturedEvent, 907, "CUDA_ERROR_CAPTURED_EVENT"},
		{ErrStreamCaptureWrongThread, 908, "CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD"},
		{ErrTimeout, 909, "CUDA_ERROR_TIMEOUT"},
		{ErrGraphExecUpdateFailure, 910, "CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE"},
		{ErrExternalDevice, 911, "CUDA_ERROR_EXTERNAL_DEVICE"},
		{ErrInvalidClusterSize, 912, "CUDA_ERROR_INVALID_CLUSTER_SIZE"},
		{ErrFunctionNotLoaded, 913, "CUDA_ERROR_FUNCTION_NOT_LOADED"},
		{ErrInvalidResourceType, 914, "CUDA_ERROR_INVALID_RESOURCE_TYPE"},
		{ErrInvalidResourceConfiguration, 915, "CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION"},
		{ErrKeyRotation, 916, "CUDA_ERROR_KEY_ROTATION"},
		{ErrUnknown, 999, "CUDA_ERROR_UNKNOWN"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, int32(c.got), c.name)
		assert.Equal(t, c.name, c.got.String())
	}
	assert.Len(t, resultNames, len(cases), "every declared Result is pinned")
	assert.Equal(t, "CUresult(123456)", Result(123456).String())
}

func TestDeviceAttributeValues(t *testing.T) {
	cases := []struct {
		got  DeviceAttribute
		want int32
		name string
	}{
		{AttrMaxThreadsPerBlock, 1, "CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK"},
		{AttrMaxBlockDimX, 2, "CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X"},
		{AttrMaxBlockDimY, 3, "CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y"},
		{AttrMaxBlockDimZ, 4, "CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z"},
		{AttrMaxGridDimX, 5, "CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X"},
		{AttrMaxGridDimY, 6, "CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y"},
		{AttrMaxGridDimZ, 7, "CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z"},
		{AttrMaxSharedMemoryPerBlock, 8, "CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK"},
		{AttrTotalConstantMemory, 9, "CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY"},
		{AttrWarpSize, 10, "CU_DEVICE_ATTRIBUTE_WARP_SIZE"},
		{AttrMaxRegistersPerBlock, 12, "CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK"},
		{AttrClockRate, 13, "CU_DEVICE_ATTRIBUTE_CLOCK_RATE"},
		{AttrMultiprocessorCount, 16, "CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT"},
		{AttrKernelExecTimeout, 17, "CU_DEVICE_ATTRIBUTE_KERNEL_EXEC_TIMEOUT"},
		{AttrIntegrated, 18, "CU_DEVICE_ATTRIBUTE_INTEGRATED"},
		{AttrComputeMode, 20, "CU_DEVICE_ATTRIBUTE_COMPUTE_MODE"},
		{AttrConcurrentKernels, 31, "CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS"},
		{AttrECCEnabled, 32, "CU_DEVICE_ATTRIBUTE_ECC_ENABLED"},
		{AttrPCIBusID, 33, "CU_DEVICE_ATTRIBUTE_PCI_BUS_ID"},
		{AttrPCIDeviceID, 34, "CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID"},
		{AttrMemoryClockRate, 36, "CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE"},
		{AttrGlobalMemoryBusWidth, 37, "CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH"},
		{AttrL2CacheSize, 38, "CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE"},
		{AttrMaxThreadsPerMultiprocessor, 39, "CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR"},
		{AttrAsyncEngineCount, 40, "CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT"},
		{AttrUnifiedAddressing, 41, "CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING"},
		{AttrPCIDomainID, 50, "CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID"},
		{AttrComputeCapabilityMajor, 75, "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR"},
		{AttrComputeCapabilityMinor, 76, "CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR"},
		{AttrMaxSharedMemoryPerMultiprocessor, 81, "CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR"},
		{AttrMaxRegistersPerMultiprocessor, 82, "CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR"},
		{AttrManagedMemory, 83, "CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY"},
		{AttrCooperativeLaunch, 95, "CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH"},
		{AttrMaxSharedMemoryPerBlockOptin, 97, "CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN"},
		{AttrMaxBlocksPerMultiprocessor, 106, "CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR"},
		{AttrMaxPersistingL2CacheSize, 108, "CU_DEVICE_ATTRIBUTE_MAX_PERSISTING_L2_CACHE_SIZE"},
		{AttrReservedSharedMemoryPerBlock, 111, "CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK"},
		{AttrClusterLaunch, 120, "CU_DEVICE_ATTRIBUTE_CLUSTER_LAUNCH"},
		{AttrTensorMapAccessSupported, 127, "CU_DEVICE_ATTRIBUTE_TENSOR_MAP_ACCESS_SUPPORTED"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, int32(c.got), c.name)
	}
}

func TestJITOptionValues(t *testing.T) {
	cases := []struct {
		got  JITOption
		want int32
		name string
	}{
		{JITMaxRegisters, 0, "CU_JIT_MAX_REGISTERS"},
		{JITThreadsPerBlock, 1, "CU_JIT_THREADS_PER_BLOCK"},
		{JITWallTime, 2, "CU_JIT_WALL_TIME"},
		{JITInfoLogBuffer, 3, "CU_JIT_INFO_LOG_BUFFER"},
		{JITInfoLogBufferSizeBytes, 4, "CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES"},
		{JITErrorLogBuffer, 5, "CU_JIT_ERROR_LOG_BUFFER"},
		{JITErrorLogBufferSizeBytes, 6, "CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES"},
		{JITOptimizationLevel, 7, "CU_JIT_OPTIMIZATION_LEVEL"},
		{JITTargetFromCucontext, 8, "CU_JIT_TARGET_FROM_CUCONTEXT"},
		{JITTarget, 9, "CU_JIT_TARGET"},
		{JITFallbackStrategy, 10, "CU_JIT_FALLBACK_STRATEGY"},
		{JITGenerateDebugInfo, 11, "CU_JIT_GENERATE_DEBUG_INFO"},
		{JITLogVerbose, 12, "CU_JIT_LOG_VERBOSE"},
		{JITGenerateLineInfo, 13, "CU_JIT_GENERATE_LINE_INFO"},
		{JITCacheMode, 14, "CU_JIT_CACHE_MODE"},
		{JITNewSM3XOpt, 15, "CU_JIT_NEW_SM3X_OPT"},
		{JITFastCompile, 16, "CU_JIT_FAST_COMPILE"},
		{JITGlobalSymbolNames, 17, "CU_JIT_GLOBAL_SYMBOL_NAMES"},
		{JITGlobalSymbolAddresses, 18, "CU_JIT_GLOBAL_SYMBOL_ADDRESSES"},
		{JITGlobalSymbolCount, 19, "CU_JIT_GLOBAL_SYMBOL_COUNT"},
		{JITLTO, 20, "CU_JIT_LTO"},
		{JITFTZ, 21, "CU_JIT_FTZ"},
		{JITPrecDiv, 22, "CU_JIT_PREC_DIV"},
		{JITPrecSqrt, 23, "CU_JIT_PREC_SQRT"},
		{JITFMA, 24, "CU_JIT_FMA"},
		{JITReferencedKernelNames, 25, "CU_JIT_REFERENCED_KERNEL_NAMES"},
		{JITReferencedKernelCount, 26, "CU_JIT_REFERENCED_KERNEL_COUNT"},
		{JITReferencedVariableNames, 27, "CU_JIT_REFERENCED_VARIABLE_NAMES"},
		{JITReferencedVariableCount, 28, "CU_JIT_REFERENCED_VARIABLE_COUNT"},
		{JITOptimizeUnusedDeviceVariables, 29, "CU_JIT_OPTIMIZE_UNUSED_DEVICE_VARIABLES"},
		{JITPositionIndependentCode, 30, "CU_JIT_POSITION_INDEPENDENT_CODE"},
		{JITMinCTAPerSM, 31, "CU_JIT_MIN_CTA_PER_SM"},
		{JITMaxThreadsPerBlock, 32, "CU_JIT_MAX_THREADS_PER_BLOCK"},
		{JITOverrideDirectiveValues, 33, "CU_JIT_OVERRIDE_DIRECTIVE_VALUES"},
		{JITSplitCompile, 34, "CU_JIT_SPLIT_COMPILE"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, int32(c.got), c.name)
	}
}

func TestFunctionAttributeValues(t *testing.T) {
	cases := []struct {
		got  FunctionAttribute
		want int32
		name string
	}{
		{FuncAttrMaxThreadsPerBlock, 0, "CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK"},
		{FuncAttrSharedSizeBytes, 1, "CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES"},
		{FuncAttrConstSizeBytes, 2, "CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES"},
		{FuncAttrLocalSizeBytes, 3, "CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES"},
		{FuncAttrNumRegs, 4, "CU_FUNC_ATTRIBUTE_NUM_REGS"},
		{FuncAttrPTXVersion, 5, "CU_FUNC_ATTRIBUTE_PTX_VERSION"},
		{FuncAttrBinaryVersion, 6, "CU_FUNC_ATTRIBUTE_BINARY_VERSION"},
		{FuncAttrCacheModeCa, 7, "CU_FUNC_ATTRIBUTE_CACHE_MODE_CA"},
		{FuncAttrMaxDynamicSharedSizeBytes, 8, "CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES"},
		{FuncAttrPreferredSharedMemoryCarveout, 9, "CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT"},
		{FuncAttrClusterSizeMustBeSet, 10, "CU_FUNC_ATTRIBUTE_CLUSTER_SIZE_MUST_BE_SET"},
		{FuncAttrRequiredClusterWidth, 11, "CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH"},
		{FuncAttrRequiredClusterHeight, 12, "CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_HEIGHT"},
		{FuncAttrRequiredClusterDepth, 13, "CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_DEPTH"},
		{FuncAttrNonPortableClusterSizeAllowed, 14, "CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED"},
		{FuncAttrClusterSchedulingPolicyPreference, 15, "CU_FUNC_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE"},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, int32(c.got), c.name)
	}
}

func TestFlagValues(t *testing.T) {
	assert.Equal(t, uint32(0), uint32(StreamDefault), "CU_STREAM_DEFAULT")
	assert.Equal(t, uint32(1), uint32(StreamNonBlocking), "CU_STREAM_NON_BLOCKING")
	assert.Equal(t, uint32(0), uint32(EventDefault), "CU_EVENT_DEFAULT")
	assert.Equal(t, uint32(1), uint32(EventBlockingSync), "CU_EVENT_BLOCKING_SYNC")
	assert.Equal(t, uint32(2), uint32(EventDisableTiming), "CU_EVENT_DISABLE_TIMING")
	assert.Equal(t, uint32(4), uint32(EventInterprocess), "CU_EVENT_INTERPROCESS")
}
