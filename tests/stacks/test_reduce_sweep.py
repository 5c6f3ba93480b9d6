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


def test_a_reduction_over_dims_apart_is_its_own_neighbours_class():
    from hetsim.hardware import product_table
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp, TensorMeta

    x = TensorMeta.dense((30, 429, 6, 59), "float32")

    def reduce(dims, t=x):
        kept = TensorMeta.dense(tuple(s for d, s in enumerate(t.shape) if d not in dims), "float32")
        (op,) = aten.lower_op(AtenOp("aten.sum.dim_IntList", (t,), (kept,), {"dim": list(dims)}, dims=tuple(dims)))
        return op

    apart, together = reduce((0, 3)), reduce((2, 3))
    # reduce-sweep timed x.norm(dim=(0, 3)) of this shape 3.4x the [rows, cols, inner] view's price: Reduce.cuh walks
    # both strides. Its measured neighbours must not correct the plain last-dim sums of that view's shape
    assert apart.split and not together.split
    assert product_table.product_class(apart) == "reduce sum fp32 split"
    assert product_table.product_class(together) == "reduce sum fp32"
    # a channels-last map's mean over H and W reduces dims that lie together in memory: not split
    nhwc = TensorMeta((8, 64, 7, 7), (3136, 1, 448, 64), "float32")
    assert not reduce((2, 3), nhwc).split
