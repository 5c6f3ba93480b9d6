"""The aten sweep's eighth blind real-code group: `realcode-check8`, everyday PyTorch inference code.

Each case is one op or a short idiom as model code writes it (projections with and without bias, attention scores
and values through einsum, bmm, baddbmm and SDPA, norms by hand and fused, activations, softmax, MoE routing,
sampling, gathers, pooling, masks, rotary multiplies, casts, KV-cache concatenation and index_copy_, GQA expansion,
layout copies, patch and window reshapes, padding), at the widths of models no earlier group uses: Llama-3.1-405B's
8-way tensor-parallel shards (16 q heads and one KV head a GPU, a 16032-row vocabulary shard), Grok-1 (8 experts,
top-2, tanh-capped attention logits, a gated tanh GELU), Snowflake Arctic (top-2 of 128 experts, sort-based dispatch,
a dense residual MLP), GLM-4.5-Air's router (sigmoid scores with a correction bias, top-8 of 128), Phi-4 (fused
qkv_proj and gate_up_proj, 40 q heads over 10 KV heads), Qwen3-32B (per-head q RMSNorm by hand, 64 q heads),
SantaCoder (multi-query attention: GPTBigCode's folded heads and fused KV cache), ViT-H/14 (257 tokens, heads of 80,
timm's strided qkv into SDPA, patches flattened without a conv), SAM's ViT-H image encoder (14x14 windows over a
padded 64x64 map), SD3's MMDiT (joint attention over 4096 image and 333 text tokens, adaLN modulation, unpatchify),
Stable Video Diffusion's UNet (GroupNorm over 14 frames, temporal attention across them), all-MiniLM-L6-v2 (mean
pooling, L2-normalised retrieval), nomic-embed-text-v1.5, ColBERTv2 (late interaction: the MaxSim einsum, a max over
the document tokens), a bge-reranker-base cross-encoder (XLM-R's 250002-token vocabulary, a padded batch of pairs)
and NLLB-200's beam search, at inference batches and token counts. The group is never fitted: it is traced on the
meta device, timed on the GPU and only scored. The builder (hetsim.calibration.gpu_suite.aten_cases) takes it after
every other group and drops any case equal to one of theirs, so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK8 = "realcode-check8"


def _check8():
    import torch
    import torch.nn.functional as F

    bf, f16, f32, b8 = torch.bfloat16, torch.float16, torch.float32, torch.bool
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, i = _meta_makers()

    linear, rms, ln = _layer_makers(1e-5, 1e-6)

    def qk_norm(x, w):  # transformers' Qwen3RMSNorm over each head: the variance in fp32
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + 1e-6)
        return w * h.to(x.dtype)

    def apply_rope(q, c, s):  # q * cos + rotate_half(q) * sin
        return q * c + torch.cat((-q[..., 64:], q[..., :64]), -1) * s

    def top_p(s):  # transformers' TopPLogitsWarper, p = 0.9
        sorted_logits, sorted_idx = torch.sort(s, descending=False)
        remove = sorted_logits.softmax(-1).cumsum(-1) <= 1 - 0.9
        remove[..., -1:] = 0
        return s.masked_fill(remove.scatter(1, sorted_idx, remove), float("-inf"))

    def mean_pool(x, a):  # sentence-transformers' mean pooling
        k = a.unsqueeze(-1).expand(x.size()).float()
        return torch.sum(x * k, 1) / torch.clamp(k.sum(1), min=1e-9)

    def window_partition(x):  # SAM: the 64x64 map padded to 70x70, then 25 windows of 14x14
        x = F.pad(x, (0, 0, 0, 6, 0, 6))
        return x.view(1, 5, 14, 5, 14, 1280).permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, 14, 14, 1280)

    # projections: Llama-3.1-405B's 8-way shards (a decode q_proj, a 2000-token prefill's gate_proj, the lm_head
    # shard), one Grok-1 expert's w1 over its ~194 routed tokens, Arctic's router over 1500 tokens, Phi-4's fused
    # qkv_proj over a 1234-token prompt and its fused gate_up_proj at decode, Qwen3-32B q_proj (5120 -> 64 heads of
    # 128) over 900 tokens, SantaCoder's decode c_attn (q plus one KV head, fp16, bias), ViT-H/14 qkv (fp16, bias),
    # SAM's window qkv (fp32, bias), SD3's MMDiT fc1 (fp16, bias), NLLB's beam-search lm_head (fp16); Arctic's dense
    # residual MLP at batch 1 (a gemv)
    out = [("linear", linear, (m(16, 16384), m(2048, 16384))),
           ("linear", linear, (m(2000, 16384), m(6656, 16384))),
           ("linear", linear, (m(16, 16384), m(16032, 16384))),
           ("linear", linear, (m(194, 6144), m(32768, 6144))),
           ("linear", linear, (m(1500, 7168), m(128, 7168))),
           ("linear", linear, (m(1234, 5120), m(7680, 5120))),
           ("linear", linear, (m(8, 5120), m(35840, 5120))),
           ("linear", linear, (m(900, 5120), m(8192, 5120))),
           ("linear_bias", linear, (m(12, 1, 2048, dt=f16), m(2304, 2048, dt=f16), m(2304, dt=f16))),
           ("linear_bias", linear, (m(64, 257, 1280, dt=f16), m(3840, 1280, dt=f16), m(3840, dt=f16))),
           ("linear_bias", linear, (m(25, 14, 14, 1280, dt=f32), m(3840, 1280, dt=f32), m(3840, dt=f32))),
           ("linear_bias", linear, (m(2, 4096, 1536, dt=f16), m(6144, 1536, dt=f16), m(6144, dt=f16))),
           ("linear", linear, (m(32, 1024, dt=f16), m(256206, 1024, dt=f16))),
           ("mv", torch.mv, (m(4864, 7168), m(7168)))]
    # attention: a Llama-3.1-405B decode shard through SDPA (16 q heads on one KV head, enable_gqa), Phi-4's causal
    # prefill through SDPA (enable_gqa), Grok-1's grouped scores and values by einsum (6 q heads a KV head, 777
    # tokens), SantaCoder's multi-query decode (the heads folded into the query rows: baddbmm with beta 0, then bmm),
    # ViT-H/14 through SDPA with timm's strided q, k, v, SD3's joint attention over 4096 + 333 tokens, the
    # reranker's padded batch of 64 pairs (an expanded additive mask), SVD's temporal attention over 14 frames at
    # every latent pixel (strided head views)
    out += [("sdpa_gqa_decode", lambda q, k, v: sdpa(q, k, v, enable_gqa=True),
             (m(16, 16, 1, 128), m(16, 1, 4000, 128), m(16, 1, 4000, 128))),
            ("sdpa_gqa_causal", lambda q, k, v: sdpa(q, k, v, is_causal=True, enable_gqa=True),
             (m(1, 40, 1234, 128), m(1, 10, 1234, 128), m(1, 10, 1234, 128))),
            ("einsum_gqa_scores", lambda q, k: torch.einsum("bkgqd,bktd->bkgqt", q, k),
             (m(1, 8, 6, 777, 128), m(1, 8, 777, 128))),
            ("einsum_gqa_values", lambda p, v: torch.einsum("bkgqt,bktd->bkgqd", p, v),
             (m(1, 8, 6, 777, 777), m(1, 8, 777, 128))),
            ("mqa_baddbmm", lambda e, q, k: torch.baddbmm(e, q, k.transpose(1, 2), beta=0, alpha=128 ** -0.5),
             (m(12, 16, 1500, dt=f16), m(12, 16, 128, dt=f16), m(12, 1500, 128, dt=f16))),
            ("mqa_values", torch.bmm, (m(12, 16, 1500, dt=f16), m(12, 1500, 128, dt=f16))),
            ("sdpa_timm_qkv", lambda x: sdpa(*x.reshape(64, 257, 3, 16, 80).permute(2, 0, 3, 1, 4).unbind(0)),
             (m(64, 257, 3840, dt=f16),)),
            ("sdpa_joint", sdpa, (m(2, 24, 4429, 64, dt=f16), m(2, 24, 4429, 64, dt=f16),
                                  m(2, 24, 4429, 64, dt=f16))),
            ("sdpa_pad_mask", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a.expand(64, 1, 512, 512)),
             (m(64, 12, 512, 64, dt=f16), m(64, 12, 512, 64, dt=f16), m(64, 12, 512, 64, dt=f16),
              m(64, 1, 1, 512, dt=f16))),
            ("sdpa_temporal", lambda q, k, v: sdpa(*(t.view(18432, 14, 5, 64).transpose(1, 2) for t in (q, k, v))),
             (m(18432, 14, 320, dt=f16), m(18432, 14, 320, dt=f16), m(18432, 14, 320, dt=f16)))]
    # softmax: Grok-1's tanh soft-cap (the logits times 0.0884 in fp32, capped at 30), then softmax and back to bf16;
    # a Qwen3-32B decode (upcast to fp32, back to bf16)
    out += [("softcap_fp32", lambda s: 30.0 * torch.tanh(s.float() * 0.08838834764831845 / 30.0),
             (m(1, 48, 777, 777),)),
            ("softmax_to_bf16", lambda s: F.softmax(s, dim=-1).to(bf), (m(1, 48, 777, 777, dt=f32),)),
            ("softmax_fp32", lambda s: F.softmax(s, dim=-1, dtype=f32).to(bf), (m(8, 64, 1, 2047),))]
    # norms: Llama-3.1-405B RMSNorm (F.rms_norm) at decode and over a prefill; Qwen3-32B's per-head q norm by hand
    # over a prefill; SantaCoder's LayerNorm (fp16, bias), ViT-H's (fp16), SD3's adaLN LayerNorm without affine
    # (fp16), all-MiniLM's (fp32); SVD's GroupNorm(32) over 2 x 14 frames at 320 and 640 channels (fp16)
    out += [("rms_norm", rms, (m(16, 16384), m(16384))),
            ("rms_norm", rms, (m(4, 2000, 16384), m(16384))),
            ("qk_rms_norm", qk_norm, (m(1, 900, 64, 128), m(128))),
            ("layer_norm", ln, (m(3, 333, 2048, dt=f16), m(2048, dt=f16), m(2048, dt=f16))),
            ("layer_norm", ln, (m(64, 257, 1280, dt=f16), m(1280, dt=f16), m(1280, dt=f16))),
            ("layer_norm", ln, (m(2, 4096, 1536, dt=f16),)),
            ("layer_norm", ln, (m(64, 256, 384, dt=f32), m(384, dt=f32), m(384, dt=f32))),
            ("group_norm", lambda x, w, b: F.group_norm(x, 32, w, b, 1e-5), (m(28, 320, 72, 128, dt=f16),
                                                                             m(320, dt=f16), m(320, dt=f16))),
            ("group_norm", lambda x, w, b: F.group_norm(x, 32, w, b, 1e-5), (m(28, 640, 36, 64, dt=f16),
                                                                             m(640, dt=f16), m(640, dt=f16)))]
    # activations: a Llama-3.1-405B shard's SwiGLU at decode, Phi-4's gate_up chunked over a prefill (up times
    # SiLU(gate)), Grok-1's gated tanh GELU over one expert's tokens, ViT-H's erf GELU (fp16), SD3's tanh GELU (fp16)
    out += [("silu_mul", lambda a, b: F.silu(a) * b, (m(16, 6656), m(16, 6656))),
            ("gate_up_chunk", lambda x: (lambda g, u: u * F.silu(g))(*x.chunk(2, dim=-1)), (m(1, 1234, 35840),)),
            ("gelu_tanh_mul", lambda a, b: F.gelu(a, approximate="tanh") * b, (m(194, 32768), m(194, 32768))),
            ("gelu", F.gelu, (m(64, 257, 5120, dt=f16),)),
            ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), (m(2, 4096, 6144, dt=f16),))]
    # rotary: a Llama-3.1-405B decode shard's q (cos and sin multiplies, rotate_half by cat), nomic's keys in (batch,
    # tokens, heads, dims) times cos broadcast over the heads (fp16)
    out += [("apply_rope", apply_rope, (m(16, 16, 1, 128), m(16, 1, 1, 128), m(16, 1, 1, 128))),
            ("rotary_mul", lambda x, c: x * c[:, :, None, :], (m(16, 2048, 12, 64, dt=f16), m(1, 2048, 64, dt=f16)))]
    # KV caches and GQA: Llama-3.1-405B's static cache written at the decode position (index_copy_), Qwen3-32B's
    # written over a 900-token prompt, Phi-4's dynamic cache grown by a token, SantaCoder's fused cache (keys and
    # values side by side, one head, fp16), NLLB's beam reorder of the self-attention cache (fp16); Phi-4's repeat_kv
    # over a prefill (4 q heads a KV head)
    out += [("index_copy", lambda c, p, k: c.index_copy_(2, p, k), (m(16, 1, 8192, 128), i(1), m(16, 1, 1, 128))),
            ("index_copy", lambda c, p, k: c.index_copy_(2, p, k), (m(1, 8, 4096, 128), i(900), m(1, 8, 900, 128))),
            ("cat_kv", lambda a, b: torch.cat([a, b], dim=-2), (m(4, 10, 1234, 128), m(4, 10, 1, 128))),
            ("cat_kv", lambda a, b: torch.cat((a, b), dim=-2), (m(12, 1500, 256, dt=f16), m(12, 1, 256, dt=f16))),
            ("beam_reorder", lambda c, b: c.index_select(0, b), (m(32, 16, 40, 64, dt=f16), i(32))),
            ("repeat_kv", lambda x: x[:, :, None].expand(1, 10, 4, 1234, 128).reshape(1, 40, 1234, 128),
             (m(1, 10, 1234, 128),))]
    # masks: a Llama-3.1-405B prefill's causal mask (triu of the fill value) with the padding folded in (transformers'
    # legacy _update_causal_mask), Grok-1's causal where on fp32 logits, all-MiniLM's padding masked_fill on fp32
    # scores
    out += [("triu_mask", lambda x: torch.triu(x, 1), (m(2000, 2000, dt=f32),)),
            ("pad_causal_mask", lambda c, a: c.masked_fill((c + a[:, None, None, :]) == 0, -3.0e38),
             (m(4, 1, 2000, 2000, dt=f32), i(4, 2000))),
            ("where_causal", lambda c, s: torch.where(c, s, torch.finfo(f32).min), (m(1, 1, 777, 777, dt=b8),
                                                                                   m(1, 48, 777, 777, dt=f32))),
            ("masked_fill", lambda s, k: s.masked_fill(k, float("-inf")), (m(64, 12, 256, 256, dt=f32),
                                                                           m(64, 1, 1, 256, dt=b8)))]
    # MoE routing: Grok-1 over 777 tokens (8 logits, softmax in fp32, top-2, an expert's ~194 tokens gathered and its
    # output index_added back); Arctic's top-2 of 128 experts over 1500 tokens (the tokens per expert from a one-hot,
    # no bincount; a stable sort of the expert ids, the tokens permuted into expert order); GLM-4.5-Air's router over
    # 2048 tokens (sigmoid scores plus the correction bias, top-8 of 128)
    out += [("router_softmax", lambda x: F.softmax(x, dim=1, dtype=f32), (m(777, 8),)),
            ("topk", lambda x: torch.topk(x, 2, dim=-1), (m(777, 8, dt=f32),)),
            ("expert_rows", lambda x, t: x[t], (m(777, 6144), i(194))),
            ("index_add", lambda f, t, h: f.index_add_(0, t, h), (m(777, 6144), i(194), m(194, 6144))),
            ("tokens_per_expert", lambda idx: F.one_hot(idx.flatten(), 128).sum(0), (i(1500, 2),)),
            ("sort_experts", lambda idx: torch.sort(idx.flatten(), stable=True), (i(1500, 2),)),
            ("permute_tokens", lambda x, order: x[order // 2], (m(1500, 7168), i(3000))),
            ("sigmoid_bias", lambda x, b: x.sigmoid() + b, (m(2048, 128, dt=f32), m(128, dt=f32))),
            ("topk", lambda x: torch.topk(x, 8, dim=-1, sorted=False), (m(2048, 128, dt=f32),))]
    # sampling: a temperature over Grok-1's vocabulary; top-p over Phi-4's (sort, softmax, cumsum, the mask scattered
    # back to vocabulary order) and its probabilities sampled; Qwen3-32B's greedy argmax; vLLM's output-token counts
    # for its penalties (scatter_add_ into a vocabulary-wide row); NLLB's beam step (log-probs in fp32, then top-8
    # over 4 beams' vocabularies)
    out += [("temperature", lambda x: x / 0.7, (m(8, 131072, dt=f32),)),
            ("top_p", top_p, (m(16, 100352, dt=f32),)),
            ("multinomial", lambda p: torch.multinomial(p, num_samples=1), (m(16, 100352, dt=f32),)),
            ("argmax", lambda x: torch.argmax(x, dim=-1), (m(32, 151936),)),
            ("token_counts", lambda c, ids: c.scatter_add_(1, ids, torch.ones_like(ids)), (i(16, 100353),
                                                                                         i(16, 1500))),
            ("log_softmax", lambda x: F.log_softmax(x.float(), dim=-1), (m(32, 256206, dt=f16),)),
            ("beam_topk", lambda x: torch.topk(x.view(8, 4 * 256206), 8, dim=1, largest=True, sorted=True),
             (m(32, 256206, dt=f32),))]
    # embeddings and positions: SantaCoder's token embeddings over a 333-token prompt (fp16), the reranker's word
    # embeddings over XLM-R's 250002-token vocabulary (fp16), NLLB's sinusoidal positions by index_select at the
    # decode step, position ids from a left-padded attention mask (cumsum, then the pads set to 1)
    out += [("embedding", F.embedding, (i(3, 333), m(49280, 2048, dt=f16))),
            ("embedding", F.embedding, (i(64, 512), m(250002, 768, dt=f16))),
            ("sinusoidal_positions", lambda w, p: w.index_select(0, p.view(-1)).view(32, 1, -1),
             (m(1026, 1024, dt=f32), i(32, 1))),
            ("position_ids", lambda a: (a.long().cumsum(-1) - 1).masked_fill_(a == 0, 1), (i(16, 4000),))]
    # pooling and retrieval: all-MiniLM's mean pooling (fp32), a 100000-passage corpus of its embeddings
    # L2-normalised, dense retrieval scores of 64 queries over it and their top-100; ColBERT's MaxSim (einsum of 32
    # query tokens with 1000 documents' 180, max over the document tokens, sum over the query's, fp16)
    out += [("mean_pool", mean_pool, (m(64, 256, 384, dt=f32), i(64, 256))),
            ("normalize", lambda x: F.normalize(x, p=2, dim=1), (m(100000, 384, dt=f32),)),
            ("retrieval_scores", lambda q, d: q @ d.T, (m(64, 384, dt=f32), m(100000, 384, dt=f32))),
            ("topk", lambda x: torch.topk(x, 100, dim=-1), (m(64, 100000, dt=f32),)),
            ("maxsim", lambda q, d: torch.einsum("qd,nsd->nqs", q, d).max(-1).values.sum(-1),
             (m(32, 128, dt=f16), m(1000, 180, 128, dt=f16)))]
    # layout: ViT-H/14 patches flattened conv-free (64 images of 224x224, fp16); SAM's window partition (padded to
    # 70x70, fp32); SD3's q of image and text tokens joined from their strided head views, and unpatchify (an einsum
    # that only permutes); SVD's frames moved next to each other for temporal attention; a Llama-3.1-405B prefill's
    # heads back to tokens
    out += [("patch_flatten", lambda x: x.reshape(64, 3, 16, 14, 16, 14).permute(0, 2, 4, 1, 3, 5).reshape(64, 256,
                                                                                                            588),
             (m(64, 3, 224, 224, dt=f16),)),
            ("window_partition", window_partition, (m(1, 64, 64, 1280, dt=f32),)),
            ("joint_cat", lambda a, b: torch.cat([a.view(2, 4096, 24, 64).transpose(1, 2),
                                                  b.view(2, 333, 24, 64).transpose(1, 2)], dim=2),
             (m(2, 4096, 1536, dt=f16), m(2, 333, 1536, dt=f16))),
            ("unpatchify", lambda x: torch.einsum("nhwpqc->nchpwq", x.reshape(2, 64, 64, 2, 2, 16)).reshape(
                2, 16, 128, 128), (m(2, 4096, 64, dt=f16),)),
            ("frames_together", lambda x: x.reshape(2, 14, 9216, 320).permute(0, 2, 1, 3).reshape(18432, 14, 320),
             (m(28, 9216, 320, dt=f16),)),
            ("heads_to_tokens", lambda x: x.transpose(1, 2).reshape(4, 2000, 2048), (m(4, 16, 2000, 128),))]
    # broadcasting binaries: SD3's adaLN modulation (a scale and shift a sample, fp16)
    out += [("modulate", lambda x, sc, sh: x * (1 + sc[:, None]) + sh[:, None],
             (m(2, 4096, 1536, dt=f16), m(2, 1536, dt=f16), m(2, 1536, dt=f16)))]
    # padding and casts: the reranker's collated ids padded to 512 with its pad id, nomic's batch right-padded to 2048
    # tokens (fp16); a Llama-3.1-405B logits shard to fp32
    out += [("pad_ids", lambda x: F.pad(x, (0, 115), value=1), (i(64, 397),)),
            ("pad", lambda x: F.pad(x, (0, 0, 0, 301)), (m(16, 1747, 768, dt=f16),)),
            ("to_fp32", lambda x: x.float(), (m(16, 16032),))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK8, _check8()),))
