#!/usr/bin/env python3
"""tilec's peer benchmark: what a user would run instead of tilec, timed the
way `tilec bench` times tilec (CUDA events, medians), at the same shapes.

  attention  torch SDPA (flash = FlashAttention-2, cuDNN, memory-efficient)
             and a plain Triton FlashAttention-2 kernel (tl.dot); run again
             with DISABLE_MMA_V3=1 to force Triton onto mma.sync, the
             instruction tilec's sm_80 path uses
  rope       torch eager, torch.compile and a Triton kernel, bf16 rotate-half,
             x[T, H, D] with cos/sin caches [T, D/2]
  moe        torch softmax + top-k + stable argsort + bincount + cumsum +
             index_select (the dispatch a PyTorch user writes), f32 logits
  limits     device-to-device copy bandwidth, cuBLAS bf16/fp16 matmul

PEERS_QUICK=1 measures attention at N=4096 in f16 only (a short GPU lease).

Writes $OUT/peers.json (OUT defaults to /tmp/tilec-gpu); with
DISABLE_MMA_V3=1 it writes $OUT/peers-mma.json. Bytes and FLOPs are counted
as tilec counts them (kernels/*/host.go).
"""
import json
import math
import os

import torch
import triton
import triton.language as tl

OUT = os.environ.get("OUT", "/tmp/tilec-gpu")
MMA_V2 = os.environ.get("DISABLE_MMA_V3") == "1"
QUICK = os.environ.get("PEERS_QUICK") == "1"
os.makedirs(OUT, exist_ok=True)
dev = torch.device("cuda")
result = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
          "triton": triton.__version__, "mma_v2_only": MMA_V2, "rows": []}


