"""LLM shapes -> the ops of the model itself (everything around the memory pipeline).

A decoder layer is: RMSNorm, fused QKV projection, RoPE, KV-cache append (before attention);
output projection, residual, RMSNorm, gated MLP, residual (after attention). Attention itself
is the method's Apply step.

A model with `mla` (DeepSeek) projects through low-rank latents and keeps one latent row per
token; its attention runs in the absorbed (MQA) form, so the per-head up-projections of the
keys and values are folded into the query before and the output after attention. A model with
`moe` replaces the MLP by a router, `experts_per_token` routed experts and the shared experts.
"""

from __future__ import annotations

import math

from hetsim.config.schema import ModelSpec
from hetsim.ops import Elementwise, GroupedMatmul, Matmul, Op, Reduction, TopK, dtype_bytes


def attention_params(m: ModelSpec) -> int:
    """Weights of one layer's attention block (projections and their norms)."""
    if m.mla:
        a = m.mla
        q = m.hidden * a.q_lora_rank + a.q_lora_rank * m.q_heads * (a.qk_nope_head_dim + a.qk_rope_head_dim)
        kv = m.hidden * (a.kv_lora_rank + a.qk_rope_head_dim) + a.kv_lora_rank * m.q_heads * (
            a.qk_nope_head_dim + a.v_head_dim)
        return q + kv + m.q_heads * a.v_head_dim * m.hidden + a.q_lora_rank + a.kv_lora_rank
    qkv = m.hidden * (m.q_heads + 2 * m.kv_heads) * m.head_dim
    return qkv + m.q_heads * m.head_dim * m.hidden


def moe_layers(m: ModelSpec) -> int:
    return 0 if not m.moe else max(0, m.layers - m.moe.dense_layers)


def weight_bytes(m: ModelSpec) -> int:
    e = dtype_bytes(m.dtype)
    dense_mlp = 3 * m.hidden * m.intermediate
    mlp = dense_mlp * (m.layers - moe_layers(m))
    if m.moe:
        x = m.moe
        per_moe = 3 * m.hidden * x.intermediate * (x.experts + x.shared_experts) + x.experts * m.hidden
        mlp += per_moe * moe_layers(m)
    per_layer = attention_params(m) + 2 * m.hidden
    return e * (m.layers * per_layer + mlp + 2 * m.vocab * m.hidden + m.hidden)


def kv_bytes_per_token(m: ModelSpec) -> int:
    """K and V (MLA: the latent row) of one token in every layer."""
    if m.mla:
        return dtype_bytes(m.dtype) * m.layers * (m.mla.kv_lora_rank + m.mla.qk_rope_head_dim)
    return dtype_bytes(m.dtype) * 2 * m.layers * m.kv_heads * m.head_dim


def active_experts(m: ModelSpec, tokens: int) -> int:
    """Distinct routed experts `tokens` tokens touch, expected under uniform routing: each token
    picks experts_per_token of the experts, so one expert stays idle with (1 - k/E)^tokens."""
    x = m.moe
    assert x is not None
    return min(x.experts, math.ceil(x.experts * (1.0 - (1.0 - x.experts_per_token / x.experts) ** tokens)))


def mla_pre_attention_ops(m: ModelSpec, tokens: int) -> list[Op]:
    a, d, h = m.mla, m.dtype, m.q_heads
    assert a is not None
    rope = a.qk_rope_head_dim
    return [
        Elementwise(tokens * m.hidden, 1, d, 4.0, m.hidden, name="rmsnorm"),
        Matmul(tokens, a.q_lora_rank, m.hidden, dtype=d, name="q_a_proj"),
        Elementwise(tokens * a.q_lora_rank, 1, d, 4.0, a.q_lora_rank, name="q_a_norm"),
        Matmul(tokens, h * (a.qk_nope_head_dim + rope), a.q_lora_rank, dtype=d, name="q_b_proj"),
        Matmul(tokens, a.kv_lora_rank + rope, m.hidden, dtype=d, name="kv_a_proj"),
        Elementwise(tokens * a.kv_lora_rank, 1, d, 4.0, a.kv_lora_rank, name="kv_a_norm"),
        # absorbed form: q_nope of every head times that head's key up-projection W_UK
        Matmul(tokens, a.kv_lora_rank, a.qk_nope_head_dim, batch=h, dtype=d, shared_b=False, name="q_absorb"),
        Elementwise(tokens * (h + 1) * rope, 1, d, 6.0, name="rope"),
        Elementwise(tokens * (a.kv_lora_rank + rope), 1, d, 0.0, name="kv_append"),
    ]


def mla_post_attention_ops(m: ModelSpec, tokens: int) -> list[Op]:
    a, d, h = m.mla, m.dtype, m.q_heads
    assert a is not None
    return [
        Matmul(tokens, a.v_head_dim, a.kv_lora_rank, batch=h, dtype=d, shared_b=False, name="out_absorb"),
        Matmul(tokens, m.hidden, h * a.v_head_dim, dtype=d, name="o_proj"),
    ]


