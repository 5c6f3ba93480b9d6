"""The uncertainty band of a run: the same experiment simulated with each calibration of its GPU,
reported as [low, high] beside TTFT, TPOT and energy; a GPU with one calibration gets no band and
the table says "one calibration". Profiles made here by hand, in a profiles folder of the test's own."""

import dataclasses
import json
import shutil

import pytest

from hetsim.calibration.band import band_note, bands
from hetsim.calibration.gpu_profile import load_profile, write_profile
from hetsim.calibration.paths import REPO_ROOT
from hetsim.config.load import Catalogue
from hetsim.report.table import results_table
from hetsim.runner import run_experiment
from hetsim.scenario import load_experiment

H200 = {"system": {"name": "one_h200", "devices": {"gpu0": "H200"},
                   "links": [{"type": "pcie_gen5_x16", "between": ["host", "gpu0"]}]},
        "placements": ["gpu-only"], "baseline": None, "workload.decode_tokens": 2,
        "workload.context_tokens": 4096, "outputs.write": False}


def slower(profile, factor):
    """The profile with every HBM bandwidth divided by `factor` (a second calibration by hand)."""
    rates = {k: dataclasses.replace(r, bw_bytes_per_s=r.bw_bytes_per_s / factor) for k, r in profile.rates.items()}
    return dataclasses.replace(profile, rates=rates, raw=None, validation=None)


def run_h200(monkeypatch, folder):
    monkeypatch.setenv("HETSIM_PROFILES", str(folder))
    (run,) = run_experiment(load_experiment(None, Catalogue.load(), H200))
    return run.metrics


def test_bands_are_the_extremes_over_the_runs():
    runs = [{"ttft_s": 2.0, "tpot_s": 0.01, "energy_j": 50.0, "energy_per_token_j": 1.0},
            {"ttft_s": 1.5, "tpot_s": 0.02, "energy_j": 60.0, "energy_per_token_j": 0.9}]
    assert bands(runs) == {"ttft_s_band": (1.5, 2.0), "tpot_s_band": (0.01, 0.02), "energy_j_band": (50.0, 60.0),
                           "energy_per_token_j_band": (0.9, 1.0)}


def test_a_second_calibration_gives_a_band_from_both_runs(tmp_path, monkeypatch):
    base = load_profile(REPO_ROOT / "calibration" / "profiles" / "runs" / "H200-2026-12-01b.yaml")
    one, two = tmp_path / "one", tmp_path / "two"
    write_profile(one / "H200.yaml", base)
    write_profile(two / "H200.yaml", slower(base, 2.0))
    alone = run_h200(monkeypatch, one)  # the first calibration alone
    other = run_h200(monkeypatch, two)  # the second alone
    assert "tpot_s_band" not in alone and "calibration_band" not in alone
    # both: the first as the profile, the second as a repeat run of the same GPU
    write_profile(one / "runs" / "H200-b.yaml", slower(base, 2.0))
    both = run_h200(monkeypatch, one)
    assert both.calibration_band == "2 calibrations of H200"
    assert both.tpot_s == pytest.approx(alone.tpot_s)  # the run itself uses the profile, not the repeat
    assert other.tpot_s > alone.tpot_s  # half the bandwidth: slower decode
    assert both.tpot_s_band == pytest.approx((alone.tpot_s, other.tpot_s))
    assert both.ttft_s_band == pytest.approx(sorted((alone.ttft_s, other.ttft_s)))
    assert both.energy_j_band == pytest.approx(sorted((alone.energy_j, other.energy_j)))
    assert json.loads(json.dumps(dict(both)))["tpot_s_band"] == pytest.approx([alone.tpot_s, other.tpot_s])


