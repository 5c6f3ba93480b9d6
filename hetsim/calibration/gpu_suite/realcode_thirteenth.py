"""The aten sweep's eighth real-code fit group: `realcode-more8`, kernels the tenth check's tail ran that no group had.

The tenth check's tail, profiled after it was scored (calibration/e2e/diagnostics/case-kernels-check10-2026-12-02),
ran kernels the fit groups held too few of, each measured here at a spread of shapes:

- SDPA's memory-efficient kernel as a prefill (fmha_cutlassF): a mask of fewer than four dims (one [1, L, S] window
  mask over every head) or a head dim cuDNN refuses (192, 256) with a mask; until now it was fitted on decode steps
  only, with no flops term, so a 5184-token window attention came out 65 % low;
- cuDNN's prefill at head dim 64 over long sequences (video models' joint attention: 17776 tokens ran 32 % over its
  tile price);
- ATen's float8 cast up to fp32 and bf16 and int32 down to int8 over large tensors (block-wise dequantisation);
- log_softmax over long 16-bit rows (a draft model's vocabulary: the block kernel's vectorised walk).

Fitted, never validated against (the blind checks stay apart: the builder drops a case equal to any earlier group's).
"""

from __future__ import annotations

REALCODE_MORE8 = "realcode-more8"


def _more8():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    bf, f16, f32, b8 = torch.bfloat16, torch.float16, torch.float32, torch.bool

    def heads(x):  # (B, L, H, D) -> (B, H, L, D), the layout attention code hands SDPA
        return x.transpose(1, 2)

    def window_sdpa(q, k, v, mask):  # one mask for every head: [1, L, S]
        return F.scaled_dot_product_attention(heads(q), heads(k), heads(v), attn_mask=mask)

    def masked_sdpa(q, k, v, mask):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)

    def joint_sdpa(q, k, v):
        return F.scaled_dot_product_attention(q, k, v)

    out = []
    for length, h, d, mdt in ((1024, 16, 80, b8), (2048, 16, 80, b8), (4096, 16, 80, b8), (8192, 16, 64, b8),
                              (2304, 12, 64, bf), (4096, 8, 128, b8), (576, 16, 64, b8), (6400, 16, 80, bf)):
        qkv = m(1, length, h, d)
        mask = torch.empty(1, length, length, dtype=mdt, device="meta")
        out += [("window_sdpa", window_sdpa, (qkv, qkv, qkv, mask))]
    for b, h, length, d in ((1, 16, 2048, 192), (2, 16, 1024, 256), (1, 32, 4096, 192)):
        q = m(b, h, length, d)
        out += [("masked_sdpa_wide", masked_sdpa, (q, q, q, torch.empty(b, 1, length, length, dtype=b8,
                                                                         device="meta")))]
    for b, h, length in ((2, 24, 8192), (1, 48, 12288), (2, 48, 4096), (1, 24, 16384)):
        q = m(b, h, length, 64)
        out += [("joint_sdpa_d64", joint_sdpa, (q, q, q))]
    out += [("fp8_up", lambda x: x.to(torch.float32), (m(*s, dt=torch.float8_e4m3fn),))
            for s in ((4096, 7168), (18432, 2048), (1024, 1024))]
    out += [("fp8_up_bf16", lambda x: x.to(bf), (m(*s, dt=torch.float8_e4m3fn),)) for s in ((7168, 4096), (512, 7168))]
    out += [("int32_down", lambda x: x.to(torch.int8), (torch.empty(*s, dtype=torch.int32, device="meta"),))
            for s in ((2048, 4096), (8, 5120, 1024))]
    out += [("log_softmax_16bit", lambda x: F.log_softmax(x, -1), (m(r, c, dt=dt),))
            for r, c, dt in ((4, 128256, f16), (16, 151936, bf), (2, 256000, bf), (32, 32000, f16), (8, 65536, f32))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE8, _more8()),))
