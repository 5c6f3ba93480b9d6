"""`hetsim schema`: the JSON Schemas of every config file kind (for editor completion and validation)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import TypeAdapter

from hetsim.config.schema import DeviceSpec, ExperimentSpec, LinkSpec, ModelSpec, SystemSpec
from hetsim.outdir import claim

KINDS = {"devices": DeviceSpec, "links": LinkSpec, "models": ModelSpec, "systems": SystemSpec}


def export_schemas(out: Path) -> list[Path]:
    """Write one `NAME.schema.json` per kind into `out`, a folder hetsim owns (never a user's)."""
    out = claim(Path(out), "schemas")
    written = []
    for name, model in {"experiment": ExperimentSpec, **{k[:-1]: v for k, v in KINDS.items()}}.items():
        schema = TypeAdapter(model).json_schema()
        path = out / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2))
        written.append(path)
    return written
