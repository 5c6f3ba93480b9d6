"""The aten sweep's thirty-fourth real-code fit group: `realcode-more34`, transposing copies over the layouts real code
permutes, at sizes none of the checks used.

A copy whose output's fastest dim is strided in its input (`copy_transpose`) was priced by one element rate, a sector
an element; across the checks it ran 1.5-2.8x faster than that wherever the input's contiguous dim lies a few outputs
away (a Swin window's channels, an RGB plane's pixels, pixel_shuffle's interleave), since a warp's 32 loads then fall
on a few cache lines. This group spans that distance: Swin's window partition and its reverse at its channel widths,
NCHW <-> NHWC at 3-512 channels, ViT / MAE patchify and unpatchify, pixel_shuffle / pixel_unshuffle at factors 2-4,
transposes of the last two dims from 3 to 4,096 wide, heads moved last, video [B, T, C, H, W] <-> [B, C, T, H, W], in
fp32, fp16 and bf16, from a few MB to a few hundred.

Fitted, never validated against; the builder takes it after every check and drops any case equal to an earlier one.
"""

from __future__ import annotations

REALCODE_MORE34 = "realcode-more34"


def _more34():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    f32, f16, bf16 = torch.float32, torch.float16, torch.bfloat16

    def window_partition(x, w):  # Swin: [B, H, W, C] -> [B * windows, w, w, C]
        b, h, wd, c = x.shape
        x = x.view(b, h // w, w, wd // w, w, c)
        return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, w, w, c)

    def window_reverse(x, w, h, wd):  # [B * windows, w, w, C] -> [B, H, W, C]
        b = x.shape[0] // (h * wd // w // w)
        x = x.view(b, h // w, wd // w, w, w, -1)
        return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(b, h, wd, -1)

    def patchify(x, p):  # MAE: [B, C, H, W] -> [B, L, p * p * C]
        b, c, h, w = x.shape
        x = x.reshape(b, c, h // p, p, w // p, p)
        return torch.einsum("nchpwq->nhwpqc", x).reshape(b, (h // p) * (w // p), p * p * c).contiguous()

    def unpatchify(x, p, c):
        b, length, _ = x.shape
        h = w = int(length ** 0.5)
        x = x.reshape(b, h, w, p, p, c)
        return torch.einsum("nhwpqc->nchpwq", x).reshape(b, c, h * p, w * p).contiguous()

    out = []
    for b, h, w, c, dt in ((8, 56, 56, 96, f32), (32, 56, 56, 128, f16), (16, 28, 28, 384, bf16),
                           (64, 14, 14, 768, f16), (4, 112, 112, 48, f32)):
        out.append(("window_partition", lambda x: window_partition(x, 7), (m(b, h, w, c, dt=dt),)))
        out.append(("window_reverse", lambda x, h=h, w=w: window_reverse(x, 7, h, w),
                    (m(b * (h // 7) * (w // 7), 7, 7, c, dt=dt),)))
    for b, c, h, w, dt in ((64, 3, 224, 224, f32), (32, 3, 512, 512, f16), (16, 16, 256, 256, f32),
                           (8, 64, 128, 128, f16), (32, 256, 28, 28, bf16), (4, 512, 64, 64, f32),
                           (128, 32, 32, 32, f32)):
        out.append(("to_nhwc", lambda x: x.permute(0, 2, 3, 1).contiguous(), (m(b, c, h, w, dt=dt),)))
        out.append(("to_nchw", lambda x: x.permute(0, 3, 1, 2).contiguous(), (m(b, h, w, c, dt=dt),)))
    for b, c, s, p, dt in ((64, 3, 224, 16, f32), (32, 3, 224, 14, f16), (16, 3, 384, 16, bf16), (8, 4, 64, 2, f32)):
        out.append(("patchify", lambda x, p=p: patchify(x, p), (m(b, c, s, s, dt=dt),)))
        out.append(("unpatchify", lambda x, p=p, c=c: unpatchify(x, p, c),
                    (m(b, (s // p) ** 2, p * p * c, dt=dt),)))
    for b, c, h, r, dt in ((16, 256, 48, 2, f32), (8, 576, 32, 3, f16), (4, 64 * 16, 64, 4, f32),
                           (32, 12, 128, 2, f32)):
        out.append(("pixel_shuffle", lambda x, r=r: F.pixel_shuffle(x, r), (m(b, c, h, h, dt=dt),)))
        out.append(("pixel_unshuffle", lambda x, r=r: F.pixel_unshuffle(x, r),
                    (m(b, c // (r * r), h * r, h * r, dt=dt),)))
    for b, n, c, dt in ((32, 8400, 4, f32), (16, 16384, 3, f32), (8, 4096, 8, f16), (64, 1024, 16, f32),
                        (4, 65536, 32, bf16), (16, 2048, 256, f16), (8, 1024, 4096, f32), (2, 4096, 768, f32)):
        out.append(("transpose_last", lambda x: x.transpose(-1, -2).contiguous(), (m(b, n, c, dt=dt),)))
    for b, h, s, d, dt in ((8, 12, 512, 64, f32), (4, 16, 1024, 64, f16), (32, 8, 256, 32, f32)):
        out.append(("heads_last", lambda x: x.permute(0, 2, 3, 1).contiguous(), (m(b, h, s, d, dt=dt),)))
    for b, t, c, h, w, dt in ((4, 16, 3, 224, 224, f32), (2, 8, 64, 56, 56, f16), (8, 32, 8, 32, 32, f32)):
        out.append(("video_ctime", lambda x: x.permute(0, 2, 1, 3, 4).contiguous(), (m(b, t, c, h, w, dt=dt),)))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE34, _more34()),))
