"""The thirty-fourth blind real-code group (realcode-check34): a block after realcode-check33, blind to every fit."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"
CHECK34 = "realcode-check34"


def test_the_thirty_fourth_check_is_a_blind_block_after_the_thirty_third(
    assert_appended_block, assert_blind, assert_names_its_group
):
    from hetsim.calibration.gpu_suite import realcode_sixtysecond, realcode_sixtythird

    ids = assert_appended_block(
        CHECK34,
        range(30985, 32600),
        realcode_sixtythird,
        realcode_sixtysecond.REALCODE_CHECK33,
        30984,
        IDS / "check34_ids.txt",
    )
    assert len(ids) == 1615
    # written by a helper who never saw hetsim's pricing (samplers and logits processors, batching bookkeeping,
    # multi-LoRA serving, model-family specifics, test-time training layers, embedding and reranker models,
    # multimodal front-ends); the H200 profile's fit takes contention-sweep and never this group
    assert_blind(CHECK34, 1615, "contention-sweep")
    assert_names_its_group(CHECK34, regimes=74)
