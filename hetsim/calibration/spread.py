"""How far two or more calibrations of one GPU disagree, parameter by parameter.

    spread(profiles)  ->  Spread: every fitted number of every profile side by side

A calibration run fits ~200 numbers per GPU (per rate key: host issue time, device overhead,
bandwidth, FLOP rate, roofline corner, eager gap, top-k wave terms, busy power; plus the host's mix
factor, the host copies and the idle power). Run twice on the same software, the device terms
hold and the host terms move (the hosts are VMs whose CPU speed drifts). The spread of one
parameter is max / min - 1 over the calibrations: how much its largest reading exceeds its
smallest (0.12 = moved by 12%). A parameter fitted as infinite in one run and finite in another
(a compute roof the data reached once), or zero in one and not in another, has an infinite spread.

Each parameter is put in one group, so a reader sees where the disagreement lives:
  host    issue costs on the CPU: dispatch_s, eager_gap_s, host.mix_factor, host copies' dispatch
  device  the GPU's own times: overhead_s, bw_bytes_per_s, flop_rate, roof_p, wave terms, host links
  power   active_w per key, idle_w

Standard library, PyYAML and the profile reader only (no pydantic): it runs wherever profiles load.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

from hetsim.calibration.gpu_profile import RATE_FIELDS, GpuProfile, load_profile
from hetsim.errors import ConfigError

MOVED = 0.10  # a parameter "moved" when its readings differ by more than this fraction
HOST_FIELDS = ("dispatch_s", "eager_gap_s")
POWER_FIELDS = ("active_w",)
SKIP_FIELDS = ("dtype",)  # a label, not a number


@dataclass(frozen=True)
class Parameter:
    """One fitted number read from every calibration."""

    name: str  # e.g. matmul.dispatch_s, host.mix_factor, host_link.h2d.bw_bytes_per_s, power.idle_w
    group: str  # host | device | power
    values: tuple[float | None, ...]  # one per profile, in the order given; None: absent in that one

    @property
    def spread(self) -> float | None:
        """max / min - 1 over the readings (None: read in fewer than two calibrations)."""
        vals = [v for v in self.values if v is not None]
        if len(vals) < 2:
            return None
        lo, hi = min(vals), max(vals)
        if lo == hi:
            return 0.0
        if lo <= 0.0 or math.isinf(hi):
            return math.inf  # zero vs non-zero, or a roof fitted in one run only
        return hi / lo - 1.0

    @property
    def moved(self) -> bool:
        return self.spread is not None and self.spread > MOVED

    def as_dict(self) -> dict:
        d = asdict(self)
        d["values"] = [_json_number(v) for v in self.values]
        d["spread"] = _json_number(self.spread)
        d["moved"] = self.moved
        return d


@dataclass
class Spread:
    device: str
    profiles: list[str]
    parameters: list[Parameter] = field(default_factory=list)

    @property
    def compared(self) -> list[Parameter]:
        return [p for p in self.parameters if p.spread is not None]

    @property
    def moved(self) -> list[Parameter]:
        return [p for p in self.compared if p.moved]

    def by_group(self) -> dict[str, dict]:
        """Per group: parameters compared, how many moved, the median and largest spread."""
        out = {}
        for group in ("host", "device", "power"):
            ps = [p for p in self.compared if p.group == group]
            if not ps:
                continue
            finite = [p.spread for p in ps if math.isfinite(p.spread)]
            out[group] = {"compared": len(ps), "moved": sum(p.moved for p in ps),
                          "median_spread": statistics.median(finite) if finite else None,
                          "max_spread": _json_number(max(p.spread for p in ps))}
        return out

    def as_dict(self) -> dict:
        return {"device": self.device, "profiles": self.profiles, "moved_threshold": MOVED,
                "compared": len(self.compared), "moved": len(self.moved), "groups": self.by_group(),
                "parameters": [p.as_dict() for p in self.parameters]}


def _json_number(x: float | None) -> float | str | None:
    """JSON has no infinity: write it as the string "inf"."""
    return "inf" if x is not None and math.isinf(x) else x


def _group(field_name: str) -> str:
    if field_name in HOST_FIELDS:
        return "host"
    if field_name in POWER_FIELDS:
        return "power"
    return "device"


def parameters_of(profile: GpuProfile) -> dict[str, tuple[str, float | None]]:
    """name -> (group, value) of every fitted number in a profile."""
    out: dict[str, tuple[str, float | None]] = {}
    for key, rates in sorted(profile.rates.items()):
        for f in RATE_FIELDS:
            if f.name in SKIP_FIELDS:
                continue
            out[f"{key}.{f.name}"] = (_group(f.name), getattr(rates, f.name))
    out["host.mix_factor"] = ("host", profile.host_mix)
    for direction, copy in sorted(profile.host_link.items()):
        out[f"host_link.{direction}.latency_s"] = ("device", copy.latency_s)
        out[f"host_link.{direction}.bw_bytes_per_s"] = ("device", copy.bw_bytes_per_s)
        out[f"host_link.{direction}.dispatch_s"] = ("host", copy.dispatch_s)
    out["power.idle_w"] = ("power", profile.idle_w)
    return out


def spread(profiles: list[GpuProfile], names: list[str] | None = None) -> Spread:
    """Every fitted parameter of two or more calibrations of one GPU, side by side."""
    if len(profiles) < 2:
        raise ConfigError("a spread needs two or more calibrations of one GPU")
    devices = sorted({p.device for p in profiles})
    if len(devices) > 1:
        raise ConfigError(f"the profiles calibrate different GPUs ({', '.join(devices)}); a spread compares "
                          "calibrations of one GPU")
    names = names or [str(p.path) for p in profiles]
    read = [parameters_of(p) for p in profiles]
    keys = sorted({k for r in read for k in r})
    out = Spread(devices[0], list(names))
    for k in keys:
        group = next(r[k][0] for r in read if k in r)
        values = tuple(r[k][1] if k in r else None for r in read)
        if all(v in (None, 0.0) for v in values):
            continue  # a term no calibration fitted (e.g. wave terms outside single-block top-k)
        out.parameters.append(Parameter(k, group, values))
    return out


def spread_of_files(paths: list[Path]) -> Spread:
    return spread([load_profile(p) for p in paths], [str(p) for p in paths])
