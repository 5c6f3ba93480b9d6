"""An LLM decoder layer as plain PyTorch: the forward MemAgent and HMT run over their own text.

Eager, as transformers' Llama / Qwen2 modelling runs it: RMSNorm in fp32 (cast up, pow, mean, add
eps, rsqrt, multiply, cast down, times the weight), rotate-half RoPE (two multiplies, a negated half
concatenated, an add), SDPA with the query heads on their KV head, SiLU then multiply. The QKV and
the gate-up projections are one linear each, as hetsim's hand formula (hetsim/workloads/models.py)
has them (transformers runs three and two: the same bytes up to re-reading the normed input).
The hand formula models a fused stack (vLLM: one kernel each for RMSNorm, rotary, SiLU-and-mul);
tests/method_code/test_hand_formulas.py writes out what eager runs instead, op by op.
QKV biases (Qwen2) are left out, as the catalogue's models leave them out.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hetsim.method_code.base import Maker

EPS = 1e-6


def dims(model: dict, params: dict) -> dict:
    """The layer's shape from a catalogue model; params `dims` (a CPU smoke run) overrides any of it."""
    out = {k: int(model[k]) for k in ("hidden", "q_heads", "kv_heads", "head_dim", "intermediate", "vocab",
                                      "layers")}
    out.update({k: int(v) for k, v in (params.get("dims") or {}).items()})
    return out


def weights(s: dict, mk: Maker) -> dict:
    h, d, i = s["hidden"], s["head_dim"], s["intermediate"]
    return {"in_norm": mk.randn(h), "qkv": mk.randn((s["q_heads"] + 2 * s["kv_heads"]) * d, h),
            "o": mk.randn(h, s["q_heads"] * d), "post_norm": mk.randn(h), "gate_up": mk.randn(2 * i, h),
            "down": mk.randn(h, i)}


def rope_tables(mk: Maker, b: int, t: int, d: int) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of the positions, (request, 1, token, head_dim): broadcast over the heads."""
    return mk.randn(b, 1, t, d), mk.randn(b, 1, t, d)


def rms_norm(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    h = x.float()
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + EPS)
    return w * h.to(x.dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    return x * cos + rotate_half(x) * sin


def pre_attention(x: torch.Tensor, w: dict, s: dict, b: int, cos: torch.Tensor, sin: torch.Tensor,
                  cache: tuple[torch.Tensor, torch.Tensor] | None = None, pos: int = 0):
    """Norm, QKV, RoPE of `x` ((request x token, hidden) or (request, token, hidden), a strided view
    too: the norm's first cast reads it); K and V written into `cache` at `pos`.
    Returns q, k, v as (request, heads, token, head_dim)."""
    hq, hk, d = s["q_heads"], s["kv_heads"], s["head_dim"]
    t = x.numel() // (b * x.shape[-1])
    qkv = F.linear(rms_norm(x, w["in_norm"]), w["qkv"]).view(b, t, hq + 2 * hk, d)
    q = rope(qkv[:, :, :hq].transpose(1, 2), cos, sin)
    k = rope(qkv[:, :, hq:hq + hk].transpose(1, 2), cos, sin)
    v = qkv[:, :, hq + hk:].transpose(1, 2)
    if cache is not None:
        cache[0][:, :, pos:pos + t] = k
        cache[1][:, :, pos:pos + t] = v
    return q, k, v


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Causal over a fresh sequence (q as long as k), or one new token over the whole cache."""
    return F.scaled_dot_product_attention(q, k, v, is_causal=q.shape[-2] > 1, enable_gqa=True)


def post_attention(x: torch.Tensor, attn: torch.Tensor, w: dict) -> torch.Tensor:
    """Heads merged (a view: RoPE's output keeps the QKV projection's token-major layout and SDPA's
    output follows it), output projection, residual, norm, gated MLP, residual."""
    b, hq, t, d = attn.shape
    x = x + F.linear(attn.transpose(1, 2).reshape(*x.shape[:-1], hq * d), w["o"])
    gate, up = F.linear(rms_norm(x, w["post_norm"]), w["gate_up"]).chunk(2, dim=-1)
    return x + F.linear(F.silu(gate) * up, w["down"])


def layer(x: torch.Tensor, w: dict, s: dict, b: int, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """One decoder layer over a fresh sequence (no cache kept)."""
    return post_attention(x, attention(*pre_attention(x, w, s, b, cos, sin)), w)
