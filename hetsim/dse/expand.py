"""Reading a sweep file and turning it into points, checking everything a user can get wrong
before any point runs: unknown paths, empty or unequal axes, conflicting constraints, points the
config rejects, constraints that exclude every point."""

from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from hetsim.config.load import Catalogue, configs_root, read_yaml, validate
from hetsim.dse import goals
from hetsim.dse.derived import InputPrints, derived
from hetsim.dse.paths import check_path, set_path
from hetsim.dse.point import SweepPoint, point_key, resolved_config, run_labels, source_fingerprint
from hetsim.dse.spec import ChoiceDist, FloatDist, GridAxes, IntDist, RandomAxes, SweepSpec, ZipAxes
from hetsim.errors import CapacityError, ConfigError, HetsimError
from hetsim.outdir import check_name
from hetsim.scenario import resolve_experiment
from hetsim.workloads.registry import METHODS


class DoesNotFit(ConfigError):
    """A point whose memory does not fit its devices: skipped and counted, never a reason to stop."""


@dataclass
class Sweep:
    spec: SweepSpec
    file: str
    name: str
    base: dict  # the base experiment mapping, `set` applied
    base_file: str
    catalogue: Catalogue
    method_params: dict[str, set[str]] = field(default_factory=dict)
    written_at: dict[str, str] = field(default_factory=dict)  # dotted path -> where the sweep file sets it

    def default_out(self) -> Path:
        return Path(self.spec.out) if self.spec.out else Path("results") / "sweeps" / self.name


@dataclass
class Expansion:
    points: list[SweepPoint]  # in sweep order; a key may repeat when two combinations resolve alike
    invalid: list[tuple[dict, str]]  # (values, why) of combinations the config rejects (invalid: skip)
    excluded: list[tuple[dict, str]]  # (values, constraint) of points a pre-run constraint rules out
    too_big: list[tuple[dict, str]] = field(default_factory=list)  # (values, why) of points that do not fit


def _base(spec: SweepSpec, file: str) -> tuple[dict, str]:
    if isinstance(spec.base, dict):
        return copy.deepcopy(spec.base), f"{file} (base)"
    ref = Path(spec.base)
    if ref.suffix in (".yaml", ".yml") or len(ref.parts) > 1:
        path = ref if ref.is_absolute() else Path(file).parent / ref
    else:
        path = configs_root() / "experiments" / f"{spec.base}.yaml"
    return read_yaml(path), str(path)


def swept_paths(spec: SweepSpec) -> list[tuple[str, str]]:
    """(dotted path, where it is written) for every path the sweep sets."""
    out = [(p, f"set.{p}") for p in spec.fixed]
    for i, axis in enumerate(spec.axes or []):
        if isinstance(axis, RandomAxes):
            out += [(p, f"axes[{i}].random.space.{p}") for p in axis.random.space]
        else:
            kind = "grid" if isinstance(axis, GridAxes) else "zip"
            out += [(p, f"axes[{i}].{kind}.{p}") for p in getattr(axis, kind)]
    if spec.search:
        out += [(p, f"search.space.{p}") for p in spec.search.space]
    return out


def _methods(spec: SweepSpec, base: dict) -> set[str]:
    methods = {base.get("workload", {}).get("method")}
    for axis in spec.axes or []:
        if isinstance(axis, RandomAxes):
            d = axis.random.space.get("workload.method")
            methods |= set(d.choice) if isinstance(d, ChoiceDist) else set()
        else:
            methods |= set(getattr(axis, "grid" if isinstance(axis, GridAxes) else "zip").get("workload.method", []))
    if spec.search and isinstance(spec.search.space.get("workload.method"), ChoiceDist):
        methods |= set(spec.search.space["workload.method"].choice)
    return {m for m in methods if isinstance(m, str)}


def load_sweep(path: Path, catalogue: Catalogue | None = None) -> Sweep:
    """Read and check a sweep file (nothing runs)."""
    return build_sweep(read_yaml(Path(path)), str(path), catalogue)


