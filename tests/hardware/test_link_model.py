"""A link model built from its spec, by hand: units (us, GB/s, pJ/bit), the figures it logs with
their sources, the names of its two directions, and the refusal of endpoints it does not join."""

import pytest

from hetsim.config.schema import LinkSpec
from hetsim.hardware.link import LinkModel
from hetsim.provenance import ProvenanceLog, Sourced


def _spec(energy_pj_per_bit=None):
    def fig(v, source="datasheet"):
        return Sourced(value=v, source=source, ref="test")

    return LinkSpec(name="lk", kind="pcie", latency_us=fig(2.0, "measured"), downstream_gbps=fig(20.0),
                    upstream_gbps=fig(10.0, "assumed"),
                    energy_pj_per_bit=None if energy_pj_per_bit is None else fig(energy_pj_per_bit, "derived"))


def test_a_link_converts_its_figures_and_logs_where_each_came_from():
    log = ProvenanceLog()
    link = LinkModel.build("host-gpu0", _spec(), "host", "gpu0", log)
    assert (link.id, link.a, link.b) == ("host-gpu0", "host", "gpu0")
    assert (link.latency_s, link.down_bw, link.up_bw) == pytest.approx((2e-6, 20e9, 10e9))
    assert link.energy_j_per_byte is None  # not given: no link energy
    assert log.used == {"lk.latency_us": "measured", "lk.downstream_gbps": "datasheet", "lk.upstream_gbps": "assumed"}
    # 1 MB down: 2 us + 1e6 / 20e9 s; up at half the bandwidth
    assert link.transfer_s(1e6, "host", "gpu0") == pytest.approx(2e-6 + 50e-6)
    assert link.transfer_s(1e6, "gpu0", "host") == pytest.approx(2e-6 + 100e-6)


def test_link_energy_is_given_per_bit_and_kept_per_byte():
    log = ProvenanceLog()
    link = LinkModel.build("l", _spec(energy_pj_per_bit=5.0), "host", "gpu0", log)
    assert link.energy_j_per_byte == pytest.approx(5.0 * 8 * 1e-12)  # 8 bits a byte, 1e-12 J a pJ
    assert log.used["lk.energy_pj_per_bit"] == "derived"


def test_each_direction_of_a_link_is_its_own_resource():
    link = LinkModel.build("sw0-fpga0", _spec(), "sw0", "fpga0", ProvenanceLog())
    assert link.direction("sw0") == "sw0-fpga0:sw0>fpga0"
    assert link.direction("fpga0") == "sw0-fpga0:fpga0>sw0"
    with pytest.raises(ValueError, match=r"^link sw0-fpga0 does not join gpu0 and fpga0$"):
        link.bw("gpu0", "fpga0")
