"""The aten sweep's twenty-sixth blind real-code group: `realcode-check26`, LLM inference internals in plain PyTorch,
state-space and recurrent models, diffusion, graph networks, point clouds, a tabular transformer, optimizers and
quantization written in torch, scientific ML, video, audio, medical imaging, metric learning and other well-known
reference code.

Each case is one op or a short idiom as the models' and libraries' public reference code writes it, at real widths,
batches, sequence lengths, image sizes and dtypes (fp32 where the reference trains by default, fp16 and bf16 under
mixed precision or half-precision inference, float64 where a sampler keeps it, channels_last_3d where a video recipe
puts it, int64 indices, int32 packed weights, uint8 and int8 codes, complex spectral weights): LLM inference internals
(StableLM-2's partial NeoX rotary over a quarter of each head, Llama-3.1's rotary forward by a batched matmul over a
32768-token prompt, ChatGLM3's interleaved rotary over half a head; Mistral-7B's repeat_kv and SDPA through its
sliding-window mask, MPT-30B's explicit attention with the ALiBi bias added and the causal masked_fill, Falcon-7B's
fused multi-query QKV with rotary into SDPA by enable_gqa; gpt-fast's index_put KV update at prefill and decode, vLLM's
slot write by index_copy_ into the paged cache, mistral-src's rotating-buffer cache by scatter_; transformers'
speculative-sampling acceptance with the residual distribution and its multinomial draw, the temperature / top-k / top-p
warpers over Command-R's 256000-token vocabulary, the repetition penalty by gather, where and scatter); state-space and
recurrent models (mamba_ssm's selective_scan_ref with its fp32 upcasts, einsum discretisation and first loop steps,
causal_conv1d's reference and its rolling decode state, Mamba-2's selective_state_update; S4D's FFT convolution with
the GLU output conv, HyenaDNA's fftconv over 160000 bases; RWKV-5's one-token time mix with per-head matrix states and
the head-wise GroupNorm; RecurrentGemma's RG-LRU gates by baddbmm and its recurrence step); diffusion (SD-2.1-768's
sinusoidal time embedding and MLP, its UNet ResnetBlock2D with GroupNorm, SiLU and the time projection, Upsample2D /
Downsample2D, self- and cross-attention over 96 x 96 latents, the linear proj_in and GEGLU, classifier-free guidance
with a v-prediction DDIM step; EDM's float64 Heun step; LCM's consistency step; SDXL's fp32 VAE decoder block and
output conv at 1024 px; AnimateDiff's temporal attention across 16 frames; Flux's latent packing and flow-matching
Euler step); graph networks (PyG's GATConv with its per-target softmax by scatter_reduce and index_add_, SAGEConv's
scatter mean over a NeighborLoader hop of ogbn-products, APPNP's propagation over ogbn-arxiv); point clouds (PointNet's
feature-transform regulariser, Point-MAE's kNN grouping by square distances and topk, PointNet++'s farthest point
sampling steps, PointPillars' BEV scatter by index_put); SAINT's intersample attention over the batch; optimizers in
plain torch (pytorch-lamb's trust-ratio step over BERT-large, torch.optim.AdamW's foreach path over GPT-2's tensors,
timm's EMA by _foreach_lerp_, Lion's sign update); quantization (LSQ's per-channel fake quant with the gradient-scale
and round-pass tricks, AutoAWQ's int32 unpacking with its reverse order, HQQ's 4-bit unpack and group dequant, MXFP8
fake quant through float8_e4m3fn, LLM.int8's outlier zeroing and torch._int_mm, GPTQ's lazy block update, a
calibration histogram by histc); scientific ML (FNO-3d's spectral convolution by rfftn, complex einsums on the four
mode corners and irfftn, DeepONet's branch / trunk product, an acoustic-wave leapfrog step by a 3-D stencil conv);
video (TSM's temporal shift and its segment-consensus head, SlowFast's fast stem with max_pool3d and its time-strided
lateral fusion, X3D-M's depthwise 3-D bottleneck with squeeze-excitation and swish, R(2+1)D's factorised convs in
fp16 channels_last_3d, VideoMAE's tubelet embedding and tube masking by argsort and gather); audio (torchaudio's
MelSpectrogram at 44.1 kHz with AmplitudeToDB's top-dB clamp, its sinc resampling 48 -> 16 kHz by a strided conv1d,
Conv-TasNet's encoder, global layer norm, dilated depthwise block, masks and transposed-conv decoder, Demucs v2's
GLU encoder and decoder layer, a 16 kHz magnitude STFT); medical imaging (nnU-Net's 3-D conv / InstanceNorm /
LeakyReLU stage in fp16, its transposed-conv decoder with the skip concat, its Dice + cross-entropy loss with the
one-hot by scatter_, UNETR's 16^3 patch embedding, Attention U-Net's gate, U-Net's first valid conv); metric learning
(ArcFace's additive angular margin over 93431 identities, the batch-hard triplet loss, VICReg's variance / covariance
terms, torchmetrics' CLIPScore); other reference code (RotatE's complex rotation score with self-adversarial
negatives, word2vec's skip-gram negative sampling, SIREN's sine layers, Gaussian Fourier features, nerf-pytorch's
volume rendering by cumprod, GPyTorch's exact-GP marginal likelihood by cholesky_ex, cholesky_solve and its
prediction by solve_triangular, VQ-VAE's EMA codebook update; BERT's eager fp32 attention with dropout, CycleGAN's
reflect-padded InstanceNorm residual block, pix2pix's PatchGAN layer, the STN tutorial's affine_grid / grid_sample,
the focal frequency loss by fft2, flash-attn's cu_seqlens, RetinaNet's per-level top-1000, exact fp16 kNN by topk,
PSPNet's pyramid pools, AWD-LSTM's NLL, a pack_padded_sequence sort, DeepLabv3+'s logit upsampling; fp32 linears of
GPT-2's lm head, BERT's fused qkv, ResNet-50's and ViT's classifiers and T5's wi; Llama-3's embedding lookup and a
bf16 -> fp32 master-weight copy). Data-dependent steps of the reference code are written without data-dependent
shapes: the speculative sampler's row pick by index_select, masks by masked_fill and where.
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK26 = "realcode-check26"


def _check26():
    import math

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import (
        _dtype_makers,
        _layer_makers,
        _meta_makers,
    )

    m, i = _meta_makers()

    linear, _, ln = _layer_makers(1e-6)

    mh, mf, _, mi32 = _dtype_makers()

    def md(*shape):
        return m(*shape, dt=torch.float64)

    def sc(dt=torch.float32):  # a 0-dim tensor (a scheduler's alpha, a sampler's sigma)
        return torch.empty((), dtype=dt, device="meta")

    def mu8(*shape):
        return m(*shape, dt=torch.uint8)

    def cl3(t):  # channels_last_3d, as video and volumetric recipes leave a 5-D tensor
        return t.to(memory_format=torch.channels_last_3d)

    def rotate_half(x):
        x1 = x[..., : x.shape[-1] // 2]
        x2 = x[..., x.shape[-1] // 2:]
        return torch.cat((-x2, x1), dim=-1)

    def bn_state(c):  # running_mean, running_var, weight, bias of a BatchNorm (fp32 under autocast too)
        return mf(4, c)

    def bn_train(x, bn, momentum=0.1, eps=1e-5):  # nn.BatchNorm{1,2,3}d.forward in training mode
        return F.batch_norm(x, bn[0], bn[1], bn[2], bn[3], training=True, momentum=momentum, eps=eps)

    out = []

    # ================================================================== LLM inference internals in plain PyTorch
    # ------------------------------------------------------------------ rotary variants
    def neox_partial_rotary(q, k, cos, sin, position_ids):  # StableLM / GPT-NeoX: rotary over the first 25% of a head
        cos = cos[position_ids].unsqueeze(1)
        sin = sin[position_ids].unsqueeze(1)
        rot = cos.shape[-1]
        q_rot, q_pass = q[..., :rot], q[..., rot:]
        k_rot, k_pass = k[..., :rot], k[..., rot:]
        q_embed = (q_rot * cos) + (rotate_half(q_rot) * sin)
        k_embed = (k_rot * cos) + (rotate_half(k_rot) * sin)
        return torch.cat((q_embed, q_pass), dim=-1), torch.cat((k_embed, k_pass), dim=-1)

    def llama_rope_forward(inv_freq, position_ids):  # transformers' LlamaRotaryEmbedding.forward (inv_freq scaled at
        # init by llama3's rope_type), the cos / sin tables of a prompt
        inv_freq_expanded = inv_freq[None, :, None].float().expand(position_ids.shape[0], -1, 1)
        position_ids_expanded = position_ids[:, None, :].float()
        freqs = (inv_freq_expanded.float() @ position_ids_expanded.float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(torch.bfloat16), emb.sin().to(torch.bfloat16)

    def chatglm_rotary(x, rope_cache):  # ChatGLM2/3's apply_rotary_pos_emb over interleaved pairs of half a head
        sq, np_ = x.size(0), x.size(2)
        rot_dim = rope_cache.shape[-2] * 2
        x, x_pass = x[..., :rot_dim], x[..., rot_dim:]
        rope_cache = rope_cache[:sq]
        xshaped = x.reshape(sq, -1, np_, rot_dim // 2, 2)
        rope_cache = rope_cache.view(sq, -1, 1, xshaped.size(3), 2)
        x_out2 = torch.stack(
            [xshaped[..., 0] * rope_cache[..., 0] - xshaped[..., 1] * rope_cache[..., 1],
             xshaped[..., 1] * rope_cache[..., 0] + xshaped[..., 0] * rope_cache[..., 1]], -1)
        x_out2 = x_out2.flatten(3)
        return torch.cat((x_out2, x_pass), dim=-1)

    # StableLM-2-1.6B over 4 prompts of 2048 in fp16; Llama-3.1's tables over a 32768-token prompt; ChatGLM3-6B's
    # queries (32 heads) over 2 prompts of 4096
    out += [("stablelm_partial_rotary", neox_partial_rotary,
             (mh(4, 32, 2048, 64), mh(4, 32, 2048, 64), mh(4096, 16), mh(4096, 16), i(4, 2048))),
            ("llama31_rope_forward", llama_rope_forward, (mf(64), i(1, 32768))),
            ("chatglm_rotary_q", chatglm_rotary, (m(4096, 2, 32, 128), m(8192, 1, 32, 2)))]

    # ------------------------------------------------------------------ sliding-window and ALiBi attention
    def swa_sdpa(q, k, v, mask, n_rep=4):  # Mistral-7B-v0.1: repeat_kv, then SDPA through the window mask
        b, h, s, d = k.shape
        k = k[:, :, None, :, :].expand(b, h, n_rep, s, d).reshape(b, h * n_rep, s, d)
        v = v[:, :, None, :, :].expand(b, h, n_rep, s, d).reshape(b, h * n_rep, s, d)
        o = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return o.transpose(1, 2).contiguous().reshape(q.shape[0], s, -1)

    def mpt_alibi_attention(q, k, v, alibi, n_heads=64):  # MPT's scaled_multihead_dot_product_attention, its
        b, s, dm = q.shape  # ALiBi bias (built once by build_alibi_bias) added to the scores, the causal mask
        hd = dm // n_heads
        q = q.view(b, s, n_heads, hd).permute(0, 2, 1, 3)
        k = k.view(b, s, n_heads, hd).permute(0, 2, 3, 1)
        v = v.view(b, s, n_heads, hd).permute(0, 2, 1, 3)
        attn_weight = q.matmul(k) * (1 / math.sqrt(hd))
        attn_weight = attn_weight + alibi
        causal_mask = attn_weight.new_ones(s, s, dtype=torch.float16).tril().to(torch.bool)
        attn_weight = attn_weight.masked_fill(~causal_mask.view(1, 1, s, s), torch.finfo(q.dtype).min)
        attn_weight = torch.softmax(attn_weight, dim=-1)
        out_ = attn_weight.matmul(v)
        return out_.permute(0, 2, 1, 3).reshape(b, s, dm)

    # Mistral-7B-v0.1 (32 q heads over 8 KV heads) through its 4096-token window mask over 2 prompts of 8192; MPT-30B
    # (64 heads of 112) over a 2048 prompt in bf16
    out += [("mistral_swa_sdpa", swa_sdpa,
             (m(2, 32, 8192, 128), m(2, 8, 8192, 128), m(2, 8, 8192, 128), m(2, 1, 8192, 8192))),
            ("mpt30b_alibi_attention", mpt_alibi_attention,
             (m(1, 2048, 7168), m(1, 2048, 7168), m(1, 2048, 7168), m(1, 64, 1, 2048)))]

    # ------------------------------------------------------------------ fused-QKV multi-query attention
    def falcon_mqa(x, w_qkv, cos, sin, w_dense, n_heads=71, hd=64):  # Falcon-7B: 71 q heads, one shared K/V head
        b, s, _ = x.shape
        fused = linear(x, w_qkv).view(b, s, n_heads + 2, hd)
        q = fused[..., :-2, :].transpose(1, 2)
        k = fused[..., [-2], :].transpose(1, 2)
        v = fused[..., [-1], :].transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        o = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
        o = o.transpose(1, 2).reshape(b, s, n_heads * hd)
        return linear(o, w_dense)

    # Falcon-7B over 4 prompts of 1024 in bf16
    out += [("falcon7b_mqa", falcon_mqa,
             (m(4, 1024, 4544), m(4672, 4544), m(1, 1, 1024, 64), m(1, 1, 1024, 64), m(4544, 4544)))]

    # ------------------------------------------------------------------ KV-cache updates
    def gpt_fast_kv_update(k_cache, v_cache, input_pos, k_val, v_val):  # gpt-fast's KVCache.update
        k_cache[:, :, input_pos] = k_val
        v_cache[:, :, input_pos] = v_val
        return k_cache, v_cache

    def vllm_cache_write(key, value, key_cache, value_cache, slot_mapping):  # vLLM's torch path of reshape_and_cache
        n_blocks, block_size, kvh, hd = key_cache.shape
        key_cache.view(-1, kvh, hd).index_copy_(0, slot_mapping, key)
        value_cache.view(-1, kvh, hd).index_copy_(0, slot_mapping, value)
        return key_cache, value_cache

    def mistral_rotating_cache(cache_k, cache_v, xk, xv, positions, sliding_window=4096):  # mistral-src's reference
        bsz, _, n_kv, hd = xk.shape
        scatter_pos = (positions[-sliding_window:] % sliding_window)[None, :, None, None]
        scatter_pos = scatter_pos.repeat(bsz, 1, n_kv, hd)
        cache_k[:bsz].scatter_(dim=1, index=scatter_pos, src=xk[:, -sliding_window:])
        cache_v[:bsz].scatter_(dim=1, index=scatter_pos, src=xv[:, -sliding_window:])
        return cache_k, cache_v

    # gpt-fast on Llama-2-7B (one sequence, 4096 max) at a 512-token prefill and a decode step; vLLM's slot write of
    # 256 decode tokens into Llama-3-70B's TP4 shard (2 KV heads, 8192 blocks of 16); mistral-src's rotating cache of
    # 4 sequences over a 1024-token chunk
    out += [("gpt_fast_kv_prefill", gpt_fast_kv_update,
             (m(1, 32, 4096, 128), m(1, 32, 4096, 128), i(512), m(1, 32, 512, 128), m(1, 32, 512, 128))),
            ("gpt_fast_kv_decode", gpt_fast_kv_update,
             (m(1, 32, 4096, 128), m(1, 32, 4096, 128), i(1), m(1, 32, 1, 128), m(1, 32, 1, 128))),
            ("vllm_cache_write", vllm_cache_write,
             (m(256, 2, 128), m(256, 2, 128), m(8192, 16, 2, 128), m(8192, 16, 2, 128), i(256))),
            ("mistral_rotating_cache", mistral_rotating_cache,
             (m(4, 4096, 8, 128), m(4, 4096, 8, 128), m(4, 1024, 8, 128), m(4, 1024, 8, 128), i(1024)))]

    # ------------------------------------------------------------------ speculative decoding and sampling
    def speculative_sampling(candidate_input_ids, candidate_logits, new_logits, candidate_length=5):
        # transformers' _speculative_sampling (assisted generation), one sequence
        new_candidate_input_ids = candidate_input_ids[:, -candidate_length:]
        q = candidate_logits.softmax(dim=-1)
        ar = torch.arange(candidate_length, device=q.device)
        q_i = q[:, ar, new_candidate_input_ids].squeeze(0, 1)
        p = new_logits.softmax(dim=-1)
        p_i = p[:, ar, new_candidate_input_ids].squeeze(0, 1)
        probability_ratio = p_i / q_i
        r_i = torch.rand_like(probability_ratio)
        is_accepted = r_i <= probability_ratio
        n_matches = ((~is_accepted).cumsum(dim=-1) < 1).sum()
        p_n_plus_1 = p.index_select(1, n_matches.view(1))  # p[:, n_matches, :]
        q_n_plus_1 = q.index_select(1, n_matches.clamp(max=candidate_length - 1).view(1))
        p_prime = torch.clamp((p_n_plus_1 - q_n_plus_1), min=0)
        p_prime.div_(p_prime.sum())
        return p_prime

    def warpers(scores, temperature=0.7, top_k=50, top_p=0.9):  # HF's temperature, top-k and top-p warpers
        scores = scores / temperature
        indices_to_remove = scores < torch.topk(scores, top_k)[0][..., -1, None]
        scores = scores.masked_fill(indices_to_remove, -float("inf"))
        sorted_logits, sorted_indices = torch.sort(scores, descending=False)
        cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        sorted_indices_to_remove = cumulative_probs <= (1 - top_p)
        sorted_indices_to_remove[..., -1:] = 0
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        scores = scores.masked_fill(indices_to_remove, -float("inf"))
        return F.softmax(scores, dim=-1)

    def repetition_penalty(input_ids, scores, penalty=1.1):  # HF's RepetitionPenaltyLogitsProcessor
        score = torch.gather(scores, 1, input_ids)
        score = torch.where(score < 0, score * penalty, score / penalty)
        return scores.scatter(1, input_ids, score)

    # Llama-2-7B's target over a Llama-68M draft's 5 tokens (32000 vocabulary, fp32 logits), the residual draw;
    # Command-R's 256000-token vocabulary warped at 16 rows; the repetition penalty over Phi-3's 32064 with 2048 tokens
    # of history at 32 rows
    out += [("speculative_sampling", speculative_sampling, (i(1, 517), m(1, 5, 32000, dt=torch.float32),
                                                            m(1, 6, 32000, dt=torch.float32))),
            ("multinomial", lambda p: torch.multinomial(p, num_samples=1), (mf(1, 32000),)),
            ("warpers_command_r", warpers, (mf(16, 256000),)),
            ("repetition_penalty_phi3", repetition_penalty, (i(32, 2048), mf(32, 32064)))]

    # ================================================================== state-space and recurrent models
    def selective_scan_ref(u, delta, A, B, C, D, delta_bias, steps=3):  # mamba_ssm's reference, its first steps
        dtype_in = u.dtype
        u = u.float()
        delta = delta.float()
        delta = delta + delta_bias[..., None].float()
        delta = F.softplus(delta)
        batch, dim, dstate = u.shape[0], A.shape[0], A.shape[1]
        B = B.float()
        C = C.float()
        x = A.new_zeros((batch, dim, dstate))
        ys = []
        deltaA = torch.exp(torch.einsum("bdl,dn->bdln", delta, A))
        deltaB_u = torch.einsum("bdl,bnl,bdl->bdln", delta, B, u)
        for k in range(steps):
            x = deltaA[:, :, k] * x + deltaB_u[:, :, k]
            y = torch.einsum("bdn,bn->bd", x, C[:, :, k])
            ys.append(y)
        y = torch.stack(ys, dim=2)
        out_ = y + u[..., :steps] * D[:, None]
        return out_.to(dtype=dtype_in)

    def causal_conv1d_ref(x, weight, bias):  # causal_conv1d's reference with SiLU, over a prompt
        seqlen = x.shape[-1]
        dim, width = weight.shape
        x = F.conv1d(x, weight.unsqueeze(1), bias, padding=width - 1, groups=dim)
        x = x[..., :seqlen]
        return F.silu(x)

    def causal_conv1d_update_ref(x, conv_state, weight, bias):  # its decode step on the rolling state
        conv_state.copy_(torch.roll(conv_state, shifts=-1, dims=-1))
        conv_state[:, :, -1] = x
        x = torch.sum(conv_state * weight, dim=-1)
        x = x + bias
        return F.silu(x)

    def mamba2_state_update(state, x, dt, A, B, C, D, z, dt_bias):  # mamba_ssm's selective_state_update_ref
        batch, nheads, dim, dstate = state.shape
        dt = dt + dt_bias
        dt = F.softplus(dt)
        dA = torch.exp(dt * A)
        B = B.unsqueeze(1).expand(batch, nheads, dstate)
        C = C.unsqueeze(1).expand(batch, nheads, dstate)
        dB = dt[..., None] * B
        state.copy_(state * dA[..., None, None] + dB[:, :, None, :] * x[..., None])
        out_ = torch.einsum("bhdn,bhn->bhd", state.to(C.dtype), C)
        out_ = out_ + (x * D[:, None]).to(out_.dtype)
        out_ = out_ * F.silu(z)
        return out_.to(x.dtype)

    # Mamba-790m (3072 inner, 16 states) over 8 sequences of 256; Mamba-2.8B's conv over 2 prompts of 2048 and its
    # decode step at 16; Mamba2-2.7B's decode step (80 heads of 64, 128 states) at 32
    out += [("mamba_selective_scan_ref", selective_scan_ref,
             (m(8, 3072, 256), m(8, 3072, 256), mf(3072, 16), m(8, 16, 256), m(8, 16, 256), mf(3072), mf(3072))),
            ("mamba_causal_conv1d", causal_conv1d_ref, (m(2, 5120, 2048), m(5120, 4), m(5120))),
            ("mamba_conv_state_update", causal_conv1d_update_ref, (m(16, 5120), m(16, 5120, 4), m(5120, 4), m(5120))),
            ("mamba2_state_update", mamba2_state_update,
             (mf(32, 80, 64, 128), m(32, 80, 64), m(32, 80), mf(80), m(32, 128), m(32, 128), mf(80), m(32, 80, 64),
              mf(80)))]

    def s4_fftconv(u, k, D, w_out, b_out):  # S4D's FFT convolution, skip term, GELU and GLU output conv
        L = u.size(-1)
        k_f = torch.fft.rfft(k, n=2 * L)
        u_f = torch.fft.rfft(u, n=2 * L)
        y = torch.fft.irfft(u_f * k_f, n=2 * L)[..., :L]
        y = y + u * D.unsqueeze(-1)
        y = F.gelu(y)
        y = F.conv1d(y, w_out, b_out)
        return F.glu(y, dim=-2)

    def hyena_fftconv(u, k, D, v, x1):  # safari's fftconv_ref with the Hyena gating
        seqlen = u.shape[-1]
        fft_size = 2 * seqlen
        k_f = torch.fft.rfft(k, n=fft_size) / fft_size
        u_f = torch.fft.rfft(u.to(dtype=k.dtype), n=fft_size)
        y = torch.fft.irfft(u_f * k_f, n=fft_size, norm="forward")[..., :seqlen]
        out_ = y + u * D.unsqueeze(-1)
        return (out_.to(dtype=u.dtype) * x1) * v

    # S4D's convolution over 16 sequences of 4096 steps (512 channels); HyenaDNA-medium's long convolution over a
    # 160000-base sequence (256 wide)
    out += [("s4_fftconv", s4_fftconv, (mf(16, 512, 4096), mf(512, 4096), mf(512), mf(1024, 512, 1), mf(1024))),
            ("hyena_fftconv", hyena_fftconv,
             (mf(1, 256, 160000), mf(256, 160000), mf(256), mf(1, 256, 160000), mf(1, 256, 160000)))]

    def rwkv5_att_one(x, sx, s, ln_w, ln_b, k_mix, v_mix, r_mix, g_mix, t_decay, t_first, kw, vw, rw, gw, ow, lx_w,
                      lx_b):  # the rwkv package's RWKV-5 att_one (one token, per-head states)
        xx = F.layer_norm(x, (x.shape[-1],), weight=ln_w, bias=ln_b)
        kx = xx * k_mix + sx * (1 - k_mix)
        vx = xx * v_mix + sx * (1 - v_mix)
        rx = xx * r_mix + sx * (1 - r_mix)
        gx = xx * g_mix + sx * (1 - g_mix)
        H = t_decay.shape[0]
        N = x.shape[-1] // H
        r = (rw @ rx).float().view(H, 1, N)  # gemm(..., output_dtype=torch.float32)
        k = (kw @ kx).float().view(H, N, 1)
        v = (vw @ vx).float().view(H, 1, N)
        g = F.silu(gw @ gx)
        a = torch.matmul(k, v)
        o = r @ (t_first * a + s)
        s = a + t_decay * s
        o = o.flatten()
        o = F.group_norm(o.unsqueeze(0), num_groups=H, weight=lx_w, bias=lx_b, eps=64e-5).squeeze(0)
        o = o.to(dtype=x.dtype) * g
        return ow @ o, xx, s

    def rg_lru(activations, position_ids, igw, igb, rgw, rgb, recurrent_param, recurrent_states):
        # transformers' RecurrentGemmaRglru at decode (one step of _rnn_scan)
        batch_size, seq_len, lru_width = activations.shape
        heads, bw = igw.shape[0], igw.shape[1]
        reset = position_ids[:, :, None] == 0
        reshape_act = activations.reshape(batch_size * seq_len, heads, bw).permute(1, 0, 2)
        res = torch.baddbmm(igb[:, None, :], reshape_act, igw)
        input_gate = torch.sigmoid(res.transpose(0, 1).reshape(batch_size, seq_len, lru_width))
        res = torch.baddbmm(rgb[:, None, :], reshape_act, rgw)
        recurrent_gate = torch.sigmoid(res.transpose(0, 1).reshape(batch_size, seq_len, lru_width))
        log_recurrent_gate = -8.0 * recurrent_gate * F.softplus(recurrent_param)
        recurrent_gate = torch.exp(log_recurrent_gate)
        a_square = torch.exp(2 * log_recurrent_gate)
        gated_inputs = activations * input_gate
        multiplier = torch.sqrt(1 - a_square)
        multiplier = reset + ~reset * multiplier
        normalized_x = gated_inputs * multiplier.type(activations.dtype)
        contextualized_states = recurrent_gate.type(torch.float32) * recurrent_states[:, None]
        contextualized_states += normalized_x.type(torch.float32)
        return contextualized_states.type(activations.dtype), contextualized_states[:, -1]

    # RWKV-5 World 7B (4096 wide, 64 heads of 64) one token in fp16 with fp32 states; RecurrentGemma-2B's RG-LRU (2560
    # wide, 10 blocks of 256) at a decode batch of 16
    rw = (mh(4096), mh(4096), mf(64, 64, 64), mh(4096), mh(4096), mh(4096), mh(4096), mh(4096), mh(4096),
          mf(64, 1, 1), mf(64, 1, 1), mh(4096, 4096), mh(4096, 4096), mh(4096, 4096), mh(4096, 4096), mh(4096, 4096),
          mh(4096), mh(4096))
    out += [("rwkv5_att_one", rwkv5_att_one, rw),
            ("rg_lru_decode", rg_lru,
             (m(16, 1, 2560), i(16, 1), m(10, 256, 256), m(10, 256), m(10, 256, 256), m(10, 256), m(2560),
              mf(16, 2560)))]

    # ================================================================== diffusion
    def timestep_embedding(timesteps, w1, b1, w2, b2, dim=320, max_period=10000):
        # diffusers' get_timestep_embedding (flip_sin_to_cos) and TimestepEmbedding
        half_dim = dim // 2
        exponent = -math.log(max_period) * torch.arange(0, half_dim, dtype=torch.float32, device=timesteps.device)
        exponent = exponent / half_dim
        emb = torch.exp(exponent)
        emb = timesteps[:, None].float() * emb[None, :]
        emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
        emb = torch.cat([emb[:, half_dim:], emb[:, :half_dim]], dim=-1)
        emb = emb.to(dtype=w1.dtype)
        emb = linear(emb, w1, b1)
        emb = F.silu(emb)
        return linear(emb, w2, b2)

    def resnet_block2d(x, temb, n1w, n1b, c1w, c1b, tw, tb, n2w, n2b, c2w, c2b, scw=None, scb=None, groups=32):
        h = F.group_norm(x, groups, n1w, n1b, eps=1e-5)
        h = F.silu(h)
        h = F.conv2d(h, c1w, c1b, padding=1)
        if temb is not None:
            t = linear(F.silu(temb), tw, tb)[:, :, None, None]
            h = h + t
        h = F.group_norm(h, groups, n2w, n2b, eps=1e-5)
        h = F.silu(h)
        h = F.conv2d(h, c2w, c2b, padding=1)
        if scw is not None:
            x = F.conv2d(x, scw, scb)
        return (x + h) / 1.0

    def resnet_inputs(b, cin, cout, hw, maker, temb=1280):
        ins = [maker(b, cin, hw, hw), maker(b, temb), maker(cin), maker(cin), maker(cout, cin, 3, 3), maker(cout),
               maker(cout, temb), maker(cout), maker(cout), maker(cout), maker(cout, cout, 3, 3), maker(cout)]
        if cin != cout:
            ins += [maker(cout, cin, 1, 1), maker(cout)]
        return tuple(ins)

    def upsample2d(x, w, b):  # diffusers' Upsample2D (nearest x2, then a 3 x 3 conv)
        if x.shape[0] >= 64:
            x = x.contiguous()
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        return F.conv2d(x, w, b, padding=1)

    def downsample2d(x, w, b):
        return F.conv2d(x, w, b, stride=2, padding=1)

    # SD-2.1-768's time embedding over a CFG batch of 8 in fp16; its UNet ResnetBlock2D at 96 x 96 latents (320) and
    # 48 x 48 (320 -> 640, with its 1 x 1 shortcut); Upsample2D / Downsample2D there
    out += [("sd21_timestep_embedding", timestep_embedding,
             (i(8), mh(1280, 320), mh(1280), mh(1280, 1280), mh(1280))),
            ("sd21_resnet_320", lambda *a: resnet_block2d(*a), resnet_inputs(2, 320, 320, 96, mh)),
            ("sd21_resnet_320_640", lambda *a: resnet_block2d(*a), resnet_inputs(2, 320, 640, 48, mh)),
            ("sd21_upsample2d", upsample2d, (mh(2, 640, 48, 48), mh(640, 640, 3, 3), mh(640))),
            ("sd21_downsample2d", downsample2d, (mh(2, 320, 96, 96), mh(320, 320, 3, 3), mh(320)))]

    def cross_attention(x, ctx, wq, wk, wv, wo, bo, heads=5):  # diffusers' Attention (AttnProcessor2_0)
        b, n, c = x.shape
        q = linear(x, wq)
        k = linear(ctx, wk)
        v = linear(ctx, wv)
        hd = c // heads
        q = q.view(b, -1, heads, hd).transpose(1, 2)
        k = k.view(b, -1, heads, hd).transpose(1, 2)
        v = v.view(b, -1, heads, hd).transpose(1, 2)
        o = F.scaled_dot_product_attention(q, k, v, dropout_p=0.0, is_causal=False)
        o = o.transpose(1, 2).reshape(b, -1, heads * hd).to(q.dtype)
        return linear(o, wo, bo)

    def spatial_in(x, gw, gb, pw, pb):  # Transformer2DModel's GroupNorm and proj_in (SD-2's use_linear_projection)
        b, c, h, w = x.shape
        x = F.group_norm(x, 32, gw, gb, eps=1e-6)
        x = x.permute(0, 2, 3, 1).reshape(b, h * w, c)
        return linear(x, pw, pb)

    def geglu_ff(x, w1, b1, w2, b2):
        h, gate = linear(x, w1, b1).chunk(2, dim=-1)
        return linear(h * F.gelu(gate), w2, b2)

    # SD-2.1-768 at 96 x 96 latents: self-attention over 9216 tokens and cross-attention to OpenCLIP-H's 77 x 1024
    # text states (5 heads of 64); at 48 x 48 its proj_in and the GEGLU feed-forward
    out += [("sd21_self_attn_96", lambda x, wq, wk, wv, wo, bo: cross_attention(x, x, wq, wk, wv, wo, bo),
             (mh(2, 9216, 320), mh(320, 320), mh(320, 320), mh(320, 320), mh(320, 320), mh(320))),
            ("sd21_cross_attn_96", cross_attention,
             (mh(2, 9216, 320), mh(2, 77, 1024), mh(320, 320), mh(320, 1024), mh(320, 1024), mh(320, 320), mh(320))),
            ("sd21_spatial_proj_in", spatial_in, (mh(2, 640, 48, 48), mh(640), mh(640), mh(640, 640), mh(640))),
            ("sd21_geglu_ff", geglu_ff, (mh(2, 2304, 640), mh(5120, 640), mh(5120), mh(640, 2560), mh(640)))]

    def cfg_ddim_vpred(noise_pred, sample, alpha_prod_t, alpha_prod_t_prev, guidance_scale=7.5):
        # classifier-free guidance, then diffusers' DDIMScheduler.step for v-prediction (eta 0)
        uncond, text = noise_pred.chunk(2)
        model_output = uncond + guidance_scale * (text - uncond)
        beta_prod_t = 1 - alpha_prod_t
        pred_original_sample = (alpha_prod_t ** 0.5) * sample - (beta_prod_t ** 0.5) * model_output
        pred_epsilon = (alpha_prod_t ** 0.5) * model_output + (beta_prod_t ** 0.5) * sample
        pred_sample_direction = (1 - alpha_prod_t_prev) ** 0.5 * pred_epsilon
        return alpha_prod_t_prev ** 0.5 * pred_original_sample + pred_sample_direction

    def edm_heun_step(x_cur, denoised, denoised_prime, t_cur, t_next, gamma=0.0, S_noise=1.0):
        # EDM's edm_sampler step in float64 (stochastic churn, Euler, 2nd-order correction)
        t_hat = t_cur + gamma * t_cur
        x_hat = x_cur + (t_hat ** 2 - t_cur ** 2).sqrt() * S_noise * torch.randn_like(x_cur)
        d_cur = (x_hat - denoised.to(torch.float64)) / t_hat
        x_next = x_hat + (t_next - t_hat) * d_cur
        d_prime = (x_next - denoised_prime.to(torch.float64)) / t_next
        return x_hat + (t_next - t_hat) * (0.5 * d_cur + 0.5 * d_prime)

    def lcm_step(model_output, sample, alpha_prod_t, alpha_prod_t_prev, c_skip, c_out):  # diffusers' LCMScheduler
        beta_prod_t = 1 - alpha_prod_t
        beta_prod_t_prev = 1 - alpha_prod_t_prev
        predicted_original_sample = (sample - beta_prod_t.sqrt() * model_output) / alpha_prod_t.sqrt()
        denoised = c_out * predicted_original_sample + c_skip * sample
        noise = torch.randn(model_output.shape, device=model_output.device, dtype=denoised.dtype)
        return alpha_prod_t_prev.sqrt() * denoised + beta_prod_t_prev.sqrt() * noise

    # SD-2.1-768's guided DDIM step over 4 prompts (96 x 96 latents) in fp16; EDM's Heun step on ImageNet-64 (64
    # images, float64 with the fp32 network's outputs); LCM-SDXL's step on 4 latents of 128
    out += [("sd21_cfg_ddim_vpred", cfg_ddim_vpred, (mh(8, 4, 96, 96), mh(4, 4, 96, 96), sc(), sc())),
            ("edm_heun_step_imagenet64", edm_heun_step,
             (md(64, 3, 64, 64), mf(64, 3, 64, 64), mf(64, 3, 64, 64), sc(torch.float64), sc(torch.float64))),
            ("lcm_sdxl_step", lcm_step, (mh(4, 4, 128, 128), mh(4, 4, 128, 128), sc(), sc(), sc(), sc()))]

    def vae_resnet_nt(x, n1w, n1b, c1w, c1b, n2w, n2b, c2w, c2b):  # the VAE decoder's ResnetBlock2D (no temb)
        return resnet_block2d(x, None, n1w, n1b, c1w, c1b, None, None, n2w, n2b, c2w, c2b)

    def vae_out(x, gw, gb, w, b):  # conv_norm_out, SiLU, conv_out
        x = F.group_norm(x, 32, gw, gb, eps=1e-6)
        x = F.silu(x)
        return F.conv2d(x, w, b, padding=1)

    # SDXL's VAE decoding a 1024 image in fp32 (force_upcast): its last ResnetBlock2D (128 at 1024 x 1024) and output
    # conv
    out += [("sdxl_vae_resnet_128_1024", vae_resnet_nt,
             (mf(1, 128, 1024, 1024), mf(128), mf(128), mf(128, 128, 3, 3), mf(128), mf(128), mf(128),
              mf(128, 128, 3, 3), mf(128))),
            ("sdxl_vae_conv_out", vae_out, (mf(1, 128, 1024, 1024), mf(128), mf(128), mf(3, 128, 3, 3), mf(3)))]

    def animatediff_temporal(x, gw, gb, pin_w, pin_b, pe, wq, wk, wv, wo, bo, pout_w, pout_b, frames=16, heads=8):
        # AnimateDiff's TemporalTransformer3DModel: (b f) c h w -> (b h w) f c, attention across frames
        bf, c, h, w = x.shape
        b = bf // frames
        residual = x
        x = x.view(b, frames, c, h, w).permute(0, 2, 1, 3, 4)
        x = F.group_norm(x, 32, gw, gb, eps=1e-6)
        x = x.permute(0, 3, 4, 2, 1).reshape(b * h * w, frames, c)
        x = linear(x, pin_w, pin_b)
        x = x + pe[:, :frames]
        q, k, v = linear(x, wq), linear(x, wk), linear(x, wv)
        hd = c // heads
        q, k, v = (t.view(b * h * w, frames, heads, hd).transpose(1, 2) for t in (q, k, v))
        o = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b * h * w, frames, c)
        x = linear(o, wo, bo) + x
        x = linear(x, pout_w, pout_b)
        x = x.view(b, h, w, frames, c).permute(0, 3, 4, 1, 2).reshape(bf, c, h, w)
        return x + residual

    def flux_pack_and_step(latents, model_output, sigma, sigma_next):  # Flux's _pack_latents and the Euler step
        b, c, h, w = latents.shape
        packed = latents.view(b, c, h // 2, 2, w // 2, 2).permute(0, 2, 4, 1, 3, 5).reshape(b, (h // 2) * (w // 2),
                                                                                              c * 4)
        sample = packed.to(torch.float32)
        prev = sample + (sigma_next - sigma) * model_output
        return prev.to(model_output.dtype)

    # AnimateDiff on SD-1.5 (16 frames of 64 x 64 latents, 320 channels, CFG batch 2) in fp16; Flux-dev's packing and
    # Euler step at 1024
    out += [("animatediff_temporal_320", animatediff_temporal,
             (mh(32, 320, 64, 64), mh(320), mh(320), mh(320, 320), mh(320), mh(1, 32, 320), mh(320, 320), mh(320, 320),
              mh(320, 320), mh(320, 320), mh(320), mh(320, 320), mh(320))),
            ("flux_pack_euler", flux_pack_and_step, (m(1, 16, 128, 128), m(1, 4096, 64), sc(), sc()))]

    # ================================================================== graph neural networks
    def gat_conv(x, edge_index, W, att_src, att_dst, bias, heads, C):  # PyG's GATConv with its per-target softmax
        N = x.size(0)
        h = F.linear(x, W).view(-1, heads, C)
        alpha_src = (h * att_src).sum(dim=-1)
        alpha_dst = (h * att_dst).sum(dim=-1)
        src, dst = edge_index[0], edge_index[1]
        alpha = alpha_src.index_select(0, src) + alpha_dst.index_select(0, dst)
        alpha = F.leaky_relu(alpha, 0.2)
        index = dst.unsqueeze(-1).expand_as(alpha)
        amax = alpha.new_full((N, heads), float("-inf")).scatter_reduce(0, index, alpha, reduce="amax")
        alpha = (alpha - amax.index_select(0, dst)).exp()
        denom = alpha.new_zeros(N, heads).index_add_(0, dst, alpha)
        alpha = alpha / (denom.index_select(0, dst) + 1e-16)
        alpha = F.dropout(alpha, p=0.6, training=True)
        msg = h.index_select(0, src) * alpha.unsqueeze(-1)
        out_ = h.new_zeros(N, heads, C).index_add_(0, dst, msg)
        return out_.view(-1, heads * C) + bias

    def sage_conv(x, edge_index, wl, bl, wr, n_target):  # PyG's SAGEConv (mean) on a NeighborLoader's bipartite hop
        src, dst = edge_index[0], edge_index[1]
        x_j = x.index_select(0, src)
        agg = x.new_zeros(n_target, x.size(1)).scatter_reduce_(0, dst.unsqueeze(-1).expand_as(x_j), x_j,
                                                              reduce="mean", include_self=False)
        h = F.linear(agg, wl, bl) + F.linear(x[:n_target], wr)
        return F.dropout(F.relu(h), p=0.5, training=True)

    def appnp(h, edge_index, edge_weight, K=3, alpha=0.1):  # PyG's APPNP propagation (K steps)
        x = h
        src, dst = edge_index[0], edge_index[1]
        for _ in range(K):
            msg = x.index_select(0, src) * edge_weight.view(-1, 1)
            x = torch.zeros_like(x).index_add_(0, dst, msg)
            x = x * (1 - alpha)
            x = x + alpha * h
        return F.log_softmax(x, dim=-1)

    # GAT on Cora (2708 nodes, 13264 edges with self-loops, 1433 features, 8 heads of 8); GraphSAGE on ogbn-products'
    # first hop (fanout 15 from 16384 targets, 100 features -> 256); APPNP on ogbn-arxiv (169343 nodes, 40 classes,
    # 2.48M edges)
    out += [("gat_cora", lambda *a: gat_conv(*a, heads=8, C=8),
             (mf(2708, 1433), i(2, 13264), mf(64, 1433), mf(1, 8, 8), mf(1, 8, 8), mf(64))),
            ("sage_products_hop", lambda *a: sage_conv(*a, n_target=16384),
             (mf(160000, 100), i(2, 245760), mf(256, 100), mf(256), mf(256, 100))),
            ("appnp_arxiv", appnp, (mf(169343, 40), i(2, 2484941), mf(2484941)))]

    # ================================================================== point clouds
    def feature_transform_reg(trans):  # PointNet's feature_transform_regularizer
        d = trans.size()[1]
        iden = torch.eye(d, device=trans.device)[None, :, :]
        return torch.mean(torch.norm(torch.bmm(trans, trans.transpose(2, 1)) - iden, dim=(1, 2)))

    def point_mae_group(xyz, center, num_group=64, group_size=32):  # Point-MAE's Group: kNN by square distance
        B, N, _ = xyz.shape
        dist = -2 * torch.matmul(center, xyz.permute(0, 2, 1))
        dist += torch.sum(center ** 2, -1).view(B, num_group, 1)
        dist += torch.sum(xyz ** 2, -1).view(B, 1, N)
        _, idx = torch.topk(dist, group_size, dim=-1, largest=False, sorted=False)
        idx_base = torch.arange(0, B, device=xyz.device).view(-1, 1, 1) * N
        idx = (idx + idx_base).view(-1)
        neighborhood = xyz.view(B * N, -1)[idx, :]
        neighborhood = neighborhood.view(B, num_group, group_size, 3).contiguous()
        return neighborhood - center.unsqueeze(2)

    def fps_steps(xyz, distance, farthest, steps=3):  # PointNet++'s farthest_point_sample, its first iterations
        B, N, C = xyz.shape
        batch_indices = torch.arange(B, dtype=torch.long, device=xyz.device)
        for _ in range(steps):
            centroid = xyz[batch_indices, farthest, :].view(B, 1, 3)
            dist = torch.sum((xyz - centroid) ** 2, -1)
            distance = torch.min(distance, dist)
            farthest = torch.max(distance, -1)[1]
        return farthest

    def pillar_scatter(voxel_features, coords, nx=432, ny=496):  # PointPillarsScatter onto the BEV canvas
        canvas = torch.zeros(voxel_features.shape[1], nx * ny, dtype=voxel_features.dtype,
                             device=voxel_features.device)
        indices = coords[:, 2] * nx + coords[:, 3]
        canvas[:, indices] = voxel_features.t()
        return canvas.view(1, -1, ny, nx)

    # PointNet's 64 x 64 feature-transform regulariser at 32; Point-MAE's grouping (64 centres of 32 over 1024 points,
    # batch 128); farthest point sampling over 16 ScanNet clouds of 40000; PointPillars' scatter of KITTI's 12000
    # pillars (64 features) onto its 432 x 496 grid
    out += [("pointnet_feat_reg", feature_transform_reg, (mf(32, 64, 64),)),
            ("point_mae_group", point_mae_group, (mf(128, 1024, 3), mf(128, 64, 3))),
            ("fps_scannet", fps_steps, (mf(16, 40000, 3), mf(16, 40000), i(16))),
            ("pointpillars_scatter", pillar_scatter, (mf(12000, 64), i(12000, 4)))]

    # ================================================================== tabular transformers
    def saint_intersample(x, wqkv, wo, heads=8):  # SAINT's intersample attention: rows attend across the batch
        b, n, d = x.shape
        x = x.reshape(1, b, n * d)
        q, k, v = F.linear(x, wqkv).chunk(3, dim=-1)
        dh = q.shape[-1] // heads
        q, k, v = (t.view(1, b, heads, dh).transpose(1, 2) for t in (q, k, v))
        sim = torch.einsum("b h i d, b h j d -> b h i j", q, k) * dh ** -0.5
        attn = sim.softmax(dim=-1)
        o = torch.einsum("b h i j, b h j d -> b h i d", attn, v)
        o = o.transpose(1, 2).reshape(1, b, heads * dh)
        return F.linear(o, wo).reshape(b, n, d)

    # SAINT's intersample attention over a batch of 256 rows of 15 columns x 32 (8 heads)
    out += [("saint_intersample", saint_intersample, (mf(256, 15, 32), mf(1440, 480), mf(480, 480)))]

    # ================================================================== optimizers in plain torch
    def lamb_step(p, grad, exp_avg, exp_avg_sq, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-6, wd=0.01):
        # cybertronai/pytorch-lamb's step: Adam moments, decayed update, layer-wise trust ratio
        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        adam_step = exp_avg / exp_avg_sq.sqrt().add(eps)
        adam_step.add_(p, alpha=wd)
        weight_norm = p.pow(2).sum().sqrt().clamp(0, 10)
        adam_norm = adam_step.pow(2).sum().sqrt()
        trust_ratio = torch.where((weight_norm == 0) | (adam_norm == 0), torch.ones_like(adam_norm),
                                  weight_norm / adam_norm)
        p.add_(adam_step * (-lr * trust_ratio))
        return p

    def adamw_foreach(params, grads, exp_avgs, exp_avg_sqs, lr=3e-4, beta1=0.9, beta2=0.95, eps=1e-8, wd=0.1,
                      bc1=0.1, bc2_sqrt=0.3):  # torch.optim.AdamW's _multi_tensor_adamw (capturable=False)
        torch._foreach_mul_(params, 1 - lr * wd)
        torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)
        torch._foreach_mul_(exp_avg_sqs, beta2)
        torch._foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
        exp_avg_sq_sqrt = torch._foreach_sqrt(exp_avg_sqs)
        torch._foreach_div_(exp_avg_sq_sqrt, bc2_sqrt)
        torch._foreach_add_(exp_avg_sq_sqrt, eps)
        torch._foreach_addcdiv_(params, exp_avgs, exp_avg_sq_sqrt, -lr / bc1)
        return params

    def adamw_foreach_flat(*ts):
        n = len(ts) // 4
        return adamw_foreach(list(ts[:n]), list(ts[n:2 * n]), list(ts[2 * n:3 * n]), list(ts[3 * n:]))

    def ema_foreach(*ts, decay=0.9999):  # timm's ModelEmaV3 by _foreach_lerp_
        n = len(ts) // 2
        torch._foreach_lerp_(list(ts[:n]), list(ts[n:]), weight=1.0 - decay)
        return ts[:n]

    def lion_step(p, grad, exp_avg, lr=1e-4, wd=0.1, beta1=0.9, beta2=0.99):  # lucidrains' lion-pytorch update_fn
        p.data.mul_(1 - lr * wd)
        update = exp_avg.clone().mul_(beta1).add(grad, alpha=1 - beta1).sign_()
        p.add_(update, alpha=-lr)
        exp_avg.mul_(beta2).add_(grad, alpha=1 - beta2)
        return p

    # LAMB over BERT-large's 4096 x 1024 intermediate dense; torch's foreach AdamW over four of GPT-2 small's tensors;
    # timm's EMA over four ConvNeXt-T tensors; Lion over ViT-L's qkv, all fp32
    gpt2 = ((768, 2304), (2304,), (768,), (50257, 768))
    cnx = ((96, 1, 7, 7), (384, 96), (96,), (768, 3072))
    out += [("lamb_bert_dense", lamb_step, (mf(4096, 1024), mf(4096, 1024), mf(4096, 1024), mf(4096, 1024))),
            ("adamw_foreach_gpt2", adamw_foreach_flat, tuple(mf(*s) for _ in range(4) for s in gpt2)),
            ("ema_foreach_convnext", ema_foreach, tuple(mf(*s) for _ in range(2) for s in cnx)),
            ("lion_vit_l_qkv", lion_step, (mf(3072, 1024), mf(3072, 1024), mf(3072, 1024)))]

    # ================================================================== quantization
    def lsq_fake_quant(x, s, Qn=-128, Qp=127):  # LSQ (Esser et al.): gradient-scaled step, round pass, per channel
        g = 1.0 / math.sqrt(x[0].numel() * Qp)
        s = (s - s * g).detach() + s * g
        x = x / s
        x = torch.clamp(x, Qn, Qp)
        x = (x.round() - x).detach() + x
        return x * s

    def awq_dequant(qweight, qzeros, scales, reverse_order, group_size=128, bits=4):  # AutoAWQ's unpack + dequantize
        shifts = torch.arange(0, 32, bits, device=qweight.device)
        iweights = torch.bitwise_right_shift(qweight[:, :, None], shifts[None, None, :]).to(torch.int8)
        iweights = iweights.view(iweights.shape[0], -1)
        izeros = torch.bitwise_right_shift(qzeros[:, :, None], shifts[None, None, :]).to(torch.int8)
        izeros = izeros.view(izeros.shape[0], -1)
        iweights = iweights[:, reverse_order]
        izeros = izeros[:, reverse_order]
        iweights = torch.bitwise_and(iweights, (2 ** bits) - 1)
        izeros = torch.bitwise_and(izeros, (2 ** bits) - 1)
        scales = scales.repeat_interleave(group_size, dim=0)
        izeros = izeros.repeat_interleave(group_size, dim=0)
        return (iweights - izeros) * scales

    def hqq_dequant(W_q, scale, zero, shape=(14336, 4096)):  # HQQ's 4-bit unpack and per-group affine dequantisation
        W_r = torch.cat([(W_q & 0b11110000) >> 4, W_q & 0b00001111], dim=0).to(scale.dtype)
        W_r = (W_r - zero) * scale
        return W_r.reshape(shape)

    def mx_fake_quant(x, block=32, emax=8, max_norm=448.0):  # microxcaling's MXFP8 (E4M3) quantize, simulated
        shape = x.shape
        xb = x.float().reshape(-1, block)
        amax = xb.abs().amax(dim=-1, keepdim=True)
        shared_exp = torch.floor(torch.log2(amax + (amax == 0).type(amax.dtype))) - emax
        scale = torch.pow(2.0, shared_exp)
        xq = torch.clamp(xb / scale, -max_norm, max_norm).to(torch.float8_e4m3fn).to(torch.float32)
        return (xq * scale).reshape(shape).to(x.dtype)

    def llm_int8_matmul(A, CB, SCB, threshold=6.0):  # LLM.int8()'s row-wise quant, outlier zeroing, int8 product
        outliers = A.abs() >= threshold
        A_in = A.masked_fill(outliers, 0.0)
        SCA = A_in.abs().amax(dim=1, keepdim=True).float()
        CA = torch.round(A_in.float() * (127.0 / SCA)).to(torch.int8)
        out_i32 = torch._int_mm(CA, CB.t())
        return (out_i32.float() * (SCA * SCB.unsqueeze(0) / (127.0 * 127.0))).to(A.dtype)

    def gptq_block_update(W1, Hinv1, W_rest, Hinv_rest, scale, zero, maxq=15):  # a block's quantise + lazy update
        q = torch.clamp(torch.round(W1 / scale) + zero, 0, maxq)
        Q1 = scale * (q - zero)
        Err1 = (W1 - Q1) / torch.diag(Hinv1).unsqueeze(0)
        W_rest -= Err1.matmul(Hinv_rest)
        return Q1, W_rest

    # LSQ over ResNet-18's layer3 3 x 3 weights; AWQ's dequantisation of Llama-2-13B's down_proj (13824 -> 5120,
    # groups of 128); HQQ's 4-bit, 64-group dequant of Llama-3-8B's gate_proj; MXFP8 over a 8192 x 4096 bf16
    # activation; LLM.int8 on OPT-13B's fc1 over 2048 tokens; GPTQ's lazy block update over a 4096-wide weight
    out += [("lsq_resnet18_w", lsq_fake_quant, (mf(256, 256, 3, 3), mf(256, 1, 1, 1))),
            ("awq_dequant_llama2_13b", awq_dequant, (mi32(13824, 640), mi32(108, 640), mh(108, 5120), i(5120))),
            ("hqq_dequant_llama3_8b", hqq_dequant, (mu8(458752, 64), mh(917504, 1), mh(917504, 1))),
            ("mxfp8_fake_quant", mx_fake_quant, (m(8192, 4096),)),
            ("llm_int8_opt13b_fc1", llm_int8_matmul, (mh(2048, 5120), m(20480, 5120, dt=torch.int8), mf(20480))),
            ("gptq_block_update", gptq_block_update,
             (mf(4096, 128), mf(128, 128), mf(4096, 3968), mf(128, 3968), mf(4096, 1), mf(4096, 1)))]

    # ================================================================== scientific ML
    def fno3d_spectral(x, w1, w2, w3, w4, ww, wb, m1=8, m2=8, m3=8):  # neuraloperator's SpectralConv3d + 1x1 + GELU
        B = x.shape[0]
        x_ft = torch.fft.rfftn(x, dim=[-3, -2, -1])
        out_ft = torch.zeros(B, w1.shape[1], x.size(-3), x.size(-2), x.size(-1) // 2 + 1, dtype=torch.cfloat,
                             device=x.device)
        out_ft[:, :, :m1, :m2, :m3] = torch.einsum("bixyz,ioxyz->boxyz", x_ft[:, :, :m1, :m2, :m3], w1)
        out_ft[:, :, -m1:, :m2, :m3] = torch.einsum("bixyz,ioxyz->boxyz", x_ft[:, :, -m1:, :m2, :m3], w2)
        out_ft[:, :, :m1, -m2:, :m3] = torch.einsum("bixyz,ioxyz->boxyz", x_ft[:, :, :m1, -m2:, :m3], w3)
        out_ft[:, :, -m1:, -m2:, :m3] = torch.einsum("bixyz,ioxyz->boxyz", x_ft[:, :, -m1:, -m2:, :m3], w4)
        x1 = torch.fft.irfftn(out_ft, s=(x.size(-3), x.size(-2), x.size(-1)))
        x2 = F.conv3d(x, ww, wb)
        return F.gelu(x1 + x2)

    def deeponet(u, y, bw1, bb1, bw2, bb2, tw1, tb1, tw2, tb2, b0):  # DeepXDE's DeepONetCartesianProd
        b = torch.tanh(F.linear(u, bw1, bb1))
        b = F.linear(b, bw2, bb2)
        t = torch.tanh(F.linear(y, tw1, tb1))
        t = torch.tanh(F.linear(t, tw2, tb2))
        return torch.einsum("bi,ni->bn", b, t) + b0

    def wave3d_step(u, u_prev, c2, stencil, dt2=1e-4):  # a 7-point-Laplacian leapfrog step of the acoustic wave
        lap = F.conv3d(F.pad(u, (1, 1, 1, 1, 1, 1), mode="replicate"), stencil)
        return 2 * u - u_prev + c2 * dt2 * lap

    # FNO-3d on 3-D Navier-Stokes (64 x 64 x 40 steps + 6 padding, width 20, 8 modes) at 10; DeepONet's
    # antiderivative (1000 functions x 10000 points); an acoustic wave step on a 128^3 grid in fp32
    out += [("fno3d_spectral", fno3d_spectral,
             (mf(10, 20, 64, 64, 46), m(20, 20, 8, 8, 8, dt=torch.cfloat), m(20, 20, 8, 8, 8, dt=torch.cfloat),
              m(20, 20, 8, 8, 8, dt=torch.cfloat), m(20, 20, 8, 8, 8, dt=torch.cfloat), mf(20, 20, 1, 1, 1),
              mf(20))),
            ("deeponet", deeponet,
             (mf(1000, 100), mf(10000, 1), mf(40, 100), mf(40), mf(40, 40), mf(40), mf(40, 1), mf(40), mf(40, 40),
              mf(40), sc())),
            ("wave3d_step", wave3d_step, (mf(1, 1, 128, 128, 128), mf(1, 1, 128, 128, 128), mf(1, 1, 128, 128, 128),
                                          mf(1, 1, 3, 3, 3)))]

    # ================================================================== video models
    def tsm_shift(x, n_segment=8, fold_div=8):  # TSM's temporal shift (the official shift())
        nt, c, h, w = x.size()
        x = x.view(nt // n_segment, n_segment, c, h, w)
        fold = c // fold_div
        out_ = torch.zeros_like(x)
        out_[:, :-1, :fold] = x[:, 1:, :fold]
        out_[:, 1:, fold: 2 * fold] = x[:, :-1, fold: 2 * fold]
        out_[:, :, 2 * fold:] = x[:, :, 2 * fold:]
        return out_.view(nt, c, h, w)

    def tsn_consensus_loss(feat, fc_w, fc_b, target, n_segment=8):  # TSM's head: pool, dropout, fc, segment average
        x = F.adaptive_avg_pool2d(feat, 1).flatten(1)
        x = F.dropout(x, p=0.5, training=True)
        x = F.linear(x, fc_w, fc_b)
        x = x.view(-1, n_segment, x.shape[-1]).mean(dim=1)
        return F.cross_entropy(x, target)

    def slowfast_fuse(slow, fast, w, bn, alpha=4):  # PySlowFast's FuseFastToSlow lateral connection
        fuse = F.conv3d(fast, w, stride=(alpha, 1, 1), padding=(3, 0, 0))
        fuse = F.relu(bn_train(fuse, bn))
        return torch.cat([slow, fuse], 1)

    def slowfast_fast_stem(x, w, bn):  # the fast pathway's stem: 5 x 7 x 7 conv, BN, ReLU, 1 x 3 x 3 max pool
        x = F.conv3d(x, w, stride=(1, 2, 2), padding=(2, 3, 3))
        x = F.relu(bn_train(x, bn))
        return F.max_pool3d(x, kernel_size=(1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))

    def x3d_block(x, wa, bna, wb, bnb, se1w, se1b, se2w, se2b, wc, bnc):  # X3D's bottleneck: depthwise 3^3, SE, swish
        h = F.relu(bn_train(F.conv3d(x, wa), bna))
        h = bn_train(F.conv3d(h, wb, padding=1, groups=wb.shape[0]), bnb)
        s = F.adaptive_avg_pool3d(h, 1)
        s = torch.sigmoid(F.conv3d(F.relu(F.conv3d(s, se1w, se1b)), se2w, se2b))
        h = h * s
        h = h * torch.sigmoid(h)
        h = bn_train(F.conv3d(h, wc), bnc)
        return F.relu(x + h)

    def r2plus1d_conv(x, ws, bn, wt):  # torchvision's Conv2Plus1D with its BN and ReLU between
        x = F.conv3d(x, ws, padding=(0, 1, 1))
        x = F.relu(bn_train(x, bn), inplace=True)
        return F.conv3d(x, wt, padding=(1, 0, 0))

    def videomae_embed_mask(video, w, b, pos, noise, n_keep=156):  # VideoMAE's tubelet embedding and tube masking
        x = F.conv3d(video, w, b, stride=(2, 16, 16))
        x = x.flatten(2).transpose(1, 2)
        x = x + pos.type_as(x).to(x.device)
        ids_shuffle = torch.argsort(noise, dim=1)
        ids_keep = ids_shuffle[:, :n_keep]
        return torch.gather(x, dim=1, index=ids_keep.unsqueeze(-1).expand(-1, -1, x.shape[-1]))

    # TSM-ResNet50 on Something-Something-v2 (8 clips x 8 segments) in fp16: the shift at layer1's width and the head
    # (174 classes); SlowFast-R50 8x8 (fast: 32 frames x 8 channels, alpha 4) in fp32; X3D-M's stage-2 block (24 ->
    # 54) over 8 clips of 16 x 56 x 56; R(2+1)D-18's layer1 conv (144 mid planes) over 16 clips in fp16
    # channels_last_3d; VideoMAE-B's tube embedding and 90% masking over 8 clips
    out += [("tsm_shift", tsm_shift, (mh(64, 256, 56, 56),)),
            ("tsm_head_loss", tsn_consensus_loss, (mh(64, 2048, 7, 7), mh(174, 2048), mh(174), i(8))),
            ("slowfast_fuse", slowfast_fuse,
             (mf(8, 64, 8, 56, 56), mf(8, 8, 32, 56, 56), mf(16, 8, 7, 1, 1), bn_state(16))),
            ("slowfast_fast_stem", slowfast_fast_stem, (mf(8, 3, 32, 224, 224), mf(8, 3, 5, 7, 7), bn_state(8))),
            ("x3d_m_block", x3d_block,
             (mf(8, 24, 16, 56, 56), mf(54, 24, 1, 1, 1), bn_state(54), mf(54, 1, 3, 3, 3), bn_state(54),
              mf(8, 54, 1, 1, 1), mf(8), mf(54, 8, 1, 1, 1), mf(54), mf(24, 54, 1, 1, 1), bn_state(24))),
            ("r2plus1d_conv", r2plus1d_conv,
             (cl3(mh(16, 64, 8, 56, 56)), cl3(mh(144, 64, 1, 3, 3)), bn_state(144), cl3(mh(64, 144, 3, 1, 1)))),
            ("videomae_embed_mask", videomae_embed_mask,
             (mh(8, 3, 16, 224, 224), mh(768, 3, 2, 16, 16), mh(768), mf(1, 1568, 768), mf(8, 1568)))]

    # ================================================================== audio
    def mel_spectrogram_db(wave, window, fb, top_db=80.0):  # torchaudio's MelSpectrogram and AmplitudeToDB
        spec = torch.stft(wave, n_fft=2048, hop_length=512, win_length=2048, window=window, center=True,
                          pad_mode="reflect", normalized=False, onesided=True, return_complex=True)
        spec = spec.abs().pow(2.0)
        mel = torch.matmul(spec.transpose(-1, -2), fb).transpose(-1, -2)
        x_db = 10.0 * torch.log10(torch.clamp(mel, min=1e-10))
        return torch.max(x_db, (x_db.amax(dim=(-2, -1)) - top_db).view(-1, 1, 1))

    def resample_48k_16k(waveform, kernel, width=19, orig=3, new=1):  # torchaudio's _apply_sinc_resample_kernel
        num_wavs, length = waveform.shape
        waveform = F.pad(waveform, (width, width + orig))
        resampled = F.conv1d(waveform[:, None], kernel, stride=orig)
        resampled = resampled.transpose(1, 2).reshape(num_wavs, -1)
        target_length = int(math.ceil(new * length / orig))
        return resampled[..., :target_length]

    def convtasnet_encode(x, enc_w, gn_w, gn_b, bn_w):  # torchaudio's ConvTasNet encoder, input norm, bottleneck
        feats = F.conv1d(x, enc_w, stride=8, padding=8)
        h = F.group_norm(feats, 1, gn_w, gn_b, eps=1e-8)
        return feats, F.conv1d(h, bn_w)

    def convtasnet_block(x, w1, b1, a1, g1w, g1b, dw, db, a2, g2w, g2b, rw, rb, sw, sb, dilation=8):
        # its ConvBlock: 1x1 conv, PReLU, gLN, dilated depthwise conv, PReLU, gLN, residual and skip 1x1 convs
        h = F.conv1d(x, w1, b1)
        h = F.group_norm(F.prelu(h, a1), 1, g1w, g1b, eps=1e-8)
        h = F.conv1d(h, dw, db, padding=dilation, dilation=dilation, groups=h.shape[1])
        h = F.group_norm(F.prelu(h, a2), 1, g2w, g2b, eps=1e-8)
        return x + F.conv1d(h, rw, rb), F.conv1d(h, sw, sb)

    def convtasnet_decode(feats, skip, a, mw, mb, dec_w, n_src=2):  # mask generator output and the decoder
        b, c, t = feats.shape
        h = F.conv1d(F.prelu(skip, a), mw, mb).view(b, n_src, c, t)
        masked = torch.sigmoid(h) * feats.unsqueeze(1)
        masked = masked.view(b * n_src, c, t)
        return F.conv_transpose1d(masked, dec_w, stride=8, padding=8).view(b, n_src, -1)

    def demucs_enc_dec(x, ew1, eb1, ew2, eb2, dw1, db1, dw2, db2):  # Demucs v2's encoder layer and decoder layer
        h = F.relu(F.conv1d(x, ew1, eb1, stride=4))
        h = F.glu(F.conv1d(h, ew2, eb2), dim=1)
        d = F.glu(F.conv1d(h, dw1, db1), dim=1)
        return h, F.conv_transpose1d(d, dw2, db2, stride=4)

    # a 44.1 kHz music batch (16 x 10 s, 2048-point STFT, 128 mels); 48 -> 16 kHz resampling of 16 x 10 s;
    # Conv-TasNet on 4 x 4 s of 8 kHz mixtures (512 filters, 128 bottleneck, a block at dilation 8, 2 sources);
    # Demucs v2's first layer on 4 x 10 s of 44.1 kHz stereo
    out += [("mel_spectrogram_db_44k", mel_spectrogram_db, (mf(16, 441000), mf(2048), mf(1025, 128))),
            ("resample_48k_16k", resample_48k_16k, (mf(16, 480000), mf(1, 1, 41))),
            ("convtasnet_encode", convtasnet_encode, (mf(4, 1, 32000), mf(512, 1, 16), mf(512), mf(512),
                                                      mf(128, 512, 1))),
            ("convtasnet_block", convtasnet_block,
             (mf(4, 128, 4001), mf(512, 128, 1), mf(512), mf(1), mf(512), mf(512), mf(512, 1, 3), mf(512), mf(1),
              mf(512), mf(512), mf(128, 512, 1), mf(128), mf(128, 512, 1), mf(128))),
            ("convtasnet_decode", convtasnet_decode,
             (mf(4, 512, 4001), mf(4, 128, 4001), mf(1), mf(1024, 128, 1), mf(1024), mf(512, 1, 16))),
            ("demucs_layer1", demucs_enc_dec,
             (mf(4, 2, 441000), mf(64, 2, 8), mf(64), mf(128, 64, 1), mf(128), mf(128, 64, 3), mf(128), mf(64, 2, 8),
              mf(2)))]

    # ================================================================== medical imaging
    def nnunet_conv_block(x, w1, b1, n1w, n1b, w2, b2, n2w, n2b, stride=1):  # nnU-Net's StackedConvBlocks
        x = F.conv3d(x, w1, b1, stride=stride, padding=1)
        x = F.leaky_relu(F.instance_norm(x, weight=n1w, bias=n1b, eps=1e-5), 0.01, inplace=True)
        x = F.conv3d(x, w2, b2, padding=1)
        return F.leaky_relu(F.instance_norm(x, weight=n2w, bias=n2b, eps=1e-5), 0.01, inplace=True)

    def nnunet_up(x, skip, tw):  # nnU-Net's decoder: transposed conv, concatenated skip
        x = F.conv_transpose3d(x, tw, stride=2)
        return torch.cat((x, skip), 1)

    def nnunet_dc_ce(net_output, target, smooth=1e-5):  # nnU-Net's DC_and_CE_loss (batch dice, no background)
        x = torch.softmax(net_output, 1)
        y_onehot = torch.zeros(net_output.shape, device=net_output.device, dtype=torch.bool)
        y_onehot.scatter_(1, target, 1)
        axes = [0] + list(range(2, net_output.ndim))
        tp = (x * y_onehot).sum(axes)
        fp = (x * (~y_onehot)).sum(axes)
        fn = ((1 - x) * y_onehot).sum(axes)
        dc = (2 * tp + smooth) / torch.clip(2 * tp + fp + fn + smooth, 1e-8)
        dc = dc[1:].mean()
        ce = F.cross_entropy(net_output, target[:, 0])
        return ce - dc

    def unetr_embed(x, w, b, pos):  # UNETR's patch embedding (16^3 patches) and the features back to a volume
        x = F.conv3d(x, w, b, stride=16)
        x = x.flatten(2).transpose(-1, -2) + pos
        B, n, c = x.shape
        s = round(n ** (1 / 3))
        return x.view(B, s, s, s, c).permute(0, 4, 1, 2, 3).contiguous()

    def attention_gate(x, g, wx, wg, bg, wpsi, bpsi, ww, bw, bn):  # Attention U-Net's grid attention gate
        theta_x = F.conv2d(x, wx, stride=2)
        phi_g = F.interpolate(F.conv2d(g, wg, bg), size=theta_x.shape[2:], mode="bilinear")
        f = F.relu(theta_x + phi_g, inplace=True)
        sigm_psi_f = torch.sigmoid(F.conv2d(f, wpsi, bpsi))
        sigm_psi_f = F.interpolate(sigm_psi_f, size=x.shape[2:], mode="bilinear")
        y = sigm_psi_f.expand_as(x) * x
        return bn_train(F.conv2d(y, ww, bw), bn)

    # nnU-Net 3d_fullres on a 2 x 128^3 patch in fp16 (its first stage at 32), its decoder's last transposed conv and
    # the loss over 3 classes in fp32; UNETR's embedding of BraTS' 4 x 96^3 at 2; Attention U-Net's gate over 16
    # slices' 128 x 64 x 64 features
    out += [("nnunet_stage0", nnunet_conv_block,
             (mh(2, 1, 128, 128, 128), mh(32, 1, 3, 3, 3), mh(32), mf(32), mf(32), mh(32, 32, 3, 3, 3), mh(32),
              mf(32), mf(32))),
            ("nnunet_up", nnunet_up, (mh(2, 64, 64, 64, 64), mh(2, 32, 128, 128, 128), mh(64, 32, 2, 2, 2))),
            ("nnunet_dc_ce", nnunet_dc_ce, (mf(2, 3, 128, 128, 128), i(2, 1, 128, 128, 128))),
            ("unetr_embed", unetr_embed, (mf(2, 4, 96, 96, 96), mf(768, 4, 16, 16, 16), mf(768), mf(1, 216, 768))),
            ("attention_unet_gate", attention_gate,
             (mf(16, 128, 64, 64), mf(16, 256, 32, 32), mf(64, 128, 2, 2), mf(64, 256, 1, 1), mf(64),
              mf(1, 64, 1, 1), mf(1), mf(128, 128, 1, 1), mf(128), bn_state(128)))]

    # ================================================================== contrastive and metric learning
    def arcface_logits(embeddings, weight, labels, s=64.0, margin=0.5):  # insightface's arcface_torch (fp16 matmul)
        cos_m, sin_m = math.cos(margin), math.sin(margin)
        th, mm_ = math.cos(math.pi - margin), math.sin(math.pi - margin) * margin
        logits = F.linear(F.normalize(embeddings), F.normalize(weight))
        logits = logits.float().clamp(-1, 1)
        target_logit = torch.gather(logits, 1, labels.view(-1, 1))
        sin_theta = torch.sqrt(1.0 - torch.pow(target_logit, 2))
        cos_theta_m = target_logit * cos_m - sin_theta * sin_m
        final_target_logit = torch.where(target_logit > th, cos_theta_m, target_logit - mm_)
        logits.scatter_(1, labels.view(-1, 1), final_target_logit)
        logits = logits * s
        return F.cross_entropy(logits, labels)

    def batch_hard_triplet(inputs, targets, margin=0.3):  # the batch-hard triplet loss (Hermans et al.), vectorised
        n = inputs.size(0)
        dist = torch.pow(inputs, 2).sum(dim=1, keepdim=True).expand(n, n)
        dist = dist + dist.t()
        dist = torch.addmm(dist, inputs, inputs.t(), beta=1, alpha=-2)
        dist = dist.clamp(min=1e-12).sqrt()
        mask = targets.expand(n, n).eq(targets.expand(n, n).t())
        dist_ap = dist.masked_fill(~mask, float("-inf")).max(dim=1)[0]
        dist_an = dist.masked_fill(mask, float("inf")).min(dim=1)[0]
        return F.margin_ranking_loss(dist_an, dist_ap, torch.ones_like(dist_an), margin=margin)

    def vicreg_loss(x, y, sim_coeff=25.0, std_coeff=25.0, cov_coeff=1.0):  # facebookresearch/vicreg
        batch_size, num_features = x.shape
        repr_loss = F.mse_loss(x, y)
        x = x - x.mean(dim=0)
        y = y - y.mean(dim=0)
        std_x = torch.sqrt(x.var(dim=0) + 0.0001)
        std_y = torch.sqrt(y.var(dim=0) + 0.0001)
        std_loss = torch.mean(F.relu(1 - std_x)) / 2 + torch.mean(F.relu(1 - std_y)) / 2
        cov_x = (x.T @ x) / (batch_size - 1)
        cov_y = (y.T @ y) / (batch_size - 1)

        def off_diagonal(c):
            n = c.shape[0]
            return c.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()

        cov_loss = off_diagonal(cov_x).pow_(2).sum().div(num_features) + off_diagonal(cov_y).pow_(2).sum().div(
            num_features)
        return sim_coeff * repr_loss + std_coeff * std_loss + cov_coeff * cov_loss

    # ArcFace on MS1MV3 (93431 identities, 512 a GPU, fp16 product, fp32 margins); batch-hard triplets over a P=64 x
    # K=4 ReID batch of 2048-d; VICReg's 8192-d expander at 2048
    out += [("arcface_ms1mv3", arcface_logits, (mh(512, 512), mh(93431, 512), i(512))),
            ("batch_hard_triplet", batch_hard_triplet, (mf(256, 2048), i(256))),
            ("vicreg_loss", vicreg_loss, (mf(2048, 8192), mf(2048, 8192)))]

    # ================================================================== other well-known reference code
    def rotate_score(head, relation, tail, gamma=9.0, embedding_range=0.011, adv_temp=1.0):
        # KnowledgeGraphEmbedding's RotatE 'tail-batch' score and the self-adversarial negative loss
        pi = 3.14159265358979323846
        re_head, im_head = torch.chunk(head, 2, dim=2)
        re_tail, im_tail = torch.chunk(tail, 2, dim=2)
        phase_relation = relation / (embedding_range / pi)
        re_relation = torch.cos(phase_relation)
        im_relation = torch.sin(phase_relation)
        re_score = re_head * re_relation - im_head * im_relation
        im_score = re_head * im_relation + im_head * re_relation
        re_score = re_score - re_tail
        im_score = im_score - im_tail
        score = torch.stack([re_score, im_score], dim=0).norm(dim=0)
        score = gamma - score.sum(dim=2)
        return -(F.softmax(score * adv_temp, dim=1).detach() * F.logsigmoid(-score)).sum(dim=1).mean()

    def sgns_loss(u_emb, v_emb, pos_u, pos_v, neg_v):  # word2vec skip-gram with negative sampling
        emb_u = F.embedding(pos_u, u_emb)
        emb_v = F.embedding(pos_v, v_emb)
        emb_neg_v = F.embedding(neg_v, v_emb)
        score = torch.clamp(torch.sum(torch.mul(emb_u, emb_v), dim=1), max=10, min=-10)
        score = -F.logsigmoid(score)
        neg_score = torch.clamp(torch.bmm(emb_neg_v, emb_u.unsqueeze(2)).squeeze(), max=10, min=-10)
        neg_score = -torch.sum(F.logsigmoid(-neg_score), dim=1)
        return torch.mean(score + neg_score)

    def siren(coords, w0, b0, w1, b1, w2, b2, w3, b3, omega=30.0):  # SIREN's sine layers over an image's grid
        x = torch.sin(omega * F.linear(coords, w0, b0))
        x = torch.sin(omega * F.linear(x, w1, b1))
        x = torch.sin(omega * F.linear(x, w2, b2))
        return F.linear(x, w3, b3)

    def fourier_features(x, B, w, b):  # Tancik et al.'s Gaussian Fourier feature mapping into an MLP
        x_proj = (2.0 * math.pi * x) @ B.T
        h = torch.cat([torch.sin(x_proj), torch.cos(x_proj)], dim=-1)
        return F.relu(F.linear(h, w, b))

    def nerf_raw2outputs(raw, z_vals, rays_d):  # nerf-pytorch's raw2outputs (no noise, black background off)
        dists = z_vals[..., 1:] - z_vals[..., :-1]
        dists = torch.cat([dists, torch.tensor([1e10], device=raw.device).expand(dists[..., :1].shape)], -1)
        dists = dists * torch.norm(rays_d[..., None, :], dim=-1)
        rgb = torch.sigmoid(raw[..., :3])
        alpha = 1.0 - torch.exp(-F.relu(raw[..., 3]) * dists)
        weights = alpha * torch.cumprod(torch.cat([torch.ones((alpha.shape[0], 1), device=raw.device),
                                                   1.0 - alpha + 1e-10], -1), -1)[:, :-1]
        rgb_map = torch.sum(weights[..., None] * rgb, -2)
        depth_map = torch.sum(weights * z_vals, -1)
        return rgb_map, depth_map, torch.sum(weights, -1)

    def gp_mll(x, y, lengthscale, outputscale, noise):  # GPyTorch's exact GP: RBF, cholesky_ex, the marginal likelihood
        x_ = x.div(lengthscale)
        x_norm = x_.pow(2).sum(dim=-1, keepdim=True)
        res = -2.0 * x_ @ x_.transpose(-2, -1) + x_norm + x_norm.transpose(-2, -1)
        res = res.clamp_min_(0)
        K = outputscale * torch.exp(-0.5 * res)
        K = K + noise * torch.eye(K.shape[-1], dtype=K.dtype, device=K.device)
        L, info = torch.linalg.cholesky_ex(K)
        alpha = torch.cholesky_solve(y.unsqueeze(-1), L)
        logdet = 2 * torch.diagonal(L, dim1=-2, dim2=-1).log().sum()
        return -0.5 * ((y.unsqueeze(-1) * alpha).sum() + logdet)

    def gp_predict(K_star, L, alpha, k_ss):  # its predictive mean and variance by a triangular solve
        mean = K_star @ alpha
        v = torch.linalg.solve_triangular(L, K_star.transpose(-2, -1), upper=False)
        return mean, k_ss - (v ** 2).sum(-2)

    def vq_ema(inputs, embedding, ema_cluster_size, ema_w, decay=0.99):  # VQ-VAE's VectorQuantizerEMA
        inputs = inputs.permute(0, 2, 3, 1).contiguous()
        input_shape = inputs.shape
        flat_input = inputs.view(-1, embedding.shape[1])
        distances = (torch.sum(flat_input ** 2, dim=1, keepdim=True) + torch.sum(embedding ** 2, dim=1)
                     - 2 * torch.matmul(flat_input, embedding.t()))
        encoding_indices = torch.argmin(distances, dim=1).unsqueeze(1)
        encodings = torch.zeros(encoding_indices.shape[0], embedding.shape[0], device=inputs.device)
        encodings.scatter_(1, encoding_indices, 1)
        quantized = torch.matmul(encodings, embedding).view(input_shape)
        ema_cluster_size = ema_cluster_size * decay + (1 - decay) * torch.sum(encodings, 0)
        dw = torch.matmul(encodings.t(), flat_input)
        ema_w = ema_w * decay + (1 - decay) * dw
        embedding = ema_w / ema_cluster_size.unsqueeze(1)
        return quantized, embedding

    # RotatE on FB15k-237 (512 x 256 negatives, 500 complex dims); word2vec on text8 (71290 x 300, 4096 pairs, 5
    # negatives); SIREN fitting a 512 x 512 image (256 wide); Fourier features over 256 x 256 coordinates; NeRF's
    # volume rendering of 1024 rays x 192 samples; GPyTorch's exact GP on 4096 points, predicting 1000; VQ-VAE's EMA
    # codebook (512 codes of 64) over 128 x 32 x 32 latents
    out += [("rotate_fb15k", rotate_score, (mf(512, 1, 1000), mf(512, 1, 500), mf(512, 256, 1000))),
            ("word2vec_sgns", sgns_loss, (mf(71290, 300), mf(71290, 300), i(4096), i(4096), i(4096, 5))),
            ("siren_512", siren,
             (mf(1, 262144, 2), mf(256, 2), mf(256), mf(256, 256), mf(256), mf(256, 256), mf(256), mf(3, 256),
              mf(3))),
            ("fourier_features", fourier_features, (mf(65536, 2), mf(256, 2), mf(256, 512), mf(256))),
            ("nerf_raw2outputs", nerf_raw2outputs, (mf(1024, 192, 4), mf(1024, 192), mf(1024, 3))),
            ("gp_mll_4096", gp_mll, (mf(4096, 8), mf(4096), mf(1, 8), sc(), sc())),
            ("gp_predict", gp_predict, (mf(1000, 4096), mf(4096, 4096), mf(4096, 1), mf(1000))),
            ("vqvae_ema", vq_ema, (mf(128, 64, 32, 32), mf(512, 64), mf(512), mf(512, 64)))]

    # ================================================================== short everyday pieces
    def bert_eager_attention(q, k, v, mask, heads=12):  # transformers' BertSelfAttention (eager) in fp32 fine-tuning
        b, s, d = q.shape
        hd = d // heads
        q, k, v = (t.view(b, s, heads, hd).permute(0, 2, 1, 3) for t in (q, k, v))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd)
        scores = scores + mask
        probs = F.dropout(F.softmax(scores, dim=-1), p=0.1, training=True)
        return torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(b, s, d)

    def cyclegan_resblock(x, w1, b1, w2, b2):  # CycleGAN's ResnetBlock: reflect pad, conv, InstanceNorm, ReLU
        h = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="reflect"), w1, b1)
        h = F.relu(F.instance_norm(h, eps=1e-5), inplace=True)
        h = F.conv2d(F.pad(h, (1, 1, 1, 1), mode="reflect"), w2, b2)
        return x + F.instance_norm(h, eps=1e-5)

    def patchgan_layer(x, w, b):  # pix2pix's PatchGAN discriminator layer
        return F.leaky_relu(F.conv2d(x, w, b, stride=2, padding=1), 0.2, True)

    def stn_sample(x, theta):  # the spatial transformer tutorial's affine_grid + grid_sample
        grid = F.affine_grid(theta, x.size(), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False)

    def focal_frequency_loss(pred, target, alpha=1.0):  # Jiang et al.'s focal frequency loss (patch factor 1)
        pred_freq = torch.fft.fft2(pred, norm="ortho")
        target_freq = torch.fft.fft2(target, norm="ortho")
        pred_freq = torch.stack([pred_freq.real, pred_freq.imag], -1)
        target_freq = torch.stack([target_freq.real, target_freq.imag], -1)
        tmp = (pred_freq - target_freq) ** 2
        freq_distance = tmp[..., 0] + tmp[..., 1]
        weight_matrix = torch.sqrt(freq_distance) ** alpha
        weight_matrix = weight_matrix / weight_matrix.amax(dim=(-2, -1), keepdim=True)
        return torch.mean(weight_matrix.detach() * freq_distance)

    def cu_seqlens(lengths):  # flash-attn varlen's cumulative lengths from a padded batch's lengths
        return F.pad(torch.cumsum(lengths, dim=0, dtype=torch.int32), (1, 0))

    def stft_mag(wave, window):  # a 16 kHz front end's magnitude spectrogram
        return torch.stft(wave, 512, 128, window=window, return_complex=True).abs()

    def retinanet_topk(cls_logits, k=1000):  # RetinaNet's per-level candidates: sigmoid scores, then top-k
        scores = torch.sigmoid(cls_logits).flatten(1)
        return scores.topk(k, dim=1)

    def exact_knn(queries, corpus, k=10):  # exact inner-product search, fp16
        return torch.topk(queries @ corpus.T, k, dim=-1)

    # BERT-base fine-tuning on GLUE (32 x 128) in fp32; CycleGAN's 256-wide residual block over a batch of 1 at 64 x
    # 64 and pix2pix's 128 -> 256 discriminator layer at 16; the STN tutorial on MNIST; the focal frequency loss over 16
    # RGB images of 256; flash-attn's cu_seqlens over 64 sequences; a 16 kHz magnitude STFT over 64 x 4 s; RetinaNet's
    # P3 top-1000 over 8 images (9 anchors x 80 classes); top-10 over 800000 fp16 passages for 256 queries
    out += [("bert_eager_attn_glue", bert_eager_attention,
             (mf(32, 128, 768), mf(32, 128, 768), mf(32, 128, 768), mf(32, 1, 1, 128))),
            ("cyclegan_resblock", cyclegan_resblock,
             (mf(1, 256, 64, 64), mf(256, 256, 3, 3), mf(256), mf(256, 256, 3, 3), mf(256))),
            ("pix2pix_patchgan_layer", patchgan_layer, (mf(16, 128, 64, 64), mf(256, 128, 4, 4), mf(256))),
            ("stn_mnist", stn_sample, (mf(64, 1, 28, 28), mf(64, 2, 3))),
            ("focal_frequency_loss", focal_frequency_loss, (mf(16, 3, 256, 256), mf(16, 3, 256, 256))),
            ("flash_attn_cu_seqlens", cu_seqlens, (mi32(64),)),
            ("stft_mag_16k", stft_mag, (mf(64, 64000), mf(512))),
            ("retinanet_p3_topk", retinanet_topk, (mf(8, 720, 100, 152),)),
            ("exact_knn_fp16", exact_knn, (mh(256, 768), mh(800000, 768)))]

    # fp32 linears as reference training code runs them: GPT-2 small's lm head over 4 x 1024 tokens, BERT-base's fused
    # qkv over 32 x 128, ResNet-50's classifier at 256, T5-small's wi over 64 x 512 and ViT-B/16's head over 21843
    # classes; Llama-3-8B's token embedding lookup over 8 x 2048; a bf16 -> fp32 master copy of a 4096 x 14336 weight
    out += [("gpt2_lm_head_fp32", linear, (mf(4, 1024, 768), mf(50257, 768))),
            ("bert_qkv_fp32", linear, (mf(32, 128, 768), mf(2304, 768), mf(2304))),
            ("resnet50_fc_fp32", linear, (mf(256, 2048), mf(1000, 2048), mf(1000))),
            ("t5_small_wi_fp32", lambda x, w: F.relu(linear(x, w)), (mf(64, 512, 512), mf(2048, 512))),
            ("vit_in21k_head_fp32", linear, (mf(512, 768), mf(21843, 768), mf(21843))),
            ("llama3_embed_lookup", F.embedding, (i(8, 2048), m(128256, 4096))),
            ("master_weight_upcast", lambda w: w.float(), (m(14336, 4096),))]

    def unet_first_conv(x, w, b):  # the original U-Net's valid 3 x 3 conv and ReLU on a 572 x 572 tile
        return F.relu(F.conv2d(x, w, b))

    def sort_lengths(lengths):  # pack_padded_sequence(enforce_sorted=False)'s sort of the lengths
        return torch.sort(lengths, descending=True)

    def histc_calib(x, amax=20.0):  # pytorch-quantization's HistogramCalibrator: |x| binned into 2048 bins
        return torch.histc(x.abs().float(), bins=2048, min=0, max=amax)

    def clip_score(img_emb, txt_emb):  # torchmetrics' CLIPScore: 100 x the clamped cosine similarity
        return 100 * F.cosine_similarity(img_emb, txt_emb, dim=-1).clamp(min=0)

    def psp_pyramid_pool(x):  # PSPNet's pyramid pooling bins
        return [F.adaptive_avg_pool2d(x, s) for s in (1, 2, 3, 6)]

    def awd_lstm_nll(logits, targets):  # AWD-LSTM on WikiText-2 (33278 words): log-softmax and the NLL
        return F.nll_loss(F.log_softmax(logits, dim=-1), targets)

    # U-Net's first conv over 8 tiles; 256 lengths sorted; a calibration histogram of a 64 x 256 x 56 x 56 activation;
    # CLIPScore over 4096 pairs (ViT-L/14, 768-d); PSPNet's bins over 8 ResNet-101 maps of 2048 x 60 x 60; AWD-LSTM's
    # loss over 80 x 70 tokens in fp32; BERT-base's fp32 LayerNorm; DeepLabv3+'s x4 bilinear upsampling of 21-class
    # logits at 16; SD's VAE decoder conv_in at 96 x 96 in fp16
    out += [("unet_first_conv", unet_first_conv, (mf(8, 1, 572, 572), mf(64, 1, 3, 3), mf(64))),
            ("sort_lengths", sort_lengths, (i(256),)),
            ("histc_calibration", histc_calib, (mf(64, 256, 56, 56),)),
            ("clip_score", clip_score, (mf(4096, 768), mf(4096, 768))),
            ("psp_pyramid_pool", psp_pyramid_pool, (mf(8, 2048, 60, 60),)),
            ("awd_lstm_nll", awd_lstm_nll, (mf(5600, 33278), i(5600))),
            ("bert_layernorm_fp32", lambda x, w, b: ln(x, w, b), (mf(32, 128, 768), mf(768), mf(768))),
            ("deeplab_upsample_x4", lambda x: F.interpolate(x, scale_factor=4, mode="bilinear", align_corners=True),
             (mf(16, 21, 128, 128),)),
            ("sd_vae_conv_in", lambda x, w, b: F.conv2d(x, w, b, padding=1),
             (mh(2, 4, 96, 96), mh(512, 4, 3, 3), mh(512)))]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK26, _check26()),))
