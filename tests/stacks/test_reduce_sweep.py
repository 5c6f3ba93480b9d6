"""The reduction sweep (reduce-sweep): a block after the twenty-seventh check, every reduction layout and dtype."""

from __future__ import annotations

import math

from hetsim.calibration.paths import REPO_ROOT

IDS = REPO_ROOT / "experiments" / "kernel_dispatch"


def test_the_sweep_is_a_block_after_the_twenty_seventh_check(assert_appended_block, assert_names_its_group):
    from hetsim.calibration.gpu_suite import reduce_sweep

    ids = assert_appended_block(reduce_sweep.REDUCE_SWEEP, range(19974, 21574), reduce_sweep, "realcode-check27",
                                19973, IDS / "reduce_sweep_ids.txt")
    assert len(ids) == reduce_sweep.CASES  # every draw a distinct case
    # the regimes the reduce kernel's layouts land on: last-dim (long and short rows), outer, the index-carrying and
    # Welford reduces
    assert_names_its_group(reduce_sweep.REDUCE_SWEEP, regimes=6)


def test_the_sweep_draws_every_op_layout_and_dtype_within_its_bounds():
    from hetsim.calibration.gpu_suite import reduce_sweep

    drawn = reduce_sweep.sample()
    assert drawn == reduce_sweep.sample()
    assert {r["op"] for r in drawn} == {op for op, _, _ in reduce_sweep.OPS}
    assert {r["where"] for r in drawn} == {w for w, _ in reduce_sweep.WHERE}
    width = {"float32": 4, "bfloat16": 2, "float16": 2, "int64": 8, "bool": 1, "uint8": 1}
    for r in drawn:
        assert r["dtype"] in dict((op, d) for op, _, d in reduce_sweep.OPS)[r["op"]]
        assert math.prod(r["shape"]) * width[r["dtype"]] <= reduce_sweep.MAX_BYTES
        assert all(0 <= d < len(r["shape"]) for d in r["dims"]) and math.prod(r["shape"][d] for d in r["dims"]) >= 2
        if r["where"] == "last":
            assert r["dims"] == (len(r["shape"]) - 1,)
