"""The size sweeps of the GPU calibration suite: which ops it measures, per rate key.

Sizes cover the regimes the methods' steps live in: host-bound tiny ops, device-bound
streaming ops from L2-sized to many GB, skinny decode GEMV/GEMM and large prefill GEMM,
decode and prefill attention with GQA/MQA, top-k over short and very long rows, row gathers of
KV-page to document size, and copies both ways over the host link. The grid is mostly powers
of two; the validation composites (calibration/cases/validation.yaml) sit off it.

`full` is the profile run (~5 min on an H100), `quick` a third of it for smoke runs, `tiny` a
few small points per key for tests on CPU torch.
"""

from __future__ import annotations

from hetsim.ops import Attention, Copy, Elementwise, Gather, Matmul, Op, Reduction, Softmax, TopK

KiB, MiB = 1 << 10, 1 << 20


def _matmul() -> list[Op]:
    ops: list[Op] = []
    for m in (1, 2, 8, 32, 128):  # decode: weight-streaming GEMV / skinny GEMM
        for n, k in ((4096, 4096), (6144, 4096), (14336, 4096), (4096, 14336), (1024, 8192)):
            ops.append(Matmul(m, n, k))
    ops += [Matmul(1, 128256, 4096), Matmul(32, 128256, 4096)]  # lm_head
    for m in (512, 2048, 8192):  # prefill
        for n, k in ((4096, 4096), (14336, 4096), (4096, 14336)):
            ops.append(Matmul(m, n, k))
    ops += [Matmul(s, s, s) for s in (256, 1024, 2048, 4096, 8192)]
    ops += [Matmul(1000, 3000, 5000), Matmul(96, 50000, 768), Matmul(16, 250000, 1024)]
    # row strides not a multiple of 16 bytes: cuBLAS falls back to slower kernels
    for m in (1, 16, 128):
        for n, k in ((5100, 4096), (4096, 1100), (30001, 768)):
            ops.append(Matmul(m, n, k))
    return ops


def _bmm() -> list[Op]:
    ops: list[Op] = []
    for rows in (8, 32, 128):  # Quest page scores: [rows, g, d] x [rows, pages, d]^T
        for pages in (512, 4096, 16384):
            ops.append(Matmul(4, pages, 128, batch=rows, shared_b=False))
    for b in (1, 4):  # indexer scores: [b, heads, d] x [b, ctx, d]^T
        for ctx in (8192, 65536):
            ops.append(Matmul(64, ctx, 128, batch=b, shared_b=False))
    ops += [Matmul(1, 8192, 128, batch=16, shared_b=False), Matmul(1, 2048, 768, batch=64, shared_b=False),
            Matmul(1, 32768, 1024, batch=16, shared_b=False),
            Matmul(128, 128, 128, batch=64, shared_b=False), Matmul(512, 512, 128, batch=32, shared_b=False),
            Matmul(1024, 1024, 1024, batch=8, shared_b=False), Matmul(2048, 2048, 128, batch=16, shared_b=False)]
    # unaligned: page or token counts that are not a multiple of 8 (16-byte rows in bf16)
    for b, n in ((8, 1100), (8, 5100), (32, 2700), (32, 9999), (128, 1100), (128, 2700), (256, 2700),
                 (512, 1100), (16, 20002)):
        ops.append(Matmul(4, n, 128, batch=b, shared_b=False))
    ops += [Matmul(1, 2700, 768, batch=32, shared_b=False), Matmul(64, 30002, 128, batch=2, shared_b=False),
            Matmul(16, 5100, 128, batch=64, shared_b=False)]
    return ops


def _attention() -> list[Op]:
    ops: list[Op] = []
    for b, kv in ((1, 1024), (1, 8192), (1, 32768), (1, 131072), (4, 4096), (4, 32768), (16, 2048),
                  (16, 16384), (64, 1024), (64, 8192), (256, 1024)):
        ops.append(Attention(b, 32, 8, 1, kv, 128))
    ops += [Attention(b, 16, 1, 1, 2048, 128) for b in (1, 8, 64)]  # MQA, as sparse MLA-like steps
    ops += [Attention(4, 32, 32, 1, 8192, 128), Attention(8, 32, 8, 1, 3000, 64)]
    for b, s in ((1, 512), (1, 2048), (1, 8192), (4, 1024)):
        ops.append(Attention(b, 32, 8, s, s, 128, causal=True))
    ops += [Attention(2, 32, 8, 16, 4096, 128, causal=True), Attention(8, 32, 8, 128, 2048, 128)]
    return ops


def _elementwise() -> list[Op]:
    ops: list[Op] = []
    for e in (10, 14, 17, 20, 22, 24, 26, 28):
        ops.append(Elementwise(1 << e, 1))
        ops.append(Elementwise(1 << e, 2))
    ops += [Elementwise(1 << e, 3) for e in (14, 20, 24, 27)]
    ops += [Elementwise(1 << e, 1, broadcast_numel=4096) for e in (14, 20, 24, 27)]
    ops += [Elementwise(1 << e, 2, broadcast_numel=4096) for e in (20, 26)]
    ops += [Elementwise(1 << e, 2, dtype="fp32") for e in (16, 22, 27)]
    return ops


