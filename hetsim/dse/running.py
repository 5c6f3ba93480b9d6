"""What running a sweep and running a search share: the outcome, progress reports, the sweep.json
record, and executing points into the store as they finish."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import hetsim
from hetsim.dse.expand import Sweep
from hetsim.dse.point import InputsMismatch, SweepPoint, source_fingerprint
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
    failed: list[tuple[SweepPoint, str]] = field(default_factory=list)
    wall_s: float = 0.0
    executor: str = ""
    best: list[dict] = field(default_factory=list)  # search: the best trials (Pareto front)
    trials: int = 0  # search: trials told
    # (values, note) of points stored as skipped: they did not fit, or the run rejected them
    skipped: list[tuple[dict, str]] = field(default_factory=list)

    @property
    def did_not_fit(self) -> int:
        return sum(note.startswith("does not fit") for _, note in self.skipped)


def note_skipped(outcome: SweepOutcome, point: SweepPoint, statuses: list, notes: list) -> None:
    """Count a stored point whose runs were skipped (a point runs all of its runs or none)."""
    if statuses and statuses[0] == "skipped":
        outcome.skipped.append((point.values, str(notes[0] or "")))


def stored(store: Store, point: SweepPoint, force: bool, outcome: SweepOutcome):
    """The point's sound part in the store (counted as cached, its skipped runs noted), or None
    when it must be computed (`force`: always)."""
    table = None if force else store.read(point.id, drop_corrupt=True)
    if table is not None:
        outcome.cached += 1
        note_skipped(outcome, point, table.column("status").to_pylist(),
                     table.column("note").to_pylist() if "note" in table.column_names else [""])
    return table


def meta(sweep: Sweep, points: list[SweepPoint], invalid, excluded, **extra) -> dict:
    seen: dict[str, dict] = {}
    for p in points:
        seen.setdefault(p.id, {"id": p.id, "values": p.values, "labels": list(p.labels)})
    return {
        "name": sweep.name, "file": sweep.file, "hetsim_version": hetsim.__version__,
        "hetsim_source": source_fingerprint(),
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

    def run(self, points: list[SweepPoint]):
        if not self.started:
            self.stack.enter_context(self.executor)
            self.started = True
        return self.executor.run(points)


def execute(todo: list[SweepPoint], lazy: Lazy, store: Store, progress: Progress,
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
            note_skipped(outcome, point, [r["status"] for r in result], [r["note"] for r in result])
        progress.advance()
    return rows_by_key


def check_meta(store: Store) -> None:
    """Report a sweep.json that does not read (the run about to start rewrites it)."""
    problem = store.meta_problem()
    if problem:
        store.warn(f"{store.root / 'sweep.json'}: corrupt or truncated ({problem}): rewritten from this sweep")
