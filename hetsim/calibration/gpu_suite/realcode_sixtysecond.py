"""The aten sweep's thirty-third blind real-code group: `realcode-check33`, long-context memory, retrieval and
efficient inference: KV-cache eviction and compression, sparse attention in plain torch, MLA, multi-token prediction
and DeepSeek-style MoE routing, speculative decoding, dense, sparse and multi-vector retrieval, memory architectures,
quantised inference in pure torch and paged KV caches.

Each case is one op or a short idiom as the methods' public reference code writes it, at real widths, batches, context
lengths, vocabularies and dtypes (bf16 for inference, fp16 where a method's code runs its model in half (OPT, Vicuna,
ColBERTv2, InfLLM's Mistral, the quantised kernels' activations), fp32 for scores, softmaxes, memories and sampling,
float8_e4m3fn caches, weights and activations, complex64 freqs_cis, int32 packed codes, words and page tables, int8 /
uint8 weights and codes, int64 ids, bool masks): KV-cache eviction and compression (H2O's prefill heavy-hitter scores
and its decode eviction by topk, sort and gathers beside the recent window; SnapKV's update_kv with max pooling of the
observation window's votes over 16K-32K prompts; PyramidKV's per-layer capacities with average pooling;
StreamingLLM's evict_for_space and a sink + window decode step; Scissorhands' persistence-of-importance counts; KIVI-2's
per-channel key and per-token value quantisation packed into int32 by shifts, KIVI-4, and the decode step unpacking
both; FastGen's policy profiling by recovered attention); sparse attention (NSA's mean-pooled compression, its
compressed branch at prefill with the selection blocks' top-16, the selected and sliding-window branches gated at
decode; MoBA's gate over 128K tokens; InfLLM's representative tokens and unit lookup; DeepSeek-V3.2's lightning indexer
in its fp8 path: act_quant's per-128 e4m3 cast, fp8 index scores with the keys' scales and top-2048 at decode and
prefill; SeerAttention-R's decode gate and pooled-key append; a block-sparse mask by repeat_interleave into SDPA;
XAttention's antidiagonal strided scoring with cumulative block selection; MInference's vertical-and-slash estimate
with its as_strided diagonal sums; ShadowKV's landmarks, outlier chunks and low-rank key reconstruction; Double
Sparsity's label-channel scores; Star Attention's anchored blocks); MLA, MTP and MoE (DeepSeek-V3's absorbed MLA decode
step with the q LoRA, complex rotary, cache writes and einsums over the latent and rope caches, DeepSeek-V2-Lite's, the
naive MLA prefill; V3's and MiMo-7B's multi-token-prediction input and loss; V3's sigmoid group-limited gate with its
aux-loss-free bias, Kimi-K2's one-group gate, V2's group-limited greedy softmax gate; the bias update and V3's
sequence-wise balance loss; dispatch by a stable argsort and index_select, combine by index_add_ and by scatter_add_
with the shared expert, capacity-padded experts by bmm); speculative decoding (EAGLE-2's draft-tree expansion, mask
step and rerank; tree verification through an eager tree mask; ancestor masks by gathers; Medusa's greedy and typical
acceptance by cumprod; speculative rejection sampling with the residual drawn by the exponential race; EAGLE-3's
three-layer feature fusion and reduced draft vocabulary); retrieval (ColBERT's colbert_score; PLAID's centroid pruning
and approximate MaxSim; PQ distance tables and ADC by gather; IVF probing of padded lists; binary codes packed into
int32 words, Hamming top-k by XOR and a SWAR popcount, int8 rescoring and calibration; Matryoshka truncated search and
MatryoshkaLoss; SPLADE-v3's pooling with top-k pruning; BM25 over a dense term matrix; reciprocal rank fusion by double
argsort; monoT5's true / false head; exact MIPS over 1M-10M vectors); memory architectures (Titans' two-layer MLP
memory with hand-written gradients, momentum and forgetting; Infini-attention's ELU + 1 compressive memory with the
delta rule and its gate; ARMT's DPFP associative memory write and read; a Memorizing Transformer's kNN memory attention
with the joint softmax; LongMem's chunk retrieval and gated fusion; a Qwen2.5-7B layer over RL-MemAgent's window; the
Compressive Transformer's strided-conv compression and attention-reconstruction loss; gisting's masks by cumsum);
quantised inference (AutoGPTQ's int4 unpacking with g_idx, AutoAWQ's reverse-order unpacking, HQQ's nibbles,
bitsandbytes' NF4 with double quantisation, e4m3 emulated in float arithmetic, per-token dynamic fp8 linears by
_scaled_mm, DeepSeek-V3's block-scaled fp8 weights dequantised, SmoothQuant's smoothing of q / k / v, W8A8 by _int_mm,
NVFP4 fake quantisation, QuaRot's butterfly Hadamard, AQLM by embedding_bag); paged caches (vLLM's reshape_and_cache by
index_copy_ and its fp8 form by index_put_, block-table gather decodes with bf16 and fp8 pages, SGLang's torch-native
decode through req_to_token, FlashInfer-style append slots by searchsorted, radix prefix matches by cumprod, prefix
block hashes chained by cumsum, copy-on-write of pages).
Data-dependent steps of the reference code are written without data-dependent shapes: boolean-mask selections as
gathers of top-k indices (H2O's and Scissorhands' kept keys), masked_fill and where (MoBA's causal chunks, PLAID's
pruned centroids, padded IVF lists, paged contexts), per-expert loops as one stable sort and a grouped bmm over
capacity slots (counts by scatter_add_, never bincount), ragged requests at equal lengths (SGLang's decode), loops cut
to their first steps (Titans' four chunks). torch.unique and bincount are left out (their output shapes follow the
values on the meta device).
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK33 = "realcode-check33"


def _check33():
    import math

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _dtype_makers, _meta_makers, repeat_kv, rotate_half

    m, i = _meta_makers()

    mh, mf, mb, mi32 = _dtype_makers()

    def mu8(*shape):  # uint8 (packed nibbles, binary codes, PQ codes)
        return m(*shape, dt=torch.uint8)

    def mi8(*shape):  # int8 (quantised caches, weights and activations)
        return m(*shape, dt=torch.int8)

    def mf8(*shape):  # float8_e4m3fn (fp8 caches, weights and activations)
        return m(*shape, dt=torch.float8_e4m3fn)

    def mc64(*shape):  # complex64 (DeepSeek's freqs_cis)
        return m(*shape, dt=torch.complex64)

    def sc(dt=torch.float32):  # a 0-dim tensor (a per-tensor scale, a learned scalar)
        return torch.empty((), dtype=dt, device="meta")

    def causal_fill(s):  # an upper-triangular -inf mask added over the last two dims (the prompt's causal mask)
        n, t = s.shape[-2], s.shape[-1]
        return s + torch.triu(torch.full((n, t), float("-inf"), dtype=s.dtype, device=s.device), t - n + 1)

    out = []

    # ================================================================== KV-cache eviction and compression
    def h2o_prefill_scores(q, k):  # H2O's prefill: the prompt's causal fp32 attention, each key's accumulated score
        b, h, t, d = q.shape  # summed over the queries and averaged over its KV group
        hk = k.shape[1]
        s = causal_fill(torch.matmul(q, repeat_kv(k, h // hk).transpose(2, 3)) / math.sqrt(d))
        p = torch.softmax(s, dim=-1, dtype=torch.float32)
        return p.sum(2).view(b, hk, h // hk, t).mean(2)

    def h2o_decode_evict(hh, attn, k, v, recent=256):  # H2OKVCache_LayerWise at a full budget: the step's attention
        hh = hh + attn.sum(2)  # folded in, the heavy hitters outside the recent window by topk and sorted, the recent
        t = k.shape[2]  # window kept, the kept keys and values gathered (the reference's bool-mask select)
        heavy = t - recent - 1
        keep = hh[..., : t - recent].topk(heavy, dim=-1).indices.sort(-1).values
        keep = torch.cat([keep, torch.arange(t - recent, t, device=k.device).expand(*keep.shape[:-1], recent)], -1)
        idx = keep.unsqueeze(-1).expand(-1, -1, -1, k.shape[-1])
        return k.gather(2, idx), v.gather(2, idx), hh.gather(-1, keep)

    # H2O's prefill scores on Llama-2-7B (32 heads) at 1 x 2048 and Llama-3.1-8B (GQA 4) at 1 x 4096; the decode
    # eviction on OPT-6.7B's 32 heads of 128 (fp16) at 16 x 1024 and Llama-3-8B's 8 KV heads at 32 x 2048
    out += [
        ("h2o_prefill_scores", h2o_prefill_scores, (m(1, 32, 2048, 128), m(1, 32, 2048, 128))),
        ("h2o_prefill_scores", h2o_prefill_scores, (m(1, 32, 4096, 128), m(1, 8, 4096, 128))),
        ("h2o_decode_evict", h2o_decode_evict, (mf(16, 32, 1025), mf(16, 32, 1, 1025), mh(16, 32, 1025, 128),
                                                mh(16, 32, 1025, 128))),
        ("h2o_decode_evict", h2o_decode_evict, (mf(32, 8, 2049), mf(32, 8, 4, 2049), m(32, 8, 2049, 128),
                                                m(32, 8, 2049, 128))),
    ]

    def snapkv_maxpool(q, k, v, budget=2048, window=32, kernel=7):  # SnapKV's update_kv with its max pooling: the
        b, h, t, d = q.shape  # observation window's queries over the prompt, the window's own causal mask, votes
        kr = repeat_kv(k, h // k.shape[1])  # summed over it, max_pool1d, the prefix's top tokens gathered, the
        s = torch.matmul(q[..., -window:, :], kr.transpose(2, 3)) / math.sqrt(d)  # window appended
        mask = torch.full((window, window), torch.finfo(s.dtype).min, device=s.device)
        idx = torch.arange(window, device=s.device)
        mask.masked_fill_(idx < (idx + 1).view(window, 1), 0)
        s[:, :, -window:, -window:] += mask[None, None]
        p = F.softmax(s, dim=-1, dtype=torch.float32).to(q.dtype)
        votes = F.max_pool1d(p[:, :, -window:, :-window].sum(-2), kernel, padding=kernel // 2, stride=1)
        top = votes.topk(budget - window, dim=-1).indices.unsqueeze(-1).expand(-1, -1, -1, d)
        vr = repeat_kv(v, h // k.shape[1])
        return (torch.cat([kr[:, :, :-window].gather(2, top), kr[:, :, -window:]], 2),
                torch.cat([vr[:, :, :-window].gather(2, top), vr[:, :, -window:]], 2))

    def pyramid_budgets(votes, k, v, layer=0, n_layers=32, beta=20, budget=2048, window=8, kernel=5):
        # PyramidKV: the layer's capacity on the pyramid between (budget - window) / beta and twice the budget less
        # it, the votes average-pooled, the top tokens per KV head gathered
        min_num = (budget - window) // beta
        max_num = (budget - window) * 2 - min_num
        steps = (max_num - min_num) // n_layers
        cap = max_num - layer * steps
        pooled = F.avg_pool1d(votes, kernel_size=kernel, padding=kernel // 2, stride=1)
        top = pooled.topk(cap, dim=-1).indices.unsqueeze(-1).expand(-1, -1, -1, k.shape[-1])
        return (torch.cat([k[:, :, :-window].gather(2, top), k[:, :, -window:]], 2),
                torch.cat([v[:, :, :-window].gather(2, top), v[:, :, -window:]], 2))

    def pyramid(layer, budget):
        return lambda votes, k, v: pyramid_budgets(votes, k, v, layer=layer, budget=budget)

    # SnapKV (max pooling) on Mistral-7B-Instruct-v0.2 (GQA 4) over 16384- and 31744-token prompts at budgets 2048
    # and 4096; PyramidKV's layer 0 of Llama-3-8B at budget 128 over 8192 and its layer 31 at 2048 over 16384
    for t, bgt, b in ((16384, 2048, 1), (31744, 4096, 1)):
        out.append(("snapkv_maxpool", lambda q, k, v, bgt=bgt: snapkv_maxpool(q, k, v, budget=bgt),
                    (m(b, 32, t, 128), m(b, 8, t, 128), m(b, 8, t, 128))))
    for layer, bgt, t in ((0, 128, 8192), (31, 2048, 16384)):
        out.append(("pyramidkv_layer", pyramid(layer, bgt), (m(1, 8, t - 8), m(1, 8, t, 128), m(1, 8, t, 128))))

    def streaming_evict(k, v, sink=4, recent=2044, incoming=1):  # StartRecentKVCache.evict_for_space: the sinks
        t = k.shape[2]  # and the recent window sliced and joined, room left for the incoming tokens
        return (torch.cat([k[:, :, :sink], k[:, :, t - recent + incoming:t]], dim=2),
                torch.cat([v[:, :, :sink], v[:, :, t - recent + incoming:t]], dim=2))

    def streaming_decode(q, k, v, k_new, v_new, sink=4, recent=1020):  # a StreamingLLM step: the new token appended
        k = torch.cat([k, k_new], 2)  # to the sink + window cache, attention over it with positions re-assigned in
        v = torch.cat([v, v_new], 2)  # the cache (the keys' rope applied after the eviction)
        t = k.shape[2]
        k = torch.cat([k[:, :, :sink], k[:, :, t - recent:]], 2)
        v = torch.cat([v[:, :, :sink], v[:, :, t - recent:]], 2)
        return F.scaled_dot_product_attention(q, k, v, enable_gqa=q.shape[1] != k.shape[1])

    # StreamingLLM's eviction at Llama-2-7B's 32 heads (cache 2048, 4096) and Llama-3-8B's 8 KV heads (8192, batch
    # 8), its decode step over sink 4 + window 1020 / 2044 / 4092
    out += [
        ("streaming_evict", streaming_evict, (mh(1, 32, 2049, 128), mh(1, 32, 2049, 128))),
        ("streaming_evict", lambda k, v: streaming_evict(k, v, recent=4092), (mh(1, 32, 4097, 128),
                                                                             mh(1, 32, 4097, 128))),
        ("streaming_evict", lambda k, v: streaming_evict(k, v, recent=8188), (m(8, 8, 8193, 128),
                                                                             m(8, 8, 8193, 128))),
        ("streaming_decode", streaming_decode, (mh(1, 32, 1, 128), mh(1, 32, 1024, 128), mh(1, 32, 1024, 128),
                                                mh(1, 32, 1, 128), mh(1, 32, 1, 128))),
        ("streaming_decode", lambda q, k, v, kn, vn: streaming_decode(q, k, v, kn, vn, recent=2044),
         (m(16, 32, 1, 128), m(16, 8, 2048, 128), m(16, 8, 2048, 128), m(16, 8, 1, 128), m(16, 8, 1, 128))),
        ("streaming_decode", lambda q, k, v, kn, vn: streaming_decode(q, k, v, kn, vn, recent=4092),
         (m(64, 32, 1, 128), m(64, 8, 4096, 128), m(64, 8, 4096, 128), m(64, 8, 1, 128), m(64, 8, 1, 128))),
    ]

    def scissorhands(attn, counts, k, v, drop=512):  # Scissorhands' persistence of importance: each token's count of
        t = attn.shape[-1]  # the history window's steps where its attention fell below 1 / t, the least often
        counts = counts + (attn < 1.0 / t).sum(2)  # unimportant kept (the recent window's counts zeroed first)
        counts[..., -attn.shape[2]:] = 0
        keep = (-counts).topk(t - drop, dim=-1).indices.sort(-1).values
        idx = keep.unsqueeze(-1).expand(-1, -1, -1, k.shape[-1])
        return k.gather(2, idx), v.gather(2, idx), counts.gather(-1, keep)

    # Scissorhands on OPT-6.7B (32 x 128) at a 2048 cache with a 400-step history, Llama-2-7B at 8 x 4096 (history
    # 128, 1024 dropped)
    out += [
        ("scissorhands_compress", scissorhands, (mh(1, 32, 400, 2048), i(1, 32, 2048), mh(1, 32, 2048, 128),
                                                 mh(1, 32, 2048, 128))),
        ("scissorhands_compress", lambda a, c, k, v: scissorhands(a, c, k, v, drop=1024),
         (mh(8, 32, 128, 4096), i(8, 32, 4096), mh(8, 32, 4096, 128), mh(8, 32, 4096, 128))),
    ]

    def kivi_key_quant(k, bits=2, group=32):  # KIVI's per-channel key quantisation: min / max of each channel over
        b, h, t, d = k.shape  # a group of tokens, the codes rounded and clamped, then packed 32 / bits to an int32
        kg = k.view(b, h, t // group, group, d)
        mn, mx = kg.amin(3, keepdim=True), kg.amax(3, keepdim=True)
        scale = (mx - mn) / (2 ** bits - 1)
        q = ((kg - mn) / scale).round_().clamp_(0, 2 ** bits - 1).to(torch.int32)
        per = 32 // bits
        q = q.transpose(3, 4).reshape(b, h, t // group, d, group // per, per)
        shifts = torch.arange(0, 32, bits, device=k.device, dtype=torch.int32)
        packed = (q << shifts).sum(-1, dtype=torch.int32)
        return packed, scale.to(k.dtype), mn.to(k.dtype)

    def kivi_value_quant(v, bits=2, group=32):  # KIVI's per-token value quantisation over groups of 32 channels
        b, h, t, d = v.shape
        vg = v.view(b, h, t, d // group, group)
        mn, mx = vg.amin(-1, keepdim=True), vg.amax(-1, keepdim=True)
        scale = (mx - mn) / (2 ** bits - 1)
        per = 32 // bits
        q = ((vg - mn) / scale).round_().clamp_(0, 2 ** bits - 1).to(torch.int32).view(b, h, t, d // per, per)
        shifts = torch.arange(0, 32, bits, device=v.device, dtype=torch.int32)
        return (q << shifts).sum(-1, dtype=torch.int32), scale, mn

    def kivi_decode(q, packed_k, sk, mk, k_res, packed_v, sv, mv, v_res, bits=2):  # KIVI's decode attention in torch:
        b, hq, _, d = q.shape  # the quantised keys unpacked and dequantised, scores over them and the full-precision
        hk = packed_k.shape[1]  # residual, softmax, values likewise
        shifts = torch.arange(0, 32, bits, device=q.device, dtype=torch.int32)
        kq = ((packed_k.unsqueeze(-1) >> shifts) & (2 ** bits - 1)).to(q.dtype).flatten(-2).transpose(3, 4)
        kdq = (kq * sk + mk).flatten(2, 3)
        vq = ((packed_v.unsqueeze(-1) >> shifts) & (2 ** bits - 1)).to(q.dtype).flatten(-2)
        vdq = (vq.view(*sv.shape[:-1], -1) * sv + mv).flatten(-2)
        keys = torch.cat([kdq, k_res], 2)
        vals = torch.cat([vdq, v_res], 2)
        qg = q.view(b, hk, hq // hk, d)
        s = torch.matmul(qg, keys.transpose(2, 3)) / math.sqrt(d)
        p = torch.softmax(s.float(), -1).to(q.dtype)
        return torch.matmul(p, vals).view(b, hq, 1, d)

    # KIVI-2 (groups of 32) on Llama-3.1-8B (8 KV heads) at 32 x 8192 tokens, KIVI-4 (group 128) on Llama-2-13B (40
    # heads, fp16) at 4 x 4096; KIVI-2's decode step over 8192 quantised tokens plus a 32-token residual at batch 32
    out += [
        ("kivi_key_quant", kivi_key_quant, (m(32, 8, 8192, 128),)),
        ("kivi_value_quant", kivi_value_quant, (m(32, 8, 8192, 128),)),
        ("kivi_key_quant", lambda k: kivi_key_quant(k, bits=4, group=128), (mh(4, 40, 4096, 128),)),
        ("kivi_value_quant", lambda v: kivi_value_quant(v, bits=4, group=128), (mh(4, 40, 4096, 128),)),
        ("kivi_decode", kivi_decode, (m(32, 32, 1, 128), mi32(32, 8, 256, 128, 2), m(32, 8, 256, 1, 128),
                                      m(32, 8, 256, 1, 128), m(32, 8, 32, 128), mi32(32, 8, 8192, 8),
                                      m(32, 8, 8192, 4, 1), m(32, 8, 8192, 4, 1), m(32, 8, 32, 128))),
    ]

    def fastgen_profile(p, special, punct, recover=0.95, r_local=0.3, r_freq=0.3):  # FastGen's prompt profiling:
        t = p.shape[-1]  # each head's attention recovered by the special-token, punctuation, heavy-hitter and local
        pos = torch.arange(t, device=p.device)  # policies in turn, the cheapest policy recovering 95 % chosen
        local = pos[None, :] >= pos[:, None] - int(r_local * t)
        hh = p.sum(-2)
        freq = torch.zeros_like(hh, dtype=torch.bool).scatter_(-1, hh.topk(int(r_freq * t), -1).indices, True)
        pol_s = special[:, None, None, :]
        pol_sp = (special | punct)[:, None, None, :]
        pol_spf = pol_sp | freq[:, :, None, :]
        recs = torch.stack([(p * pol_s).sum(-1), (p * pol_sp).sum(-1), (p * pol_spf).sum(-1),
                            (p * (pol_spf | local)).sum(-1)])
        ok = recs.amin(-1) >= recover * p.sum(-1).amin(-1)
        return torch.cat([ok, torch.ones_like(ok[:1])]).float().argmax(0)

    # FastGen's profile of Llama-2-7B's 32 heads over a 2048-token prompt
    out += [
        ("fastgen_profile", fastgen_profile, (mf(1, 32, 2048, 2048), mb(1, 2048), mb(1, 2048))),
    ]

    # ================================================================== sparse attention in plain torch
    def nsa_compress_mean(k, v, blk=32, stride=16):  # NSA's compression by mean pooling (fla's naive reference):
        return k.unfold(2, blk, stride).mean(-1), v.unfold(2, blk, stride).mean(-1)  # overlapping blocks averaged

    def nsa_cmp_prefill(q, kc, vc, blk=32, stride=16, sel=64):  # NSA's compressed branch at prefill: each query over
        b, h, t, d = q.shape  # the blocks that ended before it, the group's probabilities pooled into selection
        hk, nb = kc.shape[1], kc.shape[2]  # blocks of 64, their top-16 per KV head with the first and local ones
        qg = q.view(b, hk, h // hk, t, d)  # forced
        s = torch.matmul(qg, kc.unsqueeze(2).transpose(-1, -2)) / math.sqrt(d)
        ends = torch.arange(nb, device=q.device) * stride + blk - 1
        s = s.masked_fill(ends[None, :] > torch.arange(t, device=q.device)[:, None], float("-inf"))
        p = torch.softmax(s, dim=-1, dtype=torch.float32).nan_to_num_(0.0)
        o = torch.matmul(p.to(q.dtype), vc.unsqueeze(2)).view(b, h, t, d)
        ps = F.pad(p.sum(2), (1, 1)).unfold(-1, sel // stride + 1, sel // stride).sum(-1)
        blk_of_q = torch.arange(t, device=q.device) // sel
        ps = ps.masked_fill(torch.arange(ps.shape[-1], device=q.device)[None, :] > blk_of_q[:, None], float("-inf"))
        ps[..., 0] = float("inf")
        ps.scatter_(-1, blk_of_q.view(1, 1, t, 1).expand(b, hk, t, 1), float("inf"))
        return o, ps.topk(16, dim=-1).indices

    def nsa_decode_branches(q, k, v, idx, wg, x, sel=64, window=512):  # NSA's decode: the selected blocks gathered
        b, h, _, d = q.shape  # per KV head and attended, the sliding window attended, the three branches gated by
        hk = k.shape[1]  # sigmoid(x W_g)
        kb = k.view(b, hk, -1, sel, d).gather(2, idx[..., None, None].expand(-1, -1, -1, sel, d)).flatten(2, 3)
        vb = v.view(b, hk, -1, sel, d).gather(2, idx[..., None, None].expand(-1, -1, -1, sel, d)).flatten(2, 3)
        o_slc = F.scaled_dot_product_attention(q, kb, vb, enable_gqa=True)
        o_win = F.scaled_dot_product_attention(q, k[:, :, -window:], v[:, :, -window:], enable_gqa=True)
        g = torch.sigmoid(F.linear(x, wg)).view(b, h, 1, 3, 1)
        return g[..., 1, :] * o_slc + g[..., 2, :] * o_win

    # NSA with GQA 16 (the kernel's group): 32 heads over 2 KV heads of 128 at an 8192-token prefill; its decode
    # at 16 x 32768 and 64 x 8192 (hidden 4096)
    out += [
        ("nsa_compress_mean", nsa_compress_mean, (m(1, 2, 8192, 128), m(1, 2, 8192, 128))),
        ("nsa_compress_mean", nsa_compress_mean, (m(16, 2, 32768, 128), m(16, 2, 32768, 128))),
        ("nsa_cmp_prefill", nsa_cmp_prefill, (m(1, 32, 8192, 128), m(1, 2, 511, 128), m(1, 2, 511, 128))),
        ("nsa_decode_branches", nsa_decode_branches, (m(16, 32, 1, 128), m(16, 2, 32768, 128), m(16, 2, 32768, 128),
                                                      i(16, 2, 16), m(96, 4096), m(16, 1, 4096))),
        ("nsa_decode_branches", nsa_decode_branches, (m(64, 32, 1, 128), m(64, 2, 8192, 128), m(64, 2, 8192, 128),
                                                      i(64, 2, 16), m(96, 4096), m(64, 1, 4096))),
    ]

    def moba_gate_topk(q, k, chunk=4096, topk=12):  # MoBA's gate (moba_naive): each chunk's mean key, the queries'
        b, h, t, d = q.shape  # gate scores in fp32, chunks after a query's masked and its own forced in, the top-k
        nc = t // chunk  # chunks per query as a bool chunk mask
        kmean = repeat_kv(k.view(b, k.shape[1], nc, chunk, d).mean(3), h // k.shape[1])
        gate = torch.einsum("bhtd,bhcd->bhtc", q.float(), kmean.float())
        qc = torch.arange(t, device=q.device) // chunk
        cid = torch.arange(nc, device=q.device)
        gate = gate.masked_fill(cid[None, :] > qc[:, None], float("-inf"))
        gate = gate.masked_fill(cid[None, :] == qc[:, None], float("inf"))
        idx = gate.topk(min(topk, nc), dim=-1).indices
        return torch.zeros_like(gate, dtype=torch.bool).scatter_(-1, idx, True) & (cid[None, :] <= qc[:, None])

    # MoBA's gate on Llama-3.1-8B over 131072 tokens (chunks of 4096, top-12), Qwen2.5-7B (GQA 7) over 32768
    # (chunks of 2048, top-8)
    out += [
        ("moba_gate_topk", moba_gate_topk, (m(1, 32, 131072, 128), m(1, 8, 131072, 128))),
        ("moba_gate_topk", lambda q, k: moba_gate_topk(q, k, chunk=2048, topk=8), (m(1, 28, 32768, 128),
                                                                                   m(1, 4, 32768, 128))),
    ]

    def infllm_units(q_local, k_ctx, blk=128, n_rep=4, topk=32):  # InfLLM's memory units: each 128-token block's
        b, h, w, d = q_local.shape  # representative keys (those the local window attends most, summed over each KV
        hk, t = k_ctx.shape[1], k_ctx.shape[2]  # group), the units scored against the window's mean query, the top
        nb = t // blk  # units' blocks gathered
        s = torch.matmul(q_local, repeat_kv(k_ctx, h // hk).transpose(2, 3)).sum(2)
        s = s.view(b, hk, h // hk, nb, blk).sum(2)
        rep_idx = s.topk(n_rep, dim=-1).indices
        kb = k_ctx.view(b, hk, nb, blk, d)
        reps = kb.gather(3, rep_idx[..., None].expand(-1, -1, -1, -1, d))
        qm = q_local.mean(2).view(b, hk, h // hk, d)
        u = torch.einsum("bhgd,bhnrd->bhn", qm, reps)
        top = u.topk(topk, dim=-1).indices
        return kb.gather(2, top[..., None, None].expand(-1, -1, -1, blk, d)).flatten(2, 3)

    # InfLLM on Mistral-7B-Instruct-v0.2 (fp16, 512-token local window) over 65536 tokens, Llama-3-8B at 2 x 16384
    # (top-16 units)
    out += [
        ("infllm_units", infllm_units, (mh(1, 32, 512, 128), mh(1, 8, 65536, 128))),
        ("infllm_units", lambda q, k: infllm_units(q, k, topk=16), (m(2, 32, 512, 128), m(2, 8, 16384, 128))),
    ]

    def dsa_act_quant(x, block=128):  # DeepSeek-V3.2-Exp's act_quant in torch: one scale per 128 values (amax / 448),
        xs = x.float().unflatten(-1, (-1, block))  # the e4m3 cast
        s = xs.abs().amax(-1, keepdim=True).clamp(min=1e-4) / 448.0
        return (xs / s).to(torch.float8_e4m3fn).flatten(-2), s.squeeze(-1)

    def dsa_fp8_index(q8, qs, k8, ks, w, topk=2048):  # fp8_index's reference in torch: the fp8 queries and keys
        q = q8.float() * qs  # dequantised, per-head ReLU scores weighted and summed over the heads, the keys' scales
        sc = torch.einsum("bshd,btd->bsht", q, k8.float()).relu_() * w.unsqueeze(-1)  # applied, the top-2048
        sc = sc.sum(2) * ks.unsqueeze(1)
        return sc.topk(topk, dim=-1)

    def dsa_fp8_index_prefill(q8, qs, k8, ks, w, topk=2048):  # the same at prefill, the causal mask added first
        sc = torch.einsum("bshd,btd->bsht", q8.float() * qs, k8.float()).relu_() * w.unsqueeze(-1)
        sc = causal_fill(sc.sum(2) * ks.unsqueeze(1))
        return sc.topk(topk, dim=-1)

    # the lightning indexer's fp8 path (64 heads of 128): act_quant of its queries (decode rows) and keys (a prefill
    # chunk), the index scores at decode over 32 x 65536 and 8 x 131072 cached keys and at prefill over 512 x 32768
    out += [
        ("dsa_act_quant", dsa_act_quant, (m(32, 1, 64, 128),)),
        ("dsa_act_quant", dsa_act_quant, (m(1, 4096, 128),)),
        ("dsa_act_quant", dsa_act_quant, (m(1, 512, 64, 128),)),
        ("dsa_fp8_index", dsa_fp8_index, (mf8(32, 1, 64, 128), mf(32, 1, 64, 1), mf8(32, 65536, 128), mf(32, 65536),
                                          mf(32, 1, 64))),
        ("dsa_fp8_index", dsa_fp8_index, (mf8(8, 1, 64, 128), mf(8, 1, 64, 1), mf8(8, 131072, 128), mf(8, 131072),
                                          mf(8, 1, 64))),
        ("dsa_fp8_index_prefill", dsa_fp8_index_prefill, (mf8(1, 512, 64, 128), mf(1, 512, 64, 1),
                                                          mf8(1, 32768, 128), mf(1, 32768), mf(1, 512, 64))),
    ]

    def seer_r_gate(q, k_pool, wq, wk, topk=64):  # SeerAttention-R's decode gate: a KV group's query heads joined and
        b, h, _, d = q.shape  # projected, the pooled key blocks (max, min, mean) projected, block scores, softmax,
        hk = k_pool.shape[1]  # the top blocks per KV head
        qg = F.linear(q.reshape(b, hk, (h // hk) * d), wq)
        kg = F.linear(k_pool, wk)
        s = torch.einsum("bhd,bhnd->bhn", qg, kg) / math.sqrt(qg.shape[-1])
        return torch.softmax(s.float(), -1).topk(topk, dim=-1).indices

    def seer_pool_append(k_pool, k_block):  # the block completed at decode pooled (max, min, mean), appended
        pooled = torch.cat([k_block.amax(2), k_block.amin(2), k_block.mean(2)], -1)
        return torch.cat([k_pool, pooled.unsqueeze(2)], 2)

    # SeerAttention-R on Qwen3-8B (32 / 8 heads) at 16 x 32768 (blocks of 64) and Qwen3-14B (40 / 8) at 64 x 8192
    out += [
        ("seer_r_gate", seer_r_gate, (m(16, 32, 1, 128), m(16, 8, 512, 384), m(128, 512), m(128, 384))),
        ("seer_r_gate", lambda q, kp, wq, wk: seer_r_gate(q, kp, wq, wk, topk=32),
         (m(64, 40, 1, 128), m(64, 8, 128, 384), m(128, 640), m(128, 384))),
        ("seer_pool_append", seer_pool_append, (m(16, 8, 511, 384), m(16, 8, 64, 128))),
        ("seer_pool_append", seer_pool_append, (m(64, 8, 127, 384), m(64, 8, 64, 128))),
    ]

    def block_sparse_sdpa(q, k, v, scores, block=64, keep=16):  # a block mask from the top-k block scores (the
        nb = scores.shape[-1]  # diagonal kept, causal), expanded to tokens by repeat_interleave on both axes, SDPA
        top = scores.topk(keep, dim=-1).indices  # through it
        bm = torch.zeros_like(scores, dtype=torch.bool).scatter_(-1, top, True)
        bm = (bm | torch.eye(nb, dtype=torch.bool, device=q.device)) & torch.ones(
            nb, nb, dtype=torch.bool, device=q.device).tril()
        mask = bm.repeat_interleave(block, -1).repeat_interleave(block, -2)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)

    # block-sparse prefill of Llama-3.1-8B (32 heads) over 4096 tokens in blocks of 64 and Qwen2.5-7B's 28 heads over
    # 8192 in blocks of 128
    out += [
        ("block_sparse_sdpa", block_sparse_sdpa, (m(1, 32, 4096, 128), m(1, 32, 4096, 128), m(1, 32, 4096, 128),
                                                  mf(1, 32, 64, 64))),
        ("block_sparse_sdpa", lambda q, k, v, s: block_sparse_sdpa(q, k, v, s, block=128, keep=12),
         (m(1, 28, 8192, 128), m(1, 28, 8192, 128), m(1, 28, 8192, 128), mf(1, 28, 64, 64))),
    ]

    def xattention_blocks(q, k, stride=8, block=128, thr=0.9):  # XAttention's antidiagonal scoring: queries and keys
        b, h, t, d = q.shape  # reorganised by strided sampling (the queries reversed), the reduced scores' causal
        qr = torch.cat([q[:, :, (stride - 1 - j)::stride] for j in range(stride)], -1)  # softmax, block sums, the
        kr = torch.cat([k[:, :, j::stride] for j in range(stride)], -1)  # blocks kept by sorting until their
        s = torch.matmul(qr, kr.transpose(2, 3)) / math.sqrt(d) / stride  # cumulative mass passes the threshold
        s = causal_fill(s)
        p = torch.softmax(s, dim=-1, dtype=torch.float32)
        n, r = t // block, block // stride
        bs = p.view(b, h, n, r, n, r).sum((3, 5))
        srt, order = bs.sort(-1, descending=True)
        cum = srt.cumsum(-1)
        keep_sorted = (cum - srt) < thr * bs.sum(-1, keepdim=True)
        return torch.zeros_like(keep_sorted).scatter_(-1, order, keep_sorted)

    # XAttention on Llama-3.1-8B over 32768 tokens (stride 8, blocks of 128), Qwen2.5-7B's 28 heads over 16384 at
    # stride 16
    out += [
        ("xattention_blocks", xattention_blocks, (m(1, 32, 32768, 128), m(1, 32, 32768, 128))),
        ("xattention_blocks", lambda q, k: xattention_blocks(q, k, stride=16), (m(1, 28, 16384, 128),
                                                                                m(1, 28, 16384, 128))),
    ]

    def minference_vertical_slash(q, k, last_q=64, v_size=1000, s_size=6096):  # MInference's vertical-and-slash
        b, h, n, d = q.shape  # estimate: the last 64 queries' attention, column sums' top-v (the first 30 forced),
        m_ = k.shape[2]  # sums along every diagonal by padding and as_strided, the top-s slashes (the last 100 forced)
        qk = torch.einsum("bhmk,bhnk->bhmn", q[:, :, -last_q:], k) / math.sqrt(d)
        tri = torch.ones(last_q, last_q, dtype=torch.bool, device=q.device).tril()
        qk[:, :, :, -last_q:] = torch.where(tri, qk[:, :, :, -last_q:], float("-inf"))
        qk = torch.softmax(qk, dim=-1, dtype=torch.float32)
        vertical = qk.sum(-2, keepdim=True)
        vertical[..., :30] = float("inf")
        v_idx = torch.topk(vertical, v_size, -1).indices
        z = torch.zeros(b, h, last_q, last_q, dtype=qk.dtype, device=q.device)
        padded = torch.cat((z, qk, z), -1)
        w = 2 * last_q + m_
        diag = padded.as_strided((b, h, last_q, last_q + m_), (h * last_q * w, last_q * w, w + 1, 1)).sum(2)
        slash = diag[..., 1:][..., : -last_q + 1]
        slash[..., -100:] = float("inf")
        return v_idx, (m_ - 1) - torch.topk(slash, s_size, -1).indices

    # MInference's estimate on Llama-3-8B-262k over 131072 tokens (1000 vertical, 6096 slash) and 32768 (500, 3000)
    out += [
        ("minference_vertical_slash", minference_vertical_slash, (m(1, 32, 131072, 128), m(1, 32, 131072, 128))),
        ("minference_vertical_slash", lambda q, k: minference_vertical_slash(q, k, v_size=500, s_size=3000),
         (m(1, 32, 32768, 128), m(1, 32, 32768, 128))),
    ]

    def shadowkv_landmarks(k, chunk=8, n_out=48):  # ShadowKV's landmarks: the post-rope keys' chunk means, each
        b, h, t, d = k.shape  # chunk's least cosine-similar token to its mean, the most dissimilar chunks kept exact
        kc = k.view(b, h, t // chunk, chunk, d)
        lm = kc.mean(3)
        cos = F.cosine_similarity(kc, lm.unsqueeze(3), dim=-1).amin(-1)
        return lm, (-cos).topk(n_out, dim=-1).indices

    def shadowkv_select(q, lm, u, sv, pos_cos, pos_sin, chunk=8, n_sel=256):  # ShadowKV's decode: the query group
        b, h, _, d = q.shape  # against the landmarks (softmax, max over the group), the top chunks' token ids, their
        hk = lm.shape[1]  # pre-rope keys rebuilt from the low-rank factors (U rows gathered times S V^T), rope on
        s = torch.einsum("bhgd,bhnd->bhgn", q.view(b, hk, h // hk, d), lm) / math.sqrt(d)  # the gathered positions
        top = torch.softmax(s.float(), -1).amax(2).topk(n_sel, dim=-1).indices
        tok = (top.unsqueeze(-1) * chunk + torch.arange(chunk, device=q.device)).flatten(2)
        rows = u.gather(1, tok.flatten(1).unsqueeze(-1).expand(-1, -1, u.shape[-1])).view(b, hk, -1, u.shape[-1])
        kk = torch.einsum("bhtr,rhd->bhtd", rows, sv.view(sv.shape[0], hk, d))
        c, s_ = pos_cos[tok], pos_sin[tok]
        return kk * c + rotate_half(kk) * s_

    # ShadowKV on Llama-3.1-8B (rank 160) at 1 x 131072 (chunks of 8, 48 outlier chunks, 256 chunks selected)
    out += [
        ("shadowkv_landmarks", shadowkv_landmarks, (m(1, 8, 131072, 128),)),
        ("shadowkv_select", shadowkv_select, (m(1, 32, 1, 128), m(1, 8, 16384, 128), m(1, 131072, 160), m(160, 1024),
                                              m(131072, 128), m(131072, 128))),
    ]

    def double_sparsity(q, k, v, label_k, ch, n_tok=1024):  # Double Sparsity's decode: the offline outlier channels'
        b, h, _, d = q.shape  # label cache scored against the same channels of q, the top tokens per query head
        hk = k.shape[1]  # gathered from the full cache and attended
        qc = q.squeeze(2).gather(-1, ch.unsqueeze(0).expand(b, -1, -1))
        s = torch.einsum("bhc,bhtc->bht", qc, repeat_kv(label_k, h // hk))
        top = s.topk(n_tok, dim=-1).indices[..., None].expand(-1, -1, -1, d)
        ks = repeat_kv(k, h // hk).gather(2, top)
        vs = repeat_kv(v, h // hk).gather(2, top)
        return F.scaled_dot_product_attention(q, ks, vs)

    # Double Sparsity on Llama-2-7B (16 label channels, 1024 tokens) at 8 x 16384 and Llama-3-8B at 32 x 8192
    out += [
        ("double_sparsity", double_sparsity, (m(8, 32, 1, 128), m(8, 32, 16384, 128), m(8, 32, 16384, 128),
                                              m(8, 32, 16384, 16), i(32, 16))),
        ("double_sparsity", lambda q, k, v, lk, ch: double_sparsity(q, k, v, lk, ch, n_tok=512),
         (m(32, 32, 1, 128), m(32, 8, 8192, 128), m(32, 8, 8192, 128), m(32, 8, 8192, 16), i(32, 16))),
    ]

    def star_attention_blocks(q, k, v, blk=4096):  # Star Attention's phase 1: the context split into blocks, each
        b, h, t, d = q.shape  # block prefixed with the anchor (the first block) and attended causally on its own, the
        n, hk = t // blk, k.shape[1]  # blocks folded into the batch, the KV heads repeated for the query heads
        kr, vr = repeat_kv(k, h // hk), repeat_kv(v, h // hk)
        anc_k = kr[:, :, :blk].unsqueeze(2).expand(b, h, n - 1, blk, d)
        anc_v = vr[:, :, :blk].unsqueeze(2).expand(b, h, n - 1, blk, d)
        kb = torch.cat([anc_k, kr[:, :, blk:].view(b, h, n - 1, blk, d)], 3).transpose(1, 2).flatten(0, 1)
        vb = torch.cat([anc_v, vr[:, :, blk:].view(b, h, n - 1, blk, d)], 3).transpose(1, 2).flatten(0, 1)
        qb = q[:, :, blk:].reshape(b, h, n - 1, blk, d).transpose(1, 2).flatten(0, 1)
        mask = torch.ones(blk, 2 * blk, dtype=torch.bool, device=q.device).tril(blk)
        o = F.scaled_dot_product_attention(qb, kb, vb, attn_mask=mask)
        return o.view(b, n - 1, h, blk, d).transpose(1, 2).reshape(b, h, t - blk, d)

    # Star Attention on Llama-3.1-8B over 32768 tokens in blocks of 4096 and 65536 in blocks of 8192 (the
    # memory-efficient kernel through the anchor's mask)
    out += [
        ("star_attention_blocks", star_attention_blocks, (m(1, 32, 32768, 128), m(1, 8, 32768, 128),
                                                          m(1, 8, 32768, 128))),
        ("star_attention_blocks", lambda q, k, v: star_attention_blocks(q, k, v, blk=8192),
         (m(1, 32, 65536, 128), m(1, 8, 65536, 128), m(1, 8, 65536, 128))),
    ]

    # ================================================================== MLA, multi-token prediction and MoE routing
    def ds_rotary(x, freqs):  # DeepSeek-V3's apply_rotary_emb: fp32 pairs as complex numbers times freqs_cis
        y = torch.view_as_complex(x.float().view(*x.shape[:-1], -1, 2))
        y = torch.view_as_real(y * freqs.view(1, x.size(1), 1, x.size(-1) // 2)).flatten(3)
        return y.to(x.dtype)

    def mla_absorb_attend(x, q, kv, kv_norm, wkv_b, wo, freqs, kv_cache, pe_cache, rank=512, nope=128, rope=64,
                          vd=128, scale=0.1352):  # MLA's attn_impl="absorb" (DeepSeek-V3 inference/model.py): q_nope
        b, s, _ = x.shape  # through W_UK, the normalised latent and the rotated k_pe written into the caches, scores
        h = q.shape[-1] // (nope + rope)  # over both caches, fp32 softmax, the latent read out and through W_UV, wo
        q = q.view(b, s, h, nope + rope)
        q_nope, q_pe = torch.split(q, [nope, rope], dim=-1)
        q_pe = ds_rotary(q_pe, freqs)
        kv, k_pe = torch.split(kv, [rank, rope], dim=-1)
        k_pe = ds_rotary(k_pe.unsqueeze(2), freqs)
        w = wkv_b.view(h, -1, rank)
        q_nope = torch.einsum("bshd,hdc->bshc", q_nope, w[:, :nope])
        t = kv_cache.shape[1]
        kv_cache[:b, t - s:t] = F.rms_norm(kv, (rank,), kv_norm, 1e-6)
        pe_cache[:b, t - s:t] = k_pe.squeeze(2)
        sc = (torch.einsum("bshc,btc->bsht", q_nope, kv_cache[:b, :t])
              + torch.einsum("bshr,btr->bsht", q_pe, pe_cache[:b, :t])) * scale
        sc = sc.softmax(dim=-1, dtype=torch.float32).type_as(x)
        o = torch.einsum("bsht,btc->bshc", sc, kv_cache[:b, :t])
        o = torch.einsum("bshc,hdc->bshd", o, w[:, -vd:])
        return F.linear(o.flatten(2), wo)

    def mla_decode_v3(x, wq_a, q_norm, wq_b, wkv_a, kv_norm, wkv_b, wo, freqs, kv_cache, pe_cache):
        q = F.linear(F.rms_norm(F.linear(x, wq_a), (wq_a.shape[0],), q_norm, 1e-6), wq_b)  # the q LoRA (1536)
        return mla_absorb_attend(x, q, F.linear(x, wkv_a), kv_norm, wkv_b, wo, freqs, kv_cache, pe_cache)

    def mla_decode_lite(x, wq, wkv_a, kv_norm, wkv_b, wo, freqs, kv_cache, pe_cache):  # V2-Lite: q straight from x
        return mla_absorb_attend(x, F.linear(x, wq), F.linear(x, wkv_a), kv_norm, wkv_b, wo, freqs, kv_cache,
                                 pe_cache)

    def mla_v3_inputs(b, t, h):
        return (m(b, 1, 7168), m(1536, 7168), m(1536), m(h * 192, 1536), m(576, 7168), m(512), m(h * 256, 512),
                m(7168, h * 128), mc64(1, 32), m(b, t, 512), m(b, t, 64))

    # the absorbed MLA decode step at DeepSeek-V3's widths: 16 heads a rank (TP 8) at 32 x 8192, all 128 heads at
    # 4 x 32768; DeepSeek-V2-Lite (16 heads, hidden 2048, no q LoRA) at 64 x 4096
    out += [
        ("mla_absorb_decode_v3", mla_decode_v3, mla_v3_inputs(32, 8192, 16)),
        ("mla_absorb_decode_v3", mla_decode_v3, mla_v3_inputs(4, 32768, 128)),
        ("mla_absorb_decode_lite", mla_decode_lite, (m(64, 1, 2048), m(16 * 192, 2048), m(576, 2048), m(512),
                                                     m(16 * 256, 512), m(2048, 16 * 128), mc64(1, 32),
                                                     m(64, 4096, 512), m(64, 4096, 64))),
    ]

    def mla_naive_prefill(q, kv, k_pe, kv_norm, wkv_b, freqs, rank=512, nope=128, rope=64, vd=128, scale=0.1352):
        b, s, hq = q.shape  # MLA's attn_impl="naive" at prefill: the latent up-projected into per-head keys and
        h = hq // (nope + rope)  # values, k_pe broadcast over the heads, scores by einsum, the causal mask, fp32
        q = q.view(b, s, h, nope + rope)  # softmax, the values read out
        q_nope, q_pe = torch.split(q, [nope, rope], dim=-1)
        q = torch.cat([q_nope, ds_rotary(q_pe, freqs)], dim=-1)
        kvu = F.linear(F.rms_norm(kv, (rank,), kv_norm, 1e-6), wkv_b).view(b, s, h, nope + vd)
        k_nope, v = torch.split(kvu, [nope, vd], dim=-1)
        k = torch.cat([k_nope, ds_rotary(k_pe, freqs).expand(-1, -1, h, -1)], dim=-1)
        sc = torch.einsum("bshd,bthd->bsht", q, k) * scale
        sc = sc + torch.full((s, s), float("-inf"), device=q.device).triu_(1).unsqueeze(1)
        sc = sc.softmax(dim=-1, dtype=torch.float32).type_as(q)
        return torch.einsum("bsht,bthd->bshd", sc, v)

    # the naive prefill at V3's widths: 16 heads a rank over 4096 tokens, 128 heads over 2048
    out += [
        ("mla_naive_prefill", mla_naive_prefill, (m(1, 4096, 16 * 192), m(1, 4096, 512), m(1, 4096, 1, 64), m(512),
                                                  m(16 * 256, 512), mc64(4096, 32))),
        ("mla_naive_prefill", mla_naive_prefill, (m(1, 2048, 128 * 192), m(1, 2048, 512), m(1, 2048, 1, 64),
                                                  m(512), m(128 * 256, 512), mc64(2048, 32))),
    ]

    def mtp_input(h_prev, ids, emb, enorm, hnorm, eh_proj):  # DeepSeek-V3's MTP module input: the next tokens'
        e = F.embedding(ids, emb)  # embeddings and the previous depth's hidden states, each RMSNormed, joined and
        d = h_prev.shape[-1]  # projected back to the model width
        x = torch.cat([F.rms_norm(e, (d,), enorm, 1e-6), F.rms_norm(h_prev, (d,), hnorm, 1e-6)], -1)
        return F.linear(x, eh_proj)

    def mtp_loss(h, norm_w, head, labels, depth=1, lam=0.3):  # the depth's shared output head and norm, its
        d = h.shape[-1]  # cross-entropy against the tokens depth + 1 ahead, weighted by lambda / D
        logits = F.linear(F.rms_norm(h, (d,), norm_w, 1e-6), head).float()
        tgt = labels[:, depth + 1:]
        ce = F.cross_entropy(logits[:, : -(depth + 1)].flatten(0, 1), tgt.flatten(), ignore_index=-100)
        return lam * ce

    # the MTP input and loss at V3's widths (7168, 129280 tokens) over a 1 x 4096 micro-batch, the input at 64
    # decode rows (the speculative draft); MiMo-7B's MTP (4096, 151680) over 2 x 2048
    out += [
        ("mtp_input", mtp_input, (m(1, 4096, 7168), i(1, 4096), m(129280, 7168), m(7168), m(7168), m(7168, 14336))),
        ("mtp_input", mtp_input, (m(64, 1, 7168), i(64, 1), m(129280, 7168), m(7168), m(7168), m(7168, 14336))),
        ("mtp_input", mtp_input, (m(2, 2048, 4096), i(2, 2048), m(151680, 4096), m(4096), m(4096), m(4096, 8192))),
        ("mtp_loss", mtp_loss, (m(1, 4096, 7168), m(7168), m(129280, 7168), i(1, 4096))),
        ("mtp_loss", mtp_loss, (m(2, 2048, 4096), m(4096), m(151680, 4096), i(2, 2048))),
    ]

    def v3_gate(x, w, bias, n_groups=8, topk_groups=4, topk=8, route_scale=2.5):  # DeepSeek-V3's Gate: sigmoid
        scores = F.linear(x, w).sigmoid()  # scores, the aux-loss-free bias added for the choice only, each group
        original = scores  # scored by its top-2 sum, the top groups kept, the top-8 experts, the weights gathered
        scores = scores + bias  # from the unbiased scores, normalised and scaled
        if n_groups > 1:
            g = scores.view(x.size(0), n_groups, -1).topk(2, dim=-1)[0].sum(dim=-1)
            idx = g.topk(topk_groups, dim=-1)[1]
            mask = scores.new_ones(x.size(0), n_groups, dtype=torch.bool).scatter_(1, idx, False)
            scores = scores.view(x.size(0), n_groups, -1).masked_fill_(mask.unsqueeze(-1), float("-inf")).flatten(1)
        indices = torch.topk(scores, topk, dim=-1)[1]
        weights = original.gather(1, indices)
        weights = weights / weights.sum(dim=-1, keepdim=True)
        return (weights * route_scale).type_as(x), indices

    def v2_gate(x, w, n_groups=8, topk_groups=3, topk=6):  # DeepSeek-V2's MoEGate: fp32 softmax scores, the groups'
        scores = F.linear(x.float(), w.float()).softmax(dim=-1)  # max (group_limited_greedy), the top groups' experts
        n = x.shape[0]
        g = scores.view(n, n_groups, -1).max(dim=-1).values
        gi = torch.topk(g, k=topk_groups, dim=-1, sorted=False)[1]
        gm = torch.zeros_like(g).scatter_(1, gi, 1)
        sm = gm.unsqueeze(-1).expand(n, n_groups, scores.shape[-1] // n_groups).reshape(n, -1)
        tmp = scores.masked_fill(~sm.bool(), 0.0)
        return torch.topk(tmp, k=topk, dim=-1, sorted=False)

    # V3's gate (256 experts, 8 groups) over 64 decode rows and 16384 prefill tokens, Kimi-K2's (384 experts, one
    # group, scale 2.827) over 8192; V2's softmax gate (160 experts, 8 groups, top-3 groups) over 4096 rows of 5120
    out += [
        ("v3_gate", v3_gate, (m(64, 7168), m(256, 7168), mf(256))),
        ("v3_gate", v3_gate, (m(16384, 7168), m(256, 7168), mf(256))),
        ("v3_gate", lambda x, w, b: v3_gate(x, w, b, n_groups=1, route_scale=2.827), (m(8192, 7168), m(384, 7168),
                                                                                     mf(384))),
        ("v2_gate_group_limited", v2_gate, (m(4096, 5120), m(160, 5120))),
    ]

    def aux_free_bias_update(bias, topk_idx, gamma=1e-3):  # the aux-loss-free balance: each expert's load counted by
        load = torch.zeros_like(bias).scatter_add_(0, topk_idx.flatten(), torch.ones_like(  # scatter_add_, the bias
            topk_idx.flatten(), dtype=bias.dtype))  # nudged by the sign of its deviation from the mean load
        return bias + gamma * torch.sign(load.mean() - load)

    def seq_aux_loss(scores, topk_idx, alpha=1e-4):  # V3's complementary sequence-wise balance loss: per-sequence
        b, t, e = scores.shape  # expert counts by scatter_add_, normalised affinities averaged over the sequence
        k = topk_idx.shape[-1]
        ce = torch.zeros(b, e, device=scores.device).scatter_add_(
            1, topk_idx.view(b, -1), torch.ones(b, t * k, device=scores.device)).div_(t * k / e)
        p = (scores / scores.sum(-1, keepdim=True)).mean(1)
        return (ce * p).sum(1).mean() * alpha

    out += [
        ("aux_free_bias_update", aux_free_bias_update, (mf(256), i(16384, 8))),
        ("aux_free_bias_update", aux_free_bias_update, (mf(384), i(8192, 8))),
        ("seq_aux_loss", seq_aux_loss, (mf(4, 4096, 256), i(4, 4096, 8))),
        ("seq_aux_loss", seq_aux_loss, (mf(1, 16384, 256), i(1, 16384, 8))),
    ]

    def moe_sort_dispatch(x, topk_idx, n_experts=256):  # a torch-native dispatch: the (token, slot) pairs sorted
        n, k = topk_idx.shape  # by expert (stable), tokens permuted by index_select, each expert's count by
        flat = topk_idx.flatten()  # scatter_add_ and the offsets by cumsum
        order = flat.argsort(stable=True)
        tok = torch.div(order, k, rounding_mode="floor")
        counts = torch.zeros(n_experts, dtype=torch.int64, device=x.device)
        counts = counts.scatter_add_(0, flat, torch.ones_like(flat))
        return x.index_select(0, tok), counts.cumsum(0), order

    def moe_index_add_combine(y, order, weights, n):  # the experts' rows weighted and summed back into their tokens
        k = weights.shape[-1]  # by index_add_
        w = weights.flatten()[order].unsqueeze(-1)
        tok = torch.div(order, k, rounding_mode="floor")
        return torch.zeros(n, y.shape[-1], dtype=y.dtype, device=y.device).index_add_(0, tok, y * w)

    def moe_scatter_combine(y, order, weights, shared):  # the combine by scatter_add_ over expanded token ids, the
        k, d = weights.shape[-1], y.shape[-1]  # shared expert's output added
        tok = torch.div(order, k, rounding_mode="floor").unsqueeze(-1).expand(-1, d)
        routed = torch.zeros_like(shared).scatter_add_(0, tok, y * weights.flatten()[order].unsqueeze(-1))
        return routed + shared

    def moe_capacity_experts(xe, w13, w2):  # the local experts over capacity-padded slots by bmm, SwiGLU between
        h = torch.bmm(xe, w13)
        g, u = h.chunk(2, dim=-1)
        return torch.bmm(F.silu(g) * u, w2)

    # dispatch and combine at V3's widths (7168, top-8 of 256) over 4096 and 512 tokens, Qwen3-30B-A3B's (2048,
    # top-8 of 128) over 8192; the experts of an EP-32 rank (8 local experts, capacity 1024, intermediate 2048) and
    # Qwen3-30B-A3B's 16 local experts (768) at capacity 512
    for n, d in ((4096, 7168), (512, 7168), (8192, 2048)):
        e = 128 if d == 2048 else 256
        out.append(("moe_sort_dispatch", lambda x, t, e=e: moe_sort_dispatch(x, t, e), (m(n, d), i(n, 8))))
        out.append(("moe_index_add_combine", lambda y, o, w, n=n: moe_index_add_combine(y, o, w, n),
                    (m(n * 8, d), i(n * 8), m(n, 8))))
        out.append(("moe_scatter_combine", moe_scatter_combine, (m(n * 8, d), i(n * 8), m(n, 8), m(n, d))))
    out += [
        ("moe_capacity_experts", moe_capacity_experts, (m(8, 1024, 7168), m(8, 7168, 4096), m(8, 2048, 7168))),
        ("moe_capacity_experts", moe_capacity_experts, (m(16, 512, 2048), m(16, 2048, 1536), m(16, 768, 2048))),
    ]

    # ================================================================== speculative decoding
    def eagle2_expand(scores_prev, logits, top_k=10):  # EAGLE-2's draft-tree expansion: each frontier node's top-k
        b, n, _ = logits.shape  # children by log-prob, cumulative scores through the parents, the best top_k of
        lp = torch.log_softmax(logits.float(), -1)  # the n x top_k, their parents and tokens
        tl, ti = torch.topk(lp, top_k, dim=-1)
        cu = (tl + scores_prev.unsqueeze(-1)).view(b, -1)
        vals, sel = torch.topk(cu, top_k, dim=-1)
        parents = torch.div(sel, top_k, rounding_mode="floor")
        tokens = ti.view(b, -1).gather(1, sel)
        return tokens, parents, vals

    def eagle2_tree_mask(tree_mask, out_ids, init):  # the draft's tree mask carried to the chosen parents, a new column
        return torch.cat((tree_mask[:, :, out_ids], init), dim=3)

    def eagle2_rerank(scores, parents, tokens, total=60):  # the draft tree's final nodes: all depths' scores, the top
        top = torch.topk(scores.flatten(1), total, dim=-1)  # 60 sorted back into depth order, their tokens and
        idx = torch.sort(top.indices, dim=-1).values  # parents gathered
        return tokens.flatten(1).gather(1, idx), parents.flatten(1).gather(1, idx), idx

    # EAGLE-2 on Llama-3-8B-Instruct (128256 tokens) at batch 1 and 8, Qwen2.5-7B's draft (152064) at 4; its mask
    # step for 10 nodes at depth 6; its rerank of 6 depths x 100 candidates
    out += [
        ("eagle2_expand", eagle2_expand, (mf(1, 10), m(1, 10, 128256))),
        ("eagle2_expand", eagle2_expand, (mf(8, 10), m(8, 10, 128256))),
        ("eagle2_expand", eagle2_expand, (mf(4, 10), m(4, 10, 152064))),
        ("eagle2_tree_mask", eagle2_tree_mask, (mf(1, 1, 10, 50), i(10), mf(1, 1, 10, 10))),
        ("eagle2_rerank", eagle2_rerank, (mf(8, 6, 100), i(8, 6, 100), i(8, 6, 100))),
    ]

    def tree_attention_verify(q, k, v, tree_mask):  # tree verification in HF's eager attention: the cache's columns
        b, h, n, d = q.shape  # all visible, the tree's columns through the tree mask, as a float mask added to the
        t = k.shape[2]  # scores, fp32 softmax, values
        kr, vr = repeat_kv(k, h // k.shape[1]), repeat_kv(v, h // k.shape[1])
        vis = torch.cat([torch.ones(b, 1, n, t - n, dtype=torch.bool, device=q.device), tree_mask], -1)
        mask = torch.zeros(b, 1, n, t, dtype=q.dtype, device=q.device).masked_fill(~vis, torch.finfo(q.dtype).min)
        s = torch.matmul(q, kr.transpose(2, 3)) / math.sqrt(d) + mask
        p = F.softmax(s, dim=-1, dtype=torch.float32).to(q.dtype)
        return torch.matmul(p, vr)

    def tree_mask_from_parents(parents, depth=6):  # a tree's ancestor mask by gathers: each node's row ORed with its
        n = parents.shape[-1]  # parent's, depth times (the root its own parent)
        anc = torch.eye(n, dtype=torch.bool, device=parents.device).expand(parents.shape[0], n, n)
        eye = anc
        for _ in range(depth):
            anc = eye | anc.gather(1, parents.unsqueeze(-1).expand(-1, -1, n))
        return anc

    # tree verification on Llama-3.1-8B (60 nodes) at 1 x 4096, Vicuna-7B's Medusa tree (64 nodes, fp16) at 1 x
    # 1024; the ancestor mask of 60 nodes at batch 8 and 26 at 64
    out += [
        ("tree_attention_verify", tree_attention_verify, (m(1, 32, 60, 128), m(1, 8, 4156, 128),
                                                          m(1, 8, 4156, 128), mb(1, 1, 60, 60))),
        ("tree_attention_verify", tree_attention_verify, (mh(1, 32, 64, 128), mh(1, 32, 1088, 128),
                                                          mh(1, 32, 1088, 128), mb(1, 1, 64, 64))),
        ("tree_mask_from_parents", tree_mask_from_parents, (i(8, 60),)),
        ("tree_mask_from_parents", lambda p: tree_mask_from_parents(p, depth=4), (i(64, 26),)),
    ]

    def medusa_greedy_accept(tree_logits, candidates, retrieve):  # Medusa's evaluate_posterior (greedy): the tree
        logits = tree_logits[:, retrieve]  # logits along each candidate path, argmax against the next candidate
        pm = (candidates[:, :, 1:] == logits[:, :, :-1].argmax(-1)).int()  # token, accepted lengths by cumprod
        acc = torch.cumprod(pm, dim=-1).sum(-1)
        best = acc.argmax(-1)
        return best, acc.gather(1, best.unsqueeze(-1))

    def medusa_typical_accept(logits, candidates, temperature=0.7, eps=0.09, alpha=0.3):  # Medusa's typical
        pp = torch.softmax(logits[:, :, :-1] / temperature, dim=-1)  # acceptance: the candidates' probabilities
        cp = torch.gather(pp, -1, candidates[:, :, 1:].unsqueeze(-1)).squeeze(-1)  # against min(eps, alpha x
        ent = -torch.sum(pp * torch.log(pp + 1e-5), dim=-1)  # exp(-entropy)), lengths by cumprod
        thr = torch.minimum(torch.ones_like(ent) * eps, torch.exp(-ent) * alpha)
        acc = torch.cumprod(cp > thr, dim=-1).sum(-1)
        return acc.argmax(-1), acc.amax(-1)

    # Medusa-2 on Zephyr-7B's vocabulary (32000) with 42 candidate paths of depth 5 over a 64-node tree at batch 1,
    # Llama-3's (128256) at batch 2; typical acceptance over Llama-3's paths in fp32
    out += [
        ("medusa_greedy_accept", medusa_greedy_accept, (m(1, 64, 32000), i(1, 42, 5), i(42, 5))),
        ("medusa_greedy_accept", medusa_greedy_accept, (m(2, 64, 128256), i(2, 42, 5), i(42, 5))),
        ("medusa_typical_accept", medusa_typical_accept, (mf(2, 42, 5, 128256), i(2, 42, 5))),
    ]

    def spec_rejection_sample(p, q, draft, u, bonus_u):  # speculative sampling (Leviathan / Chen): accept each
        k = q.shape[1]  # draft token with probability min(1, p / q), the accepted prefix by cumprod, the residual
        px = p[:, :k].gather(-1, draft.unsqueeze(-1)).squeeze(-1)  # max(0, p - q) renormalised and drawn by the
        qx = q.gather(-1, draft.unsqueeze(-1)).squeeze(-1)  # exponential race at the first rejection, the bonus token
        acc = (u < (px / qx).clamp(max=1.0)).int().cumprod(-1)  # from p's last row
        n_acc = acc.sum(-1)
        res = (p[:, :k] - q).clamp_(min=0)
        res = res / res.sum(-1, keepdim=True).clamp_(min=1e-10)
        first = n_acc.clamp(max=k - 1)
        rec = res.gather(1, first.view(-1, 1, 1).expand(-1, 1, res.shape[-1])).squeeze(1)
        rec_tok = rec.div(torch.empty_like(rec).exponential_()).argmax(-1)
        bonus = p[:, k].div(bonus_u).argmax(-1)
        return n_acc, torch.where(n_acc == k, bonus, rec_tok)

    # speculative sampling of 5 draft tokens at batch 32 over Llama-3's 128256 tokens, 3 at 128 over Qwen3's 151936
    for b, k, v in ((32, 5, 128256), (128, 3, 151936)):
        out.append(("spec_rejection_sample", spec_rejection_sample, (mf(b, k + 1, v), mf(b, k, v), i(b, k),
                                                                     mf(b, k), mf(b, v))))

    def eagle3_fuse(h_low, h_mid, h_high, fc, emb_ids, emb, in_norm, h_norm, wq):  # EAGLE-3's draft input: three
        f = F.linear(torch.cat([h_low, h_mid, h_high], -1), fc)  # target layers' features fused by fc, the tokens'
        e = F.embedding(emb_ids, emb)  # embeddings and the fused feature each RMSNormed and joined, the draft
        d = f.shape[-1]  # layer's q_proj over the doubled width
        x = torch.cat([F.rms_norm(e, (d,), in_norm, 1e-6), F.rms_norm(f, (d,), h_norm, 1e-6)], -1)
        return F.linear(x, wq)

    def eagle3_draft_vocab(logits, d2t, k=8):  # EAGLE-3's reduced draft vocabulary: top-k draft ids mapped to
        lp = torch.log_softmax(logits.float(), -1)  # target ids through d2t's offsets
        vals, ids = lp.topk(k, dim=-1)
        return vals, ids + d2t[ids]

    # EAGLE-3 for Llama-3.1-8B (3 x 4096 -> 4096) at 1 x 2048 prefill and 16 x 1 decode, for Llama-3.3-70B (3 x 8192)
    # at 8 x 1; the 32000-token draft vocabulary at 16 and 64 rows
    out += [
        ("eagle3_fuse", eagle3_fuse, (m(1, 2048, 4096), m(1, 2048, 4096), m(1, 2048, 4096), m(4096, 12288),
                                      i(1, 2048), m(128256, 4096), m(4096), m(4096), m(4096, 8192))),
        ("eagle3_fuse", eagle3_fuse, (m(16, 1, 4096), m(16, 1, 4096), m(16, 1, 4096), m(4096, 12288), i(16, 1),
                                      m(128256, 4096), m(4096), m(4096), m(4096, 8192))),
        ("eagle3_fuse", eagle3_fuse, (m(8, 1, 8192), m(8, 1, 8192), m(8, 1, 8192), m(8192, 24576), i(8, 1),
                                      m(128256, 8192), m(8192), m(8192), m(8192, 16384))),
        ("eagle3_draft_vocab", eagle3_draft_vocab, (m(16, 32000), i(32000))),
        ("eagle3_draft_vocab", eagle3_draft_vocab, (m(64, 10, 32000), i(32000))),
    ]

    # ================================================================== retrieval in torch
    def colbert_score(q, d, d_mask):  # ColBERT's colbert_score: D @ Q^T, padded doc tokens at -9999, max over the
        scores = d @ q.to(dtype=d.dtype).permute(0, 2, 1)  # doc tokens, summed over the query tokens
        scores = scores.masked_fill(~d_mask.unsqueeze(-1), -9999)
        return scores.max(1).values.sum(-1)

    def plaid_centroid_stage(q, centroids, codes, ncand=1024, thr=0.45):  # PLAID's stages 2-3: centroid scores,
        s_cq = centroids @ q.t()  # centroids whose best query-token score is under the threshold pruned, each
        keep = s_cq.amax(-1, keepdim=True) >= thr  # candidate's tokens' centroid scores looked up, MaxSim, the top
        s_cq = torch.where(keep, s_cq, torch.zeros_like(s_cq))  # candidates
        approx = s_cq[codes]
        return approx.amax(1).sum(-1).topk(ncand).indices

    # ColBERTv2 (32 query tokens, 128-d, fp16) re-ranking 4096 candidates of 180 tokens and 1024 of LoTTE's 300;
    # PLAID over MS MARCO's 262144 centroids (4096 candidates) and LoTTE's 65536 (16384 candidates of 120)
    out += [
        ("colbert_score", colbert_score, (mh(1, 32, 128), mh(4096, 180, 128), mb(4096, 180))),
        ("colbert_score", colbert_score, (mh(1, 32, 128), mh(1024, 300, 128), mb(1024, 300))),
        ("plaid_centroid_stage", plaid_centroid_stage, (mh(32, 128), mh(262144, 128), i(4096, 180))),
        ("plaid_centroid_stage", lambda q, c, cd: plaid_centroid_stage(q, c, cd, ncand=4096),
         (mh(32, 128), mh(65536, 128), i(16384, 120))),
    ]

    def pq_lut_l2(q, codebooks):  # product quantisation's distance tables: each query's sub-vectors' squared L2 to
        nq, d = q.shape  # every sub-codeword (faiss' IndexPQ in torch)
        mm, ks, ds = codebooks.shape
        qs = q.view(nq, mm, 1, ds)
        return (qs - codebooks.unsqueeze(0)).pow(2).sum(-1)

    def pq_adc_gather(lut, codes, k=100):  # ADC by gather: each code's table entry gathered for every query, summed
        nq, mm, _ = lut.shape  # over the sub-quantisers, the nearest k
        idx = codes.long().t().unsqueeze(0).expand(nq, mm, codes.shape[0])
        return lut.gather(2, idx).sum(1).topk(k, dim=-1, largest=False)

    # PQ tables for 768-d queries (M 64 and 96 of 256 codes) at 16 and 256 queries; ADC over 500000 and 2M codes
    out += [
        ("pq_lut_l2", pq_lut_l2, (mf(16, 768), mf(64, 256, 12))),
        ("pq_lut_l2", pq_lut_l2, (mf(256, 768), mf(96, 256, 8))),
        ("pq_adc_gather", pq_adc_gather, (mf(16, 64, 256), mu8(500000, 64))),
        ("pq_adc_gather", pq_adc_gather, (mf(1, 96, 256), mu8(2000000, 96))),
    ]

    def ivf_probe_scan(q, centroids, lists, list_ids, list_len, nprobe=32, k=100):  # IVF-Flat in torch: the top
        nq = q.shape[0]  # nprobe lists by inner product, their padded vectors gathered and scored, padding masked,
        probe = (q @ centroids.t()).topk(nprobe, dim=-1).indices  # the top-k and their ids
        cand = lists[probe]
        s = torch.einsum("qd,qpld->qpl", q, cand)
        pad = torch.arange(lists.shape[1], device=q.device) >= list_len[probe].unsqueeze(-1)
        s = s.masked_fill(pad, float("-inf")).view(nq, -1)
        top = s.topk(k, dim=-1)
        return top.values, list_ids[probe].view(nq, -1).gather(1, top.indices)

    # IVF over 16384 lists of 128 padded 768-d fp16 vectors (32 queries, nprobe 32) and 4096 lists of 512 1024-d
    # bf16 vectors (8 queries, nprobe 64)
    out += [
        ("ivf_probe_scan", ivf_probe_scan, (mh(32, 768), mh(16384, 768), mh(16384, 128, 768), i(16384, 128),
                                            i(16384))),
        ("ivf_probe_scan", lambda q, c, ls, ids, ln: ivf_probe_scan(q, c, ls, ids, ln, nprobe=64),
         (m(8, 1024), m(4096, 1024), m(4096, 512, 1024), i(4096, 512), i(4096))),
    ]

    def binary_pack32(e):  # sign bits packed 32 to an int32 word (sentence-transformers' binary precision, in torch)
        n, d = e.shape
        bits = (e > 0).view(n, d // 32, 32).to(torch.int64)
        return (bits << torch.arange(32, device=e.device)).sum(-1).to(torch.int32)

    def popcount32(x):  # the SWAR popcount of int32 words (torch has no popcount op)
        x = x - ((x >> 1) & 0x55555555)
        x = (x & 0x33333333) + ((x >> 2) & 0x33333333)
        x = (x + (x >> 4)) & 0x0F0F0F0F
        return ((x * 0x01010101) >> 24) & 0xFF

    def hamming_topk(qb, db, k=400):  # Hamming distances by XOR and the SWAR popcount, the nearest k
        return popcount32(torch.bitwise_xor(qb.unsqueeze(1), db.unsqueeze(0))).sum(-1).topk(k, largest=False)

    def binary_rescore(q, corpus_i8, cand, k=10):  # the binary candidates rescored with the float query against the
        c = corpus_i8[cand].float()  # int8 corpus, the top-10
        return torch.einsum("qd,qkd->qk", q, c).topk(k, dim=-1)

    def int8_calibrate(e, calib):  # sentence-transformers' int8 scalar quantisation: ranges from a calibration set's
        starts = calib.amin(0)  # per-dimension min and max, 255 steps, shifted to int8
        steps = (calib.amax(0) - starts) / 255
        return ((e - starts) / steps - 128).round().clamp(-128, 127).to(torch.int8)

    # binary embeddings of mxbai-embed-large (1024 bits: 32 words) packed for 1M documents, searched with 8 queries
    # over 1M and 1 over 10M 512-bit codes; the top-400 rescored over int8; int8 calibration of 1M x 1024
    out += [
        ("binary_pack32", binary_pack32, (mf(1000000, 1024),)),
        ("hamming_topk", hamming_topk, (mi32(8, 32), mi32(1000000, 32))),
        ("hamming_topk", hamming_topk, (mi32(1, 16), mi32(10000000, 16))),
        ("binary_rescore", binary_rescore, (mf(8, 1024), mi8(1000000, 1024), i(8, 400))),
        ("int8_calibrate", int8_calibrate, (mf(1000000, 1024), mf(100000, 1024))),
    ]

    def matryoshka_search(q, corpus, dim=256, k=100):  # Matryoshka retrieval: both sides truncated and renormalised,
        qn = F.normalize(q[:, :dim], dim=-1)  # cosine top-k
        cn = F.normalize(corpus[:, :dim], dim=-1)
        return (qn @ cn.t()).topk(k, dim=-1)

    def matryoshka_loss(a, p, dims=(768, 512, 256, 128, 64), scale=20.0):  # sentence-transformers' MatryoshkaLoss
        total = 0.0  # over MultipleNegativesRankingLoss: each truncation's in-batch cosine matrix, cross-entropy
        labels = torch.arange(a.shape[0], device=a.device)
        for d in dims:
            s = F.normalize(a[:, :d], dim=-1) @ F.normalize(p[:, :d], dim=-1).t() * scale
            total = total + F.cross_entropy(s, labels)
        return total

    # text-embedding-3-large-style 3072-d vectors truncated to 256 over 1M documents (64 queries) and nomic-v1.5's
    # 768 to 128 over 2M (fp16); MatryoshkaLoss at batch 1024 in fp32
    out += [
        ("matryoshka_search", matryoshka_search, (mh(64, 3072), mh(1000000, 3072))),
        ("matryoshka_search", lambda q, c: matryoshka_search(q, c, dim=128), (mh(256, 768), mh(2000000, 768))),
        ("matryoshka_loss", matryoshka_loss, (mf(1024, 768), mf(1024, 768))),
    ]

    def splade_max_pool(logits, mask, k=256):  # SPLADE-v3: max over tokens of log(1 + ReLU(logits)) times the
        rep = torch.max(torch.log1p(torch.relu(logits)) * mask.unsqueeze(-1), dim=1).values  # mask, the top-k
        top = rep.topk(k, dim=-1)  # vocabulary weights kept
        return torch.zeros_like(rep).scatter_(-1, top.indices, top.values)

    def bm25_dense(tf, doc_len, q_terms, idf, k1=1.2, b=0.75, k=1000):  # BM25 over a dense document-term matrix:
        t = tf[:, q_terms].float()  # the queries' term columns, length-normalised saturation, idf-weighted sum,
        norm = k1 * (1 - b + b * doc_len / doc_len.mean())  # top-1000 per query
        s = (idf[q_terms] * t * (k1 + 1) / (t + norm[:, None, None])).sum(-1)
        return s.t().topk(k, dim=-1)

    def rrf_dense(s1, s2, k=60, top=100):  # reciprocal rank fusion over two retrievers' full score rows: ranks by
        r1 = s1.argsort(-1, descending=True).argsort(-1)  # argsort of argsort, 1 / (k + rank) summed, the top-100
        r2 = s2.argsort(-1, descending=True).argsort(-1)
        return (1.0 / (k + r1 + 1) + 1.0 / (k + r2 + 1)).topk(top, dim=-1)

    def monot5_scores(h, lm_head, tf_ids):  # monoT5's relevance: the first decoder step's logits (tied head scaled by
        logits = F.linear(h * h.shape[-1] ** -0.5, lm_head)  # d^-1/2), "true" against "false" by log-softmax
        return torch.log_softmax(logits.index_select(-1, tf_ids).float(), dim=-1)[..., 0]

    # SPLADE-v3 over 128 x 256-token documents (30522 tokens); BM25 over a 50000 x 30522 fp16 term matrix for 32
    # queries of 16 terms; RRF over 64 x 100000 and 8 x 1M scores; monoT5-large re-ranking 1000 passages
    out += [
        ("splade_max_pool", splade_max_pool, (m(128, 256, 30522), m(128, 256))),
        ("bm25_dense", bm25_dense, (mh(50000, 30522), mf(50000), i(32, 16), mf(30522))),
        ("rrf_dense", rrf_dense, (mf(64, 100000), mf(64, 100000))),
        ("rrf_dense", rrf_dense, (mf(8, 1000000), mf(8, 1000000))),
        ("monot5_scores", monot5_scores, (m(1000, 1, 1024), m(32128, 1024), i(2))),
    ]

    def mips_topk(q, corpus, k=100):  # exact maximum inner-product search: one product over the corpus, the top-k
        return torch.topk(q @ corpus.t(), k, dim=-1)

    # MIPS with 16 queries over 10M x 768 fp16, 256 over 1M x 768 (top-1000) and 64 over 5M x 1024 bf16
    out += [
        ("mips_topk", mips_topk, (mh(16, 768), mh(10000000, 768))),
        ("mips_topk", lambda q, c: mips_topk(q, c, k=1000), (mh(256, 768), mh(1000000, 768))),
        ("mips_topk", mips_topk, (m(64, 1024), m(5000000, 1024))),
    ]

    # ================================================================== memory architectures
    def titans_mlp_memory(k, v, q, w1, w2, theta, eta, alpha, chunk=64, steps=4):  # Titans' deep memory (a 2-layer
        s1, s2 = torch.zeros_like(w1), torch.zeros_like(w2)  # SiLU MLP per head) over its first chunks, written with
        for c in range(steps):  # explicit matmuls: the chunk's forward, the MSE's gradients w.r.t. both weights by
            kc = k[:, :, c * chunk:(c + 1) * chunk]  # hand, momentum with data-dependent eta and theta, forgetting
            vc = v[:, :, c * chunk:(c + 1) * chunk]  # by alpha; the last chunk's queries read the updated memory
            z = kc @ w1
            sig = torch.sigmoid(z)
            a = z * sig
            err = (a @ w2 - vc) * (2.0 / chunk)
            g2 = a.transpose(-1, -2) @ err
            dz = (err @ w2.transpose(-1, -2)) * sig * (1 + z * (1 - sig))
            g1 = kc.transpose(-1, -2) @ dz
            th, et, al = (x[:, :, c, None, None] for x in (theta, eta, alpha))
            s1, s2 = et * s1 - th * g1, et * s2 - th * g2
            w1, w2 = (1 - al) * w1 + s1, (1 - al) * w2 + s2
        return F.silu(q[:, :, -chunk:] @ w1) @ w2, w1, w2

    # Titans' memory in fp32 with 16 heads of 128 (expansion 4) at batch 8, its first 4 chunks of 64
    out += [
        ("titans_mlp_memory", titans_mlp_memory, (mf(8, 16, 256, 128), mf(8, 16, 256, 128), mf(8, 16, 256, 128),
                                                  mf(8, 16, 128, 512), mf(8, 16, 512, 128), mf(8, 16, 4),
                                                  mf(8, 16, 4), mf(8, 16, 4))),
    ]

    def infini_attention(q, k, v, mem, z, beta):  # Infini-attention over one segment: ELU + 1 features, the memory's
        sq, sk = F.elu(q.float()) + 1, F.elu(k.float()) + 1  # retrieval normalised by z, causal local attention,
        a_mem = (sq @ mem) / (sq @ z.unsqueeze(-1) + 1e-6)  # the delta-rule memory update and normaliser, the two
        a_dot = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # outputs mixed by sigmoid(beta) per head
        v_old = (sk @ mem) / (sk @ z.unsqueeze(-1) + 1e-6)
        mem = mem + sk.transpose(-2, -1) @ (v.float() - v_old)
        z = z + sk.sum(-2)
        g = torch.sigmoid(beta)
        return (g * a_mem + (1 - g) * a_dot.float()).to(q.dtype), mem, z

    # Infini-attention with 2048-token segments: Llama-3-8B's 32 heads of 128 at batch 2
    out += [
        ("infini_attention", infini_attention, (m(2, 32, 2048, 128), m(2, 32, 2048, 128), m(2, 32, 2048, 128),
                                                mf(2, 32, 128, 128), mf(2, 32, 128), mf(1, 32, 1, 1))),
    ]

    def dpfp(x, nu=3):  # the DPFP feature map: ReLU of x and -x, rolled products
        x = torch.cat([F.relu(x), F.relu(-x)], dim=-1)
        rolled = torch.cat([x.roll(shifts=j, dims=-1) for j in range(1, nu + 1)], dim=-1)
        return torch.cat([x] * nu, dim=-1) * rolled

    def armt_update(mem_tok, wk, wv, wb, a, z):  # ARMT's layer memory write: the memory tokens' DPFP keys, values and
        k = dpfp(F.linear(mem_tok, wk)).float()  # gate, the delta rule into the associative matrix and normaliser
        v = F.linear(mem_tok, wv).float()
        beta = torch.sigmoid(F.linear(mem_tok, wb)).float()
        denom = k @ z.unsqueeze(-1) + 1e-5
        v_old = (k @ a) / denom
        a = a + k.transpose(-1, -2) @ (beta * (v - v_old))
        return a, z + k.sum(1)

    def armt_read(x, wq, a, z):  # ARMT's read: each token's DPFP query against the associative matrix
        q = dpfp(F.linear(x, wq)).float()
        return ((q @ a) / (q @ z.unsqueeze(-1) + 1e-5)).to(x.dtype)

    # ARMT on Llama-3.2-1B (2048 wide, 64-d keys, nu 3: 384 features, 16 memory tokens) at batch 8 over 1024-token
    # segments
    out += [
        ("armt_update", armt_update, (m(8, 16, 2048), m(64, 2048), m(2048, 2048), m(1, 2048), mf(8, 384, 2048),
                                      mf(8, 384))),
        ("armt_read", armt_read, (m(8, 1024, 2048), m(64, 2048), mf(8, 384, 2048), mf(8, 384))),
    ]

    def knn_memory_attend(q, k, v, mem_k, mem_v, topk=32, scale=8.0):  # lucidrains' Memorizing Transformer KNN
        q, k = F.normalize(q, dim=-1), F.normalize(k, dim=-1)  # attention: l2-normalised queries and keys, each
        idx = torch.einsum("bhid,bhjd->bhij", q, mem_k).topk(topk, dim=-1).indices  # query's top-32 memories
        b, h, n, d = q.shape  # gathered, one softmax over the memories and the causal local keys, split and read out
        mk = mem_k.gather(2, idx.flatten(2).unsqueeze(-1).expand(-1, -1, -1, d)).view(b, h, n, topk, d)
        mv = mem_v.gather(2, idx.flatten(2).unsqueeze(-1).expand(-1, -1, -1, d)).view(b, h, n, topk, d)
        sim = causal_fill(torch.einsum("bhid,bhjd->bhij", q, k) * scale)
        sim_mem = torch.einsum("bhid,bhijd->bhij", q, mk) * scale
        attn = torch.cat([sim_mem, sim], -1).softmax(-1)
        return (torch.einsum("bhij,bhijd->bhid", attn[..., :topk], mv)
                + torch.einsum("bhij,bhjd->bhid", attn[..., topk:], v))

    def longmem_chunk_attend(q, k, v, mem_k, mem_v, g, csz=4, kc=16):  # LongMem's memory fusion: the cached chunks'
        b, h, n, d = q.shape  # mean keys scored, each query's top chunks' tokens gathered, memory and local attention
        nc = mem_k.shape[2] // csz  # each softmaxed and mixed by a learned per-head gate
        ck = mem_k.view(b, h, nc, csz, d)
        top = torch.einsum("bhid,bhcd->bhic", q, ck.mean(3)).topk(kc, dim=-1).indices
        gi = top.flatten(2)[..., None, None].expand(-1, -1, -1, csz, d)
        mk = ck.gather(2, gi).view(b, h, n, kc * csz, d)
        mv = mem_v.view(b, h, nc, csz, d).gather(2, gi).view(b, h, n, kc * csz, d)
        pm = (torch.einsum("bhid,bhijd->bhij", q, mk) / math.sqrt(d)).softmax(-1)
        om = torch.einsum("bhij,bhijd->bhid", pm, mv)
        ol = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        gg = torch.sigmoid(g)
        return gg * ol + (1 - gg) * om

    # KNN memory (8 heads of 64, 512-token segments) over 65536 memories; LongMem's fusion (16 heads of 64, 1024
    # tokens, chunks of 4, top-16) over 65536 cached tokens
    out += [
        ("knn_memory_attend", knn_memory_attend, (m(1, 8, 512, 64), m(1, 8, 512, 64), m(1, 8, 512, 64),
                                                  m(1, 8, 65536, 64), m(1, 8, 65536, 64))),
        ("longmem_chunk_attend", longmem_chunk_attend, (mh(1, 16, 1024, 64), mh(1, 16, 1024, 64),
                                                        mh(1, 16, 1024, 64), mh(1, 16, 65536, 64),
                                                        mh(1, 16, 65536, 64), mh(1, 16, 1, 1))),
    ]

    def memagent_layer(x, ln1, wq, bq, wk, bk, wv, bv, wo, ln2, wg, wu, wd, cos, sin, n_heads=28, n_kv=4):
        b, t, d = x.shape  # a Qwen2.5 decoder layer over MemAgent's context window (problem, the 1024-token memory
        hd = d // n_heads  # and a 5000-token chunk): RMSNorm, biased q / k / v, rope, causal GQA SDPA, o_proj, SwiGLU
        h = F.rms_norm(x, (d,), ln1, 1e-6)
        q = F.linear(h, wq, bq).view(b, t, n_heads, hd).transpose(1, 2)
        k = F.linear(h, wk, bk).view(b, t, n_kv, hd).transpose(1, 2)
        v = F.linear(h, wv, bv).view(b, t, n_kv, hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        a = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
        x = x + F.linear(a.transpose(1, 2).reshape(b, t, d), wo)
        h = F.rms_norm(x, (d,), ln2, 1e-6)
        return x + F.linear(F.silu(F.linear(h, wg)) * F.linear(h, wu), wd)

    def memagent_inputs(t, d, nh, nkv, ff):
        hd = d // nh
        return (m(1, t, d), m(d), m(d, d), m(d), m(nkv * hd, d), m(nkv * hd), m(nkv * hd, d), m(nkv * hd),
                m(d, d), m(d), m(ff, d), m(ff, d), m(d, ff), m(1, 1, t, hd), m(1, 1, t, hd))

    # RL-MemAgent-7B (Qwen2.5-7B: 3584, 28 / 4 heads, 18944) over a 6400-token window
    out += [
        ("memagent_layer", memagent_layer, memagent_inputs(6400, 3584, 28, 4, 18944)),
    ]

    def compressive_memory(old_mem, w, b, h, wq, wk, wv):  # the Compressive Transformer: the oldest memories
        comp = F.conv1d(old_mem.transpose(1, 2), w, b, stride=w.shape[-1]).transpose(1, 2)  # compressed by a strided
        q = F.linear(h, wq)  # conv (rate 3), the attention-reconstruction loss between attending the old and the
        def att(mem):  # compressed memories (content stopped)
            p = torch.softmax(q @ F.linear(mem, wk).transpose(1, 2) / math.sqrt(q.shape[-1]), -1)
            return p @ F.linear(mem, wv)
        return comp, F.mse_loss(att(comp), att(old_mem.detach()))

    def gist_mask(ids, gist=32000):  # the gisting repository's make_gist_mask: tokens before the last gist see the
        g = ids == gist  # prefix, tokens after the first see only the gists and onwards (cumsum and reverse cumsum)
        pre_first = g.cumsum(-1) >= 1
        post_last = (g + g.sum(-1, keepdim=True) - g.cumsum(-1)) >= 1
        pre = post_last[:, None, None]
        mask = torch.where(pre.permute(0, 1, 3, 2), pre, pre_first[:, None, None])
        t = ids.shape[-1]
        return mask & torch.ones(t, t, dtype=torch.bool, device=ids.device).tril()

    # the compressive memory of a 4096-wide model at batch 2 (1536 old memories to 512); gist masks of LLaMA-7B
    # prompts at 16 x 512 and 4 x 2048
    out += [
        ("compressive_memory", compressive_memory, (m(2, 1536, 4096), m(4096, 4096, 3), m(4096), m(2, 1024, 4096),
                                                    m(4096, 4096), m(4096, 4096), m(4096, 4096))),
        ("gist_mask", gist_mask, (i(16, 512),)),
        ("gist_mask", gist_mask, (i(4, 2048),)),
    ]

    # ================================================================== quantised inference in pure torch
    def gptq_dequant_matmul(x, qweight, qzeros, scales, g_idx, bits=4):  # AutoGPTQ's torch path: zeros and weights
        wf = torch.arange(0, 32, bits, dtype=torch.int32, device=x.device)  # unpacked by right shifts and masks
        per = 32 // bits  # (zeros + 1, the v1 format), scales and zeros gathered by g_idx, the dequantised weight
        zeros = torch.bitwise_right_shift(qzeros.unsqueeze(2).expand(-1, -1, per), wf.unsqueeze(0)).to(torch.int8)
        zeros = (torch.bitwise_and(zeros, 2 ** bits - 1) + 1).reshape(scales.shape)
        w = torch.bitwise_right_shift(qweight.unsqueeze(1).expand(-1, per, -1), wf.unsqueeze(-1)).to(torch.int8)
        w = torch.bitwise_and(w, 2 ** bits - 1).reshape(-1, w.shape[2])
        w = scales[g_idx] * (w - zeros[g_idx])
        return torch.matmul(x, w)

    def gptq_inputs(rows, k, n, g=128):
        return (mh(rows, k), mi32(k // 8, n), mi32(k // g, n // 8), mh(k // g, n), mi32(k))

    # GPTQ-int4 (group 128, act-order g_idx) of Llama-3-70B's down_proj (28672 -> 8192) at 16 decode rows and
    # Mixtral's expert w1 (4096 -> 14336) at 256 tokens
    out += [
        ("gptq_dequant_matmul", gptq_dequant_matmul, gptq_inputs(16, 28672, 8192)),
        ("gptq_dequant_matmul", gptq_dequant_matmul, gptq_inputs(256, 4096, 14336)),
    ]

    def awq_dequant(qweight, qzeros, scales, bits=4, group=128):  # AutoAWQ's dequantize_gemm in torch: unpack_awq by
        shifts = torch.arange(0, 32, bits, device=qweight.device)  # shifts, the AWQ order reversed, masks, zeros and
        iw = torch.bitwise_right_shift(qweight[:, :, None], shifts[None, None, :]).to(torch.int8)  # scales
        iz = torch.bitwise_right_shift(qzeros[:, :, None], shifts[None, None, :]).to(torch.int8)  # repeated per group
        iw, iz = iw.view(qweight.shape[0], -1), iz.view(qzeros.shape[0], -1)
        order = torch.arange(iw.shape[-1], dtype=torch.int32, device=qweight.device).view(-1, 32 // bits)
        order = order[:, [0, 4, 1, 5, 2, 6, 3, 7]].reshape(-1)
        iw = torch.bitwise_and(iw[:, order], 2 ** bits - 1)
        iz = torch.bitwise_and(iz[:, order], 2 ** bits - 1)
        return (iw - iz.repeat_interleave(group, dim=0)) * scales.repeat_interleave(group, dim=0)

    # AWQ-int4 of Llama-3-8B's up_proj (4096 -> 14336) and Qwen2.5-72B's down_proj (29568 -> 8192)
    out += [
        ("awq_dequant", awq_dequant, (mi32(4096, 1792), mi32(32, 1792), mh(32, 14336))),
        ("awq_dequant", awq_dequant, (mi32(29568, 1024), mi32(231, 1024), mh(231, 8192))),
    ]

    def hqq_dequant(wq, scale, zero, out_f=4096):  # HQQ's unpack_4bit_u8 and dequantize: the high and low nibbles by
        w = torch.cat([(wq & 0b11110000) >> 4, wq & 0b00001111], dim=0)  # masks and shifts, (W_q - zero) * scale per
        return ((w.to(scale.dtype) - zero) * scale).reshape(out_f, -1)  # group of 64, reshaped to the weight

    def nf4_double_dequant(packed, code, qabsmax, code8, absmax2, offset, out_f=4096, block2=256):
        absmax = (code8[qabsmax.long()].view(-1, block2) * absmax2.unsqueeze(-1)).flatten() + offset  # bitsandbytes'
        idx = torch.stack([(packed >> 4).long(), (packed & 0x0F).long()], -1).flatten()  # NF4 with double quant in
        w = code[idx].view(-1, 64) * absmax.unsqueeze(-1)  # torch: 8-bit absmax through its own code and scale,
        return w.to(torch.bfloat16).view(out_f, -1)  # nibbles by shifts, the NF4 table, per-64 block scale

    # HQQ-4bit (group 64) of Llama-2-7B's q_proj and Llama-3-70B's gate_proj (28672 x 8192); NF4 with double
    # quantisation of Llama-3-8B's q_proj and Llama-3-70B's up_proj
    out += [
        ("hqq_dequant", hqq_dequant, (mu8(131072, 64), mh(262144, 1), mh(262144, 1))),
        ("hqq_dequant", lambda w, s, z: hqq_dequant(w, s, z, out_f=28672), (mu8(1835008, 64), mh(3670016, 1),
                                                                            mh(3670016, 1))),
        ("nf4_double_dequant", nf4_double_dequant, (mu8(8388608), mf(16), mu8(262144), mf(256), mf(1024), sc())),
        ("nf4_double_dequant", lambda *a: nf4_double_dequant(*a, out_f=28672),
         (mu8(117440512), mf(16), mu8(3670016), mf(256), mf(14336), sc())),
    ]

    def e4m3_emulate(x, scale):  # e4m3 emulated in float arithmetic (for GPUs without fp8): scaled, clamped to +-448,
        xs = (x.float() / scale).clamp(-448.0, 448.0)  # each value rounded to 3 mantissa bits at its exponent
        e = torch.floor(torch.log2(xs.abs().clamp(min=2.0 ** -9))).clamp(min=-6.0)  # (subnormals below 2^-6)
        step = torch.exp2(e - 3.0)
        return (torch.round(xs / step) * step * scale).to(x.dtype)

    def fp8_dynamic_linear(x, w8, w_scale):  # per-token dynamic fp8 activations (vLLM's scaled_fp8_quant fallback):
        s = x.abs().amax(-1, keepdim=True).float().clamp(min=1e-12) / 448.0  # row amax / 448, the e4m3 cast,
        x8 = (x.float() / s).clamp(-448.0, 448.0).to(torch.float8_e4m3fn)  # cuBLASLt's rowwise scaled product
        return torch._scaled_mm(x8, w8.t(), s, w_scale, out_dtype=torch.bfloat16)

    def fp8_block_weight_dequant(w, s, block=128):  # DeepSeek-V3's block-wise fp8 weights dequantised in torch: the
        n, k = w.shape  # 128 x 128 block scales expanded by repeat_interleave on both axes (cut to the weight)
        sf = s.repeat_interleave(block, 0).repeat_interleave(block, 1)[:n, :k]
        return (w.float() * sf).to(torch.bfloat16)

    # e4m3 emulation of Llama-3.1-8B's activations (4096 tokens x 4096) and up_proj weight; per-token fp8 linears
    # of Llama-3.1-8B's gate / up (4096 -> 14336) at 512 and 64 rows; V3's block-scaled weights (dense MLP 18432 x
    # 7168, wq_b 24576 x 1536, wkv_a 576 x 7168)
    out += [
        ("e4m3_emulate", e4m3_emulate, (m(4096, 4096), sc())),
        ("e4m3_emulate", e4m3_emulate, (mh(14336, 4096), sc())),
        ("fp8_dynamic_linear", fp8_dynamic_linear, (m(512, 4096), mf8(28672, 4096), mf(1, 28672))),
        ("fp8_dynamic_linear", fp8_dynamic_linear, (m(64, 4096), mf8(28672, 4096), mf(1, 28672))),
        ("fp8_block_weight_dequant", fp8_block_weight_dequant, (mf8(18432, 7168), mf(144, 56))),
        ("fp8_block_weight_dequant", fp8_block_weight_dequant, (mf8(24576, 1536), mf(192, 12))),
        ("fp8_block_weight_dequant", fp8_block_weight_dequant, (mf8(576, 7168), mf(5, 56))),
    ]

    def smoothquant_qkv(ln_w, act_scales, wq, wk, wv, alpha=0.5):  # SmoothQuant's smooth_ln_fcs: the channels'
        ws = torch.cat([w.abs().max(dim=0, keepdim=True)[0] for w in (wq, wk, wv)], dim=0)  # weight maxima over
        ws = ws.max(dim=0)[0].clamp(min=1e-5)  # q / k / v, scales from the activation and weight ranges, the norm
        s = (act_scales.pow(alpha) / ws.pow(1 - alpha)).clamp(min=1e-5).to(ln_w.dtype)  # divided, the weights
        return ln_w / s, wq * s.view(1, -1), wk * s.view(1, -1), wv * s.view(1, -1)  # multiplied

    def w8a8_linear(x, w_i8, w_scale):  # W8A8 with per-token dynamic int8 activations: row absmax / 127, round and
        s = x.abs().amax(-1, keepdim=True).float().clamp(min=1e-5) / 127  # clamp, torch._int_mm, both scales
        xq = (x.float() / s).round().clamp(-128, 127).to(torch.int8)
        y = torch._int_mm(xq, w_i8.t())
        return (y.float() * s * w_scale).to(x.dtype)

    # SmoothQuant over Llama-3-70B's q / k / v (8192 -> 8192 / 1024 / 1024) and Mistral-7B's; W8A8 linears of
    # Llama-2-13B's up_proj (5120 -> 13824) at 32 and 2048 rows
    out += [
        ("smoothquant_qkv", smoothquant_qkv, (mh(8192), mh(8192), mh(8192, 8192), mh(1024, 8192), mh(1024, 8192))),
        ("smoothquant_qkv", smoothquant_qkv, (mh(4096), mh(4096), mh(4096, 4096), mh(1024, 4096), mh(1024, 4096))),
        ("w8a8_linear", w8a8_linear, (mh(32, 5120), mi8(13824, 5120), mf(1, 13824))),
        ("w8a8_linear", w8a8_linear, (mh(2048, 5120), mi8(13824, 5120), mf(1, 13824))),
    ]

    def nvfp4_fake_quant(x, grid):  # NVFP4 fake quantisation (ModelOpt's reference): a global fp32 scale, a per-16
        g = x.abs().amax().float() / (6.0 * 448.0)  # block scale stored in e4m3, magnitudes snapped to the E2M1
        xb = x.float().view(-1, 16)  # grid by bucketize of its midpoints, signs restored, dequantised
        bs = (xb.abs().amax(-1, keepdim=True) / 6.0 / g).to(torch.float8_e4m3fn).float() * g
        xs = xb / bs.clamp(min=1e-12)
        idx = torch.bucketize(xs.abs(), (grid[1:] + grid[:-1]) / 2)
        return (grid[idx] * xs.sign() * bs).view_as(x).to(x.dtype)

    def hadamard_had_u(x):  # QuaRot's matmul_hadU for a power-of-two width: log2(n) butterfly stages by views and
        n = x.shape[-1]  # slice writes, scaled by 1 / sqrt(n)
        inp = x.clone().view(-1, n, 1)
        o = inp.clone()
        while inp.shape[1] > 1:
            inp = inp.view(inp.shape[0], inp.shape[1] // 2, 2, inp.shape[2])
            o = o.view(inp.shape)
            o[:, :, 0, :] = inp[:, :, 0, :] + inp[:, :, 1, :]
            o[:, :, 1, :] = inp[:, :, 0, :] - inp[:, :, 1, :]
            o = o.view(inp.shape[0], inp.shape[1], -1)
            inp, o = o, inp
        return inp.view(x.shape) / math.sqrt(n)

    def aqlm_dequant(codes, codebooks, scales):  # AQLM's _dequantize_weight: each group's codes offset per codebook,
        og, ig, ncb = codes.shape  # looked up and summed by embedding_bag, the groups laid out, per-channel scales
        _, cbs, osz, isz = codebooks.shape
        off = torch.arange(0, ncb * cbs, cbs, device=codes.device)
        rec = F.embedding_bag(codes.flatten(0, -2) + off, codebooks.flatten(0, 1).flatten(-2, -1), mode="sum")
        return rec.view(og, ig, osz, isz).permute(0, 2, 1, 3).reshape(og * osz, ig * isz) * scales

    # NVFP4 of Llama-3.1-8B's up_proj weight; QuaRot's online Hadamard over the 128-d heads
    # of 2048 tokens x 32 heads (fp16); AQLM 1x16 (65536 codes of 8) and 2x8 of Llama-2-7B's q_proj
    out += [
        ("nvfp4_fake_quant", nvfp4_fake_quant, (m(14336, 4096), mf(8))),
        ("hadamard_had_u", hadamard_had_u, (mh(2048, 32, 128),)),
        ("aqlm_dequant", aqlm_dequant, (i(4096, 512, 1), mh(1, 65536, 1, 8), mh(4096, 1))),
        ("aqlm_dequant", aqlm_dequant, (i(4096, 512, 2), mh(2, 256, 1, 8), mh(4096, 1))),
    ]

    # ================================================================== paged KV caches
    def reshape_and_cache_torch(key, value, k_cache, v_cache, slots):  # vLLM's reshape_and_cache as torch writes it:
        nb, bs, h, d = k_cache.shape  # the flattened cache's slots written by index_copy_
        k_cache.view(-1, h, d).index_copy_(0, slots, key)
        v_cache.view(-1, h, d).index_copy_(0, slots, value)
        return k_cache, v_cache

    def reshape_and_cache_fp8(key, value, k_cache, v_cache, slots, k_scale, v_scale):  # the fp8 cache: the tokens
        nb, bs, h, d = k_cache.shape  # scaled and cast to e4m3, written by index_put_
        k_cache.view(-1, h, d)[slots] = (key / k_scale).to(torch.float8_e4m3fn)
        v_cache.view(-1, h, d)[slots] = (value / v_scale).to(torch.float8_e4m3fn)
        return k_cache, v_cache

    # the cache write of Llama-3.1-8B (8 KV heads, 8192 blocks of 16) for 256 decode tokens and an 8192-token
    # prefill; Qwen2.5-72B at TP 8 (1 KV head) into an fp8 cache of 65536 blocks for 512 tokens
    out += [
        ("reshape_and_cache_torch", reshape_and_cache_torch, (m(256, 8, 128), m(256, 8, 128), m(8192, 16, 8, 128),
                                                              m(8192, 16, 8, 128), i(256))),
        ("reshape_and_cache_torch", reshape_and_cache_torch, (m(8192, 8, 128), m(8192, 8, 128),
                                                              m(8192, 16, 8, 128), m(8192, 16, 8, 128), i(8192))),
        ("reshape_and_cache_fp8", reshape_and_cache_fp8, (m(512, 1, 128), m(512, 1, 128), mf8(65536, 16, 1, 128),
                                                          mf8(65536, 16, 1, 128), i(512), sc(), sc())),
    ]

    def paged_decode_gather(q, k_cache, v_cache, block_tables, ctx_lens, k_scale=None):  # a torch-native paged
        b, h, _, d = q.shape  # decode: the block tables' pages gathered, laid out as [b, heads, tokens, d], the
        kg = k_cache[block_tables].flatten(1, 2).transpose(1, 2)  # positions past each context masked, GQA SDPA
        vg = v_cache[block_tables].flatten(1, 2).transpose(1, 2)
        if k_scale is not None:
            kg, vg = kg.to(q.dtype) * k_scale, vg.to(q.dtype) * k_scale
        mask = torch.arange(kg.shape[2], device=q.device)[None, :] < ctx_lens[:, None]
        return F.scaled_dot_product_attention(q, kg, vg, attn_mask=mask[:, None, None, :], enable_gqa=True)

    # paged decode of Llama-3.1-8B over 64 x 2048 tokens (pages of 16) and 16 x 16384 (pages of 128), Mistral's
    # fp8 cache over 32 x 4096
    out += [
        ("paged_decode_gather", paged_decode_gather, (m(64, 32, 1, 128), m(16384, 16, 8, 128), m(16384, 16, 8, 128),
                                                      i(64, 128), i(64))),
        ("paged_decode_gather", paged_decode_gather, (m(16, 32, 1, 128), m(4096, 128, 8, 128),
                                                      m(4096, 128, 8, 128), i(16, 128), i(16))),
        ("paged_decode_gather", lambda q, kc, vc, bt, cl, s: paged_decode_gather(q, kc, vc, bt, cl, s),
         (m(32, 32, 1, 128), mf8(16384, 16, 8, 128), mf8(16384, 16, 8, 128), i(32, 256), i(32), sc(torch.bfloat16))),
    ]

    def sglang_native_decode(q, k_buf, v_buf, req_to_token, req_idx, ctx=4096):  # SGLang's torch_native backend
        tok = req_to_token[req_idx, :ctx]  # with equal lengths: the requests' token slots from req_to_token, the
        k = k_buf[tok].transpose(1, 2)  # buffers' rows gathered, SDPA with GQA over each request's tokens
        v = v_buf[tok].transpose(1, 2)
        return F.scaled_dot_product_attention(q, k, v, enable_gqa=True)

    def flashinfer_append_slots(qo_indptr, kv_indptr, kv_indices, kv_lens, page=16):  # the positions and slots of
        nnz = 8192  # appended tokens in a paged cache (FlashInfer's get_batch_indices_positions and
        ar = torch.arange(nnz, device=qo_indptr.device)  # append_paged_kv_cache in torch): each token's request by
        bi = torch.searchsorted(qo_indptr, ar, right=True) - 1  # searchsorted, its position, its page through the
        pos = kv_lens[bi] - (qo_indptr[bi + 1] - ar)  # page table
        pg = kv_indices[kv_indptr[bi] + torch.div(pos, page, rounding_mode="floor")]
        return pg * page + pos % page

    # SGLang's native decode over a 500000-token pool for 32 requests of 4096 and 128 of 1024 (Llama-3.1-8B);
    # FlashInfer-style slots for 8192 appended tokens of 64 requests
    out += [
        ("sglang_native_decode", sglang_native_decode, (m(32, 32, 1, 128), m(500000, 8, 128), m(500000, 8, 128),
                                                        mi32(2048, 8192), i(32))),
        ("sglang_native_decode", lambda q, kb, vb, r2t, ri: sglang_native_decode(q, kb, vb, r2t, ri, ctx=1024),
         (m(128, 32, 1, 128), m(500000, 8, 128), m(500000, 8, 128), mi32(2048, 8192), i(128))),
        ("flashinfer_append_slots", flashinfer_append_slots, (mi32(65), mi32(65), mi32(65536), mi32(64))),
    ]

    def radix_prefix_match(cached, lens, new):  # a prefix match as tensor ops: each cached sequence compared with the
        eq = (cached == new.unsqueeze(0)).int()  # request position by position, the matched prefix by cumprod capped
        match = torch.minimum(eq.cumprod(-1).sum(-1), lens)  # at the cached length, the longest
        best = match.argmax()
        return best, match.gather(0, best.view(1))

    def prefix_block_hash(tokens, block=16, mod=2 ** 31 - 1):  # prefix-cache keys emulated as tensor ops: a
        b, t = tokens.shape  # multiplicative hash of each block's tokens, chained over the blocks by cumsum so each
        nb = t // block  # key covers the whole prefix
        pw = torch.arange(1, block + 1, device=tokens.device) * 2654435761 % mod
        h = (tokens.view(b, nb, block) * pw).sum(-1) % mod
        return (h * (torch.arange(nb, device=tokens.device) + 1)).cumsum(-1) % mod

    def copy_blocks(k_cache, v_cache, src, dst):  # vLLM's copy_blocks (copy-on-write) in torch: pages copied
        k_cache[dst] = k_cache[src]
        v_cache[dst] = v_cache[src]
        return k_cache, v_cache

    # radix matches against 4096 cached 2048-token sequences and 65536 of 512 (int32); block hashes of 256 x 8192
    # and 1 x 131072 tokens; copy-on-write of 64 pages in Llama-3.1-8B's cache
    out += [
        ("radix_prefix_match", radix_prefix_match, (i(4096, 2048), i(4096), i(2048))),
        ("radix_prefix_match", radix_prefix_match, (mi32(65536, 512), i(65536), mi32(512))),
        ("prefix_block_hash", prefix_block_hash, (i(256, 8192),)),
        ("prefix_block_hash", prefix_block_hash, (i(1, 131072),)),
        ("copy_blocks", copy_blocks, (m(8192, 16, 8, 128), m(8192, 16, 8, 128), i(64), i(64))),
    ]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK33, _check33()),))