def _reduction() -> list[Op]:
    shapes = ((1, 1 << 12), (1, 1 << 16), (1, 1 << 20), (1, 1 << 24), (32, 128256), (4096, 4096),
              (1 << 16, 128), (1 << 18, 16), (1 << 20, 4), (1 << 22, 4), (1 << 14, 4), (1024, 1 << 16),
              (1 << 12, 4), (1 << 16, 8), (1 << 18, 4), (1 << 20, 2), (1 << 19, 16), (1 << 21, 8), (3 << 19, 4))
    return [Reduction(r, c, kind=("sum", "max", "min")[i % 3]) for i, (r, c) in enumerate(shapes)]


def _softmax() -> list[Op]:
    shapes = ((1, 1 << 20), (32, 32768), (256, 4096), (4096, 4096), (1 << 16, 128), (8, 128256),
              (1024, 1024), (64, 1 << 16), (1, 4096))
    return [Softmax(r, c) for r, c in shapes]


def _topk() -> list[Op]:
    ops: list[Op] = []
    for rows in (1, 8, 64, 256):
        for n in (1024, 16384, 262144, 1 << 21):
            if rows * n > (1 << 27):
                continue
            for k in (16, 256, 2048):
                if k < n and not (n == 1024 and k == 2048):
                    ops.append(TopK(rows, n, k))
    ops += [TopK(2048, 4096, 64), TopK(8192, 1024, 8)]
    # one block per row below PyTorch's multi-block thresholds: waves of rows over the SMs
    for rows, n, k in ((1, 200, 8), (1, 2000, 64), (1, 6000, 512), (1, 12000, 8), (1, 19000, 64),
                       (4, 600, 64), (4, 6000, 8), (16, 2000, 512), (16, 12000, 64), (64, 600, 8),
                       (64, 6000, 64), (132, 2000, 8), (132, 4000, 512), (200, 600, 64), (264, 2000, 64),
                       (500, 200, 8), (500, 2000, 512), (1000, 600, 64), (3000, 200, 64)):
        ops.append(TopK(rows, n, k))
    ops += [TopK(4, 100000, 64), TopK(32, 50000, 128), TopK(128, 20000, 16), TopK(500, 5000, 64),
            TopK(1000, 2000, 32), TopK(12, 700000, 256)]
    return ops


def _gather() -> list[Op]:
    ops: list[Op] = []
    for rows, row_bytes, src in ((256, 256, 1 << 20), (4096, 256, 1 << 20), (65536, 256, 1 << 22),
                                 (1 << 20, 256, 1 << 23), (4096, 64, 1 << 22), (65536, 64, 1 << 24),
                                 (4096, 1024, 1 << 20), (65536, 1024, 1 << 20), (262144, 1024, 1 << 21),
                                 (1024, 4096, 1 << 18), (16384, 4096, 1 << 18), (131072, 4096, 1 << 19),
                                 (64, 1536, 1 << 20), (16384, 1536, 1 << 20), (32, 128, 4096),
                                 (500, 3000, 1 << 20), (20000, 3000, 1 << 19), (5000, 200, 1 << 22)):
        ops.append(Gather(rows, row_bytes, src))
    return ops


def _copies() -> list[Op]:
    ops: list[Op] = [Copy(1 << e, "d2d") for e in (12, 16, 20, 24, 26, 28, 30)]
    for direction in ("h2d", "d2h"):
        ops += [Copy(1 << e, direction) for e in (12, 16, 20, 22, 24, 26, 28)]
    return ops


def _tiny() -> list[Op]:
    """A few small points per key: the suite end to end on CPU torch in seconds."""
    # matrix ops in fp32: CPU bf16 GEMMs take erratic slow paths in some oneDNN builds
    f = "fp32"
    return [
        *(Matmul(m, 64, 64, dtype=f) for m in (1, 4, 16, 64)), Matmul(128, 128, 128, dtype=f),
        *(Matmul(4, n, 32, batch=4, shared_b=False, dtype=f) for n in (64, 256, 1024, 2048)),
        *(Elementwise(1 << e, 2) for e in (10, 13, 16, 18)), Elementwise(1 << 14, 1, broadcast_numel=64),
        *(Reduction(r, 256) for r in (4, 64, 512, 2048)),
        *(Softmax(r, 256) for r in (4, 64, 512, 2048)),
        *(TopK(r, 1024, 16) for r in (1, 8, 64, 256)),
        *(Reduction(r, 4) for r in (256, 2048, 16384)),
        *(Gather(r, 256, 4096) for r in (16, 256, 1024, 4096)),
        *(Attention(b, 4, 2, 1, kv, 32, dtype=f) for b, kv in ((1, 128), (2, 512), (4, 1024), (8, 2048))),
        *(Attention(1, 4, 2, s, s, 32, f, causal=True) for s in (64, 128, 256)),
        *(Copy(1 << e, d) for d in ("d2d", "h2d", "d2h") for e in (12, 16, 20)),
    ]


def sweep(mode: str = "full") -> list[Op]:
    if mode == "tiny":
        return _tiny()
    groups = [_matmul(), _bmm(), _attention(), _elementwise(), _reduction(), _softmax(), _topk(), _gather(), _copies()]
    if mode == "quick":
        groups = [g[::3] for g in groups]
    elif mode != "full":
        raise ValueError(f"sweep mode must be full, quick or tiny, got {mode!r}")
    return [op for g in groups for op in g]
