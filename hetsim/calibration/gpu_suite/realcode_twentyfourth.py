"""The aten sweep's sixteenth blind real-code group: `realcode-check16`, everyday PyTorch inference and serving code.

Each case is one op or a short idiom as model, serving and sampling code writes it (projections with and without
bias at prefill and decode widths, lm heads of real vocabularies, attention by SDPA (causal, GQA by enable_gqa, a
float relative-position bias, ALiBi and padding masks, a speculative tree mask, keys of 192 with values of 128,
heads of 104 and 256, decode over a concatenated cache) and by eager matmul with tanh soft-capping, linear attention
in fp32, chunked gated-delta and SSD scans by batched matmul, a triangular solve and einsum, norms (RMSNorm by hand
in fp32, zero-centred and gated RMSNorms, a mean-centred LayerNorm by hand, LayerNorm, GroupNorm, BatchNorm), rotary
variants (rotate_half, partial, interleaved by repeat_interleave and stack), convolutions (patch embeddings,
depthwise 1-D and 2-D, strided and pointwise, 3x3 UNet convs), MoE routing (softmax top-k, group-limited greedy,
one-hot expert masks, an expert's rows gathered and index_added back), sampling warpers and logprobs, int8 KV
quantisation, layout copies), at the widths of models and the code no earlier group uses: Qwen3-14B in transformers
(the embedding, the fp32 RMSNorm by hand, q with its per-head q_norm, the rotary table by a K = 1 matmul and
rotate_half, causal SDPA of 40 q heads over 8 KV heads by enable_gqa, o_proj with its residual, the 17408-wide
SwiGLU, the last token's 151936-token head; at decode the DynamicCache's cat, SDPA over 2049 cached tokens, the head
and the greedy argmax), Gemma-2-9B in eager attention (the normalised embeddings, the sliding-window float mask
built from positions and padding, q, scores over heads of 256 at query_pre_attn_scalar 256 after repeat_kv, the tanh
soft-cap at 50 with the sliding mask and the fp32 softmax, the values, the sandwich norm with its 1 + weight, the
tanh-GELU gate, a decode step's whole eager attention, the 256000-token head and its final soft-cap at 30),
Qwen3-Next-80B-A3B (the gated DeltaNet: in_proj_qkvz and in_proj_ba, the head-grouped split into q / k / v / z, the
depthwise causal conv1d by F.conv1d, beta and the softplus decay, the repeat_interleave'd and l2-normalised fp32
heads, the chunk's cumulative decay and pairwise exp, the UT system by batched matmul,
torch.linalg.solve_triangular, one step of the chunk scan, the gated RMSNorm, out_proj; gated attention's 2x q_proj
split into query and gate, the zero-centred q_norm, partial rotary over 64 of 256 dims, causal SDPA over 2 KV heads
of 256; the 512-expert softmax top-10 router, the one-hot expert mask, an expert's 80 rows through a slice of the
stacked gate_up and down weights and index_add_ back, the shared expert; at decode causal_conv1d_update, the
recurrent delta-rule step over the fp32 state and the head), DeepSeek-V2 (236B) in plain torch (q_b, kv_a with its
split and RMSNorm, kv_b's expansion into keys of 192 by new_empty and copy_, causal SDPA with values of 128 at the
YaRN mscale, o_proj, the fp32 group-limited greedy router over 8 groups of 20 experts, the shared experts; at decode
kv_b over the whole latent cache, SDPA and the 102400-token head), Mamba-2-2.7B through mamba_ssm's torch paths
(in_proj, the depthwise conv1d, dt's softplus and the discretisation, ssd_minimal's chunk cumsum, segsum, the four
einsums of the chunked scan, the D skip, the gated RMSNorm, out_proj), InternVL2.5-38B's InternViT-6B over 7 tiles
(the 14x14 patch conv, cls and position embeddings, the full-width q RMSNorm, SDPA of 25 heads of 128 over 1025
tokens, layer scale, the GELU MLP, the pixel shuffle and the projector into 5120), OpenCLIP ViT-bigG-14 in fp16 (the
patch conv, ln_pre, in_proj into heads of 104, the GELU MLP, the pooled projection; the text tower's causal SDPA,
the EOT pooling by argmax, zero-shot logits over 1000 prompts), SDXL's UNet in fp16 (the sinusoidal time embedding
and its MLP, GroupNorm with SiLU, 3x3 convs, the time-embedding broadcast add, the 1x1 shortcut, the strided
downsample, the nearest upsample, the skip concat, proj_in's GroupNorm and token layout), Sana-1600M at 2K (the 1x1
patch embedding, adaLN-single's modulation, the ReLU linear attention in fp32 with its padded value row,
cross-attention of 20 heads of 112 through a caption mask, GLUMBConv's inverted 1x1 conv, 3x3 depthwise conv and
gated point conv), Parakeet-CTC-1.1B (FastConformer: the strided 2-D subsampling convs, the relative positional
encoding, the macaron feed-forwards, the rel-shifted position scores as an SDPA bias, the GLU pointwise conv, the
depthwise conv1d of kernel 9, BatchNorm with SiLU, the CTC head by conv1d and its greedy argmax), T5-v1.1-XXL's
encoder (T5LayerNorm, the relative position buckets and bias, the padding mask added, SDPA at scale 1 through the
bias, gelu_new's tanh chain times wi_1, wo), jina-embeddings-v2-base in fp16 (the word and token-type embeddings'
LayerNorm, the symmetric ALiBi bias with the padding mask, SDPA through it, the GLU MLP, masked mean pooling),
EAGLE-3 on Llama-3.1-8B (three target layers fused by fc, the draft's joined norms, its 2x-wide q_proj, tree SDPA,
the 32000-token draft head, top-8 log-probabilities, the draft-to-target id map), transformers' logits processors
over Qwen3's vocabulary (repetition penalty by gather / where / scatter, temperature and top-k, min-p, the
multinomial draw) with vLLM-style sampled-token logprobs and ranks, per-token int8 KV-cache quantisation and
dequantisation, and Command-A at 8-way tensor parallelism (the mean-centred LayerNorm by hand, the q shard, the
interleaved rotary table and rotation in fp32), at inference batches and token counts; about a quarter of the cases
are cuBLAS products. The group is never fitted: it is traced on the meta device, timed on the GPU and only scored.
The builder (hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal to
one of theirs, so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK16 = "realcode-check16"


def _check16():
    import math

    import torch
    import torch.nn.functional as F

    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    b8, i8 = torch.bool, torch.int8
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers, repeat_kv, rotate_half

    m, i = _meta_makers()

    linear = _layer_makers(1e-6)[0]

    def rms_fp32(x, w, eps=1e-6):  # Qwen3RMSNorm / DeepseekV2RMSNorm / InternVLVisionRMSNorm: weight times the cast
        dtype = x.dtype
        x = x.to(f32)
        variance = x.pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(variance + eps)
        return w * x.to(dtype)

    def rms_one_plus(x, w, eps=1e-6):  # Gemma2RMSNorm / Qwen3NextRMSNorm: (x * (1 + w)) in fp32, then the cast
        out = x.float()
        out = out * torch.rsqrt(out.pow(2).mean(-1, keepdim=True) + eps)
        out = out * (1.0 + w.float())
        return out.type_as(x)


    def rope_table(inv_freq, position_ids, dtype=bf):  # the rotary embedding's forward: a K = 1 matmul in fp32
        inv = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
        pos = position_ids[:, None, :].float()
        freqs = (inv @ pos).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(dtype), emb.sin().to(dtype)

    def apply_rope(q, k, cos, sin):
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin

    def swiglu(x, wg, wu, wd):
        return linear(F.silu(linear(x, wg)) * linear(x, wu), wd)

    # ------------------------------------------------------------------ Qwen3-14B (transformers)
    def q_head_norm(x, w):  # q_proj's output viewed per head, q_norm over 128, heads moved first
        b, s, _ = x.shape
        return rms_fp32(x.view(b, s, -1, 128), w).transpose(1, 2)

    def o_proj_residual(residual, a, w):
        return residual + linear(a, w)

    # ------------------------------------------------------------------ Gemma-2-9B (eager attention)
    def scaled_embed(ids, w):
        h = F.embedding(ids, w)
        return h * torch.tensor(3584 ** 0.5, dtype=h.dtype)

    def sliding_window_mask(attention_mask, window=4096):  # the eager path's float mask: causal, window, padding
        n = attention_mask.shape[1]
        q_idx = torch.arange(n, device=attention_mask.device)[:, None]
        kv_idx = torch.arange(n, device=attention_mask.device)[None, :]
        allowed = (kv_idx <= q_idx) & (kv_idx > q_idx - window)
        allowed = allowed[None, None] & attention_mask[:, None, None, :].bool()
        return torch.where(allowed, torch.tensor(0.0, dtype=bf), torch.finfo(bf).min)

    def eager_scores(q, k, scaling=256 ** -0.5):
        return torch.matmul(q, repeat_kv(k, 2).transpose(2, 3)) * scaling

    def softcap_mask_softmax(w, mask, softcap=50.0):
        w = w / softcap
        w = torch.tanh(w)
        w = w * softcap
        w = w + mask
        return F.softmax(w, dim=-1, dtype=f32).to(bf)

    def attn_values(p, v):
        return torch.matmul(p, repeat_kv(v, 2)).transpose(1, 2).contiguous()

    def gemma_eager_decode(q, k, v, mask):
        w = softcap_mask_softmax(eager_scores(q, k), mask)
        return attn_values(w, v)

    def final_softcap(logits, cap=30.0):
        logits = logits / cap
        logits = torch.tanh(logits)
        return logits * cap

    # ------------------------------------------------------------------ Qwen3-Next-80B-A3B
    def qkvz_ordering(qkvz, ba):  # fix_query_key_value_ordering, then q / k / v joined and moved channel-first
        bsz, sl = qkvz.shape[:2]
        qkvz = qkvz.view(bsz, sl, 16, 768)
        ba = ba.view(bsz, sl, 16, 4)
        q, k, v, z = torch.split(qkvz, [128, 128, 256, 256], dim=3)
        b, a = torch.split(ba, [2, 2], dim=3)
        v = v.reshape(bsz, sl, -1, 128)
        z = z.reshape(bsz, sl, -1, 128)
        b, a = b.reshape(bsz, sl, 32), a.reshape(bsz, sl, 32)
        q, k, v = (x.reshape(bsz, sl, -1) for x in (q, k, v))
        return torch.cat((q, k, v), dim=-1).transpose(1, 2), z, b, a

    def causal_conv1d_fn(x, w):  # the torch fallback: depthwise F.conv1d padded by kernel - 1, cut, SiLU
        x = x.transpose(1, 2)
        seq_len = x.shape[-1]
        out = F.conv1d(x, w.unsqueeze(1), None, padding=w.shape[-1] - 1, groups=x.shape[1])[:, :, :seq_len]
        return F.silu(out)

    def gdn_gates(b, a, a_log, dt_bias):  # beta, and the decay g = -exp(A_log) * softplus(a + dt_bias) in fp32
        return b.sigmoid(), -a_log.float().exp() * F.softplus(a.float() + dt_bias)

    def l2norm(x, eps=1e-6):
        return x * torch.rsqrt((x * x).sum(dim=-1, keepdim=True) + eps)

    def gdn_chunk_prep(mixed):  # q / k / v split per head, k heads repeated to the 32 v heads, fp32, l2norm
        bsz, sl = mixed.shape[:2]
        q, k, v = torch.split(mixed, [2048, 2048, 4096], dim=-1)
        q = q.reshape(bsz, sl, -1, 128).repeat_interleave(2, dim=2)
        k = k.reshape(bsz, sl, -1, 128).repeat_interleave(2, dim=2)
        v = v.reshape(bsz, sl, -1, 128)
        q, k, v = (x.transpose(1, 2).to(f32, memory_format=torch.contiguous_format) for x in (q, k, v))
        q, k = l2norm(q), l2norm(k)
        return q * 128 ** -0.5, k, v

    def gdn_chunk_decay(k, v, beta, decay, chunk=64):  # beta applied, chunks made, cumulative and pairwise decay
        v_beta = v * beta.unsqueeze(-1)
        k_beta = k * beta.unsqueeze(-1)
        k_beta, v_beta = (x.reshape(x.shape[0], x.shape[1], -1, chunk, x.shape[-1]) for x in (k_beta, v_beta))
        decay = decay.reshape(decay.shape[0], decay.shape[1], -1, chunk)
        upper = torch.ones(chunk, chunk, dtype=b8, device=k.device).triu(1)
        cum = decay.cumsum(dim=3)
        pairwise = (cum.unsqueeze(4) - cum.unsqueeze(3)).masked_fill(upper, float("-inf")).exp()
        return k_beta, v_beta, cum, pairwise

    def chunk_scan_step(new_values, k_cumdecay, query, intra, key, state, chunk_decay, c=10):  # chunk c of the loop
        v_new = new_values[:, :, c] - k_cumdecay[:, :, c] @ state
        out = query[:, :, c] @ state + intra[:, :, c] @ v_new
        state = state * chunk_decay[:, :, c] + key[:, :, c].transpose(-1, -2) @ v_new
        return out, state

    def gated_rmsnorm(core, z, w, eps=1e-6):  # Qwen3NextRMSNormGated over [tokens * heads, 128]
        core = core.reshape(-1, core.shape[-1])
        z = z.reshape(-1, z.shape[-1])
        dtype = core.dtype
        x = core.to(f32)
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
        x = w * x.to(dtype)
        return (x * F.silu(z.to(f32))).to(dtype)

    def q_gate_split_norm(qg, w):  # q_proj's 2x output viewed per head, chunked into query and gate, q_norm
        bsz, sl = qg.shape[:2]
        q, gate = torch.chunk(qg.view(bsz, sl, -1, 512), 2, dim=-1)
        gate = gate.reshape(bsz, sl, -1)
        return rms_one_plus(q.reshape(bsz, sl, -1, 256), w).transpose(1, 2), gate

    def partial_rope(q, k, cos, sin, rot=64):
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        q_rot, q_pass = q[..., :rot], q[..., rot:]
        k_rot, k_pass = k[..., :rot], k[..., rot:]
        q = torch.cat([q_rot * cos + rotate_half(q_rot) * sin, q_pass], dim=-1)
        k = torch.cat([k_rot * cos + rotate_half(k_rot) * sin, k_pass], dim=-1)
        return q, k

    def router_topk(x, w, top_k=10):  # softmax in fp32, top-10, renormalised, back to the logits' dtype
        logits = F.linear(x, w)
        probs = F.softmax(logits, dtype=torch.float, dim=-1)
        top_v, top_i = torch.topk(probs, top_k, dim=-1)
        top_v /= top_v.sum(dim=-1, keepdim=True)
        return top_v.to(logits.dtype), top_i

    def expert_mask(probs, n=512, top_k=10):  # one_hot of the top-k ids, permuted expert-first, the experts hit
        top_i = torch.topk(probs, top_k, dim=-1).indices
        mask = F.one_hot(top_i, num_classes=n).permute(2, 1, 0)
        return mask, torch.greater(mask.sum(dim=(-1, -2)), 0)

    def expert_gate_up(h, token_idx, gate_up, e=37):
        gate, up = F.linear(h[token_idx], gate_up[e]).chunk(2, dim=-1)
        return F.silu(gate) * up

    def expert_down_combine(cur, down, weights, flat_pos, out, token_idx, e=37):
        cur = F.linear(cur, down[e]) * weights.view(-1)[flat_pos][:, None]
        return out.index_add_(0, token_idx, cur.to(out.dtype))

    def conv1d_update(x, conv_state, w):  # causal_conv1d_update's fallback at one token
        x = x.transpose(1, 2)
        state_len = conv_state.shape[-1]
        new = torch.cat([conv_state, x], dim=-1).to(w.dtype)
        conv_state.copy_(new[:, :, -state_len:])
        out = F.conv1d(new, w.unsqueeze(1), None, padding=0, groups=x.shape[1])[:, :, -1:]
        return F.silu(out).to(x.dtype)

    def recurrent_delta_step(q, k, v, g, beta, state):  # torch_recurrent_gated_delta_rule at one token
        dtype = q.dtype
        q, k, v, beta, g = (x.transpose(1, 2).to(f32, memory_format=torch.contiguous_format)
                            for x in (q, k, v, beta, g))
        q, k = l2norm(q), l2norm(k)
        q = q / (q.shape[-1] ** 0.5)
        q_t, k_t, v_t = q[:, :, 0], k[:, :, 0], v[:, :, 0]
        state = state * g[:, :, 0].exp()[..., None, None]
        kv_mem = (state * k_t.unsqueeze(-1)).sum(dim=-2)
        delta = (v_t - kv_mem) * beta[:, :, 0].unsqueeze(-1)
        state = state + k_t.unsqueeze(-1) * delta.unsqueeze(-2)
        out = (state * q_t.unsqueeze(-1)).sum(dim=-2)
        return out.unsqueeze(1).to(dtype), state

    # ------------------------------------------------------------------ DeepSeek-V2 (236B)
    def kv_split_norm(ckv, w):
        bsz, sl = ckv.shape[:2]
        kv_nope, k_pe = torch.split(ckv, [512, 64], dim=-1)
        return rms_fp32(kv_nope, w).view(bsz, 1, sl, 512), k_pe.view(bsz, 1, sl, 64)

    def expand_kv(kv, k_rot):  # kv_b's output split into k_nope and values, keys assembled by new_empty and copy_
        bsz, _, sl, _ = kv.shape
        kv = kv.view(bsz, sl, -1, 256).transpose(1, 2)
        k_nope, value = torch.split(kv, [128, 128], dim=-1)
        k_rot = k_rot.expand(-1, k_nope.shape[1], -1, -1)
        key = kv.new_empty(*kv.shape[:-1], 192)
        key[..., :128].copy_(k_nope)
        key[..., 128:].copy_(k_rot)
        return key, value

    def query_cat(q, q_pe):
        bsz, sl = q.shape[:2]
        q_nope = q.view(bsz, sl, -1, 192).transpose(1, 2)[..., :128]
        return torch.cat((q_nope, q_pe), dim=-1)

    def group_limited_gate(h, w, n_group=8, topk_group=3, top_k=6, scaling=16.0):
        h = h.view(-1, h.shape[-1])
        logits = F.linear(h.type(f32), w.type(f32))
        scores = logits.softmax(dim=-1, dtype=f32)
        n = scores.shape[-1]
        group_scores = scores.view(-1, n_group, n // n_group).max(dim=-1).values
        group_idx = torch.topk(group_scores, k=topk_group, dim=-1, sorted=False)[1]
        group_mask = torch.zeros_like(group_scores)
        group_mask.scatter_(1, group_idx, 1)
        score_mask = group_mask.unsqueeze(-1).expand(-1, n_group, n // n_group).reshape(-1, n)
        scores = scores.masked_fill(~score_mask.bool(), 0.0)
        topk_w, topk_i = torch.topk(scores, k=top_k, dim=-1, sorted=False)
        return topk_w * scaling, topk_i

    mla_scale = 192 ** -0.5 * (0.1 * math.log(40) + 1) ** 2

    # ------------------------------------------------------------------ Mamba-2-2.7B (mamba_ssm, torch paths)
    def mamba_conv(zxbcdt, w, b):  # xBC split from in_proj's output, depthwise conv1d, cut to the sequence, SiLU
        seqlen = zxbcdt.shape[1]
        _, xbc, _ = torch.split(zxbcdt, [5120, 5376, 80], dim=-1)
        return F.silu(F.conv1d(xbc.transpose(1, 2), w, b, padding=3, groups=5376).transpose(1, 2)[:, :seqlen])

    def mamba_discretise(xbc, dt, dt_bias, a_log, chunk=256):  # X * dt and A * dt, in chunks, for ssd_minimal
        bsz, sl = xbc.shape[:2]
        x, bm, cm = torch.split(xbc, [5120, 128, 128], dim=-1)
        dt = F.softplus(dt.float() + dt_bias.float())
        a = -torch.exp(a_log.float())
        x = x.reshape(bsz, sl, 80, 64).float() * dt.unsqueeze(-1)
        a = (a * dt).reshape(bsz, -1, chunk, 80).permute(0, 3, 1, 2)
        bm = bm.reshape(bsz, -1, chunk, 1, 128).float()
        cm = cm.reshape(bsz, -1, chunk, 1, 128).float()
        return x.reshape(bsz, -1, chunk, 80, 64), a.cumsum(dim=-1), bm, cm

    def segsum(x):  # ssd_minimal's stable segment sum
        t = x.size(-1)
        x = x[..., None].expand(*x.shape, t)
        mask = torch.tril(torch.ones(t, t, device=x.device, dtype=b8), diagonal=-1)
        x = x.masked_fill(~mask, 0)
        x_segsum = torch.cumsum(x, dim=-2)
        mask = torch.tril(torch.ones(t, t, device=x.device, dtype=b8), diagonal=0)
        return x_segsum.masked_fill(~mask, -torch.inf)

    def chunk_states(bm, a_cumsum, x):
        decay_states = torch.exp(a_cumsum[:, :, :, -1:] - a_cumsum)
        return torch.einsum("bclgn,bhcl,bclhp->bcghpn", bm, decay_states, x)

    def inter_chunk(a_cumsum, states):
        states = torch.cat([torch.zeros_like(states[:, :1]), states], dim=1)
        decay_chunk = torch.exp(segsum(F.pad(a_cumsum[:, :, :, -1], (1, 0))))
        new_states = torch.einsum("bhzc,bcghpn->bzghpn", decay_chunk, states)
        return new_states[:, :-1], new_states[:, -1]

    def y_off(cm, states, a_cumsum):
        return torch.einsum("bclgn,bcghpn,bhcl->bclhp", cm, states, torch.exp(a_cumsum))

    def y_combine(y_diag, y_offd, x, d):  # the chunks joined, the D skip, heads flattened, back to bf16
        bsz = y_diag.shape[0]
        y = (y_diag + y_offd).reshape(bsz, -1, 80, 64)
        y = y + x.float() * d.float().unsqueeze(-1)
        return y.reshape(bsz, y.shape[1], -1).to(bf)

    def rmsnorm_gated_ref(x, z, w, eps=1e-5):  # rms_norm_ref with norm_before_gate=False, upcast
        dtype = x.dtype
        x = x.float() * F.silu(z.float())
        rstd = 1 / torch.sqrt(x.square().mean(dim=-1, keepdim=True) + eps)
        return (x * rstd * w.float()).to(dtype)

    # ------------------------------------------------------------------ InternViT-6B (InternVL2.5-38B)
    def pixel_shuffle(v, scale=0.5):  # InternVL: cls dropped, the 32 x 32 map folded 2 x 2 into channels
        v = v[:, 1:, :]
        b = v.shape[0]
        side = int(v.shape[1] ** 0.5)
        v = v.reshape(b, side, side, -1)
        n, w, h, c = v.size()
        v = v.view(n, w, int(h * scale), int(c / scale)).permute(0, 2, 1, 3).contiguous()
        v = v.view(n, int(h * scale), int(w * scale), int(c / (scale * scale))).permute(0, 2, 1, 3).contiguous()
        return v.reshape(b, -1, v.shape[-1])

    # ------------------------------------------------------------------ OpenCLIP ViT-bigG-14 (fp16)
    def clip_patchify(px, w):
        x = F.conv2d(px, w, stride=14)
        return x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)

    def clip_cls_pos_ln(x, cls, pos, w, b):
        x = torch.cat([cls.view(1, 1, -1).expand(x.shape[0], -1, -1).to(x.dtype), x], dim=1)
        x = x + pos.to(x.dtype)
        return F.layer_norm(x, (x.shape[-1],), w, b)

    def clip_heads_sdpa(qkv, heads=16):  # in_proj's output chunked, heads of 104, SDPA, heads merged
        b, n, _ = qkv.shape
        q, k, v = (t.view(b, n, heads, -1).transpose(1, 2) for t in qkv.chunk(3, dim=-1))
        return sdpa(q, k, v).transpose(1, 2).reshape(b, n, -1)

    def eot_pool(x, text, proj):
        return x[torch.arange(x.shape[0], device=x.device), text.argmax(dim=-1)] @ proj

    def zero_shot(img, txt, logit_scale):
        img, txt = F.normalize(img, dim=-1), F.normalize(txt, dim=-1)
        return (logit_scale.exp() * img @ txt.T).softmax(dim=-1)

    # ------------------------------------------------------------------ SDXL UNet (fp16)
    def time_embedding(t, w1, b1, w2, b2, dim=320):  # get_timestep_embedding (flip_sin_to_cos), then the MLP
        half = dim // 2
        exponent = -math.log(10000) * torch.arange(0, half, dtype=f32, device=t.device) / half
        emb = t[:, None].float() * torch.exp(exponent)[None, :]
        emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
        return linear(F.silu(linear(emb.to(w1.dtype), w1, b1)), w2, b2)

    def conv2_shortcut(h, x, w2, b2, ws, bs):
        return (F.conv2d(x, ws, bs) + F.conv2d(h, w2, b2, padding=1)) / 1.0

    def proj_in_tokens(x, gw, gb, w, b):
        bsz, c, hh, ww = x.shape
        x = F.group_norm(x, 32, gw, gb, 1e-6)
        x = x.permute(0, 2, 3, 1).reshape(bsz, hh * ww, c)
        return linear(x, w, b)

    # ------------------------------------------------------------------ Sana-1600M 2K
    def sana_modulate(h, table, t):
        shift, scale, gate, _, _, _ = (table[None] + t.reshape(t.shape[0], 6, -1)).chunk(6, dim=1)
        n = F.layer_norm(h, (h.shape[-1],), eps=1e-6)
        return (n * (1 + scale) + shift).to(h.dtype), gate

    def sana_linear_attn(q, k, v, heads=70):  # SanaLinearAttnProcessor2_0 between the projections
        dtype = q.dtype
        q = q.transpose(1, 2).unflatten(1, (heads, -1))
        k = k.transpose(1, 2).unflatten(1, (heads, -1)).transpose(2, 3)
        v = v.transpose(1, 2).unflatten(1, (heads, -1))
        q, k = F.relu(q), F.relu(k)
        q, k, v = q.float(), k.float(), v.float()
        v = F.pad(v, (0, 0, 0, 1), mode="constant", value=1.0)
        h = torch.matmul(torch.matmul(v, k), q)
        h = h[:, :, :-1] / (h[:, :, -1:] + 1e-15)
        return h.flatten(1, 2).transpose(1, 2).to(dtype)

    def conv_inverted_silu(h, w, b, side=64):
        x = h.unflatten(1, (side, side)).permute(0, 3, 1, 2)
        return F.silu(F.conv2d(x, w, b))

    def glu_conv_point(x, w):
        h, gate = torch.chunk(x, 2, dim=1)
        return F.conv2d(h * F.silu(gate), w).flatten(2, 3).permute(0, 2, 1)

    # ------------------------------------------------------------------ Parakeet-CTC-1.1B (FastConformer)
    def rel_pos_encoding(inv_freq, seq_len=750, dtype=bf):
        pos = torch.arange(seq_len - 1, -seq_len, -1, device=inv_freq.device)
        inv = inv_freq[None, :, None].float()
        freqs = (inv @ pos[None, None, :].float()).transpose(1, 2)
        pe = torch.stack([freqs.sin(), freqs.cos()], dim=-1)
        return pe.reshape(*pe.shape[:-2], -1).to(dtype)

    def macaron_ff1(x, lw, lb, w, b):
        return F.silu(linear(F.layer_norm(x, (x.shape[-1],), lw, lb), w, b))

    def matrix_bd(q, bias_v, rel_k, scaling=128 ** -0.5):  # position scores, rel_shift, cut, scaled
        bsz, heads, ql, _ = q.shape
        rk = rel_k.view(1, -1, heads, 128)
        bd = (q + bias_v.view(1, heads, 1, 128)) @ rk.permute(0, 2, 3, 1)
        pl = bd.shape[-1]
        bd = F.pad(bd, pad=(1, 0)).view(bsz, heads, -1, ql)
        bd = bd[:, :, 1:].view(bsz, heads, ql, pl)
        return bd[..., :ql] * scaling

    def ctc_greedy(h, w, b):
        logits = F.conv1d(h.transpose(1, 2), w, b).transpose(1, 2)
        return logits.argmax(dim=-1)

    # ------------------------------------------------------------------ T5-v1.1-XXL encoder
    def t5_layer_norm(x, w, eps=1e-6):
        variance = x.to(f32).pow(2).mean(-1, keepdim=True)
        x = x * torch.rsqrt(variance + eps)
        return w * x.to(w.dtype)

    def t5_position_bias(table, q_len=512, k_len=512, num_buckets=32, max_distance=128):  # compute_bias
        ctx = torch.arange(q_len, dtype=torch.long, device=table.device)[:, None]
        mem = torch.arange(k_len, dtype=torch.long, device=table.device)[None, :]
        rel = mem - ctx
        num_buckets //= 2
        buckets = (rel > 0).to(torch.long) * num_buckets
        rel = torch.abs(rel)
        max_exact = num_buckets // 2
        is_small = rel < max_exact
        large = max_exact + (torch.log(rel.float() / max_exact) / math.log(max_distance / max_exact)
                             * (num_buckets - max_exact)).to(torch.long)
        large = torch.min(large, torch.full_like(large, num_buckets - 1))
        buckets = buckets + torch.where(is_small, rel, large)
        return F.embedding(buckets, table).permute([2, 0, 1]).unsqueeze(0)

    def t5_mask_bias(bias, mask):
        ext = (1.0 - mask[:, None, None, :].to(bias.dtype)) * torch.finfo(bias.dtype).min
        return bias + ext

    def gelu_new_gate(g, lin):  # NewGELUActivation's tanh chain times wi_1
        act = 0.5 * g * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (g + 0.044715 * torch.pow(g, 3.0))))
        return act * lin

    # ------------------------------------------------------------------ jina-embeddings-v2-base-en (fp16)
    def jina_embeddings(ids, tt, we, te, w, b):
        return F.layer_norm(F.embedding(ids, we) + F.embedding(tt, te), (we.shape[1],), w, b, 1e-12)

    def jina_alibi_mask(slopes, mask):  # the symmetric ALiBi bias, the extended padding mask added
        n = mask.shape[1]
        ctx = torch.arange(n, device=mask.device)[:, None]
        mem = torch.arange(n, device=mask.device)[None, :]
        rel = torch.abs(mem - ctx).unsqueeze(0).expand(slopes.shape[0], -1, -1)
        alibi = ((slopes * -1).unsqueeze(1).unsqueeze(1) * rel).unsqueeze(0).to(f16)
        ext = (1.0 - mask[:, None, None, :].to(f16)) * torch.finfo(f16).min
        return ext + alibi

    def jina_glu_mlp(x, wg, wo, bo, lw, lb, inter=3072):
        h = linear(x, wg)
        h = F.gelu(h[:, :, :inter]) * h[:, :, inter:]
        return F.layer_norm(linear(h, wo, bo) + x, (x.shape[-1],), lw, lb, 1e-12)

    def mean_pool(h, mask):
        mask = mask.unsqueeze(-1).expand(h.size()).float()
        pooled = torch.sum(h * mask, 1) / torch.clamp(mask.sum(1), min=1e-9)
        return F.normalize(pooled, p=2, dim=1)

    # ------------------------------------------------------------------ EAGLE-3 on Llama-3.1-8B
    def midlayer_input(emb, hidden, w1, w2):
        return torch.cat((rms_fp32(emb, w1, 1e-5), rms_fp32(hidden, w2, 1e-5)), dim=-1)

    def draft_topk(logits, k=8):
        return torch.topk(logits.float().log_softmax(dim=-1), k, dim=-1)

    # ------------------------------------------------------------------ logits processors (Qwen3 vocabulary)
    def repetition_penalty(input_ids, scores, penalty=1.1):
        score = torch.gather(scores, 1, input_ids)
        score = torch.where(score < 0, score * penalty, score / penalty)
        return scores.scatter(1, input_ids, score)

    def temperature_top_k(scores, t=0.7, k=20):
        scores = scores / t
        remove = scores < torch.topk(scores, k)[0][..., -1, None]
        return scores.masked_fill(remove, -float("inf"))

    def min_p(scores, p=0.05):
        probs = torch.softmax(scores, dim=-1)
        top = probs.amax(dim=-1, keepdim=True)
        remove = probs < p * top
        remove.scatter_(-1, torch.topk(probs, 1, dim=-1).indices, False)
        return scores.masked_fill(remove, -float("inf"))

    def sampled_logprobs(logits, token_ids, n=5):  # vLLM-style: the sampled token's logprob, its rank, the top n
        logprobs = logits.log_softmax(dim=-1, dtype=f32)
        chosen = logprobs.gather(-1, token_ids)
        ranks = (logprobs > chosen).sum(-1).add_(1)
        top = torch.topk(logprobs, n, dim=-1)
        return chosen, ranks, top.values, top.indices

    # ------------------------------------------------------------------ int8 KV cache (per token)
    def kv_int8_quantize(k):
        scale = k.abs().amax(dim=-1, keepdim=True).float().clamp(min=1e-6) / 127.0
        q = (k.float() / scale).round().clamp(-128, 127).to(i8)
        return q, scale.to(k.dtype)

    # ------------------------------------------------------------------ Command-A (Cohere2, 8-way TP)
    def cohere_layer_norm(x, w, eps=1e-5):
        dtype = x.dtype
        x = x.to(f32)
        mean = x.mean(-1, keepdim=True)
        variance = (x - mean).pow(2).mean(-1, keepdim=True)
        x = (x - mean) * torch.rsqrt(variance + eps)
        return (w.to(f32) * x).to(dtype)

    def interleaved_table(inv_freq, position_ids):
        inv = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
        freqs = (inv @ position_ids[:, None, :].float()).transpose(1, 2)
        emb = torch.repeat_interleave(freqs, 2, dim=-1)
        return emb.cos().to(bf), emb.sin().to(bf)

    def interleaved_rope(q, k, cos, sin):
        def rot(x):
            return torch.stack([-x[..., 1::2], x[..., ::2]], dim=-1).flatten(-2)

        dtype = q.dtype
        q, k = q.float(), k.float()
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        return (q * cos + rot(q) * sin).to(dtype), (k * cos + rot(k) * sin).to(dtype)

    h16 = dict(dt=f16)
    # Qwen3-14B (bf16: hidden 5120, 40 q heads over 8 KV heads of 128, 17408 wide, 151936 tokens) over a 4096-token
    # prompt; then a decode step of 64 sequences over 2048 cached tokens
    T = 4096
    out = [("embed_tokens", lambda ids, w: F.embedding(ids, w), (i(1, T), m(151936, 5120))),
           ("input_rmsnorm", rms_fp32, (m(1, T, 5120), m(5120))),
           ("q_proj", linear, (m(1, T, 5120), m(5120, 5120))),
           ("k_proj", linear, (m(1, T, 5120), m(1024, 5120))),
           ("q_norm_per_head", q_head_norm, (m(1, T, 5120), m(128))),
           ("rotary_table", rope_table, (m(64, dt=f32), i(1, T))),
           ("apply_rotary", apply_rope, (m(1, 40, T, 128), m(1, 8, T, 128), m(1, T, 128), m(1, T, 128))),
           ("sdpa_causal_gqa", lambda q, k, v: sdpa(q, k, v, is_causal=True, enable_gqa=True),
            (m(1, 40, T, 128), m(1, 8, T, 128), m(1, 8, T, 128))),
           ("o_proj_residual", o_proj_residual, (m(1, T, 5120), m(1, T, 5120), m(5120, 5120))),
           ("gate_proj", linear, (m(1, T, 5120), m(17408, 5120))),
           ("silu_mul", lambda g, u: F.silu(g) * u, (m(1, T, 17408), m(1, T, 17408))),
           ("down_proj", linear, (m(1, T, 17408), m(5120, 17408))),
           ("lm_head_last_token", lambda h, w: linear(h[:, -1:, :], w), (m(1, T, 5120), m(151936, 5120))),
           ("kv_cache_cat", lambda c, n: torch.cat([c, n], dim=-2), (m(64, 8, 2048, 128), m(64, 8, 1, 128))),
           ("sdpa_decode_gqa", lambda q, k, v: sdpa(q, k, v, enable_gqa=True),
            (m(64, 40, 1, 128), m(64, 8, 2049, 128), m(64, 8, 2049, 128))),
           ("lm_head", linear, (m(64, 1, 5120), m(151936, 5120))),
           ("greedy_argmax", lambda lg: lg[:, -1, :].argmax(dim=-1), (m(64, 1, 151936),))]
    # Gemma-2-9B (bf16, eager attention: hidden 3584, 16 q heads over 8 KV heads of 256, 14336 wide, 256000 tokens,
    # sliding window 4096, soft-caps 50 and 30) over 2 prompts of 2048; a decode step of 16 over 4096 cached tokens
    G = 2048
    out += [("scaled_embed", scaled_embed, (i(2, G), m(256000, 3584))),
            ("sliding_window_mask", sliding_window_mask, (i(2, G),)),
            ("q_proj", linear, (m(2, G, 3584), m(4096, 3584))),
            ("eager_scores", eager_scores, (m(2, 16, G, 256), m(2, 8, G, 256))),
            ("softcap_mask_softmax", softcap_mask_softmax, (m(2, 16, G, G), m(2, 1, G, G))),
            ("attn_values", attn_values, (m(2, 16, G, G), m(2, 8, G, 256))),
            ("post_norm_residual", lambda r, x, w: r + rms_one_plus(x, w), (m(2, G, 3584), m(2, G, 3584), m(3584))),
            ("gelu_tanh_mul", lambda g, u: F.gelu(g, approximate="tanh") * u, (m(2, G, 14336), m(2, G, 14336))),
            ("down_proj", linear, (m(2, G, 14336), m(3584, 14336))),
            ("eager_decode", gemma_eager_decode,
             (m(16, 16, 1, 256), m(16, 8, 4096, 256), m(16, 8, 4096, 256), m(16, 1, 1, 4096))),
            ("lm_head", linear, (m(16, 1, 3584), m(256000, 3584))),
            ("final_softcap", final_softcap, (m(16, 1, 256000),))]
    # Qwen3-Next-80B-A3B (bf16: hidden 2048; the gated DeltaNet's 16 k heads and 32 v heads of 128, conv kernel 4,
    # chunks of 64; gated attention's 16 q heads over 2 KV heads of 256, rotary on 64 dims; 512 experts of 512, top-10,
    # a shared expert of 512; 151936 tokens) over a 4096-token prompt; a decode step of 32
    Q = 4096
    out += [("in_proj_qkvz", linear, (m(1, Q, 2048), m(12288, 2048))),
            ("in_proj_ba", linear, (m(1, Q, 2048), m(64, 2048))),
            ("qkvz_ordering", qkvz_ordering, (m(1, Q, 12288), m(1, Q, 64))),
            ("causal_conv1d", causal_conv1d_fn, (m(1, Q, 8192), m(8192, 4))),
            ("gdn_gates", gdn_gates, (m(1, Q, 32), m(1, Q, 32), m(32), m(32))),
            ("chunk_prep_l2norm", gdn_chunk_prep, (m(1, Q, 8192),)),
            ("chunk_decay", gdn_chunk_decay,
             (m(1, 32, Q, 128, dt=f32), m(1, 32, Q, 128, dt=f32), m(1, 32, Q, dt=f32), m(1, 32, Q, dt=f32))),
            ("ut_system", lambda kb, k, pw: (kb @ k.transpose(-1, -2)) * pw,
             (m(1, 32, 64, 64, 128, dt=f32), m(1, 32, 64, 64, 128, dt=f32), m(1, 32, 64, 64, 64, dt=f32))),
            ("solve_triangular", lambda a, b: torch.linalg.solve_triangular(a, b, upper=False, unitriangular=True),
             (m(1, 32, 64, 64, 64, dt=f32), m(1, 32, 64, 64, 128, dt=f32))),
            ("chunk_scan_step", chunk_scan_step,
             (m(1, 32, 64, 64, 128, dt=f32), m(1, 32, 64, 64, 128, dt=f32), m(1, 32, 64, 64, 128, dt=f32),
              m(1, 32, 64, 64, 64, dt=f32), m(1, 32, 64, 64, 128, dt=f32), m(1, 32, 128, 128, dt=f32),
              m(1, 32, 64, 1, 1, dt=f32))),
            ("gated_rmsnorm", gated_rmsnorm, (m(1, Q, 32, 128), m(1, Q, 32, 128), m(128))),
            ("out_proj", linear, (m(1, Q, 4096), m(2048, 4096))),
            ("q_proj_gated", linear, (m(1, Q, 2048), m(8192, 2048))),
            ("q_gate_split_norm", q_gate_split_norm, (m(1, Q, 8192), m(256))),
            ("partial_rotary", partial_rope, (m(1, 16, Q, 256), m(1, 2, Q, 256), m(1, Q, 64), m(1, Q, 64))),
            ("sdpa_causal_gqa_256", lambda q, k, v: sdpa(q, k, v, is_causal=True, enable_gqa=True),
             (m(1, 16, Q, 256), m(1, 2, Q, 256), m(1, 2, Q, 256))),
            ("output_gate", lambda o, g: o.reshape(1, Q, -1) * torch.sigmoid(g), (m(1, Q, 16, 256), m(1, Q, 4096))),
            ("router_topk", router_topk, (m(Q, 2048), m(512, 2048))),
            ("expert_mask", expert_mask, (m(Q, 512, dt=f32),)),
            ("expert_gate_up", expert_gate_up, (m(Q, 2048), i(80), m(512, 1024, 2048))),
            ("expert_down_combine", expert_down_combine,
             (m(80, 512), m(512, 2048, 512), m(Q, 10), i(80), m(Q, 2048), i(80))),
            ("shared_expert", swiglu, (m(Q, 2048), m(512, 2048), m(512, 2048), m(2048, 512))),
            ("conv1d_update", conv1d_update, (m(32, 1, 8192), m(32, 8192, 3), m(8192, 4))),
            ("recurrent_delta_step", recurrent_delta_step,
             (m(32, 1, 32, 128), m(32, 1, 32, 128), m(32, 1, 32, 128), m(32, 1, 32, dt=f32), m(32, 1, 32),
              m(32, 32, 128, 128, dt=f32))),
            ("lm_head", linear, (m(32, 2048), m(151936, 2048)))]
    # DeepSeek-V2 (bf16: hidden 5120, 128 heads, q_lora 1536, kv_lora 512 + rope 64, keys of 192, values of 128,
    # 160 experts in 8 groups, top-6 of the best 3 groups, 2 shared experts of 1536, 102400 tokens) in plain torch
    # over a 2048-token prompt; a decode step of 16 over 2048 cached latents
    D = 2048
    out += [("q_b_proj", linear, (m(1, D, 1536), m(24576, 1536))),
            ("kv_a_proj_with_mqa", linear, (m(1, D, 5120), m(576, 5120))),
            ("kv_split_norm", kv_split_norm, (m(1, D, 576), m(512))),
            ("kv_b_proj", linear, (m(1, 1, D, 512), m(32768, 512))),
            ("expand_kv", expand_kv, (m(1, 1, D, 32768), m(1, 1, D, 64))),
            ("query_cat", query_cat, (m(1, D, 24576), m(1, 128, D, 64))),
            ("sdpa_mla_prefill", lambda q, k, v: sdpa(q, k, v, is_causal=True, scale=mla_scale),
             (m(1, 128, D, 192), m(1, 128, D, 192), m(1, 128, D, 128))),
            ("o_proj", linear, (m(1, D, 16384), m(5120, 16384))),
            ("group_limited_gate", group_limited_gate, (m(1, D, 5120), m(160, 5120))),
            ("shared_experts", swiglu, (m(1, D, 5120), m(3072, 5120), m(3072, 5120), m(5120, 3072))),
            ("kv_b_proj_cache", linear, (m(16, 1, D + 1, 512), m(32768, 512))),
            ("sdpa_mla_decode", lambda q, k, v: sdpa(q, k, v, scale=mla_scale),
             (m(16, 128, 1, 192), m(16, 128, D + 1, 192), m(16, 128, D + 1, 128))),
            ("lm_head", linear, (m(16, 1, 5120), m(102400, 5120)))]
    # Mamba-2-2.7B (bf16 weights, the scan in fp32: d_model 2560, 80 heads of 64, d_state 128, one group, conv 4,
    # chunks of 256) over 2 prompts of 2048 through mamba_ssm's torch paths and ssd_minimal
    M, C = 2048, 8
    out += [("in_proj", linear, (m(2, M, 2560), m(10576, 2560))),
            ("conv1d_silu", mamba_conv, (m(2, M, 10576), m(5376, 1, 4), m(5376))),
            ("discretise", mamba_discretise, (m(2, M, 5376), m(2, M, 80), m(80), m(80))),
            ("segsum_exp", lambda a: torch.exp(segsum(a)), (m(2, 80, C, 256, dt=f32),)),
            ("y_diag_einsum", lambda c, b, lm, x: torch.einsum("bclgn,bcsgn,bhcls,bcshp->bclhp", c, b, lm, x),
             (m(2, C, 256, 1, 128, dt=f32), m(2, C, 256, 1, 128, dt=f32), m(2, 80, C, 256, 256, dt=f32),
              m(2, C, 256, 80, 64, dt=f32))),
            ("chunk_states_einsum", chunk_states,
             (m(2, C, 256, 1, 128, dt=f32), m(2, 80, C, 256, dt=f32), m(2, C, 256, 80, 64, dt=f32))),
            ("inter_chunk_einsum", inter_chunk, (m(2, 80, C, 256, dt=f32), m(2, C, 1, 80, 64, 128, dt=f32))),
            ("y_off_einsum", y_off,
             (m(2, C, 256, 1, 128, dt=f32), m(2, C, 1, 80, 64, 128, dt=f32), m(2, 80, C, 256, dt=f32))),
            ("y_combine_skip", y_combine,
             (m(2, C, 256, 80, 64, dt=f32), m(2, C, 256, 80, 64, dt=f32), m(2, M, 80, 64), m(80))),
            ("rmsnorm_gated", rmsnorm_gated_ref, (m(2, M, 5120), m(2, M, 5120), m(5120))),
            ("out_proj", linear, (m(2, M, 5120), m(2560, 5120)))]
    # InternViT-6B-448px-V2.5 in InternVL2.5-38B (bf16: 3200 wide, 25 heads of 128, 12800 wide MLP, RMSNorms, 1025
    # tokens a 448 x 448 tile) over 7 tiles, then the pixel shuffle and the projector into Qwen2.5-32B's 5120
    V, N = 7, 1025
    out += [("patch_embed", lambda px, w, b: F.conv2d(px, w, b, stride=14).flatten(2).transpose(1, 2),
             (m(V, 3, 448, 448), m(3200, 3, 14, 14), m(3200))),
            ("cls_pos_embed", lambda e, cls, pos: torch.cat((cls.expand(V, -1, -1), e), dim=1) + pos,
             (m(V, 1024, 3200), m(1, 1, 3200), m(1, N, 3200))),
            ("q_proj", linear, (m(V, N, 3200), m(3200, 3200))),
            ("q_norm_full_width", lambda q, w: rms_fp32(q, w).reshape(V, N, 25, 128).transpose(1, 2),
             (m(V, N, 3200), m(3200))),
            ("sdpa_25_heads", sdpa, (m(V, 25, N, 128), m(V, 25, N, 128), m(V, 25, N, 128))),
            ("projection_layer", linear, (m(V, N, 3200), m(3200, 3200), m(3200))),
            ("layer_scale_residual", lambda a, lam, h: lam * a + h, (m(V, N, 3200), m(3200), m(V, N, 3200))),
            ("fc1_gelu", lambda x, w, b: F.gelu(linear(x, w, b)), (m(V, N, 3200), m(12800, 3200), m(12800))),
            ("fc2", linear, (m(V, N, 12800), m(3200, 12800), m(3200))),
            ("pixel_shuffle", pixel_shuffle, (m(V, N, 3200),)),
            ("projector_layer_norm", lambda x, w, b: F.layer_norm(x, (12800,), w, b),
             (m(V, 256, 12800), m(12800), m(12800))),
            ("projector_linear_1_gelu", lambda x, w, b: F.gelu(linear(x, w, b)),
             (m(V, 256, 12800), m(5120, 12800), m(5120)))]
    # OpenCLIP ViT-bigG-14 (fp16: vision 1664 wide, 16 heads of 104, 8192-wide GELU MLP, 257 tokens, 1280-wide
    # embedding; text 1280 wide, 20 heads of 64, 77 tokens, 49408 tokens) zero-shot over 32 images and 1000 prompts
    B = 32
    out += [("conv1_patchify", clip_patchify, (m(B, 3, 224, 224, **h16), m(1664, 3, 14, 14, **h16))),
            ("cls_pos_ln_pre", clip_cls_pos_ln,
             (m(B, 256, 1664, **h16), m(1664, **h16), m(257, 1664, **h16), m(1664, **h16), m(1664, **h16))),
            ("in_proj", linear, (m(B, 257, 1664, **h16), m(4992, 1664, **h16), m(4992, **h16))),
            ("sdpa_head_104", clip_heads_sdpa, (m(B, 257, 4992, **h16),)),
            ("mlp_c_fc_gelu", lambda x, w, b: F.gelu(linear(x, w, b)),
             (m(B, 257, 1664, **h16), m(8192, 1664, **h16), m(8192, **h16))),
            ("pool_ln_post_proj", lambda x, w, b, p: F.layer_norm(x[:, 0], (1664,), w, b) @ p,
             (m(B, 257, 1664, **h16), m(1664, **h16), m(1664, **h16), m(1664, 1280, **h16))),
            ("token_pos_embed", lambda ids, w, pos: F.embedding(ids, w) + pos,
             (i(1000, 77), m(49408, 1280, **h16), m(77, 1280, **h16))),
            ("text_causal_sdpa", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(1000, 20, 77, 64, **h16), m(1000, 20, 77, 64, **h16), m(1000, 20, 77, 64, **h16), m(77, 77, **h16))),
            ("eot_pool_project", eot_pool, (m(1000, 77, 1280, **h16), i(1000, 77), m(1280, 1280, **h16))),
            ("zero_shot_logits", zero_shot, (m(B, 1280, **h16), m(1000, 1280, **h16), m((), **h16)))]
    # SDXL's UNet (fp16: channels 320 / 640 / 1280, a 1024 x 1024 image's 128 x 128 latent, classifier-free
    # guidance's batch of 2): the time embedding, a 640-channel ResnetBlock2D at 64 x 64, the resamplers, proj_in
    out += [("time_embedding", time_embedding,
             (m(2, dt=f32), m(1280, 320, **h16), m(1280, **h16), m(1280, 1280, **h16), m(1280, **h16))),
            ("groupnorm_silu", lambda x, w, b: F.silu(F.group_norm(x, 32, w, b, 1e-5)),
             (m(2, 640, 64, 64, **h16), m(640, **h16), m(640, **h16))),
            ("resnet_conv1", lambda x, w, b: F.conv2d(x, w, b, padding=1),
             (m(2, 640, 64, 64, **h16), m(640, 640, 3, 3, **h16), m(640, **h16))),
            ("time_emb_proj_add", lambda h, t, w, b: h + linear(F.silu(t), w, b)[:, :, None, None],
             (m(2, 640, 64, 64, **h16), m(2, 1280, **h16), m(640, 1280, **h16), m(640, **h16))),
            ("conv2_shortcut", conv2_shortcut,
             (m(2, 640, 64, 64, **h16), m(2, 320, 64, 64, **h16), m(640, 640, 3, 3, **h16), m(640, **h16),
              m(640, 320, 1, 1, **h16), m(640, **h16))),
            ("downsample_conv", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
             (m(2, 640, 64, 64, **h16), m(640, 640, 3, 3, **h16), m(640, **h16))),
            ("upsample_nearest_conv",
             lambda x, w, b: F.conv2d(F.interpolate(x, scale_factor=2.0, mode="nearest"), w, b, padding=1),
             (m(2, 1280, 32, 32, **h16), m(1280, 1280, 3, 3, **h16), m(1280, **h16))),
            ("skip_concat", lambda h, r: torch.cat([h, r], dim=1),
             (m(2, 1280, 64, 64, **h16), m(2, 640, 64, 64, **h16))),
            ("proj_in_tokens", proj_in_tokens,
             (m(2, 640, 64, 64, **h16), m(640, **h16), m(640, **h16), m(640, 640, **h16), m(640, **h16)))]
    # Sana-1600M at 2048 x 2048 (bf16: 2240 wide, 70 linear-attention heads of 32, cross-attention of 20 heads of
    # 112 to 300 Gemma-2 caption tokens, GLUMBConv 5600 wide) over a 64 x 64 latent, batch 2
    S = 4096
    out += [("patch_embed_1x1", lambda x, w, b: F.conv2d(x, w, b).flatten(2).transpose(1, 2),
             (m(2, 32, 64, 64), m(2240, 32, 1, 1), m(2240))),
            ("adaln_single", lambda e, w, b: linear(F.silu(e), w, b), (m(2, 2240), m(13440, 2240), m(13440))),
            ("modulate_norm1", sana_modulate, (m(2, S, 2240), m(6, 2240), m(2, 13440))),
            ("to_q", linear, (m(2, S, 2240), m(2240, 2240))),
            ("linear_attention", sana_linear_attn, (m(2, S, 2240), m(2, S, 2240), m(2, S, 2240))),
            ("cross_attn_sdpa", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(2, 20, S, 112), m(2, 20, 300, 112), m(2, 20, 300, 112), m(2, 20, 1, 300))),
            ("conv_inverted_silu", conv_inverted_silu, (m(2, S, 2240), m(11200, 2240, 1, 1), m(11200))),
            ("conv_depth_3x3", lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=11200),
             (m(2, 11200, 64, 64), m(11200, 1, 3, 3), m(11200))),
            ("glu_conv_point", glu_conv_point, (m(2, 11200, 64, 64), m(2240, 5600, 1, 1)))]
    # Parakeet-CTC-1.1B (bf16: FastConformer, 1024 wide, 8 heads of 128, 4096-wide macaron feed-forwards, conv
    # kernel 9, 8x subsampling by 256-channel convs over 80 mel bins, 1025 tokens) over 4 clips of 60 s (750 frames)
    A = 750
    out += [("subsampling_conv_relu", lambda x, w, b: F.relu(F.conv2d(x.unsqueeze(1), w, b, stride=2, padding=1)),
             (m(4, 6000, 80), m(256, 1, 3, 3), m(256))),
            ("dw_conv2d_stride2", lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=256),
             (m(4, 256, 3000, 40), m(256, 1, 3, 3), m(256))),
            ("pw_conv2d_relu", lambda x, w, b: F.relu(F.conv2d(x, w, b)), (m(4, 256, 1500, 20), m(256, 256, 1, 1),
                                                                             m(256))),
            ("subsampling_linear", lambda h, w, b: linear(h.transpose(1, 2).reshape(4, A, -1), w, b),
             (m(4, 256, A, 10), m(1024, 2560), m(1024))),
            ("rel_pos_encoding", rel_pos_encoding, (m(512, dt=f32),)),
            ("macaron_ff1", macaron_ff1, (m(4, A, 1024), m(1024), m(1024), m(4096, 1024), m(4096))),
            ("ff_half_residual", lambda r, h, w, b: r + 0.5 * linear(h, w, b),
             (m(4, A, 1024), m(4, A, 4096), m(1024, 4096), m(1024))),
            ("matrix_bd_rel_shift", matrix_bd, (m(4, 8, A, 128), m(8, 128), m(1, 2 * A - 1, 1024))),
            ("sdpa_rel_bias", lambda q, u, k, v, bd: sdpa(q + u.view(1, 8, 1, 128), k, v, attn_mask=bd),
             (m(4, 8, A, 128), m(8, 128), m(4, 8, A, 128), m(4, 8, A, 128), m(4, 8, A, A))),
            ("pointwise_conv1_glu", lambda x, w, b: F.glu(F.conv1d(x.transpose(1, 2), w, b), dim=1),
             (m(4, A, 1024), m(2048, 1024, 1), m(2048))),
            ("depthwise_conv1d_k9", lambda x, w, b: F.conv1d(x, w, b, padding=4, groups=1024),
             (m(4, 1024, A), m(1024, 1, 9), m(1024))),
            ("batch_norm_silu", lambda x, rm, rv, w, b: F.silu(F.batch_norm(x, rm, rv, w, b, False, 0.1, 1e-5)),
             (m(4, 1024, A), m(1024), m(1024), m(1024), m(1024))),
            ("pointwise_conv2", lambda x, w, b: F.conv1d(x, w, b).transpose(1, 2),
             (m(4, 1024, A), m(1024, 1024, 1), m(1024))),
            ("ctc_head_greedy", ctc_greedy, (m(4, A, 1024), m(1025, 1024, 1), m(1025)))]
    # T5-v1.1-XXL's encoder (bf16: d_model 4096, 64 heads of 64, gated gelu_new 10240 wide, 32 buckets up to 128)
    # over 4 padded prompts of 512, as the text encoder of FLUX.1 and SD3
    L = 512
    out += [("t5_layer_norm", t5_layer_norm, (m(4, L, 4096), m(4096))),
            ("q", linear, (m(4, L, 4096), m(4096, 4096))),
            ("relative_position_bias", t5_position_bias, (m(32, 64),)),
            ("padding_mask_bias", t5_mask_bias, (m(1, 64, L, L), i(4, L))),
            ("sdpa_position_bias", lambda q, k, v, bias: sdpa(q, k, v, attn_mask=bias, scale=1.0),
             (m(4, 64, L, 64), m(4, 64, L, 64), m(4, 64, L, 64), m(4, 64, L, L))),
            ("gelu_new_gate", gelu_new_gate, (m(4, L, 10240), m(4, L, 10240))),
            ("wo", linear, (m(4, L, 10240), m(4096, 10240)))]
    # jina-embeddings-v2-base-en (fp16: JinaBERT, 768 wide, 12 heads of 64, ALiBi, GLU MLP 3072 wide, 30528 tokens)
    # embedding 16 documents padded to 1024 tokens
    J = 1024
    out += [("embeddings_layer_norm", jina_embeddings,
             (i(16, J), i(16, J), m(30528, 768, **h16), m(2, 768, **h16), m(768, **h16), m(768, **h16))),
            ("alibi_padding_mask", jina_alibi_mask, (m(12, dt=f32), i(16, J))),
            ("query", linear, (m(16, J, 768, **h16), m(768, 768, **h16), m(768, **h16))),
            ("sdpa_alibi", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a),
             (m(16, 12, J, 64, **h16), m(16, 12, J, 64, **h16), m(16, 12, J, 64, **h16), m(16, 12, J, J, **h16))),
            ("glu_mlp", jina_glu_mlp, (m(16, J, 768, **h16), m(6144, 768, **h16), m(768, 3072, **h16), m(768, **h16),
                                       m(768, **h16), m(768, **h16))),
            ("mean_pool_normalize", mean_pool, (m(16, J, 768, **h16), i(16, J)))]
    # EAGLE-3 drafting for Llama-3.1-8B-Instruct (bf16: 4096 wide, three target layers fused, a 32000-token draft
    # vocabulary mapped to the target's): the prompt's 2048 tokens fused, then a tree step of 8 sequences x 8 nodes
    out += [("cat_target_layers", lambda a, b, c: torch.cat((a, b, c), dim=-1),
             (m(1, 2048, 4096), m(1, 2048, 4096), m(1, 2048, 4096))),
            ("fc_fuse", linear, (m(1, 2048, 12288), m(4096, 12288))),
            ("midlayer_input", midlayer_input, (m(64, 4096), m(64, 4096), m(4096), m(4096))),
            ("q_proj_2x", linear, (m(64, 8192), m(4096, 8192))),
            ("tree_sdpa", lambda q, k, v, a: sdpa(q, k, v, attn_mask=a, enable_gqa=True),
             (m(8, 32, 8, 128), m(8, 8, 2056, 128), m(8, 8, 2056, 128), m(8, 1, 8, 2056, dt=b8))),
            ("draft_lm_head", linear, (m(64, 4096), m(32000, 4096))),
            ("draft_topk", draft_topk, (m(64, 32000),)),
            ("d2t_map", lambda ids, d2t: ids + d2t[ids], (i(64, 8), i(32000)))]
    # transformers' logits processors over Qwen3's 151936-token vocabulary at a batch of 32 (fp32 scores, 4096 tokens
    # generated so far), the multinomial draw and vLLM-style logprobs of the sampled tokens
    out += [("repetition_penalty", repetition_penalty, (i(32, 4096), m(32, 151936, dt=f32))),
            ("temperature_top_k", temperature_top_k, (m(32, 151936, dt=f32),)),
            ("min_p", min_p, (m(32, 151936, dt=f32),)),
            ("multinomial", lambda p: torch.multinomial(p, num_samples=1), (m(32, 151936, dt=f32),)),
            ("sampled_logprobs", sampled_logprobs, (m(32, 151936, dt=f32), i(32, 1)))]
    # per-token int8 KV cache for Qwen3-14B: a prompt's keys quantised, a decode batch's cache dequantised
    out += [("kv_int8_quantize", kv_int8_quantize, (m(1, 8, T, 128),)),
            ("kv_int8_dequantize", lambda q, s: q.to(bf) * s, (m(64, 8, 2048, 128, dt=i8), m(64, 8, 2048, 1)))]
    # Command-A (bf16: hidden 12288, 96 q heads over 8 KV heads of 128, interleaved rotary) at 8-way tensor
    # parallelism (12 q heads and one KV head a GPU) over an 8192-token prompt
    K = 8192
    out += [("cohere_layer_norm", cohere_layer_norm, (m(1, K, 12288), m(12288))),
            ("q_proj_shard", linear, (m(1, K, 12288), m(1536, 12288))),
            ("rotary_table_interleaved", interleaved_table, (m(64, dt=f32), i(1, K))),
            ("rotary_interleaved", interleaved_rope, (m(1, 12, K, 128), m(1, 1, K, 128), m(1, K, 128), m(1, K, 128)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK16, _check16()),))
