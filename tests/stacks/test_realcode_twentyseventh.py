"""The fifteenth real-code fit group (realcode-more15, in realcode_twentyseventh): depthwise convolutions small and on
cuDNN; how PyTorch picks cuDNN's depthwise kernels over its own, and the floor form both are priced in."""

from __future__ import annotations

import pytest

from hetsim.calibration.paths import REPO_ROOT

MORE15 = "realcode-more15"
IDS = REPO_ROOT / "experiments" / "kernel_dispatch" / "more15_ids.txt"


def _meta(shape, dtype="float16"):
    from hetsim.tracing.trace import TensorMeta

    return TensorMeta.dense(shape, dtype)


@pytest.mark.parametrize(("x", "w", "dtype", "args", "cudnn"), [
    # fp16 conv1d at stride 1 (viewed as 2-D of height 1): cuDNN, whatever the taps (profiled: 9 taps,
    # conv1D_NCHW_general)
    ((4, 512, 1500), (512, 1, 9), "float16", {"stride": [1]}, True),
    # the same in bf16: ATen's kernel (cuDNN's depthwise path is fp16 only)
    ((4, 512, 1500), (512, 1, 9), "bfloat16", {"stride": [1]}, False),
    # fewer than 32 channels: ATen's
    ((4, 16, 1500), (16, 1, 9), "float16", {"stride": [1]}, False),
    # a square 3 x 3 at stride 1 (profiled: conv2d_c1_k1_nchw_shmem_tiling), 7 x 7 not (profiled: ATen's)
    ((32, 192, 56, 56), (192, 1, 3, 3), "float16", {"stride": [1, 1]}, True),
    ((8, 384, 56, 56), (384, 1, 7, 7), "float16", {"stride": [1, 1]}, False),
    # a width under 7: ATen's
    ((8, 384, 6, 6), (384, 1, 3, 3), "float16", {"stride": [1, 1]}, False),
    # stride 2: batch 1 takes cuDNN for 3 x 3; a batch of 8 only from 512 channels (or 256 over a width of 28+)
    ((1, 96, 56, 56), (96, 1, 3, 3), "float16", {"stride": [2, 2]}, True),
    ((8, 128, 56, 56), (128, 1, 3, 3), "float16", {"stride": [2, 2]}, False),
    ((8, 512, 28, 28), (512, 1, 3, 3), "float16", {"stride": [2, 2]}, True),
    # dilation: ATen's
    ((1, 96, 56, 56), (96, 1, 3, 3), "float16", {"stride": [1, 1], "dilation": [2, 2]}, False),
])
def test_pytorch_sends_fp16_depthwise_convolutions_to_cudnn_by_its_heuristic(x, w, dtype, args, cudnn):
    from hetsim.stacks.aten import cudnn_depthwise

    assert cudnn_depthwise(_meta(x, dtype), _meta(w, dtype), args) is cudnn


def test_a_depthwise_convolution_is_priced_by_its_outputs_or_its_taps():
    from hetsim.ops import Pointwise
    from hetsim.stacks import aten
    from hetsim.tracing.trace import AtenOp

    def lower(x, w, out, bias=None, **args):
        inputs = (x, w) if bias is None else (x, w, bias)
        return aten.lower_op(AtenOp("aten.convolution.default", inputs, (out,),
                                    {"stride": [1], "padding": [3], "groups": x.shape[1], "transposed": False,
                                     **args}))

    # ATen's kernel (bf16): one op, its bias fused, its walk the outputs (each a fixed cost of the grid-stride loop)
    x, w, out = _meta((2, 4096, 1024), "bfloat16"), _meta((4096, 1, 4), "bfloat16"), _meta((2, 4096, 1027), "bfloat16")
    (conv,) = lower(x, w, out, _meta((4096,), "bfloat16"))
    assert isinstance(conv, Pointwise) and conv.regime == "conv_depthwise"
    assert conv.walk == out.numel and conv.element_work == out.numel * 5
    # cuDNN's (fp16): its kernel, then the bias added over the output
    x, w, out = _meta((2, 4096, 1024)), _meta((4096, 1, 4)), _meta((2, 4096, 1027))
    conv, add = lower(x, w, out, _meta((4096,)))
    assert conv.regime == "conv_depthwise_cudnn" and conv.walk == out.numel
    # (in place over 16-bit outputs: the in-place key, inplace-sweep)
    assert add.regime == "pointwise_inplace_half" and add.aten == "aten.convolution.default"
    (conv,) = lower(x, w, out)  # no bias: one kernel
    assert conv.regime == "conv_depthwise_cudnn"


