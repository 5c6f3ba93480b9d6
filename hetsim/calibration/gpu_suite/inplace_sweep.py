"""The aten sweep's in-place broadcast group: `inplace-sweep`, elementwise ops with a broadcast operand in place and
out of place at the same shapes and dtypes.

The checks' 16-bit elementwise ops with a broadcast operand ran a median -3 % under `pointwise_broadcast` out of place
(318 bf16 cases over 30 us) but -17 % in place (add_, mul_, sub_, masked_fill_: 14 cases), and masked_fill out of
place (a clone, then masked_fill_ in place) -20 % over 45 16-bit cases, where fp32 held (+2 %). The fit holds 16 such
in-place 16-bit cases, too few for their neighbours to correct them, and none beside an out-of-place twin. This group
draws pairs, each the same op, shape and dtype once in place and once out of place: add, mul and masked_fill with a
broadcast operand ([b, h, s, s] and an [s, s] mask or bias; [n, c, y, x] and a [1, c, 1, 1] scale; [rows, cols] and a
[rows, 1] column), in bf16, fp16 and fp32, from 1 M to 256 M elements, sizes log-uniform (none taken from a check).
Fit data for whether in place differs, and by how much. The builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

INPLACE_SWEEP = "inplace-sweep"
SEED = 20261214
PAIRS = 48
MAX_ELEMENTS = 1 << 28


def _shape(rng: random.Random, pattern: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(the full operand's shape, the broadcast operand's) of `pattern`, at most MAX_ELEMENTS elements."""
    n = _log(rng, 1 << 20, MAX_ELEMENTS)
    if pattern == "scores":
        s = min(_log(rng, 128, 8192), int(n ** 0.5))
        heads = max(1, n // (s * s))
        return (1, heads, s, s), (s, s)
    if pattern == "channels":
        c, side = _log(rng, 3, 1024), _log(rng, 7, 512)
        return (max(1, n // (c * side * side)), c, side, side), (1, c, 1, 1)
    cols = _log(rng, 64, 65536)
    return (max(1, n // cols), cols), (max(1, n // cols), 1)


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each pair's two members, in place first."""
    import torch

    ops = {
        "add": (lambda x, y: x.add_(y), lambda x, y: x + y),
        "mul": (lambda x, y: x.mul_(y), lambda x, y: x * y),
        "masked_fill": (lambda x, y: x.masked_fill_(y, 0.0), lambda x, y: x.masked_fill(y, 0.0)),
    }
    out = []
    for k in range(PAIRS):
        name = sorted(ops)[k % len(ops)]
        dt = (torch.bfloat16, torch.float16, torch.float32)[(k // len(ops)) % 3]
        full, small = _shape(rng, ("scores", "channels", "rows")[k % 3])
        for place, fn in zip(("inplace", "outofplace"), ops[name], strict=True):
            def build(m, i, f, fn=fn, full=full, small=small, dt=dt, mask=name == "masked_fill"):
                other = m(*small, dt=torch.bool) if mask else m(*small, dt=dt)
                return fn, (m(*full, dt=dt), other)
            out.append((f"{name}_{place}", build))
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(INPLACE_SWEEP, _draws, SEED)
