"""Serving under stack hf-paged (hetsim/serving/stack_cost.py): an iteration is the engine's traced
forward at its (Q, K, R), plus the manager's host work and a cuDNN SDPA graph build when (Q, K) is
new to the run; bad combinations are refused in one line."""

from pathlib import Path

import pytest
import yaml

from hetsim.errors import ConfigError
from hetsim.ops import HostCall
from hetsim.scenario import load_experiment
from hetsim.serving.run import ServingRunner
from hetsim.serving.stack_cost import PagedIterationCost, Shape, shape_of

REPO = Path(__file__).resolve().parents[2]
VALIDATION = REPO / "configs" / "experiments" / "serving_validation_h200.yaml"


@pytest.fixture(scope="module")
def cost():
    exp = load_experiment(VALIDATION, overrides={"outputs.write": False})
    return ServingRunner(exp, exp.runs[0]).cost


def test_shape_of_an_iteration():
    # 3 decodes holding 900 tokens (new ones included), a first chunk and a later chunk of a prompt
    assert shape_of(3, 900, [(200, 200), (100, 612)]) == Shape(303, 900 + 200 + 612, 5)
    assert shape_of(0, 0, [(200, 200), (40, 40)]) == Shape(240, 0, 2)  # nothing cached: write-only
    assert shape_of(1, 301, []).phase == "single" and shape_of(2, 602, []).phase == "cached"
    assert shape_of(0, 0, [(512, 512)]).phase == "fresh"


def test_the_validation_config_prices_with_the_paged_engine(cost):
    assert isinstance(cost, PagedIterationCost)
    gpu = cost.machine.models[cost.p.model]
    assert cost.plan_s == gpu.dispatch_s(HostCall("sdpa_plan", "cudnn"))
    assert cost.plan_s > 0.01  # the H200 profile's measured cuDNN graph build (tens of ms)


def test_with_cudnn_sdpa_off_the_engine_builds_no_graph_and_runs_memory_efficient_attention(cost):
    # measured on the H200 (calibration/serving/2026-12-02-cudnn-off): TPOT 35.1 ms against 86.1 ms with cuDNN in
    # the same lease; hetsim: 30.7 and 90.1 ms
    exp = load_experiment(VALIDATION, overrides={"outputs.write": False, "workload.cudnn_sdpa": "off"})
    off = ServingRunner(exp, exp.runs[0]).cost
    assert off.plan_s == 0.0
    attention = [op for op in off.ops.forward(Shape(4, 2800, 4))["attn"] if getattr(op, "backend", None)]
    assert [op.backend for op in attention] == ["efficient"]  # the engine's masked call: no flash
    assert off.price(4, 4 * 700 + 3, []).time_s < cost.price(4, 4 * 700 + 3, []).time_s - 0.04


def test_every_iteration_pays_the_manager_and_one_cudnn_graph_build(cost):
    key = cost.key(4, 4 * 700 + 3, [])
    priced = cost.price(4, 4 * 700 + 3, []).time_s
    manager = cost.manager[0] + 4 * cost.manager[1]
    assert cost.manager[0] > 0 and cost.manager[1] > 0
    assert priced == pytest.approx(cost.forward_s(key) + manager + cost.plan_s)
    # the manager's work grows with the requests, one graph build whatever the batch
    assert cost.host_s(16) - cost.host_s(1) == pytest.approx(15 * cost.manager[1])


def test_a_lone_decode_is_host_bound_and_a_huge_read_is_not(cost):
    small = cost.forward_s(cost.key(8, 8 * 300, []))
    huge = cost.forward_s(cost.key(8, 8 * 120_000, []))  # index_select + attention over ~1M keys a layer
    assert huge > 1.5 * small
    # more decodes add device work only: the eager forward stays about the host's issue time
    assert cost.forward_s(cost.key(1, 300, [])) == pytest.approx(small, rel=0.1)


def test_a_prefill_chunk_prices_its_tokens_attention_and_lm_head(cost):
    alone = cost.forward_s(cost.key(6, 6 * 600, []))
    mixed = cost.forward_s(cost.key(6, 6 * 600, [(506, 1200)]))
    assert mixed > alone  # 506 more tokens through every projection, attention over 1200 more keys


def _config(tmp_path, **changes):
    data = yaml.safe_load(VALIDATION.read_text())
    data["serving"]["requests"]["trace"] = str(REPO / "calibration" / "serving" / "requests.csv")
    for key, value in changes.items():
        section, field = key.split(".")
        if value is None:
            data.pop(section)
        else:
            data.setdefault(section, {})[field] = value
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(("changes", "needle"), [
    ({"serving.x": None}, "serving runs only"),
    ({"simulation.gpu_execution": "graph"}, "without CUDA graphs"),
])
def test_hf_paged_outside_what_it_traced_is_refused(tmp_path, changes, needle):
    with pytest.raises(ConfigError) as err:
        load_experiment(_config(tmp_path, **changes), overrides={"outputs.write": False})
    assert err.value.field == "workload.stack" and needle in str(err.value)


def test_bucketed_shapes_price_within_the_stated_bound(cost):
    from hetsim.serving.cost import IterationCost

    error = 0.2
    bucketed = IterationCost(cost.machine, cost.method, cost.p, error)
    assert isinstance(bucketed, PagedIterationCost)
    for shape in ((5, 5 * 733, []), (0, 0, [(317, 317)]), (3, 3 * 1201, [(129, 900)]), (23, 23 * 4000, [])):
        exact, priced = cost.price(*shape).time_s, bucketed.price(*shape).time_s
        assert exact <= priced * (1 + 1e-9) and priced <= (1 + error) * exact
