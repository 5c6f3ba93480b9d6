"""The aten sweep's sixteenth real-code fit group: `realcode-more16`, convolutions on cuDNN.

Checks 16 and 17 ran ~20 dense convolutions (patch embeddings, ResNet and VAE blocks, speech subsampling) that no fit
group had timed: cuDNN runs them as an implicit GEMM on channels-last tensors, with its own layout kernels
(nchwToNhwc for the input and the weight, nhwcToNchw for the output) around it, or, for a bf16 input of a few channels,
a SIMT kernel over NCHW (implicit_convolve_sgemm, ~20 TFLOP/s). This group times them so that each part can be told
apart: every NCHW convolution without a bias has a channels-last twin (input and weight in torch.channels_last, as a
model moved with `.to(memory_format=torch.channels_last)` runs), which launches the GEMM alone, so the difference is
the layout kernels. At the shapes of SD / SDXL UNet and VAE blocks, ResNet stages, Whisper's and FastConformer's
front ends, ViT / SigLIP patch embeddings, in bf16, fp16 and fp32 (cuDNN's TF32 is on by default); the input
channels of the small-channel ones (1-16) probe where cuDNN leaves the tensor-core kernels. And the bias a
convolution adds after cuDNN's kernel (output.add_(bias viewed [1, C, 1, 1])) over large outputs. Fitting data only,
never validated against.
"""

from __future__ import annotations

REALCODE_MORE16 = "realcode-more16"


def conv2d(stride=1, pad=None, groups=1):
    """F.conv2d as a model's nn.Conv2d calls it, without a bias (a group adds its bias as a case of its own): padded
    to keep the size unless `pad` says otherwise (shared by the convolution groups, realcode-more16 to -more18)."""
    import torch.nn.functional as F

    return lambda x, w: F.conv2d(x, w, None, stride=stride, padding=w.shape[-1] // 2 if pad is None else pad,
                                 groups=groups)


