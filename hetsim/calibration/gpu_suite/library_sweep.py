"""The aten sweep's library-kernel group: `library-sweep`, the ops hetsim.stacks.aten_library times by their work,
at the sizes where that work binds.

rare-sweep (hetsim.calibration.gpu_suite.rare_sweep) timed these ops at sizes real code calls them at, nearly all of
them bound by fixed costs: a factorisation's panel steps, cdist's block an output pair. The work term of their keys
was left to the fp32 GEMM's rate (a factorisation's GEMM updates) because no case there bound by it, and the blind
checks' largest calls (a 4096 x 4096 triangular solve with 1,000 right-hand sides, int8 products of 0.3-0.4 TOP, batches
of thousands of small triangular solves, antialiased resizes of 1080p frames, adaptive pools over 16,384 planes) lie
beyond every rare-sweep size. This group times the same ops from where rare-sweep stopped up to tens of milliseconds,
plus the batched solves and int8 products rare-sweep did not draw.

Shapes are drawn log-uniform within each op's bounds, not taken from any check. Fitted, never validated against; the
builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

LIBRARY_SWEEP = "library-sweep"
SEED = 20261205
PER_OP = 12  # draws an op


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each op, PER_OP times each, sizes drawn."""
    import torch
    import torch.nn.functional as F

    def sq(lo, hi):
        return _log(rng, lo, hi)

    def int8(m, *shape):
        return m(*shape, dt=torch.int8)

    out = []
    for _ in range(PER_OP):
        n, k = sq(256, 8192), sq(1, 4096)
        out += [
            ("cholesky_ex", lambda m, i, f, n=n: (torch.linalg.cholesky_ex, (m(n, n, dt=f),))),
            ("solve_triangular", lambda m, i, f, n=n, k=k: (
                lambda a, b: torch.linalg.solve_triangular(a, b, upper=False), (m(n, n, dt=f), m(n, k, dt=f)))),
            ("solve_triangular_batched", lambda m, i, f, b=sq(2, 4096), s=sq(8, 128), r=sq(1, 256): (
                lambda a, c: torch.linalg.solve_triangular(a, c, upper=False), (m(b, s, s, dt=f), m(b, s, r, dt=f)))),
            ("cholesky_solve", lambda m, i, f, n=sq(256, 8192), k=sq(1, 2048): (
                torch.cholesky_solve, (m(n, k, dt=f), m(n, n, dt=f)))),
            ("linalg_qr", lambda m, i, f, r=sq(256, 4096), c=sq(64, 2048): (
                torch.linalg.qr, (m(max(r, c), c, dt=f),))),
            ("slogdet", lambda m, i, f, b=sq(1, 256), s=sq(32, 1024): (
                torch.linalg.slogdet, (m(b, min(s, 8192 // b + 32), min(s, 8192 // b + 32), dt=f),))),
            ("int_mm", lambda m, i, f, r=sq(256, 8192) // 8 * 8, c=sq(1024, 16384) // 8 * 8,
             d=sq(1024, 16384) // 8 * 8: (lambda a, b: torch._int_mm(a, b.t()), (int8(m, r, d), int8(m, c, d)))),
            ("cdist_p1", lambda m, i, f, a=sq(512, 16384), d=sq(2, 512): (
                lambda x, y: torch.cdist(x, y, p=1.0),
                (m(a, d, dt=f), m(max(16, min(8_000_000 // a, 4096)), d, dt=f)))),
            ("weight_norm_last", lambda m, i, f, o=sq(4096, 131072), c=sq(8, 1024): (
                lambda v, g: torch._weight_norm(v, g, dim=1), (m(o, c, dt=f), m(1, c, dt=f)))),
            ("adaptive_avg_pool2d", lambda m, i, f, b=sq(1, 32), c=sq(64, 2048), s=sq(16, 128), o=sq(1, 8): (
                lambda x: F.adaptive_avg_pool2d(x, o), (m(b, c, s, s, dt=f),))),
            ("bilinear_aa", lambda m, i, f, b=sq(1, 64), s=sq(256, 2048), o=sq(64, 640): (
                lambda x: F.interpolate(x, size=(min(o, s), min(o, s)), mode="bilinear", antialias=True),
                (m(b, 3, s, s * 16 // 9, dt=f),))),
            ("bicubic_aa", lambda m, i, f, b=sq(1, 32), s=sq(256, 2048), o=sq(64, 640): (
                lambda x: F.interpolate(x, size=(o, o), mode="bicubic", antialias=True), (m(b, 3, s, s, dt=f),))),
        ]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(LIBRARY_SWEEP, _draws, SEED)
