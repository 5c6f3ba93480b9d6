"""Kernel structure the lowering reads off a tensor's layout and a norm's rows: a reduction's dims in memory order,
LayerNorm's element work and one block's walk, GroupNorm's moments walk from the L2 or from HBM."""

from __future__ import annotations

import pytest

from hetsim.calibration.predict import gpu_model
from hetsim.hardware import residency
from hetsim.hardware.gpu import NORM_ROW_ELEMENTS, compute_work, walk_bytes
from hetsim.stacks import aten
from hetsim.tracing.trace import AtenOp, TensorMeta


def _channels_last(n, c, h, w, dtype="float16"):
    return TensorMeta((n, c, h, w), (h * w * c, 1, w * c, c), dtype, contiguous=False)


def test_a_reduction_over_a_channels_last_maps_plane_is_an_outer_reduction():
    out = TensorMeta.dense((64, 2048, 1, 1), "float16")
    (mean,) = aten.lower_op(AtenOp("aten.mean.dim", (_channels_last(64, 2048, 7, 7),), (out,), {}, (2, 3)))
    # in memory N, H, W, C: the 49 positions reduced, the 2048 channels inside them
    assert (mean.rows, mean.cols, mean.inner) == (64, 49, 2048)
    (row_major,) = aten.lower_op(AtenOp("aten.mean.dim", (TensorMeta.dense((64, 2048, 7, 7), "float16"),), (out,),
                                        {}, (2, 3)))
    assert (row_major.rows, row_major.cols, row_major.inner) == (64 * 2048, 49, 1)
    # a transposed view's logical last dim lies outermost in memory
    xt = TensorMeta((1024, 4096), (1, 1024), "bfloat16", view=True, contiguous=False)
    (col,) = aten.lower_op(AtenOp("aten.sum.dim_IntList", (xt,), (TensorMeta.dense((1024,), "bfloat16"),), {}, (1,)))
    assert (col.cols, col.inner) == (4096, 1024)


def test_layer_norm_counts_its_elements_and_a_fixed_cost_a_row_and_walks_one_row():
    def ln(rows, cols, dtype="bfloat16"):
        x = TensorMeta.dense((rows, cols), dtype)
        w = TensorMeta.dense((cols,), dtype)
        out = (x, TensorMeta.dense((rows, 1), "float32"), TensorMeta.dense((rows, 1), "float32"))
        (op,) = aten.lower_op(AtenOp("aten.native_layer_norm.default", (x, w, w), out, {"normalized_shape": [cols]}))
        return op

    many_short, few_long = ln(65536, 256), ln(16384, 1024)
    assert compute_work(many_short) == 65536 * 256 + NORM_ROW_ELEMENTS["layer_norm"] * 65536
    assert walk_bytes(few_long) == 1024 * 4  # one block's row at fp32 width, whatever the rows
    model = gpu_model("H200")
    # the same bytes: four times the rows cost more (on an H200: 86 against 41 us, realcode-more)
    assert model.device_time_s(many_short) > 1.5 * model.device_time_s(few_long)
    # one long row: the block's walk binds, not the bytes (1 x 8192 bf16 ran 10.4 us, realcode-more19)
    assert model.device_time_s(ln(1, 8192)) == pytest.approx(10.4e-6, rel=0.2)


def test_group_norms_moments_walk_faster_from_the_l2_and_count_the_input_once():
    x = TensorMeta.dense((1, 512, 128, 128), "bfloat16")
    out = (x, TensorMeta.dense((1, 32), "bfloat16"), TensorMeta.dense((1, 32), "bfloat16"))
    (gn,) = aten.lower_op(AtenOp("aten.native_group_norm.default", (x, TensorMeta.dense((512,), "bfloat16"),
                                                                     TensorMeta.dense((512,), "bfloat16")), out,
                                 {"N": 1, "C": 512, "HxW": 16384, "group": 32}))
    assert gn.reread == x.numel * 2  # its input read twice, held once
    assert residency.working_bytes(gn) == gn.bytes - gn.reread
    model = gpu_model("H200")
    (hot,) = residency.replayed((gn,), model.l2_bytes)
    assert hot.walk_share > 0.9  # 16.8 MB in, 16.8 out: the L2 holds nearly all of it
    assert walk_bytes(hot) == pytest.approx(residency.hbm_equivalent(walk_bytes(gn), hot.walk_share))
    # on an H200: 146.5 us replayed (check18), 239.9 for the fp32 twice its size from HBM (more17); ~0.29 against
    # ~0.45 us a step
    assert model.device_time_s(hot) < 0.75 * model.device_time_s(gn)
