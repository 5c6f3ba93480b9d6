"""The aten sweep's batched-matvec group: `matvec-sweep`, fp32 batched products of one row or one column an item.

Real code multiplies a vector by a matrix per item far more often than the fit's fp32 batches do: an attention over a
few keys per query (Informer's sampled queries, a classifier token over its patches), a homogeneous transform applied
per pixel (a depth reprojection: [B, 3, 3] x [B, 3, H * W]), a per-point dot product (a point transformer's vector
attention, PaDiM's Mahalanobis distance: [N, 1, C] x [N, C, 1]). The fit's bmm_fp32 cases are square-ish tiles; these
items ran at 0.15-1.4 TB/s of their bytes on both GPUs where that key streams 2.4-3.0 (the checks' bmm_fp32 tail:
-40..-94 %). This group draws batches of 2^10-2^22 items, one row (m = 1) or one column (n = 1) an item, the other
sides 2-1,024 and 1-128 (the bytes at most ~1 GB), the matrix operand stored either way (B or B^T contiguous), and
the few-row transforms of a reprojection ([B, 3 or 4, k] x [B, k, 2^14-2^18]).

Shapes are drawn log-uniform within each op's bounds, not taken from any check. Fitted, never validated against; the
builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

MATVEC_SWEEP = "matvec-sweep"
SEED = 20261213
PER_OP = 6  # draws an op
MAX_ELEMENTS = 1 << 28  # the matrix operand's elements at most (1 GB of fp32)


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each op, PER_OP times each, sizes drawn."""
    import torch

    def sq(lo, hi):
        return _log(rng, lo, hi)

    def items(k: int, n: int) -> int:
        return max(2, min(sq(1 << 10, 1 << 22), MAX_ELEMENTS // (k * n)))

    def stratum(d: int, lo_log2: int, hi_log2: int) -> int:
        """A side drawn log-uniform within the d-th of PER_OP equal slices of [2^lo, 2^hi]: every draw of a few
        lands somewhere else."""
        span = hi_log2 - lo_log2
        return sq(round(2 ** (lo_log2 + span * d / PER_OP)), round(2 ** (lo_log2 + span * (d + 1) / PER_OP)))

    out = []
    for d in range(PER_OP):
        # k from 2 (k = 1 is an outer product, matmul_outer) to 1,024, n from 128 down to 1: long rows meet few columns
        k, n = stratum(d, 1, 10), stratum(PER_OP - 1 - d, 0, 7)
        transposed = rng.random() < 0.5
        out += [
            # [b, 1, k] x [b, k, n]: a row an item; the matrix contiguous as [b, k, n] or as [b, n, k] (transposed)
            ("row", lambda m, i, f, b=items(k, n), k=k, n=n, t=transposed: (
                torch.bmm, (m(b, 1, k, dt=f), m(b, n, k, dt=f).transpose(1, 2) if t else m(b, k, n, dt=f)))),
            # [b, 1, k] x [b, k, 1]: a dot product an item
            ("dot", lambda m, i, f, b=items(k, 1), k=k: (torch.bmm, (m(b, 1, k, dt=f), m(b, k, 1, dt=f)))),
            # [b, r, k] x [b, k, c]: a few-row transform of many columns (a reprojection), the left side broadcast
            ("transform", lambda m, i, f, b=sq(1, 32), r=rng.choice((3, 4)), k=rng.choice((3, 4)),
             c=sq(1 << 14, 1 << 18): (torch.bmm, (m(b, r, k, dt=f), m(b, k, c, dt=f)))),
        ]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(MATVEC_SWEEP, _draws, SEED)
