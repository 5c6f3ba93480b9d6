"""The aten sweep's seventeenth blind real-code group: `realcode-check17`, everyday PyTorch inference and serving code.

Each case is one op or a short idiom as model, serving, sampling and quantisation code writes it (projections with and
without bias at prefill and decode widths, lm heads of real vocabularies over the last token and at decode, attention by
SDPA (causal with enable_gqa, bidirectional, through boolean image-block, local-window and padding masks, heads of 72,
joint image and text tokens, decode over windowed and full caches) and by eager matmul with learned sinks, einsum
attention over compressed latents, vLLM's reference paged attention in torch, norms (RMSNorm by hand in fp32 with the
weight on either side of the cast, 1 + weight, per head over 64 and 256, L2 normalisation, LayerNorm with and without
bias or affine, GroupNorm), rotary variants (halves by chunk, interleaved from a half table in fp32, YaRN-scaled
tables), activations (clamped SwiGLU with alpha, GeGLU, tanh GELU, squared ReLU, swish), MoE routing (top-k before and
after the softmax, an fp32 router with a correction bias, sigmoid scores over groups, one-hot expert masks, an expert's
rows gathered and index_added back, per-pair weights gathered into batched products), masked diffusion's fp64 Gumbel
draw, sampling (penalties from bin counts, logit bias, min-p, top-k / top-p by sort and scatter, the exponential race,
logprobs and ranks, typical acceptance), beam search, multi-LoRA by gathered adapters, cache writes, gathers and window
updates, pooling and similarity heads, in-torch dequantisation (MXFP4 by a lookup table and ldexp, HQQ and GGUF bit
unpacking), convolutions, layout copies), at the widths of models and the code no earlier group uses: gpt-oss-120b in
transformers (the embedding, GptOssRMSNorm's weight times the fp32 rows, the biased q / k projections, the YaRN x32 cos
/ sin table scaled by its attention factor, rotary by chunked halves, eager attention over 64 heads of 64 with
repeat_kv, the learned sinks joined to each row, the max taken out, the softmax and the sink dropped, o_proj with its
bias and residual, the biased router's top-4 then softmax, batched_mm_experts_forward's per-pair expert weights gathered
into bmm with biases and the clamped SwiGLU, gpt-oss-20b's MXFP4 expert blocks dequantised by nibble masks, shifts, a
lookup table and ldexp; at decode the biased projections, the sliding window's cat and trim, eager sink attention over
8193 cached tokens, the router and the 201088-token head), Gemma-3-12B-it (the scaled embedding by its fp32 buffer,
SigLIP-So400m's patch conv, position embedding and LayerNorm, SDPA over heads of 72 and the tanh-GELU MLP, the
multimodal projector's average pool, 1 + weight RMSNorm and projection into 3840, the image rows written into the prompt
by index_put_, the image block ids by pad, cumsum and where, the causal-or-same-image mask and its sliding window, q and
k, the per-head q_norm, SDPA through the boolean block mask after repeat_kv, the 15360-wide GeGLU; at decode SDPA over
the 1024-token window and 6000 tokens through enable_gqa, the projections, the MLP and the 262208-token head),
Qwen2-57B-A14B's MoE block (the biased q / k projections, the fp32 softmax top-8 router, the one-hot expert mask, an
expert's 375 rows through its gate_up slice and down with the top-k weights and index_add_, the 20480-wide shared expert
and its sigmoid gate; at decode the projections, router, an expert's 3 rows and the shared expert), ERNIE-4.5-21B-A3B (q
/ k, the interleaved rotary in fp32 from the half table by repeat_interleave, causal SDPA of 20 heads over 4 by
enable_gqa, the fp32 router with its correction bias, gather and clamped renormalisation, an expert's rows in the eager
loop, batched_mm_experts_forward untransposed at decode, the shared experts, the 103424-token head), DeepSeek-V3's
reference inference with absorbed weights at 8-way tensor parallelism (the q LoRA with its RMSNorm, wkv_a, W_UK folded
into q by einsum, the latent and rope caches written by slice, the scores over 6000 latents by two einsums at the YaRN
mscale, the fp32 softmax, the values by einsum and W_UV, wo, the sigmoid group-limited gate with its bias, the shared
expert, the 129280-token head; a 256-token prefill chunk of 2 through a mask), ModernBERT-large (the embedding's
bias-free LayerNorm, Wqkv unbound into rotary q / k, the bidirectional 128-token window mask with padding, SDPA through
it, the GeGLU MLP, mean pooling into the prediction head and classifier, the MLM decoder over the masked tokens;
projections over short documents), Stable Diffusion 3.5 Large in diffusers (the patch conv with its centred crop of the
192 x 192 position table, the context embedder, adaLN-Zero's linear and six-way modulation, the joint q projections, the
pooled text projection, RMSNorm of q over heads of 64, the image and text tokens joined, joint SDPA over 4429 tokens,
the output split into to_out and to_add_out, the gated residual, the modulated tanh-GELU feed-forwards,
AdaLayerNormContinuous, proj_out and the unpatchify einsum, classifier-free guidance with the flow-matching Euler step,
the VAE decoder's conv_in after unscaling, GroupNorm with SiLU, a 3 x 3 conv at 1024 x 1024 and conv_out),
LLaDA-8B-Instruct's masked diffusion (q, bidirectional SDPA, the SwiGLU, the 126464-token head alone and for guidance's
pair, the fp64 Gumbel noise and argmax, low-confidence remasking by an fp64 softmax and gather, the transfer set by
top-k and index_put_), vLLM's sampler over 201088 tokens (the fp32 cast with the allowed-token mask and temperature,
repetition / frequency / presence penalties from scatter_add_ bin counts, the logit bias by an accumulating index_put_,
min-p, apply_top_k_top_p's ascending sort, gather, masks, cumsum and scatter back, the exponential race, logprobs with
ranks and the top 20), Medusa-style typical acceptance over 262208 tokens (the candidates' probabilities, the posterior
entropy threshold, the recovered argmax), MarianMT opus-mt-en-de in fp16 (the encoder's biased q and swish FFN,
cross-attention keys, the scaled embedding with sinusoidal positions, SDPA over the decoder cache and through the source
padding mask, the post-norm, the head with final_logits_bias, the beam step's fp32 log-softmax plus running scores,
top-8 over 4 beams' vocabularies, the floor division and remainder, the sequences gathered by take_along_dim, the cache
reorder), multi-LoRA through vLLM's torch bgmv ops (adapters gathered per request, einsum shrink and expand into a slice
of the fused output at ranks 16 and 64), vLLM's reference paged attention (blocks gathered from the pool,
repeat_interleave, einsum scores in fp32, the triangular mask, softmax, einsum values) and the pool's write by slot,
Qwen3-Embedding-4B (projections, the SwiGLU, last-token pooling, Matryoshka-truncated similarity), Qwen3-Reranker-4B's
yes / no score from the last token, ArmoRM-Llama3-8B's gating network and multi-objective reward, SPLADE-v3's MLM head
and log(1 + ReLU) max pooling in fp16, ColPali's 128-wide normalised projection and MaxSim einsum, HQQ's 4-bit unpacking
and dequantisation of a Qwen2.5-32B down_proj, BitNet b1.58 2B4T's projections and squared-ReLU MLP, GGUF Q8_0 blocks
dequantised in torch, Parler-TTS Mini's decoder (nine codebooks' embeddings summed with sinusoidal positions, SDPA over
its cache and across the description, the GELU FFN, nine stacked heads, the multinomial draw per codebook) and
Llama-4-Scout (q / k, the shared expert, the router's sigmoid), at inference batches and token counts; over a fifth of
the cases are cuBLAS products. The group is never fitted: it is traced on the meta device, timed on the GPU and only
scored. The builder (hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal
to one of theirs, so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK17 = "realcode-check17"


def _check17():
    import math

    import torch
    import torch.nn.functional as F

    bf, f16, f32, f64 = torch.bfloat16, torch.float16, torch.float32, torch.float64
    b8, u8, i32 = torch.bool, torch.uint8, torch.int32
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers, repeat_kv, rotate_half

    m, i = _meta_makers()

    linear = _layer_makers(1e-6)[0]


    def rope_cos_sin(inv_freq, position_ids, dtype=bf, scaling=1.0, cat=True):  # the rotary embedding's forward
        inv = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
        pos = position_ids[:, None, :].float()
        freqs = (inv @ pos).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1) if cat else freqs
        return (emb.cos() * scaling).to(dtype), (emb.sin() * scaling).to(dtype)

    def apply_rope(q, k, cos, sin):
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin

    def rms_one_plus(x, w, eps=1e-6):  # Gemma3RMSNorm: (x * (1 + w)) in fp32, then the cast
        out = x.float()
        out = out * torch.rsqrt(out.pow(2).mean(-1, keepdim=True) + eps)
        out = out * (1.0 + w.float())
        return out.type_as(x)

    def swiglu(x, wg, wu, wd):
        return linear(F.silu(linear(x, wg)) * linear(x, wu), wd)

    # ------------------------------------------------------------------ gpt-oss-120b / -20b (transformers)
    def oss_rmsnorm(x, w, eps=1e-5):  # GptOssRMSNorm: the weight times the fp32 normalised rows, then the cast
        dtype = x.dtype
        x = x.to(f32)
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
        return (w * x).to(dtype)

    oss_scaling = 0.1 * math.log(32.0) + 1.0  # YaRN's attention factor on cos / sin

    def oss_rotary(q, k, cos, sin):  # _apply_rotary_emb: the halves chunked, no duplicated table
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)

        def rot(x):
            first, second = torch.chunk(x, 2, dim=-1)
            return torch.cat((first * cos - second * sin, second * cos + first * sin), dim=-1)

        return rot(q), rot(k)

    def oss_eager(q, k, v, mask, sinks, scaling=0.125):  # eager_attention_forward with the learned sinks
        key_states = repeat_kv(k, 8)
        value_states = repeat_kv(v, 8)
        w = torch.matmul(q, key_states.transpose(2, 3)) * scaling
        w = w + mask
        s = sinks.reshape(1, -1, 1, 1).expand(q.shape[0], -1, q.shape[-2], -1)
        combined = torch.cat([w, s], dim=-1)
        combined = combined - combined.max(dim=-1, keepdim=True).values
        probs = F.softmax(combined, dim=-1, dtype=combined.dtype)
        scores = probs[..., :-1].to(value_states.dtype)
        return torch.matmul(scores, value_states).transpose(1, 2).contiguous()

    def oss_router(x, w, b, top_k=4):  # GptOssTopKRouter: top-4 of the biased logits, softmax over the four kept
        logits = F.linear(x, w, b)
        top_v, top_i = torch.topk(logits, top_k, dim=-1)
        return F.softmax(top_v, dim=1, dtype=top_v.dtype), top_i

    def oss_gate(gate_up, alpha=1.702, limit=7.0):
        gate, up = gate_up[..., ::2], gate_up[..., 1::2]
        gate = gate.clamp(min=None, max=limit)
        up = up.clamp(min=-limit, max=limit)
        return (up + 1) * (gate * torch.sigmoid(gate * alpha))

    def batched_mm_experts(hidden, top_k_index, top_k_weights, gate_up, gate_up_b, down, down_b):
        # batched_mm_experts_forward (transposed weights with biases): each token-expert pair's weights gathered
        num_tokens, top_k = hidden.shape[0], top_k_index.shape[-1]
        x = hidden.repeat_interleave(top_k, dim=0)
        ids = top_k_index.reshape(-1).clamp(0, gate_up.shape[0] - 1)
        out = torch.bmm(x.unsqueeze(1), gate_up[ids]).squeeze(1)
        out.add_(gate_up_b[ids])
        out = oss_gate(out)
        out = torch.bmm(out.unsqueeze(1), down[ids]).squeeze(1)
        out.add_(down_b[ids])
        out = out * top_k_weights.reshape(-1).unsqueeze(-1)
        return out.view(num_tokens, top_k, -1).sum(dim=1).to(hidden.dtype)

    def mxfp4_dequant(blocks, scales, lut):  # _convert_moe_packed_tensors over one layer's packed expert weights
        blocks = blocks.to(u8)
        scales = scales.to(i32) - 127
        *prefix, g, b = blocks.shape
        rows = math.prod(prefix) * g
        blk = blocks.reshape(rows, b)
        exp = scales.reshape(rows, 1)
        out = torch.empty(rows, b * 2, dtype=bf, device=blocks.device)
        idx_lo = (blk & 0x0F).to(torch.int)
        out[:, 0::2] = lut[idx_lo]
        idx_hi = (blk >> 4).to(torch.int)
        out[:, 1::2] = lut[idx_hi]
        torch.ldexp(out, exp, out=out)
        out = out.reshape(*prefix, g, b * 2).view(*prefix, g * b * 2)
        return out.transpose(1, 2).contiguous()

    def sliding_cache_update(keys, new, window=128):  # DynamicSlidingWindowLayer.update: the cat, the last 127 kept
        full = torch.cat([keys, new], dim=-2)
        return full, full[:, :, -window + 1:, :].contiguous()

    # ------------------------------------------------------------------ Gemma-3-12B-it (transformers)
    def gemma_embed(ids, w, scale):  # Gemma3TextScaledWordEmbedding: the fp32 scale buffer cast to the weight's dtype
        return F.embedding(ids, w) * scale.to(w.dtype)

    def siglip_embed(px, w, b, pos):
        x = F.conv2d(px, w, b, stride=14).flatten(2).transpose(1, 2)
        return x + pos

    def siglip_attention(x, w, b, heads=16):  # q / k / v projected, heads of 72, SDPA, merged
        bsz, n, _ = x.shape
        q, k, v = (linear(x, w[j], b[j]).view(bsz, n, heads, -1).transpose(1, 2) for j in range(3))
        return sdpa(q, k, v).transpose(1, 2).reshape(bsz, n, -1)

    def mm_projector(vision, norm_w, proj, side=64, kernel=4):  # Gemma3MultiModalProjector
        bsz, _, hidden = vision.shape
        x = vision.transpose(1, 2).reshape(bsz, hidden, side, side).contiguous()
        x = F.avg_pool2d(x, kernel_size=kernel, stride=kernel).flatten(2).transpose(1, 2)
        x = rms_one_plus(x, norm_w)
        return torch.matmul(x, proj).type_as(vision)

    def merge_image_rows(embeds, positions, feats):  # the image features written into the prompt's rows
        flat = embeds.view(-1, embeds.shape[-1])
        flat[positions] = feats.reshape(-1, feats.shape[-1]).to(flat.dtype)
        return embeds

    def block_sequence_ids(token_type_ids):  # get_block_sequence_ids_for_mask
        is_image = token_type_ids == 1
        is_prev = F.pad(is_image, (1, 0), value=0)[:, :-1]
        start = is_image & ~is_prev
        group_ids = torch.cumsum(start.int(), dim=1) - 1
        return torch.where(is_image, group_ids, -1)

    def image_block_mask(block_ids, window=1024):  # OR(causal, same image block), AND the sliding window
        n = block_ids.shape[1]
        q_idx = torch.arange(n, device=block_ids.device)[:, None]
        kv_idx = torch.arange(n, device=block_ids.device)[None, :]
        causal = (kv_idx <= q_idx)[None]
        same = (block_ids[:, :, None] == block_ids[:, None, :]) & (block_ids[:, :, None] >= 0)
        full = causal | same
        return full[:, None], (full & (q_idx - kv_idx < window)[None])[:, None]

    def qk_norm_heads(x, w, head_dim=256):
        bsz, n, _ = x.shape
        return rms_one_plus(x.view(bsz, n, -1, head_dim), w).transpose(1, 2)

    # ------------------------------------------------------------------ Qwen2-57B-A14B (transformers' MoE loop)
    def qwen2moe_router(x, w, top_k=8):  # softmax in fp32, the top-8 kept unnormalised, cast back
        logits = F.linear(x, w)
        probs = F.softmax(logits, dtype=torch.float, dim=-1)
        top_v, top_i = torch.topk(probs, top_k, dim=-1)
        return top_v.to(logits.dtype), top_i

    def expert_mask(top_i, n=64):
        mask = F.one_hot(top_i, num_classes=n).permute(2, 1, 0)
        return mask, torch.greater(mask.sum(dim=(-1, -2)), 0)

    def expert_gate_up(h, token_idx, gate_up, e=21):
        gate, up = F.linear(h[token_idx], gate_up[e]).chunk(2, dim=-1)
        return F.silu(gate) * up

    def expert_down_weighted(cur, down, top_w, token_idx, top_pos, out, e=21):
        cur = F.linear(cur, down[e]) * top_w[token_idx, top_pos, None]
        return out.index_add_(0, token_idx, cur.to(out.dtype))

    def shared_expert_gated(x, shared_out, routed_out, gate_w):
        return routed_out + F.sigmoid(F.linear(x, gate_w)) * shared_out

    # ------------------------------------------------------------------ ERNIE-4.5-21B-A3B
    def ernie_rope(q, k, cos, sin):  # the interleaved table from the half table, rotate_half by stack, in fp32
        dtype = q.dtype
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        cos = cos[..., : cos.shape[-1] // 2].repeat_interleave(2, dim=-1)
        sin = sin[..., : sin.shape[-1] // 2].repeat_interleave(2, dim=-1)

        def rot(x):
            return torch.stack((-x[..., 1::2], x[..., 0::2]), dim=-1).flatten(-2)

        return ((q.float() * cos) + (rot(q).float() * sin)).to(dtype), ((k.float() * cos) + (rot(k).float() * sin)).to(
            dtype)

    def ernie_router(x, w, bias, top_k=6, norm_min=1e-12):  # fp32 router, top-6 by the corrected scores, gathered
        logits = F.linear(x.float(), w.float())
        weights = F.softmax(logits, dim=1, dtype=torch.float)
        _, selected = torch.topk(weights + bias.squeeze(), top_k, dim=-1)
        weights = torch.gather(weights, dim=-1, index=selected)
        weights = weights / torch.clamp(weights.sum(dim=-1, keepdim=True), min=norm_min)
        return weights.to(x.dtype), selected

    def batched_mm_experts_plain(hidden, top_k_index, top_k_weights, gate_up, down):  # not transposed, no bias
        num_tokens, top_k = hidden.shape[0], top_k_index.shape[-1]
        x = hidden.repeat_interleave(top_k, dim=0)
        ids = top_k_index.reshape(-1).clamp(0, gate_up.shape[0] - 1)
        out = torch.bmm(gate_up[ids], x.unsqueeze(-1)).squeeze(-1)
        gate, up = out.chunk(2, dim=-1)
        out = F.silu(gate) * up
        out = torch.bmm(down[ids], out.unsqueeze(-1)).squeeze(-1)
        out = out * top_k_weights.reshape(-1).unsqueeze(-1)
        return out.view(num_tokens, top_k, -1).sum(dim=1).to(hidden.dtype)

    # ------------------------------------------------------------------ DeepSeek-V3 (inference/model.py, absorb)
    ds_scale = 192 ** -0.5 * (0.1 * math.log(40.0) + 1.0) ** 2

    def ds_rms(x, w, eps=1e-6):
        return F.rms_norm(x, (x.shape[-1],), w, eps)

    def ds_q_absorb(q, wkv_b, heads=16):  # q split into nope / pe, W_UK folded into q_nope by einsum
        bsz, s, _ = q.shape
        q = q.view(bsz, s, heads, 192)
        q_nope, q_pe = torch.split(q, [128, 64], dim=-1)
        w = wkv_b.view(heads, -1, 512)
        return torch.einsum("bshd,hdc->bshc", q_nope, w[:, :128]), q_pe

    def ds_kv_write(kv_cache, pe_cache, kv, k_pe, w, start=3000):  # kv_norm written at the step's positions
        bsz, s, _ = kv.shape
        kv_cache[:bsz, start:start + s] = ds_rms(kv, w)
        pe_cache[:bsz, start:start + s] = k_pe.squeeze(2)
        return kv_cache, pe_cache

    def ds_absorbed_scores(q_nope, kv_cache, q_pe, pe_cache, mask=None):
        scores = (torch.einsum("bshc,btc->bsht", q_nope, kv_cache) + torch.einsum("bshr,btr->bsht", q_pe, pe_cache))
        scores = scores * ds_scale
        if mask is not None:
            scores = scores + mask.unsqueeze(1)
        return scores.softmax(dim=-1, dtype=torch.float32).type_as(q_nope)

    def ds_absorbed_values(scores, kv_cache, wkv_b, heads=16):
        x = torch.einsum("bsht,btc->bshc", scores, kv_cache)
        w = wkv_b.view(heads, -1, 512)
        return torch.einsum("bshc,hdc->bshd", x, w[:, -128:]).flatten(2)

    def ds_gate(x, w, bias, n_groups=8, topk_groups=4, top_k=8, route_scale=2.5):  # Gate: sigmoid, noaux_tc groups
        scores = F.linear(x, w).sigmoid()
        original = scores
        scores = scores + bias
        scores = scores.view(x.size(0), n_groups, -1)
        group_scores = scores.topk(2, dim=-1)[0].sum(dim=-1)
        indices = group_scores.topk(topk_groups, dim=-1)[1]
        mask = scores.new_ones(x.size(0), n_groups, dtype=b8).scatter_(1, indices, False)
        scores = scores.masked_fill_(mask.unsqueeze(-1), float("-inf")).flatten(1)
        indices = torch.topk(scores, top_k, dim=-1)[1]
        weights = original.gather(1, indices)
        weights /= weights.sum(dim=-1, keepdim=True)
        weights *= route_scale
        return weights.type_as(x), indices

    # ------------------------------------------------------------------ ModernBERT-large
    def mb_embed(ids, w, nw):
        return F.layer_norm(F.embedding(ids, w), (w.shape[1],), nw, None, 1e-5)

    def mb_qkv_rope(qkv, cos, sin, heads=16, head_dim=64):  # Wqkv's output viewed [.., 3, heads, 64], unbound, rotated
        shape = qkv.shape[:-1]
        qkv = qkv.view(*shape, 3, heads, head_dim)
        q, k, v = qkv.unbind(dim=-3)
        q, k = apply_rope(q.transpose(1, 2), k.transpose(1, 2), cos, sin)
        return q, k, v.transpose(1, 2)

    def mb_sliding_mask(attention_mask, half_window=64):  # bidirectional: |q - kv| <= 64, padding keys masked
        n = attention_mask.shape[1]
        q_idx = torch.arange(n, device=attention_mask.device)[:, None]
        kv_idx = torch.arange(n, device=attention_mask.device)[None, :]
        window = (q_idx - kv_idx).abs() <= half_window
        return window[None, None] & attention_mask[:, None, None, :].bool()

    def mb_geglu(x, w):  # ModernBertMLP: Wi, chunked into input and gate, GELU(input) * gate
        inp, gate = linear(x, w).chunk(2, dim=-1)
        return F.gelu(inp) * gate

    def mb_mean_pool_head(h, mask, dw, nw, cw, cb):  # mean pooling, the prediction head, the classifier
        pooled = (h * mask.unsqueeze(-1)).sum(dim=1) / mask.sum(dim=1, keepdim=True)
        x = F.layer_norm(F.gelu(linear(pooled, dw)), (pooled.shape[-1],), nw, None, 1e-5)
        return linear(x, cw, cb)

    # ------------------------------------------------------------------ Stable Diffusion 3.5 Large (diffusers)
    def cropped_pos_embed(latent, w, b, pos, max_size=192, side=64):  # PatchEmbed with the centred crop
        x = F.conv2d(latent, w, b, stride=2).flatten(2).transpose(1, 2)
        top = (max_size - side) // 2
        spatial = pos.reshape(1, max_size, max_size, -1)
        spatial = spatial[:, top:top + side, top:top + side, :].reshape(1, -1, spatial.shape[-1])
        return (x + spatial).to(latent.dtype)

    def ada_norm_zero(x, emb):  # AdaLayerNormZero after its linear: six chunks, the modulated LayerNorm
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = emb.chunk(6, dim=1)
        x = F.layer_norm(x, (x.shape[-1],), eps=1e-6) * (1 + scale_msa[:, None]) + shift_msa[:, None]
        return x, gate_msa, shift_mlp, scale_mlp, gate_mlp

    def qk_rms_heads(x, w, heads=38, eps=1e-6):  # the projection viewed per head, diffusers' RMSNorm over 64
        bsz = x.shape[0]
        x = x.view(bsz, -1, heads, 64).transpose(1, 2)
        dtype = x.dtype
        var = x.to(f32).pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(var + eps)
        return x.to(w.dtype) * w if dtype == w.dtype else (x * w).to(dtype)

    def joint_cat(img, txt):
        return torch.cat([img, txt], dim=2)

    def joint_out(h, w, b, wa, ba, n_img=4096):  # heads merged, split into image and text, to_out and to_add_out
        bsz = h.shape[0]
        h = h.transpose(1, 2).reshape(bsz, -1, h.shape[1] * h.shape[-1])
        img, txt = h[:, :n_img], h[:, n_img:]
        return linear(img, w, b), linear(txt, wa, ba)

    def gated_residual(x, gate, a):
        return x + gate.unsqueeze(1) * a

    def ff_modulated(x, scale, shift, w, b):  # norm2 modulated, then the tanh-GELU fc1
        n = F.layer_norm(x, (x.shape[-1],), eps=1e-6) * (1 + scale[:, None]) + shift[:, None]
        return F.gelu(linear(n, w, b), approximate="tanh")

    def norm_out_unpatchify(x, temb, w, b, pw, pb, side=64, p=2, c=16):  # AdaLayerNormContinuous, proj_out, unpatchify
        emb = linear(F.silu(temb).to(x.dtype), w, b)
        scale, shift = torch.chunk(emb, 2, dim=1)
        x = F.layer_norm(x, (x.shape[-1],), eps=1e-6) * (1 + scale)[:, None, :] + shift[:, None, :]
        x = linear(x, pw, pb)
        x = x.reshape(x.shape[0], side, side, p, p, c)
        x = torch.einsum("nhwpqc->nchpwq", x)
        return x.reshape(x.shape[0], c, side * p, side * p)

    def cfg_euler_step(noise_pred, sample, sigma=0.62, sigma_next=0.58, scale=3.5):  # guidance, then Euler's step
        uncond, text = noise_pred.chunk(2)
        noise = uncond + scale * (text - uncond)
        prev = sample.to(f32) + (sigma_next - sigma) * noise
        return prev.to(noise.dtype)

    def vae_conv_in(latents, w, b, scaling=1.5305, shift=0.0609):
        latents = (latents / scaling) + shift
        return F.conv2d(latents, w, b, padding=1)

    # ------------------------------------------------------------------ LLaDA-8B-Instruct (masked diffusion)
    def add_gumbel_noise(logits, temperature=0.7):  # in float64, as LLaDA's sampler draws it
        logits = logits.to(f64)
        noise = torch.rand_like(logits, dtype=f64)
        gumbel = (-torch.log(noise)) ** temperature
        return logits.exp() / gumbel

    def low_confidence(logits, x0):
        p = F.softmax(logits.to(f64), dim=-1)
        return torch.squeeze(torch.gather(p, dim=-1, index=torch.unsqueeze(x0, -1)), -1)

    def transfer_topk(confidence, k=8):  # one row's top-k confident positions marked
        transfer = torch.zeros_like(confidence, dtype=b8)
        for j in range(confidence.shape[0]):
            _, select = torch.topk(confidence[j], k=k)
            transfer[j, select] = True
        return transfer

    # ------------------------------------------------------------------ vLLM's sampler (torch paths)
    def bin_counts_and_mask(tokens, vocab):  # get_token_bin_counts_and_mask
        bins = torch.zeros((tokens.shape[0], vocab + 1), dtype=torch.long, device=tokens.device)
        bins.scatter_add_(1, tokens, torch.ones_like(tokens))
        bins = bins[:, :vocab]
        return bins, bins > 0

    def apply_penalties(logits, prompt_mask, output_mask, output_bins, rep, freq, pres):
        penalties = torch.where(prompt_mask | output_mask, rep.unsqueeze(dim=1).repeat(1, logits.size(1)), 1.0)
        scaling = torch.where(logits > 0, 1.0 / penalties, penalties)
        logits *= scaling
        logits -= freq.unsqueeze(dim=1) * output_bins
        logits -= pres.unsqueeze(dim=1) * output_mask
        return logits

    def top_k_top_p(logits, k, p):  # apply_top_k_top_p_pytorch
        logits_sort, logits_idx = logits.sort(dim=-1, descending=False)
        top_k_mask = logits_sort.size(1) - k.to(torch.long)
        top_k_mask = logits_sort.gather(1, top_k_mask.unsqueeze(dim=1))
        top_k_mask = logits_sort < top_k_mask
        logits_sort.masked_fill_(top_k_mask, -float("inf"))
        probs_sort = logits_sort.softmax(dim=-1)
        probs_sum = torch.cumsum(probs_sort, dim=-1, out=probs_sort)
        top_p_mask = probs_sum <= 1 - p.unsqueeze(dim=1)
        top_p_mask[:, -1] = False
        logits_sort.masked_fill_(top_p_mask, -float("inf"))
        return logits.scatter_(dim=-1, index=logits_idx, src=logits_sort)

    def random_sample(logits):  # softmax, the exponential race (no multinomial's sync)
        probs = logits.softmax(dim=-1, dtype=torch.float32)
        q = torch.empty_like(probs)
        q.exponential_()
        return probs.div_(q).argmax(dim=-1).view(-1)

    def gather_logprobs(logits, token_ids, n=20):  # compute_logprobs and gather_logprobs
        logprobs = logits.log_softmax(dim=-1, dtype=torch.float32)
        topk_logprobs, topk_indices = torch.topk(logprobs, n, dim=-1)
        token_ids = token_ids.unsqueeze(-1)
        token_logprobs = logprobs.gather(-1, token_ids)
        ranks = (logprobs >= token_logprobs).sum(-1)
        indices = torch.cat((token_ids, topk_indices), dim=1).to(torch.int32)
        return indices, torch.cat((token_logprobs, topk_logprobs), dim=1), ranks

    def min_p(logits, p):
        probs = torch.softmax(logits, dim=-1)
        top = probs.amax(dim=-1, keepdim=True)
        return logits.masked_fill_(probs < p.unsqueeze(1) * top, -float("inf"))

    def logit_bias(logits, rows, cols, bias):
        logits[rows, cols] += bias
        return logits

    # ------------------------------------------------------------------ typical acceptance (Medusa heads)
    def typical_accept(target_probs, draft_ids, threshold=0.09, alpha=0.3):
        candidates = torch.gather(target_probs, dim=-1, index=draft_ids.unsqueeze(-1)).squeeze(-1)
        entropy = -torch.sum(target_probs * torch.log(target_probs + 1e-5), dim=-1)
        thresh = torch.minimum(torch.ones_like(entropy) * threshold, torch.exp(-entropy) * alpha)
        return candidates > thresh

    # ------------------------------------------------------------------ MarianMT (opus-mt-en-de) beam search, fp16
    def marian_embed(ids, w, pos_table, positions, scale=math.sqrt(512)):
        return F.embedding(ids, w) * scale + F.embedding(positions, pos_table)

    def post_ln(residual, h, w, b):
        return F.layer_norm(residual + h, (h.shape[-1],), w, b)

    def marian_logits(h, w, bias):
        return linear(h, w) + bias

    def beam_scores(logits, running, beams=4):  # log-softmax in fp32 plus the running scores, beams x vocabulary
        logp = F.log_softmax(logits.float(), dim=-1)
        logp = logp + running.view(-1, 1)
        return logp.view(-1, beams * logp.shape[-1])

    def beam_topk_indices(flat, vocab=58101, keep=8):
        top_v, top_i = torch.topk(flat, k=keep)
        return top_v, top_i // vocab, top_i % vocab

    def gather_beams(seqs, beam_idx):  # _gather_beams by take_along_dim
        return torch.take_along_dim(input=seqs, indices=beam_idx[..., None], dim=1)

    # ------------------------------------------------------------------ multi-LoRA (vLLM's torch bgmv ops)
    def bgmv_shrink(x, lora_a, idx, out, scaling=1.0):
        selected = lora_a[idx].to(dtype=out.dtype)
        o = torch.einsum("bi, boi -> bo", x, selected)
        out[:, : o.shape[1]] = scaling * o[:]
        return out

    def bgmv_expand_slice(x, lora_b, idx, out, offset=4096):
        selected = lora_b[idx].to(dtype=out.dtype)
        o = torch.einsum("bi, boi -> bo", x.to(out.dtype), selected)
        out[:, offset:offset + o.shape[1]] += o
        return out

    # ------------------------------------------------------------------ paged attention in torch (vLLM's reference)
    def paged_gather(key_cache, block_indices, kv_len=3000, heads=8, head_size=256):
        return key_cache[block_indices].view(-1, heads, head_size)[:kv_len]

    def ref_scores(q, k):
        k = torch.repeat_interleave(k, q.shape[1] // k.shape[1], dim=1)
        return torch.einsum("qhd,khd->hqk", q, k).float() * 256 ** -0.5

    def ref_mask_softmax(attn, dtype=bf):
        query_len, kv_len = attn.shape[-2:]
        mask = torch.triu(torch.ones(query_len, kv_len, device=attn.device), diagonal=kv_len - query_len + 1).bool()
        attn.masked_fill_(mask, float("-inf"))
        return torch.softmax(attn, dim=-1).to(dtype)

    def ref_values(attn, v):
        v = torch.repeat_interleave(v, attn.shape[0] // v.shape[1], dim=1)
        return torch.einsum("hqk,khd->qhd", attn, v)

    def cache_write(key_cache, slot_mapping, key):  # the flattened pool written at the tokens' slots
        flat = key_cache.view(-1, *key_cache.shape[2:])
        flat[slot_mapping] = key
        return key_cache

    # ------------------------------------------------------------------ embeddings, rerankers, reward models
    def last_token_pool(h, attention_mask):  # Qwen3-Embedding: right padding's last real token, then normalised
        lengths = attention_mask.sum(dim=1) - 1
        pooled = h[torch.arange(h.shape[0], device=h.device), lengths]
        return F.normalize(pooled, p=2, dim=1)

    def mrl_scores(q, d, dim=1024):  # Matryoshka truncation, renormalised, the similarity matrix
        q, d = F.normalize(q[:, :dim], p=2, dim=1), F.normalize(d[:, :dim], p=2, dim=1)
        return q @ d.T

    def yes_no_score(logits, true_id=9454, false_id=2152):  # Qwen3-Reranker: log-softmax over "no" / "yes"
        true_v, false_v = logits[:, true_id], logits[:, false_id]
        s = torch.stack([false_v, true_v], dim=1)
        return F.log_softmax(s, dim=1)[:, 1].exp()

    def armo_head(h, prompt_pos, last_pos, reg_w, g1, gb1, g2, gb2, g3, gb3, transform, temperature=10.0):
        rows = torch.arange(h.shape[0], device=h.device)  # ArmoRM: the gating network over the prompt's token
        prompt_emb, last_emb = h[rows, prompt_pos], h[rows, last_pos]
        rewards = linear(last_emb, reg_w)
        g = F.relu(linear(prompt_emb, g1, gb1))
        g = F.relu(linear(g, g2, gb2))
        g = F.softmax(linear(g, g3, gb3) / temperature, dim=1)
        return torch.sum(g * (rewards @ transform), dim=1)

    def splade_pool(logits, attention_mask):  # max over tokens of log(1 + ReLU(logits)), padding masked
        values, _ = torch.max(torch.log(1 + torch.relu(logits)) * attention_mask.unsqueeze(-1), dim=1)
        return values

    def bert_mlm_transform(h, w, b, nw, nb):
        return F.layer_norm(F.gelu(linear(h, w, b)), (h.shape[-1],), nw, nb, 1e-12)

    def colpali_proj(h, w, b, attention_mask):
        proj = linear(h, w, b)
        proj = proj / proj.norm(dim=-1, keepdim=True)
        return proj * attention_mask.unsqueeze(-1)

    def colpali_maxsim(qs, ps):
        return torch.einsum("bnd,csd->bcns", qs, ps).max(dim=3)[0].sum(dim=2)

    # ------------------------------------------------------------------ quantised weights in torch
    def hqq_dequant(w_q, scale, zero, shape=(27648, 5120)):  # unpack_4bit_u8, then (W - zero) * scale, group 64
        step = w_q.shape[0]
        tmp = torch.empty([2 * step, w_q.shape[1]], dtype=u8, device=w_q.device)
        tmp[:step] = (w_q & 0b11110000) >> 4
        tmp[step:] = w_q & 0b00001111
        return ((tmp.to(scale.dtype) - zero) * scale).reshape(shape)

    def gguf_q8_0(blocks, dtype=bf):  # diffusers' dequantize_blocks_Q8_0: an fp16 scale, 32 int8 quants a block
        d, x = blocks[:, :2], blocks[:, 2:]
        d = d.contiguous().view(f16).to(dtype)
        x = x.contiguous().view(torch.int8)
        return d * x

    # ------------------------------------------------------------------ Parler-TTS Mini v1 (decoder)
    def codebook_embed_sum(ids, tables):
        return sum(F.embedding(ids[:, c], tables[c]) for c in range(tables.shape[0]))

    def sinusoidal_positions(table, position_ids, h):
        return h + table.index_select(0, position_ids.view(-1)).view(position_ids.shape[0], -1, table.shape[-1])

    def stacked_heads(h, w):
        return torch.stack([linear(h, w[c]) for c in range(w.shape[0])], dim=1)

    # ------------------------------------------------------------------ Llama-4-Scout attention details
    def attn_proj(x, wq, wk, bq=None, bk=None):  # q and k (v has k's shape) of the same hidden states
        return linear(x, wq, bq), linear(x, wk, bk)

    def attn_proj_out(x, a, wq, wk, wo, bq=None, bk=None, bo=None):  # q and k of the step, o_proj of its attention
        return linear(x, wq, bq), linear(x, wk, bk), linear(a, wo, bo)

    def geglu_mlp(x, wg, wu, wd):  # gate_proj, up_proj, the tanh GELU gate, down_proj
        return linear(F.gelu(linear(x, wg), approximate="tanh") * linear(x, wu), wd)

    h16 = dict(dt=f16)
    out = []
    # gpt-oss-120b (bf16: hidden 2880, 64 q heads over 8 KV heads of 64, 128 experts of 2880 wide, top-4, 201088
    # tokens, sliding window 128 with learned sinks, YaRN x32 over 4096) over a 2000-token prompt; a decode step of 24
    # over 8192 cached tokens; gpt-oss-20b's 32 MXFP4 experts dequantised at load
    T = 2000
    out += [("embed_tokens", lambda ids, w: F.embedding(ids, w), (i(1, T), m(201088, 2880))),
            ("rmsnorm_weight_fp32", oss_rmsnorm, (m(1, T, 2880), m(2880))),
            ("qk_proj_bias", attn_proj, (m(1, T, 2880), m(4096, 2880), m(512, 2880), m(4096), m(512))),
            ("yarn_cos_sin", lambda inv, pos: rope_cos_sin(inv, pos, scaling=oss_scaling, cat=False),
             (m(32, dt=f32), i(1, T))),
            ("rotary_chunked_halves", oss_rotary, (m(1, 64, T, 64), m(1, 8, T, 64), m(1, T, 32), m(1, T, 32))),
            ("eager_sinks_prefill", oss_eager, (m(1, 64, T, 64), m(1, 8, T, 64), m(1, 8, T, 64), m(1, 1, T, T),
                                                m(64))),
            ("o_proj_bias_residual", lambda r, a, w, b: r + linear(a, w, b),
             (m(1, T, 2880), m(1, T, 4096), m(2880, 4096), m(2880))),
            ("router_top4_softmax", oss_router, (m(T, 2880), m(128, 2880), m(128))),
            ("batched_mm_experts", batched_mm_experts,
             (m(4, 2880), i(4, 4), m(4, 4), m(128, 2880, 5760), m(128, 5760), m(128, 2880, 2880), m(128, 2880))),
            ("mxfp4_dequant", mxfp4_dequant, (m(32, 5760, 90, 16, dt=u8), m(32, 5760, 90, dt=u8), m(16))),
            ("attn_proj_bias_decode", attn_proj_out,
             (m(24, 1, 2880), m(24, 1, 4096), m(4096, 2880), m(512, 2880), m(2880, 4096), m(4096), m(512), m(2880))),
            ("sliding_cache_update", sliding_cache_update, (m(24, 8, 127, 64), m(24, 8, 1, 64))),
            ("eager_sinks_decode_full", oss_eager,
             (m(24, 64, 1, 64), m(24, 8, 8193, 64), m(24, 8, 8193, 64), m(24, 1, 1, 8193), m(64))),
            ("router_decode", oss_router, (m(24, 2880), m(128, 2880), m(128))),
            ("lm_head", linear, (m(24, 1, 2880), m(201088, 2880))),
            ("lm_head_last_token", lambda h, w: linear(h[:, -1:, :], w), (m(1, T, 2880), m(201088, 2880)))]
    # Gemma-3-12B-it (bf16: hidden 3840, 16 q heads over 8 KV heads of 256, q / k norms, 15360-wide tanh-GELU MLP,
    # 262208 tokens, sliding window 1024; SigLIP-So400m at 896 x 896: 4096 patches, 1152 wide, 16 heads of 72, 4304-wide
    # MLP; 256 soft tokens an image) over a 2300-token prompt holding 2 images; a decode step of 16 over 6000 tokens
    G = 2300
    out += [("scaled_embed_buffer", gemma_embed, (i(1, G), m(262208, 3840), m((), dt=f32))),
            ("siglip_embed_layer_norm", lambda px, w, b, pos, nw, nb: F.layer_norm(siglip_embed(px, w, b, pos), (1152,),
                                                                                    nw, nb, 1e-6),
             (m(2, 3, 896, 896), m(1152, 3, 14, 14), m(1152), m(1, 4096, 1152), m(1152), m(1152))),
            ("siglip_attention_72", lambda x, w, b, wo, bo: linear(siglip_attention(x, w, b), wo, bo),
             (m(2, 4096, 1152), m(3, 1152, 1152), m(3, 1152), m(1152, 1152), m(1152))),
            ("siglip_mlp_residual", lambda r, x, w1, b1, w2, b2: r + linear(F.gelu(linear(x, w1, b1),
                                                                                     approximate="tanh"), w2, b2),
             (m(2, 4096, 1152), m(2, 4096, 1152), m(4304, 1152), m(4304), m(1152, 4304), m(1152))),
            ("mm_projector", mm_projector, (m(2, 4096, 1152), m(1152), m(1152, 3840))),
            ("merge_image_rows", merge_image_rows, (m(1, G, 3840), i(512), m(2, 256, 3840))),
            ("block_sequence_ids", block_sequence_ids, (i(1, G),)),
            ("image_block_masks", image_block_mask, (i(1, G),)),
            ("qk_proj", attn_proj, (m(1, G, 3840), m(4096, 3840), m(2048, 3840))),
            ("q_norm", qk_norm_heads, (m(1, G, 4096), m(256))),
            ("sdpa_block_mask", lambda q, k, v, a: sdpa(q, repeat_kv(k, 2), repeat_kv(v, 2), attn_mask=a,
                                                        scale=256 ** -0.5),
             (m(1, 16, G, 256), m(1, 8, G, 256), m(1, 8, G, 256), m(1, 1, G, G, dt=b8))),
            ("o_proj", linear, (m(1, G, 4096), m(3840, 4096))),
            ("geglu_mlp", geglu_mlp, (m(1, G, 3840), m(15360, 3840), m(15360, 3840), m(3840, 15360))),
            ("sdpa_decode_window", lambda q, k, v: sdpa(q, k, v, scale=256 ** -0.5, enable_gqa=True),
             (m(16, 16, 1, 256), m(16, 8, 1024, 256), m(16, 8, 1024, 256))),
            ("sdpa_decode_global", lambda q, k, v: sdpa(q, k, v, scale=256 ** -0.5, enable_gqa=True),
             (m(16, 16, 1, 256), m(16, 8, 6000, 256), m(16, 8, 6000, 256))),
            ("attn_proj_decode", attn_proj_out,
             (m(16, 1, 3840), m(16, 1, 4096), m(4096, 3840), m(2048, 3840), m(3840, 4096))),
            ("geglu_mlp_decode", geglu_mlp, (m(16, 1, 3840), m(15360, 3840), m(15360, 3840), m(3840, 15360))),
            ("lm_head", linear, (m(16, 1, 3840), m(262208, 3840))),
            ("lm_head_last_token", lambda h, w: linear(h[:, -1:, :], w), (m(1, G, 3840), m(262208, 3840)))]
    # Qwen2-57B-A14B's MoE block in transformers (bf16: hidden 3584, 64 experts of 2560, top-8 unnormalised, a shared
    # expert of 20480 gated by a sigmoid) over a 3000-token prompt (the expert mask, one expert's 375 rows); the biased
    # q / k projections, the router and the experts at a decode step of 20
    E = 3000
    out += [("attn_proj_bias", attn_proj_out,
             (m(1, E, 3584), m(1, E, 3584), m(3584, 3584), m(512, 3584), m(3584, 3584), m(3584), m(512))),
            ("router_top8", qwen2moe_router, (m(E, 3584), m(64, 3584))),
            ("expert_mask", expert_mask, (i(E, 8),)),
            ("expert_gate_up", expert_gate_up, (m(E, 3584), i(375), m(64, 5120, 3584))),
            ("expert_down_weighted", expert_down_weighted,
             (m(375, 2560), m(64, 3584, 2560), m(E, 8), i(375), i(375), m(E, 3584))),
            ("shared_expert", swiglu, (m(E, 3584), m(20480, 3584), m(20480, 3584), m(3584, 20480))),
            ("shared_expert_gate", shared_expert_gated, (m(E, 3584), m(E, 3584), m(E, 3584), m(1, 3584))),
            ("qk_proj_bias_decode", attn_proj, (m(20, 1, 3584), m(3584, 3584), m(512, 3584), m(3584), m(512))),
            ("router_decode", qwen2moe_router, (m(20, 3584), m(64, 3584))),
            ("expert_gate_up_decode", lambda h, t, w: expert_gate_up(h, t, w, 5), (m(20, 3584), i(3),
                                                                                   m(64, 5120, 3584))),
            ("shared_expert_decode", swiglu, (m(20, 3584), m(20480, 3584), m(20480, 3584), m(3584, 20480)))]
    # ERNIE-4.5-21B-A3B (bf16: hidden 2560, 20 q heads over 4 KV heads of 128, interleaved rotary in fp32, 64 experts
    # of 1536 top-6 through an fp32 router with a correction bias, 2 shared experts, 103424 tokens) over a 4000-token
    # prompt; the batched experts (batch 4) and the projections and head at decode (batch 32)
    R = 4000
    out += [("qk_proj", attn_proj, (m(1, R, 2560), m(2560, 2560), m(512, 2560))),
            ("rope_interleaved_fp32", ernie_rope, (m(1, 20, R, 128), m(1, 4, R, 128), m(1, R, 128), m(1, R, 128))),
            ("sdpa_causal_gqa", lambda q, k, v: sdpa(q, k, v, is_causal=True, enable_gqa=True),
             (m(1, 20, R, 128), m(1, 4, R, 128), m(1, 4, R, 128))),
            ("o_proj_residual", lambda r, a, w: r + linear(a, w), (m(1, R, 2560), m(1, R, 2560), m(2560, 2560))),
            ("router_fp32_bias", ernie_router, (m(R, 2560), m(64, 2560, dt=f32), m(1, 64, dt=f32))),
            ("shared_experts", swiglu, (m(R, 2560), m(3072, 2560), m(3072, 2560), m(2560, 3072))),
            ("expert_loop", lambda h, t, gu, d: F.linear(expert_gate_up(h, t, gu, 9), d[9]),
             (m(R, 2560), i(375), m(64, 3072, 2560), m(64, 2560, 1536))),
            ("batched_mm_experts", batched_mm_experts_plain,
             (m(4, 2560), i(4, 6), m(4, 6), m(64, 3072, 2560), m(64, 2560, 1536))),
            ("attn_proj_decode", attn_proj_out,
             (m(32, 1, 2560), m(32, 1, 2560), m(2560, 2560), m(512, 2560), m(2560, 2560))),
            ("shared_experts_decode", swiglu, (m(32, 2560), m(3072, 2560), m(3072, 2560), m(2560, 3072))),
            ("lm_head", linear, (m(32, 2560), m(103424, 2560)))]
    # DeepSeek-V3's reference inference (model.py, attn_impl "absorb", bf16: hidden 7168, 16 of 128 heads a GPU at
    # 8-way tensor parallelism, q_lora 1536, kv_lora 512 + rope 64, keys of 192, values of 128, 256 experts in 8
    # groups, top-8 of the best 4, a shared expert of 2048) at a decode step of 12 over 6000 cached latents, and a
    # 256-token prefill chunk of 2 over 2048
    D, S = 6000, 256
    out += [("q_lora", lambda x, wa, nw, wb: linear(ds_rms(linear(x, wa), nw), wb),
             (m(12, 1, 7168), m(1536, 7168), m(1536), m(3072, 1536))),
            ("wkv_a", linear, (m(12, 1, 7168), m(576, 7168))),
            ("q_absorb_einsum", ds_q_absorb, (m(12, 1, 3072), m(4096, 512))),
            ("kv_cache_write", ds_kv_write,
             (m(12, 8192, 512), m(12, 8192, 64), m(12, 1, 512), m(12, 1, 1, 64), m(512))),
            ("absorbed_scores", ds_absorbed_scores, (m(12, 1, 16, 512), m(12, D, 512), m(12, 1, 16, 64),
                                                     m(12, D, 64))),
            ("absorbed_values", ds_absorbed_values, (m(12, 1, 16, D), m(12, D, 512), m(4096, 512))),
            ("wo", linear, (m(12, 1, 2048), m(7168, 2048))),
            ("gate_noaux_groups", ds_gate, (m(12, 7168), m(256, 7168), m(256, dt=f32))),
            ("shared_expert", swiglu, (m(12, 7168), m(2048, 7168), m(2048, 7168), m(7168, 2048))),
            ("q_lora_prefill", lambda x, wa, nw, wb: linear(ds_rms(linear(x, wa), nw), wb),
             (m(2, S, 7168), m(1536, 7168), m(1536), m(3072, 1536))),
            ("wkv_a_prefill", linear, (m(2, S, 7168), m(576, 7168))),
            ("q_absorb_prefill", ds_q_absorb, (m(2, S, 3072), m(4096, 512))),
            ("absorbed_scores_masked", lambda a, b, c, d, mask: ds_absorbed_scores(a, b, c, d, mask),
             (m(2, S, 16, 512), m(2, 2048, 512), m(2, S, 16, 64), m(2, 2048, 64), m(S, 2048))),
            ("absorbed_values_prefill", ds_absorbed_values, (m(2, S, 16, 2048), m(2, 2048, 512), m(4096, 512))),
            ("wo_prefill", linear, (m(2, S, 2048), m(7168, 2048))),
            ("shared_expert_prefill", swiglu, (m(2 * S, 7168), m(2048, 7168), m(2048, 7168), m(7168, 2048))),
            ("lm_head", linear, (m(12, 1, 7168), m(129280, 7168)))]
    # ModernBERT-large (bf16: hidden 1024, 16 heads of 64, GeGLU 2624 wide, 50368 tokens, a 128-token local window)
    # classifying 8 documents padded to 2048 tokens (and its MLM decoder over their 2458 masked tokens); its
    # projections over 32 documents of 512
    B, N = 8, 2048
    out += [("embeddings_norm", mb_embed, (i(B, N), m(50368, 1024), m(1024))),
            ("wqkv", linear, (m(B, N, 1024), m(3072, 1024))),
            ("qkv_unbind_rope", mb_qkv_rope, (m(B, N, 3072), m(B, N, 64), m(B, N, 64))),
            ("local_window_mask", mb_sliding_mask, (i(B, N),)),
            ("sdpa_local_mask", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(B, 16, N, 64), m(B, 16, N, 64), m(B, 16, N, 64), m(B, 1, N, N, dt=b8))),
            ("wo_residual", lambda r, a, w: r + linear(a.reshape(B, N, -1), w),
             (m(B, N, 1024), m(B, N, 16, 64), m(1024, 1024))),
            ("geglu_mlp", lambda x, wi, wo: linear(mb_geglu(x, wi), wo), (m(B, N, 1024), m(5248, 1024), m(1024, 2624))),
            ("mean_pool_head", mb_mean_pool_head,
             (m(B, N, 1024), i(B, N), m(1024, 1024), m(1024), m(3, 1024), m(3))),
            ("mlm_decoder_masked", linear, (m(2458, 1024), m(50368, 1024), m(50368))),
            ("wqkv_short_docs", linear, (m(32, 512, 1024), m(3072, 1024))),
            ("mlp_short_docs", lambda x, wi, wo: linear(mb_geglu(x, wi), wo),
             (m(32, 512, 1024), m(5248, 1024), m(1024, 2624)))]
    # Stable Diffusion 3.5 Large (bf16: 2432 wide, 38 heads of 64 with RMSNorm'd q / k, 9728-wide tanh-GELU FF, a
    # 128 x 128 x 16 latent patched by 2 into 4096 tokens, 333 text tokens) at 1024 x 1024 with guidance's batch of 2;
    # the flow-matching Euler step and the VAE decoder's ends (bf16)
    P, L = 4096, 333
    out += [("patch_embed_cropped_pos", cropped_pos_embed,
             (m(2, 16, 128, 128), m(2432, 16, 2, 2), m(2432), m(1, 36864, 2432))),
            ("context_embedder", linear, (m(2, L, 4096), m(2432, 4096), m(2432))),
            ("adaln_linear", lambda t, w, b: linear(F.silu(t), w, b), (m(2, 2432), m(14592, 2432), m(14592))),
            ("ada_norm_zero", ada_norm_zero, (m(2, P, 2432), m(2, 14592))),
            ("joint_q_proj", lambda x, c, w, b, wa, ba: (linear(x, w, b), linear(c, wa, ba)),
             (m(2, P, 2432), m(2, L, 2432), m(2432, 2432), m(2432), m(2432, 2432), m(2432))),
            ("pooled_text_embed", lambda p, w1, b1, w2, b2: linear(F.silu(linear(p, w1, b1)), w2, b2),
             (m(2, 2048), m(2432, 2048), m(2432), m(2432, 2432), m(2432))),
            ("qk_rmsnorm", qk_rms_heads, (m(2, P, 2432), m(64))),
            ("joint_cat", joint_cat, (m(2, 38, P, 64), m(2, 38, L, 64))),
            ("joint_sdpa", sdpa, (m(2, 38, P + L, 64), m(2, 38, P + L, 64), m(2, 38, P + L, 64))),
            ("joint_out_split", joint_out,
             (m(2, 38, P + L, 64), m(2432, 2432), m(2432), m(2432, 2432), m(2432))),
            ("gated_residual", gated_residual, (m(2, P, 2432), m(2, 2432), m(2, P, 2432))),
            ("ff", lambda x, sc, sh, w1, b1, w2, b2: linear(ff_modulated(x, sc, sh, w1, b1), w2, b2),
             (m(2, P, 2432), m(2, 2432), m(2, 2432), m(9728, 2432), m(9728), m(2432, 9728), m(2432))),
            ("context_ff", lambda x, sc, sh, w1, b1, w2, b2: linear(ff_modulated(x, sc, sh, w1, b1), w2, b2),
             (m(2, L, 2432), m(2, 2432), m(2, 2432), m(9728, 2432), m(9728), m(2432, 9728), m(2432))),
            ("norm_out_unpatchify", norm_out_unpatchify,
             (m(2, P, 2432), m(2, 2432), m(4864, 2432), m(4864), m(64, 2432), m(64))),
            ("cfg_euler_step", cfg_euler_step, (m(2, 16, 128, 128), m(1, 16, 128, 128))),
            ("vae_conv_in", vae_conv_in, (m(1, 16, 128, 128), m(512, 16, 3, 3), m(512))),
            ("vae_groupnorm_silu", lambda x, w, b: F.silu(F.group_norm(x, 32, w, b, 1e-6)),
             (m(1, 512, 256, 256), m(512), m(512))),
            ("vae_up_conv", lambda x, w, b: F.conv2d(x, w, b, padding=1),
             (m(1, 128, 1024, 1024), m(128, 128, 3, 3), m(128))),
            ("vae_conv_out", lambda x, w, b: F.conv2d(F.silu(x), w, b, padding=1),
             (m(1, 128, 1024, 1024), m(3, 128, 3, 3), m(3)))]
    # LLaDA-8B-Instruct (bf16: 4096 wide, 32 heads of 128, no causal mask, SwiGLU 12288 wide, 126464 tokens) denoising
    # a 256-token answer in blocks of 32 after a 512-token prompt: the forward (and guidance's pair), the fp64 Gumbel
    # draw, low-confidence remasking
    X = 768
    out += [("q_proj", linear, (m(1, X, 4096), m(4096, 4096))),
            ("sdpa_bidirectional", sdpa, (m(1, 32, X, 128), m(1, 32, X, 128), m(1, 32, X, 128))),
            ("swiglu_mlp", swiglu, (m(1, X, 4096), m(12288, 4096), m(12288, 4096), m(4096, 12288))),
            ("lm_head", linear, (m(1, X, 4096), m(126464, 4096))),
            ("lm_head_cfg_pair", linear, (m(2, X, 4096), m(126464, 4096))),
            ("gumbel_argmax_fp64", lambda lg: torch.argmax(add_gumbel_noise(lg), dim=-1), (m(1, X, 126464),)),
            ("low_confidence", low_confidence, (m(1, X, 126464), i(1, X))),
            ("transfer_topk", transfer_topk, (m(1, X, dt=f64),))]
    # vLLM's sampler over gpt-oss's 201088 tokens at a batch of 48 (fp32 logits, 500 output tokens a request): the
    # allowed-token mask and temperature, penalties from the output's bin counts, the logit bias, min-p, top-k / top-p,
    # the exponential race, logprobs
    V = 201088
    out += [("fp32_allowed_temperature", lambda x, a, t: x.to(f32).masked_fill_(a, float("-inf")).div_(t.unsqueeze(1)),
             (m(48, V), m(48, V, dt=b8), m(48, dt=f32))),
            ("penalties", lambda lg, pm, ot, rep_, freq, pres: apply_penalties(
                lg, pm, *bin_counts_and_mask(ot, V)[::-1], rep_, freq, pres),
             (m(48, V, dt=f32), m(48, V, dt=b8), i(48, 500), m(48, dt=f32), m(48, dt=f32), m(48, dt=f32))),
            ("logit_bias", logit_bias, (m(48, V, dt=f32), i(300), i(300), m(300, dt=f32))),
            ("min_p", min_p, (m(48, V, dt=f32), m(48, dt=f32))),
            ("top_k_top_p", top_k_top_p, (m(48, V, dt=f32), i(48), m(48, dt=f32))),
            ("random_sample", random_sample, (m(48, V, dt=f32),)),
            ("gather_logprobs", gather_logprobs, (m(48, V, dt=f32), i(48)))]
    # Medusa's typical acceptance (vLLM) over Gemma-3's 262208 tokens: 16 sequences, 4 proposals each, fp32
    out += [("typical_accept", lambda p, d: (typical_accept(p, d), p.argmax(dim=-1)),
             (m(16, 4, 262208, dt=f32), i(16, 4)))]
    # MarianMT opus-mt-en-de in fp16 (d_model 512, 8 heads of 64, swish FFN 2048, post-norm, 58101 tokens, sinusoidal
    # positions, final_logits_bias): the encoder over 16 sentences of 128 tokens, a beam search over 4 beams at step 40
    Bm = 64
    out += [("encoder_q_proj", linear, (m(16, 128, 512, **h16), m(512, 512, **h16), m(512, **h16))),
            ("encoder_ffn", lambda x, w1, b1, w2, b2: linear(F.silu(linear(x, w1, b1)), w2, b2),
             (m(16, 128, 512, **h16), m(2048, 512, **h16), m(2048, **h16), m(512, 2048, **h16), m(512, **h16))),
            ("cross_kv_proj", linear, (m(Bm, 128, 512, **h16), m(512, 512, **h16), m(512, **h16))),
            ("scaled_embed_positions", marian_embed, (i(Bm, 1), m(58101, 512, **h16), m(512, 512, **h16), i(Bm, 1))),
            ("q_proj", linear, (m(Bm, 1, 512, **h16), m(512, 512, **h16), m(512, **h16))),
            ("sdpa_self_decode", sdpa, (m(Bm, 8, 1, 64, **h16), m(Bm, 8, 41, 64, **h16), m(Bm, 8, 41, 64, **h16))),
            ("sdpa_cross_padding", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(Bm, 8, 1, 64, **h16), m(Bm, 8, 128, 64, **h16), m(Bm, 8, 128, 64, **h16), m(Bm, 1, 1, 128, **h16))),
            ("post_layer_norm", post_ln, (m(Bm, 1, 512, **h16), m(Bm, 1, 512, **h16), m(512, **h16), m(512, **h16))),
            ("ffn_decode", lambda x, w1, b1, w2, b2: linear(F.silu(linear(x, w1, b1)), w2, b2),
             (m(Bm, 1, 512, **h16), m(2048, 512, **h16), m(2048, **h16), m(512, 2048, **h16), m(512, **h16))),
            ("lm_head_final_bias", marian_logits, (m(Bm, 1, 512, **h16), m(58101, 512, **h16), m(1, 58101, **h16))),
            ("beam_step", lambda lg, run: beam_topk_indices(beam_scores(lg, run)), (m(Bm, 58101, **h16),
                                                                                     m(16, 4, dt=f32))),
            ("gather_beams", gather_beams, (i(16, 8, 168), i(16, 8))),
            ("reorder_cache", lambda c, b: c.index_select(0, b), (m(Bm, 8, 41, 64, **h16), i(Bm)))]
    # multi-LoRA at decode through vLLM's torch bgmv ops: 48 requests over 8 adapters of Gemma-3-12B (rank 16 on q / k
    # / v, rank 64 on gate / up)
    out += [("lora_k_proj", lambda x, a, b, idx, buf, o: bgmv_expand_slice(bgmv_shrink(x, a, idx, buf), b, idx, o),
             (m(48, 3840), m(8, 16, 3840), m(8, 2048, 16), i(48), m(48, 16), m(48, 8192))),
            ("lora_up_proj", lambda x, a, b, idx, buf, o: bgmv_expand_slice(bgmv_shrink(x, a, idx, buf), b, idx, o,
                                                                             15360),
             (m(48, 3840), m(8, 64, 3840), m(8, 15360, 64), i(48), m(48, 64), m(48, 30720)))]
    # vLLM's reference paged attention in torch over Gemma-3-12B's KV heads (8 of 256, blocks of 16): a 256-token
    # chunk of a 3000-token sequence, its blocks gathered, the scores in fp32 through the triangular mask; the write
    out += [("paged_gather", paged_gather, (m(4096, 16, 8, 256), i(188))),
            ("ref_paged_attention", lambda q, k, v: ref_values(ref_mask_softmax(ref_scores(q, k)), v),
             (m(256, 16, 256), m(3000, 8, 256), m(3000, 8, 256))),
            ("cache_write", cache_write, (m(4096, 16, 8, 256), i(48), m(48, 8, 256)))]
    # embeddings, rerankers and reward heads: Qwen3-Embedding-4B (2560 wide, 32 q heads over 8 KV heads of 128, 9728
    # wide) over 64 texts of 512 tokens: projections, last-token pooling, Matryoshka scores; Qwen3-Reranker-4B's yes /
    # no score, ArmoRM-Llama3-8B's gated multi-objective head, SPLADE-v3 (BERT-base, fp16) over 32 passages of 256,
    # ColPali-v1.2's 128-wide projection and MaxSim
    out += [("embed_attn_proj", attn_proj_out,
             (m(64, 512, 2560), m(64, 512, 4096), m(4096, 2560), m(1024, 2560), m(2560, 4096))),
            ("embed_swiglu", swiglu, (m(64, 512, 2560), m(9728, 2560), m(9728, 2560), m(2560, 9728))),
            ("last_token_pool", last_token_pool, (m(64, 512, 2560), i(64, 512))),
            ("mrl_scores", mrl_scores, (m(16, 2560, dt=f32), m(48, 2560, dt=f32))),
            ("reranker_last_head", lambda h, w: linear(h[:, -1, :], w), (m(32, 1024, 2560), m(151669, 2560))),
            ("yes_no_score", yes_no_score, (m(32, 151669),)),
            ("armo_gating_head", armo_head,
             (m(16, 1500, 4096), i(16), i(16), m(19, 4096), m(1024, 4096), m(1024), m(1024, 1024), m(1024),
              m(19, 1024), m(19), m(19, 19))),
            ("mlm_head", lambda h, w, b, nw, nb, dw, db: linear(bert_mlm_transform(h, w, b, nw, nb), dw, db),
             (m(32, 256, 768, **h16), m(768, 768, **h16), m(768, **h16), m(768, **h16), m(768, **h16),
              m(30522, 768, **h16), m(30522, **h16))),
            ("splade_max_pool", splade_pool, (m(32, 256, 30522, **h16), i(32, 256))),
            ("colpali_proj", colpali_proj, (m(64, 1030, 2048), m(128, 2048), m(128), i(64, 1030))),
            ("colpali_maxsim", colpali_maxsim, (m(32, 20, 128), m(64, 1030, 128)))]
    # quantised weights in torch: HQQ's 4-bit Qwen2.5-32B down_proj (group 64, fp16 scale / zero), BitNet b1.58 2B4T
    # (2560 wide, 20 q heads over 5 KV heads of 128, a 6912-wide squared-ReLU gate) over a 2048-token prompt and at a
    # decode step of 8, GGUF Q8_0 blocks (diffusers) of a FLUX.1 MLP weight (3072 x 12288)
    out += [("hqq_dequant", hqq_dequant, (m(1105920, 64, dt=u8), m(2211840, 1, **h16), m(2211840, 1, **h16))),
            ("bitnet_qk_proj", attn_proj, (m(1, 2048, 2560), m(2560, 2560), m(640, 2560))),
            ("bitnet_relu2_mlp", lambda x, wg, wu, wd: linear(F.relu(linear(x, wg)).pow(2) * linear(x, wu), wd),
             (m(1, 2048, 2560), m(6912, 2560), m(6912, 2560), m(2560, 6912))),
            ("bitnet_qkv_decode", linear, (m(8, 1, 2560), m(3840, 2560))),
            ("bitnet_lm_head_last", lambda h, w: linear(h[:, -1:, :], w), (m(1, 2048, 2560), m(128256, 2560))),
            ("gguf_q8_0", gguf_q8_0, (m(1179648, 34, dt=u8),))]
    # Parler-TTS Mini v1 (bf16: 1024 wide, 16 heads of 64, 9 codebooks of 1088, cross-attention to 64 description
    # tokens) at decode step 500 for 8 utterances: the codebooks' embeddings summed, positions, attention, 9 heads
    Pb = 8
    out += [("decoder_inputs", lambda ids, tables, pos_table, pos: sinusoidal_positions(
                pos_table, pos, codebook_embed_sum(ids, tables)), (i(Pb, 9, 1), m(9, 1089, 1024), m(4096, 1024),
                                                                  i(Pb, 1))),
            ("cross_kv_proj", linear, (m(Pb, 64, 1024), m(1024, 1024))),
            ("q_proj", linear, (m(Pb, 1, 1024), m(1024, 1024))),
            ("sdpa_self_decode", sdpa, (m(Pb, 16, 1, 64), m(Pb, 16, 532, 64), m(Pb, 16, 532, 64))),
            ("sdpa_cross_description", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(Pb, 16, 1, 64), m(Pb, 16, 64, 64), m(Pb, 16, 64, 64), m(Pb, 1, 1, 64))),
            ("gelu_ffn", lambda x, w1, w2: linear(F.gelu(linear(x, w1)), w2),
             (m(Pb, 1, 1024), m(4096, 1024), m(1024, 4096))),
            ("stacked_heads", stacked_heads, (m(Pb, 1, 1024), m(9, 1088, 1024))),
            ("multinomial", lambda p: torch.multinomial(p, num_samples=1), (m(Pb * 9, 1088, dt=f32),))]
    # Llama-4-Scout (bf16: hidden 5120, 40 q heads over 8 KV heads of 128, 16 experts, a shared expert of 8192) over a
    # 10000-token prompt: q and k, the shared expert, the router's sigmoid through fp32
    Q = 10000
    out += [("qk_proj", attn_proj, (m(1, Q, 5120), m(5120, 5120), m(1024, 5120))),
            ("shared_expert", swiglu, (m(Q, 5120), m(8192, 5120), m(8192, 5120), m(5120, 8192))),
            ("router_16", lambda x, w: torch.sigmoid(F.linear(x, w).float()), (m(Q, 5120), m(16, 5120)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK17, _check17()),))
