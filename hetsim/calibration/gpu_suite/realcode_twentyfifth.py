"""The aten sweep's fourteenth real-code fit group: `realcode-more14`, depthwise convolutions.

realcode-check16's tail, looked at after scoring, ran ATen's own depthwise kernel (conv_depthwise2d_forward_kernel,
its bias fused) for every depthwise convolution (groups = channels): Mamba's and gated DeltaNet's causal conv1d over
4 taps, FastConformer's 9-tap conv1d, Sana's 3 x 3 over 11200 channels, a stride-2 subsampling; ~1e11 outputs a second
whatever the taps (3-9), far below the bytes' rate. This group times them, contiguous inputs only (a transposed input
is copied first, priced apart), at sizes no check has: conv1d of 3, 4 and 9 taps over 1K-16K channels, conv2d of
3 x 3 and 7 x 7 (ConvNeXt) at stride 1 and 2, bf16, fp16 and fp32, with and without a bias.

Timed (2026-12-03); the fitter's first forms (bytes, an element rate over the taps, a walk) left 25 / 66 % in sample
(a floor per output for few taps, and cuDNN's own kernels for some fp16 shapes); fitted since in the floor form
(hetsim.calibration.trace_fit.FLOOR_KEYS: a fixed cost per output or the taps' work, whichever binds) on its ATen
cases, its two fp16 cases on cuDNN left out (`conv_depthwise_cudnn`). Never validated against.
"""

from __future__ import annotations

REALCODE_MORE14 = "realcode-more14"


def conv1d(x, w, b=None, pad=0):
    """A depthwise conv1d (groups = channels) as Mamba's and FastConformer's code calls it."""
    import torch.nn.functional as F

    return F.conv1d(x, w, b, padding=pad, groups=x.shape[1])


def conv2d(x, w, b=None, stride=1):
    """A depthwise conv2d, padded to keep the size (MobileNet, ConvNeXt, Sana's GLUMBConv)."""
    import torch.nn.functional as F

    return F.conv2d(x, w, b, stride=stride, padding=w.shape[-1] // 2, groups=x.shape[1])


def _more14():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32

    out = []
    # conv1d: Mamba-2 / gated DeltaNet's causal 4-tap conv (padding 3), FastConformer's 9-tap, a 3-tap
    out += [("dw_conv1d", lambda x, w, b, p=taps - 1: conv1d(x, w, b, p), (m(n, c, t, dt=dt), m(c, 1, taps, dt=dt),
                                                                          m(c, dt=dt)))
            for n, c, t, taps, dt in ((1, 4096, 2048, 4, bf), (2, 8192, 1024, 4, bf), (1, 12288, 4096, 4, bf),
                                      (8, 1024, 512, 9, bf), (4, 512, 1500, 9, f16), (2, 2048, 2048, 3, f32),
                                      (16, 4096, 64, 4, bf))]
    out += [("dw_conv1d_nobias", lambda x, w: conv1d(x, w, None, 3), (m(1, 8192, 8192, dt=bf), m(8192, 1, 4, dt=bf)))]
    # conv2d: 3 x 3 (MobileNet, Sana's GLUMBConv), 7 x 7 (ConvNeXt), stride 2
    out += [("dw_conv2d", lambda x, w, b, s=stride: conv2d(x, w, b, s), (m(n, c, h, h, dt=dt), m(c, 1, k, k, dt=dt),
                                                                         m(c, dt=dt)))
            for n, c, h, k, stride, dt in ((1, 2240, 64, 3, 1, bf), (2, 4480, 32, 3, 1, bf), (8, 384, 56, 7, 1, f16),
                                           (4, 768, 28, 7, 1, f16), (16, 96, 112, 3, 2, f32), (2, 1024, 128, 3, 2, bf),
                                           (32, 192, 56, 3, 1, f16))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE14, _more14()),))
