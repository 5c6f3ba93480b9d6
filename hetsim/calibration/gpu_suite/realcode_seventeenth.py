"""The aten sweep's tenth real-code fit group: `realcode-more10`, the checks' tail kernels at sizes no group had.

The pooled checks (realcode-check .. realcode-check11), looked at after scoring, priced these off:

- `torch.gather` over 10-200 MB (DeBERTa's c2p / p2c position gathers, SnapKV's and H2O's key selection): the fit
  groups' gathers were all under 5 MB;
- `x[idx]` with more indices than source rows (MoE dispatch to the top-k experts: each token's row repeated), and
  `index_select` alike;
- casts to and from bool (masks turned into int32 positions or into fp32 / bf16 weights, scores into a keep mask):
  ATen's unrolled copy kernel, from a few thousand elements to tens of millions;
- batched products over an even token count at Whisper's 1500 frames (the encoder's scores and values, heads of 64 to
  256), meant to load the tensor cores: they ran bound by their stores and loads instead (profiled);
- language-model heads over an odd vocabulary at 5-48 rows, where cuBLAS moves from its small-row gemmSN kernel to
  CUTLASS's align1 tiles.

Fitted, never validated against (the builder drops a case equal to any earlier group's, so the checks stay apart).
"""

from __future__ import annotations

REALCODE_MORE10 = "realcode-more10"


def _more10():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, i = _meta_makers()
    linear = _layer_makers(1e-6)[0]
    bf, f16, f32, i32, b8 = torch.bfloat16, torch.float16, torch.float32, torch.int32, torch.bool

    def mask(*shape):
        return torch.empty(*shape, dtype=b8, device="meta")

    out = []
    # torch.gather over large inputs: DeBERTa-v2's c2p gather (scores over 2L relative positions, one index for every
    # head), a KV cache's selected keys along the tokens (SnapKV, H2O), an fp32 gather along the last dim
    out += [("c2p_gather", lambda s, idx: torch.gather(s, -1, idx.expand(s.shape[0], -1, -1)),
             (m(bh, L, 2 * L, dt=f16), i(1, L, L))) for bh, L in ((48, 512), (96, 256), (192, 384))]
    out += [("kv_select", lambda k, idx: k.gather(2, idx.unsqueeze(-1).expand(-1, -1, -1, k.shape[-1])),
             (m(b, h, t, 128), i(b, h, keep))) for b, h, t, keep in ((1, 32, 32000, 4096), (4, 8, 16000, 1024),
                                                                      (1, 40, 8000, 2000))]
    out += [("gather_last_fp32", lambda x, idx: torch.gather(x, -1, idx), (m(rows, 4096, dt=f32), i(rows, 512)))
            for rows in (2048, 8192)]
    # x[idx] and index_select with repeated rows: tokens dispatched to their top-k experts
    out += [("moe_dispatch", lambda x, idx: x[idx], (m(t, h), i(t * k)))
            for t, h, k in ((512, 4096, 2), (2000, 2048, 8), (4096, 7168, 2), (128, 14336, 8), (16384, 1024, 4))]
    out += [("repeat_select", lambda x, idx: torch.index_select(x, 0, idx), (m(t, h), i(t * k)))
            for t, h, k in ((1024, 4096, 4), (8192, 2048, 2))]
    # casts to and from bool
    out += [("mask_to_int32", lambda x: x.to(i32), (mask(*s),)) for s in ((8, 512), (16, 2048), (64, 16384),
                                                                         (32, 1 << 20))]
    out += [("mask_to_float", lambda x, dt=dt: x.to(dt), (mask(*s),))
            for s, dt in (((64, 16384), f32), ((16, 1 << 20), bf), ((4, 1 << 24), f16))]
    out += [("keep_mask", lambda x: x.to(b8), (m(*s, dt=dt),)) for s, dt in (((1, 4096), f32), ((512, 2048), f32),
                                                                             ((64, 1 << 19), bf), ((8, 1 << 23), f16))]
    # batched products over 1500 tokens (Whisper-large's encoder: 20 heads of 64; heads of 128 at batch 4)
    out += [("frame_scores", lambda q, k: torch.matmul(q, k.transpose(-1, -2)), (m(b, h, 1500, d), m(b, h, 1500, d)))
            for b, h, d in ((8, 20, 64), (4, 16, 128), (2, 20, 256))]
    out += [("frame_values", lambda p, v: torch.matmul(p, v), (m(b, h, 1500, 1500), m(b, h, 1500, d)))
            for b, h, d in ((8, 20, 64), (4, 16, 128))]
    # lm heads over odd vocabularies at the rows where the kernel changes
    out += [("odd_vocab_rows", linear, (m(rows, k, dt=dt), m(n, k, dt=dt)))
            for rows, n, k, dt in ((5, 50257, 1024, f16), (6, 49155, 2048, bf), (12, 32001, 4096, bf),
                                   (24, 50257, 768, f16), (48, 49155, 1536, bf))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE10, _more10()),))
