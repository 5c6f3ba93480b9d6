"""Dotted paths into an experiment: checking one against the experiment schema before anything
runs, setting it in an experiment mapping, and reading it back.

`workload.batch`, `system.links.2.type` (a list index), `workload.params.token_budget` (checked
against the parameters of the methods the sweep can run).
"""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from hetsim.config.schema import ExperimentSpec
from hetsim.errors import ConfigError


def _branches(annotation: Any) -> list[Any]:
    """The alternatives of a union (`str | SystemSpec`), else the annotation itself."""
    if get_origin(annotation) in (Union, types.UnionType):
        return [a for a in get_args(annotation) if a is not type(None)]
    return [annotation]


def _step(annotation: Any, part: str) -> list[Any]:
    """The annotations one path part leads to from `annotation` (empty: the part is not there)."""
    out = []
    for branch in _branches(annotation):
        origin = get_origin(branch)
        if isinstance(branch, type) and issubclass(branch, BaseModel):
            fields = {f.alias or name: f for name, f in branch.model_fields.items()}
            if part in fields:
                out.append(fields[part].annotation)
        elif origin is dict or branch is dict:
            args = get_args(branch)
            out.append(args[1] if args else Any)
        elif origin in (list, tuple) and part.isdigit():
            args = get_args(branch)
            out.append(args[0] if args else Any)
        elif branch is Any:
            out.append(Any)
    return out


def check_path(dotted: str, where: str, file: str, method_params: dict[str, set[str]]) -> None:
    """ConfigError unless `dotted` names a field of an experiment. `method_params`: method name ->
    its parameter names, for the methods this sweep runs (`workload.params.*`)."""
    parts = dotted.split(".")
    if not all(parts):
        raise ConfigError(f"malformed dotted path {dotted!r}", file=file, field=where)
    if parts[:2] == ["workload", "params"] and len(parts) > 2:
        known = set().union(*method_params.values()) if method_params else set()
        if parts[2] not in known:
            listing = "; ".join(f"{m}: {', '.join(sorted(p)) or '(none)'}" for m, p in sorted(method_params.items()))
            raise ConfigError(f"unknown method parameter {parts[2]!r} in {dotted!r} ({listing})",
                              file=file, field=where)
        return
    annotations: list[Any] = [ExperimentSpec]
    for i, part in enumerate(parts):
        nxt = [a for ann in annotations for a in _step(ann, part)]
        if not nxt:
            here = ".".join(parts[:i]) or "the experiment"
            fields = sorted({f for ann in annotations for b in _branches(ann)
                             if isinstance(b, type) and issubclass(b, BaseModel) for f in b.model_fields})
            hint = f"; fields of {here}: {', '.join(fields)}" if fields else f" ({here} has no fields below it)"
            raise ConfigError(f"unknown path {dotted!r}: no {part!r} in {here}{hint}", file=file, field=where)
        annotations = nxt


def set_path(data: dict, dotted: str, value: Any, catalogue=None) -> None:
    """Set `dotted` in an experiment mapping, making missing mappings on the way. A system given
    by name is expanded from the catalogue when a path reaches inside it; an integer part indexes
    a list (`placements.1.micro_batches`), which must already hold that entry as a mapping."""
    node: Any = data
    parts = dotted.split(".")
    for depth, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            child = node[_index(node, part, dotted, ".".join(parts[:depth]))]
        else:
            child = node.get(part)
            if depth == 0 and part == "system" and isinstance(child, str) and catalogue is not None:
                child = node[part] = catalogue.systems[child].model_dump() if child in catalogue.systems else child
            if child is None:
                child = node[part] = {}
        here = ".".join(parts[:depth + 1])
        if parts[0] == "placements" and depth == 1 and isinstance(child, str):
            raise ConfigError(f"cannot set {dotted!r}: {here} is the built-in placement {child!r}, a name; to sweep "
                              "its fields, write it out as a mapping (name, micro_batches, and the device id of model, "
                              "prepare, relevancy, retrieval, apply) in the base experiment or in `set`", field=dotted)
        if not isinstance(child, dict | list):
            raise ConfigError(f"cannot set {dotted!r}: {here} is {child!r}, not a mapping", field=dotted)
        node = child
    if isinstance(node, list):
        node[_index(node, parts[-1], dotted, ".".join(parts[:-1]))] = value
    else:
        node[parts[-1]] = value


def _index(node: list, part: str, dotted: str, where: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        span = f"indexes 0 to {len(node) - 1}" if node else "no entries"
        raise ConfigError(f"cannot set {dotted!r}: {where} has {len(node)} entries ({span}), no {part!r}",
                          field=dotted)
    return int(part)


def get_path(data: Any, dotted: str) -> Any:
    """The value at `dotted`, or None where the path does not reach."""
    node = data
    for part in dotted.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node
