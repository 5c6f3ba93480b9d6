"""The aten sweep's nineteenth real-code fit group: `realcode-more19`, LayerNorm over a spread of rows and widths,
transposed convolutions and GLU.

The pooled blind checks (realcode-check .. realcode-check18), looked at after scoring, priced these off:
- F.layer_norm (vectorized_layer_norm_kernel: a 128-thread block a row, a Welford update an element, the row walked
  twice): 64 check cases against 15 fitted ones, 15 % median, both signs: a thousand-odd rows of 640-1280 elements
  ran ~1.5x their price, 4096 x 4096 bf16 and 8192 x 1024 fp32 0.75x. The fit cases held too few row counts at one
  width to tell a row's fixed cost from an element's. Timed here at rows from 1 to 262,144 and widths from 64 to
  16,384, bf16, fp16 and fp32, with and without the affine parameters;
- ConvTranspose1d / 2d (segment-anything's and YOLOv8's 2 x 2 upscaling, DPT's 4 x 4, HiFi-GAN's upsampling, a
  decoder's overlapping 4 x 4 stride 2): no lowering (roofline, assumed); timed at their shapes and others;
- F.glu over the channel halves (Conformer's convolution module): no lowering.
"""

from __future__ import annotations

REALCODE_MORE19 = "realcode-more19"


def _more19():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32

    out = []
    ln = lambda x, w, b: F.layer_norm(x, (x.shape[-1],), w, b)  # noqa: E731
    ln_bare = lambda x: F.layer_norm(x, (x.shape[-1],))  # noqa: E731
    for rows, cols, dt in ((1, 1024, bf), (1, 8192, bf), (4, 16384, bf), (16, 4096, bf), (128, 2048, bf),
                           (256, 768, bf), (512, 320, bf), (1024, 1024, bf), (1024, 4096, bf), (2048, 256, bf),
                           (2048, 2048, bf), (3000, 768, bf), (4096, 128, bf), (4096, 1280, bf), (8192, 512, bf),
                           (8192, 4096, bf), (16384, 64, bf), (16384, 1536, bf), (32768, 1024, bf), (65536, 128, bf),
                           (131072, 384, bf), (262144, 64, bf),
                           (577, 1024, f16), (2048, 1024, f16), (4096, 3072, f16), (16384, 320, f16),
                           (50000, 96, f16),
                           (1, 2048, f32), (64, 1024, f32), (1024, 768, f32), (2048, 2048, f32), (8192, 256, f32),
                           (16384, 1024, f32), (65536, 128, f32), (4096, 4096, f32)):
        out.append(("layer_norm", ln, (m(rows, cols, dt=dt), m(cols, dt=dt), m(cols, dt=dt))))
    out += [("layer_norm_bare", ln_bare, (m(rows, cols, dt=dt),))
            for rows, cols, dt in ((2048, 768, bf), (8192, 1024, f16), (300, 4096, bf))]

    def tconv2d(stride, padding=0, output_padding=0):
        return lambda x, w, b: F.conv_transpose2d(x, w, b, stride, padding, output_padding)

    def tconv1d(stride, padding=0):
        return lambda x, w, b: F.conv_transpose1d(x, w, b, stride, padding)

    # (input, weight [Cin, Cout, k...], stride, padding, output padding, dtype)
    for shape, wshape, s, p, op_, dt in (((4, 256, 64, 64), (256, 64, 2, 2), 2, 0, 0, f16),
                                         ((16, 64, 128, 128), (64, 32, 2, 2), 2, 0, 0, f16),
                                         ((1, 128, 80, 80), (128, 128, 2, 2), 2, 0, 0, bf),
                                         ((8, 128, 80, 80), (128, 128, 2, 2), 2, 0, 0, f16),
                                         ((1, 256, 37, 37), (256, 256, 4, 4), 4, 0, 0, f16),
                                         ((1, 512, 37, 37), (512, 512, 2, 2), 2, 0, 0, bf),
                                         ((8, 256, 32, 32), (256, 128, 4, 4), 2, 1, 0, f16),
                                         ((2, 512, 64, 64), (512, 256, 4, 4), 2, 1, 0, bf),
                                         ((4, 128, 64, 64), (128, 64, 3, 3), 2, 1, 1, f16),
                                         ((16, 256, 64, 64), (256, 64, 2, 2), 2, 0, 0, f32),
                                         ((4, 64, 128, 128), (64, 32, 2, 2), 2, 0, 0, f32)):
        out.append(("conv_transpose2d", tconv2d(s, p, op_),
                    (m(*shape, dt=dt), m(*wshape, dt=dt), m(wshape[1], dt=dt))))
    for shape, wshape, s, p, dt in (((1, 512, 300), (512, 256, 16), 8, 4, f32),
                                    ((1, 256, 2400), (256, 128, 16), 8, 4, f32),
                                    ((1, 128, 19200), (128, 64, 4), 2, 1, f32),
                                    ((8, 512, 200), (512, 256, 8), 4, 2, bf),
                                    ((4, 256, 1000), (256, 256, 4), 2, 1, f16)):
        out.append(("conv_transpose1d", tconv1d(s, p), (m(*shape, dt=dt), m(*wshape, dt=dt), m(wshape[1], dt=dt))))
    out += [("glu", lambda x, d=dim: F.glu(x, d), (m(*shape, dt=dt),))
            for shape, dim, dt in (((4, 2048, 750), 1, bf), ((16, 2048, 125), 1, bf), ((8, 1024, 1500), 1, f32),
                                   ((4, 750, 2048), -1, bf), ((1, 4096, 4096), -1, f16))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE19, _more19()),))
