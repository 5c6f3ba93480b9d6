"""A serving experiment: for each planned run (a method under a placement), the requests served
at the configured arrivals and at each extra rate of `serving.rates_per_s`; the capacity search
(`hetsim.serving.capacity`) after them.
A run is a pure function of the scenario and its seed."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from hetsim.config.schema import ServingSpec
from hetsim.errors import ConfigError
from hetsim.provenance import ProvenanceLog
from hetsim.scenario import PlannedRun, Scenario
from hetsim.serving.capacity import Capacity, capacity_search, check_executor
from hetsim.serving.cost import IterationCost
from hetsim.serving.expert_parallel import ExpertParallel, ep_note
from hetsim.serving.kv_cache import BlockAllocator, KvCapacity, kv_capacity
from hetsim.serving.loop import RequestSteps, Served, serve
from hetsim.serving.metrics import ServingMetrics, compute, request_table
from hetsim.serving.parallel import Ring, shard_model
from hetsim.serving.prefix_cache import PrefixCache
from hetsim.serving.requests import Request, decode_retrievals, generate
from hetsim.serving.scheduler import POLICIES
from hetsim.sim.engine import IterationSimulator
from hetsim.sim.phases import build_dag
from hetsim.units import GB
from hetsim.workloads import models as llm
from hetsim.workloads.base import Prefill
from hetsim.workloads.base import RequestSteps as PlannedSteps
from hetsim.workloads.registry import build_method


@dataclass
class ServingResult:
    label: str
    method: str
    placement: str
    rate_per_s: float | None  # None: the configured arrivals
    metrics: ServingMetrics
    requests: pd.DataFrame
    iterations: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def requests_of(exp: Scenario, rate_per_s: float | None = None) -> list[Request]:
    return generate(exp.spec.serving.requests, exp.spec.seed, Path(exp.file).parent, rate_per_s)


def tp_gpus(exp: Scenario, planned: PlannedRun) -> tuple[str, ...]:
    """The GPUs one model instance spans: the placement's, then the system's next GPUs by id."""
    n = exp.spec.serving.tensor_parallel
    first = planned.placement.model
    others = [d for d in exp.system.devices if d != first and exp.device(d).kind == "gpu"]
    return (first, *others[: n - 1])


def capacity_of(exp: Scenario, planned: PlannedRun) -> KvCapacity:
    """One GPU's KV blocks (under tensor parallelism each holds 1/N of every block's heads)."""
    sv = exp.spec.serving
    dev = planned.placement.model
    m = shard_model(planned.method.model, sv.tensor_parallel)  # the method's: it may simulate fewer layers
    return kv_capacity(exp.device(dev).memory_gb.value * GB, sv.kv.memory_frac, llm.weight_bytes(m),
                       llm.kv_bytes_per_token(m), sv.kv.block_tokens, sv.kv.blocks)


class ServingRunner:
    """One planned run: its machine and its iteration prices, shared by every rate it serves."""

    def __init__(self, exp: Scenario, planned: PlannedRun) -> None:
        self.exp, self.planned = exp, planned
        self.sv: ServingSpec = exp.spec.serving
        self.machine = exp.machine(ProvenanceLog())
        method, ring, tp = planned.method, None, self.sv.tensor_parallel
        if tp > 1:
            method = build_method(exp.spec.workload, shard_model(exp.model, tp), exp.file, planned.method.name,
                                  gpu_arch=planned.method.gpu_arch)
            ring = Ring(tp_gpus(exp, planned), self.machine)
        ep = None
        if self.sv.expert_parallel is not None:
            ep = ExpertParallel(self.machine, planned.method.model, tp_gpus(exp, planned), self.sv.expert_parallel,
                                exp.spec.seed)
        self.cost = IterationCost(self.machine, method, planned.placement, self.sv.bucket_error, ring, ep)
        # off-GPU memory steps overlap other request groups' GPU work (hetsim.serving.memory_pipeline)
        self.cost.memory_groups = self.sv.memory_groups
        self.capacity = capacity_of(exp, planned)
        p = planned.placement
        used = {p.model, *p.steps.values(), *tp_gpus(exp, planned)}
        self.idle_w = sum(self.machine.models[d].idle_w for d in used)
        host = exp.system.host
        kv_token = self.capacity.bytes_per_token
        out_route, in_route = self.machine.route(p.model, host), self.machine.route(host, p.model)

        def swap_s(tokens_out: int, tokens_in: int) -> float:
            t = 0.0
            for route, tokens in ((out_route, tokens_out), (in_route, tokens_in)):
                if tokens:
                    t += sum(self.machine.segment_time_s(seg, tokens * kv_token) for seg in route)
            return t

        self.swap_s = swap_s
        self.steps, self.extra_prompt, later = request_steps(self.machine, planned)
        # a RAG method's retrievals during decode (its trigger, or serving.decode_retrievals'): each
        # pauses the request, searches again, and prefills the method's passages (extra_prompt)
        self.triggered = later and hasattr(planned.method.p, "trigger") and self.steps is not None
        if later and not self.triggered:
            self.planned_notes = ["the method's request-level steps during decode are not served: each request runs "
                                  "only its first steps, before its prefill"]
        else:
            self.planned_notes = []
        if ep is not None:
            self.planned_notes.append(ep_note(ep, self.sv.scheduler))
        if self.triggered and self.sv.decode_retrievals.trigger != "none" and self.sv.scheduler.policy == "static":
            raise ConfigError("retrievals during decode pause a request mid-batch, which static batching cannot "
                              "resume: use policy continuous or chunked, or decode_retrievals: {trigger: none}",
                              file=exp.file, field="serving.scheduler.policy")

    def serve(self, requests: list[Request]) -> tuple[Served, pd.DataFrame, ServingMetrics]:
        sv = self.sv
        prefix = PrefixCache() if sv.prefix_cache else None
        kv = BlockAllocator(self.capacity, prefix)
        sched = POLICIES[sv.scheduler.policy](sv.scheduler, kv, prefix)
        if self.extra_prompt:  # what the steps add to each prompt (retrieved documents)
            requests = [replace(r, prompt_tokens=r.prompt_tokens + self.extra_prompt) for r in requests]
        points = None
        if self.triggered:  # when each retrieves during decode (FLARE's regenerated sentences add tokens)
            drawn = [decode_retrievals(sv.decode_retrievals, self.planned.method.p, r, self.exp.spec.seed)
                     for r in requests]
            points = [p for p, _ in drawn]
            requests = [replace(r, output_tokens=n) for r, (_, n) in zip(requests, drawn, strict=True)]
        try:
            served = serve(requests, sched, self.cost, self.swap_s, self.steps, self.planned.placement.model,
                           self.extra_prompt, points)
        except RuntimeError as exc:  # SimPy ran out of events: a request could never be scheduled
            raise ConfigError(f"the requests cannot all be served ({exc}); raise kv.memory_frac or shorten them",
                              file=self.exp.file, field="serving") from None
        table = request_table(served)
        metrics = compute(served, table, sv.slo, self.capacity.blocks, self.capacity.block_tokens, self.idle_w,
                          sched.preemptions, sched.swap_out_tokens, len(self.cost.memo))
        return served, table, metrics

    def result(self, rate: float | None) -> ServingResult:
        served, table, metrics = self.serve(requests_of(self.exp, rate))
        label = self.planned.label if rate is None else f"{self.planned.label}@{rate:g}/s"
        return ServingResult(label, self.planned.method.name, self.planned.placement.name, rate, metrics, table,
                             pd.DataFrame(served.rows), list(self.planned.warnings) + self.planned_notes)


def request_steps(machine, planned: PlannedRun) -> tuple[RequestSteps | None, int, bool]:
    """The request-level steps a method plans before its first prefill (a RAG search), priced once
    by the engine for one request; the tokens its prefill adds to the prompt; whether it plans
    more steps later (retrievals during decode)."""
    method = planned.method
    plan = method.plan(np.random.default_rng(machine.exp.spec.seed))
    first = next(i for i, ph in enumerate(plan) if isinstance(ph, Prefill))
    before = [ph for ph in plan[:first] if isinstance(ph, PlannedSteps)]
    later = any(isinstance(ph, PlannedSteps) for ph in plan[first:])
    if not before:
        return None, 0, later
    sim = IterationSimulator()
    energy = 0.0
    segments: list[tuple[str | None, float]] = []
    for ph in before:
        dag = build_dag(machine, method, planned.placement, ph)
        run = sim.run(dag, keep_records=True)
        at = 0.0
        for rec in sorted(run.records, key=lambda r: (r.start, r.end)):
            energy += rec.task.energy_j + rec.task.link_energy_j
            if rec.end <= rec.start:
                continue
            if rec.start > at + 1e-15:
                segments.append((None, rec.start - at))
            compute = rec.task.step != "transfer" and rec.task.resources
            segments.append((rec.task.device if compute else None, rec.end - max(at, rec.start)))
            at = max(at, rec.end)
    time_s = sum(t for _, t in segments)
    extra = plan[first].tokens - method.workload.context_tokens
    return RequestSteps(time_s, energy, tuple(segments)), max(0, extra), later


def run_serving(exp: Scenario, executor=None) -> tuple[list[ServingResult], list[Capacity]]:
    """Every planned run at the configured arrivals and the extra rates, then the capacity search
    (`hetsim.serving.capacity`; `executor`: where its probes run, default the spec's)."""
    check_executor(exp)
    results = []
    for planned in exp.runs:
        runner = ServingRunner(exp, planned)
        results.append(runner.result(None))
        results += [runner.result(rate) for rate in exp.spec.serving.rates_per_s]
    capacities = capacity_search(exp, executor) if exp.spec.serving.capacity_search is not None else []
    return results, capacities
