"""The hand formulas a composite is checked against: the method's own ops (hetsim/workloads) for the
same model, parameters, batch and context, step by step, as the simulator lowers them on a GPU.
Torch-free (it builds the method through the catalogue: pydantic)."""

from __future__ import annotations

from hetsim.ops import Op


def method_for(method: str, model: str, params: dict, batch: int, context: int):
    from hetsim.config.load import Catalogue
    from hetsim.config.schema import WorkloadSpec
    from hetsim.workloads.registry import build_method

    spec = Catalogue.load().models[model]
    workload = WorkloadSpec(method=method, model=model, context_tokens=context, batch=batch, decode_tokens=1,
                            params=params)
    return build_method(workload, spec)


# (method, phase) -> how to get the LayerWork of that phase at (batch, context)
_WORK = {
    ("lserve", "decode"): lambda m, b, c: m.decode_layer("sparse", b, c),
    ("lserve", "prefill"): lambda m, b, c: m.prefill_layer("sparse", b, c),
    ("seer_attention", "decode"): lambda m, b, c: m.decode_layer("layer", b, c),
    ("seer_attention", "prefill"): lambda m, b, c: m.prefill_layer("layer", b, c),
    ("dsa", "decode"): lambda m, b, c: m.decode_layer("sparse", b, c),
    ("ttt", "decode"): lambda m, b, c: m.decode_layer("layer", b, c),
    # the last segment's memory steps: every earlier segment added one slot (up to memory_slots)
    ("memory_as_context", "memory"): lambda m, b, c: m.memory_work(b, min(m.segments - 1, m.p.memory_slots)),
    ("rag", "search"): lambda m, b, c: m.search_work(b),
    ("rag_two_stage", "first_stage"): lambda m, b, c: m.first_stage_work(b),
    ("rag_two_stage", "rerank"): lambda m, b, c: m.rerank_work(b),
}


def hand_steps(method: str, phase: str, model: str, params: dict, batch: int,
               context: int) -> dict[str, tuple[Op, ...]]:
    """step -> the hand formula's GPU ops of that step."""
    m = method_for(method, model, params, batch, context)
    work = _WORK[(method, phase)](m, batch, context)
    return {s.step: s.ops.get("gpu", ()) for s in work.steps}
