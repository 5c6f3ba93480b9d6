"""The aten sweep's twenty-seventh blind real-code group: `realcode-check27`, recommender systems, tabular models,
time-series forecasting, reinforcement learning and RLHF, protein and molecular models, weather models, vision
transformers, detection and segmentation, speech and TTS, NLP training internals, contrastive learning, generative
models, structured linear algebra and optimizers, classic computer vision and numerics written in torch, and single ops
and two-line idioms from well-known reference code.

Each case is one op or a short idiom as the models' and libraries' public reference code writes it, at real widths,
batches, sequence lengths, image sizes and dtypes (fp32 where the reference trains by default, fp16 and bf16 under
mixed precision or half-precision inference, int64 indices and offsets, int32 packed codes, uint8 frames and images,
complex64 rotary tables): recommender systems (DLRM's EmbeddingBags over a 4M x 128 Terabyte table, one-hot and
DLRM-DCNv2 multi-hot, its quotient-remainder bags and dot interaction of 27 vectors with the output BCE; torchrec's
weighted bag; YouTube-DNN's averaged history; DCN-v2's low-rank and full-rank cross layers; DeepFM's FM term;
xDeepFM's CIN layer; DIN's attention input; a two-tower retriever's in-batch logits with the logQ correction and its
mixed negatives; SASRec's embeddings and masked BCE; BERT4Rec's full-vocabulary logits; NeuMF's GMF; fbgemm's row-wise
Adagrad by index_add_); tabular models (FT-Transformer's numeric tokenizer and CLS-only attention, TabNet's sparsemax by
sort and cumsum, NODE's oblivious-tree leaf responses); time-series forecasting (PatchTST's replicate-padded unfold
patching, residual attention and transposed BatchNorm; Informer's ProbSparse measure over sampled keys; Autoformer's
series decomposition by avg_pool1d and its FFT auto-correlation; TimesNet's period search; iTransformer's inverted
embedding; N-BEATS' generic block; TFT's gated residual network); reinforcement learning (TRL's token-level GAE loop,
GRPO's clipped loss, selective log-softmax over Qwen2.5's vocabulary in fp32 and row by row in bf16, DPO's log-probs
over Llama-3's vocabulary; SAC's tanh squashing and critic input at a 32768 batch, CQL's logsumexp, the Nature CNN on
uint8 frames, Double-DQN's gathers, the Decision Transformer's interleaved tokens); protein and molecular models
(OpenFold's triangle multiplicative combine by permute and matmul, triangle attention's biased scores, MSA row
attention's pair bias, the outer-product mean, the distogram head, FAPE's local frames by rot_vec_mul; ESM-2's contact
APC; SchNet's Gaussian smearing and CFConv scatter-add, DimeNet's triplet angles by cross and atan2, DimeNet++'s
triplet message pass); weather models (FourCastNet's AFNO filter by rfft2, block-diagonal complex einsums, softshrink
and irfft2, its 8 x 8 patch embedding; GraphCast's mesh edge and node steps; a latitude-weighted ERA5 MSE;
Pangu-Weather's 3-D patch embedding; SFNO's spherical harmonic transform); vision transformers (Swin-T's cyclic shift,
window partition, relative-position bias gather with the shifted-window mask and reverse, its PatchMerging; ViT-L's
patch embedding; DINOv2's bicubic position interpolation; MAE's random masking by argsort and gather; DINO's centred,
sharpened loss over 65536 prototypes); detection and segmentation (DETR's sine positions, DINO-DETR's focal matching
cost and L1 cdist, Deformable DETR's grid_sample sampling and weighting; Mask2Former's mask einsum, attention mask,
masked attention and dice matching cost; YOLOv5's box decoding, YOLOv8's DFL and task-aligned top-k counts; the FPN's
top-down steps, a torch-only RoIAlign by grid_sample, RetinaNet's focal loss; SegFormer's spatial-reduction conv and
Mix-FFN; ConvNeXt's depthwise conv and channels-last LayerNorm; SAM's decomposed relative positions and mask
post-processing); speech and TTS (Whisper large-v3's log-mel front end and conv stem; wav2vec2's first conv and sampled
negatives; SpecAugment's time masks; the Conformer conv module, ESPnet's relative shift and 4x subsampling; NeMo's
RNN-T joint; FastPitch's length regulation by an alignment matmul and a repeat_interleave expansion; FastSpeech2's
bucketized pitch and energy embeddings; VITS' slice gather; EnCodec's 8-stage residual VQ); NLP training internals
(torchtune's chunked cross-entropy over 128256 tokens, fairseq's label-smoothed NLL, OLMo's z-loss; Mixtral's
load-balancing loss, DeepSeek-V3's group-limited routing, MoE token sort and combine; a YaRN rotary cache, Meta's
complex rotary, BLOOM's ALiBi by baddbmm, DeBERTa's disentangled c2p gather; Longformer's sliding chunks, BigBird's
random-block gather, flash-attn's unpad and pad; clip_grad_norm_ by _foreach_norm, GradScaler's unscale and update,
Gemma-2's soft-cap, Gemma's scaled embedding, NLLB's beam-search step); contrastive learning (open_clip's logits
against 32768 gathered features, SimCLR's masked similarities, MoCo v2's queue logits and momentum update, SwAV's
Sinkhorn-Knopp); generative models (VQGAN's codebook distances, MaskGIT's confidence masking and token draw, DDPM's
q_sample, DPM-Solver++(2M)'s update over SDXL latents, SD3's flow-matching pair, StyleGAN2's modulated grouped conv);
structured linear algebra and optimizers (PEFT's LoRA forward and merge, DoRA's norm scale, QLoRA's NF4 dequant by
shifts and lookups, Monarch's two bmms, a Kronecker product, Shampoo's inverse 4th root by eigh, Muon's Newton-Schulz
iteration, BigGAN's spectral-norm power step, GaLore's projection and SVD, Wanda's 2:4 mask); classic computer vision
(kornia's Sobel, Canny's directional suppression by gathers, bilateral blur by unfold, median blur; RAFT's correlation
pyramid, lookup by grid_sample and convex upsampling; a flow warp; a Laplacian pyramid level; DiffJPEG's colour
transform and block DCT by tensordot; histogram equalisation by scatter_add and a gathered LUT; uint8 normalisation;
morphology by max pooling; a homography warp; PSMNet's 3-D convs and trilinear disparity regression; antialiased
resizes); numerics (pytorch-crf's forward algorithm by logsumexp, Mamba-2's four-operand SSD einsum, minGRU's
logcumsumexp scan, a COCO-style precision envelope by cummax and searchsorted, an orthogonal matrix_exp
parametrisation, timm's trunc_normal_ by erfinv, SuperGlue's log-domain Sinkhorn, a percentile amax by kthvalue); and
single ops and two-line idioms (ogbn graph gathers and scatter sums, YOLOv5's SPPF, Glow's coupling and invertible
1 x 1 conv with slogdet, Megatron's vocab-parallel embedding, NeRF and hash-grid encodings, LLaVA's masked_scatter
merge, HF's position ids and extended masks, greedy argmax, retrieval top-k, exact cdist kNN, searchsorted binning, a
dilated causal TCN conv, last-token pooling, a rotary cache gather, a KV-cache append, GPTQ's int4 packing,
SmoothQuant's int8 rounding, VoxelMorph's 3-D grid_sample and trilinear resize, pixel shuffle / unshuffle, unfold
neighbourhoods, flips, HiFi-GAN's transposed conv and weight-normed dilated conv, ReLU6, Mish, multi-label BCE,
first differences, NaN-masked means, max-norm embeddings, Gram matrices, CenterNet's heatmap NMS and top-k, PointNet's
max pool, a foreach EMA, SWA averaging, pre-emphasis, segmentation argmax and ignore-index CE, flow EPE, CRNN's
log-softmax, x-vector statistics pooling, a global average pool and an fp8 cast). Data-dependent steps of the
reference code are written without data-dependent shapes: boolean-mask assignments as masked_fill and where, bincount
and nonzero avoided, loop-carried lengths and repeats given statically, intermediate tensors passed in where the
reference computes them with Python control flow on values.
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK27 = "realcode-check27"


def _check27():
    import math

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import (
        _dtype_makers,
        _layer_makers,
        _meta_makers,
    )

    m, i = _meta_makers()

    linear, _, ln = _layer_makers(1e-6)

    mh, mf, mb, mi32 = _dtype_makers()

    def sc(dt=torch.float32):  # a 0-dim tensor (a learned temperature, a sampler's sigma)
        return torch.empty((), dtype=dt, device="meta")

    def mu8(*shape):
        return m(*shape, dt=torch.uint8)

    def mc(*shape):  # complex64 (precomputed rotary tables)
        return m(*shape, dt=torch.complex64)

    def bn_train(x, bn, momentum=0.1, eps=1e-5):  # nn.BatchNorm{1,2,3}d.forward in training mode
        return F.batch_norm(x, bn[0], bn[1], bn[2], bn[3], training=True, momentum=momentum, eps=eps)

    def bn_state(c):  # running_mean, running_var, weight, bias of a BatchNorm (fp32 under autocast too)
        return mf(4, c)

    def many(maker, n, *shape):  # n separate tensors of one shape (a list argument of the reference code)
        return tuple(maker(*shape) for _ in range(n))

    out = []

    # ================================================================== recommender systems
    # ------------------------------------------------------------------ DLRM
    def emb_bag(idx, offsets, w):  # nn.EmbeddingBag(mode="sum") as DLRM's apply_emb calls it per sparse feature
        return F.embedding_bag(idx, w, offsets, mode="sum")

    def emb_bag_mean(idx, offsets, w):  # an averaged bag (YouTube-DNN's watch history)
        return F.embedding_bag(idx, w, offsets, mode="mean")

    def emb_bag_weighted(idx, offsets, w, psw):  # torchrec's weighted id-score-list feature
        return F.embedding_bag(idx, w, offsets, mode="sum", per_sample_weights=psw)

    def qr_emb_bag(idx, offsets, w_q, w_r, num_collisions=4):  # DLRM's QREmbeddingBag (quotient-remainder, "mult")
        input_q = (idx / num_collisions).long()
        input_r = torch.remainder(idx, num_collisions).long()
        embed_q = F.embedding_bag(input_q, w_q, offsets, mode="sum")
        embed_r = F.embedding_bag(input_r, w_r, offsets, mode="sum")
        return embed_q * embed_r

    def dlrm_interact(x, *ly):  # DLRM's interact_features with arch_interaction_op="dot"
        batch_size, d = x.shape
        T = torch.cat([x] + list(ly), dim=1).view((batch_size, -1, d))
        Z = torch.bmm(T, torch.transpose(T, 1, 2))
        _, ni, nj = Z.shape
        li = torch.tensor([a for a in range(ni) for b in range(a)])
        lj = torch.tensor([b for a in range(nj) for b in range(a)])
        Zflat = Z[:, li, lj]
        return torch.cat([x] + [Zflat], dim=1)

    def dlrm_top_out(z, y, w, b):  # the top MLP's last layer, its sigmoid and BCELoss
        return F.binary_cross_entropy(torch.sigmoid(linear(z, w, b)), y)

    # DLRM on Criteo Terabyte (128-d; a 4M-row table of its 26) at the reference 2048 batch: one-hot bags, a
    # multi-hot bag of DLRM-DCNv2 (hotness 20 at 6912 per GPU), the QR trick's 4 collisions, the dot interaction of 27
    # vectors, the output layer and BCE; torchrec's weighted bag (8192 x 10 ids, 64-d); YouTube-DNN's 50-item history
    # mean over a 1M x 256 table at 1024
    out += [("dlrm_bag_onehot", emb_bag, (i(2048), i(2048), mf(4000000, 128))),
            ("dlrm_dcnv2_bag_multihot", emb_bag, (i(138240), i(6912), mf(4000000, 128))),
            ("dlrm_qr_emb_bag", qr_emb_bag, (i(2048), i(2048), mf(1000000, 128), mf(4, 128))),
            ("torchrec_weighted_bag", emb_bag_weighted, (i(81920), i(8192), mf(1000000, 64), mf(81920))),
            ("youtube_dnn_history_mean", emb_bag_mean, (i(51200), i(1024), mf(1000000, 256))),
            ("dlrm_dot_interaction", dlrm_interact, (mf(2048, 128),) + many(mf, 26, 2048, 128)),
            ("dlrm_top_out_bce", dlrm_top_out, (mf(2048, 256), mf(2048, 1), mf(1, 256), mf(1)))]

    # ------------------------------------------------------------------ cross networks and factorisation machines
    def lowrank_cross(x0, V, W, b, layers=3):  # torchrec's LowRankCrossNet: x_{l+1} = x0 * (W (V x_l) + b) + x_l
        x_l = x0
        for _ in range(layers):
            x_l = x0 * linear(linear(x_l, V), W, b) + x_l
        return x_l

    def full_cross(x0, W, b, layers=3):  # DCN-v2's full-rank CrossNet
        x_l = x0
        for _ in range(layers):
            x_l = x0 * linear(x_l, W, b) + x_l
        return x_l

    def fm_term(emb):  # DeepFM's FM second-order term
        square_of_sum = torch.pow(torch.sum(emb, dim=1, keepdim=True), 2)
        sum_of_square = torch.sum(emb * emb, dim=1, keepdim=True)
        return 0.5 * torch.sum(square_of_sum - sum_of_square, dim=2, keepdim=False)

    def cin_layer(xh, x0, w, b):  # one layer of xDeepFM's CIN (deepctr-torch): outer products, 1 x 1 conv1d, split
        batch_size, dim = x0.shape[0], x0.shape[-1]
        x = torch.einsum("bhd,bmd->bhmd", xh, x0)
        x = x.reshape(batch_size, xh.shape[1] * x0.shape[1], dim)
        x = F.relu(F.conv1d(x, w, b))
        return torch.split(x, 2 * [w.shape[0] // 2], 1)

    def din_attention_input(query, keys):  # DIN's local activation unit input: [q, k, q - k, q * k]
        queries = query.expand(-1, keys.shape[1], -1)
        return torch.cat([queries, keys, queries - keys, queries * keys], dim=-1)

    # DLRM-DCNv2 (MLPerf: 3456 features, rank 512) at 6912 per GPU; DCN-v2's full-rank cross on Criteo (429 wide) at
    # 4096; DeepFM's FM over 39 fields x 16; xDeepFM's second CIN layer (100 x 39 maps to 200); DIN on Amazon
    # Electronics (100 behaviours of 128-d) at 2048
    out += [("dcnv2_lowrank_cross", lowrank_cross, (mf(6912, 3456), mf(512, 3456), mf(3456, 512), mf(3456))),
            ("dcnv2_full_cross", full_cross, (mf(4096, 429), mf(429, 429), mf(429))),
            ("deepfm_fm", fm_term, (mf(4096, 39, 16),)),
            ("xdeepfm_cin_layer", cin_layer, (mf(4096, 100, 16), mf(4096, 39, 16), mf(200, 3900, 1), mf(200))),
            ("din_attention_input", din_attention_input, (mf(2048, 1, 128), mf(2048, 100, 128)))]

    # ------------------------------------------------------------------ retrieval and sequential recommendation
    def two_tower_inbatch(q, c, log_q, temperature=0.05):  # in-batch softmax logits with the logQ correction
        return q @ c.T / temperature - log_q[None, :]

    def two_tower_mixed(q, c, table, neg_ids):  # mixed negative sampling: in-batch and corpus-drawn candidates
        cands = torch.cat([c, table.index_select(0, neg_ids)], dim=0)
        return q @ cands.T

    def sasrec_embed(log_seqs, poss, item_emb, pos_emb):  # SASRec's log2feats input: scaled items plus positions
        seqs = F.embedding(log_seqs, item_emb, padding_idx=0) * (item_emb.shape[1] ** 0.5)
        return seqs + F.embedding(poss, pos_emb, padding_idx=0)

    def sasrec_bce(log_feats, pos_embs, w):  # SASRec's positive logits and their masked BCE
        pos_logits = (log_feats * pos_embs).sum(dim=-1)
        return F.binary_cross_entropy_with_logits(pos_logits, torch.ones_like(pos_logits), weight=w, reduction="sum")

    def bert4rec_logits(h, item_emb, bias):  # BERT4Rec's output over the whole item vocabulary
        return h @ item_emb.T + bias

    def neumf_gmf(users, items, p_mf, q_mf):  # NCF's NeuMF: the GMF branch's element-wise product
        return F.embedding(users, p_mf) * F.embedding(items, q_mf)

    def rowwise_adagrad(weight, state, idx, grad, lr=0.01, eps=1e-8):  # fbgemm's exact row-wise Adagrad, in torch
        std = state.index_select(0, idx).sqrt_().add_(eps)  # (its accumulated state gathered)
        return weight.index_add_(0, idx, -lr * grad / std.unsqueeze(1))

    # a 256-d two-tower retriever at 8192 (in-batch, and with 16384 draws from a 2M-item corpus); SASRec on ML-1M
    # (200 steps, 64-d) at 256; BERT4Rec on ML-20m (26746 items, 256-d) at 64 x 200; NeuMF on ML-20m at 131072 per
    # GPU; the row-wise Adagrad update of 65536 unique rows of a 4M x 128 table
    out += [("two_tower_inbatch_logq", two_tower_inbatch, (mf(8192, 256), mf(8192, 256), mf(8192))),
            ("two_tower_mixed_negatives", two_tower_mixed,
             (mf(8192, 256), mf(8192, 256), mf(2000000, 256), i(16384))),
            ("sasrec_embed", sasrec_embed, (i(256, 200), i(256, 200), mf(3417, 64), mf(201, 64))),
            ("sasrec_bce", sasrec_bce, (mf(256, 200, 64), mf(256, 200, 64), mf(256, 200))),
            ("bert4rec_full_logits", bert4rec_logits, (mf(64, 200, 256), mf(26746, 256), mf(26746))),
            ("neumf_gmf_ml20m", neumf_gmf, (i(131072), i(131072), mf(138493, 64), mf(26744, 64))),
            ("rowwise_adagrad", rowwise_adagrad, (mf(4000000, 128), mf(4000000), i(65536), mf(65536, 128)))]

    # ================================================================== tabular models
    def ft_num_tokenizer(x_num, w_num, b_num, cls):  # rtdl's FT-Transformer numerical tokenizer and CLS token
        x = w_num[None] * x_num[..., None] + b_num[None]
        return torch.cat([cls.expand(x.shape[0], 1, -1), x], dim=1)

    def ft_cls_attention(q, k):  # the last FT-Transformer block queries the CLS token only
        return torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]), dim=-1)

    def sparsemax(x, dim=-1):  # pytorch-tabnet's sparsemax (sort, cumsum, support, tau)
        max_val, _ = x.max(dim=dim, keepdim=True)
        x = x - max_val
        x_srt, _ = torch.sort(x, descending=True, dim=dim)
        x_cumsum = x_srt.cumsum(dim) - 1
        d = x.size(dim)
        rhos = torch.arange(1, d + 1, device=x.device, dtype=x.dtype).view(1, -1)
        support = rhos * x_srt > x_cumsum
        support_size = support.sum(dim=dim).unsqueeze(dim)
        tau = x_cumsum.gather(dim, support_size - 1)
        tau = tau / support_size.to(x.dtype)
        return torch.clamp(x - tau, min=0)

    def node_response(bins, bin_codes_1hot, response):  # NODE's ODST layer after its sparsemoid bins: the leaf
        bin_matches = torch.einsum("btds,dcs->btdc", bins, bin_codes_1hot)  # weights by a product over depth
        return torch.einsum("bnd,ncd->bnc", torch.prod(bin_matches, dim=-2), response)

    # FT-Transformer (d 192, 8 heads of 24) on MSD's 90 numeric features at 1024; TabNet's attentive sparsemax on
    # Covertype (54 features) at its 16384 batch; NODE's ODST leaves on Epsilon (2048 trees of depth 6) at 256
    out += [("ft_num_tokenizer", ft_num_tokenizer, (mf(1024, 90), mf(90, 192), mf(90, 192), mf(1, 1, 192))),
            ("ft_cls_attention", ft_cls_attention, (mf(1024, 8, 1, 24), mf(1024, 8, 91, 24))),
            ("tabnet_sparsemax", sparsemax, (mf(16384, 54),)),
            ("node_odst_response", node_response, (mf(256, 2048, 6, 2), mf(6, 64, 2), mf(2048, 1, 64)))]

    # ================================================================== time-series forecasting
    def patchtst_patch(z, w_p, b_p, patch_len=16, stride=8):  # PatchTST_backbone's patching and W_P projection
        z = F.pad(z, (0, stride), mode="replicate")  # nn.ReplicationPad1d((0, stride))
        z = z.unfold(dimension=-1, size=patch_len, step=stride)
        return linear(z, w_p, b_p)

    def patchtst_res_attention(q, k, prev):  # PatchTST's _ScaledDotProductAttention with residual attention
        return F.softmax(torch.matmul(q, k) * (q.shape[-1] ** -0.5) + prev, dim=-1)

    def patchtst_batchnorm(src, bn):  # PatchTST's norm: Transpose(1, 2), BatchNorm1d(d_model), Transpose(1, 2)
        return bn_train(src.transpose(1, 2), bn).transpose(1, 2)

    def prob_qk(queries, K_sample, L_K=720, u=35):  # Informer's ProbAttention._prob_QK: Q against its sampled keys,
        Q_K_sample = torch.matmul(queries.unsqueeze(-2), K_sample.transpose(-2, -1)).squeeze(-2)  # the sparsity
        M = Q_K_sample.max(-1)[0] - torch.div(Q_K_sample.sum(-1), L_K)  # measure M and its top-u queries
        return M.topk(u, sorted=False)[1]

    def series_decomp(x, kernel_size=25):  # Autoformer's moving_avg and series_decomp, x [B, L, C]
        front = x[:, 0:1, :].repeat(1, (kernel_size - 1) // 2, 1)
        end = x[:, -1:, :].repeat(1, (kernel_size - 1) // 2, 1)
        xp = torch.cat([front, x, end], dim=1)
        moving_mean = F.avg_pool1d(xp.permute(0, 2, 1), kernel_size=kernel_size, stride=1, padding=0).permute(0, 2, 1)
        return x - moving_mean, moving_mean

    def auto_correlation(queries, keys):  # Autoformer's AutoCorrelation: period-based dependencies by FFT
        L = queries.shape[1]
        q_fft = torch.fft.rfft(queries.permute(0, 2, 3, 1).contiguous(), dim=-1)
        k_fft = torch.fft.rfft(keys.permute(0, 2, 3, 1).contiguous(), dim=-1)
        return torch.fft.irfft(q_fft * torch.conj(k_fft), n=L, dim=-1)

    def timesnet_fft_period(x, k=5):  # TimesNet's FFT_for_Period: amplitudes and the top-k frequencies
        xf = torch.fft.rfft(x, dim=1)
        frequency_list = abs(xf).mean(0).mean(-1)
        return torch.topk(frequency_list, k)

    def itransformer_embed(x_enc, x_mark, w, b):  # iTransformer's DataEmbedding_inverted: variates as tokens
        return linear(torch.cat([x_enc.permute(0, 2, 1), x_mark.permute(0, 2, 1)], 1), w, b)

    def nbeats_block(x, w1, b1, w2, b2, w3, b3, w4, b4, wt, bt):  # N-BEATS generic block: 4 FC + ReLU, theta
        for w, b in ((w1, b1), (w2, b2), (w3, b3), (w4, b4)):
            x = F.relu(linear(x, w, b))
        return linear(x, wt, bt)

    def tft_grn(a, w2, b2, w1, b1):  # TFT's GatedResidualNetwork: ELU hidden layer and the GLU gate
        return F.glu(linear(F.elu(linear(a, w2, b2)), w1, b1), dim=-1)

    # PatchTST/42 on Electricity (321 variables, 336 steps, patch 16 stride 8, d 128, 16 heads) at 32; Informer on
    # ETTh1 (720-step input, 35 sampled keys, d 512, 8 heads) at 32; Autoformer on ETTh1 (96 steps, d 512, 8 heads) at
    # 32; TimesNet's period search on ECL (96 + 96 steps, d 256) at 32; iTransformer on Traffic (862 variates + 4
    # marks, 96 steps, d 512) at 16; N-BEATS on hourly data (336 -> 48, width 512) at 1024; TFT's GRN on Electricity
    # (168 + 24 steps, hidden 160) at 64
    out += [("patchtst_patching", patchtst_patch, (mf(32, 321, 336), mf(128, 16), mf(128))),
            ("patchtst_res_attention", patchtst_res_attention,
             (mf(10272, 16, 42, 8), mf(10272, 16, 8, 42), mf(10272, 16, 42, 42))),
            ("patchtst_batchnorm", patchtst_batchnorm, (mf(10272, 42, 128), bn_state(128))),
            ("informer_prob_qk", prob_qk, (mf(32, 8, 720, 64), mf(32, 8, 720, 35, 64))),
            ("autoformer_series_decomp", series_decomp, (mf(32, 96, 512),)),
            ("autoformer_fft_correlation", auto_correlation, (mf(32, 96, 8, 64), mf(32, 96, 8, 64))),
            ("timesnet_fft_period", timesnet_fft_period, (mf(32, 192, 256),)),
            ("itransformer_embed", itransformer_embed, (mf(16, 96, 862), mf(16, 96, 4), mf(512, 96), mf(512))),
            ("nbeats_generic_block", nbeats_block,
             (mf(1024, 336), mf(512, 336), mf(512), mf(512, 512), mf(512), mf(512, 512), mf(512), mf(512, 512),
              mf(512), mf(384, 512), mf(384))),
            ("tft_grn", tft_grn, (mf(64, 192, 160), mf(160, 160), mf(160), mf(320, 160), mf(320)))]

    # ================================================================== reinforcement learning
    def trl_gae(values, rewards, gamma=1.0, lam=0.95):  # TRL PPOTrainer.compute_advantages over response tokens
        lastgaelam = 0
        advantages_reversed = []
        gen_len = rewards.shape[-1]
        for t in reversed(range(gen_len)):
            nextvalues = values[:, t + 1] if t < gen_len - 1 else 0.0
            delta = rewards[:, t] + gamma * nextvalues - values[:, t]
            lastgaelam = delta + gamma * lam * lastgaelam
            advantages_reversed.append(lastgaelam)
        advantages = torch.stack(advantages_reversed[::-1]).transpose(0, 1)
        return advantages, advantages + values

    def grpo_loss(coef_1, advantages, eps=0.2):  # TRL GRPOTrainer's clipped per-token loss (group-normalised
        coef_2 = torch.clamp(coef_1, 1 - eps, 1 + eps)  # advantages broadcast over the completion)
        return -torch.min(coef_1 * advantages, coef_2 * advantages)

    def selective_log_softmax_fp32(logits, index):  # TRL's selective_log_softmax for fp32 logits
        selected_logits = torch.gather(logits, dim=-1, index=index.unsqueeze(-1)).squeeze(-1)
        logsumexp_values = torch.stack([torch.logsumexp(lg, dim=-1) for lg in logits])
        return selected_logits - logsumexp_values

    def selective_log_softmax_bf16(logits, index):  # ... and its row-by-row path for bf16 logits
        per_token_logps = []
        for row_logits, row_labels in zip(logits, index, strict=True):
            row_logps = F.log_softmax(row_logits, dim=-1)
            per_token_logps.append(row_logps.gather(dim=-1, index=row_labels.unsqueeze(-1)).squeeze(-1))
        return torch.stack(per_token_logps)

    def dpo_batch_logps(logits, labels, loss_mask):  # DPO's get_batch_logps (shifted, -100 labels masked)
        per_token_logps = torch.gather(logits[:, :-1, :].log_softmax(-1), dim=2, index=labels.unsqueeze(2)).squeeze(2)
        return (per_token_logps * loss_mask).sum(-1)

    # TRL PPO's GAE over 256 rollouts of 512 response tokens; GRPO over 8 prompts x 8 completions of 1024; TRL's
    # selective log-softmax over Qwen2.5's 151936 vocabulary (4 x 1024, fp32 and bf16); DPO's log-probs on Llama-3-8B
    # (4 pairs of 1024 tokens, 128256 vocabulary)
    out += [("trl_ppo_gae", trl_gae, (mf(256, 512), mf(256, 512))),
            ("trl_grpo_loss", grpo_loss, (mf(64, 1024), mf(64, 1))),
            ("trl_selective_logsoftmax_fp32", selective_log_softmax_fp32, (mf(4, 1024, 151936), i(4, 1024))),
            ("trl_selective_logsoftmax_bf16", selective_log_softmax_bf16, (m(4, 1024, 151936), i(4, 1024))),
            ("dpo_batch_logps", dpo_batch_logps, (m(8, 1024, 128256), i(8, 1023), m(8, 1023)))]

    # ------------------------------------------------------------------ off-policy and value-based
    def squashed_gaussian(x_t, action_scale):  # CleanRL SAC's tanh squashing and its log-prob correction
        y_t = torch.tanh(x_t)
        return torch.log(action_scale * (1 - y_t.pow(2)) + 1e-6).sum(1, keepdim=True)

    def twin_q(obs, act, w1, b1):  # SAC / TD3's critics on cat(obs, act), the first layer
        return F.relu(linear(torch.cat([obs, act], 1), w1, b1))

    def cql_penalty(q_rand, q_curr, q_next):  # CQL(H)'s logsumexp over random, current and next-state actions
        return torch.logsumexp(torch.cat([q_rand, q_next, q_curr], 1), dim=1).mean()

    def nature_cnn(x, w1, b1):  # CleanRL's Atari trunk on uint8 frames: x / 255, the 8 x 8 stride-4 conv
        return F.relu(F.conv2d(x / 255.0, w1, b1, stride=4))

    def double_dqn_td(q_values, q_next_online, q_next_target, actions):  # Double-DQN's action choice and gathers
        target_max = q_next_target.gather(1, q_next_online.argmax(dim=1, keepdim=True)).squeeze(1)
        return q_values.gather(1, actions).squeeze(1), target_max

    def dt_tokens(returns_emb, state_emb, action_emb, lnw, lnb):  # DecisionTransformer.forward: (R, s, a) tokens
        B, K, h = state_emb.shape  # interleaved, LayerNorm
        stacked = torch.stack((returns_emb, state_emb, action_emb), dim=1)
        return ln(stacked.permute(0, 2, 1, 3).reshape(B, 3 * K, h), lnw, lnb)

    # massively parallel SAC (FastSAC-style, Humanoid: 376 obs, 17 actions, 512 wide) at 32768; CQL on D4RL (3 x 10
    # sampled actions) at 256; the Nature CNN's first conv over a PPO minibatch of 256 stacked frames; Double-DQN's
    # gathers at 512 (18 actions); the gym Decision Transformer (K 20, 128 wide) at 64
    out += [("sac_squashed_gaussian", squashed_gaussian, (mf(32768, 17), mf(17))),
            ("sac_critic_input", twin_q, (mf(32768, 376), mf(32768, 17), mf(512, 393), mf(512))),
            ("cql_logsumexp", cql_penalty, (mf(256, 10, 1), mf(256, 10, 1), mf(256, 10, 1))),
            ("nature_cnn_ppo", nature_cnn, (mu8(256, 4, 84, 84), mf(32, 4, 8, 8), mf(32))),
            ("double_dqn_gathers", double_dqn_td, (mf(512, 18), mf(512, 18), mf(512, 18), i(512, 1))),
            ("decision_transformer_tokens", dt_tokens,
             (mf(64, 20, 128), mf(64, 20, 128), mf(64, 20, 128), mf(128), mf(128)))]

    # ================================================================== protein and molecular models
    # ------------------------------------------------------------------ OpenFold's Evoformer pieces
    def tri_mul_combine(a, b, z, lnw, lnb, wz, bz, wg, bg, outgoing=True):  # OpenFold's TriangleMultiplicativeUpdate
        if outgoing:  # after its gated projections: the permute-and-matmul combine, LayerNorm, output and gate
            p = torch.matmul(a.permute(0, 3, 1, 2), b.permute(0, 3, 2, 1))
        else:
            p = torch.matmul(a.permute(0, 3, 2, 1), b.permute(0, 3, 1, 2))
        x = linear(F.layer_norm(p.permute(0, 2, 3, 1), (p.shape[1],), lnw, lnb), wz, bz)
        return x * torch.sigmoid(linear(z, wg, bg))

    def tri_mul_inputs(n, maker, c=128):
        return (maker(1, n, n, c), maker(1, n, n, c), maker(1, n, n, c), maker(c), maker(c), maker(c, c), maker(c),
                maker(c, c), maker(c))

    def biased_attention(q, k, mask_bias, pair_bias):  # OpenFold's Attention core: scores with two biases
        a = torch.matmul(q / math.sqrt(q.shape[-1]), k.transpose(-1, -2))
        return torch.softmax(a + mask_bias + pair_bias, -1)

    def msa_pair_bias(z, lnw, lnb, wz):  # MSARowAttentionWithPairBias's bias: LayerNorm(z), per-head linear, permute
        z = linear(F.layer_norm(z, (z.shape[-1],), lnw, lnb), wz)
        return z.permute(0, 3, 1, 2).unsqueeze(-4)

    def outer_product_mean(a, b, mask, wo, bo, eps=1e-3):  # OpenFold's OuterProductMean after its projections
        a, b = a.transpose(-2, -3), b.transpose(-2, -3)
        outer = torch.einsum("...bac,...dae->...bdce", a, b)
        outer = linear(outer.reshape(outer.shape[:-2] + (-1,)), wo, bo)
        mask = mask.unsqueeze(-1)
        norm = torch.einsum("...abc,...adc->...bdc", mask, mask)
        return outer / (norm + eps)

    # AF2 fine-tuning crops of 384 residues in bf16 (c_z 128, c_m 256, 512 MSA clusters) and the initial-training crop
    # of 256 in fp32: the outgoing triangle update's combine, gate and output and the incoming one's matmul, triangle
    # attention's biased scores (4 heads of 32), MSA row attention's pair bias (8 heads), outer-product mean (32)
    out += [("openfold_tri_mul_out_384", tri_mul_combine, tri_mul_inputs(384, m)),
            ("openfold_tri_mul_in_256", lambda a, b: torch.matmul(a.permute(0, 3, 2, 1), b.permute(0, 3, 1, 2)),
             (mf(1, 256, 256, 128), mf(1, 256, 256, 128))),
            ("openfold_tri_attention_256", biased_attention,
             (m(1, 256, 4, 256, 32), m(1, 256, 4, 256, 32), m(1, 256, 1, 1, 256), m(1, 1, 4, 256, 256))),
            ("openfold_msa_pair_bias", msa_pair_bias, (m(1, 256, 256, 128), m(128), m(128), m(8, 128))),
            ("openfold_outer_product_mean", outer_product_mean,
             (m(1, 512, 256, 32), m(1, 512, 256, 32), m(1, 512, 256), m(128, 1024), m(128)))]

    # ------------------------------------------------------------------ OpenFold's heads and FAPE, ESM-2's contacts
    def distogram_head(z, w, b):  # OpenFold's DistogramHead (64 bins), symmetrised
        logits = linear(z, w, b)
        return logits + logits.transpose(-2, -3)

    def rot_vec_mul(r, t):  # OpenFold's rot_vec_mul
        x, y, z = torch.unbind(t, dim=-1)
        return torch.stack([r[..., 0, 0] * x + r[..., 0, 1] * y + r[..., 0, 2] * z,
                            r[..., 1, 0] * x + r[..., 1, 1] * y + r[..., 1, 2] * z,
                            r[..., 2, 0] * x + r[..., 2, 1] * y + r[..., 2, 2] * z], dim=-1)

    def fape(pred_rots, pred_trans, pred_pos):  # OpenFold's compute_fape: all atoms in every predicted frame
        return rot_vec_mul(pred_rots.transpose(-1, -2)[..., None, :, :],  # (Rigid.invert()[..., None].apply)
                           pred_pos[..., None, :, :] - pred_trans[..., None, :])

    def esm_contact_apc(attentions):  # ESM's ContactPredictionHead: symmetrise, average product correction
        batch_size, layers, heads, seqlen, _ = attentions.size()
        attentions = attentions.view(batch_size, layers * heads, seqlen, seqlen)
        attentions = attentions + attentions.transpose(-1, -2)
        a1 = attentions.sum(-1, keepdims=True)
        a2 = attentions.sum(-2, keepdims=True)
        a12 = attentions.sum((-1, -2), keepdims=True)
        avg = a1 * a2
        avg.div_(a12)
        return attentions - avg

    # OpenFold at a 384 crop: the distogram head (64 bins); the side-chain FAPE's local frames (384 residues x 8
    # frames, 14 atoms each); ESM-2 650M's contact APC over its 33 x 20 maps of a 512-residue protein
    out += [("openfold_distogram_head", distogram_head, (mf(1, 384, 384, 128), mf(64, 128), mf(64))),
            ("openfold_sidechain_fape_frames", fape, (mf(1, 3072, 3, 3), mf(1, 3072, 3), mf(1, 5376, 3))),
            ("esm2_contact_apc", esm_contact_apc, (mf(1, 33, 20, 512, 512),))]

    # ------------------------------------------------------------------ SchNet, DimeNet++
    def schnet_edges(edge_weight, offset, coeff=-0.5 / (6.0 / 199) ** 2):  # PyG SchNet's GaussianSmearing
        dist = edge_weight.view(-1, 1) - offset.view(1, -1)
        return torch.exp(coeff * torch.pow(dist, 2))

    def schnet_cfconv(h, edge_index, W):  # PyG SchNet's CFConv: message x_j * W, scatter-sum at the targets
        msg = h.index_select(0, edge_index[0]) * W
        index = edge_index[1].view(-1, 1).expand_as(msg)
        return msg.new_zeros((h.size(0), msg.size(1))).scatter_add_(0, index, msg)

    def dimenet_angles(pos, idx_i, idx_j, idx_k):  # PyG DimeNet: the angles of the triplets k -> j -> i
        pos_i = pos[idx_i]
        pos_ji, pos_ki = pos[idx_j] - pos_i, pos[idx_k] - pos_i
        a = (pos_ji * pos_ki).sum(dim=-1)
        b = torch.cross(pos_ji, pos_ki, dim=1).norm(dim=-1)
        return torch.atan2(b, a)

    def dimenetpp_triplets(x_kj, sbf, idx_kj, idx_ji, w_up, n_edges=128000):  # DimeNet++'s triplet message pass
        x_kj = x_kj[idx_kj] * sbf
        index = idx_ji.view(-1, 1).expand_as(x_kj)
        x_kj = x_kj.new_zeros((n_edges, x_kj.size(1))).scatter_add_(0, index, x_kj)
        return F.silu(linear(x_kj, w_up))

    # SchNet on OC20-sized batches (32 structures x 80 atoms, 50 neighbours within 6 A, 200 Gaussians, 256 filters);
    # DimeNet++ (OC20: 128000 edges, 1.5M triplets, 64 int. embedding, 256 hidden)
    out += [("schnet_gaussian_smearing", schnet_edges, (mf(128000), mf(200))),
            ("schnet_cfconv", schnet_cfconv, (mf(2560, 256), i(2, 128000), mf(128000, 256))),
            ("dimenet_triplet_angles", dimenet_angles, (mf(2560, 3), i(1500000), i(1500000), i(1500000))),
            ("dimenetpp_triplet_message", dimenetpp_triplets,
             (mf(128000, 64), mf(1500000, 64), i(1500000), i(1500000), mf(256, 64)))]

    # ================================================================== weather and climate
    def afno2d(x, w1, b1, w2, b2, num_blocks=8, sparsity=0.01):
        # FourCastNet's AFNO2D filter: rfft2, the block-diagonal complex MLP (all modes kept), softshrink, irfft2
        B, H, W, C = x.shape
        xf = torch.fft.rfft2(x.float(), dim=(1, 2), norm="ortho").reshape(B, H, W // 2 + 1, num_blocks, C // num_blocks)
        o1_real = F.relu(torch.einsum("...bi,bio->...bo", xf.real, w1[0])
                         - torch.einsum("...bi,bio->...bo", xf.imag, w1[1]) + b1[0])
        o1_imag = F.relu(torch.einsum("...bi,bio->...bo", xf.imag, w1[0])
                         + torch.einsum("...bi,bio->...bo", xf.real, w1[1]) + b1[1])
        o2_real = (torch.einsum("...bi,bio->...bo", o1_real, w2[0]) - torch.einsum("...bi,bio->...bo", o1_imag, w2[1])
                   + b2[0])
        o2_imag = (torch.einsum("...bi,bio->...bo", o1_imag, w2[0]) + torch.einsum("...bi,bio->...bo", o1_real, w2[1])
                   + b2[1])
        xf = torch.view_as_complex(F.softshrink(torch.stack([o2_real, o2_imag], dim=-1), lambd=sparsity))
        return torch.fft.irfft2(xf.reshape(B, H, W // 2 + 1, C), s=(H, W), dim=(1, 2), norm="ortho").type(x.dtype) + x

    def fourcastnet_patch_embed(x, w, b, pos):  # PatchEmbed (8 x 8), flatten, transpose, + pos_embed; reshape to grid
        x = F.conv2d(x, w, b, stride=8).flatten(2).transpose(1, 2)
        x = x + pos
        return x.reshape(x.shape[0], 90, 180, x.shape[-1])

    def graphcast_edge_update(e, v, senders, receivers, w1, b1):
        # GraphCast's InteractionNetwork edge step: the first MLP layer (Linear, Swish) of cat(e, v_s, v_r)
        x = torch.cat([e, v[senders], v[receivers]], dim=-1)
        return F.silu(linear(x, w1, b1))

    def graphcast_node_aggregate(v, e, receivers):  # ... its node step's segment sum and input
        agg = torch.zeros_like(v).index_add_(0, receivers, e)
        return torch.cat([v, agg], dim=-1)

    def lat_weighted_mse(pred, target, w_lat):  # ClimaX / GraphCast's latitude-weighted MSE (per variable)
        err = (pred - target) ** 2 * w_lat.view(1, 1, -1, 1)
        return err.mean(dim=(-2, -1))

    def pangu_patch_embed(upper, surface, w3, b3, w2, b2):  # Pangu-Weather's PatchEmbedding: pad, conv3d / conv2d
        upper = F.pad(upper, (0, 0, 1, 2, 0, 1))
        surface = F.pad(surface, (0, 0, 1, 2))
        x_u = F.conv3d(upper, w3, b3, stride=(2, 4, 4))
        x_s = F.conv2d(surface, w2, b2, stride=(4, 4)).unsqueeze(2)
        return torch.cat([x_s, x_u], dim=2)

    def sfno_sht(x, weights, lmax=240, mmax=241):  # torch-harmonics' RealSHT.forward: rfft over longitude, Legendre
        x = 2.0 * math.pi * torch.fft.rfft(x, dim=-1, norm="forward")  # projection over latitude by einsum
        x = torch.view_as_real(x)
        out_shape = list(x.size())
        out_shape[-3] = lmax
        out_shape[-2] = mmax
        xout = torch.zeros(out_shape, dtype=x.dtype, device=x.device)
        xout[..., 0] = torch.einsum("...km,mlk->...lm", x[..., :mmax, 0], weights.to(x.dtype))
        xout[..., 1] = torch.einsum("...km,mlk->...lm", x[..., :mmax, 1], weights.to(x.dtype))
        return torch.view_as_complex(xout)

    # FourCastNet (720 x 1440 at patch 8: 90 x 180 tokens, 768 wide, 8 blocks, 20 channels) at 2 per GPU in fp32;
    # GraphCast's mesh processor on the 6-level multimesh (40962 nodes, 327660 edges, 512 latent) in bf16; the
    # latitude-weighted MSE over 73 ERA5 channels at 0.25 deg; Pangu-Weather's patch embedding (5 x 13 levels and 4
    # surface variables + 3 masks, 192 wide); SFNO's SHT on its 240 x 480 internal grid at 256 channels
    out += [("fourcastnet_afno2d", afno2d,
             (mf(2, 90, 180, 768), mf(2, 8, 96, 96), mf(2, 8, 96), mf(2, 8, 96, 96), mf(2, 8, 96))),
            ("fourcastnet_patch_embed", fourcastnet_patch_embed,
             (mf(2, 20, 720, 1440), mf(768, 20, 8, 8), mf(768), mf(1, 16200, 768))),
            ("graphcast_mesh_edge_update", graphcast_edge_update,
             (m(327660, 512), m(40962, 512), i(327660), i(327660), m(512, 1536), m(512))),
            ("graphcast_mesh_node_aggregate", graphcast_node_aggregate, (m(40962, 512), m(327660, 512), i(327660))),
            ("era5_lat_weighted_mse", lat_weighted_mse, (mf(1, 73, 721, 1440), mf(1, 73, 721, 1440), mf(721))),
            ("pangu_patch_embed", pangu_patch_embed,
             (mf(1, 5, 13, 721, 1440), mf(1, 7, 721, 1440), mf(192, 5, 2, 4, 4), mf(192), mf(192, 7, 4, 4), mf(192))),
            ("sfno_sht_240", sfno_sht, (mf(1, 256, 240, 480), mf(241, 240, 240)))]

    # ================================================================== vision transformers
    # ------------------------------------------------------------------ Swin
    def swin_shift_partition(x, H=56, W=56, ws=7, shift=3):  # Swin's cyclic shift and window_partition
        B, L, C = x.shape
        x = torch.roll(x.view(B, H, W, C), shifts=(-shift, -shift), dims=(1, 2))
        x = x.view(B, H // ws, ws, W // ws, ws, C)
        return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, ws * ws, C)

    def swin_window_reverse(windows, H=56, W=56, ws=7, shift=3):  # window_reverse and the reverse shift
        B = int(windows.shape[0] / (H * W / ws / ws))
        x = windows.view(B, H // ws, W // ws, ws, ws, -1).permute(0, 1, 3, 2, 4, 5).contiguous().view(B, H, W, -1)
        return torch.roll(x, shifts=(shift, shift), dims=(1, 2)).view(B, H * W, -1)

    def swin_window_scores(q, k, table, rel_index, mask):  # WindowAttention: scores, relative position bias gathered
        B_, heads, N, _ = q.shape  # from the table, the shifted-window mask, softmax
        attn = (q * (q.shape[-1] ** -0.5)) @ k.transpose(-2, -1)
        bias = table[rel_index.view(-1)].view(N, N, -1).permute(2, 0, 1).contiguous()
        attn = attn + bias.unsqueeze(0)
        nW = mask.shape[0]
        attn = attn.view(B_ // nW, nW, heads, N, N) + mask.unsqueeze(1).unsqueeze(0)
        return F.softmax(attn.view(-1, heads, N, N), dim=-1)

    def swin_patch_merging(x, nw, nb, w, H=56, W=56):  # Swin's PatchMerging
        B, L, C = x.shape
        x = x.view(B, H, W, C)
        x = torch.cat([x[:, 0::2, 0::2, :], x[:, 1::2, 0::2, :], x[:, 0::2, 1::2, :], x[:, 1::2, 1::2, :]], -1)
        return linear(ln(x.view(B, -1, 4 * C), nw, nb), w)

    # Swin-T stage 1 (56 x 56, 96 wide, 3 heads, window 7, shift 3) at 128 under AMP: the shift and partition, the
    # scores with the gathered bias and the shifted-window mask, the reverse; its first PatchMerging
    out += [("swin_t_shift_partition", swin_shift_partition, (mh(128, 3136, 96),)),
            ("swin_t_window_reverse", swin_window_reverse, (mh(8192, 49, 96),)),
            ("swin_t_window_scores", swin_window_scores,
             (mh(8192, 3, 49, 32), mh(8192, 3, 49, 32), mh(169, 3), i(49, 49), mh(64, 49, 49))),
            ("swin_patch_merging", swin_patch_merging, (mh(128, 3136, 96), mh(384), mh(384), mh(192, 384)))]

    # ------------------------------------------------------------------ ViT, MAE, DINO
    def vit_embed(x, w, b, cls, pos):  # ViT's PatchEmbed, class token, position embedding
        x = F.conv2d(x, w, b, stride=16).flatten(2).transpose(1, 2)
        x = torch.cat((cls.expand(x.shape[0], -1, -1), x), dim=1)
        return x + pos

    def dinov2_interp_pos(pos_embed, w0=16, h0=16):  # DINOv2's interpolate_pos_encoding (bicubic, antialias)
        class_pos, patch_pos = pos_embed[:, 0], pos_embed[:, 1:]
        dim = pos_embed.shape[-1]
        M = int(math.sqrt(patch_pos.shape[1]))
        patch_pos = F.interpolate(patch_pos.reshape(1, M, M, dim).permute(0, 3, 1, 2), size=(w0, h0), mode="bicubic",
                                  antialias=True)
        patch_pos = patch_pos.permute(0, 2, 3, 1).view(1, -1, dim)
        return torch.cat((class_pos.unsqueeze(0), patch_pos), dim=1)

    def mae_random_masking(x, mask_ratio=0.75):  # MAE's random_masking by argsort / gather
        N, L, D = x.shape
        len_keep = int(L * (1 - mask_ratio))
        noise = torch.rand(N, L, device=x.device)
        ids_shuffle = torch.argsort(noise, dim=1)
        ids_restore = torch.argsort(ids_shuffle, dim=1)
        ids_keep = ids_shuffle[:, :len_keep]
        x_masked = torch.gather(x, dim=1, index=ids_keep.unsqueeze(-1).repeat(1, 1, D))
        mask = torch.ones([N, L], device=x.device)
        mask[:, :len_keep] = 0
        return x_masked, torch.gather(mask, dim=1, index=ids_restore), ids_restore

    def dino_loss_term(student_crop, teacher_output, center, student_temp=0.1, teacher_temp=0.04):  # DINOLoss: the
        q = F.softmax((teacher_output - center) / teacher_temp, dim=-1)  # centred, sharpened teacher against one crop
        return torch.sum(-q * F.log_softmax(student_crop / student_temp, dim=-1), dim=-1).mean()

    # ViT-L/16 at 224 (64 per GPU, bf16); DINOv2 ViT-L/14's 37 x 37 position table to 16 x 16; MAE ViT-L pretraining
    # at 64 per GPU in fp16 (mask 0.75); DINO ViT-S/16's loss for one of its crops (64 per GPU, 65536 prototypes)
    out += [("vit_l16_embed", vit_embed,
             (m(64, 3, 224, 224), m(1024, 3, 16, 16), m(1024), m(1, 1, 1024), m(1, 197, 1024))),
            ("dinov2_interpolate_pos", dinov2_interp_pos, (mf(1, 1370, 1024),)),
            ("mae_random_masking", mae_random_masking, (mh(64, 196, 1024),)),
            ("dino_loss_term", dino_loss_term, (mh(64, 65536), mh(64, 65536), mh(1, 65536)))]

    # ================================================================== detection and segmentation
    # ------------------------------------------------------------------ DETR family
    def detr_sine_pos(x_embed, y_embed, dim_t):  # DETR's PositionEmbeddingSine after its normalised cumsums
        pos_x = x_embed[:, :, :, None] / dim_t
        pos_y = y_embed[:, :, :, None] / dim_t
        pos_x = torch.stack((pos_x[:, :, :, 0::2].sin(), pos_x[:, :, :, 1::2].cos()), dim=4).flatten(3)
        pos_y = torch.stack((pos_y[:, :, :, 0::2].sin(), pos_y[:, :, :, 1::2].cos()), dim=4).flatten(3)
        return torch.cat((pos_y, pos_x), dim=3).permute(0, 3, 1, 2)

    def focal_matcher_cost(out_prob, tgt_ids, alpha=0.25, gamma=2.0):  # Deformable-DETR / DINO's HungarianMatcher:
        out_prob = out_prob[:, tgt_ids]  # the focal class cost (on the target classes' columns)
        neg_cost_class = (1 - alpha) * (out_prob ** gamma) * (-(1 - out_prob + 1e-8).log())
        pos_cost_class = alpha * ((1 - out_prob) ** gamma) * (-(out_prob + 1e-8).log())
        return pos_cost_class - neg_cost_class

    def ms_deform_sample_level(value_l, sampling_locations_l, N_=2, M_=8, H_=100, W_=167):
        # Deformable DETR's ms_deform_attn_core_pytorch at its finest level: the value map and grid_sample
        D_ = value_l.shape[-1]
        value_l_ = value_l.flatten(2).transpose(1, 2).reshape(N_ * M_, D_, H_, W_)
        sampling_grid_l_ = (2 * sampling_locations_l - 1).transpose(1, 2).flatten(0, 1)
        return F.grid_sample(value_l_, sampling_grid_l_, mode="bilinear", padding_mode="zeros", align_corners=False)

    # DETR R50 at 800 x 1216 (25 x 38 features) at 4 per GPU; DINO-DETR's matcher (900 queries, 91 classes) at 16 with
    # 320 targets; Deformable DETR's encoder (4 levels at 800 x 1333: 22223 queries, 8 heads of 32, 4 points) at 2: the
    # sampling of its finest level and the weighted sum over levels and points
    out += [("detr_sine_position", detr_sine_pos, (mf(4, 25, 38), mf(4, 25, 38), mf(128))),
            ("dino_detr_focal_cost", focal_matcher_cost, (mf(14400, 91), i(320))),
            ("detr_l1_box_cost", lambda a, b: torch.cdist(a, b, p=1), (mf(14400, 4), mf(320, 4))),
            ("deformable_attn_sample_p3", ms_deform_sample_level, (mf(2, 16700, 8, 32), mf(2, 22223, 8, 4, 2))),
            ("deformable_attn_weighting", lambda sv, aw: (sv * aw).sum(-1),
             (mf(16, 32, 22223, 16), mf(16, 1, 22223, 16)))]

    # ------------------------------------------------------------------ Mask2Former
    def mask2former_attn_mask(outputs_mask, size=(32, 32), heads=8):  # forward_prediction_heads' attention mask
        attn_mask = F.interpolate(outputs_mask, size=size, mode="bilinear", align_corners=False)
        attn_mask = (attn_mask.sigmoid().flatten(2).unsqueeze(1).repeat(1, heads, 1, 1).flatten(0, 1) < 0.5).bool()
        return attn_mask & ~attn_mask.all(-1, keepdim=True)  # attn_mask[all-masked rows] = False, static shapes

    def masked_attention_scores(qh, kh, vh, attn_mask):  # the masked-attention layer's core (per batch x head)
        attn = torch.bmm(qh, kh.transpose(1, 2)).masked_fill(attn_mask, float("-inf"))
        return torch.bmm(F.softmax(attn, dim=-1), vh)

    def batch_dice_cost(inputs, targets):  # Mask2Former's matcher: batch_dice_loss over the sampled points
        numerator = 2 * torch.einsum("nc,mc->nm", inputs, targets)
        return 1 - (numerator + 1) / (inputs.sum(-1)[:, None] + targets.sum(-1)[None, :] + 1)

    # Mask2Former R50 on ADE20K at 512 (100 queries, 256 wide, 8 heads, 128 x 128 mask features) at 16: the mask
    # einsum, the 1/32 attention mask, masked cross-attention over the 1/8 level (64 x 64), the matcher's dice cost over
    # 12544 points for 20 targets
    out += [("mask2former_mask_einsum", lambda e, f: torch.einsum("bqc,bchw->bqhw", e, f),
             (mf(16, 100, 256), mf(16, 256, 128, 128))),
            ("mask2former_attn_mask", mask2former_attn_mask, (mf(16, 100, 128, 128),)),
            ("mask2former_masked_attention", masked_attention_scores,
             (mf(128, 100, 32), mf(128, 4096, 32), mf(128, 4096, 32), mb(128, 100, 4096))),
            ("mask2former_dice_cost", batch_dice_cost, (mf(100, 12544), mf(20, 12544)))]

    # ------------------------------------------------------------------ YOLO
    def yolov5_detect_level(x, grid, anchor_grid, stride=8, na=3, no=85):  # YOLOv5 Detect.forward at one level
        bs, _, ny, nx = x.shape
        x = x.view(bs, na, no, ny, nx).permute(0, 1, 3, 4, 2).contiguous()
        xy, wh, conf = x.sigmoid().split((2, 2, no - 4), 4)
        xy = (xy * 2 + grid) * stride
        wh = (wh * 2) ** 2 * anchor_grid
        return torch.cat((xy, wh, conf), 4).view(bs, na * nx * ny, no)

    def yolov8_dfl_decode(x, w, reg_max=16):  # YOLOv8's DFL: softmax over 16 bins, a 1 x 1 conv with arange weights
        b, _, a = x.shape
        return F.conv2d(x.view(b, 4, reg_max, a).transpose(2, 1).softmax(1), w).view(b, 4, a)

    def tal_topk(align_metric, topk=10):  # TaskAlignedAssigner.select_topk_candidates (counts by scatter_add)
        _, topk_idxs = torch.topk(align_metric, topk, dim=-1, largest=True)
        count_tensor = torch.zeros(align_metric.shape, dtype=torch.int8, device=topk_idxs.device)
        ones = torch.ones_like(topk_idxs[:, :, :1], dtype=torch.int8, device=topk_idxs.device)
        for k in range(topk):
            count_tensor.scatter_add_(-1, topk_idxs[:, :, k:k + 1], ones)
        return count_tensor

    # YOLOv5s at 640 (P3: 80 x 80, 3 anchors x 85) over 32 images in fp16; YOLOv8's DFL over 8400 anchors at 16;
    # its task-aligned assigner's top-10 counts (30 boxes per image) at 16
    out += [("yolov5_detect_p3", yolov5_detect_level,
             (mh(32, 255, 80, 80), mh(1, 3, 80, 80, 2), mh(1, 3, 80, 80, 2))),
            ("yolov8_dfl", yolov8_dfl_decode, (mh(16, 64, 8400), mh(1, 16, 1, 1))),
            ("yolov8_tal_topk", tal_topk, (mf(16, 30, 8400),))]

    # ------------------------------------------------------------------ two-stage detectors and FPN
    def fpn_top_down(c4, last_inner, w4, b4):  # torchvision's FPN: a 1 x 1 lateral plus the nearest-upsampled top
        inner_lateral = F.conv2d(c4, w4, b4)
        return inner_lateral + F.interpolate(last_inner, size=inner_lateral.shape[-2:], mode="nearest")

    def roi_align_grid_sample(feat, grid, sampling_ratio=2):  # a torch-only RoIAlign: one grid_sample over all the
        R, n = grid.shape[0], grid.shape[1]  # RoIs' sampling points (built from the boxes), then a 2 x 2 average
        out_ = F.grid_sample(feat, grid.view(1, R * n, n, 2), mode="bilinear", align_corners=False)
        out_ = out_.view(feat.shape[1], R, n, n).permute(1, 0, 2, 3)
        return F.avg_pool2d(out_, sampling_ratio)

    def sigmoid_focal_loss(inputs, targets, gamma=2.0):  # RetinaNet's focal loss (torchvision's formula, alpha off)
        p = torch.sigmoid(inputs)
        ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets)
        return ce_loss * ((1 - p_t) ** gamma)

    # Mask R-CNN R50-FPN at 800 x 1216, 2 per GPU: the FPN's top-down steps into C3 and C2, a torch-only RoIAlign of
    # 512 RoIs (7 x 7, 2 x 2 samples) on P2; RetinaNet's focal loss over 4 x 120087 anchors x 80 classes
    out += [("fpn_r50_top_down_c3", fpn_top_down,
             (mf(2, 512, 100, 152), mf(2, 256, 50, 76), mf(256, 512, 1, 1), mf(256))),
            ("fpn_r50_top_down_c2", fpn_top_down,
             (mf(2, 256, 200, 304), mf(2, 256, 100, 152), mf(256, 256, 1, 1), mf(256))),
            ("roi_align_grid_sample", roi_align_grid_sample, (mf(1, 256, 200, 304), mf(512, 14, 14, 2))),
            ("retinanet_focal_loss", sigmoid_focal_loss, (mf(4, 120087, 80), mf(4, 120087, 80)))]

    # ------------------------------------------------------------------ SegFormer, ConvNeXt, SAM
    def segformer_sr_kv(x, wsr, bsr, nw, nb, H=128, W=128, sr=8):  # SegFormer's spatial-reduction conv and norm
        B, N, C = x.shape
        x_ = F.conv2d(x.permute(0, 2, 1).reshape(B, C, H, W), wsr, bsr, stride=sr).reshape(B, C, -1).permute(0, 2, 1)
        return ln(x_, nw, nb)

    def segformer_mixffn_dw(x, wdw, bdw, H=128, W=128):  # SegFormer's Mix-FFN depthwise 3 x 3 and GELU
        B, N, C = x.shape
        x = F.conv2d(x.transpose(1, 2).view(B, C, H, W), wdw, bdw, padding=1, groups=C).flatten(2).transpose(1, 2)
        return F.gelu(x)

    def convnext_block(x, wdw, bdw, lnw, lnb):  # ConvNeXt's Block: 7 x 7 depthwise conv, channels-last LayerNorm
        h = F.conv2d(x, wdw, bdw, padding=3, groups=x.shape[1]).permute(0, 2, 3, 1)
        return F.layer_norm(h, (h.shape[-1],), lnw, lnb, 1e-6)

    def sam_decomposed_rel_pos(attn, q, Rh, Rw, H=64, W=64):  # SAM's add_decomposed_rel_pos (tables gathered)
        B, _, dim = q.shape
        r_q = q.reshape(B, H, W, dim)
        rel_h = torch.einsum("bhwc,hkc->bhwk", r_q, Rh)
        rel_w = torch.einsum("bhwc,wkc->bhwk", r_q, Rw)
        return (attn.view(B, H, W, H, W) + rel_h[:, :, :, :, None] + rel_w[:, :, :, None, :]).view(B, H * W, H * W)

    def sam_postprocess(masks, input_size=(1024, 768), original_size=(2048, 1536)):  # Sam.postprocess_masks
        masks = F.interpolate(masks, (1024, 1024), mode="bilinear", align_corners=False)
        masks = masks[..., : input_size[0], : input_size[1]]
        masks = F.interpolate(masks, original_size, mode="bilinear", align_corners=False)
        return masks > 0.0

    # SegFormer MiT-B5 stage 1 on ADE20K at 512 (128 x 128 tokens, 64 wide, sr 8, Mix-FFN 256) at 2 in fp32;
    # ConvNeXt-B stage 2 (28 x 28, 256) at 128 under AMP; SAM ViT-H (64 x 64 tokens, 16 heads of 80) in fp32: a global
    # block's decomposed relative positions, mask post-processing of 64 prompts x 3 masks to a 2048 x 1536 photo
    out += [("segformer_b5_sr_kv", segformer_sr_kv, (mf(2, 16384, 64), mf(64, 64, 8, 8), mf(64), mf(64), mf(64))),
            ("segformer_mixffn_dw", segformer_mixffn_dw, (mf(2, 16384, 256), mf(256, 1, 3, 3), mf(256))),
            ("convnext_b_dwconv_ln", convnext_block,
             (m(128, 256, 28, 28), m(256, 1, 7, 7), m(256), m(256), m(256))),
            ("sam_vith_decomposed_rel_pos", sam_decomposed_rel_pos,
             (mf(16, 4096, 4096), mf(16, 4096, 80), mf(64, 64, 80), mf(64, 64, 80))),
            ("sam_postprocess_masks", sam_postprocess, (mf(64, 3, 256, 256),))]

    # ================================================================== speech and TTS
    def whisper_log_mel(audio, window, filters, n_fft=400, hop=160):  # Whisper's log_mel_spectrogram (to the log10)
        stft = torch.stft(audio, n_fft, hop, window=window, return_complex=True)
        return torch.clamp(filters @ (stft[..., :-1].abs() ** 2), min=1e-10).log10()

    def whisper_conv_stem(x, w1, b1, w2, b2, pos):  # Whisper's AudioEncoder stem
        x = F.gelu(F.conv1d(x, w1, b1, padding=1))
        x = F.gelu(F.conv1d(x, w2, b2, stride=2, padding=1))
        return x.permute(0, 2, 1) + pos

    def w2v2_first_conv(x, w0, gnw, gnb):  # wav2vec2's feature extractor, layer 0 (group norm mode)
        return F.gelu(F.group_norm(F.conv1d(x[:, None], w0, stride=5), 512, gnw, gnb))

    def w2v2_negatives(quantized, neg_idx):  # wav2vec2's sampled negatives (a flat gather) and the target stack
        B, T, D = quantized.shape
        K = neg_idx.shape[-1]
        negatives = quantized.view(-1, D)[neg_idx.long().view(-1)].view(B, T, K, D).permute(2, 0, 1, 3)
        return torch.cat([quantized[None, :], negatives], dim=0)

    def mask_along_axis_iid(specgrams, mask_start, mask_end, axis=3):  # torchaudio's mask_along_axis_iid (the mask)
        mask = torch.arange(0, specgrams.size(axis), device=specgrams.device, dtype=specgrams.dtype)
        specgrams = specgrams.transpose(axis, -1)
        specgrams = specgrams.masked_fill((mask >= mask_start) & (mask < mask_end), 0.0)
        return specgrams.transpose(axis, -1)

    def conformer_conv(x, w1, b1, wdw, bdw, bn):  # the Conformer convolution module: pointwise, GLU, depthwise, BN
        x = F.glu(F.conv1d(x.transpose(1, 2), w1, b1), dim=1)
        return F.silu(bn_train(F.conv1d(x, wdw, bdw, padding=15, groups=x.shape[1]), bn))

    def espnet_rel_shift_bd(x):  # ESPnet's RelPositionMultiHeadedAttention.rel_shift of matrix_bd
        zero_pad = torch.zeros((*x.size()[:3], 1), device=x.device, dtype=x.dtype)
        x_padded = torch.cat([zero_pad, x], dim=-1).view(*x.size()[:2], x.size(3) + 1, x.size(2))
        return x_padded[:, :, 1:].view_as(x)[:, :, :, : x.size(-1) // 2 + 1]

    def conv2d_subsampling(x, w1, b1, w2, b2):  # ESPnet's Conv2dSubsampling (4x)
        x = F.relu(F.conv2d(x.unsqueeze(1), w1, b1, stride=2))
        return F.relu(F.conv2d(x, w2, b2, stride=2))

    def rnnt_joint(enc, pred, w, b):  # NeMo's RNNTJoint: broadcast sum, ReLU, Linear, log_softmax
        inp = enc.unsqueeze(2) + pred.unsqueeze(1)
        return linear(F.relu(inp), w, b).float().log_softmax(-1)

    # Whisper large-v3's 128-mel front end over 16 x 30 s and its encoder stem in fp16; wav2vec2-base pretraining in
    # fp16 (8 x 250000 samples: the first conv layer, 100 sampled negatives per frame of 8 x 780); SpecAugment's time
    # masks over 32 x 80 x 1600; Conformer-L (512 wide, 8 heads, kernel 31) over 32 x 400 frames in fp16: the conv
    # module, the relative-position shift, the 4x subsampling; NeMo's Conformer-Transducer joint (640 wide, 1025
    # outputs) over 8 x 250 frames x 81 labels
    out += [("whisper_log_mel_v3", whisper_log_mel, (mf(16, 480000), mf(400), mf(128, 201))),
            ("whisper_conv_stem", whisper_conv_stem,
             (mh(16, 128, 3000), mh(1280, 128, 3), mh(1280), mh(1280, 1280, 3), mh(1280), mh(1500, 1280))),
            ("wav2vec2_first_conv", w2v2_first_conv, (mh(8, 250000), mh(512, 1, 10), mh(512), mh(512))),
            ("wav2vec2_negatives", w2v2_negatives, (mh(8, 780, 256), i(8, 780, 100))),
            ("specaugment_time_mask", mask_along_axis_iid, (mf(32, 1, 80, 1600), i(32, 1, 1, 1), i(32, 1, 1, 1))),
            ("conformer_conv_module", conformer_conv,
             (mh(32, 400, 512), mh(1024, 512, 1), mh(1024), mh(512, 1, 31), mh(512), bn_state(512))),
            ("espnet_rel_shift", espnet_rel_shift_bd, (mh(32, 8, 400, 799),)),
            ("espnet_conv2d_subsampling", conv2d_subsampling,
             (mh(32, 1600, 80), mh(512, 1, 3, 3), mh(512), mh(512, 512, 3, 3), mh(512))),
            ("nemo_rnnt_joint", rnnt_joint, (mh(8, 250, 640), mh(8, 81, 640), mh(1025, 640), mh(1025)))]

    # ------------------------------------------------------------------ TTS and codecs
    def regulate_len(reps_cumsum, enc_out, max_len=870):  # FastPitch's regulate_len: the alignment matrix, matmul
        range_ = torch.arange(max_len, device=enc_out.device)[None, :, None]
        mult = ((reps_cumsum[:, :, :-1] <= range_) & (reps_cumsum[:, :, 1:] > range_)).to(enc_out.dtype)
        return torch.matmul(mult, enc_out)

    def length_regulate_one(x, durations, mel_len=870):  # FastSpeech-style expansion of one utterance at inference
        return torch.repeat_interleave(x, durations, dim=0, output_size=mel_len)

    def pitch_energy_embed(x, pitch, energy, pitch_bins, energy_bins, pitch_table, energy_table):
        # FastSpeech2's VarianceAdaptor: bucketize the frame-level pitch and energy, embed, add
        x = x + F.embedding(torch.bucketize(pitch, pitch_bins), pitch_table)
        return x + F.embedding(torch.bucketize(energy, energy_bins), energy_table)

    def vits_slice_segments(x, ids_str, segment_size=32):  # VITS' rand_slice_segments, by a gather
        idx = ids_str[:, None] + torch.arange(segment_size, device=x.device)[None]
        return torch.gather(x, 2, idx[:, None, :].expand(-1, x.shape[1], -1))

    def encodec_rvq(x, codebooks):  # EnCodec's ResidualVectorQuantization (8 EuclideanCodebooks on (b t) x d)
        residual = x
        for q in range(codebooks.shape[0]):
            dist = -(residual.pow(2).sum(1, keepdim=True) - 2 * residual @ codebooks[q].t())
            residual = residual - F.embedding(dist.max(dim=-1).indices, codebooks[q])
        return residual

    # FastPitch (384 wide) at 16 x 148 phonemes -> 870 frames in fp16 and a one-utterance expansion; FastSpeech2's
    # 256-bin pitch / energy embeddings at 16; VITS' 32-frame slices of 32 x 192 x 800; EnCodec 24 kHz's 8 x 1024 RVQ
    # over 16 x 10 s (12000 frames)
    out += [("fastpitch_regulate_len", regulate_len, (mh(16, 1, 149), mh(16, 148, 384))),
            ("length_regulate_repeat_interleave", length_regulate_one, (mf(148, 256), i(148))),
            ("fastspeech2_pitch_energy_embed", pitch_energy_embed,
             (mf(16, 870, 256), mf(16, 870), mf(16, 870), mf(255), mf(255), mf(256, 256), mf(256, 256))),
            ("vits_slice_segments", vits_slice_segments, (mf(32, 192, 800), i(32))),
            ("encodec_rvq", encodec_rvq, (mf(12000, 128), mf(8, 1024, 128)))]

    # ================================================================== NLP training internals
    # ------------------------------------------------------------------ losses over large vocabularies
    def chunked_ce(labels, *logits, ignore_index=-100):  # torchtune's CEWithChunkedOutputLoss (8 chunks)
        labels = [t.reshape(-1) for t in labels.chunk(len(logits), dim=1)]
        total_loss = 0.0
        for lg, lb in zip(logits, labels, strict=True):
            total_loss += F.cross_entropy(lg.reshape(-1, lg.size(-1)).float(), lb, ignore_index=ignore_index,
                                          reduction="sum")
        return total_loss

    def label_smoothed_nll(lprobs, target, epsilon=0.1, ignore_index=1):  # fairseq's label_smoothed_nll_loss
        nll_loss = -lprobs.gather(dim=-1, index=target)
        smooth_loss = -lprobs.sum(dim=-1, keepdim=True)
        pad_mask = target.eq(ignore_index)
        nll_loss = nll_loss.masked_fill(pad_mask, 0.0)
        smooth_loss = smooth_loss.masked_fill(pad_mask, 0.0)
        eps_i = epsilon / (lprobs.size(-1) - 1)
        return (1.0 - epsilon - eps_i) * nll_loss + eps_i * smooth_loss

    def z_loss(logits, mask):  # OLMo / PaLM's z-loss on the log-partition
        return logits.float().logsumexp(-1).pow(2) * mask

    # torchtune on Llama-3.1-8B (2 x 4096 tokens, 128256 vocabulary, 8 chunks); fairseq's transformer on WMT (4096
    # tokens, 32768 joined dictionary); OLMo's z-loss (50304) over 8192 tokens
    out += [("torchtune_chunked_ce", chunked_ce, (i(2, 4096),) + many(m, 8, 2, 512, 128256)),
            ("fairseq_label_smoothed_nll", label_smoothed_nll, (mf(4096, 32768), i(4096, 1))),
            ("olmo_z_loss", z_loss, (m(8192, 50304), mf(8192)))]

    # ------------------------------------------------------------------ mixture-of-experts routing
    def mixtral_load_balancing(*gate_logits, num_experts=8, top_k=2):  # transformers' load_balancing_loss_func
        concatenated = torch.cat(list(gate_logits), dim=0)
        routing_weights = F.softmax(concatenated, dim=-1)
        _, selected_experts = torch.topk(routing_weights, top_k, dim=-1)
        expert_mask = F.one_hot(selected_experts, num_experts)
        tokens_per_expert = torch.mean(expert_mask.float(), dim=0)
        router_prob_per_expert = torch.mean(routing_weights, dim=0)
        return torch.sum(tokens_per_expert * router_prob_per_expert.unsqueeze(0)) * num_experts

    def deepseek_v3_topk(scores_for_choice, n_group=8, topk_group=4, top_k=8):  # transformers' DeepseekV3TopkRouter:
        n = scores_for_choice.shape[-1]  # group-limited top-k over the biased sigmoid scores
        group_scores = scores_for_choice.view(-1, n_group, n // n_group).topk(2, dim=-1)[0].sum(dim=-1)
        group_idx = torch.topk(group_scores, k=topk_group, dim=-1, sorted=False)[1]
        group_mask = torch.zeros_like(group_scores).scatter_(1, group_idx, 1)
        score_mask = group_mask.unsqueeze(-1).expand(-1, n_group, n // n_group).reshape(-1, n)
        return torch.topk(scores_for_choice * score_mask, k=top_k, dim=-1, sorted=False)[1]

    def moe_sort_dispatch(x, topk_ids):  # DeepSeek's moe_infer: sort token copies by expert
        idxs = topk_ids.view(-1).argsort()
        return x[idxs // topk_ids.shape[1]], idxs

    def moe_unsort_combine(outs, idxs, topk_ids, topk_weight):  # ... and scatter the expert outputs back, weight, sum
        new_x = torch.empty_like(outs)
        new_x[idxs] = outs
        return new_x.view(*topk_ids.shape, -1).type(topk_weight.dtype).mul_(topk_weight.unsqueeze(dim=-1)).sum(
            dim=1).type(new_x.dtype)

    # Mixtral-8x7B's auxiliary loss over its 32 layers' gates for 8192 tokens; DeepSeek-V3's routing (256 experts in 8
    # groups, 4 groups, top-8) over 16384 tokens; Mixtral's token sort and combine (top-2, 4096 wide) over 8192 tokens
    out += [("mixtral_load_balancing", mixtral_load_balancing, many(m, 32, 8192, 8)),
            ("deepseek_v3_group_topk", deepseek_v3_topk, (mf(16384, 256),)),
            ("moe_sort_dispatch", moe_sort_dispatch, (m(8192, 4096), i(8192, 2))),
            ("moe_unsort_combine", moe_unsort_combine, (m(16384, 4096), i(16384), i(8192, 2), m(8192, 2)))]

    # ------------------------------------------------------------------ position encodings
    def yarn_cache(positions, inv_freq, mscale=0.1 * math.log(4.0) + 1.0):  # the YaRN cos / sin cache (scaled by
        freqs = torch.einsum("i,j->ij", positions.float(), inv_freq)  # its attention factor)
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos() * mscale, emb.sin() * mscale

    def apply_rotary_complex(xq, xk, freqs_cis):  # Meta llama's apply_rotary_emb (view_as_complex)
        xq_ = torch.view_as_complex(xq.float().reshape(*xq.shape[:-1], -1, 2))
        xk_ = torch.view_as_complex(xk.float().reshape(*xk.shape[:-1], -1, 2))
        freqs_cis = freqs_cis.view(1, xq_.shape[1], 1, xq_.shape[-1])
        xq_out = torch.view_as_real(xq_ * freqs_cis).flatten(3)
        xk_out = torch.view_as_real(xk_ * freqs_cis).flatten(3)
        return xq_out.type_as(xq), xk_out.type_as(xk)

    def bloom_alibi_scores(attention_mask, slopes, q, k, num_heads=32):  # BLOOM's build_alibi_tensor, then baddbmm
        batch_size, seq_length = attention_mask.shape
        arange_tensor = ((attention_mask.cumsum(dim=-1) - 1) * attention_mask)[:, None, :]
        alibi = (slopes[..., None] * arange_tensor).reshape(batch_size * num_heads, 1, seq_length).to(q.dtype)
        return alibi.baddbmm(batch1=q, batch2=k, beta=1.0, alpha=1.0 / math.sqrt(q.shape[-1]))

    def deberta_disentangled(q, pos_key, relative_pos, att_span=256):  # DeBERTa-v2's disentangled attention: the
        bh, s, d = q.shape  # c2p scores gathered at the clamped relative positions (p2c is its mirror)
        c2p_att = torch.bmm(q, pos_key.repeat(bh // pos_key.shape[0], 1, 1).transpose(-1, -2))
        c2p_pos = torch.clamp(relative_pos + att_span, 0, att_span * 2 - 1)
        return torch.gather(c2p_att, dim=-1, index=c2p_pos.squeeze(0).expand([bh, s, s])) / math.sqrt(d * 3)

    # the YaRN cache of Qwen2.5-7B (128-d heads, x4) over 131072 positions; Meta's complex rotary on Llama-2-13B's q / k
    # (40 heads) over 4 x 4096; BLOOM-7b1's ALiBi scores (32 heads of 128) over 4 x 2048; DeBERTa-v3-base's c2p scores
    # (12 heads, 256 buckets) over 16 x 512 in fp16
    out += [("yarn_rope_cache", yarn_cache, (i(131072), mf(64))),
            ("meta_llama_rotary_complex", apply_rotary_complex,
             (m(4, 4096, 40, 128), m(4, 4096, 40, 128), mc(4096, 64))),
            ("bloom_alibi_baddbmm", bloom_alibi_scores, (i(4, 2048), mf(32), m(128, 2048, 128), m(128, 128, 2048))),
            ("deberta_disentangled_c2p", deberta_disentangled,
             (mh(192, 512, 64), mh(12, 512, 64), i(1, 512, 512)))]

    # ------------------------------------------------------------------ sparse and packed attention patterns
    def longformer_chunk(x, w):  # Longformer's _chunk (overlapping chunks by as_strided)
        x = x.view(x.size(0), torch.div(x.size(1), (w * 2), rounding_mode="trunc"), w * 2, x.size(2))
        chunk_size = list(x.size())
        chunk_size[1] = chunk_size[1] * 2 - 1
        chunk_stride = list(x.stride())
        chunk_stride[1] = chunk_stride[1] // 2
        return x.as_strided(size=chunk_size, stride=chunk_stride)

    def longformer_sliding_qk(query, key, w=256):  # Longformer's _sliding_chunks_query_key_matmul: the chunked
        scores = torch.einsum("bcxd,bcyd->bcxy", (longformer_chunk(query, w), longformer_chunk(key, w)))  # scores,
        return F.pad(scores, (0, 0, 0, 1))  # padded for the diagonal layout

    def bigbird_rand_keys(k, rand_attn, bs=64, r=3):  # BigBird's torch_gather_b2: the random key blocks by a flat
        b, h, s, d = k.shape  # index_select
        nb = s // bs
        shift = torch.arange(b * h * (nb - 2) * r, device=k.device)
        flattened_indices = rand_attn.view(-1) + torch.div(shift, (nb - 2) * r, rounding_mode="floor") * nb
        return k.reshape(-1, bs, d).index_select(0, flattened_indices).view(b, h, nb - 2, r * bs, -1)

    def flash_unpad_pad(hidden_padded, indices, batch=8, seqlen=4096):  # flash-attn's index_first_axis and pad_input
        flat = hidden_padded.reshape(batch * seqlen, -1)
        unpadded = torch.gather(flat, 0, indices[:, None].expand(-1, flat.shape[1]))
        output = torch.zeros((batch * seqlen, flat.shape[1]), device=flat.device, dtype=flat.dtype)
        output[indices] = unpadded
        return output.view(batch, seqlen, *hidden_padded.shape[2:])

    # Longformer-base (window 512) over 2 x 12 heads x 4096 in fp32; BigBird-RoBERTa-base's random key blocks (block
    # 64, 3 random blocks) over 2 x 4096; flash-attn's unpad / pad of 24576 real tokens out of 8 x 4096 (32 heads of
    # 128)
    out += [("longformer_sliding_chunks_qk", longformer_sliding_qk, (mf(24, 4096, 64), mf(24, 4096, 64))),
            ("bigbird_rand_keys", bigbird_rand_keys, (mf(2, 12, 4096, 64), i(2, 12, 62, 3))),
            ("flash_attn_unpad_pad", flash_unpad_pad, (m(8, 4096, 32, 128), i(24576)))]

    # ------------------------------------------------------------------ training-loop mechanics
    def clip_grad_norm(*grads, max_norm=1.0):  # torch.nn.utils.clip_grad_norm_ (foreach)
        norms = torch._foreach_norm(list(grads), 2.0)
        total_norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in norms]), 2.0)
        clip_coef = max_norm / (total_norm + 1e-6)
        torch._foreach_mul_(list(grads), torch.clamp(clip_coef, max=1.0))
        return total_norm

    def grad_scaler_step(scale, growth_tracker, found_inf, *grads):  # torch.amp.GradScaler's unscale_ and update
        inv_scale = scale.double().reciprocal().float()
        torch._amp_foreach_non_finite_check_and_unscale_(list(grads), found_inf, inv_scale)
        torch._amp_update_scale_(scale, growth_tracker, found_inf, 2.0, 0.5, 2000)
        return scale

    def gemma2_final_softcap(logits, cap=30.0):  # Gemma-2's final logit soft-capping
        return torch.tanh(logits / cap) * cap

    def gemma_embed(ids, table):  # Gemma's embedding with the sqrt(hidden) normaliser in the model dtype
        h = F.embedding(ids, table)
        return h * torch.tensor(table.shape[1] ** 0.5, dtype=h.dtype)

    def beam_search_step(next_token_logits, beam_scores, batch_size=8, num_beams=4):  # transformers' beam search step
        vocab_size = next_token_logits.shape[-1]
        next_token_scores = F.log_softmax(next_token_logits, dim=-1)
        next_token_scores = next_token_scores + beam_scores[:, None].expand_as(next_token_scores)
        next_token_scores = next_token_scores.view(batch_size, num_beams * vocab_size)
        next_token_scores, next_tokens = torch.topk(next_token_scores, 2 * num_beams, dim=1, largest=True, sorted=True)
        next_indices = torch.div(next_tokens, vocab_size, rounding_mode="floor")
        return next_token_scores, next_tokens % vocab_size, next_indices

    # clip_grad_norm_ and GradScaler over BERT-large's main fp32 grads; Gemma-2-9B's final soft-cap over a 2048-token
    # prompt (256000 vocabulary); Gemma-7B's scaled embedding over 4 x 4096; NLLB-200's beam step (4 beams, 256206
    # vocabulary) at 8
    grads = (mf(30522, 1024), mf(3072, 1024), mf(1024, 1024), mf(4096, 1024), mf(1024, 4096), mf(4096), mf(3072),
             mf(1024))
    out += [("clip_grad_norm_foreach", clip_grad_norm, grads),
            ("grad_scaler_unscale_update", grad_scaler_step, (mf(1), mi32(1), mf(1)) + grads),
            ("gemma2_final_softcap", gemma2_final_softcap, (m(1, 2048, 256000),)),
            ("gemma_embed_normalizer", gemma_embed, (i(4, 4096), m(256000, 3072))),
            ("nllb_beam_search_step", beam_search_step, (mf(32, 256206), mf(32)))]

    # ================================================================== contrastive and self-supervised learning
    def open_clip_logits(image_features, all_text_features, logit_scale):  # open_clip's ClipLoss logits against
        return logit_scale.exp() * image_features @ all_text_features.T  # the gathered features

    def nt_xent(z, temperature=0.5):  # SimCLR's NT-Xent similarities over the normalised 2N projections
        sim = z @ z.T / temperature
        return sim.masked_fill(torch.eye(z.shape[0], dtype=torch.bool, device=z.device), float("-inf"))

    def moco_logits(q, k, queue, T=0.2, ptr=0):  # MoCo v2's logits against the queue and the enqueue
        l_pos = torch.einsum("nc,nc->n", [q, k]).unsqueeze(-1)
        l_neg = torch.einsum("nc,ck->nk", [q, queue.clone().detach()])
        logits = torch.cat([l_pos, l_neg], dim=1) / T
        queue[:, ptr:ptr + k.shape[0]] = k.T
        return logits

    def moco_momentum(*params, m_=0.999):  # MoCo's _momentum_update_key_encoder, parameter by parameter
        n = len(params) // 2
        for param_q, param_k in zip(params[:n], params[n:], strict=True):
            param_k.data = param_k.data * m_ + param_q.data * (1.0 - m_)
        return params[n:]

    def swav_sinkhorn(out_, epsilon=0.05, iters=3):  # SwAV's distributed_sinkhorn (one process)
        Q = torch.exp(out_ / epsilon).t()
        B = Q.shape[1]
        K = Q.shape[0]
        Q /= torch.sum(Q)
        for _ in range(iters):
            Q /= torch.sum(Q, dim=1, keepdim=True)
            Q /= K
            Q /= torch.sum(Q, dim=0, keepdim=True)
            Q /= B
        Q *= B
        return Q.t()

    # open_clip ViT-B/32 at 32768 (256 per GPU x 128, 512-d) in fp16; SimCLR (128-d) at 2 x 512; MoCo v2 (65536
    # queue) at 256 and its momentum update of a ResNet-50 layer-4 3 x 3 conv; SwAV (3000 prototypes, 3840-row queue)
    # at 256
    r50 = ((512, 512, 3, 3),)
    out += [("open_clip_logits", open_clip_logits, (mh(256, 512), mh(32768, 512), sc())),
            ("simclr_nt_xent", nt_xent, (mf(1024, 128),)),
            ("moco_v2_queue_logits", moco_logits, (mf(256, 128), mf(256, 128), mf(128, 65536))),
            ("moco_momentum_update", moco_momentum, tuple(mf(*s) for s in r50) + tuple(mf(*s) for s in r50)),
            ("swav_sinkhorn", swav_sinkhorn, (mf(4096, 3000),))]

    # ================================================================== generative models
    def vqgan_quantize(z_flattened, embedding, e_sq):  # taming's VectorQuantizer2: distances to the codebook, argmin
        d = torch.sum(z_flattened ** 2, dim=1, keepdim=True) + e_sq - 2 * torch.einsum(  # and the lookup
            "bd,dn->bn", z_flattened, embedding.permute(1, 0))
        return F.embedding(torch.argmin(d, dim=1), embedding)

    def maskgit_mask_by_confidence(probs, sampled_ids, gumbel, mask_len, temperature=4.5):  # MaskGIT's decode step:
        selected_probs = torch.gather(probs, -1, sampled_ids[..., None]).squeeze(-1)  # mask_by_random_topk's cut-off
        confidence = torch.log(selected_probs) + temperature * gumbel  # on the noisy confidence
        sorted_confidence, _ = torch.sort(confidence, dim=-1)
        return confidence < torch.gather(sorted_confidence, -1, mask_len)

    def extract(a, t, x_shape):
        return a.gather(-1, t).reshape(t.shape[0], *((1,) * (len(x_shape) - 1)))

    def ddpm_q_sample_loss(x_start, t, noise, model_out, sqrt_ac, sqrt_1mac):  # DDPM's q_sample and simple loss
        x_t = extract(sqrt_ac, t, x_start.shape) * x_start + extract(sqrt_1mac, t, x_start.shape) * noise
        return x_t, F.mse_loss(model_out, noise)

    def dpmpp_2m_update(model_output, m1, sample, sigma_t, sigma_s0, alpha_t, alpha_s0, h, r0):
        # diffusers' DPMSolverMultistepScheduler (dpmsolver++, epsilon): convert_model_output and the 2M update
        m0 = (sample - sigma_s0 * model_output) / alpha_s0
        D0, D1 = m0, (1.0 / r0) * (m0 - m1)
        return (sigma_t / sigma_s0) * sample - (alpha_t * (torch.exp(-h) - 1.0)) * D0 - 0.5 * (
            alpha_t * (torch.exp(-h) - 1.0)) * D1

    def sd3_flow_loss(latents, noise, sigmas):  # diffusers' SD3 step: the flow-matching input and target
        return (1.0 - sigmas) * latents + sigmas * noise, noise - latents

    def modulated_conv2d(x, weight, styles):  # StyleGAN2-ADA's modulated_conv2d (demodulated, fused grouped conv)
        batch_size = x.shape[0]
        out_channels, in_channels, kh, kw = weight.shape
        w = weight.unsqueeze(0) * styles.reshape(batch_size, 1, -1, 1, 1)
        dcoefs = (w.square().sum(dim=[2, 3, 4]) + 1e-8).rsqrt()
        w = w * dcoefs.reshape(batch_size, -1, 1, 1, 1)
        x = F.conv2d(x.reshape(1, -1, *x.shape[2:]), w.reshape(-1, in_channels, kh, kw), padding=kh // 2,
                     groups=batch_size)
        return x.reshape(batch_size, -1, *x.shape[2:])

    # VQGAN ImageNet f16 (16384 x 256 codebook) at 12 x 16 x 16; MaskGIT ImageNet-256 (1024 codes, 256 tokens)
    # decoding 32 images and its token draw; DDPM on LSUN-256 at 64; SDXL's DPM-Solver++(2M) update over a CFG batch of
    # 8 x 128 x 128 in fp16; SD3 training latents (16 channels) at 8 x 128 x 128; StyleGAN2 FFHQ-1024's 512-channel
    # modulated 3 x 3 conv at 64 x 64 (4 per GPU)
    out += [("vqgan_quantize", vqgan_quantize, (mf(3072, 256), mf(16384, 256), mf(16384))),
            ("maskgit_mask_by_confidence", maskgit_mask_by_confidence,
             (mf(32, 256, 1024), i(32, 256), mf(32, 256), i(32, 1))),
            ("multinomial", lambda p: torch.multinomial(p, 1), (mf(8192, 1024),)),
            ("ddpm_q_sample_loss", ddpm_q_sample_loss,
             (mf(64, 3, 256, 256), i(64), mf(64, 3, 256, 256), mf(64, 3, 256, 256), mf(1000), mf(1000))),
            ("dpmsolverpp_2m_update", dpmpp_2m_update,
             (mh(8, 4, 128, 128), mh(8, 4, 128, 128), mh(8, 4, 128, 128)) + tuple(sc() for _ in range(6))),
            ("sd3_flow_matching_pair", sd3_flow_loss, (m(8, 16, 128, 128), m(8, 16, 128, 128), m(8, 1, 1, 1))),
            ("stylegan2_modulated_conv", modulated_conv2d, (mf(4, 512, 64, 64), mf(512, 512, 3, 3), mf(4, 512)))]

    # ================================================================== structured linear algebra and optimizers
    def lora_forward(x, base, a, b, scaling=2.0):  # PEFT's LoRA Linear.forward (no dropout) on the base output
        return base + linear(linear(x, a), b) * scaling

    def lora_merge(w, a, b, scaling=2.0):  # PEFT's merge: W + (B @ A) * scaling
        return w + (b @ a) * scaling

    def dora_combine(w, lora_weight, magnitude, scaling=2.0):  # PEFT's DoRA: the merged weight's row norms and the
        weight_norm = torch.linalg.norm(w + scaling * lora_weight, dim=1).to(w.dtype).detach()  # magnitude scale
        return (magnitude / weight_norm).view(1, -1)

    def nf4_double_dequant(packed, absmax, nf4, shape=(4096, 4096), blocksize=64):  # QLoRA's NF4 dequantised in
        hi = (packed >> 4).long()  # torch: nibbles by shifts, the NF4 codebook lookup, per-block absmax
        lo = (packed & 0x0F).long()
        q = torch.stack([hi, lo], dim=-1).view(-1)
        w = nf4[q].view(-1, blocksize) * absmax.view(-1, 1)
        return w.view(*shape).to(torch.bfloat16)

    def monarch(x, w1_bfly, w2_bfly):  # fly's blockdiag_butterfly_multiply_reference (bmm form)
        batch_shape = x.shape[:-1]
        batch_dim = math.prod(batch_shape)
        k, q, p = w1_bfly.shape
        l_, s, r = w2_bfly.shape
        x_reshaped = x.reshape(batch_dim, k, p).transpose(0, 1)
        out1 = torch.bmm(x_reshaped, w1_bfly.transpose(-1, -2))
        out1 = out1.transpose(0, 1).reshape(batch_dim, r, l_).transpose(-1, -2).contiguous().transpose(0, 1)
        out2 = torch.bmm(out1, w2_bfly.transpose(-1, -2))
        return out2.permute(1, 2, 0).reshape(*batch_shape, s * l_)

    def shampoo_step(grad, L, beta2=0.999, eps=1e-12):  # Shampoo: left statistics, inverse 4th root by eigh
        L.mul_(beta2).add_(grad @ grad.T, alpha=1 - beta2)
        lam, Q = torch.linalg.eigh(L)
        return (Q * lam.clamp(min=eps).pow(-0.25).unsqueeze(0)) @ Q.T

    def newton_schulz5(G, steps=5, eps=1e-7):  # Muon's zeropower_via_newtonschulz5
        a, b, c = (3.4445, -4.7750, 2.0315)
        X = G.bfloat16()
        if G.size(-2) > G.size(-1):
            X = X.mT
        X = X / (X.norm(dim=(-2, -1), keepdim=True) + eps)
        for _ in range(steps):
            A = X @ X.mT
            B = b * A + c * A @ A
            X = a * X + B @ X
        if G.size(-2) > G.size(-1):
            X = X.mT
        return X

    def spectral_norm_weight(weight_mat, u, eps=1e-12):  # torch.nn.utils.spectral_norm's power iteration (one step)
        v = F.normalize(torch.mv(weight_mat.t(), u), dim=0, eps=eps)
        u = F.normalize(torch.mv(weight_mat, v), dim=0, eps=eps)
        return torch.dot(u, torch.mv(weight_mat, v))

    def galore_project(grad, ortho, update, scale=0.25):  # GaLore's left projection and project_back
        low_rank = torch.matmul(ortho.t(), grad)
        return low_rank, torch.matmul(ortho, update) * scale

    def galore_svd(matrix, rank=128):  # GaLore's get_orthogonal_matrix (left)
        U, s, Vh = torch.linalg.svd(matrix.float(), full_matrices=False)
        return U[:, :rank]

    def wanda_24_mask(metric, prune_n=2, prune_m=4):  # Wanda's N:M mask over its |W| * ||X|| metric (by groups)
        tmp = metric.float().view(-1, prune_m)
        mask = torch.zeros_like(tmp, dtype=torch.bool)
        return mask.scatter_(1, torch.topk(tmp, prune_n, dim=1, largest=False)[1], True)

    # PEFT on Llama-2-7B (r 16, alpha 32) over 4 x 2048: q_proj's LoRA forward, the down_proj merge, DoRA's norm scale
    # on q_proj; QLoRA's NF4 dequant of a 4096 x 4096 weight; Monarch (4 blocks, 1024 -> 4096) over 8192 tokens in
    # fp16; a 64 x 64 (x) 64 x 64 Kronecker factor; Shampoo on a 1024 x 1024 block; Muon's Newton-Schulz on GPT-2
    # medium's 4096 x 1024 c_fc; BigGAN's spectral norm of a 1024-channel 3 x 3 conv; GaLore (rank 128) on Llama-7B's
    # 4096 x 11008 MLP and its SVD on LLaMA-60M's 512 x 1376; Wanda's 2:4 mask of a 4096 x 11008 weight
    out += [("lora_forward_q_proj", lora_forward, (m(4, 2048, 4096), m(4, 2048, 4096), m(16, 4096), m(4096, 16))),
            ("lora_merge_down_proj", lora_merge, (m(4096, 11008), m(16, 11008), m(4096, 16))),
            ("dora_q_proj_norm_scale", dora_combine, (m(4096, 4096), m(4096, 4096), m(4096))),
            ("qlora_nf4_dequant", nf4_double_dequant, (mu8(8388608), mf(262144), mf(16))),
            ("monarch_multiply", monarch, (mh(8192, 1024), mh(4, 1024, 256), mh(4, 1024, 1024))),
            ("kron_materialise", torch.kron, (mf(64, 64), mf(64, 64))),
            ("shampoo_inverse_root", shampoo_step, (mf(1024, 1024), mf(1024, 1024))),
            ("muon_newton_schulz_c_fc", newton_schulz5, (mf(4096, 1024),)),
            ("biggan_spectral_norm", spectral_norm_weight, (mf(1024, 9216), mf(1024))),
            ("galore_project", galore_project, (mf(4096, 11008), mf(4096, 128), mf(128, 11008))),
            ("galore_svd", galore_svd, (mf(512, 1376),)),
            ("wanda_2_4_mask", wanda_24_mask, (mh(4096, 11008),))]

    # ================================================================== classic computer vision in torch
    def spatial_gradient(x, kernel):  # kornia's spatial_gradient (sobel, normalised): replicate pad, conv2d
        b, c, h, w = x.shape
        tmp_kernel = kernel[:, None, ...]
        kernel_flip = tmp_kernel.flip(-3)
        padded = F.pad(x.reshape(b * c, 1, h, w), [1, 1, 1, 1], "replicate")
        return F.conv2d(padded, kernel_flip, padding=0).view(b, c, 2, h, w)

    def sobel_magnitude(x, kernel, eps=1e-6):  # kornia's sobel
        edges = spatial_gradient(x, kernel)
        return torch.sqrt(edges[:, :, 0] ** 2 + edges[:, :, 1] ** 2 + eps)

    def filter2d(x, kernel, border_type="reflect"):  # kornia's filter2d: pad, grouped conv with the expanded kernel
        b, c, h, w = x.shape
        tmp_kernel = kernel[:, None, ...].to(x.dtype).expand(-1, c, -1, -1)
        kh, kw = kernel.shape[-2:]
        x = F.pad(x, [(kw - 1) // 2, kw // 2, (kh - 1) // 2, kh // 2], mode=border_type)
        tmp_kernel = tmp_kernel.reshape(-1, 1, kh, kw)
        x = x.view(-1, tmp_kernel.size(0), x.size(-2), x.size(-1))
        return F.conv2d(x, tmp_kernel, groups=tmp_kernel.size(0), padding=0, stride=1).view(b, c, h, w)

    def canny_nms(magnitude, angle, nms_kernels):  # kornia's canny: non-maximum suppression by the 8 directional
        nms_magnitude = F.conv2d(magnitude, nms_kernels, padding=nms_kernels.shape[-1] // 2)  # kernels and gathers
        positive_idx = ((angle / 45) % 8).long()
        negative_idx = (((angle / 45) + 4) % 8).long()
        channel_select_filtered = torch.stack([torch.gather(nms_magnitude, 1, positive_idx),
                                               torch.gather(nms_magnitude, 1, negative_idx)], 1)
        is_max = channel_select_filtered.min(dim=1)[0] > 0.0
        return magnitude * is_max

    def bilateral_blur(x, sigma_color=0.1, ky=9, kx=9):  # kornia's bilateral_blur (unfold): the colour kernel
        padded = F.pad(x, [(kx - 1) // 2, kx // 2, (ky - 1) // 2, ky // 2], mode="reflect")
        unfolded = padded.unfold(2, ky, 1).unfold(3, kx, 1).flatten(-2)
        kernel = (-0.5 / sigma_color ** 2 * (unfolded - x.unsqueeze(-1)).pow(2).sum(1, keepdim=True)).exp()
        return (unfolded * kernel).sum(-1) / kernel.sum(-1)

    def median_blur(x, kernel):  # kornia's median_blur: one-hot kernel conv to 9 neighbours, median
        b, c, h, w = x.shape
        features = F.conv2d(x.reshape(b * c, 1, h, w), kernel, padding=1, stride=1)
        features = features.view(b, c, -1, h, w)
        return torch.median(features, dim=2)[0]

    def raft_corr_pyramid(fmap1, fmap2, num_levels=4):  # RAFT's CorrBlock.__init__
        batch, dim, ht, wd = fmap1.shape
        f1 = fmap1.view(batch, dim, ht * wd)
        f2 = fmap2.view(batch, dim, ht * wd)
        corr = torch.matmul(f1.transpose(1, 2), f2).view(batch, ht, wd, 1, ht, wd) / math.sqrt(dim)
        corr = corr.reshape(batch * ht * wd, 1, ht, wd)
        pyramid = [corr]
        for _ in range(num_levels - 1):
            corr = F.avg_pool2d(corr, 2, stride=2)
            pyramid.append(corr)
        return pyramid

    def raft_corr_lookup(corr, coords_lvl):  # RAFT's CorrBlock.__call__ (bilinear_sampler) at the finest level
        H, W = corr.shape[-2:]
        xgrid, ygrid = coords_lvl.split([1, 1], dim=-1)
        grid = torch.cat([2 * xgrid / (W - 1) - 1, 2 * ygrid / (H - 1) - 1], dim=-1)
        return F.grid_sample(corr, grid, align_corners=True)

    def raft_upsample_flow(flow, mask):  # RAFT's convex upsampling (x8)
        N, _, H, W = flow.shape
        mask = mask.view(N, 1, 9, 8, 8, H, W)
        mask = torch.softmax(mask, dim=2)
        up_flow = F.unfold(8 * flow, [3, 3], padding=1).view(N, 2, 9, 1, 1, H, W)
        up_flow = torch.sum(mask * up_flow, dim=2)
        return up_flow.permute(0, 1, 4, 2, 5, 3).reshape(N, 2, 8 * H, 8 * W)

    def flow_warp(img, base_grid, flow):  # backward warping by a dense flow (RAFT / PWC-Net style)
        coords = base_grid + flow
        H, W = img.shape[-2:]
        grid = torch.stack([2.0 * coords[:, 0] / (W - 1) - 1.0, 2.0 * coords[:, 1] / (H - 1) - 1.0], dim=-1)
        return F.grid_sample(img, grid, mode="bilinear", padding_mode="zeros", align_corners=True)

    def laplacian_level(x, gauss):  # kornia's pyrdown (blur, 2 x 2 avg pool) and one Laplacian pyramid level
        down = F.avg_pool2d(filter2d(x, gauss), kernel_size=2, stride=2, ceil_mode=True)
        up = F.interpolate(down, size=x.shape[-2:], mode="bilinear", align_corners=False)
        return x - up, down

    def jpeg_dct(ycbcr, dct_tensor, scale, k=8):  # DiffJPEG: 8 x 8 blocks, the DCT by tensordot
        bs, c, h, w = ycbcr.shape
        blocks = ycbcr.reshape(bs * c, h // k, k, -1, k).permute(0, 1, 3, 2, 4).contiguous().view(bs * c, -1, k, k)
        return scale * torch.tensordot(blocks - 128, dct_tensor, dims=2)

    def equalize(image):  # histogram equalisation of uint8 images: a 256-bin histogram by scatter_add, the CDF LUT
        batch_shape = image.shape[:-2]  # (as torchvision v2's equalize builds it), gathered per pixel
        flat_image = image.flatten(start_dim=-2).to(torch.long)
        hist = flat_image.new_zeros(batch_shape + (256,), dtype=torch.int32)
        hist.scatter_add_(dim=-1, index=flat_image, src=hist.new_ones(1).expand_as(flat_image))
        lut = hist.cumsum(dim=-1).to(torch.uint8)
        return lut.gather(dim=-1, index=flat_image).view_as(image)

    def normalize_uint8(x, mean, std):  # timm's PrefetchLoader normalisation on the GPU
        return x.float().sub_(mean).div_(std)

    def open_close(x, k=5):  # morphological opening then closing by max pooling
        erode = -F.max_pool2d(-x, k, 1, k // 2)
        opened = F.max_pool2d(erode, k, 1, k // 2)
        dil = F.max_pool2d(opened, k, 1, k // 2)
        return -F.max_pool2d(-dil, k, 1, k // 2)

    def warp_perspective(src, pts, dst_to_src):  # kornia's warp_perspective: points through the homography,
        B, C, H, W = src.shape  # divided by z, grid_sample
        pts = torch.bmm(pts, dst_to_src.permute(0, 2, 1))
        grid = (pts[..., :-1] / pts[..., -1:]).view(B, H, W, 2)
        return F.grid_sample(src, grid, mode="bilinear", align_corners=True)

    def psmnet_disparity(cost, maxdisp=192):  # PSMNet's trilinear upsampling, softmax and disparityregression
        cost = F.interpolate(cost, [maxdisp, cost.shape[3] * 4, cost.shape[4] * 4], mode="trilinear",
                             align_corners=False).squeeze(1)
        pred = F.softmax(cost, dim=1)
        disp = torch.arange(maxdisp, dtype=pred.dtype, device=pred.device).view(1, maxdisp, 1, 1)
        return torch.sum(pred * disp, 1)

    def psmnet_3d_block(x, w1, bn1, w2, bn2):  # PSMNet's dres0 (3-D conv, BN, ReLU) x 2
        x = F.relu(bn_train(F.conv3d(x, w1, padding=1), bn1))
        return bn_train(F.conv3d(x, w2, padding=1), bn2)

    # kornia on 8 RGB 1080p frames (sobel) and 4 grey ones (canny's suppression); the 9 x 9 bilateral blur of 2 x
    # 512^2 and the 3 x 3 median of 8 x 512^2; RAFT at FlyingChairs (368 x 496: 46 x 62 features, 256-d) at 6; a flow
    # warp of 8 Sintel frames; a Laplacian pyramid level of 8 x 1024^2; DiffJPEG's colour transform and DCT of 16 x
    # 512^2; histogram equalisation of 16 x 3 x 512^2 uint8; timm's normalisation of 256 x 224^2; morphological
    # opening / closing of 16 masks of 1024^2; a homography warp of 8 x 512^2; PSMNet (192 disparities at 256 x 512) at
    # 2; antialiased resizes
    gauss5 = mf(1, 5, 5)
    sobel = mf(2, 3, 3)
    out += [("kornia_sobel_1080p", sobel_magnitude, (mf(8, 3, 1080, 1920), sobel)),
            ("kornia_canny_nms_1080p", canny_nms, (mf(4, 1, 1080, 1920), mf(4, 1, 1080, 1920), mf(8, 1, 3, 3))),
            ("kornia_bilateral_blur", bilateral_blur, (mf(2, 3, 512, 512),)),
            ("kornia_median_blur", median_blur, (mf(8, 3, 512, 512), mf(9, 1, 3, 3))),
            ("raft_corr_pyramid", raft_corr_pyramid, (mf(6, 256, 46, 62), mf(6, 256, 46, 62))),
            ("raft_corr_lookup", raft_corr_lookup, (mf(17112, 1, 46, 62), mf(17112, 9, 9, 2))),
            ("raft_convex_upsample", raft_upsample_flow, (mf(6, 2, 46, 62), mf(6, 576, 46, 62))),
            ("sintel_flow_warp", flow_warp, (mf(8, 3, 436, 1024), mf(1, 2, 436, 1024), mf(8, 2, 436, 1024))),
            ("kornia_laplacian_level", laplacian_level, (mf(8, 3, 1024, 1024), gauss5)),
            ("diffjpeg_rgb_to_ycbcr", lambda x, mat, shift: torch.tensordot(x, mat, dims=1) + shift,
             (mf(16, 512, 512, 3), mf(3, 3), mf(3))),
            ("diffjpeg_dct", jpeg_dct, (mf(16, 3, 512, 512), mf(8, 8, 8, 8), mf(8, 8))),
            ("histogram_equalize", equalize, (mu8(16, 3, 512, 512),)),
            ("timm_prefetch_normalize", normalize_uint8, (mu8(256, 3, 224, 224), mf(1, 3, 1, 1), mf(1, 3, 1, 1))),
            ("morph_open_close", open_close, (mf(16, 1, 1024, 1024),)),
            ("kornia_warp_perspective", warp_perspective, (mf(8, 3, 512, 512), mf(8, 262144, 3), mf(8, 3, 3))),
            ("psmnet_disparity_regression", psmnet_disparity, (mf(2, 1, 48, 64, 128),)),
            ("psmnet_3d_conv_block", psmnet_3d_block,
             (mf(2, 64, 48, 64, 128), mf(32, 64, 3, 3, 3), bn_state(32), mf(32, 32, 3, 3, 3), bn_state(32))),
            ("torchvision_resize_antialias",
             lambda x: F.interpolate(x, size=(224, 398), mode="bilinear", antialias=True, align_corners=False),
             (mf(8, 3, 1080, 1920),)),
            ("dinov2_resize_bicubic",
             lambda x: F.interpolate(x, size=(518, 518), mode="bicubic", antialias=True, align_corners=False),
             (mf(32, 3, 720, 960),))]

    # ================================================================== numerics
    def crf_normalizer(emissions, mask, start, transitions, end):  # pytorch-crf's _compute_normalizer (seq-first)
        score = start + emissions[0]
        for t in range(1, emissions.size(0)):
            next_score = score.unsqueeze(2) + transitions + emissions[t].unsqueeze(1)
            next_score = torch.logsumexp(next_score, dim=1)
            score = torch.where(mask[t].unsqueeze(1), next_score, score)
        return torch.logsumexp(score + end, dim=1)

    def min_gru_scan(log_coeffs, log_values):  # minGRU's parallel_scan_log ("Were RNNs all we needed?")
        a_star = F.pad(torch.cumsum(log_coeffs, dim=1), (0, 0, 1, 0))
        log_h = a_star + torch.logcumsumexp(log_values - a_star, dim=1)
        return torch.exp(log_h)[:, 1:]

    def ap_envelope(tps, fps, rec_thresholds, npig=5000.0):  # a torch COCO-style AP over score-sorted detections:
        tp_sum = torch.cumsum(tps, dim=1, dtype=torch.float)  # cumsums, the precision envelope by cummax, recall
        fp_sum = torch.cumsum(fps, dim=1, dtype=torch.float)  # thresholds by searchsorted
        pr = tp_sum / (fp_sum + tp_sum + torch.finfo(torch.float64).eps)
        pr = torch.flip(torch.cummax(torch.flip(pr, (1,)), dim=1).values, (1,))
        return pr, torch.searchsorted(tp_sum / npig, rec_thresholds, right=False)

    def orthogonal_matrix_exp(X):  # torch.nn.utils.parametrizations.orthogonal (matrix_exp map)
        X = X.tril()
        A = X - X.mH
        return torch.matrix_exp(A)

    def trunc_normal_(tensor, mean=0.0, std=0.02, a=-2.0, b=2.0):  # timm's trunc_normal_ (inverse-CDF method)
        def norm_cdf(x):
            return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

        lo, up = norm_cdf((a - mean) / std), norm_cdf((b - mean) / std)
        tensor.uniform_(2 * lo - 1, 2 * up - 1)
        tensor.erfinv_()
        tensor.mul_(std * math.sqrt(2.0))
        tensor.add_(mean)
        tensor.clamp_(min=a, max=b)
        return tensor

    def log_sinkhorn_iterations(Z, log_mu, log_nu, iters=100):  # SuperGlue's log_sinkhorn_iterations (dustbins
        u, v = torch.zeros_like(log_mu), torch.zeros_like(log_nu)  # already appended)
        for _ in range(iters):
            u = log_mu - torch.logsumexp(Z + v.unsqueeze(1), dim=2)
            v = log_nu - torch.logsumexp(Z + u.unsqueeze(2), dim=1)
        return Z + u.unsqueeze(2) + v.unsqueeze(1)

    def percentile_amax(x, percentile=99.99):  # a percentile calibrator's amax by kthvalue over |x|
        flat = x.abs().flatten().float()
        k = max(1, int(flat.numel() * percentile / 100))
        return torch.kthvalue(flat, k).values

    # pytorch-crf on OntoNotes (37 tags) over 128 steps at 64; Mamba-2-130M's SSD diagonal blocks (24 heads of 64, 128
    # states, chunk 256) over 2 x 2048; minGRU (512) over 64 x 1024; COCO-style AP over 10 IoU thresholds x 100000
    # detections; an orthogonal 1024 x 1024 parametrisation; timm's trunc_normal_ of ViT-L's qkv; SuperGlue's Sinkhorn
    # (100 iterations) over 16 x 1024 x 1024 keypoints plus dustbins; a 99.99th-percentile amax of a ResNet-50
    # activation at 64
    out += [("crf_forward_algorithm", crf_normalizer, (mf(128, 64, 37), mb(128, 64), mf(37), mf(37, 37), mf(37))),
            ("mamba2_ssd_diag_einsum", lambda C, B, Lm, X: torch.einsum("bclhn,bcshn,bhcls,bcshp->bclhp", C, B, Lm, X),
             (mf(2, 8, 256, 24, 128), mf(2, 8, 256, 24, 128), mf(2, 24, 8, 256, 256), mf(2, 8, 256, 24, 64))),
            ("min_gru_log_scan", min_gru_scan, (mf(64, 1024, 512), mf(64, 1025, 512))),
            ("coco_ap_envelope", ap_envelope, (mb(10, 100000), mb(10, 100000), mf(10, 101))),
            ("orthogonal_matrix_exp", orthogonal_matrix_exp, (mf(1024, 1024),)),
            ("timm_trunc_normal_init", trunc_normal_, (mf(3072, 1024),)),
            ("superglue_log_sinkhorn", log_sinkhorn_iterations, (mf(16, 1025, 1025), mf(16, 1025), mf(16, 1025))),
            ("percentile_amax_kthvalue", percentile_amax, (mf(64, 256, 56, 56),))]

    # ================================================================== single ops and two-line idioms
    def scatter_sum(x, src, dst):  # PyG's SAGEConv aggregation: gather the sources, scatter-sum at the targets
        return torch.zeros_like(x).index_add_(0, dst, x.index_select(0, src))

    def sppf(x):  # YOLOv5's SPPF: three chained 5 x 5 max pools, concatenated
        y1 = F.max_pool2d(x, 5, 1, 2)
        y2 = F.max_pool2d(y1, 5, 1, 2)
        return torch.cat((x, y1, y2, F.max_pool2d(y2, 5, 1, 2)), 1)

    def glow_coupling(x, h):  # Glow's affine coupling (sigmoid(h + 2) scale)
        xa, xb = x.chunk(2, 1)
        shift, scale = h.chunk(2, 1)
        return torch.cat([xa, (xb + shift) * torch.sigmoid(scale + 2.0)], 1)

    def glow_invconv(x, w):  # Glow's invertible 1 x 1 conv and its log-determinant
        logdet = torch.slogdet(w)[1] * (x.shape[2] * x.shape[3])
        return F.conv2d(x, w.view(*w.shape, 1, 1)), logdet

    def vocab_parallel_embedding(ids, w, start=0, end=4000):  # Megatron's VocabParallelEmbedding on one TP rank
        input_mask = (ids < start) | (ids >= end)
        masked_input = (ids - start).masked_fill(input_mask, 0)
        return F.embedding(masked_input, w).masked_fill(input_mask.unsqueeze(-1), 0.0)

    def nerf_embed(x, freqs):  # nerfstudio's NeRFEncoding: scaled inputs times 2^k, sin of [x, x + pi / 2]
        scaled_inputs = (2 * math.pi * x)[..., None] * freqs
        scaled_inputs = scaled_inputs.view(*scaled_inputs.shape[:-2], -1)
        return torch.sin(torch.cat([scaled_inputs, scaled_inputs + math.pi / 2.0], dim=-1))

    def hash_index(coords, primes, table_size=2 ** 19):  # a multiresolution hash encoding's spatial hash (torch-ngp)
        h = coords * primes
        return (h[..., 0] ^ h[..., 1] ^ h[..., 2]) % table_size

    # SAGEConv's gather of ogbn-products features (2449029 x 100) over 4M edges and its sum over ogbn-arxiv (1.17M
    # edges); YOLOv5s' SPPF at 640 in fp16; Glow's level-3 coupling and 1 x 1 conv (48 channels at 32 x 32) at 64;
    # Megatron's rank-0 vocab shard of Llama-2-70B (4000 x 8192) over 4096 tokens; nerfstudio's encoding of 1024 rays x
    # 64 samples; a hash-grid's 8 corners of 262144 points
    out += [("graphsage_gather_products", lambda x, idx: x.index_select(0, idx), (mf(2449029, 100), i(4000000))),
            ("graphsage_scatter_sum_arxiv", scatter_sum, (mf(169343, 128), i(1166243), i(1166243))),
            ("yolov5_sppf", sppf, (mh(32, 256, 20, 20),)),
            ("glow_affine_coupling", glow_coupling, (mf(64, 48, 32, 32), mf(64, 48, 32, 32))),
            ("glow_invconv_1x1", glow_invconv, (mf(64, 48, 32, 32), mf(48, 48))),
            ("megatron_vocab_parallel_embedding", vocab_parallel_embedding, (i(1, 4096), m(4000, 8192))),
            ("nerf_positional_encoding", nerf_embed, (mf(65536, 3), mf(10))),
            ("hash_grid_index", hash_index, (i(2097152, 3), i(3)))]

    # LLaVA-1.5-7B's image-feature merge (4 x 576 patches into 4 x 2048 embeddings); HF's position ids from a padded
    # mask at 32 x 2048; greedy decoding over Llama-3's vocabulary at 64; retrieval top-100 of 1M fp16 scores at 256;
    # exact L2 kNN of 4096 queries over 100000 vectors; per-feature quantile bins (255) of Covertype at 16384; a TCN's
    # dilated causal conv (256 wide, dilation 8) at 64 x 1024; BERT's extended attention mask at 64 x 512; a
    # Llama-2-7B sequence classifier's last-token pooling at 64; the cos cache gathered at 32768 positions; an HF
    # DynamicCache decode append (Llama-3-8B, 8 KV heads) at 8 x 4095; GPTQ's int4 packing of an 11008 x 4096 weight;
    # SmoothQuant's per-channel int8 activation quantisation at 8 x 2048
    out += [("llava_masked_scatter", lambda e, mask, f: e.masked_scatter(mask, f),
             (m(4, 2048, 4096), mb(4, 2048, 4096), m(2304, 4096))),
            ("hf_position_ids_from_mask", lambda am: (am.long().cumsum(-1) - 1).masked_fill_(am == 0, 1),
             (i(32, 2048),)),
            ("greedy_argmax_llama3", lambda x: x.argmax(-1), (m(64, 128256),)),
            ("retrieval_topk_100", lambda s: torch.topk(s, 100, dim=-1), (mh(256, 1000000),)),
            ("exact_l2_knn_cdist", torch.cdist, (mf(4096, 128), mf(100000, 128))),
            ("tabular_quantile_bins", torch.searchsorted, (mf(54, 255), mf(54, 16384))),
            ("tcn_dilated_causal_conv", lambda x, w, b: F.conv1d(F.pad(x, (16, 0)), w, b, dilation=8),
             (mf(64, 256, 1024), mf(256, 256, 3), mf(256))),
            ("bert_extended_attention_mask",
             lambda am: (1.0 - am[:, None, None, :].to(torch.float16)) * torch.finfo(torch.float16).min, (i(64, 512),)),
            ("seqcls_last_token_pool", lambda h, lengths: h[torch.arange(h.shape[0]), lengths],
             (m(64, 2048, 4096), i(64))),
            ("rope_cos_gather", lambda cos, pid: cos[pid], (m(131072, 128), i(1, 32768))),
            ("kv_cache_cat_decode", lambda past, new: torch.cat([past, new], dim=-2),
             (m(8, 8, 4095, 128), m(8, 8, 1, 128))),
            ("gptq_int4_pack", lambda w, s: (w << s[None, :, None]).sum(1), (mi32(1376, 8, 4096), mi32(8))),
            ("smoothquant_act_int8", lambda x, s: torch.clamp(torch.round(x / s), -128, 127).to(torch.int8),
             (m(8, 2048, 4096), m(4096)))]

    # VoxelMorph on OASIS (160 x 192 x 224): the spatial transformer and its flow resize; EDSR x4's pixel shuffle (64 x
    # 4 channels at 48 x 48) at 16 and Real-ESRGAN x2's pixel unshuffle at 256; SASA's 7 x 7 neighbourhoods (64
    # channels at 56 x 56) at 32 in fp16; test-time horizontal flips of 64 x 512^2; HiFi-GAN V1's first upsampling
    # (512 -> 256, x8) and a dilated weight-normed resblock conv at 16; MobileNetV2's ReLU6 and YOLOv4's Mish in fp16;
    # OpenImages' 9605-label BCE at 256; first differences of ECL at 32 x 720; ERA5's NaN-masked means; fastText-style
    # max-norm embeddings (2M x 300) at 8192 x 64; Gatys' Gram matrices of VGG's conv4 at 4 x 64 x 64; CenterNet's
    # heatmap NMS and top-100 (80 classes at 128 x 128) at 32; PointNet's global max pool of 1024 points x 1024; a
    # foreach EMA (mul_ then add_) over ViT-B's big tensors; SWA's running average of a 4096 x 4096 weight; 16 kHz
    # pre-emphasis over 32 x 10 s
    vit_b = ((2304, 768), (768, 768), (3072, 768), (768, 3072))
    out += [("voxelmorph_spatial_transform", lambda src, grid: F.grid_sample(src, grid, align_corners=True),
             (mf(1, 1, 160, 192, 224), mf(1, 160, 192, 224, 3))),
            ("voxelmorph_flow_resize",
             lambda f: F.interpolate(f, scale_factor=2, mode="trilinear", align_corners=True) * 2,
             (mf(1, 3, 80, 96, 112),)),
            ("edsr_pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), (mf(16, 256, 48, 48),)),
            ("realesrgan_pixel_unshuffle", lambda x: F.pixel_unshuffle(x, 2), (mf(16, 3, 256, 256),)),
            ("sasa_unfold_neighbourhoods", lambda x: F.unfold(x, 7, padding=3), (mh(32, 64, 56, 56),)),
            ("tta_hflip", lambda x: torch.flip(x, dims=[3]), (mf(64, 3, 512, 512),)),
            ("hifigan_upsample", lambda x, w, b: F.conv_transpose1d(F.leaky_relu(x, 0.1), w, b, stride=8, padding=4),
             (mf(16, 512, 32), mf(512, 256, 16), mf(256))),
            ("hifigan_resblock_conv",
             lambda x, v, g, b: F.conv1d(F.leaky_relu(x, 0.1), torch._weight_norm(v, g, 0), b, dilation=3, padding=3),
             (mf(16, 256, 256), mf(256, 256, 3), mf(256, 1, 1), mf(256))),
            ("mobilenetv2_relu6", F.relu6, (mh(256, 144, 56, 56),)),
            ("yolov4_mish", F.mish, (mh(16, 64, 304, 304),)),
            ("openimages_multilabel_bce", F.binary_cross_entropy_with_logits, (mh(256, 9605), mh(256, 9605))),
            ("ts_first_difference", lambda x: torch.diff(x, dim=1), (mf(32, 720, 321),)),
            ("era5_nanmean", lambda x: x.nanmean(dim=(-2, -1)), (mf(1, 73, 721, 1440),)),
            ("fasttext_max_norm_embedding", lambda idx, w: F.embedding(idx, w, max_norm=1.0),
             (i(8192, 64), mf(2000000, 300))),
            ("gatys_gram_matrix",
             lambda f: torch.bmm(f.flatten(2), f.flatten(2).transpose(1, 2)) / (f.shape[1] * f.shape[2] * f.shape[3]),
             (mf(4, 512, 64, 64),)),
            ("centernet_heatmap_nms", lambda h: h * (F.max_pool2d(h, 3, 1, 1) == h).float(), (mf(32, 80, 128, 128),)),
            ("centernet_topk", lambda h: torch.topk(h.view(h.shape[0], -1), 100), (mf(32, 80, 128, 128),)),
            ("pointnet_global_max", lambda x: torch.max(x, 2, keepdim=True)[0], (mf(32, 1024, 1024),)),
            ("foreach_ema_mul_add",
             lambda *p: (torch._foreach_mul_(list(p[:4]), 0.9999), torch._foreach_add_(list(p[:4]), list(p[4:]),
                                                                                       alpha=1e-4)),
             tuple(mf(*s) for s in vit_b) + tuple(mf(*s) for s in vit_b)),
            ("swa_running_average", lambda swa, p: swa + (p - swa) / 11.0, (mf(4096, 4096), mf(4096, 4096))),
            ("audio_preemphasis", lambda x: torch.cat([x[:, :1], x[:, 1:] - 0.97 * x[:, :-1]], 1), (mf(32, 160000),))]

    def xvector_stats_pool(x):  # the x-vector / ECAPA statistics pooling (mean and std over frames)
        return torch.cat([x.mean(dim=-1), x.std(dim=-1)], dim=1)

    def flow_epe(pred, gt):  # optical flow's end-point error
        return torch.norm(pred - gt, p=2, dim=1).mean()

    # ADE20K's per-pixel argmax (150 classes at 512^2) at 16; Cityscapes' CE with ignore_index 255 (19 classes at 1024
    # x 2048) at 8; the EPE of 6 FlyingChairs flows; CRNN's per-step log-softmax (PaddleOCR: 40 steps, 6625
    # characters) at 256; x-vector statistics pooling (1500 channels, 300 frames) at 128; ResNet-50's global average
    # pool at 256 in fp16; a bf16 -> fp8 e4m3 cast of an 8192 x 8192 activation
    out += [("ade20k_argmax", lambda x: x.argmax(1), (mf(16, 150, 512, 512),)),
            ("cityscapes_ce_ignore", lambda x, t: F.cross_entropy(x, t, ignore_index=255),
             (mf(8, 19, 1024, 2048), i(8, 1024, 2048))),
            ("flow_epe", flow_epe, (mf(6, 2, 368, 496), mf(6, 2, 368, 496))),
            ("crnn_ctc_log_softmax", lambda x: x.log_softmax(2), (mf(40, 256, 6625),)),
            ("xvector_stats_pooling", xvector_stats_pool, (mf(128, 1500, 300),)),
            ("resnet50_global_avgpool", lambda x: F.adaptive_avg_pool2d(x, 1), (mh(256, 2048, 7, 7),)),
            ("fp8_e4m3_cast", lambda x: x.to(torch.float8_e4m3fn), (m(8192, 8192),))]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK27, _check27()),))
