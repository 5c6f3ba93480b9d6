"""BM25 on the host CPU, measured for real with bm25s and predicted by the CPU model.

`measure_bm25` generates a synthetic corpus here (nothing is downloaded): term ranks drawn from a
Zipf law (s = 1.07 over a 65,536-term vocabulary, as word frequencies in English text), document
lengths log-normal (median 60 terms after stop-word removal, sigma 0.5, clipped to 8..400: passage
-sized documents); queries of 8 distinct terms drawn from the same law past its 100 most frequent
ranks (a tokenizer drops those as stop words). bm25s indexes it (not timed); each query is then
timed as bm25s retrieves: `get_scores` (np.zeros + one np.add.at per term) and
`bm25s.selection.topk` (np.argpartition + sorting the k).

`predict_bm25` prices the same queries with the RAG method's own CPU op list (`Rag.search_work`
ops for `cpu`) on the CPU model with the calibration profile, each query with its own statistics
read from the index (terms, mean postings per term, share of documents holding any of its terms:
a top-k over mostly-zero scores runs slower), and takes their median: the corpus enters only as
sizes and counts, never as a fitted time.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass

import numpy as np

VOCAB, ZIPF_S = 65_536, 1.07
DOC_MEDIAN, DOC_SIGMA, DOC_MIN, DOC_MAX = 60, 0.5, 8, 400
QUERY_TERMS, STOP_RANKS, TOP_K = 8, 100, 10


@dataclass(frozen=True)
class Bm25Point:
    docs: int
    queries: int
    query_terms: float  # distinct terms per query found in the index
    postings_per_term: float
    median_s: float
    p10_s: float
    p90_s: float
    load_avg_1m: float
    index_s: float
    # per query, from the index (no timing): (terms, mean postings per term, share of documents holding any term)
    per_query: tuple[tuple[int, float, float], ...] = ()


def zipf_probs(vocab: int = VOCAB, s: float = ZIPF_S) -> np.ndarray:
    p = 1.0 / np.arange(1, vocab + 1) ** s
    return p / p.sum()


def corpus(docs: int, rng: np.random.Generator) -> list[list[int]]:
    lengths = np.clip(np.round(rng.lognormal(np.log(DOC_MEDIAN), DOC_SIGMA, docs)), DOC_MIN, DOC_MAX).astype(int)
    tokens = rng.choice(VOCAB, int(lengths.sum()), p=zipf_probs()).astype(np.int32)
    return [a.tolist() for a in np.split(tokens, np.cumsum(lengths)[:-1])]


def queries(n: int, rng: np.random.Generator) -> list[list[int]]:
    p = zipf_probs()
    p[:STOP_RANKS] = 0.0
    p /= p.sum()
    return [sorted(rng.choice(VOCAB, QUERY_TERMS, replace=False, p=p).tolist()) for _ in range(n)]


def measure_bm25(docs: int, n_queries: int = 60, seed: int = 0) -> Bm25Point:
    import bm25s
    from bm25s.selection import topk

    rng = np.random.default_rng(seed)
    corp = corpus(docs, rng)
    # bm25s takes dense token ids and a vocabulary {token: id}: the terms the corpus holds, in rank order
    present = np.unique(np.fromiter((t for d in corp for t in d), dtype=np.int32))
    pos = {int(t): i for i, t in enumerate(present)}
    dense = np.full(VOCAB, -1, dtype=np.int64)
    dense[present] = np.arange(present.size)
    corp = [dense[np.asarray(d)].tolist() for d in corp]
    t0 = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index((corp, pos), show_progress=False)
    index_s = time.perf_counter() - t0
    del corp
    qs = [[pos[t] for t in q if t in pos] for q in queries(n_queries, rng)]
    qs = [q for q in qs if q]
    indptr = retriever.scores["indptr"]
    postings = [int(indptr[t + 1] - indptr[t]) for q in qs for t in q]
    indices = retriever.scores["indices"]
    per_query = tuple((len(q), statistics.mean(int(indptr[t + 1] - indptr[t]) for t in q),
                       np.unique(np.concatenate([indices[indptr[t]:indptr[t + 1]] for t in q])).size / docs)
                      for q in qs)

    def run(q: list[int]) -> None:
        topk(retriever.get_scores(q), TOP_K, backend="numpy", sorted=True)

    run(qs[0])  # warm-up
    times, loads = [], []
    for _ in range(5):  # five passes over the queries: a busy neighbour shows as spread, not as the median
        for q in qs:
            t = time.perf_counter()
            run(q)
            times.append(time.perf_counter() - t)
        loads.append(os.getloadavg()[0])
    q10, q50, q90 = np.percentile(times, [10, 50, 90])
    return Bm25Point(docs, len(qs), statistics.mean(len(q) for q in qs), statistics.mean(postings),
                     float(q50), float(q10), float(q90), statistics.mean(loads), index_s, per_query)


def predict_bm25(point: Bm25Point, cpu_model) -> float:
    """Seconds per query the CPU model gives for the RAG method's CPU relevancy + retrieval ops: the
    median over the queries, each priced with its own terms, postings and scored share (the same
    statistic as the measured median), or one average query when the point has no per-query stats."""
    if point.per_query:
        return statistics.median(_predict_query(point.docs, t, ppt, share, cpu_model)
                                 for t, ppt, share in point.per_query)
    return _predict_query(point.docs, max(1, round(point.query_terms)), point.postings_per_term, None, cpu_model)


def _predict_query(docs: int, terms: int, postings_per_term: float, scored_share: float | None, cpu_model) -> float:
    from hetsim.config.load import Catalogue
    from hetsim.config.schema import WorkloadSpec
    from hetsim.workloads.registry import build_method

    params = {"corpus_docs": docs, "query_terms": terms, "top_k": TOP_K, "index": "inverted",
              "vocab": VOCAB, "term_doc_fraction": min(1.0 / terms, postings_per_term / docs),
              "scored_share": scored_share}
    workload = WorkloadSpec(method="rag", model="Llama-2-7B", context_tokens=64, batch=1, decode_tokens=1,
                            params=params)
    method = build_method(workload, Catalogue.load().models["Llama-2-7B"], "(cpu-bm25 validation)")
    work = method.search_work(1)
    ops = [*work.step("relevancy").ops["cpu"], *work.step("retrieval").ops["cpu"]]
    return sum(cpu_model.op_time_s(op) for op in ops)
