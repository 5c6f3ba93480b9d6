"""Pipelined batches: N independent full-size batches in flight overlap the FPGA's steps with the
GPU's work without re-reading the weights per request, and are priced per request over all of
them; micro-batches re-read the weights. Memory, request-level methods and serving are checked."""

import pytest

from hetsim.errors import CapacityError, ConfigError
from hetsim.runner import run_experiment

FPGA_STEPS = {"relevancy": "fpga0", "retrieval": "fpga0"}


def runs(small_experiment, placements, **overrides):
    scn = small_experiment(**{"baseline": None, "placements": placements, "workload.batch": 4,
                              "workload.context_tokens": 32768, "workload.decode_tokens": 8, **overrides})
    return {r.placement: r.metrics for r in run_experiment(scn)}


def llm_s_per_token(m) -> float:
    """The LLM layers' device time per decode step (all of a step's batches): the weights' reads live here."""
    return m.step_time_per_token_s["model"]


def test_on_one_device_two_pipelined_batches_take_twice_as_long_at_the_same_cost_per_request(small_experiment):
    m = runs(small_experiment, ["gpu-only", {"name": "two", "pipelined_batches": 2}])
    one, two = m["gpu-only"], m["two"]
    # the compute stream serves both batches in turn; only what runs off it (a copy engine's work)
    # can overlap the other batch
    assert 1.98 * one.tpot_s <= two.tpot_s <= 2 * one.tpot_s * (1 + 1e-9)
    assert two.decode_tokens_per_s == pytest.approx(one.decode_tokens_per_s, rel=1e-2)
    assert two.energy_per_request_j == pytest.approx(one.energy_per_request_j, rel=1e-2)


def test_pipelined_batches_read_the_weights_once_per_batch_micro_batches_once_per_micro_batch(small_experiment):
    m = runs(small_experiment, [{"name": "one", **FPGA_STEPS}, {"name": "mb", **FPGA_STEPS, "micro_batches": 2},
                                {"name": "pipe", **FPGA_STEPS, "pipelined_batches": 2}])
    # per batch, a pipelined step costs the LLM layers what one batch alone costs
    assert llm_s_per_token(m["pipe"]) / 2 == pytest.approx(llm_s_per_token(m["one"]), rel=1e-9)
    # two micro-batches of half the batch cost more for the same requests: each reads the weights
    assert llm_s_per_token(m["mb"]) > 1.3 * llm_s_per_token(m["one"])


def test_pipelined_batches_overlap_the_fpga_with_the_gpu(small_experiment):
    m = runs(small_experiment, [{"name": "one", **FPGA_STEPS}, {"name": "pipe", **FPGA_STEPS, "pipelined_batches": 2}])
    one, pipe = m["one"], m["pipe"]
    assert pipe.tpot_s < 2 * one.tpot_s * 0.98  # the second batch's work hides under the first's
    assert pipe.tpot_s > one.tpot_s  # but each request waits for both batches' GPU work
    assert pipe.decode_tokens_per_s > one.decode_tokens_per_s * 1.02
    assert pipe.device_busy_frac["fpga0:cu"] > 0


def test_pipelined_batches_must_hold_every_batch_kv_cache(small_experiment):
    small_experiment(**{"baseline": None, "workload.batch": 8, "workload.context_tokens": 32768,
                        "placements": [{"name": "one", **FPGA_STEPS}]})  # fits alone
    with pytest.raises(CapacityError) as info:
        small_experiment(**{"baseline": None, "workload.batch": 8, "workload.context_tokens": 32768,
                            "placements": [{"name": "pipe", **FPGA_STEPS, "pipelined_batches": 2}]})
    assert "KV cache of 16 x" in info.value.message


def test_a_request_level_method_refuses_pipelined_batches(catalogue):
    from hetsim.scenario import load_experiment

    with pytest.raises(ConfigError) as info:
        load_experiment("configs/experiments/rag.yaml", catalogue,
                        {"placements": [{"name": "p", **FPGA_STEPS, "pipelined_batches": 2}]})
    assert info.value.field == "placements[0].pipelined_batches" and "request-level" in info.value.message


def test_serving_refuses_pipelined_batches(catalogue):
    from hetsim.scenario import load_experiment

    with pytest.raises(ConfigError) as info:
        load_experiment("configs/experiments/serving_static.yaml", catalogue,
                        {"placements": [{"name": "p", "pipelined_batches": 2}]})
    assert info.value.field == "placements[0].pipelined_batches"
