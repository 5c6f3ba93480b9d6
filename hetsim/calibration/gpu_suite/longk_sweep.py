"""The aten sweep's long-contraction group: `longk-sweep`, the forms realcode-check31's tail ran that no fit case has.

realcode-check31 (blind, on an H100) priced these 1.7-4x slow, each far from every case the fit and its tables of
measured neighbours hold:
- an fp32 product of few output tiles over a very long contraction (a Gaussian mixture's M-step, [128, 1M] x [1M, 64]):
  cuBLAS splits the contraction many ways (a SIMT split-K kernel, then splitKreduce) where gemm-fp32 drew contractions
  of up to 16,384 only;
- a scan along the rows of a wide matrix (conformal prediction's cumsum over 50,000 x 1,000 sorted scores);
- a scatter over many short rows (the same sets' permutation back, 50,000 rows of 1,000 bools), where
  scatter-pad-sweep drew up to 4,096 rows of 1,024-262,144;
- a Cholesky solve of one right-hand side in fp64 (cuSOLVER's trsv, two passes of 2,048 column steps), where
  rare-sweep drew fp32 only;
- an fp32 1 x 1 convolution of few channels (a Glow flow's invertible 1 x 1), a GEMM over the tensors as they lie
  (cuBLAS's TF32 or FFMA tiles, or gemmSN, by shape).

This group times them at sizes drawn log-uniform within each op's bounds (none taken from a check). Fit data for the
keys' forms and their tables; the builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

LONGK_SWEEP = "longk-sweep"
SEED = 20261207
PER_OP = 8  # draws an op
MAX_OPERANDS = 1.5e9  # bytes of a product's two operands: gemm-fp32's bound
MAX_ELEMENTS = 1 << 26  # a scan's or a scatter's elements: 256 MB of fp32


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each op, PER_OP times each, sizes drawn."""
    import torch
    import torch.nn.functional as F

    def longk(layout: str):
        rows, cols = _log(rng, 1, 512), _log(rng, 1, 512)
        depth = min(_log(rng, 1 << 14, 1 << 21), int(MAX_OPERANDS // (4 * (rows + cols))))

        def build(m, i, f, r=rows, c=cols, k=depth):
            if layout == "linear":
                return (F.linear, (m(r, k, dt=f), m(c, k, dt=f), m(c, dt=f)))
            if layout == "linear_nobias":
                return (F.linear, (m(r, k, dt=f), m(c, k, dt=f)))
            if layout == "matmul":
                return (torch.matmul, (m(r, k, dt=f), m(k, c, dt=f)))
            return (lambda a, b: a.t() @ b, (m(k, r, dt=f), m(k, c, dt=f)))  # a Gram / M-step layout
        return build

    def rows_of(lo: int, hi: int) -> tuple[int, int]:
        """(rows, row length) of at most MAX_ELEMENTS, the length log-uniform in [lo, hi]."""
        width = _log(rng, lo, hi)
        return max(1, min(_log(rng, 64, 1 << 17), MAX_ELEMENTS // width)), width

    def scan():
        (r, w), dt = rows_of(64, 16384), rng.choice((torch.float32, torch.float32, torch.bfloat16))

        def build(m, i, f, r=r, w=w, dt=dt):
            return (lambda x: torch.cumsum(x, dim=-1), (m(r, w, dt=dt),))
        return build

    def scatter():
        dt = rng.choice((torch.bool, torch.float16, torch.float32))
        # the cases' indices are drawn below the float inputs' smallest dim, or below 1,000 where none is float: a
        # bool row is drawn at least that wide
        r, w = rows_of(1000 if dt == torch.bool else 64, 2048)

        def build(m, i, f, r=r, w=w, dt=dt):
            return (lambda x, idx, src: x.scatter(-1, idx, src), (m(r, w, dt=dt), i(r, w), m(r, w, dt=dt)))
        return build

    def solve():
        n, k = _log(rng, 64, 4096), rng.choice((1, 1, 2, 8, 64))
        dt = rng.choice((torch.float64, torch.float64, torch.float32))

        def build(m, i, f, n=n, k=k, dt=dt):
            return (torch.cholesky_solve, (m(n, k, dt=dt), m(n, n, dt=dt)))
        return build

    def conv1x1():
        c, o = _log(rng, 3, 256), _log(rng, 3, 256)
        b, side = _log(rng, 1, 64), _log(rng, 8, 128)

        def build(m, i, f, b=b, c=c, o=o, s=side):
            return (F.conv2d, (m(b, c, s, s, dt=f), m(o, c, 1, 1, dt=f)))
        return build

    out = []
    for _ in range(PER_OP):
        out += [
            ("mm_fp32_longk_linear", longk("linear")),
            ("mm_fp32_longk_nobias", longk("linear_nobias")),
            ("mm_fp32_longk_matmul", longk("matmul")),
            ("mm_fp32_longk_tn", longk("matmul_tn")),
            ("cumsum_rows", scan()),
            ("scatter_short_rows", scatter()),
            ("cholesky_solve", solve()),
            ("conv1x1_fp32", conv1x1()),
        ]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(LONGK_SWEEP, _draws, SEED)
