"""LaCT (test-time training with large chunks) as plain PyTorch (hand formulas: hetsim/workloads/ttt.py).

Per-request fast weights, a SwiGLU per fast-weight head (W1, W3: head_dim x hidden, W2: hidden x
head_dim, batched over request x head rows), as LaCT's reference block runs them eagerly. A decode
step that completes a chunk of `chunk_tokens`:
  relevancy  the fast weights' forward over the chunk's keys (bmm, SiLU, multiply, bmm) and the loss,
             the negative inner product of the output with the chunk's values per token
  prepare    the backward by hand (the gradient of that loss: -v, through W2, the SiLU and the
             product; three weight gradients by bmm), each gradient orthogonalised by Muon's
             Newton-Schulz iterations (normalise, then X <- aX + (bA + cA^2) X with A = X X^T, in the
             reference's eager form), the update W <- W - lr X, and the rows renormalised
  apply      the fast-weight q/k/v projection of the new token, the fast weights' forward on its query,
             sliding-window attention over the last `window_tokens` (SDPA), and the two summed
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hetsim.method_code.base import Maker, State

NS = (3.4445, -4.7750, 2.0315)  # Muon's Newton-Schulz coefficients (a, b, c)
LR = 1e-3


def sizes(model: dict, params: dict, batch: int, context: int) -> dict:
    heads = int(params.get("fw_heads", 4))
    d = model["hidden"] // heads
    return {"batch": batch, "context": context, "hidden": model["hidden"], "fw_heads": heads, "d": d,
            "h": max(1, round(float(params.get("fw_hidden_ratio", 1.0)) * d)),
            "chunk": int(params.get("chunk_tokens", 2048)), "muon_steps": int(params.get("muon_steps", 5)),
            "window": min(int(params.get("window_tokens", 2048)), context), "q_heads": model["q_heads"],
            "kv_heads": model["kv_heads"], "head_dim": model["head_dim"]}


def state(s: dict, mk: Maker, phase: str) -> State:
    b, rows, c, d, h = s["batch"], s["batch"] * s["fw_heads"], s["chunk"], s["d"], s["h"]
    return {
        "s": s,
        "w1": mk.randn(rows, d, h), "w3": mk.randn(rows, d, h), "w2": mk.randn(rows, h, d),
        "k": mk.randn(rows, c, d), "v": mk.randn(rows, c, d),
        "x": mk.randn(b, s["hidden"]), "w_qkv": mk.randn(3 * s["hidden"], s["hidden"]),
        "q_att": mk.randn(b, s["q_heads"], 1, s["head_dim"]),
        "k_cache": mk.randn(b, s["kv_heads"], s["context"], s["head_dim"]),
        "v_cache": mk.randn(b, s["kv_heads"], s["context"], s["head_dim"]),
    }


def swiglu(x: torch.Tensor, st: State, keep: bool = False) -> torch.Tensor:
    a, g = torch.bmm(x, st["w1"]), torch.bmm(x, st["w3"])
    act = F.silu(a)
    hidden = act * g
    if keep:  # the backward reuses them
        st.update(a=a, g=g, act=act, hidden=hidden)
    return torch.bmm(hidden, st["w2"])


def chunk_loss(st: State) -> None:
    out = swiglu(st["k"], st, keep=True)
    st["loss"] = -(out * st["v"]).sum(dim=-1)


def newton_schulz(g: torch.Tensor, steps: int) -> torch.Tensor:
    a, b, c = NS
    x = g / (torch.linalg.vector_norm(g, dim=(-2, -1), keepdim=True) + 1e-7)
    for _ in range(steps):
        gram = torch.bmm(x, x.transpose(1, 2))
        poly = b * gram + c * torch.bmm(gram, gram)
        x = a * x + torch.bmm(poly, x)
    return x


def update_weights(st: State) -> None:
    s, k = st["s"], st["k"]
    d_out = -st["v"]
    d_w2 = torch.bmm(st["hidden"].transpose(1, 2), d_out)
    d_hidden = torch.bmm(d_out, st["w2"].transpose(1, 2))
    d_g = d_hidden * st["act"]
    d_a = torch.ops.aten.silu_backward(d_hidden * st["g"], st["a"])
    d_w1 = torch.bmm(k.transpose(1, 2), d_a)
    d_w3 = torch.bmm(k.transpose(1, 2), d_g)
    for name, grad in (("w1", d_w1), ("w3", d_w3), ("w2", d_w2)):
        w = torch.add(st[name], newton_schulz(grad, s["muon_steps"]), alpha=-LR)
        st[name] = w / torch.linalg.vector_norm(w, dim=-1, keepdim=True)


def apply_fast_weights(st: State) -> None:
    s = st["s"]
    b, hidden, rows, d, w = s["batch"], s["hidden"], s["batch"] * s["fw_heads"], s["d"], s["window"]
    q = F.linear(st["x"], st["w_qkv"])[:, :hidden].reshape(rows, 1, d)
    fast = swiglu(q, st).view(b, hidden)
    keys, values = st["k_cache"][:, :, -w:], st["v_cache"][:, :, -w:]
    att = F.scaled_dot_product_attention(st["q_att"], keys, values, enable_gqa=True).view(b, hidden)
    st["out"] = att + fast


STEPS = {"decode": {"relevancy": chunk_loss, "prepare": update_weights, "apply": apply_fast_weights}}
