"""A traced step as the ops hetsim prices, and their FLOPs and bytes. No torch.

Each aten op is lowered by the stack mapping (hetsim/stacks/aten.py: `lower_op`); an SDPA call
replaces the ops the CPU trace dispatched inside it by the CUDA backend's kernel (`lower_sdpa`).
Views lower to host work (no kernel). An aten op the mapping does not know is priced by roofline
(`aten_unknown`, assumed): `unmapped` lists them, and `step_cost` counts such an op by the tracer's
own minimum-bytes rule (hetsim/tracing/classify.py) instead of the roofline's read-everything bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from hetsim.ops import HostCall, Op, Pointwise
from hetsim.stacks import aten
from hetsim.tracing.classify import cost as aten_cost
from hetsim.tracing.trace import AtenOp, Trace

SM90 = 90  # H100 / H200: SDPA's backend order


def _spans(trace: Trace) -> dict[int, int]:
    """op index -> SDPA call index, for every op inside an SDPA call."""
    return {i: n for n, s in enumerate(trace.sdpa) for i in range(s.first_op, s.end_op)}


def lowered(trace: Trace, arch: int | None = SM90) -> list[tuple[AtenOp | None, tuple[Op, ...]]]:
    """(aten op, its hetsim ops) in order; an SDPA call is one entry with aten op None."""
    spans = _spans(trace)
    out: list[tuple[AtenOp | None, tuple[Op, ...]]] = []
    done: set[int] = set()
    for i, op in enumerate(trace.ops):
        if i in spans:
            n = spans[i]
            if n not in done:
                done.add(n)
                call = trace.sdpa[n]
                out.append((None, aten.lower_sdpa(call, arch, decode=call.query.shape[-2] == 1)))
            continue
        out.append((op, aten.lower_op(op)))
    return out


def step_ops(trace: Trace, arch: int | None = SM90) -> tuple[Op, ...]:
    """The hetsim ops of a traced step, in issue order (views as host work)."""
    return tuple(o for _, ops in lowered(trace, arch) for o in ops)


def is_unmapped(op: Op) -> bool:
    return isinstance(op, Pointwise) and op.regime == "aten_unknown"


def unmapped(trace: Trace) -> list[str]:
    """The aten ops of a step the mapping does not know (priced by roofline, assumed)."""
    return sorted({a.base for a, ops in lowered(trace) if a is not None and any(is_unmapped(o) for o in ops)})


@dataclass(frozen=True)
class Cost:
    flops: float
    matrix_flops: float  # matmul and attention: the FLOPs that are not a counting convention
    bytes: float


def step_cost(trace: Trace) -> Cost:
    """FLOPs and bytes of a traced step as priced (kernels only; an unmapped op by the tracer's rule)."""
    flops = matrix = nbytes = 0.0
    for a, ops in lowered(trace):
        if a is not None and any(is_unmapped(o) for o in ops):
            c = aten_cost(a)
            flops += c.flops
            nbytes += c.bytes
            continue
        for o in ops:
            if isinstance(o, HostCall):
                continue
            flops += o.flops
            nbytes += o.bytes
            if o.uses_matrix_units:
                matrix += o.flops
    return Cost(flops, matrix, nbytes)


def ops_cost(ops) -> Cost:
    """The same totals for a hand formula's ops."""
    ops = list(ops)
    return Cost(sum(o.flops for o in ops), sum(o.flops for o in ops if o.uses_matrix_units),
                sum(o.bytes for o in ops))
