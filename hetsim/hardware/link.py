"""PCIe / P2P links: a fixed latency plus bytes over a per-direction bandwidth.

    time(n) = latency + n / bw_direction

Its effective bandwidth n / time(n) grows with the transfer size (small transfers are
latency-bound), the size dependence XRT and CUDA small-copy readings show.
"""

from __future__ import annotations

from dataclasses import dataclass

from hetsim.config.schema import LinkSpec
from hetsim.provenance import ProvenanceLog
from hetsim.units import GB, PJ, US


@dataclass(frozen=True)
class LinkModel:
    """One link instance between two named endpoints of a system."""

    id: str
    spec: LinkSpec
    a: str  # upstream endpoint (host/switch side)
    b: str
    latency_s: float
    down_bw: float  # a -> b
    up_bw: float  # b -> a
    energy_j_per_byte: float | None

    @classmethod
    def build(cls, id: str, spec: LinkSpec, a: str, b: str, log: ProvenanceLog) -> LinkModel:
        p = f"{spec.name}."
        energy = None
        if spec.energy_pj_per_bit is not None:
            energy = log.use(p + "energy_pj_per_bit", spec.energy_pj_per_bit) * 8 * PJ  # per bit -> per byte
        return cls(
            id=id, spec=spec, a=a, b=b,
            latency_s=log.use(p + "latency_us", spec.latency_us) * US,
            down_bw=log.use(p + "downstream_gbps", spec.downstream_gbps) * GB,
            up_bw=log.use(p + "upstream_gbps", spec.upstream_gbps) * GB,
            energy_j_per_byte=energy,
        )

    def bw(self, src: str, dst: str) -> float:
        if (src, dst) == (self.a, self.b):
            return self.down_bw
        if (src, dst) == (self.b, self.a):
            return self.up_bw
        raise ValueError(f"link {self.id} does not join {src} and {dst}")

    def direction(self, src: str) -> str:
        return f"{self.id}:{src}>{self.b if src == self.a else self.a}"

    def transfer_s(self, nbytes: float, src: str, dst: str) -> float:
        return self.latency_s + nbytes / self.bw(src, dst)
