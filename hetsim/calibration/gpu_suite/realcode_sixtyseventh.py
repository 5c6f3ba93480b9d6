"""The aten sweep's thirty-eighth blind real-code group: `realcode-check38`, LLM training at scale in plain torch:
sharded data parallelism and its buffers, context and sequence parallelism, Megatron's tensor-parallel paths, FP8
training, low-precision and recent optimisers, mixture-of-experts training internals, attention masks built by training
code and RL post-training objectives, with recent sequence mixers, diffusion language models, tokenizer-free byte
models, speech front-ends and transducer training, data mixing, packed vision transformers and dense cross-layer
connections.

Each case is one op or a short idiom as the frameworks' and methods' public code (PyTorch's FSDP1 and FSDP2, DeepSpeed
and DeepSpeed-Ulysses, Megatron-LM / Megatron-core, ring-flash-attention, torchao.float8 under torchtitan, optimi,
OneTrainer, MegaBlocks, FlexAttention, modded-nanogpt, verl, TRL, PRIME, fla, safari, MDLM, SEDD, torchaudio under
FunASR, icefall and k2, DoReMi, lucidrains' ports and the papers' repositories) writes it, at real widths (hidden
768-12288, FFNs of 1408-28672, heads of 128), batches, sequence lengths (up to 128K tokens, 1 M bases), tensor-,
context-, sequence- and expert-parallel degrees (2-64) and world sizes (4-512), vocabularies (259 bytes to 128256
tokens, shards of 12576-16032) and in the dtypes the code runs (bf16 parameters, gradients, activations and optimiser
states, fp16 where a recipe trains in it (GPT-NeoX-20B and Llama-3.2-1B under ZeRO, Zipformer and the pruned joiner
under AMP), fp32 master weights, main grads, shards, router logits, RL log-probs, losses, speech features and recurrent
states, float64 for ZeRO's norms, torchao's amaxes and a float64 Gumbel draw, complex64 for CEMA's and the LRU's
diagonals, float8_e4m3fn and float8_e5m2 in FP8 training, int64 tokens, targets, expert ids and indices, int32 tokens,
block counts and rounding bits, int8 block masks, bool masks): sharded data parallelism (FSDP1's FlatParameter of a
Llama-3-8B, Qwen2.5-7B and Llama-3.2-1B layer by cat, pad and chunk, its mixed-precision shard copy, the grad's pre-
and post-division and fp32 accumulation; FSDP2's all-gather copy-in by _foreach_copy_ of the cast dim-0 shards, its
copy-out by split_with_sizes_copy, the reduce-scatter copy-in by _chunk_cat and the post-reduce as_strided views
accumulated into fp32 grads, for Llama-3-8B, Qwen2.5-7B and Llama-3-70B layers over 8-32 ranks; ZeRO-2's bucket
flatten and average, ZeRO's float64 grad norm and its unscale and copy back into the flat bf16 / fp16 params;
Megatron's distributed-optimizer bucket scaling and shard copies); context and sequence parallelism (Megatron's zigzag
get_batch_on_this_cp_rank at 32K-128K, DeepSpeed-Ulysses' head-scatter layouts around all_to_all_single,
ring-flash-attention's out / lse merge by sigmoid and logsigmoid and its zigzag half update); Megatron's tensor-parallel
paths (the vocab-parallel cross-entropy with its bool-masked targets, arange gather and in-place exp; the explicit
linear backward's dgrad, wgrad over [s * b] rows, bias grad and fp32 main_grad accumulation for Llama-3-70B and
GPT-3-175B shards; the local DotProductAttention by baddbmm into a preallocated buffer, FusedScaleMaskSoftmax's torch
path and bmm; the fused QKV split per group with the [s, 1, 1, d] rotary table and _apply_rotary_pos_emb_bshd); FP8
training (torchao.float8's rowwise forward with power-of-two scales and _scaled_mm, its tensorwise backward with e5m2
grads and the column-major relayouts); optimisers (bf16 AdamW with stochastic rounding by random bits and a mask,
optimi's Kahan-summed bf16 AdamW, C-AdamW's cautious mask, MARS' variance-reduced and clipped gradient, APOLLO's
random projection with channel and tensor scaling and its norm limiter, MuonClip's QK-Clip on MHA scores and on
Kimi-K2 / DeepSeek-V3 MLA weights); mixture-of-experts training (Megatron-core's fp32 router with capacity and
token drops by topk over the tokens, its z-loss, switch and sequence-level aux losses, the argsort permute and
index_copy_ unpermute, the all-to-all dispatcher's splits by histc and routing-map sums, SequentialMLP over
DeepSeek-V3's and DeepSeek-V2-Lite's local experts at uneven counts; MegaBlocks' sorted bins and padded bins; Hash
Layers' table routing; MoE++'s zero, copy and constant experts with gating residuals; ReMoE's ReLU router with its L1
term; MoH's shared and routed attention heads); attention masks (modded-nanogpt's create_blockmasks with its
dense_to_ordered and window clamps, FlexAttention's eager create_block_mask over packed documents and
BlockMask._transpose_ordered); RL post-training (verl's policy loss with clip-higher, dual clip and its loss
aggregations over int64 response masks, its k1 / abs / k2 / k3 KL estimators and KL-penalised rewards, the GRPO and
Dr. GRPO outcome advantages, GSPO's sequence-level ratio, the clipped value loss with the critic's head; PRIME's
implicit process rewards and their reversed-cumsum returns; TRL's ORPO odds-ratio loss over Llama-3's vocabulary; a
Bradley-Terry reward model pooled at the last non-pad token); recent sequence mixers (HGRN2's and Gated Slot
Attention's recurrent steps, Gated DeltaProduct's Householder steps, Longhorn's online-learning update, LoLCATs'
Hedgehog feature maps with its sliding-window and linear scores, Megalodon's CEMA by a complex Vandermonde kernel and
FFT convolution and its timestep norm by cumsums, the LRU's complex closed-form scan, H3's shift and diagonal SSMs by
FFT, Hyena's implicit filter at 2K and 1 M positions); diffusion language models (MDLM's SUBS loss with the bool-masked
logits and its DDPM caching sampler step in fp32 and float64, SEDD's absorbing score entropy and its analytic sampler
step through one_hot); byte models (Charformer's GBST with its score-consensus attention, SpaceByte's patch boundaries
from byte classes with the global stream gathered and scattered back, the Hourglass shortening and upsampling);
speech (torchaudio's kaldi fbank on the device as FunASR runs it, with and without dither, FunASR's LFR stacking and
CMVN; Zipformer's BiasNorm with SwooshL feed-forward, SimpleDownsample / Upsample with the bypass, relative-position
attention weights by a gathered shift and NonlinAttention in fp16; k2's rnnt_loss_simple log-probs and the pruned
joiner); DoReMi's domain reweighting from per-token excess losses; NaViT's packed patches with factorised positions and
the image-id mask into SDPA; DenseFormer's depth-weighted averages and MUDDFormer's dynamic dense connections.
Data-dependent steps of the reference code are written without data-dependent shapes: boolean selections as
scatter_add_ sums, where and bool index_put_ (DoReMi's per-domain means, SEDD's absorbed positions, MDLM's unmasked
tokens), SpaceByte's boundary positions by a stable argsort at a fixed bound, host loops at fixed counts (the local
experts' token counts, the Householder steps, the LFR windows), the expert histograms over float ids (the fake device's
histc takes no int64), MoE++'s constant experts unrolled.
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every group written before it and drops any case equal to one
of theirs, so it stays blind to what they fitted; a fit group taken after it drops any case equal to one of its.
"""

from __future__ import annotations

REALCODE_CHECK38 = "realcode-check38"


