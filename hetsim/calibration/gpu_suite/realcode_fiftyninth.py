"""The aten sweep's thirtieth blind real-code group: `realcode-check30`, audio codecs and vocoders, speech recognition
and TTS, speech enhancement and source separation, OCR and document models, video models, 3-D vision and neural
rendering, graph neural networks, diffusion training and consistency models, vector quantisation, mixture-of-experts
routers, state-space and recurrent models, quantisation and optimisers written in torch, evaluation metrics,
self-supervised losses, tabular models, scientific computing, special functions, pooling variants and CNN attention
modules, decoding, data collation, parameter-efficient fine-tuning variants, pose estimation, augmentation,
distillation and reinforcement learning.

Each case is one op or a short idiom as the models' and libraries' public reference code writes it, at real widths,
batches, sequence lengths, image sizes and dtypes (fp32 where the reference trains or evaluates in it, fp16 and bf16
for mixed precision, float64 for torchmetrics' FID sums, complex64 spectra and state-space poles, int64 token ids,
codes, boxes and edge lists, int32 packed GPTQ weights and grammar bitmasks, bool masks, float8_e4m3fn casts): audio
(HiFi-GAN V1's weight-normed ResBlock1 with leaky ReLUs and dilated convs, its transposed-conv upsampling and its
period-3 discriminator's reflect pad and fold; DAC's snake activation; Vocos' ISTFT head by exp / cos / sin, irfft and
F.fold with its window envelope; MusicGen's delay pattern by a flat gather); speech (a pure-torch CTC forward over
CRNN's 37 classes with its blank-interleaved targets, gathered log-probs and logsumexp recursion; greedy CTC decoding;
HuBERT's cosine logits against 504 clusters; Tacotron 2's location-sensitive attention; torchaudio's compute_deltas);
speech enhancement (a magnitude mask on the STFT with torch.polar and angle, DCCRN's complex ratio mask by atan2,
tanh, cos and sin, HTDemucs' complex-as-channels spectrogram and its complex masks by view_as_real / view_as_complex);
OCR and documents (LayoutLM's 2-D position embeddings of boxes, heights and widths; DBNet's differentiable
binarisation with its balanced BCE, hard negatives by a full sort kept by rank, masked L1 and dice); video
(TimeSformer-HR's temporal attention over 16 frames, MViTv2-S' pooling attention with depthwise conv3d pooling of
q, k and v and its residual pooling, C3D's conv3d and max_pool3d stages, I3D's 'same'-padded max_pool3d and its
avg_pool3d head); 3-D vision (HashNeRF's hash-grid level by floor, int32 XOR hashing with the primes, a 2^19-entry
lookup and trilinear interpolation; 3D Gaussian Splatting's degree-3 SH colours of 1M Gaussians; TensoRF's VM density
by grid_sample of plane and line factors; the Chamfer distance by cdist); graph networks (OGB's GIN-virtual layer with
bond embeddings, scatter_add_ messages, BatchNorm and the virtual node's index_add_ pool, NNConv's per-edge matrices
and scatter mean on QM9, DiffPool's dense assignment products and losses, a graph transformer's clamped-exp edge
attention by index_add_ on SBM-PATTERN); diffusion training (diffusers' v-prediction target with min-SNR-gamma
weights, EDM's lognormal-sigma loss, improved consistency training's Karras sigmas, erf lognormal timestep
distribution, multinomial draw, skip scalings and pseudo-Huber loss, the VAE posterior's sample and KL); vector
quantisation (taming's VQGAN lookup with commitment loss, straight-through and perplexity); mixture-of-experts
(Switch Transformers' top-1 router with jitter, capacity by cumsum, z-loss and load balancing; fairseq's GShard
top-2 gating with Gumbel noise, cumsum locations and combine weights by bmm); state-space models (S4D's Vandermonde
kernel over 16384 steps, S4's naive Cauchy kernel, ChatRWKV's RWKV-4 time mix in RNN mode, flash-linear-attention's
naive chunked linear attention); quantisation (Transformer Engine's delayed scaling from the amax history with e4m3
casts, QuaRot's fast Walsh-Hadamard transform by halving views, SmoothQuant's scale folding, AutoGPTQ's act-order
dequantisation by shifts and g_idx gathers); optimisers (Adan, Schedule-Free AdamW, LARS' trust ratio); metrics
(torchmetrics' float64 FID accumulators and its value by eigvals, SSIM by a grouped Gaussian conv, PSNR);
self-supervised losses (Barlow Twins' cross-correlation and off-diagonal trick, SigLIP's sigmoid loss); tabular
models (entmax15 by sort and cumsums, PLR periodic embeddings, Hummingbird's GEMM tree ensemble); science (the FNO
data generator's Navier-Stokes spectral step by rfft2 / irfft2, torch.gradient's finite differences); special
functions (evidential deep learning's Dirichlet loss by lgamma and digamma, Minka's Dirichlet Newton step by
polygamma, RankGauss by a double argsort and ndtri); pooling and CNN modules (CBAM's adaptive max and average pools,
SPP-net's adaptive max pyramid, fractional max pooling, GeM with a learned power, SegNet's max_unpool2d, TextCNN's
max-over-time max_pool1d, CondConv's batch-grouped conv, involution by unfold); decoding (transformers' contrastive
search ranking, Whisper's beam-search step with the KV cache reordered by index_select, xgrammar's token bitmask by
repeat_interleave, shifts and masked_fill_); collation (the MLM collator's Bernoulli 80 / 10 / 10 masking, BART's
shift_tokens_right); PEFT variants (VeRA, LoHa, OFT's Cayley transform by linalg.solve and block_diag); pose (HRNet's
flip test and get_max_preds); timm's mixup and cutmix with smoothed targets; TRL's generalised JSD over Qwen2's
vocabulary; QR-DQN's quantile Huber loss.
Data-dependent steps of the reference code are written without data-dependent shapes: boolean-mask writes (the MLM
collator's labels) as masked_fill and where, DBNet's top-k of a data-dependent k as a full sort and a rank mask, loops
cut to their first steps (three CTC time steps). F.ctc_loss is left out (aten._ctc_loss's output shape follows the
target lengths' values, so it does not trace on the meta device; the pure-torch CTC stands in).
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK30 = "realcode-check30"


def _check30():
    import math

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _dtype_makers, _meta_makers

    m, i = _meta_makers()

    mh, mf, mb, mi32 = _dtype_makers()

    def md(*shape):  # float64 (where the reference code keeps double)
        return m(*shape, dt=torch.float64)

    def mc(*shape):  # complex64 (spectra and state-space parameters)
        return m(*shape, dt=torch.complex64)

    def sc(dt=torch.float32):  # a 0-dim tensor (a learned scalar, a loss scale)
        return torch.empty((), dtype=dt, device="meta")

    def wn(v, g):  # weight_norm's parametrisation (w = g v / ||v||) as a training step recomputes it
        return torch._weight_norm(v, g, 0)

    out = []

    # ================================================================== audio codecs, vocoders and music models
    def hifigan_resblock1(x, *p, k=3, dilations=(1, 3, 5)):  # HiFi-GAN's ResBlock1 (the MRF), weight-normed
        for j, d in enumerate(dilations):
            v1, g1, b1, v2, g2, b2 = p[6 * j: 6 * j + 6]
            xt = F.leaky_relu(x, 0.1)
            xt = F.conv1d(xt, wn(v1, g1), b1, padding=d * (k - 1) // 2, dilation=d)
            xt = F.leaky_relu(xt, 0.1)
            xt = F.conv1d(xt, wn(v2, g2), b2, padding=(k - 1) // 2)
            x = xt + x
        return x

    def hifigan_upsample(x, v, g, b, u=8, k=16):  # the generator's leaky ReLU and weight-normed transposed conv
        return F.conv_transpose1d(F.leaky_relu(x, 0.1), wn(v, g), b, stride=u, padding=(k - u) // 2)

    def mpd_period(x, v, g, b, period=3):  # HiFi-GAN's multi-period discriminator: reflect pad, fold by period, conv
        b_, c, t = x.shape
        if t % period != 0:
            n_pad = period - (t % period)
            x = F.pad(x, (0, n_pad), "reflect")
            t = t + n_pad
        x = x.view(b_, c, t // period, period)
        return F.leaky_relu(F.conv2d(x, wn(v, g), b, stride=(3, 1), padding=(2, 0)), 0.1)

    def snake(x, alpha):  # DAC's snake activation (dac/nn/layers.py)
        shape = x.shape
        x = x.reshape(shape[0], shape[1], -1)
        x = x + (alpha + 1e-9).reciprocal() * torch.sin(alpha * x).pow(2)
        return x.reshape(shape)

    def vocos_istft_head(x, window, n_fft=1024, hop=256):  # Vocos' ISTFT head: magnitude and phase to a complex
        mag, p = x.chunk(2, dim=1)  # spectrum, its "same"-padded inverse by irfft and fold, the window envelope
        mag = torch.exp(mag).clip(max=1e2)
        spec = mag * (torch.cos(p) + 1j * torch.sin(p))
        pad = (n_fft - hop) // 2
        frames = spec.shape[-1]
        ifft = torch.fft.irfft(spec, n_fft, dim=1, norm="backward")
        ifft = ifft * window[None, :, None]
        output_size = (frames - 1) * hop + n_fft
        y = F.fold(ifft, output_size=(1, output_size), kernel_size=(1, n_fft), stride=(1, hop))[:, 0, 0, pad:-pad]
        window_sq = window.square().expand(1, frames, -1).transpose(1, 2)
        envelope = F.fold(window_sq, output_size=(1, output_size), kernel_size=(1, n_fft), stride=(1, hop))
        return y / envelope.squeeze()[pad:-pad]

    def musicgen_delay_pattern(codes, indexes, special=2048):  # audiocraft's delay pattern: codes with a special
        b, k, _ = codes.shape  # token column, gathered by the pattern's flat indexes
        z = torch.cat([codes, torch.full_like(codes[:, :, :1], special)], dim=2).view(b, -1)
        return z[:, indexes.view(-1)].view(b, k, -1)

    def wn_conv(c_out, c_in, k):  # a weight-normed conv's (v, g, b)
        return (mf(c_out, c_in, k), mf(c_out, 1, 1), mf(c_out))

    def resblock_params(c, k):
        return tuple(t for _ in range(3) for t in (*wn_conv(c, c, k), *wn_conv(c, c, k)))

    # HiFi-GAN V1 (upsample rates 8, 8, 2, 2 from 512 channels; 8192-sample segments, 16 a batch): ResBlock1 with kernel
    # 3 at 128 x 2048, the first two upsamplings and the period-3 discriminator
    out += [
        ("hifigan_resblock1_k3", hifigan_resblock1, (mf(16, 128, 2048), *resblock_params(128, 3))),
        ("hifigan_upsample", hifigan_upsample, (mf(16, 512, 32), mf(512, 256, 16), mf(512, 1, 1), mf(256))),
        (
            "hifigan_upsample",
            hifigan_upsample,
            (mf(16, 256, 256), mf(256, 128, 16), mf(256, 1, 1), mf(128)),
        ),
        ("hifigan_mpd_period3", mpd_period, (mf(16, 1, 8192), mf(32, 1, 5, 1), mf(32, 1, 1, 1), mf(32))),
    ]

    # DAC 44 kHz's snake over a 10 s clip at 96 x 441000; Vocos' ISTFT head (24 kHz, n_fft 1024, hop 256) over 10 s;
    # MusicGen's delay pattern over 4 codebooks of 4 x 30 s (1500 frames)
    out += [
        ("dac_snake", snake, (mf(1, 96, 441000), mf(1, 96, 1))),
        ("vocos_istft_head", vocos_istft_head, (mf(1, 1026, 938), mf(1024))),
        ("musicgen_delay_pattern", musicgen_delay_pattern, (i(4, 4, 1500), i(4, 1504))),
    ]

    # ================================================================== speech recognition and TTS
    def ctc_loss(logits, targets, input_lengths, target_lengths, blank=0, steps=3):  # a pure-torch CTC forward
        log_probs = F.log_softmax(logits, dim=-1, dtype=torch.float32).transpose(0, 1)  # (vadimkantorov/ctc): the
        t_size, batch = log_probs.shape[:2]  # blank-interleaved targets, gathered log-probs, the alpha recursion
        bi = torch.arange(batch, device=input_lengths.device)  # by logsumexp (cut to its first steps), the readout
        tt = torch.cat([targets, targets[:, :1]], dim=-1)
        tt = torch.stack([torch.full_like(tt, blank), tt], dim=-1).flatten(start_dim=-2)
        diff_labels = torch.cat([torch.zeros(batch, 2, dtype=torch.bool, device=targets.device),
                                 tt[:, 2:] != tt[:, :-2]], dim=1)
        zero = torch.tensor(torch.finfo(torch.float32).min, device=log_probs.device, dtype=log_probs.dtype)
        lp = log_probs.gather(-1, tt.expand(t_size, -1, -1))
        log_alpha = torch.full((t_size, batch, 2 + tt.shape[-1]), zero, device=log_probs.device, dtype=log_probs.dtype)
        log_alpha[0, :, 2] = log_probs[0, :, blank]
        log_alpha[0, :, 3] = log_probs[0, bi, tt[:, 1]]
        for t in range(1, steps + 1):
            log_alpha[t, :, 2:] = lp[t] + torch.logsumexp(torch.stack([
                log_alpha[t - 1, :, 2:], log_alpha[t - 1, :, 1:-1],
                torch.where(diff_labels, log_alpha[t - 1, :, :-2], zero)]), dim=0)
        l1l2 = log_alpha[input_lengths - 1, bi].gather(
            -1, torch.stack([2 + target_lengths * 2 - 1, 2 + target_lengths * 2], dim=-1))
        return -torch.logsumexp(l1l2, dim=-1)

    def ctc_greedy(logits, blank=0):  # greedy CTC decoding: argmax, collapse repeats, drop blanks (kept as -1)
        ids = logits.argmax(-1)
        keep = torch.ones_like(ids, dtype=torch.bool)
        keep[:, 1:] = ids[:, 1:] != ids[:, :-1]
        keep &= ids != blank
        return ids.masked_fill(~keep, -1)

    def hubert_logits(x, label_embs, proj_w, proj_b, temp=0.1):  # HuBERT's masked-prediction logits by cosine
        proj = F.linear(x, proj_w, proj_b)  # similarity against every cluster embedding
        return torch.cosine_similarity(proj.float()[:, None, :], label_embs.float()[None, :, :], dim=-1) / temp

    def tacotron2_attention(query, memory, processed_memory, weights_cat, mask, w_q, w_conv, w_dense, v):
        pq = F.linear(query.unsqueeze(1), w_q)  # Tacotron 2's location-sensitive attention
        loc = F.linear(F.conv1d(weights_cat, w_conv, padding=(w_conv.shape[-1] - 1) // 2).transpose(1, 2), w_dense)
        energies = F.linear(torch.tanh(pq + loc + processed_memory), v).squeeze(-1)
        energies = energies.masked_fill(mask, -float("inf"))
        w = F.softmax(energies, dim=1)
        return torch.bmm(w.unsqueeze(1), memory).squeeze(1), w

    def compute_deltas(specgram, win_length=5):  # torchaudio.functional.compute_deltas
        shape = specgram.size()
        specgram = specgram.reshape(1, -1, shape[-1])
        n = (win_length - 1) // 2
        denom = n * (n + 1) * (2 * n + 1) / 3
        specgram = F.pad(specgram, (n, n), mode="replicate")
        kernel = torch.arange(-n, n + 1, 1, device=specgram.device, dtype=specgram.dtype)
        kernel = kernel.repeat(specgram.shape[1], 1, 1)
        return (F.conv1d(specgram, kernel, groups=specgram.shape[1]) / denom).reshape(shape)

    # CRNN's CTC (37 classes, 26 steps, 256 x 25 targets); greedy decoding of wav2vec2-base's logits (32 characters,
    # 8 x 800 frames); HuBERT-base's logits of 3000 masked frames against 504 clusters; Tacotron 2's attention (64 x 150
    # characters); deltas of 32 x 40 x 1000 MFCCs
    out += [
        ("ctc_loss_crnn", ctc_loss, (mf(256, 26, 37), i(256, 25), i(256), i(256))),
        ("ctc_greedy_decode", ctc_greedy, (mf(8, 800, 32),)),
        ("hubert_cluster_logits", hubert_logits, (m(3000, 768), mf(504, 256), m(256, 768), m(256))),
        (
            "tacotron2_location_attention",
            tacotron2_attention,
            (mf(64, 1024), mf(64, 150, 512), mf(64, 150, 128), mf(64, 2, 150), mb(64, 150), mf(128, 1024),
             mf(32, 2, 31), mf(128, 32), mf(1, 128)),
        ),
        ("compute_deltas", compute_deltas, (mf(32, 40, 1000),)),
    ]

    # ================================================================== speech enhancement and source separation
    def stft_mask_enhance(x, window, mask, n_fft=512, hop=128):  # a magnitude mask on the noisy STFT, the noisy
        spec = torch.stft(x, n_fft, hop, window=window, return_complex=True)  # phase kept (torch.polar)
        return torch.polar(spec.abs() * mask, spec.angle())

    def dccrn_crm(spec_real, spec_imag, mask_real, mask_imag):  # DCCRN's complex ratio mask, "E" mode
        spec_mags = torch.sqrt(spec_real**2 + spec_imag**2 + 1e-8)
        spec_phase = torch.atan2(spec_imag, spec_real)
        mask_mags = (mask_real**2 + mask_imag**2) ** 0.5
        real_phase = mask_real / (mask_mags + 1e-8)
        imag_phase = mask_imag / (mask_mags + 1e-8)
        mask_phase = torch.atan2(imag_phase, real_phase)
        est_mags = torch.tanh(mask_mags) * spec_mags
        est_phase = spec_phase + mask_phase
        return est_mags * torch.cos(est_phase), est_mags * torch.sin(est_phase)

    def htdemucs_cac(mix, window, masks, n_fft=4096, hop=1024):  # HTDemucs' complex-as-channels spectrogram in,
        b, c, length = mix.shape  # four sources' complex masks out
        z = torch.stft(mix.reshape(-1, length), n_fft, hop, window=window, normalized=True, return_complex=True)
        z = z.view(b, c, *z.shape[-2:])
        x = torch.view_as_real(z).permute(0, 1, 4, 2, 3).reshape(b, c * 2, *z.shape[-2:])
        fr, t = x.shape[-2:]
        s = masks.view(b, 4, -1, 2, fr, t).permute(0, 1, 2, 4, 5, 3).contiguous()
        return x, torch.view_as_complex(s) * z[:, None]

    # 16 x 4 s at 16 kHz (n_fft 512, hop 128): a magnitude mask and DCCRN's complex mask; HTDemucs' spectrogram of
    # 4 x 7.8 s stereo at 44.1 kHz
    out += [
        ("stft_mask_enhance", stft_mask_enhance, (mf(16, 64000), mf(512), mf(16, 257, 501))),
        ("dccrn_complex_ratio_mask", dccrn_crm, (mf(16, 257, 501), mf(16, 257, 501), mf(16, 257, 501),
                                                 mf(16, 257, 501))),
        ("htdemucs_complex_as_channels", htdemucs_cac, (mf(4, 2, 343980), mf(4096), mf(4, 16, 2049, 336))),
    ]

    # ================================================================== OCR and document models
    def layoutlm_embeddings(input_ids, bbox, token_type_ids, word, pos, x_emb, y_emb, h_emb, w_emb, tok, ln_w, ln_b):
        seq_length = input_ids.size(1)  # LayoutLM's text + 1-D + 2-D position embeddings (x0, y0, x1, y1, h, w)
        position_ids = torch.arange(seq_length, dtype=torch.long, device=input_ids.device).unsqueeze(0)
        emb = (
            F.embedding(input_ids, word)
            + F.embedding(position_ids, pos)
            + F.embedding(bbox[:, :, 0], x_emb)
            + F.embedding(bbox[:, :, 1], y_emb)
            + F.embedding(bbox[:, :, 2], x_emb)
            + F.embedding(bbox[:, :, 3], y_emb)
            + F.embedding(bbox[:, :, 3] - bbox[:, :, 1], h_emb)
            + F.embedding(bbox[:, :, 2] - bbox[:, :, 0], w_emb)
            + F.embedding(token_type_ids, tok)
        )
        return F.layer_norm(emb, (emb.shape[-1],), ln_w, ln_b, 1e-12)

    def dbnet_loss(prob, thresh, gt, mask, thresh_gt, thresh_mask, k=50, negative_ratio=3.0, eps=1e-6):  # DBNet's
        binary = torch.reciprocal(1 + torch.exp(-k * (prob - thresh)))  # binarisation, balanced BCE with hard
        positive = gt * mask  # negatives (topk of the sorted losses, kept by rank), masked L1 and dice
        negative = (1 - gt) * mask
        positive_count = positive.sum()
        negative_count = torch.minimum(negative.sum(), positive_count * negative_ratio)
        loss = F.binary_cross_entropy(prob, gt, reduction="none")
        negative_loss, _ = (loss * negative).view(-1).sort(descending=True)
        rank = torch.arange(negative_loss.numel(), device=prob.device)
        negative_loss = (negative_loss * (rank < negative_count).float()).sum()
        bce = ((loss * positive).sum() + negative_loss) / (positive_count + negative_count + eps)
        l1 = (torch.abs(thresh - thresh_gt) * thresh_mask).sum() / (thresh_mask.sum() + eps)
        inter = (binary * gt * mask).sum()
        dice = 1 - 2.0 * inter / ((binary * mask).sum() + (gt * mask).sum() + eps)
        return bce * 5 + l1 * 10 + dice

    # LayoutLM-base (1024 2-D positions, 768-wide) at 16 x 512; DBNet on 16 x 640 x 640
    out += [
        (
            "layoutlm_2d_embeddings",
            layoutlm_embeddings,
            (i(16, 512), i(16, 512, 4), i(16, 512), mf(30522, 768), mf(512, 768), mf(1024, 768), mf(1024, 768),
             mf(1024, 768), mf(1024, 768), mf(2, 768), mf(768), mf(768)),
        ),
        ("dbnet_loss", dbnet_loss, tuple(mf(16, 1, 640, 640) for _ in range(6))),
    ]

    # ================================================================== video models
    def timesformer_attention(x, qkv_w, qkv_b, proj_w, proj_b, heads=12):  # TimeSformer's Attention (vit.py) on
        b, n, c = x.shape  # the temporal (B*HW, T, C) and spatial (B*T, 1+HW, C) token groups
        qkv = F.linear(x, qkv_w, qkv_b).reshape(b, n, 3, heads, c // heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * (c // heads) ** -0.5
        attn = attn.softmax(dim=-1)
        return F.linear((attn @ v).transpose(1, 2).reshape(b, n, c), proj_w, proj_b)

    def mvit_attention_pool(t, pool_w, stride, thw, ln_w, ln_b):  # MViTv2's attention_pool: the class token
        b, n, _, c = t.shape  # aside, a depthwise conv3d over (T, H, W), LayerNorm
        cls_tok, t = t[:, :, :1, :], t[:, :, 1:, :]
        t = t.reshape(b * n, *thw, c).permute(0, 4, 1, 2, 3).contiguous()
        k = pool_w.shape[-1]
        t = F.conv3d(t, pool_w, stride=stride, padding=k // 2, groups=c)
        t = t.reshape(b, n, c, -1).transpose(2, 3)
        t = torch.cat((cls_tok, t), dim=2)
        return F.layer_norm(t, (c,), ln_w, ln_b, 1e-6)

    def mvit_pooling_attention(x, qkv_w, qkv_b, pq, pk, pv, ln_w, ln_b, proj_w, proj_b, thw=(8, 56, 56), heads=1,
                               stride_kv=(1, 8, 8)):  # MViTv2's multiscale pooling attention with residual pooling
        b, n, c = x.shape
        qkv = F.linear(x, qkv_w, qkv_b).reshape(b, n, 3, heads, -1).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        q = mvit_attention_pool(q, pq, (1, 1, 1), thw, ln_w, ln_b)
        k = mvit_attention_pool(k, pk, stride_kv, thw, ln_w, ln_b)
        v = mvit_attention_pool(v, pv, stride_kv, thw, ln_w, ln_b)
        attn = ((q * (c // heads) ** -0.5) @ k.transpose(-2, -1)).softmax(dim=-1)
        x = attn @ v + q
        return F.linear(x.transpose(1, 2).reshape(b, -1, c), proj_w, proj_b)

    def c3d_block(x, w1, b1, w2, b2):  # C3D's first two stages: conv3d, ReLU, max_pool3d (1, 2, 2) then (2, 2, 2)
        x = F.max_pool3d(F.relu(F.conv3d(x, w1, b1, padding=1)), kernel_size=(1, 2, 2), stride=(1, 2, 2))
        return F.max_pool3d(F.relu(F.conv3d(x, w2, b2, padding=1)), kernel_size=(2, 2, 2), stride=(2, 2, 2))

    def i3d_same_maxpool(x, kernel=(1, 3, 3), stride=(1, 2, 2)):  # I3D's MaxPool3dSamePadding
        pads = []
        for dim, k, s in zip(x.shape[2:], kernel, stride, strict=True):
            p = max(k - s, 0) if dim % s == 0 else max(k - (dim % s), 0)
            pads = [p // 2, p - p // 2] + pads
        return F.max_pool3d(F.pad(x, pads), kernel, stride)

    def i3d_head(x, w, b):  # I3D's logits: avg_pool3d (2, 7, 7), a 1x1x1 conv, the mean over time
        x = F.avg_pool3d(x, kernel_size=(2, 7, 7), stride=(1, 1, 1))
        return F.conv3d(x, w, b).squeeze(3).squeeze(3).mean(2)

    # TimeSformer-HR's temporal attention (16 frames of 28 x 28 patches, 768-wide, fp16) at batch 4; MViTv2-S' first
    # stage (8 x 56 x 56 tokens, 96-wide, KV stride 1 x 8 x 8) at 8 in fp16; C3D on 10 x 16 x 112 x 112 clips; I3D's
    # 'same' max pool after its stem (4 x 64 x 32 x 112 x 112) and its head at 16
    out += [
        ("timesformer_temporal_attention", timesformer_attention, (mh(3136, 16, 768), mh(2304, 768), mh(2304),
                                                                   mh(768, 768), mh(768))),
        (
            "mvitv2_pooling_attention",
            mvit_pooling_attention,
            (mh(8, 25089, 96), mh(288, 96), mh(288), mh(96, 1, 3, 3, 3), mh(96, 1, 3, 3, 3), mh(96, 1, 3, 3, 3),
             mh(96), mh(96), mh(96, 96), mh(96)),
        ),
        ("c3d_block", c3d_block, (mf(10, 3, 16, 112, 112), mf(64, 3, 3, 3, 3), mf(64), mf(128, 64, 3, 3, 3),
                                  mf(128))),
        ("i3d_same_maxpool", i3d_same_maxpool, (mf(4, 64, 32, 112, 112),)),
        ("i3d_head", i3d_head, (mf(16, 1024, 8, 7, 7), mf(400, 1024, 1, 1, 1), mf(400))),
    ]

    # ================================================================== 3-D vision and neural rendering
    box_offsets = [[a, b_, c] for a in (0, 1) for b_ in (0, 1) for c in (0, 1)]

    def hashnerf_level(xyz, box_min, box_max, embeddings, resolution=16, log2_hashmap_size=19):  # HashNeRF-pytorch's
        primes = [1, 2654435761, 805459861]  # hash-grid level: voxel corners, the XOR spatial hash, a lookup and the
        xyz = torch.clamp(xyz, min=box_min, max=box_max)  # trilinear interpolation
        grid_size = (box_max - box_min) / resolution
        bottom_left_idx = torch.floor((xyz - box_min) / grid_size).int()
        voxel_min_vertex = bottom_left_idx * grid_size + box_min
        voxel_max_vertex = voxel_min_vertex + grid_size
        offsets = torch.tensor([box_offsets], device=xyz.device, dtype=torch.int32)
        voxel_indices = bottom_left_idx.unsqueeze(1) + offsets
        xor_result = torch.zeros_like(voxel_indices)[..., 0]
        for j in range(3):
            xor_result ^= voxel_indices[..., j] * primes[j]
        hashed = ((1 << log2_hashmap_size) - 1) & xor_result
        e = F.embedding(hashed.long(), embeddings)
        w = (xyz - voxel_min_vertex) / (voxel_max_vertex - voxel_min_vertex)
        c00 = e[:, 0] * (1 - w[:, 0][:, None]) + e[:, 4] * w[:, 0][:, None]
        c01 = e[:, 1] * (1 - w[:, 0][:, None]) + e[:, 5] * w[:, 0][:, None]
        c10 = e[:, 2] * (1 - w[:, 0][:, None]) + e[:, 6] * w[:, 0][:, None]
        c11 = e[:, 3] * (1 - w[:, 0][:, None]) + e[:, 7] * w[:, 0][:, None]
        c0 = c00 * (1 - w[:, 1][:, None]) + c10 * w[:, 1][:, None]
        c1 = c01 * (1 - w[:, 1][:, None]) + c11 * w[:, 1][:, None]
        return c0 * (1 - w[:, 2][:, None]) + c1 * w[:, 2][:, None]

    sh_c1 = 0.4886025119029199
    sh_c2 = (1.0925484305920792, -1.0925484305920792, 0.31539156525252005, -1.0925484305920792, 0.5462742152960396)
    sh_c3 = (-0.5900435899266435, 2.890611442640554, -0.4570457994644658, 0.3731763325901154, -0.4570457994644658,
             1.445305721320277, -0.5900435899266435)

    def gs_eval_sh(features, xyz, campos):  # 3D Gaussian Splatting's convert_SHs_python: view directions, eval_sh
        sh = features.transpose(1, 2).reshape(-1, 3, 16)  # to degree 3, clamp_min(+0.5)
        d = xyz - campos.repeat(xyz.shape[0], 1)
        d = d / d.norm(dim=1, keepdim=True)
        x, y, z = d[..., 0:1], d[..., 1:2], d[..., 2:3]
        r = 0.28209479177387814 * sh[..., 0]
        r = r - sh_c1 * y * sh[..., 1] + sh_c1 * z * sh[..., 2] - sh_c1 * x * sh[..., 3]
        xx, yy, zz = x * x, y * y, z * z
        xy, yz, xz = x * y, y * z, x * z
        r = (r + sh_c2[0] * xy * sh[..., 4] + sh_c2[1] * yz * sh[..., 5] + sh_c2[2] * (2.0 * zz - xx - yy) * sh[..., 6]
             + sh_c2[3] * xz * sh[..., 7] + sh_c2[4] * (xx - yy) * sh[..., 8])
        r = (r + sh_c3[0] * y * (3 * xx - yy) * sh[..., 9] + sh_c3[1] * xy * z * sh[..., 10]
             + sh_c3[2] * y * (4 * zz - xx - yy) * sh[..., 11] + sh_c3[3] * z * (2 * zz - 3 * xx - 3 * yy) * sh[..., 12]
             + sh_c3[4] * x * (4 * zz - xx - yy) * sh[..., 13] + sh_c3[5] * z * (xx - yy) * sh[..., 14]
             + sh_c3[6] * x * (xx - 3 * yy) * sh[..., 15])
        return torch.clamp_min(r + 0.5, 0.0)

    def tensorf_density(xyz, plane0, plane1, plane2, line0, line1, line2):  # TensoRF's VM density: three plane and
        planes, lines = (plane0, plane1, plane2), (line0, line1, line2)  # line factors by grid_sample, softplus
        coordinate_plane = torch.stack((xyz[..., [0, 1]], xyz[..., [0, 2]], xyz[..., [1, 2]])).view(3, -1, 1, 2)
        coordinate_line = torch.stack((xyz[..., 2], xyz[..., 1], xyz[..., 0]))
        coordinate_line = torch.stack((torch.zeros_like(coordinate_line), coordinate_line), dim=-1).view(3, -1, 1, 2)
        sigma = torch.zeros((xyz.shape[0],), device=xyz.device, dtype=xyz.dtype)
        for j in range(3):
            p = F.grid_sample(planes[j], coordinate_plane[[j]], align_corners=True).view(-1, xyz.shape[0])
            ln_ = F.grid_sample(lines[j], coordinate_line[[j]], align_corners=True).view(-1, xyz.shape[0])
            sigma = sigma + torch.sum(p * ln_, dim=0)
        return F.softplus(sigma - 10)

    def chamfer_l2(x, y):  # the Chamfer distance by cdist (point-cloud completion losses)
        d = torch.cdist(x, y) ** 2
        return d.min(dim=2)[0].mean(dim=1) + d.min(dim=1)[0].mean(dim=1)

    # HashNeRF's finest level (2^19-entry table, 2 features) over 1024 rays x 192 samples; 3DGS' SH colours of 1M
    # Gaussians; TensoRF's density at 524288 samples (16 components, 300^3 grid); Chamfer of 32 x 2048 x 2048
    out += [
        ("hashnerf_level", hashnerf_level, (mf(196608, 3), mf(3), mf(3), mf(524288, 2))),
        ("gs_eval_sh_deg3", gs_eval_sh, (mf(1000000, 16, 3), mf(1000000, 3), mf(1, 3))),
        ("tensorf_vm_density", tensorf_density, (mf(524288, 3), *(mf(1, 16, 300, 300) for _ in range(3)),
                                                 *(mf(1, 16, 300, 1) for _ in range(3)))),
        ("chamfer_l2", chamfer_l2, (mf(32, 2048, 3), mf(32, 2048, 3))),
    ]

    # ================================================================== graph neural networks
    def ogb_gin_virtual(h, edge_index, edge_attr, batch, vn, e0, e1, e2, eps, w1, b1, bn1_w, bn1_b, w2, b2):
        h = h + vn[batch]  # OGB's GIN-virtual layer: the virtual node added, bond embeddings, ReLU messages summed
        edge_embedding = F.embedding(edge_attr[:, 0], e0) + F.embedding(edge_attr[:, 1], e1) + F.embedding(
            edge_attr[:, 2], e2)  # by PyG's scatter (scatter_add_), the (1 + eps) MLP with BatchNorm, the virtual
        msg = F.relu(h[edge_index[0]] + edge_embedding)  # node's global add pool
        aggr = torch.zeros_like(h).scatter_add_(0, edge_index[1].view(-1, 1).expand_as(msg), msg)
        out = (1 + eps) * h + aggr
        out = F.relu(F.batch_norm(F.linear(out, w1, b1), None, None, bn1_w, bn1_b, training=True))
        out = F.linear(out, w2, b2)
        vn_tmp = torch.zeros_like(vn).index_add_(0, batch, h) + vn
        return out, vn_tmp

    def nnconv_mean(x, edge_index, edge_attr, w1, b1, w2, b2, root, bias):  # PyG's NNConv (Gilmer's MPNN on QM9):
        dim = x.shape[1]  # an edge network's per-edge matrices, bmm messages, mean aggregation, the root weight
        weight = F.linear(F.relu(F.linear(edge_attr, w1, b1)), w2, b2).view(-1, dim, dim)
        msg = torch.matmul(x[edge_index[0]].unsqueeze(1), weight).squeeze(1)
        index = edge_index[1].view(-1, 1).expand_as(msg)
        s = torch.zeros_like(x).scatter_add_(0, index, msg)
        count = torch.zeros_like(x).scatter_add_(0, index, torch.ones_like(msg))
        return s / count.clamp(min=1) + x @ root + bias

    def dense_diff_pool(x, adj, s):  # PyG's dense_diff_pool with its link-prediction and entropy losses
        s = torch.softmax(s, dim=-1)
        out = torch.matmul(s.transpose(1, 2), x)
        out_adj = torch.matmul(torch.matmul(s.transpose(1, 2), adj), s)
        link_loss = torch.norm(adj - torch.matmul(s, s.transpose(1, 2)), p=2) / adj.numel()
        ent_loss = (-s * torch.log(s + 1e-15)).sum(dim=-1).mean()
        return out, out_adj, link_loss, ent_loss

    def graph_transformer_attn(h, edge_index, wq, wk, wv, heads=8):  # Dwivedi & Bresson's graph transformer layer:
        n = h.shape[0]  # src-dot-dst scores, exp of the clamped score, scatter sums of the weighted values and scores
        q, k, v = (F.linear(h, w).view(n, heads, -1) for w in (wq, wk, wv))
        src, dst = edge_index[0], edge_index[1]
        score = (k[src] * q[dst]) / math.sqrt(q.shape[-1])
        score = torch.exp(score.sum(-1, keepdim=True).clamp(-5, 5))
        wv_ = torch.zeros_like(v).index_add_(0, dst, v[src] * score)
        z = torch.zeros(n, heads, 1, device=h.device, dtype=h.dtype).index_add_(0, dst, score)
        return (wv_ / (z + 1e-6)).view(n, -1)

    # OGB ogbg-molpcba's GIN-virtual layer at 256 graphs a batch (6656 atoms, 14336 bonds, 300-wide); NNConv (64-wide,
    # 128-hidden edge net) on 128 QM9 molecules (2304 atoms, 4736 edges); DiffPool (PROTEINS: 20 x 620 nodes to 62
    # clusters, 64-wide); the graph transformer on 128 SBM-PATTERN graphs (15104 nodes, 778112 edges, 8 heads of 10)
    out += [
        (
            "ogb_gin_virtual_layer",
            ogb_gin_virtual,
            (mf(6656, 300), i(2, 14336), i(14336, 3), i(6656), mf(256, 300), mf(5, 300), mf(6, 300), mf(2, 300),
             sc(), mf(600, 300), mf(600), mf(600), mf(600), mf(300, 600), mf(300)),
        ),
        ("nnconv_qm9", nnconv_mean, (mf(2304, 64), i(2, 4736), mf(4736, 5), mf(128, 5), mf(128), mf(4096, 128),
                                     mf(4096), mf(64, 64), mf(64))),
        ("dense_diff_pool", dense_diff_pool, (mf(20, 620, 64), mf(20, 620, 620), mf(20, 620, 62))),
        ("graph_transformer_edge_attention", graph_transformer_attn, (mf(15104, 80), i(2, 778112), mf(80, 80),
                                                                      mf(80, 80), mf(80, 80))),
    ]

    # ================================================================== diffusion training and consistency models
    def v_pred_min_snr(latents, noise, timesteps, alphas_cumprod, model_pred, snr_gamma=5.0):  # diffusers' training
        ac = alphas_cumprod.to(dtype=latents.dtype)  # step: add_noise, get_velocity, compute_snr and min-SNR-gamma
        sqrt_alpha_prod = (ac[timesteps] ** 0.5).flatten()[:, None, None, None]  # weights for v-prediction
        sqrt_one_minus = ((1 - ac[timesteps]) ** 0.5).flatten()[:, None, None, None]
        noisy = sqrt_alpha_prod * latents + sqrt_one_minus * noise
        target = sqrt_alpha_prod * noise - sqrt_one_minus * latents
        alpha = (alphas_cumprod**0.5)[timesteps].float()
        sigma = ((1.0 - alphas_cumprod) ** 0.5)[timesteps].float()
        snr = (alpha / sigma) ** 2
        weights = torch.stack([snr, snr_gamma * torch.ones_like(timesteps)], dim=1).min(dim=1)[0] / (snr + 1)
        loss = F.mse_loss(model_pred.float(), target.float(), reduction="none")
        loss = loss.mean(dim=list(range(1, len(loss.shape)))) * weights
        return noisy, loss.mean()

    def edm_loss(images, d_yn, p_mean=-1.2, p_std=1.2, sigma_data=0.5):  # EDM's training loss (training/loss.py)
        rnd_normal = torch.randn([images.shape[0], 1, 1, 1], device=images.device)
        sigma = (rnd_normal * p_std + p_mean).exp()
        weight = (sigma**2 + sigma_data**2) / (sigma * sigma_data) ** 2
        y_noisy = images + torch.randn_like(images) * sigma
        return y_noisy, (weight * ((d_yn - images) ** 2)).mean()

    def ict_step(x, model_out, n=1280, sigma_min=0.002, sigma_max=80.0, rho=7.0, p_mean=-1.1, p_std=2.0,
                 sigma_data=0.5):  # improved consistency training: Karras sigmas, lognormal timestep sampling by erf
        idx = torch.arange(n, device=x.device, dtype=torch.float32)  # and multinomial, skip scalings and the
        sigmas = (sigma_min ** (1 / rho) + idx / (n - 1) * (sigma_max ** (1 / rho) - sigma_min ** (1 / rho))) ** rho
        pdf = torch.erf((torch.log(sigmas[1:]) - p_mean) / (p_std * math.sqrt(2))) - torch.erf(  # pseudo-Huber loss
            (torch.log(sigmas[:-1]) - p_mean) / (p_std * math.sqrt(2)))
        pdf = pdf / pdf.sum()
        timesteps = torch.multinomial(pdf, x.shape[0], replacement=True)
        current, nxt = sigmas[timesteps], sigmas[timesteps + 1]
        noise = torch.randn_like(x)
        x_cur = x + current[:, None, None, None] * noise
        x_next = x + nxt[:, None, None, None] * noise
        c_skip = sigma_data**2 / ((nxt - sigma_min) ** 2 + sigma_data**2)
        c_out = (nxt - sigma_min) * sigma_data / (nxt**2 + sigma_data**2) ** 0.5
        pred = c_skip[:, None, None, None] * x_next + c_out[:, None, None, None] * model_out
        c = 0.00054 * math.sqrt(x[0].numel())
        weight = 1.0 / (nxt - current)
        loss = torch.sqrt((pred - x_cur) ** 2 + c**2) - c
        return (weight[:, None, None, None] * loss).mean()

    def vae_posterior(moments, kl_weight=1e-6):  # diffusers' DiagonalGaussianDistribution: sample and KL
        mean, logvar = torch.chunk(moments, 2, dim=1)
        logvar = torch.clamp(logvar, -30.0, 20.0)
        std, var = torch.exp(0.5 * logvar), torch.exp(logvar)
        sample = mean + std * torch.randn_like(mean)
        kl = 0.5 * torch.sum(torch.pow(mean, 2) + var - 1.0 - logvar, dim=[1, 2, 3])
        return sample, kl.mean() * kl_weight

    # SD-2.1-768's v-prediction loss with min-SNR at 8 x 4 x 96 x 96; EDM's loss on 64 ImageNet-64 images; iCT on 128
    # CIFAR-10 images; SD's VAE posterior (8 x 64 x 64 latents) at 8
    out += [
        ("v_pred_min_snr_loss", v_pred_min_snr, (m(8, 4, 96, 96), m(8, 4, 96, 96), i(8), mf(1000), m(8, 4, 96, 96))),
        ("edm_loss", edm_loss, (mf(64, 3, 64, 64), mf(64, 3, 64, 64))),
        ("ict_step", ict_step, (mf(128, 3, 32, 32), mf(128, 3, 32, 32))),
        ("vae_posterior", vae_posterior, (mf(8, 8, 64, 64),)),
    ]

    # ================================================================== vector quantisation
    def vq_quantize(z, embedding, beta=0.25):  # taming's VectorQuantizer2: distances, argmin, lookup, codebook and
        z = z.permute(0, 2, 3, 1).contiguous()  # commitment losses, straight-through, perplexity
        flat = z.view(-1, embedding.shape[1])
        d = (torch.sum(flat**2, dim=1, keepdim=True) + torch.sum(embedding**2, dim=1)
             - 2 * torch.einsum("bd,dn->bn", flat, embedding.t()))
        idx = torch.argmin(d, dim=1)
        z_q = F.embedding(idx, embedding).view(z.shape)
        loss = beta * torch.mean((z_q.detach() - z) ** 2) + torch.mean((z_q - z.detach()) ** 2)
        z_q = z + (z_q - z).detach()
        avg_probs = F.one_hot(idx, embedding.shape[0]).float().mean(0)
        perplexity = torch.exp(-torch.sum(avg_probs * torch.log(avg_probs + 1e-10)))
        return z_q.permute(0, 3, 1, 2).contiguous(), loss, perplexity

    # taming's VQGAN (1024 codes x 256 at 16 x 16, batch 12)
    out += [
        ("vq_quantize_vqgan", vq_quantize, (mf(12, 256, 16, 16), mf(1024, 256))),
    ]

    # ================================================================== mixture-of-experts routers
    def switch_top1_router(hidden, w, capacity=5, jitter=0.01):  # Switch Transformers' Top1Router: jitter noise,
        num_experts = w.shape[0]  # fp32 router, one-hot argmax, capacity by cumsum, the z-loss and the
        hidden = hidden.to(torch.float32)  # load-balancing loss
        hidden = hidden * torch.empty_like(hidden).uniform_(1.0 - jitter, 1.0 + jitter)
        router_logits = F.linear(hidden, w.float())
        router_probs = F.softmax(router_logits, dim=-1, dtype=torch.float32)
        expert_index = F.one_hot(torch.argmax(router_probs, dim=-1), num_classes=num_experts)
        token_priority = torch.cumsum(expert_index, dim=-2)
        expert_index = expert_index * (token_priority <= capacity)
        top_probs = torch.max(router_probs, dim=-1).values.unsqueeze(-1)
        log_z = torch.logsumexp(router_logits, dim=-1)
        z_loss = torch.sum(log_z**2) / (router_logits.shape[0] * router_logits.shape[1])
        tokens_per_expert = torch.mean(expert_index.float(), dim=-2)
        prob_per_expert = torch.mean(router_probs, dim=-2)
        aux = torch.mean(tokens_per_expert * prob_per_expert) * (num_experts**2)
        return expert_index, top_probs, z_loss, aux

    def gshard_top2(logits, capacity=128):  # fairseq's top2gating (GShard): second expert by Gumbel noise, locations
        gates = F.softmax(logits, dim=1, dtype=torch.float)  # by cumsum, the aux loss, capacity masks, combine weights
        num_tokens, num_experts = gates.shape  # by bmm of gates and one-hot locations, the dispatch mask
        indices1 = torch.argmax(gates, dim=1)
        mask1 = F.one_hot(indices1, num_classes=num_experts)
        u = torch.rand_like(logits)
        logits_w_noise = logits - torch.log(-torch.log(u))
        logits_except1 = logits_w_noise.masked_fill(mask1.bool(), float("-inf"))
        mask2 = F.one_hot(torch.argmax(logits_except1, dim=1), num_classes=num_experts)
        locations1 = torch.cumsum(mask1, dim=0) - 1
        locations2 = torch.cumsum(mask2, dim=0) - 1 + torch.sum(mask1, dim=0, keepdim=True)
        me = torch.mean(gates, dim=0)
        ce = torch.mean(mask1.to(gates.dtype), dim=0)
        l_aux = torch.mean(me * ce) * num_experts * num_experts
        mask1 = mask1 * torch.lt(locations1, capacity)
        mask2 = mask2 * torch.lt(locations2, capacity)
        locations1_s = torch.sum(locations1 * mask1, dim=1)
        locations2_s = torch.sum(locations2 * mask2, dim=1)
        gates1_s = (gates * mask1).sum(dim=1)
        gates2_s = (gates * mask2).sum(dim=1)
        denom_s = torch.clamp(gates1_s + gates2_s, min=torch.finfo(gates.dtype).eps)
        gates1 = (gates1_s / denom_s).unsqueeze(-1) * mask1.to(gates.dtype)
        gates2 = (gates2_s / denom_s).unsqueeze(-1) * mask2.to(gates.dtype)
        loc1 = F.one_hot(locations1_s, num_classes=capacity)
        loc2 = F.one_hot(locations2_s, num_classes=capacity)
        combine = torch.bmm(gates1.unsqueeze(-1), loc1.to(gates.dtype).unsqueeze(1)) + torch.bmm(
            gates2.unsqueeze(-1), loc2.to(gates.dtype).unsqueeze(1))
        return l_aux, combine, combine.bool()

    # switch-base-128 (768-wide, 128 experts, capacity factor 1.25) over 32 x 512 tokens; GShard top-2 over 4096 tokens
    # and 64 experts (capacity 128)
    out += [
        ("switch_top1_router", switch_top1_router, (m(32, 512, 768), m(128, 768))),
        ("gshard_top2_gating", gshard_top2, (mf(4096, 64),)),
    ]

    # ================================================================== state-space and recurrent models
    def s4d_kernel(log_dt, c, log_a_real, a_imag, length=16384):  # S4D's kernel by the Vandermonde product
        dt = torch.exp(log_dt)
        c = torch.view_as_complex(c)
        a = -torch.exp(log_a_real) + 1j * a_imag
        dta = a * dt.unsqueeze(-1)
        k = dta.unsqueeze(-1) * torch.arange(length, device=a.device)
        c = c * (torch.exp(dta) - 1.0) / a
        return 2 * torch.einsum("hn,hnl->hl", c, torch.exp(k)).real

    def cauchy_naive(v, z, w):  # S4's cauchy_naive: the conjugate pairs and the Cauchy sum over the state
        v = torch.cat([v, v.conj()], dim=-1)
        w = torch.cat([w, w.conj()], dim=-1)
        return torch.sum(v.unsqueeze(-1) / (z.unsqueeze(-2) - w.unsqueeze(-1)), dim=-2)

    def rwkv4_time_mix(x, sx, aa, bb, pp, ln_w, ln_b, k_mix, v_mix, r_mix, t_first, t_decay, kw, vw, rw, ow):
        xx = F.layer_norm(x, (x.shape[-1],), weight=ln_w, bias=ln_b)  # ChatRWKV's RWKV-4 time mix in RNN mode:
        kx = xx * k_mix + sx * (1 - k_mix)  # token shift, fp32 WKV with the running max for stability
        vx = xx * v_mix + sx * (1 - v_mix)
        rx = xx * r_mix + sx * (1 - r_mix)
        r = torch.sigmoid(rx @ rw)
        k = (kx @ kw).float()
        v = (vx @ vw).float()
        ww = t_first + k
        p = torch.maximum(pp, ww)
        e1, e2 = torch.exp(pp - p), torch.exp(ww - p)
        wkv = ((e1 * aa + e2 * v) / (e1 * bb + e2)).to(dtype=x.dtype)
        ww = t_decay + pp
        p = torch.maximum(ww, k)
        e1, e2 = torch.exp(ww - p), torch.exp(k - p)
        return x + (r * wkv) @ ow, xx, e1 * aa + e2 * v, e1 * bb + e2, p

    def chunk_linear_attn(q, k, v, chunk=64):  # flash-linear-attention's naive chunked linear attention: chunk
        b, h, t, d = q.shape  # states by cumsum, inter-chunk and masked intra-chunk products
        q = q * d**-0.5
        q, k, v = (x.view(b, h, t // chunk, chunk, -1) for x in (q, k, v))
        kv = (k.transpose(-1, -2) @ v).cumsum(2)
        kv = torch.cat([torch.zeros_like(kv[:, :, :1]), kv[:, :, :-1]], dim=2)
        inter = q @ kv
        mask = torch.triu(torch.ones(chunk, chunk, dtype=torch.bool, device=q.device), diagonal=1)
        intra = (q @ k.transpose(-1, -2)).masked_fill_(mask, 0) @ v
        return (inter + intra).view(b, h, t, -1)

    # S4D's kernel for Path-X (256 channels, 32 modes, 16384 steps); S4's Cauchy sum (4 x 256 x 32 poles, 513 nodes);
    # RWKV-4 14B's time mix (5120-wide, fp16 weights) at 32 sequences; chunked linear attention at 8 x 16 heads x
    # 4096 x 64
    out += [
        ("s4d_vandermonde_kernel", s4d_kernel, (mf(256), mf(256, 32, 2), mf(256, 32), mf(256, 32))),
        ("s4_cauchy_naive", cauchy_naive, (mc(4, 256, 32), mc(513), mc(1, 256, 32))),
        (
            "rwkv4_time_mix_rnn",
            rwkv4_time_mix,
            (mh(32, 5120), mh(32, 5120), mf(32, 5120), mf(32, 5120), mf(32, 5120), mh(5120), mh(5120), mh(5120),
             mh(5120), mh(5120), mf(5120), mf(5120), mh(5120, 5120), mh(5120, 5120), mh(5120, 5120),
             mh(5120, 5120)),
        ),
        ("chunk_linear_attention", chunk_linear_attn, (m(8, 16, 4096, 64), m(8, 16, 4096, 64), m(8, 16, 4096, 64))),
    ]

    # ================================================================== quantisation in plain torch
    def te_delayed_scaling(x, w, amax_history, scale, fp8_max=448.0):  # Transformer Engine's delayed scaling: the
        amax = torch.max(amax_history, dim=0).values  # scale from the amax history (_default_sf_compute), the rolled
        sf = fp8_max / amax  # history with this step's amaxes, the e4m3 casts and the inverse scales
        sf = torch.where(amax > 0.0, sf, scale)
        sf = torch.where(torch.isfinite(amax), sf, scale)
        amax_history = torch.roll(amax_history, -1, 0)
        amax_history[0, 0] = x.abs().amax().float()
        amax_history[0, 1] = w.abs().amax().float()
        x8 = (x.float() * sf[0]).to(torch.float8_e4m3fn)
        w8 = (w.float() * sf[1]).to(torch.float8_e4m3fn)
        return x8, w8, 1.0 / sf, amax_history

    def quarot_had(x):  # QuaRot's matmul_hadU: the fast Walsh-Hadamard transform by halving views (power of two)
        n = x.shape[-1]
        inp = x.clone().view(-1, n, 1)
        out_ = inp.clone()
        while inp.shape[1] > 1:
            inp = inp.view(inp.shape[0], inp.shape[1] // 2, 2, inp.shape[2])
            out_ = out_.view(inp.shape)
            out_[:, :, 0, :] = inp[:, :, 0, :] + inp[:, :, 1, :]
            out_[:, :, 1, :] = inp[:, :, 0, :] - inp[:, :, 1, :]
            out_ = out_.view(inp.shape[0], inp.shape[1], -1)
            inp, out_ = out_, inp
        return inp.view(x.shape) / math.sqrt(n)

    def smooth_ln_fcs(ln_w, ln_b, act_scales, wq, wk, wv, alpha=0.5):  # SmoothQuant's smooth_ln_fcs: per-channel
        weight_scales = torch.cat([fc.abs().max(dim=0, keepdim=True)[0] for fc in (wq, wk, wv)], dim=0)  # scales
        weight_scales = weight_scales.max(dim=0)[0].clamp(min=1e-5)  # folded into the LayerNorm and the q/k/v weights
        scales = (act_scales.pow(alpha) / weight_scales.pow(1 - alpha)).clamp(min=1e-5).to(ln_w.dtype)
        return ln_w.div(scales), ln_b.div(scales), *(fc.mul(scales.view(1, -1)) for fc in (wq, wk, wv))

    def gptq_dequant(qweight, qzeros, scales, g_idx, bits=4):  # AutoGPTQ's torch dequantisation with act-order
        wf = torch.arange(0, 32, bits, dtype=torch.int32, device=qweight.device).unsqueeze(0)  # g_idx: zeros and
        zeros = torch.bitwise_right_shift(  # weights unpacked by shifts, scales and zeros gathered by group index
            torch.unsqueeze(qzeros, 2).expand(-1, -1, 32 // bits), wf.unsqueeze(0)).to(torch.int8)
        zeros = torch.bitwise_and(zeros, (2**bits) - 1) + 1
        zeros = zeros.reshape(-1, zeros.shape[1] * zeros.shape[2])
        weight = torch.bitwise_right_shift(
            torch.unsqueeze(qweight, 1).expand(-1, 32 // bits, -1), wf.unsqueeze(-1)).to(torch.int8)
        weight = torch.bitwise_and(weight, (2**bits) - 1)
        weight = weight.reshape(-1, weight.shape[2])
        return scales[g_idx.long()] * (weight - zeros[g_idx.long()])

    # Transformer Engine's scaling (1024-step history) for an 8192 x 4096 input and a 14336 x 4096 weight; QuaRot's
    # online Hadamard over 128-wide heads of 2 x 2048 tokens x 32 heads; SmoothQuant on OPT-13B's attention (5120);
    # AutoGPTQ's dequantisation of Llama-2-13B's q_proj (5120, group 128)
    out += [
        ("te_delayed_scaling", te_delayed_scaling, (m(8192, 4096), m(14336, 4096), mf(1024, 3), mf(3))),
        ("quarot_hadamard", quarot_had, (m(2, 2048, 32, 128),)),
        ("smoothquant_ln_fcs", smooth_ln_fcs, (mh(5120), mh(5120), mf(5120), mh(5120, 5120), mh(5120, 5120),
                                               mh(5120, 5120))),
        ("gptq_dequant_act_order", gptq_dequant, (mi32(640, 5120), mi32(40, 640), mh(40, 5120), mi32(5120))),
    ]

    # ================================================================== optimisers written in torch
    def adan_step(p, g, prev_g, m_, v, n, lr=1e-3, b1=0.02, b2=0.08, b3=0.01, eps=1e-8, wd=0.02, step=10):  # Adan
        correct_m = 1 / (1 - (1 - b1) ** step)
        correct_v = 1 / (1 - (1 - b2) ** step)
        correct_n = 1 / (1 - (1 - b3) ** step)
        grad_diff = g - prev_g
        m_.mul_(1 - b1).add_(g, alpha=b1)
        v.mul_(1 - b2).add_(grad_diff, alpha=b2)
        n.mul_(1 - b3).add_((g + (1 - b2) * grad_diff) ** 2, alpha=b3)
        weighted_step_size = lr / ((n * correct_n).sqrt() + eps)
        p.addcmul_(weighted_step_size, (m_ * correct_m + (1 - b2) * v * correct_v), value=-1).div_(1 + wd * lr)
        prev_g.copy_(g)
        return p

    def schedulefree_adamw(y, z, g, exp_avg_sq, lr=2.5e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, ckp1=0.01, step=100):
        exp_avg_sq.mul_(b2).addcmul_(g, g, value=1 - b2)  # Schedule-Free AdamW: y interpolated toward z, the
        denom = exp_avg_sq.div(1 - b2**step).sqrt_().add_(eps)  # gradient step at y, z's SGD step
        grad_normalized = g.div_(denom)
        grad_normalized.add_(y, alpha=wd)
        y.lerp_(end=z, weight=ckp1)
        y.add_(grad_normalized, alpha=lr * (b1 * (1 - ckp1) - 1))
        z.sub_(grad_normalized, alpha=lr)
        return y, z

    def lars_step(p, g, mu, lr=0.2, wd=1.5e-6, momentum=0.9, eta=0.001):  # Barlow Twins' LARS: the trust ratio by
        dp = g.add(p, alpha=wd)  # parameter and update norms, the momentum step
        param_norm, update_norm = torch.norm(p), torch.norm(dp)
        one = torch.ones_like(param_norm)
        q = torch.where(param_norm > 0.0, torch.where(update_norm > 0, (eta * param_norm / update_norm), one), one)
        mu.mul_(momentum).add_(dp.mul(q))
        p.add_(mu, alpha=-lr)
        return p

    # Adan on GPT-2-XL's c_fc (6400 x 1600); Schedule-Free AdamW on a Llama layer's 4096 x 4096; LARS on Barlow Twins'
    # 8192 x 8192 projector, all fp32
    out += [
        ("adan_step", adan_step, tuple(mf(6400, 1600) for _ in range(6))),
        ("schedulefree_adamw_step", schedulefree_adamw, tuple(mf(4096, 4096) for _ in range(4))),
        ("lars_step", lars_step, tuple(mf(8192, 8192) for _ in range(3))),
    ]

    # ================================================================== evaluation metrics
    def fid_update(features, feat_sum, cov_sum):  # torchmetrics' FID accumulators in float64
        features = features.double()
        feat_sum += features.sum(dim=0)
        cov_sum += features.t().mm(features)
        return feat_sum, cov_sum

    def fid_compute(real_sum, real_cov_sum, fake_sum, fake_cov_sum, n=50000):  # torchmetrics' FID from the sums:
        mean_real, mean_fake = (real_sum / n).unsqueeze(0), (fake_sum / n).unsqueeze(0)  # covariances, trace sqrt by
        cov_real = (real_cov_sum - n * mean_real.t().mm(mean_real)) / (n - 1)  # eigenvalues
        cov_fake = (fake_cov_sum - n * mean_fake.t().mm(mean_fake)) / (n - 1)
        a = (mean_real.squeeze(0) - mean_fake.squeeze(0)).square().sum(dim=-1)
        b = cov_real.trace() + cov_fake.trace()
        c = torch.linalg.eigvals(cov_real @ cov_fake).sqrt().real.sum(dim=-1)
        return a + b - 2 * c

    def ssim(preds, target, kernel, data_range=1.0, k1=0.01, k2=0.03):  # torchmetrics' SSIM: reflect pad, grouped
        c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2  # Gaussian conv of the five maps, the index
        channel = preds.size(1)
        pad = (kernel.shape[-1] - 1) // 2
        preds = F.pad(preds, (pad, pad, pad, pad), mode="reflect")
        target = F.pad(target, (pad, pad, pad, pad), mode="reflect")
        outputs = F.conv2d(torch.cat((preds, target, preds * preds, target * target, preds * target)), kernel,
                           groups=channel)
        mu_p, mu_t, e_pp, e_tt, e_pt = outputs.split(preds.shape[0])
        mu_pp, mu_tt, mu_pt = mu_p.pow(2), mu_t.pow(2), mu_p * mu_t
        upper = 2 * (e_pt - mu_pt) + c2
        lower = (e_pp - mu_pp) + (e_tt - mu_tt) + c2
        idx = ((2 * mu_pt + c1) * upper) / ((mu_pp + mu_tt + c1) * lower)
        idx = idx[..., pad:-pad, pad:-pad]
        return idx.reshape(idx.shape[0], -1).mean(-1)

    def psnr(preds, target, data_range=1.0):  # per-image PSNR
        mse = ((preds - target) ** 2).mean(dim=(1, 2, 3))
        return 10 * torch.log10(data_range**2 / mse)

    # FID's accumulators (2048-d, batches of 256) and its value; SSIM (11 x 11 Gaussian) and PSNR at 16 x 3 x 512 x 512
    out += [
        ("fid_update", fid_update, (mf(256, 2048), md(2048), md(2048, 2048))),
        ("fid_compute", fid_compute, (md(2048), md(2048, 2048), md(2048), md(2048, 2048))),
        ("ssim_gaussian", ssim, (mf(16, 3, 512, 512), mf(16, 3, 512, 512), mf(3, 1, 11, 11))),
        ("psnr", psnr, (mf(16, 3, 512, 512), mf(16, 3, 512, 512))),
    ]

    # ================================================================== self-supervised and contrastive losses
    def barlow_twins(z1, z2, lambd=0.0051):  # Barlow Twins: affine-free BatchNorm, cross-correlation, on- and
        n = z1.shape[0]  # off-diagonal terms (the flatten / view off_diagonal trick)
        c = F.batch_norm(z1, None, None, training=True).T @ F.batch_norm(z2, None, None, training=True) / n
        on_diag = torch.diagonal(c).add_(-1).pow_(2).sum()
        d = c.shape[0]
        off_diag = c.flatten()[:-1].view(d - 1, d + 1)[:, 1:].flatten().pow_(2).sum()
        return on_diag + lambd * off_diag

    def siglip_loss(img, txt, logit_scale, logit_bias):  # SigLIP's pairwise sigmoid loss (open_clip)
        img, txt = F.normalize(img, dim=-1), F.normalize(txt, dim=-1)
        logits = logit_scale.exp() * img @ txt.T + logit_bias
        n = logits.shape[0]
        labels = 2 * torch.eye(n, device=logits.device, dtype=logits.dtype) - torch.ones_like(logits)
        return -F.logsigmoid(labels * logits).sum() / n

    # Barlow Twins (8192-d projector) at 256 a GPU; SigLIP So400m (1152-d) at 4096 in bf16
    out += [
        ("barlow_twins_loss", barlow_twins, (mf(256, 8192), mf(256, 8192))),
        ("siglip_sigmoid_loss", siglip_loss, (m(4096, 1152), m(4096, 1152), sc(torch.bfloat16), sc(torch.bfloat16))),
    ]

    # ================================================================== tabular models
    def entmax15(x, dim=-1):  # entmax's 1.5-entmax by sort: cumulative means, the threshold tau*, the sparse output
        max_val, _ = x.max(dim=dim, keepdim=True)
        x = (x - max_val) / 2
        xsrt, _ = torch.sort(x, dim=dim, descending=True)
        d = x.shape[dim]
        rho = torch.arange(1, d + 1, device=x.device, dtype=x.dtype).view(1, -1)
        mean = xsrt.cumsum(dim) / rho
        mean_sq = (xsrt**2).cumsum(dim) / rho
        ss = rho * (mean_sq - mean**2)
        delta_nz = torch.clamp((1 - ss) / rho, 0)
        tau = mean - torch.sqrt(delta_nz)
        support_size = (tau <= xsrt).sum(dim).unsqueeze(dim)
        tau_star = tau.gather(dim, support_size - 1)
        return torch.clamp(x - tau_star, min=0) ** 2

    def periodic_embeddings(x, freq, w, b):  # rtdl_num_embeddings' PeriodicEmbeddings (PLR): cos / sin features and
        x = 2 * math.pi * freq * x[..., None]  # a per-feature linear (_NLinear) with ReLU
        x = torch.cat([torch.cos(x), torch.sin(x)], -1)
        return F.relu((x[..., None, :] @ w).squeeze(-2) + b)

    def hummingbird_gemm_trees(x, w1, b1, w2, b2, w3):  # Hummingbird's GEMM strategy for a tree ensemble:
        n_trees = w2.shape[0]  # decision conditions, path matching and leaf values as three products
        x = x.t()
        x = torch.mm(w1, x) < b1
        x = x.view(n_trees, w2.shape[2], -1).float()
        x = torch.matmul(w2, x)
        x = (x.view(n_trees * w2.shape[1], -1) == b2).view(n_trees, w2.shape[1], -1).float()
        x = torch.matmul(w3, x)
        return torch.sigmoid(x.sum(0).t())

    # entmax15 over 16384 rows of 2000 (TabNet's masks on Epsilon); PLR embeddings (48 frequencies, 24-wide) of
    # Covertype's 54 features at 1024; an XGBoost ensemble of 500 depth-8 trees on 1024 HIGGS rows
    out += [
        ("entmax15", entmax15, (mf(16384, 2000),)),
        ("periodic_embeddings_plr", periodic_embeddings, (mf(1024, 54), mf(54, 48), mf(54, 96, 24), mf(54, 24))),
        ("hummingbird_gemm_trees", hummingbird_gemm_trees, (mf(1024, 28), mf(127500, 28), mf(127500, 1),
                                                            mf(500, 256, 255), mf(128000, 1), mf(500, 1, 256))),
    ]

    # ================================================================== scientific computing and physics-informed code
    def ns_spectral_step(w, f_h, k_x, k_y, lap, dealias, visc=1e-3, delta_t=1e-4):  # the FNO data generator's
        n = w.shape[-1]  # Navier-Stokes vorticity step: stream function, velocities and gradients by spectral
        w_h = torch.fft.rfft2(w)  # derivatives, the dealiased nonlinear term, Crank-Nicolson
        psi_h = w_h / lap
        q = torch.fft.irfft2(2j * math.pi * k_y * psi_h, s=(n, n))
        v = torch.fft.irfft2(-2j * math.pi * k_x * psi_h, s=(n, n))
        w_x = torch.fft.irfft2(2j * math.pi * k_x * w_h, s=(n, n))
        w_y = torch.fft.irfft2(2j * math.pi * k_y * w_h, s=(n, n))
        f_nl = dealias * torch.fft.rfft2(q * w_x + v * w_y)
        w_h = (-delta_t * f_nl + delta_t * f_h + (1.0 - 0.5 * delta_t * visc * lap) * w_h) / (
            1.0 + 0.5 * delta_t * visc * lap)
        return torch.fft.irfft2(w_h, s=(n, n))

    def fd_residual(u, dx=1.0 / 511):  # a physics residual by torch.gradient's central differences (Poisson)
        u_y, u_x = torch.gradient(u, spacing=dx, dim=(-2, -1))
        u_yy = torch.gradient(u_y, spacing=dx, dim=-2)[0]
        u_xx = torch.gradient(u_x, spacing=dx, dim=-1)[0]
        return u_xx + u_yy

    # Navier-Stokes at 256^2 (20 trajectories); torch.gradient's Poisson residual at 16 x 512^2
    out += [
        ("ns_spectral_step", ns_spectral_step, (mf(20, 256, 256), mc(256, 129), mf(256, 129), mf(256, 129),
                                                mf(256, 129), mf(256, 129))),
        ("fd_gradient_residual", fd_residual, (mf(16, 1, 512, 512),)),
    ]

    # ================================================================== special functions and probabilistic losses
    def edl_loss(logits, y, annealing=0.5):  # evidential deep learning (Sensoy et al.): the digamma loss and the KL
        alpha = F.relu(logits) + 1  # of Dir(alpha~) to the uniform Dirichlet by lgamma and digamma
        s = alpha.sum(dim=1, keepdim=True)
        a = torch.sum(y * (torch.digamma(s) - torch.digamma(alpha)), dim=1, keepdim=True)
        alpha_t = y + (1 - y) * alpha
        ones = torch.ones_like(alpha)
        sum_alpha = alpha_t.sum(1, keepdim=True)
        first = (torch.lgamma(sum_alpha) - torch.lgamma(alpha_t).sum(1, keepdim=True)
                 + torch.lgamma(ones).sum(1, keepdim=True) - torch.lgamma(ones.sum(1, keepdim=True)))
        second = ((alpha_t - ones) * (torch.digamma(alpha_t) - torch.digamma(sum_alpha))).sum(1, keepdim=True)
        return (a + annealing * (first + second)).mean()

    def dirichlet_newton(alpha, log_p_mean):  # Minka's fixed-point Newton step for a Dirichlet's MLE (trigamma)
        grad = torch.digamma(alpha.sum(-1, keepdim=True)) - torch.digamma(alpha) + log_p_mean
        q = -torch.polygamma(1, alpha)
        z = torch.polygamma(1, alpha.sum(-1, keepdim=True))
        b = (grad / q).sum(-1, keepdim=True) / (1 / z + (1 / q).sum(-1, keepdim=True))
        return alpha - (grad - b) / q

    def rank_gauss(x):  # RankGauss feature scaling: ranks by a double argsort, the normal quantile (ndtri)
        rank = x.argsort(dim=0).argsort(dim=0).float()
        return torch.special.ndtri(((rank + 0.5) / x.shape[0]).clamp(1e-6, 1 - 1e-6))

    # EDL over 4096 x 1000; Dirichlet Newton steps for 4096 x 100 topics; RankGauss of 23814 x 872 features
    out += [
        ("edl_dirichlet_loss", edl_loss, (mf(4096, 1000), mf(4096, 1000))),
        ("dirichlet_newton_step", dirichlet_newton, (mf(4096, 100), mf(4096, 100))),
        ("rank_gauss", rank_gauss, (mf(23814, 872),)),
    ]

    # ================================================================== pooling variants and CNN attention modules
    def cbam(x, w1, w2, w_sp):  # CBAM: channel attention from avg and max pools through a shared MLP, spatial
        def mlp(t):  # attention from the channel mean and max through a 7x7 conv
            return F.conv2d(F.relu(F.conv2d(t, w1)), w2)

        x = x * torch.sigmoid(mlp(F.adaptive_avg_pool2d(x, 1)) + mlp(F.adaptive_max_pool2d(x, 1)))
        sp = torch.cat([torch.max(x, 1)[0].unsqueeze(1), torch.mean(x, 1).unsqueeze(1)], dim=1)
        return x * torch.sigmoid(F.conv2d(sp, w_sp, padding=3))

    def spp(x, levels=(1, 2, 4)):  # SPP-net's spatial pyramid of adaptive max pools
        return torch.cat([F.adaptive_max_pool2d(x, lv).flatten(1) for lv in levels], dim=1)

    def fractional_max_pool(x):  # Graham's fractional max pooling (ratio 1/sqrt(2))
        return F.fractional_max_pool2d(x, kernel_size=2, output_ratio=(1 / math.sqrt(2), 1 / math.sqrt(2)))

    def gem(x, p, eps=1e-6):  # cnnimageretrieval's generalised-mean pooling with a learned p
        return F.avg_pool2d(x.clamp(min=eps).pow(p), (x.size(-2), x.size(-1))).pow(1.0 / p)

    def segnet_pool_unpool(x):  # SegNet's max pool with indices and the decoder's max_unpool2d
        y, idx = F.max_pool2d(x, 2, 2, return_indices=True)
        return F.max_unpool2d(y, idx, 2, 2, output_size=x.shape[-2:])

    def textcnn(x, w3, b3, w4, b4, w5, b5):  # Kim's TextCNN: convs over embeddings, ReLU, max-over-time pooling
        x = x.unsqueeze(1)
        outs = [F.relu(F.conv2d(x, w, b)).squeeze(3) for w, b in ((w3, b3), (w4, b4), (w5, b5))]
        return torch.cat([F.max_pool1d(o, o.size(2)).squeeze(2) for o in outs], 1)

    def condconv(x, routing_w, routing_b, experts):  # CondConv: per-example expert mixing, one grouped conv
        b, c, h, w = x.shape  # over the batch folded into channels
        routing = torch.sigmoid(F.linear(F.adaptive_avg_pool2d(x, 1).flatten(1), routing_w, routing_b))
        e, o, i_, k, _ = experts.shape
        weight = torch.matmul(routing, experts.view(e, -1)).view(b * o, i_, k, k)
        y = F.conv2d(x.reshape(1, b * c, h, w), weight, padding=k // 2, groups=b)
        return y.view(b, o, y.shape[-2], y.shape[-1])

    def involution(x, w_reduce, w_span, k=7, groups=16):  # involution (RedNet): kernels generated per pixel, unfold,
        b, c, h, w = x.shape  # weighted sum over the window
        weight = F.conv2d(F.relu(F.conv2d(x, w_reduce)), w_span).view(b, groups, k * k, h, w).unsqueeze(2)
        out_ = F.unfold(x, k, 1, (k - 1) // 2, 1).view(b, groups, c // groups, k * k, h, w)
        return (weight * out_).sum(dim=3).view(b, c, h, w)

    # CBAM at ResNet-50's stage 3 (64 x 1024 x 14 x 14); SPP-net on 64 x 256 x 13 x 13; fractional max pooling at
    # 128 x 160 x 32 x 32; GeM on ResNet-101 at 16 x 2048 x 32 x 32; SegNet's pool and unpool on CamVid at 4 x 64 x
    # 360 x 480; TextCNN (100 filters of widths 3-5, 300-d) at 256 x 64 tokens; CondConv (8 experts) at 64 x 128 x 28 x
    # 28; involution at 32 x 128 x 28 x 28
    out += [
        ("cbam", cbam, (mf(64, 1024, 14, 14), mf(64, 1024, 1, 1), mf(1024, 64, 1, 1), mf(1, 2, 7, 7))),
        ("spp_adaptive_max", spp, (mf(64, 256, 13, 13),)),
        ("fractional_max_pool2d", fractional_max_pool, (mf(128, 160, 32, 32),)),
        ("gem_pool", gem, (mf(16, 2048, 32, 32), mf(1))),
        ("segnet_pool_unpool", segnet_pool_unpool, (mf(4, 64, 360, 480),)),
        ("textcnn", textcnn, (mf(256, 64, 300), mf(100, 1, 3, 300), mf(100), mf(100, 1, 4, 300), mf(100),
                              mf(100, 1, 5, 300), mf(100))),
        ("condconv", condconv, (mf(64, 128, 28, 28), mf(8, 128), mf(8), mf(8, 128, 128, 3, 3))),
        ("involution", involution, (mf(32, 128, 28, 28), mf(32, 128, 1, 1), mf(784, 32, 1, 1))),
    ]

    # ================================================================== decoding and sampling
    def contrastive_search(logits, context_hidden, next_hidden, alpha=0.6, top_k=4):  # transformers' contrastive
        top_k_probs, top_k_ids = torch.topk(F.softmax(logits, dim=-1), dim=-1, k=top_k)  # search (_ranking_fast):
        norm_context = context_hidden / context_hidden.norm(dim=2, keepdim=True)  # top-k candidates, the cosine
        norm_next = next_hidden / next_hidden.norm(dim=2, keepdim=True)  # degeneration penalty, the argmax
        cosine = torch.matmul(norm_context, norm_next.transpose(1, 2)).squeeze(-1)
        penalty, _ = torch.max(cosine, dim=-1)
        score = (1.0 - alpha) * top_k_probs.view(-1) - alpha * penalty
        _, selected = torch.stack(torch.split(score, top_k)).max(dim=-1)
        return top_k_ids.gather(-1, selected[:, None])

    def beam_search_step(logits, beam_scores, k_cache, v_cache, num_beams=5):  # a beam-search step: log-softmax
        vocab = logits.shape[-1]  # plus the beam scores, top 2 x beams over beams x vocab, beam and token ids, the
        scores = F.log_softmax(logits.float(), dim=-1) + beam_scores[:, None]  # KV cache reordered by index_select
        scores = scores.view(-1, num_beams * vocab)
        next_scores, next_tokens = torch.topk(scores, 2 * num_beams, dim=1, largest=True, sorted=True)
        next_indices = torch.div(next_tokens, vocab, rounding_mode="floor")
        next_tokens = next_tokens % vocab
        offsets = torch.arange(scores.shape[0], device=logits.device)[:, None] * num_beams
        beam_idx = (next_indices[:, :num_beams] + offsets).view(-1)
        return next_scores, next_tokens, k_cache.index_select(0, beam_idx), v_cache.index_select(0, beam_idx)

    def apply_token_bitmask(logits, bitmask):  # xgrammar's torch token-bitmask application (grammar-constrained
        vocab_size = logits.shape[-1]  # decoding): int32 words repeated, bits by shift and and, masked_fill_
        mask_expanded = torch.repeat_interleave(bitmask, 32, dim=-1)
        bit_indices = torch.arange(32, device=logits.device, dtype=torch.int32).repeat(bitmask.shape[1])
        bit_masks = ((mask_expanded >> bit_indices) & 1)[:, :vocab_size]
        logits[:, :vocab_size].masked_fill_(bit_masks == 0, float("-inf"))
        return logits

    # contrastive search (k 4) over Llama-2's 32000 tokens at 8 with 512 context states (4096-wide); Whisper large-v3's
    # beam step (5 beams, 51866 tokens, 448-slot cache of 20 heads) at 16; xgrammar's bitmask over Llama-3's vocabulary
    # at 64
    out += [
        ("contrastive_search_ranking", contrastive_search, (mf(8, 32000), m(32, 512, 4096), m(32, 1, 4096))),
        ("beam_search_step_whisper", beam_search_step, (mf(80, 51866), mf(80), mh(80, 20, 448, 64),
                                                        mh(80, 20, 448, 64))),
        ("xgrammar_token_bitmask", apply_token_bitmask, (mf(64, 128256), mi32(64, 4008))),
    ]

    # ================================================================== data collation on the GPU
    def mlm_mask_tokens(inputs, special_tokens_mask, mask_token_id=103, vocab=30522, mlm_probability=0.15):
        labels = inputs.clone()  # DataCollatorForLanguageModeling.torch_mask_tokens: Bernoulli masking, 80 / 10 / 10
        probability_matrix = torch.full(labels.shape, mlm_probability, device=inputs.device)  # (boolean-mask
        probability_matrix.masked_fill_(special_tokens_mask, value=0.0)  # writes as masked_fill and where)
        masked_indices = torch.bernoulli(probability_matrix).bool()
        labels = labels.masked_fill(~masked_indices, -100)
        replaced = torch.bernoulli(torch.full(labels.shape, 0.8, device=inputs.device)).bool() & masked_indices
        inputs = inputs.masked_fill(replaced, mask_token_id)
        rand = torch.bernoulli(torch.full(labels.shape, 0.5, device=inputs.device)).bool() & masked_indices & ~replaced
        random_words = torch.randint(vocab, labels.shape, dtype=torch.long, device=inputs.device)
        return torch.where(rand, random_words, inputs), labels

    def shift_tokens_right(input_ids, pad_token_id=1, decoder_start_token_id=2):  # BART's decoder inputs
        shifted = input_ids.new_zeros(input_ids.shape)
        shifted[:, 1:] = input_ids[:, :-1].clone()
        shifted[:, 0] = decoder_start_token_id
        shifted.masked_fill_(shifted == -100, pad_token_id)
        return shifted

    # MLM masking for BERT at 256 x 512; BART's decoder inputs for 32 x 142 summary labels
    out += [
        ("mlm_mask_tokens", mlm_mask_tokens, (i(256, 512), mb(256, 512))),
        ("shift_tokens_right", shift_tokens_right, (i(32, 142),)),
    ]

    # ================================================================== parameter-efficient fine-tuning variants
    def vera(x, w, a_shared, b_shared, lambda_d, lambda_b):  # PEFT's VeRA: frozen shared random A / B sliced, the
        result = F.linear(x, w)  # trainable scaling vectors
        sliced_a = a_shared[:, : x.shape[-1]].to(x.dtype)
        sliced_b = b_shared[: w.shape[0], :].to(x.dtype)
        return result + lambda_b * F.linear(lambda_d * F.linear(x, sliced_a), sliced_b)

    def loha(x, w, w1a, w1b, w2a, w2b, scale=1.0):  # PEFT's LoHa: the Hadamard product of two low-rank products
        delta = (w1a @ w1b) * (w2a @ w2b) * scale
        return F.linear(x, w) + F.linear(x, delta)

    def oft(x, w, oft_r):  # PEFT's OFT: Cayley transform of skew blocks by linalg.solve, block_diag, rotated weight
        b, r, c = oft_r.shape
        skew = 0.5 * (oft_r - oft_r.transpose(1, 2))
        eye = torch.eye(r, device=oft_r.device, dtype=oft_r.dtype).unsqueeze(0).expand(b, r, c)
        q = torch.linalg.solve(eye + skew, eye - skew, left=False)
        rot = torch.block_diag(*torch.unbind(q))
        return F.linear(x, torch.mm(w.t(), rot).t())

    # VeRA (r 256) on Llama-2-7B's q_proj at 4 x 2048; LoHa (r 8) on SDXL's 640-wide attention projection at 2 x 4096;
    # OFT (8 blocks of 80) on the same projection
    out += [
        ("vera", vera, (m(4, 2048, 4096), m(4096, 4096), mf(256, 4096), mf(4096, 256), m(256), m(4096))),
        ("loha", loha, (m(2, 4096, 640), m(640, 640), m(640, 8), m(8, 640), m(640, 8), m(8, 640))),
        ("oft_cayley", oft, (mf(2, 4096, 640), mf(640, 640), mf(8, 80, 80))),
    ]

    # ================================================================== pose estimation
    def hrnet_get_max_preds(heatmaps, heatmaps_flipped, flip_idx):  # HRNet's flip test (flip back by the joint
        heatmaps = (heatmaps + heatmaps_flipped.flip(3)[:, flip_idx]) * 0.5  # pairs) and get_max_preds
        b, j, _, width = heatmaps.shape
        flat = heatmaps.reshape((b, j, -1))
        idx = torch.argmax(flat, 2).unsqueeze(-1)
        maxvals = torch.amax(flat, 2).unsqueeze(-1)
        preds = idx.repeat(1, 1, 2).float()
        preds[:, :, 0] = preds[:, :, 0] % width
        preds[:, :, 1] = torch.floor(preds[:, :, 1] / width)
        return preds * (maxvals > 0.0).repeat(1, 1, 2).float(), maxvals

    # HRNet-W32's 64 x 48 heatmaps of 17 joints at 32 (with the flipped pass)
    out += [
        ("hrnet_flip_get_max_preds", hrnet_get_max_preds, (mf(32, 17, 64, 48), mf(32, 17, 64, 48), i(17))),
    ]

    # ================================================================== image augmentation
    def mixup_cutmix(x, target, lam=0.7, num_classes=1000, smoothing=0.1, box=(40, 152, 56, 168)):  # timm's mixup
        x = x.clone()  # (batch flipped, mul_ and add_), a cutmix box pasted from the flipped batch, mixed smoothed
        x_flipped = x.flip(0).mul_(1.0 - lam)  # one-hot targets by scatter_
        x.mul_(lam).add_(x_flipped)
        yl, yh, xl, xh = box
        x[:, :, yl:yh, xl:xh] = x.flip(0)[:, :, yl:yh, xl:xh]
        off, on = smoothing / num_classes, 1.0 - smoothing + smoothing / num_classes
        y1 = torch.full((target.size(0), num_classes), off, device=x.device).scatter_(1, target.view(-1, 1), on)
        y2 = torch.full((target.size(0), num_classes), off, device=x.device).scatter_(1, target.flip(0).view(-1, 1), on)
        return x, y1 * lam + y2 * (1.0 - lam)

    # timm's mixup / cutmix at 128 x 224^2
    out += [
        ("timm_mixup_cutmix", mixup_cutmix, (mf(128, 3, 224, 224), i(128))),
    ]

    # ================================================================== distillation and reinforcement learning
    def gkd_jsd(student_logits, teacher_logits, beta=0.5):  # TRL's generalised JSD (GKDTrainer)
        s, t = F.log_softmax(student_logits, dim=-1), F.log_softmax(teacher_logits, dim=-1)
        b = torch.tensor(beta, dtype=s.dtype, device=s.device)
        mixture = torch.logsumexp(torch.stack([s + torch.log(1 - b), t + torch.log(b)]), dim=0)
        kl_t = F.kl_div(mixture, t, reduction="none", log_target=True)
        kl_s = F.kl_div(mixture, s, reduction="none", log_target=True)
        return (b * kl_t + (1 - b) * kl_s).sum() / s.shape[0]

    def quantile_huber(current, target, taus, kappa=1.0):  # QR-DQN / IQN's quantile Huber loss over quantile pairs
        td = target.unsqueeze(1) - current.unsqueeze(2)
        huber = torch.where(td.abs() <= kappa, 0.5 * td.pow(2), kappa * (td.abs() - 0.5 * kappa))
        loss = torch.abs(taus[..., None] - (td.detach() < 0).float()) * huber / kappa
        return loss.sum(dim=1).mean()

    # TRL's GKD over Qwen2's 151936 tokens at 1024 bf16 positions; QR-DQN's loss (200 quantiles) at 256
    out += [
        ("gkd_generalized_jsd", gkd_jsd, (m(1024, 151936), m(1024, 151936))),
        ("quantile_huber_loss", quantile_huber, (mf(256, 200), mf(256, 200), mf(256, 200))),
    ]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK30, _check30()),))
