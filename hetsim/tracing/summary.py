"""A trace summarised by op class: calls, FLOPs, bytes, and which aten ops make up each class. No torch."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hetsim.tracing.classify import CLASSES, cost
from hetsim.tracing.trace import Trace


def by_class(trace: Trace) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {c: {"ops": 0, "flops": 0.0, "bytes": 0.0, "aten": Counter()} for c in CLASSES}
    for op in trace.ops:
        c = cost(op)
        row = rows[c.op_class]
        row["ops"] += 1
        row["flops"] += c.flops
        row["bytes"] += c.bytes
        row["aten"][op.name] += 1
    return {c: {**r, "aten": dict(r["aten"].most_common())} for c, r in rows.items()}


def summarise(trace: Trace) -> dict[str, Any]:
    """The JSON `hetsim trace --json` prints: what was traced, per-class totals, module and SDPA calls."""
    classes = by_class(trace)
    kernels = sum(r["ops"] for c, r in classes.items() if c != "view")
    return {
        "meta": trace.meta,
        "ops": len(trace.ops),
        "kernel_ops": kernels,
        "module_calls": len(trace.modules),
        "flops": sum(r["flops"] for r in classes.values()),
        "bytes": sum(r["bytes"] for r in classes.values()),
        "by_class": classes,
        "sdpa": {"calls": len(trace.sdpa), "first": trace.sdpa[0].to_json() if trace.sdpa else None},
    }
