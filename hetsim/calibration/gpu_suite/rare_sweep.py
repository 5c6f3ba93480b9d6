"""The aten sweep's rare-op group: `rare-sweep`, ops hetsim has no kernel model for, each at a spread of sizes.

An aten op the mapping does not know is priced by a datasheet roofline (`aten_unknown`, assumed). Across the blind
checks 27 such cases missed by more than 25 %, nearly all priced far too fast: cuSOLVER's factorisations (qr,
cholesky, triangular solves, slogdet) run latency-bound panel steps, weight_norm's last-dim kernel, affine_grid's
batched product with three columns, cdist's block-per-output kernel, histc's atomics, the antialiased resizes,
adaptive pooling at sizes that do not divide, _int_mm, col2im. This group times each such op at sizes drawn over the
range real code calls it at: the keys of hetsim.stacks.aten_library (and aten_image's `upsample_aa`, `pool_adaptive`)
are fitted on them, each op priced by the work its shapes say instead of the roofline.

Shapes are drawn, not taken from any check (log-uniform within each op's bounds). Fitted, never validated against;
the builder drops a case equal to any earlier group's.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

RARE_SWEEP = "rare-sweep"
SEED = 20261208
PER_OP = 14  # draws an op


def _log(rng: random.Random, lo: int, hi: int) -> int:
    """An integer log-uniform in [lo, hi]."""
    return max(lo, min(hi, round(2 ** rng.uniform(math.log2(lo), math.log2(hi)))))


def _draws(rng: random.Random):
    """(name, builder(m, i, f32) -> (callable, meta inputs)) for each op, PER_OP times each, sizes drawn."""
    import torch
    import torch.nn.functional as F

    def sq(lo, hi):
        return _log(rng, lo, hi)

    out = []
    for _ in range(PER_OP):
        n, k = sq(8, 4096), sq(1, 2048)
        rows, cols = sq(8, 4096), sq(8, 1024)
        batch = sq(1, 64)
        out += [
            ("linalg_qr", lambda m, i, f, r=sq(8, 2048), c=sq(8, 1024): (torch.linalg.qr, (m(max(r, c), c, dt=f),))),
            ("cholesky_ex", lambda m, i, f, n=n: (torch.linalg.cholesky_ex, (m(n, n, dt=f),))),
            ("solve_triangular", lambda m, i, f, n=n, k=k: (
                lambda a, b: torch.linalg.solve_triangular(a, b, upper=False), (m(n, n, dt=f), m(n, k, dt=f)))),
            ("cholesky_solve", lambda m, i, f, n=n, k=k: (torch.cholesky_solve, (m(n, k, dt=f), m(n, n, dt=f)))),
            ("slogdet", lambda m, i, f, b=batch, s=sq(2, 512): (torch.linalg.slogdet, (m(b, s, s, dt=f),))),
            ("weight_norm_last", lambda m, i, f, o=rows, c=cols: (
                lambda v, g: torch._weight_norm(v, g, dim=1), (m(o, c, dt=f), m(1, c, dt=f)))),
            ("weight_norm_first", lambda m, i, f, o=rows, c=cols: (
                lambda v, g: torch._weight_norm(v, g, dim=0), (m(o, c, dt=f), m(o, 1, dt=f)))),
            ("affine_grid", lambda m, i, f, b=batch, h=sq(8, 512), w=sq(8, 512): (
                lambda t: F.affine_grid(t, [b, 3, h, w], align_corners=False), (m(b, 2, 3, dt=f),))),
            ("cdist_p1", lambda m, i, f, a=sq(16, 8192), b=sq(16, 4096), d=sq(2, 256): (
                lambda x, y: torch.cdist(x, y, p=1.0), (m(a, d, dt=f), m(b, d, dt=f)))),
            ("histc", lambda m, i, f, e=sq(1024, 1 << 26), bins=sq(16, 4096): (
                lambda x: torch.histc(x, bins=bins, min=0, max=1), (m(e, dt=f),))),
            ("int_mm", lambda m, i, f, r=sq(32, 4096) // 8 * 8 + 24, c=sq(64, 8192) // 8 * 8,
             d=sq(64, 8192) // 8 * 8: (lambda a, b: torch._int_mm(a, b.t()),
                                       (m(r, d, dt=torch.int8), m(c, d, dt=torch.int8)))),
            ("adaptive_avg_pool2d", lambda m, i, f, b=batch, c=sq(3, 1024), s=sq(7, 128), o=sq(1, 48): (
                lambda x: F.adaptive_avg_pool2d(x, min(o, s)), (m(b, c, s, s, dt=f),))),
            ("bilinear_aa", lambda m, i, f, b=batch, s=sq(32, 1024), o=sq(16, 512): (
                lambda x: F.interpolate(x, size=(min(o, s), min(o, s)), mode="bilinear", antialias=True),
                (m(b, 3, s, s, dt=f),))),
            ("bicubic_aa", lambda m, i, f, b=batch, c=sq(1, 768), s=sq(8, 512), o=sq(8, 512): (
                lambda x: F.interpolate(x, size=(o, o), mode="bicubic", antialias=True), (m(b, c, s, s, dt=f),))),
            ("col2im", lambda m, i, f, b=sq(1, 16), c=sq(1, 256), s=sq(8, 128), kk=rng.choice((2, 3, 4, 7)): (
                lambda x: F.fold(x, output_size=(s, s), kernel_size=kk, stride=kk),
                (m(b, c * kk * kk, (s // kk) ** 2, dt=f),))),
            ("isin", lambda m, i, f, e=sq(16, 1 << 22), t=sq(1, 4096): (torch.isin, (i(e), i(t)))),
        ]
    return out


def drawn_specs(group: str, draws, seed: int):
    """(group, label, callable, meta inputs, positive) of each op `draws(rng)` builds, sizes drawn from `seed`, as
    aten_cases' spec functions yield them (rare-sweep's, library-sweep's)."""
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _labelled, _meta_makers

    m, i = _meta_makers()
    rng = random.Random(seed)
    yield from _labelled(((group, [(name, *build(m, i, torch.float32)) for name, build in draws(rng)]),))


