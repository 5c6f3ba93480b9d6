"""The aten sweep's thirty-second blind real-code group: `realcode-check32`, interpretability tooling (sparse
autoencoders, lenses, steering and attribution), decoding algorithms beyond top-k / top-p, preference and RL
post-training losses, self-supervised vision objectives, 2024-25 architecture variants, diffusion samplers and
guidance, video diffusion internals, text-to-speech, optimisers not yet used and evaluation metrics, with a few
recurrent cells and LoRA variants.

Each case is one op or a short idiom as the models' and libraries' public reference code writes it, at real widths,
batches, sequence lengths, vocabularies, image and video sizes and dtypes (fp32 where the reference trains, scores or
keeps optimiser state in it, bf16 and fp16 for inference and mixed-precision training, float64 and complex128 where
the reference upcasts (APG's projection, Wan's rotary), int64 token ids, labels, codes and durations, uint8 8-bit
optimiser states, bool masks): interpretability (OpenAI's TopK sparse autoencoder with its normalised MSE and aux-k
loss over dead latents, a sparse decode by gathered decoder rows, Gemma Scope's JumpReLU SAE with its L0, a
BatchTopK SAE, the logit lens over every layer of Llama-2-7B with per-layer KL to the final distribution, the tuned
lens' per-layer affine translators by baddbmm, ActAdd steering and directional ablation with weight
orthogonalisation, direct logit attribution per head by einsum, attribution patching and a position grid of
activation patching by where); decoding (contrastive decoding with its plausibility cut, DoLa's Jensen-Shannon
layer choice per row with the relative-top filter, lookahead / Jacobi verification by cumprod of matches, eta and
epsilon sampling, Mirostat v2, a fixed-shape no-repeat-n-gram ban by unfold and scatter_reduce, vLLM's logprob ranks
and top-20, vLLM's repetition / frequency / presence penalties by scatter_add_ bin counts); post-training losses
(TRL's per-row selective log-softmax, the DPO loss family (sigmoid, hinge, IPO, robust, BCO, SPPO, NCA, AOT, APO,
DiscoPOP), KTO with its clamped KL estimate, SimPO with CPO's NLL, GRPO / DAPO / Dr. GRPO token losses with clip-
higher and the k3 KL, RLOO's leave-one-out baseline with REINFORCE++'s reversed cumsum returns, a Bradley-Terry reward
model's last-token pooling, PPO's masked whitening and clipped value loss); self-supervised vision (DINO's multi-crop
loss with teacher centering, its weight-normed head, iBOT's masked patch loss, DINOv2's KoLeo, I-JEPA's masked
gathers and predictor, an EMA teacher by foreach ops, CoCa's losses with its attentional pooler through
multi_head_attention_forward); architecture variants (hyper-connections, nGPT's normalised block and weights, the
Differential Transformer's attention, modded-nanogpt's value-residual attention and soft-capped head, Mixture-of-
Depths routing, ToMe's bipartite soft matching, Flamingo's gated cross-attention and Perceiver resampler);
diffusion (adaptive projected guidance in double, CFG-Zero*, k-diffusion's Euler ancestral and LMS steps, UniPC's
order-3 predictor by linalg.solve, FLUX's packed flow-matching Euler step with its shifted sigmas and timestep
embeddings, zero-terminal-SNR betas with a v-prediction DDPM step); video (Wan's complex128 3-D rotary, HunyuanVideo's
real 3-D rotary, an Open-Sora STDiT block with its spatial and temporal attentions, TSM's temporal shift, CogVideoX's
causal Conv3d with GroupNorm, Wan's patchify, head and unpatchify); speech (F5-TTS's ConvNeXt-V2 text embedding,
input embedding and conditional flow-matching loss, Glow-TTS' alignment log-likelihood with a few columns of the
monotonic search, a gather-based length regulator, VALL-E's NAR embeddings with adaptive LayerNorm, Moshi's depth
steps); optimisers (Prodigy, CAME, SAM's perturbation, ADOPT, AdEMAMix, Lookahead with Grokfast, 8-bit blockwise
Adam states by a dynamic map and bucketize); metrics (NDCG, MRR and recall over a dense retrieval, AUROC and AP by
sort and cumsum, multilabel, top-k accuracy and strided perplexity, BERTScore, CLIPScore); recurrences and adapters
(xLSTM's sLSTM steps, HGRN2's outer-product state, VeRA, PiSSA's initialisation by svd_lowrank).
Data-dependent steps of the reference code are written without data-dependent shapes: boolean-mask selections as
masked_fill, where and masked sums (CFM's span loss, vLLM's penalty masks, the relative-top filter), .item() choices
as per-row gathers (DoLa's premature layer), Python min / max over tensors as torch.minimum / maximum (k-diffusion's
ancestral step, Prodigy's d), recurrences cut to their first steps (sLSTM, HGRN2, the monotonic alignment). The group
is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK32 = "realcode-check32"


def _check32():
    import math

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _dtype_makers, _meta_makers

    m, i = _meta_makers()

    mh, mf, mb, mi32 = _dtype_makers()

    def md(*shape):  # float64 (where the reference code keeps double)
        return m(*shape, dt=torch.float64)

    def mc128(*shape):  # complex128 (Wan's rotary table)
        return m(*shape, dt=torch.complex128)

    def mu8(*shape):  # uint8 (8-bit optimiser states)
        return m(*shape, dt=torch.uint8)

    def sc(dt=torch.float32):  # a 0-dim tensor (a learned scalar, a sigma, a step size)
        return torch.empty((), dtype=dt, device="meta")

    out = []

    # ================================================================== interpretability
    def topk_sae(x, w_enc, b_enc, w_dec, b_dec, dead, k=32, aux_k=512):  # OpenAI's sparse_autoencoder TopK SAE:
        x_c = x - b_dec  # the pre-bias, TopK with ReLU scattered back, the dense decode, the normalised MSE and the
        pre = F.linear(x_c, w_enc, b_enc)  # aux-k loss over dead latents reconstructing the residual error
        vals, idx = torch.topk(pre, k, dim=-1)
        latents = torch.zeros_like(pre).scatter_(-1, idx, F.relu(vals))
        recon = latents @ w_dec + b_dec
        nmse = ((recon - x).pow(2).sum(-1) / (x - x.mean(0, keepdim=True)).pow(2).sum(-1)).mean()
        aux_vals, aux_idx = torch.topk(pre.masked_fill(~dead, float("-inf")), aux_k, dim=-1)
        aux_lat = torch.zeros_like(pre).scatter_(-1, aux_idx, F.relu(aux_vals))
        err = (x - recon).detach()
        aux = ((aux_lat @ w_dec - err).pow(2).sum(-1) / (err - err.mean(0, keepdim=True)).pow(2).sum(-1)).mean()
        return recon, nmse + aux / 32

    def sae_sparse_decode(x, w_enc, b_enc, w_dec, b_dec, k=64):  # a TopK SAE's sparse decode at inference: unit-norm
        w_dec = w_dec / w_dec.norm(dim=-1, keepdim=True)  # decoder rows, the k active rows gathered and weighted
        vals, idx = torch.topk(F.linear(x - b_dec, w_enc, b_enc), k, dim=-1)
        return (w_dec[idx] * F.relu(vals).unsqueeze(-1)).sum(-2) + b_dec

    def jumprelu_sae(x, w_enc, b_enc, threshold, w_dec, b_dec, l0_coef=6e-4):  # Gemma Scope's JumpReLU SAE: the
        pre = x @ w_enc + b_enc  # thresholded ReLU, the decode, the reconstruction loss and the L0 penalty
        mask = pre > threshold
        acts = mask * F.relu(pre)
        recon = acts @ w_dec + b_dec
        l0 = mask.sum(-1).float()
        return recon, (recon - x).pow(2).sum(-1).mean() + l0_coef * l0.mean()

    def batchtopk_sae(x, w_enc, b_enc, w_dec, b_dec, k=32):  # BatchTopK SAE (Bussmann et al.): top k x batch over
        n, h = x.shape[0], w_enc.shape[0]  # the flattened batch, scattered back, the running threshold's update
        pre = F.relu(F.linear(x - b_dec, w_enc, b_enc))
        vals, idx = pre.flatten().topk(k * n)
        acts = torch.zeros(n * h, dtype=pre.dtype, device=pre.device).scatter(0, idx, vals).view(n, h)
        recon = F.linear(acts, w_dec, b_dec)
        return recon, F.mse_loss(recon, x), vals.min()

    def logit_lens(hs, norm_w, w_u, eps=1e-5):  # the logit lens over every layer's residual stream: the final
        h = hs.float()  # RMSNorm, the unembedding, log-probs, each layer's KL to the final layer, its top-1, entropy
        h = (h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)).to(hs.dtype) * norm_w
        lp = F.linear(h, w_u).float().log_softmax(-1)
        final = lp[-1:]
        kl = (final.exp() * (final - lp)).sum(-1)
        ent = -(lp.exp() * lp).sum(-1)
        return kl, lp.argmax(-1), ent

    def tuned_lens(hs, a, b, norm_w, w_u, final_logits):  # the tuned lens (Belrose et al.): each layer's affine
        h = hs + torch.baddbmm(b.unsqueeze(1), hs, a)  # translator h + A h + b by baddbmm, the final norm and
        h = F.rms_norm(h, (h.shape[-1],), norm_w, 1e-5)  # unembedding, the KL to the model's logits
        lp = F.linear(h, w_u).float().log_softmax(-1)
        target = final_logits.float().log_softmax(-1)
        return (target.exp() * (target - lp)).sum(-1).mean(-1)

    def steer_and_ablate(h, vec, lengths, r, coeff=4.0):  # ActAdd / CAA steering at the generated positions and the
        pos = torch.arange(h.shape[1], device=h.device)  # refusal direction's ablation (Arditi et al.): the
        gen = (pos[None, :] >= lengths[:, None]).unsqueeze(-1)  # projection onto the unit direction removed
        h = h + coeff * gen * vec
        r = r / r.norm()
        return h - (h @ r).unsqueeze(-1) * r

    def orthogonalise_weights(w_o, w_down, w_emb, r):  # the refusal direction projected out of every matrix that
        r = (r / r.norm()).to(w_o.dtype)  # writes to the residual stream (o_proj, down_proj, the embedding)
        w_o = w_o - torch.outer(r, r @ w_o)
        w_down = w_down - torch.outer(r, r @ w_down)
        w_emb = w_emb - (w_emb @ r).unsqueeze(-1) * r
        return w_o, w_down, w_emb

    def direct_logit_attribution(z, w_o, ln_scale, w_u, ans, wrong):  # TransformerLens-style direct logit
        per_head = torch.einsum("blhd,lhde->blhe", z, w_o)  # attribution of every head at the last position:
        direction = w_u.index_select(1, ans) - w_u.index_select(1, wrong)  # the heads' outputs through W_O, the
        per_head = per_head / ln_scale[:, None, None, None]  # final LN scale, the answer's logit-difference
        return torch.einsum("blhe,eb->blh", per_head, direction)

    def attribution_patching(clean, corrupt, grad_corrupt):  # attribution patching (Nanda): the first-order
        return ((clean - corrupt) * grad_corrupt).sum(-1)  # effect of each layer x position's patch

    def activation_patching_grid(clean, corrupt, w_dir):  # activation patching over every position at one layer:
        t = clean.shape[1]  # a one-hot position grid by where, the logit difference read at the last position
        eye = torch.eye(t, dtype=torch.bool, device=clean.device)
        patched = torch.where(eye[:, None, :, None], clean[None], corrupt[None])
        return patched[:, :, -1] @ w_dir

    # TopK SAEs over GPT-2 small's residual (768 -> 32768) at 4096 tokens in fp32 and Llama-3-8B's (4096 -> 65536)
    # at 1024 bf16 tokens; Gemma Scope's JumpReLU SAE on Gemma-2-9B (3584 -> 16384 and 131072); BatchTopK on GPT-2;
    # the logit lens over Llama-2-7B's 33 residual streams; the tuned lens at 256 tokens; steering Llama-3-8B
    # at 32 x 512, orthogonalising its weights; direct logit attribution on GPT-2 small and Llama-2-7B; patching
    out += [
        ("topk_sae_auxk", topk_sae, (mf(4096, 768), mf(32768, 768), mf(32768), mf(32768, 768), mf(768),
                                     mb(32768))),
        ("topk_sae_auxk", topk_sae, (m(1024, 4096), m(65536, 4096), m(65536), m(65536, 4096), m(4096), mb(65536))),
        ("sae_sparse_decode", sae_sparse_decode, (m(1024, 4096), m(65536, 4096), m(65536), m(65536, 4096), m(4096))),
        ("sae_sparse_decode", sae_sparse_decode, (mf(16, 768), mf(32768, 768), mf(32768), mf(32768, 768), mf(768))),
        ("jumprelu_sae", jumprelu_sae, (mf(2048, 3584), mf(3584, 16384), mf(16384), mf(16384), mf(16384, 3584),
                                        mf(3584))),
        ("jumprelu_sae", jumprelu_sae, (m(512, 3584), m(3584, 131072), m(131072), m(131072), m(131072, 3584),
                                        m(3584))),
        ("batchtopk_sae", batchtopk_sae, (mf(4096, 768), mf(24576, 768), mf(24576), mf(768, 24576), mf(768))),
        ("logit_lens", logit_lens, (m(33, 1, 256, 4096), m(4096), m(32000, 4096))),
        ("logit_lens", logit_lens, (m(33, 16, 1, 4096), m(4096), m(32000, 4096))),
        ("tuned_lens", tuned_lens, (m(32, 256, 4096), m(32, 4096, 4096), m(32, 4096), m(4096), m(32000, 4096),
                                    m(256, 32000))),
        ("steer_and_ablate", steer_and_ablate, (m(32, 512, 4096), m(4096), i(32), m(4096))),
        ("orthogonalise_weights", orthogonalise_weights, (m(4096, 4096), m(4096, 14336), m(128256, 4096),
                                                          mf(4096))),
        ("direct_logit_attribution", direct_logit_attribution, (mf(256, 12, 12, 64), mf(12, 12, 64, 768),
                                                                mf(256), mf(768, 50257), i(256), i(256))),
        ("direct_logit_attribution", direct_logit_attribution, (m(8, 32, 32, 128), m(32, 32, 128, 4096), m(8),
                                                                m(4096, 32000), i(8), i(8))),
        ("attribution_patching", attribution_patching, (mf(12, 64, 128, 768), mf(12, 64, 128, 768),
                                                        mf(12, 64, 128, 768))),
        ("activation_patching_grid", activation_patching_grid, (mf(32, 64, 768), mf(32, 64, 768), mf(768))),
    ]

    # ================================================================== decoding algorithms
    def contrastive_decoding(expert_logits, amateur_logits, alpha=0.1, amateur_temp=0.5):  # contrastive decoding
        e = expert_logits.float().log_softmax(-1)  # (Li et al.): the expert's and the amateur's log-probs, the
        a = (amateur_logits.float() / amateur_temp).log_softmax(-1)  # plausibility cut at alpha x the expert's max
        cutoff = math.log(alpha) + e.max(dim=-1, keepdim=True).values
        diffs = (e - a).masked_fill(e < cutoff, float("-inf"))
        return diffs.argmax(-1), diffs

    def dola(hidden, norm_w, w_head, relative_top=0.1, min_tokens=1):  # transformers' DoLa: the candidate layers'
        h = F.rms_norm(hidden, (hidden.shape[-1],), norm_w, 1e-5)  # logits, JS divergence of each to the mature
        logits = F.linear(h, w_head).float()  # layer (as F.kl_div writes it), the premature layer per row (the
        final, prem = logits[-1], logits[:-1]  # reference's .item() as a gather), the relative-top filter
        sm_mature, sm_prem = F.softmax(final, dim=-1), F.softmax(prem, dim=-1)
        mix = 0.5 * (sm_mature[None] + sm_prem)
        lsm_mature, lsm_prem = F.log_softmax(final, dim=-1), F.log_softmax(prem, dim=-1)
        kl1 = F.kl_div(lsm_mature[None], mix, reduction="none").mean(-1)
        kl2 = F.kl_div(lsm_prem, mix, reduction="none").mean(-1)
        js = 0.5 * (kl1 + kl2)
        layer = js.argmax(0)
        base = lsm_prem.gather(0, layer[None, :, None].expand(1, -1, final.shape[-1])).squeeze(0)
        sorted_logits, _ = torch.sort(lsm_mature, descending=True)
        min_thresh = sorted_logits[..., min_tokens - 1]
        probs_thresh = torch.minimum(min_thresh, lsm_mature.max(-1).values + math.log(relative_top))
        diff = lsm_mature - base
        return diff.masked_fill(lsm_mature < probs_thresh.unsqueeze(-1), float("-inf")).argmax(-1)

    def jacobi_verify(logits, guess, pad_id=0):  # lookahead / Jacobi decoding's verification: the model's greedy
        pred = logits.argmax(-1)  # tokens at each n-gram guess, matches by cumprod, the longest accepted guess,
        hits = (pred[..., :-1] == guess[..., 1:]).int()  # its tokens gathered, the log-probs of the accepted ones
        acc = hits.cumprod(-1).sum(-1)
        best = acc.argmax(-1)
        n = guess.shape[-1]
        tokens = guess.gather(1, best[:, None, None].expand(-1, 1, n)).squeeze(1)
        keep = torch.arange(n, device=guess.device)[None] <= acc.gather(1, best[:, None])
        lp = logits.float().log_softmax(-1)
        tok_lp = lp.gather(-1, guess.unsqueeze(-1)).squeeze(-1)
        return tokens.masked_fill(~keep, pad_id), tok_lp.sum(-1)

    def eta_epsilon_sampling(scores, epsilon=3e-4, eta=6e-4, min_tokens=1):  # transformers' EtaLogitsWarper and
        probs = scores.softmax(dim=-1)  # EpsilonLogitsWarper: the entropy-dependent cut, the minimum kept by
        entropy = -(probs * scores.log_softmax(-1)).sum(-1)  # topk, the multinomial draw
        cut = torch.min(torch.tensor(eta, device=scores.device), math.sqrt(eta) * torch.exp(-entropy))[..., None]
        kth = torch.topk(scores, min_tokens)[0][..., -1, None]
        remove = (probs < cut) & (scores < kth)
        eta_scores = scores.masked_fill(remove, float("-inf"))
        eps_scores = scores.masked_fill((probs < epsilon) & (scores < kth), float("-inf"))
        return torch.multinomial(eta_scores.softmax(-1), 1), eps_scores

    def mirostat_v2(logits, mu, tau=5.0, eta=0.1):  # Mirostat v2 (as llama.cpp-style torch samplers write it):
        sorted_logits, sorted_idx = torch.sort(logits, descending=True)  # surprise over the sorted
        prob = F.softmax(sorted_logits, dim=-1)  # distribution, tokens above mu masked (the top kept), the draw,
        surprise = -torch.log2(prob)  # the observed surprise and mu's update
        first = torch.arange(logits.shape[-1], device=logits.device) == 0
        masked = sorted_logits.masked_fill((surprise > mu[:, None]) & ~first, float("-inf"))
        choice = torch.multinomial(F.softmax(masked, dim=-1), 1)
        token = sorted_idx.gather(1, choice)
        observed = -torch.log2(prob.gather(1, choice)).squeeze(1)
        return token, mu - eta * (observed - tau)

    def no_repeat_ngram(input_ids, scores, n=3):  # transformers' NoRepeatNGramLogitsProcessor without its Python
        windows = input_ids.unfold(1, n, 1)  # dicts: every n-gram by unfold, the ones whose prefix is the last
        prev = input_ids[:, -(n - 1):]  # n-1 tokens, their next tokens banned by scatter_reduce's amax
        match = (windows[:, :, :-1] == prev[:, None, :]).all(-1)
        ban = torch.zeros_like(scores).scatter_reduce(1, windows[:, :, -1], match.to(scores.dtype), reduce="amax")
        return scores.masked_fill(ban > 0, float("-inf"))

    def vllm_logprobs(logits, sampled, num_logprobs=20):  # vLLM's Sampler.gather_logprobs: fp32 log-softmax, the
        logprobs = logits.float().log_softmax(-1)  # top 20, the sampled token's log-prob and its rank by
        topk_lp, topk_idx = logprobs.topk(num_logprobs, dim=-1)  # batched_count_greater_than
        token_lp = logprobs.gather(-1, sampled.unsqueeze(-1))
        ranks = (logprobs >= token_lp).sum(-1)
        return torch.cat((sampled.unsqueeze(-1), topk_idx), 1), torch.cat((token_lp, topk_lp), 1), ranks

    def vllm_penalties(logits, prompt_tokens, output_tokens, presence, frequency, repetition):  # vLLM's
        num_seqs, vocab = logits.shape  # apply_penalties: bin counts by scatter_add_ over vocab + 1 (the pad id),

        def bins(tokens):  # the masks, the repetition penalty by where, frequency and presence subtracted
            counts = torch.zeros((num_seqs, vocab + 1), dtype=torch.long, device=tokens.device)
            counts.scatter_add_(1, tokens, torch.ones_like(tokens))
            counts = counts[:, :vocab]
            return counts, counts > 0

        _, prompt_mask = bins(prompt_tokens)
        out_counts, out_mask = bins(output_tokens)
        rep = repetition.unsqueeze(1).repeat(1, vocab)
        rep = torch.where(prompt_mask | out_mask, rep, torch.ones_like(rep))
        logits = torch.where(logits > 0, logits / rep, logits * rep)
        logits = logits - frequency.unsqueeze(1) * out_counts
        return logits - presence.unsqueeze(1) * out_mask

    # contrastive decoding of OPT-13B against OPT-125m (50272 tokens) at 1 and 64 rows; DoLa over 8 candidate layers of
    # Llama-2-7B; Jacobi verification of 7 guesses of 6 tokens at batch 1 (32000) and 15 x 5 at 8 (128256); eta
    # sampling over Llama-3; Mirostat v2 over Qwen2's 151936; a 3-gram ban for BART beams; vLLM's logprobs and penalties
    out += [
        ("contrastive_decoding", contrastive_decoding, (mh(1, 50272), mh(1, 50272))),
        ("contrastive_decoding", contrastive_decoding, (mh(64, 50272), mh(64, 50272))),
        ("dola_contrast", dola, (m(9, 1, 4096), m(4096), m(32000, 4096))),
        ("jacobi_verify", jacobi_verify, (m(1, 7, 6, 32000), i(1, 7, 6))),
        ("jacobi_verify", jacobi_verify, (m(8, 15, 5, 128256), i(8, 15, 5))),
        ("eta_epsilon_sampling", eta_epsilon_sampling, (mf(64, 128256),)),
        ("mirostat_v2", mirostat_v2, (mf(16, 151936), mf(16))),
        ("no_repeat_ngram", no_repeat_ngram, (i(32, 512), mf(32, 50265))),
        ("vllm_logprobs", vllm_logprobs, (m(256, 152064), i(256))),
        ("vllm_logprobs", vllm_logprobs, (m(1, 128256), i(1))),
        ("vllm_penalties", vllm_penalties, (mf(128, 151936), i(128, 1024), i(128, 512), mf(128), mf(128),
                                            mf(128))),
    ]

    # ================================================================== preference and RL post-training losses
    def selective_logps(logits, labels, ignore=-100):  # TRL's get_batch_logps through selective_log_softmax: the
        labels = labels[:, 1:].clone()  # shifted labels, the loss mask, bf16 rows log-softmaxed one at a time,
        logits = logits[:, :-1, :]  # the gather, sums and means over the completion tokens
        loss_mask = labels != ignore
        labels = labels.masked_fill(~loss_mask, 0)
        rows = []
        for row_logits, row_labels in zip(logits, labels, strict=True):
            row_lp = F.log_softmax(row_logits, dim=-1)
            rows.append(row_lp.gather(dim=-1, index=row_labels.unsqueeze(-1)).squeeze(-1))
        per_token = torch.stack(rows)
        s = (per_token * loss_mask).sum(-1)
        return s, s / loss_mask.sum(-1)

    def dpo_loss_family(pc, pr, rc, rr, running_mean, beta=0.1, ls=0.1):  # TRL's DPOTrainer.dpo_loss, one
        logits = (pc - pr) - (rc - rr)  # expression per loss_type: sigmoid (with label smoothing), hinge, IPO,
        chosen_r, rejected_r = beta * (pc - rc), beta * (pr - rr)  # robust, BCO pair, SPPO hard, NCA pair, AOT
        losses = [
            -F.logsigmoid(beta * logits) * (1 - ls) - F.logsigmoid(-beta * logits) * ls,
            torch.relu(1 - beta * logits),
            (logits - 1 / (2 * beta)) ** 2,
            (-F.logsigmoid(beta * logits) * (1 - ls) + F.logsigmoid(-beta * logits) * ls) / (1 - 2 * ls),
            -F.logsigmoid(chosen_r - running_mean) - F.logsigmoid(-(rejected_r - running_mean)),
            (pc - rc - 0.5 / beta) ** 2 + (pr - rr + 0.5 / beta) ** 2,
            -F.logsigmoid(chosen_r) - 0.5 * F.logsigmoid(-chosen_r) - 0.5 * F.logsigmoid(-rejected_r),
        ]
        delta = torch.sort(pc - pr, dim=0)[0] - torch.sort(rc - rr, dim=0)[0]
        losses.append(-F.logsigmoid(beta * delta) * (1 - ls) - F.logsigmoid(-beta * delta) * ls)
        losses.append(1 - F.sigmoid(chosen_r) + F.sigmoid(rejected_r))  # APO zero
        log_ratio = beta * logits  # DiscoPOP's log-ratio modulated loss
        mix = torch.sigmoid(log_ratio / 0.05)
        losses.append(-F.logsigmoid(log_ratio) * (1 - mix) + torch.exp(-log_ratio) * mix)
        return torch.stack([x.mean() for x in losses]), chosen_r.detach(), rejected_r.detach()

    def kto_loss(pc, pr, pkl, rc, rr, rkl, beta=0.1, desirable=1.33, undesirable=1.0):  # TRL's KTO: the
        kl = (pkl - rkl).mean().clamp(min=0).detach()  # mismatched-pair KL estimate clamped at zero, the
        chosen = 1 - F.sigmoid(beta * ((pc - rc) - kl))  # desirable and undesirable losses, weighted and cat
        rejected = 1 - F.sigmoid(beta * (kl - (pr - rr)))
        return torch.cat((desirable * chosen, undesirable * rejected), 0).mean(), kl

    def simpo_cpo(logits, labels, beta=2.0, gamma_beta_ratio=0.5, ls=0.0, cpo_alpha=0.05):  # TRL's CPOTrainer with
        n = logits.shape[0] // 2  # loss_type simpo: length-averaged log-probs, the margin, the sigmoid loss and
        shifted = logits[:, :-1].float()  # CPO's NLL on the chosen half
        lab = labels[:, 1:]
        mask = lab != -100
        lp = torch.gather(shifted.log_softmax(-1), 2, lab.masked_fill(~mask, 0).unsqueeze(2)).squeeze(2)
        avg = (lp * mask).sum(-1) / mask.sum(-1)
        pi_logratios = avg[:n] - avg[n:]
        z = pi_logratios - gamma_beta_ratio
        loss = -F.logsigmoid(beta * z) * (1 - ls) - F.logsigmoid(-beta * z) * ls
        nll = F.cross_entropy(shifted[:n].reshape(-1, shifted.shape[-1]), lab[:n].reshape(-1), ignore_index=-100)
        return loss.mean() + cpo_alpha * nll

    def grpo_token_losses(logits, ids, old_lp, ref_lp, rewards, mask, group=8, temperature=0.9, eps_low=0.2,
                          eps_high=0.28, beta=0.04):  # TRL's GRPO and its DAPO / Dr. GRPO losses: the completion's
        logits = logits[:, :-1, :] / temperature  # logits over temperature, log-probs by gather minus logsumexp,
        per_token = torch.gather(logits, -1, ids.unsqueeze(-1)).squeeze(-1) - torch.logsumexp(logits, -1)  # group
        mean_g = rewards.view(-1, group).mean(1).repeat_interleave(group, 0)  # advantages, clip-higher, the k3 KL
        std_g = rewards.view(-1, group).std(1).repeat_interleave(group, 0)
        adv = ((rewards - mean_g) / (std_g + 1e-4)).unsqueeze(1)
        coef_1 = torch.exp(per_token - old_lp)
        coef_2 = torch.clamp(coef_1, 1 - eps_low, 1 + eps_high)
        ptl = -torch.min(coef_1 * adv, coef_2 * adv)
        kl = torch.exp(ref_lp - per_token) - (ref_lp - per_token) - 1
        ptl = ptl + beta * kl
        maskf = mask.float()
        grpo = ((ptl * maskf).sum(-1) / maskf.sum(-1).clamp(min=1.0)).mean()
        dapo = (ptl * maskf).sum() / maskf.sum().clamp(min=1.0)
        dr_grpo = (ptl * maskf).sum() / (ptl.size(0) * ptl.size(1))
        clipped = ((coef_1 < 1 - eps_low) & (adv < 0)) | ((coef_1 > 1 + eps_high) & (adv > 0))
        return grpo, dapo, dr_grpo, (clipped.float() * maskf).sum() / maskf.sum()

    def rloo_reinforce_pp(scores, logprobs, ref_logprobs, mask, k=4, kl_coef=0.05, gamma=1.0):  # TRL's RLOO: the
        maskf = mask.float()  # per-token KL, the leave-one-out baseline over k samples, whitened advantages; and
        kl = (logprobs - ref_logprobs) * maskf  # REINFORCE++'s token rewards with returns by a reversed cumsum
        rlhf = (scores + (-kl_coef * kl).sum(1)).reshape(k, -1)
        baseline = (rlhf.sum(0) - rlhf) / (k - 1)
        adv = (rlhf - baseline).flatten()
        adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        last = (maskf.cumsum(1) == maskf.sum(1, keepdim=True)) & mask
        token_r = -kl_coef * kl + scores.unsqueeze(1) * last
        returns = torch.flip(torch.cumsum(torch.flip(token_r * gamma, [1]), 1), [1])
        mean = (returns * maskf).sum() / maskf.sum()
        var = (((returns - mean) ** 2) * maskf).sum() / maskf.sum()
        return adv, (returns - mean) * torch.rsqrt(var + 1e-8) * maskf

    def reward_bradley_terry(hidden, w_score, input_ids, margin, pad_id=0, center_coef=0.01):  # a TRL reward
        rewards = F.linear(hidden, w_score)  # model: the score head, the last non-pad token found by argmax of the
        b, t = input_ids.shape  # pad match (transformers' idiom, % t for rows without pads), pairwise loss with
        seq = (torch.eq(input_ids, pad_id).int().argmax(-1) - 1) % t  # a margin, reward centering, accuracy
        pooled = rewards[torch.arange(b, device=hidden.device), seq].float()
        chosen, rejected = pooled.chunk(2)
        loss = -F.logsigmoid(chosen - rejected - margin.unsqueeze(-1)).mean()
        loss = loss + center_coef * torch.mean((chosen + rejected) ** 2)
        return loss, (chosen > rejected).float().mean()

    def ppo_value_whiten(vpred, values, returns, advantages, mask, cliprange_value=0.2):  # TRL's PPO: masked_mean /
        maskf = mask.float()  # masked_var with Bessel's correction, masked_whiten of the advantages, the clipped

        def masked_mean(x):  # value loss and its clip fraction
            return (x * maskf).sum() / maskf.sum()

        mean = masked_mean(advantages)
        var = masked_mean((advantages - mean) ** 2) * (maskf.sum() / (maskf.sum() - 1))
        adv = ((advantages - mean) * torch.rsqrt(var + 1e-8)) * maskf
        vclip = torch.clamp(vpred, values - cliprange_value, values + cliprange_value)
        vf1, vf2 = (vpred - returns) ** 2, (vclip - returns) ** 2
        return adv, 0.5 * masked_mean(torch.max(vf1, vf2)), masked_mean(torch.gt(vf2, vf1).float())

    # TRL's log-probs over Llama-2's 32000 (8 x 1024) and Llama-3's 128256 (4 x 512) in bf16; the DPO family and KTO
    # at 32 pairs; SimPO / CPO on Llama-3-8B at 4 x 1024; GRPO on Qwen2.5 (151936) at 16 completions of 512;
    # RLOO at 4 x 64 x 1024; a Llama-3-8B reward model at 16 x 2048; PPO's whitening at 64 x 1024
    out += [
        ("trl_selective_logps", selective_logps, (m(8, 1025, 32000), i(8, 1025))),
        ("trl_selective_logps", selective_logps, (m(4, 513, 128256), i(4, 513))),
        ("dpo_loss_family", dpo_loss_family, (mf(32), mf(32), mf(32), mf(32), sc())),
        ("kto_loss", kto_loss, (mf(24), mf(8), mf(32), mf(24), mf(8), mf(32))),
        ("simpo_cpo", simpo_cpo, (m(4, 1025, 128256), i(4, 1025))),
        ("grpo_token_losses", grpo_token_losses, (m(16, 513, 151936), i(16, 512), mf(16, 512), mf(16, 512), mf(16),
                                                  mb(16, 512))),
        ("rloo_reinforce_pp", rloo_reinforce_pp, (mf(256), mf(256, 1024), mf(256, 1024), mb(256, 1024))),
        ("reward_bradley_terry", reward_bradley_terry, (m(16, 2048, 4096), m(1, 4096), i(16, 2048), mf(8))),
        ("ppo_value_whiten", ppo_value_whiten, (mf(64, 1024), mf(64, 1024), mf(64, 1024), mf(64, 1024),
                                                mb(64, 1024))),
    ]

    # ================================================================== self-supervised vision
    def dino_loss(student, teacher, center, ncrops=12, student_temp=0.1, teacher_temp=0.04, center_m=0.9):  # DINO's
        student_out = (student / student_temp).chunk(ncrops)  # multi-crop loss: the centred, sharpened teacher
        teacher_out = F.softmax((teacher - center) / teacher_temp, dim=-1).detach().chunk(2)  # over 2 global crops,
        total, n = 0, 0  # cross-entropy to every other crop, the centre's EMA
        for iq, q in enumerate(teacher_out):
            for v in range(ncrops):
                if v == iq:
                    continue
                total = total + torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1).mean()
                n += 1
        batch_center = torch.sum(teacher, dim=0, keepdim=True) / teacher.shape[0]
        return total / n, center * center_m + batch_center * (1 - center_m)

    def dino_head(x, w1, b1, w2, b2, w3, b3, v_last, g_last):  # DINOHead: the 3-layer GELU MLP, L2 normalisation,
        x = F.gelu(F.linear(x, w1, b1))  # the weight-normed prototype layer (weight_g frozen at 1)
        x = F.gelu(F.linear(x, w2, b2))
        x = F.normalize(F.linear(x, w3, b3), dim=-1, p=2)
        return F.linear(x, torch._weight_norm(v_last, g_last, 0))

    def ibot_patch_loss(student_patch, teacher_patch, center, mask, student_temp=0.1, teacher_temp=0.07):  # iBOT's
        t = F.softmax((teacher_patch - center) / teacher_temp, dim=-1)  # masked-patch loss: the centred teacher,
        loss = torch.sum(-t * F.log_softmax(student_patch / student_temp, dim=-1), dim=-1)  # the per-patch CE, the
        maskf = mask.float()  # mean over masked patches per image
        return ((loss * maskf).sum(-1) / maskf.sum(-1).clamp(min=1.0)).mean()

    def koleo(x, eps=1e-8):  # DINOv2's KoLeoLoss: normalised features, the nearest neighbour by the dot products
        x = F.normalize(x, eps=eps, p=2, dim=-1)  # with the diagonal filled, pairwise distance, -log
        n = x.shape[0]
        dots = torch.mm(x, x.t())
        dots.view(-1)[:: (n + 1)].fill_(-1)
        nn_idx = torch.max(dots, dim=1).indices
        dist = F.pairwise_distance(x, x[nn_idx], 2, eps=eps)
        return -torch.log(dist + eps).mean()

    def ijepa_step(h_target, ctx, pos_embed, masks_ctx, masks_pred, w_pe, b_pe, mask_token, norm_w, norm_b,
                   w_proj, b_proj):  # I-JEPA: the target encoder's layer-normed output gathered at each target
        b, n, d = h_target.shape  # block (apply_masks by gather), the predictor's embedding of the context with its
        npred = masks_pred.shape[0]  # positions gathered, mask tokens at the target positions, the projection,

        def apply_masks(x, masks):  # smooth L1
            return torch.cat([torch.gather(x, 1, mk.unsqueeze(-1).repeat(1, 1, x.size(-1))) for mk in masks], 0)

        h = apply_masks(F.layer_norm(h_target, (d,)), masks_pred)
        x = F.linear(ctx, w_pe, b_pe)
        pos = pos_embed.repeat(b, 1, 1)
        x = x + apply_masks(pos, masks_ctx[None])
        pred_tokens = mask_token.repeat(npred * b, masks_pred.shape[-1], 1) + apply_masks(pos, masks_pred)
        x = torch.cat([x.repeat(npred, 1, 1), pred_tokens], 1)
        x = F.layer_norm(x, (x.shape[-1],), norm_w, norm_b)[:, ctx.shape[1]:]
        return F.smooth_l1_loss(F.linear(x, w_proj, b_proj), h)

    def ema_teacher(*params, m=0.996):  # an EMA teacher update by torch's foreach kernels (DINO, BYOL, I-JEPA:
        teacher, student = list(params[: len(params) // 2]), list(params[len(params) // 2:])  # param_k.mul_(m)
        torch._foreach_mul_(teacher, m)  # .add_((1 - m) * param_q) over every tensor)
        torch._foreach_add_(teacher, student, alpha=1 - m)
        return teacher

    def coca_losses(img_emb, txt_emb, logit_scale, cap_logits, labels, pad_id=0, ls=0.1):  # open_clip's CoCaLoss:
        img = F.normalize(img_emb, dim=-1)  # the CLIP contrastive loss both ways and the captioning CE over
        txt = F.normalize(txt_emb, dim=-1)  # logits permuted to [B, V, T] with the pad ignored
        logits = logit_scale.exp() * img @ txt.t()
        gt = torch.arange(img.shape[0], device=img.device)
        clip = (F.cross_entropy(logits, gt) + F.cross_entropy(logits.t(), gt)) / 2
        cap = F.cross_entropy(cap_logits.permute(0, 2, 1), labels, ignore_index=pad_id, label_smoothing=ls)
        return clip + 2.0 * cap

    def coca_attn_pool(x, query, ln_k_w, ln_k_b, ln_q_w, ln_q_b, wq, wk, wv, bias, w_o, b_o, heads=8):  # open_clip's
        x = F.layer_norm(x, (x.shape[-1],), ln_k_w, ln_k_b).permute(1, 0, 2)  # AttentionalPooler: LayerNorms, the
        q = F.layer_norm(query, (query.shape[-1],), ln_q_w, ln_q_b)  # queries expanded over the batch, cross-
        q = q.unsqueeze(1).expand(-1, x.shape[1], -1)  # attention with kdim / vdim by multi_head_attention_forward
        o, _ = F.multi_head_attention_forward(q, x, x, q.shape[-1], heads, None, bias, None, None, False, 0.0, w_o, b_o,
                                              training=False, need_weights=False, use_separate_proj_weight=True,
                                              q_proj_weight=wq, k_proj_weight=wk, v_proj_weight=wv)
        return o.permute(1, 0, 2)

    def vitb_block_params():
        return [mf(2304, 768), mf(2304), mf(768, 768), mf(768), mf(3072, 768), mf(3072), mf(768, 3072), mf(768),
                mf(768), mf(768), mf(768), mf(768)]

    # DINO ViT-B/16 (65536 prototypes, 12 crops of 64) and its head; DINOv2 ViT-g's head (131072 prototypes, 384
    # bottleneck) in bf16; iBOT (8192 patch prototypes, 196 patches of 64 images); KoLeo over 256 ViT-g CLS tokens and
    # 4096 ViT-L ones; I-JEPA ViT-H/14 (1280-d, 256 patches, 4 target blocks of 40) at 128; EMA over a ViT-B block;
    # CoCa ViT-L/14 (49408 tokens, 76 text tokens) at 128 with its 256-query pooler over 257 image tokens
    out += [
        ("dino_multicrop_loss", dino_loss, (mf(768, 65536), mf(128, 65536), mf(1, 65536))),
        ("dino_head", dino_head, (mf(768, 768), mf(2048, 768), mf(2048), mf(2048, 2048), mf(2048), mf(256, 2048),
                                  mf(256), mf(65536, 256), mf(65536, 1))),
        ("dino_head", dino_head, (m(1024, 1536), m(2048, 1536), m(2048), m(2048, 2048), m(2048), m(384, 2048), m(384),
                                  m(131072, 384), m(131072, 1))),
        ("ibot_patch_loss", ibot_patch_loss, (mf(64, 196, 8192), mf(64, 196, 8192), mf(1, 1, 8192), mb(64, 196))),
        ("koleo_loss", koleo, (mf(256, 1536),)),
        ("koleo_loss", koleo, (mf(4096, 1024),)),
        ("ijepa_step", ijepa_step, (m(128, 256, 1280), m(128, 96, 1280), m(1, 256, 384), i(128, 96), i(4, 128, 40),
                                    m(384, 1280), m(384), m(1, 1, 384), m(384), m(384), m(1280, 384), m(1280))),
        ("ema_teacher_foreach", ema_teacher, (*vitb_block_params(), *vitb_block_params())),
        ("coca_losses", coca_losses, (mf(128, 768), mf(128, 768), sc(), m(128, 76, 49408), i(128, 76))),
        ("coca_attentional_pooler", coca_attn_pool, (m(128, 257, 1024), m(256, 768), m(1024), m(1024), m(768),
                                                     m(768), m(768, 768), m(768, 1024), m(768, 1024), m(2304),
                                                     m(768, 768), m(768))),
    ]

    # ================================================================== architecture variants
    def hyper_connections(h, norm_w, static_alpha, dyn_alpha_fn, dyn_alpha_scale, static_beta, dyn_beta_fn,
                          dyn_beta_scale, ffn_norm_w, w_gate, w_up, w_down):  # hyper-connections (Zhu et al., the
        d = h.shape[-1]  # dynamic variant at expansion rate 4): the width connections from the normed hidden
        norm_h = F.rms_norm(h, (d,), norm_w, 1e-6)  # streams by tanh projections, the streams mixed by a small
        wc = torch.tanh(norm_h @ dyn_alpha_fn) * dyn_alpha_scale + static_alpha  # matmul, the branch (a SwiGLU) on
        dc = torch.tanh(norm_h @ dyn_beta_fn) * dyn_beta_scale + static_beta  # the first mix, depth connections
        mix_h = wc.transpose(-1, -2) @ h  # writing its output back into every stream
        x, h_res = mix_h[..., 0, :], mix_h[..., 1:, :]
        x = F.rms_norm(x, (d,), ffn_norm_w, 1e-6)
        y = F.linear(F.silu(F.linear(x, w_gate)) * F.linear(x, w_up), w_down)
        return dc.unsqueeze(-1) * y.unsqueeze(-2) + h_res

    def ngpt_block(h, wq, wk, wv, wo, sqk, alpha_a, w_fc, suv, w_proj, alpha_m, heads=16):  # nGPT (Loshchilov et
        b, t, d = h.shape  # al.): q and k normalised per head and scaled by s_qk, SDPA at scale sqrt(d_head), the
        hd = d // heads  # normalised residual updates with their eigen learning rates, the scaled SwiGLU

        def justnorm(x):
            return x / x.norm(p=2, dim=-1, keepdim=True)

        q = F.linear(h, wq).view(b, t, heads, hd)
        k = F.linear(h, wk).view(b, t, heads, hd)
        v = F.linear(h, wv).view(b, t, heads, hd)
        s = (sqk * (1.0 / (1.0 / math.sqrt(d)))).view(1, 1, heads, hd)
        q, k = s * justnorm(q), s * justnorm(k)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True,
                                           scale=math.sqrt(hd))
        h_att = F.linear(y.transpose(1, 2).reshape(b, t, d), wo)
        lr = torch.abs(alpha_a * (0.05 / (1.0 / math.sqrt(d))))
        a_n, b_n = justnorm(h), justnorm(h_att)
        h = justnorm(a_n + lr * (b_n - a_n))
        uv = F.linear(h, w_fc) * (suv * math.sqrt(d))
        u, v_ = torch.chunk(uv, 2, dim=-1)
        h_mlp = F.linear(u * F.silu(v_), w_proj)
        lr = torch.abs(alpha_m * (0.05 / (1.0 / math.sqrt(d))))
        a_n, b_n = justnorm(h), justnorm(h_mlp)
        return justnorm(a_n + lr * (b_n - a_n))

    def ngpt_normalize_weights(*weights):  # nGPT's normalize_matrices after each optimiser step: every matrix's
        for w in weights:  # rows (or columns, for the output projections) back onto the unit sphere
            w.copy_(F.normalize(w, p=2, dim=-1 if w.shape[0] >= w.shape[1] else 0))
        return weights

    def diff_attention(x, wq, wk, wv, wo, lq1, lk1, lq2, lk2, subln_w, heads=16, lambda_init=0.8):  # the
        b, t, d = x.shape  # Differential Transformer's MultiheadDiffAttn (eager path): 2h query / key halves, the
        hd = d // heads // 2  # causal softmax in fp32, the two maps' difference weighted by the re-parametrised
        q = F.linear(x, wq).view(b, t, 2 * heads, hd).transpose(1, 2) * hd**-0.5  # lambda, values of 2 x d_head,
        k = F.linear(x, wk).view(b, t, 2 * heads, hd).transpose(1, 2)  # the per-head RMSNorm, (1 - lambda_init)
        v = F.linear(x, wv).view(b, t, heads, 2 * hd).transpose(1, 2)
        w = torch.matmul(q, k.transpose(-1, -2))
        mask = torch.triu(torch.zeros([t, t]).float().fill_(float("-inf")).type_as(w), 1 + 0)
        w = F.softmax(torch.nan_to_num(w) + mask, dim=-1, dtype=torch.float32).type_as(w)
        lam1 = torch.exp(torch.sum(lq1 * lk1, dim=-1).float()).type_as(q)
        lam2 = torch.exp(torch.sum(lq2 * lk2, dim=-1).float()).type_as(q)
        lam = lam1 - lam2 + lambda_init
        w = w.view(b, heads, 2, t, t)
        w = w[:, :, 0] - lam * w[:, :, 1]
        a = F.rms_norm(torch.matmul(w, v), (2 * hd,), subln_w, 1e-5) * (1 - lambda_init)
        return F.linear(a.transpose(1, 2).reshape(b, t, heads * 2 * hd), wo)

    def modded_nanogpt_layer(x, v1, w_qkv, lambdas, w_o, w_fc, w_proj, cos, sin, heads=6):  # modded-nanogpt's
        b, t, d = x.shape  # block: bare rms_norm, the merged q / k / v, QK-norm, rotary in fp32, the value residual
        hd = w_qkv.shape[1] // heads  # mixed with the first layer's values, causal SDPA at scale 0.12, the
        xn = F.rms_norm(x, (d,))  # relu-squared MLP
        q, k, v = F.linear(xn, w_qkv.flatten(end_dim=1)).view(b, t, 3 * heads, hd).chunk(3, dim=-2)
        q, k = F.rms_norm(q, (hd,)), F.rms_norm(k, (hd,))

        def rotary(x_):
            x1, x2 = x_.float().chunk(2, dim=-1)
            return torch.cat((x1 * cos + x2 * sin, -x1 * sin + x2 * cos), -1).type_as(x_)

        q, k = rotary(q), rotary(k)
        v = lambdas[0] * v + lambdas[1] * v1.view_as(v)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True,
                                           scale=0.12).transpose(1, 2)
        x = x + F.linear(y.contiguous().view(b, t, heads * hd), w_o)
        return x + F.linear(F.relu(F.linear(F.rms_norm(x, (d,)), w_fc)).square(), w_proj)

    def modded_nanogpt_head(x, w_lm, targets):  # modded-nanogpt's head: the final rms_norm, fp32 logits soft-capped
        logits = F.linear(F.rms_norm(x, (x.shape[-1],)), w_lm).float()  # by 30 sigmoid(z / 7.5), the loss
        logits = 30 * torch.sigmoid(logits / 7.5)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    def mixture_of_depths(x, w_router, w_aux, norm_w, wqkv, wo, w_gate, w_up, w_down, capacity=0.125, heads=16):
        b, t, d = x.shape  # Mixture-of-Depths (Raposo et al.): router scores, the top 12.5% of tokens kept in order
        k = int(t * capacity)  # by sort, gathered through a block (causal SDPA and a SwiGLU), scattered back with
        logits = x @ w_router  # the sigmoid router weight; the causal aux predictor's BCE on top-k membership
        weights, idx = torch.topk(logits, k, dim=1, sorted=False)
        idx, order = torch.sort(idx, dim=1)
        weights = weights.gather(1, order)
        gidx = idx.unsqueeze(-1).expand(-1, -1, d)
        sel = x.gather(1, gidx)
        h = F.rms_norm(sel, (d,), norm_w, 1e-6)
        q, kk, v = F.linear(h, wqkv).view(b, k, 3, heads, d // heads).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(q, kk, v, is_causal=True).transpose(1, 2).reshape(b, k, d)
        h = sel + F.linear(a, wo)
        hn = F.rms_norm(h, (d,), norm_w, 1e-6)
        h = h + F.linear(F.silu(F.linear(hn, w_gate)) * F.linear(hn, w_up), w_down)
        outp = x.scatter(1, gidx, sel + torch.sigmoid(weights).unsqueeze(-1) * (h - sel))
        targets = torch.zeros_like(logits).scatter(1, idx, 1.0)
        aux = F.binary_cross_entropy_with_logits((x.detach() @ w_aux).float(), targets.float())
        return outp, aux

    def tome_merge(x, metric, size, r=16):  # ToMe's bipartite_soft_matching with the class token protected and
        metric = metric / metric.norm(dim=-1, keepdim=True)  # merge_wavg: alternate tokens' cosine scores, each
        a, b_ = metric[..., ::2, :], metric[..., 1::2, :]  # source's best destination, the r best edges by argsort,
        scores = a @ b_.transpose(-1, -2)  # size-weighted means by scatter_reduce, the proportional sizes
        scores[..., 0, :] = -math.inf
        node_max, node_idx = scores.max(dim=-1)
        edge_idx = node_max.argsort(dim=-1, descending=True)[..., None]
        unm_idx, src_idx = edge_idx[..., r:, :], edge_idx[..., :r, :]
        dst_idx = node_idx[..., None].gather(dim=-2, index=src_idx)

        def merge(t_, mode="sum"):
            src, dst = t_[..., ::2, :], t_[..., 1::2, :]
            n, t1, c = src.shape
            unm = src.gather(dim=-2, index=unm_idx.expand(n, t1 - r, c))
            src = src.gather(dim=-2, index=src_idx.expand(n, r, c))
            dst = dst.scatter_reduce(-2, dst_idx.expand(n, r, c), src, reduce=mode)
            return torch.cat([unm, dst], dim=1)

        xs = merge(x * size, mode="sum")
        size = merge(size, mode="sum")
        return xs / size, size

    def flamingo_gated_xattn(x, media, media_locations, ln_w, ln_b, wq, wkv, wo, attn_gate, ff_ln_w, ff_ln_b, w1, w2,
                             ff_gate, heads=8):  # OpenFlamingo's GatedCrossAttentionBlock: media flattened over
        b, t_img, n = media.shape[:3]  # time and latents, text-to-media masks from the cumulative media locations
        xn = F.layer_norm(x, (x.shape[-1],), ln_w, ln_b)  # (attend to the immediately preceding image), -max
        q = F.linear(xn, wq)  # fill, the stable softmax, rows without media zeroed, tanh-gated residuals
        k, v = F.linear(media.flatten(1, 2), wkv).chunk(2, dim=-1)
        hd = q.shape[-1] // heads
        q = q.view(b, -1, heads, hd).transpose(1, 2) * hd**-0.5
        k = k.view(b, -1, heads, hd).transpose(1, 2)
        v = v.view(b, -1, heads, hd).transpose(1, 2)
        sim = torch.einsum("bhid,bhjd->bhij", q, k)
        text_time = media_locations.cumsum(dim=-1)
        media_time = torch.arange(t_img, device=x.device) + 1
        mask = text_time[:, None, :, None] == media_time.repeat_interleave(n)[None, None, None, :]
        sim = sim.masked_fill(~mask, -torch.finfo(sim.dtype).max)
        sim = sim - sim.amax(dim=-1, keepdim=True).detach()
        attn = sim.softmax(dim=-1).masked_fill((text_time == 0)[:, None, :, None], 0.0)
        o = torch.einsum("bhij,bhjd->bhid", attn, v).transpose(1, 2).reshape(b, -1, heads * hd)
        x = F.linear(o, wo) * attn_gate.tanh() + x
        ff = F.linear(F.gelu(F.linear(F.layer_norm(x, (x.shape[-1],), ff_ln_w, ff_ln_b), w1)), w2)
        return ff * ff_gate.tanh() + x

    def perceiver_resampler(x, latents, media_ln_w, media_ln_b, lat_ln_w, lat_ln_b, wq, wkv, wo, ff_ln_w, ff_ln_b, w1,
                            w2, heads=8):  # OpenFlamingo's PerceiverResampler layer: latents repeated over the
        b, t, v_, d = x.shape  # images, LayerNorms, keys and values over the media and latents concatenated, the
        lat = latents.expand(b, t, -1, -1)  # stable softmax, the feed-forward
        xn = F.layer_norm(x, (d,), media_ln_w, media_ln_b)
        ln = F.layer_norm(lat, (d,), lat_ln_w, lat_ln_b)
        q = F.linear(ln, wq)
        k, v = F.linear(torch.cat((xn, ln), dim=-2), wkv).chunk(2, dim=-1)
        hd = q.shape[-1] // heads
        q = q.view(b, t, -1, heads, hd).permute(0, 3, 1, 2, 4) * hd**-0.5
        k = k.view(b, t, -1, heads, hd).permute(0, 3, 1, 2, 4)
        v = v.view(b, t, -1, heads, hd).permute(0, 3, 1, 2, 4)
        sim = torch.einsum("...id,...jd->...ij", q, k)
        attn = (sim - sim.amax(dim=-1, keepdim=True).detach()).softmax(dim=-1)
        o = torch.einsum("...ij,...jd->...id", attn, v).permute(0, 2, 3, 1, 4).reshape(b, t, -1, heads * hd)
        lat = F.linear(o, wo) + lat
        return F.linear(F.gelu(F.linear(F.layer_norm(lat, (d,), ff_ln_w, ff_ln_b), w1)), w2) + lat

    # hyper-connections (n 4) on a 2048-wide OLMo-1B-sized block at 4 x 2048; nGPT-1B (2048, 16 heads) at 4 x 4096;
    # its weight normalisation; the Differential Transformer (1024-wide, 8 heads of 2 x 64) at 8 x 1024;
    # modded-nanogpt (768, 6 heads of 128) over one 16384-token sequence; MoD (2048-wide) at 8 x 2048; ToMe (r 16) on
    # ViT-B/16 at 256; OpenFlamingo-9B's gated cross-attention and resampler
    out += [
        ("hyper_connections", hyper_connections, (m(4, 2048, 4, 2048), m(2048), m(4, 5), m(2048, 5), m(()), m(4),
                                                  m(2048), m(()), m(2048), m(8192, 2048), m(8192, 2048),
                                                  m(2048, 8192))),
        ("ngpt_block", ngpt_block, (m(4, 4096, 2048), m(2048, 2048), m(2048, 2048), m(2048, 2048), m(2048, 2048),
                                    m(2048), m(2048), m(11264, 2048), m(11264), m(2048, 5632), m(2048))),
        ("ngpt_normalize_weights", ngpt_normalize_weights, (m(2048, 2048), m(11264, 2048), m(2048, 5632),
                                                            m(50304, 2048))),
        ("diff_attention", lambda *a: diff_attention(*a, heads=8, lambda_init=0.2),
         (m(8, 1024, 1024), m(1024, 1024), m(1024, 1024), m(1024, 1024), m(1024, 1024), m(64), m(64), m(64), m(64),
          m(128))),
        ("modded_nanogpt_layer", modded_nanogpt_layer, (m(1, 16384, 768), m(1, 16384, 6, 128), m(3, 768, 768),
                                                        m(2), m(768, 768), m(3072, 768), m(768, 3072),
                                                        mf(16384, 1, 64), mf(16384, 1, 64))),
        ("modded_nanogpt_head", modded_nanogpt_head, (m(1, 16384, 768), m(50304, 768), i(1, 16384))),
        ("mixture_of_depths", mixture_of_depths, (m(8, 2048, 2048), m(2048), m(2048), m(2048), m(6144, 2048),
                                                  m(2048, 2048), m(5632, 2048), m(5632, 2048), m(2048, 5632))),
        ("tome_merge", tome_merge, (m(256, 197, 768), m(256, 197, 768), m(256, 197, 1))),
        ("flamingo_gated_xattn", flamingo_gated_xattn, (m(8, 512, 4096), m(8, 5, 64, 1024), mb(8, 512), m(4096),
                                                        m(4096), m(512, 4096), m(1024, 1024), m(4096, 512), m(1),
                                                        m(4096), m(4096), m(16384, 4096), m(4096, 16384), m(1))),
        ("perceiver_resampler", perceiver_resampler, (m(32, 1, 256, 1024), m(64, 1024), m(1024), m(1024), m(1024),
                                                      m(1024), m(512, 1024), m(1024, 1024), m(1024, 512), m(1024),
                                                      m(1024), m(4096, 1024), m(1024, 4096))),
    ]

    # ================================================================== diffusion samplers and guidance
    def adaptive_projected_guidance(pred_cond, pred_uncond, running, guidance=5.0, eta=0.0, threshold=15.0,
                                    momentum=-0.5):  # diffusers' AdaptiveProjectedGuidance (Sadat et al.): the
        diff = pred_cond - pred_uncond  # momentum buffer, the norm threshold by torch.minimum, the projection onto
        dims = [-i_ for i_ in range(1, diff.dim())]  # the conditional prediction in float64, the update
        running = diff + momentum * running
        diff = running
        norm = diff.norm(p=2, dim=dims, keepdim=True)
        diff = diff * torch.minimum(torch.ones_like(norm), threshold / norm)
        v0, v1 = diff.double(), pred_cond.double()
        v1 = F.normalize(v1, dim=dims)
        v0_par = (v0 * v1).sum(dim=dims, keepdim=True) * v1
        v0_orth = v0 - v0_par
        update = v0_orth.type_as(diff) + eta * v0_par.type_as(diff)
        return pred_cond + (guidance - 1) * update, running

    def cfg_zero_star(cond, uncond, step_is_early, guidance=5.0):  # CFG-Zero* (Fan et al.) as Wan pipelines apply
        b = cond.shape[0]  # it: the optimised scale from fp32 dot products, the zero-init of the first steps by
        pos, neg = cond.view(b, -1).float(), uncond.view(b, -1).float()  # where
        st = (torch.sum(pos * neg, dim=1, keepdim=True) / (torch.sum(neg**2, dim=1, keepdim=True) + 1e-8))
        st = st.view(b, *([1] * (cond.dim() - 1)))
        pred = uncond * st + guidance * (cond - uncond * st)
        return torch.where(step_is_early, torch.zeros_like(pred), pred).to(cond.dtype)

    def euler_ancestral_step(x, eps, sigma, sigma_next, cond_scale=7.0, eta=1.0):  # k-diffusion's
        s_in = x.new_ones([x.shape[0]])  # sample_euler_ancestral through a CFGDenoiser over an eps-prediction model
        x_in, sigma_in = torch.cat([x] * 2), torch.cat([sigma * s_in] * 2)  # (its output is an input here): c_in
        model_in = x_in * (1 / (sigma_in**2 + 1) ** 0.5)[:, None, None, None]  # scaling, the denoised CFG mix,
        denoised = x_in + eps * (-sigma_in[:, None, None, None])  # get_ancestral_step (min() as torch.minimum),
        uncond, cond = denoised.chunk(2)  # to_d, the Euler step and the ancestral noise
        denoised = uncond + (cond - uncond) * cond_scale
        sigma_up = torch.minimum(sigma_next, eta * (sigma_next**2 * (sigma**2 - sigma_next**2) / sigma**2) ** 0.5)
        sigma_down = (sigma_next**2 - sigma_up**2) ** 0.5
        d = (x - denoised) / sigma
        x = x + d * (sigma_down - sigma)
        return x + torch.randn_like(x) * sigma_up, model_in

    def lms_step(x, denoised, d1, d2, d3, sigma, coeffs=(1.21, -0.48, 0.31, -0.07)):  # k-diffusion's sample_lms:
        d = (x - denoised) / sigma  # to_d, the order-4 linear multistep over the stored derivatives
        ds = [d3, d2, d1, d]
        return x + sum(c * dd for c, dd in zip(coeffs, reversed(ds), strict=True))

    def unipc_bh2_predictor(x, m0, m1, m2, m3, lam_t, lam_s0, lam_s1, lam_s2, lam_s3, alpha_t, sigma_t, sigma_s0):
        h = lam_t - lam_s0  # diffusers' UniPCMultistepScheduler.multistep_uni_p_bh_update (data prediction, bh2,
        rks, d1s = [], []  # order 4): rks and D1s, the R and b system by stacked powers, rhos by linalg.solve,
        for lam_si, mi in ((lam_s1, m1), (lam_s2, m2), (lam_s3, m3)):  # the predicted residual by einsum
            rk = (lam_si - lam_s0) / h
            rks.append(rk)
            d1s.append((mi - m0) / rk)
        rks = torch.stack(rks + [torch.ones_like(h)])
        hh = -h
        h_phi_1 = torch.expm1(hh)
        h_phi_k = h_phi_1 / hh - 1
        b_h = torch.expm1(hh)
        r_rows, b_rows, factorial_i = [], [], 1
        for i_ in range(1, 5):
            r_rows.append(torch.pow(rks, i_ - 1))
            b_rows.append(h_phi_k * factorial_i / b_h)
            factorial_i *= i_ + 1
            h_phi_k = h_phi_k / hh - 1 / factorial_i
        r_mat, b_vec = torch.stack(r_rows), torch.stack(b_rows)
        rhos = torch.linalg.solve(r_mat[:-1, :-1], b_vec[:-1]).to(x.dtype)
        pred_res = torch.einsum("k,bkc...->bc...", rhos, torch.stack(d1s, dim=1))
        x_t_ = sigma_t / sigma_s0 * x - alpha_t * h_phi_1 * m0
        return x_t_ - alpha_t * b_h * pred_res

    def flux_flow_step(latents, noise_pred, t, guidance, sigma, sigma_next, w_t1, b_t1, w_t2, b_t2, w_g1, b_g1, w_g2,
                       b_g2, pooled, w_p1, b_p1, w_p2, b_p2, scaling=0.3611, shift=0.1159):  # diffusers' FLUX
        b, c, hh, ww = latents.shape  # pipeline: _pack_latents into 2 x 2 patches, the image ids, the timestep

        def temb(ts, w1, b1, w2, b2, dim=256):  # and guidance embeddings (get_timestep_embedding, flip to cos
            half = dim // 2  # first) with the pooled text projection, FlowMatchEuler's step in fp32, _unpack_latents
            ex = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32, device=ts.device) / half)
            emb = ts[:, None].float() * 1000 * ex[None]
            emb = torch.cat([torch.cos(emb), torch.sin(emb)], dim=-1).to(w1.dtype)
            return F.linear(F.silu(F.linear(emb, w1, b1)), w2, b2)

        packed = latents.view(b, c, hh // 2, 2, ww // 2, 2).permute(0, 2, 4, 1, 3, 5).reshape(b, -1, c * 4)
        ids = torch.zeros(hh // 2, ww // 2, 3, device=latents.device)
        ids[..., 1] = ids[..., 1] + torch.arange(hh // 2, device=latents.device)[:, None]
        ids[..., 2] = ids[..., 2] + torch.arange(ww // 2, device=latents.device)[None, :]
        vec = temb(t, w_t1, b_t1, w_t2, b_t2) + temb(guidance, w_g1, b_g1, w_g2, b_g2)
        vec = vec + F.linear(F.silu(F.linear(pooled, w_p1, b_p1)), w_p2, b_p2)
        prev = (packed.float() + (sigma_next - sigma) * noise_pred.float()).to(latents.dtype)
        unpacked = prev.view(b, hh // 2, ww // 2, c, 2, 2).permute(0, 3, 1, 4, 2, 5).reshape(b, c, hh, ww)
        return unpacked / scaling + shift, ids.reshape(-1, 3), vec

    def flux_time_shift(n_steps_t, image_seq_len, base_shift=0.5, max_shift=1.15):  # FLUX's dynamic shifting: mu
        mu = base_shift + (max_shift - base_shift) * (image_seq_len - 256) / (4096 - 256)  # from the sequence
        t = n_steps_t.float().clamp(1e-3, 1.0)  # length, the shifted sigmas, the 1000-scale timesteps
        sigmas = math.exp(mu) / (math.exp(mu) + (1 / t - 1) ** 1.0)
        return torch.cat([sigmas, torch.zeros_like(sigmas[:1])]), sigmas * 1000

    def ddpm_zsnr_vpred(betas, model_output, sample, noise, t=500, prev_t=480):  # diffusers' DDPMScheduler with
        alphas = 1.0 - betas  # rescale_zero_terminal_snr (Lin et al.): the betas rescaled, then a v-prediction
        ac_sqrt = torch.cumprod(alphas, dim=0).sqrt()  # step: x0, the posterior coefficients, the fixed-small
        s0, s_t = ac_sqrt[0].clone(), ac_sqrt[-1].clone()  # variance clamped, the noise
        ac_sqrt = (ac_sqrt - s_t) * (s0 / (s0 - s_t))
        alphas_bar = ac_sqrt**2
        alphas = torch.cat([alphas_bar[0:1], alphas_bar[1:] / alphas_bar[:-1]])
        ac = torch.cumprod(alphas, dim=0)
        a_t, a_prev = ac[t], ac[prev_t]
        b_t, b_prev = 1 - a_t, 1 - a_prev
        cur_alpha = a_t / a_prev
        cur_beta = 1 - cur_alpha
        x0 = (a_t**0.5) * sample - (b_t**0.5) * model_output
        pred_prev = (a_prev**0.5 * cur_beta / b_t) * x0 + (cur_alpha**0.5 * b_prev / b_t) * sample
        variance = torch.clamp(b_prev / b_t * cur_beta, min=1e-20)
        return pred_prev + variance**0.5 * noise

    # APG over SD3 / FLUX latents (16 x 128 x 128) in bf16 and Wan-2.1's 81-frame 480p video latents; CFG-Zero* on
    # Wan; Euler ancestral and LMS on SDXL at 1; UniPC's order-4 predictor on SDXL and Wan; FLUX's step and its
    # shifted schedule at 1024^2; zero-SNR DDPM on SD-2.1-v at 768
    flux_w = (m(3072, 256), m(3072), m(3072, 3072), m(3072), m(3072, 256), m(3072), m(3072, 3072), m(3072), m(1, 768),
              m(3072, 768), m(3072), m(3072, 3072), m(3072))
    out += [
        ("adaptive_projected_guidance", adaptive_projected_guidance, (m(1, 16, 128, 128), m(1, 16, 128, 128),
                                                                      m(1, 16, 128, 128))),
        ("adaptive_projected_guidance", adaptive_projected_guidance, (m(1, 16, 21, 60, 104), m(1, 16, 21, 60, 104),
                                                                      m(1, 16, 21, 60, 104))),
        ("cfg_zero_star", cfg_zero_star, (m(1, 16, 21, 60, 104), m(1, 16, 21, 60, 104), mb(()))),
        ("euler_ancestral_step", euler_ancestral_step, (mf(1, 4, 128, 128), mf(2, 4, 128, 128), sc(), sc())),
        ("lms_step", lms_step, (mf(1, 4, 128, 128), mf(1, 4, 128, 128), mf(1, 4, 128, 128), mf(1, 4, 128, 128),
                                mf(1, 4, 128, 128), sc())),
        ("unipc_bh2_predictor", unipc_bh2_predictor, (mf(2, 4, 128, 128), mf(2, 4, 128, 128), mf(2, 4, 128, 128),
                                                      mf(2, 4, 128, 128), mf(2, 4, 128, 128), *[sc()] * 8)),
        ("unipc_bh2_predictor", unipc_bh2_predictor, (mf(1, 16, 21, 60, 104), mf(1, 16, 21, 60, 104),
                                                      mf(1, 16, 21, 60, 104), mf(1, 16, 21, 60, 104),
                                                      mf(1, 16, 21, 60, 104), *[sc()] * 8)),
        ("flux_flow_step", flux_flow_step, (m(1, 16, 128, 128), m(1, 4096, 64), mf(1), mf(1), sc(), sc(), *flux_w)),
        ("flux_time_shift", lambda t: flux_time_shift(t, 4096), (mf(28),)),
        ("ddpm_zsnr_vpred", ddpm_zsnr_vpred, (mf(1000), mh(4, 4, 96, 96), mh(4, 4, 96, 96), mh(4, 4, 96, 96))),
    ]

    # ================================================================== video diffusion internals
    def wan_rope(x, freqs, grid=(21, 30, 52)):  # Wan 2.1's rope_apply: the table split over time, height and width,
        b, s, n, d = x.shape  # heads upcast to complex128 pairs, the 3-D table built by expand and cat, the complex
        c = d // 2  # product, back to real pairs and fp32
        f, h, w = grid
        fr = freqs.split([c - 2 * (c // 3), c // 3, c // 3], dim=1)
        seq_len = f * h * w
        outs = []
        for i_ in range(b):
            x_i = torch.view_as_complex(x[i_, :seq_len].to(torch.float64).reshape(seq_len, n, -1, 2))
            freqs_i = torch.cat([fr[0][:f].view(f, 1, 1, -1).expand(f, h, w, -1),
                                 fr[1][:h].view(1, h, 1, -1).expand(f, h, w, -1),
                                 fr[2][:w].view(1, 1, w, -1).expand(f, h, w, -1)], dim=-1).reshape(seq_len, 1, -1)
            outs.append(torch.view_as_real(x_i * freqs_i).flatten(2))
        return torch.stack(outs).float()

    def wan_rope_params(positions, dim=128, theta=10000.0):  # Wan's rope_params: the outer product in float64, polar
        freqs = torch.outer(positions.to(torch.float64),
                            1.0 / torch.pow(theta, torch.arange(0, dim, 2, device=positions.device)
                                            .to(torch.float64).div(dim)))
        return torch.polar(torch.ones_like(freqs), freqs)

    def hunyuan_rope(q, k, grid=(33, 34, 60), dims=(16, 56, 56), theta=256.0):  # HunyuanVideo's
        t_, h_, w_ = grid  # get_nd_rotary_pos_embed (a meshgrid of positions, per-axis tables repeat_interleave'd,
        axes = torch.meshgrid(torch.arange(t_, dtype=torch.float32, device=q.device),  # cat) and its
                              torch.arange(h_, dtype=torch.float32, device=q.device),  # apply_rotary_emb on
                              torch.arange(w_, dtype=torch.float32, device=q.device), indexing="ij")  # interleaved
        coss, sins = [], []  # pairs in fp32
        for pos, dim in zip(axes, dims, strict=True):
            fr = 1.0 / (theta ** (torch.arange(0, dim, 2, device=q.device)[: dim // 2].float() / dim))
            fr = torch.outer(pos.flatten(), fr)
            coss.append(fr.cos().repeat_interleave(2, dim=1))
            sins.append(fr.sin().repeat_interleave(2, dim=1))
        cos, sin = torch.cat(coss, dim=1)[None, :, None], torch.cat(sins, dim=1)[None, :, None]

        def apply(x):
            x_real, x_imag = x.float().reshape(*x.shape[:-1], -1, 2).unbind(-1)
            x_rot = torch.stack([-x_imag, x_real], dim=-1).flatten(3)
            return (x.float() * cos + x_rot * sin).type_as(x)

        return apply(q), apply(k)

    def stdit_block(x, y, t, sst, wqkv, qn_w, kn_w, wo, w_cq, w_ckv, w_co, w1, b1, w2, b2, tsteps=15, spatial=1590,
                    heads=16):  # an Open-Sora STDiT3 block pair: adaLN-single modulation (the scale-shift table plus
        b, n, c = x.shape  # the timestep's six chunks), spatial attention over (B T) S, temporal over (B S) T, both
        hd = c // heads  # with per-head RMS QK-norm, cross-attention to the T5 tokens, the tanh-GELU MLP

        def attn(h):
            bb, ll, _ = h.shape
            q, k, v = F.linear(h, wqkv).view(bb, ll, 3, heads, hd).permute(2, 0, 3, 1, 4)
            q, k = F.rms_norm(q, (hd,), qn_w, 1e-6), F.rms_norm(k, (hd,), kn_w, 1e-6)
            return F.linear(F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(bb, ll, c), wo)

        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = (sst[None] + t.reshape(b, 6, -1)).chunk(6, 1)
        xm = F.layer_norm(x, (c,), eps=1e-6) * (1 + scale_msa) + shift_msa
        xs = attn(xm.view(b * tsteps, spatial, c)).view(b, n, c)
        x = x + gate_msa * xs
        xm = F.layer_norm(x, (c,), eps=1e-6) * (1 + scale_msa) + shift_msa
        xt = xm.view(b, tsteps, spatial, c).transpose(1, 2).reshape(b * spatial, tsteps, c)
        xt = attn(xt).view(b, spatial, tsteps, c).transpose(1, 2).reshape(b, n, c)
        x = x + gate_msa * xt
        q = F.linear(x, w_cq).view(b, n, heads, hd).transpose(1, 2)
        k, v = F.linear(y, w_ckv).view(b, -1, 2, heads, hd).permute(2, 0, 3, 1, 4)
        x = x + F.linear(F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, n, c), w_co)
        xm = F.layer_norm(x, (c,), eps=1e-6) * (1 + scale_mlp) + shift_mlp
        return x + gate_mlp * F.linear(F.gelu(F.linear(xm, w1, b1), approximate="tanh"), w2, b2)

    def temporal_shift(x, w_conv, n_segment=8, fold_div=8):  # TSM's TemporalShift before a bottleneck's first
        nt, c, h, w = x.size()  # 1x1 conv: a zeroed buffer, an eighth of the channels shifted back and one forward
        x5 = x.view(nt // n_segment, n_segment, c, h, w)  # in time by sliced copies, the rest copied
        fold = c // fold_div
        o = torch.zeros_like(x5)
        o[:, :-1, :fold] = x5[:, 1:, :fold]
        o[:, 1:, fold: 2 * fold] = x5[:, :-1, fold: 2 * fold]
        o[:, :, 2 * fold:] = x5[:, :, 2 * fold:]
        return F.conv2d(o.view(nt, c, h, w), w_conv)

    def causal_conv3d_block(x, w1, b1, gn_w, gn_b, kernel=3):  # CogVideoX's VAE: GroupNorm(32) and SiLU, then
        x = F.silu(F.group_norm(x, 32, gn_w, gn_b, 1e-6))  # CogVideoXCausalConv3d: the first frame repeated as
        x = torch.cat([x[:, :, :1]] * (kernel - 1) + [x], dim=2)  # the causal time padding, the spatial zero pad,
        x = F.pad(x, (1, 1, 1, 1, 0, 0))  # the 3 x 3 x 3 conv
        return F.conv3d(x, w1, b1)

    def wan_patchify_head(video, w_patch, b_patch, x, e, modulation, w_head, b_head, grid=(21, 30, 52), c_out=16):
        emb = F.conv3d(video, w_patch, b_patch, stride=(1, 2, 2))  # Wan's patch embedding (Conv3d 1 x 2 x 2)
        tokens = emb.flatten(2).transpose(1, 2)  # flattened to tokens; its head (modulated LayerNorm in fp32,
        e2 = (modulation + e.unsqueeze(1)).chunk(2, dim=1)  # the linear) and unpatchify by einsum
        h = F.linear(F.layer_norm(x.float(), (x.shape[-1],), eps=1e-6) * (1 + e2[1]) + e2[0], w_head.float(),
                     b_head.float())
        f, hh, ww = grid
        u = h[0, : f * hh * ww].view(f, hh, ww, 1, 2, 2, c_out)
        u = torch.einsum("fhwpqrc->cfphqwr", u).reshape(c_out, f, hh * 2, ww * 2)
        return tokens, u

    # Wan-2.1-1.3B's rotary (12 heads of 128) over an 81-frame 480p video (21 x 30 x 52 = 32760 tokens) and its table;
    # HunyuanVideo's (24 heads of 128) over 33 x 34 x 60 latents; an Open-Sora 1.2 STDiT3-XL pair (1152-wide, 16
    # heads) over 15 x 1590 tokens with 300 T5 tokens; TSM on ResNet-50 (8 segments of 8 clips); CogVideoX's VAE
    # at 13 x 60 x 90 (512 channels) and 49 x 120 x 180 (128); Wan's patchify and head
    out += [
        ("wan_rope_apply", wan_rope, (m(1, 32760, 12, 128), mc128(1024, 64))),
        ("wan_rope_params", wan_rope_params, (i(1024),)),
        ("hunyuan_rope_3d", hunyuan_rope, (m(1, 67320, 24, 128), m(1, 67320, 24, 128))),
        ("stdit3_block_pair", stdit_block, (m(1, 23850, 1152), m(1, 300, 1152), m(1, 6912), m(6, 1152),
                                            m(3456, 1152), m(72), m(72), m(1152, 1152), m(1152, 1152), m(2304, 1152),
                                            m(1152, 1152), m(4608, 1152), m(4608), m(1152, 4608), m(1152))),
        ("tsm_temporal_shift", temporal_shift, (mh(64, 256, 56, 56), mh(64, 256, 1, 1))),
        ("tsm_temporal_shift", temporal_shift, (mh(64, 1024, 14, 14), mh(256, 1024, 1, 1))),
        ("cogvideox_causal_conv3d", causal_conv3d_block, (m(1, 512, 13, 60, 90), m(512, 512, 3, 3, 3), m(512),
                                                          m(512), m(512))),
        ("cogvideox_causal_conv3d", causal_conv3d_block, (m(1, 128, 49, 120, 180), m(128, 128, 3, 3, 3), m(128),
                                                          m(128), m(128))),
        ("wan_patchify_head", wan_patchify_head, (m(1, 16, 21, 60, 104), m(1536, 16, 1, 2, 2), m(1536),
                                                  m(1, 32760, 1536), mf(1, 1536), mf(1, 2, 1536), m(64, 1536),
                                                  m(64))),
    ]

    # ================================================================== text-to-speech and speech tokens
    def f5_text_embedding(text, emb, freqs, dw_w, dw_b, ln_w, ln_b, w1, b1, grn_g, grn_b, w2, b2, seq_len=1200):
        text = F.pad(text + 1, (0, seq_len - text.shape[1]), value=0)  # F5-TTS's TextEmbedding: filler-shifted
        x = F.embedding(text, emb) + freqs[:seq_len].to(emb.dtype)  # character ids padded to the mel length, the
        res = x  # sinusoidal table, a ConvNeXt-V2 block (depthwise conv1d of 7, LayerNorm, pointwise up, GELU,
        x = F.conv1d(x.transpose(1, 2), dw_w, dw_b, padding=3, groups=x.shape[-1]).transpose(1, 2)  # GRN, down)
        x = F.gelu(F.linear(F.layer_norm(x, (x.shape[-1],), ln_w, ln_b, 1e-6), w1, b1))
        gx = torch.norm(x, p=2, dim=1, keepdim=True)
        nx = gx / (gx.mean(dim=-1, keepdim=True) + 1e-6)
        x = grn_g * (x * nx) + grn_b + x
        return res + F.linear(x, w2, b2)

    def f5_input_embedding(x, cond, text_emb, w_proj, b_proj, cw1, cb1, cw2, cb2):  # F5-TTS's InputEmbedding: the
        x = F.linear(torch.cat((x, cond, text_emb), dim=-1), w_proj, b_proj)  # noisy mel, the masked condition and
        h = F.mish(F.conv1d(x.permute(0, 2, 1), cw1, cb1, padding=15, groups=16))  # the text projected, the
        h = F.mish(F.conv1d(h, cw2, cb2, padding=15, groups=16))  # ConvPositionEmbedding (two grouped conv1d of
        return h.permute(0, 2, 1) + x  # 31 with Mish)

    def cfm_loss(inp, lens, pred, frac_lo=0.7, frac_hi=1.0):  # F5-TTS's CFM.forward: the length mask, the random
        b, t, _ = inp.shape  # infill span (mask_from_frac_lengths), the noise and time, the interpolant and the
        seq = torch.arange(t, device=inp.device).long()  # flow, the condition with the span zeroed, the MSE over
        frac = torch.zeros((b,), device=inp.device).float().uniform_(frac_lo, frac_hi)  # the span (the boolean
        lengths = (frac * lens).long()  # selection as a masked mean)
        start = ((lens - lengths) * torch.rand_like(frac)).long().clamp(min=0)
        span = (seq[None] >= start[:, None]) & (seq[None] < (start + lengths)[:, None]) & (seq[None] < lens[:, None])
        x0 = torch.randn_like(inp)
        tt = torch.rand((b,), dtype=inp.dtype, device=inp.device)[:, None, None]
        phi = (1 - tt) * x0 + tt * inp
        cond = torch.where(span[..., None], torch.zeros_like(inp), inp)
        loss = F.mse_loss(pred, inp - x0, reduction="none")
        spanf = span[..., None].float()
        return phi, cond, (loss * spanf).sum() / (spanf.sum() * inp.shape[-1])

    def glow_tts_alignment(z, mu, logs, x_mask, y_mask, attn, steps=4):  # Glow-TTS: the prior's log-likelihood of
        x_s_sq_r = torch.exp(-2 * logs)  # every (text, frame) pair by its four terms (two bmm), the attention mask,
        logp1 = torch.sum(-0.5 * math.log(2 * math.pi) - logs, [1]).unsqueeze(-1)  # the first columns of the
        logp2 = torch.matmul(x_s_sq_r.transpose(1, 2), -0.5 * (z**2))  # monotonic alignment search's max-plus
        logp3 = torch.matmul((mu * x_s_sq_r).transpose(1, 2), z)  # recursion, the aligned prior statistics and
        logp4 = torch.sum(-0.5 * (mu**2) * x_s_sq_r, [1]).unsqueeze(-1)  # the duration targets
        logp = logp1 + logp2 + logp3 + logp4
        value = logp * (x_mask.unsqueeze(-1) * y_mask.unsqueeze(2)).squeeze(1)
        tx = torch.arange(value.shape[1], device=z.device)
        v = torch.where(tx[None] == 0, value[:, :, 0], torch.full_like(value[:, :, 0], -1e9))
        for j in range(1, steps):
            v = torch.maximum(v, F.pad(v[:, :-1], (1, 0), value=-1e9)) + value[:, :, j]
            v = v.masked_fill(tx[None] > j, -1e9)
        a = attn.squeeze(1)
        z_m = torch.matmul(a.transpose(1, 2), mu.transpose(1, 2)).transpose(1, 2)
        z_logs = torch.matmul(a.transpose(1, 2), logs.transpose(1, 2)).transpose(1, 2)
        return v, z_m, z_logs, torch.log(1e-8 + torch.sum(attn, -1)) * x_mask

    def length_regulator(x, log_dur, target_dur, t_mel=1000, control=1.0):  # FastSpeech 2's length regulator by
        dur = torch.clamp(torch.round(torch.exp(log_dur) - 1) * control, min=0).long()  # gather (its per-row
        cum = torch.cumsum(dur, 1)  # repeat loop as searchsorted over the cumulative durations), the frame mask,
        pos = torch.arange(t_mel, device=x.device).expand(x.shape[0], t_mel).contiguous()  # the duration loss
        idx = torch.searchsorted(cum, pos, right=True).clamp(max=x.shape[1] - 1)
        outp = x.gather(1, idx.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
        mask = pos < cum[:, -1:]
        return outp.masked_fill(~mask.unsqueeze(-1), 0.0), F.mse_loss(log_dur, torch.log(target_dur.float() + 1))

    def valle_nar(codes, embs, stage_emb, w_ada, b_ada, heads, j=4, pad=1024):  # VALL-E's NAR stage (lifeiteng's
        x = sum(F.embedding(codes[:, k], embs[k]) for k in range(j))  # VALL-E): the first j codebooks' embeddings
        w, b = F.linear(stage_emb[j], w_ada, b_ada).chunk(2)  # summed, AdaptiveLayerNorm from the stage
        x = w * F.layer_norm(x, (x.shape[-1],)) + b  # embedding, the stage's head, the summed CE over [B, V, T]
        logits = F.linear(x, heads[j - 1])
        return F.cross_entropy(logits.permute(0, 2, 1), codes[:, j], reduction="sum", ignore_index=pad)

    def moshi_depformer(h_main, prev, w_in, emb, norm_w, heads, steps=3, top_k=250, temp=0.8):  # Moshi's depth
        toks = []  # transformer's per-codebook steps: the temporal context through its own input projection, the
        for k in range(steps):  # previous codebook's token embedded, RMSNorm, the codebook's head, top-k 250 at
            x = F.linear(h_main, w_in[k]) + F.embedding(prev[:, k], emb[k])  # temperature 0.8 and the draw
            x = F.rms_norm(x, (x.shape[-1],), norm_w, 1e-8)
            logits = F.linear(x, heads[k]).float() / temp
            v, idx = logits.topk(top_k, dim=-1)
            toks.append(idx.gather(1, torch.multinomial(F.softmax(v, dim=-1), 1)))
        return torch.cat(toks, 1)

    # F5-TTS Base (512-d text, 1024-d model, 100 mels): its text embedding at 8 x 1200 frames, its input embedding
    # there and at inference (2 x 800 in fp16), its CFM loss at 32 x 1500; Glow-TTS (80 channels) at 32 x 180 x 860;
    # FastSpeech 2 (256-d) at 16 x 200 -> 1000; VALL-E's NAR (1024-d, 8 codebooks of 1024 + 1) at 16 x 750; Moshi's
    # depformer (4096 -> 1024, 2048 cards) at 64
    def f5_text_w(mk):  # the ConvNeXt-V2 block's weights after the depthwise kernel
        return (mk(512), mk(512), mk(512), mk(1024, 512), mk(1024), mk(1, 1, 1024), mk(1, 1, 1024), mk(512, 1024),
                mk(512))

    out += [
        ("f5_text_embedding", f5_text_embedding, (i(8, 300), m(2547, 512), mf(4096, 512), m(512, 1, 7),
                                                  *f5_text_w(m))),
        ("f5_input_embedding", f5_input_embedding, (m(8, 1200, 100), m(8, 1200, 100), m(8, 1200, 512),
                                                    m(1024, 712), m(1024), m(1024, 64, 31), m(1024), m(1024, 64, 31),
                                                    m(1024))),
        ("f5_input_embedding", f5_input_embedding, (mh(2, 800, 100), mh(2, 800, 100), mh(2, 800, 512),
                                                    mh(1024, 712), mh(1024), mh(1024, 64, 31), mh(1024),
                                                    mh(1024, 64, 31), mh(1024))),
        ("f5_cfm_loss", cfm_loss, (mf(32, 1500, 100), i(32), mf(32, 1500, 100))),
        ("glow_tts_alignment", glow_tts_alignment, (mf(32, 80, 860), mf(32, 80, 180), mf(32, 80, 180),
                                                    mf(32, 1, 180), mf(32, 1, 860), mf(32, 1, 180, 860))),
        ("fastspeech2_length_regulator", length_regulator, (mf(16, 200, 256), mf(16, 200), i(16, 200))),
        ("valle_nar_stage", valle_nar, (i(16, 8, 750), m(8, 1025, 1024), m(8, 1024), m(2048, 1024), m(2048),
                                        m(7, 1025, 1024))),
        ("moshi_depformer_steps", moshi_depformer, (m(64, 4096), i(64, 8), m(8, 1024, 4096), m(8, 2049, 1024),
                                                    m(1024), m(8, 2048, 1024))),
    ]

    # ================================================================== optimisers
    def prodigy_step(p, grad, p0, s, exp_avg, exp_avg_sq, d, d_num, lr=1.0, beta1=0.9, beta2=0.999, wd=0.01,
                     d0=1e-6, d_coef=1.0, eps=1e-8):  # Prodigy (Mishchenko & Defazio): the d numerator by a dot
        beta3 = beta2**0.5  # product with the distance travelled, the s accumulator, the d estimate grown by
        dlr = d * lr  # torch.maximum (the reference's Python max over .item() values), the Adam step at lr d
        d_num = d_num * beta3 + (d / d0) * dlr * torch.dot(grad.flatten(), (p0 - p).flatten())
        exp_avg.mul_(beta1).add_(grad * (d * (1 - beta1)))
        exp_avg_sq.mul_(beta2).add_(grad * grad * (d * d * (1 - beta2)))
        s.mul_(beta3).add_(grad * ((d / d0) * dlr))
        d_hat = d_coef * d_num / s.abs().sum()
        d = torch.maximum(d, d_hat)
        denom = exp_avg_sq.sqrt().add_(d * eps)
        p.mul_(1 - wd * dlr)
        return p.sub_(dlr * exp_avg / denom), d, d_num

    def came_step(p, grad, exp_avg, r, c, res_r, res_c, lr=2e-4, betas=(0.9, 0.999, 0.9999), eps=(1e-30, 1e-16),
                  clip=1.0, wd=0.01):  # CAME (Luo et al.): Adafactor's factored second moment, the RMS clip, the
        beta1, beta2, beta3 = betas  # confidence residual's own factored moment scaling the momentum

        def approx(row, col):
            r_factor = (row / row.mean(dim=-1, keepdim=True)).rsqrt_().unsqueeze(-1)
            return torch.mul(r_factor, col.unsqueeze(-2).rsqrt())

        update = grad**2 + eps[0]
        r.mul_(beta2).add_(update.mean(dim=-1), alpha=1 - beta2)
        c.mul_(beta2).add_(update.mean(dim=-2), alpha=1 - beta2)
        update = approx(r, c).mul_(grad)
        update.div_((update.norm(2) / (update.numel() ** 0.5) / clip).clamp_(min=1.0))
        exp_avg.mul_(beta1).add_(update, alpha=1 - beta1)
        res = (update - exp_avg) ** 2 + eps[1]
        res_r.mul_(beta3).add_(res.mean(dim=-1), alpha=1 - beta3)
        res_c.mul_(beta3).add_(res.mean(dim=-2), alpha=1 - beta3)
        update = approx(res_r, res_c).mul_(exp_avg)
        p.add_(p, alpha=-wd * lr)
        return p.add_(update, alpha=-lr)

    def sam_first_step(*pg, rho=0.05, adaptive=True):  # SAM / ASAM's first_step (davda54's sam.py): the gradient
        params, grads = pg[: len(pg) // 2], pg[len(pg) // 2:]  # norm over every tensor by a stacked norm, the
        norm = torch.norm(torch.stack([((torch.abs(p) if adaptive else 1.0) * g).norm(p=2)  # ascent step
                                       for p, g in zip(params, grads, strict=True)]), p=2)
        scale = rho / (norm + 1e-12)
        for p, g in zip(params, grads, strict=True):
            p.add_((torch.pow(p, 2) if adaptive else 1.0) * g * scale.to(p))
        return params

    def adopt_step(p, grad, exp_avg, exp_avg_sq, step=100, lr=1e-3, betas=(0.9, 0.9999), eps=1e-6):  # ADOPT
        denom = torch.clamp(exp_avg_sq.sqrt(), eps)  # (Taniguchi et al.): the gradient normalised by the previous
        normed = grad.div(denom)  # second moment and clipped at step^(1/4), the momentum by lerp_, the step, the
        normed.clamp_(-(step**0.25), step**0.25)  # second moment updated after
        exp_avg.lerp_(normed, 1 - betas[0])
        p.add_(exp_avg, alpha=-lr)
        exp_avg_sq.mul_(betas[1]).addcmul_(grad, grad, value=1 - betas[1])
        return p

    def ademamix_step(p, grad, m1, m2, nu, step=1000, lr=1e-3, betas=(0.9, 0.999, 0.9999), alpha=5.0, eps=1e-8,
                      wd=0.1):  # AdEMAMix (Pagliardini et al.): a fast and a slow EMA mixed by alpha over Adam's
        bc1, bc2 = 1 - betas[0] ** step, 1 - betas[1] ** step  # denominator, decoupled weight decay
        m1.mul_(betas[0]).add_(grad, alpha=1 - betas[0])
        m2.mul_(betas[2]).add_(grad, alpha=1 - betas[2])
        nu.mul_(betas[1]).addcmul_(grad, grad, value=1 - betas[1])
        denom = (nu.sqrt() / math.sqrt(bc2)).add_(eps)
        update = (m1.div(bc1) + alpha * m2) / denom
        update.add_(p, alpha=wd)
        return p.add_(-lr * update)

    def lookahead_grokfast(*t, alpha=0.98, lamb=2.0, la_alpha=0.5):  # Grokfast-EMA's gradient filter (the slow
        n = len(t) // 4  # gradient EMA added back, amplified) and Lookahead's slow-weight sync (lerp of the
        for p, slow, g, ema in zip(t[:n], t[n:2 * n], t[2 * n:3 * n], t[3 * n:], strict=True):  # slow towards
            ema.mul_(alpha).add_(g.detach(), alpha=1 - alpha)  # the fast weights, fast reset to slow)
            g.add_(ema, alpha=lamb)
            slow.add_(p - slow, alpha=la_alpha)
            p.copy_(slow)
        return t

    def adam8bit_blockwise(p, grad, q1, absmax1, q2, absmax2, code1, code2, lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
                           step=100, block=2048):  # bitsandbytes' blockwise 8-bit Adam written in torch: the states
        shape = p.shape  # dequantised by their dynamic maps and per-block absmax, the Adam step, requantised by
        exp_avg = (code1[q1.long()].view(-1, block) * absmax1[:, None]).view(shape)  # absmax and bucketize
        exp_avg_sq = (code2[q2.long()].view(-1, block) * absmax2[:, None]).view(shape)  # against the map's
        exp_avg = exp_avg * betas[0] + grad * (1 - betas[0])  # midpoints
        exp_avg_sq = exp_avg_sq * betas[1] + grad * grad * (1 - betas[1])
        step_size = lr * math.sqrt(1 - betas[1] ** step) / (1 - betas[0] ** step)
        p.addcdiv_(exp_avg, exp_avg_sq.sqrt().add_(eps), value=-step_size)

        def quant(x, code):
            xb = x.reshape(-1, block)
            am = xb.abs().amax(-1)
            mid = (code[1:] + code[:-1]) / 2
            return torch.bucketize((xb / am[:, None]).contiguous(), mid).to(torch.uint8).view(-1), am

        return p, quant(exp_avg, code1), quant(exp_avg_sq, code2)

    def wrn_params(mk):  # WideResNet-28-10's parameter shapes (one 3 x 3 conv a stage, the last BN, the head)
        return [mk(160, 160, 3, 3), mk(320, 320, 3, 3), mk(640, 640, 3, 3), mk(640), mk(10, 640)]

    # Prodigy on a Llama-3-8B MLP weight (14336 x 4096, fp32 states); CAME on Llama-2-7B's (11008 x 4096); SAM and
    # ASAM over WideResNet-28-10; ADOPT on 8192^2 and GPT-2's embedding; AdEMAMix on GPT-2's embedding;
    # Grokfast with Lookahead on a small MLP; 8-bit blockwise Adam on a 4096^2 weight and a 32000 x 4096 embedding
    out += [
        ("prodigy_step", prodigy_step, (mf(14336, 4096), mf(14336, 4096), mf(14336, 4096), mf(14336, 4096),
                                        mf(14336, 4096), mf(14336, 4096), sc(), sc())),
        ("came_step", came_step, (mf(11008, 4096), mf(11008, 4096), mf(11008, 4096), mf(11008), mf(4096),
                                  mf(11008), mf(4096))),
        ("sam_first_step", sam_first_step, (*wrn_params(mf), *wrn_params(mf))),
        ("adopt_step", adopt_step, (mf(8192, 8192), mf(8192, 8192), mf(8192, 8192), mf(8192, 8192))),
        ("adopt_step", adopt_step, (mf(50304, 768), mf(50304, 768), mf(50304, 768), mf(50304, 768))),
        ("ademamix_step", ademamix_step, (mf(50304, 768), mf(50304, 768), mf(50304, 768), mf(50304, 768),
                                          mf(50304, 768))),
        ("lookahead_grokfast", lookahead_grokfast, (*[mf(512, 784), mf(512), mf(10, 512)] * 4,)),
        ("adam8bit_blockwise", adam8bit_blockwise, (mf(4096, 4096), mf(4096, 4096), mu8(16777216), mf(8192),
                                                    mu8(16777216), mf(8192), mf(256), mf(256))),
        ("adam8bit_blockwise", adam8bit_blockwise, (mf(32000, 4096), mf(32000, 4096), mu8(131072000), mf(64000),
                                                    mu8(131072000), mf(64000), mf(256), mf(256))),
    ]

    # ================================================================== evaluation metrics
    def retrieval_metrics(q, docs, qrels, k=100):  # dense retrieval scored as BEIR / ranx do: scores by one product,
        scores = (q @ docs.t()).float()  # the top 100, relevance gathered, NDCG@10 against the ideal ranking,
        _, top_i = scores.topk(k, dim=1)  # MRR@10 from the first hit's rank, recall@100
        rel = qrels.gather(1, top_i).float()
        disc = 1.0 / torch.log2(torch.arange(2, 12, device=q.device).float())
        dcg = (rel[:, :10] * disc).sum(-1)
        ideal = (qrels.float().topk(10, dim=1).values * disc).sum(-1)
        ranks = torch.arange(1, 11, device=q.device).float()
        first = torch.where(rel[:, :10] > 0, ranks, torch.full_like(ranks, 1e9)).min(-1).values
        mrr = torch.where(first <= 10, 1.0 / first, torch.zeros_like(first))
        recall = rel.sum(-1) / qrels.sum(-1).clamp(min=1)
        return (dcg / ideal.clamp(min=1e-9)).mean(), mrr.mean(), recall.mean()

    def auroc_ap(preds, target):  # torchmetrics' binary ROC and average precision over every threshold (ties not
        desc = torch.argsort(preds, dim=0, descending=True)  # merged: the distinct-threshold selection is data-
        t_s = target.gather(0, desc).float()  # dependent): sorted targets, cumulative true and false positives,
        tps = torch.cumsum(t_s, 0)  # the trapezoidal AUROC, AP as the recall-weighted precision
        ar = torch.arange(1, preds.shape[0] + 1, device=preds.device).float()
        fps = (ar.view(-1, *([1] * (preds.dim() - 1))) - tps)
        zero = torch.zeros_like(tps[:1])
        tpr = torch.cat([zero, tps / tps[-1:]], 0)
        fpr = torch.cat([zero, fps / fps[-1:]], 0)
        auc = torch.trapezoid(tpr, fpr, dim=0)
        precision = tps / (tps + fps)
        return auc, torch.sum(torch.diff(tpr, dim=0) * precision, 0)

    def topk_accuracy(logits, target, ks=(1, 5)):  # the ImageNet reference scripts' accuracy(): topk, transpose,
        _, pred = logits.topk(max(ks), 1, True, True)  # eq against the expanded targets, per-k sums
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))
        return [correct[:k].reshape(-1).float().sum(0) * (100.0 / target.size(0)) for k in ks]

    def strided_perplexity(logits, input_ids, trg_len=512):  # transformers' strided perplexity recipe: labels
        labels = input_ids.clone()  # masked to -100 outside the last trg_len tokens, the shifted fp32 loss, exp;
        labels[:, :-trg_len] = -100  # bits per byte at ~4 bytes a token
        shift = logits[..., :-1, :].contiguous().float()
        nll = F.cross_entropy(shift.view(-1, shift.size(-1)), labels[..., 1:].contiguous().view(-1), ignore_index=-100)
        return torch.exp(nll), nll / (math.log(2) * 4.0)

    def bertscore(cand, ref, cand_mask, ref_mask, cand_idf, ref_idf, baseline=0.83):  # bert_score's greedy_cos_idf:
        cand = cand / cand.norm(dim=-1, keepdim=True)  # normalised token embeddings, the masked similarity bmm,
        ref = ref / ref.norm(dim=-1, keepdim=True)  # greedy maxima both ways, idf weights, F1, baseline rescale
        sim = torch.bmm(cand, ref.transpose(1, 2))
        sim = sim * torch.bmm(cand_mask.unsqueeze(2).float(), ref_mask.unsqueeze(1).float())
        wp, wr = sim.max(dim=2)[0], sim.max(dim=1)[0]
        cand_idf = cand_idf / cand_idf.sum(dim=1, keepdim=True)
        ref_idf = ref_idf / ref_idf.sum(dim=1, keepdim=True)
        p, r = (wp * cand_idf).sum(dim=1), (wr * ref_idf).sum(dim=1)
        f = 2 * p * r / (p + r)
        return (p - baseline) / (1 - baseline), (r - baseline) / (1 - baseline), (f - baseline) / (1 - baseline)

    def clipscore(img, txt, refs, w=2.5):  # CLIPScore and RefCLIPScore (Hessel et al.): clamped scaled cosines,
        img, txt, refs = F.normalize(img, dim=-1), F.normalize(txt, dim=-1), F.normalize(refs, dim=-1)  # the best
        s = w * torch.clamp((img * txt).sum(-1), min=0)  # reference's cosine, the harmonic mean
        ref_s = torch.clamp(torch.einsum("nd,nkd->nk", txt, refs).max(-1).values, min=0)
        return s, 2 * s * ref_s / (s + ref_s)

    # MS MARCO-style retrieval (768-d) of 1024 queries over 100000 passages; AUROC / AP over 1M CTR predictions and
    # CheXpert's 200000 x 14 labels; ImageNet top-1 / top-5 over 50000; Llama-2's strided perplexity over 2 x 4096;
    # BERTScore with roberta-large's layer 17 (1024-d) at 64 x 64; CLIPScore (ViT-L/14) over 5000 with 5 references
    out += [
        ("retrieval_ndcg_mrr_recall", retrieval_metrics, (m(1024, 768), m(100000, 768), mb(1024, 100000))),
        ("auroc_average_precision", auroc_ap, (mf(1000000), mb(1000000))),
        ("auroc_average_precision", auroc_ap, (mf(200000, 14), mb(200000, 14))),
        ("topk_accuracy", topk_accuracy, (mf(50000, 1000), i(50000))),
        ("strided_perplexity", strided_perplexity, (m(2, 4096, 32000), i(2, 4096))),
        ("bertscore_greedy_idf", bertscore, (mf(64, 64, 1024), mf(64, 72, 1024), mb(64, 64), mb(64, 72), mf(64, 64),
                                             mf(64, 72))),
        ("clipscore_refclipscore", clipscore, (mf(5000, 768), mf(5000, 768), mf(5000, 5, 768))),
    ]

    # ================================================================== recurrent cells and LoRA variants
    def slstm_steps(wx, r, bias, c, n, m_, h, steps=3, heads=4):  # xLSTM's sLSTM (its vanilla torch backend): the
        b, _, d4 = wx.shape  # head-wise block-diagonal recurrence by einsum, exponential input and forget gates
        d = d4 // 4  # with the stabiliser state m (where over all(n == 0)), cell, normaliser and hidden updates
        dh = d // heads
        for t in range(steps):
            raw = wx[:, t] + torch.einsum("bhd,hde->bhe", h.view(b, heads, dh), r).reshape(b, d4) + bias
            i_, f_, z_, o_ = raw.chunk(4, dim=-1)
            logfplusm = m_ + F.logsigmoid(f_)
            m_new = torch.where(torch.all(n == 0.0), i_, torch.max(i_, logfplusm))
            ig, fg = torch.exp(i_ - m_new), torch.exp(logfplusm - m_new)
            c = fg * c + ig * torch.tanh(z_)
            n = fg * n + ig
            h = torch.sigmoid(o_) * c / n
            m_ = m_new
        return h, c, n, m_

    def hgrn2_steps(q, f, v, lower, state, steps=3):  # HGRN2's recurrent decode (fla's fused_recurrent_gla
        scale = q.shape[-1] ** -0.5  # reference): the lower-bounded forget gate, the tied input gate 1 - f, the
        fg = lower + (1 - lower) * torch.sigmoid(f.float())  # outer-product state update and the readout
        k = 1 - fg
        outs = []
        for t in range(steps):
            state = state * fg[:, t, :, :, None] + k[:, t, :, :, None] * v[:, t, :, None, :].float()
            outs.append((q[:, t, :, :, None].float() * scale * state).sum(-2))
        return torch.stack(outs, 1).to(q.dtype), state

    def vera(x, w, a, b_, lam_d, lam_b):  # PEFT's VeRA: frozen shared random A and B scaled by the trainable
        return F.linear(x, w) + lam_b * F.linear(lam_d * F.linear(x, a), b_)  # vectors d and b

    def pissa_init(w, r=16, niter=4, scaling=1.0):  # PEFT's PiSSA initialisation (pissa_niter_4): svd_lowrank, the
        vr, sr, ur = torch.svd_lowrank(w, r, niter=niter)  # principal singular values split between A and B, the
        sr = sr / scaling  # residual weight
        lora_a = torch.diag(torch.sqrt(sr)) @ ur.t()
        lora_b = vr @ torch.diag(torch.sqrt(sr))
        return lora_a, lora_b, w - scaling * lora_b @ lora_a

    # sLSTM steps at xLSTM-1.3B's width (2048, 4 heads) for 16; HGRN2 decode (8 heads, 128 x
    # 128 states) for 32; VeRA (rank 256) on Llama-2-7B's q_proj at 32 decode rows; PiSSA's init of
    # Llama-2-7B's q_proj and up_proj
    out += [
        ("slstm_steps", slstm_steps, (mf(16, 3, 8192), mf(4, 512, 2048), mf(8192), mf(16, 2048), mf(16, 2048),
                                      mf(16, 2048), mf(16, 2048))),
        ("hgrn2_steps", hgrn2_steps, (m(32, 3, 8, 128), m(32, 3, 8, 128), m(32, 3, 8, 128), mf(8, 128),
                                      mf(32, 8, 128, 128))),
        ("vera_linear", vera, (m(32, 1, 4096), m(4096, 4096), m(256, 4096), m(4096, 256), m(256), m(4096))),
        ("pissa_init", pissa_init, (mf(4096, 4096),)),
        ("pissa_init", pissa_init, (mf(11008, 4096),)),
    ]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK32, _check32()),))
