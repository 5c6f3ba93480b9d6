"""Speed of the software stacks, and their predictions for Llama-3.1-8B on an H200.

    python experiments/bench_stacks.py [--quick]

Part 1 times the static benchmark (Llama-3.1-8B, 32 layers, batch 8, 1,024 decode tokens, dense,
gpu-only) under each stack: load + resolve + simulate, wall clock, best of 3 (target for hf-static:
<= 2 s). Part 2 prints predicted TTFT and TPOT for fused / hf-dynamic / hf-static at batch 1 and 8,
context 1K and 32K, eager and graph (hf-dynamic has no graph mode), to set beside measurements
(`hetsim validate e2e`). All numbers are simulated.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from hetsim.config.load import Catalogue
from hetsim.runner import run_experiment
from hetsim.scenario import resolve_experiment


def experiment(stack: str, batch: int, context: int, decode: int, execution: str) -> dict:
    return {"name": "bench-stacks", "system": "h200",
            "workload": {"method": "dense", "model": "Llama-3.1-8B", "context_tokens": context, "batch": batch,
                         "decode_tokens": decode, "stack": stack},
            "placements": ["gpu-only"], "baseline": None, "outputs": {"write": False},
            "simulation": {"gpu_execution": execution}}


def simulate(catalogue: Catalogue, data: dict):
    (result,) = run_experiment(resolve_experiment(data, "<bench>", catalogue))
    return result.metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one timing run per stack, 64 decode tokens in part 2")
    args = parser.parse_args()
    catalogue = Catalogue.load(Path(__file__).resolve().parents[1] / "configs")
    print("static benchmark: Llama-3.1-8B, 32 layers, batch 8, context 1024, 1,024 decode tokens, H200, gpu-only")
    print(f"{'stack':<12}{'execution':<11}{'wall s (best of 3)':>20}{'TPOT ms':>10}")
    for stack, execution in (("fused", "eager"), ("hf-dynamic", "eager"), ("hf-static", "eager"),
                             ("hf-static", "graph")):
        best, metrics = float("inf"), None
        for _ in range(1 if args.quick else 3):
            t0 = time.perf_counter()
            metrics = simulate(catalogue, experiment(stack, 8, 1024, 1024, execution))
            best = min(best, time.perf_counter() - t0)
        print(f"{stack:<12}{execution:<11}{best:>20.3f}{metrics.tpot_s * 1e3:>10.2f}")
    decode = 64 if args.quick else 256
    print(f"\npredictions, Llama-3.1-8B on H200 (dense, gpu-only, {decode} decode tokens; TPOT is the mean)")
    print(f"{'stack':<12}{'execution':<11}{'batch':>6}{'context':>9}{'TTFT ms':>11}{'TPOT ms':>10}")
    for execution in ("eager", "graph"):
        for stack in ("fused", "hf-dynamic", "hf-static"):
            if stack == "hf-dynamic" and execution == "graph":
                continue
            for batch in (1, 8):
                for context in (1024, 32768):
                    m = simulate(catalogue, experiment(stack, batch, context, decode, execution))
                    print(f"{stack:<12}{execution:<11}{batch:>6}{context:>9}{m.ttft_s * 1e3:>11.2f}"
                          f"{m.tpot_s * 1e3:>10.3f}")


if __name__ == "__main__":
    main()