def test_the_floor_form_is_the_slower_of_the_outputs_and_the_taps():
    from hetsim.hardware.gpu import OpClassRates, compute_work, op_device_s, walk_bytes
    from hetsim.ops import Pointwise

    rates = OpClassRates(2e-6, 4.8e12, 1.5e12, walk_bw_bytes_per_s=1e11)
    few = Pointwise(10_000_000, 40_000_000, "aten.convolution.default", "conv_depthwise", operands=5,
                    walk=10_000_000)
    many = Pointwise(10_000_000, 40_000_000, "aten.convolution.default", "conv_depthwise", operands=50,
                     walk=10_000_000)
    assert walk_bytes(few) == 1e7 and compute_work(many) == 5e8
    assert op_device_s(rates, few) == pytest.approx(2e-6 + 1e7 / 1e11)  # 4 taps: the outputs bind
    assert op_device_s(rates, many) == pytest.approx(2e-6 + 5e8 / 1.5e12)  # 49 taps: the taps bind


def test_the_fit_recovers_a_floor_and_a_tap_rate():
    from hetsim.calibration.trace_fit import Point, fit_floor
    from hetsim.ops import Pointwise

    points = []
    for i, (outputs, taps) in enumerate([(1e5, 4), (1e6, 4), (1e7, 9), (4e7, 4), (5e6, 49), (2e7, 49), (3e6, 25)]):
        op = Pointwise(int(outputs), int(4 * outputs), "aten.convolution.default", "conv_depthwise",
                       operands=taps + 1, walk=int(outputs))
        t = 3e-6 + max(outputs / 1e11, outputs * (taps + 1) / 1.5e12)
        points.append(Point(i, op, t, t, 1e-5, None))
    over, out_rate, tap_rate = fit_floor(points)
    assert over == pytest.approx(3e-6, rel=0.1)
    assert out_rate == pytest.approx(1e11, rel=0.1) and tap_rate == pytest.approx(1.5e12, rel=0.1)


def test_the_group_traces_on_the_meta_device_and_splits_between_the_kernels():
    from hetsim.calibration.gpu_suite import realcode_twentyseventh
    from hetsim.hardware.gpu import rate_keys
    from hetsim.stacks import aten
    from hetsim.tracing.fake import trace_callable

    specs = list(realcode_twentyseventh.specs())
    assert {group for group, *_ in specs} == {MORE15}
    keys = []
    for _, label, fn, args, _ in specs:
        ops = [o for op in trace_callable(fn, *args).ops for o in aten.lower_op(op)]
        assert len(ops) == 1, label  # one kernel a case: contiguous inputs, cuDNN's without a bias
        keys.append(rate_keys(ops[0])[0])
    assert keys.count("conv_depthwise") == 13 and keys.count("conv_depthwise_cudnn") == 11
    assert keys.count("embedding") == 7 and keys.count("scatter") == 5


def test_the_fifteenth_fit_group_comes_after_the_seventeenth_check(assert_appended_block, committed_cases):
    from hetsim.calibration.gpu_suite import realcode_twentyseventh, realcode_twentysixth

    mine = assert_appended_block(MORE15, range(5079, 5115), realcode_twentyseventh,
                                 realcode_twentysixth.REALCODE_CHECK17, 5078, IDS)
    regimes = [committed_cases[i]["regime"] for i in mine]
    assert {r: regimes.count(r) for r in set(regimes)} == {"conv_depthwise": 13, "conv_depthwise_cudnn": 11,
                                                           "embedding": 7, "scatter": 5}
