"""DeepSeek sparse attention (DeepSeek-V3.2) as plain PyTorch (hand formulas: hetsim/workloads/dsa.py).

Decode, per layer:
  prepare    the lightning indexer's projections of the new token: its key (hidden -> head_dim,
             LayerNorm, RoPE on the rope dims) written into the index cache, its query heads (from the
             query latent, RoPE) and per-head weights (from the hidden state); fp8: the query and the
             key cast to float8_e4m3fn, the key with a per-key scale (amax / 448)
  relevancy  sum over index heads of w_h * relu(q_h . k) for every cached key: a bmm, a ReLU and a
             weighted head sum (bmm); fp8: the keys cast back to bf16 first (a GPU kernel without fp8
             matrix units would do the same) and the scores multiplied by the key's scale
  retrieval  top-k tokens (index_topk, 2048)
  apply      MLA in its absorbed (MQA) form over the selected latent rows: the rows gathered
             (index_select), scores by bmm, softmax, values by bmm over their first kv_lora_rank dims
The reference's sparse MLA kernel (FlashMLA) reads the selected rows in place and keeps the scores on
chip; plain PyTorch gathers the rows and writes the scores, which the tests state.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hetsim.method_code.base import Maker, State

FP8 = torch.float8_e4m3fn
FP8_MAX = 448.0


def sizes(model: dict, params: dict, batch: int, context: int) -> dict:
    ix, mla = model["indexer"], model["mla"]
    return {"batch": batch, "context": context, "hidden": model["hidden"], "q_lora": mla["q_lora_rank"],
            "heads": int(params.get("index_heads") or ix["heads"]), "dim": int(params.get("index_head_dim") or
                                                                            ix["head_dim"]),
            "rope": mla["qk_rope_head_dim"], "top_k": min(int(params.get("top_k") or ix["topk"]), context),
            "q_heads": model["q_heads"], "latent": mla["kv_lora_rank"] + mla["qk_rope_head_dim"],
            "kv_lora": mla["kv_lora_rank"], "indexer": params.get("indexer", "bf16")}


def state(s: dict, mk: Maker, phase: str) -> State:
    b, n, dim, h = s["batch"], s["context"], s["dim"], s["heads"]
    fp8 = s["indexer"] == "fp8"
    return {
        "s": s,
        "x": mk.randn(b, s["hidden"]), "q_latent": mk.randn(b, s["q_lora"]),
        "wk": mk.randn(dim, s["hidden"]), "k_norm_w": mk.randn(dim), "k_norm_b": mk.randn(dim),
        "wq": mk.randn(h * dim, s["q_lora"]), "w_heads": mk.randn(h, s["hidden"]),
        "cos": mk.randn(b, 1, s["rope"] // 2), "sin": mk.randn(b, 1, s["rope"] // 2),
        "index_k": mk.randn(b, n, dim).to(FP8) if fp8 else mk.randn(b, n, dim),
        "index_scale": mk.rand(b, 1, n), "pos": n - 1,
        # the absorbed query with MLA's softmax scale folded in, drawn so that its scores are O(1) as a
        # trained model's are: unscaled N(0, 1) data over 576 dims (score std ~24) sent the softmax kernel
        # into its slow underflow path (H200: 32.7 us in the step vs 8.3 us for the same shape on N(0, 1))
        "q_mla": mk.randn(b, s["q_heads"], s["latent"]) * s["latent"] ** -0.5,
        "latent_cache": mk.randn(b * n, s["latent"]),
        "row_base": mk.arange(b, n).view(b, 1),
    }


def rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, dims: int) -> torch.Tensor:
    """Rotary embedding on the first `dims` channels (halves rotated), the rest passed through."""
    half = dims // 2
    x1, x2, rest = x[..., :half], x[..., half:dims], x[..., dims:]
    return torch.cat((x1 * cos - x2 * sin, x2 * cos + x1 * sin, rest), dim=-1)


def index_projections(st: State) -> None:
    s = st["s"]
    b, h, dim = s["batch"], s["heads"], s["dim"]
    key = F.layer_norm(F.linear(st["x"], st["wk"]), (dim,), st["k_norm_w"], st["k_norm_b"])
    key = rope(key.view(b, 1, dim), st["cos"], st["sin"], s["rope"])
    q = rope(F.linear(st["q_latent"], st["wq"]).view(b, h, dim), st["cos"], st["sin"], s["rope"])
    st["weights"] = F.linear(st["x"], st["w_heads"]).view(b, 1, h)
    pos = st["pos"]
    if s["indexer"] == "fp8":
        scale = key.abs().amax(dim=-1) / FP8_MAX
        st["index_k"][:, pos:pos + 1] = (key / scale.unsqueeze(-1)).to(FP8)
        st["index_scale"][:, :, pos] = scale.float()
        st["q_index"] = q.to(FP8)
    else:
        st["index_k"][:, pos:pos + 1] = key
        st["q_index"] = q


def index_scores(st: State) -> None:
    keys, q = st["index_k"], st["q_index"]
    if st["s"]["indexer"] == "fp8":
        keys, q = keys.to(torch.bfloat16), q.to(torch.bfloat16)
    logits = torch.relu(torch.bmm(q, keys.transpose(1, 2)))  # (request, head, token)
    scores = torch.bmm(st["weights"], logits)  # (request, 1, token)
    if st["s"]["indexer"] == "fp8":
        scores.mul_(st["index_scale"])  # in place: the scores stay bf16
    st["scores"] = scores.view(st["s"]["batch"], -1)


def top_tokens(st: State) -> None:
    st["token_ids"] = torch.topk(st["scores"], st["s"]["top_k"], dim=-1).indices


def sparse_mla(st: State) -> None:
    s = st["s"]
    b, k = s["batch"], s["top_k"]
    rows = (st["token_ids"] + st["row_base"]).view(-1)
    kv = st["latent_cache"].index_select(0, rows).view(b, k, s["latent"])
    probs = torch.softmax(torch.bmm(st["q_mla"], kv.transpose(1, 2)), dim=-1)
    st["out"] = torch.bmm(probs, kv[:, :, :s["kv_lora"]])


STEPS = {"decode": {"prepare": index_projections, "relevancy": index_scores, "retrieval": top_tokens,
                    "apply": sparse_mla}}
