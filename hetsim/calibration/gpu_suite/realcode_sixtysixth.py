"""The aten sweep's thirty-seventh blind real-code group: `realcode-check37`, inference-time techniques and serving
internals of LLMs in plain torch: KV-cache compression and eviction, speculative decoding internals, constrained
decoding, multi-LoRA serving, weight-only quantised matmuls written as their reference paths, logits processors and
beam search, and paged and prefix caching helpers.

Each case is one op or a short idiom as the methods' public reference code (the papers' repositories, transformers'
generation utilities and cache classes, vLLM's torch paths, xgrammar, outlines, Punica / S-LoRA, AutoGPTQ, AutoAWQ,
bitsandbytes, torchao) writes it, at real widths (hidden 2048-8192, heads of 96, 128 and 256), batches (1-256),
contexts (up to 128K tokens) and vocabularies (32000-256000), in the dtypes the code runs (bf16 model tensors and
caches, fp16 where the quantised kernels' activations and scales are half, fp32 logits, scores, softmaxes, sampling
and statistics, float8_e4m3fn weights and KV pages, int64 ids, indices and slots, int32 packed codes, bitmask words,
FSM tables and block tables, int8 / uint8 weights, nibbles and KV codes, bool masks) over Llama-3.1-8B / 70B,
Qwen2.5-7B / 32B / 72B, Mistral-7B, Mixtral-8x7B, DeepSeek-V2-Lite, Gemma-2-9B, Phi-3-mini / medium and Vicuna-7B:
KV-cache compression and eviction (H2O's prefill heavy-hitter sums and its decode eviction by topk, sort and gathers
beside the recent window, per KV group; SnapKV's GQA-aware observation-window votes with avg_pool1d and max_pool1d over
32K-128K prompts; PyramidKV's per-layer capacities; StreamingLLM's sink + window step by cat, as a ring by roll, its
in-cache re-rotation of the keys and its sink-band prefill mask; KIVI's per-channel keys and per-token values
quantised in groups and packed into int32 by shifts, and its decode attention unpacking both beside the full-precision
residual; asymmetric per-token int8 KV; KVQuant's dense-and-sparse keys by a topk threshold; MiniCache's SLERP merge of
adjacent layers by norms and angles with its retained tokens and restore; Scissorhands' persistence-of-importance
counts; Ada-KV's adaptive head budgets flattened with cu_seqlens; TOVA's overwrite of the lowest token; Quest's
page bounds and top pages; DuoAttention's retrieval and streaming heads by index_select and index_copy_; transformers'
SlidingWindowCache roll by a gather and its StaticCache index_copy_ at Gemma-2's 256-dim heads); speculative decoding
internals (Medusa-1's ResBlock heads, its generate_candidates by tree_indices and retrieve_indices, its tree logits
gathered per path with typical acceptance by cumprod; EAGLE-2's expansion by top-k over cumulative log-probs, its mask
step and rerank with searchsorted parents and the ancestors' rows by gathers; tree verification through an additive
tree mask; EAGLE's fc over embeddings and features and its accepted-path KV copy; Lookahead decoding's n-gram pool
match and Jacobi window; a Jacobi / CLLM fixed point; speculative rejection sampling with the residual max(p - q, 0)
renormalised and an exponential race; greedy verification with the bonus token; vLLM's typical acceptance);
constrained decoding (xgrammar's int32 bitmask unpacked by shifts and & 1 onto 128256-256000 logits at 1-256
requests; vLLM v1's grammar rows placed into a full batch; outlines' allowed-id bias by scatter; a token-level JSON FSM
transition table; token healing's prefix mask); multi-LoRA serving (Punica's BGMV as vLLM's torch ops write it with the
output slice, sgmv over prefill segments, its segment metadata by a stable sort and scatter_add_, S-LoRA's padded-rank
bmm and its per-adapter gather and index_add_, LoRA on the stacked embeddings and on the LM head); weight-only
quantised matmuls (AutoGPTQ's qlinear_cuda_old torch path at 4 and 8 bits; AutoAWQ's dequantize_gemm with its reverse
order; bitsandbytes' torch dequantize_4bit with NF4 lookups and double-quantised absmax; FP8 per-tensor and per-channel
weights with per-token activation fake quantisation; 128 x 128 block-scaled FP8 weights with per-group activations;
torchao's int8 weight-only linear; routed MoE experts in packed int4); logits processors and beam search
(transformers' repetition penalty, no-repeat n-grams in tensors, min-p, typical-p, temperature + top-k + top-p with a
multinomial draw, classifier-free guidance, contrastive search's degeneration penalty, the beam step with its caches
reordered by index_select; vLLM's penalties from counts by scatter_add_, its logit bias by an accumulating index_put_
with the min-tokens EOS rule, log-probs and ranks of the drawn token; Mirostat v2 and XTC in tensors); paged and prefix
caching helpers (block-table gathers into contiguous KV with length masks, FlashInfer's HND fp8 pages, vLLM's
copy-on-write copy_blocks, cache writes by (block, offset) index_put_ in bf16 and fp8, vLLM v1's positions and slot
mapping, a chunked-prefill batch's varlen mask by searchsorted, Hydragen's shared-prefix attention merged by
log-sum-exps, DeepSeek-V2-Lite's absorbed MLA decode over a paged latent cache).
Data-dependent steps of the reference code are written without data-dependent shapes: boolean selections as where,
masked_fill and scatters into a spare column (no-repeat n-grams, penalties, allowed ids), variable kept sets at a
fixed bound by topk (Ada-KV's budgets, Scissorhands, the n-gram pool's matches), host loops over tree masks as a
gather per depth (EAGLE-2), the accepted length by cumprod and the rejected row by a gather, repeat_interleave given
its output_size (vLLM v1), segment loops at fixed lengths (sgmv), a 0-d argmax kept as a one-element index. SDPA with
a mask gets the KV heads repeated as transformers does; enable_gqa only where no mask is passed or at decode.
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK37 = "realcode-check37"


def _check37():
    import math
    from functools import partial as P

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _dtype_makers, _meta_makers, repeat_kv, rotate_half

    m, i = _meta_makers()

    mh, mf, mb, mi32 = _dtype_makers()

    def mu8(*shape):  # uint8 (packed nibbles, NF4 codes, double-quantised absmax codes)
        return m(*shape, dt=torch.uint8)

    def mi8(*shape):  # int8 (weight-only int8 weights)
        return m(*shape, dt=torch.int8)

    def mf8(*shape):  # float8_e4m3fn (fp8 weights and KV pages)
        return m(*shape, dt=torch.float8_e4m3fn)

    NEG = float("-inf")
    out = []

    # ================================================================== KV-cache compression and eviction
    def h2o_prefill(q, k, n_rep):  # H2O's heavy-hitter scores at prefill: the eager attention weights (causal, fp32
        kk = repeat_kv(k, n_rep)  # softmax) summed over the queries, the accumulated attention of every key
        s = torch.matmul(q, kk.transpose(2, 3)) / math.sqrt(q.shape[-1])
        t = q.shape[2]
        causal = torch.triu(torch.ones(t, t, dtype=torch.bool, device=q.device), diagonal=1)
        w = F.softmax(s.masked_fill(causal, NEG), dim=-1, dtype=torch.float32)
        return w.sum(dim=-2)

    # Llama-3.1-8B at 1 x 2048, Mistral-7B at 1 x 4096, Phi-3-mini (32 heads of 96, no GQA) at 4 x 1024
    for b, t, h, hk, d in ((1, 2048, 32, 8, 128), (1, 4096, 32, 8, 128), (4, 1024, 32, 32, 96)):
        out.append(("h2o_prefill_heavy_hitters", P(h2o_prefill, n_rep=h // hk), (m(b, h, t, d), m(b, hk, t, d))))

    def h2o_decode(acc, w, k, v, heavy=1024, recent=1024):  # H2O's decode step: the new query's weights (summed over
        b, hk, t, d = k.shape  # each KV group) added to the running scores, one token evicted: the heavy hitters by
        acc = acc + w.view(b, hk, -1, t).sum(2)  # topk outside the recent window, sorted, the recent window kept,
        keep = acc[..., : t - recent].topk(heavy, dim=-1).indices.sort(dim=-1).values  # keys, values and scores
        rec = torch.arange(t - recent, t, device=acc.device).expand(b, hk, recent)  # gathered
        idx = torch.cat([keep, rec], dim=-1)
        ix = idx[..., None].expand(-1, -1, -1, d)
        return acc.gather(-1, idx), k.gather(2, ix), v.gather(2, ix)

    # Llama-3.1-8B at 16 sequences over a 2048 budget (+1), Qwen2.5-7B (28 / 4 heads) at 64 over 512
    for b, h, hk, heavy, recent in ((16, 32, 8, 1024, 1024), (64, 28, 4, 256, 256)):
        t = heavy + recent + 1
        out.append(("h2o_decode_evict", P(h2o_decode, heavy=heavy, recent=recent),
                    (mf(b, hk, t), mf(b, h, 1, t), m(b, hk, t, 128), m(b, hk, t, 128))))

    def snapkv(q, k, v, window=32, capacity=2048, kernel=7, pool="avg"):  # SnapKV's update_kv (GQA-aware): the
        b, h, w, d = q.shape  # observation window's attention over the prefix (its own causal block masked), summed
        hk = k.shape[1]  # over the window, pooled along the keys, averaged over each KV group, the
        s = torch.matmul(q, repeat_kv(k, h // hk).transpose(2, 3)) / math.sqrt(d)  # top capacity gathered before
        blk = torch.triu(torch.ones(w, w, dtype=torch.bool, device=q.device), diagonal=1)  # the window
        s[..., -w:] = s[..., -w:].masked_fill(blk, NEG)
        p = F.softmax(s, dim=-1, dtype=torch.float32).to(q.dtype)
        votes = p[..., :-w].sum(dim=-2)
        if pool == "avg":
            votes = F.avg_pool1d(votes, kernel_size=kernel, padding=kernel // 2, stride=1)
        else:
            votes = F.max_pool1d(votes, kernel_size=kernel, padding=kernel // 2, stride=1)
        votes = votes.view(b, hk, h // hk, -1).mean(dim=2)
        idx = votes.topk(capacity - w, dim=-1).indices[..., None].expand(-1, -1, -1, d)
        kc = torch.cat([k[:, :, :-w].gather(2, idx), k[:, :, -w:]], dim=2)
        vc = torch.cat([v[:, :, :-w].gather(2, idx), v[:, :, -w:]], dim=2)
        return kc, vc

    # Qwen2.5-7B over 32K (avg pool 7, 2048 kept); Llama-3.1-8B over 128K (max pool 5, 4096 kept, a 64-token window);
    # Llama-3.1-70B (64 / 8 heads) over 64K (max pool 7, 1024 kept); Mistral-7B at 4 x 16K (avg pool 5, 1024 kept)
    for b, t, h, hk, w, cap, ker, pool in ((1, 32768, 28, 4, 32, 2048, 7, "avg"),
                                           (1, 131072, 32, 8, 64, 4096, 5, "max"),
                                           (1, 65536, 64, 8, 32, 1024, 7, "max"),
                                           (4, 16384, 32, 8, 32, 1024, 5, "avg")):
        out.append(("snapkv_window_vote_select", P(snapkv, window=w, capacity=cap, kernel=ker, pool=pool),
                    (m(b, h, w, 128), m(b, hk, t, 128), m(b, hk, t, 128))))

    def pyramidkv(q, k, v, layer=0, layers=32, avg_capacity=512, beta=20, window=8):  # PyramidKV's per-layer budget:
        b, h, w, d = q.shape  # the total held at avg_capacity per layer, the first layer beta times the last's, the
        hk = k.shape[1]  # capacities stepping down linearly; each layer's window votes (avg pool 7)
        min_num = (avg_capacity - window) // beta  # choose its capacity
        max_num = (avg_capacity - window) * 2 - min_num
        cap = max_num - layer * (max_num - min_num) // (layers - 1)
        s = torch.matmul(q, repeat_kv(k, h // hk).transpose(2, 3)) / math.sqrt(d)
        mask = torch.full((w, w), torch.finfo(s.dtype).min, device=q.device).triu(1)
        s[:, :, -w:, -w:] += mask
        p = F.softmax(s, dim=-1, dtype=torch.float32).to(q.dtype)
        votes = F.avg_pool1d(p[:, :, -w:, :-w].sum(dim=-2), kernel_size=7, padding=3, stride=1)
        votes = votes.view(b, hk, h // hk, -1).amax(dim=2)
        idx = votes.topk(cap, dim=-1).indices[..., None].expand(-1, -1, -1, d)
        return (torch.cat([k[:, :, :-w].gather(2, idx), k[:, :, -w:]], dim=2),
                torch.cat([v[:, :, :-w].gather(2, idx), v[:, :, -w:]], dim=2))

    # Llama-3.1-8B's first and last layers over 16K; Qwen2.5-32B's (64 layers, 40 / 8 heads) first and middle over 8K
    for b, t, h, hk, layer, layers in ((1, 16384, 32, 8, 0, 32), (1, 16384, 32, 8, 31, 32), (2, 8192, 40, 8, 0, 64),
                                       (2, 8192, 40, 8, 32, 64)):
        out.append(("pyramidkv_layer_budget", P(pyramidkv, layer=layer, layers=layers),
                    (m(b, h, 8, 128), m(b, hk, t, 128), m(b, hk, t, 128))))

    def sink_window_step(k, v, k_new, v_new, sink=4):  # StreamingLLM's decode step at a full cache: the attention
        k = torch.cat([k[:, :, :sink], k[:, :, sink + 1:], k_new], dim=2)  # sinks kept, the window's oldest token
        v = torch.cat([v[:, :, :sink], v[:, :, sink + 1:], v_new], dim=2)  # dropped, the new one appended
        return k, v

    # Llama-3.1-8B at 32 sequences (4 sinks + 2044), Mistral-7B at 128 (4 + 1020), Qwen2.5-7B at 8 (4 + 8188)
    for b, hk, t in ((32, 8, 2048), (128, 8, 1024), (8, 4, 8192)):
        out.append(("streamingllm_sink_window_step", sink_window_step,
                    (m(b, hk, t, 128), m(b, hk, t, 128), m(b, hk, 1, 128), m(b, hk, 1, 128))))

    def sink_ring_roll(k, k_new, sink=4):  # the same cache as a ring: the window rolled by one, the new key written
        win = k[:, :, sink:].roll(-1, dims=2)  # into its last slot, the sinks put back in front
        win[:, :, -1:] = k_new
        return torch.cat([k[:, :, :sink], win], dim=2)

    for b, hk, t in ((32, 8, 2048), (16, 4, 4096)):
        out.append(("streamingllm_ring_roll", sink_ring_roll, (m(b, hk, t, 128), m(b, hk, 1, 128))))

    def sink_rerotate(k, q, inv_freq):  # StreamingLLM's positions inside the cache: keys kept before RoPE, rotated at
        t = k.shape[2]  # every step by their slot in the cache (0 .. t - 1), the query by the last slot
        pos = torch.arange(t, device=k.device, dtype=torch.float32)
        f = torch.outer(pos, inv_freq)
        emb = torch.cat((f, f), dim=-1)
        cos, sin = emb.cos().to(k.dtype), emb.sin().to(k.dtype)
        kr = k * cos + rotate_half(k) * sin
        qr = q * cos[-1:] + rotate_half(q) * sin[-1:]
        return qr, kr

    for b, h, hk, t in ((8, 28, 4, 8192), (64, 32, 8, 1024)):
        out.append(("streamingllm_cache_rerotate", sink_rerotate, (m(b, hk, t, 128), m(b, h, 1, 128), mf(64))))

    def sink_window_prefill(q, k, v, sink=4, window=4096):  # StreamingLLM's prefill over a long prompt: a causal
        t = q.shape[2]  # band of the window plus the sink columns as a bool mask into SDPA
        ar = torch.arange(t, device=q.device)
        diff = ar[:, None] - ar[None, :]
        mask = (diff >= 0) & ((diff < window) | (ar[None, :] < sink))
        rep = q.shape[1] // k.shape[1]  # (a mask, so the KV heads repeated as transformers does)
        return F.scaled_dot_product_attention(q, repeat_kv(k, rep), repeat_kv(v, rep), attn_mask=mask)

    for t, win in ((8192, 4096), (16384, 2048)):
        out.append(("streamingllm_sink_band_prefill", P(sink_window_prefill, window=win),
                    (m(1, 32, t, 128), m(1, 8, t, 128), m(1, 8, t, 128))))

    def kivi_pack_keys(k, group=32, bits=2):  # KIVI's key cache: the keys transposed so a channel's tokens lie along
        kt = k.transpose(2, 3).contiguous()  # the last dim, min / max per group of tokens (per channel), the
        b, h, d, t = kt.shape  # asymmetric codes rounded and clamped, packed 32 // bits to an int32 by shifts and a sum
        g = kt.view(b, h, d, t // group, group)
        mn = g.amin(dim=-1, keepdim=True)
        mx = g.amax(dim=-1, keepdim=True)
        scale = (mx - mn) / (2 ** bits - 1)
        code = ((g - mn) / scale).clamp_(0, 2 ** bits - 1).round_().to(torch.int32).view(b, h, d, t)
        per = 32 // bits
        shifts = torch.arange(0, 32, bits, device=k.device, dtype=torch.int32)
        packed = (code.view(b, h, d, t // per, per) << shifts).sum(dim=-1, dtype=torch.int32)
        return packed, scale, mn

    # Llama-3.1-8B at 8 x 8192 (2 bits, groups of 32); Llama-3.1-70B at 2 x 32768 (2 bits, 128); Mistral-7B at
    # 64 x 2048 (4 bits, 64)
    for b, t, group, bits in ((8, 8192, 32, 2), (2, 32768, 128, 2), (64, 2048, 64, 4)):
        out.append(("kivi_key_per_channel_pack", P(kivi_pack_keys, group=group, bits=bits), (m(b, 8, t, 128),)))

    def kivi_pack_values(v, group=32, bits=2):  # KIVI's value cache: per token, groups of channels, packed along the
        b, h, t, d = v.shape  # channels
        g = v.view(b, h, t, d // group, group)
        mn = g.amin(dim=-1, keepdim=True)
        mx = g.amax(dim=-1, keepdim=True)
        scale = (mx - mn) / (2 ** bits - 1)
        code = ((g - mn) / scale).clamp_(0, 2 ** bits - 1).round_().to(torch.int32).view(b, h, t, d)
        per = 32 // bits
        shifts = torch.arange(0, 32, bits, device=v.device, dtype=torch.int32)
        packed = (code.view(b, h, t, d // per, per) << shifts).sum(dim=-1, dtype=torch.int32)
        return packed, scale, mn

    for b, hk, t, group, bits in ((8, 8, 8192, 32, 2), (32, 4, 4096, 64, 4)):
        out.append(("kivi_value_per_token_pack", P(kivi_pack_values, group=group, bits=bits), (m(b, hk, t, 128),)))

    def kivi_decode(q, kq, ks, kz, vq, vs, vz, k_res, v_res, group=32, bits=2):  # KIVI's decode attention in torch:
        b, h, _, d = q.shape  # the packed keys and values unpacked by shifts and a mask, dequantised by their
        hk = kq.shape[1]  # groups' scales and minima, the quantised and the full-precision residual scores
        # softmaxed together, both parts' values applied
        shifts = torch.arange(0, 32, bits, device=q.device, dtype=torch.int32)
        kc = ((kq.unsqueeze(-1) >> shifts) & (2 ** bits - 1)).view(b, hk, d, -1)
        t = kc.shape[-1]
        kd = (kc.view(b, hk, d, t // group, group).to(q.dtype) * ks + kz).view(b, hk, d, t)
        vc = ((vq.unsqueeze(-1) >> shifts) & (2 ** bits - 1)).view(b, hk, t, d // group, group)
        vd = (vc.to(q.dtype) * vs + vz).view(b, hk, t, d)
        qg = q.view(b, hk, h // hk, d)
        s = torch.cat([qg @ kd, qg @ k_res.transpose(-1, -2)], dim=-1) / math.sqrt(d)
        p = F.softmax(s, dim=-1, dtype=torch.float32).to(q.dtype)
        o = p[..., :t] @ vd + p[..., t:] @ v_res
        return o.view(b, h, 1, d)

    # Llama-3.1-8B at 16 x 8192 (residual 128), Mistral-7B at 64 x 2048, Llama-3.1-70B at 4 x 32768
    for b, h, t, res in ((16, 32, 8192, 128), (64, 32, 2048, 64), (4, 64, 32768, 128)):
        g, bits, d, hk = 32, 2, 128, 8
        out.append(("kivi_decode_dequant_attention", P(kivi_decode, group=g, bits=bits),
                    (m(b, h, 1, d), mi32(b, hk, d, t // 16), m(b, hk, d, t // g, 1), m(b, hk, d, t // g, 1),
                     mi32(b, hk, t, d // 16), m(b, hk, t, d // g, 1), m(b, hk, t, d // g, 1),
                     m(b, hk, res, d), m(b, hk, res, d))))

    def kv_int8_per_token(x):  # asymmetric int8 per token and head (QServe / ZipCache-style KV): min / max, scale and
        mx = x.amax(dim=-1, keepdim=True).float()  # zero point, the uint8 codes, and their dequantisation
        mn = x.amin(dim=-1, keepdim=True).float()
        s = (mx - mn).clamp(min=1e-5) / 255
        z = (-mn / s).round()
        q = (x.float() / s + z).round().clamp(0, 255).to(torch.uint8)
        return q, ((q.float() - z) * s).to(x.dtype)

    for shape in ((8, 4096, 8, 128), (1, 32768, 8, 128), (256, 1, 4, 128)):
        out.append(("kv_int8_per_token_asym", kv_int8_per_token, (m(*shape),)))

    def kvquant_outliers(k, keep=1):  # KVQuant's dense-and-sparse keys (pre-RoPE, per channel): each channel's
        b, h, t, d = k.shape  # largest magnitudes over the tokens (top 1 %) kept sparse by a threshold from topk, the
        n = max(1, t * keep // 100)  # rest quantised to 4 bits between the channel's clamped min / max
        thr = k.abs().float().topk(n, dim=2).values[:, :, -1:]
        out_mask = k.abs().float() >= thr
        dense = k.masked_fill(out_mask, 0)
        mn = dense.amin(dim=2, keepdim=True).float()
        mx = dense.amax(dim=2, keepdim=True).float()
        s = (mx - mn) / 15
        code = ((dense.float() - mn) / s).round().clamp(0, 15).to(torch.uint8)
        sparse = torch.where(out_mask, k, torch.zeros_like(k))
        return code, s, mn, sparse

    for b, hk, t in ((1, 8, 32768), (8, 8, 4096)):
        out.append(("kvquant_dense_sparse_keys", kvquant_outliers, (m(b, hk, t, 128),)))

    def minicache_merge(k1, k2, t=0.6, keep=128):  # MiniCache's cross-layer merge: adjacent layers' keys split into
        a, b = k1.float(), k2.float()  # magnitude and direction, the directions SLERPed by their angle, the tokens
        n1, n2 = a.norm(dim=-1, keepdim=True), b.norm(dim=-1, keepdim=True)  # whose angle is largest retained
        u1, u2 = a / n1, b / n2
        omega = torch.acos((u1 * u2).sum(-1, keepdim=True).clamp(-1 + 1e-6, 1 - 1e-6))
        so = torch.sin(omega)
        merged = (torch.sin((1 - t) * omega) / so) * u1 + (torch.sin(t * omega) / so) * u2
        idx = omega.squeeze(-1).topk(keep, dim=-1).indices
        ix = idx[..., None].expand(-1, -1, -1, k1.shape[-1])
        return merged.to(k1.dtype), n1.to(k1.dtype), n2.to(k1.dtype), idx, k1.gather(2, ix), k2.gather(2, ix)

    # Llama-3.1-8B at 4 x 8192, Mixtral-8x7B at 1 x 32768 (256 retained)
    for b, t, keep in ((4, 8192, 128), (1, 32768, 256)):
        out.append(("minicache_slerp_merge", P(minicache_merge, keep=keep), (m(b, 8, t, 128), m(b, 8, t, 128))))

    def minicache_restore(merged, norm, idx, kept):  # its restore: the shared direction scaled by the layer's own
        k = merged * norm  # norms, the retained tokens scattered back in place
        return k.scatter(2, idx[..., None].expand(-1, -1, -1, k.shape[-1]), kept)

    for b, t, keep in ((4, 8192, 128), (1, 32768, 256)):
        out.append(("minicache_restore", minicache_restore,
                    (m(b, 8, t, 128), m(b, 8, t, 1), i(b, 8, keep), m(b, 8, keep, 128))))

    def scissorhands(attn, counts, k, v, budget=2048, recent=256):  # Scissorhands' persistence of importance: over
        t = attn.shape[-1]  # the history window's queries a token counts as unimportant where its weight falls under
        low = (attn < 1.0 / t).sum(dim=2)  # 1 / t; the recent tokens protected; the tokens least often unimportant
        counts = counts + low.view(counts.shape[0], counts.shape[1], -1, t).sum(2)  # kept (topk smallest), sorted,
        pos = torch.arange(t, device=attn.device)  # gathered
        counts = counts.masked_fill(pos >= t - recent, -1)
        keep = counts.topk(budget, dim=-1, largest=False).indices.sort(dim=-1).values
        ix = keep[..., None].expand(-1, -1, -1, k.shape[-1])
        return counts.gather(-1, keep), k.gather(2, ix), v.gather(2, ix)

    # Llama-3.1-8B at 8 x 4096 over a history window of 128 queries; Phi-3-mini (MHA, 96-dim heads) at 16 x 2048
    for b, h, hk, t, d, wq, budget in ((8, 32, 8, 4096, 128, 128, 2048), (16, 32, 32, 2048, 96, 64, 1024)):
        out.append(("scissorhands_importance_evict", P(scissorhands, budget=budget),
                    (mf(b, h, wq, t), i(b, hk, t), m(b, hk, t, d), m(b, hk, t, d))))

    def adakv(votes, k, v, budget=1024):  # Ada-KV's adaptive head budgets: the heads' pooled votes flattened, the top
        b, h, t = votes.shape  # h x budget over all heads, each head's share counted, the kept keys laid out flat
        d = k.shape[-1]  # head after head with their cu_seqlens (the varlen layout flash-attn reads)
        top = votes.reshape(b, h * t).topk(budget * h, dim=-1).indices.sort(dim=-1).values
        keep = torch.zeros(b, h * t, dtype=torch.bool, device=votes.device).scatter_(1, top, True).view(b, h, t)
        per_head = keep.sum(-1)
        cu = F.pad(per_head.flatten().cumsum(0), (1, 0))
        ix = top[..., None].expand(-1, -1, d)
        return k.reshape(b, h * t, d).gather(1, ix), v.reshape(b, h * t, d).gather(1, ix), cu

    for b, t, budget in ((1, 32768, 1024), (4, 8192, 512)):
        out.append(("adakv_head_budget_flatten", P(adakv, budget=budget),
                    (mf(b, 8, t), m(b, 8, t, 128), m(b, 8, t, 128))))

    def tova(w, k, v, k_new, v_new):  # TOVA at a full cache: the last query's weights averaged over heads, the lowest
        b = w.shape[0]  # token's slot overwritten by the new key and value
        evict = w.mean(dim=1).squeeze(1).argmin(dim=-1)
        hk, d = k.shape[1], k.shape[-1]
        ix = evict.view(b, 1, 1, 1).expand(b, hk, 1, d)
        return k.scatter(2, ix, k_new), v.scatter(2, ix, v_new)

    for b, h, hk, t in ((64, 32, 8, 1024), (128, 28, 4, 512)):
        out.append(("tova_overwrite_lowest", tova, (mf(b, h, 1, t), m(b, hk, t, 128), m(b, hk, t, 128),
                                                    m(b, hk, 1, 128), m(b, hk, 1, 128))))

    def quest(q, k, v, page=16, top_pages=256):  # Quest's query-aware page selection: each page's channel-wise max /
        b, h, _, d = q.shape  # min keys, the upper bound of q . k per page (summed over the KV group), the top pages
        hk, t = k.shape[1], k.shape[2]  # gathered whole and attended
        kp, vp = k.view(b, hk, t // page, page, d), v.view(b, hk, t // page, page, d)
        kmax, kmin = kp.amax(dim=3), kp.amin(dim=3)
        qg = q.view(b, hk, h // hk, 1, d)
        ub = torch.maximum(qg * kmax[:, :, None], qg * kmin[:, :, None]).sum(-1).sum(2)
        sel = ub.topk(top_pages, dim=-1).indices.sort(dim=-1).values
        ix = sel[..., None, None].expand(-1, -1, -1, page, d)
        ks, vs = kp.gather(2, ix).flatten(2, 3), vp.gather(2, ix).flatten(2, 3)
        return F.scaled_dot_product_attention(q, ks, vs, enable_gqa=True)

    # Llama-3.1-8B at 4 x 32K (256 pages of 16), Mistral-7B at 16 x 8K (64 pages)
    for b, t, top in ((4, 32768, 256), (16, 8192, 64)):
        out.append(("quest_page_select_decode", P(quest, top_pages=top),
                    (m(b, 32, 1, 128), m(b, 8, t, 128), m(b, 8, t, 128))))

    def duo_attention(q, k, v, retrieval, streaming, sink=64, recent=256):  # DuoAttention's decode: the retrieval
        kr, vr = k.index_select(1, retrieval), v.index_select(1, retrieval)  # heads attend the whole cache, the
        qr = q.view(q.shape[0], k.shape[1], -1, q.shape[-1]).index_select(1, retrieval).flatten(1, 2).unsqueeze(2)
        o_r = F.scaled_dot_product_attention(qr, kr, vr, enable_gqa=True)  # streaming heads only the sinks and the
        ks = torch.cat([k[:, :, :sink], k[:, :, -recent:]], dim=2).index_select(1, streaming)  # recent tokens; the
        vs = torch.cat([v[:, :, :sink], v[:, :, -recent:]], dim=2).index_select(1, streaming)  # two put back in
        qs = q.view(q.shape[0], k.shape[1], -1, q.shape[-1]).index_select(1, streaming).flatten(1, 2).unsqueeze(2)
        o_s = F.scaled_dot_product_attention(qs, ks, vs, enable_gqa=True)  # head order
        o = torch.empty_like(q).view(q.shape[0], k.shape[1], -1, q.shape[-1])
        rep = q.shape[1] // k.shape[1]
        o.index_copy_(1, retrieval, o_r.view(q.shape[0], -1, rep, q.shape[-1]))
        o.index_copy_(1, streaming, o_s.view(q.shape[0], -1, rep, q.shape[-1]))
        return o.view_as(q)

    # Llama-3.1-8B at 8 x 16K (2 of 8 KV heads retrieval), Llama-3.1-70B at 2 x 64K (3 of 8)
    for b, h, t, nr in ((8, 32, 16384, 2), (2, 64, 65536, 3)):
        out.append(("duoattention_retrieval_streaming", duo_attention,
                    (m(b, h, 1, 128), m(b, 8, t, 128), m(b, 8, t, 128), i(nr), i(8 - nr))))

    def sliding_window_cache(k_out, v_out, k_new, v_new, cache_position):  # transformers' SlidingWindowCache.update
        w = k_out.shape[2]  # at decode past the window: the ring's roll as a gather of (cumsum of ones + shift - 1)
        slicing = torch.ones(w, dtype=torch.long, device=k_out.device).cumsum(0)  # mod the window, the position
        cache_position = cache_position.clamp(0, w - 1)  # clamped, the new keys and values written by index_copy_
        to_shift = cache_position >= w - 1
        indices = (slicing + to_shift[-1].int() - 1) % w
        k_out, v_out = k_out[:, :, indices], v_out[:, :, indices]
        k_out.index_copy_(2, cache_position, k_new)
        v_out.index_copy_(2, cache_position, v_new)
        return k_out, v_out

    # Gemma-2-9B's local layers (8 KV heads of 256, a 4096 window) at 8 sequences; Mistral-7B-v0.1's 4096 window at 32
    for b, hk, w, d in ((8, 8, 4096, 256), (32, 8, 4096, 128)):
        out.append(("hf_sliding_window_cache_update", sliding_window_cache,
                    (m(b, hk, w, d), m(b, hk, w, d), m(b, hk, 1, d), m(b, hk, 1, d), i(1))))

    def static_cache_update(k_out, v_out, k_new, v_new, cache_position):  # transformers' StaticCache.update: the
        k_out.index_copy_(2, cache_position, k_new)  # new rows written at cache_position by index_copy_
        v_out.index_copy_(2, cache_position, v_new)
        return k_out, v_out

    # Gemma-2-9B's global layers (8192 slots) at a 2048-token prefill and at 8 decodes; Llama-3.1-70B at 16 x 4096
    for b, hk, t, n, d in ((1, 8, 8192, 2048, 256), (8, 8, 8192, 1, 256), (16, 8, 4096, 1, 128)):
        out.append(("hf_static_cache_index_copy", static_cache_update,
                    (m(b, hk, t, d), m(b, hk, t, d), m(b, hk, n, d), m(b, hk, n, d), i(n))))

    # ================================================================== speculative decoding internals
    def medusa_heads(h, w_res, b_res, w_lm):  # Medusa-1's heads: each a ResBlock (h + SiLU(linear)) and its own
        outs = []  # vocabulary projection over the last hidden state, stacked
        for j in range(w_res.shape[0]):
            x = h + F.silu(F.linear(h, w_res[j], b_res[j]))
            outs.append(F.linear(x, w_lm[j]))
        return torch.stack(outs, dim=0)

    # Vicuna-7B's four heads (32000) at 1 and 8 sequences; Llama-3.1-8B's three (128256) at 1; Qwen2.5-7B's four at 4
    for b, d, v, nh in ((1, 4096, 32000, 4), (8, 4096, 32000, 4), (1, 4096, 128256, 3), (4, 3584, 152064, 4)):
        out.append(("medusa_resblock_heads", medusa_heads, (m(b, 1, d), m(nh, d, d), m(nh, d), m(nh, v, d))))

    def medusa_candidates(logits, medusa_logits, tree_indices, retrieve_indices, topk=10):  # Medusa's
        cand = logits[:, -1].argmax(dim=-1)  # generate_candidates: the base token by argmax, each head's top-k,
        med = medusa_logits[:, 0, -1].topk(topk, dim=-1).indices  # flattened into the tree's nodes by its
        flat = torch.cat([cand, med.view(-1)], dim=-1)  # tree_indices, the paths' cartesian candidates by
        tree_cand = flat[tree_indices]  # retrieve_indices (-1 reads the padding zero)
        ext = torch.cat([tree_cand, torch.zeros(1, dtype=torch.long, device=flat.device)], dim=0)
        return ext[retrieve_indices], tree_cand.unsqueeze(0)

    # mc_sim_7b_63 (64 nodes, 42 paths of 5) on Vicuna-7B's heads; a 128-node tree (80 paths of 6) on Llama-3.1-8B's
    for v, nh, nodes, paths, depth in ((32000, 4, 64, 42, 5), (128256, 5, 128, 80, 6)):
        out.append(("medusa_generate_candidates", medusa_candidates,
                    (m(1, 1, v), m(nh, 1, 1, v), i(nodes), i(paths, depth))))

    def medusa_verify_logits(tree_logits, retrieve_indices, candidates, temp=0.7, eps=0.09, delta=0.3):  # Medusa's
        logits = tree_logits[0, retrieve_indices]  # tree verification: the tree's logits gathered per path, typical
        p = F.softmax(logits[:, :-1].float() / temp, dim=-1)  # acceptance (entropy threshold) along each path by
        cp = torch.gather(p, -1, candidates[:, 1:].unsqueeze(-1)).squeeze(-1)  # cumprod, the longest path
        ent = -torch.sum(p * torch.log(p + 1e-5), dim=-1)
        thr = torch.minimum(torch.ones_like(ent) * eps, torch.exp(-ent) * delta)
        acc = (cp > thr).cumprod(dim=1)
        n = acc.sum(dim=1)
        best = n.argmax(dim=0, keepdim=True)
        return best, n.gather(0, best), logits.index_select(0, best)

    for v, nodes, paths, depth in ((32000, 64, 42, 5), (128256, 64, 42, 5), (152064, 96, 60, 6)):
        out.append(("medusa_tree_typical_verify", medusa_verify_logits,
                    (m(1, nodes, v), i(paths, depth), i(paths, depth))))

    def eagle_expand(logits, scores, topk=10):  # EAGLE-2's draft-tree expansion: the frontier's log-probs, each node's
        b, k, _ = logits.shape  # top-k children, their cumulative scores, the top-k of all k x k by score, their
        lp = torch.log_softmax(logits.float(), dim=-1)  # parents and tokens
        tl = lp.topk(topk, dim=-1)
        cu = scores[..., None] + tl.values
        top = cu.view(b, -1).topk(topk, dim=-1)
        parent = torch.div(top.indices, topk, rounding_mode="floor")
        tok = tl.indices.view(b, -1).gather(1, top.indices)
        return top.values, parent, tok

    # Llama-3.1-8B's draft (128256) at 1 x 10 and 8 x 8 frontiers; Qwen2.5-7B's (152064) at 1 x 10
    for b, k, v in ((1, 10, 128256), (8, 8, 128256), (1, 10, 152064)):
        out.append(("eagle2_tree_expand", P(eagle_expand, topk=k), (m(b, k, v), mf(b, k))))

    def eagle_mask_step(tree_mask, mask_init, hidden, parent):  # its next draft step: the frontier's masks by their
        tm = torch.cat([tree_mask[:, :, parent], mask_init], dim=3)  # parents plus the identity, the parents'
        h = hidden[:, parent]  # hidden states as the next input
        return tm, h

    for k, n, d in ((10, 31, 4096), (8, 57, 8192)):
        out.append(("eagle2_mask_step", eagle_mask_step, (mf(1, 1, k, n), mf(1, 1, k, k), m(1, k, d), i(k))))

    def eagle_rerank(scores, tokens, parents, total=60, topk=10, depth=6):  # EAGLE-2's rerank: the top total nodes of
        top = scores.view(-1).topk(total, dim=-1)  # all steps, in order, their tokens and parents, each parent's row
        idx = top.indices.sort().values  # by searchsorted, the tree mask by the ancestors' rows (one gather a depth),
        draft = tokens.view(-1)[idx]  # the positions by its row sums
        dparents = parents[torch.div(idx, topk, rounding_mode="floor")]
        mi = torch.searchsorted(idx, dparents - 1, right=False)
        mi = torch.where(dparents == 0, -1, mi) + 1
        mask = torch.eye(total + 1, dtype=torch.bool, device=scores.device)
        mask[:, 0] = True
        par = torch.cat([torch.zeros(1, dtype=torch.long, device=scores.device), mi])
        for _ in range(depth):
            mask = mask | mask[par]
        pos = mask.sum(dim=1) - 1
        return draft, mask, pos

    for total, k, depth in ((60, 10, 6), (80, 10, 8)):
        n = k + (depth - 1) * k * k
        out.append(("eagle2_rerank_tree_mask", P(eagle_rerank, total=total, topk=k, depth=depth),
                    (mf(n), i(n), i(n // k + 1))))

    def tree_verify(q, k_ctx, v_ctx, k_tree, v_tree, tree_mask):  # tree verification in the target: the tree's keys
        t, n = k_ctx.shape[2], q.shape[2]  # after the cache, the prefix columns all visible, the tree mask to an
        k = torch.cat([k_ctx, k_tree], dim=2)  # additive bias, SDPA over the repeated KV heads
        v = torch.cat([v_ctx, v_tree], dim=2)
        full = torch.cat([torch.ones(n, t, dtype=torch.bool, device=q.device), tree_mask], dim=1)
        bias = torch.zeros(n, t + n, dtype=q.dtype, device=q.device).masked_fill(~full, torch.finfo(q.dtype).min)
        rep = q.shape[1] // k.shape[1]
        return F.scaled_dot_product_attention(q, repeat_kv(k, rep), repeat_kv(v, rep), attn_mask=bias)

    # Llama-3.1-8B over 4K with 60 nodes, Qwen2.5-32B (40 / 8) over 16K with 64, Llama-3.1-70B at 4 x 8K with 26
    for b, h, t, n in ((1, 32, 4096, 60), (1, 40, 16384, 64), (4, 64, 8192, 26)):
        out.append(("tree_verify_attention", tree_verify,
                    (m(b, h, n, 128), m(b, 8, t, 128), m(b, 8, t, 128), m(b, 8, n, 128), m(b, 8, n, 128),
                     mb(n, n))))

    def eagle_fc(ids, emb, hidden, w, bias):  # EAGLE's draft input: the next tokens' embeddings beside the target's
        return F.linear(torch.cat([F.embedding(ids, emb), hidden], dim=-1), w, bias)  # features, fused by its fc

    for b, t, d in ((1, 1024, 4096), (8, 1, 4096), (1, 60, 4096), (1, 512, 8192)):
        out.append(("eagle_feature_fc", eagle_fc, (i(b, t), m(128256, d), m(b, t, d), m(d, 2 * d), m(d))))

    def accept_kv(k_cache, v_cache, select, prev_len=4096):  # EAGLE's accepted path written back: the cache's
        n = select.shape[0]  # accepted tree rows picked by index and copied after the prefix
        k_cache[..., prev_len:prev_len + n, :].copy_(k_cache[..., select, :])
        v_cache[..., prev_len:prev_len + n, :].copy_(v_cache[..., select, :])
        return k_cache, v_cache

    for b, t, n, prev in ((1, 8192, 6, 4096), (1, 16384, 7, 12000), (4, 4096, 5, 2048)):
        out.append(("eagle_accept_kv_copy", P(accept_kv, prev_len=prev), (m(b, 8, t, 128), m(b, 8, t, 128), i(n))))

    def lookahead_pool(pool_keys, pool_vals, last, guesses=7):  # Lookahead decoding's n-gram pool lookup: the pool's
        p = pool_keys.shape[0]  # grams keyed by their first token matched to the last token, the most recent
        hit = pool_keys[None, :] == last[:, None]  # matches (ranked by slot) taken at a fixed count, the misses
        rank = hit.float() * torch.arange(1, p + 1, device=last.device, dtype=torch.float)  # padded
        top = rank.topk(guesses, dim=-1)
        g = pool_vals[top.indices]
        return torch.where((top.values > 0)[..., None], g, -1)

    for b, p, n, g in ((1, 8192, 4, 7), (4, 32768, 5, 15)):
        out.append(("lookahead_ngram_pool_match", P(lookahead_pool, guesses=g), (i(p), i(p, n - 1), i(b))))

    def lookahead_window(window, logits, pool, slot):  # the lookahead branch: its newest level by argmax, the window
        new = logits.argmax(dim=-1)  # shifted up a level, the columns' n-grams written into the pool's ring slots
        window = torch.cat([window[:, 1:], new[:, None]], dim=1)
        grams = window.transpose(1, 2).reshape(-1, window.shape[1])
        pool.index_copy_(0, slot, grams)
        return window, pool

    for b, w, n, v in ((1, 15, 5, 128256), (4, 7, 4, 152064)):
        out.append(("lookahead_jacobi_window", lookahead_window,
                    (i(b, n - 1, w), m(b, w, v), i(8192, n - 1), i(b * w))))

    def jacobi_converge(guess, logits):  # Jacobi / CLLM decoding: the new iterate by argmax, its fixed-point prefix
        new = logits.argmax(dim=-1)  # by a cumprod of matches
        same = (new[:, :-1] == guess[:, 1:]).long().cumprod(dim=-1)
        return new, same.sum(dim=-1) + 1

    for b, n, v in ((1, 16, 32000), (8, 32, 128256)):
        out.append(("jacobi_fixed_point", jacobi_converge, (i(b, n), m(b, n, v))))

    def spec_reject(p, q, draft):  # speculative sampling: each draft token accepted where u < p / q (cumprod to the
        b, k = draft.shape  # first rejection), the residual max(p - q, 0) renormalised, the bonus row after the
        pt = p[:, :-1].gather(-1, draft[..., None]).squeeze(-1)  # last, the row at the first rejection gathered and
        qt = q.gather(-1, draft[..., None]).squeeze(-1)  # drawn by an exponential race
        acc = torch.rand_like(pt) < torch.clamp(pt / qt, max=1.0)
        n = acc.long().cumprod(dim=-1).sum(dim=-1)
        resid = torch.clamp(p[:, :-1] - q, min=0)
        resid = resid / resid.sum(dim=-1, keepdim=True)
        dist = torch.cat([resid, p[:, -1:]], dim=1)
        row = dist.gather(1, n[:, None, None].expand(-1, 1, dist.shape[-1])).squeeze(1)
        nxt = row.div(torch.empty_like(row).exponential_(1.0)).argmax(dim=-1)
        return n, nxt

    # Llama-3.1-8B at 32 x 4 drafts, Qwen2.5-72B at 8 x 7, Mistral-7B at 128 x 3
    for b, k, v in ((32, 4, 128256), (8, 7, 152064), (128, 3, 32768)):
        out.append(("speculative_rejection_sample", spec_reject, (mf(b, k + 1, v), mf(b, k, v), i(b, k))))

    def greedy_verify(logits, draft):  # greedy verification: the target's argmax rows matched to the draft by a
        tgt = logits.argmax(dim=-1)  # cumprod, the accepted count, the bonus token gathered, the output row padded
        n = (tgt[:, :-1] == draft).int().cumprod(dim=-1).sum(dim=-1)
        bonus = tgt.gather(1, n[:, None].long())
        pos = torch.arange(draft.shape[1] + 1, device=draft.device)
        toks = torch.cat([draft, bonus], dim=1).scatter(1, n[:, None].long(), bonus)
        return torch.where(pos[None, :] <= n[:, None], toks, -1)

    for b, k, v in ((64, 4, 128256), (16, 8, 152064), (256, 2, 32064)):
        out.append(("speculative_greedy_verify", greedy_verify, (m(b, k + 1, v), i(b, k))))

    def typical_accept(probs, draft, thr=0.09, alpha=0.3):  # vLLM's TypicalAcceptanceSampler: a draft token kept
        cp = probs.gather(-1, draft[..., None]).squeeze(-1)  # where its target probability passes min(eps, alpha x
        ent = -torch.sum(probs * torch.log(probs + 1e-5), dim=-1)  # exp(-entropy)); at the first rejection the
        th = torch.minimum(torch.ones_like(ent) * thr, torch.exp(-ent) * alpha)  # target's argmax instead
        acc = (cp > th).long().cumprod(dim=-1)
        rec = probs.argmax(dim=-1)
        return torch.where(acc.bool(), draft, rec), acc.sum(dim=-1)

    for b, k, v in ((64, 5, 128256), (8, 3, 152064)):
        out.append(("typical_acceptance_sampler", typical_accept, (mf(b, k, v), i(b, k))))

    # ================================================================== constrained decoding
    def apply_bitmask(logits, bitmask):  # xgrammar's apply_token_bitmask_inplace in torch: the int32 words unpacked by
        b, v = logits.shape  # shifts and & 1 into a bool row, cut to the vocabulary, the disallowed logits at -inf
        bits = torch.arange(32, device=logits.device, dtype=torch.int32)
        allowed = ((bitmask.unsqueeze(-1) >> bits) & 1).bool().view(b, -1)[:, :v]
        return logits.masked_fill_(~allowed, NEG)

    # Llama-3.1-8B (128256 = 4008 words) at 1, 64 and 256 requests, Qwen2.5 (152064) at 16, Gemma-2 (256000) at 8
    for b, v in ((1, 128256), (64, 128256), (256, 128256), (16, 152064), (8, 256000)):
        out.append(("xgrammar_token_bitmask", apply_bitmask, (mf(b, v), mi32(b, (v + 31) // 32))))

    def v1_structured_bitmask(logits, rows, row_idx):  # vLLM v1's structured output: the grammar requests' bitmask
        b, v = logits.shape  # rows placed into a full batch of all-allowed (-1) words by their batch index, then
        full = torch.full((b, rows.shape[1]), -1, dtype=torch.int32, device=logits.device)  # applied to the batch
        full[row_idx] = rows
        bits = torch.arange(32, device=logits.device, dtype=torch.int32)
        allowed = ((full.unsqueeze(-1) >> bits) & 1).bool().view(b, -1)[:, :v]
        return logits.masked_fill_(~allowed, NEG)

    for b, n, v in ((128, 16, 128256), (32, 8, 152064)):
        out.append(("vllm_v1_structured_bitmask", v1_structured_bitmask,
                    (mf(b, v), mi32(n, (v + 31) // 32), i(n))))

    def allowed_ids_bias(logits, allowed):  # outlines' allowed-token bias: a -inf bias row, zeros scattered at the
        b, v = logits.shape  # state's allowed ids (padded with -1, sent to a spare column), added to the logits
        idx = torch.where(allowed >= 0, allowed, v)
        bias = torch.full((b, v + 1), NEG, device=logits.device, dtype=logits.dtype).scatter_(1, idx, 0.0)
        return logits + bias[:, :v]

    for b, a, v in ((32, 2048, 128256), (4, 64, 152064), (64, 512, 32768)):
        out.append(("outlines_allowed_ids_bias", allowed_ids_bias, (mf(b, v), i(b, a))))

    def fsm_table_step(logits, table, state, tok):  # a token-level JSON FSM: the next states by the transition
        nxt = table[state, tok]  # table (-1 where a token is not allowed), their rows as the allowed masks
        allowed = table.index_select(0, nxt.clamp(min=0)) >= 0
        return logits.masked_fill(~allowed, NEG), nxt

    for b, states, v in ((64, 256, 128256), (8, 2048, 32000), (256, 64, 152064)):
        out.append(("json_fsm_transition_mask", fsm_table_step, (mf(b, v), mi32(states, v), i(b), i(b))))

    def prefix_token_healing(logits, vocab_first, prefix_id):  # token healing: the last prompt token removed, the
        allowed = vocab_first[None, :] == prefix_id[:, None]  # next token restricted to the ids whose text starts with
        return logits.masked_fill(~allowed, NEG)  # it (a precomputed first-piece id per vocabulary entry)

    for b, v in ((16, 128256), (1, 152064)):
        out.append(("token_healing_prefix_mask", prefix_token_healing, (mf(b, v), i(v), i(b))))

    # ================================================================== multi-LoRA serving
    def bgmv_shrink_expand(x, y, a, bw, idx, scale=1.0, offset=0):  # Punica's BGMV in torch (vLLM's torch ops):
        sa = a[idx].to(x.dtype)  # each token's adapter A gathered by index, einsum shrink, scaled, its B gathered,
        t = torch.einsum("bi,boi->bo", x, sa) * scale  # einsum expand, added into the output slice
        sb = bw[idx].to(x.dtype)
        o = torch.einsum("bi,boi->bo", t, sb)
        y[:, offset:offset + o.shape[1]] += o
        return y

    # Llama-3.1-8B's q slice of qkv (4096 -> 4096 of 6144) at 256 decode tokens, rank 16 of 8 adapters; Qwen2.5-7B's
    # v slice (3584 -> 512 of 4608) at 64 tokens, rank 64 of 32; Mistral-7B's down (14336 -> 4096) at 128, rank 8;
    # Llama-3.1-70B's o (8192 -> 8192) at 32, rank 32
    for t, hin, hout, ytot, off, r, nl in ((256, 4096, 4096, 6144, 0, 16, 8), (64, 3584, 512, 4608, 4096, 64, 32),
                                            (128, 14336, 4096, 4096, 0, 8, 16), (32, 8192, 8192, 8192, 0, 32, 4)):
        out.append(("punica_bgmv_shrink_expand", P(bgmv_shrink_expand, scale=2.0, offset=off),
                    (m(t, hin), m(t, ytot), m(nl, r, hin), m(nl, hout, r), i(t))))

    def sgmv_segments(x, y, a, bw, segs=(1024, 512, 300, 212), ids=(0, 3, 1, 2)):  # Punica's sgmv reference over
        s = 0  # prefill segments: tokens grouped by adapter, each segment's shrink and expand by matmul
        for n, j in zip(segs, ids, strict=True):
            y[s:s + n] += (x[s:s + n] @ a[j].t()) @ bw[j].t()
            s += n
        return y

    for segs, ids, hin, hout, r in (((1024, 512, 300, 212), (0, 3, 1, 2), 4096, 4096, 16),
                                    ((2000, 48), (5, 2), 3584, 18944, 32),
                                    ((700, 700, 600), (0, 1, 2), 5120, 1024, 64)):
        out.append(("punica_sgmv_segments", P(sgmv_segments, segs=segs, ids=ids),
                    (m(sum(segs), hin), m(sum(segs), hout), m(8, r, hin), m(8, hout, r))))

    def sgmv_meta(tok_lora, n_lora=8, max_tokens=4096):  # the sgmv metadata without unique: tokens sorted by adapter
        order = torch.sort(tok_lora, stable=True)  # (stable), per-adapter counts by scatter_add_, segment starts by
        counts = torch.zeros(n_lora, dtype=torch.long, device=tok_lora.device).scatter_add_(  # cumsum
            0, tok_lora, torch.ones_like(tok_lora))
        starts = torch.cumsum(counts, 0) - counts
        return order.values, order.indices, counts, starts

    for t in (256, 8192):
        out.append(("sgmv_sorted_segments_meta", sgmv_meta, (i(t),)))

    def padded_rank_lora(x, a, bw, idx, rank_mask, scaling):  # adapters of ranks 8-64 padded to the largest: each
        sa, sb = a[idx], bw[idx]  # token's A and B gathered, the shrink masked by its adapter's rank row and scaled
        t = torch.bmm(x.unsqueeze(1), sa.transpose(1, 2)).squeeze(1)  # by alpha / r, bmm expand
        t = t * rank_mask[idx] * scaling[idx, None]
        return torch.bmm(t.unsqueeze(1), sb.transpose(1, 2)).squeeze(1)

    for t, hin, hout, nl, r in ((128, 4096, 14336, 4, 64), (32, 5120, 5120, 16, 128), (512, 3584, 3584, 8, 32)):
        out.append(("slora_padded_rank_bmm", padded_rank_lora,
                    (m(t, hin), m(nl, r, hin), m(nl, hout, r), i(t), m(nl, r), m(nl))))

    def lora_index_add(y, x, a, bw, tok_idx, scaling=2.0):  # S-LoRA's gather-scatter per adapter: the adapter's
        for j in range(tok_idx.shape[0]):  # tokens selected, shrink and expand, index_add_ back into the output
            xs = x.index_select(0, tok_idx[j])
            y.index_add_(0, tok_idx[j], (xs @ a[j].t()) @ bw[j].t() * scaling)
        return y

    for t, n, nl, hin, hout, r in ((512, 128, 4, 4096, 4096, 16), (64, 8, 8, 8192, 1024, 8)):
        out.append(("slora_gather_index_add", lora_index_add,
                    (m(t, hout), m(t, hin), m(nl, r, hin), m(nl, hout, r), i(nl, n))))

    def lora_embedding(ids, emb, a_flat, bw, idx, v=128256):  # vLLM's LoRA on the embeddings: the base rows, the
        base = F.embedding(ids, emb)  # adapter's A rows from the stacked tables by an offset id, B gathered per token
        ea = F.embedding(ids + idx * v, a_flat)
        return base + torch.einsum("tr,tdr->td", ea, bw[idx])

    for t, nl, r, v, d in ((256, 4, 16, 128256, 4096), (2048, 8, 8, 32000, 4096)):
        out.append(("lora_embedding_stacked", P(lora_embedding, v=v),
                    (i(t), m(v, d), m(nl * v, r), m(nl, d, r), i(t))))

    def lora_logits(h, w_lm, a, bw, idx, scaling=1.0):  # LoRA on the LM head at decode: base logits plus each
        base = F.linear(h, w_lm)  # request's low-rank delta through its gathered A and B
        t = torch.bmm(h.unsqueeze(1), a[idx].transpose(1, 2))
        return base + torch.bmm(t, bw[idx].transpose(1, 2)).squeeze(1) * scaling

    for b, d, v, r in ((16, 4096, 128256, 16), (64, 3584, 152064, 8)):
        out.append(("lora_lm_head_delta", lora_logits, (m(b, d), m(v, d), m(4, r, d), m(4, v, r), i(b))))

    # ================================================================== weight-only quantised matmuls in torch
    def gptq_old_linear(x, qweight, qzeros, scales, group=128, bits=4):  # AutoGPTQ's qlinear_cuda_old torch path:
        wf = torch.arange(0, 32, bits, dtype=torch.int32, device=x.device).unsqueeze(0)  # zeros and weights
        zeros = torch.bitwise_right_shift(qzeros.unsqueeze(2).expand(-1, -1, 32 // bits),  # unpacked by shifts,
                                          wf.unsqueeze(0)).to(torch.int8)  # masked, zeros + 1, a group view,
        zeros = torch.bitwise_and(zeros, (2 ** bits) - 1) + 1  # scales x (w - z), the matmul
        zeros = zeros.reshape(scales.shape)
        weight = torch.bitwise_right_shift(qweight.unsqueeze(1).expand(-1, 32 // bits, -1),
                                           wf.unsqueeze(-1)).to(torch.int8)
        weight = torch.bitwise_and(weight, (2 ** bits) - 1)
        weight = weight.reshape(-1, group, weight.shape[2])
        weight = scales.reshape(-1, 1, scales.shape[-1]) * (weight - zeros.reshape(-1, 1, zeros.shape[-1]))
        return torch.matmul(x, weight.reshape(-1, weight.shape[2]))

    # Llama-3.1-8B's gate (4096 -> 14336) at decode and a 512-token chunk; Qwen2.5-32B's down (27648 -> 5120) at
    # 4 x 1; Llama-3.1-70B's o (8192 -> 8192) at 16 tokens (fp16 activations, groups of 128)
    for shape, k, n in (((1, 1, 4096), 4096, 14336), ((1, 512, 4096), 4096, 14336), ((4, 1, 27648), 27648, 5120),
                        ((16, 8192), 8192, 8192)):
        out.append(("gptq_cuda_old_dequant_matmul", gptq_old_linear,
                    (mh(*shape), mi32(k // 8, n), mi32(k // 128, n // 8), mh(k // 128, n))))
    # its 8-bit form (four codes a word): Phi-3-medium's gate-up (5120 -> 35840) at decode, groups of 128
    out.append(("gptq_cuda_old_dequant_matmul_8bit", P(gptq_old_linear, bits=8),
                (mh(2, 1, 5120), mi32(5120 // 4, 35840), mi32(5120 // 128, 35840 // 4), mh(5120 // 128, 35840))))

    def awq_dequant_matmul(x, qweight, qzeros, scales, bits=4, group=128):  # AutoAWQ's dequantize_gemm in torch:
        shifts = torch.arange(0, 32, bits, device=x.device)  # weights and zeros unpacked along the columns,
        iw = torch.bitwise_right_shift(qweight[:, :, None], shifts[None, None, :]).to(torch.int8)  # put back from
        iw = iw.view(iw.shape[0], -1)  # AWQ's [0 4 1 5 2 6 3 7] order, masked, the group scales and zeros
        iz = torch.bitwise_right_shift(qzeros[:, :, None], shifts[None, None, :]).to(torch.int8)  # repeated over
        iz = iz.view(iz.shape[0], -1)  # the rows, (w - z) x s, the matmul
        rev = torch.arange(iw.shape[-1], dtype=torch.int32, device=x.device).view(-1, 32 // bits)
        rev = rev[:, [0, 4, 1, 5, 2, 6, 3, 7]].view(-1)
        iw, iz = iw[:, rev], iz[:, rev]
        iw = torch.bitwise_and(iw, (2 ** bits) - 1)
        iz = torch.bitwise_and(iz, (2 ** bits) - 1)
        w = (iw - iz.repeat_interleave(group, dim=0)) * scales.repeat_interleave(group, dim=0)
        return torch.matmul(x, w)

    # Mistral-7B's q (4096 -> 4096) at 8 tokens, Qwen2.5-72B's down (29568 -> 8192) at 1, Mixtral's w1 (4096 -> 14336)
    # at a 256-token chunk
    for t, k, n in ((8, 4096, 4096), (1, 29568, 8192), (256, 4096, 14336)):
        out.append(("awq_dequantize_gemm", awq_dequant_matmul,
                    (mh(t, k), mi32(k, n // 8), mi32(k // 128, n // 8), mh(k // 128, n))))

    def nf4_linear(x, packed, absmax_q, code2, absmax2, offset, code, shape=(4096, 4096), blocksize=64):
        n = packed.numel() * 2  # bitsandbytes' torch dequantize_4bit: the nibbles into an int32 buffer (high, low),
        dq = torch.empty(n, dtype=torch.int32, device=x.device)  # the NF4 table looked up, the double-quantised
        dq[1::2] = packed & 0xF  # absmax (its own 256-blocks through code2) plus the offset, the blocks scaled, the
        dq[::2] = packed >> 4  # weight in bf16 and the linear
        vals = code.to(x.dtype)[dq]
        absmax = (code2[absmax_q.int()].view(-1, 256) * absmax2.view(-1, 1)).view(-1) + offset
        w = (vals.view(-1, blocksize) * absmax.view(-1, 1)).reshape(shape).to(x.dtype)
        return F.linear(x, w)

    # Llama-3.1-8B's o (4096 x 4096) at decode, Mistral-7B's gate (14336 x 4096) at 4 x 256, Llama-3.1-70B's up
    # (28672 x 8192) at 16 decode sequences
    for xs, o, k in (((1, 1, 4096), 4096, 4096), ((4, 256, 4096), 14336, 4096), ((16, 1, 8192), 28672, 8192)):
        nb = o * k // 64
        out.append(("bnb_nf4_double_quant_linear", P(nf4_linear, shape=(o, k)),
                    (m(*xs), mu8(o * k // 2), mu8(nb), mf(256), mf(nb // 256), mf(1), mf(16))))

    def fp8_tensor_linear(x, w8, w_scale, x_per_token=True):  # an FP8 checkpoint's linear in torch (no fp8 GEMM):
        if x_per_token:  # the activations quantised per token (amax / 448) and back, the per-tensor (or per-channel)
            s = x.abs().amax(dim=-1, keepdim=True).float().clamp(min=1e-12) / 448.0  # scaled e4m3 weight upcast
            xq = (x.float() / s).clamp(-448.0, 448.0).to(torch.float8_e4m3fn)
            x = (xq.float() * s).to(torch.bfloat16)
        return F.linear(x, w8.to(torch.bfloat16) * w_scale)

    # Llama-3.1-8B-FP8's qkv (per tensor) at 64 decode tokens, Llama-3.1-70B-FP8's down (per channel) at 8, Phi-3-medium
    # qkv (5120 -> 7680) at a 2048-token prefill
    for t, k, n, sc in ((64, 4096, 6144, (1,)), (8, 28672, 8192, (8192, 1)), (2048, 5120, 7680, (1,))):
        out.append(("fp8_per_tensor_dequant_linear", fp8_tensor_linear, (m(t, k), mf8(n, k), mf(*sc))))

    def fp8_block_dequant_linear(x, w8, s, block=128):  # block-scaled FP8 weights (128 x 128 blocks, as DeepSeek's
        n, k = w8.shape  # and Qwen3's FP8 checkpoints) dequantised in torch, the activations per-token-group (128)
        w = (w8.float().view(n // block, block, k // block, block) * s[:, None, :, None]).view(n, k).to(x.dtype)
        t = x.shape[0]  # fake-quantised, the linear
        xg = x.float().view(t, k // block, block)
        xs = xg.abs().amax(dim=-1, keepdim=True).clamp(min=1e-4) / 448.0
        xq = (xg / xs).to(torch.float8_e4m3fn)
        return F.linear((xq.float() * xs).view(t, k).to(x.dtype), w)

    # Qwen2.5-72B's down (29568 -> 8192) at 1 and 2048 tokens; a DeepSeek-V2-Lite shared expert's up (2048 -> 2816)
    # at 512
    for t, k, n in ((1, 29568, 8192), (2048, 29568, 8192), (512, 2048, 2816)):
        out.append(("fp8_block128_dequant_linear", fp8_block_dequant_linear,
                    (m(t, k), mf8(n, k), mf((n + 127) // 128, (k + 127) // 128))))

    def int8_weight_only(x, w8, scales):  # torchao's int8 weight-only linear: the int8 weight cast up, the product,
        y = torch.mm(x.view(-1, x.shape[-1]), w8.t().to(x.dtype))  # the per-channel scales applied after
        return (y * scales).view(*x.shape[:-1], -1)

    for xs, n, k in (((8, 1, 4096), 128256, 4096), ((1, 1024, 5120), 7680, 5120), ((32, 1, 3584), 18944, 3584)):
        out.append(("torchao_int8_weight_only", int8_weight_only, (m(*xs), mi8(n, k), m(n))))

    def moe_int4_experts(x, packed, scales, zeros, eids, weights, group=128):  # a decode step's routed experts in
        p = packed[eids]  # int4 (two per byte, groups of 128 with zeros): the chosen experts' nibbles gathered,
        lo, hi = p & 0xF, p >> 4  # interleaved, dequantised, the tokens' rows through them by einsum, weighted and
        w = torch.stack([lo, hi], dim=-1).view(*p.shape[:-1], -1).to(x.dtype)  # summed
        b, k, n, kk = w.shape
        w = ((w.view(b, k, n, kk // group, group) - zeros[eids][..., None]) * scales[eids][..., None]).view(b, k, n, kk)
        y = torch.einsum("bd,bknd->bkn", x, w)
        return (y * weights[..., None]).sum(dim=1)

    # Mixtral-8x7B's w1 (4096 -> 14336) at 1 token, top-2 of 8; DeepSeek-V2-Lite's experts (2048 -> 1408) at 4 tokens,
    # top-6 of 64
    for b, d, n, e, k in ((1, 4096, 14336, 8, 2), (4, 2048, 1408, 64, 6)):
        out.append(("moe_int4_expert_dequant", moe_int4_experts,
                    (m(b, d), mu8(e, n, d // 2), m(e, n, d // 128), m(e, n, d // 128), i(b, k), m(b, k))))

    # ================================================================== logits processors and beam search
    def repetition_penalty(ids, scores, penalty=1.2):  # transformers' RepetitionPenaltyLogitsProcessor: the generated
        s = torch.gather(scores, 1, ids)  # ids' logits gathered, divided where positive and multiplied where not,
        s = torch.where(s < 0, s * penalty, s / penalty)  # scattered back
        return scores.scatter(1, ids, s)

    # Gemma-2-9B (256000) at 8 x 2048 ids, Qwen2.5-7B at 128 x 512, Phi-3 (32064) at 64 x 4096
    for b, t, v in ((8, 2048, 256000), (128, 512, 152064), (64, 4096, 32064)):
        out.append(("hf_repetition_penalty", repetition_penalty, (i(b, t), mf(b, v))))

    def vllm_penalties(logits, prompt_ids, out_ids, rep, freq, pres):  # vLLM's apply_penalties: prompt and output
        b, v = logits.shape  # counts by scatter_add_ into a spare padding column, the repetition penalty where
        def bins(t):  # either appears (masked_fill elsewhere), frequency and presence subtracted
            return torch.zeros(b, v + 1, dtype=torch.long, device=t.device).scatter_add_(
                1, t, torch.ones_like(t))[:, :v]
        pm = bins(prompt_ids) > 0
        oc = bins(out_ids)
        om = oc > 0
        r = rep[:, None].repeat(1, v).masked_fill_(~(pm | om), 1.0)
        logits = torch.where(logits > 0, logits / r, logits * r)
        logits -= freq.unsqueeze(1) * oc
        logits -= pres.unsqueeze(1) * om
        return logits

    # Mistral-7B (32768) at 256 x (2048 prompt, 512 out); DeepSeek-V2-Lite (102400) at 32 x (8192, 1024)
    for b, tp, to, v in ((256, 2048, 512, 32768), (32, 8192, 1024, 102400)):
        out.append(("vllm_apply_penalties", vllm_penalties, (mf(b, v), i(b, tp), i(b, to), mf(b), mf(b), mf(b))))

    def no_repeat_ngram(ids, scores, n=3):  # NoRepeatNGramLogitsProcessor in tensors: the generated n-grams by unfold,
        b, v = scores.shape  # those whose first n - 1 tokens match the last n - 1 ban their last token (a spare
        grams = ids.unfold(1, n, 1)  # column takes the misses), the banned logits at -inf
        prefix = ids[:, ids.shape[1] - n + 1:]
        hit = (grams[:, :, :-1] == prefix[:, None, :]).all(dim=-1)
        banned = torch.where(hit, grams[:, :, -1], v)
        ban = torch.zeros(b, v + 1, dtype=torch.bool, device=ids.device).scatter_(1, banned, True)[:, :v]
        return scores.masked_fill(ban, NEG)

    for b, t, n, v in ((16, 1024, 3, 128256), (32, 256, 4, 32000), (4, 4096, 2, 152064)):
        out.append(("no_repeat_ngram_ban", P(no_repeat_ngram, n=n), (i(b, t), mf(b, v))))

    def min_p(scores, p_base=0.05, min_keep=1):  # transformers' MinPLogitsWarper: the probabilities against min_p x
        probs = torch.softmax(scores, dim=-1)  # the top, the removals through the descending order so the first
        top = probs.amax(dim=-1, keepdim=True)  # min_keep survive, scattered back
        remove = probs < p_base * top
        sidx = torch.argsort(scores, descending=True, dim=-1)
        srem = torch.gather(remove, dim=-1, index=sidx)
        srem[..., :min_keep] = False
        remove = srem.scatter(1, sidx, srem)
        return scores.masked_fill(remove, NEG)

    for b, v in ((64, 152064), (1, 256000), (16, 128256)):
        out.append(("hf_min_p_warper", min_p, (mf(b, v),)))

    def typical_p(scores, mass=0.9, min_keep=1):  # transformers' TypicalLogitsWarper: the entropy, each token's
        normalized = torch.nn.functional.log_softmax(scores, dim=-1)  # distance from it, sorted ascending, the
        p = torch.exp(normalized)  # cumulative mass of the sorted logits, the cut by a count and a gather,
        ent = -(normalized * p).nansum(-1, keepdim=True)  # removals scattered back
        shifted = torch.abs((-normalized) - ent)
        sorted_scores, sorted_indices = torch.sort(shifted, descending=False)
        sorted_logits = scores.gather(-1, sorted_indices)
        cum = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        last_ind = (cum < mass).sum(dim=1)
        last_ind.clamp_(max=sorted_scores.shape[-1] - 1)
        srem = sorted_scores > sorted_scores.gather(1, last_ind.view(-1, 1))
        srem[..., :min_keep] = 0
        remove = srem.scatter(1, sorted_indices, srem)
        return scores.masked_fill(remove, NEG)

    for b, v in ((32, 128256), (8, 32064)):
        out.append(("hf_typical_warper", typical_p, (mf(b, v),)))

    def temp_topk_topp_sample(logits, temp=0.7, k=50, top_p=0.9):  # transformers' sampling chain: temperature,
        scores = logits.float() / temp  # TopK by the k-th value, TopP over an ascending sort and cumsum (the last
        kth = torch.topk(scores, k)[0][..., -1, None]  # kept), scattered back, softmax, multinomial
        scores = scores.masked_fill(scores < kth, NEG)
        sorted_logits, sorted_indices = torch.sort(scores, descending=False)
        cum = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        srem = cum <= (1 - top_p)
        srem[..., -1:] = 0
        remove = srem.scatter(1, sorted_indices, srem)
        scores = scores.masked_fill(remove, NEG)
        return torch.multinomial(F.softmax(scores, dim=-1), num_samples=1)

    # bf16 LM-head rows of Llama-3.1-8B at 1 and 256 sequences, Qwen2.5-72B's at 48, Mixtral's (32000) at 96
    for b, v, k in ((1, 128256, 50), (256, 128256, 20), (48, 152064, 40), (96, 32000, 64)):
        out.append(("hf_temperature_topk_topp_sample", P(temp_topk_topp_sample, k=k), (m(b, v),)))

    def beam_step(logits, beam_scores, k_cache, v_cache, num_beams=4):  # transformers' beam search step: log-softmax
        bn, v = logits.shape  # plus the running beam scores, the top 2 x beams over beams x vocabulary, the beams'
        b = bn // num_beams  # origins and tokens by floor division and remainder, the caches reordered by their
        s = F.log_softmax(logits.float(), dim=-1) + beam_scores[:, None]  # origins (index_select)
        s = s.view(b, num_beams * v)
        top, idx = torch.topk(s, 2 * num_beams, dim=1, largest=True, sorted=True)
        origin = torch.div(idx, v, rounding_mode="floor")
        tok = idx % v
        beam_idx = (origin[:, :num_beams] + torch.arange(b, device=idx.device)[:, None] * num_beams).view(-1)
        return top, tok, k_cache.index_select(0, beam_idx), v_cache.index_select(0, beam_idx)

    # Llama-3.1-8B at 4 x 4 beams over 1024 tokens, Qwen2.5-7B at 8 x 8 over 512, Mistral-7B at 1 x 16 over 2048
    for b, nb, v, hk, t in ((4, 4, 128256, 8, 1024), (8, 8, 152064, 4, 512), (1, 16, 32768, 8, 2048)):
        out.append(("beam_search_step_reorder", P(beam_step, num_beams=nb),
                    (m(b * nb, v), mf(b * nb), m(b * nb, hk, t, 128), m(b * nb, hk, t, 128))))

    def cfg_logits(scores, guidance=1.5):  # transformers' classifier-free guidance processor: the batch's
        s = F.log_softmax(scores, dim=-1)  # conditional and unconditional halves' log-probs mixed
        unc, cond = s.split(scores.shape[0] // 2, dim=0)
        return guidance * (cond - unc) + unc

    for b, v in ((32, 128256), (8, 152064)):
        out.append(("hf_cfg_logits_processor", cfg_logits, (mf(b, v),)))

    def contrastive_rank(context_hidden, next_hidden, probs, alpha=0.6, top_k=4):  # contrastive search's
        ctx = context_hidden.repeat_interleave(top_k, dim=0)  # _ranking_fast: the context repeated per candidate,
        nc = ctx / ctx.norm(dim=2, keepdim=True)  # cosines to each candidate's hidden state, the degeneration
        nn_ = next_hidden / next_hidden.norm(dim=2, keepdim=True)  # penalty by max, the contrastive score, the best
        cos = torch.matmul(nc, nn_.transpose(1, 2)).squeeze(-1)  # candidate per sequence
        pen, _ = torch.max(cos, dim=-1)
        score = (1.0 - alpha) * probs.view(-1) - alpha * pen
        score = torch.stack(torch.split(score, top_k))
        return score.max(dim=-1)

    for b, k, t, d in ((4, 4, 1024, 4096), (16, 5, 512, 3584)):
        out.append(("contrastive_search_ranking", P(contrastive_rank, top_k=k),
                    (m(b, t, d), m(b * k, 1, d), mf(b, k))))

    def logit_bias_min_len(logits, rows, cols, vals, eos, cur_len=3, min_len=8):  # vLLM's logit_bias as one
        logits.index_put_((rows, cols), vals, accumulate=True)  # accumulating index_put_ of (request, token, bias),
        v = logits.shape[-1]  # then the min-tokens rule: EOS ids (isin over the vocabulary) at -inf while short
        eos_mask = torch.isin(torch.arange(v, device=logits.device), eos)
        return torch.where(eos_mask & (cur_len < min_len), NEG, logits)

    for b, n, v, ne in ((64, 640, 128256, 3), (256, 2560, 152064, 2)):
        out.append(("logit_bias_min_tokens", logit_bias_min_len, (mf(b, v), i(n), i(n), mf(n), i(ne))))

    def sample_logprobs(logits, temp, k=5):  # a sampler's draw with log-probs: per-request temperature, the
        lp = torch.log_softmax(logits, dim=-1)  # exponential race, the sampled token's log-prob and rank, the top-k
        probs = torch.softmax(logits / temp[:, None], dim=-1)
        tok = probs.div(torch.empty_like(probs).exponential_(1.0)).argmax(dim=-1)
        slp = lp.gather(-1, tok[:, None])
        rank = (lp > slp).sum(dim=-1) + 1
        return tok, slp, rank, lp.topk(k, dim=-1)

    for b, v, k in ((32, 256000, 5), (256, 32064, 1)):
        out.append(("sampler_logprobs_rank", P(sample_logprobs, k=k), (mf(b, v), mf(b))))

    def mirostat_v2(scores, mu, tau=5.0, eta=0.1):  # Mirostat v2 in tensors: the sorted distribution's surprises
        sl, si = torch.sort(scores, descending=True, dim=-1)  # (-log2 p), the tokens above mu dropped (the first
        p = torch.softmax(sl, dim=-1)  # always kept), renormalised, a draw, its surprise moving mu
        surprise = -torch.log2(p)
        drop = surprise > mu[:, None]
        drop[:, 0] = False
        pk = torch.softmax(sl.masked_fill(drop, NEG), dim=-1)
        j = torch.multinomial(pk, num_samples=1)
        tok = si.gather(1, j)
        s_obs = -torch.log2(pk.gather(1, j)).squeeze(1)
        return tok, mu - eta * (s_obs - tau)

    for b, v in ((1, 128256), (16, 32000)):
        out.append(("mirostat_v2_step", mirostat_v2, (mf(b, v), mf(b))))

    def xtc(scores, threshold=0.1, probability=0.5):  # XTC (exclude top choices): on a coin flip per request, every
        sl, si = torch.sort(scores, descending=True, dim=-1)  # token above the threshold except the least likely of
        p = torch.softmax(sl, dim=-1)  # them removed (a count, a position compare), scattered back
        above = p >= threshold
        n = above.sum(dim=-1, keepdim=True)
        pos = torch.arange(scores.shape[-1], device=scores.device)[None, :]
        srem = above & (pos < n - 1)
        srem = srem & (torch.rand(scores.shape[0], 1, device=scores.device) < probability)
        return scores.masked_fill(srem.scatter(1, si, srem), NEG)

    for b, v in ((8, 128256), (64, 152064)):
        out.append(("xtc_exclude_top_choices", xtc, (mf(b, v),)))

    # ================================================================== paged and prefix caching helpers
    def paged_gather_decode(q, k_cache, v_cache, block_table, seq_lens):  # vLLM's block-table gather: the pages
        b, nb = block_table.shape  # ([num_blocks, block_size, kv heads, dim]) gathered into contiguous keys and
        bs, hk, d = k_cache.shape[1:]  # values, masked by each sequence's length, SDPA with GQA
        k = k_cache[block_table].view(b, nb * bs, hk, d).transpose(1, 2)
        v = v_cache[block_table].view(b, nb * bs, hk, d).transpose(1, 2)
        mask = torch.arange(nb * bs, device=q.device)[None, :] < seq_lens[:, None]
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask[:, None, None, :], enable_gqa=True)

    # Llama-3.1-70B (8 KV heads) at 16 x 4096 in blocks of 16; Qwen2.5-7B at 64 x 2048 in blocks of 32;
    # Llama-3.1-8B at 4 x 32K in blocks of 16
    for b, h, hk, t, bs, nblk in ((16, 64, 8, 4096, 16, 8192), (64, 28, 4, 2048, 32, 8192),
                                  (4, 32, 8, 32768, 16, 16384)):
        out.append(("paged_block_table_gather_decode", paged_gather_decode,
                    (m(b, h, 1, 128), m(nblk, bs, hk, 128), m(nblk, bs, hk, 128), mi32(b, t // bs), i(b))))

    def flashinfer_hnd_gather(q, paged_kv, page_idx, last_len, k_scale=1.0, v_scale=1.0):  # FlashInfer's HND layout
        b, np_ = page_idx.shape  # ([pages, 2, kv heads, page, dim], fp8 pages with scales) gathered per request,
        kv = paged_kv[page_idx]  # keys and values split, upcast and scaled, the last page's tail masked
        _, _, _, hk, ps, d = kv.shape
        k = (kv[:, :, 0].to(q.dtype) * k_scale).permute(0, 2, 1, 3, 4).reshape(b, hk, np_ * ps, d)
        v = (kv[:, :, 1].to(q.dtype) * v_scale).permute(0, 2, 1, 3, 4).reshape(b, hk, np_ * ps, d)
        valid = torch.arange(np_ * ps, device=q.device)[None, :] < ((np_ - 1) * ps + last_len[:, None])
        return F.scaled_dot_product_attention(q, k, v, attn_mask=valid[:, None, None, :], enable_gqa=True)

    for b, h, hk, np_, ps, pages in ((32, 32, 8, 128, 16, 8192), (8, 40, 8, 256, 32, 4096)):
        out.append(("flashinfer_hnd_fp8_page_gather", flashinfer_hnd_gather,
                    (m(b, h, 1, 128), mf8(pages, 2, hk, ps, 128), i(b, np_), i(b))))

    def copy_blocks(k_cache, v_cache, src, dst):  # vLLM's copy_blocks (copy-on-write of forked sequences' last
        k_cache.index_copy_(0, dst, k_cache.index_select(0, src))  # blocks): the source pages copied onto the
        v_cache[dst] = v_cache[src]  # destinations, by index_copy_ and by an index and index_put_
        return k_cache, v_cache

    for nblk, bs, hk, n in ((8192, 16, 8, 64), (4096, 32, 4, 512), (16384, 16, 8, 4)):
        out.append(("vllm_copy_on_write_blocks", copy_blocks,
                    (m(nblk, bs, hk, 128), m(nblk, bs, hk, 128), i(n), i(n))))

    def write_slots(k_cache, v_cache, k, v, slot, k_scale):  # the cache write by (block, offset) pairs: the slots
        bs = k_cache.shape[1]  # split by floor division and remainder, the new keys (fp8 by their scale) and values
        blk, off = torch.div(slot, bs, rounding_mode="floor"), slot % bs  # written by a two-index index_put_
        k_cache[blk, off] = (k / k_scale).to(k_cache.dtype)
        v_cache[blk, off] = (v / k_scale).to(v_cache.dtype)
        return k_cache, v_cache

    for t, nblk, bs, hk, dt in ((256, 8192, 16, 8, torch.bfloat16), (8192, 4096, 16, 8, torch.float8_e4m3fn),
                                (64, 16384, 32, 4, torch.float8_e4m3fn)):
        out.append(("paged_write_block_offset", write_slots,
                    (m(nblk, bs, hk, 128, dt=dt), m(nblk, bs, hk, 128, dt=dt), m(t, hk, 128), m(t, hk, 128), i(t),
                     mf(1))))

    def v1_prepare_inputs(num_computed, num_scheduled, block_table, block_size=16, total=256):  # vLLM v1's
        b, mb_ = block_table.shape  # _prepare_inputs: each token's request by repeat_interleave (a known total),
        req = torch.repeat_interleave(torch.arange(b, device=block_table.device), num_scheduled, output_size=total)
        cu = torch.cumsum(num_scheduled, 0)  # its offset in the request by the cumsum, its position, the block
        offs = torch.arange(total, device=req.device) - (cu - num_scheduled)[req]  # number from the flattened
        pos = num_computed[req] + offs  # block table, the slot mapping
        blk = block_table.flatten()[req * mb_ + torch.div(pos, block_size, rounding_mode="floor")]
        slot = blk.long() * block_size + pos % block_size
        return pos, slot, cu

    for b, total, mb_ in ((256, 256, 512), (17, 8448, 2048)):
        out.append(("vllm_v1_positions_slot_mapping", P(v1_prepare_inputs, total=total),
                    (i(b), i(b), mi32(b, mb_))))

    def chunked_prefill_mixed(q, k, v, cu_q, ctx_lens, cu_k):  # a chunked-prefill batch (one prefill chunk then the
        tq, tk = q.shape[2], k.shape[2]  # decodes) attended at once: each query's and key's request by
        qa = torch.arange(tq, device=q.device)  # searchsorted over cu_seqlens, the queries' positions after their
        ka = torch.arange(tk, device=q.device)  # cached contexts, a varlen causal mask, SDPA over the repeated KV heads
        qs = torch.searchsorted(cu_q, qa, right=True) - 1
        ks = torch.searchsorted(cu_k, ka, right=True) - 1
        qpos = ctx_lens[qs] + qa - cu_q[qs]
        kpos = ka - cu_k[ks]
        mask = (qs[:, None] == ks[None, :]) & (kpos[None, :] <= qpos[:, None])
        rep = q.shape[1] // k.shape[1]
        return F.scaled_dot_product_attention(q, repeat_kv(k, rep), repeat_kv(v, rep), attn_mask=mask)

    # Llama-3.1-8B: a 512-token chunk (1536 cached) and 64 decodes over 512; Qwen2.5-7B: a fresh 2048-token chunk and
    # 32 decodes over 1024
    for h, hk, chunk, pre, nd, ctx in ((32, 8, 512, 1536, 64, 512), (28, 4, 2048, 0, 32, 1024)):
        tq, tk = chunk + nd, pre + chunk + nd * (ctx + 1)
        out.append(("chunked_prefill_varlen_mask", chunked_prefill_mixed,
                    (m(1, h, tq, 128), m(1, hk, tk, 128), m(1, hk, tk, 128), i(nd + 2), i(nd + 1), i(nd + 2))))

    def cascade_prefix(q, k_pref, v_pref, k_suf, v_suf, suf_len):  # Hydragen / cascade attention over a shared
        b, h, _, d = q.shape  # prefix: every request's query against the one prefix (a batched product), the
        rep = h // k_pref.shape[1]  # suffixes' own, both with their log-sum-exps, merged by a sigmoid of the
        qp = q.transpose(0, 2)  # difference
        s1 = torch.matmul(qp, repeat_kv(k_pref, rep).transpose(-1, -2)).float() / math.sqrt(d)
        lse1 = torch.logsumexp(s1, dim=-1, keepdim=True)
        o1 = torch.matmul(torch.exp(s1 - lse1).to(q.dtype), repeat_kv(v_pref, rep)).transpose(0, 2)
        s2 = torch.matmul(q, repeat_kv(k_suf, rep).transpose(-1, -2)).float() / math.sqrt(d)
        valid = torch.arange(k_suf.shape[2], device=q.device)[None, :] < suf_len[:, None]
        s2 = s2.masked_fill(~valid[:, None, None, :], NEG)
        lse2 = torch.logsumexp(s2, dim=-1, keepdim=True)
        o2 = torch.matmul(torch.exp(s2 - lse2).to(q.dtype), repeat_kv(v_suf, rep))
        w = torch.sigmoid(lse1.transpose(0, 2) - lse2)
        return (w * o1.float() + (1 - w) * o2.float()).to(q.dtype)

    # Llama-3.1-8B: 64 requests sharing an 8K prefix with 512-token suffixes; Qwen2.5-32B: 256 over 2K with 128
    for b, h, hk, pre, suf in ((64, 32, 8, 8192, 512), (256, 40, 8, 2048, 128)):
        out.append(("hydragen_shared_prefix_merge", cascade_prefix,
                    (m(b, h, 1, 128), m(1, hk, pre, 128), m(1, hk, pre, 128), m(b, hk, suf, 128),
                     m(b, hk, suf, 128), i(b))))

    def mla_paged_decode(q_nope, q_pe, w_uk, w_uv, ckv_cache, block_table, seq_lens, kv_rank=512):  # DeepSeek-V2-
        b, h, _ = q_nope.shape  # Lite's absorbed MLA decode over a paged latent cache ([blocks, 64, 512 + 64]):
        nb = block_table.shape[1]  # the pages gathered, split into the latent and the rope keys, q absorbed into the
        c = ckv_cache[block_table].view(b, -1, ckv_cache.shape[-1])  # latent by W_UK, scores over both, length mask,
        lat, pe = c[..., :kv_rank], c[..., kv_rank:]  # softmax, the latent output through W_UV
        ql = torch.einsum("bhd,hdc->bhc", q_nope, w_uk)
        s = (torch.einsum("bhc,btc->bht", ql, lat) + torch.einsum("bhr,btr->bht", q_pe, pe)).float()
        s = s * (1.0 / math.sqrt(192))
        valid = torch.arange(nb * ckv_cache.shape[1], device=s.device)[None, :] < seq_lens[:, None]
        p = F.softmax(s.masked_fill(~valid[:, None, :], NEG), dim=-1).to(q_nope.dtype)
        o = torch.einsum("bht,btc->bhc", p, lat)
        return torch.einsum("bhc,hcd->bhd", o, w_uv)

    for b, t, nblk in ((32, 4096, 4096), (128, 1024, 4096)):
        out.append(("mla_paged_latent_decode", mla_paged_decode,
                    (m(b, 16, 128), m(b, 16, 64), m(16, 128, 512), m(16, 512, 128), m(nblk, 64, 576),
                     mi32(b, t // 64), i(b))))

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK37, _check37()),))
