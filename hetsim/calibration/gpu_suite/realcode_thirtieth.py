"""The aten sweep's seventeenth real-code fit group: `realcode-more17`, the convolutions and image ops check18 ran.

realcode-check18 (blind, scored once: hetsim validate ops, the closing note) ran convolutions cuDNN sends to kernels
realcode-more16 had not timed, and image ops hetsim had no lowering for (roofline, assumed). This group times them at
other shapes for fitting: ResNet stems (7 x 7 at stride 2 over RGB: cuDNN's image_first_layer kernel, NCHW and
channels-last), channels-last ResNet stages at large batches (inputs far past the L2, strided 1 x 1 downsamples that
read a quarter of their input), fp16 depthwise convolutions on channels-last inputs (cuDNN's NHWC depthwise kernel),
fp32 1 x 1 convolutions (cuDNN's TF32 GEMMs), 3-D patch convolutions (Qwen2-VL's 2 x 14 x 14 tubelets, VideoMAE's),
ConvNeXt's 4 x 4 stem, GroupNorm over large images, and the image ops: BatchNorm in eval mode, nearest / bilinear /
bicubic upsampling, max and average pooling. Fitting data only, never validated against.
"""

from __future__ import annotations

REALCODE_MORE17 = "realcode-more17"


def _more17():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers
    from hetsim.calibration.gpu_suite.realcode_twentyeighth import conv2d

    m, _ = _meta_makers()
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    cl = torch.channels_last

    conv = conv2d

    def last(*ts):
        return tuple(t.to(memory_format=cl) for t in ts)

    out = []
    # ResNet / DETR stems: 7 x 7 at stride 2 over RGB
    for n, h, w_, dt, chl in ((16, 224, 224, f16, False), (64, 224, 224, bf, False), (2, 800, 1066, f16, False),
                              (32, 224, 224, f16, True), (8, 224, 224, bf, True)):
        x, w = m(n, 3, h, w_, dt=dt), m(64, 3, 7, 7, dt=dt)
        out.append(("stem7x7", conv(2, 3), last(x, w) if chl else (x, w)))
    # channels-last stages at large batches: 3 x 3 at stride 1 and 2, 1 x 1 downsamples at stride 2
    for n, c, h, k, taps, stride, dt in ((64, 64, 56, 64, 3, 1, f16), (64, 256, 28, 256, 3, 1, bf),
                                         (32, 128, 56, 128, 3, 2, f16), (64, 512, 14, 512, 3, 1, f16),
                                         (64, 256, 56, 512, 1, 2, f16), (32, 512, 28, 1024, 1, 2, bf),
                                         (64, 1024, 14, 2048, 1, 2, f16), (16, 256, 112, 256, 3, 1, bf)):
        pad = taps // 2
        out.append(("conv_cl", conv(stride, pad), last(m(n, c, h, h, dt=dt), m(k, c, taps, taps, dt=dt))))
    # NCHW convolutions over inputs past the L2 (VAE blocks at 512 and 1024)
    for n, c, h, k, dt in ((1, 256, 512, 256, f16), (1, 128, 512, 128, bf), (1, 512, 256, 512, bf)):
        out.append(("conv_large", conv(), (m(n, c, h, h, dt=dt), m(k, c, 3, 3, dt=dt))))
    # fp16 / bf16 depthwise convolutions on channels-last inputs (ConvNeXt's 7 x 7, MobileNet's 3 x 3)
    for n, c, h, k, dt in ((32, 96, 56, 7, f16), (16, 384, 28, 7, f16), (64, 256, 28, 3, f16),
                           (32, 96, 56, 7, bf), (16, 768, 14, 7, f16)):
        out.append(("dw_cl", conv(1, k // 2, c), last(m(n, c, h, h, dt=dt), m(c, 1, k, k, dt=dt))))
    # fp32 1 x 1 and 3 x 3 convolutions (cuDNN's TF32)
    for n, c, h, k, taps, chl in ((2, 1024, 64, 256, 1, False), (1, 1280, 64, 256, 1, True),
                                  (4, 512, 32, 512, 1, False), (2, 256, 64, 256, 3, False)):
        x, w = m(n, c, h, h, dt=f32), m(k, c, taps, taps, dt=f32)
        out.append(("conv_fp32", conv(1), last(x, w) if chl else (x, w)))
    # 3-D patch convolutions (Qwen2-VL's temporal patches as its PatchEmbed views them; VideoMAE's tubelets)
    conv3d = lambda stride: lambda x, w: F.conv3d(x, w, None, stride=stride)  # noqa: E731
    out += [("conv3d_patch", conv3d((2, 14, 14)), (m(n, 3, 2, 14, 14, dt=dt), m(k, 3, 2, 14, 14, dt=dt)))
            for n, k, dt in ((2048, 1280, bf), (8192, 1280, bf), (4096, 1152, f16))]
    out += [("conv3d_tubelet", conv3d((2, 16, 16)), (m(2, 3, 16, 224, 224, dt=f16), m(768, 3, 2, 16, 16, dt=f16)))]
    # ConvNeXt's 4 x 4 stem at stride 4 over RGB
    out += [("stem4x4", conv(4, 0), (m(n, 3, 224, 224, dt=dt), m(k, 3, 4, 4, dt=dt)))
            for n, k, dt in ((64, 128, f16), (16, 96, bf))]
    # GroupNorm over large images (a VAE's 32 groups)
    gn = lambda x, w, b: F.group_norm(x, 32, w, b)  # noqa: E731
    out += [("group_norm_large", gn, (m(n, c, h, h, dt=dt), m(c, dt=dt), m(c, dt=dt)))
            for n, c, h, dt in ((1, 512, 256, bf), (1, 256, 512, f16), (1, 128, 1024, f32), (2, 640, 64, f16),
                                (1, 512, 128, f32))]
    # the image ops: BatchNorm in eval mode, upsampling, pooling
    bn = lambda x, mean, var, w, b: F.batch_norm(x, mean, var, w, b, training=False)  # noqa: E731
    out += [("batch_norm_eval", bn, (m(n, c, h, h, dt=dt), m(c, dt=f32 if dt == f32 else dt), m(c, dt=dt),
                                     m(c, dt=dt), m(c, dt=dt)))
            for n, c, h, dt in ((32, 64, 112, f16), (64, 256, 56, bf), (16, 512, 28, f32), (8, 2048, 7, f16))]
    out += [("upsample_nearest", lambda x: F.interpolate(x, scale_factor=2.0, mode="nearest"), (m(*s, dt=dt),))
            for s, dt in (((2, 640, 64, 64), f16), ((1, 512, 256, 256), bf), ((32, 256, 20, 20), f16))]
    out += [("upsample_bilinear", lambda x: F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False),
             (m(*s, dt=dt),)) for s, dt in (((1, 256, 74, 74), f16), ((4, 64, 128, 128), f32))]
    out += [("upsample_bicubic", lambda x: F.interpolate(x, size=(32, 32), mode="bicubic", align_corners=False),
             (m(*s, dt=dt),)) for s, dt in (((1, 1024, 16, 16), f32), ((1, 1152, 27, 27), bf))]
    out += [("max_pool", lambda x: F.max_pool2d(x, 3, 2, 1), (m(*s, dt=dt),))
            for s, dt in (((32, 64, 112, 112), f16), ((16, 64, 200, 266), bf))]
    out += [("max_pool_same", lambda x: F.max_pool2d(x, 5, 1, 2), (m(32, 256, 20, 20, dt=f16),))]
    out += [("avg_pool", lambda x: F.avg_pool2d(x, 2, 2), (m(*s, dt=dt),))
            for s, dt in (((32, 256, 56, 56), f16), ((8, 512, 64, 64), bf))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE17, _more17()),))
