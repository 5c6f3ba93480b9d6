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


def bm25_scores(
    terms: np.ndarray, tf: np.ndarray, query_terms: np.ndarray, idf_q: np.ndarray, avgdl_q8: int,
    k1_q: int, b_q: int, kb_frac_bits: int, weight_frac_bits: int,
) -> np.ndarray:
    """terms, tf [n, S] (tf 0 = empty slot), idf_q [V] (Q.12) -> score in Q(12 + weight_frac_bits).

    K = k1 (1 - b + b dl / avgdl) with dl = sum tf; w = tf (k1 + 1) / (tf + K); all divisions
    floor, in the Q formats of bm25_topk.h.
    """
    tf = tf.astype(np.int64)
    dl = tf.sum(axis=1)
    one = 1 << kb_frac_bits
    k_q16 = (k1_q * ((one - b_q) * avgdl_q8 + ((b_q * dl) << kb_frac_bits))) // avgdl_q8
    num = (tf * (k1_q + one)) << (2 * weight_frac_bits - kb_frac_bits)
    den = (tf << weight_frac_bits) + k_q16[:, None]
    hit = np.isin(terms, query_terms) & (tf > 0)
    weight = np.where(hit, num // np.maximum(den, 1), 0)
    return (idf_q.astype(np.int64)[terms] * weight).sum(axis=1)
