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