def _check38():
    import math
    from functools import partial as P

    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _dtype_makers, _meta_makers, repeat_kv

    m, i = _meta_makers()

    mh, mf, mb, mi32 = _dtype_makers()

    def md(*shape):  # float64 (ZeRO's norms, Gumbel noise drawn in double)
        return m(*shape, dt=torch.float64)

    def mc(*shape):  # complex64 (CEMA's and the LRU's complex states)
        return m(*shape, dt=torch.complex64)

    def m0(dt=torch.float32):  # a 0-dim tensor (a running norm, a window size)
        return torch.empty((), dtype=dt, device="meta")

    NEG = float("-inf")
    out = []

    # ================================================================== sharded data parallelism: FSDP1, FSDP2, ZeRO
    def layer_shapes(hid, q, kv, ffn, bias=False):  # a Llama-style decoder layer's parameters in registration order
        qkv = (((q, hid), (q,)), ((kv, hid), (kv,)), ((kv, hid), (kv,)))  # (q / k / v with Qwen2's biases after
        s = [x for w, b in qkv for x in ((w, b) if bias else (w,))]  # each weight), o, gate, up, down, two norms
        return s + [(hid, q), (ffn, hid), (ffn, hid), (hid, ffn), (hid,), (hid,)]

    LLAMA3_8B = layer_shapes(4096, 4096, 1024, 14336)
    LLAMA3_70B = layer_shapes(8192, 8192, 1024, 28672)
    LLAMA32_1B = layer_shapes(2048, 2048, 512, 8192)
    QWEN25_7B = layer_shapes(3584, 3584, 512, 18944, bias=True)

    def shards(shapes, world):  # FSDP2's dim-0 shards (rows rounded up: every width here divides)
        return [((s[0] + world - 1) // world, *s[1:]) for s in shapes]

    def fsdp1_flatten_shard(*params, world=8, rank=0):  # FSDP1's FlatParamHandle: a wrapped decoder layer's
        flat = torch.cat([p.reshape(-1) for p in params])  # parameters flattened into one FlatParameter by cat,
        pad = -flat.numel() % world  # right-padded to a multiple of the world size, chunked, the rank's shard
        if pad:  # cloned (_get_shard)
            flat = F.pad(flat, (0, pad))
        return flat.chunk(world)[rank].clone()

    # Llama-3-8B's layer in bf16 over 8 ranks, Qwen2.5-7B's (with biases) in fp32 over 16, Llama-3.2-1B's fp32 over 4
    for shapes, dt, world in ((LLAMA3_8B, torch.bfloat16, 8), (QWEN25_7B, torch.float32, 16),
                              (LLAMA32_1B, torch.float32, 4)):
        out.append(("fsdp1_flat_param_shard", P(fsdp1_flatten_shard, world=world, rank=1),
                    tuple(m(*s, dt=dt) for s in shapes)))

    def fsdp1_mixed_precision(local_shard, mp_shard, unsharded_grad, saved_grad, world=8, rank=0, pre=4.0, post=2.0):
        mp_shard.copy_(local_shard)  # FSDP1 with MixedPrecision(bf16): the fp32 shard cast into the low-precision
        unsharded_grad.div_(pre)  # shard the all-gather reads; after backward the padded unsharded bf16 grad
        new = torch.empty_like(unsharded_grad.chunk(world)[rank])  # pre-divided, the reduce-scatter's output
        new.div_(post)  # post-divided (_div_if_needed), cast to the fp32 param dtype and accumulated into
        saved_grad += new.to(torch.float32)  # _saved_grad_shard (gradient accumulation without no_sync)
        return mp_shard, saved_grad

    # Llama-3-8B's layer (218.1 M) over 8 ranks (predivide 4, postdivide 2); Llama-3-70B's (855.6 M) over 64 (8, 8)
    for shapes, world, pre, post in ((LLAMA3_8B, 8, 4.0, 2.0), (LLAMA3_70B, 64, 8.0, 8.0)):
        n = sum(math.prod(s) for s in shapes)
        out.append(("fsdp1_mixed_precision_grads", P(fsdp1_mixed_precision, world=world, rank=3, pre=pre, post=post),
                    (mf(n // world), m(n // world), m(n), mf(n // world))))

    def fsdp2_copy_in(ag_out, *shard_params, world=8, rank=0):  # FSDP2's foreach_all_gather copy-in: each fp32
        inputs = [s.to(torch.bfloat16).view(-1) for s in shard_params]  # dim-0 shard cast to the param dtype
        sizes = [t.numel() for t in inputs]  # (MixedPrecisionPolicy), the rank's slice of the all-gather
        n = sum(sizes)  # buffer narrowed, split and written by one _foreach_copy_
        ag_in = ag_out.narrow(0, n * rank, n)
        torch._foreach_copy_(list(torch.split(ag_in, sizes)), inputs)
        return ag_out

    def fsdp2_copy_out(ag_out, *params, world=8):  # FSDP2's foreach_all_gather_copy_out: the gathered buffer
        sizes = [p.numel() // world for p in params]  # viewed [world, -1], its columns split into every
        torch.split_with_sizes_copy(ag_out.view(world, -1), sizes, dim=1,  # unsharded (padded) parameter
                                    out=[p.view(world, -1) for p in params])
        return params

    def fsdp2_rs_copy_in(*grads, world=8):  # FSDP2's foreach_reduce copy-in: the unsharded bf16 grads chunked along
        n = sum(g.numel() for g in grads)  # dim 0 into the world's rows of one reduce-scatter buffer (_chunk_cat)
        rs_in = grads[0].new_empty(n)
        torch._chunk_cat(grads, dim=0, num_chunks=world, out=rs_in.view(world, -1))
        return rs_in

    def fsdp2_post_reduce(rs_out, *sharded_grads, world=8):  # after the reduce-scatter: its output divided by the
        rs_out.div_(world)  # world, each sharded grad an as_strided view of it, cast to the fp32 param dtype and
        offset = 0  # accumulated into the existing .grad (gradient accumulation)
        for g in sharded_grads:
            new = torch.as_strided(rs_out, g.shape, g.stride(), offset)
            g += new.to(torch.float32)
            offset += g.numel()
        return sharded_grads

    # Llama-3-8B's layer over 8 ranks, Qwen2.5-7B's over 16, Llama-3-70B's over 32 (fp32 shards, bf16 all-gathers)
    for shapes, world, rank in ((LLAMA3_8B, 8, 5), (QWEN25_7B, 16, 2), (LLAMA3_70B, 32, 7)):
        sh = shards(shapes, world)
        n = sum(math.prod(s) for s in sh)
        out.append(("fsdp2_all_gather_copy_in", P(fsdp2_copy_in, world=world, rank=rank),
                    (m(n * world), *(mf(*s) for s in sh))))
        out.append(("fsdp2_all_gather_copy_out", P(fsdp2_copy_out, world=world),
                    (m(n * world), *(m(*s) for s in shapes))))
        out.append(("fsdp2_reduce_scatter_chunk_cat", P(fsdp2_rs_copy_in, world=world), tuple(m(*s) for s in shapes)))
        out.append(("fsdp2_post_reduce_accumulate", P(fsdp2_post_reduce, world=world),
                    (m(n), *(mf(*s) for s in sh))))

    def zero2_bucket(*grads, world=8):  # DeepSpeed ZeRO-2's reduce bucket: the bucket's grads flattened by
        flat = torch.cat([g.contiguous().view(-1) for g in grads])  # _flatten_dense_tensors, averaged before the
        flat.div_(world)  # reduce (average_tensor: tensor.div_(dp_world_size))
        return flat

    # Llama-3-8B's layer in bf16 over 8 ranks; GPT-NeoX-20B's layer (6144 wide, biased, fp16) over 64
    neox = [(18432, 6144), (18432,), (6144, 6144), (6144,), (24576, 6144), (24576,), (6144, 24576), (6144,),
            (6144,), (6144,), (6144,), (6144,)]
    for shapes, dt, world in ((LLAMA3_8B, torch.bfloat16, 8), (neox, torch.float16, 64)):
        out.append(("zero2_bucket_flatten_average", P(zero2_bucket, world=world), tuple(m(*s, dt=dt) for s in shapes)))

    def zero_grad_norm(*grads):  # ZeRO's get_grad_norm_direct: each partition grad's 2-norm in float64, squared and
        total = 0.0  # summed over the groups, the root taken
        for g in grads:
            total = total + g.double().norm(2) ** 2
        return total ** 0.5

    # Llama-3-8B's partitions over 64 ranks (decayed and norm groups); Llama-3-70B's over 512
    for a, b_ in ((125_468_672, 16_448), (137_793_536, 2_576)):
        out.append(("zero_grad_norm_fp64", zero_grad_norm, (mf(a), mf(b_))))

    def zero_unscale_copy(grad_part, fp32_part, bf16_flat, rank=0, combined_scale=65536.0 * 1.7):  # ZeRO-1/2's
        grad_part.mul_(1.0 / combined_scale)  # step tail: unscale_and_clip_grads (the loss scale times the clip
        n = fp32_part.numel()  # factor), then (after the optimizer) the fp32 partition copied into the rank's narrow
        bf16_flat.narrow(0, rank * n, n).copy_(fp32_part)  # of the flat bf16 params before their all-gather
        return bf16_flat

    # Llama-3.2-1B (1.236 B) over 8 ranks in fp16 with a dynamic loss scale; Qwen2.5-1.5B (1.544 B) over 16 in bf16
    for n, world, dt, sc in ((1_235_814_400, 8, torch.float16, 65536.0 * 1.7),
                             (1_543_714_304, 16, torch.bfloat16, 1.3)):
        out.append(("zero_unscale_copy_back", P(zero_unscale_copy, rank=world - 1, combined_scale=sc),
                    (mf(n // world), mf(n // world), m(n, dt=dt))))

    def megatron_distopt(grad_data, param_data, main_shard, dp=8, rank=0):  # Megatron's distributed optimizer around
        grad_data *= 1.0 / dp  # one bucket: the fp32 grad buffer scaled by 1 / dp before its reduce-scatter; the
        n = main_shard.numel()  # rank's shard read as the main grad; after the step the fp32 main params copied into
        g = grad_data.view(-1)[rank * n:(rank + 1) * n].float()  # its shard of the bf16 param buffer before the
        param_data.view(-1)[rank * n:(rank + 1) * n].copy_(main_shard)  # all-gather
        return g, param_data

    # the default 40 M-element bucket over 8 ranks; 64 M (1 M a rank) over 64
    for n, dp in ((40_000_000, 8), (64_000_000, 64)):
        out.append(("megatron_distopt_bucket", P(megatron_distopt, dp=dp, rank=dp // 2),
                    (mf(n), m(n), mf(n // dp))))

    # ================================================================== context and sequence parallelism
    def cp_zigzag(tokens, labels, loss_mask, position_ids, index, cp=8):  # Megatron's get_batch_on_this_cp_rank:
        res = []  # each of the batch's tensors viewed as 2 * cp chunks of the sequence, this rank's pair (its chunk
        for val in (tokens, labels, loss_mask, position_ids):  # and the mirrored one) picked by index_select
            val = val.view(val.shape[0], 2 * cp, val.shape[1] // (2 * cp), *val.shape[2:])
            val = val.index_select(1, index)
            res.append(val.view(val.shape[0], -1, *val.shape[3:]))
        return res

    # 128K tokens over 8 ranks, 2 x 32K over 4, 64K over 16
    for b, s, cp in ((1, 131072, 8), (2, 32768, 4), (1, 65536, 16)):
        out.append(("cp_zigzag_batch_split", P(cp_zigzag, cp=cp), (i(b, s), i(b, s), mf(b, s), i(b, s), i(2))))

    def ulysses_layouts(q, k, v, o, p=8):  # DeepSpeed-Ulysses' _SeqAllToAll around attention: q, k, v [b, s / p, h, d]
        def pre(x):  # reshaped to scatter the heads over p ranks, made contiguous rank-major for all_to_all_single;
            b, sl, h, d = x.shape  # the exchanged chunks [p, b, s / p, h / p, d] laid out as the whole sequence of
            return x.reshape(b, sl, p, h // p, d).permute(2, 0, 1, 3, 4).contiguous()  # h / p heads; the attention

        def post(x):  # output sent back the other way (sequence scattered, heads gathered)
            _, b, sl, hp, d = x.shape
            return x.permute(1, 0, 2, 3, 4).reshape(b, p * sl, hp, d)

        qa, ka, va = (post(pre(x)) for x in (q, k, v))
        b, s, hp, d = o.shape
        ob = o.reshape(b, p, s // p, hp, d).permute(1, 0, 2, 3, 4).contiguous()
        return qa, ka, va, ob.permute(1, 2, 0, 3, 4).reshape(b, s // p, p * hp, d)

    # Llama-3-8B (32 / 8 heads) at 128K over 8 ranks; Qwen2.5-7B (28 / 4) at 32K over 4; Llama-3-70B's TP shard
    # (16 / 2 heads) at 64K over 2
    for s, h, hk, p in ((131072, 32, 8, 8), (32768, 28, 4, 4), (65536, 16, 2, 2)):
        out.append(("ulysses_all_to_all_layouts", P(ulysses_layouts, p=p),
                    (m(1, s // p, h, 128), m(1, s // p, hk, 128), m(1, s // p, hk, 128), m(1, s, h // p, 128))))

    def ring_update(out_, lse, block_out, block_lse):  # ring-flash-attention's _update_out_and_lse: the fp32 running
        block_out = block_out.to(torch.float32)  # output [b, s, h, d] and lse [b, s, h, 1] merged with a block's bf16
        block_lse = block_lse.transpose(-2, -1).unsqueeze(dim=-1)  # output and [b, h, s] lse by sigmoid and
        out_ = out_ - F.sigmoid(block_lse - lse) * (out_ - block_out)  # logsigmoid
        lse = lse - F.logsigmoid(lse - block_lse)
        return out_, lse

    def zigzag_half(out_, lse, block_out, block_lse):  # zigzag ring attention's later steps: only the second half of
        s = out_.shape[1] // 2  # the local queries saw the block, updated through slices and written back
        so, sl = ring_update(out_[:, s:], lse[:, s:], block_out, block_lse)
        out_[:, s:], lse[:, s:] = so, sl
        return out_, lse

    # Llama-3-8B at 128K over 8 ranks (16K local queries, 32 heads); Qwen2.5-72B (64 heads) at 32K over 4
    for s, h in ((16384, 32), (8192, 64)):
        out.append(("ring_attn_update_out_lse", ring_update,
                    (mf(1, s, h, 128), mf(1, s, h, 1), m(1, s, h, 128), mf(1, h, s))))
        out.append(("zigzag_ring_half_update", zigzag_half,
                    (mf(1, s, h, 128), mf(1, s, h, 1), m(1, s // 2, h, 128), mf(1, h, s // 2))))

    # ================================================================== Megatron tensor parallelism
    def vocab_parallel_ce(vocab_parallel_logits, target, rank=0):  # Megatron's _VocabParallelCrossEntropy on one
        vocab_parallel_logits = vocab_parallel_logits.float()  # rank's vocabulary shard [s, b, v / tp]: the
        logits_max = torch.max(vocab_parallel_logits, dim=-1)[0]  # max (all-reduced), the targets outside the
        vocab_parallel_logits -= logits_max.unsqueeze(dim=-1)  # shard masked, the predicted logits by an arange
        part = vocab_parallel_logits.size()[-1]  # and target index, exp in place, the sum (all-reduced), the
        start, end = rank * part, (rank + 1) * part  # loss, the softmax kept for backward
        target_mask = (target < start) | (target >= end)
        masked_target = target.clone() - start
        masked_target[target_mask] = 0
        logits_2d = vocab_parallel_logits.view(-1, part)
        masked_target_1d = masked_target.view(-1)
        arange_1d = torch.arange(start=0, end=logits_2d.size()[0], device=logits_2d.device)
        predicted_logits_1d = logits_2d[arange_1d, masked_target_1d]
        predicted_logits_1d = predicted_logits_1d.clone().contiguous()
        predicted_logits = predicted_logits_1d.view_as(target)
        predicted_logits[target_mask] = 0.0
        exp_logits = vocab_parallel_logits
        torch.exp(vocab_parallel_logits, out=exp_logits)
        sum_exp_logits = exp_logits.sum(dim=-1)
        loss = torch.log(sum_exp_logits) - predicted_logits
        exp_logits.div_(sum_exp_logits.unsqueeze(dim=-1))
        return loss

    # Llama-3 (128256 / 8 = 16032) at 8192 x 1; a GPT-3-style 50304 / 4 at 2048 x 4
    for s, b, v, rank in ((8192, 1, 16032, 7), (2048, 4, 12576, 1)):
        out.append(("megatron_vocab_parallel_ce", P(vocab_parallel_ce, rank=rank), (m(s, b, v), i(s, b))))

    def megatron_linear_bwd(grad_output, total_input, weight, main_grad, bias=False):  # Megatron's
        grad_input = grad_output.matmul(weight)  # LinearWithGradAccumulationAndAsyncCommunication.backward without
        go = grad_output.view(grad_output.shape[0] * grad_output.shape[1], grad_output.shape[2])  # the fused wgrad:
        ti = total_input.view(total_input.shape[0] * total_input.shape[1], total_input.shape[2])  # dgrad, wgrad as
        grad_weight = go.t().matmul(ti)  # grad_output^T @ input over [s * b] rows, the bias grad by a column sum,
        grad_bias = go.sum(dim=0) if bias else None  # the wgrad accumulated into the fp32 main_grad
        main_grad.add_(grad_weight)
        return grad_input, grad_bias

    # Llama-3-70B at TP 8 with sequence parallelism (4096 x 1): QKV (8192 -> 1280), proj (1024 -> 8192), fc1 (8192 ->
    # 7168), fc2 (3584 -> 8192); a GPT-3-175B layer at TP 8 (2048 x 1, biased): QKV, proj, fc1, fc2
    for s, b, k, n, bias in ((4096, 1, 8192, 1280, False), (4096, 1, 1024, 8192, False), (4096, 1, 8192, 7168, False),
                             (4096, 1, 3584, 8192, False), (2048, 1, 12288, 4608, True), (2048, 1, 1536, 12288, True),
                             (2048, 1, 12288, 6144, True), (2048, 1, 6144, 12288, True)):
        out.append(("megatron_linear_explicit_backward", P(megatron_linear_bwd, bias=bias),
                    (m(s, b, n), m(s, b, k), m(n, k), mf(n, k))))

    def megatron_core_attention(q, k, v, mask):  # Megatron's local DotProductAttention over [sq, b, np, hn]: the
        sq, b, np_, hn = q.shape  # KV groups repeat_interleave'd, scores by baddbmm into a preallocated buffer (beta
        sk = k.shape[0]  # 0, alpha 1 / sqrt(hn)), FusedScaleMaskSoftmax's torch path (fp32, masked_fill_ -10000,
        rep = np_ // k.shape[2]  # softmax, back to bf16), the context by bmm, permuted back to [sq, b, h]
        if rep > 1:
            k = k.repeat_interleave(rep, dim=2)
            v = v.repeat_interleave(rep, dim=2)
        q2 = q.reshape(sq, b * np_, -1)
        k2 = k.reshape(sk, b * np_, -1)
        buf = torch.empty(b * np_, sq, sk, dtype=q.dtype, device=q.device)
        scores = torch.baddbmm(buf, q2.transpose(0, 1), k2.transpose(0, 1).transpose(1, 2), beta=0.0,
                               alpha=1.0 / math.sqrt(hn))
        scores = scores.view(b, np_, sq, sk).float()
        probs = torch.nn.Softmax(dim=-1)(scores.masked_fill_(mask, -10000.0)).to(q.dtype)
        ctx = torch.bmm(probs.view(b * np_, sq, -1), v.reshape(sk, b * np_, -1).transpose(0, 1))
        ctx = ctx.view(b, np_, sq, hn).permute(2, 0, 1, 3).contiguous()
        return ctx.view(sq, b, np_ * hn)

    # Llama-3-70B at TP 8 (8 q heads over 1 KV group) at 4096; GPT-3-175B at TP 8 (12 heads) at 2048; Llama-2-7B at
    # TP 2 (16 heads) at 2 x 4096
    for sq, b, np_, ng in ((4096, 1, 8, 1), (2048, 1, 12, 12), (4096, 2, 16, 16)):
        out.append(("megatron_local_attention_baddbmm", megatron_core_attention,
                    (m(sq, b, np_, 128), m(sq, b, ng, 128), m(sq, b, ng, 128), mb(b, 1, sq, sq))))

    def megatron_qkv_rope(mixed, inv_freq, ng=1, per_group=8, hn=128):  # Megatron's SelfAttention.get_query_key_value
        sq, b, _ = mixed.shape  # _tensors: the fused [sq, b, ng * (np / ng + 2) * hn] split per group into q, k, v;
        mixed = mixed.view(sq, b, ng, (per_group + 2) * hn)  # RotaryEmbedding's table (outer, cat, [s, 1, 1, d]);
        q, k, v = torch.split(mixed, [per_group * hn, hn, hn], dim=3)  # _apply_rotary_pos_emb_bshd on q and k (cos
        q = q.reshape(sq, b, -1, hn)  # and sin cast to the activations' dtype, rotate_half by chunk, the
        seq = torch.arange(sq, device=mixed.device, dtype=inv_freq.dtype)  # passthrough part cat'ed back)
        freqs = torch.outer(seq, inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)[:, None, None, :]

        def rope(t):
            rot = emb.shape[-1]
            t, t_pass = t[..., :rot], t[..., rot:]
            cos_, sin_ = torch.cos(emb).to(t.dtype), torch.sin(emb).to(t.dtype)
            x1, x2 = torch.chunk(t, 2, dim=-1)
            t = (t * cos_) + (torch.cat((-x2, x1), dim=-1) * sin_)
            return torch.cat((t, t_pass), dim=-1)

        return rope(q), rope(k), v

    # Llama-3-70B at TP 8 (one group of 8 heads) over 8192; Qwen2.5-7B at TP 1 (4 groups of 7) over 2 x 4096
    for sq, b, ng, per in ((8192, 1, 1, 8), (4096, 2, 4, 7)):
        out.append(("megatron_qkv_split_rope_sbhd", P(megatron_qkv_rope, ng=ng, per_group=per),
                    (m(sq, b, ng * (per + 2) * 128), mf(64))))

    # ================================================================== FP8 training (torchao.float8)
    def to_f8(t, dim, dtype=torch.float8_e4m3fn, fmax=448.0, pow2=False):  # torchao's amax_to_scale and
        if dim is None:  # hp_tensor_and_scale_to_float8: amax in float64, the scale clamped, optionally rounded down
            amax = t.abs().max().to(torch.float64)  # to a power of two, the tensor scaled in fp32, saturated and cast
        else:
            amax = t.abs().amax(dim=dim, keepdim=True).to(torch.float64)
        scale = (fmax / torch.clamp(amax, min=1e-12)).to(torch.float32)
        if pow2:
            scale = torch.exp2(torch.floor(torch.log2(scale)))
        return (t.to(torch.float32) * scale).clamp(min=-fmax, max=fmax).to(dtype), scale.reciprocal()

    def float8_rowwise(x, w):  # torchao.float8's rowwise recipe forward: per-row scales of the activation and
        x2 = x.reshape(-1, x.shape[-1])  # per-output-channel scales of the weight, rounded to powers of two, e4m3,
        xq, xs = to_f8(x2, -1, pow2=True)  # _scaled_mm into bf16 with the scales' reciprocals
        wq, ws = to_f8(w, -1, pow2=True)
        return torch._scaled_mm(xq, wq.t(), scale_a=xs, scale_b=ws.t(), out_dtype=torch.bfloat16)

    # torchtitan's Llama-3-8B at 8192 tokens: wk and w2
    for n, k in ((1024, 4096), (4096, 14336)):
        out.append(("float8_rowwise_linear_forward", float8_rowwise, (m(1, 8192, k), m(n, k))))

    def float8_tensorwise_bwd(grad_out, x, w):  # torchao.float8's tensorwise recipe backward: dynamic per-tensor
        go = grad_out.reshape(-1, grad_out.shape[-1])  # scales; grad_output in e5m2, weight and activation in
        x2 = x.reshape(-1, x.shape[-1])  # e4m3; grad_input = go @ w with w column-major (t().contiguous().t()),
        gq, gs = to_f8(go, None, torch.float8_e5m2, 57344.0)  # grad_weight = go^T @ x with go^T made row-major
        wq, ws = to_f8(w, None)
        xq, xs = to_f8(x2, None)
        grad_input = torch._scaled_mm(gq, wq.t().contiguous().t(), scale_a=gs, scale_b=ws, out_dtype=torch.bfloat16)
        grad_weight = torch._scaled_mm(gq.t().contiguous(), xq.t().contiguous().t(), scale_a=gs, scale_b=xs,
                                       out_dtype=torch.bfloat16)
        return grad_input, grad_weight

    # torchtitan's Llama-3-8B at 8192 tokens (w1), Llama-3-70B's w1 at TP 8 (3584 wide) over 4096
    for t, n, k in ((8192, 14336, 4096), (4096, 3584, 8192)):
        out.append(("float8_tensorwise_backward", float8_tensorwise_bwd, (m(1, t, n), m(1, t, k), m(n, k))))

    # ================================================================== low-precision and new optimisers
    def copy_stochastic_(target, source):  # OneTrainer / ai-toolkit's bf16 stochastic rounding: a random 16-bit
        result = torch.randint_like(source, dtype=torch.int32, low=0, high=(1 << 16))  # integer added to the fp32
        result.add_(source.view(dtype=torch.int32))  # bits, the low half masked off, copied into the bf16 target
        result.bitwise_and_(-65536)
        target.copy_(result.view(dtype=torch.float32))

    def adamw_bf16_sr(p, grad, exp_avg, exp_avg_sq, lr=1e-4, b1=0.9, b2=0.999, wd=0.01, eps=1e-8, step=200):
        p_f32 = p.float()  # AdamW on bf16 weights and states with the update applied to an fp32 copy, written back
        p_f32.mul_(1 - lr * wd)  # by stochastic rounding
        exp_avg.lerp_(grad, 1 - b1)
        exp_avg_sq.mul_(b2).addcmul_(grad, grad, value=1 - b2)
        denom = (exp_avg_sq.sqrt() / math.sqrt(1 - b2 ** step)).add_(eps)
        p_f32.addcdiv_(exp_avg, denom, value=-lr / (1 - b1 ** step))
        copy_stochastic_(p, p_f32)
        return p

    # Flux-dev's double-block MLP (12288 x 3072); SDXL's UNet attention to_q (1280 x 1280)
    for shape in ((12288, 3072), (1280, 1280)):
        out.append(("adamw_bf16_stochastic_rounding", adamw_bf16_sr, (m(*shape), m(*shape), m(*shape), m(*shape))))

    def adamw_kahan(param, grad, exp_avg, exp_avg_sq, kahan_comp, lr=3e-4, b1=0.9, b2=0.99, eps=1e-6):  # optimi's
        exp_avg.lerp_(grad, weight=1 - b1)  # AdamW on bf16 params with Kahan summation: the step accumulated into
        exp_avg_sq.mul_(b2).addcmul_(grad, grad, value=1 - b2)  # the compensation buffer, the param updated by it,
        kahan_comp.addcdiv_(exp_avg, exp_avg_sq.sqrt().add_(eps), value=-lr)  # the rounding error (the grad as the
        grad.copy_(param.detach())  # temporary) saved back
        param.add_(kahan_comp)
        kahan_comp.add_(grad.sub_(param))
        return param

    # Llama-3.2-1B's MLP (8192 x 2048) and embedding (128256 x 2048); Llama-3-8B's o_proj (4096 x 4096)
    for shape in ((8192, 2048), (128256, 2048), (4096, 4096)):
        out.append(("adamw_kahan_summation_bf16", adamw_kahan, tuple(m(*shape) for _ in range(5))))

    def cautious_adamw(p, grad, exp_avg, exp_avg_sq, lr=1e-3, b1=0.9, b2=0.95, eps=1e-8, wd=0.1, step=10):  # C-AdamW
        exp_avg.mul_(b1).add_(grad, alpha=1.0 - b1)  # (Liang et al.): the update masked where its sign disagrees
        exp_avg_sq.mul_(b2).add_(grad * grad, alpha=1.0 - b2)  # with the grad's, rescaled by the kept fraction
        denom = exp_avg_sq.sqrt().add_(eps)
        step_size = lr * math.sqrt(1 - b2 ** step) / (1 - b1 ** step)
        norm_grad = exp_avg / denom
        mask = (norm_grad * grad > 0).to(grad.dtype)
        mask = mask * (mask.numel() / (mask.sum() + 1))
        p.add_(norm_grad * mask, alpha=-step_size)
        p.add_(p, alpha=-lr * wd)
        return p

    # Llama-3.2-1B's fp32 masters: the 128256 x 2048 embedding
    for shape in ((128256, 2048),):
        out.append(("cautious_adamw_step", cautious_adamw, tuple(mf(*shape) for _ in range(4))))

    def mars_adamw(p, grad, last_grad, exp_avg, exp_avg_sq, lr=3e-3, b1=0.95, b2=0.99, gamma=0.025, eps=1e-8, wd=0.0,
                   step=10, max_norm=1.0):  # MARS-AdamW (Yuan et al.): the variance-reduced gradient c_t = g + gamma
        c_t = (grad - last_grad).mul(gamma * (b1 / (1.0 - b1))).add(grad)  # b1 / (1 - b1) (g - g_prev), its norm
        c_t_norm = torch.norm(c_t)  # clipped to 1, Adam's moments over it, the previous grad kept
        c_t = c_t / torch.clamp(c_t_norm / max_norm, min=1.0)
        exp_avg.mul_(b1).add_(c_t, alpha=1.0 - b1)
        exp_avg_sq.mul_(b2).addcmul_(c_t, c_t, value=1.0 - b2)
        denom = (exp_avg_sq.sqrt() / math.sqrt(1 - b2 ** step)).add_(eps)
        update = exp_avg.div(1 - b1 ** step) / denom
        p.mul_(1 - lr * wd).add_(update, alpha=-lr)
        last_grad.copy_(grad)
        return p

    # GPT-2 XL's MLP (6400 x 1600) and a Llama-2-7B MLP (11008 x 4096), fp32
    for shape in ((6400, 1600), (11008, 4096)):
        out.append(("mars_adamw_step", mars_adamw, tuple(mf(*shape) for _ in range(5))))

    def apollo(p, grad, proj, exp_avg, exp_avg_sq, prev_norm, lr=1e-2, b1=0.9, b2=0.999, eps=1e-6, wd=0.0, step=50,
               scale_type="channel"):  # APOLLO (Zhu et al.): the grad projected by a seeded random matrix (right when
        if grad.shape[0] >= grad.shape[1]:  # tall, left when wide), Adam's moments in the projected space, the
            g_low = torch.matmul(grad, proj.t())  # update's and the projected grad's channel (or tensor) norms give
        else:  # a scaling of the full grad, its norm growth limited to 1.01x
            g_low = torch.matmul(proj.t(), grad)
        exp_avg.mul_(b1).add_(g_low, alpha=1.0 - b1)
        exp_avg_sq.mul_(b2).addcmul_(g_low, g_low, value=1.0 - b2)
        denom = exp_avg_sq.sqrt().add_(eps)
        norm_grad = (exp_avg / (1 - b1 ** step)) / (denom / math.sqrt(1 - b2 ** step))
        if scale_type == "channel":
            norm_dim = 0 if norm_grad.shape[0] < norm_grad.shape[1] else 1
            scaling = torch.norm(norm_grad, dim=norm_dim) / (torch.norm(g_low, dim=norm_dim) + 1e-8)
            scaling_grad = grad * scaling.unsqueeze(norm_dim)
        else:
            scaling_grad = grad * (torch.norm(norm_grad) / (torch.norm(g_low) + 1e-8))
        sg_norm = torch.norm(scaling_grad)
        limiter = torch.clamp(sg_norm / (prev_norm + 1e-8), min=1.01) / 1.01
        scaling_grad = scaling_grad / limiter
        prev_norm.copy_(sg_norm / limiter)
        p.add_(scaling_grad, alpha=-lr)
        return p

    # LLaMA-7B's gate (11008 x 4096) and down (4096 x 11008) at rank 256; APOLLO-Mini (rank 1, tensor-wise) on q_proj
    for (r, c), rank, st in (((11008, 4096), 256, "channel"), ((4096, 11008), 256, "channel"),
                             ((4096, 4096), 1, "tensor")):
        pr = (rank, c) if r >= c else (r, rank)
        lo = (r, rank) if r >= c else (rank, c)
        out.append(("apollo_projected_scaling", P(apollo, scale_type=st),
                    (mf(r, c), mf(r, c), mf(*pr), mf(*lo), mf(*lo), m0())))

    def qk_clip_mha(q, k, wq, wk, tau=100.0):  # MuonClip's QK-Clip (Kimi K2) on an MHA layer: the eager
        s = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(q.shape[-1])  # attention's per-head max logit over the
        max_logit = s.amax(dim=(-2, -1)).amax(dim=0)  # batch; after the step the heads above tau rescaled: W_q
        gamma = (tau / max_logit).clamp(max=1.0)  # and W_k of each head by sqrt(gamma)
        h = q.shape[1]
        wq.view(h, -1, wq.shape[-1]).mul_(gamma.sqrt()[:, None, None])
        wk.view(h, -1, wk.shape[-1]).mul_(gamma.sqrt()[:, None, None])
        return s

    # a 7B MHA layer (32 heads of 128) over 4096 tokens; a 1.5B one (16 heads of 128, 2048 wide) over 2 x 4096
    for b, h, t, hid in ((1, 32, 4096, 4096), (2, 16, 4096, 2048)):
        out.append(("qk_clip_mha", qk_clip_mha, (m(b, h, t, 128), m(b, h, t, 128), mf(hid, hid), mf(hid, hid))))

    def qk_clip_mla(max_logit, w_q_b, w_kv_b, tau=100.0, nope=128, rope=64, vd=128):  # QK-Clip on MLA (Kimi K2):
        heads = max_logit.shape[0]  # per head, q's non-rotary part and k's by sqrt(gamma), q's rotary part by
        gamma = (tau / max_logit).clamp(max=1.0)  # gamma (the shared rotary key is left alone)
        wq = w_q_b.view(heads, nope + rope, -1)
        wq[:, :nope].mul_(gamma.sqrt()[:, None, None])
        wq[:, nope:].mul_(gamma[:, None, None])
        w_kv_b.view(heads, nope + vd, -1)[:, :nope].mul_(gamma.sqrt()[:, None, None])
        return w_q_b, w_kv_b

    # Kimi-K2's 64 heads (q LoRA 1536, KV LoRA 512); DeepSeek-V3's 128 heads
    for h in (64, 128):
        out.append(("qk_clip_mla_weights", qk_clip_mla, (mf(h), mf(h * 192, 1536), mf(h * 256, 512))))

    # ================================================================== mixture-of-experts training internals
    def megatron_router(x, w, topk=2, capacity_factor=1.0):  # Megatron-core's TopKRouter in fp32 (moe_router_dtype
        logits = F.linear(x.to(torch.float32), w.to(torch.float32))  # fp32): gating, topk_softmax_with_capacity
        num_tokens, num_experts = logits.shape  # (top-k then softmax), the capacity per expert, the token-level
        scores, top_indices = torch.topk(logits, k=topk, dim=1)  # drop by the "probs" policy: each expert keeps its
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).type_as(logits)  # capacity highest gates over the
        capacity = math.ceil(num_tokens * topk / num_experts * capacity_factor)  # tokens (topk over dim 0), the kept
        topk_masked_gates = torch.zeros_like(logits).scatter(1, top_indices, probs)  # map and probabilities
        topk_map = torch.zeros_like(logits).int().scatter(1, top_indices, 1).bool()
        tokens_per_expert = topk_map.sum(dim=0)
        capacity_probs, capacity_indices = torch.topk(topk_masked_gates, k=capacity, dim=0, sorted=False)
        capacity_mask = torch.zeros_like(logits).scatter(0, capacity_indices, 1).bool()
        final_map = torch.logical_and(topk_map, capacity_mask)
        final_probs = topk_masked_gates * final_map
        return final_probs, final_map, tokens_per_expert

    # Mixtral-8x7B (8 experts, top-2) at 2 x 4096 tokens; Qwen3-30B-A3B (128, top-8, factor 1.25) at 16384
    for t, hid, e, k, cf in ((8192, 4096, 8, 2, 1.0), (16384, 2048, 128, 8, 1.25)):
        out.append(("megatron_router_capacity_drop", P(megatron_router, topk=k, capacity_factor=cf),
                    (m(t, hid), mf(e, hid))))

    def megatron_aux_losses(logits, batch=2, topk=2, aux_coeff=1e-2, z_coeff=1e-3):  # Megatron-core's router losses:
        num_tokens, num_experts = logits.shape  # the z-loss (squared logsumexp), the softmax over all experts for the
        z_loss = torch.mean(torch.square(torch.logsumexp(logits, dim=-1))) * z_coeff  # aux loss, the top-k routing
        scores = torch.softmax(logits, dim=-1, dtype=torch.float32)  # map by scatter, the switch load-balancing loss
        top_indices = torch.topk(scores, k=topk, dim=1).indices  # and the sequence-level one (DeepSeek-V2's)
        routing_map = torch.zeros_like(logits).int().scatter(1, top_indices, 1).bool()
        tokens_per_expert = routing_map.sum(dim=0)
        aggregated = scores.sum(dim=0)
        aux = torch.sum(aggregated * tokens_per_expert) * (num_experts * aux_coeff / (topk * num_tokens * num_tokens))
        seq = num_tokens // batch
        p = scores.view(seq, batch, -1)
        cost = routing_map.view(seq, batch, -1).sum(dim=0, dtype=torch.float).div_(seq * topk / num_experts)
        seq_aux = (cost * p.mean(dim=0)).sum(dim=1).mean() * aux_coeff
        return z_loss, aux, seq_aux

    for t, e, k, b in ((8192, 8, 2, 2), (16384, 128, 8, 4), (8192, 64, 6, 2)):
        out.append(("megatron_router_aux_losses", P(megatron_aux_losses, batch=b, topk=k), (mf(t, e),)))

    def moe_permute(tokens, indices):  # Megatron-core's permute (argsort form): the flattened expert choices
        topk = indices.size(1)  # stably argsorted, each copy of a token gathered by index_select of sorted // topk
        sorted_indices = torch.argsort(indices.view(-1), stable=True)
        return tokens.index_select(0, sorted_indices // topk), sorted_indices

    def moe_unpermute(permuted, sorted_indices, probs):  # its unpermute: the expert outputs put back by index_copy_,
        topk = probs.size(1)  # viewed [tokens, topk, hidden], weighted by the router probabilities and summed
        un = torch.zeros_like(permuted)
        un.index_copy_(0, sorted_indices, permuted)
        un = un.reshape(-1, topk, permuted.size(-1))
        un = un * probs.unsqueeze(-1)
        return un.sum(dim=1)

    # Qwen2-57B-A14B (top-8, 3584 wide) at 4096 tokens; DBRX (top-4, 6144) at 8192; Mixtral-8x22B (top-2, 6144) at
    # 4096
    for t, hid, k in ((4096, 3584, 8), (8192, 6144, 4), (4096, 6144, 2)):
        out.append(("megatron_moe_permute", moe_permute, (m(t, hid), i(t, k))))
        out.append(("megatron_moe_unpermute", moe_unpermute, (m(t * k, hid), i(t * k), mf(t, k))))

    def a2a_preprocess(indices, routing_map, global_counts, num_experts=64, ep=8, rank=0):  # Megatron-core's
        counts = torch.histc(indices.float(), bins=num_experts, min=0, max=num_experts)  # MoEAlltoAllTokenDispatcher
        local = num_experts // ep  # .preprocess: tokens per expert (a histogram, or the routing map's column sums),
        input_splits = counts.reshape(ep, local).sum(axis=1)  # the splits to each EP rank; from the all-gathered
        per_expert = routing_map.sum(dim=0)  # counts [ep, experts] this rank's local experts' columns summed both ways
        mine = global_counts[:, rank * local:(rank + 1) * local]
        return input_splits, per_expert, mine.sum(axis=-1), mine.sum(axis=0)

    for t, e, k, ep in ((8192, 64, 8, 8), (4096, 256, 8, 64), (16384, 128, 8, 16)):
        out.append(("megatron_alltoall_preprocess", P(a2a_preprocess, num_experts=e, ep=ep, rank=ep // 2),
                    (i(t, k), mb(t, e), i(ep, e))))

    def sequential_mlp(permuted, *weights, counts=()):  # Megatron-core's SequentialMLP: the permuted tokens split by
        outs = []  # the local experts' counts, each expert's fused fc1 (gate and up), SwiGLU by chunk, fc2, cat
        xs = torch.split(permuted, list(counts))
        for x, (w1, w2) in zip(xs, zip(weights[::2], weights[1::2], strict=True), strict=True):
            h = F.linear(x, w1)
            a, b_ = torch.chunk(h, 2, dim=-1)
            outs.append(F.linear(F.silu(a) * b_, w2))
        return torch.cat(outs, dim=0)

    # DeepSeek-V3 at EP 64 (4 local experts, 2048 wide, 7168 hidden); DeepSeek-V2-Lite at EP 16 (4 local, 1408 wide,
    # 2048 hidden)
    for counts, hid, ffn in (((1411, 987, 2303, 64), 7168, 2048), ((733, 1290, 402, 919), 2048, 1408)):
        ws = [w for _ in counts for w in (m(2 * ffn, hid), m(hid, ffn))]
        out.append(("megatron_sequential_mlp_experts", P(sequential_mlp, counts=counts), (m(sum(counts), hid), *ws)))

    def megablocks_bins(top_expert, num_experts=64, blocking=128):  # MegaBlocks' indices_and_padded_bins in torch:
        top_expert = top_expert.int()  # the expert ids sorted (ops.sort), counted (a histogram), the counts rounded
        bin_ids, indices = torch.sort(top_expert.view(-1))  # up to the block size, padded and plain bins by
        tokens_per_expert = torch.histc(top_expert.float(), bins=num_experts, min=0, max=num_experts - 1)  # cumsum
        tpe = tokens_per_expert.int()
        padded = torch.div(tpe + blocking - 1, blocking, rounding_mode="floor") * blocking
        padded_bins = torch.cumsum(padded, 0)
        bins = torch.cumsum(tpe, 0)
        return indices, bin_ids, bins, padded_bins, tpe

    # dMoE: OLMoE-style 64 experts top-8 over 8192 tokens; DBRX's 16 experts top-4 over 8192; Mixtral's 8, top-2, 16384
    for t, e, k in ((8192, 64, 8), (8192, 16, 4), (16384, 8, 2)):
        out.append(("megablocks_padded_bins", P(megablocks_bins, num_experts=e), (i(t, k),)))

    def hash_layer(input_ids, x, hash_table, num_experts=64):  # Hash Layers (Roller et al.): each token's expert a
        expert = hash_table[input_ids.view(-1)]  # fixed random function of its id (a table lookup), the tokens
        order = torch.argsort(expert, stable=True)  # grouped by expert (stable argsort, index_select), the counts
        xs = x.view(-1, x.shape[-1]).index_select(0, order)
        counts = torch.zeros(num_experts, dtype=torch.long, device=x.device).scatter_add_(0, expert,
                                                                                          torch.ones_like(expert))
        return xs, order, counts

    # a 1024-wide model with GPT-2's 50257-token vocabulary, 64 experts, at 8 x 2048 and 16 x 1024
    for b, s in ((8, 2048), (16, 1024)):
        out.append(("hash_layer_dispatch", hash_layer, (i(b, s), m(b, s, 1024), i(50257))))

    def moepp(x, prev_logits, w_gate, w_res, w_const, const_v, ffn_experts=16, topk=2):  # MoE++ (Jin et al.):
        logits = F.linear(x, w_gate) + F.linear(prev_logits, w_res)  # gating residuals (the previous layer's logits
        probs = logits.softmax(-1, dtype=torch.float32)  # through W_g), top-2 over 16 FFN and 4 zero-computation
        topv, topi = probs.topk(topk, -1)  # experts: zero (output 0), copy (x) and two constant experts, each a
        w = torch.zeros_like(probs).scatter(1, topi, topv).to(x.dtype)  # softmax mix of x and a learned vector
        e = ffn_experts
        y = w[:, e + 1:e + 2] * x
        for j in range(2):
            a = F.softmax(F.linear(x, w_const[j]), dim=-1)
            y = y + w[:, e + 2 + j:e + 3 + j] * (a[:, :1] * x + a[:, 1:] * const_v[j])
        return y, logits, w[:, :e]

    for t, hid in ((16384, 2048),):
        out.append(("moepp_zero_computation_experts", moepp,
                    (m(t, hid), m(t, 20), m(20, hid), m(20, 20), m(2, 2, hid), m(2, hid))))

    def remoe(x, w_router, l1_coeff=1e-2):  # ReMoE (Wang et al.): a ReLU router (no top-k), its L1 regulariser on
        gates = F.relu(F.linear(x, w_router).float())  # the gates, the measured sparsity that adapts the
        routing_map = gates > 0  # coefficient, the routing map's counts
        l1 = gates.sum(dim=-1).mean() * l1_coeff
        sparsity = 1 - routing_map.float().mean()
        return gates, routing_map.sum(dim=0), l1, sparsity

    for t, hid, e in ((16384, 2048, 64), (8192, 4096, 8), (32768, 1024, 128)):
        out.append(("remoe_relu_router", remoe, (m(t, hid), m(e, hid))))

    def moh(x, o, w_shared, w_routed, w_mix, shared=16, topk=8):  # MoH (Jin et al., MoH-LLaMA3-8B): attention heads
        b, s, h, d = o.shape  # as experts: shared heads always on with softmax weights, routed heads top-k with
        mix = F.softmax(F.linear(x, w_mix).float(), dim=-1)  # theirs, a two-way softmax balancing the two sets;
        ws = F.softmax(F.linear(x, w_shared).float(), dim=-1) * shared * mix[..., :1]  # each head's output scaled
        pr = F.softmax(F.linear(x, w_routed).float(), dim=-1)  # before o_proj
        topv, topi = pr.topk(topk, dim=-1)
        wr = torch.zeros_like(pr).scatter(-1, topi, topv) * (h - shared) * mix[..., 1:]
        head_w = torch.cat([ws, wr], dim=-1).to(o.dtype)
        return (o * head_w[..., None]).reshape(b, s, h * d)

    for b, s, hid, h in ((2, 4096, 4096, 32), (8, 2048, 2048, 32)):
        out.append(("moh_head_routing", moh,
                    (m(b, s, hid), m(b, s, h, hid // h), m(h // 2, hid), m(h // 2, hid), m(2, hid))))

    # ================================================================== attention masks built in training code
    def nanogpt_blockmasks(input_seq, window_blocks, block=128, eot=50256):  # modded-nanogpt's create_blockmasks:
        docs = (input_seq == eot).cumsum(0)  # document ids by cumsum over the EOT tokens, block-level causal and
        nb = len(input_seq) // block  # document masks (any / all) from each block's first and last document,
        block_idx = torch.arange(nb, dtype=torch.int32, device=input_seq.device)  # dense_to_ordered (a sum and a
        causal_any = block_idx[:, None] >= block_idx  # stable argsort, flipped) for the partial and full blocks,
        causal_all = block_idx[:, None] > block_idx  # clamped to the sliding window's block count
        docs_low = docs.view(-1, block)[:, 0].contiguous()
        docs_high = docs.view(-1, block)[:, -1].contiguous()
        doc_any = (docs_low[:, None] <= docs_high) & (docs_high[:, None] >= docs_low)
        doc_all = (docs_low[:, None] == docs_high) & (docs_high[:, None] == docs_low)
        bm_any = causal_any & doc_any
        bm_all = causal_all & doc_all

        def dense_to_ordered(dense):
            num = dense.sum(dim=-1, dtype=torch.int32)
            idx = dense.argsort(dim=-1, descending=False, stable=True).flip(-1).to(torch.int32)
            return num[None, None].contiguous(), idx[None, None].contiguous()

        pn, pi = dense_to_ordered(bm_any & ~bm_all)
        fn_, fi = dense_to_ordered(bm_all)
        pn = torch.clamp_max(pn, torch.clamp_min(window_blocks - fn_, 1))
        fn_ = torch.clamp_max(fn_, window_blocks - 1)
        return pn, pi, fn_, fi

    # the speedrun's 48K- and 64K-token training sequences (int32 tokens), the window a 0-dim int32 tensor
    for s in (49152, 65536):
        out.append(("nanogpt_doc_blockmask", nanogpt_blockmasks, (mi32(s), m0(torch.int32))))

    def flex_block_mask(doc_ids, block=128):  # FlexAttention's create_block_mask(_compile=False) for a packed
        b, s = doc_ids.shape  # document-causal mask_mod: the dense mask materialised, _convert_mask_to_block_mask
        q = torch.arange(s, device=doc_ids.device)  # (blocks viewed out, summed, full and partial blocks as int8),
        mask = (doc_ids[:, None, :, None] == doc_ids[:, None, None, :]) & (q[:, None] >= q[None, :])  # then
        mask = mask.view(b, 1, s // block, block, s // block, block).permute(0, 1, 2, 4, 3, 5)  # _dense_to_ordered
        mask_block_sum = mask.sum(dim=[-2, -1])  # for both (int32 sum and a stable descending argsort)
        full = block * block
        full_blocks = (mask_block_sum == full).to(dtype=torch.int8)
        partial_blocks = ((mask_block_sum > 0) & (mask_block_sum < full)).to(dtype=torch.int8)

        def dense_to_ordered(dense):
            dense = dense.to(dtype=torch.int32)
            num = dense.sum(dim=-1)
            cols = torch.argsort(dense, dim=-1, descending=True, stable=True)
            return num.to(torch.int32), cols.to(torch.int32)

        return dense_to_ordered(partial_blocks), dense_to_ordered(full_blocks)

    for b, s in ((4, 4096), (1, 16384)):
        out.append(("flex_create_block_mask_eager", flex_block_mask, (i(b, s),)))

    def flex_transpose_ordered(num_blocks, col_indices):  # BlockMask.from_kv_blocks' _transpose_ordered: the kv
        rows, cols = col_indices.shape[-2:]  # block lists made dense again (_ordered_to_dense: indices past the
        dense = col_indices.new_zeros(rows, cols + 1, dtype=torch.int32)  # count sent to a spare column, one
        row_indices = torch.arange(rows, dtype=torch.int, device=col_indices.device).unsqueeze(-1)  # index_put),
        col_range = torch.arange(cols, dtype=torch.int, device=col_indices.device)  # transposed and ordered
        valid = torch.where(col_range < num_blocks.unsqueeze(-1), col_indices, cols)
        dense[row_indices, valid] = dense.new_ones(())
        dense = dense[:, :cols].contiguous().transpose(-2, -1)
        num = dense.sum(dim=-1)
        order = torch.argsort(dense, dim=-1, descending=True, stable=True)
        return num.to(torch.int32), order.to(torch.int32)

    for nb in (128, 1024):
        out.append(("flex_transpose_ordered", flex_transpose_ordered, (mi32(nb), mi32(nb, nb))))

    # ================================================================== RL post-training objectives
    def masked_mean(values, mask, axis=None):  # verl's masked_mean
        if axis is None:
            return (values * mask).sum() / (mask.sum() + 1e-8)
        return (values * mask).sum(axis) / (mask.sum(axis) + 1e-8)

    def agg_loss(loss_mat, loss_mask, mode):  # verl's agg_loss
        if mode == "token-mean":
            return masked_mean(loss_mat, loss_mask)
        seq = torch.sum(loss_mat * loss_mask, dim=-1)
        if mode == "seq-mean-token-sum":
            return torch.mean(seq)
        if mode == "seq-mean-token-mean":
            return torch.mean(seq / torch.sum(loss_mask, dim=-1))
        return torch.sum(seq) / loss_mat.shape[-1]  # seq-mean-token-sum-norm (Dr. GRPO)

    def verl_policy_loss(old_log_prob, log_prob, advantages, response_mask, clip_low=0.2, clip_high=0.28,
                         clip_c=3.0, mode="token-mean"):  # verl's compute_policy_loss (vanilla): the ratio from the
        negative_approx_kl = torch.clamp(log_prob - old_log_prob, min=-20.0, max=20.0)  # clamped log-ratio, the PPO
        ratio = torch.exp(negative_approx_kl)  # KL, clip-higher (DAPO's asymmetric range), the dual clip for negative
        ppo_kl = masked_mean(-negative_approx_kl, response_mask)  # advantages, the clip fractions, agg_loss; the
        pg_losses1 = -advantages * ratio  # response mask is the int64 attention mask's tail
        pg_losses2 = -advantages * torch.clamp(ratio, 1 - clip_low, 1 + clip_high)
        clip_pg_losses1 = torch.maximum(pg_losses1, pg_losses2)
        pg_clipfrac = masked_mean(torch.gt(pg_losses2, pg_losses1).float(), response_mask)
        pg_losses3 = -advantages * clip_c
        clip_pg_losses2 = torch.min(pg_losses3, clip_pg_losses1)
        pg_clipfrac_lower = masked_mean(torch.gt(clip_pg_losses1, pg_losses3) * (advantages < 0).float(), response_mask)
        pg_losses = torch.where(advantages < 0, clip_pg_losses2, clip_pg_losses1)
        return agg_loss(pg_losses, response_mask, mode), pg_clipfrac, ppo_kl, pg_clipfrac_lower

    # micro-batches of 16 x 1024 (token-mean) and DAPO's 4 x 20480 response tokens (Dr. GRPO's normalised sum)
    for b, t, mode in ((16, 1024, "token-mean"), (4, 20480, "seq-mean-token-sum-norm")):
        out.append(("verl_policy_loss_dual_clip", P(verl_policy_loss, mode=mode),
                    (mf(b, t), mf(b, t), mf(b, t), i(b, t))))

    def verl_kl(log_prob, ref_log_prob, token_level_scores, response_mask, beta=1e-3):  # verl's kl_penalty estimators
        k1 = log_prob - ref_log_prob  # (k1, abs, k2 as mse, k3 as low_var_kl: clamped ratio - log-ratio - 1) and
        ab = k1.abs()  # apply_kl_penalty: the masked KL subtracted from the token scores, its per-sequence then batch
        k2 = 0.5 * (log_prob - ref_log_prob).square()  # mean
        kl = torch.clamp(ref_log_prob - log_prob, min=-20, max=20)
        k3 = torch.clamp((torch.exp(kl) - kl - 1).contiguous(), min=-10, max=10)
        kld = k3 * response_mask
        rewards = token_level_scores - beta * kld
        current_kl = torch.mean(masked_mean(kld, response_mask, axis=-1), dim=0)
        return rewards, current_kl, k1, ab, k2

    for b, t in ((16, 2048), (64, 1024), (4, 16384)):
        out.append(("verl_kl_penalty_estimators", verl_kl, (mf(b, t), mf(b, t), mf(b, t), i(b, t))))

    def grpo_outcome(token_level_rewards, response_mask, n=8, norm_std=True, eps=1e-6):  # verl's GRPO outcome
        scores = token_level_rewards.sum(dim=-1)  # advantage with each prompt's n rollouts adjacent: the group mean
        g = scores.view(-1, n)  # and std (Dr. GRPO: no std), the score broadcast over the response mask
        adv = g - g.mean(dim=-1, keepdim=True)
        if norm_std:
            adv = adv / (g.std(dim=-1, keepdim=True) + eps)
        return adv.view(-1).unsqueeze(-1) * response_mask

    for b, t, n, ns in ((512, 1024, 8, True), (256, 4096, 16, False), (1024, 2048, 8, True)):
        out.append(("verl_grpo_outcome_advantage", P(grpo_outcome, n=n, norm_std=ns), (mf(b, t), i(b, t))))

    def gspo(old_log_prob, log_prob, advantages, response_mask, clip_low=3e-4, clip_high=4e-4):  # verl's GSPO loss
        negative_approx_kl = log_prob - old_log_prob  # (Zheng et al.): the sequence-level importance ratio, the
        seq_lengths = torch.sum(response_mask, dim=-1).clamp(min=1)  # length-normalised log-ratio broadcast back
        nakl_seq = torch.sum(negative_approx_kl * response_mask, dim=-1) / seq_lengths  # to the tokens (GSPO-token's
        log_ratio = log_prob - log_prob.detach() + nakl_seq.detach().unsqueeze(-1)  # stop-gradient form), clamped,
        seq_ratio = torch.exp(torch.clamp(log_ratio, max=10.0))  # the tight clip, seq-mean-token-mean
        pg_losses1 = -advantages * seq_ratio
        pg_losses2 = -advantages * torch.clamp(seq_ratio, 1 - clip_low, 1 + clip_high)
        pg_losses = torch.maximum(pg_losses1, pg_losses2)
        clipfrac = masked_mean(torch.gt(pg_losses2, pg_losses1).float(), response_mask)
        return agg_loss(pg_losses, response_mask, "seq-mean-token-mean"), clipfrac

    for b, t in ((16, 4096), (8, 16384)):
        out.append(("gspo_sequence_ratio_loss", gspo, (mf(b, t), mf(b, t), mf(b, t), mf(b, t))))

    def value_loss(hidden, w_v, returns, values, response_mask, cliprange_value=0.5):  # verl's critic: the value
        vpreds = F.linear(hidden, w_v).squeeze(-1)  # head over the hidden states, the response's slice (shifted by
        r = returns.shape[-1]  # one), compute_value_loss with clipped predictions (clip_by_value), the larger
        vpreds = vpreds[:, -r - 1:-1].float()  # squared error, token-mean, the clip fraction
        vpredclipped = torch.max(torch.min(vpreds, values + cliprange_value), values - cliprange_value)
        vf_losses1 = (vpreds - returns) ** 2
        vf_losses2 = (vpredclipped - returns) ** 2
        clipped = torch.max(vf_losses1, vf_losses2)
        return 0.5 * agg_loss(clipped, response_mask, "token-mean"), masked_mean(
            torch.gt(vf_losses2, vf_losses1).float(), response_mask)

    # a Qwen2.5-7B critic (3584 wide) over 8 x (1024 + 3072) tokens; a Llama-3-8B critic over 4 x (512 + 7680)
    for b, pr, r, hid in ((8, 1024, 3072, 3584), (4, 512, 7680, 4096)):
        out.append(("verl_value_loss_clipped", value_loss,
                    (m(b, pr + r, hid), m(1, hid), mf(b, r), mf(b, r), i(b, r))))

    def prime_prm(log_prob, ref_log_prob, response_mask, acc, beta=0.05):  # PRIME's implicit process reward: token
        q = log_prob - ref_log_prob  # rewards beta * (log pi - log pi_ref), the outcome cross-entropy of their
        token_scores = q * response_mask * beta  # sigmoid-ed sum against the verifier's accuracy, returns by a
        cur = ((q * response_mask).sum(dim=1) * beta).sigmoid()  # reversed cumsum
        loss = F.binary_cross_entropy(cur, acc)
        returns = token_scores.flip(dims=[-1]).cumsum(dim=-1).flip(dims=[-1])
        return loss, returns

    for b, t in ((64, 2048), (256, 1024)):
        out.append(("prime_implicit_prm", prime_prm, (mf(b, t), mf(b, t), mf(b, t), mf(b))))

    def orpo(logits, labels, beta=0.1, pad=-100):  # TRL's ORPOTrainer: the chosen half's NLL by cross_entropy, each
        n = logits.shape[0] // 2  # sequence's average log-prob (labels shifted, the pad masked and zeroed,
        lab = labels[:, 1:].clone()  # selective_log_softmax: a logsumexp per row then the gathered logits),
        lg = logits[:, :-1, :]  # the odds-ratio term by log1p(-exp(.)) and logsigmoid
        nll = F.cross_entropy(lg[:n].reshape(-1, lg.shape[-1]), lab[:n].reshape(-1), ignore_index=pad)
        loss_mask = lab != pad
        lab = torch.where(lab == pad, 0, lab)
        lse = torch.stack([torch.logsumexp(row, dim=-1) for row in lg])
        sel = torch.gather(lg, dim=-1, index=lab.unsqueeze(-1)).squeeze(-1)
        logps = ((sel - lse) * loss_mask).sum(-1) / loss_mask.sum(-1)
        c, r = logps[:n], logps[n:]
        log_odds = (c - r) - (torch.log1p(-torch.exp(c)) - torch.log1p(-torch.exp(r)))
        return nll - (beta * F.logsigmoid(log_odds)).mean()

    # Llama-3-8B (128256 tokens) at 2 pairs of 1024
    for b, t, v in ((4, 1024, 128256),):
        out.append(("orpo_odds_ratio_loss", orpo, (m(b, t, v), i(b, t))))

    def rm_bt(hidden, w_score, input_ids, margin, pad_token_id=128004):  # a reward model's Bradley-Terry loss:
        logits = F.linear(hidden, w_score)  # transformers' sequence-classification head pooled at the last
        b = input_ids.shape[0]  # non-pad token (an int32 arange times the non-pad mask, argmax), chosen and
        non_pad = (input_ids != pad_token_id).to(logits.device, torch.int32)  # rejected halves, the margin
        token_indices = torch.arange(input_ids.shape[-1], device=logits.device, dtype=torch.int32)
        last = (token_indices * non_pad).argmax(-1)
        pooled = logits[torch.arange(b, device=logits.device), last].squeeze(-1)
        rc, rr = pooled[: b // 2], pooled[b // 2:]
        return -F.logsigmoid(rc - rr - margin).mean()

    # Llama-3-8B RM at 8 pairs of 2048; Skywork-Reward-Gemma-2-27B (4608 wide) at 4 pairs of 4096
    for b, t, hid in ((16, 2048, 4096), (8, 4096, 4608)):
        out.append(("reward_model_last_token_bt", rm_bt, (m(b, t, hid), m(1, hid), i(b, t), mf(b // 2))))

    # ================================================================== new sequence mixers in plain torch
    def hgrn2_step(x, state, w_q, w_f, w_i, w_o, lower_bound, expand=128):  # HGRN2 (fla) at decode: q, the
        q = F.silu(F.linear(x, w_q))  # forget gate with its layer's lower bound, k = 1 - g, the expanded state's
        g = lower_bound + (1 - lower_bound) * F.linear(x, w_f).sigmoid()  # gated outer-product update, the read-out
        k, g = 1 - g, g.log()  # and the output projection
        v = F.linear(x, w_i)
        b = x.shape[0]
        q, k, g = (t.view(b, -1, expand).float() for t in (q, k, g))
        v = v.view(b, q.shape[1], -1).float()
        state = state * g.exp()[..., None] + k[..., None] * v[..., None, :]
        o = (q[..., None] * state).sum(-2)
        return F.linear(o.reshape(b, -1).to(x.dtype), w_o), state

    # HGRN2-2.7B (2560 wide: 20 heads of 128) at 64 sequences
    for b, hid in ((64, 2560),):
        h = hid // 128
        out.append(("hgrn2_recurrent_step", hgrn2_step,
                    (m(b, hid), mf(b, h, 128, 128), m(hid, hid), m(hid, hid), m(hid, hid), m(hid, hid), mf(hid))))

    def gsa_step(q, k, v, f, hk, hv, scale=None):  # Gated Slot Attention (fla's naive recurrent form) at decode: the
        g = F.logsigmoid(f)  # slots' forget gates, keys and values written into the bounded slot memories, the
        s = 1 - g.exp()  # query's softmax over the slots, the read-out
        scale = scale or q.shape[-1] ** -0.5
        hk = hk * g.exp()[..., None] + s[..., None] * k[..., None, :]
        ok = (q[..., None, :] * hk).sum(-1) * scale
        qv = ok.softmax(-1)
        hv = hv * g.exp()[..., None] + s[..., None] * v[..., None, :]
        return (qv[..., None] * hv).sum(-2), hk, hv

    # GSA-1.3B (4 heads of 512, 64 slots) at 32 sequences; GSA-2.7B (8 heads of 320) at 64
    for b, h, d, slots in ((32, 4, 512, 64), (64, 8, 320, 64)):
        out.append(("gated_slot_attention_step", gsa_step,
                    (mf(b, h, d), mf(b, h, d), mf(b, h, d), mf(b, h, slots), mf(b, h, slots, d), mf(b, h, slots, d))))

    def deltaproduct_step(q, k, v, beta, g, S):  # Gated DeltaProduct (Siems et al.) at decode: n_h delta-rule
        S = S * g.exp()[..., None, None]  # (Householder) steps a token, each with its own L2-normalised key, value
        for j in range(k.shape[2]):  # and beta, the read-out after the last
            kj = F.normalize(k[:, :, j], p=2, dim=-1)
            kv_mem = torch.einsum("bhk,bhkv->bhv", kj, S)
            S = S + torch.einsum("bhk,bhv->bhkv", kj, beta[:, :, j, None] * (v[:, :, j] - kv_mem))
        return torch.einsum("bhk,bhkv->bhv", q, S), S

    # 16 heads of 128 with 2 and 3 Householder steps a token, at 32 and 128 sequences
    for b, nh in ((32, 2), (128, 3)):
        out.append(("gated_deltaproduct_step", deltaproduct_step,
                    (mf(b, 16, 128), mf(b, 16, nh, 128), mf(b, 16, nh, 128), mf(b, 16, nh), mf(b, 16),
                     mf(b, 16, 128, 128))))

    def longhorn_step(x, k, q, beta_logit, S):  # Longhorn (Liu et al.) at decode: the state update of online
        beta = torch.sigmoid(beta_logit)  # associative recall, eps = beta / (1 + beta |k|^2), forgetting along k^2
        k2 = k * k  # and writing x k^T, the read-out by q
        eps = beta / (1 + beta * k2.sum(-1, keepdim=True))
        S = S * (1 - eps[..., None] * k2[:, None, :]) + (eps * x)[..., None] * k[:, None, :]
        return (S * q[:, None, :]).sum(-1), S

    # Longhorn-1.3B (inner width 4096, state 16) at 64 and 256 sequences
    for b in (64, 256):
        out.append(("longhorn_recurrent_step", longhorn_step,
                    (mf(b, 4096), mf(b, 16), mf(b, 16), mf(b, 4096), mf(b, 4096, 16))))

    def lolcats(q, k, v, w_fm_q, w_fm_k, window=64, window_factor=0.5):  # LoLCATs' linearised attention in training
        n_rep = q.shape[1] // k.shape[1]  # (the quadratic form): Hedgehog feature maps (einsum, softmax of x and -x,
        k, v = repeat_kv(k, n_rep), repeat_kv(v, n_rep)  # clamped), the sliding window's softmax scores and the
        lq, lk = q.shape[-2], k.shape[-2]  # linear part's beyond it, both normalised together in fp32

        def fmap(x, w):
            x = torch.einsum("hdf,bhld->bhlf", w, x)
            return torch.cat([F.softmax(x, dim=-1), F.softmax(-x, dim=-1)], dim=-1).clamp(min=1e-12)

        f_q, f_k = fmap(q, w_fm_q), fmap(k, w_fm_k)
        causal = torch.ones(lq, lk, device=q.device, dtype=torch.bool).tril(lk - lq)
        mask_window = causal & ~torch.ones(lq, lk, device=q.device, dtype=torch.bool).tril(lk - lq - window)
        mask_linear = causal & ~mask_window
        a_sm = torch.einsum("bhmd,bhnd->bhmn", q.float(), k.float()) * (k.shape[-1] ** -0.5)
        a_sm = a_sm.masked_fill(~mask_window[None, None], -torch.finfo(a_sm.dtype).max)
        a_sm_max = torch.amax(a_sm, dim=-1, keepdim=True)
        a_sm = window_factor * torch.exp(a_sm - a_sm_max)
        sum_sm = a_sm.sum(dim=-1, keepdim=True)
        a_ln = torch.einsum("bhmd,bhnd->bhmn", f_q.float(), f_k.float())
        a_ln = (1 - window_factor) * a_ln.masked_fill(~mask_linear[None, None], 0)
        sum_ln = a_ln.sum(dim=-1, keepdim=True)
        a = ((a_sm + a_ln) / (sum_sm + sum_ln)).to(q.dtype)
        return torch.einsum("bhmn,bhnd->bhmd", a, v)

    # Llama-3-8B (32 / 8 heads) and Llama-3-70B (64 / 8) over 1024-token chunks
    for b, h, hk in ((1, 32, 8), (1, 64, 8)):
        out.append(("lolcats_hedgehog_window_attention", lolcats,
                    (m(b, h, 1024, 128), m(b, hk, 1024, 128), m(b, hk, 1024, 128), m(h, 128, 64), m(h, 128, 64))))

    def cema(x, alpha, delta, theta, gamma, omega):  # Megalodon's complex EMA (CEMA) over a chunk: per channel and
        d, n = alpha.shape[:2]  # EMA dimension a decay q = (1 - alpha delta) e^{i theta j}, the Vandermonde kernel
        length = x.shape[-1]  # exp(l log q) scaled by alpha, reduced over the dimensions by gamma (einsum, real part),
        p = torch.sigmoid(alpha.float())  # the convolution by rfft / irfft over 2L, the residual scaled by omega
        dl = torch.sigmoid(delta.float())
        wav = torch.arange(1, n + 1, device=x.device, dtype=torch.float32).view(1, n, 1)
        phase = torch.sigmoid(theta.float()) * (2 * math.pi / n) * wav
        log_q = torch.log1p(-p * dl) + 1j * phase
        vander = torch.arange(length, device=x.device, dtype=torch.float32) * log_q
        kernel = p * torch.exp(vander)
        k = torch.einsum("dnl,dn->dl", kernel, gamma).real
        fft_len = 2 * length
        k_f = torch.fft.rfft(k, n=fft_len)
        x_f = torch.fft.rfft(x.float(), n=fft_len)
        y = torch.fft.irfft(x_f * k_f, n=fft_len)[..., :length]
        return y.type_as(x) + x * omega[:, None]

    # Megalodon-7B (4096 channels, 16 EMA dimensions) over a 4096-token chunk at batch 2
    for b, length in ((2, 4096),):
        out.append(("megalodon_cema_fftconv", cema,
                    (m(b, 4096, length), mf(4096, 16, 1), mf(4096, 16, 1), mf(4096, 1, 1), mc(4096, 16), m(4096))))

    def timestep_norm(x, prev_count, prev_mean, prev_var, weight, bias, groups=32, eps=1e-5):  # Megalodon's
        b, length, d = x.shape  # TimestepNorm in torch: per group, the running mean and variance along time by
        xg = x.view(b, length, groups, d // groups).float()  # cumsums continued from the previous chunk's count,
        count = torch.arange(1, length + 1, device=x.device).view(1, -1, 1) + prev_count.view(-1, 1, 1)  # mean and
        s1 = torch.cumsum(xg.mean(-1), dim=1) + (prev_count.view(-1, 1, 1) * prev_mean.unsqueeze(1))  # variance;
        s2 = torch.cumsum(xg.square().mean(-1), dim=1) + (prev_count.view(-1, 1, 1) * (  # x normalised by them,
            prev_var + prev_mean.square()).unsqueeze(1))  # the (1 + weight) affine
        mean = s1 / count
        var = s2 / count - mean.square()
        y = (xg - mean[..., None]) * torch.rsqrt(var[..., None] + eps)
        return (y.view(b, length, d) * (weight + 1.0) + bias).to(x.dtype)

    for b, length in ((2, 4096),):
        out.append(("megalodon_timestep_norm", timestep_norm,
                    (m(b, length, 4096), i(b), mf(b, 32), mf(b, 32), mf(4096), mf(4096))))

    def lru(u, nu_log, theta_log, gamma_log, b_re, b_im, c_re, c_im, d_skip):  # the Linear Recurrent Unit (Orvieto
        lam = torch.exp(-torch.exp(nu_log) + 1j * torch.exp(theta_log))  # et al.) in torch: the complex diagonal,
        b_norm = (b_re + 1j * b_im) * torch.exp(gamma_log).unsqueeze(-1)  # the normalised input matrix, the scan
        c = c_re + 1j * c_im  # over the sequence in closed form by powers of Lambda and a cumsum, the real part
        length = u.shape[1]  # of the output projection plus the skip
        bu = torch.einsum("nh,blh->bln", b_norm, u.to(torch.complex64))
        lam_t = lam[None, :] ** torch.arange(1, length + 1, device=u.device)[:, None]
        h = lam_t * torch.cumsum(bu / lam_t, dim=1)
        y = torch.einsum("hn,bln->blh", c, h).real
        return y + d_skip * u

    for b, length, hdim, n in ((16, 4096, 768, 384),):
        out.append(("lru_complex_scan", lru,
                    (mf(b, length, hdim), mf(n), mf(n), mf(n), mf(n, hdim), mf(n, hdim), mf(hdim, n), mf(hdim, n),
                     mf(hdim))))

    def h3(u, w_qkv, k_shift, k_diag, d_shift, d_diag, w_out):  # H3 (Fu et al., safari): q, k, v projections; the
        length = u.shape[1]  # shift SSM on k and the diagonal SSM on k * v, both as FFT convolutions over 2L with
        q, k, v = F.linear(u, w_qkv).chunk(3, dim=-1)  # their D skips, the output gated by q, the projection
        q, k, v = (t.transpose(1, 2).float() for t in (q, k, v))
        n = 2 * length
        shift_k = torch.fft.irfft(torch.fft.rfft(k, n=n) * torch.fft.rfft(k_shift, n=n), n=n)[..., :length]
        shift_k = shift_k + k * d_shift[:, None]
        kv = shift_k * v
        y = torch.fft.irfft(torch.fft.rfft(kv, n=n) * torch.fft.rfft(k_diag, n=n), n=n)[..., :length]
        y = (y + kv * d_diag[:, None]) * q
        return F.linear(y.transpose(1, 2).to(u.dtype), w_out)

    # H3-2.7B (2560 wide) at 8 x 2048
    for b, hid in ((8, 2560),):
        out.append(("h3_shift_diag_ssm", h3,
                    (m(b, 2048, hid), m(3 * hid, hid), mf(hid, 2048), mf(hid, 2048), mf(hid), mf(hid), m(hid, hid))))

    def hyena_filter(z, t, w1, b1, w2, b2, w3, b3, w_out, freq, deltas, shift=0.0):  # Hyena's implicit long filter
        h = torch.sin(freq * F.linear(z, w1, b1))  # (safari's HyenaFilter): an MLP with Sin activations over the
        h = torch.sin(freq * F.linear(h, w2, b2))  # positional features, the output projection, the exponential
        h = torch.sin(freq * F.linear(h, w3, b3))  # modulation's decay over time
        h = F.linear(h, w_out)
        decay = torch.exp(-t * deltas.abs())
        return h * (decay + shift)

    # Hyena-153M (864 wide, 33 positional features) at 2048; HyenaDNA-large-1M (256 wide, 5 features) at 1 M bases
    for length, emb, width in ((2048, 33, 864), (1048576, 5, 256)):
        out.append(("hyena_implicit_filter", hyena_filter,
                    (mf(1, length, emb), mf(1, length, 1), mf(64, emb), mf(64), mf(64, 64), mf(64), mf(64, 64),
                     mf(64), mf(width, 64), mf(1, 64), mf(width))))

    # ================================================================== diffusion language models
    def mdlm_loss(x0, t_rand, logits, attention_mask, mask_index=50257, eps=1e-3):  # MDLM's training loss: the
        t = (1 - eps) * t_rand + eps  # log-linear schedule (sigma and dsigma), the absorbing forward process
        sigma = -torch.log1p(-(1 - eps) * t)  # (rand below the move chance -> the mask id), the SUBS
        dsigma = (1 - eps) / (1 - (1 - eps) * t)  # parameterisation (the mask logit sent to -1e6, log-softmax,
        move_chance = 1 - torch.exp(-sigma[:, None])  # unmasked positions pinned to their token), the weighted NLL
        xt = torch.where(torch.rand(*x0.shape, device=x0.device) < move_chance, mask_index, x0)
        logits[:, :, mask_index] += -1000000.0
        logits = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
        unmasked = xt != mask_index
        logits[unmasked] = -1000000.0
        logits.scatter_(-1, xt[..., None], (~unmasked[..., None]).to(logits.dtype) * -1000000.0)
        log_p = torch.gather(logits, dim=-1, index=x0[:, :, None]).squeeze(-1)
        loss = -log_p * (dsigma / torch.expm1(sigma))[:, None]
        return (loss * attention_mask).sum() / attention_mask.sum()

    # MDLM on OpenWebText (GPT-2's 50257 + mask, 1024 tokens) at 16 a GPU
    for b, length, v in ((16, 1024, 50258),):
        out.append(("mdlm_subs_loss", P(mdlm_loss, mask_index=v - 1),
                    (i(b, length), mf(b), m(b, length, v), mf(b, length))))

    def mdlm_ddpm_cache(x, log_p_x0, t, dt, mask_index=50257, eps=1e-3):  # MDLM's _ddpm_caching_update: the move
        def noise(tt):  # chances at t and s = t - dt, q(x_s | x_t, x_0) from the cached p(x_0), the mask's mass,
            return -torch.log1p(-(1 - eps) * tt)  # the Gumbel-normalised categorical draw, copy flags keeping the

        mct = (1 - torch.exp(-noise(t)))[:, None, None]  # unmasked tokens
        mcs = (1 - torch.exp(-noise(t - dt)))[:, None, None]
        p_x0 = log_p_x0.exp()
        q_xs = p_x0 * (mct - mcs)
        q_xs[:, :, mask_index] = mcs[:, :, 0]
        gumbel_norm = 1e-10 - (torch.rand_like(q_xs) + 1e-10).log()
        x_new = (q_xs / gumbel_norm).argmax(dim=-1)
        copy_flag = (x != mask_index).to(x.dtype)
        return copy_flag * x + (1 - copy_flag) * x_new

    # OpenWebText MDLM sampling 16 x 1024 in fp32 and (the float64 fix of the Gumbel draw) 8 x 1024 in float64
    for b, mk in ((16, mf), (8, md)):
        out.append(("mdlm_ddpm_cache_update", mdlm_ddpm_cache, (i(b, 1024), mk(b, 1024, 50258), mk(b), mk(b))))

    def sedd_loss(score, sigma, dsigma, x, x0):  # SEDD's absorbing-graph score entropy: the model's output with the
        absorb = score.shape[-1] - 1  # current token's entry zeroed by scatter and scaled by log(e^sigma - 1) and
        score = torch.scatter(score, -1, x[..., None], torch.zeros_like(score[..., :1]))  # log(V - 1); on the
        esigm1 = torch.where(sigma < 0.5, torch.expm1(sigma), sigma.exp() - 1)  # absorbed positions the positive
        score = score - esigm1.log().to(score.dtype)[:, None, None] - math.log(absorb)  # term (exp-sum of the
        rel = x == absorb  # scores), the negative one (the clean token's, by gather) and the constant, weighted
        ratio = 1 / esigm1[:, None].expand_as(x)  # by dsigma
        neg = ratio * torch.gather(score, -1, x0[..., None]).squeeze(-1)
        pos = score[..., :-1].exp().sum(dim=-1)
        const = ratio * (ratio.log() - 1)
        entropy = torch.where(rel, pos - neg + const, torch.zeros_like(pos))
        return (dsigma[:, None] * entropy).sum(dim=-1).mean()

    for b, length in ((16, 1024),):
        out.append(("sedd_score_entropy", sedd_loss, (mf(b, length, 50258), mf(b), mf(b), i(b, length),
                                                       i(b, length))))

    def sedd_analytic(x, log_score, curr_sigma, next_sigma):  # SEDD's analytic sampler step (absorbing graph): the
        dim = log_score.shape[-1]  # staggered score (scaled by e^dsigma, the extra mass into the absorbing
        dsigma = (curr_sigma - next_sigma)[:, None, None]  # column), the transposed transition through one_hot,
        score = log_score.exp()  # the product, the Gumbel-max draw
        extra = (1 - dsigma.exp()) * score.sum(dim=-1, keepdim=True)
        score = score * dsigma.exp()
        score[..., -1:] += extra
        edge = torch.exp(-dsigma) * F.one_hot(x, num_classes=dim)
        edge += torch.where(x == dim - 1, 1 - torch.exp(-dsigma).squeeze(-1), 0)[..., None]
        probs = score * edge
        gumbel_norm = 1e-10 - (torch.rand_like(probs) + 1e-10).log()
        return (probs / gumbel_norm).argmax(dim=-1)

    for b in (4,):
        out.append(("sedd_analytic_sampler_step", sedd_analytic, (i(b, 1024), mf(b, 1024, 50258), mf(b), mf(b))))

    # ================================================================== tokenizer-free byte models
    def charformer_gbst(ids, emb, conv_w, score_w, blocks=(1, 2, 3, 4), ds=4):  # Charformer's GBST (lucidrains'
        x = F.embedding(ids, emb)  # charformer-pytorch): byte embeddings, a depthwise causal conv over positions,
        b, n, d = x.shape  # each block size's mean-pooled representation repeated back to every byte, scores by a
        xc = F.conv1d(F.pad(x.transpose(1, 2), (max(blocks) - 1, 0)), conv_w, groups=d).transpose(1, 2)  # linear,
        reprs = []  # softmax over the block sizes, the score-consensus attention (a b x n x n softmax of the scores'
        for bs in blocks:  # products), the weighted sum, downsampled by a mean over 4 positions
            r = xc.reshape(b, n // bs, bs, d).mean(dim=-2)
            reprs.append(r[:, :, None, :].expand(b, n // bs, bs, d).reshape(b, n, d))
        reprs = torch.stack(reprs, dim=2)
        scores = F.linear(reprs, score_w).squeeze(-1).softmax(dim=2)
        attn = torch.einsum("bid,bjd->bij", scores, scores).softmax(dim=-1)
        scores = torch.einsum("bij,bjm->bim", attn, scores)
        y = (reprs * scores[..., None]).sum(dim=2)
        return y.reshape(b, n // ds, ds, d).mean(dim=-2)

    # Charformer-Base (768 wide) over 16 x 2040 bytes (a multiple of 12)
    for b, n, d in ((16, 2040, 768),):
        out.append(("charformer_gbst", charformer_gbst, (i(b, n), m(259, d), m(d, 1, 4), m(1, d))))

    def spacebyte(tokens, h_local, w_up, y_global, max_patches=1344):  # SpaceByte (Slagle): patch boundaries at the
        t = tokens  # first non-spacelike byte after a spacelike one (not a letter, digit or UTF-8 continuation),
        alnum = ((t >= 97) & (t <= 122)) | ((t >= 65) & (t <= 90)) | ((t >= 48) & (t <= 57))  # patch ids by cumsum,
        spacelike = ~(alnum | ((t >= 128) & (t < 192)))  # the boundaries' positions in order (a stable argsort of
        prev = F.pad(spacelike[:, :-1], (1, 0), value=True)  # the non-boundaries, the first max_patches kept), the
        boundary = prev & ~spacelike  # local stream gathered there and projected up into the global width, the
        patch_ids = boundary.long().cumsum(dim=1)  # global blocks' output added back at the boundaries
        pos = torch.argsort((~boundary).to(torch.int8), dim=1, stable=True)[:, :max_patches]
        dl = h_local.shape[-1]
        g = F.linear(h_local.gather(1, pos[..., None].expand(-1, -1, dl)), w_up)
        h = h_local.scatter_add(1, pos[..., None].expand(-1, -1, dl), y_global[..., :dl])
        return g, h, patch_ids

    # SpaceByte-793M (local 768, global 1536) over 8 x 8192 bytes
    for b, t, dl, dg in ((8, 8192, 768, 1536),):
        mp = t // 6
        out.append(("spacebyte_patch_boundaries", P(spacebyte, max_patches=mp),
                    (i(b, t), m(b, t, dl), m(dg, dl), m(b, mp, dg))))

    def hourglass(x, w_down, w_up, k=4):  # the Hourglass Transformer's shortening and upsampling (Nawrot et al.):
        b, n, d = x.shape  # the sequence shifted right by k - 1 for causality, k neighbours concatenated and
        xs = F.pad(x, (0, 0, k - 1, 0))[:, :n]  # linearly pooled, then (after the shortened layers) a linear up to
        short = F.linear(xs.reshape(b, n // k, k * d), w_down)  # k * d reshaped back, the residual added
        return F.linear(short, w_up).reshape(b, n, d) + x

    # a byte-level Hourglass (1024 wide, shortening 4) over 8 x 8192; enwik8's (512 wide, 3) over 16 x 3072
    for b, n, d, k in ((8, 8192, 1024, 4), (16, 3072, 512, 3)):
        out.append(("hourglass_shorten_upsample", P(hourglass, k=k), (m(b, n, d), m(d, k * d), m(k * d, d))))

    # ================================================================== speech front-ends and transducer training
    def kaldi_fbank(waveform, mel_banks, shift=160, size=400, padded=512, preemph=0.97, dither=0.0):  # FunASR's
        waveform = waveform * (1 << 15)  # WavFrontend on the device: the waveform scaled to int16 range, then
        m_ = 1 + (waveform.shape[0] - size) // shift  # torchaudio.compliance.kaldi.fbank: frames by as_strided
        strided = waveform.as_strided((m_, size), (shift * waveform.stride(0), waveform.stride(0)))  # (snip_edges),
        if dither != 0.0:  # dither, the DC offset removed, the raw log energy, pre-emphasis against a replicate-
            strided = strided + torch.randn(strided.shape, device=strided.device) * dither  # padded copy, the
        strided = strided - torch.mean(strided, dim=1).unsqueeze(1)  # Povey window (hann ** 0.85), zero padding
        log_energy = torch.max(strided.pow(2).sum(1), torch.tensor(1.1921e-07, device=strided.device)).log()
        offset = F.pad(strided.unsqueeze(0), (1, 0), mode="replicate").squeeze(0)  # to 512, the power spectrum by
        strided = strided - preemph * offset[:, :-1]  # rfft, 80 mel energies by mm (the banks padded by one
        window = torch.hann_window(size, periodic=False, device=strided.device).pow(0.85)  # column), floored and
        strided = strided * window.unsqueeze(0)  # logged
        strided = F.pad(strided.unsqueeze(0), (0, padded - size), mode="constant", value=0).squeeze(0)
        spectrum = torch.fft.rfft(strided).abs().pow(2.0)
        mel = torch.mm(spectrum, F.pad(mel_banks, (0, 1), mode="constant", value=0).T)
        return torch.max(mel, torch.tensor(1.1921e-07, device=mel.device)).log(), log_energy

    # 30 s at 16 kHz (Paraformer inference, no dither) and 15 s with the training dither
    for secs, dither in ((30, 0.0), (15, 1.0)):
        out.append(("kaldi_fbank_on_device", P(kaldi_fbank, dither=dither), (mf(secs * 16000), mf(80, 256))))

    def lfr_cmvn(inputs, cmvn, lfr_m=7, lfr_n=6):  # FunASR's apply_lfr and apply_cmvn: the first frame repeated as
        t = inputs.shape[0]  # left context (repeat, vstack), every 6th window of 7 frames viewed flat and stacked
        t_lfr = math.ceil(t / lfr_n)  # (one vstack of them all; the tail padded by its last frame through hstacks),
        left = inputs[0].repeat((lfr_m - 1) // 2, 1)  # the stored means added and inverse stds multiplied in place
        inputs = torch.vstack((left, inputs))
        t = t + (lfr_m - 1) // 2
        frames = []
        for j in range(t_lfr):
            if lfr_m <= t - j * lfr_n:
                frames.append(inputs[j * lfr_n:j * lfr_n + lfr_m].view(1, -1))
            else:
                frame = inputs[j * lfr_n:].view(-1)
                for _ in range(lfr_m - (t - j * lfr_n)):
                    frame = torch.hstack((frame, inputs[-1]))
                frames.append(frame.view(1, -1))
        x = torch.vstack(frames)
        dim = x.shape[1]
        x += cmvn[0:1, :dim]
        x *= cmvn[1:2, :dim]
        return x.type(torch.float32)

    # the 30 s utterance's 2998 frames; a 10 s one's 998
    for t in (2998, 998):
        out.append(("funasr_lfr_cmvn", lfr_cmvn, (mf(t, 80), mf(2, 560))))

    def swoosh_l(x):  # icefall's SwooshL in torch: log(1 + e^{x - 4}) - 0.08 x - 0.035, inf guarded
        x_offset = x - 4.0
        log_sum = (1.0 + x_offset.exp()).log().to(x.dtype)
        log_sum = torch.where(log_sum == float("inf"), x_offset, log_sum)
        return log_sum - 0.08 * x - 0.035

    def zipformer_ff(x, bias, log_scale, w1, b1, w2, b2):  # Zipformer's BiasNorm (x scaled by the inverse RMS of
        scales = (torch.mean((x - bias) ** 2, dim=-1, keepdim=True) ** -0.5) * log_scale.exp()  # x - bias and a
        y = x * scales  # learned log scale) and a feed-forward module (Linear, SwooshL, Linear)
        return F.linear(swoosh_l(F.linear(y, w1, b1)), w2, b2)

    # Zipformer-M's first stack (192 wide, 512 feed-forward) over 750 frames x 64 utterances; its 512-wide middle
    # stack (1536) over 94 x 64 (T, N, C layout)
    for t, n, c, ff in ((750, 64, 192, 512), (94, 64, 512, 1536)):
        out.append(("zipformer_biasnorm_swoosh_ff", zipformer_ff,
                    (mh(t, n, c), mh(c), mh(1), mh(ff, c), mh(ff), mh(c, ff), mh(c))))

    def zipformer_downsample(src, bias, src_orig, bypass_scale, ds=2):  # Zipformer's SimpleDownsample (the last
        seq_len, b, c = src.shape  # frame repeated to pad, frames grouped by ds and weighted by a softmax of the
        d_seq_len = (seq_len + ds - 1) // ds  # learned bias), SimpleUpsample (expand and reshape), BypassModule
        pad = d_seq_len * ds - seq_len  # (src_orig + (src - src_orig) * scale)
        if pad > 0:
            src = torch.cat((src, src[src.shape[0] - 1:].expand(pad, b, c)), dim=0)
        src = src.reshape(d_seq_len, ds, b, c)
        weights = bias.softmax(dim=0).unsqueeze(-1).unsqueeze(-1)
        down = (src * weights).sum(dim=1)
        up = down.unsqueeze(1).expand(d_seq_len, ds, b, c).reshape(d_seq_len * ds, b, c)[:seq_len]
        return down, src_orig + (up - src_orig) * bypass_scale

    for t, n, c, ds in ((751, 64, 256, 2), (375, 64, 384, 4)):
        out.append(("zipformer_downsample_bypass", P(zipformer_downsample, ds=ds),
                    (mh(t, n, c), mh(ds), mh(t, n, c), mh(c))))

    def zipformer_rel_attn(x, pos_emb, w_in, w_pos, key_padding_mask, heads=4, qd=32, pd=4):  # Zipformer's
        seq_len, b, _ = x.shape  # RelPositionMultiheadAttentionWeights: q, k, p from one projection, q k^T per
        x = F.linear(x, w_in)  # head, the relative-position projection's scores turned absolute by a gathered
        q = x[..., : heads * qd].reshape(seq_len, b, heads, qd).permute(2, 1, 0, 3)  # index (rows counting down
        k = x[..., heads * qd: 2 * heads * qd].reshape(seq_len, b, heads, qd).permute(2, 1, 3, 0)  # plus columns),
        p = x[..., 2 * heads * qd:].reshape(seq_len, b, heads, pd).permute(2, 1, 0, 3)  # the padding masked to
        scores = torch.matmul(q, k)  # -1000, softmax
        pe = F.linear(pos_emb, w_pos)
        seq_len2 = 2 * seq_len - 1
        pe = pe.reshape(-1, seq_len2, heads, pd).permute(2, 0, 3, 1)
        pos_scores = torch.matmul(p, pe)
        rows = torch.arange(start=seq_len - 1, end=-1, step=-1, device=x.device)
        cols = torch.arange(seq_len, device=x.device)
        rows = rows.repeat(b * heads).unsqueeze(-1)
        pos_scores = torch.gather(pos_scores.reshape(-1, seq_len2), dim=1, index=rows + cols)
        scores = scores + pos_scores.reshape(heads, b, seq_len, seq_len)
        scores = scores.masked_fill(key_padding_mask.unsqueeze(1), -1000)
        return scores.softmax(dim=-1)

    for t, n, c, h in ((188, 64, 384, 8),):
        out.append(("zipformer_rel_pos_attention_weights", P(zipformer_rel_attn, heads=h),
                    (mh(t, n, c), mh(1, 2 * t - 1, 48), mh(h * 68, c), mh(h * 4, 48), mb(n, t))))

    def zipformer_nonlin(x, attn_weights, w_in, w_out):  # Zipformer's NonlinAttention: the input projected into
        x = F.linear(x, w_in)  # s, x, y thirds, x gated by tanh(s), mixed over time by the attention weights
        seq_len, b, _ = x.shape  # computed by the attention module (per head, a matmul), multiplied by y, projected
        s, x, y = x.chunk(3, dim=2)
        x = x * torch.tanh(s)
        heads = attn_weights.shape[0]
        x = x.reshape(seq_len, b, heads, -1).permute(2, 1, 0, 3)
        x = torch.matmul(attn_weights, x)
        x = x.permute(2, 1, 0, 3).reshape(seq_len, b, -1)
        return F.linear(x * y, w_out)

    for t, n, c, h in ((750, 64, 192, 4), (188, 64, 384, 8)):
        hid = 3 * c // 4
        out.append(("zipformer_nonlin_attention", zipformer_nonlin,
                    (mh(t, n, c), mh(h, n, t, t), mh(3 * hid, c), mh(c, hid))))

    def k2_rnnt_logprobs(lm, am, symbols, termination_symbol=0):  # k2's get_rnnt_logprobs (rnnt_loss_simple, in
        b, t, c = am.shape  # torch): the normalisers as log of a product of the max-shifted exps of the lm and am
        s = lm.shape[1] - 1  # logits, the symbols' logits gathered from the expanded am and from the lm, px with
        am_max, _ = torch.max(am, dim=2, keepdim=True)  # its -inf column, py from the blank column
        lm_max, _ = torch.max(lm, dim=2, keepdim=True)
        am_probs = (am - am_max).exp()
        lm_probs = (lm - lm_max).exp()
        normalizers = (torch.matmul(lm_probs, am_probs.transpose(1, 2)) + torch.finfo(am_probs.dtype).tiny).log()
        normalizers = normalizers + lm_max + am_max.transpose(1, 2)
        px_am = torch.gather(am.unsqueeze(1).expand(b, s, t, c), dim=3,
                             index=symbols.reshape(b, s, 1, 1).expand(b, s, t, 1)).squeeze(-1)
        px_am = torch.cat((px_am, torch.full((b, s, 1), NEG, device=px_am.device, dtype=px_am.dtype)), dim=2)
        px_lm = torch.gather(lm[:, :s], dim=2, index=symbols.unsqueeze(-1))
        px = px_am + px_lm
        px[:, :, :t] -= normalizers[:, :s, :]
        py = am[:, :, termination_symbol].unsqueeze(1) + lm[:, :, termination_symbol].unsqueeze(2) - normalizers
        return px, py

    # icefall's pruned transducer on LibriSpeech (500 BPE tokens) at 64 utterances of 750 frames and 90 tokens
    for b, t, s in ((64, 750, 90),):
        out.append(("k2_rnnt_simple_logprobs", k2_rnnt_logprobs, (mf(b, s + 1, 500), mf(b, t, 500), i(b, s))))

    def k2_pruned_joiner(am, lm, ranges, w_out, b_out):  # k2's do_rnnt_pruning and icefall's joiner: the decoder
        b, t, s_range = ranges.shape  # projections gathered at each frame's s_range symbol positions, the encoder's
        c = lm.shape[-1]  # broadcast beside them, tanh of the sum, the output linear into the vocabulary
        lm_pruned = torch.gather(lm.unsqueeze(1).expand(b, t, lm.shape[1], c), dim=2,
                                 index=ranges.reshape(b, t, s_range, 1).expand(b, t, s_range, c))
        am_pruned = am.unsqueeze(2).expand(b, t, s_range, c)
        return F.linear(torch.tanh(am_pruned + lm_pruned), w_out, b_out)

    for b, t, s in ((64, 750, 90),):
        out.append(("k2_rnnt_pruned_joiner", k2_pruned_joiner,
                    (mh(b, t, 512), mh(b, s + 1, 512), i(b, t, 5), mh(500, 512), mh(500))))

    # ================================================================== data mixing, packed vision, dense connections
    def doremi(logits, labels, ref_loss, domain_ids, log_weights, num_domains=22, eta=1.0, smoothing=1e-3):
        b, s, v = logits.shape  # DoReMi's proxy step: per-token losses (cross_entropy, none), the excess over the
        loss = F.cross_entropy(logits.view(-1, v).float(), labels.view(-1), reduction="none").view(b, s)  # reference
        mask = labels.ne(-100)  # clipped at 0, per-sequence means, per-domain means by scatter_add_ over the domain
        excess = torch.clip(loss - ref_loss, min=0) * mask  # ids, the exponentiated-gradient update of the domain
        per_seq = excess.sum(-1) / mask.sum(-1).clamp(min=1)  # weights, renormalised by logsumexp and smoothed
        sums = torch.zeros(num_domains, device=logits.device).scatter_add_(0, domain_ids, per_seq)
        counts = torch.zeros(num_domains, device=logits.device).scatter_add_(0, domain_ids, torch.ones_like(per_seq))
        scores = sums / counts.clamp(min=1)
        log_new = log_weights + eta * scores
        log_new = log_new - torch.logsumexp(log_new, dim=0)
        return (1 - smoothing) * torch.exp(log_new) + smoothing / num_domains

    # a 280M proxy on The Pile (22 domains, GPT-NeoX's 50277-token vocabulary padded to 50304) at 16 x 1024
    out.append(("doremi_domain_reweight", doremi, (m(16, 1024, 50304), i(16, 1024), mf(16, 1024), i(16), mf(22))))

    def navit(patches, positions, image_ids, ln1_w, ln1_b, w_patch, b_patch, ln2_w, ln2_b, pos_h, pos_w, w_qkv,
              q_gamma, k_gamma, heads=16):  # NaViT (lucidrains' vit-pytorch navit): patches of many images packed
        x = F.layer_norm(patches, patches.shape[-1:], ln1_w, ln1_b)  # per sequence, the patch embedding (LayerNorm,
        x = F.layer_norm(F.linear(x, w_patch, b_patch), (w_patch.shape[0],), ln2_w, ln2_b)  # Linear, LayerNorm),
        x = x + pos_h[positions[..., 0]] + pos_w[positions[..., 1]]  # factorised 2-D position embeddings by
        b, n, d = x.shape  # lookups, the block-diagonal image mask from the image ids (padding id 0 excluded), q / k
        mask = (image_ids[:, None, :, None] == image_ids[:, None, None, :]) & (image_ids > 0)[:, None, None, :]
        q, k, v = F.linear(x, w_qkv).view(b, n, 3, heads, -1).permute(2, 0, 3, 1, 4)  # normalised with gammas,
        q = F.normalize(q, dim=-1) * q_gamma  # SDPA through the mask
        k = F.normalize(k, dim=-1) * k_gamma
        return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)

    # NaViT-L/16 (1024 wide, 16 heads) over 32 packed sequences of 1024 patches; NaViT-B/16 (768, 12) over 64 x 512
    for b, n, d, h in ((32, 1024, 1024, 16), (64, 512, 768, 12)):
        out.append(("navit_packed_attention", P(navit, heads=h),
                    (m(b, n, 768), i(b, n, 2), i(b, n), m(768), m(768), m(d, 768), m(d), m(d), m(d), m(64, d),
                     m(64, d), m(3 * d, d), m(h, 1, d // h), m(h, 1, d // h))))

    def denseformer_dwa(accs, alphas, i_=0, dilation=1):  # DenseFormer's depth-weighted average after block i: the
        return torch.tensordot(alphas, accs[: i_ + 2: dilation], dims=1)  # stacked outputs so far (every dilation-th)

    # a 48-block DenseFormer (768 wide) at 8 x 1024 after blocks 3 and 46; a 24-block one (1024) with dilation 4
    for n_blocks, d, i_, dil in ((48, 768, 3, 1), (48, 768, 46, 1), (24, 1024, 22, 4)):
        k = len(range(0, i_ + 2, dil))
        out.append(("denseformer_depth_weighted_average", P(denseformer_dwa, i_=i_, dilation=dil),
                    (m(n_blocks + 1, 8, 1024, d), m(k))))

    def mudd(x, hiddens, w1, w2, static_w):  # MUDDFormer's multiway dynamic dense connections after layer i: per
        b, t, _ = x.shape  # position, weights over all earlier layers' outputs for the q, k, v and residual streams
        n_layers = hiddens.shape[0]  # (Linear, GELU, Linear plus the static weights), each stream an einsum over
        dw = F.linear(F.gelu(F.linear(x, w1)), w2).view(b, t, 4, n_layers) + static_w  # the stacked hiddens
        return tuple(torch.einsum("lbtd,btl->btd", hiddens, dw[:, :, c]) for c in range(4))

    # MUDDPythia-2.8B (2560 wide) at 4 x 2048 after layers 7 and 31
    for n in (9, 33):
        out.append(("mudd_dynamic_dense", mudd,
                    (m(4, 2048, 2560), m(n, 4, 2048, 2560), m(4 * n, 2560), m(4 * n, 4 * n), m(4, n))))

    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK38, _check38()),))
