"""Fit the continuous-batching manager's per-iteration host work (part A of measure_cb_host.py,
model stubbed) as `per_iteration_s + per_request_s * requests` and write it where the `hf-paged`
serving stack reads it (hetsim/stacks/traces/hf-paged.host.json).

Fitted on decode iterations (one token per request: what the manager's Python does per request,
scheduling, the mask blocks, the per-request update) at batches of 1..16, by the 20th percentile of
each batch size's times (sizes seen >= 10 times; the measuring host is shared: contention only ever
adds time). Prefill iterations are left out: on a CPU-only host the mask's fill and triu over Q x K elements run on the
CPU, where a GPU runs them as small kernels. Nothing here sees the validation run.

    python calibration/serving/fit_cb_host.py [calibration/serving/cb_host_cpu.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE.parents[1] / "hetsim" / "stacks" / "traces" / "hf-paged.host.json"
MAX_BATCH = 16
QUANTILE = 20
MIN_ITERATIONS = 10  # a batch size seen fewer times is too exposed to the host's contention


def fit(rows: list[dict]) -> tuple[float, float, list[tuple[int, float, int]]]:
    by: dict[int, list[float]] = {}
    for r in rows:
        if r["q_tokens"] == r["requests"] <= MAX_BATCH:
            by.setdefault(r["requests"], []).append(r["s"])
    points = [(n, float(np.percentile(ts, QUANTILE)), len(ts)) for n, ts in sorted(by.items())
              if len(ts) >= MIN_ITERATIONS]
    x = np.array([[1.0, n] for n, _, _ in points])
    y = np.array([t for _, t, _ in points])
    (a, b), *_ = np.linalg.lstsq(x, y, rcond=None)
    return float(a), float(b), points


def main(path: str = str(HERE / "cb_host_cpu.json")) -> None:
    data = json.loads(Path(path).read_text())
    a, b, points = fit(data["manager"])
    prov = data["provenance"]
    source = "measured" if prov.get("gpu", "").startswith("NVIDIA") else "transferred"
    out = {"per_iteration_s": a, "per_request_s": b,
           "points": [{"requests": n, "s": t, "iterations": k} for n, t, k in points],
           "provenance": {"source": source, "measured_on": f"{prov['cpu']} ({prov['gpu']})",
                          "torch": prov["torch"], "transformers": prov["transformers"], "when": prov["when"],
                          "data": f"calibration/serving/{Path(path).name}", "measure": prov["command"],
                          "fit": f"python calibration/serving/fit_cb_host.py (decode iterations, batch <= {MAX_BATCH},"
                                 f" {QUANTILE}th percentile per batch, least squares)",
                          "note": prov.get("note", "")}}
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"per iteration {a * 1e6:.1f} us + {b * 1e6:.1f} us per request ({source}) -> {OUT}")
    for n, t, k in points:
        print(f"  {n:3d} requests: {t * 1e6:8.1f} us (fit {(a + b * n) * 1e6:8.1f}), {k} iterations")


if __name__ == "__main__":
    main(*sys.argv[1:2])
