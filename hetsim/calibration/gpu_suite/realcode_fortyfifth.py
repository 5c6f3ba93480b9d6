"""The aten sweep's twenty-second blind real-code group: `realcode-check22`, training-step code (optimizers, gradient
utilities, mixed precision, losses, self-supervised objectives, regularisation and augmentation), GANs, protein
structure models, neural operators, evaluation metrics, reinforcement-learning updates and diffusion training.

Each case is one op or a short idiom as the libraries' and models' public reference code writes it, at real model
widths, batches, sequence lengths and dtypes (fp32 where training keeps master weights, optimizer states and losses,
bf16 and fp16 where it runs in half precision, fp64 where the loss scale or a metric asks for it, int64 and int32
indices and counters, bool masks, uint8 images, complex spectra): optimizers as torch.optim's for-loop paths and the
libraries write them (AdamW's decoupled decay, lerp / addcmul moments and addcdiv step over Llama-3-8B's fp32 q_proj
master and a LayerNorm weight; Adam with AMSGrad's running maximum over ResNet-50's channels-last 3 x 3 convolution;
SGD with Nesterov momentum; centred RMSprop with momentum over EfficientNet-B0's depthwise 5 x 5; Adagrad over a 1M x
64 embedding; transformers' Adafactor with factored row and column second moments and RMS update clipping over
T5-v1.1-XL's bf16 wi_0 through fp32 copies; Lion's sign update in bf16; Muon's momentum, Nesterov lerp and bf16
quintic Newton-Schulz iteration on a tall matrix's transpose; Schedule-Free AdamW's y / z interpolation; ZeRO-2's
flat fp32 partition of 125.5M elements stepped and cast back to bf16; torchtitan's normal_ / trunc_normal_ (uniform_,
erfinv_, clamp_) / ones_ initialisation and orthogonal_ by QR); gradient utilities (clip_grad_norm_'s foreach path by
_foreach_norm and _foreach_mul_ and its per-tensor loop, GradScaler's fp64 reciprocal,
_amp_foreach_non_finite_check_and_unscale_ and _amp_update_scale_, _foreach_zero_, EMA updates as DiT, diffusers and
timm write them, DDP's flattened bucket averaged and copied back); losses (transformers' causal-LM loss in fp32 with its
padded, shifted labels over Qwen2.5's and Llama-3's vocabularies, OLMo's z-loss, timm's label smoothing, Mixup with
one-hot targets by scatter_ and CutMix's pasted box, DeiT's soft and hard distillation, a forward-KL LLM distillation
over Qwen2.5's vocabulary, Mixtral's load-balancing loss over 32 layers' router logits, torchvision's sigmoid focal
loss over RetinaNet's anchors, MONAI's Dice loss with softmax and one-hot targets over 3-D volumes); self-supervised
objectives (DINO's centred, sharpened cross-entropy over 65536 prototypes and 10 crops with its centre update, DINOv2's
Sinkhorn-Knopp centring over transposed views, MoCo v2's queue logits and enqueue, Barlow Twins' batch-normalised
cross-correlation and its off-diagonal by the flatten-view trick, BYOL's normalised regression, MAE's random masking by
argsort and gather and its normalised pixel loss); regularisation and augmentation (timm's drop_path over a residual
branch and a permuted NHWC map, dropout in training, SDPA with dropout, uint8 batches normalised channels-last and
contiguous, random erasing); GANs (StyleGAN2's fused modulated convolution in fp16 channels_last: the equalised-lr style
by addmm, inf-norm pre-normalisation, demodulation, the grouped conv over the batch, noise and the clamped leaky-ReLU
bias_act; the upfirdn2d reference's zero insertion, padding and separable FIR as depthwise convolutions for a 2x up- and
downsample; spectral norm's power iteration); proteins (ESM-2 650M's seq-first attention with rotary tables, the
padding mask and an fp32 softmax, its contact head's EOS masks, symmetrisation and APC; OpenFold's MSA row attention
with pair bias, outer product mean, triangle attention around starting and ending nodes and pair transition in bf16,
invariant point attention with its rigid transforms and point-distance term in fp32, the pLDDT and PAE heads); neural
operators (FNO's spectral convolution over complex modes with its grid lift, FourCastNet's AFNO filter by real einsums
into sliced buffers, softshrink and view_as_complex, a torchdiffeq RK4 step); evaluation metrics (top-k accuracy, SSIM
by separable Gaussian depthwise convolutions, FID's fp64 statistics and eigenvalues); RL updates (CleanRL's PPO
minibatch losses with its gathers, Gaussian log-probabilities and clipping, DQN's TD target over uint8 frames) and
diffusion training (diffusers' offset noise, random timesteps and add_noise, the v-target with min-SNR-gamma weights,
SD3's logit-normal flow matching). The multi-list foreach ops (_foreach_lerp_, _foreach_addcmul_ and _foreach_addcdiv_
of two or three tensor lists) are left out: the op harness rebuilds one tensor list an op.
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal to one of theirs, so
it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK22 = "realcode-check22"


def _check22():
    import math
    import random

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import (
        _dtype_makers,
        _layer_makers,
        _meta_makers,
        rotate_half,
    )

    m, i = _meta_makers()

    linear, _, _ = _layer_makers(1e-6)

    mh, mf, mb, mi32 = _dtype_makers()

    def mu8(*shape):
        return m(*shape, dt=torch.uint8)

    def md(*shape):
        return m(*shape, dt=torch.float64)

    def mc(*shape):
        return m(*shape, dt=torch.complex64)

    def cl(t):  # a channels-last copy of a 4-D meta tensor's layout
        return t.to(memory_format=torch.channels_last)

    out = []

    # ================================================================== optimizers: torch.optim's for-loop paths
    # ------------------------------------------------------------------ Adam / AdamW (_single_tensor_adam)
    def adamw_step(param, grad, exp_avg, exp_avg_sq, lr=3e-4, weight_decay=0.1, beta1=0.9, beta2=0.95, eps=1e-8,
                   step=1000):
        # capturable=False: the step count is read on the host, the bias corrections are Python floats
        param.mul_(1 - lr * weight_decay)
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2 ** 0.5
        denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        param.addcdiv_(exp_avg, denom, value=-step_size)
        return param

    def adam_amsgrad_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, lr=0.1, weight_decay=1e-4, beta1=0.9,
                          beta2=0.999, eps=1e-8, step=500):
        # Adam(amsgrad=True) with coupled L2 decay: the decay folded into the gradient, the running max of v
        grad = grad.add(param, alpha=weight_decay)
        exp_avg.lerp_(grad, 1 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        step_size = lr / (1 - beta1 ** step)
        bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
        torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        denom = (max_exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        param.addcdiv_(exp_avg, denom, value=-step_size)
        return param

    def sgd_nesterov_step(param, grad, buf, lr=0.1, momentum=0.9, dampening=0.0, weight_decay=5e-5):
        # _single_tensor_sgd with nesterov=True
        grad = grad.add(param, alpha=weight_decay)
        buf.mul_(momentum).add_(grad, alpha=1 - dampening)
        grad = grad.add(buf, alpha=momentum)
        param.add_(grad, alpha=-lr)
        return param

    def rmsprop_centered_step(param, grad, square_avg, grad_avg, buf, lr=0.016, alpha=0.9, eps=1e-3,
                              weight_decay=1e-5, momentum=0.9):  # _single_tensor_rmsprop, centred with momentum
        grad = grad.add(param, alpha=weight_decay)
        square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        grad_avg.lerp_(grad, 1 - alpha)
        avg = square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        avg = avg.add_(eps)
        buf.mul_(momentum).addcdiv_(grad, avg)
        param.add_(buf, alpha=-lr)
        return param

    def adagrad_step(param, grad, state_sum, lr=0.01, lr_decay=0.0, eps=1e-10, step=200):  # _single_tensor_adagrad
        clr = lr / (1 + (step - 1) * lr_decay)
        state_sum.addcmul_(grad, grad, value=1)
        std = state_sum.sqrt().add_(eps)
        param.addcdiv_(grad, std, value=-clr)
        return param

    # fp32 masters: Llama-3-8B's q_proj and a LayerNorm weight (AdamW); ResNet-50's 3 x 3 convolution in channels_last
    # (AMSGrad); its fc (SGD, Nesterov); EfficientNet-B0's depthwise 5 x 5 (RMSprop); a wide-and-deep model's 1M x 64
    # embedding (Adagrad)
    out += [("adamw_step", adamw_step, tuple(mf(4096, 4096) for _ in range(4))),
            ("adamw_step", adamw_step, tuple(mf(768) for _ in range(4))),
            ("adam_amsgrad_step", adam_amsgrad_step, tuple(cl(mf(512, 512, 3, 3)) for _ in range(5))),
            ("sgd_nesterov_step", sgd_nesterov_step, tuple(mf(1000, 2048) for _ in range(3))),
            ("rmsprop_centered_step", rmsprop_centered_step, tuple(mf(672, 1, 5, 5) for _ in range(5))),
            ("adagrad_step", adagrad_step, tuple(mf(1000000, 64) for _ in range(3)))]

    # ------------------------------------------------------------------ Adafactor (transformers.optimization)
    def adafactor_rms(tensor):
        return tensor.norm(2) / (tensor.numel() ** 0.5)

    def adafactor_step(p, grad, exp_avg_sq_row, exp_avg_sq_col, lr=1e-3, eps=(1e-30, 1e-3), clip_threshold=1.0,
                       decay_rate=-0.8, weight_decay=0.0, step=100):
        # Adafactor(lr=1e-3, scale_parameter=False, relative_step=False): bf16 weights updated through fp32 copies
        grad = grad.float()
        p_data_fp32 = p.float()
        adafactor_rms(p_data_fp32)  # state["RMS"]
        beta2t = 1.0 - math.pow(step, decay_rate)
        update = (grad ** 2) + eps[0]
        exp_avg_sq_row.mul_(beta2t).add_(update.mean(dim=-1), alpha=(1.0 - beta2t))
        exp_avg_sq_col.mul_(beta2t).add_(update.mean(dim=-2), alpha=(1.0 - beta2t))
        r_factor = (exp_avg_sq_row / exp_avg_sq_row.mean(dim=-1, keepdim=True)).rsqrt_().unsqueeze(-1)
        c_factor = exp_avg_sq_col.unsqueeze(-2).rsqrt()
        update = torch.mul(r_factor, c_factor)
        update.mul_(grad)
        update.div_((adafactor_rms(update) / clip_threshold).clamp_(min=1.0))
        update.mul_(lr)
        p_data_fp32.add_(-update)
        p.copy_(p_data_fp32)
        return p

    # T5-v1.1-XL fine-tuned in bf16: wi_0 (5120 x 2048)
    out += [("adafactor_step", adafactor_step, (m(5120, 2048), m(5120, 2048), mf(5120), mf(2048)))]

    # ------------------------------------------------------------------ Lion, Muon, Schedule-Free AdamW
    def lion_step(p, grad, exp_avg, lr=1e-4, wd=1.0, beta1=0.9, beta2=0.99):  # lion-pytorch's update_fn
        p.mul_(1 - lr * wd)
        update = exp_avg.clone().mul_(beta1).add(grad, alpha=1 - beta1).sign_()
        p.add_(update, alpha=-lr)
        exp_avg.mul_(beta2).add_(grad, alpha=1 - beta2)
        return p

    def zeropower_via_newtonschulz5(G, steps=5):  # Muon's quintic Newton-Schulz iteration in bf16
        a, b, c = (3.4445, -4.7750, 2.0315)
        X = G.bfloat16()
        if G.size(-2) > G.size(-1):
            X = X.mT
        X = X / (X.norm(dim=(-2, -1), keepdim=True) + 1e-7)
        for _ in range(steps):
            A = X @ X.mT
            B = b * A + c * A @ A
            X = a * X + B @ X
        if G.size(-2) > G.size(-1):
            X = X.mT
        return X

    def muon_step(p, grad, momentum, lr=0.02, weight_decay=0.01, beta=0.95):  # muon_update and Muon.step
        momentum.lerp_(grad, 1 - beta)
        update = grad.lerp_(momentum, beta)
        update = zeropower_via_newtonschulz5(update, steps=5)
        update *= max(1, grad.size(-2) / grad.size(-1)) ** 0.5
        p.mul_(1 - lr * weight_decay)
        p.add_(update.reshape(p.shape), alpha=-lr)
        return p

    def schedulefree_adamw_step(y, grad, exp_avg_sq, z, lr=2.5e-3, beta1=0.9, beta2=0.999, eps=1e-8, decay=0.01,
                                k=300, ckp1=1 / 301):  # AdamWScheduleFree.step, the for-loop path
        bias_correction2 = 1 - beta2 ** (k + 1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        denom = exp_avg_sq.div(bias_correction2).sqrt_().add_(eps)
        grad_normalized = grad.div_(denom)
        grad_normalized.add_(y, alpha=decay)
        y.lerp_(end=z, weight=ckp1)
        y.add_(grad_normalized, alpha=lr * (beta1 * (1 - ckp1) - 1))
        z.sub_(grad_normalized, alpha=lr)
        return y

    # Lion over a bf16 Llama-2-7B gate_proj; Muon over Llama-3-8B's gate_proj (tall: the iteration on its transpose);
    # Schedule-Free AdamW over Qwen2.5-0.5B's up_proj
    out += [("lion_step", lion_step, (m(11008, 4096), m(11008, 4096), m(11008, 4096))),
            ("muon_step", muon_step, (mf(14336, 4096), mf(14336, 4096), mf(14336, 4096))),
            ("schedulefree_adamw_step", schedulefree_adamw_step, tuple(mf(4864, 896) for _ in range(4)))]

    # ------------------------------------------------------------------ ZeRO-2's flat partition, initialisation
    def zero_partition_step(bf16_partition, grad_partition, fp32_partition, exp_avg, exp_avg_sq):
        # the bf16 gradient partition upcast, torch.optim.AdamW over the flat fp32 master, the master cast back
        grad = grad_partition.to(torch.float32)
        torch.linalg.vector_norm(grad, 2.0)  # the partition's norm for the global clip
        adamw_step(fp32_partition, grad, exp_avg, exp_avg_sq)
        bf16_partition.data.copy_(fp32_partition.data)
        return bf16_partition

    def trunc_normal_init(tensor, mean=0.0, std=0.02, a=-2.0, b=2.0):  # torch.nn.init.trunc_normal_
        def norm_cdf(x):
            return (1. + math.erf(x / math.sqrt(2.))) / 2.

        lo = norm_cdf((a - mean) / std)
        up = norm_cdf((b - mean) / std)
        tensor.uniform_(2 * lo - 1, 2 * up - 1)
        tensor.erfinv_()
        tensor.mul_(std * math.sqrt(2.))
        tensor.add_(mean)
        tensor.clamp_(min=a, max=b)
        return tensor

    def llama_init_weights(tok_embeddings, wq, w3, attention_norm, layer_id=0):  # torchtitan's init_weights
        init_std = 0.02 / (2 * (layer_id + 1)) ** 0.5  # depth_init
        torch.nn.init.normal_(tok_embeddings)
        trunc_normal_init(wq, mean=0.0, std=0.02)
        trunc_normal_init(w3, mean=0.0, std=init_std)
        torch.nn.init.ones_(attention_norm)
        return tok_embeddings

    def orthogonal_init(tensor, gain=1.0):  # torch.nn.init.orthogonal_
        rows = tensor.size(0)
        cols = tensor.numel() // rows
        flattened = tensor.new_empty((rows, cols)).normal_(0, 1)
        if rows < cols:
            flattened.t_()
        q, r = torch.linalg.qr(flattened)
        d = torch.diag(r, 0)
        ph = d.sign()
        q *= ph
        if rows < cols:
            q.t_()
        tensor.view_as(q).copy_(q)
        tensor.mul_(gain)
        return tensor

    def lstm_init(weight_ih, weight_hh, bias_ih, bias_hh):  # CleanRL's ppo_atari_lstm: orthogonal weights, zero biases
        for param in (weight_ih, weight_hh, bias_ih, bias_hh):
            if param.ndim == 1:
                torch.nn.init.constant_(param, 0)
            else:
                orthogonal_init(param, 1.0)
        return weight_ih

    # Llama-3-8B over 64 ranks (125.5M elements a partition); Llama-3.1-8B's weights initialised on the GPU after
    # to_empty (the 128256-row embedding, wq, w3 by the depth-scaled std, a norm); an LSTM(512, 128) policy's weights
    n_part = 8030261248 // 64
    out += [("zero_partition_step", zero_partition_step, (m(n_part), m(n_part), mf(n_part), mf(n_part), mf(n_part))),
            ("llama_init_weights", llama_init_weights, (mf(128256, 4096), mf(4096, 4096), mf(14336, 4096), mf(4096))),
            ("lstm_init", lstm_init, (mf(512, 512), mf(512, 128), mf(512), mf(512)))]

    # ================================================================== gradient utilities
    def clip_grad_norm_foreach(*grads, max_norm=1.0):  # _get_total_norm and _clip_grads_with_norm_, foreach
        norms = list(torch._foreach_norm(list(grads), 2.0))
        total_norm = torch.linalg.vector_norm(torch.stack(norms), 2.0)
        clip_coef = max_norm / (total_norm + 1e-6)
        clip_coef_clamped = torch.clamp(clip_coef, max=1.0)
        torch._foreach_mul_(list(grads), clip_coef_clamped)
        return total_norm

    def clip_grad_norm_loop(*grads, max_norm=1.0):  # foreach=False: a norm per tensor, a mul_ per tensor
        norms = [torch.linalg.vector_norm(g, 2.0) for g in grads]
        total_norm = torch.linalg.vector_norm(torch.stack(norms), 2.0)
        clip_coef = max_norm / (total_norm + 1e-6)
        clip_coef_clamped = torch.clamp(clip_coef, max=1.0)
        for g in grads:
            g.mul_(clip_coef_clamped)
        return total_norm

    def llama_layer_grads(d, kv, ff, dt=torch.float32):
        return (m(d, d, dt=dt), m(kv, d, dt=dt), m(kv, d, dt=dt), m(d, d, dt=dt), m(ff, d, dt=dt), m(ff, d, dt=dt),
                m(d, ff, dt=dt), m(d, dt=dt), m(d, dt=dt))

    def vit_block_grads(d, dt):
        return (m(3 * d, d, dt=dt), m(3 * d, dt=dt), m(d, d, dt=dt), m(d, dt=dt), m(4 * d, d, dt=dt),
                m(4 * d, dt=dt), m(d, 4 * d, dt=dt), m(d, dt=dt), m(d, dt=dt), m(d, dt=dt), m(d, dt=dt), m(d, dt=dt))

    def gpt2_block_grads(d):  # Conv1D weights are [in, out]
        return (mf(d, 3 * d), mf(3 * d), mf(d, d), mf(d), mf(d, 4 * d), mf(4 * d), mf(4 * d, d), mf(d), mf(d),
                mf(d), mf(d), mf(d))

    def unscale_grads(scale, *grads):  # GradScaler.unscale_: the fp64 reciprocal, the fused check and unscale
        inv_scale = scale.double().reciprocal().float()
        found_inf = torch.full((), 0.0, dtype=torch.float32)
        torch._amp_foreach_non_finite_check_and_unscale_(list(grads), found_inf, inv_scale)
        return found_inf

    def scaler_update(scale, growth_tracker, found_inf):  # GradScaler.update
        found_inf_combined = found_inf
        torch._amp_update_scale_(scale, growth_tracker, found_inf_combined, 2.0, 0.5, 2000)
        return scale

    def zero_grad_foreach(*grads):  # Optimizer.zero_grad(set_to_none=False), foreach
        torch._foreach_zero_(list(grads))
        return grads

    def unet_resblock_grads(c, temb=1280):
        return (mf(c), mf(c), mf(c, c, 3, 3), mf(c), mf(c, temb), mf(c), mf(c), mf(c), mf(c, c, 3, 3), mf(c))

    # Llama-3.2-1B's layer (fp32) by foreach; GPT-2's block by the loop; SD-1.5's UNet ResnetBlock2D grads at 320 and
    # 1280 channels unscaled under fp16 autocast, the scale updated; ViT-L's block grads zeroed
    out += [("clip_grad_norm_foreach", clip_grad_norm_foreach, llama_layer_grads(2048, 512, 8192)),
            ("clip_grad_norm_loop", clip_grad_norm_loop, gpt2_block_grads(768)),
            ("unscale_grads", unscale_grads, (mf(()), *unet_resblock_grads(320))),
            ("unscale_grads", unscale_grads, (mf(()), *unet_resblock_grads(1280))),
            ("scaler_update", scaler_update, (mf(()), mi32(()), mf(()))),
            ("zero_grad_foreach", zero_grad_foreach, vit_block_grads(1024, torch.float32))]

    # ------------------------------------------------------------------ EMA and DDP buckets
    def dit_update_ema(*tensors, decay=0.9999):  # DiT's update_ema: mul_ then add_
        n = len(tensors) // 2
        for ema_p, p in zip(tensors[:n], tensors[n:], strict=True):
            ema_p.mul_(decay).add_(p.data, alpha=1 - decay)
        return tensors[:n]

    def diffusers_ema_step(*tensors, decay=0.9999):  # diffusers' EMAModel.step
        n = len(tensors) // 2
        one_minus_decay = 1 - decay
        for s_param, param in zip(tensors[:n], tensors[n:], strict=True):
            s_param.sub_(one_minus_decay * (s_param - param))
        return tensors[:n]

    def timm_ema_v3(*tensors, decay=0.9998):  # ModelEmaV3 without foreach: bf16 weights into an fp32 average
        n = len(tensors) // 2
        for ema_v, model_v in zip(tensors[:n], tensors[n:], strict=True):
            ema_v.lerp_(model_v.to(dtype=ema_v.dtype), weight=1. - decay)
        return tensors[:n]

    def ddp_bucket(*grads, world_size=8):  # _flatten_dense_tensors, the allreduce hook's average, the copy back
        flat = torch.cat([g.contiguous().view(-1) for g in grads])
        flat.div_(world_size)
        offset = 0
        for g in grads:
            numel = g.numel()
            g.copy_(flat.narrow(0, offset, numel).view_as(g))
            offset += numel
        return grads

    # DiT-XL/2's qkv, fc1 and adaLN modulation; SDXL UNet's to_q and GEGLU projection (diffusers); ConvNeXt-B's
    # stage-3 pwconv1 and a depthwise 7 x 7 in bf16 averaged in fp32 (timm); GPT-2-medium's block in a DDP bucket
    dit = (mf(3456, 1152), mf(4608, 1152), mf(6912, 1152))
    sdxl = (mf(1280, 1280), mf(10240, 1280))
    cnx = (mf(2048, 512), mf(512, 1, 7, 7))
    out += [("dit_update_ema", dit_update_ema, dit + dit),
            ("diffusers_ema_step", diffusers_ema_step, sdxl + sdxl),
            ("timm_ema_v3", timm_ema_v3, cnx + (m(2048, 512), m(512, 1, 7, 7))),
            ("ddp_bucket", ddp_bucket, gpt2_block_grads(1024))]

    # ================================================================== training losses
    def causal_lm_loss(logits, labels, num_items_in_batch, ignore_index=-100):  # transformers' ForCausalLMLoss
        logits = logits.float()
        labels = F.pad(labels, (0, 1), value=ignore_index)
        shift_labels = labels[..., 1:].contiguous()
        logits = logits.view(-1, logits.size(-1))
        shift_labels = shift_labels.view(-1)
        loss = F.cross_entropy(logits, shift_labels, ignore_index=ignore_index, reduction="sum")
        return loss / num_items_in_batch

    def olmo_ce_z_loss(logits, labels, ignore_index=-100, z_loss_multiplier=1e-4):  # OLMo's cross_entropy_loss
        loss = F.cross_entropy(logits, labels, ignore_index=ignore_index, reduction="sum")
        z_squared = logits.logsumexp(-1).pow(2)
        z_squared = (z_squared * (labels != ignore_index)).sum()
        return loss, z_loss_multiplier * z_squared

    def label_smoothing_ce(x, target, smoothing=0.1):  # timm's LabelSmoothingCrossEntropy
        confidence = 1. - smoothing
        logprobs = F.log_softmax(x, dim=-1)
        nll_loss = -logprobs.gather(dim=-1, index=target.unsqueeze(1))
        nll_loss = nll_loss.squeeze(1)
        smooth_loss = -logprobs.mean(dim=-1)
        loss = confidence * nll_loss + smoothing * smooth_loss
        return loss.mean()

    def timm_one_hot(x, num_classes, on_value=1., off_value=0.):
        x = x.long().view(-1, 1)
        return torch.full((x.size()[0], num_classes), off_value).scatter_(1, x, on_value)

    def mixup_batch(x, target, lam=0.7, num_classes=1000, smoothing=0.1):  # timm Mixup: _mix_batch, mixup_target
        x_flipped = x.flip(0).mul_(1. - lam)
        x.mul_(lam).add_(x_flipped)
        off_value = smoothing / num_classes
        on_value = 1. - smoothing + off_value
        y1 = timm_one_hot(target, num_classes, on_value=on_value, off_value=off_value)
        y2 = timm_one_hot(target.flip(0), num_classes, on_value=on_value, off_value=off_value)
        return x, y1 * lam + y2 * (1. - lam)

    def cutmix_batch(x, yl=37, yh=171, xl=52, xh=186):  # the box pasted from the flipped batch
        x[:, :, yl:yh, xl:xh] = x.flip(0)[:, :, yl:yh, xl:xh]
        return x

    def soft_target_ce(x, target):  # timm's SoftTargetCrossEntropy
        loss = torch.sum(-target * F.log_softmax(x, dim=-1), dim=-1)
        return loss.mean()

    def deit_distillation(outputs, outputs_kd, labels, teacher_outputs, alpha=0.5, tau=3.0):
        # DeiT's DistillationLoss: the soft-target base loss, soft KL over log targets and the hard teacher argmax
        base_loss = soft_target_ce(outputs, labels)
        T = tau
        soft = F.kl_div(F.log_softmax(outputs_kd / T, dim=1), F.log_softmax(teacher_outputs / T, dim=1),
                        reduction="sum", log_target=True) * (T * T) / outputs_kd.numel()
        hard = F.cross_entropy(outputs_kd, teacher_outputs.argmax(dim=1))
        return base_loss * (1 - alpha) + soft * alpha, hard

    def forward_kl_distill(logits, teacher_logits, labels):  # DistiLLM / MiniLLM's forward KL over the vocabulary
        teacher_probs = F.softmax(teacher_logits, dim=-1, dtype=torch.float32)
        inf_mask = torch.isinf(logits)
        logprobs = F.log_softmax(logits, dim=-1, dtype=torch.float32)
        prod_probs = torch.masked_fill(teacher_probs * logprobs, inf_mask, 0)
        x = torch.sum(prod_probs, dim=-1).view(-1)
        mask = (labels != -100).int()
        return -torch.sum(x * mask.view(-1), dim=0) / torch.sum(mask.view(-1), dim=0)

    # Qwen2.5-7B's logits over a 2048-token sample and Llama-3-8B's over 2 x 1024 (bf16, the loss in fp32); OLMo-2's
    # 100352-token vocabulary over 4096 tokens with its z-loss; ImageNet-1k batches of 1024 (label smoothing) and 256
    # (Mixup, CutMix); DeiT-B distilled from RegNetY-16GF; Qwen2.5-0.5B distilled from Qwen2.5-7B
    out += [("causal_lm_loss", causal_lm_loss, (m(1, 2048, 151936), i(1, 2048), mf(()))),
            ("causal_lm_loss", causal_lm_loss, (m(2, 1024, 128256), i(2, 1024), mf(()))),
            ("olmo_ce_z_loss", olmo_ce_z_loss, (mf(4096, 100352), i(4096))),
            ("label_smoothing_ce", label_smoothing_ce, (mf(1024, 1000), i(1024))),
            ("mixup_batch", mixup_batch, (mf(256, 3, 224, 224), i(256))),
            ("cutmix_batch", cutmix_batch, (mf(256, 3, 224, 224),)),
            ("deit_distillation", deit_distillation, (mf(256, 1000), mf(256, 1000), mf(256, 1000), mf(256, 1000))),
            ("forward_kl_distill", forward_kl_distill, (m(4, 512, 151936), m(4, 512, 151936), i(4, 512)))]

    # ------------------------------------------------------------------ MoE, detection and segmentation losses
    def mixtral_load_balancing_loss(*gate_logits, top_k=2):  # transformers' load_balancing_loss_func
        num_experts = gate_logits[0].shape[-1]
        concatenated_gate_logits = torch.cat([layer_gate for layer_gate in gate_logits], dim=0)
        routing_weights = F.softmax(concatenated_gate_logits, dim=-1)
        _, selected_experts = torch.topk(routing_weights, top_k, dim=-1)
        expert_mask = F.one_hot(selected_experts, num_experts)
        tokens_per_expert = torch.mean(expert_mask.float(), dim=0)
        router_prob_per_expert = torch.mean(routing_weights, dim=0)
        overall_loss = torch.sum(tokens_per_expert * router_prob_per_expert.unsqueeze(0))
        return overall_loss * num_experts

    def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2.0):  # torchvision.ops.sigmoid_focal_loss, "sum"
        p = torch.sigmoid(inputs)
        ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets)
        loss = ce_loss * ((1 - p_t) ** gamma)
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
        return loss.sum()

    def dice_loss(input, target, sigmoid=True, softmax=False, to_onehot_y=False, smooth_nr=1e-5, smooth_dr=1e-5):
        # MONAI's DiceLoss
        if sigmoid:
            input = torch.sigmoid(input)
        n_pred_ch = input.shape[1]
        if softmax:
            input = torch.softmax(input, 1)
        if to_onehot_y:
            sh = list(target.shape)
            sh[1] = n_pred_ch
            o = torch.zeros(size=sh, dtype=input.dtype)
            target = o.scatter_(dim=1, index=target.long(), value=1)
        reduce_axis = list(range(2, len(input.shape)))  # torch.arange(2, ndim).tolist() on the host
        intersection = torch.sum(target * input, dim=reduce_axis)
        ground_o = torch.sum(target, dim=reduce_axis)
        pred_o = torch.sum(input, dim=reduce_axis)
        denominator = ground_o + pred_o
        f = 1.0 - (2.0 * intersection + smooth_nr) / (denominator + smooth_dr)
        return torch.mean(f)

    # Mixtral's 32 layers' router logits over 4096 tokens (bf16, top-2 of 8); RetinaNet R50-FPN's 200700 anchors x 91
    # classes an 800 x 1333 image; BTCV's 14 softmax classes over 2 x 96^3 with one-hot targets
    out += [("mixtral_load_balancing_loss", mixtral_load_balancing_loss, tuple(m(4096, 8) for _ in range(32))),
            ("sigmoid_focal_loss", sigmoid_focal_loss, (mf(200700, 91), mf(200700, 91))),
            ("dice_ce_onehot", lambda x, t: dice_loss(x, t, sigmoid=False, softmax=True, to_onehot_y=True),
             (mf(2, 14, 96, 96, 96), mf(2, 1, 96, 96, 96)))]

    # ================================================================== self-supervised objectives
    # ------------------------------------------------------------------ DINO, DINOv2
    def dino_loss(student_output, teacher_output, center, ncrops=10, student_temp=0.1, temp=0.04,
                  center_momentum=0.9):  # DINOLoss.forward and update_center
        student_out = student_output / student_temp
        student_out = student_out.chunk(ncrops)
        teacher_out = F.softmax((teacher_output - center) / temp, dim=-1)
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
        new_center = center * center_momentum + batch_center * (1 - center_momentum)
        return total_loss, new_center

    def sinkhorn_knopp_teacher(teacher_output, teacher_temp=0.07, n_iterations=3):  # DINOv2's centring
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

    def dinov2_dino_loss(student_output, teacher_probs, student_temp=0.1):  # DINOLoss.forward over the centred targets
        lsm = F.log_softmax(student_output / student_temp, dim=-1)
        loss = torch.sum(teacher_probs * lsm, dim=-1)
        return -loss.mean()

    # DINO ViT-S/16 (65536 prototypes, 2 global + 8 local crops of a 64-image batch, fp32); DINOv2 ViT-L's
    # Sinkhorn-Knopp over 256 teacher rows (bf16 upcast) and its loss
    out += [("dino_loss", dino_loss, (mf(640, 65536), mf(128, 65536), mf(1, 65536))),
            ("sinkhorn_knopp_teacher", sinkhorn_knopp_teacher, (m(256, 65536),)),
            ("dinov2_dino_loss", dinov2_dino_loss, (mf(256, 65536), mf(256, 65536)))]

    # ------------------------------------------------------------------ contrastive and redundancy-reduction losses
    def moco_logits(q, k, queue, T=0.2):  # MoCo v2: normalised q / k, the queue's negatives, the enqueue
        q = F.normalize(q, dim=1)
        k = F.normalize(k, dim=1)
        l_pos = torch.einsum("nc,nc->n", [q, k]).unsqueeze(-1)
        l_neg = torch.einsum("nc,ck->nk", [q, queue.clone().detach()])
        logits = torch.cat([l_pos, l_neg], dim=1)
        logits /= T
        labels = torch.zeros(logits.shape[0], dtype=torch.long)
        batch_size = k.shape[0]
        queue[:, 0:batch_size] = k.T
        return F.cross_entropy(logits, labels)

    def off_diagonal(x):
        n, m_ = x.shape
        return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()

    def barlow_twins_loss(z1, z2, lambd=0.0051):  # BatchNorm1d(affine=False) in training, the cross-correlation
        bn1 = F.batch_norm(z1, None, None, training=True, momentum=0.1, eps=1e-5)
        bn2 = F.batch_norm(z2, None, None, training=True, momentum=0.1, eps=1e-5)
        c = bn1.T @ bn2
        c.div_(z1.shape[0])
        on_diag = torch.diagonal(c).add_(-1).pow_(2).sum()
        off_diag = off_diagonal(c).pow_(2).sum()
        return on_diag + lambd * off_diag

    def byol_loss(x, y):  # BYOL's regression loss
        x = F.normalize(x, dim=-1, p=2)
        y = F.normalize(y, dim=-1, p=2)
        return 2 - 2 * (x * y).sum(dim=-1)

    # MoCo v2 (256 keys of 128, a 65536-key queue); Barlow Twins over 256 x 8192 embeddings; BYOL's 4096 x 256
    # projections
    out += [("moco_logits", moco_logits, (mf(256, 128), mf(256, 128), mf(128, 65536))),
            ("barlow_twins_loss", barlow_twins_loss, (mf(256, 8192), mf(256, 8192))),
            ("byol_loss", byol_loss, (mf(4096, 256), mf(4096, 256)))]

    # ------------------------------------------------------------------ MAE
    def mae_random_masking(x, cls_token, pos_embed, mask_ratio=0.75):  # random_masking and the cls token joined
        N, L, D = x.shape
        len_keep = int(L * (1 - mask_ratio))
        noise = torch.rand(N, L)
        ids_shuffle = torch.argsort(noise, dim=1)
        ids_restore = torch.argsort(ids_shuffle, dim=1)
        ids_keep = ids_shuffle[:, :len_keep]
        x_masked = torch.gather(x, dim=1, index=ids_keep.unsqueeze(-1).repeat(1, 1, D))
        mask = torch.ones([N, L])
        mask[:, :len_keep] = 0
        mask = torch.gather(mask, dim=1, index=ids_restore)
        cls = cls_token + pos_embed[:, :1, :]
        cls_tokens = cls.expand(x_masked.shape[0], -1, -1)
        return torch.cat((cls_tokens, x_masked), dim=1), mask, ids_restore

    def mae_loss(imgs, pred, mask, p=16):  # patchify and forward_loss with norm_pix_loss
        h = w = imgs.shape[2] // p
        x = imgs.reshape(shape=(imgs.shape[0], 3, h, p, w, p))
        x = torch.einsum("nchpwq->nhwpqc", x)
        target = x.reshape(shape=(imgs.shape[0], h * w, p ** 2 * 3))
        mean = target.mean(dim=-1, keepdim=True)
        var = target.var(dim=-1, keepdim=True)
        target = (target - mean) / (var + 1.e-6) ** .5
        loss = (pred - target) ** 2
        loss = loss.mean(dim=-1)
        return (loss * mask).sum() / mask.sum()

    # MAE ViT-L/16 pre-training, 128 images a GPU (196 patches of 1024, fp32 under autocast's residual stream)
    out += [("mae_random_masking", mae_random_masking, (mf(128, 196, 1024), mf(1, 1, 1024), mf(1, 197, 1024))),
            ("mae_loss", mae_loss, (mf(128, 3, 224, 224), mf(128, 196, 768), mf(128, 196)))]

    # ================================================================== regularisation and augmentation
    def drop_path(x, drop_prob=0.1, scale_by_keep=True):  # timm's drop_path in training
        keep_prob = 1 - drop_prob
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        random_tensor = x.new_empty(shape).bernoulli_(keep_prob)
        if keep_prob > 0.0 and scale_by_keep:
            random_tensor.div_(keep_prob)
        return x * random_tensor

    def convnext_drop_path(x, gamma, shortcut):  # ConvNeXt block's tail: layer scale, NHWC -> NCHW, drop_path, residual
        x = x * gamma
        x = x.permute(0, 3, 1, 2)
        return shortcut + drop_path(x, 0.4)

    def dropout_train(x, p=0.1):
        return F.dropout(x, p=p, training=True)

    def sdpa_dropout(q, k, v):  # GPT-2's sdpa attention in training (attn_pdrop 0.1, causal)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.1, is_causal=True)

    def normalize_uint8(x, mean, std, dtype=torch.float32):  # the prefetchers' uint8 -> float, sub_ and div_
        return x.to(dtype).sub_(mean).div_(std)

    def random_erasing(x, seed=0, area=(0.02, 1 / 3), log_ratio=(math.log(0.3), math.log(1 / 0.3))):
        # timm's RandomErasing(mode="pixel") over a GPU batch: per image a box of per-pixel normal noise
        rng = random.Random(seed)
        batch_size, chan, img_h, img_w = x.shape
        for n in range(batch_size):
            target_area = rng.uniform(*area) * img_h * img_w
            aspect_ratio = math.exp(rng.uniform(*log_ratio))
            h = min(int(round(math.sqrt(target_area * aspect_ratio))), img_h - 1)
            w = min(int(round(math.sqrt(target_area / aspect_ratio))), img_w - 1)
            top = rng.randint(0, img_h - h)
            left = rng.randint(0, img_w - w)
            x[n][:, top:top + h, left:left + w] = torch.empty((chan, h, w), dtype=x.dtype).normal_()
        return x

    # ViT-L's residual branch over 128 x 197 (fp16) and ConvNeXt-B's stage 3 (64 x 14 x 14 x 512, bf16, NHWC);
    # BERT-large's attention probabilities (32 x 16 x 512 x 512, fp16); GPT-2's causal SDPA with
    # dropout over 16 x 1024 (bf16); a 256-image channels-last uint8 batch to fp32 (apex) and a contiguous one to
    # bf16 (timm); random erasing over a batch of 2 at 448
    out += [("drop_path", drop_path, (mh(128, 197, 1024),)),
            ("convnext_drop_path", convnext_drop_path, (m(64, 14, 14, 512), m(512), m(64, 512, 14, 14))),
            ("dropout_train", dropout_train, (mh(32, 16, 512, 512),)),
            ("sdpa_dropout", sdpa_dropout, (m(16, 12, 1024, 64), m(16, 12, 1024, 64), m(16, 12, 1024, 64))),
            ("normalize_uint8", normalize_uint8, (cl(mu8(256, 3, 224, 224)), mf(1, 3, 1, 1), mf(1, 3, 1, 1))),
            ("normalize_uint8", lambda x, a, s: normalize_uint8(x, a, s, torch.bfloat16),
             (mu8(256, 3, 224, 224), m(1, 3, 1, 1), m(1, 3, 1, 1))),
            ("random_erasing", random_erasing, (mf(2, 3, 448, 448),))]

    # ================================================================== GANs
    # ------------------------------------------------------------------ StyleGAN2 (NVlabs' stylegan2-ada-pytorch)
    def bias_act_lrelu(x, b, gain=math.sqrt(2), alpha=0.2, clamp=None):  # bias_act's reference path
        x = x + b.reshape([-1 if k == 1 else 1 for k in range(x.ndim)])
        x = F.leaky_relu(x, alpha)
        x = x * gain
        if clamp is not None:
            x = x.clamp(-clamp, clamp)
        return x

    def fc_layer(x, weight, bias, lr_multiplier=1.0, activation="lrelu"):  # FullyConnectedLayer
        weight_gain = lr_multiplier / math.sqrt(weight.shape[1])
        w = weight.to(x.dtype) * weight_gain
        b = bias.to(x.dtype)
        if lr_multiplier != 1:
            b = b * lr_multiplier
        if activation == "linear":
            return torch.addmm(b.unsqueeze(0), x, w.t())
        x = x.matmul(w.t())
        return bias_act_lrelu(x, b)

    def modulated_conv2d(x, weight, styles, noise=None, padding=1):  # fused_modconv=True: one grouped conv
        batch_size = x.shape[0]
        out_channels, in_channels, kh, kw = weight.shape
        if x.dtype == torch.float16:  # pre-normalised against fp16 overflow
            weight = weight * (1 / math.sqrt(in_channels * kh * kw)
                               / weight.norm(float("inf"), dim=[1, 2, 3], keepdim=True))
            styles = styles / styles.norm(float("inf"), dim=1, keepdim=True)
        w = weight.unsqueeze(0)
        w = w * styles.reshape(batch_size, 1, -1, 1, 1)
        dcoefs = (w.square().sum(dim=[2, 3, 4]) + 1e-8).rsqrt()
        w = w * dcoefs.reshape(batch_size, -1, 1, 1, 1)
        x = x.reshape(1, -1, *x.shape[2:])
        w = w.reshape(-1, in_channels, kh, kw)
        x = F.conv2d(x, w.to(x.dtype), padding=padding, groups=batch_size)
        x = x.reshape(batch_size, -1, *x.shape[2:])
        if noise is not None:
            x = x.add_(noise)
        return x

    def synthesis_layer(x, w, affine_w, affine_b, weight, bias, noise_const, noise_strength, clamp=None):
        styles = fc_layer(w, affine_w, affine_b, activation="linear")
        noise = noise_const * noise_strength
        x = modulated_conv2d(x, weight, styles, noise=noise)
        return bias_act_lrelu(x, bias.to(x.dtype), clamp=clamp)

    def upfirdn2d_ref(x, f, up=1, down=1, padding=(0, 0, 0, 0), gain=1):  # the reference implementation
        batch_size, num_channels, in_height, in_width = x.shape
        upx = upy = up
        downx = downy = down
        padx0, padx1, pady0, pady1 = padding
        x = x.reshape([batch_size, num_channels, in_height, 1, in_width, 1])
        x = F.pad(x, [0, upx - 1, 0, 0, 0, upy - 1])
        x = x.reshape([batch_size, num_channels, in_height * upy, in_width * upx])
        x = F.pad(x, [max(padx0, 0), max(padx1, 0), max(pady0, 0), max(pady1, 0)])
        x = x[:, :, max(-pady0, 0): x.shape[2] - max(-pady1, 0), max(-padx0, 0): x.shape[3] - max(-padx1, 0)]
        f = f * (gain ** (f.ndim / 2))
        f = f.to(x.dtype)
        f = f.flip(list(range(f.ndim)))
        f = f[None, None].repeat([num_channels, 1] + [1] * f.ndim)
        x = F.conv2d(x, f.unsqueeze(2), groups=num_channels)
        x = F.conv2d(x, f.unsqueeze(3), groups=num_channels)
        return x[:, :, ::downy, ::downx]

    # the 256 x 256 layer of FFHQ-1024's generator (128 channels) fused over a batch of 4 (fp16, channels_last, conv
    # clamp 256); the ToRGB image upsampled 2x (3 x 128^2 -> 256^2) and a discriminator's 128-channel 256^2 map
    # downsampled 2x by the [1, 3, 3, 1] filter
    out += [("synthesis_layer_fused", lambda *a: synthesis_layer(*a, clamp=256),
             (cl(mh(4, 128, 256, 256)), mf(4, 512), mf(128, 512), mf(128), cl(mf(128, 128, 3, 3)), mf(128),
              mf(256, 256), mf(()))),
            ("upfirdn2d_upsample", lambda x, f: upfirdn2d_ref(x, f, up=2, padding=(2, 1, 2, 1), gain=4),
             (mf(4, 3, 128, 128), mf(4))),
            ("upfirdn2d_downsample", lambda x, f: upfirdn2d_ref(x, f, down=2, padding=(1, 1, 1, 1)),
             (mf(4, 128, 256, 256), mf(4)))]

    # ------------------------------------------------------------------ spectral norm, BigGAN's discriminator
    def spectral_norm_weight(weight, u, v, eps=1e-12):  # SpectralNorm.compute_weight, one power iteration
        weight_mat = weight.reshape(weight.shape[0], -1)
        v = F.normalize(torch.mv(weight_mat.t(), u), dim=0, eps=eps, out=v)
        u = F.normalize(torch.mv(weight_mat, v), dim=0, eps=eps, out=u)
        u = u.clone(memory_format=torch.contiguous_format)
        v = v.clone(memory_format=torch.contiguous_format)
        sigma = torch.dot(u, torch.mv(weight_mat, v))
        return weight / sigma

    # BigGAN-128's discriminator: a 3 x 3 conv of 768 channels spectrally normalised
    out += [("spectral_norm_weight", spectral_norm_weight, (mf(768, 768, 3, 3), mf(768), mf(6912)))]

    # ================================================================== proteins
    # ------------------------------------------------------------------ ESM-2
    def esm_rotary(x, inv_freq):  # esm's RotaryEmbedding over [batch * heads, T, head_dim]
        t = torch.arange(x.shape[-2]).type_as(inv_freq)
        freqs = torch.einsum("i,j->ij", t, inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos = emb.cos()[None, :, :]
        sin = emb.sin()[None, :, :]
        cos = cos[:, : x.shape[-2], :]
        sin = sin[:, : x.shape[-2], :]
        return (x * cos) + (rotate_half(x) * sin)

    def esm2_attention(query, wq, bq, wk, bk, wv, bv, wo, bo, inv_freq, key_padding_mask, num_heads=20):
        tgt_len, bsz, embed_dim = query.size()
        head_dim = embed_dim // num_heads
        q = linear(query, wq, bq)
        k = linear(query, wk, bk)
        v = linear(query, wv, bv)
        q *= head_dim ** -0.5
        q = q.contiguous().view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
        k = k.contiguous().view(-1, bsz * num_heads, head_dim).transpose(0, 1)
        v = v.contiguous().view(-1, bsz * num_heads, head_dim).transpose(0, 1)
        src_len = k.size(1)
        q, k = esm_rotary(q, inv_freq), esm_rotary(k, inv_freq)
        attn_weights = torch.bmm(q, k.transpose(1, 2))
        attn_weights = attn_weights.view(bsz, num_heads, tgt_len, src_len)
        attn_weights = attn_weights.masked_fill(key_padding_mask.unsqueeze(1).unsqueeze(2).to(torch.bool),
                                                float("-inf"))
        attn_weights = attn_weights.view(bsz * num_heads, tgt_len, src_len)
        attn_weights_float = F.softmax(attn_weights, dim=-1, dtype=torch.float32)
        attn_weights = attn_weights_float.type_as(attn_weights)
        attn = torch.bmm(attn_weights, v)
        attn = attn.transpose(0, 1).contiguous().view(tgt_len, bsz, embed_dim)
        return linear(attn, wo, bo)

    def esm_contact_head(tokens, attentions, w, b, eos_idx=2):  # ContactPredictionHead: eos mask, symmetrise, APC
        eos_mask = tokens.ne(eos_idx).to(attentions)
        eos_mask = eos_mask.unsqueeze(1) * eos_mask.unsqueeze(2)
        attentions = attentions * eos_mask[:, None, None, :, :]
        attentions = attentions[..., :-1, :-1]
        attentions = attentions[..., 1:, 1:]
        batch_size, layers, heads, seqlen, _ = attentions.size()
        attentions = attentions.view(batch_size, layers * heads, seqlen, seqlen)
        x = attentions + attentions.transpose(-1, -2)  # symmetrize
        a1 = x.sum(-1, keepdims=True)  # apc
        a2 = x.sum(-2, keepdims=True)
        a12 = x.sum((-1, -2), keepdims=True)
        avg = a1 * a2
        avg.div_(a12)
        attentions = x - avg
        attentions = attentions.permute(0, 2, 3, 1)
        return torch.sigmoid(linear(attentions, w, b).squeeze(3))

    # ESM-2 650M in fp16 (1280 wide, 20 heads of 64) over 8 sequences of 512 (attention, seq-first); the contact head
    # over one 512-residue sequence's 33 x 20 fp32 attention maps
    esm_attn = (mh(1280, 1280), mh(1280), mh(1280, 1280), mh(1280), mh(1280, 1280), mh(1280), mh(1280, 1280), mh(1280))
    out += [("esm2_attention", esm2_attention, (mh(512, 8, 1280), *esm_attn, mh(32), mb(8, 512))),
            ("esm_contact_head", esm_contact_head, (i(1, 514), mf(1, 33, 20, 514, 514), mf(1, 660), mf(1)))]

    # ------------------------------------------------------------------ OpenFold's Evoformer
    def of_attention(q_x, kv_x, biases, wq, wk, wv, wg, bg, wo, bo, no_heads):  # primitives.Attention
        q = linear(q_x, wq)
        k = linear(kv_x, wk)
        v = linear(kv_x, wv)
        q = q.view(q.shape[:-1] + (no_heads, -1))
        k = k.view(k.shape[:-1] + (no_heads, -1))
        v = v.view(v.shape[:-1] + (no_heads, -1))
        q = q.transpose(-2, -3)
        k = k.transpose(-2, -3)
        v = v.transpose(-2, -3)
        q /= math.sqrt(q.shape[-1])
        a = torch.matmul(q, k.permute(*range(k.ndim - 2), k.ndim - 1, k.ndim - 2))
        for b in biases:
            a += b
        a = torch.softmax(a, -1)
        o = torch.matmul(a, v)
        o = o.transpose(-2, -3)
        g = torch.sigmoid(linear(q_x, wg, bg))
        g = g.view(g.shape[:-1] + (no_heads, -1))
        o = o * g
        o = o.reshape(o.shape[:-2] + (-1,))
        return linear(o, wo, bo)

    def msa_row_attention_pair_bias(m_, z, mask, lnm_w, lnm_b, lnz_w, lnz_b, wz, *att, inf=1e9):
        mask_bias = (inf * (mask - 1))[..., :, None, None, :]
        z = F.layer_norm(z, (z.shape[-1],), lnz_w, lnz_b, 1e-5)
        z = linear(z, wz)
        z = z.permute(*range(z.ndim - 3), z.ndim - 1, z.ndim - 3, z.ndim - 2).unsqueeze(-4)
        m_ = F.layer_norm(m_, (m_.shape[-1],), lnm_w, lnm_b, 1e-5)
        return of_attention(m_, m_, [mask_bias, z], *att, no_heads=8)

    def outer_product_mean(m_, mask, ln_w, ln_b, w1, b1, w2, b2, wo, bo, eps=1e-3):
        ln_ = F.layer_norm(m_, (m_.shape[-1],), ln_w, ln_b, 1e-5)
        mask = mask.unsqueeze(-1)
        a = linear(ln_, w1, b1) * mask
        b = linear(ln_, w2, b2) * mask
        a = a.transpose(-2, -3)
        b = b.transpose(-2, -3)
        outer = torch.einsum("...bac,...dae->...bdce", a, b)
        outer = outer.reshape(outer.shape[:-2] + (-1,))
        outer = linear(outer, wo, bo)
        norm = torch.einsum("...abc,...adc->...bdc", mask, mask)
        norm = norm + eps
        return outer / norm

    def triangle_attention(x, mask, ln_w, ln_b, wtri, *att, starting=True, inf=1e9):
        if not starting:
            x = x.transpose(-2, -3)
            mask = mask.transpose(-1, -2)
        mask_bias = (inf * (mask - 1))[..., :, None, None, :]
        x = F.layer_norm(x, (x.shape[-1],), ln_w, ln_b, 1e-5)
        triangle_bias = linear(x, wtri)
        triangle_bias = triangle_bias.permute(*range(triangle_bias.ndim - 3), triangle_bias.ndim - 1,
                                              triangle_bias.ndim - 3, triangle_bias.ndim - 2).unsqueeze(-4)
        x = of_attention(x, x, [mask_bias, triangle_bias], *att, no_heads=4)
        if not starting:
            x = x.transpose(-2, -3)
        return x

    def transition(x, mask, ln_w, ln_b, w1, b1, w2, b2):  # PairTransition
        mask = mask.unsqueeze(-1)
        x = F.layer_norm(x, (x.shape[-1],), ln_w, ln_b, 1e-5)
        return linear(F.relu(linear(x, w1, b1)), w2, b2) * mask

    def att_params(c_in, heads, c_hidden, dt=torch.bfloat16):
        hc = heads * c_hidden
        return (m(hc, c_in, dt=dt), m(hc, c_in, dt=dt), m(hc, c_in, dt=dt), m(hc, c_in, dt=dt), m(hc, dt=dt),
                m(c_in, hc, dt=dt), m(c_in, dt=dt))

    # OpenFold training in bf16 (a 256-residue crop, 128 clustered sequences, c_m 256, c_z 128): row attention with
    # pair bias (8 heads of 32), the outer product mean, triangle attention around starting and ending nodes (4 heads
    # of 32), the pair transition
    z_ = m(1, 256, 256, 128)
    m_main = m(1, 128, 256, 256)
    out += [("msa_row_attention_pair_bias", msa_row_attention_pair_bias,
             (m_main, z_, m(1, 128, 256), m(256), m(256), m(128), m(128), m(8, 128), *att_params(256, 8, 32))),
            ("outer_product_mean", outer_product_mean,
             (m_main, m(1, 128, 256), m(256), m(256), m(32, 256), m(32), m(32, 256), m(32), m(128, 1024), m(128))),
            ("triangle_attention_starting", triangle_attention,
             (z_, m(1, 256, 256), m(128), m(128), m(4, 128), *att_params(128, 4, 32))),
            ("triangle_attention_ending", lambda *a: triangle_attention(*a, starting=False),
             (z_, m(1, 256, 256), m(128), m(128), m(4, 128), *att_params(128, 4, 32))),
            ("pair_transition", transition, (z_, m(1, 256, 256), m(128), m(128), m(512, 128), m(512), m(128, 512),
                                             m(128)))]

    # ------------------------------------------------------------------ OpenFold's structure module and heads
    def rot_vec_mul(r, t):  # rigid_utils.rot_vec_mul
        x, y, z = torch.unbind(t, dim=-1)
        return torch.stack([r[..., 0, 0] * x + r[..., 0, 1] * y + r[..., 0, 2] * z,
                            r[..., 1, 0] * x + r[..., 1, 1] * y + r[..., 1, 2] * z,
                            r[..., 2, 0] * x + r[..., 2, 1] * y + r[..., 2, 2] * z], dim=-1)

    def invariant_point_attention(s, z, rots, trans, mask, wq, bq, wkv, bkv, wqp, bqp, wkvp, bkvp, wb, bb,
                                  head_weights, wout, bout, no_heads=12, c_hidden=16, p_q=4, p_v=8, inf=1e5,
                                  eps=1e-8):
        q = linear(s, wq, bq)
        kv = linear(s, wkv, bkv)
        q = q.view(q.shape[:-1] + (no_heads, -1))
        kv = kv.view(kv.shape[:-1] + (no_heads, -1))
        k, v = torch.split(kv, c_hidden, dim=-1)
        q_pts = linear(s, wqp, bqp)
        q_pts = torch.split(q_pts, q_pts.shape[-1] // 3, dim=-1)
        q_pts = torch.stack(q_pts, dim=-1)
        q_pts = rot_vec_mul(rots[..., None, :, :], q_pts) + trans[..., None, :]  # r[..., None].apply
        q_pts = q_pts.view(q_pts.shape[:-2] + (no_heads, p_q, 3))
        kv_pts = linear(s, wkvp, bkvp)
        kv_pts = torch.split(kv_pts, kv_pts.shape[-1] // 3, dim=-1)
        kv_pts = torch.stack(kv_pts, dim=-1)
        kv_pts = rot_vec_mul(rots[..., None, :, :], kv_pts) + trans[..., None, :]
        kv_pts = kv_pts.view(kv_pts.shape[:-2] + (no_heads, -1, 3))
        k_pts, v_pts = torch.split(kv_pts, [p_q, p_v], dim=-2)
        b = linear(z, wb, bb)
        a = torch.matmul(q.permute(1, 0, 2), k.permute(1, 2, 0))
        a = a * math.sqrt(1.0 / (3 * c_hidden))
        a = a + (math.sqrt(1.0 / 3) * b.permute(2, 0, 1))
        pt_att = q_pts.unsqueeze(-4) - k_pts.unsqueeze(-5)
        pt_att = pt_att ** 2
        pt_att = sum(torch.unbind(pt_att, dim=-1))
        hw = F.softplus(head_weights).view(*((1,) * len(pt_att.shape[:-2]) + (-1, 1)))
        hw = hw * math.sqrt(1.0 / (3 * (p_q * 9.0 / 2)))
        pt_att = pt_att * hw
        pt_att = torch.sum(pt_att, dim=-1) * (-0.5)
        square_mask = mask.unsqueeze(-1) * mask.unsqueeze(-2)
        square_mask = inf * (square_mask - 1)
        pt_att = pt_att.permute(2, 0, 1)
        a = a + pt_att
        a = a + square_mask.unsqueeze(-3)
        a = torch.softmax(a, dim=-1)
        o = torch.matmul(a, v.transpose(-2, -3)).transpose(-2, -3)
        o = o.reshape(o.shape[:-2] + (-1,))
        o_pt = torch.sum(a[..., None, :, :, None] * v_pts.permute(1, 3, 0, 2)[..., None, :, :], dim=-2)
        o_pt = o_pt.permute(2, 0, 3, 1)
        o_pt = rot_vec_mul(rots[..., None, None, :, :].transpose(-1, -2), o_pt - trans[..., None, None, :])
        o_pt_norm = torch.sqrt(torch.sum(o_pt ** 2, dim=-1) + eps).reshape(o_pt.shape[:-3] + (-1,))
        o_pt = o_pt.reshape(*o_pt.shape[:-3], -1, 3)
        o_pair = torch.matmul(a.transpose(-2, -3), z.to(dtype=a.dtype))
        o_pair = o_pair.reshape(o_pair.shape[:-2] + (-1,))
        return linear(torch.cat((o, *torch.unbind(o_pt, dim=-1), o_pt_norm, o_pair), dim=-1), wout, bout)

    def plddt_head(s, ln_w, ln_b, w1, b1, w2, b2, w3, b3):  # PerResidueLDDTCaPredictor and compute_plddt
        s = F.layer_norm(s, (s.shape[-1],), ln_w, ln_b, 1e-5)
        s = F.relu(linear(s, w1, b1))
        s = F.relu(linear(s, w2, b2))
        logits = linear(s, w3, b3)
        num_bins = logits.shape[-1]
        bin_width = 1.0 / num_bins
        bounds = torch.arange(start=0.5 * bin_width, end=1.0, step=bin_width)
        probs = F.softmax(logits, dim=-1)
        pred_lddt_ca = torch.sum(probs * bounds.view(*((1,) * len(probs.shape[:-1])), *bounds.shape), dim=-1)
        return pred_lddt_ca * 100

    def pae_head(z, w, b, max_bin=31):  # TMScoreHead's logits and compute_predicted_aligned_error
        logits = linear(z, w, b)
        no_bins = logits.shape[-1]
        boundaries = torch.linspace(0, max_bin, steps=(no_bins - 1))
        step = boundaries[1] - boundaries[0]
        bin_centers = boundaries + step / 2
        bin_centers = torch.cat([bin_centers, (bin_centers[-1] + step).unsqueeze(-1)], dim=0)
        aligned_confidence_probs = F.softmax(logits, dim=-1)
        return torch.sum(aligned_confidence_probs * bin_centers, dim=-1)

    # OpenFold inference in fp32 at 384 residues (c_s 384, c_z 128; IPA of 12 heads, 4 query and 8 value points;
    # the 50-bin pLDDT and 64-bin PAE heads)
    nr = 384
    out += [("invariant_point_attention", invariant_point_attention,
             (mf(nr, 384), mf(nr, nr, 128), mf(nr, 3, 3), mf(nr, 3), mf(nr), mf(192, 384), mf(192), mf(384, 384),
              mf(384), mf(144, 384), mf(144), mf(432, 384), mf(432), mf(12, 128), mf(12), mf(12), mf(384, 2112),
              mf(384))),
            ("plddt_head", plddt_head, (mf(1, nr, 384), mf(384), mf(384), mf(128, 384), mf(128), mf(128, 128),
                                        mf(128), mf(50, 128), mf(50))),
            ("pae_head", pae_head, (mf(1, nr, nr, 128), mf(64, 128), mf(64)))]

    # ================================================================== neural operators and ODEs
    def fno_layer(x, weights1, weights2, w, b, modes1, modes2):  # SpectralConv2d, the 1 x 1 conv beside it, GELU
        batchsize = x.shape[0]
        x_ft = torch.fft.rfft2(x)
        out_ft = torch.zeros(batchsize, weights1.shape[1], x.size(-2), x.size(-1) // 2 + 1, dtype=torch.cfloat)
        out_ft[:, :, :modes1, :modes2] = torch.einsum("bixy,ioxy->boxy", x_ft[:, :, :modes1, :modes2], weights1)
        out_ft[:, :, -modes1:, :modes2] = torch.einsum("bixy,ioxy->boxy", x_ft[:, :, -modes1:, :modes2], weights2)
        x1 = torch.fft.irfft2(out_ft, s=(x.size(-2), x.size(-1)))
        x2 = F.conv2d(x, w, b)
        return F.gelu(x1 + x2)

    def fno_lift(a, w0, b0):  # FNO2d's grid features joined to the input, fc0, to channels first
        batchsize, size_x, size_y = a.shape[0], a.shape[1], a.shape[2]
        gridx = torch.linspace(0, 1, size_x)
        gridx = gridx.reshape(1, size_x, 1, 1).repeat([batchsize, 1, size_y, 1])
        gridy = torch.linspace(0, 1, size_y)
        gridy = gridy.reshape(1, 1, size_y, 1).repeat([batchsize, size_x, 1, 1])
        x = torch.cat((a, torch.cat((gridx, gridy), dim=-1)), dim=-1)
        x = linear(x, w0, b0)
        return x.permute(0, 3, 1, 2)

    def afno_filter(x, w1, b1, w2, b2, num_blocks=8, sparsity_threshold=0.01):  # FourCastNet's AFNO2D.forward
        bias = x
        dtype = x.dtype
        x = x.float()
        B, H, W, C = x.shape
        block_size = C // num_blocks
        x = torch.fft.rfft2(x, dim=(1, 2), norm="ortho")
        x = x.reshape(B, H, W // 2 + 1, num_blocks, block_size)
        o1_real = torch.zeros([B, H, W // 2 + 1, num_blocks, block_size])
        o1_imag = torch.zeros([B, H, W // 2 + 1, num_blocks, block_size])
        o2_real = torch.zeros(x.shape)
        o2_imag = torch.zeros(x.shape)
        total_modes = H // 2 + 1
        kept = total_modes
        lo, hi = total_modes - kept, total_modes + kept
        xs = x[:, lo:hi, :kept]
        o1_real[:, lo:hi, :kept] = F.relu(torch.einsum("...bi,bio->...bo", xs.real, w1[0])
                                          - torch.einsum("...bi,bio->...bo", xs.imag, w1[1]) + b1[0])
        o1_imag[:, lo:hi, :kept] = F.relu(torch.einsum("...bi,bio->...bo", xs.imag, w1[0])
                                          + torch.einsum("...bi,bio->...bo", xs.real, w1[1]) + b1[1])
        o2_real[:, lo:hi, :kept] = (torch.einsum("...bi,bio->...bo", o1_real[:, lo:hi, :kept], w2[0])
                                    - torch.einsum("...bi,bio->...bo", o1_imag[:, lo:hi, :kept], w2[1]) + b2[0])
        o2_imag[:, lo:hi, :kept] = (torch.einsum("...bi,bio->...bo", o1_imag[:, lo:hi, :kept], w2[0])
                                    + torch.einsum("...bi,bio->...bo", o1_real[:, lo:hi, :kept], w2[1]) + b2[1])
        x = torch.stack([o2_real, o2_imag], dim=-1)
        x = F.softshrink(x, lambd=sparsity_threshold)
        x = torch.view_as_complex(x)
        x = x.reshape(B, H, W // 2 + 1, C)
        x = torch.fft.irfft2(x, s=(H, W), dim=(1, 2), norm="ortho")
        x = x.type(dtype)
        return x + bias

    def rk4_step(y0, t0, dt, w1, b1, w2, b2):  # torchdiffeq's rk4_alt_step_func with an MLP dynamics
        def func(t, y):
            return linear(torch.tanh(linear(y, w1, b1)), w2, b2)

        t1 = t0 + dt
        k1 = func(t0, y0)
        k2 = func(t0 + dt * (1 / 3), y0 + dt * k1 * (1 / 3))
        k3 = func(t0 + dt * (2 / 3), y0 + dt * (k2 - k1 * (1 / 3)))
        k4 = func(t1, y0 + dt * (k1 - k2 + k3))
        return y0 + (k1 + 3 * (k2 + k3) + k4) * dt * 0.125

    # FNO-2D on Navier-Stokes (20 x 64^2, width 32, 12 modes): the spectral layer with its complex weights and the
    # lift; FourCastNet's AFNO over 90 x 180 patch tokens of 768 (8 blocks); an RK4 step of a 64-d latent ODE for 1024
    # trajectories
    out += [("fno_layer", lambda x, a, b, w, bb: fno_layer(x, a, b, w, bb, 12, 12),
             (mf(20, 32, 64, 64), mc(32, 32, 12, 12), mc(32, 32, 12, 12), mf(32, 32, 1, 1), mf(32))),
            ("fno_lift", fno_lift, (mf(20, 64, 64, 10), mf(32, 12), mf(32))),
            ("afno_filter", afno_filter, (mf(1, 90, 180, 768), mf(2, 8, 96, 96), mf(2, 8, 96), mf(2, 8, 96, 96),
                                          mf(2, 8, 96))),
            ("rk4_step", rk4_step, (mf(1024, 64), mf(()), mf(()), mf(256, 64), mf(256), mf(64, 256), mf(64)))]

    # ================================================================== evaluation metrics
    def topk_accuracy(output, target, topk=(1, 5)):  # torchvision's references: accuracy
        maxk = max(topk)
        batch_size = target.size(0)
        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target[None])
        return [correct[:k].flatten().sum(dtype=torch.float32) * (100.0 / batch_size) for k in topk]

    def ssim(X, Y, data_range=255, win_size=11, win_sigma=1.5, K=(0.01, 0.03)):  # pytorch_msssim.ssim
        coords = torch.arange(win_size, dtype=torch.float)
        coords -= win_size // 2
        g = torch.exp(-(coords ** 2) / (2 * win_sigma ** 2))
        g /= g.sum()
        win = g.unsqueeze(0).unsqueeze(0)
        win = win.repeat([X.shape[1]] + [1] * (len(X.shape) - 1))

        def gaussian_filter(input, win):
            C = input.shape[1]
            out_ = input
            for k, s in enumerate(input.shape[2:]):
                if s >= win.shape[-1]:
                    out_ = F.conv2d(out_, weight=win.transpose(2 + k, -1), stride=1, padding=0, groups=C)
            return out_

        K1, K2 = K
        C1 = (K1 * data_range) ** 2
        C2 = (K2 * data_range) ** 2
        win = win.to(X.device, dtype=X.dtype)
        mu1 = gaussian_filter(X, win)
        mu2 = gaussian_filter(Y, win)
        mu1_sq = mu1.pow(2)
        mu2_sq = mu2.pow(2)
        mu1_mu2 = mu1 * mu2
        sigma1_sq = (gaussian_filter(X * X, win) - mu1_sq)
        sigma2_sq = (gaussian_filter(Y * Y, win) - mu2_sq)
        sigma12 = (gaussian_filter(X * Y, win) - mu1_mu2)
        cs_map = (2 * sigma12 + C2) / (sigma1_sq + sigma2_sq + C2)
        ssim_map = ((2 * mu1_mu2 + C1) / (mu1_sq + mu2_sq + C1)) * cs_map
        ssim_per_channel = torch.flatten(ssim_map, 2).mean(-1)
        return ssim_per_channel.mean(1)

    def fid_compute(real_sum, real_cov_sum, fake_sum, fake_cov_sum, n_real, n_fake):  # compute and _compute_fid
        mean_real = (real_sum / n_real).unsqueeze(0)
        mean_fake = (fake_sum / n_fake).unsqueeze(0)
        cov_real_num = real_cov_sum - n_real * mean_real.t().mm(mean_real)
        cov_real = cov_real_num / (n_real - 1)
        cov_fake_num = fake_cov_sum - n_fake * mean_fake.t().mm(mean_fake)
        cov_fake = cov_fake_num / (n_fake - 1)
        mu1, mu2 = mean_real.squeeze(0), mean_fake.squeeze(0)
        a = (mu1 - mu2).square().sum(dim=-1)
        b = cov_real.trace() + cov_fake.trace()
        c = torch.linalg.eigvals(cov_real @ cov_fake).sqrt().real.sum(dim=-1)
        return a + b - 2 * c

    # ImageNet validation (256 x 1000); SSIM over 16 RGB 512^2 images; FID's statistics and eigenvalues over 768-d
    # features (torchmetrics' feature=768, fp64)
    out += [("topk_accuracy", topk_accuracy, (mf(256, 1000), i(256))),
            ("ssim", ssim, (mf(16, 3, 512, 512), mf(16, 3, 512, 512))),
            ("fid_compute", fid_compute, (md(768), md(768, 768), md(768), md(768, 768), i(()), i(())))]

    # ================================================================== reinforcement learning
    def ppo_losses(action_mean, actor_logstd, newvalue, b_actions, b_logprobs, b_advantages, b_returns, b_values,
                   mb_inds, clip_coef=0.2, ent_coef=0.0, vf_coef=2.0):  # CleanRL's ppo_continuous_action update
        action_logstd = actor_logstd.expand_as(action_mean)
        action_std = torch.exp(action_logstd)
        value = b_actions[mb_inds]
        var = action_std ** 2
        log_prob = -((value - action_mean) ** 2) / (2 * var) - action_std.log() - math.log(math.sqrt(2 * math.pi))
        newlogprob = log_prob.sum(1)
        entropy = (0.5 + 0.5 * math.log(2 * math.pi) + torch.log(action_std)).sum(1)
        logratio = newlogprob - b_logprobs[mb_inds]
        ratio = logratio.exp()
        approx_kl = ((ratio - 1) - logratio).mean()
        clipfrac = ((ratio - 1.0).abs() > clip_coef).float().mean()
        mb_advantages = b_advantages[mb_inds]
        mb_advantages = (mb_advantages - mb_advantages.mean()) / (mb_advantages.std() + 1e-8)
        pg_loss1 = -mb_advantages * ratio
        pg_loss2 = -mb_advantages * torch.clamp(ratio, 1 - clip_coef, 1 + clip_coef)
        pg_loss = torch.max(pg_loss1, pg_loss2).mean()
        newvalue = newvalue.view(-1)
        v_loss_unclipped = (newvalue - b_returns[mb_inds]) ** 2
        v_clipped = b_values[mb_inds] + torch.clamp(newvalue - b_values[mb_inds], -clip_coef, clip_coef)
        v_loss_clipped = (v_clipped - b_returns[mb_inds]) ** 2
        v_loss = 0.5 * torch.max(v_loss_unclipped, v_loss_clipped).mean()
        entropy_loss = entropy.mean()
        return pg_loss - ent_coef * entropy_loss + v_loss * vf_coef, approx_kl, clipfrac

    def dqn_td_target(next_q, q, obs, rewards, dones, actions, gamma=0.99):  # CleanRL's dqn_atari update
        x = obs / 255.0
        target_max, _ = next_q.max(dim=1)
        td_target = rewards.flatten() + gamma * target_max * (1 - dones.flatten())
        old_val = q.gather(1, actions).squeeze()
        return F.mse_loss(td_target, old_val), x

    # PPO on Isaac Gym's Ant (a minibatch of 16384 of 4096 x 16 samples, 8 actions); Atari DQN (32 x 18)
    out += [("ppo_losses", ppo_losses, (mf(16384, 8), mf(1, 8), mf(16384, 1), mf(65536, 8), mf(65536), mf(65536),
                                        mf(65536), mf(65536), i(16384))),
            ("dqn_td_target", dqn_td_target, (mf(32, 18), mf(32, 18), mu8(32, 4, 84, 84), mf(32, 1), mf(32, 1),
                                              i(32, 1)))]

    # ================================================================== diffusion training
    def sd_noise_timesteps(latents, alphas_cumprod, noise_offset=0.05, num_train_timesteps=1000):
        # train_text_to_image: noise with its offset, timesteps drawn, DDPMScheduler.add_noise
        noise = torch.randn_like(latents)
        noise += noise_offset * torch.randn((latents.shape[0], latents.shape[1], 1, 1))
        bsz = latents.shape[0]
        timesteps = torch.randint(0, num_train_timesteps, (bsz,)).long()
        alphas_cumprod = alphas_cumprod.to(dtype=latents.dtype)
        sqrt_alpha_prod = alphas_cumprod[timesteps] ** 0.5
        sqrt_alpha_prod = sqrt_alpha_prod.flatten()
        while len(sqrt_alpha_prod.shape) < len(latents.shape):
            sqrt_alpha_prod = sqrt_alpha_prod.unsqueeze(-1)
        sqrt_one_minus_alpha_prod = (1 - alphas_cumprod[timesteps]) ** 0.5
        sqrt_one_minus_alpha_prod = sqrt_one_minus_alpha_prod.flatten()
        while len(sqrt_one_minus_alpha_prod.shape) < len(latents.shape):
            sqrt_one_minus_alpha_prod = sqrt_one_minus_alpha_prod.unsqueeze(-1)
        return sqrt_alpha_prod * latents + sqrt_one_minus_alpha_prod * noise, noise, timesteps

    def sd_snr_weighted_loss(model_pred, latents, noise, timesteps, alphas_cumprod, snr_gamma=5.0):
        # get_velocity's v target, compute_snr and the min-SNR weighted MSE (v-prediction)
        ac = alphas_cumprod.to(dtype=latents.dtype)
        sqrt_alpha_prod = (ac[timesteps] ** 0.5).flatten()
        while len(sqrt_alpha_prod.shape) < len(latents.shape):
            sqrt_alpha_prod = sqrt_alpha_prod.unsqueeze(-1)
        sqrt_one_minus_alpha_prod = ((1 - ac[timesteps]) ** 0.5).flatten()
        while len(sqrt_one_minus_alpha_prod.shape) < len(latents.shape):
            sqrt_one_minus_alpha_prod = sqrt_one_minus_alpha_prod.unsqueeze(-1)
        target = sqrt_alpha_prod * noise - sqrt_one_minus_alpha_prod * latents
        sqrt_alphas_cumprod = alphas_cumprod ** 0.5
        sqrt_one_minus_alphas_cumprod = (1.0 - alphas_cumprod) ** 0.5
        alpha = sqrt_alphas_cumprod[timesteps].float().expand(timesteps.shape)
        sigma = sqrt_one_minus_alphas_cumprod[timesteps].float().expand(timesteps.shape)
        snr = (alpha / sigma) ** 2
        mse_loss_weights = torch.stack([snr, snr_gamma * torch.ones_like(timesteps)], dim=1).min(dim=1)[0]
        mse_loss_weights = mse_loss_weights / (snr + 1)
        loss = F.mse_loss(model_pred.float(), target.float(), reduction="none")
        loss = loss.mean(dim=list(range(1, len(loss.shape)))) * mse_loss_weights
        return loss.mean()

    def sd3_flow_matching(model_input, model_pred, sigmas_table, num_train_timesteps=1000):
        # logit-normal timestep density, sigmas at the drawn indices, the rectified-flow interpolation and loss
        noise = torch.randn_like(model_input)
        bsz = model_input.shape[0]
        u = torch.normal(mean=0.0, std=1.0, size=(bsz,))
        u = torch.sigmoid(u)
        indices = (u * num_train_timesteps).long()
        sigma = sigmas_table.to(dtype=model_input.dtype)[indices].flatten()
        while len(sigma.shape) < model_input.ndim:
            sigma = sigma.unsqueeze(-1)
        noisy_model_input = (1.0 - sigma) * model_input + sigma * noise
        weighting = torch.ones_like(sigma)
        target = noise - model_input
        loss = torch.mean((weighting.float() * (model_pred.float() - target.float()) ** 2).reshape(target.shape[0], -1),
                          1)
        return loss.mean(), noisy_model_input

    # SD-1.5 fine-tuning (32 x 4 x 64 x 64 latents, fp32; the UNet's fp16 prediction); SD3.5 (8 x 16 x 128 x 128,
    # bf16)
    out += [("sd_noise_timesteps", sd_noise_timesteps, (mf(32, 4, 64, 64), mf(1000))),
            ("sd_snr_weighted_loss", sd_snr_weighted_loss,
             (mh(32, 4, 64, 64), mf(32, 4, 64, 64), mf(32, 4, 64, 64), i(32), mf(1000))),
            ("sd3_flow_matching", sd3_flow_matching, (m(8, 16, 128, 128), m(8, 16, 128, 128), mf(1000)))]

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK22, _check22()),))
