"""LLM shapes -> the ops of the model itself (everything around the memory pipeline).

A decoder layer is: RMSNorm, fused QKV projection, RoPE, KV-cache append (before attention);
output projection, residual, RMSNorm, gated MLP, residual (after attention). Attention itself
is the method's Apply step.
"""

from __future__ import annotations

from hetsim.config.schema import ModelSpec
from hetsim.ops import Elementwise, Matmul, Op, Reduction, dtype_bytes


def weight_bytes(m: ModelSpec) -> int:
    e = dtype_bytes(m.dtype)
    qkv = m.hidden * (m.q_heads + 2 * m.kv_heads) * m.head_dim
    o = m.q_heads * m.head_dim * m.hidden
    mlp = 3 * m.hidden * m.intermediate
    per_layer = qkv + o + mlp + 2 * m.hidden
    return e * (m.layers * per_layer + 2 * m.vocab * m.hidden + m.hidden)


def kv_bytes_per_token(m: ModelSpec) -> int:
    """K and V of one token in every layer."""
    return dtype_bytes(m.dtype) * 2 * m.layers * m.kv_heads * m.head_dim


def pre_attention_ops(m: ModelSpec, tokens: int) -> list[Op]:
    d, qkv_out = m.dtype, (m.q_heads + 2 * m.kv_heads) * m.head_dim
    return [
        Elementwise(tokens * m.hidden, 1, d, 4.0, m.hidden, name="rmsnorm"),
        Matmul(tokens, qkv_out, m.hidden, dtype=d, name="qkv_proj"),
        Elementwise(tokens * (m.q_heads + m.kv_heads) * m.head_dim, 1, d, 6.0, name="rope"),
        Elementwise(tokens * 2 * m.kv_heads * m.head_dim, 1, d, 0.0, name="kv_append"),
    ]


def post_attention_ops(m: ModelSpec, tokens: int) -> list[Op]:
    d = m.dtype
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
