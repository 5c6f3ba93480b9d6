"""The aten sweep's twenty-second real-code fit group: `realcode-more22`, cumsum / cumprod over an outer or middle dim
across the shapes its kernel runs.

The twentieth blind check (realcode-check20), looked at after scoring, priced its outer-dim scans (Mamba-2's segment
sums, GLA's gate cumsum, a cumprod over the batch) 1.5-14x slow: realcode-more21's six cases were all few columns
walking long rows (scan_outer_dim: a thread a column, a load and a store a step), where the walk binds, so the
bytes' rate was left free. Timed here from many columns of short rows (the bytes bind) to few columns of long ones,
bf16, fp16 and fp32, over 1-2048 outer indices.
"""

from __future__ import annotations

REALCODE_MORE22 = "realcode-more22"

# (shape, dim, dtype name, op): outer indices x inner columns x the scanned length, from bytes-bound to walk-bound
SCANS = (((32, 2048, 64), 0, "bfloat16", "cumsum"), ((2, 64, 8, 256, 128), -2, "float32", "cumsum"),
         ((4, 8, 16, 64, 128), -2, "float32", "cumsum"), ((32, 8, 1024, 64), -2, "float32", "cumsum"),
         ((16, 256, 1024), 1, "float32", "cumsum"), ((256, 512, 32), 1, "bfloat16", "cumsum"),
         ((8, 64, 2048), 1, "float32", "cumprod"), ((128, 8192), 0, "float32", "cumsum"),
         ((4, 16, 512, 512), 2, "float32", "cumsum"), ((1, 4096, 2048), 1, "bfloat16", "cumsum"),
         ((2048, 4096, 8), 1, "float16", "cumsum"), ((64, 128, 4, 64), 1, "float32", "cumsum"))


def _more22():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    out = []
    for shape, dim, dt, name in SCANS:
        fn = getattr(torch, name)
        out.append((f"{name}_outer", lambda x, fn=fn, dim=dim: fn(x, dim=dim), (m(*shape, dt=getattr(torch, dt)),)))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE22, _more22()),))
