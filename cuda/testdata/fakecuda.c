/*
 * fakecuda.c: a fake libcuda.so.1 for tilec's tests on machines without a GPU.
 *
 * It exports every driver symbol that cuda/symbols.go binds, with the calling
 * conventions of cuda.h (CUDA 13.0), and behaves like the driver where the
 * binding depends on it:
 *
 *   - cuInit must succeed before other calls (CUDA_ERROR_NOT_INITIALIZED);
 *     FAKECUDA_INIT_RESULT=<code> makes cuInit fail with that code.
 *   - the current context is per thread, as in the driver: calls that need a
 *     context fail with CUDA_ERROR_INVALID_CONTEXT on a thread that has none.
 *     This is what proves the binding binds its context on whatever OS thread
 *     a goroutine runs on.
 *   - two devices: "Fake H100" (sm_90, 132 SMs) and "Fake A100" (sm_80).
 *   - "device" memory is host memory from malloc, tracked so that copies out
 *     of bounds and frees of unknown pointers fail like the driver's.
 *   - cuModuleLoadDataEx parses the .entry signatures of the PTX (parameter
 *     sizes), honours the JIT log buffers and their sizes, writes the wall
 *     time, and fails with CUDA_ERROR_INVALID_PTX and a ptxas-style error log
 *     naming the line of the marker FAKE_JIT_ERROR when the PTX contains it.
 *     A comment "// fakecuda: NAME regs=R local=L shared=S const=C maxthreads=T"
 *     sets the attributes the fake reports for kernel NAME.
 *   - cuLaunchKernel checks the launch like the driver (block size, dynamic
 *     shared memory against the opt-in limit, stream handle), copies each
 *     parameter's bytes out through kernelParams using the sizes of the
 *     kernel's .param list, records the launch, advances a fake device clock by
 *     0.25 ms, and runs one kernel for real: "fakecuda_fill(u64 p, u32 n, u32 v)"
 *     stores v into n 32-bit words at p.
 *   - events stamp the fake device clock, so elapsed times are exact.
 *   - cuTensorMapEncodeTiled checks what the driver documents about the map's
 *     own alignment (64 bytes) and the ranks, then, instead of an opaque
 *     descriptor, writes its arguments into the 128 bytes (the layout is at
 *     the function) so the tests can see that they crossed the C ABI intact.
 *
 * Test-only symbols (fake_*) let the Go tests inspect what the binding passed
 * and inject errors. Compile-time switches build variants:
 *   -DFAKE_NO_ELAPSED_V2  omit cuEventElapsedTime_v2 (a driver older than 12.8)
 *   -DFAKE_NO_LAUNCH      omit cuLaunchKernel (a broken driver: Open must fail)
 *   -DFAKE_NO_TENSOR_MAP  omit cuTensorMapEncodeTiled (a driver older than 12.0)
 *
 * Build: gcc -shared -fPIC -o libcuda.so.1 fakecuda.c
 */
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef void *CUstream;
typedef void *CUevent;

enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_CONTEXT_IS_DESTROYED = 709,
    CUDA_ERROR_UNKNOWN = 999,
};

/* CUjit_option values used here. */
enum {
    CU_JIT_MAX_REGISTERS = 0,
    CU_JIT_WALL_TIME = 2,
    CU_JIT_INFO_LOG_BUFFER = 3,
    CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4,
    CU_JIT_ERROR_LOG_BUFFER = 5,
    CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6,
    CU_JIT_OPTIMIZATION_LEVEL = 7,
    CU_JIT_LOG_VERBOSE = 12,
    CU_JIT_NUM_OPTIONS = 35,
};

/* CUfunction_attribute values used here. */
enum {
    CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 0,
    CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES = 1,
    CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES = 2,
    CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES = 3,
    CU_FUNC_ATTRIBUTE_NUM_REGS = 4,
    CU_FUNC_ATTRIBUTE_PTX_VERSION = 5,
    CU_FUNC_ATTRIBUTE_BINARY_VERSION = 6,
    CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8,
    CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT = 9,
};

#define FAKE_DRIVER_VERSION 13000
#define DEFAULT_SHARED_PER_BLOCK (48 * 1024)
#define MAX_PARAMS 64
#define MAX_FUNCS 16
#define LAUNCH_MS 0.25

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
#define LOCK() pthread_mutex_lock(&mu)
#define UNLOCK() pthread_mutex_unlock(&mu)

/* ---- devices ---- */

struct fdevice {
    const char *name;
    int major, minor;
    int sms;
    size_t mem;
    int optin_shared; /* CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN */
    int shared_per_sm;
    int l2;
    int clock_khz, mem_clock_khz, bus_width;
};

static const struct fdevice devices[] = {
    {"Fake H100", 9, 0, 132, 80ull << 30, 232448, 233472, 50 << 20, 1980000, 2619000, 5120},
    {"Fake A100", 8, 0, 108, 40ull << 30, 166912, 167936, 40 << 20, 1410000, 1215000, 5120},
};
#define NDEVICES 2

static int initialized;

/* ---- contexts: one primary context per device, current per thread ---- */

struct fctx {
    int dev;
    int refs; /* primary context retain count; 0 = inactive */
};
static struct fctx primaries[NDEVICES] = {{0, 0}, {1, 0}};
static __thread struct fctx *current;

/* ---- error injection ---- */

struct failpoint {
    char name[64];
    int code;
    int times;
};
static struct failpoint failpoints[8];

/* fail returns a non-zero code when the test armed a failure for name. */
static CUresult fail(const char *name) {
    CUresult r = 0;
    LOCK();
    for (int i = 0; i < 8; i++) {
        if (failpoints[i].times > 0 && strcmp(failpoints[i].name, name) == 0) {
            failpoints[i].times--;
            r = failpoints[i].code;
            break;
        }
    }
    UNLOCK();
    return r;
}

