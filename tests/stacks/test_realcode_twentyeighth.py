"""The sixteenth real-code fit group (realcode-more16, in realcode_twentyeighth): convolutions on cuDNN; how a
convolution lowers to cuDNN's kernels (its implicit GEMM, its layout kernels around it, its SIMT kernel for a bf16
input of a few channels) and how the layout kernels are fitted on what the cases leave over the GEMM."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT

MORE16 = "realcode-more16"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "more16_ids.txt"


def _meta(shape, dtype="bfloat16", channels_last=False):
    from hetsim.tracing.trace import TensorMeta

    t = TensorMeta.dense(shape, dtype)
    if not channels_last:
        return t
    n, c, h, w = shape
    return TensorMeta(tuple(shape), (h * w * c, 1, w * c, c), dtype)


def _lower(x, w, out, bias=None, stride=1, padding=1):
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp

    inputs = (x, w) if bias is None else (x, w, bias)
    dims = len(x.shape) - 2
    return aten.lower_op(AtenOp("aten.convolution.default", inputs, (out,),
                                {"stride": [stride] * dims, "padding": [padding] * dims, "groups": 1,
                                 "transposed": False}))


def _regimes(ops):
    from hetsim.hardware.gpu import rate_keys

    return [rate_keys(o)[0] for o in ops]


def test_an_nchw_convolution_is_cudnns_gemm_between_its_layout_kernels():
    from hetsim.ops import Convolution

    x, w, out = _meta((2, 320, 64, 64)), _meta((320, 320, 3, 3)), _meta((2, 320, 64, 64))
    ops = _lower(x, w, out, _meta((320,)))
    assert _regimes(ops) == ["conv_layout", "conv_layout", "conv_gemm", "conv_layout", "pointwise_inplace_half"]
    gemm = ops[2]
    assert isinstance(gemm, Convolution) and (gemm.m, gemm.n, gemm.k) == (2 * 64 * 64, 320, 320 * 9)
    # the input read as it lies, never its 9 x larger patches
    assert gemm.bytes == x.numel * 2 + 320 * 320 * 9 * 2 + out.numel * 2
    # each plane padded to whole 32 x 32 tiles: the weight's 9 taps to 32, the activations' 320 channels exactly
    assert ops[0].bytes == 2 * 2 * 320 * 4096 * 2
    assert ops[1].bytes == 2 * 320 * 320 * 32 * 2


def test_a_channels_last_convolution_launches_the_gemm_alone():
    x, w, out = _meta((2, 320, 64, 64), channels_last=True), _meta((320, 320, 3, 3), channels_last=True), \
        _meta((2, 320, 64, 64), channels_last=True)
    assert _regimes(_lower(x, w, out)) == ["conv_gemm"]
    assert _regimes(_lower(x, w, out, _meta((320,)))) == ["conv_gemm", "pointwise_inplace_half"]


def test_few_channels_or_taps_pad_the_layout_tiles_or_need_none():
    # a 3-channel output: its planes padded from 3 channels to a tile of 32, ~10.7x the bytes
    x, w, out = _meta((1, 128, 256, 256)), _meta((3, 128, 3, 3)), _meta((1, 3, 256, 256))
    ops = _lower(x, w, out)
    assert _regimes(ops) == ["conv_layout", "conv_layout", "conv_gemm_narrow", "conv_layout"]
    assert ops[-1].bytes == 2 * 32 * 65536 * 2
    # a one-tap conv1d's weight is NHWC already (profiled: one nchwToNhwc, the input's)
    x, w, out = _meta((4, 1024, 750)), _meta((2048, 1024, 1)), _meta((4, 2048, 750))
    assert _regimes(_lower(x, w, out, padding=0)) == ["conv_layout", "conv_gemm", "conv_layout"]


@pytest.mark.parametrize(("x", "w", "dtype", "stride", "algo"), [
    # profiled on an H200 (realcode-more16, -more17, check16, check17)
    ((2, 3, 448, 448), (1152, 3, 14, 14), "bfloat16", 14, "simt"),  # a patch embedding over 448 x 448: SIMT
    ((8, 3, 224, 224), (1024, 3, 14, 14), "bfloat16", 14, "implicit_gemm_sm80"),  # over 224: CUTLASS's fprop
    ((4, 1, 800, 80), (256, 1, 3, 3), "bfloat16", 2, "simt"),  # one channel of mel frames
    ((2, 8, 128, 128), (64, 8, 3, 3), "bfloat16", 1, "simt"),  # 8 channels, 3 x 3
    ((1, 16, 128, 128), (512, 16, 3, 3), "bfloat16", 1, "implicit_gemm_sm80"),  # 16 channels: the tensor cores
    ((16, 3, 224, 224), (96, 3, 4, 4), "bfloat16", 4, "simt"),  # ConvNeXt's 4 x 4 stem: precomputed_convolve_sgemm
    ((8, 3, 224, 224), (768, 3, 16, 16), "float32", 16, "simt"),  # fp32 over RGB: an FFMA xmma over NCHW
    ((16, 3, 224, 224), (64, 3, 7, 7), "float16", 2, "first_layer"),  # an fp16 ResNet stem: image_first_layer
    ((64, 3, 224, 224), (64, 3, 7, 7), "bfloat16", 2, "implicit_gemm_sm80"),  # the bf16 one: CUTLASS's fprop
    ((2, 640, 64, 64), (640, 640, 3, 3), "float16", 1, "implicit_gemm"),  # 640 channels: Hopper's kernels
    ((1, 128, 256, 256), (3, 128, 3, 3), "bfloat16", 1, "implicit_gemm_narrow"),  # 3 output channels: sm80_xmma's
    ((2, 3, 2, 14, 14), (1280, 3, 2, 14, 14), "bfloat16", 2, "simt"),  # a 3-D patch: implicit_convolveNd_sgemm
])
def test_cudnn_picks_its_kernel_family_by_the_channels_filter_and_dtype(x, w, dtype, stride, algo):
    from hetsim.stacks.aten import cudnn_algo

    dims = len(x) - 2
    assert cudnn_algo(_meta(x, dtype), _meta(w, dtype), 1, {"stride": [stride] * dims}, nchw=True) == algo


def test_a_channels_last_input_runs_the_tensor_cores_and_its_depthwise_cudnns_nhwc_kernel():
    # an RGB input laid channels-last: never the SIMT kernel (profiled: CUTLASS's fprop after nhwcAddPaddingKernel)
    x, w, out = _meta((16, 3, 224, 224), channels_last=True), _meta((768, 3, 16, 16), channels_last=True), \
        _meta((16, 768, 14, 14), channels_last=True)
    assert _regimes(_lower(x, w, out, stride=16, padding=0)) == ["conv_gemm_sm80"]
    # a channels-last depthwise conv in 16 bits: cuDNN's conv2d_c1_k1_nhwc_specialized over it as it lies, no copy
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp

    x, w, out = _meta((32, 96, 56, 56), "float16", True), _meta((96, 1, 7, 7), "float16"), \
        _meta((32, 96, 56, 56), "float16", True)
    ops = aten.lower_op(AtenOp("aten.convolution.default", (x, w, _meta((96,), "float16")), (out,),
                               {"stride": [1, 1], "padding": [3, 3], "groups": 96, "transposed": False}))
    assert _regimes(ops) == ["conv_depthwise_nhwc", "pointwise_inplace_half"] and ops[0].walk == out.numel


def test_an_fp32_1x1_convolution_is_cudnns_tf32_gemm_over_the_tensors_as_they_lie():
    from hetsim.hardware.gpu import compute_work
    from hetsim.ops import Convolution

    x, w, out = _meta((2, 1024, 64, 64), "float32"), _meta((256, 1024, 1, 1), "float32"), \
        _meta((2, 256, 64, 64), "float32")
    (gemm,) = _lower(x, w, out, padding=0)
    assert isinstance(gemm, Convolution) and gemm.algo == "implicit_gemm"
    assert compute_work(gemm) == 2 * gemm.flops  # TF32: half the 16-bit rate
    # a 16-bit one stays cuBLAS's GEMM (nvjet)
    (mm,) = _lower(_meta((2, 1024, 64, 64)), _meta((256, 1024, 1, 1)), _meta((2, 256, 64, 64)), padding=0)
    assert type(mm).__name__ == "Matmul"


def test_a_strided_convolution_reads_only_the_input_its_filter_touches():
    x, w, out = _meta((64, 256, 56, 56), channels_last=True), _meta((512, 256, 1, 1), channels_last=True), \
        _meta((64, 512, 28, 28), channels_last=True)
    (gemm,) = _lower(x, w, out, stride=2, padding=0)
    assert gemm.input_bytes == x.numel * 2 // 4


def test_the_residual_fit_recovers_the_layout_kernels_rates():
    from hetsim.calibration.trace_fit import ResidualPoint, fit_residual

    points = [ResidualPoint(f"f:{i}", n, b, n * 2e-6 + b / 2.2e12, 1.0)
              for i, (n, b) in enumerate([(3, 1e6), (3, 4e7), (2, 2e8), (3, 6e8), (1, 5e6), (2, 1.2e8)])]
    rates, notes = fit_residual("conv_layout", points, None, "test")
    assert rates.overhead_s == pytest.approx(2e-6, rel=0.05)
    assert rates.bw_bytes_per_s == pytest.approx(2.2e12, rel=0.05)
    assert rates.dispatch_s == 0.0 and notes["fit"]["points"] == 6


def test_the_sixteenth_fit_group_comes_after_the_fifteenth(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import realcode_twentyeighth, realcode_twentyseventh

    mine = assert_appended_block(MORE16, range(5115, 5202), realcode_twentyeighth,
                                 realcode_twentyseventh.REALCODE_MORE15, 5114, IDS)
    regimes = {committed_cases[i]["regime"] for i in mine}
    assert {"conv_layout", "conv_gemm", "conv_gemm_sm80", "conv_simt", "pointwise_broadcast"} <= regimes


def test_every_nchw_convolution_of_the_group_has_its_channels_last_twin():
    from hetsim.calibration.gpu_suite import realcode_twentyeighth

    labels = [label.split("/")[0] for _, label, *_ in realcode_twentyeighth.specs()]
    for name in ("conv3x3", "conv3x3_s2", "conv3x3_few"):
        assert labels.count(name) == labels.count(name + "_cl") >= 3


@pytest.mark.parametrize(("x", "y", "dims"), [
    ((8192, 4096), (4096,), 2),  # RMSNorm's weight over rows: rows, columns
    ((2, 1280, 4096), (1, 1280, 1), 3),  # a per-channel scale: samples, channels, positions
    ((4, 16, 1024, 1024), (4, 1, 1, 1024), 3),  # a padding mask: heads and queries merge (the mask steps 0 over both)
    ((4, 32, 512, 512), (4, 32, 512, 512), 1),  # the same layout throughout: one dim
])
def test_the_strided_kernel_walks_the_dims_tensoriterator_leaves(x, y, dims):
    from hetsim.stacks.aten import iteration_dims
    from hetsim.tracing.trace import AtenOp, TensorMeta

    op = AtenOp("aten.mul.Tensor", (TensorMeta.dense(x, "bfloat16"), TensorMeta.dense(y, "bfloat16")),
                (TensorMeta.dense(x, "bfloat16"),), {})
    assert iteration_dims(op, op.outputs[0]) == dims


def test_a_transposed_operand_keeps_its_dims_apart():
    from hetsim.stacks.aten import iteration_dims
    from hetsim.tracing.trace import AtenOp, TensorMeta

    # rotary's q.transpose(1, 2) * cos: q's heads and tokens swapped, cos broadcast over the heads. The output takes
    # q's layout (as the trace records it): the samples merge with the tokens, three dims; into a dense output, four
    strides = (2048 * 32 * 128, 128, 32 * 128, 1)
    q = TensorMeta((2, 32, 2048, 128), strides, "bfloat16", view=True, contiguous=False)
    cos = TensorMeta.dense((2, 1, 2048, 128), "bfloat16")
    like_q = TensorMeta((2, 32, 2048, 128), strides, "bfloat16", contiguous=False)
    assert iteration_dims(AtenOp("aten.mul.Tensor", (q, cos), (like_q,), {}), like_q) == 3
    dense = TensorMeta.dense((2, 32, 2048, 128), "bfloat16")
    assert iteration_dims(AtenOp("aten.mul.Tensor", (q, cos), (dense,), {}), dense) == 4
