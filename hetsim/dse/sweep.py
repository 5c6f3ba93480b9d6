"""Running a sweep into its results store: expand, skip what the store already holds, run the rest
on an executor, write each point's part as it finishes. Search sweeps go to `hetsim.dse.search`."""

from __future__ import annotations

import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import hetsim
from hetsim.dse.derived import InputPrints
from hetsim.dse.expand import Sweep, describe, expand
from hetsim.dse.point import InputsMismatch, Point
from hetsim.dse.store import Store


class Progress(Protocol):
    def start(self, total: int, cached: int, where: str) -> None: ...

    def advance(self) -> None: ...


class NoProgress:
    def start(self, total: int, cached: int, where: str) -> None:
        pass

    def advance(self) -> None:
        pass


@dataclass
class SweepOutcome:
    out: Path
    points: int  # distinct points of the sweep
    cached: int  # already in the store
    computed: int
    invalid: list[tuple[dict, str]] = field(default_factory=list)
    excluded: list[tuple[dict, str]] = field(default_factory=list)
    failed: list[tuple[Point, str]] = field(default_factory=list)
    wall_s: float = 0.0
    executor: str = ""
    best: list[dict] = field(default_factory=list)  # search: the best trials (Pareto front)
    trials: int = 0  # search: trials told


def meta(sweep: Sweep, points: list[Point], invalid, excluded, **extra) -> dict:
    seen: dict[str, dict] = {}
    for p in points:
        seen.setdefault(p.id, {"id": p.id, "values": p.values, "labels": list(p.labels)})
    return {
        "name": sweep.name, "file": sweep.file, "hetsim_version": hetsim.__version__,
        "spec": sweep.spec.model_dump(mode="json", by_alias=True), "base": sweep.base, "base_file": sweep.base_file,
        "points": list(seen.values()),
        "invalid": [{"values": v, "why": w} for v, w in invalid],
        "excluded": [{"values": v, "why": w} for v, w in excluded],
        **extra,
    }


class Lazy:
    """Starts the executor on first use only: a finished sweep rerun starts no pool, no Ray."""

    def __init__(self, executor, stack: ExitStack):
        self.executor, self.stack, self.started = executor, stack, False

    def run(self, points: list[Point]):
        if not self.started:
            self.stack.enter_context(self.executor)
            self.started = True
        return self.executor.run(points)


def execute(todo: list[Point], lazy: Lazy, store: Store, progress: Progress,
            outcome: SweepOutcome) -> dict[str, list[dict]]:
    """Run `todo` (distinct keys), storing each point as it finishes; the rows by key."""
    rows_by_key: dict[str, list[dict]] = {}
    if not todo:
        return rows_by_key
    results = lazy.run(todo)
    outcome.executor = lazy.executor.describe
    for point, result in results:
        if isinstance(result, InputsMismatch):
            raise result
        if isinstance(result, BaseException):
            outcome.failed.append((point, f"{type(result).__name__}: {result}"))
        else:
            store.write(point.id, result)
            rows_by_key[point.id] = result
            outcome.computed += 1
        progress.advance()
    return rows_by_key


def run_sweep(sweep: Sweep, out: Path, executor, progress: Progress | None = None) -> SweepOutcome:
    """Run every point of `sweep` not yet in the store at `out`. `executor`: a LocalExecutor or
    RayExecutor, not yet entered."""
    progress = progress or NoProgress()
    if sweep.spec.search is not None:
        from hetsim.dse.search import run_search

        return run_search(sweep, out, executor, progress)
    t0 = time.perf_counter()
    expansion = expand(sweep, InputPrints())
    store = Store(out)
    with store.lock(), ExitStack() as stack:
        store.write_meta(meta(sweep, expansion.points, expansion.invalid, expansion.excluded))
        done = store.done()
        unique = {p.id: p for p in expansion.points}
        todo = [p for key, p in unique.items() if key not in done]
        outcome = SweepOutcome(Path(out), len(unique), len(unique) - len(todo), 0,
                               expansion.invalid, expansion.excluded)
        progress.start(len(todo), outcome.cached, str(out))
        execute(todo, Lazy(executor, stack), store, progress, outcome)
    outcome.wall_s = time.perf_counter() - t0
    return outcome


def failure_lines(outcome: SweepOutcome, limit: int = 5) -> list[str]:
    return [f"{describe(p.values)}: {why}" for p, why in outcome.failed[:limit]]
