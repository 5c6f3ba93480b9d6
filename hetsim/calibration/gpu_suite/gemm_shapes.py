"""The aten sweep's GEMM fit group: `gemm-shapes`, cuBLAS's matrix products over the shapes real code runs.

The blind checks' matmul tail (a quarter of their cases beyond 25 %) was shapes the fit groups held few of:
- decode-sized linears (1-128 rows) over weights from 2 MB to 1 GB, where the working set moves from the L2 to HBM;
- a few output columns over many rows (a router, a score head), whose tiles are too few to fill the GPU;
- mid-sized products whose tile count leaves a wave part-empty;
- attention-shaped batched products (decode and prefill, head dims 64 / 128);
- fp32 products (FFMA kernels, no TF32 by default);
- 16-bit products whose row strides are not 16-byte aligned (an odd contraction or output width);
- LoRA-like batched products over a contraction of 16-64;
- products whose row strides are 4- or 8-byte aligned (an even width not a multiple of 8);
- few output tiles over contractions of 1.5K-16K, where cuBLAS starts to split the contraction.

Shapes are a grid, not taken from any check. Fitted, never validated against (the builder drops a case equal to any
earlier group's, so the blind checks stay apart).
"""

from __future__ import annotations

GEMM_SHAPES = "gemm-shapes"


def _gemms():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, _ = _meta_makers()
    linear = _layer_makers(1e-6)[0]
    f16, f32 = torch.float16, torch.float32

    def mm(a, b):
        return torch.matmul(a, b)

    def scores(q, k):  # q @ k^T over a key cache, as eager attention code writes it
        return torch.matmul(q, k.transpose(-1, -2))

    out = []
    # decode-sized linears: rows x (output, contraction), weights 2 MB to 1 GB
    weights = ((1024, 1024), (4096, 1024), (2048, 4096), (4096, 4096), (6144, 4096), (14336, 4096), (4096, 14336),
               (32000, 4096), (128256, 4096))
    for rows in (1, 4, 16, 64):
        out += [("skinny_linear", linear, (m(rows, k), m(n, k))) for n, k in weights]
    for rows in (2, 8, 32, 128):
        out += [("skinny_linear", linear, (m(rows, k), m(n, k))) for n, k in ((1024, 1024), (4096, 4096),
                                                                              (14336, 4096), (32000, 4096))]
    out += [("skinny_linear", linear, (m(rows, k, dt=f16), m(n, k, dt=f16)))
            for rows, n, k in ((1, 4096, 4096), (8, 11008, 4096), (32, 4096, 11008), (3, 5120, 5120))]
    # a few output columns over many rows
    for rows in (512, 2048, 8192, 32768):
        out += [("narrow_linear", linear, (m(rows, k), m(n, k))) for n, k in ((8, 4096), (16, 2048), (64, 4096))]
    # mid-sized and large products: tile counts that fill a wave or leave part of one empty
    for rows in (256, 512, 1000, 2048, 3000, 4096, 8192):
        out += [("linear", linear, (m(rows, k), m(n, k))) for n, k in ((4096, 4096), (11008, 4096), (4096, 11008),
                                                                       (1536, 1536), (3072, 768))]
    out += [("linear", linear, (m(rows, k, dt=f16), m(n, k, dt=f16)))
            for rows, n, k in ((777, 5120, 5120), (2048, 8192, 1024), (4096, 1024, 8192), (1234, 2560, 2560),
                               (16384, 4096, 4096), (197, 3072, 768))]
    # attention-shaped batched products: scores (q @ k^T) and values (p @ v)
    for b, h, q, kv, d in ((1, 32, 1, 4096, 128), (8, 32, 1, 4096, 128), (32, 8, 1, 1024, 128), (1, 32, 16, 8192, 128),
                           (4, 16, 128, 128, 64), (2, 32, 1024, 1024, 128), (1, 16, 2048, 2048, 64),
                           (16, 12, 256, 256, 64)):
        out += [("bmm_scores", scores, (m(b, h, q, d), m(b, h, kv, d))),
                ("bmm_values", mm, (m(b, h, q, kv), m(b, h, kv, d)))]
    # fp32 products on the FFMA units
    out += [("linear_fp32", linear, (m(rows, k, dt=f32), m(n, k, dt=f32)))
            for rows, n, k in ((1, 4096, 4096), (32, 4096, 4096), (512, 1024, 1024), (4096, 4096, 1024),
                               (8, 1024, 1024), (2048, 2048, 2048))]
    out += [("bmm_fp32", mm, (m(b, q, k, dt=f32), m(b, k, n, dt=f32)))
            for b, q, k, n in ((32, 1, 128, 2048), (64, 256, 64, 256), (16, 1024, 64, 1024), (8, 64, 512, 64))]
    # 16-bit products whose row strides are not 16-byte aligned
    out += [("odd_linear", linear, (m(rows, k), m(n, k)))
            for rows, n, k in ((333, 4096, 4095), (64, 1025, 4096), (1, 4097, 4095), (2048, 2049, 1023),
                               (16, 11007, 4097), (4096, 1537, 1537))]
    # LoRA-like: a short contraction (the adapter's rank) on many rows or a batch of them
    out += [("lora_linear", linear, (m(rows, r), m(n, r))) for rows, r, n in ((2048, 16, 4096), (8, 64, 14336),
                                                                              (4096, 32, 4096))]
    out += [("lora_bmm", mm, (m(b, q, r), m(b, r, n))) for b, q, r, n in ((8, 1, 32, 4096), (48, 1, 16, 7168),
                                                                          (16, 64, 64, 4096))]
    # row strides 4- or 8-byte aligned but not 16 (an even width not a multiple of 8: cuBLAS's sm80 CUTLASS kernels)
    # beside odd ones (2-byte: its sm75 kernels), linears and attention-shaped products
    out += [("even_linear", linear, (m(rows, k), m(n, k)))
            for rows, n, k in ((8, 122754, 2304), (32, 50002, 1024), (2048, 60, 2048), (1032, 4096, 2700),
                               (512, 1500, 1500), (64, 4098, 4096), (1, 4096, 4094), (4096, 2050, 1026),
                               (300, 6000, 1002), (16, 10002, 4096))]
    out += [("odd_linear", linear, (m(rows, k), m(n, k)))
            for rows, n, k in ((4, 65537, 2048), (128, 32001, 4096), (1, 50257, 768), (4096, 4095, 4096))]
    for b, h, q, kv, d in ((1, 32, 1500, 1500, 128), (4, 16, 578, 578, 64), (8, 32, 1, 1502, 128),
                           (2, 12, 1370, 1370, 64), (1, 16, 1001, 1001, 64), (16, 8, 1, 999, 128)):
        out += [("bmm_scores", scores, (m(b, h, q, d), m(b, h, kv, d))),
                ("bmm_values", mm, (m(b, h, q, kv), m(b, h, kv, d)))]
    # where cuBLAS starts to split the contraction: few output tiles over a contraction of 1.5K-8K
    out += [("splitk_linear", linear, (m(rows, k), m(n, k)))
            for rows, n, k in ((4, 2048, 2560), (4, 4096, 3072), (16, 3072, 3072), (1, 1536, 7168), (8, 512, 8192),
                               (32, 2048, 2048), (64, 1024, 6144), (2, 8192, 2560), (1, 16384, 2048),
                               (256, 1024, 8192), (128, 512, 16384), (1024, 128, 8192), (4, 768, 3072))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((GEMM_SHAPES, _gemms()),))
