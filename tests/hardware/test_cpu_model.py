"""The host CPU as a device: the roofline per op class by hand, placements that put RAG's
retrieval on cpu0, and a step a CPU cannot run."""

import os
import subprocess
import sys

import pytest

from hetsim.hardware.cpu import CpuCalibration, CpuModel, interp_grid, interp_log
from hetsim.ops import Attention, Elementwise, Gather, ScatterAdd, TopK
from hetsim.runner import run_experiment
from hetsim.scenario import load_experiment

CAL = CpuCalibration(device="host-cpu-2c", stream_bw=20e9,
                     curves={"gather": ((1e4, 1e9), (1e8, 1e8)), "scatter_add": ((1e4, 4e8), (1e8, 2e8))},
                     topk_per_s=1e8, matmul_flops=1e11, call_overhead_s=1e-6)


@pytest.fixture
def cpu(catalogue):
    return CpuModel(catalogue.devices["host-cpu-2c"], CAL)


def test_rate_curve_is_linear_in_log_bytes_and_clamped():
    curve = ((1e4, 1e9), (1e8, 1e8))
    assert interp_log(curve, 1e6) == pytest.approx(5.5e8)
    assert interp_log(curve, 10) == 1e9 and interp_log(curve, 1e12) == 1e8


def test_scatter_add_is_bound_by_its_update_rate_at_the_targets_size(cpu):
    op = ScatterAdd(1_000_000, 25_000_000)  # a 100 MB target: the curve's last point, 2e8 updates/s
    assert cpu.op_time_s(op) == pytest.approx(1e-6 + 1_000_000 / 2e8)


def test_streaming_op_moves_its_bytes_at_the_copy_bandwidth(cpu):
    op = Elementwise(1_000_000, 0, "fp32", 0.0)  # 4 MB written
    assert cpu.op_time_s(op) == pytest.approx(1e-6 + 4e6 / 20e9)


def test_gather_and_topk(cpu):
    assert cpu.op_time_s(Gather(1000, 4, 25_000_000)) == pytest.approx(1e-6 + 1000 / 1e8)
    # per row: one argpartition scan at 1e8 elements/s (above 4 B x n over 20 GB/s) and 4 calls
    assert cpu.op_time_s(TopK(2, 1_000_000, 10, "fp32")) == pytest.approx(2 * (4e-6 + 1e-2))


GRID = ((4e4, 0.001, 1e7), (4e4, 0.1, 2e7), (4e4, 1.0, 4e8), (4e6, 0.001, 3e7), (4e6, 0.1, 3e7), (4e6, 1.0, 6e8))


def test_topk_grid_is_linear_in_log_share_then_log_bytes_and_clamped():
    assert interp_grid(GRID, 4e4, 0.01) == pytest.approx(1.5e7)  # halfway between 0.1% and 10% in log10
    assert interp_grid(GRID, 4e5, 0.1) == pytest.approx(2.5e7)  # halfway between the sizes in log2
    assert interp_grid(GRID, 1e3, 1e-6) == 1e7 and interp_grid(GRID, 1e9, 1.0) == 6e8


def test_topk_with_a_grid_prices_the_scored_share_and_the_measured_selection_call(catalogue):
    cal = CpuCalibration(**{**CAL.__dict__, "topk_grid": GRID, "topk_call_s": 5e-6})
    cpu = CpuModel(catalogue.devices["host-cpu-2c"], cal)
    sparse, dense = TopK(1, 1_000_000, 10, "fp32", 0.001), TopK(1, 1_000_000, 10, "fp32")
    assert cpu.op_time_s(sparse) == pytest.approx(5e-6 + 1e6 / 3e7)
    assert cpu.op_time_s(dense) == pytest.approx(5e-6 + 1e6 / 6e8)  # 4 MB / 20 GB/s is below the scan
    assert "scored_share" not in dense.to_dict() and sparse.to_dict()["scored_share"] == 0.001


def test_rag_cpu_topk_carries_the_share_of_documents_holding_a_query_term(catalogue):
    from hetsim.config.schema import WorkloadSpec
    from hetsim.workloads.registry import build_method

    params = {"corpus_docs": 100_000, "query_terms": 8, "index": "inverted", "term_doc_fraction": 0.01}
    spec = WorkloadSpec(method="rag", model="Llama-2-7B", context_tokens=64, batch=1, decode_tokens=1, params=params)
    method = build_method(spec, catalogue.models["Llama-2-7B"], "test")
    (topk,) = method.search_work(1).step("retrieval").ops["cpu"]
    assert topk.scored_share == pytest.approx(1 - 0.99 ** 8)
    (gpu_topk,) = method.search_work(1).step("retrieval").ops["gpu"]
    assert gpu_topk.scored_share == 1.0  # the GPU path is unchanged
    spec = WorkloadSpec(method="rag", model="Llama-2-7B", context_tokens=64, batch=1, decode_tokens=1,
                        params={**params, "scored_share": 0.02})  # a share read off an index overrides it
    method = build_method(spec, catalogue.models["Llama-2-7B"], "test")
    assert method.search_work(1).step("retrieval").ops["cpu"][0].scored_share == 0.02


