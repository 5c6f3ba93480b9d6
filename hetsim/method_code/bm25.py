"""BM25 over an inverted index on the GPU as plain PyTorch (hand formulas: hetsim/workloads/rag.py,
`index: inverted`).

The index holds, per term, its posting list: int64 document ids and bf16 weights (idf x the tf /
length factor, precomputed), stored back to back with the term's offset known on the host (as
bm25s keeps indptr). Per query:
  prepare    the query terms' idf (index_select into the idf table)
  relevancy  the query terms' posting lists concatenated (torch.cat of slices), the weights cast to
             fp32 (index_add_ needs one dtype on both sides), zeroed fp32 scores per document, and each
             query's postings scatter-added into its row of scores (index_add_)
  retrieval  top-k documents
  apply      the documents' tokens gathered (index_select of token rows) for prepending
Every query term here has the same number of postings (term_doc_fraction x corpus), as the hand
formula assumes; the synthetic index of the runner draws the document ids at random.
"""

from __future__ import annotations

import math

import torch

from hetsim.method_code.base import Maker, State


def sizes(model: dict, params: dict, batch: int, context: int) -> dict:
    n = int(params.get("corpus_docs", 1_000_000))
    return {"batch": batch, "docs": n, "terms": int(params.get("query_terms", 16)),
            "vocab": int(params.get("vocab", 65_536)), "top_k": int(params.get("top_k", 3)),
            "doc_tokens": int(params.get("doc_tokens", 128)),
            "postings": math.ceil(float(params.get("term_doc_fraction", 0.01)) * n)}


def state(s: dict, mk: Maker, phase: str) -> State:
    b, q, p, n = s["batch"], s["terms"], s["postings"], s["docs"]
    lists = b * q  # the index holds the posting lists of the batch's query terms (term t of query i: b*i + t)
    return {
        "s": s,
        "terms": mk.randint(s["vocab"], b * q), "idf": mk.rand(s["vocab"]),
        "post_doc": mk.randint(n, lists * p), "post_w": mk.rand(lists * p, dtype=torch.bfloat16),
        "starts": [t * p for t in range(lists)],  # host-side offsets, as bm25s reads its indptr
        "doc_tokens": mk.randint(32_000, n, s["doc_tokens"], dtype=torch.int32),
    }


def query_idf(st: State) -> None:
    st["query_idf"] = st["idf"].index_select(0, st["terms"])


def score_documents(st: State) -> None:
    s = st["s"]
    b, q, p = s["batch"], s["terms"], s["postings"]
    docs = torch.cat([st["post_doc"][a:a + p] for a in st["starts"]])
    weights = torch.cat([st["post_w"][a:a + p] for a in st["starts"]]).float()
    scores = torch.zeros(b, s["docs"], dtype=torch.float32, device=docs.device)
    per_query = q * p
    for i in range(b):
        scores[i].index_add_(0, docs[i * per_query:(i + 1) * per_query], weights[i * per_query:(i + 1) * per_query])
    st["scores"] = scores


def top_documents(st: State) -> None:
    st["doc_ids"] = torch.topk(st["scores"], st["s"]["top_k"], dim=-1).indices


def gather_documents(st: State) -> None:
    st["prepend"] = st["doc_tokens"].index_select(0, st["doc_ids"].view(-1))


STEPS = {"search": {"prepare": query_idf, "relevancy": score_documents, "retrieval": top_documents,
                    "apply": gather_documents}}
