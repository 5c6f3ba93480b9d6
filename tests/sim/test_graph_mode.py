"""simulation.gpu_execution: eager PyTorch (the host issues while the GPU runs: the slower of the
two sums) against a CUDA-graph replay (no host in the way: the GPU's own times add up)."""

import pytest

from hetsim.ops import Elementwise, Matmul, Reduction
from hetsim.runner import run_experiment
from hetsim.sim.lowering import compute_tasks
from hetsim.sim.machine import Machine

DECODE = 3
SMALL = {"workload.batch": 1, "workload.context_tokens": 4096, "workload.decode_tokens": DECODE,
         "outputs.trace_decode_steps": DECODE, "placements": ["gpu-only"], "baseline": None}
OPS = (Elementwise(4096, 2, "bf16", name="add"), Matmul(1, 4096, 4096, name="proj"),
       Reduction(4096, 128, "bf16", "sum", name="norm"), Elementwise(8192, 1, "bf16", name="act"))


def _run(small_experiment, mode):
    (run,) = run_experiment(small_experiment(**SMALL, **{"simulation.gpu_execution": mode}))
    return run


def test_a_graph_task_takes_the_sum_of_device_times_an_eager_one_a_host_and_a_device_stage(small_experiment):
    graph = Machine(small_experiment(**{"simulation.gpu_execution": "graph"}))
    eager = Machine(small_experiment(**{"simulation.gpu_execution": "eager"}))
    gpu = graph.models["gpu0"]
    (t_graph,) = compute_tasks(graph, "t", "model", "gpu0", OPS, ())
    lead, host, device_task = compute_tasks(eager, "t", "model", "gpu0", OPS, ())
    device = [gpu.device_time_s(op) for op in OPS]
    assert t_graph.duration == pytest.approx(sum(device))
    assert [r.seconds for r in t_graph.ops] == pytest.approx(device)
    # eager: the host issues (mixed issue time), the GPU runs each op's stream time after it
    # the GPU starts once the first op is issued (`lead:t`); the host issues the rest meanwhile (`host:t`)
    (seg,) = gpu.stream_segments(OPS)
    assert (lead.key, lead.resources, lead.deps) == ("lead:t", ("gpu0:host",), ())
    assert (host.key, host.resources, host.deps) == ("host:t", ("gpu0:host",), ("lead:t",))
    assert 0 < lead.duration < seg.host_s and lead.duration + host.duration == pytest.approx(seg.host_s)
    assert (device_task.key, device_task.resources, device_task.deps) == ("t", ("gpu0:stream",), ("lead:t",))
    assert device_task.duration == pytest.approx(sum(gpu.stream_device_s(op) for op in OPS))
    assert gpu.ops_time_s(OPS) == pytest.approx(max(seg.host_s, device_task.duration))
    # small ops are host-bound when issued eagerly: the graph replay is faster
    assert gpu.ops_time_s(OPS) > sum(device)
    assert t_graph.duration < seg.host_s


def test_graph_mode_lowers_tpot_of_a_host_bound_run(small_experiment):
    eager, graph = _run(small_experiment, "eager"), _run(small_experiment, "graph")
    assert graph.metrics["tpot_s"] < eager.metrics["tpot_s"]
    assert graph.metrics["ttft_s"] <= eager.metrics["ttft_s"]


def test_a_graph_step_on_one_stream_is_the_sum_of_its_tasks_device_times(small_experiment):
    run = _run(small_experiment, "graph")
    per_step = {}
    for phase, token, _, rec in run.records:
        if phase == "decode":
            assert rec.task.resources == ("gpu0:stream",)  # gpu-only, one micro-batch: one stream
            per_step[token] = per_step.get(token, 0.0) + sum(op.seconds for op in rec.task.ops)
    assert sorted(per_step) == list(range(DECODE))
    steps = [row["iteration_s"] for row in run.iteration_rows if row["label"] == "decode"]
    assert steps == pytest.approx([per_step[t] for t in range(DECODE)])
    assert run.metrics["tpot_s"] == pytest.approx(sum(per_step.values()) / DECODE)
