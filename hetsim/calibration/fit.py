"""Fitting the GPU model (`hetsim.hardware.gpu.OpClassRates`) to measurements. numpy only.

Per rate key, from the sweep points of that key:

  dispatch_s   median host issue time per call over the key's host-bound points (all points
               where fewer than 3 are); 0 where the timer cannot separate host and device
               (CPU torch);
  overhead_s, bw_bytes_per_s, flop_rate, roof_p
               least squares on log(predicted / measured) device time, with a soft-L1 loss so
               a stray point cannot drag a class; device time is the CUDA-graph time where it
               was measured, else the eager time of device-bound points. roof_p is chosen from
               a small grid (inf = plain roofline); flop_rate is fitted only where the key's
               points span arithmetic intensities (4x or more) and reach the compute roof, else
               it stays at infinity (never compute-bound in the measured range, so the model
               claims nothing there);
  wave_s, item_s
               instead of the roofline, for keys whose kernel runs one block per row
               (single-block top-k): waves of `wave_slots` rows (the GPU's SM count), each
               costing wave_s + item_s * row length;
  eager_gap_s  median of eager minus graph time over the key's device-bound points: the launch
               gaps an eager stream adds between an op's kernels.

`fit_host_mix` gives the host's extra cost on mixed sequences (measured on random mixes of
sweep ops, never on the validation composites).

The fit never sees the validation composites: they are measured for checking only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from hetsim.hardware.gpu import OpClassRates

ROOF_P_GRID = (math.inf, 4.0, 2.0, 1.0)
INTENSITY_SPAN = 4.0  # FLOP/byte range a key's points must span for a compute roof to be fitted
SOFT_SCALE = 0.05  # log-error scale where the soft-L1 loss turns from quadratic to linear


@dataclass
class FitPoint:
    """One measurement: an op's cost and its measured times (NaN where not measured)."""

    flops: float
    nbytes: float
    t_s: float  # eager stream time per call
    cpu_s: float = math.nan  # host issue time per call
    graph_s: float = math.nan  # device-only time per call
    rows: float = 1.0  # rows and items per row, for the wave term (hetsim.hardware.gpu.wave_shape)
    items: float = 0.0


@dataclass
class FitResult:
    key: str
    rates: OpClassRates
    points: int
    device_points: int
    median_abs_err: float  # of the full model max(dispatch, device) against eager times
    p90_abs_err: float
    max_abs_err: float
    device_median_abs_err: float  # of the device part against device times
    compute_bound_points: int = 0
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"points": self.points, "device_points": self.device_points,
                "median_abs_err": round(self.median_abs_err, 4), "p90_abs_err": round(self.p90_abs_err, 4),
                "max_abs_err": round(self.max_abs_err, 4),
                "device_median_abs_err": round(self.device_median_abs_err, 4),
                "compute_bound_points": self.compute_bound_points, "notes": list(self.notes)}


