"""The thirty-fifth blind real-code group (realcode-check35): a block after rowscatter-sweep, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK35 = "realcode-check35"


def test_the_thirty_fifth_check_is_a_blind_block_after_the_rowscatter_sweep(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import realcode_sixtyfourth, rowscatter_sweep

    ids = assert_appended_block(
        CHECK35,
        range(32632, 34206),
        realcode_sixtyfourth,
        rowscatter_sweep.ROWSCATTER_SWEEP,
        32631,
        IDS / "check35_ids.txt",
    )
    assert len(ids) == 1574
    # written by a helper who never saw hetsim's pricing (context extension and attention variants, KV-cache
    # compression, decoding acceleration, test-time scaling, model merging, quantisation algorithms, activation
    # sparsity and pruning, retrieval encodings, mixtures of adapters and experts); the H200 profile's fit takes
    # contention-sweep and never this group
    assert_blind(CHECK35, 1574, "contention-sweep")
    assert_names_its_group(CHECK35, regimes=70)


def test_the_thirty_fifth_check_was_timed_on_an_h100_and_scored_blind(scored_graph):
    import pytest

    # the lease came as an H100 (1,572 of 1,574 timed: two eigh calls over random, non-symmetric fp64 matrices failed in
    # cuSOLVER). Scored once, blind, by the code and profiles of 4e95622
    # (calibration/e2e/diagnostics/realcode-check35-H100-blind-2026-12-07.txt): 4.5 % median, p90 22.8 %, 132 of 1,508
    # beyond 25 %
    graph = scored_graph("H100-SXM-aten-realcode-check35-2026-12-07.parquet", range(32632, 34206), timed=1572,
                         device="H100-SXM")
    assert graph["n"] == 1508
    assert graph["median_abs"] == pytest.approx(0.045, abs=0.01)
    assert 0.17 < graph["p90_abs"] < 0.28
