"""The aten sweep's twenty-ninth blind real-code group: `realcode-check29`, LLM training internals, long-context
attention variants, detection and segmentation, protein and biology models, weather and scientific models, time-series
forecasting, reinforcement learning, retrieval, recommender and CTR blocks, image-generation samplers, super-resolution,
point clouds and meshes, tokenizer-free byte models, unusual architectures, anomaly detection and knowledge-graph
embeddings and other well-known reference code.

Each case is one op or a short idiom as the models' and libraries' public reference code writes it, at real widths,
batches, sequence lengths, vocabularies, image sizes and dtypes (fp32 where losses, samplers, metrics and the
reference training runs keep it, bf16 and fp16 for half-precision training and inference, complex64 spectral weights,
int64 token ids, indices and edge lists, int32 cumulative lengths, uint8 product-quantisation codes, bool masks):
LLM training internals (torchtune-style chunked cross-entropy over Llama-3's 128256-token head in fp32 chunks, OLMo's
z-loss, T5's label smoothing over 32128 tokens, an SFT loss with shifted labels and a prompt mask over Gemma-2's
256000 and Llama-3's vocabularies, transformers' num_items_in_batch normalisation under gradient accumulation;
backward passes written forward-only as Liger and Unsloth's references write them: RMSNorm, LayerNorm and SwiGLU,
the fused-linear-cross-entropy chunk's softmax-minus-one-hot gradients for Llama-3.2-1B; DeepSeek-V3's multi-token
prediction input; packed-document position ids by searchsorted over cu_seqlens, Gemma-2's final soft-cap,
clip_grad_norm_'s foreach path and a foreach-lerp EMA over a Llama-3-8B layer); long-context attention variants
(Mistral's sliding-window mask by index arithmetic into SDPA with GQA, BLOOM's build_alibi_tensor for 112 and 32 heads
and its baddbmm scores, Longformer's overlapping chunks by as_strided with the banded einsum, BigBird's block mask
with random blocks by gather, ring attention's log-sum-exp merge, flash-decoding's split-KV combine, memory-efficient
attention's online softmax over key chunks, YaRN's ramp-blended inverse frequencies and scaled tables at 131072
positions); detection and segmentation (DETR's Hungarian cost with cdist and pairwise GIoU, DINO's focal class cost
over 900 queries, YOLOv5's CIoU loss and its Detect decoding in fp16, YOLOv8's DFL decode by a 1x1 conv of the bin
indices and its task-aligned assignment with in-box tests, gathered scores, IoU powers, topk and an int8 count by
scatter_add_, YOLACT's fast NMS by an upper-triangular IoU matrix, SOLOv2's Matrix NMS, FCOS's ltrb targets with
min-area assignment and centerness; SAM ViT-H's mask decoder attentions for 64 prompts, its upscaling with LayerNorm2d
and the hypernetwork product, postprocessing and stability score; Mask2Former's masked-attention mask, its masked
cross-attention by multi_head_attention_forward, point-sampled dice and BCE by grid_sample, the matcher's batch
costs and semantic inference; torchvision's sigmoid focal loss over RetinaNet's anchors, the Lovasz hinge by sort and
cumsum); protein and biology models (ProteinMPNN's masked k-NN by topk, RBF edge features and neighbour gather,
ESM-2 650M's contact head with APC and its token-dropout rescaling, AlphaFold2's pTM, Gram-Schmidt frames, FAPE and
IPA's point logits, EGNN's coordinate and node updates by index_add_ on QM9); weather and science (FourCastNet's AFNO
by rfft2, block-diagonal complex einsums, softshrink and irfft2, FNO-2D's spectral convolution with complex weights on
Navier-Stokes and Darcy grids, a GraphCast-style processor step on the level-6 mesh, latitude-weighted RMSE and ACC
over ERA5 at 0.25 degrees, Pangu-Weather's earth-specific bias gather); time-series forecasting (RevIN on Traffic,
DLinear on Electricity, N-BEATS' interpretable trend and seasonality bases, a multi-quantile pinball loss, Chronos'
mean scaling and bucketize tokenisation, Lag-Llama's lag gather); reinforcement learning (CleanRL's GAE by a reversed
loop over 4096 Isaac Gym environments, C51's categorical projection by floor, ceil and index_add_, DreamerV3's symlog
two-hot encoding, MPPI's exponentiated-cost update); retrieval (ColBERTv2's MaxSim re-ranking, SPLADE's
log-saturated max pooling with the FLOPS regulariser, product-quantisation ADC by lookup tables gathered with uint8
codes); recommender and CTR blocks (FiBiNET's SENET and bilinear interaction, AutoInt's interacting layer, HSTU's
pointwise SiLU attention); image-generation samplers (DPM-Solver++(2M) over SDXL latents, SD3's shifted flow-matching
Euler step); super-resolution (Real-ESRGAN's residual dense block in fp16 and its USM sharpening by reflect-padded
grouped convolutions); point clouds and meshes (Point Transformer's vector attention, vertex normals of SMPL-X meshes
by index_add_, PointPillars' scatter into the BEV canvas); tokenizer-free byte models (BLT's hash n-gram embeddings by
unfold, powers and remainder, CANINE's multi-hash character embeddings); unusual architectures (efficient-kan's
B-spline bases by the Cox-de Boor recursion, CapsNet's dynamic routing, a modern Hopfield lookup, Poincare distances,
Slot Attention's iterations, snnTorch's leaky integrate-and-fire steps); anomaly detection and knowledge graphs
(PaDiM's per-patch Mahalanobis distance, PatchCore's nearest-neighbour scores by cdist and topk, RotatE's and ComplEx's
1-N scores over FB15k-237's entities).
Data-dependent steps of the reference code are written without data-dependent shapes: boolean-mask reads and writes
(Mask2Former's fully masked rows, FCOS's out-of-box locations, Chronos' missing values, the NMS keeps) as where,
masked_fill and index_put with a full mask, loops cut to their first steps (GAE's last four steps, two hash-n-gram
sizes, three capsule routing and slot iterations, three LIF steps). torchvision's compiled ops (nms, roi_align) are
left out; their torch rewrites above stand in for them.
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK29 = "realcode-check29"


def _check29():
    import math

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import (
        _dtype_makers,
        _layer_makers,
        _meta_makers,
        rotate_half,
    )

    m, i = _meta_makers()

    linear, rms, ln = _layer_makers(1e-6)

    mh, mf, mb, mi32 = _dtype_makers()

    def md(*shape):  # float64 (where the reference code keeps double)
        return m(*shape, dt=torch.float64)

    def mu8(*shape):
        return m(*shape, dt=torch.uint8)

    def sc(dt=torch.float32):  # a 0-dim tensor (a learned scalar, a sampler's sigma)
        return torch.empty((), dtype=dt, device="meta")

    def many(maker, shapes):  # one tensor of each shape (a list argument of the reference code)
        return tuple(maker(*s) for s in shapes)

    out = []

    # ================================================================== LLM training internals
    def chunked_lm_ce(hidden, weight, labels, chunks=2):  # a chunked LM head and cross-entropy (torchtune's
        total = hidden.new_zeros((), dtype=torch.float32)  # CEWithChunkedOutputLoss): logits chunk by chunk in fp32
        for h, y in zip(hidden.chunk(chunks, dim=0), labels.chunk(chunks, dim=0), strict=True):
            logits = F.linear(h, weight).float()
            total = total + F.cross_entropy(logits, y, ignore_index=-100, reduction="sum")
        return total / (labels != -100).sum()

    def z_loss(logits, coeff=1e-4):  # PaLM / OLMo's z-loss on the fp32 log-partition
        log_z = torch.logsumexp(logits.float(), dim=-1)
        return coeff * log_z.pow(2).mean()

    def smoothed_ce(logits, labels):  # T5-style training with label smoothing 0.1
        return F.cross_entropy(logits.float(), labels, label_smoothing=0.1, ignore_index=-100)

    def shifted_masked_loss(logits, labels, loss_mask):  # an SFT loss: shift, mask the prompt, mean over kept tokens
        shift_logits = logits[..., :-1, :].contiguous()
        shift_labels = labels[..., 1:].contiguous().masked_fill(loss_mask[..., 1:] == 0, -100)
        loss = F.cross_entropy(
            shift_logits.view(-1, shift_logits.size(-1)).float(), shift_labels.view(-1), reduction="none"
        )
        kept = (shift_labels.view(-1) != -100).float()
        return (loss * kept).sum() / kept.sum().clamp(min=1)

    def num_items_loss(logits, labels, num_items_in_batch, accum=8):  # transformers' gradient-accumulation fix: a
        loss = F.cross_entropy(
            logits.float().view(-1, logits.size(-1)), labels.view(-1), ignore_index=-100, reduction="sum"
        )  # summed loss over the items of every micro-batch
        return loss / num_items_in_batch / accum

    def rms_norm_backward(grad_out, x, weight, eps=1e-6):  # Liger / Unsloth's RMSNorm backward written in torch
        x32, g32 = x.float(), grad_out.float()
        rstd = torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)
        x_hat = x32 * rstd
        wg = g32 * weight.float()
        grad_x = rstd * (wg - x_hat * (wg * x_hat).mean(-1, keepdim=True))
        grad_w = (g32 * x_hat).sum(0)
        return grad_x.to(x.dtype), grad_w

    def layer_norm_backward(grad_out, x, weight, eps=1e-5):  # LayerNorm's backward written in torch
        x32, g32 = x.float(), grad_out.float()
        mean = x32.mean(-1, keepdim=True)
        rstd = torch.rsqrt(x32.var(-1, keepdim=True, unbiased=False) + eps)
        x_hat = (x32 - mean) * rstd
        wg = g32 * weight.float()
        grad_x = rstd * (wg - wg.mean(-1, keepdim=True) - x_hat * (wg * x_hat).mean(-1, keepdim=True))
        return grad_x.to(x.dtype), (g32 * x_hat).sum(0), g32.sum(0)

    def swiglu_backward(dy, gate, up):  # Liger's SwiGLU backward in torch
        g = gate.float()
        sig = torch.sigmoid(g)
        silu = g * sig
        d_up = dy.float() * silu
        d_gate = dy.float() * up.float() * (sig * (1 + g * (1 - sig)))
        return d_gate.to(gate.dtype), d_up.to(up.dtype)

    def flce_chunk_grad(h, weight, labels, grad_weight):  # Liger's fused-linear-cross-entropy reference for one
        logits = (h @ weight.t()).float()  # chunk: softmax minus one-hot as the logits' gradient, the input's and the
        probs = torch.softmax(logits, dim=-1)  # weight's gradients
        grad_logits = probs.scatter_add_(-1, labels[:, None], -torch.ones_like(probs[:, :1])) / h.shape[0]
        grad_h = grad_logits.to(h.dtype) @ weight
        grad_weight.add_(grad_logits.t().to(h.dtype) @ h)
        return grad_h, grad_weight

    def mtp_module(h, next_tokens, emb, proj_w, norm_h, norm_e):  # DeepSeek-V3's multi-token prediction input
        e = F.embedding(next_tokens, emb)
        return F.linear(torch.cat([rms(h, norm_h), rms(e, norm_e)], dim=-1), proj_w)

    def packed_position_ids(cu_seqlens, total):  # position ids of packed documents from cu_seqlens
        pos = torch.arange(total, device=cu_seqlens.device)
        seq_idx = torch.searchsorted(cu_seqlens[1:], pos, right=True)
        return pos - cu_seqlens[seq_idx], seq_idx

    def final_softcap(logits, cap=30.0):  # Gemma-2's final logit soft-capping
        return torch.tanh(logits / cap) * cap

    def clip_grad_norm_foreach(*grads, max_norm=1.0):  # torch.nn.utils.clip_grad_norm_'s foreach path
        norms = torch._foreach_norm(list(grads), 2.0)
        total = torch.linalg.vector_norm(torch.stack([n.float() for n in norms]), 2.0)
        clip_coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
        torch._foreach_mul_(list(grads), clip_coef.to(grads[0].dtype))
        return total

    def ema_foreach(*tensors, decay=0.9999):  # an EMA of the weights by _foreach_lerp_
        n = len(tensors) // 2
        torch._foreach_lerp_(list(tensors[:n]), list(tensors[n:]), 1.0 - decay)
        return tensors[0]

    # chunked LM cross-entropy of 8192 Llama-3-8B tokens (128256-token vocabulary) in two chunks; z-loss over Llama-3
    # logits of 2 x 2048; T5's label-smoothed loss (32128 tokens, 64 x 256); an SFT loss over Gemma-2's 256000 tokens
    # at 1 x 2048 and over Llama-3 at 2 x 4096; the accumulation-normalised sum over Mistral's 32768 tokens at 4 x 4096
    out += [
        ("chunked_lm_ce_llama3", chunked_lm_ce, (m(8192, 4096), m(128256, 4096), i(8192))),
        ("z_loss_llama3", z_loss, (m(2, 2048, 128256),)),
        ("t5_label_smoothing", smoothed_ce, (m(16384, 32128), i(16384))),
        ("sft_shifted_masked_loss_gemma2", shifted_masked_loss, (m(1, 2048, 256000), i(1, 2048), i(1, 2048))),
        ("sft_shifted_masked_loss_llama3", shifted_masked_loss, (m(2, 4096, 128256), i(2, 4096), i(2, 4096))),
        ("num_items_in_batch_loss", num_items_loss, (m(4, 4096, 32768), i(4, 4096), sc(torch.int64))),
    ]

    # backward idioms in forward-only torch: RMSNorm over 8192 Llama-3-8B tokens, LayerNorm over 16384 GPT-2-XL
    # tokens, SwiGLU over 8192 x 14336; the fused-linear-CE reference for a 1024-token chunk of Llama-3.2-1B (2048-wide,
    # tied 128256-token head); DeepSeek-V3's MTP projection at 4096 tokens
    out += [
        ("rms_norm_backward", rms_norm_backward, (m(8192, 4096), m(8192, 4096), m(4096))),
        ("layer_norm_backward", layer_norm_backward, (m(16384, 1600), m(16384, 1600), m(1600))),
        ("swiglu_backward", swiglu_backward, (m(8192, 14336), m(8192, 14336), m(8192, 14336))),
        ("flce_chunk_grad_llama32_1b", flce_chunk_grad, (m(1024, 2048), m(128256, 2048), i(1024), m(128256, 2048))),
        (
            "deepseek_v3_mtp_input",
            mtp_module,
            (m(4096, 7168), i(4096), m(129280, 7168), m(7168, 14336), m(7168), m(7168)),
        ),
    ]

    llama3_8b_layer = (
        (4096, 4096),
        (1024, 4096),
        (1024, 4096),
        (4096, 4096),
        (14336, 4096),
        (14336, 4096),
        (4096, 14336),
        (4096,),
        (4096,),
    )
    # packed position ids of 64 documents over 16384 tokens; Gemma-2's final soft-cap over 256000 tokens at 8 x 1
    # and 1 x 2048; clip_grad_norm_ over a Llama-3-8B layer's bf16 gradients; an EMA over its fp32 weights
    out += [
        ("packed_position_ids", lambda cu: packed_position_ids(cu, 16384), (mi32(65),)),
        ("packed_position_ids", lambda cu: packed_position_ids(cu, 16384), (i(65),)),
        ("gemma2_final_softcap", final_softcap, (m(8, 256000),)),
        ("gemma2_final_softcap", final_softcap, (mf(1, 2048, 256000),)),
        ("clip_grad_norm_foreach_llama3_layer", clip_grad_norm_foreach, many(m, llama3_8b_layer)),
        ("ema_foreach_lerp_llama3_layer", ema_foreach, many(mf, llama3_8b_layer * 2)),
    ]

    # ================================================================== long-context attention variants
    def sliding_window_sdpa(q, k, v, window=4096):  # Mistral's sliding-window causal mask by index arithmetic, SDPA
        L = q.shape[-2]
        pos = torch.arange(L, device=q.device)
        mask = (pos[None, :] <= pos[:, None]) & (pos[None, :] > pos[:, None] - window)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask[None, None], enable_gqa=True)

    def bloom_alibi(attention_mask, num_heads, dtype=torch.bfloat16):  # BLOOM's build_alibi_tensor
        batch_size, seq_length = attention_mask.shape
        closest_power_of_2 = 2 ** math.floor(math.log2(num_heads))
        base = torch.tensor(
            2 ** (-(2 ** -(math.log2(closest_power_of_2) - 3))), device=attention_mask.device, dtype=torch.float32
        )
        powers = torch.arange(1, 1 + closest_power_of_2, device=attention_mask.device, dtype=torch.int32)
        slopes = torch.pow(base, powers)
        if closest_power_of_2 != num_heads:
            extra_base = torch.tensor(
                2 ** (-(2 ** -(math.log2(2 * closest_power_of_2) - 3))),
                device=attention_mask.device,
                dtype=torch.float32,
            )
            num_remaining_heads = min(closest_power_of_2, num_heads - closest_power_of_2)
            extra_powers = torch.arange(
                1, 1 + 2 * num_remaining_heads, 2, device=attention_mask.device, dtype=torch.int32
            )
            slopes = torch.cat([slopes, torch.pow(extra_base, extra_powers)], dim=0)
        arange_tensor = ((attention_mask.cumsum(dim=-1) - 1) * attention_mask)[:, None, :]
        alibi = slopes[..., None] * arange_tensor
        return alibi.reshape(batch_size * num_heads, 1, seq_length).to(dtype)

    def bloom_scores(alibi, q, k, inv_norm_factor):  # BLOOM's baddbmm of the ALiBi bias and the scores
        scores = alibi.baddbmm(batch1=q, batch2=k, beta=1.0, alpha=inv_norm_factor)
        return F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)

    def longformer_chunk_scores(q, k, w=256):  # Longformer's _sliding_chunks_query_key_matmul: overlapping chunks by
        bh, L, d = q.shape  # as_strided, the banded product by einsum, the diagonals padded

        def chunk(x):
            x = x.view(bh, L // (w * 2), w * 2, d)
            size = list(x.size())
            size[1] = size[1] * 2 - 1
            stride = list(x.stride())
            stride[1] = stride[1] // 2
            return x.as_strided(size=size, stride=stride)

        scores = torch.einsum("bcxd,bcyd->bcxy", (chunk(q), chunk(k)))
        scores = F.pad(scores, (0, 0, 0, 1))
        return scores.view(*scores.size()[:-2], scores.size(-1), scores.size(-2))

    def bigbird_block_mask(L, block=64, num_rand=3, rand_table=None):  # BigBird-ITC's block mask: sliding blocks,
        qb = torch.arange(L, device=rand_table.device) // block  # global blocks and random blocks by gather
        kb = qb
        nb = L // block
        window = (qb[:, None] - kb[None, :]).abs() <= 1
        glob = (kb[None, :] < 1) | (kb[None, :] >= nb - 1) | (qb[:, None] < 1) | (qb[:, None] >= nb - 1)
        rand_blocks = rand_table[qb]  # (L, num_rand)
        rand = (rand_blocks[:, :, None] == kb[None, None, :]).any(dim=1)
        return window | glob | rand

    def ring_merge(out, lse, block_out, block_lse):  # ring-flash-attention's _update_out_and_lse
        block_out = block_out.to(torch.float32)
        block_lse = block_lse.transpose(-2, -1).unsqueeze(dim=-1)
        out = out - F.sigmoid(block_lse - lse) * (out - block_out)
        lse = lse - F.logsigmoid(lse - block_lse)
        return out, lse

    def split_kv_combine(partial_out, partial_lse):  # flash-decoding's split-KV combine
        lse_max = partial_lse.amax(dim=-1, keepdim=True)
        w = torch.exp(partial_lse - lse_max)
        lse = lse_max.squeeze(-1) + torch.log(w.sum(-1))
        o = (partial_out.float() * (w / w.sum(-1, keepdim=True)).unsqueeze(-1)).sum(-2)
        return o.to(partial_out.dtype), lse

    def chunked_online_attention(q, k, v, chunks=4):  # memory-efficient attention (Rabe & Staats) over key chunks:
        scale = q.shape[-1] ** -0.5  # running max, rescaled sums, the final division
        m_i = torch.full(q.shape[:-1], -float("inf"), device=q.device, dtype=torch.float32)
        l_i = torch.zeros(q.shape[:-1], device=q.device, dtype=torch.float32)
        acc = torch.zeros(q.shape, device=q.device, dtype=torch.float32)
        for kc, vc in zip(k.chunk(chunks, dim=-2), v.chunk(chunks, dim=-2), strict=True):
            s = torch.einsum("bhqd,bhkd->bhqk", q, kc).float() * scale
            m_new = torch.maximum(m_i, s.amax(-1))
            p = torch.exp(s - m_new[..., None])
            alpha = torch.exp(m_i - m_new)
            l_i = l_i * alpha + p.sum(-1)
            acc = acc * alpha[..., None] + torch.einsum("bhqk,bhkd->bhqd", p.to(v.dtype), vc).float()
            m_i = m_new
        return (acc / l_i[..., None]).to(q.dtype)

    def yarn_cos_sin(
        pos_freqs, positions, beta_fast=32, beta_slow=1, factor=40.0, dim=128, base=10000.0, orig=4096
    ):  # YaRN's inv_freq blend by a linear ramp and the scaled cos / sin tables
        def find_correction_dim(num_rotations):
            return (dim * math.log(orig / (num_rotations * 2 * math.pi))) / (2 * math.log(base))

        low = max(math.floor(find_correction_dim(beta_fast)), 0)
        high = min(math.ceil(find_correction_dim(beta_slow)), dim - 1)
        inv_freq_extrapolation = 1.0 / pos_freqs
        inv_freq_interpolation = 1.0 / (factor * pos_freqs)
        ramp = torch.clamp(
            (torch.arange(dim // 2, dtype=torch.float32, device=pos_freqs.device) - low) / (high - low), 0, 1
        )
        extrapolation_factor = 1 - ramp
        inv_freq = inv_freq_interpolation * (1 - extrapolation_factor) + inv_freq_extrapolation * extrapolation_factor
        mscale = 0.1 * math.log(factor) + 1.0
        freqs = torch.outer(positions.float(), inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos() * mscale, emb.sin() * mscale

    def apply_rope(q, k, cos, sin):  # rotary by rotate_half at the given tables
        cos, sin = cos[None, None], sin[None, None]
        return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin

    # Mistral-7B's 4096-token sliding window over 8192 tokens (32 heads, 8 KV heads); BLOOM-176B's ALiBi (112 heads)
    # at 4 x 2048 and BLOOM-7B1's (32 heads) at 8 x 2048, its baddbmm scores; Longformer-base's banded scores (12
    # heads, 4096 tokens, one-sided window 256); BigBird's block mask over 4096 tokens; ring attention's merge of a
    # 32768-token shard (32 heads); flash-decoding's combine of 16 splits at 64 x 32 heads; chunked online attention
    # at 8192 (4 key chunks); YaRN's tables at 131072 positions (factor 40) and the rotary they feed
    out += [
        ("sliding_window_sdpa", sliding_window_sdpa, (m(1, 32, 8192, 128), m(1, 8, 8192, 128), m(1, 8, 8192, 128))),
        ("bloom_build_alibi", lambda am: bloom_alibi(am, 112), (i(4, 2048),)),
        ("bloom_build_alibi", lambda am: bloom_alibi(am, 32), (i(8, 2048),)),
        (
            "bloom_baddbmm_scores",
            lambda a, q, k: bloom_scores(a, q, k, 1 / math.sqrt(128)),
            (m(256, 1, 2048), m(256, 2048, 128), m(256, 128, 2048)),
        ),
        ("longformer_chunk_scores", longformer_chunk_scores, (m(12, 4096, 64), m(12, 4096, 64))),
        ("bigbird_block_mask", lambda t: bigbird_block_mask(4096, rand_table=t), (i(64, 3),)),
        (
            "ring_attention_lse_merge",
            ring_merge,
            (mf(1, 32768, 32, 128), mf(1, 32768, 32, 1), m(1, 32768, 32, 128), mf(1, 32, 32768)),
        ),
        ("flash_decoding_combine", split_kv_combine, (m(64, 32, 16, 128), mf(64, 32, 16))),
        (
            "chunked_online_attention",
            chunked_online_attention,
            (m(1, 32, 8192, 128), m(1, 32, 8192, 128), m(1, 32, 8192, 128)),
        ),
        ("yarn_cos_sin", yarn_cos_sin, (mf(64), i(131072))),
        ("rope_apply_yarn", apply_rope, (m(1, 32, 8192, 128), m(1, 8, 8192, 128), m(8192, 128), m(8192, 128))),
    ]

    # ================================================================== detection and segmentation
    def box_cxcywh_to_xyxy(x):  # DETR's util.box_ops
        x_c, y_c, w, h = x.unbind(-1)
        return torch.stack([(x_c - 0.5 * w), (y_c - 0.5 * h), (x_c + 0.5 * w), (y_c + 0.5 * h)], dim=-1)

    def box_area(boxes):
        return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])

    def generalized_box_iou(boxes1, boxes2):  # DETR's pairwise GIoU
        area1, area2 = box_area(boxes1), box_area(boxes2)
        lt = torch.max(boxes1[:, None, :2], boxes2[:, :2])
        rb = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
        wh = (rb - lt).clamp(min=0)
        inter = wh[:, :, 0] * wh[:, :, 1]
        union = area1[:, None] + area2 - inter
        iou = inter / union
        lt2 = torch.min(boxes1[:, None, :2], boxes2[:, :2])
        rb2 = torch.max(boxes1[:, None, 2:], boxes2[:, 2:])
        wh2 = (rb2 - lt2).clamp(min=0)
        area = wh2[:, :, 0] * wh2[:, :, 1]
        return iou - (area - union) / area

    def detr_matcher_cost(pred_logits, pred_boxes, tgt_ids, tgt_bbox):  # DETR's HungarianMatcher cost matrix
        bs, num_queries = pred_logits.shape[:2]
        out_prob = pred_logits.flatten(0, 1).softmax(-1)
        out_bbox = pred_boxes.flatten(0, 1)
        cost_class = -out_prob[:, tgt_ids]
        cost_bbox = torch.cdist(out_bbox, tgt_bbox, p=1)
        cost_giou = -generalized_box_iou(box_cxcywh_to_xyxy(out_bbox), box_cxcywh_to_xyxy(tgt_bbox))
        C = 5 * cost_bbox + 1 * cost_class + 2 * cost_giou
        return C.view(bs, num_queries, -1)

    def focal_matcher_cost(pred_logits, pred_boxes, tgt_ids, tgt_bbox, alpha=0.25, gamma=2.0):  # Deformable DETR /
        out_prob = pred_logits.flatten(0, 1).sigmoid()  # DINO's focal class cost
        out_bbox = pred_boxes.flatten(0, 1)
        neg_cost_class = (1 - alpha) * (out_prob**gamma) * (-(1 - out_prob + 1e-8).log())
        pos_cost_class = alpha * ((1 - out_prob) ** gamma) * (-(out_prob + 1e-8).log())
        cost_class = pos_cost_class[:, tgt_ids] - neg_cost_class[:, tgt_ids]
        cost_bbox = torch.cdist(out_bbox, tgt_bbox, p=1)
        cost_giou = -generalized_box_iou(box_cxcywh_to_xyxy(out_bbox), box_cxcywh_to_xyxy(tgt_bbox))
        return (5 * cost_bbox + 2 * cost_class + 2 * cost_giou).view(pred_logits.shape[0], pred_logits.shape[1], -1)

    def ciou_loss(box1, box2, eps=1e-7):  # YOLOv5 / ultralytics bbox_iou(xywh=False, CIoU=True), paired
        (b1_x1, b1_y1, b1_x2, b1_y2), (b2_x1, b2_y1, b2_x2, b2_y2) = box1.chunk(4, -1), box2.chunk(4, -1)
        w1, h1 = b1_x2 - b1_x1, b1_y2 - b1_y1 + eps
        w2, h2 = b2_x2 - b2_x1, b2_y2 - b2_y1 + eps
        inter = (b1_x2.minimum(b2_x2) - b1_x1.maximum(b2_x1)).clamp_(0) * (
            b1_y2.minimum(b2_y2) - b1_y1.maximum(b2_y1)
        ).clamp_(0)
        union = w1 * h1 + w2 * h2 - inter + eps
        iou = inter / union
        cw = b1_x2.maximum(b2_x2) - b1_x1.minimum(b2_x1)
        ch = b1_y2.maximum(b2_y2) - b1_y1.minimum(b2_y1)
        c2 = cw.pow(2) + ch.pow(2) + eps
        rho2 = ((b2_x1 + b2_x2 - b1_x1 - b1_x2).pow(2) + (b2_y1 + b2_y2 - b1_y1 - b1_y2).pow(2)) / 4
        v = (4 / math.pi**2) * ((w2 / h2).atan() - (w1 / h1).atan()).pow(2)
        with torch.no_grad():
            a = v / (v - iou + (1 + eps))
        return (1.0 - (iou - (rho2 / c2 + v * a))).mean()

    def yolov5_decode(x, grid, anchor_grid, stride):  # YOLOv5's Detect.forward at inference
        bs, _, ny, nx = x.shape
        x = x.view(bs, 3, 85, ny, nx).permute(0, 1, 3, 4, 2).contiguous()
        xy, wh, conf = x.sigmoid().split((2, 2, 81), 4)
        xy = (xy * 2 + grid) * stride
        wh = (wh * 2) ** 2 * anchor_grid
        return torch.cat((xy, wh, conf), 4).view(bs, 3 * nx * ny, 85)

    def yolov8_dfl_decode(box, anchors, strides, reg_max=16):  # ultralytics' DFL and dist2bbox
        b, _, a = box.shape
        proj = torch.arange(reg_max, dtype=torch.float, device=box.device).view(1, reg_max, 1, 1)
        dist = F.conv2d(box.view(b, 4, reg_max, a).transpose(2, 1).softmax(1), proj.to(box.dtype)).view(b, 4, a)
        lt, rb = dist.chunk(2, 1)
        x1y1 = anchors.unsqueeze(0) - lt
        x2y2 = anchors.unsqueeze(0) + rb
        return torch.cat(((x1y1 + x2y2) / 2, x2y2 - x1y1), 1) * strides

    def task_aligned_metrics(
        pd_scores, pd_bboxes, anc_points, gt_labels, gt_bboxes, mask_gt, alpha=1.0, beta=6.0, topk=10
    ):  # ultralytics' TaskAlignedAssigner: in-box anchors, align metric, top-k
        bs, n_boxes, _ = gt_bboxes.shape
        na = pd_bboxes.shape[-2]
        lt, rb = gt_bboxes.view(-1, 1, 4).chunk(2, 2)
        bbox_deltas = torch.cat((anc_points[None] - lt, rb - anc_points[None]), dim=2).view(bs, n_boxes, na, -1)
        mask_in_gts = bbox_deltas.amin(3).gt_(1e-9)
        mask = mask_in_gts * mask_gt
        ind0 = torch.arange(bs, device=pd_scores.device).view(-1, 1).expand(-1, n_boxes)
        bbox_scores = pd_scores[ind0, :, gt_labels.squeeze(-1)]
        pd = pd_bboxes.unsqueeze(1).expand(-1, n_boxes, -1, -1)
        gt = gt_bboxes.unsqueeze(2).expand(-1, -1, na, -1)
        inter = (torch.min(pd[..., 2:], gt[..., 2:]) - torch.max(pd[..., :2], gt[..., :2])).clamp(0).prod(-1)
        area = (pd[..., 2:] - pd[..., :2]).prod(-1) + (gt[..., 2:] - gt[..., :2]).prod(-1) - inter
        overlaps = (inter / (area + 1e-9)) * mask
        align_metric = bbox_scores.pow(alpha) * overlaps.pow(beta) * mask
        topk_metrics, topk_idxs = torch.topk(align_metric, topk, dim=-1, largest=True)
        count = torch.zeros(align_metric.shape, dtype=torch.int8, device=align_metric.device)
        count.scatter_add_(-1, topk_idxs, torch.ones_like(topk_idxs[..., :1], dtype=torch.int8).expand_as(topk_idxs))
        return count * mask, overlaps

    def fast_nms(boxes, scores, iou_threshold=0.5, top_k=200):  # YOLACT's fast_nms with static shapes
        scores, idx = scores.sort(1, descending=True)
        idx, scores = idx[:, :top_k].contiguous(), scores[:, :top_k]
        num_classes, num_dets = idx.size()
        boxes = boxes[idx.view(-1), :].view(num_classes, num_dets, 4)
        lt = torch.max(boxes[:, :, None, :2], boxes[:, None, :, :2])
        rb = torch.min(boxes[:, :, None, 2:], boxes[:, None, :, 2:])
        inter = (rb - lt).clamp(min=0).prod(-1)
        area = (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])
        iou = inter / (area[:, :, None] + area[:, None, :] - inter)
        iou.triu_(diagonal=1)
        iou_max, _ = iou.max(dim=1)
        keep = iou_max <= iou_threshold
        return torch.where(keep, scores, torch.zeros_like(scores)), idx

    def matrix_nms(seg_masks, cate_labels, cate_scores, sigma=2.0):  # SOLOv2's Matrix NMS (gaussian decay)
        n_samples = cate_labels.shape[0]
        seg_masks = seg_masks.reshape(n_samples, -1).float()
        sum_masks = seg_masks.sum(1)
        inter_matrix = torch.mm(seg_masks, seg_masks.transpose(1, 0))
        sum_masks_x = sum_masks.expand(n_samples, n_samples)
        iou_matrix = (inter_matrix / (sum_masks_x + sum_masks_x.transpose(1, 0) - inter_matrix)).triu(diagonal=1)
        cate_labels_x = cate_labels.expand(n_samples, n_samples)
        label_matrix = (cate_labels_x == cate_labels_x.transpose(1, 0)).float().triu(diagonal=1)
        compensate_iou, _ = (iou_matrix * label_matrix).max(0)
        compensate_iou = compensate_iou.expand(n_samples, n_samples).transpose(1, 0)
        decay_iou = iou_matrix * label_matrix
        decay_matrix = torch.exp(-1 * sigma * (decay_iou**2))
        compensate_matrix = torch.exp(-1 * sigma * (compensate_iou**2))
        decay_coefficient, _ = (decay_matrix / compensate_matrix).min(0)
        return cate_scores * decay_coefficient

    def fcos_targets(points, gt_boxes, areas, radius_stride):  # FCOS's ltrb regression targets, in-box test,
        xs, ys = points[:, 0], points[:, 1]  # min-area assignment and the centerness target
        left = xs[:, None] - gt_boxes[None, :, 0]
        t = ys[:, None] - gt_boxes[None, :, 1]
        r = gt_boxes[None, :, 2] - xs[:, None]
        b = gt_boxes[None, :, 3] - ys[:, None]
        reg = torch.stack([left, t, r, b], dim=2)
        is_in_boxes = reg.min(dim=2)[0] > 0
        max_reg = reg.max(dim=2)[0]
        is_cared = (max_reg >= radius_stride[:, [0]]) & (max_reg <= radius_stride[:, [1]])
        locations_to_gt_area = areas[None].repeat(len(points), 1)
        locations_to_gt_area[is_in_boxes == 0] = float("inf")
        locations_to_gt_area = locations_to_gt_area.masked_fill(~is_cared, float("inf"))
        min_area, inds = locations_to_gt_area.min(dim=1)
        reg = reg[torch.arange(len(points), device=points.device), inds]
        lr, tb = reg[:, [0, 2]], reg[:, [1, 3]]
        centerness = (lr.min(-1)[0] / lr.max(-1)[0]) * (tb.min(-1)[0] / tb.max(-1)[0])
        return reg, torch.sqrt(centerness), min_area

    # DETR-R50's matcher at 64 images (100 queries, 92 classes, 448 targets); DINO-4scale's focal cost (900 queries,
    # 91 classes) at 16 images with 112 targets; YOLOv5's CIoU over 8 x 8400 matched anchors; YOLOv5s' P3 and P5 heads
    # at 640 px and 16 images; YOLOv8's DFL decode at 16 x 8400 anchors and its task-aligned assignment (30 padded
    # targets, 80 classes); YOLACT's fast NMS of 19248 priors in 80 classes; SOLOv2's Matrix NMS of 500 masks at
    # 200 x 304; FCOS's targets for 20267 locations (800 x 1333) and 50 boxes
    out += [
        ("detr_matcher_cost", detr_matcher_cost, (mf(64, 100, 92), mf(64, 100, 4), i(448), mf(448, 4))),
        ("dino_focal_matcher_cost", focal_matcher_cost, (mf(16, 900, 91), mf(16, 900, 4), i(112), mf(112, 4))),
        ("yolo_ciou_loss", ciou_loss, (mf(67200, 4), mf(67200, 4))),
        (
            "yolov5_detect_decode",
            lambda x, g, a: yolov5_decode(x, g, a, 8.0),
            (mh(16, 255, 80, 80), mh(1, 3, 80, 80, 2), mh(1, 3, 80, 80, 2)),
        ),
        (
            "yolov5_detect_decode",
            lambda x, g, a: yolov5_decode(x, g, a, 32.0),
            (mh(16, 255, 20, 20), mh(1, 3, 20, 20, 2), mh(1, 3, 20, 20, 2)),
        ),
        ("yolov8_dfl_decode", yolov8_dfl_decode, (mh(16, 64, 8400), mh(2, 8400), mh(1, 8400))),
        (
            "yolov8_task_aligned_assign",
            task_aligned_metrics,
            (mf(16, 8400, 80), mf(16, 8400, 4), mf(8400, 2), i(16, 30, 1), mf(16, 30, 4), mf(16, 30, 1)),
        ),
        ("yolact_fast_nms", fast_nms, (mf(19248, 4), mf(80, 19248))),
        ("solov2_matrix_nms", matrix_nms, (mb(500, 200, 304), i(500), mf(500))),
        ("fcos_targets", fcos_targets, (mf(20267, 2), mf(50, 4), mf(50), mf(20267, 2))),
    ]

    # ------------------------------------------------------------------ SAM, Mask2Former and segmentation losses
    def sam_attention(q, k, v, wq, wk, wv, wo, num_heads=8):  # SAM's Attention with downsampled internal dim
        q, k, v = linear(q, wq), linear(k, wk), linear(v, wv)
        b, nq, c = q.shape
        q = q.reshape(b, nq, num_heads, c // num_heads).transpose(1, 2)
        k = k.reshape(b, k.shape[1], num_heads, c // num_heads).transpose(1, 2)
        v = v.reshape(b, v.shape[1], num_heads, c // num_heads).transpose(1, 2)
        attn = q @ k.permute(0, 1, 3, 2) / math.sqrt(c // num_heads)
        attn = torch.softmax(attn, dim=-1)
        o = (attn @ v).transpose(1, 2).reshape(b, nq, c)
        return linear(o, wo)

    def sam_upscale(src, ct1_w, ct1_b, ln_w, ln_b, ct2_w, ct2_b, hyper_in):  # SAM's output upscaling, LayerNorm2d
        x = F.conv_transpose2d(src, ct1_w, ct1_b, stride=2)  # and the hypernetwork product
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + 1e-6)
        x = ln_w[:, None, None] * x + ln_b[:, None, None]
        x = F.gelu(F.conv_transpose2d(F.gelu(x), ct2_w, ct2_b, stride=2))
        b, c, h, w = x.shape
        return (hyper_in @ x.view(b, c, h * w)).view(b, -1, h, w)

    def sam_postprocess(masks, input_size=(1024, 1024), original_size=(1500, 2250)):  # postprocess_masks, threshold
        masks = F.interpolate(masks, (1024, 1024), mode="bilinear", align_corners=False)
        masks = masks[..., : input_size[0], : input_size[1]]
        masks = F.interpolate(masks, original_size, mode="bilinear", align_corners=False)
        return masks > 0.0

    def sam_stability_score(masks, mask_threshold=0.0, threshold_offset=1.0):  # calculate_stability_score
        intersections = (
            (masks > (mask_threshold + threshold_offset)).sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32)
        )
        unions = (masks > (mask_threshold - threshold_offset)).sum(-1, dtype=torch.int16).sum(-1, dtype=torch.int32)
        return intersections / unions

    def m2f_attn_mask(mask_embed, mask_features, num_heads=8, size=(32, 32)):  # Mask2Former's forward_prediction_heads
        outputs_mask = torch.einsum("bqc,bchw->bqhw", mask_embed, mask_features)
        attn_mask = F.interpolate(outputs_mask, size=size, mode="bilinear", align_corners=False)
        attn_mask = attn_mask.sigmoid().flatten(2).unsqueeze(1).repeat(1, num_heads, 1, 1).flatten(0, 1) < 0.5
        attn_mask = attn_mask & ~attn_mask.all(-1, keepdim=True)  # rows masked everywhere are unmasked
        return outputs_mask, attn_mask

    def m2f_masked_cross_attn(tgt, memory, attn_mask, in_w, in_b, out_w, out_b, num_heads=8):  # its masked attention
        return F.multi_head_attention_forward(
            tgt,
            memory,
            memory,
            tgt.shape[-1],
            num_heads,
            in_w,
            in_b,
            None,
            None,
            False,
            0.0,
            out_w,
            out_b,
            training=False,
            need_weights=False,
            attn_mask=attn_mask,
        )[0]

    def point_sample(inp, point_coords):  # detectron2's point_sample by grid_sample
        return F.grid_sample(inp, 2.0 * point_coords.unsqueeze(2) - 1.0, align_corners=False).squeeze(3)

    def m2f_point_losses(src_masks, target_masks, point_coords):  # Mask2Former's point-sampled dice and BCE
        point_logits = point_sample(src_masks, point_coords).squeeze(1)
        point_labels = point_sample(target_masks, point_coords).squeeze(1)
        p = point_logits.sigmoid()
        numerator = 2 * (p * point_labels).sum(-1)
        dice = 1 - (numerator + 1) / (p.sum(-1) + point_labels.sum(-1) + 1)
        bce = F.binary_cross_entropy_with_logits(point_logits, point_labels, reduction="none").mean(1)
        return dice.mean(), bce.mean()

    def m2f_batch_costs(inputs, targets):  # Mask2Former's matcher: batch_dice_loss and batch_sigmoid_ce_loss
        hw = inputs.shape[1]
        p = inputs.sigmoid()
        numerator = 2 * torch.einsum("nc,mc->nm", p, targets)
        denominator = p.sum(-1)[:, None] + targets.sum(-1)[None, :]
        dice = 1 - (numerator + 1) / (denominator + 1)
        pos = F.binary_cross_entropy_with_logits(inputs, torch.ones_like(inputs), reduction="none")
        neg = F.binary_cross_entropy_with_logits(inputs, torch.zeros_like(inputs), reduction="none")
        ce = torch.einsum("nc,mc->nm", pos, targets) + torch.einsum("nc,mc->nm", neg, (1 - targets))
        return dice, ce / hw

    def m2f_semantic_inference(mask_cls, mask_pred):  # Mask2Former's semantic_inference
        mask_cls = F.softmax(mask_cls, dim=-1)[..., :-1]
        return torch.einsum("qc,qhw->chw", mask_cls, mask_pred.sigmoid())

    def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0):  # torchvision.ops.sigmoid_focal_loss, summed
        p = torch.sigmoid(inputs)
        ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets)
        loss = ce_loss * ((1 - p_t) ** gamma)
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        return (alpha_t * loss).sum()

    def lovasz_hinge_flat(logits, labels):  # Berman et al.'s Lovasz hinge over one image's flattened pixels
        signs = 2.0 * labels.float() - 1.0
        errors = 1.0 - logits * signs
        errors_sorted, perm = torch.sort(errors, dim=0, descending=True)
        gt_sorted = labels[perm].float()
        gts = gt_sorted.sum()
        intersection = gts - gt_sorted.cumsum(0)
        union = gts + (1 - gt_sorted).cumsum(0)
        jaccard = 1.0 - intersection / union
        jaccard = torch.cat([jaccard[:1], jaccard[1:] - jaccard[:-1]])
        return torch.dot(F.relu(errors_sorted), jaccard)

    # SAM ViT-H's mask decoder for 64 point prompts of one image: the token-to-image attention (7 tokens, internal
    # width 128 over 4096 positions), the image-to-token one, the upscaling to 256 x 256 with the 4 hypernetwork
    # masks, postprocessing of 64 x 3 low-res masks to 1024 px and a 1500 x 2250 photo, the stability score of 64 x 3
    # x 1024 x 1024 logits
    out += [
        (
            "sam_token_to_image_attn",
            sam_attention,
            (m(64, 7, 256), m(64, 4096, 256), m(64, 4096, 256), m(128, 256), m(128, 256), m(128, 256), m(256, 128)),
        ),
        (
            "sam_image_to_token_attn",
            sam_attention,
            (m(64, 4096, 256), m(64, 7, 256), m(64, 7, 256), m(128, 256), m(128, 256), m(128, 256), m(256, 128)),
        ),
        (
            "sam_output_upscaling",
            sam_upscale,
            (m(64, 256, 64, 64), m(256, 64, 2, 2), m(64), m(64), m(64), m(64, 32, 2, 2), m(32), m(64, 4, 32)),
        ),
        ("sam_postprocess_masks", sam_postprocess, (mf(64, 3, 256, 256),)),
        ("sam_stability_score", sam_stability_score, (mf(64, 3, 1024, 1024),)),
    ]

    # Mask2Former Swin-L on COCO panoptic (200 queries, 256 wide, 8 heads) at 8 images: mask logits at 1/4 of 1024 px
    # and the attention mask at 32 x 32, the masked cross-attention into those 1024 positions, the point losses over
    # 12544 points of 8 x 50 matched masks, the matcher's costs for 200 queries x 50 masks, semantic inference for
    # ADE20K (150 classes, 100 queries, 512 x 512); torchvision's focal loss over RetinaNet's 120087 anchors x 80 at 16;
    # the Lovasz hinge of a 512 x 512 mask
    out += [
        ("m2f_attn_mask", m2f_attn_mask, (m(8, 200, 256), m(8, 256, 256, 256))),
        (
            "m2f_masked_cross_attn",
            m2f_masked_cross_attn,
            (m(200, 8, 256), m(1024, 8, 256), mb(64, 200, 1024), m(768, 256), m(768), m(256, 256), m(256)),
        ),
        ("m2f_point_losses", m2f_point_losses, (mf(400, 1, 256, 256), mf(400, 1, 256, 256), mf(400, 12544, 2))),
        ("m2f_batch_costs", m2f_batch_costs, (mf(200, 12544), mf(50, 12544))),
        ("m2f_semantic_inference", m2f_semantic_inference, (mf(100, 151), mf(100, 512, 512))),
        ("retinanet_sigmoid_focal_loss", sigmoid_focal_loss, (mf(16, 120087, 80), mf(16, 120087, 80))),
        ("lovasz_hinge_flat", lovasz_hinge_flat, (mf(262144), i(262144))),
    ]

    # ================================================================== protein and biology
    def mpnn_knn_features(X, mask, top_k=48, num_rbf=16, eps=1e-6):  # ProteinMPNN's ProteinFeatures: CA k-NN by a
        dX = torch.unsqueeze(X, 1) - torch.unsqueeze(X, 2)  # masked distance matrix and topk, RBF edge features
        mask_2D = torch.unsqueeze(mask, 1) * torch.unsqueeze(mask, 2)
        D = mask_2D * torch.sqrt(torch.sum(dX**2, 3) + eps)
        D_max, _ = torch.max(D, -1, keepdim=True)
        D_adjust = D + (1.0 - mask_2D) * D_max
        D_neighbors, E_idx = torch.topk(D_adjust, top_k, dim=-1, largest=False)
        D_mu = torch.linspace(2.0, 22.0, num_rbf, device=X.device).view(1, 1, 1, -1)
        D_sigma = (22.0 - 2.0) / num_rbf
        RBF = torch.exp(-(((D_neighbors.unsqueeze(-1) - D_mu) / D_sigma) ** 2))
        return RBF, E_idx

    def mpnn_gather_nodes(nodes, neighbor_idx):  # ProteinMPNN's gather_nodes and the message MLP input
        neighbors_flat = neighbor_idx.reshape((neighbor_idx.shape[0], -1))
        neighbors_flat = neighbors_flat.unsqueeze(-1).expand(-1, -1, nodes.size(2))
        neighbor_features = torch.gather(nodes, 1, neighbors_flat)
        return neighbor_features.view(list(neighbor_idx.shape)[:3] + [-1])

    def esm_contact_head(attentions, weight, bias):  # ESM-2's ContactPredictionHead: drop bos / eos, symmetrise, APC
        attentions = attentions[..., 1:-1, 1:-1]
        batch_size, layers, heads, seqlen, _ = attentions.size()
        attentions = attentions.view(batch_size, layers * heads, seqlen, seqlen)
        x = attentions + attentions.transpose(-1, -2)
        a1 = x.sum(-1, keepdims=True)
        a2 = x.sum(-2, keepdims=True)
        a12 = x.sum((-1, -2), keepdims=True)
        normalized = x - (a1 * a2) / a12
        normalized = normalized.permute(0, 2, 3, 1)
        return torch.sigmoid(linear(normalized, weight, bias).squeeze(3))

    def esm_token_dropout(x, tokens, mask_idx=32, padding_idx=1):  # ESM-2's token-dropout rescaling of embeddings
        x = x.masked_fill((tokens == mask_idx).unsqueeze(-1), 0.0)
        mask_ratio_train = 0.15 * 0.8
        src_lengths = (~tokens.eq(padding_idx)).sum(-1)
        mask_ratio_observed = (tokens == mask_idx).sum(-1).to(x.dtype) / src_lengths
        return x * (1 - mask_ratio_train) / (1 - mask_ratio_observed)[:, None, None]

    def af2_ptm(logits, max_bin=31, no_bins=64):  # AlphaFold2's compute_tm: pTM from the PAE logits
        boundaries = torch.linspace(0, max_bin, steps=(no_bins - 1), device=logits.device)
        step = boundaries[1] - boundaries[0]
        bin_centers = torch.cat([boundaries + step / 2, (boundaries[-1] + step).unsqueeze(-1)], dim=0)
        n = logits.shape[-2]
        d0 = 1.24 * (max(n, 19) - 15) ** (1.0 / 3) - 1.8
        probs = F.softmax(logits, dim=-1)
        tm_per_bin = 1.0 / (1 + (bin_centers**2) / (d0**2))
        predicted_tm_term = torch.sum(probs * tm_per_bin, dim=-1)
        return torch.max(predicted_tm_term.mean(-1))

    def rigid_from_3_points(x1, x2, x3, eps=1e-8):  # AlphaFold's Gram-Schmidt frames from N, CA, C
        v1 = x3 - x2
        v2 = x1 - x2
        e1 = v1 / torch.sqrt(torch.sum(v1**2, dim=-1, keepdim=True) + eps)
        u2 = v2 - e1 * torch.sum(e1 * v2, dim=-1, keepdim=True)
        e2 = u2 / torch.sqrt(torch.sum(u2**2, dim=-1, keepdim=True) + eps)
        e3 = torch.cross(e1, e2, dim=-1)
        return torch.stack([e1, e2, e3], dim=-1), x2

    def fape(pred_rot, pred_trans, tgt_rot, tgt_trans, pred_pos, tgt_pos, clamp=10.0, eps=1e-4):  # FAPE loss:
        def local(rot, trans, pos):  # every point in every frame's coordinates
            return torch.einsum("fji,fpj->fpi", rot, pos[None] - trans[:, None, :])

        d = torch.sqrt(
            torch.sum((local(pred_rot, pred_trans, pred_pos) - local(tgt_rot, tgt_trans, tgt_pos)) ** 2, dim=-1) + eps
        )
        return torch.clamp(d, max=clamp).mean() / clamp

    def ipa_point_logits(q_pts, k_pts, head_weights):  # IPA's point-attention term in the global frame
        pt_att = q_pts.unsqueeze(-4) - k_pts.unsqueeze(-5)
        pt_att = torch.sum(pt_att**2, dim=-1)
        pt_att = pt_att * head_weights.view(*((1,) * (pt_att.dim() - 2)), -1, 1)
        return torch.sum(pt_att, dim=-1) * (-0.5)

    def egnn_layer(h, x, edge_index, w1, w2, wc, wn):  # EGNN's E_GCL: radial, edge MLP, coordinate and node updates
        row, col = edge_index
        coord_diff = x[row] - x[col]
        radial = torch.sum(coord_diff**2, 1).unsqueeze(1)
        m_ij = F.silu(linear(F.silu(linear(torch.cat([h[row], h[col], radial], dim=1), w1)), w2))
        trans = coord_diff * linear(m_ij, wc)
        x = x + torch.zeros_like(x).index_add_(0, row, trans) / 29.0
        agg = torch.zeros(h.shape[0], m_ij.shape[1], device=h.device, dtype=h.dtype).index_add_(0, row, m_ij)
        return h + linear(torch.cat([h, agg], dim=1), wn), x

    # ProteinMPNN's features of 8 x 512-residue chains (48 neighbours), the neighbour gather of 128-wide node
    # features; ESM-2 650M's contact head (33 layers x 20 heads, 2 x 512 + 2 tokens) and token dropout at 16 x 1024;
    # AlphaFold2's pTM over 384 x 384 x 64 PAE logits; frames of 4 x 384 residues; FAPE of
    # 384 frames over 384 x 14 atoms; IPA's point logits (12 heads, 4 points) at 384; EGNN on a QM9 batch (96
    # molecules of 29 atoms, fully connected)
    out += [
        ("mpnn_knn_features", mpnn_knn_features, (mf(8, 512, 3), mf(8, 512))),
        ("mpnn_gather_nodes", mpnn_gather_nodes, (mf(8, 512, 128), i(8, 512, 48))),
        ("esm2_contact_head", esm_contact_head, (mf(2, 33, 20, 514, 514), mf(1, 660), mf(1))),
        ("esm2_token_dropout", esm_token_dropout, (mh(16, 1024, 1280), i(16, 1024))),
        ("af2_ptm", af2_ptm, (mf(384, 384, 64),)),
        ("af2_rigid_from_3_points", rigid_from_3_points, (mf(4, 384, 3), mf(4, 384, 3), mf(4, 384, 3))),
        ("af2_fape", fape, (mf(384, 3, 3), mf(384, 3), mf(384, 3, 3), mf(384, 3), mf(5376, 3), mf(5376, 3))),
        ("ipa_point_logits", ipa_point_logits, (mf(1, 384, 12, 4, 3), mf(1, 384, 12, 4, 3), mf(12))),
        (
            "egnn_layer_qm9",
            egnn_layer,
            (mf(2784, 128), mf(2784, 3), i(2, 78624), mf(128, 257), mf(128, 128), mf(1, 128), mf(128, 256)),
        ),
    ]

    # ================================================================== weather and science
    def afno_mix(x, w1, b1, w2, b2, num_blocks=8, sparsity=0.01):  # FourCastNet's AFNO2D spectral mixing
        dtype = x.dtype
        x = x.float()
        B, H, W, C = x.shape
        x = torch.fft.rfft2(x, dim=(1, 2), norm="ortho")
        x = x.reshape(B, x.shape[1], x.shape[2], num_blocks, C // num_blocks)
        o1_real = F.relu(
            torch.einsum("...bi,bio->...bo", x.real, w1[0]) - torch.einsum("...bi,bio->...bo", x.imag, w1[1]) + b1[0]
        )
        o1_imag = F.relu(
            torch.einsum("...bi,bio->...bo", x.imag, w1[0]) + torch.einsum("...bi,bio->...bo", x.real, w1[1]) + b1[1]
        )
        o2_real = (
            torch.einsum("...bi,bio->...bo", o1_real, w2[0]) - torch.einsum("...bi,bio->...bo", o1_imag, w2[1]) + b2[0]
        )
        o2_imag = (
            torch.einsum("...bi,bio->...bo", o1_imag, w2[0]) + torch.einsum("...bi,bio->...bo", o1_real, w2[1]) + b2[1]
        )
        x = F.softshrink(torch.stack([o2_real, o2_imag], dim=-1), lambd=sparsity)
        x = torch.view_as_complex(x).reshape(B, x.shape[1], x.shape[2], C)
        return torch.fft.irfft2(x, s=(H, W), dim=(1, 2), norm="ortho").type(dtype)

    def fno_spectral_conv2d(x, w1, w2, modes1=12, modes2=12):  # FNO's SpectralConv2d by complex einsums
        batchsize = x.shape[0]
        x_ft = torch.fft.rfft2(x)
        out_ft = torch.zeros(
            batchsize, w1.shape[1], x.size(-2), x.size(-1) // 2 + 1, dtype=torch.cfloat, device=x.device
        )
        out_ft[:, :, :modes1, :modes2] = torch.einsum("bixy,ioxy->boxy", x_ft[:, :, :modes1, :modes2], w1)
        out_ft[:, :, -modes1:, :modes2] = torch.einsum("bixy,ioxy->boxy", x_ft[:, :, -modes1:, :modes2], w2)
        return torch.fft.irfft2(out_ft, s=(x.size(-2), x.size(-1)))

    def graphcast_processor_step(nodes, edges, senders, receivers, we, wn):  # a GraphCast-style interaction step:
        e_in = torch.cat([edges, nodes[senders], nodes[receivers]], dim=-1)  # edge MLP, sum to receivers, node MLP
        new_e = F.layer_norm(F.silu(linear(e_in, we)), (edges.shape[-1],))
        agg = torch.zeros_like(nodes).index_add_(0, receivers, new_e)
        new_n = F.layer_norm(F.silu(linear(torch.cat([nodes, agg], dim=-1), wn)), (nodes.shape[-1],))
        return nodes + new_n, edges + new_e

    def lat_weighted_rmse_acc(pred, target, clim, lat):  # WeatherBench / ClimaX latitude-weighted RMSE and ACC
        w_lat = torch.cos(torch.deg2rad(lat))
        w_lat = (w_lat / w_lat.mean()).view(1, 1, -1, 1)
        err = (pred - target) ** 2
        rmse = torch.sqrt((err * w_lat).mean(dim=(-2, -1))).mean(0)
        pa, ta = pred - clim, target - clim
        pa, ta = pa - pa.mean(dim=(-2, -1), keepdim=True), ta - ta.mean(dim=(-2, -1), keepdim=True)
        acc = (w_lat * pa * ta).sum(dim=(-2, -1)) / torch.sqrt(
            (w_lat * pa**2).sum(dim=(-2, -1)) * (w_lat * ta**2).sum(dim=(-2, -1))
        )
        return rmse, acc.mean(0)

    def pangu_earth_bias(table, position_index, n_types=124, heads=6):  # Pangu-Weather's earth-specific bias gather
        bias = table[position_index.view(-1)]
        return bias.reshape(144, 144, n_types, heads).permute(2, 3, 0, 1).contiguous()

    # FourCastNet's AFNO at 720 x 1440 / 8 (90 x 180 tokens, 768 wide, 8 blocks); FNO-2D on Navier-Stokes (20 x 32 x
    # 64 x 64, 12 modes) and Darcy at 421 x 421 (width 32); a GraphCast-like processor step on the level-6 mesh (40962
    # nodes, 327660 edges, 512 wide, bf16); latitude-weighted RMSE / ACC of 69 ERA5 channels at 721 x 1440 for 2
    # forecasts; Pangu's bias gather (2 x 6 x 12 windows, 124 types, 6 heads)
    out += [
        (
            "fourcastnet_afno",
            afno_mix,
            (m(1, 90, 180, 768), mf(2, 8, 96, 96), mf(2, 8, 96), mf(2, 8, 96, 96), mf(2, 8, 96)),
        ),
        (
            "fno2d_spectral_conv",
            fno_spectral_conv2d,
            (mf(20, 32, 64, 64), m(32, 32, 12, 12, dt=torch.cfloat), m(32, 32, 12, 12, dt=torch.cfloat)),
        ),
        (
            "fno2d_spectral_conv",
            fno_spectral_conv2d,
            (mf(20, 32, 421, 421), m(32, 32, 12, 12, dt=torch.cfloat), m(32, 32, 12, 12, dt=torch.cfloat)),
        ),
        (
            "graphcast_processor_step",
            graphcast_processor_step,
            (m(40962, 512), m(327660, 512), i(327660), i(327660), m(512, 1536), m(512, 1024)),
        ),
        (
            "weatherbench_rmse_acc",
            lat_weighted_rmse_acc,
            (mf(2, 69, 721, 1440), mf(2, 69, 721, 1440), mf(1, 69, 721, 1440), mf(721)),
        ),
        ("pangu_earth_bias", pangu_earth_bias, (mf(4 * 36 * 23, 124, 6), i(144, 144))),
    ]

    # ================================================================== time series
    def revin(x, affine_weight, affine_bias, eps=1e-5):  # RevIN's normalisation and its denormalisation of a forecast
        mean = torch.mean(x, dim=1, keepdim=True).detach()
        stdev = torch.sqrt(torch.var(x, dim=1, keepdim=True, unbiased=False) + eps).detach()
        xn = (x - mean) / stdev * affine_weight + affine_bias
        y = (xn[:, -96:] - affine_bias) / (affine_weight + eps * eps)
        return xn, y * stdev + mean

    def dlinear(x, w_seasonal, w_trend, kernel_size=25):  # DLinear: moving-average decomposition, two linears
        front = x[:, 0:1, :].repeat(1, (kernel_size - 1) // 2, 1)
        end = x[:, -1:, :].repeat(1, (kernel_size - 1) // 2, 1)
        xx = torch.cat([front, x, end], dim=1)
        trend = F.avg_pool1d(xx.permute(0, 2, 1), kernel_size=kernel_size, stride=1)
        seasonal = x.permute(0, 2, 1) - trend
        return (linear(seasonal, w_seasonal) + linear(trend, w_trend)).permute(0, 2, 1)

    def nbeats_interpretable(theta_t, theta_s, backcast_len=336, forecast_len=48, degree=3, harmonics=1):
        t_b = torch.arange(backcast_len, dtype=torch.float32, device=theta_t.device) / backcast_len  # N-BEATS' trend
        t_f = torch.arange(forecast_len, dtype=torch.float32, device=theta_t.device) / forecast_len  # and seasonality
        T_b = torch.stack([t_b**p for p in range(degree + 1)])  # bases
        T_f = torch.stack([t_f**p for p in range(degree + 1)])
        trend = (theta_t[:, : degree + 1] @ T_b, theta_t[:, degree + 1 :] @ T_f)
        freq = torch.arange(1, forecast_len // 2 * harmonics + 1, device=theta_s.device, dtype=torch.float32)
        S_f = torch.cat(
            [torch.cos(2 * math.pi * freq[:, None] * t_f[None]), torch.sin(2 * math.pi * freq[:, None] * t_f[None])]
        )
        return trend, theta_s @ S_f

    def pinball_loss(pred, target, quantiles):  # a multi-quantile (pinball) loss, TFT / MQ-RNN style
        errors = target.unsqueeze(-1) - pred
        return torch.max((quantiles - 1) * errors, quantiles * errors).mean()

    def chronos_tokenize(context, centers, boundaries, n_special=2):  # Chronos' MeanScaleUniformBins.context_input_
        attention_mask = ~torch.isnan(context)  # transform: mean-abs scaling, bucketize, pad id, attention mask
        scale = torch.nansum(torch.abs(context) * attention_mask, dim=-1) / torch.nansum(attention_mask, dim=-1)
        scale[~(scale > 0)] = 1.0
        scaled = context / scale.unsqueeze(-1)
        token_ids = torch.bucketize(scaled, boundaries, right=True) + n_special
        token_ids = token_ids.clamp(0, centers.shape[0] + n_special - 1)
        token_ids[~attention_mask] = 0
        return token_ids, attention_mask, scale

    def lag_features(x, lags):  # Lag-Llama's lagged_sequence_values by index arithmetic and a gather
        idx = torch.arange(x.shape[1] - 32, x.shape[1], device=x.device)  # the last 32 steps
        lag_idx = idx[:, None] - lags[None, :]
        return x[:, lag_idx]

    # RevIN over Traffic (32 x 336 x 862); DLinear on Electricity (32 x 336 x 321 -> 96); N-BEATS-I's bases for
    # 1024 series (336 -> 48); a 9-quantile pinball loss over 256 x 96 x 321; Chronos' tokens for 256 x 512 contexts
    # (4094 bins); Lag-Llama's 84 lags of 1100 + 32 steps at 128 series
    out += [
        ("revin", revin, (mf(32, 336, 862), mf(862), mf(862))),
        ("dlinear", dlinear, (mf(32, 336, 321), mf(96, 336), mf(96, 336))),
        ("nbeats_interpretable_bases", nbeats_interpretable, (mf(1024, 8), mf(1024, 48))),
        ("pinball_loss", pinball_loss, (mf(256, 96, 321, 9), mf(256, 96, 321), mf(9))),
        ("chronos_tokenize", chronos_tokenize, (mf(256, 512), mf(4094), mf(4093))),
        ("lag_llama_lags", lag_features, (mf(128, 1132), i(84))),
    ]

    # ================================================================== reinforcement learning
    def ppo_gae(rewards, values, dones, next_value, next_done, gamma=0.99, gae_lambda=0.95, steps=4):  # CleanRL's
        num_steps = rewards.shape[0]  # GAE by a reversed loop (its last four steps)
        advantages = torch.zeros_like(rewards)
        lastgaelam = 0
        for t in reversed(range(num_steps - steps, num_steps)):
            if t == num_steps - 1:
                nextnonterminal = 1.0 - next_done
                nextvalues = next_value
            else:
                nextnonterminal = 1.0 - dones[t + 1]
                nextvalues = values[t + 1]
            delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t]
            advantages[t] = lastgaelam = delta + gamma * gae_lambda * nextnonterminal * lastgaelam
        return advantages, advantages + values

    def c51_projection(next_dist, rewards, dones, support, v_min=-10.0, v_max=10.0, gamma=0.99):  # categorical DQN
        batch_size, atoms = next_dist.shape  # projection by floor / ceil and index_add_
        delta_z = (v_max - v_min) / (atoms - 1)
        Tz = rewards.unsqueeze(1) + (1 - dones).unsqueeze(1) * gamma * support.unsqueeze(0)
        Tz = Tz.clamp(min=v_min, max=v_max)
        b = (Tz - v_min) / delta_z
        lo, u = b.floor().long(), b.ceil().long()
        offset = torch.linspace(0, (batch_size - 1) * atoms, batch_size, device=rewards.device).long()
        offset = offset.unsqueeze(1).expand(batch_size, atoms)
        proj_dist = torch.zeros(next_dist.size(), device=rewards.device)
        proj_dist.view(-1).index_add_(0, (lo + offset).view(-1), (next_dist * (u.float() - b)).view(-1))
        proj_dist.view(-1).index_add_(0, (u + offset).view(-1), (next_dist * (b - lo.float())).view(-1))
        return proj_dist

    def symlog_twohot(x, bins):  # DreamerV3's symlog and two-hot encoding over 255 bins
        x = torch.sign(x) * torch.log1p(torch.abs(x))
        below = (bins <= x[..., None]).to(torch.int32).sum(dim=-1) - 1
        above = len(bins) - (bins > x[..., None]).to(torch.int32).sum(dim=-1)
        below = torch.clip(below, 0, len(bins) - 1)
        above = torch.clip(above, 0, len(bins) - 1)
        equal = below == above
        dist_to_below = torch.where(equal, 1, torch.abs(bins[below] - x))
        dist_to_above = torch.where(equal, 1, torch.abs(bins[above] - x))
        total = dist_to_below + dist_to_above
        weight_below, weight_above = dist_to_above / total, dist_to_below / total
        return (
            F.one_hot(below.long(), len(bins)) * weight_below[..., None]
            + F.one_hot(above.long(), len(bins)) * weight_above[..., None]
        )

    def mppi_weights(costs, noise, nominal, lam=1.0):  # MPPI's exponentiated-cost weights and control update
        beta = costs.min()
        w = torch.exp(-(costs - beta) / lam)
        w = w / w.sum()
        return nominal + torch.einsum("k,kta->ta", w, noise)

    # CleanRL's GAE over 128 steps x 4096 Isaac Gym envs; C51's projection at 32 x 51 (Atari); DreamerV3's two-hot
    # returns at 16 x 64; MPPI's weights over 1024 rollouts of 30 steps x 12 controls
    out += [
        ("ppo_gae_reversed_loop", ppo_gae, (mf(128, 4096), mf(128, 4096), mf(128, 4096), mf(4096), mf(4096))),
        ("c51_projection", c51_projection, (mf(32, 51), mf(32), mf(32), mf(51))),
        ("dreamerv3_symlog_twohot", symlog_twohot, (mf(16, 64), mf(255))),
        ("mppi_weights", mppi_weights, (mf(1024), mf(1024, 30, 12), mf(30, 12))),
    ]

    # ================================================================== retrieval
    def colbert_maxsim(Q, D_padded, D_mask):  # ColBERT's colbert_score: MaxSim over padded passage tokens
        scores = D_padded @ Q.to(dtype=D_padded.dtype).permute(0, 2, 1)
        scores = scores.masked_fill(~D_mask.bool().unsqueeze(-1), -9999)
        return scores.max(1).values.sum(-1)

    def splade_pool(mlm_logits, attention_mask, q_rep):  # SPLADE's log-saturated max pooling, FLOPS regulariser and
        values = torch.log1p(torch.relu(mlm_logits)) * attention_mask.unsqueeze(-1)  # in-batch ranking scores
        d_rep = torch.max(values, dim=1).values
        flops = torch.sum(torch.mean(torch.abs(d_rep), dim=0) ** 2)
        return q_rep @ d_rep.t(), flops

    def pq_adc_search(queries, codebooks, codes, k=100):  # product-quantisation ADC: per-subspace lookup tables by
        M = codebooks.shape[0]  # einsum, table gathers by the uint8 codes, sum, top-k
        q = queries.view(queries.shape[0], M, -1)
        lut = torch.einsum("qmd,mkd->qmk", q, codebooks)
        scores = lut[:, torch.arange(M, device=codes.device), codes.long()].sum(-1)
        return scores.topk(k, dim=-1)

    # ColBERTv2 re-ranking 1000 passages (180 tokens, 128-d, fp16) for one 32-token query; SPLADE++ over 32 x 256
    # BERT MLM logits (30522) with 32 query vectors; IVF-PQ-style ADC of 16 queries over 1M codes (768-d, 8 x 256)
    out += [
        ("colbert_maxsim_rerank", colbert_maxsim, (mh(1, 32, 128), mh(1000, 180, 128), i(1000, 180))),
        ("splade_max_pool_flops", splade_pool, (m(32, 256, 30522), i(32, 256), m(32, 30522))),
        ("pq_adc_search", pq_adc_search, (mf(16, 768), mf(8, 256, 96), mu8(1000000, 8))),
    ]

    # ================================================================== recommender and CTR blocks
    def fibinet(emb, w1, w2, bilinear_w):  # FiBiNET's SENET re-weighting and field-each bilinear interaction
        z = emb.mean(dim=-1)
        a = torch.relu(linear(torch.relu(linear(z, w1)), w2))
        v = emb * a.unsqueeze(-1)
        f = v.shape[1]
        row, col = torch.triu_indices(f, f, offset=1, device=emb.device)
        return (torch.matmul(v, bilinear_w)[:, row] * v[:, col]).flatten(1)

    def autoint_layer(x, wq, wk, wv, wr, heads=2):  # AutoInt's interacting layer over fields
        b, f, _ = x.shape
        q, k, v = (linear(x, w).view(b, f, heads, -1).transpose(1, 2) for w in (wq, wk, wv))
        attn = torch.softmax(q @ k.transpose(-1, -2), dim=-1)
        o = (attn @ v).transpose(1, 2).reshape(b, f, -1)
        return torch.relu(o + linear(x, wr))

    def hstu_attention(u, q, k, v, rel_bias, n):  # HSTU's pointwise aggregated attention: SiLU scores / n, causal
        s = F.silu(torch.einsum("bhnd,bhmd->bhnm", q, k) + rel_bias) / n
        s = s.masked_fill(~torch.ones(s.shape[-2:], dtype=torch.bool, device=s.device).tril(), 0.0)
        o = torch.einsum("bhnm,bhmd->bhnd", s, v).transpose(1, 2).flatten(2)
        return F.layer_norm(o, (o.shape[-1],)) * u

    # FiBiNET on Criteo's 39 fields (16-d, reduction 3) at 4096; AutoInt's layer (2 heads, 32-d) at 4096; HSTU's
    # attention over 4 heads of 2048-action histories at 32
    out += [
        ("fibinet_senet_bilinear", fibinet, (mf(4096, 39, 16), mf(13, 39), mf(39, 13), mf(16, 16))),
        (
            "autoint_interacting_layer",
            autoint_layer,
            (mf(4096, 39, 16), mf(64, 16), mf(64, 16), mf(64, 16), mf(64, 16)),
        ),
        (
            "hstu_pointwise_attention",
            lambda u, q, k, v, b: hstu_attention(u, q, k, v, b, 2048),
            (m(32, 2048, 256), m(32, 4, 2048, 64), m(32, 4, 2048, 64), m(32, 4, 2048, 64), m(1, 4, 2048, 2048)),
        ),
    ]

    # ================================================================== image-generation samplers
    def dpmpp_2m_step(sample, m0, m1, alpha_t, sigma_t, alpha_s0, sigma_s0, alpha_s1, sigma_s1):  # diffusers'
        lambda_t = torch.log(alpha_t) - torch.log(sigma_t)  # DPM-Solver++(2M) midpoint update
        lambda_s0 = torch.log(alpha_s0) - torch.log(sigma_s0)
        lambda_s1 = torch.log(alpha_s1) - torch.log(sigma_s1)
        h, h_0 = lambda_t - lambda_s0, lambda_s0 - lambda_s1
        r0 = h_0 / h
        D0, D1 = m0, (1.0 / r0) * (m0 - m1)
        return (
            (sigma_t / sigma_s0) * sample
            - (alpha_t * (torch.exp(-h) - 1.0)) * D0
            - 0.5 * (alpha_t * (torch.exp(-h) - 1.0)) * D1
        )

    def flow_match_euler(sample, model_output, sigmas, step, shift=3.0):  # SD3's FlowMatchEulerDiscreteScheduler:
        s = shift * sigmas / (1 + (shift - 1) * sigmas)  # shifted sigmas and the Euler step in fp32
        sample = sample.to(torch.float32)
        prev = sample + (s[step + 1] - s[step]) * model_output
        return prev.to(model_output.dtype)

    # DPM-Solver++(2M) over SDXL's 8 x 4 x 128 x 128 fp16 latents; SD3-medium's Euler step over 8 x 16 x 128 x 128
    out += [
        (
            "dpmpp_2m_step_sdxl",
            dpmpp_2m_step,
            (mh(8, 4, 128, 128), mh(8, 4, 128, 128), mh(8, 4, 128, 128), sc(), sc(), sc(), sc(), sc(), sc()),
        ),
        (
            "sd3_flow_match_euler",
            lambda x, o, s: flow_match_euler(x, o, s, 10),
            (mh(8, 16, 128, 128), mh(8, 16, 128, 128), mf(29)),
        ),
    ]

    # ================================================================== super-resolution
    def rrdb_dense_block(x, w1, w2, w3, w4, w5):  # ESRGAN's ResidualDenseBlock_5C
        x1 = F.leaky_relu(F.conv2d(x, w1, padding=1), 0.2)
        x2 = F.leaky_relu(F.conv2d(torch.cat((x, x1), 1), w2, padding=1), 0.2)
        x3 = F.leaky_relu(F.conv2d(torch.cat((x, x1, x2), 1), w3, padding=1), 0.2)
        x4 = F.leaky_relu(F.conv2d(torch.cat((x, x1, x2, x3), 1), w4, padding=1), 0.2)
        x5 = F.conv2d(torch.cat((x, x1, x2, x3, x4), 1), w5, padding=1)
        return x5 * 0.2 + x

    def usm_sharp(img, kernel, weight=0.5, threshold=10):  # Real-ESRGAN's USMSharp by filter2D (reflect pad, grouped
        def filter2d(x):  # conv over b * c)
            b, c, h, w = x.shape
            k = kernel.size(-1)
            x = F.pad(x, (k // 2, k // 2, k // 2, k // 2), mode="reflect")
            return F.conv2d(
                x.view(1, b * c, x.shape[-2], x.shape[-1]), kernel.expand(b * c, 1, k, k), groups=b * c
            ).view(b, c, h, w)

        blur = filter2d(img)
        residual = img - blur
        mask = (torch.abs(residual) * 255 > threshold).float()
        soft_mask = filter2d(mask)
        sharp = torch.clip(img + weight * residual, 0, 1)
        return soft_mask * sharp + (1 - soft_mask) * img

    # Real-ESRGAN x4plus's dense block over a 64 x 256 x 256 LR tile in fp16; its USM sharpening of 12 x 3 x 256 x 256
    # GT crops (51-tap Gaussian)
    out += [
        (
            "esrgan_rrdb_dense_block",
            rrdb_dense_block,
            (
                mh(1, 64, 256, 256),
                mh(32, 64, 3, 3),
                mh(32, 96, 3, 3),
                mh(32, 128, 3, 3),
                mh(32, 160, 3, 3),
                mh(64, 192, 3, 3),
            ),
        ),
        ("realesrgan_usm_sharp", usm_sharp, (mf(12, 3, 256, 256), mf(1, 1, 51, 51))),
    ]

    # ================================================================== point clouds and meshes
    def point_transformer_attn(q, k, v, pos_rel, wp1, wp2, ww1, ww2):  # Point Transformer's vector attention over
        pe = linear(torch.relu(linear(pos_rel, wp1)), wp2)  # k neighbours with its relative-position MLP
        w = k - q.unsqueeze(1) + pe
        w = linear(torch.relu(linear(w, ww1)), ww2)
        w = torch.softmax(w, dim=1)
        return torch.einsum("nkc,nkc->nc", v + pe, w)

    def vertex_normals(verts, faces):  # vertex normals by face cross products summed into each corner by index_add_
        b, nv, _ = verts.shape
        vf = verts[:, faces.view(-1)].view(b, -1, 3, 3)
        fn = torch.cross(vf[:, :, 1] - vf[:, :, 0], vf[:, :, 2] - vf[:, :, 0], dim=-1)
        vn = torch.zeros_like(verts)
        for c in range(3):
            vn.index_add_(1, faces[:, c], fn)
        return F.normalize(vn, eps=1e-6, dim=2)

    def pillar_scatter(voxel_features, coords, nx=432, ny=496):  # PointPillars' PointPillarsScatter
        canvas = torch.zeros(voxel_features.shape[1], nx * ny, dtype=voxel_features.dtype, device=voxel_features.device)
        indices = (coords[:, 2] * nx + coords[:, 3]).long()
        canvas[:, indices] = voxel_features.t()
        return canvas.view(1, voxel_features.shape[1], ny, nx)

    # Point Transformer on an S3DIS batch (80000 points, 16 neighbours, 64 channels); vertex normals of 64 SMPL-X
    # meshes (10475 vertices, 20908 faces); PointPillars' scatter of 12000 pillars into KITTI's 432 x 496 canvas
    out += [
        (
            "point_transformer_vector_attn",
            point_transformer_attn,
            (
                mf(80000, 64),
                mf(80000, 16, 64),
                mf(80000, 16, 64),
                mf(80000, 16, 3),
                mf(3, 3),
                mf(64, 3),
                mf(8, 64),
                mf(64, 8),
            ),
        ),
        ("mesh_vertex_normals", vertex_normals, (mf(64, 10475, 3), i(20908, 3))),
        ("pointpillars_scatter", pillar_scatter, (mf(12000, 64), i(12000, 4))),
    ]

    # ================================================================== tokenizer-free byte models
    def blt_hash_ngrams(byte_ids, tables, primes, vocab=500002, ns=(3, 4)):  # BLT's hash n-gram embeddings: rolling
        out_ = 0  # polynomial hashes over unfolded windows, modulo, table lookups summed
        for n, table, prime in zip(ns, tables, primes, strict=True):
            x = F.pad(byte_ids, (n - 1, 0))
            windows = x.unfold(-1, n, 1)
            powers = prime ** torch.arange(n, device=byte_ids.device, dtype=torch.int64)
            h = torch.remainder((windows * powers).sum(-1), vocab)
            out_ = out_ + F.embedding(h, table)
        return out_

    def canine_hash_embed(codepoints, tables, primes, buckets=16384):  # CANINE's multi-hash character embeddings
        embs = [F.embedding(((codepoints + 1) * primes[j]) % buckets, tables[j]) for j in range(len(tables))]
        return torch.cat(embs, dim=-1)

    # BLT's 3- and 4-gram hash embeddings (500002 rows, 1024-d) over 8 x 4096 bytes; CANINE-C's 8 hash embeddings
    # (16384 x 96) over 32 x 2048 code points
    out += [
        (
            "blt_hash_ngram_embeddings",
            lambda b, t1, t2: blt_hash_ngrams(b, (t1, t2), (1000000007, 5915587277)),
            (i(8, 4096), m(500002, 1024), m(500002, 1024)),
        ),
        (
            "canine_hash_embeddings",
            lambda c, *t: canine_hash_embed(c, t, (31, 43, 59, 61, 73, 97, 103, 113)),
            (i(32, 2048), *(mf(16384, 96) for _ in range(8))),
        ),
    ]

    # ================================================================== unusual architectures
    def kan_b_splines(x, grid, spline_order=3):  # efficient-kan's KANLinear.b_splines (Cox-de Boor recursion) and its
        x = x.unsqueeze(-1)  # spline and base outputs
        bases = ((x >= grid[:, :-1]) & (x < grid[:, 1:])).to(x.dtype)
        for k in range(1, spline_order + 1):
            bases = ((x - grid[:, : -(k + 1)]) / (grid[:, k:-1] - grid[:, : -(k + 1)]) * bases[:, :, :-1]) + (
                (grid[:, k + 1 :] - x) / (grid[:, k + 1 :] - grid[:, 1:(-k)]) * bases[:, :, 1:]
            )
        return bases.contiguous()

    def kan_linear(x, grid, base_w, spline_w):
        return linear(F.silu(x), base_w) + linear(kan_b_splines(x, grid).view(x.size(0), -1), spline_w)

    def capsule_routing(u_hat, iters=3):  # dynamic routing between capsules (Sabour et al.)
        b = torch.zeros(u_hat.shape[:3], device=u_hat.device, dtype=u_hat.dtype)
        for it in range(iters):
            c = F.softmax(b, dim=2)
            s = (c.unsqueeze(-1) * u_hat).sum(dim=1, keepdim=True)
            sq = (s**2).sum(-1, keepdim=True)
            v = sq / (1 + sq) * s / torch.sqrt(sq + 1e-8)
            if it < iters - 1:
                b = b + (u_hat * v).sum(-1)
        return v.squeeze(1)

    def hopfield_retrieve(xi, X, beta=8.0):  # a modern Hopfield network's update (Ramsauer et al.)
        return torch.softmax(beta * xi @ X.t(), dim=-1) @ X

    def poincare_distance(u, v, eps=1e-5):  # Poincare embeddings' distance (Nickel & Kiela)
        sq_u = torch.clamp(torch.sum(u * u, dim=-1), 0, 1 - eps)
        sq_v = torch.clamp(torch.sum(v * v, dim=-1), 0, 1 - eps)
        sq_dist = torch.sum(torch.pow(u - v, 2), dim=-1)
        x = sq_dist / ((1 - sq_u) * (1 - sq_v)) * 2 + 1
        z = torch.sqrt(torch.pow(x, 2) - 1)
        return torch.log(x + z)

    def slot_attention(inputs, slots, wq, wk, wv, iters=3, eps=1e-8):  # Slot Attention's iterations (GRU left out)
        inputs = F.layer_norm(inputs, (inputs.shape[-1],))
        k, v = linear(inputs, wk), linear(inputs, wv)
        for _ in range(iters):
            q = linear(F.layer_norm(slots, (slots.shape[-1],)), wq)
            dots = torch.einsum("bid,bjd->bij", q, k) * q.shape[-1] ** -0.5
            attn = dots.softmax(dim=1) + eps
            attn = attn / attn.sum(dim=-1, keepdim=True)
            slots = slots + torch.einsum("bjd,bij->bid", v, attn)
        return slots

    def lif_steps(cur, beta=0.95, threshold=1.0, steps=3):  # snnTorch's Leaky neuron over its first time steps
        mem = torch.zeros_like(cur[0])
        spikes = []
        for t in range(steps):
            reset = (mem - threshold > 0).to(mem.dtype)
            mem = beta * mem + cur[t] - reset * threshold
            spikes.append((mem - threshold > 0).to(mem.dtype))
        return torch.stack(spikes), mem

    # efficient-kan's layer (grid 5, order 3) from 784 to 64 at 4096; CapsNet's routing of 1152 primary capsules to
    # 10 x 16-d at 128; a Hopfield lookup of 4096 queries into 65536 stored 512-d patterns; Poincare distances of
    # 65536 pairs x 50 negatives (10-d); Slot Attention on CLEVR (7 slots, 64 x 64 = 4096 inputs, 64-d) at 64; a LIF
    # layer's first three steps over 25 x 128 x 1000 currents
    out += [
        ("kan_linear", kan_linear, (mf(4096, 784), mf(784, 12), mf(64, 784), mf(64, 784 * 8))),
        ("capsule_dynamic_routing", capsule_routing, (mf(128, 1152, 10, 16),)),
        ("hopfield_retrieve", hopfield_retrieve, (mf(4096, 512), mf(65536, 512))),
        ("poincare_distance", poincare_distance, (mf(65536, 1, 10), mf(65536, 51, 10))),
        ("slot_attention_iters", slot_attention, (mf(64, 4096, 64), mf(64, 7, 64), mf(64, 64), mf(64, 64), mf(64, 64))),
        ("snntorch_leaky_steps", lif_steps, (mf(25, 128, 1000),)),
    ]

    # ================================================================== anomaly detection and knowledge graphs
    def padim_mahalanobis(embedding, mean, cov_inv):  # PaDiM's per-patch Mahalanobis distance by einsum
        b, c, h, w = embedding.shape
        delta = (embedding.reshape(b, c, h * w) - mean).permute(2, 0, 1)
        dist = torch.sqrt(torch.einsum("pbc,pcd,pbd->pb", delta, cov_inv, delta).clamp(min=0))
        return dist.permute(1, 0).reshape(b, h, w)

    def patchcore_score(features, memory_bank, k=9):  # PatchCore's nearest-neighbour patch scores
        dist = torch.cdist(features, memory_bank)
        patch_scores, _ = dist.topk(k, dim=-1, largest=False)
        return patch_scores[:, 0]

    def rotate_score(head, rel_phase, tail_all, gamma=12.0):  # RotatE's 1-N scoring against every entity
        re_h, im_h = head.chunk(2, dim=-1)
        re_r, im_r = torch.cos(rel_phase), torch.sin(rel_phase)
        re_s = (re_h * re_r - im_h * im_r).unsqueeze(1)
        im_s = (re_h * im_r + im_h * re_r).unsqueeze(1)
        re_t, im_t = tail_all.chunk(2, dim=-1)
        score = torch.stack([re_s - re_t.unsqueeze(0), im_s - im_t.unsqueeze(0)], dim=0).norm(dim=0)
        return gamma - score.sum(dim=2)

    def complex_1n(head, rel, ent):  # ComplEx's 1-N scores by two products
        re_h, im_h = head.chunk(2, dim=-1)
        re_r, im_r = rel.chunk(2, dim=-1)
        re_e, im_e = ent.chunk(2, dim=-1)
        return (re_h * re_r - im_h * im_r) @ re_e.t() + (re_h * im_r + im_h * re_r) @ im_e.t()

    # PaDiM (WideResNet-50, 550 channels) on 32 MVTec images at 56 x 56; PatchCore's 784 patches of 8 images against a
    # 16384-patch coreset (1024-d); RotatE on FB15k-237 (14541 entities, 500-d complex) for 16 queries; ComplEx's 1-N
    # scores of 1000 queries (1000-d complex)
    out += [
        ("padim_mahalanobis", padim_mahalanobis, (mf(32, 550, 56, 56), mf(550, 3136), mf(3136, 550, 550))),
        ("patchcore_knn_score", patchcore_score, (mf(6272, 1024), mf(16384, 1024))),
        ("rotate_1n_score", rotate_score, (mf(16, 1000), mf(16, 500), mf(14541, 1000))),
        ("complex_1n_score", complex_1n, (mf(1000, 2000), mf(1000, 2000), mf(14541, 2000))),
    ]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK29, _check29()),))
