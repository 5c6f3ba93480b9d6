"""The GPU calibration profile format: one dataclass, its reader and its writer.

A profile is a YAML file in `calibration/profiles/`, written by the GPU suite
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

An `op_classes` entry holds the fields of `hetsim.hardware.gpu.OpClassRates` (that dataclass is
the one definition of their names and defaults; `source` is always `calibrated` here) plus
what the fit and the power loop noted about it. Format 1 profiles (no dispatch_s, roof_p,
eager_gap_s, waves, host, host_link, power) still load: missing fields take the defaults of the
affine model.

Standard library, PyYAML and numpy-free hetsim modules only: the suite writes profiles on GPU
machines without pydantic.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hetsim.errors import ConfigError
from hetsim.hardware.gpu import OpClassRates
from hetsim.yamlio import read_yaml

KIND = "gpu-profile"
FORMAT = 2
HEADER = """\
# GPU calibration profile written by hetsim.calibration.gpu_suite (hetsim calibrate gpu).
# Rates per rate key, fitted from the measurements in `raw`; `validation` holds composites
# measured in the same run and never used in the fit (hetsim validate --profile THIS_FILE).
"""
# Rates that divide (a zero would be an infinitely fast GPU); every other number is >= 0.
POSITIVE_RATES = ("bw_bytes_per_s", "flop_rate", "roof_p", "walk_bw_bytes_per_s")
RATE_FIELDS = tuple(f for f in dataclasses.fields(OpClassRates) if f.name != "source")


@dataclass(frozen=True)
class HostCopy:
    """A host copy direction as the `copy_h2d` / `copy_d2h` fit saw it."""

    latency_s: float
    bw_bytes_per_s: float
    dispatch_s: float = 0.0


@dataclass(frozen=True)
class PowerReading:
    method: str  # e.g. nvml-energy; "none" where the board could not be read
    idle_w: float | None = None  # board power at rest, read during calibration
    note: str = ""


@dataclass(frozen=True)
class GpuProfile:
    """A GPU's calibration: fitted rates per rate key and where they came from."""

    device: str
    provenance: dict[str, Any]
    rates: dict[str, OpClassRates]
    format: int = FORMAT
    model: str = ""  # the fitted model's formula, for a reader of the file
    notes: dict[str, dict[str, Any]] = field(default_factory=dict)  # per key: fit quality, power point
    host_link: dict[str, HostCopy] = field(default_factory=dict)  # "h2d" / "d2h"
    host_mix: float = 1.0  # extra host cost of issuing different ops in turn (hetsim.hardware.gpu)
    host_mixes: list[dict[str, Any]] = field(default_factory=list)  # the mixes host_mix was read from
    host_note: str = ""
    power: PowerReading | None = None
    raw: str | None = None  # file names beside the profile
    validation: str | None = None
    path: Path | None = None  # where it was read from (None: built in memory)

    @property
    def idle_w(self) -> float | None:
        """Board power at rest read during calibration (None where power was not readable)."""
        return self.power.idle_w if self.power else None

    @property
    def raw_path(self) -> Path | None:
        return self.path.parent / self.raw if self.raw and self.path else None

    @property
    def validation_path(self) -> Path | None:
        return self.path.parent / self.validation if self.validation and self.path else None


# -- reading -------------------------------------------------------------------------------
def _number(value: Any, file: str, where: str, positive: bool = False, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    if isinstance(value, str):  # PyYAML reads 4.0e12 (no sign in the exponent) as a string
        try:
            value = float(value)
        except ValueError:
            pass
    ok = isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value)
    if not ok or value < 0 or (positive and value == 0):
        expected = "a positive number" if positive else "a number >= 0"
        raise ConfigError(f"expected {expected}, got {value!r}", file=file, field=where)
    return float(value)


def _mapping(value: Any, file: str, where: str) -> dict:
    if not isinstance(value, dict):
        raise ConfigError(f"expected a mapping, got {type(value).__name__}", file=file, field=where)
    return value


def _rates(entry: Any, file: str, where: str) -> tuple[OpClassRates, dict[str, Any]]:
    entry = _mapping(entry, file, where)
    values: dict[str, Any] = {}
    for f in RATE_FIELDS:
        at = f"{where}.{f.name}"
        required = f.default is dataclasses.MISSING
        if f.name not in entry:
            if required:
                raise ConfigError("missing field", file=file, field=at)
            continue
        value = entry[f.name]
        if f.name == "dtype":
            if value is not None and not isinstance(value, str):
                raise ConfigError(f"expected a dtype name, got {value!r}", file=file, field=at)
            values[f.name] = value
        else:
            values[f.name] = _number(value, file, at, positive=f.name in POSITIVE_RATES,
                                     optional=not required and f.default is None)
    notes = {k: v for k, v in entry.items() if k not in values}
    return OpClassRates(source="calibrated", **values), notes


