"""The aten sweep's sixth real-code fit group: `realcode-more6`, the kernels the blind checks' tails ran.

The checks' worst cases were profiled kernel by kernel (experiments/kernel_dispatch/cases.py,
calibration/e2e/diagnostics/case-kernels-2026-12-02) and fall into a few kernels, each measured here at a spread of
shapes and dtypes:

- ATen's strided copy (elementwise_kernel: 4 elements a thread at 16 bits, 2 at 32) moving permuted heads and windows
  whose last dim stays in place: fp32 copies ran ~1.7x faster than their bytes at the 16-bit copies' rate say (the
  per-element offsets bind, not the bytes), so fp32, bf16 and int64 permutes side by side;
- copies that transpose the last dim, fp32 beside bf16;
- cat of strided inputs (rotate_half's halves, transposed heads): ATen's batched cat kernel without vectorisation, ~1.5x
  slower than a strided copy of the same bytes; five dims and more fall back to a copy per input;
- constant_pad_nd: a fill of the output and a strided copy of the input into it, 16- and 32-bit, spatial and last-dim;
- x[idx] through the index kernel's two paths: rows of a multiple of 16 bytes by one index tensor (the vectorised
  gather) against 1-D tables, narrow rows and several index tensors (index_elementwise_kernel, a thread an element);
- argmax over long rows (one row split over several blocks, a global reduction);
- cuDNN's fused SDPA forward over many short sequences and few long ones, head dims 64 / 80 / 128, causal, padded
  masks (the eighth check's temporal attention over 14 frames ran 2.5x the price of its bytes and flops, a
  padded-mask call 3.3x).

Fitted, never validated against (the blind checks stay apart: the builder drops a case equal to any earlier group's).
"""

from __future__ import annotations

REALCODE_MORE6 = "realcode-more6"


def _more6():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32

    def heads(x):  # (B, T, H, D) -> (B, H, T, D), as attention code lays out its heads
        return x.transpose(1, 2).contiguous()

    def windows(x):  # Swin / SAM's window partition: the last dim kept, the windows gathered
        return x.permute(0, 1, 3, 2, 4, 5).contiguous()

    def last_t(x):  # a transpose of the last two dims (k^T materialised)
        return x.transpose(-1, -2).contiguous()

    def rotate_half(x):
        h = x.shape[-1] // 2
        return torch.cat((-x[..., h:], x[..., :h]), -1)

    def joint(x, y):  # two token streams' heads concatenated (MMDiT's joint attention)
        return torch.cat((x.transpose(1, 2), y.transpose(1, 2)), 2)

    out = [("heads", heads, (m(*s, dt=dt),))
           for s in ((8, 512, 16, 64), (2, 2048, 32, 128), (1, 8192, 8, 128), (32, 197, 12, 64), (4, 4096, 16, 96))
           for dt in (f32, bf)]
    out += [("heads_int64", heads, (i(64, 1024, 8, 16),)), ("heads_fp16", heads, (m(16, 1024, 16, 64, dt=f16),))]
    out += [("windows", windows, (m(*s, dt=dt),))
            for s, dt in (((1, 8, 14, 8, 14, 256), f32), ((1, 8, 14, 8, 14, 256), f16), ((4, 7, 8, 7, 8, 384), f32),
                          ((4, 7, 8, 7, 8, 384), bf))]
    out += [("last_t", last_t, (m(*s, dt=dt),))
            for s, dt in (((64, 512, 512), f32), ((64, 512, 512), bf), ((8, 1024, 1024), f32), ((16, 4096, 64), bf))]
    out += [("rotate_half", rotate_half, (m(*s, dt=dt),))
            for s, dt in (((1, 32, 4096, 128), bf), ((4, 32, 1024, 128), f32), ((1, 8, 1000, 64), bf),
                          ((16, 16, 512, 64), f16), ((2, 4, 16, 256, 64), bf))]
    out += [("joint", joint, (m(*a, dt=dt), m(*b, dt=dt)))
            for a, b, dt in (((2, 4096, 24, 64), (2, 333, 24, 64), f16), ((1, 2048, 32, 128), (1, 77, 32, 128), bf),
                             ((4, 1024, 12, 64), (4, 64, 12, 64), f32))]
    out += [("pad", lambda x, p=p: F.pad(x, p), (m(*s, dt=dt),))
            for s, p, dt in (((1, 64, 64, 768), (0, 0, 0, 6, 0, 6), f32), ((8, 56, 56, 96), (0, 0, 0, 7, 0, 7), bf),
                             ((4096, 4032), (0, 64), bf), ((16, 100000), (0, 352), f32),
                             ((8, 64, 112, 112), (1, 1, 1, 1), f32), ((2, 256, 64, 64), (1, 1, 1, 1), f16))]
    out += [("index_1d", lambda x, idx: x[idx], (m(n, dt=dt), i(k)))
            for n, k, dt in ((4_000_000, 1_000_000, f32), (2_000_000, 200_000, bf), (500_000, 16, f32),
                             (8_000_000, 4_000_000, f32))]
    out += [("index_rows", lambda x, idx: x[idx], (m(*s, dt=dt), i(k)))
            for s, k, dt in (((1_000_000, 2), 100_000, bf), ((1_000_000, 2), 100_000, f32),
                             ((1_000_000, 4), 100_000, f32), ((262_144, 6), 65_536, bf), ((65_536, 32), 16_384, bf))]
    out += [("index_bt", lambda x, b, t: x[b, t], (m(*s, dt=dt), i(*bi), i(*ti)))
            for s, bi, ti, dt in (((64, 2048, 512), (64, 1), (64, 32), bf), ((256, 1024, 1024), (256,), (256,), bf),
                                  ((4, 8192, 4096), (4,), (4,), f32), ((32, 4096, 256), (32, 1), (32, 256), f16))]
    out += [("argmax", lambda x: x.argmax(-1), (m(*s, dt=dt),))
            for s, dt in (((1, 262144), bf), ((8, 131072), f32), ((64, 32000), bf), ((4, 500000), f32),
                          ((128, 65536), bf))]
    out += _sdpa_prefill()
    return out


