"""Profiles: the round trip through YAML, old-format profiles, finding a device's profile, and
the committed H100 and H200 profiles themselves."""

import dataclasses
import math
from pathlib import Path

import pytest

from hetsim.calibration.cases import load_cases
from hetsim.calibration.device_inputs import gpu_profile
from hetsim.calibration.fit import FitResult
from hetsim.calibration.gpu_profile import PowerReading, load_profile, write_profile
from hetsim.calibration.gpu_suite.fitting import build_profile
from hetsim.errors import ConfigError
from hetsim.hardware.gpu import GpuModel, OpClassRates
from hetsim.ops import Matmul, TopK

PROFILES = Path(__file__).resolve().parents[2] / "calibration" / "profiles"


METER = PowerReading("nvml-energy")


def test_profile_round_trip_keeps_every_rate_field(tmp_path):
    truth = {
        "matmul": OpClassRates(3e-6, 2.8e12, 740e12, None, "calibrated", dispatch_s=25e-6, roof_p=4.0, dtype="bf16",
                               eager_gap_s=1e-6),
        "topk_singleblock": OpClassRates(11e-6, math.inf, math.inf, None, "calibrated", dispatch_s=24e-6,
                                         wave_slots=132, wave_s=0.9e-6, item_s=3.4e-9),
        "copy_h2d": OpClassRates(2.6e-6, 54e9, math.inf, None, "calibrated", dispatch_s=9e-6),
    }
    fits = {k: FitResult(k, r, 10, 10, 0.01, 0.02, 0.03, 0.01) for k, r in truth.items()}
    power = {"matmul": {"avg_w": 700.0, "window_s": 1.5, "op": Matmul(8192, 8192, 8192).to_dict()}}
    prof = build_profile("H100-SXM", {"gpu": "NVIDIA H100 80GB HBM3", "date": "2026-11-22", "command": "x"}, fits,
                         power, 120.0, METER, "H100-SXM.parquet", None, host_mix=1.2)
    back = load_profile(write_profile(tmp_path / "p.yaml", prof))
    for key, r in truth.items():
        got = back.rates[key]
        # every field of the rates dataclass, read back: the format has no list of its own to forget one in
        for field in dataclasses.fields(OpClassRates):
            if field.name not in ("source", "active_w", "dtype"):
                assert getattr(got, field.name) == pytest.approx(getattr(r, field.name)), (key, field.name)
        assert got.source == "calibrated" and got.dtype == r.dtype
    assert back.rates["matmul"].active_w == pytest.approx(580.0)  # loop average minus idle
    assert back.rates["copy_h2d"].active_w is None  # no power reading for it
    assert back.host_mix == pytest.approx(1.2) and back.idle_w == pytest.approx(120.0)
    assert back.host_link["h2d"].bw_bytes_per_s == pytest.approx(54e9)


def test_format_1_profile_loads_with_the_affine_defaults(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text("kind: gpu-profile\ndevice: H100-SXM\nprovenance: {date: old}\n"
                    "op_classes:\n  matmul: {overhead_s: 1.0e-5, bw_bytes_per_s: 3.0e12, flop_rate: 7.0e14}\n")
    prof = load_profile(path)
    r = prof.rates["matmul"]
    assert (r.dispatch_s, r.roof_p, r.eager_gap_s, r.wave_slots) == (0.0, math.inf, 0.0, 0.0)
    assert prof.host_mix == 1.0 and prof.idle_w is None and prof.validation_path is None
    op = Matmul(1, 4096, 4096)
    assert r.time_s(op.flops, op.bytes) == pytest.approx(1e-5 + op.bytes / 3e12)


def test_bad_profile_names_the_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("kind: gpu-profile\ndevice: H100-SXM\nprovenance: {}\n"
                    "op_classes:\n  matmul: {overhead_s: 1.0e-5, bw_bytes_per_s: -1, flop_rate: 1}\n")
    with pytest.raises(ConfigError, match="op_classes.matmul.bw_bytes_per_s"):
        load_profile(path)


def test_gpu_profile_finds_the_device_s_file_and_skips_validation_files(tmp_path, monkeypatch, catalogue):
    monkeypatch.setenv("HETSIM_PROFILES", str(tmp_path))
    (tmp_path / "A.validation.yaml").write_text("cases: []\nkind: gpu-profile\ndevice: H200\n")
    assert gpu_profile(catalogue.devices["H200"]) is None
    (tmp_path / "mine.yaml").write_text("kind: gpu-profile\ndevice: 'H200'\nprovenance: {}\n"
                                        "op_classes:\n  copy: {overhead_s: 0, bw_bytes_per_s: 4.0e12, flop_rate: 1}\n")
    prof = gpu_profile(catalogue.devices["H200"])
    assert prof.path.name == "mine.yaml" and prof.rates["copy"].bw_bytes_per_s == 4e12
    assert gpu_profile(catalogue.devices["H100-SXM"]) is None


@pytest.mark.parametrize("name", ["H100-SXM", "H200"])
def test_committed_profiles_are_measured_fitted_and_validated(name, catalogue):
    prof = load_profile(PROFILES / f"{name}.yaml")
    assert prof.device == name and prof.format == 2
    p = prof.provenance
    assert name.split("-")[0] in p["gpu"] and p["timer"] == "cuda-events" and p["driver"] and p["torch"]
    assert p["command"].startswith("python -m hetsim.calibration.gpu_suite") and p["date"]
    assert prof.raw_path.is_file() and prof.validation_path.is_file()
    # the fitted HBM bandwidth is the datasheet's times a plausible efficiency
    peak = catalogue.devices[name].hbm_bw_gbps.value * 1e9
    assert 0.75 * peak < prof.rates["copy"].bw_bytes_per_s < peak
    assert 0.5 * 989e12 < prof.rates["matmul"].flop_rate < 989e12
    assert prof.idle_w > 0 and prof.host_mix >= 1.0
    assert 40e9 < prof.host_link["h2d"].bw_bytes_per_s < 64e9  # PCIe Gen5 x16
    cases = load_cases(prof.validation_path)
    assert len(cases.cases) >= 9 and all(c.measured_s and c.measured_graph_s for c in cases.cases)


def test_h200_profile_predicts_faster_memory_bound_ops_than_h100(catalogue):
    h100 = GpuModel(catalogue.devices["H100-SXM"], load_profile(PROFILES / "H100-SXM.yaml"))
    h200 = GpuModel(catalogue.devices["H200"], load_profile(PROFILES / "H200.yaml"))
    gemv = Matmul(1, 28672, 4096)  # decode: weight streaming
    assert h200.device_time_s(gemv) < 0.8 * h100.device_time_s(gemv)
    gemm = Matmul(8192, 8192, 8192)  # compute-bound: same chip
    assert h200.device_time_s(gemm) == pytest.approx(h100.device_time_s(gemm), rel=0.1)
    # the multi-block radix select (the H100 profile of 2026-11-22 named it topk_multiblock; its trace fit, the suite's
    # current name)
    assert h100.rates_for(TopK(1, 90000, 2048)) is h100.rates["topk_select_multiblock"]
