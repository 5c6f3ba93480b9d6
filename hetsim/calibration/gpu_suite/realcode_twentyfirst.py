"""The aten sweep's twelfth real-code fit group: `realcode-more12`, the kernels realcode-check14's tail ran.

The fourteenth check (realcode-check14), looked at after scoring, priced these off, each at sizes no check has:

- SDPA through a float mask per head (ALiBi: [heads, L, L] and [1, heads, L, L]), which PyTorch gives the
  memory-efficient kernel, beside one mask shared by the heads ([1, 1, L, L]) and a padding mask per row: its
  flops bind (the check's ALiBi prompt ran ~114 TFLOP/s), the mask's bytes do not;
- cuDNN's causal and plain prefill over heads of 80, 96, 160, 192 and 256 (the narrow kernel's and the wide
  variants' tiles);
- casts of a packed weight's parts: the fp16 scale column of Q4_0 blocks (a column 9 elements apart), uint8 nibbles
  to int8, int8 to bf16, from 2 M to 128 M elements;
- index_add_ of a few routed rows (1 to 256) into a token buffer of 1K-8K rows of 4096 or 7168 (an expert's
  combine);
- log_softmax and softmax of a few rows over vocabularies of 32K to 256K (a beam step's log-probabilities in fp32);
- topk of large k (50 to 1000) over rows of 2K to 32K fp32 (top-k sampling warpers);
- LoRA's expand as bmm: one token a request, rank 16-64, out widths of 4096-14336, 8-64 requests;
- GroupNorm with few (sample, group) blocks over 16-40 MB (a head per group, a diffusion block at batch 1);
- embedding lookups of 4-16 ids into small tables (codebooks).

Fitted, never validated against (the builder drops a case equal to any earlier group's, so the checks stay apart).
"""

from __future__ import annotations

REALCODE_MORE12 = "realcode-more12"


def _more12():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    u8, i8 = torch.uint8, torch.int8
    sdpa = F.scaled_dot_product_attention

    def masked(q, k, v, a):
        return sdpa(q, k, v, attn_mask=a)

    def causal(q, k, v):
        return sdpa(q, k, v, is_causal=True)

    def plain(q, k, v):
        return sdpa(q, k, v)

    out = []
    # SDPA through float masks: per head 3-D (Baichuan's ALiBi), per head 4-D, shared by the heads, per row (padding)
    out += [("sdpa_alibi3d", masked, (m(1, h, n, d), m(1, h, n, d), m(1, h, n, d), m(h, n, n)))
            for h, n, d in ((32, 1024, 128), (16, 2048, 128), (40, 768, 128), (32, 2048, 64))]
    out += [("sdpa_alibi4d", masked, (m(b, h, n, d), m(b, h, n, d), m(b, h, n, d), m(1, h, n, n)))
            for b, h, n, d in ((1, 32, 1024, 128), (2, 16, 1536, 128), (1, 40, 2048, 128))]
    out += [("sdpa_shared_mask", masked, (m(b, h, n, d), m(b, h, n, d), m(b, h, n, d), m(1, 1, n, n)))
            for b, h, n, d in ((1, 32, 1536, 128), (4, 16, 1024, 64))]
    out += [("sdpa_row_mask", masked, (m(b, h, n, d), m(b, h, n, d), m(b, h, n, d), m(b, 1, n, n)))
            for b, h, n, d in ((4, 32, 1024, 128), (8, 16, 512, 128))]
    # cuDNN prefill over odd and wide heads, causal and not
    out += [("sdpa_causal_wide", causal, (m(b, h, n, d), m(b, h, n, d), m(b, h, n, d)))
            for b, h, n, d in ((1, 32, 1024, 160), (1, 24, 4096, 160), (1, 32, 2048, 80), (2, 32, 1024, 96),
                               (1, 16, 2048, 192), (1, 16, 4096, 256), (1, 8, 1024, 256))]
    out += [("sdpa_plain_wide", plain, (m(b, h, n, d), m(b, h, n, d), m(b, h, n, d)))
            for b, h, n, d in ((1, 32, 1024, 160), (4, 16, 577, 80), (1, 16, 2048, 256))]
    # casts of a packed weight's parts: a strided fp16 column (each 18-byte block's scale), nibbles to int8, int8 to
    # bf16 and fp16
    out += [("scale_column", lambda blk: blk[:, :2].contiguous().view(f16).to(bf), (m(n, 18, dt=u8),))
            for n in (1 << 18, 1 << 20, 3 << 20)]
    out += [("u8_to_i8", lambda x: x.to(i8), (m(n, 32, dt=u8),)) for n in (1 << 16, 1 << 19, 1 << 21, 1 << 22)]
    out += [("i8_to_bf16", lambda x: x.to(bf), (m(n, 32, dt=i8),)) for n in (1 << 18, 1 << 21)]
    out += [("i8_to_f16", lambda x: x.to(f16), (m(n, 32, dt=i8),)) for n in (1 << 20,)]
    out += [("u8_to_f16", lambda x: x.to(f16), (m(n, dt=u8),)) for n in (1 << 24,)]
    # an expert's combine: index_add_ of its few routed rows into the token buffer
    out += [("expert_combine", lambda buf, idx, rows: buf.index_add_(0, idx, rows),
             (m(t, w), i(r), m(r, w))) for t, w, r in ((1024, 7168, 4), (1024, 7168, 64), (4096, 4096, 16),
                                                     (8192, 4096, 256), (2048, 7168, 1))]
    # a few rows over large vocabularies
    out += [("log_softmax_vocab", lambda x: F.log_softmax(x.float(), dim=-1), (m(r, v, dt=dt),))
            for r, v, dt in ((16, 256206, f16), (8, 152064, bf), (32, 128256, bf), (4, 32000, f16))]
    out += [("softmax_vocab", lambda x: F.softmax(x, dim=-1), (m(r, v, dt=f32),))
            for r, v in ((64, 50272), (8, 256000))]
    # top-k warpers of large k
    out += [("topk_large_k", lambda x, k=k: torch.topk(x, k), (m(r, v, dt=f32),))
            for r, v, k in ((8, 2048, 500), (4, 8192, 250), (16, 32000, 50), (1, 32000, 1000), (32, 4096, 100))]
    # LoRA's expand (bgmv as bmm): a token a request times its adapter's B
    out += [("lora_expand", torch.bmm, (m(b, 1, r), m(b, r, n)))
            for b, r, n in ((8, 16, 4096), (32, 16, 14336), (64, 32, 4096), (16, 64, 7168))]
    # GroupNorm with few (sample, group) blocks over mid-size activations
    out += [("group_norm_few", lambda x, g=g: F.group_norm(x, g), (m(*s, dt=dt),))
            for s, g, dt in (((1, 256, 128, 256), 32, f16), ((1, 512, 64, 128), 32, f32), ((2, 256, 96, 96), 32, f32),
                             ((1, 4096, 2048), 8, bf))]
    # codebook lookups of a few ids
    out += [("embed_few", F.embedding, (i(*ids), m(*table))) for ids, table in (((4, 1), (1025, 2048)),
                                                                                 ((16,), (4096, 1024)),
                                                                                 ((8, 1), (2049, 768)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive), as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE12, _more12()),))
