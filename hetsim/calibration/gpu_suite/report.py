"""The fit and the validation composites as text, for the run's log."""

from __future__ import annotations

import math

import numpy as np

from hetsim.calibration.cases import Case
from hetsim.calibration.fit import FitResult
from hetsim.hardware.gpu import OpClassRates, op_device_s, rate_keys, stream_time_s
from hetsim.ops import Op


def format_fits(fits: dict[str, FitResult]) -> str:
    lines = [f"{'key':18} {'pts':>4} {'dispatch':>9} {'overhead':>9} {'GB/s':>8} {'TFLOP/s':>8} {'p':>4} "
             f"{'med|e|':>7} {'max|e|':>7}"]
    for key, f in fits.items():
        r = f.rates
        tf = f"{r.flop_rate / 1e12:8.1f}" if math.isfinite(r.flop_rate) else f"{'-':>8}"
        p = f"{r.roof_p:4.0f}" if math.isfinite(r.roof_p) else f"{'inf':>4}"
        lines.append(f"{key:18} {f.points:4d} {r.dispatch_s * 1e6:7.2f}us {r.overhead_s * 1e6:7.2f}us "
                     f"{r.bw_bytes_per_s / 1e9:8.1f} {tf} {p} {f.median_abs_err:7.1%} {f.max_abs_err:7.1%}")
    return "\n".join(lines)


def format_validation(fits: dict[str, FitResult], cases: list[Case], host_mix: float = 1.0) -> str:
    """Predicted vs measured composites with the fresh fit, for the run's log (bf16 ops only;
    `hetsim validate` is the full check, with the catalogue's dtype scaling and fallbacks)."""
    rates = {k: f.rates for k, f in fits.items()}

    def rates_for(op: Op) -> OpClassRates:
        key = next((k for k in rate_keys(op) if k in rates), None)
        if key is None:
            raise KeyError(op.op_class)
        return rates[key]

    lines, errs = [f"{'case':28} {'predicted us':>13} {'measured us':>12} {'error':>8} {'graph err':>9}"], []
    for c in cases:
        try:
            pred = stream_time_s(c.plain_ops, rates_for, host_mix)
            dev = sum(op_device_s(rates_for(op), op) for op in c.plain_ops)
        except KeyError as exc:
            lines.append(f"{c.name:28} no fitted rates for {exc}")
            continue
        e = pred / c.measured_s - 1 if c.measured_s else math.nan
        ge = dev / c.measured_graph_s - 1 if c.measured_graph_s else math.nan
        errs.append(abs(e))
        lines.append(f"{c.name:28} {pred * 1e6:13.1f} {(c.measured_s or math.nan) * 1e6:12.1f} {e:+8.1%} {ge:+9.1%}")
    if errs:
        lines.append(f"median |error| {np.nanmedian(errs):.1%}, max |error| {np.nanmax(errs):.1%}")
    return "\n".join(lines)
