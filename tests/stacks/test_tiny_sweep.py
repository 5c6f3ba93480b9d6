"""The small-kernel sweep (tiny-sweep): a block after the reduction sweep, elementwise ops where fixed cost shows."""

from __future__ import annotations

import math

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"


def test_the_sweep_is_a_block_after_the_reduction_sweep(assert_appended_block, assert_names_its_group):
    from hetsim.calibration.gpu_suite import tiny_sweep

    ids = assert_appended_block(tiny_sweep.TINY_SWEEP, range(21574, 22647), tiny_sweep, "reduce-sweep", 21573,
                                IDS / "tiny_sweep_ids.txt")
    # draws equal to an earlier group's case (or to each other) are dropped, never most of them
    assert 0.9 * tiny_sweep.CASES <= len(ids) <= tiny_sweep.CASES
    # the keys whose fixed cost the checks' small cases missed: casts, mixed dtypes, transposed operands, fills,
    # indexing, softmax, cats and copies all get cases
    assert_names_its_group(tiny_sweep.TINY_SWEEP, regimes=15)


def test_the_sweep_draws_every_family_small():
    from hetsim.calibration.gpu_suite import tiny_sweep

    drawn = tiny_sweep.sample()
    assert drawn == tiny_sweep.sample()
    assert {r["family"] for r in drawn} == {f for f, _ in tiny_sweep.FAMILIES}
    for r in drawn:
        assert 1 <= r["rows"] * r["cols"] <= 2 ** tiny_sweep.ELEMENTS[1] * 1.05  # each side rounded
    # small: most draws under 2^16 elements, where the H200's kernels run in a few microseconds
    assert sum(r["rows"] * r["cols"] < 2 ** 16 for r in drawn) > 0.8 * len(drawn)
    assert math.isclose(sum(s for _, s in tiny_sweep.FAMILIES), 1.0)
