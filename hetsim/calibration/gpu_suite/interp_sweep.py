"""The aten sweep's interpolation group: `interp-sweep`, the resizes, launches and losses whose forms the fit has too
few cases of.

The interpolating resizes are priced by the 128-byte lines their warps touch (hetsim.stacks.aten_image._interpolate),
fitted on 6 bilinear and 22 bicubic cases, none trilinear or 1-D linear, none of bilinear's NHWC kernel and few where
many positions make the L2's line traffic bind; the checks' trilinear resizes stay -29..-51 %. torch.optim's foreach
launches were fitted on lists of many chunks only: a list of a few large tensors runs one block a chunk on a few SMs
(a ResNet layer's SGD step: 9 tensors in 23 chunks, 9.5 us where the GPU-wide bandwidth says 2.2). An unreduced
nll_loss (a fill, then a thread a row) ran 23-26 % over its price on the H100's checks.

This group times, at sizes drawn log-uniform within each op's bounds (none taken from a check): bilinear, bicubic,
trilinear and 1-D linear resizes over NCHW and permuted (channels-last) inputs, up and down, at either align_corners
and in 16-bit and fp32; bilinear over dense channels-last inputs (the NHWC kernel); foreach multiplies and adds over
1-8 tensors of 2^14-2^22 elements; unreduced nll_loss over 64-65,536 rows. Fitted, never validated against; the
builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import random
import sys

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs, write_subset

INTERP_SWEEP = "interp-sweep"
SEED = 20261211
PER_OP = 6  # draws an op
# the group's ops whose forms the lowering holds, fitted; its resizes are scored, not fitted: their trilinear and 1-D
# forms priced 175 us for a downsampled 3-D resize that ran 50 us on an H100, and a fit over them took the
# bilinear key to 27 TB/s, off by 66-76 % on the checks' bilinear resizes it held before (calibration/README.md)
FITTED = ("foreach_mul", "foreach_add", "nll_loss_none")


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each op, PER_OP times each, sizes drawn."""
    import torch
    import torch.nn.functional as F

    def resize(mode: str, spatial: int):
        """A resize of a drawn [batch, channels, *spatial] input to a drawn size (0.25-4x a side), its layout,
        align_corners and dtype drawn too."""
        batch, channels = _log(rng, 1, 32), _log(rng, 1, 512)
        sides = [_log(rng, 8, 512 if spatial < 3 else 96) for _ in range(spatial)]
        outs = [max(1, round(s * 2 ** rng.uniform(-2, 2))) for s in sides]
        last, align = rng.random() < 0.3, rng.random() < 0.3
        dt = rng.choice((torch.float32, torch.float16, torch.bfloat16))

        def build(m, i, f, b=batch, c=channels, s=tuple(sides), o=tuple(outs), last=last, align=align, dt=dt):
            if last:  # permuted to N, C, *spatial from a channels-innermost tensor, as position embeddings are
                x = m(b, *s, c, dt=dt).movedim(-1, 1)
            else:
                x = m(b, c, *s, dt=dt)
            return (lambda t: F.interpolate(t, size=o, mode=mode, align_corners=align), (x,))
        return build

    def nhwc():
        b, c, s, o = _log(rng, 1, 32), _log(rng, 4, 512), _log(rng, 8, 256), _log(rng, 8, 512)

        def build(m, i, f, b=b, c=c, s=s, o=o):
            x = m(b, s, s, c, dt=torch.bfloat16).permute(0, 3, 1, 2)  # a dense channels-last tensor
            return (lambda t: F.interpolate(t, size=(o, o), mode="bilinear", align_corners=False), (x,))
        return build

    def foreach(op: str):
        n, numel = _log(rng, 1, 8), _log(rng, 1 << 14, 1 << 22)

        def build(m, i, f, n=n, numel=numel):
            tensors = [m(numel, dt=f) for _ in range(n)]
            if op == "mul":
                return (lambda *ts: torch._foreach_mul_(list(ts), 0.9), tuple(tensors))
            others = [m(numel, dt=f) for _ in range(n)]
            return (lambda *ts: torch._foreach_add_(list(ts[:n]), list(ts[n:]), alpha=0.1), (*tensors, *others))
        return build

    def nll_none():
        rows = _log(rng, 64, 65536)
        classes = min(_log(rng, 10, 65536), (1 << 26) // rows + 10)  # at most ~256 MB of fp32 log-probabilities

        def build(m, i, f, rows=rows, classes=classes):
            return (lambda lp, t: F.nll_loss(lp, t, reduction="none"), (m(rows, classes, dt=f), i(rows)))
        return build

    out = []
    for _ in range(PER_OP):
        out += [
            ("bilinear", resize("bilinear", 2)),
            ("bicubic", resize("bicubic", 2)),
            ("trilinear", resize("trilinear", 3)),
            ("linear_1d", resize("linear", 1)),
            ("bilinear_nhwc", nhwc()),
            ("foreach_mul", foreach("mul")),
            ("foreach_add", foreach("add")),
            ("nll_loss_none", nll_none()),
        ]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(INTERP_SWEEP, _draws, SEED)


def main(argv: list[str] | None = None) -> int:
    return write_subset("hetsim.calibration.gpu_suite.interp_sweep", FITTED, argv)


if __name__ == "__main__":
    sys.exit(main())
