"""The aten sweep's fifteenth blind real-code group: `realcode-check15`, everyday PyTorch inference and serving code.

Each case is one op or a short idiom as model, serving and sampling code writes it (projections with and without
bias at prefill and decode widths, lm heads of real vocabularies, fp8 scaled products, attention by SDPA (causal,
sliding-window and padding masks, GQA by enable_gqa, repeat_kv and repeat_interleave, decode over paged
and latent caches, single heads of 256, keys of 576 with values of 512) and by batched matmul over channels, norms
(RMSNorm by hand in fp32 with its residual, LayerNorm, GroupNorm), rotary from a cached table read by position,
activations, logit bias, top-k / top-p, greedy and sampled tokens, speculative acceptance, paged and latent cache
writes and gathers, sparse lexical weights scattered over a vocabulary, fp8 quantisation, layout copies), at the
widths of models and the code no earlier group uses: Falcon3-10B served through vLLM's torch-native paths (the
fused-residual RMSNorm, qkv_proj, q and k split and rotated from the cos_sin_cache read by index_select at each
token's position, the paged cache written by index_put_, TorchSDPA's prefill after repeat_interleave over [tokens,
heads, 256] views, o_proj, SiluAndMul over the 46080-wide gate_up, down_proj; at decode qkv_proj, the block tables'
gather into SDPA over 4 KV heads of 256, down_proj and the 131072-token head; the sampler's logit bias by an
accumulating index_put_, apply_top_k_top_p's sort, gather, masks, cumulative sum and scatter back, the greedy argmax
and the multinomial draw), Command-R7B (Cohere2: q and kv projections over an 8192-token prompt, SDPA through the
4096-token sliding-window mask after repeat_kv, the NoPE global layer's causal SDPA through enable_gqa, the SwiGLU,
the parallel block's residual of attention and MLP; at decode gate_proj and the logit-scaled head over a 2-way
vocabulary shard), Phi-3-small-8k (the grouped query_key_value split into 4 q heads a KV head, SDPA at scale 1 / d
through a padding mask with enable_gqa, gegelu's clamped quick-GELU over interleaved columns between its biased up
and down projections; the 100352-token head at decode), Florence-2-large in fp16 (DaViT's channel attention over 64
groups of 32 channels: q^T k, the softmax, the values, the heads merged, its projections), bge-m3 in fp16
(XLM-R-large's inverted padding mask and masked SDPA over heads of 64, the GELU intermediate, the sparse lexical
weights: ReLU of a one-output linear, scattered into the 250002-token vocabulary, max-pooled over tokens, the
special tokens zeroed), RWKV-7 World 2.9B at decode (the wkv7 state step's outer products by batched matmul and its
fp32 state, the per-head GroupNorm ln_x, the bonus and the gated output product), DeepSeek-V3's MLA decode with
absorbed weights at 8-way tensor parallelism (the fused q_a / kv_a projection, q_b, W_UK absorbed by bmm, the latent
pool's write and gather, SDPA of 16 heads over one 576-wide latent head with values of 512, W_UV by bmm, o_proj),
SAM2-Hiera-L's memory attention (the fp32 LayerNorm under autocast, q_proj, single-head SDPA of 256 over the frame
and over 7 memories and the object pointers, the 64-wide memory projection, the ReLU MLP), Llama-3.3-70B in fp8 (a
per-tensor dynamic activation scale by aminmax, the clamped fp8 cast, torch._scaled_mm with tensor and row-wise
scales) and transformers' speculative acceptance test against it (softmax of both models' logits, the candidates'
probabilities, the ratio, the uniform draw and the accepted count by cumsum), at inference batches and token counts;
about a quarter of the cases are cuBLAS products. The group is never fitted: it is traced on the meta device, timed
on the GPU and only scored. The builder (hetsim.calibration.gpu_suite.aten_cases) takes it after every other group
and drops any case equal to one of theirs, so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK15 = "realcode-check15"


def _check15():
    import math

    import torch
    import torch.nn.functional as F

    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    b8, fp8 = torch.bool, torch.float8_e4m3fn
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers, repeat_kv

    m, i = _meta_makers()

    linear = _layer_makers(1e-6)[0]

    # ------------------------------------------------------------------ Falcon3-10B in vLLM (torch-native paths)
    def fused_add_rms(x, residual, w, eps=1e-6):  # RMSNorm.forward_native with a residual
        orig_dtype = x.dtype
        x = x.to(f32)
        x = x + residual.to(f32)
        residual = x.to(orig_dtype)
        variance = x.pow(2).mean(dim=-1, keepdim=True)
        x = x * torch.rsqrt(variance + eps)
        return x.to(orig_dtype) * w, residual

    def apply_rotary_neox(x, cos, sin):  # vLLM's _apply_rotary_emb_torch (neox style)
        cos = cos.unsqueeze(-2).to(x.dtype)
        sin = sin.unsqueeze(-2).to(x.dtype)
        x1, x2 = torch.chunk(x, 2, dim=-1)
        o1 = x1 * cos - x2 * sin
        o2 = x2 * cos + x1 * sin
        return torch.cat((o1, o2), dim=-1)

    def qkv_rotary(qkv, positions, cos_sin_cache, head_size=256):  # qkv.split, RotaryEmbedding.forward_native
        q, k, _ = qkv.split([3072, 1024, 1024], dim=-1)
        num_tokens = positions.shape[0]
        cos_sin = cos_sin_cache.index_select(0, positions)
        cos, sin = cos_sin.chunk(2, dim=-1)
        out = []
        for x in (q, k):
            shape = x.shape
            x = x.view(num_tokens, -1, head_size)
            out.append(apply_rotary_neox(x, cos, sin).reshape(shape))
        return out

    def paged_write(kv_cache, key, qkv, slot_mapping):  # the cache write in torch: rotated keys, values split
        value = qkv[:, 4096:]
        kv_cache[0].view(-1, 4, 256).index_put_((slot_mapping,), key.view(-1, 4, 256))
        kv_cache[1].view(-1, 4, 256).index_put_((slot_mapping,), value.view(-1, 4, 256))
        return kv_cache

    def torch_sdpa_prefill(q, k, v, start=2048, end=4096):  # TorchSDPABackend: KV heads repeated, heads moved first
        k = k.repeat_interleave(3, dim=1)
        v = v.repeat_interleave(3, dim=1)
        q, k, v = (t.movedim(0, t.dim() - 2) for t in (q, k, v))
        return sdpa(q[None, :, start:end], k[None, :, start:end], v[None, :, start:end], is_causal=True,
                    scale=256 ** -0.5)

    def silu_and_mul(x):  # SiluAndMul.forward_native
        d = x.shape[-1] // 2
        return F.silu(x[..., :d]) * x[..., d:]

    def paged_decode(q, k_cache, v_cache, block_tables):  # each sequence's blocks gathered, SDPA over 4 KV heads
        b = q.shape[0]
        k = k_cache[block_tables].view(b, -1, 4, 256).transpose(1, 2)
        v = v_cache[block_tables].view(b, -1, 4, 256).transpose(1, 2)
        return sdpa(q.unsqueeze(2), k, v, enable_gqa=True)

    def top_k_top_p(logits, k, p):  # vLLM's apply_top_k_top_p: one ascending sort, both masks, scattered back
        logits_sort, logits_idx = logits.sort(dim=-1, descending=False)
        top_k_mask = logits_sort.size(1) - k.to(torch.long)
        top_k_mask = logits_sort.gather(1, top_k_mask.unsqueeze(dim=1))
        logits_sort.masked_fill_(logits_sort < top_k_mask, -float("inf"))
        probs_sum = logits_sort.softmax(dim=-1).cumsum(dim=-1)
        top_p_mask = probs_sum <= 1 - p.unsqueeze(dim=1)
        top_p_mask[:, -1] = False
        logits_sort.masked_fill_(top_p_mask, -float("inf"))
        return logits_sort.scatter(dim=-1, index=logits_idx, src=logits_sort)

    # ------------------------------------------------------------------ Command-R7B (Cohere2)
    def swiglu(x, wg, wu, wd):  # down_proj(silu(gate_proj(x)) * up_proj(x))
        return linear(F.silu(linear(x, wg)) * linear(x, wu), wd)

    # ------------------------------------------------------------------ Phi-3-small-8k
    def phi3s_qkv(x, w, b):  # query_key_value grouped by KV head: 4 q heads, then k, then v
        bsz, q_len = x.shape[:2]
        qkv = linear(x, w, b).view(bsz, q_len, 8, 6, 128)
        q = qkv[..., :4, :].reshape(bsz, q_len, -1, 128).transpose(1, 2)
        return q, qkv[..., -2, :].transpose(1, 2), qkv[..., -1, :].transpose(1, 2)

    def gegelu(x, limit=20.0):  # gegelu: quick-GELU of the even columns, clamped, times 1 + the odd ones
        a_gelu, a_linear = x[..., ::2], x[..., 1::2]
        a_gelu = torch.where(torch.isinf(a_gelu), a_gelu, a_gelu.clamp(min=None, max=limit))
        a_linear = torch.where(torch.isinf(a_linear), a_linear, a_linear.clamp(min=-limit, max=limit))
        out_gelu = a_gelu * torch.sigmoid(1.702 * a_gelu)
        return out_gelu * (a_linear + 1)

    # ------------------------------------------------------------------ Florence-2-large (DaViT, fp16)
    def channel_attention(x, wqkv, bqkv, wp, bp, groups=64):  # DaViT ChannelAttention: scores over channels
        b, n, c = x.shape
        qkv = linear(x, wqkv, bqkv).reshape(b, n, 3, groups, c // groups).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        q = q * (float(n) ** -0.5)
        attention = (q.transpose(-1, -2) @ k).softmax(dim=-1)
        x = (attention @ v.transpose(-1, -2)).transpose(-1, -2)
        return linear(x.transpose(1, 2).reshape(b, n, c), wp, bp)

    # ------------------------------------------------------------------ bge-m3 (XLM-R-large, fp16)
    def inverted_mask(mask, dtype=f16):  # _prepare_4d_attention_mask_for_sdpa's expand and inversion
        bsz, src_len = mask.shape
        expanded = mask[:, None, None, :].expand(bsz, 1, src_len, src_len).to(dtype)
        inverted = 1.0 - expanded
        return inverted.masked_fill(inverted.to(b8), torch.finfo(dtype).min)

    def m3_sparse(h, w, b, input_ids, vocab_size=250002):  # BGEM3's _sparse_embedding
        token_weights = torch.relu(linear(h, w, b))
        sparse = torch.zeros(input_ids.size(0), input_ids.size(1), vocab_size, dtype=token_weights.dtype,
                             device=token_weights.device)
        sparse = torch.scatter(sparse, dim=-1, index=input_ids.unsqueeze(-1), src=token_weights)
        sparse = torch.max(sparse, dim=1).values
        sparse[:, [0, 1, 2, 3]] *= 0.0  # cls, pad, eos, unk
        return sparse

    # ------------------------------------------------------------------ RWKV-7 World 2.9B (RWKV_x070, decode)
    H, N = 40, 64

    def wkv7_step(state, r, w, k, v, kk, a):  # the state step: decay, in-context removal, outer product in fp32
        b = r.shape[0]
        vk = v.view(b, H, N, 1) @ k.view(b, H, 1, N)
        ab = (-kk).view(b, H, N, 1) @ (kk * a).view(b, H, 1, N)
        state = state * w.view(b, H, 1, N) + state @ ab.float() + vk.float()
        return state.to(dtype=r.dtype) @ r.view(b, H, N, 1), state

    def ln_x_bonus(xx, r, k, v, g, ln_w, ln_b, r_k, wo):  # the per-head GroupNorm, the bonus, the gated output
        b = r.shape[0]
        xx = F.group_norm(xx.view(b, H * N), num_groups=H, weight=ln_w, bias=ln_b, eps=64e-5)
        xx = xx + ((r * k * r_k).view(b, H, N).sum(dim=-1, keepdim=True) * v.view(b, H, N)).view(b, H * N)
        return (xx * g) @ wo

    # ------------------------------------------------------------------ Llama-3.3-70B in fp8 (vLLM's torch paths)
    def input_to_float8(x):  # a per-tensor dynamic scale from aminmax, the clamped cast
        finfo = torch.finfo(fp8)
        min_val, max_val = x.aminmax()
        amax = torch.maximum(min_val.abs(), max_val.abs()).clamp(min=1e-12)
        scale = finfo.max / amax
        x_scl_sat = (x * scale).clamp(min=finfo.min, max=finfo.max)
        return x_scl_sat.to(fp8).contiguous(), scale.float().reciprocal()

    def scaled_mm(a, b, sa, sb):
        return torch._scaled_mm(a, b, scale_a=sa, scale_b=sb, out_dtype=bf)

    # ------------------------------------------------------------------ speculative decoding
    def hf_speculative(candidate_input_ids, candidate_logits, new_logits):  # _speculative_sampling's test
        candidate_length = candidate_logits.shape[1]
        steps = torch.arange(candidate_length, device=candidate_logits.device)
        q = candidate_logits.softmax(dim=-1)
        q_i = q[:, steps, candidate_input_ids].squeeze(0, 1)
        p = new_logits.softmax(dim=-1)
        p_i = p[:, steps, candidate_input_ids].squeeze(0, 1)
        probability_ratio = p_i / q_i
        is_accepted = torch.rand_like(probability_ratio) <= probability_ratio
        n_matches = ((~is_accepted).cumsum(dim=-1) < 1).sum()
        return p, q, n_matches

    h16 = dict(dt=f16)
    # Falcon3-10B (bf16: hidden 3072, 12 q heads over 4 KV heads of 256, 23040 wide, 131072 tokens, 32768
    # positions) in vLLM: a prefill step of 8 requests of 768 tokens flattened to 6144 (one request of 2048 through
    # TorchSDPA), then a decode step of 48 sequences over 4096 cached tokens in blocks of 16 and its sampler
    T = 6144
    out = [("fused_add_rms_norm", fused_add_rms, (m(T, 3072), m(T, 3072), m(3072))),
           ("qkv_proj", linear, (m(T, 3072), m(5120, 3072))),
           ("qkv_rotary", qkv_rotary, (m(T, 5120), i(T), m(32768, 256))),
           ("paged_write", paged_write, (m(2, 3000, 16, 4, 256), m(T, 1024), m(T, 5120), i(T))),
           ("torch_sdpa_prefill", torch_sdpa_prefill, (m(T, 12, 256), m(T, 4, 256), m(T, 4, 256))),
           ("o_proj", linear, (m(T, 3072), m(3072, 3072))),
           ("gate_up_proj", linear, (m(T, 3072), m(46080, 3072))),
           ("silu_and_mul", silu_and_mul, (m(T, 46080),)),
           ("down_proj", linear, (m(T, 23040), m(3072, 23040))),
           ("qkv_proj", linear, (m(48, 3072), m(5120, 3072))),
           ("paged_decode", paged_decode, (m(48, 12, 256), m(14000, 16, 4, 256), m(14000, 16, 4, 256), i(48, 256))),
           ("down_proj", linear, (m(48, 23040), m(3072, 23040))),
           ("lm_head", linear, (m(48, 3072), m(131072, 3072))),
           ("logit_bias", lambda lg, r, c, b: lg.index_put_((r, c), b, accumulate=True),
            (m(48, 131072, dt=f32), i(200), i(200), m(200, dt=f32))),
           ("top_k_top_p", top_k_top_p, (m(48, 131072, dt=f32), i(48), m(48, dt=f32))),
           ("greedy", lambda lg: lg.argmax(dim=-1).view(-1), (m(48, 131072, dt=f32),)),
           ("multinomial", lambda p: torch.multinomial(p, num_samples=1), (m(48, 131072, dt=f32),))]
    # Command-R7B (bf16: hidden 4096, 32 q heads over 8 KV heads of 128, 14336 wide, 256000 tokens, three sliding
    # layers of 4096 to one global NoPE layer, logit scale 0.25) over an 8192-token prompt through the parallel
    # block; at decode (batch 16) gate_proj and the head over a 2-way vocabulary shard
    L = 8192
    out += [("q_proj", linear, (m(1, L, 4096), m(4096, 4096))),
            ("kv_proj", linear, (m(1, L, 4096), m(1024, 4096))),
            ("sdpa_sliding", lambda q, k, v, a: sdpa(q, repeat_kv(k, 4), repeat_kv(v, 4), attn_mask=a),
             (m(1, 32, L, 128), m(1, 8, L, 128), m(1, 8, L, 128), m(1, 1, L, L, dt=b8))),
            ("sdpa_global_nope", lambda q, k, v: sdpa(q, k, v, is_causal=True, enable_gqa=True),
             (m(1, 32, L, 128), m(1, 8, L, 128), m(1, 8, L, 128))),
            ("mlp", swiglu, (m(1, L, 4096), m(14336, 4096), m(14336, 4096), m(4096, 14336))),
            ("parallel_residual", lambda r, a, f: r + a + f, (m(1, L, 4096), m(1, L, 4096), m(1, L, 4096))),
            ("gate_proj", linear, (m(16, 4096), m(14336, 4096))),
            ("lm_head_scaled", lambda h, w: linear(h, w) * 0.25, (m(16, 4096), m(128000, 4096)))]
    # Phi-3-small-8k (bf16: hidden 4096, 32 q heads over 8 KV heads of 128, gegelu 14336 wide, muP attention at
    # 1 / d, 100352 tokens) over 4 padded prompts of 1024; the head at decode (batch 32)
    P = 1024
    out += [("qkv_grouped", phi3s_qkv, (m(4, P, 4096), m(6144, 4096), m(6144))),
            ("sdpa_padded_gqa", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a, scale=1 / 128, enable_gqa=True),
             (m(4, 32, P, 128), m(4, 8, P, 128), m(4, 8, P, 128), m(4, 1, P, P))),
            ("up_proj", linear, (m(4, P, 4096), m(28672, 4096), m(28672))),
            ("gegelu", gegelu, (m(4, P, 28672),)),
            ("down_proj", linear, (m(4, P, 14336), m(4096, 14336), m(4096))),
            ("lm_head", linear, (m(32, 4096), m(100352, 4096)))]
    # Florence-2-large (fp16: DaViT's last stage, 2048 channels in 64 groups over the 24 x 24 map of a 768 x 768
    # image) over 4 images: channel attention, its scores over the channels of each group
    out += [("channel_attention", channel_attention,
             (m(4, 576, 2048, **h16), m(6144, 2048, **h16), m(6144, **h16), m(2048, 2048, **h16), m(2048, **h16)))]
    # bge-m3 (fp16: XLM-R-large, 1024 wide, 16 heads of 64, 4096 wide, 250002 tokens) encoding 8 documents padded to
    # 1024 tokens; the sparse weights over 4 of 512
    D = 1024
    out += [("inverted_mask", inverted_mask, (i(8, D),)),
            ("sdpa_padding_mask", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(8, 16, D, 64, **h16), m(8, 16, D, 64, **h16), m(8, 16, D, 64, **h16), m(8, 1, D, D, **h16))),
            ("intermediate_gelu", lambda x, w, b: F.gelu(linear(x, w, b)), (m(8, D, 1024, **h16),
                                                                            m(4096, 1024, **h16), m(4096, **h16))),
            ("sparse_weights", m3_sparse, (m(4, 512, 1024, **h16), m(1, 1024, **h16), m(1, **h16), i(4, 512)))]
    # RWKV-7 World 2.9B (bf16: width 2560, 40 heads of 64) at decode (batch 32), the state in fp32
    Bt, C = 32, 2560
    out += [("wkv7_step", wkv7_step, (m(Bt, H, N, N, dt=f32), m(Bt, C), m(Bt, C, dt=f32), m(Bt, C), m(Bt, C),
                                      m(Bt, C), m(Bt, C))),
            ("ln_x_bonus", ln_x_bonus, (m(Bt, H, N, 1), m(Bt, C), m(Bt, C), m(Bt, C), m(Bt, C), m(C), m(C), m(C),
                                        m(C, C)))]
    # DeepSeek-V3 (bf16: hidden 7168, q_lora 1536, kv_lora 512 + rope 64, 128 heads of 128 + 64 split 8 ways) at
    # decode (batch 32 over 4096 latent tokens each) with the weights absorbed
    S = 32
    mla_scale = 192 ** -0.5 * (0.1 * math.log(40) + 1) ** 2
    out += [("fused_qkv_a", linear, (m(S, 7168), m(2112, 7168))),
            ("q_b_proj", linear, (m(S, 1536), m(3072, 1536))),
            ("w_kc_absorb", lambda q, w: torch.bmm(q.view(S, 16, 192)[..., :128].transpose(0, 1), w),
             (m(S, 3072), m(16, 128, 512))),
            ("latent_write", lambda pool, loc, c, pe: pool.index_put_((loc,), torch.cat([c, pe], dim=-1)[:, None]),
             (m(200000, 1, 576), i(S), m(S, 512), m(S, 64))),
            ("latent_gather", lambda pool, req_to_token: pool[req_to_token], (m(200000, 1, 576), i(S, 4096))),
            ("mla_sdpa", lambda q, kv: sdpa(q, kv, kv[..., :512], scale=mla_scale, enable_gqa=True),
             (m(S, 16, 1, 576), m(S, 1, 4096, 576))),
            ("w_vc_absorb", lambda o, w: torch.bmm(o.squeeze(2).transpose(0, 1), w).transpose(0, 1).flatten(1),
             (m(S, 16, 1, 512), m(16, 512, 128))),
            ("o_proj", linear, (m(S, 2048), m(7168, 2048)))]
    # SAM2-Hiera-L's memory attention (under bf16 autocast: d_model 256, one head, 64 x 64 = 4096 tokens of the
    # frame, 7 memories of 4096 64-wide tokens and 64 object-pointer tokens); the complex-valued axial rotary is left
    # out (its cases would need complex inputs)
    M = 7 * 4096 + 64
    out += [("layer_norm_autocast", lambda x, w, b: F.layer_norm(x, (256,), w, b),
             (m(1, 4096, 256, dt=f32), m(256, dt=f32), m(256, dt=f32))),
            ("q_proj", linear, (m(1, 4096, 256), m(256, 256), m(256))),
            ("self_sdpa_256", sdpa, (m(1, 1, 4096, 256), m(1, 1, 4096, 256), m(1, 1, 4096, 256))),
            ("memory_kv_proj", linear, (m(1, M, 64), m(256, 64), m(256))),
            ("cross_sdpa_256", sdpa, (m(1, 1, 4096, 256), m(1, 1, M, 256), m(1, 1, M, 256))),
            ("mlp_relu", lambda x, w1, b1, w2, b2: linear(F.relu(linear(x, w1, b1)), w2, b2),
             (m(1, 4096, 256), m(2048, 256), m(2048), m(256, 2048), m(256)))]
    # Llama-3.3-70B in fp8 (hidden 8192, qkv 10240, gate_up 57344, down 28672): a per-tensor dynamic activation
    # scale at decode (batch 32), then torch._scaled_mm with tensor scales and with row-wise ones
    out += [("fp8_per_tensor", input_to_float8, (m(32, 8192),)),
            ("scaled_mm_tensor", scaled_mm, (m(32, 8192, dt=fp8), m(10240, 8192, dt=fp8).t(), m((), dt=f32),
                                             m((), dt=f32))),
            ("scaled_mm_tensor", scaled_mm, (m(4096, 28672, dt=fp8), m(8192, 28672, dt=fp8).t(), m((), dt=f32),
                                             m((), dt=f32))),
            ("scaled_mm_rowwise", scaled_mm, (m(4096, 8192, dt=fp8), m(57344, 8192, dt=fp8).t(), m(4096, 1, dt=f32),
                                              m(1, 57344, dt=f32)))]
    # speculative decoding on Llama-3.3-70B with Llama-3.2-1B drafting (128256 tokens, fp32 logits): transformers'
    # assisted generation at batch 1, its acceptance test over 5 candidates
    out += [("speculative_test", hf_speculative, (i(1, 5), m(1, 5, 128256, dt=f32), m(1, 6, 128256, dt=f32)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK15, _check15()),))
