"""Two-stage RAG as plain PyTorch (hand formulas: hetsim/workloads/rag.py, `rag_two_stage`, flat or IVF first stage).

First stage (phase `first_stage`):
  prepare    the embedding model (a BERT-base encoder, eager: QKV linear, SDPA, the heads merged back
             (transpose + reshape: a copy), output linear, residual add, LayerNorm, GELU MLP, add,
             LayerNorm) over the query tokens, mean-pooled and L2-normalised
  relevancy  flat: an inner-product scan of the corpus embeddings (one GEMM); ivf: the query against the
             centroids, the `nprobe` nearest lists, their documents gathered (index_select; the corpus is
             stored list by list) and scored (a batched GEMV)
  retrieval  top `candidates` documents
Rerank (phase `rerank`):
  prepare    the cross-encoder (the same encoder) over every (query, candidate) pair, a linear head on
             the first token, top-k of the candidates
  apply      the chosen documents' tokens gathered for prepending
The encoders start from embedded tokens: the token-embedding lookup is left out, as in the hand formula.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from hetsim.method_code.base import Maker, State


def sizes(model: dict, params: dict, batch: int, context: int) -> dict:
    docs, nlist, nprobe = (int(params.get("corpus_docs", 1_000_000)), int(params.get("nlist", 4096)),
                           int(params.get("nprobe", 32)))
    return {"batch": batch, "docs": docs, "first_stage": params.get("first_stage", "flat"), "nlist": nlist,
            "nprobe": nprobe, "list_docs": docs // nlist, "scanned": min(docs, -(-docs * nprobe // nlist)),
            "candidates": int(params.get("candidates", 64)), "top_k": int(params.get("top_k", 3)),
            "query_tokens": int(params.get("query_tokens", 32)), "doc_tokens": int(params.get("doc_tokens", 128)),
            "layers": int(params.get("encoder_layers", 12)), "hidden": int(params.get("encoder_hidden", 768)),
            "heads": int(params.get("encoder_heads", 12)), "intermediate": int(params.get("encoder_intermediate",
                                                                                          3072))}


def _encoder_weights(s: dict, mk: Maker) -> list[dict]:
    h, i = s["hidden"], s["intermediate"]
    return [{"qkv": mk.randn(3 * h, h), "qkv_b": mk.randn(3 * h), "o": mk.randn(h, h), "o_b": mk.randn(h),
             "ln1_w": mk.randn(h), "ln1_b": mk.randn(h), "up": mk.randn(i, h), "up_b": mk.randn(i),
             "down": mk.randn(h, i), "down_b": mk.randn(h), "ln2_w": mk.randn(h), "ln2_b": mk.randn(h)}
            for _ in range(s["layers"])]


def state(s: dict, mk: Maker, phase: str) -> State:
    b, h = s["batch"], s["hidden"]
    out: State = {"s": s, "encoder": _encoder_weights(s, mk)}
    if phase == "first_stage":
        # IVF: the corpus stored list by list (list i: rows i * list_docs ...), the centroids beside it
        out.update(query=mk.randn(b, s["query_tokens"], h), corpus=mk.randn(s["docs"], h),
                   centroids=mk.randn(s["nlist"], h), list_offsets=mk.arange(s["list_docs"]))
    else:
        pairs = b * s["candidates"]
        out.update(pairs=mk.randn(pairs, s["query_tokens"] + s["doc_tokens"], h), head=mk.randn(1, h),
                   doc_tokens=mk.randint(32_000, s["docs"], s["doc_tokens"], dtype=torch.int32),
                   candidate_ids=mk.randint(s["docs"], b, s["candidates"]))
    return out


def encode(x: torch.Tensor, weights: list[dict], heads: int) -> torch.Tensor:
    """A BERT-style bidirectional encoder over `x` (sequences, tokens, hidden), as eager PyTorch runs it."""
    s, t, h = x.shape
    for w in weights:
        qkv = F.linear(x, w["qkv"], w["qkv_b"]).view(s, t, 3, heads, h // heads).permute(2, 0, 3, 1, 4)
        a = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])
        a = a.transpose(1, 2).reshape(s, t, h)
        x = F.layer_norm(F.linear(a, w["o"], w["o_b"]) + x, (h,), w["ln1_w"], w["ln1_b"])
        up = F.gelu(F.linear(x, w["up"], w["up_b"]))
        x = F.layer_norm(F.linear(up, w["down"], w["down_b"]) + x, (h,), w["ln2_w"], w["ln2_b"])
    return x


def embed_query(st: State) -> None:
    x = encode(st["query"], st["encoder"], st["s"]["heads"])
    st["query_emb"] = F.normalize(x.mean(dim=1), dim=-1)


def scan(st: State) -> None:
    s = st["s"]
    if s["first_stage"] == "flat":
        st["scores"] = F.linear(st["query_emb"], st["corpus"])
        return
    # IVF: the nprobe nearest lists, their documents gathered, scored by a batched GEMV
    lists = torch.topk(F.linear(st["query_emb"], st["centroids"]), s["nprobe"], dim=-1).indices
    rows = (lists.unsqueeze(-1) * s["list_docs"] + st["list_offsets"]).view(-1)
    docs = st["corpus"].index_select(0, rows).view(s["batch"], -1, s["hidden"])
    st["scores"] = torch.bmm(st["query_emb"].unsqueeze(1), docs.transpose(1, 2)).view(s["batch"], -1)


def top_candidates(st: State) -> None:
    st["candidate_ids"] = torch.topk(st["scores"], st["s"]["candidates"], dim=-1).indices


def rerank(st: State) -> None:
    s = st["s"]
    x = encode(st["pairs"], st["encoder"], s["heads"])
    scores = F.linear(x[:, 0], st["head"]).view(s["batch"], s["candidates"])
    best = torch.topk(scores, s["top_k"], dim=-1).indices
    st["doc_ids"] = torch.gather(st["candidate_ids"], 1, best)


def gather_documents(st: State) -> None:
    st["prepend"] = st["doc_tokens"].index_select(0, st["doc_ids"].view(-1))


STEPS = {"first_stage": {"prepare": embed_query, "relevancy": scan, "retrieval": top_candidates},
         "rerank": {"prepare": rerank, "apply": gather_documents}}
