"""spatial-softmax-sweep: softmax and log_softmax over a dim that is not the last, in each of the kernel's block shapes,
appended after realcode-check32 so the check stays blind to it."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT


def test_the_spatial_softmax_sweep_is_a_block_after_the_thirty_second_check(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import realcode_sixtyfirst, spatial_softmax_sweep

    mine = assert_appended_block(spatial_softmax_sweep.SPATIAL_SOFTMAX_SWEEP, range(29303, 29351),
                                 spatial_softmax_sweep, realcode_sixtyfirst.REALCODE_CHECK32, 29302,
                                 REPO_ROOT / "experiments" / "kernel_dispatch" / "spatial_softmax_sweep_ids.txt")
    regimes = [committed_cases[n]["regime"] for n in mine]
    assert regimes.count("softmax_spatial") == regimes.count("log_softmax_spatial") == 24


@pytest.mark.parametrize(("outer", "dim", "inner", "steps"), [
    # CoCa's log_softmax over 49,408 of [128, 49408, 76]: 128 blocks of 76 threads, each walking the whole dim
    (128, 49408, 76, 49408),
    # [8, 8192, 1024]: 8 blocks of 1,024 threads
    (8, 8192, 1024, 8192),
    # a segmentation loss over 19 classes of 8 x 512 x 1024 maps: 264 blocks of 1,024 columns, two columns a thread
    (8, 19, 512 * 1024, 8 * 2 * 19),
    # 64 columns over a dim of 4,096: 16 threads along the dim share it
    (100, 4096, 64, 4096 // 16),
])
def test_a_spatial_softmax_thread_walks_its_columns_dim_as_aten_launches_it(outer, dim, inner, steps):
    from hetsim.hardware.launch import spatial_softmax_steps

    assert spatial_softmax_steps(outer, dim, inner) == steps


def test_a_softmax_over_an_outer_dim_reads_its_input_each_pass_and_walks_its_columns():
    from hetsim.stacks.aten_norms import SOFTMAX_PASSES, _softmax
    from hetsim.tracing.trace import AtenOp, TensorMeta

    x = TensorMeta.dense((16, 1025, 750), "bfloat16")
    (op,) = _softmax(AtenOp("aten._log_softmax.default", (x,), (x,), {"dim": 1, "half_to_float": False}))
    assert op.regime == "log_softmax_spatial" and op.nbytes == (SOFTMAX_PASSES + 1) * x.numel * 2
    assert op.walk == SOFTMAX_PASSES * 1025 * 4


def test_a_spatial_softmax_over_a_short_dim_reads_its_input_once():
    from hetsim.stacks.aten_norms import _softmax
    from hetsim.tracing.trace import AtenOp, TensorMeta

    # 19 classes of a segmentation map: a block's 1,024 columns x 19 fp32 stay in the L1 between the three passes
    x = TensorMeta.dense((8, 19, 512 * 1024), "float32")
    (op,) = _softmax(AtenOp("aten._softmax.default", (x,), (x,), {"dim": 1, "half_to_float": False}))
    assert op.regime == "softmax_spatial" and op.nbytes == 2 * x.numel * 4
