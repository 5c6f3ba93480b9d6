"""What a device that a run does not use costs: nothing by default (`simulation.idle_power:
used`), its idle power for the whole run with `idle_power: all`; and its figures are not among
the inputs the run's provenance rests on."""

import pytest

from hetsim.runner import run_experiment


def _runs(small_experiment, **overrides):
    exp = small_experiment(**{"placements": ["gpu-only", "paper"], "baseline": None, **overrides})
    return exp, {r.placement: r.metrics for r in run_experiment(exp)}


def test_an_unused_fpga_costs_nothing_and_is_not_an_input(small_experiment):
    _, runs = _runs(small_experiment)
    fpga = runs["gpu-only"]["energy_by_device_j"]["fpga0"]
    assert fpga == {"idle_j": 0.0, "active_j": 0.0, "total_j": 0.0, "used": False}
    assert not any(k.startswith("U55C.") for keys in runs["gpu-only"]["provenance"].values() for k in keys)
    assert runs["paper"]["energy_by_device_j"]["fpga0"]["used"] is True
    assert any(k.startswith("U55C.") for keys in runs["paper"]["provenance"].values() for k in keys)


def test_idle_power_all_charges_every_device_for_the_whole_run(small_experiment, catalogue):
    exp, runs = _runs(small_experiment, **{"simulation.idle_power": "all"})
    m = runs["gpu-only"]
    idle = float(catalogue.devices["U55C"].idle_w.value)
    assert m["energy_by_device_j"]["fpga0"]["idle_j"] == pytest.approx(idle * m["e2e_s"])
    _, used_only = _runs(small_experiment)
    assert m["energy_j"] == pytest.approx(used_only["gpu-only"]["energy_j"] + idle * m["e2e_s"])


def test_many_idle_devices_do_not_inflate_a_gpu_only_run(small_experiment):
    devices = {"gpu0": "H100-SXM", **{f"fpga{i}": "U55C" for i in range(40)}}
    links = [{"type": "pcie_gen5_x16", "between": ["host", "gpu0"]}]
    links += [{"type": "pcie_gen3_x16", "between": ["host", d]} for d in devices if d != "gpu0"]
    big = {"name": "big", "devices": devices, "links": links}
    _, runs = _runs(small_experiment, system=big, placements=["gpu-only"])
    _, small = _runs(small_experiment, placements=["gpu-only"])
    assert runs["gpu-only"]["energy_j"] == pytest.approx(small["gpu-only"]["energy_j"])
