"""The twenty-ninth blind real-code group (realcode-check29): a block after contention-sweep, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK29 = "realcode-check29"


def test_the_twenty_ninth_check_is_a_blind_block_after_the_contention_sweep(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import contention_sweep, realcode_fiftyeighth

    ids = assert_appended_block(
        CHECK29,
        range(24210, 25197),
        realcode_fiftyeighth,
        contention_sweep.CONTENTION_SWEEP,
        24209,
        IDS / "check29_ids.txt",
    )
    assert len(ids) == 987
    # written by a helper who never saw hetsim's pricing; the profile was last fitted on contention-sweep and never on
    # this group
    assert_blind(CHECK29, 987, "contention-sweep")
    assert_names_its_group(CHECK29, regimes=30)


def test_the_twenty_ninth_check_was_timed_on_an_h100_and_is_scored_by_its_own_keys(scored_graph):
    import pytest

    # the lease came as an H100 (986 of 987 timed). Scored once, blind, by the primitive suite's profile with every
    # trace key carried over from the H200: 8.2 % median, p90 29.0 %, 130 beyond 25 %
    # (calibration/e2e/diagnostics/realcode-check29-H100-blind-2026-12-05.txt). Since 2026-12-05 (sixth session) the
    # H100 has trace keys of its own, fitted on its timing of the H200's fit cases, never on this group: 5.9 %, 26.6 %
    graph = scored_graph("H100-SXM-aten-realcode-check29-2026-12-05.parquet", range(24210, 25197), timed=986,
                         device="H100-SXM")
    assert graph["n"] == 915
    assert graph["median_abs"] == pytest.approx(0.059, abs=0.01)
    assert 0.22 < graph["p90_abs"] < 0.29
