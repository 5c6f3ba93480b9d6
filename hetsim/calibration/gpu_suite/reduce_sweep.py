"""The aten sweep's reduction group: `reduce-sweep`, a sample of reductions as real code calls them.

ATen's reduce kernel picks its block shape, its vectorisation and whether blocks split a row (then a second pass
reduces their partials) from the rows, the reduced length, the kept inner length and the dtype; across the blind
checks the reductions missed by more than 25 % on 105 of 665 cases (sums and means over a few hundred thousand rows
of a handful of columns, outer reductions over a few columns, large fp32 last-dim sums, 16-bit maxima), where the fit
had 30-100 cases a key. This group samples that landscape so hetsim can price a reduction from its measured
neighbours (hetsim.hardware.product_table: a class an op and dtype; rows, reduced length and inner length).

Shapes are drawn, not taken from any check: 2-D to 4-D tensors whose dims are log-uniform (the total between 2^10 and
2^28 elements), reduced over the last dim, the first, a middle one or two dims together, by sum, mean, amax, amin,
var, the 2-norm, max with its index, argmax, any and all, in the dtypes real code reduces (fp32, bf16, fp16; int64
and bool where counting; uint8 images for extrema), contiguous, each under 1.2 GB. Fitted, never validated against;
the builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import math
import random

REDUCE_SWEEP = "reduce-sweep"
SEED = 20261206
CASES = 1600
ELEMENTS = (10, 28)  # log2 bounds of the input's elements
MAX_BYTES = 1.2e9
# (op, share, dtypes it takes)
OPS = (("sum", 0.24, ("float32", "bfloat16", "float16", "int64", "bool")), ("mean", 0.16, ("float32", "bfloat16",
       "float16")), ("amax", 0.12, ("float32", "bfloat16", "float16", "uint8")), ("amin", 0.04, ("float32",
       "bfloat16", "uint8")), ("var", 0.08, ("float32", "bfloat16")), ("norm", 0.1, ("float32", "bfloat16",
       "float16")), ("max_dim", 0.1, ("float32", "bfloat16", "float16")), ("argmax", 0.08, ("float32", "bfloat16",
       "float16")), ("any", 0.05, ("bool",)), ("all", 0.03, ("bool",)))
# which dims: (name, share)
WHERE = (("last", 0.45), ("first", 0.2), ("middle", 0.2), ("two", 0.15))


def _choose(rng: random.Random, table):
    """A row of `table` drawn by its share (each row's second field)."""
    return rng.choices(table, [row[1] for row in table])[0]


def draw(rng: random.Random) -> dict | None:
    """One reduction: its op, dtype, shape and reduced dims, or None where the draw breaks the group's bounds."""
    op, _, dtypes = _choose(rng, OPS)
    where = _choose(rng, WHERE)[0]
    if op in ("max_dim", "argmax") and where == "two":
        where = "last"  # one dim only
    rank = rng.choice((2, 2, 3, 3, 4))
    if where == "middle" and rank == 2:
        rank = 3
    if where == "two" and rank == 2:
        rank = 3
    total = rng.uniform(*ELEMENTS)
    cuts = sorted(rng.uniform(0, total) for _ in range(rank - 1))
    shape = [max(1, round(2 ** (hi - lo))) for lo, hi in zip([0.0, *cuts], [*cuts, total], strict=True)]
    shape = [max(s - s % 8, 8) if s >= 16 and rng.random() < 0.4 else s for s in shape]  # model widths, some
    dims = {"last": (rank - 1,), "first": (0,), "middle": (rng.randrange(1, rank - 1),) if rank > 2 else (0,),
            "two": (rank - 2, rank - 1) if rng.random() < 0.6 else (0, rank - 1)}[where]
    dtype = rng.choice(dtypes)
    width = {"float32": 4, "bfloat16": 2, "float16": 2, "int64": 8, "bool": 1, "uint8": 1}[dtype]
    if math.prod(shape) * width > MAX_BYTES or math.prod(shape[d] for d in dims) < 2:
        return None
    return {"op": op, "dtype": dtype, "shape": tuple(shape), "dims": dims, "where": where}


def sample(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    out: list[dict] = []
    while len(out) < CASES:
        if (r := draw(rng)) is not None:
            out.append(r)
    return out


def _reductions():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    calls = {
        "sum": lambda x, d: x.sum(dim=d), "mean": lambda x, d: x.mean(dim=d),
        "amax": lambda x, d: x.amax(dim=d), "amin": lambda x, d: x.amin(dim=d),
        "var": lambda x, d: x.var(dim=d), "norm": lambda x, d: torch.linalg.vector_norm(x, dim=d),
        "max_dim": lambda x, d: x.max(dim=d[0]), "argmax": lambda x, d: x.argmax(dim=d[0]),
        "any": lambda x, d: x.any(dim=d[0]) if len(d) == 1 else x.any(dim=d),
        "all": lambda x, d: x.all(dim=d[0]) if len(d) == 1 else x.all(dim=d),
    }
    out = []
    for r in sample():
        x = m(*r["shape"], dt=getattr(torch, r["dtype"]))
        out.append((f"{r['op']}_{r['where']}", lambda x, f=calls[r["op"]], d=r["dims"]: f(x, d), (x,)))
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REDUCE_SWEEP, _reductions()),))
