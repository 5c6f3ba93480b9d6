"""Property-based tests of the engine: any step DAG, however its tasks share engines, runs every
task exactly once, never lets two tasks hold one engine at once, starts no task before its
dependencies end, and ends between the critical path and the sum of all durations. Checked
through `simulate` and through `IterationSimulator.run` (whatever fast path it may take for steps
that repeat)."""

from collections import defaultdict

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hetsim.sim.engine import IterationDag, IterationSimulator, simulate
from hetsim.sim.lowering import PREV_POST, TaskT

ENGINES = ("gpu0:stream", "gpu0:copy", "fpga0:cu", "l0:gpu0>fpga0")
EPS = 1e-9
DURATIONS = st.one_of(st.just(0.0), st.floats(0.001, 5.0, allow_nan=False, allow_infinity=False))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def templates(draw, prefix, n_max=6):
    """Tasks of one layer kind: each depends on some earlier task of the layer (or the previous
    layer's "post"), holds up to three engines listed in any order (even twice) and ends with
    "post"."""
    n = draw(st.integers(1, n_max))
    keys = [f"{prefix}{i}" for i in range(n - 1)] + ["post"]
    tasks = []
    for i, key in enumerate(keys):
        deps = draw(st.lists(st.sampled_from(keys[:i]), unique=True, max_size=3)) if i else []
        if draw(st.booleans()):
            deps.append(PREV_POST)
        resources = draw(st.lists(st.sampled_from(ENGINES), max_size=3))
        tasks.append(TaskT(key, "model", "d", tuple(resources), draw(DURATIONS), tuple(deps)))
    return tuple(tasks)


@st.composite
def step_dags(draw):
    kinds = draw(st.lists(st.sampled_from(("a", "b")), min_size=1, max_size=3))
    tmpl = {k: draw(templates(k)) for k in sorted(set(kinds))}
    tail = ()
    if draw(st.booleans()):  # after the last layer: a head, and maybe a task after the head
        tail = (TaskT("lm_head", "model", "d", (draw(st.sampled_from(ENGINES)),), draw(DURATIONS), ("post",)),)
        if draw(st.booleans()):
            tail += (TaskT("sample", "model", "d", (draw(st.sampled_from(ENGINES)),), draw(DURATIONS),
                           ("lm_head",)),)
    return IterationDag(tuple(kinds), tmpl, tail, draw(st.integers(1, 3)))


def expanded(dag):
    """Every task instance as (micro-batch, layer, key) -> (duration, engines, dependency ids)."""
    out = {}
    last = len(dag.layer_kinds) - 1
    for mb in range(dag.micro_batches):
        for layer, kind in enumerate(dag.layer_kinds):
            for t in dag.templates[kind]:
                deps = [(mb, layer - 1, "post") if d == PREV_POST else (mb, layer, d) for d in t.deps
                        if d != PREV_POST or layer > 0]
                out[(mb, layer, t.key)] = (t.duration, t.resources, deps)
        for t in dag.tail:
            out[(mb, -1, t.key)] = (t.duration, t.resources,
                                    [(mb, last, "post") if d == "post" else (mb, -1, d) for d in t.deps])
    return out


def critical_path(tasks):
    finish = {}

    def end(ident):
        if ident not in finish:
            duration, _, deps = tasks[ident]
            finish[ident] = duration + max((end(d) for d in deps), default=0.0)
        return finish[ident]

    return max(end(i) for i in tasks)


def check_run(dag, run):
    tasks = expanded(dag)
    recs = {(r.micro_batch, r.layer, r.task.key): r for r in run.records}
    # every task ran, exactly once, for its own duration
    assert len(run.records) == len(tasks) == len(recs)
    assert set(recs) == set(tasks)
    for ident, (duration, _, deps) in tasks.items():
        r = recs[ident]
        assert r.start >= -EPS and r.end - r.start == pytest.approx(duration, abs=EPS)
        for d in deps:  # no task starts before what it depends on has ended
            assert recs[d].end <= r.start + EPS, (ident, d)
    # no engine is ever held by two tasks at once
    on_engine = defaultdict(list)
    for ident, (_, resources, _) in tasks.items():
        for e in set(resources):
            on_engine[e].append((recs[ident].start, recs[ident].end, ident))
    for e, intervals in on_engine.items():
        intervals.sort()
        for (_, e0, a), (s1, _, b) in zip(intervals, intervals[1:], strict=False):
            assert s1 >= e0 - EPS, (e, a, b)
    # the step takes at least its critical path and at most every task back to back
    assert run.makespan == pytest.approx(max(r.end for r in run.records), abs=EPS)
    assert run.makespan >= critical_path(tasks) - EPS
    assert run.makespan <= sum(d for d, _, _ in tasks.values()) + EPS


@SETTINGS
@given(step_dags())
def test_simulate_runs_every_task_once_without_double_booking(dag):
    check_run(dag, simulate(dag, keep_records=True))


@SETTINGS
@given(step_dags())
def test_step_simulator_agrees_with_simulate(dag):
    sim = IterationSimulator()
    check_run(dag, sim.run(dag, keep_records=True))
    plain = simulate(dag, keep_records=False)
    assert sim.run(dag).makespan == pytest.approx(plain.makespan, abs=EPS)


@SETTINGS
@given(step_dags(), st.lists(st.floats(0.0, 3.0, allow_nan=False), min_size=2, max_size=4))
def test_repeated_steps_with_new_durations_match_a_fresh_simulation(dag, scales):
    # the decode steps of a run: one structure, durations that change step by step
    sim = IterationSimulator()
    for scale in scales:
        step = IterationDag(dag.layer_kinds,
                       {k: tuple(t.__class__(t.key, t.step, t.device, t.resources, t.duration * scale, t.deps)
                                 for t in ts) for k, ts in dag.templates.items()},
                       dag.tail, dag.micro_batches)
        fresh = simulate(step, keep_records=True)
        check_run(step, fresh)
        assert sim.run(step).makespan == pytest.approx(fresh.makespan, abs=EPS)
        check_run(step, sim.run(step, keep_records=True))
