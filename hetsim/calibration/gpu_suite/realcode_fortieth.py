"""The aten sweep's twenty-fourth real-code fit group: `realcode-more24`, the kernels the twenty-first check priced off
by their mechanism, at other shapes than the check's.

realcode-check21, looked at after scoring it blind, showed:
- torch.roll over several dims runs one roll_cuda_kernel per dim (TensorTransformations.cpp roll_common), each an
  element copy with its source offset: three 60 us passes where one contiguous copy was priced (15 us);
- a batched cat or stack whose inputs land in runs narrower than the kernel's 16-byte vectors (coordinates stacked on
  the last dim, 3-wide rows) stores an element at a time: 126 us where copy_cat's rate said 20;
- a last-dim reduction of rows too short for a warp (norms of 3- and 4-vectors, sums of 16 and 25) ran at one element
  rate whatever the dtype, where the bf16-fitted bytes' rate priced fp32 rows 2.3x slow;
- ops hetsim had no model for, priced by roofline (`assumed`): the distribution kernels (randint, rand, normal_),
  linspace, F.grid_sample (its taps, not the whole input), F.unfold (im2col) and log_sigmoid; an in-place view
  (squeeze_) launched nothing.
Each is timed here across its spread: dims rolled and dtypes, run widths and input counts, rows and widths, sizes from
the launch floor to hundreds of MB.
"""

from __future__ import annotations

REALCODE_MORE24 = "realcode-more24"

# (shape, dims rolled, dtype name)
ROLLS = (((8, 64, 64, 96), (1, 2), "float16"), ((4, 32, 32, 32, 64), (1, 2, 3), "bfloat16"),
         ((1 << 20,), (), "float32"), ((4096, 1024), (0,), "float32"), ((2, 8, 28, 28, 256), (1, 2, 3), "float16"),
         ((64, 64), (0, 1), "float32"), ((16, 4096, 512), (1,), "bfloat16"), ((1 << 24,), (0,), "float16"),
         ((32, 96, 96, 32), (1, 2), "float32"))
# elements drawn by the distribution kernels
RANDOM_SIZES = (64, 4096, 65536, 1 << 20, 1 << 22, 1 << 24, 1 << 26)
# (inputs, elements each, dtype name) of stacks on the last dim: runs of one element
STACKS = ((2, 65536, "float32"), (3, 1 << 20, "float32"), (4, 1 << 22, "float32"), (8, 262144, "float32"),
          (2, 1 << 22, "bfloat16"), (6, 1 << 20, "bfloat16"), (3, 1 << 20, "int64"), (16, 65536, "float32"),
          (2, 1 << 24, "float16"), (5, 4096, "float32"))
# (rows, widths of the inputs, dtype name) of cats on the last dim with a narrow run
CATS = ((1 << 20, (1, 2), "float32"), (1 << 20, (3, 3), "float32"), (1 << 22, (2, 1), "bfloat16"),
        (262144, (1, 7), "float16"), (1 << 21, (3, 1), "float32"), (65536, (2, 2, 2), "int64"),
        (1 << 22, (1, 1, 1, 1), "float32"))
# (rows, cols, dtype name) of the last-dim reductions over short rows
NARROW_ROWS = ((4096, 3, "float32"), (1 << 20, 2, "float32"), (1 << 22, 3, "float32"), (1 << 23, 4, "bfloat16"),
               (1 << 20, 8, "float16"), (1 << 21, 12, "float32"), (1 << 18, 24, "bfloat16"), (1 << 22, 16, "float32"),
               (65536, 31, "float32"), (1 << 24, 2, "float16"), (1 << 20, 5, "float32"))
