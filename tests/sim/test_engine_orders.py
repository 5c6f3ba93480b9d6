"""Engine details the queueing tests do not reach: a task that takes no time ends where it starts
(its successors ask for their engines at once, ahead of roots listed after it), the events SimPy
schedules (one per task that takes time), the grant order recorded for the replay, and one
compiled structure shared by every step of that structure."""

from hetsim.sim.engine import IterationDag, IterationSimulator, simulate
from hetsim.sim.lowering import TaskT


def _task(key, resources, duration, deps=()):
    return TaskT(key, "model", "d", tuple(resources), duration, tuple(deps))


def _one_layer(tasks):
    return IterationDag(("l",), {"l": tuple(tasks)}, (), 1)


def _zero_then_race():
    # roots: z (engine X, no time) and b (engine Y, 1 s); c needs z and engine Y (1 s)
    return _one_layer([_task("z", ["X"], 0.0), _task("b", ["Y"], 1.0), _task("c", ["Y"], 1.0, ["z"])])


def test_a_task_that_takes_no_time_hands_on_at_once():
    # z ends at 0 the moment it starts, so c asks for Y at 0 before the later root b does:
    # c holds Y over [0, 1], b waits for it and runs over [1, 2]
    run = simulate(_zero_then_race(), keep_records=True)
    starts = {r.task.key: (r.start, r.end) for r in run.records}
    assert starts == {"z": (0.0, 0.0), "c": (0.0, 1.0), "b": (1.0, 2.0)}
    assert run.makespan == 2.0
    # the grant order recorded for the replay: X to z; Y to c, then b. Task indices in template order
    assert run.started == [0, 2, 1]
    assert run.grants == [[0], [2, 1]]  # engines in sorted name order: X, Y


def test_simpy_schedules_one_event_per_task_that_takes_time():
    # two tasks with a duration (b, c): two timeouts; z takes no time and schedules nothing
    assert simulate(_zero_then_race(), keep_records=False).events == 2
    five = _one_layer([_task(f"t{i}", ["X"], 0.5 * (i + 1)) for i in range(5)])
    run = simulate(five, keep_records=False)
    assert run.events == 5 and run.makespan == 0.5 * (1 + 2 + 3 + 4 + 5)


def test_a_queued_engine_passes_straight_to_the_next_holder_and_is_free_after_the_last():
    # a, b, c queue on X at 0; X goes a -> b -> c, then d (ready at 10 via its feeder) finds it free
    dag = _one_layer([_task("a", ["X"], 1.0), _task("b", ["X"], 1.0), _task("c", ["X"], 1.0),
                      _task("f", ["Y"], 10.0), _task("d", ["X"], 1.0, ["f"])])
    run = simulate(dag, keep_records=True)
    starts = {r.task.key: r.start for r in run.records}
    assert starts == {"a": 0.0, "b": 1.0, "c": 2.0, "f": 0.0, "d": 10.0}
    assert run.grants == [[0, 1, 2, 4], [3]]  # X, then Y


def test_steps_of_one_structure_share_one_compiled_dag():
    def dag(d):
        return _one_layer([_task("a", ["X"], d), _task("b", ["X", "Y"], 1.0, ["a"])])

    sim = IterationSimulator()
    first = sim.run(dag(1.0))
    second = sim.run(dag(2.5))  # a new duration vector: simulated again, on the same structure
    assert (first.makespan, second.makespan) == (2.0, 3.5)
    assert sim.simulated == 2 and len(sim.compiled) == 1
    assert sim.compile(dag(7.0)) is next(iter(sim.compiled.values()))


def test_steps_with_equal_durations_on_other_engines_are_not_one_simulation():
    # same task keys and durations; a and b share engine X (one after the other: 2 s) or not (1 s)
    shared = _one_layer([_task("a", ["X"], 1.0), _task("b", ["X"], 1.0)])
    apart = _one_layer([_task("a", ["X"], 1.0), _task("b", ["Y"], 1.0)])
    after = _one_layer([_task("a", ["X"], 1.0), _task("b", ["Y"], 1.0, ["a"])])  # b waits for a: 2 s
    sim = IterationSimulator()
    assert [sim.run(d).makespan for d in (shared, apart, after)] == [2.0, 1.0, 2.0]
    assert sim.run(apart).grants == [[0], [1]]
    assert sim.simulated == 3 and sim.reused == 1 and len(sim.compiled) == 3