def nelder_mead(f, x0: np.ndarray, step: float = 0.5, iters: int = 600, tol: float = 1e-10) -> np.ndarray:
    """Minimise f from x0 (the downhill simplex; a few parameters, no derivatives needed)."""
    n = len(x0)
    simplex = [np.asarray(x0, float)] + [np.asarray(x0, float) + step * np.eye(n)[i] for i in range(n)]
    values = [f(x) for x in simplex]
    for _ in range(iters):
        order = np.argsort(values)
        simplex = [simplex[i] for i in order]
        values = [values[i] for i in order]
        if abs(values[-1] - values[0]) <= tol * (abs(values[0]) + tol):
            break
        centroid = np.mean(simplex[:-1], axis=0)
        worst = simplex[-1]
        xr = centroid + (centroid - worst)
        fr = f(xr)
        if fr < values[0]:
            xe = centroid + 2.0 * (centroid - worst)
            fe = f(xe)
            simplex[-1], values[-1] = (xe, fe) if fe < fr else (xr, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = xr, fr
        else:
            xc = centroid + 0.5 * (worst - centroid)
            fc = f(xc)
            if fc < values[-1]:
                simplex[-1], values[-1] = xc, fc
            else:
                best = simplex[0]
                simplex = [best] + [best + 0.5 * (x - best) for x in simplex[1:]]
                values = [values[0]] + [f(x) for x in simplex[1:]]
    return simplex[int(np.argmin(values))]


def _soft_l1(r: np.ndarray) -> float:
    z = (r / SOFT_SCALE) ** 2
    return float(np.sum(2.0 * (np.sqrt(1.0 + z) - 1.0)))


def _device_time(flops, nbytes, overhead, inv_bw, inv_f, p) -> np.ndarray:
    a, b = flops * inv_f, nbytes * inv_bw
    if math.isinf(p):
        return overhead + np.maximum(a, b)
    hi = np.maximum(np.maximum(a, b), 1e-300)
    return overhead + hi * ((a / hi) ** p + (b / hi) ** p) ** (1.0 / p)


def _squash(x: float, top: float) -> float:
    """(-inf, inf) -> (0, top): the overhead stays positive and below the fastest point."""
    return top * 0.5 * (1.0 + math.tanh(0.5 * x))


def fit_device(flops: np.ndarray, nbytes: np.ndarray, t: np.ndarray, fit_flops: bool,
               overhead_max: float = 1e-3) -> tuple[float, float, float, float, float]:
    """(overhead_s, bw, flop_rate, roof_p, loss) minimising the soft-L1 log error of
    overhead + roof(flops/flop_rate, bytes/bw) against device times t."""
    flops, nbytes, t = (np.asarray(x, float) for x in (flops, nbytes, t))
    big = nbytes >= np.quantile(nbytes, 0.66)
    bw0 = float(np.median(nbytes[big] / t[big])) if big.any() else float(np.median(nbytes / t))
    with np.errstate(divide="ignore", invalid="ignore"):
        f0 = float(np.nanmax(np.where(t > 0, flops / t, np.nan))) if fit_flops else math.inf
    if not (math.isfinite(bw0) and bw0 > 0):
        bw0 = 1e11
    if fit_flops and not (math.isfinite(f0) and f0 > 0):
        f0 = 1e12
    ovh0 = min(max(float(np.min(t)) * 0.5, 1e-9), 0.5 * overhead_max)
    best = None
    for p in ROOF_P_GRID if fit_flops else (math.inf,):
        def loss(x, p=p):
            x = np.clip(x, -200.0, 200.0)  # exp() stays finite wherever the simplex wanders
            inv_bw = math.exp(x[1])
            inv_f = math.exp(x[2]) if fit_flops else 0.0
            pred = _device_time(flops, nbytes, _squash(x[0], overhead_max), inv_bw, inv_f, p)
            with np.errstate(all="ignore"):
                value = _soft_l1(np.log(pred / t))
            return value if math.isfinite(value) else 1e300

        x0 = np.array([math.log(ovh0 / max(overhead_max - ovh0, 1e-12)), -math.log(bw0),
                       -math.log(f0) if fit_flops else 0.0])
        for start in (x0, x0 + np.array([-2.0, 0.3, 0.3])):
            x = nelder_mead(loss, start)
            x = nelder_mead(loss, x, step=0.1)
            value = loss(x)
            if best is None or value < best[-1]:
                x = np.clip(x, -200.0, 200.0)
                best = (_squash(x[0], overhead_max), math.exp(-x[1]), math.exp(-x[2]) if fit_flops else math.inf,
                        p, value)
    return best


def _waves(rows: np.ndarray, slots: float) -> np.ndarray:
    return np.ceil(rows / slots)


def fit_waves(rows: np.ndarray, items: np.ndarray, t: np.ndarray, slots: float) -> tuple[float, float, float]:
    """(overhead_s, wave_s, item_s) minimising the soft-L1 log error of
    overhead + ceil(rows / slots) * (wave_s + item_s * items) against device times t."""
    w = _waves(rows, slots)

    def unpack(x):
        x = np.clip(x, -200.0, 200.0)
        return math.exp(x[0]), math.exp(x[1]), math.exp(x[2])

    def loss(x):
        ovh, ws, its = unpack(x)
        pred = ovh + w * (ws + its * items)
        with np.errstate(all="ignore"):
            value = _soft_l1(np.log(pred / t))
        return value if math.isfinite(value) else 1e300

    t0 = float(np.min(t))
    span = max(float(np.max(items)), 1.0)
    best = None
    for x0 in (np.log([0.2 * t0, 0.6 * t0, 0.2 * t0 / span]), np.log([0.05 * t0, 0.8 * t0, 0.5 * t0 / span])):
        x = nelder_mead(loss, x0)
        x = nelder_mead(loss, x, step=0.1)
        if best is None or loss(x) < best[1]:
            best = (x, loss(x))
    return unpack(best[0])


def fit_key(key: str, points: Sequence[FitPoint], separate_host: bool, dtype: str | None = None,
            min_points: int = 3, wave_slots: float = 0.0) -> FitResult:
    """Fit one rate key. `separate_host`: the timer measured host issue and device time apart;
    `wave_slots` > 0: the key's kernel runs one block per row, fit the wave form."""
    t = np.array([p.t_s for p in points], float)
    rows = np.array([p.rows for p in points], float)
    items = np.array([p.items for p in points], float)
    cpu = np.array([p.cpu_s for p in points], float)
    graph = np.array([p.graph_s for p in points], float)
    flops = np.array([p.flops for p in points], float)
    nbytes = np.array([p.nbytes for p in points], float)
    ok = np.isfinite(t) & (t > 0)
    if ok.sum() < min_points:
        raise ValueError(f"{key}: {int(ok.sum())} usable points, need {min_points}")
    notes = []
    dispatch = 0.0
    if separate_host and np.isfinite(cpu[ok]).any():
        # the host's issue time where it sets the pace (host-bound points); device-bound points
        # of huge tensors issue slower (allocator, driver) but hide it behind the device
        host_bound = ok & np.isfinite(cpu) & (t < 1.3 * cpu)
        dispatch = float(np.nanmedian(cpu[host_bound if host_bound.sum() >= 3 else ok]))
    # device times: graph replays where measured, else eager points clearly above the host cost
    dev_t = np.where(np.isfinite(graph) & (graph > 0), graph, np.nan)
    if separate_host:
        eager_dev = ok & ~np.isfinite(dev_t) & (t > 1.5 * np.where(np.isfinite(cpu), cpu, 0.0))
        dev_t = np.where(eager_dev, t, dev_t)
    else:
        dev_t = np.where(ok, t, np.nan)
    use = np.isfinite(dev_t) & (dev_t > 0)
    if use.sum() < min_points:
        notes.append(f"only {int(use.sum())} device-time points; eager times used for all")
        use, dev_t = ok, np.where(ok, t, np.nan)
    # launch gaps of an eager stream: eager minus graph time where the device sets the pace
    gap = 0.0
    if separate_host:
        bound = ok & np.isfinite(graph) & (t > 1.5 * np.where(np.isfinite(cpu), cpu, np.inf))
        if bound.any():
            gap = max(0.0, float(np.median(t[bound] - graph[bound])))
    # a compute roof is identifiable only where the points span arithmetic intensities; at one
    # intensity (elementwise, softmax, top-k) it would just be a second bandwidth in disguise,
    # wrong for any op of another intensity
    with np.errstate(divide="ignore", invalid="ignore"):
        intensity = flops[use] / nbytes[use]
    positive = intensity[intensity > 0]
    has_flops = bool(positive.size and positive.max() >= INTENSITY_SPAN * positive.min())
    if (flops[use] > 0).any() and not has_flops:
        notes.append("one arithmetic intensity: memory roof only")
    compute_bound = 0
    if wave_slots:
        ovh, ws, its = fit_waves(rows[use], items[use], dev_t[use], wave_slots)
        rates = OpClassRates(ovh, math.inf, math.inf, None, "calibrated", dispatch_s=dispatch, dtype=dtype,
                             eager_gap_s=gap, wave_slots=wave_slots, wave_s=ws, item_s=its)
    else:
        ovh, bw, fr, p, _ = fit_device(flops[use], nbytes[use], dev_t[use], has_flops,
                                       overhead_max=max(1e-3, float(np.nanmin(dev_t[use]))))
        compute_bound = int(np.sum(flops[use] / fr > nbytes[use] / bw)) if has_flops else 0
        if has_flops and compute_bound == 0:
            # no point reached the compute roof: the fitted rate is only a lower bound; claim none
            fr, p = math.inf, math.inf
            notes.append("no point compute-bound: flop_rate left unbounded")
            ovh, bw, _, _, _ = fit_device(flops[use], nbytes[use], dev_t[use], False,
                                          overhead_max=max(1e-3, float(np.nanmin(dev_t[use]))))
        rates = OpClassRates(ovh, bw, fr, None, "calibrated", dispatch_s=dispatch, roof_p=p, dtype=dtype,
                             eager_gap_s=gap)
    shape = list(zip(flops, nbytes, rows, items, strict=True))
    full = np.array([rates.time_s(*x) for x in shape])
    err = np.abs(full[ok] / t[ok] - 1.0)
    dev_pred = np.array([rates.device_time_s(*x) for x, u in zip(shape, use, strict=True) if u])
    dev_err = np.abs(dev_pred / dev_t[use] - 1.0)
    return FitResult(key, rates, int(ok.sum()), int(use.sum()), float(np.median(err)), float(np.quantile(err, 0.9)),
                     float(np.max(err)), float(np.median(dev_err)), compute_bound, notes)


def fit_host_mix(mix_cpu_s: Sequence[float], parts_cpu_s: Sequence[float]) -> float:
    """Median ratio of a mixed sequence's host issue time to the sum of its ops' own (each
    repeated alone), floored at 1: the host cost of switching between different ops."""
    ratios = [m / s for m, s in zip(mix_cpu_s, parts_cpu_s, strict=True)
              if math.isfinite(m) and math.isfinite(s) and s > 0]
    return max(1.0, float(np.median(ratios))) if ratios else 1.0
