"""The aten sweep's twentieth blind real-code group: `realcode-check20`, language-model internals across architectures,
state-space and linear-attention models, vision, diffusion and audio models and everyday inference utilities.

Each case is one op or a short idiom as the models' public reference code and the libraries' torch paths write it, at
real model widths, batches, sequence lengths and dtypes (bf16 and fp16 mostly, fp32 where a codebase keeps it, int64
indices, bool masks): language-model internals (Mixtral's router (fp32 softmax, sorted top-2, renormalised),
DeepSeek-V3's sigmoid group-limited router and DeepSeek-V2-Lite's greedy one (top-k with sorted=False), Qwen2-MoE's
shared expert gate, one_hot expert masks, per-expert counts by scatter_add, tokens permuted by argsort and gathered or
index_select'ed, combined by index_copy_, index_put and index_add_, Switch's capacity by cumsum over tokens; Gemma-2's
soft-capped attention and final logits; Phi-3's LongRoPE and GPT-J's interleaved rotary; Qwen2-VL's M-RoPE index,
sectioned rope and vision patch Conv3d; BLOOM's ALiBi and baddbmm scores; Mistral's sliding-window mask and SDPA
through a window mask; GQA's repeat_kv, Megatron's repeat_interleave and a static cache's index_copy_; logits
processors: top-k, top-p by sort, cumsum and scatter (HF's and vLLM's per-request form), min-p, typical sampling, the
last position's fp32 copy, greedy argmax, multinomial draws; beam search's flattened top-k, the reordered ids and KV
caches, the gathered running beams and inputs expanded by repeat_interleave; speculative decoding: Medusa's heads,
candidates, tree logits and acceptance by cumprod, a tree-attention mask, EAGLE's feature fusion and draft-tree top-k,
greedy and rejection-sampling acceptance; KIVI's per-channel key and per-token value 2-bit quantisation with int32
packing and the unpacking; StreamingLLM's sinks and window and its re-rotated keys), state-space and linear-attention
models in plain torch (mamba_ssm's selective_scan_ref and selective_state_update; Mamba-2's SSD chunk form: segsum by
cumsum and masks, the diagonal blocks' einsum, groups by repeat_interleave; Vim's flipped branch; RWKV-4's token shift,
WKV step and channel mix, RWKV-6's data-dependent time-mix lerp; RetNet's decay mask and parallel retention; GLA's
chunk form; xLSTM's stabilised parallel mLSTM), vision and multimodal (CLIP ViT-L/14-336's position embeddings
interpolated bicubic, attention and quick-GELU MLP; SigLIP-so400m's patch embedding and GELU-tanh MLP; DINOv2-g's
registers, layer scale, SwiGLU, attention and fp32 bicubic position interpolation; SAM ViT-H's patch embedding,
padded window partition / unpartition, windowed attention with decomposed relative positions, get_rel_pos by linear
interpolation, the mask decoder's repeat_interleave, transposed-conv upscaling with LayerNorm2d, hypernetwork masks and
post-processing; DiT-XL/2's timestep embedder, adaLN modulation, gated residual and classifier-free guidance; Flux's
pairwise rope; SDXL's UNet ResBlocks, GEGLU, cross-attention, Upsample2D / Downsample2D and SD3's guidance; SD-1.5's
VAE upsampler, mid attention and output conv), audio (Whisper's conv stem, suppressed tokens by isin, reflect padding
and the batched log-mel from a complex spectrogram; wav2vec2's feature encoder with GroupNorm and LayerNorm convs,
feature projection and grouped positional conv; EnCodec's residual VQ by distances and argmax, its decode by summed
embeddings; a codebook by cdist) and everyday inference utilities (NeRF's hierarchical sampling by cumsum and
searchsorted; Chamfer distances and k-means assignment by cdist; PyG-style scatter max / mean / sum with
scatter_reduce and scatter_add, GCN message passing by index_add_ at 1-2M edges; embedding bags sum / mean / max /
weighted, 1-D with offsets and 2-D, small and large bags; histograms by scatter_add; dedup by a stable sort; argsort of
lengths and rows, stable and not; cumsum and cumprod over outer dims, cu_seqlens and position ids; bucketize and
searchsorted; AlphaFold's triangle-multiplication einsums; nan_to_num, a test-time flip, F.pad, roll, masked_fill,
where and clamp).
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal to one of theirs, so
it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK20 = "realcode-check20"


def _check20():
    import math

    import torch
    import torch.nn.functional as F

    f16 = torch.float16
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import (
        _dtype_makers,
        _layer_makers,
        _meta_makers,
        repeat_kv,
        rotate_half,
    )

    m, i = _meta_makers()

    linear, _, _ = _layer_makers(1e-6, 1e-5)

    mh, mf, mb, mi32 = _dtype_makers()

    out = []

    # ================================================================== language-model internals
    # ------------------------------------------------------------------ MoE routers
    def mixtral_router(x, w, top_k=2, norm=True):  # MixtralSparseMoeBlock / OLMoE / Qwen2-MoE: fp32 softmax, top-k
        logits = linear(x, w)
        rw = F.softmax(logits, dim=1, dtype=torch.float)
        rw, sel = torch.topk(rw, top_k, dim=-1)
        if norm:
            rw /= rw.sum(dim=-1, keepdim=True)
        return rw.to(x.dtype), sel, logits

    def expert_mask(sel, n):  # one_hot(selected_experts).permute(2, 1, 0): the experts' token lists
        return F.one_hot(sel, num_classes=n).permute(2, 1, 0)

    def shared_expert_gate(x, shared_out, w_gate):  # Qwen2-MoE: sigmoid(shared_expert_gate(x)) * shared_expert(x)
        return F.sigmoid(linear(x, w_gate)) * shared_out

    def deepseek_v3_router(x, w, bias, n_group=8, topk_group=4, top_k=8, scale=2.5):  # noaux_tc group-limited top-k
        n_exp = w.shape[0]
        logits = F.linear(x.type(torch.float32), w.type(torch.float32))
        scores = logits.sigmoid()
        sfc = scores.view(-1, n_exp) + bias.unsqueeze(0)
        group_scores = sfc.view(-1, n_group, n_exp // n_group).topk(2, dim=-1)[0].sum(dim=-1)
        group_idx = torch.topk(group_scores, k=topk_group, dim=-1, sorted=False)[1]
        group_mask = torch.zeros_like(group_scores)
        group_mask.scatter_(1, group_idx, 1)
        score_mask = group_mask.unsqueeze(-1).expand(-1, n_group, n_exp // n_group).reshape(-1, n_exp)
        tmp = sfc.masked_fill(~score_mask.bool(), 0.0)
        _, topk_idx = torch.topk(tmp, k=top_k, dim=-1, sorted=False)
        topk_weight = scores.gather(1, topk_idx)
        topk_weight = topk_weight / (topk_weight.sum(dim=-1, keepdim=True) + 1e-20)
        return topk_idx, topk_weight * scale

    def deepseek_greedy_router(x, w, top_k=6):  # DeepSeek-V2-Lite / DeepSeekMoE-16B: softmax, unsorted top-k
        scores = F.linear(x, w).softmax(dim=-1, dtype=torch.float32)
        topk_weight, topk_idx = torch.topk(scores, k=top_k, dim=-1, sorted=False)
        return topk_idx, topk_weight

    def deepseek_moe_permute(x, topk_ids, n_exp):  # moe_infer: counts by scatter_, ids argsorted, tokens gathered
        cnts = topk_ids.new_zeros((topk_ids.shape[0], n_exp))
        cnts.scatter_(1, topk_ids, 1)
        tokens_per_expert = cnts.sum(dim=0)
        idxs = topk_ids.view(-1).argsort()
        sorted_tokens = x[idxs // topk_ids.shape[1]]
        return sorted_tokens, tokens_per_expert, idxs

    def deepseek_moe_unpermute(outs, idxs, topk_weight):  # outputs scattered back, weighted and summed over top-k
        new_x = torch.empty_like(outs)
        new_x[idxs] = outs
        return (new_x.view(*topk_weight.shape, -1).type(topk_weight.dtype).mul_(topk_weight.unsqueeze(dim=-1))
                .sum(dim=1).type(new_x.dtype))

    def expert_counts(sel, n_exp):  # tokens per expert without bincount: ones scatter-added at the flat ids
        flat = sel.flatten()
        return torch.zeros(n_exp, dtype=torch.int64).scatter_add_(0, flat, torch.ones_like(flat))

    def megatron_permute(tokens, indices):  # Megatron-Core's permute: stable argsort, index_select of the tokens
        flat = indices.view(-1)
        sorted_indices = torch.argsort(flat, stable=True)
        return tokens.index_select(0, sorted_indices // indices.size(1)), sorted_indices

    def megatron_unpermute(permuted, sorted_indices, probs):  # index_copy_ back, reshaped, weighted, summed
        unpermuted = torch.zeros_like(permuted)
        unpermuted.index_copy_(0, sorted_indices, permuted)
        unpermuted = unpermuted.reshape(-1, probs.size(1), permuted.size(-1))
        return (unpermuted * probs.unsqueeze(-1)).sum(dim=1)

    def index_add_combine(x, token_idx, expert_out, w):  # expert outputs, weighted, accumulated by index_add_
        final = torch.zeros_like(x)
        final.index_add_(0, token_idx, (expert_out * w[:, None]).to(x.dtype))
        return final

    def switch_capacity(router_probs, capacity):  # SwitchTransformers' router: argmax, one_hot, cumsum over tokens
        n = router_probs.shape[-1]
        expert_index = torch.argmax(router_probs, dim=-1)
        expert_index = F.one_hot(expert_index, num_classes=n)
        token_priority = torch.cumsum(expert_index, dim=-2)
        expert_capacity_mask = token_priority <= capacity
        expert_index = expert_index * expert_capacity_mask
        return expert_index, torch.max(router_probs, dim=-1).values.unsqueeze(-1)

    # Mixtral-8x7B (4096 wide, 8 experts, top-2) at a 16384-token prefill; Qwen1.5-MoE-A2.7B's shared expert gate
    # (2048 wide, 8192 tokens); DeepSeek-V3's sigmoid router with the correction bias (7168 wide, 256 experts in 8
    # groups, top-4 groups, top-8, unsorted), DeepSeek-V2-Lite's greedy softmax router (2048, 64 experts, top-6,
    # unsorted)
    out += [("mixtral_router", mixtral_router, (m(16384, 4096), m(8, 4096))),
            ("qwen2_shared_expert_gate", shared_expert_gate, (m(8192, 2048), m(8192, 2048), m(1, 2048))),
            ("deepseek_v3_router", deepseek_v3_router, (m(4096, 7168), mf(256, 7168), mf(256))),
            ("deepseek_greedy_router", deepseek_greedy_router, (m(8192, 2048), m(64, 2048)))]

    # the expert mask (OLMoE's 64 experts, 8192 tokens at top-8); the capacity by cumsum over tokens (Switch-base-128:
    # 32 sequences of 512 tokens, capacity factor 1.25); DeepSeek-V3's permutation (256 experts, 4096 tokens top-8)
    # and combine; counts by scatter_add; Megatron's permute / unpermute (Mixtral's 8192 tokens, top-2); the weighted
    # combine by index_add_ (16384 tokens)
    out += [("expert_mask", lambda s: expert_mask(s, 64), (i(8192, 8),)),
            ("switch_capacity", lambda p: switch_capacity(p, 5), (mf(32, 512, 128),))]
    out += [("deepseek_moe_permute", lambda x, ids: deepseek_moe_permute(x, ids, 256), (m(4096, 7168), i(4096, 8))),
            ("deepseek_moe_unpermute", deepseek_moe_unpermute, (m(4096 * 8, 7168), i(4096 * 8), mf(4096, 8))),
            ("expert_counts", lambda s: expert_counts(s, 256), (i(8192, 8),)),
            ("megatron_permute", megatron_permute, (m(8192, 4096), i(8192, 2))),
            ("megatron_unpermute", megatron_unpermute, (m(16384, 4096), i(16384), mf(8192, 2))),
            ("index_add_combine", index_add_combine, (m(16384, 4096), i(32768), m(32768, 4096), mf(32768)))]

    # ------------------------------------------------------------------ Gemma-2: soft-capping
    def softcap(x, cap):
        return torch.tanh(x / cap) * cap

    def gemma2_eager_attention(q, k, v, mask, scaling, cap=50.0):  # eager_attention_forward with softcapping
        w = torch.matmul(q, k.transpose(2, 3)) * scaling
        w = softcap(w, cap)
        w = w + mask[:, :, :, : k.shape[-2]]
        w = F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        return torch.matmul(w, v).transpose(1, 2).contiguous()

    def gemma2_final_logits(h, w, cap=30.0):  # lm_head, then final_logit_softcapping
        logits = linear(h, w)
        logits = logits / cap
        logits = torch.tanh(logits)
        return logits * cap

    # Gemma-2-9B (16 heads of 256 over 8 KV heads expanded, query_pre_attn_scalar 256) at a 4096-token prefill; its
    # final soft-capped logits over the 256000-token vocabulary for 64 decode rows
    out += [("gemma2_eager_attention", lambda q, k, v, mk: gemma2_eager_attention(q, k, v, mk, 256 ** -0.5),
             (m(1, 16, 4096, 256), m(1, 16, 4096, 256), m(1, 16, 4096, 256), m(1, 1, 4096, 4096))),
            ("gemma2_final_logits", gemma2_final_logits, (m(64, 1, 3584), m(256000, 3584)))]

    # ------------------------------------------------------------------ rotary variants
    def longrope_cos_sin(ext_factors, pos, base=10000.0, scaling=1.1902380714238083):  # Phi3LongRoPEScaledRotary
        dim = ext_factors.shape[0] * 2
        inv_freq_shape = torch.arange(0, dim, 2, dtype=torch.int64).float() / dim
        inv_freq = 1.0 / (ext_factors * base ** inv_freq_shape)
        inv_freq_expanded = inv_freq[None, :, None].float().expand(pos.shape[0], -1, 1)
        pos_expanded = pos[:, None, :].float()
        freqs = (inv_freq_expanded.float() @ pos_expanded.float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        return (emb.cos() * scaling).to(torch.bfloat16), (emb.sin() * scaling).to(torch.bfloat16)

    def gptj_rotary(x, embed_positions, position_ids, rot=64):  # GPT-J: sincos gathered, interleaved, every-two
        sincos = embed_positions[position_ids]
        sin, cos = torch.split(sincos, sincos.shape[-1] // 2, dim=-1)
        sin = torch.repeat_interleave(sin[:, :, None, :], 2, 3)
        cos = torch.repeat_interleave(cos[:, :, None, :], 2, 3)
        x_rot, x_pass = x[:, :, :, :rot], x[:, :, :, rot:]
        x1, x2 = x_rot[:, :, :, ::2], x_rot[:, :, :, 1::2]
        rotated = torch.stack((-x2, x1), dim=-1).flatten(-2)
        x_rot = (x_rot * cos) + (rotated * sin)
        return torch.cat([x_rot, x_pass], dim=-1)

    # Phi-3-mini-128k (head 96, 48 long factors) over a 131072-token prompt; GPT-J-6B (16 heads of 256, rotary 64,
    # fp16) at 4 x 2048
    out += [("longrope_cos_sin", longrope_cos_sin, (mf(48), i(1, 131072))),
            ("gptj_rotary", gptj_rotary, (mh(4, 2048, 16, 256), mf(2048, 64), i(4, 2048)))]

    # ------------------------------------------------------------------ Qwen2-VL: M-RoPE and the vision tower
    def mrope_index_one_image(input_ids, n_before, t, h, w, merge=2):  # get_rope_index for text, an image, text
        gh, gw = h // merge, w // merge
        pos = [torch.arange(n_before).view(1, -1).expand(3, -1)]
        t_index = torch.arange(t).view(-1, 1).expand(-1, gh * gw).flatten()
        h_index = torch.arange(gh).view(1, -1, 1).expand(t, -1, gw).flatten()
        w_index = torch.arange(gw).view(1, 1, -1).expand(t, gh, -1).flatten()
        pos.append(torch.stack([t_index, h_index, w_index]) + n_before)
        st_idx = pos[-1].max() + 1
        rest = input_ids.shape[1] - n_before - t * gh * gw
        pos.append(torch.arange(rest).view(1, -1).expand(3, -1) + st_idx)
        return torch.cat(pos, dim=1).reshape(3, -1).unsqueeze(1)

    def apply_mrope(q, k, cos, sin, section=(16, 24, 24)):  # apply_multimodal_rotary_pos_emb's sectioned cos / sin
        sec = list(section) * 2
        cos = torch.cat([c[j % 3] for j, c in enumerate(cos.split(sec, dim=-1))], dim=-1).unsqueeze(1)
        sin = torch.cat([s[j % 3] for j, s in enumerate(sin.split(sec, dim=-1))], dim=-1).unsqueeze(1)
        return (q * cos) + (rotate_half(q) * sin), (k * cos) + (rotate_half(k) * sin)

    def qwen2vl_patch_embed(x, w):  # PatchEmbed: the flat patches viewed as (3, 2, 14, 14) through a Conv3d
        x = x.view(-1, 3, 2, 14, 14)
        return F.conv3d(x, w, stride=(2, 14, 14)).view(-1, w.shape[0])

    # Qwen2-VL-7B: a 1008 x 1008 image (72 x 72 patches, 1296 merged tokens) in a 1500-token prompt, the sectioned rope
    # on its 28 heads of 128 (4 KV heads); four such images' 5184 patches each through the vision Conv3d (1280 wide)
    out += [("mrope_index_one_image", lambda ids: mrope_index_one_image(ids, 20, 1, 72, 72), (i(1, 1500),)),
            ("apply_mrope", apply_mrope, (m(1, 28, 1500, 128), m(1, 4, 1500, 128), m(3, 1, 1500, 128),
                                          m(3, 1, 1500, 128))),
            ("qwen2vl_patch_embed", qwen2vl_patch_embed, (m(4 * 5184, 1176), m(1280, 3, 2, 14, 14)))]

    # ------------------------------------------------------------------ ALiBi
    def bloom_alibi(attention_mask, num_heads, dtype=torch.bfloat16):  # build_alibi_tensor
        batch_size, seq_length = attention_mask.shape
        closest = 2 ** math.floor(math.log2(num_heads))
        base = torch.tensor(2 ** (-(2 ** -(math.log2(closest) - 3))), dtype=torch.float32)
        powers = torch.arange(1, 1 + closest, dtype=torch.int32)
        slopes = torch.pow(base, powers)
        if closest != num_heads:
            extra_base = torch.tensor(2 ** (-(2 ** -(math.log2(2 * closest) - 3))), dtype=torch.float32)
            n_rem = min(closest, num_heads - closest)
            extra_powers = torch.arange(1, 1 + 2 * n_rem, 2, dtype=torch.int32)
            slopes = torch.cat([slopes, torch.pow(extra_base, extra_powers)], dim=0)
        arange_tensor = ((attention_mask.cumsum(dim=-1) - 1) * attention_mask)[:, None, :]
        alibi = slopes[..., None] * arange_tensor
        return alibi.reshape(batch_size * num_heads, 1, seq_length).to(dtype)

    def bloom_scores(alibi, q, k, mask, inv_norm):  # BloomAttention: alibi.baddbmm, mask, fp32 softmax
        bh, s, _ = q.shape
        scores = alibi.baddbmm(batch1=q, batch2=k, beta=1.0, alpha=inv_norm)
        w = scores.view(mask.shape[0], -1, s, k.shape[-1])
        w = torch.masked_fill(w, mask, torch.finfo(w.dtype).min)
        return F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)

    # BLOOM-176B's 112 heads' ALiBi over 8 x 2048 masks; BLOOM-7b1's baddbmm scores (32 heads of 128) at 2 x 2048
    # with the causal mask
    out += [("bloom_alibi", lambda mk: bloom_alibi(mk, 112), (i(8, 2048),)),
            ("bloom_scores", lambda a, q, k, mk: bloom_scores(a, q, k, mk, 128 ** -0.5),
             (m(64, 1, 2048), m(64, 2048, 128), m(64, 128, 2048), mb(2, 1, 2048, 2048)))]

    # ------------------------------------------------------------------ sliding windows, GQA, static caches
    def sliding_causal_mask(attention_mask, cache_position, target_length, window, dtype=torch.bfloat16):
        # _prepare_4d_causal_attention_mask_with_cache_position with a sliding window (Mistral, Gemma-2's local layers)
        min_dtype = torch.finfo(dtype).min
        seq = cache_position.shape[0]
        causal_mask = torch.full((seq, target_length), fill_value=min_dtype, dtype=dtype)
        diagonal_attend_mask = torch.arange(target_length) > cache_position.reshape(-1, 1)
        sliding_attend_mask = torch.arange(target_length) <= (cache_position.reshape(-1, 1) - window)
        diagonal_attend_mask.bitwise_or_(sliding_attend_mask)
        causal_mask *= diagonal_attend_mask
        causal_mask = causal_mask[None, None, :, :].expand(attention_mask.shape[0], 1, -1, -1).clone()
        mask_length = attention_mask.shape[-1]
        padding_mask = causal_mask[:, :, :, :mask_length] + attention_mask[:, None, None, :]
        padding_mask = padding_mask == 0
        causal_mask[:, :, :, :mask_length] = causal_mask[:, :, :, :mask_length].masked_fill(padding_mask, min_dtype)
        return causal_mask

    def static_cache_update(k_cache, v_cache, k, v, cache_position):  # StaticCache.update: index_copy_ on dim 2
        k_cache.index_copy_(2, cache_position, k)
        v_cache.index_copy_(2, cache_position, v)
        return k_cache, v_cache

    # Mistral-7B's 4096-token window over 4 x 8192 prompts and SDPA through a boolean window mask (32 heads of 128);
    # repeat_kv for Llama-3-70B (8 KV heads x 8) at an 8192 prefill and Qwen2.5-7B (4 x 7) at 4 x 8192; Megatron's
    # [s, b, g, d] repeat_interleave; StaticCache's index_copy_ of a prefill and a decode token
    out += [("sliding_causal_mask", lambda a, c: sliding_causal_mask(a, c, 8192, 4096), (i(4, 8192), i(8192))),
            ("sliding_sdpa", lambda q, k, v, mk: sdpa(q, k, v, attn_mask=mk),
             (m(1, 32, 8192, 128), m(1, 32, 8192, 128), m(1, 32, 8192, 128), mb(1, 1, 8192, 8192)))]
    out += [("repeat_kv", lambda x: repeat_kv(x, 8), (m(1, 8, 8192, 128),)),
            ("repeat_kv", lambda x: repeat_kv(x, 7), (m(4, 4, 8192, 128),)),
            ("megatron_gqa_repeat_interleave", lambda x: x.repeat_interleave(8, dim=2), (m(8192, 1, 8, 128),)),
            ("static_cache_update", static_cache_update,
             (m(1, 8, 8192, 128), m(1, 8, 8192, 128), m(1, 8, 2048, 128), m(1, 8, 2048, 128), i(2048))),
            ("static_cache_update", static_cache_update,
             (m(32, 8, 4096, 128), m(32, 8, 4096, 128), m(32, 8, 1, 128), m(32, 8, 1, 128), i(1)))]

    # ------------------------------------------------------------------ logits processors and sampling
    def top_k_filter(scores, k):  # TopKLogitsWarper
        indices_to_remove = scores < torch.topk(scores, k)[0][..., -1, None]
        return scores.masked_fill(indices_to_remove, -float("inf"))

    def top_p_filter(scores, top_p=0.9):  # TopPLogitsWarper: ascending sort, softmax, cumsum, scattered back
        sorted_logits, sorted_indices = torch.sort(scores, descending=False)
        cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        sorted_indices_to_remove = cumulative_probs <= (1 - top_p)
        sorted_indices_to_remove[..., -1:] = 0
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        return scores.masked_fill(indices_to_remove, -float("inf"))

    def vllm_top_k_top_p(logits, k, p):  # vLLM's apply_top_k_top_p with per-request k and p
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
        return logits_sort.scatter(dim=-1, index=logits_idx, src=logits_sort)

    def min_p_vllm(logits, min_p):  # vLLM's per-request min-p
        probs = torch.softmax(logits, dim=-1)
        top_probs = probs.amax(dim=-1, keepdim=True)
        tokens_to_remove = probs < min_p.unsqueeze(1) * top_probs
        return logits.masked_fill_(tokens_to_remove, -float("inf"))

    def typical_filter(scores, mass=0.9):  # TypicalLogitsWarper
        normalized = F.log_softmax(scores, dim=-1)
        p = torch.exp(normalized)
        ent = -(normalized * p).nansum(-1, keepdim=True)
        shifted_scores = torch.abs((-normalized) - ent)
        sorted_scores, sorted_indices = torch.sort(shifted_scores, descending=False)
        sorted_logits = scores.gather(-1, sorted_indices)
        cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        last_ind = (cumulative_probs < mass).sum(dim=1)
        last_ind.clamp_(max=sorted_scores.shape[-1] - 1)
        sorted_indices_to_remove = sorted_scores > sorted_scores.gather(1, last_ind.view(-1, 1))
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        return scores.masked_fill(indices_to_remove, -float("inf"))

    def next_token_logits(logits, t=0.7):  # generate(): the last position copied to fp32, the temperature
        return logits[:, -1, :].to(copy=True, dtype=torch.float32) / t

    # Llama-3's 128256 vocabulary over 64 rows (top-k, top-p, the last position's fp32 copy with the temperature),
    # Qwen2.5's 151936 over 256 (vLLM's per-request k and p, min-p, greedy argmax, probabilities and multinomial
    # draws), GPT-2's 50257 over 16 (typical), Gemma's 256000 over 8 (argmax)
    out += [("top_k_filter", lambda s: top_k_filter(s, 50), (mf(64, 128256),)),
            ("top_p_filter", top_p_filter, (mf(64, 128256),)),
            ("vllm_top_k_top_p", vllm_top_k_top_p, (mf(256, 151936), i(256), mf(256))),
            ("min_p_vllm", min_p_vllm, (mf(256, 151936), mf(256))),
            ("typical_filter", typical_filter, (mf(16, 50257),)),
            ("next_token_logits", next_token_logits, (m(64, 1, 128256),)),
            ("greedy_argmax", lambda s: torch.argmax(s, dim=-1), (mf(256, 151936),)),
            ("greedy_argmax", lambda s: torch.argmax(s, dim=-1), (mf(8, 256000),)),
            ("sample_probs", lambda s: F.softmax(s, dim=-1, dtype=torch.float), (mf(256, 151936),)),
            ("multinomial", lambda p: torch.multinomial(p, num_samples=1), (mf(256, 151936),))]

    # ------------------------------------------------------------------ beam search
    def beam_step(logits, beam_scores, num_beams):  # log_softmax, + beam scores, flattened top-2k, beam and token ids
        vocab = logits.shape[-1]
        scores = F.log_softmax(logits.float(), dim=-1)
        scores = scores + beam_scores[:, None].expand_as(scores)
        scores = scores.view(-1, num_beams * vocab)
        top, tok = torch.topk(scores, 2 * num_beams, dim=1, largest=True, sorted=True)
        beam_idx = torch.div(tok, vocab, rounding_mode="floor")
        return top, tok % vocab, beam_idx

    def beam_reorder_ids(input_ids, beam_idx, next_tokens):  # input_ids[beam_idx] with the new tokens appended
        return torch.cat([input_ids[beam_idx, :], next_tokens.unsqueeze(-1)], dim=-1)

    def beam_reorder_cache(k, v, beam_idx):  # _reorder_cache / Cache.reorder_cache: index_select on the batch dim
        return k.index_select(0, beam_idx), v.index_select(0, beam_idx)

    def gather_beams(seqs, beam_indices):  # _gather_beams: the indices unsqueezed, expanded, take_along_dim
        idx = beam_indices
        for _ in range(len(beam_indices.shape), len(seqs.shape)):
            idx = idx.unsqueeze(-1)
        return torch.take_along_dim(seqs, idx.expand(*beam_indices.shape, *seqs.shape[2:]), dim=1)

    def expand_for_generation(h, mask, n):  # _expand_inputs_for_generation: encoder states and masks interleaved
        return h.repeat_interleave(n, dim=0), mask.repeat_interleave(n, dim=0)

    # Whisper-large-v3's step (8 x 5 beams, 51866 tokens); BART-large-cnn's ids reordered and its caches (64 beams, 16
    # heads of 64, 142 tokens), Llama-3-8B's (16 beams, 8 KV heads, 1024); the running sequences gathered (16 x 8
    # candidates of 256 tokens); T5-large's encoder outputs expanded for 4 beams
    out += [("beam_step", lambda lg, s: beam_step(lg, s, 5), (mh(40, 51866), mf(40))),
            ("beam_reorder_ids", beam_reorder_ids, (i(64, 142), i(64), i(64))),
            ("beam_reorder_cache", beam_reorder_cache, (m(64, 16, 142, 64), m(64, 16, 142, 64), i(64))),
            ("beam_reorder_cache", beam_reorder_cache, (m(16, 8, 1024, 128), m(16, 8, 1024, 128), i(16))),
            ("gather_beams", gather_beams, (i(16, 8, 256), i(16, 4))),
            ("expand_for_generation", lambda h, mk: expand_for_generation(h, mk, 4), (m(16, 512, 1024), i(16, 512)))]

    # ------------------------------------------------------------------ speculative decoding
    def medusa_heads(h, ws, bs, lm):  # Medusa-1: per head a SiLU ResBlock and its own lm_head, stacked
        logits = []
        for j in range(ws.shape[0]):
            x = h + F.silu(linear(h, ws[j], bs[j]))
            logits.append(linear(x, lm[j]))
        return torch.stack(logits, dim=0)

    def medusa_candidates(medusa_logits, logits, tree_indices, retrieve_indices, topk=10):  # generate_candidates
        candidates_logit = torch.argmax(logits[:, -1]).unsqueeze(0)
        candidates_medusa = torch.topk(medusa_logits[:, 0, -1], topk, dim=-1).indices
        candidates = torch.cat([candidates_logit, candidates_medusa.view(-1)], dim=-1)
        tree_candidates = candidates[tree_indices]
        tree_candidates_ext = torch.cat([tree_candidates, torch.zeros((1), dtype=torch.long)], dim=0)
        cart_candidates = tree_candidates_ext[retrieve_indices]
        return cart_candidates, tree_candidates.unsqueeze(0)

    def medusa_tree_logits(tree_logits, retrieve_indices):  # the tree's logits gathered along each path
        return tree_logits[0, retrieve_indices]

    def medusa_posterior_greedy(logits, candidates):  # evaluate_posterior at temperature 0: cumprod of matches
        posterior_mask = (candidates[:, 1:] == torch.argmax(logits[:, :-1], dim=-1)).int()
        accept = (torch.cumprod(posterior_mask, dim=1)).sum(dim=1)
        return torch.argmax(accept).to(torch.long), accept.max()

    def tree_attention_mask(causal, tree_mask):  # the tree's ancestors kept in the last block of a causal mask
        tl = tree_mask.shape[-1]
        blk = causal[:, :, -tl:, -tl:]
        blk.masked_fill_(tree_mask == 0, torch.finfo(causal.dtype).min)
        return causal

    def eagle_fuse(emb, h, w, b):  # EAGLE: fc(cat(inputs_embeds, hidden_states))
        return linear(torch.cat((emb, h), dim=-1), w, b)

    def eagle_expand(last_headout, scores, top_k=10):  # topK_genrate's step: per-node top-k, cumulative, overall
        last_p = F.log_softmax(last_headout, dim=-1)
        top = torch.topk(last_p, top_k, dim=-1)
        topk_index, topk_p = top.indices, top.values
        cu_scores = topk_p + scores[:, None]
        topk_cs = torch.topk(cu_scores.view(-1), top_k, dim=-1)
        out_ids = topk_cs.indices // top_k
        input_ids = topk_index.view(-1)[topk_cs.indices][None]
        return topk_cs.values, out_ids, input_ids

    def spec_accept_greedy(draft, target_logits):  # draft tokens against the target's argmax, the accepted prefix
        target = target_logits.argmax(dim=-1)
        match = (draft == target[:, :-1]).int()
        n_acc = match.cumprod(dim=1).sum(dim=1)
        return n_acc, target.gather(1, n_acc.unsqueeze(1))

    def rejection_accept(target_probs, draft_probs, draft_ids, uniform):  # min(1, p / q) against uniform draws
        sel_d = draft_probs.gather(-1, draft_ids.unsqueeze(-1)).squeeze(-1)
        sel_t = target_probs.gather(-1, draft_ids.unsqueeze(-1)).squeeze(-1)
        capped = torch.minimum(sel_t / sel_d, torch.full((1,), 1, dtype=target_probs.dtype))
        accepted = uniform < capped
        return accepted, accepted.int().cumprod(dim=1).sum(dim=1)

    # Medusa-vicuna-7b (5 heads, 4096 wide, 32000 vocabulary) over its 64-node tree; the candidates (top-10 of each
    # head, 64 tree nodes, 42 paths of 5), the tree logits along the paths, greedy acceptance; the tree's mask in a
    # 1 x 1 x 64 x 1088 fp16 causal mask; EAGLE's fusion (Vicuna-7B) over a 2048-token prompt and its draft-tree step
    # over 128256 tokens (EAGLE-2 on Llama-3); greedy acceptance of 4 drafts for 64 sequences; vLLM's rejection
    # sampling of 4 drafts (32 x 128256 fp32)
    out += [("medusa_heads", medusa_heads, (mh(1, 64, 4096), mh(5, 4096, 4096), mh(5, 4096), mh(5, 32000, 4096))),
            ("medusa_candidates", medusa_candidates, (mh(5, 1, 64, 32000), mh(1, 64, 32000), i(64), i(42, 5))),
            ("medusa_tree_logits", medusa_tree_logits, (mh(1, 64, 32000), i(42, 5))),
            ("medusa_posterior_greedy", medusa_posterior_greedy, (mh(42, 5, 32000), i(42, 5))),
            ("tree_attention_mask", tree_attention_mask, (mh(1, 1, 64, 1088), mf(1, 1, 64, 64))),
            ("eagle_fuse", eagle_fuse, (mh(1, 2048, 4096), mh(1, 2048, 4096), mh(4096, 8192), mh(4096))),
            ("eagle_expand", eagle_expand, (m(10, 128256), mf(10))),
            ("spec_accept_greedy", spec_accept_greedy, (i(64, 4), m(64, 5, 128256))),
            ("rejection_accept", rejection_accept, (mf(32, 4, 128256), mf(32, 4, 128256), i(32, 4), mf(32, 4)))]

    # ------------------------------------------------------------------ KIVI and StreamingLLM
    def kivi_quant_pack(data, group, bits=2):  # min / max a group along the last dim, 32 // bits codes an int32 word
        shape = data.shape
        g = data.reshape(*shape[:-1], shape[-1] // group, group)
        mn = g.min(dim=-1, keepdim=True)[0]
        mx = g.max(dim=-1, keepdim=True)[0]
        scale = (mx - mn) / (2 ** bits - 1)
        g = g - mn
        g.div_(scale)
        q = g.clamp_(0, 2 ** bits - 1).round_().to(torch.int32).view(shape)
        feat = 32 // bits
        q = q.view(*shape[:-1], shape[-1] // feat, feat)
        shifts = torch.arange(0, 32, bits, dtype=torch.int32)
        return (q << shifts).sum(dim=-1, dtype=torch.int32), scale, mn

    def kivi_keys(k, group=32, bits=2):  # keys per channel: transposed so the tokens are grouped
        return kivi_quant_pack(k.transpose(2, 3).contiguous(), group, bits)

    def kivi_unpack_dequant(code, scale, mn, group, bits=2):  # shifts and masks, then * scale + min
        shifts = torch.arange(0, 32, bits, dtype=torch.int32)
        q = (code.unsqueeze(-1) >> shifts) & (2 ** bits - 1)
        q = q.view(*code.shape[:-1], -1, group).to(scale.dtype)
        return (q * scale + mn).flatten(-2)

    def streaming_evict(k, v, sink=4, recent=2044):  # StartRecentKVCache: the sinks and the recent window joined
        return (torch.cat([k[:, :, :sink], k[:, :, -recent:]], dim=2),
                torch.cat([v[:, :, :sink], v[:, :, -recent:]], dim=2))

    def streaming_rerope(k, cos, sin):  # keys rotated at their positions in the cache, each step
        pos = torch.arange(k.shape[2]).unsqueeze(0)
        c = cos[pos].unsqueeze(1)
        s = sin[pos].unsqueeze(1)
        return (k * c) + (rotate_half(k) * s)

    # KIVI-2 on Llama-2-7B (fp16, 32 heads of 128): keys per channel over 4096 tokens (groups of 32 tokens) for 8
    # sequences, values per token (groups of 32 channels) for 32; the keys unpacked and dequantised; StreamingLLM on
    # Llama-2-7B (4 sinks, a 2048 cache), the keys rotated at their cache positions
    out += [("kivi_keys", kivi_keys, (mh(8, 32, 4096, 128),)),
            ("kivi_values", lambda v: kivi_quant_pack(v, 32), (mh(32, 32, 4096, 128),)),
            ("kivi_unpack_dequant", lambda c, s, mn: kivi_unpack_dequant(c, s, mn, 32),
             (mi32(8, 32, 128, 256), mh(8, 32, 128, 128, 1), mh(8, 32, 128, 128, 1))),
            ("streaming_evict", streaming_evict, (mh(1, 32, 2049, 128), mh(1, 32, 2049, 128))),
            ("streaming_rerope", streaming_rerope, (mh(1, 32, 2048, 128), mh(4096, 128), mh(4096, 128)))]

    # ================================================================== state-space and linear-attention models
    # ------------------------------------------------------------------ Mamba (the references)
    def selective_scan_ref(u, delta, A, B, C, D, z, delta_bias):  # mamba_ssm's selective_scan_ref (variable B, C)
        dtype_in = u.dtype
        u, delta = u.float(), delta.float()
        delta = F.softplus(delta + delta_bias[..., None].float())
        B, C = B.float(), C.float()
        x = A.new_zeros((u.shape[0], u.shape[1], A.shape[1]))
        deltaA = torch.exp(torch.einsum("bdl,dn->bdln", delta, A))
        deltaB_u = torch.einsum("bdl,bnl,bdl->bdln", delta, B, u)
        ys = []
        for t in range(u.shape[2]):
            x = deltaA[:, :, t] * x + deltaB_u[:, :, t]
            ys.append(torch.einsum("bdn,bn->bd", x, C[:, :, t]))
        y = torch.stack(ys, dim=2)
        out = y + u * D[:, None]
        out = out * F.silu(z.float())
        return out.to(dtype_in)

    def selective_state_update(state, x, dt, A, B, C, D, z, dt_bias):  # selective_state_update_ref (one token)
        dt = F.softplus(dt + dt_bias)
        dA = torch.exp(dt[:, :, None] * A)
        dB = dt[:, :, None] * B[:, None, :]
        state.copy_(state * dA + dB * x[:, :, None])
        y = torch.einsum("bdn,bn->bd", state.to(C.dtype), C)
        y += x * D
        return y * F.silu(z)

    # mamba-130m (1536 inner, d_state 16) through selective_scan_ref over 64-token chunks of 16 sequences;
    # mamba-2.8b's (5120 inner) decode state update for 64 sequences (fp32 state)
    out += [("selective_scan_ref", selective_scan_ref,
             (m(16, 1536, 64), m(16, 1536, 64), mf(1536, 16), m(16, 16, 64), m(16, 16, 64), mf(1536),
              m(16, 1536, 64), mf(1536))),
            ("selective_state_update", selective_state_update,
             (mf(64, 5120, 16), m(64, 5120), m(64, 5120), mf(5120, 16), m(64, 16), m(64, 16), mf(5120), m(64, 5120),
              mf(5120)))]

    # ------------------------------------------------------------------ Mamba-2: the SSD chunk form, groups
    def segsum(x):  # the stable segment sum: repeat, strictly-lower mask, cumsum over the rows, -inf above
        T = x.size(-1)
        x = x[..., None].expand(*x.shape, T)
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool), diagonal=-1)
        x = x.masked_fill(~mask, 0)
        x_segsum = torch.cumsum(x, dim=-2)
        mask = torch.tril(torch.ones(T, T, dtype=torch.bool), diagonal=0)
        return x_segsum.masked_fill(~mask, -torch.inf)

    def ssd_decay(A, block_len):  # ssd_minimal_discrete's first step: A chunked, L = exp(segsum(A)), A's cumsum
        b, s, h = A.shape
        A = A.view(b, s // block_len, block_len, h).permute(0, 3, 1, 2)
        return torch.exp(segsum(A)), torch.cumsum(A, dim=-1)

    def ssd_diag(C, B, L, X, block_len):  # the diagonal blocks' outputs, one four-operand einsum
        b, s, h, p = X.shape
        c = s // block_len
        X, B, C = (t.view(b, c, block_len, h, t.shape[-1]) for t in (X, B, C))
        return torch.einsum("bclhn,bcshn,bhcls,bcshp->bclhp", C, B, L, X)

    def mamba2_groups(B, C, heads):  # Mamba2Mixer.torch_forward: the groups' B and C repeated to the heads
        return (B.repeat_interleave(heads // B.shape[2], dim=2, output_size=heads),
                C.repeat_interleave(heads // C.shape[2], dim=2, output_size=heads))

    # Mamba2-2.7B (80 heads of 64, d_state 128, chunks of 256) over 1 x 2048 in fp32: the segsum decays and the
    # diagonal blocks; Mamba-Codestral-7B's 8 groups repeated to its 128 heads
    out += [("ssd_decay", lambda A: ssd_decay(A, 256), (mf(1, 2048, 80),)),
            ("ssd_diag", lambda C, B, L, X: ssd_diag(C, B, L, X, 256),
             (mf(1, 2048, 80, 128), mf(1, 2048, 80, 128), mf(1, 80, 8, 256, 256), mf(1, 2048, 80, 64))),
            ("mamba2_groups", lambda B, C: mamba2_groups(B, C, 128), (m(1, 8192, 8, 128), m(1, 8192, 8, 128)))]
    # Vision Mamba's backward branch: the sequence flipped in and out (Vim-S: 384 wide, 197 tokens, 64 images)
    out += [("vim_flip", lambda x: x.flip([1]), (m(64, 197, 384),)),
            ("vim_combine", lambda a, bb: a + bb.flip([1]), (m(64, 197, 384), m(64, 197, 384)))]

    # ------------------------------------------------------------------ RWKV
    def rwkv4_shift(h):  # nn.ZeroPad2d((0, 0, 1, -1)) over [batch, seq, hidden]
        return F.pad(h, (0, 0, 1, -1))

    def rwkv4_wkv_step(time_decay, time_first, key, value, num_state, den_state, max_state):  # one token, fp32
        current_key = key.float()
        max_for_output = torch.maximum(max_state, current_key + time_first)
        e1 = torch.exp(max_state - max_for_output)
        e2 = torch.exp(current_key + time_first - max_for_output)
        numerator = e1 * num_state + e2 * value
        denominator = e1 * den_state + e2
        output = (numerator / denominator).to(key.dtype)
        max_for_state = torch.maximum(max_state + time_decay, current_key)
        e1 = torch.exp(max_state + time_decay - max_for_state)
        e2 = torch.exp(current_key - max_for_state)
        return output, e1 * num_state + e2 * value, e1 * den_state + e2, max_for_state

    def rwkv4_channel_mix(h, shifted, mk, mr, wk, wv, wr):  # square(relu(key)), value, sigmoid receptance gate
        key = torch.square(torch.relu(linear(h * mk + shifted * (1 - mk), wk)))
        value = linear(key, wv)
        return torch.sigmoid(linear(h * mr + shifted * (1 - mr), wr)) * value

    def rwkv6_ddlerp(x, shifted, maa_x, maa_w1, maa_w2, maa):  # RWKV-6's data-dependent lerp of five mixes
        B, T, C = x.shape
        xx = shifted - x
        xxx = x + xx * maa_x
        xxx = torch.tanh(xxx @ maa_w1).view(B * T, 5, -1).transpose(0, 1)
        xxx = torch.bmm(xxx, maa_w2).view(5, B, T, -1)
        return [x + xx * (maa[j] + xxx[j]) for j in range(5)]

    # RWKV-4-Raven-7B (4096 wide, fp16): the token shift and the channel mix (16384 hidden) over 8 x 1024, the WKV
    # step for 64 sequences (fp32 states); RWKV-6-Finch-7B's time-mix ddlerp (a 32-wide LoRA) over 4 x 2048
    out += [("rwkv4_shift", rwkv4_shift, (mh(8, 1024, 4096),)),
            ("rwkv4_channel_mix", rwkv4_channel_mix, (mh(8, 1024, 4096), mh(8, 1024, 4096), mh(1, 1, 4096),
                                                      mh(1, 1, 4096), mh(16384, 4096), mh(4096, 16384),
                                                      mh(4096, 4096))),
            ("rwkv4_wkv_step", rwkv4_wkv_step, (mf(4096), mf(4096), mh(64, 4096), mh(64, 4096), mf(64, 4096),
                                                mf(64, 4096), mf(64, 4096))),
            ("rwkv6_ddlerp", rwkv6_ddlerp, (m(4, 2048, 4096), m(4, 2048, 4096), m(1, 1, 4096), m(4096, 160),
                                            m(5, 32, 4096), m(5, 1, 1, 4096)))]

    # ------------------------------------------------------------------ RetNet, linear attention, GLA, xLSTM
    def retnet_decay_mask(x, heads):  # RetNetRelPos' parallel mask: log decays, tril, exp, nan_to_num, row-normalised
        slen = x.shape[1]
        decay = torch.log(1 - 2 ** (-5 - torch.arange(heads, dtype=torch.float)))
        index = torch.arange(slen).to(decay)
        mask = torch.tril(torch.ones(slen, slen)).to(decay)
        mask = torch.masked_fill(index[:, None] - index[None, :], ~mask.bool(), float("inf"))
        mask = torch.exp(mask * decay[:, None, None])
        mask = torch.nan_to_num(mask)
        return mask / mask.sum(dim=-1, keepdim=True).sqrt()

    def retention_parallel(q, k, v, mask):  # parallel retention: q k^T * decay, |row| clamp-normalised, @ v
        qk = q @ k.transpose(-1, -2)
        qk = qk * mask
        qk = qk / qk.detach().abs().sum(dim=-1, keepdim=True).clamp(min=1)
        return torch.matmul(qk, v)


    def gla_chunk_intra(q, k, v, g, chunk=64):  # GLA's naive chunk form inside a chunk: gate cumsum, decayed q k^T
        b, h, t, d = q.shape
        n = t // chunk
        q, k, g = (x.view(b, h, n, chunk, d) for x in (q, k, g))
        v = v.view(b, h, n, chunk, -1)
        g = g.cumsum(-2)
        A = ((q * g.exp()) @ (k * (-g).exp()).transpose(-1, -2)).masked_fill(
            torch.triu(torch.ones(chunk, chunk, dtype=torch.bool), diagonal=1), 0)
        return (A @ v).view(b, h, t, -1)

    def mlstm_parallel(queries, keys, values, igate_preact, fgate_preact, eps=1e-6):  # parallel_stabilized_simple
        B, NH, S, DH = queries.shape
        log_fgates = F.logsigmoid(fgate_preact)
        ltr = torch.tril(torch.ones((S, S), dtype=torch.bool))
        log_fgates_cumsum = torch.cat([torch.zeros((B, NH, 1, 1), dtype=queries.dtype),
                                       torch.cumsum(log_fgates, dim=-2)], dim=-2)
        rep = log_fgates_cumsum.repeat(1, 1, 1, S + 1)
        _log_fg_matrix = rep - rep.transpose(-2, -1)
        log_fg_matrix = torch.where(ltr, _log_fg_matrix[:, :, 1:, 1:], -float("inf"))
        log_D = log_fg_matrix + igate_preact.transpose(-2, -1)
        max_log_D, _ = torch.max(log_D, dim=-1, keepdim=True)
        D = torch.exp(log_D - max_log_D)
        qk = queries @ (keys / math.sqrt(DH)).transpose(-2, -1)
        C = qk * D
        normalizer = torch.maximum(C.sum(dim=-1, keepdim=True).abs(), torch.exp(-max_log_D))
        return (C / (normalizer + eps)) @ values

    # RetNet-1.3B (8 heads, keys of 256, values of 512) over 4 x 2048 (the decay mask, parallel retention); GLA-1.3B
    # (4 heads, 256 / 512, chunks of 64, fp32) at 4 x 2048; xLSTM-7B's mLSTM (8 heads, qk 256, v 512) over 1 x 4096
    # in fp32
    out += [("retnet_decay_mask", lambda x: retnet_decay_mask(x, 8), (m(4, 2048, 2048),)),
            ("retention_parallel", retention_parallel, (m(4, 8, 2048, 256), m(4, 8, 2048, 256), m(4, 8, 2048, 512),
                                                        m(8, 2048, 2048))),
            ("gla_chunk_intra", gla_chunk_intra, (mf(4, 4, 2048, 256), mf(4, 4, 2048, 256), mf(4, 4, 2048, 512),
                                      mf(4, 4, 2048, 256))),
            ("mlstm_parallel", mlstm_parallel, (mf(1, 8, 4096, 256), mf(1, 8, 4096, 256), mf(1, 8, 4096, 512),
                                                mf(1, 8, 4096, 1), mf(1, 8, 4096, 1)))]

    # ================================================================== vision and multimodal
    # ------------------------------------------------------------------ CLIP / SigLIP / DINOv2 towers
    def siglip_embeddings(pixels, patch_w, patch_b, pos_emb, position_ids):  # SiglipVisionEmbeddings (no class)
        patch = F.conv2d(pixels.to(patch_w.dtype), patch_w, patch_b, stride=patch_w.shape[-1])
        return patch.flatten(2).transpose(1, 2) + F.embedding(position_ids, pos_emb)

    def clip_interp_pos(pos_emb, new_h, new_w):  # interpolate_pos_encoding: the patch grid resized bicubic
        pe = pos_emb.unsqueeze(0)
        cls_pos, patch_pos = pe[:, :1], pe[:, 1:]
        dim = pe.shape[-1]
        side = int((pe.shape[1] - 1) ** 0.5)
        patch_pos = patch_pos.reshape(1, side, side, dim).permute(0, 3, 1, 2)
        patch_pos = F.interpolate(patch_pos, size=(new_h, new_w), mode="bicubic", align_corners=False)
        patch_pos = patch_pos.permute(0, 2, 3, 1).view(1, -1, dim)
        return torch.cat((cls_pos, patch_pos), dim=1)

    def dinov2_interp_pos(pos_emb, new_h, new_w):  # HF Dinov2: the grid upcast to fp32, bicubic, cast back
        cls_pos, patch_pos = pos_emb[:, :1], pos_emb[:, 1:]
        dim = pos_emb.shape[-1]
        side = int((pos_emb.shape[1] - 1) ** 0.5)
        patch_pos = patch_pos.reshape(1, side, side, dim).permute(0, 3, 1, 2)
        patch_pos = F.interpolate(patch_pos.to(torch.float32), size=(new_h, new_w), mode="bicubic",
                                  align_corners=False).to(pos_emb.dtype)
        return torch.cat((cls_pos, patch_pos.permute(0, 2, 3, 1).view(1, -1, dim)), dim=1)

    def vit_attention(x, wq, bq, wk, bk, wv, bv, wo, bo, heads):  # q / k / v projections, SDPA, out projection
        b, n, d = x.shape
        q = linear(x, wq, bq).view(b, n, heads, -1).transpose(1, 2)
        k = linear(x, wk, bk).view(b, n, heads, -1).transpose(1, 2)
        v = linear(x, wv, bv).view(b, n, heads, -1).transpose(1, 2)
        o = sdpa(q, k, v).transpose(1, 2).reshape(b, n, d)
        return linear(o, wo, bo)

    def siglip_mlp(x, w1, b1, w2, b2):  # fc1, gelu_pytorch_tanh, fc2
        return linear(F.gelu(linear(x, w1, b1), approximate="tanh"), w2, b2)

    def clip_mlp(x, w1, b1, w2, b2):  # OpenAI CLIP's quick_gelu: x * sigmoid(1.702 x)
        h = linear(x, w1, b1)
        return linear(h * torch.sigmoid(1.702 * h), w2, b2)

    def dinov2_registers(x, cls_tok, reg, pos):  # cls + pos, then the register tokens slotted after the class token
        x = torch.cat((cls_tok.expand(x.shape[0], -1, -1), x), dim=1) + pos
        return torch.cat((x[:, :1], reg.expand(x.shape[0], -1, -1), x[:, 1:]), dim=1)

    def dinov2_layerscale(x, y, gamma):  # x + ls1(attn(norm1(x))): LayerScale's gamma
        return x + y * gamma

    def dinov2_swiglu(x, w12, b12, w3, b3):  # SwiGLUFFNFused: w12, chunk, silu(x1) * x2, w3
        x1, x2 = linear(x, w12, b12).chunk(2, dim=-1)
        return linear(F.silu(x1) * x2, w3, b3)

    # CLIP ViT-L/14-336 (fp16; 577 tokens, 1024 wide, 16 heads of 64, quick-GELU 4096): its grid resized to 32 x 32
    # (448 px), attention and MLP for 16 images; SigLIP-so400m-patch14-384 (bf16; 729 tokens, 1152 wide, GELU-tanh
    # 4304): the patch embedding and MLP for 32 images; DINOv2-g/14 with 4 registers (1536 wide, 24 heads of 64,
    # SwiGLU 4096) at 224 px for 64 images, its attention at 518 px for 4 and its 37 x 37 grid resized to 64 x 64
    out += [("clip_interp_pos", lambda pe: clip_interp_pos(pe, 32, 32), (mh(577, 1024),)),
            ("vit_attention", lambda x, *w: vit_attention(x, *w, 16),
             (mh(16, 577, 1024),) + (mh(1024, 1024), mh(1024)) * 4),
            ("clip_mlp", clip_mlp, (mh(16, 577, 1024), mh(4096, 1024), mh(4096), mh(1024, 4096), mh(1024))),
            ("siglip_embeddings", siglip_embeddings, (m(32, 3, 384, 384), m(1152, 3, 14, 14), m(1152),
                                                      m(729, 1152), i(1, 729))),
            ("siglip_mlp", siglip_mlp, (m(32, 729, 1152), m(4304, 1152), m(4304), m(1152, 4304), m(1152))),
            ("dinov2_registers", dinov2_registers, (m(64, 256, 1536), m(1, 1, 1536), m(1, 4, 1536), m(1, 257, 1536))),
            ("dinov2_layerscale", dinov2_layerscale, (m(64, 261, 1536), m(64, 261, 1536), m(1536))),
            ("dinov2_swiglu", dinov2_swiglu, (m(64, 261, 1536), m(8192, 1536), m(8192), m(1536, 4096), m(1536))),
            ("vit_attention", lambda x, *w: vit_attention(x, *w, 24),
             (m(4, 1374, 1536),) + (m(1536, 1536), m(1536)) * 4),
            ("dinov2_interp_pos", lambda pe: dinov2_interp_pos(pe, 64, 64), (m(1, 1370, 1536),))]

    # ------------------------------------------------------------------ SAM
    def sam_patch_embed(img, w, b, pos):  # PatchEmbed: 16 x 16 conv, channels last, absolute positions
        return F.conv2d(img, w, b, stride=16).permute(0, 2, 3, 1) + pos

    def window_partition(x, ws=14):  # padded to the window, windows split out
        B, H, W, C = x.shape
        pad_h, pad_w = (ws - H % ws) % ws, (ws - W % ws) % ws
        if pad_h > 0 or pad_w > 0:
            x = F.pad(x, (0, 0, 0, pad_w, 0, pad_h))
        Hp, Wp = H + pad_h, W + pad_w
        x = x.view(B, Hp // ws, ws, Wp // ws, ws, C)
        return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, ws, ws, C)

    def window_unpartition(windows, hw, ws=14):  # windows joined, the padding cropped
        H, W = hw
        Hp, Wp = H + (ws - H % ws) % ws, W + (ws - W % ws) % ws
        B = windows.shape[0] // (Hp * Wp // ws // ws)
        x = windows.view(B, Hp // ws, Wp // ws, ws, ws, -1)
        x = x.permute(0, 1, 3, 2, 4, 5).contiguous().view(B, Hp, Wp, -1)
        if Hp > H or Wp > W:
            x = x[:, :H, :W, :].contiguous()
        return x

    def get_rel_pos(q_size, k_size, rel_pos):  # resized by linear interpolation when the table is short, gathered
        max_rel_dist = int(2 * max(q_size, k_size) - 1)
        if rel_pos.shape[0] != max_rel_dist:
            r = F.interpolate(rel_pos.reshape(1, rel_pos.shape[0], -1).permute(0, 2, 1), size=max_rel_dist,
                              mode="linear")
            r = r.reshape(-1, max_rel_dist).permute(1, 0)
        else:
            r = rel_pos
        q_coords = torch.arange(q_size)[:, None] * max(k_size / q_size, 1.0)
        k_coords = torch.arange(k_size)[None, :] * max(q_size / k_size, 1.0)
        relative_coords = (q_coords - k_coords) + (k_size - 1) * max(q_size / k_size, 1.0)
        return r[relative_coords.long()]

    def sam_attention(x, w_qkv, b_qkv, w_proj, b_proj, rel_h, rel_w, heads):  # image-encoder attention, rel pos
        B, H, W, _ = x.shape
        qkv = linear(x, w_qkv, b_qkv).reshape(B, H * W, 3, heads, -1).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.reshape(3, B * heads, H * W, -1).unbind(0)
        attn = (q * q.shape[-1] ** -0.5) @ k.transpose(-2, -1)
        Rh, Rw = get_rel_pos(H, H, rel_h), get_rel_pos(W, W, rel_w)
        r_q = q.reshape(B * heads, H, W, -1)
        rh = torch.einsum("bhwc,hkc->bhwk", r_q, Rh)
        rw = torch.einsum("bhwc,wkc->bhwk", r_q, Rw)
        attn = (attn.view(B * heads, H, W, H, W) + rh[:, :, :, :, None] + rw[:, :, :, None, :]).view(
            B * heads, H * W, H * W)
        attn = attn.softmax(dim=-1)
        x = (attn @ v).view(B, heads, H, W, -1).permute(0, 2, 3, 1, 4).reshape(B, H, W, -1)
        return linear(x, w_proj, b_proj)

    def layernorm2d(x, w, b, eps=1e-6):  # SAM's LayerNorm2d: statistics over the channel dim
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + eps)
        return w[:, None, None] * x + b[:, None, None]

    def sam_expand_src(emb, dense, pe, n):  # the image embedding repeated per prompt, the dense prompt added
        src = torch.repeat_interleave(emb, n, dim=0) + dense
        return src, torch.repeat_interleave(pe, n, dim=0)

    def sam_upscale(src, w1, b1, lnw, lnb, w2, b2):  # output_upscaling: two transposed convs, LayerNorm2d, GELU
        x = F.gelu(layernorm2d(F.conv_transpose2d(src, w1, b1, stride=2), lnw, lnb))
        return F.gelu(F.conv_transpose2d(x, w2, b2, stride=2))

    def sam_hyper_masks(hyper_in, up):  # the hypernetwork's per-mask weights times the upscaled embedding
        b, c, h, w = up.shape
        return (hyper_in @ up.view(b, c, h * w)).view(b, -1, h, w)

    def sam_postprocess(masks, input_hw, orig_hw):  # to 1024, the padding cropped, to the original size, > 0
        masks = F.interpolate(masks, (1024, 1024), mode="bilinear", align_corners=False)
        masks = masks[..., : input_hw[0], : input_hw[1]]
        masks = F.interpolate(masks, orig_hw, mode="bilinear", align_corners=False)
        return masks > 0.0

    # SAM ViT-H (fp32 as the predictor runs it; 1280 wide, 16 heads of 80, windows of 14 over the 64 x 64 grid
    # padded to 70): 4 images' patch embedding, partition and unpartition, one image's windowed attention with its
    # rel pos tables of 27; ViT-B's partition (768 wide, bf16) for 8 images; get_rel_pos interpolated from 127 to a
    # 96-token grid (1536 px); the mask decoder's 64-prompt batch (points_per_batch) by repeat_interleave, its
    # upscaling, hypernetwork masks and post-processing to 1500 x 2250
    out += [("sam_patch_embed", sam_patch_embed, (mf(4, 3, 1024, 1024), mf(1280, 3, 16, 16), mf(1280),
                                                  mf(1, 64, 64, 1280))),
            ("window_partition", window_partition, (mf(4, 64, 64, 1280),)),
            ("window_unpartition", lambda w: window_unpartition(w, (64, 64)), (mf(100, 14, 14, 1280),)),
            ("sam_attention", lambda x, a, bb, c, d, e, f: sam_attention(x, a, bb, c, d, e, f, 16),
             (mf(25, 14, 14, 1280), mf(3840, 1280), mf(3840), mf(1280, 1280), mf(1280), mf(27, 80), mf(27, 80))),
            ("window_partition", window_partition, (m(8, 64, 64, 768),)),
            ("get_rel_pos", lambda r: get_rel_pos(96, 96, r), (mf(127, 80),)),
            ("sam_expand_src", lambda e, d, p: sam_expand_src(e, d, p, 64), (mf(1, 256, 64, 64),
                                                                             mf(64, 256, 64, 64),
                                                                             mf(1, 256, 64, 64))),
            ("sam_upscale", sam_upscale, (mf(64, 256, 64, 64), mf(256, 64, 2, 2), mf(64), mf(64), mf(64),
                                          mf(64, 32, 2, 2), mf(32))),
            ("sam_hyper_masks", sam_hyper_masks, (mf(64, 4, 32), mf(64, 32, 256, 256))),
            ("sam_postprocess", lambda mk: sam_postprocess(mk, (683, 1024), (1500, 2250)), (mf(64, 3, 256, 256),))]

    # ------------------------------------------------------------------ DiT and Flux
    def dit_timestep_embed(t, w1, b1, w2, b2, dim=256, max_period=10000):  # TimestepEmbedder: sin / cos, MLP
        half = dim // 2
        freqs = torch.exp(-math.log(max_period) * torch.arange(start=0, end=half, dtype=torch.float32) / half)
        args = t[:, None].float() * freqs[None]
        emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
        return linear(F.silu(linear(emb.to(w1.dtype), w1, b1)), w2, b2)

    def dit_adaln(c, w, b):  # adaLN_modulation: SiLU, Linear(hidden, 6 hidden), chunk(6)
        return linear(F.silu(c), w, b).chunk(6, dim=1)

    def modulate(x, shift, scale):
        return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)

    def dit_modulated_norm(x, shift, scale):  # modulate(norm1(x), shift, scale), LayerNorm without affine
        return modulate(F.layer_norm(x, (x.shape[-1],), eps=1e-6), shift, scale)

    def dit_gate_residual(x, gate, y):  # x + gate.unsqueeze(1) * attn(...)
        return x + gate.unsqueeze(1) * y

    def dit_cfg(model_out, scale=4.0):  # forward_with_cfg: guidance on the first three channels
        eps, rest = model_out[:, :3], model_out[:, 3:]
        cond_eps, uncond_eps = torch.split(eps, len(eps) // 2, dim=0)
        half_eps = uncond_eps + scale * (cond_eps - uncond_eps)
        return torch.cat([torch.cat([half_eps, half_eps], dim=0), rest], dim=1)

    def flux_apply_rope(xq, xk, freqs_cis):  # apply_rope: fp32 pairs times the rotation entries
        xq_ = xq.float().reshape(*xq.shape[:-1], -1, 1, 2)
        xk_ = xk.float().reshape(*xk.shape[:-1], -1, 1, 2)
        xq_out = freqs_cis[..., 0] * xq_[..., 0] + freqs_cis[..., 1] * xq_[..., 1]
        xk_out = freqs_cis[..., 0] * xk_[..., 0] + freqs_cis[..., 1] * xk_[..., 1]
        return xq_out.reshape(*xq.shape).type_as(xq), xk_out.reshape(*xk.shape).type_as(xk)

    # DiT-XL/2 (1152 wide, bf16) at 512 px (1024 tokens) for 16 CFG-doubled samples: adaLN, the modulated norm and
    # the gated residual; the timestep embedder and guidance (8 output channels) at 256 px for 256; Flux.1-dev's rope
    # applied to 24 heads of 128 over 4096 image and 512 text tokens (1024 px)
    out += [("dit_adaln", dit_adaln, (m(16, 1152), m(6912, 1152), m(6912))),
            ("dit_modulated_norm", dit_modulated_norm, (m(16, 1024, 1152), m(16, 1152), m(16, 1152))),
            ("dit_gate_residual", dit_gate_residual, (m(16, 1024, 1152), m(16, 1152), m(16, 1024, 1152))),
            ("dit_timestep_embed", dit_timestep_embed, (mf(256), m(1152, 256), m(1152), m(1152, 1152), m(1152))),
            ("dit_cfg", dit_cfg, (m(256, 8, 32, 32),)),
            ("flux_apply_rope", flux_apply_rope, (m(1, 24, 4608, 128), m(1, 24, 4608, 128),
                                                  mf(1, 1, 4608, 64, 2, 2)))]

    # ------------------------------------------------------------------ Stable Diffusion UNet and VAE
    def resnet_block(x, temb, n1w, n1b, c1w, c1b, tw, tb, n2w, n2b, c2w, c2b, scw=None, scb=None, eps=1e-5):
        h = F.silu(F.group_norm(x, 32, n1w, n1b, eps))
        h = F.conv2d(h, c1w, c1b, padding=1)
        if temb is not None:
            h = h + linear(F.silu(temb), tw, tb)[:, :, None, None]
        h = F.silu(F.group_norm(h, 32, n2w, n2b, eps))
        h = F.conv2d(h, c2w, c2b, padding=1)
        if scw is not None:
            x = F.conv2d(x, scw, scb)
        return (x + h) / 1.0

    def res_args(dt, b, cin, cout, s, temb=True):  # a ResnetBlock2D's inputs and weights
        def mk(*sh):
            return m(*sh, dt=dt)

        if temb:
            a = (mk(b, cin, s, s), mk(b, 1280), mk(cin), mk(cin), mk(cout, cin, 3, 3), mk(cout), mk(cout, 1280),
                 mk(cout), mk(cout), mk(cout), mk(cout, cout, 3, 3), mk(cout))
        else:
            a = (mk(b, cin, s, s), mk(cin), mk(cin), mk(cout, cin, 3, 3), mk(cout), mk(cout), mk(cout),
                 mk(cout, cout, 3, 3), mk(cout))
        if cin != cout:
            a += (mk(cout, cin, 1, 1), mk(cout))
        return a

    def geglu_ff(x, w1, b1, w2, b2):  # FeedForward with GEGLU: proj, chunk, hidden * gelu(gate), out
        hidden, gate = linear(x, w1, b1).chunk(2, dim=-1)
        return linear(hidden * F.gelu(gate), w2, b2)

    def sd_cross_attention(x, ctx, wq, wk, wv, wo, bo, heads):  # attn2: queries from the latents, keys from text
        b, n, c = x.shape
        q = linear(x, wq).view(b, -1, heads, c // heads).transpose(1, 2)
        k = linear(ctx, wk).view(b, -1, heads, c // heads).transpose(1, 2)
        v = linear(ctx, wv).view(b, -1, heads, c // heads).transpose(1, 2)
        o = sdpa(q, k, v).transpose(1, 2).reshape(b, -1, c)
        return linear(o, wo, bo)

    def upsample2d(x, w, b):  # Upsample2D: nearest x2 (fp32 for bf16), 3x3 conv
        dtype = x.dtype
        if dtype == torch.bfloat16:
            x = x.to(torch.float32)
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        if dtype == torch.bfloat16:
            x = x.to(dtype)
        return F.conv2d(x, w, b, padding=1)

    def cfg_guidance(noise_pred, g=7.5):  # the unconditional and text halves combined
        uncond, text = noise_pred.chunk(2)
        return uncond + g * (text - uncond)

    # SDXL (fp16, 2 CFG rows at 1024 px): ResnetBlock2Ds at 320 @ 128 and 640 -> 1280 @ 32 with the 1x1 shortcut; the
    # spatial transformer's GEGLU and cross-attention to 77 text tokens at 1024 x 1280 (20 heads of 64 over 2048);
    # Upsample2D (fp16, and bf16 through fp32) and Downsample2D; SD3's guidance over 16-channel latents at 1024 px
    out += [("resnet_block", resnet_block, res_args(f16, 2, 320, 320, 128)),
            ("resnet_block", resnet_block, res_args(f16, 2, 640, 1280, 32)),
            ("geglu_ff", geglu_ff, (mh(2, 1024, 1280), mh(10240, 1280), mh(10240), mh(1280, 5120), mh(1280))),
            ("sd_cross_attention", lambda x, cx, a, bb, cc, d, e: sd_cross_attention(x, cx, a, bb, cc, d, e, 20),
             (mh(2, 1024, 1280), mh(2, 77, 2048), mh(1280, 1280), mh(1280, 2048), mh(1280, 2048), mh(1280, 1280),
              mh(1280)))]
    out += [("upsample2d", upsample2d, (mh(2, 1280, 32, 32), mh(1280, 1280, 3, 3), mh(1280))),
            ("upsample2d", upsample2d, (m(2, 1280, 64, 64), m(1280, 1280, 3, 3), m(1280))),
            ("downsample2d", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
             (mh(2, 320, 128, 128), mh(320, 320, 3, 3), mh(320))),
            ("cfg_guidance", cfg_guidance, (m(2, 16, 128, 128),))]

    def vae_mid_attention(x, gn_w, gn_b, wq, bq, wk, bk, wv, bv, wo, bo):  # one head of 512 over the latent grid
        B, C, H, W = x.shape
        h = F.group_norm(x, 32, gn_w, gn_b, 1e-6).view(B, C, H * W).transpose(1, 2)
        q, k, v = (linear(h, w_, b_).view(B, -1, 1, C).transpose(1, 2) for w_, b_ in ((wq, bq), (wk, bk), (wv, bv)))
        o = sdpa(q, k, v).transpose(1, 2).reshape(B, -1, C)
        o = linear(o, wo, bo).transpose(-1, -2).reshape(B, C, H, W)
        return o + x

    def vae_conv_out(x, gn_w, gn_b, w, b):  # conv_norm_out, SiLU, conv_out to RGB
        return F.conv2d(F.silu(F.group_norm(x, 32, gn_w, gn_b, 1e-6)), w, b, padding=1)

    # SD-1.5's VAE decoder in fp16 for 4 images at 512 px: an upsampler at 512 @ 128, the mid attention (one head of
    # 512 over 4096 tokens), the output conv
    out += [("vae_upsample", upsample2d, (mh(4, 512, 128, 128), mh(512, 512, 3, 3), mh(512))),
            ("vae_mid_attention", vae_mid_attention, (mh(4, 512, 64, 64), mh(512), mh(512)) + (mh(512, 512),
                                                                                               mh(512)) * 4),
            ("vae_conv_out", vae_conv_out, (mh(4, 128, 512, 512), mh(128), mh(128), mh(3, 128, 3, 3), mh(3)))]

    # ================================================================== audio
    def whisper_stem(mel, w1, b1, w2, b2):  # conv1 + GELU, conv2 (stride 2) + GELU, to [batch, frames, width]
        x = F.gelu(F.conv1d(mel, w1, b1, padding=1))
        x = F.gelu(F.conv1d(x, w2, b2, stride=2, padding=1))
        return x.permute(0, 2, 1)

    def suppress_tokens(scores, suppress):  # SuppressTokensLogitsProcessor: isin over the vocabulary, where
        vocab_tensor = torch.arange(scores.shape[-1])
        mask = torch.isin(vocab_tensor, suppress)
        return torch.where(mask, -float("inf"), scores)

    def whisper_log_mel(stft, filters):  # _torch_extract_fbank_features after the STFT, batched
        magnitudes = stft[..., :-1].abs() ** 2
        mel_spec = filters @ magnitudes
        log_spec = torch.clamp(mel_spec, min=1e-10).log10()
        max_val = log_spec.max(dim=2, keepdim=True)[0].max(dim=1, keepdim=True)[0]
        log_spec = torch.maximum(log_spec, max_val - 8.0)
        return (log_spec + 4.0) / 4.0

    def stft_pad(wav, n_fft=400):  # torch.stft(center=True): the signal reflect-padded by n_fft // 2
        return F.pad(wav.view(1, *wav.shape), (n_fft // 2, n_fft // 2), mode="reflect")

    def w2v2_conv0_gn(x, w, gn_w, gn_b):  # Wav2Vec2GroupNormConvLayer: conv, GroupNorm(512 groups), GELU
        return F.gelu(F.group_norm(F.conv1d(x, w, stride=5), w.shape[0], gn_w, gn_b, 1e-5))

    def w2v2_conv(x, w, stride=2):  # Wav2Vec2NoLayerNormConvLayer
        return F.gelu(F.conv1d(x, w, stride=stride))

    def w2v2_conv_ln(x, w, b, ln_w, ln_b, stride):  # Wav2Vec2LayerNormConvLayer: LayerNorm over the channels
        h = F.conv1d(x, w, b, stride=stride).transpose(-2, -1)
        h = F.layer_norm(h, (w.shape[0],), ln_w, ln_b, 1e-5).transpose(-2, -1)
        return F.gelu(h)

    def w2v2_projection(h, ln_w, ln_b, w, b):  # Wav2Vec2FeatureProjection: LayerNorm(512), Linear
        norm = F.layer_norm(h.transpose(1, 2), (h.shape[1],), ln_w, ln_b, 1e-5)
        return linear(norm, w, b), norm

    def w2v2_pos_conv(h, w, b):  # Wav2Vec2PositionalConvEmbedding: grouped conv of 128, pad removed, GELU, added
        x = F.conv1d(h.transpose(1, 2), w, b, padding=64, groups=16)[:, :, :-1]
        return h + F.gelu(x).transpose(1, 2)

    def encodec_quantize(x, embed):  # EuclideanCodebook.quantize / dequantize over 'b d n -> (b n) d'
        b, d, t = x.shape
        flat = x.permute(0, 2, 1).reshape(-1, d)
        e = embed.t()
        dist = -(flat.pow(2).sum(1, keepdim=True) - 2 * flat @ e + e.pow(2).sum(0, keepdim=True))
        ind = dist.max(dim=-1).indices
        return F.embedding(ind, embed).view(b, t, d).permute(0, 2, 1), ind.view(b, t)

    def encodec_rvq(x, embeds):  # ResidualVectorQuantization: each codebook on the residual
        residual = x
        quantized_out = torch.zeros_like(x)
        for j in range(embeds.shape[0]):
            q, _ = encodec_quantize(residual, embeds[j])
            residual = residual - q
            quantized_out = quantized_out + q
        return quantized_out

    def encodec_decode(codes, embeds):  # decode: the codebooks' embeddings summed
        q = torch.zeros(codes.shape[1], codes.shape[2], embeds.shape[-1], dtype=embeds.dtype)
        for j in range(codes.shape[0]):
            q = q + F.embedding(codes[j], embeds[j])
        return q.transpose(1, 2)

    def cdist_codebook(flat, embed):  # vector-quantize-pytorch's EuclideanCodebook: -cdist, argmax, gathered
        dist = -torch.cdist(flat, embed, p=2)
        ind = dist.argmax(dim=-1)
        return ind, F.embedding(ind[0], embed[0])

    # Whisper-large-v3 (fp16, 128 mels, 1280 wide) for 16 30-s windows; the suppressed tokens (51866 vocabulary, 5
    # beams x 8); the reflect padding and the batched log-mel from an STFT (201 bins, 3001 frames) for 16 windows;
    # wav2vec2-base's feature encoder over 8 x 10 s (fp32: the GroupNorm conv, a 3-wide conv, the projection, the
    # grouped positional conv) and wav2vec2-large-lv60's first LayerNorm conv over 4 x 30 s (fp16); EnCodec-24kHz's
    # RVQ (128-d, 1024 codes, 8 codebooks, 8 x 10 s at 75 Hz) and its 32-codebook decode of 60 s; a 2048 x 256
    # codebook by cdist
    out += [("whisper_stem", whisper_stem, (mh(16, 128, 3000), mh(1280, 128, 3), mh(1280), mh(1280, 1280, 3),
                                            mh(1280))),
            ("suppress_tokens", suppress_tokens, (mf(40, 51866), i(88))),
            ("stft_pad", stft_pad, (mf(16, 480000),)),
            ("whisper_log_mel", whisper_log_mel, (m(16, 201, 3001, dt=torch.complex64), mf(128, 201))),
            ("w2v2_conv0_gn", w2v2_conv0_gn, (mf(8, 1, 160000), mf(512, 1, 10), mf(512), mf(512))),
            ("w2v2_conv", w2v2_conv, (mf(8, 512, 31999), mf(512, 512, 3))),
            ("w2v2_conv_ln", lambda x, w, b, lw, lb: w2v2_conv_ln(x, w, b, lw, lb, 5),
             (mh(4, 1, 480000), mh(512, 1, 10), mh(512), mh(512), mh(512))),
            ("w2v2_projection", w2v2_projection, (mf(8, 512, 499), mf(512), mf(512), mf(768, 512), mf(768))),
            ("w2v2_pos_conv", w2v2_pos_conv, (mf(8, 499, 768), mf(768, 48, 128), mf(768))),
            ("encodec_rvq", encodec_rvq, (mf(8, 128, 750), mf(8, 1024, 128))),
            ("encodec_decode", encodec_decode, (i(32, 1, 4500), mf(32, 1024, 128))),
            ("cdist_codebook", cdist_codebook, (mf(1, 6000, 256), mf(1, 2048, 256)))]

    # ================================================================== everyday inference utilities
    # ------------------------------------------------------------------ NeRF
    def nerf_sample_pdf(bins, weights, u):  # sample_pdf: cdf by cumsum, searchsorted, gathered neighbours
        weights = weights + 1e-5
        pdf = weights / torch.sum(weights, -1, keepdim=True)
        cdf = torch.cumsum(pdf, -1)
        cdf = torch.cat([torch.zeros_like(cdf[..., :1]), cdf], -1)
        inds = torch.searchsorted(cdf, u.contiguous(), right=True)
        below = torch.max(torch.zeros_like(inds - 1), inds - 1)
        above = torch.min((cdf.shape[-1] - 1) * torch.ones_like(inds), inds)
        inds_g = torch.stack([below, above], -1)
        shape = [inds_g.shape[0], inds_g.shape[1], cdf.shape[-1]]
        cdf_g = torch.gather(cdf.unsqueeze(1).expand(shape), 2, inds_g)
        bins_g = torch.gather(bins.unsqueeze(1).expand(shape), 2, inds_g)
        denom = cdf_g[..., 1] - cdf_g[..., 0]
        denom = torch.where(denom < 1e-5, torch.ones_like(denom), denom)
        t = (u - cdf_g[..., 0]) / denom
        return bins_g[..., 0] + t * (bins_g[..., 1] - bins_g[..., 0])

    # hierarchical sampling of 128 fine samples from 64 coarse ones for 4096 rays (fp32)
    out += [("nerf_sample_pdf", nerf_sample_pdf, (mf(4096, 63), mf(4096, 62), mf(4096, 128)))]

    # ------------------------------------------------------------------ point clouds, k-means
    def chamfer(p1, p2):  # Chamfer distance by cdist: nearest both ways, averaged
        d = torch.cdist(p1, p2)
        return d.min(dim=2)[0].mean(dim=1) + d.min(dim=1)[0].mean(dim=1)

    def kmeans_assign(x, centroids):  # kmeans_pytorch: cdist to the centroids, argmin
        return torch.cdist(x, centroids).argmin(dim=1)

    # Chamfer between 32 pairs of 2048 points; k-means assignment of 512K 128-d points to 1024 centroids
    out += [("chamfer", chamfer, (mf(32, 2048, 3), mf(32, 2048, 3))),
            ("kmeans_assign", kmeans_assign, (mf(524288, 128), mf(1024, 128)))]

    # ------------------------------------------------------------------ graph networks
    def pyg_scatter_mean(src, index, n):  # torch_geometric.utils.scatter(reduce='mean')
        count = src.new_zeros(n)
        count.scatter_add_(0, index, src.new_ones(src.size(0)))
        count = count.clamp(min=1)
        idx = index.view(-1, 1).expand_as(src)
        out_ = src.new_zeros((n, src.size(1))).scatter_add_(0, idx, src)
        return out_ / count.view(-1, 1)

    def pyg_scatter_minmax(src, index, n, reduce):  # scatter(reduce='max' / 'min'): scatter_reduce_ without self
        idx = index.view(-1, 1).expand_as(src)
        return src.new_zeros((n, src.size(1))).scatter_reduce_(0, idx, src, reduce=reduce, include_self=False)

    def gcn_propagate(x, edge_index, norm):  # message passing: x_j * norm, index_add_ at the targets
        msg = x.index_select(0, edge_index[0]) * norm.view(-1, 1)
        return torch.zeros_like(x).index_add_(0, edge_index[1], msg)

    # scatters (max, mean, sum) at ogbn-arxiv (169343 nodes, 1166243 edges, 128 wide) and an ogbn-products
    # mini-batch (200K nodes, 2M edges, 100 wide); GCN propagation on arxiv (256 wide)
    out += [("pyg_scatter_max", lambda s, ix: pyg_scatter_minmax(s, ix, 169343, "amax"),
             (mf(1166243, 128), i(1166243))),
            ("pyg_scatter_max", lambda s, ix: pyg_scatter_minmax(s, ix, 200000, "amax"),
             (mf(2000000, 100), i(2000000))),
            ("pyg_scatter_mean", lambda s, ix: pyg_scatter_mean(s, ix, 200000), (mf(2000000, 100), i(2000000))),
            ("pyg_scatter_sum_reduce", lambda s, ix: s.new_zeros((169343, s.size(1))).scatter_reduce_(
                0, ix.view(-1, 1).expand_as(s), s, reduce="sum", include_self=False), (mf(1166243, 128),
                                                                                        i(1166243))),
            ("gcn_propagate", gcn_propagate, (mf(169343, 256), i(2, 1166243), mf(1166243)))]

    # ------------------------------------------------------------------ embedding bags and histograms
    def bag_offsets(idx, offsets, w, mode):
        return F.embedding_bag(idx, w, offsets, mode=mode)

    def calib_histogram(x, nbins=2048):  # an activation histogram without histc: bins from aminmax, scatter_add
        mn, mx = torch.aminmax(x.float())
        bins = ((x.float() - mn) / (mx - mn) * nbins).long().clamp_(0, nbins - 1)
        return torch.zeros(nbins, dtype=torch.float32).scatter_add_(0, bins.flatten(),
                                                                    torch.ones(bins.numel(), dtype=torch.float32))

    def token_counts(ids, vocab):  # token frequencies over a batch (frequency penalties, data statistics)
        flat = ids.flatten()
        return torch.zeros(vocab, dtype=torch.int64).scatter_add_(0, flat, torch.ones_like(flat))

    # bags: a fastText-style mean over 2M x 300 (1024 documents of 256 tokens), sum bags of 1 over 4M x 128 (65536
    # rows) and of 100 (8192 rows; MLPerf DLRM-DCNv2's largest multi-hot), max bags of 20, 2-D fixed bags of 20 with
    # mean (4096 x 20 over 1M x 64 fp16), per-sample weighted sums (TorchRec); histograms of a 4096 x 14336
    # activation and of a 64 x 4096 batch of token ids over Llama-3's vocabulary
    out += [("embedding_bag_mean", lambda ix, off, w: bag_offsets(ix, off, w, "mean"),
             (i(1024 * 256), i(1024), mf(2000000, 300))),
            ("embedding_bag_sum", lambda ix, off, w: bag_offsets(ix, off, w, "sum"),
             (i(65536), i(65536), mf(4000000, 128))),
            ("embedding_bag_sum", lambda ix, off, w: bag_offsets(ix, off, w, "sum"),
             (i(8192 * 100), i(8192), mf(4000000, 128))),
            ("embedding_bag_max", lambda ix, off, w: bag_offsets(ix, off, w, "max"),
             (i(8192 * 20), i(8192), mf(1000000, 64))),
            ("embedding_bag_2d", lambda ix, w: F.embedding_bag(ix, w, mode="mean"), (i(4096, 20), mh(1000000, 64))),
            ("embedding_bag_weighted",
             lambda ix, off, w, psw: F.embedding_bag(ix, w, off, mode="sum", per_sample_weights=psw),
             (i(16384 * 50), i(16384), mf(2000000, 64), mf(16384 * 50))),
            ("calib_histogram", calib_histogram, (m(4096, 14336),)),
            ("token_counts", lambda ids: token_counts(ids, 128256), (i(64, 4096),))]

    # ------------------------------------------------------------------ sorting, scans, dedup
    def dedup_by_sort(ids):  # unique-free dedup: stable sort, first occurrences, group ids by cumsum
        s, order = torch.sort(ids, dim=-1, stable=True)
        is_new = torch.ones_like(s, dtype=torch.bool)
        is_new[..., 1:] = s[..., 1:] != s[..., :-1]
        return s, order, is_new, is_new.cumsum(-1) - 1

    def cu_seqlens(lengths):  # flash-attn's varlen boundaries: cumsum in int32, a zero prepended
        return F.pad(torch.cumsum(lengths, dim=0, dtype=torch.int32), (1, 0))

    def position_ids_from_mask(mask):  # generate(): positions from a left-padded mask
        pos = mask.long().cumsum(-1) - 1
        return pos.masked_fill_(mask == 0, 1)

    # sorts: the 1M-row dedup of retrieval ids (stable); argsort of 256 sequence lengths (descending) and of 4096
    # (stable); stable and unstable sorts of 65536 top-k expert ids; rows of 100 reranked scores for 1000 queries;
    # cumulative sums over an outer dim (a running sum over 4096 positions of 8 x 1024 features, per-column prefix
    # sums of a 4096 x 4096 fp32 matrix, a chunk dim) and cumprods over the samples of 4096 rays and over dim 0;
    # cu_seqlens; position ids from 64 left-padded masks of 4096
    out += [("dedup_by_sort", dedup_by_sort, (i(1000000),)),
            ("argsort_lengths", lambda n: torch.argsort(n, descending=True), (i(256),)),
            ("argsort_lengths", lambda n: torch.argsort(n, descending=True, stable=True), (i(4096),)),
            ("sort_expert_ids", lambda x: torch.sort(x, stable=True), (i(65536),)),
            ("sort_expert_ids", lambda x: torch.sort(x), (mi32(65536),)),
            ("argsort_rows", lambda s: torch.argsort(s, dim=-1, descending=True), (mf(1000, 100),)),
            ("cumsum_outer", lambda x: torch.cumsum(x, dim=1), (m(8, 4096, 1024),)),
            ("cumsum_outer", lambda x: torch.cumsum(x, dim=0), (mf(4096, 4096),)),
            ("cumsum_outer", lambda x: torch.cumsum(x, dim=-2), (mf(64, 8, 512, 64),)),
            ("cumprod_outer", lambda a: torch.cumprod(a, dim=1), (mf(4096, 192, 1),)),
            ("cumprod_outer", lambda a: torch.cumprod(a, dim=0), (m(64, 4096, 64),)),
            ("cu_seqlens", cu_seqlens, (mi32(256),)),
            ("position_ids_from_mask", position_ids_from_mask, (i(64, 4096),))]

    # ------------------------------------------------------------------ bucketize, einsum contractions, masks, padding
    def bucketize_features(x, boundaries):  # numeric features binned by per-feature quantile boundaries
        return torch.stack([torch.bucketize(x[:, j].contiguous(), boundaries[j]) for j in range(x.shape[1])], dim=1)


    def tri_mult(a, b, outgoing=True):  # triangle multiplicative update's core einsum
        if outgoing:
            return torch.einsum("...ikc,...jkc->...ijc", a, b)
        return torch.einsum("...kic,...kjc->...ijc", a, b)

    # bins of 26 dense Criteo features (64 boundaries, 65536 rows), a 4095-edge bucketize and row-wise searchsorted;
    # OpenFold / ESMFold's triangle multiplication (384 x 384 x 128 in bf16, outgoing and incoming; 256 in fp32);
    # nan_to_num on fp16 logits and fp32 latents; a test-time flip of 150-class ADE20K logits; constant padding of a
    # batch of embeddings and of labels; a roll over time; padding masked out of hidden states; a boolean key mask by
    # where; logits clamped
    out += [("bucketize_features", bucketize_features, (mf(65536, 26), mf(26, 64))),
            ("bucketize", lambda x, bnd: torch.bucketize(x, bnd, right=True), (mf(8, 4096, 128), mf(4095))),
            ("searchsorted_rows", lambda c, v: torch.searchsorted(c, v), (mf(4096, 1024), mf(4096, 64))),
            ("tri_mult_outgoing", tri_mult, (m(1, 384, 384, 128), m(1, 384, 384, 128))),
            ("tri_mult_incoming", lambda a, b: tri_mult(a, b, False), (m(1, 384, 384, 128), m(1, 384, 384, 128))),
            ("tri_mult_outgoing", tri_mult, (mf(1, 256, 256, 128), mf(1, 256, 256, 128))),
            ("nan_to_num", lambda x: torch.nan_to_num(x, nan=0.0, posinf=65504.0, neginf=-65504.0),
             (mh(64, 32000),)),
            ("nan_to_num", lambda x: torch.nan_to_num(x), (mf(16, 4, 128, 128),)),
            ("tta_flip", lambda a, b: (a + b.flip(-1)) / 2, (mh(8, 150, 512, 512), mh(8, 150, 512, 512))),
            ("pad_batch", lambda x: F.pad(x, (0, 0, 0, 512 - x.shape[1]), value=0.0), (m(64, 300, 1024),)),
            ("pad_batch", lambda x: F.pad(x, (0, 3), value=-100), (i(64, 2045),)),
            ("roll_time", lambda x: torch.roll(x, shifts=1, dims=1), (mf(256, 512, 7),)),
            ("masked_fill_pad", lambda x, mk: x.masked_fill(~mk[:, :, None].bool(), 0.0), (m(64, 2048, 4096),
                                                                                            i(64, 2048))),
            ("where_mask", lambda mk, a, b: torch.where(mk[:, None, None, :], a, b),
             (mb(16, 1024), m(16, 16, 1024, 1024), mf(1))),
            ("clamp_logits", lambda x: x.clamp(-15.0, 15.0), (m(256, 151936),))]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK20, _check20()),))
