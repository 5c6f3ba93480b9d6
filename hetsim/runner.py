"""Running an experiment: for each placement (and the baseline), the prefill and every decode
step through the engine, aggregated into metrics. A run is a pure function of the experiment
(config, calibration profiles, seed)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from hetsim.errors import ConfigError
from hetsim.placement import Placement
from hetsim.provenance import ProvenanceLog
from hetsim.scenario import PlannedRun, Scenario
from hetsim.sim.engine import Record, StepDag, StepSimulator
from hetsim.sim.lowering import compute_task, lower_layer
from hetsim.sim.machine import Machine
from hetsim.workloads import models as llm
from hetsim.workloads.base import Decode, Method, Phase, Steps

MEMORY_STEPS = ("prepare", "relevancy", "retrieval", "relevancy+retrieval")
DAG_CACHE_ENTRIES = 4096  # lowered steps kept for reuse; bounds memory on very long decodes
MAX_TRACED_PHASES = 4  # prefill / request-step phases kept op by op in the trace


@dataclass
class RunResult:
    label: str
    method: str
    placement: str
    metrics: dict
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


def merged(*accs: Accumulator) -> Accumulator:
    total = Accumulator()
    for a in accs:
        for attr in ("busy", "step_time", "energy", "link_bytes"):
            for k, v in getattr(a, attr).items():
                getattr(total, attr)[k] += v
        total.link_energy += a.link_energy
    return total


def _shares(step_time: dict[str, float]) -> tuple[dict[str, float], float]:
    total = sum(step_time.values()) or 1.0
    shares = {k: v / total for k, v in sorted(step_time.items())}
    return shares, sum(v for k, v in shares.items() if k in MEMORY_STEPS)


def used_devices(machine: Machine, placement: Placement, total: Accumulator) -> set[str]:
    """Devices a run uses: where its placement puts the LLM or a step, and any engine that worked."""
    busy = {r.partition(":")[0] for r, b in total.busy.items() if b > 0}
    return {placement.model, *placement.steps.values()} | (busy & set(machine.models))


def provenance_of(log: ProvenanceLog, machine: Machine, charged: set[str], total: Accumulator) -> ProvenanceLog:
    """The hardware figures a run rests on: a device or link it does not use is not one of them."""
    keep = {machine.models[d].name for d in charged}
    keep |= {machine.exp.device(d).host_link for d in charged}
    keep |= {link.spec.name for link in machine.links if any(r.startswith(f"{link.id}:") for r in total.busy)}
    drop = ({m.name for m in machine.models.values()} | {link.spec.name for link in machine.links}) - keep
    out = ProvenanceLog()
    out.used = {k: v for k, v in log.used.items() if not any(k.startswith(f"{name}.") for name in drop)}
    return out


def metrics(exp, machine, placement, log, ttft, steps, e2e, before, after, sim) -> dict:
    w = exp.spec.workload
    total = merged(before, after)
    n_out = max(len(steps), 1)
    per_token = {k: v / n_out for k, v in sorted(after.step_time.items())}
    share, mp_share = _shares(after.step_time)
    share_total, mp_share_total = _shares(total.step_time)
    used = used_devices(machine, placement, total)
    charged = set(machine.models) if exp.spec.simulation.idle_power == "all" else used
    idle_w = {d: m.idle_w if d in charged else 0.0 for d, m in machine.models.items()}
    energy_dev = {d: {"idle_j": idle_w[d] * e2e, "active_j": total.energy.get(d, 0.0),
                      "total_j": idle_w[d] * e2e + total.energy.get(d, 0.0), "used": d in used}
                  for d in machine.models}
    energy_total = sum(d["total_j"] for d in energy_dev.values()) + total.link_energy
    decode_s = e2e - ttft
    decode_energy = sum(idle_w.values()) * decode_s + sum(after.energy.values()) + after.link_energy
    log = provenance_of(log, machine, charged, total)
    return {
        "ttft_s": ttft,
        "tpot_s": decode_s / n_out,
        "tpot_p50_s": float(np.median(steps)) if len(steps) else 0.0,
        "tpot_max_s": float(steps.max()) if len(steps) else 0.0,
        "e2e_s": e2e,
        "output_tokens": len(steps),
        "decode_tokens_per_s": w.batch * len(steps) / decode_s if decode_s > 0 else 0.0,
        "step_time_per_token_s": per_token,
        "step_share": share,
        "memory_processing_share": mp_share,
        "step_time_total_s": dict(sorted(total.step_time.items())),
        "step_share_total": share_total,
        "memory_processing_share_total": mp_share_total,
        "device_busy_frac": {r: b / e2e for r, b in sorted(total.busy.items())
                             if r.partition(":")[0] in machine.models},
        "link_busy_frac": {r: b / e2e for r, b in sorted(total.busy.items())
                           if r.partition(":")[0] not in machine.models},
        "link_bytes": dict(sorted(total.link_bytes.items())),
        "energy_j": energy_total,
        "energy_by_device_j": energy_dev,
        "link_energy_j": total.link_energy,
        "energy_per_request_j": energy_total / w.batch,
        "energy_per_token_j": decode_energy / (w.batch * n_out),
        "placement_devices": {"model": placement.model, **placement.steps},
        "micro_batches": placement.micro_batches,
        "provenance_weakest": log.weakest(),
        "provenance": log.by_grade(),
        "calibration_profiles": machine.profiles,
        "sim": {"steps_simulated": sim.simulated, "steps_reused": sim.reused, "events": sim.events},
    }


def run_experiment(exp: Scenario) -> list[RunResult]:
    """Every planned run of a scenario, with speedups against its GPU-only run of the method."""
    runs = [run_placement(exp, planned) for planned in exp.runs]
    reference = next((r for r in runs if r.placement == "gpu-only" and r.method == exp.method.name), None)
    for r in runs:
        if reference is not None:
            r.metrics["speedup_vs_gpu_only"] = reference.metrics["e2e_s"] / r.metrics["e2e_s"]
            r.metrics["tpot_speedup_vs_gpu_only"] = reference.metrics["tpot_s"] / r.metrics["tpot_s"]
            r.metrics["energy_ratio_vs_gpu_only"] = r.metrics["energy_j"] / reference.metrics["energy_j"]
    return runs
