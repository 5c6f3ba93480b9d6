"""The aten sweep's outer-reduction group: `outer-sweep`, (value, index) and Welford reductions over an outer or middle
dim, sums over a long outer dim into few outputs and maxima over the last dim, the spread no fit case covers.

The fit holds six (value, index) or Welford reductions over a dim that is not the last (max.dim, argmax, var), which
`reduction_outer_pair` is fitted on alone; the checks ran dozens, from near the HBM's rate (min.dim over the middle of
32 x 2048 x 2048 fp32: 2.5 TB/s) to well below it (max.dim over dim 0 of 4096 x 4096 fp32: 1.0 TB/s), priced
-63..+72 % (realcode-check19 to -36). And an outer reduction split over many blocks ends in a chain of partials the
last block's lanes read one after another (launch.global_reduce_chain): one fitted step cost, ~0.35 us on an H100,
over-prices the checks' means over 64 outputs (a block 16 lanes wide, 8 warps deep: ~0.19 us a step) by +37..+66 %,
while those over 128 outputs (32 wide, 4 deep) ran ~0.30.

This group draws three kinds: max.dim, min.dim, argmax, argmin, var and std over the middle dim of [outer, reduced,
inner] (outer 1 to 256, reduced 2 to 65,536, inner 2 to 262,144; fp32, bf16 and fp16), and sum, mean and amax over dim
0 of [reduced, outputs] for 8 to 1,024 outputs and 4 K to 2 M reduced rows (fp32 and bf16). Sizes log-uniform within
each (none taken from a check); fit data for reduction_outer_pair and the chain keys. And amax and amin over the last
dim beside sums of the same draws (1 to 65,536 rows of 32 to 262,144; fp32, bf16, fp16): a max's compare and NaN check
beside a sum's add, which the checks' 16-bit amax / amin ran -11..-26 % below the sums' fitted rate (five such fit
cases). The builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

OUTER_SWEEP = "outer-sweep"
SEED = 20261208
PER_SHAPE = 32  # draws of each kind
MAX_BYTES = 1 << 30  # a case's input
CHAIN_OUTPUTS = (64, 128, 16, 256, 32, 192, 8, 512, 48, 96, 1024, 24, 384, 768)


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each kind, PER_SHAPE times each, sizes drawn."""
    import torch

    pairs = {
        "max_dim": lambda t: torch.max(t, dim=1),
        "min_dim": lambda t: torch.min(t, dim=1),
        "argmax": lambda t: torch.argmax(t, dim=1),
        "argmin": lambda t: torch.argmin(t, dim=1),
        "var": lambda t: torch.var(t, dim=1),
        "std": lambda t: torch.std(t, dim=1),
    }
    chains = {
        "sum": lambda t: t.sum(dim=0),
        "mean": lambda t: t.mean(dim=0),
        "amax": lambda t: t.amax(dim=0),
    }

    lasts = {
        "amax": lambda t: t.amax(dim=-1),
        "amin": lambda t: t.amin(dim=-1),
        "sum": lambda t: t.sum(dim=-1),
    }

    def pair():
        name = rng.choice(sorted(pairs))
        dt = rng.choice((torch.float32, torch.bfloat16, torch.float16))
        item = torch.empty((), dtype=dt).element_size()
        outer, reduced, inner = _log(rng, 1, 256), _log(rng, 2, 65536), _log(rng, 2, 262144)
        while outer * reduced * inner * item > MAX_BYTES:  # shrink the largest side until it fits
            if outer >= max(reduced, inner) // 64:
                outer = max(1, outer // 2)
            elif reduced >= inner:
                reduced //= 2
            else:
                inner //= 2

        def build(m, i, f, shape=(outer, max(reduced, 2), max(inner, 2)), dt=dt, fn=pairs[name]):
            return fn, (m(*shape, dt=dt),)
        return f"outer_{name}", build

    def chain(k):
        name = rng.choice(sorted(chains))
        dt = rng.choice((torch.float32, torch.bfloat16))
        item = torch.empty((), dtype=dt).element_size()
        outputs = CHAIN_OUTPUTS[k % len(CHAIN_OUTPUTS)]  # each width in turn: a block's shape follows it
        reduced = min(_log(rng, 4096, 1 << 21), MAX_BYTES // (outputs * item))

        def build(m, i, f, shape=(reduced, outputs), dt=dt, fn=chains[name]):
            return fn, (m(*shape, dt=dt),)
        return f"chain_{name}", build

    def last():
        name = rng.choice(sorted(lasts))
        dt = rng.choice((torch.float32, torch.bfloat16, torch.float16))
        item = torch.empty((), dtype=dt).element_size()
        rows, cols = _log(rng, 1, 65536), _log(rng, 32, 262144)
        rows = max(1, min(rows, MAX_BYTES // (cols * item)))

        def build(m, i, f, shape=(rows, cols), dt=dt, fn=lasts[name]):
            return fn, (m(*shape, dt=dt),)
        return f"last_{name}", build

    out = []
    for k in range(PER_SHAPE):
        out += [pair(), pair(), chain(k), last()]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(OUTER_SWEEP, _draws, SEED)
