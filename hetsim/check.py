"""`hetsim check FILE`: any config file through the same validation `hetsim run` uses.

An experiment is resolved into a `Scenario` (`hetsim.scenario.resolve_experiment`), so whatever
`check` accepts, `run` runs; device, link, model and system files are checked against the schema
and, for a system, against the catalogue's devices and links.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hetsim.config.load import Catalogue, read_yaml, set_dotted, validate
from hetsim.config.schema import DeviceSpec, LinkSpec, ModelSpec, SystemSpec
from hetsim.errors import ConfigError
from hetsim.scenario import resolve_experiment

KINDS = {"devices": DeviceSpec, "links": LinkSpec, "models": ModelSpec, "systems": SystemSpec}


def check_file(path: Path, overrides: dict[str, Any] | None = None, catalogue: Catalogue | None = None) -> str:
    """The kind of config `path` holds, once it passed; a `ConfigError` otherwise."""
    path = Path(path)
    data = read_yaml(path, "config file")
    folder = path.parent.name
    kind = folder if folder in KINDS else None
    if kind is None and ("workload" in data or folder == "experiments"):
        kind = "experiments"
    if kind is None and data.get("kind") in ("gpu", "fpga"):
        kind = "devices"
    if kind is None:
        raise ConfigError("cannot tell what kind of config this is: put it under configs/{devices,links,models,"
                          "systems,experiments}/ or give it a `workload:` (experiment) or `kind:` (device)",
                          file=str(path))
    if overrides and kind != "experiments":
        raise ConfigError("--set applies to experiments only", file=str(path), field="--set")
    for dotted, value in (overrides or {}).items():
        set_dotted(data, dotted, value, str(path))
    if kind == "experiments":
        resolve_experiment(data, str(path), catalogue or Catalogue.load())
        return "experiment"
    spec = validate(KINDS[kind], data, str(path))
    if kind == "systems":
        (catalogue or Catalogue.load()).check_system(spec, str(path), prefix="")
    return kind[:-1]
