"""GPU calibration profiles: fitted per-op-class rates with the provenance of the measurement.

A profile is a YAML file in `calibration/profiles/`, written by `hetsim calibrate gpu`
(`hetsim.calibration.gpu_suite`), with two files beside it: the raw measurements (Parquet)
and the validation cases measured in the same run (a cases file with `measured_s`). The
simulator uses the profile whose `device` names a catalogue GPU, and says so in its results;
without one it uses the datasheet-derived model, marked assumed.

    kind: gpu-profile
    format: 2
    device: H100-SXM                  # catalogue device it calibrates
    provenance: {gpu: .., driver: .., torch: .., cuda: .., date: .., command: .., ...}
    model: time = max(dispatch_s, overhead_s + roof(flops/flop_rate, bytes/bw_bytes_per_s))
    op_classes:                       # rate keys (hetsim.hardware.gpu.rate_keys)
      matmul: {overhead_s: .., dispatch_s: .., bw_bytes_per_s: .., flop_rate: .., roof_p: ..,
               eager_gap_s: .., dtype: bf16, active_w: .., power_point: {..},
               fit: {points: .., median_abs_err: .., max_abs_err: .., ...}}
      topk_singleblock: {.., wave_slots: 132, wave_s: .., item_s: ..}
      ...
    host_link: {h2d: {latency_s: .., bw_bytes_per_s: ..}, d2h: {...}}
    host: {mix_factor: 1.2, mixes: [...]}
    power: {method: nvml-energy, idle_w: .., note: ..}
    raw: H100-SXM.parquet
    validation: H100-SXM.validation.yaml

Format 1 profiles (no dispatch_s, roof_p, eager_gap_s, waves, host, host_link, power) still
load: the missing fields take the affine-model defaults.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from hetsim.config.load import REPO_ROOT, read_yaml, validate
from hetsim.config.schema import GpuSpec
from hetsim.errors import ConfigError
from hetsim.hardware.gpu import OpClassRates


class RatesSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    overhead_s: float = Field(ge=0)
    bw_bytes_per_s: float = Field(gt=0)
    flop_rate: float = Field(gt=0)
    active_w: float | None = Field(default=None, ge=0)
    dispatch_s: float = Field(default=0.0, ge=0)
    roof_p: float = Field(default=math.inf, gt=0)
    dtype: str | None = None
    eager_gap_s: float = Field(default=0.0, ge=0)
    wave_slots: float = Field(default=0.0, ge=0)
    wave_s: float = Field(default=0.0, ge=0)
    item_s: float = Field(default=0.0, ge=0)


class HostCopySpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    latency_s: float = Field(ge=0)
    bw_bytes_per_s: float = Field(gt=0)


class HostSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    mix_factor: float = Field(default=1.0, ge=1.0)


class PowerSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    method: str
    idle_w: float | None = Field(default=None, ge=0)
    note: str = ""


class ProfileSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str = Field(pattern="^gpu-profile$")
    format: int = 1
    device: str
    provenance: dict[str, Any]
    op_classes: dict[str, RatesSpec]
    host_link: dict[str, HostCopySpec] = Field(default_factory=dict)
    host: HostSpec = Field(default_factory=HostSpec)
    power: PowerSpec | None = None
    raw: str | None = None
    validation: str | None = None


@dataclass
class GpuProfile:
    path: Path
    spec: ProfileSpec
    rates: dict[str, OpClassRates] = field(default_factory=dict)

    @property
    def device(self) -> str:
        return self.spec.device

    @property
    def host_mix(self) -> float:
        """Extra host cost of issuing different ops in turn (>= 1; see hetsim.hardware.gpu)."""
        return self.spec.host.mix_factor

    @property
    def idle_w(self) -> float | None:
        """Board power at rest read during calibration (None where power was not readable)."""
        return self.spec.power.idle_w if self.spec.power else None

    @property
    def raw_path(self) -> Path | None:
        return self.path.parent / self.spec.raw if self.spec.raw else None

    @property
    def validation_path(self) -> Path | None:
        return self.path.parent / self.spec.validation if self.spec.validation else None


def profiles_dir() -> Path:
    return Path(os.environ.get("HETSIM_PROFILES", REPO_ROOT / "calibration" / "profiles"))


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml where present: 10x faster
_CACHE: dict[tuple, GpuProfile] = {}
_INDEX: dict[tuple, dict[str, Path]] = {}
_HEAD = re.compile(r"^(kind|device):[ \t]*['\"]?([^'\"\s#]+)", re.MULTILINE)


def _stamp(path: Path) -> tuple:
    st = path.stat()
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def load_profile(path: Path) -> GpuProfile:
    """Read and check a profile (cached per file version: sweeps build many device models)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("calibration profile not found", file=str(path))
    key = _stamp(path)
    if key in _CACHE:
        return _CACHE[key]
    try:
        data = yaml.load(path.read_text(), Loader=_LOADER)
    except yaml.YAMLError:
        data = read_yaml(path)  # raises the ConfigError that says where the YAML breaks
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping at the top level", file=str(path))
    spec = validate(ProfileSpec, data, str(path))
    rates = {
        cls: OpClassRates(r.overhead_s, r.bw_bytes_per_s, r.flop_rate, r.active_w, "calibrated",
                          dispatch_s=r.dispatch_s, roof_p=r.roof_p, dtype=r.dtype, eager_gap_s=r.eager_gap_s,
                          wave_slots=r.wave_slots, wave_s=r.wave_s, item_s=r.item_s)
        for cls, r in spec.op_classes.items()
    }
    _CACHE[key] = profile = GpuProfile(path, spec, rates)
    return profile


def _index(folder: Path) -> dict[str, Path]:
    """Catalogue device -> profile file in a folder, from each file's top-level `kind` and
    `device` lines (no full parse; the raw and validation files beside profiles are skipped)."""
    files = sorted(p for p in folder.glob("*.yaml") if not p.name.endswith(".validation.yaml"))
    key = (str(folder.resolve()), tuple(_stamp(p) for p in files))
    if key not in _INDEX:
        found: dict[str, Path] = {}
        for p in files:
            head = dict(m.groups() for m in _HEAD.finditer(p.read_text()))
            if head.get("kind") == "gpu-profile" and "device" in head:
                found.setdefault(head["device"], p)
        _INDEX[key] = found
    return _INDEX[key]


def profile_for(gpu: GpuSpec) -> GpuProfile | None:
    """The profile a GPU names, else the one in the profiles folder made for its catalogue name."""
    if gpu.profile:
        path = Path(gpu.profile)
        return load_profile(path if path.is_absolute() else profiles_dir() / path)
    folder = profiles_dir()
    path = _index(folder).get(gpu.name) if folder.is_dir() else None
    return load_profile(path) if path is not None else None
