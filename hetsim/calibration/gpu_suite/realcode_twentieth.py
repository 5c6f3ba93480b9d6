"""The aten sweep's fourteenth blind real-code group: `realcode-check14`, everyday PyTorch inference and serving code.

Each case is one op or a short idiom as model, generation and serving code writes it (projections with and without
bias at prefill and decode widths, lm heads of real vocabularies, attention by SDPA (causal, through ALiBi, padding
and token-tree masks, GQA by enable_gqa and by repeat_kv, decode) and by baddbmm / bmm, QK-norms over whole
projections and per head, rotary, activations, MoE routing, dispatch and combine, sampling and beam search, masked
writes, cache writes and reorders, block dequantisation, layout copies), at the widths of models and the code no
earlier group uses: OLMo-2-1124-13B (q and k with their RMSNorms over the whole 5120-wide projections, the weight
applied in fp32; causal SDPA, the 13824-wide SwiGLU; at decode the DynamicCache's cat, SDPA over 4096 cached tokens,
the 100352-token head over the sampled rows and TopPLogitsWarper's sort, softmax, cumulative sum and scatter back),
Bloom-7b1 (the biased fused query_key_value, alibi.baddbmm with the additive causal mask, the fp32 softmax, bmm with
the values and the heads merged, the attention's dense; at decode dense_h_to_4h and the 250880-token head), OPT-13b in
fp16 (the scaled biased q_proj; at decode the ReLU MLP and the 50272-token head), StarCoder2-15B (LayerNorm, the biased
q and kv projections, causal SDPA through enable_gqa over 4 KV heads; at decode the gelu-tanh c_fc, c_proj and its
residual, a static cache's index_copy_, SDPA through enable_gqa, the 49152-token head), Baichuan2-13B (W_pack's
unflatten into q / k / v, SDPA through the ALiBi mask; at decode SDPA through each row's ALiBi and padding mask,
NormHead's normalised 125696-token head), Snowflake Arctic (SDPA after repeat_kv of 8 KV heads to 56, the top-2 of
128 router with its one-hot expert mask, one expert's rows gathered through its SwiGLU and index_add_ back, q_proj at
decode), Zamba2-2.7B (the shared block's q with its rank-128 LoRA adapter, SDPA over heads of 160, the gelu MLP by
chunk, Mamba-2's in_proj), SmolVLM-Instruct (the connector's pixel shuffle and projection, the image features merged by
masked_scatter, the 49155-token head), NLLB-200-3.3B in fp16 (the scaled embeddings, the scaled q_proj, cross-attention
SDPA over padded sources, the ReLU MLP, the 256206-token head, a beam search over 8 beams: the log-softmax, the running
scores, the top 16 over beams x vocabulary, the floor division and remainder, the length penalty, the cache reorder by
index_select), MusicGen-medium (the four codebooks' embeddings summed, the text states projected, the four stacked
heads, top-k 250 and the multinomial draw), Chameleon-7B (the VQ tokens mapped to BPE ids, q, the per-head QK
LayerNorms with their own affine, rotary by rotate_half, the 65536-token head and the image tokens suppressed in the
logits), GGUF Q4_0 blocks dequantised in torch (ComfyUI-GGUF's nibble unpacking) before the product at decode, and a
speculative token tree's ancestor mask (64 nodes over a 2048-token prefix) with SDPA through it, at inference batches
and token counts; a quarter of the cases are cuBLAS products. The group is never fitted: it is traced on the meta
device, timed on the GPU and only scored. The builder (hetsim.calibration.gpu_suite.aten_cases) takes it after every
other group and drops any case equal to one of theirs, so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK14 = "realcode-check14"


def _check14():
    import math

    import torch
    import torch.nn.functional as F

    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    u8 = torch.uint8
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers, repeat_kv, rotate_half

    m, i = _meta_makers()

    linear = _layer_makers(1e-6)[0]

    def swiglu(x, wg, wu, wd):  # down_proj(silu(gate_proj(x)) * up_proj(x))
        return linear(F.silu(linear(x, wg)) * linear(x, wu), wd)


    def apply_rope(q, k, cos, sin):  # transformers' apply_rotary_pos_emb (unsqueeze_dim 1)
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        return (q * cos) + (rotate_half(q) * sin), (k * cos) + (rotate_half(k) * sin)

    # ------------------------------------------------------------------ OLMo-2-1124-13B
    def olmo2_rms(x, w, eps=1e-6):  # Olmo2RMSNorm: the weight applied in fp32, then cast back
        input_dtype = x.dtype
        h = x.to(f32)
        variance = h.pow(2).mean(-1, keepdim=True)
        h = h * torch.rsqrt(variance + eps)
        return (w * h).to(input_dtype)

    def olmo2_qk(x, wq, wk, nq, nk):  # Olmo2Attention: q_norm / k_norm over the whole projections, then the heads
        q = olmo2_rms(linear(x, wq), nq)
        k = olmo2_rms(linear(x, wk), nk)
        return q.view(1, 2048, 40, 128).transpose(1, 2), k.view(1, 2048, 40, 128).transpose(1, 2)

    def top_p(scores, top_p=0.9, min_tokens_to_keep=1):  # TopPLogitsWarper
        sorted_logits, sorted_indices = torch.sort(scores, descending=False)
        cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        sorted_indices_to_remove = cumulative_probs <= (1 - top_p)
        sorted_indices_to_remove[..., -min_tokens_to_keep:] = 0
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        return scores.masked_fill(indices_to_remove, -float("inf"))

    # ------------------------------------------------------------------ Bloom-7b1
    def bloom_attn(alibi, query, key, value, causal_mask):  # BloomAttention.forward: baddbmm, fp32 softmax, bmm
        b, s = causal_mask.shape[0], query.shape[1]
        scores = alibi.baddbmm(batch1=query, batch2=key, beta=1.0, alpha=1.0 / math.sqrt(128))
        attn_weights = scores.view(b, 32, s, -1) + causal_mask
        probs = F.softmax(attn_weights, dim=-1, dtype=torch.float32).to(query.dtype)
        ctx = torch.bmm(probs.view(b * 32, s, -1), value)
        return ctx.view(b, 32, s, 128).permute(0, 2, 1, 3).reshape(b, s, 4096)

    # ------------------------------------------------------------------ Baichuan2-13B
    def w_pack(x, w):  # BaichuanAttention: W_pack, unflatten into q / k / v, the heads
        b, s = x.shape[:2]
        proj = linear(x, w)
        proj = proj.unflatten(-1, (3, 5120)).unsqueeze(0).transpose(0, -2).squeeze(-2)
        return tuple(proj[n].view(b, s, 40, 128).transpose(1, 2) for n in range(3))

    def norm_head(x, w):  # NormHead (eval: the weight normalised on the first call, then cached)
        return linear(x, F.normalize(w))

    # ------------------------------------------------------------------ Snowflake Arctic
    def arctic_router(h, w):  # the top-2 of 128 gating (Mixtral-style), the expert mask
        router_logits = linear(h, w)
        routing_weights = F.softmax(router_logits, dim=1, dtype=torch.float)
        routing_weights, selected_experts = torch.topk(routing_weights, 2, dim=-1)
        routing_weights /= routing_weights.sum(dim=-1, keepdim=True)
        expert_mask = F.one_hot(selected_experts, num_classes=128).permute(2, 1, 0)
        return routing_weights.to(h.dtype), expert_mask

    def arctic_expert(h, top_x, gate, w1, w3, w2, final):  # one expert: its rows, SwiGLU, weighted, index_add_
        current_state = h[top_x]
        current = linear(F.silu(linear(current_state, w1)) * linear(current_state, w3), w2) * gate[:, None]
        final.index_add_(0, top_x, current.to(h.dtype))
        return final

    # ------------------------------------------------------------------ Zamba2-2.7B
    def zamba2_mlp(x, w_gate_up, w_down):  # Zamba2MLP: gate_up_proj, chunk, gelu gate, down_proj
        gate_up_state = torch.chunk(linear(x, w_gate_up), 2, dim=-1)
        return linear(F.gelu(gate_up_state[0]) * gate_up_state[1], w_down)

    # ------------------------------------------------------------------ SmolVLM-Instruct (Idefics3's code)
    def pixel_shuffle(x, scale_factor=3):  # Idefics3Connector.pixel_shuffle
        bsz, seq, embed_dim = x.size()
        height = width = int(seq ** 0.5)
        x = x.view(bsz, height, width, embed_dim)
        x = x.view(bsz, height, int(width / scale_factor), embed_dim * scale_factor)
        x = x.permute(0, 2, 1, 3)
        x = x.reshape(bsz, int(width / scale_factor), int(height / scale_factor), embed_dim * (scale_factor ** 2))
        x = x.permute(0, 2, 1, 3)
        return x.reshape(bsz, int(seq / (scale_factor ** 2)), embed_dim * (scale_factor ** 2))

    def merge_images(input_ids, inputs_embeds, image_hidden_states):  # inputs_merger: masked_scatter
        special_image_mask = (input_ids == 49190).unsqueeze(-1).expand_as(inputs_embeds)
        return inputs_embeds.masked_scatter(special_image_mask, image_hidden_states.to(inputs_embeds.dtype))

    # ------------------------------------------------------------------ NLLB-200-3.3B (M2M100's code, fp16)
    def beam_step(logits, beam_scores, num_beams=8):  # beam search: log-probs, running scores, top 2 x beams
        vocab_size = logits.shape[-1]
        next_token_logits = logits[:, -1, :].to(copy=True, dtype=torch.float32)
        next_token_scores = F.log_softmax(next_token_logits, dim=-1)
        next_token_scores = next_token_scores + beam_scores[:, None].expand_as(next_token_scores)
        next_token_scores = next_token_scores.view(-1, num_beams * vocab_size)
        next_token_scores, next_tokens = torch.topk(next_token_scores, 2 * num_beams, dim=1, largest=True,
                                                    sorted=True)
        next_indices = torch.div(next_tokens, vocab_size, rounding_mode="floor")
        return next_token_scores, next_tokens % vocab_size, next_indices

    def length_penalty(topk_log_probs, cur_len, length_penalty=1.0):  # the finished beams' scores, normalised
        return topk_log_probs / (cur_len ** length_penalty)

    # ------------------------------------------------------------------ MusicGen-medium
    def codebook_embed(input_ids, e0, e1, e2, e3):  # MusicgenDecoder: the four codebooks' embeddings summed
        input_ = input_ids.reshape(-1, 4, input_ids.shape[-1])
        return sum(F.embedding(input_[:, codebook], e) for codebook, e in enumerate((e0, e1, e2, e3)))

    def top_k_probs(scores, top_k=250):  # TopKLogitsWarper, then the softmax sampling draws from
        indices_to_remove = scores < torch.topk(scores, top_k)[0][..., -1, None]
        scores = scores.masked_fill(indices_to_remove, -float("inf"))
        return F.softmax(scores, dim=-1)

    # ------------------------------------------------------------------ Chameleon-7B
    def head_layer_norm(x, w, b, heads):  # ChameleonLayerNorm: per head, each head its own affine
        shape = x.shape
        x = x.reshape(-1, heads, shape[-1] // heads)
        x = F.layer_norm(x, (x.shape[-1],), None, None, eps=1e-5)
        return (x * w + b).view(shape)

    def suppress_image_tokens(logits, image_tokens):  # logits[:, :, image_tokens] = finfo.min (text-only output)
        logits[:, :, image_tokens] = torch.finfo(logits.dtype).min
        return logits

    # ------------------------------------------------------------------ GGUF blocks in torch
    def q4_0_dequant(blocks, rows, cols):  # ComfyUI-GGUF's dequantize_blocks_Q4_0: an fp16 scale, 32 nibbles
        n_blocks = blocks.shape[0]
        d, qs = torch.split(blocks, [2, blocks.shape[1] - 2], dim=1)
        d = d.view(torch.float16).to(bf)
        qs = qs.reshape((n_blocks, -1, 1, 16)) >> torch.tensor([0, 4], device=d.device, dtype=torch.uint8).reshape(
            (1, 1, 2, 1))
        qs = (qs & 0x0F).reshape((n_blocks, -1)).to(torch.int8) - 8
        return (d * qs).reshape(rows, cols)

    # ------------------------------------------------------------------ a speculative token tree
    def tree_mask(parents, ctx_len=2048, depth=6):  # a token tree's ancestor mask beside the cached prefix, additive
        n = parents.shape[0]
        anc = torch.eye(n, dtype=torch.bool, device=parents.device)
        for _ in range(depth):
            anc = anc | anc[parents]
        full = torch.cat([torch.ones(n, ctx_len, dtype=torch.bool, device=parents.device), anc], dim=1)
        bias = torch.zeros(full.shape, dtype=bf, device=parents.device).masked_fill(~full, torch.finfo(bf).min)
        return bias[None, None]

    h16 = dict(dt=f16)
    # OLMo-2-1124-13B (bf16: hidden 5120, 40 heads of 128, 13824 wide, 100352 tokens) over a 2048-token prompt: q and
    # k with their norms, causal SDPA, the MLP; at decode (batch 32 over 4096 cached tokens) the DynamicCache's cat,
    # SDPA, the head over the sampled rows, top-p 0.9 over the fp32 logits
    T = 2048
    out = [("q_k_norm", olmo2_qk, (m(1, T, 5120), m(5120, 5120), m(5120, 5120), m(5120), m(5120))),
           ("sdpa_causal", lambda q, k, v: sdpa(q, k, v, is_causal=True),
            (m(1, 40, T, 128), m(1, 40, T, 128), m(1, 40, T, 128))),
           ("mlp", swiglu, (m(1, T, 5120), m(13824, 5120), m(13824, 5120), m(5120, 13824))),
           ("kv_cat", lambda past, new: torch.cat([past, new], dim=-2), (m(32, 40, 4096, 128), m(32, 40, 1, 128))),
           ("sdpa_decode", sdpa, (m(32, 40, 1, 128), m(32, 40, 4097, 128), m(32, 40, 4097, 128))),
           ("lm_head", linear, (m(32, 5120), m(100352, 5120))),
           ("top_p", top_p, (m(32, 100352, dt=f32),))]
    # Bloom-7b1 (bf16: hidden 4096, 32 heads of 128, 16384 wide, 250880 tokens) over 4 padded prompts of 512: the
    # fused query_key_value, the attention by baddbmm over the ALiBi tensor, its dense; at decode (batch 8) the MLP's
    # first product and the head
    S = 512
    out += [("query_key_value", linear, (m(4, S, 4096), m(12288, 4096), m(12288))),
            ("baddbmm_alibi", bloom_attn, (m(128, 1, S), m(128, S, 128), m(128, 128, S), m(128, S, 128),
                                           m(4, 1, S, S))),
            ("dense", linear, (m(4, S, 4096), m(4096, 4096), m(4096))),
            ("dense_h_to_4h", linear, (m(8, 1, 4096), m(16384, 4096), m(16384))),
            ("lm_head", linear, (m(8, 4096), m(250880, 4096)))]
    # OPT-13b (fp16: hidden 5120, 40 heads of 128, 20480 wide, 50272 tokens) over 8 padded prompts of 256: the scaled
    # q_proj; at decode (batch 64) the ReLU MLP and the head
    out += [("q_proj_scaled", lambda x, w, b: linear(x, w, b) * 128 ** -0.5,
             (m(8, 256, 5120, **h16), m(5120, 5120, **h16), m(5120, **h16))),
            ("fc1_relu_fc2", lambda x, w1, b1, w2, b2: linear(F.relu(linear(x, w1, b1)), w2, b2),
             (m(64, 1, 5120, **h16), m(20480, 5120, **h16), m(20480, **h16), m(5120, 20480, **h16), m(5120, **h16))),
            ("lm_head", linear, (m(64, 5120, **h16), m(50272, 5120, **h16)))]
    # StarCoder2-15B (bf16: hidden 6144, 48 q heads over 4 KV heads of 128, 24576 wide, biases, 49152 tokens) over a
    # 4096-token file; at decode (batch 16 over a static cache of 8192) the MLP, the cache write, SDPA, the head
    L = 4096
    out += [("layer_norm", lambda x, w, b: F.layer_norm(x, (6144,), w, b, 1e-5), (m(1, L, 6144), m(6144), m(6144))),
            ("q_proj_bias", linear, (m(1, L, 6144), m(6144, 6144), m(6144))),
            ("kv_proj_bias", linear, (m(1, L, 6144), m(512, 6144), m(512))),
            ("sdpa_causal_gqa", lambda q, k, v: sdpa(q, k, v, is_causal=True, enable_gqa=True),
             (m(1, 48, L, 128), m(1, 4, L, 128), m(1, 4, L, 128))),
            ("c_fc_gelu_tanh", lambda x, w, b: F.gelu(linear(x, w, b), approximate="tanh"),
             (m(16, 1, 6144), m(24576, 6144), m(24576))),
            ("c_proj_residual", lambda x, w, b, r: r + linear(x, w, b),
             (m(16, 1, 24576), m(6144, 24576), m(6144), m(16, 1, 6144))),
            ("static_cache_write", lambda cache, pos, new: cache.index_copy_(2, pos, new),
             (m(16, 4, 8192, 128), i(1), m(16, 4, 1, 128))),
            ("sdpa_decode_gqa", lambda q, k, v: sdpa(q, k, v, enable_gqa=True),
             (m(16, 48, 1, 128), m(16, 4, 8192, 128), m(16, 4, 8192, 128))),
            ("lm_head", linear, (m(16, 6144), m(49152, 6144)))]
    # Baichuan2-13B-Chat (bf16: hidden 5120, 40 heads of 128, ALiBi, 13696 wide, 125696 tokens) over a 1536-token
    # prompt: W_pack, SDPA through the ALiBi mask; at decode (batch 24 over 2000 tokens, each row's ALiBi plus
    # padding mask) SDPA and NormHead
    P = 1536
    out += [("w_pack", w_pack, (m(1, P, 5120), m(15360, 5120))),
            ("sdpa_alibi", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(1, 40, P, 128), m(1, 40, P, 128), m(1, 40, P, 128), m(40, P, P))),
            ("sdpa_decode_alibi", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(24, 40, 1, 128), m(24, 40, 2000, 128), m(24, 40, 2000, 128), m(24, 40, 1, 2000))),
            ("norm_head", norm_head, (m(24, 1, 5120), m(125696, 5120)))]
    # Snowflake Arctic (bf16: hidden 7168, 56 q heads over 8 KV heads of 128, 128 experts of 4864, top-2) over a
    # 1024-token prompt: SDPA after repeat_kv, the router, one expert of 16 routed rows; at decode (batch 32) q_proj
    out += [("sdpa_repeat_kv", lambda q, k, v: sdpa(q, repeat_kv(k, 7), repeat_kv(v, 7), is_causal=True),
             (m(1, 56, 1024, 128), m(1, 8, 1024, 128), m(1, 8, 1024, 128))),
            ("router", arctic_router, (m(1024, 7168), m(128, 7168))),
            ("expert", arctic_expert, (m(1024, 7168), i(16), m(16), m(4864, 7168), m(4864, 7168), m(7168, 4864),
                                       m(1024, 7168))),
            ("q_proj", linear, (m(32, 7168), m(7168, 7168)))]
    # Zamba2-2.7B (bf16: hidden 2560; the shared block over [h, embeddings], 5120 wide, 32 heads of 160, adapters of
    # rank 128, a 10240-wide gelu MLP; Mamba-2's in_proj into 10448) over a 2048-token prompt
    out += [("q_proj_adapter", lambda x, w, a, b: linear(x, w) + linear(linear(x, a), b),
             (m(1, T, 5120), m(5120, 5120), m(128, 5120), m(5120, 128))),
            ("sdpa_causal_160", lambda q, k, v: sdpa(q, k, v, is_causal=True),
             (m(1, 32, T, 160), m(1, 32, T, 160), m(1, 32, T, 160))),
            ("mlp_chunk", zamba2_mlp, (m(1, T, 2560), m(20480, 2560), m(2560, 10240))),
            ("in_proj", linear, (m(1, T, 2560), m(10448, 2560)))]
    # SmolVLM-Instruct (bf16: SigLIP's 1152-wide patches of 384 x 384 tiles, 13 tiles, scale factor 3; the language
    # model 2048 wide, 49155 tokens): the connector, the merge; at decode (batch 8) the head
    out += [("pixel_shuffle", pixel_shuffle, (m(13, 729, 1152),)),
            ("modality_projection", linear, (m(13, 81, 10368), m(2048, 10368))),
            ("merge_images", merge_images, (i(1, 1120), m(1, 1120, 2048), m(1053, 2048))),
            ("lm_head", linear, (m(8, 2048), m(49155, 2048)))]
    # NLLB-200-3.3B (fp16: d_model 2048, 16 heads of 128, 8192 wide, 256206 tokens) over 8 padded sentences of 128
    # (the encoder's scaled embeddings and q_proj), decoded with 8 beams (64 rows at step 40): the cross-attention
    # over the padded sources, the MLP, the head, the beam step, the length penalty, the cache reorder
    out += [("embed_scaled", lambda ids, w: F.embedding(ids, w, padding_idx=1) * 45.254834,
             (i(8, 128), m(256206, 2048, **h16))),
            ("q_proj", lambda x, w, b: linear(x, w, b) * 128 ** -0.5,
             (m(8, 128, 2048, **h16), m(2048, 2048, **h16), m(2048, **h16))),
            ("cross_sdpa", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(64, 16, 1, 128, **h16), m(64, 16, 128, 128, **h16), m(64, 16, 128, 128, **h16),
              m(64, 1, 1, 128, **h16))),
            ("fc1_relu_fc2", lambda x, w1, b1, w2, b2: linear(F.relu(linear(x, w1, b1)), w2, b2),
             (m(64, 1, 2048, **h16), m(8192, 2048, **h16), m(8192, **h16), m(2048, 8192, **h16), m(2048, **h16))),
            ("lm_head", linear, (m(64, 1, 2048, **h16), m(256206, 2048, **h16))),
            ("beam_step", beam_step, (m(64, 1, 256206, **h16), m(64, dt=f32))),
            ("length_penalty", lambda s: length_penalty(s, 40), (m(8, 16, dt=f32),)),
            ("cache_reorder", lambda past, beam_idx: past.index_select(0, beam_idx),
             (m(64, 16, 40, 128, **h16), i(64)))]
    # MusicGen-medium (bf16: decoder 1536 wide, 24 heads of 64, 6144 wide, 4 codebooks of 2048; T5-base's 768-wide
    # text states projected) generating 2 prompts under classifier-free guidance (4 rows) at step 500 of 1500
    out += [("codebook_embed", codebook_embed, (i(16, 1), m(2049, 1536), m(2049, 1536), m(2049, 1536),
                                                m(2049, 1536))),
            ("enc_to_dec_proj", linear, (m(4, 24, 768), m(1536, 768), m(1536))),
            ("lm_heads_stacked", lambda h, *ws: torch.stack([linear(h, w) for w in ws], dim=1),
             (m(4, 1, 1536), m(2048, 1536), m(2048, 1536), m(2048, 1536), m(2048, 1536))),
            ("multinomial", lambda p: torch.multinomial(p, num_samples=1), (m(8, 2048, dt=f32),)),
            ("top_k_250", top_k_probs, (m(8, 2048, dt=f32),))]
    # Chameleon-7B (bf16: hidden 4096, 32 heads of 128 with per-head QK LayerNorms, 65536 tokens of which 8192 image
    # codes) over 2 prompts of one 512 x 512 image (1024 tokens) and text (1100 tokens): the VQ codes mapped to BPE
    # ids, q, the QK-norm, rotary; at decode (batch 8) the head and the image tokens suppressed
    C = 1100
    out += [("bpe_mapping", lambda table, toks: table[toks], (i(8192), i(2, 1024))),
            ("q_proj", linear, (m(2, C, 4096), m(4096, 4096))),
            ("qk_layer_norm", lambda x, w, b: head_layer_norm(x, w, b, 32), (m(2, C, 4096), m(32, 128), m(32, 128))),
            ("rope_apply", apply_rope, (m(2, 32, C, 128), m(2, 32, C, 128), m(2, C, 128), m(2, C, 128))),
            ("lm_head", linear, (m(8, 4096), m(65536, 4096))),
            ("suppress_image_tokens", suppress_image_tokens, (m(8, 1, 65536), i(8192)))]
    # GGUF Q4_0 blocks of OLMo-2-13B's 13824 x 5120 up_proj dequantised per call (ComfyUI-GGUF) before the
    # product at decode (batch 4)
    nb = 13824 * 5120 // 32
    out += [("q4_0_dequant", lambda blk: q4_0_dequant(blk, 13824, 5120), (m(nb, 18, dt=u8),)),
            ("dequant_linear", linear, (m(4, 5120), m(13824, 5120)))]
    # a speculative token tree of 64 nodes (depth 6) over a 2048-token prefix, verified by OLMo-2-13B: the ancestor
    # mask, SDPA through it
    out += [("tree_mask", tree_mask, (i(64),)),
            ("tree_sdpa", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(1, 40, 64, 128), m(1, 40, 2112, 128), m(1, 40, 2112, 128), m(1, 1, 64, 2112)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK14, _check14()),))
