"""The aten sweep's eleventh blind real-code group: `realcode-check11`, everyday PyTorch inference and serving code.

Each case is one op or a short idiom as model and serving code writes it (projections with and without bias at
prefill and decode widths, lm heads of real vocabularies, attention by matmul and SDPA, norms by hand, activations,
softmax, MoE routing and expert dispatch, recurrent and retention steps, sampling and decoding, gathers and scatters,
masks, rotary tables and multiplies, casts, KV-cache eviction and quantisation, LoRA, weight dequantisation in plain
torch, layout copies), at the widths of models and the methods no earlier group uses: Mixtral-8x22B (the router's
fp32 softmax, top-2 renormalised, one-hot expert mask, an expert's rows, its SwiGLU and index_add back; eager GQA
decode through repeat_kv; the lm_head), Gemma-3-27B (the scaled embedding, the (1 + w) RMSNorm in fp32 by hand, the
per-head q norm on transposed heads, the sliding-window mask by tril and where, SDPA through it at
query_pre_attn_scalar; the 262208-token lm_head), Qwen2.5-72B (biased q / k projections, a decode down_proj, YaRN's
inverse frequencies by ramp and the rotary table by a K = 1 matmul, contrastive search's cosine ranking), Falcon-40B
(the two parallel LayerNorms, the fused qkv's [8, 18, 64] split with keys and values broadcast, causal SDPA, the decode
MLP and lm_head), MiniCPM3-4B (multi-head latent attention in plain torch: the q and kv LoRA projections, RMSNorm by
hand on a split, q and k assembled into new_empty buffers, eager attention, the depth-scaled residual, logits over
hidden / 10), RecurrentGemma-2B (the RG-LRU's gates by baddbmm over 10 blocks, softplus decay, the sqrt(1 - a^2)
normaliser, the decode scan in fp32, the conv state by cat, partial rotary, local MQA, soft-capped logits),
RWKV-6-World-7B (ddlerp's token shift and LoRA mixes by bmm, the data-dependent decay, the plain-torch wkv step, the
GroupNorm'd output, the squared-ReLU channel mix), RetNet (torchscale's retnet_xl: the decay mask, theta_shift on
interleaved pairs, parallel retention normalised by its row sums, the recurrent step), Zamba2-2.7B (the shared block
fed the original embeddings, heads of 160, the MLP's rank-128 adapter), Granite-3.0-3B-A800M (top-8 of 40 gating by
scatter and sort, ParallelExperts' split F.linear, the muP multipliers, logits / 6), PixArt-Sigma (adaLN-single
modulation, heads of 72, cross-attention to 300 T5 tokens through a repeated -10000 mask, the 32-wide proj_out and
unpatchify), LLaVA-NeXT's anyres packing (the 2x2 grid permuted, unpadded, the newline column, masked_scatter into the
prompt), Idefics2-8B's perceiver resampler (latents joined to 4900 patch tokens, 4 KV heads of 96), RT-DETR's query
selection and post-processing (top-300 of 8400 anchors, boxes gathered), EnCodec's residual vector quantiser (Bark's
codec: distances by matmul, argmax, codebook embedding), vLLM's rejection sampler (accepted tokens and recovered
probabilities), transformers' typical-p and epsilon warpers, beam search's length penalty and merge, QLoRA's NF4
dequantisation with double-quantised absmax, AutoAWQ's dequantize_gemm, SmoothQuant's per-token fake quantisation,
vLLM's fp8 KV cache through a uint8 view, H2O's heavy-hitter eviction, StreamingLLM's sink-and-window cache, Quest's
page scoring and PEFT's mixed-adapter batch, at inference batches and token counts. The group is never fitted: it is
traced on the meta device, timed on the GPU and only scored. The builder (hetsim.calibration.gpu_suite.aten_cases)
takes it after every other group and drops any case equal to one of theirs, so it stays blind to what the earlier
groups fitted.
"""

from __future__ import annotations

import math

REALCODE_CHECK11 = "realcode-check11"


