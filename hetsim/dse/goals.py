"""Quantities, constraints and objectives: checking them before a sweep runs and evaluating them
on a point (before it runs: config and derived quantities) or on its rows (after: metrics)."""

from __future__ import annotations

import math
from typing import Any

from hetsim.dse.derived import DERIVED
from hetsim.dse.paths import check_path, get_path
from hetsim.dse.spec import Constraint, Objective
from hetsim.errors import ConfigError

# the top-level metrics `hetsim.runner` gives every run (tests/dse checks this list stays true)
METRICS = (
    "ttft_s", "tpot_s", "tpot_p50_s", "tpot_max_s", "e2e_s", "output_tokens", "decode_tokens_per_s",
    "step_time_per_token_s", "step_share", "memory_processing_share", "step_time_total_s", "step_share_total",
    "memory_processing_share_total", "device_busy_frac", "link_busy_frac", "link_bytes", "energy_j",
    "energy_by_device_j", "link_energy_j", "energy_per_request_j", "energy_per_token_j", "placement_devices",
    "micro_batches", "provenance_weakest", "provenance", "calibration_profiles", "sim",
    "speedup_vs_gpu_only", "tpot_speedup_vs_gpu_only", "energy_ratio_vs_gpu_only",
    # a GPU calibrated more than once: [low, high] over its calibrations, and what the band rests on
    "ttft_s_band", "tpot_s_band", "energy_j_band", "energy_per_token_j_band", "calibration_band",
)


def kind(quantity: str) -> str:
    if quantity.startswith("config."):
        return "config"
    if quantity.startswith("derived."):
        return "derived"
    return "metric"


def check_quantity(quantity: str, run: str | None, where: str, file: str, method_params: dict) -> None:
    k = kind(quantity)
    if k == "config":
        check_path(quantity.removeprefix("config."), where, file, method_params)
    elif k == "derived":
        name = quantity.removeprefix("derived.")
        if name not in DERIVED:
            raise ConfigError(f"unknown derived quantity {name!r}; known: {', '.join(DERIVED)}", file=file, field=where)
    else:
        if quantity.split(".")[0] not in METRICS:
            raise ConfigError(f"unknown metric {quantity!r}; metrics: {', '.join(METRICS)} (or config.<path>, "
                              "derived.<name>)", file=file, field=where)
        if run is None:
            raise ConfigError(f"{quantity!r} is a metric of one run: say which with run: (a placement name such "
                              "as 'paper', or a label such as 'dense/gpu-only')", file=file, field=where)


def check_constraints(constraints: list[Constraint], default_run: str | None, file: str, method_params: dict) -> None:
    """Every quantity known, every metric tied to a run, and no two constraints on one quantity
    whose numeric bounds leave nothing between them."""
    intervals: dict[tuple[str, str | None], tuple[float, float, list[int]]] = {}
    for i, c in enumerate(constraints):
        run = c.run or default_run
        check_quantity(c.quantity, run, f"constraints[{i}].quantity", file, method_params)
        for side in ("min", "max"):
            bound = getattr(c, side)
            if isinstance(bound, str):
                check_quantity(bound, run, f"constraints[{i}].{side}", file, method_params)
        key = (c.quantity, run if kind(c.quantity) == "metric" else None)
        lo, hi, who = intervals.get(key, (-math.inf, math.inf, []))
        lo = max(lo, c.min) if isinstance(c.min, float | int) else lo
        hi = min(hi, c.max) if isinstance(c.max, float | int) else hi
        who = [*who, i]
        if lo > hi:
            raise ConfigError(f"constraints {', '.join(f'[{j}]' for j in who)} on {c.quantity!r} conflict: "
                              f"min {lo:g} is above max {hi:g}, so no point can satisfy them",
                              file=file, field=f"constraints[{i}]")
        intervals[key] = (lo, hi, who)


def check_objectives(objectives: list[Objective], default_run: str | None, file: str, method_params: dict) -> None:
    for i, o in enumerate(objectives):
        run = o.run or default_run
        check_quantity(o.metric, run, f"search.objectives[{i}].metric", file, method_params)


def select_run(labels, method: str, selector: str) -> str | None:
    """The label a run selector names: a label itself, or a placement of the point's own method."""
    labels = list(labels)
    if selector in labels:
        return selector
    own = f"{method}/{selector}"
    return own if own in labels else None


def value(quantity: str, run: str | None, config: dict, derived: dict, rows: dict[str, dict] | None,
          method: str) -> Any:
    """A quantity of a point; None where it is not known (a metric before running, a skipped run)."""
    k = kind(quantity)
    if k == "config":
        return get_path(config, quantity.removeprefix("config."))
    if k == "derived":
        return derived.get(quantity.removeprefix("derived."))
    if rows is None or run is None:
        return None
    label = select_run(rows, method, run)
    row = rows.get(label) if label else None
    if row is None or row.get("status") != "ok":
        return None
    v = row.get(quantity)
    return None if isinstance(v, float) and math.isnan(v) else v


def satisfied(c: Constraint, default_run: str | None, config: dict, derived: dict, rows, method: str) -> bool | None:
    """True/False, or None when a quantity is not known yet (a metric before the point runs)."""
    run = c.run or default_run
    x = value(c.quantity, run, config, derived, rows, method)
    bounds = [value(b, run, config, derived, rows, method) if isinstance(b, str) else b for b in (c.min, c.max)]
    if x is None or any(isinstance(b, str) and v is None for b, v in zip((c.min, c.max), bounds, strict=True)):
        return None
    lo, hi = bounds
    return (lo is None or x >= lo) and (hi is None or x <= hi)


def pre_run(constraints: list[Constraint]) -> list[Constraint]:
    """The constraints decidable before running: no metric anywhere in them."""
    def metric(q) -> bool:
        return isinstance(q, str) and kind(q) == "metric"

    return [c for c in constraints if not any(metric(q) for q in (c.quantity, c.min, c.max))]
