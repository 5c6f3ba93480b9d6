"""The paper's evaluation in one command: every method with an example experiment, batch 1-32,
contexts 4K-1M, corpus up to 20M documents, on MI210+U55C, A100+U55C and H100+U55C (what-if),
each placement against GPU-only; writes a markdown report with figures.

    python experiments/paper/run.py [--quick] [--methods M ...] [--out results/paper] [--workers N]
                                    [--ray auto|ADDRESS]

Rerunning resumes: points already in `OUT/sweeps/<method>/` are not recomputed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # grid.py, report.py beside this file

from grid import FULL, QUICK, method_grids  # noqa: E402
from report import write_report  # noqa: E402
from rich.console import Console  # noqa: E402

from hetsim.config.load import Catalogue  # noqa: E402
from hetsim.dse.cli import RichProgress  # noqa: E402
from hetsim.dse.executors import LocalExecutor, RayExecutor  # noqa: E402
from hetsim.dse.plots import write_plots  # noqa: E402
from hetsim.dse.store import Store, load_results  # noqa: E402
from hetsim.dse.sweep import run_sweep  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="a small grid (batch 1 and 8, 8K and 64K contexts, "
                                                         "2 systems, 16 decode tokens) to check the pipeline")
    ap.add_argument("--methods", nargs="+", help="only these methods (default: every method with an example)")
    ap.add_argument("--out", type=Path, help="default results/paper (results/paper-quick with --quick)")
    ap.add_argument("--workers", type=int, help="parallel points (default: every CPU)")
    ap.add_argument("--ray", help="run on Ray: auto or a cluster address")
    args = ap.parse_args(argv)
    out = args.out or Path("results") / ("paper-quick" if args.quick else "paper")
    grid = QUICK if args.quick else FULL
    con = Console(stderr=True)
    t0 = time.perf_counter()
    catalogue = Catalogue.load()
    grids, left_out = method_grids(grid, out, catalogue, args.methods)
    executor = (RayExecutor(catalogue, args.ray, args.workers) if args.ray
                else LocalExecutor(catalogue, args.workers))
    progress = RichProgress(con)
    frames, figures, rejected = [], {}, {}
    try:
        with executor:
            for g in grids:  # one pool (or Ray connection) serves every method's sweep
                outcome = run_sweep(g.sweep, g.sweep.default_out(), executor, progress)
                if outcome.failed:
                    progress.stop()
                    con.print(f"[red]{g.method}: {len(outcome.failed)} points failed[/], e.g. "
                              f"{outcome.failed[0][1]}; rerun after fixing the cause")
                    return 1
    finally:
        progress.stop()
    for g in grids:
        df = load_results(g.sweep.default_out())
        frames.append(df)
        for item in Store(g.sweep.default_out()).read_meta()["invalid"]:
            key = (g.method, item["values"].get("system"))
            rejected[key] = rejected.get(key, 0) + 1
        figures[g.method] = write_plots(df, out / "figures" / g.method)
    import pandas as pd

    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    command = " ".join(["python experiments/paper/run.py", *(["--quick"] if args.quick else []),
                        *(["--methods", *args.methods] if args.methods else [])])
    report = write_report(out / "report.md", df=df, grid=grid, grids=grids, left_out=left_out, figures=figures,
                          wall_s=time.perf_counter() - t0, command=command, quick=args.quick, rejected=rejected)
    con.print(f"report: {report} ({time.perf_counter() - t0:.0f} s)")
    return 0


if __name__ == "__main__":
    from hetsim.errors import HetsimError

    try:
        raise SystemExit(main())
    except HetsimError as exc:
        Console(stderr=True).print(f"[red]error:[/] {exc.render()}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
