"""The twenty-seventh blind real-code group (realcode-check27): a block after conv-sweep, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK27 = "realcode-check27"


def test_the_twenty_seventh_check_is_a_blind_block_after_the_convolution_sweep(assert_appended_block, assert_blind,
                                                                               assert_names_its_group):
    from hetsim.calibration.gpu_suite import conv_sweep, realcode_fiftysixth

    ids = assert_appended_block(CHECK27, range(19202, 19974), realcode_fiftysixth, conv_sweep.CONV_SWEEP, 19201,
                                IDS / "check27_ids.txt")
    assert len(ids) == 772
    # written by a helper who never saw hetsim's pricing; the profile was last fitted on gemm-fp32-large and never
    # on this group (measured on the next lease, scored once)
    assert_blind(CHECK27, 772, "gemm-fp32-large")
    assert_names_its_group(CHECK27, regimes=30)
