"""The twelfth real-code fit group (realcode-more12, in realcode_twentyfirst): the kernels realcode-check14's tail ran
(SDPA through float masks per head, cuDNN over odd and wide heads, casts of a packed weight's parts, an expert's
index_add_, log-softmax over vocabularies, top-k of large k, LoRA's expand, GroupNorm of few blocks, a few embedding
ids); its structure."""

from __future__ import annotations

from collections import Counter

from hetsim.calibration.paths import REPO_ROOT

MORE12 = "realcode-more12"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "more12_ids.txt"


def test_every_case_names_its_group_and_the_group_spans_regimes(assert_names_its_group):
    assert_names_its_group(MORE12, regimes=10)


def test_the_twelfth_fit_group_shares_no_case_with_any_other_group(assert_disjoint):
    assert_disjoint(MORE12, range(60, 71))


def test_the_twelfth_fit_group_is_appended_after_the_fourteenth_check_as_one_block(committed_cases):
    from hetsim.calibration.gpu_suite import realcode_twentieth, realcode_twentyfirst
    from hetsim.calibration.gpu_suite.aten_cases import realcode_pairs

    cases = committed_cases
    mine = [i for i, c in enumerate(cases) if c.get("group") == MORE12]
    earlier = [i for i, c in enumerate(cases) if c.get("group") == realcode_twentieth.REALCODE_CHECK14]
    # after every earlier case (realcode-check14, ids 3230-3391, included), one block (its ids as timed: 3392-3457);
    # the sweep's id list names exactly its cases
    assert earlier[-1] == 3391 and mine == list(range(3392, 3458))
    assert [int(n) for n in IDS.read_text().strip().split(",")] == mine
    order = [groups for groups, _ in realcode_pairs()]
    at = order.index((MORE12,))
    assert realcode_pairs()[at] == ((MORE12,), realcode_twentyfirst.specs)
    assert order[at - 1] == (realcode_twentieth.REALCODE_CHECK14,)


def test_the_group_covers_the_tails_kernels(committed_cases):
    cases = [c for c in committed_cases if c.get("group") == MORE12]
    atens = Counter(c["aten"] for c in cases)
    assert atens["scaled_dot_product_attention"] >= 20
    assert atens["aten._to_copy.default"] >= 12 and atens["aten.index_add_.default"] >= 4
    assert atens["aten.topk.default"] >= 4 and atens["aten.native_group_norm.default"] >= 4
    sdpa = [c["spec"] for c in cases if c["kind"] == "sdpa"]
    # float masks per head (3-D and 4-D), shared by the heads and per row; heads of 80 to 256
    masks = [tuple(s["attn_mask"][0]) for s in sdpa if s["attn_mask"]]
    assert any(len(shape) == 3 for shape in masks) and any(len(shape) == 4 and shape[1] > 1 for shape in masks)
    assert any(shape[:2] == (1, 1) for shape in masks)
    assert {s["query"][0][-1] for s in sdpa} >= {80, 96, 160, 192, 256}


def test_the_group_traces_on_the_meta_device():
    from hetsim.calibration.gpu_suite import realcode_twentyfirst
    from hetsim.tracing.fake import trace_callable

    specs = list(realcode_twentyfirst.specs())
    assert {group for group, *_ in specs} == {MORE12}
    assert len({label for _, label, *_ in specs}) == len(specs)
    for _, label, fn, args, _ in specs:
        assert trace_callable(fn, *args).ops, label
