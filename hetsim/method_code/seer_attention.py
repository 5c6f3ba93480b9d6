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
  retrieval  budget mode: top k = token_budget / block_size blocks; threshold mode: the gate's
             probabilities compared with `threshold` (as the reference's get_sparse_attn_mask_from_threshold)
             and the selected blocks compacted to ids with torch.nonzero (the GPU synchronises to learn
             the count; the reference's TileLang kernel reads the boolean mask instead)
  apply      the selected blocks and the block being filled gathered (index_select of block rows),
             cut to the attended tokens, then SDPA with the query heads on their KV head
Threshold mode selects a data-dependent number of blocks. The hand formula assumes
ceil(selected_fraction x blocks) per row (`selected_fraction`, a composite's params), and so does this
code: the trace (fake tensors, no data) records the nonzero with that count (base.nonzero: sizes
`assumed_selected`), and on a device the runner's synthetic gate makes it true: each row's gate keys
point `top_k` blocks along its gate query (score HOT), the others at random (score ~N(0, 1)), so those
blocks share the probability (about 1 / top_k each, above `threshold`) and the rest are ~0. Every row
then selects the same count, which the SDPA over gathered blocks needs (rows of different counts would
need a varlen kernel, as the reference's); a different total raises rather than attends wrongly.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from hetsim.method_code.base import Maker, State, nonzero

POOLS = 3
HOT = 30.0  # threshold mode, synthetic gate: the selected blocks' score (the others' ~N(0, 1))


def sizes(model: dict, params: dict, batch: int, context: int) -> dict:
    bs = int(params.get("block_size", 64))
    n = context // bs
    mode = params.get("mode", "budget")
    threshold = float(params.get("threshold", 0.01))
    if mode == "budget":
        k = int(params.get("token_budget", 4096)) // bs
    else:  # the hand formula's expected count (hetsim/workloads/seer_attention.py: selected)
        k = math.ceil(float(params.get("selected_fraction", 0.1)) * n)
    k = max(1, min(k, n))
    out = {"batch": batch, "context": context, "q_heads": model["q_heads"], "kv_heads": model["kv_heads"],
           "head_dim": model["head_dim"], "gate_dim": int(params.get("gate_dim", 128)), "block_size": bs,
           "blocks": n, "top_k": k, "filled": context % bs, "mode": mode}
    if mode == "threshold":
        if threshold * k > 0.5:  # probabilities sum to 1: k blocks above it need threshold < 1 / k
            raise ValueError(f"seer_attention threshold mode: {k} blocks cannot all exceed threshold {threshold} "
                             f"(needs threshold <= 0.5 / {k})")
        out.update(threshold=threshold, assumed_selected=batch * model["kv_heads"] * k)
    return out


def state(s: dict, mk: Maker, phase: str) -> State:
    b, hk, d, gd, bs, n = s["batch"], s["kv_heads"], s["head_dim"], s["gate_dim"], s["block_size"], s["blocks"]
    g = s["q_heads"] // hk
    wk = mk.randn(hk, POOLS * d, gd)
    if phase == "prefill":
        return {"s": s, "keys": mk.randn(hk, b * n * bs, d), "wk": wk}
    # weights drawn so that the gate's scores are O(1), as a trained gate's are (its 1/sqrt(gate_dim)
    # folded in): N(0, 1) weights gave scores of std ~256, and the softmax over blocks ran its slow
    # underflow path (H200, B8 C131077: 16.1 us against 8.7 us for the same shape in threshold mode)
    q, wq = mk.randn(b, hk, g * d), mk.randn(hk, g * d, gd) * (g * d) ** -0.5
    return {
        "s": s,
        "q": q, "key": mk.randn(hk, b, d),
        "pool_max": mk.randn(hk, b, d), "pool_min": mk.randn(hk, b, d), "pool_sum": mk.randn(hk, b, d),
        "wq": wq, "wk": wk,
        "gate_keys": (_hot_gate_keys(s, mk, q, wq) if s["mode"] == "threshold" and not mk.meta
                      else mk.randn(hk * b, n, gd) * gd ** -0.5),
        # the block cache: one row per (KV head, request, block) of block_size x head_dim; block n fills
        "k_blocks": mk.randn(hk * b * (n + 1), bs * d), "v_blocks": mk.randn(hk * b * (n + 1), bs * d),
        "block_base": mk.arange(hk * b, n + 1).view(hk * b, 1),
        "filling": (mk.arange(hk * b, n + 1) + n).view(hk * b, 1),
    }


def _hot_gate_keys(s: dict, mk: Maker, q: torch.Tensor, wq: torch.Tensor) -> torch.Tensor:
    """Gate keys under which exactly top_k blocks per row exceed the threshold (the module's docstring)."""
    rows, n, gd, k = s["kv_heads"] * s["batch"], s["blocks"], s["gate_dim"], s["top_k"]
    q_gate = torch.bmm(q.transpose(0, 1), wq).view(rows, 1, gd).float()  # as update_gate computes it
    norm2 = (q_gate * q_gate).sum(dim=-1, keepdim=True)
    keys = mk.randn(rows, n, gd, dtype=torch.float32) / norm2.sqrt()
    hot = mk.rand(rows, n).argsort(dim=1)[:, :k]
    keys.scatter_(1, hot.unsqueeze(-1).expand(rows, k, gd), (q_gate * (HOT / norm2)).expand(rows, k, gd))
    return keys.to(torch.bfloat16)


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
    s = st["s"]
    if s["mode"] == "budget":
        st["block_ids"] = torch.topk(st["probs"], s["top_k"], dim=-1).indices
        return
    ids = nonzero(st["probs"] > s["threshold"], s["assumed_selected"])  # (selected, 2): row, block; row-major
    if ids.shape[0] != s["assumed_selected"]:
        raise RuntimeError(f"threshold mode selected {ids.shape[0]} blocks, not the {s['assumed_selected']} "
                           "(top_k per row) the SDPA over gathered blocks is written for")
    st["block_ids"] = ids[:, 1].view(s["kv_heads"] * s["batch"], s["top_k"])  # a view: every row selects top_k


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
