"""Predicted (hetsim serving) vs measured (transformers continuous batching on one H200) per-request
TTFT and TPOT medians for the seeded request set in requests.csv. Nothing is fitted to the
measurement.

    python calibration/serving/compare.py [--gpu-execution eager|graph]
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from hetsim.scenario import load_experiment
from hetsim.serving.run import ServingRunner, requests_of

HERE = Path(__file__).resolve().parent
CONFIG = HERE.parents[1] / "configs" / "experiments" / "serving_validation_h200.yaml"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gpu-execution", default="eager", choices=["eager", "graph"])
    args = ap.parse_args()
    measured = json.loads((HERE / "cb_requests.json").read_text())
    exp = load_experiment(CONFIG, overrides={"outputs.write": False, "simulation.gpu_execution": args.gpu_execution})
    table = ServingRunner(exp, exp.runs[0]).serve(requests_of(exp))[1]
    out = {"gpu_execution": args.gpu_execution, "requests": len(measured)}
    for col in ("ttft_s", "tpot_s"):
        meas = statistics.median(r[col] for r in measured if r[col] is not None)
        pred = float(table[col][table.generated > 1].median() if col == "tpot_s" else table[col].median())
        out[col] = {"measured_median": meas, "predicted_median": pred, "error": pred / meas - 1}
        print(f"{col}: measured median {meas * 1e3:8.2f} ms, predicted {pred * 1e3:8.2f} ms, "
              f"error {pred / meas - 1:+.1%}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
