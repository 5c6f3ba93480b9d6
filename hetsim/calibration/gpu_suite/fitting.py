"""From the run's readings to a profile: fitted rates per rate key (`hetsim.calibration.fit`),
the host mix factor, the power per key, and the `GpuProfile` that holds them. The fit reads
sweep rows only: the validation composites are never part of it."""

from __future__ import annotations

import json
import sys
from dataclasses import replace

import numpy as np

from hetsim.calibration.fit import FitPoint, FitResult, fit_host_mix, fit_key
from hetsim.calibration.gpu_profile import GpuProfile, HostCopy, PowerReading
from hetsim.calibration.gpu_suite.rows import num, ok
from hetsim.calibration.gpu_suite.settings import MODEL_TEXT
from hetsim.hardware.gpu import rate_keys, wave_shape
from hetsim.ops import op_from_dict

WAVE_KEYS = ("topk_singleblock",)  # one block per row: fitted in waves of SM-count rows
HOST_MIX_NOTE = ("host issue time of mixed op sequences over the sum of their ops issued alone; "
                 "scales the host stage of a stream (hetsim.hardware.gpu.stream_time_s)")
POWER_NOTE = "board energy counter over >= 1 s loops; active_w = loop average - idle_w"


def fit_rows(rows, separate_host: bool, wave_slots: float = 0.0) -> dict[str, FitResult]:
    """Fit every rate key from the sweep rows (composites are never used). Matrix-unit keys are
    fitted in one dtype (bf16 where measured); other dtypes scale by the spec's peaks.
    `wave_slots`: rows one wave runs at once (the GPU's SM count) for the WAVE_KEYS."""
    by_key: dict[str, dict[str, list[FitPoint]]] = {}
    for row in rows:
        if row.get("phase") != "sweep" or not ok(row) or not np.isfinite(num(row.get("t_s"))):
            continue
        op = op_from_dict(json.loads(row["op"]))
        dtype = getattr(op, "dtype", "") if op.uses_matrix_units else ""
        # the key from the op, not the stored one: a refit follows the current rate keys
        by_key.setdefault(rate_keys(op)[0], {}).setdefault(dtype, []).append(
            FitPoint(op.flops, op.bytes, num(row["t_s"]), num(row.get("cpu_s")), num(row.get("graph_s")),
                     *wave_shape(op)))
    fits = {}
    for key, by_dtype in sorted(by_key.items()):
        dtype = "bf16" if "bf16" in by_dtype else max(by_dtype, key=lambda d: len(by_dtype[d]))
        slots = wave_slots if (key in WAVE_KEYS and wave_slots) else 0.0
        try:
            fits[key] = fit_key(key, by_dtype[dtype], separate_host, dtype or None, wave_slots=slots)
        except Exception as exc:  # a key that cannot be fitted keeps the datasheet model, noted
            print(f"  ! fit {key}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
    return fits


def host_mix_from_rows(rows) -> tuple[float, list[dict]]:
    """The host mix factor from the `mix` rows: each mix's host time against its ops' own."""
    mixes, parts = {}, {}
    for row in rows:
        if row.get("phase") == "mix" and ok(row):
            mixes[row["case"]] = num(row.get("cpu_s"))
        elif row.get("phase") == "mix_op" and ok(row):
            parts[row["case"]] = parts.get(row["case"], 0.0) + num(row.get("cpu_s"))
    names = sorted(n for n in mixes if n in parts)
    detail = [{"mix": n, "host_s": mixes[n], "ops_host_s": parts[n], "ratio": mixes[n] / parts[n]}
              for n in names if parts[n] > 0]
    return fit_host_mix([mixes[n] for n in names], [parts[n] for n in names]), detail


def power_from_rows(rows) -> dict[str, dict]:
    """Rate key -> the energy loop's reading ({avg_w, window_s, op}) from the `power` rows."""
    return {rate_keys(op_from_dict(json.loads(r["op"])))[0]: {
        "avg_w": num(r["power_avg_w"]), "window_s": num(r.get("power_window_s")), "op": json.loads(r["op"])}
        for r in rows if r.get("phase") == "power" and np.isfinite(num(r.get("power_avg_w")))}


def build_profile(device: str, provenance: dict, fits: dict[str, FitResult], power: dict[str, dict],
                  idle_w: float | None, meter: PowerReading | None, raw_name: str, validation: str | None,
                  host_mix: float = 1.0, mixes: list[dict] | None = None) -> GpuProfile:
    """The profile of a run: `power` per key from the energy loop, `meter` how power was read
    (None: it was not; its idle_w is replaced by `idle_w`)."""
    meter = meter or PowerReading("none")
    rates, notes = {}, {}
    for key, f in fits.items():
        r, note = f.rates, {}
        if key in power and idle_w is not None:
            r = replace(r, active_w=max(power[key]["avg_w"] - idle_w, 0.0))
            note["power_point"] = {"avg_w": power[key]["avg_w"], "window_s": power[key]["window_s"],
                                   "op": power[key]["op"]}
        note["fit"] = f.as_dict()
        rates[key], notes[key] = r, note
    host_link = {direction: HostCopy(f.rates.overhead_s, f.rates.bw_bytes_per_s, f.rates.dispatch_s)
                 for direction in ("h2d", "d2h") if (f := fits.get(f"copy_{direction}")) is not None}
    return GpuProfile(
        device=device, provenance=provenance, rates=rates, model=MODEL_TEXT, notes=notes, host_link=host_link,
        host_mix=host_mix, host_mixes=mixes or [], host_note=HOST_MIX_NOTE,
        power=PowerReading(meter.method, idle_w, meter.note or POWER_NOTE), raw=raw_name, validation=validation)
