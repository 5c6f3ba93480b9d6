"""The profiling study's cases: which method, model and size, and which share the paper reports.

Sparse attention is profiled per decode step (memory-processing share after the first token);
RAG, MemAgent, Memory as Context and TTT over the whole request (prefill, retrievals, decode).
Every case runs GPU-only, batch 1, with `memory_check: warn`: long contexts and DeepSeek-V3.2
exceed one GPU's memory, and the study is about where time goes, not about what fits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SYSTEMS = {"MI210": "mi210_u55c", "A100": "a100_u55c"}
K = 1024


@dataclass(frozen=True)
class Case:
    family: str
    method: str
    model: str
    size: int  # context tokens, or corpus documents for RAG
    context: int
    decode: int
    params: dict = field(default_factory=dict, hash=False)
    share: str = "decode"  # "decode": after the first token; "total": the whole request

    @property
    def label(self) -> str:
        return f"{self.method}@{size_label(self.size)}"


# what the paper reports (paper.md s1), as (low, high) fractions or a note
PAPER_SHARE = {
    ("sparse attention", 4 * K): (0.01, 0.11),
    ("sparse attention", 1024 * K): (0.22, 0.81),
    ("RAG", 20_000_000): (0.40, 0.61),
    ("RAG two-stage", 20_000_000): (0.40, 0.61),
}
PAPER_NOTE = {
    "sparse attention": "1-11% at 4K, 22-81% at 1M tokens (decode)",
    "RAG": "40-61% at 20M documents",
    "RAG two-stage": "40-61% at 20M docs; reranker dominates, saturates past ~500K docs",
    "MemAgent": "up to 97%",
    "Memory as Context": "costly even at short contexts",
    "TTT": "costly even at short contexts",
}

SPARSE = {  # method -> (model, parameters)
    "dsa": ("DeepSeek-V3.2", {"indexer": "bf16"}),
    "seer_attention": ("Qwen3-8B", {"block_size": 64, "mode": "budget", "token_budget": 2048}),
    "lserve": ("Llama-3.1-8B", {"page_size": 16, "token_budget": 1024, "dense_layers": 2}),
}
RAG_QUESTION, RAG_DECODE = 64, 128  # FS-RAG: a retrieval before each 32-token sentence: 4 in all


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= K and n % K == 0:
        return f"{n // K}K" if n < K * K else f"{n // (K * K)}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}K"
    return str(n)


def cases(quick: bool) -> list[Case]:
    contexts = [4 * K, 64 * K, 1024 * K] if quick else [4 * K, 16 * K, 64 * K, 256 * K, 1024 * K]
    corpora = [1_000, 1_000_000, 20_000_000] if quick else [1_000, 10_000, 100_000, 1_000_000, 5_000_000, 20_000_000]
    out = [Case("sparse attention", method, model, n, n, 2, params)
           for method, (model, params) in SPARSE.items() for n in contexts]
    rag = {"doc_tokens": 128, "top_k": 3, "trigger": "fs-rag", "sentence_tokens": 32, "index": "forward"}
    out += [Case("RAG", "rag", "Llama-2-7B", n, RAG_QUESTION, RAG_DECODE, {**rag, "corpus_docs": n}, "total")
            for n in corpora]
    out += [Case("RAG two-stage", "rag_two_stage", "Llama-2-7B", n, RAG_QUESTION, RAG_DECODE,
                 {**rag, "corpus_docs": n, "first_stage": "flat", "candidates": 64}, "total") for n in corpora]
    memagent = [8 * K] if quick else [8 * K, 32 * K, 128 * K]
    out += [Case("MemAgent", "memagent", "Qwen2.5-7B", n, n, 16,
                 {"chunk_tokens": 5000, "memory_tokens": 1024, "question_tokens": 256}, "total") for n in memagent]
    short = [4 * K] if quick else [4 * K, 32 * K]
    out += [Case("Memory as Context", "memory_as_context", "Llama-2-7B", n, n, 16,
                 {"memory_module": "backbone", "segment_tokens": 1024, "summary_tokens": 512}, "total") for n in short]
    out += [Case("TTT", "ttt", "Llama-3.1-8B", n, n, 16, {"chunk_tokens": 2048, "fw_heads": 4}, "total")
            for n in short]
    return out


def experiment(case: Case, system: str) -> dict:
    return {
        "name": f"profiling-{case.label}",
        "system": system,
        "workload": {"method": case.method, "model": case.model, "context_tokens": case.context, "batch": 1,
                     "decode_tokens": case.decode, "params": dict(case.params)},
        "placements": ["gpu-only"],
        "baseline": None,
        "seed": 0,
        "outputs": {"write": False, "trace_decode_steps": 0},
        "simulation": {"memory_check": "warn"},
    }
