"""The aten sweep's pooling and special-function group: `pool-special-sweep`, the forms realcode-check30 showed the fit
has no cases of.

realcode-check30 (blind, on an H100) priced three kinds of kernel 50-95 % fast (calibration/README.md, eleventh
session): windowed pools whose neighbouring threads read a sector apart (a global avg_pool2d over 32 x 32 planes,
avg_pool3d over 7 x 7 planes, TextCNN's max pools over 1 x 60 windows), where the `pool` key was fitted on 8 cases of
2 x 2 and 3 x 3 windows at stride 2; adaptive_max_pool2d, a block a plane with a thread walking each output's window,
where `pool_adaptive` was fitted on adaptive average pools; and ATen's special functions (digamma, lgamma, polygamma,
ndtri), whose loops and rational approximations cost far more per element than the exp and erf `pointwise_math` was
fitted on.

This group times, at sizes drawn log-uniform within each op's bounds (none taken from a check): avg and max pools
over whole planes, over k x k windows at stride k and over 1 x k windows; 3-D pools over 2 x 2 x 2 windows and over
whole frames; adaptive max and average pools to 1 x 1 .. 7 x 7 over 256-65,536 planes; and digamma, lgamma,
polygamma(1), ndtri, erfinv, erfc, i0e, atan, asinh and igamma over 2^12-2^25 elements, in fp32 and 16 bits. Fit data
for the next forms of those keys; the builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs, write_subset

POOL_SPECIAL_SWEEP = "pool-special-sweep"
SEED = 20261206
PER_OP = 6  # draws an op
# the ops whose forms the fit takes from this sweep (`pool`, `pool_adaptive_max` and the special functions' keys); the
# rest are controls, priced by keys fitted elsewhere and kept as neighbours only (--table-cases): erfc, atan and asinh
# (pointwise_math held them within 25 % before the sweep), erfinv (the plain kernel), the adaptive average pools to
# 1 x 1 (a mean), whose fit data lie elsewhere
FITTED = ("global_avg_pool2d", "global_max_pool2d", "avg_pool2d_kxk", "max_pool2d_kxk", "max_pool2d_1xk",
          "avg_pool3d_frame", "max_pool3d_2x2x2", "adaptive_max_pool2d", "digamma", "lgamma", "trigamma", "ndtri",
          "i0e", "igamma")


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each op, PER_OP times each, sizes drawn."""
    import torch
    import torch.nn.functional as F

    def dtype():
        return rng.choice((torch.float32, torch.float32, torch.bfloat16, torch.float16))

    def planes(lo=256, hi=65536):
        """(batch, channels) of about a log-uniform number of planes."""
        total = _log(rng, lo, hi)
        batch = _log(rng, 1, min(64, total))
        return batch, max(1, total // batch)

    def global_pool(kind: str):
        (b, c), side, dt = planes(), _log(rng, 4, 64), dtype()
        pool = F.avg_pool2d if kind == "avg" else F.max_pool2d

        def build(m, i, f, b=b, c=c, s=side, dt=dt):
            return (lambda x: pool(x, kernel_size=(s, s)), (m(b, c, s, s, dt=dt),))
        return build

    def window_pool(kind: str, row: bool):
        (b, c), dt = planes(64, 16384), dtype()
        k = _log(rng, 2, 16) if not row else _log(rng, 8, 128)
        h, w = (1, k * _log(rng, 1, 8)) if row else (k * _log(rng, 1, 16), k * _log(rng, 1, 16))
        window = (1, k) if row else (k, k)
        pool = F.avg_pool2d if kind == "avg" else F.max_pool2d

        def build(m, i, f, b=b, c=c, h=h, w=w, window=window, dt=dt):
            return (lambda x: pool(x, kernel_size=window, stride=window), (m(b, c, h, w, dt=dt),))
        return build

    def pool3d(kind: str, whole: bool):
        (b, c), dt = planes(64, 16384), dtype()
        t, s = _log(rng, 2, 16), _log(rng, 4, 56)
        window = (_log(rng, 1, t), s, s) if whole else (2, 2, 2)
        pool = F.avg_pool3d if kind == "avg" else F.max_pool3d

        def build(m, i, f, b=b, c=c, t=t, s=s, window=window, dt=dt):
            return (lambda x: pool(x, kernel_size=window, stride=1 if whole else 2), (m(b, c, t, s, s, dt=dt),))
        return build

    def adaptive(kind: str):
        (b, c), side, dt = planes(), _log(rng, 7, 64), dtype()
        out = rng.choice((1, 1, 2, 4, 7))
        pool = F.adaptive_max_pool2d if kind == "max" else F.adaptive_avg_pool2d

        def build(m, i, f, b=b, c=c, s=side, o=out, dt=dt):
            return (lambda x: pool(x, o), (m(b, c, s, s, dt=dt),))
        return build

    def special(fn, binary: bool = False, half: bool = True):
        numel, dt = _log(rng, 1 << 12, 1 << 25), dtype() if half else torch.float32

        def build(m, i, f, n=numel, dt=dt):
            return (fn, (m(n, dt=dt), m(n, dt=dt)) if binary else (m(n, dt=dt),))
        return build

    out = []
    for _ in range(PER_OP):
        out += [
            ("global_avg_pool2d", global_pool("avg")),
            ("global_max_pool2d", global_pool("max")),
            ("avg_pool2d_kxk", window_pool("avg", row=False)),
            ("max_pool2d_kxk", window_pool("max", row=False)),
            ("max_pool2d_1xk", window_pool("max", row=True)),
            ("avg_pool3d_frame", pool3d("avg", whole=True)),
            ("max_pool3d_2x2x2", pool3d("max", whole=False)),
            ("adaptive_max_pool2d", adaptive("max")),
            ("adaptive_avg_pool2d", adaptive("avg")),
            ("digamma", special(torch.digamma)),
            ("lgamma", special(torch.lgamma)),
            ("trigamma", special(lambda x: torch.polygamma(1, x), half=False)),
            ("ndtri", special(torch.special.ndtri, half=False)),
            ("erfinv", special(torch.erfinv)),
            ("erfc", special(torch.erfc)),
            ("i0e", special(torch.special.i0e, half=False)),
            ("atan", special(torch.atan)),
            ("asinh", special(torch.asinh)),
            ("igamma", special(torch.igamma, binary=True, half=False)),
        ]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(POOL_SPECIAL_SWEEP, _draws, SEED)


def main(argv: list[str] | None = None) -> int:
    return write_subset("hetsim.calibration.gpu_suite.pool_special_sweep", FITTED, argv)


if __name__ == "__main__":
    raise SystemExit(main())
