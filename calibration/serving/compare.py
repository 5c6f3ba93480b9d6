"""Predicted (hetsim serving) vs measured (transformers continuous batching on one H200) per-request
TTFT and TPOT medians for the seeded request set in requests.csv, and where an iteration's time
goes on each side. Nothing is fitted to the measurement.

    python calibration/serving/compare.py [--stack hf-paged|fused] [--gpu-execution eager|graph] [--data DIR]
        [--out FILE]

`--stack hf-paged` (the config's): the engine's traced forward, its manager's host work and cuDNN
SDPA graph builds (hetsim/serving/stack_cost.py). `--stack fused`: hetsim's own lowering. `--data`: a
measurement folder (cb_requests.json, provenance.json; default this folder's first run); a run made with
cuDNN's SDPA off (`measure_cb.py ... cudnn-off`, provenance `sdpa_cudnn: false`) is predicted with
`workload.cudnn_sdpa: off`.
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
SAME_ITERATION_S = 2e-3  # tokens stamped this close together came out of one iteration


def measured_iterations(rows: list[dict]) -> list[tuple[float, int]]:
    """(duration, tokens it emitted) of each measured iteration, from the token timestamps."""
    stamps = sorted(t for r in rows for t in r["timestamps_s"])
    groups: list[list[float]] = [[stamps[0]]]
    for t in stamps[1:]:
        if t - groups[-1][-1] < SAME_ITERATION_S:
            groups[-1].append(t)
        else:
            groups.append([t])
    return [(b[0] - a[0], len(b)) for a, b in zip(groups, groups[1:], strict=False)]


def breakdown(cost, measured: list[tuple[float, int]]) -> dict:
    """A decode iteration of the batch sizes the run held most, priced part by part, next to the
    measured iterations that emitted as many tokens."""
    sizes = [n for _, n in measured]
    batch = max(set(sizes), key=sizes.count)
    durations = sorted(d for d, n in measured if n == batch)
    ctx = 600  # a typical decode context of this trace (prompt median 300 + half an output)
    forward = cost.forward_s(cost.key(batch, batch * ctx, []))
    manager = cost.manager[0] + cost.manager[1] * batch
    return {"decode_batch": batch, "context": ctx,
            "predicted_s": {"forward": forward, "manager": manager, "cudnn_plan": cost.plan_s,
                            "iteration": forward + manager + cost.plan_s},
            "measured_s": {"iterations": len(durations), "median": statistics.median(durations),
                           "fastest_decile": durations[len(durations) // 10]},
            # on cuDNN, an iteration well below the median built no graph (its shape recurred)
            "measured_without_plan_s": (sorted(round(d, 4) for d, n in measured if d < 0.045) if cost.plan_s
                                        else "no plan builds: cuDNN's SDPA off"),
            "predicted_iterations": cost.lookups}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stack", default="hf-paged", choices=["hf-paged", "fused"])
    ap.add_argument("--gpu-execution", default="eager", choices=["eager", "graph"])
    ap.add_argument("--data", type=Path, default=HERE, help="measurement folder (default: the first run, here)")
    ap.add_argument("--out", type=Path, help="also write the JSON here")
    args = ap.parse_args()
    measured = json.loads((args.data / "cb_requests.json").read_text())
    prov = json.loads((args.data / "provenance.json").read_text())
    from hetsim.calibration.e2e.compare import session_sdpa

    # cuDNN's SDPA switched off by the run, or a PyTorch build that does not put it first
    software = "off" if prov.get("sdpa_cudnn") is False else session_sdpa(prov)
    exp = load_experiment(CONFIG, overrides={"outputs.write": False, "workload.stack": args.stack,
                                             "simulation.gpu_execution": args.gpu_execution,
                                             "workload.cudnn_sdpa": software})
    runner = ServingRunner(exp, exp.runs[0])
    table = runner.serve(requests_of(exp))[1]
    out = {"stack": args.stack, "gpu_execution": args.gpu_execution, "cudnn_sdpa": software,
           "data": str(args.data.relative_to(HERE.parents[1])) if args.data.is_relative_to(HERE.parents[1])
           else str(args.data), "requests": len(measured)}
    for col in ("ttft_s", "tpot_s"):
        meas = statistics.median(r[col] for r in measured if r[col] is not None)
        pred = float(table[col][table.generated > 1].median() if col == "tpot_s" else table[col].median())
        out[col] = {"measured_median": meas, "predicted_median": pred, "error": pred / meas - 1}
        print(f"{col}: measured median {meas * 1e3:8.2f} ms, predicted {pred * 1e3:8.2f} ms, "
              f"error {pred / meas - 1:+.1%}")
    if args.stack == "hf-paged":
        out["decode_iteration"] = parts = breakdown(runner.cost, measured_iterations(measured))
        p, m = parts["predicted_s"], parts["measured_s"]
        print(f"decode iteration of {parts['decode_batch']} (the commonest): predicted {p['iteration'] * 1e3:.1f} ms "
              f"= forward {p['forward'] * 1e3:.1f} + manager {p['manager'] * 1e3:.2f} + cuDNN plan "
              f"{p['cudnn_plan'] * 1e3:.1f}; measured median {m['median'] * 1e3:.1f} ms over {m['iterations']}"
              + (f"; measured iterations without a plan build: {parts['measured_without_plan_s']}"
                 if runner.cost.plan_s else ""))
    text = json.dumps(out)
    print(text)
    if args.out:
        args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
