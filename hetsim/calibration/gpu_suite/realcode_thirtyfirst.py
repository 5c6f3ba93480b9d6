"""The aten sweep's eighteenth real-code fit group: `realcode-more18`, the image ops and convolutions at the sizes
realcode-more17 lacked.

realcode-more17 timed BatchNorm in eval mode, upsampling and pooling at a few large sizes only, so their keys' fixed
costs were not identified (a 2.6 us upsample priced 19); cuDNN's Ampere-style convolution kernels only over inputs the
L2 held (their bandwidth then says nothing of an RPN head over a 200 x 304 feature map); and its fp16 stem kernel
(image_first_layer) in one channels-last case. This group times them small and large: BatchNorm in eval mode over
ResNet / YOLO / Conformer activations, nearest upsampling of FPN and UNet maps, bilinear and bicubic resizing of ViT
position tables and depth maps, max and average pooling, fp16 channels-last stems, and convolutions of a few output
channels over large inputs in fp32, fp16 and bf16, fp32 1 x 1 heads on channels-last inputs. Fitting data only, never
validated against.
"""

from __future__ import annotations

REALCODE_MORE18 = "realcode-more18"


def _more18():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers
    from hetsim.calibration.gpu_suite.realcode_twentyeighth import conv2d

    m, _ = _meta_makers()
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    cl = torch.channels_last

    conv = conv2d

    out = []
    bn = lambda x, mean, var, w, b: F.batch_norm(x, mean, var, w, b, training=False)  # noqa: E731
    out += [("batch_norm_eval", bn, (m(*s, dt=dt), m(s[1], dt=dt), m(s[1], dt=dt), m(s[1], dt=dt), m(s[1], dt=dt)))
            for s, dt in (((1, 64, 56, 56), f16), ((1, 256, 14, 14), bf), ((4, 128, 28, 28), f16),
                          ((1, 512, 20, 20), f16), ((8, 256, 1500), bf), ((2, 64, 160, 160), f32),
                          ((16, 1024, 14, 14), f16), ((32, 32, 320, 320), f16))]
    out += [("upsample_nearest", lambda x: F.interpolate(x, scale_factor=2.0, mode="nearest"), (m(*s, dt=dt),))
            for s, dt in (((1, 256, 20, 20), f16), ((1, 512, 40, 40), f16), ((2, 1280, 16, 16), bf),
                          ((1, 128, 80, 80), bf), ((8, 64, 64, 64), f32), ((1, 256, 128, 128), f16))]
    out += [("upsample_bilinear", lambda x, s=size: F.interpolate(x, size=s, mode="bilinear", align_corners=False),
             (m(*shape, dt=dt),))
            for shape, size, dt in (((1, 768, 14, 14), (24, 24), f32), ((1, 64, 128, 128), (256, 256), f16),
                                    ((8, 32, 64, 64), (128, 128), bf), ((1, 1, 518, 518), (1024, 1024), f32))]
    out += [("upsample_bicubic", lambda x, s=size: F.interpolate(x, size=s, mode="bicubic", align_corners=False),
             (m(*shape, dt=dt),))
            for shape, size, dt in (((1, 768, 14, 14), (24, 24), f32), ((1, 1024, 37, 37), (16, 16), f32),
                                    ((1, 384, 16, 16), (40, 40), bf), ((4, 3, 224, 224), (448, 448), f32))]
    out += [("max_pool", lambda x, k=k, st=st, p=p: F.max_pool2d(x, k, st, p), (m(*s, dt=dt),))
            for s, k, st, p, dt in (((1, 64, 112, 112), 3, 2, 1, f16), ((4, 512, 20, 20), 5, 1, 2, f16),
                                    ((8, 96, 56, 56), 2, 2, 0, bf))]
    out += [("avg_pool", lambda x: F.avg_pool2d(x, 2, 2), (m(*s, dt=dt),))
            for s, dt in (((1, 128, 64, 64), f16), ((16, 1024, 14, 14), f32))]
    # fp16 stems on channels-last inputs: cuDNN's image_first_layer kernel alone
    out += [("stem7x7_cl", conv(2, 3), (m(n, 3, h, w_, dt=f16).to(memory_format=cl),
                                        m(64, 3, 7, 7, dt=f16).to(memory_format=cl)))
            for n, h, w_ in ((1, 224, 224), (8, 224, 224), (64, 224, 224), (2, 640, 640), (1, 800, 1088))]
    # few output channels over large inputs (an RPN's objectness and box heads, a VAE's conv_out), channels-last so the
    # GEMM runs alone
    for n, c, h, w_, k, taps, dt in ((2, 256, 200, 304, 3, 1, f32), (2, 256, 200, 304, 12, 1, f32),
                                     (1, 128, 512, 512, 3, 3, f16), (2, 320, 128, 128, 4, 3, bf),
                                     (2, 256, 100, 152, 3, 3, f32), (1, 64, 256, 256, 1, 3, f16)):
        x, w = m(n, c, h, w_, dt=dt).to(memory_format=cl), m(k, c, taps, taps, dt=dt).to(memory_format=cl)
        out.append(("conv_few_out_cl", conv(1), (x, w)))
    # fp32 1 x 1 convolutions on channels-last inputs (SAM's neck, an FPN lateral in fp32)
    out += [("conv1x1_fp32_cl", conv(1, 0), (m(n, c, h, h, dt=f32).to(memory_format=cl), m(k, c, 1, 1, dt=f32)))
            for n, c, h, k in ((1, 768, 64, 256), (2, 512, 100, 256))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE18, _more18()),))
