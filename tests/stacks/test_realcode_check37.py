"""The thirty-seventh blind real-code group (realcode-check37): a block after realcode-check36, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK37 = "realcode-check37"


def test_the_thirty_seventh_check_is_a_blind_block_after_the_thirty_sixth(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import realcode_sixtyfifth, realcode_sixtysixth

    ids = assert_appended_block(
        CHECK37,
        range(35891, 37560),
        realcode_sixtysixth,
        realcode_sixtyfifth.REALCODE_CHECK36,
        35890,
        IDS / "check37_ids.txt",
    )
    assert len(ids) == 1669
    # written by a helper who never saw hetsim's pricing (inference-time techniques and serving internals in plain
    # torch: KV-cache compression and eviction; speculative decoding internals; constrained decoding; multi-LoRA
    # serving; weight-only quantised matmuls; logits processors and beam search; paged and prefix caching helpers);
    # the H200 profile's fit takes contention-sweep and never this group
    assert_blind(CHECK37, 1669, "contention-sweep")
    assert_names_its_group(CHECK37, regimes=73)


def test_the_thirty_seventh_check_was_timed_on_an_h100_and_scored_blind(scored_graph):
    import pytest

    # the lease came as an H100 (1,666 of the 1,669 cases timed). Scored once, blind, by the code and profiles of
    # 89cf31d (calibration/e2e/diagnostics/realcode-check37-H100-blind-2026-12-07.txt): 5.5 % median, p90 22.0 %, 124
    # of 1,610 beyond 25 %
    graph = scored_graph("H100-SXM-aten-realcode-check37-2026-12-07.parquet", range(35891, 37560), timed=1666,
                         device="H100-SXM")
    assert graph["n"] == 1610
    assert graph["median_abs"] == pytest.approx(0.055, abs=0.01)
    assert 0.17 < graph["p90_abs"] < 0.27