#define ENTER(name)                        \
    do {                                   \
        CUresult r_ = fail(name);          \
        if (r_) return r_;                 \
        if (!initialized) return CUDA_ERROR_NOT_INITIALIZED; \
    } while (0)

/* need_ctx is the check every call that works on the current context makes. */
static CUresult need_ctx(void) {
    if (current == NULL) return CUDA_ERROR_INVALID_CONTEXT;
    if (current->refs <= 0) return CUDA_ERROR_CONTEXT_IS_DESTROYED;
    return CUDA_SUCCESS;
}

#define ENTER_CTX(name)                    \
    do {                                   \
        ENTER(name);                       \
        CUresult c_ = need_ctx();          \
        if (c_) return c_;                 \
    } while (0)

/* ---- memory ---- */

struct alloc {
    unsigned char *p;
    size_t n;
    struct alloc *next;
};
static struct alloc *allocs;
static long live_allocs;

/* range_ok reports whether [p, p+n) lies inside one allocation. */
static int range_ok(CUdeviceptr p, size_t n) {
    int ok = 0;
    LOCK();
    for (struct alloc *a = allocs; a; a = a->next) {
        uintptr_t b = (uintptr_t)a->p;
        if (p >= b && p + n <= b + a->n && p + n >= p) {
            ok = 1;
            break;
        }
    }
    UNLOCK();
    return ok;
}

/* ---- modules and functions ---- */

struct ffunc {
    char name[128];
    int nparams;
    int param_size[MAX_PARAMS];
    int param_offset[MAX_PARAMS];
    int regs, local, shared, cnst, maxthreads;
    int max_dynamic;
    int carveout;
    int ptx_version;
};

struct fmodule {
    int nfuncs;
    struct ffunc funcs[MAX_FUNCS];
    struct fmodule *next;
};
static struct fmodule *modules;

/* live_func reports whether f is a function of a loaded module. */
static int live_func(struct ffunc *f) {
    int ok = 0;
    LOCK();
    for (struct fmodule *m = modules; m && !ok; m = m->next)
        for (int i = 0; i < m->nfuncs; i++)
            if (&m->funcs[i] == f) ok = 1;
    UNLOCK();
    return ok;
}

/* ---- streams and events ---- */

struct fstream {
    unsigned flags;
    struct fstream *next;
};
static struct fstream *streams;
static long live_streams;

struct fevent {
    unsigned flags;
    int recorded;
    double t;
    struct fevent *next;
};
static struct fevent *events;
static long live_events;
static double device_ms; /* the fake device clock */

/* stream_ok accepts the NULL stream, CU_STREAM_LEGACY, CU_STREAM_PER_THREAD and live streams. */
static int stream_ok(CUstream s) {
    if (s == NULL || (uintptr_t)s == 1 || (uintptr_t)s == 2) return 1;
    int ok = 0;
    LOCK();
    for (struct fstream *x = streams; x; x = x->next)
        if ((void *)x == s) ok = 1;
    UNLOCK();
    return ok;
}

static int event_ok(struct fevent *e) {
    int ok = 0;
    LOCK();
    for (struct fevent *x = events; x; x = x->next)
        if (x == e) ok = 1;
    UNLOCK();
    return ok;
}

/* ---- what the last launch and module load received, for the tests ---- */

static struct {
    int count;
    unsigned dims[7]; /* grid x y z, block x y z, shared bytes */
    uint64_t stream, func;
    unsigned char params[4096];
    int nbytes, nparams;
    uint64_t ptrs[MAX_PARAMS]; /* the kernelParams pointers themselves */
} last_launch;

static struct {
    int n;
    int opts[32];
    uint64_t vals[32];
} last_jit;

/* ====================================================================== */
/* Initialization, version, errors                                        */
/* ====================================================================== */

CUresult cuInit(unsigned flags) {
    CUresult r = fail("cuInit");
    if (r) return r;
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    const char *env = getenv("FAKECUDA_INIT_RESULT");
    if (env && atoi(env) != 0) return atoi(env);
    initialized = 1;
    return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int *v) {
    CUresult r = fail("cuDriverGetVersion");
    if (r) return r;
    if (!v) return CUDA_ERROR_INVALID_VALUE;
    *v = FAKE_DRIVER_VERSION;
    return CUDA_SUCCESS;
}

