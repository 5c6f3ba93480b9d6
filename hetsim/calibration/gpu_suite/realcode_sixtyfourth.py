"""The aten sweep's thirty-fifth blind real-code group: `realcode-check35`, the less common methods of LLM inference
in plain torch: context extension and attention variants, KV-cache compression beyond eviction, decoding
acceleration, test-time scaling, model merging, quantisation algorithms, activation sparsity and pruning, retrieval
encodings and mixtures of adapters and experts.

Each case is one op or a short idiom as the methods' public reference code (and mergekit, AutoAWQ, AutoGPTQ and the
transformers torch paths they build on) writes it, at real widths (hidden 1024-9216, heads of 64 and 128), batches,
contexts and vocabularies (32000-152064), in the dtypes the code runs (bf16 model tensors, fp16 where a method runs its
model in half (Vicuna, Llama-2, the quantisers' calibration activations), fp32 scores, softmaxes, statistics, task
vectors and Hessians, float64 where SliceGPT keeps its covariance, int64 ids and indices, uint8 and int8 quantised
weights and codes, bool masks): context extension and attention variants (LongLoRA's shifted sparse attention S2-Attn
with its half-head roll and its roll back; Self-Extend's neighbour and grouped rotary scores merged by a distance mask;
LM-Infinite's Lambda-shaped mask; ReRoPE's window-capped scores; ChunkLlama's dual chunk attention with its intra-,
successive- and inter-chunk positions; PoSE's skipped position ids; stick-breaking attention by log-sigmoids and a
reverse cumsum; Apple's sigmoid attention with its -log n bias; softpick; selective attention's cumulative masking;
Meta's multi-token attention with its key-query conv2d over the scores and its head-mixing; the Forgetting Transformer's
log forget-gate cumsum bias; the split-KV (flash-decoding) and ring attention partial outputs merged by their
log-sum-exps; Activation Beacon's interleaved beacons and CEPE's chunk encoder with its cross-attention); KV-cache
compression (KVQuant's pre-RoPE per-channel non-uniform keys with dense-and-sparse outliers, its per-token values and
lookup dequantisation; GEAR's 4-bit quantisation with its top-k sparse outliers and power-iteration low-rank residual;
MiniCache's SLERP of adjacent layers' caches with its retained tokens; Palu's low-rank latent keys and values with the
reconstruction fused into the query; ZipCache's normalised attention saliency and mixed-precision split; Keyformer's
Gumbel-softmax scores; ThinK's query-driven key-channel pruning; CAKE's entropy and variance layer budgets and its
eviction indicator; SqueezeAttention's layer cosine similarities; CacheBlend's KV deviation and selective recompute);
decoding acceleration (transformers' prompt-lookup decoding by unfold and matches; Hydra's sequentially dependent draft
heads; CALM's softmax and state-saturation early-exit confidences; LayerSkip's early-exit draft and verification; BiLD's
fallback and rollback; DistillSpec's TVD, forward and reverse KL); test-time scaling (DeepConf's token, sliding-group,
tail and bottom-10 % confidences and its filtered vote; self-certainty; Math-Shepherd's step-tag PRM scores with min,
product and last aggregation; weighted majority vote by scatter_add_ and best-of-N by a reward argmax; G-Eval's
probability-weighted scores; semantic entropy over answer clusters; ArmoRM's gated multi-objective reward); model
merging as mergekit and the papers write it (task arithmetic, TIES' magnitude trim, sign election and disjoint mean,
DARE's Bernoulli drop and rescale, SLERP of whole tensors, Model Breadcrumbs' two-sided mask, DELLA's rank-based drop
probabilities, Fisher merging, LoraHub's weighted LoRA composition, a uniform soup); quantisation algorithms (GPTQ's
Hessian, damping, Cholesky inverse and a block's column steps with the lazy batch update; AutoAWQ's scale search and
clip search; SqueezeLLM's per-channel lookup tables; OmniQuant's learnable weight clipping; QServe's progressive int8 /
int4 group quantisation; Atom's reordered mixed-precision activations; SpinQuant's online Hadamard for non-power-of-two
widths by a Kronecker split); activation sparsity and pruning (Deja Vu's low-rank neuron predictor and gathered sparse
MLP; TEAL's magnitude thresholds; CATS' gated-activation thresholds; ShortGPT's block influence; SliceGPT's PCA rotation
by a float64 eigh); retrieval encodings (jina's late chunking by cumsum spans; MUVERA's SimHash fixed-dimensional
encodings by scatter_add_; RaBitQ's sign codes and unbiased estimator; PEER's product-key retrieval of a quarter million
single-neuron experts); mixtures of adapters and experts (X-LoRA's layer-wise adapter scalings; MoLoRA's top-k LoRA
experts gathered per token; Lory's segment-level expert merging).
Data-dependent steps of the reference code are written without data-dependent shapes: boolean-mask selections as
where, masked_fill and masked sums (KVQuant's and GEAR's outliers kept in place, CATS' and TEAL's thresholds, the
verification's accepted lengths by cumprod), nonzero matches as an argmax over weighted matches (prompt lookup),
per-answer groupings as scatter_add_ over given cluster ids (never unique), the largest top-k at a fixed bound
(mergekit's density as a k), loops cut to their first steps (GPTQ's columns, AWQ's grids, the power iteration).
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK35 = "realcode-check35"


def _check35():
    import math
    from functools import partial as P

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _dtype_makers, _meta_makers, rotate_half

    m, i = _meta_makers()

    mh, mf, mb, mi32 = _dtype_makers()

    def mu8(*shape):  # uint8 (codes, packed bits)
        return m(*shape, dt=torch.uint8)

    def mi8(*shape):  # int8 (quantised weights)
        return m(*shape, dt=torch.int8)

    def md(*shape):  # float64 (SliceGPT's covariance)
        return m(*shape, dt=torch.float64)

    NEG = float("-inf")
    out = []

    def rope(x, cos, sin):  # the rotary over [batch, heads, tokens, dim] with tables [batch, tokens, dim]
        return x * cos.unsqueeze(1) + rotate_half(x) * sin.unsqueeze(1)

    # ================================================================== context extension and attention variants
    def s2_attn(q, k, v, group=2048):  # LongLoRA's shifted sparse attention: half of the heads rolled by half a group,
        b, h, t, d = q.shape  # the tokens cut into groups folded into the batch, causal SDPA in each group, the
        g = t // group  # heads merged back and the rolled half rolled back
        outs = []
        for x in (q, k, v):
            x = x.clone()
            x[:, h // 2:] = x[:, h // 2:].roll(-group // 2, dims=2)
            outs.append(x.transpose(1, 2).reshape(b * g, group, h, d).transpose(1, 2))
        o = F.scaled_dot_product_attention(*outs, is_causal=True)
        o = o.transpose(1, 2).reshape(b, t, h, d)
        o[:, :, h // 2:] = o[:, :, h // 2:].roll(group // 2, dims=1)
        return o.reshape(b, t, h * d)

    # Llama-2-7B (fp16) at 8192 in groups of 2048 and at 16384 in groups of 4096
    for b, t, h, grp, dt in ((1, 8192, 32, 2048, torch.float16), (1, 16384, 32, 4096, torch.float16)):
        out.append(("longlora_s2_attn", P(s2_attn, group=grp),
                    (m(b, h, t, 128, dt=dt), m(b, h, t, 128, dt=dt), m(b, h, t, 128, dt=dt))))

    def self_extend(q, k, v, cos, sin, gcos_q, gsin_q, gcos_k, gsin_k, window=1024):  # Self-Extend: neighbour scores
        t = q.shape[2]  # with the usual rotary, grouped scores with positions floor-divided by the group (the queries
        d = q.shape[-1]  # shifted by the window), the two merged by the distance mask, causal, fp32 softmax
        qn, kn = rope(q, cos, sin), rope(k, cos, sin)
        qg, kg = rope(q, gcos_q, gsin_q), rope(k, gcos_k, gsin_k)
        sn = torch.matmul(qn, kn.transpose(2, 3)) / math.sqrt(d)
        sg = torch.matmul(qg, kg.transpose(2, 3)) / math.sqrt(d)
        ar = torch.arange(t, device=q.device)
        dist = ar[:, None] - ar[None, :]
        s = torch.where(dist < window, sn, sg)
        s = s.masked_fill(dist < 0, torch.finfo(s.dtype).min)
        p = F.softmax(s, dim=-1, dtype=torch.float32).to(q.dtype)
        return torch.matmul(p, v)

    # Llama-2-7B-chat extended (group 4, window 1024) over 16 of its heads at 4096 and all 32 at 2 x 2048
    for b, t, h in ((1, 4096, 16), (2, 2048, 32)):
        out.append(("self_extend_attention", self_extend,
                    (mh(b, h, t, 128), mh(b, h, t, 128), mh(b, h, t, 128)) + tuple(mh(b, t, 128) for _ in range(6))))

    def lm_infinite(q, k, v, n_global=10, local=4096):  # LM-Infinite's Lambda-shaped mask: the first tokens and a
        t = q.shape[2]  # local window, causal, SDPA through it
        ar = torch.arange(t, device=q.device)
        dist = ar[:, None] - ar[None, :]
        mask = (dist >= 0) & ((dist < local) | (ar[None, :] < n_global))
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=q.shape[1] != k.shape[1])

    for b, t, h, hk, loc in ((1, 8192, 32, 8, 4096), (1, 12288, 28, 4, 4096)):
        out.append(("lm_infinite_lambda_mask", P(lm_infinite, local=loc),
                    (m(b, h, t, 128), m(b, hk, t, 128), m(b, hk, t, 128))))

    def rerope(q, k, v, cos, sin, wcos, wsin, window=512):  # ReRoPE: in-window scores with the rotary, the others with
        t, d = q.shape[2], q.shape[-1]  # the queries rotated to the window position against unrotated keys, merged by
        s1 = torch.matmul(rope(q, cos, sin), rope(k, cos, sin).transpose(2, 3))  # a where, causal, fp32 softmax
        s2 = torch.matmul(rope(q, wcos, wsin), k.transpose(2, 3))
        ar = torch.arange(t, device=q.device)
        dist = ar[:, None] - ar[None, :]
        s = torch.where(dist < window, s1, s2) / math.sqrt(d)
        s = s.masked_fill(dist < 0, NEG)
        return torch.matmul(torch.softmax(s.float(), dim=-1).to(v.dtype), v)

    for b, t, h in ((1, 4096, 16), (2, 2048, 32)):
        out.append(("rerope_attention", rerope,
                    (m(b, h, t, 128), m(b, h, t, 128), m(b, h, t, 128), m(b, t, 128), m(b, t, 128), m(b, t, 128),
                     m(b, t, 128))))

    def dual_chunk(q, k, v, cos, sin, cq_intra, sq_intra, cq_succ, sq_succ, cq_inter, sq_inter, chunk=4096):
        # ChunkLlama's dual chunk attention: keys at positions modulo the chunk, three query rotations (intra, the
        # successive chunk's and the inter-chunk's capped one), each score map taken where its chunk relation holds
        t, d = q.shape[2], q.shape[-1]
        kr = rope(k, cos, sin)
        s_intra = torch.matmul(rope(q, cq_intra, sq_intra), kr.transpose(2, 3))
        s_succ = torch.matmul(rope(q, cq_succ, sq_succ), kr.transpose(2, 3))
        s_inter = torch.matmul(rope(q, cq_inter, sq_inter), kr.transpose(2, 3))
        ci = torch.div(torch.arange(t, device=q.device), chunk, rounding_mode="floor")
        rel = ci[:, None] - ci[None, :]
        s = torch.where(rel == 0, s_intra, torch.where(rel == 1, s_succ, s_inter)) / math.sqrt(d)
        causal = torch.ones(t, t, dtype=torch.bool, device=q.device).tril()
        s = s.masked_fill(~causal, NEG)
        return torch.matmul(F.softmax(s, dim=-1, dtype=torch.float32).to(q.dtype), v)

    for b, t, h, ch in ((1, 8192, 4, 2048), (1, 12288, 2, 4096)):
        out.append(("chunkllama_dual_chunk_attention", P(dual_chunk, chunk=ch),
                    (m(b, h, t, 128), m(b, h, t, 128), m(b, h, t, 128)) + tuple(m(b, t, 128) for _ in range(8))))

    def pose_positions(lens, skips, t=4096):  # PoSE's skipped position ids: the window cut in two chunks, the second
        ar = torch.arange(t, device=lens.device).unsqueeze(0)  # shifted by a skip drawn per sample
        return torch.where(ar < lens[:, None], ar, ar + skips[:, None])

    def pose_rope_tables(pos, inv_freq, dt=torch.bfloat16):  # its cos / sin at the skipped positions
        freqs = pos[:, :, None].float() * inv_freq[None, None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().to(dt), emb.sin().to(dt)

    for b, t in ((64, 2048), (16, 4096)):
        out.append(("pose_position_ids", P(pose_positions, t=t), (i(b), i(b))))
        out.append(("pose_rope_tables", pose_rope_tables, (i(b, t), mf(64))))

    def stick_breaking(q, k, v):  # stick-breaking attention: log beta = logsigmoid(z), each key's weight its beta times
        t, d = q.shape[2], q.shape[-1]  # the (1 - beta) of every later key by a reverse cumsum of logsigmoid(-z),
        z = torch.matmul(q, k.transpose(2, 3)).float() / math.sqrt(d)  # strictly causal
        strict = torch.ones(t, t, dtype=torch.bool, device=q.device).tril(-1)
        log_beta = F.logsigmoid(z).masked_fill(~strict, NEG)
        log_1mb = F.logsigmoid(-z).masked_fill(~strict, 0.0)
        rev = log_1mb.flip(-1).cumsum(-1).flip(-1) - log_1mb
        a = torch.exp(log_beta + rev)
        return torch.matmul(a.to(v.dtype), v), 1.0 - a.sum(-1)

    for b, h, t, d in ((1, 32, 2048, 128), (4, 16, 1024, 64)):
        out.append(("stick_breaking_attention", stick_breaking, (m(b, h, t, d), m(b, h, t, d), m(b, h, t, d))))

    def sigmoid_attn(q, k, v):  # Apple's sigmoid attention: sigmoid(qk^T / sqrt(d) - log n), causal, no normaliser
        t, d = q.shape[2], q.shape[-1]
        s = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(d) - math.log(t)
        causal = torch.ones(t, t, dtype=torch.bool, device=q.device).tril()
        a = torch.sigmoid(s).masked_fill(~causal, 0.0)
        return torch.matmul(a, v)

    for b, h, t, d in ((1, 16, 4096, 128), (8, 16, 1024, 64)):
        out.append(("sigmoid_attention", sigmoid_attn, (m(b, h, t, d), m(b, h, t, d), m(b, h, t, d))))

    def softpick(s, eps=1e-6):  # softpick: relu(exp(x - m) - exp(-m)) over the sum of |exp(x - m) - exp(-m)|
        s = s.float()
        mx = s.amax(dim=-1, keepdim=True)
        e = torch.exp(s - mx) - torch.exp(-mx)
        return F.relu(e) / (e.abs().sum(dim=-1, keepdim=True) + eps)

    for shp in ((1, 32, 2048, 2048), (64, 32, 1, 8192)):
        out.append(("softpick", softpick, (m(*shp),)))

    def selective_attn(s):  # selective attention: the first head's relu'd scores, strictly lower, accumulated over the
        t = s.shape[-1]  # queries (shifted by one) and subtracted from every head's scores before the causal softmax
        strict = torch.ones(t, t, dtype=torch.bool, device=s.device).tril(-1)
        sel = F.relu(s[:, 0]).masked_fill(~strict, 0.0)
        f = torch.roll(sel, 1, dims=-2)
        f[:, 0] = 0.0
        f = torch.cumsum(f, dim=-2)
        s = s - f[:, None]
        causal = torch.ones(t, t, dtype=torch.bool, device=s.device).tril()
        return torch.softmax(s.masked_fill(~causal, NEG), dim=-1)

    for shp in ((4, 12, 1024, 1024), (1, 16, 2048, 2048)):
        out.append(("selective_attention", selective_attn, (mf(*shp),)))

    def mta(q, k, v, w_kq, w_head, cq=6, ck=11):  # multi-token attention: the scores, future zeroed, a grouped conv2d
        b, h, t, d = q.shape  # over (query, key) per head with causal query padding, masked again, softmax, the head
        s = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(d)  # mixing over groups of 2 heads by a 1 x 1 conv
        causal = torch.ones(t, t, dtype=torch.bool, device=q.device).tril()
        s = s.masked_fill(~causal, 0.0)
        s = F.conv2d(F.pad(s, (ck // 2, ck // 2, cq - 1, 0)), w_kq, groups=h)
        s = s.masked_fill(~causal, NEG)
        p = torch.softmax(s.float(), dim=-1).to(q.dtype)
        p = F.conv2d(p, w_head, groups=h // 2)
        return torch.matmul(p, v)

    for b, h, t in ((1, 16, 2048), (2, 24, 1024)):
        out.append(("multi_token_attention", mta,
                    (m(b, h, t, 64), m(b, h, t, 64), m(b, h, t, 64), m(h, 1, 6, 11), m(h, 2, 1, 1))))

    def fox_attn(q, k, v, x, wf, bf):  # the Forgetting Transformer: per-head forget gates logsigmoid(x wf + b), their
        t, d = q.shape[2], q.shape[-1]  # cumsum, the bias c_i - c_j added to the scores, causal softmax
        logf = F.logsigmoid(F.linear(x, wf, bf).float()).transpose(1, 2)
        c = torch.cumsum(logf, dim=-1)
        bias = c[..., :, None] - c[..., None, :]
        s = torch.matmul(q, k.transpose(2, 3)).float() / math.sqrt(d) + bias
        causal = torch.ones(t, t, dtype=torch.bool, device=q.device).tril()
        p = torch.softmax(s.masked_fill(~causal, NEG), dim=-1)
        return torch.matmul(p.to(v.dtype), v)

    for b, t, hid, h in ((1, 2048, 2048, 16), (4, 1024, 1536, 24)):
        d = hid // h
        out.append(("forgetting_transformer_attention", fox_attn,
                    (m(b, h, t, d), m(b, h, t, d), m(b, h, t, d), m(b, t, hid), m(h, hid), m(h))))

    def splitkv_merge(o, lse):  # flash-decoding's split-KV combine in torch: the splits' partial outputs weighted by
        g = torch.logsumexp(lse, dim=0)  # exp(lse_i - lse), summed, cast
        w = torch.exp(lse - g.unsqueeze(0)).unsqueeze(-1)
        return (o * w).sum(0).to(torch.bfloat16), g

    for s, b, h in ((8, 32, 32), (16, 1, 32)):
        out.append(("splitkv_lse_merge", splitkv_merge, (mf(s, b, h, 128), mf(s, b, h))))

    def ring_merge(o, lse, bo, blse):  # ring attention's update with a block's result (ring-flash-attention's
        blse = blse.transpose(-2, -1).unsqueeze(-1)  # _update_out_and_lse): out - sigmoid(block_lse - lse) *
        o = o - F.sigmoid(blse - lse) * (o - bo)  # (out - block_out), lse - logsigmoid(lse - block_lse)
        lse = lse - F.logsigmoid(lse - blse)
        return o, lse

    for b, t, h in ((1, 8192, 32), (1, 32768, 8)):
        out.append(("ring_attention_merge", ring_merge, (mf(b, t, h, 128), mf(b, t, h, 1), m(b, t, h, 128),
                                                         mf(b, h, t))))

    def beacon_interleave(x, beacon, chunk=1024, ratio=8):  # Activation Beacon: each chunk's tokens followed by its
        b, t, d = x.shape  # chunk / ratio beacon embeddings (cat of views), the beacons' rows kept after the layer
        n = t // chunk
        nb = chunk // ratio
        xs = x.view(b, n, chunk, d)
        bc = beacon.view(1, 1, 1, d).expand(b, n, nb, d)
        y = torch.cat([xs, bc], dim=2).reshape(b, n * (chunk + nb), d)
        return y, y.view(b, n, chunk + nb, d)[:, :, chunk:].reshape(b, n * nb, d)

    for b, t, d, ch, r in ((1, 16384, 4096, 1024, 8), (4, 8192, 4096, 2048, 16)):
        out.append(("activation_beacon_interleave", P(beacon_interleave, chunk=ch, ratio=r), (m(b, t, d), m(d))))

    def cepe_cross(h, enc, wq, wk, wv, wo, nh=32):  # CEPE: the context's chunks encoded in parallel (folded in the
        b, t, d = h.shape  # batch), the decoder's queries cross-attending over every chunk's states (no mask)
        n = enc.shape[0] // b
        e = enc.reshape(b, n * enc.shape[1], -1)
        q = F.linear(h, wq).view(b, t, nh, -1).transpose(1, 2)
        k = F.linear(e, wk).view(b, e.shape[1], nh, -1).transpose(1, 2)
        v = F.linear(e, wv).view(b, e.shape[1], nh, -1).transpose(1, 2)
        o = F.scaled_dot_product_attention(q, k, v)
        return F.linear(o.transpose(1, 2).reshape(b, t, d), wo)

    for b, t, n, cl in ((1, 2048, 64, 256), (4, 512, 16, 256)):
        out.append(("cepe_chunk_cross_attention", cepe_cross,
                    (m(b, t, 4096), m(b * n, cl, 1024), m(4096, 4096), m(4096, 1024), m(4096, 1024), m(4096, 4096))))

    # ================================================================== KV-cache compression
    def kvquant_keys(k, thresh, lut):  # KVQuant's pre-RoPE keys: per-channel outliers above the calibrated threshold
        kf = k.float()  # kept sparse (in place, zeros elsewhere), the dense rest normalised per channel to [-1, 1]
        outlier = kf.abs() > thresh  # over the tokens, each value's nearest of the 16 signposts (argmin), uint8 codes
        dense = kf.masked_fill(outlier, 0.0)
        mn = dense.amin(dim=2, keepdim=True)
        mx = dense.amax(dim=2, keepdim=True)
        norm = (dense - mn) / (mx - mn).clamp(min=1e-6) * 2 - 1
        codes = (norm.unsqueeze(-1) - lut.view(1, -1, 1, k.shape[-1], 16)).abs().argmin(-1).to(torch.uint8)
        return codes, mn, mx, torch.where(outlier, kf, 0.0).to(k.dtype)

    def kvquant_values(v, lut, frac=0.01):  # its per-token values: outliers as each token's top 1 % by magnitude,
        vf = v.float()  # scattered into a sparse buffer, the rest normalised per token and coded
        n = max(1, int(v.shape[-1] * frac))
        top = vf.abs().topk(n, dim=-1).indices
        sparse = torch.zeros_like(vf).scatter_(-1, top, vf.gather(-1, top))
        dense = vf - sparse
        mn = dense.amin(dim=-1, keepdim=True)
        mx = dense.amax(dim=-1, keepdim=True)
        norm = (dense - mn) / (mx - mn).clamp(min=1e-6) * 2 - 1
        codes = (norm.unsqueeze(-1) - lut).abs().argmin(-1).to(torch.uint8)
        return codes, mn, mx, sparse

    def kvquant_dequant(codes, lut, mn, mx, sparse):  # lookup dequantisation: the codes gathered from the
        d = codes.shape[-1]  # per-channel tables, scaled back, the sparse outliers added
        tab = lut.view(1, -1, 1, d, 16).expand(*codes.shape, 16)
        vals = tab.gather(-1, codes.long().unsqueeze(-1)).squeeze(-1)
        return ((vals + 1) / 2 * (mx - mn) + mn + sparse.float()).to(torch.float16)

    for b, h, t in ((1, 32, 4096), (1, 8, 16384)):
        out.append(("kvquant_keys", kvquant_keys, (mh(b, h, t, 128), mf(1, h, 1, 128), mf(h, 128, 16))))
        out.append(("kvquant_values", kvquant_values, (mh(b, h, t, 128), mf(16))))
        out.append(("kvquant_dequant", kvquant_dequant, (mu8(b, h, t, 128), mf(h, 128, 16), mf(b, h, 1, 128),
                                                          mf(b, h, 1, 128), mh(b, h, t, 128))))

    def gear_compress(kv, rank=4, s=0.02, iters=2):  # GEAR: each head's top 2 % entries by magnitude kept sparse, the
        bh, t, d = kv.shape  # rest quantised to 4 bits per token, the quantisation residual's low-rank part by a
        flat = kv.float().reshape(bh, -1)  # power iteration (matmuls and a reduced QR)
        n = int(flat.shape[1] * s)
        idx = flat.abs().topk(n, dim=1).indices
        sparse = torch.zeros_like(flat).scatter_(1, idx, flat.gather(1, idx))
        dense = (flat - sparse).view(bh, t, d)
        mn = dense.amin(-1, keepdim=True)
        scale = (dense.amax(-1, keepdim=True) - mn) / 15
        q = ((dense - mn) / scale).round_().clamp_(0, 15)
        r = dense - (q * scale + mn)
        p = torch.randn(bh, d, rank, device=kv.device)
        for _ in range(iters):
            u = torch.linalg.qr(torch.bmm(r, p)).Q
            p = torch.bmm(r.transpose(1, 2), u)
        return q.to(torch.uint8), scale, mn, u, p, sparse

    for bh, t in ((32, 4096), (256, 1024)):
        out.append(("gear_compress", gear_compress, (mh(bh, t, 128),)))

    def minicache_merge(x1, x2, t_=0.6, keep=0.05):  # MiniCache: two adjacent layers' states SLERPed token by token on
        n1 = x1.float().norm(dim=-1, keepdim=True)  # their directions, the magnitudes kept per layer, the tokens of
        n2 = x2.float().norm(dim=-1, keepdim=True)  # largest angle retained unmerged (topk and gathers)
        u1, u2 = x1.float() / n1, x2.float() / n2
        om = torch.acos((u1 * u2).sum(-1, keepdim=True).clamp(-1 + 1e-6, 1 - 1e-6))
        so = torch.sin(om)
        e = torch.sin((1 - t_) * om) / so * u1 + torch.sin(t_ * om) / so * u2
        nk = max(1, int(x1.shape[2] * keep))
        idx = om.squeeze(-1).topk(nk, dim=-1).indices
        g = idx.unsqueeze(-1).expand(-1, -1, -1, x1.shape[-1])
        return e.to(x1.dtype), n1, n2, idx, x1.gather(2, g), x2.gather(2, g)

    for b, h, t in ((1, 8, 8192), (8, 8, 2048)):
        out.append(("minicache_slerp_merge", minicache_merge, (m(b, h, t, 128), m(b, h, t, 128))))

    def minicache_restore(e, n, kept, idx):  # its restore: the merged direction times a layer's magnitude, the retained
        x = (e.float() * n).to(e.dtype)  # tokens scattered back
        return x.scatter(2, idx.unsqueeze(-1).expand(-1, -1, -1, e.shape[-1]), kept)

    for b, h, t in ((1, 8, 8192), (8, 8, 2048)):
        out.append(("minicache_restore", minicache_restore, (m(b, h, t, 128), mf(b, h, t, 1), m(b, h, t // 20, 128),
                                                             i(b, h, t // 20))))

    def palu_latent(x, a_k, a_v):  # Palu's low-rank KV: the hidden state projected to per-group latents (cached)
        return F.linear(x, a_k), F.linear(x, a_v)

    def palu_decode(q, lat_k, lat_v, b_k, b_v, groups=4):  # its decode: the key reconstruction fused into the query
        b, h, _, d = q.shape  # (q B_k per head group), scores over the latents, values reconstructed after the
        g = groups  # probabilities
        r = lat_k.shape[-1] // g
        qg = q.view(b, g, h // g, d)
        bk = b_k.view(g, h // g, d, r)
        qb = torch.einsum("bghd,ghdr->bghr", qg, bk)
        lk = lat_k.view(b, -1, g, r).transpose(1, 2)
        s = torch.einsum("bghr,bgtr->bght", qb, lk) / math.sqrt(d)
        p = torch.softmax(s.float(), dim=-1).to(q.dtype)
        lv = lat_v.view(b, -1, g, r).transpose(1, 2)
        o = torch.einsum("bght,bgtr->bghr", p, lv)
        return torch.einsum("bghr,ghdr->bghd", o, b_v.view(g, h // g, d, r)).reshape(b, h * d)

    # Llama-2-7B at 50 % compression (latent 1024 of 4096 per K and V in 4 groups); Llama-3-8B (GQA: latents over the
    # 1024-wide KV) at 30 %
    for b, t, hid, lat in ((1, 4096, 4096, 1024), (16, 1, 4096, 1024), (1, 8192, 4096, 384)):
        out.append(("palu_latent_proj", palu_latent, (m(b, t, hid), m(lat, hid), m(lat, hid))))
    for b, t, lat, h in ((16, 4096, 1024, 32), (64, 2048, 1024, 32)):
        out.append(("palu_decode", palu_decode, (m(b, h, 1, 128), m(b, t, lat), m(b, t, lat), m(h * 128, lat // 4),
                                                 m(h * 128, lat // 4))))

    def zipcache_saliency(q, k, ratio=0.4):  # ZipCache: the probe queries' attention summed per key and normalised by
        t, d = k.shape[2], k.shape[-1]  # the number of queries that see it (causal), the top 40 % salient tokens
        nq = q.shape[2]  # kept in high precision, the split by a scattered bool mask
        s = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(d)
        qpos = torch.arange(t - nq, t, device=q.device)
        s = s.masked_fill(torch.arange(t, device=q.device)[None, :] > qpos[:, None], NEG)
        p = torch.softmax(s.float(), dim=-1)
        cnt = (qpos[:, None] >= torch.arange(t, device=q.device)[None, :]).sum(0).clamp(min=1)
        sal = p.sum(-2) / cnt
        n = int(t * ratio)
        idx = sal.topk(n, dim=-1).indices
        hi = torch.zeros_like(sal, dtype=torch.bool).scatter_(-1, idx, True)
        return sal, hi

    for b, h, t, nq in ((1, 32, 4096, 256), (4, 8, 8192, 128)):
        out.append(("zipcache_saliency", zipcache_saliency, (m(b, h, nq, 128), m(b, h, t, 128))))

    def zipcache_mixed(k, hi):  # its mixed precision: salient tokens to 4 bits, the rest to 2, per-channel scales
        kf = k.float()
        mn = kf.amin(dim=2, keepdim=True)
        rng = kf.amax(dim=2, keepdim=True) - mn
        levels = torch.where(hi.unsqueeze(-1), 15.0, 3.0)
        q = ((kf - mn) / rng * levels).round()
        return (q / levels * rng + mn).to(k.dtype)

    for b, h, t in ((1, 32, 4096), (4, 8, 8192)):
        out.append(("zipcache_mixed_precision", zipcache_mixed, (m(b, h, t, 128), mb(b, h, t))))

    def keyformer_scores(s, acc, tau=1.0, recent=256, keep=1024):  # Keyformer: Gumbel noise added to the decode step's
        u = torch.rand_like(s).clamp_(1e-10, 1.0)  # logits, a tempered softmax, the score accumulated, the top keys
        g = -torch.log(-torch.log(u))  # outside the recent window kept
        p = torch.softmax((s + g) / tau, dim=-1)
        acc = acc + p
        t = s.shape[-1]
        cand = acc[..., : t - recent]
        return acc, cand.topk(keep - recent, dim=-1).indices

    for b, h, t in ((8, 32, 4096), (32, 32, 2048)):
        out.append(("keyformer_gumbel_scores", keyformer_scores, (mf(b, h, t), mf(b, h, t))))

    def think_prune(q_win, k, ratio=0.4):  # ThinK: each key channel's score ||q_c|| * ||k_c|| over the observation
        qn = q_win.float().norm(dim=2)  # window and the cache, the top channels kept per head (gather)
        kn = k.float().norm(dim=2)
        score = qn * kn
        n = int(k.shape[-1] * (1 - ratio))
        idx = score.topk(n, dim=-1).indices.sort(dim=-1).values
        return k.gather(-1, idx.unsqueeze(2).expand(-1, -1, k.shape[2], -1)), idx

    for b, h, t, w in ((1, 8, 16384, 32), (4, 8, 4096, 32)):
        out.append(("think_key_channel_prune", think_prune, (m(b, h, w, 128), m(b, h, t, 128))))

    def think_decode(q, k_pruned, idx):  # its decode: the query's kept channels gathered before the scores
        qs = q.gather(-1, idx.unsqueeze(2))
        return torch.matmul(qs, k_pruned.transpose(2, 3)) / math.sqrt(128)

    for b, h, t in ((16, 8, 4096), (1, 8, 32768)):
        out.append(("think_decode_scores", think_decode, (m(b, h, 1, 128), m(b, h, t, 76), i(b, h, 76))))

    def cake_budget(p, tau1=1.0, tau2=1.0, gamma=200.0):  # CAKE: a layer's spatial dispersion (the entropy of the
        ent = -(p * torch.log(p + 1e-10)).sum(-1).mean()  # window's attention) and temporal shift (its variance over
        var = p.var(dim=-2).sum(-1).mean()  # queries) into the layer's preference; the eviction indicator per key,
        pref = ent ** (1 / tau1) * var ** (1 / tau2)  # mean plus gamma times the variance over the window's queries
        ind = p.mean(dim=-2) + gamma * p.var(dim=-2)
        return pref, ind

    for b, h, w, t in ((1, 32, 32, 8192), (1, 32, 64, 32768)):
        out.append(("cake_layer_budget", cake_budget, (mf(b, h, w, t),)))

    def squeeze_layer_sim(h_in, h_out):  # SqueezeAttention: the cosine similarity of the attention block's input and
        return F.cosine_similarity(h_in.float(), h_out.float(), dim=-1).mean(dim=-1)  # output per token, averaged

    for b, t, hid in ((1, 8192, 4096), (8, 2048, 5120)):
        out.append(("squeezeattention_layer_cosine", squeeze_layer_sim, (m(b, t, hid), m(b, t, hid))))

    def cacheblend(k_new, k_cached, v_new, v_cached, ratio=0.15):  # CacheBlend: each token's KV deviation between the
        dev = (k_new.float() - k_cached.float()).pow(2).sum(dim=(1, 3))  # recomputed and reused cache, the top 15 %
        n = int(k_new.shape[2] * ratio)  # tokens selected, their recomputed K and V written over the reused cache
        idx = dev.topk(n, dim=-1).indices[0]
        kc = k_cached.index_copy(2, idx, k_new.index_select(2, idx))
        vc = v_cached.index_copy(2, idx, v_new.index_select(2, idx))
        return kc, vc

    for t, hk in ((4096, 8), (16384, 8)):
        out.append(("cacheblend_selective_recompute", cacheblend,
                    (m(1, hk, t, 128), m(1, hk, t, 128), m(1, hk, t, 128), m(1, hk, t, 128))))

    # ================================================================== decoding acceleration
    def prompt_lookup(ids, n=3, k=10):  # transformers' prompt-lookup decoding: the last n-gram matched against every
        b, t = ids.shape  # window of the prompt (unfold, all), the latest match by an argmax over weighted matches,
        ngram = ids[:, -n:]  # the k tokens after it gathered as the candidates
        win = ids.unfold(1, n, 1)[:, :-1]
        match = (win == ngram.unsqueeze(1)).all(dim=2)
        pos = torch.arange(match.shape[1], device=ids.device)
        last = (match * (pos + 1)).argmax(dim=1)
        start = (last + n).clamp(max=t - k)
        cand = ids.gather(1, start[:, None] + torch.arange(k, device=ids.device)[None, :])
        return cand, match.any(dim=1)

    for b, t, n, k in ((1, 4096, 3, 10), (32, 8192, 3, 5)):
        out.append(("prompt_lookup_candidates", P(prompt_lookup, n=n, k=k), (i(b, t),)))

    def hydra_heads(h, emb, w1, w2, lm, heads=3):  # Hydra: each draft head's MLP over the hidden state concatenated
        tok = F.linear(h, lm).argmax(dim=-1)  # with the embedding of the previous head's token, a residual SiLU
        outs = []  # block, the shared LM head, greedy
        x = h
        for j in range(heads):
            z = torch.cat([x, F.embedding(tok, emb)], dim=-1)
            x = x + F.silu(F.linear(z, w1[j]))
            x = F.linear(x, w2[j]) + x
            tok = F.linear(x, lm).argmax(dim=-1)
            outs.append(tok)
        return torch.stack(outs, dim=-1)

    for b, hid, v in ((1, 4096, 32000), (16, 4096, 32000)):
        out.append(("hydra_draft_heads", hydra_heads,
                    (mh(b, hid), mh(v, hid), mh(3, hid, 2 * hid), mh(3, hid, hid), mh(v, hid))))

    def calm_softmax_conf(h, norm_w, lm, thresh=0.9):  # CALM's softmax confidence at an intermediate layer: the final
        x = F.rms_norm(h, (h.shape[-1],), norm_w, 1e-6)  # norm and LM head, the top-2 gap, the exit mask
        p = torch.softmax(F.linear(x, lm).float(), dim=-1)
        top2 = p.topk(2, dim=-1).values
        conf = top2[..., 0] - top2[..., 1]
        return conf, conf > thresh

    def calm_state_conf(h_prev, h_cur, thresh=0.95):  # CALM's state-propagation confidence: cosine of consecutive
        c = F.cosine_similarity(h_prev.float(), h_cur.float(), dim=-1)  # layers' states
        return c, c > thresh

    for b, hid, v in ((1, 4096, 128256), (8, 3584, 152064)):
        out.append(("calm_softmax_confidence", calm_softmax_conf, (m(b, 1, hid), m(hid), m(v, hid))))
    for b, hid in ((32, 4096), (256, 5120)):
        out.append(("calm_state_confidence", calm_state_conf, (m(b, 1, hid), m(b, 1, hid))))

    def layerskip_verify(h_early, h_full, norm_w, lm, draft):  # LayerSkip: the early exit's drafts from the shared
        xe = F.rms_norm(h_early, (h_early.shape[-1],), norm_w, 1e-5)  # norm and head, the full model's greedy tokens
        xf = F.rms_norm(h_full, (h_full.shape[-1],), norm_w, 1e-5)  # over the drafted positions, accepted lengths by
        d_tok = F.linear(xe, lm).argmax(-1)  # cumprod of matches
        f_tok = F.linear(xf, lm).argmax(-1)
        ok = (f_tok[:, :-1] == draft).int().cumprod(dim=-1)
        return d_tok, f_tok, ok.sum(-1)

    for b, k, hid, v in ((1, 6, 4096, 128256), (8, 4, 4096, 128256)):
        out.append(("layerskip_early_exit_verify", layerskip_verify,
                    (m(b, k + 1, hid), m(b, k + 1, hid), m(hid), m(v, hid), i(b, k))))

    def bild_policy(small_logits, large_logits, tokens, fb=0.6, rb=2.0):  # BiLD: fall back to the large model when the
        ps = torch.softmax(small_logits.float(), dim=-1)  # small one's top probability drops under a threshold; roll
        fallback = ps.amax(-1) < fb  # back from the first drafted token whose cross-entropy under the large model
        lp = F.log_softmax(large_logits.float(), dim=-1)  # passes another
        ce = -lp.gather(-1, tokens.unsqueeze(-1)).squeeze(-1)
        bad = (ce > rb).int()
        first = torch.where(bad.any(-1), bad.argmax(-1), torch.full_like(bad[:, 0], tokens.shape[1]))
        return fallback, first

    for b, k, v in ((1, 10, 32000), (8, 8, 128256)):
        out.append(("bild_fallback_rollback", bild_policy, (m(b, k, v), m(b, k, v), i(b, k))))

    def distill_losses(s_logits, t_logits, mask):  # DistillSpec's divergences per token: total variation, forward and
        ps = torch.softmax(s_logits.float(), dim=-1)  # reverse KL, masked means
        pt = torch.softmax(t_logits.float(), dim=-1)
        ls = F.log_softmax(s_logits.float(), dim=-1)
        lt = F.log_softmax(t_logits.float(), dim=-1)
        tvd = 0.5 * (ps - pt).abs().sum(-1)
        fkl = (pt * (lt - ls)).sum(-1)
        rkl = (ps * (ls - lt)).sum(-1)
        mf_ = mask.float()
        return [(x * mf_).sum() / mf_.sum() for x in (tvd, fkl, rkl)]

    for b, t, v in ((4, 512, 32000), (1, 1024, 128256)):
        out.append(("distillspec_divergences", distill_losses, (m(b, t, v), m(b, t, v), mb(b, t))))

    # ================================================================== test-time scaling
    def deepconf(logits, k=20):  # DeepConf's token confidence: minus the mean of the top-k log-probs at each step of
        lp = F.log_softmax(logits.float(), dim=-1)  # the traces decoded side by side
        return -lp.topk(k, dim=-1).values.mean(-1)

    for n, v in ((64, 151936), (512, 151936)):
        out.append(("deepconf_token_confidence", deepconf, (m(n, v),)))

    def deepconf_groups(conf, group=2048, tail=2048):  # its group confidences over sliding windows (avg_pool1d), the
        # lowest group, the tail's and the bottom 10 % groups' means
        g = F.avg_pool1d(conf.unsqueeze(1), group, stride=1).squeeze(1)
        lowest = g.amin(dim=-1)
        tail_c = conf[:, -tail:].mean(-1)
        nb = max(1, int(g.shape[-1] * 0.1))
        bottom = g.topk(nb, dim=-1, largest=False).values.mean(-1)
        return lowest, tail_c, bottom

    for n, t, grp in ((512, 16384, 2048), (64, 32768, 2048)):
        out.append(("deepconf_group_confidence", P(deepconf_groups, group=grp), (mf(n, t),)))

    def deepconf_filter(lowest, answers, n_ans=64, keep=0.1):  # its filtered vote: the most confident 10 % of traces by
        nk = max(1, int(lowest.shape[-1] * keep))  # their lowest group confidence, votes weighted by it
        top = lowest.topk(nk, dim=-1)
        a = answers.gather(-1, top.indices)
        votes = torch.zeros(lowest.shape[0], n_ans, device=lowest.device).scatter_add_(1, a, top.values)
        return votes.argmax(-1)

    for q, n in ((30, 512), (500, 64)):
        out.append(("deepconf_filtered_vote", deepconf_filter, (mf(q, n), i(q, n))))

    def self_certainty(logits, mask):  # self-certainty: the KL of uniform from each token's distribution,
        lp = F.log_softmax(logits.float(), dim=-1)  # -mean(log p) - log V, averaged over the response's tokens
        sc = -lp.mean(-1) - math.log(logits.shape[-1])
        return (sc * mask).sum(-1) / mask.sum(-1)

    for b, t, v in ((2, 512, 151936), (32, 256, 32000)):
        out.append(("self_certainty", self_certainty, (m(b, t, v), mf(b, t))))

    def prm_steps(h, lm, tag_pos, good=648, bad=387):  # Math-Shepherd's PRM: the logits at each step tag, the '+' /
        b = h.shape[0]  # '-' columns, softmax over the two, the '+' probability per step, aggregated by min,
        hs = h[torch.arange(b, device=h.device)[:, None], tag_pos]  # product and last
        logits = F.linear(hs, lm)
        two = torch.stack([logits[..., good], logits[..., bad]], dim=-1).float()
        s = two.softmax(-1)[..., 0]
        return s.amin(-1), s.prod(-1), s[:, -1]

    for b, t, n, hid, v in ((16, 2048, 16, 4096, 32000), (8, 4096, 32, 3584, 152064)):
        out.append(("prm_step_scores", prm_steps, (m(b, t, hid), m(v, hid), i(b, n))))

    def weighted_vote(answers, rewards, n_ans=128):  # weighted majority vote: each sample's reward scattered into its
        q = answers.shape[0]  # answer cluster (scatter_add_), the winning cluster; best-of-N by the reward's argmax
        votes = torch.zeros(q, n_ans, device=answers.device).scatter_add_(1, answers, rewards)
        counts = torch.zeros(q, n_ans, device=answers.device).scatter_add_(1, answers, torch.ones_like(rewards))
        bon = rewards.argmax(dim=-1)
        return votes.argmax(-1), counts.argmax(-1), answers.gather(1, bon[:, None])

    for q, n in ((500, 64), (30, 1024)):
        out.append(("weighted_majority_vote", weighted_vote, (i(q, n), mf(q, n))))

    def geval_score(logits, score_ids):  # G-Eval: the probabilities of the score tokens '1'..'5' at the rating
        p = torch.softmax(logits.float(), dim=-1)  # position, renormalised, the expected score
        ps = p.index_select(-1, score_ids)
        ps = ps / ps.sum(-1, keepdim=True)
        return (ps * torch.arange(1, ps.shape[-1] + 1, device=logits.device)).sum(-1)

    for b, v in ((256, 128256), (1024, 32000)):
        out.append(("geval_weighted_score", geval_score, (m(b, v), i(5))))

    def semantic_entropy(seq_lp, clusters, n_cl=16):  # semantic entropy: the samples' sequence log-probs, their exps
        p = torch.exp(seq_lp)  # summed per meaning cluster by scatter_add_, normalised, the entropy
        pc = torch.zeros(seq_lp.shape[0], n_cl, device=p.device).scatter_add_(1, clusters, p)
        pc = pc / pc.sum(-1, keepdim=True)
        return -(pc * torch.log(pc.clamp(min=1e-12))).sum(-1)

    for q, n in ((1000, 10), (8192, 20)):
        out.append(("semantic_entropy", semantic_entropy, (mf(q, n), i(q, n))))

    def armorm(h, w_reg, gate1, gate2, transform, shift=0.0):  # ArmoRM: 19 objective rewards by a regression head on
        last = h[:, -1]  # the last token, a gating MLP's softmax over them, the transformed rewards weighted
        rewards = F.linear(last, w_reg).float()
        g = torch.softmax(F.linear(F.relu(F.linear(last, gate1)), gate2).float(), dim=-1)
        return ((rewards @ transform) * g).sum(-1) + shift

    for b, t in ((64, 1024), (256, 512)):
        out.append(("armorm_gated_reward", armorm, (m(b, t, 4096), m(19, 4096), m(1024, 4096), m(10, 1024),
                                                    mf(19, 10))))

    # ================================================================== model merging
    def task_arithmetic(base, fts, lam=0.3):  # task arithmetic: the task vectors (fine-tuned minus base) summed and
        tv = (fts.float() - base.float().unsqueeze(0)).sum(0)  # scaled onto the base
        return (base.float() + lam * tv).to(base.dtype)

    for n, o, ii in ((3, 4096, 4096), (4, 14336, 4096)):
        out.append(("task_arithmetic_merge", task_arithmetic, (m(o, ii), m(n, o, ii))))

    def ties_trim(tv, density=0.2):  # mergekit's magnitude sparsification (TIES' trim): the top density of each task
        n, numel = tv.shape  # vector's entries by |x| (argsort, the first k), a scattered mask
        k = int(density * numel)
        top = torch.argsort(tv.abs(), dim=1, descending=True)[:, :k]
        mask = torch.zeros_like(tv).scatter_(1, top, 1.0)
        return tv * mask

    def ties_elect(tv):  # TIES' sign election by the summed mass and the disjoint mean of the agreeing entries
        sign = torch.where(tv.sum(0) >= 0, 1.0, -1.0).to(tv.dtype)
        agree = (tv.sign() == sign.unsqueeze(0)).to(tv.dtype)
        return (tv * agree).sum(0) / agree.sum(0).clamp(min=1)

    for n, numel in ((3, 4096 * 1024), (4, 4096 * 4096)):
        out.append(("ties_magnitude_trim", ties_trim, (mf(n, numel),)))
    for n, o, ii in ((3, 4096, 4096), (4, 14336, 4096)):
        out.append(("ties_sign_elect_merge", ties_elect, (mf(n, o, ii),)))

    def dare(tv, density=0.1):  # mergekit's DARE: a Bernoulli keep mask at the density, the kept entries rescaled
        mask = torch.bernoulli(torch.full_like(tv, density))
        return tv * mask / density

    for shp, dt in (((4096, 4096), torch.bfloat16), ((3, 4096, 4096), torch.float32)):
        out.append(("dare_drop_rescale", dare, (m(*shp, dt=dt),)))

    def slerp_tensors(v0, v1, t=0.5, eps=1e-8):  # mergekit's slerp of two whole tensors: the normalised copies' dot,
        a, b = v0.float(), v1.float()  # its angle, the sin weights (a lerp where nearly parallel)
        na = a / a.norm().clamp(min=eps)
        nb = b / b.norm().clamp(min=eps)
        dot = (na * nb).sum().clamp(-1.0, 1.0)
        th = torch.arccos(dot)
        s0 = torch.sin((1 - t) * th) / torch.sin(th)
        s1 = torch.sin(t * th) / torch.sin(th)
        res = torch.where(dot.abs() > 0.9995, (1 - t) * a + t * b, s0 * a + s1 * b)
        return res.to(v0.dtype)

    for o, ii in ((4096, 4096), (32064, 3072)):
        out.append(("slerp_merge", slerp_tensors, (m(o, ii), m(o, ii))))

    def breadcrumbs(tv, beta=0.01, gamma=0.1):  # Model Breadcrumbs: the outliers (top beta) and the small (bottom
        o, n = tv.shape  # gamma) of each row's magnitudes dropped, thresholds by kthvalue
        a = tv.abs()
        lo = a.kthvalue(max(1, int(gamma * n)), dim=1, keepdim=True).values
        hi = a.kthvalue(int((1 - beta) * n), dim=1, keepdim=True).values
        return tv * ((a >= lo) & (a <= hi))

    for o, n in ((4096, 4096), (14336, 4096)):
        out.append(("model_breadcrumbs_mask", breadcrumbs, (mf(o, n),)))

    def della(tv, density=0.3, eps=0.1):  # DELLA's MagPrune: drop probabilities by magnitude rank (argsort twice),
        n = tv.shape[-1]  # p = p_min + eps * rank / n, Bernoulli keep, kept entries rescaled by 1 / (1 - p)
        rank = torch.argsort(torch.argsort(tv.abs(), dim=-1), dim=-1).float()
        p = (1 - density - eps / 2) + eps * (1 - rank / n)
        keep = torch.rand_like(tv) >= p
        return torch.where(keep, tv / (1 - p), 0.0)

    for o, n in ((4096, 4096), (1024, 14336)):
        out.append(("della_magprune", della, (mf(o, n),)))

    def fisher_merge(params, fishers, eps=1e-8):  # Fisher merging: the models' parameters weighted by their diagonal
        return (params.float() * fishers).sum(0) / (fishers.sum(0) + eps)  # Fishers (squared gradients)

    for n, o, ii in ((2, 4096, 4096), (4, 4096, 1024)):
        out.append(("fisher_merge", fisher_merge, (m(n, o, ii), mf(n, o, ii))))

    def lorahub(a, b, w, base):  # LoraHub: the LoRA modules' A and B weighted by the searched coefficients, the merged
        aa = torch.einsum("n,nri->ri", w, a)  # delta added to the base weight
        bb = torch.einsum("n,nor->or", w, b)
        return base + (bb @ aa)

    for n, r, o, ii in ((20, 16, 4096, 4096), (20, 8, 2048, 2048)):
        out.append(("lorahub_compose", lorahub, (m(n, r, ii), m(n, o, r), m(n), m(o, ii))))

    def model_soup(ws):  # a uniform soup: the ingredients stacked and averaged in fp32
        return torch.stack([w.float() for w in ws]).mean(0).to(ws[0].dtype)

    for n, o, ii in ((4, 4096, 4096), (8, 3584, 3584)):
        out.append(("uniform_model_soup", lambda *ws: model_soup(ws), tuple(m(o, ii) for _ in range(n))))

    # ================================================================== quantisation algorithms
    def gptq_hessian(x, h, nsamples=128):  # GPTQ's add_batch: H scaled by the samples seen, plus 2 X^T X / n (the
        x = x.reshape(-1, x.shape[-1]).t().float()  # inputs in fp32)
        n = x.shape[1]
        h *= nsamples / (nsamples + n)
        x = math.sqrt(2 / (nsamples + n)) * x
        h += x.matmul(x.t())
        return h

    for t, ii in ((2048, 4096), (2048, 14336)):
        out.append(("gptq_add_batch", gptq_hessian, (mh(1, t, ii), mf(ii, ii))))

    def gptq_prepare(h, w, percdamp=0.01):  # its fasterquant preparation: dead columns zeroed, the damping on the
        dead = torch.diag(h) == 0  # diagonal, the Cholesky of the inverse via cholesky, cholesky_inverse and cholesky
        h = h.clone()  # upper
        w = w.float().masked_fill(dead.unsqueeze(0), 0.0)
        damp = percdamp * torch.mean(torch.diag(h))
        diag = torch.arange(h.shape[0], device=h.device)
        h[diag, diag] += damp
        hinv = torch.linalg.cholesky(h)
        hinv = torch.cholesky_inverse(hinv)
        hinv = torch.linalg.cholesky(hinv, upper=True)
        return w, hinv

    for ii, o in ((4096, 4096), (4096, 14336)):
        out.append(("gptq_prepare", gptq_prepare, (mf(ii, ii), mh(o, ii))))

    def gptq_block(w, hinv, scale, zero, blocksize=128, cols=4, maxq=15):  # a block's first columns: each quantised
        w1 = w[:, :blocksize].clone()  # with its group's scale and zero, the error over the Hinv diagonal propagated
        hinv1 = hinv[:blocksize, :blocksize]  # to the block's later columns, then the lazy batch update of the rest
        q1 = torch.zeros_like(w1)
        err1 = torch.zeros_like(w1)
        for j in range(cols):
            wc = w1[:, j]
            d = hinv1[j, j]
            q = torch.clamp(torch.round(wc.unsqueeze(1) / scale) + zero, 0, maxq)
            q = (scale * (q - zero)).flatten()
            q1[:, j] = q
            e = (wc - q) / d
            w1[:, j:] -= e.unsqueeze(1).matmul(hinv1[j, j:].unsqueeze(0))
            err1[:, j] = e
        w[:, blocksize:] -= err1.matmul(hinv[:blocksize, blocksize:])
        return q1, w

    for o, ii in ((4096, 4096), (14336, 4096)):
        out.append(("gptq_block_columns", gptq_block, (mf(o, ii), mf(ii, ii), mf(o, 1), mf(o, 1))))

    def awq_pseudo_quant(w, group=128, bits=4):  # AutoAWQ's pseudo_quantize_tensor: per-group asymmetric min / max
        shp = w.shape  # scales and zeros, round, clamp, dequantise
        w = w.reshape(-1, group)
        mx, mn = w.amax(dim=1, keepdim=True), w.amin(dim=1, keepdim=True)
        maxi = 2 ** bits - 1
        scales = (mx - mn).clamp(min=1e-5) / maxi
        zeros = (-torch.round(mn / scales)).clamp_(0, maxi)
        w = (torch.clamp(torch.round(w / scales) + zeros, 0, maxi) - zeros) * scales
        return w.reshape(shp)

    def awq_scale_step(x, w, fp_out, ratio=0.5):  # its scale search at one ratio: the activations' per-channel mean
        x_max = x.abs().view(-1, x.shape[-1]).float().mean(0)  # magnitude to the ratio, normalised, the weight
        scales = x_max.pow(ratio).clamp(min=1e-4).view(-1)  # scaled, pseudo-quantised and unscaled, the block's
        scales = scales / (scales.max() * scales.min()).sqrt()  # output and its loss
        wq = awq_pseudo_quant(w * scales.view(1, -1).to(w.dtype)) / scales.view(1, -1).to(w.dtype)
        o = F.linear(x, wq)
        return (fp_out - o).float().pow(2).mean()

    for t, ii, o in ((4096, 4096, 4096), (4096, 4096, 14336)):
        out.append(("awq_scale_search_step", awq_scale_step, (mh(1, t, ii), mh(o, ii), mh(1, t, o))))

    def awq_clip_step(x, w, org_out, frac=0.5, group=128):  # its clip search at one shrink: the max shrunk, weights
        org_max = w.abs().amax(dim=-1, keepdim=True)  # clamped and pseudo-quantised, the per-group outputs over the
        mx = org_max * (1 - frac)  # sampled tokens (broadcast products summed over the group), the error
        cur = torch.clamp(w, -mx, mx)
        q = awq_pseudo_quant(cur, group)
        cur_out = (x * q).sum(dim=-1)
        return (cur_out - org_out).pow(2).mean(dim=1).view(-1)

    for oc, n, ng in ((64, 512, 32), (64, 512, 112)):
        out.append(("awq_clip_search_step", awq_clip_step,
                    (mh(1, n, ng, 128), mh(oc, 1, ng, 128), mh(oc, n, ng))))

    def squeezellm_dequant(codes, lut, x):  # SqueezeLLM: each output channel's 16-entry table, the 4-bit codes looked
        w = torch.gather(lut, 1, codes.long())  # up by gather, the dense weight's linear
        return F.linear(x, w)

    for o, ii, t in ((4096, 4096, 1), (14336, 4096, 16)):
        out.append(("squeezellm_lut_dequant", squeezellm_dequant, (mu8(o, ii), mh(o, 16), mh(1, t, ii))))

    def omniquant_lwc(w, up, low, group=128, bits=4):  # OmniQuant's learnable weight clipping: sigmoid-scaled group max
        wg = w.reshape(-1, group)  # and min, the asymmetric fake quantisation with a straight-through round
        xmax = torch.sigmoid(up) * wg.amax(dim=-1, keepdim=True)
        xmin = torch.sigmoid(low) * wg.amin(dim=-1, keepdim=True)
        scale = ((xmax - xmin) / (2 ** bits - 1)).clamp(min=1e-5)
        zero = -(xmin / scale)
        rz = (zero.round() - zero).detach() + zero
        xi = wg / scale
        q = ((xi.round() - xi).detach() + xi + rz).clamp(0, 2 ** bits - 1)
        return ((q - rz) * scale).reshape(w.shape)

    for o, ii in ((4096, 4096), (11008, 4096)):
        out.append(("omniquant_lwc_fake_quant", omniquant_lwc,
                    (mf(o, ii), mf(o * ii // 128, 1), mf(o * ii // 128, 1))))

    def qserve_dequant(q4, s2, z, s1):  # QServe's progressive dequantisation: the 4-bit codes minus their group zero
        w8 = ((q4.to(torch.int16) - z.to(torch.int16)) * s2.to(torch.int16)).to(torch.int8)  # times the int8 group
        return w8.to(torch.float16) * s1  # scale back to int8, then the per-channel fp16 scale

    def qserve_quant(w, group=128):  # its quantisation: symmetric per-channel int8, then asymmetric uint4 groups
        s1 = w.abs().amax(dim=1, keepdim=True) / 127  # within the int8 range
        w8 = torch.round(w / s1).clamp(-127, 127)
        g = w8.view(w.shape[0], -1, group)
        mx, mn = g.amax(-1, keepdim=True), g.amin(-1, keepdim=True)
        s2 = torch.ceil((mx - mn) / 15).clamp(min=1)
        z = torch.round(-mn / s2)
        q4 = torch.round(g / s2 + z).clamp(0, 15)
        return q4.to(torch.uint8), s2.to(torch.int8), z.to(torch.uint8), s1.to(torch.float16)

    for o, ii in ((4096, 4096), (14336, 4096)):
        out.append(("qserve_progressive_quant", qserve_quant, (mh(o, ii),)))
        out.append(("qserve_progressive_dequant", qserve_dequant,
                    (mu8(o, ii // 128, 128), mi8(o, ii // 128, 1), mu8(o, ii // 128, 1), mh(o, 1, 1))))

    def atom_act_quant(x, perm, n_out=128, group=128):  # Atom: the channels reordered (outliers last) by index_select,
        x = x.index_select(-1, perm)  # the outlier channels to int8 per token, the rest to int4 per group of 128
        normal, outl = x[..., :-n_out], x[..., -n_out:]
        so = outl.abs().amax(-1, keepdim=True) / 127
        qo = torch.round(outl / so).clamp(-128, 127).to(torch.int8)
        g = normal.reshape(*normal.shape[:-1], -1, group)
        sn = g.abs().amax(-1, keepdim=True) / 7
        qn = torch.round(g / sn).clamp(-8, 7).to(torch.int8)
        return qn, sn, qo, so

    for t, ii in ((2048, 4096), (8192, 4096)):
        out.append(("atom_mixed_act_quant", atom_act_quant, (mh(t, ii), i(ii))))

    def spinquant_had(x, h_big, h_small):  # SpinQuant / QuaRot's online Hadamard before down_proj at a width that is
        shp = x.shape  # not a power of two (14336 = 28 x 512): the 512 factor by a matmul, the 28 one by an einsum,
        n, k = h_small.shape[0], h_big.shape[0]  # scaled
        y = x.reshape(-1, n, k) @ h_big
        y = torch.einsum("ij,bjk->bik", h_small, y)
        return (y / math.sqrt(n * k)).reshape(shp)

    for t, n, k in ((2048, 28, 512), (4096, 172, 64)):
        out.append(("spinquant_online_hadamard", spinquant_had, (mh(t, n * k), mh(k, k), mh(n, n))))

    # ================================================================== activation sparsity and pruning
    def dejavu_mlp(x, pa, pb, w1, w2, k=4096):  # Deja Vu: the low-rank predictor's scores over the MLP's neurons, the
        s = F.linear(F.linear(x, pa), pb)  # batch's top-k neurons (summed scores), their rows of fc1 and columns of
        idx = s.sum(0).topk(k).indices  # fc2 gathered, the sparse MLP
        h = F.relu(F.linear(x, w1.index_select(0, idx)))
        return F.linear(h, w2.index_select(1, idx))

    # OPT-6.7B (4096 -> 16384) at decode batches of 1 and 32
    for b, hid, ff, k in ((1, 4096, 16384, 2048), (32, 4096, 16384, 4096)):
        out.append(("dejavu_sparse_mlp", P(dejavu_mlp, k=k),
                    (mh(b, hid), mh(1024, hid), mh(ff, 1024), mh(ff, hid), mh(hid, ff))))

    def teal(x, thr, w):  # TEAL: the hidden state's entries under each channel's calibrated magnitude threshold zeroed
        return F.linear(torch.where(x.abs() > thr, x, 0.0), w)  # before the projection

    for b, t, hid, o in ((1, 1, 4096, 14336), (16, 1, 4096, 6144)):
        out.append(("teal_threshold_linear", teal, (m(b, t, hid), m(hid), m(o, hid))))

    def cats_mlp(x, wg, wu, wd, thr):  # CATS: SiLU of the gate, entries under the threshold masked, the up and down
        g = F.silu(F.linear(x, wg))  # projections
        g = g * (g.abs() > thr)
        return F.linear(g * F.linear(x, wu), wd)

    for b, t, hid, ff in ((1, 1, 4096, 14336), (16, 1, 4096, 14336)):
        out.append(("cats_thresholded_mlp", cats_mlp, (m(b, t, hid), m(ff, hid), m(ff, hid), m(hid, ff), m(1))))

    def block_influence(h_in, h_out, mask):  # ShortGPT's block influence: 1 - the cosine of a block's input and output
        c = F.cosine_similarity(h_in.float(), h_out.float(), dim=-1)  # per token, masked mean
        return ((1 - c) * mask).sum() / mask.sum()

    for b, t, hid in ((8, 2048, 4096), (32, 512, 5120)):
        out.append(("shortgpt_block_influence", block_influence, (m(b, t, hid), m(b, t, hid), mf(b, t))))

    def slicegpt_pca(x, mask, w_in, d_new=3072):  # SliceGPT: the masked hidden states' covariance in float64, eigh, the
        xm = (x.double() * mask.unsqueeze(-1)).reshape(-1, x.shape[-1])  # eigenvectors sorted by eigenvalue, the next
        h = xm.t() @ xm  # block's input weights rotated and sliced
        evals, evecs = torch.linalg.eigh(h)
        order = torch.argsort(evals, descending=True)
        q = evecs[:, order][:, :d_new]
        return (w_in.double() @ q).to(w_in.dtype)

    for b, t, hid, o, dn in ((8, 2048, 4096, 4096, 3072), (4, 2048, 2048, 8192, 1536)):
        out.append(("slicegpt_pca_rotation", P(slicegpt_pca, d_new=dn), (m(b, t, hid), md(b, t), m(o, hid))))

    # ================================================================== retrieval encodings
    def late_chunking(tok, starts, ends):  # jina's late chunking: the long document's token embeddings pooled over
        cs = F.pad(torch.cumsum(tok.float(), dim=1), (0, 0, 1, 0))  # each chunk's span by a cumsum difference,
        d = tok.shape[-1]  # normalised
        e = cs.gather(1, ends.unsqueeze(-1).expand(-1, -1, d))
        s = cs.gather(1, starts.unsqueeze(-1).expand(-1, -1, d))
        emb = (e - s) / (ends - starts).clamp(min=1).unsqueeze(-1)
        return F.normalize(emb, dim=-1)

    for b, t, hid, n in ((8, 8192, 1024, 32), (1, 32768, 768, 128)):
        out.append(("late_chunking_pool", late_chunking, (m(b, t, hid), i(b, n), i(b, n))))

    def muvera_fde(x, g, proj, k_sim=5):  # MUVERA's fixed-dimensional encoding: each vector's SimHash bucket from the
        n, mv, d = x.shape  # signs of k Gaussian projections, a dense projection, the vectors summed into their bucket
        bits = (x.float() @ g > 0).long()  # by scatter_add_, flattened (one repetition)
        pw = 2 ** torch.arange(k_sim, device=x.device)
        bucket = (bits * pw).sum(-1)
        y = x.float() @ proj
        fde = torch.zeros(n, 2 ** k_sim, y.shape[-1], device=x.device)
        fde.scatter_add_(1, bucket.unsqueeze(-1).expand(-1, -1, y.shape[-1]), y)
        return fde.flatten(1)

    for n, mv, d, ds in ((4096, 128, 128, 16), (256, 1024, 128, 16)):
        out.append(("muvera_fde", muvera_fde, (mh(n, mv, d), mf(d, 5), mf(d, ds))))

    def rabitq_encode(x, c, p):  # RaBitQ's index: residuals to the centroid normalised, rotated, their sign bits, the
        r = x - c  # factor <o_bar, o> for the unbiased estimator
        nr = r.norm(dim=-1, keepdim=True)
        o = (r / nr) @ p
        bits = o > 0
        obar = (bits.float() * 2 - 1) / math.sqrt(x.shape[-1])
        return bits, nr, (obar * o).sum(-1)

    def rabitq_estimate(bits, nr, ip_fac, q, c, p):  # its query side: the query's rotated residual, <o_bar, q'> by a
        qr = q - c  # product with the +-1 codes, divided by the factor, the distances estimated
        nq = qr.norm(dim=-1, keepdim=True)
        qp = (qr / nq) @ p
        obar = (bits.float() * 2 - 1) / math.sqrt(bits.shape[-1])
        est = (qp @ obar.t()) / ip_fac.unsqueeze(0)
        return nr.squeeze(-1).pow(2).unsqueeze(0) + nq.pow(2) - 2 * nr.squeeze(-1).unsqueeze(0) * nq * est

    for n, d in ((1000000, 128), (100000, 960)):
        out.append(("rabitq_encode", rabitq_encode, (mf(n, d), mf(d), mf(d, d))))
    for n, d, nq in ((1000000, 128, 32), (100000, 960, 100)):
        out.append(("rabitq_estimate", rabitq_estimate, (mb(n, d), mf(n, 1), mf(n), mf(nq, d), mf(d), mf(d, d))))

    def peer(x, wq, k1, k2, down, up, topk=16, heads=8):  # PEER: per-head queries split in two halves scored against
        b, d = x.shape  # the sub-keys, top-k of each, the k x k sums' top-k, expert ids i1 * N + i2, their down / up
        nk = k1.shape[0]  # vectors by embedding, gelu(x . u) weighted by the softmaxed scores times v
        q = F.linear(x, wq).view(b, heads, 2, -1)
        s1, i1 = (q[:, :, 0] @ k1.t()).topk(topk, dim=-1)
        s2, i2 = (q[:, :, 1] @ k2.t()).topk(topk, dim=-1)
        s = (s1.unsqueeze(-1) + s2.unsqueeze(-2)).flatten(-2)
        ids = (i1.unsqueeze(-1) * nk + i2.unsqueeze(-2)).flatten(-2)
        sv, si = s.topk(topk, dim=-1)
        eid = ids.gather(-1, si)
        u = F.embedding(eid, down)
        v = F.embedding(eid, up)
        a = F.gelu(torch.einsum("bd,bhkd->bhk", x, u)) * torch.softmax(sv.float(), dim=-1).to(x.dtype)
        return torch.einsum("bhk,bhkd->bd", a, v)

    for b, d, nk in ((1024, 2048, 512), (128, 2048, 512)):
        out.append(("peer_product_key_experts", peer,
                    (m(b, d), m(8 * 256, d), m(nk, 128), m(nk, 128), m(nk * nk, d), m(nk * nk, d))))

    # ================================================================== mixtures of adapters and experts
    def xlora(x, scalings, a, b, w, layer=5, scale=2.0):  # X-LoRA: the classifier's scalings for this layer (softmax
        s = torch.softmax(scalings[:, :, layer].float(), dim=-1).to(x.dtype)  # over the adapters), each adapter's
        ax = torch.einsum("bti,nri->btnr", x, a)  # B(A(x)) weighted per token, added to the base projection
        bx = torch.einsum("btnr,nor->btno", ax, b)
        return F.linear(x, w) + (bx * s.unsqueeze(-1)).sum(2) * scale

    for bsz, t, hid, o, n in ((1, 2048, 4096, 4096, 4), (8, 256, 4096, 14336, 4)):
        out.append(("xlora_scaled_adapters", xlora,
                    (m(bsz, t, hid), m(bsz, t, 32, n), m(n, 16, hid), m(n, o, 16), m(o, hid))))

    def molora(x, router, a, b, w, k=2, scale=2.0):  # MoLoRA: a router over LoRA experts, top-k per token, their A and
        logits = F.linear(x, router)  # B gathered by the expert ids, bmm'd, weighted, added to the base projection
        wts, idx = torch.topk(torch.softmax(logits.float(), dim=-1), k, dim=-1)
        wts = (wts / wts.sum(-1, keepdim=True)).to(x.dtype)
        aa = a[idx]
        bb = b[idx]
        h = torch.einsum("ti,tkri->tkr", x, aa)
        o = torch.einsum("tkr,tkor->tko", h, bb)
        return F.linear(x, w) + (o * wts.unsqueeze(-1)).sum(1) * scale

    for t, hid, o, e, r in ((512, 4096, 4096, 8, 16), (64, 4096, 14336, 16, 8)):
        out.append(("molora_topk_lora_experts", molora,
                    (m(t, hid), m(e, hid), m(e, r, hid), m(e, o, r), m(o, hid))))

    def lory_merge(x, prev, router, w_up, w_down):  # Lory: a segment's routing weights from the previous segment's mean
        g = torch.softmax(F.linear(prev.mean(dim=1), router).float(), dim=-1).to(x.dtype)  # hidden state, the experts'
        up = torch.einsum("be,eoi->boi", g, w_up)  # weights merged per sequence, the merged MLP over the segment
        down = torch.einsum("be,eio->bio", g, w_down)
        h = F.silu(torch.bmm(x, up.transpose(1, 2)))
        return torch.bmm(h, down.transpose(1, 2))

    for b, seg, hid, ff, e in ((4, 256, 2048, 2048, 8), (2, 512, 1024, 4096, 16)):
        out.append(("lory_segment_expert_merge", lory_merge,
                    (m(b, seg, hid), m(b, seg, hid), m(e, hid), m(e, ff, hid), m(e, hid, ff))))

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK35, _check35()),))