def _more16():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    cl = torch.channels_last

    conv = conv2d
    def twins(name, n, c, h, k, taps, stride, dt):
        """The NCHW convolution and its channels-last twin (the same shapes; the GEMM alone)."""
        x, w = m(n, c, h, h, dt=dt), m(k, c, taps, taps, dt=dt)
        return [(name, conv(stride), (x, w)),
                (name + "_cl", conv(stride), (x.to(memory_format=cl), w.to(memory_format=cl)))]

    out = []
    # 3 x 3 at stride 1 (ResNet stages, UNet ResnetBlock2D, VAE decoder blocks)
    for n, c, h, k, dt in ((1, 128, 128, 128, bf), (2, 320, 64, 320, bf), (2, 640, 32, 640, bf), (1, 512, 64, 512, bf),
                           (4, 256, 56, 256, f16), (8, 64, 112, 64, f16), (2, 1280, 16, 1280, bf),
                           (1, 128, 256, 128, bf), (16, 128, 28, 128, f32), (1, 256, 32, 256, bf)):
        out += twins("conv3x3", n, c, h, k, 3, 1, dt)
    # 3 x 3 at stride 2 (Downsample2D, ResNet's first block of a stage)
    for n, c, h, k, dt in ((2, 320, 64, 320, bf), (1, 256, 128, 256, bf), (2, 640, 32, 640, f16)):
        out += twins("conv3x3_s2", n, c, h, k, 3, 2, dt)
    # few output channels (a VAE's conv_out to 3, a UNet's to 4) and few input channels (conv_in from 4 or 16 latents)
    for n, c, h, k, dt in ((1, 128, 256, 3, bf), (1, 128, 256, 3, f16), (2, 320, 64, 4, bf), (2, 4, 64, 320, bf),
                           (1, 16, 128, 512, bf), (1, 8, 128, 64, bf), (2, 4, 128, 320, f16)):
        out += twins("conv3x3_few", n, c, h, k, 3, 1, dt)
    # patch embeddings (kernel = stride; ViT / CLIP / SigLIP / DINOv2 at 14 and 16 over 3 channels)
    for n, c, h, p, k, dt in ((8, 3, 224, 14, 1024, bf), (2, 3, 448, 14, 1152, bf), (16, 3, 224, 16, 768, bf),
                              (4, 3, 384, 16, 1024, bf), (8, 3, 224, 14, 1024, f16), (16, 3, 224, 16, 768, f16),
                              (8, 3, 224, 16, 768, f32), (2, 16, 128, 2, 1536, bf), (4, 4, 64, 2, 1152, f16)):
        out.append(("patch_embed", conv(p, 0), (m(n, c, h, h, dt=dt), m(k, c, p, p, dt=dt))))
    out += [("patch_embed_cl", conv(16, 0), (m(16, 3, 224, 224, dt=bf).to(memory_format=cl),
                                             m(768, 3, 16, 16, dt=bf).to(memory_format=cl)))]
    # where cuDNN leaves the tensor cores: 3 x 3 over 1-8 input channels (a stem, FastConformer's subsampling over one
    # channel of mel frames, a VAE encoder's conv_in from RGB)
    for n, c, h, w_, k, stride, dt in ((4, 1, 800, 80, 256, 2, bf), (4, 1, 800, 80, 256, 2, f16),
                                      (1, 3, 512, 512, 128, 1, bf), (1, 3, 512, 512, 128, 1, f16),
                                      (2, 2, 128, 128, 64, 1, bf), (2, 4, 128, 128, 64, 1, bf),
                                      (2, 6, 128, 128, 64, 1, bf), (2, 8, 128, 128, 64, 1, bf),
                                      (8, 3, 224, 224, 64, 2, bf), (8, 3, 224, 224, 64, 2, f32)):
        out.append(("conv3x3_stem", conv(stride), (m(n, c, h, w_, dt=dt), m(k, c, 3, 3, dt=dt))))
    # 1-D convolutions over NCL (Whisper's conv1 / conv2, a pointwise conv of a Conformer, wav2vec2's first conv)
    conv1d = lambda stride, pad: lambda x, w: F.conv1d(x, w, None, stride=stride, padding=pad)  # noqa: E731
    for n, c, t, k, taps, stride, dt in ((1, 128, 3000, 1280, 3, 1, bf), (1, 80, 3000, 1280, 3, 1, f16),
                                         (1, 1280, 3000, 1280, 3, 2, bf), (4, 1024, 750, 2048, 1, 1, bf),
                                         (4, 1, 64000, 512, 10, 5, f16), (2, 512, 3200, 512, 3, 2, f16)):
        out.append(("conv1d", conv1d(stride, taps // 2 if stride == 1 else 0),
                    (m(n, c, t, dt=dt), m(k, c, taps, dt=dt))))
    # the bias after cuDNN's kernel, over large outputs (ATen's strided kernel, the bias broadcast over the rest)
    for n, c, h, w_, dt in ((2, 320, 64, 64, bf), (1, 128, 512, 512, bf), (4, 256, 400, 40, bf),
                            (16, 64, 112, 112, f16), (8, 1024, 16, 16, bf), (1, 3, 1024, 1024, bf)):
        out.append(("conv_bias", lambda y, b: y.add_(b.view(1, -1, 1, 1)), (m(n, c, h, w_, dt=dt), m(c, dt=dt))))
    out += [("conv1d_bias", lambda y, b: y.add_(b.view(1, -1, 1)), (m(n, c, t, dt=dt), m(c, dt=dt)))
            for n, c, t, dt in ((1, 1280, 3000, bf), (4, 2048, 750, bf))]
    # the strided kernel over 2, 3 and 4 dims left after TensorIterator merges what it can (the conv biases above are
    # 3: samples, channels, positions): an offset per dim and operand, so the same elements cost more the more dims
    # (rotary's cos over a transposed q, a padding mask over heads and queries, a per-channel scale)
    out += [("bcast_2d", lambda x, w: x * w, (m(8192, 4096, dt=dt), m(4096, dt=dt))) for dt in (bf, f32)]
    out += [("bcast_2d_col", lambda x, w: x + w, (m(4096, 4096, dt=bf), m(4096, 1, dt=bf)))]
    out += [("bcast_3d", lambda x, w: x * w, (m(n, c, t, dt=dt), m(1, c, 1, dt=dt)))
            for n, c, t, dt in ((2, 1280, 4096, f32), (4, 256, 16000, bf), (16, 64, 8192, bf))]
    out += [("bcast_3d_mid", lambda x, w: x + w, (m(16, 4096, 512, dt=bf), m(16, 1, 512, dt=bf)))]
    out += [("bcast_4d_rotary", lambda q, cos: q.transpose(1, 2) * cos, (m(b, s, h, 128, dt=dt),
                                                                         m(b, 1, s, 128, dt=dt)))
            for b, s, h, dt in ((2, 2048, 32, bf), (1, 8192, 32, bf), (4, 1024, 16, f32))]
    out += [("bcast_4d_mask", lambda x, mask: x + mask, (m(b, h, s, s, dt=dt), m(b, 1, 1, s, dt=dt)))
            for b, h, s, dt in ((4, 16, 1024, bf), (2, 32, 512, f32))]
    out += [("bcast_4d_mask_heads", lambda x, mask: x + mask,
             (m(2, 16, 1024, 1024, dt=bf), m(2, 1, 1024, 1024, dt=bf)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE16, _more16()),))
