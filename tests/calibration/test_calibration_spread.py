"""`hetsim calibrate spread`: every fitted parameter of two or more calibrations of one GPU side by
side, its spread max / min - 1, which moved by more than 10%, checked on profiles made by hand."""

import json
import math

import pytest

from hetsim.calibration.gpu_profile import GpuProfile, HostCopy, PowerReading, write_profile
from hetsim.calibration.spread import spread
from hetsim.errors import ConfigError
from hetsim.hardware.gpu import OpClassRates


def profile(device="H200", dispatch_s=10e-6, bw=4.0e12, flop=math.inf, mix=1.2, idle_w=120.0, active_w=500.0):
    r = OpClassRates(2e-6, bw, flop, active_w=active_w, source="calibrated", dispatch_s=dispatch_s, dtype="bf16")
    return GpuProfile(device, {"gpu": "test"}, {"matmul": r}, host_link={"h2d": HostCopy(3e-6, 50e9, 7e-6)},
                      host_mix=mix, power=PowerReading("nvml-energy", idle_w))


def by_name(s):
    return {p.name: p for p in s.parameters}


def test_spread_is_largest_over_smallest_minus_one_and_moved_above_ten_percent():
    s = spread([profile(dispatch_s=10e-6, bw=4.0e12, mix=1.2), profile(dispatch_s=12e-6, bw=4.2e12, mix=1.2)])
    p = by_name(s)
    assert p["matmul.dispatch_s"].values == (10e-6, 12e-6)
    assert p["matmul.dispatch_s"].spread == pytest.approx(0.2) and p["matmul.dispatch_s"].moved
    assert p["matmul.bw_bytes_per_s"].spread == pytest.approx(0.05) and not p["matmul.bw_bytes_per_s"].moved
    assert p["host.mix_factor"].spread == 0.0
    assert [m.name for m in s.moved] == ["matmul.dispatch_s"]
    assert p["matmul.dispatch_s"].group == "host" and p["matmul.bw_bytes_per_s"].group == "device"
    assert p["matmul.active_w"].group == "power" and p["power.idle_w"].group == "power"


def test_three_calibrations_take_the_extremes():
    s = spread([profile(dispatch_s=10e-6), profile(dispatch_s=8e-6), profile(dispatch_s=9e-6)])
    assert by_name(s)["matmul.dispatch_s"].spread == pytest.approx(10 / 8 - 1)


def test_a_roof_fitted_in_one_run_only_has_an_infinite_spread_and_unfitted_terms_are_left_out():
    s = spread([profile(flop=math.inf), profile(flop=700e12)])
    p = by_name(s)
    assert math.isinf(p["matmul.flop_rate"].spread) and p["matmul.flop_rate"].moved
    assert "matmul.wave_s" not in p  # zero in every calibration: nothing was fitted
    assert p["matmul.flop_rate"].as_dict()["spread"] == "inf"  # JSON has no infinity


def test_groups_count_what_moved():
    g = spread([profile(dispatch_s=10e-6, idle_w=120.0), profile(dispatch_s=15e-6, idle_w=121.2)]).by_group()
    assert g["host"]["moved"] == 1 and g["device"]["moved"] == 0 and g["power"]["moved"] == 0
    assert g["power"]["max_spread"] == pytest.approx(0.01)


def test_one_calibration_or_two_gpus_are_refused():
    with pytest.raises(ConfigError, match="two or more"):
        spread([profile()])
    with pytest.raises(ConfigError, match="different GPUs"):
        spread([profile("H200"), profile("H100-SXM")])


def test_cli_prints_json_and_refuses_a_missing_file_in_one_line(cli, tmp_path):
    a = write_profile(tmp_path / "a.yaml", profile(dispatch_s=10e-6))
    b = write_profile(tmp_path / "b.yaml", profile(dispatch_s=13e-6))
    res = cli("calibrate", "spread", a, b, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["device"] == "H200" and out["moved"] == 1 and out["profiles"] == [str(a), str(b)]
    res = cli("calibrate", "spread", a, tmp_path / "nope.yaml")
    assert res.exit_code == 2 and "not found" in res.output and len(res.output.strip().splitlines()) == 1


def test_the_committed_h200_calibrations_agree_on_device_terms():
    from hetsim.calibration.paths import REPO_ROOT
    from hetsim.calibration.spread import spread_of_files

    runs = REPO_ROOT / "calibration" / "profiles" / "runs" / "H200-2026-12-01b.yaml"
    s = spread_of_files([REPO_ROOT / "calibration" / "profiles" / "H200.yaml", runs])
    assert s.device == "H200" and len(s.compared) > 100
    # what the repeat run showed: HBM-side terms held within 10%, host terms did not
    assert s.by_group()["device"]["moved"] == 0 and s.by_group()["host"]["moved"] > 0
