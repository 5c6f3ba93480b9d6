"""The aten sweep's sixth pair of real-code groups: `realcode-more4` (fitted) and `realcode-check6` (blind).

`realcode-more4` fits what the fifth blind check showed the vocabulary lacks or misprices, at spreads of shapes:
GroupNorm (native_group_norm: a block per (sample, group) walking its moments, then the scale and shift), casts to and
from int64 (masks and indices to long, positions to fp32), GQA's broadcast matmul (the expanded keys cloned), decode
scores over a token count not a multiple of 8, attention values at such counts.

`realcode-check6`, the sixth blind check of everyday PyTorch inference code:

Each case is one op or a short idiom as model code writes it (projections, attention scores and values, norms,
activations, softmax, MoE routing, sampling, gathers, reductions, masks, rotary multiplies, casts, KV-cache
concatenation, GQA expansion, layout copies, padding), at the widths of models no earlier group uses: Llama-3.2-3B
(24 heads of 128, 3 q heads a KV head), Qwen3-4B (per-head q/k RMSNorm), Gemma-3-4B (8 heads of 256, a 262144-token
vocabulary), OLMoE-1B-7B (64 experts, top-8), DeepSeek-Coder-1.3B, MPT-7B (ALiBi, LayerNorm without bias),
SigLIP-so400m (729 tokens, heads of 72), the Audio Spectrogram Transformer (1214 tokens), SegFormer-B2 (efficient
attention over a reduced key sequence), DiT-XL/2 (adaLN modulation), PoolFormer-S12 and an FCOS head (GroupNorm), at
inference batches and token counts. The group is never fitted: it is traced on the meta device, timed on the GPU and
only scored. The builder (hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any
case equal to one of theirs, so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_MORE4, REALCODE_CHECK6 = "realcode-more4", "realcode-check6"


def _more4():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()
    bf, f16, f32, b8, i32 = torch.bfloat16, torch.float16, torch.float32, torch.bool, torch.int32

    def gn(x, w, b, g):
        return F.group_norm(x, g, w, b)

    out = [("group_norm", lambda x, w, b, g=g: gn(x, w, b, g), (m(*s, dt=dt), m(s[1], dt=dt), m(s[1], dt=dt)))
           for s, g, dt in (((1, 128, 64, 64), 32, f16), ((2, 256, 32, 32), 32, f32), ((1, 320, 96, 96), 32, f16),
                            ((8, 64, 56, 56), 32, f32), ((4, 512, 1000), 16, f32), ((1, 512, 128, 128), 32, bf),
                            ((16, 32, 16, 16), 8, bf), ((2, 640, 16, 16), 32, bf), ((1, 64, 256, 256), 32, f16),
                            ((32, 96, 28, 28), 1, f32))]
    out += [("to_long", lambda x: x.long(), (m(*s, dt=dt),))
            for s, dt in (((4096,), b8), ((1024, 1024), b8), ((16, 1 << 20), b8), ((65536,), i32), ((4, 1 << 20), i32))]
    out += [("to_int32", lambda x: x.int(), (i(*s),)) for s in ((65536,), (4, 1 << 20))]
    out += [("long_to_fp32", lambda x: x.float(), (i(1 << 20),)), ("bool_to_fp32", lambda x: x.float(),
                                                                      (m(4, 1 << 20, dt=b8),))]
    out += [("gqa_broadcast", lambda q, k: q @ k.transpose(-1, -2), (m(*qs), m(*ks)))
            for qs, ks in (((2, 8, 4, 1, 128), (2, 8, 1, 2000, 128)), ((8, 4, 8, 1, 128), (8, 4, 1, 3000, 128)),
                           ((1, 8, 4, 16, 128), (1, 8, 1, 8192, 128)))]
    out += [("decode_scores", lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k), (m(*qs, dt=dt), m(*ks, dt=dt)))
            for qs, ks, dt in (((8, 32, 1, 64), (8, 32, 1025, 64), bf), ((4, 16, 1, 128), (4, 16, 4097, 128), f16),
                               ((32, 8, 1, 64), (32, 8, 777, 64), bf), ((1, 32, 1, 128), (1, 32, 16385, 128), f16))]
    out += [("attn_values", lambda p, v: p @ v, (m(*ps, dt=dt), m(*vs, dt=dt)))
            for ps, vs, dt in (((2, 16, 577, 577), (2, 16, 577, 64), f16), ((8, 12, 197, 197), (8, 12, 197, 64), bf),
                               ((1, 8, 1025, 1025), (1, 8, 1025, 128), f16), ((16, 12, 50, 50), (16, 12, 50, 64), f16))]
    return out


def _check6():
    import torch
    import torch.nn.functional as F

    bf, f16, f32, b8, i32 = torch.bfloat16, torch.float16, torch.float32, torch.bool, torch.int32

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, i = _meta_makers()

    linear, rms, ln = _layer_makers(1e-6, 1e-6)

    # projections: Llama-3.2-3B q_proj over a 777-token prompt, Qwen3-4B decode MLP gate, Gemma-3-4B decode lm_head,
    # MPT-7B fused Wqkv (fp16, no bias), SigLIP-so400m fc1 (fp16, bias), AST qkv (fp32, bias), DiT-XL/2's adaLN
    # modulation (fp16, bias), SegFormer-B2 stage-1 query (fp32, bias), DeepSeek-Coder-1.3B MLP down over a 512-token
    # prompt; a Llama-3.2-3B decode gemv
    out = [("linear", linear, (m(777, 3072), m(3072, 3072))),
           ("linear", linear, (m(8, 2560), m(9728, 2560))),
           ("linear", linear, (m(4, 2560), m(262144, 2560))),
           ("linear", linear, (m(2000, 4096, dt=f16), m(12288, 4096, dt=f16))),
           ("linear_bias", linear, (m(2916, 1152, dt=f16), m(4304, 1152, dt=f16), m(4304, dt=f16))),
           ("linear_bias", linear, (m(2428, 768, dt=f32), m(2304, 768, dt=f32), m(2304, dt=f32))),
           ("linear_bias", linear, (m(32, 1152, dt=f16), m(6912, 1152, dt=f16), m(6912, dt=f16))),
           ("linear_bias", linear, (m(65536, 64, dt=f32), m(64, 64, dt=f32), m(64, dt=f32))),
           ("linear", linear, (m(512, 5504), m(2048, 5504))),
           ("mv", torch.mv, (m(3072, 8192), m(8192)))]
    # attention scores and values: Llama-3.2-3B GQA decode with the query groups as a dim (3 q heads a KV head),
    # SigLIP-so400m (16 heads of 72 over 729 tokens, fp16), AST (12 heads folded into the batch, fp32, 1214 tokens),
    # DiT-XL/2 values (256 tokens, fp16), Gemma-3-4B decode by einsum (heads of 256), SegFormer-B2 stage 1 (16384
    # queries over 256 reduced keys, fp32), MPT-7B prefill values
    out += [("gqa_scores", lambda q, k: q @ k.transpose(-1, -2), (m(8, 8, 3, 1, 128), m(8, 8, 1, 2500, 128))),
            ("bmm_scores", lambda q, k: q @ k.transpose(-1, -2), (m(4, 16, 729, 72, dt=f16),
                                                                  m(4, 16, 729, 72, dt=f16))),
            ("bmm_scores", lambda q, k: torch.bmm(q, k.transpose(1, 2)), (m(24, 1214, 64, dt=f32),
                                                                          m(24, 1214, 64, dt=f32))),
            ("attn_values", lambda p, v: p @ v, (m(32, 16, 256, 256, dt=f16), m(32, 16, 256, 72, dt=f16))),
            ("einsum_decode", lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k), (m(8, 8, 1, 256),
                                                                                   m(8, 8, 4100, 256))),
            ("efficient_scores", lambda q, k: q @ k.transpose(-1, -2), (m(4, 1, 16384, 64, dt=f32),
                                                                        m(4, 1, 256, 64, dt=f32))),
            ("attn_values", lambda p, v: p @ v, (m(1, 32, 1000, 1000), m(1, 32, 1000, 128)))]
    # norms: MPT-7B LayerNorm without bias, SigLIP LayerNorm (fp16), SegFormer's LayerNorm over channels (fp32),
    # DiT-XL/2's LayerNorm without affine (fp16); Qwen3-4B per-head q RMSNorm, Llama-3.2-3B decode RMSNorm, Gemma-3
    # RMSNorm in fp32; PoolFormer-S12's GroupNorm(1) and an FCOS head's GroupNorm(32)
    out += [("layer_norm", ln, (m(1000, 4096), m(4096))),
            ("layer_norm", ln, (m(4, 729, 1152, dt=f16), m(1152, dt=f16), m(1152, dt=f16))),
            ("layer_norm", ln, (m(4, 16384, 64, dt=f32), m(64, dt=f32), m(64, dt=f32))),
            ("layer_norm", ln, (m(32, 256, 1152, dt=f16),))]
    out += [("rms_norm", rms, (m(1, 1500, 32, 128), m(128))),
            ("rms_norm", rms, (m(16, 3072), m(3072))),
            ("rms_norm", rms, (m(2000, 2560, dt=f32), m(2560, dt=f32)))]
    out += [("group_norm", lambda x, w, b: F.group_norm(x, 1, w, b, 1e-5), (m(16, 64, 56, 56, dt=f32),
                                                                            m(64, dt=f32), m(64, dt=f32))),
            ("group_norm", lambda x, w, b: F.group_norm(x, 32, w, b, 1e-5), (m(2, 256, 100, 168, dt=f32),
                                                                             m(256, dt=f32), m(256, dt=f32)))]
    # activations: SigLIP's tanh GELU (fp16), AST GELU (erf, fp32), Llama-3.2-3B SwiGLU, Qwen3-4B decode SwiGLU,
    # Gemma-3's GeGLU (tanh GELU)
    out += [("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), (m(2916, 4304, dt=f16),)),
            ("gelu", F.gelu, (m(2428, 3072, dt=f32),)),
            ("silu_mul", lambda a, b: F.silu(a) * b, (m(1024, 8192), m(1024, 8192))),
            ("silu_mul", lambda a, b: F.silu(a) * b, (m(32, 9728), m(32, 9728))),
            ("gelu_tanh_mul", lambda a, b: F.gelu(a, approximate="tanh") * b, (m(512, 10240), m(512, 10240)))]
    # softmax: SigLIP scores (fp16), Qwen3-4B decode (upcast to fp32), SegFormer's efficient attention (fp32),
    # DeepSeek-Coder log-probs
    out += [("softmax", lambda x: torch.softmax(x, -1), (m(4, 16, 729, 729, dt=f16),)),
            ("softmax_fp32", lambda x: torch.softmax(x, -1, dtype=f32), (m(16, 32, 1, 2049),)),
            ("softmax", lambda x: torch.softmax(x, -1), (m(4, 1, 16384, 256, dt=f32),)),
            ("log_softmax", lambda x: torch.log_softmax(x, -1), (m(8, 32256, dt=f32),))]
    # MoE routing: OLMoE-1B-7B over a 1500-token prompt (the router's 64 logits, softmax in fp32, top-8, a one-hot
    # expert mask, one expert's ~187 tokens gathered, its gate_up projection and its output index_added back, the
    # top-8 outputs summed)
    out += [("linear", linear, (m(1500, 2048), m(64, 2048))),
            ("router_softmax", lambda x: F.softmax(x, dim=1, dtype=f32), (m(1500, 64),)),
            ("topk", lambda x: torch.topk(x, 8, -1), (m(1500, 64, dt=f32),)),
            ("expert_mask", lambda idx: F.one_hot(idx, 64).permute(2, 1, 0), (i(1500, 8),)),
            ("index_select", lambda x, idx: x.index_select(0, idx), (m(1500, 2048), i(187))),
            ("linear", linear, (m(187, 2048), m(2048, 2048))),
            ("index_add", lambda x, idx, y: x.index_add_(0, idx, y), (m(1500, 2048), i(187), m(187, 2048))),
            ("sum_topk", lambda x: x.sum(1), (m(1500, 8, 2048),))]
    # sampling: top-k over Gemma-3's vocabulary, top-p (sort, cumsum, the mask scattered back to vocabulary order)
    # over Qwen3-4B's, MPT-7B's and DeepSeek-Coder's, multinomial over Qwen3-4B's, Gemma-3 greedy argmax
    out += [("topk", lambda x: torch.topk(x, 64, -1), (m(4, 262144, dt=f32),)),
            ("sort", lambda x: torch.sort(x, -1, descending=True), (m(8, 151936, dt=f32),)),
            ("cumsum", lambda x: x.cumsum(-1), (m(16, 50432, dt=f32),)),
            ("topp_scatter", lambda x, idx: x.scatter(1, idx, x), (m(32, 32256, dt=b8), i(32, 32256))),
            ("multinomial", lambda x: torch.multinomial(x, 1), (m(4, 151936, dt=f32),)),
            ("argmax", lambda x: x.argmax(-1), (m(16, 262144),))]
    # gathers: Gemma-3 prefill and Qwen3-4B decode embeddings, DeepSeek-Coder chosen-token log-probs, the last real
    # token of each Llama-3.2-3B sequence (x[arange, lengths]), Llama-3.2-3B rotary cos rows at the positions
    out += [("embedding", F.embedding, (i(1, 2000), m(262144, 2560))),
            ("embedding", F.embedding, (i(8, 1), m(151936, 2560))),
            ("gather", lambda x, idx: torch.gather(x, -1, idx), (m(4, 1000, 32256, dt=f32), i(4, 1000, 1))),
            ("last_token", lambda x, b, t: x[b, t], (m(4, 900, 3072), i(4), i(4))),
            ("rope_rows", lambda t, idx: t[idx], (m(8192, 128, dt=f32), i(4, 777)))]
    # reductions: AST mean pooling over its tokens, a max over Gemma-3's vocabulary, SigLIP embedding norms for
    # retrieval, an MPT LayerNorm variance, PoolFormer's global average pool
    out += [("mean_tokens", lambda x: x.mean(1), (m(8, 1214, 768, dt=f32),)),
            ("amax", lambda x: x.amax(-1), (m(4, 262144, dt=f32),)),
            ("norm", lambda x: x.norm(dim=-1, keepdim=True), (m(64, 1152, dt=f32),)),
            ("var", lambda x: x.var(-1, unbiased=False), (m(1000, 4096, dt=f32),)),
            ("avg_pool", lambda x: x.mean((-2, -1)), (m(16, 512, 7, 7, dt=f32),))]
    # broadcasting binaries: Llama-3.2-3B rotary, MPT-7B's ALiBi bias, DiT-XL/2's adaLN modulation and gated
    # residual, Gemma-3's embedding scale, a Llama-3.2-3B decode padding mask, AST's position embeddings
    out += [("rotary_mul", lambda x, c: x * c, (m(1, 24, 777, 128), m(1, 1, 777, 128))),
            ("add_alibi", lambda x, a: x + a, (m(1, 32, 1000, 1000), m(1, 32, 1, 1000))),
            ("adaln_modulate", lambda x, s, t: x * (1 + s.unsqueeze(1)) + t.unsqueeze(1),
             (m(32, 256, 1152, dt=f16), m(32, 1152, dt=f16), m(32, 1152, dt=f16))),
            ("gated_residual", lambda x, g, y: x + g.unsqueeze(1) * y,
             (m(32, 256, 1152, dt=f16), m(32, 1152, dt=f16), m(32, 256, 1152, dt=f16))),
            ("mul_embed_scale", lambda x: x * 2560 ** 0.5, (m(1, 2000, 2560),)),
            ("add_mask", lambda x, y: x + y, (m(8, 24, 1, 2501), m(8, 1, 1, 2501))),
            ("add_pos_embed", lambda x, p: x + p, (m(8, 1214, 768, dt=f32), m(1, 1214, 768, dt=f32)))]
    # masked_fill / where: an MPT-7B padding mask on bf16 scores, a DeepSeek-Coder causal where (fp16), a top-p mask
    # over Gemma-3's sorted probabilities
    out += [("masked_fill", lambda x, k: x.masked_fill(k, torch.finfo(bf).min), (m(2, 32, 1000, 1000),
                                                                                 m(2, 1, 1, 1000, dt=b8))),
            ("where", lambda c, x: torch.where(c, x, float("-inf")), (m(1, 1, 1536, 1536, dt=b8),
                                                                             m(2, 16, 1536, 1536, dt=f16))),
            ("topp_mask", lambda c, x: x.masked_fill(c > 0.9, float("-inf")), (m(4, 262144, dt=f32),
                                                                               m(4, 262144, dt=f32)))]
    # casts: Gemma-3 logits up, Qwen3-4B's fp32 RMSNorm output down, SigLIP images to fp16, an int32 attention mask
    # to long, OLMoE expert ids to int32
    out += [("to_fp32", lambda x: x.float(), (m(4, 262144),)),
            ("to_bf16", lambda x: x.to(bf), (m(1536, 2560, dt=f32),)),
            ("to_fp16", lambda x: x.half(), (m(4, 3, 384, 384, dt=f32),)),
            ("to_long", lambda x: x.long(), (m(8, 2000, dt=i32),)),
            ("to_int32", lambda x: x.int(), (i(1500, 8),))]
    # layout: Llama-3.2-3B KV cache (8 KV heads), AST's class and distillation tokens before its patches, Qwen3-4B
    # rotate_half over the K heads, SegFormer's four decoder scales joined, SegFormer tokens to a channels-first map,
    # SigLIP's heads split out, DiT-XL/2's unpatchify; repeat_kv for Gemma-3 (2 q heads a KV head)
    out += [("cat_kv", lambda a, b: torch.cat([a, b], 2), (m(4, 8, 2500, 128), m(4, 8, 1, 128))),
            ("cat_cls_dist", lambda c, d, x: torch.cat([c.expand(x.shape[0], -1, -1), d.expand(x.shape[0], -1, -1),
                                                        x], 1),
             (m(1, 1, 768, dt=f32), m(1, 1, 768, dt=f32), m(8, 1212, 768, dt=f32))),
            ("rotate_half", lambda x: torch.cat((-x[..., 64:], x[..., :64]), -1), (m(1, 8, 1500, 128),)),
            ("cat_scales", lambda a, b, c, d: torch.cat([a, b, c, d], 1), tuple(m(2, 768, 128, 128, dt=f32)
                                                                                for _ in range(4))),
            ("transpose_contiguous", lambda x: x.transpose(1, 2).contiguous(), (m(4, 16384, 64, dt=f32),)),
            ("split_heads", lambda x: x.view(4, 729, 16, 72).transpose(1, 2).contiguous(), (m(4, 729, 1152, dt=f16),)),
            ("unpatchify", lambda x: x.view(32, 16, 16, 2, 2, 8).permute(0, 5, 1, 3, 2, 4).contiguous(),
             (m(32, 256, 32, dt=f32),)),
            ("repeat_kv", lambda x: x[:, :, None].expand(2, 4, 2, 2000, 256).reshape(2, 8, 2000, 256),
             (m(2, 4, 2000, 256),))]
    # misc: SigLIP's 729 tokens padded to a multiple of 8, a DeepSeek-Coder causal bool mask, MPT's additive causal
    # mask, SigLIP's fp16 clamp
    out += [("pad", lambda x: F.pad(x, (0, 0, 0, 7)), (m(4, 729, 1152, dt=f16),)),
            ("tril", lambda x: torch.tril(x), (m(1536, 1536, dt=b8),)),
            ("triu_mask", lambda x: torch.triu(x, 1), (m(2000, 2000),)),
            ("clamp", lambda x: x.clamp(min=-65504.0, max=65504.0), (m(4, 729, 4304, dt=f16),))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of both groups, as aten_cases' spec functions yield them (the
    fitted group first: the builder drops a check case equal to one of its)."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE4, _more4()), (REALCODE_CHECK6, _check6())))
