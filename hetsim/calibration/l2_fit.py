"""Fit hetsim.hardware.residency's constants on runs of experiments/l2_residency/run.py.

    python -m hetsim.calibration.l2_fit [PARQUET ...] [--gain G]   (default: the two 2026-12-02 H200 runs, pooled)

Each op was timed hot (replayed on the same buffers) and cold (rotating inputs past 3x the L2) at working sets of
0.5-256 MB. Per op and run, its HBM rate is the cold times' affine fit (>= 4 MB); the hot times are then
overhead + bytes x (1 - share x (1 - 1 / gain)) / HBM rate, share = residency.l2_share's ramp. The ramp's two ends
(fractions of the L2) and the gain are shared by the ops and runs and chosen on a grid by the p90 then the median of
the hot times' relative error; each op's hot overhead is the median residual. Fitted on the bandwidth-bound ops and
GroupNorm's walk (FIT_OPS), never on a composite. The linears (MATRIX_OPS: cuBLAS on the tensor cores) take their own
gain on that ramp; softmax and the last-dim sum are in the runs to be looked at (lane work and fixed costs bind
them). Each run is also fitted alone: the spread of the constants between runs is printed beside the pooled fit.
It also prints L2_GAIN_REREAD (reread_gain): the rate of a bmm's items re-reading one broadcast weight from the L2,
fitted on realcode-more11's aten cases.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from hetsim.calibration.paths import REPO_ROOT

RUNS = REPO_ROOT / "calibration" / "profiles" / "runs"
DEFAULT_RUNS = (RUNS / "l2-residency-2026-12-02" / "l2_residency.parquet",
                RUNS / "l2-residency-2026-12-02b" / "l2_residency.parquet")
# the H100's runs (2026-12-06, one lease): its ramp is fitted under the H200's gain (residency.RAMPS)
H100_RUNS = (RUNS / "l2-residency-H100-SXM-2026-12-06" / "l2_residency.parquet",
             RUNS / "l2-residency-H100-SXM-2026-12-06b" / "l2_residency.parquet")
FIT_OPS = ("mul_bf16", "copy_bf16", "add_fp32", "group_norm_fp16")
MATRIX_OPS = ("linear_m16_bf16", "linear_m256_bf16")  # tensor-core GEMMs: their own gain, on the same ramp
COLD_FIT_MIN_BYTES = 4 << 20  # below, the cold time is mostly the launch


@dataclass(frozen=True)
class L2Fit:
    hot_share: float
    cold_share: float
    gain: float
    gain_matrix: float
    median_abs: float
    p90_abs: float
    l2_bytes: int


def _ramp(nbytes, l2: float, hot: float, cold: float):
    import numpy as np

    return np.clip((cold * l2 - nbytes) / ((cold - hot) * l2), 0.0, 1.0)


def _ops(path: Path, names=FIT_OPS) -> tuple[float, list]:
    """(the run's L2 bytes, [(hot bytes, hot seconds, the op's cold seconds a byte)] of each op of `names`)."""
    import numpy as np
    import pandas as pd

    runs = pd.read_parquet(path)
    l2 = float(json.loads(Path(path).with_suffix(".json").read_text())["l2_bytes"])
    ops = []
    for name in names:
        x = runs[runs.op == name]
        cold = x[(x.way == "cold") & (x.bytes >= COLD_FIT_MIN_BYTES)]
        hot = x[x.way == "hot"]
        a = np.vstack([np.ones(len(cold)), cold.bytes]).T / cold.graph_s.to_numpy()[:, None]
        _, s_per_byte = np.linalg.lstsq(a, np.ones(len(cold)), rcond=None)[0]
        ops.append((hot.bytes.to_numpy(float), hot.graph_s.to_numpy(float), s_per_byte))
    return l2, ops


def fit(paths=DEFAULT_RUNS, gain: float | None = None) -> L2Fit:
    """The constants fitted on the runs pooled (one path or several; each run's ops keep their own HBM rate and
    overhead). `gain`: the L2's rate held at this (another GPU's ramp under the gain the GPU model shares), not
    fitted."""
    import numpy as np

    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    runs = [_ops(Path(p)) for p in paths]
    if len({l2 for l2, _ in runs}) != 1:
        raise ValueError("the runs were taken on GPUs with different L2 sizes: fit each alone")
    l2 = runs[0][0]
    ops = [op for _, run_ops in runs for op in run_ops]
    gains = np.arange(1.5, 3.0001, 0.05) if gain is None else np.array([gain])
    best = None
    for hot_share in np.arange(0.40, 0.70, 0.01):
        for cold_share in np.arange(hot_share + 0.05, 1.10, 0.01):
            score, best_gain = _best_gain(ops, l2, hot_share, cold_share, gains)
            if best is None or score < best[0]:
                best = (score, hot_share, cold_share, best_gain)
    (p90, med), hot_share, cold_share, gain = best
    hot_share, cold_share = round(float(hot_share), 2), round(float(cold_share), 2)
    matrix = [op for p in paths for op in _ops(Path(p), MATRIX_OPS)[1]]
    _, gain_matrix = _best_gain(matrix, l2, hot_share, cold_share, np.arange(1.0, 3.0001, 0.05))
    return L2Fit(hot_share, cold_share, round(gain, 2), round(gain_matrix, 2), med, p90, int(l2))


def _best_gain(ops, l2: float, hot_share: float, cold_share: float, gains) -> tuple[tuple[float, float], float]:
    """((p90, median) of the hot times' relative error, the gain) for the gain of `gains` that fits `ops` best on
    the given ramp (the p90 first, then the median); each op's overhead is its median residual. Every gain is scored
    at once: one row of the arrays each."""
    import numpy as np

    gains = np.asarray(gains)[:, None]
    errs = []
    for nbytes, t, s_per_byte in ops:
        bytes_s = nbytes * (1 - _ramp(nbytes, l2, hot_share, cold_share) * (1 - 1 / gains)) * s_per_byte
        errs.append(np.abs((np.median(t - bytes_s, axis=1, keepdims=True) + bytes_s) / t - 1))
    e = np.concatenate(errs, axis=1)
    p90s, medians = np.percentile(e, 90, axis=1), np.median(e, axis=1)
    i = min(range(len(gains)), key=lambda j: (p90s[j], medians[j]))
    return (float(p90s[i]), float(medians[i])), float(gains[i, 0])


REREAD_RUN = RUNS / "H200-aten-realcode-more11-2026-12-03.parquet"  # the broadcast-weight bmms of realcode-more11
REREAD_MIN_BYTES = 100e6  # re-reads enough that the kernel's launch and the bytes once are a few % of its time
REREAD_MAX_ROWS = 8  # rows an item: the tiles' math far below the re-reads


def reread_gain(path: Path = REREAD_RUN, hbm_bw: float | None = None) -> float:
    """residency.L2_GAIN_REREAD: the rate at which a traced bmm's items re-read one broadcast weight from the L2
    (gpu.broadcast_reread_bytes), over the HBM's streaming rate (`hbm_bw`, default the H200 profile's), the median
    over the run's products with >= REREAD_MIN_BYTES of re-reads and at most REREAD_MAX_ROWS rows an item, rounded
    to 0.05. Measured graph times, the kernel's launch left in."""
    import statistics

    from hetsim.calibration.predict import gpu_model
    from hetsim.calibration.trace_cases import load_cases, lower_case
    from hetsim.hardware.gpu import broadcast_reread_bytes

    if hbm_bw is None:
        hbm_bw = gpu_model("H200").hbm_bw
    rates = []
    for case in load_cases(path):
        if not case.measured.get("graph"):
            continue
        for op in lower_case(case):
            rereads = broadcast_reread_bytes(op)
            if rereads >= REREAD_MIN_BYTES and op.m <= REREAD_MAX_ROWS:
                rates.append(rereads / case.measured["graph"])
    if not rates:
        raise ValueError(f"{path}: no bmm over a broadcast weight with >= {REREAD_MIN_BYTES:.0e} bytes of re-reads")
    return round(statistics.median(rates) / hbm_bw / 0.05) * 0.05


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hetsim.calibration.l2_fit", description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="*", type=Path, default=list(DEFAULT_RUNS))
    ap.add_argument("--gain", type=float, default=None,
                    help="hold the L2's rate at this (another GPU's ramp, residency.RAMPS: the H200's L2_GAIN)")
    args = ap.parse_args(argv)
    paths, gain = args.runs, args.gain
    f = fit(paths, gain)
    print(f"L2_HOT_SHARE = {f.hot_share}\nL2_COLD_SHARE = {f.cold_share}\nL2_GAIN = {f.gain}\n"
          f"L2_GAIN_MATRIX = {f.gain_matrix}\n"
          f"hot times: median |error| {f.median_abs:.1%}, p90 {f.p90_abs:.1%} (L2 {f.l2_bytes / 2**20:.0f} MB, "
          f"{len(paths)} run(s))")
    print(f"L2_GAIN_REREAD = {reread_gain():.2f}  (broadcast-weight bmms of {REREAD_RUN.name})")
    if len(paths) > 1:
        for p in paths:
            one = fit([p], gain)
            print(f"  {p.parent.name}: {one.hot_share} / {one.cold_share} / gain {one.gain} / {one.gain_matrix} "
                  f"(median {one.median_abs:.1%}, p90 {one.p90_abs:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
