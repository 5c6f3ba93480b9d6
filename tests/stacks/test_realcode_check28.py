"""The twenty-eighth blind real-code group (realcode-check28): a block after rare-sweep, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK28 = "realcode-check28"


def test_the_twenty_eighth_check_is_a_blind_block_after_the_rare_op_sweep(assert_appended_block, assert_blind,
                                                                          assert_names_its_group):
    from hetsim.calibration.gpu_suite import rare_sweep, realcode_fiftyseventh

    ids = assert_appended_block(CHECK28, range(22871, 23816), realcode_fiftyseventh, rare_sweep.RARE_SWEEP, 22870,
                                IDS / "check28_ids.txt")
    assert len(ids) == 945
    # written by a helper who never saw hetsim's pricing; the profile was last fitted on rare-sweep and never on this
    # group
    assert_blind(CHECK28, 945, "rare-sweep")
    assert_names_its_group(CHECK28, regimes=30)
