"""Board power: at rest, then over a >= 1 s loop of one sweep point per rate key (the energy
loop), the point that keeps the GPU busiest."""

from __future__ import annotations

import json
import time

import numpy as np

from hetsim.calibration.gpu_suite.bench import Bench
from hetsim.calibration.gpu_suite.rows import num, ok
from hetsim.calibration.measure import loop_for
from hetsim.calibration.torch_ops import build
from hetsim.ops import op_from_dict

BUSY_S = 50e-6  # a point at least this long keeps the device busy: the host leaves no gaps


def measure_idle(bench: Bench) -> float | None:
    """Board power at rest (None where the board cannot be read or the mode skips it)."""
    if not bench.power.available or not bench.cfg["idle_s"]:
        return None
    bench.free()
    time.sleep(0.5)
    reading = bench.power.average_w(lambda: time.sleep(bench.cfg["idle_s"]))
    idle_w = reading.get("avg_w")
    bench.record("idle", None, **{f"power_{k}": v for k, v in reading.items()})
    bench.log(f"idle board power {idle_w:.1f} W ({bench.power.method})" if idle_w else "idle: no reading")
    return idle_w


def run_power(bench: Bench) -> dict[str, dict]:
    """Rate key -> {avg_w, op, window_s}: board power over a >= 1 s loop of the key's sweep point
    that keeps the GPU busiest (bytes + FLOPs per second among those long enough that the host
    leaves no gaps; the longest one where none is)."""
    out: dict[str, dict] = {}
    if not bench.power.available or not bench.cfg["power_s"]:
        return out
    best: dict[str, dict] = {}

    def score(row) -> tuple:
        t = num(row.get("t_s"))
        return (t >= BUSY_S, (row["bytes"] + row["flops"]) / t if t >= BUSY_S else t)

    for row in bench.rows:
        if row["phase"] == "sweep" and ok(row) and np.isfinite(num(row.get("t_s"))):
            if row["key"] not in best or score(row) > score(best[row["key"]]):
                best[row["key"]] = row
    for key, row in sorted(best.items()):
        op = op_from_dict(json.loads(row["op"]))
        try:
            r = build(op, bench.device, bench.l2_bytes)
            per_call = row["t_s"]
            loop_for(r, 0.3, per_call, bench.timer.sync)  # reach steady clocks and power first
            reading = bench.power.average_w(lambda r=r, per_call=per_call: loop_for(
                r, bench.cfg["power_s"], per_call, bench.timer.sync)[1])
            del r
        except Exception as exc:
            bench.log(f"  ! power {key}: {exc}")
            continue
        finally:
            bench.free()
        bench.record("power", op, None, **{f"power_{k}": v for k, v in reading.items()})
        if reading.get("avg_w") is not None:
            out[key] = {"avg_w": reading["avg_w"], "op": json.loads(row["op"]), "window_s": reading["window_s"]}
            bench.log(f"  power {key}: {reading['avg_w']:.0f} W over {reading['window_s']:.1f} s")
    return out
