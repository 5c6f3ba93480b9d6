"""The seventeenth real-code fit group (realcode-more17, in realcode_thirtieth): the convolutions and image ops the
eighteenth check ran; how BatchNorm in eval mode, upsampling and pooling lower to the kernels ATen launches."""

from __future__ import annotations

from hetsim.calibration.paths import REPO_ROOT

MORE17 = "realcode-more17"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "more17_ids.txt"


def _meta(shape, dtype="float16"):
    from hetsim.tracing.trace import TensorMeta

    return TensorMeta.dense(shape, dtype)


def _lower(name, inputs, outputs, **args):
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp

    return aten.lower_op(AtenOp(name, tuple(inputs), tuple(outputs), args))


def test_batch_norm_in_eval_mode_is_one_pass_over_the_input():
    x, c = _meta((32, 64, 112, 112)), _meta((64,))
    (bn,) = _lower("aten.native_batch_norm.default", (x, c, c, c, c), (x, _meta((0,)), _meta((0,))),
                   training=False, momentum=0.1, eps=1e-5)
    assert bn.regime == "batch_norm" and bn.bytes == 2 * x.numel * 2 + 4 * 64 * 2
    assert bn.walk == 32 * 64  # the NCHW kernel's (sample, channel) planes, each a step
    # training mode (batch statistics): the NCHW statistics and transform kernels, then the running statistics'
    # update (hetsim.stacks.aten_norms._batch_norm_training; priced in test_training_batch_norm_follows_its_layout)
    train, update = _lower("aten.native_batch_norm.default", (x, c, c, c, c), (x, c, c), training=True,
                           momentum=0.1, eps=1e-5)
    assert (train.regime, update.regime) == ("batch_norm_train", "pointwise")


def test_upsampling_by_nearest_is_per_element_and_by_interpolation_a_walk_over_the_channels():
    x, out = _meta((2, 640, 64, 64)), _meta((2, 640, 128, 128))
    (near,) = _lower("aten.upsample_nearest2d.default", (x,), (out,), output_size=[128, 128])
    assert near.regime == "upsample_nearest" and near.bytes == (x.numel + out.numel) * 2
    # a thread an output position looping over every (sample, channel), 16 reads a step for bicubic, 4 for bilinear
    x, out = _meta((2, 1024, 16, 16), "float32"), _meta((2, 1024, 32, 32), "float32")
    (cubic,) = _lower("aten.upsample_bicubic2d.default", (x,), (out,), output_size=[32, 32], align_corners=False)
    (linear,) = _lower("aten.upsample_bilinear2d.default", (x,), (out,), output_size=[32, 32], align_corners=False)
    assert (cubic.regime, linear.regime) == ("upsample_bicubic", "upsample_bilinear")
    assert cubic.walk == linear.walk == 2 * 1024


def test_pooling_is_priced_by_its_outputs_or_its_windows_reads():
    from hetsim.hardware.gpu import compute_work, walk_bytes

    x, out, idx = _meta((16, 64, 200, 266), "bfloat16"), _meta((16, 64, 100, 133), "bfloat16"), \
        _meta((16, 64, 100, 133), "int64")
    (pool,) = _lower("aten.max_pool2d_with_indices.default", (x,), (out, idx), kernel_size=[3, 3], stride=[2, 2],
                     padding=[1, 1])
    # 13.6 M outputs fill the GPU 51 times over: a fixed cost an output or its taps' issue (and the index written)
    assert pool.regime == "pool" and walk_bytes(pool) == out.numel and compute_work(pool) == out.numel * 10
    assert pool.bytes == x.numel * 2 + out.numel * 2 + out.numel * 8  # the indices written too


def test_the_seventeenth_fit_group_comes_after_the_eighteenth_check(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import realcode_thirtieth, realcode_twentyninth

    mine = assert_appended_block(MORE17, range(5999, 6047), realcode_thirtieth, realcode_twentyninth.REALCODE_CHECK18,
                                 5998, IDS)
    regimes = {committed_cases[i]["regime"] for i in mine}
    assert {"batch_norm", "upsample_nearest", "upsample_bicubic", "pool", "group_norm", "conv_depthwise_nhwc",
            "conv_simt", "conv_gemm"} <= regimes


def test_pixel_shuffle_nearest_exact_and_xlogy_lower_to_the_kernels_aten_runs():
    # pixel_shuffle / pixel_unshuffle: the permuted view made contiguous (one strided copy: input read, output written)
    x = _meta((16, 1024, 48, 48), "float32")
    (shuffle,) = _lower("aten.pixel_shuffle.default", (x,), (_meta((16, 256, 96, 96), "float32"),), upscale_factor=2)
    assert shuffle.regime in ("copy_transpose", "copy_strided") and shuffle.bytes == 2 * x.numel * 4
    y = _meta((12, 3, 128, 128), "float32")
    (unshuffle,) = _lower("aten.pixel_unshuffle.default", (y,), (_meta((12, 12, 64, 64), "float32"),),
                          downscale_factor=2)
    assert unshuffle.aten == "aten.pixel_unshuffle.default" and unshuffle.bytes == 2 * y.numel * 4
    # mode="nearest-exact": the nearest kernel, one read an output element
    labels = _meta((16, 1, 1024, 2048), "uint8")
    (near,) = _lower("aten._upsample_nearest_exact2d.default", (labels,), (_meta((16, 1, 512, 1024), "uint8"),),
                     output_size=[512, 1024])
    assert near.regime == "upsample_nearest"
    # F.kl_div's xlogy: one elementwise kernel with a log per element
    p = _meta((256, 1000), "float32")
    (xlogy,) = _lower("aten.xlogy.Tensor", (p, p), (p,))
    assert xlogy.regime == "pointwise_math"
