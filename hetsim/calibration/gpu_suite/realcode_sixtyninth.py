"""The aten sweep's fortieth blind real-code group: `realcode-check40`, LLM serving and inference code paths of the
2025-26 open-source stacks where they are written in plain torch: sampling and logits processing, speculative
decoding's drafting and verification, the paged KV cache's bookkeeping, rotary variants, MoE routing and token
permutation, quantised weights and activations, multi-LoRA and vision-language front-ends.

Each case is one op or a short idiom as the stacks' public reference code (vLLM v1's sampler, rejection sampler,
n-gram proposer, input preparation, block table, torch reshape_and_cache and punica torch ops; SGLang's torch
sampling fallback and MLA token-to-KV pool; FlashInfer's paged layout; xgrammar's torch bitmask; transformers' beam
search, SlidingWindowCache, rope types (llama3, YaRN, partial and multimodal rotary), MoE routers and
load-balancing loss, gpt-oss's experts and MXFP4 conversion, Qwen2-VL / Qwen2.5-VL, LLaVA-NeXT and Gemma-3
multimodal code; Medusa, EAGLE-2 / EAGLE-3; DeepSeek-V3's inference model (grouped top-k routing with bias
correction, YaRN freqs_cis, block-fp8 weight_dequant, MLA decode); Megatron's sort-based permute / unpermute,
DeepSpeed's top-1 capacity gating; AutoAWQ, AutoGPTQ, HQQ, torchao and vLLM's int8 / fp8 quantisation; KIVI;
S-LoRA / LoRAX's gathered adapters; InternVL's pixel shuffle) writes it, at real widths (Llama-3-8B / 70B's 4096 /
8192 with 32 / 64 query and 8 KV heads, Qwen2.5-7B's 3584 with 28 / 4, Qwen3-30B-A3B / 235B-A22B's 128 experts
top-8, DeepSeek-V3's 7168 with 256 experts top-8 in 8 groups and its 576-wide latent cache, Kimi-K2's 384 and
GLM-4.5's 160 experts, Mixtral-8x7B's 8 of 14336, gpt-oss's 2880 with 32 / 128 experts top-4, vocabularies of 32000
to 262208, Qwen2-VL's 1280-wide vision tower, SigLIP's 1152, InternViT's 1024 and 3200), batches (1-1024 requests),
contexts (1K-128K tokens) and in the dtypes the code runs (bf16 / fp16 activations, caches and weights, fp32
logits, probabilities, scales and losses, int64 token ids, positions, slots and indices, int32 block tables, top-k
ids, packed AWQ / GPTQ words and grammar bitmasks, int8 activations, weights and caches, uint8 packed 4-bit weights,
MXFP4 blocks and exponents and fp8 caches stored as bytes, float8_e4m3fn weights, bool masks): sampling (vLLM's
penalties by scatter_add_ bins, top-k / top-p by one sort, top-k only, min-p, the greedy-or-exponential sample,
logprobs with ranks, logit bias; SGLang's filtered multinomial; Gumbel-max; transformers' beam step and cache
reorder); speculative decoding (vLLM's rejection sampler with recovered tokens, greedy verification, n-gram
proposals and the output bookkeeping; Medusa's heads, candidates and typical / greedy posterior; EAGLE-2's tree
expansion and rerank, EAGLE-3's fused hidden input; tree attention with the draft tree's mask); the paged KV cache
(reshape_and_cache by index_copy_, FlashInfer's append by index_put_, SGLang's MLA latent pool, slot mapping through
the block table, chunked prefill's input preparation by searchsorted, paged decode and MLA decode in torch, chained
prefix hashes looked up by searchsorted, block allocation, int8 / fp8 / KIVI 2-bit caches, the sliding-window cache,
a chunk's offset causal mask); rotary variants (Llama-3's scaling, DeepSeek's YaRN through torch.polar and complex
views, vLLM's native NeoX / GPT-J rotary with partial dims, Phi-4-mini's partial rotary, Qwen2-VL's M-RoPE); MoE
(softmax top-k routers, DeepSeek-V3's grouped top-k and its one-group variants, gpt-oss's router, sort-based
permute and unpermute, padded-capacity expert products, gpt-oss's dense expert path, DeepSpeed's capacity dispatch,
load-balancing, z and sequence-wise aux losses, shared experts, moe_align_block_size in torch); quantisation
(per-token int8 with smoothing and zero points, int8 products by _int_mm, int8 weight-only linears, dynamic fp8 with
_scaled_mm, block-fp8 dequant, AWQ / GPTQ unpacking by shifts and masks, HQQ's uint8 nibbles, MXFP4 by table lookup
and ldexp); LoRA (punica's bgmv shrink / expand-slice and sgmv shrink, LoRA embeddings with extra vocabulary,
gathered-adapter bmm's); logits processors (bad-words masks, grammar bitmasks, the last-token lm_head with Gemma-2's
soft-cap); vision-language front-ends (Qwen2-VL's Conv3d patch embedding, patch merger, 2-D vision rotary and
block-diagonal vision attention, Qwen2.5-VL's window reorder, image-token masked_scatter, LLaVA-NeXT's anyres
packing, InternVL's pixel shuffle, Gemma-3's pooled projector).
Data-dependent steps of the reference code are written without data-dependent shapes: boolean-mask writes as
masked_fill, per-request loops and lists as padded tensors, the largest top-k as a fixed bound, prefill segments by
repeat_interleave with its output size, the first rejection by a max over the rejections, tree building one
ancestry step at a time, image spans as known offsets.
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK40 = "realcode-check40"


def _check40():
    import math
    from functools import partial as P

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _dtype_makers, _meta_makers, rotate_half

    m, i = _meta_makers()

    mh, mf, mbool, mi32 = _dtype_makers()

    def mi8(*shape):  # int8 (quantised activations, weights and KV caches)
        return m(*shape, dt=torch.int8)

    def mu8(*shape):  # uint8 (packed 4-bit weights, MXFP4 blocks and exponents, fp8 caches stored as bytes)
        return m(*shape, dt=torch.uint8)

    def mf8(*shape):  # float8_e4m3fn (fp8 checkpoints' weights)
        return m(*shape, dt=torch.float8_e4m3fn)

    NEG = float("-inf")
    out = []

    # ================================================================== sampling (vLLM v1, SGLang, transformers)
    def vllm_penalties(logits, prompt_tokens, output_tokens, presence, frequency, repetition):
        b, v = logits.shape  # vLLM's apply_penalties: prompt and output token bins by scatter_add_ into vocab + 1
        # columns (the pad id is the vocab size), the repetition penalty divides positive logits and multiplies the
        # rest where a token was seen, then the frequency and presence penalties

        def bins(tokens):
            counts = torch.zeros((b, v + 1), dtype=torch.long, device=tokens.device)
            counts.scatter_add_(1, tokens, torch.ones_like(tokens))
            counts = counts[:, :v]
            return counts, counts > 0

        _, prompt_mask = bins(prompt_tokens)
        out_counts, out_mask = bins(output_tokens)
        rep = repetition.unsqueeze(dim=1).repeat(1, v)
        pen = torch.where(prompt_mask | out_mask, rep, 1.0)
        logits *= torch.where(logits > 0, 1.0 / pen, pen)
        logits -= frequency.unsqueeze(dim=1) * out_counts
        logits -= presence.unsqueeze(dim=1) * out_mask
        return logits

    # Llama-3 (128256), Qwen3 (151936) and Qwen2.5 (152064) vocabularies
    for b, v, tp, to in ((32, 128256, 2048, 512), (128, 151936, 1024, 256), (256, 152064, 512, 128)):
        out.append(("vllm_apply_penalties", vllm_penalties, (mf(b, v), i(b, tp), i(b, to), mf(b), mf(b), mf(b))))

    def vllm_top_k_top_p(logits, k, p):  # vLLM v1's apply_top_k_top_p: one ascending sort, the k-th largest
        logits_sort, logits_idx = logits.sort(dim=-1, descending=False)  # gathered as a threshold, the top-p mask
        top_k = logits_sort.size(1) - k.to(torch.long)  # from the sorted softmax's cumsum, both scattered back
        top_k = logits_sort.gather(1, top_k.unsqueeze(dim=1))
        logits_sort.masked_fill_(logits_sort < top_k, NEG)
        probs_sum = torch.cumsum(logits_sort.softmax(dim=-1), dim=-1)
        top_p_mask = probs_sum <= 1 - p.unsqueeze(dim=1)
        top_p_mask[:, -1] = False
        logits_sort.masked_fill_(top_p_mask, NEG)
        return logits_sort.scatter(dim=-1, index=logits_idx, src=logits_sort)

    for b, v in ((8, 128256), (64, 151936), (256, 129280)):
        out.append(("vllm_top_k_top_p_sort", vllm_top_k_top_p, (mf(b, v), mi32(b), mf(b))))

    def vllm_top_k_only(logits, k, max_top_k=50):  # vLLM's apply_top_k_only: no sort, a topk of the batch's largest
        no_top_k = k == logits.shape[1]  # k, each row's k-th value gathered, rows without top-k left whole
        k = k.masked_fill(no_top_k, 1)
        thr = logits.topk(max_top_k, dim=1).values.gather(1, (k - 1).unsqueeze(1).long())
        thr.masked_fill_(no_top_k.unsqueeze(1), NEG)
        return logits.masked_fill_(logits < thr, NEG)

    for b, v, kk in ((32, 128256, 20), (128, 151936, 50), (256, 201088, 100)):
        out.append(("vllm_top_k_only", P(vllm_top_k_only, max_top_k=kk), (mf(b, v), i(b))))

    def vllm_min_p(logits, min_p):  # vLLM's apply_min_p: tokens below min_p times the row's top probability masked
        probs = F.softmax(logits, dim=-1)
        maxp = torch.amax(probs, dim=-1, keepdim=True)
        valid = probs >= min_p.unsqueeze(dim=1) * maxp
        return logits.masked_fill_(~valid, NEG)

    # Gemma-3's 262208 vocabulary among them
    for b, v in ((16, 128256), (128, 151936), (64, 262208)):
        out.append(("vllm_min_p", vllm_min_p, (mf(b, v), mf(b))))

    def vllm_sample(logits, temp):  # vLLM's Sampler.sample: the greedy argmax, the logits divided by the temperature
        greedy = logits.argmax(dim=-1).view(-1)  # in place, the softmax in fp32 and the exponential race (probs / q
        logits = logits.div_(temp.unsqueeze(dim=1))  # with q ~ Exp(1), the Gumbel-max trick without a log), the
        probs = logits.softmax(dim=-1, dtype=torch.float32)  # greedy rows chosen by temperature
        q = torch.empty_like(probs).exponential_()
        rnd = probs.div_(q).argmax(dim=-1).view(-1)
        return torch.where(temp < 1e-5, greedy, rnd)

    for b, v in ((1, 128256), (32, 151936), (256, 128256)):
        out.append(("vllm_sample_greedy_or_exponential", vllm_sample, (mf(b, v), mf(b))))

    def gumbel_max(logits, temp):  # SGLang / transformers-style Gumbel-max: the logits in their own dtype, tempered,
        u = torch.rand_like(logits, dtype=torch.float32)  # plus -log(-log(u)) noise in fp32, argmax
        g = -torch.log(-torch.log(u.clamp_(1e-10, 1.0)))
        return (logits.float() / temp[:, None] + g).argmax(dim=-1)

    # Mistral's 32768 vocabulary in bf16, gpt-oss's 201088 in fp32
    for b, v, dt in ((256, 32768, torch.bfloat16), (64, 201088, torch.float32), (16, 151936, torch.bfloat16)):
        out.append(("gumbel_max_sample", gumbel_max, (m(b, v, dt=dt), mf(b))))

    def vllm_logprobs(logits, token_ids, num_logprobs=20):  # vLLM v1's compute_logprobs / gather_logprobs: fp32
        logprobs = logits.log_softmax(dim=-1, dtype=torch.float32)  # log-softmax, the top-n, the sampled token's
        topk_lp, topk_ids = torch.topk(logprobs, num_logprobs, dim=-1)  # logprob and its rank (a count of larger
        token_ids = token_ids.unsqueeze(-1)  # ones), the ids and values cat'ed
        token_lp = logprobs.gather(-1, token_ids)
        ranks = (logprobs >= token_lp).sum(-1)
        ids = torch.cat((token_ids, topk_ids), dim=1).to(torch.int32)
        return ids, torch.cat((token_lp, topk_lp), dim=1), ranks

    for b, v, n in ((32, 128256, 5), (128, 151936, 20), (256, 129280, 1)):
        out.append(("vllm_gather_logprobs_rank", P(vllm_logprobs, num_logprobs=n), (mf(b, v), i(b))))

    def logit_bias(logits, req_idx, tok_ids, bias):  # vLLM v1's LogitBiasLogitsProcessor: the requests' (row, token)
        logits[req_idx, tok_ids] += bias  # pairs flattened once, one advanced-index read-add-write
        return logits

    for b, v, n in ((64, 128256, 64 * 300), (256, 151936, 256 * 50), (8, 32768, 8 * 1000)):
        out.append(("vllm_logit_bias_index_add", logit_bias, (mf(b, v), i(n), i(n), mf(n))))

    def sglang_sampling_torch(logits, temp, top_ks, top_ps, min_ps):  # SGLang's
        probs = torch.softmax(logits / temp[:, None], dim=-1)  # top_k_top_p_min_p_sampling_from_probs_torch: one
        probs_sort, probs_idx = probs.sort(dim=-1, descending=True)  # descending sort, the three filters as masks on
        probs_sum = torch.cumsum(probs_sort, dim=-1)  # the sorted probabilities, a multinomial draw, the id gathered
        probs_sort.masked_fill_((probs_sum - probs_sort) > top_ps.view(-1, 1), 0.0)
        ar = torch.arange(0, probs.shape[-1], device=probs.device).view(1, -1)
        probs_sort.masked_fill_(ar >= top_ks.view(-1, 1), 0.0)
        min_p_thr = probs_sort[:, 0] * min_ps
        probs_sort.masked_fill_(probs_sort < min_p_thr.view(-1, 1), 0.0)
        sampled = torch.multinomial(probs_sort, num_samples=1)
        return torch.gather(probs_idx.to(torch.int32), dim=1, index=sampled).view(-1)

    for b, v in ((16, 151936), (128, 128256)):
        out.append(("sglang_top_k_top_p_min_p_multinomial", sglang_sampling_torch,
                    (mf(b, v), mf(b), mi32(b), mf(b), mf(b))))

    def beam_step(logits, beam_scores, eos, cur_len=0, num_beams=4, length_penalty=1.0):
        log_probs = F.log_softmax(logits.float(), dim=-1)  # transformers' _beam_search step: log-softmax, the running
        log_probs = log_probs + beam_scores[:, None]  # beams' scores added, the beams flattened into one row per
        v = log_probs.shape[-1]  # batch item, top 2 x beams, the beam and token ids by floor-division and
        log_probs = log_probs.view(-1, num_beams * v)  # remainder, EOS hits with the length penalty applied
        topk_lp, topk_idx = torch.topk(log_probs, k=2 * num_beams, dim=1)
        beam_idx = torch.div(topk_idx, v, rounding_mode="floor")
        tok = topk_idx % v
        is_eos = torch.isin(tok, eos)
        finished_scores = torch.where(is_eos, topk_lp / (cur_len ** length_penalty), NEG)
        running = torch.where(is_eos, NEG, topk_lp)
        run_lp, run_idx = torch.topk(running, k=num_beams, dim=1)
        return run_lp, beam_idx.gather(1, run_idx), tok.gather(1, run_idx), finished_scores

    for b, beams, v, dt, cl in ((8, 4, 128256, torch.bfloat16, 512), (16, 8, 32000, torch.float16, 128),
                                (4, 5, 151936, torch.float32, 2048)):
        out.append(("hf_beam_search_step", P(beam_step, num_beams=beams, cur_len=cl),
                    (m(b * beams, v, dt=dt), mf(b * beams), i(2))))

    def beam_reorder(seqs, beam_idx, k, v):  # the beams' sequences re-gathered by take_along_dim and every layer's
        b, nb, L = seqs.shape  # KV cache reordered by index_select on the flattened beam index (Cache.reorder_cache)
        seqs = torch.take_along_dim(seqs, beam_idx[..., None].expand(b, nb, L), dim=1)
        flat = (beam_idx + torch.arange(b, device=beam_idx.device)[:, None] * nb).view(-1)
        return seqs, k.index_select(0, flat), v.index_select(0, flat)

    # Llama-3-8B's 8 KV heads, Qwen2.5-7B's 4
    for b, nb, L, h, t in ((8, 4, 1024, 8, 1024), (16, 8, 256, 4, 256), (2, 16, 4096, 8, 4096)):
        out.append(("hf_beam_reorder_cache", beam_reorder, (i(b, nb, L), i(b, nb), m(b * nb, h, t, 128),
                                                            m(b * nb, h, t, 128))))

    # ================================================================== speculative decoding verification
    def rejection_sample(target_probs, draft_probs, draft_ids, bonus_ids):  # vLLM's rejection sampler in torch:
        b, k, v = draft_probs.shape  # the draft tokens' target and draft probabilities gathered, accepted where
        idx = draft_ids.unsqueeze(-1)  # u < p / q, the recovered distribution max(p - q, 0) normalised and drawn
        sel_d = draft_probs.gather(2, idx).squeeze(-1)  # by the exponential race, the first rejection found by
        sel_t = target_probs.gather(2, idx).squeeze(-1)  # argmax over the rejections, the output assembled with
        u = torch.rand(b, k, device=draft_probs.device)  # the bonus token where all were accepted
        accepted = u < torch.clamp(sel_t / sel_d, max=1.0)
        diff = (target_probs - draft_probs).clamp_min_(0)
        recovered = diff / diff.sum(dim=-1, keepdim=True)
        q = torch.empty_like(recovered).exponential_(1.0)
        rec_ids = recovered.div_(q).argmax(dim=-1)
        rejected = accepted == 0
        limits = torch.where(rejected.any(1), rejected.max(1).indices, k)
        ar = torch.arange(k, device=draft_ids.device).unsqueeze(0)
        acc_mask = ar < limits.unsqueeze(1)
        after = ar == limits.unsqueeze(1)
        outp = torch.full((b, k + 1), -1, device=draft_ids.device, dtype=torch.long)
        outp[:, :k] = torch.where(acc_mask, draft_ids, -torch.ones_like(draft_ids))
        outp[:, -1] = torch.where(outp[:, k - 1] != -1, bonus_ids.squeeze(1), -1)
        outp[:, :k].mul_(~after).add_(rec_ids.mul(after))
        return outp

    for b, k, v in ((32, 4, 128256), (8, 7, 32000)):
        out.append(("spec_rejection_sampler", rejection_sample, (mf(b, k, v), mf(b, k, v), i(b, k), i(b, 1))))

    def medusa_posterior(logits, candidates, typical=True, posterior_threshold=0.09, alpha=0.3, temperature=0.7):
        if not typical:  # Medusa's evaluate_posterior: greedy (the candidates against the argmax) or typical
            mask = (candidates[:, 1:] == torch.argmax(logits[:, :-1], dim=-1)).int()  # acceptance (the candidate's
        else:  # probability above min(eps, alpha * exp(-entropy))); the accepted lengths by cumprod, the best
            prob = torch.softmax(logits[:, :-1] / temperature, dim=-1)  # candidate by argmax
            cand_p = torch.gather(prob, dim=-1, index=candidates[:, 1:].unsqueeze(-1)).squeeze(-1)
            ent = -torch.sum(prob * torch.log(prob + 1e-5), dim=-1)
            thr = torch.minimum(torch.ones_like(ent) * posterior_threshold, torch.exp(-ent) * alpha)
            mask = cand_p > thr
        acc_len = torch.cumprod(mask, dim=1).sum(dim=1)
        best = torch.argmax(acc_len).to(torch.long)
        return best, acc_len

    # Medusa-1 on Vicuna-7B (fp16, 32000, 64 tree candidates of 5) and on Llama-3-8B (bf16, 42 of 5)
    for nc, L, v, dt, typ in ((64, 5, 32000, torch.float16, True), (42, 5, 128256, torch.bfloat16, True),
                              (64, 5, 32000, torch.float16, False), (42, 5, 128256, torch.bfloat16, False)):
        out.append(("medusa_evaluate_posterior", P(medusa_posterior, typical=typ),
                    (m(nc, L, v, dt=dt), i(nc, L))))

    def medusa_candidates(logits, medusa_logits, tree_indices, retrieve_indices, tree_logits, topk=10):
        cand_logit = torch.argmax(logits[:, -1]).unsqueeze(0)  # Medusa's generate_candidates: the base head's
        cand_medusa = torch.topk(medusa_logits[:, 0, -1], topk, dim=-1).indices  # argmax and each head's top 10
        candidates = torch.cat([cand_logit, cand_medusa.view(-1)], dim=-1)  # cat'ed, laid out on the tree by its
        tree_cand = candidates[tree_indices]  # indices, the cartesian candidates by the retrieve indices (a zero
        ext = torch.cat([tree_cand, torch.zeros((1,), dtype=torch.long, device=tree_cand.device)], dim=0)  # padded
        cart = ext[retrieve_indices]  # in for -1), and the tree's logits read back along the same paths
        return cart, tree_cand.unsqueeze(0), tree_logits[0, retrieve_indices]

    for h, v, dt, nt, nc in ((4, 32000, torch.float16, 64, 42), (4, 128256, torch.bfloat16, 64, 42),
                             (5, 32000, torch.float16, 128, 80)):
        out.append(("medusa_generate_candidates", medusa_candidates,
                    (m(1, 1, v, dt=dt), m(h, 1, 1, v, dt=dt), i(nt), i(nc, 5), m(1, nt, v, dt=dt))))

    def medusa_heads(x, ws, lm_heads):  # Medusa's heads: per head a ResBlock (x + SiLU(linear(x))) and its own
        outs = []  # lm_head, stacked
        for n in range(ws.shape[0]):
            hh = x + F.silu(F.linear(x, ws[n]))
            outs.append(F.linear(hh, lm_heads[n]))
        return torch.stack(outs, dim=0)

    for s, hd, v, dt in ((64, 4096, 32000, torch.float16), (1, 4096, 128256, torch.bfloat16),
                         (64, 5120, 32000, torch.float16)):
        out.append(("medusa_heads_forward", medusa_heads,
                    (m(1, s, hd, dt=dt), m(4, hd, hd, dt=dt), m(4, v, hd, dt=dt))))

    def eagle2_expand(out_hidden, w_head, scores, topk_idx_prev, tree_mask, tree_mask_init, top_k=10):
        last_p = F.log_softmax(F.linear(out_hidden[0], w_head), dim=-1)  # EAGLE-2's topK_genrate, one depth: the
        top = torch.topk(last_p, top_k, dim=-1)  # draft head's log-probabilities of the current top-k nodes, their
        cu = top.values + scores[:, None]  # top-k, cumulative scores, the top-k of the k x k children, the parents'
        topk_cs = torch.topk(cu.view(-1), top_k, dim=-1)  # hidden states and the chosen ids gathered, the tree
        out_ids = topk_cs.indices // top_k  # mask extended by the parents' rows and the identity
        input_hidden = out_hidden[:, out_ids]
        input_ids = top.indices.view(-1)[topk_cs.indices][None]
        tree_mask = torch.cat((tree_mask[:, :, out_ids], tree_mask_init), dim=3)
        return input_hidden, input_ids, topk_cs.values, tree_mask, topk_idx_prev

    # EAGLE-2 drafts of Llama-3-8B / Llama-3-70B (draft vocab the target's), Vicuna-13B
    for hd, v, dt, dep in ((4096, 128256, torch.bfloat16, 3), (8192, 128256, torch.float16, 5),
                           (5120, 32000, torch.float16, 4)):
        out.append(("eagle2_topk_tree_expand", eagle2_expand,
                    (m(1, 10, hd, dt=dt), m(v, hd, dt=dt), mf(10), i(10), mf(1, 1, 10, dep), mf(1, 1, 10, 1))))

    def eagle2_rerank(scores_list, ss_token_list, parents_list, sample_token, total_tokens=60, top_k=10):
        top = torch.topk(scores_list, total_tokens, dim=-1)  # EAGLE-2's rerank: the best 60 of all the drafted
        idx = torch.sort(top.indices).values  # nodes, kept in draft order, their tokens and parents gathered, each
        draft = torch.cat((sample_token, ss_token_list[idx]), dim=0)  # parent's row found by searchsorted, the
        parents = parents_list[idx // top_k].long()  # tree mask built by gathering rows and the positions by the
        mask_index = torch.searchsorted(idx, parents - 1, right=False)  # mask's row sums
        mask_index = mask_index.masked_fill(parents == 0, -1) + 1
        tree_mask = torch.eye(total_tokens + 1, dtype=torch.bool, device=scores_list.device)
        tree_mask[:, 0] = True
        tree_mask[1:] = tree_mask[1:] | tree_mask[mask_index]
        position_ids = torch.sum(tree_mask.int(), dim=-1) - 1
        return draft, tree_mask.float()[None, None], position_ids

    for dep in (6, 10):
        n = 10 + (dep - 1) * 100
        out.append(("eagle2_rerank_tree", eagle2_rerank, (mf(n), i(n), i(n // 10), i(1))))

    def eagle3_fuse(low, mid, high, ids, fc_w, emb, n_in, n_h, wq):  # EAGLE-3's draft input: the target's low, mid
        h = F.linear(torch.cat((low, mid, high), dim=-1), fc_w)  # and high hidden states cat'ed and fused by fc,
        e = F.embedding(ids, emb)  # the token embedding and the fused state each RMSNorm'ed and cat'ed into the
        x = torch.cat((F.rms_norm(e, (e.shape[-1],), n_in, 1e-5),  # midlayer's doubled-width q projection
                       F.rms_norm(h, (h.shape[-1],), n_h, 1e-5)), dim=-1)
        return F.linear(x, wq), h

    for b, s, hd, v in ((1, 2048, 4096, 128256), (16, 8, 4096, 128256), (1, 1024, 8192, 128256)):
        out.append(("eagle3_fuse_hidden_midlayer", eagle3_fuse,
                    (m(b, s, hd), m(b, s, hd), m(b, s, hd), i(b, s), m(hd, 3 * hd), m(v, hd), m(hd), m(hd),
                     m(hd, 2 * hd))))

    def tree_attention(q, k, v, tree_mask, past=0):  # the target's verification pass over the draft tree: the
        b, h, n, d = q.shape  # tree mask placed after the past (all visible), as an additive float mask, SDPA with
        mask = torch.zeros(b, 1, n, past + n, device=q.device, dtype=q.dtype)  # GQA
        mask[..., past:] = mask[..., past:].masked_fill(tree_mask == 0, NEG)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)

    for b, n, past, hq, hk in ((1, 60, 1024, 32, 8), (1, 60, 4096, 64, 8), (4, 26, 2048, 32, 8)):
        out.append(("eagle_tree_attention_sdpa", P(tree_attention, past=past),
                    (m(b, hq, n, 128), m(b, hk, past + n, 128), m(b, hk, past + n, 128), mf(1, 1, n, n))))

    def spec_greedy_verify(target_logits, draft_ids, num_spec=4):  # vLLM's greedy rejection: the target argmax of
        b = draft_ids.shape[0]  # each of the k + 1 positions, the drafts accepted while equal (cumprod), the
        tgt = target_logits.argmax(dim=-1).view(b, num_spec + 1)  # accepted count, the output with -1 after the
        match = (tgt[:, :num_spec] == draft_ids).int()  # first miss and the target's token at it
        acc = torch.cumprod(match, dim=1)
        n_acc = acc.sum(dim=1)
        ar = torch.arange(num_spec + 1, device=draft_ids.device)[None]
        return torch.where(ar <= n_acc[:, None], tgt, -1), n_acc

    for b, k, v in ((64, 4, 128256), (256, 2, 151936), (16, 7, 129280)):
        out.append(("spec_greedy_verify", P(spec_greedy_verify, num_spec=k), (mf(b * (k + 1), v), i(b, k))))

    def ngram_propose(tokens, n=3, k=5):  # prompt-lookup / vLLM's n-gram proposer written in torch: every window
        L = tokens.shape[1]  # of n compared with the last n tokens, the latest earlier match by an argmax over
        windows = tokens.unfold(1, n, 1)[:, :-1]  # match x position, the k tokens after it gathered (-1 without
        match = (windows == tokens[:, -n:][:, None, :]).all(-1)  # a match)
        pos = (match.int() * torch.arange(match.shape[1], device=tokens.device)).argmax(-1)
        idx = (pos[:, None] + n + torch.arange(k, device=tokens.device)).clamp(max=L - 1)
        return torch.where(match.any(-1)[:, None], tokens.gather(1, idx), -1)

    for b, L, n, k in ((32, 4096, 3, 5), (128, 2048, 2, 4), (8, 32768, 4, 8)):
        out.append(("ngram_prompt_lookup_propose", P(ngram_propose, n=n, k=k), (i(b, L),)))

    def spec_bookkeeping(out_ids, seq_lens, token_buf):  # after verification: accepted counts, each request's
        b, k1 = out_ids.shape  # tokens written at its end of the token buffer (the rejected slots keep the old
        n_acc = (out_ids != -1).sum(1)  # value), the new lengths, the last valid token for the next draft step
        pos = (seq_lens[:, None] + torch.arange(k1, device=out_ids.device)).clamp(max=token_buf.shape[1] - 1)
        old = token_buf.gather(1, pos)
        token_buf.scatter_(1, pos, torch.where(out_ids != -1, out_ids, old))
        last = out_ids.gather(1, (n_acc - 1).clamp(min=0)[:, None])
        return seq_lens + n_acc, last

    for b, k1, L in ((64, 5, 8192), (256, 3, 4096), (16, 8, 131072)):
        out.append(("spec_decode_output_bookkeeping", spec_bookkeeping, (i(b, k1), i(b), i(b, L))))

    # ================================================================== paged KV cache in plain torch
    def reshape_and_cache(key, value, key_cache, value_cache, slot_mapping):  # vLLM's torch reshape_and_cache (the
        nb, bs, h, d = key_cache.shape  # TPU / CPU backends): the caches flattened over blocks x slots, the new
        key_cache.view(-1, h, d).index_copy_(0, slot_mapping, key)  # tokens' K and V copied in at their slots
        value_cache.view(-1, h, d).index_copy_(0, slot_mapping, value)
        return key_cache, value_cache

    # Llama-3-8B (8 KV heads of 128, blocks of 16): decode of 256, a prefill chunk of 8192; Llama-2-7B (32 KV heads,
    # fp16) prefill of 2048; Qwen2.5-7B (4 KV heads) decode of 64
    for t, nb, h, dt in ((256, 8192, 8, torch.bfloat16), (8192, 8192, 8, torch.bfloat16),
                         (2048, 2048, 32, torch.float16), (64, 16384, 4, torch.bfloat16)):
        out.append(("vllm_reshape_and_cache_index_copy", reshape_and_cache,
                    (m(t, h, 128, dt=dt), m(t, h, 128, dt=dt), m(nb, 16, h, 128, dt=dt), m(nb, 16, h, 128, dt=dt),
                     i(t))))

    def flashinfer_append(k, v, kv_cache, slot_mapping, block_size=16):  # a FlashInfer-layout paged cache
        blk = torch.div(slot_mapping, block_size, rounding_mode="floor")  # (blocks, 2, page, heads, dim): the
        off = slot_mapping % block_size  # block and offset of each slot, K and V put by two-index index_put_
        kv_cache[blk, 0, off] = k
        kv_cache[blk, 1, off] = v
        return kv_cache

    for t, nb, h, ps in ((128, 4096, 8, 16), (4096, 4096, 8, 16), (512, 1024, 8, 64)):
        out.append(("flashinfer_paged_kv_append", P(flashinfer_append, block_size=ps),
                    (m(t, h, 128), m(t, h, 128), m(nb, 2, ps, h, 128), i(t))))

    def sglang_mla_set(kv_c, k_pe, kv_norm_w, buf, loc):  # SGLang's MLATokenToKVPool for DeepSeek-V3: the
        kv_c = F.rms_norm(kv_c, (kv_c.shape[-1],), kv_norm_w, 1e-6)  # compressed latent RMSNorm'ed, cat'ed with
        buf[loc] = torch.cat([kv_c, k_pe], dim=-1).unsqueeze(1)  # the rotary key (576 wide), put at the locations
        return buf

    for t, pool in ((128, 524288), (8192, 524288), (32, 1048576)):
        out.append(("sglang_mla_kv_pool_set", sglang_mla_set, (m(t, 512), m(t, 64), m(512), m(pool, 1, 576), i(t))))

    def slot_mapping(block_table, req_indices, positions, block_size=16):  # vLLM v1's BlockTable slot mapping in
        max_blocks = block_table.shape[1]  # torch: each token's block number read from the flattened table,
        idx = req_indices * max_blocks + torch.div(positions, block_size, rounding_mode="floor")  # times the block
        block_numbers = block_table.flatten()[idx]  # size plus the offset in the block
        return block_numbers * block_size + positions % block_size

    for reqs, mb, t in ((256, 2048, 8192), (64, 8192, 64), (1024, 512, 16384)):
        out.append(("vllm_slot_mapping_from_block_table", slot_mapping, (mi32(reqs, mb), i(t), i(t))))

    def prepare_inputs(num_scheduled, num_computed, token_ids, total=0):  # vLLM v1's _prepare_inputs written in
        cu = torch.cumsum(num_scheduled, 0)  # torch: query start locations, each scheduled token's request by
        query_start = F.pad(cu, (1, 0))  # searchsorted, its position, the input ids by one index_select from the
        ar = torch.arange(total, device=cu.device)  # flattened token buffer, the sequence lengths and the
        req = torch.searchsorted(cu, ar, right=True)  # logits indices of each request's last token
        positions = num_computed[req] + (ar - query_start[req])
        input_ids = torch.index_select(token_ids.flatten(), 0, positions + req * token_ids.shape[1])
        return input_ids, positions, num_computed + num_scheduled, query_start[1:] - 1

    for b, t, reqs, L in ((64, 8192, 256, 32768), (256, 2048, 1024, 8192), (8, 16384, 128, 131072)):
        out.append(("vllm_prepare_inputs_chunked_prefill", P(prepare_inputs, total=t),
                    (i(b), i(b), mi32(reqs, L))))

    def paged_decode(q, key_cache, value_cache, block_tables, seq_lens, scale=128 ** -0.5):  # paged attention's
        b, hq, d = q.shape  # torch reference: the blocks of each sequence gathered through its block table into a
        nb, bs, hk, _ = key_cache.shape  # contiguous K / V, grouped-query scores in fp32, positions past the
        mb = block_tables.shape[1]  # length masked, softmax, the context
        bt = block_tables.long()
        k = key_cache[bt].view(b, mb * bs, hk, d).transpose(1, 2)
        v = value_cache[bt].view(b, mb * bs, hk, d).transpose(1, 2)
        qh = q.view(b, hk, hq // hk, d)
        s = torch.einsum("bgrd,bgtd->bgrt", qh.float(), k.float()) * scale
        pad = torch.arange(mb * bs, device=q.device)[None, :] >= seq_lens[:, None]
        s = s.masked_fill(pad[:, None, None, :], NEG)
        p = s.softmax(dim=-1).to(v.dtype)
        return torch.einsum("bgrt,bgtd->bgrd", p, v).reshape(b, hq, d)

    # Llama-3-8B 32 x 4K; Llama-3-70B at TP2 (32 / 4 heads) 8 x 32K; Qwen2.5-7B 128 x 1K
    for b, hq, hk, mb, nb in ((32, 32, 8, 256, 16384), (8, 32, 4, 2048, 32768), (128, 28, 4, 64, 16384)):
        out.append(("paged_attention_decode_torch", paged_decode,
                    (m(b, hq, 128), m(nb, 16, hk, 128), m(nb, 16, hk, 128), mi32(b, mb), mi32(b))))

    def mla_paged_decode(q_nope, q_pe, w_uk, w_uv, kv_cache, block_tables, seq_lens, scale=0.1352):
        b, h, _ = q_nope.shape  # DeepSeek-V3's MLA decode over a paged latent cache (blocks of 64 x 576): q's
        nb, bs, _ = kv_cache.shape  # non-rotary part absorbed by W_UK, the latent blocks gathered by the block
        mb = block_tables.shape[1]  # table, scores over 512 + 64 dims, the padding masked, fp32 softmax, the
        ql = torch.einsum("bhd,hdc->bhc", q_nope, w_uk)  # latent context, W_UV
        q = torch.cat([ql, q_pe], dim=-1)
        kv = kv_cache[block_tables.long()].view(b, mb * bs, -1)
        s = torch.einsum("bhc,btc->bht", q, kv).float() * scale
        pad = torch.arange(mb * bs, device=q.device)[None, :] >= seq_lens[:, None]
        s = s.masked_fill(pad[:, None, :], NEG)
        p = s.softmax(dim=-1).to(kv.dtype)
        o = torch.einsum("bht,btc->bhc", p, kv[..., :512])
        return torch.einsum("bhc,hcd->bhd", o, w_uv).flatten(1)

    for b, h, mb, nb in ((32, 128, 64, 8192), (4, 128, 512, 4096), (64, 16, 128, 16384)):
        out.append(("deepseek_mla_paged_decode_torch", mla_paged_decode,
                    (m(b, h, 128), m(b, h, 64), m(h, 128, 512), m(h, 512, 128), m(nb, 64, 576), mi32(b, mb),
                     mi32(b))))

    def prefix_hash(tokens, parent, table, block_size=16, mult=1000003):  # prefix caching's chained block hashes
        b, L = tokens.shape  # written in torch: a polynomial hash of each full block (int64, wrapping), chained
        blocks = tokens.view(b, L // block_size, block_size)  # along the sequence by a cumulative sum and an xor
        pw = torch.full((block_size,), mult, dtype=torch.long, device=tokens.device).cumprod(0)  # with the parent
        h = (blocks * pw).sum(-1)  # hash, each looked up in the sorted table of cached hashes by searchsorted,
        chained = torch.cumsum(h * 31, dim=1) ^ parent[:, None]  # the cached prefix's block count by cumprod
        pos = torch.searchsorted(table, chained).clamp(max=table.shape[0] - 1)
        hit = table[pos] == chained
        return chained, hit.int().cumprod(1).sum(1)

    for b, L, n in ((64, 4096, 1 << 20), (256, 2048, 1 << 18), (8, 32768, 1 << 22)):
        out.append(("prefix_cache_block_hash_lookup", prefix_hash, (i(b, L), i(b), i(n))))

    def block_append(block_tables, seq_lens, free_blocks, block_size=16):  # a decode step's block allocation: the
        need = (seq_lens % block_size) == 0  # sequences whose next token opens a block, each given the next free
        slot = torch.div(seq_lens, block_size, rounding_mode="floor")  # block by its rank (cumsum), written into the
        rank = (torch.cumsum(need.int(), 0) - 1).clamp(min=0)  # block table by scatter_, the lengths stepped
        new = free_blocks.gather(0, rank.long())
        cur = block_tables.gather(1, slot[:, None]).squeeze(1)
        block_tables.scatter_(1, slot[:, None], torch.where(need, new, cur)[:, None])
        return block_tables, seq_lens + 1

    for b, mb, nf in ((256, 2048, 65536), (64, 8192, 131072), (1024, 256, 32768)):
        out.append(("paged_block_table_append", block_append, (mi32(b, mb), i(b), mi32(nf))))

    def kv_int8_write(k, v, k_cache, v_cache, k_scale, v_scale, slots):  # an int8 KV cache with per-token, per-head
        def q8(x):  # scales (KIVI / LMDeploy-style in torch): amax over the head dim in fp32, round, clamp, the
            xf = x.float()  # codes and scales copied in at the slots
            s = xf.abs().amax(-1, keepdim=True).clamp(min=1e-6) / 127.0
            return torch.round(xf / s).clamp(-128, 127).to(torch.int8), s.squeeze(-1)

        kq, ks = q8(k)
        vq, vs = q8(v)
        k_cache.index_copy_(0, slots, kq)
        v_cache.index_copy_(0, slots, vq)
        k_scale.index_copy_(0, slots, ks)
        v_scale.index_copy_(0, slots, vs)
        return k_cache, v_cache

    for t, n, h in ((256, 262144, 8), (4096, 262144, 8), (1024, 131072, 32)):
        out.append(("kv_cache_int8_quant_write", kv_int8_write,
                    (m(t, h, 128), m(t, h, 128), mi8(n, h, 128), mi8(n, h, 128), mf(n, h), mf(n, h), i(t))))

    def kv_fp8_read(key_cache, value_cache, block_tables, k_scale, v_scale):  # an fp8 KV cache stored as bytes (as
        b, mb = block_tables.shape  # vLLM keeps it): each sequence's blocks gathered, viewed as e4m3, widened to
        bt = block_tables.long()  # bf16 and scaled per tensor
        k = key_cache[bt].view(torch.float8_e4m3fn).to(torch.bfloat16) * k_scale
        v = value_cache[bt].view(torch.float8_e4m3fn).to(torch.bfloat16) * v_scale
        return k.flatten(1, 2), v.flatten(1, 2)

    for b, mb, nb, h in ((32, 256, 16384, 8), (8, 1024, 16384, 8), (128, 64, 16384, 4)):
        out.append(("kv_cache_fp8_gather_dequant", kv_fp8_read,
                    (mu8(nb, 16, h, 128), mu8(nb, 16, h, 128), mi32(b, mb), mf(1), mf(1))))

    def kivi_quant(keys, values, group=32, bits=2):  # KIVI's asymmetric 2-bit KV quantisation in torch: keys per
        b, h, t, d = keys.shape  # channel over groups of 32 tokens, values per token, min / max, scale, round,
        qmax = 2 ** bits - 1  # four codes packed a byte by shifts and ors
        kg = keys.view(b, h, t // group, group, d).float()
        kmin, kmax = kg.amin(dim=3, keepdim=True), kg.amax(dim=3, keepdim=True)
        ks = (kmax - kmin).clamp(min=1e-5) / qmax
        kq = torch.round((kg - kmin) / ks).clamp(0, qmax).to(torch.uint8).view(b, h, t, d)
        vf = values.float()
        vmin, vmax = vf.amin(dim=-1, keepdim=True), vf.amax(dim=-1, keepdim=True)
        vs = (vmax - vmin).clamp(min=1e-5) / qmax
        vq = torch.round((vf - vmin) / vs).clamp(0, qmax).to(torch.uint8)

        def pack(x):
            x = x.view(*x.shape[:-1], -1, 4)
            return x[..., 0] | (x[..., 1] << 2) | (x[..., 2] << 4) | (x[..., 3] << 6)

        return pack(kq), ks.to(keys.dtype), kmin.to(keys.dtype), pack(vq), vs.to(keys.dtype), vmin.to(keys.dtype)

    for b, h, t in ((1, 8, 8192), (16, 8, 1024)):
        out.append(("kivi_kv_2bit_quant_pack", kivi_quant, (m(b, h, t, 128), m(b, h, t, 128))))

    def sliding_window_update(k_out, v_out, k, v, cache_position):  # transformers' SlidingWindowCache.update at
        window = k_out.shape[2]  # decode: the cache rolled by re-indexing with (arange + shift) % window, the new
        slicing = torch.ones(window, dtype=torch.long, device=k.device).cumsum(0)  # token put at its clamped
        cache_position = cache_position.clamp(0, window - 1)  # position
        to_shift = cache_position >= window - 1
        indices = (slicing + to_shift[-1].int() - 1) % window
        k_out = k_out[:, :, indices]
        v_out = v_out[:, :, indices]
        k_out[:, :, cache_position] = k.to(k_out.dtype)
        v_out[:, :, cache_position] = v.to(v_out.dtype)
        return k_out, v_out

    # Mistral-7B (window 4096, 8 KV heads of 128), Gemma-2-9B (4096, 8 of 256), Gemma-3-12B (1024, 8 of 256)
    for b, h, w, d in ((16, 8, 4096, 128), (8, 8, 4096, 256), (32, 8, 1024, 256)):
        out.append(("hf_sliding_window_cache_update", sliding_window_update,
                    (m(b, h, w, d), m(b, h, w, d), m(b, h, 1, d), m(b, h, 1, d), i(1))))

    def chunked_prefill_attn(q, k, v, past=0):  # a chunked-prefill step in plain torch: the chunk's queries over
        n = q.shape[2]  # the cached context and themselves, the causal mask offset by the context built by
        qi = torch.arange(n, device=q.device)[:, None] + past  # comparing aranges, SDPA with GQA
        ki = torch.arange(past + n, device=q.device)[None, :]
        mask = (ki <= qi)[None, None]
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)

    for b, hq, hk, n, past in ((1, 32, 8, 512, 4096), (1, 64, 8, 2048, 14336), (4, 28, 4, 256, 1792)):
        out.append(("chunked_prefill_offset_causal_sdpa", P(chunked_prefill_attn, past=past),
                    (m(b, hq, n, 128), m(b, hk, past + n, 128), m(b, hk, past + n, 128))))

    # ================================================================== rotary embeddings
    def llama3_rope(pos, q, k, base=500000.0, factor=8.0, low=1.0, high=4.0, orig=8192, d=128):
        inv_freq = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.int64, device=q.device).float() / d))
        low_wl, high_wl = orig / low, orig / high  # transformers' llama3 rope_type: the long wavelengths divided
        wavelen = 2 * math.pi / inv_freq  # by the factor, the medium band smoothed between, cos and sin of the
        inv_l = torch.where(wavelen > low_wl, inv_freq / factor, inv_freq)  # positions by a batched product, the
        smooth = (orig / wavelen - low) / (high - low)  # halves rotated on q and k
        smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
        is_medium = ~(wavelen < high_wl) * ~(wavelen > low_wl)
        inv_l = torch.where(is_medium, smoothed, inv_l)
        freqs = (inv_l[None, :, None].expand(pos.shape[0], -1, 1) @ pos[:, None, :].float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos().to(q.dtype).unsqueeze(1), emb.sin().to(q.dtype).unsqueeze(1)
        return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin

    # Llama-3.1-8B prefill of 8192 and decode of 64; Llama-3.1-70B 4 x 2048
    for b, hq, hk, s in ((1, 32, 8, 8192), (64, 32, 8, 1), (4, 64, 8, 2048)):
        out.append(("llama3_rope_scaling_apply", llama3_rope, (i(b, s), m(b, hq, s, 128), m(b, hk, s, 128))))

    def deepseek_yarn(q_pe, k_pe, start=0, dim=64, seqlen=163840, orig=4096, base=10000.0, factor=40.0,
                      beta_fast=32, beta_slow=1):  # DeepSeek-V3's precompute_freqs_cis (YaRN: the correction range,
        s = q_pe.shape[1]  # the linear ramp blending the interpolated and extrapolated frequencies, torch.polar)
        freqs = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32, device=q_pe.device) / dim))  # and
        low = max(math.floor(dim * math.log(orig / (beta_fast * 2 * math.pi)) / (2 * math.log(base))), 0)  # the
        high = min(math.ceil(dim * math.log(orig / (beta_slow * 2 * math.pi)) / (2 * math.log(base))), dim - 1)
        ramp = ((torch.arange(dim // 2, dtype=torch.float32, device=q_pe.device) - low) / (high - low)).clamp(0, 1)
        smooth = 1 - ramp  # interleaved complex apply_rotary_emb on q_pe and k_pe over the step's positions
        freqs = freqs / factor * (1 - smooth) + freqs * smooth
        t = torch.arange(start, start + s, device=q_pe.device, dtype=torch.float32)
        freqs_cis = torch.polar(torch.ones(s, dim // 2, device=q_pe.device), torch.outer(t, freqs))

        def apply(x):
            xc = torch.view_as_complex(x.float().view(*x.shape[:-1], -1, 2))
            y = torch.view_as_real(xc * freqs_cis.view(1, s, 1, -1)).flatten(3)
            return y.to(x.dtype)

        return apply(q_pe), apply(k_pe)

    for b, s, start in ((1, 4096, 0), (64, 1, 8000), (4, 512, 16384)):
        out.append(("deepseek_yarn_freqs_cis_apply", P(deepseek_yarn, start=start),
                    (m(b, s, 128, 64), m(b, s, 1, 64))))

    def vllm_rope_native(positions, query, key, cos_sin_cache, head_size=128, rotary_dim=128, neox=True):
        t = positions.shape[0]  # vLLM's RotaryEmbedding.forward_native: the cos / sin cache rows selected by
        cos, sin = cos_sin_cache.index_select(0, positions).chunk(2, dim=-1)  # position, each head's rotary part
        # rotated NeoX-style (halves) or GPT-J-style (interleaved pairs, stacked back) and cat'ed with the rest

        def apply(x):
            shp = x.shape
            x = x.view(t, -1, head_size)
            rot, rest = x[..., :rotary_dim], x[..., rotary_dim:]
            c, s_ = cos.unsqueeze(-2).to(x.dtype), sin.unsqueeze(-2).to(x.dtype)
            if neox:
                x1, x2 = torch.chunk(rot, 2, dim=-1)
            else:
                x1, x2 = rot[..., ::2], rot[..., 1::2]
            o1, o2 = x1 * c - x2 * s_, x2 * c + x1 * s_
            r = torch.cat((o1, o2), dim=-1) if neox else torch.stack((o1, o2), dim=-1).flatten(-2)
            return torch.cat((r, rest), dim=-1).reshape(shp)

        return apply(query), apply(key)

    # Llama-3-8B (full, NeoX) prefill; GLM-4-9B (half of 128, GPT-J pairs, 2 KV heads); Qwen3-Next's attention
    # (64 of 256, NeoX) decode batch; Qwen2.5-7B full NeoX decode
    for t, hq, hk, hd, rd, neox in ((8192, 32, 8, 128, 128, True), (2048, 32, 2, 128, 64, False),
                                    (256, 16, 2, 256, 64, True), (128, 28, 4, 128, 128, True)):
        out.append(("vllm_rotary_forward_native", P(vllm_rope_native, head_size=hd, rotary_dim=rd, neox=neox),
                    (i(t), m(t, hq * hd), m(t, hk * hd), mf(131072, rd))))

    def partial_rotary(q, k, cos, sin, rotary_dim=96):  # transformers' partial rotary (Phi-4-mini's 0.75 of 128):
        q_rot, q_pass = q[..., :rotary_dim], q[..., rotary_dim:]  # the rotary slice rotated by halves, cat'ed
        k_rot, k_pass = k[..., :rotary_dim], k[..., rotary_dim:]  # with the pass-through
        c, s = cos.unsqueeze(1), sin.unsqueeze(1)
        q_e = torch.cat([q_rot * c + rotate_half(q_rot) * s, q_pass], dim=-1)
        k_e = torch.cat([k_rot * c + rotate_half(k_rot) * s, k_pass], dim=-1)
        return q_e, k_e

    for b, hq, hk, s, rd in ((1, 24, 8, 8192, 96), (32, 24, 8, 1, 96), (2, 32, 32, 4096, 32)):
        out.append(("partial_rotary_apply", P(partial_rotary, rotary_dim=rd),
                    (m(b, hq, s, 128), m(b, hk, s, 128), m(b, s, rd), m(b, s, rd))))

    def mrope(q, k, position_ids, mrope_section=(16, 24, 24), base=1000000.0, d=128):  # Qwen2-VL's multimodal
        inv = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.int64, device=q.device).float() / d))  # rotary:
        inv = inv[None, None, :, None].expand(3, position_ids.shape[1], -1, 1)  # temporal / height / width
        freqs = (inv @ position_ids[:, :, None, :].float()).transpose(2, 3)  # positions each through the
        emb = torch.cat((freqs, freqs), dim=-1)  # frequencies, cos / sin split by the sections and recombined
        cos, sin = emb.cos().to(q.dtype), emb.sin().to(q.dtype)  # from the three, rotate_half
        sec = list(mrope_section) * 2
        cos = torch.cat([c[j % 3] for j, c in enumerate(cos.split(sec, dim=-1))], dim=-1).unsqueeze(1)
        sin = torch.cat([c[j % 3] for j, c in enumerate(sin.split(sec, dim=-1))], dim=-1).unsqueeze(1)
        return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin

    # Qwen2-VL-7B (28 / 4 heads) prefill of an image-heavy 4096 and decode of 8; Qwen2-VL-2B (12 / 2) 2 x 2048
    for b, hq, hk, s in ((1, 28, 4, 4096), (8, 28, 4, 1), (2, 12, 2, 2048)):
        out.append(("qwen2vl_mrope_apply", mrope, (m(b, hq, s, 128), m(b, hk, s, 128), i(3, b, s))))

    # ================================================================== MoE routing, permutation, experts
    def softmax_router(x, w, top_k=2, norm=True):  # Mixtral / Qwen3-MoE's router: the gate's logits, softmax in
        logits = F.linear(x, w)  # fp32, top-k, renormalised (norm_topk_prob), cast back
        rw = F.softmax(logits, dim=1, dtype=torch.float)
        rw, sel = torch.topk(rw, top_k, dim=-1)
        if norm:
            rw = rw / rw.sum(dim=-1, keepdim=True)
        return rw.to(x.dtype), sel, logits

    # Mixtral-8x7B (8 of 4096, top-2), Qwen3-30B-A3B (128 of 2048, top-8), Qwen3-235B-A22B (128 of 4096) decode,
    # Qwen2-57B-A14B (64 of 3584, top-8, not renormalised)
    for t, hd, e, k, norm in ((4096, 4096, 8, 2, True), (8192, 2048, 128, 8, True), (256, 4096, 128, 8, True),
                              (2048, 3584, 64, 8, False)):
        out.append(("moe_softmax_topk_router", P(softmax_router, top_k=k, norm=norm), (m(t, hd), m(e, hd))))

    def ds_grouped_topk(x, w, bias, n_group=8, topk_group=4, top_k=8, scale=2.5):  # DeepSeek-V3's noaux_tc router:
        logits = F.linear(x.float(), w.float())  # fp32 gate, sigmoid scores, the correction bias added for the
        scores = logits.sigmoid()  # choice only, each group's top-2 sum, the top-4 groups, the other groups masked,
        e = scores.shape[-1]  # top-8 experts, their unbiased scores gathered, normalised, times 2.5
        sfc = scores + bias.unsqueeze(0)
        gs = sfc.view(-1, n_group, e // n_group).topk(2, dim=-1)[0].sum(dim=-1)
        gidx = torch.topk(gs, k=topk_group, dim=-1, sorted=False)[1]
        gmask = torch.zeros_like(gs)
        gmask.scatter_(1, gidx, 1)
        smask = gmask.unsqueeze(-1).expand(-1, n_group, e // n_group).reshape(-1, e)
        tmp = sfc.masked_fill(~smask.bool(), 0.0)
        idx = torch.topk(tmp, k=top_k, dim=-1, sorted=False)[1]
        wts = scores.gather(1, idx)
        wts = wts / (wts.sum(dim=-1, keepdim=True) + 1e-20)
        return idx, wts * scale

    # DeepSeek-V3 (256 of 7168, 8 groups): prefill 8192, decode 256; Kimi-K2 (384, one group, 2.827); GLM-4.5 (160
    # of 5120, one group)
    for t, hd, e, ng, tg, sc in ((8192, 7168, 256, 8, 4, 2.5), (256, 7168, 256, 8, 4, 2.5),
                                 (4096, 7168, 384, 1, 1, 2.827), (2048, 5120, 160, 1, 1, 2.5)):
        out.append(("deepseek_v3_grouped_topk_router", P(ds_grouped_topk, n_group=ng, topk_group=tg, scale=sc),
                    (m(t, hd), m(e, hd), mf(e))))

    def gptoss_router(x, w, b, top_k=4):  # gpt-oss's router: linear with bias, top-4 logits, softmax over them,
        logits = F.linear(x, w, b)  # scattered into a dense (tokens, experts) score matrix
        top_v, top_i = torch.topk(logits, top_k, dim=-1)
        scores = F.softmax(top_v, dim=1, dtype=top_v.dtype)
        return torch.zeros_like(logits).scatter_(1, top_i, scores), top_i

    for t, e in ((4096, 128), (256, 32), (16384, 32)):
        out.append(("gptoss_topk_router_scatter", gptoss_router, (m(t, 2880), m(e, 2880), m(e))))

    def moe_permute(tokens, indices, num_experts=8):  # Megatron's sort-based permute: the flattened expert ids
        topk = indices.shape[1]  # argsorted stably, each copy's token by floor-division, the rows gathered, the
        flat = indices.view(-1)  # tokens per expert by histc and their offsets
        sorted_indices = torch.argsort(flat, stable=True)
        permuted = tokens.index_select(0, torch.div(sorted_indices, topk, rounding_mode="floor"))
        counts = torch.histc(flat.float(), bins=num_experts, min=0, max=num_experts - 1)
        return permuted, sorted_indices, torch.cumsum(counts.long(), 0)

    for t, hd, k, e in ((4096, 7168, 8, 256), (8192, 4096, 2, 8), (16384, 2048, 8, 128)):
        out.append(("moe_sort_permute_tokens", P(moe_permute, num_experts=e), (m(t, hd), i(t, k))))

    def moe_unpermute(permuted, sorted_indices, probs):  # Megatron's unpermute: the expert outputs copied back to
        topk = probs.shape[1]  # their token-major slots by index_copy_, viewed per token, weighted by the
        un = torch.zeros_like(permuted)  # routing probabilities and summed over the top-k
        un.index_copy_(0, sorted_indices, permuted)
        un = un.reshape(-1, topk, permuted.shape[-1])
        return (un * probs.unsqueeze(-1).to(un.dtype)).sum(dim=1)

    for t, hd, k in ((4096, 7168, 8), (8192, 4096, 2), (16384, 2048, 8)):
        out.append(("moe_unpermute_combine", moe_unpermute, (m(t * k, hd), i(t * k), mf(t, k))))

    def expert_capacity_bmm(dispatched, w13, w2):  # padded-capacity expert compute (GShard / DeepSpeed layout):
        gu = torch.bmm(dispatched, w13)  # per expert one batched product to gate and up, SiLU-gated, down
        g, u = gu.chunk(2, dim=-1)
        return torch.bmm(F.silu(g) * u, w2)

    # Mixtral-8x7B (8 x 4096 -> 14336), Qwen3-30B-A3B (128 x 2048 -> 768), DeepSeek-V3 at EP32 (8 x 7168 -> 2048)
    for e, c, hd, inter in ((8, 1024, 4096, 14336), (128, 128, 2048, 768), (8, 512, 7168, 2048)):
        out.append(("moe_expert_capacity_bmm_swiglu", expert_capacity_bmm,
                    (m(e, c, hd), m(e, hd, 2 * inter), m(e, inter, hd))))

    def gptoss_experts(x, routing_weights, gate_up, gate_up_b, down, down_b, alpha=1.702, limit=7.0):
        t, hd = x.shape  # gpt-oss's GptOssExperts dense path: the tokens repeated for every expert, one bmm to
        e = gate_up.shape[0]  # gate / up (interleaved columns) with bias, both clamped, the sigmoid-weighted
        h = x.repeat(e, 1).view(e, -1, hd)  # GLU with up + 1, the down bmm with bias, weighted by the dense
        gu = torch.bmm(h, gate_up) + gate_up_b[..., None, :]  # routing scores and summed over the experts
        gate, up = gu[..., ::2], gu[..., 1::2]
        gate = gate.clamp(min=None, max=limit)
        up = up.clamp(min=-limit, max=limit)
        glu = gate * torch.sigmoid(gate * alpha)
        nxt = torch.bmm((up + 1) * glu, down) + down_b[..., None, :]
        nxt = nxt.view(e, t, hd) * routing_weights.transpose(0, 1).view(e, t)[..., None]
        return nxt.sum(dim=0)

    for t, e in ((64, 32), (256, 32), (16, 128)):
        out.append(("gptoss_experts_dense_bmm", gptoss_experts,
                    (m(t, 2880), m(t, e), m(e, 2880, 5760), m(e, 5760), m(e, 2880, 2880), m(e, 2880))))

    def deepspeed_top1(x, logits, capacity=80):  # DeepSpeed's top1gating with capacity: softmax, argmax one-hot,
        gates = F.softmax(logits.float(), dim=1)  # the aux loss, each token's place in its expert by cumsum,
        e = gates.shape[1]  # tokens past capacity dropped, the combine weights by einsum with the one-hot
        idx = torch.argmax(gates, dim=1)  # location, the dispatch mask, the dispatched input by einsum
        mask1 = F.one_hot(idx, num_classes=e)
        l_aux = torch.sum(torch.mean(gates, dim=0) * torch.mean(mask1.float(), dim=0)) * e
        loc = torch.cumsum(mask1, dim=0) - 1
        mask1 = mask1 * torch.lt(loc, capacity)
        loc_s = torch.sum(loc * mask1, dim=1)
        gates = gates * mask1.float()
        loc_sc = F.one_hot(loc_s, num_classes=capacity).float()
        combine = torch.einsum("se,sc->sec", gates, loc_sc)
        dispatch = combine.bool()
        dispatched = torch.einsum("sec,sm->ecm", dispatch.type_as(x), x)
        return l_aux, combine, dispatched

    for s, hd, e, cap in ((4096, 2048, 64, 80), (2048, 1024, 16, 160)):
        out.append(("deepspeed_top1_capacity_dispatch", P(deepspeed_top1, capacity=cap), (m(s, hd), m(s, e))))

    def hf_lb_loss(gate_logits, top_k=2, z_coef=0.001):  # transformers' load_balancing_loss_func over the layers'
        e = gate_logits.shape[-1]  # cat'ed router logits (softmax, top-k, one-hot, the token fraction times the
        rw = F.softmax(gate_logits, dim=-1)  # probability per expert) plus ST-MoE's router z-loss
        _, sel = torch.topk(rw, top_k, dim=-1)
        mask = F.one_hot(sel, e)
        tokens_per_expert = torch.mean(mask.float(), dim=0)
        prob_per_expert = torch.mean(rw, dim=0)
        lb = torch.sum(tokens_per_expert * prob_per_expert.unsqueeze(0)) * e
        z = torch.logsumexp(gate_logits, dim=-1).square().mean()
        return lb + z_coef * z

    # Mixtral (32 layers x 4096 tokens, 8 experts), Qwen3-30B-A3B (48 x 2048, 128, top-8), OLMoE (16 x 4096, 64)
    for n, e, k in ((32 * 4096, 8, 2), (48 * 2048, 128, 8), (16 * 4096, 64, 8)):
        out.append(("hf_load_balancing_and_z_loss", P(hf_lb_loss, top_k=k), (mf(n, e),)))

    def ds_seq_aux_loss(scores, topk_idx, alpha=0.0001, top_k=8):  # DeepSeek-V3's complementary sequence-wise
        b, s, e = scores.shape  # balance loss: the affinities normalised per token, each sequence's expert counts
        sn = scores / scores.sum(dim=-1, keepdim=True)  # by scatter_add_, scaled by E / (K s), times the mean
        ce = torch.zeros(b, e, device=scores.device)  # normalised affinity, summed, averaged over the batch
        ce.scatter_add_(1, topk_idx.view(b, -1), torch.ones(b, s * top_k, device=scores.device))
        ce = ce / (s * top_k / e)
        return (ce * sn.mean(dim=1)).sum(dim=1).mean() * alpha

    for b, s, e in ((4, 4096, 256), (16, 2048, 256), (8, 8192, 160)):
        out.append(("deepseek_sequence_aux_loss", ds_seq_aux_loss, (mf(b, s, e), i(b, s, 8))))

    def shared_expert(x, routed, wg, wu, wd, w_gate=None):  # the shared expert beside the routed ones: a SwiGLU
        y = F.linear(F.silu(F.linear(x, wg)) * F.linear(x, wu), wd)  # MLP, in Qwen2-MoE gated by a sigmoid of one
        if w_gate is not None:  # more projection, added to the routed output
            y = torch.sigmoid(F.linear(x, w_gate)) * y
        return routed + y

    # Qwen1.5-MoE-A2.7B (2048 -> 5632, gated), Qwen2-57B-A14B (3584 -> 20480, gated), DeepSeek-V3 (7168 -> 2048)
    for t, hd, inter, gated in ((2048, 2048, 5632, True), (256, 3584, 20480, True), (4096, 7168, 2048, False),
                                (64, 7168, 2048, False)):
        args = (m(t, hd), m(t, hd), m(inter, hd), m(inter, hd), m(hd, inter)) + ((m(1, hd),) if gated else ())
        out.append(("moe_shared_expert_add", shared_expert, args))

    def moe_align(topk_ids, num_experts=256, block_size=64):  # fused-MoE's moe_align_block_size written in torch:
        flat = topk_ids.view(-1).long()  # tokens per expert by scatter_add_, padded to the block size, offsets by
        n = flat.shape[0]  # cumsum, a stable sort by expert, each copy's destination, the sorted token ids by
        counts = torch.zeros(num_experts, dtype=torch.int32, device=flat.device)  # scatter_ into a padded buffer
        counts.scatter_add_(0, flat, torch.ones_like(flat, dtype=torch.int32))  # (filled with n), each block's
        padded = (counts + block_size - 1) // block_size * block_size  # expert by searchsorted
        pad_off = F.pad(torch.cumsum(padded, 0), (1, 0))
        raw_off = F.pad(torch.cumsum(counts, 0), (1, 0))
        order = torch.argsort(flat, stable=True)
        se = flat[order]
        dest = pad_off[se] + (torch.arange(n, device=flat.device) - raw_off[se])
        max_padded = n + num_experts * (block_size - 1)
        sorted_ids = torch.full((max_padded,), n, dtype=torch.int32, device=flat.device)
        sorted_ids.scatter_(0, dest.long(), order.to(torch.int32))
        starts = torch.arange(0, max_padded, block_size, device=flat.device, dtype=torch.int32)
        expert_ids = torch.searchsorted(pad_off[1:].contiguous(), starts, right=True)
        return sorted_ids, expert_ids, pad_off[-1:]

    for t, k, e, bs in ((256, 8, 256, 64), (4096, 8, 128, 64), (8192, 2, 8, 128)):
        out.append(("fused_moe_align_block_size_torch", P(moe_align, num_experts=e, block_size=bs), (mi32(t, k),)))

    # ================================================================== quantisation paths written in torch
    def per_token_int8(x, smooth=None, azp=False):  # vLLM's scaled_int8_quant in torch (SmoothQuant's activation
        if smooth is not None:  # smoothing first where given): per-token amax / 127, round, clamp, int8; the
            x = x / smooth  # asymmetric form with a zero point from min / max over 255 levels
        xf = x.float()
        if not azp:
            s = xf.abs().amax(dim=-1, keepdim=True) / 127.0
            return torch.round(xf / s).clamp(-128, 127).to(torch.int8), s
        mn, mx = xf.amin(dim=-1, keepdim=True), xf.amax(dim=-1, keepdim=True)
        s = (mx - mn) / 255.0
        zp = torch.round(-128.0 - mn / s).to(torch.int32)
        return torch.round(xf / s + zp).clamp(-128, 127).to(torch.int8), s, zp

    for t, hd, dt, sm, azp in ((8192, 4096, torch.bfloat16, False, False), (256, 14336, torch.float16, False, False),
                               (4096, 8192, torch.bfloat16, True, False), (1024, 3584, torch.bfloat16, False, True)):
        args = (m(t, hd, dt=dt),) + ((m(hd, dt=dt),) if sm else ())
        out.append(("per_token_int8_quant", P(per_token_int8, azp=azp), args))

    def w8a8_int_mm(xq, x_scale, wq_t, w_scale):  # W8A8 int8 GEMM in torch (torchao / SmoothQuant): torch._int_mm
        y = torch._int_mm(xq, wq_t)  # into int32, rescaled by the per-token and per-channel scales, cast to bf16
        return (y.float() * x_scale * w_scale[None, :]).to(torch.bfloat16)

    for t, k, n in ((1024, 4096, 14336), (32, 4096, 6144), (8192, 8192, 1024), (256, 14336, 4096)):
        out.append(("w8a8_int_mm_rescale", w8a8_int_mm, (mi8(t, k), mf(t, 1), mi8(k, n), mf(n))))

    def w8a16_linear(x, w_int8, scale, bias=None):  # int8 weight-only (torchao's int8_weight_only path): the
        y = torch.mm(x.view(-1, x.shape[-1]), w_int8.t().to(x.dtype)) * scale  # int8 weight widened, the product,
        if bias is not None:  # the per-channel scale after, the bias
            y = y + bias
        return y.view(*x.shape[:-1], -1)

    for b, s, k, n, bias in ((1, 1, 4096, 14336, False), (16, 1, 8192, 28672, False), (1, 256, 3584, 18944, True)):
        args = (m(b, s, k), mi8(n, k), m(n)) + ((m(n),) if bias else ())
        out.append(("w8a16_int8_weight_only_linear", w8a16_linear, args))

    def fp8_per_token_linear(x, w_fp8, w_scale):  # vLLM's dynamic per-token fp8 quantisation of activations in
        xf = x.float()  # torch (amax / 448, clamped to e4m3's range) and the scaled fp8 product
        s = (xf.abs().amax(dim=-1, keepdim=True) / 448.0).clamp(min=1.0 / (448.0 * 512.0))
        xq = (xf / s).clamp(-448.0, 448.0).to(torch.float8_e4m3fn)
        return torch._scaled_mm(xq, w_fp8.t(), scale_a=s, scale_b=w_scale, out_dtype=torch.bfloat16)

    for t, k, n in ((2048, 4096, 14336), (64, 8192, 10240), (4096, 7168, 4096)):
        out.append(("fp8_per_token_dynamic_scaled_mm", fp8_per_token_linear, (m(t, k), mf8(n, k), mf(1, n))))

    def block_fp8_dequant(w, s, block=128):  # DeepSeek-V3's weight_dequant in torch: the 128 x 128 block scales
        s = s.repeat_interleave(block, 0).repeat_interleave(block, 1)  # repeated over their blocks, the e4m3
        return (w.to(torch.float32) * s[:w.shape[0], :w.shape[1]]).to(torch.bfloat16)  # weight widened, scaled

    # DeepSeek-V3's q_a_proj (1536 x 7168), kv_a (576 x 7168: a ragged last block), an expert's w1 (2048 x 7168),
    # the dense MLP's w1 (18432 x 7168)
    for n, k in ((1536, 7168), (576, 7168), (2048, 7168), (18432, 7168)):
        out.append(("deepseek_block_fp8_weight_dequant", block_fp8_dequant,
                    (mf8(n, k), mf((n + 127) // 128, (k + 127) // 128))))

    AWQ_REVERSE = [0, 4, 1, 5, 2, 6, 3, 7]

    def awq_dequant_matmul(x, qweight, qzeros, scales, group=128, bits=4):  # AutoAWQ's dequantize_gemm in torch:
        shifts = torch.arange(0, 32, bits, device=qzeros.device)  # the int32 words unpacked by right shifts to int8,
        iw = torch.bitwise_right_shift(qweight[:, :, None], shifts[None, None, :]).to(torch.int8)  # the AWQ column
        iw = iw.view(iw.shape[0], -1)  # order reversed by an index, masked to 4 bits, zeros alike, scales and
        iz = torch.bitwise_right_shift(qzeros[:, :, None], shifts[None, None, :]).to(torch.int8)  # zeros repeated
        iz = iz.view(iz.shape[0], -1)  # over their group, (w - z) * s, the product
        rev = torch.arange(iw.shape[-1], dtype=torch.int32, device=iw.device).view(-1, 32 // bits)
        rev = rev[:, AWQ_REVERSE].view(-1)
        iz = torch.bitwise_and(iz[:, rev], (2 ** bits) - 1)
        iw = torch.bitwise_and(iw[:, rev], (2 ** bits) - 1)
        w = (iw - iz.repeat_interleave(group, dim=0)) * scales.repeat_interleave(group, dim=0)
        return torch.matmul(x, w)

    # Llama-3-8B's q_proj, gate_proj and down_proj in AWQ 4-bit, group 128, fp16
    for t, k, n in ((16, 4096, 4096), (1, 4096, 14336), (256, 14336, 4096)):
        out.append(("awq_unpack_dequant_matmul", awq_dequant_matmul,
                    (mh(t, k), mi32(k, n // 8), mi32(k // 128, n // 8), mh(k // 128, n))))

    def gptq_dequant_matmul(x, qweight, qzeros, scales, g_idx, bits=4):  # AutoGPTQ's torch QuantLinear: the
        wf = torch.arange(0, 32, bits, dtype=torch.int32, device=qweight.device).unsqueeze(0)  # zeros unpacked
        zeros = torch.bitwise_right_shift(qzeros.unsqueeze(2).expand(-1, -1, 32 // bits),  # along the output and
                                          wf.unsqueeze(0)).to(torch.int8)  # the weights along the input (expand,
        zeros = (torch.bitwise_and(zeros, (2 ** bits) - 1) + 1).reshape(scales.shape)  # shift, mask), the scales
        weight = torch.bitwise_right_shift(qweight.unsqueeze(1).expand(-1, 32 // bits, -1),  # and zeros gathered
                                           wf.unsqueeze(-1)).to(torch.int8)  # per input row by g_idx (act-order),
        weight = torch.bitwise_and(weight, (2 ** bits) - 1)  # the product
        weight = weight.reshape(weight.shape[0] * weight.shape[1], weight.shape[2])
        g = g_idx.long()
        return torch.matmul(x, scales[g] * (weight - zeros[g]))

    # Qwen2.5-7B's gate_proj (3584 -> 18944), Llama-2-13B's q_proj (5120 -> 5120), Mistral-7B's down (14336 -> 4096)
    for t, k, n in ((16, 3584, 18944), (1, 5120, 5120), (128, 14336, 4096)):
        out.append(("gptq_act_order_dequant_matmul", gptq_dequant_matmul,
                    (mh(t, k), mi32(k // 8, n), mi32(k // 128, n // 8), mh(k // 128, n), mi32(k))))

    def hqq_unpack_dequant(w_q, scale, zero, shape=(4096, 4096)):  # HQQ's 4-bit uint8 unpacking: the high and low
        step = w_q.shape[0]  # nibbles of the packed rows by masks and shifts into a doubled buffer, (w - z) * s per
        tmp = torch.empty([2 * step, w_q.shape[1]], dtype=torch.uint8, device=w_q.device)  # group of 64, reshaped
        tmp[:step] = (w_q & 0b11110000) >> 4  # to the weight
        tmp[step:] = w_q & 0b00001111
        return ((tmp.to(scale.dtype) - zero) * scale).reshape(shape)

    for n, k in ((4096, 4096), (14336, 4096), (28672, 8192)):
        g = n * k // 64
        out.append(("hqq_uint8_4bit_unpack_dequant", P(hqq_unpack_dequant, shape=(n, k)),
                    (mu8(g // 2, 64), mh(g, 1), mh(g, 1))))

    def mxfp4_dequant(blocks, scales, lut):  # transformers' convert_moe_packed_tensors for gpt-oss's MXFP4 experts:
        scales = scales.to(torch.int32) - 127  # the e8m0 exponents unbiased, the low and high nibbles looked up in
        *prefix, g, bb = blocks.shape  # the 16-entry FP4 table into the even and odd columns, ldexp by the
        rows = math.prod(prefix) * g  # exponents, reshaped and transposed to (experts, in, out)
        blk = blocks.reshape(rows, bb)
        exp = scales.reshape(rows, 1)
        outb = torch.empty(rows, bb * 2, dtype=lut.dtype, device=blocks.device)
        outb[:, 0::2] = lut[(blk & 0x0F).to(torch.long)]
        outb[:, 1::2] = lut[(blk >> 4).to(torch.long)]
        torch.ldexp(outb, exp, out=outb)
        return outb.reshape(*prefix, g * bb * 2).transpose(1, 2).contiguous()

    # gpt-oss-20b's gate_up (32 x 5760 x 2880) and down (32 x 2880 x 2880) blocks, and 120b's down (128 experts)
    for e, n in ((32, 5760), (32, 2880), (128, 2880)):
        out.append(("gptoss_mxfp4_lut_dequant", mxfp4_dequant, (mu8(e, n, 90, 16), mu8(e, n, 90), m(16))))

    # ================================================================== LoRA and multi-LoRA (punica's torch ops)
    def bgmv_shrink(inputs, lora_a, output, lora_indices, scaling=1.0):  # vLLM's torch bgmv_shrink: each token's
        sel = lora_a[lora_indices].to(dtype=output.dtype)  # adapter A gathered, squeezed, einsum into the rank,
        if sel.dim() == 4:  # written scaled into the fp32 buffer
            sel = sel.squeeze(dim=1)
        outs = torch.einsum("bi, boi -> bo", inputs.to(dtype=output.dtype), sel)
        output[:, :outs.shape[1]] = scaling * outs[:]
        return output

    # 16 adapters of rank 16 on Llama-3-8B's 4096, 32 of rank 64 on Qwen2.5-7B's 3584, rank 8 on 70B's 8192
    for t, nl, r, hd in ((64, 16, 16, 4096), (256, 32, 64, 3584), (32, 8, 8, 8192)):
        out.append(("punica_bgmv_shrink_torch", bgmv_shrink, (m(t, hd), m(nl, 1, r, hd), mf(t, r), i(t))))

    def bgmv_expand_slice(inputs, lb_q, lb_k, lb_v, output, lora_indices):  # vLLM's torch bgmv_expand_slice for
        off = 0  # the merged qkv projection: per slice the adapter's B gathered per token, einsum from the rank,
        for n, lora_b in enumerate((lb_q, lb_k, lb_v)):  # added into the slice of the output
            sel = lora_b[lora_indices].to(dtype=output.dtype).squeeze(dim=1)
            outs = torch.einsum("bi, boi -> bo", inputs[n].to(dtype=output.dtype), sel)
            size = lora_b.shape[2]
            output[:, off:off + size] += outs[:]
            off += size
        return output

    for t, nl, r, sl in ((64, 16, 16, (4096, 1024, 1024)), (256, 32, 64, (3584, 512, 512)),
                         (16, 8, 32, (8192, 1024, 1024))):
        out.append(("punica_bgmv_expand_slice_qkv", bgmv_expand_slice,
                    (mf(3, t, r), *(m(nl, 1, s_, r) for s_ in sl), m(t, sum(sl)), i(t))))

    def sgmv_shrink(inputs, lora_a, output, seq_lens, lora_indices, scaling=0.5):  # vLLM's torch sgmv_shrink for
        exploded = torch.repeat_interleave(lora_indices, seq_lens, output_size=inputs.shape[0])  # prefill: each
        sel = lora_a[exploded].to(dtype=output.dtype).squeeze(dim=1)  # segment's adapter id repeated over its
        outs = torch.einsum("bi, boi -> bo", inputs.to(dtype=output.dtype), sel)  # tokens, then bgmv_shrink
        output[:, :outs.shape[1]] = scaling * outs[:]
        return output

    for t, b, nl, r, hd in ((2048, 8, 8, 16, 4096), (8192, 4, 4, 8, 4096), (1024, 16, 16, 32, 3584)):
        out.append(("punica_sgmv_shrink_prefill_torch", sgmv_shrink,
                    (m(t, hd), m(nl, 1, r, hd), mf(t, r), i(b), i(b))))

    def lora_embedding(x, emb, lora_a_2d, lora_b, idx0, idx1, token_lora, org_vocab=128256):  # vLLM's
        added = torch.where(x > org_vocab - 1, 1, 0)  # VocabParallelEmbeddingWithLoRA: the extra-vocabulary
        a = F.embedding(x + idx1, lora_a_2d)  # offsets, the adapters' A rows by embedding, the base embedding
        full = F.embedding(x + idx0 * added, emb)  # with the added tokens shifted, B gathered per token, einsum,
        sel = lora_b[token_lora].squeeze(1)  # added into the output
        return full + torch.einsum("bi, boi -> bo", a, sel)

    for t, nl, r, v, hd in ((2048, 8, 16, 128256, 4096), (256, 16, 8, 151936, 3584)):
        out.append(("lora_vocab_embedding_extra_tokens", P(lora_embedding, org_vocab=v),
                    (i(t), m(v + 256, hd), m(nl * (v + 256), r), m(nl, 1, hd, r), i(t), i(t), i(t))))

    def gathered_lora_bmm(x, base_out, lora_a, lora_b, scalings, adapter_ids):  # S-LoRA / LoRAX's gathered-
        a = lora_a.index_select(0, adapter_ids)  # adapter path: each request's A and B by index_select, two bmm's,
        b_ = lora_b.index_select(0, adapter_ids)  # the adapter's scaling, added to the base output
        delta = torch.bmm(torch.bmm(x, a), b_) * scalings.index_select(0, adapter_ids)[:, None, None]
        return base_out + delta.to(base_out.dtype)

    for b, s, hd, r, n, na in ((32, 1, 4096, 16, 4096, 16), (8, 512, 4096, 64, 14336, 8), (64, 1, 8192, 8, 1024, 32)):
        out.append(("gathered_lora_bmm_add", gathered_lora_bmm,
                    (m(b, s, hd), m(b, s, n), m(na, hd, r), m(na, r, n), mf(na), i(b))))

    # ================================================================== logits processors
    def bad_words_mask(logits, bad_ids):  # a bad-words processor's static mask: the banned single-token ids
        mask = torch.zeros(logits.shape, dtype=torch.bool, device=logits.device)  # scattered into a bool vocab mask,
        mask.scatter_(1, bad_ids, True)  # the logits filled with -inf there
        return logits.masked_fill(mask, NEG)

    for b, v, n in ((32, 128256, 256), (128, 151936, 64), (8, 32000, 2048)):
        out.append(("bad_words_scatter_mask", bad_words_mask, (mf(b, v), i(b, n))))

    def grammar_bitmask(logits, bitmask, indices=None):  # xgrammar's apply_token_bitmask_inplace in torch: the int32
        bits = torch.arange(32, dtype=torch.int32, device=bitmask.device)  # words unpacked by right shifts and
        v = logits.shape[1]  # an and, viewed as the vocabulary's allowed bits, -inf where clear; with a subset
        allowed = ((bitmask.unsqueeze(-1) >> bits) & 1).view(bitmask.shape[0], -1)[:, :v].bool()  # of structured
        if indices is None:  # rows, those read by index_select and written back by index_copy_
            return logits.masked_fill_(~allowed, NEG)
        rows = logits.index_select(0, indices).masked_fill(~allowed, NEG)
        return logits.index_copy_(0, indices, rows)

    for b, v, sub in ((32, 128256, 0), (128, 151936, 0), (256, 201088, 64), (64, 128256, 16)):
        rows = sub or b
        args = (mf(b, v), mi32(rows, (v + 31) // 32)) + ((i(sub),) if sub else ())
        out.append(("xgrammar_token_bitmask_apply", grammar_bitmask, args))

    def lm_head_last(hidden, logits_indices, norm_w, w, softcap=None):  # the prefill's logits: the last token of
        h = hidden.index_select(0, logits_indices)  # each request selected, the final RMSNorm, the lm_head, fp32,
        h = F.rms_norm(h, (h.shape[-1],), norm_w, 1e-6)  # Gemma-2's final soft-cap (tanh(x / 30) * 30)
        logits = F.linear(h, w).float()
        if softcap is not None:
            logits = torch.tanh(logits / softcap) * softcap
        return logits

    # Gemma-2-9B (3584, 256000, soft-capped) packed prefill of 8192 for 16 requests and decode of 256; Llama-3-8B
    for t, b, hd, v, cap in ((8192, 16, 3584, 256000, 30.0), (256, 256, 3584, 256000, 30.0),
                             (16384, 64, 4096, 128256, None)):
        out.append(("lm_head_last_token_logits_softcap", P(lm_head_last, softcap=cap),
                    (m(t, hd), i(b), m(hd), m(v, hd))))

    # ================================================================== vision-language front-ends
    def q2vl_patch_embed(pixel, w):  # Qwen2-VL / Qwen2.5-VL's PatchEmbed: the flattened patches viewed as 3 x 2 x
        x = pixel.view(-1, 3, 2, 14, 14).to(dtype=w.dtype)  # 14 x 14 clips, a Conv3d of their own size, 1280 wide
        return F.conv3d(x, w, stride=(2, 14, 14)).view(-1, w.shape[0])

    for n, dt in ((1024, torch.float32), (4096, torch.bfloat16), (16384, torch.bfloat16)):
        out.append(("qwen2vl_conv3d_patch_embed", q2vl_patch_embed, (m(n, 1176, dt=dt), m(1280, 3, 2, 14, 14))))

    def q2vl_merger(x, ln_w, ln_b, w1, b1, w2, b2, rms=False):  # Qwen2-VL's PatchMerger (LayerNorm; Qwen2.5-VL's
        c = x.shape[-1]  # RMSNorm), 2 x 2 neighbours cat'ed into 5120, the MLP into the LLM's width
        x = F.rms_norm(x, (c,), ln_w, 1e-6) if rms else F.layer_norm(x, (c,), ln_w, ln_b, 1e-6)
        x = x.view(-1, 4 * c)
        return F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)

    # Qwen2-VL-7B (-> 3584), Qwen2.5-VL-72B (-> 8192, RMSNorm), Qwen2.5-VL-3B (-> 2048)
    for n, od, rms in ((4096, 3584, False), (16384, 8192, True), (1024, 2048, True)):
        out.append(("qwen2vl_patch_merger_mlp", P(q2vl_merger, rms=rms),
                    (m(n, 1280), m(1280), m(1280), m(5120, 5120), m(5120), m(od, 5120), m(od))))

    def q2vl_vision_rotary(q, k, t=1, h=32, w=32, merge=2, dim=40):  # Qwen2-VL's vision rot_pos_emb: h / w
        hpos = torch.arange(h, device=q.device).unsqueeze(1).expand(-1, w)  # positions laid out in 2 x 2 merge
        hpos = hpos.reshape(h // merge, merge, w // merge, merge).permute(0, 2, 1, 3).flatten()  # windows, the
        wpos = torch.arange(w, device=q.device).unsqueeze(0).expand(h, -1)  # frequency table indexed by them,
        wpos = wpos.reshape(h // merge, merge, w // merge, merge).permute(0, 2, 1, 3).flatten()  # cos / sin,
        pos_ids = torch.stack([hpos, wpos], dim=-1).repeat(t, 1)  # apply_rotary_pos_emb_vision in fp32
        inv = 1.0 / (10000 ** (torch.arange(0, dim, 2, dtype=torch.float, device=q.device) / dim))
        freqs = torch.outer(torch.arange(max(h, w), device=q.device, dtype=torch.float), inv)
        rot = freqs[pos_ids].flatten(1)
        emb = torch.cat((rot, rot), dim=-1)
        cos, sin = emb.cos().unsqueeze(-2), emb.sin().unsqueeze(-2)
        qf, kf = q.float(), k.float()
        return ((qf * cos) + (rotate_half(qf) * sin)).to(q.dtype), ((kf * cos) + (rotate_half(kf) * sin)).to(k.dtype)

    for t, h, w in ((1, 32, 32), (1, 64, 64), (4, 36, 28)):
        n = t * h * w
        out.append(("qwen2vl_vision_rotary_2d", P(q2vl_vision_rotary, t=t, h=h, w=w),
                    (m(n, 16, 80), m(n, 16, 80))))

    def q2vl_vision_attn(q, k, v, cu=(0, 1024)):  # Qwen2-VL's vision SDPA over several images: a block-diagonal
        n = q.shape[1]  # float mask (finfo.min outside each image's span) filled block by block, SDPA
        mask = torch.full([1, n, n], torch.finfo(q.dtype).min, device=q.device, dtype=q.dtype)
        for a, b_ in zip(cu[:-1], cu[1:], strict=False):
            mask[..., a:b_, a:b_] = 0
        return F.scaled_dot_product_attention(q.unsqueeze(0), k.unsqueeze(0), v.unsqueeze(0), mask, dropout_p=0.0)

    for cu in ((0, 1024, 2048, 3072, 4096), (0, 4096, 6144), (0, 256, 512, 768, 1024, 1280, 1536, 1792, 2048)):
        n = cu[-1]
        out.append(("qwen2vl_vision_block_diag_sdpa", P(q2vl_vision_attn, cu=cu),
                    (m(16, n, 80), m(16, n, 80), m(16, n, 80))))

    def q25vl_window_reorder(hidden, window_index, merged, unit=4):  # Qwen2.5-VL's window attention layout: the
        n = hidden.shape[0]  # patches grouped by merge unit and reordered by the window index, and after the
        x = hidden.reshape(n // unit, unit, -1)[window_index, :, :].reshape(n, -1)  # merger the order restored by
        rev = torch.argsort(window_index)  # the index's argsort
        return x, merged[rev, :]

    for n, od in ((4096, 3584), (16384, 8192), (1024, 2048)):
        out.append(("qwen25vl_window_index_reorder", q25vl_window_reorder, (m(n, 1280), i(n // 4), m(n // 4, od))))

    def image_token_scatter(input_ids, emb, image_features, image_token_id=32000):  # LLaVA / Qwen2-VL's merge:
        inputs_embeds = F.embedding(input_ids, emb)  # the text embedded, the image-token positions as a mask
        mask = (input_ids == image_token_id).unsqueeze(-1).expand_as(inputs_embeds)  # expanded over the width,
        return inputs_embeds.masked_scatter(mask, image_features.to(inputs_embeds.dtype))  # masked_scatter

    # LLaVA-1.5-7B (8 x 1024, 576 image tokens each), Qwen2-VL-7B (1 x 8192, 4096 merged tokens), Gemma-3-4B
    # (4 x 2048, 256 each)
    for b, s, hd, v, nimg, tok in ((8, 1024, 4096, 32064, 8 * 576, 32000), (1, 8192, 3584, 152064, 4096, 151655),
                                   (4, 2048, 2560, 262208, 4 * 256, 262144)):
        out.append(("vlm_image_token_masked_scatter", P(image_token_scatter, image_token_id=tok),
                    (i(b, s), m(v, hd), m(nimg, hd))))

    def llava_next_pack(image_feature, newline, gh=2, gw=2, cut=0):  # LLaVA-NeXT's pack_image_features for one
        base = image_feature[0]  # image: the base crop kept, the grid's crops laid out as one feature map
        x = image_feature[1:].view(gh, gw, 24, 24, -1)  # (permute, flatten), unpadded along the taller side,
        x = x.permute(4, 0, 2, 1, 3).contiguous().flatten(1, 2).flatten(2, 3)  # a newline column cat'ed per row,
        if cut:  # flattened and put after the base
            x = x[:, cut:-cut, :]
        x = torch.cat((x, newline[:, None, None].expand(*x.shape[:-1], 1).to(x.dtype)), dim=-1)
        x = x.flatten(1, 2).transpose(0, 1)
        return torch.cat((base, x), dim=0)

    for gh, gw, hd, cut in ((2, 2, 4096, 6), (2, 3, 4096, 0), (3, 1, 7168, 0)):
        out.append(("llava_next_anyres_pack", P(llava_next_pack, gh=gh, gw=gw, cut=cut),
                    (m(1 + gh * gw, 576, hd), m(hd))))

    def internvl_shuffle(vit_embeds, ln_w, ln_b, w1, b1, w2, b2, scale=0.5):  # InternVL's extract_feature: the CLS
        x = vit_embeds[:, 1:, :]  # token dropped, the 32 x 32 map pixel-shuffled to 16 x 16 by two view / permute
        n, hw, c = x.shape  # rounds, mlp1 (LayerNorm, linear, GELU, linear)
        h = w = int(hw ** 0.5)
        x = x.reshape(n, h, w, c)
        x = x.view(n, w, int(h * scale), int(c / scale)).permute(0, 2, 1, 3).contiguous()
        x = x.view(n, int(h * scale), int(w * scale), int(c / (scale * scale))).permute(0, 2, 1, 3).contiguous()
        x = x.reshape(n, -1, x.shape[-1])
        x = F.layer_norm(x, (x.shape[-1],), ln_w, ln_b, 1e-5)
        return F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)

    # InternVL2.5-8B (InternViT-300M 1024 -> internlm2.5's 4096) 13 and 7 tiles; InternVL2.5-26B (3200 -> 6144)
    for n, c, od in ((13, 1024, 4096), (7, 1024, 4096), (7, 3200, 6144)):
        out.append(("internvl_pixel_shuffle_mlp1", internvl_shuffle,
                    (m(n, 1025, c), m(4 * c), m(4 * c), m(od, 4 * c), m(od), m(od, od), m(od))))

    def gemma3_projector(vision_outputs, norm_w, proj, ppi=64, pool=4):  # Gemma-3's multimodal projector: the
        b, _, c = vision_outputs.shape  # 64 x 64 SigLIP map transposed to channels-first, a 4 x 4 average pool,
        x = vision_outputs.transpose(1, 2).reshape(b, c, ppi, ppi).contiguous()  # flattened back, Gemma's
        x = F.avg_pool2d(x, kernel_size=pool, stride=pool).flatten(2).transpose(1, 2)  # zero-centred RMSNorm in
        xf = x.float()  # fp32, the input projection by matmul
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + 1e-6) * (1.0 + norm_w.float())
        return torch.matmul(xf.type_as(x), proj)

    for b, od in ((1, 2560), (4, 3840), (16, 5376)):
        out.append(("gemma3_mm_projector_pool_norm", gemma3_projector, (m(b, 4096, 1152), m(1152), m(1152, od))))

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK40, _check40()),))
