"""numpy references of the three FPGA kernels: the same integer arithmetic, bit for bit.

Top-k order everywhere: higher score first, ties to the lower index. Slots past the number of
candidates hold index NO_INDEX and score 0, as the kernels write them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NO_INDEX = 0xFFFFFFFF


@dataclass(frozen=True)
class TopKReference:
    """A top-k as a kernel writes it (the reference's or a backend's), compared slot by slot."""

    idx: np.ndarray  # uint32[k]
    score: np.ndarray  # int64[k]

    def equals(self, other: TopKReference) -> bool:
        return bool(np.array_equal(self.idx, other.idx) and np.array_equal(self.score, other.score))


def topk_exact(scores: np.ndarray, k: int) -> TopKReference:
    scores = np.asarray(scores, dtype=np.int64)
    # lexsort: last key is primary. Negating is safe: kernel scores stay far from int64 min.
    order = np.lexsort((np.arange(scores.size), -scores))[:k]
    idx = np.full(k, NO_INDEX, dtype=np.uint32)
    score = np.zeros(k, dtype=np.int64)
    idx[: order.size] = order
    score[: order.size] = scores[order]
    return TopKReference(idx, score)


def inner_product_scores(keys: np.ndarray, query: np.ndarray, head_w: np.ndarray, relu: bool) -> np.ndarray:
    """keys [n, D], query [H, D], head_w [H] (int16) -> sum_h w_h f(q_h . key), f = ReLU or identity."""
    # int64 matmul is exact (numpy does not send integer products to BLAS).
    dots = keys.astype(np.int64) @ query.astype(np.int64).T
    if relu:
        dots = np.maximum(dots, 0)
    return dots @ head_w.astype(np.int64)


def page_minmax_scores(kmin: np.ndarray, kmax: np.ndarray, query: np.ndarray) -> np.ndarray:
    """kmin, kmax [n, D], query [H, D] -> sum_h sum_c max(q kmin, q kmax)."""
    q = query.astype(np.int64)[None, :, :]
    lo = q * kmin.astype(np.int64)[:, None, :]
    hi = q * kmax.astype(np.int64)[:, None, :]
    return np.maximum(lo, hi).sum(axis=(1, 2))


def bm25_weights(tf: np.ndarray, avgdl_q8: int, k1_q: int, b_q: int, kb_frac_bits: int,
                 weight_frac_bits: int) -> np.ndarray:
    """tf [n, S] (0 = empty slot) -> the per-slot weights the host writes into the index,
    w = tf (k1 + 1) / (tf + K_d), K_d = k1 (1 - b + b dl / avgdl), dl = sum tf: all divisions
    floor, in the Q formats of bm25_topk.h (K in Q.16, w in Q.weight_frac_bits; 0 where tf = 0)."""
    tf = tf.astype(np.int64)
    dl = tf.sum(axis=1)
    one = 1 << kb_frac_bits
    k_q16 = (k1_q * ((one - b_q) * avgdl_q8 + ((b_q * dl) << kb_frac_bits))) // avgdl_q8
    num = (tf * (k1_q + one)) << (weight_frac_bits + 16 - kb_frac_bits)
    den = (tf << 16) + k_q16[:, None]
    return np.where(tf > 0, num // np.maximum(den, 1), 0)


def bm25_scores(terms: np.ndarray, weights: np.ndarray, query_terms: np.ndarray, idf_q: np.ndarray) -> np.ndarray:
    """terms, weights [n, S], idf_q [V] (Q.12) -> sum of idf * weight over the slots whose term
    is in the query (score in Q(12 + weight_frac_bits))."""
    hit = np.isin(terms, query_terms)
    return (idf_q.astype(np.int64)[terms] * np.where(hit, weights, 0)).sum(axis=1)


def systolic_counters(scores: np.ndarray, streams: int, group: int, kcap: int, k: int) -> dict[str, int]:
    """The top-k counters of topk.h's systolic queues, cycle by cycle (survivors depend on when
    a candidate meets a queue's last cell, so only an exact replay predicts them): candidate i
    is dealt to stream i % streams, queue q takes streams [q group, (q + 1) group) round-robin."""
    n = len(scores)

    def better(a, b):
        if a is None:
            return False
        return b is None or a[0] > b[0] or (a[0] == b[0] and a[1] < b[1])

    survivors, merged, rounds = 0, 0, 0
    for first in range(0, streams, group):
        members = range(first, min(first + group, streams))
        order = [r * streams + s for r in range(-(-n // streams)) for s in members if r * streams + s < n]
        rounds = max(rounds, len(order))
        cell: list = [None] * kcap
        carry: list = [None] * kcap
        for t in range(len(order) + kcap - 1):
            x = (int(scores[order[t]]), order[t]) if t < len(order) else None
            passed = better(x, cell[kcap - 1])
            survivors += passed
            x = x if passed else None
            for i in range(kcap - 1, -1, -1):
                y = x if i == 0 else carry[i]
                worse = y
                if better(y, cell[i]):
                    worse, cell[i] = cell[i], y
                if i + 1 < kcap:
                    carry[i + 1] = worse
        merged += min(k, len(order))
    return {"rounds": rounds, "survivors": survivors, "merged": merged}


def pq_lut_scores(codes: np.ndarray, table: np.ndarray, head_w: np.ndarray, relu: bool) -> np.ndarray:
    """codes [n, M] (codebook ids), table [H, M, C] (int8), head_w [H] (int16) ->
    sum_h w_h f(sum_m table[h, m, codes[:, m]]), f = ReLU or identity (pq_lut_topk)."""
    h, m, _ = table.shape
    sums = np.zeros((codes.shape[0], h), np.int64)
    for s in range(m):
        sums += table[:, s, :].astype(np.int64).T[codes[:, s]]
    if relu:
        sums = np.maximum(sums, 0)
    return sums @ head_w.astype(np.int64)


# --- product quantisation on the host (what the LUT indexer's accuracy rests on)
def pq_train(x: np.ndarray, subspaces: int, codebook: int, rng: np.random.Generator, iters: int = 8) -> np.ndarray:
    """k-means codebooks [M, C, D/M] of the rows of x [n, D], per sub-vector (Lloyd, `iters` rounds)."""
    n, d = x.shape
    sub = d // subspaces
    books = np.empty((subspaces, codebook, sub), np.float64)
    for s in range(subspaces):
        xs = x[:, s * sub:(s + 1) * sub].astype(np.float64)
        c = xs[rng.choice(n, codebook, replace=n < codebook)]
        for _ in range(iters):
            a = ((xs[:, None, :] - c[None]) ** 2).sum(-1).argmin(1)
            for j in range(codebook):
                mine = xs[a == j]
                if len(mine):
                    c[j] = mine.mean(0)
        books[s] = c
    return books


def pq_encode(x: np.ndarray, books: np.ndarray) -> np.ndarray:
    """Rows of x [n, D] -> codes [n, M] (nearest centroid per sub-vector)."""
    m, _, sub = books.shape
    return np.stack([((x[:, s * sub:(s + 1) * sub, None] - books[s].T[None]) ** 2).sum(1).argmin(1)
                     for s in range(m)], axis=1).astype(np.uint8)


def pq_tables(q: np.ndarray, books: np.ndarray, lut_bits: int = 8, query_books: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Per-job tables [H, M, C] of sub-vector dot products of the queries q [H, D] with the key
    centroids, quantised to signed lut_bits with one scale per head (returned, [H], to fold into
    the head weights). query_books: also quantise each query sub-vector to its nearest centroid
    (the paper's codebooks for K and Q), else the exact query (asymmetric)."""
    m, _, sub = books.shape
    if query_books is not None:
        q = np.concatenate([query_books[s][pq_encode(q, query_books)[:, s]] for s in range(m)], axis=1)
    t = np.stack([q[:, s * sub:(s + 1) * sub] @ books[s].T for s in range(m)], axis=1)  # [H, M, C]
    top = (1 << (lut_bits - 1)) - 1
    scale = np.abs(t).reshape(t.shape[0], -1).max(1) / top
    scale[scale == 0] = 1.0
    return np.rint(t / scale[:, None, None]).astype(np.int8), scale
