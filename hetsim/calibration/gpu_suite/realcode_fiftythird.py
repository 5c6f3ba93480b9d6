"""The aten sweep's thirty-third real-code fit group: `realcode-more33`, cuFFT's transforms and Copy.cu's unrolled casts
as real code calls them, at sizes none of the checks used.

- FFTs (ATen's SpectralOps on cuFFT: `_fft_r2c`, `_fft_c2r`, `_fft_c2c`), which hetsim priced by an assumed roofline
  (16 cases of the blind checks, 13 beyond 25 %): torch.fft.rfft / irfft over the last dim at power-of-two,
  smooth and odd lengths (audio frames, FNet's token mixing, Hyena's long convolution by FFT), over a middle dim,
  torch.stft's framed r2c (its frames a strided view of the padded signal), rfft2 / irfft2 over an image's two
  last dims (FNO's spectral layers), over the middle two of a channels-last map (AFNO / FourCastNet), complex fft /
  ifft (FNet in complex64), each with the normalisation its code asks for.
- Casts between dtypes that Copy.cu does not vectorise (only fp32 down to fp16 / bf16 is): a float to int32 or int16
  (quantisers' packing), to and from fp64 (statistics in double), int32 to a 16-bit float (dequantisers), at 1 M to
  256 M elements (realcode-check17 / -check20 / -check24 had them 40-50 % under their vectorised price).

Fitted, never validated against; the builder takes it after every check and drops any case equal to an earlier one.
"""

from __future__ import annotations

REALCODE_MORE33 = "realcode-more33"

# (batch rows, length): rfft / irfft over the last dim
RFFTS = ((4096, 64), (2048, 96), (16384, 128), (512, 144), (1024, 200), (8192, 256), (300, 400), (4096, 512),
         (64, 1000), (2048, 1024), (1024, 2048), (256, 4096), (1024, 8192), (16, 16384), (64, 65536), (4, 262144),
         (96, 1023), (8, 3001), (128, 6000))
CASTS = (((8192, 4096), "float16", "int32"), ((2048, 4096), "bfloat16", "int32"), ((64, 1048576), "float32", "int32"),
         ((4096, 4096), "float32", "int16"), ((16, 1024, 1024), "bfloat16", "float64"),
         ((4096, 1024), "float32", "float64"), ((65536, 512), "float64", "float32"),
         ((8192, 1024), "float64", "float16"),
         ((8192, 4096), "int32", "float16"), ((1024, 4096), "int32", "bfloat16"), ((262144,), "float16", "int32"),
         ((4096, 256), "float64", "bfloat16"), ((1024, 32768), "int16", "float16"))


def _more33():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    f32, c64 = torch.float32, torch.complex64
    out = []
    for rows, n in RFFTS:
        out.append(("rfft", lambda x: torch.fft.rfft(x, dim=-1), (m(rows, n, dt=f32),)))
        out.append(("irfft", lambda x, n=n: torch.fft.irfft(x, n=n, dim=-1), (m(rows, n // 2 + 1, dt=c64),)))
    out += [("rfft_ortho", lambda x: torch.fft.rfft(x, dim=-1, norm="ortho"), (m(rows, n, dt=f32),))
            for rows, n in ((2048, 512), (128, 8192))]
    # over a middle dim (a time axis [batch, time, features]: FNet's sequence mixing, a spectral filter over time)
    out += [("rfft_mid", lambda x: torch.fft.rfft(x, dim=1), (m(b, t, f, dt=f32),))
            for b, t, f in ((32, 512, 768), (8, 2048, 256), (16, 96, 862), (64, 128, 64))]
    out += [("irfft_mid", lambda x, t=t: torch.fft.irfft(x, n=t, dim=1), (m(b, t // 2 + 1, f, dt=c64),))
            for b, t, f in ((32, 512, 768), (8, 2048, 256))]

    # torch.stft as audio front ends call it (centred, reflect padding, a Hann window, complex output)
    def stft(x, window, n_fft, hop):
        return torch.stft(x, n_fft, hop_length=hop, window=window, center=True, pad_mode="reflect",
                          return_complex=True)

    out += [("stft", lambda x, w, n=n, h=h: stft(x, w, n, h), (m(b, s, dt=f32), m(n, dt=f32)))
            for b, s, n, h in ((16, 480000, 400, 160), (8, 240000, 1024, 256), (32, 16000, 512, 128),
                               (4, 441000, 2048, 512))]
    # rfft2 / irfft2 over an image's last two dims (FNO), and over a channels-last map's middle two (AFNO)
    for b, c, h, w in ((20, 32, 128, 128), (8, 64, 256, 256), (64, 16, 32, 32), (4, 20, 421, 421)):
        out.append(("rfft2", lambda x: torch.fft.rfft2(x, norm="ortho"), (m(b, c, h, w, dt=f32),)))
        out.append(("irfft2", lambda x, s=(h, w): torch.fft.irfft2(x, s=s, norm="ortho"),
                    (m(b, c, h, w // 2 + 1, dt=c64),)))
    out += [("rfft2_channels_last", lambda x: torch.fft.rfft2(x, dim=(1, 2), norm="ortho"), (m(b, h, w, c, dt=f32),))
            for b, h, w, c in ((2, 90, 180, 384), (1, 180, 360, 256), (8, 32, 64, 768))]
    out += [("irfft2_channels_last", lambda x, s=(h, w): torch.fft.irfft2(x, s=s, dim=(1, 2), norm="ortho"),
             (m(b, h, w // 2 + 1, c, dt=c64),)) for b, h, w, c in ((2, 90, 180, 384), (8, 32, 64, 768))]
    # complex transforms (FNet in complex64, a spectral convolution's forward and inverse)
    out += [("fft", lambda x: torch.fft.fft(x, dim=-1), (m(r, n, dt=c64),)) for r, n in ((4096, 512), (64, 32768))]
    out += [("ifft", lambda x: torch.fft.ifft(x, dim=-1), (m(r, n, dt=c64),)) for r, n in ((1024, 2048), (8, 100000))]

    def cast(dt):
        return lambda x: x.to(dt)

    out += [(f"cast_{src}_{dst}", cast(getattr(torch, dst)), (m(*shape, dt=getattr(torch, src)),))
            for shape, src, dst in CASTS]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE33, _more33()),))
