"""Reading YAML into the schema and the catalogue of devices, links, models and systems by name;
every problem becomes a `ConfigError` that names the file and the field path. Resolving an
experiment against the methods and the hardware is `hetsim.scenario`'s job: config knows no
methods."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from hetsim.config.errors import did_you_mean, validate, validation_error  # noqa: F401  (the readers' API)
from hetsim.config.schema import CpuSpec, DeviceSpec, FpgaSpec, GpuSpec, LinkSpec, ModelSpec, SystemSpec
from hetsim.errors import ConfigError
from hetsim.yamlio import parse_yaml, read_yaml  # noqa: F401  (re-exported: the config readers' entry point)

T = TypeVar("T", bound=BaseModel)
REPO_ROOT = Path(__file__).resolve().parents[2]


def configs_root() -> Path:
    """The catalogue folder: $HETSIM_CONFIGS, else `configs/` of this checkout."""
    return Path(os.environ.get("HETSIM_CONFIGS", REPO_ROOT / "configs"))


def load_file(model: type[T] | Any, path: Path) -> T:
    return validate(model, read_yaml(path), str(path))


@dataclass
class Catalogue:
    """Every device, link, model and system under a configs folder, by name."""

    root: Path
    devices: dict[str, GpuSpec | FpgaSpec | CpuSpec] = field(default_factory=dict)
    links: dict[str, LinkSpec] = field(default_factory=dict)
    models: dict[str, ModelSpec] = field(default_factory=dict)
    systems: dict[str, SystemSpec] = field(default_factory=dict)
    files: dict[tuple[str, str], Path] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path | None = None) -> Catalogue:
        root = Path(root) if root else configs_root()
        cat = cls(root)
        for folder, model, table in (
            ("devices", DeviceSpec, cat.devices),
            ("links", LinkSpec, cat.links),
            ("models", ModelSpec, cat.models),
            ("systems", SystemSpec, cat.systems),
        ):
            for path in sorted((root / folder).glob("*.yaml")):
                item = load_file(model, path)
                if item.name in table:
                    raise ConfigError(f"duplicate {folder[:-1]} name {item.name!r}", file=str(path), field="name")
                table[item.name] = item
                cat.files[(folder, item.name)] = path
        return cat

    def get(self, folder: str, name: str, file: str, field_path: str):
        table = getattr(self, folder)
        if name not in table:
            raise ConfigError(
                f"unknown {folder[:-1]} {name!r}{did_you_mean(str(name), sorted(table))} "
                f"(known: {', '.join(sorted(table)) or 'none'})",
                file=file, field=field_path,
            )
        return table[name]

    def check_system(self, system: SystemSpec, file: str, prefix: str = "system") -> None:
        at = f"{prefix}." if prefix else ""
        for dev_id, dev_name in system.devices.items():
            self.get("devices", dev_name, file, f"{at}devices.{dev_id}")
        for i, link in enumerate(system.links):
            self.get("links", link.type, file, f"{at}links[{i}].type")


DEFAULT_EXPERIMENT = "default.yaml"


def default_experiment_path(root: Path | None = None) -> Path:
    return (Path(root) if root else configs_root()) / "experiments" / DEFAULT_EXPERIMENT


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """`--set KEY=VALUE` options as {dotted key: value}; VALUE is read as YAML (`4`, `[a, b]`)."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or any(not p for p in key.split(".")):
            raise ConfigError(f"expected KEY=VALUE with a dotted KEY (e.g. workload.batch=4), got {item!r}",
                              field="--set")
        out[key.strip()] = parse_yaml(value, f"--set {key.strip()}")
    return out


def set_dotted(data: dict, dotted: str, value: Any, file: str) -> None:
    """Set `dotted` (mapping keys and list indices: `placements.0.micro_batches`) in `data`;
    a missing optional section is created."""
    node: Any = data
    parts = dotted.split(".")
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        here = ".".join(parts[:depth]) or "the top level"
        if isinstance(node, list):
            if not (part.isdigit() and int(part) < len(node)):
                raise ConfigError(f"cannot set {dotted!r}: {here} is a list of {len(node)}; expected an index "
                                  f"0..{len(node) - 1}, got {part!r}", file=file, field=dotted)
            key: Any = int(part)
        elif isinstance(node, dict):
            key = part
            if not last and node.get(part) is None:
                node[part] = {}  # an optional section the file leaves out
        else:
            raise ConfigError(f"cannot set {dotted!r}: {here} is a {type(node).__name__}, not a mapping or a list",
                              file=file, field=dotted)
        if last:
            node[key] = value
        else:
            node = node[key]