def _check11():
    import torch
    import torch.nn.functional as F

    bf, f16, f32, b8 = torch.bfloat16, torch.float16, torch.float32, torch.bool
    i32, u8, fp8 = torch.int32, torch.uint8, torch.float8_e4m3fn
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, i = _meta_makers()

    linear = _layer_makers(1e-5)[0]

    def rotate_half(x):
        x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
        return torch.cat((-x2, x1), dim=-1)

    def repeat_kv(x, n):  # transformers' repeat_kv
        b, h, s, d = x.shape
        return x[:, :, None, :, :].expand(b, h, n, s, d).reshape(b, h * n, s, d)

    def eager_attention(q, k, v, scaling, n_rep):  # transformers' eager_attention_forward (no mask at decode)
        k, v = repeat_kv(k, n_rep), repeat_kv(v, n_rep)
        w = torch.matmul(q, k.transpose(2, 3)) * scaling
        w = F.softmax(w, dim=-1, dtype=f32).to(q.dtype)
        return torch.matmul(w, v).transpose(1, 2).contiguous()

    # ---- Mixtral-8x22B (bf16: hidden 6144, 48 q heads over 8 KV heads of 128, 8 experts, top-2, 16384 wide)
    def mixtral_route(router_logits):  # MixtralSparseMoeBlock: fp32 softmax, top-2 renormalised, the expert mask
        routing_weights = F.softmax(router_logits, dim=1, dtype=torch.float)
        routing_weights, selected_experts = torch.topk(routing_weights, 2, dim=-1)
        routing_weights /= routing_weights.sum(dim=-1, keepdim=True)
        expert_mask = F.one_hot(selected_experts, num_classes=8).permute(2, 1, 0)
        return routing_weights.to(bf), expert_mask

    def mixtral_expert(h, top_x, idx, rw, w1, w3, w2):  # one expert over its rows, weighted and added back
        current_state = h[None, top_x].reshape(-1, 6144)
        current = linear(F.silu(linear(current_state, w1)) * linear(current_state, w3), w2) * rw[top_x, idx, None]
        return torch.zeros_like(h).index_add_(0, top_x, current.to(h.dtype))

    # ---- Gemma-3-27B (bf16: hidden 5376, 32 q heads over 16 KV heads of 128, 21504 wide, 262208 tokens)
    def gemma_rms(x, w):  # Gemma3RMSNorm: fp32, times (1 + w)
        out = x.float()
        out = out * torch.rsqrt(out.pow(2).mean(-1, keepdim=True) + 1e-6)
        out = out * (1.0 + w.float())
        return out.type_as(x)

    def sliding_mask(mask):  # Gemma3DecoderLayer (sdpa): the causal mask cut to the 1024-token window
        min_dtype = torch.finfo(mask.dtype).min
        sliding_window_mask = torch.tril(torch.ones_like(mask, dtype=torch.bool), diagonal=-1024)
        return torch.where(sliding_window_mask, min_dtype, mask)

    # ---- Qwen2.5-72B (bf16: hidden 8192, 64 q heads over 8 KV heads of 128, 29568 wide, YaRN factor 4)
    def yarn_inv_freq():  # transformers' _compute_yarn_parameters (base 1e6, dim 128, factor 4, 32768 original)
        dim, base, factor, orig = 128, 1000000.0, 4.0, 32768

        def correction_dim(rot):
            return (dim * math.log(orig / (rot * 2 * math.pi))) / (2 * math.log(base))

        low, high = max(math.floor(correction_dim(32)), 0), min(math.ceil(correction_dim(1)), dim - 1)
        pos_freqs = base ** (torch.arange(0, dim, 2).to(dtype=torch.float) / dim)
        inv_freq_extrapolation = 1.0 / pos_freqs
        inv_freq_interpolation = 1.0 / (factor * pos_freqs)
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32) - low) / (high - low), 0, 1)
        inv_freq_extrapolation_factor = 1 - ramp
        return (inv_freq_interpolation * (1 - inv_freq_extrapolation_factor)
                + inv_freq_extrapolation * inv_freq_extrapolation_factor)

    def rotary_table(inv_freq, position_ids):  # Qwen2RotaryEmbedding.forward, YaRN's attention_scaling
        inv_freq_expanded = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
        position_ids_expanded = position_ids[:, None, :].float()
        freqs = (inv_freq_expanded.float() @ position_ids_expanded.float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        scaling = 0.1 * math.log(4.0) + 1.0
        return (emb.cos() * scaling).to(bf), (emb.sin() * scaling).to(bf)

    def ranking_fast(last_hidden, next_hidden, next_top_k_probs, mask):  # contrastive search, top_k 6, alpha 0.6
        context_hidden = last_hidden.repeat_interleave(6, dim=0)
        norm_context_hidden = context_hidden / context_hidden.norm(dim=2, keepdim=True)
        norm_next_hidden = next_hidden / next_hidden.norm(dim=2, keepdim=True)
        cosine_matrix = torch.matmul(norm_context_hidden, norm_next_hidden.transpose(1, 2)).squeeze(-1)
        mask = mask.to(dtype=cosine_matrix.dtype)
        mask = (1 - mask) * torch.finfo(cosine_matrix.dtype).min
        cosine_matrix = cosine_matrix + mask
        degeneration_penalty, _ = torch.max(cosine_matrix, dim=-1)
        next_top_k_probs = next_top_k_probs.view(-1)
        contrastive_score = (1.0 - 0.6) * next_top_k_probs - 0.6 * degeneration_penalty
        contrastive_score = torch.stack(torch.split(contrastive_score, 6))
        return contrastive_score.max(dim=-1)

    # ---- Falcon-40B (bf16: hidden 8192, 128 q heads of 64 in 8 groups, new_decoder_architecture)
    def falcon_split_heads(fused_qkv):  # FalconAttention._split_heads, then the heads moved before the tokens
        batch, seq_len, _ = fused_qkv.shape
        qkv = fused_qkv.view(batch, seq_len, -1, 128 // 8 + 2, 64)
        query = qkv[:, :, :, :-2]
        key = qkv[:, :, :, [-2]]
        value = qkv[:, :, :, [-1]]
        key = torch.broadcast_to(key, query.shape)
        value = torch.broadcast_to(value, query.shape)
        query, key, value = [x.flatten(2, 3) for x in (query, key, value)]
        return [x.transpose(1, 2).reshape(batch, 128, seq_len, 64) for x in (query, key, value)]

    # ---- MiniCPM3-4B (bf16: hidden 2560, 40 heads, q rank 768, kv rank 256, nope 64 + rope 32, values of 64)
    def minicpm_rms(hidden, weight):  # MiniCPM3's rms_layernorm
        old_dtype = hidden.dtype
        variance = hidden.to(torch.float32).pow(2).mean(dim=-1, keepdim=True)
        hidden = (hidden * torch.rsqrt(variance + 1e-5)).to(old_dtype)
        return hidden * weight

    def minicpm_kv(h, wa, na, wb):  # kv_a_proj_with_mqa, the split, kv_a_layernorm, kv_b_proj, the head split
        compressed_kv = linear(h, wa)
        compressed_kv, k_pe = torch.split(compressed_kv, [256, 32], dim=-1)
        k_pe = k_pe.view(1, 613, 1, 32).transpose(1, 2)
        kv = linear(minicpm_rms(compressed_kv, na), wb).view(1, 613, 40, 128).transpose(1, 2)
        k_nope, value_states = torch.split(kv, [64, 64], dim=-1)
        return k_nope, k_pe, value_states

    def minicpm_qk(q, k_nope, k_pe, cos, sin, pos):  # rope on the 32-wide parts, q and k assembled
        q = q.view(1, 613, 40, 96).transpose(1, 2)
        q_nope, q_pe = torch.split(q, [64, 32], dim=-1)
        cos, sin = cos[pos].unsqueeze(1), sin[pos].unsqueeze(1)
        q_pe = (q_pe * cos) + (rotate_half(q_pe) * sin)
        k_pe = (k_pe * cos) + (rotate_half(k_pe) * sin)
        query_states = k_pe.new_empty(1, 40, 613, 96)
        query_states[:, :, :, :64] = q_nope
        query_states[:, :, :, 64:] = q_pe
        key_states = k_pe.new_empty(1, 40, 613, 96)
        key_states[:, :, :, :64] = k_nope
        key_states[:, :, :, 64:] = k_pe
        return query_states, key_states

    def minicpm_attention(q, k, v, causal_mask):  # eager: scores, the causal mask, fp32 softmax, values
        attn_weights = torch.matmul(q, k.transpose(2, 3)) * (96 ** -0.5)
        attn_weights = attn_weights + causal_mask
        attn_weights = F.softmax(attn_weights, dim=-1, dtype=torch.float32).to(q.dtype)
        return torch.matmul(attn_weights, v).transpose(1, 2).contiguous().reshape(1, 613, 2560)

    # ---- RecurrentGemma-2B (bf16: width 2560 in 10 blocks of 256, conv width 4, local MQA of 10 heads of 256)
    def rglru_gates(activations, position_ids, wx, bx, wa, ba, param):  # RecurrentGemmaRglru.forward to the scan
        batch_size, seq_len, lru_width = activations.shape
        reset = position_ids[:, :, None] == 0
        reshape_act = activations.reshape(batch_size * seq_len, 10, 256).permute(1, 0, 2)
        res = torch.baddbmm(bx[:, None, :], reshape_act, wx)
        input_gate = torch.sigmoid(res.transpose(0, 1).reshape(batch_size, seq_len, lru_width))
        res = torch.baddbmm(ba[:, None, :], reshape_act, wa)
        recurrent_gate = torch.sigmoid(res.transpose(0, 1).reshape(batch_size, seq_len, lru_width))
        log_recurrent_gate = -8.0 * recurrent_gate * F.softplus(param)
        recurrent_gate = torch.exp(log_recurrent_gate)
        a_square = torch.exp(2 * log_recurrent_gate)
        gated_inputs = activations * input_gate
        multiplier = torch.sqrt(1 - a_square)
        multiplier = reset + ~reset * multiplier
        return gated_inputs * multiplier.type(activations.dtype), recurrent_gate

    def rglru_scan_step(x, a, state):  # _rnn_scan in sampling mode: one step, accumulated in fp32
        contextualized_states = a.type(f32) * state[:, None]
        contextualized_states += x.type(f32)
        return contextualized_states.type(x.dtype), contextualized_states[:, -1]

    def conv_by_cat(conv1d_state, x_branch, w, b):  # RecurrentGemmaRecurrentBlock at decode: the conv by hand
        conv_state = torch.cat((conv1d_state, x_branch.transpose(1, 2)), -1)
        x_branch = torch.sum(conv_state * w[:, 0, :], dim=-1) + b
        return x_branch.unsqueeze(-1), conv_state[:, :, 1:]

    def partial_rope(q, k, cos, sin):  # RecurrentGemmaSdpaAttention: rotary on the first half of each head
        query_rot, query_pass = torch.chunk(q, 2, dim=-1)
        key_rot, key_pass = torch.chunk(k, 2, dim=-1)
        query_rot = (query_rot * cos) + (rotate_half(query_rot) * sin)
        key_rot = (key_rot * cos) + (rotate_half(key_rot) * sin)
        return torch.cat((query_rot, query_pass), dim=-1), torch.cat((key_rot, key_pass), dim=-1)

    # ---- RWKV-6-World-7B (bf16: width 4096, 64 heads of 64, mix LoRA 32 x 5, decay LoRA 64)
    def rwkv6_mix(hidden, maa_x, w1, w2, maa_w, maa_k, dw1, dw2, decay):  # RWKV6Attention.extract_key_value
        batch, seq_len, _ = hidden.shape
        shifted = F.pad(hidden, (0, 0, 1, -1))  # nn.ZeroPad2d((0, 0, 1, -1))
        x = hidden
        xx = shifted - x
        xxx = x + xx * maa_x
        xxx = torch.tanh(xxx @ w1).view(batch * seq_len, 5, -1).transpose(0, 1)
        xxx = torch.bmm(xxx, w2).view(5, batch, seq_len, -1)
        mw, mk, mv, mr, mg = xxx.unbind(dim=0)
        time_decay = x + xx * (maa_w + mw)
        key = x + xx * (maa_k + mk)
        time_decay = torch.tanh(time_decay @ dw1) @ dw2
        return key, decay + time_decay

    def rwkv6_wkv_step(receptance, key, value, time_decay, time_first, state):  # rwkv6_linear_attention_cpu, T = 1
        batch = receptance.shape[0]
        key = key.float().view(batch, 1, 64, 64).transpose(1, 2).transpose(-2, -1)
        value = value.float().view(batch, 1, 64, 64).transpose(1, 2)
        receptance = receptance.float().view(batch, 1, 64, 64).transpose(1, 2)
        time_decay = torch.exp(-torch.exp(time_decay.float())).view(batch, 1, 64, 64).permute(0, 2, 3, 1)
        time_first = time_first.float().reshape(-1, 1, 1).reshape(64, -1, 1)
        attention_output = key @ value
        out = (receptance @ (time_first * attention_output + state)).squeeze(2)
        state = attention_output + time_decay * state
        return out, state

    def rwkv6_channel_mix(hidden, maa_k, wk, wv):  # RWKV6FeedForward without the receptance
        shifted = F.pad(hidden, (0, 0, 1, -1))
        key = hidden + (shifted - hidden) * maa_k
        return linear(torch.square(torch.relu(linear(key, wk))), wv)

    # ---- RetNet, torchscale's retnet_xl (fp16: width 2048, 8 heads, keys of 256, values of 432)
    def retnet_decay_mask(decay):  # RetNetRelPos.forward, parallel: the decay mask normalised by its row sums
        index = torch.arange(1500).to(decay)
        mask = torch.tril(torch.ones(1500, 1500).to(decay))
        mask = torch.masked_fill(index[:, None] - index[None, :], ~mask.bool(), float("inf"))
        mask = torch.exp(mask * decay[:, None, None])
        mask = torch.nan_to_num(mask)
        return mask / mask.sum(dim=-1, keepdim=True).sqrt()

    def theta_shift(x, sin, cos):  # torchscale's rotate_every_two
        x1, x2 = x[:, :, :, ::2], x[:, :, :, 1::2]
        return (x * cos) + (torch.stack((-x2, x1), dim=-1).flatten(-2) * sin)

    def parallel_retention(qr, kr, v, mask):  # MultiScaleRetention.parallel_forward
        bsz, tgt_len, _ = v.size()
        vr = v.view(bsz, tgt_len, 8, 432).transpose(1, 2)
        qk_mat = qr @ kr.transpose(-1, -2)
        qk_mat = qk_mat * mask
        qk_mat = qk_mat / qk_mat.detach().abs().sum(dim=-1, keepdim=True).clamp(min=1, max=5e4)
        return torch.matmul(qk_mat, vr).transpose(1, 2)

    def retention_out(output, g):  # the heads' RMSNorm (no affine, fp32), the swish gate
        normed = output.float()
        normed = (normed * torch.rsqrt(normed.pow(2).mean(-1, keepdim=True) + 1e-6)).type_as(output)
        return F.silu(g) * normed.reshape(2, 1500, 3456)

    def recurrent_retention(qr, kr, v, prev_kv, prev_scale, decay):  # MultiScaleRetention.recurrent_forward
        v = v.view(16, 8, 432, 1)
        kv = kr * v
        scale = prev_scale * decay + 1
        kv = (prev_kv * (prev_scale.sqrt() * decay / scale.sqrt()).view(8, 1, 1)
              + kv / scale.sqrt().view(8, 1, 1))
        return torch.sum(qr * kv, dim=3)

    # ---- Zamba2-2.7B (bf16: width 2560; the shared block over 5120, 32 heads of 160, 10240 wide, adapter rank 128)
    def zamba_rms(h, w):  # Zamba2RMSNorm
        input_dtype = h.dtype
        h = h.to(torch.float32)
        variance = h.pow(2).mean(-1, keepdim=True)
        h = h * torch.rsqrt(variance + 1e-5)
        return w * h.to(input_dtype)

    def zamba_mlp(h, wgu, a1, a2, wd):  # Zamba2MLP with its per-invocation adapter
        gate_up_state = linear(h, wgu)
        gate_up_state = gate_up_state + linear(linear(h, a1), a2)
        gate_up_state = torch.chunk(gate_up_state, 2, dim=-1)
        return linear(F.gelu(gate_up_state[0]) * gate_up_state[1], wd)

    # ---- Granite-3.0-3B-A800M (bf16: width 1536, 40 experts of 512, top-8)
    def granite_gating(hidden, w):  # GraniteMoeTopKGating, up to expert_size.tolist()
        logits = linear(hidden, w).float()
        top_k_logits, top_k_indices = logits.topk(8, dim=1)
        top_k_gates = torch.softmax(top_k_logits, dim=1).type_as(hidden)
        zeros = torch.zeros([top_k_gates.size(0), 40], dtype=top_k_gates.dtype, device=top_k_gates.device)
        gates = zeros.scatter(1, top_k_indices, 1)
        expert_size = gates.long().sum(0)
        top_k_experts = top_k_indices.flatten()
        _, index_sorted_experts = top_k_experts.sort(0)
        batch_index = index_sorted_experts.div(8, rounding_mode="trunc")
        batch_gates = top_k_gates.flatten()[index_sorted_experts]
        return expert_size, batch_index, batch_gates

    sizes = [187, 213] * 20  # expert_size.tolist(): 8000 assignments over the 40 experts

    def parallel_experts(inputs, weight):  # GraniteMoeParallelExperts.forward
        input_list = inputs.split(sizes, dim=0)
        return torch.cat([F.linear(input_list[e], weight[e]) for e in range(40)], dim=0)

    def granite_combine(layer_input, batch_index, batch_gates, w_in, w_out):  # GraniteMoeMoE.forward after gating
        expert_inputs = layer_input[batch_index]
        hidden_states = parallel_experts(expert_inputs, w_in)
        chunked_hidden_states = hidden_states.chunk(2, dim=-1)
        hidden_states = F.silu(chunked_hidden_states[0]) * chunked_hidden_states[1]
        expert_outputs = parallel_experts(hidden_states, w_out) * batch_gates[:, None]
        zeros = torch.zeros((1000, 1536), dtype=expert_outputs.dtype, device=expert_outputs.device)
        return zeros.index_add(0, batch_index, expert_outputs)

    # ---- PixArt-Sigma-XL-2-1024 (fp16: width 1152, 16 heads of 72, 4096 latent tokens, 300 T5 tokens, CFG batch 2)
    def adaln_single(scale_shift_table, timestep, hidden, gate_src):  # PixArtAlphaTransformer2DModel's block
        shift_msa, scale_msa, gate_msa, _, _, _ = (scale_shift_table[None] + timestep.reshape(2, 6, -1)).chunk(6, dim=1)
        norm_hidden_states = F.layer_norm(hidden, (1152,), None, None, 1e-6)
        norm_hidden_states = norm_hidden_states * (1 + scale_msa) + shift_msa
        return norm_hidden_states, gate_msa * gate_src + hidden

    def cross_attention(q, k, v, encoder_attention_mask):  # the T5 mask as diffusers' AttnProcessor2_0 prepares it
        encoder_attention_mask = (1 - encoder_attention_mask.to(f16)) * -10000.0
        attention_mask = encoder_attention_mask.unsqueeze(1).repeat_interleave(16, dim=0)
        attention_mask = attention_mask.view(2, 16, -1, attention_mask.shape[-1])
        q, k, v = (t.view(2, -1, 16, 72).transpose(1, 2) for t in (q, k, v))
        return sdpa(q, k, v, attn_mask=attention_mask).transpose(1, 2).reshape(2, -1, 1152)

    def pixart_out(hidden, scale_shift_table, embedded_timestep, w, b):  # norm_out, modulation, proj_out, unpatchify
        shift, scale = (scale_shift_table[None] + embedded_timestep[:, None]).chunk(2, dim=1)
        hidden = F.layer_norm(hidden, (1152,), None, None, 1e-6)
        hidden = linear(hidden * (1 + scale) + shift, w, b)
        hidden = hidden.reshape(shape=(-1, 64, 64, 2, 2, 8))
        hidden = torch.einsum("nhwpqc->nchpwq", hidden)
        return hidden.reshape(shape=(-1, 8, 128, 128))

    # ---- LLaVA-NeXT (llava-v1.6-mistral-7b, fp16): a 900x600 image on a 2x2 grid of 336 tiles, 24x24 features
    def pack_anyres(image_feature, image_newline):  # LlavaNextModel.pack_image_features, one image
        base_image_feature = image_feature[0]
        image_feature = image_feature[1:]
        image_feature = image_feature.view(2, 2, 24, 24, -1)
        image_feature = image_feature.permute(4, 0, 2, 1, 3).contiguous()
        image_feature = image_feature.flatten(1, 2).flatten(2, 3)
        image_feature = image_feature[:, 8:48 - 8, :]  # unpad_image: 600 / 900 of 48 rows
        image_feature = torch.cat((image_feature, image_newline[:, None, None].expand(
            *image_feature.shape[:-1], 1).to(image_feature.dtype)), dim=-1)
        image_feature = image_feature.flatten(1, 2).transpose(0, 1)
        return torch.cat((base_image_feature, image_feature), dim=0)

    def merge_image(input_ids, inputs_embeds, image_features):  # the image tokens' embeddings replaced
        special_image_mask = (input_ids == 32000).unsqueeze(-1).expand_as(inputs_embeds)
        return inputs_embeds.masked_scatter(special_image_mask, image_features)

    # ---- Idefics2-8B's perceiver resampler (bf16: 64 latents, 16 heads of 96 over 4 KV heads, 2 images of 4900)
    def perceiver_attention(latents, context, wq, wk, wv):  # Idefics2PerceiverAttention (eager)
        hidden_states = torch.concat([context, latents], dim=-2)
        q = linear(latents, wq).view(2, 64, 16, 96).transpose(1, 2)
        k = linear(hidden_states, wk).view(2, 4964, 4, 96).transpose(1, 2)
        v = linear(hidden_states, wv).view(2, 4964, 4, 96).transpose(1, 2)
        k, v = repeat_kv(k, 4), repeat_kv(v, 4)
        attn_weights = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(96)
        attn_weights = F.softmax(attn_weights, dim=-1, dtype=torch.float32).to(q.dtype)
        return torch.matmul(attn_weights, v).transpose(1, 2).reshape(2, 64, 1536)

    # ---- RT-DETR-R50 (fp32: 8400 anchors at 640x640, 300 queries, 80 classes), batch 16
    def rtdetr_select(output_memory, enc_outputs_class, enc_outputs_coord_logits):  # the decoder's query selection
        topk_ind = torch.topk(enc_outputs_class.max(-1).values, 300, dim=1).indices
        reference_points_unact = enc_outputs_coord_logits.gather(dim=1, index=topk_ind.unsqueeze(-1).repeat(1, 1, 4))
        target = output_memory.gather(dim=1, index=topk_ind.unsqueeze(-1).repeat(1, 1, 256))
        return reference_points_unact.sigmoid(), target.detach()

    def rtdetr_post(out_logits, out_bbox, target_sizes):  # RTDetrImageProcessor.post_process_object_detection
        x_c, y_c, w, h = out_bbox.unbind(-1)
        boxes = torch.stack([(x_c - 0.5 * w), (y_c - 0.5 * h), (x_c + 0.5 * w), (y_c + 0.5 * h)], dim=-1)
        img_h, img_w = target_sizes.unbind(1)
        scale_fct = torch.stack([img_w, img_h, img_w, img_h], dim=1)
        boxes = boxes * scale_fct[:, None, :]
        scores = torch.sigmoid(out_logits)
        scores, index = torch.topk(scores.flatten(1), 300, dim=-1)
        labels = index % 80
        index = index // 80
        boxes = boxes.gather(dim=1, index=index.unsqueeze(-1).repeat(1, 1, boxes.shape[-1]))
        return scores, labels, boxes

    # ---- EnCodec 24 kHz (Bark's codec: codebooks of 1024 x 128), 4 clips of 10 s (750 frames each), fp32
    def rvq_layer(residual, embed):  # EncodecVectorQuantization.encode / decode, one residual step
        hidden_states = residual.permute(0, 2, 1)
        shape = hidden_states.shape
        hidden_states = hidden_states.reshape((-1, shape[-1]))
        e = embed.t()
        scaled_states = hidden_states.pow(2).sum(1, keepdim=True)
        dist = -(scaled_states - 2 * hidden_states @ e + e.pow(2).sum(0, keepdim=True))
        embed_ind = dist.max(dim=-1).indices.view(*shape[:-1])
        quantized = F.embedding(embed_ind, embed).permute(0, 2, 1)
        return embed_ind, residual - quantized

    # ---- vLLM's rejection sampler (fp32): Mistral-7B-v0.3 drafting 5 tokens for Mixtral-8x22B, batch 16
    def get_accepted(target_probs, draft_probs, draft_token_ids, uniform_rand):  # RejectionSampler._get_accepted
        batch_size, k, _ = draft_probs.shape
        batch_indices = torch.arange(batch_size, device=target_probs.device)[:, None]
        probs_indicies = torch.arange(k, device=target_probs.device)
        selected_draft_probs = draft_probs[batch_indices, probs_indicies, draft_token_ids]
        selected_target_probs = target_probs[batch_indices, probs_indicies, draft_token_ids]
        capped_ratio = torch.minimum(selected_target_probs / selected_draft_probs,
                                     torch.full((1,), 1, device=target_probs.device))
        return uniform_rand < capped_ratio

    def recovered_probs(target_probs, draft_probs):  # RejectionSampler._get_recovered_probs
        difference = target_probs - draft_probs
        f = torch.clamp(difference, min=1.1754943508222875e-38)
        return f / torch.sum(f, dim=-1).reshape(-1, 5, 1)

    def create_output(accepted, substitute_token_ids, draft_token_ids, bonus_token_ids):  # _create_output
        limits = (accepted == 0).max(1).indices
        limits = torch.where((accepted == 0).any(1), limits, 5)
        indices = torch.arange(5, device=accepted.device).unsqueeze(0)
        accepted_mask = indices < limits.unsqueeze(1)
        after_false_mask = indices == limits.unsqueeze(1)
        output_with_bonus_tokens = -torch.ones((16, 6), dtype=torch.long, device=accepted.device)
        output = output_with_bonus_tokens[:, :5]
        output[:, :5] = torch.where(accepted_mask, draft_token_ids, -torch.ones_like(draft_token_ids))
        output_with_bonus_tokens[:, -1] = torch.where(output[:, -1] != -1, bonus_token_ids.squeeze(-1), -1)
        output.mul_(~after_false_mask).add_(substitute_token_ids.mul(after_false_mask))
        return output_with_bonus_tokens

    # ---- transformers' logits warpers (fp32)
    def typical_p(scores):  # TypicalLogitsWarper, mass 0.95
        normalized = F.log_softmax(scores, dim=-1)
        p = torch.exp(normalized)
        ent = -(normalized * p).nansum(-1, keepdim=True)
        shifted_scores = torch.abs((-normalized) - ent)
        sorted_scores, sorted_indices = torch.sort(shifted_scores, descending=False)
        sorted_logits = scores.gather(-1, sorted_indices)
        cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        last_ind = (cumulative_probs < 0.95).sum(dim=1)
        last_ind.clamp_(max=sorted_scores.shape[-1] - 1)
        sorted_indices_to_remove = sorted_scores > sorted_scores.gather(1, last_ind.view(-1, 1))
        sorted_indices_to_remove[..., :1] = 0
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        return scores.masked_fill(indices_to_remove, -float("inf"))

    def epsilon(scores):  # EpsilonLogitsWarper, epsilon 3e-4
        probabilities = scores.softmax(dim=-1)
        indices_to_remove = probabilities < 3e-4
        indices_to_remove = indices_to_remove & (scores < torch.topk(scores, 1)[0][..., -1, None])
        return scores.masked_fill(indices_to_remove, -float("inf"))

    def finished_beams(sequences, topk_running_sequences, beam_scores, topk_log_probs, beam_indices,
                       topk_running_beam_indices, is_sent_finished, hits_stop):  # _update_finished_beams
        top_num_beam_mask = torch.cat((torch.ones((8,), dtype=torch.bool), torch.zeros((8,), dtype=torch.bool)))
        did_top_num_beams_just_finished = hits_stop & top_num_beam_mask[None, :]
        topk_log_probs = topk_log_probs / ((57 + 1 - 1) ** 0.6)
        beams_in_batch_are_full = torch.all(is_sent_finished, axis=-1, keepdims=True) & True
        topk_log_probs += beams_in_batch_are_full.to(torch.float32) * -1.0e9
        topk_log_probs += (~did_top_num_beams_just_finished) * -1.0e9
        merged = (torch.cat((sequences, topk_running_sequences), dim=1), torch.cat((beam_scores, topk_log_probs), dim=1),
                  torch.cat((beam_indices, topk_running_beam_indices), dim=1),
                  torch.cat((is_sent_finished, did_top_num_beams_just_finished), dim=1))
        topk_merged_indices = torch.topk(merged[1], k=8)[1]
        out = []
        for t in merged:  # _gather_beams
            idx = topk_merged_indices
            while len(idx.shape) < len(t.shape):
                idx = idx.unsqueeze(-1)
            out.append(torch.take_along_dim(input=t, indices=idx, dim=1))
        return out

    # ---- weights dequantised in plain torch
    def nf4_dequant(a, absmax_q, code2, absmax2, offset, code):  # bitsandbytes' default dequantize_4bit, nested absmax
        absmax = code2[absmax_q.reshape(-1).int()]
        absmax = (absmax.view(-1, 256) * absmax2.view(-1, 1)).to(f32).view(-1) + offset
        a = a.reshape(-1)
        out_dq = torch.empty(a.size(0) * 2, dtype=torch.int32, device=a.device)
        out_dq[1::2] = a & 0xF
        out_dq[::2] = a >> 4
        out_dq = code.to(bf)[out_dq]
        out = out_dq.view(-1, 64) * absmax.view(-1, 1)
        return out.reshape(-1, 5376).to(bf)

    def awq_dequant(qweight, qzeros, scales):  # AutoAWQ's packing_utils.dequantize_gemm, 4 bits, groups of 128
        shifts = torch.arange(0, 32, 4, device=qzeros.device)
        iweights = torch.bitwise_right_shift(qweight[:, :, None], shifts[None, None, :]).to(torch.int8)
        iweights = iweights.view(iweights.shape[0], -1)
        izeros = torch.bitwise_right_shift(qzeros[:, :, None], shifts[None, None, :]).to(torch.int8)
        izeros = izeros.view(izeros.shape[0], -1)
        reverse_order_tensor = torch.arange(iweights.shape[-1], dtype=torch.int32, device=izeros.device)
        reverse_order_tensor = reverse_order_tensor.view(-1, 8)[:, [0, 4, 1, 5, 2, 6, 3, 7]].view(-1)
        izeros = izeros[:, reverse_order_tensor]
        iweights = iweights[:, reverse_order_tensor]
        iweight = torch.bitwise_and(iweights, 15)
        izeros = torch.bitwise_and(izeros, 15)
        scales = scales.repeat_interleave(128, dim=0)
        izeros = izeros.repeat_interleave(128, dim=0)
        return (iweight - izeros) * scales

    def smoothquant_per_token(t):  # SmoothQuant's quantize_activation_per_token_absmax (8 bits)
        scales = t.abs().max(dim=-1, keepdim=True)[0]
        scales.clamp_(min=1e-5).div_(127)
        return t.div_(scales).round_().mul_(scales)

    # ---- KV caches
    def h2o_evict(hh_score, attn_score_cache, k):  # H2O's _update_hh_score, then the heavy hitters and recent kept
        attn_score_cache = attn_score_cache.sum(0).sum(1)
        attn_score_cache[:, :-1] += hh_score
        hh_score = attn_score_cache
        _, keep_topk = torch.topk(hh_score[:, :4001 - 400], 400, dim=-1)
        keep_topk = keep_topk.sort().values
        keep_recent = torch.arange(4001 - 400, 4001, device=keep_topk.device).repeat(keep_topk.shape[0], 1)
        keep_idx = torch.cat([keep_topk, keep_recent], dim=-1)
        # the source's past_key_values[0].squeeze()[mask], which the meta device cannot size: the same rows in order
        return torch.gather(k.squeeze(), 1, keep_idx[..., None].expand(-1, -1, 128)), keep_idx

    def quest_select(q, k):  # Quest's page scores (pages of 16: per-channel max of sign-flipped keys) and top pages
        sign = (q > 0) + (~(q > 0)) * -1
        max_key = k * sign
        postive_query = q * sign
        seq_length = max_key.shape[-2]
        padding_length = 16 - ((seq_length - 1) % 16 + 1)
        max_key = torch.cat([max_key, torch.ones((1, 32, padding_length, 128), device=max_key.device)
                             * torch.tensor(torch.finfo(max_key.dtype).min)], dim=-2)
        chunk_max_key = max_key.reshape(1, 32, max_key.shape[2] // 16, 16, 128).amax(dim=-2)
        chunk_max_key = chunk_max_key.unsqueeze(-2).repeat(1, 1, 1, 16, 1)
        chunk_max_key = chunk_max_key.reshape(1, 32, -1, 128)[:, :, :seq_length, :]
        quantized_weight = torch.matmul(postive_query.float(), chunk_max_key.transpose(2, 3))
        attn_weights = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(128)
        return quantized_weight, attn_weights

    def quest_mask(attn_weights, quantized_weight):  # local_heavy_hitter_mask, budget 2048, then the scores masked
        seq_length = quantized_weight.shape[-1]
        padding_length = 16 - ((seq_length - 1) % 16 + 1)
        w = torch.cat([quantized_weight, torch.ones((1, 32, 1, padding_length), device=quantized_weight.device)
                       * torch.tensor(torch.finfo(quantized_weight.dtype).min)], dim=-1)
        chunk_attn_weights = w.reshape(1, 32, 1, w.shape[3] // 16, 16).amax(dim=-1)
        _, topk = chunk_attn_weights.topk(k=2048 // 16, dim=-1)
        topk = topk.unsqueeze(-1).repeat(1, 1, 1, 1, 16) * 16 + torch.arange(16, device=topk.device)
        topk = topk.reshape(1, 32, 1, -1)
        mask_bottom = torch.zeros_like(w, dtype=torch.bool)
        mask_bottom.scatter_(-1, topk, True)
        mask_bottom = mask_bottom[:, :, :, :seq_length]
        return attn_weights.masked_fill_(~mask_bottom, torch.finfo(attn_weights.dtype).min)

    groups = [[0, 2, 5], [1, 4], [3]]  # PEFT's sub-batch indices of three adapters over six requests

    def peft_mixed_batch(result, x, *adapters):  # LoraLayer._mixed_batch_forward (scaling alpha / r = 2)
        for idx, (a, b) in zip(groups, zip(adapters[::2], adapters[1::2], strict=True), strict=True):
            sub_batch = x[idx].to(a.dtype)
            lora_output = linear(linear(sub_batch, a), b) * 2.0
            result[idx] += lora_output.to(result.dtype)
        return result

    # Mixtral-8x22B over a 1536-token prompt: the router, its fp32 softmax and top-2, one expert's 397 rows (w1 / w3,
    # SiLU, w2, the routing weight, index_add_ back); SmoothQuant's per-token fake quantisation of the layer input;
    # at decode (batch 8, 3071 cached tokens and the new one) eager GQA attention through repeat_kv and the lm_head
    # at batch 16; StreamingLLM's 4 sinks and 2000 recent tokens kept of a 2052-token cache (batch 4); the PEFT
    # mixed batch of three adapters (ranks 8 / 16 / 32) on q_proj over six 300-token prompts
    out = [("router", linear, (m(1536, 6144), m(8, 6144))),
           ("mixtral_route", mixtral_route, (m(1536, 8),)),
           ("mixtral_expert", mixtral_expert, (m(1536, 6144), i(397), i(397), m(1536, 2), m(16384, 6144),
                                               m(16384, 6144), m(6144, 16384))),
           ("smoothquant_per_token", smoothquant_per_token, (m(1, 1536, 6144),)),
           ("eager_gqa_decode", lambda q, k, v: eager_attention(q, k, v, 128 ** -0.5, 6),
            (m(8, 48, 1, 128), m(8, 8, 3072, 128), m(8, 8, 3072, 128))),
           ("lm_head", linear, (m(16, 1, 6144), m(32768, 6144))),
           ("streaming_llm", lambda k: torch.cat([k[:, :, 0:4], k[:, :, 2052 - 2000:2052]], dim=2),
            (m(4, 8, 2052, 128),)),
           ("peft_mixed_batch", peft_mixed_batch, (m(6, 300, 6144), m(6, 300, 6144), m(8, 6144), m(6144, 8),
                                                   m(16, 6144), m(6144, 16), m(32, 6144), m(6144, 32)))]
    # Gemma-3-27B over a 2300-token prompt: the scaled embedding, the input RMSNorm (fp32, 1 + w), q_proj, the
    # per-head q norm on the transposed heads, the sliding-window mask, SDPA through it after repeat_kv (scale
    # 168 ** -0.5); at decode (batch 4) down_proj and the lm_head; QLoRA on gate_proj (NF4 in blocks of 64, absmax
    # double-quantised in blocks of 256, dequantised to bf16, the base product and the rank-64 adapter, 4 x 512 tokens)
    out += [("scaled_embedding", lambda ids, w, s: F.embedding(ids, w) * s.to(w.dtype),
             (i(1, 2300), m(262208, 5376), m((), dt=f32))),
            ("gemma_rms", gemma_rms, (m(1, 2300, 5376), m(5376))),
            ("linear", linear, (m(1, 2300, 5376), m(4096, 5376))),
            ("q_norm", lambda q, w: gemma_rms(q.view(1, 2300, 32, 128).transpose(1, 2), w), (m(1, 2300, 4096), m(128))),
            ("sliding_mask", sliding_mask, (m(1, 1, 2300, 2300),)),
            ("sdpa_window", lambda q, k, v, a: sdpa(q, repeat_kv(k, 2), repeat_kv(v, 2), attn_mask=a,
                                                    scale=168 ** -0.5),
             (m(1, 32, 2300, 128), m(1, 16, 2300, 128), m(1, 16, 2300, 128), m(1, 1, 2300, 2300))),
            ("linear", linear, (m(4, 1, 21504), m(5376, 21504))),
            ("lm_head", linear, (m(4, 1, 5376), m(262208, 5376))),
            ("nf4_dequant", nf4_dequant, (m(57802752, dt=u8), m(1806336, dt=u8), m(256, dt=f32), m(7056, dt=f32),
                                          m((), dt=f32), m(16, dt=f32))),
            ("qlora", lambda x, w, a, b: linear(x, w) + linear(linear(x, a), b) * 0.25,
             (m(4, 512, 5376), m(21504, 5376), m(64, 5376), m(21504, 64)))]
    # Qwen2.5-72B over a 1234-token prompt: q_proj and k_proj with their biases, YaRN's inverse frequencies and the
    # rotary table of a 32768-token prompt (a K = 1 matmul, cos / sin scaled); at decode (batch 8) down_proj;
    # contrastive search (2 prompts x top-6 over 900 tokens): the cosine ranking of the candidates; AutoAWQ's
    # dequantisation of a Mixtral-8x22B expert's w1 (6144 x 16384, groups of 128)
    out += [("linear_bias", linear, (m(1, 1234, 8192), m(8192, 8192), m(8192))),
            ("linear_bias", linear, (m(1, 1234, 8192), m(1024, 8192), m(1024))),
            ("yarn_inv_freq", yarn_inv_freq, ()),
            ("rotary_table", rotary_table, (m(64, dt=f32), i(1, 32768))),
            ("linear", linear, (m(8, 1, 29568), m(8192, 29568))),
            ("ranking_fast", ranking_fast, (m(2, 900, 8192), m(12, 1, 8192), m(2, 6, dt=f32), i(12, 900))),
            ("awq_dequant", awq_dequant, (m(6144, 2048, dt=i32), m(48, 2048, dt=i32), m(48, 16384, dt=f16)))]
    # Falcon-40B over two 700-token prompts: ln_attn (and ln_mlp, the same), the fused qkv, its split with the keys
    # and values broadcast to every head, causal SDPA; at decode (batch 32) the MLP (GELU) and the lm_head
    out += [("layer_norm", lambda x, w, b: F.layer_norm(x, (8192,), w, b, 1e-5), (m(2, 700, 8192), m(8192), m(8192))),
            ("linear", linear, (m(2, 700, 8192), m(9216, 8192))),
            ("falcon_split_heads", falcon_split_heads, (m(2, 700, 9216),)),
            ("sdpa_causal", lambda q, k, v: sdpa(q, k, v, is_causal=True),
             (m(2, 128, 700, 64), m(2, 128, 700, 64), m(2, 128, 700, 64))),
            ("falcon_mlp", lambda x, w1, w2: linear(F.gelu(linear(x, w1)), w2),
             (m(32, 1, 8192), m(32768, 8192), m(8192, 32768))),
            ("lm_head", linear, (m(32, 1, 8192), m(65024, 8192)))]
    # MiniCPM3-4B over a 613-token prompt: the embedding times scale_emb, q_a_proj, q_a_layernorm, q_b_proj; the
    # compressed kv, its norm on the split and kv_b_proj; rope on the 32-wide parts and q / k assembled; eager
    # attention with the causal mask; o_proj and the depth-scaled residual; the logits over hidden / 10 in fp32
    out += [("scaled_embedding", lambda ids, w: F.embedding(ids, w) * 12, (i(1, 613), m(73448, 2560))),
            ("linear", linear, (m(1, 613, 2560), m(768, 2560))),
            ("minicpm_rms", minicpm_rms, (m(1, 613, 768), m(768))),
            ("linear", linear, (m(1, 613, 768), m(3840, 768))),
            ("minicpm_kv", minicpm_kv, (m(1, 613, 2560), m(288, 2560), m(256), m(5120, 256))),
            ("minicpm_qk", minicpm_qk, (m(1, 613, 3840), m(1, 40, 613, 64), m(1, 1, 613, 32), m(4096, 32),
                                        m(4096, 32), i(1, 613))),
            ("minicpm_attention", minicpm_attention, (m(1, 40, 613, 96), m(1, 40, 613, 96), m(1, 613, 40, 128)
                                                      .transpose(1, 2)[..., 64:], m(1, 1, 613, 613))),
            ("o_proj_residual", lambda r, x, w: r + linear(x, w) * (1.4 / math.sqrt(62)),
             (m(1, 613, 2560), m(1, 613, 2560), m(2560, 2560))),
            ("lm_head_scaled", lambda h, w: linear(h / (2560 / 256), w).float(), (m(1, 613, 2560), m(73448, 2560)))]
    # RecurrentGemma-2B: the RG-LRU's gates over two 1000-token prompts; at decode (batch 16) linear_y with its
    # GELU, linear_x, the conv state by cat, the scan step in fp32, partial rotary on q / k, local MQA over the
    # 2048-token window (keys repeated, the window's mask) and the soft-capped lm_head; its MLP's gate over the prompts
    out += [("rglru_gates", rglru_gates, (m(2, 1000, 2560), i(2, 1000), m(10, 256, 256), m(10, 256), m(10, 256, 256),
                                          m(10, 256), m(2560))),
            ("linear_y_gelu", lambda x, w, b: F.gelu(linear(x, w, b), approximate="tanh"),
             (m(16, 1, 2560), m(2560, 2560), m(2560))),
            ("conv_by_cat", conv_by_cat, (m(16, 2560, 3), m(16, 1, 2560), m(2560, 1, 4), m(2560))),
            ("rglru_scan_step", rglru_scan_step, (m(16, 1, 2560), m(16, 1, 2560), m(16, 2560, dt=f32))),
            ("partial_rope", partial_rope, (m(16, 10, 1, 256), m(16, 1, 1, 256), m(16, 1, 1, 128), m(16, 1, 1, 128))),
            ("sdpa_mqa_window", lambda q, k, v, a: sdpa(q, repeat_kv(k, 10), repeat_kv(v, 10), attn_mask=a,
                                                        scale=256 ** -0.5),
             (m(16, 10, 1, 256), m(16, 1, 2048, 256), m(16, 1, 2048, 256), m(16, 1, 1, 2048))),
            ("softcap_lm_head", lambda h, w: (torch.tanh(linear(h, w) / 30.0) * 30.0).float(),
             (m(16, 1, 2560), m(256000, 2560))),
            ("linear_bias", linear, (m(2, 1000, 2560), m(7680, 2560), m(7680)))]
    # RWKV-6-World-7B: the time-mix's ddlerp over a 777-token prompt (the shifted tokens, the 5 x 32 LoRA by bmm, the
    # decay LoRA), the key projection, the GroupNorm'd output times the gate, the channel mix (14336 wide); at decode
    # (batch 16) the wkv step in fp32 and the 65536-token head
    out += [("rwkv6_mix", rwkv6_mix, (m(1, 777, 4096), m(1, 1, 4096), m(4096, 160), m(5, 32, 4096), m(1, 1, 4096),
                                      m(1, 1, 4096), m(4096, 64), m(64, 4096), m(1, 1, 4096))),
            ("linear", linear, (m(1, 777, 4096), m(4096, 4096))),
            ("ln_x_gate", lambda x, g, w, b: F.group_norm(x.view(777, 4096), 64, w, b, 64e-5).view(1, 777, 4096) * g,
             (m(1, 777, 4096), m(1, 777, 4096), m(4096), m(4096))),
            ("rwkv6_channel_mix", rwkv6_channel_mix, (m(1, 777, 4096), m(1, 1, 4096), m(14336, 4096), m(4096, 14336))),
            ("rwkv6_wkv_step", rwkv6_wkv_step, (m(16, 1, 4096), m(16, 1, 4096), m(16, 1, 4096), m(16, 1, 4096),
                                                m(64, 64, dt=f32), m(16, 64, 64, 64, dt=f32))),
            ("lm_head", linear, (m(16, 1, 4096), m(65536, 4096)))]
    # RetNet (retnet_xl, fp16) over two 1500-token prompts: the decay mask, theta_shift on q, parallel retention, the
    # heads' norm and the swish gate, g_proj (3456 wide) and out_proj; the recurrent step at decode (batch 16)
    out += [("retnet_decay_mask", retnet_decay_mask, (m(8, dt=f16),)),
            ("theta_shift", theta_shift, (m(2, 8, 1500, 256, dt=f16), m(1500, 256, dt=f16), m(1500, 256, dt=f16))),
            ("parallel_retention", parallel_retention, (m(2, 8, 1500, 256, dt=f16), m(2, 8, 1500, 256, dt=f16),
                                                        m(2, 1500, 3456, dt=f16), m(8, 1500, 1500, dt=f16))),
            ("retention_out", retention_out, (m(2, 1500, 8, 432, dt=f16), m(2, 1500, 3456, dt=f16))),
            ("linear", linear, (m(2, 1500, 2048, dt=f16), m(3456, 2048, dt=f16))),
            ("linear", linear, (m(2, 1500, 3456, dt=f16), m(2048, 3456, dt=f16))),
            ("recurrent_retention", recurrent_retention, (m(16, 8, 1, 256, dt=f16), m(16, 8, 1, 256, dt=f16),
                                                          m(16, 1, 3456, dt=f16), m(16, 8, 432, 256, dt=f16),
                                                          m(8, 1, 1, dt=f16), m(8, 1, 1, dt=f16)))]
    # Zamba2-2.7B over an 1100-token prompt: the shared block's input joined with the original embeddings, its
    # RMSNorm over 5120, q_proj, eager attention over heads of 160 (scaled by (160 / 2) ** -0.5), the MLP with its
    # rank-128 adapter (GELU), the block's output linear
    out += [("cat_original", lambda h, o: torch.concatenate([h, o], dim=-1), (m(1, 1100, 2560), m(1, 1100, 2560))),
            ("zamba_rms", zamba_rms, (m(1, 1100, 5120), m(5120))),
            ("linear", linear, (m(1, 1100, 5120), m(5120, 5120))),
            ("eager_attention", lambda q, k, v: eager_attention(q, k, v, 80 ** -0.5, 1),
             (m(1, 32, 1100, 160), m(1, 32, 1100, 160), m(1, 32, 1100, 160))),
            ("zamba_mlp", zamba_mlp, (m(1, 1100, 2560), m(20480, 2560), m(128, 2560), m(20480, 128), m(2560, 10240))),
            ("linear", linear, (m(1, 1100, 2560), m(2560, 2560)))]
    # Granite-3.0-3B-A800M over a 1000-token prompt: the embedding times 12, the gating (top-8 of 40 in fp32, the
    # gates scattered and counted, the sorted dispatch), the experts through ParallelExperts (rows of 187 and 213),
    # the gated combine by index_add; at decode (batch 24) the lm_head over 49155 tokens, divided by 6
    out += [("scaled_embedding", lambda ids, w: F.embedding(ids, w) * 12.0, (i(1, 1000), m(49155, 1536))),
            ("granite_gating", granite_gating, (m(1000, 1536), m(40, 1536))),
            ("granite_combine", granite_combine, (m(1000, 1536), i(8000), m(8000), m(40, 1024, 1536),
                                                  m(40, 1536, 512))),
            ("lm_head_scaled", lambda h, w: linear(h, w) / 6.0, (m(24, 1, 1536), m(49155, 1536)))]
    # PixArt-Sigma at 1024px (fp16, classifier-free guidance batch 2): t_block (SiLU, 6 x 1152), the caption
    # projection of 300 T5 tokens (tanh GELU), the block's adaLN-single modulation and gated residual, to_q, self SDPA
    # over 4096 tokens with heads of 72, cross-attention to the captions through the repeated mask, the tanh-GELU FF,
    # the output modulation, the 32-wide proj_out and unpatchify
    out += [("t_block", lambda t, w, b: linear(F.silu(t), w, b), (m(2, 1152, dt=f16), m(6912, 1152, dt=f16),
                                                                   m(6912, dt=f16))),
            ("caption_projection", lambda c, w1, b1, w2, b2: linear(F.gelu(linear(c, w1, b1), approximate="tanh"),
                                                                    w2, b2),
             (m(2, 300, 4096, dt=f16), m(1152, 4096, dt=f16), m(1152, dt=f16), m(1152, 1152, dt=f16),
              m(1152, dt=f16))),
            ("adaln_single", adaln_single, (m(6, 1152, dt=f16), m(2, 6912, dt=f16), m(2, 4096, 1152, dt=f16),
                                            m(2, 4096, 1152, dt=f16))),
            ("linear_bias", linear, (m(2, 4096, 1152, dt=f16), m(1152, 1152, dt=f16), m(1152, dt=f16))),
            ("sdpa_self", lambda q, k, v: sdpa(*(t.view(2, -1, 16, 72).transpose(1, 2) for t in (q, k, v))),
             (m(2, 4096, 1152, dt=f16), m(2, 4096, 1152, dt=f16), m(2, 4096, 1152, dt=f16))),
            ("cross_attention", cross_attention, (m(2, 4096, 1152, dt=f16), m(2, 300, 1152, dt=f16),
                                                  m(2, 300, 1152, dt=f16), i(2, 300))),
            ("ff_gelu_tanh", lambda x, w1, b1, w2, b2: linear(F.gelu(linear(x, w1, b1), approximate="tanh"), w2, b2),
             (m(2, 4096, 1152, dt=f16), m(4608, 1152, dt=f16), m(4608, dt=f16), m(1152, 4608, dt=f16),
              m(1152, dt=f16))),
            ("pixart_out", pixart_out, (m(2, 4096, 1152, dt=f16), m(2, 1152, dt=f16), m(2, 1152, dt=f16),
                                        m(32, 1152, dt=f16), m(32, dt=f16)))]
    # LLaVA-NeXT (fp16): the penultimate CLIP layer's patches of five tiles without CLS, the projector (GELU), the
    # anyres packing with the newline column, the 2144 image embeddings scattered into a 2200-token prompt; Idefics2-8B
    # (bf16) over two 980px images: the modality projection's gate (1152 -> 14336, SiLU, the up product) and down
    # product, the perceiver's RMSNorm over latents and context, its attention (4964 keys)
    out += [("projector", lambda x, w1, b1, w2, b2: linear(F.gelu(linear(x[:, 1:], w1, b1)), w2, b2),
             (m(5, 577, 1024, dt=f16), m(4096, 1024, dt=f16), m(4096, dt=f16), m(4096, 4096, dt=f16),
              m(4096, dt=f16))),
            ("pack_anyres", pack_anyres, (m(5, 576, 4096, dt=f16), m(4096, dt=f16))),
            ("merge_image", merge_image, (i(1, 2200), m(1, 2200, 4096, dt=f16), m(2144, 4096, dt=f16))),
            ("modality_projection", lambda x, wg, wu, wd: linear(F.silu(linear(x, wg)) * linear(x, wu), wd),
             (m(2, 4900, 1152), m(14336, 1152), m(14336, 1152), m(4096, 14336))),
            ("perceiver_rms", lambda x, w: zamba_rms(x, w), (m(2, 4900, 4096), m(4096))),
            ("perceiver_attention", perceiver_attention, (m(2, 64, 4096), m(2, 4900, 4096), m(1536, 4096),
                                                          m(384, 4096), m(384, 4096))),
            ("linear", linear, (m(2, 64, 1536), m(4096, 1536)))]
    # RT-DETR-R50 at batch 16 (fp32): the encoder's class scores (80) over 8400 anchors, the top-300 queries and their
    # boxes and features gathered, the post-processing (sigmoid, top-300 of 300 x 80, boxes scaled and gathered);
    # EnCodec's RVQ, one of Bark's 8 codebooks over 4 clips (distances by matmul, argmax, the codebook's embedding)
    out += [("linear_bias", linear, (m(16, 8400, 256, dt=f32), m(80, 256, dt=f32), m(80, dt=f32))),
            ("rtdetr_select", rtdetr_select, (m(16, 8400, 256, dt=f32), m(16, 8400, 80, dt=f32),
                                              m(16, 8400, 4, dt=f32))),
            ("rtdetr_post", rtdetr_post, (m(16, 300, 80, dt=f32), m(16, 300, 4, dt=f32), m(16, 2, dt=f32))),
            ("rvq_layer", rvq_layer, (m(4, 128, 750, dt=f32), m(1024, 128, dt=f32)))]
    # decoding: vLLM's rejection sampler (batch 16, 5 draft tokens over Mixtral's 32768-token vocabulary: the
    # accepted tokens, the recovered distribution, the output with the bonus token); typical-p over Gemma-3's
    # vocabulary at batch 8; epsilon sampling over Falcon's at batch 32; beam search's length penalty and merge
    # (4 inputs x 8 beams, 2 x 8 candidates, 256 positions)
    out += [("get_accepted", get_accepted, (m(16, 6, 32768, dt=f32)[:, :-1], m(16, 5, 32768, dt=f32), i(16, 5),
                                            m(16, 5, dt=f32))),
            ("recovered_probs", recovered_probs, (m(16, 6, 32768, dt=f32)[:, :-1], m(16, 5, 32768, dt=f32))),
            ("create_output", create_output, (m(16, 5, dt=b8), i(16, 5), i(16, 5), i(16, 1))),
            ("typical_p", typical_p, (m(8, 262208, dt=f32),)),
            ("epsilon", epsilon, (m(32, 65024, dt=f32),)),
            ("finished_beams", finished_beams, (i(4, 8, 256), i(4, 16, 256), m(4, 8, dt=f32), m(4, 16, dt=f32),
                                                i(4, 8, 256), i(4, 16, 256), m(4, 8, dt=b8), m(4, 16, dt=b8)))]
    # KV caches: vLLM's fp8 cache for Mixtral-8x22B (a decode batch of 64 keys scaled, cast to fp8 and written to
    # their slots through the cache's uint8 view; one sequence's 200 blocks read back to bf16 and scaled); H2O on
    # Llama-2-13B (40 heads of 128) at decode with 4000 tokens cached: the heavy-hitter scores accumulated, the top
    # 400 and the 400 recent kept; Quest on LongChat-7B-32K (fp16) at decode over 12001 tokens: the page scores and
    # the scores masked to the top 128 pages
    out += [("fp8_cache_write", lambda kc, slots, k, s: kc.view(-1, 8, 128).index_put_(
                (slots,), (k / s).to(fp8).view(u8)), (m(2000, 16, 8, 128, dt=u8), i(64), m(64, 8, 128),
                                                      m((), dt=f32))),
            ("fp8_cache_read", lambda kc, bt, s: kc[bt].view(fp8).to(bf) * s, (m(2000, 16, 8, 128, dt=u8), i(200),
                                                                               m((), dt=f32))),
            ("h2o_evict", h2o_evict, (m(40, 4000, dt=f32), m(1, 40, 1, 4001, dt=f32), m(1, 40, 4001, 128))),
            ("quest_select", quest_select, (m(1, 32, 1, 128, dt=f16), m(1, 32, 12001, 128, dt=f16))),
            ("quest_mask", quest_mask, (m(1, 32, 1, 12001, dt=f16), m(1, 32, 1, 12001, dt=f32)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK11, _check11()),))
