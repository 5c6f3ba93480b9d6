"""Transferred profiles: a measured GPU's efficiencies carried to another by datasheet ratios, graded
`transferred` (between derived and assumed), chosen nearest by datasheet, checked by hand."""

import json
import math

import pytest

from hetsim.calibration.gpu_profile import GpuProfile, HostCopy, PowerReading
from hetsim.calibration.transfer import distance, nearest_source, transfer_profile, transfer_rates
from hetsim.hardware.gpu import OpClassRates
from hetsim.provenance import GRADES, weakest


def test_transferred_sits_between_derived_and_assumed():
    assert GRADES.index("derived") < GRADES.index("transferred") < GRADES.index("assumed")
    assert weakest({"calibrated", "derived", "transferred"}) == "transferred"
    assert weakest({"transferred", "assumed"}) == "assumed"


def spec(catalogue, name, **figures):
    """A catalogue GPU with some datasheet figures replaced (value only; units as in the device file)."""
    s = catalogue.devices[name]
    update = {}
    for field, value in figures.items():
        if field == "matrix_bf16":
            update["matrix_tflops"] = {**s.matrix_tflops, "bf16": s.matrix_tflops["bf16"].model_copy(
                update={"value": value})}
        else:
            update[field] = getattr(s, field).model_copy(update={"value": value})
    return s.model_copy(update=update)


@pytest.fixture
def pair(catalogue):
    src = spec(catalogue, "H100-SXM", hbm_bw_gbps=1000.0, vector_tflops=50.0, matrix_bf16=800.0, tdp_w=700.0)
    dst = spec(catalogue, "A100-80GB-SXM", hbm_bw_gbps=2000.0, vector_tflops=20.0, matrix_bf16=200.0,
               tdp_w=350.0)
    return src, dst


def test_an_hbm_bound_key_keeps_its_fraction_of_the_hbm_peak(pair):
    src, dst = pair
    # 800 GB/s of a 1000 GB/s part (80%, HBM-bound) -> 80% of 2000 GB/s; 400 TFLOP/s of 800 (bf16) -> of 200
    r = OpClassRates(3e-6, 800e9, 400e12, active_w=420.0, source="calibrated", dispatch_s=20e-6, roof_p=4.0,
                     dtype="bf16", eager_gap_s=2e-6)
    t = transfer_rates("matmul", r, src, dst)
    assert t.bw_bytes_per_s == pytest.approx(1600e9)
    assert t.flop_rate == pytest.approx(100e12)
    assert t.active_w == pytest.approx(210.0)  # 60% of a 700 W TDP -> of 350 W
    assert (t.overhead_s, t.dispatch_s, t.eager_gap_s, t.roof_p) == (3e-6, 20e-6, 2e-6, 4.0)  # as measured
    assert t.source == "transferred" and r.source == "calibrated"


def test_a_key_far_below_the_hbm_peak_scales_with_the_vector_peak(pair):
    src, dst = pair
    # softmax at 300 GB/s of 1000 (30%: limited by the SMs) -> x 20/50 vector TFLOP/s; its flops on vector units
    r = OpClassRates(3e-6, 300e9, 10e12, source="calibrated")
    t = transfer_rates("softmax", r, src, dst)
    assert t.bw_bytes_per_s == pytest.approx(120e9)
    assert t.flop_rate == pytest.approx(4e12)
    assert math.isinf(transfer_rates("softmax", r.__class__(1e-6, 300e9, math.inf), src, dst).flop_rate)


def test_host_copies_scale_with_the_host_links(catalogue, pair):
    src, dst = pair
    gen5, gen4 = catalogue.links["pcie_gen5_x16"], catalogue.links["pcie_gen4_x16"]
    r = OpClassRates(2e-6, 50e9, math.inf, source="calibrated")
    t = transfer_rates("copy_h2d", r, src, dst, gen5, gen4)
    assert t.bw_bytes_per_s == pytest.approx(50e9 * gen4.downstream_gbps.value / gen5.downstream_gbps.value)


def test_a_transferred_profile_names_its_source_and_keeps_no_idle_power(pair, tmp_path):
    src, dst = pair
    source = GpuProfile("H100-SXM", {"gpu": "NVIDIA H100", "driver": "580", "date": "d"},
                        {"elementwise": OpClassRates(1e-6, 900e9, math.inf, source="calibrated")},
                        host_link={"h2d": HostCopy(3e-6, 50e9, 7e-6)}, host_mix=1.2,
                        power=PowerReading("nvml-energy", 120.0), path=tmp_path / "H100-SXM.yaml")
    t = transfer_profile(source, src, dst)
    assert t.device == "A100-80GB-SXM" and t.idle_w is None and t.host_mix == 1.2
    assert t.provenance["transferred_from"] == str(tmp_path / "H100-SXM.yaml")
    assert t.provenance["source_device"] == "H100-SXM"
    assert t.rates["elementwise"].bw_bytes_per_s == pytest.approx(1800e9)
    with pytest.raises(ValueError, match="calibrates H100-SXM"):
        transfer_profile(source, dst, src)


