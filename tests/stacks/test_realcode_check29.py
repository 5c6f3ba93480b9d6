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
