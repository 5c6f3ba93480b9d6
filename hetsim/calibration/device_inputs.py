"""What a device model is handed besides its spec, read from the files that hold it.

    device_inputs(spec, links)  ->  DeviceInputs(profile, host_link, designs)

A GPU gets its calibration profile (`calibration/profiles/`, the one its spec names or the one
made for its catalogue name) and its host link type (for host copies a profile does not time);
an FPGA gets the designs of the kernel builds it carries (`hetsim.hardware.fpga_catalogue.BUILDS`),
read from the kernels' own parameter files, resource-checked on the device, with clock and
efficiency from a measured FPGA profile where there is one. The hardware models never read
files; this module is where their inputs come from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from hetsim.calibration.gpu_profile import GpuProfile, find_profile, load_profile
from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.calibration.paths import kernels_dir, profiles_dir
from hetsim.config.schema import FpgaSpec, GpuSpec, LinkSpec
from hetsim.hardware.fpga import KernelDesign
from hetsim.hardware.fpga_catalogue import BUILDS
from hetsim.hardware.fpga_kernels.designs import designs_for


@dataclass(frozen=True)
class DeviceInputs:
    """A device model's inputs besides its spec (GPU: profile, host_link; FPGA: designs)."""

    profile: GpuProfile | None = None
    host_link: LinkSpec | None = None
    designs: Mapping[str, KernelDesign] = field(default_factory=lambda: MappingProxyType({}))


def device_inputs(spec: GpuSpec | FpgaSpec, links: Mapping[str, LinkSpec]) -> DeviceInputs:
    """The inputs of a device's model; `links`: the catalogue's link types by name."""
    if isinstance(spec, GpuSpec):
        return DeviceInputs(profile=gpu_profile(spec), host_link=links.get(spec.host_link))
    return DeviceInputs(designs=MappingProxyType(fpga_designs(spec)))


def gpu_profile(spec: GpuSpec) -> GpuProfile | None:
    """The profile a GPU names, else the one in the profiles folder made for its catalogue name;
    `profile: none` times it from its datasheet figures alone."""
    if spec.profile == "none":
        return None
    if spec.profile:
        path = Path(spec.profile)
        return load_profile(path if path.is_absolute() else profiles_dir() / path)
    path = find_profile(spec.name, profiles_dir())
    return load_profile(path) if path is not None else None


def fpga_designs(spec: FpgaSpec) -> dict[str, KernelDesign]:
    """The designs an FPGA carries; ConfigError if one does not fit it. Reading and
    resource-checking the parameter files costs far more than a small simulation, so the result
    is cached until a parameter or profile file changes."""
    return dict(_fpga_designs(spec.model_dump_json(), _inputs_stamp()))


def _inputs_stamp() -> tuple:
    files = sorted(kernels_dir().glob("*/params.yaml")) + sorted(profiles_dir().glob("*.yaml"))
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)


@lru_cache(maxsize=32)
def _fpga_designs(spec_json: str, stamp: tuple) -> dict[str, KernelDesign]:
    spec = FpgaSpec.model_validate_json(spec_json)
    params = {name: load_kernel_params(kernel, overrides) for name, (kernel, overrides) in BUILDS.items()}
    return designs_for(spec, params, measured_fpga_fits(spec.name))


def measured_fpga_fits(device: str) -> dict[str, dict[str, Any]]:
    """Kernel -> fitted parameter values of the measured FPGA profile (`kind: fpga-profile`,
    `provenance.source: measured`) for a device, if any. A C-simulation profile times the host
    CPU, not the card, so it never counts."""
    for path in sorted(profiles_dir().glob("*.yaml")):
        try:
            doc = yaml.safe_load(path.read_text())
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # another kind of file in the folder (or a broken one): not an FPGA profile
        if (isinstance(doc, dict) and doc.get("kind") == "fpga-profile" and doc.get("device") == device
                and doc.get("provenance", {}).get("source") == "measured"):
            return {kernel: {key: v["value"] for key, v in fit.items() if isinstance(v, dict) and "value" in v}
                    for kernel, fit in (doc.get("kernels") or {}).items()}
    return {}
