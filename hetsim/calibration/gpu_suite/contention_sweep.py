"""The aten sweep's alignment-and-contention group: `contention-sweep`, int8 products at the widths quantised models
use, and scatter-adds whose atomics meet on a few addresses.

torch._int_mm runs CUTLASS's sm80 int8 kernels, an `align16` one where the contraction and the output's width are
multiples of 16 and an `align4` one otherwise, which ran 2-4x slower (library-sweep's products, drawn at multiples of
8, 145-375 TOP/s; the checks' quantised linears, 4096-28672 wide, 760-920 TOP/s: calibration/e2e/diagnostics/
case-kernels-int8-2026-12-05), and cuBLASLt's sm90 kernel for some mid-size shapes. The fit held no large aligned
product. This group draws products whose every side is a multiple of 256, as a quantised layer's are.

A scatter_add_ into few bins (a histogram, expert counts, a calibration histogram) serialises its atomics on the
addresses they share: index-sweep's bins ran 3.5-6.6 G updates/s from 25 to 531 bins where spread ones run ~20x
faster. This group draws the bins from 4 to 65,536 and the updates from 2^14 to 2^26, fp32 and int64 counts, and 2-D
counts along the last dim (a row of bins per sample).

Shapes are drawn log-uniform within each op's bounds, not taken from any check. Fitted, never validated against; the
builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

CONTENTION_SWEEP = "contention-sweep"
SEED = 20261212
PER_OP = 10  # draws an op
ALIGN = 256  # a quantised layer's sides: multiples of this


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each op, PER_OP times each, sizes drawn."""
    import torch

    def sq(lo, hi):
        return _log(rng, lo, hi)

    def aligned(lo, hi):
        return max(ALIGN, sq(lo, hi) // ALIGN * ALIGN)

    def int8(m, *shape):
        return m(*shape, dt=torch.int8)

    out = []
    for _ in range(PER_OP):
        rows = sq(256, 8192) // 16 * 16  # a quantised linear over a prefill's or a batch's rows
        bins, updates = sq(4, 65536), sq(1 << 14, 1 << 26)
        counts = rng.choice((torch.float32, torch.int64))
        out += [
            ("int_mm_aligned", lambda m, i, f, r=rows, c=aligned(1024, 28672), d=aligned(1024, 16384): (
                lambda a, b: torch._int_mm(a, b.t()), (int8(m, r, d), int8(m, c, d)))),
            ("scatter_add_bins", lambda m, i, f, b=bins, n=updates, dt=counts: (
                lambda x, idx, src: x.scatter_add_(0, idx, src), (m(b, dt=dt), i(n), m(n, dt=dt)))),
            ("scatter_add_row_bins", lambda m, i, f, r=sq(1, 256), b=sq(4, 4096), n=sq(256, 1 << 18): (
                lambda x, idx, src: x.scatter_add_(1, idx, src),
                (m(r, b, dt=f), i(r, max(1, min(n, (1 << 26) // r))), m(r, max(1, min(n, (1 << 26) // r)), dt=f)))),
        ]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(CONTENTION_SWEEP, _draws, SEED)
