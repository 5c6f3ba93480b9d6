"""The aten sweep's twenty-fourth blind real-code group: `realcode-check24`, vision-language models, speech recognition,
recommender systems, segmentation, OCR and document models, time-series forecasting, LLM decoding utilities,
weight-only quantization in plain torch, MoE training losses and contrastive / metric learning.

Each case is one op or a short idiom as the models' public reference code writes it, at real widths, batches,
sequence lengths and dtypes (fp32 where the reference trains or runs by default, bf16 and fp16 where large models run
in half precision, fp8 weights, int64 token, item and bucket ids, int32 packed nibbles, uint8 and int8 codes, bool
masks): vision-language models (open_clip's ClipLoss with its clamped logit scale, locally and against features
gathered from 128 ranks, its SigLipLoss with the +1 / -1 labels and a neighbour's negative-only chunk, zero-shot
top-5 accuracy; CLIP's vision embeddings with the class token, position embeddings and pre-LayerNorm over LLaVA-1.6's
anyres crops, the text tower's end-of-text pooling and projection; LLaVA-1.5's mlp2x_gelu projector over the
CLS-less patch features and the image tokens merged into the prompts by masked_scatter; BLIP-2's Q-Former
cross-attention over EVA ViT-g features and its image-text contrastive loss with the query-wise max); speech (the
Conformer's convolution module with pointwise conv, GLU, 31-tap depthwise conv, BatchNorm in eval and SiLU, its
macaron feed-forward, ESPnet's relative-position self-attention with pos_bias_u / pos_bias_v and rel_shift, the
Conv2dSubsampling front end; wav2vec2's group-norm feature encoder over raw 16 kHz audio, the feature projection, the
weight-normed 128-tap positional conv, SpecAugment's time and channel masks written with torch.where and masked_fill,
the Gumbel vector quantizer with its perplexity; Whisper's log-mel features by stft, the mel filter product, log10
and the dynamic-range clamp, large-v3's conv stem and the suppressed tokens of a first decoding step; torchaudio's
iid time masking; CTC greedy decoding by argmax and collapsed repeats; an RNN-T joint over a (T, U) lattice);
recommender systems (torchrec's low-rank DCN-v2 cross network, DLRM's dot interaction with its lower-triangle gather,
embedding bags in sum and mean modes and with per-sample weights, a two-tower in-batch softmax with logQ correction,
SASRec's embeddings, its causal block with the conv1d feed-forward in training, its BCE over sampled negatives and
full-catalogue top-k, BERT4Rec's masked-item loss, DIN's local activation unit with Dice and the padded history
pooling, DeepFM's FM term, xDeepFM's CIN, MMoE's gates); segmentation (SAM's mask-decoder inputs with the image
embedding repeated per prompt, the two-way transformer's token self-attention and MLP, token-to-image and
image-to-token attention at an internal width of 128, LayerNorm2d and the image-encoder neck, the output upscaling
with four hypernetwork MLPs, mask post-processing to the photo's size; U-Net's up block with its transposed conv,
pad, skip concat and double conv under autocast, smp's decoder block; Cityscapes logits resized and argmaxed, the
cross-entropy with ignore_index 255, torchvision's DeepLabv3 ASPP; Mask2Former's matcher costs over point-sampled
masks); OCR and documents (CRNN's map-to-sequence and CTC head, PP-OCR's 6625-character head, LayoutLMv3's text
embeddings with its spatial embeddings and clipped heights and widths, its 2-D relative position buckets with one-hot
projections, DBNet's probability and threshold heads with the differentiable binarisation); time-series forecasting
(RevIN's normalisation and de-normalisation, PatchTST's replication pad, unfold into patches and patch embedding, its
residual-attention encoder layer with BatchNorm and its flatten head, N-BEATS' generic and seasonality blocks with the
residual update, Autoformer's FFT auto-correlation with the inference-time delay aggregation by gather, DLinear with
its moving-average decomposition); LLM decoding utilities (a beam-search step with log_softmax, topk over beams x
vocabulary and the beam / token split, KV-cache reordering by index_select; repetition penalty by gather / scatter,
HF's top-k and top-p warpers, vLLM's sort-based top-k / top-p with the inverse permutation and its exponential-race
sample, presence / frequency / repetition penalties from bin counts, Gemma-2's final soft-cap, vLLM's rejection
sampler for speculative decoding); weight-only quantization in plain torch (AutoGPTQ's torch path unpacking int4
weights and zeros with shifts and masks and dequantising through g_idx, gpt-fast's group-wise int4 quantisation and
dequantisation, torchao's NF4 dequantisation with double-quantised scalers, HQQ's 4-bit unpacking, SmoothQuant's
fake W8A8 linear and its smoothing of a LayerNorm into q, k and v, an int8 weight-only linear, a per-tensor fp8
linear by torch._scaled_mm); MoE training losses (HF's load-balancing loss with and without a padding mask, Switch's
z-loss and capacity-limited top-1 router with jitter, Megatron's top-k router with its aux and z losses, its token
permutation by argsort, index_select and histc and the un-permutation by index_copy_); contrastive / metric learning
(NT-Xent as Lightning Bolts writes it, SupCon, fast-reid's batch-hard triplet loss, ArcFace's margin over 85742
identities, MoCo v2's queue logits and enqueue, DINO's multi-crop loss with centering, DINOv2's Sinkhorn-Knopp
teacher, Barlow Twins). Boolean-mask reads and writes of the reference code (wav2vec2's masked frames, the SASRec loss
over non-padding positions, vLLM's repetition-penalty mask and its all-accepted limits) are written as masked sums,
masked_fill or torch.where: the op harness cannot rebuild a boolean-mask index; sampling by torch.multinomial is a
case of its own, and the CTC loss is left out (it has no meta kernel).
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal to one of theirs, so
it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK24 = "realcode-check24"


def _check24():
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

    def mu8(*shape):
        return m(*shape, dt=torch.uint8)

    def mi8(*shape):
        return m(*shape, dt=torch.int8)

    def scalar(dt=torch.float32):  # a 0-dim parameter such as open_clip's logit_scale
        return m(1, dt=dt).reshape(())

    out = []

    # ================================================================== vision-language models
    # ------------------------------------------------------------------ open_clip's ClipLoss and SigLipLoss
    def clip_loss(image_features, text_features, logit_scale):
        with torch.no_grad():
            logit_scale.clamp_(0, math.log(100))  # the training loop's clamp after each step
        image_features = F.normalize(image_features, dim=-1)
        text_features = F.normalize(text_features, dim=-1)
        logit_scale = logit_scale.exp()
        logits_per_image = logit_scale * image_features @ text_features.T
        logits_per_text = logit_scale * text_features @ image_features.T
        labels = torch.arange(logits_per_image.shape[0], dtype=torch.long)
        return (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_text, labels)) / 2

    def clip_loss_gathered(image_features, text_features, all_image_features, all_text_features, logit_scale,
                           rank=3):
        # local_loss=True with gather_with_grad: the local rows against the features of every rank
        logits_per_image = logit_scale * image_features @ all_text_features.T
        logits_per_text = logit_scale * text_features @ all_image_features.T
        num_logits = logits_per_image.shape[0]
        labels = torch.arange(num_logits, dtype=torch.long) + num_logits * rank
        return (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_text, labels)) / 2

    def siglip_loss(image_features, text_features, logit_scale, logit_bias, negative_only=False):
        logits = logit_scale * image_features @ text_features.T + logit_bias
        num_logits = image_features.shape[0]
        labels = -torch.ones((num_logits, num_logits), dtype=image_features.dtype)
        if not negative_only:
            labels = 2 * torch.eye(num_logits, dtype=image_features.dtype) + labels
        return -F.logsigmoid(labels * logits).sum() / image_features.shape[0]

    # ViT-B/32 at 256 a GPU in fp32 and ViT-L/14 at 256 a GPU against 32768 gathered rows (bf16); SigLIP so400m
    # (1152-wide) over 1024 pairs and a neighbour's chunk
    out += [("clip_loss", clip_loss, (mf(256, 512), mf(256, 512), scalar())),
            ("clip_loss_gathered", clip_loss_gathered,
             (m(256, 768), m(256, 768), m(32768, 768), m(32768, 768), scalar(torch.bfloat16))),
            ("siglip_loss", siglip_loss, (m(1024, 1152), m(1024, 1152), scalar(torch.bfloat16),
                                          scalar(torch.bfloat16))),
            ("siglip_loss_negative_only", lambda *a: siglip_loss(*a, negative_only=True),
             (m(1024, 1152), m(1024, 1152), scalar(torch.bfloat16), scalar(torch.bfloat16)))]

    # ------------------------------------------------------------------ zero-shot classification (open_clip)
    def zero_shot_eval(image_features, classifier, target):
        image_features = F.normalize(image_features, dim=-1)
        logits = 100.0 * image_features @ classifier
        pred = logits.topk(5, 1, True, True)[1].t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))
        top1 = correct[:1].reshape(-1).float().sum(0, keepdim=True)
        top5 = correct[:5].reshape(-1).float().sum(0, keepdim=True)
        return top1, top5, logits.softmax(dim=-1)

    # ViT-H/14's 1024-d features of 1024 ImageNet images against the 1000-class classifier (fp16)
    out += [("zero_shot_eval", zero_shot_eval, (mh(1024, 1024), mh(1024, 1000), i(1024)))]

    # ------------------------------------------------------------------ CLIP towers' ends (transformers, open_clip)
    def clip_vision_embeddings(pixel_values, patch_w, class_embedding, pos_w, ln_w, ln_b):
        b = pixel_values.shape[0]
        patch_embeds = F.conv2d(pixel_values.to(dtype=patch_w.dtype), patch_w, stride=patch_w.shape[-1])
        patch_embeds = patch_embeds.flatten(2).transpose(1, 2)
        class_embeds = class_embedding.expand(b, 1, -1)
        embeddings = torch.cat([class_embeds, patch_embeds], dim=1)
        position_ids = torch.arange(pos_w.shape[0]).expand((1, -1))
        embeddings = embeddings + F.embedding(position_ids, pos_w)
        return ln(embeddings, ln_w, ln_b)

    def clip_text_pool(x, text, ln_w, ln_b, text_projection):
        x = ln(x, ln_w, ln_b)
        return x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ text_projection

    # ViT-L/14-336 over LLaVA-1.6's five anyres crops (fp16); the text tower of ViT-L/14 (768 wide, 77 tokens) at
    # 1024 captions in bf16
    out += [("clip_vision_embeddings", clip_vision_embeddings,
             (mf(5, 3, 336, 336), mh(1024, 3, 14, 14), mh(1024), mh(577, 1024), mh(1024), mh(1024))),
            ("clip_text_pool", clip_text_pool, (m(1024, 77, 768), i(1024, 77), m(768), m(768), m(768, 768)))]

    # ------------------------------------------------------------------ LLaVA-1.5 (transformers' Llava)
    def llava_projector(image_features, w1, b1, w2, b2):  # vision_feature_select_strategy "default", mlp2x_gelu
        selected = image_features[:, 1:]
        hidden = F.gelu(linear(selected, w1, b1))
        return linear(hidden, w2, b2)

    def llava_merge(input_ids, embed_w, image_features, image_token_index=32000):
        inputs_embeds = F.embedding(input_ids, embed_w)
        special_image_mask = (input_ids == image_token_index).unsqueeze(-1)
        special_image_mask = special_image_mask.expand_as(inputs_embeds)
        image_features = image_features.to(inputs_embeds.device, inputs_embeds.dtype)
        return inputs_embeds.masked_scatter(special_image_mask, image_features)

    # LLaVA-1.5-13B at 16 images a training step (bf16): the projector and the merge of 16 x 576 image tokens into
    # 16 prompts of 2048
    out += [("llava_projector", llava_projector,
             (m(16, 577, 1024), m(5120, 1024), m(5120), m(5120, 5120), m(5120))),
            ("llava_merge", llava_merge, (i(16, 2048), m(32064, 5120), m(9216, 5120)))]

    # ------------------------------------------------------------------ BLIP-2 (LAVIS / transformers' Blip2)
    def qformer_cross_attention(query, image_embeds, wq, bq, wk, bk, wv, bv, wo, bo, ln_w, ln_b, heads=12):
        b, nq, d = query.shape
        dh = d // heads
        q = linear(query, wq, bq).view(b, nq, heads, dh).permute(0, 2, 1, 3)
        k = linear(image_embeds, wk, bk).view(b, -1, heads, dh).permute(0, 2, 1, 3)
        v = linear(image_embeds, wv, bv).view(b, -1, heads, dh).permute(0, 2, 1, 3)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(dh)
        probs = scores.softmax(dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous().view(b, nq, d)
        return ln(linear(ctx, wo, bo) + query, ln_w, ln_b)

    def blip2_itc_loss(image_feats, text_feat, image_feats_all, text_feat_all, temp, rank=2):
        bs = image_feats.size(0)
        sim_q2t = torch.matmul(image_feats.unsqueeze(1), text_feat_all.unsqueeze(-1)).squeeze()
        sim_i2t, _ = sim_q2t.max(-1)
        sim_i2t = sim_i2t / temp
        sim_t2q = torch.matmul(text_feat.unsqueeze(1).unsqueeze(1), image_feats_all.permute(0, 2, 1)).squeeze()
        sim_t2i, _ = sim_t2q.max(-1)
        sim_t2i = sim_t2i / temp
        targets = torch.linspace(rank * bs, rank * bs + bs - 1, bs, dtype=int)
        return (F.cross_entropy(sim_i2t, targets, label_smoothing=0.1)
                + F.cross_entropy(sim_t2i, targets, label_smoothing=0.1)) / 2

    # pre-training at 64 images a GPU (fp32, EVA ViT-g's 257 x 1408 features, 8 GPUs gathered)
    out += [("qformer_cross_attention", qformer_cross_attention,
             (mf(64, 32, 768), mf(64, 257, 1408), mf(768, 768), mf(768), mf(768, 1408), mf(768), mf(768, 1408),
              mf(768), mf(768, 768), mf(768), mf(768), mf(768))),
            ("blip2_itc_loss", blip2_itc_loss,
             (mf(64, 32, 256), mf(64, 256), mf(512, 32, 256), mf(512, 256), scalar()))]

    # ================================================================== speech
    # ------------------------------------------------------------------ Conformer (torchaudio / ESPnet)
    def conformer_conv_module(x, ln_w, ln_b, pw1_w, pw1_b, dw_w, dw_b, bn, pw2_w, pw2_b):
        h = ln(x, ln_w, ln_b).transpose(1, 2)
        h = F.conv1d(h, pw1_w, pw1_b)
        h = F.glu(h, dim=1)
        h = F.conv1d(h, dw_w, dw_b, padding=(dw_w.shape[-1] - 1) // 2, groups=h.shape[1])
        h = F.batch_norm(h, bn[0], bn[1], bn[2], bn[3], training=False, eps=1e-5)
        h = F.silu(h)
        h = F.conv1d(h, pw2_w, pw2_b)
        return x + h.transpose(1, 2)

    def conformer_ffn(x, ln_w, ln_b, w1, b1, w2, b2):  # the macaron half-step feed-forward
        h = ln(x, ln_w, ln_b)
        h = F.silu(linear(h, w1, b1))
        return x + 0.5 * linear(h, w2, b2)

    def conv_module_inputs(b, t, d, dt=torch.float32):
        return (m(b, t, d, dt=dt), m(d, dt=dt), m(d, dt=dt), m(2 * d, d, 1, dt=dt), m(2 * d, dt=dt),
                m(d, 1, 31, dt=dt), m(d, dt=dt), m(4, d, dt=dt), m(d, d, 1, dt=dt), m(d, dt=dt))

    # Conformer-L (512 wide, 8 heads) at 16 utterances of 500 frames (fp32); a bf16 Conformer-CTC large's
    # convolution module at 32 x 375
    out += [("conformer_conv_module", conformer_conv_module, conv_module_inputs(16, 500, 512)),
            ("conformer_conv_module", conformer_conv_module, conv_module_inputs(32, 375, 512, torch.bfloat16)),
            ("conformer_ffn", conformer_ffn,
             (mf(16, 500, 512), mf(512), mf(512), mf(2048, 512), mf(2048), mf(512, 2048), mf(512)))]

    def rel_shift(x):  # ESPnet's RelPositionMultiHeadedAttention.rel_shift (latest form)
        zero_pad = torch.zeros((*x.size()[:3], 1), dtype=x.dtype)
        x_padded = torch.cat([zero_pad, x], dim=-1)
        x_padded = x_padded.view(*x.size()[:2], x.size(3) + 1, x.size(2))
        return x_padded[:, :, 1:].view_as(x)[:, :, :, : x.size(-1) // 2 + 1]

    def espnet_rel_pos_attention(x, pos_emb, mask, wq, bq, wk, bk, wv, bv, wpos, pos_bias_u, pos_bias_v, wo, bo,
                                 heads=8):
        b, t, d = x.shape
        d_k = d // heads
        q = linear(x, wq, bq).view(b, -1, heads, d_k)
        k = linear(x, wk, bk).view(b, -1, heads, d_k).transpose(1, 2)
        v = linear(x, wv, bv).view(b, -1, heads, d_k).transpose(1, 2)
        p = linear(pos_emb, wpos).view(pos_emb.size(0), -1, heads, d_k).transpose(1, 2)
        q_with_bias_u = (q + pos_bias_u).transpose(1, 2)
        q_with_bias_v = (q + pos_bias_v).transpose(1, 2)
        matrix_ac = torch.matmul(q_with_bias_u, k.transpose(-2, -1))
        matrix_bd = torch.matmul(q_with_bias_v, p.transpose(-2, -1))
        matrix_bd = rel_shift(matrix_bd)
        scores = (matrix_ac + matrix_bd) / math.sqrt(d_k)
        mask = mask.unsqueeze(1).eq(0)
        min_value = torch.finfo(scores.dtype).min
        scores = scores.masked_fill(mask, min_value)
        attn = torch.softmax(scores, dim=-1).masked_fill(mask, 0.0)
        h = torch.matmul(attn, v)
        h = h.transpose(1, 2).contiguous().view(b, -1, heads * d_k)
        return linear(h, wo, bo)

    out += [("espnet_rel_pos_attention", espnet_rel_pos_attention,
             (mf(16, 500, 512), mf(1, 999, 512), mb(16, 1, 500), mf(512, 512), mf(512), mf(512, 512), mf(512),
              mf(512, 512), mf(512), mf(512, 512), mf(8, 64), mf(8, 64), mf(512, 512), mf(512)))]

    def conv2d_subsampling4(x, c1_w, c1_b, c2_w, c2_b, out_w, out_b):  # ESPnet's Conv2dSubsampling
        x = x.unsqueeze(1)
        x = F.relu(F.conv2d(x, c1_w, c1_b, stride=2))
        x = F.relu(F.conv2d(x, c2_w, c2_b, stride=2))
        b, c, t, f = x.size()
        return linear(x.transpose(1, 2).contiguous().view(b, t, c * f), out_w, out_b)

    # 80-dim fbank over 1000 frames: 8 utterances into 512 channels
    out += [("conv2d_subsampling4", conv2d_subsampling4,
             (mf(8, 1000, 80), mf(512, 1, 3, 3), mf(512), mf(512, 512, 3, 3), mf(512), mf(512, 512 * 19),
              mf(512)))]

    # ------------------------------------------------------------------ wav2vec2 (transformers' Wav2Vec2)
    def wav2vec2_feature_encoder(input_values, gn_w, gn_b, *conv_ws):  # feat_extract_norm="group"
        h = input_values[:, None]
        for layer, w in enumerate(conv_ws):
            h = F.conv1d(h, w, stride=5 if layer == 0 else 2)
            if layer == 0:
                h = F.group_norm(h, w.shape[0], gn_w, gn_b)
            h = F.gelu(h)
        return h

    group_ws = [mf(512, 1, 10)] + [mf(512, 512, 3)] * 4 + [mf(512, 512, 2)] * 2
    # wav2vec2-base over 4 x 10 s at 16 kHz; its projection, positional conv, masks and (5 s, 4 utterances) quantizer
    out += [("wav2vec2_feature_encoder", wav2vec2_feature_encoder, (mf(4, 160000), mf(512), mf(512), *group_ws))]

    def wav2vec2_feature_projection(extract_features, ln_w, ln_b, proj_w, proj_b):
        extract_features = extract_features.transpose(1, 2)
        norm = ln(extract_features, ln_w, ln_b)
        return linear(norm, proj_w, proj_b), norm

    def wav2vec2_pos_conv(hidden_states, weight_v, weight_g, bias, groups=16):
        h = hidden_states.transpose(1, 2)
        weight = torch._weight_norm(weight_v, weight_g, 2)
        h = F.conv1d(h, weight, bias, padding=weight_v.shape[-1] // 2, groups=groups)
        h = h[:, :, :-1]
        h = F.gelu(h).transpose(1, 2)
        return hidden_states + h

    def wav2vec2_mask_hidden_states(hidden_states, mask_time_indices, mask_feature_indices, masked_spec_embed):
        # hidden_states[mask_time_indices] = masked_spec_embed and hidden_states[mask_feature_indices] = 0
        hidden_states = torch.where(mask_time_indices[:, :, None], masked_spec_embed.to(hidden_states.dtype),
                                    hidden_states)
        mask_feature_indices = mask_feature_indices[:, None].expand(-1, hidden_states.shape[1], -1)
        return hidden_states.masked_fill(mask_feature_indices, 0)

    def wav2vec2_gumbel_quantizer(extract_features, w, b, codevectors, num_groups=2, num_vars=320, temperature=2.0):
        bsz, seq, _ = extract_features.shape
        hidden_states = linear(extract_features, w, b)
        hidden_states = hidden_states.view(bsz * seq * num_groups, -1)
        codevector_probs = F.gumbel_softmax(hidden_states.float(), tau=temperature, hard=True).type_as(hidden_states)
        codevector_soft_dist = torch.softmax(hidden_states.view(bsz * seq, num_groups, -1).float(), dim=-1)
        marginal_probs = codevector_soft_dist.mean(dim=0)
        perplexity = torch.exp(-torch.sum(marginal_probs * torch.log(marginal_probs + 1e-7), dim=-1)).sum()
        codevector_probs = codevector_probs.view(bsz * seq, -1)
        codevectors_per_group = codevector_probs.unsqueeze(-1) * codevectors
        codevectors = codevectors_per_group.view(bsz * seq, num_groups, num_vars, -1)
        return codevectors.sum(-2).view(bsz, seq, -1), perplexity

    out += [("wav2vec2_feature_projection", wav2vec2_feature_projection,
             (mf(4, 512, 499), mf(512), mf(512), mf(768, 512), mf(768))),
            ("wav2vec2_pos_conv", wav2vec2_pos_conv, (mf(4, 499, 768), mf(768, 48, 128), mf(1, 1, 128), mf(768))),
            ("wav2vec2_mask_hidden_states", wav2vec2_mask_hidden_states, (mf(4, 499, 768), mb(4, 499), mb(4, 768),
                                                                          mf(768))),
            ("wav2vec2_gumbel_quantizer", wav2vec2_gumbel_quantizer,
             (mf(4, 249, 512), mf(640, 512), mf(640), mf(1, 640, 128)))]

    # ------------------------------------------------------------------ Whisper (openai/whisper, transformers)
    def whisper_log_mel(audio, window, filters, n_fft=400, hop_length=160):
        stft = torch.stft(audio, n_fft, hop_length, window=window, return_complex=True)
        magnitudes = stft[..., :-1].abs() ** 2
        mel_spec = filters @ magnitudes
        log_spec = torch.clamp(mel_spec, min=1e-10).log10()
        max_val = log_spec.max(dim=2, keepdim=True)[0].max(dim=1, keepdim=True)[0]
        log_spec = torch.maximum(log_spec, max_val - 8.0)
        return (log_spec + 4.0) / 4.0

    def whisper_encoder_stem(mel, c1_w, c1_b, c2_w, c2_b, pos):
        x = F.gelu(F.conv1d(mel, c1_w, c1_b, padding=1))
        x = F.gelu(F.conv1d(x, c2_w, c2_b, stride=2, padding=1))
        x = x.permute(0, 2, 1)
        return (x + pos).to(x.dtype)

    suppress = [1, 2, 7, 8, 9, 10, 14, 25, 26, 27, 28, 29, 31, 58, 59, 60, 61, 62, 63, 90, 91, 92, 93, 359, 503, 522,
                542, 873, 893, 902, 918, 922, 931, 1350, 1853, 1982, 2460, 2627, 3246, 3253, 3268, 3536, 3846, 3961,
                4183, 4667, 6585, 6647, 7273, 9061, 9383, 10428, 10929, 11938, 12033, 12331, 12562, 13793, 14157,
                14635, 15265, 15618, 16553, 16604, 18362, 18956, 20075, 21675, 22520, 26130, 26161, 26435, 28279,
                29464, 31650, 32302, 32470, 36865, 42863, 47425, 49870, 50254, 50258, 50358, 50359, 50360, 50361,
                50362]

    def whisper_suppress_tokens(logits):  # SuppressTokens and the timestamp begin suppressed at the first step
        logits[:, suppress] = -float("inf")
        logits[:, 50364:] = -float("inf")
        return logits.log_softmax(dim=-1).argmax(dim=-1)

    # 16 clips of 30 s into 80 mels; large-v3's stem over 8 (fp16); a first decoding step of 5 clips x 5 beams
    out += [("whisper_log_mel", whisper_log_mel, (mf(16, 480000), mf(400), mf(80, 201))),
            ("whisper_encoder_stem", whisper_encoder_stem,
             (mh(8, 128, 3000), mh(1280, 128, 3), mh(1280), mh(1280, 1280, 3), mh(1280), mh(1500, 1280))),
            ("whisper_suppress_tokens", whisper_suppress_tokens, (mf(25, 51866),))]

    # ------------------------------------------------------------------ torchaudio's SpecAugment (mask_along_axis_iid)
    def mask_along_axis_iid(specgrams, mask_param, axis, mask_value=0.0):
        value = torch.rand(specgrams.shape[:2], dtype=specgrams.dtype) * mask_param
        min_value = torch.rand(specgrams.shape[:2], dtype=specgrams.dtype) * (specgrams.size(axis) - value)
        mask_start = min_value.long()[..., None, None]
        mask_end = (min_value.long() + value.long())[..., None, None]
        mask = torch.arange(0, specgrams.size(axis), dtype=specgrams.dtype)
        specgrams = specgrams.transpose(axis, -1)
        specgrams = specgrams.masked_fill((mask >= mask_start) & (mask < mask_end), mask_value)
        return specgrams.transpose(axis, -1)

    # time masks of up to 100 frames over 32 utterances of 80 x 1000
    out += [("spec_augment_time_mask", lambda s: mask_along_axis_iid(s, 100, 3), (mf(32, 1, 80, 1000),))]

    # ------------------------------------------------------------------ CTC (transformers' Wav2Vec2ForCTC, decoders)
    def ctc_greedy_decode(logits, blank=0):
        log_probs = logits.log_softmax(dim=-1)
        best = log_probs.argmax(dim=-1)
        keep = torch.ones_like(best, dtype=torch.bool)
        keep[:, 1:] = best[:, 1:] != best[:, :-1]
        keep = keep & (best != blank)
        return best.masked_fill(~keep, -1), log_probs.max(dim=-1).values.sum(-1)

    # a Conformer-CTC's 1024 BPE pieces and blank over 32 x 375 frames (bf16)
    out += [("ctc_greedy_decode", ctc_greedy_decode, (m(32, 375, 1025),))]

    # ------------------------------------------------------------------ RNN-T (torchaudio's RNNTJoiner, NeMo)
    def rnnt_joint(enc, pred, w_enc, b_enc, w_pred, b_pred, w_out, b_out):
        f = linear(enc, w_enc, b_enc).unsqueeze(2).contiguous()
        g = linear(pred, w_pred, b_pred).unsqueeze(1).contiguous()
        h = F.relu(f + g)
        return linear(h, w_out, b_out).log_softmax(dim=-1)

    # a 640-wide joint over 8 utterances of 200 frames x 61 label positions, 1024 BPE pieces and blank (fp32)
    out += [("rnnt_joint", rnnt_joint,
             (mf(8, 200, 512), mf(8, 61, 640), mf(640, 512), mf(640), mf(640, 640), mf(640), mf(1025, 640),
              mf(1025)))]

    # ================================================================== recommender systems
    # ------------------------------------------------------------------ torchrec's CrossNet / LowRankCrossNet (DCN-v2)
    def dcn_v2_low_rank_cross(x, v_kernels, w_kernels, bias):
        x_0 = x
        x_l = x_0
        for layer in range(v_kernels.shape[0]):
            xl_w = F.linear(F.linear(x_l, v_kernels[layer]), w_kernels[layer], bias[layer])
            x_l = x_0 * xl_w + x_l
        return x_l

    # MLPerf DLRM-DCNv2's 27 x 128 = 3456 features through 3 rank-512 layers at 8192 (fp32)
    out += [("dcn_v2_low_rank_cross", dcn_v2_low_rank_cross,
             (mf(8192, 3456), mf(3, 512, 3456), mf(3, 3456, 512), mf(3, 3456)))]

    # ------------------------------------------------------------------ DLRM (facebookresearch/dlrm)
    def dlrm_interact(x, *ly):  # interact_features, arch_interaction_op "dot", itself False
        batch_size, d = x.shape
        T = torch.cat([x] + list(ly), dim=1).view((batch_size, -1, d))
        Z = torch.bmm(T, torch.transpose(T, 1, 2))
        _, ni, nj = Z.shape
        li = torch.tensor([i_ for i_ in range(ni) for j in range(i_)])
        lj = torch.tensor([j for i_ in range(nj) for j in range(i_)])
        Zflat = Z[:, li, lj]
        return torch.cat([x] + [Zflat], dim=1)

    # MLPerf DLRM's 26 sparse features and the bottom MLP's output (128 wide) at 2048
    out += [("dlrm_interact", dlrm_interact, tuple(mf(2048, 128) for _ in range(27)))]

    # ------------------------------------------------------------------ embedding bags (DLRM's create_emb, torchrec)
    def embedding_bag(idx, w, mode="sum"):
        return F.embedding_bag(idx, w, mode=mode)

    def embedding_bag_weighted(idx, w, per_sample_weights):
        return F.embedding_bag(idx, w, mode="sum", per_sample_weights=per_sample_weights)

    # 20-id bags of 8192 samples from a 1M x 128 table; mean over 50-id histories; weighted 32-id bags in fp16
    out += [("embedding_bag_sum", embedding_bag, (i(8192, 20), mf(1000000, 128))),
            ("embedding_bag_mean", lambda a, w: embedding_bag(a, w, "mean"), (i(4096, 50), mf(200000, 64))),
            ("embedding_bag_weighted", embedding_bag_weighted, (i(2048, 32), mh(500000, 256), mh(2048, 32)))]

    # ------------------------------------------------------------------ two-tower retrieval (in-batch softmax, logQ)
    def two_tower_in_batch_softmax(query_emb, cand_emb, cand_log_q, temperature=0.05):
        q = F.normalize(query_emb, dim=-1)
        c = F.normalize(cand_emb, dim=-1)
        logits = q @ c.T / temperature
        logits = logits - cand_log_q[None, :]
        labels = torch.arange(q.shape[0])
        return F.cross_entropy(logits, labels)

    # 8192 query-candidate pairs of 256-d towers (bf16)
    out += [("two_tower_in_batch_softmax", two_tower_in_batch_softmax, (m(8192, 256), m(8192, 256), m(8192)))]

    # ------------------------------------------------------------------ SASRec (pmixer/SASRec.pytorch), BERT4Rec
    def sasrec_embed(log_seqs, item_emb_w, pos_emb_w):
        seqs = F.embedding(log_seqs, item_emb_w, padding_idx=0)
        seqs = seqs * item_emb_w.shape[1] ** 0.5
        poss = torch.arange(1, log_seqs.shape[1] + 1).unsqueeze(0).repeat(log_seqs.shape[0], 1)
        poss = poss * (log_seqs != 0)
        seqs = seqs + F.embedding(poss, pos_emb_w, padding_idx=0)
        timeline_mask = log_seqs == 0
        return seqs * ~timeline_mask.unsqueeze(-1)

    def sasrec_block(seqs, timeline_mask, ln1_w, ln1_b, in_proj_w, in_proj_b, out_w, out_b, ln2_w, ln2_b,
                     c1_w, c1_b, c2_w, c2_b, heads=1):
        tl = seqs.shape[1]
        attention_mask = ~torch.tril(torch.ones((tl, tl), dtype=torch.bool))
        seqs = torch.transpose(seqs, 0, 1)
        Q = F.layer_norm(seqs, (seqs.shape[-1],), ln1_w, ln1_b, 1e-8)
        mha_outputs, _ = F.multi_head_attention_forward(Q, seqs, seqs, seqs.shape[-1], heads, in_proj_w, in_proj_b,
                                                        None, None, False, 0.2, out_w, out_b, training=True,
                                                        attn_mask=attention_mask, need_weights=False)
        seqs = Q + mha_outputs
        seqs = torch.transpose(seqs, 0, 1)
        seqs = F.layer_norm(seqs, (seqs.shape[-1],), ln2_w, ln2_b, 1e-8)
        h = F.dropout(F.relu(F.conv1d(F.dropout(seqs.transpose(-1, -2), 0.2), c1_w, c1_b)), 0.2)
        h = F.dropout(F.conv1d(h, c2_w, c2_b), 0.2).transpose(-1, -2)
        seqs = h + seqs
        return seqs * ~timeline_mask.unsqueeze(-1)

    def sasrec_bce_loss(log_feats, pos_seqs, neg_seqs, item_emb_w):
        pos_embs = F.embedding(pos_seqs, item_emb_w, padding_idx=0)
        neg_embs = F.embedding(neg_seqs, item_emb_w, padding_idx=0)
        pos_logits = (log_feats * pos_embs).sum(dim=-1)
        neg_logits = (log_feats * neg_embs).sum(dim=-1)
        valid = (pos_seqs != 0).float()  # the reference's loss over np.where(pos_seqs != 0), as a masked sum
        loss = F.binary_cross_entropy_with_logits(pos_logits, torch.ones_like(pos_logits), reduction="none")
        loss = loss + F.binary_cross_entropy_with_logits(neg_logits, torch.zeros_like(neg_logits), reduction="none")
        return (loss * valid).sum() / valid.sum()

    def sasrec_full_rank(log_feats, item_emb_w, k=10):
        final_feat = log_feats[:, -1, :]
        logits = final_feat @ item_emb_w.T
        return torch.topk(logits, k, dim=-1)

    def bert4rec_loss(hidden, out_w, out_b, labels):
        logits = linear(hidden, out_w, out_b)
        logits = logits.view(-1, logits.size(-1))
        return F.cross_entropy(logits, labels.view(-1), ignore_index=0)

    # a 64-wide, 2-head SASRec over 100000 items (200 items a sequence) at 256 users; BERT4Rec over ML-1M (64 wide,
    # 3708 outputs) at 128
    out += [("sasrec_embed", sasrec_embed, (i(256, 200), mf(100001, 64), mf(201, 64))),
            ("sasrec_block", lambda *a: sasrec_block(*a, heads=2),
             (mf(256, 200, 64), mb(256, 200), mf(64), mf(64), mf(192, 64), mf(192), mf(64, 64), mf(64), mf(64),
              mf(64), mf(64, 64, 1), mf(64), mf(64, 64, 1), mf(64))),
            ("sasrec_bce_loss", sasrec_bce_loss, (mf(256, 200, 64), i(256, 200), i(256, 200), mf(100001, 64))),
            ("sasrec_full_rank", sasrec_full_rank, (mf(256, 200, 64), mf(100001, 64))),
            ("bert4rec_loss", bert4rec_loss, (mf(128, 200, 64), mf(3708, 64), mf(3708), i(128, 200)))]

    # ------------------------------------------------------------------ DIN (DeepCTR-Torch), FM, xDeepFM, MMoE
    def dice(x, bn, alpha, eps=1e-8):  # DeepCTR-Torch's Dice over [B, T, H]
        x = torch.transpose(x, 1, 2)
        x_p = torch.sigmoid(F.batch_norm(x, bn[0], bn[1], bn[2], bn[3], training=False, eps=eps))
        x_p = torch.transpose(x_p, 1, 2)
        x = torch.transpose(x, 1, 2)
        return alpha * (1 - x_p) * x + x_p * x

    def din_attention_pooling(query, keys, keys_length, w1, b1, bn1, a1, w2, b2, bn2, a2, w3, b3):
        batch_size, T, _ = keys.shape
        queries = query.expand(-1, T, -1)
        attention_input = torch.cat([queries, keys, queries - keys, queries * keys], dim=-1)
        h = dice(linear(attention_input, w1, b1), bn1, a1)
        h = dice(linear(h, w2, b2), bn2, a2)
        attention_score = linear(h, w3, b3)
        outputs = torch.transpose(attention_score, 1, 2)
        keys_masks = torch.arange(T, dtype=keys_length.dtype).repeat(batch_size, 1)
        keys_masks = keys_masks < keys_length.view(-1, 1)
        keys_masks = keys_masks.unsqueeze(1)
        paddings = torch.zeros_like(outputs)
        outputs = torch.where(keys_masks, outputs, paddings)
        return torch.matmul(outputs, keys)

    def fm_interaction(inputs):  # DeepCTR's FM
        square_of_sum = torch.pow(torch.sum(inputs, dim=1, keepdim=True), 2)
        sum_of_square = torch.sum(inputs * inputs, dim=1, keepdim=True)
        cross_term = square_of_sum - sum_of_square
        return 0.5 * torch.sum(cross_term, dim=2, keepdim=False)

    def xdeepfm_cin(inputs, *conv_ws):  # DeepCTR-Torch's CIN, split_half
        batch_size, _, dim = inputs.shape
        hidden_nn_layers = [inputs]
        final_result = []
        for idx, w in enumerate(conv_ws):
            x = torch.einsum("bhd,bmd->bhmd", hidden_nn_layers[-1], hidden_nn_layers[0])
            x = x.reshape(batch_size, hidden_nn_layers[-1].shape[1] * hidden_nn_layers[0].shape[1], dim)
            x = F.relu(F.conv1d(x, w))
            if idx != len(conv_ws) - 1:
                next_hidden, direct_connect = torch.split(x, 2 * [w.shape[0] // 2], 1)
            else:
                direct_connect, next_hidden = x, 0
            final_result.append(direct_connect)
            hidden_nn_layers.append(next_hidden)
        return torch.sum(torch.cat(final_result, dim=1), -1)

    def mmoe(x, expert_ws, expert_bs, gate_ws, tower_ws, tower_bs):
        expert_outs = torch.stack([F.relu(linear(x, expert_ws[e], expert_bs[e]))
                                   for e in range(expert_ws.shape[0])], 1)
        task_outs = []
        for t in range(gate_ws.shape[0]):
            gate_out = linear(x, gate_ws[t]).softmax(1)
            gate_mul_expert = torch.matmul(gate_out.unsqueeze(1), expert_outs).squeeze(1)
            task_outs.append(torch.sigmoid(linear(gate_mul_expert, tower_ws[t], tower_bs[t])))
        return torch.cat(task_outs, -1)

    # DIN over 50-item histories of 64-d item + category embeddings at 4096 (attention MLP 80 -> 40 with Dice);
    # Criteo's 39 fields of 16 (FM) and of 10 (a 256 / 128 CIN) at 4096; MMoE with 8 experts and 2 tasks at 2048
    out += [("din_attention_pooling", din_attention_pooling,
             (mf(4096, 1, 64), mf(4096, 50, 64), i(4096, 1), mf(80, 256), mf(80), mf(4, 80), mf(80), mf(40, 80),
              mf(40), mf(4, 40), mf(40), mf(1, 40), mf(1))),
            ("fm_interaction", fm_interaction, (mf(4096, 39, 16),)),
            ("xdeepfm_cin", xdeepfm_cin, (mf(4096, 39, 10), mf(256, 39 * 39, 1), mf(128, 128 * 39, 1))),
            ("mmoe", mmoe, (mf(2048, 512), mf(8, 256, 512), mf(8, 256), mf(2, 8, 512), mf(2, 1, 256), mf(2, 1)))]

    # ================================================================== segmentation
    # ------------------------------------------------------------------ SAM (segment_anything)
    def sam_decoder_inputs(image_embeddings, image_pe, sparse_prompt_embeddings, no_mask_embed, iou_token,
                           mask_tokens):
        bs = sparse_prompt_embeddings.size(0)
        h, w = image_embeddings.shape[-2:]
        dense_prompt_embeddings = no_mask_embed.reshape(1, -1, 1, 1).expand(bs, -1, h, w)
        output_tokens = torch.cat([iou_token, mask_tokens], dim=0)
        output_tokens = output_tokens.unsqueeze(0).expand(bs, -1, -1)
        tokens = torch.cat((output_tokens, sparse_prompt_embeddings), dim=1)
        src = torch.repeat_interleave(image_embeddings, tokens.shape[0], dim=0)
        src = src + dense_prompt_embeddings
        pos_src = torch.repeat_interleave(image_pe, tokens.shape[0], dim=0)
        return tokens, src.flatten(2).permute(0, 2, 1), pos_src.flatten(2).permute(0, 2, 1)

    def sam_attention(q, k, v, wq, bq, wk, bk, wv, bv, wo, bo, num_heads=8):
        q = linear(q, wq, bq)
        k = linear(k, wk, bk)
        v = linear(v, wv, bv)

        def separate_heads(x):
            b, n, c = x.shape
            return x.reshape(b, n, num_heads, c // num_heads).transpose(1, 2)

        q, k, v = separate_heads(q), separate_heads(k), separate_heads(v)
        _, _, _, c_per_head = q.shape
        attn = q @ k.permute(0, 1, 3, 2)
        attn = attn / math.sqrt(c_per_head)
        attn = torch.softmax(attn, dim=-1)
        o = attn @ v
        b, h, n, c = o.shape
        return linear(o.transpose(1, 2).reshape(b, n, h * c), wo, bo)

    def sam_token_to_image(queries, keys, query_pe, key_pe, ln_w, ln_b, *w):
        q = queries + query_pe
        k = keys + key_pe
        queries = queries + sam_attention(q, k, keys, *w)
        return ln(queries, ln_w, ln_b)

    def sam_image_to_token(queries, keys, query_pe, key_pe, ln_w, ln_b, *w):
        q = queries + query_pe
        k = keys + key_pe
        keys = keys + sam_attention(k, q, queries, *w)
        return ln(keys, ln_w, ln_b)

    def sam_token_self_attn_mlp(queries, query_pe, ln1_w, ln1_b, wq, bq, wk, bk, wv, bv, wo, bo, fc1_w, fc1_b,
                                fc2_w, fc2_b, ln3_w, ln3_b):
        q = queries + query_pe
        queries = ln(queries + sam_attention(q, q, queries, wq, bq, wk, bk, wv, bv, wo, bo), ln1_w, ln1_b)
        mlp_out = linear(F.relu(linear(queries, fc1_w, fc1_b)), fc2_w, fc2_b)
        return ln(queries + mlp_out, ln3_w, ln3_b)

    def cross_weights():  # downsample_rate 2: 256 -> 128 inside
        return mf(128, 256), mf(128), mf(128, 256), mf(128), mf(128, 256), mf(128), mf(256, 128), mf(256)

    # one image (64 x 64 x 256 embedding) and its 64 point prompts (points_per_batch of the automatic mask generator),
    # 7 tokens each (iou, 4 masks, a point and its pad), fp32
    out += [("sam_decoder_inputs", sam_decoder_inputs,
             (mf(1, 256, 64, 64), mf(1, 256, 64, 64), mf(64, 2, 256), mf(256), mf(1, 256), mf(4, 256))),
            ("sam_token_self_attn_mlp", sam_token_self_attn_mlp,
             (mf(64, 7, 256), mf(64, 7, 256), mf(256), mf(256), mf(256, 256), mf(256), mf(256, 256), mf(256),
              mf(256, 256), mf(256), mf(256, 256), mf(256), mf(2048, 256), mf(2048), mf(256, 2048), mf(256), mf(256),
              mf(256))),
            ("sam_token_to_image", sam_token_to_image,
             (mf(64, 7, 256), mf(64, 4096, 256), mf(64, 7, 256), mf(64, 4096, 256), mf(256), mf(256),
              *cross_weights())),
            ("sam_image_to_token", sam_image_to_token,
             (mf(64, 4096, 256), mf(64, 7, 256), mf(64, 4096, 256), mf(64, 7, 256), mf(256), mf(256),
              *cross_weights()))]

    def layer_norm_2d(x, weight, bias, eps=1e-6):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + eps)
        return weight[:, None, None] * x + bias[:, None, None]

    def sam_neck(x, c1_w, ln1_w, ln1_b, c2_w, ln2_w, ln2_b):
        x = F.conv2d(x.permute(0, 3, 1, 2), c1_w)
        x = layer_norm_2d(x, ln1_w, ln1_b)
        x = F.conv2d(x, c2_w, padding=1)
        return layer_norm_2d(x, ln2_w, ln2_b)

    def sam_upscale_masks(src, mask_tokens_out, ct1_w, ct1_b, ln_w, ln_b, ct2_w, ct2_b, hw1, hb1, hw2, hb2, hw3, hb3):
        b, _, c = src.shape
        src = src.transpose(1, 2).view(b, c, 64, 64)
        upscaled = F.conv_transpose2d(src, ct1_w, ct1_b, stride=2)
        upscaled = F.gelu(layer_norm_2d(upscaled, ln_w, ln_b))
        upscaled = F.gelu(F.conv_transpose2d(upscaled, ct2_w, ct2_b, stride=2))
        hyper_in_list = []
        for k in range(hw1.shape[0]):
            h = F.relu(linear(mask_tokens_out[:, k, :], hw1[k], hb1[k]))
            h = F.relu(linear(h, hw2[k], hb2[k]))
            hyper_in_list.append(linear(h, hw3[k], hb3[k]))
        hyper_in = torch.stack(hyper_in_list, dim=1)
        b, c, h, w = upscaled.shape
        return (hyper_in @ upscaled.view(b, c, h * w)).view(b, -1, h, w)

    def sam_postprocess_masks(masks, input_size, original_size, img_size=1024):
        masks = F.interpolate(masks, (img_size, img_size), mode="bilinear", align_corners=False)
        masks = masks[..., : input_size[0], : input_size[1]]
        masks = F.interpolate(masks, original_size, mode="bilinear", align_corners=False)
        return masks > 0.0

    # ViT-H's neck over the 64 x 64 x 1280 patch grid; the upscaling of the 64 prompts' 4 masks; 8 prompts' 3 masks
    # back to a 1500 x 2250 photo
    out += [("sam_neck", sam_neck,
             (mf(1, 64, 64, 1280), mf(256, 1280, 1, 1), mf(256), mf(256), mf(256, 256, 3, 3), mf(256), mf(256))),
            ("sam_upscale_masks", sam_upscale_masks,
             (mf(64, 4096, 256), mf(64, 4, 256), mf(256, 64, 2, 2), mf(64), mf(64), mf(64), mf(64, 32, 2, 2),
              mf(32), mf(4, 256, 256), mf(4, 256), mf(4, 256, 256), mf(4, 256), mf(4, 32, 256), mf(4, 32))),
            ("sam_postprocess_masks", lambda x: sam_postprocess_masks(x, (683, 1024), (1500, 2250)),
             (mf(8, 3, 256, 256),))]

    # ------------------------------------------------------------------ U-Net (milesial/Pytorch-UNet), smp
    def unet_up(x1, x2, up_w, up_b, c1_w, bn1, c2_w, bn2, training=True):
        x1 = F.conv_transpose2d(x1, up_w, up_b, stride=2)
        diffY = x2.size()[2] - x1.size()[2]
        diffX = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, diffY // 2, diffY - diffY // 2])
        x = torch.cat([x2, x1], dim=1)
        x = F.conv2d(x, c1_w, padding=1)
        x = F.relu(F.batch_norm(x, bn1[0], bn1[1], bn1[2], bn1[3], training=training), inplace=True)
        x = F.conv2d(x, c2_w, padding=1)
        return F.relu(F.batch_norm(x, bn2[0], bn2[1], bn2[2], bn2[3], training=training), inplace=True)

    def smp_decoder_block(x, skip, c1_w, bn1, c2_w, bn2, training=False):
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        x = torch.cat([x, skip], dim=1)
        x = F.relu(F.batch_norm(F.conv2d(x, c1_w, padding=1), bn1[0], bn1[1], bn1[2], bn1[3], training=training))
        return F.relu(F.batch_norm(F.conv2d(x, c2_w, padding=1), bn2[0], bn2[1], bn2[2], bn2[3], training=training))

    # Pytorch-UNet's last up block at 2 images of 512 x 512 under autocast (fp16 convs, fp32 BatchNorm weights);
    # smp's last ResNet-34 decoder block at 8 crops of 256 x 256 in training
    out += [("unet_up", unet_up,
             (mh(2, 128, 256, 256), mh(2, 64, 512, 512), mh(128, 64, 2, 2), mh(64), mh(64, 128, 3, 3), mf(4, 64),
              mh(64, 64, 3, 3), mf(4, 64))),
            ("smp_decoder_block", lambda *a: smp_decoder_block(*a, training=True),
             (mf(8, 64, 128, 128), mf(8, 64, 256, 256), mf(32, 128, 3, 3), mf(4, 32), mf(32, 32, 3, 3),
              mf(4, 32)))]

    # ------------------------------------------------------------------ semantic segmentation (mmseg, torchvision)
    def seg_logits_to_pred(seg_logits, size):
        seg_logits = F.interpolate(seg_logits, size=size, mode="bilinear", align_corners=False)
        return seg_logits.softmax(dim=1).argmax(dim=1)

    def seg_ce_loss(seg_logits, seg_label):
        seg_logits = F.interpolate(seg_logits, size=seg_label.shape[1:], mode="bilinear", align_corners=False)
        return F.cross_entropy(seg_logits, seg_label, ignore_index=255, reduction="none").mean()

    def deeplab_aspp(x, c0_w, c1_w, c2_w, c3_w, pool_w, proj_w, bns, rates=(12, 24, 36)):
        def bn_relu(y, k):
            return F.relu(F.batch_norm(y, bns[k, 0], bns[k, 1], bns[k, 2], bns[k, 3], training=False))

        size = x.shape[-2:]
        res = [bn_relu(F.conv2d(x, c0_w), 0)]
        for k, (w, r) in enumerate(zip((c1_w, c2_w, c3_w), rates, strict=True)):
            res.append(bn_relu(F.conv2d(x, w, padding=r, dilation=r), k + 1))
        pooled = bn_relu(F.conv2d(F.adaptive_avg_pool2d(x, 1), pool_w), 4)
        res.append(F.interpolate(pooled, size=size, mode="bilinear", align_corners=False))
        res = torch.cat(res, dim=1)
        return F.dropout(bn_relu(F.conv2d(res, proj_w), 5), 0.5, training=False)

    # Cityscapes' 19 classes from a 1/4 map to 1024 x 2048; its training loss at 2 crops of 512 x 1024;
    # DeepLabv3-ResNet50's ASPP at output stride 8 over 4 crops of 520
    out += [("seg_logits_to_pred", lambda x: seg_logits_to_pred(x, (1024, 2048)), (mf(1, 19, 256, 512),)),
            ("seg_ce_loss", seg_ce_loss, (mf(2, 19, 128, 256), i(2, 512, 1024))),
            ("deeplab_aspp", deeplab_aspp,
             (mf(4, 2048, 65, 65), mf(256, 2048, 1, 1), mf(256, 2048, 3, 3), mf(256, 2048, 3, 3),
              mf(256, 2048, 3, 3), mf(256, 2048, 1, 1), mf(256, 1280, 1, 1), mf(6, 4, 256)))]

    # ------------------------------------------------------------------ Mask2Former's losses and matcher
    def point_sample(x, point_coords, align_corners=False):
        add_dim = False
        if point_coords.dim() == 3:
            add_dim = True
            point_coords = point_coords.unsqueeze(2)
        output = F.grid_sample(x, 2.0 * point_coords - 1.0, align_corners=align_corners)
        if add_dim:
            output = output.squeeze(3)
        return output

    def mask2former_matcher_costs(out_mask, tgt_mask, num_points=12544):
        point_coords = torch.rand(1, num_points, 2, dtype=out_mask.dtype)
        tgt = point_sample(tgt_mask[:, None], point_coords.repeat(tgt_mask.shape[0], 1, 1)).squeeze(1)
        out = point_sample(out_mask[:, None], point_coords.repeat(out_mask.shape[0], 1, 1)).squeeze(1)
        hw = out.shape[1]
        pos = F.binary_cross_entropy_with_logits(out, torch.ones_like(out), reduction="none")
        neg = F.binary_cross_entropy_with_logits(out, torch.zeros_like(out), reduction="none")
        cost_mask = (torch.einsum("nc,mc->nm", pos, tgt) + torch.einsum("nc,mc->nm", neg, 1 - tgt)) / hw
        inputs = out.sigmoid()
        numerator = 2 * torch.einsum("nc,mc->nm", inputs, tgt)
        denominator = inputs.sum(-1)[:, None] + tgt.sum(-1)[None, :]
        cost_dice = 1 - (numerator + 1) / (denominator + 1)
        return 5.0 * cost_mask + 5.0 * cost_dice

    # 100 queries' 256 x 256 masks against 24 targets padded to 1024 x 1024, at 12544 random points
    out += [("mask2former_matcher_costs", mask2former_matcher_costs, (mf(100, 256, 256), mf(24, 1024, 1024)))]

    # ================================================================== OCR and documents
    # ------------------------------------------------------------------ CRNN (meijieru/crnn.pytorch), PP-OCR's CTC head
    def crnn_map_to_sequence(conv):
        b, c, h, w = conv.size()
        return conv.squeeze(2).permute(2, 0, 1).contiguous()

    def crnn_ctc_head(recurrent, emb_w, emb_b):
        T, b, h = recurrent.size()
        t_rec = recurrent.view(T * b, h)
        output = linear(t_rec, emb_w, emb_b)
        return output.view(T, b, -1).log_softmax(2)

    def ppocr_ctc_head(x, w, b):  # PaddleOCR's CTCHead at inference: linear then softmax
        predicts = linear(x, w, b)
        probs = F.softmax(predicts, dim=2)
        return probs.argmax(dim=2), probs.max(dim=2).values

    # CRNN over 64 crops of 100 x 32 (26 steps, 36 characters and blank); PP-OCR's 6625 characters over 40 steps
    # of 128 crops
    out += [("crnn_map_to_sequence", crnn_map_to_sequence, (mf(64, 512, 1, 26),)),
            ("crnn_ctc_head", crnn_ctc_head, (mf(26, 64, 512), mf(37, 512), mf(37))),
            ("ppocr_ctc_head", ppocr_ctc_head, (mf(128, 40, 120), mf(6625, 120), mf(6625)))]

    # ------------------------------------------------------------------ LayoutLMv3 (transformers)
    def layoutlmv3_spatial_embeddings(bbox, x_w, y_w, h_w, w_w):
        left_position_embeddings = F.embedding(bbox[:, :, 0], x_w)
        upper_position_embeddings = F.embedding(bbox[:, :, 1], y_w)
        right_position_embeddings = F.embedding(bbox[:, :, 2], x_w)
        lower_position_embeddings = F.embedding(bbox[:, :, 3], y_w)
        h_position_embeddings = F.embedding(torch.clip(bbox[:, :, 3] - bbox[:, :, 1], 0, 1023), h_w)
        w_position_embeddings = F.embedding(torch.clip(bbox[:, :, 2] - bbox[:, :, 0], 0, 1023), w_w)
        return torch.cat([left_position_embeddings, upper_position_embeddings, right_position_embeddings,
                          lower_position_embeddings, h_position_embeddings, w_position_embeddings], dim=-1)

    def layoutlmv3_text_embeddings(input_ids, bbox, word_w, pos_w, x_w, y_w, h_w, w_w, ln_w, ln_b, padding_idx=1):
        mask = input_ids.ne(padding_idx).int()
        incremental_indices = torch.cumsum(mask, dim=1).type_as(mask) * mask
        position_ids = incremental_indices.long() + padding_idx
        embeddings = F.embedding(input_ids, word_w, padding_idx=padding_idx)
        embeddings = embeddings + F.embedding(position_ids, pos_w, padding_idx=padding_idx)
        embeddings = embeddings + layoutlmv3_spatial_embeddings(bbox, x_w, y_w, h_w, w_w)
        return ln(embeddings, ln_w, ln_b)

    def relative_position_bucket(relative_position, bidirectional=True, num_buckets=32, max_distance=128):
        ret = 0
        if bidirectional:
            num_buckets //= 2
            ret += (relative_position > 0).long() * num_buckets
            n = torch.abs(relative_position)
        else:
            n = torch.max(-relative_position, torch.zeros_like(relative_position))
        max_exact = num_buckets // 2
        is_small = n < max_exact
        val_if_large = max_exact + (torch.log(n.float() / max_exact) / math.log(max_distance / max_exact)
                                    * (num_buckets - max_exact)).to(torch.long)
        val_if_large = torch.min(val_if_large, torch.full_like(val_if_large, num_buckets - 1))
        ret += torch.where(is_small, n, val_if_large)
        return ret

    def layoutlmv3_rel_pos_2d(bbox, text_embeddings, rel_pos_x_w, rel_pos_y_w):
        position_coord_x = bbox[:, :, 0]
        position_coord_y = bbox[:, :, 3]
        rel_pos_x_2d_mat = position_coord_x.unsqueeze(-2) - position_coord_x.unsqueeze(-1)
        rel_pos_y_2d_mat = position_coord_y.unsqueeze(-2) - position_coord_y.unsqueeze(-1)
        rel_pos_x = relative_position_bucket(rel_pos_x_2d_mat, num_buckets=64, max_distance=256)
        rel_pos_y = relative_position_bucket(rel_pos_y_2d_mat, num_buckets=64, max_distance=256)
        with torch.no_grad():
            rel_pos_x = F.one_hot(rel_pos_x, num_classes=64).type_as(text_embeddings)
            rel_pos_y = F.one_hot(rel_pos_y, num_classes=64).type_as(text_embeddings)
        rel_pos_x = linear(rel_pos_x, rel_pos_x_w).permute(0, 3, 1, 2).contiguous()
        rel_pos_y = linear(rel_pos_y, rel_pos_y_w).permute(0, 3, 1, 2).contiguous()
        return rel_pos_x + rel_pos_y

    # layoutlmv3-base (768 wide, 12 heads, 128-wide coordinate tables) over 512 tokens at 4 documents (fp32)
    out += [("layoutlmv3_text_embeddings", layoutlmv3_text_embeddings,
             (i(4, 512), i(4, 512, 4), mf(50265, 768), mf(514, 768), mf(1024, 128), mf(1024, 128), mf(1024, 128),
              mf(1024, 128), mf(768), mf(768))),
            ("layoutlmv3_rel_pos_2d", layoutlmv3_rel_pos_2d, (i(4, 512, 4), mf(4, 512, 768), mf(12, 64), mf(12, 64)))]

    # ------------------------------------------------------------------ DBNet (MhLiao/DB's SegDetector head)
    def db_branch(fuse, c_w, bn1, ct1_w, ct1_b, bn2, ct2_w, ct2_b):
        x = F.conv2d(fuse, c_w, padding=1)
        x = F.relu(F.batch_norm(x, bn1[0], bn1[1], bn1[2], bn1[3], training=False))
        x = F.conv_transpose2d(x, ct1_w, ct1_b, stride=2)
        x = F.relu(F.batch_norm(x, bn2[0], bn2[1], bn2[2], bn2[3], training=False))
        return torch.sigmoid(F.conv_transpose2d(x, ct2_w, ct2_b, stride=2))

    def dbnet_head(fuse, *w, k=50):
        binary = db_branch(fuse, *w[:7])
        thresh = db_branch(fuse, *w[7:])
        thresh_binary = torch.reciprocal(1 + torch.exp(-k * (binary - thresh)))
        return torch.cat((binary, thresh, thresh_binary), dim=1)

    def db_weights():
        return (mf(64, 256, 3, 3), mf(4, 64), mf(64, 64, 2, 2), mf(64), mf(4, 64), mf(64, 1, 2, 2), mf(1))

    # DB-ResNet-50's head over the fused 1/4 maps of 8 crops of 640 x 640
    out += [("dbnet_head", dbnet_head, (mf(8, 256, 160, 160), *db_weights(), *db_weights()))]

    # ================================================================== time-series forecasting
    # ------------------------------------------------------------------ RevIN, PatchTST (yuqinie98/PatchTST)
    def revin_norm(x, affine_weight, affine_bias, eps=1e-5):
        dim2reduce = tuple(range(1, x.ndim - 1))
        mean = torch.mean(x, dim=dim2reduce, keepdim=True).detach()
        stdev = torch.sqrt(torch.var(x, dim=dim2reduce, keepdim=True, unbiased=False) + eps).detach()
        x = (x - mean) / stdev
        x = x * affine_weight + affine_bias
        return x, mean, stdev

    def revin_denorm(x, mean, stdev, affine_weight, affine_bias, eps=1e-5):
        x = x - affine_bias
        x = x / (affine_weight + eps * eps)
        return x * stdev + mean

    def patchtst_patch_embed(x, w_p, b_p, w_pos, patch_len=16, stride=8):
        z = x.permute(0, 2, 1)
        z = F.pad(z, (0, stride), mode="replicate")
        z = z.unfold(dimension=-1, size=patch_len, step=stride)
        z = z.permute(0, 1, 3, 2)
        z = z.permute(0, 1, 3, 2)
        z = linear(z, w_p, b_p)
        u = torch.reshape(z, (z.shape[0] * z.shape[1], z.shape[2], z.shape[3]))
        return u + w_pos

    def patchtst_encoder_layer(src, prev, wq, bq, wk, bk, wv, bv, wo, bo, bn1, ff1_w, ff1_b, ff2_w, ff2_b, bn2,
                               n_heads=16):
        bs, _, d_model = src.shape
        d_k = d_model // n_heads
        q_s = linear(src, wq, bq).view(bs, -1, n_heads, d_k).transpose(1, 2)
        k_s = linear(src, wk, bk).view(bs, -1, n_heads, d_k).permute(0, 2, 3, 1)
        v_s = linear(src, wv, bv).view(bs, -1, n_heads, d_k).transpose(1, 2)
        attn_scores = torch.matmul(q_s, k_s) * d_k ** -0.5
        attn_scores = attn_scores + prev
        attn_weights = F.softmax(attn_scores, dim=-1)
        output = torch.matmul(attn_weights, v_s)
        output = output.transpose(1, 2).contiguous().view(bs, -1, n_heads * d_k)
        src = src + linear(output, wo, bo)
        src = F.batch_norm(src.transpose(1, 2), bn1[0], bn1[1], bn1[2], bn1[3], training=True).transpose(1, 2)
        src2 = linear(F.gelu(linear(src, ff1_w, ff1_b)), ff2_w, ff2_b)
        src = src + src2
        src = F.batch_norm(src.transpose(1, 2), bn2[0], bn2[1], bn2[2], bn2[3], training=True).transpose(1, 2)
        return src, attn_scores

    def patchtst_flatten_head(z, w, b, n_vars):
        z = torch.reshape(z, (-1, n_vars, z.shape[-2], z.shape[-1]))
        z = z.permute(0, 1, 3, 2)
        z = z.flatten(start_dim=-2)
        return linear(z, w, b).permute(0, 2, 1)

    def patchtst_layer_inputs(n, d, heads, d_ff, pn=42):
        return (mf(n, pn, d), mf(n, heads, pn, pn), mf(d, d), mf(d), mf(d, d), mf(d), mf(d, d), mf(d), mf(d, d),
                mf(d), mf(4, d), mf(d_ff, d), mf(d_ff), mf(d, d_ff), mf(d), mf(4, d))

    # ECL (321 variables) at 32 windows: RevIN, de-normalisation of a 96-step forecast, patching of the 336-step
    # look-back into 42 patches; Weather (21 variables) at 128: an encoder layer (128 wide, 16 heads) and the head to
    # 720 steps
    out += [("revin_norm", revin_norm, (mf(32, 336, 321), mf(321), mf(321))),
            ("revin_denorm", revin_denorm, (mf(32, 96, 321), mf(32, 1, 321), mf(32, 1, 321), mf(321), mf(321))),
            ("patchtst_patch_embed", patchtst_patch_embed, (mf(32, 336, 321), mf(128, 16), mf(128), mf(42, 128))),
            ("patchtst_encoder_layer", patchtst_encoder_layer, patchtst_layer_inputs(128 * 21, 128, 16, 256)),
            ("patchtst_flatten_head", lambda z, w, b: patchtst_flatten_head(z, w, b, 21),
             (mf(128 * 21, 42, 128), mf(720, 42 * 128), mf(720)))]

    # ------------------------------------------------------------------ N-BEATS (ElementAI/N-BEATS)
    def nbeats_fc_stack(x, w1, b1, ws, bs, theta_w, theta_b):
        block_input = F.relu(linear(x, w1, b1))
        for k in range(ws.shape[0]):
            block_input = F.relu(linear(block_input, ws[k], bs[k]))
        return linear(block_input, theta_w, theta_b)

    def nbeats_generic_block(x, input_mask, w1, b1, ws, bs, theta_w, theta_b, backcast_size=336, forecast_size=48):
        residuals = x.flip(dims=(1,))
        input_mask = input_mask.flip(dims=(1,))
        theta = nbeats_fc_stack(residuals, w1, b1, ws, bs, theta_w, theta_b)
        backcast, forecast = theta[:, :backcast_size], theta[:, -forecast_size:]
        residuals = (residuals - backcast) * input_mask
        return residuals, x[:, -1:] + forecast

    def nbeats_seasonality_block(x, w1, b1, ws, bs, theta_w, theta_b, bc_cos, bc_sin, fc_cos, fc_sin):
        theta = nbeats_fc_stack(x, w1, b1, ws, bs, theta_w, theta_b)
        p = fc_cos.shape[0]
        backcast_cos = torch.einsum("bp,pt->bt", theta[:, 2 * p: 3 * p], bc_cos)
        backcast_sin = torch.einsum("bp,pt->bt", theta[:, 3 * p:], bc_sin)
        forecast_cos = torch.einsum("bp,pt->bt", theta[:, :p], fc_cos)
        forecast_sin = torch.einsum("bp,pt->bt", theta[:, p: 2 * p], fc_sin)
        return backcast_cos + backcast_sin, forecast_sin + forecast_cos

    # M4 hourly (horizon 48, look-back 7H = 336) at 1024 windows: a generic 512-wide block and a 2048-wide seasonality
    # block with 24 harmonics
    out += [("nbeats_generic_block", nbeats_generic_block,
             (mf(1024, 336), mf(1024, 336), mf(512, 336), mf(512), mf(3, 512, 512), mf(3, 512), mf(384, 512),
              mf(384))),
            ("nbeats_seasonality_block", nbeats_seasonality_block,
             (mf(1024, 336), mf(2048, 336), mf(2048), mf(3, 2048, 2048), mf(3, 2048), mf(96, 2048), mf(96),
              mf(24, 336), mf(24, 336), mf(24, 48), mf(24, 48)))]

    # ------------------------------------------------------------------ Autoformer, DLinear, TimesNet (thuml)
    def series_decomp(x, kernel_size=25):
        front = x[:, 0:1, :].repeat(1, (kernel_size - 1) // 2, 1)
        end = x[:, -1:, :].repeat(1, (kernel_size - 1) // 2, 1)
        x_pad = torch.cat([front, x, end], dim=1)
        moving_mean = F.avg_pool1d(x_pad.permute(0, 2, 1), kernel_size, stride=1).permute(0, 2, 1)
        return x - moving_mean, moving_mean

    def autocorrelation(queries, keys, values, factor=1):  # AutoCorrelation.forward, eval: time_delay_agg_inference
        B, L, H, E = queries.shape
        q_fft = torch.fft.rfft(queries.permute(0, 2, 3, 1).contiguous(), dim=-1)
        k_fft = torch.fft.rfft(keys.permute(0, 2, 3, 1).contiguous(), dim=-1)
        res = q_fft * torch.conj(k_fft)
        corr = torch.fft.irfft(res, n=L, dim=-1)
        values = values.permute(0, 2, 3, 1).contiguous()
        batch, head, channel, length = values.shape
        init_index = torch.arange(length).unsqueeze(0).unsqueeze(0).unsqueeze(0).repeat(batch, head, channel, 1)
        top_k = int(factor * math.log(length))
        mean_value = torch.mean(torch.mean(corr, dim=1), dim=1)
        weights, delay = torch.topk(mean_value, top_k, dim=-1)
        tmp_corr = torch.softmax(weights, dim=-1)
        tmp_values = values.repeat(1, 1, 1, 2)
        delays_agg = torch.zeros_like(values).float()
        for k in range(top_k):
            tmp_delay = init_index + delay[:, k].unsqueeze(1).unsqueeze(1).unsqueeze(1).repeat(1, head, channel, length)
            pattern = torch.gather(tmp_values, dim=-1, index=tmp_delay)
            delays_agg = delays_agg + pattern * (tmp_corr[:, k].unsqueeze(1).unsqueeze(1).unsqueeze(1)
                                                 .repeat(1, head, channel, length))
        return delays_agg.permute(0, 3, 1, 2).contiguous()

    def dlinear(x, w_s, b_s, w_t, b_t):
        seasonal_init, trend_init = series_decomp(x)
        seasonal_init, trend_init = seasonal_init.permute(0, 2, 1), trend_init.permute(0, 2, 1)
        seasonal_output = linear(seasonal_init, w_s, b_s)
        trend_output = linear(trend_init, w_t, b_t)
        return (seasonal_output + trend_output).permute(0, 2, 1)

    # Autoformer's decoder-side auto-correlation (96 + 48 steps, 8 heads of 64) at 32; DLinear on ECL to 720 steps
    out += [("autocorrelation", autocorrelation, (mf(32, 144, 8, 64), mf(32, 144, 8, 64), mf(32, 144, 8, 64))),
            ("dlinear", dlinear, (mf(32, 336, 321), mf(720, 336), mf(720), mf(720, 336), mf(720)))]

    # ================================================================== LLM decoding utilities
    # ------------------------------------------------------------------ beam search (transformers)
    def beam_search_step(logits, beam_scores, num_beams):
        batch_beam, vocab_size = logits.shape[0], logits.shape[-1]
        next_token_logits = logits[:, -1, :].clone().float()
        next_token_scores = F.log_softmax(next_token_logits, dim=-1)
        next_token_scores = next_token_scores + beam_scores[:, None].expand_as(next_token_scores)
        next_token_scores = next_token_scores.view(batch_beam // num_beams, num_beams * vocab_size)
        next_token_scores, next_tokens = torch.topk(next_token_scores, 2 * num_beams, dim=1, largest=True,
                                                    sorted=True)
        next_indices = torch.div(next_tokens, vocab_size, rounding_mode="floor")
        next_tokens = next_tokens % vocab_size
        return next_token_scores, next_tokens, next_indices

    def reorder_cache(key_cache, value_cache, beam_idx, input_ids, beam_next_tokens):
        key_cache = key_cache.index_select(0, beam_idx)
        value_cache = value_cache.index_select(0, beam_idx)
        input_ids = torch.cat([input_ids[beam_idx, :], beam_next_tokens.unsqueeze(-1)], dim=-1)
        return key_cache, value_cache, input_ids

    # BART-large-CNN (50264) at 16 articles x 4 beams (fp32 logits), Whisper large-v3 at 8 clips x 5 beams (fp16,
    # 51866); a Llama-2-7B layer's cache of 1024 tokens reordered over 4 x 4 beams (fp16)
    out += [("beam_search_step", lambda x, s: beam_search_step(x, s, 4), (mf(64, 1, 50264), mf(64))),
            ("beam_search_step", lambda x, s: beam_search_step(x, s, 5), (mh(40, 1, 51866), mf(40))),
            ("reorder_cache", reorder_cache,
             (mh(16, 32, 1024, 128), mh(16, 32, 1024, 128), i(16), i(16, 1024), i(16)))]

    # ------------------------------------------------------------------ logits processors and samplers
    def repetition_penalty(input_ids, scores, penalty=1.2):
        score = torch.gather(scores, 1, input_ids)
        score = torch.where(score < 0, score * penalty, score / penalty)
        return scores.scatter(1, input_ids, score)

    def hf_top_k_top_p(scores, temperature=0.7, top_k=50, top_p=0.9):
        scores = scores / temperature
        top_k = min(top_k, scores.size(-1))
        indices_to_remove = scores < torch.topk(scores, top_k)[0][..., -1, None]
        scores = scores.masked_fill(indices_to_remove, -float("Inf"))
        sorted_logits, sorted_indices = torch.sort(scores, descending=False)
        cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
        sorted_indices_to_remove = cumulative_probs <= (1 - top_p)
        sorted_indices_to_remove[..., -1:] = 0
        indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
        scores = scores.masked_fill(indices_to_remove, -float("Inf"))
        return F.softmax(scores, dim=-1)

    def vllm_top_k_top_p_sample(logits, k, p):  # vLLM's apply_top_k_top_p and random_sample
        logits_sort, logits_idx = logits.sort(dim=-1, descending=False)
        top_k_mask = logits_sort.size(1) - k.to(torch.long)
        top_k_mask = logits_sort.gather(1, top_k_mask.unsqueeze(dim=1))
        top_k_mask = logits_sort < top_k_mask
        logits_sort.masked_fill_(top_k_mask, -float("inf"))
        probs_sort = logits_sort.softmax(dim=-1)
        probs_sum = probs_sort.cumsum(dim=-1)
        top_p_mask = probs_sum <= 1 - p.unsqueeze(dim=1)
        top_p_mask[:, -1] = False
        logits_sort.masked_fill_(top_p_mask, -float("inf"))
        src = torch.arange(logits_idx.shape[-1]).expand_as(logits_idx)
        logits_idx_inv = torch.empty_like(logits_idx).scatter_(dim=-1, index=logits_idx, src=src)
        logits = torch.gather(logits_sort, dim=-1, index=logits_idx_inv)
        probs = logits.softmax(dim=-1, dtype=torch.float32)
        q = torch.empty_like(probs)
        q.exponential_()
        return probs.div_(q).argmax(dim=-1).view(-1)

    def apply_penalties(logits, prompt_tokens, output_tokens, presence_penalties, frequency_penalties,
                        repetition_penalties):
        num_seqs, vocab_size = logits.shape

        def get_token_bin_counts_and_mask(tokens):
            bin_counts = torch.zeros((num_seqs, vocab_size + 1), dtype=torch.long)
            bin_counts.scatter_add_(1, tokens, torch.ones_like(tokens))
            bin_counts = bin_counts[:, :vocab_size]
            return bin_counts, bin_counts > 0

        _, prompt_mask = get_token_bin_counts_and_mask(prompt_tokens)
        output_bin_counts, output_mask = get_token_bin_counts_and_mask(output_tokens)
        repetition_penalties = repetition_penalties.unsqueeze(dim=1).repeat(1, vocab_size)
        repetition_penalties = repetition_penalties.masked_fill(~(prompt_mask | output_mask), 1.0)
        logits = torch.where(logits > 0, logits / repetition_penalties, logits * repetition_penalties)
        logits -= frequency_penalties.unsqueeze(dim=1) * output_bin_counts
        logits -= presence_penalties.unsqueeze(dim=1) * output_mask
        return logits

    def final_logit_softcap(logits, cap=30.0):  # Gemma-2
        logits = logits / cap
        logits = torch.tanh(logits)
        return logits * cap

    # Llama-3's 128256 logits at 8 sequences (4096 tokens seen) sampled with HF's warpers; vLLM's sampler and
    # penalties at 256 and 64 requests over Qwen2's 152064 and Llama-3's vocabularies; Gemma-2's soft-cap over a
    # 512-token prompt's logits (bf16)
    out += [("repetition_penalty", repetition_penalty, (i(8, 4096), mf(8, 128256))),
            ("hf_top_k_top_p", hf_top_k_top_p, (mf(8, 128256),)),
            ("multinomial", lambda p: torch.multinomial(p, num_samples=1).squeeze(1), (mf(8, 128256),)),
            ("vllm_top_k_top_p_sample", vllm_top_k_top_p_sample, (mf(256, 152064), i(256), mf(256))),
            ("apply_penalties", apply_penalties,
             (mf(64, 128256), i(64, 1024), i(64, 256), mf(64), mf(64), mf(64))),
            ("final_logit_softcap", final_logit_softcap, (m(1, 512, 256000),))]

    # ------------------------------------------------------------------ speculative decoding (vLLM's rejection sampler)
    def rejection_sample(target_probs, draft_probs, draft_token_ids, bonus_token_ids):
        batch_size, k, _ = draft_probs.shape
        batch_indices = torch.arange(batch_size)[:, None]
        probs_indicies = torch.arange(k)
        selected_draft_probs = draft_probs[batch_indices, probs_indicies, draft_token_ids]
        selected_target_probs = target_probs[batch_indices, probs_indicies, draft_token_ids]
        uniform_rand = torch.rand_like(selected_target_probs)
        capped_ratio = torch.minimum(selected_target_probs / selected_draft_probs,
                                     torch.full((1,), 1, dtype=target_probs.dtype))
        accepted = uniform_rand < capped_ratio
        difference = target_probs - draft_probs
        f = torch.clamp(difference, min=torch.finfo(difference.dtype).tiny)
        recovered_probs = f / torch.sum(f, dim=-1).reshape(-1, k, 1)
        q = torch.empty_like(recovered_probs).exponential_(1.0)
        recovered_token_ids = recovered_probs.div_(q).argmax(dim=-1)
        limits = (accepted == 0).max(1).indices
        limits = limits.masked_fill(~(accepted == 0).any(1), k)
        indices = torch.arange(k).unsqueeze(0)
        accepted_mask = indices < limits.unsqueeze(1)
        after_false_mask = indices == limits.unsqueeze(1)
        output_with_bonus_tokens = -torch.ones((batch_size, k + 1), dtype=torch.long)
        output = output_with_bonus_tokens[:, :k]
        output[:, :k] = torch.where(accepted_mask, draft_token_ids, -torch.ones_like(draft_token_ids))
        output_with_bonus_tokens[:, -1] = torch.where(output[:, -1] != -1, bonus_token_ids, -1)
        output.mul_(~after_false_mask).add_(recovered_token_ids.mul(after_false_mask))
        return output_with_bonus_tokens

    # 32 requests with 5 draft tokens each over Llama-2's 32000 tokens
    out += [("rejection_sample", rejection_sample, (mf(32, 5, 32000), mf(32, 5, 32000), i(32, 5), i(32)))]

    # ================================================================== weight-only quantization in plain torch
    # ------------------------------------------------------------------ AutoGPTQ's torch path (qlinear_cuda_old)
    def gptq_dequant_matmul(x, qweight, qzeros, scales, g_idx, bias, bits=4):
        wf = torch.tensor(list(range(0, 32, bits)), dtype=torch.int32).unsqueeze(0)
        zeros = torch.bitwise_right_shift(torch.unsqueeze(qzeros, 2).expand(-1, -1, 32 // bits),
                                          wf.unsqueeze(0)).to(torch.int8)
        zeros = zeros + 1
        zeros = torch.bitwise_and(zeros, (2 ** bits) - 1)
        zeros = zeros.reshape(scales.shape)
        weight = torch.bitwise_right_shift(torch.unsqueeze(qweight, 1).expand(-1, 32 // bits, -1),
                                           wf.unsqueeze(-1)).to(torch.int8)
        weight = torch.bitwise_and(weight, (2 ** bits) - 1)
        weight = weight.reshape(weight.shape[0] * weight.shape[1], weight.shape[2])
        weight = scales[g_idx.long()] * (weight - zeros[g_idx.long()])
        out_shape = x.shape[:-1] + (qweight.shape[-1],)
        y = torch.matmul(x.reshape(-1, x.shape[-1]), weight.to(x.dtype))
        return (y + bias).reshape(out_shape)

    # Llama-2-7B's up_proj (4096 -> 11008, groups of 128) at a 4 x 512 prefill (fp16)
    out += [("gptq_dequant_matmul", gptq_dequant_matmul,
             (mh(4, 512, 4096), mi32(512, 11008), mi32(32, 1376), mh(32, 11008), mi32(4096), mh(11008)))]

    # ------------------------------------------------------------------ gpt-fast's group-wise int4
    def group_quantize(w, n_bit=4, groupsize=128):
        to_quant = w.reshape(-1, groupsize)
        max_val = to_quant.amax(dim=1, keepdim=True)
        min_val = to_quant.amin(dim=1, keepdim=True)
        max_int = 2 ** n_bit - 1
        scales = (max_val - min_val).clamp(min=1e-6) / max_int
        zeros = min_val + scales * (2 ** (n_bit - 1))
        scales = scales.to(torch.bfloat16).reshape(w.shape[0], -1)
        zeros = zeros.to(torch.bfloat16).reshape(w.shape[0], -1)
        min_val = zeros - scales * (2 ** (n_bit - 1))
        w_int4x8 = (to_quant.sub(min_val.reshape(-1, 1)).div(scales.reshape(-1, 1)).round().clamp_(0, max_int)
                    .to(torch.int32).reshape_as(w))
        scales_and_zeros = torch.cat([scales.reshape(scales.size(0), scales.size(1), 1),
                                      zeros.reshape(zeros.size(0), zeros.size(1), 1)], 2).transpose(0, 1).contiguous()
        return w_int4x8, scales_and_zeros

    def group_dequantize(w_int4x8, scales, zeros, n_bit=4, groupsize=128):
        w_int4x8_grouped = w_int4x8.reshape(-1, groupsize)
        scales = scales.reshape(-1, 1)
        zeros = zeros.reshape(-1, 1)
        return w_int4x8_grouped.sub(2 ** (n_bit - 1)).mul(scales).add(zeros).reshape_as(w_int4x8)

    # Llama-2-7B's gate_proj weight (11008 x 4096, bf16) quantised and dequantised in groups of 128
    out += [("group_quantize", group_quantize, (m(11008, 4096),)),
            ("group_dequantize", group_dequantize, (mi32(11008, 4096), m(11008, 32), m(11008, 32)))]

    # ------------------------------------------------------------------ torchao's NF4Tensor, HQQ
    def nf4_dequantize(quantized_data, quantized_scalers, quantization_factor, scaler_mean, nf4, shape,
                       block_size=64, scaler_block_size=256):
        scalers = (quantized_scalers.view(-1, scaler_block_size).to(nf4.dtype)
                   / quantization_factor.unsqueeze(1)).flatten() + scaler_mean
        first_elements = (quantized_data >> 4).to(torch.long)
        second_elements = (quantized_data & 0b1111).to(torch.long)
        dequantized_first = nf4[first_elements]
        dequantized_second = nf4[second_elements]
        repeated = scalers.unsqueeze(-1).expand(scalers.size(0), block_size // 2)
        scaled_first = dequantized_first * repeated.flatten()
        scaled_second = dequantized_second * repeated.flatten()
        return torch.stack([scaled_first, scaled_second], dim=-1).reshape(shape)

    def hqq_dequantize(W_q, scale, zero, shape):
        step = W_q.shape[0]
        tmp = torch.empty([2 * step, W_q.shape[1]], dtype=W_q.dtype)
        tmp[:step] = (W_q & 0b11110000) >> 4
        tmp[step:] = W_q & 0b00001111
        W_r = tmp.to(scale.dtype)
        return ((W_r - zero) * scale).reshape(shape)

    def hqq_linear(x, W_q, scale, zero, bias, shape):
        return F.linear(x, hqq_dequantize(W_q, scale, zero, shape), bias)

    # Llama-3-8B's gate_proj (14336 x 4096) in NF4 with bf16 output; HQQ's 4-bit, groups of 64, of Llama-2-7B's
    # o_proj over a 2048-token prefill (fp16)
    numel = 14336 * 4096
    out += [("nf4_dequantize", lambda a, b_, c, d, e: nf4_dequantize(a, b_, c, d, e, (14336, 4096)),
             (mu8(numel // 2), mi8(numel // 64), m(numel // 64 // 256), scalar(torch.bfloat16), m(16))),
            ("hqq_linear", lambda x, a, s, z, b: hqq_linear(x, a, s, z, b, (4096, 4096)),
             (mh(1, 2048, 4096), mu8(131072, 64), mh(262144, 1), mh(262144, 1), mh(4096)))]

    # ------------------------------------------------------------------ SmoothQuant, int8 and fp8 linears
    def quantize_activation_per_token_absmax(t, n_bits=8):
        t_shape = t.shape
        t = t.view(-1, t_shape[-1])
        scales = t.abs().max(dim=-1, keepdim=True)[0]
        q_max = 2 ** (n_bits - 1) - 1
        scales.clamp_(min=1e-5).div_(q_max)
        t.div_(scales).round_().mul_(scales)
        return t.view(t_shape)

    def w8a8_linear(x, weight, bias):
        q_x = quantize_activation_per_token_absmax(x)
        return F.linear(q_x, weight, bias)

    def smooth_ln_fcs(ln_w, ln_b, act_scales, wq, wk, wv, alpha=0.5):
        weight_scales = torch.cat([fc.abs().max(dim=0, keepdim=True)[0] for fc in (wq, wk, wv)], dim=0)
        weight_scales = weight_scales.max(dim=0)[0].clamp(min=1e-5)
        scales = (act_scales.pow(alpha) / weight_scales.pow(1 - alpha)).clamp(min=1e-5).to(ln_w.dtype)
        ln_w.div_(scales)
        ln_b.div_(scales)
        for fc in (wq, wk, wv):
            fc.mul_(scales.view(1, -1))
        return ln_w

    def int8_weight_only_linear(x, w_int8, scales, bias):
        return F.linear(x, w_int8.to(x.dtype)) * scales + bias

    def fp8_dynamic_linear(x, w_fp8, w_scale):
        x2 = x.reshape(-1, x.shape[-1])
        amax = x2.abs().max().float()
        x_scale = (amax / 448.0).clamp(min=1e-12)
        x_fp8 = (x2 / x_scale).clamp(-448.0, 448.0).to(torch.float8_e4m3fn)
        y = torch._scaled_mm(x_fp8, w_fp8.t(), scale_a=x_scale, scale_b=w_scale, out_dtype=torch.bfloat16)
        return y.reshape(*x.shape[:-1], -1)

    # OPT-13B's fc1 (5120 -> 20480) at 8 x 512 tokens in fake W8A8 (fp16) and its attention LayerNorm smoothed into
    # q, k, v; an int8 weight-only Llama-3-8B gate_proj at 4 decode rows; a per-tensor fp8 Llama-3-70B down_proj
    # over 4096 tokens
    out += [("w8a8_linear", w8a8_linear, (mh(8, 512, 5120), mh(20480, 5120), mh(20480))),
            ("smooth_ln_fcs", smooth_ln_fcs,
             (mh(5120), mh(5120), mf(5120), mh(5120, 5120), mh(5120, 5120), mh(5120, 5120))),
            ("int8_weight_only_linear", int8_weight_only_linear, (m(4, 1, 4096), mi8(14336, 4096), m(14336),
                                                                  m(14336))),
            ("fp8_dynamic_linear", fp8_dynamic_linear,
             (m(4096, 28672), m(8192, 28672, dt=torch.float8_e4m3fn), scalar()))]

    # ================================================================== MoE training losses
    # ------------------------------------------------------------------ transformers' load_balancing_loss_func
    def load_balancing_loss(num_experts, top_k, *gate_logits):
        concatenated_gate_logits = torch.cat(list(gate_logits), dim=0)
        routing_weights = F.softmax(concatenated_gate_logits, dim=-1)
        _, selected_experts = torch.topk(routing_weights, top_k, dim=-1)
        expert_mask = F.one_hot(selected_experts, num_experts)
        tokens_per_expert = torch.mean(expert_mask.float(), dim=0)
        router_prob_per_expert = torch.mean(routing_weights, dim=0)
        overall_loss = torch.sum(tokens_per_expert * router_prob_per_expert.unsqueeze(0))
        return overall_loss * num_experts

    def load_balancing_loss_masked(attention_mask, num_experts, top_k, *gate_logits):
        concatenated_gate_logits = torch.cat(list(gate_logits), dim=0)
        routing_weights = F.softmax(concatenated_gate_logits, dim=-1)
        _, selected_experts = torch.topk(routing_weights, top_k, dim=-1)
        expert_mask = F.one_hot(selected_experts, num_experts)
        batch_size, sequence_length = attention_mask.shape
        num_hidden_layers = concatenated_gate_logits.shape[0] // (batch_size * sequence_length)
        expert_attention_mask = (attention_mask[None, :, :, None, None]
                                 .expand((num_hidden_layers, batch_size, sequence_length, top_k, num_experts))
                                 .reshape(-1, top_k, num_experts))
        tokens_per_expert = torch.sum(expert_mask.float() * expert_attention_mask, dim=0) / torch.sum(
            expert_attention_mask, dim=0)
        router_per_expert_attention_mask = (attention_mask[None, :, :, None]
                                            .expand((num_hidden_layers, batch_size, sequence_length, num_experts))
                                            .reshape(-1, num_experts))
        router_prob_per_expert = torch.sum(routing_weights * router_per_expert_attention_mask, dim=0) / torch.sum(
            router_per_expert_attention_mask, dim=0)
        overall_loss = torch.sum(tokens_per_expert * router_prob_per_expert.unsqueeze(0))
        return overall_loss * num_experts

    # Mixtral-8x7B (32 layers, 8 experts, top-2) over 4096 tokens; OLMoE (16 layers, 64 experts, top-8) over 2 x 2048
    # with padding
    out += [("load_balancing_loss", lambda *g: load_balancing_loss(8, 2, *g), tuple(m(4096, 8) for _ in range(32))),
            ("load_balancing_loss_masked", lambda a, *g: load_balancing_loss_masked(a, 64, 8, *g),
             (i(2, 2048), *(m(4096, 64) for _ in range(16))))]

    # ------------------------------------------------------------------ Switch Transformers (transformers)
    def router_z_loss(router_logits):
        num_groups, tokens_per_group, _ = router_logits.shape
        log_z = torch.logsumexp(router_logits, dim=-1)
        z_loss = log_z ** 2
        return torch.sum(z_loss) / (num_groups * tokens_per_group)

    def switch_top1_router(hidden_states, classifier_w, expert_capacity=64, jitter_noise=0.01):
        num_experts = classifier_w.shape[0]
        hidden_states = hidden_states.to(torch.float32)
        hidden_states *= torch.empty_like(hidden_states).uniform_(1.0 - jitter_noise, 1.0 + jitter_noise)
        router_logits = F.linear(hidden_states, classifier_w)
        router_probs = F.softmax(router_logits, dim=-1, dtype=torch.float32)
        expert_index = torch.argmax(router_probs, dim=-1)
        expert_index = F.one_hot(expert_index, num_classes=num_experts)
        token_priority = torch.cumsum(expert_index, dim=-2)
        expert_capacity_mask = token_priority <= expert_capacity
        expert_index = expert_index * expert_capacity_mask
        router_probs = torch.max(router_probs, dim=-1).values.unsqueeze(-1)
        return expert_index, router_probs, router_logits

    # switch-base-128 (768 wide) at 32 x 512 tokens, expert capacity 64
    out += [("router_z_loss", router_z_loss, (mf(32, 512, 128),)),
            ("switch_top1_router", switch_top1_router, (m(32, 512, 768), mf(128, 768)))]

    # ------------------------------------------------------------------ Megatron-LM's router and token permutation
    def megatron_topk_router(logits, topk, moe_aux_loss_coeff=1e-2, z_loss_coeff=1e-3):
        num_tokens, num_experts = logits.shape
        z_loss = torch.mean(torch.square(torch.logsumexp(logits, dim=-1))) * z_loss_coeff
        scores = torch.softmax(logits, dim=-1, dtype=torch.float32)
        probs, top_indices = torch.topk(scores, k=topk, dim=1)
        probs = probs / (probs.sum(dim=-1, keepdim=True) + 1e-20)
        topk_map = torch.zeros_like(logits).int().scatter(1, top_indices, 1).bool()
        tokens_per_expert = topk_map.sum(dim=0)
        aggregated_probs_per_expert = scores.sum(dim=0)
        aux_loss = torch.sum(aggregated_probs_per_expert * tokens_per_expert) * (
            num_experts * moe_aux_loss_coeff / (num_tokens * num_tokens * topk))
        return probs.type_as(logits), top_indices, aux_loss + z_loss

    def moe_permute(tokens, indices, num_experts):
        topk = indices.size(1)
        flatten_indices = indices.view(-1)
        sorted_indices = torch.argsort(flatten_indices, stable=True)
        permuted_tokens = tokens.index_select(0, sorted_indices // topk)
        tokens_per_expert = torch.histc(flatten_indices.float(), bins=num_experts, min=0, max=num_experts - 1)
        return permuted_tokens, sorted_indices, tokens_per_expert

    def moe_unpermute(permuted_tokens, sorted_indices, probs):
        topk = probs.size(1)
        unpermuted_tokens = torch.zeros_like(permuted_tokens)
        unpermuted_tokens.index_copy_(0, sorted_indices, permuted_tokens)
        unpermuted_tokens = unpermuted_tokens.reshape(-1, topk, permuted_tokens.size(-1))
        unpermuted_tokens = unpermuted_tokens * probs.unsqueeze(-1)
        return unpermuted_tokens.sum(dim=1)

    # a Mixtral-shaped router (8 experts, top-2) over a 4 x 2048 micro-batch; DeepSeek-MoE-16B's 64 experts, top-6,
    # 2048 wide, permuted and un-permuted over 4096 tokens
    out += [("megatron_topk_router", lambda x: megatron_topk_router(x, 2), (m(8192, 8),)),
            ("moe_permute", lambda t, x: moe_permute(t, x, 64), (m(4096, 2048), i(4096, 6))),
            ("moe_unpermute", moe_unpermute, (m(24576, 2048), i(24576), m(4096, 6)))]

    # ================================================================== contrastive / metric learning
    # ------------------------------------------------------------------ SimCLR (Lightning Bolts, UvA DL), SupCon
    def nt_xent_bolts(out_1, out_2, temperature=0.5, eps=1e-6):
        out_1 = F.normalize(out_1, dim=1)
        out_2 = F.normalize(out_2, dim=1)
        out = torch.cat([out_1, out_2], dim=0)
        cov = torch.mm(out, out.t().contiguous())
        sim = torch.exp(cov / temperature)
        neg = sim.sum(dim=-1)
        row_sub = torch.empty(neg.shape, dtype=neg.dtype).fill_(math.e ** (1 / temperature))
        neg = torch.clamp(neg - row_sub, min=eps)
        pos = torch.exp(torch.sum(out_1 * out_2, dim=-1) / temperature)
        pos = torch.cat([pos, pos], dim=0)
        return -torch.log(pos / (neg + eps)).mean()

    def supcon_loss(features, labels, temperature=0.07, base_temperature=0.07):
        batch_size = features.shape[0]
        labels = labels.contiguous().view(-1, 1)
        mask = torch.eq(labels, labels.T).float()
        contrast_count = features.shape[1]
        contrast_feature = torch.cat(torch.unbind(features, dim=1), dim=0)
        anchor_feature, anchor_count = contrast_feature, contrast_count
        anchor_dot_contrast = torch.div(torch.matmul(anchor_feature, contrast_feature.T), temperature)
        logits_max, _ = torch.max(anchor_dot_contrast, dim=1, keepdim=True)
        logits = anchor_dot_contrast - logits_max.detach()
        mask = mask.repeat(anchor_count, contrast_count)
        logits_mask = torch.scatter(torch.ones_like(mask), 1, torch.arange(batch_size * anchor_count).view(-1, 1), 0)
        mask = mask * logits_mask
        exp_logits = torch.exp(logits) * logits_mask
        log_prob = logits - torch.log(exp_logits.sum(1, keepdim=True))
        mask_pos_pairs = mask.sum(1)
        mask_pos_pairs = torch.where(mask_pos_pairs < 1e-6, 1, mask_pos_pairs)
        mean_log_prob_pos = (mask * log_prob).sum(1) / mask_pos_pairs
        loss = -(temperature / base_temperature) * mean_log_prob_pos
        return loss.view(anchor_count, batch_size).mean()

    # SimCLR at 4096 pairs of 128-d projections; SupCon at 1024 images of 2 views (fp32)
    out += [("nt_xent_bolts", nt_xent_bolts, (mf(4096, 128), mf(4096, 128))),
            ("supcon_loss", supcon_loss, (mf(1024, 2, 128), i(1024)))]

    # ------------------------------------------------------------------ fast-reid's batch-hard triplet, ArcFace
    def batch_hard_triplet(embedding, targets, margin=0.3):
        n = embedding.size(0)
        dist = torch.pow(embedding, 2).sum(dim=1, keepdim=True).expand(n, n)
        dist = dist + dist.t()
        dist = dist.addmm(embedding, embedding.t(), beta=1, alpha=-2)
        dist_mat = dist.clamp(min=1e-12).sqrt()
        is_pos = targets.view(n, 1).expand(n, n).eq(targets.view(n, 1).expand(n, n).t()).float()
        is_neg = targets.view(n, 1).expand(n, n).ne(targets.view(n, 1).expand(n, n).t()).float()
        dist_ap, _ = torch.max(dist_mat * is_pos, dim=1)
        dist_an, _ = torch.min(dist_mat * is_neg + is_pos * 1e9, dim=1)
        y = dist_an.new().resize_as_(dist_an).fill_(1)
        return F.margin_ranking_loss(dist_an, dist_ap, y, margin=margin)

    def arc_margin_product(x, weight, label, s=64.0, m_=0.5):  # ronghuaiyang/arcface-pytorch
        cos_m, sin_m = math.cos(m_), math.sin(m_)
        th = math.cos(math.pi - m_)
        mm = math.sin(math.pi - m_) * m_
        cosine = F.linear(F.normalize(x), F.normalize(weight))
        sine = torch.sqrt((1.0 - torch.pow(cosine, 2)).clamp(0, 1))
        phi = cosine * cos_m - sine * sin_m
        phi = torch.where(cosine > th, phi, cosine - mm)
        one_hot = torch.zeros(cosine.size(), dtype=cosine.dtype)
        one_hot.scatter_(1, label.view(-1, 1).long(), 1)
        output = (one_hot * phi) + ((1.0 - one_hot) * cosine)
        output *= s
        return F.cross_entropy(output, label)

    # person re-id at 64 identities x 4 images of ResNet-50 features; ArcFace over MS1MV2's 85742 identities at 512
    out += [("batch_hard_triplet", batch_hard_triplet, (mf(256, 2048), i(256))),
            ("arc_margin_product", arc_margin_product, (mf(512, 512), mf(85742, 512), i(512)))]

    # ------------------------------------------------------------------ MoCo v2 (facebookresearch/moco)
    def moco_logits_loss(q, k, queue, T=0.2):
        q = F.normalize(q, dim=1)
        k = F.normalize(k, dim=1)
        l_pos = torch.einsum("nc,nc->n", [q, k]).unsqueeze(-1)
        l_neg = torch.einsum("nc,ck->nk", [q, queue.clone().detach()])
        logits = torch.cat([l_pos, l_neg], dim=1)
        logits /= T
        labels = torch.zeros(logits.shape[0], dtype=torch.long)
        return F.cross_entropy(logits, labels)

    def moco_enqueue(queue, keys, ptr=4096):
        batch_size = keys.shape[0]
        queue[:, ptr: ptr + batch_size] = keys.T
        return queue

    # 256 queries and keys of 128 against the 65536-key queue, and the keys written into it
    out += [("moco_logits_loss", moco_logits_loss, (mf(256, 128), mf(256, 128), mf(128, 65536))),
            ("moco_enqueue", moco_enqueue, (mf(128, 65536), mf(256, 128)))]

    # ------------------------------------------------------------------ DINO, DINOv2, Barlow Twins
    def dino_loss(student_output, teacher_output, center, ncrops=10, student_temp=0.1, teacher_temp=0.04,
                  center_momentum=0.9):
        student_out = student_output / student_temp
        student_out = student_out.chunk(ncrops)
        teacher_out = F.softmax((teacher_output - center) / teacher_temp, dim=-1)
        teacher_out = teacher_out.detach().chunk(2)
        total_loss = 0
        n_loss_terms = 0
        for iq, q in enumerate(teacher_out):
            for v in range(len(student_out)):
                if v == iq:
                    continue
                loss = torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1)
                total_loss += loss.mean()
                n_loss_terms += 1
        total_loss /= n_loss_terms
        batch_center = torch.sum(teacher_output, dim=0, keepdim=True)
        batch_center = batch_center / len(teacher_output)
        center = center * center_momentum + batch_center * (1 - center_momentum)
        return total_loss, center

    def sinkhorn_knopp_teacher(teacher_output, teacher_temp=0.07, n_iterations=3):
        teacher_output = teacher_output.float()
        Q = torch.exp(teacher_output / teacher_temp).t()
        B = Q.shape[1]
        K = Q.shape[0]
        sum_Q = torch.sum(Q)
        Q /= sum_Q
        for _ in range(n_iterations):
            sum_of_rows = torch.sum(Q, dim=1, keepdim=True)
            Q /= sum_of_rows
            Q /= K
            Q /= torch.sum(Q, dim=0, keepdim=True)
            Q /= B
        Q *= B
        return Q.t()

    def off_diagonal(x):
        n, m_ = x.shape
        return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()

    def barlow_twins_loss(z1, z2, running_mean, running_var, lambd=0.0051):
        batch_size = z1.shape[0]
        c = (F.batch_norm(z1, running_mean, running_var, training=True).T
             @ F.batch_norm(z2, running_mean, running_var, training=True))
        c.div_(batch_size)
        on_diag = torch.diagonal(c).add_(-1).pow_(2).sum()
        off_diag = off_diagonal(c).pow_(2).sum()
        return on_diag + lambd * off_diag

    # DINO ViT-S/16 at 64 images a GPU (2 global + 8 local crops over 65536 prototypes, fp32); DINOv2's
    # Sinkhorn-Knopp over 2 x 128 fp16 teacher rows; Barlow Twins' 8192-wide projector at 256
    out += [("dino_loss", dino_loss, (mf(640, 65536), mf(128, 65536), mf(1, 65536))),
            ("sinkhorn_knopp_teacher", sinkhorn_knopp_teacher, (mh(256, 65536),)),
            ("barlow_twins_loss", barlow_twins_loss, (mf(256, 8192), mf(256, 8192), mf(8192), mf(8192)))]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK24, _check24()),))
