"""Trace a method's steps on fake tensors: the aten ops each step dispatches, with no GPU and no weights.

The phase's steps run once as a `Pipeline` under hetsim's recorder (hetsim/tracing); each step's
ops are the ops inside its module call, and each step becomes its own `Trace` (SDPA calls rebased
onto the step's ops), which is what the runner stores and `hetsim validate methods` prices.
"""

from __future__ import annotations

from types import ModuleType

from hetsim.method_code.base import Maker, Pipeline
from hetsim.tracing.trace import SdpaCall, Trace


def step_traces(module: ModuleType, phase: str, sizes: dict, meta: dict | None = None) -> dict[str, Trace]:
    """step name -> the Trace of that step's aten ops, for `module` (a method module) at `sizes`."""
    from hetsim.tracing.fake import trace_callable

    pipeline = Pipeline(module.STEPS[phase])
    st = module.state(sizes, Maker("meta"), phase)
    whole = trace_callable(pipeline, st, module=pipeline, meta={"phase": phase, **(meta or {})})
    out: dict[str, Trace] = {}
    for call in whole.modules:
        if call.parent < 0 or not call.path.startswith("steps.") or call.path.count(".") != 1:
            continue
        name = pipeline.names[int(call.path.removeprefix("steps."))]
        a, b = call.first_op, call.end_op
        sdpa = tuple(SdpaCall(s.query, s.key, s.value, s.attn_mask, s.is_causal, s.enable_gqa, s.dropout_p, s.scale,
                              s.first_op - a, s.end_op - a) for s in whole.sdpa if a <= s.first_op < b)
        ops = tuple(type(op)(op.name, op.inputs, op.outputs, op.args, op.dims, op.alias, op.inplace)
                    for op in whole.ops[a:b])
        out[name] = Trace({**whole.meta, "step": name}, ops, (), sdpa)
    return out
