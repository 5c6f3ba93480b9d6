"""Running an experiment: for each placement (and the baseline), the prefill and every decode
step through the engine, aggregated into metrics. A run is a pure function of the experiment
(config, calibration profiles, seed)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from hetsim.calibration.band import bands
from hetsim.provenance import ProvenanceLog
from hetsim.report.metrics import RunMetrics
from hetsim.report.metrics import compute_metrics as metrics
from hetsim.scenario import PlannedRun, Scenario
from hetsim.sim.engine import Record
from hetsim.sim.phases import walk_phases


@dataclass
class RunResult:
    label: str
    method: str
    placement: str
    metrics: RunMetrics
    records: list[tuple[str, int, float, Record]] = field(default_factory=list)  # (phase, token, t0, rec)
    iteration_rows: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def run_placement(exp: Scenario, planned: PlannedRun) -> RunResult:
    """One planned run (a method under a placement that `hetsim.scenario` checked and fitted)."""
    method, placement, label, warnings = planned.method, planned.placement, planned.label, list(planned.warnings)
    log = ProvenanceLog()
    machine = exp.machine(log)
    walk = walk_phases(machine, method, placement, exp.spec.outputs.trace_decode_steps, exp.spec.seed)
    run_metrics = metrics(exp, machine, placement, log, walk.ttft, np.array(walk.out_steps), walk.e2e,
                          walk.before, walk.after, walk.sim)
    return RunResult(label, method.name, placement.name, run_metrics, walk.records, walk.iteration_rows, warnings)


def run_experiment(exp: Scenario) -> list[RunResult]:
    """Every planned run of a scenario, with speedups against its GPU-only run of the method and,
    where a GPU has several calibrations, each run's band over them (hetsim.calibration.band)."""
    runs = [run_placement(exp, planned) for planned in exp.runs]
    add_bands(exp, runs)
    reference = next((r for r in runs if r.placement == "gpu-only" and r.method == exp.method.name), None)
    if reference is not None:
        ref = reference.metrics
        for r in runs:
            m = r.metrics
            r.metrics = replace(m, speedup_vs_gpu_only=ref.e2e_s / m.e2e_s,
                                tpot_speedup_vs_gpu_only=ref.tpot_s / m.tpot_s,
                                energy_ratio_vs_gpu_only=m.energy_j / ref.energy_j)
    return runs


def add_bands(exp: Scenario, runs: list[RunResult]) -> None:
    """Each run's TTFT / TPOT / energy band: the run again with each further calibration of its
    GPUs (`Scenario.calibration_sets`). Where there is none to vary, nothing is re-run and no band
    key is added (the table then says "one calibration" from the run's calibration profiles)."""
    variants = [replace(exp, inputs=inputs) for inputs in exp.calibration_sets]
    for i, r in enumerate(runs):
        if variants:
            values = [r.metrics] + [run_placement(v, v.runs[i]).metrics for v in variants]
            r.metrics = replace(r.metrics, **bands(values), calibration_band=exp.band_note)
