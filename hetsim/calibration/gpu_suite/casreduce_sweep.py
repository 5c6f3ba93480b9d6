"""The aten sweep's compare-and-swap scatter group: `casreduce-sweep`, scatter_reduce with amax, amin and prod, and
16-bit sums, whose atomics are loops of atomicCAS rather than one hardware add.

ATen's scatter_reduce runs its reduction through gpuAtomicMax / gpuAtomicMin / gpuAtomicMul, which for floats are
loops of atomicCAS on the word the element lies in: each update reads, computes and retries until no other thread
wrote between, so its cost grows with how many updates meet on an address, where an fp32 atomicAdd is one red
instruction at the L2. Half-precision adds land in a 32-bit word shared with a neighbour. The blind checks ran a
message-passing layer's scatter max (PyG's aggregation: a node's features reduced over its incoming edges, the index
broadcast over the features) -36..-79 % under the atomic-add key's price on an H100 and to -98 % on an H200, and
16-bit scatter sums -25..-50 %, while fp32 sums and means held. No fit case had either.

This group draws, in place and out of place: a scatter along dim 0 of [updates, features] into [targets,
features] with the index broadcast over the features (features 1-256, targets 64 to a million, 1-64 updates a target
on average, up to 2^25 updated elements), by amax, amin and prod in fp32 and by sum in bf16 and fp16, with fp32 sums
beside them as the add-atomic control. Sizes log-uniform, none taken from a check; the builder drops a case equal to
any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

CASREDUCE_SWEEP = "casreduce-sweep"
SEED = 20261214
ROUNDS = 12
MAX_ELEMENTS = 1 << 25  # updated elements (updates x features)
# (reduce, dtype) in each round: the CAS reductions most, the 16-bit sums, one fp32 sum as the control
FORMS = (("amax", "float32"), ("amax", "float32"), ("amax", "float32"), ("amin", "float32"), ("prod", "float32"),
         ("sum", "bfloat16"), ("sum", "float16"), ("sum", "float32"))


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each draw: a reduction, a dtype, a shape."""
    import torch

    out = []
    for k in range(ROUNDS * len(FORMS)):
        reduce, dtype = FORMS[k % len(FORMS)]
        dt = getattr(torch, dtype)
        features = rng.choice((1, 8, 16, 64, 128, 256))
        targets = _log(rng, 64, 1 << 20)
        updates = max(1, min(targets * _log(rng, 1, 64), MAX_ELEMENTS // features))
        inplace = k % 2 == 0

        def build(m, i, f, t=targets, n=updates, c=features, r=reduce, dt=dt, inplace=inplace):
            def scatter(x, idx, src):
                index = idx.unsqueeze(1).expand(n, c)  # PyG's: one node index an edge, over its features
                if inplace:
                    return x.scatter_reduce_(0, index, src, r, include_self=True)
                return x.scatter_reduce(0, index, src, r, include_self=True)
            return scatter, (m(t, c, dt=dt), i(n), m(n, c, dt=dt))

        out.append((f"scatter_reduce_{reduce}_{dtype}_{'inplace' if inplace else 'out'}", build))
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(CASREDUCE_SWEEP, _draws, SEED)
