"""Pydantic validation errors as one line a user can act on: the file, the field path as written
in YAML, what was expected, and "did you mean" for a misspelled field.

Pydantic reports every branch of a union (`system: str | SystemSpec`): for a mapping, the
mapping branch's complaint is the one that helps, so errors are ranked, and branch tags are
dropped from the path. An unknown field is reported before the required field it was probably
meant to be.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from hetsim.errors import ConfigError


def _members(tp: Any) -> list[Any]:
    """The types a field annotation may hold (Annotated, Optional and unions unwrapped)."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _members(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(tp) for m in _members(a)]
    return [tp]


def _model_tags(model: type[BaseModel]) -> set[str]:
    """Names pydantic uses for a union branch holding `model`: its class name or its tag."""
    tags = {model.__name__}
    kind = model.model_fields.get("kind")
    if kind is not None:
        tags.update(str(a) for a in typing.get_args(kind.annotation))
    return tags


def walk(root: Any, loc: tuple) -> tuple[str, list[str]]:
    """The YAML path of `loc` (union branch tags dropped) and the field names of the mapping that
    holds its last part (empty when that is not a model)."""
    path = ""
    current: list[Any] = _members(root)
    fields: list[str] = []
    for i, part in enumerate(loc):
        models = [m for m in current if isinstance(m, type) and issubclass(m, BaseModel)]
        last = i == len(loc) - 1
        if isinstance(part, str):
            tagged = [m for m in models if part in _model_tags(m) and part not in m.model_fields]
            if tagged:
                current = tagged
                continue
            if part.startswith("function-"):  # a validated model's branch: `function-after[f(), Model]`
                current = [m for m in models if f" {m.__name__}]" in part] or current
                continue
            if part in ("str", "int", "float", "bool", "list", "dict", "none"):
                current = []
                continue
        if last:
            fields = sorted({f for m in models for f in m.model_fields})
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        nxt: list[Any] = []
        for m in models:
            if isinstance(part, str) and part in m.model_fields:
                nxt += _members(m.model_fields[part].annotation)
        for c in current:
            origin = typing.get_origin(c)
            if origin in (list, tuple) and isinstance(part, int):
                nxt += [m for a in typing.get_args(c) if a is not Ellipsis for m in _members(a)]
            elif origin is dict and isinstance(part, str):
                nxt += _members(typing.get_args(c)[1])
        current = nxt
    return path, fields


def _rank(err: dict) -> tuple:
    loc = err["loc"]
    scalar_branch = any(p in ("str", "int", "float", "bool") for p in loc if isinstance(p, str))
    return (scalar_branch and isinstance(err.get("input"), dict), err["type"] != "extra_forbidden",
            err["type"] == "missing")


def did_you_mean(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def validation_error(exc: ValidationError, file: str, prefix: str = "", model: Any = None) -> ConfigError:
    errors = exc.errors()
    first = min(errors, key=_rank)
    root = model if model is not None else exc.title
    field_path, fields = walk(root, tuple(first["loc"])) if not isinstance(root, str) else ("", [])
    if not field_path:
        field_path = ".".join(str(p) for p in first["loc"])
    if prefix:
        field_path = f"{prefix}.{field_path}" if field_path else prefix
    kind = first.get("type")
    msg = first["msg"]
    if kind == "missing":
        msg = "required field is missing"
    elif kind == "extra_forbidden":
        name = str(first["loc"][-1])
        known = [f for f in fields if f != name]
        missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing"
                   and tuple(e["loc"][:-1]) == tuple(first["loc"][:-1])]
        msg = f"unknown field {name!r}" + did_you_mean(name, missing or known)
        if known and not did_you_mean(name, missing or known):
            msg += f" (fields here: {', '.join(known)})"
    elif "input" in first and kind not in ("value_error", "assertion_error"):
        shown = repr(first["input"])
        msg += f" (got {shown[:80] + '...' if len(shown) > 80 else shown})"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    others = [e for e in errors if e is not first and not _rank(e)[0]]
    more = f" (and {len(others)} more problems)" if others else ""
    return ConfigError(msg + more, file=file, field=field_path)


def validate(model: Any, data: Any, file: str, prefix: str = "") -> Any:
    """`data` validated as `model` (a pydantic model or any type), or a one-line `ConfigError`."""
    try:
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(data)
        return TypeAdapter(model).validate_python(data)
    except ValidationError as exc:
        raise validation_error(exc, file, prefix, model) from None
