"""Running an experiment: for each placement (and the baseline), the prefill and every decode
step through the engine, aggregated into metrics. A run is a pure function of the experiment
(config, calibration profiles, seed)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

import numpy as np

from hetsim.errors import ConfigError
from hetsim.placement import Placement
from hetsim.provenance import ProvenanceLog
from hetsim.report.metrics import RunMetrics
from hetsim.report.metrics import compute_metrics as metrics
from hetsim.scenario import PlannedRun, Scenario
from hetsim.sim.engine import Record, StepDag, StepSimulator
from hetsim.sim.lowering import compute_task, lower_layer
from hetsim.workloads import models as llm
from hetsim.workloads.base import Decode, Method, Phase, Steps

DAG_CACHE_ENTRIES = 4096  # lowered steps kept for reuse; bounds memory on very long decodes
MAX_TRACED_PHASES = 4  # prefill / request-step phases kept op by op in the trace


@dataclass
class RunResult:
    label: str
    method: str
    placement: str
    metrics: RunMetrics | None
    records: list[tuple[str, int, float, Record]] = field(default_factory=list)  # (phase, token, t0, rec)
    step_rows: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Accumulator:
    busy: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    step_time: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    energy: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    link_bytes: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    link_energy: float = 0.0

    def add(self, tasks, count: int) -> None:
        for t in tasks:
            for r in t.resources:
                self.busy[r] += t.duration * count
            self.step_time[t.step] += t.duration * count
            self.energy[t.device] += t.energy_j * count
            for link, nbytes in t.link_bytes:
                self.link_bytes[link] += nbytes * count
            self.link_energy += t.link_energy_j * count

    def add_dag(self, dag: StepDag) -> None:
        counts: dict[str, int] = defaultdict(int)
        for k in dag.layer_kinds:
            counts[k] += dag.micro_batches
        for kind, n in counts.items():
            self.add(dag.templates[kind], n)
        self.add(dag.tail, dag.micro_batches)


def build_dag(machine, method: Method, p: Placement, phase: Phase) -> StepDag:
    """One barrier-separated step of a phase (a prefill, one decode token, or request steps)."""
    m, mb = method.model, method.workload.batch // p.micro_batches
    if isinstance(phase, Steps):
        tasks = lower_layer(machine, p, phase.work, (), (), method.name)
        return StepDag(("steps",), {"steps": tuple(tasks)}, (), p.micro_batches)
    role, device = phase.role, p.device_of(phase.role)
    try:
        pre, post = method.model_ops(machine.kind(device), mb * phase.step_tokens)
    except ValueError as exc:
        raise ConfigError(str(exc), file=machine.exp.file, field="placements") from None
    kinds = tuple(method.layer_kind(i) for i in range(m.layers))
    templates = {}
    for kind in sorted(set(kinds)):
        work = method.phase_layer(phase, kind, mb)
        templates[kind] = tuple(lower_layer(machine, p, work, pre, post, method.name, device, role))
    tail = ()
    if machine.kind(device) == "gpu":
        tail = (compute_task(machine, "lm_head", role, device, llm.lm_head_ops(m, mb), ("post",)),)
    return StepDag(kinds, templates, tail, p.micro_batches)


def dag_key(step: Phase) -> tuple:
    """What a step's DAG depends on: its kind, role and sizes (a Steps phase: its work object)."""
    if isinstance(step, Steps):
        return ("steps", id(step.work))
    return (type(step).__name__, getattr(step, "role", "model"), step.tokens, step.context)


def expand(phase: Phase):
    """The barrier-separated steps of a phase: (token index, step) pairs."""
    if isinstance(phase, Decode):
        for t in range(phase.tokens):
            yield t, Decode(1, phase.context + t, phase.role, phase.label)
    else:
        yield -1, phase


def run_placement(exp: Scenario, planned: PlannedRun) -> RunResult:
    """One planned run (a method under a placement that `hetsim.scenario` checked and fitted)."""
    method, placement, label, warnings = planned.method, planned.placement, planned.label, list(planned.warnings)
    log = ProvenanceLog()
    machine = exp.machine(log)
    sim = StepSimulator()
    before, after = Accumulator(), Accumulator()  # before / after the first output token
    result = RunResult(label, method.name, placement.name, {}, warnings=warnings)
    keep_decode = exp.spec.outputs.trace_decode_steps
    phases = method.plan(np.random.default_rng(exp.spec.seed))
    now, ttft, out_steps, kept_other = 0.0, None, [], 0
    dags: dict[tuple, StepDag] = {}  # repeated steps (MemAgent's chunks) are lowered once
    for i, phase in enumerate(phases):
        output = isinstance(phase, Decode) and phase.role == "model"
        for token, step in expand(phase):
            if output and ttft is None:
                ttft = now
            keep = len(out_steps) < keep_decode if output else kept_other < MAX_TRACED_PHASES
            dag = dags.get(dag_key(step))
            if dag is None:
                if len(dags) >= DAG_CACHE_ENTRIES:
                    dags.clear()
                dag = dags[dag_key(step)] = build_dag(machine, method, placement, step)
            run = sim.run(dag, keep_records=keep)
            if keep:
                result.records += [(phase.label, token, now, r) for r in run.records or []]
                kept_other += not output
            (after if ttft is not None else before).add_dag(dag)
            if output:
                out_steps.append(run.makespan)
            context = getattr(step, "context", None)
            result.step_rows.append({"phase": i, "label": phase.label, "token": token, "context_tokens": context,
                                     "start_s": now, "step_s": run.makespan})
            now += run.makespan
    result.metrics = metrics(exp, machine, placement, log, now if ttft is None else ttft, np.array(out_steps),
                             now, before, after, sim)
    return result


def run_experiment(exp: Scenario) -> list[RunResult]:
    """Every planned run of a scenario, with speedups against its GPU-only run of the method."""
    runs = [run_placement(exp, planned) for planned in exp.runs]
    reference = next((r for r in runs if r.placement == "gpu-only" and r.method == exp.method.name), None)
    if reference is not None:
        ref = reference.metrics
        for r in runs:
            m = r.metrics
            r.metrics = replace(m, speedup_vs_gpu_only=ref.e2e_s / m.e2e_s,
                                tpot_speedup_vs_gpu_only=ref.tpot_s / m.tpot_s,
                                energy_ratio_vs_gpu_only=m.energy_j / ref.energy_j)
    return runs
