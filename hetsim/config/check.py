"""`hetsim check` and `hetsim schema`: validating any config file, exporting JSON Schemas."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter

from hetsim.config.load import Catalogue, load_file, read_yaml, resolve_experiment
from hetsim.config.schema import DeviceSpec, ExperimentSpec, LinkSpec, ModelSpec, SystemSpec
from hetsim.errors import ConfigError

KINDS = {"devices": DeviceSpec, "links": LinkSpec, "models": ModelSpec, "systems": SystemSpec}


def check_file(path: Path) -> str:
    path = Path(path)
    data = read_yaml(path)
    folder = path.parent.name
    if folder in KINDS:
        load_file(KINDS[folder], path)
        return folder[:-1]
    if "workload" in data or folder == "experiments":
        resolve_experiment(data, str(path), Catalogue.load())
        return "experiment"
    if data.get("kind") in ("gpu", "fpga"):
        load_file(DeviceSpec, path)
        return "device"
    raise ConfigError("cannot tell what kind of config this is: put it under configs/{devices,links,models,"
                      "systems,experiments}/ or give it a `workload:` (experiment) or `kind:` (device)",
                      file=str(path))


def export_schemas(out: Path) -> list[Path]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in {"experiment": ExperimentSpec, **{k[:-1]: v for k, v in KINDS.items()}}.items():
        schema = TypeAdapter(model).json_schema()
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2))
        written.append(path)
    return written