def test_the_nearest_source_prefers_the_vendor_then_the_closest_datasheet(catalogue):
    d = catalogue.devices
    h100, h200, a100, mi210 = d["H100-SXM"], d["H200"], d["A100-80GB-SXM"], d["MI210"]
    # |log(2039/3350)| + |log(312/989.4)| < |log(2039/4800)| + |log(312/989.4)|
    assert distance(a100, h100) == pytest.approx(abs(math.log(2039 / 3350)) + abs(math.log(312 / 989.4)))
    cands = {"H100-SXM": (h100, None), "H200": (h200, None)}
    assert nearest_source(a100, cands) == "H100-SXM"
    assert nearest_source(mi210, cands) == "H100-SXM"  # no AMD profile: the nearest NVIDIA one
    assert nearest_source(h200, cands) == "H100-SXM"  # never itself
    assert nearest_source(h200, {"H200": (h200, None)}) is None


def test_validate_transfer_reports_both_profiles_and_refuses_unknown_gpus(cli):
    res = cli("validate", "transfer", "--from", "H100-SXM", "--to", "H200", "--graph", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    cases = out["transferred"]["cases"]
    assert out["source"] == "H100-SXM" and out["mode"] == "graph" and len(cases) >= 5
    assert {o["source"] for c in cases for o in c["ops"]} <= {"transferred", "assumed"}
    assert "transferred" in {o["source"] for c in cases for o in c["ops"]}
    assert out["own_profile"]["cases"][0]["name"] == cases[0]["name"]
    res = cli("validate", "transfer", "--from", "H100-SMX", "--to", "H200")
    assert res.exit_code == 2 and "did you mean 'H100-SXM'" in res.output
    assert len(res.output.strip().splitlines()) == 1
    res = cli("validate", "transfer", "--from", "H100-SXM", "--to", "H2000")
    assert res.exit_code == 2 and "unknown GPU 'H2000'" in res.output


def test_a_transfer_judged_on_op_cases_both_ways_meets_the_target_and_trails_the_own_profile(cli, tmp_path):
    """Both GPUs timed checks 27 and 28 (the H100 check29 too), and each has trace keys of its own: each predicted
    from the other's profile (graph view). 2026-12-05: H100 -> H200 6.7 % median (own 5.7 %), H200 -> H100 7.8 %
    (own 5.7 %)."""
    runs = "calibration/profiles/runs/"
    both = []
    for source, target, checks in (("H100-SXM", "H200", (27, 28)), ("H200", "H100-SXM", (27, 28, 29))):
        args = [a for n in checks for a in ("--ops", f"{runs}{target}-aten-realcode-check{n}-2026-12-05.parquet")]
        res = cli("validate", "transfer", "--from", source, "--to", target, *args, "--json")
        assert res.exit_code == 0, res.output
        out = json.loads(res.output)
        moved, own = out["transferred"], out["own_profile"]
        assert out["view"] == "graph" and moved["n"] == own["n"] > 1500
        assert out["meets_target"] and moved["median_abs"] <= 0.15
        assert own["median_abs"] < moved["median_abs"]  # a GPU's own keys beat the other's carried over
        both.append(moved["median_abs"])
    assert both == [pytest.approx(0.067, abs=0.01), pytest.approx(0.078, abs=0.01)]
    res = cli("validate", "transfer", "--from", "H200", "--to", "H100-SXM", "--ops", str(tmp_path / "none.parquet"))
    assert res.exit_code == 2 and "none.parquet" in res.output and len(res.output.strip().splitlines()) == 1
    res = cli("validate", "transfer", "--from", "H200", "--to", "H100-SXM", "--ops", f"{runs}H100-SXM-aten-realcode-"
              "check28-2026-12-05.parquet", "--cases", str(tmp_path / "c.yaml"))
    assert res.exit_code == 2 and "give one" in res.output and len(res.output.strip().splitlines()) == 1


def test_a_device_file_asking_for_a_transfer_runs_graded_transferred(tmp_path, monkeypatch):
    import shutil

    import yaml

    from hetsim.calibration.paths import REPO_ROOT
    from hetsim.config.load import Catalogue
    from hetsim.runner import run_experiment
    from hetsim.scenario import load_experiment

    configs = tmp_path / "configs"
    shutil.copytree(REPO_ROOT / "configs", configs)
    dev = yaml.safe_load((configs / "devices" / "A100-80GB-SXM.yaml").read_text())
    dev["profile"] = "transfer:H100-SXM"
    (configs / "devices" / "A100-80GB-SXM.yaml").write_text(yaml.safe_dump(dev))
    monkeypatch.setenv("HETSIM_CONFIGS", str(configs))
    exp = load_experiment(None, Catalogue.load(), {
        "system": {"name": "one_a100", "devices": {"gpu0": "A100-80GB-SXM"},
                   "links": [{"type": "pcie_gen4_x16", "between": ["host", "gpu0"]}]},
        "placements": ["gpu-only"], "baseline": None, "workload.decode_tokens": 2,
        "workload.context_tokens": 4096, "outputs.write": False})
    (run,) = run_experiment(exp)
    m = run.metrics
    assert m.calibration_profiles["gpu0"].startswith("transferred from ") and "H100-SXM.yaml" in \
        m.calibration_profiles["gpu0"]
    assert "A100-80GB-SXM.profile.matmul" in m.provenance["transferred"]
    assert not any(k.startswith("A100-80GB-SXM.profile.") for k in m.provenance.get("calibrated", []))
    assert "tpot_s_band" not in m and "calibration_band" not in m

    from hetsim.calibration.band import band_note
    from hetsim.report.table import _band

    assert band_note(exp) == "transferred profile: no band"
    assert _band(dict(m), "tpot_s", str) == "transferred profile: no band"
