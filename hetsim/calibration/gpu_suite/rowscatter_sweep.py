"""The aten sweep's wide-row index group: `rowscatter-sweep`, index_copy_ of whole rows over a tensor's outermost dim
and index_select of a few indices over wide rows, the spread no fit case covers.

The fit's index_copy_ cases are StaticCache's writes along a middle dim of [batch, heads, seq, dim] (a three-dim
iterator of the element index kernel, 100-160 G elements/s on an H100); the checks wrote whole rows over the outermost
dim (a batch condensed, MoE tokens unpermuted, a cache's slots: a two-dim iterator) at 313-353 G elements/s in fp32,
bf16 and int32 alike, and priced at the middle-dim key's bytes ran +114..+322 % (realcode-check20 to -34). The fit's
few-index selects are rows of at most ~7 K elements, where each index's dependent walk binds; the checks picked 4-16
beams' whole caches (rows of 0.5-4 M elements), where the elements bind, at ~280-360 G elements/s, priced -59..-97 % by
the indices alone (realcode-check20, -24, -34).

This group draws both: index_copy_(0, idx, src) into [rows, width] tables (64-65,536 rows of 16-262,144 elements,
1 index to every row, in bf16, fp16, fp32, int32 and int64), and index_select(0, idx) of 1-16 indices from tables of
2-64 rows of 1 K-4 M elements (bf16, fp16, fp32). Sizes log-uniform within each (none taken from a check); fit data for
index_copy_rows and gather_few. The builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

ROWSCATTER_SWEEP = "rowscatter-sweep"
SEED = 20261207
PER_SHAPE = 16  # draws of each op
MAX_BYTES = 2 << 30  # a case's table, source and output together


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each op, PER_SHAPE times each, sizes drawn."""
    import torch

    def row_copy():
        dt = rng.choice((torch.bfloat16, torch.float16, torch.float32, torch.int32, torch.int64))
        item = torch.empty((), dtype=dt).element_size()
        rows, width = _log(rng, 64, 65536), _log(rng, 16, 262144)
        rows = max(64, min(rows, MAX_BYTES // (2 * width * item)))
        n = _log(rng, 1, rows)

        def build(m, i, f, rows=rows, width=width, n=n, dt=dt):
            return (lambda t, j, s: t.index_copy_(0, j, s), (m(rows, width, dt=dt), i(n), m(n, width, dt=dt)))
        return build

    def few_wide_select():
        dt = rng.choice((torch.bfloat16, torch.float16, torch.float32))
        item = torch.empty((), dtype=dt).element_size()
        rows, width = _log(rng, 2, 64), _log(rng, 1024, 1 << 22)
        n = rng.randint(1, 16)
        width = max(1024, min(width, MAX_BYTES // ((rows + n) * item)))

        def build(m, i, f, rows=rows, width=width, n=n, dt=dt):
            return (lambda t, j: t.index_select(0, j), (m(rows, width, dt=dt), i(n)))
        return build

    out = []
    for _ in range(PER_SHAPE):
        out.append(("index_copy_rows", row_copy()))
        out.append(("index_select_few_wide", few_wide_select()))
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(ROWSCATTER_SWEEP, _draws, SEED)