def parse_profile(data: Any, file: str = "<profile>", path: Path | None = None) -> GpuProfile:
    """A profile from its parsed YAML; ConfigError naming the field that is wrong."""
    data = _mapping(data, file, "")
    if data.get("kind") != KIND:
        raise ConfigError(f"expected `kind: {KIND}`, got {data.get('kind')!r}", file=file, field="kind")
    device = data.get("device")
    if not isinstance(device, str) or not device:
        raise ConfigError("expected the catalogue device it calibrates", file=file, field="device")
    fmt = data.get("format", 1)
    if isinstance(fmt, bool) or not isinstance(fmt, int):
        raise ConfigError(f"expected a format number, got {fmt!r}", file=file, field="format")
    if "provenance" not in data:
        raise ConfigError("missing field: where the measurements came from", file=file, field="provenance")
    provenance = _mapping(data["provenance"], file, "provenance")
    rates, notes = {}, {}
    for key, entry in _mapping(data.get("op_classes"), file, "op_classes").items():
        rates[key], notes[key] = _rates(entry, file, f"op_classes.{key}")
    host_link = {}
    for direction, entry in _mapping(data.get("host_link") or {}, file, "host_link").items():
        at = f"host_link.{direction}"
        entry = _mapping(entry, file, at)
        host_link[direction] = HostCopy(
            _number(entry.get("latency_s"), file, f"{at}.latency_s"),
            _number(entry.get("bw_bytes_per_s"), file, f"{at}.bw_bytes_per_s", positive=True),
            _number(entry.get("dispatch_s", 0.0), file, f"{at}.dispatch_s"))
    host = _mapping(data.get("host") or {}, file, "host")
    mix = _number(host.get("mix_factor", 1.0), file, "host.mix_factor")
    if mix < 1.0:
        raise ConfigError(f"expected a factor >= 1, got {mix!r}", file=file, field="host.mix_factor")
    power = None
    if data.get("power") is not None:
        p = _mapping(data["power"], file, "power")
        if not isinstance(p.get("method"), str):
            raise ConfigError("expected how power was read (e.g. nvml-energy, none)", file=file,
                              field="power.method")
        power = PowerReading(p["method"], _number(p.get("idle_w"), file, "power.idle_w", optional=True),
                             str(p.get("note") or ""))
    return GpuProfile(
        device=device, provenance=provenance, rates=rates, format=fmt, model=str(data.get("model") or ""),
        notes=notes, host_link=host_link, host_mix=mix, host_mixes=list(host.get("mixes") or []),
        host_note=str(host.get("note") or ""), power=power, raw=data.get("raw"), validation=data.get("validation"),
        path=path)


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
    except (yaml.YAMLError, UnicodeDecodeError):
        data = read_yaml(path, "calibration profile")  # raises the ConfigError that says where it breaks
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping at the top level", file=str(path))
    _CACHE[key] = profile = parse_profile(data, str(path), path)
    return profile


def profile_head(path: Path) -> tuple[str, str] | None:
    """(kind, device) from a profile's top-level `kind` and `device` lines, without a full parse."""
    head = dict(m.groups() for m in _HEAD.finditer(Path(path).read_text(errors="replace")))
    return (head["kind"], head["device"]) if "kind" in head and "device" in head else None


def check_profile_out(path: Path, kind: str = KIND) -> None:
    """Refuse (ConfigError) to write a `kind` profile over an existing file that is not one: hetsim
    replaces only profiles it wrote. Checked before measuring, so a refusal costs nothing."""
    path = Path(path)
    if path.exists() and (not path.is_file() or (profile_head(path) or ("",))[0] != kind):
        raise ConfigError(f"exists and is not a {kind} file; hetsim never replaces files it did not write: "
                          "choose another --out", file=str(path), field="--out")


def profile_index(folder: Path, kind: str = KIND) -> dict[str, Path]:
    """Catalogue device -> the first profile file of `kind` in `folder` made for it (the
    validation files beside profiles skipped); cached per version of the folder's files."""
    if not folder.is_dir():
        return {}
    files = sorted(p for p in folder.glob("*.yaml") if not p.name.endswith(".validation.yaml"))
    key = (str(folder.resolve()), kind, tuple(_stamp(p) for p in files))
    if key not in _INDEX:
        found: dict[str, Path] = {}
        for p in files:
            head = profile_head(p)
            if head is not None and head[0] == kind:
                found.setdefault(head[1], p)
        _INDEX[key] = found
    return _INDEX[key]


def find_profile(device: str, folder: Path, kind: str = KIND) -> Path | None:
    """The profile file of `kind` in `folder` made for a catalogue device (`profile_index`)."""
    return profile_index(folder, kind).get(device)


# -- writing -------------------------------------------------------------------------------
def _rates_entry(rates: OpClassRates, notes: dict[str, Any]) -> dict[str, Any]:
    """An op_classes entry: every rate field that has a value, then the notes."""
    entry = {f.name: getattr(rates, f.name) for f in RATE_FIELDS if getattr(rates, f.name) is not None}
    entry.update(notes)
    return entry


def profile_to_dict(profile: GpuProfile) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": KIND,
        "format": profile.format,
        "device": profile.device,
        "provenance": profile.provenance,
        "model": profile.model,
        "op_classes": {k: _rates_entry(r, profile.notes.get(k, {})) for k, r in profile.rates.items()},
        "host_link": {d: dataclasses.asdict(c) for d, c in profile.host_link.items()},
        "host": {"mix_factor": profile.host_mix, "mixes": profile.host_mixes, "note": profile.host_note},
    }
    if profile.power is not None:
        out["power"] = dataclasses.asdict(profile.power)
    if profile.raw:
        out["raw"] = profile.raw
    if profile.validation:
        out["validation"] = profile.validation
    return _plain(out)


def _plain(x: Any) -> Any:
    """numpy scalars and str subclasses -> plain Python, so the YAML stays plain."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_plain(v) for v in x]
    if hasattr(x, "item") and type(x).__module__ == "numpy":
        return x.item()
    if isinstance(x, str):
        return str(x)  # e.g. torch's TorchVersion, a str subclass YAML cannot represent
    return x


def write_profile(path: Path, profile: GpuProfile) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + yaml.safe_dump(profile_to_dict(profile), sort_keys=False, width=120))
    return path
