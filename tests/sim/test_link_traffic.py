"""Link traffic of a small LServe run on the paper placement, computed by hand from the
method's shapes (docs: LServe/Quest) and the link's datasheet figures: bytes per direction and
how long each direction was busy."""

import math

import pytest

from hetsim.runner import run_experiment

GB = 1e9
US = 1e-6
DECODE, CONTEXT, BATCH = 3, 8192, 8
PAGE, BUDGET, DENSE = 16, 1024, 2
TO_FPGA, TO_GPU = "gpu0-fpga0:gpu0>fpga0", "gpu0-fpga0:fpga0>gpu0"


@pytest.fixture
def paper_run(small_experiment):
    exp = small_experiment(**{"workload.decode_tokens": DECODE, "workload.context_tokens": CONTEXT,
                              "workload.batch": BATCH, "workload.params.page_size": PAGE,
                              "workload.params.token_budget": BUDGET, "workload.params.dense_layers": DENSE,
                              "system": "h100_u55c", "placements": ["paper"], "baseline": None})
    (run,) = run_experiment(exp)
    assert run.placement == "paper" and run.metrics["micro_batches"] == 2
    return run


def _expected(model):
    """(transfers, bytes) per direction over the run: the paper placement runs Prepare and Apply
    on the GPU and Relevancy + Retrieval fused on the FPGA, two micro-batches of BATCH / 2."""
    mbs, mb = 2, BATCH // 2
    e, d = 2, model.head_dim  # bf16
    sparse = model.layers - DENSE
    k = BUDGET // PAGE  # pages kept per request and KV head
    # prefill: every sparse layer uploads its page min/max index (batch x pages x kv heads x 2 x d)
    index = mb * math.ceil(CONTEXT / PAGE) * model.kv_heads * 2 * d * e
    # decode, per sparse layer: the query and the current page's new min/max go to the FPGA ...
    query = mb * model.q_heads * d * e
    minmax = 2 * mb * model.kv_heads * d * e
    # ... and the top-k page ids (int32) of every request and KV head come back
    ids = mb * model.kv_heads * k * 4
    to_fpga = (sparse * mbs * (1 + DECODE), sparse * mbs * index + DECODE * sparse * mbs * (query + minmax))
    to_gpu = (DECODE * sparse * mbs, DECODE * sparse * mbs * ids)
    return to_fpga, to_gpu


def test_lserve_paper_link_bytes_by_hand(paper_run, catalogue):
    (_, to_fpga), (_, to_gpu) = _expected(catalogue.models["Llama-3.1-8B"])
    moved = {d: b for d, b in paper_run.metrics["link_bytes"].items() if b}
    assert moved == {TO_FPGA: pytest.approx(to_fpga), TO_GPU: pytest.approx(to_gpu)}


def test_each_link_direction_is_busy_for_its_transfers_latency_plus_bytes_over_bandwidth(paper_run, catalogue):
    link = catalogue.links["p2p_gpu_fpga"]
    latency = float(link.latency_us.value) * US
    (n_fpga, b_fpga), (n_gpu, b_gpu) = _expected(catalogue.models["Llama-3.1-8B"])
    e2e = paper_run.metrics["e2e_s"]
    busy = paper_run.metrics["link_busy_frac"]
    assert set(busy) == {TO_FPGA, TO_GPU}
    assert busy[TO_FPGA] == pytest.approx((n_fpga * latency + b_fpga / (float(link.downstream_gbps.value) * GB)) / e2e)
    assert busy[TO_GPU] == pytest.approx((n_gpu * latency + b_gpu / (float(link.upstream_gbps.value) * GB)) / e2e)
