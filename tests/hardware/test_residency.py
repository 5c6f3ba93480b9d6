"""L2 residency (`hetsim.hardware.residency`): which share of an op's bytes an op case reads from the L2, how the GPU
model prices that share, and that the constants are what the committed H200 run fits."""

import math
from types import SimpleNamespace

import pytest

from hetsim.calibration import l2_fit
from hetsim.calibration.trace_cases import load_cases, lower_case, validate_ops
from hetsim.calibration.trace_fit import device_memory
from hetsim.hardware import residency
from hetsim.hardware.gpu import GpuModel, OpClassRates, hbm_bytes
from hetsim.ops import Copy, Elementwise, HostCall
from hetsim.provenance import ProvenanceLog

MB = 2**20
L2 = 60 * MB


def test_a_working_set_well_inside_the_l2_is_read_from_it_whole_and_one_past_it_not_at_all():
    assert residency.l2_share(1 * MB, L2) == 1.0
    assert residency.l2_share(residency.L2_HOT_SHARE * L2, L2) == 1.0
    assert residency.l2_share(residency.L2_COLD_SHARE * L2, L2) == 0.0
    assert residency.l2_share(2 * L2, L2) == 0.0
    mid = (residency.L2_HOT_SHARE + residency.L2_COLD_SHARE) / 2 * L2
    assert residency.l2_share(mid, L2) == pytest.approx(0.5)
    assert residency.l2_share(1 * MB, 0) == 0.0  # a GPU without an L2 figure: every byte from HBM


def test_the_l2_share_of_the_bytes_runs_at_the_gain_and_a_slow_kernel_keeps_its_rate():
    assert residency.hbm_equivalent(100.0, 0.0) == 100.0
    assert residency.hbm_equivalent(100.0, 1.0) == pytest.approx(100.0 / residency.L2_GAIN)
    # a kernel at the HBM's rate gains the whole share, one at a quarter of it a quarter
    assert residency.bound_share(1.0, 4e12, 4e12) == 1.0
    assert residency.bound_share(1.0, 1e12, 4e12) == pytest.approx(0.25)
    assert residency.bound_share(0.6, 9e12, 4e12) == pytest.approx(0.6)


def test_an_op_case_replays_its_device_ops_from_the_l2_and_leaves_host_work_alone():
    small, big = Elementwise(1 << 20, 2), Elementwise(1 << 28, 2)
    host, h2d = HostCall("sync"), Copy(1 << 20, "h2d")
    out = residency.replayed((small, big, host, h2d), L2)
    assert out[0].l2_share == 1.0 and out[1].l2_share == 0.0
    assert out[2] is host and out[3] is h2d
    assert hbm_bytes(out[0]) == pytest.approx(small.bytes / residency.L2_GAIN)
    assert small.l2_share == 0.0 and "l2_share" not in small.to_dict()  # a forward's op reads HBM; files unchanged


def test_the_gpu_model_prices_a_hot_bandwidth_bound_op_faster_and_a_slow_one_almost_not(catalogue):
    h200 = catalogue.devices["H200"]
    hbm = float(h200.hbm_bw_gbps.value) * 1e9 * float(h200.hbm_efficiency.value)
    rates = {"elementwise": OpClassRates(1e-6, hbm, math.inf)}
    log = ProvenanceLog()
    gpu = GpuModel(h200, SimpleNamespace(rates=rates, host_mix=None, idle_w=None), log)
    cold = Elementwise(1 << 22, 2)
    (hot,) = residency.replayed((cold,), gpu.l2_bytes)
    assert hot.l2_share == 1.0
    assert gpu.device_time_s(hot) - 1e-6 == pytest.approx((gpu.device_time_s(cold) - 1e-6) / residency.L2_GAIN)
    assert log.used["H200.l2_residency"] == "calibrated" and log.used["H200.l2_mb"] == "measured"
    slow = GpuModel(h200, SimpleNamespace(rates={"elementwise": OpClassRates(1e-6, hbm / 10, math.inf)},
                                          host_mix=None, idle_w=None))
    assert slow.device_time_s(hot) / slow.device_time_s(cold) > 0.94  # issue-bound: the L2 barely helps


def test_the_fit_and_the_gpu_model_read_the_same_memory_figures(catalogue):
    l2, hbm = device_memory("H200")
    h200 = catalogue.devices["H200"]
    assert l2 == GpuModel(h200, None).l2 == residency.L2(60 * MB)
    assert hbm == pytest.approx(float(h200.hbm_bw_gbps.value) * 1e9 * float(h200.hbm_efficiency.value))
    assert device_memory("no-such-gpu") == (0.0, 0.0)


