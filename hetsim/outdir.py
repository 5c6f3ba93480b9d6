"""Folders hetsim writes: it only ever replaces what it wrote itself.

Every folder hetsim creates for results (a run's results folder, a sweep store, a plot folder)
holds a manifest, `.hetsim-manifest.json`, naming what wrote it. hetsim writes into a folder only
when it is new, empty, or carries a manifest of the same kind; anything else belongs to the user
and is refused with exit 2. Names that become path components are checked to be one plain
component (no `..`, no separators, not empty).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import hetsim
from hetsim.errors import ConfigError

# a name that becomes one path component (a run, sweep or file name; config.schema's SafeName)
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$")
NAME_RULE = "letters, digits, '_', '.', '+', '-', not starting with '.' or '-', at most 128 characters"
MANIFEST = ".hetsim-manifest.json"
TEMP_PREFIX = ".hetsim-tmp-"  # temporary siblings hetsim writes before an atomic rename
STALE_TEMP_S = 3600.0  # a temp folder this old was left by a killed run (live writes take seconds)


def check_name(name: str, *, file: str, field: str) -> str:
    """`name` if it is one safe path component: the schema's rule for names that become folders."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise ConfigError(f"expected a name usable as a folder name ({NAME_RULE}), got {name!r}", file=file,
                          field=field)
    return name


def read_manifest(path: Path) -> dict | None:
    try:
        data = json.loads((Path(path) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def manifest_kind(path: Path) -> str | None:
    """The kind recorded in `path`'s manifest, or None when hetsim did not write it."""
    return (read_manifest(path) or {}).get("kind")


def write_manifest(path: Path, kind: str, files: list[str] | None = None) -> None:
    """Mark `path` as hetsim's; `files` (relative paths) lists every file it holds, when known, so
    a later write can tell a file the user added from one hetsim wrote."""
    data: dict = {"kind": kind, "written_by": f"hetsim {hetsim.__version__}"}
    if files is not None:
        data["files"] = sorted(files)
    tmp = Path(path) / f"{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, Path(path) / MANIFEST)


def foreign_files(path: Path) -> list[str]:
    """Files under `path` that its manifest does not list (only when it lists its files)."""
    listed = (read_manifest(path) or {}).get("files")
    if listed is None:
        return []
    listed = set(listed) | {MANIFEST}
    found = sorted(str(p.relative_to(path)) for p in Path(path).rglob("*") if not p.is_dir())
    return [f for f in found if f not in listed]


def is_empty_dir(path: Path) -> bool:
    return Path(path).is_dir() and not any(Path(path).iterdir())


def check_writable(path: Path, kind: str, what: str = "--out") -> None:
    """Refuse (exit 2) to write `kind` results at `path` unless it is absent, an empty folder, or a
    folder hetsim wrote as the same kind. Nothing is created."""
    path = Path(path)
    if not path.exists():
        parent = next((p for p in path.parents if p.exists()), None)
        if parent is not None and not parent.is_dir():
            raise ConfigError(f"cannot create a folder under {parent}: it is a file", file=str(path), field=what)
        return
    if not path.is_dir():
        raise ConfigError("is a file, not a folder: choose another location", file=str(path), field=what)
    if is_empty_dir(path):
        return
    found = manifest_kind(path)
    if found == kind:
        extra = foreign_files(path)
        if extra:
            raise ConfigError(f"the folder holds {len(extra)} file(s) hetsim did not write (e.g. {extra[0]}); hetsim "
                              "never replaces them: move them out or choose another location", file=str(path),
                              field=what)
        return
    if found is None:
        raise ConfigError(f"the folder holds files hetsim did not write (no {MANIFEST}); hetsim never replaces "
                          "them: choose another location or empty it yourself", file=str(path), field=what)
    raise ConfigError(f"the folder holds hetsim {found} results, not {kind} results: choose another location",
                      file=str(path), field=what)


def claim(path: Path, kind: str, what: str = "--out") -> Path:
    """Make `path` a folder hetsim owns as `kind` (checked by `check_writable`) and return it."""
    path = Path(path)
    check_writable(path, kind, what)
    path.mkdir(parents=True, exist_ok=True)
    if manifest_kind(path) != kind:
        write_manifest(path, kind)
    return path


def clean_stale_temps(folder: Path, max_age_s: float = STALE_TEMP_S) -> list[Path]:
    """Remove temporary folders/files a killed hetsim left in `folder` (older than `max_age_s`, or
    written by a process that no longer exists)."""
    removed = []
    folder = Path(folder)
    if not folder.is_dir():
        return removed
    now = time.time()
    for p in folder.glob(f"{TEMP_PREFIX}*"):
        pid = _pid_of(p.name)
        alive = pid is not None and _alive(pid)
        try:
            old = now - p.lstat().st_mtime > max_age_s
        except OSError:
            continue
        if alive and not old:
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
        removed.append(p)
    return removed


def temp_name(name: str) -> str:
    """A temporary sibling's name: recognisable, and naming the writing process."""
    return f"{TEMP_PREFIX}{os.getpid()}-{name}"


def _pid_of(name: str) -> int | None:
    head = name[len(TEMP_PREFIX):].split("-", 1)[0]
    return int(head) if head.isdigit() else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
