"""Cases files: named lists of primitive ops, run back to back on one stream as eager PyTorch.

The one format that `hetsim predict ops` reads, that the calibration run writes its
validation composites in, and that `hetsim validate --cases` takes measurements in:

    cases:
      - name: rag_flat_search
        description: scan GEMM + top-k + gather     # optional
        measured_s: 1.2e-3                          # optional: eager time of the whole case
        measured_graph_s: 1.1e-3                    # optional: device-only time (CUDA graph)
        ops:
          - {op: matmul, name: scan, m: 8, n: 1500000, k: 768, measured_s: 9.8e-4}
          - {op: topk, rows: 8, n: 1500000, k: 100}
          - {op: gather, rows: 800, row_bytes: 1536, source_rows: 1500000}

An op entry is `op:` (a name from `hetsim.ops.PRIMITIVE_OPS`) plus that op's fields; fields
left out take the op's defaults. Top-level keys besides `cases` (device, provenance, ...)
are kept as metadata. Only the standard library and PyYAML: the GPU suite reads and writes
these files on machines without pydantic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hetsim.errors import ConfigError
from hetsim.ops import Op, op_from_dict
from hetsim.yamlio import read_yaml

MEASURED_KEYS = ("measured_s", "measured_graph_s")


@dataclass
class CaseOp:
    op: Op
    measured_s: float | None = None
    measured_graph_s: float | None = None


@dataclass
class Case:
    name: str
    ops: list[CaseOp]
    description: str = ""
    measured_s: float | None = None
    measured_graph_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def plain_ops(self) -> list[Op]:
        return [c.op for c in self.ops]


@dataclass
class CasesFile:
    cases: list[Case]
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None


def _measured(entry: dict, key: str, file: str, where: str) -> float | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0 or math.isinf(value):
        raise ConfigError(f"{key} must be a positive number of seconds, got {value!r}", file=file,
                          field=f"{where}.{key}")
    return float(value)


def parse_cases(data: Any, file: str = "<cases>") -> CasesFile:
    if not isinstance(data, dict) or "cases" not in data:
        raise ConfigError("expected a mapping with a `cases:` list at the top level", file=file)
    items = data["cases"]
    if not isinstance(items, list) or not items:
        raise ConfigError("`cases` must be a non-empty list of cases", file=file, field="cases")
    cases: list[Case] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"cases[{i}]"
        if not isinstance(item, dict):
            raise ConfigError(f"a case must be a mapping with name and ops, got {type(item).__name__}",
                              file=file, field=where)
        name = item.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError("each case needs a `name` (a non-empty string)", file=file, field=f"{where}.name")
        if name in seen:
            raise ConfigError(f"duplicate case name {name!r}", file=file, field=f"{where}.name")
        seen.add(name)
        raw_ops = item.get("ops")
        if not isinstance(raw_ops, list) or not raw_ops:
            raise ConfigError("`ops` must be a non-empty list of op entries", file=file, field=f"{where}.ops")
        ops = []
        for j, entry in enumerate(raw_ops):
            at = f"{where}.ops[{j}]"
            if not isinstance(entry, dict):
                raise ConfigError(f"an op entry must be a mapping like {{op: matmul, m: 1, n: 4096, k: 4096}}, "
                                  f"got {entry!r}", file=file, field=at)
            fields_ = {k: v for k, v in entry.items() if k not in MEASURED_KEYS}
            try:
                op = op_from_dict(fields_)
            except KeyError as exc:
                raise ConfigError(exc.args[0], file=file, field=f"{at}.op") from None
            except (TypeError, ValueError) as exc:
                raise ConfigError(str(exc), file=file, field=at) from None
            ops.append(CaseOp(op, _measured(entry, "measured_s", file, at),
                              _measured(entry, "measured_graph_s", file, at)))
        extra = {k: v for k, v in item.items() if k not in ("name", "ops", "description", *MEASURED_KEYS)}
        cases.append(Case(name, ops, str(item.get("description", "")), _measured(item, "measured_s", file, where),
                          _measured(item, "measured_graph_s", file, where), extra))
    meta = {k: v for k, v in data.items() if k != "cases"}
    return CasesFile(cases, meta)


def load_cases(path: Path) -> CasesFile:
    path = Path(path)
    data = read_yaml(path, "cases file")
    out = parse_cases(data, str(path))
    out.path = path
    return out


def case_to_dict(case: Case) -> dict[str, Any]:
    out: dict[str, Any] = {"name": case.name}
    if case.description:
        out["description"] = case.description
    for key in MEASURED_KEYS:
        if getattr(case, key) is not None:
            out[key] = float(getattr(case, key))
    out.update(case.extra)
    ops = []
    for c in case.ops:
        entry = c.op.to_dict()
        for key in MEASURED_KEYS:
            if getattr(c, key) is not None:
                entry[key] = float(getattr(c, key))
        ops.append(entry)
    out["ops"] = ops
    return out


class _FlowOps(yaml.SafeDumper):
    """Op entries on one line each ({op: matmul, m: ..}), everything else in block style."""


def _repr_dict(dumper: yaml.SafeDumper, data: dict):
    flow = "op" in data
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_FlowOps.add_representer(dict, _repr_dict)


def dump_cases(cases: list[Case], meta: dict[str, Any] | None = None, header: str = "") -> str:
    data = dict(meta or {})
    data["cases"] = [case_to_dict(c) for c in cases]
    text = yaml.dump(data, Dumper=_FlowOps, sort_keys=False, width=120)
    return (header.rstrip() + "\n" if header else "") + text


def write_cases(path: Path, cases: list[Case], meta: dict[str, Any] | None = None, header: str = "") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_cases(cases, meta, header))
    return path
