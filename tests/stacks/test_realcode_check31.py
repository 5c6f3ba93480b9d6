"""The thirty-first blind real-code group (realcode-check31): a block after pool-special-sweep, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK31 = "realcode-check31"


def test_the_thirty_first_check_is_a_blind_block_after_the_pool_special_sweep(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import pool_special_sweep, realcode_sixtieth

    ids = assert_appended_block(
        CHECK31,
        range(26298, 27729),
        realcode_sixtieth,
        pool_special_sweep.POOL_SPECIAL_SWEEP,
        26297,
        IDS / "check31_ids.txt",
    )
    assert len(ids) == 1431
    # written by a helper who never saw hetsim's pricing (equivariant and molecular models, flows, Gaussian processes,
    # structured prediction, knowledge graphs, recommenders, forecasting, point clouds, numerical methods, metric
    # losses, vocoders, attention variants, retrieval and uncertainty); the H200 profile's fit takes contention-sweep
    # and never this group
    assert_blind(CHECK31, 1431, "contention-sweep")
    assert_names_its_group(CHECK31, regimes=40)


def test_the_thirty_first_check_was_timed_on_an_h100_and_scored_blind(scored_graph):
    import pytest

    # the lease came as an H100 (1,429 of 1,431 timed). Scored once, blind, by the code and profiles that fitted
    # pool-special-sweep's forms (calibration/e2e/diagnostics/realcode-check31-H100-blind-2026-12-06.txt): 5.8 %
    # median, p90 26.1 %, 150 of 1,386 beyond 25 %
    graph = scored_graph("H100-SXM-aten-realcode-check31-2026-12-06.parquet", range(26298, 27729), timed=1429,
                         device="H100-SXM")
    # 1,386 compared when scored; since b006d43 GRU4Rec's unsafe_split is a view (no kernel), not compared
    assert graph["n"] == 1385
    assert graph["median_abs"] == pytest.approx(0.058, abs=0.01)
    assert 0.22 < graph["p90_abs"] < 0.30
