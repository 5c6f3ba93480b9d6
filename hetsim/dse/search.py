"""Optuna search over a sweep's space: ask `batch` trials, run their points in parallel, tell the
results in ask order. With a fixed seed and batch the trial sequence depends only on the results,
which the store keeps, so a rerun replays the same trials and computes only the missing points."""

from __future__ import annotations

import json
import math
import time
from contextlib import ExitStack

from hetsim.dse import goals
from hetsim.dse.derived import InputPrints
from hetsim.dse.expand import DoesNotFit, Sweep, check_runs, excluded_by, make_point
from hetsim.dse.running import Lazy, NoProgress, Progress, SweepOutcome, check_meta, execute, meta, stored
from hetsim.dse.spec import ChoiceDist, Constraint, FloatDist, IntDist
from hetsim.dse.store import Store
from hetsim.errors import ConfigError

UNKNOWN = 1e30  # constraint violation reported to optuna when a quantity is unknown (skipped run)


def suggest(trial, path: str, dist):
    if isinstance(dist, ChoiceDist):
        return trial.suggest_categorical(path, dist.choice)
    low, high = dist.bounds
    if isinstance(dist, FloatDist):
        return trial.suggest_float(path, low, high, log=dist.log)
    assert isinstance(dist, IntDist)
    return trial.suggest_int(path, low, high, step=dist.step, log=dist.log)


def violation(c: Constraint, run, config, derived, rows, method) -> list[float]:
    """Optuna's convention: one value per bound, <= 0 when met."""
    x = goals.value(c.quantity, run, config, derived, rows, method)
    out = []
    for sign, bound in ((-1, c.min), (1, c.max)):
        if bound is None:
            continue
        b = goals.value(bound, run, config, derived, rows, method) if isinstance(bound, str) else bound
        out.append(UNKNOWN if x is None or b is None else sign * (float(x) - float(b)))
    return out


def sampler(spec):
    """Samplers read constraints set on each trial (`Trial.set_constraint`, optuna >= 5)."""
    import optuna

    if spec.sampler == "nsga2":
        return optuna.samplers.NSGAIISampler(seed=spec.seed)
    if spec.sampler == "random":
        return optuna.samplers.RandomSampler(seed=spec.seed)
    return optuna.samplers.TPESampler(seed=spec.seed)


def run_search(sweep: Sweep, store: Store, executor, progress: Progress, force: bool = False) -> SweepOutcome:
    """`force`: compute every trial's point again (once per run), replacing its part."""
    import optuna
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    t0 = time.perf_counter()
    s = sweep.spec.search
    assert s is not None
    study = optuna.create_study(directions=[o.goal for o in s.objectives], sampler=sampler(s))
    prints = InputPrints()
    outcome = SweepOutcome(store.root, 0, 0, 0)
    trials, points = [], []
    rows_of: dict[str, list[dict]] = {}  # key -> rows, of every point read or computed in this run
    computed: set[str] = set()
    with store.open(), ExitStack() as stack:
        check_meta(store)
        lazy = Lazy(executor, stack)
        progress.start(s.trials, 0, str(store.root))
        while len(trials) < s.trials:
            asked = [study.ask() for _ in range(min(s.batch, s.trials - len(trials)))]
            entries = []
            for t in asked:
                values = {p: suggest(t, p, d) for p, d in s.space.items()}
                try:
                    point = make_point(sweep, values, prints)
                    check_runs(sweep, point)
                    entries.append((t, values, point, excluded_by(sweep, point)))
                except DoesNotFit as exc:
                    entries.append((t, values, None, f"does not fit: {exc.message}"))
                except ConfigError as exc:
                    if sweep.spec.invalid == "error":
                        raise ConfigError(exc.message + " - fix the space, or set `invalid: skip`",
                                          file=exc.file, field=exc.field) from None
                    entries.append((t, values, None, f"rejected: {exc.message}"))
            todo = {}
            for _, _, p, why in entries:
                if p is None or why or p.id in rows_of or p.id in todo:
                    continue
                table = stored(store, p, force, outcome)
                if table is None:
                    todo[p.id] = p
                else:
                    rows_of[p.id] = table.to_pandas().to_dict("records")
            fresh = execute(list(todo.values()), lazy, store, NoProgress(), outcome)
            rows_of.update(fresh)
            computed |= set(fresh)
            for t, values, point, why in entries:  # in ask order, so a rerun replays the same trials
                progress.advance()
                record = {"trial": t.number, "values": values, "id": point.id if point else None}
                if point is None or why:
                    # not simulated: the worst objectives plus the violation, so the sampler learns
                    # where the feasible region is instead of proposing here again
                    where = outcome.excluded if point else outcome.skipped if why.startswith("does not fit") \
                        else outcome.invalid
                    where.append((values, why))
                    trials.append({**record, "state": "excluded", "why": why})
                    tell(study, t, s, None, constraint_values(sweep, point, None))
                    continue
                points.append(point)
                rows = rows_of.get(point.id, [])  # none: the point failed
                by_label = {r["label"]: r for r in rows}
                config, method = point.config["experiment"], config_method(point)
                objective = [goals.value(o.metric, o.run or s.run, config, point.derived, by_label, method)
                             for o in s.objectives]
                if any(v is None or math.isnan(float(v)) for v in objective):
                    trials.append({**record, "state": "failed", "why": "an objective is unknown (point skipped?)"})
                    study.tell(t, state=TrialState.FAIL)
                    continue
                trials.append({**record, "state": "complete", "objectives": objective})
                tell(study, t, s, [float(v) for v in objective], constraint_values(sweep, point, by_label))
            store.write_meta(meta(sweep, points, outcome.invalid, outcome.excluded, trials=trials))
        outcome.points = len({p.id for p in points})
        best: dict[str, dict] = {}  # a sampler may propose one point again: list it once
        for t in study.best_trials:
            best.setdefault(json.dumps(t.params, sort_keys=True), {"trial": t.number, "params": t.params,
                                                                   "objectives": t.values})
        outcome.best = list(best.values())
        outcome.trials = len(trials)
        store.write_meta(meta(sweep, points, outcome.invalid, outcome.excluded, trials=trials, best=outcome.best))
    outcome.wall_s = time.perf_counter() - t0
    return outcome


def constraint_values(sweep: Sweep, point, rows) -> dict[str, float]:
    """Every constraint side under a fixed name (optuna wants the same names on every trial);
    `valid` is 1 for a point the config rejects. Metric sides of a point not run count as met:
    its pre-run violation already makes it infeasible."""
    out = {"valid": 0.0 if point is not None else 1.0}
    run = sweep.spec.search.run
    for i, c in enumerate(sweep.spec.constraints):
        sides = [b for b in (c.min, c.max) if b is not None]
        if point is None:
            vals = [0.0] * len(sides)
        else:
            vals = violation(c, c.run or run, point.config["experiment"], point.derived, rows, config_method(point))
            if rows is None:
                vals = [0.0 if v == UNKNOWN else v for v in vals]
        out.update({f"constraints[{i}].{j}": v for j, v in enumerate(vals)})
    return out


def tell(study, trial, search, objective: list[float] | None, constraints: dict[str, float]) -> None:
    for key, v in constraints.items():
        trial.set_constraint(key, v)
    if objective is None:
        objective = [math.inf if o.goal == "minimize" else -math.inf for o in search.objectives]
    study.tell(trial, objective)


def config_method(point) -> str:
    return point.config["experiment"]["workload"]["method"]
