"""LServe / Quest page selection as plain PyTorch (hetsim/workloads/lserve.py has the hand formulas).

Prefill Prepare: per KV page, the channel-wise min and max of its keys (amin / amax over the page).
Decode, per sparse layer:
  prepare    the current page's running min and max after the new key
  relevancy  max(q*kmin, q*kmax) summed over channels = relu(q) . kmax + min(q, 0) . kmin: two
             batched GEMVs per KV head (the query group as rows), added, summed over the group
  retrieval  top-k pages (k = token_budget / page_size) per request and KV head
  apply      the selected pages' K and V gathered (index_select of page rows), then SDPA over them
             with the query heads grouped on their KV head (enable_gqa)
The gather is what plain PyTorch must run: LServe's and Quest's kernels read the selected pages in
place (paged attention), which the hand formula models; the tests state the difference.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from hetsim.method_code.base import Maker, State


def sizes(model: dict, params: dict, batch: int, context: int) -> dict:
    page = int(params.get("page_size", 16))
    budget = int(params.get("token_budget", 1024))
    return {"batch": batch, "context": context, "q_heads": model["q_heads"], "kv_heads": model["kv_heads"],
            "head_dim": model["head_dim"], "page_size": page, "pages": math.ceil(context / page),
            "top_k": budget // page}


def state(s: dict, mk: Maker, phase: str) -> State:
    b, hk, d, p, ps = s["batch"], s["kv_heads"], s["head_dim"], s["pages"], s["page_size"]
    g = s["q_heads"] // hk
    if phase == "prefill":
        return {"s": s, "keys": mk.randn(b, hk, p * ps, d)}
    return {
        "s": s,
        "q": mk.randn(b, hk, g, d), "key": mk.randn(b, hk, d),
        "cur_min": mk.randn(b, hk, d), "cur_max": mk.randn(b, hk, d),
        "page_min": mk.randn(b * hk, p, d), "page_max": mk.randn(b * hk, p, d),
        # the paged cache: one row per (request, KV head, page) of page_size x head_dim
        "k_pages": mk.randn(b * hk * p, ps * d), "v_pages": mk.randn(b * hk * p, ps * d),
        "page_base": mk.arange(b * hk, p).view(b, hk, 1),
    }


def build_index(st: State) -> None:
    s = st["s"]
    keys = st["keys"].view(s["batch"], s["kv_heads"], s["pages"], s["page_size"], s["head_dim"])
    st["page_min"] = keys.amin(dim=3)
    st["page_max"] = keys.amax(dim=3)


def update_page(st: State) -> None:
    st["cur_min"] = torch.minimum(st["cur_min"], st["key"])
    st["cur_max"] = torch.maximum(st["cur_max"], st["key"])


def score_pages(st: State) -> None:
    s, q = st["s"], st["q"]
    b, hk, d = s["batch"], s["kv_heads"], s["head_dim"]
    g = s["q_heads"] // hk
    pos = q.clamp_min(0).view(b * hk, g, d)
    neg = q.clamp_max(0).view(b * hk, g, d)
    scores = torch.bmm(pos, st["page_max"].transpose(1, 2)) + torch.bmm(neg, st["page_min"].transpose(1, 2))
    st["scores"] = scores.sum(dim=1).view(b, hk, s["pages"])


def top_pages(st: State) -> None:
    st["page_ids"] = torch.topk(st["scores"], st["s"]["top_k"], dim=-1).indices


def sparse_attention(st: State) -> None:
    s = st["s"]
    b, hk, d, ps, k = s["batch"], s["kv_heads"], s["head_dim"], s["page_size"], s["top_k"]
    rows = (st["page_ids"] + st["page_base"]).view(-1)
    keys = st["k_pages"].index_select(0, rows).view(b, hk, k * ps, d)
    values = st["v_pages"].index_select(0, rows).view(b, hk, k * ps, d)
    q = st["q"].view(b, s["q_heads"], 1, d)
    st["out"] = F.scaled_dot_product_attention(q, keys, values, enable_gqa=True)


STEPS = {
    "prefill": {"prepare": build_index},
    "decode": {"prepare": update_page, "relevancy": score_pages, "retrieval": top_pages, "apply": sparse_attention},
}
