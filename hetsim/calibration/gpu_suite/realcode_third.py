"""The aten sweep's third pair of real-code groups: `realcode-more2` (fitted) and `realcode-check3` (blind).

`realcode-more2` fits the kernels the second blind check (`realcode-check2`) showed priced by the wrong launch, each
at a spread of shapes: reductions over an outer or middle dim (Reduce.cuh's output-vectorised lanes, warps and blocks
splitting the reduced dim), softmax over many short rows (the persistent kernel's waves of 4-8 rows a block), copies
out of permuted views that keep the last dim (coalesced rows) against ones that move it (a transpose), masked_fill
(a clone, then the fill in place) and torch.where through the strided kernel, top-k over many short rows (an MoE
router's: a warp-sized block a row, many an SM), and fp16 attention-score GEMMs at unaligned token counts.

`realcode-check3`: the third blind check of everyday PyTorch inference code.

Each case is one op or a short idiom as model code writes it (projections, attention scores and values, norms,
activations, softmax, sampling, gathers, reductions, masks, rotary multiplies, casts, KV-cache concatenation, GQA
expansion, padding), at the widths of models the earlier groups do not use (Qwen2-7B, which shares Qwen2.5-7B's
widths, at shapes they never traced): Llama-3.2-1B, DeepSeek-V2-Lite, T5-base, CLIP ViT-L/14, GPT-J-6B, StableLM-3B,
SAM ViT-B's windowed encoder, Stable Diffusion's UNet attention and DistilBERT, at inference batches and token counts.
The group is never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal to one of theirs,
so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_MORE2, REALCODE_CHECK3 = "realcode-more2", "realcode-check3"


def _more2():
    import torch

    from hetsim.calibration.gpu_suite.aten_cases import _meta_makers

    m, i = _meta_makers()
    bf, f16, f32, b8 = torch.bfloat16, torch.float16, torch.float32, torch.bool
    out = [(f"{name}_dim0", fn, (m(r, c, dt=dt),))
           for name, fn in (("sum", lambda x: x.sum(0)), ("amax", lambda x: x.amax(0)))
           for r, c, dt in ((64, 768, bf), (1024, 768, f32), (16384, 64, bf), (16384, 4096, bf), (128, 4096, f32),
                            (4096, 256, f32), (2048, 1000, bf), (8, 8192, bf))]
    out += [("mean_mid", lambda x: x.mean(1), (m(*s, dt=dt),))
            for s, dt in (((8, 512, 768), bf), ((64, 64, 1024), f32), ((2, 4096, 256), bf), ((128, 77, 512), f32),
                          ((1, 16384, 2048), bf), ((32, 2, 4096), bf))]
    out += [("argmax_dim0", lambda x: x.argmax(0), (m(r, c, dt=dt),)) for r, c, dt in ((4096, 1024, bf), (256, 32000,
                                                                                                           f32))]
    out += [("softmax", lambda x: torch.softmax(x, -1), (m(*s, dt=dt),))
            for s, dt in (((4096, 64), bf), ((65536, 64), bf), ((65536, 128), f32), ((16, 16, 512, 512), bf),
                          ((32, 12, 128, 128), f16), ((8, 8, 1024, 1024), f16), ((200000, 32), f32),
                          ((8192, 1000), f32), ((2, 16, 4096, 77), f16), ((1, 8, 16384, 256), bf))]
    out += [("transpose_heads", lambda x: x.transpose(1, 2).contiguous(), (m(*s, dt=dt),))
            for s, dt in (((1, 4096, 32, 128), bf), ((8, 512, 16, 64), f16), ((2, 1024, 8, 96), bf),
                          ((64, 77, 8, 64), f32), ((1, 16384, 8, 128), bf), ((32, 256, 12, 64), f16))]
    out += [("transpose_last", lambda x: x.transpose(-1, -2).contiguous(), (m(*s, dt=dt),))
            for s, dt in (((1, 32, 4096, 128), bf), ((8, 16, 512, 64), f16), ((4096, 4096), bf), ((1024, 64), f32),
                          ((16, 2048, 2048), f32), ((64, 1000, 256), bf))]
    out += [("masked_fill", lambda x, k: x.masked_fill(k, float("-inf")), (m(*xs, dt=dt), m(*ks, dt=b8)))
            for xs, ks, dt in (((2, 16, 512, 512), (2, 1, 512, 512), bf), ((8, 32, 256, 256), (1, 1, 256, 256), f16),
                               ((1, 32, 4096, 4096), (1, 1, 4096, 4096), bf), ((16, 8192), (16, 8192), f32))]
    out += [("masked_fill_", lambda x, k: x.masked_fill_(k, 0.0), (m(*xs, dt=dt), m(*ks, dt=b8)))
            for xs, ks, dt in (((4, 16, 1024, 1024), (4, 1, 1024, 1024), bf), ((8, 4096, 1024), (8, 4096, 1), f32))]
    out += [("where", lambda c, a, b: torch.where(c, a, b), (m(*cs, dt=b8), m(*xs, dt=dt), m(*xs, dt=dt)))
            for cs, xs, dt in (((1, 1, 1024, 1024), (2, 16, 1024, 1024), bf), ((8, 1, 1, 512), (8, 12, 512, 512), f32),
                               ((2048, 1), (2048, 4096), bf))]
    out += [("where_scalar", lambda c, a: torch.where(c, a, 0.0), (m(*cs, dt=b8), m(*xs, dt=dt)))
            for cs, xs, dt in (((1, 1, 2048, 2048), (4, 16, 2048, 2048), bf), ((65536,), (65536,), f32))]
    out += [("topk", lambda x, k=k: torch.topk(x, k, -1), (m(r, n, dt=dt),))
            for r, n, k, dt in ((4096, 8, 2, bf), (16384, 64, 6, bf), (1024, 128, 8, f32), (8192, 256, 8, bf),
                                (512, 512, 16, f32), (65536, 16, 4, f32), (256, 2048, 32, bf), (32768, 160, 6, bf))]
    out += [("bmm_scores", lambda q, k: q @ k.transpose(-1, -2), (m(*s, dt=f16), m(*s, dt=f16)))
            for s in ((8, 12, 197, 64), (4, 16, 257, 64), (32, 8, 77, 64), (1, 16, 1025, 64))]
    return out


def _check3():
    import torch
    import torch.nn.functional as F

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, i = _meta_makers()
    bf, f16, f32, b8 = torch.bfloat16, torch.float16, torch.float32, torch.bool

    linear, rms, ln = _layer_makers(1e-6)

    def gn(x, w, b):
        return F.group_norm(x, 32, w, b, 1e-5)

    # projections: Qwen2-7B decode q_proj (with bias), Llama-3.2-1B lm_head, DeepSeek-V2-Lite dense MLP down, T5-base
    # (fp32, no bias), CLIP ViT-L/14 MLP (fp16, bias), GPT-J-6B fc_in, StableLM-3B MLP, SAM ViT-B windowed qkv (fp32)
    out = [("linear_bias", linear, (m(4, 3584), m(3584, 3584), m(3584))),
           ("linear", linear, (m(1, 2048), m(128256, 2048))),
           ("linear", linear, (m(256, 10944), m(2048, 10944))),
           ("linear", linear, (m(512, 768, dt=f32), m(3072, 768, dt=f32))),
           ("linear_bias", linear, (m(1028, 1024, dt=f16), m(4096, 1024, dt=f16), m(4096, dt=f16))),
           ("linear_bias", linear, (m(16, 4096, dt=f16), m(16384, 4096, dt=f16), m(16384, dt=f16))),
           ("linear", linear, (m(2048, 2560), m(6912, 2560))),
           ("linear_bias", linear, (m(4900, 768, dt=f32), m(2304, 768, dt=f32), m(2304, dt=f32)))]
    # attention scores and values: CLIP ViT-L/14 (16 heads of 64, 257 tokens), SD UNet (8 heads of 40 over 4096
    # tokens, batch 2, heads folded into the batch), SAM windows (25 windows of 14x14 tokens, 12 heads), GPT-J decode
    # (head dim 256); a DeepSeek-V2-Lite gemv
    out += [("bmm_scores", lambda q, k: q @ k.transpose(-1, -2), (m(4, 16, 257, 64, dt=f16),
                                                                  m(4, 16, 257, 64, dt=f16))),
            ("attn_values", lambda p, v: p @ v, (m(4, 16, 257, 257, dt=f16), m(4, 16, 257, 64, dt=f16))),
            ("bmm_scores", lambda q, k: torch.bmm(q, k.transpose(1, 2)), (m(16, 4096, 40, dt=f16),
                                                                          m(16, 4096, 40, dt=f16))),
            ("bmm_values", torch.bmm, (m(300, 196, 196, dt=f32), m(300, 196, 64, dt=f32))),
            ("einsum_decode", lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k), (m(4, 16, 1, 256, dt=f16),
                                                                                   m(4, 16, 2048, 256, dt=f16))),
            ("mv", torch.mv, (m(10944, 2048), m(2048)))]
    # norms: CLIP / SAM / StableLM LayerNorm, Llama-3.2-1B / T5 RMSNorm, SD UNet GroupNorm(32)
    out += [("layer_norm", ln, (m(r, c, dt=dt), m(c, dt=dt), m(c, dt=dt)))
            for r, c, dt in ((1028, 1024, f16), (4096, 768, f32), (2048, 2560, bf))]
    out += [("rms_norm", rms, (m(r, c, dt=dt), m(c, dt=dt)))
            for r, c, dt in ((4096, 2048, bf), (16384, 768, f32))]
    out += [("group_norm", gn, (m(2, c, h, h, dt=f16), m(c, dt=f16), m(c, dt=f16))) for c, h in ((320, 64), (640, 32))]
    # activations: CLIP quick_gelu, GPT-J gelu_new (tanh), Qwen2 SwiGLU, T5 ReLU, SD GEGLU
    out += [("quick_gelu", lambda x: x * torch.sigmoid(1.702 * x), (m(1028, 4096, dt=f16),)),
            ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), (m(16, 16384, dt=f16),)),
            ("silu_mul", lambda a, b: F.silu(a) * b, (m(4, 18944), m(4, 18944))),
            ("relu", F.relu, (m(4096, 3072, dt=f32),)),
            ("geglu", lambda a, g: a * F.gelu(g), (m(8192, 1280, dt=f16), m(8192, 1280, dt=f16)))]
    # softmax: SD UNet scores (fp16), Qwen2 decode (upcast to fp32), T5 encoder (fp32), DeepSeek log-probs
    out += [("softmax", lambda x: torch.softmax(x, -1), (m(16, 4096, 4096, dt=f16),)),
            ("softmax_fp32", lambda x: torch.softmax(x, -1, dtype=f32), (m(4, 28, 1, 2048),)),
            ("softmax", lambda x: torch.softmax(x, -1), (m(8, 12, 512, 512, dt=f32),)),
            ("log_softmax", lambda x: torch.log_softmax(x, -1), (m(4, 102400, dt=f32),))]
    # sampling: top-k / top-p over Qwen2, DeepSeek, GPT-J, StableLM and T5 vocabularies; DeepSeek-V2-Lite's
    # 6-of-64 expert routing
    out += [("topk", lambda x: torch.topk(x, 50, -1), (m(2, 152064),)),
            ("topk", lambda x: torch.topk(x, 40, -1), (m(8, 102400, dt=f32),)),
            ("topk", lambda x: torch.topk(x, 6, -1), (m(512, 64, dt=f32),)),
            ("sort", lambda x: torch.sort(x, -1, descending=True), (m(4, 50400, dt=f32),)),
            ("cumsum", lambda x: x.cumsum(-1), (m(1, 152064, dt=f32),)),
            ("multinomial", lambda x: torch.multinomial(x, 1), (m(1, 102400, dt=f32),)),
            ("multinomial", lambda x: torch.multinomial(x, 1), (m(16, 50304, dt=f32),)),
            ("argmax", lambda x: x.argmax(-1), (m(32, 32128, dt=f32),))]
    # gathers: chosen-token log-probs, Llama-3.2-1B decode / T5 encoder embeddings, a DeepSeek embedding lookup,
    # DeepSeek MoE token dispatch (6 experts a token)
    out += [("gather", lambda x, idx: torch.gather(x, -1, idx), (m(16, 50304, dt=f32), i(16, 1))),
            ("embedding", F.embedding, (i(8, 1), m(128256, 2048))),
            ("embedding", F.embedding, (i(32, 512), m(32128, 768, dt=f32))),
            ("index_select", lambda x, idx: x.index_select(0, idx), (m(102400, 2048), i(77))),
            ("index", lambda x, idx: x[idx], (m(2048, 2048), i(12288)))]
    # reductions: DistilBERT mean pooling, per-row max of logits, CLIP embedding norms, an SD group's variance, the
    # head-mean of T5 attention maps, an outer max, a Qwen2 decode row sum
    out += [("mean_tokens", lambda x: x.mean(1), (m(32, 512, 768, dt=f32),)),
            ("amax", lambda x: x.amax(-1), (m(4, 152064, dt=f32),)),
            ("norm", lambda x: x.norm(dim=-1, keepdim=True), (m(256, 768, dt=f32),)),
            ("var", lambda x: x.var(-1), (m(2, 32, 40960, dt=f32),)),
            ("mean_heads", lambda x: x.mean(1), (m(8, 12, 512, 512, dt=f32),)),
            ("max_dim0", lambda x: x.amax(0), (m(2048, 2560),)),
            ("sum_last", lambda x: x.sum(-1), (m(4, 28, 1, 2048, dt=f32),))]
    # broadcasting binaries: T5 position bias, DistilBERT padding mask, GPT-J / Qwen2 rotary, SD scaling and
    # time-embedding bias, a StableLM residual add, temperature; a Llama-3.2-1B causal masked_fill, a top-p where
    out += [("add_position_bias", lambda x, y: x + y, (m(8, 12, 512, 512, dt=f32), m(1, 12, 512, 512, dt=f32))),
            ("add_mask", lambda x, y: x + y, (m(32, 12, 512, 512, dt=f16), m(32, 1, 1, 512, dt=f16))),
            ("rotary_mul", lambda x, y: x * y, (m(4, 2048, 16, 64, dt=f16), m(1, 2048, 1, 64, dt=f16))),
            ("rotary_mul", lambda x, y: x * y, (m(1, 28, 4096, 128), m(1, 1, 4096, 128))),
            ("mul_scale", lambda x: x * 40 ** -0.5, (m(16, 4096, 40, dt=f16),)),
            ("add_time_emb", lambda x, y: x + y, (m(2, 320, 64, 64, dt=f16), m(2, 320, 1, 1, dt=f16))),
            ("add_residual", lambda x, y: x + y, (m(2048, 2560), m(2048, 2560))),
            ("div_temperature", lambda x: x / 0.7, (m(8, 102400, dt=f32),))]
    out += [("masked_fill", lambda x, k: x.masked_fill(k, float("-inf")), (m(2, 32, 1024, 1024),
                                                                           m(2, 1, 1024, 1024, dt=b8))),
            ("where_topp", lambda c, x: torch.where(c, float("-inf"), x), (m(16, 50304, dt=b8),
                                                                           m(16, 50304, dt=f32)))]
    # casts: Qwen2 decode logits up, StableLM hidden down, a DistilBERT mask to long, SD latents to fp16
    out += [("to_fp32", lambda x: x.float(), (m(2, 152064),)),
            ("to_bf16", lambda x: x.to(bf), (m(2048, 2560, dt=f32),)),
            ("to_long", lambda x: x.long(), (m(32, 512, dt=b8),)),
            ("to_fp16", lambda x: x.half(), (m(2, 320, 64, 64, dt=f32),))]
    # layout: Llama-3.2-1B KV cache, GPT-J partial rotary, Qwen2 K/V stacked, SD heads, SAM window partition, Qwen2
    # (7 q heads a KV head) and Llama-3.2-1B (4) repeat_kv
    out += [("cat_kv", lambda a, b: torch.cat([a, b], 2), (m(8, 8, 1023, 64), m(8, 8, 1, 64))),
            ("cat_rotary", lambda a, b: torch.cat([a, b], -1), (m(4, 2048, 16, 64, dt=f16),
                                                                m(4, 2048, 16, 192, dt=f16))),
            ("stack_kv", lambda a, b: torch.stack([a, b]), (m(1, 4, 4096, 128), m(1, 4, 4096, 128))),
            ("transpose_contiguous", lambda x: x.transpose(1, 2).contiguous(), (m(2, 4096, 8, 40, dt=f16),)),
            ("window_partition", lambda x: x.permute(0, 1, 3, 2, 4, 5).contiguous(), (m(1, 5, 14, 5, 14, 768,
                                                                                      dt=f32),)),
            ("repeat_kv", lambda x: x[:, :, None].expand(1, 4, 7, 2048, 128).reshape(1, 28, 2048, 128),
             (m(1, 4, 2048, 128),)),
            ("repeat_kv", lambda x: x[:, :, None].expand(8, 8, 4, 1024, 64).reshape(8, 32, 1024, 64),
             (m(8, 8, 1024, 64),))]
    # misc: SAM's pad to whole windows, DistilBERT / Llama-3.2-1B causal bool masks, T5's fp16 clamp
    out += [("pad", lambda x: F.pad(x, (0, 0, 0, 6, 0, 6)), (m(1, 64, 64, 768, dt=f32),)),
            ("tril", lambda x: torch.tril(x), (m(512, 512, dt=b8),)),
            ("triu_mask", lambda x: torch.triu(x, 1), (m(4096, 4096, dt=b8),)),
            ("clamp", lambda x: x.clamp(min=-64504.0, max=64504.0), (m(32, 512, 768, dt=f16),))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of both groups, as aten_cases' spec functions yield them (the
    fitted group first: the builder drops a check case equal to one of its)."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_MORE2, _more2()), (REALCODE_CHECK3, _check3())))