def build_sweep(data: dict, file: str, catalogue: Catalogue | None = None) -> Sweep:
    """Check a sweep given as a mapping; `file` names it in errors and anchors a relative base."""
    spec = validate(SweepSpec, data, file)
    catalogue = catalogue or Catalogue.load()
    base, base_file = _base(spec, file)
    params = {m: set(METHODS[m].Params.model_fields) for m in _methods(spec, base) if m in METHODS}
    seen: dict[str, str] = {}
    for dotted, where in swept_paths(spec):
        check_path(dotted, where, file, params)
        if dotted in seen:
            raise ConfigError(f"{dotted!r} is set twice (also at {seen[dotted]}): give each path one place",
                              file=file, field=where)
        seen.setdefault(dotted, where)
    for i, axis in enumerate(spec.axes or []):
        _check_axis(axis, f"axes[{i}]", file)
    default_run = spec.search.run if spec.search else None
    goals.check_constraints(spec.constraints, default_run, file, params)
    if spec.search:
        goals.check_objectives(spec.search.objectives, default_run, file, params)
        for p, d in spec.search.space.items():
            if isinstance(d, ChoiceDist) and not all(isinstance(c, str | int | float | bool) for c in d.choice):
                raise ConfigError("a search choice takes plain values (numbers, strings); enumerate structured "
                                  "values with axes instead", file=file, field=f"search.space.{p}")
    for dotted, value in spec.fixed.items():
        _set(base, dotted, value, catalogue, file, f"set.{dotted}")
    _check_settable(spec, base, catalogue, file, seen)
    # the name is the folder of the default results (results/sweeps/NAME): one plain component
    name = check_name(spec.name or Path(file).stem, file=file,
                      field="name" if spec.name else "name (default: the file name; set name: to choose one)")
    return Sweep(spec, file, name, base, base_file, catalogue, params, seen)


def _first_value(spec: SweepSpec, dotted: str) -> Any:
    for axis in spec.axes or []:
        if isinstance(axis, RandomAxes):
            if dotted in axis.random.space:
                return _first_of(axis.random.space[dotted])
        elif dotted in (block := getattr(axis, "grid" if isinstance(axis, GridAxes) else "zip")):
            return block[dotted][0]
    return _first_of(spec.search.space[dotted])


def _first_of(dist) -> Any:
    return dist.choice[0] if isinstance(dist, ChoiceDist) else dist.bounds[0]


def _check_settable(spec: SweepSpec, base: dict, catalogue, file: str, written_at: dict[str, str]) -> None:
    """Every swept path can be set in the base (a list index in range, no name where a mapping is
    needed): a path that cannot is wrong for every point, so it is reported once, at load."""
    trial = copy.deepcopy(base)
    for dotted in sorted((p for p in written_at if p not in spec.fixed), key=lambda p: p.count(".")):
        _set(trial, dotted, _first_value(spec, dotted), catalogue, file, written_at[dotted])


def _check_axis(axis, where: str, file: str) -> None:
    if isinstance(axis, RandomAxes):
        if not axis.random.space:
            raise ConfigError("random axes need at least one path in space", file=file, field=f"{where}.random.space")
        return
    kind = "grid" if isinstance(axis, GridAxes) else "zip"
    values = getattr(axis, kind)
    if not values:
        raise ConfigError(f"empty {kind}: give at least one path and its values", file=file, field=f"{where}.{kind}")
    for p, vs in values.items():
        if not vs:
            raise ConfigError("no values: an axis needs at least one", file=file, field=f"{where}.{kind}.{p}")
    lengths = {p: len(vs) for p, vs in values.items()}
    if isinstance(axis, ZipAxes) and len(set(lengths.values())) > 1:
        listing = ", ".join(f"{p}: {n}" for p, n in lengths.items())
        raise ConfigError(f"zip lists differ in length ({listing}); zipped lists go together value by value",
                          file=file, field=f"{where}.zip")


def _set(data: dict, dotted: str, value: Any, catalogue, file: str, where: str) -> None:
    try:
        set_path(data, dotted, value, catalogue)
    except (IndexError, ValueError) as exc:
        raise ConfigError(f"cannot set {dotted!r}: {exc}", file=file, field=where) from None
    except ConfigError as exc:
        raise ConfigError(exc.message, file=file, field=where) from None


