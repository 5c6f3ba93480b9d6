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
