"""The aten sweep's twenty-fifth blind real-code group: `realcode-check25`, classic CNN training blocks, ViT / DeiT /
Swin training pieces, audio generation, style transfer, super-resolution, image-processing utilities, knowledge
distillation and training losses, MLP-Mixer / gMLP blocks and physics-informed losses by finite differences.

Each case is one op or a short idiom as the models' public reference code writes it, at real widths, batches, image
sizes and dtypes (fp32 where the reference trains by default, fp16 and bf16 under mixed precision, channels_last where
the AMP recipes put it, uint8 images, int64 labels and indices, bool masks): classic CNN training blocks with
BatchNorm in training mode (ResNet-50's stem with max pooling and its layer1 bottleneck in NVIDIA's fp16 channels_last
recipe, the strided layer3 block with its downsample in fp32, ResNeXt-50 32x4d's grouped layer4 block in bf16, a CIFAR
ResNet-18 basic block, the pooled head with a label-smoothed cross-entropy; WRN-28-10's pre-activation block with
dropout and its 1 x 1 shortcut; DenseNet-121's concatenating dense layer; MobileNetV2's inverted residual with ReLU6;
EfficientNet-B0's MBConv with squeeze-excitation and torchvision's row-mode stochastic depth; ConvNeXt's block with its
7 x 7 depthwise conv, NHWC LayerNorm, layer scale and drop path in NCHW and channels_last, its channels-first
LayerNorm downsampling layer, ConvNeXt V2's GRN MLP; VGG-16-BN's block on CIFAR); ViT / DeiT / Swin training pieces
(timm's patch embedding with the class token, DeiT's distillation token, its hard distillation loss over soft mixed
targets, timm's attention by the explicit softmax with attention dropout and by SDPA, DeiT III's block with LayerScale
and drop path, Mixup and CutMix in batch mode with the smoothed one-hot targets, Swin-T's shifted-window block with
torch.roll, window partition and reverse, the relative position bias gathered from its table and the shift mask, its
patch merging, the bicubic antialiased resampling of absolute position embeddings); audio generation (HiFi-GAN V1's
conv_pre and transposed-conv upsampling, its dilated ResBlock1 and conv_post with weight norm recomputed by hand, the
period discriminator with its reflect pad and 2-D view; BigVGAN's SnakeBeta inside the anti-aliased Activation1d with
grouped low-pass filters, DAC's snake; EnCodec's SEANet residual block with reflect padding and ELU, its residual
vector quantizer with the distance matmul, argmax lookup, commitment loss and straight-through estimator;
ParallelWaveGAN's multi-resolution STFT loss with spectral convergence and log-magnitude terms); style transfer
(pytorch/examples' fast_neural_style: the VGG input normalisation, Gram matrices by bmm with the content and style
losses, the transformer net's reflect-padded residual block with instance norm; AdaIN's mean / std statistics);
super-resolution (EDSR's scaled residual block, its x4 pixel_shuffle upsampler and the MeanShift 1 x 1 conv; ESRGAN's
residual dense block; Real-ESRGAN's pixel_unshuffle front, its nearest-upsampling tail and its first degradation with
per-image blur kernels by a grouped conv, area and bicubic resizing, Gaussian noise and rounding; PSNR and SSIM with a
Gaussian window); image-processing utilities (uint8 NHWC batches to normalised fp16, torchvision's in-place normalize,
its brightness / contrast / saturation blends with per-image factors and the hue shift through rgb-to-hsv and back,
its Gaussian blur by a grouped conv2d with a fixed kernel, kornia's normalised Sobel gradients and the edge magnitude,
rotation and scaling by affine_grid and grid_sample, antialiased bilinear resizing and a resized crop, nearest-exact
resizing of uint8 label maps, a bicubic x2 upscale, RandAugment's uint8 solarize, posterize and autocontrast);
knowledge distillation and training losses (Hinton's temperature KL with the hard cross-entropy, DistilBERT's triple
loss over a 30522-token vocabulary, FitNet's hint regressor; timm's label-smoothing cross-entropy and the built-in
one over ImageNet-21k, torchvision's sigmoid focal loss, CenterNet's heatmap focal loss, a softmax focal loss over
Cityscapes, MONAI's DiceCE over BraTS volumes with the one-hot by scatter, a binary Dice + BCE; InfoNCE over an
ImageNet-sized memory bank with index_select negatives and the momentum update by index_copy_, BYOL's predictor with
BatchNorm in training and its normalised regression loss); MLP-Mixer's token- and channel-mixing block and gMLP's
spatial gating unit; physics-informed losses by finite differences (Burgers with periodic differences by torch.roll,
PINO's Darcy residual on its 421 grid, 2-D Navier-Stokes vorticity with a circular 5-point Laplacian by conv2d and
torch.gradient, an explicit heat-equation rollout). Boolean-mask writes of the reference code (torchvision's
autocontrast) are written with masked_fill, and the DistilBERT loss runs over every position rather than a
masked_select of them.
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal to one of theirs, so
it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK25 = "realcode-check25"


def _check25():
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

    def cl(t):  # a tensor in channels_last, as `model.to(memory_format=torch.channels_last)` and its inputs leave it
        return t.to(memory_format=torch.channels_last)

    def bn_state(c):  # running_mean, running_var, weight, bias of a BatchNorm (fp32 under autocast too)
        return mf(4, c)

    def bn_train(x, bn, momentum=0.1, eps=1e-5):  # nn.BatchNorm2d.forward in training mode
        return F.batch_norm(x, bn[0], bn[1], bn[2], bn[3], training=True, momentum=momentum, eps=eps)

    def drop_path(x, drop_prob=0.1, scale_by_keep=True):  # timm's drop_path
        keep_prob = 1 - drop_prob
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        random_tensor = x.new_empty(shape).bernoulli_(keep_prob)
        if keep_prob > 0.0 and scale_by_keep:
            random_tensor.div_(keep_prob)
        return x * random_tensor

    out = []

    # ================================================================== classic CNN training blocks
    # ------------------------------------------------------------------ torchvision's ResNet in training mode
    def resnet_stem(x, w, bn, num_batches_tracked):
        x = F.conv2d(x, w, stride=2, padding=3)
        num_batches_tracked.add_(1)
        x = F.relu(bn_train(x, bn), inplace=True)
        return F.max_pool2d(x, kernel_size=3, stride=2, padding=1)

    def resnet_bottleneck(x, w1, bn1, w2, bn2, w3, bn3, down_w=None, down_bn=None, stride=1, groups=1):
        identity = x
        out_ = F.relu(bn_train(F.conv2d(x, w1), bn1), inplace=True)
        out_ = F.relu(bn_train(F.conv2d(out_, w2, stride=stride, padding=1, groups=groups), bn2), inplace=True)
        out_ = bn_train(F.conv2d(out_, w3), bn3)
        if down_w is not None:
            identity = bn_train(F.conv2d(x, down_w, stride=stride), down_bn)
        out_ += identity
        return F.relu(out_, inplace=True)

    def resnet_basic_block(x, w1, bn1, w2, bn2):
        identity = x
        out_ = F.relu(bn_train(F.conv2d(x, w1, padding=1), bn1), inplace=True)
        out_ = bn_train(F.conv2d(out_, w2, padding=1), bn2)
        out_ += identity
        return F.relu(out_, inplace=True)

    def resnet_head_loss(x, fc_w, fc_b, target):
        x = F.adaptive_avg_pool2d(x, (1, 1))
        x = torch.flatten(x, 1)
        logits = linear(x, fc_w, fc_b)
        return F.cross_entropy(logits.float(), target, label_smoothing=0.1)  # autocast runs the loss in fp32

    # ResNet-50 in NVIDIA's AMP recipe (fp16, channels_last, 256 a GPU): the stem, a layer1 bottleneck and the head;
    # the first layer3 block with its strided downsample as torchvision's reference trains it (fp32, 32 a GPU);
    # ResNeXt-50 32x4d's layer4 block (grouped 3 x 3 over 1024 channels) at 64 in bf16; a CIFAR ResNet-18 basic block
    # at 128 in fp32
    out += [("resnet_stem_train", resnet_stem,
             (cl(mh(256, 3, 224, 224)), cl(mh(64, 3, 7, 7)), bn_state(64), i(1))),
            ("resnet_bottleneck_train", resnet_bottleneck,
             (cl(mh(256, 256, 56, 56)), cl(mh(64, 256, 1, 1)), bn_state(64), cl(mh(64, 64, 3, 3)), bn_state(64),
              cl(mh(256, 64, 1, 1)), bn_state(256))),
            ("resnet_bottleneck_downsample_train", lambda *a: resnet_bottleneck(*a, stride=2),
             (mf(32, 512, 28, 28), mf(256, 512, 1, 1), bn_state(256), mf(256, 256, 3, 3), bn_state(256),
              mf(1024, 256, 1, 1), bn_state(1024), mf(1024, 512, 1, 1), bn_state(1024))),
            ("resnext_bottleneck_train", lambda *a: resnet_bottleneck(*a, groups=32),
             (m(64, 2048, 7, 7), m(1024, 2048, 1, 1), bn_state(1024), m(1024, 32, 3, 3), bn_state(1024),
              m(2048, 1024, 1, 1), bn_state(2048))),
            ("resnet_basic_block_train", resnet_basic_block,
             (mf(128, 64, 32, 32), mf(64, 64, 3, 3), bn_state(64), mf(64, 64, 3, 3), bn_state(64))),
            ("resnet_head_loss", resnet_head_loss,
             (cl(mh(256, 2048, 7, 7)), mh(1000, 2048), mh(1000), i(256)))]

    # ------------------------------------------------------------------ WideResNet-28-10 (pre-activation) and DenseNet
    def wrn_block(x, bn1, w1, bn2, w2, short_w, stride=2, drop_rate=0.3):  # xternalz/WideResNet-pytorch's BasicBlock
        x = F.relu(bn_train(x, bn1), inplace=True)  # not equalInOut: the pre-activation feeds both paths
        out_ = F.relu(bn_train(F.conv2d(x, w1, stride=stride, padding=1), bn2), inplace=True)
        out_ = F.dropout(out_, p=drop_rate, training=True)
        out_ = F.conv2d(out_, w2, stride=1, padding=1)
        return torch.add(F.conv2d(x, short_w, stride=stride), out_)

    def densenet_layer(*inputs_and_weights):
        *prev_features, bn1, w1, bn2, w2 = inputs_and_weights
        concated_features = torch.cat(prev_features, 1)
        bottleneck_output = F.conv2d(F.relu(bn_train(concated_features, bn1), inplace=True), w1)
        new_features = F.conv2d(F.relu(bn_train(bottleneck_output, bn2), inplace=True), w2, padding=1)
        return F.dropout(new_features, p=0.0, training=True)

    # WRN-28-10's first block of its third group (160 -> 320 channels, 32 -> 16 px) on CIFAR at 128; DenseNet-121's
    # sixth layer of the first dense block (64 + 5 x 32 channels at 56 px) at 64 images
    out += [("wrn_preact_block_train", wrn_block,
             (mf(128, 160, 32, 32), bn_state(160), mf(320, 160, 3, 3), bn_state(320), mf(320, 320, 3, 3),
              mf(320, 160, 1, 1))),
            ("densenet_layer_train", densenet_layer,
             (mf(64, 64, 56, 56), *(mf(64, 32, 56, 56) for _ in range(5)), bn_state(224), mf(128, 224, 1, 1),
              bn_state(128), mf(32, 128, 3, 3)))]

    # ------------------------------------------------------------------ MobileNetV2, EfficientNet (torchvision)
    def inverted_residual(x, w_exp, bn1, w_dw, bn2, w_proj, bn3, stride=1):
        h = F.relu6(bn_train(F.conv2d(x, w_exp), bn1))
        h = F.relu6(bn_train(F.conv2d(h, w_dw, stride=stride, padding=1, groups=w_dw.shape[0]), bn2))
        h = bn_train(F.conv2d(h, w_proj), bn3)
        if stride == 1 and x.shape[1] == h.shape[1]:
            return x + h
        return h

    def stochastic_depth(x, p, mode="row"):  # torchvision.ops.stochastic_depth
        survival_rate = 1.0 - p
        size = [x.shape[0]] + [1] * (x.ndim - 1) if mode == "row" else [1] * x.ndim
        noise = torch.empty(size, dtype=x.dtype).bernoulli_(survival_rate)
        noise.div_(survival_rate)
        return x * noise

    def mbconv(x, w_exp, bn1, w_dw, bn2, se1_w, se1_b, se2_w, se2_b, w_proj, bn3, sd_prob=0.1):
        h = F.silu(bn_train(F.conv2d(x, w_exp), bn1), inplace=True)
        k = w_dw.shape[-1]
        h = F.silu(bn_train(F.conv2d(h, w_dw, padding=(k - 1) // 2, groups=w_dw.shape[0]), bn2), inplace=True)
        scale = F.adaptive_avg_pool2d(h, 1)  # torchvision's SqueezeExcitation
        scale = F.silu(F.conv2d(scale, se1_w, se1_b))
        scale = torch.sigmoid(F.conv2d(scale, se2_w, se2_b))
        h = h * scale
        h = bn_train(F.conv2d(h, w_proj), bn3)
        h = stochastic_depth(h, sd_prob, "row")
        return h + x

    # MobileNetV2's stride-1 24-channel block at 56 px (expand 6) at 96 images (fp32); EfficientNet-B0's fourth stage
    # (80 channels at 14 px, SE 20) at 128 in fp16 channels_last
    out += [("mobilenetv2_inverted_residual_train", inverted_residual,
             (mf(96, 24, 56, 56), mf(144, 24, 1, 1), bn_state(144), mf(144, 1, 3, 3), bn_state(144),
              mf(24, 144, 1, 1), bn_state(24))),
            ("efficientnet_mbconv_se_train", mbconv,
             (cl(mh(128, 80, 14, 14)), cl(mh(480, 80, 1, 1)), bn_state(480), cl(mh(480, 1, 3, 3)), bn_state(480),
              cl(mh(20, 480, 1, 1)), mh(20), cl(mh(480, 20, 1, 1)), mh(480), cl(mh(80, 480, 1, 1)), bn_state(80)))]

    # ------------------------------------------------------------------ ConvNeXt (facebookresearch/ConvNeXt, V2)
    def convnext_block(x, dw_w, dw_b, ln_w, ln_b, w1, b1, w2, b2, gamma, drop_prob=0.1):
        inp = x
        x = F.conv2d(x, dw_w, dw_b, padding=3, groups=dw_w.shape[0])
        x = x.permute(0, 2, 3, 1)  # (N, C, H, W) -> (N, H, W, C)
        x = F.layer_norm(x, (x.shape[-1],), ln_w, ln_b, 1e-6)
        x = linear(x, w1, b1)
        x = F.gelu(x)
        x = linear(x, w2, b2)
        x = gamma * x
        x = x.permute(0, 3, 1, 2)
        return inp + drop_path(x, drop_prob)

    def layer_norm_channels_first(x, weight, bias, eps=1e-6):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + eps)
        return weight[:, None, None] * x + bias[:, None, None]

    def convnext_downsample(x, ln_w, ln_b, w, b):
        return F.conv2d(layer_norm_channels_first(x, ln_w, ln_b), w, b, stride=2)

    def convnextv2_grn_mlp(x, w1, b1, gamma, beta, w2, b2):  # pwconv1, GELU, GRN, pwconv2 over (N, H, W, C)
        x = F.gelu(linear(x, w1, b1))
        Gx = torch.norm(x, p=2, dim=(1, 2), keepdim=True)
        Nx = Gx / (Gx.mean(dim=-1, keepdim=True) + 1e-6)
        x = gamma * (x * Nx) + beta + x
        return linear(x, w2, b2)

    def convnext_inputs(b, c, hw, maker, last=False):
        x = maker(b, c, hw, hw)
        return (cl(x) if last else x, maker(c, 1, 7, 7), maker(c), maker(c), maker(c), maker(4 * c, c),
                maker(4 * c), maker(c, 4 * c), maker(c), maker(c))

    # ConvNeXt-T's first stage (96 channels at 56 px) at 128 in bf16, ConvNeXt-B's third stage (512 at 14 px) at 64
    # in fp16 channels_last; ConvNeXt-T's second downsampling layer in fp32; ConvNeXt V2-T's second stage MLP with GRN
    out += [("convnext_block_train", convnext_block, convnext_inputs(128, 96, 56, m)),
            ("convnext_block_train_channels_last", lambda *a: convnext_block(*a, drop_prob=0.4),
             convnext_inputs(64, 512, 14, mh, last=True)),
            ("convnext_downsample", convnext_downsample,
             (mf(128, 192, 28, 28), mf(192), mf(192), mf(384, 192, 2, 2), mf(384))),
            ("convnextv2_grn_mlp", convnextv2_grn_mlp,
             (mf(64, 28, 28, 192), mf(768, 192), mf(768), mf(1, 1, 1, 768), mf(1, 1, 1, 768), mf(192, 768),
              mf(192)))]

    # ------------------------------------------------------------------ VGG on CIFAR
    def vgg_cifar_block(x, w1, b1, bn1, w2, b2, bn2):
        x = F.relu(bn_train(F.conv2d(x, w1, b1, padding=1), bn1), inplace=True)
        x = F.relu(bn_train(F.conv2d(x, w2, b2, padding=1), bn2), inplace=True)
        return F.max_pool2d(x, kernel_size=2, stride=2)

    # VGG-16-BN's second block (128 channels at 16 px) on CIFAR-10 at 128
    out += [("vgg_cifar_block_train", vgg_cifar_block,
             (mf(128, 64, 16, 16), mf(128, 64, 3, 3), mf(128), bn_state(128), mf(128, 128, 3, 3), mf(128),
              bn_state(128)))]

    # ================================================================== ViT / DeiT / Swin training pieces
    # ------------------------------------------------------------------ timm's PatchEmbed, DeiT's tokens and losses
    def vit_patch_embed(x, w, b, cls_token, pos_embed, dist_token=None):
        x = F.conv2d(x, w, b, stride=w.shape[-1])
        x = x.flatten(2).transpose(1, 2)
        tokens = [cls_token.expand(x.shape[0], -1, -1)]
        if dist_token is not None:
            tokens.append(dist_token.expand(x.shape[0], -1, -1))
        x = torch.cat(tokens + [x], dim=1)
        x = x + pos_embed
        return F.dropout(x, p=0.0, training=True)

    def soft_target_cross_entropy(x, target):  # timm.loss.SoftTargetCrossEntropy
        loss = torch.sum(-target * F.log_softmax(x, dim=-1), dim=-1)
        return loss.mean()

    def deit_hard_distillation_loss(outputs, outputs_kd, labels, teacher_outputs, alpha=0.5):
        base_loss = soft_target_cross_entropy(outputs, labels)
        distillation_loss = F.cross_entropy(outputs_kd, teacher_outputs.argmax(dim=1))
        return base_loss * (1 - alpha) + distillation_loss * alpha

    # DeiT-S/16 at 256 a GPU and distilled DeiT-B/16 (class and distillation tokens) at 128, both fp16 under AMP;
    # DeiT's hard distillation loss from a RegNetY-16GF teacher over mixed targets (fp32 logits)
    out += [("vit_patch_embed", vit_patch_embed,
             (mh(256, 3, 224, 224), mh(384, 3, 16, 16), mh(384), mh(1, 1, 384), mh(1, 197, 384))),
            ("deit_distilled_patch_embed", vit_patch_embed,
             (mh(128, 3, 224, 224), mh(768, 3, 16, 16), mh(768), mh(1, 1, 768), mh(1, 198, 768), mh(1, 1, 768))),
            ("deit_hard_distillation_loss", deit_hard_distillation_loss,
             (mf(128, 1000), mf(128, 1000), mf(128, 1000), mf(128, 1000)))]

    # ------------------------------------------------------------------ timm's Attention and Block (training)
    def vit_attention(x, qkv_w, qkv_b, proj_w, proj_b, num_heads, fused=False, attn_drop=0.0):
        B, N, C = x.shape
        head_dim = C // num_heads
        qkv = linear(x, qkv_w, qkv_b).reshape(B, N, 3, num_heads, head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        if fused:
            x = F.scaled_dot_product_attention(q, k, v, dropout_p=attn_drop)
        else:
            q = q * head_dim ** -0.5
            attn = q @ k.transpose(-2, -1)
            attn = attn.softmax(dim=-1)
            attn = F.dropout(attn, attn_drop, training=True)
            x = attn @ v
        x = x.transpose(1, 2).reshape(B, N, C)
        x = linear(x, proj_w, proj_b)
        return F.dropout(x, 0.0, training=True)

    def vit_block_layer_scale(x, ln1_w, ln1_b, qkv_w, qkv_b, proj_w, proj_b, ls1, ln2_w, ln2_b, fc1_w, fc1_b, fc2_w,
                              fc2_b, ls2, num_heads=6, drop_prob=0.05):  # DeiT III's Block with LayerScale
        x = x + drop_path(ls1 * vit_attention(ln(x, ln1_w, ln1_b), qkv_w, qkv_b, proj_w, proj_b, num_heads, True),
                          drop_prob)
        h = linear(F.gelu(linear(ln(x, ln2_w, ln2_b), fc1_w, fc1_b)), fc2_w, fc2_b)
        return x + drop_path(ls2 * h, drop_prob)

    def vit_weights(d, maker, bias_qkv=True):
        return (maker(3 * d, d), maker(3 * d) if bias_qkv else None, maker(d, d), maker(d))

    # ViT-B/16 at 64 in fp16 by the explicit softmax path with attention dropout 0.1 (the AugReg recipe);
    # ViT-L/16 at 32 in bf16 by SDPA; a DeiT III ViT-S block at 256 in bf16
    out += [("vit_attention_explicit_train", lambda *a: vit_attention(*a, num_heads=12, attn_drop=0.1),
             (mh(64, 197, 768), *vit_weights(768, mh))),
            ("vit_attention_sdpa_train", lambda *a: vit_attention(*a, num_heads=16, fused=True),
             (m(32, 197, 1024), *vit_weights(1024, m))),
            ("deit3_block_layer_scale", vit_block_layer_scale,
             (m(256, 197, 384), m(384), m(384), *vit_weights(384, m), m(384), m(384), m(384), m(1536, 384), m(1536),
              m(384, 1536), m(384), m(384)))]

    # ------------------------------------------------------------------ timm's Mixup / CutMix (batch mode)
    def mixup_target(target, num_classes, lam=1.0, smoothing=0.1):
        off_value = smoothing / num_classes
        on_value = 1.0 - smoothing + off_value
        y1 = torch.full((target.size(0), num_classes), off_value).scatter_(1, target.long().view(-1, 1), on_value)
        y2 = torch.full((target.size(0), num_classes), off_value).scatter_(1, target.flip(0).long().view(-1, 1),
                                                                          on_value)
        return y1 * lam + y2 * (1.0 - lam)

    def mixup_batch(x, target, lam=0.7312):
        x_flipped = x.flip(0).mul_(1.0 - lam)
        x.mul_(lam).add_(x_flipped)
        return x, mixup_target(target, 1000, lam)

    def cutmix_batch(x, target, bbox=(37, 181, 52, 196)):
        yl, yh, xl, xh = bbox
        x[:, :, yl:yh, xl:xh] = x.flip(0)[:, :, yl:yh, xl:xh]
        lam = 1.0 - (yh - yl) * (xh - xl) / float(x.shape[-2] * x.shape[-1])
        return x, mixup_target(target, 1000, lam)

    # mixup over 64 images at 384 px (fp32, before the autocast forward) and CutMix's box over 128 at 224
    out += [("mixup_batch", mixup_batch, (mf(64, 3, 384, 384), i(64))),
            ("cutmix_batch", cutmix_batch, (mf(128, 3, 224, 224), i(128)))]

    # ------------------------------------------------------------------ Swin Transformer (microsoft/Swin-Transformer)
    def window_partition(x, window_size):
        B, H, W, C = x.shape
        x = x.view(B, H // window_size, window_size, W // window_size, window_size, C)
        return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, window_size, window_size, C)

    def window_reverse(windows, window_size, H, W):
        B = int(windows.shape[0] / (H * W / window_size / window_size))
        x = windows.view(B, H // window_size, W // window_size, window_size, window_size, -1)
        return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(B, H, W, -1)

    def swin_block(x, ln1_w, ln1_b, qkv_w, qkv_b, proj_w, proj_b, rpb_table, rp_index, attn_mask, ln2_w, ln2_b,
                   fc1_w, fc1_b, fc2_w, fc2_b, H=56, W=56, window_size=7, shift_size=3, num_heads=3, drop_prob=0.1):
        B, L, C = x.shape
        shortcut = x
        x = ln(x, ln1_w, ln1_b).view(B, H, W, C)
        shifted_x = torch.roll(x, shifts=(-shift_size, -shift_size), dims=(1, 2))
        x_windows = window_partition(shifted_x, window_size).view(-1, window_size * window_size, C)
        B_, N, _ = x_windows.shape
        qkv = linear(x_windows, qkv_w, qkv_b).reshape(B_, N, 3, num_heads, C // num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        q = q * (C // num_heads) ** -0.5
        attn = q @ k.transpose(-2, -1)
        relative_position_bias = rpb_table[rp_index.view(-1)].view(N, N, -1)
        relative_position_bias = relative_position_bias.permute(2, 0, 1).contiguous()
        attn = attn + relative_position_bias.unsqueeze(0)
        nW = attn_mask.shape[0]
        attn = attn.view(B_ // nW, nW, num_heads, N, N) + attn_mask.unsqueeze(1).unsqueeze(0)
        attn = attn.view(-1, num_heads, N, N).softmax(dim=-1)
        x = (attn @ v).transpose(1, 2).reshape(B_, N, C)
        x = linear(x, proj_w, proj_b)
        shifted_x = window_reverse(x.view(-1, window_size, window_size, C), window_size, H, W)
        x = torch.roll(shifted_x, shifts=(shift_size, shift_size), dims=(1, 2)).view(B, H * W, C)
        x = shortcut + drop_path(x, drop_prob)
        return x + drop_path(linear(F.gelu(linear(ln(x, ln2_w, ln2_b), fc1_w, fc1_b)), fc2_w, fc2_b), drop_prob)

    def swin_patch_merging(x, ln_w, ln_b, red_w, H=56, W=56):
        B, L, C = x.shape
        x = x.view(B, H, W, C)
        x0 = x[:, 0::2, 0::2, :]
        x1 = x[:, 1::2, 0::2, :]
        x2 = x[:, 0::2, 1::2, :]
        x3 = x[:, 1::2, 1::2, :]
        x = torch.cat([x0, x1, x2, x3], -1).view(B, -1, 4 * C)
        return linear(ln(x, ln_w, ln_b), red_w)

    def swin_inputs(b, hw, c, heads, maker):
        nw = (hw // 7) ** 2
        return (maker(b, hw * hw, c), maker(c), maker(c), maker(3 * c, c), maker(3 * c), maker(c, c), maker(c),
                maker(169, heads), i(49 * 49), maker(nw, 49, 49), maker(c), maker(c), maker(4 * c, c), maker(4 * c),
                maker(c, 4 * c), maker(c))

    # Swin-T's shifted-window block of stage 1 (56 px, 96 channels, 3 heads) and its first patch merging, at 128 in fp16
    out += [("swin_shifted_window_block", swin_block, swin_inputs(128, 56, 96, 3, mh)),
            ("swin_patch_merging", swin_patch_merging, (mh(128, 3136, 96), mh(384), mh(384), mh(192, 384)))]

    # ------------------------------------------------------------------ timm's resample_abs_pos_embed (fine-tuning)
    def resample_abs_pos_embed(posemb, new_size=(24, 24), num_prefix_tokens=1):
        posemb_prefix, posemb = posemb[:, :num_prefix_tokens], posemb[:, num_prefix_tokens:]
        embed_dim = posemb.shape[-1]
        old_size = int(math.sqrt(posemb.shape[1]))
        posemb = posemb.reshape(1, old_size, old_size, -1).permute(0, 3, 1, 2)
        posemb = F.interpolate(posemb, size=new_size, mode="bicubic", antialias=True)
        posemb = posemb.permute(0, 2, 3, 1).reshape(1, -1, embed_dim)
        return torch.cat([posemb_prefix, posemb], dim=1)

    # ViT-B/16's 14 x 14 grid to 24 x 24 for fine-tuning at 384 px
    out += [("resample_abs_pos_embed", resample_abs_pos_embed, (mf(1, 197, 768),))]

    # ================================================================== audio generation
    # ------------------------------------------------------------------ HiFi-GAN (jik876/hifi-gan), weight norm by hand
    def wn(v, g):  # torch.nn.utils.weight_norm's recomputation at dim 0 every training forward
        return v * (g / v.norm(2, dim=tuple(range(1, v.ndim)), keepdim=True))

    def get_padding(kernel_size, dilation=1):
        return int((kernel_size * dilation - dilation) / 2)

    def hifigan_conv_pre_upsample(mel, pre_v, pre_g, pre_b, up_v, up_g, up_b, u=8):
        x = F.conv1d(mel, wn(pre_v, pre_g), pre_b, padding=3)
        x = F.leaky_relu(x, 0.1)
        k = up_v.shape[-1]
        return F.conv_transpose1d(x, wn(up_v, up_g), up_b, stride=u, padding=(k - u) // 2)

    def hifigan_resblock1(x, v, g, b, dilation=(1, 3, 5)):
        k = v.shape[-1]
        for j, d in enumerate(dilation):
            xt = F.leaky_relu(x, 0.1)
            xt = F.conv1d(xt, wn(v[2 * j], g[2 * j]), b[2 * j], padding=get_padding(k, d), dilation=d)
            xt = F.leaky_relu(xt, 0.1)
            xt = F.conv1d(xt, wn(v[2 * j + 1], g[2 * j + 1]), b[2 * j + 1], padding=get_padding(k, 1))
            x = xt + x
        return x

    def hifigan_conv_post(x, v, g, b):
        x = F.leaky_relu(x)
        return torch.tanh(F.conv1d(x, wn(v, g), b, padding=3))

    def resblock_inputs(b, c, t, k):
        return mf(b, c, t), mf(6, c, c, k), mf(6, c, 1, 1), mf(6, c)

    # HiFi-GAN V1 at 16 segments of 8192 samples (32 mel frames, fp32): conv_pre and the first x8 upsampling to 256
    # channels, the kernel-11 ResBlock1 there and the kernel-7 one at 64 channels over 4096 samples, conv_post
    out += [("hifigan_conv_pre_upsample", hifigan_conv_pre_upsample,
             (mf(16, 80, 32), mf(512, 80, 7), mf(512, 1, 1), mf(512), mf(512, 256, 16), mf(512, 1, 1), mf(256))),
            ("hifigan_resblock1", hifigan_resblock1, resblock_inputs(16, 256, 256, 11)),
            ("hifigan_resblock1", hifigan_resblock1, resblock_inputs(16, 64, 4096, 7)),
            ("hifigan_conv_post", hifigan_conv_post, (mf(16, 32, 8192), mf(1, 32, 7), mf(1, 1, 1), mf(1)))]

    def hifigan_period_discriminator(y, *params, period=3):
        fmap = []
        b, c, t = y.shape
        if t % period != 0:
            n_pad = period - (t % period)
            y = F.pad(y, (0, n_pad), "reflect")
            t = t + n_pad
        x = y.view(b, c, t // period, period)
        layers = [params[j:j + 3] for j in range(0, len(params), 3)]
        for j, (v, g, bias) in enumerate(layers[:-1]):
            stride = (3, 1) if j < len(layers) - 2 else 1
            x = F.leaky_relu(F.conv2d(x, wn(v, g), bias, stride=stride, padding=(2, 0)), 0.1)
            fmap.append(x)
        v, g, bias = layers[-1]
        x = F.conv2d(x, wn(v, g), bias, padding=(1, 0))
        fmap.append(x)
        return torch.flatten(x, 1, -1), fmap

    def mpd_params():
        chans = [1, 32, 128, 512, 1024, 1024]
        ps = []
        for cin, cout in zip(chans[:-1], chans[1:], strict=True):
            ps += [mf(cout, cin, 5, 1), mf(cout, 1, 1, 1), mf(cout)]
        return (*ps, mf(1, 1024, 3, 1), mf(1, 1, 1, 1), mf(1))

    # the period-3 discriminator over the 16 real and 16 generated segments
    out += [("hifigan_period_discriminator", hifigan_period_discriminator, (mf(32, 1, 8192), *mpd_params()))]

    # ------------------------------------------------------------------ Snake (BigVGAN, DAC) and anti-aliased act.
    def snake_beta(x, alpha, beta, alpha_logscale=True):  # BigVGAN's SnakeBeta
        alpha = alpha.unsqueeze(0).unsqueeze(-1)
        beta = beta.unsqueeze(0).unsqueeze(-1)
        if alpha_logscale:
            alpha = torch.exp(alpha)
            beta = torch.exp(beta)
        return x + (1.0 / (beta + 1e-9)) * torch.pow(torch.sin(x * alpha), 2)

    def dac_snake(x, alpha):
        shape = x.shape
        x = x.reshape(shape[0], shape[1], -1)
        x = x + (alpha + 1e-9).reciprocal() * torch.sin(alpha * x).pow(2)
        return x.reshape(shape)

    def bigvgan_activation1d(x, alpha, beta, up_filter, down_filter, ratio=2, kernel_size=12):
        C = x.shape[1]
        pad = kernel_size // ratio - 1
        pad_left = pad * ratio + (kernel_size - ratio) // 2
        pad_right = pad * ratio + (kernel_size - ratio + 1) // 2
        x = F.pad(x, (pad, pad), mode="replicate")
        x = ratio * F.conv_transpose1d(x, up_filter.expand(C, -1, -1), stride=ratio, groups=C)
        x = x[..., pad_left:-pad_right]
        x = snake_beta(x, alpha, beta)
        x = F.pad(x, (kernel_size // 2 - 1, kernel_size // 2), mode="replicate")
        return F.conv1d(x, down_filter.expand(C, -1, -1), stride=ratio, groups=C)

    # BigVGAN-v2's SnakeBeta inside its anti-aliased Activation1d at the second upsampling stage (384 channels over
    # 4096 samples, 4 segments), DAC's snake at the decoder's last block (96 channels, 12 x 16896 samples, fp32)
    out += [("bigvgan_activation1d", bigvgan_activation1d,
             (mf(4, 384, 4096), mf(384), mf(384), mf(1, 1, 12), mf(1, 1, 12))),
            ("dac_snake", dac_snake, (mf(12, 96, 16896), mf(1, 96, 1)))]

    # ------------------------------------------------------------------ EnCodec (facebookresearch/encodec)
    def encodec_seanet_resblock(x, v1, g1, b1, v2, g2, b2, dilation=1):
        k = v1.shape[-1]
        padding_total = (k - 1) * dilation
        h = F.elu(x, alpha=1.0)
        h = F.pad(h, (padding_total - padding_total // 2, padding_total // 2), mode="reflect")
        h = F.conv1d(h, wn(v1, g1), b1, dilation=dilation)
        h = F.elu(h, alpha=1.0)
        h = F.conv1d(h, wn(v2, g2), b2)
        return x + h

    def encodec_rvq(x, codebooks):
        n_q = codebooks.shape[0]
        B, D, T = x.shape
        residual = x
        quantized_out = torch.zeros_like(x)
        losses = []
        for q in range(n_q):
            embed_w = codebooks[q]
            flat = residual.permute(0, 2, 1).reshape(-1, D)
            embed = embed_w.t()
            dist = -(flat.pow(2).sum(1, keepdim=True) - 2 * flat @ embed + embed.pow(2).sum(0, keepdim=True))
            embed_ind = dist.max(dim=-1).indices
            quantize = F.embedding(embed_ind, embed_w).view(B, T, D).permute(0, 2, 1)
            losses.append(F.mse_loss(quantize.detach(), residual))
            quantize = residual + (quantize - residual).detach()
            residual = residual - quantize
            quantized_out = quantized_out + quantize
        return quantized_out, torch.stack(losses)

    # EnCodec 24 kHz's first encoder block (32 channels over 8 x 1 s) and its 8-codebook (6 kbps) RVQ over 64 segments
    # of 75 frames
    out += [("encodec_seanet_resblock", encodec_seanet_resblock,
             (mf(8, 32, 24000), mf(16, 32, 3), mf(16, 1, 1), mf(16), mf(32, 16, 1), mf(32, 1, 1), mf(32))),
            ("encodec_rvq", encodec_rvq, (mf(64, 128, 75), mf(8, 1024, 128)))]

    # ------------------------------------------------------------------ ParallelWaveGAN's multi-resolution STFT loss
    def multi_resolution_stft_loss(x, y, w600, w1200, w240):
        sc_loss, mag_loss = 0.0, 0.0
        for (fft_size, hop, win), window in zip(((1024, 120, 600), (2048, 240, 1200), (512, 50, 240)),
                                                (w600, w1200, w240), strict=True):
            mags = []
            for wav in (x, y):
                x_stft = torch.stft(wav, fft_size, hop, win, window, return_complex=True)
                real, imag = x_stft.real, x_stft.imag
                mags.append(torch.sqrt(torch.clamp(real ** 2 + imag ** 2, min=1e-7)).transpose(2, 1))
            x_mag, y_mag = mags
            sc_loss += torch.norm(y_mag - x_mag, p="fro") / torch.norm(y_mag, p="fro")
            mag_loss += F.l1_loss(torch.log(y_mag), torch.log(x_mag))
        return sc_loss / 3, mag_loss / 3

    # 8 x 25600 samples (batch_max_steps of the LJSpeech recipe)
    out += [("multi_resolution_stft_loss", multi_resolution_stft_loss,
             (mf(8, 25600), mf(8, 25600), mf(600), mf(1200), mf(240)))]

    # ================================================================== style transfer
    # ------------------------------------------------------------------ pytorch/examples' fast_neural_style
    def normalize_batch(batch):
        mean = batch.new_tensor([0.485, 0.456, 0.406]).view(-1, 1, 1)
        std = batch.new_tensor([0.229, 0.224, 0.225]).view(-1, 1, 1)
        batch = batch.div_(255.0)
        return (batch - mean) / std

    def gram_matrix(y):
        (b, ch, h, w) = y.size()
        features = y.view(b, ch, w * h)
        features_t = features.transpose(1, 2)
        return features.bmm(features_t) / (ch * h * w)

    def johnson_losses(f_y1, f_y2, f_y3, f_y4, f_x2, g_s1, g_s2, g_s3, g_s4, content_weight=1e5, style_weight=1e10):
        n_batch = f_y1.shape[0]
        content_loss = content_weight * F.mse_loss(f_y2, f_x2)
        style_loss = 0.0
        for ft_y, gm_s in zip((f_y1, f_y2, f_y3, f_y4), (g_s1, g_s2, g_s3, g_s4), strict=True):
            gm_y = gram_matrix(ft_y)
            style_loss += F.mse_loss(gm_y, gm_s[:n_batch, :, :])
        return content_loss + style_weight * style_loss

    def johnson_residual_block(x, w1, b1, in1_w, in1_b, w2, b2, in2_w, in2_b):
        residual = x
        out_ = F.conv2d(F.pad(x, (1, 1, 1, 1), mode="reflect"), w1, b1)
        out_ = F.relu(F.instance_norm(out_, weight=in1_w, bias=in1_b))
        out_ = F.conv2d(F.pad(out_, (1, 1, 1, 1), mode="reflect"), w2, b2)
        out_ = F.instance_norm(out_, weight=in2_w, bias=in2_b)
        return out_ + residual

    # training at 4 images of 256 px (VGG-16's relu1_2 .. relu4_3 maps, fp32); the transformer net's 128-channel
    # residual block at 64 px
    out += [("vgg_normalize_batch", normalize_batch, (mf(4, 3, 256, 256),)),
            ("johnson_style_content_loss", johnson_losses,
             (mf(4, 64, 256, 256), mf(4, 128, 128, 128), mf(4, 256, 64, 64), mf(4, 512, 32, 32),
              mf(4, 128, 128, 128), mf(4, 64, 64), mf(4, 128, 128), mf(4, 256, 256), mf(4, 512, 512))),
            ("johnson_residual_block", johnson_residual_block,
             (mf(4, 128, 64, 64), mf(128, 128, 3, 3), mf(128), mf(128), mf(128), mf(128, 128, 3, 3), mf(128),
              mf(128), mf(128)))]

    # ------------------------------------------------------------------ AdaIN (naoto0804/pytorch-AdaIN)
    def calc_mean_std(feat, eps=1e-5):
        size = feat.size()
        N, C = size[:2]
        feat_var = feat.view(N, C, -1).var(dim=2) + eps
        feat_std = feat_var.sqrt().view(N, C, 1, 1)
        feat_mean = feat.view(N, C, -1).mean(dim=2).view(N, C, 1, 1)
        return feat_mean, feat_std

    def adaptive_instance_normalization(content_feat, style_feat, alpha=1.0):
        size = content_feat.size()
        style_mean, style_std = calc_mean_std(style_feat)
        content_mean, content_std = calc_mean_std(content_feat)
        normalized_feat = (content_feat - content_mean.expand(size)) / content_std.expand(size)
        t = normalized_feat * style_std.expand(size) + style_mean.expand(size)
        return alpha * t + (1 - alpha) * content_feat

    # AdaIN's training at 8 crops of 256 px (relu4_1 is 512 x 32 x 32)
    out += [("adain", adaptive_instance_normalization, (mf(8, 512, 32, 32), mf(8, 512, 32, 32)))]

    # ================================================================== super-resolution
    # ------------------------------------------------------------------ EDSR (sanghyun-son/EDSR-PyTorch)
    def edsr_resblock(x, w1, b1, w2, b2, res_scale=0.1):
        res = F.conv2d(F.relu(F.conv2d(x, w1, b1, padding=1), inplace=True), w2, b2, padding=1).mul(res_scale)
        return res + x

    def edsr_tail(x, head_out, up1_w, up1_b, up2_w, up2_b, last_w, last_b, rgb_range=255):
        x = x + head_out  # the body's global skip
        x = F.pixel_shuffle(F.conv2d(x, up1_w, up1_b, padding=1), 2)
        x = F.pixel_shuffle(F.conv2d(x, up2_w, up2_b, padding=1), 2)
        x = F.conv2d(x, last_w, last_b, padding=1)
        std = torch.tensor([1.0, 1.0, 1.0])  # MeanShift(rgb_range, sign=1): a fixed 1 x 1 conv
        weight = torch.eye(3).view(3, 3, 1, 1) / std.view(3, 1, 1, 1)
        bias = rgb_range * torch.tensor([0.4488, 0.4371, 0.4040]) / std
        return F.conv2d(x, weight.to(x.dtype), bias.to(x.dtype))

    # EDSR (256 features, res_scale 0.1) at 16 LR patches of 48 px and its x4 upsampler
    out += [("edsr_resblock", edsr_resblock,
             (mf(16, 256, 48, 48), mf(256, 256, 3, 3), mf(256), mf(256, 256, 3, 3), mf(256))),
            ("edsr_tail_x4", edsr_tail,
             (mf(16, 256, 48, 48), mf(16, 256, 48, 48), mf(1024, 256, 3, 3), mf(1024), mf(1024, 256, 3, 3),
              mf(1024), mf(3, 256, 3, 3), mf(3)))]

    # ------------------------------------------------------------------ ESRGAN / Real-ESRGAN (BasicSR)
    def residual_dense_block(x, w1, b1, w2, b2, w3, b3, w4, b4, w5, b5):
        x1 = F.leaky_relu(F.conv2d(x, w1, b1, padding=1), 0.2)
        x2 = F.leaky_relu(F.conv2d(torch.cat((x, x1), 1), w2, b2, padding=1), 0.2)
        x3 = F.leaky_relu(F.conv2d(torch.cat((x, x1, x2), 1), w3, b3, padding=1), 0.2)
        x4 = F.leaky_relu(F.conv2d(torch.cat((x, x1, x2, x3), 1), w4, b4, padding=1), 0.2)
        x5 = F.conv2d(torch.cat((x, x1, x2, x3, x4), 1), w5, b5, padding=1)
        return x5 * 0.2 + x

    def rdb_weights(nf=64, gc=32, maker=mf):
        ws = []
        for j in range(4):
            ws += [maker(gc, nf + j * gc, 3, 3), maker(gc)]
        return (*ws, maker(nf, nf + 4 * gc, 3, 3), maker(nf))

    def realesrgan_first(x, w, b, scale=2):
        feat = F.pixel_unshuffle(x, downscale_factor=4 // scale)
        return F.conv2d(feat, w, b, padding=1)

    def realesrgan_upsample(feat, body_out, cb_w, cb_b, u1_w, u1_b, u2_w, u2_b, hr_w, hr_b, last_w, last_b):
        feat = feat + F.conv2d(body_out, cb_w, cb_b, padding=1)
        feat = F.leaky_relu(F.conv2d(F.interpolate(feat, scale_factor=2, mode="nearest"), u1_w, u1_b, padding=1),
                            0.2)
        feat = F.leaky_relu(F.conv2d(F.interpolate(feat, scale_factor=2, mode="nearest"), u2_w, u2_b, padding=1),
                            0.2)
        return F.conv2d(F.leaky_relu(F.conv2d(feat, hr_w, hr_b, padding=1), 0.2), last_w, last_b, padding=1)

    def filter2d(img, kernel):  # BasicSR's filter2D: a per-image blur kernel by a grouped conv
        k = kernel.size(-1)
        b, c, h, w = img.size()
        img = F.pad(img, (k // 2, k // 2, k // 2, k // 2), mode="reflect")
        ph, pw = img.size()[-2:]
        img = img.view(1, b * c, ph, pw)
        kernel = kernel.view(b, 1, k, k).repeat(1, c, 1, 1).view(b * c, 1, k, k)
        return F.conv2d(img, kernel, groups=b * c).view(b, c, h, w)

    def realesrgan_first_degradation(gt, kernel, sigma):
        out_ = filter2d(gt, kernel)
        out_ = F.interpolate(out_, scale_factor=0.62, mode="area")
        noise = torch.randn(*out_.size(), dtype=out_.dtype) * sigma.view(-1, 1, 1, 1) / 255.0
        out_ = torch.clamp(out_ + noise, 0, 1)
        out_ = F.interpolate(out_, size=(gt.shape[-2] // 4, gt.shape[-1] // 4), mode="bicubic")
        return torch.clamp((out_ * 255.0).round(), 0, 255) / 255.0

    # ESRGAN's residual dense block (64 features, growth 32) at 16 LR patches of 32 px; Real-ESRGAN x2 at 12 patches:
    # its pixel_unshuffle front, its upsampling tail back to 256 px and the degradation of its GT crops of 256 px with
    # 21 x 21 blur kernels
    out += [("esrgan_residual_dense_block", residual_dense_block, (mf(16, 64, 32, 32), *rdb_weights())),
            ("realesrgan_pixel_unshuffle_first", realesrgan_first, (mf(12, 3, 128, 128), mf(64, 12, 3, 3), mf(64))),
            ("realesrgan_upsample", realesrgan_upsample,
             (mf(12, 64, 64, 64), mf(12, 64, 64, 64), mf(64, 64, 3, 3), mf(64), mf(64, 64, 3, 3), mf(64),
              mf(64, 64, 3, 3), mf(64), mf(64, 64, 3, 3), mf(64), mf(3, 64, 3, 3), mf(3))),
            ("realesrgan_first_degradation", realesrgan_first_degradation,
             (mf(12, 3, 256, 256), mf(12, 21, 21), mf(12)))]

    # ------------------------------------------------------------------ PSNR and SSIM on tensors (BasicSR)
    def psnr_ssim(img, img2, window_size=11, sigma=1.5, C1=0.01 ** 2, C2=0.03 ** 2):
        mse = torch.mean((img - img2) ** 2, dim=[1, 2, 3])
        psnr = 10.0 * torch.log10(1.0 / (mse + 1e-8))
        gauss = torch.exp(-((torch.arange(window_size, dtype=img.dtype) - window_size // 2) ** 2) / (2 * sigma ** 2))
        gauss = gauss / gauss.sum()
        window = (gauss[:, None] @ gauss[None, :]).expand(img.size(1), 1, window_size, window_size).contiguous()
        c = img.size(1)
        mu1 = F.conv2d(img, window, padding=window_size // 2, groups=c)
        mu2 = F.conv2d(img2, window, padding=window_size // 2, groups=c)
        mu1_sq, mu2_sq, mu1_mu2 = mu1.pow(2), mu2.pow(2), mu1 * mu2
        sigma1_sq = F.conv2d(img * img, window, padding=window_size // 2, groups=c) - mu1_sq
        sigma2_sq = F.conv2d(img2 * img2, window, padding=window_size // 2, groups=c) - mu2_sq
        sigma12 = F.conv2d(img * img2, window, padding=window_size // 2, groups=c) - mu1_mu2
        ssim_map = ((2 * mu1_mu2 + C1) * (2 * sigma12 + C2)) / ((mu1_sq + mu2_sq + C1) * (sigma1_sq + sigma2_sq + C2))
        return psnr, ssim_map.mean([1, 2, 3])

    # validation of 16 SR outputs at 512 px
    out += [("psnr_ssim", psnr_ssim, (mf(16, 3, 512, 512), mf(16, 3, 512, 512)))]

    # ================================================================== image processing utilities
    # ------------------------------------------------------------------ input normalisation
    def ffcv_to_normalized(images, mean, std):  # uint8 NHWC from the loader, fp16 channels_last for the model
        x = images.permute(0, 3, 1, 2)
        x = x.half()
        return (x - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)

    def tv_normalize(tensor, mean, std):  # torchvision.transforms.functional.normalize(inplace=True) on a batch
        return tensor.sub_(mean[:, None, None]).div_(std[:, None, None])

    # 256 ImageNet images of 224 px (uint8 NHWC) and 64 float images of 512 px
    out += [("uint8_nhwc_to_normalized_fp16", ffcv_to_normalized, (mu8(256, 224, 224, 3), mh(3), mh(3))),
            ("normalize_batch_inplace", tv_normalize, (mf(64, 3, 512, 512), mf(3), mf(3)))]

    # ------------------------------------------------------------------ torchvision's colour ops on a batch
    def rgb_to_grayscale(img):
        r, g, b = img.unbind(dim=-3)
        return (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)

    def blend(img1, img2, ratio):
        return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, 1.0).to(img1.dtype)

    def color_jitter(img, brightness, contrast, saturation):  # per-image factors, as GPU SSL augmentations draw them
        img = blend(img, torch.zeros_like(img), brightness)
        mean = torch.mean(rgb_to_grayscale(img), dim=(-3, -2, -1), keepdim=True)
        img = blend(img, mean, contrast)
        return blend(img, rgb_to_grayscale(img), saturation)

    def rgb2hsv(img):
        r, g, b = img.unbind(dim=-3)
        maxc = torch.max(img, dim=-3).values
        minc = torch.min(img, dim=-3).values
        eqc = maxc == minc
        cr = maxc - minc
        ones = torch.ones_like(maxc)
        s = cr / torch.where(eqc, ones, maxc)
        cr_divisor = torch.where(eqc, ones, cr)
        rc = (maxc - r) / cr_divisor
        gc = (maxc - g) / cr_divisor
        bc = (maxc - b) / cr_divisor
        hr = (maxc == r) * (bc - gc)
        hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
        hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
        h = hr + hg + hb
        h = torch.fmod((h / 6.0 + 1.0), 1.0)
        return torch.stack((h, s, maxc), dim=-3)

    def hsv2rgb(img):
        h, s, v = img.unbind(dim=-3)
        i_ = torch.floor(h * 6.0)
        f = (h * 6.0) - i_
        i_ = i_.to(dtype=torch.int32)
        p = torch.clamp((v * (1.0 - s)), 0.0, 1.0)
        q = torch.clamp((v * (1.0 - s * f)), 0.0, 1.0)
        t = torch.clamp((v * (1.0 - s * (1.0 - f))), 0.0, 1.0)
        i_ = i_ % 6
        mask = i_.unsqueeze(dim=-3) == torch.arange(6).view(-1, 1, 1)
        a1 = torch.stack((v, q, p, p, t, v), dim=-3)
        a2 = torch.stack((t, v, v, q, p, p), dim=-3)
        a3 = torch.stack((p, p, t, v, v, q), dim=-3)
        a4 = torch.stack((a1, a2, a3), dim=-4)
        return torch.einsum("...ijk, ...xijk -> ...xjk", mask.to(dtype=img.dtype), a4)

    def adjust_hue(img, hue_factor):
        img = rgb2hsv(img)
        h, s, v = img.unbind(dim=-3)
        h = (h + hue_factor) % 1.0
        img = torch.stack((h, s, v), dim=-3)
        return hsv2rgb(img)

    # SimCLR / BYOL's colour jitter on the GPU over 256 views of 224 px (fp32), hue jitter over 64 views
    out += [("color_jitter_batch", color_jitter,
             (mf(256, 3, 224, 224), mf(256, 1, 1, 1), mf(256, 1, 1, 1), mf(256, 1, 1, 1))),
            ("adjust_hue_batch", adjust_hue, (mf(64, 3, 224, 224), mf(64, 1, 1)))]

    # ------------------------------------------------------------------ blur, edges, resize, affine warps
    def gaussian_blur(img, kernel_size=23, sigma=1.2):  # torchvision's F.gaussian_blur on a tensor
        ksize_half = (kernel_size - 1) * 0.5
        x = torch.linspace(-ksize_half, ksize_half, steps=kernel_size)
        pdf = torch.exp(-0.5 * (x / sigma).pow(2))
        kernel1d = pdf / pdf.sum()
        kernel2d = torch.mm(kernel1d[:, None], kernel1d[None, :]).to(img.dtype)
        kernel = kernel2d.expand(img.shape[-3], 1, kernel2d.shape[0], kernel2d.shape[1])
        padding = [kernel_size // 2] * 4
        img = F.pad(img, padding, mode="reflect")
        return F.conv2d(img, kernel, groups=img.shape[-3])

    def sobel_magnitude(img, eps=1e-6):  # kornia's spatial_gradient (sobel, normalised) and the edge magnitude
        kernel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], dtype=img.dtype)
        kernel = torch.stack([kernel_x, kernel_x.transpose(0, 1)]) / kernel_x.abs().sum()
        b, c, h, w = img.shape
        tmp_kernel = kernel[:, None, ...]
        kernel_flip = tmp_kernel.flip(-3)
        padded = F.pad(img.reshape(b * c, 1, h, w), [1, 1, 1, 1], "replicate")
        grads = F.conv2d(padded, kernel_flip, padding=0, stride=1).view(b, c, 2, h, w)
        gx, gy = grads[:, :, 0], grads[:, :, 1]
        return torch.sqrt(gx * gx + gy * gy + eps)

    def affine_augment(img, angle, scale, translate):  # random rotation / scale / shift by affine_grid + grid_sample
        cos = torch.cos(angle) * scale
        sin = torch.sin(angle) * scale
        theta = torch.stack([torch.stack([cos, -sin, translate[:, 0]], -1),
                             torch.stack([sin, cos, translate[:, 1]], -1)], 1)
        grid = F.affine_grid(theta, list(img.shape), align_corners=False)
        return F.grid_sample(img, grid, mode="bilinear", padding_mode="zeros", align_corners=False)

    # SimCLR's blur (kernel 23 for 224 px) over 128 views; sobel edges of 16 photos of 512 px; kornia-style affine
    # augmentation of 128 images of 224 px
    out += [("gaussian_blur_conv2d", gaussian_blur, (mf(128, 3, 224, 224),)),
            ("sobel_magnitude", sobel_magnitude, (mf(16, 3, 512, 512),)),
            ("affine_grid_sample_augment", affine_augment, (mf(128, 3, 224, 224), mf(128), mf(128), mf(128, 2)))]

    def resize_antialias(img, size=(224, 224)):  # torchvision's resize on a tensor batch
        return F.interpolate(img, size=size, mode="bilinear", align_corners=False, antialias=True)

    def random_resized_crop(img, top=48, left=96, height=320, width=400, size=(224, 224)):
        img = img[..., top:top + height, left:left + width]
        return F.interpolate(img, size=size, mode="bilinear", align_corners=False, antialias=True)

    def resize_mask(mask, size=(512, 1024)):  # segmentation labels resized with their images
        return F.interpolate(mask, size=size, mode="nearest-exact")

    def upscale_bicubic(img):
        return F.interpolate(img, scale_factor=2, mode="bicubic", align_corners=False).clamp_(0, 1)

    # 64 photos of 512 px down to 224 (fp32), a crop of 32 images of 480 x 640 resized to 224, 16 Cityscapes label
    # maps (uint8) to half size, and 32 fp16 images of 256 px bicubic-upscaled x2
    out += [("resize_bilinear_antialias", resize_antialias, (mf(64, 3, 512, 512),)),
            ("random_resized_crop_batch", random_resized_crop, (mf(32, 3, 480, 640),)),
            ("resize_label_nearest_exact", resize_mask, (mu8(16, 1, 1024, 2048),)),
            ("upscale_bicubic_x2", upscale_bicubic, (mh(32, 3, 256, 256),))]

    # ------------------------------------------------------------------ RandAugment's uint8 ops (torchvision)
    def solarize(img, threshold=128):
        bound = 255
        inverted_img = bound - img
        return torch.where(img >= threshold, inverted_img, img)

    def posterize(img, bits=4):
        mask = -int(2 ** (8 - bits))
        return img & mask

    def autocontrast(img):
        bound = 255.0
        dtype = torch.float32
        minimum = img.amin(dim=(-2, -1), keepdim=True).to(dtype)
        maximum = img.amax(dim=(-2, -1), keepdim=True).to(dtype)
        scale = bound / (maximum - minimum)
        eq_idxs = torch.isfinite(scale).logical_not()
        minimum = minimum.masked_fill(eq_idxs, 0)  # minimum[eq_idxs] = 0
        scale = scale.masked_fill(eq_idxs, 1)  # scale[eq_idxs] = 1
        return ((img - minimum) * scale).clamp(0, bound).to(img.dtype)

    def randaug_uint8(img):
        return autocontrast(posterize(solarize(img)))

    # 128 uint8 images of 224 px through solarize, posterize and autocontrast
    out += [("randaugment_uint8_ops", randaug_uint8, (mu8(128, 3, 224, 224),))]

    # ================================================================== knowledge distillation and training losses
    # ------------------------------------------------------------------ Hinton's KD, DistilBERT, FitNet
    def kd_loss(student_logits, teacher_logits, labels, T=4.0, alpha=0.9):
        s = student_logits.float()
        t = teacher_logits.float()
        soft = F.kl_div(F.log_softmax(s / T, dim=1), F.softmax(t / T, dim=1), reduction="batchmean") * (T * T)
        hard = F.cross_entropy(s, labels)
        return alpha * soft + (1.0 - alpha) * hard

    def distilbert_loss(s_logits, t_logits, lm_labels, s_hidden, t_hidden, temperature=2.0):
        s_logits = s_logits.view(-1, s_logits.size(-1)).float()
        t_logits = t_logits.view(-1, t_logits.size(-1)).float()
        loss_ce = F.kl_div(F.log_softmax(s_logits / temperature, dim=-1),
                           F.softmax(t_logits / temperature, dim=-1), reduction="batchmean") * temperature ** 2
        loss_mlm = F.cross_entropy(s_logits, lm_labels.view(-1), ignore_index=-100)
        dim = s_hidden.size(-1)
        s_hidden = s_hidden.view(-1, dim)
        t_hidden = t_hidden.view(-1, dim)
        target = s_hidden.new(s_hidden.size(0)).fill_(1)
        loss_cos = F.cosine_embedding_loss(s_hidden, t_hidden, target, reduction="mean")
        return 5.0 * loss_ce + 2.0 * loss_mlm + 1.0 * loss_cos

    def fitnet_hint_loss(s_feat, t_feat, reg_w, bn):
        return F.mse_loss(bn_train(F.conv2d(s_feat, reg_w), bn), t_feat)

    # ResNet-18 from ResNet-34 on ImageNet (256, fp16 logits under autocast); DistilBERT's triple loss at 8 x 512
    # tokens (fp16 logits over 30522); FitNet's hint regressor from a ResNet-8x4 (256 channels) to a ResNet-32x4 guide
    # at 64 on CIFAR
    out += [("kd_loss_temperature", kd_loss, (mh(256, 1000), mh(256, 1000), i(256))),
            ("distilbert_triple_loss", distilbert_loss,
             (mh(8, 512, 30522), mh(8, 512, 30522), i(8, 512), mh(8, 512, 768), mh(8, 512, 768))),
            ("fitnet_hint_loss", fitnet_hint_loss,
             (mf(64, 256, 8, 8), mf(64, 256, 8, 8), mf(256, 256, 1, 1), bn_state(256)))]

    # ------------------------------------------------------------------ label smoothing, focal and dice losses
    def label_smoothing_ce(x, target, smoothing=0.1):  # timm's LabelSmoothingCrossEntropy
        confidence = 1.0 - smoothing
        logprobs = F.log_softmax(x, dim=-1)
        nll_loss = -logprobs.gather(dim=-1, index=target.unsqueeze(1))
        nll_loss = nll_loss.squeeze(1)
        smooth_loss = -logprobs.mean(dim=-1)
        loss = confidence * nll_loss + smoothing * smooth_loss
        return loss.mean()

    def builtin_label_smoothing_ce(x, target):
        return F.cross_entropy(x, target, label_smoothing=0.1)

    def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0):  # torchvision.ops.sigmoid_focal_loss, "mean"
        p = torch.sigmoid(inputs)
        ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets)
        loss = ce_loss * ((1 - p_t) ** gamma)
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        return (alpha_t * loss).mean()

    def centernet_focal_loss(pred_logits, gt):  # CenterNet's _neg_loss over clamped sigmoid heatmaps
        pred = torch.clamp(pred_logits.sigmoid_(), min=1e-4, max=1 - 1e-4)
        pos_inds = gt.eq(1).float()
        neg_inds = gt.lt(1).float()
        neg_weights = torch.pow(1 - gt, 4)
        pos_loss = torch.log(pred) * torch.pow(1 - pred, 2) * pos_inds
        neg_loss = torch.log(1 - pred) * torch.pow(pred, 2) * neg_weights * neg_inds
        num_pos = pos_inds.float().sum()
        pos_loss = pos_loss.sum()
        neg_loss = neg_loss.sum()
        return -(pos_loss + neg_loss) / torch.clamp(num_pos, min=1.0)

    def softmax_focal_loss(logits, target, gamma=2.0, ignore_index=255):
        logpt = -F.cross_entropy(logits, target, reduction="none", ignore_index=ignore_index)
        pt = torch.exp(logpt)
        return (-((1 - pt) ** gamma) * logpt).mean()

    def monai_dice_ce(input, target, smooth_nr=1e-5, smooth_dr=1e-5):  # MONAI's DiceCELoss(to_onehot_y, softmax)
        n_pred_ch = input.shape[1]
        ce = F.cross_entropy(input, target.squeeze(1).long())
        sh = list(target.shape)
        sh[1] = n_pred_ch
        onehot = torch.zeros(sh, dtype=input.dtype).scatter_(1, target.long(), 1)
        probs = torch.softmax(input, 1)
        reduce_axis = [2, 3, 4]
        intersection = torch.sum(onehot * probs, dim=reduce_axis)
        ground_o = torch.sum(onehot, dim=reduce_axis)
        pred_o = torch.sum(probs, dim=reduce_axis)
        f = 1.0 - (2.0 * intersection + smooth_nr) / (ground_o + pred_o + smooth_dr)
        return torch.mean(f) + ce

    def binary_dice_bce(logits, mask, smooth=1.0):  # smp's DiceLoss(mode="binary") plus BCE, as Kaggle code pairs them
        bce = F.binary_cross_entropy_with_logits(logits, mask)
        bs = mask.size(0)
        y_true = mask.view(bs, 1, -1)
        y_pred = F.logsigmoid(logits).exp().view(bs, 1, -1)
        intersection = torch.sum(y_pred * y_true, dim=(0, 2))
        cardinality = torch.sum(y_pred + y_true, dim=(0, 2))
        dice = (2.0 * intersection + smooth) / (cardinality + smooth).clamp_min(1e-7)
        return bce + (1.0 - dice).mean()

    # timm's label smoothing over ImageNet at 1024 (fp32) and the built-in one over ImageNet-21k's 21843 classes at
    # 512 (fp16); torchvision's focal loss over OpenImages' 601 labels at 256; CenterNet's heatmap loss (80 classes at
    # 128 px, 32 images); the softmax focal loss over Cityscapes' 19 classes at 8 x 512 x 1024; MONAI's DiceCE over
    # 2 BraTS crops of 128^3 (4 channels, fp16 logits); a binary Dice + BCE over 16 masks of 512 px
    out += [("label_smoothing_cross_entropy", label_smoothing_ce, (mf(1024, 1000), i(1024))),
            ("label_smoothing_cross_entropy_builtin", builtin_label_smoothing_ce, (mh(512, 21843), i(512))),
            ("sigmoid_focal_loss", sigmoid_focal_loss, (mf(256, 601), mf(256, 601))),
            ("centernet_focal_loss", centernet_focal_loss, (mf(32, 80, 128, 128), mf(32, 80, 128, 128))),
            ("softmax_focal_loss", softmax_focal_loss, (mf(8, 19, 512, 1024), i(8, 512, 1024))),
            ("monai_dice_ce_loss", monai_dice_ce, (mh(2, 4, 128, 128, 128), i(2, 1, 128, 128, 128))),
            ("binary_dice_bce_loss", binary_dice_bce, (mf(16, 1, 512, 512), mf(16, 1, 512, 512)))]

    # ------------------------------------------------------------------ InfoNCE over a memory bank, BYOL's regression
    def memory_bank_infonce(x, memory, idx, y, T=0.07, momentum=0.5):  # InstDisc / CMC's NCEAverage with a CE head
        batch_size, K1 = idx.shape
        D = memory.shape[1]
        weight = torch.index_select(memory, 0, idx.view(-1)).detach().view(batch_size, K1, D)
        out_ = torch.bmm(weight, x.view(batch_size, D, 1)).squeeze(-1) / T
        loss = F.cross_entropy(out_, torch.zeros(batch_size, dtype=torch.long))
        with torch.no_grad():
            pos = torch.index_select(memory, 0, y.view(-1))
            pos.mul_(momentum)
            pos.add_(torch.mul(x, 1 - momentum))
            norm = pos.pow(2).sum(1, keepdim=True).pow(0.5)
            updated = pos.div(norm)
            memory.index_copy_(0, y, updated)
        return loss

    def byol_predictor_loss(online_proj, target_proj, w1, b1, bn, w2, b2):
        h = F.relu(bn_train(linear(online_proj, w1, b1), bn), inplace=True)
        pred = linear(h, w2, b2)
        x = F.normalize(pred, dim=-1, p=2)
        y = F.normalize(target_proj.detach(), dim=-1, p=2)
        return (2 - 2 * (x * y).sum(dim=-1)).mean()

    # ImageNet's 1281167 x 128 memory bank, 4096 negatives for each of 256 images; BYOL's predictor (256 -> 4096 ->
    # 256, BatchNorm in training) over 512 views
    out += [("memory_bank_infonce", memory_bank_infonce, (mf(256, 128), mf(1281167, 128), i(256, 4097), i(256))),
            ("byol_predictor_loss", byol_predictor_loss,
             (mf(512, 256), mf(512, 256), mf(4096, 256), mf(4096), bn_state(4096), mf(256, 4096), mf(256)))]

    # ================================================================== MLP-Mixer, gMLP
    def mixer_block(x, ln1_w, ln1_b, t_w1, t_b1, t_w2, t_b2, ln2_w, ln2_b, c_w1, c_b1, c_w2, c_b2):
        y = ln(x, ln1_w, ln1_b).transpose(1, 2)
        y = linear(F.gelu(linear(y, t_w1, t_b1)), t_w2, t_b2)
        x = x + y.transpose(1, 2)
        y = ln(x, ln2_w, ln2_b)
        return x + linear(F.gelu(linear(y, c_w1, c_b1)), c_w2, c_b2)

    def mixer_inputs(b, s, c, ds, dc, maker):
        return (maker(b, s, c), maker(c), maker(c), maker(ds, s), maker(ds), maker(s, ds), maker(s), maker(c),
                maker(c), maker(dc, c), maker(dc), maker(c, dc), maker(c))

    def gmlp_block(x, ln_w, ln_b, in_w, in_b, sgu_ln_w, sgu_ln_b, sgu_w, sgu_b, out_w, out_b):
        shortcut = x
        x = F.gelu(linear(ln(x, ln_w, ln_b), in_w, in_b))
        u, v = x.chunk(2, dim=-1)  # the spatial gating unit
        v = ln(v, sgu_ln_w, sgu_ln_b)
        v = F.conv1d(v, sgu_w, sgu_b)  # nn.Conv1d(seq_len, seq_len, 1) over the token axis
        x = u * v
        return linear(x, out_w, out_b) + shortcut

    def gmlp_inputs(b, n, d, ffn, maker):
        return (maker(b, n, d), maker(d), maker(d), maker(ffn, d), maker(ffn), maker(ffn // 2), maker(ffn // 2),
                maker(n, n, 1), maker(n), maker(d, ffn // 2), maker(d))

    # Mixer-B/16 (196 tokens, 768 channels, 384 / 3072 MLPs) at 128 in bf16; gMLP-S (256 wide, 1536 FFN) at 128 in
    # fp32
    out += [("mlp_mixer_block", mixer_block, mixer_inputs(128, 196, 768, 384, 3072, m)),
            ("gmlp_block", gmlp_block, gmlp_inputs(128, 196, 256, 1536, mf))]

    # ================================================================== physics-informed losses by finite differences
    def burgers_fd_residual(u, u0, nu=0.01, dt=1.0 / 200, dx=1.0 / 1024):
        u_t = (u[:, 2:, :] - u[:, :-2, :]) / (2 * dt)
        u_x = (torch.roll(u, -1, 2) - torch.roll(u, 1, 2)) / (2 * dx)
        u_xx = (torch.roll(u, -1, 2) - 2 * u + torch.roll(u, 1, 2)) / dx ** 2
        Du = u_t + (u * u_x - nu * u_xx)[:, 1:-1, :]
        loss_f = F.mse_loss(Du, torch.zeros_like(Du))
        loss_ic = F.mse_loss(u[:, 0, :], u0)
        return loss_f + 5.0 * loss_ic

    def darcy_fd_residual(u, a):  # PINO's FDM_Darcy with the source f = 1 and the zero boundary
        size = u.size(1)
        dx = 1 / (size - 1)
        ux = (u[:, 2:, 1:-1] - u[:, :-2, 1:-1]) / (2 * dx)
        uy = (u[:, 1:-1, 2:] - u[:, 1:-1, :-2]) / (2 * dx)
        a = a[:, 1:-1, 1:-1]
        aux = a * ux
        auy = a * uy
        auxx = (aux[:, 2:, 1:-1] - aux[:, :-2, 1:-1]) / (2 * dx)
        auyy = (auy[:, 1:-1, 2:] - auy[:, 1:-1, :-2]) / (2 * dx)
        Du = -(auxx + auyy)
        loss_f = F.mse_loss(Du, torch.ones_like(Du))
        boundary = torch.cat([u[:, 0, :], u[:, -1, :], u[:, :, 0], u[:, :, -1]], dim=1)
        return loss_f + F.mse_loss(boundary, torch.zeros_like(boundary))

    def vorticity_fd_residual(w, vx, vy, forcing, nu=1e-3, dt=1e-2):
        b, t, s, _ = w.shape
        dx = 1.0 / s
        lap_kernel = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]], dtype=w.dtype) / dx ** 2
        w_pad = F.pad(w.reshape(b * t, 1, s, s), (1, 1, 1, 1), mode="circular")
        lap = F.conv2d(w_pad, lap_kernel.view(1, 1, 3, 3)).view(b, t, s, s)
        w_x, w_y = torch.gradient(w, spacing=dx, dim=(2, 3))
        w_t = (w[:, 2:] - w[:, :-2]) / (2 * dt)
        res = w_t + (vx * w_x + vy * w_y - nu * lap)[:, 1:-1] - forcing
        return (res ** 2).mean()

    def heat_explicit_rollout(u, alpha=0.2, steps=10):  # an explicit Euler rollout, replicate (Neumann) boundary
        stencil = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]], dtype=u.dtype).view(1, 1, 3, 3)
        for _ in range(steps):
            u = u + alpha * F.conv2d(F.pad(u, (1, 1, 1, 1), mode="replicate"), stencil)
        return u

    # Burgers over 32 solutions of 201 steps x 1024 points; Darcy flow on PINO's 421 grid at 20; 2-D Navier-Stokes
    # vorticity over 4 x 50 steps at 256 px; a heat-equation rollout over 64 fields of 128 px
    out += [("burgers_fd_residual", burgers_fd_residual, (mf(32, 201, 1024), mf(32, 1024))),
            ("darcy_fd_residual", darcy_fd_residual, (mf(20, 421, 421), mf(20, 421, 421))),
            ("vorticity_fd_residual", vorticity_fd_residual,
             (mf(4, 50, 256, 256), mf(4, 50, 256, 256), mf(4, 50, 256, 256), mf(1, 1, 256, 256))),
            ("heat_explicit_rollout", heat_explicit_rollout, (mf(64, 1, 128, 128),))]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK25, _check25()),))
