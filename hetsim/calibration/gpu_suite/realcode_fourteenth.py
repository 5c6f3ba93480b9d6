"""The aten sweep's eleventh blind real-code group: `realcode-check11`, everyday PyTorch inference and serving code.

Each case is one op or a short idiom as model and serving code writes it (projections with and without bias at
prefill and decode widths, lm heads of real vocabularies, attention by batched matmul and SDPA with and without masks,
activations, softmax, MoE dispatch, recurrent gates and steps, retention, sampling, gathers and scatters, masks,
rotary tables, casts, KV-cache eviction and fp8 writes, LoRA, weight dequantisation in plain torch, layout copies), at
the widths of models and the methods no earlier group uses: Mixtral-8x22B (the router, an expert's SwiGLU over its
397 rows, the 32768-token lm_head), Gemma-3-27B (q_proj, the sliding-window mask by tril and where, SDPA through it
after repeat_kv at query_pre_attn_scalar 168, the 262208-token lm_head; QLoRA on its gate_proj: bitsandbytes'
plain-torch NF4 dequantisation of the uint8 nibbles, the base product and the rank-64 adapter), Qwen2.5-72B (a biased
q_proj, a decode down_proj, the YaRN-scaled rotary table by a K = 1 matmul, contrastive search's cosine matrix),
Falcon-40B (the fused qkv, its [8, 18, 64] split with keys and values broadcast to every head, causal SDPA over heads
of 64, the decode GELU MLP and lm_head), MiniCPM3-4B's multi-head latent attention (the q and kv LoRA projections,
eager attention over 613 tokens with values split from kv_b's heads, the logits over hidden / 10 in fp32),
RecurrentGemma-2B (the RG-LRU's block-diagonal gates by baddbmm, the softplus decay; the 256000-token lm_head),
RWKV-6-World-7B (ddlerp's 5 x 32 LoRA by a tanh and a bmm, the plain-torch wkv step's outer products and fp32 state,
the 65536-token head), RetNet (torchscale's retnet_xl: parallel retention, q k^T times the decay mask normalised by
its clamped row sums, times values of 432), Granite-3.0-3B-A800M (40 experts, top-8: the routed rows in expert order,
ParallelExperts' split F.linear, index_add back; the 49155-token lm_head over logits_scaling), PixArt-Sigma (the T5
caption projection, cross-attention of 4096 latent tokens to 300 caption tokens through a repeated -10000 mask with
heads of 72, the 32-wide proj_out), LLaVA-NeXT (anyres packing: the 2x2 grid permuted, unpadded, the newline column;
masked_scatter into the prompt), RT-DETR's post-processing (top-300 of 300 x 80 sigmoid scores, boxes gathered),
EnCodec's residual vector quantiser (Bark's codec: distances by an fp32 matmul, argmax), vLLM's rejection sampler
(the recovered distribution), vLLM's fp8 KV cache (keys scaled, cast and written through the cache's uint8 view) and
H2O's heavy-hitter eviction (scores accumulated, top-k and recent tokens kept, the cache gathered), at inference
batches and token counts; a quarter of the cases are cuBLAS products. The group is never fitted: it is traced on the
meta device, timed on the GPU and only scored. The builder (hetsim.calibration.gpu_suite.aten_cases) takes it after
every other group and drops any case equal to one of theirs, so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

import math

REALCODE_CHECK11 = "realcode-check11"


def _check11():
    import torch
    import torch.nn.functional as F

    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    u8, fp8 = torch.uint8, torch.float8_e4m3fn
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers, repeat_kv

    m, i = _meta_makers()

    linear = _layer_makers(1e-5)[0]

    def sliding_mask(mask):  # Gemma3DecoderLayer (sdpa): the causal mask cut to the 1024-token window
        min_dtype = torch.finfo(mask.dtype).min
        sliding_window_mask = torch.tril(torch.ones_like(mask, dtype=torch.bool), diagonal=-1024)
        return torch.where(sliding_window_mask, min_dtype, mask)

    def rotary_table(inv_freq, position_ids):  # Qwen2RotaryEmbedding.forward with YaRN's attention_scaling
        inv_freq_expanded = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
        position_ids_expanded = position_ids[:, None, :].float()
        freqs = (inv_freq_expanded.float() @ position_ids_expanded.float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        scaling = 0.1 * math.log(4.0) + 1.0
        return (emb.cos() * scaling).to(bf), (emb.sin() * scaling).to(bf)

    def cosine_matrix(context_hidden, next_hidden):  # contrastive search's _ranking_fast: the candidates' cosines
        norm_context_hidden = context_hidden / context_hidden.norm(dim=2, keepdim=True)
        norm_next_hidden = next_hidden / next_hidden.norm(dim=2, keepdim=True)
        return torch.matmul(norm_context_hidden, norm_next_hidden.transpose(1, 2)).squeeze(-1)

    def falcon_split_heads(fused_qkv):  # FalconAttention._split_heads (new_decoder_architecture)
        batch, seq_len, _ = fused_qkv.shape
        qkv = fused_qkv.view(batch, seq_len, -1, 128 // 8 + 2, 64)
        query = qkv[:, :, :, :-2]
        key = qkv[:, :, :, [-2]]
        value = qkv[:, :, :, [-1]]
        key = torch.broadcast_to(key, query.shape)
        value = torch.broadcast_to(value, query.shape)
        return [x.flatten(2, 3) for x in (query, key, value)]

    def minicpm_attention(q, k, v, causal_mask):  # MiniCPM3's eager attention: scores, mask, fp32 softmax, values
        attn_weights = torch.matmul(q, k.transpose(2, 3)) * (96 ** -0.5)
        attn_weights = attn_weights + causal_mask
        attn_weights = F.softmax(attn_weights, dim=-1, dtype=torch.float32).to(q.dtype)
        return torch.matmul(attn_weights, v).transpose(1, 2).contiguous()

    def rglru_gates(activations, wx, bx, wa, ba, param):  # RecurrentGemmaRglru.forward: the gates and the decay
        batch_size, seq_len, lru_width = activations.shape
        reshape_act = activations.reshape(batch_size * seq_len, 10, 256).permute(1, 0, 2)
        res = torch.baddbmm(bx[:, None, :], reshape_act, wx)
        input_gate = torch.sigmoid(res.transpose(0, 1).reshape(batch_size, seq_len, lru_width))
        res = torch.baddbmm(ba[:, None, :], reshape_act, wa)
        recurrent_gate = torch.sigmoid(res.transpose(0, 1).reshape(batch_size, seq_len, lru_width))
        log_recurrent_gate = -8.0 * recurrent_gate * F.softplus(param)
        return torch.exp(log_recurrent_gate), activations * input_gate

    def ddlerp_lora(xxx, w1, w2):  # RWKV6Attention.extract_key_value: the five mixes' shared LoRA
        batch, seq_len, _ = xxx.shape
        xxx = torch.tanh(xxx @ w1).view(batch * seq_len, 5, -1).transpose(0, 1)
        return torch.bmm(xxx, w2).view(5, batch, seq_len, -1).unbind(dim=0)

    def wkv_step(receptance, key, value, time_decay, time_first, state):  # rwkv6_linear_attention_cpu, one token
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

    def parallel_retention(qr, kr, v, mask):  # torchscale's MultiScaleRetention.parallel_forward
        bsz, tgt_len, _ = v.size()
        vr = v.view(bsz, tgt_len, 8, 432).transpose(1, 2)
        qk_mat = qr @ kr.transpose(-1, -2)
        qk_mat = qk_mat * mask
        qk_mat = qk_mat / qk_mat.detach().abs().sum(dim=-1, keepdim=True).clamp(min=1, max=5e4)
        return torch.matmul(qk_mat, vr).transpose(1, 2)

    sizes = [187, 213] * 20  # expert_size.tolist(): 8000 assignments over the 40 experts

    def parallel_experts(inputs, weight):  # GraniteMoeParallelExperts.forward
        input_list = inputs.split(sizes, dim=0)
        return torch.cat([F.linear(input_list[e], weight[e]) for e in range(40)], dim=0)

    def granite_moe(layer_input, batch_index, batch_gates, w_in, w_out):  # GraniteMoeMoE.forward after the gating
        expert_inputs = layer_input[batch_index]
        hidden_states = parallel_experts(expert_inputs, w_in)
        chunked_hidden_states = hidden_states.chunk(2, dim=-1)
        hidden_states = F.silu(chunked_hidden_states[0]) * chunked_hidden_states[1]
        expert_outputs = parallel_experts(hidden_states, w_out) * batch_gates[:, None]
        zeros = torch.zeros((1000, 1536), dtype=expert_outputs.dtype, device=expert_outputs.device)
        return zeros.index_add(0, batch_index, expert_outputs)

    def cross_attention(q, k, v, encoder_attention_mask):  # PixArt: the T5 mask as AttnProcessor2_0 prepares it
        encoder_attention_mask = (1 - encoder_attention_mask.to(f16)) * -10000.0
        attention_mask = encoder_attention_mask.unsqueeze(1).repeat_interleave(16, dim=0)
        attention_mask = attention_mask.view(2, 16, -1, attention_mask.shape[-1])
        q, k, v = (t.view(2, -1, 16, 72).transpose(1, 2) for t in (q, k, v))
        return sdpa(q, k, v, attn_mask=attention_mask)

    def pack_anyres(image_feature, image_newline):  # LlavaNextModel.pack_image_features, one image
        base_image_feature = image_feature[0]
        image_feature = image_feature[1:]
        image_feature = image_feature.view(2, 2, 24, 24, -1)
        image_feature = image_feature.permute(4, 0, 2, 1, 3).contiguous()
        image_feature = image_feature.flatten(1, 2).flatten(2, 3)
        image_feature = image_feature[:, 8:48 - 8, :]  # unpad_image: a 900 x 600 image keeps 32 of 48 rows
        image_feature = torch.cat((image_feature, image_newline[:, None, None].expand(
            *image_feature.shape[:-1], 1).to(image_feature.dtype)), dim=-1)
        image_feature = image_feature.flatten(1, 2).transpose(0, 1)
        return torch.cat((base_image_feature, image_feature), dim=0)

    def merge_image(input_ids, inputs_embeds, image_features):  # the image tokens' embeddings replaced
        special_image_mask = (input_ids == 32000).unsqueeze(-1).expand_as(inputs_embeds)
        return inputs_embeds.masked_scatter(special_image_mask, image_features)

    def rtdetr_post(out_logits, boxes):  # RTDetrImageProcessor.post_process_object_detection (focal loss)
        scores = torch.sigmoid(out_logits)
        scores, index = torch.topk(scores.flatten(1), 300, dim=-1)
        labels = index % 80
        index = index // 80
        boxes = boxes.gather(dim=1, index=index.unsqueeze(-1).repeat(1, 1, boxes.shape[-1]))
        return scores, labels, boxes

    def rvq_encode(residual, embed):  # EncodecVectorQuantization.encode: one residual codebook
        hidden_states = residual.permute(0, 2, 1)
        shape = hidden_states.shape
        hidden_states = hidden_states.reshape((-1, shape[-1]))
        e = embed.t()
        scaled_states = hidden_states.pow(2).sum(1, keepdim=True)
        dist = -(scaled_states - 2 * hidden_states @ e + e.pow(2).sum(0, keepdim=True))
        return dist.max(dim=-1).indices.view(*shape[:-1])

    def recovered_probs(target_probs, draft_probs):  # vLLM's RejectionSampler._get_recovered_probs (k = 5)
        difference = target_probs - draft_probs
        f = torch.clamp(difference, min=1.1754943508222875e-38)
        return f / torch.sum(f, dim=-1).reshape(-1, 5, 1)

    def nf4_dequant(a, absmax, code):  # bitsandbytes' default-backend dequantize_4bit (NF4, blocks of 64)
        a = a.reshape(-1)
        out_dq = torch.empty(a.size(0) * 2, dtype=torch.int32, device=a.device)
        out_dq[1::2] = a & 0xF
        out_dq[::2] = a >> 4
        out_dq = code[out_dq]
        out = out_dq.view(-1, 64) * absmax.view(-1, 1)
        return out.reshape(-1, 5376).to(bf)

    def h2o_evict(hh_score, attn_score_cache, k):  # H2O's _update_hh_score, then heavy hitters and recent tokens kept
        attn_score_cache = attn_score_cache.sum(0).sum(1)
        attn_score_cache[:, :-1] += hh_score
        hh_score = attn_score_cache
        _, keep_topk = torch.topk(hh_score[:, :4001 - 400], 400, dim=-1)
        keep_topk = keep_topk.sort().values
        keep_recent = torch.arange(4001 - 400, 4001, device=keep_topk.device).repeat(keep_topk.shape[0], 1)
        keep_idx = torch.cat([keep_topk, keep_recent], dim=-1)
        # the source selects past_key_values[0].squeeze()[mask], which the meta device cannot size: the same rows
        return torch.gather(k.squeeze(), 1, keep_idx[..., None].expand(-1, -1, 128))

    # Mixtral-8x22B (bf16: hidden 6144, 8 experts of 16384, top-2) over a 1536-token prompt: the router; one expert's
    # 397 rows through its SwiGLU (w1, w3, SiLU, w2); the lm_head at decode (batch 16, 32768 tokens)
    out = [("router", linear, (m(1536, 6144), m(8, 6144))),
           ("expert_swiglu", lambda x, w1, w3, w2: linear(F.silu(linear(x, w1)) * linear(x, w3), w2),
            (m(397, 6144), m(16384, 6144), m(16384, 6144), m(6144, 16384))),
           ("lm_head", linear, (m(16, 6144), m(32768, 6144)))]
    # Gemma-3-27B (bf16: hidden 5376, 32 q heads over 16 KV heads of 128, 262208 tokens) over a 2300-token prompt:
    # q_proj, the sliding-window mask, SDPA through it after repeat_kv (scale 168 ** -0.5); the lm_head at decode
    # (batch 4); QLoRA on its gate_proj (21504 x 5376 in NF4 blocks of 64): the weight dequantised to bf16, the base
    # product and the rank-64 adapter (alpha 16) over 4 x 512 tokens
    out += [("linear", linear, (m(2300, 5376), m(4096, 5376))),
            ("sliding_mask", sliding_mask, (m(1, 1, 2300, 2300),)),
            ("sdpa_window", lambda q, k, v, a: sdpa(q, repeat_kv(k, 2), repeat_kv(v, 2), attn_mask=a,
                                                    scale=168 ** -0.5),
             (m(1, 32, 2300, 128), m(1, 16, 2300, 128), m(1, 16, 2300, 128), m(1, 1, 2300, 2300))),
            ("lm_head", linear, (m(4, 5376), m(262208, 5376))),
            ("nf4_dequant", nf4_dequant, (m(57802752, dt=u8), m(1806336, dt=f32), m(16))),
            ("qlora", lambda x, w, a, b: linear(x, w) + linear(linear(x, a), b) * 0.25,
             (m(2048, 5376), m(21504, 5376), m(64, 5376), m(21504, 64)))]
    # Qwen2.5-72B (bf16: hidden 8192, 29568 wide): q_proj with its bias over a 1234-token prompt, down_proj at decode
    # (batch 8), the YaRN-scaled rotary table of a 32768-token prompt (a K = 1 matmul, factor 4); contrastive search's
    # cosines (2 prompts x top-6 candidates against 900 context tokens)
    out += [("linear_bias", linear, (m(1234, 8192), m(8192, 8192), m(8192))),
            ("linear", linear, (m(8, 29568), m(8192, 29568))),
            ("rotary_table", rotary_table, (m(64, dt=f32), i(1, 32768))),
            ("cosine_matrix", cosine_matrix, (m(12, 900, 8192), m(12, 1, 8192)))]
    # Falcon-40B (bf16: hidden 8192, 128 q heads of 64 in 8 KV groups, 32768 wide, 65024 tokens) over two 700-token
    # prompts: the fused qkv, its split (the group's keys and values broadcast to its 16 heads), causal SDPA; at decode
    # (batch 32) the GELU MLP and the lm_head
    out += [("linear", linear, (m(1400, 8192), m(9216, 8192))),
            ("falcon_split_heads", falcon_split_heads, (m(2, 700, 9216),)),
            ("sdpa_causal", lambda q, k, v: sdpa(q, k, v, is_causal=True),
             (m(2, 128, 700, 64), m(2, 128, 700, 64), m(2, 128, 700, 64))),
            ("decode_mlp", lambda x, w1, w2: linear(F.gelu(linear(x, w1)), w2),
             (m(32, 8192), m(32768, 8192), m(8192, 32768))),
            ("lm_head", linear, (m(32, 8192), m(65024, 8192)))]
    # MiniCPM3-4B's multi-head latent attention (bf16: hidden 2560, 40 heads, q rank 768, kv rank 256, keys of 64 + 32,
    # values of 64) over a 613-token prompt: q_a_proj, q_b_proj, kv_a_proj_with_mqa, kv_b_proj, eager attention (the
    # values a split of kv_b's heads, the causal mask added, fp32 softmax); the logits over hidden / 10, in fp32
    out += [("linear", linear, (m(613, 2560), m(768, 2560))),
            ("linear", linear, (m(613, 768), m(3840, 768))),
            ("linear", linear, (m(613, 2560), m(288, 2560))),
            ("linear", linear, (m(613, 256), m(5120, 256))),
            ("minicpm_attention", minicpm_attention, (m(1, 40, 613, 96), m(1, 40, 613, 96),
                                                      m(1, 613, 40, 128).transpose(1, 2)[..., 64:],
                                                      m(1, 1, 613, 613))),
            ("lm_head_scaled", lambda h, w: linear(h / (2560 / 256), w).float(), (m(613, 2560), m(73448, 2560)))]
    # RecurrentGemma-2B (bf16: width 2560 in 10 blocks of 256): the RG-LRU's gates over two 1000-token prompts (block-
    # diagonal baddbmm with the bias broadcast, sigmoid, the softplus decay, the gated input); the lm_head at decode
    # (batch 16, 256000 tokens). RWKV-6-World-7B (bf16: width 4096, 64 heads of 64): ddlerp's LoRA (4096 -> 5 x 32 by
    # tanh, then a bmm back to 5 x 4096) over a 777-token prompt; the wkv step at decode (batch 16: k^T v outer
    # products, the fp32 state) and the 65536-token head
    out += [("rglru_gates", rglru_gates, (m(2, 1000, 2560), m(10, 256, 256), m(10, 256), m(10, 256, 256),
                                          m(10, 256), m(2560))),
            ("lm_head", linear, (m(16, 2560), m(256000, 2560))),
            ("ddlerp_lora", ddlerp_lora, (m(1, 777, 4096), m(4096, 160), m(5, 32, 4096))),
            ("wkv_step", wkv_step, (m(16, 1, 4096), m(16, 1, 4096), m(16, 1, 4096), m(16, 1, 4096), m(64, 64, dt=f32),
                                    m(16, 64, 64, 64, dt=f32))),
            ("lm_head", linear, (m(16, 4096), m(65536, 4096)))]
    # RetNet (torchscale's retnet_xl, fp16: 8 heads, keys of 256, values of 432) over two 1500-token prompts: parallel
    # retention (q k^T times the decay mask, normalised by the clamped row sums, times v). Granite-3.0-3B-A800M (bf16:
    # width 1536, 40 experts of 512, top-8) over a 1000-token prompt: the 8000 routed rows gathered in expert order,
    # ParallelExperts' per-expert F.linear (187 and 213 rows), SwiGLU, the gates, index_add back; its lm_head at decode
    # (batch 24, 49155 tokens) divided by logits_scaling 6
    out += [("parallel_retention", parallel_retention, (m(2, 8, 1500, 256, dt=f16), m(2, 8, 1500, 256, dt=f16),
                                                        m(2, 1500, 3456, dt=f16), m(8, 1500, 1500, dt=f16))),
            ("granite_moe", granite_moe, (m(1000, 1536), i(8000), m(8000), m(40, 1024, 1536), m(40, 1536, 512))),
            ("lm_head_scaled", lambda h, w: linear(h, w) / 6.0, (m(24, 1536), m(49155, 1536)))]
    # PixArt-Sigma at 1024px (fp16, classifier-free guidance batch 2, width 1152, 16 heads of 72): the caption
    # projection of 300 T5 tokens (tanh GELU), cross-attention of the 4096 latent tokens to them through the repeated
    # -10000 mask, the 32-wide proj_out. LLaVA-NeXT (llava-v1.6-mistral-7b, fp16): anyres packing of a 2x2 grid of 336
    # tiles (permuted, unpadded to 32 of 48 rows, the newline column, the base tile first), the 2144 image embeddings
    # scattered into a 2200-token prompt
    out += [("caption_projection", lambda c, w1, b1, w2, b2: linear(F.gelu(linear(c, w1, b1), approximate="tanh"),
                                                                    w2, b2),
             (m(600, 4096, dt=f16), m(1152, 4096, dt=f16), m(1152, dt=f16), m(1152, 1152, dt=f16), m(1152, dt=f16))),
            ("cross_attention", cross_attention, (m(2, 4096, 1152, dt=f16), m(2, 300, 1152, dt=f16),
                                                  m(2, 300, 1152, dt=f16), i(2, 300))),
            ("linear_bias", linear, (m(8192, 1152, dt=f16), m(32, 1152, dt=f16), m(32, dt=f16))),
            ("pack_anyres", pack_anyres, (m(5, 576, 4096, dt=f16), m(4096, dt=f16))),
            ("merge_image", merge_image, (i(1, 2200), m(1, 2200, 4096, dt=f16), m(2144, 4096, dt=f16)))]
    # RT-DETR-R50's post-processing at batch 16 (fp32: 300 queries, 80 classes): sigmoid scores, the top 300 of
    # 300 x 80, labels and the scaled corner boxes gathered; EnCodec's residual quantiser (Bark's codec, fp32: 4
    # clips of 750 frames against a 1024 x 128 codebook: distances by matmul, argmax); vLLM's rejection sampler's
    # recovered distribution (batch 16, 5 draft tokens over Mixtral's 32768-token vocabulary)
    out += [("rtdetr_post", rtdetr_post, (m(16, 300, 80, dt=f32), m(16, 300, 4, dt=f32))),
            ("rvq_encode", rvq_encode, (m(4, 128, 750, dt=f32), m(1024, 128, dt=f32))),
            ("recovered_probs", recovered_probs, (m(16, 6, 32768, dt=f32)[:, :-1], m(16, 5, 32768, dt=f32)))]
    # KV caches: vLLM's fp8 cache for Mixtral-8x22B (a decode batch of 64 keys scaled, cast to fp8 and written to their
    # slots through the cache's uint8 view, 16-token blocks of 8 KV heads of 128); H2O on Llama-2-13B (40 heads of 128)
    # at decode with 4001 tokens cached: the heavy-hitter scores accumulated, the top 400 and the 400 recent tokens
    # kept, the keys gathered
    out += [("fp8_cache_write", lambda kc, slots, k, s: kc.view(-1, 8, 128).index_put_(
                (slots,), (k / s).to(fp8).view(u8)),
             (m(2000, 16, 8, 128, dt=u8), i(64), m(64, 8, 128), m((), dt=f32))),
            ("h2o_evict", h2o_evict, (m(40, 4000, dt=f32), m(1, 40, 1, 4001, dt=f32), m(1, 40, 4001, 128)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK11, _check11()),))
