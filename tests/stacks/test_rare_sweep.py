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
    # every op it names lands on the roofline fallback, so its cases are what the fit's neighbour table of that op
    # holds; each op at a spread of sizes (a table fades beyond ~2x in its features)
    unknown = [n for n in ids if committed_cases[n]["regime"] == "aten_unknown"]
    assert len(unknown) >= 0.95 * len(ids) and len(ops) >= 15
    for op in ops - {"aten.mean.dim"}:
        sizes = {math.prod(committed_cases[n]["spec"]["out"][0][0]) for n in unknown
                 if committed_cases[n]["aten"] == op}
        assert len(sizes) >= 5, op
