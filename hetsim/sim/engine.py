"""The SimPy engine. One *iteration* (the prefill, one decode token, or one request-level step
of a phase) is a DAG of tasks: for every micro-batch, every layer's tasks (see `lowering`), then
the LM head. Each device engine and each link direction is a capacity-1 FIFO; a task waits for
its dependencies, takes its engines in a fixed global order (sorted names: no deadlock), holds
them for its duration and releases them.

Iterations are separated by a barrier (token t+1 needs token t), so an iteration's makespan is a
pure function of its task durations: iterations whose durations are identical share one
simulation (memoised by the exact duration vector, not approximated). A long decode phase
simulates one iteration per structure here and replays its grant order for the others
(`replay`, checked iteration by iteration; one it cannot vouch for comes back here).

Vocabulary: a *step* is one of the paper's four memory-processing steps (prepare, relevancy,
retrieval, apply); a *phase* is a prefill, a decode of many tokens, or request-level steps
(`hetsim.workloads.base`); an *iteration* is the barrier-separated unit simulated here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import simpy

from hetsim.sim.lowering import HOST_PREFIX, PREV_HOST, PREV_POST, TaskT


class CountingEnvironment(simpy.Environment):
    """A SimPy environment that counts scheduled events (for the speed benchmark)."""

    def __init__(self) -> None:
        super().__init__()
        self.events_scheduled = 0

    def schedule(self, event, priority=1, delay=0):  # noqa: D401 - SimPy signature
        self.events_scheduled += 1
        super().schedule(event, priority, delay)


@dataclass(frozen=True)
class Record:
    micro_batch: int
    layer: int  # -1: after the last layer (LM head)
    task: TaskT
    start: float
    end: float


@dataclass
class IterationRun:
    makespan: float
    records: list[Record] | None
    events: int
    # how SimPy ordered the step, for `replay`: task indices (CompiledDag order) in the order
    # they started, and per engine the order its holders obtained it
    started: list[int] | None = None
    grants: list[list[int]] | None = None


@dataclass(frozen=True)
class IterationDag:
    """What one step simulates: per-layer task templates by layer kind, and the tail tasks."""

    layer_kinds: tuple[str, ...]  # kind of each layer
    templates: dict[str, tuple[TaskT, ...]]
    tail: tuple[TaskT, ...]  # after the last layer, per micro-batch (deps on "post" of last layer)
    micro_batches: int

    def key(self) -> tuple:
        # engines and dependencies too: two steps whose tasks share keys and durations but not
        # their structure are different simulations
        return (
            self.layer_kinds,
            self.micro_batches,
            tuple((k, tuple((t.key, t.resources, t.deps, t.duration) for t in self.templates[k]))
                  for k in sorted(self.templates)),
            tuple((t.key, t.resources, t.deps, t.duration) for t in self.tail),
        )


class CompiledDag:
    """The structure of a step DAG, built once per distinct structure and reused by every step
    that shares it (all decode steps of a run): task order, dependency counts, successors and
    engine indices. Only durations change from step to step.

    Order: micro-batch by micro-batch, layer by layer, template order - the FIFO tie-break.
    """

    def __init__(self, dag: IterationDag) -> None:
        n_layers = len(dag.layer_kinds)
        self.slots: list[tuple[str, int]] = []  # (template kind or "@tail", index in it)
        self.idents: list[tuple] = []
        deps_of: list[list[tuple]] = []
        last = {PREV_POST: "post", PREV_HOST: HOST_PREFIX + "post"}
        for mb in range(dag.micro_batches):
            for layer, kind in enumerate(dag.layer_kinds):
                for j, t in enumerate(dag.templates[kind]):
                    deps = []
                    for d in t.deps:
                        if d not in last:
                            deps.append((mb, layer, d))
                        elif layer > 0:
                            deps.append((mb, layer - 1, last[d]))
                    self.slots.append((kind, j))
                    self.idents.append((mb, layer, t.key))
                    deps_of.append(deps)
            for j, t in enumerate(dag.tail):
                self.slots.append(("@tail", j))
                self.idents.append((mb, -1, t.key))
                deps_of.append([(mb, n_layers - 1, d) if d in ("post", HOST_PREFIX + "post") else (mb, -1, d)
                                for d in t.deps])
        index = {ident: i for i, ident in enumerate(self.idents)}
        # a host stage waiting on a task without one (an FPGA step, a transfer) waits for the task
        deps_of = [[d if d in index or not d[2].startswith(HOST_PREFIX) else (*d[:2], d[2][len(HOST_PREFIX):])
                    for d in deps] for deps in deps_of]
        self.pending = [len(d) for d in deps_of]
        self.successors: list[list[int]] = [[] for _ in self.idents]
        for i, deps in enumerate(deps_of):
            for d in deps:
                self.successors[index[d]].append(i)
        self.preds: list[tuple[int, ...]] = [tuple(index[d] for d in deps) for deps in deps_of]
        tasks = self.tasks(dag)
        names = sorted({r for t in tasks for r in t.resources})
        self.engine_names = names
        eid = {r: k for k, r in enumerate(names)}
        # taken in sorted name order whatever order a task lists them in (no hold-and-wait cycle),
        # each once (a task listing an engine twice would wait on itself)
        self.resources = [tuple(sorted({eid[r] for r in t.resources})) for t in tasks]

    def tasks(self, dag: IterationDag) -> list[TaskT]:
        return [dag.tail[j] if kind == "@tail" else dag.templates[kind][j] for kind, j in self.slots]

    @staticmethod
    def signature(dag: IterationDag) -> tuple:
        def shape(ts):
            return tuple((t.key, t.resources, t.deps) for t in ts)

        return (dag.layer_kinds, dag.micro_batches, shape(dag.tail),
                tuple((k, shape(v)) for k, v in sorted(dag.templates.items())))


def simulate(dag: IterationDag, keep_records: bool, compiled: CompiledDag | None = None) -> IterationRun:
    """Run one step in SimPy. Each device engine and link direction is a capacity-1 FIFO.

    SimPy's `Resource` costs three scheduled events per use (request, grant, release); a decode
    run uses engines about a million times, so engines are granted synchronously inside the
    event callbacks and only each task's own timeout is a SimPy event. Order is still FIFO by
    request time, ties in request order, so runs stay deterministic.
    """
    cd = compiled or CompiledDag(dag)
    tasks = cd.tasks(dag)
    duration = [t.duration for t in tasks]
    resources, successors = cd.resources, cd.successors
    pending = list(cd.pending)
    n_engines = len(cd.engine_names)
    busy = [False] * n_engines
    waiting: list[deque] = [deque() for _ in range(n_engines)]
    env = CountingEnvironment()
    start = [0.0] * len(tasks)
    finished = [False] * len(tasks)
    started: list[int] = []
    grants: list[list[int]] = [[] for _ in range(n_engines)]

    def acquire(i: int, j: int) -> None:
        """Take task i's engines from the j-th on, in order; queue at the first busy one."""
        res = resources[i]
        while j < len(res):
            e = res[j]
            if busy[e]:
                waiting[e].append((i, j + 1))
                return
            busy[e] = True
            grants[e].append(i)
            j += 1
        start[i] = env.now
        started.append(i)
        if duration[i] > 0:
            env.timeout(duration[i], i).callbacks.append(on_timeout)
        else:
            finish(i)

    def on_timeout(event) -> None:
        finish(event.value)

    def finish(i: int) -> None:
        finished[i] = True
        for e in resources[i]:
            if waiting[e]:
                k, j = waiting[e].popleft()  # hand the engine straight to the next in line
                grants[e].append(k)
                acquire(k, j)
            else:
                busy[e] = False
        for s in successors[i]:
            pending[s] -= 1
            if pending[s] == 0:
                acquire(s, 0)

    for i in [i for i, p in enumerate(pending) if p == 0]:  # roots first: starts can cascade
        acquire(i, 0)
    env.run()
    if not all(finished):
        raise RuntimeError(f"simulation deadlocked; first unfinished task: {cd.idents[finished.index(False)]}")
    records = None
    if keep_records:
        records = [Record(cd.idents[i][0], cd.idents[i][1], tasks[i], start[i], start[i] + duration[i])
                   for i in range(len(tasks))]
    return IterationRun(env.now, records, env.events_scheduled, started, grants)


class IterationSimulator:
    """Memoises step simulations by their exact duration vector."""

    def __init__(self) -> None:
        self.memo: dict[tuple, IterationRun] = {}
        self.compiled: dict[tuple, CompiledDag] = {}
        self.simulated = 0
        self.reused = 0
        self.events = 0

    def run(self, dag: IterationDag, keep_records: bool = False) -> IterationRun:
        key = dag.key()
        hit = self.memo.get(key)
        if hit is not None and (hit.records is not None or not keep_records):
            self.reused += 1
            return hit
        result = simulate(dag, keep_records, self.compile(dag))
        self.simulated += 1
        self.events += result.events
        self.memo[key] = result
        return result

    def compile(self, dag: IterationDag, signature: tuple | None = None) -> CompiledDag:
        """The compiled structure of `dag` (built once per structure; `signature`: its
        `CompiledDag.signature` if the caller already has it)."""
        sig = CompiledDag.signature(dag) if signature is None else signature
        compiled = self.compiled.get(sig)
        if compiled is None:
            compiled = self.compiled[sig] = CompiledDag(dag)
        return compiled
