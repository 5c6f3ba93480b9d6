"""Energy of a tiny run by hand: each device's idle power (the calibration profile's measured
figure where the GPU has one, else the catalogue's) times the wall time, plus the active energy
of the tasks it ran; the run's energy is their sum plus the links'."""

from pathlib import Path

import pytest
import yaml

from hetsim.runner import run_experiment

REPO = Path(__file__).resolve().parents[2]
DECODE = 3


@pytest.fixture
def runs(small_experiment):
    exp = small_experiment(**{"workload.decode_tokens": DECODE, "outputs.trace_decode_steps": DECODE,
                              "system": "h100_u55c", "placements": ["gpu-only", "paper"], "baseline": None})
    return {r.placement: r for r in run_experiment(exp)}


def _measured_idle_w(device):
    profile = yaml.safe_load((REPO / "calibration" / "profiles" / f"{device}.yaml").read_text())
    return float(profile["power"]["idle_w"])


def _active_by_device(run):
    out = {}
    for _, _, _, rec in run.records:
        out[rec.task.device] = out.get(rec.task.device, 0.0) + rec.task.energy_j
    return out


@pytest.mark.parametrize("placement", ["gpu-only", "paper"])
def test_gpu_energy_is_measured_idle_times_wall_plus_active(runs, catalogue, placement):
    run = runs[placement]
    m = run.metrics
    e2e = sum(row["iteration_s"] for row in run.iteration_rows)  # every step, prefill included
    assert m["e2e_s"] == pytest.approx(e2e)
    idle_w = _measured_idle_w("H100-SXM")
    assert idle_w != float(catalogue.devices["H100-SXM"].idle_w.value)  # the profile's figure is the one to use
    gpu = m["energy_by_device_j"]["gpu0"]
    assert gpu["idle_j"] == pytest.approx(idle_w * e2e)
    assert gpu["active_j"] == pytest.approx(_active_by_device(run)["gpu0"]) and gpu["active_j"] > 0
    assert gpu["total_j"] == pytest.approx(idle_w * e2e + gpu["active_j"])


def test_fpga_energy_is_idle_times_wall_plus_active_power_times_busy_time(runs, catalogue):
    run = runs["paper"]
    m = run.metrics
    spec = catalogue.devices["U55C"]
    kernel_s = sum(rec.task.duration for _, _, _, rec in run.records
                   if rec.task.device == "fpga0" and rec.task.step != "transfer")
    assert kernel_s > 0
    fpga = m["energy_by_device_j"]["fpga0"]
    assert fpga["idle_j"] == pytest.approx(float(spec.idle_w.value) * m["e2e_s"])
    assert fpga["active_j"] == pytest.approx(float(spec.active_w.value) * kernel_s)


@pytest.mark.parametrize("placement", ["gpu-only", "paper"])
def test_run_energy_is_the_devices_plus_the_links(runs, placement):
    m = runs[placement].metrics
    devices = sum(d["total_j"] for d in m["energy_by_device_j"].values())
    assert m["energy_j"] == pytest.approx(devices + m["link_energy_j"])
    assert m["energy_per_request_j"] == pytest.approx(m["energy_j"] / 8)
