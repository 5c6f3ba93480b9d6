"""What a device model is handed besides its spec, read from the files that hold it.

    device_inputs(spec, links)  ->  DeviceInputs(profile, host_link, designs)

A GPU gets its calibration profile (`calibration/profiles/`, the one its spec names or the one
made for its catalogue name; `profile: transfer` or `transfer:SOURCE`: another GPU's profile
carried over by datasheet ratios, `hetsim.calibration.transfer`) and its host link type (for host
copies a profile does not time); `gpu_calibrations` lists every calibration of a GPU (the profile
and the repeat runs in `calibration/profiles/runs/`), from which a run's uncertainty band is made;
a CPU gets its profile (`hetsim calibrate cpu`, `hetsim.calibration.cpu_profile`); an FPGA gets the
designs of the kernel builds it carries (`hetsim.hardware.fpga_catalogue.BUILDS`),
read from the kernels' own parameter files, resource-checked on the device, with clock and
efficiency from a measured FPGA profile where there is one. The hardware models never read
files; this module is where their inputs come from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from hetsim.calibration.cpu_profile import cpu_profile
from hetsim.calibration.gpu_profile import KIND as GPU_KIND
from hetsim.calibration.gpu_profile import GpuProfile, find_profile, load_profile, profile_head, profile_index
from hetsim.calibration.kernel_params import load_kernel_params
from hetsim.calibration.paths import kernels_dir, profiles_dir
from hetsim.config.schema import CpuSpec, FpgaSpec, GpuSpec, LinkSpec
from hetsim.errors import ConfigError
from hetsim.hardware.cpu import CpuCalibration
from hetsim.hardware.fpga import KernelDesign
from hetsim.hardware.fpga_catalogue import BUILDS
from hetsim.hardware.fpga_kernels.designs import designs_for


@dataclass(frozen=True)
class DeviceInputs:
    """A device model's inputs besides its spec (GPU: profile, host_link; CPU: profile; FPGA: designs)."""

    profile: GpuProfile | CpuCalibration | None = None
    host_link: LinkSpec | None = None
    designs: Mapping[str, KernelDesign] = field(default_factory=lambda: MappingProxyType({}))


def device_inputs(spec: GpuSpec | FpgaSpec | CpuSpec, links: Mapping[str, LinkSpec]) -> DeviceInputs:
    """The inputs of a device's model; `links`: the catalogue's link types by name."""
    if isinstance(spec, GpuSpec):
        return DeviceInputs(profile=gpu_profile(spec, links), host_link=links.get(spec.host_link))
    if isinstance(spec, CpuSpec):
        return DeviceInputs(profile=cpu_profile(spec))
    return DeviceInputs(designs=MappingProxyType(fpga_designs(spec)))


TRANSFER = "transfer"
RUNS = "runs"  # sub-folder of the profiles folder: repeat calibrations of a GPU, never picked by default


def gpu_profile(spec: GpuSpec, links: Mapping[str, LinkSpec] | None = None) -> GpuProfile | None:
    """The profile a GPU names, else the one in the profiles folder made for its catalogue name;
    `profile: none` times it from its datasheet figures alone; `profile: transfer[:SOURCE]` carries
    the nearest (or the named) measured GPU's profile over (graded transferred)."""
    if spec.profile == "none":
        return None
    if spec.profile and (spec.profile == TRANSFER or spec.profile.startswith(TRANSFER + ":")):
        source = spec.profile.partition(":")[2] or None
        return transferred_profile(spec, source, links)
    if spec.profile:
        path = Path(spec.profile)
        return load_profile(path if path.is_absolute() else profiles_dir() / path)
    path = find_profile(spec.name, profiles_dir())
    return supplemented(load_profile(path), spec, links) if path is not None else None


