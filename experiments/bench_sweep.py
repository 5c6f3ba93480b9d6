"""Sweep throughput benchmark (prints a table; not a test).

1. Points per second for a 1,000-point sweep (the default experiment, 8K context, 16 decode
   tokens, GPU-only and paper placements, no baseline: 2 runs of 17 steps per point) on the
   local process pool and on a local Ray cluster, and in one process on the first
   --serial-points points (the reference: what parallelism adds). Each starts from an empty
   store; wall time includes expanding the sweep and starting the pool or Ray.
2. Wall time of the paper's grid (`experiments/paper/run.py`, from an empty store). Target on
   2 cores: under 10 minutes.

    python experiments/bench_sweep.py [--points 1000] [--serial-points 100] [--workers 2] [--no-ray]
                                      [--no-paper] [--quick-paper]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from hetsim.config.load import Catalogue
from hetsim.dse.executors import LocalExecutor, RayExecutor
from hetsim.dse.expand import build_sweep, expand_sweep
from hetsim.dse.sweep import run_sweep

REPO = Path(__file__).resolve().parents[1]


def sweep_of(n: int, catalogue: Catalogue):
    """n distinct points: batch x token budget x seed (the seed only changes the key here)."""
    batches, budgets = [2, 4, 6, 8, 10], [256, 512, 768, 1024]
    seeds = list(range(-(-n // (len(batches) * len(budgets)))))
    data = {"name": "bench", "base": "default",
            "set": {"workload.decode_tokens": 16, "workload.context_tokens": 8192, "baseline": None},
            "axes": [{"grid": {"seed": seeds, "workload.batch": batches, "workload.params.token_budget": budgets}}]}
    return build_sweep(data, "experiments/bench_sweep.py", catalogue)


def timed(sweep, executor, out: Path) -> dict:
    t0 = time.perf_counter()
    outcome = run_sweep(sweep, out, executor)
    wall = time.perf_counter() - t0
    if outcome.failed:
        raise SystemExit(f"{len(outcome.failed)} points failed, e.g. {outcome.failed[0][1]}")
    return {"points": outcome.computed, "wall_s": wall, "points_per_s": outcome.computed / wall,
            "executor": outcome.executor}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--serial-points", type=int, default=100, help="points of the one-process reference")
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    ap.add_argument("--no-ray", action="store_true")
    ap.add_argument("--no-paper", action="store_true")
    ap.add_argument("--quick-paper", action="store_true", help="time the --quick grid instead")
    args = ap.parse_args()
    con = Console()
    catalogue = Catalogue.load()
    sweep = sweep_of(args.points, catalogue)
    t0 = time.perf_counter()
    n_points = len({p.id for p in expand_sweep(sweep).points})
    expand_s = time.perf_counter() - t0
    con.print(f"{n_points} points expanded and keyed in {expand_s:.2f} s on {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cases = [("one process", sweep_of(args.serial_points, catalogue), LocalExecutor(catalogue, workers=1)),
                 (f"local pool x{args.workers}", sweep, LocalExecutor(catalogue, workers=args.workers))]
        if not args.no_ray:
            cases.append((f"Ray local x{args.workers}", sweep, RayExecutor(catalogue, "auto", args.workers)))
        for name, sw, executor in cases:
            r = timed(sw, executor, tmp / name.replace(" ", "_"))
            rows.append((name, r))
            con.print(f"  {name}: {r['points']} points in {r['wall_s']:.1f} s = {r['points_per_s']:.1f} points/s")
        paper = None
        if not args.no_paper:
            cmd = [sys.executable, str(REPO / "experiments" / "paper" / "run.py"), "--out", str(tmp / "paper"),
                   "--workers", str(args.workers)] + (["--quick"] if args.quick_paper else [])
            t0 = time.perf_counter()
            res = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
            paper = time.perf_counter() - t0
            if res.returncode:
                con.print(res.stderr[-2000:])
            n_paper = sum(len(list(p.glob("part-*.parquet"))) for p in (tmp / "paper" / "sweeps").glob("*/parts"))
    t = Table(title=f"sweep throughput ({os.cpu_count()} CPUs)")
    for col in ("executor", "points", "wall", "points/s", "vs one process"):
        t.add_column(col, justify="right")
    base = rows[0][1]["points_per_s"]
    for name, r in rows:
        t.add_row(name, str(r["points"]), f"{r['wall_s']:.1f} s", f"{r['points_per_s']:.1f}",
                  f"{r['points_per_s'] / base:.2f}x")
    con.print(t)
    if paper is not None:
        target = "met" if paper < 600 else "MISSED"
        con.print(f"paper grid{' (--quick)' if args.quick_paper else ''}: {n_paper} points in {paper:.0f} s "
                  f"(target < 600 s on 2 cores: {target})")


if __name__ == "__main__":
    main()