def test_a_gpu_with_one_calibration_says_so_in_the_table(small_experiment, tmp_path, monkeypatch):
    # a profiles folder with the H100's profile alone (the repository's has a repeat run of it)
    (tmp_path / "p").mkdir()
    shutil.copy(REPO_ROOT / "calibration" / "profiles" / "H100-SXM.yaml", tmp_path / "p" / "H100-SXM.yaml")
    monkeypatch.setenv("HETSIM_PROFILES", str(tmp_path / "p"))
    exp = small_experiment()
    assert band_note(exp) == "one calibration"  # the default experiment's H100
    runs = run_experiment(exp)
    assert all("tpot_s_band" not in r.metrics for r in runs)
    summary = {"experiment": "t", "model": "m", "workload": exp.spec.workload.model_dump(),
               "runs": [{"label": r.label, "warnings": [], **r.metrics} for r in runs]}
    from rich.console import Console

    console = Console(width=300, record=True)
    console.print(results_table(summary))
    text = console.export_text()
    assert "band over calibrations" in text and "one calibration" in text


def test_a_named_profile_is_one_calibration(tmp_path, monkeypatch):
    from hetsim.calibration.device_inputs import gpu_calibrations

    shutil.copytree(REPO_ROOT / "calibration" / "profiles", tmp_path / "p")
    monkeypatch.setenv("HETSIM_PROFILES", str(tmp_path / "p"))
    spec = Catalogue.load().devices["H200"]
    assert [p.name for p in gpu_calibrations(spec)] == ["H200.yaml", "H200-2026-12-01b.yaml"]
    named = spec.model_copy(update={"profile": "runs/H200-2026-12-01b.yaml"})
    assert [p.name for p in gpu_calibrations(named)] == ["H200-2026-12-01b.yaml"]
    assert gpu_calibrations(spec.model_copy(update={"profile": "none"})) == []


def test_a_further_calibration_takes_the_keys_it_never_measured_from_the_run_s_profile():
    """A key measured once (the trace fit's regimes, the host keys) has no spread: the further
    calibration must not fall back to a coarser key there and put a regime difference in the band."""
    from hetsim.calibration.band import completed
    from hetsim.calibration.gpu_profile import GpuProfile
    from hetsim.hardware.gpu import OpClassRates

    def rates(bw):
        return OpClassRates(1e-6, bw, 1e15, source="calibrated", dispatch_s=5e-6)

    primary = GpuProfile("H200", {}, {"copy": rates(3e12), "copy_strided": rates(1e12), "host_view": rates(0)})
    further = GpuProfile("H200", {}, {"copy": rates(3.3e12)})
    out = completed(further, primary)
    assert out.rates["copy"] is further.rates["copy"]  # measured twice: its own figure (the spread)
    assert out.rates["copy_strided"] is primary.rates["copy_strided"]  # measured once: no spread
    assert set(out.rates) == {"copy", "copy_strided", "host_view"} and set(further.rates) == {"copy"}
    assert completed(further, None) is further


def test_the_host_state_scales_every_host_cost_and_nothing_else(tmp_path):
    from hetsim.calibration import host_state

    prof = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml")
    assert host_state.of_profile(prof) == (prof.provenance["host_state"]["low"], prof.provenance["host_state"]["high"])
    slow = host_state.scaled(prof, 1.5)
    for k, r in prof.rates.items():
        assert slow.rates[k].dispatch_s == pytest.approx(1.5 * r.dispatch_s)
        assert dataclasses.replace(slow.rates[k], dispatch_s=r.dispatch_s) == r
    # recorded from op cases' interleaved passes; the profile file changes by that block only
    path = tmp_path / "H200.yaml"
    shutil.copy(REPO_ROOT / "calibration" / "profiles" / "H200.yaml", path)
    state = host_state.spread_of([REPO_ROOT / "calibration" / "e2e" / "H200-2026-12-01b" / "ops.parquet"])
    assert state["low"] < 1 < state["high"] and state["passes"] > 500
    host_state.write(path, {**state, "low": 0.5})
    assert host_state.of_profile(load_profile(path)) == (0.5, state["high"])
    assert host_state.main(["--profile", str(path), "--cases", str(REPO_ROOT / "calibration" / "e2e" / "H200" /
                                                                   "ops.parquet")]) == 2  # one pass: no spread
    # a profile written whole (`provenance: {}`): refused, the file left byte for byte as it was
    whole = tmp_path / "whole.yaml"
    write_profile(whole, dataclasses.replace(prof, provenance={}))
    text = whole.read_text()
    assert "provenance: {}" in text
    cases = str(REPO_ROOT / "calibration" / "e2e" / "H200-2026-12-01b" / "ops.parquet")
    assert host_state.main(["--profile", str(whole), "--cases", cases, "--write"]) == 2
    assert whole.read_text() == text and sorted(p.name for p in tmp_path.iterdir()) == ["H200.yaml", "whole.yaml"]


