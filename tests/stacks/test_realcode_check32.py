"""The thirty-second blind real-code group (realcode-check32): a block after longk-sweep, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK32 = "realcode-check32"


def test_the_thirty_second_check_is_a_blind_block_after_the_longk_sweep(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import longk_sweep, realcode_sixtyfirst

    ids = assert_appended_block(
        CHECK32,
        range(27793, 29303),
        realcode_sixtyfirst,
        longk_sweep.LONGK_SWEEP,
        27792,
        IDS / "check32_ids.txt",
    )
    assert len(ids) == 1510
    # written by a helper who never saw hetsim's pricing (sparse autoencoders and lenses, decoding algorithms,
    # preference and RL losses, self-supervised vision, architecture variants, diffusion samplers, video diffusion,
    # text-to-speech, optimisers, retrieval and ranking metrics); the H200 profile's fit takes contention-sweep and
    # never this group
    assert_blind(CHECK32, 1510, "contention-sweep")
    assert_names_its_group(CHECK32, regimes=40)


def test_the_thirty_second_check_was_timed_on_an_h100_and_scored_blind(scored_graph):
    import pytest

    # the lease came as an H100 (1,507 of 1,510 timed). Scored once, blind, by the code and profiles of 2df96d7
    # (calibration/e2e/diagnostics/realcode-check32-H100-blind-2026-12-06.txt): 5.0 % median, p90 20.6 %, 103 of
    # 1,437 beyond 25 %
    graph = scored_graph("H100-SXM-aten-realcode-check32-2026-12-06.parquet", range(27793, 29303), timed=1507,
                         device="H100-SXM")
    assert graph["n"] == 1437
    assert graph["median_abs"] == pytest.approx(0.050, abs=0.01)
    assert 0.17 < graph["p90_abs"] < 0.25
