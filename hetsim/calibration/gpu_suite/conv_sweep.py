"""The aten sweep's convolution group: `conv-sweep`, a sample of convolutions as real code calls them.

cuDNN picks a convolution's kernels by its shape, layout and dtype (Hopper or Ampere-style implicit GEMMs, CUDA-core
kernels over NCHW, layout kernels around an NCHW call, TF32 for fp32 by PyTorch's default), and the blind checks'
convolutions were the largest family beyond 25 % (139 of 440 over checks 1-26; fp32 NCHW ones 87 of 188), while the
fit had a few to a dozen a path and dtype. This group samples that landscape so hetsim can price a convolution from
its measured neighbours (hetsim.hardware.product_table, a class a path and dtype: trace_fit.conv_tables).

A second group, `conv-few-sweep`, draws the convolutions with few channels on one side, which the first sampled
thinly (its patch family drew 1-1,024 input channels): a vision transformer's patch embedding of an RGB image (three
input channels, filter and stride 4-32), a network's RGB stem (3 x 3 or 7 x 7 at stride 2), and a head that writes a
few channels (an image's three, a mask's one) from many. The blind checks ran such patch embeddings +30..+41 % over
their measured time, each, and such heads +25..+40 %.

Shapes are drawn, not taken from any check: per family (below), batch, channels and spatial sizes log-uniform within
the family's bounds, channels rounded to a multiple of 8 half the time as model widths are, padding as the family's
code writes it ("same" for odd filters at stride 1 and 2, none for patch and strided-downsample filters), in fp32
(PyTorch's default: cuDNN's TF32 kernels), fp16 and bf16, NCHW as modules leave them and channels-last where a recipe
sets it, each case under 0.2 TFLOP and 1.2 GB of operands. Fitted, never validated against; the builder drops a case
equal to any earlier group's.
"""

from __future__ import annotations

import math
import random
from typing import Any, NamedTuple

CONV_SWEEP = "conv-sweep"
CONV_FEW_SWEEP = "conv-few-sweep"
SEED = 20261205
MAX_FLOP = 2e11
MAX_BYTES = 1.2e9
MIN_FLOP = 2e6
DTYPES = (("float32", 0.45), ("float16", 0.3), ("bfloat16", 0.25))



class Family(NamedTuple):
    """One family of drawn convolutions: a filter (or a tuple to draw from) and a stride (or "filter": the filter's
    own, a patch embedding's), padding "same", "transpose" ((filter - stride) // 2) or 0, the share drawn
    channels-last, groups (a number, a tuple or "depthwise"), and log2 bounds of (batch, input channels, output
    channels, spatial size)."""

    name: str
    dims: int
    kernel: Any
    stride: Any
    padding: Any
    last_share: float
    groups: Any
    transposed: bool
    cases: int
    bounds: tuple


