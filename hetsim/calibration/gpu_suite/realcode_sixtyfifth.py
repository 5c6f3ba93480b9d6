"""The aten sweep's thirty-sixth blind real-code group: `realcode-check36`, the less common model families of LLM
inference in plain torch: multimodal LLMs (vision-language front-ends, visual token pruning and merging, M-RoPE
positions, audio LLM glue and neural audio codecs), state-space and linear-recurrent models, test-time-training
memories, embedding and reranking serving, byte-level models and diffusion language models.

Each case is one op or a short idiom as the models' public reference code (transformers' torch paths, the papers'
repositories, sentence-transformers, FlagEmbedding, colpali-engine, the codecs' own code) writes it, at real widths
(hidden 768-8192, heads of 64, 80 and 128), batches (1-256), contexts (up to 16K tokens and 128K bytes), vocabularies
(256 bytes to 250002 tokens) and in the dtypes the code runs (bf16 model tensors, fp16 where a tower runs in half (CLIP,
Whisper, the codecs' decoders), fp32 recurrent states, scans, gates, memories, scores and softmaxes, float64 where LLaDA
draws its Gumbel noise, int64 token, byte, hash and code ids, uint8 packed binary embeddings, int8 scalar-quantised
embeddings, bool masks): multimodal LLMs (LLaVA-NeXT's anyres tiling by bicubic resizes and a view / permute, its
unpadding with the image-newline column, the mlp2x_gelu projector over the penultimate layer's patches and
masked_scatter of the image rows into the prompt; CLIP-L/14-336 and SigLIP-so400m patch stems; FastV's layer-2 pruning
of image tokens by the last query's attention; ToMe's bipartite soft matching with size-weighted merges on CLIP and
SigLIP tokens; VisionZip's dominant tokens by the CLS attention and its contextual tokens merged by similarity;
LLaVA-OneVision's per-frame bilinear pooling of video features with a newline per frame; Qwen2-VL's get_rope_index for a
video with the text-only cumsum branch, its M-RoPE tables and their section interleave on q and k; Qwen2.5-VL's conv3d
patch embedding, 2-D vision rotary by the position grid lookup, the window attention through a block mask and the 2 x 2
patch merger; Janus-Pro's classifier-free guided image-token sampling and its generation embeddings); audio LLM pieces
and codecs (Whisper-large-v3's 128-bin log-mel by stft, its conv1d stem, Qwen2-Audio's average pooling projector;
EnCodec's residual VQ encode and decode at 24 and 32 kHz; DAC's factorised, L2-normalised codebook lookups; SNAC's
multi-scale codes with weight-normed projections, nearest upsampling by repeat_interleave, Snake activations and a
transposed-conv decoder block; Mimi's split RVQ decode and depthwise transposed upsampling; Vocos' iSTFT head written as
irfft and overlap-add by fold); state-space and linear-recurrent models (Mamba-2's ssd_minimal_discrete with segsum, its
four-operand einsums and the inter-chunk recurrence for Mamba-Codestral-7B and Mamba2-2.7B, the Mamba-2 decode step with
its rolled conv state, grouped B / C and gated group RMSNorm; Mamba-1's selective_scan_ref for Falcon-Mamba-7B and
Mamba-2.8B; RWKV-7's time mix with its five LoRAs, the wkv7 state step with its in-context learning-rate term, the
GroupNorm read-out and its squared-ReLU channel mix; Qwen3-Next's gated DeltaNet in transformers'
torch_chunk_gated_delta_rule and torch_recurrent_gated_delta_rule with its causal depthwise conv1d and gated RMSNorm;
GLA's chunkwise form with its low-rank log-sigmoid gates; xLSTM-7B's soft-capped gates and stabilised mLSTM decode
step); test-time-training memories (TTT-MLP's inner-loop mini-batch with its LayerNorm-fused L2 backward and tanh-GELU
derivative; Titans' neural memory as a two-layer MLP with data-dependent learning rates, momentum and weight decay, its
manual gradients and retrieval; ATLAS' Omega-rule update over a polynomial feature map with Muon's Newton-Schulz
orthogonalisation; Titans' memory-as-context segment attention with persistent and retrieved memory tokens); embedding
and reranking serving (Qwen3-Embedding's last-token pooling with both padding sides by where; nomic-embed's Matryoshka
layer norm, truncation and renorm with a corpus top-k; binary quantisation by sign and bit packing, Hamming distances by
XOR and a popcount table, int8 rescoring; sentence-transformers' calibrated int8 quantisation; ColPali's and
Jina-ColBERT-v2's MaxSim; BGE-M3's sparse lexical weights by scatter into the vocabulary and its multi-vector head;
Qwen3-Reranker's yes / no logits; reciprocal rank fusion by double argsort); byte-level models (BLT's entropy model
patching with patch ids by cumsum, its hash n-gram embeddings by rolling polynomial hashes over unfold windows, the
patch pooling by scatter_reduce amax and the patch / byte cross-attention masks; MegaByte's global patch embedding and
its local models' shifted byte inputs and logits); diffusion language models (LLaDA's semi-autoregressive step with
classifier-free guidance, float64 Gumbel noise, low-confidence remasking by a topk transfer mask and its
num_transfer_tokens, its Monte-Carlo likelihood with random masking; Dream's shifted logits, top-p and top-k filters,
margin and entropy confidences and its alg_temp multinomial transfer; Fast-dLLM's threshold parallel decoding; ReMDM's
remasking; BD3-LM's block-diffusion attention mask over noised and clean halves).
Data-dependent steps of the reference code are written without data-dependent shapes: boolean selections as where,
masked_fill and masked sums (LLaDA's transfer index, Fast-dLLM's threshold, BLT's patch starts), the kept tokens of
VisionZip by a stable argsort of the keep mask, per-row transfer counts at a fixed bound, padding-side branches by a
where of both, Python-level loops cut to their first steps (the scans' chunks, the delta rule's row loop to its first
and last rows, the RVQ stages, the Newton-Schulz iterations kept whole at five).
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK36 = "realcode-check36"


def _check36():
    import math
    from functools import partial as P

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _dtype_makers, _meta_makers, rotate_half

    m, i = _meta_makers()

    mh, mf, mb, mi32 = _dtype_makers()

    def mu8(*shape):  # uint8 (packed binary embeddings)
        return m(*shape, dt=torch.uint8)

    def mi8(*shape):  # int8 (scalar-quantised embeddings)
        return m(*shape, dt=torch.int8)

    NEG = float("-inf")
    out = []

    # ================================================================== multimodal LLMs: vision-language front-ends
    def anyres_tiles(img, mean, std, tile=336, gh=2, gw=2):  # LLaVA-NeXT's anyres: the image resized (bicubic) to its
        b, c = img.shape[:2]  # best grid and cut into tiles by a view and a permute, the base image resized to one
        big = F.interpolate(img, size=(gh * tile, gw * tile), mode="bicubic", align_corners=False)  # tile, both
        tiles = big.view(b, c, gh, tile, gw, tile).permute(0, 2, 4, 1, 3, 5).reshape(b, gh * gw, c, tile, tile)
        base = F.interpolate(img, size=(tile, tile), mode="bicubic", align_corners=False)  # normalised, half
        x = torch.cat([base.unsqueeze(1), tiles], dim=1).flatten(0, 1)
        x = (x.clamp(0, 1) - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)
        return x.half()

    # a 1080p frame on the 1 x 3 grid, eight 1024 x 1024 images on the 2 x 2 grid
    for b, hh, ww, gh, gw in ((1, 1080, 1920, 1, 3), (8, 1024, 1024, 2, 2)):
        out.append(("llava_next_anyres_tiles", P(anyres_tiles, gh=gh, gw=gw), (mf(b, 3, hh, ww), mf(3), mf(3))))

    def clip_stem(x, w, cls, pos, ln_w, ln_b):  # CLIP's vision embeddings: the patch conv (no bias), flattened, the
        b = x.shape[0]  # class token prepended, the position table added, the pre-LayerNorm
        p = F.conv2d(x, w, stride=w.shape[-1]).flatten(2).transpose(1, 2)
        e = torch.cat([cls.view(1, 1, -1).expand(b, 1, -1), p], dim=1) + pos.unsqueeze(0)
        return F.layer_norm(e, (e.shape[-1],), ln_w, ln_b, 1e-5)

    # CLIP-L/14-336 over LLaVA-NeXT's 5 and 20 tiles (fp16)
    for b in (5, 20):
        out.append(("clip_l14_336_stem", clip_stem, (mh(b, 3, 336, 336), mh(1024, 3, 14, 14), mh(1024), mh(577, 1024),
                                                     mh(1024), mh(1024))))

    def siglip_stem(x, w, bias, pos):  # SigLIP's patch embeddings: conv with bias, flattened, positions added (no CLS)
        return F.conv2d(x, w, bias, stride=14).flatten(2).transpose(1, 2) + pos.unsqueeze(0)

    for b in (7, 13):
        out.append(("siglip_so400m_stem", siglip_stem, (m(b, 3, 384, 384), m(1152, 3, 14, 14), m(1152), m(729, 1152))))

    def mlp2x_gelu(h, w1, b1, w2, b2):  # LLaVA's projector over the penultimate layer's patches (the CLS row dropped)
        return F.linear(F.gelu(F.linear(h[:, 1:], w1, b1)), w2, b2)

    # LLaVA-NeXT-7B (1024 -> 4096) over 5 tiles; LLaVA-NeXT-34B (1024 -> 7168) over 5 tiles; LLaVA-1.5-13B at 16 images
    for b, hid in ((5, 4096), (5, 7168), (16, 5120)):
        out.append(("llava_mlp2x_gelu_projector", mlp2x_gelu, (m(b, 577, 1024), m(hid, 1024), m(hid), m(hid, hid),
                                                               m(hid))))

    def unpad_newline(feat, newline, gh=2, gw=2, side=24, keep_rows=36):  # LLaVA-NeXT's pack_image_features: the
        d = feat.shape[-1]  # tiles' grid laid out as one [d, H, W] map, the padded rows cut (unpad), the newline column
        base = feat[0]  # appended, flattened back to tokens after the base image's
        t = feat[1:].view(gh, gw, side, side, d).permute(4, 0, 2, 1, 3).contiguous().flatten(1, 2).flatten(2, 3)
        top = (t.shape[1] - keep_rows) // 2
        t = t[:, top:top + keep_rows, :]
        t = torch.cat([t, newline[:, None, None].expand(d, t.shape[1], 1)], dim=-1)
        return torch.cat([base, t.flatten(1, 2).transpose(0, 1)], dim=0)

    for gh, gw, d, rows in ((2, 2, 4096, 36), (1, 3, 7168, 20)):
        out.append(("llava_next_unpad_newline", P(unpad_newline, gh=gh, gw=gw, keep_rows=rows),
                    (m(1 + gh * gw, 576, d), m(d))))

    def merge_image_rows(ids, table, feats, image_token=32000):  # the image rows written into the prompt's embeddings
        emb = F.embedding(ids, table)  # by masked_scatter over the image-token mask
        mask = (ids == image_token).unsqueeze(-1).expand_as(emb)
        return emb.masked_scatter(mask, feats.to(emb.dtype))

    for b, t, nimg, v, d in ((1, 2400, 2144, 32064, 4096), (8, 700, 576, 32064, 5120)):
        out.append(("llava_merge_image_rows", merge_image_rows, (i(b, t), m(v, d), mh(b * nimg, d))))

    # ================================================================ multimodal LLMs: visual token pruning and merging
    def fastv(h, attn, start=35, n_img=576, keep=288):  # FastV: at layer 2 the last query's attention over the image
        b, t, d = h.shape  # tokens (mean over heads), the top half kept in order (topk, sort), the hidden states
        s = attn[:, :, -1, start:start + n_img].float().mean(1)  # gathered with the text before and after them
        idx = s.topk(keep, dim=-1).indices.sort(dim=-1).values + start
        pre = torch.arange(start, device=h.device).expand(b, -1)
        post = torch.arange(start + n_img, t, device=h.device).expand(b, -1)
        keep_idx = torch.cat([pre, idx, post], dim=1)
        return h.gather(1, keep_idx.unsqueeze(-1).expand(-1, -1, d)), keep_idx

    # LLaVA-1.5-7B at 8 prompts (576 image tokens, keep 50 %); LLaVA-NeXT-7B (2144 image tokens, keep 25 %)
    for b, t, n_img, keep in ((8, 700, 576, 288), (1, 2400, 2144, 536)):
        out.append(("fastv_prune_image_tokens", P(fastv, n_img=n_img, keep=keep), (m(b, t, 4096), m(b, 32, t, t))))

    def tome(x, k, size, r=16):  # ToMe's bipartite soft matching: the keys normalised, alternate tokens split into A
        metric = k / k.norm(dim=-1, keepdim=True)  # and B, each A token's best B match, the r best edges merged into B
        a, bb = metric[..., ::2, :], metric[..., 1::2, :]  # (size-weighted sums by scatter_reduce), the first token
        scores = a @ bb.transpose(-1, -2)  # protected
        scores[..., 0, :] = NEG
        node_max, node_idx = scores.max(dim=-1)
        edge_idx = node_max.argsort(dim=-1, descending=True)[..., None]
        unm_idx, src_idx = edge_idx[..., r:, :], edge_idx[..., :r, :]
        dst_idx = node_idx[..., None].gather(dim=-2, index=src_idx)

        def merge(v):
            src, dst = v[..., ::2, :], v[..., 1::2, :]
            n, t1, c = src.shape
            unm = src.gather(dim=-2, index=unm_idx.expand(n, t1 - r, c))
            src = src.gather(dim=-2, index=src_idx.expand(n, r, c))
            dst = dst.scatter_reduce(-2, dst_idx.expand(n, r, c), src, reduce="sum")
            return torch.cat([unm, dst], dim=1)

        xs = merge(x * size)
        sz = merge(size)
        return xs / sz, sz

    # CLIP-L/14-336 at 20 tiles (r = 32), SigLIP-so400m at 8 images (r = 64)
    for b, t, d, r, dt in ((20, 577, 1024, 32, torch.float16), (8, 729, 1152, 64, torch.bfloat16)):
        out.append(("tome_bipartite_merge", P(tome, r=r), (m(b, t, d, dt=dt), m(b, t, 64, dt=dt), m(b, t, 1, dt=dt))))

    def visionzip(h, attn, dominant=54, contextual=10):  # VisionZip: the CLS row of the attention (mean over heads)
        b, t, d = h.shape  # picks the dominant tokens; the rest, kept in order by a stable argsort of the keep mask,
        cls_attn = attn[:, :, 0, 1:].mean(1)  # are assigned to evenly strided centres by cosine similarity and merged
        top = cls_attn.topk(dominant, dim=-1).indices + 1  # by scatter_add_ into their mean
        all_idx = torch.cat([torch.zeros(b, 1, dtype=torch.long, device=h.device), top], dim=1)
        dom = h.gather(1, all_idx[..., None].expand(-1, -1, d))
        keep = torch.ones(b, t, dtype=torch.bool, device=h.device).scatter(1, all_idx, False)
        rest_idx = torch.argsort(keep.to(torch.int8), dim=1, descending=True, stable=True)[:, : t - dominant - 1]
        rest = h.gather(1, rest_idx[..., None].expand(-1, -1, d))
        n_rest = rest.shape[1]
        step = max(1, n_rest // contextual)
        centres = rest[:, ::step][:, :contextual]
        sim = F.normalize(rest.float(), dim=-1) @ F.normalize(centres.float(), dim=-1).transpose(1, 2)
        assign = sim.argmax(dim=-1)
        merged = torch.zeros(b, contextual, d, device=h.device).scatter_add_(
            1, assign[..., None].expand(-1, -1, d), rest.float())
        counts = torch.zeros(b, contextual, device=h.device).scatter_add_(1, assign, torch.ones_like(assign,
                                                                                                   dtype=torch.float))
        return torch.cat([dom, (merged / counts.clamp(min=1).unsqueeze(-1)).to(h.dtype)], dim=1)

    for b, dom, ctx in ((5, 54, 10),):
        out.append(("visionzip_dominant_contextual", P(visionzip, dominant=dom, contextual=ctx),
                    (mh(b, 577, 1024), mh(b, 16, 577, 577))))

    def video_pool(feat, newline, side=27):  # LLaVA-OneVision's video features: each frame's grid pooled by bilinear
        f, n, d = feat.shape  # interpolation to half its side (ceil), a newline token after every frame
        x = feat.view(f, side, side, d).permute(0, 3, 1, 2)
        x = F.interpolate(x, size=(math.ceil(side / 2), math.ceil(side / 2)), mode="bilinear")
        x = x.permute(0, 2, 3, 1).flatten(1, 2)
        return torch.cat([x, newline.view(1, 1, d).expand(f, 1, d)], dim=1).flatten(0, 1)

    for f, d in ((32, 3584), (64, 896)):
        out.append(("onevision_video_bilinear_pool", video_pool, (m(f, 729, d), m(d))))

    # ================================================================== multimodal LLMs: M-RoPE and Qwen2.5-VL's vision
    def rope_index(mask, text_before=15, grid=(1, 32, 32), text_after=40, video_scale=1.0):  # Qwen2-VL's
        t0 = text_before  # get_rope_index for one image or video: text positions, the (t, h, w) grid's indices
        gt, gh, gw = grid  # (the video's temporal index scaled by its seconds per grid), the text after, stacked for
        dev = mask.device  # three sections; the text-only rows by the attention mask's cumsum; the deltas
        st = torch.arange(t0, device=dev).view(1, -1).expand(3, -1)
        t_idx = (torch.arange(gt, device=dev).view(-1, 1) * video_scale).long().expand(-1, gh * gw).flatten()
        h_idx = torch.arange(gh, device=dev).view(1, -1, 1).expand(gt, -1, gw).flatten()
        w_idx = torch.arange(gw, device=dev).view(1, 1, -1).expand(gt, gh, -1).flatten()
        img = torch.stack([t_idx, h_idx, w_idx]) + t0
        after = torch.arange(text_after, device=dev).view(1, -1).expand(3, -1) + img.max() + 1
        pos = torch.cat([st, img, after], dim=1)
        b = mask.shape[0]
        text_pos = mask.long().cumsum(-1) - 1
        text_pos = text_pos.masked_fill(mask == 0, 1).unsqueeze(0).expand(3, -1, -1)
        deltas = text_pos.amax(dim=(0, 2)) + 1 - mask.shape[-1]
        return pos.unsqueeze(1).expand(3, b, -1), text_pos, deltas

    # a 16-frame video of 24 x 42 merged patches at 2 s per temporal grid (scale 2 x 25 / 25)
    for b, grid, tb, ta, vs in ((1, (8, 24, 42), 20, 60, 2.0),):
        n = tb + grid[0] * grid[1] * grid[2] + ta
        out.append(("qwen2vl_get_rope_index", P(rope_index, text_before=tb, grid=grid, text_after=ta, video_scale=vs),
                    (i(b, n),)))

    def mrope(q, k, pos, inv_freq, section=(16, 24, 24)):  # Qwen2-VL's M-RoPE: the three position rows' frequencies by
        # a batched product, cos / sin, the halves' sections interleaved t, h, w, applied to q and k
        b = pos.shape[1]
        f = (inv_freq[None, None, :, None].float().expand(3, b, -1, 1) @ pos[:, :, None, :].float()).transpose(2, 3)
        emb = torch.cat((f, f), dim=-1)
        cos, sin = emb.cos().to(q.dtype), emb.sin().to(q.dtype)
        sec = list(section) * 2
        cos = torch.cat([c[j % 3] for j, c in enumerate(cos.split(sec, dim=-1))], dim=-1).unsqueeze(1)
        sin = torch.cat([s[j % 3] for j, s in enumerate(sin.split(sec, dim=-1))], dim=-1).unsqueeze(1)
        return q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin

    # Qwen2.5-VL-72B (64 / 8 heads) at a 6000-token prompt; Qwen2.5-VL-3B (16 / 2 heads) at 4 x 3000
    for b, t, h, hk in ((1, 6000, 64, 8), (4, 3000, 16, 2)):
        out.append(("qwen2vl_mrope_apply", mrope, (m(b, h, t, 128), m(b, hk, t, 128), i(3, b, t), mf(64))))

    def qwen_patch_embed(pixels, w):  # Qwen2.5-VL's PatchEmbed: the flattened 2 x 14 x 14 patches viewed back, conv3d
        x = pixels.view(-1, 3, 2, 14, 14).to(w.dtype)  # with kernel = stride, one row a patch
        return F.conv3d(x, w, stride=(2, 14, 14)).view(-1, w.shape[0])

    for n in (4096, 14400):
        out.append(("qwen25vl_conv3d_patch_embed", qwen_patch_embed, (mf(n, 1176), m(1280, 3, 2, 14, 14))))

    def vision_rotary(q, k, freq_row, gh=64, gw=64):  # Qwen2.5-VL's rot_pos_emb: the (h, w) ids in 2 x 2 merge order,
        dev = q.device  # the table's rows looked up by them, flattened, cat, cos / sin applied in fp32
        hpos = torch.arange(gh, device=dev).unsqueeze(1).expand(-1, gw)
        hpos = hpos.reshape(gh // 2, 2, gw // 2, 2).permute(0, 2, 1, 3).flatten()
        wpos = torch.arange(gw, device=dev).unsqueeze(0).expand(gh, -1)
        wpos = wpos.reshape(gh // 2, 2, gw // 2, 2).permute(0, 2, 1, 3).flatten()
        ids = torch.stack([hpos, wpos], dim=-1)
        full = torch.outer(torch.arange(max(gh, gw), device=dev, dtype=torch.float), freq_row)
        rot = full[ids].flatten(1)
        emb = torch.cat((rot, rot), dim=-1)
        cos, sin = emb.cos().unsqueeze(-2), emb.sin().unsqueeze(-2)
        qf, kf = q.float(), k.float()
        return ((qf * cos) + (rotate_half(qf) * sin)).to(q.dtype), ((kf * cos) + (rotate_half(kf) * sin)).to(k.dtype)

    for gh, gw in ((64, 64), (80, 180)):
        n = gh * gw
        out.append(("qwen25vl_vision_rotary", P(vision_rotary, gh=gh, gw=gw), (m(n, 16, 80), m(n, 16, 80), mf(20))))

    def window_attn(q, k, v, win):  # Qwen2.5-VL's window attention (its cu_window_seqlens) as a block mask of window
        mask = win[:, None] == win[None, :]  # ids into SDPA
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask[None, None])

    for n in (4096, 14400):
        out.append(("qwen25vl_window_attention", window_attn, (m(1, 16, n, 80), m(1, 16, n, 80), m(1, 16, n, 80),
                                                               i(n))))

    def patch_merger(x, ln_w, w1, b1, w2, b2):  # Qwen2.5-VL's PatchMerger: RMSNorm over 1280, four patches' rows as
        x = F.rms_norm(x, (x.shape[-1],), ln_w, 1e-6).view(-1, 4 * x.shape[-1])  # one, the GELU MLP into the LLM
        return F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2)

    for n, o in ((4096, 3584), (14400, 8192)):
        out.append(("qwen25vl_patch_merger", patch_merger, (m(n, 1280), m(1280), m(5120, 5120), m(5120), m(o, 5120),
                                                            m(o))))

    def janus_cfg_sample(logits, emb, w1, b1, w2, b2, cfg=5.0, temp=1.0):  # Janus-Pro's image generation step: the
        cond, uncond = logits[0::2], logits[1::2]  # conditional and unconditional rows interleaved, guided, softmax,
        lg = uncond + cfg * (cond - uncond)  # one draw each, the codes' generation embeddings through the aligner MLP,
        p = torch.softmax(lg / temp, dim=-1)  # repeated for both rows of the next step
        tok = torch.multinomial(p, num_samples=1)
        nxt = torch.cat([tok, tok], dim=1).view(-1)
        e = F.embedding(nxt, emb)
        return F.linear(F.gelu(F.linear(e, w1, b1)), w2, b2)

    # Janus-Pro-7B (16384 image codes, 8-dim embeddings into 4096) at parallel 16; Janus-Pro-1B (2048 wide) at 64
    for par, hid in ((16, 4096), (64, 2048)):
        out.append(("janus_pro_cfg_image_token", janus_cfg_sample,
                    (mf(2 * par, 16384), m(16384, 8), m(hid, 8), m(hid), m(hid, hid), m(hid))))

    # ================================================================== audio LLM pieces and neural codecs
    def log_mel(audio, window, filters):  # Whisper's log_mel_spectrogram: stft (400, hop 160, Hann), the last frame
        stft = torch.stft(audio, 400, 160, window=window, return_complex=True)  # dropped, power, mel filters, log10
        mag = stft[..., :-1].abs() ** 2  # clamped at 1e-10, floored 8 below the max, scaled
        mel = filters @ mag
        log_spec = torch.clamp(mel, min=1e-10).log10()
        log_spec = torch.maximum(log_spec, log_spec.amax(dim=(-2, -1), keepdim=True) - 8.0)
        return (log_spec + 4.0) / 4.0

    # Whisper-large-v3 (128 mels) over 30 s windows at batches 6 and 48
    for b in (6, 48):
        out.append(("whisper_v3_log_mel", log_mel, (mf(b, 480000), mf(400), mf(128, 201))))

    def whisper_stem(x, w1, b1, w2, b2, pos):  # Whisper's encoder stem: conv1d k3, GELU, conv1d k3 stride 2, GELU, the
        x = F.gelu(F.conv1d(x, w1, b1, padding=1))  # frames to rows, sinusoidal positions added
        x = F.gelu(F.conv1d(x, w2, b2, stride=2, padding=1)).permute(0, 2, 1)
        return x + pos

    for b in (3, 24):
        out.append(("whisper_v3_conv_stem", whisper_stem, (mh(b, 128, 3000), mh(1280, 128, 3), mh(1280),
                                                           mh(1280, 1280, 3), mh(1280), mh(1500, 1280))))

    def audio_projector(h, ln_w, ln_b, w, bias):  # Qwen2-Audio: the encoder's rows pooled by 2 (avg_pool1d over time),
        x = F.avg_pool1d(h.permute(0, 2, 1), 2, stride=2).permute(0, 2, 1)  # LayerNorm, the projector into the LLM
        x = F.layer_norm(x, (x.shape[-1],), ln_w, ln_b, 1e-5)
        return F.linear(x, w, bias)

    for b in (3, 24):
        out.append(("qwen2_audio_pool_projector", audio_projector, (m(b, 1500, 1280), m(1280), m(1280), m(4096, 1280),
                                                                    m(4096))))

    def rvq_decode(codes, books):  # EnCodec's ResidualVectorQuantization.decode: each stage's codes looked up in its
        q = 0.0  # codebook (embedding), summed over the stages, frames moved last
        for j in range(codes.shape[0]):
            q = q + F.embedding(codes[j], books[j]).transpose(1, 2)
        return q

    # EnCodec 24 kHz at 24 kbps (32 stages, 75 frames a second, 20 s at batch 8); EnCodec 32 kHz (MusicGen's: 4 stages
    # of 2048, 50 frames a second, 30 s at batch 16)
    for nq, b, t, k in ((32, 8, 1500, 1024), (4, 16, 1500, 2048)):
        out.append(("encodec_rvq_decode", rvq_decode, (i(nq, b, t), mf(nq, k, 128))))

    def rvq_encode(x, books, stages=3):  # EnCodec's EuclideanCodebook.quantize over the residual, stage by stage:
        b, d, t = x.shape  # distances by the expanded square (the codebook transposed), argmax of their negation,
        r = x.transpose(1, 2).reshape(-1, d)  # the quantised rows looked up and subtracted
        codes = []
        for j in range(stages):
            embed = books[j].t()
            dist = -(r.pow(2).sum(1, keepdim=True) - 2 * r @ embed + embed.pow(2).sum(0, keepdim=True))
            idx = dist.max(dim=-1).indices
            r = r - F.embedding(idx, books[j])
            codes.append(idx.view(b, t))
        return torch.stack(codes)

    for b, t, k in ((8, 1500, 1024), (16, 1500, 2048)):
        out.append(("encodec_rvq_encode", rvq_encode, (mf(b, 128, t), mf(3, k, 128))))

    def dac_quantise(z, in_v, in_g, in_b, book, out_v, out_g, out_b):  # DAC's factorised codebook: the latent
        w_in = torch._weight_norm(in_v, in_g, 0)  # projected to 8 dims (weight-normed conv1d k1), L2-normalised and
        ze = F.conv1d(z, w_in, in_b)  # matched against the normalised codebook, the code's entry projected back
        b, d, t = ze.shape
        enc = F.normalize(ze.transpose(1, 2).reshape(-1, d))
        cb = F.normalize(book)
        dist = enc.pow(2).sum(1, keepdim=True) - 2 * enc @ cb.t() + cb.pow(2).sum(1, keepdim=True).t()
        idx = (-dist).max(1).indices.view(b, t)
        zq = F.embedding(idx, book).transpose(1, 2)
        return F.conv1d(zq, torch._weight_norm(out_v, out_g, 0), out_b), idx

    # DAC 44 kHz (1024-wide latent, 86 frames a second) at 30 s by 4 and 10 s by 16
    for b, t in ((4, 2584), (16, 862)):
        out.append(("dac_factorised_vq", dac_quantise, (mf(b, 1024, t), mf(8, 1024, 1), mf(8, 1, 1), mf(8),
                                                        mf(1024, 8), mf(1024, 8, 1), mf(1024, 1, 1), mf(1024))))

    def snac_codes(c0, c1, c2, books, out_v, out_g, out_b, strides=(4, 2, 1)):  # SNAC's multi-scale decode: each
        z = 0.0  # scale's codes looked up (8-dim), projected by its weight-normed conv1d k1, upsampled by
        for j, (c, s) in enumerate(zip((c0, c1, c2), strides, strict=True)):  # repeat_interleave to the finest rate
            e = F.embedding(c, books[j]).transpose(1, 2)
            e = F.conv1d(e, torch._weight_norm(out_v[j], out_g[j], 0), out_b[j])
            z = z + e.repeat_interleave(s, dim=-1)
        return z

    # SNAC 24 kHz (4096 codes of 8, latent 768) at 10 s (469 frames) by 8 and 30 s by 2
    for b, t in ((8, 468), (2, 1404)):
        out.append(("snac_multiscale_decode", snac_codes, (i(b, t // 4), i(b, t // 2), i(b, t), mf(3, 4096, 8),
                                                           mf(3, 768, 8, 1), mf(3, 768, 1, 1), mf(3, 768))))

    def snake(x, alpha):  # Snake: x + 1 / (alpha + 1e-9) * sin(alpha x)^2, per channel
        a = alpha.view(1, -1, 1)
        return x + (a + 1e-9).reciprocal() * torch.sin(a * x).pow(2)

    def snac_block(x, a0, wt, bt, a1, wdw, bdw, a2, w1, b1, stride=8):  # a SNAC / DAC decoder block: Snake, the
        x = F.conv_transpose1d(snake(x, a0), wt, bt, stride=stride, padding=math.ceil(stride / 2))  # transposed
        y = F.conv1d(snake(x, a1), wdw, bdw, padding=3, groups=x.shape[1])  # upsampling, a residual unit's Snake,
        y = F.conv1d(snake(y, a2), w1, b1)  # depthwise k7 conv, Snake and k1 conv, the residual added
        return x + y

    # the first two blocks of SNAC 24 kHz's decoder (1536 -> 768 by 8, 768 -> 384 by 8) over 10 s at batch 2
    for b, cin, cout, t in ((2, 1536, 768, 469), (2, 768, 384, 3752)):
        out.append(("snac_decoder_block", snac_block,
                    (mh(b, cin, t), mh(cin), mh(cin, cout, 16), mh(cout), mh(cout), mh(cout, 1, 7), mh(cout),
                     mh(cout), mh(cout, cout, 1), mh(cout))))

    def mimi_decode(sem, acoustic, sem_book, ac_books, w_out, w_up):  # Mimi's split RVQ decode: the semantic stage
        z = F.embedding(sem, sem_book)  # and seven acoustic stages looked up and summed, the output projection
        for j in range(acoustic.shape[0]):  # (conv1d 256 -> 512), the depthwise transposed conv upsampling by 2
            z = z + F.embedding(acoustic[j], ac_books[j])
        z = F.conv1d(z.transpose(1, 2), w_out)
        return F.conv_transpose1d(z, w_up, stride=2, groups=z.shape[1])

    # Mimi at 12.5 frames a second: 10 s by 64 streams, 5 min by 1
    for b, t in ((64, 125), (1, 3750)):
        out.append(("mimi_split_rvq_decode", mimi_decode, (i(b, t), i(7, b, t), mf(2048, 256), mf(7, 2048, 256),
                                                           mf(512, 256, 1), mf(512, 1, 4))))

    def vocos_istft(x, w, bias, window, n_fft=1280, hop=320):  # Vocos' ISTFT head (padding "same"): magnitude and
        h = F.linear(x, w, bias).transpose(1, 2)  # phase from a linear, exp clipped at 100, the complex spectrum by
        mag, p = h.chunk(2, dim=1)  # cos / sin, irfft, windowed, overlap-added by fold, divided by the folded squared
        mag = torch.exp(mag).clip(max=1e2)  # window, trimmed
        s = mag * (torch.cos(p) + 1j * torch.sin(p))
        pad = (n_fft - hop) // 2
        frames = torch.fft.irfft(s, n_fft, dim=1, norm="backward") * window[None, :, None]
        t = s.shape[-1]
        size = (t - 1) * hop + n_fft
        y = F.fold(frames, output_size=(1, size), kernel_size=(1, n_fft), stride=(1, hop))[:, 0, 0, pad:-pad]
        env = F.fold(window.square().expand(1, t, -1).transpose(1, 2), output_size=(1, size),
                     kernel_size=(1, n_fft), stride=(1, hop)).squeeze()[pad:-pad]
        return y / env

    # WavTokenizer / Vocos 24 kHz heads (hop 320, n_fft 1280) over 10 s at batch 8 and 60 s at batch 1
    for b, t in ((8, 750), (1, 4500)):
        out.append(("vocos_istft_head", vocos_istft, (mf(b, t, 768), mf(1282, 768), mf(1282), mf(1280))))

    # ================================================================== state-space and linear-recurrent models
    def segsum(x):  # Mamba-2's stable segment sum: x repeated over a new last dim, strictly-lower masked, cumsum down,
        t = x.size(-1)  # the upper triangle to -inf
        x = x[..., None].expand(*x.shape, t)
        mask = torch.tril(torch.ones(t, t, device=x.device, dtype=torch.bool), diagonal=-1)
        x = x.masked_fill(~mask, 0)
        xs = torch.cumsum(x, dim=-2)
        mask = torch.tril(torch.ones(t, t, device=x.device, dtype=torch.bool), diagonal=0)
        return xs.masked_fill(~mask, NEG)

    def ssd_minimal(x, a, bm, cm, block=256):  # ssd_minimal_discrete: chunks, the intra-chunk output by a four-operand
        b, seq, h, p = x.shape  # einsum through exp(segsum(A)), each chunk's state, the inter-chunk recurrence over
        c = seq // block  # the chunk decays, the states' outputs
        x, bm, cm = (t.reshape(b, c, block, *t.shape[2:]) for t in (x, bm, cm))
        a = a.reshape(b, c, block, h).permute(0, 3, 1, 2)
        a_cum = torch.cumsum(a, dim=-1)
        L = torch.exp(segsum(a))
        y_diag = torch.einsum("bclhn,bcshn,bhcls,bcshp->bclhp", cm, bm, L, x)
        decay_states = torch.exp(a_cum[:, :, :, -1:] - a_cum)
        states = torch.einsum("bclhn,bhcl,bclhp->bchpn", bm, decay_states, x)
        states = torch.cat([torch.zeros_like(states[:, :1]), states], dim=1)
        decay_chunk = torch.exp(segsum(F.pad(a_cum[:, :, :, -1], (1, 0))))
        new_states = torch.einsum("bhzc,bchpn->bzhpn", decay_chunk, states)
        states, final = new_states[:, :-1], new_states[:, -1]
        y_off = torch.einsum("bclhn,bchpn,bhcl->bclhp", cm, states, torch.exp(a_cum))
        return (y_diag + y_off).reshape(b, seq, h, p), final

    def ssd_inputs(xbc, dt, dt_bias, a_log, heads=128, hd=64, groups=8, n=128):  # transformers' Mamba-2 torch path
        b, seq, _ = xbc.shape  # before the scan: x, B, C split, B / C groups repeated to the heads, dt by softplus
        x, bm, cm = xbc.split([heads * hd, groups * n, groups * n], dim=-1)  # clamped, x scaled by dt, A times dt
        dt = F.softplus(dt + dt_bias).clamp(0.0, float("inf"))
        a = -torch.exp(a_log.float())
        x = x.reshape(b, seq, heads, hd).float()
        bm = bm.reshape(b, seq, groups, n).float().repeat_interleave(heads // groups, dim=2)
        cm = cm.reshape(b, seq, groups, n).float().repeat_interleave(heads // groups, dim=2)
        return x * dt[..., None], a * dt, bm, cm

    # Mamba-Codestral-7B (128 heads of 64, 8 groups, state 128) at 4096 tokens; Mamba2-2.7B (80 heads, 1 group) at
    # 4 x 2048
    for b, seq, h, g in ((1, 4096, 128, 8), (4, 2048, 80, 1)):
        out.append(("mamba2_ssd_inputs", P(ssd_inputs, heads=h, groups=g),
                    (m(b, seq, h * 64 + 2 * g * 128), mf(b, seq, h), mf(h), mf(h))))
        out.append(("mamba2_ssd_minimal", ssd_minimal, (mf(b, seq, h, 64), mf(b, seq, h), mf(b, seq, h, 128),
                                                        mf(b, seq, h, 128))))

    def mamba2_step(hs, w_in, conv_state, conv_w, conv_b, dt_bias, a_log, d_skip, ssm, norm_w, w_out, heads=128, hd=64,
                    groups=8, n=128):  # the Mamba-2 decode step: in_proj split, the conv state rolled and written,
        b = hs.shape[0]  # the depthwise conv as a weighted sum, SiLU, dt, dA, the state update by broadcast products,
        di = heads * hd  # the read-out by a batched product, D skip, gated group RMSNorm, out_proj
        z, xbc, dt = F.linear(hs, w_in).squeeze(1).split([di, di + 2 * groups * n, heads], dim=-1)
        conv_state = conv_state.roll(shifts=-1, dims=-1)
        conv_state[:, :, -1] = xbc
        xbc = F.silu((conv_state * conv_w[:, 0, :]).sum(dim=-1) + conv_b)
        x, bm, cm = xbc.split([di, groups * n, groups * n], dim=-1)
        a = -torch.exp(a_log.float())
        dt = F.softplus(dt + dt_bias.to(dt.dtype))
        da = torch.exp(dt.float() * a)
        x = x.reshape(b, heads, hd)
        bm = bm.reshape(b, groups, n).repeat_interleave(heads // groups, dim=1)
        cm = cm.reshape(b, groups, n).repeat_interleave(heads // groups, dim=1)
        dbx = (dt[..., None] * bm)[:, :, None, :] * x[..., None]
        ssm = ssm * da[..., None, None] + dbx.float()
        y = torch.bmm(ssm.view(b * heads, hd, n).to(cm.dtype), cm.reshape(b * heads, n, 1)).view(b, heads, hd)
        y = (y + x * d_skip[:, None].to(x.dtype)).reshape(b, di)
        g = (y.float() * F.silu(z.float())).view(b, groups, -1)
        g = g * torch.rsqrt(g.pow(2).mean(-1, keepdim=True) + 1e-5)
        return F.linear((norm_w * g.view(b, di)).to(hs.dtype), w_out).unsqueeze(1), ssm, conv_state

    for b, h, g, hid in ((64, 128, 8, 4096), (16, 80, 1, 2560)):
        di = h * 64
        cw = di + 2 * g * 128
        out.append(("mamba2_decode_step", P(mamba2_step, heads=h, groups=g),
                    (m(b, 1, hid), m(2 * di + 2 * g * 128 + h, hid), m(b, cw, 4), m(cw, 1, 4), m(cw), m(h), mf(h),
                     mf(h), mf(b, h, 64, 128), m(di), m(hid, di))))

    def selective_scan_ref(u, delta, a, bm, cm, d, z, steps=3):  # Mamba-1's selective_scan_ref: delta softplus'd, the
        delta = F.softplus(delta.float())  # discretised A and B * u by einsums over the whole sequence, the
        u = u.float()  # recurrence's first steps, the read-out, D skip and the SiLU gate
        da = torch.exp(torch.einsum("bdl,dn->bdln", delta, a))
        dbu = torch.einsum("bdl,bnl,bdl->bdln", delta, bm.float(), u)
        x = u.new_zeros(u.shape[0], u.shape[1], a.shape[1])
        ys = []
        for j in range(steps):
            x = da[:, :, j] * x + dbu[:, :, j]
            ys.append(torch.einsum("bdn,bn->bd", x, cm[:, :, j].float()))
        y = torch.stack(ys, dim=2)
        return (y + u[:, :, :steps] * d[:, None]) * F.silu(z[:, :, :steps].float())

    # Falcon-Mamba-7B (8192 inner, state 16) at 2 x 1024; Mamba-2.8B (5120 inner) at 2048
    for b, di, seq in ((2, 8192, 1024), (1, 5120, 2048)):
        out.append(("mamba1_selective_scan_ref", selective_scan_ref,
                    (m(b, di, seq), m(b, di, seq), mf(di, 16), m(b, 16, seq), m(b, 16, seq), mf(di), m(b, di, seq))))

    def rwkv7_tmix(x, mix, w0, w1, w2, a0, a1, a2, v0, v1, v2, g1, g2, wr, wk, wv, k_k, k_a, v_first, heads=40):
        # RWKV-7's time mix: the token shift's difference, six lerps, r / k / v, the decay LoRA (tanh,
        # -softplus - 0.5), the in-context learning rate a, the value residual to the first layer's v, the gate
        # LoRA, kk normalised per head, k scaled by a
        b, t, c = x.shape
        xx = F.pad(x, (0, 0, 1, -1)) - x
        xr, xw, xk, xv, xa, xg = (x + xx * mix[j] for j in range(6))
        r = F.linear(xr, wr)
        w = -F.softplus(-(w0 + torch.tanh(xw @ w1) @ w2)) - 0.5
        k = F.linear(xk, wk)
        v = F.linear(xv, wv)
        v = v + (v_first - v) * torch.sigmoid(v0 + (xv @ v1) @ v2)
        a = torch.sigmoid(a0 + (xa @ a1) @ a2)
        g = torch.sigmoid(xg @ g1) @ g2
        kk = F.normalize((k * k_k).view(b, t, heads, -1), dim=-1, p=2.0).view(b, t, c)
        k = k * (1 + (a - 1) * k_a)
        return r, w, k, v, -kk, kk * a, g

    # RWKV-7 World 2.9B (2560 wide, 40 heads) at 4096 tokens; RWKV-7 7.2B (4096 wide, 64 heads) at decode batch 32
    for b, t, c, h, lw, la, lv, lg in ((1, 4096, 2560, 40, 96, 96, 64, 320), (32, 1, 4096, 64, 128, 128, 96, 480)):
        out.append(("rwkv7_time_mix", P(rwkv7_tmix, heads=h),
                    (m(b, t, c), m(6, 1, 1, c), m(1, 1, c), m(c, lw), m(lw, c), m(1, 1, c), m(c, la), m(la, c),
                     m(1, 1, c), m(c, lv), m(lv, c), m(c, lg), m(lg, c), m(c, c), m(c, c), m(c, c), m(c), m(c),
                     m(b, t, c))))

    def wkv7_step(state, r, w, k, v, a, bb):  # the wkv7 recurrence for one token: the decay exp(-exp(w)), the
        bsz, h, n, _ = state.shape  # state decayed, its in-context update S (a b^T), v k^T added, read by r
        w = torch.exp(-torch.exp(w.float())).view(bsz, h, 1, n)
        vk = v.float().view(bsz, h, n, 1) @ k.float().view(bsz, h, 1, n)
        ab = a.float().view(bsz, h, n, 1) @ bb.float().view(bsz, h, 1, n)
        state = state * w + state @ ab + vk
        return (state.to(r.dtype) @ r.view(bsz, h, n, 1)).view(bsz, h * n), state

    for b, h in ((32, 64), (256, 40)):
        c = h * 64
        out.append(("rwkv7_wkv_step", wkv7_step, (mf(b, h, 64, 64),) + tuple(m(b, c) for _ in range(6))))

    def rwkv7_readout(xo, r, k, v, r_k, ln_w, ln_b, g, wo, heads=40):  # its read-out: GroupNorm over the heads (eps
        b, t, c = xo.shape  # 64e-5), the bonus (r k r_k summed per head) times v, gated, the output projection
        x = F.group_norm(xo.view(b * t, c), heads, ln_w, ln_b, eps=64e-5).view(b, t, c)
        bonus = (r.view(b, t, heads, -1) * k.view(b, t, heads, -1) * r_k).sum(dim=-1, keepdim=True)
        x = x + (bonus * v.view(b, t, heads, -1)).view(b, t, c)
        return F.linear(x * g, wo)

    for b, t, c, h in ((1, 4096, 2560, 40), (32, 1, 4096, 64)):
        out.append(("rwkv7_readout", P(rwkv7_readout, heads=h),
                    (m(b, t, c), m(b, t, c), m(b, t, c), m(b, t, c), m(h, c // h), m(c), m(c), m(b, t, c), m(c, c))))

    def rwkv7_cmix(x, x_k, wk, wv):  # RWKV-7's channel mix: token shift lerp, squared ReLU over 4x, the value
        xx = F.pad(x, (0, 0, 1, -1)) - x
        k = torch.relu(F.linear(x + xx * x_k, wk)) ** 2
        return F.linear(k, wv)

    for b, t, c in ((1, 4096, 2560), (32, 1, 4096)):
        out.append(("rwkv7_channel_mix", rwkv7_cmix, (m(b, t, c), m(1, 1, c), m(4 * c, c), m(c, 4 * c))))

    def gdn_proj(x, w_qkvz, w_ba, conv_w, a_log, dt_bias, nk=16, nv=32, dk=128, dv=128):  # Qwen3-Next's gated
        b, t, _ = x.shape  # DeltaNet inputs: the qkvz and ba projections regrouped per key head, q / k / v through the
        qkvz = F.linear(x, w_qkvz).view(b, t, nk, -1)  # causal depthwise conv1d (k4) with SiLU, beta by sigmoid,
        ba = F.linear(x, w_ba).view(b, t, nk, -1)  # g = -exp(A_log) softplus(a + dt_bias)
        r = nv // nk
        q, k, v, z = torch.split(qkvz, [dk, dk, r * dv, r * dv], dim=3)
        bb, a = torch.split(ba, [r, r], dim=3)
        v, z = v.reshape(b, t, -1, dv), z.reshape(b, t, -1, dv)
        bb, a = bb.reshape(b, t, nv), a.reshape(b, t, nv)
        mixed = torch.cat([q.reshape(b, t, -1), k.reshape(b, t, -1), v.reshape(b, t, -1)], dim=-1).transpose(1, 2)
        mixed = F.silu(F.conv1d(mixed, conv_w, padding=3, groups=mixed.shape[1])[..., :t]).transpose(1, 2)
        beta = bb.sigmoid()
        g = -a_log.float().exp() * F.softplus(a.float() + dt_bias)
        return mixed, z, beta, g

    # Qwen3-Next-80B-A3B (2048 wide; 16 key heads, 32 value heads of 128) at 4096 tokens and 4 x 1024
    for b, t in ((1, 4096), (4, 1024)):
        out.append(("qwen3next_gdn_inputs", gdn_proj, (m(b, t, 2048), m(12288, 2048), m(64, 2048), m(8192, 1, 4),
                                                       mf(32), mf(32))))

    def l2norm(x, eps=1e-6):
        return x * torch.rsqrt((x * x).sum(dim=-1, keepdim=True) + eps)

    def chunk_gdr(q, k, v, g, beta, chunk=64, rows=(1, 63), chunks=2):  # torch_chunk_gated_delta_rule: q / k
        dt0 = q.dtype  # l2-normalised, heads first in fp32, padded to the chunk, q scaled, beta-weighted k and v, the
        q, k = l2norm(q), l2norm(k)  # chunks' decay masks from the gates' cumsum, the WY rows built by the row loop
        q, k, v, beta, g = (x.transpose(1, 2).contiguous().to(torch.float32) for x in (q, k, v, beta, g))  # (cut to
        b, h, t, dk = k.shape  # a few rows), the chunk loop's state recurrence (cut to its first chunks)
        dv = v.shape[-1]
        q = q * (1 / dk ** 0.5)
        v_beta = v * beta.unsqueeze(-1)
        k_beta = k * beta.unsqueeze(-1)
        q, k, v, k_beta, v_beta = (x.reshape(b, h, -1, chunk, x.shape[-1]) for x in (q, k, v, k_beta, v_beta))
        g = g.reshape(b, h, -1, chunk).cumsum(dim=-1)
        mask = torch.triu(torch.ones(chunk, chunk, dtype=torch.bool, device=q.device), diagonal=0)
        decay = ((g.unsqueeze(-1) - g.unsqueeze(-2)).tril().exp().float()).tril()
        attn = -((k_beta @ k.transpose(-1, -2)) * decay).masked_fill(mask, 0)
        for j in rows:
            row = attn[..., j, :j].clone()
            sub = attn[..., :j, :j].clone()
            attn[..., j, :j] = row + (row.unsqueeze(-1) * sub).sum(-2)
        attn = attn + torch.eye(chunk, dtype=attn.dtype, device=attn.device)
        value = attn @ v_beta
        k_cum = attn @ (k_beta * g.exp().unsqueeze(-1))
        state = torch.zeros(b, h, dk, dv).to(value)
        core = torch.zeros_like(value)
        mask = torch.triu(torch.ones(chunk, chunk, dtype=torch.bool, device=q.device), diagonal=1)
        for c in range(chunks):
            q_i, k_i, v_i = q[:, :, c], k[:, :, c], value[:, :, c]
            a_i = (q_i @ k_i.transpose(-1, -2) * decay[:, :, c]).masked_fill_(mask, 0)
            v_new = v_i - k_cum[:, :, c] @ state
            inter = (q_i * g[:, :, c, :, None].exp()) @ state
            core[:, :, c] = inter + a_i @ v_new
            state = (state * g[:, :, c, -1, None, None].exp()
                     + (k_i * (g[:, :, c, -1, None] - g[:, :, c]).exp()[..., None]).transpose(-1, -2) @ v_new)
        core = core.reshape(b, h, -1, dv)[:, :, :t].transpose(1, 2).contiguous().to(dt0)
        return core, state

    for b, t in ((1, 4096), (4, 1024)):
        out.append(("qwen3next_chunk_gated_delta_rule", chunk_gdr,
                    (m(b, t, 32, 128), m(b, t, 32, 128), m(b, t, 32, 128), mf(b, t, 32), m(b, t, 32))))

    def recurrent_gdr(q, k, v, g, beta, state):  # torch_recurrent_gated_delta_rule for one decode token
        q, k = l2norm(q.float()), l2norm(k.float())
        q = q * (1 / q.shape[-1] ** 0.5)
        state = state * g.exp()[..., None, None]
        kv_mem = (state * k.unsqueeze(-1)).sum(dim=-2)
        delta = (v.float() - kv_mem) * beta.float().unsqueeze(-1)
        state = state + k.unsqueeze(-1) * delta.unsqueeze(-2)
        return (state * q.unsqueeze(-1)).sum(dim=-2).to(v.dtype), state

    for b in (8, 64):
        out.append(("qwen3next_recurrent_gated_delta_rule", recurrent_gdr,
                    (m(b, 32, 128), m(b, 32, 128), m(b, 32, 128), mf(b, 32), m(b, 32), mf(b, 32, 128, 128))))

    def gated_rmsnorm(x, gate, w, eps=1e-6):  # Qwen3-Next's RMSNormGated: fp32 RMSNorm, weight, times SiLU of the gate
        xf = x.float()
        xf = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)
        return (w * xf.to(x.dtype) * F.silu(gate.float())).to(x.dtype)

    for n in (4096 * 32, 64 * 32):
        out.append(("qwen3next_gated_rmsnorm", gated_rmsnorm, (m(n, 128), m(n, 128), m(128))))

    def gla_gates(x, w1, w2, bias, norm=16):  # GLA's key-wise forget gates: a low-rank projection, logsigmoid, / 16
        return F.logsigmoid(F.linear(F.linear(x, w1), w2, bias)) / norm

    def gla_chunk(q, k, v, gk, chunk=64, chunks=2):  # GLA's chunkwise form: the gates' cumsum within each chunk,
        b, h, t, dk = q.shape  # q and k rescaled by it, the causal intra-chunk scores, each chunk's decayed state
        dv = v.shape[-1]  # contribution, the inter-chunk recurrence's first chunks
        q, k, v, gk = (x.float().view(b, h, t // chunk, chunk, -1) for x in (q, k, v, gk))
        gc = gk.cumsum(-2)
        qg = q * gc.exp()
        kg = k * (-gc).exp()
        causal = torch.ones(chunk, chunk, dtype=torch.bool, device=q.device).tril()
        a = (qg @ kg.transpose(-1, -2)).masked_fill(~causal, 0.0)
        o = a @ v
        kd = k * (gc[..., -1:, :] - gc).exp()
        s_c = kd.transpose(-1, -2) @ v
        state = q.new_zeros(b, h, dk, dv)
        outs = []
        for c in range(chunks):
            outs.append(qg[:, :, c] @ state)
            state = state * gc[:, :, c, -1, :, None].exp() + s_c[:, :, c]
        return o, torch.stack(outs, dim=2), state

    # GLA-1.3B (2048 wide, 4 heads: keys of 256, values of 512) at 4096 tokens; a GLA-340M-like (1024, 4 heads) at
    # 8 x 2048
    for b, t, c, h in ((1, 4096, 2048, 4), (8, 2048, 1024, 4)):
        out.append(("gla_lowrank_gates", gla_gates, (m(b, t, c), m(16, c), m(c // 2, 16), m(c // 2))))
        out.append(("gla_chunkwise", gla_chunk, (m(b, h, t, c // 2 // h), m(b, h, t, c // 2 // h),
                                                 m(b, h, t, c // h), mf(b, h, t, c // 2 // h))))

    def xlstm_gates(x, wi, bi, wf, bf, cap=15.0):  # xLSTM-7B's input and forget gate pre-activations, soft-capped
        return (cap * torch.tanh(F.linear(x, wi, bi).float() / cap),
                cap * torch.tanh(F.linear(x, wf, bf).float() / cap))

    def mlstm_step(c, n, mst, q, k, v, ig, fg, eps=1e-6):  # the stabilised mLSTM recurrent step: log-sigmoid forget,
        dqk = q.shape[-1]  # the new stabiliser by maximum, exp gates, the matrix memory and normaliser updated, the
        f_log = F.logsigmoid(fg)  # numerator and the max(|n q|, exp(-m)) denominator
        m_new = torch.maximum(f_log + mst, ig)
        f_act = torch.exp(f_log + mst - m_new)
        i_act = torch.exp(ig - m_new)
        ks = k.float() / math.sqrt(dqk)
        c = f_act[..., None] * c + i_act[..., None] * (ks[..., :, None] @ v.float()[..., None, :])
        n = f_act * n + i_act * ks
        qf = q.float()[..., None, :]
        num = qf @ c
        qn = qf @ n[..., None]
        den = torch.maximum(qn.abs(), torch.exp(-m_new)[..., None]) + eps
        return (num / den).squeeze(-2).to(v.dtype), c, n, m_new

    for b in (16, 128):
        out.append(("xlstm7b_softcap_gates", xlstm_gates, (m(b, 1, 4096), m(8, 4096), m(8), m(8, 4096), m(8))))
        out.append(("xlstm7b_mlstm_step", mlstm_step,
                    (mf(b, 8, 256, 512), mf(b, 8, 256), mf(b, 8, 1), m(b, 8, 256), m(b, 8, 256), m(b, 8, 512),
                     mf(b, 8, 1), mf(b, 8, 1))))

    # ================================================================== test-time-training memories
    def gelu_tanh_bwd(x):  # the tanh-GELU's derivative, as TTT-MLP writes it
        tanh_out = torch.tanh(0.79788456 * x * (1 + 0.044715 * x * x))
        return 0.5 * x * ((1 - tanh_out * tanh_out) * (0.79788456 + 0.1070322243 * x * x)) + 0.5 * (1 + tanh_out)

    def ln_fused_l2_bwd(x, target, gamma, beta, eps=1e-6):  # TTT's inner LayerNorm's L2 loss gradient, fused
        d = x.shape[-1]
        mu = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, unbiased=False)
        std = torch.sqrt(var + eps)
        x_hat = (x - mu) / std
        gx = (gamma * x_hat + beta - target) * gamma
        z = d * gx - gx.sum(dim=-1, keepdim=True) - x_hat * (gx * x_hat).sum(dim=-1, keepdim=True)
        return (1.0 / d) * z / std

    def ttt_mlp_minibatch(xq, xk, xv, eta, w1, b1, w2, b2, ln_w, ln_b):  # TTT-MLP's compute_mini_batch (dual form):
        x1 = xk  # the inner 4x MLP's forward, the LN-fused L2 gradient, back through GELU, the tril-weighted
        z1 = x1 @ w1 + b1  # updates of both layers, the query's outputs with the updated weights
        x2 = F.gelu(z1, approximate="tanh")
        z2 = x2 @ w2 + b2
        g2 = ln_fused_l2_bwd(z2, xv - xk, ln_w, ln_b)
        g1 = g2 @ w2.transpose(-2, -1) * gelu_tanh_bwd(z1)
        a1 = torch.tril(xq @ x1.transpose(-2, -1))
        b1_bar = b1 - torch.tril(eta) @ g1
        z1_bar = xq @ w1 - (eta * a1) @ g1 + b1_bar
        x2_bar = F.gelu(z1_bar, approximate="tanh")
        a2 = torch.tril(x2_bar @ x2.transpose(-2, -1))
        z2_bar = x2_bar @ w2 - (eta * a2) @ g2 + b2 - torch.tril(eta) @ g2
        last = eta[..., -1, :, None]
        w1n = w1 - (last * x1).transpose(-1, -2) @ g1
        w2n = w2 - (last * x2).transpose(-1, -2) @ g2
        mu = z2_bar.mean(-1, keepdim=True)
        zn = (z2_bar - mu) / torch.sqrt(z2_bar.var(-1, keepdim=True, unbiased=False) + 1e-6)
        return xq + ln_w * zn + ln_b, w1n, w2n

    # TTT-MLP 1.3B (32 heads of 64, inner 256, mini-batch 16) at batch 4 (one mini-batch a head)
    for b, h in ((4, 32),):
        out.append(("ttt_mlp_minibatch", ttt_mlp_minibatch,
                    (mf(b, h, 16, 64), mf(b, h, 16, 64), mf(b, h, 16, 64), mf(b, h, 16, 16), mf(b, h, 64, 256),
                     mf(b, h, 1, 256), mf(b, h, 256, 64), mf(b, h, 1, 64), mf(h, 1, 64), mf(h, 1, 64))))

    def titans_gates(x, w_lr, w_mom, w_dec, chunk=64, max_lr=0.1):  # Titans' data-dependent gates: the per-token
        b, t, _ = x.shape  # learning rate theta (sigmoid, scaled), the chunk-pooled momentum eta and decay alpha
        theta = torch.sigmoid(F.linear(x, w_lr).float()) * max_lr
        pooled = x.view(b, t // chunk, chunk, -1).mean(dim=2)
        eta = torch.sigmoid(F.linear(pooled, w_mom).float())
        alpha = torch.sigmoid(F.linear(pooled, w_dec).float())
        return theta, eta, alpha

    for b, t, d, h in ((4, 4096, 2048, 16), (1, 16384, 1024, 8)):
        out.append(("titans_memory_gates", titans_gates, (m(b, t, d), m(h, d), m(h, d), m(h, d))))

    def titans_update(k, v, q, theta, eta, alpha, w1, w2, s1, s2):  # Titans' neural memory over one chunk: a two-layer
        h1 = k @ w1  # GELU MLP's prediction of v from k, the theta-weighted squared error's gradients written out
        a1 = F.gelu(h1)  # (the exact GELU's derivative by erf and exp), the surprise momentum, the decayed weights,
        err = a1 @ w2 - v  # the retrieval with the updated memory
        g_out = 2 * err * theta[..., None]
        gw2 = a1.transpose(1, 2) @ g_out
        dgelu = 0.5 * (1 + torch.erf(h1 / math.sqrt(2))) + h1 * torch.exp(-0.5 * h1 * h1) / math.sqrt(2 * math.pi)
        gw1 = k.transpose(1, 2) @ ((g_out @ w2.transpose(1, 2)) * dgelu)
        s1 = eta[:, None, None] * s1 - gw1
        s2 = eta[:, None, None] * s2 - gw2
        w1 = (1 - alpha[:, None, None]) * w1 + s1
        w2 = (1 - alpha[:, None, None]) * w2 + s2
        return F.gelu(q @ w1) @ w2, w1, w2, s1, s2

    # (batch x heads) memories of 128 -> 512 -> 128 over chunks of 64: 4 x 16 heads and 1 x 8 heads of 128
    for bh in (64, 8):
        out.append(("titans_neural_memory_update", titans_update,
                    (mf(bh, 64, 128), mf(bh, 64, 128), mf(bh, 64, 128), mf(bh, 64), mf(bh), mf(bh),
                     mf(bh, 128, 512), mf(bh, 512, 128), mf(bh, 128, 512), mf(bh, 512, 128))))

    def newton_schulz5(g, steps=5, eps=1e-7):  # Muon's Newton-Schulz orthogonalisation in bf16 (transposed when tall)
        a, b, c = (3.4445, -4.7750, 2.0315)
        x = g.bfloat16()
        tall = g.size(-2) > g.size(-1)
        if tall:
            x = x.mT
        x = x / (x.norm(dim=(-2, -1), keepdim=True) + eps)
        for _ in range(steps):
            am = x @ x.mT
            bm = b * am + c * am @ am
            x = a * x + bm @ x
        return x.mT if tall else x

    def atlas_omega(k, v, q, gamma, mem, mom, eta=0.9, lr=0.1, decay=0.02):  # ATLAS: a degree-2 polynomial feature
        phi = torch.cat([k, k.pow(2) / math.sqrt(2)], dim=-1)  # map, the Omega rule's gamma-weighted errors over the
        err = phi @ mem - v  # chunk as its window, the gradient, momentum, Muon's orthogonalised step, decayed memory,
        grad = phi.transpose(1, 2) @ (gamma[..., None] * err)  # the query read through the same features
        mom = eta * mom - lr * grad
        mem = (1 - decay) * mem + newton_schulz5(mom).float()
        phq = torch.cat([q, q.pow(2) / math.sqrt(2)], dim=-1)
        return phq @ mem, mem, mom

    for bh, c in ((64, 64), (16, 256)):
        out.append(("atlas_omega_muon_update", atlas_omega,
                    (mf(bh, c, 128), mf(bh, c, 128), mf(bh, c, 128), mf(bh, c), mf(bh, 256, 128), mf(bh, 256, 128))))

    def mac_segment(x, persist, mem, wqkv, wo, heads=16):  # Titans' memory as context: persistent tokens and the
        b, s, d = x.shape  # memory's retrieved tokens prepended to the segment, one projection, the prefix seen by
        ctx = torch.cat([persist.unsqueeze(0).expand(b, -1, -1), mem, x], dim=1)  # every query, causal within the
        n = ctx.shape[1]  # segment, the segment's outputs
        pre = n - s
        q, k, v = F.linear(ctx, wqkv).view(b, n, 3, heads, -1).permute(2, 0, 3, 1, 4)
        ar = torch.arange(n, device=x.device)
        mask = (ar[None, :] < pre) | (ar[None, :] <= ar[:, None])
        o = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return F.linear(o.transpose(1, 2).reshape(b, n, d), wo)[:, pre:]

    for b, s, d, h, npers in ((8, 512, 2048, 16, 16), (2, 2048, 1024, 8, 32)):
        out.append(("titans_mac_segment_attention", P(mac_segment, heads=h),
                    (m(b, s, d), m(npers, d), m(b, s, d), m(3 * d, d), m(d, d))))

    # ================================================================== embedding and reranking serving
    def last_token_pool(h, mask):  # Qwen3-Embedding's last_token_pool: the left-padded batch's last row and the
        b = h.shape[0]  # right-padded one's row at its length, taken by a where on the padding side, L2-normalised
        left = mask[:, -1].sum() == b
        lengths = mask.sum(dim=1) - 1
        right = h[torch.arange(b, device=h.device), lengths]
        return F.normalize(torch.where(left, h[:, -1], right), p=2, dim=1)

    # Qwen3-Embedding-8B (4096) at 64 x 512 and Qwen3-Embedding-4B (2560) at 16 x 8192
    for b, t, d in ((64, 512, 4096), (16, 8192, 2560)):
        out.append(("qwen3_embedding_last_token_pool", last_token_pool, (m(b, t, d), i(b, t))))

    def nomic_matryoshka(h, mask, corpus, dim=256, k=100):  # nomic-embed-text-v1.5: masked mean pooling, layer_norm
        mk = mask.unsqueeze(-1).to(h.dtype)  # over the full width, truncated to the Matryoshka dim, renormalised,
        e = (h * mk).sum(1) / mk.sum(1).clamp(min=1e-9)  # cosine scores against the truncated corpus, top-k
        e = F.layer_norm(e.float(), (e.shape[-1],))[:, :dim]
        e = F.normalize(e, p=2, dim=1)
        return (e.to(corpus.dtype) @ corpus.t()).float().topk(k, dim=-1)

    for b, t, dim, n in ((32, 8192, 256, 2000000), (256, 512, 512, 500000)):
        out.append(("nomic_matryoshka_search", P(nomic_matryoshka, dim=dim), (m(b, t, 768), mf(b, t), mh(n, dim))))

    def binary_quant(e):  # binary quantisation: the sign bits packed eight to a byte (weights 128 .. 1, summed)
        bits = (e > 0).to(torch.uint8).view(*e.shape[:-1], -1, 8)
        w = torch.tensor([128, 64, 32, 16, 8, 4, 2, 1], dtype=torch.uint8, device=e.device)
        return (bits * w).sum(-1, dtype=torch.uint8)

    def hamming_search(qb, db, table, k=400):  # Hamming distances by XOR and a 256-entry popcount table, the top
        x = torch.bitwise_xor(qb[:, None, :], db[None, :, :])  # candidates by the smallest distances
        dist = table[x.long()].sum(-1, dtype=torch.int32)
        return dist.topk(k, dim=-1, largest=False)

    def int8_rescore(q, cand, db_int8, starts, steps):  # their rescoring: the candidates' int8 rows gathered,
        rows = db_int8[cand]  # dequantised by the calibration ranges, scored against the float query
        deq = rows.float() * steps + starts
        return torch.einsum("qd,qkd->qk", q.float(), deq).topk(10, dim=-1)

    for b, d in ((4096, 1024), (1024, 4096)):
        out.append(("binary_quantise_pack", binary_quant, (m(b, d),)))
    for nq, n, nb in ((16, 200000, 128), (64, 50000, 128)):
        out.append(("hamming_popcount_search", hamming_search, (mu8(nq, nb), mu8(n, nb), mi32(256))))
    for nq, n, d in ((16, 1000000, 1024), (64, 250000, 1024)):
        out.append(("int8_rescore_candidates", int8_rescore, (mf(nq, d), i(nq, 400), mi8(n, d), mf(d), mf(d))))

    def int8_quantise(e, mn, mx):  # sentence-transformers' quantize_embeddings("int8") with calibration ranges
        steps = (mx - mn) / 255
        return ((e.float() - mn) / steps - 128).clamp(-128, 127).to(torch.int8)

    for b, d in ((8192, 1024), (2048, 4096)):
        out.append(("sentence_transformers_int8_quantise", int8_quantise, (m(b, d), mf(d), mf(d))))

    def colpali_maxsim(qs, ds):  # colpali-engine's score_multi_vector: einsum over every query and page vector, max
        return torch.einsum("bnd,csd->bcns", qs, ds).max(dim=3)[0].sum(dim=2)  # over the page, summed over the query

    # ColPali / ColQwen2 (128-dim vectors, 1030 per page) over a batch of 128 pages; Jina-ColBERT-v2 over 512 passages
    # of 300 tokens
    for nq, lq, nd, ld in ((16, 20, 128, 1030), (64, 32, 512, 300)):
        out.append(("late_interaction_maxsim", colpali_maxsim, (m(nq, lq, 128), m(nd, ld, 128))))

    def colpali_proj(h, mask, w, bias):  # ColQwen2's custom_text_proj to 128, L2-normalised, masked
        p = F.linear(h, w, bias)
        p = p / p.norm(dim=-1, keepdim=True)
        return p * mask.unsqueeze(-1)

    for b, t, d in ((16, 1030, 1536), (4, 1030, 3584)):
        out.append(("colqwen2_projection", colpali_proj, (m(b, t, d), i(b, t), m(128, d), m(128))))

    def bge_m3_heads(h, ids, mask, w_sparse, b_sparse, w_col, b_col, unused):  # BGE-M3's three heads: dense CLS
        dense = F.normalize(h[:, 0], dim=-1)  # normalised; sparse token weights (ReLU of a linear) scattered into the
        tw = torch.relu(F.linear(h, w_sparse, b_sparse))  # vocabulary and maxed over tokens, the special tokens
        sp = torch.zeros(ids.size(0), ids.size(1), 250002, dtype=tw.dtype, device=h.device)  # zeroed; the ColBERT
        sp = torch.scatter(sp, dim=-1, index=ids.unsqueeze(-1), src=tw).max(dim=1).values  # vectors masked and
        sp = sp.index_fill(1, unused, 0.0)  # normalised
        col = F.linear(h[:, 1:], w_col, b_col) * mask[:, 1:][:, :, None].float()
        return dense, sp, F.normalize(col, dim=-1)

    for b, t in ((4, 512), (16, 128)):
        out.append(("bge_m3_dense_sparse_colbert", bge_m3_heads, (mf(b, t, 1024), i(b, t), i(b, t), mf(1, 1024),
                                                                  mf(1), mf(1024, 1024), mf(1024), i(4))))

    def yes_no_rerank(h, lm, ids):  # Qwen3-Reranker: the last token's logits over the vocabulary, the "no" / "yes"
        logits = F.linear(h[:, -1], lm)  # columns, log_softmax over the two, the "yes" probability
        two = logits[:, ids]
        return two.float().log_softmax(dim=1)[:, 1].exp()

    for b, t, d in ((32, 2048, 4096), (128, 1024, 2560)):
        out.append(("qwen3_reranker_yes_no", yes_no_rerank, (m(b, t, d), m(151669, d), i(2))))

    def rrf(dense, sparse, k=60.0, top=100):  # reciprocal rank fusion: each list's ranks by a double argsort, 1 / (k +
        rd = dense.argsort(dim=-1, descending=True).argsort(dim=-1)  # rank) summed, the fused top
        rs = sparse.argsort(dim=-1, descending=True).argsort(dim=-1)
        fused = 1.0 / (k + rd + 1).float() + 1.0 / (k + rs + 1).float()
        return fused.topk(top, dim=-1)

    for nq, n in ((64, 100000), (8, 1000000)):
        out.append(("reciprocal_rank_fusion", rrf, (mf(nq, n), mf(nq, n))))

    # ================================================================== byte-level models
    def blt_entropy_patch(logits, threshold=1.335, max_patches=2048):  # BLT's entropy patching: the small byte LM's
        b, t, _ = logits.shape  # next-byte entropy, a patch start where it passes the global threshold (the first
        lp = F.log_softmax(logits.float(), dim=-1)  # byte always), the patch ids by cumsum, the patch lengths by
        ent = -(lp.exp() * lp).sum(-1)  # scatter_add_ of ones at a fixed bound
        start = ent > threshold
        start[:, 0] = True
        pid = (start.long().cumsum(-1) - 1).clamp(max=max_patches - 1)
        lengths = torch.zeros(b, max_patches, dtype=torch.long, device=logits.device).scatter_add_(
            1, pid, torch.ones_like(pid))
        return pid, lengths

    # the 100M entropy model's 260-way byte logits over 16 x 8192 and 2 x 131072 bytes
    for b, t, mp in ((16, 8192, 2048), (2, 131072, 32768)):
        out.append(("blt_entropy_patching", P(blt_entropy_patch, max_patches=mp), (m(b, t, 260),)))

    def blt_hash_embed(x, tok_emb, tables, sizes=(3, 4, 5, 6, 7, 8), prime=1000000007, vocab=500002):  # BLT's hash
        e = F.embedding(x, tok_emb)  # n-gram embeddings: each n's windows (zero-padded in front, unfold), a rolling
        for j, n in enumerate(sizes):  # polynomial hash by prime powers, modulo the table, looked up and summed
            xp = torch.cat([torch.zeros(x.shape[0], n - 1, dtype=torch.long, device=x.device), x], dim=1)
            win = xp.unfold(1, n, 1)
            powers = torch.tensor(prime, dtype=torch.long, device=x.device).pow(torch.arange(n, device=x.device))
            h = (win * powers).sum(-1) % vocab
            e = e + F.embedding(h, tables[j])
        return e

    # BLT-1B's local encoder (1024 wide) over 4 x 8192 bytes; BLT-7B's (1280) over 1 x 16384
    for b, t, d in ((4, 8192, 1024), (1, 16384, 1280)):
        out.append(("blt_hash_ngram_embeddings", blt_hash_embed, (i(b, t), m(260, d), m(6, 500002, d))))

    def blt_patch_pool(h, pid, n_patches=2048):  # the local encoder's patch representations: bytes reduced into their
        b, t, d = h.shape  # patch by scatter_reduce amax
        init = torch.zeros(b, n_patches, d, dtype=h.dtype, device=h.device)
        return init.scatter_reduce(1, pid.unsqueeze(-1).expand(-1, -1, d), h, reduce="amax", include_self=False)

    for b, t, d, np_ in ((4, 8192, 1024, 2048), (1, 16384, 1280, 4096)):
        out.append(("blt_patch_pool_amax", P(blt_patch_pool, n_patches=np_), (m(b, t, d), i(b, t))))

    def blt_cross_attn(pq, bk, bv, pid):  # the encoder's cross-attention: each patch query attends to its own bytes
        n_p = pq.shape[2]  # (mask by patch id equality); the decoder's bytes attend to the patches before theirs
        enc_mask = pid[:, None, None, :] == torch.arange(n_p, device=pq.device)[None, None, :, None]
        o = F.scaled_dot_product_attention(pq, bk, bv, attn_mask=enc_mask)
        dec_mask = pid[:, None, :, None] >= torch.arange(n_p, device=pq.device)[None, None, None, :]
        o2 = F.scaled_dot_product_attention(bk, pq, pq, attn_mask=dec_mask)
        return o, o2

    for b, t, h, n_p in ((4, 8192, 16, 2048), (1, 16384, 16, 4096)):
        out.append(("blt_patch_byte_cross_attention", blt_cross_attn,
                    (m(b, h, n_p, 64), m(b, h, t, 64), m(b, h, t, 64), i(b, t))))

    def megabyte_inputs(x, g_emb, g_pos, l_emb, l_pos, w_g2l, patch=8, pad=256):  # MegaByte: the global model's input,
        b, t = x.shape  # bytes shifted by a patch of pads, embedded at d_g / P with positions, concatenated per
        k = t // patch  # patch; the local model's input, each patch's bytes shifted by one pad, embedded with local
        gx = F.pad(x, (patch, 0), value=pad)[:, :t]  # positions, plus the global output projected per byte slot
        g = (F.embedding(gx, g_emb) + g_pos[:t]).reshape(b, k, -1)
        lx = F.pad(x.view(b, k, patch), (1, 0), value=pad)[..., :-1]
        loc = F.embedding(lx, l_emb) + l_pos
        loc = loc + F.linear(g.view(b, k, patch, -1), w_g2l)
        return g, loc.view(b * k, patch, -1)

    # MegaByte with patches of 8 (global 4096 = 8 x 512, local 1024) over 4 x 8192 and 1 x 131072 bytes
    for b, t in ((4, 8192), (1, 131072)):
        out.append(("megabyte_patch_inputs", megabyte_inputs,
                    (i(b, t), m(257, 512), m(t, 512), m(257, 1024), m(8, 1024), m(1024, 512))))

    def megabyte_local_logits(h, w, targets):  # its local model's byte logits and the per-byte loss
        logits = F.linear(h, w).float()
        return F.cross_entropy(logits.view(-1, 256), targets.view(-1), reduction="none")

    for n in (4096, 16384):
        out.append(("megabyte_local_byte_loss", megabyte_local_logits, (m(n, 8, 1024), m(256, 1024), i(n, 8))))

    # ================================================================== diffusion language models
    def llada_step(logits, un_logits, x, block_end, cfg=1.0, temp=0.7, k=4, mask_id=126336):  # LLaDA's generate step:
        lg = un_logits + (cfg + 1) * (logits - un_logits)  # CFG, Gumbel noise in float64 (exp(l) / (-log u)^T),
        lg64 = lg.to(torch.float64)  # argmax, low-confidence remasking by the softmax's chosen probability, the
        noise = torch.rand_like(lg64)  # tokens past the block at -inf, masked positions' confidences, a top-k
        x0 = (lg64.exp() / (-torch.log(noise)) ** temp).argmax(dim=-1)  # transfer mask by scatter, written by where
        p = F.softmax(lg.float(), dim=-1)
        x0_p = torch.gather(p, -1, x0.unsqueeze(-1)).squeeze(-1)
        pos = torch.arange(x.shape[1], device=x.device)
        x0_p = torch.where(pos[None, :] >= block_end, NEG, x0_p)
        mask_index = x == mask_id
        x0 = torch.where(mask_index, x0, x)
        conf = torch.where(mask_index, x0_p, NEG)
        sel = conf.topk(k, dim=-1).indices
        transfer = torch.zeros_like(x, dtype=torch.bool).scatter_(1, sel, True)
        return torch.where(transfer, x0, x)

    # LLaDA-8B-Instruct (126464-token vocabulary) at 1 x 1024 and 4 x 512 (prompt plus the generation)
    for b, t, be in ((1, 1024, 640), (4, 512, 384)):
        out.append(("llada_cfg_low_confidence_step", P(llada_step, block_end=be),
                    (m(b, t, 126464), m(b, t, 126464), i(b, t))))

    def llada_num_transfer(mask_index, steps=32):  # get_num_transfer_tokens: masked counts split evenly over the
        n = mask_index.sum(dim=1, keepdim=True)  # steps, the remainder to the first steps by a comparison
        base = n // steps
        rem = n % steps
        return base + (torch.arange(steps, device=mask_index.device)[None, :] < rem).long()

    for b, t in ((1, 1024), (64, 256)):
        out.append(("llada_num_transfer_tokens", llada_num_transfer, (mb(b, t),)))

    def llada_likelihood(ids, logits, prompt_len=512, mask_id=126336, eps=1e-3):  # LLaDA's Monte-Carlo likelihood:
        b, t = ids.shape  # a mask ratio per sample, the answer's tokens masked where a uniform draw falls under it,
        tt = torch.rand(b, device=ids.device)  # the masked tokens' cross-entropy weighted by 1 / p_mask
        p_mask = ((1 - eps) * tt + eps)[:, None].expand(b, t)
        masked = (torch.rand(b, t, device=ids.device) < p_mask)
        masked[:, :prompt_len] = False
        noisy = torch.where(masked, mask_id, ids)
        ce = F.cross_entropy(logits.view(-1, logits.shape[-1]).float(), ids.view(-1), reduction="none").view(b, t)
        return noisy, (ce * masked / p_mask).sum(-1) / (t - prompt_len)

    for b, t in ((4, 1024), (32, 256)):
        out.append(("llada_mc_likelihood", P(llada_likelihood, prompt_len=t // 2), (i(b, t), m(b, t, 126464))))

    def dream_step(logits, x, top_p=0.95, top_k=50, temp=0.2, alg="entropy", k=8, mask_id=151666):  # Dream's
        lg = torch.cat([logits[:, :1], logits[:, :-1]], dim=1).float() / temp  # sample_tokens: the logits shifted
        srt, sidx = torch.sort(lg, descending=True)  # right by one, top-p by a sorted cumsum scattered back, top-k by
        cum = torch.cumsum(F.softmax(srt, dim=-1), dim=-1)  # the k-th value, the draw, its margin or entropy
        rm = cum > top_p  # confidence, the transfer of the most confident masked positions
        rm[..., 1:] = rm[..., :-1].clone()
        rm[..., 0] = False
        lg = lg.masked_fill(rm.scatter(-1, sidx, rm), torch.finfo(lg.dtype).min)
        kth = torch.topk(lg, top_k)[0][..., -1, None]
        lg = lg.masked_fill(lg < kth, torch.finfo(lg.dtype).min)
        p = torch.softmax(lg, dim=-1)
        if alg == "entropy":
            conf = (p * torch.log(p + 1e-10)).sum(dim=-1)
        else:
            top2 = torch.topk(p, 2, dim=-1).values
            conf = top2[..., 0] - top2[..., 1]
        x0 = p.argmax(dim=-1)
        conf = torch.where(x == mask_id, conf, NEG)
        sel = conf.topk(k, dim=-1).indices
        return x.scatter(1, sel, x0.gather(1, sel))

    # Dream-v0-Instruct-7B (152064 tokens) over 1 x 768 and 4 x 384
    for b, t, alg in ((1, 768, "entropy"), (4, 384, "margin")):
        out.append(("dream_sample_tokens", P(dream_step, alg=alg), (m(b, t, 152064), i(b, t))))

    def dream_alg_temp(conf, x, k=8, alg_temp=0.5, mask_id=151666):  # Dream's stochastic transfer: the masked
        c = torch.where(x == mask_id, conf, NEG)  # positions' confidences softmaxed at alg_temp, k drawn without
        p = F.softmax(c / alg_temp, dim=-1)  # replacement
        return torch.multinomial(p, num_samples=k)

    for b, t in ((1, 768), (64, 256)):
        out.append(("dream_alg_temp_transfer", dream_alg_temp, (mf(b, t), i(b, t))))

    def fast_dllm(logits, x, thr=0.9, mask_id=126336):  # Fast-dLLM's parallel decoding: every masked position whose
        p = F.softmax(logits.float(), dim=-1)  # confidence passes the threshold unmasked at once, the single most
        conf, x0 = p.max(dim=-1)  # confident one always
        masked = x == mask_id
        conf = torch.where(masked, conf, NEG)
        best = torch.zeros_like(masked).scatter_(1, conf.argmax(dim=-1, keepdim=True), True)
        transfer = (conf > thr) | best
        return torch.where(transfer, x0, x)

    # its block of 32 over LLaDA's vocabulary, with the prefix cached (logits of the block only) at 1 and 32 prompts
    for b, t in ((1, 32), (32, 32)):
        out.append(("fast_dllm_threshold_decode", fast_dllm, (m(b, t, 126464), i(b, t))))

    def remdm(x, sigma, mask_id=126336):  # ReMDM's remasking: each unmasked token re-masked with probability sigma_t
        u = torch.rand(x.shape, device=x.device)
        return torch.where((x != mask_id) & (u < sigma), mask_id, x)

    for b, t in ((16, 1024), (256, 128)):
        out.append(("remdm_remask", remdm, (i(b, t), mf(b, 1))))

    def bd3lm_attn(q, k, v, block=16):  # BD3-LM's block-diffusion mask over [x_t, x_0]: block-diagonal within the
        n = q.shape[2] // 2  # noised half, offset block-causal from it to the clean half, block-causal within the
        ar = torch.arange(2 * n, device=q.device)  # clean half
        x0_flag = ar >= n
        blk = torch.where(x0_flag, ar - n, ar) // block
        bq, bk = blk[:, None], blk[None, :]
        fq, fk = x0_flag[:, None], x0_flag[None, :]
        diag = (bq == bk) & (fq == fk)
        obc = (bq > bk) & fk & ~fq
        bc = (bq >= bk) & fk & fq
        mask = diag | obc | bc
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)

    for b, n, h in ((8, 1024, 12), (2, 4096, 16)):
        out.append(("bd3lm_block_diffusion_attention", bd3lm_attn, (m(b, h, 2 * n, 64), m(b, h, 2 * n, 64),
                                                                    m(b, h, 2 * n, 64))))

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK36, _check36()),))
