"""The seventeenth blind check of everyday PyTorch inference code (realcode-check17, in realcode_twentysixth): written
by a helper from the models' and serving stacks' reference code after realcode-more14, blind to every earlier group and
to hetsim's pricing; its structure, and its one blind score."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

CHECK17 = "realcode-check17"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "check17_ids.txt"


def test_every_case_names_its_group_and_the_group_spans_regimes(assert_names_its_group):
    assert_names_its_group(CHECK17, regimes=30)


def test_the_seventeenth_realcode_check_shares_no_case_with_any_other_group(assert_blind):
    # 706 distinct aten cases from the helper's 166 idioms, never fitted (the profile's last fit group named here is
    # realcode-more13, as for the sixteenth check)
    assert_blind(CHECK17, 706, "realcode-more13")


def test_the_seventeenth_realcode_check_is_appended_as_one_block_after_every_earlier_group(assert_appended_block):
    from hetsim.calibration.gpu_suite import realcode_twentyfifth, realcode_twentysixth

    # after every earlier case (realcode-more14, ids 4358-4372, included), one block (its ids as timed: 4373-5078)
    assert_appended_block(CHECK17, range(4373, 5079), realcode_twentysixth, realcode_twentyfifth.REALCODE_MORE14,
                          4372, IDS)


def test_the_check_spans_products_attention_and_the_other_kernels(committed_cases, product_split):
    cases = [c for c in committed_cases if c.get("group") == CHECK17]
    _, products, others = product_split(CHECK17)
    assert products >= 120
    assert len(others) >= 30
    assert sum(1 for c in cases if c["kind"] == "sdpa") >= 10
    assert {"pointwise", "softmax_last", "scatter", "scatter_add", "scan", "sort", "multinomial", "layer_norm",
            "group_norm", "index_put", "index_add", "embedding", "gather_elements"} <= others


def test_the_check_traces_on_the_meta_device():
    from hetsim.calibration.gpu_suite import realcode_twentysixth
    from hetsim.tracing.fake import trace_callable

    specs = list(realcode_twentysixth.specs())
    assert {group for group, *_ in specs} == {CHECK17}
    assert len({label for _, label, *_ in specs}) == len(specs) == 166
    for _, label, fn, args, _ in specs:
        assert trace_callable(fn, *args).ops, label


def test_the_seventeenth_check_was_timed_whole_and_is_scored_blind(scored_graph):
    import pytest

    graph = scored_graph("H200-aten-realcode-check17-2026-12-03.parquet", range(4373, 5079))  # every case timed
    # scored once, blind, with the code and profile of realcode-more15's fit: 8.6 % / 28.9 % over 638 kernel cases
    # (calibration/README.md); its tail: convolutions over 1-3 channels, fp64 math, softmax over 126K-wide bf16 rows
    assert graph["n"] == 638
    assert graph["median_abs"] == pytest.approx(0.061, abs=0.01)  # 7.4 % / 22.6 % after realcode-more23..26
    assert 0.20 < graph["p90_abs"] < 0.33  # 24.9 % after realcode-more19 / -more20
