"""`hetsim sweep`, `hetsim results`, `hetsim plot`: parse, call, print (registered by hetsim.cli)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hetsim.errors import ConfigError, HetsimError


class RichProgress:
    """A progress bar with an ETA on stderr (stdout stays for results)."""

    def __init__(self, console: Console):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console)
        self.task = None

    def start(self, total: int, cached: int, where: str) -> None:
        if cached:
            self.bar.console.print(f"{cached} point(s) already in {where}: not recomputed")
        if not self.bar.live.is_started:
            self.bar.start()
        self.task = self.bar.add_task(Path(where).name, total=total)

    def advance(self) -> None:
        self.bar.advance(self.task)

    def stop(self) -> None:
        self.bar.stop()


def register(app: typer.Typer, friendly) -> None:
    """Add the commands to `app`; `friendly` turns a HetsimError into one line and exit 2."""
    app.command(name="sweep")(friendly(sweep))
    app.command(name="results")(friendly(results))
    app.command(name="plot")(friendly(plot))


def sweep(
    file: Annotated[Path, typer.Argument(help="sweep YAML (see configs/sweeps/)")],
    out: Annotated[Path | None, typer.Option(help="results folder (default: the sweep's out, else "
                                                  "results/sweeps/NAME)")] = None,
    ray: Annotated[str | None, typer.Option(help="run on Ray: 'auto' (a running cluster, else a local one) "
                                                 "or the head's ADDRESS")] = None,
    workers: Annotated[int | None, typer.Option(help="parallel points (default: every CPU)")] = None,
    force: Annotated[bool, typer.Option("--force", help="compute every point again, replacing its stored "
                                                        "results (other points in the folder stay)")] = False,
) -> None:
    """Run a sweep (axes or optuna search); rerun the same command to finish an interrupted one."""
    from hetsim.dse.executors import LocalExecutor, RayExecutor, check_workers
    from hetsim.dse.expand import describe, load_sweep
    from hetsim.dse.sweep import failure_lines, run_sweep

    err = Console(stderr=True)
    check_workers(workers)
    sw = load_sweep(file)
    out = out or sw.default_out()
    if ray:
        try:
            import ray as _  # noqa: F401
        except ImportError:
            raise HetsimError("--ray needs Ray: pip install 'hetsim[dist]'") from None
        executor = RayExecutor(sw.catalogue, ray, workers)
    else:
        executor = LocalExecutor(sw.catalogue, workers)
    progress = RichProgress(err)
    try:
        outcome = run_sweep(sw, out, executor, progress, force=force,
                            warn=lambda line: err.print(f"warning: {line}", markup=False, highlight=False,
                                                        soft_wrap=True))
    except KeyboardInterrupt:
        progress.stop()
        err.print(f"interrupted: finished points are stored in {out}; rerun the same command to finish",
                  markup=False, highlight=False)
        raise typer.Exit(130) from None
    finally:
        progress.stop()
    con = Console()
    con.print(summary(sw.name, outcome), markup=False, highlight=False)
    if outcome.skipped:
        values, note = outcome.skipped[0]
        con.print(f"skipped, e.g. {describe(values)}: {note}", markup=False, highlight=False)
    if outcome.best:
        t = Table(title="best trials (feasible Pareto front)")
        for col in ("trial", "parameters", "objectives"):
            t.add_column(col)
        for b in outcome.best:
            t.add_row(str(b["trial"]), escape(json.dumps(b["params"])), ", ".join(f"{v:.4g}" for v in b["objectives"]))
        con.print(t)
    con.print(f"results: {out}  (hetsim results {out}; hetsim plot {out})", markup=False, highlight=False)
    if outcome.failed:
        for line in failure_lines(outcome):
            err.print(f"failed: {line}", soft_wrap=True, markup=False, highlight=False)
        err.print("failed points are not stored: fix the cause and rerun to compute them")
        raise typer.Exit(1)


def summary(name: str, outcome) -> str:
    """One sentence: where every point of the sweep went."""
    trials = f"{outcome.trials} trials, " if outcome.trials else ""
    rejected_running = len(outcome.skipped) - outcome.did_not_fit
    return (f"{name}: {trials}{outcome.points} points - {outcome.cached} from the store, {outcome.computed} computed"
            f"{' on ' + outcome.executor if outcome.executor else ''}; {outcome.did_not_fit} skipped as not "
            f"fitting, {rejected_running} rejected while running, {len(outcome.invalid)} rejected by the config, "
            f"{len(outcome.excluded)} excluded by constraints, {len(outcome.failed)} failed ({outcome.wall_s:.1f} s)")


def results(
    sweep_dir: Annotated[Path, typer.Argument(help="a sweep's results folder")],
    json_out: Annotated[bool, typer.Option("--json", help="every column of every row as JSON records")] = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="every column of every row as CSV")] = False,
    limit: Annotated[int, typer.Option(help="rows in the table")] = 100,
) -> None:
    """Load a sweep's results (one row per point and run) and print them."""
    from hetsim.dse.store import Store, load_results
    from hetsim.dse.table import results_tables

    if limit < 0:
        raise ConfigError(f"expected a number of rows of at least 0, got {limit}", field="--limit")
    err = Console(stderr=True)
    df = load_results(sweep_dir, warn=lambda line: err.print(f"warning: {line}", markup=False, highlight=False,
                                                             soft_wrap=True))
    if json_out:
        sys.stdout.write(df.to_json(orient="records", indent=1) + "\n")
        return
    if csv_out:
        df.to_csv(sys.stdout, index=False)
        return
    swept = list(dict.fromkeys(k for p in Store(sweep_dir).read_meta()["points"] for k in p["values"]))
    con = Console()
    title = escape(f"{sweep_dir}: {df['point_id'].nunique()} points, {len(df)} rows - SIMULATED")
    for table in results_tables(df, swept, title, con.width, limit):
        con.print(table)
    if len(df) > limit:
        con.print(f"({len(df) - limit} more rows: --limit, --json or --csv)")


def plot(
    sweep_dir: Annotated[Path, typer.Argument(help="a sweep's results folder")],
    out: Annotated[Path | None, typer.Option(help="folder for the figures (default SWEEP_DIR/plots)")] = None,
) -> None:
    """Write the sweep's figures (PNG + SVG): speedups, energy, time per step, Pareto front, placements."""
    from hetsim.dse.plots import check_plots_folder, write_plots
    from hetsim.dse.store import load_results

    err = Console(stderr=True)
    target = out or Path(sweep_dir) / "plots"
    check_plots_folder(target)  # before loading: a bad --out is refused at once
    df = load_results(sweep_dir, warn=lambda line: err.print(f"warning: {line}", markup=False, highlight=False,
                                                             soft_wrap=True))
    written = write_plots(df, target)
    for path in written:
        Console().print(f"wrote {path}", markup=False, highlight=False)
    if not written:
        Console().print("nothing to plot: no point ran successfully")
