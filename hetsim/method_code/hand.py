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


def _memagent_chunk(m, b: int, c: int) -> dict[str, tuple[Op, ...]]:
    """One layer of a chunk's prefill: [question + memory + chunk] tokens, the memory full."""
    prompt = m.p.question_tokens + m.p.memory_tokens + m.p.chunk_tokens
    pre, post = m.model_ops("gpu", b * prompt)
    return {"pre_attention": pre, "apply": m.prefill_layer("layer", b, prompt).steps[0].ops["gpu"],
            "post_attention": post}


def _memagent_memory(m, b: int, c: int) -> dict[str, tuple[Op, ...]]:
    """One layer of the memory's last token (the longest cache) and the LM head after the layers."""
    from hetsim.workloads import models as llm

    pre, post = m.model_ops("gpu", b)
    return {"pre_attention": pre, "apply": m.decode_layer("layer", b, m.max_tokens()).steps[0].ops["gpu"],
            "post_attention": post, "lm_head": tuple(llm.lm_head_ops(m.model, b))}


def _rag_trigger(m, b: int, c: int) -> dict[str, tuple[Op, ...]]:
    """The retrieval trigger's GPU ops over one generated sentence (hetsim/method_code/triggers.py).
    hetsim's rag workload draws the triggers at random (`trigger_prob`) and prices none of these ops:
    they are written here, as the torch code runs them, so the trigger's cost is stated."""
    from hetsim.ops import Cast, Elementwise, Gather, Pointwise, Reduction, Softmax

    p, v, d = m.p, m.model.vocab, m.model.dtype
    n = b * p.sentence_tokens
    fire = (Cast(n, d, "int8", name="trigger_compare"), Reduction(b, p.sentence_tokens, "int8", "max",
                                                                  name="trigger_any"))
    if p.trigger == "flare":  # the generated tokens' probabilities; fire below theta, mask below beta
        # the token's probability by torch.gather: ATen's element kernel, an index and a bf16 element read, one written
        return {"confidence": (Softmax(n, v, d, name="token_softmax"),
                               Pointwise(n, n * (8 + 2 * 2), regime="gather_elements", name="token_prob")),
                # the query: out-of-place masked_fill, a clone of the int64 tokens and the fill in place on it
                "trigger": (*fire, Cast(n, d, "int8", name="mask_compare"),
                            Pointwise(n, 2 * n * 8, regime="copy_cat", name="masked_query_clone"),
                            Pointwise(n, n * (8 + 1 + 8), name="masked_query"))}
    if p.trigger == "dragin":  # entropy x the attention a token receives x content word, above a threshold
        h = m.model.q_heads
        return {"confidence": (Softmax(n, v, d, name="token_softmax"), Elementwise(n * v, 1, d, name="prob_eps"),
                               Elementwise(n * v, 1, d, name="log"), Elementwise(n * v, 2, d, name="p_log_p"),
                               Reduction(n, v, d, "sum", name="entropy_sum"), Elementwise(n, 1, d, name="negate")),
                "trigger": (Reduction(n * h, p.sentence_tokens, d, "max", name="attention_received_max"),
                            Reduction(n, h, d, "sum", name="attention_head_mean"),
                            Gather(n, 1, v, name="content_word"), Elementwise(n, 2, d, name="entropy_x_attention"),
                            Pointwise(n, n * (2 + 1 + 2), name="content_only"), *fire)}
    # fs-rag: a fixed schedule (every sentence_tokens), nothing to decide; the sentence copied out as the query
    return {"trigger": (Pointwise(n, 2 * n * 8, name="sentence_query"),)}


# (method, phase) -> step -> ops, for phases that are not a method's LayerWork of steps
_STEPS = {("memagent", "chunk"): _memagent_chunk, ("memagent", "memory"): _memagent_memory,
          **{("rag", t): _rag_trigger for t in ("flare", "dragin", "fs-rag")}}


def hand_steps(method: str, phase: str, model: str, params: dict, batch: int,
               context: int) -> dict[str, tuple[Op, ...]]:
    """step -> the hand formula's GPU ops of that step."""
    m = method_for(method, model, params, batch, context)
    if (method, phase) in _STEPS:
        return _STEPS[(method, phase)](m, batch, context)
    work = _WORK[(method, phase)](m, batch, context)
    return {s.step: s.ops.get("gpu", ()) for s in work.steps}
