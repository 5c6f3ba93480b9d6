"""The lookup every lowering goes through: `MAPPING` (aten name -> (regime, lowering)), its rows filled in by
hetsim.stacks.aten (import that before lowering), and `lower_op`, which composite lowerings call for the aten ops
they are built of; an op without a row is priced by roofline (`_unknown`), a view is host work (`_host`)."""

from __future__ import annotations

from collections.abc import Callable

from hetsim.ops import HostCall, Op, Pointwise
from hetsim.stacks.aten_shapes import _name, nbytes
from hetsim.tracing.trace import AtenOp


def _host(op: AtenOp) -> tuple[Op, ...]:
    return (HostCall("view", op.name, name=_name(op)),)


def _unknown(op: AtenOp) -> tuple[Op, ...]:
    read = sum(nbytes(t) for t in op.inputs)
    write = sum(nbytes(t) for t in op.outputs)
    numel = max((t.numel for t in op.outputs), default=0)
    return (Pointwise(numel, read + write, op.name, "aten_unknown", name=_name(op)),)


# aten op (overload packet name) -> (regime it is priced by, how it becomes hetsim ops)
MAPPING: dict[str, tuple[str, Callable[[AtenOp], tuple[Op, ...]]]] = {}


def lower_op(op: AtenOp) -> tuple[Op, ...]:
    """The hetsim ops of one aten op (outside an SDPA call's attention kernel)."""
    entry = MAPPING.get(op.base)
    if entry is None:
        return _host(op) if op.alias else _unknown(op)
    if op.alias and entry[1] is not _host:
        return _host(op)
    return entry[1](op)
