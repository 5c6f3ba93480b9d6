"""The paper's evaluation in one command, on MI210+U55C, A100+U55C and H100+U55C (what-if):
  1. the two-baseline study (study.py): per method, the paper's GPU baseline and an efficient one
     side by side (TPOT, end-to-end, memory-processing speedups, energy, memory-processing share),
     micro-batches vs one batch vs pipelined batches, and a sensitivity table;
  2. the grid: every method with an example experiment, batch 1-32, contexts 4K-1M, corpus up to
     20M documents, each placement against GPU-only, with figures.
Writes a markdown report (and the study's rows as study.csv).

    python experiments/paper/run.py [--quick] [--methods M ...] [--out results/paper] [--workers N]
                                    [--ray auto|ADDRESS] [--no-grid]

Rerunning resumes the grid: points already in `OUT/sweeps/<method>/` are not recomputed (the
study is recomputed: a few minutes).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # grid.py, report.py beside this file

from grid import FULL, QUICK, corpus_param, example_for, method_grids  # noqa: E402
from report import write_report  # noqa: E402
from rich.console import Console  # noqa: E402
from study import SYSTEMS, jobs, run_jobs  # noqa: E402
from study_report import assumptions_section, baselines_section, overlap_section, sensitivity_section  # noqa: E402

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
    ap.add_argument("--no-grid", action="store_true", help="the two-baseline study only")
    args = ap.parse_args(argv)
    out = args.out or Path("results") / ("paper-quick" if args.quick else "paper")
    grid = QUICK if args.quick else FULL
    con = Console(stderr=True)
    t0 = time.perf_counter()
    catalogue = Catalogue.load()
    study, study_s = run_study(args, catalogue, con)
    t_grid = time.perf_counter()
    grids, left_out = method_grids(grid, out, catalogue, [] if args.no_grid else args.methods)
    if args.no_grid:
        grids = []
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

    df = pd.concat(frames, ignore_index=True) if frames else empty_results()
    command = " ".join(["python experiments/paper/run.py", *(["--quick"] if args.quick else []),
                        *(["--methods", *args.methods] if args.methods else []), *(["--no-grid"] if args.no_grid
                                                                                   else [])])
    out.mkdir(parents=True, exist_ok=True)
    study.to_csv(out / "study.csv", index=False)
    wall = time.perf_counter() - t0
    conditions = (f"{args.workers or os.cpu_count()} worker processes on {os.cpu_count()} CPUs, load average "
                  f"{os.getloadavg()[0]:.1f} at the end (the machine is shared); study {study_s:.0f} s, grid "
                  f"{time.perf_counter() - t_grid:.0f} s, {wall:.0f} s in all")
    sections = [*baselines_section(study, catalogue.root), *overlap_section(study), *sensitivity_section(study),
                *assumptions_section(study, catalogue.root, conditions)]
    report = write_report(out / "report.md", df=df, grid=grid, grids=grids, left_out=left_out, figures=figures,
                          wall_s=wall, command=command, quick=args.quick, rejected=rejected, study=sections)
    con.print(f"report: {report} ({time.perf_counter() - t0:.0f} s)")
    return 0


def run_study(args, catalogue: Catalogue, con: Console):
    """The two-baseline study's rows (a DataFrame) and its wall time."""
    import pandas as pd

    from hetsim.config.load import configs_root
    from hetsim.scenario import load_experiment
    from hetsim.workloads.registry import METHODS

    t0 = time.perf_counter()
    root = configs_root()
    examples = {m: example_for(m, root) for m in sorted(METHODS) if m != "dense"}
    examples = {m: p for m, p in examples.items() if p is not None and (not args.methods or m in args.methods)}
    corpus = {m: corpus_param(METHODS[m]) for m in examples}
    contexts = {m: load_experiment(p, catalogue).spec.workload.context_tokens for m, p in examples.items()}
    systems = list(QUICK["systems"] if args.quick else SYSTEMS)
    todo = jobs(sorted(examples), systems, examples, corpus, contexts, quick=args.quick)
    con.print(f"study: {len(todo)} experiments ({len(examples)} methods x {len(systems)} systems)")
    rows = run_jobs(todo, args.workers or os.cpu_count() or 1)
    return pd.DataFrame(rows), time.perf_counter() - t0


def empty_results():
    import pandas as pd

    return pd.DataFrame({c: pd.Series(dtype=object) for c in ("point_id", "status", "note", "label", "method",
                                                               "config.workload.method", "config.system",
                                                               "config.workload.context_tokens")})


if __name__ == "__main__":
    from hetsim.errors import HetsimError

    try:
        raise SystemExit(main())
    except HetsimError as exc:
        Console(stderr=True).print(f"[red]error:[/] {exc.render()}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
