"""Traces on disk, keyed by a hash of everything that decides their content.

Default folder `~/.cache/hetsim/traces`, or `$HETSIM_TRACE_CACHE`. A file is written to a temporary
name and moved into place, so a reader never sees half a trace; an unreadable file is a miss.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from hetsim.tracing.trace import FORMAT_VERSION, Trace

# Bump when the recorder would record the same forward differently (new fields, other filtering).
# 2: rms_norm recorded as the one fused op a GPU runs (_fused_rms_norm), not its CPU composite
TRACER_VERSION = 2


def cache_dir() -> Path:
    return Path(os.environ.get("HETSIM_TRACE_CACHE") or Path.home() / ".cache" / "hetsim" / "traces")


def content_key(parts: dict[str, Any]) -> str:
    blob = json.dumps({"format": FORMAT_VERSION, "tracer": TRACER_VERSION, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def path_for(key: str, folder: Path | None = None) -> Path:
    return (folder or cache_dir()) / f"{key}.json.gz"


def load(key: str, folder: Path | None = None) -> Trace | None:
    path = path_for(key, folder)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            return Trace.from_json(json.load(fh))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return None  # corrupt or from an older format: trace again and overwrite it


def store(trace: Trace, key: str, folder: Path | None = None) -> Path:
    path = path_for(key, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=3, mtime=0) as fh:
            fh.write(json.dumps(trace.to_json(), separators=(",", ":")).encode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