def _sdpa_prefill():
    """cuDNN's fused SDPA forward at a spread of (sequences x heads, tokens, head dim): its blocks are a (sequence,
    head, tile of queries) each walking the keys tile by tile, so many short sequences (video frames' temporal
    attention, ViT's 197 tokens) cost tiles the flops do not count; causal, padded-mask and unmasked calls."""
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    bf, f16 = torch.bfloat16, torch.float16
    sdpa = F.scaled_dot_product_attention

    def qkv(b, h, t, d, dt=bf):
        return tuple(m(b, h, t, d, dt=dt) for _ in range(3))

    out = [("sdpa", sdpa, qkv(b, h, t, d, dt))
           for b, h, t, d, dt in ((4096, 8, 16, 64, f16), (1024, 8, 64, 64, bf), (256, 8, 256, 64, f16),
                                  (64, 16, 512, 64, bf), (16, 16, 1024, 64, f16), (4, 16, 2048, 64, bf),
                                  (1, 16, 4096, 64, f16), (2048, 5, 32, 64, f16), (2048, 8, 16, 128, bf),
                                  (512, 8, 64, 128, bf), (64, 16, 256, 128, bf), (16, 32, 512, 128, bf),
                                  (4, 32, 1024, 128, bf), (1, 32, 2048, 128, bf), (64, 16, 197, 80, f16),
                                  (8, 16, 1024, 80, f16))]
    out += [("sdpa_causal", lambda q, k, v: sdpa(q, k, v, is_causal=True), qkv(b, h, t, d))
            for b, h, t, d in ((1, 32, 512, 128), (1, 32, 2048, 128), (1, 32, 8192, 128), (8, 32, 1024, 128),
                               (4, 16, 1024, 64))]
    out += [("sdpa_pad_mask", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a.expand(a.shape[0], 1, q.shape[2],
                                                                                  q.shape[2])),
             (*qkv(b, h, t, d, f16), m(b, 1, 1, t, dt=f16)))
            for b, h, t, d in ((64, 12, 128, 64), (32, 12, 512, 64), (8, 12, 2048, 64), (16, 16, 512, 128))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE6, _more6()),))
