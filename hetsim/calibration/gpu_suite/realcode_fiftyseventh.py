"""The aten sweep's twenty-eighth blind real-code group: `realcode-check28`, LLM serving internals, KV-cache
compression, state-space and linear-attention models in plain torch, diffusion transformers, video transformers, 3-D
vision, image restoration, optical flow and stereo, optimizers' internals, graph networks, audio, mixture-of-experts
routing, evaluation metrics, classic machine learning in torch and other well-known reference code.

Each case is one op or a short idiom as the models' and libraries' public reference code writes it, at real widths,
batches, sequence lengths, vocabularies, image sizes and dtypes (fp32 where samplers, optimizers and the reference
training runs keep it, bf16 and fp16 for half-precision inference and AMP, float64 where a diffusion sampler keeps its
tables, int64 token ids, indices and edge lists, int8 weights, uint8 GGUF blocks, bool masks, float8_e4m3fn outputs):
LLM serving internals (vLLM's fp32 sampler: temperature over Qwen2.5-7B's 152064-token vocabulary at 256 sequences,
min-p, the presence / frequency / repetition penalties from bin counts by scatter_add_ over Llama-3's 128256 tokens,
sort-based top-k / top-p with the inverse permutation by scatter_, the exponential-race draw, log-probs with ranks and
top-20; its rejection sampler for EAGLE-style drafts on Llama-3-8B and a Qwen2.5-0.5B draft for Qwen2.5-7B, the
recovered residual distribution; Medusa-1's candidate tree on Vicuna-7B; SGLang's torch top-k / top-p / min-p sampler
with its multinomial draw and token gather, transformers' typical warper over Gemma's 256000 tokens, Whisper
large-v3's suppressed tokens by isin and where, the repetition penalty by gather and scatter); KV-cache compression
(H2O's heavy hitters plus the recent window by topk, sort and gathers, SnapKV's observation-window scores with the
window's causal mask, votes pooled by avg_pool1d and the kept keys gathered over a 16384-token prompt, StreamingLLM's
re-rotation of cached keys, KIVI's 2-bit per-channel key quantisation packed into int32 by shifts); vLLM's reference
paged-attention gather through block tables, DeepSeek-V3's absorbed MLA decode by einsums over the latent and rope
caches, vLLM's punica shrink for 16 LoRAs; gpt-oss-20b's sink softmax at decode and prefill and its experts' dense
path (bmm, interleaved clamped SwiGLU), the DIFF Transformer's differential attention, Qwen2-VL's M-RoPE and patch
merger, a packed-sequence document mask, Gemma-2's attention soft-capping; quantisation in plain torch (ComfyUI-GGUF's
Q4_0 dequantisation through a float16 view of uint8 blocks and nibble shifts, DeepGEMM's 128 x 128 per-block fp8 cast,
HQQ's half-quadratic proximal step, torchao's int8 dynamic-activation linear by torch._int_mm, MXFP4 fake quantisation
by log2 / exp2 and a bucketized E2M1 grid); state-space and linear-attention models in plain torch (Mamba-2.8B's step
without its fused kernels: the rolled conv state, einsum discretisation and state update; RWKV-6's token shift and
data-dependent lerp by a 5-way LoRA with its decay LoRA; RetNet's decay mask by masked_fill, exp and nan_to_num and
its parallel retention; DeltaNet's delta-rule recurrence; xLSTM's stabilised parallel mLSTM with logsigmoid gates,
cumulative sums, where and maximum); diffusion transformers (DiT-XL/2's timestep embedder, adaLN modulation, gated
residual and CFG combine; PixArt-alpha's adaLN-single; Flux.1-dev's latent image ids, modulation and modulate;
SD3-medium's joint-attention concat and split and SD3.5's q / k RMSNorm; Latte's spatial-to-temporal reshape; EDM's
preconditioning; guided-diffusion's p_mean_variance with float64 tables gathered by timestep; SDXL's VAE latent
draw); video transformers (TimeSformer's divided space-time reshapes with the per-frame class tokens, Video Swin's 3-D
cyclic shift and window partition, RIFE's backward warp by grid_sample with border padding at 1080p); 3-D vision
(PointNet++'s ball query by square distances, masked_fill, sort and where and its grouping by batch-indexed gathers,
DGCNN's kNN by topk and its edge features by a flat gather, nerf-pytorch's hierarchical sampling by cumsum,
searchsorted and gathers from expanded CDFs, 3D Gaussian Splatting's covariances from quaternions and scales over 3M
Gaussians, SMPL's Rodrigues rotations, blend shapes and linear blend skinning); image restoration, optical flow and
stereo (Restormer's transposed channel attention, NAFNet's LayerNorm2d, GMFlow's global correlation softmax, ARFlow's
census loss by an identity-kernel conv, GwcNet's group-wise correlation volume, Monodepth2's backprojection and
projection into a sampling grid); optimizers' internals (torch.optim's foreach AdamW over a Llama-3.2-1B layer's fp32
masters, SGD with momentum over a ResNet-50 bottleneck, Adagrad over DLRM's MLPs, clip_grad_value_ by
_foreach_clamp_min_ / _foreach_clamp_max_, Adafactor's factored second moments on T5-v1.1-XXL's wo, Sophia-G's
clipped update, SOAP's rotation by tensordot and its QR refresh, Adam-mini's per-head moments); graph networks in
PyG's style (GCN's normalisation and propagation by scatter_add_ over ogbn-arxiv, GATv2's per-target softmax by
scatter_reduce amax on PubMed, SAGEConv's max aggregation over a Reddit hop, PNA's mean / min / max / std aggregators
with degree scalers, global mean and max pools, a GAE link predictor's dot-product decoder and BCE, Laplacian
eigenvector encodings by a batched eigh); audio (HiFi-GAN's mel features by reflect padding, an uncentred stft, the
magnitude, mel product and log clamp, MFCCs from top-dB-clamped dB mels by a DCT product, SI-SDR with two-speaker
permutation-invariant training on wsj0-2mix, DAC's factorised L2-normalised code lookup); mixture-of-experts routing
(expert-choice routing by topk over tokens and its index_add_ combine, Soft MoE's dispatch and combine softmaxes and
slot einsum, DeepSpeed's dense dispatch einsum, Qwen1.5-MoE's router with its shared-expert gate); evaluation metrics
(AUROC by argsort, cumsum and trapezoid over 1M predictions, AudioSet-style mAP, COCO-5k retrieval recall@K, ADE20K's
confusion matrix by scatter_add_ and mIoU); classic machine learning in torch (a k-means Lloyd step by index_add_,
torch.pca_lowrank, RBF, Matern-5/2 and periodic GP kernels, a t-SNE gradient, DINO's weighted kNN classifier).
Data-dependent steps of the reference code are written without data-dependent shapes: boolean-mask reads and writes
(H2O's kept keys, PointNet++'s ball query, vLLM's penalty mask) as gathers, masked_fill and where, loops cut to their
first steps (the delta rule) or to three disparities (GwcNet), AdamW's bias corrections kept in Python. Griffin-Lim
(torch.istft checks its window's envelope on the host) and torch.linalg.lstsq (no static output shape on the meta
device) are left out.
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK28 = "realcode-check28"


def _check28():
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

    linear, rms, _ = _layer_makers(1e-6)

    mh, mf, mb, _ = _dtype_makers()

    def md(*shape):  # float64 (a sampler's tables kept in double)
        return m(*shape, dt=torch.float64)

    def mu8(*shape):
        return m(*shape, dt=torch.uint8)

    def sc(dt=torch.float32):  # a 0-dim tensor (a learned scalar, a sampler's sigma)
        return torch.empty((), dtype=dt, device="meta")

    def many(maker, shapes):  # one tensor of each shape (a list argument of the reference code)
        return tuple(maker(*s) for s in shapes)

    out = []

    # ================================================================== LLM serving internals
    # ------------------------------------------------------------------ vLLM's sampler
    def vllm_temperature(logits, temperatures):  # Sampler: logits.div_(temperatures.unsqueeze(dim=1))
        return logits.div_(temperatures.unsqueeze(dim=1))

    def vllm_min_p(logits, min_p):  # Sampler._apply_min_p
        probs = torch.softmax(logits, dim=-1)
        top_probs, _ = probs.max(dim=-1, keepdim=True)
        scaled_min_p = min_p.unsqueeze(dim=1) * top_probs
        tokens_to_remove = probs < scaled_min_p
        return logits.masked_fill_(tokens_to_remove, -float("inf"))

    def vllm_bin_counts(tokens, vocab_size, num_seqs):  # _get_bin_counts_and_mask
        bin_counts = torch.zeros((num_seqs, vocab_size + 1), dtype=torch.long, device=tokens.device)
        bin_counts.scatter_add_(1, tokens, torch.ones_like(tokens))
        bin_counts = bin_counts[:, :vocab_size]
        return bin_counts, bin_counts > 0

    def vllm_penalties(logits, prompt_tokens, output_tokens, presence, frequency, repetition):  # apply_penalties
        num_seqs, vocab_size = logits.shape
        _, prompt_mask = vllm_bin_counts(prompt_tokens, vocab_size, num_seqs)
        output_bin_counts, output_mask = vllm_bin_counts(output_tokens, vocab_size, num_seqs)
        repetition_penalties = repetition.unsqueeze(dim=1).repeat(1, vocab_size)
        repetition_penalties = repetition_penalties.masked_fill(~(prompt_mask | output_mask), 1.0)
        logits = torch.where(logits > 0, logits / repetition_penalties, logits * repetition_penalties)
        logits -= frequency.unsqueeze(dim=1) * output_bin_counts
        logits -= presence.unsqueeze(dim=1) * output_mask
        return logits

    def vllm_top_k_top_p(logits, p, k):  # Sampler._apply_top_k_top_p: sort once, mask, invert the permutation
        logits_sort, logits_idx = logits.sort(dim=-1, descending=False)
        top_k_mask = logits_sort.size(1) - k.to(torch.long)
        top_k_mask = logits_sort.gather(1, top_k_mask.unsqueeze(dim=1))
        top_k_mask = logits_sort < top_k_mask
        logits_sort.masked_fill_(top_k_mask, -float("inf"))
        probs_sort = logits_sort.softmax(dim=-1)
        probs_sum = probs_sort.cumsum(dim=-1)
        top_p_mask = probs_sum <= 1 - p.unsqueeze(dim=1)
        top_p_mask[:, -1] = False
        logits_sort.masked_fill_(top_p_mask, -float("inf"))
        src = torch.arange(logits_idx.shape[-1], device=logits_idx.device).expand_as(logits_idx)
        logits_idx_inv = torch.empty_like(logits_idx).scatter_(dim=-1, index=logits_idx, src=src)
        return torch.gather(logits_sort, dim=-1, index=logits_idx_inv)

    def vllm_exponential_sample(probs):  # _multinomial: the exponential race, probs / Exp(1), argmax
        q = torch.empty_like(probs).exponential_(1.0)
        return probs.div_(q).argmax(dim=1).view(-1)

    def vllm_logprobs(logits, next_token_ids, num_logprobs=20):  # _get_logprobs: chosen log-prob, its rank, top-20
        logprobs = torch.log_softmax(logits, dim=-1, dtype=torch.float)
        selected = logprobs[torch.arange(logprobs.shape[0], device=logprobs.device), next_token_ids]
        ranks = (logprobs > selected[:, None]).long().sum(1).add_(1)
        top_logprobs, top_token_ids = torch.topk(logprobs, num_logprobs, dim=-1)
        return selected, ranks, top_logprobs, top_token_ids

    # vLLM's sampler in fp32: temperature over Qwen2.5-7B's 152064-token vocabulary at 256 sequences, min-p at 128,
    # the penalties over Llama-3's 128256 tokens (2048-token prompts, 512 output tokens) at 64, top-k / top-p at 32,
    # the exponential race at 256, the log-probs with ranks and top-20 at 64
    out += [("vllm_temperature", vllm_temperature, (mf(256, 152064), mf(256))),
            ("vllm_min_p", vllm_min_p, (mf(128, 152064), mf(128))),
            ("vllm_penalties", vllm_penalties, (mf(64, 128256), i(64, 2048), i(64, 512), mf(64), mf(64), mf(64))),
            ("vllm_top_k_top_p", vllm_top_k_top_p, (mf(32, 152064), mf(32), i(32))),
            ("vllm_exponential_sample", vllm_exponential_sample, (mf(256, 128256),)),
            ("vllm_logprobs_ranks", vllm_logprobs, (mf(64, 128256), i(64)))]

    # ------------------------------------------------------------------ speculative decoding
    def vllm_rejection_accept(target_probs, draft_probs, draft_token_ids):  # RejectionSampler._batch_modified_
        batch_size, k, _ = draft_probs.shape  # rejection_sampling: the accepted mask
        batch_indices = torch.arange(batch_size, device=target_probs.device)[:, None]
        probs_indicies = torch.arange(k, device=target_probs.device)
        selected_draft_probs = draft_probs[batch_indices, probs_indicies, draft_token_ids]
        selected_target_probs = target_probs[batch_indices, probs_indicies, draft_token_ids]
        uniform_rand = torch.rand_like(selected_target_probs)
        capped_ratio = torch.minimum(selected_target_probs / selected_draft_probs,
                                     torch.full((1,), 1, device=target_probs.device))
        return uniform_rand < capped_ratio

    def vllm_recovered_probs(target_probs, draft_probs):  # _get_recovered_probs: the normalised positive residual
        difference = target_probs - draft_probs
        f = torch.clamp(difference, min=torch.finfo(difference.dtype).tiny)
        return f / f.sum(dim=-1).unsqueeze(-1)

    def medusa_candidates(medusa_logits, logits, tree_indices, retrieve_indices, topk=10):  # Medusa's
        candidates_logit = torch.argmax(logits[:, -1]).unsqueeze(0)  # generate_candidates
        candidates_medusa_logits = torch.topk(medusa_logits[:, 0, -1], topk, dim=-1).indices
        candidates = torch.cat([candidates_logit, candidates_medusa_logits.view(-1)], dim=-1)
        tree_candidates = candidates[tree_indices]
        tree_candidates_ext = torch.cat([tree_candidates, torch.zeros((1), dtype=torch.long,
                                                                      device=tree_candidates.device)], dim=0)
        return tree_candidates_ext[retrieve_indices], tree_candidates.unsqueeze(0)

    # EAGLE-style speculation on Llama-3-8B (5 draft tokens, 128256) at 16 and a Qwen2.5-0.5B draft for Qwen2.5-7B
    # (4 tokens, 151936) at 32 in fp32, the recovered tokens' exponential race over 16 x 5 rows; Medusa-1 on
    # Vicuna-7B (4 heads, top-10, its 64-node tree and 42 paths of 5) after a 1024-token prompt in fp16
    out += [("vllm_rejection_accept", vllm_rejection_accept, (mf(16, 5, 128256), mf(16, 5, 128256), i(16, 5))),
            ("vllm_recovered_probs", vllm_recovered_probs, (mf(16, 5, 128256), mf(16, 5, 128256))),
            ("vllm_rejection_accept", vllm_rejection_accept, (mf(32, 4, 151936), mf(32, 4, 151936), i(32, 4))),
            ("vllm_recovered_probs", vllm_recovered_probs, (mf(32, 4, 151936), mf(32, 4, 151936))),
            ("vllm_exponential_sample", vllm_exponential_sample, (mf(80, 128256),)),
            ("medusa_generate_candidates", medusa_candidates, (mh(4, 1, 1024, 32000), mh(1, 1024, 32000), i(64),
                                                               i(42, 5)))]

    # ------------------------------------------------------------------ logits processors
    def sglang_top_k_top_p_min_p(probs, top_ks, top_ps, min_ps):  # SGLang's top_k_top_p_min_p_sampling_from_probs_
        probs_sort, probs_idx = probs.sort(dim=-1, descending=True)  # torch (before its multinomial draw)
        probs_sum = torch.cumsum(probs_sort, dim=-1)
        min_p_thresholds = probs_sort[:, 0] * min_ps
        probs_sort = probs_sort.masked_fill((probs_sum - probs_sort) > top_ps.view(-1, 1), 0.0)
        probs_sort = probs_sort.masked_fill(
            torch.arange(0, probs.shape[-1], device=probs.device).view(1, -1) >= top_ks.view(-1, 1), 0.0)
        probs_sort = probs_sort.masked_fill(probs_sort < min_p_thresholds.view(-1, 1), 0.0)
        probs_sort.div_(probs_sort.max(dim=-1, keepdim=True)[0])
        return probs_sort, probs_idx

    def hf_typical(scores, mass=0.9):  # transformers' TypicalLogitsWarper
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
        sorted_indices_to_remove[..., :1] = 0
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        return scores.masked_fill(indices_to_remove, -float("inf"))

    def hf_token_mask_where(scores, token_ids):  # SuppressTokens / MinLength processors: isin over the vocabulary
        vocab_tensor = torch.arange(scores.shape[-1], device=scores.device)
        suppress_token_mask = torch.isin(vocab_tensor, token_ids)
        return torch.where(suppress_token_mask, -float("inf"), scores)

    def hf_repetition_penalty(input_ids, scores, penalty=1.2):  # RepetitionPenaltyLogitsProcessor
        score = torch.gather(scores, 1, input_ids)
        score = torch.where(score < 0, score * penalty, score / penalty)
        return scores.scatter(1, input_ids, score)

    # SGLang's torch sampler over Qwen2.5's 152064 at 64, its multinomial draw and the token gather; the typical
    # warper over Gemma's 256000 at 8; Whisper large-v3's 88 suppressed tokens over 5 beams x 16; the repetition
    # penalty over 4 x 8192-token Qwen2.5 prompts
    out += [("sglang_top_k_top_p_min_p", sglang_top_k_top_p_min_p, (mf(64, 152064), i(64), mf(64), mf(64))),
            ("multinomial", lambda p: torch.multinomial(p, num_samples=1), (mf(64, 152064),)),
            ("sglang_sampled_index_gather", lambda idx, s: torch.gather(idx, dim=1, index=s).view(-1),
             (i(64, 152064), i(64, 1))),
            ("hf_typical_warper", hf_typical, (mf(8, 256000),)),
            ("hf_suppress_tokens_whisper", hf_token_mask_where, (mf(80, 51866), i(88))),
            ("hf_repetition_penalty", hf_repetition_penalty, (i(4, 8192), mf(4, 152064)))]

    # ------------------------------------------------------------------ KV-cache compression
    def h2o_evict(hh_score, k, v, hh_size=400, recent_size=400):  # H2OKVCache_LayerWise.__call__: heavy hitters
        seq_len = k.size(2)  # by topk plus the recent window, gathered (its boolean-mask read as a gather)
        select_hh_scores = hh_score[:, :seq_len - recent_size]
        _, keep_topk = torch.topk(select_hh_scores, hh_size, dim=-1)
        keep_topk = keep_topk.sort().values
        keep_recent = torch.arange(seq_len - recent_size, seq_len, device=keep_topk.device).repeat(
            keep_topk.shape[0], 1)
        keep_idx = torch.cat([keep_topk, keep_recent], dim=-1)
        idx = keep_idx[None, :, :, None].expand(k.shape[0], -1, -1, k.shape[-1])
        return k.gather(2, idx), v.gather(2, idx)

    def snapkv_update(query_states, key_states, value_states, window_size=32, max_capacity_prompt=2048,
                      kernel_size=7):  # SnapKV's SnapKVCluster.update_kv (observation window, pooled votes, gather)
        bsz, num_heads, q_len, head_dim = query_states.shape
        attn_weights = torch.matmul(query_states[..., -window_size:, :], key_states.transpose(2, 3)) / math.sqrt(
            head_dim)
        mask = torch.full((window_size, window_size), torch.finfo(attn_weights.dtype).min, device=attn_weights.device)
        mask_cond = torch.arange(mask.size(-1), device=attn_weights.device)
        mask.masked_fill_(mask_cond < (mask_cond + 1).view(mask.size(-1), 1), 0)
        attention_mask = mask[None, None, :, :]
        attn_weights[:, :, -window_size:, -window_size:] += attention_mask
        attn_weights = F.softmax(attn_weights, dim=-1, dtype=torch.float32).to(query_states.dtype)
        attn_weights_sum = attn_weights[:, :, -window_size:, : -window_size].sum(dim=-2)
        attn_cache = F.avg_pool1d(attn_weights_sum, kernel_size=kernel_size, padding=kernel_size // 2, stride=1)
        indices = attn_cache.topk(max_capacity_prompt - window_size, dim=-1).indices
        indices = indices.unsqueeze(-1).expand(-1, -1, -1, head_dim)
        k_past_compress = key_states[:, :, :-window_size, :].gather(dim=2, index=indices)
        v_past_compress = value_states[:, :, :-window_size, :].gather(dim=2, index=indices)
        k_cur = key_states[:, :, -window_size:, :]
        v_cur = value_states[:, :, -window_size:, :]
        return torch.cat([k_past_compress, k_cur], dim=2), torch.cat([v_past_compress, v_cur], dim=2)

    def streaming_llm_rerotate(key_states, cos, sin, key_position_ids):  # StreamingLLM: keys rotated at their cache
        cos = cos[key_position_ids].unsqueeze(1)
        sin = sin[key_position_ids].unsqueeze(1)
        return (key_states * cos) + (rotate_half(key_states) * sin)  # positions (apply_rotary_pos_emb_single)

    def kivi_key_quant(x, group_size=32, bits=2):  # KIVI's asymmetric per-channel key quantisation (groups of 32
        shape = x.shape  # tokens), 16 two-bit codes packed per int32 by shifts
        g = x.view(shape[0], shape[1], shape[2] // group_size, group_size, shape[3]).transpose(-1, -2)
        mn = g.amin(dim=-1, keepdim=True)
        mx = g.amax(dim=-1, keepdim=True)
        scale = (mx - mn) / (2 ** bits - 1)
        q = ((g - mn) / scale).clamp_(0, 2 ** bits - 1).round_().to(torch.int32)
        feat_per_int = 32 // bits
        q = q.view(*q.shape[:-1], group_size // feat_per_int, feat_per_int)
        shifts = torch.arange(0, 32, bits, device=x.device, dtype=torch.int32)
        return (q << shifts).sum(-1, dtype=torch.int32), scale, mn

    # H2O on Llama-2-7B (32 heads, 400 heavy + 400 recent of a 4001-token cache) at batch 1; SnapKV on LWM-Text-Chat
    # (Llama-2-7B, 32 heads) over a 16384-token prompt (window 32, 2048 kept, avg-pool 7); StreamingLLM's re-rotation
    # of 8 x 2048 cached keys; KIVI-2's keys of Llama-3-8B's cache (8 KV heads) at 16 x 4096, all in fp16
    out += [("h2o_evict", h2o_evict, (mh(32, 4001), mh(1, 32, 4001, 128), mh(1, 32, 4001, 128))),
            ("snapkv_update", snapkv_update, (mh(1, 32, 16384, 128), mh(1, 32, 16384, 128), mh(1, 32, 16384, 128))),
            ("streaming_llm_rerotate", streaming_llm_rerotate, (mh(8, 32, 2048, 128), mh(4096, 128), mh(4096, 128),
                                                                i(8, 2048))),
            ("kivi_key_quant", kivi_key_quant, (mh(16, 8, 4096, 128),))]

    # ------------------------------------------------------------------ paged and latent attention, multi-LoRA
    def paged_kv_gather(key_cache, value_cache, block_tables, ctx_len=4000):  # vLLM's ref_paged_attn: blocks by table
        num_blocks, block_size, num_kv_heads, head_size = key_cache.shape
        k = key_cache[block_tables].view(block_tables.shape[0], -1, num_kv_heads, head_size)[:, :ctx_len]
        v = value_cache[block_tables].view(block_tables.shape[0], -1, num_kv_heads, head_size)[:, :ctx_len]
        return k, v

    def mla_absorbed_decode(q_nope, q_pe, kv_cache, pe_cache, wkv_b, softmax_scale=0.1352, nope=128, v_dim=128):
        # DeepSeek-V3's MLA in "absorb" mode at one decode step (model.py): W_UK folded into q, scores over the
        # latent cache and the rope cache, W_UV applied after
        wkv_b = wkv_b.view(q_nope.shape[2], -1, kv_cache.shape[-1])
        q_nope = torch.einsum("bshd,hdc->bshc", q_nope, wkv_b[:, :nope])
        scores = (torch.einsum("bshc,btc->bsht", q_nope, kv_cache)
                  + torch.einsum("bshr,btr->bsht", q_pe, pe_cache)) * softmax_scale
        scores = scores.softmax(dim=-1, dtype=torch.float32).type_as(q_pe)
        x = torch.einsum("bsht,btc->bshc", scores, kv_cache)
        return torch.einsum("bshc,hdc->bshd", x, wkv_b[:, -v_dim:])

    def bgmv_shrink(inputs, lora_a_weights, output_tensor, lora_indices_tensor, scaling=1.0):  # vLLM's torch_ops
        selected_loras = lora_a_weights[lora_indices_tensor].to(dtype=output_tensor.dtype)
        selected_loras = selected_loras.squeeze(dim=1)
        inputs = inputs.to(dtype=output_tensor.dtype)
        bgmv_out = torch.einsum("bi, boi -> bo", inputs, selected_loras)
        output_tensor[:, :bgmv_out.shape[1]] = scaling * bgmv_out
        return output_tensor

    # vLLM's reference paged attention gather (Llama-3-8B: 16-token blocks, 8 KV heads) for 32 sequences of 4000; MLA
    # absorbed decode of DeepSeek-V3 (16 heads a TP-8 rank, 512-d latent, 64-d rope) at 32 x 4096; vLLM's punica
    # shrink for 16 rank-16 LoRAs of Llama-3-8B's q_proj at 64 decode tokens
    out += [("vllm_paged_kv_gather", paged_kv_gather, (m(8192, 16, 8, 128), m(8192, 16, 8, 128), i(32, 250))),
            ("mla_absorbed_decode_v3", mla_absorbed_decode,
             (m(32, 1, 16, 128), m(32, 1, 16, 64), m(32, 4096, 512), m(32, 4096, 64), m(4096, 512))),
            ("punica_bgmv_shrink", bgmv_shrink, (m(64, 4096), m(16, 1, 16, 4096), mf(64, 16), i(64)))]

    # ------------------------------------------------------------------ newer attention and MLP variants
    def gpt_oss_sink_softmax(attn_weights, sinks):  # transformers' GptOss eager attention: learned sink logits
        sinks = sinks.reshape(1, -1, 1, 1).expand(attn_weights.shape[0], -1, attn_weights.shape[-2], -1)
        combined_logits = torch.cat([attn_weights, sinks], dim=-1)
        combined_logits = combined_logits - combined_logits.max(dim=-1, keepdim=True).values
        probs = F.softmax(combined_logits, dim=-1, dtype=combined_logits.dtype)
        return probs[..., :-1]

    def gpt_oss_experts(hidden_states, gate_up_proj, gate_up_proj_bias, alpha=1.702, limit=7.0):  # GptOssExperts'
        num_experts = gate_up_proj.shape[0]  # dense path: every token through every expert, interleaved clamped
        hidden_states = hidden_states.repeat(num_experts, 1)  # SwiGLU
        hidden_states = hidden_states.view(num_experts, -1, gate_up_proj.shape[1])
        gate_up = torch.bmm(hidden_states, gate_up_proj) + gate_up_proj_bias[..., None, :]
        gate, up = gate_up[..., ::2], gate_up[..., 1::2]
        gate = gate.clamp(min=None, max=limit)
        up = up.clamp(min=-limit, max=limit)
        glu = gate * torch.sigmoid(gate * alpha)
        return (up + 1) * glu

    def diff_attention(q, k, lq1, lk1, lq2, lk2, lambda_init=0.8):  # DIFF Transformer's multihead_diffattn (eager)
        bsz, nh2, tgt_len, head_dim = q.shape
        lambda_1 = torch.exp(torch.sum(lq1 * lk1, dim=-1).float()).type_as(q)
        lambda_2 = torch.exp(torch.sum(lq2 * lk2, dim=-1).float()).type_as(q)
        lambda_full = lambda_1 - lambda_2 + lambda_init
        attn_weights = torch.matmul(q * head_dim ** -0.5, k.transpose(-1, -2))
        attn_mask = torch.triu(torch.zeros([tgt_len, tgt_len]).float().fill_(float("-inf")).type_as(attn_weights), 1)
        attn_weights = torch.nan_to_num(attn_weights)
        attn_weights += attn_mask
        attn_weights = F.softmax(attn_weights, dim=-1, dtype=torch.float32).type_as(attn_weights)
        attn_weights = attn_weights.view(bsz, nh2 // 2, 2, tgt_len, tgt_len)
        return attn_weights[:, :, 0] - lambda_full * attn_weights[:, :, 1]

    def qwen2vl_mrope(q, k, cos, sin, mrope_section=(16, 24, 24)):  # apply_multimodal_rotary_pos_emb
        mrope_section = list(mrope_section) * 2
        cos = torch.cat([m_[i_ % 3] for i_, m_ in enumerate(cos.split(mrope_section, dim=-1))], dim=-1).unsqueeze(1)
        sin = torch.cat([m_[i_ % 3] for i_, m_ in enumerate(sin.split(mrope_section, dim=-1))], dim=-1).unsqueeze(1)
        return (q * cos) + (rotate_half(q) * sin), (k * cos) + (rotate_half(k) * sin)

    def qwen2vl_patch_merger(x, lnw, lnb, w1, b1, w2, b2):  # Qwen2-VL's PatchMerger (2 x 2 patches into one token)
        x = F.layer_norm(x, (x.shape[-1],), lnw, lnb, 1e-6).view(-1, x.shape[-1] * 4)
        return linear(F.gelu(linear(x, w1, b1)), w2, b2)

    # gpt-oss-20b (64 heads, 8 KV heads of 64) sink softmax at 16 x 8192 decode and a 2048-token prefill, its 32
    # experts' dense path (2880 wide) over 64 decode tokens; DIFF Transformer 3B (12 heads of 2 x 128) at 2048;
    # Qwen2-VL-7B's M-RoPE (28 heads, 4 KV heads) over a 4096-token image prompt and its merger over a 1372 x 1372
    # image (9604 patches of 1280)
    out += [("gpt_oss_sink_softmax", gpt_oss_sink_softmax, (m(16, 64, 1, 8192), m(64))),
            ("gpt_oss_sink_softmax", gpt_oss_sink_softmax, (m(1, 64, 2048, 2048), m(64))),
            ("gpt_oss_experts_dense", gpt_oss_experts, (m(64, 2880), m(32, 2880, 5760), m(32, 5760))),
            ("diff_transformer_attention", diff_attention,
             (m(1, 24, 2048, 128), m(1, 24, 2048, 128), m(128), m(128), m(128), m(128))),
            ("qwen2vl_mrope", qwen2vl_mrope, (m(1, 28, 4096, 128), m(1, 4, 4096, 128), m(3, 1, 4096, 128),
                                              m(3, 1, 4096, 128))),
            ("qwen2vl_patch_merger", qwen2vl_patch_merger,
             (m(9604, 1280), m(1280), m(1280), m(5120, 5120), m(5120), m(3584, 5120), m(3584)))]

    # ------------------------------------------------------------------ masks and soft-capping
    def document_causal_mask(doc_ids):  # packed sequences: same document and causal (a dense document mask)
        L = doc_ids.shape[-1]
        causal = torch.ones(L, L, dtype=torch.bool, device=doc_ids.device).tril()
        same_doc = doc_ids[:, :, None] == doc_ids[:, None, :]
        return (same_doc & causal)[:, None]

    def gemma2_attn_softcap(attn_weights, causal_mask, softcap=50.0):  # Gemma-2's attention logit soft-capping
        attn_weights = attn_weights / softcap
        attn_weights = torch.tanh(attn_weights)
        attn_weights = attn_weights * softcap
        attn_weights = attn_weights + causal_mask
        return F.softmax(attn_weights, dim=-1, dtype=torch.float32).to(causal_mask.dtype)

    # a document mask over 4 packed 4096-token rows; Gemma-2-9B's soft-capped attention (16 heads) at 4096
    out += [("document_causal_mask", document_causal_mask, (i(4, 4096),)),
            ("gemma2_attn_softcap", gemma2_attn_softcap, (m(1, 16, 4096, 4096), m(1, 1, 4096, 4096)))]

    # ================================================================== quantisation in plain torch
    def gguf_q4_0_dequant(blocks, dtype=torch.bfloat16):  # ComfyUI-GGUF's dequantize_blocks_Q4_0
        n_blocks = blocks.shape[0]
        d, qs = blocks[:, :2], blocks[:, 2:]
        d = d.view(torch.float16).to(dtype)
        qs = qs.reshape((n_blocks, -1, 1, 16)) >> torch.tensor([0, 4], device=d.device, dtype=torch.uint8).reshape(
            (1, 1, 2, 1))
        qs = (qs & 0x0F).reshape((n_blocks, -1)).to(torch.int8) - 8
        return d * qs

    def per_block_fp8(x, block=128):  # DeepGEMM's per_block_cast_to_fp8 (128 x 128 weight blocks)
        m_, n_ = x.shape
        x_view = x.view(m_ // block, block, n_ // block, block)
        x_amax = x_view.abs().float().amax(dim=(1, 3), keepdim=True).clamp(1e-4)
        x_scaled = (x_view * (448.0 / x_amax)).to(torch.float8_e4m3fn)
        return x_scaled.view_as(x), (x_amax / 448.0).view(x_view.size(0), x_view.size(2))

    def hqq_proximal_step(W_f, scale, zero, beta=1e1, lp_norm=0.7, min_max=(0, 15), kappa=1.01):
        # HQQ's optimize_weights_proximal_legacy: one half-quadratic iteration (shrink, zero update)
        W_q = torch.round(W_f * scale + zero).clamp(min_max[0], min_max[1])
        W_r = (W_q - zero) / scale
        x = W_f - W_r
        W_e = torch.sign(x) * F.relu(torch.abs(x) - (1.0 / beta) * torch.pow(torch.abs(x) + 1e-8, lp_norm - 1))
        zero = torch.mean(W_q - (W_f - W_e) * scale, dim=1, keepdim=True)
        return zero, torch.abs(W_f - W_r).mean()

    def int8_dynamic_linear(x, w_int8, w_scale):  # torchao's int8 dynamic-activation, int8-weight linear
        x_scale = x.abs().amax(dim=-1, keepdim=True).float() / 127.0
        xq = torch.round(x / x_scale).clamp(-128, 127).to(torch.int8)
        y = torch._int_mm(xq, w_int8.t())
        return (y.float() * x_scale * w_scale).to(x.dtype)

    def mx_fp4_fake_quant(x, block=32):  # an MXFP4 fake quantiser: a shared power-of-two scale per 32, E2M1 grid
        xb = x.view(-1, block)
        amax = xb.abs().amax(dim=-1, keepdim=True)
        shared_exp = torch.floor(torch.log2(amax.clamp(min=2 ** -127))) - 2
        scale = torch.exp2(shared_exp)
        q = (xb / scale).clamp(-6.0, 6.0)
        grid = torch.tensor([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0], device=x.device, dtype=x.dtype)
        mids = (grid[1:] + grid[:-1]) / 2
        qa = grid[torch.bucketize(q.abs(), mids)] * torch.sign(q)
        return (qa * scale).view_as(x)

    # ComfyUI-GGUF's Q4_0 blocks of a Flux double block's MLP (3072 x 12288); DeepGEMM's 128 x 128 blocks of an
    # 18432 x 7168 DeepSeek-V3 expert weight; HQQ on Llama-2-7B's q_proj (groups of 64, fp16); torchao's int8 dynamic
    # linear of Llama-3-8B's gate (1024 tokens); MXFP4 fake quant of a 4096 x 14336 weight
    out += [("gguf_q4_0_dequant", gguf_q4_0_dequant, (mu8(1179648, 18),)),
            ("deepgemm_per_block_fp8", per_block_fp8, (m(18432, 7168),)),
            ("hqq_proximal_step", hqq_proximal_step, (mh(262144, 64), mh(262144, 1), mh(262144, 1))),
            ("torchao_int8_dynamic_linear", int8_dynamic_linear, (m(1024, 4096), m(14336, 4096, dt=torch.int8),
                                                                  mf(14336))),
            ("mxfp4_fake_quant", mx_fp4_fake_quant, (m(4096, 14336),))]

    # ================================================================== state-space and linear-attention models
    def mamba_step(hidden_states, conv_state, ssm_state, in_w, conv_w, conv_b, xproj_w, dt_w, dt_b, A_log, D, out_w):
        # mamba_ssm's Mamba.step without its fused kernels (causal_conv1d_update and selective_state_update absent)
        dt_rank, d_state = dt_w.shape[1], A_log.shape[1]
        dtype = hidden_states.dtype
        xz = linear(hidden_states.squeeze(1), in_w)
        x, z = xz.chunk(2, dim=-1)
        conv_state.copy_(torch.roll(conv_state, shifts=-1, dims=-1))
        conv_state[:, :, -1] = x
        x = torch.sum(conv_state * conv_w.squeeze(1), dim=-1)
        x = x + conv_b
        x = F.silu(x).to(dtype=dtype)
        x_db = linear(x, xproj_w)
        dt, B, C = torch.split(x_db, [dt_rank, d_state, d_state], dim=-1)
        dt = linear(dt, dt_w)
        A = -torch.exp(A_log.float())
        dt = F.softplus(dt + dt_b.to(dtype=dt.dtype))
        dA = torch.exp(torch.einsum("bd,dn->bdn", dt, A))
        dB = torch.einsum("bd,bn->bdn", dt, B)
        ssm_state.copy_(ssm_state * dA + x.unsqueeze(-1) * dB)
        y = torch.einsum("bdn,bn->bd", ssm_state.to(dtype), C)
        y = y + D.to(dtype) * x
        y = y * F.silu(z)
        return linear(y, out_w).unsqueeze(1)

    def mamba_step_inputs(b, d_model, d_inner, dt_rank, d_state=16, d_conv=4):
        return (mf(b, 1, d_model), mf(b, d_inner, d_conv), mf(b, d_inner, d_state), mf(2 * d_inner, d_model),
                mf(d_inner, 1, d_conv), mf(d_inner), mf(dt_rank + 2 * d_state, d_inner), mf(d_inner, dt_rank),
                mf(d_inner), mf(d_inner, d_state), mf(d_inner), mf(d_model, d_inner))

    def rwkv6_ddlerp(x, maa_x, maa_w1, maa_w2, maa_w, maa_k, maa_v, maa_r, maa_g, decay, decay_w1, decay_w2):
        # RWKV-6's RWKV_Tmix_x060.jit_func: token shift, data-dependent lerp by a 5-way LoRA, the decay LoRA
        B, T, C = x.size()
        xx = F.pad(x, (0, 0, 1, -1)) - x
        xxx = x + xx * maa_x
        xxx = torch.tanh(xxx @ maa_w1).view(B * T, 5, -1).transpose(0, 1)
        xxx = torch.bmm(xxx, maa_w2).view(5, B, T, -1)
        mw, mk, mv, mr, mg = xxx.unbind(dim=0)
        xw = x + xx * (maa_w + mw)
        xk = x + xx * (maa_k + mk)
        xv = x + xx * (maa_v + mv)
        xr = x + xx * (maa_r + mr)
        xg = x + xx * (maa_g + mg)
        ww = torch.tanh(xw @ decay_w1) @ decay_w2
        w = decay + ww
        return xr, xk, xv, xg, torch.exp(-torch.exp(w.float()))

    def rwkv6_ddlerp_inputs(b, t, c, mix=32, dec=64):
        return (m(b, t, c), m(1, 1, c), m(c, 5 * mix), m(5, mix, c), m(1, 1, c), m(1, 1, c), m(1, 1, c), m(1, 1, c),
                m(1, 1, c), m(1, 1, c), m(c, dec), m(dec, c))

    def retnet_decay_mask(decay, slen=2048):  # torchscale's RetNetRelPos (parallel): the normalised decay mask
        index = torch.arange(slen).to(decay)
        mask = torch.tril(torch.ones(slen, slen).to(decay))
        mask = torch.masked_fill(index[:, None] - index[None, :], ~mask.bool(), float("inf"))
        mask = torch.exp(mask * decay[:, None, None])
        mask = torch.nan_to_num(mask)
        return mask / mask.sum(dim=-1, keepdim=True).sqrt()

    def retnet_parallel(qr, kr, v, mask):  # MultiScaleRetention.parallel_forward
        qk_mat = qr @ kr.transpose(-1, -2)
        qk_mat = qk_mat * mask
        qk_mat = qk_mat / qk_mat.detach().abs().sum(dim=-1, keepdim=True).clamp(min=1, max=5e4)
        return torch.matmul(qk_mat, v).transpose(1, 2)

    def delta_rule_recurrence(q, k, v, beta, steps=3):  # fla's delta_rule_recurrence: its first steps
        b, h, l_, d_k = q.shape
        d_v = v.shape[-1]
        o = torch.zeros_like(v)
        S = torch.zeros(b, h, d_k, d_v).to(v)
        q = q * (d_k ** -0.5)
        for i_ in range(steps):
            _k = k[:, :, i_]
            _q = q[:, :, i_]
            _v = v[:, :, i_].clone()
            beta_i = beta[:, :, i_]
            _v = _v - (S.clone() * _k[..., None]).sum(-2)
            _v = _v * beta_i[..., None]
            S = S.clone() + _k.unsqueeze(-1) * _v.unsqueeze(-2)
            o[:, :, i_] = torch.einsum("bhd,bhdm->bhm", _q, S)
        return o

    def mlstm_parallel(queries, keys, values, igate_preact, fgate_preact, eps=1e-6):  # xLSTM's
        B, NH, S, DH = queries.shape  # parallel_stabilized_simple
        log_fgates = F.logsigmoid(fgate_preact)
        ltr = torch.tril(torch.ones((S, S), dtype=torch.bool, device=queries.device))
        log_fgates_cumsum = torch.cat([torch.zeros((B, NH, 1, 1), dtype=queries.dtype, device=queries.device),
                                       torch.cumsum(log_fgates, dim=-2)], dim=-2)
        rep_log_fgates_cumsum = log_fgates_cumsum.repeat(1, 1, 1, S + 1)
        _log_fg_matrix = rep_log_fgates_cumsum - rep_log_fgates_cumsum.transpose(-2, -1)
        log_fg_matrix = torch.where(ltr, _log_fg_matrix[:, :, 1:, 1:], -float("inf"))
        log_D_matrix = log_fg_matrix + igate_preact.transpose(-2, -1)
        max_log_D, _ = torch.max(log_D_matrix, dim=-1, keepdim=True)
        D_matrix = torch.exp(log_D_matrix - max_log_D)
        keys_scaled = keys / math.sqrt(DH)
        qk_matrix = queries @ keys_scaled.transpose(-2, -1)
        C_matrix = qk_matrix * D_matrix
        normalizer = torch.maximum(C_matrix.sum(dim=-1, keepdim=True).abs(), torch.exp(-max_log_D))
        return (C_matrix / (normalizer + eps)) @ values

    # Mamba-2.8B's step (2560 -> 5120, 16 states, rank 160) at 64 in fp32; RWKV-6 3B's ddlerp (2560 wide) at 8 x 1024
    # in bf16; RetNet-1.3B (8 heads, 256-d keys, 512-d values) at 4 x 2048; DeltaNet-1.3B (16 heads of 128) at 4 x
    # 2048; xLSTM's mLSTM (4 heads of 512) at 2 x 2048
    out += [("mamba_step_2_8b", mamba_step, mamba_step_inputs(64, 2560, 5120, 160)),
            ("rwkv6_ddlerp", rwkv6_ddlerp, rwkv6_ddlerp_inputs(8, 1024, 2560)),
            ("retnet_decay_mask", retnet_decay_mask, (mf(8),)),
            ("retnet_parallel", retnet_parallel,
             (mf(4, 8, 2048, 256), mf(4, 8, 2048, 256), mf(4, 8, 2048, 512), mf(8, 2048, 2048))),
            ("deltanet_recurrence", delta_rule_recurrence,
             (mf(4, 16, 2048, 128), mf(4, 16, 2048, 128), mf(4, 16, 2048, 128), mf(4, 16, 2048))),
            ("xlstm_mlstm_parallel", mlstm_parallel,
             (mf(2, 4, 2048, 512), mf(2, 4, 2048, 512), mf(2, 4, 2048, 512), mf(2, 4, 2048, 1), mf(2, 4, 2048, 1)))]

    # ================================================================== diffusion transformers
    def timestep_embedding(t, dim=256, max_period=10000):  # DiT's TimestepEmbedder.timestep_embedding
        half = dim // 2
        freqs = torch.exp(-math.log(max_period) * torch.arange(start=0, end=half, dtype=torch.float32,
                                                               device=t.device) / half)
        args = t[:, None].float() * freqs[None]
        return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)

    def dit_t_embedder(t, w1, b1, w2, b2):
        t_freq = timestep_embedding(t)
        return linear(F.silu(linear(t_freq.to(w1.dtype), w1, b1)), w2, b2)

    def dit_block_modulate(x, c, w_ada, b_ada):  # DiTBlock: adaLN_modulation(c).chunk(6), modulate(norm1(x), ...)
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = linear(F.silu(c), w_ada, b_ada).chunk(6,
                                                                                                                 dim=1)
        h = F.layer_norm(x, (x.shape[-1],), eps=1e-6)
        return h * (1 + scale_msa.unsqueeze(1)) + shift_msa.unsqueeze(1), gate_msa

    def dit_gated_residual(x, gate, y):  # x = x + gate_msa.unsqueeze(1) * attn(...)
        return x + gate.unsqueeze(1) * y

    def dit_forward_with_cfg(model_out, cfg_scale=4.0):  # DiT.forward_with_cfg after the model
        eps, rest = model_out[:, :3], model_out[:, 3:]
        cond_eps, uncond_eps = torch.split(eps, len(eps) // 2, dim=0)
        half_eps = uncond_eps + cfg_scale * (cond_eps - uncond_eps)
        eps = torch.cat([half_eps, half_eps], dim=0)
        return torch.cat([eps, rest], dim=1)

    def pixart_block_modulate(x, t, scale_shift_table):  # PixArt's adaLN-single: the table plus the shared t
        B = x.shape[0]
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = (
            scale_shift_table[None] + t.reshape(B, 6, -1)).chunk(6, dim=1)
        h = F.layer_norm(x, (x.shape[-1],), eps=1e-6)
        return h * (1 + scale_msa) + shift_msa, gate_msa

    def flux_img_ids(latents, h=64, w=64):  # Flux's _prepare_latent_image_ids
        latent_image_ids = torch.zeros(h, w, 3, device=latents.device)
        latent_image_ids[..., 1] = latent_image_ids[..., 1] + torch.arange(h, device=latents.device)[:, None]
        latent_image_ids[..., 2] = latent_image_ids[..., 2] + torch.arange(w, device=latents.device)[None, :]
        return latent_image_ids.reshape(h * w, 3).to(dtype=latents.dtype)

    def flux_modulation(vec, w, b):  # Flux's Modulation(double=True): lin(silu(vec))[:, None, :].chunk(6)
        return linear(F.silu(vec), w, b)[:, None, :].chunk(6, dim=-1)

    def flux_modulate(x, shift, scale):  # (1 + scale) * norm(x) + shift (LayerNorm without affine)
        return (1 + scale) * F.layer_norm(x, (x.shape[-1],), eps=1e-6) + shift

    def sd3_joint_concat(q, k, v, cq, ck, cv):  # diffusers' JointAttnProcessor2_0: image and context streams joined
        return torch.cat([q, cq], dim=2), torch.cat([k, ck], dim=2), torch.cat([v, cv], dim=2)

    def sd3_joint_split(hidden_states, n_img=4096):  # ... and split after attention
        b, h, n, d = hidden_states.shape
        hidden_states = hidden_states.transpose(1, 2).reshape(b, -1, h * d)
        return hidden_states[:, :n_img], hidden_states[:, n_img:]

    def latte_spatial_to_temporal(x, frames=16):  # Latte: "(b f) t d -> (b t) f d" between its block types
        bf, t, d = x.shape
        return x.view(bf // frames, frames, t, d).permute(0, 2, 1, 3).reshape(-1, frames, d)

    def edm_precond(x, sigma, F_x, sigma_data=0.5):  # EDM's EDMPrecond around the network
        sigma = sigma.reshape(-1, 1, 1, 1)
        c_skip = sigma_data ** 2 / (sigma ** 2 + sigma_data ** 2)
        c_out = sigma * sigma_data / (sigma ** 2 + sigma_data ** 2).sqrt()
        c_in = 1 / (sigma_data ** 2 + sigma ** 2).sqrt()
        c_noise = sigma.log() / 4
        return (c_in * x), c_noise.flatten(), c_skip * x + c_out * F_x.to(torch.float32)

    def extract_into_tensor(arr, timesteps, broadcast_shape):  # guided-diffusion's _extract_into_tensor
        res = arr[timesteps].float()
        while len(res.shape) < len(broadcast_shape):
            res = res[..., None]
        return res.expand(broadcast_shape)

    def gd_p_mean_variance(x, t, model_output, coef1, coef2, recip, recipm1, log_var_clipped, log_betas):
        # guided-diffusion's p_mean_variance (learned-range variance, epsilon prediction, clipped x_0)
        C = x.shape[1]
        model_output, model_var_values = torch.split(model_output, C, dim=1)
        min_log = extract_into_tensor(log_var_clipped, t, x.shape)
        max_log = extract_into_tensor(log_betas, t, x.shape)
        frac = (model_var_values + 1) / 2
        model_log_variance = frac * max_log + (1 - frac) * min_log
        pred_xstart = (extract_into_tensor(recip, t, x.shape) * x
                       - extract_into_tensor(recipm1, t, x.shape) * model_output).clamp(-1, 1)
        model_mean = extract_into_tensor(coef1, t, x.shape) * pred_xstart + extract_into_tensor(coef2, t, x.shape) * x
        return model_mean, model_log_variance

    def vae_latent_sample(parameters, scaling_factor=0.13025):  # DiagonalGaussianDistribution.sample, scaled
        mean, logvar = torch.chunk(parameters, 2, dim=1)
        logvar = torch.clamp(logvar, -30.0, 20.0)
        std = torch.exp(0.5 * logvar)
        sample = mean + std * torch.randn(mean.shape, device=parameters.device, dtype=parameters.dtype)
        return sample * scaling_factor

    # DiT-XL/2 (1152 wide) at 256 px: its timestep MLP at 256, a block's adaLN modulation and gated residual at 32
    # in fp32; its CFG combine at 512 px over 2 x 8; PixArt-alpha at 1024 px (4096 tokens) over 2 x 2 in fp16;
    # Flux.1-dev at 1024 px: the latent ids, a double block's modulation and modulate in bf16; SD3-medium's joint
    # attention (24 heads of 64, 4096 + 333 tokens) over 2 and SD3.5's q / k RMSNorm; Latte's 16 x 256 tokens at 8;
    # EDM on ImageNet-64 at 64; guided-diffusion's ImageNet-256 sampler at 16; SDXL's VAE latent draw at 8 x 128 x 128
    out += [("dit_timestep_embedder", dit_t_embedder, (i(256), mf(1152, 256), mf(1152), mf(1152, 1152), mf(1152))),
            ("dit_block_modulate", dit_block_modulate, (mf(32, 256, 1152), mf(32, 1152), mf(6912, 1152), mf(6912))),
            ("dit_gated_residual", dit_gated_residual, (mf(32, 256, 1152), mf(32, 1152), mf(32, 256, 1152))),
            ("dit_forward_with_cfg", dit_forward_with_cfg, (mf(16, 8, 64, 64),)),
            ("pixart_block_modulate", pixart_block_modulate, (mh(4, 4096, 1152), mh(4, 6912), mh(6, 1152))),
            ("flux_latent_image_ids", flux_img_ids, (m(1, 4096, 64),)),
            ("flux_modulation", flux_modulation, (m(1, 3072), m(18432, 3072), m(18432))),
            ("flux_modulate", flux_modulate, (m(1, 4096, 3072), m(1, 1, 3072), m(1, 1, 3072))),
            ("sd3_joint_concat", sd3_joint_concat,
             (mh(2, 24, 4096, 64), mh(2, 24, 4096, 64), mh(2, 24, 4096, 64), mh(2, 24, 333, 64), mh(2, 24, 333, 64),
              mh(2, 24, 333, 64))),
            ("sd3_joint_split", sd3_joint_split, (mh(2, 24, 4429, 64),)),
            ("sd35_qk_rmsnorm", lambda x, w: rms(x, w), (mh(2, 24, 4429, 64), mh(64))),
            ("latte_spatial_to_temporal", latte_spatial_to_temporal, (mh(128, 256, 1152),)),
            ("edm_precond", edm_precond, (mf(64, 3, 64, 64), mf(64), mh(64, 3, 64, 64))),
            ("guided_diffusion_p_mean_variance", gd_p_mean_variance,
             (mf(16, 3, 256, 256), i(16), mf(16, 6, 256, 256), md(1000), md(1000), md(1000), md(1000), md(1000),
              md(1000))),
            ("sdxl_vae_latent_sample", vae_latent_sample, (mf(8, 8, 128, 128),))]

    # ================================================================== video transformers
    def timesformer_spatial_in(x, xt, T=8, H=14, W=14):  # TimeSformer's divided attention: the cls token repeated
        B, _, M = xt.shape  # per frame, 'b (h w t) m -> (b t) (h w) m', cat
        init_cls_token = x[:, 0, :].unsqueeze(1)
        cls_token = init_cls_token.repeat(1, T, 1).reshape(B * T, M).unsqueeze(1)
        xs = xt.view(B, H * W, T, M).permute(0, 2, 1, 3).reshape(B * T, H * W, M)
        return torch.cat((cls_token, xs), 1)

    def timesformer_spatial_out(x, xt, res_spatial, T=8, H=14, W=14):  # the frames' cls tokens averaged, tokens back
        B, _, M = xt.shape  # to 'b (h w t) m', both residuals
        init_cls_token = x[:, 0, :].unsqueeze(1)
        cls_token = res_spatial[:, 0, :].reshape(B, T, M)
        cls_token = torch.mean(cls_token, 1, True)
        res_spatial = res_spatial[:, 1:, :].reshape(B, T, H * W, M).permute(0, 2, 1, 3).reshape(B, H * W * T, M)
        return torch.cat((init_cls_token, xt), 1) + torch.cat((cls_token, res_spatial), 1)

    def video_swin_partition(x, window=(8, 7, 7), shift=(4, 3, 3)):  # Video Swin's 3-D cyclic shift and
        B, D, H, W, C = x.shape  # window_partition
        x = torch.roll(x, shifts=(-shift[0], -shift[1], -shift[2]), dims=(1, 2, 3))
        x = x.view(B, D // window[0], window[0], H // window[1], window[1], W // window[2], window[2], C)
        return x.permute(0, 1, 3, 5, 2, 4, 6, 7).contiguous().view(-1, window[0] * window[1] * window[2], C)

    def rife_warp(ten_input, ten_flow):  # RIFE's warp: a backward warp with a normalised flow, border padding
        B, _, H, W = ten_flow.shape
        ten_horizontal = torch.linspace(-1.0, 1.0, W, device=ten_flow.device).view(1, 1, 1, W).expand(B, -1, H, -1)
        ten_vertical = torch.linspace(-1.0, 1.0, H, device=ten_flow.device).view(1, 1, H, 1).expand(B, -1, -1, W)
        grid = torch.cat([ten_horizontal, ten_vertical], 1)
        ten_flow = torch.cat([ten_flow[:, 0:1, :, :] / ((W - 1.0) / 2.0),
                              ten_flow[:, 1:2, :, :] / ((H - 1.0) / 2.0)], 1)
        g = (grid + ten_flow).permute(0, 2, 3, 1)
        return F.grid_sample(input=ten_input, grid=g, mode="bilinear", padding_mode="border", align_corners=True)

    # TimeSformer-base (8 frames of 14 x 14, 768) at 8 in fp16; Video Swin-T on Kinetics (16 x 56 x 56 x 96, window
    # 8 x 7 x 7) at 8 in fp16; RIFE's warps of a frame and of 64 feature maps at 1080p (padded 1088 x 1920)
    out += [("timesformer_spatial_in", timesformer_spatial_in, (mh(8, 1569, 768), mh(8, 1568, 768))),
            ("timesformer_spatial_out", timesformer_spatial_out,
             (mh(8, 1569, 768), mh(8, 1568, 768), mh(64, 197, 768))),
            ("video_swin_partition", video_swin_partition, (mh(8, 16, 56, 56, 96),)),
            ("rife_warp_frame", rife_warp, (mf(1, 3, 1088, 1920), mf(1, 2, 1088, 1920))),
            ("rife_warp_features", rife_warp, (mf(1, 64, 544, 960), mf(1, 2, 544, 960)))]

    # ================================================================== 3-D vision
    # ------------------------------------------------------------------ point clouds
    def square_distance(src, dst):  # PointNet++ (pytorch implementation)'s square_distance
        B, N, _ = src.shape
        _, M, _ = dst.shape
        dist = -2 * torch.matmul(src, dst.permute(0, 2, 1))
        dist += torch.sum(src ** 2, -1).view(B, N, 1)
        dist += torch.sum(dst ** 2, -1).view(B, 1, M)
        return dist

    def index_points(points, idx):  # its index_points: a batch index and the point index
        B = points.shape[0]
        view_shape = list(idx.shape)
        view_shape[1:] = [1] * (len(view_shape) - 1)
        repeat_shape = list(idx.shape)
        repeat_shape[0] = 1
        batch_indices = torch.arange(B, dtype=torch.long, device=points.device).view(view_shape).repeat(repeat_shape)
        return points[batch_indices, idx, :]

    def query_ball_point(xyz, new_xyz, radius=0.2, nsample=32):  # its query_ball_point (boolean-mask writes as
        B, N, C = xyz.shape  # masked_fill and where)
        _, S, _ = new_xyz.shape
        group_idx = torch.arange(N, dtype=torch.long, device=xyz.device).view(1, 1, N).repeat([B, S, 1])
        sqrdists = square_distance(new_xyz, xyz)
        group_idx = group_idx.masked_fill(sqrdists > radius ** 2, N)
        group_idx = group_idx.sort(dim=-1)[0][:, :, :nsample]
        group_first = group_idx[:, :, 0].view(B, S, 1).repeat([1, 1, nsample])
        return torch.where(group_idx == N, group_first, group_idx)

    def pointnet2_group(xyz, points, new_xyz, idx):  # sample_and_group after the ball query
        B, S, _ = new_xyz.shape
        grouped_xyz_norm = index_points(xyz, idx) - new_xyz.view(B, S, 1, 3)
        return torch.cat([grouped_xyz_norm, index_points(points, idx)], dim=-1)

    def dgcnn_knn(x, k=20):  # DGCNN's knn
        inner = -2 * torch.matmul(x.transpose(2, 1), x)
        xx = torch.sum(x ** 2, dim=1, keepdim=True)
        return (-xx - inner - xx.transpose(2, 1)).topk(k=k, dim=-1)[1]

    def dgcnn_graph_feature(x, idx, k=20):  # DGCNN's get_graph_feature (edge features by a flat gather)
        batch_size, num_dims, num_points = x.shape
        idx_base = torch.arange(0, batch_size, device=x.device).view(-1, 1, 1) * num_points
        idx = (idx + idx_base).view(-1)
        x = x.transpose(2, 1).contiguous()
        feature = x.view(batch_size * num_points, -1)[idx, :].view(batch_size, num_points, k, num_dims)
        x = x.view(batch_size, num_points, 1, num_dims).repeat(1, 1, k, 1)
        return torch.cat((feature - x, x), dim=3).permute(0, 3, 1, 2).contiguous()

    # PointNet++ SSG on ModelNet40 at 24 (1024 points, 512 centroids of 32 within 0.2; the second level's 128 of 64
    # with 128 features); DGCNN (k 20) at 32 x 1024 on its 64-d features
    out += [("pointnet2_ball_query", query_ball_point, (mf(24, 1024, 3), mf(24, 512, 3))),
            ("pointnet2_group", pointnet2_group, (mf(24, 512, 3), mf(24, 512, 128), mf(24, 128, 3), i(24, 128, 64))),
            ("dgcnn_knn", dgcnn_knn, (mf(32, 64, 1024),)),
            ("dgcnn_graph_feature", dgcnn_graph_feature, (mf(32, 64, 1024), i(32, 1024, 20)))]

    # ------------------------------------------------------------------ neural rendering, bodies
    def nerf_sample_pdf(bins, weights, u):  # nerf-pytorch's sample_pdf (hierarchical sampling, u drawn outside)
        weights = weights + 1e-5
        pdf = weights / torch.sum(weights, -1, keepdim=True)
        cdf = torch.cumsum(pdf, -1)
        cdf = torch.cat([torch.zeros_like(cdf[..., :1]), cdf], -1)
        u = u.contiguous()
        inds = torch.searchsorted(cdf, u, right=True)
        below = torch.max(torch.zeros_like(inds - 1), inds - 1)
        above = torch.min((cdf.shape[-1] - 1) * torch.ones_like(inds), inds)
        inds_g = torch.stack([below, above], -1)
        matched_shape = [inds_g.shape[0], inds_g.shape[1], cdf.shape[-1]]
        cdf_g = torch.gather(cdf.unsqueeze(1).expand(matched_shape), 2, inds_g)
        bins_g = torch.gather(bins.unsqueeze(1).expand(matched_shape), 2, inds_g)
        denom = (cdf_g[..., 1] - cdf_g[..., 0])
        denom = torch.where(denom < 1e-5, torch.ones_like(denom), denom)
        t = (u - cdf_g[..., 0]) / denom
        return bins_g[..., 0] + t * (bins_g[..., 1] - bins_g[..., 0])

    def gs_build_rotation(r):  # 3D Gaussian Splatting's build_rotation
        norm = torch.sqrt(r[:, 0] * r[:, 0] + r[:, 1] * r[:, 1] + r[:, 2] * r[:, 2] + r[:, 3] * r[:, 3])
        q = r / norm[:, None]
        R = torch.zeros((q.size(0), 3, 3), device=r.device)
        r_, x, y, z = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
        R[:, 0, 0] = 1 - 2 * (y * y + z * z)
        R[:, 0, 1] = 2 * (x * y - r_ * z)
        R[:, 0, 2] = 2 * (x * z + r_ * y)
        R[:, 1, 0] = 2 * (x * y + r_ * z)
        R[:, 1, 1] = 1 - 2 * (x * x + z * z)
        R[:, 1, 2] = 2 * (y * z - r_ * x)
        R[:, 2, 0] = 2 * (x * z - r_ * y)
        R[:, 2, 1] = 2 * (y * z + r_ * x)
        R[:, 2, 2] = 1 - 2 * (x * x + y * y)
        return R

    def gs_covariance(scaling, rotation):  # build_covariance_from_scaling_rotation and strip_symmetric
        s = torch.exp(scaling)
        L = torch.zeros((s.shape[0], 3, 3), dtype=torch.float, device=s.device)
        R = gs_build_rotation(F.normalize(rotation))
        L[:, 0, 0] = s[:, 0]
        L[:, 1, 1] = s[:, 1]
        L[:, 2, 2] = s[:, 2]
        L = R @ L
        cov = L @ L.transpose(1, 2)
        uncertainty = torch.zeros((cov.shape[0], 6), dtype=torch.float, device=cov.device)
        for n_, (a, b) in enumerate(((0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2))):
            uncertainty[:, n_] = cov[:, a, b]
        return uncertainty

    def batch_rodrigues(rot_vecs):  # smplx's batch_rodrigues
        batch_size = rot_vecs.shape[0]
        angle = torch.norm(rot_vecs + 1e-8, dim=1, keepdim=True)
        rot_dir = rot_vecs / angle
        cos = torch.unsqueeze(torch.cos(angle), dim=1)
        sin = torch.unsqueeze(torch.sin(angle), dim=1)
        rx, ry, rz = torch.split(rot_dir, 1, dim=1)
        zeros = torch.zeros((batch_size, 1), dtype=rot_vecs.dtype, device=rot_vecs.device)
        K = torch.cat([zeros, -rz, ry, rz, zeros, -rx, -ry, rx, zeros], dim=1).view((batch_size, 3, 3))
        ident = torch.eye(3, dtype=rot_vecs.dtype, device=rot_vecs.device).unsqueeze(dim=0)
        return ident + sin * K + (1 - cos) * torch.bmm(K, K)

    def smpl_blend(betas, pose, v_template, shapedirs, posedirs):  # smplx's lbs: shape and pose blend shapes
        batch_size = betas.shape[0]
        v_shaped = v_template + torch.einsum("bl,mkl->bmk", [betas, shapedirs])
        rot_mats = batch_rodrigues(pose.view(-1, 3)).view([batch_size, -1, 3, 3])
        ident = torch.eye(3, dtype=betas.dtype, device=betas.device)
        pose_feature = (rot_mats[:, 1:, :, :] - ident).view([batch_size, -1])
        return v_shaped + torch.matmul(pose_feature, posedirs).view(batch_size, -1, 3)

    def smpl_skinning(lbs_weights, A, v_posed):  # ... and the linear blend skinning
        batch_size, num_joints = A.shape[0], A.shape[1]
        W = lbs_weights.unsqueeze(dim=0).expand([batch_size, -1, -1])
        T = torch.matmul(W, A.view(batch_size, num_joints, 16)).view(batch_size, -1, 4, 4)
        homogen_coord = torch.ones([batch_size, v_posed.shape[1], 1], dtype=v_posed.dtype, device=v_posed.device)
        v_posed_homo = torch.cat([v_posed, homogen_coord], dim=2)
        return torch.matmul(T, torch.unsqueeze(v_posed_homo, dim=-1))[:, :, :3, 0]

    # nerf-pytorch's 128 fine samples over 32768 rays (64 coarse); 3DGS's covariances of a 3M-Gaussian scene; SMPL
    # (6890 vertices, 24 joints, 10 shape and 207 pose coefficients) at 128
    out += [("nerf_sample_pdf", nerf_sample_pdf, (mf(32768, 63), mf(32768, 62), mf(32768, 128))),
            ("gaussian_splatting_covariance", gs_covariance, (mf(3000000, 3), mf(3000000, 4))),
            ("smpl_blend_shapes", smpl_blend, (mf(128, 10), mf(128, 72), mf(6890, 3), mf(6890, 3, 10),
                                               mf(207, 20670))),
            ("smpl_skinning", smpl_skinning, (mf(6890, 24), mf(128, 24, 4, 4), mf(128, 6890, 3)))]

    # ================================================================== image restoration, flow and stereo
    def restormer_mdta(qkv, temperature, heads):  # Restormer's transposed (channel) attention after its qkv dwconv
        b, _, h, w = qkv.shape
        q, k, v = qkv.chunk(3, dim=1)
        q, k, v = (t.reshape(b, heads, -1, h * w) for t in (q, k, v))
        q = F.normalize(q, dim=-1)
        k = F.normalize(k, dim=-1)
        attn = ((q @ k.transpose(-2, -1)) * temperature).softmax(dim=-1)
        return (attn @ v).reshape(b, -1, h, w)

    def nafnet_layernorm2d(x, weight, bias, eps=1e-6):  # NAFNet's LayerNormFunction.forward
        N, C, H, W = x.size()
        mu = x.mean(1, keepdim=True)
        var = (x - mu).pow(2).mean(1, keepdim=True)
        y = (x - mu) / (var + eps).sqrt()
        return weight.view(1, C, 1, 1) * y + bias.view(1, C, 1, 1)

    def coords_grid(b, h, w, device):  # GMFlow's coords_grid
        y, x = torch.meshgrid(torch.arange(h, device=device), torch.arange(w, device=device), indexing="ij")
        grid = torch.stack([x, y], dim=0).float()
        return grid[None].repeat(b, 1, 1, 1)

    def gmflow_global_correlation(feature0, feature1):  # GMFlow's global_correlation_softmax
        b, c, h, w = feature0.shape
        feature0 = feature0.view(b, c, -1).permute(0, 2, 1)
        feature1 = feature1.view(b, c, -1)
        correlation = torch.matmul(feature0, feature1).view(b, h, w, h, w) / (c ** 0.5)
        init_grid = coords_grid(b, h, w, feature0.device)
        grid = init_grid.view(b, 2, -1).permute(0, 2, 1)
        prob = F.softmax(correlation.view(b, h * w, h * w), dim=-1)
        correspondence = torch.matmul(prob, grid).view(b, h, w, 2).permute(0, 3, 1, 2)
        return correspondence - init_grid

    def census_loss(img, img_warp, max_distance=3):  # ARFlow's TernaryLoss (census transform, soft Hamming)
        patch_size = 2 * max_distance + 1

        def ternary_transform(image):
            gray = (image[:, 0, :, :] * 0.2989 + image[:, 1, :, :] * 0.5870 + image[:, 2, :, :] * 0.1140).unsqueeze(1)
            intensities = gray * 255
            out_channels = patch_size * patch_size
            w = torch.eye(out_channels, device=image.device).view((out_channels, 1, patch_size, patch_size))
            patches = F.conv2d(intensities, w.type_as(image), padding=max_distance)
            transf = patches - intensities
            return transf / torch.sqrt(0.81 + torch.pow(transf, 2))

        dist = torch.pow(ternary_transform(img) - ternary_transform(img_warp), 2)
        dist = torch.mean(dist / (0.1 + dist), 1, keepdim=True)
        n, _, h, w = img.size()
        inner = torch.ones(n, 1, h - 2 * max_distance, w - 2 * max_distance, device=img.device).type_as(img)
        return dist * F.pad(inner, [max_distance] * 4)

    def build_gwc_volume(refimg_fea, targetimg_fea, maxdisp=48, num_groups=40, disps=(0, 1, 24)):
        # GwcNet's build_gwc_volume (its loop's steps at three disparities) with groupwise_correlation
        B, C, H, W = refimg_fea.shape
        cpg = C // num_groups
        volume = refimg_fea.new_zeros([B, num_groups, maxdisp, H, W])
        for d in disps:
            if d > 0:
                cost = (refimg_fea[:, :, :, d:] * targetimg_fea[:, :, :, :-d]).view([B, num_groups, cpg, H, W - d])
                volume[:, :, d, :, d:] = cost.mean(dim=2)
            else:
                volume[:, :, d, :, :] = (refimg_fea * targetimg_fea).view([B, num_groups, cpg, H, W]).mean(dim=2)
        return volume.contiguous()

    def monodepth2_reproject(disp, inv_K, K, T, pix_coords, min_depth=0.1, max_depth=100.0, eps=1e-7):
        # disp_to_depth, BackprojectDepth and Project3D into the source view's sampling grid
        B, _, H, W = disp.shape
        min_disp, max_disp = 1 / max_depth, 1 / min_depth
        depth = 1 / (min_disp + (max_disp - min_disp) * disp)
        cam_points = torch.matmul(inv_K[:, :3, :3], pix_coords)
        cam_points = depth.view(B, 1, -1) * cam_points
        cam_points = torch.cat([cam_points, torch.ones(B, 1, H * W, device=disp.device)], 1)
        P = torch.matmul(K, T)[:, :3, :]
        cam_points = torch.matmul(P, cam_points)
        pix = cam_points[:, :2, :] / (cam_points[:, 2, :].unsqueeze(1) + eps)
        pix = pix.view(B, 2, H, W).permute(0, 2, 3, 1)
        pix = pix / torch.tensor([W - 1, H - 1], device=disp.device, dtype=pix.dtype)
        return (pix - 0.5) * 2

    # Restormer's first level (48 wide, 1 head) over 8 128-px patches; NAFNet-width64's LayerNorm2d at 8 x 256 px;
    # GMFlow at 1/8 of 368 x 768 (128-d) over 8 pairs; ARFlow's 7 x 7 census over 4 KITTI crops of 256 x 832;
    # GwcNet's volume (320 channels in 40 groups, 48 disparities) at 4 x 64 x 128; Monodepth2 at 12 x 192 x 640
    out += [("restormer_mdta_level1", lambda qkv, t: restormer_mdta(qkv, t, 1), (mf(8, 144, 128, 128), mf(1, 1, 1))),
            ("nafnet_layernorm2d", nafnet_layernorm2d, (mf(8, 64, 256, 256), mf(64), mf(64))),
            ("gmflow_global_correlation", gmflow_global_correlation, (mf(8, 128, 46, 96), mf(8, 128, 46, 96))),
            ("arflow_census_loss", census_loss, (mf(4, 3, 256, 832), mf(4, 3, 256, 832))),
            ("gwcnet_gwc_volume", build_gwc_volume, (mf(4, 320, 64, 128), mf(4, 320, 64, 128))),
            ("monodepth2_reproject", monodepth2_reproject,
             (mf(12, 1, 192, 640), mf(12, 4, 4), mf(12, 4, 4), mf(12, 4, 4), mf(12, 3, 122880)))]

    # ================================================================== optimizers' internals
    def adamw_foreach(n, lr=3e-4, beta1=0.9, beta2=0.95, eps=1e-8, weight_decay=0.1, step=100):
        def step_fn(*tensors):  # torch.optim.AdamW's _multi_tensor_adamw (not capturable, python bias corrections)
            params, grads, exp_avgs, exp_avg_sqs = (list(tensors[k * n:(k + 1) * n]) for k in range(4))
            torch._foreach_mul_(params, 1 - lr * weight_decay)
            torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)
            torch._foreach_mul_(exp_avg_sqs, beta2)
            torch._foreach_addcmul_(exp_avg_sqs, grads, grads, 1 - beta2)
            bias_correction1 = [1 - beta1 ** step] * n
            bias_correction2 = [1 - beta2 ** step] * n
            step_size = [(lr / bc) * -1 for bc in bias_correction1]
            bias_correction2_sqrt = [bc ** 0.5 for bc in bias_correction2]
            exp_avg_sq_sqrt = torch._foreach_sqrt(exp_avg_sqs)
            torch._foreach_div_(exp_avg_sq_sqrt, bias_correction2_sqrt)
            torch._foreach_add_(exp_avg_sq_sqrt, eps)
            torch._foreach_addcdiv_(params, exp_avgs, exp_avg_sq_sqrt, step_size)
            return params
        return step_fn

    def sgd_foreach(n, lr=0.1, momentum=0.9, weight_decay=1e-4):
        def step_fn(*tensors):  # torch.optim.SGD's _multi_tensor_sgd (momentum buffers present)
            params, grads, bufs = (list(tensors[k * n:(k + 1) * n]) for k in range(3))
            grads = torch._foreach_add(grads, params, alpha=weight_decay)
            torch._foreach_mul_(bufs, momentum)
            torch._foreach_add_(bufs, grads, alpha=1)
            torch._foreach_add_(params, bufs, alpha=-lr)
            return params
        return step_fn

    def adagrad_foreach(n, clr=0.01, eps=1e-10):
        def step_fn(*tensors):  # torch.optim.Adagrad's _multi_tensor_adagrad
            params, grads, state_sums = (list(tensors[k * n:(k + 1) * n]) for k in range(3))
            torch._foreach_addcmul_(state_sums, grads, grads, value=1)
            std = torch._foreach_sqrt(state_sums)
            torch._foreach_add_(std, eps)
            torch._foreach_addcdiv_(params, grads, std, value=-clr)
            return params
        return step_fn

    def clip_grad_value_foreach(*grads, clip_value=1.0):  # torch.nn.utils.clip_grad_value_ (foreach)
        torch._foreach_clamp_min_(list(grads), -clip_value)
        torch._foreach_clamp_max_(list(grads), clip_value)
        return grads

    def adafactor_factored(p, grad, exp_avg_sq_row, exp_avg_sq_col, lr=1e-3, beta2t=0.999, eps=1e-30,
                           clip_threshold=1.0):  # transformers' Adafactor step for a factored 2-D weight
        update = (grad ** 2) + eps
        exp_avg_sq_row.mul_(beta2t).add_(update.mean(dim=-1), alpha=(1.0 - beta2t))
        exp_avg_sq_col.mul_(beta2t).add_(update.mean(dim=-2), alpha=(1.0 - beta2t))
        r_factor = (exp_avg_sq_row / exp_avg_sq_row.mean(dim=-1, keepdim=True)).rsqrt_().unsqueeze(-1)
        c_factor = exp_avg_sq_col.unsqueeze(-2).rsqrt()
        update = torch.mul(r_factor, c_factor)
        update.mul_(grad)
        update.div_((update.norm(2) / (update.numel() ** 0.5) / clip_threshold).clamp_(min=1.0))
        update.mul_(lr)
        return p.add_(-update)

    def sophia_step(p, grad, exp_avg, hess, lr=2e-4, beta1=0.965, rho=0.04, bs=480 * 1024, weight_decay=0.1):
        # Sophia-G's update (after its Hessian EMA): the clipped ratio by addcmul_ of the momentum's sign
        p.mul_(1 - lr * weight_decay)
        exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        ratio = (exp_avg.abs() / (rho * bs * hess + 1e-15)).clamp(None, 1)
        return p.addcmul_(exp_avg.sign(), ratio, value=-lr)

    def soap_project(grad, QL, QR, GG_L, GG_R, exp_avg_sq, beta2=0.95, eps=1e-8):  # SOAP: the preconditioner
        GG_L.lerp_(grad @ grad.T, 1 - beta2)  # statistics, the gradient rotated into the eigenbases and Adam there
        GG_R.lerp_(grad.T @ grad, 1 - beta2)
        g = torch.tensordot(grad, QL, dims=[[0], [0]])
        g = torch.tensordot(g, QR, dims=[[0], [0]])
        exp_avg_sq.mul_(beta2).add_(g.square(), alpha=1 - beta2)
        return g / (exp_avg_sq.sqrt() + eps)

    def soap_refresh(GG, Q):  # get_orthogonal_matrix_QR: one power step and QR
        est_eig = torch.diag(Q.T @ GG @ Q)
        sort_idx = torch.argsort(est_eig, descending=True)
        Q = Q[:, sort_idx]
        return torch.linalg.qr(GG @ Q)[0]

    def adam_mini_heads(grad, v, beta2=0.95, heads=32):  # Adam-mini: one second moment per attention head block
        g = grad.view(heads, -1)
        tmp = torch.mean(g * g, dim=1, keepdim=True)
        return v.mul_(beta2).add_(tmp, alpha=1 - beta2)

    llama32_layer = ((2048, 2048), (512, 2048), (512, 2048), (2048, 2048), (8192, 2048), (8192, 2048), (2048, 8192),
                     (2048,), (2048,))
    r50_layer3 = ((256, 1024, 1, 1), (256, 256, 3, 3), (1024, 256, 1, 1), (256,), (256,), (256,), (256,), (1024,),
                  (1024,))
    dlrm_mlp = ((512, 13), (512,), (256, 512), (256,), (128, 256), (128,), (1024, 479), (1024,), (1024, 1024),
                (1024,), (512, 1024), (512,), (256, 512), (256,), (1, 256), (1,))
    # torch.optim's foreach AdamW over a Llama-3.2-1B decoder layer's fp32 masters, SGD with momentum over a
    # ResNet-50 layer3 bottleneck, Adagrad over DLRM's MLPs; clip_grad_value_ over the ResNet tensors; Adafactor on
    # T5-v1.1-XXL's wo (4096 x 10240); Sophia-G on GPT-2 medium's 50304 x 1024 embedding; SOAP on a 1024 x 4096 weight
    # (statistics, rotation, its QR refresh); Adam-mini's per-head moments of a 4096 x 4096 q_proj
    out += [("adamw_foreach_llama32_layer", adamw_foreach(len(llama32_layer)), many(mf, llama32_layer * 4)),
            ("sgd_foreach_r50_layer3", sgd_foreach(len(r50_layer3)), many(mf, r50_layer3 * 3)),
            ("adagrad_foreach_dlrm_mlp", adagrad_foreach(len(dlrm_mlp)), many(mf, dlrm_mlp * 3)),
            ("clip_grad_value_foreach", clip_grad_value_foreach, many(mf, r50_layer3)),
            ("adafactor_factored_t5_xxl_wo", adafactor_factored, (mf(4096, 10240), mf(4096, 10240), mf(4096),
                                                                  mf(10240))),
            ("sophia_g_update", sophia_step, (mf(50304, 1024), mf(50304, 1024), mf(50304, 1024), mf(50304, 1024))),
            ("soap_project", soap_project,
             (mf(1024, 4096), mf(1024, 1024), mf(4096, 4096), mf(1024, 1024), mf(4096, 4096), mf(1024, 4096))),
            ("soap_qr_refresh", soap_refresh, (mf(1024, 1024), mf(1024, 1024))),
            ("adam_mini_head_moments", adam_mini_heads, (mf(4096, 4096), mf(32, 1)))]

    # ================================================================== graph networks (PyG-style, plain torch)
    def pyg_scatter_sum(src, index, dim_size):  # torch_geometric.utils.scatter(reduce="sum")
        index = index.view(-1, 1).expand_as(src)
        return src.new_zeros((dim_size, src.size(1))).scatter_add_(0, index, src)

    def pyg_scatter_reduce(src, index, dim_size, reduce):  # ... reduce="mean" / "max" / "min" by scatter_reduce_
        index = index.view(-1, 1).expand_as(src)
        return src.new_zeros((dim_size, src.size(1))).scatter_reduce_(0, index, src, reduce=reduce,
                                                                      include_self=False)

    def gcn_norm_propagate(x, edge_index, num_nodes=169343):  # GCNConv: gcn_norm (self loops in) and propagate
        row, col = edge_index[0], edge_index[1]
        edge_weight = torch.ones((edge_index.size(1),), dtype=x.dtype, device=x.device)
        deg = torch.zeros(num_nodes, dtype=x.dtype, device=x.device).scatter_add_(0, col, edge_weight)
        deg_inv_sqrt = deg.pow_(-0.5)
        deg_inv_sqrt.masked_fill_(deg_inv_sqrt == float("inf"), 0)
        edge_weight = deg_inv_sqrt[row] * edge_weight * deg_inv_sqrt[col]
        msg = edge_weight.view(-1, 1) * x.index_select(0, row)
        return pyg_scatter_sum(msg, col, num_nodes)

    def gatv2_coefficients(x_l, x_r, att, edge_index, num_nodes=19717):  # GATv2Conv: e = a^T LeakyReLU(x_i + x_j),
        x_j = x_l.index_select(0, edge_index[0])  # softmax over each target by scatter_reduce amax and scatter_add
        x_i = x_r.index_select(0, edge_index[1])
        alpha = (F.leaky_relu(x_i + x_j, 0.2) * att).sum(dim=-1)
        index = edge_index[1]
        src_max = alpha.new_zeros((num_nodes, alpha.size(1))).scatter_reduce_(
            0, index.view(-1, 1).expand_as(alpha), alpha, reduce="amax", include_self=False)
        alpha = (alpha - src_max.index_select(0, index)).exp()
        out_sum = pyg_scatter_sum(alpha, index, num_nodes) + 1e-16
        alpha = alpha / out_sum.index_select(0, index)
        return x_j * alpha.unsqueeze(-1)

    def sage_max(x, edge_index, w_l, b_l, w_r, num_dst=26624):  # SAGEConv(aggr="max") on a sampled hop
        aggr = pyg_scatter_reduce(x.index_select(0, edge_index[0]), edge_index[1], num_dst, "amax")
        return linear(aggr, w_l, b_l) + linear(x[:num_dst], w_r)

    def pna_aggregate(x, edge_index, deg_log, avg_deg_log=2.6, num_nodes=13312):  # PNA's mean / min / max / std
        src = x.index_select(0, edge_index[0])  # aggregators with its amplification and attenuation scalers
        index = edge_index[1]
        mean = pyg_scatter_reduce(src, index, num_nodes, "mean")
        mn = pyg_scatter_reduce(src, index, num_nodes, "amin")
        mx = pyg_scatter_reduce(src, index, num_nodes, "amax")
        mean_sq = pyg_scatter_reduce(src * src, index, num_nodes, "mean")
        std = (mean_sq - mean * mean).clamp(min=0).add(1e-5).sqrt()
        out_ = torch.cat([mean, mn, mx, std], dim=-1)
        return torch.cat([out_, out_ * (deg_log / avg_deg_log), out_ * (avg_deg_log / deg_log)], dim=-1)

    def global_pools(x, batch, size=512):  # global_mean_pool and global_max_pool over a mini-batch of graphs
        return (pyg_scatter_reduce(x, batch, size, "mean"), pyg_scatter_reduce(x, batch, size, "amax"))

    def link_pred_loss(z, pos_edge, neg_edge):  # a GAE / ogbl link predictor: dot-product decoder and BCE
        pos = (z[pos_edge[0]] * z[pos_edge[1]]).sum(dim=-1)
        neg = (z[neg_edge[0]] * z[neg_edge[1]]).sum(dim=-1)
        return (F.binary_cross_entropy_with_logits(pos, torch.ones_like(pos))
                + F.binary_cross_entropy_with_logits(neg, torch.zeros_like(neg)))

    def laplacian_pe(adj, k=8):  # a graph transformer's Laplacian eigenvector encoding (dense, batched)
        deg = adj.sum(-1)
        d_inv_sqrt = deg.clamp(min=1).pow(-0.5)
        lap = torch.eye(adj.shape[-1], device=adj.device) - d_inv_sqrt[..., :, None] * adj * d_inv_sqrt[..., None, :]
        _, eigvec = torch.linalg.eigh(lap)
        return eigvec[..., 1:k + 1]

    # GCN over ogbn-arxiv (169343 nodes, 1.34M edges with self loops, 128 features); GATv2 on PubMed (8 heads of 8,
    # 108365 edges); SAGE max-aggregation over a Reddit hop (10 neighbours of 26624 targets, 602 features, 256 out);
    # PNA on a molpcba batch (13312 nodes, 28672 edges, 128 wide); graph-level pools of a 512-graph batch; a GAE
    # decoder over ogbl-collab (256-d, 65536 + 65536 edges); Laplacian PE of 128 QM9-sized graphs (29 atoms)
    out += [("gcn_norm_propagate_arxiv", gcn_norm_propagate, (mf(169343, 128), i(2, 1335586))),
            ("gatv2_coefficients_pubmed", gatv2_coefficients,
             (mf(19717, 8, 8), mf(19717, 8, 8), mf(1, 8, 8), i(2, 108365))),
            ("sage_max_reddit_hop", sage_max, (mf(232965, 602), i(2, 266240), mf(256, 602), mf(256), mf(256, 602))),
            ("pna_aggregate_molpcba", pna_aggregate, (mf(13312, 128), i(2, 28672), mf(13312, 1))),
            ("pyg_global_pools", global_pools, (mf(13312, 300), i(13312))),
            ("gae_link_prediction_loss", link_pred_loss, (mf(235868, 256), i(2, 65536), i(2, 65536))),
            ("graph_laplacian_pe", laplacian_pe, (mf(128, 29, 29),))]

    # ================================================================== audio
    def hifigan_mel(y, mel_basis, hann_window, n_fft=1024, hop_size=256, win_size=1024):  # HiFi-GAN's mel_spectrogram
        y = F.pad(y.unsqueeze(1), (int((n_fft - hop_size) / 2), int((n_fft - hop_size) / 2)), mode="reflect")
        y = y.squeeze(1)
        spec = torch.stft(y, n_fft, hop_length=hop_size, win_length=win_size, window=hann_window, center=False,
                          pad_mode="reflect", normalized=False, onesided=True, return_complex=True)
        spec = torch.sqrt(torch.view_as_real(spec).pow(2).sum(-1) + 1e-9)
        spec = torch.matmul(mel_basis, spec)
        return torch.log(torch.clamp(spec, min=1e-5))

    def mfcc_from_mel(mel_specgram, dct_mat, top_db=80.0):  # torchaudio's MFCC: dB with top-dB clamp, DCT by matmul
        mel_db = 10.0 * torch.log10(torch.clamp(mel_specgram, min=1e-10))
        mel_db = torch.max(mel_db, (mel_db.amax(dim=(-2, -1)) - top_db).view(-1, 1, 1))
        return torch.matmul(mel_db.transpose(-1, -2), dct_mat).transpose(-1, -2)

    def si_sdr_pit(est, target, eps=1e-8):  # SI-SDR (zero-mean) for both speaker permutations, best taken
        est = est - est.mean(dim=-1, keepdim=True)
        target = target - target.mean(dim=-1, keepdim=True)
        est_ = est.unsqueeze(2)  # [B, src, 1, T] against [B, 1, src, T]
        tgt_ = target.unsqueeze(1)
        pair_wise_dot = torch.sum(est_ * tgt_, dim=-1, keepdim=True)
        s_target_energy = torch.sum(tgt_ ** 2, dim=-1, keepdim=True) + eps
        scaled_target = pair_wise_dot * tgt_ / s_target_energy
        e_noise = est_ - scaled_target
        pair_wise_sdr = torch.sum(scaled_target ** 2, dim=-1) / (torch.sum(e_noise ** 2, dim=-1) + eps)
        pair_wise_sdr = 10 * torch.log10(pair_wise_sdr + eps)
        perm_a = pair_wise_sdr[:, 0, 0] + pair_wise_sdr[:, 1, 1]
        perm_b = pair_wise_sdr[:, 0, 1] + pair_wise_sdr[:, 1, 0]
        return -torch.maximum(perm_a, perm_b).mean() / 2

    def dac_factorized_vq(latents, codebook):  # DAC's VectorQuantize.decode_latents: L2-normalised codes
        encodings = F.normalize(latents)
        codebook = F.normalize(codebook)
        dist = (encodings.pow(2).sum(1, keepdim=True) - 2 * encodings @ codebook.t()
                + codebook.pow(2).sum(1, keepdim=True).t())
        indices = (-dist).max(1)[1]
        return F.embedding(indices, codebook), indices

    # HiFi-GAN's 80-mel loss features over 16 x 8192 samples; MFCCs (40 of 40 mels) of 256 one-second speech
    # commands; wsj0-2mix SI-SDR PIT (4 s at 8 kHz) at 16; DAC 44 kHz's 8-d code lookup (1024 codes) over 16 x 862
    # frames
    out += [("hifigan_mel_spectrogram", hifigan_mel, (mf(16, 8192), mf(80, 513), mf(1024))),
            ("mfcc_from_mel", mfcc_from_mel, (mf(256, 40, 101), mf(40, 40))),
            ("si_sdr_pit_wsj0_2mix", si_sdr_pit, (mf(16, 2, 32000), mf(16, 2, 32000))),
            ("dac_factorized_vq", dac_factorized_vq, (mf(13792, 8), mf(1024, 8)))]

    # ================================================================== mixture-of-experts routing
    def expert_choice_route(x, router_w, capacity=256):  # expert-choice routing: each expert takes its top tokens
        scores = F.softmax(linear(x, router_w), dim=-1)
        gates, idx = torch.topk(scores.t(), k=capacity, dim=-1)
        dispatched = x[idx]
        return dispatched, gates, idx

    def expert_choice_combine(expert_out, gates, idx, num_tokens=8192):  # ... and the weighted scatter back
        y = expert_out * gates.unsqueeze(-1).to(expert_out.dtype)
        out_ = torch.zeros((num_tokens, expert_out.shape[-1]), dtype=expert_out.dtype, device=expert_out.device)
        return out_.index_add_(0, idx.reshape(-1), y.reshape(-1, expert_out.shape[-1]))

    def soft_moe(x, phi, norm_scale):  # Soft MoE (Puigcerver et al.): dispatch and combine weights over slots
        logits = torch.einsum("bmd,dnp->bmnp", F.normalize(x, dim=-1), F.normalize(phi, dim=0) * norm_scale)
        dispatch = logits.softmax(dim=1)
        b, m_, n, p = logits.shape
        combine = logits.reshape(b, m_, n * p).softmax(dim=-1).reshape(b, m_, n, p)
        slots = torch.einsum("bmd,bmnp->bnpd", x, dispatch)
        return slots, combine

    def moe_dispatch_einsum(dispatch_mask, x):  # MOELayer: dispatched_input = einsum("sec,sm->ecm", ...)
        return torch.einsum("sec,sm->ecm", dispatch_mask.type_as(x), x)

    def qwen_moe_router(x, gate_w, shared_gate_w, top_k=4):  # Qwen1.5-MoE's router (no top-k renormalisation)
        router_logits = linear(x, gate_w)  # and its shared expert's sigmoid gate
        routing_weights = F.softmax(router_logits, dim=1, dtype=torch.float)
        routing_weights, selected_experts = torch.topk(routing_weights, top_k, dim=-1)
        return routing_weights.to(x.dtype), selected_experts, torch.sigmoid(linear(x, shared_gate_w))

    # expert choice over 64 experts of a 1024-wide model (8192 tokens, capacity factor 2); Soft MoE's ViT-B/16
    # (128 experts x 1 slot, 196 tokens) at 256; DeepSpeed's dense dispatch of 4096 1024-wide tokens to 16 experts of
    # capacity 1024; Qwen1.5-MoE-A2.7B's router (60 experts, top-4) over 4096 tokens
    out += [("expert_choice_route", expert_choice_route, (m(8192, 1024), m(64, 1024))),
            ("expert_choice_combine", expert_choice_combine, (m(64, 256, 1024), m(64, 256), i(64, 256))),
            ("soft_moe_slots", soft_moe, (m(256, 196, 768), m(768, 128, 1), m(()))),
            ("deepspeed_moe_dispatch", moe_dispatch_einsum, (mb(4096, 16, 1024), m(4096, 1024))),
            ("qwen_moe_router", qwen_moe_router, (m(4096, 2048), m(60, 2048), m(1, 2048)))]

    # ================================================================== evaluation metrics
    def binary_auroc(preds, target):  # a torch AUROC: sort, cumulative true / false positives, trapezoid
        desc = torch.argsort(preds, descending=True)
        target = target[desc].float()
        tps = torch.cumsum(target, dim=0)
        fps = torch.arange(1, target.shape[0] + 1, device=preds.device, dtype=torch.float32) - tps
        tpr = torch.cat([torch.zeros(1, device=preds.device), tps / tps[-1]])
        fpr = torch.cat([torch.zeros(1, device=preds.device), fps / fps[-1]])
        return torch.trapezoid(tpr, fpr)

    def multilabel_ap(preds, target):  # per-class average precision (AudioSet-style mAP), classes on dim 1
        order = torch.argsort(preds, dim=0, descending=True)
        t = torch.gather(target, 0, order).float()
        tps = torch.cumsum(t, dim=0)
        precision = tps / torch.arange(1, t.shape[0] + 1, device=preds.device, dtype=torch.float32)[:, None]
        return ((precision * t).sum(0) / t.sum(0).clamp(min=1)).mean()

    def retrieval_recall_at_k(img, txt, gt, ks=(1, 5, 10)):  # CLIP-style image-to-text retrieval recall@K
        sims = img @ txt.t()
        topk = sims.topk(max(ks), dim=-1).indices
        hits = topk == gt[:, None]
        return [hits[:, :k].any(dim=-1).float().mean() for k in ks]

    def confusion_iou(pred, target, num_classes=150):  # a segmentation confusion matrix by scatter_add and mIoU
        mapping = (target * num_classes + pred).view(-1)
        cm = torch.zeros(num_classes * num_classes, dtype=torch.long, device=pred.device)
        cm = cm.scatter_add_(0, mapping, torch.ones_like(mapping)).view(num_classes, num_classes)
        inter = torch.diag(cm)
        union = cm.sum(0) + cm.sum(1) - inter
        return (inter.float() / union.clamp(min=1).float()).mean()

    # AUROC over 1M CTR predictions; AudioSet mAP (20000 clips x 527 labels); COCO-5k image-to-text recall@1/5/10
    # (25000 captions, 512-d); ADE20K's confusion matrix and mIoU over 16 x 512^2 pixels
    out += [("binary_auroc_trapezoid", binary_auroc, (mf(1000000), i(1000000))),
            ("audioset_map", multilabel_ap, (mf(20000, 527), i(20000, 527))),
            ("coco_retrieval_recall_at_k", retrieval_recall_at_k, (mf(5000, 512), mf(25000, 512), i(5000))),
            ("ade20k_confusion_miou", confusion_iou, (i(16, 512, 512), i(16, 512, 512)))]

    # ================================================================== classic machine learning in torch
    def kmeans_step(x, centers):  # a k-means (Lloyd) step: squared distances, argmin, sums by index_add_
        dist = (x * x).sum(1, keepdim=True) - 2 * x @ centers.t() + (centers * centers).sum(1)[None]
        labels = dist.argmin(dim=1)
        sums = torch.zeros_like(centers).index_add_(0, labels, x)
        counts = torch.zeros(centers.shape[0], device=x.device, dtype=x.dtype).index_add_(
            0, labels, torch.ones_like(labels, dtype=x.dtype))
        return sums / counts.clamp(min=1)[:, None], labels

    def gp_kernels(x1, x2, lengthscale, outputscale, period):  # GPyTorch-style RBF, Matern-5/2 and periodic
        diff = torch.cdist(x1 / lengthscale, x2 / lengthscale)  # kernels on one pair of inputs
        rbf = outputscale * torch.exp(-0.5 * diff.pow(2))
        sqrt5_d = math.sqrt(5) * diff
        matern = outputscale * (1 + sqrt5_d + (5.0 / 3.0) * diff.pow(2)) * torch.exp(-sqrt5_d)
        x1_ = x1.div(period).mul(math.pi)
        x2_ = x2.div(period).mul(math.pi)
        pdiff = x1_.unsqueeze(-2) - x2_.unsqueeze(-3)
        periodic = outputscale * pdiff.sin().pow(2).mul(-2.0 / lengthscale).sum(-1).exp()
        return rbf, matern, periodic

    def tsne_grad(P, Y):  # tsne-pytorch's gradient step (Student-t affinities, diagonal zeroed)
        n = Y.shape[0]
        sum_Y = torch.sum(Y * Y, 1)
        num = -2.0 * torch.mm(Y, Y.t())
        num = 1.0 / (1.0 + torch.add(torch.add(num, sum_Y).t(), sum_Y))
        num = num.masked_fill(torch.eye(n, dtype=torch.bool, device=Y.device), 0.0)
        Q = torch.clamp(num / torch.sum(num), min=1e-12)
        PQ = P - Q
        W = PQ * num
        return 4.0 * (W.sum(1, keepdim=True) * Y - W @ Y)

    def dino_knn_classifier(features, train_features, train_labels, k=20, T=0.07, num_classes=100):
        # DINO's knn_classifier for one chunk of test features (weighted voting)
        batch_size = features.shape[0]
        similarity = torch.mm(features, train_features)
        distances, indices = similarity.topk(k, largest=True, sorted=True)
        candidates = train_labels.view(1, -1).expand(batch_size, -1)
        retrieved_neighbors = torch.gather(candidates, 1, indices)
        retrieval_one_hot = torch.zeros(batch_size * k, num_classes, device=features.device)
        retrieval_one_hot.scatter_(1, retrieved_neighbors.view(-1, 1), 1)
        distances_transform = distances.clone().div_(T).exp_()
        probs = torch.sum(torch.mul(retrieval_one_hot.view(batch_size, -1, num_classes),
                                    distances_transform.view(batch_size, -1, 1)), 1)
        return probs.sort(1, True)[1]

    # an IVF-style k-means step (100000 x 768 sentence embeddings, 1024 centroids); torch.pca_lowrank (q 64, two
    # power iterations) of 50000 x 768 features; GP kernels between 2048 and 4096 points in 8-d; a t-SNE step on 10000
    # MNIST points; DINO's 20-NN classifier of 100 test images over CIFAR-100's 50000 ViT-B features
    out += [("kmeans_lloyd_step", kmeans_step, (mf(100000, 768), mf(1024, 768))),
            ("pca_lowrank", lambda x: torch.pca_lowrank(x, q=64, center=True, niter=2), (mf(50000, 768),)),
            ("gp_kernels", gp_kernels, (mf(2048, 8), mf(4096, 8), mf(1, 8), sc(), sc())),
            ("tsne_gradient", tsne_grad, (mf(10000, 10000), mf(10000, 2))),
            ("dino_knn_classifier", dino_knn_classifier, (mf(100, 768), mf(768, 50000), i(50000)))]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK28, _check28()),))
