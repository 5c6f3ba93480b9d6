"""The aten sweep's fifth blind real-code group: `realcode-check5`, everyday PyTorch inference code.

Each case is one op or a short idiom as model code writes it (projections, attention scores and values, norms,
activations, softmax, MoE routing, sampling, gathers, reductions, masks, rotary multiplies, casts, KV-cache
concatenation, GQA expansion, layout copies, padding), at the widths of models no earlier group uses: Phi-2 (heads
of 80, partial rotary), Mistral-Nemo-12B, Granite-3-8B, Nemotron-Mini-4B (squared ReLU), SmolLM2-1.7B, Pythia-1.4B
(fused QKV, 25% rotary), Qwen2-MoE-A2.7B (60 experts, top-4, a sigmoid-gated shared expert), Swin-T's 7x7 windows,
DINOv2-L, HuBERT-large, EnCodec's GroupNorm and a VAE decoder's, at inference batches and token counts. The group is
never fitted: it is traced on the meta device, timed on the GPU and only scored. The builder
(hetsim.calibration.gpu_suite.aten_cases) takes it after every other group and drops any case equal to one of
theirs, so it stays blind to what the earlier groups fitted.
"""

from __future__ import annotations

REALCODE_CHECK5 = "realcode-check5"


def _check5():
    import torch
    import torch.nn.functional as F

    bf, f16, f32, b8, i32 = torch.bfloat16, torch.float16, torch.float32, torch.bool, torch.int32

    from hetsim.calibration.gpu_suite.aten_cases import _layer_makers, _meta_makers

    m, i = _meta_makers()

    linear, rms, ln = _layer_makers(1e-5)

    # projections: Phi-2 fc1 over a 1000-token prompt (fp16, bias), Mistral-Nemo decode q_proj and lm_head, Granite-3
    # MLP down over a 300-token prompt, Nemotron-Mini up_proj, Pythia-1.4B decode fused query_key_value (fp16, bias),
    # Swin-T stage-2 window qkv (fp32, bias), DINOv2-L fc1 at 518px (fp16, bias), HuBERT-large feature projection
    # (fp32, bias); a Granite-3 decode gemv
    out = [("linear_bias", linear, (m(1000, 2560, dt=f16), m(10240, 2560, dt=f16), m(10240, dt=f16))),
           ("linear", linear, (m(4, 5120), m(4096, 5120))),
           ("linear", linear, (m(2, 5120), m(131072, 5120))),
           ("linear", linear, (m(300, 12800), m(4096, 12800))),
           ("linear", linear, (m(64, 3072), m(9216, 3072))),
           ("linear_bias", linear, (m(2, 2048, dt=f16), m(6144, 2048, dt=f16), m(6144, dt=f16))),
           ("linear_bias", linear, (m(6272, 192, dt=f32), m(576, 192, dt=f32), m(576, dt=f32))),
           ("linear_bias", linear, (m(5480, 1024, dt=f16), m(4096, 1024, dt=f16), m(4096, dt=f16))),
           ("linear_bias", linear, (m(5992, 512, dt=f32), m(1024, 512, dt=f32), m(1024, dt=f32))),
           ("mv", torch.mv, (m(4096, 12800), m(12800)))]
    # attention scores and values: Phi-2 prefill (32 heads of 80, 515 tokens, fp16), Mistral-Nemo GQA decode with the
    # query groups as a dim (4 q heads a KV head), Swin-T stage-1 windows (3 heads of 32 over 49 tokens, fp32),
    # DINOv2-L at 518px (1370 tokens, fp16), SmolLM2 decode by einsum, HuBERT-large (16 heads folded into the batch,
    # fp32, 15 s of audio: 749 frames), Pythia-1.4B prefill values (fp16)
    out += [("bmm_scores", lambda q, k: q @ k.transpose(-1, -2), (m(2, 32, 515, 80, dt=f16),
                                                                  m(2, 32, 515, 80, dt=f16))),
            ("gqa_scores", lambda q, k: q @ k.transpose(-1, -2), (m(4, 8, 4, 1, 128), m(4, 8, 1, 5000, 128))),
            ("bmm_scores", lambda q, k: q @ k.transpose(-2, -1), (m(512, 3, 49, 32, dt=f32),
                                                                  m(512, 3, 49, 32, dt=f32))),
            ("attn_values", lambda p, v: p @ v, (m(4, 16, 1370, 1370, dt=f16), m(4, 16, 1370, 64, dt=f16))),
            ("einsum_decode", lambda q, k: torch.einsum("bhqd,bhkd->bhqk", q, k), (m(16, 32, 1, 64),
                                                                                   m(16, 32, 1537, 64))),
            ("bmm_scores", lambda q, k: torch.bmm(q, k.transpose(1, 2)), (m(64, 749, 64, dt=f32),
                                                                          m(64, 749, 64, dt=f32))),
            ("attn_values", lambda p, v: p @ v, (m(1, 16, 1024, 1024, dt=f16), m(1, 16, 1024, 128, dt=f16)))]
    # norms: Phi-2 LayerNorm (fp16), Swin-T stage-3 LayerNorm (fp32), DINOv2-L LayerNorm (fp16); Mistral-Nemo decode
    # and Granite-3 prefill RMSNorm, SmolLM2 RMSNorm in fp32; EnCodec's time GroupNorm (one group) and a VAE decoder's
    # GroupNorm(32) at 256x256 (fp16)
    out += [("layer_norm", ln, (m(1000, 2560, dt=f16), m(2560, dt=f16), m(2560, dt=f16))),
            ("layer_norm", ln, (m(16, 196, 384, dt=f32), m(384, dt=f32), m(384, dt=f32))),
            ("layer_norm", ln, (m(4, 1370, 1024, dt=f16), m(1024, dt=f16), m(1024, dt=f16)))]
    out += [("rms_norm", rms, (m(8, 5120), m(5120))),
            ("rms_norm", rms, (m(3000, 4096), m(4096))),
            ("rms_norm", rms, (m(1536, 2048, dt=f32), m(2048, dt=f32)))]
    out += [("group_norm", lambda x, w, b: F.group_norm(x, 1, w, b, 1e-5), (m(4, 512, 750, dt=f32),
                                                                            m(512, dt=f32), m(512, dt=f32))),
            ("group_norm", lambda x, w, b: F.group_norm(x, 32, w, b, 1e-6), (m(1, 256, 256, 256, dt=f16),
                                                                             m(256, dt=f16), m(256, dt=f16)))]
    # activations: Phi-2's gelu_new (the tanh GELU, fp16), DINOv2 GELU (erf, fp16), Swin-T GELU (fp32), Granite-3
    # SwiGLU, Nemotron-Mini's squared ReLU, SmolLM2 SwiGLU
    out += [("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), (m(1000, 10240, dt=f16),)),
            ("gelu", F.gelu, (m(5480, 4096, dt=f16),)),
            ("gelu", F.gelu, (m(6272, 768, dt=f32),)),
            ("silu_mul", lambda a, b: F.silu(a) * b, (m(512, 12800), m(512, 12800))),
            ("relu_squared", lambda x: torch.square(F.relu(x)), (m(64, 9216),)),
            ("silu_mul", lambda a, b: F.silu(a) * b, (m(1536, 8192), m(1536, 8192)))]
    # softmax: Swin-T window scores (fp32), DINOv2-L scores (fp16), Mistral-Nemo decode (upcast to fp32), Granite-3
    # log-probs
    out += [("softmax", lambda x: torch.softmax(x, -1), (m(512, 3, 49, 49, dt=f32),)),
            ("softmax", lambda x: torch.softmax(x, -1), (m(4, 16, 1370, 1370, dt=f16),)),
            ("softmax_fp32", lambda x: torch.softmax(x, -1, dtype=f32), (m(4, 32, 1, 5000),)),
            ("log_softmax", lambda x: torch.log_softmax(x, -1), (m(8, 49155, dt=f32),))]
    # MoE routing: Qwen2-MoE-A2.7B over a 2048-token prompt (the router's 60 logits, softmax in fp32, top-4, a one-hot
    # expert mask, one expert's ~137 tokens gathered and its output index_added back, the shared expert's output
    # weighted by its gate through a sigmoid)
    out += [("linear", linear, (m(2048, 2048), m(60, 2048))),
            ("router_softmax", lambda x: F.softmax(x, dim=1, dtype=f32), (m(2048, 60),)),
            ("topk", lambda x: torch.topk(x, 4, -1), (m(2048, 60, dt=f32),)),
            ("expert_mask", lambda idx: F.one_hot(idx, 60).permute(2, 1, 0), (i(2048, 4),)),
            ("index_select", lambda x, idx: x.index_select(0, idx), (m(2048, 2048), i(137))),
            ("index_add", lambda x, idx, y: x.index_add_(0, idx, y), (m(2048, 2048), i(137), m(137, 2048))),
            ("shared_gate", lambda g, y: torch.sigmoid(g) * y, (m(2048, 1), m(2048, 2048)))]
    # sampling: top-k over Phi-2's vocabulary, top-p (sort, cumsum, the mask scattered back to vocabulary order) over
    # Nemotron-Mini's, SmolLM2's and Mistral-Nemo's, multinomial over Granite-3's, Pythia greedy argmax over
    # fp16 logits
    out += [("topk", lambda x: torch.topk(x, 50, -1), (m(8, 51200, dt=f32),)),
            ("sort", lambda x: torch.sort(x, -1, descending=True), (m(4, 256000, dt=f32),)),
            ("cumsum", lambda x: x.cumsum(-1), (m(16, 49152, dt=f32),)),
            ("topp_scatter", lambda x, idx: x.scatter(1, idx, x), (m(4, 131072, dt=b8), i(4, 131072))),
            ("multinomial", lambda x: torch.multinomial(x, 1), (m(16, 49155, dt=f32),)),
            ("argmax", lambda x: x.argmax(-1), (m(32, 50304, dt=f16),))]
    # gathers: Mistral-Nemo prefill and SmolLM2 decode embeddings, Phi-2 chosen-token log-probs, the last real token
    # of each Granite-3 sequence (x[arange, lengths]), Swin-T's relative position bias table read through its index
    # (stage 3: 12 heads)
    out += [("embedding", F.embedding, (i(1, 3000), m(131072, 5120))),
            ("embedding", F.embedding, (i(32, 1), m(49152, 2048))),
            ("gather", lambda x, idx: torch.gather(x, -1, idx), (m(4, 511, 51200, dt=f32), i(4, 511, 1))),
            ("last_token", lambda x, b, t: x[b, t], (m(8, 777, 4096), i(8), i(8))),
            ("rel_pos_bias", lambda t, idx: t[idx], (m(169, 12, dt=f32), i(2401)))]
    # reductions: HuBERT-large mean pooling over frames, a max over Nemotron-Mini's vocabulary, DINOv2-L patch-feature
    # norms, a Phi-2 LayerNorm variance, Swin-T's average pool over its last 7x7 tokens
    out += [("mean_tokens", lambda x: x.mean(1), (m(4, 749, 1024, dt=f32),)),
            ("amax", lambda x: x.amax(-1), (m(6, 256000, dt=f32),)),
            ("norm", lambda x: x.norm(dim=-1, keepdim=True), (m(5476, 1024, dt=f32),)),
            ("var", lambda x: x.var(-1, unbiased=False), (m(1000, 2560, dt=f32),)),
            ("mean_tokens", lambda x: x.mean(1), (m(32, 49, 768, dt=f32),))]
    # broadcasting binaries: Phi-2's rotary over 32 of each head's 80 dims and Pythia's over 32 of 128 (strided
    # inputs), Swin-T's relative position bias and its shifted-window mask (through a 5-d view), Granite-3's logit
    # scale, DINOv2's LayerScale, a Mistral-Nemo decode padding mask
    out += [("rotary_partial_mul", lambda x, c: x[..., :32] * c, (m(2, 32, 515, 80, dt=f16),
                                                                  m(2, 1, 515, 32, dt=f16))),
            ("rotary_partial_mul", lambda x, c: x[..., :32] * c, (m(4, 16, 1024, 128, dt=f16),
                                                                  m(4, 1, 1024, 32, dt=f16))),
            ("add_rel_pos_bias", lambda x, b: x + b.unsqueeze(0), (m(512, 3, 49, 49, dt=f32),
                                                                   m(3, 49, 49, dt=f32))),
            ("add_shift_mask", lambda x, k: x.view(8, 64, 3, 49, 49) + k.unsqueeze(1).unsqueeze(0),
             (m(512, 3, 49, 49, dt=f32), m(64, 49, 49, dt=f32))),
            ("div_logit_scale", lambda x: x / 16.0, (m(32, 49155),)),
            ("mul_layer_scale", lambda x, g: x * g, (m(4, 1370, 1024, dt=f16), m(1024, dt=f16))),
            ("add_mask", lambda x, y: x + y, (m(8, 32, 1, 4097), m(8, 1, 1, 4097)))]
    # masked_fill / where: HuBERT-large's padding mask on fp32 scores, a Pythia causal where (fp16), a top-p mask
    # over SmolLM2's sorted probabilities
    out += [("masked_fill", lambda x, k: x.masked_fill(k, torch.finfo(f32).min), (m(4, 16, 749, 749, dt=f32),
                                                                                  m(4, 1, 1, 749, dt=b8))),
            ("where", lambda c, x: torch.where(c, x, torch.finfo(f16).min), (m(1, 1, 1024, 1024, dt=b8),
                                                                             m(4, 16, 1024, 1024, dt=f16))),
            ("topp_mask", lambda c, x: x.masked_fill(c > 0.95, float("-inf")), (m(16, 49152, dt=f32),
                                                                                m(16, 49152, dt=f32)))]
    # casts: Mistral-Nemo logits up, Granite-3's fp32 RMSNorm output down, DINOv2 images to fp16, a Pythia int32
    # attention mask to long, Qwen2-MoE expert ids to int32
    out += [("to_fp32", lambda x: x.float(), (m(4, 131072),)),
            ("to_bf16", lambda x: x.to(bf), (m(3000, 4096, dt=f32),)),
            ("to_fp16", lambda x: x.half(), (m(8, 3, 518, 518, dt=f32),)),
            ("to_long", lambda x: x.long(), (m(4, 3000, dt=i32),)),
            ("to_int32", lambda x: x.int(), (i(2048, 4),))]
    # layout: Mistral-Nemo KV cache (8 KV heads), DINOv2's class token before its patches, Phi-2's rotated and
    # pass-through dims rejoined, HuBERT-large stacked layer outputs, HuBERT conv features to frames, Swin-T's window
    # partition and patch merging (four strided slices joined), repeat_kv for Mistral-Nemo (4 q heads a KV head)
    out += [("cat_kv", lambda a, b: torch.cat([a, b], 2), (m(8, 8, 4095, 128), m(8, 8, 1, 128))),
            ("cat_cls", lambda c, x: torch.cat([c.expand(x.shape[0], -1, -1), x], 1),
             (m(1, 1, 1024, dt=f16), m(4, 1369, 1024, dt=f16))),
            ("cat_rotary", lambda a, b: torch.cat([a, b], -1), (m(2, 32, 515, 32, dt=f16),
                                                                m(2, 32, 515, 48, dt=f16))),
            ("stack_layers", lambda a, b, c: torch.stack([a, b, c]), tuple(m(4, 749, 1024, dt=f32)
                                                                           for _ in range(3))),
            ("transpose_contiguous", lambda x: x.transpose(1, 2).contiguous(), (m(4, 512, 749, dt=f32),)),
            ("window_partition", lambda x: x.view(8, 8, 7, 8, 7, 96).permute(0, 1, 3, 2, 4, 5).contiguous(),
             (m(8, 56, 56, 96, dt=f32),)),
            ("patch_merge", lambda x: torch.cat([x[:, 0::2, 0::2], x[:, 1::2, 0::2], x[:, 0::2, 1::2],
                                                 x[:, 1::2, 1::2]], -1), (m(8, 56, 56, 96, dt=f32),)),
            ("repeat_kv", lambda x: x[:, :, None].expand(2, 8, 4, 3000, 128).reshape(2, 32, 3000, 128),
             (m(2, 8, 3000, 128),))]
    # misc: Swin-T's feature map padded to whole windows, Granite-3 (bool) / SmolLM2 (fp16) causal masks, Phi-2's fp16
    # clamp
    out += [("pad", lambda x: F.pad(x, (0, 0, 0, 3, 0, 3)), (m(2, 60, 60, 192, dt=f32),)),
            ("tril", lambda x: torch.tril(x), (m(2500, 2500, dt=b8),)),
            ("triu_mask", lambda x: torch.triu(x, 1), (m(2048, 2048, dt=f16),)),
            ("clamp", lambda x: x.clamp(min=-65504.0, max=65504.0), (m(1000, 10240, dt=f16),))]
    return out


def specs():
    """(group, label, callable, meta inputs, positive) of the group, as aten_cases' spec functions yield them."""
    from hetsim.calibration.gpu_suite.aten_cases import _labelled

    yield from _labelled(((REALCODE_CHECK5, _check5()),))
