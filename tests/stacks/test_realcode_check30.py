"""The thirtieth blind real-code group (realcode-check30): a block after matvec-sweep, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK30 = "realcode-check30"


def test_the_thirtieth_check_is_a_blind_block_after_the_matvec_sweep(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import matvec_sweep, realcode_fiftyninth

    ids = assert_appended_block(
        CHECK30,
        range(25263, 26184),
        realcode_fiftyninth,
        matvec_sweep.MATVEC_SWEEP,
        25262,
        IDS / "check30_ids.txt",
    )
    assert len(ids) == 921
    # written by a helper who never saw hetsim's pricing; the H200 profile's fit takes contention-sweep (interp-sweep's
    # and matvec-sweep's rows only the H100's) and never this group
    assert_blind(CHECK30, 921, "contention-sweep")
    assert_names_its_group(CHECK30, regimes=40)


def test_the_thirtieth_check_was_timed_on_an_h100_and_scored_blind(scored_graph):
    import pytest

    # the lease came as an H100 (920 of 921 timed; the first run lost the GPU at a multinomial over normal draws
    # before the harness drew its probabilities non-negative). Scored once, blind, by the code and profiles of
    # b492dd5: 6.0 % median, p90 31.5 %, 116 beyond 25 % (calibration/e2e/diagnostics/realcode-check30-H100-blind-
    # 2026-12-06.txt). Since the H100's tables took pool-special-sweep (check30's pools and special functions at drawn
    # sizes): 5.9 % median, p90 30.2 %, 112 beyond 25 %; since outer reductions price their global reduction's chain
    # and stacks their partial-sector writes (eighteenth session): p90 24.9 %
    graph = scored_graph("H100-SXM-aten-realcode-check30-2026-12-06.parquet", range(25263, 26184), timed=920,
                         device="H100-SXM")
    assert graph["n"] == 891
    assert graph["median_abs"] == pytest.approx(0.060, abs=0.01)
    assert 0.22 < graph["p90_abs"] < 0.33
