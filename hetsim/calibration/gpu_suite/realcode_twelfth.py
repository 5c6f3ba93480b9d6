"""The aten sweep's tenth blind real-code group: `realcode-check10`, everyday PyTorch inference and serving code.

Each case is one op or a short idiom as model and serving code writes it (projections with and without bias, attention
by matmul, einsum and SDPA with and without masks, norms, activations, softmax, MoE routing, sampling, speculative and
beam decoding, gathers and scatters, masks, rotary multiplies, casts, state-space steps, KV-cache writes, gathers and
eviction, LoRA, quantisation in plain torch, layout copies, padding), at the widths of models and the idioms no
earlier group uses: Qwen2.5-VL-7B (the vision tower's 2-D rotary table read at each patch and reordered by window, q
rotated in fp32 out of the fused qkv, windowed attention through a block-diagonal boolean mask built block by block,
the window order undone by argsort, the patch merger; the language model's M-RoPE sections taken in turn from the t /
h / w streams), Phi-3.5-MoE (sparsemixer's top-2 routing of 16 experts, an expert's rows gathered and index_added
back, a biased lm_head), Jamba-v0.1's Mamba decode step through transformers' torch path (the conv state rolled and
its depthwise kernel applied by a multiply and a sum, never a convolution) and Falcon-Mamba-7B's prefill (the conv
state kept by a negative pad, dB x u in fp32), Fuyu-8B / Persimmon (the conv-free patchify by unfold, the 2700-wide
patch projection, q's LayerNorm a head on a strided split, eager attention's mask added and softmax in fp32),
CogVideoX-5B (the 3-D rotary table from three expanded grids, rope on the video tokens written back into q, joint
attention over 226 text and 17550 video tokens), Medusa-2 on Vicuna-7B (stacked head logits, each head's top-10, the
tree's logits gathered by path, the greedy posterior by cumprod) and EAGLE on Llama-3-8B (embeddings and features
joined and fused, a draft step's top-10), Whisper-large-v3's beam search (cross-attention to 1500 frames, suppressed
tokens by isin and where, the top-10 of 5 beams' vocabularies, sequences gathered by take_along_dim), vLLM's top-k /
top-p through one sort and its exponential-race sample, SnapKV (votes pooled, the top prompt keys gathered by an
expanded index, the window joined), vLLM's reference paged attention for Yi-1.5-34B (slot writes, block-table gathers,
repeat_interleave, einsum scores in fp32) and mistral-inference's rotating buffer, PEFT LoRA and vLLM's multi-LoRA
torch ops (each token's adapter gathered, einsum shrink into an fp32 buffer and expand), quantisation in plain torch
(LLM.int8's dequantisation by row statistics, GPTQ's int4 unpack of int32 words by shifts, a 128x128 block-scaled fp8
weight dequantised), and SAM ViT-L's global attention (fp32 scores, decomposed relative positions by two einsums and a
5-D broadcast add, softmax), at inference batches and token counts. The group is never fitted: it is traced on the
meta device, timed on the GPU and only scored. The builder (hetsim.calibration.gpu_suite.aten_cases) takes it after
every other group and drops any case equal to one of theirs, so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK10 = "realcode-check10"


def _check10():
    import torch
    import torch.nn.functional as F

    bf, f16, f32, b8 = torch.bfloat16, torch.float16, torch.float32, torch.bool
    i8, i32, fp8 = torch.int8, torch.int32, torch.float8_e4m3fn
    sdpa = F.scaled_dot_product_attention

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers, rotate_half

    m, i = _meta_makers()

    linear = _layer_makers(1e-6)[0]


    def vision_rope(qkv, c, s):  # Qwen2.5-VL apply_rotary_pos_emb_vision on q unbound from the fused qkv, in fp32
        q = qkv.reshape(5184, 3, 16, -1).permute(1, 0, 2, 3).unbind(0)[0]
        q, c, s = q.float(), c.unsqueeze(-2).float(), s.unsqueeze(-2).float()
        return ((q * c) + (rotate_half(q) * s)).to(bf)

    def window_mask():  # Qwen2.5-VL's vision SDPA mask: True on 81 diagonal blocks of 64 patches (4x4 merged units)
        mask = torch.zeros([1, 5184, 5184], dtype=torch.bool)
        for w in range(81):
            mask[..., w * 64:(w + 1) * 64, w * 64:(w + 1) * 64] = True
        return mask

    def sparsemixer(scores):  # PhiMoE's sparsemixer at inference (jitter_eps 0.01): top-1, then top-1 of the rest
        # the source's scores.abs().clamp(min=threshold) as clamp_min: ATen runs both as its maximum kernel, and the
        # sweep's replay cannot rebuild clamp.Tensor's absent `max`
        thr, max_ind = scores.max(dim=-1, keepdim=True)
        factor = scores.abs().clamp_min(thr)
        thr = ((thr - scores) / factor) > (2 * 0.01)
        gates = torch.softmax(scores.masked_fill(thr, float("-inf")), dim=-1)
        mult = gates.gather(dim=-1, index=max_ind)
        masked_scores = torch.scatter(scores, -1, max_ind, float("-inf"))
        thr2, max_ind2 = masked_scores.max(dim=-1, keepdim=True)
        factor = scores.abs().clamp_min(thr2)
        thr2 = ((thr2 - scores) / factor) > (2 * 0.01)
        gates2 = torch.softmax(masked_scores.masked_fill(thr2, float("-inf")), dim=-1)
        mult2 = gates2.gather(dim=-1, index=max_ind2)
        return torch.concat((mult, mult2), dim=-1), torch.concat((max_ind, max_ind2), dim=-1)

    def conv_step(conv_state, proj, w, b):  # JambaMambaMixer.slow_forward at decode: the depthwise conv by hand
        x = proj.transpose(1, 2).chunk(2, dim=1)[0]
        conv_state = torch.roll(conv_state, shifts=-1, dims=-1)
        conv_state[:, :, -1] = x[:, :, 0]
        h = torch.sum(conv_state * w[:, 0, :], dim=-1)
        h += b
        return F.silu(h).unsqueeze(-1)

    def fuyu_patchify(image):  # FuyuImageProcessor.patchify_image: 30x30 patches, channels last in each
        patches = image.unfold(2, 30, 30).unfold(3, 30, 30).contiguous()
        patches = patches.view(1, 3, -1, 30, 30).permute(0, 2, 3, 4, 1)
        return patches.reshape(1, -1, 3 * 30 * 30)

    def rope_3d(ft, fh, fw):  # diffusers' CogVideoX 3-D rotary table: t, h and w frequencies on a 13x30x45 grid
        ft = ft[:, None, None, :].expand(-1, 30, 45, -1)
        fh = fh[None, :, None, :].expand(13, -1, 45, -1)
        fw = fw[None, None, :, :].expand(13, 30, -1, -1)
        return torch.cat([ft, fh, fw], dim=-1).view(13 * 30 * 45, -1)

    def video_rope(q, c, s):  # CogVideoX: query[:, :, 226:] = apply_rotary_emb(query[:, :, 226:], (cos, sin))
        x = q[:, :, 226:]
        x_real, x_imag = x.reshape(*x.shape[:-1], -1, 2).unbind(-1)
        x_rotated = torch.stack([-x_imag, x_real], dim=-1).flatten(3)
        q[:, :, 226:] = (x.float() * c[None, None] + x_rotated.float() * s[None, None]).to(x.dtype)
        return q

    def posterior(cand, logits):  # Medusa's evaluate_posterior, greedy: the longest accepted prefix
        mask = (cand[:, 1:] == torch.argmax(logits[:, :-1], dim=-1)).int()
        return torch.cumprod(mask, dim=1).sum(dim=1).max()

    def beam_step(logp, running):  # transformers' vectorised beam search: 4 inputs x 5 beams, keep 10
        logp = F.log_softmax(logp, dim=-1).view(4, 5, -1) + running[:, :, None]
        return torch.topk(logp.reshape(4, -1), k=10)

    def vllm_top_k_top_p(logits, k, p):  # vLLM's apply_top_k_top_p (the torch path): one ascending sort for both
        logits_sort, logits_idx = logits.sort(dim=-1, descending=False)
        top_k_mask = logits_sort.size(1) - k.to(torch.long)
        top_k_mask = logits_sort.gather(1, top_k_mask.unsqueeze(dim=1))
        logits_sort.masked_fill_(logits_sort < top_k_mask, -float("inf"))
        probs_sum = torch.cumsum(logits_sort.softmax(dim=-1), dim=-1)
        top_p_mask = probs_sum <= 1 - p.unsqueeze(dim=1)
        top_p_mask[:, -1] = False
        logits_sort.masked_fill_(top_p_mask, -float("inf"))
        return logits_sort.scatter(dim=-1, index=logits_idx, src=logits_sort)

    def snapkv_select(votes, k):  # SnapKV: pooled votes, top-(2048 - 32) prompt keys gathered, the window kept
        idx = F.avg_pool1d(votes, kernel_size=7, padding=3, stride=1).topk(2048 - 32, dim=-1).indices
        idx = idx.unsqueeze(-1).expand(-1, -1, -1, 128)
        return torch.cat([k[:, :, :-32, :].gather(dim=2, index=idx), k[:, :, -32:, :]], dim=2)

    def ref_paged_decode(q, kb, vb):  # vLLM's ref_paged_attn for one decoding sequence (3000 tokens, 7 q heads a KV)
        q *= 128 ** -0.5
        k = kb.view(-1, 8, 128)[:3000]
        v = vb.view(-1, 8, 128)[:3000]
        k = torch.repeat_interleave(k, 7, dim=1)
        v = torch.repeat_interleave(v, 7, dim=1)
        attn = torch.einsum("qhd,khd->hqk", q, k).float()
        mask = torch.triu(torch.ones(1, 3000, device=q.device), diagonal=3000).bool()
        attn.masked_fill_(mask, float("-inf"))
        attn = torch.softmax(attn, dim=-1).to(v.dtype)
        return torch.einsum("hqk,khd->qhd", attn, v)

    def bgmv_shrink(x, lora_a, out, idx):  # vLLM's torch_ops.bgmv_shrink (the fp32 punica buffer)
        sel = lora_a[idx].to(dtype=out.dtype).squeeze(dim=1)
        bbd = torch.einsum("bi, boi -> bo", x.to(dtype=out.dtype), sel)
        out[:, :bbd.shape[1]] = 1.0 * bbd[:]
        return out

    def bgmv_expand(x, lora_b, out, idx):  # vLLM's torch_ops.bgmv_expand, add_inputs
        sel = lora_b[idx].to(dtype=out.dtype).squeeze(dim=1)
        outputs = torch.einsum("bi, boi -> bo", x.to(dtype=out.dtype), sel)
        out[:, :outputs.shape[1]] += outputs[:48, :]
        return out

    def fp8_block_dequant(w, s):  # a 128x128 block-scaled fp8 weight dequantised in plain torch
        x = w.to(f32).view(144, 128, 56, 128) * s[:, None, :, None]
        return x.view(18432, 7168).to(bf)

    def decomposed_rel_pos(attn, q, rh, rw):  # SAM's add_decomposed_rel_pos (batch x 16 heads, 64 x 64 tokens)
        r_q = q.reshape(16, 64, 64, 64)
        rel_h = torch.einsum("bhwc,hkc->bhwk", r_q, rh)
        rel_w = torch.einsum("bhwc,wkc->bhwk", r_q, rw)
        attn = attn.view(16, 64, 64, 64, 64) + rel_h[:, :, :, :, None] + rel_w[:, :, :, None, :]
        return attn.view(16, 4096, 4096)

    # Qwen2.5-VL-7B's vision tower over one 1008x1008 image (72x72 patches of 14, 16 heads of 80, bf16): the fused
    # biased qkv; the 2-D rotary table read at each patch's (h, w); the patches reordered into windows of 4 merged
    # units; q rotated in fp32; the block-diagonal window mask and SDPA through it (q, k, v transposed from
    # tokens-first); the heads back to tokens; the patch merger's first projection (2x2 patches, 5120 wide); argsort
    # undoing the window order. Its language model over a 1380-token prompt (1296 image tokens): M-RoPE's [16, 24, 24]
    # sections taken from the t / h / w streams in turn, causal SDPA with 7 q heads a KV head
    out = [("linear_bias", linear, (m(5184, 1280), m(3840, 1280), m(3840))),
           ("rotary_at_patches", lambda t, pos: t[pos].flatten(1), (m(72, 20, dt=f32), i(5184, 2))),
           ("window_order", lambda x, w: x.reshape(1296, 4, -1)[w, :, :].reshape(5184, -1), (m(5184, 1280), i(1296))),
           ("vision_rope", vision_rope, (m(5184, 3840), m(5184, 80, dt=f32), m(5184, 80, dt=f32))),
           ("window_mask", window_mask, ()),
           ("sdpa_window_mask", lambda q, k, qkv, a: sdpa(*(t.transpose(0, 1).unsqueeze(0) for t in (
               q, k, qkv.reshape(5184, 3, 16, -1).permute(1, 0, 2, 3).unbind(0)[2])), a),
            (m(5184, 16, 80), m(5184, 16, 80), m(5184, 3840), m(1, 5184, 5184, dt=b8))),
           ("heads_to_tokens", lambda o: o.squeeze(0).transpose(0, 1).reshape(5184, -1), (m(1, 16, 5184, 80),)),
           ("linear_bias", linear, (m(1296, 5120), m(5120, 5120), m(5120))),
           ("undo_window_order", lambda x, w: x[torch.argsort(w), :], (m(1296, 3584), i(1296))),
           ("mrope_sections", lambda c: torch.cat([t[j % 3] for j, t in enumerate(c.split([16, 24, 24] * 2, dim=-1))],
                                                  dim=-1).unsqueeze(1), (m(3, 1, 1380, 128),)),
           ("sdpa_gqa_causal", lambda q, k, v: sdpa(q, k, v, is_causal=True, enable_gqa=True),
            (m(1, 28, 1380, 128), m(1, 4, 1380, 128), m(1, 4, 1380, 128)))]
    # Phi-3.5-MoE (bf16) over a 900-token prompt: its token embeddings, the router (16 experts), sparsemixer's top-2, an
    # expert's ~112 tokens gathered (x[top_x]), its w1 (6400 wide), the expert's output index_added back; at decode
    # (batch 32, 2100 tokens) SDPA with 4 q heads a KV head and the biased lm_head
    out += [("embedding", F.embedding, (i(1, 900), m(32064, 4096))),
            ("router", linear, (m(900, 4096), m(16, 4096))),
            ("sparsemixer", sparsemixer, (m(900, 16),)),
            ("expert_rows", lambda x, t: x[t], (m(900, 4096), i(112))),
            ("linear", linear, (m(112, 4096), m(6400, 4096))),
            ("index_add", lambda f, t, h: f.index_add_(0, t, h.to(f.dtype)), (m(900, 4096), i(112), m(112, 4096))),
            ("sdpa_gqa_decode", lambda q, k, v: sdpa(q, k, v, enable_gqa=True),
             (m(32, 32, 1, 128), m(32, 8, 2100, 128), m(32, 8, 2100, 128))),
            ("lm_head_bias", linear, (m(32, 1, 4096), m(32064, 4096), m(32064)))]
    # state spaces through transformers' torch paths (bf16 weights): Jamba-v0.1's Mamba decode step at batch 8 (d_inner
    # 8192, state 16): the conv state rolled, the new column written, the depthwise kernel applied by a multiply and a
    # sum, bias, SiLU. Falcon-Mamba-7B's 1000-token prefill: the conv state kept by a negative left pad to the kernel's
    # 4 columns, dB x u over the whole prompt in fp32
    out += [("conv_state_step", conv_step, (m(8, 8192, 4), m(8, 1, 16384), m(8192, 1, 4), m(8192))),
            ("conv_state_pad", lambda p: (lambda h: F.pad(h, (4 - h.shape[-1], 0)))(p.transpose(1, 2).chunk(2, 1)[0]),
             (m(1, 1000, 16384),)),
            ("discrete_b_u", lambda dt, bm, h: (dt.transpose(1, 2)[:, :, :, None] * bm[:, None, :, :].float())
             * h[:, :, :, None].float(), (m(1, 1000, 8192), m(1, 1000, 16), m(1, 8192, 1000)))]
    # Fuyu-8B / Persimmon over a 720x1280 screenshot (24x43 patches of 30) and its 1116-token prompt (64 heads of 64,
    # bf16): the patchify by unfold (fp32), the patches cast and projected (2700 wide, bias); q's LayerNorm a head on
    # the fused qkv's strided split; eager attention's causal mask added and the softmax in fp32, back to bf16
    out += [("patchify", fuyu_patchify, (m(1, 3, 720, 1290, dt=f32),)),
            ("patch_embed", lambda p, w, b: linear(p.to(bf), w, b), (m(1, 1032, 2700, dt=f32), m(4096, 2700), m(4096))),
            ("q_layernorm", lambda x, w, b: F.layer_norm(x.view(1, 1116, 64, 3, 64)[..., 0, :], (64,), w, b, 1e-5),
             (m(1, 1116, 12288), m(64), m(64))),
            ("mask_softmax", lambda s, c: F.softmax(s + c, dtype=f32, dim=-1).to(bf),
             (m(1, 64, 1116, 1116), m(1, 1, 1116, 1116)))]
    # CogVideoX-5B, one denoising step of 49 frames at 480x720 with classifier-free guidance (batch 2, 17550 video and
    # 226 text tokens, 48 heads of 64, bf16): q's LayerNorm over each head (strided heads); the 3-D rotary table from
    # the t / h / w frequencies (fp32); rope on the video tokens, written back into q; joint SDPA
    out += [("qk_layernorm", lambda x, w, b: F.layer_norm(x.view(2, -1, 48, 64).transpose(1, 2), (64,), w, b, 1e-6),
             (m(2, 17776, 3072), m(64), m(64))),
            ("rope_3d_table", rope_3d, (m(13, 16, dt=f32), m(30, 24, dt=f32), m(45, 24, dt=f32))),
            ("video_rope", video_rope, (m(2, 48, 17776, 64), m(17550, 64, dt=f32), m(17550, 64, dt=f32))),
            ("sdpa_joint", sdpa, (m(2, 48, 17776, 64), m(2, 48, 17776, 64), m(2, 48, 17776, 64)))]
    # speculative decoding: Medusa-2 on Vicuna-7B (fp16) over a 64-token candidate tree: the five heads' logits stacked,
    # each head's top-10 at the last position, the tree's logits gathered along 42 paths of 5, the greedy posterior
    # (argmax, eq, cumprod, sum, max); EAGLE on Llama-3-8B-Instruct (fp16): embeddings and features joined and fused by
    # the biased fc over a 700-token prompt, a draft step's log-softmax and top-10 over 10 branches
    out += [("stack_heads", lambda *hs: torch.stack(hs, dim=0), tuple(m(1, 64, 32000, dt=f16) for _ in range(5))),
            ("medusa_topk", lambda x: torch.topk(x[:, 0, -1], 10, dim=-1).indices, (m(5, 1, 64, 32000, dt=f16),)),
            ("retrieve_logits", lambda x, r: x[0, r], (m(1, 64, 32000, dt=f16), i(42, 5))),
            ("posterior", posterior, (i(42, 5), m(42, 5, 32000, dt=f16))),
            ("eagle_fuse", lambda e, h, w, b: linear(torch.cat((e, h), dim=-1), w, b),
             (m(1, 700, 4096, dt=f16), m(1, 700, 4096, dt=f16), m(4096, 8192, dt=f16), m(4096, dt=f16))),
            ("draft_topk", lambda x: torch.topk(torch.log_softmax(x, dim=-1), 10, dim=-1), (m(10, 128256, dt=f16),))]
    # Whisper-large-v3's beam search (4 clips x 5 beams, fp16 model, fp32 scores): cross-attention SDPA over the 1500
    # encoder frames, the suppressed tokens by isin and where, log-softmax plus the running beam scores and the top-10
    # of 5 beams' 51866 tokens, the running sequences gathered by take_along_dim
    out += [("sdpa_cross", sdpa, (m(20, 20, 1, 64, dt=f16), m(20, 20, 1500, 64, dt=f16), m(20, 20, 1500, 64, dt=f16))),
            ("suppress_tokens", lambda s, sup: torch.where(torch.isin(torch.arange(s.shape[-1], device=s.device), sup),
                                                           -float("inf"), s), (m(20, 51866, dt=f32), i(88))),
            ("beam_step", beam_step, (m(20, 51866, dt=f32), m(4, 5, dt=f32))),
            ("gather_beams", lambda t, b: torch.take_along_dim(input=t, indices=b.reshape(4, 10, 1), dim=1),
             (i(4, 5, 448), i(4, 10)))]
    # sampling and KV eviction: vLLM's top-k / top-p over Phi-3.5-MoE's 32064-token vocabulary at batch 32 and its
    # exponential-race sample (probabilities over exponential noise, argmax); SnapKV over a 16000-token prompt (32 heads
    # of 128, bf16): the window's votes pooled, top-2016, the prompt keys gathered by the expanded index, the window
    # joined
    out += [("top_k_top_p", vllm_top_k_top_p, (m(32, 32064, dt=f32), i(32), m(32, dt=f32))),
            ("exponential_sample", lambda p: p.div_(torch.empty_like(p).exponential_()).argmax(dim=-1).view(-1),
             (m(32, 32064, dt=f32),)),
            ("snapkv_select", snapkv_select, (m(1, 32, 15968), m(1, 32, 16000, 128)))]
    # serving caches: vLLM's reference paged attention for Yi-1.5-34B (56 q heads over 8 KV heads of 128, 16-token
    # blocks of a 4096-block cache): a decode batch's 48 slots written, one sequence's 188 blocks gathered by its block
    # table and attended (q scaled in place, repeat_interleave, einsum scores in fp32, the triu mask, softmax, einsum
    # values); mistral-inference's rotating buffer (Mistral-7B's 4096-token window) unrotated by cat
    out += [("paged_write", lambda kc, slots, k: kc.view(-1, 8, 128).index_put_((slots,), k),
             (m(4096, 16, 8, 128), i(48), m(48, 8, 128))),
            ("paged_gather", lambda kc, bt: kc[bt], (m(4096, 16, 8, 128), i(188))),
            ("ref_paged_decode", ref_paged_decode, (m(1, 56, 128), m(188, 16, 8, 128), m(188, 16, 8, 128))),
            ("unrotate", lambda c: torch.cat([c[1000:], c[:1000]], dim=0), (m(4096, 8, 128),))]
    # LoRA: PEFT's rank-16 adapter on Llama-3.1-8B's gate_proj over a 2048-token prompt (lora_B(lora_A(x)) * 2 added to
    # the base output); vLLM's multi-LoRA torch ops for Yi-1.5-34B's o_proj (8 adapters of rank 32, 48 decode tokens:
    # each token's adapter gathered, shrink into the fp32 buffer, expand added into the output)
    out += [("peft_lora", lambda r, x, a, b: r + linear(linear(x, a), b) * 2.0,
             (m(1, 2048, 14336), m(1, 2048, 4096), m(16, 4096), m(14336, 16))),
            ("bgmv_shrink", bgmv_shrink, (m(48, 7168), m(8, 1, 32, 7168), m(48, 32, dt=f32), i(48))),
            ("bgmv_expand", bgmv_expand, (m(48, 32, dt=f32), m(8, 1, 7168, 32), m(48, 7168), i(48)))]
    # quantisation in plain torch: Llama-2-13B's LLM.int8 down_proj weight dequantised by its row statistics (int8 times
    # fp32, / 127, to fp16); GPTQ's 4-bit unpack of Qwen2.5-32B's down_proj (int32 words shifted by [0, 4, ..., 28],
    # narrowed to int8); DeepSeek-V3's fp8 gate_proj dequantised tile by tile (128 x 128 scales) to bf16
    out += [("int8_dequant", lambda a, s: (a * s.view(-1, 1) * 7.874015718698502e-3).to(f16),
             (m(5120, 13824, dt=i8), m(5120, dt=f32))),
            ("gptq_unpack", lambda q, wf: torch.bitwise_right_shift(torch.unsqueeze(q, 1).expand(-1, 8, -1),
                                                                    wf.unsqueeze(-1)).to(i8),
             (m(3456, 5120, dt=i32), m(1, 8, dt=i32))),
            ("fp8_block_dequant", fp8_block_dequant, (m(18432, 7168, dt=fp8), m(144, 56, dt=f32)))]
    # SAM ViT-L's global attention over a 64x64 map (16 heads of 64, fp32 as segment_anything runs): the scaled scores,
    # the decomposed relative position bias (two einsums, the 5-D broadcast add) and the softmax
    out += [("sam_scores", lambda q, k: (q * 0.125) @ k.transpose(-2, -1), (m(16, 4096, 64, dt=f32),
                                                                           m(16, 4096, 64, dt=f32))),
            ("decomposed_rel_pos", decomposed_rel_pos, (m(16, 4096, 4096, dt=f32), m(16, 4096, 64, dt=f32),
                                                        m(64, 64, 64, dt=f32), m(64, 64, 64, dt=f32))),
            ("softmax", lambda a: a.softmax(dim=-1), (m(16, 4096, 4096, dt=f32),))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK10, _check10()),))
