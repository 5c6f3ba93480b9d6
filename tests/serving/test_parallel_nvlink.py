"""Collectives between GPUs follow the system's topology: the ring all-reduce and the all-to-all
take the NVLink fabric where it joins two GPUs (configs/links/nvlink4.yaml, through the NVSwitch
node of configs/systems/*xh200_nvlink.yaml), else the fewest-hop route (PCIe through the host)."""

from pathlib import Path

import pytest

from hetsim.scenario import load_experiment
from hetsim.serving.parallel import Ring, peer_route
from hetsim.serving.run import ServingRunner, requests_of

REPO = Path(__file__).resolve().parents[2]
TP = REPO / "configs" / "experiments" / "serving_tp.yaml"
NVLINK_HOP_S, NVLINK_BW = 1e-6, 450e9  # configs/links/nvlink4.yaml
PCIE_HOP_S, PCIE_UP_BW = 14e-6, 46e9  # configs/links/pcie_gen5_x16.yaml (GPU -> host is upstream)
PCIE2 = {"name": "2xh200_pcie", "devices": {"gpu0": "H200", "gpu1": "H200"},
         "links": [{"type": "pcie_gen5_x16", "between": ["host", "gpu0"]},
                   {"type": "pcie_gen5_x16", "between": ["host", "gpu1"]}]}
# the 2-GPU NVLink system with its PCIe links listed first: the fewest-hop route ties and takes the host
PCIE_FIRST = {"name": "2xh200_pcie_first", "devices": {"gpu0": "H200", "gpu1": "H200"}, "switches": ["nvswitch"],
              "links": PCIE2["links"] + [{"type": "nvlink4", "between": ["nvswitch", "gpu0"]},
                                         {"type": "nvlink4", "between": ["nvswitch", "gpu1"]}]}


def machine(catalogue, system):
    exp = load_experiment(TP, catalogue, {"outputs.write": False, "system": system,
                                          "serving.requests.count": 20})
    return exp, ServingRunner(exp, exp.runs[0]).machine


def test_ring_over_nvlink_by_hand_and_faster_than_pcie(catalogue):
    nbytes = 8 << 20
    _, nv = machine(catalogue, "2xh200_nvlink")
    _, pcie = machine(catalogue, PCIE2)
    # gpu0 -> nvswitch -> gpu1 cut-through: two hop latencies, 450 GB/s
    step = 2 * NVLINK_HOP_S + (nbytes / 2) / NVLINK_BW
    assert Ring(("gpu0", "gpu1"), nv).allreduce_s(nbytes) == pytest.approx(2 * step, rel=1e-9)
    # through the host: staged, one hop after the other, the upstream hop at 46 GB/s
    assert Ring(("gpu0", "gpu1"), pcie).allreduce_s(nbytes) > 5 * Ring(("gpu0", "gpu1"), nv).allreduce_s(nbytes)


def test_collectives_take_nvlink_even_when_pcie_ties(catalogue):
    _, m = machine(catalogue, PCIE_FIRST)
    assert [h.link.spec.kind for seg in m.route("gpu0", "gpu1") for h in seg] == ["pcie", "pcie"]
    route = peer_route(m, "gpu0", "gpu1")
    assert [[(h.src, h.dst, h.link.spec.kind) for h in seg] for seg in route] == [
        [("gpu0", "nvswitch", "nvlink"), ("nvswitch", "gpu1", "nvlink")]]
    _, listed_first = machine(catalogue, "2xh200_nvlink")
    assert Ring(("gpu0", "gpu1"), m).allreduce_s(1 << 20) == pytest.approx(
        Ring(("gpu0", "gpu1"), listed_first).allreduce_s(1 << 20))


def test_every_pair_of_the_8_gpu_system_meets_on_nvlink(catalogue):
    _, m = machine(catalogue, "8xh200_nvlink")
    for a in range(8):
        for b in range(8):
            if a != b:
                kinds = {h.link.spec.kind for seg in peer_route(m, f"gpu{a}", f"gpu{b}") for h in seg}
                assert kinds == {"nvlink"}


def test_pcie_only_system_keeps_the_fewest_hop_route(catalogue):
    _, m = machine(catalogue, PCIE2)
    assert peer_route(m, "gpu0", "gpu1") == m.route("gpu0", "gpu1")


def tpot_p50(catalogue, tp):
    exp = load_experiment(TP, catalogue, {"outputs.write": False, "system": "2xh200_nvlink",
                                          "serving.tensor_parallel": tp, "serving.requests.count": 80})
    r = ServingRunner(exp, exp.runs[0])
    return r.serve(requests_of(exp))[2].tpot_s.p50


def test_tp2_over_the_catalogue_nvlink_lowers_tpot(catalogue):
    assert tpot_p50(catalogue, 2) < 0.8 * tpot_p50(catalogue, 1)
