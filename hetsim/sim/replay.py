"""Replaying a simulated step's engine order over many steps of the same structure.

A decode phase repeats one step structure (the same tasks, dependencies and engines) with
durations that change with the context. Once SimPy has simulated one such step, the order in
which each engine was granted is known. For another step with the same structure, every task's
start is then a longest path (max-plus): the latest of its dependencies' ends and, for each
engine it takes, the end of the task granted that engine before it. That is the schedule SimPy
produces, to the bit (the same additions and maxima), as long as SimPy would grant the engines
in that order: on every engine, the requests taken in grant order must come strictly one after
another. A tie would be broken by SimPy's event order, which the replay does not model; only
ties at time 0 are allowed, where the roots start in task order whatever the durations (checked:
the same tasks take no time as in the simulated step).

Every replayed step is checked against that condition; a step that fails is simulated in SimPy,
and its grant order is the one the remaining failing steps are replayed in. The replay is
vectorised over steps with numpy: one pass over a step's tasks prices a whole phase.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from hetsim.sim.engine import CompiledDag, IterationDag, IterationRun, IterationSimulator

MAX_CHEAP_PASSES = 8  # replay passes over one phase before failing steps go to SimPy in doubling bursts


class Reference:
    """The grant order of one simulated step, ready to replay other steps of its structure in."""

    def __init__(self, compiled: CompiledDag, run: IterationRun, zero: np.ndarray) -> None:
        if run.started is None or run.grants is None or len(run.started) != len(compiled.preds):
            raise ValueError("a reference needs a complete simulated step with its grant order")
        self.order = run.started
        self.preds = [list(p) for p in compiled.preds]
        self.zero = zero  # which tasks took no time in the reference step
        slot: dict[tuple[int, int], int] = {}  # (task, engine) -> row of the request-time matrix
        for i, res in enumerate(compiled.resources):
            for e in res:
                slot[(i, e)] = len(slot)
        self.n_slots = len(slot)
        # per task, per engine it takes (in its order): (slot, the task granted that engine before it)
        previous: dict[tuple[int, int], int] = {}
        before, after = [], []
        for e, holders in enumerate(run.grants):
            for a, b in zip(holders, holders[1:], strict=False):
                previous[(b, e)] = a
                before.append(slot[(a, e)])
                after.append(slot[(b, e)])
        self.takes = [[(slot[(i, e)], previous.get((i, e), -1)) for e in res]
                      for i, res in enumerate(compiled.resources)]
        self.before = np.array(before, dtype=np.intp)
        self.after = np.array(after, dtype=np.intp)

    def replay(self, durations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Makespans of the steps whose task durations are the columns of `durations` (tasks in
        CompiledDag order), and whether each step is exact (SimPy would grant in this order)."""
        n_tasks, n_steps = durations.shape
        end = np.empty((n_tasks, n_steps))
        request = np.empty((self.n_slots, n_steps))
        zeros = np.zeros(n_steps)
        preds, takes = self.preds, self.takes
        for i in self.order:
            p = preds[i]
            if not p:
                t = zeros
            elif len(p) == 1:
                t = end[p[0]]
            else:
                t = end[p].max(axis=0)
            for s, prev in takes[i]:
                request[s] = t  # a task asks for its next engine once it holds the previous ones
                if prev >= 0:
                    t = np.maximum(t, end[prev])
            np.add(t, durations[i], out=end[i])
        makespan = end.max(axis=0) if n_tasks else zeros
        a, b = request[self.before], request[self.after]
        fifo = ((b > a) | ((b == 0.0) & (a == 0.0))).all(axis=0)
        same_zeros = ((durations == 0.0) == self.zero[:, None]).all(axis=0)
        return makespan, fifo & same_zeros


class Replayer:
    """Makespans of many steps of one structure: SimPy for the first (and any step the replay
    cannot vouch for), the replay for the rest. References persist across phases, so a
    structure that returns (MemAgent's chunks, RAG's decode stretches) is simulated once."""

    def __init__(self, sim: IterationSimulator) -> None:
        self.sim = sim
        self.references: dict[tuple, Reference] = {}
        self.replayed = 0

    def _simulate(self, dag: IterationDag, compiled: CompiledDag, signature: tuple, zero: np.ndarray) -> float:
        run = self.sim.run(dag)
        self.references[signature] = Reference(compiled, run, zero)
        return run.makespan

    def makespans(self, signature: tuple, compiled: CompiledDag, durations: np.ndarray,
                  dag_of: Callable[[int], IterationDag]) -> np.ndarray:
        """`durations`: (tasks, steps), tasks in `compiled` order; `dag_of(k)`: step k's DAG,
        built only for the steps that go to SimPy."""
        n = durations.shape[1]
        out = np.empty(n)
        todo = np.arange(n)
        if signature not in self.references:
            out[0] = self._simulate(dag_of(0), compiled, signature, durations[:, 0] == 0.0)
            todo = todo[1:]
        passes, burst = 0, 1
        while todo.size:
            span, ok = self.references[signature].replay(durations[:, todo])
            out[todo[ok]] = span[ok]
            self.replayed += int(ok.sum())
            todo = todo[~ok]
            # the first step the order fails for goes to SimPy, and its order is tried on the
            # rest; orders that keep changing send ever more steps to SimPy at once, so a pass
            # over the tasks is not paid for every step
            passes += 1
            burst = 1 if passes < MAX_CHEAP_PASSES else burst * 2
            for k in todo[:burst]:
                out[k] = self._simulate(dag_of(int(k)), compiled, signature, durations[:, k] == 0.0)
            todo = todo[burst:]
        return out
