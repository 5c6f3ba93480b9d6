"""The aten sweep's spatial-softmax group: `spatial-softmax-sweep`, softmax and log_softmax over a dim that is not the
last, the kernel (cunn_SpatialSoftMaxForward) no fit case ran.

The checks ran it in segmentation losses (over 3-19 classes of 128^3 volumes or 512 x 1024 maps), over the tokens of
a [batch, tokens, features] tensor, and over a vocabulary laid out before the positions (CoCa's [128, 49408, 76],
VALL-E's [16, 1025, 750]): priced by the softmax class's bytes, they ran -93 % to +98 % off, because the kernel's time
follows each thread's loads one after another (launch.spatial_softmax_steps) where its blocks are few, and its three
passes' bytes where they are many.

This group draws [outer, dim, inner] tensors, the softmax over the middle dim, in each of the kernel's block shapes:
- inner columns <= 64 over a dim >= 64 (threads along the dim too, a reduction across them);
- 65-1,024 inner columns (a thread a column, walking the whole dim);
- more than 1,024 (blocks tiled over the columns, each thread looping over several);
- <= 64 columns over a short dim (a thread a column, many slices).
Sizes log-uniform within each (none taken from a check), softmax and log_softmax alike, in fp32, bf16 and fp16. Fit
data for the two keys (softmax_spatial, log_softmax_spatial); the builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

SPATIAL_SOFTMAX_SWEEP = "spatial-softmax-sweep"
SEED = 20261208
PER_SHAPE = 6  # draws an op and block shape
MAX_ELEMENTS = 1 << 27  # 512 MB of fp32, read three times
MAX_STEPS = 1 << 15  # a thread's loads a pass: at ~0.4 us each, ~40 ms a call at most

# (label, (inner lo, hi), (dim lo, hi), (outer lo, hi)) of each block shape
SHAPES = (
    ("narrow_long", (2, 64), (64, 32768), (1, 65536)),
    ("column", (65, 1024), (2, 65536), (1, 4096)),
    ("tiled", (1025, 1 << 22), (2, 256), (1, 64)),
    ("narrow_short", (2, 64), (2, 63), (64, 1 << 20)),
)


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each op and shape, PER_SHAPE times each."""
    import torch

    from hetsim.hardware.launch import spatial_softmax_steps

    def drawn(inner_span, dim_span, outer_span):
        inner, dim = _log(rng, *inner_span), _log(rng, *dim_span)
        outer = max(1, min(_log(rng, *outer_span), MAX_ELEMENTS // (inner * dim)))
        while dim > dim_span[0] and (inner * dim * outer > MAX_ELEMENTS
                                     or spatial_softmax_steps(outer, dim, inner) > MAX_STEPS):
            dim //= 2  # a column too long for one call: halved
        return outer, dim, inner

    def softmax(log: bool, shape):
        outer, dim, inner = shape
        dt = rng.choice((torch.float32, torch.bfloat16, torch.float16))
        fn = torch.log_softmax if log else torch.softmax

        def build(m, i, f, o=outer, d=dim, n=inner, dt=dt, fn=fn):
            return (lambda x: fn(x, dim=1), (m(o, d, n, dt=dt),))
        return build

    out = []
    for _ in range(PER_SHAPE):
        for label, inner, dim, outer in SHAPES:
            out += [(f"softmax_{label}", softmax(False, drawn(inner, dim, outer))),
                    (f"log_softmax_{label}", softmax(True, drawn(inner, dim, outer)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(SPATIAL_SOFTMAX_SWEEP, _draws, SEED)
