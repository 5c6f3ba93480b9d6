"""GPU calibration profiles: fitted per-op-class rates with the provenance of the measurement.

A profile is a YAML file in `calibration/profiles/` (raw measurements in a Parquet file beside
it). The simulator uses the profile whose `device` names a catalogue GPU, and says so in its
results; without one it uses the datasheet-derived model, marked assumed.

    kind: gpu-profile
    device: H100-SXM                  # catalogue device it calibrates
    provenance: {gpu: ..., driver: ..., torch: ..., date: ..., command: ...}
    op_classes:
      matmul: {overhead_s: .., bw_bytes_per_s: .., flop_rate: .., active_w: ..}
      ...
    raw: H100-SXM.parquet
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from hetsim.config.load import REPO_ROOT, validate
from hetsim.config.schema import GpuSpec
from hetsim.errors import ConfigError
from hetsim.hardware.gpu import OpClassRates


class RatesSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    overhead_s: float = Field(ge=0)
    bw_bytes_per_s: float = Field(gt=0)
    flop_rate: float = Field(gt=0)
    active_w: float | None = Field(default=None, ge=0)


class ProfileSpec(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str = Field(pattern="^gpu-profile$")
    device: str
    provenance: dict[str, Any]
    op_classes: dict[str, RatesSpec]
    raw: str | None = None


@dataclass
class GpuProfile:
    path: Path
    spec: ProfileSpec
    rates: dict[str, OpClassRates] = field(default_factory=dict)


def profiles_dir() -> Path:
    return Path(os.environ.get("HETSIM_PROFILES", REPO_ROOT / "calibration" / "profiles"))


def load_profile(path: Path) -> GpuProfile:
    path = Path(path)
    if not path.is_file():
        raise ConfigError("calibration profile not found", file=str(path))
    spec = validate(ProfileSpec, yaml.safe_load(path.read_text()), str(path))
    rates = {
        cls: OpClassRates(r.overhead_s, r.bw_bytes_per_s, r.flop_rate, r.active_w, "calibrated")
        for cls, r in spec.op_classes.items()
    }
    return GpuProfile(path, spec, rates)


def profile_for(gpu: GpuSpec) -> GpuProfile | None:
    """The profile a GPU names, else the one in the profiles folder made for its catalogue name."""
    if gpu.profile:
        path = Path(gpu.profile)
        return load_profile(path if path.is_absolute() else profiles_dir() / path)
    for path in sorted(profiles_dir().glob("*.yaml")):
        try:
            head = yaml.safe_load(path.read_text())
        except yaml.YAMLError:
            continue
        if isinstance(head, dict) and head.get("kind") == "gpu-profile" and head.get("device") == gpu.name:
            return load_profile(path)
    return None
