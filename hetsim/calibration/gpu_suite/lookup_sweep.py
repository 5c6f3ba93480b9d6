"""The aten sweep's table-lookup group: `lookup-sweep`, x[idx] through ATen's element index kernel over tables from a
code book of a few entries to tables far beyond the L2, the spread no fit case covers.

The fit's element-kernel cases (index_elementwise) are random lookups into 1-32 MB tables and many tiny calls; the
checks ran code-book lookups far faster per element than those (realcode-check32's 8-bit Adam, 131 M fp32 lookups
into a 256-entry map: ~200 G elements/s on an H100, where lookups into a 677 KB table ran ~110 and into 4-64 MB ~70).
A table an SM's L1 holds is read once and its lookups stream at the index's and output's pace
(hetsim.hardware.gpu.code_book, regime index_lookup); a larger one pays its scattered loads.

This group draws 1-D tables in three tiers (a code book of 4-4,096 entries, 16 K-2 M entries within the L2, 4-64 M
entries beyond it), rows of 2-12 bytes (x[idx] over [n, 2] and [n, 3] tables: the element kernel, rows not whole
16-byte vectors), x[b, t] by two index tensors, and int32 indices (which ATen copies to int64 first), 64 K-128 M
lookups, in fp32, bf16 and fp16. Sizes log-uniform within each (none taken from a check); fit data for index_lookup and
index_elementwise. The builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

LOOKUP_SWEEP = "lookup-sweep"
SEED = 20261209
PER_SHAPE = 6  # draws a table shape
MAX_BYTES = 3 << 30  # a case's index, table and output together

# (label, (table entries lo, hi), (row elements lo, hi)) of each 1-D / narrow-row table
TABLES = (
    ("codebook", (4, 4096), (1, 1)),
    ("l2_table", (1 << 14, 1 << 21), (1, 1)),
    ("hbm_table", (1 << 22, 1 << 26), (1, 1)),
    ("narrow_rows", (1 << 10, 1 << 24), (2, 3)),
)
LOOKUPS = (1 << 16, 1 << 27)


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each table shape, PER_SHAPE times each."""
    import torch

    def dtype():
        return rng.choice((torch.float32, torch.bfloat16, torch.float16))

    def lookups(table_bytes: int, out_bytes: int, index_bytes: int = 8) -> int:
        n = _log(rng, *LOOKUPS)
        return max(LOOKUPS[0], min(n, (MAX_BYTES - table_bytes) // (out_bytes + index_bytes)))

    def table_lookup(entries_span, row_span, index_dtype=torch.int64):
        entries, row, dt = _log(rng, *entries_span), rng.randint(*row_span), dtype()
        item = torch.empty((), dtype=dt).element_size()
        n = lookups(entries * row * item, row * item, torch.empty((), dtype=index_dtype).element_size())
        shape = (entries,) if row == 1 else (entries, row)

        def build(m, i, f, shape=shape, n=n, dt=dt, index_dtype=index_dtype):
            idx = torch.empty(n, dtype=index_dtype, device="meta")
            return (lambda t, j: t[j], (m(*shape, dt=dt), idx))
        return build

    def pair_lookup():
        # x[b, t] over [batch, tokens] (a position's value per row): two index tensors, the element kernel
        batch, tokens, dt = _log(rng, 8, 4096), _log(rng, 256, 65536), dtype()
        n = lookups(batch * tokens * 4, 4, 16)

        def build(m, i, f, batch=batch, tokens=tokens, n=n, dt=dt):
            return (lambda t, b, s: t[b, s], (m(batch, tokens, dt=dt), i(n), i(n)))
        return build

    out = []
    for _ in range(PER_SHAPE):
        for label, entries, row in TABLES:
            out.append((f"lookup_{label}", table_lookup(entries, row)))
        out.append(("lookup_int32_codebook", table_lookup(TABLES[0][1], (1, 1), torch.int32)))
        out.append(("lookup_pair", pair_lookup()))
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(LOOKUP_SWEEP, _draws, SEED)
