"""The thirty-seventh blind real-code group (realcode-check37): a block after realcode-check36, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK37 = "realcode-check37"


def test_the_thirty_seventh_check_is_a_blind_block_after_the_thirty_sixth(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import realcode_sixtyfifth, realcode_sixtysixth

    ids = assert_appended_block(
        CHECK37,
        range(35891, 37560),
        realcode_sixtysixth,
        realcode_sixtyfifth.REALCODE_CHECK36,
        35890,
        IDS / "check37_ids.txt",
    )
    assert len(ids) == 1669
    # written by a helper who never saw hetsim's pricing (inference-time techniques and serving internals in plain
    # torch: KV-cache compression and eviction; speculative decoding internals; constrained decoding; multi-LoRA
    # serving; weight-only quantised matmuls; logits processors and beam search; paged and prefix caching helpers);
    # the H200 profile's fit takes contention-sweep and never this group
    assert_blind(CHECK37, 1669, "contention-sweep")
    assert_names_its_group(CHECK37, regimes=73)
