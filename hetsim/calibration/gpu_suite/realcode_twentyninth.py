"""The aten sweep's eighteenth blind real-code group: `realcode-check18`, convolution-heavy inference code.

Each case is one op or a short idiom as real inference code writes it where convolutions live (vision encoders,
classifiers, diffusion UNets and VAEs, speech front ends and vocoders, detectors, depth heads, state-space and Hyena
layers), with the ops those same models run around them, at their real shapes, batches and dtypes (bf16 and fp16
mostly, fp32 where a codebase keeps it, channels_last where one converts to it): ViT-family patch embeddings (CLIP
ViT-L/14's bias-free conv1 at 224 over fp32 pixels cast to fp16, with the class token, positions and ln_pre, and at
336 under LLaVA-1.5 with its GELU projector; SigLIP-so400m at 384; timm ViT-B/16; DINOv2 ViT-L/14 at 224 with its 37 x
37 table resized by bicubic in fp32, ViT-g/14's table resized for 448; InternVL2.5-8B's InternViT-300M over 7 dynamic
448 tiles with the pixel shuffle and mlp1, InternViT-6B over 13 tiles; Qwen2-VL's Conv3d 2 x 14 x 14 over an image's
6440 and a video's 12960 flattened patches with the PatchMerger, Qwen3-VL's 2 x 16 x 16 with bias; Pixtral-12B's patch
conv with ln_pre as RMSNorm; Llama-3.2-11B-Vision's tiles with gated positions; VideoMAE's Conv3d tubelets), segment-
anything (ViT-H and ViT-B patch embeds with the absolute table, ViT-H's neck of 1x1 and 3x3 convs with LayerNorm2d by
hand, the mask decoder's ConvTranspose2d upscaling for 16 prompts, the hypernetwork masks and their bilinear resizing)
and SAM 2 (Hiera-L's 7x7 stride-4 embed with its resized and tiled position tables, FpnNeck's laterals and fp32 top-
down path, the memory encoder's mask downsampler and fuser block), classifiers in eval (ResNet-50 in fp16
channels_last over 64 images: the 7x7 stem with max pool, 1x1, 3x3 and stride-2 convs with BatchNorm and ReLU, the
bottleneck tails with their downsample branches, the head; under autocast with fp32 BatchNorm parameters; a BN-folded
conv; timm ConvNeXt-B in channels_last and transformers' ConvNeXt-T with its fp32 channels_first LayerNorm: the 4x4
stem, depthwise 7x7 blocks with the permutes, LayerNorm, MLP and layer scale, the head; ConvNeXt V2's GRN;
EfficientNet-B0 / B4's stems, depthwise 3x3 and 5x5, squeeze-excite and projections, MobileNetV3-Large's hardswish
stem, hardsigmoid SE and head), Stable Diffusion 1.5's and SDXL's UNets at guidance's batch of 2 (conv_in 4 -> 320,
ResnetBlock2D's GroupNorm, SiLU, 3x3 convs, the time embedding added as [:, :, None, None] and the 1x1 shortcut, up
blocks' skip cat, Downsample2D's stride-2 conv, Upsample2D's nearest interpolate and conv (bf16 through fp32 as
diffusers casts it), Transformer2DModel's 1x1 or linear proj_in / proj_out, attention by SDPA over 4096 and 1024
latent tokens, self and across CLIP tokens, GEGLU, SDXL's add embedding, norm_out and conv_out; SDXL in
channels_last), ControlNet's conditioning embedding and a zero conv, AutoencoderKL decoders and encoders (SD 1.5 in
fp16 at 512, SDXL in fp32 at 1024 and its fp16-fix upsample, FLUX.1's 16-channel VAE in bf16 at 1024: post_quant_conv
and conv_in, the mid block's single-head SDPA over 4096 and 16384 latents, resnets up to 1024 x 1024, conv_out 128 ->
3 with the postprocess, conv_in 3 -> 128, the padded stride-2 downsample, the Gaussian's sample, FLUX's latent
packing), CogVideoX's causal Conv3d, speech (Whisper large-v3's log-mel by STFT, its conv stem 128 -> 1280 with GELU
and positions, SDPA over 1500 frames and the MLP, whisper-small's stem, Qwen2-Audio's pooled projection;
wav2vec2-base's conv feature encoder on raw 16 kHz audio with GroupNorm, wav2vec2-large / HuBERT-large's with
LayerNorm, the weight-normed grouped positional conv of 128 taps; FastConformer's depthwise-striding subsampling and
conv module with GLU, depthwise k9 and BatchNorm, wav2vec2-conformer's k31; ECAPA-TDNN's reflect-padded TDNN, dilated
Res2Net and attentive statistics pooling; HiFi-GAN's ConvTranspose1d upsampling and dilated resblocks, a VITS WaveNet
layer), detection and depth (YOLOv8s after fuse() over a validation batch of 32 and one image: Conv-SiLU, C2f's split
and cat, SPPF's max pools, the neck's upsample, the Detect head's 1x1s of few channels, DFL and dist2bbox, the seg
prototypes' transposed conv; DETR-ResNet-50 with FrozenBatchNorm2d by hand, its resized mask, sine positions and input
projection; Faster R-CNN's FPN top-down merge and RPN head; Depth Anything V2's DPT reassembles with ConvTranspose2d,
fusion blocks with bilinear resizing and the depth head) and Conv1d beside language models (Mamba-2.8B's causal
depthwise conv at prefill with in_proj, x_proj and dt_proj, its rolled conv state at decode, Mamba2's conv over x, B
and C, StripedHyena's short filter and FFT long convolution, GPT-2's Conv1D by addmm); about a quarter of the cases
are convolutions. The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The
builder (hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal to one of
theirs, so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK18 = "realcode-check18"


def _check18():
    import math

    import torch
    import torch.nn.functional as F

    bf, f16, f32 = torch.bfloat16, torch.float16, torch.float32
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, i = _meta_makers()

    linear = _layer_makers(1e-6)[0]

    def mh(*shape):  # fp16, as `model.half()` leaves it
        return m(*shape, dt=f16)

    def mf(*shape):
        return m(*shape, dt=f32)

    def cl(t):  # as `.to(memory_format=torch.channels_last)` leaves a 4-d (or 5-d) tensor
        return t.contiguous(memory_format=torch.channels_last if t.dim() == 4 else torch.channels_last_3d)

    def same(t):
        return t

    def bnp(c, mk):  # BatchNorm's running mean, running var, weight and bias
        return mk(c), mk(c), mk(c), mk(c)

    def bn(x, rm, rv, g, b, eps=1e-5):  # BatchNorm2d / BatchNorm1d in eval
        return F.batch_norm(x, rm, rv, g, b, False, 0.1, eps)

    def ln(x, w, b, eps=1e-5):
        return F.layer_norm(x, (x.shape[-1],), w, b, eps)

    def ln2d(x, w, b, eps=1e-6):  # segment-anything's LayerNorm2d: mean and variance over the channels by hand
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + eps)
        return w[:, None, None] * x + b[:, None, None]

    def ln_permuted(x, w, b, eps=1e-6):  # timm's LayerNorm2d: permute to channels last, F.layer_norm, permute back
        return F.layer_norm(x.permute(0, 2, 3, 1), (x.shape[1],), w, b, eps).permute(0, 3, 1, 2)

    def ln_fp32_channels_first(x, w, b, eps=1e-6):  # transformers' ConvNextLayerNorm (channels_first) in fp32
        dtype = x.dtype
        x = x.float()
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = ((x - u) / torch.sqrt(s + eps)).to(dtype)
        return w[:, None, None] * x + b[:, None, None]

    # ------------------------------------------------------------------ vision transformers' patch embeddings
    def patch_embed(px, w, b=None):  # Conv2d with kernel = stride = patch, then flatten(2).transpose(1, 2)
        return F.conv2d(px.to(w.dtype), w, b, stride=w.shape[-1]).flatten(2).transpose(1, 2)

    def cls_pos(x, cls, pos):  # the class token in front, the position table added
        return torch.cat([cls.expand(x.shape[0], 1, -1).to(x.dtype), x], dim=1) + pos.to(x.dtype)

    def clip_embed(px, w, cls, pos, lw, lb):  # CLIP: conv1 without bias, the class token, positions, ln_pre
        x = F.conv2d(px.to(w.dtype), w, stride=w.shape[-1])
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        return ln(cls_pos(x, cls, pos), lw, lb)

    def llava_project(hidden, w1, b1, w2, b2):  # the penultimate layer's patch tokens through the GELU projector
        return linear(F.gelu(linear(hidden[:, 1:], w1, b1)), w2, b2)

    def interp_pos_fp32(pos, side, size):  # DINOv2 / InternViT: the patch table resized by bicubic in fp32
        dtype, dim = pos.dtype, pos.shape[-1]
        grid = pos[:, 1:].reshape(1, side, side, dim).permute(0, 3, 1, 2)
        grid = F.interpolate(grid.to(f32), size=(size, size), mode="bicubic", align_corners=False)
        grid = grid.permute(0, 2, 3, 1).reshape(1, -1, dim).to(dtype)
        return torch.cat([pos[:, :1], grid], dim=1)

    def dinov2_embed(px, w, b, cls, pos):  # patches, class token and the 37 x 37 table resized to the image
        x = patch_embed(px, w, b)
        side = int(math.sqrt(x.shape[1]))
        x = torch.cat([cls.expand(x.shape[0], -1, -1), x], dim=1)
        return x + interp_pos_fp32(pos, int(math.sqrt(pos.shape[1] - 1)), side)

    def internvl_pixel_shuffle(vit, nw, nb, w1, b1, w2, b2, scale=0.5):  # InternVL: 1024 tokens folded into 256
        n, t, c = vit.shape
        side = int(math.sqrt(t - 1))
        x = vit[:, 1:].reshape(n, side, side, c)
        x = x.view(n, side, int(side * scale), int(c / scale)).permute(0, 2, 1, 3).contiguous()
        x = x.view(n, int(side * scale), int(side * scale), int(c / (scale * scale))).permute(0, 2, 1, 3).contiguous()
        x = x.reshape(n, -1, x.shape[-1])
        return linear(F.gelu(linear(ln(x, nw, nb), w1, b1)), w2, b2)

    def qwen_vl_patch(flat, w, b=None):  # Qwen2-VL / Qwen3-VL: flattened patches viewed as 2-frame cubes, Conv3d
        t, p = w.shape[2], w.shape[3]
        x = flat.view(-1, 3, t, p, p)
        return F.conv3d(x.to(w.dtype), w, b, stride=(t, p, p)).view(-1, w.shape[0])

    def qwen_vl_merger(x, nw, nb, w1, b1, w2, b2):  # PatchMerger: LayerNorm, 2 x 2 patches joined, GELU MLP
        x = ln(x, nw, nb, 1e-6).view(-1, 4 * x.shape[-1])
        return linear(F.gelu(linear(x, w1, b1)), w2, b2)

    def pixtral_embed(px, w, nw):  # the patch conv without bias, patches as rows, ln_pre as RMSNorm
        x = F.conv2d(px, w, stride=w.shape[-1])
        x = x[0].flatten(1).T.unsqueeze(0)
        return F.rms_norm(x, (x.shape[-1],), nw, 1e-5)

    def mllama_embed(px, w, cls, gate, pos):  # Llama-3.2-Vision: tiles' patches, class token, gated positions
        x = patch_embed(px, w)
        x = torch.cat([cls.expand(x.shape[0], 1, -1), x], dim=1)
        return x + (1 - gate.tanh()) * pos

    def video_tubelets(px, w, b, pos):  # VideoMAE: Conv3d over 2-frame 16 x 16 tubelets, sinusoid table added
        x = F.conv3d(px, w, b, stride=w.shape[2:]).flatten(2).transpose(1, 2)
        return x + pos

    # ------------------------------------------------------------------ segment-anything (SAM, SAM 2)
    def sam_patch(px, w, b, pos):  # PatchEmbed: conv, then B x H x W x C, the absolute table added
        return F.conv2d(px, w, b, stride=w.shape[-1]).permute(0, 2, 3, 1) + pos

    def sam_neck(x, w1, n1w, n1b, w2, n2w, n2b):  # 1x1 to 256, LayerNorm2d, 3x3, LayerNorm2d
        x = F.conv2d(x.permute(0, 3, 1, 2), w1)
        x = ln2d(x, n1w, n1b)
        return ln2d(F.conv2d(x, w2, padding=1), n2w, n2b)

    def sam_upscale(src, w1, b1, nw, nb, w2, b2):  # the mask decoder's output upscaling by two transposed convs
        x = F.gelu(ln2d(F.conv_transpose2d(src, w1, b1, stride=2), nw, nb))
        return F.gelu(F.conv_transpose2d(x, w2, b2, stride=2))

    def sam_hyper_masks(hyper_in, upscaled):
        b, c, h, w = upscaled.shape
        return (hyper_in @ upscaled.view(b, c, h * w)).view(b, -1, h, w)

    def sam_postprocess(masks, input_hw=(768, 1024), original=(1200, 1600)):
        x = F.interpolate(masks, (1024, 1024), mode="bilinear", align_corners=False)
        x = x[..., : input_hw[0], : input_hw[1]]
        return F.interpolate(x, original, mode="bilinear", align_corners=False) > 0.0

    def hiera_pos(x, pos, win):  # SAM 2's Hiera: the background table resized by bicubic plus the tiled window one
        h, w = x.shape[1:3]
        p = F.interpolate(pos, size=(h, w), mode="bicubic")
        p = p + win.tile([1, 1, h // win.shape[-2], w // win.shape[-1]])
        return x + p.permute(0, 2, 3, 1)

    def sam2_fpn_top_down(coarse, fine, wc, bc, wf, bf_):  # FpnNeck: laterals, the top-down path in fp32, averaged
        prev = F.conv2d(coarse, wc, bc)
        lateral = F.conv2d(fine, wf, bf_)
        top_down = F.interpolate(prev.to(dtype=f32), scale_factor=2.0, mode="nearest", align_corners=None,
                                 antialias=False)
        out = lateral + top_down
        return out / 2

    def sam2_mask_downsampler(mask, *p):  # the memory encoder's mask downsampler, its first two of four stages
        x = torch.sigmoid(mask) * 20.0 - 10.0  # stride-2 3x3 convs, each with LayerNorm2d and GELU
        for j in range(len(p) // 4):
            w, b, nw, nb = p[4 * j: 4 * j + 4]
            x = F.gelu(ln2d(F.conv2d(x, w, b, stride=2, padding=1), nw, nb))
        return x

    def cx_block(x, dw, db, nw, nb, w1, b1, w2, b2, gamma, norm2d=False):  # ConvNeXt's block (timm, SAM 2's fuser)
        h = F.conv2d(x, dw, db, padding=dw.shape[-1] // 2, groups=x.shape[1])
        if norm2d:  # SAM 2's CXBlock: LayerNorm2d before the permute
            h = ln2d(h, nw, nb).permute(0, 2, 3, 1)
        else:  # timm / transformers: permute, then LayerNorm over the last dim
            h = ln(h.permute(0, 2, 3, 1), nw, nb, 1e-6)
        h = linear(F.gelu(linear(h, w1, b1)), w2, b2)
        return x + (gamma * h).permute(0, 3, 1, 2)

    def cx_block_grn(x, dw, db, nw, nb, w1, b1, gg, gb, w2, b2):  # ConvNeXt V2: GRN between the two linears
        h = F.conv2d(x, dw, db, padding=3, groups=x.shape[1]).permute(0, 2, 3, 1)
        h = F.gelu(linear(ln(h, nw, nb, 1e-6), w1, b1))
        gx = torch.norm(h, p=2, dim=(1, 2), keepdim=True)
        nx = gx / (gx.mean(dim=-1, keepdim=True) + 1e-6)
        h = gg * (h * nx) + gb + h
        return x + linear(h, w2, b2).permute(0, 3, 1, 2)

    # ------------------------------------------------------------------ convolutional classifiers
    def conv_bn(x, w, rm, rv, g, b, stride=1, padding=0, groups=1, act=F.relu):  # torchvision's Conv-BN-act
        y = bn(F.conv2d(x, w, None, stride, padding, 1, groups), rm, rv, g, b)
        return act(y) if act is not None else y

    def resnet_stem(x, w, *p):  # 7x7 stride 2, BatchNorm, ReLU, 3x3 max pool stride 2
        return F.max_pool2d(conv_bn(x, w, *p, stride=2, padding=3), 3, 2, 1)

    def bottleneck_tail(x, identity, w, rm, rv, g, b):  # conv3 and bn3, the residual, ReLU
        return F.relu(conv_bn(x, w, rm, rv, g, b, act=None) + identity)

    def bottleneck_tail_down(x, inp, w, rm, rv, g, b, wd, dm, dv, dg, db, stride=1):  # with the downsample branch
        identity = conv_bn(inp, wd, dm, dv, dg, db, stride=stride, act=None)
        return F.relu(conv_bn(x, w, rm, rv, g, b, act=None) + identity)

    def classifier_head(x, w, b):  # adaptive average pool, flatten, fc
        return linear(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1), w, b)

    def frozen_bn(x, w, b, rm, rv, eps=1e-5):  # DETR's FrozenBatchNorm2d: scale and shift by hand
        scale = w * (rv + eps).rsqrt()
        bias = b - rm * scale
        return x * scale.reshape(1, -1, 1, 1) + bias.reshape(1, -1, 1, 1)

    def squeeze_excite(x, w1, b1, w2, b2, act=F.silu, gate=torch.sigmoid):  # pooled, 1x1 down, 1x1 up, gate
        s = F.adaptive_avg_pool2d(x, 1)
        s = gate(F.conv2d(act(F.conv2d(s, w1, b1)), w2, b2))
        return x * s

    def cnx_stem(px, w, b, nw, nb, norm):
        return norm(F.conv2d(px, w, b, stride=4), nw, nb)

    def cnx_head(x, nw, nb, w, b):
        return linear(ln(x.mean([-2, -1]), nw, nb, 1e-6), w, b)

    # ------------------------------------------------------------------ Stable Diffusion's UNet and VAE (diffusers)
    def gn_silu(x, w, b, eps=1e-5, groups=32):
        return F.silu(F.group_norm(x, groups, w, b, eps))

    def unet_resnet(x, temb, n1w, n1b, w1, b1, tw, tb, n2w, n2b, w2, b2, *short):  # ResnetBlock2D with the temb
        h = F.conv2d(gn_silu(x, n1w, n1b), w1, b1, padding=1)
        h = h + linear(F.silu(temb), tw, tb)[:, :, None, None]
        h = F.conv2d(gn_silu(h, n2w, n2b), w2, b2, padding=1)
        if short:
            x = F.conv2d(x, short[0], short[1])
        return (x + h) / 1.0

    def unet_up_resnet(h, skip, temb, *p):  # an up block's resnet over the skip connection joined on channels
        return unet_resnet(torch.cat([h, skip], dim=1), temb, *p)

    def vae_resnet(x, n1w, n1b, w1, b1, n2w, n2b, w2, b2, *short):  # ResnetBlock2D without temb, eps 1e-6
        h = F.conv2d(gn_silu(x, n1w, n1b, 1e-6), w1, b1, padding=1)
        h = F.conv2d(gn_silu(h, n2w, n2b, 1e-6), w2, b2, padding=1)
        if short:
            x = F.conv2d(x, short[0], short[1])
        return (x + h) / 1.0

    def rn_args(cin, cout, mk, temb=1280, lay=same):  # a ResnetBlock2D's parameters in the order above
        p = [mk(cin), mk(cin), lay(mk(cout, cin, 3, 3)), mk(cout)]
        if temb:
            p += [mk(cout, temb), mk(cout)]
        p += [mk(cout), mk(cout), lay(mk(cout, cout, 3, 3)), mk(cout)]
        if cin != cout:
            p += [lay(mk(cout, cin, 1, 1)), mk(cout)]
        return tuple(p)

    def downsample(x, w, b):  # Downsample2D: 3x3 stride 2, padding 1
        return F.conv2d(x, w, b, stride=2, padding=1)

    def downsample_pad(x, w, b):  # the VAE encoder's Downsample2D: padding 0, F.pad by one on the right and bottom
        return F.conv2d(F.pad(x, (0, 1, 0, 1), mode="constant", value=0), w, b, stride=2)

    def upsample(x, w, b):  # Upsample2D: nearest x2 (bf16 through fp32, as diffusers casts it), 3x3 conv
        dtype = x.dtype
        if dtype == bf:
            x = x.to(f32)
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        if dtype == bf:
            x = x.to(dtype)
        return F.conv2d(x, w, b, padding=1)

    def norm_out_conv(x, nw, nb, w, b, eps=1e-5):  # norm_out, SiLU, conv_out
        return F.conv2d(gn_silu(x, nw, nb, eps), w, b, padding=1)

    def st_in_conv(x, nw, nb, w, b):  # Transformer2DModel (SD 1.5): GroupNorm, 1x1 proj_in, tokens
        bsz, c, h, wd = x.shape
        x = F.conv2d(F.group_norm(x, 32, nw, nb, 1e-6), w, b)
        return x.permute(0, 2, 3, 1).reshape(bsz, h * wd, c)

    def st_out_conv(x, res, w, b):  # tokens back to NCHW, 1x1 proj_out, the residual
        bsz, c, h, wd = res.shape
        x = x.reshape(bsz, h, wd, c).permute(0, 3, 1, 2).contiguous()
        return F.conv2d(x, w, b) + res

    def st_in_linear(x, nw, nb, w, b):  # SDXL: GroupNorm, tokens, linear proj_in
        bsz, c, h, wd = x.shape
        x = F.group_norm(x, 32, nw, nb, 1e-6).permute(0, 2, 3, 1).reshape(bsz, h * wd, c)
        return linear(x, w, b)

    def st_out_linear(x, res, w, b):
        bsz, c, h, wd = res.shape
        x = linear(x, w, b).reshape(bsz, h, wd, c).permute(0, 3, 1, 2).contiguous()
        return x + res

    def sd_attn(x, ctx, nw, nb, wq, wk, wv, wo, bo, heads):  # BasicTransformerBlock's attn1 / attn2 (AttnProcessor2_0)
        bsz, n, c = x.shape
        h = ln(x, nw, nb)
        ctx = h if ctx is None else ctx
        q = linear(h, wq).view(bsz, -1, heads, c // heads).transpose(1, 2)
        k = linear(ctx, wk).view(bsz, -1, heads, c // heads).transpose(1, 2)
        v = linear(ctx, wv).view(bsz, -1, heads, c // heads).transpose(1, 2)
        o = sdpa(q, k, v).transpose(1, 2).reshape(bsz, -1, c).to(q.dtype)
        return linear(o, wo, bo) / 1.0 + x

    def attn_args(c, ctx_dim, mk):
        return mk(c), mk(c), mk(c, c), mk(c, ctx_dim), mk(c, ctx_dim), mk(c, c), mk(c)

    def geglu_ff(x, nw, nb, w1, b1, w2, b2):  # FeedForward with GEGLU
        h, gate = linear(ln(x, nw, nb), w1, b1).chunk(2, dim=-1)
        return linear(h * F.gelu(gate), w2, b2) + x

    def ff_args(c, mk):
        return mk(c), mk(c), mk(8 * c, c), mk(8 * c), mk(c, 4 * c), mk(c)

    def sdxl_add_embed(time_ids, text_embeds, w1, b1, w2, b2):  # the six size / crop ids and the pooled text
        half = 128
        exponent = -math.log(10000) * torch.arange(0, half, dtype=f32, device=time_ids.device) / half
        emb = time_ids.flatten()[:, None].float() * torch.exp(exponent)[None, :]
        emb = torch.cat([torch.cos(emb), torch.sin(emb)], dim=-1)
        emb = torch.cat([text_embeds, emb.reshape(text_embeds.shape[0], -1).to(text_embeds.dtype)], dim=-1)
        return linear(F.silu(linear(emb, w1, b1)), w2, b2)

    def vae_mid_attn(x, nw, nb, wq, bq, wk, bk, wv, bv, wo, bo):  # one head over every latent pixel
        bsz, c, h, w = x.shape
        t = x.view(bsz, c, h * w).transpose(1, 2)
        t = F.group_norm(t.transpose(1, 2), 32, nw, nb, 1e-6).transpose(1, 2)
        q, k, v = (linear(t, wp, bp).view(bsz, -1, 1, c).transpose(1, 2) for wp, bp in ((wq, bq), (wk, bk), (wv, bv)))
        o = sdpa(q, k, v).transpose(1, 2).reshape(bsz, -1, c).to(q.dtype)
        o = linear(o, wo, bo).transpose(-1, -2).reshape(bsz, c, h, w)
        return (o + x) / 1.0

    def vae_attn_args(mk, c=512):
        return (mk(c), mk(c)) + tuple(t for _ in range(4) for t in (mk(c, c), mk(c)))

    def vae_decode_in(z, wq, bq, w, b, scale=0.18215):  # unscaled latents, post_quant_conv, conv_in
        z = F.conv2d(z / scale, wq, bq)
        return F.conv2d(z, w, b, padding=1)

    def flux_decode_in(z, w, b, scale=0.3611, shift=0.1159):
        return F.conv2d(z / scale + shift, w, b, padding=1)

    def vae_postprocess(img):  # VaeImageProcessor: [-1, 1] to [0, 1], NHWC fp32 for PIL
        return (img / 2 + 0.5).clamp(0, 1).permute(0, 2, 3, 1).float()

    def vae_encode_in(img, w, b):  # the [0, 1] image to [-1, 1] in the VAE's dtype, conv_in
        return F.conv2d((2.0 * img - 1.0).to(w.dtype), w, b, padding=1)

    def vae_encode_out(x, nw, nb, w, b, wq, bq, scale=0.18215):  # conv_out, quant_conv, the Gaussian's sample
        moments = F.conv2d(F.conv2d(gn_silu(x, nw, nb, 1e-6), w, b, padding=1), wq, bq)
        mean, logvar = torch.chunk(moments, 2, dim=1)
        std = torch.exp(0.5 * torch.clamp(logvar, -30.0, 20.0))
        return (mean + std * torch.randn(mean.shape, device=mean.device, dtype=mean.dtype)) * scale

    def flux_encode_out(x, nw, nb, w, b, scale=0.3611, shift=0.1159):  # no quant_conv; the mode, shifted and scaled
        moments = F.conv2d(gn_silu(x, nw, nb, 1e-6), w, b, padding=1)
        mean, _ = torch.chunk(moments, 2, dim=1)
        return (mean - shift) * scale

    def flux_pack(z):  # 2 x 2 latent patches into tokens
        b, c, h, w = z.shape
        z = z.view(b, c, h // 2, 2, w // 2, 2).permute(0, 2, 4, 1, 3, 5)
        return z.reshape(b, (h // 2) * (w // 2), c * 4)

    def flux_unpack(tokens, h=128, w=128):
        b, n, d = tokens.shape
        z = tokens.view(b, h // 2, w // 2, d // 4, 2, 2).permute(0, 3, 1, 4, 2, 5)
        return z.reshape(b, d // 4, h, w)

    def cond_embed_block(x, w1, b1, w2, b2):  # ControlNetConditioningEmbedding: 3x3, SiLU, 3x3 stride 2, SiLU
        x = F.silu(F.conv2d(x, w1, b1, padding=1))
        return F.silu(F.conv2d(x, w2, b2, stride=2, padding=1))

    def controlnet_residual(down, res, w, b, scale=0.8):  # a zero conv's output, scaled, added to the down sample
        return down + F.conv2d(res, w, b) * scale

    # ------------------------------------------------------------------ speech: Whisper, wav2vec2, Conformers
    def whisper_log_mel(audio, window, filters):  # log_mel_spectrogram: STFT, power, mel filters, log10, clamp
        stft = torch.stft(audio, 400, 160, window=window, return_complex=True)
        mag = stft[..., :-1].abs() ** 2
        log_spec = torch.clamp(filters @ mag, min=1e-10).log10()
        log_spec = torch.maximum(log_spec, log_spec.amax(dim=(-2, -1), keepdim=True) - 8.0)
        return (log_spec + 4.0) / 4.0

    def whisper_stem(feats, w1, b1, w2, b2, pos):  # conv1 k3, GELU, conv2 k3 stride 2, GELU, positions
        x = F.gelu(F.conv1d(feats, w1, b1, padding=1))
        x = F.gelu(F.conv1d(x, w2, b2, stride=2, padding=1)).permute(0, 2, 1)
        return x + pos

    def whisper_self_attn(x, nw, nb, wq, bq, wk, wv, bv, wo, bo, heads):  # k_proj has no bias
        bsz, n, c = x.shape
        h = ln(x, nw, nb)
        q = linear(h, wq, bq).view(bsz, n, heads, -1).transpose(1, 2)
        k = linear(h, wk).view(bsz, n, heads, -1).transpose(1, 2)
        v = linear(h, wv, bv).view(bsz, n, heads, -1).transpose(1, 2)
        o = sdpa(q, k, v).transpose(1, 2).reshape(bsz, n, c)
        return x + linear(o, wo, bo)

    def gelu_mlp(x, nw, nb, w1, b1, w2, b2):
        return x + linear(F.gelu(linear(ln(x, nw, nb), w1, b1)), w2, b2)

    def audio_pool_project(x, nw, nb, w, b):  # Qwen2-Audio: average pool by 2 over time, ln_post, the projector
        x = F.avg_pool1d(x.permute(0, 2, 1), 2, stride=2).permute(0, 2, 1)
        return linear(ln(x, nw, nb), w, b)

    def w2v_conv0_gn(wave, w, nw, nb):  # wav2vec2-base: Conv1d(1, 512, 10, 5) on raw audio, GroupNorm(512, 512)
        return F.gelu(F.group_norm(F.conv1d(wave[:, None], w, stride=5), 512, nw, nb, 1e-5))

    def w2v_conv_ln(x, w, b, nw, nb, stride):  # wav2vec2-large-lv60 / HuBERT-large: conv, LayerNorm over channels
        x = F.conv1d(x, w, b, stride=stride)
        return F.gelu(ln(x.transpose(-2, -1), nw, nb).transpose(-2, -1))

    def w2v_pos_conv(x, v, g, b, nw, nb):  # the weight-normed grouped Conv1d(k=128), the extra frame dropped
        w = torch._weight_norm(v, g, 2)
        h = F.conv1d(x.transpose(1, 2), w, b, padding=w.shape[-1] // 2, groups=16)
        h = F.gelu(h[:, :, :-1]).transpose(1, 2)
        return ln(x + h, nw, nb)

    def conformer_subsample_first(mel, w, b):  # dw_striding: the mels as one channel, Conv2d 3x3 stride 2, ReLU
        return F.relu(F.conv2d(mel.unsqueeze(1), w, b, stride=2, padding=1))

    def dw_pw_stride(x, dw, db, pw, pb):  # depthwise 3x3 stride 2, pointwise 1x1, ReLU
        x = F.conv2d(x, dw, db, stride=2, padding=1, groups=x.shape[1])
        return F.relu(F.conv2d(x, pw, pb))

    def subsample_out(x, w, b):  # channels and frequency folded into the features, linear to d_model
        bsz, c, t, f = x.shape
        return linear(x.transpose(1, 2).reshape(bsz, t, c * f), w, b)

    def conformer_conv(x, nw, nb, w1, b1, dw, db, rm, rv, g, bb, w2, b2):  # LN, 1x1, GLU, depthwise, BN, SiLU, 1x1
        h = ln(x, nw, nb).transpose(1, 2)
        h = F.glu(F.conv1d(h, w1, b1), dim=1)
        h = F.conv1d(h, dw, db, padding=dw.shape[-1] // 2, groups=h.shape[1])
        h = F.conv1d(F.silu(bn(h, rm, rv, g, bb)), w2, b2)
        return x + h.transpose(1, 2)

    def reflect_conv_relu_bn(x, w, b, rm, rv, g, bb, dilation=1):  # speechbrain's TDNNBlock: 'same' by reflect pad
        pad = dilation * (w.shape[-1] - 1) // 2
        if pad:
            x = F.pad(x, (pad, pad), mode="reflect")
        return bn(F.relu(F.conv1d(x, w, b, dilation=dilation)), rm, rv, g, bb)

    def res2net(x, w, b, rm, rv, g, bb, scale=8):  # ECAPA's Res2NetBlock: chunks, each conv fed the previous sum
        ys = []
        y_i = None
        for j, x_i in enumerate(torch.chunk(x, scale, dim=1)):
            if j == 0:
                y_i = x_i
            else:
                y_i = reflect_conv_relu_bn(x_i if j == 1 else x_i + y_i, w, b, rm, rv, g, bb, dilation=2)
            ys.append(y_i)
        return torch.cat(ys, dim=1)

    def ecapa_asp(x, w1, b1, rm, rv, g, bb, w2, b2, eps=1e-12):  # attentive statistics pooling
        t = x.shape[-1]
        mean = x.mean(dim=2)
        std = torch.sqrt((x - mean.unsqueeze(2)).pow(2).mean(dim=2).clamp(eps))
        attn = torch.cat([x, mean.unsqueeze(2).repeat(1, 1, t), std.unsqueeze(2).repeat(1, 1, t)], dim=1)
        attn = F.conv1d(torch.tanh(bn(F.relu(F.conv1d(attn, w1, b1)), rm, rv, g, bb)), w2, b2)
        attn = F.softmax(attn, dim=2)
        mean = (attn * x).sum(dim=2)
        std = torch.sqrt(((attn * (x - mean.unsqueeze(2)).pow(2)).sum(dim=2)).clamp(eps))
        return torch.cat((mean, std), dim=1).unsqueeze(2)

    def hifigan_up(x, w, b, stride):  # leaky ReLU 0.1, ConvTranspose1d
        k = w.shape[-1]
        return F.conv_transpose1d(F.leaky_relu(x, 0.1), w, b, stride=stride, padding=(k - stride) // 2)

    def hifigan_resblock(x, w1, b1, w2, b2, dilations=(1, 3, 5)):  # HiFiGANResidualBlock
        k = w1.shape[-1]
        for d in dilations:
            h = F.conv1d(F.leaky_relu(x, 0.1), w1, b1, dilation=d, padding=(k * d - d) // 2)
            h = F.conv1d(F.leaky_relu(h, 0.1), w2, b2, padding=(k - 1) // 2)
            x = x + h
        return x

    def hifigan_post(x, w, b):
        return torch.tanh(F.conv1d(F.leaky_relu(x), w, b, padding=3))

    def wavenet_layer(x, w_in, b_in, w_rs, b_rs, dilation, skip):  # VITS' WaveNet: gated tanh * sigmoid, res / skip
        c = x.shape[1]
        a = F.conv1d(x, w_in, b_in, dilation=dilation, padding=dilation * (w_in.shape[-1] - 1) // 2)
        acts = torch.tanh(a[:, :c]) * torch.sigmoid(a[:, c:])
        rs = F.conv1d(acts, w_rs, b_rs)
        return x + rs[:, :c], skip + rs[:, c:]

    # ------------------------------------------------------------------ detection and depth
    def cbs(x, w, b, stride=1):  # ultralytics Conv after fuse(): the BatchNorm folded into the bias, SiLU
        return F.silu(F.conv2d(x, w, b, stride, w.shape[-1] // 2))

    def c2f(x, w1, b1, *p):  # C2f: cv1, split in two, bottlenecks over the last, all joined, cv2
        y = list(cbs(x, w1, b1).chunk(2, 1))
        nb = (len(p) - 2) // 4
        for j in range(nb):
            wa, ba, wb, bb = p[4 * j: 4 * j + 4]
            y.append(y[-1] + cbs(cbs(y[-1], wa, ba), wb, bb))
        return cbs(torch.cat(y, 1), p[-2], p[-1])

    def c2f_args(cin, cout, n, mk):
        c = cout // 2
        p = [mk(2 * c, cin, 1, 1), mk(2 * c)]
        for _ in range(n):
            p += [mk(c, c, 3, 3), mk(c), mk(c, c, 3, 3), mk(c)]
        return tuple(p + [mk(cout, (2 + n) * c, 1, 1), mk(cout)])

    def sppf(x, w1, b1, w2, b2):
        y = [cbs(x, w1, b1)]
        y.extend(F.max_pool2d(y[-1], 5, 1, 2) for _ in range(3))
        return cbs(torch.cat(y, 1), w2, b2)

    def upsample_cat(x, skip):  # nn.Upsample(None, 2, "nearest") and Concat
        return torch.cat([F.interpolate(x, scale_factor=2.0, mode="nearest"), skip], 1)

    def detect_level(x, wa, ba, wb, bb, wc, bc, wd, bd, we, be, wf, bf_):  # box and class branches, joined
        box = F.conv2d(cbs(cbs(x, wa, ba), wb, bb), wc, bc)
        cls = F.conv2d(cbs(cbs(x, wd, bd), we, be), wf, bf_)
        return torch.cat((box, cls), 1)

    def detect_args(ch, mk, c2=64, c3=128, nc=80):
        return (mk(c2, ch, 3, 3), mk(c2), mk(c2, c2, 3, 3), mk(c2), mk(64, c2, 1, 1), mk(64),
                mk(c3, ch, 3, 3), mk(c3), mk(c3, c3, 3, 3), mk(c3), mk(nc, c3, 1, 1), mk(nc))

    def dfl_decode(p3, p4, p5, w, anchors, strides):  # Detect's inference: DFL's softmax and 1x1 conv, dist2bbox
        b = p3.shape[0]
        x = torch.cat([p.view(b, 144, -1) for p in (p3, p4, p5)], 2)
        box, cls = x.split((64, 80), 1)
        a = box.shape[-1]
        d = F.conv2d(box.view(b, 4, 16, a).transpose(2, 1).softmax(1), w).view(b, 4, a)
        lt, rb = d.chunk(2, 1)
        x1y1, x2y2 = anchors.unsqueeze(0) - lt, anchors.unsqueeze(0) + rb
        dbox = torch.cat(((x1y1 + x2y2) / 2, x2y2 - x1y1), 1) * strides
        return torch.cat((dbox, cls.sigmoid()), 1)

    def yolo_proto(x, w1, b1, wt, bt, w2, b2, w3, b3):  # the segmentation head's prototypes
        x = cbs(x, w1, b1)
        x = F.conv_transpose2d(x, wt, bt, stride=2)
        return cbs(cbs(x, w2, b2), w3, b3)

    def detr_stem(px, w, bw, bb, rm, rv):
        x = F.relu(frozen_bn(F.conv2d(px, w, stride=2, padding=3), bw, bb, rm, rv))
        return F.max_pool2d(x, 3, 2, 1)

    def detr_conv_fbn(x, w, bw, bb, rm, rv, stride=1):
        return F.relu(frozen_bn(F.conv2d(x, w, stride=stride, padding=w.shape[-1] // 2), bw, bb, rm, rv))

    def detr_mask_pos(pixel_mask, feat, temperature=10000, scale=2 * math.pi):  # the mask resized, sine positions
        mask = F.interpolate(pixel_mask[None].float(), size=feat.shape[-2:]).to(torch.bool)[0]
        y = mask.cumsum(1, dtype=f32)
        x = mask.cumsum(2, dtype=f32)
        y = (y - 0.5) / (y[:, -1:, :] + 1e-6) * scale
        x = (x - 0.5) / (x[:, :, -1:] + 1e-6) * scale
        dim_t = torch.arange(128, dtype=torch.int64, device=feat.device).float()
        dim_t = temperature ** (2 * torch.div(dim_t, 2, rounding_mode="floor") / 128)
        px, py = x[:, :, :, None] / dim_t, y[:, :, :, None] / dim_t
        px = torch.stack((px[:, :, :, 0::2].sin(), px[:, :, :, 1::2].cos()), dim=4).flatten(3)
        py = torch.stack((py[:, :, :, 0::2].sin(), py[:, :, :, 1::2].cos()), dim=4).flatten(3)
        return torch.cat((py, px), dim=3).permute(0, 3, 1, 2)

    def detr_project(feat, w, b):  # input_projection, then the sequence of tokens
        return F.conv2d(feat, w, b).flatten(2).permute(0, 2, 1)

    def fpn_top_down(coarse, lateral_in, wi, bi, wl, bl, wo, bo):  # torchvision FPN: inner 1x1, nearest, add, 3x3
        top = F.conv2d(coarse, wi, bi)
        inner = F.conv2d(lateral_in, wl, bl)
        inner = inner + F.interpolate(top, size=inner.shape[-2:], mode="nearest")
        return F.conv2d(inner, wo, bo, padding=1), F.conv2d(top, wo, bo, padding=1)

    def rpn_head(x, w, b, wc, bc, wb, bb):  # conv 3x3, ReLU, objectness and box deltas, permuted and flattened
        t = F.relu(F.conv2d(x, w, b, padding=1))
        logits, deltas = F.conv2d(t, wc, bc), F.conv2d(t, wb, bb)
        n, a, h, wd = logits.shape
        logits = logits.view(n, -1, 1, h, wd).permute(0, 3, 4, 1, 2).reshape(n, -1, 1)
        deltas = deltas.view(n, -1, 4, h, wd).permute(0, 3, 4, 1, 2).reshape(n, -1, 4)
        return logits, deltas

    def dpt_reassemble_up(tokens, wp, bp, wt, bt, wr, side=37):  # DPT: tokens to a map, 1x1, upsampled, layer_rn
        b, n, c = tokens.shape
        x = tokens[:, 1:].permute(0, 2, 1).reshape(b, c, side, side)
        x = F.conv2d(x, wp, bp)
        x = F.conv_transpose2d(x, wt, bt, stride=wt.shape[-1])
        return F.conv2d(x, wr, padding=1)

    def dpt_reassemble_down(tokens, wp, bp, wd, bd, wr, side=37):
        b, n, c = tokens.shape
        x = tokens[:, 1:].permute(0, 2, 1).reshape(b, c, side, side)
        x = F.conv2d(F.conv2d(x, wp, bp), wd, bd, stride=2, padding=1)
        return F.conv2d(x, wr, padding=1)

    def rcu(x, w1, b1, w2, b2):  # ResidualConvUnit: ReLU, 3x3, ReLU, 3x3, add
        return F.conv2d(F.relu(F.conv2d(F.relu(x), w1, b1, padding=1)), w2, b2, padding=1) + x

    def dpt_fusion(x, skip, w1, b1, w2, b2, w3, b3, w4, b4, wo, bo):  # FeatureFusionBlock
        x = x + rcu(skip, w1, b1, w2, b2)
        x = rcu(x, w3, b3, w4, b4)
        x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True)
        return F.conv2d(x, wo, bo)

    def dpt_head(x, w1, b1, w2, b2, w3, b3, size=518, out=(1080, 1920)):  # the depth head, resized to the image
        x = F.conv2d(x, w1, b1, padding=1)
        x = F.interpolate(x, (size, size), mode="bilinear", align_corners=True)
        x = F.relu(F.conv2d(F.relu(F.conv2d(x, w2, b2, padding=1)), w3, b3))
        return F.interpolate(x, out, mode="bilinear", align_corners=True)

    # ------------------------------------------------------------------ Conv1d beside language models
    def mamba_conv_prefill(x, w_in, w, b):  # MambaMixer's slow path: in_proj, chunk, causal depthwise conv, SiLU
        seqlen = x.shape[1]
        projected = linear(x, w_in).transpose(1, 2)
        hidden, gate = projected.chunk(2, dim=1)
        return F.silu(F.conv1d(hidden, w, b, padding=w.shape[-1] - 1, groups=hidden.shape[1])[..., :seqlen]), gate

    def mamba_x_dt(h, wx, wdt, bdt, dt_rank=160, d_state=16):  # x_proj split into dt, B, C; dt_proj; softplus
        ssm = linear(h.transpose(1, 2), wx)
        dt, bmat, cmat = torch.split(ssm, [dt_rank, d_state, d_state], dim=-1)
        return F.softplus(linear(dt, wdt, bdt).transpose(1, 2)), bmat, cmat

    def mamba_conv_step(state, x, w, b):  # decode: the conv state rolled, the new column written, a weighted sum
        state.copy_(torch.roll(state, shifts=-1, dims=-1))
        state[:, :, -1] = x
        return F.silu(torch.sum(state * w[:, 0, :], dim=-1) + b)

    def mamba2_conv(xbc, w, b, d_inner=8192, bc=1024):  # Mamba2Mixer's torch path over x, B and C together
        seqlen = xbc.shape[1]
        h = F.conv1d(xbc.transpose(1, 2), w, b, padding=w.shape[-1] - 1, groups=xbc.shape[-1])[..., :seqlen]
        return torch.split(F.silu(h.transpose(1, 2)), [d_inner, bc, bc], dim=-1)

    def hyena_short(u, w, b):  # StripedHyena's short filter over the projected q, k, v
        seqlen = u.shape[1]
        return F.conv1d(u.transpose(1, 2), w, b, padding=2, groups=u.shape[-1])[..., :seqlen]

    def fftconv(u, k, d):  # the long implicit filter by FFT in fp32
        seqlen = u.shape[-1]
        fft_size = 2 * seqlen
        k_f = torch.fft.rfft(k, n=fft_size) / fft_size
        u_f = torch.fft.rfft(u.to(k.dtype), n=fft_size)
        y = torch.fft.irfft(u_f * k_f, n=fft_size, norm="forward")[..., :seqlen]
        return (y + u * d.unsqueeze(-1)).to(u.dtype)

    def gpt2_conv1d(x, w, b):  # transformers' Conv1D: addmm over the rows with the (nx, nf) weight
        size_out = x.size()[:-1] + (w.shape[1],)
        return torch.addmm(b, x.view(-1, x.size(-1)), w).view(size_out)

    def causal_conv3d(x, w, b):  # CogVideoX's CausalConv3d: the first frame repeated in front, padded spatially
        x = torch.cat([x[:, :, :1]] * (w.shape[2] - 1) + [x], dim=2)
        return F.conv3d(x, w, b, padding=(0, 1, 1))

    out = []
    # ViT-family patch embeddings: CLIP ViT-L/14 at 224 (32 images, fp16 cast from fp32 pixels; conv1 without bias, the
    # class token, positions, ln_pre) and at 336 under LLaVA-1.5 (8 images, bf16) with its GELU projector over the
    # penultimate layer's 576 patches; SigLIP-so400m at 384 (16 images, 27 x 27 patches of 1152); timm ViT-B/16 (64
    # images, fp16)
    out += [("clip_l14_embed", clip_embed,
             (mf(32, 3, 224, 224), mh(1024, 3, 14, 14), mh(1024), mh(257, 1024), mh(1024), mh(1024))),
            ("clip_l14_336_embed", clip_embed,
             (mf(8, 3, 336, 336), m(1024, 3, 14, 14), m(1024), m(577, 1024), m(1024), m(1024))),
            ("llava_projector", llava_project, (m(8, 577, 1024), m(4096, 1024), m(4096), m(4096, 4096), m(4096))),
            ("siglip_so400m_embed", lambda px, w, b, pos: patch_embed(px, w, b) + pos,
             (mf(16, 3, 384, 384), m(1152, 3, 14, 14), m(1152), m(1, 729, 1152))),
            ("vit_b16_embed", lambda px, w, b, cls, pos: cls_pos(patch_embed(px, w, b), cls, pos),
             (mh(64, 3, 224, 224), mh(768, 3, 16, 16), mh(768), mh(1, 1, 768), mh(1, 197, 768)))]
    # DINOv2 (transformers): ViT-L/14 at 224 for 32 images (its 37 x 37 table resized to 16 x 16 by bicubic in fp32),
    # ViT-g/14's table resized to 32 x 32 for 448
    out += [("dinov2_l14_224_embed", dinov2_embed,
             (m(32, 3, 224, 224), m(1024, 3, 14, 14), m(1024), m(1, 1, 1024), m(1, 1370, 1024))),
            ("dinov2_g14_pos_resize", lambda pos: interp_pos_fp32(pos, 37, 32), (mh(1, 1370, 1536),))]
    # InternVL2.5-8B: InternViT-300M over 7 dynamic 448 tiles (the 32 x 32 table resized to itself in fp32), the
    # pixel shuffle into 256 tokens of 4096 and mlp1; InternViT-6B over 13 tiles (3200 wide)
    out += [("internvit_300m_embed", dinov2_embed,
             (m(7, 3, 448, 448), m(1024, 3, 14, 14), m(1024), m(1, 1, 1024), m(1, 1025, 1024))),
            ("internvl_pixel_shuffle_mlp1", internvl_pixel_shuffle,
             (m(7, 1025, 1024), m(4096), m(4096), m(4096, 4096), m(4096), m(4096, 4096), m(4096))),
            ("internvit_6b_embed", dinov2_embed,
             (m(13, 3, 448, 448), m(3200, 3, 14, 14), m(3200), m(1, 1, 3200), m(1, 1025, 3200)))]
    # Qwen2-VL-7B / Qwen2.5-VL: Conv3d 2 x 14 x 14 without bias over a 1288 x 980 image's 6440 patches and a
    # 16-frame 420 x 756 video's 12960, the PatchMerger into 3584; Qwen3-VL's 2 x 16 x 16 with bias (1152 wide)
    out += [("qwen2vl_patch_conv3d", qwen_vl_patch, (mf(6440, 1176), m(1280, 3, 2, 14, 14))),
            ("qwen2vl_video_patch_conv3d", qwen_vl_patch, (mf(12960, 1176), m(1280, 3, 2, 14, 14))),
            ("qwen2vl_patch_merger", qwen_vl_merger,
             (m(6440, 1280), m(1280), m(1280), m(5120, 5120), m(5120), m(3584, 5120), m(3584))),
            ("qwen3vl_patch_conv3d", qwen_vl_patch, (m(4096, 1536), m(1152, 3, 2, 16, 16), m(1152)))]
    # Pixtral-12B's patch conv over a 1024 x 768 image with ln_pre; Llama-3.2-11B-Vision over 4 tiles of 560 (1280
    # wide, gated positions); VideoMAE-base over 2 clips of 16 frames (fp16)
    out += [("pixtral_embed", pixtral_embed, (m(1, 3, 1024, 768), m(1024, 3, 16, 16), m(1024))),
            ("mllama_tile_embed", mllama_embed,
             (m(4, 3, 560, 560), m(1280, 3, 14, 14), m(1, 1, 1280), m(1), m(1601, 1280))),
            ("videomae_tubelets", video_tubelets,
             (mh(2, 3, 16, 224, 224), mh(768, 3, 2, 16, 16), mh(768), mh(1, 1568, 768)))]

    # segment-anything: ViT-H's patch embed (fp32, one 1024 image) and ViT-B's (bf16, 4 images) with the absolute table,
    # ViT-H's neck (1x1 to 256, LayerNorm2d, 3x3, LayerNorm2d), the mask decoder's upscaling by two ConvTranspose2d for
    # 16 prompts, the hypernetwork masks and their resizing to a 1200 x 1600 photo
    out += [("sam_h_patch_embed", sam_patch,
             (mf(1, 3, 1024, 1024), mf(1280, 3, 16, 16), mf(1280), mf(1, 64, 64, 1280))),
            ("sam_b_patch_embed", sam_patch, (m(4, 3, 1024, 1024), m(768, 3, 16, 16), m(768), m(1, 64, 64, 768))),
            ("sam_h_neck", sam_neck,
             (mf(1, 64, 64, 1280), mf(256, 1280, 1, 1), mf(256), mf(256), mf(256, 256, 3, 3), mf(256), mf(256))),
            ("sam_output_upscaling", sam_upscale,
             (mf(16, 256, 64, 64), mf(256, 64, 2, 2), mf(64), mf(64), mf(64), mf(64, 32, 2, 2), mf(32))),
            ("sam_hyper_masks", sam_hyper_masks, (mf(16, 4, 32), mf(16, 32, 256, 256))),
            ("sam_postprocess_masks", sam_postprocess, (mf(16, 1, 256, 256),))]
    # SAM 2 (Hiera-L, bf16): the 7x7 stride-4 patch embed, the bicubic-resized and tiled window position tables,
    # FpnNeck's laterals with the fp32 nearest top-down path, the memory encoder's mask downsampler (its first two
    # stride-2 stages at 1024 and 512) and its fuser's ConvNeXt block
    out += [("sam2_hiera_patch_embed", lambda px, w, b: F.conv2d(px, w, b, stride=4, padding=3).permute(0, 2, 3, 1),
             (m(1, 3, 1024, 1024), m(144, 3, 7, 7), m(144))),
            ("sam2_hiera_pos", hiera_pos, (m(1, 256, 256, 144), m(1, 144, 7, 7), m(1, 144, 8, 8))),
            ("sam2_fpn_top_down", sam2_fpn_top_down,
             (m(1, 1152, 32, 32), m(1, 576, 64, 64), m(256, 1152, 1, 1), m(256), m(256, 576, 1, 1), m(256))),
            ("sam2_mask_downsampler", sam2_mask_downsampler,
             (m(1, 1, 1024, 1024),) + tuple(t for ci, co in ((1, 4), (4, 16))
                                             for t in (m(co, ci, 3, 3), m(co), m(co), m(co)))),
            ("sam2_fuser_cxblock", lambda x, *p: cx_block(x, *p, norm2d=True),
             (m(1, 256, 64, 64), m(256, 1, 7, 7), m(256), m(256), m(256), m(1024, 256), m(1024), m(256, 1024),
              m(256), m(256)))]

    # ResNet-50 (torchvision) in eval: 64 images in fp16 channels_last (model and input converted): the stem, layer1's
    # 1x1 and 3x3 and its tail with the downsample, layer2's stride-2 3x3 and tail with the stride-2 downsample,
    # layer3's tail, layer4's 3x3, the head; 32 images NCHW under autocast (fp16 convs, the BatchNorm's parameters kept
    # fp32): the stem, layer3's tail, a layer4 3x3; one BN-folded 3x3 with bias and ReLU as torch.compile / TensorRT
    # leave it
    for tag, bsz, mk, lay, bmk in (("cl_fp16", 64, mh, cl, mh), ("amp", 32, mh, same, mf)):
        out += [(f"r50_{tag}_stem", resnet_stem, (lay(mk(bsz, 3, 224, 224)), lay(mk(64, 3, 7, 7))) + bnp(64, bmk)),
                (f"r50_{tag}_l3_tail", bottleneck_tail,
                 (lay(mk(bsz, 256, 14, 14)), lay(mk(bsz, 1024, 14, 14)), lay(mk(1024, 256, 1, 1))) + bnp(1024, bmk)),
                (f"r50_{tag}_l4_conv2", lambda x, w, *p: conv_bn(x, w, *p, padding=1),
                 (lay(mk(bsz, 512, 7, 7)), lay(mk(512, 512, 3, 3))) + bnp(512, bmk))]
    x56, x128 = cl(mh(64, 64, 56, 56)), cl(mh(64, 128, 56, 56))
    out += [("r50_cl_fp16_l1_conv1", conv_bn, (x56, cl(mh(64, 64, 1, 1))) + bnp(64, mh)),
            ("r50_cl_fp16_l1_conv2", lambda x, w, *p: conv_bn(x, w, *p, padding=1),
             (x56, cl(mh(64, 64, 3, 3))) + bnp(64, mh)),
            ("r50_cl_fp16_l1_tail_down", bottleneck_tail_down,
             (x56, cl(mh(64, 64, 56, 56)), cl(mh(256, 64, 1, 1))) + bnp(256, mh) + (cl(mh(256, 64, 1, 1)),)
             + bnp(256, mh)),
            ("r50_cl_fp16_l2_conv2_s2", lambda x, w, *p: conv_bn(x, w, *p, stride=2, padding=1),
             (x128, cl(mh(128, 128, 3, 3))) + bnp(128, mh)),
            ("r50_cl_fp16_l2_tail_down_s2", lambda x, inp, w, *p: bottleneck_tail_down(x, inp, w, *p, stride=2),
             (cl(mh(64, 128, 28, 28)), cl(mh(64, 256, 56, 56)), cl(mh(512, 128, 1, 1))) + bnp(512, mh)
             + (cl(mh(512, 256, 1, 1)),) + bnp(512, mh)),
            ("r50_cl_fp16_head", classifier_head, (cl(mh(64, 2048, 7, 7)), mh(1000, 2048), mh(1000)))]
    out += [("r50_folded_conv_relu", lambda x, w, b: F.relu(F.conv2d(x, w, b, padding=1)),
             (cl(mh(32, 256, 14, 14)), cl(mh(256, 256, 3, 3)), mh(256)))]

    # ConvNeXt: timm convnext_base (64 images, fp16 channels_last): the 4x4 stem with the permuting LayerNorm2d, blocks
    # of 128 at 56 and 512 at 14 (depthwise 7x7, permute, LayerNorm, MLP, layer scale, permute back), the head;
    # transformers' ConvNeXt-tiny (32 images, bf16): the stem with the channels_first LayerNorm in fp32 by hand, a block
    # of 96 at 56; ConvNeXt V2-base's block with GRN (16 images)
    def cnx_block_args(c, mk):
        return mk(c, 1, 7, 7), mk(c), mk(c), mk(c), mk(4 * c, c), mk(4 * c), mk(c, 4 * c), mk(c), mk(c)

    out += [("convnext_b_stem", lambda px, w, b, nw, nb: cnx_stem(px, w, b, nw, nb, ln_permuted),
             (cl(mh(64, 3, 224, 224)), cl(mh(128, 3, 4, 4)), mh(128), mh(128), mh(128)))]
    for c, side in ((128, 56), (512, 14)):
        out += [("convnext_b_block", cx_block,
                 (cl(mh(64, c, side, side)), cl(mh(c, 1, 7, 7))) + cnx_block_args(c, mh)[1:])]
    out += [("convnext_b_head", cnx_head, (cl(mh(64, 1024, 7, 7)), mh(1024), mh(1024), mh(1000, 1024), mh(1000))),
            ("convnext_t_stem_hf", lambda px, w, b, nw, nb: cnx_stem(px, w, b, nw, nb, ln_fp32_channels_first),
             (m(32, 3, 224, 224), m(96, 3, 4, 4), m(96), m(96), m(96))),
            ("convnext_t_block_hf", cx_block,
             (m(32, 96, 56, 56),) + cnx_block_args(96, m)),
            ("convnextv2_b_grn_block", cx_block_grn,
             (m(16, 128, 56, 56), m(128, 1, 7, 7), m(128), m(128), m(128), m(512, 128), m(512), m(1, 1, 1, 512),
              m(1, 1, 1, 512), m(128, 512), m(128)))]

    # EfficientNet-B0 (torchvision, 32 images, fp16): the stem, an MBConv's depthwise stride 2 at 112 -> 56 and its
    # squeeze-excite, a 5x5 stage at 14 with its SE and the projection into the residual, the 1280 head;
    # EfficientNet-B4's stem at 380 (16 images); MobileNetV3-Large (64 images): the hardswish stem, a 5x5 stride-2
    # depthwise with the hardsigmoid SE, the head
    silu, hsw = F.silu, F.hardswish
    out += [("effnet_b0_stem", lambda x, w, *p: conv_bn(x, w, *p, stride=2, padding=1, act=silu),
             (mh(32, 3, 224, 224), mh(32, 3, 3, 3)) + bnp(32, mh)),
            ("effnet_b0_dw_s2", lambda x, w, *p: conv_bn(x, w, *p, stride=2, padding=1, groups=96, act=silu),
             (mh(32, 96, 112, 112), mh(96, 1, 3, 3)) + bnp(96, mh)),
            ("effnet_b0_se", squeeze_excite, (mh(32, 96, 56, 56), mh(4, 96, 1, 1), mh(4), mh(96, 4, 1, 1), mh(96))),
            ("effnet_b0_dw5", lambda x, w, *p: conv_bn(x, w, *p, padding=2, groups=672, act=silu),
             (mh(32, 672, 14, 14), mh(672, 1, 5, 5)) + bnp(672, mh)),
            ("effnet_b0_se", squeeze_excite,
             (mh(32, 672, 14, 14), mh(28, 672, 1, 1), mh(28), mh(672, 28, 1, 1), mh(672))),
            ("effnet_b0_project_residual", lambda x, r, w, *p: conv_bn(x, w, *p, act=None) + r,
             (mh(32, 672, 14, 14), mh(32, 112, 14, 14), mh(112, 672, 1, 1)) + bnp(112, mh)),
            ("effnet_b0_head", lambda x, w, rm, rv, g, b, fw, fb: classifier_head(
                conv_bn(x, w, rm, rv, g, b, act=silu), fw, fb),
             (mh(32, 320, 7, 7), mh(1280, 320, 1, 1)) + bnp(1280, mh) + (mh(1000, 1280), mh(1000))),
            ("effnet_b4_stem", lambda x, w, *p: conv_bn(x, w, *p, stride=2, padding=1, act=silu),
             (mh(16, 3, 380, 380), mh(48, 3, 3, 3)) + bnp(48, mh)),
            ("mnv3_stem", lambda x, w, *p: conv_bn(x, w, *p, stride=2, padding=1, act=hsw),
             (mh(64, 3, 224, 224), mh(16, 3, 3, 3)) + bnp(16, mh)),
            ("mnv3_dw5_s2_se", lambda x, w, rm, rv, g, b, w1, b1, w2, b2: squeeze_excite(
                conv_bn(x, w, rm, rv, g, b, stride=2, padding=2, groups=72), w1, b1, w2, b2, F.relu, F.hardsigmoid),
             (mh(64, 72, 56, 56), mh(72, 1, 5, 5)) + bnp(72, mh) + (mh(24, 72, 1, 1), mh(24), mh(72, 24, 1, 1),
                                                                   mh(72))),
            ("mnv3_head", lambda x, w, rm, rv, g, b, w1, b1, w2, b2: linear(hsw(linear(torch.flatten(
                F.adaptive_avg_pool2d(conv_bn(x, w, rm, rv, g, b, act=hsw), 1), 1), w1, b1)), w2, b2),
             (mh(64, 160, 7, 7), mh(960, 160, 1, 1)) + bnp(960, mh) + (mh(1280, 960), mh(1280), mh(1000, 1280),
                                                                      mh(1000)))]

    # Stable Diffusion 1.5's UNet (fp16, guidance's batch of 2 at 512: 64 x 64 latents): conv_in 4 -> 320, ResnetBlock2D
    # (GroupNorm, SiLU, 3x3, the time embedding's projection added as [:, :, None, None]) at 320 / 64 and 320 -> 640 /
    # 32 with the 1x1 shortcut, an up block's 640 + 320 -> 320 / 64 after the skip's cat, Downsample2D at 320 / 64 and
    # 1280 / 16, Upsample2D at 640 / 32; the Transformer2DModel at 320 / 64 (GroupNorm and 1x1 proj_in, 1x1 proj_out and
    # the residual, GEGLU) and its attention of 8 heads over 4096 and 1024 tokens, self and across 77 CLIP tokens of
    # 768; norm_out and conv_out
    B = 2
    out += [("sd15_conv_in", lambda x, w, b: F.conv2d(x, w, b, padding=1), (mh(B, 4, 64, 64), mh(320, 4, 3, 3),
                                                                           mh(320)))]
    for cin, cout, side in ((320, 320, 64), (320, 640, 32)):
        out += [("sd15_resnet", unet_resnet, (mh(B, cin, side, side), mh(B, 1280)) + rn_args(cin, cout, mh))]
    for ch, cs, cout, side in ((640, 320, 320, 64),):
        out += [("sd15_up_resnet", unet_up_resnet,
                 (mh(B, ch, side, side), mh(B, cs, side, side), mh(B, 1280)) + rn_args(ch + cs, cout, mh))]
    out += [("sd15_downsample", downsample, (mh(B, c, s, s), mh(c, c, 3, 3), mh(c)))
            for c, s in ((320, 64), (1280, 16))]
    out += [("sd15_upsample", upsample, (mh(B, c, s, s), mh(c, c, 3, 3), mh(c))) for c, s in ((640, 32),)]
    out += [("sd15_st_proj_in", st_in_conv, (mh(B, 320, 64, 64), mh(320), mh(320), mh(320, 320, 1, 1), mh(320))),
            ("sd15_st_proj_out", st_out_conv, (mh(B, 4096, 320), mh(B, 320, 64, 64), mh(320, 320, 1, 1), mh(320))),
            ("sd15_st_geglu", geglu_ff, (mh(B, 4096, 320),) + ff_args(320, mh))]
    for c, n in ((320, 4096), (640, 1024)):
        out += [("sd15_self_attn", lambda x, *p: sd_attn(x, None, *p, heads=8), (mh(B, n, c),) + attn_args(c, c, mh)),
                ("sd15_cross_attn", lambda x, ctx, *p: sd_attn(x, ctx, *p, heads=8),
                 (mh(B, n, c), mh(B, 77, 768)) + attn_args(c, 768, mh))]
    out += [("sd15_norm_out_conv_out", norm_out_conv, (mh(B, 320, 64, 64), mh(320), mh(320), mh(4, 320, 3, 3),
                                                        mh(4)))]

    # SDXL's UNet (fp16 channels_last, as diffusers' speed-up guide converts it; guidance's batch of 2 at 1024: 128 x
    # 128 latents): the add embedding of the six size ids and pooled text, conv_in, a resnet at 320 / 128, the last up
    # block's 640 + 320 -> 320 / 128, down- and upsampling at 640 / 64, linear proj_in / proj_out, 10 heads of 64 over
    # 4096 tokens (self and across 77 tokens of 2048), 20 over 1024, GEGLU, conv_out; in bf16 NCHW, Upsample2D's nearest
    # through fp32
    out += [("sdxl_add_embedding", sdxl_add_embed,
             (mh(B, 6), mh(B, 1280), mh(1280, 2816), mh(1280), mh(1280, 1280), mh(1280))),
            ("sdxl_conv_in", lambda x, w, b: F.conv2d(x, w, b, padding=1),
             (cl(mh(B, 4, 128, 128)), cl(mh(320, 4, 3, 3)), mh(320)))]
    for cin, cout, side in ((320, 320, 128),):
        out += [("sdxl_resnet", unet_resnet,
                 (cl(mh(B, cin, side, side)), mh(B, 1280)) + rn_args(cin, cout, mh, lay=cl))]
    for ch, cs, cout, side in ((640, 320, 320, 128),):
        out += [("sdxl_up_resnet", unet_up_resnet,
                 (cl(mh(B, ch, side, side)), cl(mh(B, cs, side, side)), mh(B, 1280))
                 + rn_args(ch + cs, cout, mh, lay=cl))]
    out += [("sdxl_downsample", downsample, (cl(mh(B, c, s, s)), cl(mh(c, c, 3, 3)), mh(c)))
            for c, s in ((640, 64),)]
    out += [("sdxl_upsample", upsample, (cl(mh(B, c, s, s)), cl(mh(c, c, 3, 3)), mh(c)))
            for c, s in ((640, 64),)]
    out += [("sdxl_st_proj_in", st_in_linear, (cl(mh(B, 640, 64, 64)), mh(640), mh(640), mh(640, 640), mh(640))),
            ("sdxl_st_proj_out", st_out_linear, (mh(B, 4096, 640), cl(mh(B, 640, 64, 64)), mh(640, 640), mh(640))),
            ("sdxl_self_attn", lambda x, *p: sd_attn(x, None, *p, heads=10), (mh(B, 4096, 640),) + attn_args(640, 640,
                                                                                                           mh)),
            ("sdxl_cross_attn", lambda x, ctx, *p: sd_attn(x, ctx, *p, heads=10),
             (mh(B, 4096, 640), mh(B, 77, 2048)) + attn_args(640, 2048, mh)),
            ("sdxl_self_attn", lambda x, *p: sd_attn(x, None, *p, heads=20),
             (mh(B, 1024, 1280),) + attn_args(1280, 1280, mh)),
            ("sdxl_st_geglu", geglu_ff, (mh(B, 4096, 640),) + ff_args(640, mh)),
            ("sdxl_norm_out_conv_out", norm_out_conv,
             (cl(mh(B, 320, 128, 128)), mh(320), mh(320), cl(mh(4, 320, 3, 3)), mh(4))),
            ("sdxl_bf16_upsample", upsample, (m(B, 1280, 32, 32), m(1280, 1280, 3, 3), m(1280)))]

    # ControlNet (SD 1.5, fp16, batch 2 at 512): the conditioning image's embedding (3x3 then stride-2 3x3 pairs, 16 ->
    # 32 -> 96 -> 256 with SiLU), a zero conv's output added to the UNet's down sample at the conditioning scale
    out += [("controlnet_cond_block", cond_embed_block,
             (mh(B, 16, 512, 512), mh(16, 16, 3, 3), mh(16), mh(32, 16, 3, 3), mh(32))),
            ("controlnet_cond_block", cond_embed_block,
             (mh(B, 32, 256, 256), mh(32, 32, 3, 3), mh(32), mh(96, 32, 3, 3), mh(96))),
            ("controlnet_cond_block", cond_embed_block,
             (mh(B, 96, 128, 128), mh(96, 96, 3, 3), mh(96), mh(256, 96, 3, 3), mh(256))),
            ("controlnet_zero_conv_add", controlnet_residual,
             (mh(B, 320, 64, 64), mh(B, 320, 64, 64), mh(320, 320, 1, 1), mh(320)))]

    # AutoencoderKL decoders and encoders: SD 1.5's in fp16 at 512 (the latents unscaled, post_quant_conv and conv_in,
    # the mid block's one head of 512 over 4096 latents, resnets at 512 / 64 and 256 -> 128 / 512, Upsample2D at 128 and
    # 256, norm_out and conv_out with the postprocess; the encoder's conv_in from the [0, 1] image, the padded stride-2
    # downsample at 512, conv_out, quant_conv and the Gaussian's sample); SDXL's in fp32 at 1024 (attention over 16384
    # latents, norm_out and conv_out at 1024) and the fp16-fix VAE's last Upsample2D to 1024; FLUX.1's 16-channel VAE in
    # bf16 at 1024 (latents unpacked from tokens, scaled and shifted, conv_in, a 128-wide resnet at 1024; the encoder's
    # 32-channel conv_out, mean, shift and scale, packed into tokens)
    out += [("sd15_vae_decode_in", vae_decode_in, (mh(1, 4, 64, 64), mh(4, 4, 1, 1), mh(4), mh(512, 4, 3, 3),
                                                    mh(512))),
            ("sd15_vae_mid_attn", vae_mid_attn, (mh(1, 512, 64, 64),) + vae_attn_args(mh))]
    for cin, cout, side in ((512, 512, 64), (256, 128, 512)):
        out += [("sd15_vae_resnet", vae_resnet, (mh(1, cin, side, side),) + rn_args(cin, cout, mh, temb=0))]
    out += [("sd15_vae_upsample", upsample, (mh(1, c, s, s), mh(c, c, 3, 3), mh(c)))
            for c, s in ((512, 128), (256, 256))]
    out += [("sd15_vae_conv_out_post", lambda x, nw, nb, w, b: vae_postprocess(norm_out_conv(x, nw, nb, w, b, 1e-6)),
             (mh(1, 128, 512, 512), mh(128), mh(128), mh(3, 128, 3, 3), mh(3))),
            ("sd15_vae_encode_in", vae_encode_in, (mf(1, 3, 512, 512), mh(128, 3, 3, 3), mh(128))),
            ("sd15_vae_downsample", downsample_pad, (mh(1, 128, 512, 512), mh(128, 128, 3, 3), mh(128))),
            ("sd15_vae_encode_out", vae_encode_out,
             (mh(1, 512, 64, 64), mh(512), mh(512), mh(8, 512, 3, 3), mh(8), mh(8, 8, 1, 1), mh(8))),
            ("sdxl_vae_mid_attn", vae_mid_attn, (mf(1, 512, 128, 128),) + vae_attn_args(mf)),
            ("sdxl_vae_conv_out", lambda x, nw, nb, w, b: norm_out_conv(x, nw, nb, w, b, 1e-6),
             (mf(1, 128, 1024, 1024), mf(128), mf(128), mf(3, 128, 3, 3), mf(3))),
            ("sdxl_vae_fp16fix_upsample", upsample, (mh(1, 256, 512, 512), mh(256, 256, 3, 3), mh(256))),
            ("flux_vae_unpack", flux_unpack, (m(1, 4096, 64),)),
            ("flux_vae_decode_in", flux_decode_in, (m(1, 16, 128, 128), m(512, 16, 3, 3), m(512))),
            ("flux_vae_resnet", vae_resnet, (m(1, 128, 1024, 1024),) + rn_args(128, 128, m, temb=0)),
            ("flux_vae_encode_out_pack", lambda x, nw, nb, w, b: flux_pack(flux_encode_out(x, nw, nb, w, b)),
             (m(1, 512, 128, 128), m(512), m(512), m(32, 512, 3, 3), m(32)))]

    # CogVideoX-2b's VAE decoder (bf16, 13 latent frames of 60 x 90): the causal Conv3d conv_in 16 -> 512 and a 512
    # -> 512 causal conv after GroupNorm and SiLU over frames
    out += [("cogvideox_causal_conv_in", causal_conv3d, (m(1, 16, 13, 60, 90), m(512, 16, 3, 3, 3), m(512))),
            ("cogvideox_gn_causal_conv", lambda x, nw, nb, w, b: causal_conv3d(gn_silu(x, nw, nb, 1e-6), w, b),
             (m(1, 512, 13, 60, 90), m(512), m(512), m(512, 512, 3, 3, 3), m(512)))]

    # Whisper (transformers): large-v3's log-mel over 16 padded 30 s clips (STFT of 400 / 160, 128 mel filters, log10,
    # the 8-decade floor), its conv stem 128 -> 1280 (k3, then k3 stride 2, GELU, positions; 16 clips in fp16, one in
    # bf16), self-attention of 20 heads over 1500 frames and the 5120 MLP; whisper-small's stem (80 -> 768, 8 clips,
    # fp32); Qwen2-Audio-7B's encoder tail (average pool by 2, ln_post, the projector into 4096)
    out += [("whisper_log_mel", whisper_log_mel, (mf(16, 480000), mf(400), mf(128, 201))),
            ("whisper_v3_conv_stem", whisper_stem,
             (mh(16, 128, 3000), mh(1280, 128, 3), mh(1280), mh(1280, 1280, 3), mh(1280), mh(1500, 1280))),
            ("whisper_v3_conv_stem", whisper_stem,
             (m(1, 128, 3000), m(1280, 128, 3), m(1280), m(1280, 1280, 3), m(1280), m(1500, 1280))),
            ("whisper_v3_self_attn", lambda x, *p: whisper_self_attn(x, *p, heads=20),
             (mh(16, 1500, 1280), mh(1280), mh(1280), mh(1280, 1280), mh(1280), mh(1280, 1280), mh(1280, 1280),
              mh(1280), mh(1280, 1280), mh(1280))),
            ("whisper_v3_mlp", gelu_mlp,
             (mh(16, 1500, 1280), mh(1280), mh(1280), mh(5120, 1280), mh(5120), mh(1280, 5120), mh(1280))),
            ("whisper_small_conv_stem", whisper_stem,
             (mf(8, 80, 3000), mf(768, 80, 3), mf(768), mf(768, 768, 3), mf(768), mf(1500, 768))),
            ("qwen2audio_pool_project", audio_pool_project, (m(4, 1500, 1280), m(1280), m(1280), m(4096, 1280),
                                                              m(4096)))]
    # wav2vec2-base (fp32, 8 clips of 10 s at 16 kHz): conv0 (1 -> 512, k10 stride 5, no bias) with GroupNorm, a k3
    # stride-2 conv, the weight-normed positional conv (k 128, 16 groups) over 499 frames; wav2vec2-large-lv60 / HuBERT-
    # large (fp16, 4 clips): convs with bias and LayerNorm between transposes, the positional conv at 1024
    out += [("w2v2_conv0_groupnorm", w2v_conv0_gn, (mf(8, 160000), mf(512, 1, 10), mf(512), mf(512))),
            ("w2v2_conv_k3_s2", lambda x, w: F.gelu(F.conv1d(x, w, stride=2)), (mf(8, 512, 31999), mf(512, 512, 3))),
            ("w2v2_pos_conv", w2v_pos_conv, (mf(8, 499, 768), mf(768, 48, 128), mf(1, 1, 128), mf(768), mf(768),
                                             mf(768))),
            ("w2v2_large_conv0_ln", lambda x, w, b, nw, nb: w2v_conv_ln(x[:, None], w, b, nw, nb, 5),
             (mh(4, 160000), mh(512, 1, 10), mh(512), mh(512), mh(512))),
            ("w2v2_large_conv_ln", lambda x, w, b, nw, nb: w2v_conv_ln(x, w, b, nw, nb, 2),
             (mh(4, 512, 15999), mh(512, 512, 3), mh(512), mh(512), mh(512))),
            ("hubert_large_pos_conv", w2v_pos_conv, (mh(4, 499, 1024), mh(1024, 64, 128), mh(1, 1, 128), mh(1024),
                                                     mh(1024), mh(1024)))]
    # NeMo FastConformer (bf16, 16 utterances of 10 s, 80 mels, d_model 1024): dw_striding subsampling by 8 (Conv2d 1 ->
    # 256 over the mels as one channel, two depthwise-pointwise stride-2 pairs, the 2560-wide fold into d_model), the
    # conv module (1x1 to 2048, GLU, depthwise k9, BatchNorm, SiLU, 1x1); wav2vec2-conformer-large's conv module without
    # biases (k 31, fp16, 4 clips of 499 frames)
    out += [("fastconformer_sub_conv0", conformer_subsample_first, (m(16, 1000, 80), m(256, 1, 3, 3), m(256))),
            ("fastconformer_sub_dw_pw", dw_pw_stride,
             (m(16, 256, 500, 40), m(256, 1, 3, 3), m(256), m(256, 256, 1, 1), m(256))),
            ("fastconformer_sub_dw_pw", dw_pw_stride,
             (m(16, 256, 250, 20), m(256, 1, 3, 3), m(256), m(256, 256, 1, 1), m(256))),
            ("fastconformer_sub_out", subsample_out, (m(16, 256, 125, 10), m(1024, 2560), m(1024))),
            ("fastconformer_conv_module", conformer_conv,
             (m(16, 125, 1024), m(1024), m(1024), m(2048, 1024, 1), m(2048), m(1024, 1, 9), m(1024))
             + bnp(1024, m) + (m(1024, 1024, 1), m(1024))),
            ("w2v2_conformer_conv_module", lambda x, nw, nb, w1, dw, rm, rv, g, bb, w2: conformer_conv(
                x, nw, nb, w1, None, dw, None, rm, rv, g, bb, w2, None),
             (mh(4, 499, 1024), mh(1024), mh(1024), mh(2048, 1024, 1), mh(1024, 1, 31)) + bnp(1024, mh)
             + (mh(1024, 1024, 1),))]
    # speechbrain's ECAPA-TDNN (fp32, 32 utterances of 3 s, 300 frames of 80 fbanks, 1024 channels): the first TDNN with
    # reflect padding, Res2Net's dilated k3 over 8 chunks, attentive statistics pooling over the 3072-wide aggregate
    out += [("ecapa_tdnn_in", reflect_conv_relu_bn, (mf(32, 80, 300), mf(1024, 80, 5), mf(1024)) + bnp(1024, mf)),
            ("ecapa_res2net", res2net, (mf(32, 1024, 300), mf(128, 128, 3), mf(128)) + bnp(128, mf)),
            ("ecapa_asp", ecapa_asp, (mf(32, 3072, 300), mf(128, 9216, 1), mf(128)) + bnp(128, mf)
             + (mf(3072, 128, 1), mf(3072)))]
    # HiFi-GAN (SpeechT5's vocoder: 80 mels, 512 -> 32 channels by four x4 ConvTranspose1d, resblocks with dilations 1,
    # 3, 5) over 300 frames in fp32: the first upsample, resblocks of k3 at 256 and k11 at 32; conv_post for 4
    # utterances in fp16; an MMS-TTS (VITS) WaveNet layer of 192
    out += [("hifigan_upsample", lambda x, w, b: hifigan_up(x, w, b, 4), (mf(1, 512, 300), mf(512, 256, 8), mf(256))),
            ("hifigan_resblock", hifigan_resblock, (mf(1, 256, 1200), mf(256, 256, 3), mf(256), mf(256, 256, 3),
                                                    mf(256))),
            ("hifigan_resblock", hifigan_resblock, (mf(1, 32, 76800), mf(32, 32, 11), mf(32), mf(32, 32, 11),
                                                    mf(32))),
            ("hifigan_conv_post", hifigan_post, (mh(4, 32, 76800), mh(1, 32, 7), mh(1))),
            ("vits_wavenet_layer", lambda x, w1, b1, w2, b2, s: wavenet_layer(x, w1, b1, w2, b2, 2, s),
             (mf(1, 192, 420), mf(384, 192, 5), mf(384), mf(384, 192, 1), mf(384), mf(1, 192, 420)))]

    # YOLOv8s (ultralytics after fuse(): the BatchNorm folded into each conv's bias; fp16 at 640) over a validation
    # batch of 32: the stem's two stride-2 convs, C2f at 160 (64 wide) and 80 (128, two bottlenecks), SPPF at 20, the
    # neck's upsample and concat, the Detect head at P3 and P5, DFL and dist2bbox over 8400 anchors; one image's stem
    # and P3 head; yolov8s-seg's prototypes
    for bsz in (32, 1):
        full = [("yolov8s_stem", lambda x, w1, b1, w2, b2: cbs(cbs(x, w1, b1, 2), w2, b2, 2),
                 (mh(bsz, 3, 640, 640), mh(32, 3, 3, 3), mh(32), mh(64, 32, 3, 3), mh(64))),
                ("yolov8s_c2f", c2f, (mh(bsz, 64, 160, 160),) + c2f_args(64, 64, 1, mh)),
                ("yolov8s_c2f", c2f, (mh(bsz, 128, 80, 80),) + c2f_args(128, 128, 2, mh)),
                ("yolov8s_sppf", sppf, (mh(bsz, 512, 20, 20), mh(256, 512, 1, 1), mh(256), mh(512, 1024, 1, 1),
                                        mh(512))),
                ("yolov8s_upsample_cat", upsample_cat, (mh(bsz, 512, 20, 20), mh(bsz, 256, 40, 40))),
                ("yolov8s_detect_p3", detect_level, (mh(bsz, 128, 80, 80),) + detect_args(128, mh)),
                ("yolov8s_detect_p5", detect_level, (mh(bsz, 512, 20, 20),) + detect_args(512, mh)),
                ("yolov8_dfl_decode", dfl_decode,
                 (mh(bsz, 144, 80, 80), mh(bsz, 144, 40, 40), mh(bsz, 144, 20, 20), mh(1, 16, 1, 1), mh(2, 8400),
                  mh(1, 8400)))]
        out += full if bsz == 32 else [full[j] for j in (0, 5)]
    out += [("yolov8s_seg_proto", yolo_proto,
             (mh(1, 128, 80, 80), mh(128, 128, 3, 3), mh(128), mh(128, 128, 2, 2), mh(128), mh(128, 128, 3, 3),
              mh(128), mh(32, 128, 1, 1), mh(32)))]
    # DETR-ResNet-50 (transformers, FrozenBatchNorm2d by hand; 4 images of 800 x 1066 in fp16): the stem, a layer4 3x3
    # at 25 x 34, the pixel mask resized and the sine positions, input_projection into 256-wide tokens
    out += [("detr_stem_frozen_bn", detr_stem, (mh(4, 3, 800, 1066), mh(64, 3, 7, 7)) + bnp(64, mh)),
            ("detr_l4_conv_frozen_bn", detr_conv_fbn, (mh(4, 512, 25, 34), mh(512, 512, 3, 3)) + bnp(512, mh)),
            ("detr_mask_sine_pos", detr_mask_pos, (i(4, 800, 1066), mh(4, 2048, 25, 34))),
            ("detr_input_projection", detr_project, (mh(4, 2048, 25, 34), mh(256, 2048, 1, 1), mh(256)))]
    # torchvision Faster R-CNN's FPN and RPN (fp32, 2 images at 800 x 1216): the top-down merge at 25 x 38 -> 50 x 76
    # with both 3x3 outputs, the RPN head over the finest 200 x 304 level (3 anchors)
    out += [("frcnn_fpn_top_down", fpn_top_down,
             (mf(2, 2048, 25, 38), mf(2, 1024, 50, 76), mf(256, 2048, 1, 1), mf(256), mf(256, 1024, 1, 1), mf(256),
              mf(256, 256, 3, 3), mf(256))),
            ("frcnn_rpn_head", rpn_head,
             (mf(2, 256, 200, 304), mf(256, 256, 3, 3), mf(256), mf(3, 256, 1, 1), mf(3), mf(12, 256, 1, 1), mf(12)))]
    # Depth Anything V2-Large (fp16, one image at 518: ViT-L tokens of 37 x 37, a DPT head of 256 features over out
    # channels 256 / 512 / 1024 / 1024): reassembles 1, 2 and 4 (ConvTranspose2d x4 and x2, a stride-2 3x3) with
    # layer_rn, a fusion block at 74 -> 148, the head resized to 518 and to a 1080p frame
    D = 256
    out += [("depth_anything_reassemble1", dpt_reassemble_up,
             (mh(1, 1370, 1024), mh(256, 1024, 1, 1), mh(256), mh(256, 256, 4, 4), mh(256), mh(D, 256, 3, 3))),
            ("depth_anything_reassemble2", dpt_reassemble_up,
             (mh(1, 1370, 1024), mh(512, 1024, 1, 1), mh(512), mh(512, 512, 2, 2), mh(512), mh(D, 512, 3, 3))),
            ("depth_anything_reassemble4", dpt_reassemble_down,
             (mh(1, 1370, 1024), mh(1024, 1024, 1, 1), mh(1024), mh(1024, 1024, 3, 3), mh(1024), mh(D, 1024, 3, 3))),
            ("depth_anything_fusion", dpt_fusion,
             (mh(1, D, 74, 74), mh(1, D, 74, 74)) + tuple(t for _ in range(4) for t in (mh(D, D, 3, 3), mh(D)))
             + (mh(D, D, 1, 1), mh(D))),
            ("depth_anything_head", dpt_head,
             (mh(1, D, 296, 296), mh(128, D, 3, 3), mh(128), mh(32, 128, 3, 3), mh(32), mh(1, 32, 1, 1), mh(1)))]

    # Conv1d beside language models: Mamba-2.8B's slow path (bf16, a 2048-token prompt): in_proj, the causal depthwise
    # k4 over 5120 and SiLU, x_proj / dt_proj / softplus, and a decode step's rolled conv state for 32 sequences; Mamba-
    # Codestral-7B's Mamba2 conv over x, B and C together (10240 wide, 4096 tokens); StripedHyena-7B's short k3 filter
    # over 12288 and its long filter by FFT in fp32; GPT-2-medium's Conv1D by addmm (c_attn, 8 x 512 in fp16)
    out += [("mamba_conv_prefill", mamba_conv_prefill, (m(1, 2048, 2560), m(10240, 2560), m(5120, 1, 4), m(5120))),
            ("mamba_x_dt_proj", mamba_x_dt, (m(1, 5120, 2048), m(192, 5120), m(5120, 160), m(5120))),
            ("mamba_conv_decode_step", mamba_conv_step, (m(32, 5120, 4), m(32, 5120), m(5120, 1, 4), m(5120))),
            ("mamba2_conv_xbc", mamba2_conv, (m(1, 4096, 10240), m(10240, 1, 4), m(10240))),
            ("hyena_short_filter", hyena_short, (m(1, 4096, 12288), m(12288, 1, 3), m(12288))),
            ("hyena_fftconv", fftconv, (m(1, 4096, 4096), mf(4096, 4096), mf(4096))),
            ("gpt2_conv1d_addmm", gpt2_conv1d, (mh(8, 512, 1024), mh(1024, 3072), mh(3072)))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK18, _check18()),))