def moe_ops(m: ModelSpec, tokens: int) -> list[Op]:
    x, d = m.moe, m.dtype
    assert x is not None
    routed, experts = tokens * x.experts_per_token, active_experts(m, tokens)
    ops: list[Op] = [
        Matmul(tokens, x.experts, m.hidden, dtype=d, name="router"),
        Elementwise(tokens * x.experts, 1, d, 4.0, name="router_score"),
        TopK(tokens, x.experts, x.experts_per_token, d, name="router_topk"),
        GroupedMatmul(routed, 2 * x.intermediate, m.hidden, dtype=d, experts=experts, name="experts_gate_up"),
        Elementwise(routed * x.intermediate, 2, d, 5.0, name="experts_silu_mul"),
        GroupedMatmul(routed, m.hidden, x.intermediate, dtype=d, experts=experts, name="experts_down"),
        Elementwise(tokens * m.hidden, x.experts_per_token, d, 2.0 * x.experts_per_token, name="experts_combine"),
    ]
    if x.shared_experts:
        shared = x.shared_experts * x.intermediate
        ops += [
            Matmul(tokens, 2 * shared, m.hidden, dtype=d, name="shared_gate_up"),
            Elementwise(tokens * shared, 2, d, 5.0, name="shared_silu_mul"),
            Matmul(tokens, m.hidden, shared, dtype=d, name="shared_down"),
        ]
    return ops


def pre_attention_ops(m: ModelSpec, tokens: int) -> list[Op]:
    if m.mla:
        return mla_pre_attention_ops(m, tokens)
    d, qkv_out = m.dtype, (m.q_heads + 2 * m.kv_heads) * m.head_dim
    return [
        Elementwise(tokens * m.hidden, 1, d, 4.0, m.hidden, name="rmsnorm"),
        Matmul(tokens, qkv_out, m.hidden, dtype=d, name="qkv_proj"),
        Elementwise(tokens * (m.q_heads + m.kv_heads) * m.head_dim, 1, d, 6.0, name="rope"),
        Elementwise(tokens * 2 * m.kv_heads * m.head_dim, 1, d, 0.0, name="kv_append"),
    ]


def post_attention_ops(m: ModelSpec, tokens: int) -> list[Op]:
    """After attention. A MoE model's layers are all lowered with the MoE MLP (the engine
    simulates one template per layer kind): its leading dense-MLP layers read and compute the
    same at one token when, as in DeepSeek-V3, intermediate = (experts_per_token + shared) x
    the expert size; `weight_bytes` counts them as dense."""
    d = m.dtype
    if m.mla or m.moe:
        attn_out = mla_post_attention_ops(m, tokens) if m.mla else [
            Matmul(tokens, m.hidden, m.q_heads * m.head_dim, dtype=d, name="o_proj")]
        mlp = moe_ops(m, tokens) if m.moe else [
            Matmul(tokens, 2 * m.intermediate, m.hidden, dtype=d, name="gate_up_proj"),
            Elementwise(tokens * m.intermediate, 2, d, 5.0, name="silu_mul"),
            Matmul(tokens, m.hidden, m.intermediate, dtype=d, name="down_proj")]
        return [*attn_out,
                Elementwise(tokens * m.hidden, 2, d, 1.0, name="residual"),
                Elementwise(tokens * m.hidden, 1, d, 4.0, m.hidden, name="rmsnorm"),
                *mlp,
                Elementwise(tokens * m.hidden, 2, d, 1.0, name="residual")]
    return [
        Matmul(tokens, m.hidden, m.q_heads * m.head_dim, dtype=d, name="o_proj"),
        Elementwise(tokens * m.hidden, 2, d, 1.0, name="residual"),
        Elementwise(tokens * m.hidden, 1, d, 4.0, m.hidden, name="rmsnorm"),
        Matmul(tokens, 2 * m.intermediate, m.hidden, dtype=d, name="gate_up_proj"),
        Elementwise(tokens * m.intermediate, 2, d, 5.0, name="silu_mul"),
        Matmul(tokens, m.hidden, m.intermediate, dtype=d, name="down_proj"),
        Elementwise(tokens * m.hidden, 2, d, 1.0, name="residual"),
    ]


def lm_head_ops(m: ModelSpec, tokens: int) -> list[Op]:
    d = m.dtype
    return [
        Elementwise(tokens * m.hidden, 1, d, 4.0, m.hidden, name="final_norm"),
        Matmul(tokens, m.vocab, m.hidden, dtype=d, name="lm_head"),
        Reduction(tokens, m.vocab, d, "max", name="greedy_sample"),
    ]
