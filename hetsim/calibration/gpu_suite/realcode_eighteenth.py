"""The aten sweep's thirteenth blind real-code group: `realcode-check13`, everyday PyTorch inference and serving code.

Each case is one op or a short idiom as model and serving code writes it (projections with and without bias at
prefill and decode widths, a GPT-2-style Conv1D addmm, lm heads of real vocabularies, attention by SDPA with and without
masks, through nn.MultiheadAttention's functional form and by matmul with an ALiBi bias, activations, an RMSNorm by
torch.pow, a LayerNorm and a GroupNorm, MoE routing, dispatch and combine, a selective scan's discretisation and step,
sampling, gathers and scatters, masked writes, rotary tables, casts, paged KV-cache copies, LoRA, layout copies), at
the widths of models and the code no earlier group uses: Gemma-3n-E4B (AltUp's predict at decode: the router's
RMSNorm by torch.pow, its tanh modalities, the 4 x 4 coefficients and their batched product over the four streams;
SDPA through the 512-token sliding-window mask after repeat_kv at scaling 1, the decode SDPA through enable_gqa over
heads of 256, the 262400-token lm_head soft-capped at 30 as vLLM's logits processor does), SigLIP-2 so400m-naflex (q /
k / v over two padded 1024-patch images into SDPA through the inverted padding mask with heads of 72; the
attention-pooling head: the probe repeated, the mask per head, F.multi_head_attention_forward, its LayerNorm),
Pixtral-12B's vision encoder (the 2-D rotary table read at each patch's meshgrid position, q, SDPA through the
block-diagonal mask of two images of 3072 and 1024 patches, the LLaVA projector into 5120), mamba_ssm's Mamba-1.4B
reference path (in_proj as weight @ x^T, x_proj and dt_proj as weight @ dt^T with B and C made contiguous,
selective_scan_ref's fp32 upcasts, softplus and discretisation by einsum, one step of its loop), the xlstm package's
multi-head GroupNorm outnorm at xLSTM-7B's widths, JetMoE-8B (top-2 of 8 routing by topk, softmax, scatter, sort and
trunc division; at decode the rows gathered, ParallelExperts' split F.linear, the SiLU gate, the gated index_add
combine), Nemotron-4-15B's squared-ReLU MLP at decode, Jais-13b (the muP-scaled embeddings, the c_attn Conv1D, eager
attention with scores over d, the causal where against its bool buffer, the ALiBi bias added, softmax), GLM-4-9B
(THUDM's code: the biased fused qkv, rotary on interleaved pairs over half of each head, the two KV groups expanded and
made contiguous into causal SDPA, the 27392-wide SwiGLU by chunk, PEFT LoRA of rank 64 on query_key_value, the
151552-token head), InternLM2.5-20B (wqkv over a prompt, its packed groups of 6 q heads with k and v unpacked, the
92544-token head), EXAONE-3.5-7.8B's fused qkv_proj and 102400-token head over 4 beams of 2 prompts, Qwen2-Audio-7B's
audio encoder fc1 and projector, SGLang's torch-native top-k / top-p / min-p sampler (the sort, the cumulative sum,
the masked zeroing, the multinomial sample, the gather back to token ids) and a TensorRT-LLM-style paged KV pool in
plain torch (a beam fork's block copy, a sequence's 64-token blocks gathered into contiguous keys), at inference
batches and token counts; a quarter of the cases are cuBLAS products. The group is never fitted: it is traced on the
meta device, timed on the GPU and only scored. The builder (hetsim.calibration.gpu_suite.aten_cases) takes it after
every other group and drops any case equal to one of theirs, so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK13 = "realcode-check13"


def _check13():
    import torch
    import torch.nn.functional as F

    bf, f32 = torch.bfloat16, torch.float32
    i32, b8 = torch.int32, torch.bool
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers, repeat_kv

    m, i = _meta_makers()

    linear = _layer_makers(1e-6)[0]

    def scalar(dt=f32):  # a 0-d buffer (a scale registered as a tensor)
        return m((), dt=dt)

    # ------------------------------------------------------------------ Gemma-3n-E4B
    def g3n_rms(x, w=None, eps=1e-6):  # Gemma3nRMSNorm: fp32, x * pow(mean(x^2) + eps, -0.5), times the weight
        h = x.float()
        normed = h * torch.pow(h.pow(2).mean(-1, keepdim=True) + eps, -0.5)
        if w is not None:
            normed = normed * w.float()
        return normed.type_as(x)

    def g3n_modalities(x, norm_w, router_scale, router_w):  # Gemma3nTextAltUp.compute_router_modalities
        router_inputs = g3n_rms(x, norm_w) * router_scale
        return torch.tanh(linear(router_inputs, router_w).float()).type_as(x)

    def g3n_predict(hidden_states, norm_w, router_scale, router_w, pred_w):  # Gemma3nTextAltUp.predict
        modalities = g3n_modalities(hidden_states[0], norm_w, router_scale, router_w)
        all_coefs = linear(modalities, pred_w).reshape(*modalities.shape[:-1], 4, 4).permute(0, 1, 3, 2)
        predictions = torch.matmul(hidden_states.permute(1, 2, 3, 0), all_coefs)
        predictions = predictions.permute(3, 0, 1, 2)
        predictions += hidden_states
        return predictions.contiguous().type_as(hidden_states)

    def softcap_head(x, w, cap=30.0):  # final_logit_softcapping (Gemma3nForCausalLM; vLLM's LogitsProcessor alike)
        logits = linear(x, w)
        logits = logits / cap
        logits = torch.tanh(logits)
        return logits * cap

    def sliding_sdpa(q, k, v, mask):  # sdpa_attention_forward with a mask: repeat_kv, scaling 1.0
        return sdpa(q, repeat_kv(k, 4), repeat_kv(v, 4), attn_mask=mask, scale=1.0)

    # ------------------------------------------------------------------ SigLIP-2 so400m-naflex
    def siglip2_attn(x, wq, bq, wk, bk, wv, bv, mask):  # Siglip2Attention through SDPA, heads of 72
        q, k, v = (linear(x, w, b).view(2, 1024, 16, 72).transpose(1, 2) for w, b in ((wq, bq), (wk, bk), (wv, bv)))
        return sdpa(q, k, v, attn_mask=mask, scale=72 ** -0.5).transpose(1, 2).reshape(2, 1024, 1152)

    def map_head(hidden, probe, mask, in_w, in_b, out_w, out_b, ln_w, ln_b):
        # Siglip2MultiheadAttentionPoolingHead: the probe, the mask per head, nn.MultiheadAttention(batch_first)
        probe = probe.repeat(hidden.shape[0], 1, 1)
        attn_mask = mask.repeat(1, 16, 1, 1).reshape(-1, 1, hidden.shape[1])
        query, key = (t.transpose(1, 0) for t in (probe, hidden))
        out = F.multi_head_attention_forward(query, key, key, 1152, 16, in_w, in_b, None, None, False, 0.0, out_w,
                                             out_b, training=False, attn_mask=attn_mask)[0].transpose(1, 0)
        return out, F.layer_norm(out, (1152,), ln_w, ln_b, 1e-6)

    # ------------------------------------------------------------------ Pixtral-12B's vision encoder
    def pixtral_rope(inv_freq, position_ids):  # PixtralRotaryEmbedding.forward: the 2-D table read per patch
        freqs = inv_freq[position_ids]
        return freqs.cos().to(dtype=bf), freqs.sin().to(dtype=bf)

    # ------------------------------------------------------------------ mamba_ssm's Mamba-1.4B reference path
    def mamba_in_proj(h, w):  # Mamba.forward: rearrange(W @ rearrange(h, "b l d -> d (b l)"), "d (b l) -> b d l")
        xz = w @ h.reshape(-1, h.shape[-1]).t()
        return xz.view(w.shape[0], h.shape[0], h.shape[1]).permute(1, 0, 2).chunk(2, dim=1)

    def mamba_x_dt(x, x_w, dt_w):  # x_proj over (b l) d, dt_proj.weight @ dt.t(), B and C made contiguous
        seqlen = x.shape[-1]
        x_dbl = linear(x.permute(0, 2, 1).reshape(-1, x.shape[1]), x_w)
        dt, B, C = torch.split(x_dbl, [128, 16, 16], dim=-1)
        dt = (dt_w @ dt.t()).view(dt_w.shape[0], -1, seqlen).permute(1, 0, 2)
        B = B.view(-1, seqlen, 16).permute(0, 2, 1).contiguous()
        C = C.view(-1, seqlen, 16).permute(0, 2, 1).contiguous()
        return dt, B, C

    def scan_discretise(u, delta, A, B, delta_bias):  # selective_scan_ref: the upcasts, softplus, dA and dB u
        u = u.float()
        delta = delta.float()
        delta = delta + delta_bias[..., None].float()
        delta = F.softplus(delta)
        B = B.float()
        deltaA = torch.exp(torch.einsum("bdl,dn->bdln", delta, A))
        deltaB_u = torch.einsum("bdl,bnl,bdl->bdln", delta, B, u)
        return deltaA, deltaB_u

    def scan_step(deltaA, deltaB_u, x, C):  # one step (i = 200) of selective_scan_ref's loop (C upcast before it)
        x = deltaA[:, :, 200] * x + deltaB_u[:, :, 200]
        return torch.einsum("bdn,bn->bd", x, C[:, :, 200])

    # ------------------------------------------------------------------ xLSTM-7B
    def mh_group_norm(h, w):  # the xlstm package's MultiHeadLayerNorm: a GroupNorm of one group a head
        B, NH, S, DH = h.shape
        gn_in = h.transpose(1, 2).reshape(B * S, NH * DH)
        out = F.group_norm(gn_in, num_groups=NH, weight=1.0 + w, bias=None, eps=1e-5)
        return out.view(B, S, NH, DH).transpose(1, 2)

    # ------------------------------------------------------------------ JetMoE-8B
    def jetmoe_router(h, w):  # JetMoeTopKGating.forward (expert_size.tolist() left out: a host sync)
        logits = linear(h, w).float()
        top_k_logits, top_k_indices = logits.topk(2, dim=1)
        top_k_gates = torch.softmax(top_k_logits, dim=1).type_as(h)
        zeros = torch.zeros([top_k_gates.size(0), 8], dtype=top_k_gates.dtype, device=top_k_gates.device)
        gates = zeros.scatter(1, top_k_indices, 1)
        expert_size = gates.long().sum(0)
        top_k_experts = top_k_indices.flatten()
        _, index_sorted_experts = top_k_experts.sort(0)
        batch_index = index_sorted_experts.div(2, rounding_mode="trunc")
        batch_gates = top_k_gates.flatten()[index_sorted_experts]
        return batch_index, batch_gates, expert_size

    def parallel_experts(inputs, weight, expert_size):  # JetMoeParallelExperts.forward
        input_list = inputs.split(expert_size, dim=0)
        return torch.cat([F.linear(input_list[k], weight[k]) for k in range(weight.shape[0])], dim=0)

    def jetmoe_moe(layer_input, batch_index, batch_gates, w_in, w_out, bias):  # JetMoeMoE.forward at decode
        sizes = [3, 3, 4, 2, 3, 4, 2, 3]
        expert_inputs = layer_input[batch_index]
        hidden_states = parallel_experts(expert_inputs, w_in, sizes)
        chunked = hidden_states.chunk(2, dim=-1)
        hidden_states = F.silu(chunked[0]) * chunked[1]
        expert_outputs = parallel_experts(hidden_states, w_out, sizes) * batch_gates[:, None]
        zeros = torch.zeros((layer_input.shape[0], 2048), dtype=expert_outputs.dtype, device=expert_outputs.device)
        return zeros.index_add(0, batch_index, expert_outputs) + bias

    # ------------------------------------------------------------------ Nemotron-4-15B
    def relu2_mlp(x, wu, wd):  # NemotronMLP: down_proj(relu(up_proj(x)) ** 2)
        return linear(torch.square(F.relu(linear(x, wu))), wd)

    # ------------------------------------------------------------------ Jais-13b
    def conv1d(x, w, b):  # GPT-2's Conv1D
        return torch.addmm(b, x.view(-1, x.size(-1)), w).view(*x.shape[:-1], w.shape[1])

    def jais_attn(qkv, causal, alibi):  # JAISAttention: split heads, scores over d (muP), causal where, ALiBi added
        query, key, value = (t.view(1, 640, 40, 128).permute(0, 2, 1, 3) for t in qkv.split(5120, dim=2))
        attn_weights = torch.matmul(query, key.transpose(-1, -2))
        attn_weights = attn_weights / torch.full([], value.size(-1) ** 1.0, dtype=attn_weights.dtype,
                                                 device=attn_weights.device)
        causal_mask = causal[:, :, 0:640, :640]
        mask_value = torch.full([], torch.finfo(attn_weights.dtype).min, dtype=attn_weights.dtype,
                                device=attn_weights.device)
        attn_weights = torch.where(causal_mask, attn_weights.to(attn_weights.dtype), mask_value)
        attn_weights += alibi.type_as(attn_weights).unsqueeze(0)
        attn_weights = F.softmax(attn_weights, dim=-1).type(value.dtype)
        return torch.matmul(attn_weights, value).permute(0, 2, 1, 3).contiguous().view(1, 640, 5120)

    # ------------------------------------------------------------------ GLM-4-9B (THUDM's modeling_chatglm)
    def glm_rope(x, rope_cache):  # apply_rotary_pos_emb: interleaved pairs over half of each head
        b, np_, sq = x.size(0), x.size(1), x.size(2)
        rot_dim = rope_cache.shape[-2] * 2
        x, x_pass = x[..., :rot_dim], x[..., rot_dim:]
        rope_cache = rope_cache[:, :sq]
        xshaped = x.reshape(b, np_, sq, rot_dim // 2, 2)
        rope_cache = rope_cache.view(-1, 1, sq, xshaped.size(3), 2)
        x_out2 = torch.stack([xshaped[..., 0] * rope_cache[..., 0] - xshaped[..., 1] * rope_cache[..., 1],
                              xshaped[..., 1] * rope_cache[..., 0] + xshaped[..., 0] * rope_cache[..., 1]], -1)
        return torch.cat((x_out2.flatten(3), x_pass), dim=-1)

    def glm_expand(kv):  # the KV groups expanded to 32 heads, made contiguous
        kv = kv.unsqueeze(2).expand(-1, -1, 16, -1, -1)
        return kv.contiguous().view(kv.size()[:1] + (32,) + kv.size()[3:])

    def glm_attn(q, k, v):  # CoreAttention (sdpa): causal, the context back to [b, sq, h]
        ctx = sdpa(q, glm_expand(k), glm_expand(v), is_causal=True)
        ctx = ctx.transpose(1, 2).contiguous()
        return ctx.reshape(*ctx.size()[:-2], 4096)

    def glm_mlp(x, w1, w2):  # MLP: dense_h_to_4h, swiglu by chunk, dense_4h_to_h
        h = torch.chunk(linear(x, w1), 2, dim=-1)
        return linear(F.silu(h[0]) * h[1], w2)

    def lora(x, w, b, a, bb):  # PEFT LoRA (rank 64, alpha 128) on a biased linear, dropout off
        return linear(x, w, b) + linear(linear(x, a), bb) * 2.0

    # ------------------------------------------------------------------ InternLM2.5-20B
    def internlm2_unpack(qkv):  # InternLM2Attention: "b q (h gs d) -> b q h gs d", 6 q heads a group
        b, q_len = qkv.shape[:2]
        qkv = qkv.view(b, q_len, 8, 8, 128)
        query = qkv[..., :6, :].reshape(b, q_len, 48, 128).transpose(1, 2)
        return query, qkv[..., -2, :].transpose(1, 2), qkv[..., -1, :].transpose(1, 2)

    # ------------------------------------------------------------------ serving code: SGLang, a paged KV pool
    def sglang_sample(probs, top_ks, top_ps, min_ps):  # top_k_top_p_min_p_sampling_from_probs_torch
        probs_sort, probs_idx = probs.sort(dim=-1, descending=True)
        probs_sum = torch.cumsum(probs_sort, dim=-1)
        probs_sort[(probs_sum - probs_sort) > top_ps.view(-1, 1)] = 0.0
        probs_sort[torch.arange(0, probs.shape[-1], device=probs.device).view(1, -1) >= top_ks.view(-1, 1)] = 0.0
        min_p_thresholds = probs_sort[:, 0] * min_ps
        probs_sort[probs_sort < min_p_thresholds.view(-1, 1)] = 0.0
        sampled_index = torch.multinomial(probs_sort, num_samples=1)
        probs_idx = probs_idx.to(torch.int32)
        return torch.gather(probs_idx, dim=1, index=sampled_index).view(-1)

    def kv_fork(pool, src, dst):  # a beam fork: the shared blocks copied to the new beam's (pool[dst] = pool[src])
        pool[dst] = pool[src]
        return pool

    def kv_gather(pool, block_table):  # a sequence's blocks gathered, its keys made contiguous [heads, tokens, dim]
        blocks = pool.index_select(0, block_table)
        return blocks[:, 0].permute(1, 0, 2, 3).reshape(8, -1, 128)

    # Gemma-3n-E4B (bf16: hidden 2048, 8 q heads over 2 KV heads of 256, 4 AltUp streams, 262400 tokens) over a
    # 1200-token prompt: SDPA through the 512-token sliding window; at decode (batch 8 over 3000 cached tokens): AltUp's
    # predict, the global layers' SDPA, the soft-capped lm_head (vLLM's logits processor over the sampled rows)
    T = 1200
    out = [("altup_predict", g3n_predict, (m(4, 8, 1, 2048), m(2048), scalar(), m(4, 2048), m(16, 4))),
           ("sdpa_sliding", sliding_sdpa, (m(1, 8, T, 256), m(1, 2, T, 256), m(1, 2, T, 256), m(1, 1, T, T, dt=b8))),
           ("sdpa_decode_gqa", lambda q, k, v: sdpa(q, k, v, scale=1.0, enable_gqa=True),
            (m(8, 8, 1, 256), m(8, 2, 3000, 256), m(8, 2, 3000, 256))),
           ("softcap_lm_head", softcap_head, (m(8, 2048), m(262400, 2048)))]
    # SigLIP-2 so400m-patch16-naflex (bf16: hidden 1152, 16 heads of 72, 4304 wide) over two images at
    # max_num_patches 1024 (the second padded): SDPA through the inverted padding mask, the attention-pooling head
    out += [("sdpa_padded", siglip2_attn, (m(2, 1024, 1152), m(1152, 1152), m(1152), m(1152, 1152), m(1152),
                                           m(1152, 1152), m(1152), m(2, 1, 1024, 1024))),
            ("map_head", map_head, (m(2, 1024, 1152), m(1, 1, 1152), m(2, 1, 1, 1024), m(3456, 1152), m(3456),
                                    m(1152, 1152), m(1152), m(1152), m(1152)))]
    # Pixtral-12B's vision encoder (bf16: hidden 1024, 16 heads of 64, 64 patches a side) over two images (1024 x 768
    # and 512 x 512: 3072 + 1024 patches): the rotary table (fp32), q, SDPA through generate_block_attention_mask's
    # additive block-diagonal mask; the LLaVA projector into the 5120-wide language model
    out += [("rope_2d", pixtral_rope, (m(4096, 64, dt=f32), i(4096))),
            ("q_proj", linear, (m(1, 4096, 1024), m(1024, 1024))),
            ("sdpa_block_mask", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a, scale=64 ** -0.5),
             (m(1, 16, 4096, 64), m(1, 16, 4096, 64), m(1, 16, 4096, 64), m(1, 1, 4096, 4096))),
            ("projector", lambda x, w1, b1, w2, b2: linear(F.gelu(linear(x, w1, b1)), w2, b2),
             (m(4096, 1024), m(5120, 1024), m(5120), m(5120, 5120), m(5120)))]
    # mamba_ssm's Mamba-1.4B (bf16 weights: d_model 2048, d_inner 4096, d_state 16, dt_rank 128; the scan in fp32)
    # over a 512-token prompt through the reference path (the short conv left out)
    L = 512
    out += [("in_proj", mamba_in_proj, (m(1, L, 2048), m(8192, 2048))),
            ("x_dt_proj", mamba_x_dt, (m(1, 4096, L), m(160, 4096), m(4096, 128))),
            ("scan_discretise", scan_discretise, (m(1, 4096, L), m(1, 4096, L), m(4096, 16, dt=f32), m(1, 16, L),
                                                  m(4096, dt=f32))),
            ("scan_step", scan_step, (m(1, 4096, L, 16, dt=f32), m(1, 4096, L, 16, dt=f32), m(1, 4096, 16, dt=f32),
                                      m(1, 16, L, dt=f32)))]
    # xLSTM-7B's widths (bf16: 8 heads with values of 512): the xlstm package's GroupNorm outnorm over a 768-token
    # prompt
    out += [("mh_group_norm", mh_group_norm, (m(1, 8, 768, 512), m(4096)))]
    # JetMoE-8B (bf16: hidden 2048, 8 experts of 5632, top-2) over a 1024-token prompt (the router) and at decode
    # (batch 12: 24 routed rows, split 3 / 3 / 4 / 2 / 3 / 4 / 2 / 3)
    out += [("router", jetmoe_router, (m(1024, 2048), m(8, 2048))),
            ("moe", jetmoe_moe, (m(12, 2048), i(24), m(24), m(8, 11264, 2048), m(8, 2048, 5632), m(2048)))]
    # Nemotron-4-15B (bf16: hidden 6144, 24576 wide) at decode (batch 8): the squared-ReLU MLP
    out += [("relu2_mlp", relu2_mlp, (m(8, 1, 6144), m(24576, 6144), m(6144, 24576)))]
    # Jais-13b (bf16: n_embd 5120, 40 heads of 128, 84992 tokens, 2048 positions) over a 640-token prompt: the scaled
    # embeddings, c_attn, eager attention with its ALiBi
    out += [("embedding_scaled", lambda ids, w: F.embedding(ids, w) * 14.6, (i(1, 640), m(84992, 5120))),
            ("c_attn", conv1d, (m(1, 640, 5120), m(5120, 15360), m(15360))),
            ("eager_alibi", jais_attn, (m(1, 640, 15360), m(1, 1, 2048, 2048, dt=b8), m(40, 640, 640)))]
    # GLM-4-9B (bf16: hidden 4096, 32 heads over 2 KV groups of 128, 13696 wide, 151552 tokens) over two 700-token
    # prompts: the fused qkv, rotary, causal SDPA, the MLP, LoRA on the qkv; the head at decode (batch 4, vLLM's
    # logits over the sampled rows)
    out += [("linear_bias", linear, (m(2, 700, 4096), m(4608, 4096), m(4608))),
            ("rope_pairs", glm_rope, (m(2, 32, 700, 128), m(2, 700, 32, 2))),
            ("sdpa_causal", glm_attn, (m(2, 32, 700, 128), m(2, 2, 700, 128), m(2, 2, 700, 128))),
            ("glm_mlp", glm_mlp, (m(2, 700, 4096), m(27392, 4096), m(4096, 13696))),
            ("lora", lora, (m(2, 700, 4096), m(4608, 4096), m(4608), m(64, 4096), m(4608, 64))),
            ("lm_head", linear, (m(4, 4096), m(151552, 4096)))]
    # InternLM2.5-20B (bf16: hidden 6144, 48 q heads over 8 KV heads of 128, 16384 wide, 92544 tokens) over a
    # 1500-token prompt: wqkv, its unpacking; at decode (batch 16, vLLM's logits over the sampled rows) the head
    out += [("wqkv", linear, (m(1, 1500, 6144), m(8192, 6144))),
            ("wqkv_unpack", internlm2_unpack, (m(1, 1500, 8192),)),
            ("lm_head", linear, (m(16, 6144), m(92544, 6144)))]
    # EXAONE-3.5-7.8B (bf16: hidden 4096, 32 q heads over 8 KV heads of 128, 102400 tokens) in vLLM over 4 beams of 2
    # prompts: the fused qkv_proj, the lm_head. Qwen2-Audio-7B (the audio encoder: Whisper-large-v3's 1280 wide, 5120
    # FFN; the language model 4096 wide) over two 30 s clips: the encoder's fc1 over 1500 frames each, the projector
    # of the 750 pooled ones
    out += [("qkv_proj", linear, (m(8, 4096), m(6144, 4096))),
            ("lm_head", linear, (m(8, 4096), m(102400, 4096))),
            ("fc1", linear, (m(2, 1500, 1280), m(5120, 1280), m(5120))),
            ("projector", linear, (m(2, 750, 1280), m(4096, 1280), m(4096)))]
    # serving code: SGLang's sampler over GLM-4's vocabulary (batch 16); a paged KV pool of 64-token blocks
    # (InternLM2.5-20B's 8 KV heads of 128, 2048 blocks): a beam fork of 6 blocks, a 3000-token sequence's 47 blocks
    # gathered
    out += [("multinomial", lambda p: torch.multinomial(p, num_samples=1), (m(16, 151552, dt=f32),)),
            ("sglang_sample", sglang_sample, (m(16, 151552, dt=f32), m(16, dt=i32), m(16, dt=f32), m(16, dt=f32))),
            ("kv_fork", kv_fork, (m(2048, 2, 8, 64, 128), i(6), i(6))),
            ("kv_gather", kv_gather, (m(2048, 2, 8, 64, 128), i(47)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK13, _check13()),))