def test_op_case_validation_prices_each_case_as_it_was_timed():
    from hetsim.calibration.paths import REPO_ROOT
    from hetsim.calibration.predict import gpu_model
    from hetsim.calibration.trace_cases import price

    h200_model = gpu_model("H200")
    path = REPO_ROOT / "calibration/profiles/runs/H200-aten-realcode-check2-2026-12-02.parquet"
    cases = load_cases(path)
    report = validate_ops(h200_model, cases, str(path))
    small = next(c for c in cases if c.kind == "aten" and lower_case(c) and 0 < lower_case(c)[0].bytes < 8 * MB
                 and "graph" in c.measured)
    assert lower_case(small, l2_bytes=h200_model.l2_bytes)[0].l2_share == 1.0
    hot = next(r for r in report.results if r.case == small.case)
    assert hot.predicted["graph"] == pytest.approx(price(h200_model, lower_case(small, l2_bytes=L2))["graph"])
    assert hot.predicted["graph"] <= price(h200_model, lower_case(small))["graph"]
    said = report.as_dict()["l2_residency"]  # the report says how its cases were priced
    assert said["l2_bytes"] == L2 and said["gain"] == residency.L2_GAIN


def test_the_constants_are_what_the_committed_h200_run_fits():
    fit = l2_fit.fit()
    assert (fit.hot_share, fit.cold_share, fit.gain, fit.gain_matrix) == (
        residency.L2_HOT_SHARE, residency.L2_COLD_SHARE, residency.L2_GAIN, residency.L2_GAIN_MATRIX)
    assert residency.L2_GAIN_MATRIX < residency.L2_GAIN  # the GEMMs' loads overlap their math
    assert fit.l2_bytes == L2
    assert fit.median_abs < 0.05 and fit.p90_abs < 0.15


def test_each_run_alone_fits_constants_near_the_pooled_ones():
    # the second run (another lease, the same day) moved the ramp's ends by <= 0.05 of the L2 and the gain by 0.15
    for run in l2_fit.DEFAULT_RUNS:
        one = l2_fit.fit([run])
        assert abs(one.hot_share - residency.L2_HOT_SHARE) <= 0.06
        assert abs(one.cold_share - residency.L2_COLD_SHARE) <= 0.03
        assert abs(one.gain - residency.L2_GAIN) <= 0.2 and abs(one.gain_matrix - residency.L2_GAIN_MATRIX) <= 0.1
        assert one.p90_abs < 0.15


def test_the_h100_ramp_is_what_its_committed_runs_fit_under_the_shared_gain():
    # two runs of one H100 lease (2026-12-06), the gain held at the H200's, which every GPU's model shares
    fit = l2_fit.fit(l2_fit.H100_RUNS, gain=residency.L2_GAIN)
    assert (fit.hot_share, fit.cold_share) == residency.RAMPS["H100-SXM"]
    assert fit.l2_bytes == 50 * MB and fit.median_abs < 0.05 and fit.p90_abs < 0.15
    # each run alone, and a third run on another lease the same day (not in the fit), lie near it
    third = l2_fit.RUNS / "l2-residency-H100-SXM-2026-12-06c" / "l2_residency.parquet"
    for run in (*l2_fit.H100_RUNS, third):
        one = l2_fit.fit([run], gain=residency.L2_GAIN)
        assert abs(one.hot_share - fit.hot_share) <= 0.04 and abs(one.cold_share - fit.cold_share) <= 0.06
    # its cold end lies at the H200's bytes (48 MB), not at the H200's fraction of the L2
    assert fit.cold_share * 50 == pytest.approx(residency.L2_COLD_SHARE * 60, rel=0.01)
    # the GPU model and the op cases read the GPU's own ramp; a GPU without runs takes the H200's fractions
    assert residency.l2_of("H100-SXM", 50 * MB) == residency.L2(50 * MB, *residency.RAMPS["H100-SXM"])
    assert residency.l2_of("A100-40GB-PCIe", 40 * MB) == residency.L2(40 * MB)
    at_40mb = residency.l2_share(40 * MB, residency.l2_of("H100-SXM", 50 * MB))
    assert at_40mb > 0.2 > residency.l2_share(40 * MB, 50 * MB)  # a 40 MB working set: held on the H100
