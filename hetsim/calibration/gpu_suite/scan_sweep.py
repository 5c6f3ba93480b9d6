"""The aten sweep's scan group: `scan-sweep`, torch.cumsum and torch.cumprod from a few elements to a few million, the
small end no fit case covers.

The scan keys were fitted on 16 cases of 3 K to 200 K chunk steps (the fit file's and longk-sweep's cumsums over
long rows): the smallest ran 3.9 us on an H100. Scans of a few short rows (a speculative sampler's cumprod of its
draft's acceptances, 64 x 5; a length regulator's cumsum of 16 x 120 durations; position ids from a mask) ran 1.8-2.5
us there, which the fit's one-chunk-a-wave floor priced 1.2; one-row scans (cub's device scan) ran 2.7 us where it
priced 3.7. This group draws, in fp32, bf16 and int64 (no cast kernel before the scan):
- rows of 2 to 8 K elements over the last dim, 1 to 64 K rows (scan_innermost_dim);
- one row of 16 to 4 M elements (cub's device scan);
- a dim that is not the last: 2 to 4 K steps over 1 to 4 K columns (scan_outer_dim);
sizes log-uniform (none taken from a check). Fit data for the scan keys' fixed costs. The builder drops a case equal
to any earlier group's.
"""

from __future__ import annotations

import random

from hetsim.calibration.gpu_suite.rare_sweep import _log, drawn_specs

SCAN_SWEEP = "scan-sweep"
SEED = 20261211
DRAWS = 96
MAX_ELEMENTS = 1 << 24


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each draw: a layout, a shape, a dtype and an op."""
    import torch

    def draw(k_draw):
        dt = rng.choice((torch.float32, torch.bfloat16, torch.int64))
        op = torch.cumprod if dt != torch.int64 and rng.random() < 0.35 else torch.cumsum
        layout = ("rows", "rows", "one", "outer")[k_draw % 4]
        if layout == "rows":
            cols = _log(rng, 2, 8192)
            shape, dim = (max(1, min(_log(rng, 1, 65536), MAX_ELEMENTS // cols)), cols), -1
        elif layout == "one":
            shape, dim = (_log(rng, 16, 1 << 22),), 0
        else:
            steps, cols = _log(rng, 2, 4096), _log(rng, 1, 4096)
            shape, dim = (steps, max(1, min(cols, MAX_ELEMENTS // steps))), 0

        def build(m, i, f, shape=shape, dim=dim, dt=dt, op=op):
            x = i(*shape) if dt == torch.int64 else m(*shape, dt=dt)
            return (lambda t: op(t, dim=dim)), (x,)
        return f"{op.__name__}_{layout}", build

    return [draw(d) for d in range(DRAWS)]


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(SCAN_SWEEP, _draws, SEED)
