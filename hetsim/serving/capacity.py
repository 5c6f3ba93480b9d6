"""The capacity search: the highest arrival rate whose requests meet the SLO, probed on the sweep
executors (`hetsim.dse.executors`: a local process pool or Ray), as `hetsim sweep` runs points.

Each probe - one planned run served at one rate - is a sweep point: keyed by the resolved
experiment without its search settings, the run's label and the rate, run by `run_probe` where it
lands, and (with `capacity_search.store`) kept as a part of a sweep store, so a rerun reuses it.
The schedule is fixed by the spec alone, never by which probe finishes first: round 0 probes
both bounds; each later round probes `probes_per_round` rates evenly spaced in log space strictly
inside every run's bracket, all runs' probes at once, and the bracket becomes the interval between
the last passing rate and the first failing one above it (attainment falls as the rate rises;
with one probe per round this is the binary search in log space). Deterministic for a seed.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import hetsim
from hetsim.dse.derived import InputPrints, canonical
from hetsim.dse.executors import LocalExecutor, RayExecutor, check_ray_address
from hetsim.dse.point import SweepPoint, point_key, point_rows, resolved_config, source_fingerprint
from hetsim.dse.store import Store
from hetsim.errors import ConfigError, HetsimError
from hetsim.scenario import Scenario, resolve_experiment

RATE_DIGITS = 6  # significant digits a probed rate keeps: stable keys, readable rates
RUN, RATE = "capacity.run", "capacity.rate_per_s"  # a probe's values, as a sweep point's
_RUNNERS: dict = {}  # per process: ServingRunners by (experiment, run), their prices reused across rates
KEEP_RUNNERS = 8


@dataclass
class Capacity:
    label: str
    capacity_per_s: float | None
    probes: list[tuple[float, float]]  # (rate, SLO attainment), in probe order


def probe_data(exp: Scenario) -> dict:
    """The experiment a probe serves: the search's own settings and the extra rates dropped (a
    probe serves one rate), results not written."""
    data = exp.spec.model_dump(mode="json", by_alias=True)
    data["serving"].update(capacity_search=None, rates_per_s=[])
    data["outputs"] = {**data["outputs"], "write": False}
    return data


def probe_point(exp: Scenario, data: dict, label: str, rate: float, prints: InputPrints) -> SweepPoint:
    config = resolved_config(exp, exp.method)
    config["experiment"]["serving"].update(capacity_search=None, rates_per_s=[])
    config["probe"] = {"run": label, "rate_per_s": rate}
    inputs, source = prints.of(exp), source_fingerprint()
    return SweepPoint(point_key(config, inputs, source), data, exp.file, {RUN: label, RATE: rate}, (label,),
                      config, inputs, {}, source)


def run_probe(point: SweepPoint, catalogue) -> list[dict]:
    """Serve one run of the point's experiment at its rate (where the executor puts it): one row,
    the serving metrics flattened as a sweep point's, status `rejected` with the reason when the
    requests cannot be served."""
    from hetsim.serving.run import ServingRunner, requests_of  # run imports this module

    t0 = time.perf_counter()
    label, rate = point.values[RUN], point.values[RATE]
    memo = (canonical(point.data), point.file, label)
    try:
        runner = _RUNNERS.get(memo)
        if runner is None:
            exp = resolve_experiment(copy.deepcopy(point.data), point.file, catalogue)
            planned = next(p for p in exp.runs if p.label == label)
            runner = ServingRunner(exp, planned)
            if len(_RUNNERS) >= KEEP_RUNNERS:  # a few runs' price memos, not every experiment a worker saw
                _RUNNERS.pop(next(iter(_RUNNERS)))
            _RUNNERS[memo] = runner
        metrics = runner.serve(requests_of(runner.exp, rate))[2]
    except HetsimError as exc:  # deterministic for this point: stored, reported by the search
        return point_rows(point, None, f"rejected: {exc.render()}", time.perf_counter() - t0)
    run = SimpleNamespace(label=label, method=runner.planned.method.name, placement=runner.planned.placement.name,
                          warnings=list(runner.planned.warnings), metrics=metrics.as_dict())
    return point_rows(point, [run], "", time.perf_counter() - t0)


def interior(lo: float, hi: float, k: int) -> list[float]:
    """`k` rates strictly inside (lo, hi), evenly spaced in log space (rates span decades)."""
    rates = [float(f"{lo * (hi / lo) ** (i / (k + 1)):.{RATE_DIGITS}g}") for i in range(1, k + 1)]
    return sorted({r for r in rates if lo < r < hi})


def check_executor(exp: Scenario) -> None:
    """Fail before anything is served on a Ray address no head answers at."""
    cs = exp.spec.serving.capacity_search
    if cs is not None and cs.ray is not None:
        try:
            check_ray_address(cs.ray)
        except ConfigError as exc:
            raise ConfigError(exc.message, file=exp.file, field="serving.capacity_search.ray") from None


def executor_of(exp: Scenario):
    cs = exp.spec.serving.capacity_search
    if cs.ray is not None:
        return RayExecutor(exp.catalogue, cs.ray, cs.workers, task=run_probe)
    return LocalExecutor(exp.catalogue, cs.workers, task=run_probe)


class Prober:
    """Runs rounds of probes on one executor, through the store when there is one."""

    def __init__(self, exp: Scenario, executor, store: Store | None) -> None:
        self.exp, self.executor, self.store = exp, executor, store
        self.data = probe_data(exp)
        self.prints = InputPrints()
        self.points: dict[str, SweepPoint] = {}
        self.cached = self.computed = 0

    def attainments(self, wanted: list[tuple[str, float]]) -> dict[tuple[str, float], float]:
        """SLO attainment of each (run label, rate); a probe that cannot be served stops the search."""
        points = {w: probe_point(self.exp, self.data, w[0], w[1], self.prints) for w in wanted}
        rows: dict[str, dict] = {}
        todo = []
        for p in points.values():
            self.points[p.id] = p
            table = self.store.read(p.id, drop_corrupt=True) if self.store is not None else None
            if table is not None:
                rows[p.id] = table.to_pylist()[0]
                self.cached += 1
            elif p.id not in {t.id for t in todo}:
                todo.append(p)
        for point, result in self.executor.run(todo):
            if isinstance(result, BaseException):
                raise HetsimError(f"capacity probe {point.values[RUN]} at {point.values[RATE]:g}/s failed: "
                                  f"{type(result).__name__}: {result}", file=self.exp.file,
                                  field="serving.capacity_search") from None
            if self.store is not None:
                self.store.write(point.id, result)
            rows[point.id] = result[0]
            self.computed += 1
        out = {}
        for w, p in points.items():
            row = rows[p.id]
            if row["status"] != "ok":
                raise ConfigError(f"the capacity search cannot serve {w[0]} at {w[1]:g} requests/s: {row['note']}",
                                  file=self.exp.file, field="serving.capacity_search")
            out[w] = float(row["slo_attainment"])
        return out

    def write_meta(self, capacities: list[Capacity]) -> None:
        """sweep.json of the store: the probes as the points of a zip sweep over (run, rate)."""
        pts = list(self.points.values())
        spec = {"name": f"{self.exp.spec.name}-capacity", "base": self.exp.file,
                "axes": [{"zip": {RUN: [p.values[RUN] for p in pts], RATE: [p.values[RATE] for p in pts]}}]}
        self.store.write_meta({
            "name": spec["name"], "file": self.exp.file, "hetsim_version": hetsim.__version__,
            "hetsim_source": source_fingerprint(), "spec": spec, "base": self.data, "base_file": self.exp.file,
            "points": [{"id": p.id, "values": p.values, "labels": list(p.labels)} for p in pts],
            "invalid": [], "excluded": [],
            "capacity": [{"label": c.label, "capacity_per_s": c.capacity_per_s, "probes": c.probes}
                         for c in capacities]})


def search(exp: Scenario, prober: Prober) -> list[Capacity]:
    cs, slo = exp.spec.serving.capacity_search, exp.spec.serving.slo
    labels = [p.label for p in exp.runs]
    lo, hi = cs.low_per_s, cs.high_per_s
    got = prober.attainments([(label, r) for label in labels for r in (lo, hi)])
    caps = {label: Capacity(label, None, [(lo, got[label, lo]), (hi, got[label, hi])]) for label in labels}
    brackets: dict[str, tuple[float, float]] = {}
    for label in labels:
        if got[label, lo] < slo.attainment:
            raise ConfigError(f"no arrival rate meets the SLO (TTFT <= {slo.ttft_s:g} s, TPOT <= {slo.tpot_s:g} s for "
                              f"{slo.attainment:.0%} of requests) on {label}: even {lo:g} requests/s reaches "
                              f"{got[label, lo]:.0%}; relax serving.slo or lower capacity_search.low_per_s",
                              file=exp.file, field="serving.slo")
        if got[label, hi] >= slo.attainment:
            caps[label].capacity_per_s = hi
        else:
            brackets[label] = (lo, hi)
    for _ in range(cs.iterations):
        wanted = {label: interior(a, b, cs.probes_per_round) for label, (a, b) in brackets.items()}
        wanted = {label: rates for label, rates in wanted.items() if rates}  # bracket narrower than the digits
        if not wanted:
            break
        got = prober.attainments([(label, r) for label, rates in wanted.items() for r in rates])
        for label, rates in wanted.items():
            a, b = brackets[label]
            caps[label].probes += [(r, got[label, r]) for r in rates]
            failing = next((r for r in rates if got[label, r] < slo.attainment), b)
            passing = max((r for r in rates if r < failing), default=a)
            brackets[label] = (passing, failing)
    for label, (a, _) in brackets.items():
        caps[label].capacity_per_s = a
    return [caps[label] for label in labels]


def capacity_search(exp: Scenario, executor=None) -> list[Capacity]:
    """The capacity of every planned run of `exp` (its `serving.capacity_search`). `executor`: a
    LocalExecutor or RayExecutor built with `task=run_probe`, not yet entered (default: the one
    the spec names)."""
    cs = exp.spec.serving.capacity_search
    executor = executor or executor_of(exp)
    if cs.store is None:
        with executor:
            return search(exp, Prober(exp, executor, None))
    store = Store(Path(cs.store))
    with store.open("serving.capacity_search.store"), executor:
        prober = Prober(exp, executor, store)
        caps = search(exp, prober)
        prober.write_meta(caps)
    return caps
