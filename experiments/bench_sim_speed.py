"""Simulation speed benchmark (prints tables; not a test).

1. A static point - Llama-3.1-8B (32 layers), batch 8, 1,024 decode tokens, 32K context,
   gpu-only + paper placements, no baseline - on the exact path (every step lowered and
   simulated in SimPy) and on the replay path (`hetsim.sim.replay`: one step per structure in
   SimPy, the others replayed in its grant order, checked step by step). Target on 2 cores:
   <= 0.2 s on the replay path, with the same results (tests/sim/test_replay.py checks that).
   The "recorded" column is this point measured before the replay path existed (commit
   6b7db3c, 2 cores, every step in SimPy, ops priced per step).
2. SimPy's share: its event rate on the exact path against a bare SimPy timeout loop.
3. The replay path as context grows from 4K to 1M tokens (target: flat within 10%) and as
   decode tokens grow (target: linear).

    python experiments/bench_sim_speed.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import simpy
from rich.console import Console
from rich.table import Table

import hetsim.sim.phases as phases
from hetsim.config.load import Catalogue
from hetsim.runner import run_experiment
from hetsim.scenario import load_experiment

TARGET_S = 0.2  # the static point on the replay path, 2 cores
RECORDED_BEFORE_S = {1024: 2.11, 256: 0.45}  # decode tokens -> wall s at commit 6b7db3c (2 cores)
REPEATS = 5  # best of: the machine may be shared


def bare_simpy_events_per_s(n: int = 300_000) -> float:
    env = simpy.Environment()

    def loop():
        for _ in range(n):
            yield env.timeout(1)

    env.process(loop())
    t0 = time.perf_counter()
    env.run()
    return n / (time.perf_counter() - t0)


def timed_run(cat, context: int, tokens: int, placements=("gpu-only", "paper"), exact: bool = False,
              repeats: int = 1) -> tuple[float, dict]:
    """Best wall time of `repeats` runs of the point, and each run's `sim` counters."""
    wall, cpu, sims = timed_point(cat, context, tokens, placements, exact, repeats)
    return wall, sims


def timed_point(cat, context: int, tokens: int, placements=("gpu-only", "paper"), exact: bool = False,
                repeats: int = 1) -> tuple[float, float, dict]:
    """Best wall and CPU time of `repeats` runs (CPU time: what a busy shared machine distorts
    least), and each run's `sim` counters."""
    exp = load_experiment(None, cat, {
        "workload.context_tokens": context, "workload.decode_tokens": tokens, "workload.batch": 8,
        "placements": list(placements), "baseline": None, "outputs.write": False,
        "outputs.trace_decode_steps": 0, "simulation.memory_check": "warn",
    })
    saved = phases.REPLAY_MIN_STEPS
    if exact:
        phases.REPLAY_MIN_STEPS = 10**12  # every step through SimPy
    try:
        walls, cpus = [], []
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            runs = run_experiment(exp)
            walls.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
    finally:
        phases.REPLAY_MIN_STEPS = saved
    return min(walls), min(cpus), {r.label: r.metrics["sim"] for r in runs}


def _sum(sims: dict, key: str) -> int:
    return sum(s[key] for s in sims.values())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="256 decode tokens instead of 1,024")
    args = ap.parse_args()
    tokens = 256 if args.quick else 1024
    cat = Catalogue.load()
    console = Console()
    timed_run(cat, 32768, 16)  # warm: imports, kernel designs, calibration profiles

    exact, exact_cpu, exact_sims = timed_point(cat, 32768, tokens, exact=True, repeats=2)
    fast, fast_cpu, fast_sims = timed_point(cat, 32768, tokens, repeats=REPEATS)
    t = Table(title=f"static point: Llama-3.1-8B, batch 8, {tokens:,} decode tokens, 32K context, gpu-only + paper "
                    f"(best of {REPEATS})")
    for c in ("path", "wall s", "cpu s", "in SimPy", "replayed", "vs before", "target", "met"):
        t.add_column(c, justify="right")
    before = RECORDED_BEFORE_S.get(tokens)
    t.add_row("before (6b7db3c)", f"{before:.2f}" if before else "-", "", "all", "0", "1.0x", "", "")
    for name, wall, cpu, sims in (("exact", exact, exact_cpu, exact_sims), ("replay", fast, fast_cpu, fast_sims)):
        target = name == "replay"
        t.add_row(name, f"{wall:.3f}", f"{cpu:.3f}", f"{_sum(sims, 'iterations_simulated'):,}",
                  f"{_sum(sims, 'iterations_reused'):,}", f"{before / wall:.1f}x" if before else "-",
                  f"<= {TARGET_S}" if target else "", ("yes" if wall <= TARGET_S else "NO") if target else "")
    console.print(t)
    console.print("exact: every step lowered and simulated in SimPy (today's caches on); replay: one step per "
                  "structure in SimPy, the rest replayed in its grant order; 'replayed' counts memoised steps too")

    bare = bare_simpy_events_per_s()
    events = _sum(exact_sims, "events")
    t = Table(title="SimPy event rate on the exact path")
    for c in ("bare SimPy timeout loop", "hetsim exact path (whole run)", "ratio"):
        t.add_column(c, justify="right")
    t.add_row(f"{bare:,.0f} ev/s", f"{events / exact:,.0f} ev/s", f"{events / exact / bare:.2f}")
    console.print(t)

    t = Table(title=f"replay path vs context: {tokens:,} decode tokens, both placements")
    for c in ("context", "wall s", "in SimPy", "replayed", "vs 4K"):
        t.add_column(c, justify="right")
    base = None
    for context in (4096, 32768, 131072, 524288, 1048576):
        wall, sims = timed_run(cat, context, tokens, repeats=3)
        base = base or wall
        t.add_row(f"{context:,}", f"{wall:.3f}", str(_sum(sims, "iterations_simulated")),
                  str(_sum(sims, "iterations_reused")), f"{wall / base:.2f}x")
    console.print(t)

    t = Table(title="replay path vs decode tokens (context 32K, both placements)")
    for c in ("decode tokens", "wall s", "ms per 1k tokens"):
        t.add_column(c, justify="right")
    for n in (128, 256, 512, tokens) if tokens > 512 else (64, 128, 256):
        wall, _ = timed_run(cat, 32768, n, repeats=3)
        t.add_row(str(n), f"{wall:.3f}", f"{wall / n * 1e6:.1f}")
    console.print(t)


if __name__ == "__main__":
    main()