def test_host_keys_measured_in_several_sessions_give_their_fastest_and_slowest_variants():
    from hetsim.calibration.band import host_sessions
    from hetsim.calibration.gpu_profile import GpuProfile
    from hetsim.hardware.gpu import OpClassRates

    plan = OpClassRates(0.0, float("inf"), float("inf"), source="measured", dispatch_s=0.054)
    kernel = OpClassRates(1e-6, 1e12, 1e15, source="calibrated", dispatch_s=9e-6)
    view = OpClassRates(0.0, float("inf"), float("inf"), source="measured", dispatch_s=2e-6)
    notes = {"host_sdpa_plan": {"measured": {"files": [{"file": "a.json", "value_s": 0.0564},
                                                       {"file": "b.json", "value_s": 0.0516},
                                                       {"file": "c.json", "value_s": 0.0530}]}},
             "host_view": {"measured": {"files": [{"file": "a.json", "value_s": 1.2e-6},
                                                  {"file": "b.json", "value_s": 2.7e-6},
                                                  {"file": "c.json", "value_s": 2.4e-6}]}}}
    profile = GpuProfile("H200", {}, {"host_sdpa_plan": plan, "host_view": view, "pointwise": kernel}, notes=notes)
    # two runs span the three sessions' middle: each key at its figures' 10th and 90th percentiles (sorted
    # 0.0516, 0.0530, 0.0564: 0.0516 + 0.2 x 0.0014 and 0.0530 + 0.8 x 0.0034)
    fast, slow = host_sessions(profile)
    assert fast.rates["host_sdpa_plan"].dispatch_s == pytest.approx(0.05188)
    assert slow.rates["host_sdpa_plan"].dispatch_s == pytest.approx(0.05572)
    assert fast.rates["host_view"].dispatch_s == pytest.approx(1.44e-6)
    assert slow.rates["host_view"].dispatch_s == pytest.approx(2.64e-6)
    assert fast.rates["pointwise"] is kernel and slow.rates["pointwise"] is kernel  # only the measured keys vary
    assert host_sessions(GpuProfile("H200", {}, {"pointwise": kernel})) == [] and host_sessions(None) == []


def test_the_h200_band_spans_its_host_sessions_and_states(catalogue):
    (run,) = run_experiment(load_experiment(None, catalogue, {**H200, "workload.stack": "hf-dynamic"}))
    low, high = run.metrics.tpot_s_band
    assert low < run.metrics.tpot_s < high  # the plan build of each host-call session on either side
    prof = load_profile(REPO_ROOT / "calibration" / "profiles" / "H200.yaml")
    plans = [f["value_s"] for f in prof.notes["host_sdpa_plan"]["measured"]["files"]]
    assert run.metrics.calibration_band == (f"2 calibrations of H200; host keys of H200 from {len(plans)} sessions; "
                                            "host state of H200 x0.76-x1.26")
    # a host-bound decode step: the host's fast and slow states set the ends (wider than the leases' plan builds)
    assert low == pytest.approx(0.757 * run.metrics.tpot_s, rel=0.03)
    assert high == pytest.approx(1.263 * run.metrics.tpot_s, rel=0.03)
    # a CUDA-graph replay prices no host key: no session variant is run
    (graph,) = run_experiment(load_experiment(None, catalogue, {**H200, "workload.stack": "hf-static",
                                                                "simulation.gpu_execution": "graph"}))
    assert graph.metrics.calibration_band == "2 calibrations of H200"