FAMILIES = tuple(Family(*row) for row in (
    ("conv2d_3x3", 2, 3, 1, "same", 0.15, 1, False, 660, ((0, 6), (3, 10), (3, 10), (3, 8))),
    ("conv2d_3x3_s2", 2, 3, 2, "same", 0.15, 1, False, 180, ((0, 6), (3, 10), (3, 10), (3, 8))),
    ("conv2d_1x1", 2, 1, 1, 0, 0.15, 1, False, 440, ((0, 7), (3, 11), (3, 11), (2, 8))),
    ("conv2d_1x1_s2", 2, 1, 2, 0, 0.1, 1, False, 80, ((0, 6), (5, 11), (5, 11), (3, 7))),
    ("conv2d_5x5", 2, 5, 1, "same", 0.1, 1, False, 100, ((0, 5), (3, 9), (3, 9), (3, 7))),
    ("conv2d_7x7", 2, 7, 1, "same", 0.1, 1, False, 100, ((0, 5), (3, 9), (3, 9), (3, 7))),
    ("conv2d_7x7_s2_stem", 2, 7, 2, "same", 0.1, 1, False, 60, ((0, 6), (0, 2), (5, 7), (6, 9))),
    ("conv2d_patch", 2, (2, 4, 8, 14, 16), "filter", 0, 0.1, 1, False, 120, ((0, 6), (0, 10), (5, 11), (5, 10))),
    ("conv2d_few_in", 2, (3, 5), 1, "same", 0.0, 1, False, 140, ((0, 7), (0, 2), (0, 8), (5, 9))),
    ("conv2d_kx1", 2, ((3, 1), (5, 1), (1, 7), (7, 1)), 1, "same", 0.0, 1, False, 80,
     ((0, 5), (3, 9), (3, 9), (4, 8))),
    ("conv2d_grouped", 2, 3, 1, "same", 0.1, (2, 4, 8, 32), False, 100, ((0, 6), (6, 10), (6, 10), (3, 7))),
    ("conv2d_depthwise", 2, (3, 5, 7, 11), 1, "same", 0.0, "depthwise", False, 100, ((0, 6), (3, 10), (0, 0), (4, 8))),
    ("conv1d", 1, (1, 3, 5, 7, 11), 1, "same", 0.0, 1, False, 260, ((0, 6), (3, 10), (3, 10), (6, 14))),
    ("conv1d_strided", 1, (2, 4, 8, 10, 16), (2, 4, 5, 8), 0, 0.0, 1, False, 120, ((0, 5), (0, 9), (4, 10), (8, 17))),
    ("conv1d_depthwise", 1, (3, 15, 31), 1, "same", 0.0, "depthwise", False, 60, ((0, 6), (6, 10), (0, 0), (6, 12))),
    ("conv3d_3x3x3", 3, 3, 1, "same", 0.2, 1, False, 140, ((0, 3), (2, 9), (2, 9), (3, 6))),
    ("conv3d_1x1x1", 3, 1, 1, 0, 0.2, 1, False, 60, ((0, 3), (4, 9), (4, 9), (3, 6))),
    ("conv3d_factorised", 3, ((3, 1, 1), (1, 3, 3)), 1, "same", 0.2, 1, False, 60, ((0, 3), (4, 8), (4, 8), (3, 6))),
    ("conv3d_patch", 3, ((2, 16, 16), (16, 16, 16), (2, 14, 14)), "filter", 0, 0.0, 1, False, 40,
     ((0, 3), (0, 2), (8, 10), (5, 7))),
    ("conv_transpose2d", 2, (2, 4), 2, "transpose", 0.0, 1, True, 120, ((0, 5), (4, 10), (3, 9), (3, 7))),
    ("conv_transpose1d", 1, (4, 8, 16), (2, 4, 8), "transpose", 0.0, 1, True, 60, ((0, 4), (5, 10), (4, 9), (6, 12))),
))

# conv-few-sweep's: an input of one to four channels (an image's, a spectrogram's) or an output of one to four
FEW_FAMILIES = tuple(Family(*row) for row in (
    ("conv2d_patch_rgb", 2, (4, 8, 14, 16, 32), "filter", 0, 0.1, 1, False, 96, ((0, 7), (0, 2), (6, 11), (7, 10))),
    ("conv2d_stem_rgb", 2, (3, 7), 2, "same", 0.1, 1, False, 48, ((0, 6), (0, 2), (4, 7), (6, 10))),
    ("conv2d_few_out", 2, (1, 3), 1, "same", 0.0, 1, False, 48, ((0, 5), (4, 9), (0, 2), (5, 9))),
))


def _pick(rng: random.Random, options):
    return rng.choice(options) if isinstance(options, tuple) else options


def _channels(rng: random.Random, lo: float, hi: float) -> int:
    value = max(1, round(2 ** rng.uniform(lo, hi)))
    return max(8, value - value % 8) if value >= 8 and rng.random() < 0.5 else value


def _dtype(rng: random.Random) -> str:
    return rng.choices([name for name, _ in DTYPES], [share for _, share in DTYPES])[0]


