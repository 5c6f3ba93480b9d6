"""Small pieces the methods share: token-pair counts of causal and top-k attention, raw byte
moves, and the BERT-style encoder that RAG uses as embedding model and reranker."""

from __future__ import annotations

import math

from hetsim.ops import Attention, Elementwise, Matmul, Op

INDEX_ID_BYTES = 4  # selected ids (tokens, pages, blocks, documents) travel as int32


def causal_pairs(new: int, context: int) -> int:
    """(query, key) pairs when `new` queries at the end of a `context`-token sequence each see
    their prefix (themselves included)."""
    return new * (context - new) + new * (new + 1) // 2


def topk_pairs(new: int, context: int, k: int) -> int:
    """(query, key) pairs when each of the last `new` queries attends min(prefix, k) keys."""
    first, last = context - new + 1, context  # prefix lengths of the new queries
    if last <= k:
        return causal_pairs(new, context)
    below = max(0, min(k, last) - first + 1)  # prefixes shorter than k: all of them
    short = (first + first + below - 1) * below // 2 if below else 0
    return short + (new - below) * k


def mean_keys(pairs: int, queries: int) -> int:
    """Keys per query on average, rounded up (ops take integer shapes)."""
    return max(1, math.ceil(pairs / queries))


def byte_copy(nbytes: int, name: str) -> Elementwise:
    """Moving `nbytes` within device memory (read once, written once), e.g. appending to a cache."""
    return Elementwise(nbytes, 1, "int8", 0.0, name=name)


def encoder_ops(sequences: int, seq_tokens: int, layers: int, hidden: int, heads: int, intermediate: int,
                dtype: str, prefix: str) -> list[Op]:
    """A BERT-style bidirectional encoder over `sequences` sequences of `seq_tokens` tokens (as
    eager PyTorch runs it: separate QKV, attention, output, LayerNorm, GELU MLP), all layers."""
    t = sequences * seq_tokens
    layer: list[Op] = [
        Matmul(t, 3 * hidden, hidden, dtype=dtype, name=f"{prefix}_qkv"),
        Attention(sequences, heads, heads, seq_tokens, seq_tokens, hidden // heads, dtype, name=f"{prefix}_attention"),
        Matmul(t, hidden, hidden, dtype=dtype, name=f"{prefix}_out"),
        *add_layernorm(t, hidden, dtype, prefix),
        Matmul(t, intermediate, hidden, dtype=dtype, name=f"{prefix}_up"),
        Elementwise(t * intermediate, 1, dtype, 8.0, name=f"{prefix}_gelu"),
        Matmul(t, hidden, intermediate, dtype=dtype, name=f"{prefix}_down"),
        *add_layernorm(t, hidden, dtype, prefix),
    ]
    return layer * layers


def add_layernorm(tokens: int, hidden: int, dtype: str, prefix: str) -> list[Op]:
    """The residual add and the LayerNorm after it: two kernels in eager PyTorch (`x + y`, then
    F.layer_norm reading the sum back), not one (hetsim/method_code/rag_two_stage.py traces them)."""
    return [Elementwise(tokens * hidden, 2, dtype, 1.0, name=f"{prefix}_residual_add"),
            Elementwise(tokens * hidden, 1, dtype, 8.0, 2 * hidden, name=f"{prefix}_layernorm")]


def encoder_weight_bytes(layers: int, hidden: int, intermediate: int, vocab: int, e: int) -> int:
    return e * (layers * (4 * hidden * hidden + 2 * hidden * intermediate + 4 * hidden) + vocab * hidden)
