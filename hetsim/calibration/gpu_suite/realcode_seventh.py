"""The aten sweep's seventh pair of real-code groups: `realcode-more5` (fitted) and `realcode-check7` (blind).

`realcode-more5` fits what the third to sixth blind checks showed mispriced, at spreads of shapes: softmax over rows
whose length is not a power of two (the persistent kernel pads each row to one) and over rows too long for it (a
1024-thread block a row), GroupNorm over large maps (its moments' loop), index_add_ of rows (MoE's combine, BM25's
scatter-add), an element scatter (top-p's mask back to vocabulary order), fp32 batched GEMMs (eager attention in
fp32), x[b, t] with two index tensors, and small projections whose weights fit in the L2.

`realcode-check7`, the seventh blind check of everyday PyTorch inference code:

Each case is one op or a short idiom as model code writes it (projections, attention scores and values, norms,
activations, softmax, MoE routing, sampling, gathers, reductions, masks, rotary multiplies, casts, KV-cache
concatenation, GQA expansion, layout copies, padding), at the widths of models no earlier group uses: Qwen2.5-14B (40
heads of 128, 5 q heads a KV head), Qwen2.5-0.5B (14 heads of 64, a 896-wide decode), StarCoder2-15B (biased LayerNorm
and linears, tanh GELU), CodeLlama-13B, Baichuan2-13B (fused W_pack, ALiBi), BLOOM-7b1 (ALiBi through baddbmm, keys
cached transposed, a 250880-token vocabulary), GPT-NeoX-20B (heads of 96, 25% rotary), DBRX (16 experts, top-4,
L1-normalised weights, clipped qkv), DeepSeek-V3's router (sigmoid scores, a correction bias, group-limited top-8 of
256), RoBERTa-large, DeBERTa-v3-base (disentangled attention: the c2p scores and their position gather), BART-large,
mT5-base (T5's fp32 RMSNorm by hand, gated GELU), BEiT-large (relative position bias), EVA02-CLIP-L/14-336 (SwiGLU),
DETR-R50 (heads folded, 850 encoder tokens), Mask2Former (masked attention, the mask einsum, GroupNorm), YOLOS-S (1829
tokens with its 100 detection tokens), SDXL's UNet attention (GEGLU, text cross-attention), the LLaVA-1.5 projector,
Qwen2-VL's patch merger and MusicGen-medium (four codebooks), at inference batches and token counts. The group is never
fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal to one of theirs, so
it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_MORE5, REALCODE_CHECK7 = "realcode-more5", "realcode-check7"


def _more5():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()
    bf, f16, f32, b8 = torch.bfloat16, torch.float16, torch.float32, torch.bool

    def sm(x):
        return torch.softmax(x, -1)

    # the persistent softmax at rows not a power of two (each lane walks the row rounded up), and the block kernel
    out = [("softmax", sm, (m(*s, dt=dt),))
           for s, dt in (((4, 12, 300, 300), f16), ((2, 16, 600, 600), bf), ((4, 8, 700, 700), f16),
                         ((2, 16, 900, 900), bf), ((1, 16, 1100, 1100), f16), ((1, 16, 1500, 1500), bf),
                         ((1, 8, 2000, 2000), f16), ((1024, 1500), f32), ((65536, 200), f32), ((32768, 400), bf),
                         ((16384, 1000), f16), ((4096, 4096), f16), ((8192, 3000), bf), ((2048, 8192), f32),
                         ((16384, 2560), bf), ((1024, 6000), f16), ((256, 16384), f32), ((512, 10000), bf),
                         ((64, 2049), bf))]
    out += [("group_norm", lambda x, w, b, g=g: F.group_norm(x, g, w, b), (m(*s, dt=dt), m(s[1], dt=dt),
                                                                          m(s[1], dt=dt)))
            for s, g, dt in (((1, 128, 256, 256), 32, f16), ((4, 256, 64, 64), 32, f32), ((1, 512, 64, 64), 32, f16),
                             ((2, 128, 128, 128), 32, bf), ((1, 256, 128, 128), 32, f32), ((8, 512, 16, 16), 32, f16),
                             ((4, 128, 112, 112), 32, f32), ((1, 32, 512, 512), 32, f16),
                             ((16, 256, 28, 28), 32, bf))]
    out += [("index_add", lambda x, idx, y: x.index_add_(0, idx, y), (m(*d, dt=dt), i(n), m(n, *d[1:], dt=dt)))
            for d, n, dt in (((4096, 4096), 500, bf), ((2048, 1024), 1000, f32), ((8192, 2048), 64, f16),
                             ((1024, 4096), 2000, bf), ((100000, 128), 50000, f32), ((4096, 2048), 32, bf),
                             ((16384, 768), 4096, bf), ((1000000,), 100000, f32), ((300000,), 1000000, f32))]
    out += [("scatter_mask", lambda x, idx: x.scatter(1, idx, x), (m(*s, dt=b8), i(*s)))
            for s in ((16, 65536), (2, 262144), (64, 32000), (1, 151936))]
    out += [("scatter_", lambda x, idx, y: x.scatter_(1, idx, y), (m(*d, dt=dt), i(*s), m(*s, dt=dt)))
            for d, s, dt in (((8, 128256), (8, 128256), f32), ((4096, 64), (4096, 8), f32),
                             ((32, 50000), (32, 50000), bf), ((1, 1000000), (1, 1000000), f32))]
    out += [("bmm_fp32", lambda q, k: torch.bmm(q, k.transpose(1, 2)), (m(*s, dt=f32), m(b, n, s[2], dt=f32)))
            for s, b, n in (((32, 400, 64), 32, 400), ((96, 256, 64), 96, 256), ((16, 1024, 64), 16, 1024),
                            ((8, 2048, 128), 8, 2048), ((128, 100, 32), 128, 100), ((12, 1500, 64), 12, 1500),
                            ((4, 4096, 64), 4, 256))]
    out += [("bmm_fp32_values", lambda p, v: torch.bmm(p, v), (m(b, n, n, dt=f32), m(b, n, d, dt=f32)))
            for b, n, d in ((64, 197, 64), (24, 640, 64), (8, 1200, 128))]
    out += [("index_bt", lambda x, b, t: x[b, t], (m(*s, dt=dt), i(n), i(n)))
            for s, n, dt in (((8, 1024, 4096), 8, bf), ((64, 512, 2048), 64, bf), ((1, 4096, 8192), 1, bf),
                             ((32, 2048, 1024), 32, f32), ((128, 256, 768), 128, bf))]
    out += [("index_bt_many", lambda x, b, t: x[b, t], (m(16, 4096, 2048), i(16, 1), i(16, 64)))]
    out += [("index_cols", lambda x, idx: x[:, idx], (m(4, 2048, 4096), i(16)))]
    out += [("linear", lambda x, w: F.linear(x, w), (m(*a), m(*w)))
            for a, w in (((4, 3072), (3072, 3072)), ((16, 2048), (8192, 2048)), ((1, 4096), (14336, 4096)),
                         ((64, 1024), (4096, 1024)), ((8, 5120), (5120, 5120)))]
    out += [("linear", lambda x, w: F.linear(x, w), (m(32, 4096, dt=f16), m(4096, 4096, dt=f16)))]
    return out


def _check7():
    import torch
    import torch.nn.functional as F

    bf, f16, f32, b8 = torch.bfloat16, torch.float16, torch.float32, torch.bool

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, i = _meta_makers()

    linear, rms, ln = _layer_makers(1e-6)

    def rep_penalty(scores, ids):
        seen = torch.gather(scores, 1, ids)
        return scores.scatter_(1, ids, torch.where(seen < 0, seen * 1.2, seen / 1.2))

    # projections: Qwen2.5-14B q_proj (bias) over a 1337-token prompt and its decode k_proj (bias), the Qwen2.5-0.5B
    # decode lm_head, StarCoder2-15B c_fc (bias) over a 600-token prompt, CodeLlama-13B decode MLP down, Baichuan2-13B's
    # fused W_pack over 850 tokens, BLOOM-7b1 decode query_key_value (fp16, bias), GPT-NeoX-20B dense_4h_to_h (fp16,
    # bias), RoBERTa-large intermediate (fp32, bias), SDXL's cross-attention to_k over the 77 text tokens (fp16), the
    # LLaVA-1.5 projector's first linear (fp16, bias), Qwen2-VL's patch merger out to the LM width; a Baichuan2-13B
    # decode gemv
    out = [("linear_bias", linear, (m(1337, 5120), m(5120, 5120), m(5120))),
           ("linear_bias", linear, (m(16, 5120), m(1024, 5120), m(1024))),
           ("linear", linear, (m(8, 896), m(151936, 896))),
           ("linear_bias", linear, (m(600, 6144), m(24576, 6144), m(24576))),
           ("linear", linear, (m(4, 13824), m(5120, 13824))),
           ("linear", linear, (m(850, 5120), m(15360, 5120))),
           ("linear_bias", linear, (m(24, 4096, dt=f16), m(12288, 4096, dt=f16), m(12288, dt=f16))),
           ("linear_bias", linear, (m(700, 24576, dt=f16), m(6144, 24576, dt=f16), m(6144, dt=f16))),
           ("linear_bias", linear, (m(16, 203, 1024, dt=f32), m(4096, 1024, dt=f32), m(4096, dt=f32))),
           ("linear", linear, (m(2, 77, 2048, dt=f16), m(640, 2048, dt=f16))),
           ("linear_bias", linear, (m(4, 576, 1024, dt=f16), m(4096, 1024, dt=f16), m(4096, dt=f16))),
           ("linear_bias", linear, (m(529, 5120), m(3584, 5120), m(3584))),
           ("mv", torch.mv, (m(13696, 5120), m(5120)))]
    # attention scores and values: Qwen2.5-14B GQA decode with the query groups as a dim (5 q heads a KV head),
    # CodeLlama-13B prefill (40 heads, 1111 tokens), BLOOM-7b1's ALiBi scores through baddbmm (heads folded, keys stored
    # transposed), GPT-NeoX-20B (64 heads of 96, fp16), DETR's decoder cross-attention (8 heads of 32 folded into the
    # batch, 100 queries over 850 encoder tokens, fp32), Mask2Former's mask einsum over a 1/4-scale map (fp32), SDXL's
    # 32x32-latent self-attention values (20 heads, fp16), EVA02-CLIP-L at 336px (577 tokens), DeBERTa-v3's
    # content-to-position scores over its 512 relative positions (fp16), a BART-large decode cross-attention's values
    out += [("gqa_scores", lambda q, k: q @ k.transpose(-1, -2), (m(4, 8, 5, 1, 128), m(4, 8, 1, 3333, 128))),
            ("bmm_scores", lambda q, k: q @ k.transpose(-1, -2), (m(1, 40, 1111, 128), m(1, 40, 1111, 128))),
            ("alibi_baddbmm", lambda a, q, k: a.baddbmm(q, k, beta=1.0, alpha=128 ** -0.5),
             (m(64, 1, 517), m(64, 517, 128), m(64, 128, 517))),
            ("bmm_scores", lambda q, k: q @ k.transpose(-1, -2), (m(2, 64, 389, 96, dt=f16),
                                                                  m(2, 64, 389, 96, dt=f16))),
            ("bmm_scores", lambda q, k: torch.bmm(q, k.transpose(1, 2)), (m(16, 100, 32, dt=f32),
                                                                          m(16, 850, 32, dt=f32))),
            ("einsum_masks", lambda q, f: torch.einsum("bqc,bchw->bqhw", q, f), (m(2, 100, 256, dt=f32),
                                                                                 m(2, 256, 200, 304, dt=f32))),
            ("attn_values", lambda p, v: p @ v, (m(2, 20, 1024, 1024, dt=f16), m(2, 20, 1024, 64, dt=f16))),
            ("attn_values", lambda p, v: p @ v, (m(12, 16, 577, 577), m(12, 16, 577, 64))),
            ("c2p_scores", lambda q, k: torch.bmm(q, k.transpose(-1, -2)), (m(96, 384, 64, dt=f16),
                                                                            m(96, 512, 64, dt=f16))),
            ("bmm_values", torch.bmm, (m(64, 1, 1023, dt=f16), m(64, 1023, 64, dt=f16)))]
    # norms: StarCoder2-15B LayerNorm (bias), DBRX decode LayerNorm without bias, RoBERTa-large LayerNorm (fp32);
    # Qwen2.5-14B prefill and Qwen2.5-0.5B decode RMSNorm, mT5's T5LayerNorm by hand (the variance in fp32); SDXL's
    # GroupNorm(32) at 128x128 latents (fp16) and Mask2Former's pixel-decoder GroupNorm(32) at 1/8 scale (fp32)
    out += [("layer_norm", ln, (m(600, 6144), m(6144), m(6144))),
            ("layer_norm", ln, (m(32, 6144), m(6144))),
            ("layer_norm", ln, (m(16, 203, 1024, dt=f32), m(1024, dt=f32), m(1024, dt=f32)))]
    out += [("rms_norm", rms, (m(1337, 5120), m(5120))),
            ("rms_norm", rms, (m(64, 896), m(896))),
            ("t5_rms_norm", lambda x, w: w * (x * torch.rsqrt(x.float().pow(2).mean(-1, keepdim=True) + 1e-6)).to(
                w.dtype), (m(16, 512, 768), m(768)))]
    out += [("group_norm", lambda x, w, b: F.group_norm(x, 32, w, b, 1e-5), (m(2, 320, 128, 128, dt=f16),
                                                                             m(320, dt=f16), m(320, dt=f16))),
            ("group_norm", lambda x, w, b: F.group_norm(x, 32, w, b, 1e-5), (m(2, 256, 100, 152, dt=f32),
                                                                             m(256, dt=f32), m(256, dt=f32)))]
    # activations: StarCoder2's tanh GELU, GPT-NeoX-20B GELU (erf, fp16), Qwen2.5-14B SwiGLU, EVA02's SwiGLU (2730
    # wide), SDXL's GEGLU over the two halves of one projection (fp16), mT5's gated tanh GELU (fp32)
    out += [("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), (m(600, 24576),)),
            ("gelu", F.gelu, (m(700, 24576, dt=f16),)),
            ("silu_mul", lambda a, b: F.silu(a) * b, (m(1337, 13824), m(1337, 13824))),
            ("silu_mul", lambda a, b: F.silu(a) * b, (m(12, 577, 2730), m(12, 577, 2730))),
            ("geglu_chunk", lambda x: x[..., :2560] * F.gelu(x[..., 2560:]), (m(2, 4096, 5120, dt=f16),)),
            ("gelu_tanh_mul", lambda a, b: F.gelu(a, approximate="tanh") * b, (m(16, 512, 2048, dt=f32),
                                                                               m(16, 512, 2048, dt=f32)))]
    # softmax: CodeLlama-13B prefill scores (upcast to fp32), DETR's encoder self-attention (fp32), BLOOM-7b1 decode
    # (upcast to fp32), SDXL's cross-attention over 77 text tokens (fp16), StarCoder2 log-probs
    out += [("softmax_fp32", lambda x: torch.softmax(x, -1, dtype=f32), (m(1, 40, 1111, 1111),)),
            ("softmax", lambda x: torch.softmax(x, -1), (m(16, 850, 850, dt=f32),)),
            ("softmax_fp32", lambda x: torch.softmax(x, -1, dtype=f32), (m(24, 32, 1, 1500),)),
            ("softmax", lambda x: torch.softmax(x, -1), (m(20, 4096, 77, dt=f16),)),
            ("log_softmax", lambda x: torch.log_softmax(x, -1), (m(32, 49152, dt=f32),))]
    # MoE routing: DBRX over a 1023-token prompt (the router's 16 logits, softmax in fp32, top-4, the weights
    # L1-normalised, a one-hot expert mask, one expert's ~263 tokens gathered and its output index_added back);
    # DeepSeek-V3's router over 2000 tokens (fp32 logits, sigmoid scores plus the correction bias, each of 8 groups
    # scored by its top 2, the top 4 groups kept through a scattered mask, top-8 of the 256 experts, their weights
    # gathered from the scores)
    out += [("linear", linear, (m(1023, 6144), m(16, 6144))),
            ("router_softmax", lambda x: F.softmax(x, dim=-1, dtype=f32), (m(1023, 16),)),
            ("topk", lambda x: torch.topk(x, 4, -1), (m(1023, 16, dt=f32),)),
            ("topk_norm_l1", lambda w: w / torch.norm(w, p=1, dim=-1, keepdim=True), (m(1023, 4, dt=f32),)),
            ("expert_mask", lambda idx: F.one_hot(idx, 16).permute(2, 1, 0), (i(1023, 4),)),
            ("index_select", lambda x, idx: x.index_select(0, idx), (m(1023, 6144), i(263))),
            ("index_add", lambda x, idx, y: x.index_add_(0, idx, y), (m(1023, 6144), i(263), m(263, 6144))),
            ("router_fp32", lambda x, w: F.linear(x.float(), w.float()), (m(2000, 7168), m(256, 7168))),
            ("sigmoid_bias", lambda x, b: torch.sigmoid(x) + b, (m(2000, 256, dt=f32), m(256, dt=f32))),
            ("group_top2_sum", lambda s: s.view(2000, 8, 32).topk(2, dim=-1)[0].sum(-1), (m(2000, 256, dt=f32),)),
            ("topk", lambda x: torch.topk(x, 4, -1), (m(2000, 8, dt=f32),)),
            ("group_mask", lambda g, idx: torch.zeros_like(g).scatter_(1, idx, 1), (m(2000, 8, dt=f32), i(2000, 4))),
            ("mask_groups", lambda s, g: s.masked_fill(~g.unsqueeze(-1).expand(2000, 8, 32).reshape(2000, 256).bool(),
                                                       0.0), (m(2000, 256, dt=f32), m(2000, 8, dt=f32))),
            ("topk", lambda x: torch.topk(x, 8, -1), (m(2000, 256, dt=f32),)),
            ("gather", lambda x, idx: torch.gather(x, 1, idx), (m(2000, 256, dt=f32), i(2000, 8)))]
    # sampling: top-k over BLOOM's vocabulary and MusicGen's 2048 codes a codebook, top-p (sort, cumsum, the mask
    # scattered back to vocabulary order) over Baichuan2's, CodeLlama's and Qwen2.5-0.5B's, multinomial over DBRX's, mT5
    # greedy argmax, StarCoder2's repetition penalty (the seen tokens' logits gathered, scaled and scattered back)
    out += [("topk", lambda x: torch.topk(x, 50, -1), (m(8, 250880, dt=f32),)),
            ("topk", lambda x: torch.topk(x, 250, -1), (m(32, 2048, dt=f32),)),
            ("sort", lambda x: torch.sort(x, -1, descending=True), (m(4, 125696, dt=f32),)),
            ("cumsum", lambda x: x.cumsum(-1), (m(32, 32016, dt=f32),)),
            ("topp_scatter", lambda x, idx: x.scatter(1, idx, x), (m(16, 151936, dt=b8), i(16, 151936))),
            ("multinomial", lambda x: torch.multinomial(x, 1), (m(12, 100352, dt=f32),)),
            ("argmax", lambda x: x.argmax(-1), (m(16, 250112),)),
            ("repetition_penalty", rep_penalty, (m(4, 49152, dt=f32), i(4, 1500)))]
    # gathers: Qwen2.5-14B prefill and Baichuan2-13B decode embeddings, MusicGen's four codebook embeddings summed
    # (fp16), DeBERTa-v3's c2p scores gathered at each query-key relative position (the index broadcast over the batch),
    # the last real token of each Qwen2.5-0.5B sequence (x[arange, lengths]), BEiT-large's relative position bias table
    # read through its index, Qwen2.5-14B rotary cos rows at the positions
    out += [("embedding", F.embedding, (i(1, 1337), m(152064, 5120))),
            ("embedding", F.embedding, (i(32, 1), m(125696, 5120))),
            ("codebook_embed", lambda c, *es: sum(F.embedding(c[:, k], e) for k, e in enumerate(es)),
             (i(16, 4, 1), *(m(2049, 1536, dt=f16) for _ in range(4)))),
            ("c2p_gather", lambda x, idx: torch.gather(x, -1, idx.expand(96, -1, -1)), (m(96, 384, 512, dt=f16),
                                                                                        i(1, 384, 384))),
            ("last_token", lambda x, b, t: x[b, t], (m(16, 613, 896), i(16), i(16))),
            ("rel_pos_bias", lambda t, idx: t[idx].view(197, 197, 16).permute(2, 0, 1).contiguous(),
             (m(732, 16, dt=f32), i(38809))),
            ("rope_rows", lambda t, idx: t[idx], (m(32768, 128, dt=f32), i(2, 1337)))]
    # reductions: RoBERTa-large masked mean pooling, a max over Baichuan2's vocabulary, EVA02-CLIP image embedding norms
    # for retrieval, a GPT-NeoX-20B LayerNorm variance, DETR's attention weights averaged over its heads
    out += [("masked_mean_pool", lambda x, k: (x * k.unsqueeze(-1)).sum(1) / k.sum(1, keepdim=True).clamp(min=1e-9),
             (m(16, 203, 1024, dt=f32), m(16, 203, dt=f32))),
            ("amax", lambda x: x.amax(-1), (m(4, 125696, dt=f32),)),
            ("norm", lambda x: x.norm(dim=-1, keepdim=True), (m(384, 768, dt=f32),)),
            ("var", lambda x: x.var(-1, unbiased=False), (m(700, 6144, dt=f32),)),
            ("mean_heads", lambda x: x.view(2, 8, 100, 850).mean(1), (m(16, 100, 850, dt=f32),))]
    # broadcasting binaries: Qwen2.5-14B rotary, GPT-NeoX-20B's rotary over 24 of each head's 96 dims (a strided input),
    # Baichuan2-13B's ALiBi-and-causal mask over the batch, YOLOS-S's interpolated position embeddings, SDXL's
    # time-embedding bias, a Qwen2.5-0.5B decode padding mask, DeBERTa-v3's score scale (sqrt(3 x 64)), BEiT-large's
    # relative position bias (fp16)
    out += [("rotary_mul", lambda x, c: x * c, (m(1, 40, 1337, 128), m(1, 1, 1337, 128))),
            ("rotary_partial_mul", lambda x, c: x[..., :24] * c, (m(2, 64, 389, 96, dt=f16),
                                                                  m(2, 1, 389, 24, dt=f16))),
            ("add_alibi_mask", lambda x, a: x + a, (m(2, 40, 850, 850), m(40, 850, 850))),
            ("add_pos_embed", lambda x, p: x + p, (m(4, 1829, 384, dt=f32), m(1, 1829, 384, dt=f32))),
            ("add_time_emb", lambda x, t: x + t, (m(2, 640, 64, 64, dt=f16), m(2, 640, 1, 1, dt=f16))),
            ("add_mask", lambda x, y: x + y, (m(32, 14, 1, 1025), m(32, 1, 1, 1025))),
            ("div_scale", lambda x: x / (3 * 64) ** 0.5, (m(8, 12, 384, 384, dt=f16),)),
            ("add_rel_pos_bias", lambda x, b: x + b.unsqueeze(0), (m(32, 16, 197, 197, dt=f16),
                                                                   m(16, 197, 197, dt=f16)))]
    # masked_fill / where: a CodeLlama-13B causal mask on bf16 scores, StarCoder2's causal where, a top-p mask over
    # BLOOM's sorted probabilities, Mask2Former's masked attention (the previous layer's mask logits thresholded)
    out += [("masked_fill", lambda x, k: x.masked_fill(k, torch.finfo(bf).min), (m(1, 40, 1111, 1111),
                                                                                 m(1, 1, 1111, 1111, dt=b8))),
            ("where", lambda c, x: torch.where(c, x, float("-inf")), (m(1, 1, 600, 600, dt=b8), m(4, 48, 600, 600))),
            ("topp_mask", lambda c, x: x.masked_fill(c > 0.92, float("-inf")), (m(8, 250880, dt=f32),
                                                                                m(8, 250880, dt=f32))),
            ("masked_attn", lambda s, p: s.masked_fill(p.sigmoid() < 0.5, float("-inf")), (m(2, 8, 100, 950, dt=f32),
                                                                                          m(2, 1, 100, 950, dt=f32)))]
    # casts: BLOOM logits up, Qwen2.5-14B's fp32 RMSNorm output down, an SDXL-refiner image to fp16, DBRX expert ids to
    # int32
    out += [("to_fp32", lambda x: x.float(), (m(4, 250880),)),
            ("to_bf16", lambda x: x.to(bf), (m(1337, 5120, dt=f32),)),
            ("to_fp16", lambda x: x.half(), (m(1, 3, 1024, 1024, dt=f32),)),
            ("to_int32", lambda x: x.int(), (i(1023, 4),))]
    # layout: Qwen2.5-14B KV cache (8 KV heads), BLOOM-7b1's transposed key cache grown along its last dim, Qwen2.5-14B
    # rotate_half over the q heads, GPT-NeoX-20B's rotated and pass-through dims rejoined, EVA02's heads split out,
    # SDXL's latent map to tokens, YOLOS-S's class and detection tokens around its patches, DETR's feature map flattened
    # to sequence-first tokens, SDXL to channels_last; repeat_kv for Qwen2.5-14B (5 q heads a KV head)
    out += [("cat_kv", lambda a, b: torch.cat([a, b], 2), (m(4, 8, 3333, 128), m(4, 8, 1, 128))),
            ("cat_key_t", lambda a, b: torch.cat([a, b], -1), (m(768, 128, 1500), m(768, 128, 1))),
            ("rotate_half", lambda x: torch.cat((-x[..., 64:], x[..., :64]), -1), (m(1, 40, 1337, 128),)),
            ("cat_rotary", lambda a, b: torch.cat([a, b], -1), (m(2, 64, 389, 24, dt=f16), m(2, 64, 389, 72, dt=f16))),
            ("transpose_contiguous", lambda x: x.transpose(1, 2).contiguous(), (m(12, 577, 16, 64),)),
            ("map_to_tokens", lambda x: x.permute(0, 2, 3, 1).reshape(2, 4096, 640), (m(2, 640, 64, 64, dt=f16),)),
            ("cat_cls_det", lambda c, x, d: torch.cat([c.expand(x.shape[0], -1, -1), x, d.expand(x.shape[0], -1, -1)],
                                                      1),
             (m(1, 1, 384, dt=f32), m(4, 1728, 384, dt=f32), m(1, 100, 384, dt=f32))),
            ("flatten_permute", lambda x: x.flatten(2).permute(2, 0, 1).contiguous(), (m(2, 256, 25, 34, dt=f32),)),
            ("channels_last", lambda x: x.contiguous(memory_format=torch.channels_last),
             (m(2, 320, 128, 128, dt=f16),)),
            ("repeat_kv", lambda x: x[:, :, None].expand(1, 8, 5, 1337, 128).reshape(1, 40, 1337, 128),
             (m(1, 8, 1337, 128),))]
    # misc: YOLOS-S images padded to whole patches, a CodeLlama-13B causal bool mask, DBRX's additive causal mask and
    # its qkv clipped to +-8, RoBERTa's position ids from the input ids (padding index 1)
    out += [("pad", lambda x: F.pad(x, (0, 6, 0, 10)), (m(4, 3, 502, 858, dt=f32),)),
            ("tril", lambda x: torch.tril(x), (m(1111, 1111, dt=b8),)),
            ("triu_mask", lambda x: torch.triu(x, 1), (m(1023, 1023),)),
            ("clamp", lambda x: x.clamp(min=-8.0, max=8.0), (m(1023, 8192),)),
            ("roberta_position_ids", lambda ids: (torch.cumsum(ids.ne(1).int(), 1) * ids.ne(1).int()).long() + 1,
             (i(16, 203),))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of both groups, as aten_cases' spec functions yield them (the
    fitted group first: the builder drops a check case equal to one of its)."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE5, _more5()), (REALCODE_CHECK7, _check7())))
