"""SeerAttention-R's gated block selection as plain PyTorch (hand formulas: hetsim/workloads/seer_attention.py).

Rows are laid out KV head first, (kv_head, request), so that the gate's per-head projections and the
per-row scores are plain views of one another.
Prefill Prepare: keys pooled per block (max, min, mean over block_size tokens), concatenated
  (3 x head_dim, as the reference's AttnGate does) and projected per KV head to the gate's keys.
Decode, per layer:
  prepare    the block being filled: running max, min and sum with the new key; the queries of
             each KV group projected to the gate query (one bmm over the KV heads)
  relevancy  the gate query against every complete block's gate key (a batched GEMV), softmax over
             blocks (the gate's probabilities; the 1/sqrt(gate_dim) scale folded into the weights)
  retrieval  top k = token_budget / block_size blocks (budget mode; threshold mode selects a
             data-dependent count per row, which plain PyTorch can only compact with nonzero and a
             host sync, so it is not written here)
  apply      the selected blocks and the block being filled gathered (index_select of block rows),
             cut to the attended tokens, then SDPA with the query heads on their KV head
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hetsim.method_code.base import Maker, State

POOLS = 3


def sizes(model: dict, params: dict, batch: int, context: int) -> dict:
    bs = int(params.get("block_size", 64))
    n = context // bs
    if params.get("mode", "budget") != "budget":
        raise ValueError("seer_attention's PyTorch code covers budget mode only")
    k = int(params.get("token_budget", 4096)) // bs
    return {"batch": batch, "context": context, "q_heads": model["q_heads"], "kv_heads": model["kv_heads"],
            "head_dim": model["head_dim"], "gate_dim": int(params.get("gate_dim", 128)), "block_size": bs,
            "blocks": n, "top_k": max(1, min(k, n)), "filled": context % bs}


def state(s: dict, mk: Maker, phase: str) -> State:
    b, hk, d, gd, bs, n = s["batch"], s["kv_heads"], s["head_dim"], s["gate_dim"], s["block_size"], s["blocks"]
    g = s["q_heads"] // hk
    wk = mk.randn(hk, POOLS * d, gd)
    if phase == "prefill":
        return {"s": s, "keys": mk.randn(hk, b * n * bs, d), "wk": wk}
    return {
        "s": s,
        "q": mk.randn(b, hk, g * d), "key": mk.randn(hk, b, d),
        "pool_max": mk.randn(hk, b, d), "pool_min": mk.randn(hk, b, d), "pool_sum": mk.randn(hk, b, d),
        "wq": mk.randn(hk, g * d, gd), "wk": wk,
        "gate_keys": mk.randn(hk * b, n, gd),
        # the block cache: one row per (KV head, request, block) of block_size x head_dim; block n fills
        "k_blocks": mk.randn(hk * b * (n + 1), bs * d), "v_blocks": mk.randn(hk * b * (n + 1), bs * d),
        "block_base": mk.arange(hk * b, n + 1).view(hk * b, 1),
        "filling": (mk.arange(hk * b, n + 1) + n).view(hk * b, 1),
    }


def pool_blocks(st: State) -> None:
    s = st["s"]
    hk, rows, bs, d = s["kv_heads"], s["batch"] * s["blocks"], s["block_size"], s["head_dim"]
    keys = st["keys"].view(hk, rows, bs, d)
    pooled = torch.cat((keys.amax(dim=2), keys.amin(dim=2), keys.mean(dim=2)), dim=-1)
    st["gate_keys"] = torch.bmm(pooled, st["wk"])


def update_gate(st: State) -> None:
    key = st["key"]
    st["pool_max"] = torch.maximum(st["pool_max"], key)
    st["pool_min"] = torch.minimum(st["pool_min"], key)
    st["pool_sum"] = torch.add(st["pool_sum"], key)
    st["q_gate"] = torch.bmm(st["q"].transpose(0, 1), st["wq"])  # (kv_head, request, gate_dim)


def gate_scores(st: State) -> None:
    s = st["s"]
    rows = s["kv_heads"] * s["batch"]
    q = st["q_gate"].view(rows, 1, s["gate_dim"])
    st["probs"] = torch.softmax(torch.bmm(q, st["gate_keys"].transpose(1, 2)), dim=-1).view(rows, s["blocks"])


def select_blocks(st: State) -> None:
    st["block_ids"] = torch.topk(st["probs"], st["s"]["top_k"], dim=-1).indices


def block_attention(st: State) -> None:
    s = st["s"]
    b, hk, d, bs, k = s["batch"], s["kv_heads"], s["head_dim"], s["block_size"], s["top_k"]
    rows = torch.cat((st["block_ids"] + st["block_base"], st["filling"]), dim=1).view(-1)
    attended = k * bs + s["filled"]
    keys = st["k_blocks"].index_select(0, rows).view(hk, b, (k + 1) * bs, d)[:, :, :attended].transpose(0, 1)
    values = st["v_blocks"].index_select(0, rows).view(hk, b, (k + 1) * bs, d)[:, :, :attended].transpose(0, 1)
    q = st["q"].view(b, s["q_heads"], 1, d)
    st["out"] = F.scaled_dot_product_attention(q, keys, values, enable_gqa=True)


STEPS = {
    "prefill": {"prepare": pool_blocks},
    "decode": {"prepare": update_gate, "relevancy": gate_scores, "retrieval": select_blocks,
               "apply": block_attention},
}
