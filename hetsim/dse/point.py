"""A sweep point: one fully resolved experiment, its content key, and running it into result rows.

The key hashes the point's resolved config (with the catalogue entries it names), the
fingerprints of the calibration inputs it reads, the hetsim version and a fingerprint of hetsim's
own source: two points with the same key give the same rows, so the store computes each key once,
and a change to the code that computes them (a constant in a workload) makes new keys.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hetsim
from hetsim.dse.derived import InputPrints, canonical, sha
from hetsim.errors import CapacityError, HetsimError
from hetsim.runner import run_experiment
from hetsim.scenario import resolve_experiment

# metrics kept as JSON text in one column instead of one column per key
JSON_METRICS = ("provenance",)


@functools.cache
def source_fingerprint() -> str:
    """sha256 over the path and contents of every hetsim/**/*.py, read once per process (a sweep
    keys hundreds of points; the source does not change under a running sweep's feet)."""
    root = Path(hetsim.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class SweepPoint:
    id: str
    data: dict = field(hash=False, repr=False)  # the experiment mapping with this point's overrides
    file: str
    values: dict = field(hash=False)  # dotted path -> value, for every swept path
    labels: tuple[str, ...]
    config: dict = field(hash=False, repr=False)  # resolved config (what the key hashes)
    inputs: dict = field(hash=False, repr=False)  # device id -> calibration input fingerprint
    derived: dict = field(hash=False, repr=False)
    source: str = ""  # source_fingerprint() of the process that keyed it


def resolved_config(exp, method) -> dict:
    """Everything a run depends on, as plain JSON: the experiment (outputs aside: they only
    decide what is written) with method defaults filled and every catalogue name resolved."""
    spec = exp.spec.model_dump(mode="json", exclude={"outputs"})
    spec["workload"]["params"] = method.p.model_dump(mode="json")
    return {
        "experiment": spec,
        "system": exp.system.model_dump(mode="json"),
        "devices": {d: exp.device(d).model_dump(mode="json") for d in exp.system.devices},
        "links": {link.type: exp.catalogue.links[link.type].model_dump(mode="json") for link in exp.system.links},
        "model": exp.model.model_dump(mode="json"),
    }


def point_key(config: dict, inputs: dict, source: str) -> str:
    return sha(canonical({"config": config, "inputs": inputs, "hetsim": hetsim.__version__, "source": source}))


def run_labels(exp, method) -> tuple[str, ...]:
    """The labels `run_experiment` gives its runs, known before running."""
    return tuple(r.label for r in exp.runs)


def cell(value: Any) -> Any:
    """A Parquet-friendly scalar: lists and mappings become JSON text."""
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list | tuple) else value


def flatten(metrics: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and key not in JSON_METRICS:
            out.update(flatten(value, name + "."))
        else:
            out[name] = cell(value)
    return out


def config_columns(point: SweepPoint) -> dict[str, Any]:
    spec = point.config["experiment"]
    w = spec["workload"]
    cols = {
        "config.system": point.config["system"]["name"],
        **{f"config.workload.{k}": w[k] for k in ("method", "model", "context_tokens", "batch", "decode_tokens")},
        **{f"config.workload.params.{k}": cell(v) for k, v in w["params"].items()},
        "config.seed": spec["seed"],
    }
    cols.update({f"config.{k}": cell(v) for k, v in point.values.items() if k != "system" or isinstance(v, str)})
    return cols


def point_rows(point: SweepPoint, runs, note: str, wall_s: float) -> list[dict]:
    common = {
        "point_id": point.id,
        **config_columns(point),
        **{f"derived.{k}": v for k, v in point.derived.items()},
        "config_json": canonical(point.config),
        "inputs": canonical(point.inputs),
        "hetsim_version": hetsim.__version__,
        "hetsim_source": point.source,
        "wall_s": wall_s,
        "finished_at": time.time(),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
    if runs is None:  # did not fit or was rejected while running: one row per run it would have had
        return [{"label": label, "method": label.split("/")[0], "placement": label.split("/", 1)[1],
                 "status": "skipped", "note": note, **common} for label in point.labels]
    return [{"label": r.label, "method": r.method, "placement": r.placement, "status": "ok",
             "note": "; ".join(r.warnings), **common, **flatten(r.metrics)} for r in runs]


class InputsMismatch(HetsimError):
    """A worker reads different calibration inputs or hetsim source than the process that keyed the point."""


_WORKER_PRINTS: InputPrints | None = None  # per worker process: fingerprints of files it has read


def run_point(point: SweepPoint, catalogue) -> list[dict]:
    """Run one point where it lands (a pool process, a Ray worker): its rows, one per run."""
    global _WORKER_PRINTS
    _WORKER_PRINTS = _WORKER_PRINTS or InputPrints()
    t0 = time.perf_counter()
    exp = resolve_experiment(copy.deepcopy(point.data), point.file, catalogue)
    here = _WORKER_PRINTS.of(exp)
    if here != point.inputs:  # this long-lived process may have cached the files before they changed: read again
        _WORKER_PRINTS = InputPrints()
        here = _WORKER_PRINTS.of(exp)
    if here != point.inputs:
        changed = sorted(d for d in here if here[d] != point.inputs.get(d))
        raise InputsMismatch(f"the calibration inputs of {', '.join(changed)} differ between the sweep process and "
                             f"worker {socket.gethostname()} (point {point.id[:12]}): a profile changed while the "
                             "sweep ran (rerun: points are keyed on the files as they are then), or this node has "
                             "other files than the driver (give every node the same checkout)")
    try:
        runs, note = run_experiment(exp), ""
    except CapacityError as exc:
        runs, note = None, f"does not fit: {exc.message}"
    except HetsimError as exc:  # deterministic for this config, so it is stored, not retried
        runs, note = None, f"rejected: {exc.message}"
    return point_rows(point, runs, note, time.perf_counter() - t0)