static const struct {
    int code;
    const char *name, *text;
} errtab[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_OUT_OF_MEMORY, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {CUDA_ERROR_NOT_INITIALIZED, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {CUDA_ERROR_NO_DEVICE, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {CUDA_ERROR_INVALID_DEVICE, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {CUDA_ERROR_INVALID_PTX, "CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_NOT_READY, "CUDA_ERROR_NOT_READY", "device not ready"},
    {CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"},
    {CUDA_ERROR_CONTEXT_IS_DESTROYED, "CUDA_ERROR_CONTEXT_IS_DESTROYED", "context is destroyed"},
    {CUDA_ERROR_UNKNOWN, "CUDA_ERROR_UNKNOWN", "unknown error"},
};
#define NERRS (int)(sizeof errtab / sizeof errtab[0])

/* Like the driver, an unknown code gives CUDA_ERROR_INVALID_VALUE and *s = NULL. */
CUresult cuGetErrorName(CUresult code, const char **s) {
    for (int i = 0; i < NERRS; i++)
        if (errtab[i].code == code) {
            *s = errtab[i].name;
            return CUDA_SUCCESS;
        }
    *s = NULL;
    return CUDA_ERROR_INVALID_VALUE;
}

CUresult cuGetErrorString(CUresult code, const char **s) {
    for (int i = 0; i < NERRS; i++)
        if (errtab[i].code == code) {
            *s = errtab[i].text;
            return CUDA_SUCCESS;
        }
    *s = NULL;
    return CUDA_ERROR_INVALID_VALUE;
}

/* ====================================================================== */
/* Devices                                                                */
/* ====================================================================== */

CUresult cuDeviceGetCount(int *n) {
    ENTER("cuDeviceGetCount");
    *n = NDEVICES;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice *d, int ordinal) {
    ENTER("cuDeviceGet");
    if (ordinal < 0 || ordinal >= NDEVICES) return CUDA_ERROR_INVALID_DEVICE;
    *d = ordinal;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char *name, int len, CUdevice d) {
    ENTER("cuDeviceGetName");
    if (d < 0 || d >= NDEVICES) return CUDA_ERROR_INVALID_DEVICE;
    if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t)len, "%s", devices[d].name);
    return CUDA_SUCCESS;
}

CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice d) {
    ENTER("cuDeviceTotalMem_v2");
    if (d < 0 || d >= NDEVICES) return CUDA_ERROR_INVALID_DEVICE;
    *bytes = devices[d].mem;
    return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int *v, int attr, CUdevice d) {
    ENTER("cuDeviceGetAttribute");
    if (d < 0 || d >= NDEVICES) return CUDA_ERROR_INVALID_DEVICE;
    const struct fdevice *x = &devices[d];
    switch (attr) {
    case 1: *v = 1024; break;                         /* MAX_THREADS_PER_BLOCK */
    case 2: *v = 1024; break;                         /* MAX_BLOCK_DIM_X */
    case 3: *v = 1024; break;                         /* MAX_BLOCK_DIM_Y */
    case 4: *v = 64; break;                           /* MAX_BLOCK_DIM_Z */
    case 5: *v = 2147483647; break;                   /* MAX_GRID_DIM_X */
    case 6: *v = 65535; break;                        /* MAX_GRID_DIM_Y */
    case 7: *v = 65535; break;                        /* MAX_GRID_DIM_Z */
    case 8: *v = DEFAULT_SHARED_PER_BLOCK; break;     /* MAX_SHARED_MEMORY_PER_BLOCK */
    case 9: *v = 65536; break;                        /* TOTAL_CONSTANT_MEMORY */
    case 10: *v = 32; break;                          /* WARP_SIZE */
    case 12: *v = 65536; break;                       /* MAX_REGISTERS_PER_BLOCK */
    case 13: *v = x->clock_khz; break;                /* CLOCK_RATE */
    case 16: *v = x->sms; break;                      /* MULTIPROCESSOR_COUNT */
    case 17: *v = 0; break;                           /* KERNEL_EXEC_TIMEOUT */
    case 18: *v = 0; break;                           /* INTEGRATED */
    case 20: *v = 0; break;                           /* COMPUTE_MODE */
    case 31: *v = 1; break;                           /* CONCURRENT_KERNELS */
    case 32: *v = 1; break;                           /* ECC_ENABLED */
    case 33: *v = 0x1b + d; break;                    /* PCI_BUS_ID */
    case 34: *v = 0; break;                           /* PCI_DEVICE_ID */
    case 36: *v = x->mem_clock_khz; break;            /* MEMORY_CLOCK_RATE */
    case 37: *v = x->bus_width; break;                /* GLOBAL_MEMORY_BUS_WIDTH */
    case 38: *v = x->l2; break;                       /* L2_CACHE_SIZE */
    case 39: *v = 2048; break;                        /* MAX_THREADS_PER_MULTIPROCESSOR */
    case 40: *v = 3; break;                           /* ASYNC_ENGINE_COUNT */
    case 41: *v = 1; break;                           /* UNIFIED_ADDRESSING */
    case 50: *v = 0; break;                           /* PCI_DOMAIN_ID */
    case 75: *v = x->major; break;                    /* COMPUTE_CAPABILITY_MAJOR */
    case 76: *v = x->minor; break;                    /* COMPUTE_CAPABILITY_MINOR */
    case 81: *v = x->shared_per_sm; break;            /* MAX_SHARED_MEMORY_PER_MULTIPROCESSOR */
    case 82: *v = 65536; break;                       /* MAX_REGISTERS_PER_MULTIPROCESSOR */
    case 83: *v = 1; break;                           /* MANAGED_MEMORY */
    case 95: *v = 1; break;                           /* COOPERATIVE_LAUNCH */
    case 97: *v = x->optin_shared; break;             /* MAX_SHARED_MEMORY_PER_BLOCK_OPTIN */
    case 106: *v = 32; break;                         /* MAX_BLOCKS_PER_MULTIPROCESSOR */
    case 108: *v = x->l2 * 3 / 4; break;              /* MAX_PERSISTING_L2_CACHE_SIZE */
    case 111: *v = 1024; break;                       /* RESERVED_SHARED_MEMORY_PER_BLOCK */
    case 120: *v = x->major >= 9; break;              /* CLUSTER_LAUNCH */
    case 127: *v = x->major >= 9; break;              /* TENSOR_MAP_ACCESS_SUPPORTED */
    default: return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

/* ====================================================================== */
/* Contexts                                                               */
/* ====================================================================== */

CUresult cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice d) {
    ENTER("cuDevicePrimaryCtxRetain");
    if (d < 0 || d >= NDEVICES) return CUDA_ERROR_INVALID_DEVICE;
    LOCK();
    primaries[d].refs++;
    UNLOCK();
    *ctx = &primaries[d];
    return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
    ENTER("cuDevicePrimaryCtxRelease_v2");
    if (d < 0 || d >= NDEVICES) return CUDA_ERROR_INVALID_DEVICE;
    CUresult r = CUDA_SUCCESS;
    LOCK();
    if (primaries[d].refs <= 0)
        r = CUDA_ERROR_INVALID_CONTEXT;
    else
        primaries[d].refs--;
    UNLOCK();
    return r;
}

static int ctx_known(CUcontext c) {
    for (int i = 0; i < NDEVICES; i++)
        if (c == &primaries[i]) return 1;
    return 0;
}

CUresult cuCtxSetCurrent(CUcontext c) {
    ENTER("cuCtxSetCurrent");
    if (c != NULL && !ctx_known(c)) return CUDA_ERROR_INVALID_CONTEXT;
    current = c;
    return CUDA_SUCCESS;
}

CUresult cuCtxGetCurrent(CUcontext *c) {
    ENTER("cuCtxGetCurrent");
    *c = current;
    return CUDA_SUCCESS;
}

CUresult cuCtxSynchronize(void) {
    ENTER_CTX("cuCtxSynchronize");
    return CUDA_SUCCESS;
}

/* ====================================================================== */
/* Modules                                                                */
/* ====================================================================== */

/* param_bytes returns the size of a PTX parameter type such as ".u64" or ".b8". */
static int type_bytes(const char *t) {
    int bits = atoi(t + 2); /* ".u64" -> 64, ".f32" -> 32, ".b8" -> 8, ".pred" -> 0 */
    if (bits <= 0) return 1;
    return bits / 8;
}

/* parse_entry reads "NAME( .param ..., ... )" after ".entry" into f. */
static const char *parse_entry(const char *s, struct ffunc *f) {
    while (*s == ' ' || *s == '\t') s++;
    int n = 0;
    while (*s && *s != '(' && *s != ' ' && *s != '\n' && n < 127) f->name[n++] = *s++;
    f->name[n] = 0;
    f->regs = 32;
    f->maxthreads = 1024;
    const char *open = strchr(s, '(');
    const char *close = open ? strchr(open, ')') : NULL;
    const char *body = strchr(s, '{');
    if (!open || !close || (body && body < open)) return s; /* no parameters */
    int off = 0;
    for (const char *p = open; p && p < close; p = strstr(p + 1, ".param")) {
        if (strncmp(p, ".param", 6) != 0) continue;
        const char *q = p + 6;
        int align = 0;
        while (*q == ' ' || *q == '\t') q++;
        if (strncmp(q, ".align", 6) == 0) {
            q += 6;
            align = atoi(q);
            while (*q == ' ' || (*q >= '0' && *q <= '9')) q++;
        }
        int size = type_bytes(q);
        if (!align) align = size;
        /* an array parameter: ".b8 name[16]" */
        const char *end = q;
        while (end < close && *end != ',' && *end != '\n') end++;
        const char *br = memchr(q, '[', (size_t)(end - q));
        if (br) size *= atoi(br + 1);
        if (f->nparams < MAX_PARAMS) {
            off = (off + align - 1) / align * align;
            f->param_offset[f->nparams] = off;
            f->param_size[f->nparams] = size;
            f->nparams++;
            off += size;
        }
    }
    return close;
}

/* apply_markers reads "// fakecuda: NAME regs=.. local=.. shared=.. const=.. maxthreads=..". */
static void apply_markers(const char *ptx, struct fmodule *m) {
    for (const char *p = strstr(ptx, "// fakecuda:"); p; p = strstr(p + 1, "// fakecuda:")) {
        char name[128] = {0};
        const char *q = p + 12;
        while (*q == ' ') q++;
        int n = 0;
        while (*q && *q != ' ' && *q != '\n' && n < 127) name[n++] = *q++;
        for (int i = 0; i < m->nfuncs; i++) {
            struct ffunc *f = &m->funcs[i];
            if (strcmp(f->name, name) != 0) continue;
            const char *eol = strchr(q, '\n');
            if (!eol) eol = q + strlen(q);
            const char *v;
#define FIELD(key, dst) \
    if ((v = strstr(q, key)) && v < eol) dst = atoi(v + strlen(key));
            FIELD("regs=", f->regs);
            FIELD("local=", f->local);
            FIELD("shared=", f->shared);
            FIELD("const=", f->cnst);
            FIELD("maxthreads=", f->maxthreads);
#undef FIELD
        }
    }
}

/* put_log copies msg into a JIT log buffer of size *size and stores back the bytes used. */
static void put_log(char *buf, uint64_t *size_slot, const char *msg) {
    if (!buf || !size_slot) return;
    unsigned size = (unsigned)*size_slot;
    if (size == 0) return;
    size_t n = strlen(msg);
    if (n >= size) n = size - 1;
    memcpy(buf, msg, n);
    buf[n] = 0;
    /* The driver writes an unsigned int back into the option's value slot. */
    *(unsigned *)size_slot = (unsigned)(n + 1);
}

CUresult cuModuleLoadDataEx(CUmodule *mod, const void *image, unsigned nopts, int *opts, void **vals) {
    ENTER_CTX("cuModuleLoadDataEx");
    if (!mod || !image) return CUDA_ERROR_INVALID_VALUE;
    if (nopts > 0 && (!opts || !vals)) return CUDA_ERROR_INVALID_VALUE;
    char *info = NULL, *err = NULL;
    uint64_t *info_size = NULL, *err_size = NULL;
    float *wall = NULL;
    int verbose = 0;
    LOCK();
    last_jit.n = 0;
    for (unsigned i = 0; i < nopts; i++) {
        if (opts[i] < 0 || opts[i] >= CU_JIT_NUM_OPTIONS) {
            UNLOCK();
            return CUDA_ERROR_INVALID_VALUE;
        }
        if (last_jit.n < 32) {
            last_jit.opts[last_jit.n] = opts[i];
            last_jit.vals[last_jit.n] = (uint64_t)(uintptr_t)vals[i];
            last_jit.n++;
        }
        switch (opts[i]) {
        case CU_JIT_INFO_LOG_BUFFER: info = vals[i]; break;
        case CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES: info_size = (uint64_t *)&vals[i]; break;
        case CU_JIT_ERROR_LOG_BUFFER: err = vals[i]; break;
        case CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES: err_size = (uint64_t *)&vals[i]; break;
        case CU_JIT_WALL_TIME: wall = (float *)&vals[i]; break;
        case CU_JIT_LOG_VERBOSE: verbose = (int)(uintptr_t)vals[i]; break;
        }
    }
    UNLOCK();
    const char *ptx = image;
    if (wall) *wall = 1.5f;
    const char *marker = strstr(ptx, "FAKE_JIT_ERROR");
    if (marker) {
        int line = 1;
        for (const char *p = ptx; p < marker; p++)
            if (*p == '\n') line++;
        char msg[512];
        snprintf(msg, sizeof msg,
                 "ptxas application ptx input, line %d; error   : Unknown symbol 'FAKE_JIT_ERROR'\n"
                 "ptxas fatal   : Ptx assembly aborted due to errors\n",
                 line);
        put_log(err, err_size, msg);
        put_log(info, info_size, "ptxas info    : 0 bytes gmem\n");
        return CUDA_ERROR_INVALID_PTX;
    }
    if (!strstr(ptx, ".version")) return CUDA_ERROR_INVALID_IMAGE;

    struct fmodule *m = calloc(1, sizeof *m);
    if (!m) return CUDA_ERROR_OUT_OF_MEMORY;
    int ptx_version = 0;
    const char *v = strstr(ptx, ".version");
    if (v) {
        int maj = 0, min = 0;
        sscanf(v, ".version %d.%d", &maj, &min);
        ptx_version = maj * 10 + min;
    }
    for (const char *p = strstr(ptx, ".entry"); p && m->nfuncs < MAX_FUNCS; p = strstr(p, ".entry")) {
        struct ffunc *f = &m->funcs[m->nfuncs++];
        p = parse_entry(p + 6, f);
        f->ptx_version = ptx_version;
    }
    apply_markers(ptx, m);
    char log[4096] = "";
    size_t used = 0;
    for (int i = 0; i < m->nfuncs; i++) {
        struct ffunc *f = &m->funcs[i];
        f->max_dynamic = DEFAULT_SHARED_PER_BLOCK - f->shared;
        if (verbose && used < sizeof log)
            used += (size_t)snprintf(log + used, sizeof log - used,
                                     "ptxas info    : Compiling entry function '%s' for 'sm_%d%d'\n"
                                     "ptxas info    : Used %d registers, %d bytes smem, %d bytes lmem\n",
                                     f->name, devices[current->dev].major, devices[current->dev].minor,
                                     f->regs, f->shared, f->local);
    }
    put_log(info, info_size, log);
    put_log(err, err_size, "");
    LOCK();
    m->next = modules;
    modules = m;
    UNLOCK();
    *mod = m;
    return CUDA_SUCCESS;
}

CUresult cuModuleUnload(CUmodule mod) {
    ENTER_CTX("cuModuleUnload");
    CUresult r = CUDA_ERROR_INVALID_HANDLE;
    LOCK();
    for (struct fmodule **pp = &modules; *pp; pp = &(*pp)->next)
        if (*pp == mod) {
            *pp = (*pp)->next;
            free(mod);
            r = CUDA_SUCCESS;
            break;
        }
    UNLOCK();
    return r;
}

CUresult cuModuleGetFunction(CUfunction *fn, CUmodule mod, const char *name) {
    ENTER_CTX("cuModuleGetFunction");
    CUresult r = CUDA_ERROR_INVALID_HANDLE;
    LOCK();
    for (struct fmodule *m = modules; m; m = m->next)
        if (m == mod) {
            r = CUDA_ERROR_NOT_FOUND;
            for (int i = 0; i < m->nfuncs; i++)
                if (strcmp(m->funcs[i].name, name) == 0) {
                    *fn = &m->funcs[i];
                    r = CUDA_SUCCESS;
                }
        }
    UNLOCK();
    return r;
}

CUresult cuFuncGetAttribute(int *v, int attr, CUfunction fn) {
    ENTER_CTX("cuFuncGetAttribute");
    struct ffunc *f = fn;
    if (!live_func(f)) return CUDA_ERROR_INVALID_HANDLE;
    switch (attr) {
    case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *v = f->maxthreads; break;
    case CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES: *v = f->shared; break;
    case CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES: *v = f->cnst; break;
    case CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES: *v = f->local; break;
    case CU_FUNC_ATTRIBUTE_NUM_REGS: *v = f->regs; break;
    case CU_FUNC_ATTRIBUTE_PTX_VERSION: *v = f->ptx_version; break;
    case CU_FUNC_ATTRIBUTE_BINARY_VERSION:
        *v = devices[current->dev].major * 10 + devices[current->dev].minor;
        break;
    case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES: *v = f->max_dynamic; break;
    case CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT: *v = f->carveout; break;
    default: return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

CUresult cuFuncSetAttribute(CUfunction fn, int attr, int value) {
    ENTER_CTX("cuFuncSetAttribute");
    struct ffunc *f = fn;
    if (!live_func(f)) return CUDA_ERROR_INVALID_HANDLE;
    switch (attr) {
    case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES:
        if (value < 0 || value > devices[current->dev].optin_shared - f->shared) return CUDA_ERROR_INVALID_VALUE;
        f->max_dynamic = value;
        return CUDA_SUCCESS;
    case CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT:
        if (value < -1 || value > 100) return CUDA_ERROR_INVALID_VALUE;
        f->carveout = value;
        return CUDA_SUCCESS;
    }
    return CUDA_ERROR_INVALID_VALUE;
}

/* cuFuncGetParamInfo (CUDA 12.4+): an index past the last parameter is CUDA_ERROR_INVALID_VALUE. */
CUresult cuFuncGetParamInfo(CUfunction fn, size_t index, size_t *offset, size_t *size) {
    ENTER("cuFuncGetParamInfo");
    struct ffunc *f = fn;
    if (!live_func(f)) return CUDA_ERROR_INVALID_HANDLE;
    if (index >= (size_t)f->nparams) return CUDA_ERROR_INVALID_VALUE;
    if (offset) *offset = (size_t)f->param_offset[index];
    if (size) *size = (size_t)f->param_size[index];
    return CUDA_SUCCESS;
}

/* ====================================================================== */
/* Launch                                                                 */
/* ====================================================================== */

#ifndef FAKE_NO_LAUNCH
CUresult cuLaunchKernel(CUfunction fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                        unsigned bz, unsigned shared, CUstream stream, void **params, void **extra) {
    ENTER_CTX("cuLaunchKernel");
    struct ffunc *f = fn;
    if (!live_func(f)) return CUDA_ERROR_INVALID_HANDLE;
    if (!stream_ok(stream)) return CUDA_ERROR_INVALID_HANDLE;
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0) return CUDA_ERROR_INVALID_VALUE;
    if (gy > 65535 || gz > 65535 || bx > 1024 || by > 1024 || bz > 64) return CUDA_ERROR_INVALID_VALUE;
    if ((unsigned long long)bx * by * bz > (unsigned long long)f->maxthreads) return CUDA_ERROR_INVALID_VALUE;
    if (shared > (unsigned)f->max_dynamic) return CUDA_ERROR_INVALID_VALUE;
    if (extra != NULL) return CUDA_ERROR_INVALID_VALUE; /* the binding never uses extra */
    if (f->nparams > 0 && params == NULL) return CUDA_ERROR_INVALID_VALUE;
    LOCK();
    last_launch.count++;
    last_launch.dims[0] = gx;
    last_launch.dims[1] = gy;
    last_launch.dims[2] = gz;
    last_launch.dims[3] = bx;
    last_launch.dims[4] = by;
    last_launch.dims[5] = bz;
    last_launch.dims[6] = shared;
    last_launch.stream = (uint64_t)(uintptr_t)stream;
    last_launch.func = (uint64_t)(uintptr_t)fn;
    last_launch.nparams = f->nparams;
    int n = 0;
    /* The driver reads each parameter's bytes through its pointer; so does the fake. */
    for (int i = 0; i < f->nparams; i++) {
        last_launch.ptrs[i] = (uint64_t)(uintptr_t)params[i];
        if (n + f->param_size[i] <= (int)sizeof last_launch.params)
            memcpy(last_launch.params + n, params[i], (size_t)f->param_size[i]);
        n += f->param_size[i];
    }
    last_launch.nbytes = n;
    device_ms += LAUNCH_MS;
    UNLOCK();
    if (strcmp(f->name, "fakecuda_fill") == 0 && f->nparams == 3) {
        CUdeviceptr p = *(CUdeviceptr *)params[0];
        unsigned count = *(unsigned *)params[1], value = *(unsigned *)params[2];
        if (!range_ok(p, (size_t)count * 4)) return CUDA_ERROR_ILLEGAL_ADDRESS;
        for (unsigned i = 0; i < count; i++) ((unsigned *)(uintptr_t)p)[i] = value;
    }
    return CUDA_SUCCESS;
}
#endif

/* ====================================================================== */
/* Tensor maps                                                            */
/* ====================================================================== */

#ifndef FAKE_NO_TENSOR_MAP
/*
 * cuTensorMapEncodeTiled (CUDA 12.0+). The fake checks what concerns the
 * binding (the map's 64-byte alignment, the rank, non-NULL arrays) and
 * records its arguments, little-endian, in the 128 bytes:
 *
 *   0   u32 tensorDataType        4   u32 tensorRank
 *   8   u64 globalAddress
 *   16  u64 globalDim[5]          56  u64 globalStrides[4] (rank-1 used)
 *   88  u16 boxDim[5]             98  u8  elementStrides[5]
 *   103 u8 interleave, 104 u8 swizzle, 105 u8 l2Promotion, 106 u8 oobFill
 *   124 u32 0x4d415446 ("FTAM": written by the fake)
 */
CUresult cuTensorMapEncodeTiled(void *tensorMap, unsigned dataType, unsigned rank, void *globalAddress,
                                const uint64_t *globalDim, const uint64_t *globalStrides, const unsigned *boxDim,
                                const unsigned *elementStrides, unsigned interleave, unsigned swizzle,
                                unsigned l2Promotion, unsigned oobFill) {
    ENTER("cuTensorMapEncodeTiled");
    if (!tensorMap || ((uintptr_t)tensorMap & 63) != 0) return CUDA_ERROR_INVALID_VALUE;
    if (rank < 1 || rank > 5) return CUDA_ERROR_INVALID_VALUE;
    if (!globalAddress || !globalDim || !boxDim || !elementStrides || (rank > 1 && !globalStrides))
        return CUDA_ERROR_INVALID_VALUE;
    unsigned char *m = tensorMap;
    memset(m, 0, 128);
    uint64_t addr = (uint64_t)(uintptr_t)globalAddress;
    uint32_t magic = 0x4d415446;
    memcpy(m + 0, &dataType, 4);
    memcpy(m + 4, &rank, 4);
    memcpy(m + 8, &addr, 8);
    for (unsigned i = 0; i < rank; i++) {
        memcpy(m + 16 + 8 * i, &globalDim[i], 8);
        uint16_t b = (uint16_t)boxDim[i];
        memcpy(m + 88 + 2 * i, &b, 2);
        m[98 + i] = (unsigned char)elementStrides[i];
    }
    for (unsigned i = 0; i + 1 < rank; i++) memcpy(m + 56 + 8 * i, &globalStrides[i], 8);
    m[103] = (unsigned char)interleave;
    m[104] = (unsigned char)swizzle;
    m[105] = (unsigned char)l2Promotion;
    m[106] = (unsigned char)oobFill;
    memcpy(m + 124, &magic, 4);
    return CUDA_SUCCESS;
}
#endif

/* ====================================================================== */
/* Memory                                                                 */
/* ====================================================================== */

CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t n) {
    ENTER_CTX("cuMemAlloc_v2");
    if (n == 0) return CUDA_ERROR_INVALID_VALUE;
    if (n > devices[current->dev].mem) return CUDA_ERROR_OUT_OF_MEMORY;
    struct alloc *a = malloc(sizeof *a);
    if (!a) return CUDA_ERROR_OUT_OF_MEMORY;
    a->p = malloc(n);
    if (!a->p) {
        free(a);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    memset(a->p, 0xAB, n); /* device memory starts as garbage, not zeros */
    a->n = n;
    LOCK();
    a->next = allocs;
    allocs = a;
    live_allocs++;
    UNLOCK();
    *p = (CUdeviceptr)(uintptr_t)a->p;
    return CUDA_SUCCESS;
}

CUresult cuMemFree_v2(CUdeviceptr p) {
    ENTER_CTX("cuMemFree_v2");
    if (p == 0) return CUDA_SUCCESS;
    CUresult r = CUDA_ERROR_INVALID_VALUE;
    LOCK();
    for (struct alloc **pp = &allocs; *pp; pp = &(*pp)->next)
        if ((CUdeviceptr)(uintptr_t)(*pp)->p == p) {
            struct alloc *a = *pp;
            *pp = a->next;
            free(a->p);
            free(a);
            live_allocs--;
            r = CUDA_SUCCESS;
            break;
        }
    UNLOCK();
    return r;
}

CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total) {
    ENTER_CTX("cuMemGetInfo_v2");
    size_t used = 0;
    LOCK();
    for (struct alloc *a = allocs; a; a = a->next) used += a->n;
    UNLOCK();
    *total = devices[current->dev].mem;
    *free_bytes = *total - used;
    return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void *src, size_t n) {
    ENTER_CTX("cuMemcpyHtoD_v2");
    if (!range_ok(dst, n)) return CUDA_ERROR_INVALID_VALUE;
    memcpy((void *)(uintptr_t)dst, src, n);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoH_v2(void *dst, CUdeviceptr src, size_t n) {
    ENTER_CTX("cuMemcpyDtoH_v2");
    if (!range_ok(src, n)) return CUDA_ERROR_INVALID_VALUE;
    memcpy(dst, (void *)(uintptr_t)src, n);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) {
    ENTER_CTX("cuMemcpyDtoD_v2");
    if (!range_ok(dst, n) || !range_ok(src, n)) return CUDA_ERROR_INVALID_VALUE;
    memmove((void *)(uintptr_t)dst, (void *)(uintptr_t)src, n);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void *src, size_t n, CUstream s) {
    ENTER_CTX("cuMemcpyHtoDAsync_v2");
    if (!stream_ok(s)) return CUDA_ERROR_INVALID_HANDLE;
    if (!range_ok(dst, n)) return CUDA_ERROR_INVALID_VALUE;
    memcpy((void *)(uintptr_t)dst, src, n);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoHAsync_v2(void *dst, CUdeviceptr src, size_t n, CUstream s) {
    ENTER_CTX("cuMemcpyDtoHAsync_v2");
    if (!stream_ok(s)) return CUDA_ERROR_INVALID_HANDLE;
    if (!range_ok(src, n)) return CUDA_ERROR_INVALID_VALUE;
    memcpy(dst, (void *)(uintptr_t)src, n);
    return CUDA_SUCCESS;
}

CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s) {
    ENTER_CTX("cuMemcpyDtoDAsync_v2");
    if (!stream_ok(s)) return CUDA_ERROR_INVALID_HANDLE;
    if (!range_ok(dst, n) || !range_ok(src, n)) return CUDA_ERROR_INVALID_VALUE;
    memmove((void *)(uintptr_t)dst, (void *)(uintptr_t)src, n);
    return CUDA_SUCCESS;
}

CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char v, size_t n) {
    ENTER_CTX("cuMemsetD8_v2");
    if (!range_ok(dst, n)) return CUDA_ERROR_INVALID_VALUE;
    memset((void *)(uintptr_t)dst, v, n);
    return CUDA_SUCCESS;
}

static CUresult memset32(CUdeviceptr dst, unsigned v, size_t n) {
    if (dst % 4 != 0) return CUDA_ERROR_INVALID_VALUE;
    if (!range_ok(dst, n * 4)) return CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; i < n; i++) ((unsigned *)(uintptr_t)dst)[i] = v;
    return CUDA_SUCCESS;
}

CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned v, size_t n) {
    ENTER_CTX("cuMemsetD32_v2");
    return memset32(dst, v, n);
}

CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, CUstream s) {
    ENTER_CTX("cuMemsetD8Async");
    if (!stream_ok(s)) return CUDA_ERROR_INVALID_HANDLE;
    if (!range_ok(dst, n)) return CUDA_ERROR_INVALID_VALUE;
    memset((void *)(uintptr_t)dst, v, n);
    return CUDA_SUCCESS;
}

CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned v, size_t n, CUstream s) {
    ENTER_CTX("cuMemsetD32Async");
    if (!stream_ok(s)) return CUDA_ERROR_INVALID_HANDLE;
    return memset32(dst, v, n);
}

/* ====================================================================== */
/* Streams and events                                                     */
/* ====================================================================== */

CUresult cuStreamCreate(CUstream *s, unsigned flags) {
    ENTER_CTX("cuStreamCreate");
    if (flags > 1) return CUDA_ERROR_INVALID_VALUE;
    struct fstream *x = calloc(1, sizeof *x);
    if (!x) return CUDA_ERROR_OUT_OF_MEMORY;
    x->flags = flags;
    LOCK();
    x->next = streams;
    streams = x;
    live_streams++;
    UNLOCK();
    *s = x;
    return CUDA_SUCCESS;
}

CUresult cuStreamDestroy_v2(CUstream s) {
    ENTER_CTX("cuStreamDestroy_v2");
    CUresult r = CUDA_ERROR_INVALID_HANDLE;
    LOCK();
    for (struct fstream **pp = &streams; *pp; pp = &(*pp)->next)
        if ((void *)*pp == s) {
            struct fstream *x = *pp;
            *pp = x->next;
            free(x);
            live_streams--;
            r = CUDA_SUCCESS;
            break;
        }
    UNLOCK();
    return r;
}

