"""Stack hf-paged: transformers' continuous-batching forward, traced per iteration kind. The shipped
templates read without torch (what the engine's one SDPA call per layer attends over), and, with
torch, equal a fresh trace at sizes they were not fitted on, however the tokens split over requests."""

from collections import Counter

import pytest

from hetsim.stacks import templates
from hetsim.tracing.paged import split

CATALOGUE = ("Llama-2-7B", "Llama-3.1-8B", "Qwen2.5-7B", "Qwen3-8B")


def test_every_catalogue_model_ships_the_three_iteration_kinds():
    for model in CATALOGUE:
        for stack, phase in templates.PAGED_SYMBOLS:
            tpl = templates.load(model, stack, phase)
            assert tpl.symbols == templates.PAGED_SYMBOLS[(stack, phase)]
            assert tpl.provenance["transformers"] and tpl.provenance["command"] == "python -m hetsim.stacks.regenerate"


def test_cached_iteration_attends_over_every_token_read_with_a_packed_mask():
    tpl = templates.load("Llama-3.1-8B", "hf-paged", "cached")
    (call,) = tpl.sdpa({"Q": 40, "K": 5000, "R": 9})
    assert call.query.shape == (1, 32, 40, 128)  # packed: one sequence of all new tokens
    assert call.key.shape == (1, 32, 5000, 128)  # K/V heads repeated (repeat_kv), not enable_gqa
    assert call.attn_mask.shape == (1, 1, 40, 5000) and call.attn_mask.dtype == "bfloat16"
    assert not call.is_causal and not call.enable_gqa
    first, end = tpl.sections["layer"]
    ops = Counter(tpl.op(i, {"Q": 40, "K": 5000, "R": 9}).base for i in range(first, end))
    assert ops["index_copy_"] == 2 and ops["index_select"] == 2  # write K and V, read them back
    assert ops["mm"] == 7


def test_fresh_iteration_writes_the_cache_and_attends_over_the_new_keys_only():
    tpl = templates.load("Llama-3.1-8B", "hf-paged", "fresh")
    (call,) = tpl.sdpa({"Q": 300, "R": 2})
    assert call.key.shape == (1, 32, 300, 128) and call.attn_mask.shape == (1, 1, 300, 300)
    first, end = tpl.sections["layer"]
    ops = Counter(tpl.op(i, {"Q": 300, "R": 2}).base for i in range(first, end))
    assert ops["index_copy_"] == 2 and ops["index_select"] == 0


def test_lm_head_runs_on_one_row_per_request():
    tpl = templates.load("Llama-3.1-8B", "hf-paged", "cached")
    first, end = tpl.sections["tail"]
    values = {"Q": 200, "K": 900, "R": 3}
    heads = [tpl.op(i, values) for i in range(first, end) if tpl.op(i, values).base == "mm"]
    assert [op.inputs[0].shape for op in heads] == [(3, 4096)]  # logits_to_keep: one row per request


def test_split_keeps_the_totals_and_refuses_impossible_iterations():
    for q, k, r in ((1, 300, 1), (40, 0, 3), (40, 900, 40), (512, 600, 1)):
        reqs = split(q, k, r)
        assert sum(n for _, n, _ in reqs) == q and len(reqs) == r
        assert sum(c + n for c, n, _ in reqs) == (k or q)
    with pytest.raises(ValueError):
        split(3, 0, 4)
    with pytest.raises(ValueError):
        split(40, 40, 2)


@pytest.mark.parametrize(("phase", "requests"), [
    ("cached", [(0, 30, False), (100, 1, True), (57, 1, True), (0, 1, True)]),  # a chunk that samples no token
    ("cached", [(700, 97, True)] + [(300 + i, 1, True) for i in range(12)]),
    ("fresh", [(0, 150, True), (0, 211, True), (0, 3, True)]),
    ("single", [(1233, 1, True)]),
])
def test_template_equals_a_fresh_trace_at_sizes_it_was_not_fitted_on(phase, requests):
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from hetsim.tracing.hfspec import model_spec
    from hetsim.tracing.paged import trace_requests

    spec = model_spec("Llama-3.1-8B").model_copy(update={"layers": 1})
    q = sum(n for _, n, _ in requests)
    k = sum(c + n for c, n, _ in requests)
    values = {"Q": q, "K": k, "R": len(requests)}
    tpl = templates.load("Llama-3.1-8B", "hf-paged", phase)
    got = tpl.trace({s: values[s] for s in tpl.symbols}).to_json()
    want = trace_requests(spec, requests).to_json()
    got.pop("meta"), want.pop("meta")
    assert got == want
