"""The rare-op sweep (rare-sweep): a block after the small-kernel sweep, ops hetsim has no kernel model for."""

from __future__ import annotations

import math

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"


def test_the_sweep_is_a_block_after_the_small_kernel_sweep(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import rare_sweep

    ids = assert_appended_block(rare_sweep.RARE_SWEEP, range(22647, 22871), rare_sweep, "tiny-sweep", 22646,
                                IDS / "rare_sweep_ids.txt")
    ops = {committed_cases[n]["aten"] for n in ids}
    # every op it names had no kernel model when it was written (the roofline, aten_unknown); all but isin's now have
    # their own (hetsim.stacks.aten_library, aten_image), fitted on these cases; each op at a spread of sizes
    regimes = {committed_cases[n]["aten"]: committed_cases[n]["regime"] for n in ids}
    assert len(ops) >= 15
    assert {op for op, regime in regimes.items() if regime == "aten_unknown"} == {"aten.isin.Tensor_Tensor"}
    for op in ops - {"aten.mean.dim"}:
        sizes = {math.prod(committed_cases[n]["spec"]["out"][0][0]) for n in ids if committed_cases[n]["aten"] == op}
        assert len(sizes) >= 5, op