def draw(rng: random.Random, family: Family) -> dict | None:
    """One convolution of `family`, or None where the draw breaks the group's bounds."""
    name, dims, kernel, stride, padding, last_share, groups, transposed, _, bounds = family
    kernel = _pick(rng, kernel)
    kernel = tuple(kernel) if isinstance(kernel, tuple) else (kernel,) * dims
    stride = kernel if stride == "filter" else (_pick(rng, stride),) * dims
    if transposed and any(s > k for s, k in zip(stride, kernel, strict=True)):
        return None  # an upsampling filter covers its stride (HiFi-GAN's, Demucs' decoders: 2s or 4s over s)
    batch = max(1, round(2 ** rng.uniform(*bounds[0])))
    cin = _channels(rng, *bounds[1])
    size = [max(k, round(2 ** rng.uniform(*bounds[3]))) for k in kernel]
    if stride == kernel:
        size = [max(s - s % k, k) for s, k in zip(size, kernel, strict=True)]  # whole patches, as a patchify's image
    if groups == "depthwise":
        groups, cout = cin, cin
    else:
        groups = _pick(rng, groups)
        cout = _channels(rng, *bounds[2])
        cin, cout = max(groups, cin - cin % groups), max(groups, cout - cout % groups)
    if padding == "same":
        pad = tuple(k // 2 for k in kernel)
    elif padding == "transpose":
        pad = tuple((k - s) // 2 for k, s in zip(kernel, stride, strict=True))
    else:
        pad = (0,) * dims
    if transposed:
        out_size = [(n - 1) * s - 2 * p + k for n, s, p, k in zip(size, stride, pad, kernel, strict=True)]
    else:
        out_size = [(n + 2 * p - k) // s + 1 for n, s, p, k in zip(size, stride, pad, kernel, strict=True)]
    if min(out_size) < 1:
        return None
    taps = math.prod(kernel)
    positions = math.prod(out_size) if not transposed else math.prod(size)
    flops = 2 * batch * positions * cout * cin // groups * taps
    dtype = "float32" if groups == cin and cin > 1 and rng.random() < 0.5 else _dtype(rng)
    width = 4 if dtype == "float32" else 2
    nbytes = width * (batch * cin * math.prod(size) + batch * cout * math.prod(out_size) + cout * cin // groups * taps)
    if not MIN_FLOP <= flops <= MAX_FLOP or nbytes > MAX_BYTES:
        return None
    return {"name": name, "dims": dims, "batch": batch, "cin": cin, "cout": cout, "size": tuple(size),
            "kernel": kernel, "stride": stride, "padding": pad, "groups": groups, "transposed": transposed,
            "dtype": dtype, "channels_last": dims > 1 and not transposed and rng.random() < last_share,
            "bias": rng.random() < 0.6}


def sample(seed: int = SEED, families: tuple[Family, ...] = FAMILIES) -> list[dict]:
    """Every family's drawn convolutions, in their order."""
    rng = random.Random(seed)
    out = []
    for family in families:
        got, tries = [], 0
        while len(got) < family.cases and tries < 200 * family.cases:
            tries += 1
            if (conv := draw(rng, family)) is not None:
                got.append(conv)
        out.extend(got)
    return out


def _convs(few: bool = False):
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    forward = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
    backward = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
    out = []
    for c in sample(SEED + 1, FEW_FAMILIES) if few else sample():
        dt = getattr(torch, c["dtype"])
        x = m(c["batch"], c["cin"], *c["size"], dt=dt)
        if c["transposed"]:
            w = m(c["cin"], c["cout"] // c["groups"], *c["kernel"], dt=dt)
        else:
            w = m(c["cout"], c["cin"] // c["groups"], *c["kernel"], dt=dt)
        if c["channels_last"]:
            fmt = torch.channels_last if c["dims"] == 2 else torch.channels_last_3d
            x, w = x.to(memory_format=fmt), w.to(memory_format=fmt)
        args = (x, w, m(c["cout"], dt=dt)) if c["bias"] else (x, w)
        op = backward[c["dims"]] if c["transposed"] else forward[c["dims"]]
        kw = {"stride": c["stride"], "padding": c["padding"], "groups": c["groups"]}
        out.append((c["name"] + ("_cl" if c["channels_last"] else ""),
                    lambda *a, op=op, kw=kw: op(*a, **kw), args))
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((CONV_SWEEP, _convs()),))


def specs_few():
    """The few-channel convolutions' group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((CONV_FEW_SWEEP, _convs(few=True)),))
