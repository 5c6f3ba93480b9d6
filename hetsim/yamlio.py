"""Reading a YAML mapping with errors that name the file, line and column.

Standard library + PyYAML only: the calibration suite uses it on GPU machines that have no
pydantic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from hetsim.errors import ConfigError


def read_yaml(path: Path, what: str = "file") -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{what} not found", file=str(path))
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        raise ConfigError(f"malformed YAML at {where}: {exc.problem}", file=str(path)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"malformed YAML: {exc}", file=str(path)) from None
    if not isinstance(data, dict):
        raise ConfigError(f"expected a mapping at the top level, got {type(data).__name__}", file=str(path))
    return data
