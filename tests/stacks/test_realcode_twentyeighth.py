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
    assert _regimes(ops) == ["conv_layout", "conv_layout", "conv_gemm", "conv_layout", "pointwise_broadcast"]
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
    assert _regimes(_lower(x, w, out, _meta((320,)))) == ["conv_gemm", "pointwise_broadcast"]


def test_few_channels_or_taps_pad_the_layout_tiles_or_need_none():
    # a 3-channel output: its planes padded from 3 channels to a tile of 32, ~10.7x the bytes
    x, w, out = _meta((1, 128, 256, 256)), _meta((3, 128, 3, 3)), _meta((1, 3, 256, 256))
    ops = _lower(x, w, out)
    assert _regimes(ops) == ["conv_layout", "conv_layout", "conv_gemm", "conv_layout"]
    assert ops[-1].bytes == 2 * 32 * 65536 * 2
    # a one-tap conv1d's weight is NHWC already (profiled: one nchwToNhwc, the input's)
    x, w, out = _meta((4, 1024, 750)), _meta((2048, 1024, 1)), _meta((4, 2048, 750))
    assert _regimes(_lower(x, w, out, padding=0)) == ["conv_layout", "conv_gemm", "conv_layout"]


@pytest.mark.parametrize(("dtype", "channels", "simt"), [
    ("bfloat16", 3, True),  # a ViT patch embedding over RGB in bf16: implicit_convolve_sgemm (check16, check17)
    ("bfloat16", 1, True),  # one channel of mel frames (check16's subsampling)
    ("float16", 3, False),  # fp16 RGB: the tensor-core kernel, its channels padded
    ("bfloat16", 16, False),  # 16 latent channels: the tensor-core kernel
])
def test_cudnn_runs_a_bf16_input_of_few_channels_on_its_simt_kernel(dtype, channels, simt):
    x, w, out = _meta((8, channels, 224, 224), dtype), _meta((768, channels, 16, 16), dtype), \
        _meta((8, 768, 14, 14), dtype)
    ops = _lower(x, w, out, stride=16, padding=0)
    assert ("conv_simt" in _regimes(ops)) is simt
    assert ("conv_layout" in _regimes(ops)) is not simt


def test_the_residual_fit_recovers_the_layout_kernels_rates():
    from hetsim.calibration.trace_fit import ResidualPoint, fit_residual

    points = [ResidualPoint(f"f:{i}", n, b, n * 2e-6 + b / 2.2e12, 1.0)
              for i, (n, b) in enumerate([(3, 1e6), (3, 4e7), (2, 2e8), (3, 6e8), (1, 5e6), (2, 1.2e8)])]
    rates, notes = fit_residual("conv_layout", points, None, "test")
    assert rates.overhead_s == pytest.approx(2e-6, rel=0.05)
    assert rates.bw_bytes_per_s == pytest.approx(2.2e12, rel=0.05)
    assert rates.dispatch_s == 0.0 and notes["fit"]["points"] == 6
