"""The SimPy engine. One decode step (or the prefill) is a DAG of tasks: for every micro-batch,
every layer's tasks (see `lowering`), then the LM head. Each device engine and each link
direction is a capacity-1 FIFO engine; a task waits for its dependencies, takes its engines
in a fixed global order (no deadlock), holds them for its duration and releases them.

Steps are separated by a barrier (token t+1 needs token t), so a step's makespan is a pure
function of its task durations: steps whose durations are identical share one simulation
(memoised by the exact duration vector, not approximated).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import simpy

from hetsim.sim.lowering import PREV_POST, TaskT


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
class StepRun:
    makespan: float
    records: list[Record] | None
    events: int


@dataclass(frozen=True)
class StepDag:
    """What one step simulates: per-layer task templates by layer kind, and the tail tasks."""

    layer_kinds: tuple[str, ...]  # kind of each layer
    templates: dict[str, tuple[TaskT, ...]]
    tail: tuple[TaskT, ...]  # after the last layer, per micro-batch (deps on "post" of last layer)
    micro_batches: int

    def key(self) -> tuple:
        return (
            self.layer_kinds,
            self.micro_batches,
            tuple((k, tuple((t.key, t.duration) for t in self.templates[k])) for k in sorted(self.templates)),
            tuple((t.key, t.duration) for t in self.tail),
        )


class Engine:
    """A capacity-1 FIFO device engine or link direction.

    SimPy's `Resource` costs three scheduled events per use (request, grant, release); a decode
    run uses engines about a million times, so engines grant synchronously inside the event
    callbacks instead and only the task's own timeout is a SimPy event. Order is still FIFO
    by request time, with ties in request order, so runs stay deterministic.
    """

    __slots__ = ("busy", "waiting")

    def __init__(self) -> None:
        self.busy = False
        self.waiting: deque = deque()

    def acquire(self, grant) -> None:
        if self.busy:
            self.waiting.append(grant)
        else:
            self.busy = True
            grant()

    def release(self) -> None:
        if self.waiting:
            self.waiting.popleft()()
        else:
            self.busy = False


def simulate(dag: StepDag, keep_records: bool) -> StepRun:
    env = CountingEnvironment()
    n_layers = len(dag.layer_kinds)
    idents: list[tuple] = []
    tasks: list[TaskT] = []
    deps_of: list[list[tuple]] = []
    for mb in range(dag.micro_batches):
        for layer, kind in enumerate(dag.layer_kinds):
            for t in dag.templates[kind]:
                deps = []
                for d in t.deps:
                    if d != PREV_POST:
                        deps.append((mb, layer, d))
                    elif layer > 0:
                        deps.append((mb, layer - 1, "post"))
                idents.append((mb, layer, t.key))
                tasks.append(t)
                deps_of.append(deps)
        for t in dag.tail:
            idents.append((mb, -1, t.key))
            tasks.append(t)
            deps_of.append([(mb, n_layers - 1, "post") if d == "post" else (mb, -1, d) for d in t.deps])

    index = {ident: i for i, ident in enumerate(idents)}
    n = len(tasks)
    pending = [len(d) for d in deps_of]
    successors: list[list[int]] = [[] for _ in range(n)]
    for i, deps in enumerate(deps_of):
        for d in deps:
            successors[index[d]].append(i)
    engines = {r: Engine() for t in tasks for r in t.resources}
    start = [0.0] * n
    finished = [False] * n

    def ready(i: int) -> None:
        acquire(i, 0)

    def acquire(i: int, j: int) -> None:
        res = tasks[i].resources
        if j < len(res):
            engines[res[j]].acquire(lambda: acquire(i, j + 1))
            return
        start[i] = env.now
        if tasks[i].duration > 0:
            env.timeout(tasks[i].duration).callbacks.append(lambda _ev: finish(i))
        else:
            finish(i)

    def finish(i: int) -> None:
        finished[i] = True
        for r in tasks[i].resources:
            engines[r].release()
        for s in successors[i]:
            pending[s] -= 1
            if pending[s] == 0:
                ready(s)

    roots = [i for i in range(n) if pending[i] == 0]  # before any task runs: starts can cascade
    for i in roots:
        ready(i)
    env.run()
    if not all(finished):
        raise RuntimeError(f"simulation deadlocked; first unfinished task: {idents[finished.index(False)]}")
    records = None
    if keep_records:
        records = [Record(idents[i][0], idents[i][1], tasks[i], start[i], start[i] + tasks[i].duration)
                   for i in range(n)]
    return StepRun(env.now, records, env.events_scheduled)


class StepSimulator:
    """Memoises step simulations by their exact duration vector."""

    def __init__(self) -> None:
        self.memo: dict[tuple, StepRun] = {}
        self.simulated = 0
        self.reused = 0
        self.events = 0

    def run(self, dag: StepDag, keep_records: bool = False) -> StepRun:
        key = dag.key()
        hit = self.memo.get(key)
        if hit is not None and (hit.records is not None or not keep_records):
            self.reused += 1
            return hit
        result = simulate(dag, keep_records)
        self.simulated += 1
        self.events += result.events
        self.memo[key] = result
        return result
