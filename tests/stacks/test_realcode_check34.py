"""The thirty-fourth blind real-code group (realcode-check34): a block after realcode-check33, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK34 = "realcode-check34"


def test_the_thirty_fourth_check_is_a_blind_block_after_the_thirty_third(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import realcode_sixtysecond, realcode_sixtythird

    ids = assert_appended_block(
        CHECK34,
        range(30985, 32600),
        realcode_sixtythird,
        realcode_sixtysecond.REALCODE_CHECK33,
        30984,
        IDS / "check34_ids.txt",
    )
    assert len(ids) == 1615
    # written by a helper who never saw hetsim's pricing (samplers and logits processors, batching bookkeeping,
    # multi-LoRA serving, model-family specifics, test-time training layers, embedding and reranker models,
    # multimodal front-ends); the H200 profile's fit takes contention-sweep and never this group
    assert_blind(CHECK34, 1615, "contention-sweep")
    assert_names_its_group(CHECK34, regimes=74)


def test_the_thirty_fourth_check_was_timed_on_an_h100_and_scored_blind(scored_graph):
    import pytest

    # the lease came as an H100 (1,615 of 1,615 timed; the first run lost the GPU at a block table's index_copy_,
    # whose index draw the harness now keeps within the table). Scored once, blind, by the code and profiles of
    # 96544ce (calibration/e2e/diagnostics/realcode-check34-H100-blind-2026-12-07.txt): 5.9 % median, p90 22.3 %,
    # 123 of 1,541 beyond 25 %
    graph = scored_graph("H100-SXM-aten-realcode-check34-2026-12-07.parquet", range(30985, 32600), device="H100-SXM")
    assert graph["n"] == 1541
    assert graph["median_abs"] == pytest.approx(0.059, abs=0.01)
    assert 0.17 < graph["p90_abs"] < 0.28
