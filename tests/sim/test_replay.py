"""The replay path (`hetsim.sim.replay`): a decode phase's steps replayed in the grant order of a
step SimPy simulated give SimPy's own makespans, and a step whose FIFO order would differ is
caught and simulated instead."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hetsim.sim.phases as phases
from hetsim.config.load import configs_root
from hetsim.runner import run_experiment
from hetsim.scenario import load_experiment
from hetsim.sim.engine import IterationDag, IterationSimulator, simulate
from hetsim.sim.lowering import PREV_POST, TaskT
from hetsim.sim.replay import Reference, Replayer

EXAMPLES = sorted((configs_root() / "experiments").glob("*.yaml"))
SHORT = {"workload.decode_tokens": 64, "outputs.write": False}
# MemAgent also decodes its memory (1,024 steps a chunk): shorter, to keep the exact path quick
SHORTER = {"memagent": {"workload.params.memory_tokens": 64}}


def _metrics(run) -> dict:
    m = run.metrics
    return {k: m[k] for k in m if k != "sim"}  # `sim` counts how the steps were run: it differs by design


def _assert_close(a, b, where: str) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _assert_close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, float):
        assert a == pytest.approx(b, rel=1e-3, abs=1e-12), where
    elif isinstance(a, tuple | list) and a and all(isinstance(x, float) for x in a):  # a band: (low, high)
        assert len(a) == len(b), where
        for x, y in zip(a, b, strict=True):
            assert x == pytest.approx(y, rel=1e-3, abs=1e-12), where
    else:
        assert a == b, where


def _run(path, catalogue, replay: bool):
    exp = load_experiment(path, catalogue, {**SHORT, **SHORTER.get(path.stem, {})})
    with pytest.MonkeyPatch.context() as mp:
        if not replay:
            mp.setattr(phases, "REPLAY_MIN_STEPS", 10**9)  # every step through SimPy
        return run_experiment(exp)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_replay_path_equals_the_exact_path_on_every_example(path, catalogue):
    fast, exact = _run(path, catalogue, replay=True), _run(path, catalogue, replay=False)
    assert [r.label for r in fast] == [r.label for r in exact]  # both placements and the baseline
    for f, e in zip(fast, exact, strict=True):
        _assert_close(_metrics(f), _metrics(e), f"{path.stem}:{f.label}")
        # replayed makespans are SimPy's to the bit, so every step row is identical
        assert f.iteration_rows == e.iteration_rows, f.label
        assert [(p, t, t0, r.task.key, r.start, r.end) for p, t, t0, r in f.records] == \
               [(p, t, t0, r.task.key, r.start, r.end) for p, t, t0, r in e.records], f.label
        assert f.metrics["sim"]["iterations_simulated"] <= e.metrics["sim"]["iterations_simulated"]


def test_a_long_decode_simulates_one_step_per_structure(small_experiment):
    exp = small_experiment(**{"workload.decode_tokens": 64, "baseline": None, "outputs.trace_decode_steps": 0})
    for run in run_experiment(exp):
        sim = run.metrics["sim"]
        assert sim["iterations_simulated"] == 2, run.label  # the prefill and one decode step; 63 replayed
        assert sim["iterations_simulated"] + sim["iterations_reused"] == 1 + 64


def test_replayed_runs_are_deterministic(small_experiment):
    def once():
        exp = small_experiment(**{"workload.decode_tokens": 40})
        return [(_metrics(r), r.iteration_rows) for r in run_experiment(exp)]

    assert once() == once()


# ---------------------------------------------------------------- hand-built steps
def _task(key, resources, duration, deps=()):
    return TaskT(key, "model", "d", tuple(resources), duration, tuple(deps))


def _race(a_s: float, b_s: float) -> IterationDag:
    """qa and qb want engine x once their feeders (a on engine A, b on engine B) finish: whichever
    feeder ends first queues first."""
    return IterationDag(("l",), {"l": (
        _task("a", ["A:e"], a_s), _task("b", ["B:e"], b_s),
        _task("qa", ["x:e"], 1.0, ["a"]), _task("qb", ["x:e"], 1.0, ["b"]),
    )}, (), 1)


def _reference(dag: IterationDag) -> tuple[Reference, list]:
    sim = IterationSimulator()
    compiled = sim.compile(dag)
    durations = np.array([t.duration for t in compiled.tasks(dag)])
    return Reference(compiled, sim.run(dag), durations == 0.0), compiled


def _durations(compiled, dags) -> np.ndarray:
    return np.array([[t.duration for t in compiled.tasks(d)] for d in dags]).T


def test_replay_in_the_same_order_is_simpys_schedule():
    ref, compiled = _reference(_race(1.0, 2.0))  # qa queues at 1, qb at 2
    dags = [_race(1.5, 2.5), _race(0.25, 4.0)]
    span, ok = ref.replay(_durations(compiled, dags))
    assert ok.all()
    assert span.tolist() == [simulate(d, keep_records=False).makespan for d in dags]


def test_a_step_whose_fifo_order_changes_is_detected_and_simulated():
    ref, compiled = _reference(_race(1.0, 2.0))  # x granted to qa, then qb
    swapped = _race(3.0, 2.0)  # now qb asks for x first: SimPy runs qb at 2, qa at 3
    span, ok = ref.replay(_durations(compiled, [swapped]))
    assert not ok[0]
    truth = simulate(swapped, keep_records=False).makespan
    assert truth == 4.0 and span[0] == 5.0  # the old order would be wrong: qb behind qa, 4 to 5

    sim = IterationSimulator()
    replayer = Replayer(sim)
    steps = [_race(1.0, 2.0), _race(1.5, 2.0), swapped, _race(3.5, 2.0), _race(4.0, 2.0)]
    sig = ("race",)
    out = replayer.makespans(sig, sim.compile(steps[0]), _durations(compiled, steps), lambda k: steps[k])
    assert out.tolist() == [simulate(d, keep_records=False).makespan for d in steps]
    # SimPy ran the first step and the first swapped one; the rest followed their orders
    assert sim.simulated == 2 and replayer.replayed == 3


def test_a_tie_after_time_zero_is_not_replayed():
    # qa and qb ask for x at the same instant (2 s): SimPy breaks the tie by event order, which
    # the replay does not model, so the step goes back to SimPy
    ref, compiled = _reference(_race(1.0, 2.0))
    _, ok = ref.replay(_durations(compiled, [_race(2.0, 2.0)]))
    assert not ok[0]


def test_roots_queued_at_time_zero_replay_in_template_order():
    def dag(d1, d2, d3):
        return IterationDag(("l",), {"l": (_task("r1", ["x:e"], d1), _task("r2", ["x:e"], d2),
                                      _task("r3", ["x:e"], d3))}, (), 1)

    ref, compiled = _reference(dag(1.0, 2.0, 3.0))
    dags = [dag(3.0, 2.0, 1.0), dag(0.5, 0.5, 0.5)]
    span, ok = ref.replay(_durations(compiled, dags))
    assert ok.all()
    assert span.tolist() == [simulate(d, keep_records=False).makespan for d in dags]


def test_a_multi_engine_task_waits_for_every_engine_it_holds():
    # t takes x and y (a transfer holds its link and both copy engines): it starts only when
    # both the task on x and the task on y are done
    def dag(dx, dy):
        return IterationDag(("l",), {"l": (_task("on_x", ["x:e"], dx), _task("on_y", ["y:e"], dy),
                                      _task("t", ["x:e", "y:e"], 1.0))}, (), 1)

    ref, compiled = _reference(dag(1.0, 2.0))
    dags = [dag(3.0, 2.5), dag(0.5, 4.0)]
    span, ok = ref.replay(_durations(compiled, dags))
    assert ok.all()
    assert span.tolist() == [4.0, 5.0] == [simulate(d, keep_records=False).makespan for d in dags]


# ---------------------------------------------------------------- any step structure
ENGINES = ("gpu0:stream", "gpu0:copy", "fpga0:cu", "l0:gpu0>fpga0")
# few distinct values, so requests often tie and orders often change between steps
DURATIONS = st.one_of(st.sampled_from((0.0, 0.5, 1.0, 2.0)), st.floats(0.001, 4.0, allow_nan=False))


@st.composite
def repeated_steps(draw):
    """One step structure (a layer kind repeated, micro-batches, engines shared any way) and
    several steps of it with fresh durations."""
    n = draw(st.integers(1, 6))
    keys = [f"t{i}" for i in range(n - 1)] + ["post"]
    shape = []
    for i in range(n):
        deps = draw(st.lists(st.sampled_from(keys[:i]), unique=True, max_size=2)) if i else []
        if draw(st.booleans()):
            deps.append(PREV_POST)
        shape.append((keys[i], tuple(draw(st.lists(st.sampled_from(ENGINES), min_size=1, max_size=3))), tuple(deps)))
    layers, mbs = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return [IterationDag(("l",) * layers, {"l": tuple(_task(k, res, draw(DURATIONS), deps) for k, res, deps in shape)},
                    (), mbs) for _ in range(draw(st.integers(2, 6)))]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(repeated_steps())
def test_replayed_makespans_are_simpys_for_any_step_structure(steps):
    """Whatever the orders do from step to step, the makespans are SimPy's, to the bit."""
    sim = IterationSimulator()
    compiled = sim.compile(steps[0])
    replayer = Replayer(sim)
    out = replayer.makespans(("any",), compiled, _durations(compiled, steps), lambda k: steps[k])
    assert out.tolist() == [simulate(d, keep_records=False).makespan for d in steps]
    assert sim.simulated + sim.reused + replayer.replayed == len(steps)  # each step priced once, one way or the other
