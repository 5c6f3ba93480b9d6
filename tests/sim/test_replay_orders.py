"""The replay's own rules on hand-built steps: what a reference needs, the per-step check that the
same tasks take no time, an empty structure, and how many steps go to SimPy when the grant order
keeps changing (one per pass at first, then bursts that double)."""

import numpy as np
import pytest

import hetsim.sim.replay as replay
from hetsim.sim.engine import IterationDag, IterationRun, IterationSimulator, simulate
from hetsim.sim.lowering import TaskT
from hetsim.sim.replay import Reference, Replayer


def _task(key, resources, duration, deps=()):
    return TaskT(key, "model", "d", tuple(resources), duration, tuple(deps))


def _race(*feeds: float) -> IterationDag:
    """Feeder f_i runs on its own engine for feeds[i] s, then q_i wants engine X for 1 s: X is
    granted in the order the feeders end."""
    tasks = [_task(f"f{i}", [f"A{i}"], d) for i, d in enumerate(feeds)]
    tasks += [_task(f"q{i}", ["X"], 1.0, [f"f{i}"]) for i in range(len(feeds))]
    return IterationDag(("l",), {"l": tuple(tasks)}, (), 1)


def _durations(compiled, dags) -> np.ndarray:
    return np.array([[t.duration for t in compiled.tasks(d)] for d in dags]).reshape(len(dags), -1).T


def test_a_reference_needs_a_complete_run_with_its_grant_order():
    dag = _race(1.0, 2.0)
    sim = IterationSimulator()
    compiled = sim.compile(dag)
    full = sim.run(dag)
    zero = np.zeros(4, dtype=bool)
    Reference(compiled, full, zero)  # a simulated step will do
    for broken in (IterationRun(full.makespan, None, 0),  # no order at all
                   IterationRun(full.makespan, None, 0, full.started, None),  # starts, but no grants
                   IterationRun(full.makespan, None, 0, None, full.grants),  # grants, but no starts
                   IterationRun(full.makespan, None, 0, full.started[:3], full.grants)):  # a task missing
        with pytest.raises(ValueError, match="complete simulated step with its grant order"):
            Reference(compiled, broken, zero)


def test_a_step_whose_zero_time_tasks_differ_is_not_vouched_for_on_its_own():
    sim = IterationSimulator()
    ref_dag = _race(1.0, 2.0)
    compiled = sim.compile(ref_dag)
    ref = Reference(compiled, sim.run(ref_dag), _durations(compiled, [ref_dag])[:, 0] == 0.0)
    # the same order of requests on X in all three; only the second has a feeder taking no time
    steps = [_race(1.5, 2.5), _race(0.0, 2.0), _race(3.0, 4.0)]
    span, ok = ref.replay(_durations(compiled, steps))
    assert ok.tolist() == [True, False, True]
    assert span[[0, 2]].tolist() == [3.5, 5.0]  # the later feeder's end, then its 1 s on X


def test_an_empty_structure_replays_to_nothing():
    empty = IterationDag(("l",), {"l": ()}, (), 1)
    sim = IterationSimulator()
    compiled = sim.compile(empty)
    run = sim.run(empty)
    assert run.makespan == 0.0 and run.started == []
    span, ok = Reference(compiled, run, np.zeros(0, dtype=bool)).replay(np.zeros((0, 3)))
    assert span.tolist() == [0.0, 0.0, 0.0] and ok.all()


def test_orders_that_keep_changing_go_to_simpy_in_doubling_bursts(monkeypatch):
    monkeypatch.setattr(replay, "MAX_CHEAP_PASSES", 2)
    # X granted q0 q1 q2 q3 (A), q3 q2 q1 q0 (B), q1 q0 q3 q2 (C), q2 q3 q0 q1 (D)
    a, b, c, d = (1, 2, 3, 4), (4, 3, 2, 1), (2, 1, 4, 3), (3, 4, 1, 2)
    orders = [a, b, c, d] + [c] * 8
    steps = [_race(*(k * x for x in feed)) for k, feed in enumerate(orders, start=1)]  # distinct durations
    sim = IterationSimulator()
    replayer = Replayer(sim)
    compiled = sim.compile(steps[0])
    out = replayer.makespans(("race",), compiled, _durations(compiled, steps), lambda k: steps[k])
    assert out.tolist() == [simulate(s, keep_records=False).makespan for s in steps]
    # step 0 simulated (order A); pass 1 replays the other 11 in A: all fail, step 1 to SimPy (B);
    # pass 2 (= MAX_CHEAP_PASSES) in B: all fail, a burst of 2: steps 2, 3 (C, then D); pass 3 in D:
    # all fail, a burst of 4: steps 4-7 (C); pass 4 in C: steps 8-11 replay
    assert sim.simulated == 1 + 1 + 2 + 4
    assert replayer.replayed == 4
