"""Walking a method's phases through the engine: each phase expands into barrier-separated
steps, each step is lowered to a DAG of tasks (`build_dag`) and simulated, and the time, busy
time, energy and link bytes of every step are accumulated.

Two paths give the same numbers. The exact path lowers and simulates every step on its own in
SimPy; it serves the prefill, request-level steps, short phases, and the steps whose tasks are
kept for the trace. A long decode phase takes the replay path: each step's layers are lowered
through a cache keyed by their work (a layer whose ops did not change since an earlier step is
not lowered again), and the makespans of all its steps come from `replay` - one step of each
structure in SimPy, the rest by replaying SimPy's grant order, checked step by step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from hetsim.errors import ConfigError
from hetsim.sim.engine import CompiledDag, IterationDag, IterationSimulator, Record
from hetsim.sim.lowering import HOST_STEP, TaskT, compute_tasks, lower_layer
from hetsim.sim.replay import Replayer
from hetsim.workloads.base import Decode, LayerWork, Method, Phase, RequestSteps

DAG_CACHE_ENTRIES = 4096  # lowered steps (layers on the replay path) kept for reuse; bounds memory
PHASE_CACHE_ENTRIES = 64  # decode phases priced on the replay path kept for reuse
MAX_TRACED_PHASES = 4  # prefill / request-step phases kept op by op in the trace
# Decode phases from this many untraced steps on take the replay path: below it, a replay pass
# over the step's tasks costs more than simulating the steps one by one.
REPLAY_MIN_STEPS = 4


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
            if t.step != HOST_STEP:  # steps' shares are of device time; the host's is its engine's busy time
                self.step_time[t.step] += t.duration * count
            self.energy[t.device] += t.energy_j * count
            for link, nbytes in t.link_bytes:
                self.link_bytes[link] += nbytes * count
            self.link_energy += t.link_energy_j * count

    def add_sums(self, other: Accumulator) -> None:
        """Add what another accumulator holds (a phase priced once, run again)."""
        for attr in ("busy", "step_time", "energy", "link_bytes"):
            mine = getattr(self, attr)
            for k, v in getattr(other, attr).items():
                mine[k] += v
        self.link_energy += other.link_energy

    def add_dag(self, dag: IterationDag) -> None:
        counts: dict[str, int] = defaultdict(int)
        for k in dag.layer_kinds:
            counts[k] += dag.micro_batches
        for kind, n in counts.items():
            self.add(dag.templates[kind], n)
        self.add(dag.tail, dag.micro_batches)


def _model_ops(machine, method: Method, device: str, phase, batch: int):
    try:
        return method.layer_model_ops(machine.kind(device), phase, batch)
    except ValueError as exc:
        raise ConfigError(str(exc), file=machine.exp.file, field="placements") from None


def _tail(machine, method: Method, phase, device: str, mb: int, memo: dict | None = None) -> tuple[TaskT, ...]:
    """The LM head after the last layer: logits of the last position only, in a prefill too."""
    if machine.kind(device) != "gpu":
        return ()  # a method that decodes on an FPGA spreads the LM head over its layers
    ops = method.lm_head_ops(phase, mb)
    return compute_tasks(machine, "lm_head", phase.role, device, ops, ("post",), memo)


def build_dag(machine, method: Method, p, phase: Phase, memo: dict | None = None) -> IterationDag:
    """One barrier-separated step of a phase (a prefill, one decode token, or request steps).
    `memo`: compute tasks already built (`lowering.compute_tasks`)."""
    m, mb = method.model, method.workload.batch // p.micro_batches
    if isinstance(phase, RequestSteps):
        tasks = lower_layer(machine, p, phase.work, (), (), method.name, memo=memo)
        return IterationDag(("steps",), {"steps": tuple(tasks)}, (), p.streams)
    role, device = phase.role, p.device_of(phase.role)
    pre, post = _model_ops(machine, method, device, phase, mb)
    kinds = tuple(method.layer_kind(i) for i in range(m.layers))
    templates = {}
    for kind in sorted(set(kinds)):
        work = method.phase_layer(phase, kind, mb)
        templates[kind] = tuple(lower_layer(machine, p, work, pre, post, method.name, device, role, memo))
    tail = _tail(machine, method, phase, device, mb, memo)
    return IterationDag(kinds, templates, tail, p.streams)  # micro-batches of every pipelined batch


def dag_key(step: Phase) -> tuple:
    """What a step's DAG depends on: its kind, role and sizes (a RequestSteps phase: its work, op names
    included since they label the trace; methods plan equal request-level work anew each time,
    as Memory as Context does for every segment's memory read)."""
    if isinstance(step, RequestSteps):
        w = step.work
        names = tuple(op.name for s in w.steps for ops in s.ops.values() for op in ops)
        fused_names = tuple(op.name for ops in w.fused.values() for op in ops)
        return ("steps", work_key(w), names, fused_names)
    return (type(step).__name__, getattr(step, "role", "model"), step.tokens, step.context)


