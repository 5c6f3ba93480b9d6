"""The machine a scenario builds (`hetsim.sim.machine`): routes that never pass through another
device and are cut at the host, links with the same ends kept apart, the calibration profile
each GPU is timed by, the host link a GPU's host copies use, and one provenance log for every
figure the device models read."""

import pytest

from hetsim.ops import Copy
from hetsim.sim.machine import Machine

GEN5, GEN3 = "pcie_gen5_x16", "pcie_gen3_x16"


def _machine(small_experiment, system):
    return Machine(small_experiment(system=system, baseline=None, placements=["gpu-only"]))


def test_a_route_skips_devices_and_is_cut_where_it_passes_the_host(small_experiment):
    # sw0 lists gpu1 before the host: a search that forwarded through gpu1, or stopped at it,
    # would not find fpga0 behind the host
    system = {"name": "deep", "devices": {"gpu0": "H100-SXM", "gpu1": "H100-SXM", "fpga0": "U55C"},
              "switches": ["sw0"],
              "links": [{"type": GEN5, "between": ["sw0", "gpu1"]}, {"type": GEN5, "between": ["host", "sw0"]},
                        {"type": GEN5, "between": ["sw0", "gpu0"]}, {"type": GEN3, "between": ["host", "fpga0"]},
                        {"type": GEN5, "between": ["gpu1", "fpga0"]}]}
    m = _machine(small_experiment, system)
    segs = m.route("gpu0", "fpga0")
    # not gpu0 > sw0 > gpu1 > fpga0 (three hops too, but through a device)
    assert [[(h.src, h.dst) for h in s] for s in segs] == [[("gpu0", "sw0"), ("sw0", "host")], [("host", "fpga0")]]
    back = m.route("fpga0", "gpu0")
    assert [[(h.src, h.dst) for h in s] for s in back] == [[("fpga0", "host")], [("host", "sw0"), ("sw0", "gpu0")]]
    # a route that ends at the host is one segment
    assert [[(h.src, h.dst) for h in s] for s in m.route("gpu0", "host")] == [[("gpu0", "sw0"), ("sw0", "host")]]
    assert m.route("gpu0", "fpga0") is segs  # found once


def test_links_with_the_same_ends_are_different_links(small_experiment):
    system = {"name": "dup", "devices": {"gpu0": "H100-SXM", "fpga0": "U55C"},
              "links": [{"type": GEN5, "between": ["host", "gpu0"]}, {"type": GEN5, "between": ["host", "gpu0"]},
                        {"type": GEN3, "between": ["host", "fpga0"]}]}
    m = _machine(small_experiment, system)
    assert [link.id for link in m.links] == ["host-gpu0", "host-gpu0#1", "host-fpga0"]
    assert m.links[0].direction("gpu0") != m.links[1].direction("gpu0")


def test_a_gpu_timed_by_a_profile_says_which_and_one_without_does_not(small_experiment):
    scn = small_experiment(baseline=None)  # h100_u55c: the H100 has a calibration profile
    m = Machine(scn)
    profile = scn.inputs["gpu0"].profile
    assert profile is not None and m.profiles == {"gpu0": str(profile.path)}
    assert m.models["gpu0"].profile is profile
    assert _machine(small_experiment, "mi210_u55c").profiles == {}


def test_host_copies_of_a_gpu_without_a_profile_use_its_host_link(small_experiment, catalogue):
    m = _machine(small_experiment, "mi210_u55c")  # gpu0 hangs off the host on PCIe Gen4 x16
    link = catalogue.links["pcie_gen4_x16"]
    latency, down, up = (float(link.latency_us.value) * 1e-6, float(link.downstream_gbps.value) * 1e9,
                         float(link.upstream_gbps.value) * 1e9)
    gpu = m.models["gpu0"]
    assert gpu.device_time_s(Copy(10**6, "h2d")) == pytest.approx(latency + 1e6 / down)
    assert gpu.device_time_s(Copy(10**6, "d2h")) == pytest.approx(latency + 1e6 / up)


def test_every_figure_the_device_models_read_is_in_the_machines_log(small_experiment):
    m = _machine(small_experiment, "mi210_u55c")
    used = m.log.used
    for key in ("MI210.memory_gb", "MI210.idle_w", "U55C.memory_gb", "U55C.kernel_clock_mhz",
                "pcie_gen3_x16.latency_us"):
        assert key in used, key
    m.models["gpu0"].device_time_s(Copy(10**6, "h2d"))
    assert "pcie_gen4_x16.downstream_gbps" in used  # read when first used, into the same log
    # timed by the GPU's own host link type, not the generic assumed link (whose figures Gen4's equal)
    assert "MI210.host_link.h2d" not in used
