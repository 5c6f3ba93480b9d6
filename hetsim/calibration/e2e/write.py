"""The run's files: e2e.parquet (every end-to-end reading), ops.parquet (op cases), traces.json.gz
(the traces the op cases came from) and summary.yaml (provenance and a readable digest)."""

from __future__ import annotations

import gzip
import json
import math
from typing import Any

import pandas as pd
import yaml

E2E_FILE, OPS_FILE, TRACES_FILE, SUMMARY_FILE = "e2e.parquet", "ops.parquet", "traces.json.gz", "summary.yaml"


def _r(x: Any, nd: int = 6) -> Any:
    if isinstance(x, float):
        return None if math.isnan(x) else float(f"{x:.{nd}g}")
    return x


def summary(run, prov: dict[str, Any]) -> dict[str, Any]:
    times, energy = [], []
    for row in run.rows:
        if row.get("kind") == "time":
            times.append({k: _r(row.get(k)) for k in ("phase", "stack", "mode", "batch", "context", "cache_len",
                                                     "t_median_s", "t_p10_s", "t_p90_s", "cpu_median_s", "error")
                          if row.get(k) not in (None, "")})
        elif row.get("kind") == "energy":
            energy.append({k: _r(row.get(k)) for k in ("phase", "stack", "mode", "batch", "context",
                                                      "energy_per_call_j", "avg_w", "energy_window_s",
                                                      "energy_calls") if row.get(k) is not None})
    g = run.grid
    ok_ops = [r for r in run.op_rows if not r.get("error")]
    return {
        "provenance": prov,
        "grid": {"name": g.name, "prompts": list(g.prompts), "prefill_batches": list(g.prefill_batches),
                 "batches": list(g.batches), "contexts": list(g.contexts),
                 "decode_steps_per_loop": g.steps, "decode_loops": g.loops, "prefill_reps": g.prefill_reps,
                 "energy_s": g.energy_s, "energy_decode": [list(p) for p in g.energy_decode],
                 "energy_prefill": list(g.energy_prefill), "op_traces": [list(t) for t in g.op_traces],
                 "budget_s": g.budget_s},
        "idle_w": _r(run.idle_w),
        "skipped_points": run.skipped_points,
        "counts": {"time_points": sum(1 for t in times if "t_median_s" in t),
                   "failed_or_skipped": sum(1 for t in times if t.get("error")),
                   "energy_points": len(energy), "op_cases": len(run.op_rows), "op_cases_ok": len(ok_ops)},
        "time": times,
        "energy": energy,
    }


def write_all(run, prov: dict[str, Any]) -> dict[str, Any]:
    out = run.out
    out.mkdir(parents=True, exist_ok=True)
    if run.rows:
        pd.DataFrame(run.rows).to_parquet(out / E2E_FILE, index=False)
    if run.op_rows:
        pd.DataFrame(run.op_rows).to_parquet(out / OPS_FILE, index=False)
    if run.traces:
        with gzip.open(out / TRACES_FILE, "wt") as f:
            json.dump(run.traces, f)
    # plain types only (torch's version string is a str subclass that YAML's safe dumper refuses)
    s = json.loads(json.dumps(summary(run, prov), default=str))
    (out / SUMMARY_FILE).write_text(yaml.safe_dump(s, sort_keys=False, width=120))
    return s