def median_ms(fn, reps=50, warm=5, flush=True):
    """Median of CUDA-event timings; the L2 is flushed before each run as
    tilec's timer does."""
    scratch = torch.empty(256 * 1024 * 1024 // 4, dtype=torch.int32, device=dev)
    for _ in range(warm):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        if flush:
            scratch.zero_()
        s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        s.record()
        fn()
        e.record()
        e.synchronize()
        times.append(s.elapsed_time(e))
    times.sort()
    return times[len(times) // 2]


def record(group, name, shape, ms, flops=None, nbytes=None, err=None):
    r = {"group": group, "name": name, "shape": shape, "ms": ms}
    if flops is not None:
        r["tflops"] = flops / ms / 1e9
    if nbytes is not None:
        r["gbps"] = nbytes / ms / 1e6
    if err is not None:
        r["rel_l2_err"] = float(err)
    result["rows"].append(r)
    extra = (f"{r['tflops']:8.1f} TFLOP/s" if "tflops" in r else "") + (f"{r['gbps']:8.1f} GB/s" if "gbps" in r else "")
    print(f"{group:6s} {name:28s} {shape:40s} {ms:9.4f} ms {extra}", flush=True)
    save()  # after every row: a run cut short keeps what it measured


def save():
    path = os.path.join(OUT, "peers-mma.json" if MMA_V2 else "peers.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    return path


def limits():
    x = torch.empty(1 << 30, dtype=torch.float16, device=dev)
    y = torch.empty_like(x)
    ms = median_ms(lambda: y.copy_(x), reps=20, flush=False)
    record("limit", "d2d copy", "2 GiB", ms, nbytes=2 * x.numel() * 2)
    del x, y
    for dt in (torch.bfloat16, torch.float16):
        a = torch.randn(8192, 8192, dtype=dt, device=dev)
        b = torch.randn_like(a)
        ms = median_ms(lambda: a @ b, reps=20, flush=False)
        record("limit", f"{str(dt)[6:]} matmul", "8192^3", ms, flops=2 * 8192 ** 3)
    torch.cuda.empty_cache()


@triton.jit
def _attn(Q, K, V, O, sm_scale, N_CTX, D: tl.constexpr, BM: tl.constexpr, BN: tl.constexpr, CAUSAL: tl.constexpr):
    pid_m = tl.program_id(0)
    base = tl.program_id(1).to(tl.int64) * N_CTX * D
    offs_m = pid_m * BM + tl.arange(0, BM)
    offs_n = tl.arange(0, BN)
    offs_d = tl.arange(0, D)
    q = tl.load(Q + base + offs_m[:, None] * D + offs_d[None, :])
    m_i = tl.full([BM], float("-inf"), tl.float32)
    l_i = tl.zeros([BM], tl.float32)
    acc = tl.zeros([BM, D], tl.float32)
    scale = sm_scale * 1.44269504
    hi = (pid_m + 1) * BM if CAUSAL else N_CTX
    for start in range(0, hi, BN):
        kt = tl.load(K + base + (start + offs_n)[None, :] * D + offs_d[:, None])
        qk = tl.dot(q, kt) * scale
        if CAUSAL:
            qk = tl.where(offs_m[:, None] >= (start + offs_n)[None, :], qk, float("-inf"))
        m_ij = tl.maximum(m_i, tl.max(qk, 1))
        p = tl.math.exp2(qk - m_ij[:, None])
        alpha = tl.math.exp2(m_i - m_ij)
        l_i = l_i * alpha + tl.sum(p, 1)
        acc = acc * alpha[:, None]
        v = tl.load(V + base + (start + offs_n)[:, None] * D + offs_d[None, :])
        acc = tl.dot(p.to(v.dtype), v, acc)
        m_i = m_ij
    tl.store(O + base + offs_m[:, None] * D + offs_d[None, :], (acc / l_i[:, None]).to(O.dtype.element_ty))


def attention():
    from torch.nn.attention import SDPBackend, sdpa_kernel
    backends = [("sdpa-flash", SDPBackend.FLASH_ATTENTION), ("sdpa-cudnn", SDPBackend.CUDNN_ATTENTION),
                ("sdpa-efficient", SDPBackend.EFFICIENT_ATTENTION)]
    configs = [(128, 64, 4, 3), (128, 64, 8, 3), (128, 128, 8, 2), (64, 64, 4, 4), (128, 32, 4, 3)]
    for dt in (torch.float16,) if QUICK else (torch.float16, torch.bfloat16):
        for D in (64, 128):
            for N in (4096,) if QUICK else (1024, 4096, 16384):
                H, B = 2048 // D, max(1, 16384 // N)
                for causal in (False, True):
                    q = torch.randn(B, H, N, D, device=dev, dtype=dt)
                    k, v = torch.randn_like(q), torch.randn_like(q)
                    flops = 4 * B * H * N * N * D / (2 if causal else 1)
                    shape = f"B={B},D={D},H={H},N={N},causal={int(causal)} {str(dt)[6:].replace('float', 'f').replace('bfloat16', 'bf16')}"
                    ref = None
                    if not MMA_V2:
                        for name, be in backends:
                            try:
                                with sdpa_kernel([be]):
                                    f = lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=causal)
                                    o = f()
                                    ref = o.float() if ref is None else ref
                                    ms = median_ms(f)
                                record("attn", name, shape, ms, flops=flops, err=(o.float() - ref).norm() / ref.norm())
                            except Exception as ex:  # a backend the build lacks
                                print(f"attn   {name} unavailable: {type(ex).__name__}: {str(ex)[:80]}")
                    best = None
                    for bm, bn, w, s in configs:
                        if N % bm or N % bn or bn > D:
                            continue
                        o = torch.empty_like(q)
                        f = lambda: _attn[(N // bm, B * H)](q, k, v, o, 1 / math.sqrt(D), N, D, bm, bn, causal, num_warps=w, num_stages=s)
                        try:
                            f()
                            ms = median_ms(f, reps=30)
                        except Exception as ex:
                            print(f"attn   triton {(bm, bn, w, s)} failed: {type(ex).__name__}: {str(ex)[:80]}")
                            continue
                        if best is None or ms < best[0]:
                            best = (ms, (bm, bn, w, s))
                    if best:
                        name = "triton-fa2-mma" if MMA_V2 else "triton-fa2"
                        record("attn", f"{name} {best[1]}", shape, best[0], flops=flops)
                    del q, k, v
                    torch.cuda.empty_cache()


@triton.jit
def _rope(X, COS, SIN, Y, H: tl.constexpr, D: tl.constexpr):
    t = tl.program_id(0)
    h = tl.arange(0, H)[:, None]
    d = tl.arange(0, D // 2)[None, :]
    base = t.to(tl.int64) * H * D
    x1 = tl.load(X + base + h * D + d).to(tl.float32)
    x2 = tl.load(X + base + h * D + d + D // 2).to(tl.float32)
    c = tl.load(COS + t * (D // 2) + d).to(tl.float32)
    s = tl.load(SIN + t * (D // 2) + d).to(tl.float32)
    tl.store(Y + base + h * D + d, (x1 * c - x2 * s).to(Y.dtype.element_ty))
    tl.store(Y + base + h * D + d + D // 2, (x2 * c + x1 * s).to(Y.dtype.element_ty))


def rope():
    for T, H, D in ((16384, 32, 128), (65536, 8, 128)):
        x = torch.randn(T, H, D, device=dev, dtype=torch.bfloat16)
        inv = 1.0 / (10000 ** (torch.arange(0, D, 2, device=dev).float() / D))
        ang = torch.arange(T, device=dev).float()[:, None] * inv[None, :]
        cos, sin = ang.cos().to(x.dtype), ang.sin().to(x.dtype)
        nbytes = 2 * x.numel() * 2 + 2 * cos.numel() * 2
        shape = f"D={D},H={H},HK=0,T={T},pos=0 bf16"

        def eager():
            x1, x2 = x[..., : D // 2], x[..., D // 2:]
            c, s = cos[:, None, :], sin[:, None, :]
            return torch.cat((x1 * c - x2 * s, x2 * c + x1 * s), dim=-1)

        record("rope", "torch-eager", shape, median_ms(eager), nbytes=nbytes)
        y = torch.empty_like(x)
        record("rope", "triton", shape, median_ms(lambda: _rope[(T,)](x, cos, sin, y, H, D, num_warps=4)), nbytes=nbytes)
        try:
            ce = torch.compile(eager)
            ce()
            record("rope", "torch.compile", shape, median_ms(ce), nbytes=nbytes)
        except Exception as ex:
            print("rope   torch.compile unavailable:", type(ex).__name__, str(ex)[:80])
        del x, y
        torch.cuda.empty_cache()


def moe():
    for T, Hd, E, K in ((16384, 4096, 8, 2), (8192, 7168, 256, 8), (32768, 2048, 128, 8)):
        x = torch.randn(T, Hd, device=dev, dtype=torch.bfloat16)
        logits = torch.randn(T, E, device=dev, dtype=torch.float32)

        def dispatch():
            w, ids = torch.topk(torch.softmax(logits, -1), K, dim=-1)
            flat = ids.flatten()
            order = torch.argsort(flat, stable=True)
            counts = torch.bincount(flat, minlength=E)
            offsets = torch.cumsum(counts, 0)
            return x.index_select(0, order // K), order, offsets, w

        nbytes = T * K * Hd * 2 * 2 + T * E * 4
        record("moe", "torch topk+sort+gather", f"E={E},Hd={Hd},K={K},T={T},f32logits=1 bf16", median_ms(dispatch), nbytes=nbytes)
        del x, logits
        torch.cuda.empty_cache()


if __name__ == "__main__":
    if not MMA_V2:
        limits()
    attention()
    if not MMA_V2:
        rope()
        moe()
    print("wrote", save())
