"""The engine's queueing discipline on hand-built step DAGs: each engine is a FIFO, first come
first served, ties in the order the tasks were requested (template order)."""

import pytest

from hetsim.sim.engine import IterationDag, IterationSimulator, simulate
from hetsim.sim.lowering import TaskT


def _task(key, resources, duration, deps=()):
    return TaskT(key, "model", "d", tuple(resources), duration, tuple(deps))


def _starts(run):
    return {r.task.key: r.start for r in run.records}


def _one_layer(tasks):
    return IterationDag(("l",), {"l": tuple(tasks)}, (), 1)


def test_tasks_queued_at_once_start_in_template_order():
    # four ready tasks want one engine at t=0: the first takes it, three queue behind it
    dag = _one_layer([_task("a", ["gpu:stream"], 1.0), _task("b", ["gpu:stream"], 2.0),
                      _task("c", ["gpu:stream"], 3.0), _task("d", ["gpu:stream"], 4.0)])
    run = simulate(dag, keep_records=True)
    assert _starts(run) == {"a": 0.0, "b": 1.0, "c": 3.0, "d": 6.0}  # LIFO would give d 1, c 5, b 8
    assert run.makespan == pytest.approx(10.0)


def test_tasks_queued_at_different_times_start_in_arrival_order():
    # "hold" keeps the engine for 10 s; q1, q2, q3 ask for it at 1, 2 and 3 s (after their own
    # feeders on other engines), so they queue in that order and run back to back from t=10
    dag = _one_layer([
        _task("hold", ["fpga:cu"], 10.0),
        _task("p3", ["e3:x"], 3.0), _task("p1", ["e1:x"], 1.0), _task("p2", ["e2:x"], 2.0),
        _task("q3", ["fpga:cu"], 0.5, ["p3"]), _task("q2", ["fpga:cu"], 0.25, ["p2"]),
        _task("q1", ["fpga:cu"], 1.0, ["p1"]),
    ])
    for run in (simulate(dag, keep_records=True), IterationSimulator().run(dag, keep_records=True)):
        s = _starts(run)
        assert (s["q1"], s["q2"], s["q3"]) == pytest.approx((10.0, 11.0, 11.25))
        assert run.makespan == pytest.approx(11.75)


def test_a_task_needing_two_engines_queues_in_order_on_each():
    # a transfer holds a link direction and a copy engine together; the copy engine's queue is
    # served first come first served like any other
    dag = _one_layer([
        _task("x1", ["gpu:copy", "link:a>b"], 2.0),
        _task("c1", ["gpu:copy"], 1.0), _task("c2", ["gpu:copy"], 1.0),
        _task("x2", ["gpu:copy", "link:a>b"], 2.0),
    ])
    s = _starts(simulate(dag, keep_records=True))
    assert (s["x1"], s["c1"], s["c2"], s["x2"]) == (0.0, 2.0, 3.0, 4.0)


def test_queue_order_holds_across_micro_batches_and_layers():
    # every micro-batch's first task wants the same engine at t=0: micro-batch order decides
    layer = (_task("pre", ["gpu:stream"], 1.0, ["@prev:post"]), _task("post", ["fpga:cu"], 1.0, ["pre"]))
    run = simulate(IterationDag(("l", "l"), {"l": layer}, (), 3), keep_records=True)
    first = sorted((r.start, r.micro_batch) for r in run.records if r.task.key == "pre" and r.layer == 0)
    assert first == [(0.0, 0), (1.0, 1), (2.0, 2)]


def test_tasks_listing_shared_engines_in_opposite_orders_do_not_deadlock():
    # a holds x then wants y, b holds y then wants x: engines are taken in one global order,
    # so neither waits while holding what the other needs
    dag = _one_layer([_task("h1", ["x"], 1.0), _task("h2", ["y"], 1.0),
                      _task("a", ["x", "y"], 1.0), _task("b", ["y", "x"], 1.0), _task("c", ["x", "x"], 1.0)])
    run = simulate(dag, keep_records=True)
    s = _starts(run)
    assert (s["a"], s["b"], s["c"]) == (1.0, 2.0, 3.0)
    assert run.makespan == 4.0


def test_tail_tasks_follow_the_last_layer_and_each_other():
    layer = (_task("pre", ["gpu:stream"], 1.0, ["@prev:post"]), _task("post", ["gpu:stream"], 1.0, ["pre"]))
    tail = (_task("head", ["gpu:stream"], 2.0, ["post"]), _task("sample", ["cpu:x"], 0.5, ["head"]))
    run = simulate(IterationDag(("l", "l"), {"l": layer}, tail, 1), keep_records=True)
    s = {(r.layer, r.task.key): r.start for r in run.records}
    assert s[(-1, "head")] == 4.0 and s[(-1, "sample")] == 6.0
    assert run.makespan == 6.5


def test_a_dependency_cycle_is_reported_not_hung():
    dag = _one_layer([_task("a", ["x"], 1.0, ["b"]), _task("b", ["x"], 1.0, ["a"])])
    with pytest.raises(RuntimeError, match=r"deadlocked.*'a'"):
        simulate(dag, keep_records=False)


def test_step_simulator_reuses_identical_steps_and_simulates_changed_ones():
    def dag(duration):
        return _one_layer([_task("a", ["x"], duration), _task("b", ["x"], 1.0, ["a"])])

    sim = IterationSimulator()
    first = sim.run(dag(1.0))
    assert first.records is None and first.makespan == 2.0
    assert sim.run(dag(1.0)) is first
    assert (sim.simulated, sim.reused) == (1, 1)
    kept = sim.run(dag(1.0), keep_records=True)  # records asked for: simulated again, with them
    assert kept.records is not None and len(kept.records) == 2 and kept.makespan == 2.0
    assert sim.run(dag(1.0)).records is not None  # and that one serves later calls
    third = sim.run(dag(3.0))
    assert third.makespan == 4.0
    assert (sim.simulated, sim.reused) == (3, 2)
    assert sim.events == first.events + kept.events + third.events  # events of what was simulated
    assert first.events > 0
