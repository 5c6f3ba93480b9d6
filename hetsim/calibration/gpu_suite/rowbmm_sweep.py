"""The aten sweep's few-row batched-product group: `rowbmm-sweep`, 16-bit torch.bmm of items one to eight rows tall
over a short contraction and a wide output, or a long contraction and a narrow one, the spread no fit case covers.

A batch of one-row products is how a multi-LoRA server's torch path applies each token's own adapter (S-LoRA's and
Punica's references: x[tokens, 1, r] @ B[tokens, r, d], x[tokens, 1, d] @ A[tokens, d, r]). cuBLAS runs them on
nvjet's 8-row tiles (profiled on an H100, realcode-check37: tst_256x8 / 512x8 / 384x8 along the output, tst_64x8 /
8x64 along a long contraction), a tile's fixed cost whatever its few rows fill: 2,048 items of 1 x 8 x 4096 ran 216
us (~40 G outputs a second), priced -74 % at the batched product key's bytes; the checks held 164 such 16-bit products
of one to eight rows a batch item, 49 of them beyond 25 %.

This group draws bmm of [batch, m, k] x [batch, k, n] for m of 1, 2, 4, 5 and 8, in bf16 and fp16, with the weight
operand row-major or transposed (a gathered adapter as the references lay it out): a wide output (n 128 to 160 K)
over a short contraction (an adapter's rank: k 4 to 64), and a narrow output (n 1 to 32) over a long one (k 512 to
16 K); widths multiples of 8, contractions of 64, as models' are; batch 1 to 4,096, sizes log-uniform (none taken
from a check). Fit data for the few-row products' tile form. The builder drops a
case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

ROWBMM_SWEEP = "rowbmm-sweep"
SEED = 20261210
DRAWS = 96
MAX_BYTES = 1 << 30  # a case's operands and output together
ROWS = (1, 1, 1, 2, 4, 5, 8)  # one-row items most often, as a decode step's tokens
RANKS = (4, 8, 16, 32, 64)


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each draw: a shape, a dtype and a layout."""
    import torch

    def draw(k_draw):
        dt = rng.choice((torch.bfloat16, torch.float16))
        rows = rng.choice(ROWS)
        # adapters' ranks and models' widths: aligned as they are (an odd width takes other kernels: bmm_odd_tokens)
        if k_draw % 2:
            k, n = rng.choice(RANKS), 8 * max(16, _log(rng, 128, 163840) // 8)
        else:
            k, n = 64 * max(8, _log(rng, 512, 16384) // 64), rng.choice(RANKS[:-1] + (1, 2))
        per_item = 2 * (rows * k + k * n + rows * n)
        batch = max(1, min(_log(rng, 1, 4096), MAX_BYTES // per_item))
        transposed = rng.random() < 0.5  # the weight stored [batch, n, k] and viewed [batch, k, n]

        def build(m, i, f, batch=batch, rows=rows, k=k, n=n, dt=dt, transposed=transposed):
            weight = m(batch, n, k, dt=dt).transpose(1, 2) if transposed else m(batch, k, n, dt=dt)
            return torch.bmm, (m(batch, rows, k, dt=dt), weight)
        return f"bmm_rows{'_t' if transposed else ''}", build

    return [draw(d) for d in range(DRAWS)]


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(ROWBMM_SWEEP, _draws, SEED)
