"""Energy per case in `hetsim predict ops` / `hetsim validate`: idle power over the case's time plus
each op's busy power over the time the GPU runs it, beside the NVML energy a cases file carries
(`measured_j`); numbers checked by hand on a one-key profile."""

import math

import pytest
import yaml

from hetsim.calibration.cases import load_cases, parse_cases
from hetsim.calibration.gpu_profile import GpuProfile, PowerReading, write_profile
from hetsim.calibration.predict import predict_case
from hetsim.errors import ConfigError
from hetsim.hardware.gpu import GpuModel, OpClassRates

# one elementwise op of 1e6 bf16 elements, one input: reads 2 MB, writes 2 MB -> 4 us at 1 TB/s
OP = {"op": "elementwise", "numel": 1_000_000, "inputs": 1, "dtype": "bf16"}


def model(catalogue, dispatch_s=0.0):
    r = OpClassRates(0.0, 1e12, math.inf, active_w=200.0, source="calibrated", dispatch_s=dispatch_s)
    prof = GpuProfile("H100-SXM", {"gpu": "test"}, {"elementwise": r}, host_mix=1.0,
                      power=PowerReading("nvml-energy", 100.0))
    return GpuModel(catalogue.devices["H100-SXM"], prof)


def case(**extra):
    return parse_cases({"cases": [{"name": "two", "ops": [OP, OP], **extra}]}).cases[0]


def test_device_bound_case_energy_is_idle_over_the_time_plus_busy_power_over_the_ops(catalogue):
    p = predict_case(model(catalogue), case())
    assert p.predicted_s == pytest.approx(8e-6)
    assert p.predicted_j == pytest.approx(100.0 * 8e-6 + 2 * 200.0 * 4e-6)  # 2.4 mJ


def test_host_bound_case_pays_idle_over_the_host_time_and_busy_power_only_while_the_gpu_runs(catalogue):
    p = predict_case(model(catalogue, dispatch_s=10e-6), case())
    assert p.predicted_s == pytest.approx(20e-6)  # two 10 us issues, the GPU idles 6 us of each
    assert p.predicted_j == pytest.approx(100.0 * 20e-6 + 2 * 200.0 * 4e-6)  # 3.6 mJ


def test_graph_mode_counts_device_time_only(catalogue):
    p = predict_case(model(catalogue, dispatch_s=10e-6), case(), graph=True)
    assert p.predicted_s == pytest.approx(8e-6) and p.predicted_j == pytest.approx(2.4e-3)


def test_a_measured_energy_gives_an_error_and_a_bad_one_is_refused(catalogue):
    p = predict_case(model(catalogue), case(measured_j=2.0e-3))
    assert p.measured_j == 2.0e-3 and p.energy_error == pytest.approx(2.4 / 2.0 - 1)
    assert predict_case(model(catalogue), case()).energy_error is None
    with pytest.raises(ConfigError, match="measured_j must be a positive number of joules"):
        predict_case(model(catalogue), case(measured_j="lots"))


def test_predict_ops_json_carries_energy(cli, tmp_path, catalogue):
    prof = model(catalogue).profile
    path = write_profile(tmp_path / "p.yaml", prof)
    cases = tmp_path / "c.yaml"
    cases.write_text(yaml.safe_dump({"cases": [{"name": "two", "measured_j": 3e-3, "ops": [OP, OP]}]}))
    assert load_cases(cases).cases[0].extra == {"measured_j": 3e-3}
    res = cli("predict", "ops", cases, "--device", "H100-SXM", "--profile", path, "--json")
    assert res.exit_code == 0, res.output
    import json

    (c,) = json.loads(res.output)["cases"]
    assert c["predicted_j"] == pytest.approx(2.4e-3) and c["measured_j"] == 3e-3
    assert c["energy_error"] == pytest.approx(2.4 / 3.0 - 1)


def test_validate_energy_reports_the_end_to_end_points_and_refuses_an_unknown_gpu(cli):
    import json

    res = cli("validate", "energy", "--device", "H200", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    e2e = [p for p in out["points"] if p["kind"] == "e2e"]
    # the NVML points in calibration/e2e/H200 less the three DynamicCache decode points whose energy loop
    # ran in another regime than their timed loop (cuDNN plans cached: hetsim.calibration.e2e.compare),
    # and all 16 of the second session (H200-2026-12-01b: its energy loops grow the cache as timed)
    first = [p for p in e2e if p["name"].endswith("(H200)")]
    second = [p for p in e2e if p["name"].endswith("(H200-2026-12-01b)")]
    # and the 8 of the session with cuDNN's SDPA off (predicted with that software)
    third = [p for p in e2e if p["name"].endswith("(H200-2026-12-02-cudnn-off)")]
    # and the 8 of its repeat on another lease (H200-2026-12-03-cudnn-off)
    fourth = [p for p in e2e if p["name"].endswith("(H200-2026-12-03-cudnn-off)")]
    # and the 8 of a third cuDNN-off lease, its host probed at every point (H200-2026-12-03b-cudnn-off)
    fifth = [p for p in e2e if p["name"].endswith("(H200-2026-12-03b-cudnn-off)")]
    assert (len(first), len(second), len(third), len(fourth), len(fifth)) == (12, 16, 8, 8, 8)
    assert out["groups"]["e2e"]["n"] == len(e2e) == 52
    for p in e2e:
        assert p["error"] == pytest.approx(p["predicted_j"] / p["measured_j"] - 1)
    loops = [p for p in out["points"] if p["kind"] == "power-loop"]
    assert loops and all("predicted from" in p["detail"] for p in loops)
    res = cli("validate", "energy", "--device", "H20")
    assert res.exit_code == 2 and "unknown GPU 'H20'" in res.output and len(res.output.strip().splitlines()) == 1
