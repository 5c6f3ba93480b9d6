"""Memory steps off the GPU overlapping other request groups' GPU work inside one serving
iteration (hetsim.serving.memory_pipeline): LServe with Relevancy + Retrieval on a U55C."""

from pathlib import Path

import pytest

from hetsim.scenario import load_experiment
from hetsim.serving.memory_pipeline import layer_tasks, split_requests
from hetsim.serving.run import ServingRunner
from hetsim.sim.engine import IterationDag, IterationSimulator

CHUNKED = Path(__file__).resolve().parents[2] / "configs" / "experiments" / "serving_chunked.yaml"
LSERVE = {"outputs.write": False, "system": "h100_u55c", "workload.method": "lserve",
          "workload.params": {"page_size": 16, "token_budget": 1024, "dense_layers": 2},
          "placements": ["gpu-only", "paper"], "serving.requests.count": 4,
          "serving.requests.prompt_tokens": {"dist": "fixed", "value": 32768},
          "serving.requests.output_tokens": {"dist": "fixed", "value": 16}}
BATCH, CONTEXT = 8, 32768


@pytest.fixture(scope="module")
def runners(catalogue):
    exp = load_experiment(CHUNKED, catalogue, LSERVE)
    return {p.placement.name: ServingRunner(exp, p) for p in exp.runs}


def priced_ms(runner, groups, chunks=()):
    runner.cost.memory_groups = groups
    runner.cost.memo.clear()
    return runner.cost.price(BATCH, BATCH * CONTEXT, list(chunks)).time_s * 1e3


def sparse_layer(runner, groups):
    cost = runner.cost
    cost.memory_groups = groups
    (n, ctx), chunks = cost.key(BATCH, BATCH * CONTEXT, [])
    pre, post = cost.method.model_ops("gpu", n)
    return layer_tasks(cost, "sparse", n, ctx, chunks, pre, post)


def test_requests_split_into_groups():
    assert split_requests(8, (), 4) == [(2, []), (2, []), (2, []), (2, [])]
    assert split_requests(3, (), 4) == [(1, []), (1, []), (1, [])]  # no empty group
    # a chunk goes to the group with the fewest tokens so far
    assert split_requests(2, (((256, 4096), 1),), 3) == [(1, []), (1, []), (0, [(256, 4096)])]


def test_serving_overlaps_two_groups_by_default(runners):
    assert runners["paper"].cost.memory_groups == 2


def test_overlap_lowers_the_iteration_time_but_not_below_the_fpga_work(runners):
    paper = runners["paper"]
    serial, overlapped = priced_ms(paper, 1), priced_ms(paper, 4)
    assert overlapped < serial
    fpga_ms = sum(t.duration for t in sparse_layer(paper, 4) if t.device == "fpga0" and "fpga0:cu" in t.resources)
    sparse_layers = paper.cost.kinds.count("sparse")
    assert overlapped >= fpga_ms * sparse_layers * 1e3  # the FPGA's own work cannot be hidden
    # a mixed iteration (a prefill chunk's attention on the GPU) has more GPU work to hide
    assert serial - overlapped < priced_ms(paper, 1, [(256, 4096)]) - priced_ms(paper, 4, [(256, 4096)])


def test_groups_change_nothing_when_every_step_is_on_the_gpu(runners):
    gpu = runners["gpu-only"]
    assert priced_ms(gpu, 4) == priced_ms(gpu, 1)


def test_weights_are_read_once_per_layer(runners):
    def model_bytes(tasks):
        return sum(op.bytes for t in tasks if t.step == "model" for op in t.ops)

    one, four = sparse_layer(runners["paper"], 1), sparse_layer(runners["paper"], 4)
    assert sum(t.key == "pre" for t in four) == sum(t.key == "post" for t in four) == 1
    assert model_bytes(four) == model_bytes(one) > 0


def test_a_group_applies_only_after_its_own_retrieval(runners):
    tasks = sparse_layer(runners["paper"], 4)
    dag = IterationDag(("sparse", "sparse"), {"sparse": tasks}, (), 1)
    records = IterationSimulator().run(dag, keep_records=True).records
    at = {(r.layer, r.task.key): r for r in records}
    for layer in (0, 1):
        for g in range(4):
            search, apply = at[layer, f"relevancy+retrieval@g{g}"], at[layer, f"apply@g{g}"]
            assert apply.start >= search.end
        # the FPGA searches group 1 while the GPU applies group 0: the devices overlap
        assert at[layer, "apply@g0"].start < at[layer, "relevancy+retrieval@g1"].end
        post = at[layer, "post"]
        assert post.start >= max(at[layer, f"apply@g{g}"].end for g in range(4))
