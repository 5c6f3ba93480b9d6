"""The aten sweep's nineteenth blind real-code group: `realcode-check19`, sparse attention, KV memory, retrieval and
everyday inference code beyond language models.

Each case is one op or a short idiom as the methods' reference code and the libraries' torch paths write it, at real
model widths, batches and dtypes (bf16 and fp16 mostly, fp32 where a codebase keeps it, int64 indices, bool masks):
sparse attention and KV memory (Quest on LongChat-7B-v1.5-32k in fp16: the evaluation path's heavy-hitter page mask,
per-page key max / min metadata and its decode update, page scores, the top pages' tokens gathered and SDPA over them,
Yarn-Llama-2-7b-128k's page top-k; LServe's GQA-grouped page scores and physical-page top-k with its block table, and
DuoAttention's streaming heads on Llama-3-8B-1048k; DeepSeek-V3.2-Exp's DSA in plain torch: the lightning indexer's q
with rope on fp32 pairs and a Hadamard product, its head weights, the per-head ReLU scores weighted, summed, masked and
their top-2048 at prefill and decode, sparse MLA over the 576-wide latent cache by the reference's scattered -inf mask
and by gathering; SeerAttention's AttnGate on Qwen2.5-7B (max / min / mean-pooled key blocks, the gate's projections
with rope, block scores, threshold and top-k block masks expanded to tokens, SDPA through them); NSA at its 27B widths
(key compression by an MLP over overlapping blocks, compressed attention, the selection scores pooled and their top-16,
the selected and sliding-window branches at decode); MoBA's naive gate; H2O, TOVA, Ada-KV and PyramidKV eviction; SparQ,
Loki, QJL's sign sketches and MagicPIG's SimHash sampling; RetrievalAttention's partial attentions merged by their
log-sum-exps, InfLLM's representative tokens and unit lookup, Memorizing Transformers' kNN memory; TTT-Linear's
mini-batch step with ln_fused_l2_bwd, LaCT's SwiGLU fast-weight updates with Muon's Newton-Schulz, Titans' memory step;
HMT's memory recall, Titans MAC's prefix attention and MemAgent's chunk prefill on Qwen2.5-14B), retrieval and RAG in
torch (e5-large-v2's average pool, bge-large's normalised CLS, gte-Qwen2-7B's and Qwen3-Embedding-8B's last-token
pooling with Matryoshka truncation, NV-Embed-v2's latent-attention pooling; exact inner-product search over 100K-2M
corpora of 768-1024 in fp16 / bf16 / fp32 with chunked top-k merging, IVF's L2 coarse assignment, k-means' centroid
update and a padded-list scan, product quantisation's lookup table and ADC, CLIP retrieval logits; jina-colbert-v2's
MaxSim, PLAID's centroid interaction, ColBERTv2's residual decompression, ColPali's multi-vector score;
bge-reranker-v2-m3, ms-marco-MiniLM and Qwen3-Reranker-4B heads; BM25 by scatter_add / index_add over postings,
SPLADE-v3's pooling and pruning, reciprocal rank fusion; binary embeddings with Hamming search, REPLUG and kNN-LM
mixtures) and other everyday inference code (DLRM-DCNv2's embedding bags, MLPs, dot interaction and low-rank cross
layer, DeepFM, DIN, a two-tower retrieval, SASRec and HSTU; PatchTST's scaler, patching, BatchNorm and flatten head,
Chronos' mean-scale tokenizer by bucketize, TimesFM's input block and query scaling; PyG-style GCN normalisation and
propagation, GAT's per-target softmax by scatter_reduce, LightGCN; LayoutLMv3's 2-D positions and CTC greedy decoding;
VITS' monotonic path, Kokoro's alignment products and FastSpeech2's length regulator; ArmoRM's gated reward head,
Llama-Guard-3's safe / unsafe probability, DeBERTa-v3 NLI, a process reward model and zero-shot entailment; repetition
penalty, eta / epsilon / top-n-sigma warpers, bad-word masks and a watermark bias; AutoAWQ's pseudo-quantisation,
per-channel int8, fp8 per-tensor dequantisation and per-token-group quantisation, int4 packing, NF4 by nearest code).
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal to one of theirs, so
it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK19 = "realcode-check19"


def _check19():
    import math

    import torch
    import torch.nn.functional as F

    u8 = torch.uint8
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _dtype_makers, _layer_makers, _meta_makers

    m, i = _meta_makers()

    linear, rms, ln = _layer_makers(1e-6, 1e-12)

    mh, mf, mb, mi32 = _dtype_makers()

    def mu8(*shape):
        return m(*shape, dt=u8)

    out = []

    # ================================================================== sparse attention and KV memory
    # ------------------------------------------------------------------ Quest (query-aware page selection)
    def quest_heavy_hitter_mask(w, chunk=16, budget=4096):  # local_heavy_hitter_mask over the estimated weights
        s = w.shape[-1]
        pad = chunk - ((s - 1) % chunk + 1)
        w = torch.cat([w, torch.ones(w.shape[:-1] + (pad,), dtype=w.dtype) * torch.finfo(w.dtype).min], dim=-1)
        chunk_w = w.reshape(w.shape[0], w.shape[1], w.shape[2], -1, chunk).amax(dim=-1)
        _, topk = chunk_w.topk(k=min(max(3, budget // chunk), chunk_w.size(-1)), dim=-1)
        topk = topk.unsqueeze(-1).repeat(1, 1, 1, 1, chunk) * chunk + torch.arange(chunk)
        topk = topk.reshape(topk.shape[0], topk.shape[1], topk.shape[2], -1)
        mask = torch.zeros_like(w, dtype=torch.bool)
        mask.scatter_(-1, topk, True)
        return mask[:, :, :, :s]

    def page_minmax(k, page=16):  # per-page key metadata, as Quest's and LServe's kernels keep it
        b, h, s, d = k.shape
        kp = k.view(b, h, s // page, page, d)
        return kp.amax(dim=3), kp.amin(dim=3)

    def page_meta_update(kmax, kmin, k_new):  # a decode token folded into its (last) page's metadata
        last_max = torch.maximum(kmax[:, :, -1:], k_new)
        last_min = torch.minimum(kmin[:, :, -1:], k_new)
        return torch.cat([kmax[:, :, :-1], last_max], 2), torch.cat([kmin[:, :, :-1], last_min], 2)

    def page_scores(q, kmax, kmin):  # the upper bound of q . k within a page, summed over the channels
        return torch.maximum(q * kmax, q * kmin).sum(dim=-1)

    def page_topk_gather(scores, k, v, n_pages=256, page=16):  # the top pages, their tokens gathered, SDPA
        idx = scores.topk(n_pages, dim=-1).indices
        tok = (idx.unsqueeze(-1) * page + torch.arange(page)).flatten(-2)
        ix = tok.unsqueeze(-1).expand(-1, -1, -1, k.shape[-1])
        return torch.gather(k, 2, ix), torch.gather(v, 2, ix)

    def quest_decode(q, kmax, kmin, k, v, n_pages=256, page=16):
        s = page_scores(q, kmax, kmin)
        ks, vs = page_topk_gather(s, k, v, n_pages, page)
        return sdpa(q, ks, vs)

    # LongChat-7B-v1.5-32k in fp16 (32 heads of 128): Quest's evaluation path's heavy-hitter page mask over a
    # 32001-token decode step's estimated weights (fp32, padded to pages of 16, a 4096-token budget); the page metadata
    # (per-page key max and min) over a 32768-token prompt and a decode token folded into the last page; the page
    # scores, the top-256 pages' tokens gathered and SDPA over them; SDPA over 8 sequences' selected 4096 tokens;
    # Yarn-Llama-2-7b-128k's top-128 of 8192 pages (131072 tokens, a 2048-token budget)
    out += [("quest_heavy_hitter_mask", quest_heavy_hitter_mask, (mf(1, 32, 1, 32001),)),
            ("quest_page_minmax", page_minmax, (mh(1, 32, 32768, 128),)),
            ("quest_page_meta_update", page_meta_update, (mh(1, 32, 2048, 128), mh(1, 32, 2048, 128),
                                                          mh(1, 32, 1, 128))),
            ("quest_page_scores", page_scores, (mh(1, 32, 1, 128), mh(1, 32, 2048, 128), mh(1, 32, 2048, 128))),
            ("quest_topk_pages_sdpa", quest_decode,
             (mh(1, 32, 1, 128), mh(1, 32, 2048, 128), mh(1, 32, 2048, 128), mh(1, 32, 32768, 128),
              mh(1, 32, 32768, 128))),
            ("quest_selected_sdpa_batch", lambda q, k, v: sdpa(q, k, v),
             (mh(8, 32, 1, 128), mh(8, 32, 4096, 128), mh(8, 32, 4096, 128))),
            ("quest_topk_pages_128k", lambda s: s.topk(128, dim=-1).indices, (mf(1, 32, 8192),))]

    # ------------------------------------------------------------------ LServe / DuoAttention
    def lserve_gqa_scores(q, kmax, kmin):  # a KV head's query group scored together against its logical pages
        b, hq, _, d = q.shape
        hk = kmax.shape[1]
        qg = q.view(b, hk, hq // hk, 1, d)
        s = torch.maximum(qg * kmax.unsqueeze(2), qg * kmin.unsqueeze(2)).sum(dim=-1)
        return s.sum(dim=2)

    def lserve_physical_topk(s, per_phys=4, n=64):  # logical pages of 16 maxed into physical pages of 64, top-n
        b, h, p = s.shape
        return s.view(b, h, p // per_phys, per_phys).amax(dim=-1).topk(n, dim=-1).indices.sort(dim=-1).values

    def lserve_block_table(phys_idx, table):  # the selected physical pages mapped through the block table
        return torch.gather(table.unsqueeze(1).expand(-1, phys_idx.shape[1], -1), 2, phys_idx)

    def duo_streaming_kv(k, v, sink=64, recent=256):  # DuoAttention's streaming heads: sinks and the recent window
        return torch.cat([k[:, :, :sink], k[:, :, -recent:]], 2), torch.cat([v[:, :, :sink], v[:, :, -recent:]], 2)

    def duo_mixed_decode(q, k, v, ks, vs, gate):  # retrieval heads over the full cache, streaming heads over theirs
        full = sdpa(q, k, v, enable_gqa=True)
        stream = sdpa(q, ks, vs, enable_gqa=True)
        g = gate.view(1, -1, 1, 1).to(q.dtype)
        return g * full + (1 - g) * stream

    # Llama-3-8B-Instruct-Gradient-1048k under LServe (bf16, 32 q heads over 8 KV heads): GQA-grouped page scores over
    # 4096 logical pages of 16 (a 65536-token context) at a batch of 4, the physical pages' top-64, the block table's
    # lookup; DuoAttention's streaming heads (64 sinks and a 256-token window cut from a 65536-token cache) and its
    # mixed decode step (retrieval heads over 16384 tokens, streaming heads over 320, a per-head gate)
    out += [("lserve_gqa_page_scores", lserve_gqa_scores,
             (m(4, 32, 1, 128), m(4, 8, 4096, 128), m(4, 8, 4096, 128))),
            ("lserve_physical_topk", lserve_physical_topk, (mf(4, 8, 4096),)),
            ("duo_mixed_decode", duo_mixed_decode,
             (m(4, 32, 1, 128), m(4, 8, 16384, 128), m(4, 8, 16384, 128), m(4, 8, 320, 128), m(4, 8, 320, 128),
              mf(32))),
            ("lserve_block_table", lserve_block_table, (i(4, 8, 64), i(4, 1024))),
            ("duo_streaming_kv", duo_streaming_kv, (m(4, 8, 65536, 128), m(4, 8, 65536, 128)))]

    # ------------------------------------------------------------------ DeepSeek-V3.2-Exp: DSA in plain torch
    def dsa_rope_pairs(x, cos, sin):  # apply_rotary_emb's complex product written on fp32 interleaved pairs
        dtype = x.dtype
        y = x.float().view(*x.shape[:-1], -1, 2)
        y1, y2 = y[..., 0], y[..., 1]
        cos, sin = cos.view(1, y.size(1), 1, -1), sin.view(1, y.size(1), 1, -1)
        return torch.stack([y1 * cos - y2 * sin, y1 * sin + y2 * cos], dim=-1).flatten(3).to(dtype)

    def dsa_indexer_q(qr, wq_b, cos, sin, hadamard, n_heads=64, hd=128, rd=64):  # wq_b, split, rope, cat, Hadamard
        b, s, _ = qr.shape
        q = linear(qr, wq_b).view(b, s, n_heads, hd)
        q_pe, q_nope = torch.split(q, [rd, hd - rd], dim=-1)
        q = torch.cat([dsa_rope_pairs(q_pe, cos, sin), q_nope], dim=-1)
        return q @ hadamard  # rotate_activation as a plain product by the scaled Hadamard matrix

    def dsa_index_weights(x, w, n_heads=64, hd=128):  # weights_proj scaled by n_heads ** -0.5 and the softmax scale
        return (linear(x, w) * n_heads ** -0.5).unsqueeze(-1) * hd ** -0.5

    def dsa_index_score(q, k, w, mask, topk=2048):  # per-head ReLU scores weighted and summed, the causal mask, top-k
        score = torch.einsum("bshd,btd->bsht", q, k)
        score = (F.relu(score) * w).sum(dim=2)
        return (score + mask).topk(min(topk, k.shape[1]), dim=-1)[1]

    def dsa_index_score_decode(q, k, w, topk=2048):
        score = torch.einsum("bshd,btd->bsht", q, k)
        return (F.relu(score) * w).sum(dim=2).topk(topk, dim=-1)[1]

    def dsa_sparse_mla_masked(q, kv, topk_idx, kv_rank=512, scale=0.1352):  # the reference's -inf index mask
        b, s, h, _ = q.shape
        scores = torch.einsum("bshc,btc->bsht", q, kv) * scale
        index_mask = torch.full((b, s, kv.shape[1]), float("-inf")).scatter_(-1, topk_idx, 0)
        scores = scores + index_mask.unsqueeze(2)
        scores = scores.softmax(dim=-1, dtype=torch.float32)
        return torch.einsum("bsht,btc->bshc", scores.type_as(kv), kv[..., :kv_rank])

    def dsa_sparse_mla_gather(q, kv, topk_idx, kv_rank=512, scale=0.1352):  # the selected latents gathered first
        b, s, h, c = q.shape
        sel = torch.gather(kv.unsqueeze(1).expand(b, s, -1, c), 2, topk_idx.unsqueeze(-1).expand(-1, -1, -1, c))
        scores = torch.einsum("bshc,bstc->bsht", q, sel) * scale
        p = scores.softmax(dim=-1, dtype=torch.float32).type_as(q)
        return torch.einsum("bsht,bstc->bshc", p, sel[..., :kv_rank])

    # DeepSeek-V3.2-Exp (bf16, a chunked prefill of 1024 tokens over 8192 and a decode batch of 32 over 16384): the
    # lightning indexer's q (wq_b from the 1536-wide q latent into 64 heads of 128, rope on the first 64 dims as fp32
    # pairs, the Hadamard rotation as a plain product), the head weights, the per-head ReLU scores weighted, summed over
    # heads, masked and their top-2048 (at prefill and at decode), the decode step's wk and k_norm, the top-2048 over a
    # 65536-token context; sparse MLA at 8-way tensor parallelism (16 heads over the 576-wide latent cache, values of
    # 512) by the reference's scattered -inf index mask and by gathering the selected latents first
    out += [("dsa_indexer_q", dsa_indexer_q, (m(1, 1024, 1536), m(8192, 1536), mf(1024, 32), mf(1024, 32),
                                              m(128, 128))),
            ("dsa_index_weights", dsa_index_weights, (m(1, 1024, 7168), m(64, 7168))),
            ("dsa_index_score_prefill", dsa_index_score,
             (m(1, 1024, 64, 128), m(1, 8192, 128), m(1, 1024, 64, 1), mf(1024, 8192))),
            ("dsa_index_score_decode", dsa_index_score_decode,
             (m(32, 1, 64, 128), m(32, 16384, 128), m(32, 1, 64, 1))),
            ("dsa_sparse_mla_masked_decode", dsa_sparse_mla_masked, (m(32, 1, 16, 576), m(32, 16384, 576),
                                                                    i(32, 1, 2048))),
            ("dsa_sparse_mla_gather_decode", dsa_sparse_mla_gather, (m(32, 1, 16, 576), m(32, 16384, 576),
                                                                    i(32, 1, 2048))),
            ("dsa_indexer_wk_decode", lambda x, w, nw, nb: F.layer_norm(linear(x, w), (128,), nw, nb, 1e-6),
             (m(32, 1, 7168), m(128, 7168), m(128), m(128))),
            ("dsa_index_topk_long", lambda s: s.topk(2048, dim=-1)[1], (mf(32, 1, 65536),))]

    # ------------------------------------------------------------------ SeerAttention / SeerAttention-R
    def seer_pool_q(q, block=64):  # the query's blocks average-pooled
        b, h, s, d = q.shape
        return q.view(b, h, s // block, block, d).mean(dim=3)

    def seer_pool_k(k, block=64):  # the key's blocks max-, min- and average-pooled and joined
        b, h, s, d = k.shape
        kb = k.view(b, h, s // block, block, d)
        return torch.cat([kb.amax(dim=3), kb.amin(dim=3), kb.mean(dim=3)], dim=-1)

    def seer_gate(qp, kp, wq, wk, cos, sin, mask):  # the gate's projections, rope on the pooled blocks, block scores
        q = linear(qp, wq)
        k = linear(kp, wk)
        q = q * cos + torch.cat([-q[..., q.shape[-1] // 2:], q[..., : q.shape[-1] // 2]], -1) * sin
        k = k * cos + torch.cat([-k[..., k.shape[-1] // 2:], k[..., : k.shape[-1] // 2]], -1) * sin
        b, hq, nb, d = q.shape
        q = q.view(b, k.shape[1], hq // k.shape[1] * nb, d)  # each KV head's query group against its pooled keys
        a = torch.matmul(q, k.transpose(2, 3)).view(b, hq, nb, -1) / math.sqrt(d) + mask
        return F.softmax(a, dim=-1, dtype=torch.float32)

    def seer_threshold_mask(gate, thr=5e-4, block=64):  # blocks over the threshold, the diagonal kept, to tokens
        keep = (gate > thr) | torch.eye(gate.shape[-1], dtype=torch.bool)
        return keep.repeat_interleave(block, dim=-2).repeat_interleave(block, dim=-1)

    def seer_topk_mask(gate, k=16):  # a fixed budget of blocks by top-k, scattered into a block mask
        idx = gate.topk(k, dim=-1).indices
        return torch.zeros_like(gate, dtype=torch.bool).scatter_(-1, idx, True)

    def seer_sparse_sdpa(q, k, v, mask):
        return sdpa(q, k, v, attn_mask=mask & torch.ones(q.shape[2], k.shape[2], dtype=torch.bool).tril(),
                    enable_gqa=True)

    # Qwen2.5-7B-Instruct with SeerAttention's AttnGate (bf16, 28 q heads over 4 KV heads of 128, blocks of 64) over a
    # 4096-token prompt: k's blocks max-, min- and mean-pooled and joined, the gate's 128-wide projections with rope on
    # the pooled blocks and the block-causal mask, each KV head's query group scored, the fp32 softmax; the threshold
    # mask (the diagonal kept) expanded to tokens, a top-16 block mask, SDPA through the token mask; q's blocks
    # mean-pooled
    nb = 4096 // 64
    out += [("seer_pool_k", seer_pool_k, (m(1, 4, 4096, 128),)),
            ("seer_gate", seer_gate, (m(1, 28, nb, 128), m(1, 4, nb, 384), m(128, 128), m(128, 384), m(nb, 128),
                                      m(nb, 128), mf(nb, nb))),
            ("seer_threshold_mask", seer_threshold_mask, (mf(1, 28, nb, nb),)),
            ("seer_topk_mask", seer_topk_mask, (mf(1, 28, nb, nb),)),
            ("seer_sparse_sdpa", seer_sparse_sdpa, (m(1, 28, 4096, 128), m(1, 4, 4096, 128), m(1, 4, 4096, 128),
                                                    mb(1, 28, 4096, 4096))),
            ("seer_pool_q", seer_pool_q, (m(1, 28, 4096, 128),))]

    # ------------------------------------------------------------------ NSA (native sparse attention)
    def nsa_compress(k, pos, w1, b1, w2, b2, blk=32, stride=16):  # overlapping blocks flattened through an MLP
        b, h, s, d = k.shape
        kb = k.unfold(2, blk, stride).transpose(-1, -2) + pos  # [b, h, n, blk, d]
        x = kb.reshape(b, h, kb.shape[2], blk * d)
        return linear(F.gelu(linear(x, w1, b1)), w2, b2)

    def nsa_cmp_attention(q, ck, cv, start=14336, blk=32, stride=16):  # each query over the blocks ended before it
        b, hk, g, s, d = q.shape
        n = ck.shape[2]
        ends = torch.arange(n) * stride + blk - 1
        mask = ends.view(1, n) > torch.arange(start, start + s).view(s, 1)
        scores = torch.einsum("bhgsd,bhnd->bhgsn", q, ck) * d ** -0.5
        p = scores.masked_fill(mask, float("-inf")).softmax(dim=-1, dtype=torch.float32)
        p = torch.nan_to_num(p)
        return torch.einsum("bhgsn,bhnd->bhgsd", p.to(cv.dtype), cv), p

    def nsa_selection_scores(p, per_sel=4, n_sel=16):  # importance summed over the group, pooled into blocks of 64
        p = p.sum(dim=2)
        pad = (-p.shape[-1]) % per_sel
        p = F.pad(p, (0, pad)).view(*p.shape[:-1], -1, per_sel).sum(dim=-1)
        return p.topk(n_sel, dim=-1).indices

    def nsa_selected_decode(q, k, v, idx, sel=64):  # the top-16 blocks of 64 gathered per KV head, attended
        b, hk, g, _, d = q.shape
        tok = (idx[:, :, 0].unsqueeze(-1) * sel + torch.arange(sel)).flatten(-2)
        ks = torch.gather(k, 2, tok.unsqueeze(-1).expand(-1, -1, -1, d))
        vs = torch.gather(v, 2, tok.unsqueeze(-1).expand(-1, -1, -1, v.shape[-1]))
        return sdpa(q.squeeze(3), ks, vs)

    def nsa_window_decode(q, k, v, w=512):
        return sdpa(q.squeeze(3), k[:, :, -w:], v[:, :, -w:])

    # NSA at the paper's 27B widths (bf16, 4 KV groups of 16 q heads, keys of 192 and values of 128): the keys of
    # 32-token blocks at stride 16 compressed through the MLP over a 16384-token prompt, compressed attention over the
    # 1023 blocks for the prompt's last 2048 queries, the selection scores summed over each group, pooled into blocks of
    # 64 and their top-16; at decode (a batch of 8 over 32768 tokens) the selected blocks' attention and the 512-token
    # sliding window's
    out += [("nsa_compress_keys", nsa_compress, (m(1, 4, 16384, 192), m(32, 192), m(192, 6144), m(192),
                                                 m(192, 192), m(192))),
            ("nsa_cmp_attention", nsa_cmp_attention, (m(1, 4, 16, 2048, 192), m(1, 4, 1023, 192),
                                                      m(1, 4, 1023, 128))),
            ("nsa_selection_topk", nsa_selection_scores, (mf(1, 4, 16, 2048, 1023),)),
            ("nsa_selected_decode", nsa_selected_decode, (m(8, 4, 16, 1, 192), m(8, 4, 32768, 192),
                                                          m(8, 4, 32768, 128), i(8, 4, 1, 16))),
            ("nsa_window_decode", nsa_window_decode, (m(8, 4, 16, 1, 192), m(8, 4, 32768, 192),
                                                      m(8, 4, 32768, 128)))]

    # ------------------------------------------------------------------ MoBA (mixture of block attention)
    def moba_gate(q, k, chunk=512, topk=3):  # moba_attn_varlen_naive: block means, gate, causal blocks, top-k
        s, h, d = q.shape
        nb = s // chunk
        kmean = k.view(nb, chunk, h, d).mean(dim=1)
        gate = torch.einsum("shd,nhd->hsn", q.float(), kmean.float())
        blk = torch.arange(nb)
        qblk = torch.arange(s) // chunk
        gate = gate.masked_fill(blk.view(1, 1, nb) > qblk.view(1, s, 1), float("-inf"))
        gate = gate.masked_fill(blk.view(1, 1, nb) == qblk.view(1, s, 1), float("inf"))
        idx = gate.topk(min(topk, nb), dim=-1).indices
        return torch.zeros_like(gate, dtype=torch.bool).scatter_(-1, idx, True)

    def moba_expand(mask, chunk=512):  # the block mask expanded to the keys
        return mask.repeat_interleave(chunk, dim=-1)

    # MoBA's naive reference over Llama-3.1-8B's heads (bf16, varlen [tokens, heads, 128], a 4096-token sequence, blocks
    # of 512, top-3): the key blocks' means, the fp32 gate, future blocks masked and the own block forced, the top-k
    # scattered into a block mask, expanded to the keys
    out += [("moba_gate", moba_gate, (m(4096, 32, 128), m(4096, 32, 128))),
            ("moba_expand_mask", moba_expand, (mb(32, 4096, 8),))]

    # ------------------------------------------------------------------ KV eviction: H2O, TOVA, Ada-KV, PyramidKV
    def h2o_accumulate(hh, attn):  # H2O: the heavy-hitter scores accumulate each step's attention
        return hh + attn.sum(dim=-2)

    def h2o_select(hh, k, v, heavy=1024, recent=1024):  # the top heavy hitters outside the window, kept in order
        s = hh.shape[-1]
        keep = hh[..., : s - recent].topk(heavy, dim=-1).indices.sort(dim=-1).values
        recent_idx = torch.arange(s - recent, s).expand(*keep.shape[:-1], recent)
        idx = torch.cat([keep, recent_idx], dim=-1).unsqueeze(-1).expand(-1, -1, -1, k.shape[-1])
        return torch.gather(k, 2, idx), torch.gather(v, 2, idx), torch.gather(hh, 2, idx[..., 0])

    def tova_evict(attn, k, v):  # TOVA: the last query's attention averaged over heads, the argmin slot dropped
        mean = attn[:, :, -1, :].mean(dim=1)
        drop = mean.argmin(dim=-1, keepdim=True)
        keep = torch.arange(k.shape[2] - 1).unsqueeze(0)
        keep = keep + (keep >= drop).long()
        idx = keep[:, None, :, None].expand(-1, k.shape[1], -1, k.shape[-1])
        return torch.gather(k, 2, idx), torch.gather(v, 2, idx)

    def adakv_allocate(scores, budget=1024):  # Ada-KV: one top-k over every head's scores, the heads' budgets
        b, h, s = scores.shape
        idx = scores.reshape(b, h * s).topk(budget * h, dim=-1).indices
        counts = torch.zeros(b, h, dtype=torch.long).scatter_add_(1, idx // s, torch.ones_like(idx))
        mask = torch.zeros(b, h * s, dtype=torch.bool).scatter_(1, idx, True).view(b, h, s)
        return counts, mask

    def pyramidkv_gqa_votes(scores, hk=8):  # the query heads' votes averaged over each KV group, the top tokens
        b, h, s = scores.shape
        return scores.view(b, hk, h // hk, s).mean(dim=2).topk(512, dim=-1).indices

    # H2O on Llama-2-13B in fp16 (40 heads of 128, a batch of 8 at 4096 tokens): the accumulated heavy-hitter scores,
    # the top-1024 plus the 1024-token window gathered in order; TOVA on Llama-2-7B (32 heads, 8 sequences, a 2049-token
    # cache: the last query's head-averaged attention, the evicted slot skipped by index arithmetic); Ada-KV's
    # cross-head budget (one top-k over 32 heads' SnapKV votes, the heads' counts and masks) on
    # Mistral-7B-Instruct-v0.2; PyramidKV's votes averaged over Llama-3-8B's 8 KV groups
    out += [("h2o_accumulate", h2o_accumulate, (mh(8, 40, 4096), mh(8, 40, 1, 4096))),
            ("h2o_select", h2o_select, (mh(8, 40, 4096), mh(8, 40, 4096, 128), mh(8, 40, 4096, 128))),
            ("tova_evict", tova_evict, (mh(8, 32, 1, 2049), mh(8, 32, 2049, 128), mh(8, 32, 2049, 128))),
            ("adakv_allocate", adakv_allocate, (mf(1, 32, 16352),)),
            ("pyramidkv_gqa_votes", pyramidkv_gqa_votes, (mf(4, 32, 8160),))]

    # ------------------------------------------------------------------ SparQ, Loki, QJL, MagicPIG
    def sparq_decode(q, k, v, vmean, r=32, kk=256):  # SparQ attention's two steps with the mean-value correction
        d = q.shape[-1]
        i1 = q.abs().topk(r, dim=-1).indices
        q_hat = torch.gather(q, -1, i1)
        k_hat = torch.gather(k, -1, i1.expand(-1, -1, k.shape[2], -1))
        scale = torch.sqrt(d * q_hat.abs().sum(-1, keepdim=True) / q.abs().sum(-1, keepdim=True))
        s_hat = torch.softmax(q_hat @ k_hat.transpose(-1, -2) / scale, dim=-1)
        i2 = s_hat.topk(kk, dim=-1).indices
        alpha = torch.gather(s_hat, -1, i2).sum(-1, keepdim=True)
        ix = i2.transpose(-1, -2).expand(-1, -1, -1, d)
        y = sdpa(q, torch.gather(k, 2, ix), torch.gather(v, 2, ix))
        return alpha * y + (1 - alpha) * vmean

    def loki_scores(q, k_pca, basis, r=32, kk=512):  # Loki: q rotated into the keys' PCA basis, the first r dims
        qp = torch.matmul(q, basis)[..., :r]
        s = torch.matmul(qp, k_pca[..., :r].transpose(-1, -2))
        return s.topk(kk, dim=-1).indices

    def loki_project_keys(k, basis):  # the keys stored rotated
        return torch.matmul(k, basis)

    def qjl_quantize_keys(k, proj):  # QJL: sign bits of a Gaussian projection packed into bytes, the key norms
        sk = torch.matmul(k.float(), proj) > 0
        bits = sk.view(*sk.shape[:-1], -1, 8).to(torch.uint8)
        packed = (bits << torch.arange(8, dtype=torch.uint8)).sum(-1, dtype=torch.uint8)
        return packed, k.norm(dim=-1)

    def magicpig_hash(k, w, n_tables=150, n_bits=10):  # SimHash codes: L tables of K sign bits each
        h = torch.matmul(k, w) > 0
        h = h.view(*h.shape[:-1], n_tables, n_bits).to(torch.int32)
        return (h * (2 ** torch.arange(n_bits, dtype=torch.int32))).sum(-1)

    def magicpig_collide(qcodes, kcodes, thr=2):  # keys colliding with the query in at least two tables
        hits = (qcodes == kcodes).sum(-1)
        return hits >= thr

    def magicpig_sampled_attention(q, k, v, hit, hk=8):  # attention over the sampled keys, the rest masked
        bias = torch.zeros_like(hit, dtype=q.dtype).masked_fill(~hit, float("-inf"))
        bias = bias.repeat_interleave(q.shape[1] // hk, dim=1)
        return sdpa(q, k, v, attn_mask=bias, enable_gqa=True)

    # SparQ on Mistral-7B (bf16, a batch of 4 over 16384 tokens after repeat_kv, r = 32, k = 256: q's top components,
    # the approximate scores, the top keys gathered, SDPA, the mean-value correction); Loki on Llama-3-8B (keys stored
    # in each KV head's PCA basis, 32 dims scored, the top-512 of 32768); QJL's 256-bit key sketches for Llama-2-7B's 32
    # heads (an fp32 Gaussian projection, 4 sequences of 8192 tokens, the signs packed into bytes, the key norms);
    # MagicPIG's SimHash codes (150 tables of 10 bits) over Llama-3.1-8B's 8 KV heads at 32768 tokens, the collisions
    # with 4 queries a group and attention over the sampled keys
    out += [("sparq_decode", sparq_decode, (m(4, 32, 1, 128), m(4, 32, 16384, 128), m(4, 32, 16384, 128),
                                            m(4, 32, 1, 128))),
            ("loki_project_keys", loki_project_keys, (m(1, 8, 4096, 128), m(8, 128, 128))),
            ("loki_scores", loki_scores, (m(4, 8, 4, 128), m(4, 8, 32768, 128), m(8, 128, 128))),
            ("qjl_quantize_keys", qjl_quantize_keys, (m(4, 32, 8192, 128), mf(128, 256))),
            ("magicpig_hash_keys", magicpig_hash, (m(1, 8, 32768, 128), m(128, 1500))),
            ("magicpig_collide", magicpig_collide, (mi32(1, 8, 4, 1, 150), mi32(1, 8, 1, 32768, 150))),
            ("magicpig_sampled_attention", magicpig_sampled_attention,
             (m(1, 32, 1, 128), m(1, 8, 32768, 128), m(1, 8, 32768, 128), mb(1, 8, 1, 32768)))]

    # ------------------------------------------------------------------ retrieval heads: RetrievalAttention, InfLLM,
    # Memorizing Transformers
    def partial_attention(q, k, v):  # a partial attention's output and log-sum-exp, in fp32
        s = torch.matmul(q.float(), k.float().transpose(-1, -2)) / math.sqrt(q.shape[-1])
        lse = torch.logsumexp(s, dim=-1, keepdim=True)
        return torch.matmul(torch.exp(s - lse), v.float()), lse

    def lse_merge(o1, l1, o2, l2):  # the static and retrieved parts merged by their log-sum-exps
        lse = torch.logaddexp(l1, l2)
        return (o1 * torch.exp(l1 - lse) + o2 * torch.exp(l2 - lse)).to(torch.bfloat16)

    def retrieved_gather(k_cpu_ids, k, v):  # the ANN index's ids gathered from the pinned cache
        ix = k_cpu_ids.unsqueeze(-1).expand(-1, -1, -1, k.shape[-1])
        return torch.gather(k, 2, ix), torch.gather(v, 2, ix)

    def infllm_representatives(q_local, kb, n_rep=4):  # each 128-token block's 4 most attended keys kept
        s = torch.einsum("bhqd,bhntd->bhnt", q_local, kb)
        idx = s.topk(n_rep, dim=-1).indices
        return torch.gather(kb, 3, idx.unsqueeze(-1).expand(-1, -1, -1, -1, kb.shape[-1]))

    def infllm_lookup(q, reps, n_units=32):  # the units' relevance to the chunk's mean query, the top units
        qm = q.mean(dim=2)
        s = torch.einsum("bhd,bhnrd->bhnr", qm, reps).sum(-1)
        return s.sum(1).topk(n_units, dim=-1).indices

    def memorizing_knn(q, mem_k, mem_v, topk=32):  # kNN memory: scores over the memory, top-32 attended
        s = torch.matmul(q, mem_k.transpose(-1, -2))
        val, idx = s.topk(topk, dim=-1)
        b, h, n, kk = idx.shape
        mv = torch.gather(mem_v.unsqueeze(2).expand(b, h, n, -1, -1), 3,
                          idx.unsqueeze(-1).expand(-1, -1, -1, -1, mem_v.shape[-1]))
        p = (val.float() / math.sqrt(q.shape[-1])).softmax(dim=-1).to(q.dtype)
        return torch.einsum("bhnk,bhnkd->bhnd", p, mv)

    # RetrievalAttention on Llama-3-8B (bf16, 4 sequences, 32 q heads as GQA-expanded): the static part's partial
    # attention and log-sum-exp in fp32 (128 sinks and a 2048-token window), the merge with the retrieved part, the 2048
    # keys per KV head the index retrieved gathered from a 131072-token cache of 8 KV heads; InfLLM on
    # Mistral-7B-Instruct-v0.2 (8 KV heads, the 4 most attended keys of each 128-token block kept as representatives,
    # the top-32 of 1024 units for a 512-token chunk); Memorizing Transformers' kNN memory (8 heads of 128, a
    # 65536-entry memory, 512 queries, top-32 attended)
    out += [("retrieval_partial_static", partial_attention, (m(4, 32, 1, 128), m(4, 32, 2176, 128),
                                                             m(4, 32, 2176, 128))),
            ("retrieval_lse_merge", lse_merge, (mf(4, 32, 1, 128), mf(4, 32, 1, 1), mf(4, 32, 1, 128),
                                                mf(4, 32, 1, 1))),
            ("infllm_representatives", infllm_representatives, (m(1, 8, 512, 128), m(1, 8, 256, 128, 128))),
            ("infllm_lookup", infllm_lookup, (m(1, 8, 512, 128), m(1, 8, 1024, 4, 128))),
            ("memorizing_knn", memorizing_knn, (m(1, 8, 512, 128), m(1, 8, 65536, 128), m(1, 8, 65536, 128))),
            ("retrieval_gather", retrieved_gather, (i(4, 8, 2048), m(4, 8, 131072, 128), m(4, 8, 131072, 128)))]

    # ------------------------------------------------------------------ test-time training: TTT, LaCT, Titans

    def ttt_ln_fused_l2_bwd(x, target, gamma, beta, eps=1e-6):  # ln_fused_l2_bwd: the LayerNorm-L2 loss gradient
        d = x.shape[-1]
        mu = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=False)
        std = torch.sqrt(var + eps)
        x_hat = (x - mu) / std
        y = gamma * x_hat + beta
        gxh = (y - target) * gamma
        return (1.0 / d) * (d * gxh - gxh.sum(dim=-1, keepdim=True)
                            - x_hat * (gxh * x_hat).sum(dim=-1, keepdim=True)) / std

    def ttt_reconstruction_grad(xk, xv, w1, b1, gamma, beta):  # the inner loss's gradient at the initial weights
        return ttt_ln_fused_l2_bwd(xk @ w1 + b1, xv - xk, gamma, beta)

    def ttt_linear_primal(xq, xk, grad, w1, b1, eta, last_eta):  # TTT-Linear's dual form over the mini-batch
        attn = torch.tril(xq @ xk.transpose(-2, -1))
        b1_bar = b1 - torch.tril(eta) @ grad
        z1_bar = xq @ w1 - (eta * attn) @ grad + b1_bar
        w1_last = w1 - (last_eta * xk).transpose(-1, -2) @ grad
        b1_last = b1 - torch.sum(last_eta * grad, dim=-2, keepdim=True)
        return z1_bar, w1_last, b1_last

    def lact_update(w0, w1, w2, k, v, lr0, lr1, lr2):  # LaCT's chunk update of the SwiGLU fast weights
        gate = torch.bmm(w0, k.transpose(1, 2))
        hmul = torch.bmm(w2, k.transpose(1, 2))
        hidden = F.silu(gate) * hmul
        dh = torch.bmm(w1.transpose(1, 2), v.transpose(1, 2))
        dh_mul = dh * F.silu(gate)
        dgate = dh * hmul
        sig = torch.sigmoid(gate)
        dgate_act = dgate * sig * (1 + gate * (1 - sig))
        dw1 = torch.bmm(v.transpose(1, 2), (hidden.transpose(1, 2) * lr1).type_as(v))
        dw0 = torch.bmm(dgate_act, (k * lr0).type_as(dgate_act))
        dw2 = torch.bmm(dh_mul, (k * lr2).type_as(dh_mul))
        return w0 + dw0, w1 + dw1, w2 + dw2

    def lact_apply(w0, w1, w2, q):  # the fast-weight SwiGLU over the chunk's queries
        return torch.bmm(w1, F.silu(torch.bmm(w0, q.transpose(1, 2))) * torch.bmm(w2, q.transpose(1, 2)))

    def newton_schulz_normalize(g):  # zeropower_via_newtonschulz5's start: bf16, divided by the Frobenius norm
        x = g.bfloat16()
        return x / (x.norm(dim=(-2, -1), keepdim=True) + 1e-7)

    def newton_schulz_iter(x, a=3.4445, b=-4.7750, c=2.0315):  # one of its five quintic iterations
        A = x @ x.mT
        B = b * A + c * A @ A
        return a * x + B @ x

    def lact_renorm(w, w_norm):  # the updated fast weights rescaled to their pre-update norms
        return w / (w.norm(dim=2, keepdim=True) + 1e-5) * w_norm

    def titans_memory_step(w, s, k, v, theta, eta, alpha):  # Titans' linear memory: surprise, momentum, forgetting
        err = torch.bmm(k, w) - v
        grad = torch.bmm(k.transpose(1, 2), theta.unsqueeze(-1) * err) * (2.0 / k.shape[1])
        s = eta.view(-1, 1, 1) * s - grad
        return (1 - alpha.view(-1, 1, 1)) * w + s, s

    # TTT-Linear-1.3B (fp32 fast weights, 32 heads of 64, mini-batches of 16, 8 sequences): the reconstruction loss's
    # gradient through ln_fused_l2_bwd, the mini-batch's dual form (the tril'd attention, b1_bar, Z1_bar, the last
    # weights); LaCT's large-chunk SwiGLU fast weights (bf16 with fp32 learning rates, 4 heads of 512 a sequence over
    # 2048-token chunks, 4 sequences): the gradient steps by bmm, Muon's Newton-Schulz normalisation and one of its
    # iterations, the renorm, the apply; Titans' linear memory step over 64-token chunks (16 heads of 128, 4 sequences:
    # the surprise, momentum and forgetting)
    out += [("ttt_reconstruction_grad", ttt_reconstruction_grad,
             (mf(8, 32, 16, 64), mf(8, 32, 16, 64), mf(8, 32, 64, 64), mf(8, 32, 1, 64), mf(32, 1, 64),
              mf(32, 1, 64))),
            ("ttt_linear_primal", ttt_linear_primal,
             (mf(8, 32, 16, 64), mf(8, 32, 16, 64), mf(8, 32, 16, 64), mf(8, 32, 64, 64), mf(8, 32, 1, 64),
              mf(8, 32, 16, 16), mf(8, 32, 16, 1))),
            ("lact_update", lact_update, (m(16, 512, 512), m(16, 512, 512), m(16, 512, 512), m(16, 2048, 512),
                                          m(16, 2048, 512), mf(16, 2048, 1), mf(16, 2048, 1), mf(16, 2048, 1))),
            ("lact_newton_schulz_normalize", newton_schulz_normalize, (mf(16, 512, 512),)),
            ("lact_newton_schulz_iter", newton_schulz_iter, (m(16, 512, 512),)),
            ("lact_renorm", lact_renorm, (mf(16, 512, 512), mf(16, 512, 1))),
            ("titans_memory_step", titans_memory_step,
             (mf(64, 128, 128), mf(64, 128, 128), mf(64, 64, 128), mf(64, 64, 128), mf(64, 64), mf(64), mf(64))),
            ("lact_apply", lact_apply, (m(16, 512, 512), m(16, 512, 512), m(16, 512, 512), m(16, 2048, 512)))]

    # ------------------------------------------------------------------ memory tokens: HMT, Titans MAC, MemAgent
    def hmt_recall(summary, mem, wq, wk):  # HMT's memory recall: the segment summary cross-attends to memories
        q = linear(summary, wq)
        k = linear(mem, wk)
        p = torch.softmax(torch.bmm(q, k.transpose(1, 2)) / math.sqrt(q.shape[-1]), dim=-1)
        return torch.bmm(p, mem)

    def hmt_summary(seg_emb, n=256):  # the first half-segment's embeddings mean-pooled as the query
        return seg_emb[:, :n].mean(dim=1, keepdim=True)

    def hmt_segment_input(mem_tok, seg, recalled):  # the recalled memory, the segment, the memory token
        return torch.cat([recalled, seg, mem_tok.expand(seg.shape[0], -1, -1)], dim=1)

    def mac_prefix_attention(persist, mem, x, wqkv, n_heads=16):  # persistent and memory tokens as a prefix
        b = x.shape[0]
        h = torch.cat([persist.expand(b, -1, -1), mem, x], dim=1)
        n, s = h.shape[1], x.shape[1]
        q, k, v = linear(h, wqkv).view(b, n, 3, n_heads, -1).permute(2, 0, 3, 1, 4)
        causal = torch.ones(n, n, dtype=torch.bool).tril()
        causal[:, : n - s] = True
        return sdpa(q, k, v, attn_mask=causal)

    def memagent_chunk_ids(tpl, mem, chunk, emb):  # the template, the memory text and the chunk joined, embedded
        ids = torch.cat([tpl, mem, chunk], dim=1)
        return F.embedding(ids, emb)

    def memagent_chunk_sdpa(q, k, v):
        return sdpa(q, k, v, is_causal=True, enable_gqa=True)

    # HMT on Llama-2-7B (bf16, 512-token segments, 300 cached memory embeddings, a batch of 4): the memory recall by the
    # summary's cross-attention, the half-segment summary, the segment's input, the memory bank's update; Titans MAC
    # (1024 wide, 16 heads, 16 persistent and 64 memory tokens before a 512-token segment, 8 sequences) through SDPA
    # with the prefix visible; RL-MemAgent-14B (Qwen2.5-14B: the template, a 1024-token memory and a 5000-token chunk
    # embedded, causal SDPA of 40 q heads over 8 KV heads)
    out += [("hmt_recall", hmt_recall, (m(4, 1, 4096), m(4, 300, 4096), m(4096, 4096), m(4096, 4096))),
            ("mac_prefix_attention", mac_prefix_attention, (m(1, 16, 1024), m(8, 64, 1024), m(8, 512, 1024),
                                                            m(3072, 1024))),
            ("hmt_summary", hmt_summary, (m(4, 512, 4096),)),
            ("hmt_segment_input", hmt_segment_input, (m(1, 1, 4096), m(4, 512, 4096), m(4, 1, 4096))),
            ("hmt_memory_bank", lambda bank, new: torch.cat([bank, new], dim=1)[:, -300:],
             (m(4, 300, 4096), m(4, 1, 4096))),
            ("memagent_chunk_ids", memagent_chunk_ids, (i(1, 160), i(1, 1024), i(1, 5000), m(152064, 5120))),
            ("memagent_chunk_sdpa", memagent_chunk_sdpa, (m(1, 40, 6184, 128), m(1, 8, 6184, 128),
                                                          m(1, 8, 6184, 128)))]

    # ================================================================== retrieval and RAG in torch
    # ------------------------------------------------------------------ embedding models' pooling
    def e5_average_pool(h, mask):  # e5: padding zeroed by masked_fill, summed, divided by the lengths
        h = h.masked_fill(~mask[..., None].bool(), 0.0)
        return h.sum(dim=1) / mask.sum(dim=1)[..., None]

    def cls_normalize(h):  # bge: the [CLS] row, L2-normalised
        return F.normalize(h[:, 0], p=2, dim=-1)

    def last_token_pool_right(h, mask):  # gte-Qwen2 / e5-mistral's last_token_pool, the right-padded branch
        seq_len = mask.sum(dim=1) - 1
        return h[torch.arange(h.shape[0]), seq_len]

    def last_token_mrl(h, dim=1024):  # Qwen3-Embedding (left padded): the last row, Matryoshka-truncated, normalised
        return F.normalize(h[:, -1][:, :dim], p=2, dim=-1)

    def nv_embed_latent_pool(h, mask, latents, wq, wkv, wo, n_heads=32):  # NV-Embed's latent attention, mean pool
        b, s, d = h.shape
        q = linear(h, wq).view(b, s, n_heads, -1).transpose(1, 2)
        kv = linear(latents, wkv).view(1, -1, 2, n_heads, d // n_heads).permute(2, 0, 3, 1, 4)
        k, v = kv[0].expand(b, -1, -1, -1), kv[1].expand(b, -1, -1, -1)
        x = sdpa(q, k, v).transpose(1, 2).reshape(b, s, d)
        x = linear(x, wo) + h
        mk = mask.unsqueeze(-1).to(x.dtype)
        return (x * mk).sum(1) / mk.sum(1)

    def embed_to_fp16_norm(e):  # the corpus embeddings stored normalised in fp16
        return F.normalize(e.float(), dim=-1).half()

    # e5-large-v2's average_pool (fp16, 256 passages of 512 tokens and 512 queries of 32, 1024 wide) and
    # bge-large-en-v1.5's normalised [CLS]; gte-Qwen2-7B-instruct's right-padded last token (3584 wide, 64 of 1024
    # tokens); Qwen3-Embedding-8B (4096 wide, left padded, Matryoshka 1024, normalised); NV-Embed-v2's latent-attention
    # pooling (512 latents, 32 heads over 4096, 16 passages of 512 tokens, the masked mean); a corpus stored normalised
    # in fp16; in-batch contrastive scores at temperature 0.01
    out += [("e5_average_pool", e5_average_pool, (mh(256, 512, 1024), i(256, 512))),
            ("bge_cls_normalize", cls_normalize, (mh(256, 512, 1024),)),
            ("gte_qwen2_last_token_pool", last_token_pool_right, (m(64, 1024, 3584), i(64, 1024))),
            ("qwen3_embedding_last_mrl", last_token_mrl, (m(64, 1024, 4096),)),
            ("nv_embed_latent_pool", nv_embed_latent_pool,
             (m(16, 512, 4096), i(16, 512), m(512, 4096), m(4096, 4096), m(8192, 4096), m(4096, 4096))),
            ("embed_store_fp16", embed_to_fp16_norm, (mf(65536, 1024),)),
            ("e5_query_pool", e5_average_pool, (mh(512, 32, 1024), i(512, 32))),
            ("inbatch_scores", lambda q, p: (q @ p.T) / 0.01, (mh(512, 1024), mh(4096, 1024)))]

    # ------------------------------------------------------------------ exact and approximate search
    def ip_search(q, corpus, k=100):  # exact inner-product search: one product, the top-k
        return torch.topk(q @ corpus.T, k, dim=-1)

    def ip_search_chunk(q, chunk, offset, k=100):  # a corpus chunk's top-k, its ids offset
        v, ix = torch.topk(q @ chunk.T, k, dim=-1)
        return v, ix + offset

    def topk_merge(vals, ids, k=100):  # the chunks' candidates merged into the final top-k
        v, pos = torch.topk(vals, k, dim=-1)
        return v, torch.gather(ids, 1, pos)

    def l2_coarse_assign(q, centroids, nprobe=64):  # IVF: squared L2 to every centroid, the nearest nprobe lists
        d = (q ** 2).sum(1, keepdim=True) - 2 * q @ centroids.T + (centroids ** 2).sum(1)[None]
        return torch.topk(d, nprobe, dim=-1, largest=False).indices

    def kmeans_update(x, assign, k=16384):  # the centroids recomputed by index_add and counts
        sums = torch.zeros(k, x.shape[1], dtype=x.dtype).index_add_(0, assign, x)
        counts = torch.zeros(k, dtype=x.dtype).index_add_(0, assign, torch.ones_like(assign, dtype=x.dtype))
        return sums / counts.clamp(min=1).unsqueeze(1)

    def ivf_scan(q, probes, lists, xb, k=100):  # the probed padded lists gathered and scanned, padding masked
        ids = lists[probes].flatten(1)
        vecs = xb[ids.clamp(min=0)]
        s = torch.einsum("qd,qnd->qn", q, vecs).float().masked_fill(ids < 0, float("-inf"))
        v, pos = s.topk(k, dim=-1)
        return v, torch.gather(ids, 1, pos)

    def pq_lut(q, codebooks):  # PQ: the query's inner products with every sub-codeword
        nq = q.shape[0]
        mq, ks, ds = codebooks.shape
        return torch.einsum("qmd,mkd->qmk", q.view(nq, mq, ds), codebooks)

    def pq_adc(lut, codes, k=100):  # asymmetric distance computation: the table read at each code, summed
        nq, mq, ks = lut.shape
        flat = codes.long() + torch.arange(mq) * ks
        s = lut.reshape(nq, mq * ks).index_select(1, flat.reshape(-1)).view(nq, -1, mq).sum(-1)
        return s.topk(k, dim=-1)

    # exact search of 64 e5-large queries over a 1M x 1024 fp16 corpus, 16 queries over 2M x 768 bf16, 128 queries'
    # top-10 over a 100000-passage fp32 corpus, a 262144-row fp32 chunk of a sharded index and 8 chunks' top-100s
    # merged; IVF over 16384 lists of 1024-d vectors: the coarse assignment of 64 queries by squared L2 (fp32), k-means'
    # centroid update over 32768 assigned vectors, a scan of 64 probes over padded lists of 256 for 16 queries; product
    # quantisation (64 sub-quantisers of 256 16-d codewords): the lookup table, ADC over 500000 codes for 8 queries;
    # CLIP ViT-L/14's text-to-image retrieval logits over 10000 images; the index's ids mapped to passage ids
    out += [("ip_search_1m", ip_search, (mh(64, 1024), mh(1000000, 1024))),
            ("ip_search_2m_bf16", ip_search, (m(16, 768), m(2000000, 768))),
            ("ip_search_chunk_fp32", ip_search_chunk, (mf(32, 768), mf(262144, 768), i(1))),
            ("topk_merge_chunks", topk_merge, (mf(32, 800), i(32, 800))),
            ("ivf_coarse_assign", l2_coarse_assign, (mf(64, 1024), mf(16384, 1024))),
            ("kmeans_update", kmeans_update, (mf(32768, 1024), i(32768))),
            ("ivf_list_scan", ivf_scan, (mh(16, 1024), i(16, 64), i(16384, 256), mh(1000000, 1024))),
            ("pq_adc", pq_adc, (mf(8, 64, 256), mu8(500000, 64))),
            ("ip_search_fp32_100k", lambda q, c: ip_search(q, c, 10), (mf(128, 768), mf(100000, 768))),
            ("pq_lut", pq_lut, (mf(8, 1024), mf(64, 256, 16))),
            ("clip_retrieval_logits", lambda t, im, s: s.exp() * t @ im.T, (mh(1024, 768), mh(10000, 768), mf(1))),
            ("ann_id_map", lambda idmap, ids: idmap[ids], (i(1_000_000), i(64, 100)))]

    # ------------------------------------------------------------------ late interaction: ColBERT, PLAID, ColPali
    def colbert_maxsim(q, d, d_mask):  # colbert_score: D @ Q^T, padding at -9999, max over doc tokens, summed
        s = d @ q.to(dtype=d.dtype).T
        s = s.masked_fill(~d_mask.unsqueeze(-1), -9999)
        return s.max(1).values.sum(-1)

    def plaid_centroid_scores(q, centroids):
        return centroids @ q.T

    def plaid_approx_scores(cs, codes, ndocs=8192, k=1024):  # each doc token's centroid score looked up, MaxSim
        s = cs[codes].view(ndocs, -1, cs.shape[1])
        return s.max(1).values.sum(-1).topk(k).indices

    def colbert_decompress(codes, packed, centroids, bucket_weights, nbits=2):  # residuals unpacked, centroids added
        shifts = torch.arange(0, 8, nbits, dtype=torch.uint8)
        r = (packed.unsqueeze(-1) >> shifts) & ((1 << nbits) - 1)
        r = bucket_weights[r.flatten(-2).long()]
        return F.normalize(centroids[codes] + r, dim=-1)

    def colpali_score(qs, ps):  # colpali-engine's score_multi_vector: einsum, max over patches, sum over tokens
        return torch.einsum("bnd,csd->bcns", qs, ps).max(dim=3)[0].sum(dim=2)

    # jina-colbert-v2 (128-d, fp16): MaxSim of a 32-token query over 1000 candidates of 512 tokens; PLAID over 262144
    # centroids (8192 candidates' 180 codes each looked up and reduced, the centroid scores); ColBERTv2's 2-bit residual
    # decompression of 500000 token embeddings; ColPali (bf16: 16 queries of 24 tokens over 256 pages of 1030 patches)
    out += [("colbert_maxsim", colbert_maxsim, (mh(32, 128), mh(1000, 512, 128), mb(1000, 512))),
            ("plaid_approx_scores", plaid_approx_scores, (mh(262144, 32), i(8192 * 180))),
            ("colbert_decompress", colbert_decompress, (i(500000), mu8(500000, 32), mh(262144, 128), mh(4))),
            ("colpali_score", colpali_score, (m(16, 24, 128), m(256, 1030, 128))),
            ("plaid_centroid_scores", plaid_centroid_scores, (mh(32, 128), mh(262144, 128)))]

    # ------------------------------------------------------------------ rerankers
    def xlmr_cls_head(h, w1, b1, w2, b2):  # RobertaClassificationHead: [CLS], dense, tanh, out_proj
        return linear(torch.tanh(linear(h[:, 0, :], w1, b1)), w2, b2)

    def minilm_rerank(h, wp, bp, wc, bc):  # BERT's pooler (dense, tanh) and the one-logit classifier, sigmoid
        return torch.sigmoid(linear(torch.tanh(linear(h[:, 0], wp, bp)), wc, bc))

    def yes_no_rerank(h, w_lm, yes=9693, no=2152):  # Qwen3-Reranker: the last token's logits, yes vs no
        logits = linear(h[:, -1, :], w_lm)
        s = torch.stack([logits[:, no], logits[:, yes]], dim=1)
        return torch.nn.functional.log_softmax(s, dim=1)[:, 1].exp()

    def rerank_sort(scores, ids):  # the scores sorted and the passages reordered
        s, order = torch.sort(scores.view(-1, 100), dim=-1, descending=True)
        return s, torch.gather(ids, 1, order)

    # bge-reranker-v2-m3 (XLM-R-large, fp16, 128 pairs); ms-marco-MiniLM-L-6-v2 (384 wide, 256 pairs, fp32);
    # Qwen3-Reranker-4B (bf16, 64 pairs, the 151669-token head); the reranked order of 32 queries' top-100
    out += [("bge_reranker_head", xlmr_cls_head, (mh(128, 512, 1024), mh(1024, 1024), mh(1024), mh(1, 1024), mh(1))),
            ("minilm_rerank_head", minilm_rerank, (mf(256, 256, 384), mf(384, 384), mf(384), mf(1, 384), mf(1))),
            ("qwen3_reranker_yes_no", yes_no_rerank, (m(64, 1024, 2560), m(151669, 2560))),
            ("rerank_sort", rerank_sort, (mf(3200), i(32, 100)))]

    # ------------------------------------------------------------------ lexical: BM25, SPLADE; fusion
    def bm25_df(term_ids, vocab=250000):  # document frequencies by scatter_add over the postings (bincount's work)
        return torch.zeros(vocab, dtype=torch.float32).scatter_add_(0, term_ids, torch.ones_like(term_ids,
                                                                                               dtype=torch.float32))

    def bm25_doc_len(doc_of_posting, tf, n_docs=5_000_000):  # document lengths summed from the postings' tfs
        return torch.zeros(n_docs, dtype=torch.float32).index_add_(0, doc_of_posting, tf)

    def bm25_score(docs, tf, w_idf, doc_len, avgdl, k1=0.9, b=0.4, k=1000):  # the query's postings scored, summed
        dl = doc_len[docs]
        contrib = w_idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
        scores = torch.zeros(doc_len.shape[0], dtype=torch.float32).index_add_(0, docs, contrib)
        return scores.topk(k)

    def splade_pool(logits, mask):  # SPLADE: max over tokens of log(1 + ReLU(logits)), masked
        return torch.max(torch.log1p(torch.relu(logits)) * mask.unsqueeze(-1), dim=1).values

    def splade_prune(rep, k=256):  # a document's top-256 vocabulary weights kept, the rest zeroed
        v, ix = rep.topk(k, dim=-1)
        return torch.zeros_like(rep).scatter_(-1, ix, v)

    def sparse_dot(q_rep, d_rep):
        return q_rep @ d_rep.T

    def rrf_scatter(ids, n_docs=1_000_000, k=60, top=100):  # reciprocal rank fusion over the lists' top-1000 ids
        n_lists, b, depth = ids.shape
        contrib = (1.0 / (k + torch.arange(1, depth + 1, dtype=torch.float32))).expand(n_lists, b, depth)
        fused = torch.zeros(b, n_docs).scatter_add_(1, ids.permute(1, 0, 2).reshape(b, -1),
                                                     contrib.permute(1, 0, 2).reshape(b, -1))
        return fused.topk(top, dim=-1)

    # BM25 over a 5M-passage collection in torch (80M postings: document frequencies over a 250000-term vocabulary and
    # the lengths by scatter / index add; a query's 4M postings scored, summed by index_add and its top-1000); SPLADE-v3
    # (BERT's 30522 vocabulary, fp16: 32 passages of 256 tokens and 64 queries of 32 pooled, top-256 pruning, 64 queries
    # against 20000 documents); reciprocal rank fusion of a dense and a BM25 list (32 queries, top-1000 over 1M ids)
    out += [("bm25_df", bm25_df, (i(80_000_000),)),
            ("bm25_doc_len", bm25_doc_len, (i(80_000_000), mf(80_000_000))),
            ("bm25_score", bm25_score, (i(4_000_000), mf(4_000_000), mf(4_000_000), mf(5_000_000), mf(1))),
            ("splade_pool", splade_pool, (mh(32, 256, 30522), mh(32, 256))),
            ("splade_prune", splade_prune, (mh(32, 30522),)),
            ("rrf_scatter", rrf_scatter, (i(2, 32, 1000),)),
            ("splade_query_pool", splade_pool, (mh(64, 32, 30522), mh(64, 32))),
            ("splade_sparse_dot", sparse_dot, (mh(64, 30522), mh(20000, 30522)))]

    # ------------------------------------------------------------------ embedding quantisation, dedup, RAG glue
    def binary_quantize(e):  # sentence-transformers' ubinary: the signs packed eight to a byte
        bits = (e > 0).view(e.shape[0], -1, 8).to(torch.uint8)
        return (bits << torch.arange(7, -1, -1, dtype=torch.uint8)).sum(-1, dtype=torch.uint8)

    def hamming_search(qb, db, lut, k=400):  # XOR and a popcount table, the nearest by Hamming distance
        x = torch.bitwise_xor(qb.unsqueeze(1), db.unsqueeze(0))
        d = lut[x.long()].sum(-1, dtype=torch.int32)
        return d.topk(k, dim=-1, largest=False).indices

    def rag_context_ids(passage_tokens, top_ids, question):  # the retrieved passages' tokens before the question
        ctx = passage_tokens[top_ids].flatten(1)
        return torch.cat([ctx, question], dim=1)

    def replug_ensemble(doc_logits, scores, tau=1.0):  # REPLUG: next-token distributions weighted by retrieval
        w = torch.softmax(scores / tau, dim=-1)
        p = torch.softmax(doc_logits.float(), dim=-1)
        return (w[..., None] * p).sum(1)

    def knnlm_interpolate(lm_logits, dists, nn_tokens, lam=0.25, temp=1.0):  # kNN-LM's mixture with the datastore
        p_knn = torch.zeros(lm_logits.shape, dtype=torch.float32).scatter_add_(
            1, nn_tokens, torch.softmax(-dists / temp, dim=-1))
        lp_lm = torch.log_softmax(lm_logits.float(), dim=-1)
        return torch.logaddexp(lp_lm + math.log(1 - lam), torch.log(p_knn) + math.log(lam))

    # 1024-d binary embeddings (65536 packed; 16 queries over 100000 by XOR and a popcount table); the RAG prompt of 5
    # retrieved 256-token passages for 32 questions; REPLUG over 5 documents (8 prompts, Llama-3's 128256 vocabulary);
    # kNN-LM's interpolation (GPT-2's 50257 tokens, 1024 neighbours, 16 positions)
    out += [("binary_quantize", binary_quantize, (mf(65536, 1024),)),
            ("hamming_search", hamming_search, (mu8(16, 128), mu8(100000, 128), mu8(256))),
            ("rag_context_ids", rag_context_ids, (i(100000, 256), i(32, 5), i(32, 64))),
            ("replug_ensemble", replug_ensemble, (m(8, 5, 128256), mf(8, 5))),
            ("knnlm_interpolate", knnlm_interpolate, (mf(16, 50257), mf(16, 1024), i(16, 1024)))]

    # ================================================================== recommendation, time series, graphs, documents,
    # speech synthesis, reward heads, sampling and quantisation helpers
    # ------------------------------------------------------------------ recommendation: DLRM, DCN-v2, two-tower, HSTU
    def emb_bag_sum(idx, offsets, w):  # nn.EmbeddingBag(mode="sum") over a multi-hot feature
        return F.embedding_bag(idx, w, offsets, mode="sum")

    def mlp_relu(x, w1, b1, w2, b2, w3, b3):  # DLRM's bottom MLP
        return F.relu(linear(F.relu(linear(F.relu(linear(x, w1, b1)), w2, b2)), w3, b3))

    def dlrm_dot_interaction(x, ly):  # interact_features: the pairwise dots' strict lower triangle, joined to x
        b, d = x.shape
        t = torch.cat([x.unsqueeze(1), ly], dim=1)
        z = torch.bmm(t, t.transpose(1, 2))
        n = t.shape[1]
        li, lj = torch.tril_indices(n, n, offset=-1)
        return torch.cat([x, z[:, li, lj]], dim=1)

    def dcn_low_rank_cross(x0, xl, u, v, b):  # DCN-v2's low-rank cross layer: x0 * (V(U x) + b) + x
        return x0 * (linear(linear(xl, u), v) + b) + xl

    def dlrm_top_mlp(x, w1, b1, w2, b2, w3, b3, w4):  # the top MLP ending in a sigmoid click probability
        h = F.relu(linear(F.relu(linear(F.relu(linear(x, w1, b1)), w2, b2)), w3, b3))
        return torch.sigmoid(linear(h, w4))

    def fm_interaction(e):  # DeepFM's factorisation machine: (sum e)^2 - sum e^2, halved and summed
        square_of_sum = torch.sum(e, dim=1, keepdim=True) ** 2
        sum_of_square = torch.sum(e * e, dim=1, keepdim=True)
        return 0.5 * torch.sum(square_of_sum - sum_of_square, dim=2)

    def din_attention(query, keys, mask, w1, b1, w2, b2, w3, b3):  # DIN's local activation unit over behaviours
        t = keys.shape[1]
        qe = query.unsqueeze(1).expand(-1, t, -1)
        x = torch.cat([qe, keys, qe - keys, qe * keys], dim=-1)
        s = linear(torch.sigmoid(linear(torch.sigmoid(linear(x, w1, b1)), w2, b2)), w3, b3).transpose(1, 2)
        s = torch.where(mask.unsqueeze(1), s, torch.full_like(s, -2 ** 32 + 1))
        return torch.bmm(s, keys).squeeze(1)

    def two_tower_retrieve(user, w1, b1, w2, b2, items, k=500):  # the user tower, normalised, items' top-k
        u = F.normalize(linear(F.relu(linear(user, w1, b1)), w2, b2), dim=-1)
        return torch.topk(u @ items.T, k, dim=-1)

    def sasrec_embed(seq, emb, pos, pad_mask):  # SASRec: scaled item embeddings, positions, padding zeroed
        x = F.embedding(seq, emb) * emb.shape[1] ** 0.5 + pos
        return x * ~pad_mask.unsqueeze(-1)

    def sasrec_scores(feats, emb, k=100):  # the last position's features against every item
        return torch.topk(feats[:, -1, :] @ emb.T, k, dim=-1)

    def hstu_attention(u, q, k, v, rab, mask, n):  # HSTU: SiLU attention over n, the relative bias, masked
        a = torch.einsum("bhnd,bhmd->bhnm", q, k) + rab
        a = F.silu(a) / n
        a = a * mask
        o = torch.einsum("bhnm,bhmd->bhnd", a, v)
        o = o.transpose(1, 2).reshape(u.shape)
        return u * F.layer_norm(o, (o.shape[-1],), eps=1e-6)

    # DLRM-DCNv2 as MLPerf serves it (fp16 MLPs, fp32 tables, 8192 samples: a 4M x 128 table with 30 ids a bag, a small
    # one with 3, a weighted bag of 20 over 1M rows; the 13 -> 512 -> 256 -> 128 bottom MLP; the dot interaction of 27
    # vectors; a low-rank (512) cross layer over 3456; the 3456 -> 1024 -> 1024 -> 512 -> 1 top MLP); DeepFM's FM over
    # 39 fields of 16; DIN over 50 behaviours of 64 (4096 requests); a two-tower retrieval over 2M items of 64 (fp16,
    # 256 users) and the item tower's lookup; SASRec over 200 items (256 users, 50 wide) and its scores over 1M items;
    # HSTU's pointwise SiLU attention (32 users, 4 heads, 2048 events)
    out += [("dlrm_embedding_bag_large", emb_bag_sum, (i(8192 * 30), i(8192), mf(4_000_000, 128))),
            ("dlrm_embedding_bag_small", emb_bag_sum, (i(8192 * 3), i(8192), mf(1000, 128))),
            ("dlrm_bottom_mlp", mlp_relu, (mh(8192, 13), mh(512, 13), mh(512), mh(256, 512), mh(256), mh(128, 256),
                                           mh(128))),
            ("dlrm_dot_interaction", dlrm_dot_interaction, (mh(8192, 128), mh(8192, 26, 128))),
            ("dcn_low_rank_cross", dcn_low_rank_cross, (mh(8192, 3456), mh(8192, 3456), mh(512, 3456),
                                                        mh(3456, 512), mh(3456))),
            ("dlrm_top_mlp", dlrm_top_mlp, (mh(8192, 3456), mh(1024, 3456), mh(1024), mh(1024, 1024), mh(1024),
                                            mh(512, 1024), mh(512), mh(1, 512))),
            ("deepfm_fm", fm_interaction, (mf(8192, 39, 16),)),
            ("din_attention", din_attention, (mf(4096, 64), mf(4096, 50, 64), mb(4096, 50), mf(80, 256), mf(80),
                                              mf(40, 80), mf(40), mf(1, 40), mf(1))),
            ("two_tower_retrieve", two_tower_retrieve, (mh(256, 1024), mh(256, 1024), mh(256), mh(64, 256), mh(64),
                                                        mh(2_000_000, 64))),
            ("sasrec_embed", sasrec_embed, (i(256, 200), mf(1_000_000, 50), mf(200, 50), mb(256, 200))),
            ("sasrec_scores", sasrec_scores, (mf(256, 200, 50), mf(1_000_000, 50))),
            ("hstu_attention", hstu_attention, (m(32, 2048, 512), m(32, 4, 2048, 128), m(32, 4, 2048, 128),
                                                m(32, 4, 2048, 128), m(1, 4, 2048, 2048), m(1, 1, 2048, 2048),
                                                m(1))),
            ("dlrm_embedding_bag_weighted",
             lambda idx, off, w, psw: F.embedding_bag(idx, w, off, mode="sum", per_sample_weights=psw),
             (i(8192 * 20), i(8192), mf(1_000_000, 128), mf(8192 * 20))),
            ("two_tower_item_embed", lambda ids, w: F.embedding(ids, w), (i(4096), mh(2_000_000, 64)))]

    # ------------------------------------------------------------------ time series: PatchTST, Chronos, TimesFM
    def patchtst_std_scale(data, observed, min_scale=1e-5):  # PatchTSTStdScaler over time
        denom = observed.sum(1, keepdim=True).clamp_min(1.0)
        loc = (data * observed).sum(1, keepdim=True) / denom
        var = (((data - loc) * observed) ** 2).sum(1, keepdim=True) / denom
        scale = torch.sqrt(var + min_scale)
        return (data - loc) / scale, loc, scale

    def patchtst_patchify(x, w, b, pos, patch=16, stride=8):  # unfold into patches, the embedding, positions
        p = x.unfold(dimension=-2, size=patch, step=stride).transpose(-2, -3).contiguous()
        return linear(p, w, b) + pos

    def patchtst_batchnorm(x, rm, rv, g, b):  # PatchTSTBatchNorm: over d_model with a transpose either side
        s = x.shape
        y = F.batch_norm(x.reshape(-1, s[-2], s[-1]).transpose(1, 2), rm, rv, g, b, False, 0.1, 1e-5)
        return y.transpose(1, 2).reshape(s)

    def patchtst_flatten_head(x, w, b, loc, scale):  # all patches flattened into the horizon, de-normalised
        y = linear(x.flatten(start_dim=2), w, b).transpose(1, 2)
        return y * scale + loc

    def chronos_tokenize(context, boundaries, n_special=2, n_tokens=4096, pad=0):  # MeanScaleUniformBins
        mask = ~torch.isnan(context)
        scale = torch.nansum(torch.abs(context) * mask, dim=-1) / torch.nansum(mask, dim=-1)
        scale = torch.where(scale > 0, scale, torch.ones_like(scale))
        scaled = context / scale.unsqueeze(-1)
        ids = torch.bucketize(scaled, boundaries, right=True) + n_special
        ids = ids.clamp(0, n_tokens - 1)
        return ids.masked_fill(~mask, pad), scale

    def timesfm_input(x, pad, mu, sd, w_h, b_h, w_o, b_o, w_r, b_r, patch=32):  # normalised patches, the ResBlock
        x = ((x - mu) / (sd + 1e-6)).view(x.shape[0], -1, patch)
        p = pad.view(pad.shape[0], -1, patch)
        p = torch.cat([x * (1 - p), p], dim=-1)
        return linear(F.silu(linear(p, w_h, b_h)), w_o, b_o) + linear(p, w_r, b_r)

    def timesfm_q_scale(q, scaling, hd=80):  # the per-dimension learned query scaling
        return q * (F.softplus(scaling) * (1.442695041 / math.sqrt(hd)))

    def timesfm_output(y, mu, sd, horizon=128, nq=10):  # the head's horizon x quantiles, de-normalised
        y = y.view(y.shape[0], y.shape[1], horizon, nq)
        return y * sd.unsqueeze(-1) + mu.unsqueeze(-1)

    # PatchTST on Traffic (862 series, 512 steps, patches of 16 at stride 8, d_model 128, fp32, 32 windows): the std
    # scaler, patching and embedding, its BatchNorm, the flatten head into 96 steps; chronos-t5-large's tokenizer (256
    # series of 512, 4093 boundaries) and TopKLogitsWarper's k = 50 over its 4096 tokens (256 series x 20 samples);
    # TimesFM-2.0-500m (1280 wide, patches of 32 over 2048 steps, 64 series): the normalised input ResBlock, the per-dim
    # query scaling over 16 heads of 80 (bf16), the 128 x 10 output
    out += [("patchtst_std_scale", patchtst_std_scale, (mf(32, 512, 862), mf(32, 512, 862))),
            ("patchtst_patchify", patchtst_patchify, (mf(32, 512, 862), mf(128, 16), mf(128), mf(63, 128))),
            ("patchtst_flatten_head", patchtst_flatten_head, (mf(32, 862, 63, 128), mf(96, 8064), mf(96),
                                                              mf(32, 1, 862), mf(32, 1, 862))),
            ("chronos_tokenize", chronos_tokenize, (mf(256, 512), mf(4093))),
            ("timesfm_input", timesfm_input, (mf(64, 2048), mf(64, 2048), mf(64, 1), mf(64, 1), mf(1280, 64),
                                              mf(1280), mf(1280, 1280), mf(1280), mf(1280, 64), mf(1280))),
            ("timesfm_q_scale", timesfm_q_scale, (m(64, 16, 64, 80), m(80))),
            ("timesfm_output", timesfm_output, (mf(64, 64, 1280), mf(64, 1, 1), mf(64, 1, 1))),
            ("patchtst_batchnorm", patchtst_batchnorm, (mf(32, 862, 63, 128), mf(128), mf(128), mf(128), mf(128))),
            ("chronos_top_k", lambda x: x.masked_fill(x < torch.topk(x, 50)[0][..., -1, None], -float("inf")),
             (mf(5120, 4096),))]

    # ------------------------------------------------------------------ graph neural networks (PyG's message passing)
    def gcn_norm(row, col, w, n=169343):  # gcn_norm: degrees by scatter_add, D^-1/2 with inf zeroed, edge weights
        deg = torch.zeros(n, dtype=w.dtype).scatter_add_(0, col, w)
        dis = deg.pow(-0.5)
        dis = dis.masked_fill(dis == float("inf"), 0)
        return dis[row] * w * dis[col]

    def gcn_propagate(x, wt, row, col, norm, b):  # x W, messages x_j * norm, scatter-summed at the targets, bias
        h = x @ wt
        msg = h[row] * norm.view(-1, 1)
        out = torch.zeros_like(h).scatter_add_(0, col.view(-1, 1).expand_as(msg), msg)
        return out + b

    def gat_attention(x, w, att_src, att_dst, row, col, heads=8):  # GATConv: scores, per-target softmax, aggregate
        n = x.shape[0]
        h = linear(x, w).view(n, heads, -1)
        a_src = (h * att_src).sum(-1)
        a_dst = (h * att_dst).sum(-1)
        alpha = F.leaky_relu(a_src[row] + a_dst[col], 0.2)
        idx = col.view(-1, 1).expand_as(alpha)
        amax = torch.zeros(n, heads).scatter_reduce(0, idx, alpha, reduce="amax", include_self=False)
        e = (alpha - amax[col]).exp()
        den = torch.zeros(n, heads).scatter_add_(0, idx, e) + 1e-16
        alpha = e / den[col]
        msg = h[row] * alpha.unsqueeze(-1)
        return torch.zeros_like(h).index_add_(0, col, msg).flatten(1)

    # ogbn-arxiv full-batch (169343 nodes, 2.3M directed edges, fp32): GCN's normalisation and a 128 -> 256 layer, a GAT
    # layer of 8 heads of 32 (the per-target softmax by scatter_reduce amax and scatter_add); ogbn-products' sampled
    # mini-batch's 250000 input rows gathered (100 features); LightGCN's propagation over Amazon-Book's 2.4M
    # interactions
    ne = 2_332_486
    out += [("gcn_norm", gcn_norm, (i(ne), i(ne), mf(ne))),
            ("gcn_propagate", gcn_propagate, (mf(169343, 128), mf(128, 256), i(ne), i(ne), mf(ne), mf(256))),
            ("gat_attention", gat_attention, (mf(169343, 128), mf(256, 128), mf(1, 8, 32), mf(1, 8, 32), i(ne),
                                              i(ne))),
            ("graph_gather_features", lambda x, nid: x[nid], (mf(2_449_029, 100), i(250_000))),
            ("lightgcn_propagate", lambda e, row, col, w: torch.zeros_like(e).index_add_(0, col, e[row] * w[:, None]),
             (mf(144242, 64), i(2_380_730), i(2_380_730), mf(2_380_730)))]

    # ------------------------------------------------------------------ documents and OCR
    def layoutlmv3_spatial(bbox, xe, ye, he, we):  # LayoutLMv3's 2-D positions: x, y, height, width tables joined
        left, upper = F.embedding(bbox[:, :, 0], xe), F.embedding(bbox[:, :, 1], ye)
        right, lower = F.embedding(bbox[:, :, 2], xe), F.embedding(bbox[:, :, 3], ye)
        h = F.embedding(torch.clip(bbox[:, :, 3] - bbox[:, :, 1], 0, 1023), he)
        w = F.embedding(torch.clip(bbox[:, :, 2] - bbox[:, :, 0], 0, 1023), we)
        return torch.cat([left, upper, right, lower, h, w], dim=-1)

    def ctc_greedy(logits, blank=0):  # PaddleOCR's CTC decode: argmax, confidence, repeats and blanks dropped
        probs = logits.softmax(dim=-1)
        conf, idx = probs.max(dim=-1)
        keep = torch.ones_like(idx, dtype=torch.bool)
        keep[:, 1:] = idx[:, 1:] != idx[:, :-1]
        keep = keep & (idx != blank)
        return idx.masked_fill(~keep, -1), (conf * keep).sum(-1) / keep.sum(-1).clamp(min=1)

    # LayoutLMv3-base (16 pages of 512 tokens, 128-wide coordinate tables); PP-OCRv4's recogniser head (64 crops, 40
    # steps, 6625 characters)
    out += [("layoutlmv3_spatial", layoutlmv3_spatial, (i(16, 512, 4), mf(1024, 128), mf(1024, 128), mf(1024, 128),
                                                        mf(1024, 128))),
            ("ctc_greedy", ctc_greedy, (mf(64, 40, 6625),))]

    # ------------------------------------------------------------------ speech synthesis: durations and codecs
    def vits_generate_path(logw, x_mask, y_mask, m_p, length_scale=1.0):  # VITS: ceil'd durations to a hard path
        w = torch.exp(logw) * x_mask * length_scale
        w_ceil = torch.ceil(w)
        attn_mask = x_mask.unsqueeze(2) * y_mask.unsqueeze(-1)
        b, _, t_y, t_x = attn_mask.shape
        cum = torch.cumsum(w_ceil, -1).view(b * t_x)
        path = (torch.arange(t_y).unsqueeze(0) < cum.unsqueeze(1)).to(attn_mask.dtype).view(b, t_x, t_y)
        path = path - F.pad(path, [0, 0, 1, 0, 0, 0])[:, :-1]
        path = path.unsqueeze(1).transpose(2, 3) * attn_mask
        return torch.matmul(path.squeeze(1), m_p.transpose(1, 2)).transpose(1, 2)

    def kokoro_aligned(d, t_en, aln):  # Kokoro: the prosody and text features expanded by the alignment matrix
        return d.transpose(-1, -2) @ aln, t_en @ aln

    def length_regulate(x, dur, t_y=1600):  # FastSpeech2's length regulator, vectorised by searchsorted
        cum = torch.cumsum(dur, dim=1)
        idx = torch.searchsorted(cum, torch.arange(t_y).expand(x.shape[0], t_y).contiguous(), right=True)
        idx = idx.clamp(max=x.shape[1] - 1)
        return torch.gather(x, 1, idx.unsqueeze(-1).expand(-1, -1, x.shape[-1]))

    # MMS-TTS (VITS, 192 channels, 8 utterances of 200 phonemes to 1600 frames); Kokoro-82M's alignment products (180
    # phonemes to 900 frames, the 640-wide prosody and 512-wide text features); FastSpeech2's length regulator by
    # searchsorted (16 utterances of 120 phonemes, 256 wide)
    out += [("vits_generate_path", vits_generate_path, (mf(8, 1, 200), mf(8, 1, 200), mf(8, 1, 1600),
                                                        mf(8, 192, 200))),
            ("kokoro_aligned_features", kokoro_aligned, (mf(1, 180, 640), mf(1, 512, 180), mf(1, 180, 900))),
            ("fastspeech2_length_regulate", length_regulate, (mf(16, 120, 256), i(16, 120)))]

    # ------------------------------------------------------------------ reward, safety and classifier heads
    def armorm_head(h, gate_pos, last_pos, w_reg, gw1, gb1, gw2, gb2, gw3, gb3, transform, temp=10.0):
        b = torch.arange(h.shape[0])  # ArmoRM: 19 objective rewards, the prompt's gating MLP, the weighted sum
        prompt = h[b, gate_pos]
        rewards = linear(h[b, last_pos], w_reg)
        g = linear(F.relu(linear(F.relu(linear(prompt, gw1, gb1)), gw2, gb2)), gw3, gb3)
        g = F.softmax(g / temp, dim=1)
        return torch.sum(g * (rewards @ transform), dim=1)

    def llama_guard_unsafe(h, w_lm, safe=19193, unsafe=39257):  # the last token's safe / unsafe probabilities
        logits = linear(h[:, -1], w_lm)
        return torch.softmax(logits[:, [safe, unsafe]].float(), dim=-1)[:, 1]

    def deberta_pooler_nli(h, wd, bd, wc, bc):  # DeBERTa-v3's ContextPooler (dense, GELU) and the 3-way classifier
        return torch.softmax(linear(F.gelu(linear(h[:, 0], wd, bd)), wc, bc), dim=-1)

    def zero_shot_entail(logits, n_labels=12):  # the zero-shot pipeline: each label's entailment over the labels
        entail = logits.view(-1, n_labels, 3)[..., 2]
        return entail.softmax(dim=-1)

    def prm_step_scores(logits, ids, tag=12902, good=648, bad=387):  # Math-Shepherd: +/- at each step tag
        s = logits[:, :, [good, bad]].softmax(dim=-1)[:, :, 0]
        return torch.where(ids == tag, s, torch.zeros_like(s))

    def multilabel_sigmoid(h, w, b):  # toxic-bert's six sigmoid labels
        return torch.sigmoid(linear(h[:, 0], w, b))

    # ArmoRM-Llama3-8B (bf16, 64 responses of 1024 tokens: 19 objectives, the 1024-wide gating MLP over 10 experts);
    # Llama-Guard-3-8B's 128256-token head over 32 conversations; DeBERTa-v3-large NLI (128 pairs); Math-Shepherd's PRM
    # (Mistral-7B's 32000 logits over 8 solutions of 1024 tokens); toxic-bert (BERT-base, 256 comments);
    # bart-large-mnli's zero-shot over 12 labels for 64 texts
    out += [("armorm_head", armorm_head, (m(64, 1024, 4096), i(64), i(64), m(19, 4096), m(1024, 4096), m(1024),
                                          m(1024, 1024), m(1024), m(10, 1024), m(10), m(19, 10))),
            ("llama_guard_unsafe", llama_guard_unsafe, (m(32, 512, 4096), m(128256, 4096))),
            ("deberta_pooler_nli", deberta_pooler_nli, (mh(128, 256, 1024), mh(1024, 1024), mh(1024), mh(3, 1024),
                                                        mh(3))),
            ("prm_step_scores", prm_step_scores, (m(8, 1024, 32000), i(8, 1024))),
            ("toxic_multilabel", multilabel_sigmoid, (mf(256, 128, 768), mf(6, 768), mf(6))),
            ("zero_shot_entail", zero_shot_entail, (mf(768, 3),))]

    # ------------------------------------------------------------------ sampling utilities (transformers' processors)
    def repetition_penalty(scores, ids, penalty=1.1):  # RepetitionPenaltyLogitsProcessor: gather, where, scatter
        s = torch.gather(scores, 1, ids)
        s = torch.where(s < 0, s * penalty, s / penalty)
        return scores.scatter(1, ids, s)

    def eta_warper(scores, epsilon=3e-4):  # EtaLogitsWarper: the entropy-scaled cutoff, never below the top one
        probs = scores.softmax(dim=-1)
        logp = scores.log_softmax(dim=-1)
        entropy = -(probs * logp).sum(-1)
        eps = torch.tensor(epsilon)
        eta = torch.min(eps, torch.sqrt(eps) * torch.exp(-entropy))[..., None]
        remove = probs < eta
        remove = remove & (scores < torch.topk(scores, 1)[0][..., -1, None])
        return scores.masked_fill(remove, -float("inf"))

    def epsilon_warper(scores, epsilon=3e-4):  # EpsilonLogitsWarper
        probs = scores.softmax(dim=-1)
        remove = (probs < epsilon) & (scores < torch.topk(scores, 1)[0][..., -1, None])
        return scores.masked_fill(remove, -float("inf"))

    def top_n_sigma(logits, n=1.0):  # top-n-sigma: logits below max - n * std masked
        mx = logits.max(dim=-1, keepdim=True).values
        sd = logits.std(dim=-1, keepdim=True)
        return logits.masked_fill(logits < mx - n * sd, float("-inf"))

    def bad_words_mask(scores, bad_ids):  # NoBadWordsLogitsProcessor's single-token bans as a static mask
        banned = torch.zeros(scores.shape[-1], dtype=torch.bool).index_fill_(0, bad_ids, True)
        return scores.masked_fill(banned, -float("inf"))

    def watermark_bias(scores, green_ids, delta=2.0):  # a greenlist's bias added by scatter
        return scores + torch.zeros_like(scores).scatter_(1, green_ids, delta)

    # Llama-3.1-8B-Instruct's 128256-token vocabulary over 32 sequences (fp32 scores, 2048 previous ids), Qwen2.5's
    # 152064 over 16 (eta and epsilon), Mistral-Nemo's 131072 over 64 (top-n-sigma), Gemma-2's 256000 over 8 (bad
    # words), OPT's 50272 over 32 (a quarter-vocabulary greenlist)
    out += [("repetition_penalty", repetition_penalty, (mf(32, 128256), i(32, 2048))),
            ("eta_warper", eta_warper, (mf(16, 152064),)),
            ("top_n_sigma", top_n_sigma, (mf(64, 131072),)),
            ("bad_words_mask", bad_words_mask, (mf(8, 256000), i(512))),
            ("watermark_bias", watermark_bias, (mf(32, 50272), i(32, 12568))),
            ("epsilon_warper", epsilon_warper, (mf(16, 152064),))]

    # ------------------------------------------------------------------ quantisation helpers in plain torch
    def awq_pseudo_quantize(w, n_bit=4, group=128):  # AutoAWQ's pseudo_quantize_tensor with zero points
        shape = w.shape
        w = w.reshape(-1, group)
        max_val, min_val = w.amax(dim=1, keepdim=True), w.amin(dim=1, keepdim=True)
        max_int, min_int = 2 ** n_bit - 1, 0
        scales = (max_val - min_val).clamp(min=1e-5) / max_int
        zeros = (-torch.round(min_val / scales)).clamp_(min_int, max_int)
        w = (torch.clamp(torch.round(w / scales) + zeros, min_int, max_int) - zeros) * scales
        return w.reshape(shape)

    def per_channel_int8(w):  # int8 weight-only: per-output-channel absmax
        scale = w.abs().amax(dim=1, keepdim=True).clamp(min=1e-5).float() / 127
        return torch.round(w / scale).clamp(-128, 127).to(torch.int8), scale

    def fp8_per_token_group(x, group=128):  # per_token_group_quant_fp8's native path
        xg = x.view(-1, group)
        amax = xg.abs().amax(dim=-1, keepdim=True).float().clamp(min=1e-10)
        s = amax / 448.0
        q = (xg / s).clamp(-448.0, 448.0).to(torch.float8_e4m3fn)
        return q.view(x.shape), s.view(x.shape[0], -1)

    def int4_pack_uint8(q):  # two int4 codes a byte by strided columns
        return (q[:, ::2] << 4 | q[:, 1::2]).to(torch.uint8)

    def gptq_pack_int32(q):  # GPTQ's qweight: eight 4-bit rows a 32-bit word
        q = q.view(q.shape[0] // 8, 8, q.shape[1])
        return (q << (torch.arange(8, dtype=torch.int32) * 4).view(1, 8, 1)).sum(1, dtype=torch.int32)

    def nf4_quantize(w, code, block=64):  # bitsandbytes' torch backend: blockwise absmax, nearest NF4 code
        a = w.reshape(-1, block).float()
        absmax = a.abs().amax(dim=-1, keepdim=True)
        scaled = (a / absmax).reshape(-1, 1)
        idx = torch.argmin(torch.abs(scaled - code), dim=-1).to(torch.uint8).view(-1, 2)
        return (idx[:, 0] << 4) | idx[:, 1], absmax

    # AutoAWQ's pseudo-quantisation of Llama-3-8B's down_proj (4096 x 14336, fp16, groups of 128); per-channel int8 of
    # Mistral-7B's gate_proj; a per-tensor fp8 weight (Llama-3.1-70B's q_proj, 8192 x 8192) dequantised; DeepSeek-V3's
    # per-token-group fp8 (4096 x 7168); int4 packing to bytes and to GPTQ's 32-bit words; NF4 of a 4096 x 4096 weight
    out += [("awq_pseudo_quantize", awq_pseudo_quantize, (mh(4096, 14336),)),
            ("per_channel_int8", per_channel_int8, (m(14336, 4096),)),
            ("fp8_per_tensor_dequant", lambda w, sc: w.to(torch.bfloat16) * sc.to(torch.bfloat16),
             (m(8192, 8192, dt=torch.float8_e4m3fn), mf(1))),
            ("fp8_per_token_group", fp8_per_token_group, (m(4096, 7168),)),
            ("int4_pack_uint8", int4_pack_uint8, (mu8(4096, 14336),)),
            ("gptq_pack_int32", gptq_pack_int32, (mi32(4096, 14336),)),
            ("nf4_quantize", nf4_quantize, (m(4096, 4096), mf(16)))]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK19, _check19()),))
