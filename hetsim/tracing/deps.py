"""torch and transformers are optional: tracing imports them here, and says how to install them if absent."""

from __future__ import annotations

import importlib.metadata
import re
from types import ModuleType

from hetsim.errors import HetsimError

INSTALL_HINT = "pip install 'hetsim[trace]'"


class TracingUnavailable(HetsimError):
    """torch or transformers is not installed."""


def require(*names: str) -> tuple[ModuleType, ...]:
    """Import `names` (default torch and transformers) or raise one line saying which extra to install."""
    import importlib

    modules = []
    for name in names or ("torch", "transformers"):
        try:
            modules.append(importlib.import_module(name))
        except ImportError as exc:
            missing = exc.name or name
            raise TracingUnavailable(f"tracing needs torch and transformers, and {missing} is not installed: "
                                     f"{INSTALL_HINT}") from None
    return tuple(modules)


def version(dist: str) -> str | None:
    """An installed distribution's version, read without importing it (cache keys must not cost an import)."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def pinned_transformers() -> str | None:
    """The transformers version the `trace` extra pins (pyproject.toml is the one place it is written)."""
    try:
        requires = importlib.metadata.requires("hetsim") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for req in requires:
        match = re.match(r"transformers\s*==\s*([\w.]+)\s*;.*extra\s*==\s*['\"]trace['\"]", req)
        if match:
            return match.group(1)
    return None
