"""The aten sweep's fp32 product group: `gemm-fp32`, a sample of 2-D fp32 products as real code calls them.

PyTorch runs an fp32 product without TF32 by default, on cuBLAS / cuBLASLt's FFMA kernels, and which kernel it takes
(sgemm_largek, CUTLASS SIMT 64 x 64 and 128 x 64 tiles, xmma 32 x 32, gemmSN, split-K with a reduce) moves with the
shape and with the bias epilogue (profiled: realcode-check24's kernels). Across the blind checks the fp32 products were
the largest single share of cases beyond 25 % (51 of 193), and no form of flops, bytes and a contraction walk followed
them: their time is a landscape of kernel choices. This group samples that landscape so hetsim can price an fp32
product from its measured neighbours (hetsim.hardware.product_table).

A second group, `gemm-fp32-large`, draws products of 100 GFLOP to 1.5 TFLOP (the first group's bound up to a
vocabulary head's), where cuBLAS's SIMT kernels run nearest their peak and the key's flop rate, fitted mostly on smaller
products, priced them 20-50 % slow (realcode-check26, scored blind first).

A third group, `gemm-fp32-thin`, draws contractions of 2-64 (the first group's start at 8): point clouds' and
coordinates' three features, a few dozen tabular features, a low-rank factor's rank, over rows up to four million and
up to 1,024 output columns. There the kernel reads far more than it multiplies, and the blind checks' such products
missed both ways (a million rows of three features by a 3 x 3 -76 %, 256 x 17 by 17 x 256 with a bias -61 %, 4,096 to
262,144 rows by 8-16 features +26..+36 %) with no measured neighbour within reach.

Shapes are drawn, not taken from any check: log-uniform rows 2-65,536, output columns 2-16,384 and contractions
8-16,384, half of each rounded to a multiple of 8 as model widths are, under 100 GFLOP and 1.5 GB of operands, in the
four layouts real code writes: nn.Linear with a bias (addmm through cuBLASLt's epilogue) and without (mm of x and the
weight's transpose), x @ w with w stored [in, out] (mm of two row-major operands) and a.T @ b (a gradient's or a
Gram matrix's layout). Fitted, never validated against; the builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

GEMM_FP32 = "gemm-fp32"
GEMM_FP32_LARGE = "gemm-fp32-large"
GEMM_FP32_THIN = "gemm-fp32-thin"
SEED = 20261204
LARGE = (1e11, 1.5e12, 3e9, 160)  # flops from, flops to, bytes to, cases
THIN = (((6, 22), (1, 10), (1, 6)), 192)  # log2 bounds of (rows, output columns, contraction), cases
# (layout, cases): the split follows how often real code writes each
LAYOUTS = (("linear", 900), ("linear_nobias", 450), ("matmul", 400), ("matmul_tn", 250))
MAX_FLOP = 1e11  # ~4 ms on the FFMA units: the sweep's time budget
MAX_BYTES = 1.5e9


def shapes(count: int, rng: random.Random, flops=(0.0, MAX_FLOP), max_bytes: float = MAX_BYTES,
           bounds=((1, 16), (1, 14), (3, 14))) -> list[tuple[int, int, int]]:
    """`count` (rows, output columns, contraction) drawn log-uniformly within `bounds` (log2), `flops` and
    `max_bytes`."""
    out = []
    while len(out) < count:
        m, n, k = (_draw(rng, lo, hi) for lo, hi in bounds)
        if flops[0] <= 2 * m * n * k <= flops[1] and 4 * (m * k + k * n + m * n) <= max_bytes:
            out.append((m, n, k))
    return out


def _draw(rng: random.Random, lo: float, hi: float) -> int:
    value = max(2, round(2 ** rng.uniform(lo, hi)))
    return max(8, value - value % 8) if rng.random() < 0.5 else value


def _gemms(large: bool = False, thin: bool = False):
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    f32 = torch.float32
    rng = random.Random(SEED + large + 2 * thin)
    makers = {
        "linear": lambda r, n, k: (F.linear, (m(r, k, dt=f32), m(n, k, dt=f32), m(n, dt=f32))),
        "linear_nobias": lambda r, n, k: (F.linear, (m(r, k, dt=f32), m(n, k, dt=f32))),
        "matmul": lambda r, n, k: (torch.matmul, (m(r, k, dt=f32), m(k, n, dt=f32))),
        "matmul_tn": lambda r, n, k: (lambda a, b: a.t() @ b, (m(k, r, dt=f32), m(k, n, dt=f32))),
    }
    out = []
    for layout, count in LAYOUTS:
        share = count / sum(c for _, c in LAYOUTS)
        if large:
            lo, hi, most, total = LARGE
            drawn = shapes(round(total * share), rng, (lo, hi), most, ((8, 16), (8, 16), (6, 14)))
        elif thin:
            bounds, total = THIN
            drawn = shapes(round(total * share), rng, bounds=bounds)
        else:
            drawn = shapes(count, rng)
        for r, n, k in drawn:
            fn, args = makers[layout](r, n, k)
            out.append((f"fp32_{layout}", fn, args))
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((GEMM_FP32, _gemms()),))


def specs_large():
    """The large products' group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((GEMM_FP32_LARGE, _gemms(large=True)),))


def specs_thin():
    """The thin contractions' group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((GEMM_FP32_THIN, _gemms(thin=True)),))
