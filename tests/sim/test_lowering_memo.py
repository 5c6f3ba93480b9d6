"""The caches on the lowering path change no number: a GPU prices an op once and a stream of
ops from those prices exactly as the uncached formulas do, and a memoised compute task is the
task built afresh (op names included, since they label the trace)."""

import numpy as np

from hetsim.hardware import sorting
from hetsim.hardware.gpu import op_device_s, op_stream_device_s, stream_time_s
from hetsim.ops import Elementwise
from hetsim.sim.lowering import compute_tasks
from hetsim.sim.phases import build_dag, expand
from hetsim.workloads.base import Decode


def test_cached_gpu_prices_equal_the_uncached_formulas(small_experiment):
    scn = small_experiment(**{"workload.context_tokens": 32768})
    run = scn.runs[0]
    gpu = scn.machine().models[run.placement.model]
    pre, post = run.method.model_ops("gpu", 8)
    work = run.method.phase_layer(Decode(1, 32768), "sparse", 8)
    ops = [*pre, *(op for s in work.steps for op in s.ops.get("gpu", ())), *post]
    assert len(ops) > 10
    # ops priced by one key's formulas alone: not torch.topk's select and sort priced apart (hetsim.hardware.sorting),
    # not scaled by a table of measured neighbours; the H100's own trace keys price the page top-k apart
    one_key = [op for op in ops if len(sorting.kernels(op)) <= 1 and gpu.neighbour_factor(op) == 1.0]
    assert 10 < len(one_key) < len(ops)
    for _ in range(2):  # priced, then served from the cache
        for op in ops:
            assert gpu._price(op) == gpu._price_uncached(op)
        for op in one_key:
            r = gpu.rates_for(op)
            assert gpu.device_time_s(op) == op_device_s(r, op)
            assert gpu.stream_device_s(op) == op_stream_device_s(r, op)
            assert gpu.op_time_s(op) == max(r.dispatch_s, op_stream_device_s(r, op))
        assert gpu.ops_time_s(one_key) == stream_time_s(one_key, gpu.rates_for, gpu.host_mix)
        assert gpu.graph_time_s(one_key) == sum((op_device_s(gpu.rates_for(op), op) for op in one_key), 0.0)
        assert gpu.graph_time_s(ops) == sum((gpu._price_uncached(op)[0] for op in ops), 0.0)


def test_a_memoised_compute_task_is_the_task_built_afresh(small_experiment):
    scn = small_experiment()
    machine = scn.machine()
    dev = scn.runs[0].placement.model
    ops = (Elementwise(1 << 20, 2, name="add"), Elementwise(1 << 22, 1, name="scale"))
    memo: dict = {}
    first = compute_tasks(machine, "pre", "model", dev, ops, ("@prev:post",), memo)
    again = compute_tasks(machine, "pre", "model", dev, ops, ("@prev:post",), memo)
    fresh = compute_tasks(machine, "pre", "model", dev, ops, ("@prev:post",))
    assert first is again and first == fresh
    # equal ops under other names are other trace entries: not served from the memo
    renamed = (Elementwise(1 << 20, 2, name="sub"), Elementwise(1 << 22, 1, name="scale"))
    other = compute_tasks(machine, "pre", "model", dev, renamed, ("@prev:post",), memo)
    assert [t.duration for t in other] == [t.duration for t in first]
    assert [r.name for r in other[-1].ops] == ["sub", "scale"]


def test_dags_built_through_the_memo_equal_dags_built_without(small_experiment):
    scn = small_experiment(**{"workload.decode_tokens": 3})
    for run in scn.runs:
        machine = scn.machine()
        memo: dict = {}
        for phase in run.method.plan(np.random.default_rng(scn.spec.seed)):
            for _, step in expand(phase):
                plain = build_dag(machine, run.method, run.placement, step)
                assert build_dag(machine, run.method, run.placement, step, memo) == plain
                assert build_dag(machine, run.method, run.placement, step, memo) == plain  # from the memo
        assert memo, run.label
