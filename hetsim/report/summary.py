"""The run summary (JSON-ready): what was simulated, with which inputs, and every metric."""

from __future__ import annotations

import hetsim
from hetsim.provenance import weakest
from hetsim.runner import RunResult
from hetsim.scenario import Scenario


def build_summary(exp: Scenario, runs: list[RunResult]) -> dict:
    w = exp.spec.workload
    return {
        "experiment": exp.spec.name,
        "description": exp.spec.description,
        "config_file": exp.file,
        "hetsim_version": hetsim.__version__,
        "seed": exp.spec.seed,
        "system": exp.system.model_dump(),
        "devices": {d: exp.device(d).name for d in exp.system.devices},
        "model": exp.model.name,
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
