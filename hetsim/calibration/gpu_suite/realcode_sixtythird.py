"""The aten sweep's thirty-fourth blind real-code group: `realcode-check34`, LLM serving and inference-engine code
paths in plain torch: samplers and logits processors, batching bookkeeping, multi-LoRA serving, model-family
specifics, test-time training layers, embedding and reranker models and multimodal front-ends.

Each case is one op or a short idiom as vLLM, SGLang, TGI, transformers, PEFT, sentence-transformers and the methods'
reference repositories write it, at real widths, batches, contexts and vocabularies (32000-262208), in the dtypes the
code runs (bf16 model tensors, fp16 where a model runs in half (GPT-J, Llama-2, S-LoRA, the encoders and CLIP, Whisper),
fp32 logits, softmaxes, sampling, rotary frequencies and inner loops, int64 ids, int32 cu_seqlens, block tables and
packed bitmasks, uint8 packed bitmasks, bool masks): samplers and logits processors (transformers' repetition penalty
by gather and scatter; vLLM's apply_penalties with prompt and output counts by scatter_add_; min-p, top-a, eta,
epsilon and typical sampling; a DRY n-gram penalty by unfold, cumprod and scatter_reduce amax; sparse and dense logit
biases; per-request temperature over the LM head's 16-bit logits; vLLM's apply_top_k_top_p with per-request k and p
and its top-k-only path; the exponential-race sample and a Gumbel-max sample; guided-decoding bitmasks in int32
words (xgrammar), over the guided requests only, and in uint8 bytes; transformers' beam-search step with the caches
reordered; vLLM's logprobs with ranks, at decode and over a prompt); batching bookkeeping (cu_seqlens and packed
positions by cumsum and searchsorted; varlen attention through a block-diagonal mask; a Sarathi chunked-prefill mixed
batch; vLLM v1's slot mapping and InputBatch condensing; a prefix-cache hit's paged prefix gathered before the
suffix's prefill; the packed batch's last-token logits); multi-LoRA serving (vLLM's torch bgmv shrink and expand;
S-LoRA's gathered A / B bmms; PEFT's LoRA linear, merge and unmerge; DoRA's weight norm); model-family specifics
(Gemma-2's final and attention soft-capping with sliding windows from cache_position; mistral-src's rotating buffer
and its unrotation; Qwen2-VL's M-RoPE and vision rotary positions; Phi-3's LongRoPE, YaRN, dynamic NTK and Llama-3.1's
rope scaling; Mixtral / Qwen1.5-MoE / DBRX / OLMoE / Qwen3-MoE / DeepSeek-V2-Lite top-k routers with their
renormalisations, the load-balancing loss, Qwen-MoE's sigmoid-gated shared expert, gpt-fast's gathered-expert MoE
decode; Falcon's fused MQA and grouped QKV, MQA decodes; GPT-J's interleaved partial rotary; BLOOM's and MPT's ALiBi;
OLMo-2's and Qwen3's QK-norm; Gemma's (1 + w) RMSNorm, sandwich norms and embedding scale; Cohere's bias-free
LayerNorm, per-head q LayerNorm, parallel block and scaled logits; tied LM heads over the last token; GPT-J / Falcon
parallel attention + MLP blocks); test-time training (TTT-Linear's and TTT-MLP's mini-batch dual forms with their
inner learning rates; LaCT's large-chunk SwiGLU fast-weight update with Muon's Newton-Schulz); embedding and reranker
models (sentence-transformers' mean pooling, e5's average_pool, bge's CLS scores, last-token pooling, Matryoshka
truncation, XLM-R cross-encoder heads, LLM yes / no rerankers, instruction-masked pooling, NV-Embed's latent
attention); multimodal front-ends (CLIP, SigLIP and unfold + linear patch embeddings at 224-1920 px; LLaVA-NeXT's
anyres split and merge and its projector; Qwen2-VL's conv3d patch embedding and 2 x 2 patch mergers; InternVL's pixel
shuffle; Whisper's conv1d stem; Qwen2-Audio's pooling projector; modal tokens interleaved by index_put and LLaVA's
masked_scatter).
Data-dependent steps of the reference code are written without data-dependent shapes: boolean-index updates as where
and masked_fill (vLLM's repetition penalty), per-expert loops as router outputs and gathered expert weights, left /
right padding branches at their right-padded path, the largest top-k at a fixed bound, sgmv's expanded adapter ids
given per token, the TTT scans cut to one mini-batch and LaCT's to one chunk.
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK34 = "realcode-check34"


def _check34():
    import math
    from functools import partial as P

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _dtype_makers, _meta_makers, rotate_half

    m, i = _meta_makers()

    mh, mf, mb, mi32 = _dtype_makers()

    def mu8(*shape):  # uint8 (packed guided-decoding bitmasks)
        return m(*shape, dt=torch.uint8)

    NEG = float("-inf")
    out = []

    # ================================================================== samplers and logits processors
    def hf_repetition_penalty(scores, input_ids, penalty=1.2):  # transformers' RepetitionPenaltyLogitsProcessor: the
        score = torch.gather(scores, 1, input_ids)  # logits of every token seen gathered, divided (or multiplied when
        score = torch.where(score < 0, score * penalty, score / penalty)  # negative) by the penalty, scattered back
        return scores.scatter(1, input_ids, score)

    # Llama-3.1-8B at 1 x 4096 seen tokens, Llama-2-7B at 8 x 2048, Qwen2.5-7B at 32 x 1024, Gemma-2 at 64 x 512,
    # Qwen2.5-0.5B at 4 x 8192
    for b, t, v in ((1, 4096, 128256), (8, 2048, 32000), (32, 1024, 152064), (64, 512, 256000), (4, 8192, 151936)):
        out.append(("hf_repetition_penalty", hf_repetition_penalty, (mf(b, v), i(b, t))))

    def vllm_penalties(logits, prompt_ids, output_ids, rep, freq, pres):  # vLLM's apply_penalties: prompt and output
        n, v = logits.shape  # token counts by scatter_add_ into a vocab + 1 bin (the padding id), their masks, the
        pb = torch.zeros((n, v + 1), dtype=torch.long, device=logits.device)  # repetition penalty as a where over
        pb.scatter_add_(1, prompt_ids, torch.ones_like(prompt_ids))  # the sign, frequency and presence subtracted
        pmask = pb[:, :v] > 0
        ob = torch.zeros((n, v + 1), dtype=torch.long, device=logits.device)
        ob.scatter_add_(1, output_ids, torch.ones_like(output_ids))
        ocounts = ob[:, :v]
        omask = ocounts > 0
        reps = rep.unsqueeze(1).repeat(1, v)
        penalties = torch.where(pmask | omask, reps, 1.0)
        logits = logits * torch.where(logits > 0, 1.0 / penalties, penalties)
        logits -= freq.unsqueeze(1) * ocounts
        logits -= pres.unsqueeze(1) * omask
        return logits

    # batches of 16 and 128 requests over Llama-3's and Llama-2's vocabularies
    for b, tp, to, v in ((16, 1024, 256, 128256), (128, 256, 64, 32000)):
        out.append(("vllm_penalties", vllm_penalties, (mf(b, v), i(b, tp), i(b, to), mf(b), mf(b), mf(b))))

    def min_p(logits, p):  # vLLM's apply_min_p: probabilities, each row's max scaled by its request's min_p, the
        probs = torch.softmax(logits, dim=-1)  # tokens below it masked
        top = probs.amax(dim=-1, keepdim=True)
        return logits.masked_fill(probs < p.unsqueeze(1) * top, NEG)

    for b, v in ((1, 128256), (32, 152064), (128, 32000), (256, 128256), (16, 262208)):
        out.append(("min_p", min_p, (mf(b, v), mf(b))))

    def top_a(scores, a=0.2):  # top-a (text-generation-webui's TopALogitsWarper): the limit a * max(p)^2
        probs = torch.softmax(scores, dim=-1)
        limit = torch.pow(probs.max(dim=-1, keepdim=True).values, 2.0) * a
        return scores.masked_fill(probs < limit, NEG)

    for b, v in ((1, 32000), (8, 128256), (4, 152064)):
        out.append(("top_a", top_a, (mf(b, v),)))

    def eta_warp(scores, epsilon=3e-4):  # transformers' EtaLogitsWarper: the entropy of each row, eta = min(eps,
        probs = scores.softmax(dim=-1)  # sqrt(eps) exp(-H)), tokens below it removed unless in the top 1
        logp = torch.log_softmax(scores, dim=-1).clamp(min=torch.finfo(scores.dtype).min)
        entropy = -(logp * probs).sum(-1)
        eps = torch.tensor(epsilon, device=scores.device)
        eta = torch.min(eps, torch.sqrt(eps) * torch.exp(-entropy))[..., None]
        remove = probs < eta
        remove = remove & (scores < torch.topk(scores, 1)[0][..., -1, None])
        return scores.masked_fill(remove, NEG)

    for b, v in ((1, 32000), (16, 128256)):
        out.append(("eta_sampling", eta_warp, (mf(b, v),)))

    def epsilon_warp(scores, epsilon=3e-4):  # transformers' EpsilonLogitsWarper
        probs = scores.softmax(dim=-1)
        remove = (probs < epsilon) & (scores < torch.topk(scores, 1)[0][..., -1, None])
        return scores.masked_fill(remove, NEG)

    for b, v in ((8, 32064), (32, 128256), (2, 262208)):
        out.append(("epsilon_sampling", epsilon_warp, (mf(b, v),)))

    def typical_warp(scores, mass=0.9):  # transformers' TypicalLogitsWarper: each token's distance from the entropy,
        normalized = F.log_softmax(scores, dim=-1)  # sorted ascending, the cumulative mass of the sorted logits,
        p = torch.exp(normalized)  # the cut by a count and a gather, scattered back to vocab order
        ent = -(normalized * p).nansum(-1, keepdim=True)
        shifted = torch.abs((-normalized) - ent)
        sorted_scores, sorted_indices = torch.sort(shifted, descending=False)
        sorted_logits = scores.gather(-1, sorted_indices)
        cum = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        last_ind = (cum < mass).sum(dim=1)
        last_ind.clamp_(max=sorted_scores.shape[-1] - 1)
        remove_sorted = sorted_scores > sorted_scores.gather(1, last_ind.view(-1, 1))
        remove = remove_sorted.scatter(1, sorted_indices, remove_sorted)
        return scores.masked_fill(remove, NEG)

    for b, v in ((1, 32000), (16, 152064)):
        out.append(("typical_sampling", typical_warp, (mf(b, v),)))

    def dry_penalty(logits, ids, mult=0.8, base=1.75, allowed=2, n=8):  # DRY's n-gram penalty in torch: each
        tail = ids[:, -n:].flip(-1)  # earlier window of n tokens compared with the latest n (newest first), its match
        win = ids.unfold(1, n, 1)[:, :-1].flip(-1)  # length by cumprod, the token that followed it penalised by
        match = (win == tail.unsqueeze(1)).int().cumprod(-1).sum(-1)  # mult * base^(len - allowed), the largest
        nxt = ids[:, n:]  # penalty per token by scatter_reduce amax
        pen = mult * torch.pow(base, (match - allowed).clamp(min=0).float())
        pen = pen.masked_fill(match < allowed, 0.0)
        full = torch.zeros_like(logits).scatter_reduce_(1, nxt, pen, reduce="amax")
        return logits - full

    for b, t, v in ((1, 8192, 128256), (32, 4096, 32000)):
        out.append(("dry_penalty", dry_penalty, (mf(b, v), i(b, t))))

    def logit_bias_sparse(logits, ids, bias):  # OpenAI-style logit_bias per request: its (token, bias) pairs added
        return logits.scatter_add_(1, ids, bias)  # by scatter_add_

    def logit_bias_dense(logits, bias):  # a dense per-vocab bias row added to every request
        return logits.add_(bias)

    for b, k, v in ((32, 300, 128256), (256, 16, 152064), (1, 1000, 32000)):
        out.append(("logit_bias_sparse", logit_bias_sparse, (mf(b, v), i(b, k), mf(b, k))))
    for b, v in ((64, 128256), (8, 256000)):
        out.append(("logit_bias_dense", logit_bias_dense, (mf(b, v), mf(v))))

    def temperature(logits, t):  # the LM head's 16-bit logits cast to fp32 and divided by each request's temperature
        logits = logits.float()
        logits.div_(t.unsqueeze(dim=1))
        return logits

    for b, v in ((1, 128256), (4, 152064), (16, 32000), (48, 256000), (96, 128256), (200, 151936), (256, 102400)):
        out.append(("temperature_per_request", temperature, (m(b, v), mf(b))))

    def top_k_top_p(logits, k, p):  # vLLM's apply_top_k_top_p with per-request k and p: an ascending sort, the k-th
        logits_sort, logits_idx = logits.sort(dim=-1, descending=False)  # largest by a gather, the cumulative
        top_k_mask = logits_sort.size(1) - k.to(torch.long)  # probabilities cut at 1 - p, scattered back
        top_k_mask = logits_sort.gather(1, top_k_mask.unsqueeze(dim=1))
        logits_sort.masked_fill_(logits_sort < top_k_mask, NEG)
        probs_sum = logits_sort.softmax(dim=-1).cumsum(dim=-1)
        top_p_mask = probs_sum <= 1 - p.unsqueeze(dim=1)
        top_p_mask[:, -1] = False
        logits_sort.masked_fill_(top_p_mask, NEG)
        return logits_sort.scatter(dim=-1, index=logits_idx, src=logits_sort)

    for b, v in ((8, 128256), (256, 32064)):
        out.append(("top_k_top_p", top_k_top_p, (mf(b, v), mi32(b), mf(b))))

    def top_k_only(logits, k, max_k=50):  # vLLM's apply_top_k_only: torch.topk at the batch's largest k, each
        top = logits.topk(max_k, dim=1).values  # request's threshold by a gather, the rest masked
        thresh = top.gather(1, (k - 1).clamp(min=0).unsqueeze(1).long())
        return logits.masked_fill_(logits < thresh, NEG)

    for b, v, mk in ((16, 128256, 50), (128, 152064, 20), (256, 32000, 100)):
        out.append(("top_k_only", P(top_k_only, max_k=mk), (mf(b, v), i(b))))

    def exponential_sample(logits):  # vLLM's random_sample: fp32 probabilities divided by Exp(1) draws, the argmax
        probs = logits.softmax(dim=-1, dtype=torch.float32)
        q = torch.empty_like(probs).exponential_()
        return probs.div_(q).argmax(dim=-1).view(-1)

    for b, v in ((1, 128256), (16, 152064), (64, 32000), (256, 128256)):
        out.append(("exponential_sample", exponential_sample, (mf(b, v),)))

    def gumbel_sample(logits, temps):  # seeded Gumbel-max per request: -log(-log(u)) noise added to the tempered
        u = torch.rand_like(logits).clamp_(1e-10, 1.0)  # logits, the argmax
        g = -torch.log(-torch.log(u))
        return (logits / temps.unsqueeze(1) + g).argmax(dim=-1)

    for b, v in ((4, 128256), (32, 256000), (128, 151936)):
        out.append(("gumbel_sample", gumbel_sample, (mf(b, v), mf(b))))

    def bitmask_int32(logits, bitmask):  # xgrammar's apply_token_bitmask_inplace in torch: the int32 words unpacked
        b, v = logits.shape  # by shifts against arange(32), the bits past the vocab cut, disallowed tokens to -inf
        bits = torch.arange(32, device=logits.device, dtype=torch.int32)
        allowed = ((bitmask.unsqueeze(-1) >> bits) & 1).bool().view(b, -1)[:, :v]
        return logits.masked_fill_(~allowed, NEG)

    def bitmask_subset(logits, bitmask, rows):  # vLLM's structured-output path: only the guided requests' rows
        sub = logits.index_select(0, rows)  # selected, masked, and copied back
        sub = bitmask_int32(sub, bitmask)
        return logits.index_copy_(0, rows, sub)

    def bitmask_uint8(logits, mask):  # a uint8 packed bitmask (numpy's packbits order) unpacked by shifts 7..0
        b, v = logits.shape
        shifts = torch.arange(7, -1, -1, device=logits.device, dtype=torch.uint8)
        allowed = ((mask.unsqueeze(-1) >> shifts) & 1).view(b, -1)[:, :v].bool()
        return torch.where(allowed, logits, torch.full_like(logits, NEG))

    for b, v in ((1, 128256), (16, 152064), (64, 32000), (128, 128256), (32, 151936)):
        out.append(("guided_bitmask_int32", bitmask_int32, (mf(b, v), mi32(b, (v + 31) // 32))))
    for b, g, v in ((64, 8, 128256), (256, 32, 152064)):
        out.append(("guided_bitmask_subset", bitmask_subset, (mf(b, v), mi32(g, (v + 31) // 32), i(g))))
    for b, v in ((8, 32000), (32, 128256), (4, 262208)):
        out.append(("guided_bitmask_uint8", bitmask_uint8, (mf(b, v), mu8(b, (v + 7) // 8))))

    def beam_step(logits, beam_scores, input_ids, k_cache, v_cache, beams=4):  # transformers' beam search step:
        bb, v = logits.shape  # fp32 log_softmax plus each beam's score, topk over beams x vocab, the source beams
        b = bb // beams  # by a floor division and the tokens by a remainder, the beams' ids and KV caches
        logp = F.log_softmax(logits.float(), dim=-1) + beam_scores[:, None]  # reordered by index_select
        top_v, top_i = torch.topk(logp.view(b, beams * v), 2 * beams, dim=1, largest=True, sorted=True)
        src = torch.div(top_i, v, rounding_mode="floor")
        tok = top_i % v
        sel = (src[:, :beams] + torch.arange(b, device=logits.device).unsqueeze(1) * beams).view(-1)
        ids = torch.cat([input_ids.index_select(0, sel), tok[:, :beams].reshape(-1, 1)], dim=-1)
        return top_v[:, :beams].reshape(-1), ids, k_cache.index_select(0, sel), v_cache.index_select(0, sel)

    # Llama-3.1-8B 1 x 4 beams at 512, Llama-2-7B (fp16) 4 x 4 at 1024
    for b, nb, v, t, hk, d, dt in ((1, 4, 128256, 512, 8, 128, torch.bfloat16),
                                   (4, 4, 32000, 1024, 32, 128, torch.float16)):
        out.append(("beam_search_step", P(beam_step, beams=nb),
                    (m(b * nb, v, dt=dt), mf(b * nb), i(b * nb, t), m(b * nb, hk, t, d, dt=dt),
                     m(b * nb, hk, t, d, dt=dt))))

    def gather_logprobs(logits, token_ids, n=20):  # vLLM's logprobs: fp32 log_softmax of the 16-bit logits, the top
        logprobs = logits.log_softmax(dim=-1, dtype=torch.float32)  # n, the sampled token's by a gather, its rank
        top_lp, top_idx = torch.topk(logprobs, n, dim=-1)  # by counting the larger ones
        tok_lp = logprobs.gather(-1, token_ids.unsqueeze(-1))
        ranks = (logprobs > tok_lp).sum(-1)
        return torch.cat((tok_lp, top_lp), dim=1), torch.cat((token_ids.unsqueeze(-1), top_idx), dim=1), ranks

    # decode logprobs at 1 and 32 requests; prompt logprobs over a 2048-token prompt
    for b, v, n in ((1, 128256, 5), (32, 152064, 20), (2048, 128256, 5)):
        out.append(("gather_logprobs", P(gather_logprobs, n=n), (m(b, v), i(b))))

    # ================================================================== batching bookkeeping
    def packed_positions(seqlens, total=8192):  # cu_seqlens by an int32 cumsum padded with a zero, each packed token's
        cu = F.pad(torch.cumsum(seqlens, dim=0, dtype=torch.int32), (1, 0))  # sequence by searchsorted, its
        ar = torch.arange(total, device=seqlens.device, dtype=torch.int32)  # position by subtracting its start
        seq = torch.searchsorted(cu, ar, right=True) - 1
        return cu, seq, ar - cu[seq]

    for n, total in ((8, 8192), (256, 65536), (1024, 262144)):
        out.append(("packed_positions", P(packed_positions, total=total), (mi32(n),)))

    def varlen_sdpa(q, k, v, seq):  # varlen attention in torch: packed sequences' block-diagonal causal bool mask from
        t = q.shape[2]  # their sequence ids, SDPA over the packed row
        same = seq[:, None] == seq[None, :]
        causal = torch.ones(t, t, dtype=torch.bool, device=q.device).tril()
        return F.scaled_dot_product_attention(q, k, v, attn_mask=(same & causal)[None, None],
                                              enable_gqa=q.shape[1] != k.shape[1])

    for t, h, hk in ((2048, 32, 8), (4096, 28, 4), (8192, 32, 8), (3072, 40, 8)):
        out.append(("varlen_mask_sdpa", varlen_sdpa, (m(1, h, t, 128), m(1, hk, t, 128), m(1, hk, t, 128),
                                                      mi32(t))))

    def sarathi_step(x, w_qkv, k_pre, v_pre, k_dec, v_dec, chunk=512, nh=32, nkv=8, hd=128):  # a Sarathi mixed
        qkv = F.linear(x, w_qkv)  # batch: a prefill chunk and the decodes' tokens through one fused qkv projection,
        q, k, v = qkv.split([nh * hd, nkv * hd, nkv * hd], dim=-1)  # the chunk attending to its cached prefix and
        pre = k_pre.shape[2]  # itself, each decode to its cache and its new token
        qp = q[:chunk].view(1, chunk, nh, hd).transpose(1, 2)
        kp = torch.cat([k_pre, k[:chunk].view(1, chunk, nkv, hd).transpose(1, 2)], 2)
        vp = torch.cat([v_pre, v[:chunk].view(1, chunk, nkv, hd).transpose(1, 2)], 2)
        mask = torch.ones(chunk, pre + chunk, dtype=torch.bool, device=x.device).tril(pre)
        op = F.scaled_dot_product_attention(qp, kp, vp, attn_mask=mask, enable_gqa=True)
        nd = x.shape[0] - chunk
        qd = q[chunk:].view(nd, nh, 1, hd)
        kd = torch.cat([k_dec, k[chunk:].view(nd, nkv, 1, hd)], 2)
        vd = torch.cat([v_dec, v[chunk:].view(nd, nkv, 1, hd)], 2)
        od = F.scaled_dot_product_attention(qd, kd, vd, enable_gqa=True)
        return torch.cat([op.transpose(1, 2).reshape(chunk, -1), od.reshape(nd, -1)], 0)

    # Llama-3.1-8B (chunk 512 after 1536, 32 decodes at 1024), Qwen2.5-7B (2048 after 2048, 64 at 2048), Llama-3.1-70B
    # at TP 8's slice of heads (8 heads, 1 KV head: chunk 256 after 4096, 128 decodes at 512)
    for hid, nh, nkv, chunk, pre, nd, ctx in ((4096, 32, 8, 512, 1536, 32, 1024), (3584, 28, 4, 2048, 2048, 64, 2048),
                                              (8192, 8, 1, 256, 4096, 128, 512)):
        out.append(("sarathi_mixed_batch", P(sarathi_step, chunk=chunk, nh=nh, nkv=nkv),
                    (m(chunk + nd, hid), m((nh + 2 * nkv) * 128, hid), m(1, nkv, pre, 128), m(1, nkv, pre, 128),
                     m(nd, nkv, ctx, 128), m(nd, nkv, ctx, 128))))

    def slot_mapping(block_table, req_idx, positions, block=16):  # vLLM v1's slot mapping on the GPU: each token's
        mb = block_table.shape[1]  # index into the flattened block table, its block number, block * size + offset
        idx = req_idx * mb + torch.div(positions, block, rounding_mode="floor")
        return block_table.flatten()[idx] * block + positions % block

    for t, reqs, nblk in ((8192, 256, 512), (2048, 64, 2048), (32768, 16, 2048), (256, 256, 128)):
        out.append(("slot_mapping", slot_mapping, (mi32(reqs, nblk), i(t), i(t))))

    def condense_batch(block_table, token_ids, num_tokens, src, dst):  # vLLM's InputBatch.condense: finished
        block_table.index_copy_(0, dst, block_table.index_select(0, src))  # requests' slots filled by moving the
        token_ids.index_copy_(0, dst, token_ids.index_select(0, src))  # last rows down
        num_tokens.index_copy_(0, dst, num_tokens.index_select(0, src))
        return block_table, token_ids, num_tokens

    for reqs, nblk, mt, n in ((256, 2048, 32768, 32), (128, 8192, 131072, 8)):
        out.append(("condense_batch", condense_batch, (mi32(reqs, nblk), mi32(reqs, mt), mi32(reqs), i(n), i(n))))

    def prefix_hit_prefill(q, k_new, v_new, k_cache, v_cache, blocks):  # a prefix-cache hit: the cached prefix's
        nkv, d = k_cache.shape[2], k_cache.shape[3]  # pages gathered by block id, the suffix's keys appended, the
        kp = k_cache[blocks].reshape(1, -1, nkv, d).transpose(1, 2)  # suffix's causal prefill over both
        vp = v_cache[blocks].reshape(1, -1, nkv, d).transpose(1, 2)
        pre, t = kp.shape[2], q.shape[2]
        k = torch.cat([kp, k_new], 2)
        v = torch.cat([vp, v_new], 2)
        mask = torch.ones(t, pre + t, dtype=torch.bool, device=q.device).tril(pre)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)

    for nb, t, h, hk, pool in ((256, 512, 32, 8, 8192), (1024, 1024, 28, 4, 16384), (128, 2048, 32, 8, 4096)):
        out.append(("prefix_hit_prefill", prefix_hit_prefill,
                    (m(1, h, t, 128), m(1, hk, t, 128), m(1, hk, t, 128), m(pool, 16, hk, 128),
                     m(pool, 16, hk, 128), mi32(nb))))

    def last_tokens_logits(hidden, cu_seqlens, w):  # a packed batch's logits indices (cu_seqlens[1:] - 1), their
        idx = (cu_seqlens[1:] - 1).long()  # hidden rows selected, the LM head, fp32 logits
        return F.linear(hidden[idx], w).float()

    for t, n, hid, v in ((8192, 64, 4096, 128256), (16384, 32, 3584, 152064), (4096, 8, 2048, 128256),
                         (32768, 256, 5120, 152064)):
        out.append(("packed_last_logits", last_tokens_logits, (m(t, hid), mi32(n + 1), m(v, hid))))

    # ================================================================== multi-LoRA serving
    def bgmv_shrink(x, lora_a, ids, out_buf, scale=1.0):  # vLLM's torch bgmv_shrink: each token's adapter A
        sel = lora_a[ids].to(dtype=out_buf.dtype)  # gathered and cast to the fp32 buffer, an einsum bi,boi->bo
        outs = torch.einsum("bi, boi -> bo", x.to(dtype=out_buf.dtype), sel)
        out_buf[:, : outs.shape[1]] = scale * outs
        return out_buf

    def bgmv_expand(x, lora_b, ids, out_buf):  # vLLM's torch bgmv_expand with add_inputs: each token's B gathered,
        sel = lora_b[ids].to(dtype=out_buf.dtype)  # the rank-r activations cast to the output dtype, added
        outs = torch.einsum("bi, boi -> bo", x.to(dtype=out_buf.dtype), sel)
        out_buf[:, : outs.shape[1]] += outs
        return out_buf

    # decode batches of 32 and 128 tokens and a 2048-token prefill over 8-32 adapters: Llama-3.1-8B's q (4096) and
    # gate / up (14336) at ranks 16 and 64
    for t, hin, r, hout, n in ((32, 4096, 16, 4096, 8), (128, 4096, 64, 14336, 32), (2048, 4096, 16, 4096, 8)):
        out.append(("bgmv_shrink", bgmv_shrink, (m(t, hin), m(n, r, hin), i(t), mf(t, r))))
        out.append(("bgmv_expand", bgmv_expand, (mf(t, r), m(n, hout, r), i(t), m(t, hout))))

    def slora_bmm(x, w, a, b, ids, scale=2.0):  # S-LoRA's batched path in torch: the base projection, each
        base = F.linear(x, w)  # request's adapter A and B gathered by index_select, two bmms
        aa = a.index_select(0, ids)
        bb = b.index_select(0, ids)
        return base + torch.bmm(torch.bmm(x, aa), bb) * scale

    for bs, hid, r, hout, n in ((32, 4096, 8, 4096, 100), (16, 4096, 32, 14336, 20)):
        out.append(("slora_gathered_bmm", slora_bmm, (mh(bs, 1, hid), mh(hout, hid), mh(n, hid, r), mh(n, r, hout),
                                                      i(bs))))

    def peft_lora_linear(x, w, a, b, scaling=2.0):  # PEFT's lora.Linear forward: the base layer plus B(A(x)) scaled
        return F.linear(x, w) + F.linear(F.linear(x, a), b) * scaling

    for shp, hin, hout, r in (((1, 4096, 4096), 4096, 4096, 16), ((1, 2048, 8192), 8192, 29568, 64),
                              ((8, 1024, 2048), 2048, 11008, 8)):
        out.append(("peft_lora_linear", peft_lora_linear, (m(*shp), m(hout, hin), m(r, hin), m(hout, r))))

    def lora_merge(w, a, b, scaling=2.0):  # PEFT's merge and unmerge: the delta B @ A scaled, added in place, taken
        delta = (b @ a) * scaling  # out again
        w += delta
        w -= delta
        return w

    for hout, hin, r, dt in ((4096, 4096, 16, torch.bfloat16), (14336, 4096, 64, torch.bfloat16),
                             (8192, 28672, 128, torch.bfloat16), (5120, 5120, 8, torch.float16),
                             (18944, 3584, 32, torch.float16)):
        out.append(("lora_merge_unmerge", lora_merge, (m(hout, hin, dt=dt), m(r, hin, dt=dt), m(hout, r, dt=dt))))

    def dora_linear(x, w, a, b, mag, scaling=2.0):  # PEFT's DoRA forward: the merged weight's per-row L2 norm, the
        weight = w + scaling * (b @ a)  # magnitude over it, the base output rescaled and the LoRA branch added
        weight_norm = torch.linalg.norm(weight, dim=1).to(weight.dtype)
        scale = (mag / weight_norm).view(1, -1)
        base = F.linear(x, w)
        lora = F.linear(F.linear(x, a), b)
        return base + (scale - 1) * base + scale * lora * scaling

    for shp, hin, hout, r in (((4, 512, 4096), 4096, 4096, 16), ((1, 2048, 3584), 3584, 18944, 32)):
        out.append(("dora_linear", dora_linear, (m(*shp), m(hout, hin), m(r, hin), m(hout, r), m(hout))))

    # ================================================================== model-family specifics
    def gemma2_final_softcap(hidden, w, cap=30.0):  # Gemma-2's LM head over the last token, its logits soft-capped
        logits = F.linear(hidden[:, -1:, :], w)  # by tanh
        logits = logits / cap
        logits = torch.tanh(logits)
        return (logits * cap).float()

    # Gemma-2-9B (3584) decode at 1, 16, 64 and after a 4096 prompt, Gemma-2-27B (4608) at 8, Gemma-2-2B (2304) at 32
    for b, t, hid in ((1, 1, 3584), (16, 1, 3584), (64, 1, 3584), (1, 4096, 3584), (8, 1, 4608), (32, 1, 2304)):
        out.append(("gemma2_final_softcap", gemma2_final_softcap, (m(b, t, hid), m(256000, hid))))

    def gemma2_eager_attn(q, k, v, cache_position, scaling, window=4096, cap=50.0):  # Gemma-2's eager attention:
        hq, hk = q.shape[1], k.shape[1]  # scores scaled by query_pre_attn_scalar^-0.5, soft-capped by tanh, the
        k = k.repeat_interleave(hq // hk, dim=1)  # causal mask with its sliding window from cache_position, an
        v = v.repeat_interleave(hq // hk, dim=1)  # fp32 softmax cast back, the values
        s = torch.matmul(q, k.transpose(2, 3)) * scaling
        s = torch.tanh(s / cap) * cap
        t = k.shape[2]
        ar = torch.arange(t, device=q.device)
        masked = ar > cache_position.reshape(-1, 1)
        masked |= ar <= (cache_position.reshape(-1, 1) - window)
        s = s.masked_fill(masked, torch.finfo(s.dtype).min)
        p = F.softmax(s, dim=-1, dtype=torch.float32).to(q.dtype)
        return torch.matmul(p, v)

    # Gemma-2-9B (16 x 256, 8 KV, scale 256^-0.5) over a 4096-token prompt with a 1024 window (Gemma-3's), Gemma-2-27B
    # (32 x 128, 16 KV, scale 144^-0.5) at 2 x 1024
    for b, tq, t, h, hk, d, sc_, win in ((1, 4096, 4096, 16, 8, 256, 256, 1024),
                                         (2, 1024, 1024, 32, 16, 128, 144, 4096)):
        out.append(("gemma2_softcap_attention", P(gemma2_eager_attn, scaling=sc_ ** -0.5, window=win),
                    (m(b, h, tq, d), m(b, hk, t, d), m(b, hk, t, d), i(tq))))

    def mistral_rolling_step(q, k_cache, v_cache, xk, xv, pos=5000):  # mistral-src's rotating buffer: the new key
        w = k_cache.shape[1]  # written at pos % window, the cache unrotated into time order by two slices and a cat,
        slot = pos % w  # attention of the step over it
        k_cache[:, slot] = xk[:, 0]
        v_cache[:, slot] = xv[:, 0]
        k = torch.cat([k_cache[:, slot + 1:], k_cache[:, : slot + 1]], 1).transpose(1, 2)
        v = torch.cat([v_cache[:, slot + 1:], v_cache[:, : slot + 1]], 1).transpose(1, 2)
        return F.scaled_dot_product_attention(q.transpose(1, 2), k, v, enable_gqa=True)

    def mistral_roll_unrotate(k_cache, pos=5000):  # the unrotation by torch.roll
        return torch.roll(k_cache, shifts=-(pos % k_cache.shape[1] + 1), dims=1)

    for b, w in ((8, 4096), (32, 4096), (1, 32768)):
        out.append(("mistral_rolling_cache", mistral_rolling_step,
                    (m(b, 1, 32, 128), m(b, w, 8, 128), m(b, w, 8, 128), m(b, 1, 8, 128), m(b, 1, 8, 128))))
        out.append(("mistral_roll_unrotate", mistral_roll_unrotate, (m(b, w, 8, 128),)))

    def mrope(q, k, position_ids, inv_freq, section=(16, 24, 24)):  # Qwen2-VL's multimodal rotary: the temporal,
        b = position_ids.shape[1]  # height and width positions' freqs by one batched matmul, cos / sin cast to the
        inv = inv_freq[None, None, :, None].float().expand(3, b, -1, 1)  # model dtype, the sections interleaved
        pos = position_ids[:, :, None, :].float()  # by split and cat, applied with rotate_half
        freqs = (inv @ pos).transpose(2, 3)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos().to(q.dtype), emb.sin().to(q.dtype)
        sec = list(section) * 2
        cos = torch.cat([c[j % 3] for j, c in enumerate(cos.split(sec, dim=-1))], dim=-1).unsqueeze(1)
        sin = torch.cat([s[j % 3] for j, s in enumerate(sin.split(sec, dim=-1))], dim=-1).unsqueeze(1)
        return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin

    # Qwen2-VL-7B (28 / 4 heads) over 4096 tokens and its decode at 32
    for b, t, h, hk in ((1, 4096, 28, 4), (32, 1, 28, 4)):
        out.append(("qwen2vl_mrope", mrope, (m(b, h, t, 128), m(b, hk, t, 128), i(3, b, t), mf(64))))

    def vision_rot_pos(inv_freq, t=1, h=64, w=64, merge=2):  # Qwen2-VL's vision rotary positions: the row and
        dev = inv_freq.device  # column ids of each patch in merge-window order by reshape / permute, the freqs of
        hpos = torch.arange(h, device=dev).unsqueeze(1).expand(-1, w)  # 0..max(h, w) by an outer product,
        hpos = hpos.reshape(h // merge, merge, w // merge, merge).permute(0, 2, 1, 3).flatten()  # gathered per patch
        wpos = torch.arange(w, device=dev).unsqueeze(0).expand(h, -1)
        wpos = wpos.reshape(h // merge, merge, w // merge, merge).permute(0, 2, 1, 3).flatten()
        pos_ids = torch.stack([hpos, wpos], dim=-1).repeat(t, 1)
        seq = torch.arange(max(h, w), device=dev, dtype=inv_freq.dtype)
        freqs = torch.outer(seq, inv_freq)
        return freqs[pos_ids].flatten(1)

    for t, h, w in ((1, 64, 64), (2, 36, 64)):
        out.append(("qwen2vl_vision_rotary", P(vision_rot_pos, t=t, h=h, w=w), (mf(20),)))

    def rope_cos_sin(x, position_ids, inv_freq, attention_scaling=1.0):  # transformers' rotary forward: the inverse
        b = position_ids.shape[0]  # frequencies expanded over the batch, a batched fp32 matmul with the positions,
        inv = inv_freq[None, :, None].float().expand(b, -1, 1)  # cat, cos / sin scaled and cast
        pos = position_ids[:, None, :].float()
        freqs = (inv @ pos).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        return (emb.cos() * attention_scaling).to(x.dtype), (emb.sin() * attention_scaling).to(x.dtype)

    def longrope(x, position_ids, ext, base=10000.0, dim=96, scale=32.0, orig=4096):  # Phi-3's LongRoPE: the
        shape = torch.arange(0, dim, 2, dtype=torch.int64, device=x.device).float() / dim  # inverse frequencies
        inv_freq = 1.0 / (ext * base ** shape)  # divided by the long / short factors, cos / sin scaled by
        mscale = math.sqrt(1 + math.log(scale) / math.log(orig))  # sqrt(1 + log s / log L)
        return rope_cos_sin(x, position_ids, inv_freq, mscale)

    # Phi-3-mini-128k (96-dim heads) at 1 x 32768 and decode at 64; Phi-3-medium-128k (128) at 16384
    for b, t, d in ((1, 32768, 96), (64, 1, 96), (1, 16384, 128)):
        out.append(("phi3_longrope", P(longrope, dim=d), (m(b, t, 3072), i(b, t), mf(d // 2))))

    def apply_rope(q, k, cos, sin):  # the rotary applied over [batch, heads, tokens, dim] with rotate_half
        cos, sin = cos.unsqueeze(1), sin.unsqueeze(1)
        return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin

    # Phi-3-mini's 32 x 96 heads (MHA) at 8192 and 4 x 2048; Phi-3-medium's 40 / 10 x 128 at 4096
    for b, t, h, hk, d in ((1, 8192, 32, 32, 96), (4, 2048, 32, 32, 96), (1, 4096, 40, 10, 128)):
        out.append(("rope_apply", apply_rope, (m(b, h, t, d), m(b, hk, t, d), m(b, t, d), m(b, t, d))))

    def yarn_rope(x, position_ids, base=1000000.0, dim=128, factor=4.0, orig=32768, beta_fast=32, beta_slow=1):
        # transformers' YaRN: the correction range from beta_fast / beta_slow, a linear ramp clamped to [0, 1] over
        # the dims, the interpolated and extrapolated frequencies blended, cos / sin scaled by 0.1 ln(s) + 1
        def corr(nrot):
            return (dim * math.log(orig / (nrot * 2 * math.pi))) / (2 * math.log(base))

        low, high = max(math.floor(corr(beta_fast)), 0), min(math.ceil(corr(beta_slow)), dim - 1)
        pos_freqs = base ** (torch.arange(0, dim, 2, device=x.device).float() / dim)
        extra, interp = 1.0 / pos_freqs, 1.0 / (factor * pos_freqs)
        ramp = torch.clamp((torch.arange(dim // 2, dtype=torch.float32, device=x.device) - low) / (high - low), 0, 1)
        extra_factor = 1 - ramp
        inv_freq = interp * (1 - extra_factor) + extra * extra_factor
        return rope_cos_sin(x, position_ids, inv_freq, 0.1 * math.log(factor) + 1.0)

    # Qwen2.5-7B-Instruct's YaRN (factor 4 over 32768) at 1 x 65536; DeepSeek-V2-Lite's 64-dim rope part (factor 40
    # over 4096) at 16384
    for b, t, d, base, factor, orig in ((1, 65536, 128, 1e6, 4.0, 32768), (1, 16384, 64, 10000.0, 40.0, 4096)):
        out.append(("yarn_rope", P(yarn_rope, dim=d, base=base, factor=factor, orig=orig),
                    (m(b, t, 3584), i(b, t))))

    def ntk_dynamic_rope(x, position_ids, base=10000.0, dim=128, factor=2.0, max_pos=4096):  # dynamic NTK: the base
        seq_len = position_ids.shape[-1]  # grown with the sequence, the inverse frequencies recomputed
        base = base * ((factor * seq_len / max_pos) - (factor - 1)) ** (dim / (dim - 2))
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64, device=x.device).float() / dim))
        return rope_cos_sin(x, position_ids, inv_freq)

    for b, t in ((1, 16384), (4, 8192)):
        out.append(("ntk_dynamic_rope", ntk_dynamic_rope, (mh(b, t, 4096), i(b, t))))

    def llama31_rope(x, position_ids, inv_freq, factor=8.0, low=1.0, high=4.0, orig=8192):  # Llama-3.1's rope
        low_wl, high_wl = orig / low, orig / high  # scaling: wavelengths, low frequencies divided by the factor,
        wavelen = 2 * math.pi / inv_freq  # the medium band smoothed between, then the usual cos / sin
        inv_llama = torch.where(wavelen > low_wl, inv_freq / factor, inv_freq)
        smooth = (orig / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * inv_llama / factor + smooth * inv_llama
        is_medium = ~(wavelen < high_wl) * ~(wavelen > low_wl)
        return rope_cos_sin(x, position_ids, torch.where(is_medium, smoothed, inv_llama))

    for b, t, hid in ((1, 131072, 8192), (64, 1, 8192)):
        out.append(("llama31_rope_scaling", llama31_rope, (m(b, t, hid), i(b, t), mf(64))))

    # ----------------------------------------------------------------- MoE routing
    def moe_router(x, gate_w, k=2, norm="sum"):  # Mixtral / Qwen-MoE / OLMoE / DBRX routers: fp32 softmax of the
        logits = F.linear(x, gate_w)  # gate's logits, topk, renormalised by their sum (Mixtral, Qwen3-MoE), by their
        w = F.softmax(logits, dim=1, dtype=torch.float)  # L1 norm (DBRX) or not at all (Qwen1.5-MoE, OLMoE,
        w, sel = torch.topk(w, k, dim=-1)  # DeepSeek-V2-Lite), the expert mask by one_hot and a permute
        if norm == "sum":
            w = w / w.sum(dim=-1, keepdim=True)
        elif norm == "l1":
            w = w / torch.norm(w, p=1, dim=-1, keepdim=True)
        mask = F.one_hot(sel, num_classes=gate_w.shape[0]).permute(2, 1, 0)
        return w.to(x.dtype), sel, mask

    routers = ((4096, 8, 2, "sum", (1, 4096)), (2048, 60, 4, None, (2048,)), (6144, 16, 4, "l1", (1024,)),
               (2048, 64, 8, None, (4096,)), (2048, 128, 8, "sum", (8192,)),
               (2048, 64, 6, None, (4096,)))
    for hid, e, k, norm, ts in routers:
        for t in ts:
            out.append(("moe_topk_router", P(moe_router, k=k, norm=norm), (m(t, hid), m(e, hid))))

    def load_balancing_loss(gate_logits, k=2):  # transformers' load_balancing_loss_func: the layers' router logits
        e = gate_logits.shape[-1]  # concatenated, softmax, top-k one_hot, tokens and probability per expert
        w = F.softmax(gate_logits, dim=-1)
        _, sel = torch.topk(w, k, dim=-1)
        mask = F.one_hot(sel, e)
        tokens_per_expert = torch.mean(mask.float(), dim=0)
        prob_per_expert = torch.mean(w, dim=0)
        return torch.sum(tokens_per_expert * prob_per_expert.unsqueeze(0)) * e

    for t, e, k in ((32 * 4096, 8, 2), (16 * 8192, 64, 8), (48 * 4096, 128, 8)):
        out.append(("moe_load_balancing_loss", P(load_balancing_loss, k=k), (mf(t, e),)))

    def shared_expert_gate(x, wg, wu, wd, gate_w):  # Qwen1.5-MoE / Qwen2-MoE's shared expert: a SwiGLU MLP scaled by
        y = F.linear(F.silu(F.linear(x, wg)) * F.linear(x, wu), wd)  # sigmoid(x @ w) of its own one-output gate
        return F.sigmoid(F.linear(x, gate_w)) * y

    for t, hid, inter in ((2048, 2048, 5632), (64, 2048, 5632), (4096, 3584, 20480), (256, 3584, 20480)):
        out.append(("moe_shared_expert_gate", shared_expert_gate,
                    (m(t, hid), m(inter, hid), m(inter, hid), m(hid, inter), m(1, hid))))

    def gptfast_moe(x, gate_w, w1, w2, w3, k=2):  # gpt-fast's MoE decode: the chosen experts' weights gathered per
        scores = F.linear(x, gate_w).softmax(dim=-1)  # token (w[expert_indices]) and applied by einsums
        ew, ei = torch.topk(scores, k, dim=-1)
        ew = ew / ew.sum(dim=-1, keepdim=True)
        x1 = F.silu(torch.einsum("ti,taoi -> tao", x, w1[ei]))
        x3 = torch.einsum("ti, taoi -> tao", x, w3[ei])
        eo = torch.einsum("tao, taio -> tai", (x1 * x3), w2[ei])
        return torch.einsum("tai,ta -> ti", eo, ew)

    # Mixtral-8x7B at 1 token, Qwen3-30B-A3B (128 x 768, top 8) at 4, OLMoE (64 x 1024, top 8) at 8
    for t, hid, e, inter, k in ((1, 4096, 8, 14336, 2), (4, 2048, 128, 768, 8), (8, 2048, 64, 1024, 8)):
        out.append(("gptfast_moe_decode", P(gptfast_moe, k=k),
                    (m(t, hid), m(e, hid), m(e, inter, hid), m(e, hid, inter), m(e, inter, hid))))

    # ----------------------------------------------------------------- attention variants
    def falcon_attn(x, w_qkv, nh=71, nkv=1, hd=64):  # Falcon's fused query_key_value: MQA (7B) split by slices and
        b, t, _ = x.shape  # list indexing, the new decoder architecture (40B, 180B) grouped then broadcast_to,
        fused = F.linear(x, w_qkv)  # causal SDPA
        if nkv == 1:
            fused = fused.view(b, t, nh + 2, hd)
            q, k, v = fused[..., :-2, :], fused[..., [-2], :], fused[..., [-1], :]
            k, v = k.expand(-1, -1, nh, -1), v.expand(-1, -1, nh, -1)
        else:
            qkv = fused.view(b, t, -1, nh // nkv + 2, hd)
            q, k, v = qkv[:, :, :, :-2], qkv[:, :, :, [-2]], qkv[:, :, :, [-1]]
            k, v = torch.broadcast_to(k, q.shape), torch.broadcast_to(v, q.shape)
            q, k, v = (y.flatten(2, 3) for y in (q, k, v))
        q, k, v = (y.transpose(1, 2) for y in (q, k, v))
        return F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(b, t, nh * hd)

    for b, t, hid, nh, nkv in ((1, 2048, 4544, 71, 1), (4, 512, 4544, 71, 1), (1, 2048, 8192, 128, 8),
                               (1, 1024, 14848, 232, 8)):
        out.append(("falcon_fused_qkv_attention", P(falcon_attn, nh=nh, nkv=nkv),
                    (m(b, t, hid), m((nh + 2 * nkv) * 64, hid))))

    def mqa_decode(q, k, v):  # a decode step of multi-query attention (Gemma-2B, Falcon-7B): one KV head shared
        return F.scaled_dot_product_attention(q, k, v, enable_gqa=True)

    for b, h, t, d in ((32, 8, 2048, 256), (128, 8, 1024, 256), (16, 71, 2048, 64), (64, 71, 512, 64)):
        out.append(("mqa_decode", mqa_decode, (m(b, h, 1, d), m(b, 1, t, d), m(b, 1, t, d))))

    def gptj_rope(q, k, embed_positions, position_ids, rot=64):  # GPT-J's partial interleaved rotary: sincos by a
        sincos = torch.gather(embed_positions, 1, position_ids.unsqueeze(-1).repeat(1, 1, embed_positions.shape[-1]))
        sin, cos = torch.split(sincos, rot // 2, dim=-1)  # gather, repeat_interleave'd, rotate_every_two by strided
        sin = torch.repeat_interleave(sin[:, :, None, :], 2, 3)  # slices and a stack, the first 64 dims rotated
        cos = torch.repeat_interleave(cos[:, :, None, :], 2, 3)

        def every_two(y):
            return torch.stack((-y[:, :, :, 1::2], y[:, :, :, ::2]), dim=-1).flatten(-2)

        def rot_(y):
            yr, yp = y[:, :, :, :rot], y[:, :, :, rot:]
            return torch.cat([yr * cos + every_two(yr) * sin, yp], dim=-1)

        return rot_(q), rot_(k)

    # GPT-J-6B (16 heads x 256, fp16) at 1 x 2048 and a decode step at 32
    for b, t in ((1, 2048), (32, 1)):
        out.append(("gptj_interleaved_rope", gptj_rope, (mh(b, t, 16, 256), mh(b, t, 16, 256), mf(b, 2048, 64),
                                                         i(b, t))))

    def bloom_alibi(attention_mask, num_heads=32, dtype=torch.bfloat16):  # BLOOM's build_alibi_tensor: the slopes
        b, t = attention_mask.shape  # by powers of the closest power of two (the extra heads' interleaved), the
        closest = 2 ** math.floor(math.log2(num_heads))  # positions by the mask's cumsum, their product
        dev = attention_mask.device
        base = torch.tensor(2 ** (-(2 ** -(math.log2(closest) - 3))), device=dev, dtype=torch.float32)
        slopes = torch.pow(base, torch.arange(1, 1 + closest, device=dev, dtype=torch.int32))
        if closest != num_heads:
            extra_base = torch.tensor(2 ** (-(2 ** -(math.log2(2 * closest) - 3))), device=dev, dtype=torch.float32)
            rem = min(closest, num_heads - closest)
            extra = torch.pow(extra_base, torch.arange(1, 1 + 2 * rem, 2, device=dev, dtype=torch.int32))
            slopes = torch.cat([slopes, extra], dim=0)
        arange_tensor = ((attention_mask.cumsum(dim=-1) - 1) * attention_mask)[:, None, :]
        alibi = slopes[..., None] * arange_tensor
        return alibi.reshape(b * num_heads, 1, t).to(dtype)

    def bloom_scores(alibi, q, k, causal, inv_norm=1 / math.sqrt(128)):  # BLOOM's attention scores: baddbmm of the
        bh, t, _ = q.shape  # alibi with q @ k^T, the causal mask filled, an fp32 softmax cast back
        s = alibi.baddbmm(batch1=q, batch2=k, beta=1.0, alpha=inv_norm)
        s = s.view(-1, 1, t, t).masked_fill(causal, torch.finfo(s.dtype).min)
        return F.softmax(s, dim=-1, dtype=torch.float32).to(q.dtype)

    # BLOOM-7B1 (32 heads of 128) at 1 x 2048, BLOOM-176B (112 heads) at 4 x 1024, BLOOM-560M (16 of 64) at 8 x 512
    for b, t, h, d in ((1, 2048, 32, 128), (4, 1024, 112, 128), (8, 512, 16, 64)):
        out.append(("bloom_alibi", P(bloom_alibi, num_heads=h), (i(b, t),)))
        out.append(("bloom_alibi_scores", P(bloom_scores, inv_norm=1 / math.sqrt(d)),
                    (m(b * h, 1, t), m(b * h, t, d), m(b * h, d, t), mb(1, 1, t, t))))

    def mpt_alibi_scores(q, k, n_heads=32, max_bias=8):  # MPT's alibi: -(|i - j|) from an int32 arange (full form),
        b, h, t, d = q.shape  # slopes 1 / 2^(8 h / H), added to the scaled scores, the causal fill, softmax
        dev = q.device
        bias = torch.arange(1 - t, 1, dtype=torch.int32, device=dev).view(1, 1, 1, t)
        bias = bias - torch.arange(1 - t, 1, dtype=torch.int32, device=dev).view(1, 1, t, 1)
        bias = bias.abs().mul(-1)
        m_ = torch.arange(1, n_heads + 1, dtype=torch.float32, device=dev).mul(max_bias / n_heads)
        slopes = (1.0 / torch.pow(2, m_)).view(1, n_heads, 1, 1)
        alibi = (bias * slopes).to(q.dtype)
        s = q.matmul(k.transpose(2, 3)) * (1 / math.sqrt(d)) + alibi
        causal = torch.ones(t, t, dtype=torch.bool, device=dev).tril().logical_not()
        s = s.masked_fill(causal.view(1, 1, t, t), torch.finfo(s.dtype).min)
        return torch.softmax(s, dim=-1)

    for b, t, h in ((2, 2048, 56),):
        out.append(("mpt_alibi_attention", P(mpt_alibi_scores, n_heads=h), (m(b, h, t, 128), m(b, h, t, 128))))

    # ----------------------------------------------------------------- norms, heads and parallel blocks
    def olmo2_rms(x, w, eps=1e-6):  # OLMo-2's RMSNorm: fp32, the weight multiplied before the cast back
        h = x.to(torch.float32)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
        return (w * h).to(x.dtype)

    def qwen3_rms(x, w, eps=1e-6):  # Qwen3's RMSNorm: fp32, cast back, then the weight
        h = x.to(torch.float32)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
        return w * h.to(x.dtype)

    def olmo2_qk_norm(x, wq, wk, nq, nk, hd=128):  # OLMo-2's QK-norm over the whole projections before the heads
        b, t, _ = x.shape
        q = olmo2_rms(F.linear(x, wq), nq)
        k = olmo2_rms(F.linear(x, wk), nk)
        return q.view(b, t, -1, hd).transpose(1, 2), k.view(b, t, -1, hd).transpose(1, 2)

    def qwen3_qk_norm(x, wq, wk, nq, nk, hd=128):  # Qwen3's per-head QK-norm over head_dim
        b, t, _ = x.shape
        q = qwen3_rms(F.linear(x, wq).view(b, t, -1, hd), nq).transpose(1, 2)
        k = qwen3_rms(F.linear(x, wk).view(b, t, -1, hd), nk).transpose(1, 2)
        return q, k

    # OLMo-2-7B (4096 MHA) at a prompt and decode, OLMo-2-32B (5120, 8 KV) at 2 x 2048
    for b, t, hid, kvw in ((1, 4096, 4096, 4096), (64, 1, 4096, 4096), (2, 2048, 5120, 1024)):
        out.append(("olmo2_qk_norm", olmo2_qk_norm, (m(b, t, hid), m(hid, hid), m(kvw, hid), m(hid), m(kvw))))
    # Qwen3-8B (32 / 8) at a prompt, Qwen3-32B (64 / 8 from 5120) at decode
    for b, t, hid, h, hk in ((1, 4096, 4096, 32, 8), (32, 1, 5120, 64, 8)):
        out.append(("qwen3_qk_norm", qwen3_qk_norm,
                    (m(b, t, hid), m(h * 128, hid), m(hk * 128, hid), m(128), m(128))))

    def gemma_embed_scale(ids, table):  # Gemma's embedding scaled by sqrt(hidden) as a tensor of the model dtype
        h = F.embedding(ids, table)
        return h * torch.tensor(table.shape[1] ** 0.5, dtype=h.dtype, device=h.device)

    def gemma_rms(x, w, eps=1e-6):  # Gemma's RMSNorm: fp32, scaled by (1 + w), type_as
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
        return (h * (1.0 + w.float())).type_as(x)

    def gemma2_sandwich(residual, attn_out, post_attn_w, pre_ff_w):  # Gemma-2's sandwich norms: the attention
        h = residual + gemma_rms(attn_out, post_attn_w)  # output normed before the residual add, the MLP's input
        return h, gemma_rms(h, pre_ff_w)  # normed again

    for b, t, hid, v in ((1, 4096, 3584, 256000), (64, 1, 3584, 256000), (1, 8192, 5376, 262208)):
        out.append(("gemma_embed_scale", gemma_embed_scale, (i(b, t), m(v, hid))))
        out.append(("gemma_rms_norm", gemma_rms, (m(b, t, hid), m(hid))))
        out.append(("gemma2_sandwich_norms", gemma2_sandwich, (m(b, t, hid), m(b, t, hid), m(hid), m(hid))))

    def cohere_ln(x, w, eps=1e-5):  # Cohere's LayerNorm without a bias: fp32 mean and variance by hand
        h = x.to(torch.float32)
        mean = h.mean(-1, keepdim=True)
        var = (h - mean).pow(2).mean(-1, keepdim=True)
        h = (h - mean) * torch.rsqrt(var + eps)
        return (w.to(torch.float32) * h).to(x.dtype)

    def cohere_parallel_block(x, ln_w, wqkv, wo, wg, wu, wd, nh=64, nkv=8, hd=128):  # Command-R's parallel block:
        b, t, hid = x.shape  # one bias-free LayerNorm, attention and the SwiGLU MLP from it, both added to x
        h = cohere_ln(x, ln_w)
        q, k, v = F.linear(h, wqkv).split([nh * hd, nkv * hd, nkv * hd], -1)
        q = q.view(b, t, nh, hd).transpose(1, 2)
        k = k.view(b, t, nkv, hd).transpose(1, 2)
        v = v.view(b, t, nkv, hd).transpose(1, 2)
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
        a = F.linear(a.transpose(1, 2).reshape(b, t, -1), wo)
        return x + a + F.linear(F.silu(F.linear(h, wg)) * F.linear(h, wu), wd)

    def cohere_qk_ln(q, wq, eps=1e-5):  # Command-R+'s per-head LayerNorm of q (weights [heads, head_dim])
        return cohere_ln(q, wq, eps)

    def cohere_logits(h, w, logit_scale=0.0625):  # Command-R's tied LM head over the last token times logit_scale
        return (F.linear(h[:, -1:, :], w) * logit_scale).float()

    for b, t, hid in ((1, 4096, 8192), (32, 1, 8192), (4, 1024, 4096)):
        out.append(("cohere_layernorm", cohere_ln, (m(b, t, hid), m(hid))))
        out.append(("cohere_logits", cohere_logits, (m(b, t, hid), m(256000, hid))))
    out.append(("cohere_parallel_block", cohere_parallel_block,
                (m(1, 1024, 8192), m(8192), m(10240, 8192), m(8192, 8192), m(22528, 8192), m(22528, 8192),
                 m(8192, 22528))))
    for b, t in ((1, 2048), (16, 1)):
        out.append(("cohere_qk_layernorm", cohere_qk_ln, (m(b, t, 96, 128), m(96, 128))))

    def tied_last_logits(hidden, emb):  # a tied-embedding LM head over only the last position (logits_to_keep=1),
        return F.linear(hidden[:, -1:, :], emb).float()  # fp32 logits

    for b, t, hid, v in ((1, 4096, 2048, 128256), (8, 1024, 3072, 128256), (32, 512, 896, 151936),
                         (4, 2048, 2048, 151936), (16, 1024, 2304, 256000), (64, 256, 3072, 32064),
                         (1, 8192, 8192, 128256), (128, 64, 1536, 151936)):
        out.append(("last_token_lm_head", tied_last_logits, (m(b, t, hid), m(v, hid))))

    def gptj_parallel_block(x, ln_w, ln_b, wq, wk, wv, wo, w_in, b_in, w_out, b_out, nh=16):  # GPT-J / Pythia's
        b, t, hid = x.shape  # parallel residual: one LayerNorm, attention and the gelu_new MLP side by side
        h = F.layer_norm(x, (hid,), ln_w, ln_b, 1e-5)
        q, k, v = (F.linear(h, w_).view(b, t, nh, -1).transpose(1, 2) for w_ in (wq, wk, wv))
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        a = F.linear(a.transpose(1, 2).reshape(b, t, hid), wo)
        mlp = F.linear(F.gelu(F.linear(h, w_in, b_in), approximate="tanh"), w_out, b_out)
        return a + mlp + x

    for b, t, hid, ff, nh in ((1, 2048, 4096, 16384, 16), (4, 512, 4096, 16384, 16), (2, 1024, 4544, 18176, 71)):
        out.append(("parallel_attn_mlp_block", P(gptj_parallel_block, nh=nh),
                    (mh(b, t, hid), mh(hid), mh(hid), mh(hid, hid), mh(hid, hid), mh(hid, hid), mh(hid, hid),
                     mh(ff, hid), mh(ff), mh(hid, ff), mh(hid))))

    # ================================================================== test-time training layers
    def ln_fused_l2_bwd(z, target, ln_w, ln_b, eps=1e-6):  # ttt-lm-pytorch's fused LayerNorm + L2 loss gradient
        f = z.shape[-1]
        mu = z.mean(dim=-1, keepdim=True)
        var = z.var(dim=-1, keepdim=True, unbiased=False)
        std = torch.sqrt(var + eps)
        x_hat = (z - mu) / std
        y = ln_w * x_hat + ln_b
        gxh = (y - target) * ln_w
        return (1.0 / f) * (f * gxh - gxh.sum(dim=-1, keepdim=True)
                            - x_hat * (gxh * x_hat).sum(dim=-1, keepdim=True)) / std

    def ln_fwd(z, ln_w, ln_b, eps=1e-6):
        mu = z.mean(dim=-1, keepdim=True)
        var = z.var(dim=-1, keepdim=True, unbiased=False)
        return ln_w * ((z - mu) / torch.sqrt(var + eps)) + ln_b

    def ttt_linear_mb(xq, xk, xv, w1, b1, eta, ln_w, ln_b):  # TTT-Linear's dual form over one mini-batch: the
        z1 = xk @ w1 + b1  # inner loss's gradient, the causal attention-like tril(XQ XK^T), the mini-batch's
        grad = ln_fused_l2_bwd(z1, xv - xk, ln_w, ln_b)  # outputs with the updates folded in, the last row's eta
        attn = torch.tril(xq @ xk.transpose(-2, -1))  # updating W and b for the next mini-batch
        b1_bar = b1 - torch.tril(eta) @ grad
        z1_bar = xq @ w1 - (eta * attn) @ grad + b1_bar
        last = eta[:, :, -1, :, None]
        w1_last = w1 - (last * xk).transpose(-1, -2) @ grad
        b1_last = b1 - torch.sum(last * grad, dim=-2, keepdim=True)
        return xq + ln_fwd(z1_bar, ln_w, ln_b), w1_last, b1_last

    # TTT-1.3B (32 heads of 64), mini-batches of 16 at batch 16
    for b, nh in ((16, 32),):
        out.append(("ttt_linear_minibatch", ttt_linear_mb,
                    (mf(b, nh, 16, 64), mf(b, nh, 16, 64), mf(b, nh, 16, 64), mf(b, nh, 64, 64), mf(b, nh, 1, 64),
                     mf(b, nh, 16, 16), mf(nh, 1, 64), mf(nh, 1, 64))))

    def gelu_bwd(x):  # ttt-lm-pytorch's tanh-GELU derivative
        th = torch.tanh(0.79788456 * x * (1 + 0.044715 * x * x))
        return 0.5 * x * ((1 - th * th) * (0.79788456 + 0.1070322243 * x * x)) + 0.5 * (1 + th)

    def ttt_mlp_mb(xq, xk, xv, w1, b1, w2, b2, eta, ln_w, ln_b):  # TTT-MLP's dual form: both layers' gradients
        z1 = xk @ w1 + b1  # (the second through W2^T and the GELU derivative), both layers' causal updates
        x2 = F.gelu(z1, approximate="tanh")
        z2 = x2 @ w2 + b2
        g2 = ln_fused_l2_bwd(z2, xv - xk, ln_w, ln_b)
        g1 = g2 @ w2.transpose(-2, -1) * gelu_bwd(z1)
        tri = torch.tril(eta)
        z1_bar = xq @ w1 - (eta * torch.tril(xq @ xk.transpose(-2, -1))) @ g1 + (b1 - tri @ g1)
        x2_bar = F.gelu(z1_bar, approximate="tanh")
        z2_bar = x2_bar @ w2 - (eta * torch.tril(x2_bar @ x2.transpose(-2, -1))) @ g2 + (b2 - tri @ g2)
        last = eta[:, :, -1, :, None]
        w1_last = w1 - (last * xk).transpose(-1, -2) @ g1
        w2_last = w2 - (last * x2).transpose(-1, -2) @ g2
        return xq + ln_fwd(z2_bar, ln_w, ln_b), w1_last, w2_last

    for b, nh in ((16, 24),):
        out.append(("ttt_mlp_minibatch", ttt_mlp_mb,
                    (mf(b, nh, 16, 64), mf(b, nh, 16, 64), mf(b, nh, 16, 64), mf(b, nh, 64, 256), mf(b, nh, 1, 256),
                     mf(b, nh, 256, 64), mf(b, nh, 1, 64), mf(b, nh, 16, 16), mf(nh, 1, 64), mf(nh, 1, 64))))

    def ttt_eta(x, lr_w, lr_b, token_idx, base_lr=1.0, hd=64):  # TTT's per-token inner learning rates: an einsum of
        k = x.shape[2]  # the mini-batched inputs with each head's lr weight, sigmoid, times 1 / position
        lr = torch.einsum("bnkc,hdc->bhnkd", x, lr_w) + lr_b.reshape(1, -1, 1, 1, 1)
        lr = torch.sigmoid(lr).permute(0, 1, 2, 4, 3)
        return token_idx.clamp_min(0.0).reshape(1, 1, 1, k, 1) * (base_lr * lr / hd)

    for b, n, hid, nh in ((1, 128, 2048, 32), (4, 256, 2048, 32), (8, 128, 1536, 24)):
        out.append(("ttt_inner_lr", ttt_eta, (mf(b, n, 16, hid), mf(nh, 1, hid), mf(1, nh, 1), mf(16))))

    def silu_backprop(dy, x):
        s = torch.sigmoid(x)
        return dy * s * (1 + x * (1 - s))

    def newton_schulz5(g, steps=5):  # Muon's zeropower_via_newtonschulz5 in bf16, batched over heads
        a, b_, c = (3.4445, -4.7750, 2.0315)
        x = g.bfloat16()
        tr = g.size(-2) > g.size(-1)
        if tr:
            x = x.mT
        x = x / (x.norm(dim=(-2, -1), keepdim=True) + 1e-7)
        for _ in range(steps):
            a_ = x @ x.mT
            x = a * x + (b_ * a_ + c * a_ @ a_) @ x
        return x.mT if tr else x

    def lact_chunk(w0, w1, w2, q, k, v, lr0, lr1, lr2, muon=True):  # LaCT's large-chunk SwiGLU fast weights: the
        gate = torch.bmm(w0, k.transpose(1, 2))  # chunk's keys through w0 / w2, the values' gradient back through
        hid_pre = torch.bmm(w2, k.transpose(1, 2))  # w1, SiLU's backward, the three weight gradients scaled by the
        hidden = F.silu(gate) * hid_pre  # per-token lrs, orthogonalised by Newton-Schulz (Muon), added, w0
        dhidden = torch.bmm(w1.transpose(1, 2), v.transpose(1, 2))  # renormalised; then the chunk's queries
        dpre = dhidden * F.silu(gate)  # through the updated weights
        dgate = silu_backprop(dhidden * hid_pre, gate)
        dw1 = torch.bmm(v.transpose(1, 2), hidden.transpose(1, 2) * lr1)
        dw0 = torch.bmm(dgate, k * lr0)
        dw2 = torch.bmm(dpre, k * lr2)
        if muon:
            dw0, dw1, dw2 = newton_schulz5(dw0), newton_schulz5(dw1), newton_schulz5(dw2)
        w1 = w1 + dw1
        w0 = w0 + dw0
        w2 = w2 + dw2
        w0 = w0 / (w0.norm(dim=2, keepdim=True) + 1e-5)
        h = torch.bmm(w2, q.transpose(1, 2))
        g = F.silu(torch.bmm(w0, q.transpose(1, 2)))
        return torch.bmm(w1, g * h).transpose(1, 2)

    # LaCT's language model (fast-weight heads of 512 channels, 1024 hidden, chunks of 2048) at 8 heads; Newton-Schulz
    # alone over 64 blocks of 256 x 1024
    for bh, d, dh, l_ in ((8, 512, 1024, 2048),):
        out.append(("lact_swiglu_chunk", lact_chunk,
                    (mf(bh, dh, d), mf(bh, d, dh), mf(bh, dh, d), mf(bh, l_, d), mf(bh, l_, d), mf(bh, l_, d),
                     mf(bh, l_, 1), mf(bh, l_, 1), mf(bh, l_, 1))))
    for bh, r, c in ((64, 256, 1024),):
        out.append(("newton_schulz_orthogonalise", newton_schulz5, (mf(bh, r, c),)))

    # ================================================================== embedding and reranker models
    def st_mean_pool(tok, mask):  # sentence-transformers' mean pooling: the mask expanded to the model dtype, the
        me = mask.unsqueeze(-1).expand(tok.size()).to(tok.dtype)  # masked sum over tokens divided by the clamped
        emb = torch.sum(tok * me, 1) / torch.clamp(me.sum(1), min=1e-9)  # count, L2-normalised
        return F.normalize(emb, p=2, dim=1)

    # all-MiniLM-L6-v2 (384, fp32) at 256 x 128, e5-mistral (4096) at 16 x 4096, nomic-embed (768, fp16) at 64 x 8192
    for b, t, hid, dt in ((256, 128, 384, torch.float32), (16, 4096, 4096, torch.bfloat16),
                          (64, 8192, 768, torch.float16)):
        out.append(("st_mean_pool", st_mean_pool, (m(b, t, hid, dt=dt), i(b, t))))

    def e5_average_pool(last, mask):  # e5's average_pool: masked_fill of the padding, sum over the mask's count
        h = last.masked_fill(~mask[..., None].bool(), 0.0)
        return h.sum(dim=1) / mask.sum(dim=1)[..., None]

    for b, t, hid, dt in ((256, 512, 1024, torch.float16), (32, 512, 768, torch.float32), (512, 128, 384,
                                                                                          torch.float16)):
        out.append(("e5_average_pool", e5_average_pool, (m(b, t, hid, dt=dt), i(b, t))))

    def cls_pool_score(hq, hp, temperature=0.02):  # bge's CLS pooling of queries and passages, normalised, scores
        q = F.normalize(hq[:, 0], dim=-1)  # over the temperature
        p = F.normalize(hp[:, 0], dim=-1)
        return q @ p.T / temperature

    for bq, tq, bp, tp, hid, dt in ((256, 64, 1024, 512, 1024, torch.float16), (64, 32, 4096, 256, 768,
                                                                                torch.float16),
                                    (32, 128, 512, 512, 1024, torch.float32)):
        out.append(("bge_cls_pool_score", cls_pool_score, (m(bq, tq, hid, dt=dt), m(bp, tp, hid, dt=dt))))

    def last_token_pool(last, mask):  # e5-mistral / gte-Qwen2 / Qwen3-Embedding: the last real token's hidden state
        seq = mask.sum(dim=1) - 1  # by advanced indexing on the right-padded batch, normalised
        emb = last[torch.arange(last.shape[0], device=last.device), seq]
        return F.normalize(emb, p=2, dim=1)

    for b, t, hid in ((16, 4096, 4096), (32, 8192, 3584), (64, 512, 1536), (8, 32768, 4096), (128, 1024, 2560)):
        out.append(("last_token_pool", last_token_pool, (m(b, t, hid), i(b, t))))

    def matryoshka_embed(emb, dim=256):  # sentence-transformers' truncate_dim: the leading dims kept, normalised,
        return F.normalize(emb[:, :dim], p=2, dim=-1).to(torch.float16)  # stored in fp16

    for b, hid, dim in ((4096, 1024, 256), (1024, 4096, 512), (16384, 768, 128), (2048, 3584, 1024)):
        out.append(("matryoshka_truncate", P(matryoshka_embed, dim=dim), (mf(b, hid),)))

    def cross_encoder_head(h, wd, bd, wo, bo):  # XLM-R's classification head (bge-reranker, ms-marco cross-encoders)
        x = torch.tanh(F.linear(h[:, 0, :], wd, bd))  # on the CLS token, a sigmoid score
        return torch.sigmoid(F.linear(x, wo, bo))

    for b, t, hid, dt in ((256, 512, 1024, torch.float16), (512, 256, 768, torch.float16), (1024, 128, 384,
                                                                                           torch.float32)):
        out.append(("cross_encoder_head", cross_encoder_head,
                    (m(b, t, hid, dt=dt), m(hid, hid, dt=dt), m(hid, dt=dt), m(1, hid, dt=dt), m(1, dt=dt))))

    def llm_yes_no_rerank(h, w, yes=9693, no=2152):  # Qwen3-Reranker / bge-reranker-v2-gemma: the last token's
        logits = F.linear(h[:, -1, :], w)  # logits, the yes / no columns stacked, log_softmax over the two, exp
        s = torch.stack([logits[:, no], logits[:, yes]], dim=1)
        return torch.nn.functional.log_softmax(s.float(), dim=1)[:, 1].exp()

    for b, t, hid, v in ((32, 1024, 2048, 256000), (64, 512, 4096, 151936), (128, 512, 1024, 151936)):
        out.append(("llm_yes_no_rerank", llm_yes_no_rerank, (m(b, t, hid), m(v, hid))))

    def instruct_mean_pool(h, mask, instr_len):  # INSTRUCTOR / NV-Embed: the instruction's tokens left out of the
        t = h.shape[1]  # pooling mask by an arange comparison, masked mean
        pm = mask * (torch.arange(t, device=h.device)[None, :] >= instr_len[:, None])
        pmf = pm.unsqueeze(-1).to(h.dtype)
        return (h * pmf).sum(1) / pmf.sum(1).clamp(min=1)

    for b, t, hid in ((64, 512, 4096), (32, 2048, 3584)):
        out.append(("instruction_masked_pool", instruct_mean_pool, (m(b, t, hid), i(b, t), i(b))))

    def nv_latent_pool(h, lat, w1, w2, mask, nh=8):  # NV-Embed's latent attention: the tokens attend to 512
        b, t, d = h.shape  # trained latents (keys and values), an MLP with GELU added, masked mean pooling
        q = h.view(b, t, nh, d // nh).transpose(1, 2)
        kv = lat.view(1, -1, nh, d // nh).transpose(1, 2).expand(b, -1, -1, -1)
        a = F.scaled_dot_product_attention(q, kv, kv).transpose(1, 2).reshape(b, t, d)
        a = a + F.linear(F.gelu(F.linear(a, w1)), w2)
        mf_ = mask.unsqueeze(-1).to(a.dtype)
        return (a * mf_).sum(1) / mf_.sum(1)

    for b, t in ((16, 512), (64, 256)):
        out.append(("nv_embed_latent_pool", nv_latent_pool,
                    (m(b, t, 4096), m(512, 4096), m(16384, 4096), m(4096, 16384), i(b, t))))

    # ================================================================== multimodal front-ends
    def vit_conv_embed(pix, w, cls, pos):  # CLIP's embeddings: a strided conv2d, flatten + transpose, the class
        p = F.conv2d(pix.to(w.dtype), w, stride=w.shape[-1])  # token prepended, positions added
        p = p.flatten(2).transpose(1, 2)
        x = torch.cat([cls.expand(p.shape[0], 1, -1), p], dim=1)
        return x + pos

    # CLIP-L/14-336 (LLaVA-1.5, fp16) at 1, 5 (anyres) and 16 images; CLIP-L/14 at 224; InternViT-300M at 448
    for b, px, hid, dt in ((1, 336, 1024, torch.float16), (5, 336, 1024, torch.float16), (16, 336, 1024,
                                                                                         torch.float16),
                           (64, 224, 1024, torch.float16), (7, 448, 1024, torch.bfloat16)):
        n = (px // 14) ** 2 + 1
        out.append(("clip_patch_embed", vit_conv_embed, (mf(b, 3, px, px), m(hid, 3, 14, 14, dt=dt), m(hid, dt=dt),
                                                         m(n, hid, dt=dt))))

    def siglip_embed(pix, w, bias, pos):  # SigLIP's embeddings: conv2d with a bias, no class token, positions added
        p = F.conv2d(pix, w, bias, stride=w.shape[-1]).flatten(2).transpose(1, 2)
        return p + pos

    # SigLIP-so400m/14 (1152) at 384 (LLaVA-OneVision, 10 tiles), 378 (Idefics2), 896 (PaliGemma-896, Gemma-3)
    for b, px in ((10, 384), (4, 378), (1, 896), (2, 896), (32, 224)):
        n = (px // 14) ** 2
        out.append(("siglip_patch_embed", siglip_embed, (m(b, 3, px, px), m(1152, 3, 14, 14), m(1152), m(n, 1152))))

    def unfold_patch_embed(pix, w, b, p=14):  # patchify by unfold / permute / reshape, then a linear (Fuyu, ViTs
        bs, c, hh, ww = pix.shape  # written without conv)
        x = pix.unfold(2, p, p).unfold(3, p, p)
        x = x.permute(0, 2, 3, 1, 4, 5).reshape(bs, (hh // p) * (ww // p), c * p * p)
        return F.linear(x, w, b)

    for bs, hh, ww, p, d in ((1, 1080, 1920, 30, 4096), (4, 448, 448, 14, 1152), (2, 896, 896, 14, 1152),
                             (16, 384, 384, 16, 768)):
        out.append(("unfold_patch_embed", P(unfold_patch_embed, p=p),
                    (m(bs, 3, hh, ww), m(d, 3 * p * p), m(d))))

    def anyres_split(img, p=336):  # LLaVA-NeXT's anyres: the padded image cut into 336 tiles by unfold / permute,
        tiles = img.unfold(2, p, p).unfold(3, p, p)  # the base image resized bicubically, prepended
        tiles = tiles.permute(0, 2, 3, 1, 4, 5).reshape(-1, 3, p, p)
        base = F.interpolate(img, size=(p, p), mode="bicubic", align_corners=False)
        return torch.cat([base, tiles], dim=0)

    for hh, ww, p in ((672, 672, 336), (336, 1008, 336), (672, 1008, 336), (1152, 1152, 384)):
        out.append(("llava_anyres_split", P(anyres_split, p=p), (mh(1, 3, hh, ww),)))

    def anyres_merge(feats, newline, gh=2, gw=2, side=24, unpad=0):  # LLaVA-NeXT's spatial merge: the tiles'
        base, x = feats[0], feats[1:]  # features laid out as one grid by view / permute / flatten, padding rows
        x = x.view(gh, gw, side, side, -1).permute(4, 0, 2, 1, 3).contiguous()  # cut, an image_newline column
        x = x.flatten(1, 2).flatten(2, 3)  # appended, flattened to tokens after the base image's
        if unpad:
            x = x[:, unpad: x.shape[1] - unpad, :]
        x = torch.cat((x, newline[:, None, None].expand(*x.shape[:-1], 1).to(x.dtype)), dim=-1)
        x = x.flatten(1, 2).transpose(0, 1)
        return torch.cat((base, x), dim=0)

    # LLaVA-NeXT-7B (4096) 2 x 2 and 1 x 3 grids, LLaVA-NeXT-34B (7168) 2 x 2, LLaVA-OneVision-7B (3584, 27 x 27
    # tiles) 3 x 3
    for gh, gw, side, hid, unpad in ((2, 2, 24, 4096, 0), (1, 3, 24, 4096, 8), (2, 2, 24, 7168, 6),
                                     (3, 3, 27, 3584, 0)):
        out.append(("llava_anyres_merge", P(anyres_merge, gh=gh, gw=gw, side=side, unpad=unpad),
                    (mh(gh * gw + 1, side * side, hid), mh(hid))))

    def llava_projector(x, w1, b1, w2, b2):  # LLaVA's mlp2x_gelu projector
        return F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)

    for n, t, cin, hid in ((5, 576, 1024, 4096), (1, 576, 1024, 5120), (10, 729, 1152, 3584)):
        out.append(("llava_projector", llava_projector, (mh(n, t, cin), mh(hid, cin), mh(hid), mh(hid, hid),
                                                         mh(hid))))

    def qwen2vl_patch_embed(x, w):  # Qwen2-VL's PatchEmbed: flattened 2 x 14 x 14 patches viewed as clips, conv3d
        x = x.view(-1, 3, 2, 14, 14).to(w.dtype)  # with kernel = stride
        return F.conv3d(x, w, stride=(2, 14, 14)).view(-1, w.shape[0])

    for n in (1024, 5184, 16384):
        out.append(("qwen2vl_patch_embed", qwen2vl_patch_embed, (mf(n, 1176), m(1280, 3, 2, 14, 14))))

    def qwen2vl_merger(x, ln_w, ln_b, w1, b1, w2, b2):  # Qwen2-VL's PatchMerger: LayerNorm, 2 x 2 neighbours merged
        x = F.layer_norm(x, (x.shape[-1],), ln_w, ln_b, 1e-6).view(-1, 4 * x.shape[-1])  # by a view, the MLP
        return F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)

    def qwen25vl_merger(x, ln_w, w1, b1, w2, b2):  # Qwen2.5-VL's merger with an RMSNorm
        x = F.rms_norm(x, (x.shape[-1],), ln_w, 1e-6).view(-1, 4 * x.shape[-1])
        return F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)

    for n, o in ((5184, 3584), (1024, 1536), (16384, 3584)):
        out.append(("qwen2vl_patch_merger", qwen2vl_merger, (m(n, 1280), m(1280), m(1280), m(5120, 5120), m(5120),
                                                             m(o, 5120), m(o))))
    for n, o in ((5184, 8192), (4096, 2048)):
        out.append(("qwen25vl_patch_merger", qwen25vl_merger, (m(n, 1280), m(1280), m(5120, 5120), m(5120),
                                                               m(o, 5120), m(o))))

    def internvl_pixel_shuffle(vit, ln_w, ln_b, w1, b1, w2, b2, scale=0.5):  # InternVL's pixel shuffle: the class
        vit = vit[:, 1:, :]  # token dropped, the 32 x 32 grid halved twice by view / permute / contiguous (channels
        n = vit.shape[0]  # x 4), mlp1's LayerNorm, linear, GELU, linear
        h = w = int(vit.shape[1] ** 0.5)
        x = vit.reshape(n, h, w, -1)
        n, w, h, c = x.size()
        x = x.view(n, w, int(h * scale), int(c / scale)).permute(0, 2, 1, 3).contiguous()
        x = x.view(n, int(h * scale), int(w * scale), int(c / (scale * scale))).permute(0, 2, 1, 3).contiguous()
        x = x.reshape(n, -1, x.shape[-1])
        x = F.layer_norm(x, (x.shape[-1],), ln_w, ln_b)
        return F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)

    # InternVL2-8B (InternViT-300M 1024 -> 4096) 7 tiles, InternVL2-2B (-> 2048) 13 tiles, InternVL2.5-38B
    # (InternViT-6B 3200 -> 5120) 13 tiles
    for n, c, o in ((7, 1024, 4096), (13, 1024, 2048), (13, 3200, 5120)):
        out.append(("internvl_pixel_shuffle", internvl_pixel_shuffle,
                    (m(n, 1025, c), m(4 * c), m(4 * c), m(o, 4 * c), m(o), m(o, o), m(o))))

    def whisper_stem(mel, w1, b1, w2, b2, pos):  # Whisper's encoder stem: conv1d k3 + GELU, conv1d k3 stride 2 +
        x = F.gelu(F.conv1d(mel, w1, b1, padding=1))  # GELU, permute, the sinusoidal positions added
        x = F.gelu(F.conv1d(x, w2, b2, stride=2, padding=1))
        return x.permute(0, 2, 1) + pos

    # large-v3 (128 mels, 1280, fp16) at 8, small (768) at 32, base (512, fp32) at 16
    for b, mels, d, dt in ((8, 128, 1280, torch.float16), (32, 80, 768, torch.float16), (16, 80, 512, torch.float32)):
        out.append(("whisper_conv_stem", whisper_stem,
                    (m(b, mels, 3000, dt=dt), m(d, mels, 3, dt=dt), m(d, dt=dt), m(d, d, 3, dt=dt), m(d, dt=dt),
                     m(1500, d, dt=dt))))

    def qwen2audio_project(x, w, b):  # Qwen2-Audio's encoder tail: avg_pool1d over time by 2, the projector
        x = F.avg_pool1d(x.permute(0, 2, 1), 2, stride=2).permute(0, 2, 1)
        return F.linear(x, w, b)

    for b in (1, 8):
        out.append(("qwen2audio_pool_project", qwen2audio_project, (mh(b, 1500, 1280), mh(4096, 1280), mh(4096))))

    def interleave_audio(embeds, audio, pos):  # audio (or image) features written into the text embeddings at their
        b, na = pos.shape  # placeholder positions by index_put with a batch index
        bi = torch.arange(b, device=embeds.device).unsqueeze(1).expand(-1, na)
        return embeds.index_put((bi, pos), audio.to(embeds.dtype))

    for b, t, na, hid in ((4, 2048, 750, 4096), (16, 1024, 375, 4096), (1, 8192, 1500, 3584), (8, 4096, 576, 4096)):
        out.append(("interleave_modal_tokens", interleave_audio, (m(b, t, hid), mh(b, na, hid), i(b, na))))

    def llava_masked_scatter(ids, embeds, image_features, image_token=32000):  # transformers' LLaVA merge: the
        mask = (ids == image_token).unsqueeze(-1).expand_as(embeds)  # image-token mask expanded over the hidden
        return embeds.masked_scatter(mask, image_features.to(embeds.dtype))  # dim, masked_scatter

    for b, t, n, hid in ((1, 4096, 2928, 4096), (8, 1024, 576, 4096)):
        out.append(("llava_masked_scatter", llava_masked_scatter, (i(b, t), mh(b, t, hid), mh(b * n, hid))))

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK34, _check34()),))
