"""The aten sweep's fourth pair of real-code groups: `realcode-more3` (fitted) and `realcode-check4` (blind).

`realcode-more3` fits what the third blind check (`realcode-check3`) showed the vocabulary lacks, at spreads of sizes
and dtypes: elementwise math (GELU's erf, tanh, sigmoid and SiLU's exp, exp, log, sine: an element rate beside the
bytes, `pointwise_math`) beside cheap elementwise ops at the same sizes (the bytes, from the L2 or from HBM), argmax
over an outer dim, and fp16 / bf16 attention-score GEMMs at unaligned token counts.

`realcode-check4`, the fourth blind check of everyday PyTorch inference code:
Each case is one op or a short idiom as model code writes it (projections, attention scores and values, norms,
activations, softmax, MoE routing, sampling, gathers, reductions, masks, rotary multiplies, casts, KV-cache
concatenation, GQA expansion, layout copies, padding), at the widths of models no earlier group uses: Qwen3-30B-A3B
(128 experts, top-8), Llama-4-Scout (16 experts, top-1), OLMo-2-7B, InternLM2-7B, Yi-6B, Command-R, ChatGLM3-6B
(seq-first, multi-query with 2 groups), Wav2Vec2-base, BLIP's ViT-L/16, BLOOM-560m, a BiT ResNet (GroupNorm) and
ConvNeXt-T (channels-last), at inference batches and token counts. The group is never fitted: it is traced on the
meta device, timed on the GPU and only scored. The builder (hetsim.calibration.gpu_suite.aten_cases) takes it after
every other group and drops any case equal to one of theirs, so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_MORE3, REALCODE_CHECK4 = "realcode-more3", "realcode-check4"


def _more3():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, _ = _meta_makers()
    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    # the element-rate key's ops, and rsqrt beside them (one special-function instruction: priced as cheap)
    unary = (("gelu", F.gelu), ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh")), ("silu", F.silu),
                ("sigmoid", torch.sigmoid), ("tanh", torch.tanh), ("exp", torch.exp), ("erf", torch.erf),
                ("sin", torch.sin), ("log", torch.log), ("rsqrt", torch.rsqrt))
    cheap_ops = (("neg", torch.neg), ("relu", F.relu), ("mul_scalar", lambda x: x * 0.5),
                 ("clamp", lambda x: x.clamp(-4.0, 4.0)))
    sizes = ((256, 4096), (2048, 4096), (8192, 4096), (32768, 4096))
    out = [(name, fn, (m(*s, dt=dt),)) for name, fn in unary for s, dt in zip(sizes, (bf, f16, f32, bf),
                                                                                   strict=True)]
    out += [(name, fn, (m(*s, dt=dt),)) for name, fn in unary[:3] for s, dt in zip(sizes, (f32, bf, f16, f16),
                                                                                        strict=True)]
    out += [(name, fn, (m(*s, dt=dt),)) for name, fn in cheap_ops for s, dt in zip(sizes, (bf, f32, bf, f16),
                                                                                    strict=True)]
    out += [("add", lambda a, b: a + b, (m(*s, dt=dt), m(*s, dt=dt))) for s, dt in zip(sizes, (f16, bf, f32, bf),
                                                                                        strict=True)]
    out += [("argmax_dim0", lambda x: x.argmax(0), (m(r, c, dt=dt),))
            for r, c, dt in ((64, 4096, bf), (1024, 256, f32), (8192, 512, bf), (16, 65536, f16))]
    out += [("bmm_scores", lambda q, k: q @ k.transpose(-1, -2), (m(*s, dt=dt), m(*s, dt=dt)))
            for s, dt in (((16, 12, 197, 64), bf), ((2, 16, 577, 64), f16), ((64, 8, 50, 64), f16),
                          ((1, 32, 2049, 128), f16), ((8, 16, 129, 64), bf))]
    return out


def _check4():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, i = _meta_makers()
    bf, f16, f32, b8, i32 = torch.bfloat16, torch.float16, torch.float32, torch.bool, torch.int32

    linear, rms, ln = _layer_makers(1e-6)

    # projections: Qwen3-30B-A3B decode q_proj and one expert's gate_up over the 37 tokens routed to it, Llama-4-Scout's
    # router, InternLM2-7B decode fused wqkv (fp16), ChatGLM3 query_key_value (fp16, bias), Wav2Vec2 feature projection
    # (fp32, bias), BLIP ViT-L/16 fc1 at 384px (fp16, bias), Command-R decode MLP gate, ConvNeXt-T pwconv1 over
    # channels-last pixels (fp32, bias); a Yi-6B decode gemv
    out = [("linear", linear, (m(8, 2048), m(4096, 2048))),
           ("linear", linear, (m(37, 2048), m(1536, 2048))),
           ("linear", linear, (m(2048, 5120), m(16, 5120))),
           ("linear", linear, (m(16, 4096, dt=f16), m(6144, 4096, dt=f16))),
           ("linear_bias", linear, (m(2048, 4096, dt=f16), m(4608, 4096, dt=f16), m(4608, dt=f16))),
           ("linear_bias", linear, (m(1996, 512, dt=f32), m(768, 512, dt=f32), m(768, dt=f32))),
           ("linear_bias", linear, (m(4616, 1024, dt=f16), m(4096, 1024, dt=f16), m(4096, dt=f16))),
           ("linear", linear, (m(2, 8192), m(22528, 8192))),
           ("linear_bias", linear, (m(25088, 96, dt=f32), m(384, 96, dt=f32), m(384, dt=f32))),
           ("mv", torch.mv, (m(4096, 11008), m(11008)))]
    # attention scores and values: Qwen3 GQA decode with the query groups as a dim (8 q heads a KV head, broadcast
    # over K), BLIP ViT-L/16 at 384px (16 heads of 64, 577 tokens, fp16), Wav2Vec2 (12 heads folded into the batch,
    # fp32, 10 s of audio: 499 frames), Command-R prefill values, Llama-4-Scout speculative decode (4 tokens)
    out += [("gqa_scores", lambda q, k: q @ k.transpose(-1, -2), (m(2, 4, 8, 1, 128), m(2, 4, 1, 3000, 128))),
            ("bmm_scores", lambda q, k: q @ k.transpose(-1, -2), (m(8, 16, 577, 64, dt=f16),
                                                                  m(8, 16, 577, 64, dt=f16))),
            ("attn_values", lambda p, v: p @ v, (m(8, 16, 577, 577, dt=f16), m(8, 16, 577, 64, dt=f16))),
            ("bmm_scores", lambda q, k: torch.bmm(q, k.transpose(1, 2)), (m(48, 499, 64, dt=f32),
                                                                          m(48, 499, 64, dt=f32))),
            ("attn_values", lambda p, v: p @ v, (m(1, 64, 1024, 1024), m(1, 64, 1024, 128))),
            ("einsum_spec", lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k), (m(2, 40, 4, 128),
                                                                                 m(2, 40, 8192, 128)))]
    # norms: Command-R LayerNorm (no bias), BLIP LayerNorm (fp16), ConvNeXt LayerNorm over channels-last pixels;
    # Qwen3 per-head q RMSNorm, Llama-4 decode RMSNorm, OLMo-2 RMSNorm in fp32; Wav2Vec2's first conv GroupNorm (one
    # group a channel, 20 s of audio) and a BiT ResNet GroupNorm(32)
    out += [("layer_norm", ln, (m(512, 8192), m(8192))),
            ("layer_norm", ln, (m(8, 577, 1024, dt=f16), m(1024, dt=f16), m(1024, dt=f16))),
            ("layer_norm", ln, (m(8, 56, 56, 96, dt=f32), m(96, dt=f32), m(96, dt=f32)))]
    out += [("rms_norm", rms, (m(1, 2048, 32, 128), m(128))),
            ("rms_norm", rms, (m(3, 5120), m(5120))),
            ("rms_norm", rms, (m(6000, 4096, dt=f32), m(4096, dt=f32)))]
    out += [("group_norm", lambda x, w, b: F.group_norm(x, 512, w, b, 1e-5), (m(4, 512, 63999, dt=f32),
                                                                              m(512, dt=f32), m(512, dt=f32))),
            ("group_norm", lambda x, w, b: F.group_norm(x, 32, w, b, 1e-5), (m(8, 256, 56, 56, dt=f16),
                                                                             m(256, dt=f16), m(256, dt=f16)))]
    # activations: BLIP GELU (erf), BLOOM-560m's tanh GELU, SwiGLU (the Llama-4 shared expert; ChatGLM3's over the two
    # halves of one projection), a ResNet ReLU, Llama-4's router sigmoid (through fp32)
    out += [("gelu", F.gelu, (m(4616, 4096, dt=f16),)),
            ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), (m(4, 128, 4096),)),
            ("silu_mul", lambda a, b: F.silu(a) * b, (m(2048, 8192), m(2048, 8192))),
            ("swiglu_chunk", lambda x: F.silu(x[..., :13696]) * x[..., 13696:], (m(512, 27392, dt=f16),)),
            ("relu", F.relu, (m(32, 256, 56, 56, dt=f16),)),
            ("router_sigmoid", lambda x: torch.sigmoid(x.float()).to(x.dtype), (m(16, 2048),))]
    # softmax: BLIP scores (fp16), Command-R decode (upcast to fp32), InternLM2 log-probs, Wav2Vec2 CTC log-probs over
    # 32 characters
    out += [("softmax", lambda x: torch.softmax(x, -1), (m(8, 16, 577, 577, dt=f16),)),
            ("softmax_fp32", lambda x: torch.softmax(x, -1, dtype=f32), (m(8, 64, 1, 3000),)),
            ("log_softmax", lambda x: torch.log_softmax(x, -1), (m(4, 92544, dt=f32),)),
            ("log_softmax", lambda x: torch.log_softmax(x, -1), (m(8, 499, 32, dt=f32),))]
    # MoE routing: Qwen3-30B-A3B (softmax in fp32 over 128 experts, top-8, a one-hot expert mask, one expert's tokens
    # gathered and its output index_added back), Llama-4-Scout (top-1 of 16, the scores scattered into a -inf row)
    out += [("router_softmax", lambda x: F.softmax(x, dim=1, dtype=f32), (m(4096, 128),)),
            ("topk", lambda x: torch.topk(x, 8, -1), (m(4096, 128, dt=f32),)),
            ("expert_mask", lambda idx: F.one_hot(idx, 128).permute(2, 1, 0), (i(4096, 8),)),
            ("index_select", lambda x, idx: x.index_select(0, idx), (m(4096, 2048), i(291))),
            ("index_add", lambda x, idx, y: x.index_add_(0, idx, y), (m(4096, 2048), i(291), m(291, 2048))),
            ("topk", lambda x: torch.topk(x, 1, -1), (m(2048, 16),)),
            ("router_scatter", lambda x, idx, v: torch.full_like(x, float("-inf")).scatter_(1, idx, v),
             (m(2048, 16), i(2048, 1), m(2048, 1)))]
    # sampling: top-k over Llama-4's vocabulary, top-p (sort, cumsum, the mask scattered back to vocabulary order)
    # over OLMo-2's and Command-R's, multinomial over InternLM2's, ChatGLM3 greedy argmax over bf16 logits
    out += [("topk", lambda x: torch.topk(x, 50, -1), (m(4, 202048, dt=f32),)),
            ("sort", lambda x: torch.sort(x, -1, descending=True), (m(8, 100352, dt=f32),)),
            ("cumsum", lambda x: x.cumsum(-1), (m(2, 256000, dt=f32),)),
            ("topp_scatter", lambda x, idx: x.scatter(1, idx, x), (m(8, 100352, dt=b8), i(8, 100352))),
            ("multinomial", lambda x: torch.multinomial(x, 1), (m(8, 92544, dt=f32),)),
            ("argmax", lambda x: x.argmax(-1), (m(32, 65024),))]
    # gathers: Qwen3 prefill and InternLM2 decode embeddings, Yi-6B chosen-token log-probs, the last real token of
    # each sequence (x[arange, lengths]), Llama-4 rotary cos rows at the positions
    out += [("embedding", F.embedding, (i(1, 4096), m(151936, 2048))),
            ("embedding", F.embedding, (i(16, 1), m(92544, 4096))),
            ("gather", lambda x, idx: torch.gather(x, -1, idx), (m(4, 512, 64000, dt=f32), i(4, 512, 1))),
            ("last_token", lambda x, b, t: x[b, t], (m(16, 1024, 4096), i(16), i(16))),
            ("index_select", lambda x, idx: x.index_select(0, idx), (m(8192, 128, dt=f32), i(512)))]
    # reductions: Wav2Vec2 mean pooling over frames, a max over Command-R's vocabulary, ConvNeXt's channels-first
    # LayerNorm mean over channels, BLIP retrieval embedding norms, a LayerNorm variance, the max of BLIP's attention
    # maps over heads
    out += [("mean_tokens", lambda x: x.mean(1), (m(8, 499, 768, dt=f32),)),
            ("amax", lambda x: x.amax(-1), (m(12, 256000, dt=f32),)),
            ("mean_channels", lambda x: x.mean(1, keepdim=True), (m(8, 384, 28, 28, dt=f32),)),
            ("norm", lambda x: x.norm(dim=-1, keepdim=True), (m(4096, 256, dt=f32),)),
            ("var", lambda x: x.var(-1, unbiased=False), (m(4616, 1024, dt=f32),)),
            ("amax_heads", lambda x: x.amax(1), (m(8, 16, 577, 577, dt=f16),))]
    # broadcasting binaries: Qwen3 rotary, ChatGLM3's rotary over half of each head (seq-first, a strided input), a
    # Yi decode padding mask, Command-R's logit scale, Wav2Vec2's positional conv added through a transpose,
    # ConvNeXt's layer scale
    out += [("rotary_mul", lambda x, c: x * c, (m(1, 32, 2048, 128), m(1, 1, 2048, 128))),
            ("rotary_half_mul", lambda x, c: x[..., :64] * c, (m(2048, 1, 32, 128, dt=f16),
                                                               m(2048, 1, 1, 64, dt=f16))),
            ("add_mask", lambda x, y: x + y, (m(16, 32, 1, 1500), m(16, 1, 1, 1500))),
            ("mul_logit_scale", lambda x: x * 0.0625, (m(16, 256000),)),
            ("add_pos_conv", lambda x, p: x + p.transpose(1, 2), (m(8, 499, 768, dt=f32), m(8, 768, 499, dt=f32))),
            ("mul_layer_scale", lambda x, g: g * x, (m(8, 28, 28, 192, dt=f32), m(192, dt=f32)))]
    # masked_fill / where: Wav2Vec2's padding mask on fp32 scores, a top-p mask over sorted probabilities, Command-R
    # speculative-decode causal where
    out += [("masked_fill", lambda x, k: x.masked_fill(k, torch.finfo(f32).min), (m(8, 12, 499, 499, dt=f32),
                                                                                  m(8, 1, 1, 499, dt=b8))),
            ("topp_mask", lambda c, x: x.masked_fill(c > 0.9, float("-inf")), (m(8, 100352, dt=f32),
                                                                               m(8, 100352, dt=f32))),
            ("where", lambda c, x: torch.where(c, x, float("-inf")), (m(1, 1, 8, 1032, dt=b8),
                                                                      m(4, 64, 8, 1032)))]
    # casts: Qwen3 logits up, OLMo-2's fp32 RMSNorm output down, a ChatGLM3 int32 mask to long, Qwen3 expert ids to
    # int32
    out += [("to_fp32", lambda x: x.float(), (m(4, 151936),)),
            ("to_bf16", lambda x: x.to(bf), (m(6000, 4096, dt=f32),)),
            ("to_long", lambda x: x.long(), (m(16, 2048, dt=i32),)),
            ("to_int32", lambda x: x.int(), (i(4096, 8),))]
    # layout: Yi-6B KV cache (4 KV heads), BLIP's class token before its patches, Qwen3 rotate_half over the K heads,
    # Wav2Vec2 stacked layer outputs, Wav2Vec2 conv features to frames, ConvNeXt to channels-last; repeat_kv for Qwen3
    # (8 q heads a KV head) and ChatGLM3's multi-query groups (16 a group, seq-first)
    out += [("cat_kv", lambda a, b: torch.cat([a, b], 2), (m(16, 4, 2047, 128), m(16, 4, 1, 128))),
            ("cat_cls", lambda c, x: torch.cat([c.expand(x.shape[0], -1, -1), x], 1),
             (m(1, 1, 1024, dt=f16), m(8, 576, 1024, dt=f16))),
            ("rotate_half", lambda x: torch.cat((-x[..., 64:], x[..., :64]), -1), (m(1, 4, 2048, 128),)),
            ("stack_layers", lambda a, b, c, d: torch.stack([a, b, c, d]), tuple(m(8, 499, 768, dt=f32)
                                                                                 for _ in range(4))),
            ("transpose_contiguous", lambda x: x.transpose(1, 2).contiguous(), (m(8, 512, 499, dt=f32),)),
            ("to_channels_last", lambda x: x.permute(0, 2, 3, 1).contiguous(), (m(8, 96, 56, 56, dt=f32),)),
            ("repeat_kv", lambda x: x[:, :, None].expand(1, 4, 8, 2048, 128).reshape(1, 32, 2048, 128),
             (m(1, 4, 2048, 128),)),
            ("repeat_kv", lambda x: x[:, :, :, None].expand(2048, 4, 2, 16, 128).reshape(2048, 4, 32, 128),
             (m(2048, 4, 2, 128, dt=f16),))]
    # misc: Wav2Vec2 audio padded to whole frames, a causal bool mask, an fp32 additive causal mask, BLIP's fp16 clamp
    out += [("pad", lambda x: F.pad(x, (0, 320)), (m(8, 159680, dt=f32),)),
            ("tril", lambda x: torch.tril(x), (m(3000, 3000, dt=b8),)),
            ("triu_mask", lambda x: torch.triu(x, 1), (m(1500, 1500, dt=f32),)),
            ("clamp", lambda x: x.clamp(min=-65504.0, max=65504.0), (m(8, 577, 4096, dt=f16),))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of both groups, as aten_cases' spec functions yield them (the
    fitted group first: the builder drops a check case equal to one of its)."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE3, _more3()), (REALCODE_CHECK4, _check4())))