CUresult cuStreamSynchronize(CUstream s) {
    ENTER_CTX("cuStreamSynchronize");
    return stream_ok(s) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

CUresult cuEventCreate(CUevent *e, unsigned flags) {
    ENTER_CTX("cuEventCreate");
    if (flags > 7) return CUDA_ERROR_INVALID_VALUE;
    struct fevent *x = calloc(1, sizeof *x);
    if (!x) return CUDA_ERROR_OUT_OF_MEMORY;
    x->flags = flags;
    LOCK();
    x->next = events;
    events = x;
    live_events++;
    UNLOCK();
    *e = x;
    return CUDA_SUCCESS;
}

CUresult cuEventDestroy_v2(CUevent e) {
    ENTER_CTX("cuEventDestroy_v2");
    CUresult r = CUDA_ERROR_INVALID_HANDLE;
    LOCK();
    for (struct fevent **pp = &events; *pp; pp = &(*pp)->next)
        if ((void *)*pp == e) {
            struct fevent *x = *pp;
            *pp = x->next;
            free(x);
            live_events--;
            r = CUDA_SUCCESS;
            break;
        }
    UNLOCK();
    return r;
}

CUresult cuEventRecord(CUevent e, CUstream s) {
    ENTER_CTX("cuEventRecord");
    if (!event_ok(e)) return CUDA_ERROR_INVALID_HANDLE;
    if (!stream_ok(s)) return CUDA_ERROR_INVALID_HANDLE;
    struct fevent *x = e;
    LOCK();
    x->recorded = 1;
    x->t = device_ms;
    UNLOCK();
    return CUDA_SUCCESS;
}

CUresult cuEventSynchronize(CUevent e) {
    ENTER_CTX("cuEventSynchronize");
    return event_ok(e) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

static int elapsed_calls[2]; /* [0]: cuEventElapsedTime, [1]: cuEventElapsedTime_v2 */

static CUresult elapsed(float *ms, CUevent a, CUevent b) {
    if (!event_ok(a) || !event_ok(b)) return CUDA_ERROR_INVALID_HANDLE;
    struct fevent *x = a, *y = b;
    if ((x->flags & 2) || (y->flags & 2)) return CUDA_ERROR_INVALID_HANDLE; /* CU_EVENT_DISABLE_TIMING */
    if (!x->recorded || !y->recorded) return CUDA_ERROR_INVALID_HANDLE;
    *ms = (float)(y->t - x->t);
    return CUDA_SUCCESS;
}

CUresult cuEventElapsedTime(float *ms, CUevent a, CUevent b) {
    ENTER_CTX("cuEventElapsedTime");
    elapsed_calls[0]++;
    return elapsed(ms, a, b);
}

#ifndef FAKE_NO_ELAPSED_V2
CUresult cuEventElapsedTime_v2(float *ms, CUevent a, CUevent b) {
    ENTER_CTX("cuEventElapsedTime_v2");
    elapsed_calls[1]++;
    return elapsed(ms, a, b);
}
#endif

/* ====================================================================== */
/* Test-only hooks                                                        */
/* ====================================================================== */

/* fake_fail makes the next `times` calls of the driver function `name` return `code`. */
int fake_fail(const char *name, int code, int times) {
    LOCK();
    for (int i = 0; i < 8; i++)
        if (failpoints[i].times <= 0) {
            snprintf(failpoints[i].name, sizeof failpoints[i].name, "%s", name);
            failpoints[i].code = code;
            failpoints[i].times = times;
            UNLOCK();
            return 0;
        }
    UNLOCK();
    return -1;
}

/* fake_last_launch copies out the last launch; it returns the parameter byte count. */
int fake_last_launch(unsigned *dims, uint64_t *stream, uint64_t *func, unsigned char *buf, int cap, int *nparams) {
    LOCK();
    memcpy(dims, last_launch.dims, sizeof last_launch.dims);
    *stream = last_launch.stream;
    *func = last_launch.func;
    *nparams = last_launch.nparams;
    int n = last_launch.nbytes < cap ? last_launch.nbytes : cap;
    memcpy(buf, last_launch.params, (size_t)n);
    int total = last_launch.nbytes;
    UNLOCK();
    return total;
}

int fake_launch_count(void) { return last_launch.count; }

/* fake_last_param_ptr returns kernelParams[i] of the last launch (0 past the last parameter). */
uint64_t fake_last_param_ptr(int i) {
    uint64_t p = 0;
    LOCK();
    if (i >= 0 && i < last_launch.nparams && i < MAX_PARAMS) p = last_launch.ptrs[i];
    UNLOCK();
    return p;
}

/* fake_jit_option returns 1 and the value passed for option opt in the last module load. */
int fake_jit_option(int opt, uint64_t *val) {
    for (int i = 0; i < last_jit.n; i++)
        if (last_jit.opts[i] == opt) {
            *val = last_jit.vals[i];
            return 1;
        }
    return 0;
}

long fake_live(int what) {
    switch (what) {
    case 0: return live_allocs;
    case 1: return live_streams;
    case 2: return live_events;
    }
    return -1;
}

int fake_primary_refs(int dev) { return primaries[dev].refs; }

int fake_elapsed_calls(int v2) { return elapsed_calls[v2 ? 1 : 0]; }

