"""The aten sweep's twenty-eighth real-code fit group: `realcode-more28`, bicubic interpolation of channels-last inputs.

Read off the pooled checks' kernel profiles after scoring: a vision transformer's position embeddings, reshaped to
(N, H, W, C) and permuted to (N, C, H, W), reach F.interpolate(mode="bicubic") with their width a row of channels apart.
UpSampleBicubic2d.cu has no channels-last variant (bilinear has one), so each thread's taps miss one by one: 1536
channels resized to 32 x 32 ran 14 ms where the NCHW fit groups' walk rate said 0.6. Timed here across channels,
input and output sizes and dtypes, against their NCHW twins.
"""

from __future__ import annotations

REALCODE_MORE28 = "realcode-more28"

# (channels, input side, output side, dtype name)
RESIZES = ((768, 24, 32, "float32"), (1152, 27, 16, "float32"), (384, 16, 40, "float32"), (1024, 14, 24, "float16"),
           (2048, 16, 16, "float32"), (256, 64, 32, "float32"), (512, 20, 48, "bfloat16"), (96, 56, 112, "float32"))


def _more28():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    out = []
    for c, side, size, dt in RESIZES:
        x = m(1, side, side, c, dt=getattr(torch, dt))  # (N, H, W, C), as a ViT's grid of position embeddings
        out.append(("bicubic_channels_last", lambda x, s=size: F.interpolate(
            x.permute(0, 3, 1, 2), size=(s, s), mode="bicubic", align_corners=False), (x,)))
        out.append(("bicubic_nchw", lambda x, s=size: F.interpolate(x, size=(s, s), mode="bicubic",
                                                                   align_corners=False),
                    (m(1, c, side, side, dt=getattr(torch, dt)),)))
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE28, _more28()),))
