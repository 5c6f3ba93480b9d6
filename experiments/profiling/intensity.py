"""Arithmetic intensity (FLOP per byte) of each step's GPU lowering, per method family, over
the study's sizes: what hetsim's ops say, beside the paper's table (paper.md s1)."""

from __future__ import annotations

from collections import defaultdict

from hetsim.config.load import Catalogue
from hetsim.config.schema import WorkloadSpec
from hetsim.ops import Attention, Op
from hetsim.workloads import models as llm
from hetsim.workloads.base import LayerWork
from hetsim.workloads.registry import build_method

STEPS = ("prepare", "relevancy", "retrieval", "apply")
PAPER_AI = {  # paper.md s1, FLOP/byte
    "sparse attention": {"prepare": "10-100", "relevancy": "1-10", "retrieval": "~1", "apply": "10-100"},
    "RAG": {"prepare": "1-100", "relevancy": "1-10", "retrieval": "~1", "apply": "~0"},
    "MemAgent": {"prepare": "1-10", "relevancy": "-", "retrieval": "0", "apply": ">100"},
    "Memory as Context": {"prepare": ">100", "relevancy": "1-10", "retrieval": "~1", "apply": "~0"},
    "TTT": {"prepare": "-", "relevancy": "-", "retrieval": "-", "apply": "-"},
}


def _method(cat: Catalogue, case):
    w = WorkloadSpec(method=case.method, model=case.model, context_tokens=case.context, batch=1,
                     decode_tokens=case.decode, params=dict(case.params))
    return build_method(w, cat.models[case.model])


def _add(acc: dict, step: str, ops) -> None:
    ops = list(ops)
    acc[step][0] += sum(o.flops for o in ops)
    acc[step][1] += sum(o.bytes for o in ops)


def _totals(works: list[LayerWork], rename: dict[str, str] | None = None) -> dict[str, list[float]]:
    """(FLOPs, bytes) per step of some layer / request works' GPU ops (steps without GPU compute,
    such as an index upload, are left out)."""
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for work in works:
        for s in work.steps:
            if s.ops.get("gpu"):
                _add(acc, (rename or {}).get(s.step, s.step), s.ops["gpu"])
    return acc


def case_views(cat: Catalogue, case) -> list[tuple[str, dict[str, list[float]]]]:
    """(FLOPs, bytes) per step of one case at batch 1, as the method lowers it on a GPU; one
    (tag, dict) per view (a decode step, a prefill, a search stage), each a separate data point."""
    m = _method(cat, case)
    if case.family == "sparse attention":
        kind = m.layer_kind(m.model.layers - 1)
        decode = _totals([m.decode_layer(kind, 1, case.context + 1)])
        # Prepare in prefill: building the index of the whole prompt (the projections / pooling only)
        if case.method == "dsa":
            prefill = defaultdict(lambda: [0.0, 0.0])
            _add(prefill, "prepare", m.prepare_ops(case.context))
        else:
            work = m.prefill_layer(kind, 1, case.context, case.context)
            prefill = _totals([LayerWork((work.step("prepare"),))])
        return [("decode", decode), ("prefill", prefill)]
    if case.family == "RAG":
        return [("", _totals([m.search_work(1)]))]
    if case.family == "RAG two-stage":
        # the cross-encoder rides as the Prepare of a second phase; the paper counts it in Relevancy
        return [("first stage", _totals([m.first_stage_work(1)])),
                ("rerank", _totals([m.rerank_work(1)], {"prepare": "relevancy"}))]
    if case.family == "MemAgent":
        return [("", _memagent(m))]
    if case.family == "Memory as Context":
        return [("", _totals([m.memory_work(1, m.p.memory_slots)]))]
    if case.family == "TTT":
        c = m.p.chunk_tokens
        return [("prefill", _totals([m.prefill_layer("layer", 1, c, c)])),
                ("decode", _totals([m.decode_layer("layer", 1, case.context + 1)]))]
    raise ValueError(case.family)


def _memagent(m) -> dict[str, list[float]]:
    """Prepare: one memory token decoded (every layer, attention over the chunk's context, LM
    head); Apply: the prefill of question + memory + chunk."""
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    p, model = m.p, m.model
    memory_ctx = p.question_tokens + p.memory_tokens + p.chunk_tokens + p.memory_tokens // 2
    pre, post = m.model_ops("gpu", 1)
    att = Attention(1, model.q_heads, model.kv_heads, 1, memory_ctx, model.head_dim, model.dtype)
    _add(acc, "prepare", [*(list(pre) + [att] + list(post)) * model.layers, *llm.lm_head_ops(model, 1)])
    prompt = p.question_tokens + p.memory_tokens + p.chunk_tokens
    att = Attention(1, model.q_heads, model.kv_heads, prompt, prompt, model.head_dim, model.dtype, True)
    layer: list[Op] = [*llm.pre_attention_ops(model, prompt), att, *llm.post_attention_ops(model, prompt)]
    _add(acc, "apply", layer * model.layers)
    acc["retrieval"]  # the overwrite: a step without ops (0 FLOP/B, as the paper's table)
    return acc


def family_intensity(cat: Catalogue, cases, by: str = "family") -> dict[str, dict[str, dict[str, tuple[float, float]]]]:
    """family (or method, by="method") -> step -> view tag -> (lowest, highest) FLOP/byte over
    the cases."""
    out: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for case in cases:
        for tag, view in case_views(cat, case):
            for step, (flops, nbytes) in view.items():
                out[getattr(case, by)][step][tag].append(flops / nbytes if nbytes else 0.0)
    return {fam: {s: {tag: (min(v), max(v)) for tag, v in steps[s].items()} for s in STEPS if s in steps}
            for fam, steps in out.items()}


def fmt_range(r: tuple[float, float]) -> str:
    lo, hi = r
    f = lambda x: "0" if x == 0 else (f"{x:.2g}" if x < 10 else f"{x:.0f}")  # noqa: E731
    return f(lo) if f(lo) == f(hi) else f"{f(lo)}-{f(hi)}"


def fmt_cell(views: dict[str, tuple[float, float]] | None) -> str:
    """'-' for a step the family does not have; ranges per view tag when there are several."""
    if not views:
        return "-"
    if len(views) == 1:
        return fmt_range(next(iter(views.values())))
    return "; ".join(f"{tag} {fmt_range(r)}" if tag else fmt_range(r) for tag, r in views.items())
