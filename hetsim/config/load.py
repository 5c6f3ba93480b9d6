"""Reading YAML into the schema, resolving names against the catalogue, and turning every
problem into a `ConfigError` that names the file and the field path."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from hetsim.config.schema import (
    DeviceSpec,
    ExperimentSpec,
    FpgaSpec,
    GpuSpec,
    LinkSpec,
    ModelSpec,
    PlacementSpec,
    SystemSpec,
)
from hetsim.errors import ConfigError
from hetsim.yamlio import read_yaml  # noqa: F401  (re-exported: the config readers' entry point)

T = TypeVar("T", bound=BaseModel)
REPO_ROOT = Path(__file__).resolve().parents[2]


def configs_root() -> Path:
    """The catalogue folder: $HETSIM_CONFIGS, else `configs/` of this checkout."""
    return Path(os.environ.get("HETSIM_CONFIGS", REPO_ROOT / "configs"))


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("GpuSpec", "FpgaSpec", "str", "PlacementSpec", "SystemSpec") or "function-" in str(part):
            continue  # union branch names pydantic puts in the path
        else:
            out += f".{part}" if out else str(part)
    return out


def validation_error(exc: ValidationError, file: str, prefix: str = "") -> ConfigError:
    errors = exc.errors()
    first = errors[0]
    field_path = _loc(tuple(first["loc"]))
    if prefix:
        field_path = f"{prefix}.{field_path}" if field_path else prefix
    msg = first["msg"]
    if first.get("type") == "missing":
        msg = "required field is missing"
    elif first.get("type") == "extra_forbidden":
        msg = "unknown field (check the spelling; `hetsim check` lists the schema)"
    elif "input" in first and first.get("type") != "value_error":
        msg += f" (got {first['input']!r})"
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return ConfigError(msg + more, file=file, field=field_path)


def validate(model: type[T] | Any, data: Any, file: str, prefix: str = "") -> T:
    try:
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(data)
        return TypeAdapter(model).validate_python(data)
    except ValidationError as exc:
        raise validation_error(exc, file, prefix) from None


def load_file(model: type[T] | Any, path: Path) -> T:
    return validate(model, read_yaml(path), str(path))


@dataclass
class Catalogue:
    """Every device, link, model and system under a configs folder, by name."""

    root: Path
    devices: dict[str, GpuSpec | FpgaSpec] = field(default_factory=dict)
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
                f"unknown {folder[:-1]} {name!r}; known: {', '.join(sorted(table)) or '(none)'}",
                file=file, field=field_path,
            )
        return table[name]

    def check_system(self, system: SystemSpec, file: str, prefix: str = "system") -> None:
        for dev_id, dev_name in system.devices.items():
            self.get("devices", dev_name, file, f"{prefix}.devices.{dev_id}")
        for i, link in enumerate(system.links):
            self.get("links", link.type, file, f"{prefix}.links[{i}].type")


@dataclass
class Experiment:
    """An experiment with every name resolved: what `hetsim.run` consumes."""

    spec: ExperimentSpec
    file: str
    catalogue: Catalogue
    system: SystemSpec
    model: ModelSpec
    placements: list[PlacementSpec | str]

    def device(self, dev_id: str) -> GpuSpec | FpgaSpec:
        return self.catalogue.devices[self.system.devices[dev_id]]


DEFAULT_EXPERIMENT = "default.yaml"


def default_experiment_path(root: Path | None = None) -> Path:
    return (Path(root) if root else configs_root()) / "experiments" / DEFAULT_EXPERIMENT


def load_experiment(path: Path | None = None, catalogue: Catalogue | None = None,
                    overrides: dict[str, Any] | None = None) -> Experiment:
    """Load and fully check an experiment file (no argument: the built-in default)."""
    catalogue = catalogue or Catalogue.load()
    path = Path(path) if path else default_experiment_path(catalogue.root)
    data = read_yaml(path)
    for dotted, value in (overrides or {}).items():
        set_dotted(data, dotted, value, str(path))
    return resolve_experiment(data, str(path), catalogue)


def set_dotted(data: dict, dotted: str, value: Any, file: str) -> None:
    node = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        if isinstance(node, dict) and node.get(part) is None:
            node[part] = {}  # an optional section the file leaves out
        nxt = node.get(part) if isinstance(node, dict) else None
        if not isinstance(nxt, dict):
            raise ConfigError(f"cannot set {dotted!r}: {part!r} is not a mapping here", file=file, field=dotted)
        node = nxt
    node[parts[-1]] = value


def resolve_experiment(data: dict, file: str, catalogue: Catalogue) -> Experiment:
    from hetsim.placement import check_placements
    from hetsim.workloads.registry import build_method

    spec = validate(ExperimentSpec, data, file)
    if isinstance(spec.system, str):
        system = catalogue.get("systems", spec.system, file, "system")
    else:
        system = spec.system
    catalogue.check_system(system, file)
    model = catalogue.get("models", spec.workload.model, file, "workload.model")
    build_method(spec.workload, model, file)
    if spec.baseline is not None:
        from hetsim.workloads import METHODS

        if spec.baseline not in METHODS:
            raise ConfigError(f"unknown method {spec.baseline!r}; known: {', '.join(sorted(METHODS))}",
                              file=file, field="baseline")
    exp = Experiment(spec, file, catalogue, system, model, list(spec.placements))
    check_placements(exp)
    return exp
