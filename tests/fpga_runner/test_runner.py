"""The calibration runner end to end on the csim backend, and its refusals without a card."""

import builtins

import numpy as np
import pandas as pd
import pytest
import yaml

from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.errors import HardwareUnavailable
from hetsim.fpga_runner import FpgaUnavailable, KernelMismatch, run_fpga_calibration
from hetsim.fpga_runner.backends import CsimBackend
from hetsim.fpga_runner.kernels import ST, adapter_for
from hetsim.fpga_runner.runner import _measure, fit_linear


@pytest.mark.parametrize("kernel", ["inner_product_topk", "bm25_topk"])
def test_csim_calibration_writes_a_profile_never_marked_measured(tmp_path, kernel, small_overrides):
    out = tmp_path / "profiles" / f"{kernel}.yaml"
    command = "hetsim calibrate fpga --backend csim"
    profile = run_fpga_calibration(kernel, "csim", None, None, [20, 45, 90], out, k=8, repeats=2,
                                   params_overrides=small_overrides[kernel], command=command)
    on_disk = yaml.safe_load(out.read_text())
    assert on_disk == profile
    assert profile["kind"] == "fpga-profile" and profile["measured"] is False
    assert profile["provenance"]["source"] == "csim"
    assert profile["provenance"]["command"] == command
    fitted = profile["kernels"][kernel]
    assert {v["source"] for v in fitted.values() if isinstance(v, dict) and "source" in v} == {"csim"}
    assert fitted["invocation_overhead_us"]["value"] >= 0
    raw = pd.read_parquet(out.with_suffix(".parquet"))
    assert len(raw) == 4 * 2  # the empty run (n = 1) and three sizes, two repeats each
    assert set(raw.n) == {1, 20, 45, 90} and raw.correct.all()
    assert (raw.backend == "csim").all()
    assert (raw.loc[raw.n == 90, "predicted_cycles"] > raw.loc[raw.n == 20, "predicted_cycles"].max()).all()


def test_csim_raw_records_the_tier_split(tmp_path, small_overrides):
    out = tmp_path / "ipt.yaml"
    run_fpga_calibration("inner_product_topk", "csim", None, None, [60], out, k=4, repeats=1,
                         params_overrides=small_overrides["inner_product_topk"])
    raw = pd.read_parquet(tmp_path / "ipt.parquet")
    row = raw[raw.n == 60].iloc[0]
    assert (row.items_bram, row.items_uram, row.items_hbm) == (30, 21, 9)


def test_pyxrt_backend_without_pyxrt_is_unavailable(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_pyxrt(name, *args, **kwargs):
        if name == "pyxrt":
            raise ImportError("No module named 'pyxrt'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyxrt)
    xclbin = tmp_path / "k.xclbin"
    xclbin.write_bytes(b"xclbin2")
    with pytest.raises(FpgaUnavailable, match="pyxrt is not importable.*--backend csim") as err:
        run_fpga_calibration("inner_product_topk", "pyxrt", xclbin, None, [64], tmp_path / "p.yaml")
    assert isinstance(err.value, HardwareUnavailable)  # the CLI maps these to exit code 2
    assert not (tmp_path / "p.yaml").exists()


def test_pyxrt_backend_without_xclbin_is_unavailable(tmp_path):
    with pytest.raises(FpgaUnavailable, match="needs an xclbin"):
        run_fpga_calibration("bm25_topk", "pyxrt", tmp_path / "missing.xclbin", None, [64], tmp_path / "p.yaml")


def test_pyxrt_refuses_parameter_overrides(tmp_path):
    with pytest.raises(ValueError, match="C-simulation builds only"):
        run_fpga_calibration("bm25_topk", "pyxrt", None, None, [64], tmp_path / "p.yaml", params_overrides={"cores": 2})


def test_k_beyond_the_design_is_rejected(tmp_path, small_overrides):
    with pytest.raises(ValueError, match=r"k must be in 1\.\.16"):
        run_fpga_calibration("page_minmax_topk", "csim", None, None, [8], tmp_path / "p.yaml", k=17,
                             params_overrides=small_overrides["page_minmax_topk"])


class CorruptingBackend(CsimBackend):
    """A backend whose kernel returns a wrong index: the runner must notice."""

    def run(self, pb):
        result, ns = super().run(pb)
        result.topk.idx[0] ^= 1
        return result, ns


def test_wrong_kernel_output_stops_the_calibration(small_overrides):
    kp = load_kernel_params("page_minmax_topk", small_overrides["page_minmax_topk"])
    adapter = adapter_for(kp)
    with pytest.raises(KernelMismatch, match="slot 0"):
        _measure(CorruptingBackend(adapter), adapter, kp, 12, 4, 1, np.random.default_rng(0))


def test_fit_recovers_overhead_and_clock():
    cycles = np.array([1e3, 1e4, 1e5, 1e6])
    seconds = 50e-6 + cycles / 250e6
    overhead, f_hz, r2 = fit_linear(cycles, seconds)
    assert overhead == pytest.approx(50e-6) and f_hz == pytest.approx(250e6) and r2 == pytest.approx(1.0)


def test_fit_never_reports_a_negative_overhead():
    cycles = np.array([1e3, 1e4, 1e5])
    overhead, f_hz, _ = fit_linear(cycles, cycles / 2e8 - 1e-6)
    assert overhead == 0.0 and f_hz > 0


@pytest.mark.parametrize(("rows_per_job", "jobs"), [(None, [0, 0, 0]), (1, [0, 1, 2])])
def test_csim_backend_runs_a_batch_as_one_job_per_layer(small_overrides, rng, rows_per_job, jobs):
    # three rows (requests) of one layer: one job by default, or a job each
    kp = load_kernel_params("page_minmax_topk", small_overrides["page_minmax_topk"])
    adapter = adapter_for(kp)
    backend = CsimBackend(adapter)
    problems = [adapter.random_problem(n, 5, rng) for n in (30, 12, 44)]
    results, elapsed_ns = backend.run_launch(problems, rows_per_job=rows_per_job)
    assert elapsed_ns > 0
    assert [r.topk.equals(adapter.reference(pb)) for r, pb in zip(results, problems, strict=True)] == [True] * 3
    assert [int(r.stats[ST["job"]]) for r in results] == jobs
    assert [int(r.stats[ST["row"]]) for r in results] == [0, 1, 2]
