"""The aten sweep's ninth blind real-code group: `realcode-check9`, everyday PyTorch inference code.

Each case is one op or a short idiom as model code writes it (projections with and without bias, attention scores and
values through matmul and SDPA, norms, activations, softmax, MoE routing, sampling and decoding, gathers, masks, rotary
multiplies, casts, state-space scans, layout copies, padding), at the widths of models no earlier group uses:
Gemma-2-27B in eager attention (scores scaled by query_pre_attn_scalar and tanh soft-capped at 50, the final logits
capped at 30, the sqrt(hidden) embedding scale, a 256000-token vocabulary), Skywork-Reward-Gemma-2-27B (a one-output
score head, the last real token found by an int32 argmax), Gemma-2-2B drafting for it (assisted decoding's greedy
verification), GPT-OSS-20B (attention sinks joined to each row, softmax after the top-4 of 32 experts, the clamped
SwiGLU of interleaved gate and up columns, an expert's biased x @ W), Moonlight-16B-A3B's multi-head latent attention in
plain torch (latents expanded through kv_b_proj, rope on interleaved pairs, keys of 192 with values of 128 through
SDPA), FLUX.1-dev (adaLN on SiLU(temb), rope on real and imaginary pairs in fp32, joint attention over 4096 image and
512 text tokens, packed 2x2 latents), Codestral-Mamba-7B (Mamba-2) and Mamba-2.8B through transformers' torch
fallbacks (the decode state update, the chunked scan's segment sums, the discretised A, the scan outputs stacked; never
a convolution), RWKV-4-Raven-7B (token shift by a negative pad, squared ReLU), MiniCPM-2B (scale_emb, logits over
hidden / 9, min-p sampling), Mistral-Small-24B (vLLM's presence and frequency penalties), Llama-3.2-11B-Vision's
cross-attention (6404 vision tokens, the inverted cross-attention mask, the tanh gate), BLIP-2 (EVA ViT-g with heads of
88, the Q-Former's 32 expanded queries cross-attending to 257 image tokens), Swin-V2-B (cosine attention's normalised
queries, the continuous position bias squashed by 16 * sigmoid), ModernBERT-base (GeGLU, bias-free LayerNorm, the
sliding-window mask, the MLM decoder) and Idefics3-8B's pixel-shuffle connector, at inference batches and token
counts. The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal to one of theirs,
so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK9 = "realcode-check9"


def _check9():
    import torch
    import torch.nn.functional as F

    bf, f16, f32, b8, i32 = torch.bfloat16, torch.float16, torch.float32, torch.bool, torch.int32
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, i = _meta_makers()

    linear = _layer_makers(1e-6)[0]

    def gemma_scores(q, k):  # Gemma2's eager attention: scaled by query_pre_attn_scalar ** -0.5, soft-capped at 50
        s = torch.matmul(q, k.transpose(2, 3)) * 144 ** -0.5
        s = s / 50.0
        s = torch.tanh(s)
        return s * 50.0

    def sink_softmax(s, sinks):  # GPT-OSS: a learned sink logit a head joins each row, the max taken out, sink dropped
        sinks = sinks.reshape(1, -1, 1, 1).expand(s.shape[0], -1, s.shape[-2], -1)
        combined = torch.cat([s, sinks], dim=-1)
        combined = combined - combined.max(dim=-1, keepdim=True).values
        return F.softmax(combined, dim=-1, dtype=combined.dtype)[..., :-1]

    def oss_glu(gate_up):  # GptOssExperts._apply_gate: interleaved gate / up columns, clamped at 7, sigmoid(1.702 x)
        gate, up = gate_up[..., ::2], gate_up[..., 1::2]
        gate = gate.clamp(min=None, max=7.0)
        up = up.clamp(min=-7.0, max=7.0)
        glu = gate * torch.sigmoid(gate * 1.702)
        return (up + 1) * glu

    def rope_interleave(q, c, s):  # DeepSeek-V3 / Moonlight: rope on interleaved pairs, cos and sin halved
        c, s = c[..., :32].unsqueeze(1), s[..., :32].unsqueeze(1)
        q1, q2 = q[..., 0::2], q[..., 1::2]
        return torch.cat([q1 * c - q2 * s, q2 * c + q1 * s], dim=-1)

    def mla_keys(kv, k_rot):  # DeepseekV3Attention.expand_kv over an 8 x 4000 decode cache: k_nope, k_rot side by side
        kv = kv.view(8, 4000, 16, 256).transpose(1, 2)
        k_nope, value = torch.split(kv, [128, 128], dim=-1)
        key = kv.new_empty(8, 16, 4000, 192)
        key[..., :128].copy_(k_nope)
        key[..., 128:].copy_(k_rot.expand(-1, 16, -1, -1))
        return key, value

    def flux_rope(x, c, s):  # diffusers' apply_rotary_emb (use_real, unbind -1): pairs rotated, the math in fp32
        x_real, x_imag = x.reshape(*x.shape[:-1], -1, 2).unbind(-1)
        x_rotated = torch.stack([-x_imag, x_real], dim=-1).flatten(3)
        return (x.float() * c[None, None] + x_rotated.float() * s[None, None]).to(x.dtype)

    def segment_sum(a):  # Mamba-2's segment_sum over 256-token chunks: expand, masked cumsum, -inf above the diagonal
        a = a[..., None].expand(*a.size(), 256)
        mask = torch.tril(torch.ones(256, 256, device=a.device, dtype=torch.bool), diagonal=-1)
        a = a.masked_fill(~mask, 0)
        segsum = torch.cumsum(a, dim=-2)
        mask = torch.tril(torch.ones(256, 256, device=a.device, dtype=torch.bool), diagonal=0)
        return segsum.masked_fill(~mask, -torch.inf)

    def min_p(s):  # transformers' MinPLogitsWarper, min_p = 0.05
        probs = torch.softmax(s, dim=-1)
        remove = probs < 0.05 * probs.amax(dim=-1, keepdim=True)
        remove.scatter_(-1, torch.topk(probs, 1, dim=-1).indices, False)
        return s.masked_fill(remove, -float("inf"))

    def penalties(logits, counts, fp, pp):  # vLLM's apply_penalties: frequency times counts, presence times the mask
        counts = counts[:, :131072]
        logits -= fp.unsqueeze(dim=1) * counts
        logits -= pp.unsqueeze(dim=1) * (counts > 0)
        return logits

    def cross_mask(c):  # Mllama's _prepare_cross_attention_mask after the 1601-token repeat (4 tiles of one image)
        inverted = (1.0 - c.view(1, 300, -1).unsqueeze(1)).to(bf)
        return inverted.masked_fill(inverted.to(torch.bool), torch.finfo(bf).min)

    def pixel_shuffle(x):  # Idefics3's connector: 26x26 SigLIP tokens of 17 crops to 13x13 of 4x the width
        x = x.view(17, 26, 26, 1152)
        x = x.view(17, 26, 13, 2304)
        x = x.permute(0, 2, 1, 3)
        x = x.reshape(17, 13, 13, 4608)
        x = x.permute(0, 2, 1, 3)
        return x.reshape(17, 169, 4608)

    # projections: Gemma-2-27B's gate_proj over a 1500-token prompt and its lm_head over 256000 tokens at decode;
    # Skywork-Reward's one-output score head over 4 padded 1200-token chats; GPT-OSS-20B's biased router over 1024
    # tokens and an expert's gate_up (x @ W, the bias added) over its ~128 routed tokens; Moonlight's kv_b_proj over an
    # 8 x 4000 decode cache of latents; FLUX.1-dev's biased proj_out over 4608 tokens and adaLN's linear on SiLU(temb);
    # Codestral-Mamba's decode in_proj (gate, x, B, C and dt in one); MiniCPM-2B's lm_head over hidden / 9;
    # Llama-3.2-Vision's biased projector of 4 tiles x 1601 vision tokens; BLIP-2's EVA qkv (fp16, bias); ModernBERT's
    # MLM decoder (fp16, bias); Idefics3's connector over 17 crops
    out = [("linear", linear, (m(1, 1500, 4608), m(36864, 4608))),
           ("linear", linear, (m(8, 1, 4608), m(256000, 4608))),
           ("score_head", linear, (m(4, 1200, 4608), m(1, 4608))),
           ("linear_bias", linear, (m(1024, 2880), m(32, 2880), m(32))),
           ("expert_matmul_bias", lambda x, w, b: x @ w + b, (m(128, 2880), m(2880, 5760), m(5760))),
           ("linear", linear, (m(8, 1, 4000, 512), m(4096, 512))),
           ("linear_bias", linear, (m(1, 4608, 15360), m(3072, 15360), m(3072))),
           ("adaln_linear", lambda e, w, b: F.linear(F.silu(e), w, b), (m(1, 3072), m(9216, 3072), m(9216))),
           ("linear", linear, (m(16, 1, 4096), m(18560, 4096))),
           ("lm_head_scaled", lambda h, w: F.linear(h / 9.0, w), (m(8, 1, 2304), m(122753, 2304))),
           ("linear_bias", linear, (m(1, 4, 1601, 7680), m(4096, 7680), m(4096))),
           ("linear_bias", linear, (m(32, 257, 1408, dt=f16), m(4224, 1408, dt=f16), m(4224, dt=f16))),
           ("linear_bias", linear, (m(8, 512, 768, dt=f16), m(50368, 768, dt=f16), m(50368, dt=f16))),
           ("linear", linear, (m(17, 169, 4608), m(4096, 4608)))]
    # attention: Gemma-2-27B's eager scores over a 1500-token prompt (tanh soft-capped) and the fp32 softmax cast back;
    # GPT-OSS-20B's sinks joined to a 1024-token prompt's scores and a 16 x 2000 decode's values read past the dropped
    # sink column; Moonlight's MLA through SDPA (keys of 192, values of 128 split from kv_b_proj's output), causal over
    # a prompt and over the decode cache; FLUX's joint attention (4608 tokens, heads of 128); Llama-3.2-Vision's
    # cross-attention over 6404 vision tokens (the KV heads repeated, an additive mask); BLIP-2's EVA ViT-g (strided
    # qkv, heads of 88, fp16) and the Q-Former's 32 queries over 257 image tokens (fp16); ModernBERT with a boolean
    # sliding-window mask (fp16)
    out += [("gemma_scores", gemma_scores, (m(1, 32, 1500, 128), m(1, 32, 1500, 128))),
            ("softmax_fp32", lambda s: F.softmax(s, dim=-1, dtype=f32).to(bf), (m(1, 32, 1500, 1500),)),
            ("sink_softmax", sink_softmax, (m(1, 64, 1024, 1024), m(64))),
            ("sink_values", lambda p, v: torch.matmul(p[..., :-1], v), (m(16, 64, 1, 2001), m(16, 64, 2000, 64))),
            ("sdpa_mla_causal", lambda q, k, kv: sdpa(q, k, kv.view(1, 2048, 16, 256).transpose(1, 2)[..., 128:],
                                                      is_causal=True, scale=192 ** -0.5),
             (m(1, 16, 2048, 192), m(1, 16, 2048, 192), m(1, 2048, 4096))),
            ("sdpa_mla_decode", lambda q, k, kv: sdpa(q, k, kv.view(8, 4000, 16, 256).transpose(1, 2)[..., 128:],
                                                      scale=192 ** -0.5),
             (m(8, 16, 1, 192), m(8, 16, 4000, 192), m(8, 1, 4000, 4096))),
            ("sdpa_joint", sdpa, (m(1, 24, 4608, 128), m(1, 24, 4608, 128), m(1, 24, 4608, 128))),
            ("sdpa_cross_mask", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(1, 32, 300, 128), m(1, 32, 6404, 128), m(1, 32, 6404, 128), m(1, 1, 300, 6404))),
            ("sdpa_eva_qkv", lambda x: sdpa(*x.reshape(32, 257, 3, 16, 88).permute(2, 0, 3, 1, 4).unbind(0),
                                            scale=88 ** -0.5), (m(32, 257, 4224, dt=f16),)),
            ("sdpa_qformer_cross", lambda q, k, v, a: sdpa(q.view(32, 32, 12, 64).transpose(1, 2),
                                                           k.view(32, 257, 12, 64).transpose(1, 2),
                                                           v.view(32, 257, 12, 64).transpose(1, 2), attn_mask=a),
             (m(32, 32, 768, dt=f16), m(32, 257, 768, dt=f16), m(32, 257, 768, dt=f16), m(32, 1, 1, 257, dt=f16))),
            ("sdpa_window_mask", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(16, 12, 512, 64, dt=f16), m(16, 12, 512, 64, dt=f16), m(16, 12, 512, 64, dt=f16),
              m(16, 1, 512, 512, dt=b8)))]
    # norms: the Q-Former's LayerNorm over its 32 query tokens expanded to the batch (eps 1e-12, fp16); ModernBERT's
    # bias-free LayerNorm (fp16); Swin-V2's cosine attention normalising q over a head-transposed view (fp32)
    out += [("qformer_ln", lambda q, w, b: F.layer_norm(q.expand(32, -1, -1), (768,), w, b, 1e-12),
             (m(1, 32, 768, dt=f16), m(768, dt=f16), m(768, dt=f16))),
            ("layer_norm_nobias", lambda x, w: F.layer_norm(x, (768,), w, None, 1e-5), (m(16, 512, 768, dt=f16),
                                                                                       m(768, dt=f16))),
            ("cosine_normalize", lambda q: F.normalize(q.view(512, 256, 4, 32).transpose(1, 2), dim=-1),
             (m(512, 256, 128, dt=f32),))]
    # activations: Gemma-2's tanh GELU gate times up over a prefill; GPT-OSS's clamped SwiGLU over an expert's tokens;
    # RWKV-4's squared ReLU over a prompt's FFN key (fp16); ModernBERT's GeGLU (erf GELU, fp16)
    out += [("gelu_tanh_mul", lambda a, b: F.gelu(a, approximate="tanh") * b, (m(1, 1500, 36864),
                                                                               m(1, 1500, 36864))),
            ("oss_glu", oss_glu, (m(128, 5760),)),
            ("square_relu", lambda x: torch.square(torch.relu(x)), (m(1, 1024, 16384, dt=f16),)),
            ("geglu", lambda x: (lambda a, g: F.gelu(a) * g)(*x.chunk(2, dim=-1)), (m(16, 512, 2304, dt=f16),))]
    # rotary: Moonlight's interleaved pairs on the q_rot split of a prompt's queries; FLUX's real / imaginary pairs in
    # fp32 (cos and sin of 4608 positions)
    out += [("rope_interleave", lambda q, c, s: rope_interleave(q.view(1, 2048, 16, 192).transpose(1, 2)[..., 128:],
                                                                c, s),
             (m(1, 2048, 3072), m(1, 2048, 64), m(1, 2048, 64))),
            ("flux_rope", flux_rope, (m(1, 24, 4608, 128), m(4608, 128, dt=f32), m(4608, 128, dt=f32)))]
    # layout: Moonlight's keys built from the expanded latents (k_nope and the broadcast k_rot copied in); FLUX's text
    # and image queries joined and its 2x2 latent packing; Idefics3's pixel shuffle; RWKV-4's token shift
    # (ZeroPad2d((0, 0, 1, -1)): a negative pad)
    out += [("mla_keys", mla_keys, (m(8, 1, 4000, 4096), m(8, 1, 4000, 64))),
            ("joint_cat", lambda a, b: torch.cat([a, b], dim=2), (m(1, 24, 512, 128), m(1, 24, 4096, 128))),
            ("pack_latents", lambda x: x.view(1, 16, 64, 2, 64, 2).permute(0, 2, 4, 1, 3, 5).reshape(1, 4096, 64),
             (m(1, 16, 128, 128),)),
            ("pixel_shuffle", pixel_shuffle, (m(17, 676, 1152),)),
            ("time_shift", lambda x: F.pad(x, (0, 0, 1, -1)), (m(1, 1024, 4096, dt=f16),))]
    # broadcasting binaries: Llama-3.2-Vision's tanh gate on the cross-attention output; Gemma-2's sqrt(hidden)
    # embedding scale (a 0-d bf16 tensor); MiniCPM's scale_emb
    out += [("tanh_gate", lambda r, g, x: r + g.tanh() * x, (m(1, 300, 4096), m(1), m(1, 300, 4096))),
            ("embed_scale", lambda e, n: e * n, (m(1, 1500, 4608), m(()))),
            ("scale_emb", lambda e: e * 12, (m(4, 1024, 2304),))]
    # state spaces (transformers' torch fallbacks): Codestral-Mamba-7B's decode state update at batch 16 (128 heads of
    # 64, state 128: the bf16 state times the fp32 decay plus dBx, written back) and its output read by a batched gemv,
    # the segment sums of its chunked scan over 1024 tokens (4 chunks of 256); Mamba-2.8B's discretised A over a 2 x 400
    # prompt (fp32) and the 400 scan outputs stacked
    out += [("mamba2_state", lambda st, da, dbx: st.copy_((st * da + dbx).to(st.dtype)),
             (m(16, 128, 64, 128), m(16, 128, 64, 128, dt=f32), m(16, 128, 64, 128))),
            ("state_bmm", torch.bmm, (m(2048, 64, 128), m(2048, 128, 1))),
            ("segment_sum_exp", lambda a: torch.exp(segment_sum(a.reshape(1, 4, 256, 128).permute(0, 3, 1, 2))),
             (m(1, 1024, 128, dt=f32),)),
            ("discrete_a", lambda a, dt: torch.exp(a[None, :, None, :] * dt[:, :, :, None]),
             (m(5120, 16, dt=f32), m(2, 5120, 400))),
            ("stack_outputs", lambda *ys: torch.stack([y[:, :, 0] for y in ys], dim=-1),
             tuple(m(2, 5120, 1) for _ in range(400)))]
    # MoE: GPT-OSS-20B over 1024 tokens: top-4 of 32 router logits, the softmax over the four kept (bf16), an expert's
    # ~128 weighted tokens index_added back (routing_weights[token_idx, top_k_pos, None] is left out: the sweep draws
    # both index tensors below the first dim's 1024 rows, out of the second dim's 4)
    out += [("topk", lambda x: torch.topk(x, 4, dim=-1), (m(1024, 32),)),
            ("softmax_topk", lambda x: F.softmax(x, dim=1, dtype=x.dtype), (m(1024, 4),)),
            ("index_add", lambda f, t, h: f.index_add_(0, t, h), (m(1024, 2880), i(128), m(128, 2880)))]
    # masks: Llama-3.2-Vision's cross-attention mask (the int mask inverted, cast, filled with the bf16 minimum);
    # ModernBERT's global mask filled outside the sliding window (fp16)
    out += [("cross_mask", cross_mask, (i(1, 300, 1, 6404),)),
            ("window_fill", lambda g, w: g.masked_fill(w.logical_not(), torch.finfo(f16).min),
             (m(16, 1, 512, 512, dt=f16), m(1, 1, 512, 512, dt=b8)))]
    # logits and sampling: Gemma-2's final soft-cap at 30 (bf16); assisted decoding with Gemma-2-2B's 5 drafted tokens
    # (greedy verification: the argmax of the target's 6 rows, the matches counted by a cumsum); min-p over MiniCPM's
    # vocabulary; vLLM's presence and frequency penalties over Mistral-Small-24B's at batch 64
    out += [("final_softcap", lambda x: torch.tanh(x / 30.0) * 30.0, (m(8, 1, 256000),)),
            ("greedy_verify", lambda x: x.argmax(dim=-1), (m(1, 6, 256000, dt=f32),)),
            ("n_matches", lambda c, s: ((~(c == s[:, :-1])).cumsum(dim=-1) < 1).sum(), (i(1, 5), i(1, 6))),
            ("min_p", min_p, (m(16, 122753, dt=f32),)),
            ("penalties", penalties, (m(64, 131072, dt=f32), i(64, 131073), m(64, dt=f32), m(64, dt=f32)))]
    # embeddings, position bias and pooling: Gemma-2's token embeddings over a 1500-token prompt; Swin-V2's continuous
    # bias read through the relative position index, permuted and squashed by 16 * sigmoid; the reward model's last
    # real token (an int32 mask times the positions, argmax)
    out += [("embedding", F.embedding, (i(1, 1500), m(256000, 4608))),
            ("cpb_bias", lambda t, idx: 16 * torch.sigmoid(t[idx.view(-1)].view(256, 256, -1).permute(2, 0, 1)
                                                           .contiguous()), (m(961, 4, dt=f32), i(256, 256))),
            ("last_real_token", lambda ids, pos: (pos * (ids != 0).to(i32)).argmax(-1),
             (i(4, 1200), m(1200, dt=i32)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK9, _check9()),))
