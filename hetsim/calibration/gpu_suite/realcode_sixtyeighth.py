"""The aten sweep's thirty-ninth blind real-code group: `realcode-check39`, the paper's memory-processing methods and
their 2025-26 successors at evaluation scale, in plain torch: DeepSeek sparse attention, NSA and MoBA block selection,
SeerAttention-R's gate, Quest / LServe page selection, RetrievalAttention and MagicPIG over the keys,
retrieval-augmented generation's retrieval stacks (lexical, dense, quantised, late-interaction, graph and rerank) and
its retrieval triggers, MemAgent's read-and-rewrite memory, memory tokens and memory layers, neural and fast-weight
memories (Titans, ATLAS, TTT, LaCT), gated delta-rule hybrids (Qwen3-Next, Kimi Linear) and attention sinks (GPT-OSS,
StreamingLLM).

Each case is one op or a short idiom as the methods' public reference code (DeepSeek-V3.2-Exp's inference model and
FlashMLA's sparse reference, fla's native-sparse-attention, MoBA's naive path, SeerAttention-R, Quest, LServe,
MagicPIG, RetrievalAttention, Memorizing Transformers, bm25s, SPLADE, faiss-style IVF / PQ written in torch,
sentence-transformers' binary and int8 rescoring, bge-reranker, ColBERT / PLAID, HippoRAG, FLARE, DRAGIN, Self-RAG,
MemAgent, HMT, RMT / ARMT, memory layers at scale, titans-pytorch, ATLAS, ttt-lm-pytorch, LaCT, transformers' Qwen3-Next
and GPT-OSS, Kimi Linear, StreamingLLM's SinkCache) writes it, at real widths (DeepSeek-V3.2's 7168 hidden, 128 heads of
a 576-wide latent, a 64-head 128-wide indexer; NSA's 27B with 4 KV groups of 16, dk 192, dv 128; Qwen3-14B's 40 / 8
heads; Qwen3-Next's 16 / 2 heads of 256 and 32 value heads of 128; Kimi-Linear's 2304 wide; gpt-oss's 64 / 8 heads of
64; XLM-R large; 768-1024-wide embeddings), batches (1-256), contexts (4K-128K tokens, corpora of 0.5-8.8 M passages)
and in the dtypes the code runs (bf16 activations, caches and corpora, fp16 corpora and term frequencies, fp32 scores,
softmaxes, scales, memories, fast weights and recurrent states, int64 token ids, indices and postings, int32 block
tables, hash codes, CSC postings, token stores and popcounts, int8 corpora and stop-word flags, uint8 PQ codes and
packed binary embeddings, bool masks): DeepSeek sparse attention (the lightning indexer's q / k with the LayerNorm'ed
key, half-split rotary and the Hadamard rotation as a product; act_quant's ue8m0 blockwise scaling with the e4m3 grid
stood in by bf16 and the cache writes; fp8_index's relu-weighted head sum, causal mask, top-2048 and the index mask;
the absorbed MLA with the index mask at decode and in a prefill chunk; FlashMLA's sparse reference gathering the top
2048 latent rows of 576; the indexer's KL warm-up and sparse-stage losses); NSA (compression by unfold and an MLP and
by mean pooling; the compressed branch with its importance scores mapped onto selection blocks by a strided conv1d,
forced blocks and top-16; the selected branch's per-head gathers; the sliding branch and the three-way gate); MoBA
(block-mean gating with causal and forced blocks, and the naive masked attention); SeerAttention-R (max / min / mean
K compression at prefill and on block completion, the grouped-query gate, token-budget and threshold selection, the
block-sparse decode written densely, the distillation target by max pooling); Quest / LServe (page min / max in both
layouts and their decode update, page scores with the group reduction and top-k pages, hierarchical physical pages
through the block table, streaming heads, selected pages read out of a paged pool by two index tensors); MagicPIG
(SimHash codes and LSH-collision sampling with importance weights); RetrievalAttention (a k-means step by scatter_add_
and by index_add_, IVF probes over the keys and the split attention's log-sum-exp merge); Memorizing Transformers' kNN
memory; RAG retrieval (bm25s' CSC scores by windowed postings and index_add_ or scatter_add_, Okapi BM25 from padded
postings, SPLADE's max pooling, flat dense search whole and chunked, binary search with int8 rescoring, IVF-Flat,
PQ and IVF-PQ table lookups, a cross-encoder rerank batch, ColBERT's MaxSim and PLAID's centroid interaction,
reciprocal rank fusion, HippoRAG's personalised PageRank by index_add_, context packing); retrieval triggers (FLARE's
confidence, DRAGIN's RIND and query selection, Self-RAG's reflection-token scores); MemAgent (the turn's prompt
built and left-justified, the memory overwrite by index_copy_, the multi-conversation policy loss); memory tokens and
layers (HMT's recall and cache, RMT's read / write tokens, ARMT's associative memory with DPFP features, product-key
memory layers through EmbeddingBag); neural and fast-weight memories (Titans' linear memory per chunk with momentum
and forgetting by log-space cumulative products, its deep memory's written-out gradients, memory-as-context; ATLAS's
polynomial features and Omega rule; Muon's batched Newton-Schulz; LaCT's SwiGLU fast-weight chunk; TTT-Linear's dual
form); gated delta rules (transformers' chunked rule with solve_triangular and its recurrent step, Kimi Delta
Attention's channel-wise gates and step, Qwen3-Next's gated attention, linear-attention front with the causal conv1d,
gated RMSNorm and conv-state update); attention sinks (GPT-OSS's eager sink attention, sliding mask and YaRN rotary,
StreamingLLM's sink-cache eviction with key re-rotation).
Data-dependent steps of the reference code are written without data-dependent shapes: postings read in fixed windows
from indptr and masked, inverted lists and token stores padded to fixed lengths, selections as top-k at fixed budgets
and masks rather than nonzero, the left-justification by a stable sort on validity, first-EOS cuts by argmax, the
intra-chunk triangular inverse by solve_triangular rather than the row loop, loops over chunks and mini-batches at
fixed counts.
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK39 = "realcode-check39"


def _check39():
    import math
    from functools import partial as P

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _dtype_makers, _meta_makers, repeat_kv, rotate_half

    m, i = _meta_makers()

    mh, mf, mb, mi32 = _dtype_makers()

    def mi8(*shape):  # int8 (sign bits, stop-word flags, quantised corpora)
        return m(*shape, dt=torch.int8)

    def mu8(*shape):  # uint8 (product-quantisation codes, packed binary embeddings)
        return m(*shape, dt=torch.uint8)

    NEG = float("-inf")
    out = []

    # ================================================================== DeepSeek sparse attention (DeepSeek-V3.2)
    def dsa_indexer_qk(x, qr, wq_b, wk, kn_w, kn_b, w_proj, cos, sin, had, heads=64, d=128, rope=64):
        b, s, _ = x.shape  # V3.2's Indexer: q from the q LoRA, k from the hidden state through a LayerNorm (fp32),
        q = F.linear(qr, wq_b).view(b, s, heads, d)  # the rotary part first (non-interleaved halves), both rotated
        q_pe, q_nope = torch.split(q, [rope, d - rope], dim=-1)  # by the 128 x 128 Hadamard matrix (the fast
        k = F.linear(x, wk)  # Hadamard transform as a product, scaled by d ** -0.5), the head weights in fp32
        k = F.layer_norm(k.float(), (d,), kn_w, kn_b, 1e-6).type_as(k)
        k_pe, k_nope = torch.split(k, [rope, d - rope], dim=-1)

        def rot(t, c, s_):
            t1, t2 = t.chunk(2, dim=-1)
            return torch.cat((t1 * c - t2 * s_, t2 * c + t1 * s_), dim=-1)

        q = torch.cat([rot(q_pe, cos[:, None], sin[:, None]), q_nope], dim=-1)
        k = torch.cat([rot(k_pe, cos, sin), k_nope], dim=-1)
        q = F.linear(q, had) * d ** -0.5
        k = F.linear(k, had) * d ** -0.5
        weights = F.linear(x.float(), w_proj) * heads ** -0.5
        return q, k, weights

    # prefill of 4096 tokens, MTP's decode of 2 tokens x 64 sequences
    for b, s in ((1, 4096), (64, 2)):
        out.append(("dsa_indexer_qk_hadamard", dsa_indexer_qk,
                    (m(b, s, 7168), m(b, s, 1536), m(8192, 1536), m(128, 7168), mf(128), mf(128), mf(64, 7168),
                     m(s, 32), m(s, 32), m(128, 128))))

    def act_quant_like(x, block=128, fmax=448.0):  # DeepSeek's act_quant with ue8m0 scales, the e4m3 grid stood in
        shp = x.shape  # by bf16: per-128 block amax in fp32, the scale rounded up to a power of two, the block
        xb = x.float().view(*shp[:-1], shp[-1] // block, block)  # divided, clamped, cast
        amax = xb.abs().amax(dim=-1, keepdim=True).clamp(min=1e-4)
        scale = torch.exp2(torch.ceil(torch.log2(amax / fmax)))
        y = (xb / scale).clamp(-fmax, fmax).to(torch.bfloat16)
        return y.view(shp), scale.squeeze(-1)

    def dsa_quant_cache(q, k, k_cache, k_scale_cache, start=0):  # the indexer's q and k quantised blockwise, k and
        qq, q_scale = act_quant_like(q)  # its scale written into the caches at [start, start + s)
        kq, k_scale = act_quant_like(k)
        b, s = k.shape[:2]
        k_cache[:b, start:start + s] = kq
        k_scale_cache[:b, start:start + s] = k_scale.squeeze(-1)
        return qq, q_scale, k_cache

    for b, s, t, start in ((1, 4096, 16384, 8192), (32, 1, 65536, 40000)):
        out.append(("dsa_act_quant_cache_write", P(dsa_quant_cache, start=start),
                    (m(b, s, 64, 128), m(b, s, 128), m(b, t, 128), mf(b, t))))

    def dsa_index(q, weights, q_scale, k_cache, k_scale, mask, end=0, topk=2048, scale=128 ** -0.5):
        w = weights.unsqueeze(-1) * q_scale * scale  # fp8_index in torch: per-head scores by one product over the
        k = k_cache[:, :end]  # cache, relu, weighted by the head weights (q's scales folded in), summed over the
        logits = torch.einsum("bshd,btd->bsht", q, k).float()  # heads, times k's scales; the causal mask added,
        score = (F.relu(logits) * w).sum(dim=2) * k_scale[:, None, :end]  # the top 2048, the index mask scattered
        score = score + mask
        idx = score.topk(min(topk, end), dim=-1)[1]
        index_mask = torch.full(score.shape, NEG, device=score.device).scatter_(-1, idx, 0)
        return idx, index_mask

    # decode: 16 x 64K and 4 x 128K of cache; a prefill chunk of 256 over 32K
    for b, s, t in ((16, 1, 65536), (4, 1, 131072), (1, 256, 32768)):
        out.append(("dsa_lightning_indexer_topk", P(dsa_index, end=t),
                    (m(b, s, 64, 128), mf(b, s, 64), mf(b, s, 64, 1), m(b, t, 128), mf(b, t), mf(s, t))))

    def dsa_mla_masked(q, kv_cache, pe_cache, wkv_b, index_mask, end=0, heads=128, nope=128, vd=128, rank=512,
                       scale=0.1352):  # V3.2's MLA in the absorbed (decode) form: q's non-rotary part through
        b, s = q.shape[:2]  # wkv_b, scores over the latent and rotary caches, the indexer's mask added, softmax in
        q_nope, q_pe = torch.split(q, [nope, q.shape[-1] - nope], dim=-1)  # fp32, the latent context, wkv_b's
        w = wkv_b.view(heads, -1, rank)  # value half
        q_nope = torch.einsum("bshd,hdc->bshc", q_nope, w[:, :nope])
        scores = (torch.einsum("bshc,btc->bsht", q_nope, kv_cache[:b, :end])
                  + torch.einsum("bshr,btr->bsht", q_pe, pe_cache[:b, :end])) * scale
        scores += index_mask.unsqueeze(2)
        scores = scores.softmax(dim=-1, dtype=torch.float32).type_as(q)
        x = torch.einsum("bsht,btc->bshc", scores, kv_cache[:b, :end])
        x = torch.einsum("bshc,hdc->bshd", x, w[:, -vd:])
        return x.flatten(2)

    for b, s, t, cap in ((8, 1, 65536, 65536), (1, 128, 16384, 32768)):
        out.append(("dsa_mla_absorbed_index_masked", P(dsa_mla_masked, end=t),
                    (m(b, s, 128, 192), m(b, cap, 512), m(b, cap, 64), m(128 * 256, 512), mf(b, s, t))))

    def sparse_mla(q, kv, indices, sm_scale=0.1352, d_v=512, upcast=True):  # FlashMLA's sparse prefill reference in
        idx = indices[:, 0].long()  # torch: the top-2048 token ids of each query (-1 past the end) gathered from the
        invalid = idx < 0  # latent cache (one index_select), scores over 576 dims, the invalid masked, lse, exp,
        g = kv[:, 0].index_select(0, idx.clamp(min=0).view(-1)).view(*idx.shape, -1)  # the context over the first
        qq, gg = (q.float(), g.float()) if upcast else (q, g)  # 512 dims
        scores = torch.einsum("shd,std->sht", qq, gg).float() * sm_scale
        scores = scores.masked_fill(invalid[:, None, :], NEG)
        lse = torch.logsumexp(scores, dim=-1)
        p = torch.exp(scores - lse[..., None])
        o = torch.einsum("sht,std->shd", p.type_as(gg), gg[..., :d_v])
        return o.to(q.dtype), lse

    # a prefill chunk of 512 queries over 32K; 256 MTP queries over 128K in bf16
    for s, skv, up in ((512, 32768, True), (256, 131072, False)):
        out.append(("dsa_sparse_mla_gather", P(sparse_mla, upcast=up),
                    (m(s, 128, 576), m(skv, 1, 576), mi32(s, 1, 2048))))

    def dsa_indexer_loss(attn_probs, index_scores, causal, topk_idx=None):  # DSA's indexer warm-up / sparse
        target = attn_probs.sum(dim=1, dtype=torch.float32)  # training: the main attention summed over heads, L1-
        target = target / target.sum(dim=-1, keepdim=True)  # normalised; KL to the indexer's softmax (dense stage),
        scores = index_scores.masked_fill(causal, NEG)  # or over the selected tokens only (sparse stage)
        if topk_idx is not None:
            target = target.gather(-1, topk_idx)
            target = target / target.sum(dim=-1, keepdim=True)
            scores = scores.gather(-1, topk_idx)
        logp = F.log_softmax(scores, dim=-1)
        return F.kl_div(logp, target, reduction="batchmean")

    for h, s, t, sparse in ((128, 512, 8192, False), (128, 512, 8192, True)):
        args = (m(1, h, s, t), mf(1, s, t), mb(s, t)) + ((i(1, s, 2048),) if sparse else ())
        out.append(("dsa_indexer_kl_loss", dsa_indexer_loss, args))

    # ================================================================== NSA and MoBA block selection
    def nsa_compress_mlp(k, pe, w1, w2, block=32, stride=16):  # NSA's compression: overlapping blocks of 32 with
        b, t, h, d = k.shape  # stride 16 (unfold), the intra-block position embedding added, each block flattened
        blocks = k.unfold(1, block, stride) + pe  # through an MLP into one key
        x = blocks.reshape(b, blocks.shape[1], h, d * block)
        return F.linear(F.gelu(F.linear(x, w1)), w2)

    # the paper's 27B model (4 KV groups, dk 192, dv 128): keys at 64K, values at 8 x 8K
    for b, t, d in ((1, 65536, 192), (8, 8192, 128)):
        out.append(("nsa_compress_mlp", nsa_compress_mlp, (m(b, t, 4, d), m(4, d, 32), m(d, d * 32), m(d, d))))

    def nsa_compress_mean(k, v, block=64):  # fla's NSA: keys and values mean-pooled over blocks of 64
        b, t, h, d = k.shape
        return (k.view(b, t // block, block, h, d).mean(2),
                v.view(b, t // block, block, h, v.shape[-1]).mean(2))

    for b, t, h in ((1, 131072, 4), (16, 16384, 2), (4, 32768, 8)):
        out.append(("nsa_compress_mean_pool", nsa_compress_mean, (m(b, t, h, 128), m(b, t, h, 128))))

    def nsa_importance(q, k_cmp, v_cmp, qpos, kern, topn=16, sel=64, stride=16, block=32, scale=192 ** -0.5):
        b, s, h, g, d = q.shape  # NSA's compressed branch and its selection: scores over the compressed keys (GQA
        nc = k_cmp.shape[1]  # groups), only blocks ending before the query, fp32 softmax, the branch output; the
        ends = torch.arange(nc, device=q.device) * stride + block - 1  # probabilities summed over the group's
        sc = torch.einsum("bshgd,bchd->bshgc", q, k_cmp) * scale  # heads, mapped onto blocks of 64 by a strided
        sc = sc.masked_fill((ends[None, :] > qpos[:, None])[None, :, None, None, :], NEG)  # conv1d, the initial
        p = sc.float().softmax(-1)  # and two local blocks forced, the top-16 blocks
        o = torch.einsum("bshgc,bchd->bshgd", p.to(v_cmp.dtype), v_cmp)
        pg = p.sum(dim=3)
        nsel = (nc * stride + block) // sel
        ps = F.conv1d(F.pad(pg.reshape(-1, 1, nc), (1, nsel * 4 - nc + 1)), kern, stride=4).view(b, s, h, -1)
        cur = (qpos // sel)[None, :, None, None]
        forced = torch.cat([torch.zeros_like(cur), cur, (cur - 1).clamp(min=0)], dim=-1).expand(b, s, h, 3)
        ps = ps.scatter(-1, forced, float("inf"))
        return o, ps.topk(topn, dim=-1).indices

    # a prefill chunk of 2048 at 32K; 32 decoding sequences at 64K
    for b, s, t in ((1, 2048, 32768), (32, 1, 65536)):
        nc = (t - 32) // 16 + 1
        out.append(("nsa_compressed_attention_select", nsa_importance,
                    (m(b, s, 4, 16, 192), m(b, nc, 4, 192), m(b, nc, 4, 128), i(s), mf(1, 1, 5))))

    def nsa_selected(q, k, v, block_idx, qpos, sel=64, scale=192 ** -0.5):  # NSA's selected branch in torch: each
        b, s, h, g, d = q.shape  # query group's top-16 blocks expanded to token ids, the keys and values gathered
        n = block_idx.shape[-1]  # per KV head, scores, the tokens past the query masked, fp32 softmax, the output
        tok = (block_idx[..., None] * sel + torch.arange(sel, device=q.device)).view(b, s, h, n * sel)
        idx = tok.permute(0, 2, 1, 3).reshape(b, h, -1, 1)
        kk, vv = k.permute(0, 2, 1, 3), v.permute(0, 2, 1, 3)
        ks = kk.gather(2, idx.expand(-1, -1, -1, kk.shape[-1])).view(b, h, s, n * sel, -1)
        vs = vv.gather(2, idx.expand(-1, -1, -1, vv.shape[-1])).view(b, h, s, n * sel, -1)
        att = torch.einsum("bshgd,bhsnd->bshgn", q, ks) * scale
        att = att.masked_fill((tok > qpos[None, :, None, None])[:, :, :, None, :], NEG)
        p = att.float().softmax(-1).to(q.dtype)
        return torch.einsum("bshgn,bhsnd->bshgd", p, vs)

    for b, s, t in ((1, 512, 32768), (64, 1, 32768)):
        out.append(("nsa_selected_block_attention", nsa_selected,
                    (m(b, s, 4, 16, 192), m(b, t, 4, 192), m(b, t, 4, 128), i(b, s, 4, 16), i(s))))

    def nsa_window_gate(q, k_cache, v_cache, x, w_g, o_cmp, o_slc, pos=0, window=512, scale=192 ** -0.5):
        b, s, h, g, d = q.shape  # NSA's sliding branch over the last 512 cached tokens and the gate MLP's
        kw = k_cache[:, pos - window:pos]  # sigmoid mixing the three branches
        vw = v_cache[:, pos - window:pos]
        att = torch.einsum("bshgd,bthd->bshgt", q, kw) * scale
        o_swa = torch.einsum("bshgt,bthd->bshgd", att.float().softmax(-1).to(q.dtype), vw)
        gate = torch.sigmoid(F.linear(x, w_g)).view(b, s, h, g, 3)
        return gate[..., 0:1] * o_cmp + gate[..., 1:2] * o_slc + gate[..., 2:3] * o_swa

    for b, t, pos in ((16, 131072, 100000),):
        out.append(("nsa_sliding_window_gate", P(nsa_window_gate, pos=pos),
                    (m(b, 1, 4, 16, 192), m(b, t, 4, 192), m(b, t, 4, 128), m(b, 1, 2560), m(192, 2560),
                     m(b, 1, 4, 16, 128), m(b, 1, 4, 16, 128))))

    def moba_gate(q, k, qpos, chunk=4096, topk=12):  # MoBA's gating: keys mean-pooled per block, q against the
        b, t, h, d = k.shape  # block means, future blocks masked, the query's own block forced, the top-k blocks
        nb = t // chunk  # as a bool mask
        k_mean = k.view(b, nb, chunk, h, d).mean(dim=2)
        gate = torch.einsum("bshd,bnhd->bhsn", q, k_mean).float()
        blk = (qpos // chunk)[:, None]
        n_idx = torch.arange(nb, device=q.device)[None, :]
        gate = gate.masked_fill(n_idx > blk, NEG).masked_fill(n_idx == blk, float("inf"))
        idx = gate.topk(min(topk, nb), dim=-1).indices
        return torch.zeros_like(gate, dtype=torch.bool).scatter_(-1, idx, True) & (gate > NEG)

    # 32 heads: prefill 32K (blocks of 2048, top-3), decode 4 x 64K and 1 x 128K (4096, top-12)
    for b, s, t, c, k_ in ((1, 32768, 32768, 2048, 3), (4, 1, 65536, 4096, 12), (1, 1, 131072, 4096, 12)):
        out.append(("moba_block_gate", P(moba_gate, chunk=c, topk=k_), (m(b, s, 32, 128), m(b, t, 32, 128), i(s))))

    def moba_naive(q, k, v, chunk=512, topk=3):  # moba_attn_varlen_naive for one sequence: full scores, the gate's
        s, h, d = q.shape  # block mask repeated to tokens, causal, masked, fp32 softmax, the context
        nb = s // chunk
        qk = torch.einsum("xhd,yhd->hxy", q, k)
        k_mean = k.view(nb, chunk, h, d).mean(dim=1)
        gate = torch.einsum("nhd,shd->hsn", k_mean, q).float()
        qb = torch.arange(s, device=q.device)[:, None] // chunk
        nidx = torch.arange(nb, device=q.device)[None, :]
        gate = gate.masked_fill(nidx > qb, NEG).masked_fill(nidx == qb, float("inf"))
        sel = torch.zeros_like(gate, dtype=torch.bool).scatter_(-1, gate.topk(topk, dim=-1).indices, True)
        mask = sel.repeat_interleave(chunk, dim=-1)
        causal = torch.ones(s, s, dtype=torch.bool, device=q.device).tril()
        qk = qk.masked_fill(~(mask & causal), NEG)
        p = qk.float().softmax(dim=-1)
        return torch.einsum("hxy,yhd->xhd", p.type_as(v), v)

    for s, h, c in ((4096, 32, 512), (8192, 8, 1024)):
        out.append(("moba_naive_attention", P(moba_naive, chunk=c), (m(s, h, 128), m(s, h, 128), m(s, h, 128))))

    # ================================================================== SeerAttention-R
    def seer_kcompress(k, wk_gate, cos, sin, block=64):  # SeerAttention-R's K compression: keys max-, min- and
        b, h, t, d = k.shape  # mean-pooled over blocks of 64, cat, a per-KV-head linear, rotary at block positions
        kb = k.view(b, h, t // block, block, d)
        kc = torch.cat([kb.amax(dim=3), kb.amin(dim=3), kb.mean(dim=3)], dim=-1)
        kg = torch.einsum("bhni,hio->bhno", kc, wk_gate)
        return kg * cos + rotate_half(kg) * sin

    # Qwen3-14B (8 KV heads) at 32K and 128K
    for b, t in ((1, 32768), (1, 131072)):
        out.append(("seer_k_compression", seer_kcompress,
                    (m(b, 8, t, 128), m(8, 384, 128), m(t // 64, 128), m(t // 64, 128))))

    def seer_block_complete(k_cache, kg_cache, wk_gate, cos, sin, pos=0, slot=0, block=64):  # at decode, when a
        kb = k_cache[:, :, pos - block:pos]  # block fills: its keys pooled three ways, projected, rotated and
        kc = torch.cat([kb.amax(dim=2), kb.amin(dim=2), kb.mean(dim=2)], dim=-1)  # written into the gate's cache
        kg = torch.einsum("bhi,hio->bho", kc, wk_gate)
        kg = kg * cos + rotate_half(kg) * sin
        kg_cache[:, :, slot] = kg
        return kg_cache

    for b, t, pos in ((16, 32768, 20480), (64, 8192, 4096)):
        out.append(("seer_k_block_complete", P(seer_block_complete, pos=pos, slot=pos // 64 - 1),
                    (m(b, 8, t, 128), m(b, 8, t // 64, 128), m(8, 384, 128), m(128), m(128))))

    def seer_gate_decode(q, kg, wq_gate, scale=128 ** -0.5):  # SeerAttention-R's decode gate: the query heads of a
        b, hq, _, d = q.shape  # GQA group flattened through the per-KV-head q linear, scored against the cached
        hkv = kg.shape[1]  # compressed keys, softmax over blocks
        qg = torch.einsum("bhi,hio->bho", q.reshape(b, hkv, -1), wq_gate)
        scores = torch.einsum("bho,bhno->bhn", qg, kg) * scale
        return scores.float().softmax(-1)

    for b, nb in ((16, 512), (4, 2048)):
        out.append(("seer_gate_decode", seer_gate_decode, (m(b, 40, 1, 128), m(b, 8, nb, 128), m(8, 640, 128))))

    def seer_select(scores, budget=2048, block=64, thr=None):  # token budget (top-k blocks, the last forced) or a
        b, h, nb = scores.shape  # threshold on the gate scores; the activated blocks counted, the block mask
        if thr is None:  # expanded to tokens for the torch fallback
            s = scores.clone()
            s[..., -1] = float("inf")
            mask = torch.zeros_like(s, dtype=torch.bool).scatter_(-1, s.topk(budget // block, dim=-1).indices, True)
        else:
            mask = scores > thr
            mask[..., -1] = True
        density = mask.sum(-1).float() / nb
        tok = mask[..., None].expand(b, h, nb, block).reshape(b, h, nb * block)
        return tok, density

    for b, nb, budget, thr in ((16, 512, 2048, None), (4, 2048, 4096, None), (16, 512, 0, 5e-3)):
        out.append(("seer_budget_threshold_select", P(seer_select, budget=budget, thr=thr), (mf(b, 8, nb),)))

    def seer_sparse_decode(q, k, v, tok_mask, scale=128 ** -0.5):  # the block-sparse decode written densely: grouped
        b, hq, _, d = q.shape  # queries, the unselected tokens masked, fp32 softmax
        hkv = k.shape[1]
        qg = q.view(b, hkv, hq // hkv, d)
        s = torch.einsum("bhgd,bhtd->bhgt", qg, k) * scale
        s = s.masked_fill(~tok_mask[:, :, None, :], NEG)
        p = s.softmax(-1, dtype=torch.float32).to(q.dtype)
        return torch.einsum("bhgt,bhtd->bhgd", p, v).reshape(b, hq, 1, d)

    for b, t in ((16, 32768), (4, 131072)):
        out.append(("seer_sparse_decode_attention", seer_sparse_decode,
                    (m(b, 40, 1, 128), m(b, 8, t, 128), m(b, 8, t, 128), mb(b, 8, t))))

    def seer_distill(attn, gate_logits, block=64):  # SeerAttention-R's gate training target: the full attention's
        b, hq, s, t = attn.shape  # probabilities max-pooled over key blocks, summed over the group, normalised; KL
        pooled = attn.view(b, hq, s, t // block, block).amax(dim=-1)  # to the gate's log-softmax
        hkv = gate_logits.shape[1]
        target = pooled.view(b, hkv, hq // hkv, s, -1).sum(2).float()
        target = target / target.sum(-1, keepdim=True)
        return F.kl_div(F.log_softmax(gate_logits.float(), dim=-1), target, reduction="batchmean")

    for hq, s, t in ((40, 1024, 16384), (32, 4096, 4096)):
        out.append(("seer_gate_distill_loss", seer_distill, (m(1, hq, s, t), m(1, 8, s, t // 64))))

    # ================================================================== Quest and LServe page selection
    def quest_meta(k, page=16):  # Quest's page metadata: elementwise max and min of each page's keys
        b, h, t, d = k.shape
        kp = k.view(b, h, t // page, page, d)
        return kp.amax(dim=3), kp.amin(dim=3)

    for b, h, t, pg in ((1, 32, 32768, 16), (8, 8, 16384, 16), (1, 8, 131072, 64)):
        out.append(("quest_page_minmax", P(quest_meta, page=pg), (m(b, h, t, 128),)))

    def lserve_paged_meta(k_pages):  # LServe's paged layout [pages, page, heads, d]: the page's max / min over dim 1
        return k_pages.amax(dim=1), k_pages.amin(dim=1)

    for n, pg in ((16384, 64), (65536, 16)):
        out.append(("lserve_paged_minmax", lserve_paged_meta, (m(n, pg, 8, 128),)))

    def quest_meta_update(kmax, kmin, k_new, slot=0):  # at decode: the current page's bounds folded with the new key
        kmax[:, :, slot] = torch.maximum(kmax[:, :, slot], k_new)
        kmin[:, :, slot] = torch.minimum(kmin[:, :, slot], k_new)
        return kmax, kmin

    for b, h, npg in ((16, 8, 4096), (1, 32, 2048)):
        out.append(("quest_minmax_decode_update", P(quest_meta_update, slot=npg - 7),
                    (m(b, h, npg, 128), m(b, h, npg, 128), m(b, h, 128))))

    def quest_select(q, kmax, kmin, budget=256, reduce="max"):  # Quest's page scores (the larger of q * max and
        b, hq, d = q.shape  # q * min, summed over d), LServe's reduction over the query group, the last page
        hkv = kmax.shape[1]  # forced, the top pages in order
        qg = q.view(b, hkv, hq // hkv, 1, d)
        s = torch.maximum(qg * kmax[:, :, None], qg * kmin[:, :, None]).sum(-1)
        s = s.amax(dim=2) if reduce == "max" else s.sum(dim=2)
        s[..., -1] = float("inf")
        return s.topk(budget, dim=-1).indices.sort(dim=-1).values

    for b, hq, hkv, npg, bud, red in ((1, 32, 32, 2048, 256, "max"), (16, 32, 8, 1024, 64, "max"),
                                      (64, 32, 8, 1024, 128, "sum")):
        out.append(("quest_page_scores_topk", P(quest_select, budget=bud, reduce=red),
                    (m(b, hq, 128), m(b, hkv, npg, 128), m(b, hkv, npg, 128))))

    def lserve_hier(logical_scores, block_table, ratio=4, k_phys=64):  # LServe's hierarchical paging: logical
        b, h, n = logical_scores.shape  # pages' scores maxed over each physical page, the top physical pages,
        phys = logical_scores.view(b, h, n // ratio, ratio).amax(-1)  # their ids looked up in the block table
        idx = phys.topk(k_phys, dim=-1).indices
        return torch.gather(block_table[:, None].expand(b, h, -1), 2, idx.to(torch.int64))

    for b, n, kp in ((16, 4096, 64), (4, 8192, 128)):
        out.append(("lserve_hierarchical_pages", P(lserve_hier, k_phys=kp), (mf(b, 8, n), mi32(b, n // 4))))

    def lserve_streaming(q, k, v, sink=64, local=256, scale=128 ** -0.5):  # LServe's streaming heads: the Lambda
        kk = torch.cat([k[:, :, :sink], k[:, :, -local:]], dim=2)  # pattern's sink and local keys cat'ed, GQA scores,
        vv = torch.cat([v[:, :, :sink], v[:, :, -local:]], dim=2)  # fp32 softmax
        b, hq, _, d = q.shape
        qg = q.view(b, kk.shape[1], -1, d)
        p = (torch.einsum("bhgd,bhtd->bhgt", qg, kk) * scale).softmax(-1, dtype=torch.float32)
        return torch.einsum("bhgt,bhtd->bhgd", p.to(v.dtype), vv)

    for b, t in ((16, 65536), (64, 16384)):
        out.append(("lserve_streaming_heads", lserve_streaming,
                    (m(b, 16, 1, 128), m(b, 4, t, 128), m(b, 4, t, 128))))

    def paged_gather(q, k_pages, v_pages, phys, scale=128 ** -0.5):  # the selected pages read out of the paged
        b, hkv, kp = phys.shape  # pool ([blocks, page, heads, d], permuted) by two index tensors (page, head),
        heads = torch.arange(hkv, device=q.device)[None, :, None]  # grouped queries over them
        ids = phys.long()
        ks = k_pages.permute(0, 2, 1, 3)[ids, heads].reshape(b, hkv, -1, k_pages.shape[-1])
        vs = v_pages.permute(0, 2, 1, 3)[ids, heads].reshape(b, hkv, -1, v_pages.shape[-1])
        qg = q.view(b, hkv, -1, q.shape[-1])
        p = (torch.einsum("bhgd,bhtd->bhgt", qg, ks) * scale).softmax(-1, dtype=torch.float32)
        return torch.einsum("bhgt,bhtd->bhgd", p.to(q.dtype), vs)

    for b, hq, hkv, kp, pg, n in ((16, 32, 8, 64, 64, 16384), (1, 32, 32, 256, 16, 4096)):
        out.append(("paged_selected_page_attention", paged_gather,
                    (m(b, hq, 128), m(n, pg, hkv, 128), m(n, pg, hkv, 128), mi32(b, hkv, kp))))

    # ================================================================== RetrievalAttention, MagicPIG
    def simhash(k, proj, powers, L=150):  # MagicPIG's SimHash of the keys: centred, projected on K * L random
        kc = k - k.mean(dim=2, keepdim=True)  # hyperplanes, the signs packed K bits a table into int32 codes, the
        bits = (torch.matmul(kc, proj) > 0).view(*k.shape[:3], L, -1)  # norms kept
        codes = (bits.to(torch.int32) * powers).sum(-1, dtype=torch.int32)
        return codes, kc.float().norm(dim=-1)

    for b, t, K, L in ((1, 32768, 10, 150), (1, 65536, 8, 75)):
        out.append(("magicpig_simhash_keys", P(simhash, L=L), (m(b, 8, t, 128), m(128, K * L), mi32(K))))

    def magicpig_attn(q, k, v, qcodes, kcodes, knorm, K=10, L=150, sink=4, local=64, scale=128 ** -0.5):
        b, hq, d = q.shape  # MagicPIG's sampled attention: LSH collisions counted over the tables (two or more hits
        hkv = k.shape[1]  # sample a key), the collision probability from the angle, importance weights -log u
        qg = q.view(b, hkv, hq // hkv, d)  # added to the scores, sink and local tokens kept, fp32 softmax
        hits = (qcodes.view(b, hkv, -1, 1, L) == kcodes[:, :, None]).sum(-1)
        keep = hits >= 2
        keep[..., :sink] = True
        keep[..., -local:] = True
        raw = torch.einsum("bhgd,bhtd->bhgt", qg, k).float()
        cos = raw / (q.float().norm(dim=-1).view(b, hkv, -1, 1) * knorm[:, :, None])
        p = 1 - torch.arccos(cos.clamp(-1, 1)) / math.pi
        pk = p ** K
        u = 1 - (1 - pk) ** L - L * pk * (1 - pk) ** (L - 1)
        scores = (raw * scale - torch.log(u + 1e-6)).masked_fill(~keep, NEG)
        return torch.einsum("bhgt,bhtd->bhgd", scores.softmax(-1).to(v.dtype), v)

    for b, t, K, L in ((4, 32768, 10, 150),):
        out.append(("magicpig_lsh_sampled_attention", P(magicpig_attn, K=K, L=L),
                    (m(b, 32, 128), m(b, 8, t, 128), m(b, 8, t, 128), mi32(b, 32, L), mi32(b, 8, t, L),
                     mf(b, 8, t))))

    def kmeans_step(x, cent, index_add=False):  # RetrievalAttention's index build, one Lloyd step per KV head:
        h, t, d = x.shape  # inner-product assignment (bmm, argmax), the centroid sums by scatter_add_ (or
        c = cent.shape[1]  # index_add_ over flattened head offsets), the counts, the means
        assign = torch.bmm(x, cent.transpose(1, 2)).argmax(-1)
        if index_add:
            flat = (assign + torch.arange(h, device=x.device)[:, None] * c).view(-1)
            sums = torch.zeros(h * c, d, device=x.device).index_add_(0, flat, x.reshape(-1, d).float()).view(h, c, d)
        else:
            sums = torch.zeros(h, c, d, device=x.device).scatter_add_(1, assign[..., None].expand(h, t, d), x.float())
        counts = torch.zeros(h, c, device=x.device).scatter_add_(1, assign, torch.ones(h, t, device=x.device))
        return sums / counts.clamp(min=1)[..., None], assign

    for h, t, c, ia in ((8, 131072, 1024, False), (8, 32768, 2048, True)):
        out.append(("retrieval_kmeans_step", P(kmeans_step, index_add=ia), (m(h, t, 128), m(h, c, 128))))

    def ivf_tokens(q, cent, lists, k, nprobe=16, topk_tok=100, scale=128 ** -0.5):  # RetrievalAttention's decode
        hkv, c, L = lists.shape  # search (one sequence): centroid scores per query head, the probed lists' token
        hq, d = q.shape  # ids, their keys gathered per KV head, the top-100 tokens by score
        g = hq // hkv
        qg = q.view(hkv, g, d)
        probe = torch.einsum("hgd,hcd->hgc", qg, cent).topk(nprobe, dim=-1).indices
        ids = torch.gather(lists[:, None].expand(hkv, g, c, L), 2, probe[..., None].expand(hkv, g, nprobe, L))
        valid = ids >= 0
        heads = torch.arange(hkv, device=q.device)[:, None, None, None]
        kk = k[heads, ids.clamp(min=0)]
        sc = (torch.einsum("hgd,hgpld->hgpl", qg, kk) * scale).masked_fill(~valid, NEG).flatten(2)
        top = sc.topk(topk_tok, dim=-1)
        return top.values, ids.flatten(2).gather(2, top.indices)

    for c, L, t, npb in ((1024, 256, 131072, 16), (256, 256, 32768, 8)):
        out.append(("retrieval_ivf_probe_tokens", P(ivf_tokens, nprobe=npb),
                    (m(32, 128), m(8, c, 128), i(8, c, L), m(8, t, 128))))

    def lse_merge(o1, lse1, o2, lse2):  # RetrievalAttention's (and any split attention's) merge: the static tokens'
        mx = torch.maximum(lse1, lse2)  # partial output on the GPU and the retrieved tokens' from the CPU, weighted
        w1, w2 = torch.exp(lse1 - mx), torch.exp(lse2 - mx)  # by their log-sum-exps
        o = (o1.float() * w1[..., None] + o2.float() * w2[..., None]) / (w1 + w2)[..., None]
        return o.to(o1.dtype), mx + torch.log(w1 + w2)

    for b, h in ((1, 32), (64, 32)):
        out.append(("retrieval_attention_lse_merge", lse_merge, (m(b, h, 128), mf(b, h), m(b, h, 128), mf(b, h))))

    def knn_memory(q, mem_k, mem_v, o_local, gate_bias, topk=32, scale=64 ** -0.5):  # Memorizing Transformers' kNN
        b, h, s, d = q.shape  # memory: each query's top-32 of the external memory's keys per head, their values
        sc = torch.einsum("bhsd,bhmd->bhsm", q, mem_k) * scale  # gathered, softmax over them, mixed with the local
        top = sc.topk(topk, dim=-1)  # attention by a learned per-head gate
        idx = top.indices.reshape(b, h, s * topk, 1).expand(-1, -1, -1, d)
        vv = mem_v.gather(2, idx).view(b, h, s, topk, d)
        o_mem = torch.einsum("bhsk,bhskd->bhsd", top.values.float().softmax(-1).to(q.dtype), vv)
        g = torch.sigmoid(gate_bias)[None, :, None, None]
        return o_mem * g + o_local * (1 - g)

    for b, s, mem in ((4, 512, 32768), (1, 2048, 65536)):
        out.append(("knn_memory_topk_gate", knn_memory,
                    (m(b, 8, s, 64), m(b, 8, mem, 64), m(b, 8, mem, 64), m(b, 8, s, 64), m(8))))

    # ================================================================== RAG retrieval stacks
    def bm25s_scores(q_terms, indptr, indices, data, n_docs=0, window=32768, topk=100, index_add=True):
        nq, qt = q_terms.shape  # bm25s' precomputed term-document scores held as a CSC index on the device: each
        start = indptr[q_terms].long()  # query term's postings read in a fixed window from indptr, the window
        length = indptr[q_terms + 1].long() - start  # past the list masked, its document ids and scores gathered
        ar = torch.arange(window, device=indptr.device)  # and summed into the document scores by index_add_ (flat
        pos = (start[..., None] + ar).clamp(max=indices.shape[0] - 1)  # offsets per query) or scatter_add_, top 100
        valid = ar < length[..., None]
        docs = indices[pos].long()
        vals = data[pos] * valid
        if index_add:
            flat = (docs + torch.arange(nq, device=docs.device)[:, None, None] * n_docs).view(-1)
            scores = torch.zeros(nq * n_docs, device=data.device).index_add_(0, flat, vals.view(-1)).view(nq, n_docs)
        else:
            scores = torch.zeros(nq, n_docs, device=data.device).scatter_add_(1, docs.view(nq, -1), vals.view(nq, -1))
        return scores.topk(topk, dim=-1)

    # MS MARCO passages (8.84 M, 2^28 postings) at 8 queries of 16 terms; BEIR NQ (2.68 M) at 64 x 8 terms
    for nq, qt, n, nnz, win, ia in ((8, 16, 8841823, 1 << 28, 32768, True), (64, 8, 2681468, 1 << 27, 8192, False)):
        out.append(("bm25s_csc_index_add", P(bm25s_scores, n_docs=n, window=win, index_add=ia),
                    (i(nq, qt), mi32(30523), mi32(nnz), mf(nnz))))

    def bm25_okapi(q_terms, idf, post_docs, post_tf, doc_len, n_docs=0, k1=1.2, b=0.75, avgdl=56.0, topk=1000):
        nq, qt = q_terms.shape  # Okapi BM25 from raw postings held padded per term ([V, P], padded with a spare
        docs = post_docs[q_terms].long()  # document): ids and term frequencies gathered for the query terms, document
        tf = post_tf[q_terms].float()  # lengths looked up, the saturated weights, scatter_add_ into the scores
        dl = doc_len[docs]
        w = idf[q_terms][..., None] * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))
        scores = torch.zeros(nq, n_docs + 1, device=idf.device).scatter_add_(1, docs.view(nq, -1), w.view(nq, -1))
        return scores[:, :-1].topk(topk, dim=-1)

    # a 2 M-document corpus with 4096 postings per term over a 32K-term vocabulary
    for nq, qt, n, p in ((16, 16, 2000000, 4096),):
        out.append(("bm25_okapi_scatter_add", P(bm25_okapi, n_docs=n),
                    (i(nq, qt), mf(32768), m(32768, p, dt=torch.int32), mh(32768, p), mf(n + 1))))

    def splade(logits, mask, doc_reps):  # SPLADE-v3: log(1 + relu(MLM logits)) max-pooled over the unmasked tokens
        w = torch.log1p(F.relu(logits.float())) * mask[..., None]  # into vocabulary-wide sparse vectors, their FLOPS
        reps = w.amax(dim=1)  # regulariser, scores against the document vectors
        flops = (reps.abs().mean(0) ** 2).sum()
        return reps @ doc_reps.float().T, flops

    for b, s, nd in ((32, 64, 4096), (8, 256, 16384)):
        out.append(("splade_max_pool_scores", splade, (m(b, s, 30522), m(b, s), m(nd, 30522))))

    def flat_search(q, corpus, k=100, chunk=0):  # dense retrieval, flat: normalised queries against the corpus,
        q = F.normalize(q.float(), dim=-1).to(corpus.dtype)  # the top 100 whole or per chunk then merged
        if not chunk:
            return (q @ corpus.T).topk(k, dim=-1)
        vals, idx = [], []
        for j, c in enumerate(corpus.split(chunk)):
            v_, i_ = (q @ c.T).topk(k, dim=-1)
            vals.append(v_)
            idx.append(i_ + j * chunk)
        v_, i_ = torch.cat(vals, 1), torch.cat(idx, 1)
        top = v_.topk(k, dim=-1)
        return top.values, i_.gather(1, top.indices)

    # contriever / e5-base (768) over 1 M passages in bf16; bge-large (1024) over 1.5 M in fp16 by chunks of 512K;
    # 500K in fp32
    for nq, n, d, dt, ch in ((64, 1000000, 768, torch.bfloat16, 0), (16, 1572864, 1024, torch.float16, 524288),
                             (8, 500000, 1024, torch.float32, 0)):
        out.append(("dense_flat_search", P(flat_search, chunk=ch), (mf(nq, d), m(n, d, dt=dt))))

    def binary_rescore(q, q_bits, corpus_bits, corpus_i8, ranges, popcnt, k=100, mult=4):  # binary search then
        ham = popcnt[(q_bits[:, None, :] ^ corpus_bits[None]).int()].sum(-1, dtype=torch.int32)  # int8 rescoring:
        cand = ham.topk(k * mult, dim=-1, largest=False).indices  # Hamming distances by XOR and a popcount table,
        emb = corpus_i8[cand].float()  # the 400 nearest rescored with the int8 embeddings dequantised by the
        emb = ranges[0] + (emb + 128) * (ranges[1] - ranges[0]) / 255  # calibration ranges
        s = torch.einsum("qd,qkd->qk", q.float(), emb)
        top = s.topk(k, dim=-1)
        return top.values, cand.gather(1, top.indices)

    for nq, n, d in ((4, 1000000, 1024),):
        out.append(("binary_int8_rescore", binary_rescore,
                    (mf(nq, d), mu8(nq, d // 8), mu8(n, d // 8), mi8(n, d), mf(2, d), mi32(256))))

    def ivf_search(q, centroids, lists, list_ids, list_len, nprobe=32, k=100):  # IVF-Flat on the device: centroid
        probe = (q @ centroids.T).topk(nprobe, dim=-1).indices  # scores, the probed lists (padded [nlist, L, d])
        # gathered, scores by a batched product, the padding masked, the top 100, mapped to ids
        vecs = lists[probe]
        s = torch.einsum("qd,qpld->qpl", q, vecs).float()
        L = lists.shape[1]
        s = s.masked_fill(torch.arange(L, device=q.device) >= list_len[probe][..., None], NEG)
        top = s.flatten(1).topk(k, dim=-1)
        return top.values, list_ids[probe].flatten(1).gather(1, top.indices)

    for nq, nlist, L, d, npb in ((16, 4096, 256, 768, 32),):
        out.append(("ivf_flat_probe_search", P(ivf_search, nprobe=npb),
                    (m(nq, d), m(nlist, d), m(nlist, L, d), i(nlist, L), i(nlist))))

    def pq_adc(q, codebooks, codes, k=100, ip=False):  # product quantisation, asymmetric distances: per-subspace
        nq = q.shape[0]  # tables (L2 by broadcasting, or inner products by an einsum), the uint8 codes offset
        M, ks, ds = codebooks.shape  # into the flattened table and looked up, summed over subspaces, the top 100
        qs = q.view(nq, M, ds)
        if ip:
            lut = torch.einsum("qmd,mkd->qmk", qs, codebooks)
        else:
            lut = (qs.unsqueeze(2) - codebooks.unsqueeze(0)).pow(2).sum(-1)
        flat = codes.long() + torch.arange(M, device=q.device) * ks
        d = lut.reshape(nq, M * ks)[:, flat].sum(-1)
        return d.topk(k, dim=-1, largest=ip)

    for nq, n, M, ds, ip in ((4, 1000000, 96, 8, False), (32, 262144, 64, 12, True)):
        out.append(("pq_adc_lookup", P(pq_adc, ip=ip), (mf(nq, M * ds), mf(M, 256, ds), mu8(n, M))))

    def ivfpq_residual(q, coarse, codebooks, probe_codes, nprobe=16):  # IVF-PQ: the coarse probes, the query's
        nq = q.shape[0]  # residual to each probed centroid split into subspaces, a distance table per probe, the
        M, ks, ds = codebooks.shape  # probed lists' codes looked up by gather over the flattened tables
        top = (q @ coarse.T).topk(nprobe, dim=-1).indices
        res = (q[:, None] - coarse[top]).view(nq, nprobe, M, ds)
        lut = (res.unsqueeze(3) - codebooks[None, None]).pow(2).sum(-1).view(nq, nprobe, M * ks)
        codes = probe_codes.long() + torch.arange(M, device=q.device) * ks
        return torch.gather(lut, 2, codes.view(nq, nprobe, -1)).view(*codes.shape).sum(-1)

    for nq, nl, M, ds, L in ((16, 4096, 64, 12, 512),):
        out.append(("ivfpq_residual_tables", ivfpq_residual,
                    (mf(nq, M * ds), mf(nl, M * ds), mf(M, 256, ds), mu8(nq, 16, L, M))))

    def rerank(ids, emb, pos_emb, ln0_w, ln0_b, w_qkv, w_o, ln1_w, ln1_b, w_fc, w_proj, ln2_w, ln2_b, w_dense, w_out,
               passage_ids, pad=1, heads=16, nq=1, k=10):  # a cross-encoder (bge-reranker-large / XLM-R large)
        n, s = ids.shape  # rerank batch: embeddings with RoBERTa's padding-offset positions (cumsum of the non-pad
        mask = ids.ne(pad)  # mask), LayerNorm, one encoder layer with the padding mask through SDPA, the
        pos = torch.cumsum(mask.int(), dim=1) * mask + pad  # classification head on <s>, sigmoid, each query's
        x = F.layer_norm(emb[ids] + pos_emb[pos], (emb.shape[1],), ln0_w, ln0_b, 1e-5)  # top-10 passages
        d = x.shape[-1]
        qkv = F.linear(x, w_qkv).view(n, s, 3, heads, d // heads).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=mask[:, None, None, :])
        x = F.layer_norm(x + F.linear(a.transpose(1, 2).reshape(n, s, d), w_o), (d,), ln1_w, ln1_b, 1e-5)
        x = F.layer_norm(x + F.linear(F.gelu(F.linear(x, w_fc)), w_proj), (d,), ln2_w, ln2_b, 1e-5)
        logits = F.linear(torch.tanh(F.linear(x[:, 0], w_dense)), w_out)
        scores = torch.sigmoid(logits.view(nq, -1).float())
        top = scores.topk(k, dim=-1)
        return top.values, passage_ids.gather(1, top.indices)

    for nq, kp, s in ((1, 100, 512),):
        d = 1024
        out.append(("cross_encoder_rerank_batch", P(rerank, nq=nq),
                    (i(nq * kp, s), m(250002, d), m(514, d), m(d), m(d), m(3 * d, d), m(d, d), m(d), m(d),
                     m(4096, d), m(d, 4096), m(d), m(d), m(d, d), m(1, d), i(nq, kp))))

    def colbert_maxsim(q, docs, doc_mask):  # ColBERT's late interaction: every query token against every document
        s = torch.einsum("qad,nbd->qnab", q, docs)  # token, the padding masked, max over the document's tokens,
        s = s.masked_fill(~doc_mask[None, :, None, :], NEG)  # summed over the query's
        return s.amax(-1).float().sum(-1)

    for nq, nd, L in ((8, 1000, 180), (32, 256, 300)):
        out.append(("colbert_maxsim_rerank", colbert_maxsim, (m(nq, 32, 128), m(nd, L, 128), mb(nd, L))))

    def plaid_centroid(q, centroids, codes, k=1000):  # PLAID's centroid interaction: query tokens against the
        cs = torch.einsum("qad,cd->qac", q, centroids)  # 64K centroids, each candidate passage's tokens scored by
        nq = q.shape[0]  # their centroid ids (gathered), max over its tokens, summed, the top 1000
        approx = torch.gather(cs[:, None].expand(nq, codes.shape[0], -1, -1), 3,
                              codes.long()[None, :, None, :].expand(nq, -1, q.shape[1], -1))
        return approx.amax(-1).sum(-1).float().topk(k, dim=-1)

    for nq, nd, L in ((4, 8192, 128), (16, 2048, 180)):
        out.append(("plaid_centroid_interaction", plaid_centroid, (m(nq, 32, 128), m(65536, 128), mi32(nd, L))))

    def rrf(bm25_ids, dense_ids, n_docs=0, k=60, topk=100):  # reciprocal rank fusion of the lexical and dense
        nq, r = bm25_ids.shape  # lists: 1 / (60 + rank) scattered into the document table for each, summed, top 100
        w = 1.0 / (k + torch.arange(1, r + 1, device=bm25_ids.device, dtype=torch.float32))
        scores = torch.zeros(nq, n_docs, device=bm25_ids.device)
        scores.scatter_add_(1, bm25_ids, w.expand(nq, r))
        scores.scatter_add_(1, dense_ids, w.expand(nq, r))
        return scores.topk(topk, dim=-1)

    for nq, r, n in ((8, 1000, 8841823), (64, 100, 2681468)):
        out.append(("rrf_hybrid_fusion", P(rrf, n_docs=n), (i(nq, r), i(nq, r))))

    def hipporag_ppr(seeds, src, dst, w, out_deg, damping=0.5, iters=3):  # HippoRAG's personalised PageRank over
        p = seeds / seeds.sum()  # the knowledge graph held as edge tensors: the walk's mass along each edge by a
        for _ in range(iters):  # gather and index_add_, the restart to the seed nodes
            msg = p[src] * w / out_deg[src]
            p = (1 - damping) * seeds / seeds.sum() + damping * torch.zeros_like(p).index_add_(0, dst, msg)
        return p.topk(100)

    for n, e in ((2000000, 20000000),):
        out.append(("hipporag_ppr_index_add", hipporag_ppr, (mf(n), i(e), i(e), mf(e), mf(n))))

    def pack_context(question, doc_tokens, doc_len, top_ids, pad=0):  # a RAG prompt packer: the retrieved passages'
        nq, k = top_ids.shape  # tokens gathered from the device token store, each truncated to its length, cat'ed
        toks = doc_tokens[top_ids]  # after the question, the attention mask and positions by cumsum
        valid = torch.arange(doc_tokens.shape[1], device=toks.device) < doc_len[top_ids][..., None]
        toks = toks.masked_fill(~valid, pad).view(nq, -1)
        ids = torch.cat([question, toks], dim=1)
        attn = torch.cat([question.ne(pad), valid.view(nq, -1)], dim=1)
        pos = (attn.long().cumsum(-1) - 1).clamp(min=0)
        return ids, attn, pos

    # a 2 M-passage store of 256 tokens
    for nq, k, n, L in ((32, 20, 2000000, 256),):
        out.append(("rag_context_pack", pack_context, (mi32(nq, 64), mi32(n, L), i(n), i(nq, k))))

    # ================================================================== FLARE, DRAGIN, Self-RAG triggers
    def flare(logits, tokens, theta=0.4, beta=0.4, mask_id=0):  # FLARE's look-ahead: the generated sentence's token
        probs = logits.float().softmax(-1)  # probabilities, retrieval triggered below theta, the implicit query
        tp = probs.gather(-1, tokens[..., None]).squeeze(-1)  # with low-confidence tokens masked
        trigger = (tp < theta).any(-1)
        return trigger, torch.where(tp < beta, mask_id, tokens), tp.min(-1).values

    for b, L, v in ((16, 64, 128256), (1, 128, 152064)):
        out.append(("flare_confidence_trigger", flare, (m(b, L, v), i(b, L))))

    def dragin(logits, attn, tokens, stop, theta=1.2, n_query=16):  # DRAGIN's RIND and QFS: token entropy, the
        p = logits.float().softmax(-1)  # largest attention later tokens pay each token (max over heads, the
        ent = -(p * torch.log(p + 1e-10)).sum(-1)  # causal lower triangle, max over rows), stop words zeroed (a
        a = attn.amax(dim=1).float()  # table of int8 flags); the first token over the threshold; the query's
        s = a.shape[-1]  # tokens from the last token's attention (mean over heads) top-16, in order
        later = torch.ones(s, s, dtype=torch.bool, device=a.device).tril(-1)
        amax = a.masked_fill(~later, 0).amax(dim=-2)
        rind = ent * amax * (1 - stop[tokens].float())
        hit = rind > theta
        first = torch.where(hit.any(-1), hit.int().argmax(-1), s)
        last = attn[:, :, -1, :].float().mean(1)
        idx = last.topk(n_query, dim=-1).indices.sort(-1).values
        return first, tokens.gather(1, idx)

    for b, s, h, v in ((1, 2048, 32, 32000), (1, 1024, 32, 128256)):
        out.append(("dragin_rind_qfs", dragin, (m(b, s, v), m(b, h, s, s), i(b, s), mi8(v))))

    def self_rag(logits, rel_ids, sup_ids, use_ids, seq_logp, w=(1.0, 1.0, 0.5)):  # Self-RAG's critique: the
        lp = F.log_softmax(logits.float(), dim=-1)  # reflection tokens' log-probs (index_select of the vocab
        def norm(ids):  # columns), normalised within each group, the weighted segment score added to the
            p = lp.index_select(-1, ids).exp()  # sequence log-prob, the best of the retrieved passages
            return p / p.sum(-1, keepdim=True)
        rel, sup, use = norm(rel_ids), norm(sup_ids), norm(use_ids)
        u = (use * torch.linspace(-1, 1, use.shape[-1], device=use.device)).sum(-1)
        score = seq_logp + w[0] * rel[..., 0] + w[1] * (sup[..., 0] + 0.5 * sup[..., 1]) + w[2] * u
        return score.view(-1, 10).max(-1)

    for b in (160,):
        out.append(("self_rag_critique_scores", self_rag, (m(b, 32016), i(2), i(3), i(5), mf(b))))

    # ================================================================== MemAgent, HMT, RMT / ARMT, memory layers
    def memagent_build(prefix, problem, memory, chunk, prob_len, mem_len, chunk_len, pad=151643):  # MemAgent's
        b = problem.shape[0]  # read-and-rewrite turn: template, problem, current memory and the next chunk cat'ed,
        ids = torch.cat([prefix.expand(b, -1), problem, memory, chunk], dim=1)  # each piece's padding dropped by a
        L = ids.shape[1]  # stable sort on validity (right-justified: left-padded), the attention mask and positions
        ar = torch.arange(L, device=ids.device)
        pl, pp, pm = prefix.shape[1], problem.shape[1], memory.shape[1]
        valid = torch.cat([torch.ones(b, pl, dtype=torch.bool, device=ids.device),
                           ar[:pp][None] < prob_len[:, None], ar[:pm][None] < mem_len[:, None],
                           ar[:chunk.shape[1]][None] < chunk_len[:, None]], dim=1)
        order = torch.sort(valid.to(torch.int8), dim=1, stable=True).indices
        ids = ids.gather(1, order).masked_fill(~valid.gather(1, order), pad)
        attn = valid.gather(1, order)
        pos = (attn.long().cumsum(-1) - 1).clamp(min=0)
        return ids, attn, pos

    for b, pp, mem, ch in ((128, 256, 1024, 5000),):
        out.append(("memagent_turn_prompt", memagent_build,
                    (i(1, 64), i(b, pp), i(b, mem), i(b, ch), i(b), i(b), i(b))))

    def memagent_overwrite(resp, mem_buf, active, eos=151645, pad=151643):  # the rewrite: each response cut at its
        hit = resp == eos  # first EOS (argmax of the hits, the length where none), the tail padded, copied into
        first = torch.where(hit.any(-1), hit.int().argmax(-1), resp.shape[1])  # the memory rows of the still-active
        keep = torch.arange(resp.shape[1], device=resp.device) < first[:, None]  # conversations by index_copy_
        new = torch.where(keep, resp, pad)
        return mem_buf.index_copy_(0, active, new), first

    for b, n in ((128, 512), (512, 2048)):
        out.append(("memagent_memory_overwrite", memagent_overwrite, (i(b, 1024), i(n, 1024), i(b))))

    def memagent_multiconv(logits, targets, mask, old_logp, rewards, conv_to_sample, n=16, clip=(0.2, 0.28)):
        lse = torch.logsumexp(logits.float(), dim=-1)  # MemAgent's multi-conversation DAPO: the conversations'
        logp = logits.gather(-1, targets[..., None]).squeeze(-1).float() - lse  # log-probs (selective log softmax),
        g = rewards.view(-1, n)  # the final answer's reward normalised within each prompt's group, broadcast to
        adv = ((g - g.mean(-1, keepdim=True)) / (g.std(-1, keepdim=True) + 1e-6)).view(-1)  # every conversation
        a = adv[conv_to_sample][:, None]  # of its rollout, clip-higher, token-mean
        ratio = torch.exp(logp - old_logp)
        loss = torch.maximum(-a * ratio, -a * ratio.clamp(1 - clip[0], 1 + clip[1]))
        return (loss * mask).sum() / mask.sum()

    for nc, L, v, nr in ((4, 1024, 151936, 32),):
        out.append(("memagent_multiconv_policy_loss", memagent_multiconv,
                    (m(nc, L, v), i(nc, L), mf(nc, L), mf(nc, L), mf(nr), i(nc))))

    def hmt_recall(summary, mem, seg_emb, wq, wk):  # HMT's memory recall: the segment's summary embedding against
        q = F.linear(summary, wq)  # the cached memory embeddings (cross-attention), the recalled memory
        kk = F.linear(mem, wk)  # prepended to the segment
        a = torch.softmax(torch.einsum("bd,bnd->bn", q, kk).float() / math.sqrt(q.shape[-1]), dim=-1)
        p = torch.einsum("bn,bnd->bd", a.to(mem.dtype), mem)
        return torch.cat([p[:, None], seg_emb], dim=1)

    for b, n, L, d in ((4, 300, 1024, 4096), (8, 600, 512, 2560)):
        out.append(("hmt_memory_recall", hmt_recall, (m(b, d), m(b, n, d), m(b, L, d), m(d, d), m(d, d))))

    def hmt_cache_push(mem, new):  # HMT's memory cache: the oldest embedding dropped, the segment's new one appended
        return torch.cat([mem[:, 1:], new[:, None]], dim=1)

    for b, n, d in ((4, 300, 4096), (32, 300, 2048)):
        out.append(("hmt_memory_cache_push", hmt_cache_push, (m(b, n, d), m(b, d))))

    def rmt_segment(seg_emb, memory, w_norm, num_mem=16):  # RMT's read / write memory tokens: the memory (learned
        b = seg_emb.shape[0]  # once, expanded; later the last segment's) around the segment, the model's final
        mem = memory.expand(b, -1, -1) if memory.dim() == 2 else memory  # norm, the write positions sliced out
        x = torch.cat([mem, seg_emb, mem], dim=1)
        h = F.rms_norm(x, (x.shape[-1],), w_norm, 1e-6)
        return h[:, -num_mem:], h[:, num_mem:-num_mem]

    for b, L, d, nm, first in ((8, 1024, 2048, 16, True), (8, 1024, 2048, 16, False), (2, 4096, 4096, 32, False)):
        out.append(("rmt_memory_tokens", P(rmt_segment, num_mem=nm),
                    (m(b, L, d), m(nm, d) if first else m(b, nm, d), m(d))))

    def armt(x, A, z, wq, wk, wv, wb, nu=3):  # ARMT's associative memory per layer: DPFP features of q and k
        def dpfp(t):  # (relu of both signs, products with rolled copies), the read-out phi(q) A / phi(q) z, the
            t = torch.cat([F.relu(t), F.relu(-t)], dim=-1)  # delta-rule write with the previous value removed and a
            t_r = torch.cat([t * t.roll(shifts=j, dims=-1) for j in range(1, nu + 1)], dim=-1)  # learned gate
            return t_r

        q, k = dpfp(F.linear(x, wq)), dpfp(F.linear(x, wk))
        v = F.linear(x, wv)
        o = torch.einsum("bsf,bfd->bsd", q, A) / (torch.einsum("bsf,bf->bs", q, z)[..., None] + 1e-5)
        v_bar = torch.einsum("bsf,bfd->bsd", k, A) / (torch.einsum("bsf,bf->bs", k, z)[..., None] + 1e-5)
        gamma = torch.sigmoid(F.linear(x, wb))
        A = A + torch.einsum("bsf,bsd->bfd", k, gamma * (v - v_bar))
        z = z + k.sum(1)
        return o, A, z

    for b, s, d, dk in ((8, 16, 2048, 64), (4, 128, 4096, 128)):
        out.append(("armt_associative_memory", armt,
                    (m(b, s, d), m(b, 6 * dk, d), m(b, 6 * dk), m(dk, d), m(dk, d), m(d, d), m(1, d))))

    def product_keys(x, wq, keys1, keys2, values, k=32, heads=4):  # memory layers at scale (product keys): each
        b, s, d = x.shape  # head's query split in halves against two sub-key sets of 1024, top-32 of each, the
        half = keys1.shape[-1]  # 32 x 32 sums, top-32, their flat ids, softmax weights, an EmbeddingBag sum over
        q = F.linear(x, wq).view(b * s, heads, 2, half)  # the value table
        s1 = torch.einsum("nhd,hkd->nhk", q[:, :, 0], keys1)
        s2 = torch.einsum("nhd,hkd->nhk", q[:, :, 1], keys2)
        v1, i1 = s1.topk(k, dim=-1)
        v2, i2 = s2.topk(k, dim=-1)
        allv = (v1[..., :, None] + v2[..., None, :]).view(b * s, heads, k * k)
        alli = (i1[..., :, None] * keys2.shape[1] + i2[..., None, :]).view(b * s, heads, k * k)
        tv, ti = allv.topk(k, dim=-1)
        idx = alli.gather(-1, ti)
        w = tv.float().softmax(-1).to(values.dtype)
        o = F.embedding_bag(idx.view(-1, k), values, per_sample_weights=w.view(-1, k), mode="sum")
        return o.view(b, s, heads, -1).sum(2)

    for b, s, d, nv in ((4, 2048, 2048, 524288), (32, 1, 4096, 262144)):
        out.append(("product_key_memory_layer", product_keys,
                    (m(b, s, d), m(4 * 2 * 512, d), m(4, 1024, 512), m(4, 1024, 512), m(nv, d))))

    # ================================================================== Titans, ATLAS, TTT and LaCT fast weights
    def titans_linear(k, v, q, M0, S0, theta, eta, alpha):  # Titans' linear memory over one chunk, in parallel:
        k = F.normalize(k.float(), dim=-1)  # the error against the chunk-start memory, per-token gradient outer
        err = torch.einsum("bhcd,bhed->bhce", k, M0) - v.float()  # products scaled by theta (the surprise), the
        grads = 2 * torch.einsum("bhce,bhcd->bhced", err, k)  # momentum S_t = eta_t S_t-1 - theta_t g_t and the
        u = -theta[..., None, None] * grads  # forgetting M_t = (1 - alpha_t) M_t-1 + S_t by cumulative
        E = torch.log(eta).cumsum(-1).exp()[..., None, None]  # products in log space and cumsums, the per-token
        S = E * (S0[:, :, None] + torch.cumsum(u / E, dim=2))  # retrieval
        A = torch.log1p(-alpha).cumsum(-1).exp()[..., None, None]
        M = A * (M0[:, :, None] + torch.cumsum(S / A, dim=2))
        y = torch.einsum("bhced,bhcd->bhce", M, q.float())
        return y, M[:, :, -1], S[:, :, -1]

    for b, h, c, d in ((8, 4, 512, 128),):
        out.append(("titans_linear_memory_chunk", titans_linear,
                    (m(b, h, c, d), m(b, h, c, d), m(b, h, c, d), mf(b, h, d, d), mf(b, h, d, d), mf(b, h, c),
                     mf(b, h, c), mf(b, h, c))))

    def titans_mlp(k, v, W1, W2, lr, eta, alpha):  # Titans' deep (2-layer MLP) memory: per-chunk gradients of the
        h = torch.einsum("bncd,bde->bnce", k, W1)  # lr-weighted squared error written out (forward, GELU's
        a = F.gelu(h)  # derivative by erf, both weights' grads by einsums over the chunk's tokens), then the
        err = (torch.einsum("bnce,bed->bncd", a, W2) - v) * lr[..., None]  # momentum and the decay across chunks
        g2 = torch.einsum("bnce,bncd->bned", a, err)  # by log-space cumulative products
        da = torch.einsum("bncd,bed->bnce", err, W2)
        cdf = 0.5 * (1 + torch.erf(h / math.sqrt(2)))
        dh = da * (cdf + h * torch.exp(-0.5 * h * h) / math.sqrt(2 * math.pi))
        g1 = torch.einsum("bncd,bnce->bnde", k, dh)
        E = torch.log(eta).cumsum(-1).exp()[..., None, None]
        A = torch.log1p(-alpha).cumsum(-1).exp()[..., None, None]
        out_ = []
        for g, W in ((g1, W1), (g2, W2)):
            S = E * torch.cumsum(-g / E, dim=1)
            out_.append(A * (W[:, None] + torch.cumsum(S / A, dim=1)))
        return out_

    for bh, n, c, d, e in ((16, 16, 256, 128, 256),):
        out.append(("titans_mlp_memory_grads", titans_mlp,
                    (mf(bh, n, c, d), mf(bh, n, c, d), mf(bh, d, e), mf(bh, e, d), mf(bh, n, c), mf(bh, n),
                     mf(bh, n))))

    def ns5(G, steps=5, eps=1e-7):  # Muon's quintic Newton-Schulz orthogonalisation, batched, in bf16
        a, b, c = (3.4445, -4.7750, 2.0315)
        X = G.bfloat16()
        tr = G.size(-2) > G.size(-1)
        if tr:
            X = X.mT
        X = X / (X.norm(dim=(-2, -1), keepdim=True) + eps)
        for _ in range(steps):
            A = X @ X.mT
            B = b * A + c * A @ A
            X = a * X + B @ X
        return X.mT if tr else X

    # LaCT's fast weights (32 x 512 x 512), NVS's (16 x 768 x 2048), ATLAS's polynomial memory's fp32 momentum
    # (48 x 4160 x 64, tall)
    for shp, dt in (((32, 512, 512), torch.bfloat16), ((16, 768, 2048), torch.bfloat16),
                    ((48, 4160, 64), torch.float32)):
        out.append(("muon_newton_schulz_batched", ns5, (m(*shp, dt=dt),)))

    def atlas_omega(k, v, M, gamma, mom, eta=0.9, window=64):  # ATLAS: degree-2 polynomial features of the keys
        b, h, t, d = k.shape  # ([k, k (x) k / sqrt 2]), the Omega rule's loss over each window of 64 tokens (its
        phi = torch.cat([k, (k[..., :, None] * k[..., None, :]).flatten(-2) / math.sqrt(2)], dim=-1)  # gradient
        err = torch.einsum("bhtf,bhef->bhte", phi, M) - v  # summed by windows), the momentum, Muon on it, the
        g = (gamma[..., None] * err).view(b, h, t // window, window, -1)  # memory step
        G = torch.einsum("bhnwe,bhnwf->bhnef", g, phi.view(b, h, t // window, window, -1)).sum(2)
        mom = eta * mom + G
        upd = ns5(mom.reshape(b * h, *mom.shape[2:]).mT).mT.reshape(mom.shape)
        return M - upd.float(), mom

    for b, h, t in ((2, 8, 2048), (1, 16, 4096)):
        out.append(("atlas_omega_polynomial", atlas_omega,
                    (mf(b, h, t, 64), mf(b, h, t, 64), mf(b, h, 64, 4160), mf(b, h, t), mf(b, h, 64, 4160))))

    def lact(w0, w1, w2, q, k, v, lr0, lr1, lr2, w0n, w1n, w2n, muon=True):  # LaCT's large-chunk SwiGLU fast
        dt = q.dtype  # weights: applied to the chunk's queries (bmm, in bf16 from fp32 weights), the update from
        a0, a1, a2 = w0.to(dt), w1.to(dt), w2.to(dt)  # its keys and values (the SwiGLU backward written out, per-
        o = torch.bmm(F.silu(torch.bmm(q, a0.mT)) * torch.bmm(q, a2.mT), a1.mT)  # token learning rates),
        gate = torch.bmm(a0, k.mT)  # orthogonalised by Muon, added, and the weights' rows renormalised to their
        hbm = torch.bmm(a2, k.mT)  # saved norms
        hidden = F.silu(gate) * hbm
        dh = torch.bmm(a1.mT, v.mT)
        dhbm = dh * F.silu(gate)
        sig = torch.sigmoid(gate)
        dgate = dh * hbm * sig * (1 + gate * (1 - sig))
        g1 = torch.bmm((v * lr1.to(dt)).mT, hidden.mT)
        g0 = torch.bmm(dgate, k * lr0.to(dt))
        g2 = torch.bmm(dhbm, k * lr2.to(dt))
        if muon:
            g0, g1, g2 = ns5(g0), ns5(g1), ns5(g2)
        res = []
        for w, g, n_ in ((w0, g0, w0n), (w1, g1, w1n), (w2, g2, w2n)):
            w = w + g.float()
            res.append(w / (w.norm(dim=2, keepdim=True) + 1e-5) * n_)
        return o, res

    # an LM's 4 fast-weight heads (512 wide) x 8 over chunks of 2048; a video model's 12 heads of 384 over 4096
    # without Muon
    for bh, L, d, dh, mu in ((32, 2048, 512, 512, True), (12, 4096, 384, 768, False)):
        out.append(("lact_swiglu_fast_weight_chunk", P(lact, muon=mu),
                    (mf(bh, dh, d), mf(bh, d, dh), mf(bh, dh, d), m(bh, L, d), m(bh, L, d), m(bh, L, d),
                     mf(bh, L, 1), mf(bh, L, 1), mf(bh, L, 1), mf(bh, dh, 1), mf(bh, d, 1), mf(bh, dh, 1))))

    def ttt_linear(XQ, XK, XV, lr, token_idx, W1, b1, ln_w, ln_b, eps=1e-6):  # TTT-Linear's dual form over the
        b, h, n, mb, d = XQ.shape  # mini-batches of 16 (ttt-lm-pytorch): eta from the learned rate and 1 / i, the
        eta = token_idx[None, None, None, :, None] * lr  # fused LayerNorm-L2 backward, the tril'ed
        outs = []  # scores, the mini-batch's outputs and the last token's weight and bias update
        for j in range(n):
            X1, Q, e = XK[:, :, j], XQ[:, :, j], eta[:, :, j]
            Z1 = X1 @ W1 + b1
            target = XV[:, :, j] - X1
            mu = Z1.mean(-1, keepdim=True)
            std = torch.sqrt(Z1.var(-1, keepdim=True, unbiased=False) + eps)
            x_hat = (Z1 - mu) / std
            gxh = (ln_w * x_hat + ln_b - target) * ln_w
            grad = (d * gxh - gxh.sum(-1, keepdim=True) - x_hat * (gxh * x_hat).sum(-1, keepdim=True)) / (d * std)
            attn = torch.tril(Q @ X1.transpose(-2, -1))
            b1_bar = b1 - torch.tril(e) @ grad
            Z1_bar = Q @ W1 - (e * attn) @ grad + b1_bar
            last = e[:, :, -1, :, None]
            W1 = W1 - (last * X1).transpose(-1, -2) @ grad
            b1 = b1 - torch.sum(last * grad, dim=-2, keepdim=True)
            mu2 = Z1_bar.mean(-1, keepdim=True)
            std2 = torch.sqrt(Z1_bar.var(-1, keepdim=True, unbiased=False) + eps)
            outs.append(Q + ln_w * (Z1_bar - mu2) / std2 + ln_b)
        return torch.stack(outs, dim=2), W1, b1

    # TTT-Linear-1.3B (32 heads of 64) at 8 x 2048; 760M (24 heads) at 16 x 1024
    for b, h, t in ((8, 32, 2048), (16, 24, 1024)):
        n = t // 16
        out.append(("ttt_linear_dual_form", ttt_linear,
                    (mf(b, h, n, 16, 64), mf(b, h, n, 16, 64), mf(b, h, n, 16, 64), mf(b, h, n, 1, 16), mf(16),
                     mf(b, h, 64, 64), mf(b, h, 1, 64), mf(h, 1, 64), mf(h, 1, 64))))

    def titans_mac(seg, persistent, mem_out, w_qkv, heads=16):  # Titans' memory-as-context: the persistent
        b, L, d = seg.shape  # tokens (expanded) and the memory's retrieval cat'ed before the segment, attention
        x = torch.cat([persistent.expand(b, -1, -1), mem_out, seg], dim=1)  # with the prefix visible and causal
        n = x.shape[1]  # inside the segment (SDPA with a bool mask)
        pre = n - L
        r = torch.arange(n, device=x.device)
        mask = (r[None, :] < pre) | (r[None, :] <= r[:, None])
        qkv = F.linear(x, w_qkv).view(b, n, 3, heads, d // heads).permute(2, 0, 3, 1, 4)
        o = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=mask)
        return o[:, :, pre:].transpose(1, 2).reshape(b, L, d)

    for b, L, d, npm, nmem in ((8, 512, 1024, 16, 64), (2, 2048, 2048, 32, 128)):
        out.append(("titans_mac_segment", titans_mac, (m(b, L, d), m(npm, d), m(b, nmem, d), m(3 * d, d))))

    # ================================================================== gated DeltaNet, Kimi Linear, Qwen3-Next
    def l2norm(x, eps=1e-6):  # fla / transformers' l2norm
        return x * torch.rsqrt((x * x).sum(dim=-1, keepdim=True) + eps)

    def gdn_chunk(q, k, v, g, beta, chunk=64):  # transformers' torch_chunk_gated_delta_rule (Qwen3-Next), its
        q, k = l2norm(q), l2norm(k)  # intra-chunk inverse by solve_triangular rather than the row loop: l2-normed
        q, k, v, beta, g = [x.transpose(1, 2).contiguous().to(torch.float32) for x in (q, k, v, beta, g)]  # q, k,
        b, h, t, dk = k.shape  # [b, h, t, d] in fp32, beta-scaled, chunked by 64, the decay's cumsum and the
        dv = v.shape[-1]  # masked decay matrix, the WY factors, then the chunk loop carrying the state
        q = q * dk ** -0.5
        v_beta = v * beta[..., None]
        k_beta = k * beta[..., None]
        q, k, v_beta, k_beta = [x.reshape(b, h, -1, chunk, x.shape[-1]) for x in (q, k, v_beta, k_beta)]
        g = g.reshape(b, h, -1, chunk).cumsum(dim=-1)
        mask = torch.triu(torch.ones(chunk, chunk, dtype=torch.bool, device=q.device), diagonal=0)
        decay = ((g[..., :, None] - g[..., None, :]).tril().exp().float()).tril()
        attn = -((k_beta @ k.transpose(-1, -2)) * decay).masked_fill(mask, 0)
        eye = torch.eye(chunk, dtype=attn.dtype, device=q.device)
        attn = torch.linalg.solve_triangular(eye - attn, eye, upper=False)
        value = attn @ v_beta
        k_cumdecay = attn @ (k_beta * g.exp()[..., None])
        S = torch.zeros(b, h, dk, dv, dtype=value.dtype, device=q.device)
        o = torch.zeros_like(value)
        mask1 = torch.triu(torch.ones(chunk, chunk, dtype=torch.bool, device=q.device), diagonal=1)
        for j in range(t // chunk):
            q_i, k_i, v_i = q[:, :, j], k[:, :, j], value[:, :, j]
            a_i = (q_i @ k_i.transpose(-1, -2) * decay[:, :, j]).masked_fill_(mask1, 0)
            v_new = v_i - k_cumdecay[:, :, j] @ S
            o[:, :, j] = (q_i * g[:, :, j, :, None].exp()) @ S + a_i @ v_new
            S = S * g[:, :, j, -1, None, None].exp() + (
                k_i * (g[:, :, j, -1, None] - g[:, :, j]).exp()[..., None]).transpose(-1, -2) @ v_new
        return o.reshape(b, h, t, dv).transpose(1, 2).contiguous(), S

    # Qwen3-Next-80B's 32 value heads (q, k repeated from 16) at 8192
    for b, t, h in ((1, 8192, 32),):
        out.append(("gated_delta_rule_chunked", gdn_chunk,
                    (m(b, t, h, 128), m(b, t, h, 128), m(b, t, h, 128), mf(b, t, h), m(b, t, h))))

    def gdn_step(q, k, v, g, beta, state):  # transformers' torch_recurrent_gated_delta_rule for one token
        q, k = l2norm(q), l2norm(k)
        q, k, v, beta, g = [x.transpose(1, 2).contiguous().to(torch.float32) for x in (q, k, v, beta, g)]
        q = q * q.shape[-1] ** -0.5
        state = state * g[:, :, 0].exp()[..., None, None]
        kv_mem = (state * k[:, :, 0, :, None]).sum(dim=-2)
        delta = (v[:, :, 0] - kv_mem) * beta[:, :, 0, None]
        state = state + k[:, :, 0, :, None] * delta[..., None, :]
        return (state * q[:, :, 0, :, None]).sum(dim=-2), state

    for b, h in ((64, 32), (256, 16)):
        out.append(("gated_delta_recurrent_step", gdn_step,
                    (m(b, 1, h, 128), m(b, 1, h, 128), m(b, 1, h, 128), mf(b, 1, h), m(b, 1, h),
                     mf(b, h, 128, 128))))

    def kda_gates(x, w_fa, w_fb, A_log, dt_bias, w_b, w_ga, w_gb, o, norm_w, heads=32, d=128):  # Kimi Delta
        b, s, _ = x.shape  # Attention's gates: the channel-wise forget gate from a low-rank projection, -exp(A)
        f = F.linear(F.linear(x, w_fa), w_fb).view(b, s, heads, d)  # softplus(f + dt_bias) in fp32, beta by sigmoid,
        g = -A_log.float().exp()[:, None] * F.softplus(f.float() + dt_bias.view(heads, d))  # the output gate's
        beta = F.linear(x, w_b).float().sigmoid()  # low-rank projection, RMSNorm of the rule's output times its
        gate = F.linear(F.linear(x, w_ga), w_gb).view(b, s, heads, d)  # sigmoid
        on = o.float() * torch.rsqrt(o.float().pow(2).mean(-1, keepdim=True) + 1e-5) * norm_w
        return g, beta, (on * gate.float().sigmoid()).to(x.dtype)

    # Kimi-Linear-48B-A3B (2304 wide, 32 heads of 128): prefill 8192
    for b, s in ((1, 8192),):
        out.append(("kda_channel_gates", kda_gates,
                    (m(b, s, 2304), m(128, 2304), m(4096, 128), mf(32), mf(4096), m(32, 2304), m(128, 2304),
                     m(4096, 128), m(b, s, 32, 128), mf(128))))

    def kda_step(q, k, v, g, beta, state):  # KDA's recurrent step: the state decayed per key channel, the delta rule
        q, k = l2norm(q.float()), l2norm(k.float())
        state = state * g.exp()[..., None]
        kv_mem = torch.einsum("bhk,bhkv->bhv", k, state)
        state = state + torch.einsum("bhk,bhv->bhkv", k, beta[..., None] * (v.float() - kv_mem))
        return torch.einsum("bhk,bhkv->bhv", q * q.shape[-1] ** -0.5, state), state

    for b in (64, 128):
        out.append(("kda_recurrent_step", kda_step,
                    (m(b, 32, 128), m(b, 32, 128), m(b, 32, 128), mf(b, 32, 128), mf(b, 32), mf(b, 32, 128, 128))))

    def zc_rms(x, w, eps=1e-6):  # Qwen3NextRMSNorm: fp32, zero-centred weight (1 + w)
        xf = x.float()
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps) * (1.0 + w.float())).type_as(x)

    def q3n_attn(x, w_q, w_k, w_v, qn, kn, cos, sin, w_o, k_cache=None, v_cache=None, heads=16, kv=2, d=256):
        b, s, _ = x.shape  # Qwen3-Next's gated full attention: q and its output gate from one projection, per-
        q, gate = torch.chunk(F.linear(x, w_q).view(b, s, heads, 2 * d), 2, dim=-1)  # head zero-centred RMSNorm
        gate = gate.reshape(b, s, -1)  # on q and k, partial rotary (64 of 256), the cache cat'ed at decode, SDPA
        q = zc_rms(q, qn).transpose(1, 2)  # with GQA, the output times sigmoid(gate), o_proj
        k = zc_rms(F.linear(x, w_k).view(b, s, kv, d), kn).transpose(1, 2)
        v = F.linear(x, w_v).view(b, s, kv, d).transpose(1, 2)
        r = cos.shape[-1]
        q = torch.cat([q[..., :r] * cos + rotate_half(q[..., :r]) * sin, q[..., r:]], dim=-1)
        k = torch.cat([k[..., :r] * cos + rotate_half(k[..., :r]) * sin, k[..., r:]], dim=-1)
        if k_cache is not None:
            k = torch.cat([k_cache, k], dim=2)
            v = torch.cat([v_cache, v], dim=2)
        o = F.scaled_dot_product_attention(q, k, v, is_causal=k_cache is None and s > 1, enable_gqa=True)
        o = o.transpose(1, 2).reshape(b, s, -1) * torch.sigmoid(gate)
        return F.linear(o, w_o)

    w_ = (m(8192, 2048), m(512, 2048), m(512, 2048), m(256), m(256))
    for b, s in ((1, 8192),):
        out.append(("qwen3next_gated_attention", q3n_attn,
                    (m(b, s, 2048), *w_, m(1, 1, s, 64), m(1, 1, s, 64), m(2048, 4096))))
    for b, t in ((8, 65536),):
        out.append(("qwen3next_gated_attention", q3n_attn,
                    (m(b, 1, 2048), *w_, m(b, 1, 1, 64), m(b, 1, 1, 64), m(2048, 4096), m(b, 2, t, 256),
                     m(b, 2, t, 256))))

    def q3n_linear_front(x, w_qkvz, w_ba, conv_w, A_log, dt_bias, hk=16, hv=32, dk=128, dv=128):  # Qwen3-Next's
        b, s, _ = x.shape  # linear-attention input: the qkvz and ba projections reordered per key head
        r = hv // hk  # (fix_query_key_value_ordering), q, k, v cat'ed for the causal depthwise conv1d (kernel 4,
        qkvz = F.linear(x, w_qkvz).view(b, s, hk, 2 * dk + 2 * r * dv)  # SiLU), beta and the decay
        ba = F.linear(x, w_ba).view(b, s, hk, 2 * r)
        q, k, v, z = torch.split(qkvz, [dk, dk, r * dv, r * dv], dim=3)
        bb, a = torch.split(ba, [r, r], dim=3)
        v, z = v.reshape(b, s, -1, dv), z.reshape(b, s, -1, dv)
        mixed = torch.cat((q.reshape(b, s, -1), k.reshape(b, s, -1), v.reshape(b, s, -1)), dim=-1).transpose(1, 2)
        mixed = F.silu(F.conv1d(mixed, conv_w, padding=conv_w.shape[-1] - 1, groups=mixed.shape[1])[..., :s])
        beta = bb.reshape(b, s, hv).sigmoid()
        g = -A_log.float().exp() * F.softplus(a.reshape(b, s, hv).float() + dt_bias)
        return mixed.transpose(1, 2), z, beta, g

    for b, s in ((1, 8192), (16, 1024)):
        out.append(("qwen3next_linear_in_proj_conv", q3n_linear_front,
                    (m(b, s, 2048), m(12288, 2048), m(64, 2048), m(8192, 1, 4), mf(32), mf(32))))

    def rms_gated_out(o, z, w, w_o, eps=1e-6):  # Qwen3NextRMSNormGated on the rule's output (fp32, times SiLU of z),
        dt = z.dtype  # then o_proj
        of = o.float()
        of = of * torch.rsqrt(of.pow(2).mean(-1, keepdim=True) + eps)
        of = (w * of.to(dt)).float() * F.silu(z.float())
        b, s = o.shape[:2]
        return F.linear(of.to(dt).reshape(b, s, -1), w_o)

    for b, s in ((1, 8192), (64, 1)):
        out.append(("qwen3next_gated_rmsnorm_out", rms_gated_out,
                    (mf(b, s, 32, 128), m(b, s, 32, 128), m(128), m(2048, 4096))))

    def conv_update(x, conv_state, w):  # transformers' torch_causal_conv1d_update: the state cat'ed with the new
        s = x.shape[-1]  # tokens, the state rolled by a copy_, the depthwise conv1d, SiLU
        new = torch.cat([conv_state, x], dim=-1).to(w.dtype)
        conv_state.copy_(new[:, :, -conv_state.shape[-1]:])
        return F.silu(F.conv1d(new, w.unsqueeze(1), padding=0, groups=x.shape[1])[:, :, -s:])

    for b, s in ((64, 1), (8, 2)):
        out.append(("causal_conv1d_state_update", conv_update, (m(b, 8192, s), m(b, 8192, 4), m(8192, 4))))

    # ================================================================== GPT-OSS sinks, StreamingLLM
    def gptoss_eager(q, k, v, sinks, mask, scaling=0.125):  # GPT-OSS's eager_attention_forward: repeat_kv, scores
        b, h, s, d = q.shape  # plus the (sliding) causal mask, the per-head sink logit cat'ed as a last column, the
        k, v = repeat_kv(k, h // k.shape[1]), repeat_kv(v, h // v.shape[1])  # row max subtracted, softmax, the
        w = torch.matmul(q, k.transpose(2, 3)) * scaling  # sink column dropped, the context
        w = w + mask
        sk = sinks.reshape(1, -1, 1, 1).expand(b, -1, s, -1)
        comb = torch.cat([w, sk], dim=-1)
        comb = comb - comb.max(dim=-1, keepdim=True).values
        p = F.softmax(comb, dim=-1, dtype=comb.dtype)[..., :-1]
        return torch.matmul(p, v).transpose(1, 2).contiguous()

    # gpt-oss-120b / 20b (64 query heads, 8 KV, d 64): prefill 4096, decode 16 x 8K and 2 x 128K
    for b, s, t in ((1, 4096, 4096), (16, 1, 8192), (2, 1, 131072)):
        out.append(("gptoss_sink_attention_eager", gptoss_eager,
                    (m(b, 64, s, 64), m(b, 8, t, 64), m(b, 8, t, 64), m(64), m(b, 1, s, t))))

    def gptoss_mask(cache_position, s=0, window=128):  # the sliding-window causal mask as the eager path gets it:
        kv = torch.arange(s, device=cache_position.device)  # bool from
        ok = (kv[None, :] <= cache_position[:, None]) & (kv[None, :] > cache_position[:, None] - window)  # compares,
        return torch.where(ok, 0.0, NEG).to(torch.bfloat16)[None, None]  # then additive bf16

    for s in (4096, 16384):
        out.append(("gptoss_sliding_window_mask", P(gptoss_mask, s=s), (i(s),)))

    def gptoss_yarn(position_ids, q, k, base=150000.0, factor=32.0, dim=64, orig=4096, beta_fast=32.0, beta_slow=1.0):
        pos_freqs = base ** (torch.arange(0, dim, 2, dtype=torch.float, device=q.device) / dim)  # GPT-OSS's YaRN:
        inv_extra, inv_inter = 1.0 / pos_freqs, 1.0 / (factor * pos_freqs)  # the inverse frequencies blended by
        low = math.floor(dim * math.log(orig / (beta_fast * 2 * math.pi)) / (2 * math.log(base)))  # the linear
        high = math.ceil(dim * math.log(orig / (beta_slow * 2 * math.pi)) / (2 * math.log(base)))  # ramp, cos
        ramp = ((torch.arange(dim // 2, dtype=torch.float32, device=q.device) - low) / (high - low)).clamp(0, 1)
        inv_freq = inv_inter * ramp + inv_extra * (1 - ramp)  # and sin times the attention factor,
        freqs = (inv_freq[None, :, None] @ position_ids[:, None, :].float()).transpose(1, 2)  # _apply_rotary_emb
        mscale = 0.1 * math.log(factor) + 1.0  # (halves by chunk) on q and k
        cos, sin = (freqs.cos() * mscale).to(q.dtype), (freqs.sin() * mscale).to(q.dtype)

        def apply(x):
            c, s_ = cos[:, :, None], sin[:, :, None]
            x1, x2 = torch.chunk(x, 2, dim=-1)
            return torch.cat((x1 * c - x2 * s_, x2 * c + x1 * s_), dim=-1)

        return apply(q), apply(k)

    for b, s in ((1, 8192), (64, 1)):
        out.append(("gptoss_yarn_rotary", gptoss_yarn, (i(b, s), m(b, s, 64, 64), m(b, s, 8, 64))))

    def sink_cache(k, v, new_k, new_v, cos, sin, sink=4, window=4096):  # StreamingLLM's SinkCache eviction: the
        keep = window - sink - new_k.shape[2]  # sink tokens kept, the oldest window tokens dropped, the kept keys
        kk = k[:, :, -keep:]  # re-rotated to their new positions (the rerotation cos / sin from the original and
        oc, os_ = cos[sink + new_k.shape[2]:], sin[sink + new_k.shape[2]:]  # shifted tables), cat'ed with the sinks
        sc, ss = cos[sink:window - new_k.shape[2]], sin[sink:window - new_k.shape[2]]  # and the new tokens
        rc = oc * sc + os_ * ss
        rs = -os_ * sc + oc * ss
        kk = kk * rc + rotate_half(kk) * rs
        return (torch.cat([k[:, :, :sink], kk, new_k], dim=2),
                torch.cat([v[:, :, :sink], v[:, :, -keep:], new_v], dim=2))

    for b, h, w in ((1, 32, 4096), (16, 8, 2048)):
        out.append(("streaming_sink_cache_evict", P(sink_cache, window=w),
                    (m(b, h, w, 128), m(b, h, w, 128), m(b, h, 1, 128), m(b, h, 1, 128), m(w, 128), m(w, 128))))

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK39, _check39()),))
