"""The aten sweep's twelfth blind real-code group: `realcode-check12`, everyday PyTorch inference and serving code.

Each case is one op or a short idiom as model and serving code writes it (projections with and without bias at
prefill and decode widths, lm heads of real vocabularies, attention by SDPA with and without masks, linear attention
by batched matmul, activations, a LayerNorm and a GroupNorm, MoE dispatch and combine, logits warpers and sampling,
gathers and scatters, rotary multiplies, casts, KV-cache eviction and quantisation, LoRA, weight dequantisation and
int8 products, layout copies), at the widths of models and the methods no earlier group uses: Qwen3-235B-A22B (the
prompt's embeddings, q / k / o projections, causal SDPA of 64 q heads over 4 KV heads through enable_gqa, an
expert's 113 rows gathered, through its fused gate_up and index_added back, the masked decode SDPA after repeat_kv,
vLLM's last-token index_select, the 151936-token lm_head), Llama-4-Maverick (SDPA through the 8192-token chunked
attention mask after repeat_kv, the shared expert at decode), Phi-4-mini (the fused qkv, partial rotary over 96 of
128 dims, the fused gate_up's SiLU, the 200064-token lm_head) with transformers' typical and top-k logits warpers
and the multinomial sample over its vocabulary, Mistral-Large-2 (decode q_proj, down_proj and lm_head, a 700-token
gate_proj), Ministral-8B (the lm_head; PEFT's DoRA on q_proj: the identity through the adapter, the weight's row
norms, the magnitude rescale; AutoAWQ's plain-torch int4 unpack of its down_proj by shifts, masks and
repeat_interleave'd zeros and scales, then the fp16 matmul), Kimi-K2 through modeling_deepseek's moe_infer (counts by
scatter_, the argsort, the rows gathered in expert order, an expert's SwiGLU over 21 rows, the outputs put back and
weighted in fp32), DeepSeek-V3's multi-token-prediction layer in vLLM (the 14336-wide eh_proj over the joined
embeddings and hidden states, the 129280-token shared head), MiniMax-Text-01's lightning attention (one 256-token
block: the intra-block scores times the diagonal decay, the inter-block state product, the decayed state update; the
decode step's outer product), Wan2.1-T2V-1.3B (the fp32 time MLP, the 6-way modulation around the affine-free
LayerNorm, q, SDPA over 32760 video tokens and across to 512 text tokens, the tanh-GELU FFN), Wan-VAE (the
mid-block's single-head fp32 SDPA over 6240 pixels), HunyuanVideo's VAE decoder (GroupNorm and SiLU over a 5-D tile,
SDPA with one head of 512 through the frame-causal mask), KIVI's 2-bit per-channel key quantisation in plain torch
(min, max, scale, round, int32 in groups of 32 tokens), StreamingLLM's attention sinks (4 sink tokens joined to the
2000 recent ones) and torchao's int8 dynamic quantisation (torch._int_mm with its row and column scales) of OPT-30B's
fc1, at inference batches and token counts; a quarter of the cases are cuBLAS products. The group is never fitted: it
is traced on the meta device, timed on the GPU and only scored. The builder (hetsim.calibration.gpu_suite.aten_cases)
takes it after every other group and drops any case equal to one of theirs, so it stays blind to what the earlier
groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK12 = "realcode-check12"


def _check12():
    import torch
    import torch.nn.functional as F

    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    i8, i32, b8 = torch.int8, torch.int32, torch.bool
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers, repeat_kv, rotate_half

    m, i = _meta_makers()

    linear = _layer_makers(1e-6)[0]


    def swiglu(x, wg, wu, wd):
        return linear(F.silu(linear(x, wg)) * linear(x, wu), wd)

    # ------------------------------------------------------------------ Qwen3-235B-A22B
    def qwen3_expert(hidden_states, token_idx, gate_up_proj, down_proj, weights, final_hidden_states):
        # Qwen3MoeExperts.forward for one expert (the routing weights' [token_idx, top_k_pos] lookup passed in)
        current_state = hidden_states[token_idx]
        gate, up = F.linear(current_state, gate_up_proj).chunk(2, dim=-1)
        current_hidden_states = F.silu(gate) * up
        current_hidden_states = F.linear(current_hidden_states, down_proj)
        current_hidden_states = current_hidden_states * weights
        return final_hidden_states.index_add_(0, token_idx, current_hidden_states.to(final_hidden_states.dtype))

    # ------------------------------------------------------------------ Phi-4-mini and transformers' logits warpers
    def phi3_partial_rope(qkv, cos, sin):  # Phi3Attention: q split from the fused qkv, 96 of 128 dims rotated
        q = qkv[..., : 24 * 128].view(2, 750, 24, 128).transpose(1, 2)
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        rotary_dim = cos.shape[-1]
        q_rot, q_pass = q[..., :rotary_dim], q[..., rotary_dim:]
        return torch.cat([(q_rot * cos) + (rotate_half(q_rot) * sin), q_pass], dim=-1)

    def phi3_gate_up(x, w):  # Phi3MLP: the fused gate_up, chunked, up * SiLU(gate)
        up_states = linear(x, w)
        gate, up_states = up_states.chunk(2, dim=-1)
        return up_states * F.silu(gate)

    def typical(scores):  # TypicalLogitsWarper(mass=0.9)
        normalized = F.log_softmax(scores, dim=-1)
        p = torch.exp(normalized)
        ent = -(normalized * p).nansum(-1, keepdim=True)
        shifted_scores = torch.abs((-normalized) - ent)
        sorted_scores, sorted_indices = torch.sort(shifted_scores, descending=False)
        sorted_logits = scores.gather(-1, sorted_indices)
        cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        last_ind = (cumulative_probs < 0.9).sum(dim=1)
        last_ind.clamp_(max=sorted_scores.shape[-1] - 1)
        sorted_indices_to_remove = sorted_scores > sorted_scores.gather(1, last_ind.view(-1, 1))
        sorted_indices_to_remove[..., :1] = 0
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        return scores.masked_fill(indices_to_remove, -float("inf"))

    def top_k_warper(scores):  # TopKLogitsWarper(top_k=50)
        indices_to_remove = scores < torch.topk(scores, 50)[0][..., -1, None]
        return scores.masked_fill(indices_to_remove, -float("inf"))

    # ------------------------------------------------------------------ Ministral-8B: DoRA and AWQ
    def dora(x, weight, lora_a, lora_b, magnitude):  # PEFT: base_layer(x) + DoraLinearLayer(x, base_result=...)
        result = F.linear(x, weight)
        x_eye = torch.eye(lora_a.shape[1], device=lora_a.device, dtype=x.dtype)
        lora_weight = F.linear(F.linear(x_eye, lora_a), lora_b).T
        w = weight + 2.0 * lora_weight
        weight_norm = torch.linalg.norm(w, dim=1).to(w.dtype)
        mag_norm_scale = (magnitude / weight_norm).view(1, -1)
        lora_result = F.linear(F.linear(x, lora_a), lora_b)
        return result + ((mag_norm_scale - 1) * result + mag_norm_scale * lora_result * 2.0)

    def awq_dequant(qweight, qzeros, scales):  # AutoAWQ's dequantize_gemm (the column reorder by index left out)
        shifts = torch.arange(0, 32, 4, device=qzeros.device)
        iweights = torch.bitwise_right_shift(qweight[:, :, None], shifts[None, None, :]).to(torch.int8)
        iweights = iweights.view(iweights.shape[0], -1)
        izeros = torch.bitwise_right_shift(qzeros[:, :, None], shifts[None, None, :]).to(torch.int8)
        izeros = izeros.view(izeros.shape[0], -1)
        iweight = torch.bitwise_and(iweights, (2 ** 4) - 1)
        izeros = torch.bitwise_and(izeros, (2 ** 4) - 1)
        scales = scales.repeat_interleave(128, dim=0)
        izeros = izeros.repeat_interleave(128, dim=0)
        return (iweight - izeros) * scales

    # ------------------------------------------------------------------ Kimi-K2 / DeepSeek-V3
    def moe_dispatch(x, topk_ids):  # DeepseekV3MoE.moe_infer: counts, the argsort, the rows in expert order
        cnts = topk_ids.new_zeros((topk_ids.shape[0], 384))
        cnts.scatter_(1, topk_ids, 1)
        tokens_per_expert = cnts.sum(dim=0)
        idxs = topk_ids.view(-1).argsort()
        sorted_tokens = x[idxs // topk_ids.shape[1]]
        return tokens_per_expert, idxs, sorted_tokens

    def moe_combine(outs, idxs, topk_weight):  # moe_infer's tail: the outputs put back and weighted in fp32
        new_x = torch.empty_like(outs)
        new_x[idxs] = outs
        return (new_x.view(*topk_weight.shape, -1).type(topk_weight.dtype).mul_(topk_weight.unsqueeze(dim=-1))
                .sum(dim=1).type(new_x.dtype))

    # ------------------------------------------------------------------ MiniMax-Text-01's lightning attention
    def lightning_block(q, k, v, query_decay, key_decay, diagonal_decay, slope_rate, attn_weights_inter):
        # one 256-token block of the prefill loop (block 1 of 4)
        current_query_states = q[:, :, 256:512]
        current_key_states = k[:, :, 256:512]
        current_value_states = v[:, :, 256:512]
        block_decay = torch.exp(-slope_rate * 256)
        attn_weights_intra = torch.matmul(current_query_states, current_key_states.transpose(-1, -2))
        attn_output_intra = torch.matmul(attn_weights_intra * diagonal_decay, current_value_states)
        attn_output_inter = torch.matmul(current_query_states * query_decay, attn_weights_inter)
        current_attn_output = attn_output_inter + attn_output_intra
        next_attn_weights_inter = torch.matmul((current_key_states * key_decay).transpose(-1, -2),
                                               current_value_states)
        return current_attn_output, attn_weights_inter * block_decay + next_attn_weights_inter

    def lightning_split():  # q, k and v as the fused qkv's split leaves them: head slices, transposed
        qkv_states = m(1, 1024, 64, 3 * 128)
        return [t.transpose(1, 2) for t in torch.split(qkv_states, 128, dim=3)]

    def lightning_decode(q, k, v, slope_rate, attn_weights_inter):  # the decode branch, one token
        ratio = torch.exp(-slope_rate)
        current_attn_weights_inter = torch.matmul(k.transpose(-1, -2), v)
        attn_weights_inter = ratio * attn_weights_inter + current_attn_weights_inter
        return torch.matmul(q, attn_weights_inter), attn_weights_inter

    # ------------------------------------------------------------------ Wan2.1-T2V-1.3B, Wan-VAE, HunyuanVideo's VAE
    def time_mlp(t, w1, b1, w2, b2, wp, bp):  # WanModel: time_embedding, then time_projection into 6 x 1536
        e = linear(F.silu(linear(t, w1, b1)), w2, b2)
        return linear(F.silu(e), wp, bp).unflatten(1, (6, 1536))

    def modulate(x, modulation, e):  # WanAttentionBlock: the 6 chunks, norm1(x).float() * (1 + e[1]) + e[0]
        e = (modulation + e).chunk(6, dim=1)
        return F.layer_norm(x.float(), (1536,), eps=1e-6).type_as(x).float() * (1 + e[1]) + e[0]

    def wan_self_attn(q, k, v):  # diffusers' WanAttnProcessor: heads unflattened, SDPA without a mask
        q, k, v = (t.unflatten(2, (12, -1)).transpose(1, 2) for t in (q, k, v))
        return sdpa(q, k, v, attn_mask=None, dropout_p=0.0, is_causal=False).transpose(1, 2).flatten(2, 3)

    def vae_attention(qkv):  # Wan-VAE's AttentionBlock after its 1x1 to_qkv: one head of 384 over the pixels
        q, k, v = qkv.reshape(1, 1, 384 * 3, -1).permute(0, 1, 3, 2).contiguous().chunk(3, dim=-1)
        x = sdpa(q, k, v)
        return x.squeeze(1).permute(0, 2, 1).reshape(1, 384, 60, 104)

    # ------------------------------------------------------------------ KIVI, StreamingLLM, torchao
    def quant_kcache(k):  # KIVI's quant_and_pack_kcache(k, 32, 2): per channel, groups of 32 tokens (no pack)
        B, nh, T, D = k.shape
        max_int = 2 ** 2 - 1
        data = k.view(B, nh, T // 32, 32, D)
        mn = torch.min(data, dim=-2, keepdim=True)[0]
        mx = torch.max(data, dim=-2, keepdim=True)[0]
        scale = (mx - mn) / max_int
        data = data - mn
        data.div_(scale)
        return data.clamp_(0, max_int).round_().to(torch.int32).view(k.shape), scale, mn

    def sink_evict(k, v):  # StreamingLLM's StartRecentKVCache.evict_for_space(past, 1): 4 sinks + 2000 recent
        seq_len = k.size(2)
        return [torch.cat([t[:, :, 0:4], t[:, :, seq_len - 2000 + 1: seq_len]], dim=2) for t in (k, v)]

    def int8_mm(x_int8, w_int8_t, x_scales, w_scales):  # torchao's int_scaled_matmul, then the weight's scales
        y = torch._int_mm(x_int8, w_int8_t) * x_scales.reshape(-1, 1)
        return y.to(f16) * w_scales

    # Qwen3-235B-A22B (bf16: hidden 4096, 64 q heads over 4 KV heads of 128, 128 experts of 1536, top-8, 151936
    # tokens) over an 1811-token prompt: the embeddings, q_proj, causal SDPA through enable_gqa, o_proj, an expert's 113
    # rows (1811 x 8 / 128); at decode (batch 8 over 3000 cached tokens) SDPA through the StaticCache's mask after
    # repeat_kv; vLLM's last-token rows of 8 prompts (6000 tokens), the lm_head at batch 12
    out = [("embedding", F.embedding, (i(1, 1811), m(151936, 4096))),
           ("linear", linear, (m(1811, 4096), m(8192, 4096))),
           ("linear", linear, (m(1811, 4096), m(512, 4096))),
           ("sdpa_gqa_causal", lambda q, k, v: sdpa(q, k, v, is_causal=True, scale=128 ** -0.5, enable_gqa=True),
            (m(1, 64, 1811, 128), m(1, 4, 1811, 128), m(1, 4, 1811, 128))),
           ("linear", linear, (m(1811, 8192), m(4096, 8192))),
           ("qwen3_expert", qwen3_expert, (m(1811, 4096), i(113), m(3072, 4096), m(4096, 1536), m(113, 1),
                                           m(1811, 4096))),
           ("sdpa_decode_mask", lambda q, k, v, a: sdpa(q, repeat_kv(k, 16), repeat_kv(v, 16), attn_mask=a,
                                                        scale=128 ** -0.5),
            (m(8, 64, 1, 128), m(8, 4, 3000, 128), m(8, 4, 3000, 128), m(8, 1, 1, 3000, dt=b8))),
           ("index_select", lambda h, idx: h.index_select(0, idx), (m(6000, 4096), i(8))),
           ("lm_head", linear, (m(12, 4096), m(151936, 4096)))]
    # Llama-4-Maverick (bf16: hidden 5120, 40 q heads over 8 KV heads of 128, 128 experts, top-1, a shared expert of
    # 8192) over a 9000-token prompt: SDPA through the chunked mask (chunks of 8192) after repeat_kv; at decode (batch
    # 32) the shared expert
    out += [("sdpa_chunked", lambda q, k, v, a: sdpa(q, repeat_kv(k, 5), repeat_kv(v, 5), attn_mask=a,
                                                     scale=128 ** -0.5),
             (m(1, 40, 9000, 128), m(1, 8, 9000, 128), m(1, 8, 9000, 128), m(1, 1, 9000, 9000, dt=b8))),
            ("shared_expert", swiglu, (m(32, 5120), m(8192, 5120), m(8192, 5120), m(5120, 8192)))]
    # Phi-4-mini (bf16: hidden 3072, 24 q heads over 8 KV heads of 128, 96 rotary dims, 8192 wide, 200064 tokens) over
    # two 750-token prompts: the fused qkv, q's partial rotary, the fused gate_up and down_proj; the lm_head at decode
    # (batch 6) and transformers' typical (mass 0.9) and top-k (50) warpers over its fp32 scores, the sample
    out += [("linear", linear, (m(1500, 3072), m(5120, 3072))),
            ("partial_rope", phi3_partial_rope, (m(2, 750, 5120), m(2, 750, 96), m(2, 750, 96))),
            ("gate_up", phi3_gate_up, (m(1500, 3072), m(16384, 3072))),
            ("linear", linear, (m(1500, 3072), m(3072, 3072))),
            ("linear", linear, (m(1500, 8192), m(3072, 8192))),
            ("lm_head", linear, (m(6, 3072), m(200064, 3072))),
            ("typical", typical, (m(6, 200064, dt=f32),)),
            ("top_k", top_k_warper, (m(6, 200064, dt=f32),)),
            ("multinomial", lambda p: torch.multinomial(p, num_samples=1).squeeze(1), (m(6, 200064, dt=f32),))]
    # Mistral-Large-2 (bf16: hidden 12288, 28672 wide, 32768 tokens) at decode (batch 16): q_proj, down_proj, the
    # lm_head; gate_proj over a 700-token prompt
    out += [("linear", linear, (m(16, 12288), m(12288, 12288))),
            ("linear", linear, (m(16, 28672), m(12288, 28672))),
            ("lm_head", linear, (m(16, 12288), m(32768, 12288))),
            ("linear", linear, (m(700, 12288), m(28672, 12288)))]
    # Ministral-8B (bf16: hidden 4096, 12288 wide, 131072 tokens): the lm_head at decode (batch 3); DoRA (rank 16,
    # alpha 32) on q_proj over two 512-token prompts; AutoAWQ's down_proj (fp16, 4-bit in groups of 128: 12288 x 512
    # int32 words) dequantised and multiplied over 300 tokens
    out += [("lm_head", linear, (m(3, 4096), m(131072, 4096))),
            ("dora", dora, (m(1024, 4096), m(4096, 4096), m(16, 4096), m(4096, 16), m(4096))),
            ("awq_dequant", awq_dequant, (m(12288, 512, dt=i32), m(96, 512, dt=i32), m(96, 4096, dt=f16))),
            ("matmul", torch.matmul, (m(300, 12288, dt=f16), m(12288, 4096, dt=f16)))]
    # Kimi-K2 (bf16: hidden 7168, 384 experts of 2048, top-8) over a 1024-token prompt: moe_infer's dispatch, an
    # expert over its 21 rows, the combine. DeepSeek-V3's MTP layer in vLLM at decode (batch 32): the normed embeddings
    # and hidden states joined through eh_proj (enorm and hnorm before it are vLLM's fused RMSNorm), the shared head
    out += [("moe_dispatch", moe_dispatch, (m(1024, 7168), i(1024, 8))),
            ("expert", swiglu, (m(21, 7168), m(2048, 7168), m(2048, 7168), m(7168, 2048))),
            ("moe_combine", moe_combine, (m(8192, 7168), i(8192), m(1024, 8, dt=f32))),
            ("eh_proj", lambda e, h, w: linear(torch.cat([e, h], dim=-1), w), (m(32, 7168), m(32, 7168),
                                                                              m(7168, 14336))),
            ("lm_head", linear, (m(32, 7168), m(129280, 7168)))]
    # MiniMax-Text-01's lightning attention (bf16: 64 heads of 128, blocks of 256) over a 1024-token prompt: one block
    # (the decays' buffers in bf16, the state in bf16); the decode step at batch 8
    out += [("lightning_block", lightning_block, (*lightning_split(), m(64, 256, 1), m(64, 256, 1),
                                                  m(1, 64, 256, 256), m(64, 1, 1), m(1, 64, 128, 128))),
            ("lightning_decode", lightning_decode, (m(8, 64, 1, 128), m(8, 64, 1, 128), m(8, 64, 1, 128),
                                                    m(64, 1, 1), m(8, 64, 128, 128)))]
    # Wan2.1-T2V-1.3B (dim 1536, 12 heads of 128, 8960 wide; 480 x 832, 81 frames: 21 x 30 x 52 = 32760 video tokens,
    # 512 text tokens): the time MLP in fp32, then one block: the modulation, q, self and cross SDPA, the FFN
    out += [("time_mlp", time_mlp, (m(1, 256, dt=f32), m(1536, 256, dt=f32), m(1536, dt=f32), m(1536, 1536, dt=f32),
                                    m(1536, dt=f32), m(9216, 1536, dt=f32), m(9216, dt=f32))),
            ("modulate", modulate, (m(1, 32760, 1536, dt=f32), m(1, 6, 1536, dt=f32), m(1, 6, 1536, dt=f32))),
            ("linear_bias", lambda h, w, b: linear(h.to(bf), w, b), (m(1, 32760, 1536, dt=f32), m(1536, 1536),
                                                                     m(1536))),
            ("sdpa_video", wan_self_attn, (m(1, 32760, 1536), m(1, 32760, 1536), m(1, 32760, 1536))),
            ("sdpa_cross", lambda q, k, v: sdpa(q.unflatten(2, (12, -1)).transpose(1, 2),
                                                k.unflatten(2, (12, -1)).transpose(1, 2),
                                                v.unflatten(2, (12, -1)).transpose(1, 2)),
             (m(1, 32760, 1536), m(1, 512, 1536), m(1, 512, 1536))),
            ("ffn", lambda x, w1, b1, w2, b2: linear(F.gelu(linear(x, w1, b1), approximate="tanh"), w2, b2),
             (m(1, 32760, 1536), m(8960, 1536), m(8960), m(1536, 8960), m(1536)))]
    # Wan-VAE's mid-block attention (fp32: one head of 384 over the 60 x 104 latent's pixels); HunyuanVideo's VAE
    # decoder (fp16, a tile of 17 latent frames of 32 x 32): GroupNorm(32) and SiLU, SDPA with one head of 512 through
    # the frame-causal mask
    out += [("vae_attention", vae_attention, (m(1, 1152, 60, 104, dt=f32),)),
            ("group_norm_silu", lambda x, w, b: F.silu(F.group_norm(x, 32, w, b, 1e-6)),
             (m(1, 512, 17, 32, 32, dt=f16), m(512, dt=f16), m(512, dt=f16))),
            ("sdpa_frame_causal", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a.view(1, 1, -1, a.shape[-1])),
             (m(1, 1, 17408, 512, dt=f16), m(1, 1, 17408, 512, dt=f16), m(1, 1, 17408, 512, dt=f16),
              m(1, 17408, 17408, dt=f16)))]
    # KIVI-2 on Mistral-7B-v0.2 (fp16: 8 KV heads of 128) at decode (batch 8): the full 128-token residual of keys
    # quantised per channel. StreamingLLM on Llama-2-7B-chat (fp16: 32 heads of 128) at decode: 4 sinks and 2000
    # recent tokens kept. torchao's int8 dynamic quantisation of OPT-30B's fc1 (7168 -> 28672) over 704 tokens
    out += [("kivi_keys", quant_kcache, (m(8, 8, 128, 128, dt=f16),)),
            ("sink_evict", sink_evict, (m(1, 32, 2004, 128, dt=f16), m(1, 32, 2004, 128, dt=f16))),
            ("int8_mm", int8_mm, (m(704, 7168, dt=i8), m(28672, 7168, dt=i8).t(), m(704, 1, dt=f32),
                                  m(28672, dt=f16)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK12, _check12()),))
