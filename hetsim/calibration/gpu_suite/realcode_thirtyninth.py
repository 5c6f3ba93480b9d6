"""The aten sweep's twenty-first blind real-code group: `realcode-check21`, diffusion samplers, video, optical flow,
point clouds, Gaussian splatting and scientific models, RL and contrastive utilities, detection post-processing,
quantisation, serving, long-context attention, tabular, time-series and speech code.

Each case is one op or a short idiom as the models' public reference code and the libraries' torch paths write it, at
real model widths, batches, sequence lengths and dtypes (fp32 where a codebase keeps it, fp16 and bf16 where it runs in
half precision, int64 and int32 indices, bool masks, uint8 and fp8 codes, complex spectra): diffusion samplers
(k-diffusion's Karras sigmas; diffusers' DDIM step for epsilon and v-prediction, DDPM's add_noise by gathered alphas,
DeepFloyd IF's dynamic thresholding by quantile, DPM-Solver++ 2M's multistep update with its fp32 sample,
Euler-ancestral's upcast step and input scaling, classifier-free guidance with the rescale of its standard deviation)
over SD-1.5, SDXL, CogVideoX and IF latents; video (TimeSformer's temporal attention over each patch's frames with its
rearranges and temporal_fc; Video Swin-B's 3-D shifted windows by roll, partition and reverse); optical flow (RAFT's
all-pairs correlation by matmul, its avg_pool2d pyramid and the windowed lookup by grid_sample, the coordinate grid,
the motion encoder, SepConvGRU's separable convolutions, the flow and mask heads and the convex upsampling by unfold);
point clouds (PointNet++'s farthest point sampling as a loop, ball query by a masked sort, grouping gathers with the
1x1-conv MLP and max pool, feature propagation's inverse-distance interpolation; DGCNN's kNN by topk and its edge
features; kNN by cdist and topk); 3-D Gaussian splatting in torch (the original code's rotation and scaling matrices
by slice writes, covariance by bmm and its packed upper triangle, the parameters' activations; gsplat's quaternion to
rotation by stack and covariance by bmm, the 2-D covariance's determinant, conics and radii with boolean culling) and
nerfstudio's pure-torch multiresolution hash encoding (int32 hashing by xor and remainder, table gathers, trilinear
lerps); molecular GNNs (PyG's SchNet on QM9: edge lengths, Gaussian smearing, the cosine-cutoff filter network,
CFConv's messages gathered by index_select and summed by scatter_add_, shifted softplus and the sum readout;
schnetpack's PaiNN message with index_add scatters of scalar and vector features); RL utilities (CleanRL's GAE as a
reverse loop over Isaac Gym's envs, advantage normalisation; TRL's per-token log-probs by gather with the row-wise
log_softmax and fp32 logsumexp forms, chunked and verl entropies, GRPO's group advantages, completion mask and clipped
loss with the k3 KL, DPO's masked log-probs and sigmoid loss); contrastive losses (SupCon with its scattered logits
mask, open_clip's CLIP loss by cross-entropy and SigLIP's sigmoid loss); detection and segmentation post-processing
(Faster R-CNN's box decode and the RPN's per-level top-k; DETR's box conversions, GIoU by broadcasting, the Hungarian
cost matrix with cdist p=1, its post-processing; YOLOv8's batched score thresholding with class offsets;
Mask2Former's semantic einsum after bilinear upsampling and its instance inference); quantisation (bitsandbytes' NF4
dequantisation by nibble shifts and a 16-entry table with double-quantised absmax; DeepGEMM's per-block fp8 cast with
padding and per-token cast by amax, a block dequantisation; SmoothQuant's activation statistics and scale migration;
AutoGPTQ's int4 unpacking with act-order g_idx); serving (vLLM's slot mapping from block tables, block copies for
prefix caching, HF generate's per-step bookkeeping with isin on EOS, stop sequences by unfold, eq and all);
long-context attention (Longformer's sliding chunks by as_strided, einsum, diagonal re-layout and invalid-location
masks; Llama-4's chunked attention mask and SDPA through it; local-attention's look-around windows); tabular models
(xDeepFM's CIN, MMoE's gates); time series (Informer's ProbSparse attention by sampled keys, top-k queries and
index_put of the context; Autoformer's series decomposition by avg_pool1d and autocorrelation by rfft / irfft with the
delayed gathers; N-BEATS' blocks with trend and seasonality bases; TimesNet's FFT periods) and speech (torchaudio's and
NeMo's RNN-T joints by broadcasting add, SpecAugment's iid masks, Vocos' ISTFT head by irfft and fold).
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal to one of theirs, so
it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK21 = "realcode-check21"


def _check21():
    import math

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import (
        _dtype_makers,
        _layer_makers,
        _meta_makers,
        repeat_kv,
    )

    m, i = _meta_makers()

    linear, _, ln = _layer_makers(1e-6, 1e-6)

    mh, mf, mb, mi32 = _dtype_makers()

    def mu8(*shape):
        return m(*shape, dt=torch.uint8)

    out = []

    # ================================================================== diffusion samplers
    # ------------------------------------------------------------------ k-diffusion schedules
    def karras_sigmas(n=30, sigma_min=0.0292, sigma_max=14.6146, rho=7.0):  # get_sigmas_karras
        ramp = torch.linspace(0, 1, n)
        min_inv_rho = sigma_min ** (1 / rho)
        max_inv_rho = sigma_max ** (1 / rho)
        sigmas = (max_inv_rho + ramp * (min_inv_rho - max_inv_rho)) ** rho
        return torch.cat([sigmas, sigmas.new_zeros([1])])

    # a 30-step Karras schedule
    out += [("karras_sigmas", karras_sigmas, ())]

    # ------------------------------------------------------------------ diffusers' schedulers
    def ddim_step(model_output, sample, alphas_cumprod, noise=None, t=801, prev_t=781, eta=0.0, v_pred=False):
        # DDIMScheduler.step: x0 and epsilon from the prediction, the direction to x_t-1, eta's noise
        alpha_prod_t = alphas_cumprod[t]
        alpha_prod_t_prev = alphas_cumprod[prev_t]
        beta_prod_t = 1 - alpha_prod_t
        if v_pred:
            pred_original_sample = (alpha_prod_t ** 0.5) * sample - (beta_prod_t ** 0.5) * model_output
            pred_epsilon = (alpha_prod_t ** 0.5) * model_output + (beta_prod_t ** 0.5) * sample
        else:
            pred_original_sample = (sample - beta_prod_t ** 0.5 * model_output) / alpha_prod_t ** 0.5
            pred_epsilon = model_output
        variance = (1 - alpha_prod_t_prev) / beta_prod_t * (1 - alpha_prod_t / alpha_prod_t_prev)
        std_dev_t = eta * variance ** 0.5
        pred_sample_direction = (1 - alpha_prod_t_prev - std_dev_t ** 2) ** 0.5 * pred_epsilon
        prev_sample = alpha_prod_t_prev ** 0.5 * pred_original_sample + pred_sample_direction
        if eta > 0:
            prev_sample = prev_sample + std_dev_t * noise
        return prev_sample, pred_original_sample

    def ddpm_add_noise(original, noise, timesteps, alphas_cumprod):  # DDPMScheduler.add_noise (img2img, training)
        alphas_cumprod = alphas_cumprod.to(dtype=original.dtype)
        sqrt_alpha_prod = alphas_cumprod[timesteps] ** 0.5
        sqrt_alpha_prod = sqrt_alpha_prod.flatten()
        while len(sqrt_alpha_prod.shape) < len(original.shape):
            sqrt_alpha_prod = sqrt_alpha_prod.unsqueeze(-1)
        sqrt_one_minus_alpha_prod = (1 - alphas_cumprod[timesteps]) ** 0.5
        sqrt_one_minus_alpha_prod = sqrt_one_minus_alpha_prod.flatten()
        while len(sqrt_one_minus_alpha_prod.shape) < len(original.shape):
            sqrt_one_minus_alpha_prod = sqrt_one_minus_alpha_prod.unsqueeze(-1)
        return sqrt_alpha_prod * original + sqrt_one_minus_alpha_prod * noise

    def threshold_sample(sample, ratio=0.995, sample_max=1.5):  # DDPMScheduler._threshold_sample (DeepFloyd IF)
        dtype = sample.dtype
        batch_size, channels, *remaining_dims = sample.shape
        sample = sample.float()
        sample = sample.reshape(batch_size, channels * math.prod(remaining_dims))
        abs_sample = sample.abs()
        s = torch.quantile(abs_sample, ratio, dim=1)
        s = torch.clamp(s, min=1, max=sample_max)
        s = s.unsqueeze(1)
        sample = torch.clamp(sample, -s, s) / s
        return sample.reshape(batch_size, channels, *remaining_dims).to(dtype)

    def dpmpp_2m_update(m0, m1, sample, sigmas, i=10):  # DPMSolverMultistepScheduler, dpmsolver++ midpoint 2M
        def alpha_sigma(s):  # _sigma_to_alpha_sigma_t
            alpha_t = 1 / ((s ** 2 + 1) ** 0.5)
            return alpha_t, s * alpha_t

        sample = sample.to(torch.float32)
        alpha_t, sigma_t = alpha_sigma(sigmas[i + 1])
        alpha_s0, sigma_s0 = alpha_sigma(sigmas[i])
        alpha_s1, sigma_s1 = alpha_sigma(sigmas[i - 1])
        x0 = (sample - sigma_s0 * m0) / alpha_s0  # convert_model_output: the epsilon turned into x0
        lambda_t = torch.log(alpha_t) - torch.log(sigma_t)
        lambda_s0 = torch.log(alpha_s0) - torch.log(sigma_s0)
        lambda_s1 = torch.log(alpha_s1) - torch.log(sigma_s1)
        h, h_0 = lambda_t - lambda_s0, lambda_s0 - lambda_s1
        r0 = h_0 / h
        d0, d1 = x0, (1.0 / r0) * (x0 - m1)
        x_t = ((sigma_t / sigma_s0) * sample - (alpha_t * (torch.exp(-h) - 1.0)) * d0
               - 0.5 * (alpha_t * (torch.exp(-h) - 1.0)) * d1)
        return x_t.to(m0.dtype), x0

    def euler_ancestral_step(model_output, sample, sigmas, noise, i=12):  # EulerAncestralDiscreteScheduler.step
        sigma = sigmas[i]
        sample = sample.to(torch.float32)
        pred_original_sample = sample - sigma * model_output
        sigma_from, sigma_to = sigmas[i], sigmas[i + 1]
        sigma_up = (sigma_to ** 2 * (sigma_from ** 2 - sigma_to ** 2) / sigma_from ** 2) ** 0.5
        sigma_down = (sigma_to ** 2 - sigma_up ** 2) ** 0.5
        derivative = (sample - pred_original_sample) / sigma
        dt = sigma_down - sigma
        prev_sample = sample + derivative * dt
        prev_sample = prev_sample + noise * sigma_up
        return prev_sample.to(model_output.dtype)

    def euler_scale_input(sample, sigmas, i=12):  # scale_model_input: x / sqrt(sigma^2 + 1)
        return sample / ((sigmas[i] ** 2 + 1) ** 0.5)

    def cfg_rescale(noise_pred, scale=7.5, guidance_rescale=0.7):  # CFG, then rescale_noise_cfg (Lin et al.)
        noise_pred_uncond, noise_pred_text = noise_pred.chunk(2)
        noise_cfg = noise_pred_uncond + scale * (noise_pred_text - noise_pred_uncond)
        std_text = noise_pred_text.std(dim=list(range(1, noise_pred_text.ndim)), keepdim=True)
        std_cfg = noise_cfg.std(dim=list(range(1, noise_cfg.ndim)), keepdim=True)
        noise_pred_rescaled = noise_cfg * (std_text / std_cfg)
        return guidance_rescale * noise_pred_rescaled + (1 - guidance_rescale) * noise_cfg

    # DDIM over SD-1.5 latents (8 x 4 x 64 x 64, fp16), v-prediction over CogVideoX-5B's 13 x 60 x 90 latents (bf16);
    # add_noise at 8 sampled timesteps (SD-1.5 img2img, fp16); IF stage I's thresholding (4 x 3 x 64 x 64, fp16);
    # DPM-Solver++ 2M on SDXL (4 x 4 x 128 x 128: fp16 outputs, fp32 sample); Euler-ancestral and its input scaling on
    # SD-1.5 and SDXL; CFG with guidance rescale on SDXL's doubled batch
    out += [("ddim_step", lambda mo, s, a: ddim_step(mo, s, a), (mh(8, 4, 64, 64), mh(8, 4, 64, 64), mf(1000))),
            ("ddim_step_v", lambda mo, s, a: ddim_step(mo, s, a, v_pred=True),
             (m(1, 13, 16, 60, 90), m(1, 13, 16, 60, 90), mf(1000))),
            ("ddpm_add_noise", ddpm_add_noise, (mh(8, 4, 64, 64), mh(8, 4, 64, 64), i(8), mf(1000))),
            ("threshold_sample", threshold_sample, (mh(4, 3, 64, 64),)),
            ("dpmpp_2m_update", dpmpp_2m_update, (mh(4, 4, 128, 128), mf(4, 4, 128, 128), mh(4, 4, 128, 128),
                                                  mf(26))),
            ("euler_ancestral_step", euler_ancestral_step, (mh(8, 4, 64, 64), mh(8, 4, 64, 64), mf(31),
                                                            mf(8, 4, 64, 64))),
            ("euler_scale_input", euler_scale_input, (mh(8, 4, 64, 64), mf(31))),
            ("euler_scale_input", euler_scale_input, (mh(4, 4, 128, 128), mf(31))),
            ("cfg_rescale", cfg_rescale, (mh(8, 4, 128, 128),))]

    # ================================================================== video
    # ------------------------------------------------------------------ TimeSformer: divided space-time attention
    def vit_attention(x, wqkv, bqkv, wproj, bproj, heads=12):  # the timm Attention TimeSformer calls
        B, N, C = x.shape
        qkv = linear(x, wqkv, bqkv).reshape(B, N, 3, heads, C // heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * (C // heads) ** -0.5
        attn = attn.softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(B, N, C)
        return linear(x, wproj, bproj)

    def timesformer_temporal(x, nw, nb, wqkv, bqkv, wproj, bproj, wfc, bfc, T=8):  # time first: each patch's T frames
        B, n, c = x.shape
        hw = (n - 1) // T
        xt = x[:, 1:, :].reshape(B * hw, T, c)  # 'b (h w t) m -> (b h w) t m'
        res = vit_attention(ln(xt, nw, nb), wqkv, bqkv, wproj, bproj)
        res = res.reshape(B, hw * T, c)  # '(b h w) t m -> b (h w t) m'
        res = linear(res, wfc, bfc)  # temporal_fc
        return x[:, 1:, :] + res

    # TimeSformer-base (8 frames of 196 patches, 768 wide, 12 heads, fp16) for a batch of 8 clips
    tsf = (mh(768), mh(768), mh(2304, 768), mh(2304), mh(768, 768), mh(768))
    out += [("timesformer_temporal", timesformer_temporal, (mh(8, 1569, 768), *tsf, mh(768, 768), mh(768)))]

    # ------------------------------------------------------------------ Video Swin: 3-D shifted windows
    def window_partition3d(x, ws):
        B, D, H, W, C = x.shape
        x = x.view(B, D // ws[0], ws[0], H // ws[1], ws[1], W // ws[2], ws[2], C)
        return x.permute(0, 1, 3, 5, 2, 4, 6, 7).contiguous().view(-1, ws[0] * ws[1] * ws[2], C)

    def window_reverse3d(windows, ws, B, D, H, W):
        x = windows.view(B, D // ws[0], H // ws[1], W // ws[2], ws[0], ws[1], ws[2], -1)
        return x.permute(0, 1, 4, 2, 5, 3, 6, 7).contiguous().view(B, D, H, W, -1)

    def swin3d_partition(x, nw, nb, ws=(8, 7, 7), shift=(4, 3, 3)):  # forward_part1: norm, cyclic shift, windows
        x = F.layer_norm(x, (x.shape[-1],), nw, nb, 1e-5)
        shifted_x = torch.roll(x, shifts=(-shift[0], -shift[1], -shift[2]), dims=(1, 2, 3))
        return window_partition3d(shifted_x, ws)

    def swin3d_merge(attn_windows, shortcut, ws=(8, 7, 7), shift=(4, 3, 3)):  # windows reversed, shift undone, residual
        B, D, H, W, C = shortcut.shape
        shifted_x = window_reverse3d(attn_windows.view(-1, *ws, C), ws, B, D, H, W)
        x = torch.roll(shifted_x, shifts=shift, dims=(1, 2, 3))
        return shortcut + x

    # Video Swin-B on Kinetics (32 frames at 224, patches 2 x 4 x 4, windows 8 x 7 x 7) for 2 clips, fp16: stage 1's
    # 16 x 56 x 56 x 128 map into 128 windows a clip of 392 tokens, and back
    out += [("swin3d_partition", swin3d_partition, (mh(2, 16, 56, 56, 128), mh(128), mh(128))),
            ("swin3d_merge", swin3d_merge, (mh(256, 392, 128), mh(2, 16, 56, 56, 128)))]

    # ================================================================== optical flow
    # ------------------------------------------------------------------ RAFT
    def raft_corr_pyramid(fmap1, fmap2, num_levels=4):  # CorrBlock.__init__: all pairs by matmul, avg_pool2d levels
        batch, dim, ht, wd = fmap1.shape
        f1 = fmap1.view(batch, dim, ht * wd)
        f2 = fmap2.view(batch, dim, ht * wd)
        corr = torch.matmul(f1.transpose(1, 2), f2)
        corr = corr.view(batch, ht, wd, 1, ht, wd)
        corr = corr / torch.sqrt(torch.tensor(dim).float())
        corr = corr.reshape(batch * ht * wd, 1, ht, wd)
        pyramid = [corr]
        for _ in range(num_levels - 1):
            corr = F.avg_pool2d(corr, 2, stride=2)
            pyramid.append(corr)
        return pyramid

    def bilinear_sampler(img, coords):  # RAFT's utils.bilinear_sampler: pixel coordinates to [-1, 1], grid_sample
        H, W = img.shape[-2:]
        xgrid, ygrid = coords.split([1, 1], dim=-1)
        xgrid = 2 * xgrid / (W - 1) - 1
        ygrid = 2 * ygrid / (H - 1) - 1
        grid = torch.cat([xgrid, ygrid], dim=-1)
        return F.grid_sample(img, grid, align_corners=True)

    def raft_corr_lookup(coords, c0, c1, c2, c3, r=4):  # CorrBlock.__call__: a (2r+1)^2 window at every level
        coords = coords.permute(0, 2, 3, 1)
        batch, h1, w1, _ = coords.shape
        out_pyramid = []
        for lvl, corr in enumerate((c0, c1, c2, c3)):
            dx = torch.linspace(-r, r, 2 * r + 1)
            dy = torch.linspace(-r, r, 2 * r + 1)
            delta = torch.stack(torch.meshgrid(dy, dx, indexing="ij"), dim=-1)
            centroid_lvl = coords.reshape(batch * h1 * w1, 1, 1, 2) / 2 ** lvl
            coords_lvl = centroid_lvl + delta.view(1, 2 * r + 1, 2 * r + 1, 2)
            corr = bilinear_sampler(corr, coords_lvl)
            out_pyramid.append(corr.view(batch, h1, w1, -1))
        out_ = torch.cat(out_pyramid, dim=-1)
        return out_.permute(0, 3, 1, 2).contiguous().float()

    def coords_grid(img):  # RAFT.initialize_flow: pixel coordinates at 1/8
        N, _, H, W = img.shape
        coords = torch.meshgrid(torch.arange(H // 8), torch.arange(W // 8), indexing="ij")
        coords = torch.stack(coords[::-1], dim=0).float()
        return coords[None].repeat(N, 1, 1, 1)

    def raft_motion_encoder(flow, corr, wc1, bc1, wc2, bc2, wf1, bf1, wf2, bf2, w, b):  # BasicMotionEncoder
        cor = F.relu(F.conv2d(corr, wc1, bc1))
        cor = F.relu(F.conv2d(cor, wc2, bc2, padding=1))
        flo = F.relu(F.conv2d(flow, wf1, bf1, padding=3))
        flo = F.relu(F.conv2d(flo, wf2, bf2, padding=1))
        out_ = F.relu(F.conv2d(torch.cat([cor, flo], dim=1), w, b, padding=1))
        return torch.cat([out_, flow], dim=1)

    def sep_conv_gru(h, x, wz1, bz1, wr1, br1, wq1, bq1, wz2, bz2, wr2, br2, wq2, bq2):  # SepConvGRU: (1,5) then (5,1)
        hx = torch.cat([h, x], dim=1)
        z = torch.sigmoid(F.conv2d(hx, wz1, bz1, padding=(0, 2)))
        r = torch.sigmoid(F.conv2d(hx, wr1, br1, padding=(0, 2)))
        q = torch.tanh(F.conv2d(torch.cat([r * h, x], dim=1), wq1, bq1, padding=(0, 2)))
        h = (1 - z) * h + z * q
        hx = torch.cat([h, x], dim=1)
        z = torch.sigmoid(F.conv2d(hx, wz2, bz2, padding=(2, 0)))
        r = torch.sigmoid(F.conv2d(hx, wr2, br2, padding=(2, 0)))
        q = torch.tanh(F.conv2d(torch.cat([r * h, x], dim=1), wq2, bq2, padding=(2, 0)))
        return (1 - z) * h + z * q

    def raft_heads(net, coords1, w1, b1, w2, b2, wm1, bm1, wm2, bm2):  # FlowHead, the mask head, the coordinate update
        delta_flow = F.conv2d(F.relu(F.conv2d(net, w1, b1, padding=1)), w2, b2, padding=1)
        mask = .25 * F.conv2d(F.relu(F.conv2d(net, wm1, bm1, padding=1)), wm2, bm2)
        return coords1 + delta_flow, mask

    def upsample_flow(flow, mask):  # RAFT.upsample_flow: convex combination of 3 x 3 neighbours by unfold
        N, _, H, W = flow.shape
        mask = mask.view(N, 1, 9, 8, 8, H, W)
        mask = torch.softmax(mask, dim=2)
        up_flow = F.unfold(8 * flow, [3, 3], padding=1)
        up_flow = up_flow.view(N, 2, 9, 1, 1, H, W)
        up_flow = torch.sum(mask * up_flow, dim=2)
        up_flow = up_flow.permute(0, 1, 4, 2, 5, 3)
        return up_flow.reshape(N, 2, 8 * H, 8 * W)

    # RAFT (fp32) on Sintel (436 x 1024 padded to 440, 1/8: 55 x 128, 256-d features): the correlation pyramid, the
    # lookup over 4 levels at radius 4 (324 channels), the coordinate grid, the motion encoder and SepConvGRU (hidden
    # 128, input 256), the heads and the convex upsampling to full resolution
    out += [("raft_corr_pyramid", raft_corr_pyramid, (mf(1, 256, 55, 128), mf(1, 256, 55, 128))),
            ("raft_corr_lookup", raft_corr_lookup, (mf(1, 2, 55, 128), mf(7040, 1, 55, 128), mf(7040, 1, 27, 64),
                                                    mf(7040, 1, 13, 32), mf(7040, 1, 6, 16))),
            ("coords_grid", coords_grid, (mf(1, 3, 440, 1024),)),
            ("raft_motion_encoder", raft_motion_encoder,
             (mf(1, 2, 55, 128), mf(1, 324, 55, 128), mf(256, 324, 1, 1), mf(256), mf(192, 256, 3, 3), mf(192),
              mf(128, 2, 7, 7), mf(128), mf(64, 128, 3, 3), mf(64), mf(126, 256, 3, 3), mf(126))),
            ("sep_conv_gru", sep_conv_gru,
             (mf(1, 128, 55, 128), mf(1, 256, 55, 128),
              *(t for _ in range(3) for t in (mf(128, 384, 1, 5), mf(128))),
              *(t for _ in range(3) for t in (mf(128, 384, 5, 1), mf(128))))),
            ("raft_heads", raft_heads, (mf(1, 128, 55, 128), mf(1, 2, 55, 128), mf(256, 128, 3, 3), mf(256),
                                        mf(2, 256, 3, 3), mf(2), mf(256, 128, 3, 3), mf(256), mf(576, 256, 1, 1),
                                        mf(576))),
            ("upsample_flow", upsample_flow, (mf(1, 2, 55, 128), mf(1, 576, 55, 128)))]

    # ================================================================== point clouds
    # ------------------------------------------------------------------ PointNet++ (the pure-torch reference)
    def square_distance(src, dst):
        B, N, _ = src.shape
        _, M, _ = dst.shape
        dist = -2 * torch.matmul(src, dst.permute(0, 2, 1))
        dist += torch.sum(src ** 2, -1).view(B, N, 1)
        dist += torch.sum(dst ** 2, -1).view(B, 1, M)
        return dist

    def index_points(points, idx):
        B = points.shape[0]
        view_shape = list(idx.shape)
        view_shape[1:] = [1] * (len(view_shape) - 1)
        repeat_shape = list(idx.shape)
        repeat_shape[0] = 1
        batch_indices = torch.arange(B, dtype=torch.long).view(view_shape).repeat(repeat_shape)
        return points[batch_indices, idx, :]

    def farthest_point_sample(xyz, npoint):  # the running minimum taken by torch.min (the forks' form)
        B, N, C = xyz.shape
        centroids = torch.zeros(B, npoint, dtype=torch.long)
        distance = torch.ones(B, N) * 1e10
        farthest = torch.randint(0, N, (B,), dtype=torch.long)
        batch_indices = torch.arange(B, dtype=torch.long)
        for j in range(npoint):
            centroids[:, j] = farthest
            centroid = xyz[batch_indices, farthest, :].view(B, 1, 3)
            dist = torch.sum((xyz - centroid) ** 2, -1)
            distance = torch.min(distance, dist)
            farthest = torch.max(distance, -1)[1]
        return centroids

    def query_ball_point(radius, nsample, xyz, new_xyz):  # the ball by a sort of masked indices
        B, N, C = xyz.shape
        _, S, _ = new_xyz.shape
        group_idx = torch.arange(N, dtype=torch.long).view(1, 1, N).repeat([B, S, 1])
        sqrdists = square_distance(new_xyz, xyz)
        group_idx[sqrdists > radius ** 2] = N
        group_idx = group_idx.sort(dim=-1)[0][:, :, :nsample]
        group_first = group_idx[:, :, 0].view(B, S, 1).repeat([1, 1, nsample])
        mask = group_idx == N
        return torch.where(mask, group_first, group_idx)  # group_idx[mask] = group_first[mask]

    def set_abstraction(xyz, points, new_xyz, radius, nsample, *mlp):  # sample_and_group, 1x1 convs with BN, max
        B, S, C = new_xyz.shape
        idx = query_ball_point(radius, nsample, xyz, new_xyz)
        grouped_xyz = index_points(xyz, idx)
        grouped_xyz_norm = grouped_xyz - new_xyz.view(B, S, 1, C)
        grouped_points = index_points(points, idx)
        new_points = torch.cat([grouped_xyz_norm, grouped_points], dim=-1)
        new_points = new_points.permute(0, 3, 2, 1)
        for j in range(0, len(mlp), 6):
            w, b, rm, rv, g, bb = mlp[j:j + 6]
            new_points = F.relu(F.batch_norm(F.conv2d(new_points, w, b), rm, rv, g, bb, False, 0.1, 1e-5))
        return torch.max(new_points, 2)[0]

    def feature_propagation(xyz1, xyz2, points1, points2, w, b, rm, rv, g, bb):  # 3-NN inverse-distance interpolation
        B, N, C = xyz1.shape
        dists = square_distance(xyz1, xyz2)
        dists, idx = dists.sort(dim=-1)
        dists, idx = dists[:, :, :3], idx[:, :, :3]
        dist_recip = 1.0 / (dists + 1e-8)
        norm = torch.sum(dist_recip, dim=2, keepdim=True)
        weight = dist_recip / norm
        interpolated_points = torch.sum(index_points(points2, idx) * weight.view(B, N, 3, 1), dim=2)
        new_points = torch.cat([points1, interpolated_points], dim=-1).permute(0, 2, 1)
        return F.relu(F.batch_norm(F.conv1d(new_points, w, b), rm, rv, g, bb, False, 0.1, 1e-5))

    def bn_conv2d(cin, cout):
        return (mf(cout, cin, 1, 1), mf(cout), mf(cout), mf(cout), mf(cout), mf(cout))

    # ModelNet40 classification (24 clouds of 1024 points with normals): FPS of 512 centres, their gather, SA1's balls
    # (r 0.2, 32 points) and its MLP (6-64-64-128); ShapeNet part segmentation's first feature propagation (16 x 2048
    # points from 512, 150 -> 128)
    out += [("farthest_point_sample", lambda x: farthest_point_sample(x, 512), (mf(24, 1024, 3),)),
            ("index_points", index_points, (mf(24, 1024, 3), i(24, 512))),
            ("query_ball_point", lambda x, n: query_ball_point(0.2, 32, x, n), (mf(24, 1024, 3), mf(24, 512, 3))),
            ("set_abstraction", lambda *a: set_abstraction(*a[:3], 0.2, 32, *a[3:]),
             (mf(24, 1024, 3), mf(24, 1024, 3), mf(24, 512, 3), *bn_conv2d(6, 64), *bn_conv2d(64, 64),
              *bn_conv2d(64, 128))),
            ("feature_propagation", feature_propagation,
             (mf(16, 2048, 3), mf(16, 512, 3), mf(16, 2048, 22), mf(16, 512, 128), mf(128, 150, 1), mf(128),
              mf(128), mf(128), mf(128), mf(128)))]

    # ------------------------------------------------------------------ DGCNN and kNN
    def dgcnn_knn(x, k):  # knn: pairwise -||xi - xj||^2 by matmul, top-k
        inner = -2 * torch.matmul(x.transpose(2, 1), x)
        xx = torch.sum(x ** 2, dim=1, keepdim=True)
        pairwise_distance = -xx - inner - xx.transpose(2, 1)
        return pairwise_distance.topk(k=k, dim=-1)[1]

    def graph_feature(x, idx):  # get_graph_feature: neighbours gathered from the flat points, [x_j - x_i, x_i]
        batch_size, num_dims, num_points = x.shape
        k = idx.shape[-1]
        idx_base = torch.arange(0, batch_size).view(-1, 1, 1) * num_points
        idx = (idx + idx_base).view(-1)
        x = x.transpose(2, 1).contiguous()
        feature = x.view(batch_size * num_points, -1)[idx, :]
        feature = feature.view(batch_size, num_points, k, num_dims)
        x = x.view(batch_size, num_points, 1, num_dims).repeat(1, 1, k, 1)
        return torch.cat((feature - x, x), dim=3).permute(0, 3, 1, 2).contiguous()

    def edge_conv(feature, w, rm, rv, g, b):  # Conv2d(bias=False), BN, LeakyReLU(0.2), max over the neighbours
        x = F.leaky_relu(F.batch_norm(F.conv2d(feature, w), rm, rv, g, b, False, 0.1, 1e-5), negative_slope=0.2)
        return x.max(dim=-1, keepdim=False)[0]

    def knn_cdist(query, points, k=16):  # kNN by cdist and the k smallest
        dist = torch.cdist(query, points)
        return dist.topk(k=k, dim=-1, largest=False)

    # DGCNN on ModelNet40 (32 clouds of 1024 points, k 20): the first EdgeConv over xyz (6 -> 64); kNN by cdist over 4
    # S3DIS blocks of 8192 points and 16 ScanObjectNN clouds of 1024 (k 16)
    out += [("dgcnn_knn", lambda x: dgcnn_knn(x, 20), (mf(32, 3, 1024),)),
            ("graph_feature", graph_feature, (mf(32, 3, 1024), i(32, 1024, 20))),
            ("edge_conv", edge_conv, (mf(32, 6, 1024, 20), mf(64, 6, 1, 1), mf(64), mf(64), mf(64), mf(64))),
            ("knn_cdist", knn_cdist, (mf(4, 8192, 3), mf(4, 8192, 3))),
            ("knn_cdist", knn_cdist, (mf(16, 1024, 3), mf(16, 1024, 3)))]

    # ================================================================== 3-D Gaussian splatting and neural fields
    # ------------------------------------------------------------------ the original 3DGS code
    def build_rotation(r):  # utils.general_utils.build_rotation: normalised quaternions, nine slice writes
        norm = torch.sqrt(r[:, 0] * r[:, 0] + r[:, 1] * r[:, 1] + r[:, 2] * r[:, 2] + r[:, 3] * r[:, 3])
        q = r / norm[:, None]
        R = torch.zeros((q.size(0), 3, 3))
        r = q[:, 0]
        x = q[:, 1]
        y = q[:, 2]
        z = q[:, 3]
        R[:, 0, 0] = 1 - 2 * (y * y + z * z)
        R[:, 0, 1] = 2 * (x * y - r * z)
        R[:, 0, 2] = 2 * (x * z + r * y)
        R[:, 1, 0] = 2 * (x * y + r * z)
        R[:, 1, 1] = 1 - 2 * (x * x + z * z)
        R[:, 1, 2] = 2 * (y * z - r * x)
        R[:, 2, 0] = 2 * (x * z - r * y)
        R[:, 2, 1] = 2 * (y * z + r * x)
        R[:, 2, 2] = 1 - 2 * (x * x + y * y)
        return R

    def covariance_from_scaling_rotation(scaling, rotation, scaling_modifier=1.0):
        s = scaling_modifier * scaling
        L = torch.zeros((s.shape[0], 3, 3), dtype=torch.float)
        R = build_rotation(rotation)
        L[:, 0, 0] = s[:, 0]
        L[:, 1, 1] = s[:, 1]
        L[:, 2, 2] = s[:, 2]
        L = R @ L
        actual_covariance = L @ L.transpose(1, 2)
        uncertainty = torch.zeros((actual_covariance.shape[0], 6), dtype=torch.float)  # strip_lowerdiag
        uncertainty[:, 0] = actual_covariance[:, 0, 0]
        uncertainty[:, 1] = actual_covariance[:, 0, 1]
        uncertainty[:, 2] = actual_covariance[:, 0, 2]
        uncertainty[:, 3] = actual_covariance[:, 1, 1]
        uncertainty[:, 4] = actual_covariance[:, 1, 2]
        uncertainty[:, 5] = actual_covariance[:, 2, 2]
        return uncertainty

    def gaussian_activations(scaling, rotation, opacity, features_dc, features_rest):  # GaussianModel's getters
        return (torch.exp(scaling), F.normalize(rotation), torch.sigmoid(opacity),
                torch.cat((features_dc, features_rest), dim=1))

    # a 1M-Gaussian scene (fp32): the covariances from scales and quaternions, the activations of the parameters
    out += [("covariance_from_scaling_rotation", covariance_from_scaling_rotation, (mf(1000000, 3), mf(1000000, 4))),
            ("gaussian_activations", gaussian_activations,
             (mf(1000000, 3), mf(1000000, 4), mf(1000000, 1), mf(1000000, 1, 3), mf(1000000, 15, 3)))]

    # ------------------------------------------------------------------ gsplat's torch reference
    def quat_scale_to_covar(quats, scales):  # _quat_to_rotmat by stack, M = R S, covariance by bmm
        quats = F.normalize(quats, p=2, dim=-1)
        w, x, y, z = torch.unbind(quats, dim=-1)
        R = torch.stack([1 - 2 * (y ** 2 + z ** 2), 2 * (x * y - w * z), 2 * (x * z + w * y),
                         2 * (x * y + w * z), 1 - 2 * (x ** 2 + z ** 2), 2 * (y * z - w * x),
                         2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x ** 2 + y ** 2)], dim=-1)
        R = R.reshape(quats.shape[:-1] + (3, 3))
        M = R * scales[..., None, :]
        return torch.bmm(M, M.transpose(-1, -2))

    def projection_2d(covars2d, means2d, depths, eps2d=0.3, width=1297, height=840):  # conics, radii, culling
        det_orig = covars2d[..., 0, 0] * covars2d[..., 1, 1] - covars2d[..., 0, 1] ** 2
        covars2d = covars2d + torch.eye(2, dtype=covars2d.dtype) * eps2d
        det = covars2d[..., 0, 0] * covars2d[..., 1, 1] - covars2d[..., 0, 1] ** 2
        det = det.clamp(min=1e-10)
        compensations = torch.sqrt(torch.clamp(det_orig / det, min=0.0))
        conics = torch.stack([covars2d[..., 1, 1] / det, -(covars2d[..., 0, 1] + covars2d[..., 1, 0]) / 2.0 / det,
                              covars2d[..., 0, 0] / det], dim=-1)
        b = (covars2d[..., 0, 0] + covars2d[..., 1, 1]) / 2
        v1 = b + torch.sqrt(torch.clamp(b ** 2 - det, min=0.01))
        radius = torch.ceil(3.0 * torch.sqrt(v1))
        valid = (det > 0) & (depths > 0.01) & (depths < 1e10)
        radius[~valid] = 0.0
        inside = ((means2d[..., 0] + radius > 0) & (means2d[..., 0] - radius < width)
                  & (means2d[..., 1] + radius > 0) & (means2d[..., 1] - radius < height))
        radius[~inside] = 0.0
        return radius.int(), conics, compensations

    # gsplat's torch path over 1M Gaussians for one camera (fp32): covariances and the 2-D screen-space quantities
    out += [("quat_scale_to_covar", quat_scale_to_covar, (mf(1000000, 4), mf(1000000, 3))),
            ("projection_2d", projection_2d, (mf(1, 1000000, 2, 2), mf(1, 1000000, 2), mf(1, 1000000)))]

    # ------------------------------------------------------------------ hash grids
    def hash_fn(in_tensor, table_size, hash_offset):  # nerfstudio HashEncoding.hash_fn
        in_tensor = in_tensor * torch.tensor([1, 2654435761, 805459861])
        x = torch.bitwise_xor(in_tensor[..., 0], in_tensor[..., 1])
        x = torch.bitwise_xor(x, in_tensor[..., 2])
        x %= table_size
        x += hash_offset
        return x

    def hash_encode(in_tensor, hash_table, scalings, hash_offset, table_size=2 ** 19):  # HashEncoding.pytorch_fwd
        in_tensor = in_tensor[..., None, :]
        scaled = in_tensor * scalings.view(-1, 1)
        scaled_c = torch.ceil(scaled).type(torch.int32)
        scaled_f = torch.floor(scaled).type(torch.int32)
        offset = scaled - scaled_f

        def corner(a, b, c):
            return hash_fn(torch.cat([a[..., 0:1], b[..., 1:2], c[..., 2:3]], dim=-1), table_size, hash_offset)

        f_0 = hash_table[hash_fn(scaled_c, table_size, hash_offset)]
        f_1 = hash_table[corner(scaled_c, scaled_f, scaled_c)]
        f_2 = hash_table[corner(scaled_f, scaled_f, scaled_c)]
        f_3 = hash_table[corner(scaled_f, scaled_c, scaled_c)]
        f_4 = hash_table[corner(scaled_c, scaled_c, scaled_f)]
        f_5 = hash_table[corner(scaled_c, scaled_f, scaled_f)]
        f_6 = hash_table[hash_fn(scaled_f, table_size, hash_offset)]
        f_7 = hash_table[corner(scaled_f, scaled_c, scaled_f)]
        f_03 = f_0 * offset[..., 0:1] + f_3 * (1 - offset[..., 0:1])
        f_12 = f_1 * offset[..., 0:1] + f_2 * (1 - offset[..., 0:1])
        f_56 = f_5 * offset[..., 0:1] + f_6 * (1 - offset[..., 0:1])
        f_47 = f_4 * offset[..., 0:1] + f_7 * (1 - offset[..., 0:1])
        f0312 = f_03 * offset[..., 1:2] + f_12 * (1 - offset[..., 1:2])
        f4756 = f_47 * offset[..., 1:2] + f_56 * (1 - offset[..., 1:2])
        encoded_value = f0312 * offset[..., 2:3] + f4756 * (1 - offset[..., 2:3])
        return torch.flatten(encoded_value, start_dim=-2, end_dim=-1)

    # nerfacto's hash grid (16 levels of 2^19, 2 features, fp32) over 4096 rays x 48 samples
    out += [("hash_encode", hash_encode, (mf(4096 * 48, 3), mf(16 * 2 ** 19, 2), mf(16), i(16)))]

    # ================================================================== molecular GNNs
    # ------------------------------------------------------------------ SchNet (PyG)
    def schnet_edges(pos, edge_index, offset, cutoff=10.0):  # edge lengths and GaussianSmearing (offset: a buffer)
        row, col = edge_index
        edge_weight = (pos[row] - pos[col]).norm(dim=-1)
        coeff = -0.5 / (cutoff / (offset.shape[0] - 1)) ** 2
        dist = edge_weight.view(-1, 1) - offset.view(1, -1)
        return edge_weight, torch.exp(coeff * torch.pow(dist, 2))

    def ssp(x):  # ShiftedSoftplus
        return F.softplus(x) - math.log(2.0)

    def schnet_cfconv(x, edge_index, edge_weight, edge_attr, wn1, bn1, wn2, bn2, wl1, wl2, bl2, cutoff=10.0):
        # CFConv: the cosine-cutoff filter network, x_j * W gathered by index_select, summed by scatter_add_
        C = 0.5 * (torch.cos(edge_weight * math.pi / cutoff) + 1.0)
        W = linear(ssp(linear(edge_attr, wn1, bn1)), wn2, bn2) * C.view(-1, 1)
        x = linear(x, wl1)
        msg = x.index_select(0, edge_index[0]) * W
        index = edge_index[1].view(-1, 1).expand_as(msg)
        agg = msg.new_zeros((x.shape[0], msg.shape[1])).scatter_add_(0, index, msg)
        return linear(agg, wl2, bl2)

    def schnet_update(h, v, w, b):  # InteractionBlock's act and lin, the residual
        return h + linear(ssp(v), w, b)

    def schnet_readout(h, batch, w1, b1, w2, b2, num_graphs):  # lin1, act, lin2, sum over each molecule
        h = linear(ssp(linear(h, w1, b1)), w2, b2)
        index = batch.view(-1, 1).expand_as(h)
        return h.new_zeros((num_graphs, h.shape[1])).scatter_add_(0, index, h)

    # QM9 (128 molecules, 2304 atoms, 39168 edges within 10 A; 128 hidden, 128 filters, 50 Gaussians, fp32)
    out += [("schnet_edges", schnet_edges, (mf(2304, 3), i(2, 39168), mf(50))),
            ("schnet_cfconv", schnet_cfconv,
             (mf(2304, 128), i(2, 39168), mf(39168), mf(39168, 50), mf(128, 50), mf(128), mf(128, 128), mf(128),
              mf(128, 128), mf(128, 128), mf(128))),
            ("schnet_update", schnet_update, (mf(2304, 128), mf(2304, 128), mf(128, 128), mf(128))),
            ("schnet_readout", lambda h, bt, a, b, c, d: schnet_readout(h, bt, a, b, c, d, 128),
             (mf(2304, 128), i(2304), mf(64, 128), mf(64), mf(1, 64), mf(1)))]

    # ------------------------------------------------------------------ PaiNN (schnetpack)
    def painn_message(q, mu, Wij, dir_ij, idx_i, idx_j, w1, b1, w2, b2):  # PaiNNInteraction.forward
        n_atoms, _, F_ = q.shape
        x = linear(F.silu(linear(q, w1, b1)), w2, b2)  # interatomic_context_net
        xj = x[idx_j]
        muj = mu[idx_j]
        x = Wij * xj
        dq, dmuR, dmumu = torch.split(x, F_, dim=-1)
        dq = torch.zeros((n_atoms, *dq.shape[1:]), dtype=dq.dtype).index_add(0, idx_i, dq)  # snn.scatter_add
        dmu = dmuR * dir_ij[..., None] + dmumu * muj
        dmu = torch.zeros((n_atoms, *dmu.shape[1:]), dtype=dmu.dtype).index_add(0, idx_i, dmu)
        return q + dq, mu + dmu

    # PaiNN on MD17 aspirin (100 molecules of 21 atoms, 42000 pairs within 5 A, 128 features, 20 radial functions)
    out += [("painn_message", painn_message,
             (mf(2100, 1, 128), mf(2100, 3, 128), mf(42000, 1, 384), mf(42000, 3), i(42000), i(42000),
              mf(128, 128), mf(128), mf(384, 128), mf(384)))]

    # ================================================================== RL utilities
    # ------------------------------------------------------------------ PPO (CleanRL)
    def gae(rewards, values, dones, next_value, next_done, gamma=0.99, gae_lambda=0.95):  # the reverse loop
        num_steps = rewards.shape[0]
        advantages = torch.zeros_like(rewards)
        lastgaelam = 0
        for t in reversed(range(num_steps)):
            if t == num_steps - 1:
                nextnonterminal = 1.0 - next_done
                nextvalues = next_value
            else:
                nextnonterminal = 1.0 - dones[t + 1]
                nextvalues = values[t + 1]
            delta = rewards[t] + gamma * nextvalues * nextnonterminal - values[t]
            advantages[t] = lastgaelam = delta + gamma * gae_lambda * nextnonterminal * lastgaelam
        return advantages, advantages + values

    def normalize_advantages(adv):
        return (adv - adv.mean()) / (adv.std() + 1e-8)

    # GAE over Isaac Gym's 16 steps of 4096 envs; advantages normalised over a 32768-sample minibatch
    out += [("gae", gae, (mf(16, 4096), mf(16, 4096), mf(16, 4096), mf(1, 4096), mf(4096))),
            ("normalize_advantages", normalize_advantages, (mf(32768),))]

    # ------------------------------------------------------------------ RLHF (TRL, verl)
    def per_token_logps(logits, index, temperature=0.9):  # _get_per_token_logps, selective_log_softmax in bf16
        logits = logits[:, :-1, :] / temperature
        per_token = []
        for row_logits, row_labels in zip(logits, index, strict=True):
            row_logps = F.log_softmax(row_logits, dim=-1)
            per_token.append(row_logps.gather(dim=-1, index=row_labels.unsqueeze(-1)).squeeze(-1))
        return torch.stack(per_token)

    def selective_log_softmax_fp32(logits, index):  # the fp32 branch: gather, a row-wise logsumexp
        selected_logits = torch.gather(logits, dim=-1, index=index.unsqueeze(-1)).squeeze(-1)
        logsumexp_values = torch.stack([torch.logsumexp(lg, dim=-1) for lg in logits])
        return selected_logits - logsumexp_values

    def entropy_chunked(logits, chunk_size=128):  # trl.trainer.utils.entropy_from_logits
        original_shape = logits.shape[:-1]
        flat_logits = logits.reshape(-1, logits.shape[-1])
        entropies = []
        for chunk in flat_logits.split(chunk_size, dim=0):
            logps = F.log_softmax(chunk, dim=-1)
            entropies.append(-(torch.exp(logps) * logps).sum(-1))
        return torch.cat(entropies, dim=0).reshape(original_shape)

    def entropy_verl(logits):  # verl's entropy_from_logits
        pd = F.softmax(logits, dim=-1)
        return torch.logsumexp(logits, dim=-1) - torch.sum(pd * logits, dim=-1)

    def grpo_advantages(rewards_per_func, reward_weights, G=8):  # GRPOTrainer: group mean / std, repeat_interleave
        rewards = (rewards_per_func * reward_weights.unsqueeze(0)).nansum(dim=1)
        mean_grouped_rewards = rewards.view(-1, G).mean(dim=1)
        std_grouped_rewards = rewards.view(-1, G).std(dim=1)
        mean_grouped_rewards = mean_grouped_rewards.repeat_interleave(G, dim=0)
        std_grouped_rewards = std_grouped_rewards.repeat_interleave(G, dim=0)
        return (rewards - mean_grouped_rewards) / (std_grouped_rewards + 1e-4)

    def completion_mask(completion_ids, eos_token_id=151645):  # up to and including the first EOS
        is_eos = completion_ids == eos_token_id
        eos_idx = torch.full((is_eos.size(0),), is_eos.size(1), dtype=torch.long)
        eos_idx = torch.where(is_eos.any(dim=1), is_eos.int().argmax(dim=1), eos_idx)
        sequence_indices = torch.arange(is_eos.size(1)).expand(is_eos.size(0), -1)
        return (sequence_indices <= eos_idx.unsqueeze(1)).int()

    def grpo_loss(logps, old_logps, ref_logps, advantages, mask, beta=0.04, eps=0.2):  # clipped ratio with k3 KL
        per_token_kl = torch.exp(ref_logps - logps) - (ref_logps - logps) - 1
        coef_1 = torch.exp(logps - old_logps)
        coef_2 = torch.clamp(coef_1, 1 - eps, 1 + eps)
        per_token_loss1 = coef_1 * advantages.unsqueeze(1)
        per_token_loss2 = coef_2 * advantages.unsqueeze(1)
        per_token_loss = -torch.min(per_token_loss1, per_token_loss2)
        per_token_loss = per_token_loss + beta * per_token_kl
        return ((per_token_loss * mask).sum(-1) / mask.sum(-1).clamp(min=1.0)).mean()

    def dpo_logps(logits, labels):  # concatenated_forward's log-probs: -100 labels masked and zeroed
        labels = labels[:, 1:].clone()
        logits = logits[:, :-1, :]
        loss_mask = labels != -100
        labels[labels == -100] = 0
        per_token = torch.gather(logits.log_softmax(-1), dim=2, index=labels.unsqueeze(2)).squeeze(2)
        return (per_token * loss_mask).sum(-1)

    def dpo_loss(pc, pr, rc, rr, beta=0.1, label_smoothing=0.0):  # the sigmoid loss and the rewards
        logits = (pc - pr) - (rc - rr)
        losses = (-F.logsigmoid(beta * logits) * (1 - label_smoothing)
                  - F.logsigmoid(-beta * logits) * label_smoothing)
        return losses, beta * (pc - rc), beta * (pr - rr)

    # GRPO on Qwen2.5-7B (8 completions of 1024 tokens, 152064 vocabulary; bf16 row by row and fp32 with the
    # logsumexp); entropies chunked by 128 rows over Qwen2.5's logits (bf16) and verl's over 4096 fp32 rows; GRPO's
    # advantages for 64 prompts x 8, its completion mask and loss over 512 x 1024 tokens; DPO's log-probs over 4
    # chosen + 4 rejected sequences of 2048 with Llama-3's vocabulary (bf16) and its loss over 64 pairs
    out += [("per_token_logps", per_token_logps, (m(8, 1025, 152064), i(8, 1024))),
            ("selective_log_softmax_fp32", selective_log_softmax_fp32, (mf(8, 1024, 152064), i(8, 1024))),
            ("entropy_chunked", entropy_chunked, (m(8, 1024, 152064),)),
            ("entropy_verl", entropy_verl, (mf(4096, 151936),)),
            ("grpo_advantages", grpo_advantages, (mf(512, 3), mf(3))),
            ("completion_mask", completion_mask, (i(512, 1024),)),
            ("grpo_loss", grpo_loss, (mf(512, 1024), mf(512, 1024), mf(512, 1024), mf(512), mi32(512, 1024))),
            ("dpo_logps", dpo_logps, (m(8, 2048, 128256), i(8, 2048))),
            ("dpo_loss", dpo_loss, (mf(64), mf(64), mf(64), mf(64)))]

    # ================================================================== contrastive losses
    def supcon_loss(features, labels, temperature=0.07, base_temperature=0.07):  # SupConLoss (HobbitLong)
        batch_size = features.shape[0]
        labels = labels.contiguous().view(-1, 1)
        mask = torch.eq(labels, labels.T).float()
        contrast_count = features.shape[1]
        contrast_feature = torch.cat(torch.unbind(features, dim=1), dim=0)
        anchor_feature = contrast_feature
        anchor_count = contrast_count
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
        loss = - (temperature / base_temperature) * mean_log_prob_pos
        return loss.view(anchor_count, batch_size).mean()

    def clip_loss(image_features, text_features, all_image, all_text, logit_scale):  # open_clip ClipLoss, local_loss
        logits_per_image = logit_scale * image_features @ all_text.T
        logits_per_text = logit_scale * text_features @ all_image.T
        labels = torch.arange(image_features.shape[0], dtype=torch.long) + image_features.shape[0] * 5
        return (F.cross_entropy(logits_per_image, labels) + F.cross_entropy(logits_per_text, labels)) / 2

    def siglip_loss(image_features, text_features, logit_scale, logit_bias):  # SigLipLoss: +1 / -1 labels, logsigmoid
        logits = logit_scale * image_features @ text_features.T + logit_bias
        n = logits.shape[0]
        labels = 2 * torch.eye(n, dtype=logits.dtype) - torch.ones((n, n), dtype=logits.dtype)
        return -F.logsigmoid(labels * logits).sum() / image_features.shape[0]

    # SupCon over 1024 images x 2 views (128-d, fp32); CLIP ViT-L/14's local loss (1024 local against 32768 global,
    # 768-d, bf16); SigLIP-so400m's 4096 x 4096 chunk (1152-d, fp32)
    out += [("supcon_loss", supcon_loss, (mf(1024, 2, 128), i(1024))),
            ("clip_loss", clip_loss, (m(1024, 768), m(1024, 768), m(32768, 768), m(32768, 768), m(1))),
            ("siglip_loss", siglip_loss, (mf(4096, 1152), mf(4096, 1152), mf(1), mf(1)))]

    # ================================================================== detection and segmentation post-processing
    # ------------------------------------------------------------------ Faster R-CNN
    def box_decode(rel_codes, boxes, weights=(1.0, 1.0, 1.0, 1.0), clip=math.log(1000.0 / 16)):  # decode_single
        boxes = boxes.to(rel_codes.dtype)
        widths = boxes[:, 2] - boxes[:, 0]
        heights = boxes[:, 3] - boxes[:, 1]
        ctr_x = boxes[:, 0] + 0.5 * widths
        ctr_y = boxes[:, 1] + 0.5 * heights
        wx, wy, ww, wh = weights
        dx = rel_codes[:, 0::4] / wx
        dy = rel_codes[:, 1::4] / wy
        dw = rel_codes[:, 2::4] / ww
        dh = rel_codes[:, 3::4] / wh
        dw = torch.clamp(dw, max=clip)
        dh = torch.clamp(dh, max=clip)
        pred_ctr_x = dx * widths[:, None] + ctr_x[:, None]
        pred_ctr_y = dy * heights[:, None] + ctr_y[:, None]
        pred_w = torch.exp(dw) * widths[:, None]
        pred_h = torch.exp(dh) * heights[:, None]
        c_to_c_h = torch.tensor(0.5, dtype=pred_ctr_y.dtype) * pred_h
        c_to_c_w = torch.tensor(0.5, dtype=pred_ctr_x.dtype) * pred_w
        pred_boxes1 = pred_ctr_x - c_to_c_w
        pred_boxes2 = pred_ctr_y - c_to_c_h
        pred_boxes3 = pred_ctr_x + c_to_c_w
        pred_boxes4 = pred_ctr_y + c_to_c_h
        return torch.stack((pred_boxes1, pred_boxes2, pred_boxes3, pred_boxes4), dim=2).flatten(1)

    def rpn_top_n(objectness, proposals, levels=(182400, 45600, 11400, 2850, 741), pre_nms_top_n=1000):
        # RegionProposalNetwork._get_top_n_idx and filter_proposals' gathers
        num_images = proposals.shape[0]
        r = []
        offset = 0
        for ob in objectness.split(list(levels), 1):
            num_anchors = ob.shape[1]
            _, top_n_idx = ob.topk(min(pre_nms_top_n, num_anchors), dim=1)
            r.append(top_n_idx + offset)
            offset += num_anchors
        top_n_idx = torch.cat(r, dim=1)
        batch_idx = torch.arange(num_images)[:, None]
        objectness = objectness[batch_idx, top_n_idx]
        proposals = proposals[batch_idx, top_n_idx]
        return torch.sigmoid(objectness), proposals

    # Faster R-CNN R50-FPN at 800 x 1216 for 2 images: the RPN's 242991 anchors a image decoded and its per-level
    # top-1000 with the proposals gathered
    out += [("box_decode", box_decode, (mf(485982, 4), mf(485982, 4))),
            ("rpn_top_n", rpn_top_n, (mf(2, 242991), mf(2, 242991, 4)))]

    # ------------------------------------------------------------------ DETR family
    def box_cxcywh_to_xyxy(x):
        x_c, y_c, w, h = x.unbind(-1)
        b = [(x_c - 0.5 * w), (y_c - 0.5 * h), (x_c + 0.5 * w), (y_c + 0.5 * h)]
        return torch.stack(b, dim=-1)

    def box_area(boxes):
        return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])

    def box_iou(boxes1, boxes2):
        area1 = box_area(boxes1)
        area2 = box_area(boxes2)
        lt = torch.max(boxes1[:, None, :2], boxes2[:, :2])
        rb = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
        wh = (rb - lt).clamp(min=0)
        inter = wh[:, :, 0] * wh[:, :, 1]
        union = area1[:, None] + area2 - inter
        return inter / union, union

    def generalized_box_iou(boxes1, boxes2):
        iou, union = box_iou(boxes1, boxes2)
        lt = torch.min(boxes1[:, None, :2], boxes2[:, :2])
        rb = torch.max(boxes1[:, None, 2:], boxes2[:, 2:])
        wh = (rb - lt).clamp(min=0)
        area = wh[:, :, 0] * wh[:, :, 1]
        return iou - (area - union) / area

    def hungarian_cost(pred_logits, pred_boxes, tgt_ids, tgt_bbox, cost_class=1.0, cost_bbox=5.0, cost_giou=2.0):
        bs, num_queries = pred_logits.shape[:2]
        out_prob = pred_logits.flatten(0, 1).softmax(-1)
        out_bbox = pred_boxes.flatten(0, 1)
        c_class = -out_prob[:, tgt_ids]
        c_bbox = torch.cdist(out_bbox, tgt_bbox, p=1)
        c_giou = -generalized_box_iou(box_cxcywh_to_xyxy(out_bbox), box_cxcywh_to_xyxy(tgt_bbox))
        C = cost_bbox * c_bbox + cost_class * c_class + cost_giou * c_giou
        return C.view(bs, num_queries, -1)

    def detr_postprocess(out_logits, out_bbox, target_sizes):  # PostProcess: softmax, max, boxes scaled
        prob = F.softmax(out_logits, -1)
        scores, labels = prob[..., :-1].max(-1)
        boxes = box_cxcywh_to_xyxy(out_bbox)
        img_h, img_w = target_sizes.unbind(1)
        scale_fct = torch.stack([img_w, img_h, img_w, img_h], dim=1)
        return scores, labels, boxes * scale_fct[:, None, :]

    # DETR-R50's matcher (64 images x 100 queries, 92 classes, 467 targets) and its post-processing
    out += [("hungarian_cost", hungarian_cost, (mf(64, 100, 92), mf(64, 100, 4), i(467), mf(467, 4))),
            ("detr_postprocess", detr_postprocess, (mf(64, 100, 92), mf(64, 100, 4), i(64, 2)))]

    # ------------------------------------------------------------------ YOLOv8 and Mask2Former
    def yolo_candidates(prediction, conf_thres=0.25, max_nms=3000, nc=80, max_wh=7680):
        # non_max_suppression's batched front end: candidates by amax, xywh2xyxy, best class, top scores, class offsets
        xc = prediction[:, 4:4 + nc].amax(1) > conf_thres
        prediction = prediction.transpose(-1, -2)
        xy = prediction[..., :2]
        wh = prediction[..., 2:4] / 2
        boxes = torch.cat((xy - wh, xy + wh), dim=-1)
        conf, j = prediction[..., 4:4 + nc].max(-1, keepdim=True)
        conf = torch.where(xc[..., None], conf, torch.zeros_like(conf)).squeeze(-1)
        scores, idx = conf.topk(max_nms, dim=-1)
        boxes = boxes.gather(1, idx[..., None].expand(-1, -1, 4))
        c = j.squeeze(-1).gather(1, idx) * max_wh
        return boxes + c[..., None], scores

    def m2f_semantic(mask_cls, mask_pred, size):  # semantic_inference after the bilinear upsampling
        mask_pred = F.interpolate(mask_pred, size=size, mode="bilinear", align_corners=False)[0]
        mask_cls = F.softmax(mask_cls, dim=-1)[..., :-1]
        mask_pred = mask_pred.sigmoid()
        return torch.einsum("qc,qhw->chw", mask_cls, mask_pred)

    def m2f_instance(mask_cls, mask_pred, num_classes=80, topk=100):  # instance_inference
        scores = F.softmax(mask_cls, dim=-1)[:, :-1]
        labels = torch.arange(num_classes).unsqueeze(0).repeat(mask_cls.shape[0], 1).flatten(0, 1)
        scores_per_image, topk_indices = scores.flatten(0, 1).topk(topk, sorted=False)
        labels_per_image = labels[topk_indices]
        topk_indices = topk_indices // num_classes
        mask_pred = mask_pred[topk_indices]
        pred_masks = (mask_pred > 0).float()
        mask_scores_per_image = ((mask_pred.sigmoid().flatten(1) * pred_masks.flatten(1)).sum(1)
                                 / (pred_masks.flatten(1).sum(1) + 1e-6))
        return pred_masks, scores_per_image * mask_scores_per_image, labels_per_image

    # YOLOv8 over a validation batch of 32 at 640 (84 x 8400, fp16); Mask2Former on ADE20K (100 queries, 150 classes,
    # 128 x 128 masks to 512 x 512) and its COCO instance inference (100 queries, 80 classes, 480 x 640 masks)
    out += [("yolo_candidates", yolo_candidates, (mh(32, 84, 8400),)),
            ("m2f_semantic", lambda c, p: m2f_semantic(c, p, (512, 512)), (mf(100, 151), mf(1, 100, 128, 128))),
            ("m2f_instance", m2f_instance, (mf(100, 81), mf(100, 480, 640)))]

    # ================================================================== quantisation
    # ------------------------------------------------------------------ bitsandbytes NF4 in torch
    def dequant_blockwise(A, code, absmax, blocksize=256):  # _dequantize_blockwise_impl: 8-bit codes, per-block scale
        out_ = code[A.reshape(-1).int()]
        return (out_.view(-1, blocksize) * absmax.view(-1, 1)).reshape(A.shape)

    def dequant_nf4(A, absmax_q, code2, absmax2, offset, nf4_code, shape, blocksize=64):
        absmax = dequant_blockwise(absmax_q, code2, absmax2) + offset  # double quantisation
        out_dq = torch.empty(A.size(0) * 2, dtype=torch.int32)
        out_dq[1::2] = A & 0xF
        out_dq[::2] = A >> 4
        out_dq = nf4_code.to(torch.bfloat16)[out_dq]
        out_ = out_dq.view(-1, blocksize) * absmax.view(-1, 1)
        return out_.reshape(shape).to(torch.bfloat16)

    # Llama-3-8B's gate_proj (14336 x 4096) in NF4 with double quantisation
    out += [("dequant_nf4", lambda a, q, c, a2, o, n: dequant_nf4(a, q, c, a2, o, n, (14336, 4096)),
             (mu8(14336 * 4096 // 2), mu8(14336 * 4096 // 64), mf(256), mf(14336 * 4096 // 64 // 256), mf(1),
              mf(16)))]

    # ------------------------------------------------------------------ fp8 block scaling (DeepGEMM's test utilities)
    def per_block_cast_to_fp8(x):  # 128 x 128 blocks, zero-padded, amax, e4m3
        m_, n = x.shape
        x_padded = torch.zeros((math.ceil(m_ / 128) * 128, math.ceil(n / 128) * 128), dtype=x.dtype)
        x_padded[:m_, :n] = x
        x_view = x_padded.view(-1, 128, x_padded.size(1) // 128, 128)
        x_amax = x_view.abs().float().amax(dim=(1, 3), keepdim=True).clamp(1e-4)
        x_scaled = (x_view * (448.0 / x_amax)).to(torch.float8_e4m3fn)
        return x_scaled.view_as(x_padded)[:m_, :n].contiguous(), (x_amax / 448.0).view(x_view.size(0), x_view.size(2))

    def per_token_cast_to_fp8(x):  # 1 x 128 groups
        m_, n = x.shape
        x_view = x.view(m_, -1, 128)
        x_amax = x_view.abs().float().amax(dim=2).view(m_, -1).clamp(1e-4)
        x_fp8 = (x_view * (448.0 / x_amax.unsqueeze(2))).to(torch.float8_e4m3fn)
        return x_fp8.view(m_, n), (x_amax / 448.0).view(m_, -1)

    def block_dequant(w, s, block=128):  # a block-scaled fp8 weight back to bf16
        M, N = w.shape
        w = w.float().view(M // block, block, N // block, block) * s[:, None, :, None]
        return w.view(M, N).to(torch.bfloat16)

    # DeepSeek-V3's kv_a projection (576 x 7168, padded to 640) cast by blocks; 4096 tokens' activations (7168) cast by
    # token groups; the dense MLP's down_proj (7168 x 18432) dequantised
    out += [("per_block_cast_to_fp8", per_block_cast_to_fp8, (m(576, 7168),)),
            ("per_token_cast_to_fp8", per_token_cast_to_fp8, (m(4096, 7168),)),
            ("block_dequant", block_dequant, (m(7168, 18432, dt=torch.float8_e4m3fn), mf(56, 144)))]

    # ------------------------------------------------------------------ SmoothQuant and GPTQ
    def act_stat(x, act_scales):  # get_act_scales' hook: per-channel absolute max over the tokens, a running max
        hidden_dim = x.shape[-1]
        t = x.view(-1, hidden_dim).abs().detach()
        comming_max = torch.max(t, dim=0)[0].float()
        return torch.max(act_scales, comming_max)

    def smooth_ln_fcs(ln_w, ln_b, wq, wk, wv, act_scales, alpha=0.5):  # scale migration into the norm and q / k / v
        weight_scales = torch.cat([fc.abs().max(dim=0, keepdim=True)[0] for fc in (wq, wk, wv)], dim=0)
        weight_scales = weight_scales.max(dim=0)[0].clamp(min=1e-5)
        scales = (act_scales.pow(alpha) / weight_scales.pow(1 - alpha)).clamp(min=1e-5).to(ln_w.dtype)
        ln_w.div_(scales)
        ln_b.div_(scales)
        for fc in (wq, wk, wv):
            fc.mul_(scales.view(1, -1))
        return ln_w, ln_b

    def gptq_dequant_matmul(x, qweight, qzeros, scales, g_idx, bits=4):  # AutoGPTQ's torch path with act-order g_idx
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
        return torch.matmul(x.to(weight.dtype), weight)

    # SmoothQuant on Llama-2-13B (5120 wide, fp16): statistics over a 512-token calibration sample, the migration
    # into input_layernorm and q / k / v; AutoGPTQ's 4-bit Llama-2-7B down_proj (11008 -> 4096, groups of 128) under
    # 16 decode tokens
    out += [("act_stat", act_stat, (mh(1, 512, 5120), mf(5120))),
            ("smooth_ln_fcs", smooth_ln_fcs, (mh(5120), mh(5120), mh(5120, 5120), mh(5120, 5120), mh(5120, 5120),
                                              mf(5120))),
            ("gptq_dequant_matmul", gptq_dequant_matmul,
             (mh(16, 1, 11008), mi32(1376, 4096), mi32(86, 512), mh(86, 4096), mi32(11008)))]

    # ================================================================== serving internals
    def slot_mapping(req_indices, positions, block_table, block_size=16):  # token -> KV slot through the block table
        max_num_blocks_per_req = block_table.shape[1]
        block_table_indices = req_indices * max_num_blocks_per_req + positions // block_size
        block_numbers = block_table.flatten()[block_table_indices]
        block_offsets = positions % block_size
        return block_numbers * block_size + block_offsets

    def copy_blocks(kv_cache, src, dst):  # the cached prefix's blocks copied to new ones (copy-on-write)
        kv_cache[:, dst] = kv_cache[:, src]
        return kv_cache

    def generate_bookkeeping(input_ids, next_tokens, unfinished, attention_mask, eos_ids, pad_id=128001):
        # _sample's tail: finished rows padded, ids and mask extended, EOS checked by isin
        next_tokens = next_tokens * unfinished + pad_id * (1 - unfinished)
        input_ids = torch.cat([input_ids, next_tokens[:, None]], dim=-1)
        attention_mask = torch.cat([attention_mask, attention_mask.new_ones((attention_mask.shape[0], 1))], dim=-1)
        is_done = torch.isin(input_ids[:, -1], eos_ids)
        unfinished = unfinished & ~is_done
        return input_ids, attention_mask, unfinished

    def stop_sequences(input_ids, stop_ids, tail=32):  # stop sequences matched over the tail's sliding windows
        L = stop_ids.shape[-1]
        windows = input_ids[:, -tail:].unfold(1, L, 1)
        hit = (windows[:, :, None, :] == stop_ids[None, None, :, :]).all(-1)
        return hit.any(-1).any(-1)

    # 8192 scheduled prefill tokens and 256 decode tokens over 256 requests' block tables (2048 blocks each, int32); 64
    # block copies in a layer's paged cache (2 x 4096 blocks of 16 x 8 x 128, bf16); HF generate's step for 256 rows
    # at 4096 tokens with Llama-3's three EOS ids; 8 stop sequences of 4 tokens over 256 rows and 3 of 6 over 8 rows
    out += [("slot_mapping", slot_mapping, (i(8192), i(8192), mi32(256, 2048))),
            ("slot_mapping", slot_mapping, (i(256), i(256), mi32(256, 2048))),
            ("copy_blocks", copy_blocks, (m(2, 4096, 16, 8, 128), i(64), i(64))),
            ("generate_bookkeeping", generate_bookkeeping, (i(256, 4096), i(256), i(256), i(256, 4096), i(3))),
            ("stop_sequences", stop_sequences, (i(256, 4096), i(8, 4))),
            ("stop_sequences", stop_sequences, (i(8, 512), i(3, 6)))]

    # ================================================================== long-context attention
    # ------------------------------------------------------------------ Longformer
    def lf_chunk(hidden_states, w):  # _chunk: overlapping chunks of 2w by as_strided
        hidden_states = hidden_states.view(hidden_states.size(0), torch.div(hidden_states.size(1), (w * 2),
                                                                            rounding_mode="trunc"),
                                           w * 2, hidden_states.size(2))
        chunk_size = list(hidden_states.size())
        chunk_size[1] = chunk_size[1] * 2 - 1
        chunk_stride = list(hidden_states.stride())
        chunk_stride[1] = chunk_stride[1] // 2
        return hidden_states.as_strided(size=chunk_size, stride=chunk_stride)

    def lf_pad_and_transpose(x, padding):
        x = F.pad(x, padding)
        return x.view(*x.size()[:-2], x.size(-1), x.size(-2))

    def lf_mask_invalid(input_tensor, w):  # _mask_invalid_locations
        beginning_mask_2d = input_tensor.new_ones(w, w + 1).tril().flip(dims=[0])
        beginning_mask = beginning_mask_2d[None, :, None, :]
        ending_mask = beginning_mask.flip(dims=(1, 3))
        beginning_input = input_tensor[:, :w, :, : w + 1]
        beginning_mask = beginning_mask.expand(beginning_input.size())
        input_tensor[:, :w, :, : w + 1] = torch.full_like(beginning_input, -float("inf")).where(
            beginning_mask.bool(), beginning_input)
        ending_input = input_tensor[:, -w:, :, -(w + 1):]
        ending_mask = ending_mask.expand(ending_input.size())
        input_tensor[:, -w:, :, -(w + 1):] = torch.full_like(ending_input, -float("inf")).where(
            ending_mask.bool(), ending_input)
        return input_tensor

    def lf_sliding_qk(query, key, w):  # _sliding_chunks_query_key_matmul
        batch_size, seq_len, num_heads, head_dim = query.size()
        chunks_count = torch.div(seq_len, w, rounding_mode="trunc") - 1
        query = query.transpose(1, 2).reshape(batch_size * num_heads, seq_len, head_dim)
        key = key.transpose(1, 2).reshape(batch_size * num_heads, seq_len, head_dim)
        query = lf_chunk(query, w)
        key = lf_chunk(key, w)
        diagonal_chunked = torch.einsum("bcxd,bcyd->bcxy", (query, key))
        diagonal_chunked = lf_pad_and_transpose(diagonal_chunked, padding=(0, 0, 0, 1))
        das = diagonal_chunked.new_zeros((batch_size * num_heads, chunks_count + 1, w, w * 2 + 1))
        das[:, :-1, :, w:] = diagonal_chunked[:, :, :w, : w + 1]
        das[:, -1, :, w:] = diagonal_chunked[:, -1, w:, : w + 1]
        das[:, 1:, :, :w] = diagonal_chunked[:, :, -(w + 1): -1, w + 1:]
        das[:, 0, 1:w, 1:w] = diagonal_chunked[:, 0, : w - 1, 1 - w:]
        das = das.view(batch_size, num_heads, seq_len, 2 * w + 1).transpose(2, 1)
        return lf_mask_invalid(das, w)

    # ------------------------------------------------------------------ Llama-4, local attention
    def chunked_attention_mask(start, end, attention_chunk_size=8192):  # Llama-4's create_chunked_attention_mask
        arange_vector = torch.arange(start, end)
        block_pos = torch.abs(arange_vector.unsqueeze(0) // attention_chunk_size
                              - arange_vector.unsqueeze(1) // attention_chunk_size)
        token_pos = arange_vector.unsqueeze(0) - arange_vector.unsqueeze(1)
        return (block_pos == 0) & (token_pos <= 0)

    def chunked_sdpa(q, k, v, mask):  # transformers' sdpa path with a mask: repeat_kv, then SDPA
        k = repeat_kv(k, q.shape[1] // k.shape[1])
        v = repeat_kv(v, q.shape[1] // v.shape[1])
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask[None, None])

    def look_around(x, backward=1, forward=0, pad_value=-1, dim=2):
        t = x.shape[1]
        dims = (len(x.shape) - dim) * (0, 0)
        padded_x = F.pad(x, (*dims, backward, forward), value=pad_value)
        tensors = [padded_x[:, ind:(ind + t), ...] for ind in range(forward + backward + 1)]
        return torch.cat(tensors, dim=dim)

    def local_attention(q, k, v, window_size=512):  # local-attention's LocalAttention.forward, causal, look back 1
        bh, n, d = q.shape
        windows = n // window_size
        seq_range = torch.arange(n)
        b_t = seq_range.reshape(1, windows, window_size)
        bq, bk, bv = (t.reshape(bh, windows, window_size, d) for t in (q, k, v))
        bq = bq * d ** -0.5
        bk = look_around(bk)
        bv = look_around(bv)
        bq_k = look_around(b_t)
        bq_t = b_t[..., :, None]
        bq_k = bq_k[..., None, :]
        sim = torch.einsum("b h i e, b h j e -> b h i j", bq, bk)
        mask_value = -torch.finfo(sim.dtype).max
        causal_mask = bq_t < bq_k
        sim = sim.masked_fill(causal_mask, mask_value)
        pad_mask = bq_k == -1
        sim = sim.masked_fill(pad_mask, mask_value)
        attn = sim.softmax(dim=-1)
        out_ = torch.einsum("b h i j, b h j e -> b h i e", attn, bv)
        return out_.reshape(bh, n, d)

    # Longformer-base-4096 (fp32, 12 heads of 64, one-sided window 256) over 2 x 4096 tokens; Llama-4-Scout's
    # 8192-token chunks over a 16384-token prompt and SDPA at 8-way tensor parallelism (5 heads over 1 KV head, 12288
    # tokens); local attention over 32 head-rows of 8192 tokens (windows of 512, fp16)
    out += [("longformer_sliding_qk", lambda q, k: lf_sliding_qk(q, k, 256),
             (mf(2, 4096, 12, 64), mf(2, 4096, 12, 64))),
            ("chunked_attention_mask", lambda: chunked_attention_mask(0, 16384), ()),
            ("chunked_sdpa", chunked_sdpa, (m(1, 5, 12288, 128), m(1, 1, 12288, 128), m(1, 1, 12288, 128),
                                            mb(12288, 12288))),
            ("local_attention", local_attention, (mh(32, 8192, 64), mh(32, 8192, 64), mh(32, 8192, 64)))]

    # ================================================================== tabular models
    def cin(inputs, *convs, layer_size=(256, 128)):  # xDeepFM's CompressedInteractionNetwork, split_half
        batch_size, _, dim = inputs.shape
        hidden_nn_layers = [inputs]
        final_result = []
        for j, size in enumerate(layer_size):
            x = torch.einsum("bhd,bmd->bhmd", hidden_nn_layers[-1], hidden_nn_layers[0])
            x = x.reshape(batch_size, hidden_nn_layers[-1].shape[1] * hidden_nn_layers[0].shape[1], dim)
            x = F.conv1d(x, convs[2 * j], convs[2 * j + 1])
            curr_out = F.relu(x)
            if j != len(layer_size) - 1:
                next_hidden, direct_connect = torch.split(curr_out, 2 * [size // 2], 1)
            else:
                direct_connect, next_hidden = curr_out, 0
            final_result.append(direct_connect)
            hidden_nn_layers.append(next_hidden)
        result = torch.cat(final_result, dim=1)
        return torch.sum(result, -1)

    def mmoe(x, we, be, wg, bg):  # MMOE: stacked experts, a softmax gate per task, gate @ experts
        expert_outs = torch.stack([F.relu(linear(x, we[e], be[e])) for e in range(we.shape[0])], dim=1)
        outs = []
        for t in range(wg.shape[0]):
            gate_out = linear(x, wg[t], bg[t]).softmax(1)
            outs.append(torch.matmul(gate_out.unsqueeze(1), expert_outs).squeeze(1))
        return outs

    # Criteo (4096 rows, 39 fields of 16, fp32): xDeepFM's CIN (256, 128); MMoE for 2 tasks over 8 experts of 256
    out += [("cin", cin, (mf(4096, 39, 16), mf(256, 39 * 39, 1), mf(256), mf(128, 128 * 39, 1), mf(128))),
            ("mmoe", mmoe, (mf(4096, 624), mf(8, 256, 624), mf(8, 256), mf(2, 8, 624), mf(2, 8)))]

    # ================================================================== time series
    # ------------------------------------------------------------------ Informer
    def prob_qk(Q, K, sample_k, n_top):  # ProbAttention._prob_QK
        B, H, L_K, E = K.shape
        _, _, L_Q, _ = Q.shape
        K_expand = K.unsqueeze(-3).expand(B, H, L_Q, L_K, E)
        index_sample = torch.randint(L_K, (L_Q, sample_k))
        K_sample = K_expand[:, :, torch.arange(L_Q).unsqueeze(1), index_sample, :]
        Q_K_sample = torch.matmul(Q.unsqueeze(-2), K_sample.transpose(-2, -1)).squeeze(-2)
        M = Q_K_sample.max(-1)[0] - torch.div(Q_K_sample.sum(-1), L_K)
        M_top = M.topk(n_top, sorted=False)[1]
        Q_reduce = Q[torch.arange(B)[:, None, None], torch.arange(H)[None, :, None], M_top, :]
        return torch.matmul(Q_reduce, K.transpose(-2, -1)), M_top

    def prob_attention(queries, keys, values, mask_flag=False, factor=5):  # ProbAttention.forward
        B, L_Q, H, D = queries.shape
        L_K = keys.shape[1]
        queries = queries.transpose(2, 1)
        keys = keys.transpose(2, 1)
        values = values.transpose(2, 1)
        U_part = min(factor * int(math.ceil(math.log(L_K))), L_K)
        u = min(factor * int(math.ceil(math.log(L_Q))), L_Q)
        scores_top, index = prob_qk(queries, keys, U_part, u)
        scores_top = scores_top * (1. / math.sqrt(D))
        if not mask_flag:  # _get_initial_context
            V_sum = values.mean(dim=-2)
            context = V_sum.unsqueeze(-2).expand(B, H, L_Q, V_sum.shape[-1]).clone()
        else:
            context = values.cumsum(dim=-2)
            _mask = torch.ones(L_Q, L_K, dtype=torch.bool).triu(1)  # ProbMask
            _mask_ex = _mask[None, None, :].expand(B, H, L_Q, L_K)
            indicator = _mask_ex[torch.arange(B)[:, None, None], torch.arange(H)[None, :, None], index, :]
            scores_top = scores_top.masked_fill_(indicator.view(scores_top.shape), -math.inf)
        attn = torch.softmax(scores_top, dim=-1)  # _update_context
        context[torch.arange(B)[:, None, None], torch.arange(H)[None, :, None], index, :] = \
            torch.matmul(attn, values).type_as(context)
        return context.transpose(2, 1).contiguous()

    # ------------------------------------------------------------------ Autoformer
    def series_decomp(x, kernel_size=25):  # moving_avg with replicated ends, the residual
        front = x[:, 0:1, :].repeat(1, (kernel_size - 1) // 2, 1)
        end = x[:, -1:, :].repeat(1, (kernel_size - 1) // 2, 1)
        xp = torch.cat([front, x, end], dim=1)
        moving_mean = F.avg_pool1d(xp.permute(0, 2, 1), kernel_size=kernel_size, stride=1, padding=0).permute(0, 2, 1)
        return x - moving_mean, moving_mean

    def autocorrelation(queries, keys, values, factor=1):  # AutoCorrelation with time_delay_agg_inference
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
        for j in range(top_k):
            tmp_delay = init_index + delay[:, j].unsqueeze(1).unsqueeze(1).unsqueeze(1).repeat(1, head, channel, length)
            pattern = torch.gather(tmp_values, dim=-1, index=tmp_delay)
            delays_agg = delays_agg + pattern * (tmp_corr[:, j].unsqueeze(1).unsqueeze(1).unsqueeze(1)
                                                 .repeat(1, head, channel, length))
        return delays_agg.permute(0, 3, 1, 2)

    # ------------------------------------------------------------------ N-BEATS, TimesNet
    def nbeats_block(x, w1, b1, w2, b2, w3, b3, w4, b4, w_theta, b_theta):  # 4 FC layers with ReLU, theta
        h = x
        for w, b in ((w1, b1), (w2, b2), (w3, b3), (w4, b4)):
            h = F.relu(linear(h, w, b))
        return linear(h, w_theta, b_theta)

    def trend_basis(theta, backcast_time, forecast_time):  # TrendBasis: polynomial templates by einsum
        cut_point = forecast_time.shape[0]
        backcast = torch.einsum("bp,pt->bt", theta[:, cut_point:], backcast_time)
        forecast = torch.einsum("bp,pt->bt", theta[:, :cut_point], forecast_time)
        return backcast, forecast

    def seasonality_basis(theta, bc, bs_, fc, fs):  # SeasonalityBasis: cos / sin harmonics by einsum
        p = theta.shape[1] // 4
        backcast = (torch.einsum("bp,pt->bt", theta[:, 2 * p:3 * p], bc)
                    + torch.einsum("bp,pt->bt", theta[:, 3 * p:], bs_))
        forecast = (torch.einsum("bp,pt->bt", theta[:, :p], fc)
                    + torch.einsum("bp,pt->bt", theta[:, p:2 * p], fs))
        return backcast, forecast

    def nbeats_residual(x, backcast, forecast, acc):  # the doubly residual stacking
        return x - backcast, acc + forecast

    def fft_for_period(x, k=5):  # TimesNet's FFT_for_Period: amplitudes, the top frequencies, period weights
        xf = torch.fft.rfft(x, dim=1)
        frequency_list = abs(xf).mean(0).mean(-1)
        frequency_list[0] = 0
        _, top_list = torch.topk(frequency_list, k)
        return top_list, abs(xf).mean(-1)[:, top_list]

    # fp32 throughout: Informer's encoder ProbSparse self-attention (d_model 512, 8 heads of 64, factor 5) over 32
    # windows of 96 steps; Autoformer's autocorrelation and decomposition at the same sizes; N-BEATS-I on M4 hourly
    # (batch 1024, backcast 336, forecast 48: the trend stack's 256-wide block and basis, the seasonality basis);
    # TimesNet's periods (32 x 192 x 256)
    out += [("prob_attention", prob_attention, (mf(32, 96, 8, 64), mf(32, 96, 8, 64), mf(32, 96, 8, 64))),
            ("autocorrelation", autocorrelation, (mf(32, 96, 8, 64), mf(32, 96, 8, 64), mf(32, 96, 8, 64))),
            ("series_decomp", series_decomp, (mf(32, 96, 512),)),
            ("nbeats_block", nbeats_block, (mf(1024, 336), mf(256, 336), mf(256), mf(256, 256), mf(256),
                                            mf(256, 256), mf(256), mf(256, 256), mf(256), mf(8, 256), mf(8))),
            ("trend_basis", trend_basis, (mf(1024, 8), mf(4, 336), mf(4, 48))),
            ("seasonality_basis", seasonality_basis, (mf(1024, 96), mf(24, 336), mf(24, 336), mf(24, 48),
                                                      mf(24, 48))),
            ("fft_for_period", fft_for_period, (mf(32, 192, 256),))]

    # ================================================================== speech
    def rnnt_joiner(source, target, w, b):  # torchaudio's RNNT Joiner: broadcast add, ReLU, the vocabulary linear
        joint = source.unsqueeze(2).contiguous() + target.unsqueeze(1).contiguous()
        return linear(F.relu(joint), w, b)

    def nemo_joint(f, g, wenc, benc, wpred, bpred, wout, bout):  # NeMo RNNTJoint: projections, add, ReLU, log_softmax
        f = linear(f, wenc, benc).unsqueeze(dim=2)
        g = linear(g, wpred, bpred).unsqueeze(dim=1)
        res = linear(F.relu(f + g), wout, bout)
        return res.log_softmax(dim=-1)

    def mask_along_axis_iid(specgrams, mask_param, mask_value, axis):  # torchaudio.functional, SpecAugment's masks
        value = torch.rand(specgrams.shape[:2], dtype=specgrams.dtype) * mask_param
        min_value = torch.rand(specgrams.shape[:2], dtype=specgrams.dtype) * (specgrams.size(axis) - value)
        mask_start = min_value.long()[..., None, None]
        mask_end = (min_value.long() + value.long())[..., None, None]
        mask = torch.arange(0, specgrams.size(axis), dtype=specgrams.dtype)
        specgrams = specgrams.transpose(axis, -1)
        specgrams = specgrams.masked_fill((mask >= mask_start) & (mask < mask_end), mask_value)
        return specgrams.transpose(axis, -1)

    def vocos_istft_head(x, w, b, window, n_fft=1024, hop=256):  # ISTFTHead with its 'same'-padded ISTFT
        x = linear(x, w, b).transpose(1, 2)
        mag, p = x.chunk(2, dim=1)
        mag = torch.exp(mag)
        mag = torch.clip(mag, max=1e2)
        S = mag * (torch.cos(p) + 1j * torch.sin(p))
        pad = (n_fft - hop) // 2
        B, N, T = S.shape
        ifft = torch.fft.irfft(S, n_fft, dim=1, norm="backward")
        ifft = ifft * window[None, :, None]
        output_size = (T - 1) * hop + n_fft
        y = F.fold(ifft, output_size=(1, output_size), kernel_size=(1, n_fft), stride=(1, hop))[:, 0, 0, pad:-pad]
        window_sq = window.square().expand(1, T, -1).transpose(1, 2)
        window_envelope = F.fold(window_sq, output_size=(1, output_size), kernel_size=(1, n_fft),
                                 stride=(1, hop)).squeeze()[pad:-pad]
        return y / window_envelope

    # Emformer RNN-T's joiner (1024 wide, 4097 tokens) over 4 utterances of 200 frames x 50 targets (fp32) and at a
    # greedy step of 8 streams; NeMo Conformer-Transducer's joint (encoder 512 and predictor 640 into 640, 1025 tokens,
    # fp16) over 8 x 250 x 40; SpecAugment's frequency masks (27) over 32 x 80 x 1500 log-mels; Vocos-24kHz's head
    # (512 -> 1026) over 8 clips of 938 frames
    out += [("rnnt_joiner", rnnt_joiner, (mf(4, 200, 1024), mf(4, 50, 1024), mf(4097, 1024), mf(4097))),
            ("rnnt_joiner", rnnt_joiner, (mf(8, 1, 1024), mf(8, 1, 1024), mf(4097, 1024), mf(4097))),
            ("nemo_joint", nemo_joint, (mh(8, 250, 512), mh(8, 40, 640), mh(640, 512), mh(640), mh(640, 640),
                                        mh(640), mh(1025, 640), mh(1025))),
            ("spec_augment_freq", lambda s: mask_along_axis_iid(s, 27, 0.0, 2), (mf(32, 1, 80, 1500),)),
            ("vocos_istft_head", vocos_istft_head, (mf(8, 938, 512), mf(1026, 512), mf(1026), mf(1024)))]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK21, _check21()),))