def expand(phase: Phase):
    """The barrier-separated steps of a phase: (token index, step) pairs."""
    if isinstance(phase, Decode):
        for t in range(phase.tokens):
            yield t, Decode(1, phase.context + t, phase.role, phase.label)
    else:
        yield -1, phase


def work_key(work: LayerWork) -> tuple:
    """Everything lowering reads from a layer's work. Op names take no part (ops compare without
    them), so layers lowered through this key are for timing, not for the trace."""
    return (tuple((s.step, tuple(s.ops.items()), s.inputs, s.output_bytes) for s in work.steps),
            tuple(work.fused.items()))


class Lowered:
    """A lowered layer (or tail) on the replay path: its tasks, their durations as an array,
    and an id of its structure (keys, engines, dependencies)."""

    __slots__ = ("tasks", "durations", "shape")

    def __init__(self, tasks: tuple[TaskT, ...], shapes: dict[tuple, int]) -> None:
        self.tasks = tasks
        self.durations = np.array([t.duration for t in tasks], dtype=float)
        self.shape = shapes.setdefault(tuple((t.key, t.resources, t.deps) for t in tasks), len(shapes))


@dataclass
class Walk:
    """What walking the phases produced: the inputs of `runner.metrics` and the trace."""

    ttft: float = 0.0
    e2e: float = 0.0
    out_steps: list[float] = field(default_factory=list)
    records: list[tuple[str, int, float, Record]] = field(default_factory=list)  # (phase, token, t0, rec)
    iteration_rows: list[dict] = field(default_factory=list)
    before: Accumulator = field(default_factory=Accumulator)  # before the first output token
    after: Accumulator = field(default_factory=Accumulator)
    sim: IterationSimulator = field(default_factory=IterationSimulator)


