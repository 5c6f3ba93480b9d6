"""Running an experiment: for each placement (and the baseline), the prefill and every decode
step through the engine, aggregated into metrics. A run is a pure function of the experiment
(config, calibration profiles, seed)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from hetsim.config.load import Experiment
from hetsim.errors import CapacityError
from hetsim.placement import Placement, resolve
from hetsim.provenance import ProvenanceLog
from hetsim.sim.engine import Record, StepDag, StepSimulator
from hetsim.sim.lowering import compute_task, lower_layer
from hetsim.sim.machine import Machine
from hetsim.workloads import models as llm
from hetsim.workloads.base import Method
from hetsim.workloads.registry import build_method

MEMORY_STEPS = ("prepare", "relevancy", "retrieval", "relevancy+retrieval")
GB = 1e9


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


def memory_fit(exp: Experiment, machine: Machine, method: Method, p: Placement) -> tuple[Placement, list[str]]:
    """Check the KV cache, weights and index fit where they live. The GPU must hold weights and
    KV cache (an error if not); an FPGA that cannot hold the index makes the placement fall back
    to GPU-only for the memory steps, and the results say so."""
    w, m = exp.spec.workload, exp.model
    tokens = w.context_tokens + w.decode_tokens
    index = method.index_bytes_per_layer(w.batch, tokens) * m.layers
    need = {p.model: llm.weight_bytes(m) + llm.kv_bytes_per_token(m) * w.batch * tokens}
    warnings: list[str] = []
    rel = p.steps["relevancy"]
    if index and machine.kind(rel) == "fpga":
        cap = machine.models[rel].memory_bytes
        if index > cap:
            warnings.append(
                f"placement {p.name}: the index ({index / GB:.1f} GB) exceeds {rel}'s memory "
                f"({cap / GB:.1f} GB): fell back to GPU-only for the memory-processing steps")
            p = Placement(p.name + " (fallback gpu-only)", p.model, dict.fromkeys(p.steps, p.model), 1)
    if index:
        need[p.steps["relevancy"]] = need.get(p.steps["relevancy"], 0) + index
    for dev, nbytes in need.items():
        cap = machine.models[dev].memory_bytes
        if nbytes > cap:
            msg = (f"placement {p.name}: {dev} ({machine.models[dev].name}) needs {nbytes / GB:.1f} GB "
                   f"(weights, KV cache of {w.batch} x {tokens} tokens, index) but has {cap / GB:.1f} GB")
            if exp.spec.simulation.memory_check == "error":
                raise CapacityError(msg + "; lower batch or context, or set simulation.memory_check: warn",
                                    file=exp.file, field="workload")
            warnings.append(msg + " (memory_check: warn, simulated anyway)")
    return p, warnings


def build_dag(machine, method: Method, p: Placement, phase: str, context: int, n_layers: int) -> StepDag:
    m = method.model
    mb = method.workload.batch // p.micro_batches
    tokens = mb * context if phase == "prefill" else mb
    pre, post = llm.pre_attention_ops(m, tokens), llm.post_attention_ops(m, tokens)
    kinds = tuple(method.layer_kind(i) for i in range(n_layers))
    templates = {}
    for kind in sorted(set(kinds)):
        work = (method.prefill_layer if phase == "prefill" else method.decode_layer)(kind, mb, context)
        templates[kind] = tuple(lower_layer(machine, p, work, pre, post, method.name))
    tail = (compute_task(machine, "lm_head", "model", p.model, llm.lm_head_ops(m, mb), ("post",)),)
    return StepDag(kinds, templates, tail, p.micro_batches)


def run_placement(exp: Experiment, method: Method, placement: Placement, label: str) -> RunResult:
    log = ProvenanceLog()
    machine = Machine(exp, log)
    placement, warnings = memory_fit(exp, machine, method, placement)
    w = exp.spec.workload
    sim, acc = StepSimulator(), Accumulator()
    result = RunResult(label, method.name, placement.name, {}, warnings=warnings)
    keep = exp.spec.outputs.trace_decode_steps

    prefill = build_dag(machine, method, placement, "prefill", w.context_tokens, exp.model.layers)
    run = sim.run(prefill, keep_records=True)
    acc.add_dag(prefill)
    result.records += [("prefill", -1, 0.0, r) for r in run.records or []]
    ttft = run.makespan
    prefill_busy = dict(acc.busy)

    decode_acc = Accumulator()
    now, step_times = ttft, []
    for t in range(w.decode_tokens):
        context = w.context_tokens + t + 1
        dag = build_dag(machine, method, placement, "decode", context, exp.model.layers)
        run = sim.run(dag, keep_records=t < keep)
        if t < keep:
            result.records += [("decode", t, now, r) for r in run.records or []]
        decode_acc.add_dag(dag)
        step_times.append(run.makespan)
        result.step_rows.append({"token": t, "context_tokens": context, "start_s": now, "step_s": run.makespan})
        now += run.makespan

    e2e = now
    total = Accumulator()
    for a in (acc, decode_acc):
        for attr in ("busy", "step_time", "energy", "link_bytes"):
            for k, v in getattr(a, attr).items():
                getattr(total, attr)[k] += v
        total.link_energy += a.link_energy

    result.metrics = metrics(exp, machine, placement, log, ttft, np.array(step_times), e2e, total,
                             decode_acc, prefill_busy, sim)
    return result


def metrics(exp, machine, placement, log, ttft, steps, e2e, total, decode, prefill_busy, sim) -> dict:
    w = exp.spec.workload
    n_tok = w.decode_tokens
    per_token = {k: v / n_tok for k, v in sorted(decode.step_time.items())}
    step_sum = sum(per_token.values()) or 1.0
    energy_dev = {}
    for dev_id, model in machine.models.items():
        idle = model.idle_w * e2e
        energy_dev[dev_id] = {"idle_j": idle, "active_j": total.energy.get(dev_id, 0.0),
                              "total_j": idle + total.energy.get(dev_id, 0.0)}
    energy_total = sum(d["total_j"] for d in energy_dev.values()) + total.link_energy
    decode_energy = sum(m.idle_w for m in machine.models.values()) * float(steps.sum()) + sum(
        decode.energy.values()) + decode.link_energy
    return {
        "ttft_s": ttft,
        "tpot_s": float(steps.mean()),
        "tpot_p50_s": float(np.median(steps)),
        "tpot_max_s": float(steps.max()),
        "e2e_s": e2e,
        "decode_tokens_per_s": w.batch * n_tok / float(steps.sum()),
        "step_time_per_token_s": per_token,
        "step_share": {k: v / step_sum for k, v in per_token.items()},
        "memory_processing_share": sum(v for k, v in per_token.items() if k in MEMORY_STEPS) / step_sum,
        "device_busy_frac": {r: b / e2e for r, b in sorted(total.busy.items())
                             if r.partition(":")[0] in machine.models},
        "link_busy_frac": {r: b / e2e for r, b in sorted(total.busy.items())
                           if r.partition(":")[0] not in machine.models},
        "link_bytes": dict(sorted(total.link_bytes.items())),
        "energy_j": energy_total,
        "energy_by_device_j": energy_dev,
        "link_energy_j": total.link_energy,
        "energy_per_request_j": energy_total / w.batch,
        "energy_per_token_j": decode_energy / (w.batch * n_tok),
        "placement_devices": {"model": placement.model, **placement.steps},
        "micro_batches": placement.micro_batches,
        "provenance_weakest": log.weakest(),
        "provenance": log.by_grade(),
        "calibration_profiles": machine.profiles,
        "sim": {"steps_simulated": sim.simulated, "steps_reused": sim.reused, "events": sim.events},
    }


def run_experiment(exp: Experiment) -> list[RunResult]:
    w = exp.spec.workload
    method = build_method(w, exp.model, exp.file)
    runs = []
    for i, item in enumerate(exp.placements):
        p = resolve(exp, item, f"placements[{i}]")
        runs.append(run_placement(exp, method, p, f"{method.name}/{p.name}"))
    if exp.spec.baseline and exp.spec.baseline != method.name:
        base = build_method(w, exp.model, exp.file, method=exp.spec.baseline)
        runs.append(run_placement(exp, base, resolve(exp, "gpu-only", "baseline"), f"{base.name}/gpu-only"))
    reference = next((r for r in runs if r.placement == "gpu-only" and r.method == method.name), None)
    for r in runs:
        if reference is not None:
            r.metrics["speedup_vs_gpu_only"] = reference.metrics["e2e_s"] / r.metrics["e2e_s"]
            r.metrics["tpot_speedup_vs_gpu_only"] = reference.metrics["tpot_s"] / r.metrics["tpot_s"]
            r.metrics["energy_ratio_vs_gpu_only"] = r.metrics["energy_j"] / reference.metrics["energy_j"]
    return runs