def sample(dist, rng: np.random.Generator) -> Any:
    if isinstance(dist, ChoiceDist):
        return dist.choice[int(rng.integers(len(dist.choice)))]
    low, high = dist.bounds
    if isinstance(dist, FloatDist):
        return float(math.exp(rng.uniform(math.log(low), math.log(high))) if dist.log else rng.uniform(low, high))
    assert isinstance(dist, IntDist)
    x = math.exp(rng.uniform(math.log(low), math.log(high + 1))) if dist.log else rng.uniform(low, high + 1)
    return int(min(high, low + (int(x) - low) // dist.step * dist.step))


def combinations(spec: SweepSpec) -> list[dict[str, Any]]:
    """Every combination of axis values: blocks multiply; within a block, grid multiplies, zip
    pairs, random draws `samples` from a seeded generator."""
    blocks: list[list[dict]] = []
    for axis in spec.axes or []:
        if isinstance(axis, GridAxes):
            keys = list(axis.grid)
            blocks.append([dict(zip(keys, vs, strict=True)) for vs in itertools.product(*axis.grid.values())])
        elif isinstance(axis, ZipAxes):
            keys = list(axis.zip)
            blocks.append([dict(zip(keys, vs, strict=True)) for vs in zip(*axis.zip.values(), strict=True)])
        else:
            rng = np.random.default_rng(axis.random.seed)
            blocks.append([{p: sample(d, rng) for p, d in axis.random.space.items()}
                           for _ in range(axis.random.samples)])
    return [{k: v for part in combo for k, v in part.items()} for combo in itertools.product(*blocks)]


def describe(values: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in values.items()) or "(the base experiment)"


def make_point(sweep: Sweep, values: dict, prints: InputPrints) -> SweepPoint:
    """Resolve one combination into a point; ConfigError (naming the combination) if rejected."""
    data = copy.deepcopy(sweep.base)
    data.setdefault("outputs", {})
    data["outputs"] = {**data["outputs"], "write": False, "trace_decode_steps": 0}  # rows only
    where = f"point {describe(values)}"
    for dotted in sorted(values, key=lambda p: p.count(".")):  # `system` before `system.links.0.type`
        _set(data, dotted, values[dotted], sweep.catalogue, sweep.file, sweep.written_at.get(dotted, where))
    try:
        exp = resolve_experiment(data, sweep.base_file, sweep.catalogue)
        method = exp.method
    except CapacityError as exc:
        raise DoesNotFit(f"{exc.render()} (at {where})", file=sweep.file) from None
    except HetsimError as exc:
        raise ConfigError(f"{exc.render()} (at {where})", file=sweep.file) from None
    config, inputs, source = resolved_config(exp, method), prints.of(exp), source_fingerprint()
    return SweepPoint(point_key(config, inputs, source), data, sweep.base_file, dict(values), run_labels(exp, method),
                      config, inputs, derived(exp, method, prints, sweep.spec.prices), source)


def check_runs(sweep: Sweep, point: SweepPoint) -> None:
    """Every run selector of the sweep names exactly one run of the point."""
    spec = sweep.spec
    default_run = spec.search.run if spec.search else None
    method = point.config["experiment"]["workload"]["method"]
    wanted = [(f"constraints[{i}]", c.run or default_run) for i, c in enumerate(spec.constraints)
              if goals.kind(c.quantity) == "metric" or any(isinstance(b, str) and goals.kind(b) == "metric"
                                                            for b in (c.min, c.max))]
    if spec.search:
        wanted += [(f"search.objectives[{i}]", o.run or default_run) for i, o in enumerate(spec.search.objectives)]
    for where, selector in wanted:
        if selector and goals.select_run(point.labels, method, selector) is None:
            raise ConfigError(f"run {selector!r} is not a run of point {describe(point.values)} "
                              f"(runs: {', '.join(point.labels)})", file=sweep.file, field=where)
    for c in goals.pre_run(spec.constraints):
        for q in (c.quantity, c.min, c.max):
            if isinstance(q, str) and goals.kind(q) == "derived" and point.derived.get(q[len("derived."):]) is None:
                raise ConfigError(f"{q} is not known for point {describe(point.values)} (no FPGA, no FPGA kernel, or "
                                  "a device without a price)", file=sweep.file, field="constraints")


def excluded_by(sweep: Sweep, point: SweepPoint) -> str | None:
    """The first pre-run constraint the point breaks, described; None if it passes them all."""
    method = point.config["experiment"]["workload"]["method"]
    for i, c in enumerate(goals.pre_run(sweep.spec.constraints)):
        if goals.satisfied(c, None, point.config["experiment"], point.derived, None, method) is False:
            bounds = " ".join(x for x in (f"{c.min} <=" if c.min is not None else "", c.quantity,
                                           f"<= {c.max}" if c.max is not None else "") if x)
            return f"constraints[{i}] ({bounds}){': ' + c.why if c.why else ''}"
    return None


def expand_sweep(sweep: Sweep, prints: InputPrints | None = None) -> Expansion:
    """Every point of an axes sweep, in order, with the combinations the config rejects (`invalid:
    skip`) and those a pre-run constraint excludes; ConfigError when nothing is left to run."""
    prints = prints or InputPrints()
    out = Expansion([], [], [])
    for values in combinations(sweep.spec):
        try:
            point = make_point(sweep, values, prints)
        except DoesNotFit as exc:
            out.too_big.append((values, exc.message))
            continue
        except ConfigError as exc:
            if sweep.spec.invalid == "error":
                raise ConfigError(exc.message + " - fix it, or set `invalid: skip` to skip such points",
                                  file=exc.file, field=exc.field) from None
            out.invalid.append((values, exc.message))
            continue
        check_runs(sweep, point)
        why = excluded_by(sweep, point)
        if why:
            out.excluded.append((values, why))
        else:
            out.points.append(point)
    if not out.points:
        reasons = out.excluded[:1] or out.invalid[:1] or out.too_big[:1]
        hint = f" (e.g. {describe(reasons[0][0])}: {reasons[0][1]})" if reasons else ""
        raise ConfigError(f"no point left to run: {len(out.invalid)} rejected by the config, {len(out.excluded)} "
                          f"excluded by constraints, {len(out.too_big)} do not fit{hint}", file=sweep.file)
    return out