class PhaseWalker:
    """Runs a method's phases on one placement (see the module docstring for the two paths)."""

    def __init__(self, machine, method: Method, placement, trace_decode_steps: int) -> None:
        self.machine, self.method, self.p = machine, method, placement
        self.keep_decode = trace_decode_steps
        self.mb = method.workload.batch // placement.micro_batches
        self.kinds = tuple(method.layer_kind(i) for i in range(method.model.layers))
        self.w = Walk()
        self.replayer = Replayer(self.w.sim)
        self.dags: dict[tuple, IterationDag] = {}  # repeated steps (MemAgent's chunks) are lowered once
        self.lowered: dict[tuple, Lowered] = {}
        self.task_memo: dict[tuple, TaskT] = {}
        self.phases: dict[tuple, tuple] = {}  # decode phases priced on the replay path
        self.shapes: dict[tuple, int] = {}
        self.now = 0.0
        self.ttft: float | None = None
        self.kept_other = 0

    def run(self, phases: list[Phase]) -> Walk:
        for i, phase in enumerate(phases):
            output = isinstance(phase, Decode) and phase.role == "model"
            exact = phase.tokens if isinstance(phase, Decode) else 1
            if isinstance(phase, Decode):
                traced = max(0, self.keep_decode - len(self.w.out_steps)) if output \
                    else max(0, MAX_TRACED_PHASES - self.kept_other)
                if phase.tokens - traced >= REPLAY_MIN_STEPS:
                    exact = traced
            steps = expand(phase)
            for _ in range(exact):
                token, step = next(steps)
                self._exact_step(i, phase, output, token, step)
            if isinstance(phase, Decode) and exact < phase.tokens:
                self._replay_steps(i, phase, output, exact)
        self.w.e2e = self.now
        self.w.ttft = self.now if self.ttft is None else self.ttft
        return self.w

    def _exact_step(self, i: int, phase: Phase, output: bool, token: int, step: Phase) -> None:
        w = self.w
        if output and self.ttft is None:
            self.ttft = self.now
        keep = len(w.out_steps) < self.keep_decode if output else self.kept_other < MAX_TRACED_PHASES
        key = dag_key(step)
        dag = self.dags.get(key)
        if dag is None:
            if len(self.dags) >= DAG_CACHE_ENTRIES:
                self.dags.clear()
            if len(self.task_memo) >= DAG_CACHE_ENTRIES:
                self.task_memo.clear()
            dag = self.dags[key] = build_dag(self.machine, self.method, self.p, step, self.task_memo)
        run = w.sim.run(dag, keep_records=keep)
        if keep:
            w.records += [(phase.label, token, self.now, r) for r in run.records or []]
            self.kept_other += not output
        (w.after if self.ttft is not None else w.before).add_dag(dag)
        if output:
            w.out_steps.append(run.makespan)
        w.iteration_rows.append({"phase": i, "label": phase.label, "token": token,
                            "context_tokens": getattr(step, "context", None), "start_s": self.now,
                            "iteration_s": run.makespan})
        self.now += run.makespan

    def _layer(self, step: Decode, kind: str, pre, post, device: str) -> Lowered:
        work = self.method.phase_layer(step, kind, self.mb)
        # pre/post are fixed by (device, role) within a walk: model_ops is a function of them
        key = (kind, step.role, device, work_key(work))
        hit = self.lowered.get(key)
        if hit is None:
            if len(self.lowered) >= DAG_CACHE_ENTRIES:
                self.lowered.clear()
                self.task_memo.clear()
            tasks = lower_layer(self.machine, self.p, work, pre, post, self.method.name, device, step.role,
                                self.task_memo)
            hit = self.lowered[key] = Lowered(tuple(tasks), self.shapes)
        return hit

    def _replay_steps(self, i: int, phase: Decode, output: bool, first: int) -> None:
        """Iterations `first`.. of a decode phase on the replay path (no records kept)."""
        w, n = self.w, phase.tokens - first
        if output and self.ttft is None:
            self.ttft = self.now
        key = (phase.tokens, phase.context, phase.role, first)
        priced = self.phases.get(key)  # MemAgent writes its memory with the same phase every chunk
        if priced is None:
            if len(self.phases) >= PHASE_CACHE_ENTRIES:
                self.phases.clear()
            priced = self.phases[key] = self._price_phase(phase, first)
        else:
            w.sim.reused += n
        spans, sums = priced
        (w.after if self.ttft is not None else w.before).add_sums(sums)
        if output:
            w.out_steps += spans
        rows_out, now = w.iteration_rows, self.now
        for t, s in enumerate(spans):
            rows_out.append({"phase": i, "label": phase.label, "token": first + t,
                             "context_tokens": phase.context + first + t, "start_s": now, "iteration_s": s})
            now += s
        self.now = now

    def _price_phase(self, phase: Decode, first: int) -> tuple[list[float], Accumulator]:
        """Each step's makespan, and the busy time, energy and bytes of all the steps together
        (each distinct lowered layer added once, times how often the steps run it)."""
        sim, mb_count, n = self.w.sim, self.p.streams, phase.tokens - first
        device = self.p.device_of(phase.role)
        pre, post = _model_ops(self.machine, self.method, device, phase, self.mb)
        # an hf stack's head and tail ops have the same shapes at every step of a decode phase
        tail = Lowered(_tail(self.machine, self.method, phase, device, self.mb, self.task_memo), self.shapes)
        kind_set = sorted(set(self.kinds))
        rows: dict[tuple, int] = {}  # distinct steps (by their lowered layers) -> row
        row_of = np.empty(n, dtype=np.intp)
        for t in range(n):
            step = Decode(1, phase.context + first + t, phase.role, phase.label)
            layers = tuple(self._layer(step, kind, pre, post, device) for kind in kind_set)
            row_of[t] = rows.setdefault(layers, len(rows))
        distinct = list(rows)
        runs_before = sim.simulated + sim.reused
        span = np.empty(len(distinct))
        groups: dict[tuple, list[int]] = defaultdict(list)  # rows by step structure
        for r, layers in enumerate(distinct):
            groups[tuple(x.shape for x in layers)].append(r)
        for members in groups.values():
            span[members] = self._group_makespans([distinct[r] for r in members], kind_set, tail)
        # steps that SimPy did not run count as reused, as memoised steps do on the exact path
        sim.reused += n - (sim.simulated + sim.reused - runs_before)
        uses = np.bincount(row_of, minlength=len(distinct))
        per_kind = {k: self.kinds.count(k) * mb_count for k in kind_set}
        counts: dict[int, list] = {}
        for layers, u in zip(distinct, uses.tolist(), strict=True):
            for kind, low in zip(kind_set, layers, strict=True):
                counts.setdefault(id(low), [low.tasks, 0])[1] += u * per_kind[kind]
        sums = Accumulator()
        for tasks, c in counts.values():
            sums.add(tasks, c)
        sums.add(tail.tasks, n * mb_count)
        return span[row_of].tolist(), sums

    def _group_makespans(self, members: list[tuple[Lowered, ...]], kind_set: list[str], tail: Lowered) -> np.ndarray:
        """Makespans of distinct steps that share one structure."""
        def dag_of(r: int) -> IterationDag:
            templates = {k: low.tasks for k, low in zip(kind_set, members[r], strict=True)}
            return IterationDag(self.kinds, templates, tail.tasks, self.p.streams)

        first = dag_of(0)
        signature = CompiledDag.signature(first)
        compiled = self.w.sim.compile(first, signature)
        # the (tasks x steps) duration matrix in compiled order, gathered from each layer's array
        blocks = [np.stack([m[k].durations for m in members]) for k in range(len(kind_set))]
        blocks.append(np.broadcast_to(tail.durations, (len(members), len(tail.durations))))
        offset = dict(zip([*kind_set, "@tail"], np.cumsum([0] + [b.shape[1] for b in blocks]).tolist(), strict=False))
        columns = np.array([offset[kind] + j for kind, j in compiled.slots], dtype=np.intp)
        durations = np.ascontiguousarray(np.hstack(blocks)[:, columns].T)
        return self.replayer.makespans(signature, compiled, durations, dag_of)


def walk_phases(machine, method: Method, placement, trace_decode_steps: int, seed: int) -> Walk:
    """Run the method's phases (planned with the experiment's seed) on one placement."""
    phases = method.plan(np.random.default_rng(seed))
    return PhaseWalker(machine, method, placement, trace_decode_steps).run(phases)