def labelled_rows(path: Path, labels: tuple[str, ...], keep: bool = True):
    """The rows of a timed sweep (its parquet) whose op's label (the second part of its first source) is in `labels`
    (`keep`), or is not."""
    import pandas as pd

    rows = pd.read_parquet(path)
    label = rows.sources.map(lambda s: json.loads(s)[0][0].split("/")[1])
    return rows[label.isin(labels) == keep]


def write_subset(prog: str, fitted: tuple[str, ...], argv: list[str] | None) -> int:
    """A drawn sweep's command line: write the rows of its timed parquet (--fitted) whose op is in `fitted` as their own
    file (--out), or with --rest the others; the sweep's metadata beside it, saying which. Exit 2 rather than
    overwrite a file."""
    ap = argparse.ArgumentParser(prog=prog, description="write a timed sweep's fitted rows as their own file")
    ap.add_argument("--fitted", type=Path, required=True, help="the sweep's parquet, as aten_sweep wrote it")
    ap.add_argument("--out", type=Path, required=True, help="the file to write (NAME.parquet; NAME.json beside it)")
    ap.add_argument("--rest", action="store_true", help="write the rows whose op is not fitted instead")
    a = ap.parse_args(argv)
    if a.out.exists():
        print(f"{a.out}: exists; not overwritten", file=sys.stderr)
        return 2
    rows = labelled_rows(a.fitted, fitted, keep=not a.rest)
    meta = json.loads(a.fitted.with_suffix(".json").read_text())
    meta.update(subset_of=str(a.fitted), **{"left_out" if a.rest else "kept": list(fitted)}, subset_cases=len(rows),
                derived_by=f"python -m {prog} " + " ".join(argv if argv is not None else sys.argv[1:]))
    rows.to_parquet(a.out, index=False)
    a.out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n")
    print(f"wrote {len(rows)} of the sweep's rows ({'all but ' if a.rest else ''}{', '.join(fitted)}) to {a.out}")
    return 0


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    yield from drawn_specs(RARE_SWEEP, _draws, SEED)
