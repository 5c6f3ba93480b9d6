"""The aten sweep's scatter-and-pad group: `scatter-pad-sweep`, the scatters and the padding kernels at the sizes and
layouts where the fit data says nothing.

A plain scatter is priced by the 32-byte sectors its warps' writes touch (hetsim.stacks.aten_index.
scatter_write_sectors), merged in the L2 as far as it holds them (hetsim.hardware.residency.merged_share). The
`scatter` key was fitted on permutations of rows the L2 held and on tiny masks: no fit case streams its index at the
bytes' pace (a one-hot over a few channels, a 2:4 mask over narrow rows), none writes sectors of a destination wider
than the L2, so the bandwidth is the HBM's bound and the L2's gain on the sectors is the elementwise kernels'. This
group times both: one-hots along the channels of bool / fp16 / fp32 volumes, masks over narrow rows, permutations and
partial scatters of long rows from 1 MB to ~600 MB of destination.

The reflection and replication pads run kernels of their own (one thread an output element, the reflected index
computed each), priced today by the strided copy's key; the fit holds three small reflection_pad1d calls only. This
group times the 1-d, 2-d and 3-d pads over the sizes real code pads (a conv's border of 1 to a 16-pixel reflection).

Shapes are drawn log-uniform within each op's bounds, not taken from any check. Fitted, never validated against; the
builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import math
import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

SCATTER_PAD_SWEEP = "scatter-pad-sweep"
SEED = 20261209
PER_OP = 10  # draws an op
DEST_MAX = 600 * 2**20  # bytes of the widest destination drawn: ten times an H200's L2


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each op, PER_OP times each, sizes drawn."""
    import torch
    import torch.nn.functional as F

    def sq(lo, hi):
        return _log(rng, lo, hi)

    def dtype(*choices):
        return rng.choice(choices)

    def fits(count: int, row: int, itemsize: int) -> int:
        """`count` rows of `row` elements capped at DEST_MAX bytes."""
        return max(1, min(count, DEST_MAX // max(row * itemsize, 1)))

    def capped(shape: tuple[int, ...], itemsize: int) -> tuple[int, ...]:
        """`shape` with its leading dims cut, first to last, until it holds at most DEST_MAX bytes."""
        dims = list(shape)
        for j in range(len(dims) - 1):
            dims[j] = fits(dims[j], math.prod(dims[j + 1:]), itemsize)
        return tuple(dims)

    out = []
    for _ in range(PER_OP):
        vol = dtype(torch.bool, torch.float16, torch.float32)
        rows_dt = dtype(torch.bool, torch.float16)
        perm_dt = dtype(torch.float16, torch.float32, torch.int64)
        width, wide = sq(4, 64), sq(1024, 262144)
        out += [
            ("onehot_channels", lambda m, i, f, shape=capped((sq(1, 4), sq(2, 32), *(sq(16, 160),) * 3), 4), dt=vol: (
                lambda x, idx: x.scatter_(1, idx, 1), (m(*shape, dt=dt), i(shape[0], 1, *shape[2:])))),
            ("mask_narrow_rows", lambda m, i, f, r=sq(4096, 1 << 24), w=width, k=rng.random(), dt=rows_dt: (
                lambda x, idx: x.scatter_(-1, idx, 1),
                (m(fits(r, w, 2), w, dt=dt), i(fits(r, w, 2), max(1, min(w - 1, round(k * w))))))),
            ("permute_rows", lambda m, i, f, r=sq(1, 4096), w=wide, dt=perm_dt: (
                lambda x, idx, src: x.scatter_(-1, idx, src),
                (m(fits(r, w, 8), w, dt=dt), i(fits(r, w, 8), w), m(fits(r, w, 8), w, dt=dt)))),
            ("partial_rows", lambda m, i, f, r=sq(8, 8192), w=wide, k=sq(2, 32), dt=perm_dt: (
                lambda x, idx, src: x.scatter_(-1, idx, src),
                (m(fits(r, w, 8), w, dt=dt), i(fits(r, w, 8), max(1, w // k)),
                 m(fits(r, w, 8), max(1, w // k), dt=dt)))),
            ("reflection_pad2d", lambda m, i, f, b=sq(1, 64), c=sq(1, 256), s=sq(32, 1024), p=sq(1, 16),
             dt=dtype(torch.float16, torch.float32): (
                lambda x: F.pad(x, (p, p, p, p), mode="reflect"), (m(*capped((b, c, s, s), 4), dt=dt),))),
            ("replication_pad2d", lambda m, i, f, b=sq(1, 64), c=sq(1, 256), s=sq(32, 2048), p=sq(1, 8): (
                lambda x: F.pad(x, (p, p, p, p), mode="replicate"), (m(*capped((b, c, s, s), 4), dt=f),))),
            ("reflection_pad1d", lambda m, i, f, b=sq(1, 64), c=sq(1, 512), n=sq(1100, 1 << 20), p=sq(1, 1024): (
                lambda x: F.pad(x, (p, p), mode="reflect"), (m(*capped((b, c, n), 4), dt=f),))),
            ("replication_pad3d", lambda m, i, f, b=sq(1, 4), c=sq(1, 64), s=sq(16, 128), p=sq(1, 4): (
                lambda x: F.pad(x, (p, p, p, p, p, p), mode="replicate"), (m(*capped((b, c, s, s, s), 4), dt=f),))),
        ]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(SCATTER_PAD_SWEEP, _draws, SEED)
