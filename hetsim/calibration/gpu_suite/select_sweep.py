"""The aten sweep's large top-k group: `select-sweep`, torch.topk's multi-block radix select over data the L2 cannot
hold.

The `topk_select_multiblock` keys were fitted on calls of at most ~35 MB (a decode step's vocabulary, DSA's 2,048 of a
few hundred thousand, a million BM25 scores): every one of them replayed from the L2, and the largest already ran
~40 % slower than the fit's bandwidth said. Retrieval over a corpus (a query batch's scores over millions of
documents, RAG's and kNN's top-k) and per-query top-k over long score rows move 0.1-1 GB, from HBM, where the select's
digit passes and its final gather each read the scores again. This group times torch.topk from 8 MB to ~1 GB of 16-bit
and fp32 scores, few rows and many, k from 1 to 2,048, sorted as real code calls it, and unsorted.

Shapes are drawn log-uniform within each op's bounds, not taken from any check. Fitted, never validated against; the
builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

SELECT_SWEEP = "select-sweep"
SEED = 20261210
PER_OP = 12  # draws an op
SCORES_MIN, SCORES_MAX = 8 * 2**20, 1024 * 2**20  # bytes of scores a call selects from


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each op, PER_OP times each, sizes drawn."""
    import torch

    def shape(itemsize: int, rows_lo: int, rows_hi: int) -> tuple[int, int]:
        """(rows, n) with rows x n x itemsize log-uniform in [SCORES_MIN, SCORES_MAX]."""
        rows = _log(rng, rows_lo, rows_hi)
        total = _log(rng, SCORES_MIN, SCORES_MAX) // itemsize
        return rows, max(total // rows, 4096)

    out = []
    for _ in range(PER_OP):
        dt16 = rng.choice((torch.float16, torch.bfloat16))
        k = _log(rng, 1, 2048)
        few, many = shape(2, 1, 64), shape(2, 64, 4096)
        few32, many32 = shape(4, 1, 64), shape(4, 64, 4096)
        out += [
            ("topk_16bit_few_rows", lambda m, i, f, s=few, k=k, dt=dt16: (
                lambda x: torch.topk(x, min(k, s[1]), dim=-1), (m(*s, dt=dt),))),
            ("topk_16bit_many_rows", lambda m, i, f, s=many, k=k, dt=dt16: (
                lambda x: torch.topk(x, min(k, s[1]), dim=-1), (m(*s, dt=dt),))),
            ("topk_fp32_few_rows", lambda m, i, f, s=few32, k=k: (
                lambda x: torch.topk(x, min(k, s[1]), dim=-1), (m(*s, dt=f),))),
            ("topk_fp32_many_rows", lambda m, i, f, s=many32, k=k: (
                lambda x: torch.topk(x, min(k, s[1]), dim=-1), (m(*s, dt=f),))),
            ("topk_unsorted", lambda m, i, f, s=rng.choice((few, many)), k=k, dt=dt16: (
                lambda x: torch.topk(x, min(k, s[1]), dim=-1, sorted=False), (m(*s, dt=dt),))),
        ]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(SELECT_SWEEP, _draws, SEED)
