"""The card the kernel tables, the design search and the runner's predicted cycles are figured
against: the U55C of the catalogue (`configs/devices/U55C.yaml`), read from it, not retyped."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from hetsim.config.load import configs_root, load_file
from hetsim.config.schema import FpgaSpec
from hetsim.units import GB


@dataclass(frozen=True)
class Card:
    pcs: int  # HBM pseudo-channels
    pc_bw_bytes_per_s: float
    hbm_efficiency: float
    launch_s: float  # XRT start per token (invocation overhead)
    resources: dict[str, int]  # bram36, uram, dsps, luts


@cache
def u55c() -> Card:
    spec = load_file(FpgaSpec, configs_root() / "devices" / "U55C.yaml")
    return Card(
        pcs=int(spec.hbm_pseudo_channels.value),
        pc_bw_bytes_per_s=spec.hbm_bw_per_pc_gbps.value * GB,
        hbm_efficiency=float(spec.hbm_efficiency.value),
        launch_s=spec.invocation_overhead_us.value / 1e6,
        resources={r: int(getattr(spec, r).value) for r in ("bram36", "uram", "dsps", "luts")},
    )
