"""The thirty-sixth blind real-code group (realcode-check36): a block after realcode-check35, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK36 = "realcode-check36"


def test_the_thirty_sixth_check_is_a_blind_block_after_the_thirty_fifth(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import realcode_sixtyfifth, realcode_sixtyfourth

    ids = assert_appended_block(
        CHECK36,
        range(34206, 35891),
        realcode_sixtyfifth,
        realcode_sixtyfourth.REALCODE_CHECK35,
        34205,
        IDS / "check36_ids.txt",
    )
    assert len(ids) == 1685
    # written by a helper who never saw hetsim's pricing (multimodal LLMs: vision-language front-ends, visual token
    # pruning and merging, M-RoPE, audio LLM glue and neural codecs; state-space and linear-recurrent models;
    # test-time-training memories; embedding and reranking serving; byte-level models; diffusion language models);
    # the H200 profile's fit takes contention-sweep and never this group
    assert_blind(CHECK36, 1685, "contention-sweep")
    assert_names_its_group(CHECK36, regimes=78)


def test_the_thirty_sixth_check_was_timed_on_an_h100_and_scored_blind(scored_graph):
    import pytest

    # the lease came as an H100 (every one of the 1,685 cases timed). Scored once, blind, by the code and profiles of
    # f5d3596 (calibration/e2e/diagnostics/realcode-check36-H100-blind-2026-12-07.txt): 5.3 % median, p90 21.8 %, 121
    # of 1,578 beyond 25 %
    graph = scored_graph("H100-SXM-aten-realcode-check36-2026-12-07.parquet", range(34206, 35891), timed=1685,
                         device="H100-SXM")
    assert graph["n"] == 1578
    assert graph["median_abs"] == pytest.approx(0.053, abs=0.01)
    assert 0.17 < graph["p90_abs"] < 0.27
