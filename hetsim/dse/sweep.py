"""Running a sweep into its results store: expand, skip what the store already holds, run the rest
on an executor, write each point's part as it finishes. Search sweeps go to `hetsim.dse.search`."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from hetsim.dse.derived import InputPrints
from hetsim.dse.expand import Sweep, describe, expand_sweep
from hetsim.dse.running import (
    Lazy,
    NoProgress,
    Progress,
    SweepOutcome,
    check_meta,
    execute,
    meta,
    stored,
)
from hetsim.dse.search import run_search
from hetsim.dse.store import Store, warn_line

__all__ = ["SweepOutcome", "failure_lines", "run_sweep"]


def run_sweep(sweep: Sweep, out: Path, executor, progress: Progress | None = None, force: bool = False,
              warn: Callable[[str], None] = warn_line) -> SweepOutcome:
    """Run every point of `sweep` not yet in the store at `out` (`force`: every point, replacing
    their parts; parts of points not in this sweep stay). `executor`: a LocalExecutor or
    RayExecutor, not yet entered. `warn`: how a corrupt file found in the store is reported."""
    progress = progress or NoProgress()
    store = Store(out, warn)
    if sweep.spec.search is not None:
        return run_search(sweep, store, executor, progress, force)
    t0 = time.perf_counter()
    expansion = expand_sweep(sweep, InputPrints())
    with store.open(), ExitStack() as stack:
        check_meta(store)
        too_big = [(values, f"does not fit: {why}") for values, why in expansion.too_big]
        store.write_meta(meta(sweep, expansion.points, expansion.invalid, expansion.excluded,
                              does_not_fit=[{"values": v, "why": w} for v, w in too_big]))
        unique = {p.id: p for p in expansion.points}
        outcome = SweepOutcome(Path(out), len(unique), 0, 0, expansion.invalid, expansion.excluded,
                               skipped=list(too_big))
        todo = [point for point in unique.values() if stored(store, point, force, outcome) is None]
        progress.start(len(todo), outcome.cached, str(out))
        execute(todo, Lazy(executor, stack), store, progress, outcome)
    outcome.wall_s = time.perf_counter() - t0
    return outcome


def failure_lines(outcome: SweepOutcome, limit: int = 5) -> list[str]:
    return [f"{describe(p.values)}: {why}" for p, why in outcome.failed[:limit]]
