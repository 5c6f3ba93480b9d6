"""Simulation speed benchmark (prints a table; not a test).

1. Engine event rate against a bare SimPy timeout loop on this machine (the ratio is what
   carries across machines).
2. Wall time of the default workload shape - a 32-layer model, batch 8, 1,024 decode tokens -
   under both placements (targets on 2 cores: <= 2 s), as context grows from 4K to 1M tokens
   (target: flat within 10%) and as decode tokens grow (target: linear).

    python experiments/bench_sim_speed.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import simpy
from rich.console import Console
from rich.table import Table

from hetsim.config.load import Catalogue
from hetsim.scenario import load_experiment
from hetsim.runner import run_experiment


def bare_simpy_events_per_s(n: int = 300_000) -> float:
    env = simpy.Environment()

    def loop():
        for _ in range(n):
            yield env.timeout(1)

    env.process(loop())
    t0 = time.perf_counter()
    env.run()
    return n / (time.perf_counter() - t0)


def timed_run(cat, context: int, tokens: int, placements=("gpu-only", "paper")) -> tuple[float, dict]:
    exp = load_experiment(None, cat, {
        "workload.context_tokens": context, "workload.decode_tokens": tokens, "workload.batch": 8,
        "placements": list(placements), "baseline": None, "outputs.write": False,
        "outputs.trace_decode_steps": 0, "simulation.memory_check": "warn",
    })
    t0 = time.perf_counter()
    runs = run_experiment(exp)
    wall = time.perf_counter() - t0
    return wall, {r.label: r.metrics["sim"] for r in runs}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="256 decode tokens instead of 1,024")
    args = ap.parse_args()
    tokens = 256 if args.quick else 1024
    cat = Catalogue.load()
    console = Console()

    bare = bare_simpy_events_per_s()
    wall, sims = timed_run(cat, 32768, tokens)
    events = sum(s["events"] for s in sims.values())
    t = Table(title="engine event rate")
    for c in ("bare SimPy timeout loop", "hetsim (whole run)", "ratio"):
        t.add_column(c, justify="right")
    t.add_row(f"{bare:,.0f} ev/s", f"{events / wall:,.0f} ev/s", f"{events / wall / bare:.2f}")
    console.print(t)

    t = Table(title=f"wall time, Llama-3.1-8B (32 layers), batch 8, {tokens} decode tokens, gpu-only + paper")
    for c in ("context", "wall s", "steps simulated", "steps reused", "events", "vs 4K"):
        t.add_column(c, justify="right")
    base = None
    for context in (4096, 32768, 131072, 524288, 1048576):
        wall, sims = timed_run(cat, context, tokens)
        base = base or wall
        t.add_row(f"{context:,}", f"{wall:.2f}", str(sum(s["steps_simulated"] for s in sims.values())),
                  str(sum(s["steps_reused"] for s in sims.values())), f"{sum(s['events'] for s in sims.values()):,}",
                  f"{wall / base:.2f}x")
    console.print(t)

    t = Table(title="wall time vs decode tokens (context 32K, both placements)")
    for c in ("decode tokens", "wall s", "s per 1k tokens"):
        t.add_column(c, justify="right")
    for n in (128, 256, 512, tokens) if tokens > 512 else (64, 128, 256):
        wall, _ = timed_run(cat, 32768, n)
        t.add_row(str(n), f"{wall:.2f}", f"{wall / n * 1000:.2f}")
    console.print(t)


if __name__ == "__main__":
    main()
