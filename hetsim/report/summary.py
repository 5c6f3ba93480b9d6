"""The run summary (JSON-ready): what was simulated, with which inputs, and every metric."""

from __future__ import annotations

import hetsim
from hetsim.provenance import weakest
from hetsim.runner import RunResult
from hetsim.scenario import Scenario


def scenario_fields(exp: Scenario, mode: str | None = None) -> dict:
    """What a summary says first: the experiment, its file and seed, hetsim's version, the system
    and the model (`mode` after the seed when given: the serving summary's "serving")."""
    head = {
        "experiment": exp.spec.name,
        "description": exp.spec.description,
        "config_file": exp.file,
        "hetsim_version": hetsim.__version__,
        "seed": exp.spec.seed,
    }
    if mode is not None:
        head["mode"] = mode
    return head | {
        "system": exp.system.model_dump(),
        "devices": {d: exp.device(d).name for d in exp.system.devices},
        "model": exp.model.name,
    }


def build_summary(exp: Scenario, runs: list[RunResult]) -> dict:
    w = exp.spec.workload
    return {
        **scenario_fields(exp),
        "workload": w.model_dump(),
        "units": "seconds, bytes, joules; *_frac in [0, 1]",
        "simulated": True,
        "notes": list(exp.notes),
        "provenance_weakest": weakest({r.metrics["provenance_weakest"] for r in runs}),
        "runs": [
            {"label": r.label, "method": r.method, "placement": r.placement, "warnings": r.warnings, **r.metrics}
            for r in runs
        ],
    }