def test_an_op_a_cpu_does_not_run_is_an_error(cpu):
    with pytest.raises(ValueError, match="does not run attention"):
        cpu.op_time_s(Attention(1, 8, 8, 1, 128, 64))


def test_without_a_profile_the_device_files_rates_are_used_and_graded(catalogue):
    spec = catalogue.devices["host-cpu-2c"]
    model = CpuModel(spec)
    assert model.stream_bw == spec.rates.stream_bw_gbps.value * 1e9
    assert model.log.used["host-cpu-2c.rates.stream_bw_gbps"] == spec.rates.stream_bw_gbps.source


RAG = {"workload.method": "rag", "workload.model": "Llama-2-7B", "workload.context_tokens": 64,
       "workload.batch": 1, "workload.decode_tokens": 8, "system": "mi210_u55c_cpu", "baseline": None,
       "workload.params": {"corpus_docs": 100000, "index": "inverted", "trigger": "once", "top_k": 3},
       "outputs.write": False}


def test_retrieval_on_cpu0_runs_and_moves_bytes_over_the_host_link(catalogue):
    exp = load_experiment(None, catalogue, {**RAG, "placements": [
        {"name": "bm25-cpu", "relevancy": "cpu0", "retrieval": "cpu0"},
        {"name": "topk-cpu", "retrieval": "cpu0"}]})
    bm25, topk = run_experiment(exp)
    link = "host-gpu0:gpu0>host"
    # the scores of 100K documents (fp32) cross to the host when only the top-k runs there
    assert topk.metrics.link_bytes[link] >= 100_000 * 4
    # with BM25 on the CPU only the query goes down: far fewer bytes
    assert 0 < bm25.metrics.link_bytes[link] < 1000
    assert bm25.metrics.device_busy_frac["cpu0:cores"] > 0


def test_a_step_a_cpu_cannot_run_exits_2_with_one_line(tmp_path):
    exp = tmp_path / "e.yaml"
    exp.write_text("name: e\nsystem: mi210_u55c_cpu\nworkload: {method: rag, model: Llama-2-7B, context_tokens: 64,"
                   " batch: 1, decode_tokens: 4, params: {corpus_docs: 10000}}\n"
                   "placements: [{name: p, apply: cpu0}]\nbaseline: null\n")
    res = subprocess.run([sys.executable, "-m", "hetsim", "check", str(exp)], capture_output=True, text=True,
                         env={**os.environ, "COLUMNS": "200"})
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot run on a cpu (cpu0)" in lines[0], res.stderr


def test_the_default_run_is_unchanged_by_the_cpu_device(catalogue):
    """Numbers of the default experiment, pinned: first before the CPU kind existed (commit 78cd34b),
    re-pinned at 9b4d5c3 for two model changes that move them on purpose: eager GPU streams as a
    two-stage host/device pipeline across a layer's tasks (f316bc5: dense TPOT 19.72 -> 18.39 ms,
    LServe GPU-only 14.46 -> 13.46 ms, on the H100's profile with host costs) and one FPGA job per
    layer for the whole batch (77838e2: LServe paper 24.16 -> 22.88 ms with the pipeline); and for the H100's own
    trace keys (2026-12-05: its page top-k priced as select and sort apart, LServe GPU-only 13.46 -> 13.32 ms); and
    for the H100's refits with interp-sweep's and matvec-sweep's leases among its host files (2026-12-06: their host
    probes moved the reference host the host terms are scaled to, every key's dispatch +2.7 %, and the H100's own L2
    ramp; LServe GPU-only 13.32 -> 13.34 ms); and for the H100's refit with longk-sweep's lease among them (2026-12-06,
    thirteenth session: the reference host's kernel call 7.62 -> 7.59 us; LServe GPU-only +0.04 %); and for the H100's
    refit with spatial-softmax-sweep's and lookup-sweep's lease among them (2026-12-07, fifteenth session: LServe
    GPU-only -0.05 %)."""
    exp = load_experiment(None, catalogue, {"workload.decode_tokens": 8, "outputs.write": False})
    got = {r.label: (r.metrics.tpot_s, r.metrics.ttft_s) for r in run_experiment(exp)}
    assert got == {"lserve/gpu-only": (0.013341263513327206, 9.98619442666006),
                   "lserve/paper": (0.022882153154328844, 9.988334054144614),
                   "dense/gpu-only": (0.018386179569825467, 9.88471907140299)}