# (N, C, H, W, output H, output W, mode) of F.grid_sample
GRIDS = ((1024, 1, 48, 96, 7, 7, "bilinear"), (8, 64, 64, 64, 64, 64, "bilinear"), (4, 3, 256, 256, 256, 256,
                                                                                    "bilinear"),
         (2048, 1, 32, 64, 5, 5, "nearest"), (16, 16, 128, 128, 32, 32, "bilinear"), (1, 256, 100, 152, 200, 1,
                                                                                     "bilinear"),
         (64, 8, 32, 32, 32, 32, "nearest"), (32, 32, 40, 40, 16, 16, "bicubic"))


def _dtype(name: str):
    import torch

    return getattr(torch, name)


def _rolls_and_draws(m):
    import torch

    out = []
    for shape, dims, dt in ROLLS:
        shifts = tuple(3 + d for d in dims) if dims else (5,)
        out.append(("roll", lambda x, s=shifts, d=dims: torch.roll(x, s, d) if d else torch.roll(x, s[0]),
                    (m(*shape, dt=_dtype(dt)),)))
    for n in RANDOM_SIZES:
        # each factory sized by a bool tensor's length (the case's label carries it)
        out.append(("rand", lambda x: torch.rand(x.shape[0]), (m(n, dt=torch.bool),)))
        out.append(("randn_bf16", lambda x: torch.randn(x.shape[0], dtype=torch.bfloat16), (m(n, dt=torch.bool),)))
        out.append(("randint", lambda x: torch.randint(0, 1000, (x.shape[0],)), (m(n, dt=torch.bool),)))
        out.append(("normal_", lambda x: x.normal_(), (m(n, dt=torch.float32),)))
        out.append(("uniform_fp16", lambda x: x.uniform_(-1, 1), (m(n, dt=torch.float16),)))
    for n in (16, 4096, 1 << 20, 1 << 24):
        out.append(("linspace", lambda x: torch.linspace(0, 1, x.shape[0]), (m(n, dt=torch.bool),)))
    return out


def _cats(m):
    import torch

    out = []
    for k, n, dt in STACKS:
        out.append(("stack_last", lambda *xs: torch.stack(xs, dim=-1), tuple(m(n, dt=_dtype(dt)) for _ in range(k))))
    for rows, widths, dt in CATS:
        out.append(("cat_narrow", lambda *xs: torch.cat(xs, dim=-1), tuple(m(rows, w, dt=_dtype(dt)) for w in widths)))
    # a cat on a middle dim over 2-wide inner rows (point pairs grouped per sample)
    out.append(("cat_middle", lambda a, b: torch.cat((a, b), dim=1), (m(65536, 4, 2, dt=torch.float32),
                                                                          m(65536, 12, 2, dt=torch.float32))))
    return out


def _more24():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    out = _rolls_and_draws(m) + _cats(m)
    for rows, cols, dt in NARROW_ROWS:
        x = m(rows, cols, dt=_dtype(dt))
        out.append(("sum_short", lambda x: x.sum(-1), (x,)))
        out.append(("norm_short", lambda x: torch.linalg.vector_norm(x, dim=-1, keepdim=True), (x,)))
        out.append(("amax_short", lambda x: x.amax(-1), (x,)))
    for n, c, h, w, ho, wo, mode in GRIDS:
        out.append(("grid_sample", lambda x, g, mode=mode: F.grid_sample(x, g, mode=mode, align_corners=True),
                    (m(n, c, h, w, dt=torch.float32), m(n, ho, wo, 2, dt=torch.float32))))
    for n, c, h, w, k in ((1, 2, 96, 160, 3), (4, 64, 56, 56, 3), (16, 3, 224, 224, 16), (1, 32, 128, 128, 5)):
        stride = k if k == 16 else 1
        out.append(("unfold", lambda x, k=k, s=stride: F.unfold(x, k, padding=0 if s > 1 else k // 2, stride=s),
                    (m(n, c, h, w, dt=torch.float32),)))
    for n, dt in ((256, torch.float32), (1 << 20, torch.float32), (1 << 22, torch.bfloat16), (1 << 24, torch.float32)):
        out.append(("logsigmoid", lambda x: F.logsigmoid(x), (m(n, dt=dt),)))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE24, _more24()),))