def supplemented(profile: GpuProfile, spec: GpuSpec, links: Mapping[str, LinkSpec] | None = None) -> GpuProfile:
    """`profile` with the rate keys it lacks carried over from the nearest other measured GPU of its vendor
    (`hetsim.calibration.transfer.transfer_rates`, each such key's note naming its source, graded transferred
    in a run's provenance): an H100 calibrated before the aten sweep existed takes the H200's traced-op regimes
    (pointwise_broadcast, copy_expand, attention_flash_decode, host figures, ...) instead of falling back to
    its coarser primitive keys or to assumed rooflines. Its own keys are never replaced."""
    from hetsim.calibration.transfer import nearest_source, transfer_rates

    links = links or {}
    gpus = catalogue_gpus()
    measured = {name: (gpus[name], path) for name, path in measured_gpu_profiles().items()
                if name in gpus and gpus[name].vendor == spec.vendor}
    source = nearest_source(spec, measured)
    if source is None:
        return profile
    src_spec, path = measured[source]
    src = load_profile(path)
    missing = [k for k in src.rates if k not in profile.rates]
    if not missing:
        return profile
    src_link, dst_link = links.get(src_spec.host_link), links.get(spec.host_link)
    rates = dict(profile.rates)
    notes = dict(profile.notes)
    for key in missing:
        rates[key] = transfer_rates(key, src.rates[key], src_spec, spec, src_link, dst_link)
        notes[key] = {"transferred_from": path.name, "source_device": source}
    return replace(profile, rates=rates, notes=notes)


def catalogue_gpus() -> dict[str, GpuSpec]:
    """The catalogue's GPU specs by name (read once per version of the devices folder: every GPU model
    built looks for a profile to supplement its own from)."""
    from hetsim.config.load import configs_root

    files = sorted((configs_root() / "devices").glob("*.yaml"))
    return dict(_catalogue_gpus(tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)))


@lru_cache(maxsize=4)
def _catalogue_gpus(stamp: tuple) -> dict[str, GpuSpec]:
    from hetsim.config.load import DeviceSpec, load_file

    specs = (load_file(DeviceSpec, Path(f)) for f, *_ in stamp)
    return MappingProxyType({s.name: s for s in specs if isinstance(s, GpuSpec)})


def measured_gpu_profiles() -> dict[str, Path]:
    """Catalogue GPU name -> its measured profile in the profiles folder (repeat runs not included)."""
    return dict(profile_index(profiles_dir()))


def transferred_profile(spec: GpuSpec, source: str | None = None, links: Mapping[str, LinkSpec] | None = None,
                        catalogue=None) -> GpuProfile:
    """`spec`'s profile carried over from `source`'s measured profile (default: the nearest one)."""
    from hetsim.calibration.transfer import nearest_source, transfer_profile
    from hetsim.config.errors import did_you_mean
    from hetsim.config.load import Catalogue

    catalogue = catalogue or Catalogue.load()
    links = links if links is not None else catalogue.links
    measured = {name: (catalogue.devices[name], path) for name, path in measured_gpu_profiles().items()
                if name in catalogue.devices and catalogue.devices[name].kind == "gpu"}
    if source is None:
        source = nearest_source(spec, measured)
        if source is None:
            raise ConfigError(f"no measured GPU profile to transfer to {spec.name} from (in {profiles_dir()})",
                              field="profile")
    if source not in measured:
        known = sorted(measured)
        raise ConfigError(f"no measured profile of {source!r} to transfer from{did_you_mean(source, known)} "
                          f"(measured: {', '.join(known) or 'none'})", field="profile")
    src_spec, path = measured[source]
    return transfer_profile(load_profile(path), src_spec, spec, links.get(src_spec.host_link),
                            links.get(spec.host_link))


def gpu_calibrations(spec: GpuSpec) -> list[Path]:
    """Every calibration of the GPU its profile resolves to by default: the profile, then the
    repeat runs of the same device in `runs/` (by name). Empty for `profile: none` or a transfer;
    only the named file where the spec names one."""
    if spec.profile == "none" or (spec.profile or "").startswith(TRANSFER):
        return []
    if spec.profile:
        path = Path(spec.profile)
        return [path if path.is_absolute() else profiles_dir() / path]
    main = find_profile(spec.name, profiles_dir())
    if main is None:
        return []
    runs = profiles_dir() / RUNS
    repeats = [p for p in sorted(runs.glob("*.yaml")) if not p.name.endswith(".validation.yaml")
               and profile_head(p) == (GPU_KIND, spec.name)] if runs.is_dir() else []
    return [main, *repeats]


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
