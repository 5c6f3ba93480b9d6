"""The thirty-third blind real-code group (realcode-check33): a block after lookup-sweep, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK33 = "realcode-check33"


def test_the_thirty_third_check_is_a_blind_block_after_the_lookup_sweep(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import lookup_sweep, realcode_sixtysecond

    ids = assert_appended_block(
        CHECK33,
        range(29387, 30985),
        realcode_sixtysecond,
        lookup_sweep.LOOKUP_SWEEP,
        29386,
        IDS / "check33_ids.txt",
    )
    assert len(ids) == 1598
    # written by a helper who never saw hetsim's pricing (KV-cache eviction and compression, sparse attention in plain
    # torch, MLA / MTP / MoE routing, speculative decoding, retrieval, memory architectures, quantised inference,
    # paged KV caches); the H200 profile's fit takes contention-sweep and never this group
    assert_blind(CHECK33, 1598, "contention-sweep")
    assert_names_its_group(CHECK33, regimes=40)


def test_the_thirty_third_check_was_timed_on_an_h100_and_scored_blind(scored_graph):
    import pytest

    # the lease came as an H100 (1,598 of 1,598 timed). Scored once, blind, by the code and profiles of d285137
    # (calibration/e2e/diagnostics/realcode-check33-H100-blind-2026-12-07.txt): 5.8 % median, p90 29.0 %, 189 of
    # 1,511 beyond 25 %
    graph = scored_graph("H100-SXM-aten-realcode-check33-2026-12-07.parquet", range(29387, 30985), timed=1598,
                         device="H100-SXM")
    assert graph["n"] == 1511
    assert graph["median_abs"] == pytest.approx(0.058, abs=0.01)
    assert 0.22 < graph["p90_abs"] < 0.33
