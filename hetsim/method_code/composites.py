"""The validation composites: which method step runs at which sizes. Torch-free.

A composite is one phase of one method at one (model, parameters, batch, context): the runner times
each of its steps and the whole phase on a GPU; `hetsim validate methods` prices the same steps from
their traces. `SIZES` are the GPU sizes (H200: up to 10M documents, 128K tokens); `TEST_SIZES`, two
per method, are what the tests trace against the hand formulas; `TINY` shrinks a composite for a CPU
smoke run of the runner.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

# hetsim method (hetsim/workloads), or (method, phase) where a phase has its own code -> module in
# hetsim/method_code (a module's sizes() reads the params that pick its variant)
MODULES = {"lserve": "lserve", "seer_attention": "seer_attention", "dsa": "dsa", "rag": "bm25",
           "rag_two_stage": "rag_two_stage", "ttt": "ttt", "memory_as_context": "memory_as_context",
           "memagent": "memagent", **{("rag", t): "triggers" for t in ("flare", "dragin", "fs-rag")}}


@dataclass(frozen=True)
class Composite:
    method: str  # hetsim method name (its hand formulas)
    phase: str  # decode, prefill, search, first_stage, rerank
    model: str
    batch: int
    context: int
    params: dict = field(default_factory=dict)

    @property
    def module(self) -> str:
        return MODULES.get((self.method, self.phase)) or MODULES[self.method]

    @property
    def name(self) -> str:
        extra = "".join(f",{k}={v}" for k, v in sorted(self.params.items()) if k != "index")
        return f"{self.method}/{self.phase}/B{self.batch}/C{self.context}{extra}"

    def as_dict(self) -> dict:
        return asdict(self)


def _grid(method: str, phase: str, model: str, points, params: dict | None = None) -> list[Composite]:
    return [Composite(method, phase, model, b, c, dict(params or {})) for b, c in points]


LLAMA, QWEN, DSV3, QWEN25, LLAMA2 = "Llama-3.1-8B", "Qwen3-8B", "DeepSeek-V3.2", "Qwen2.5-7B", "Llama-2-7B"
BM25 = {"index": "inverted"}
TITANS = {"memory_module": "mlp"}
HMT = {"memory_module": "backbone"}
# threshold mode: the count of blocks selected is data-dependent; the hand formula and the trace assume
# selected_fraction of them, the runner's synthetic gate selects exactly that (seer_attention.py)
THRESHOLD = {"mode": "threshold", "threshold": 0.002, "selected_fraction": 0.1}
MEMAGENT = {"chunk_tokens": 5000, "memory_tokens": 1024, "question_tokens": 256}  # the paper's

SIZES: list[Composite] = [
    *_grid("lserve", "decode", LLAMA, [(1, 32768), (8, 32768), (8, 131072)]),
    *_grid("lserve", "prefill", LLAMA, [(1, 32768), (8, 32768)]),
    # 5 tokens into a block: the block being filled is attended too
    *_grid("seer_attention", "decode", QWEN, [(1, 32773), (8, 32773), (8, 131077)]),
    *_grid("seer_attention", "prefill", QWEN, [(1, 32768), (8, 32768)]),
    *_grid("dsa", "decode", DSV3, [(1, 32768), (8, 32768), (8, 131072)]),
    *_grid("dsa", "decode", DSV3, [(1, 131072), (8, 32768)], {"indexer": "fp8"}),
    *[Composite("rag", "search", "Llama-2-7B", b, 1024, {**BM25, "corpus_docs": n})
      for b, n in ((1, 100_000), (1, 1_000_000), (8, 1_000_000), (8, 10_000_000))],
    *[Composite("rag_two_stage", ph, "Llama-2-7B", b, 1024, {"corpus_docs": 1_000_000})
      for ph in ("first_stage", "rerank") for b in (1, 8)],
    # written after the 2026-12-01 H200 run (not in its data): IVF, TTT / LaCT, Titans
    Composite("rag_two_stage", "first_stage", "Llama-2-7B", 8, 1024, {"corpus_docs": 1 << 20, "first_stage": "ivf"}),
    # a decode step that completes a 2048-token chunk
    *_grid("ttt", "decode", LLAMA, [(1, 8192), (8, 8192)]),
    *_grid("memory_as_context", "memory", LLAMA, [(1, 131072), (8, 131072)], TITANS),
    # written 2026-12-01 after that run too: SeerAttention-R threshold mode, MemAgent, HMT, RAG triggers
    *_grid("seer_attention", "decode", QWEN, [(1, 32773), (8, 32773), (8, 131077)], THRESHOLD),
    *_grid("memagent", "chunk", QWEN25, [(1, 32768), (4, 32768)], MEMAGENT),
    *_grid("memagent", "memory", QWEN25, [(1, 32768), (8, 32768)], MEMAGENT),
    *_grid("memory_as_context", "memory", LLAMA2, [(1, 32768), (8, 32768)], HMT),
    *[Composite("rag", t, LLAMA2, b, 1024, {"trigger": t, "sentence_tokens": 32})
      for t in ("flare", "dragin", "fs-rag") for b in (1, 8)],
]

TEST_SIZES: list[Composite] = [
    *_grid("lserve", "decode", LLAMA, [(1, 4096), (4, 16384)]),
    *_grid("lserve", "prefill", LLAMA, [(1, 4096), (4, 16384)]),
    *_grid("seer_attention", "decode", QWEN, [(1, 4113), (4, 16389)], {"token_budget": 2048}),
    *_grid("seer_attention", "prefill", QWEN, [(1, 4096), (4, 16384)]),
    *_grid("dsa", "decode", DSV3, [(1, 4096), (4, 16384)]),
    *_grid("dsa", "decode", DSV3, [(1, 4096), (4, 16384)], {"indexer": "fp8"}),
    *[Composite("rag", "search", "Llama-2-7B", b, 1024, {**BM25, "corpus_docs": n}) for b, n in ((1, 10_000),
                                                                                                  (4, 200_000))],
    *[Composite("rag_two_stage", ph, "Llama-2-7B", b, 1024, {"corpus_docs": n, "encoder_layers": 2})
      for ph in ("first_stage", "rerank") for b, n in ((1, 10_000), (4, 200_000))],
    *[Composite("rag_two_stage", "first_stage", "Llama-2-7B", b, 1024, {"corpus_docs": n, "first_stage": "ivf",
                                                                         "nlist": lists, "encoder_layers": 1})
      for b, n, lists in ((1, 1 << 20, 4096), (4, 409_600, 1024))],
    *_grid("ttt", "decode", LLAMA, [(1, 8192)]),
    *_grid("ttt", "decode", LLAMA, [(2, 4096)], {"muon_steps": 0, "fw_heads": 8}),
    *_grid("memory_as_context", "memory", LLAMA, [(1, 65536)], TITANS),
    *_grid("memory_as_context", "memory", LLAMA, [(4, 524288)], {**TITANS, "retrieval": "top_k", "memory_layers": 3}),
    *_grid("seer_attention", "decode", QWEN, [(1, 4113)], {**THRESHOLD, "selected_fraction": 0.25}),
    *_grid("seer_attention", "decode", QWEN, [(4, 16389)], THRESHOLD),
    *_grid("memagent", "chunk", QWEN25, [(1, 8192)], {"chunk_tokens": 1000, "memory_tokens": 256,
                                                      "question_tokens": 64}),
    *_grid("memagent", "chunk", QWEN25, [(4, 32768)], MEMAGENT),
    *_grid("memagent", "memory", QWEN25, [(1, 8192)], {"chunk_tokens": 1000, "memory_tokens": 256,
                                                       "question_tokens": 64}),
    *_grid("memagent", "memory", QWEN25, [(4, 32768)], MEMAGENT),
    *_grid("memory_as_context", "memory", LLAMA2, [(1, 32768)], HMT),
    *_grid("memory_as_context", "memory", LLAMA2, [(2, 65536)], {**HMT, "summary_tokens": 256, "retrieval": "top_k"}),
    *[Composite("rag", t, LLAMA2, b, 1024, {"trigger": t, "sentence_tokens": n})
      for t in ("flare", "dragin", "fs-rag") for b, n in ((1, 32), (4, 64))],
]

# a CPU smoke run's model: the catalogue model's code path at a few MB of weights (an LLM layer's dims)
TINY_DIMS = {"hidden": 256, "q_heads": 4, "kv_heads": 2, "head_dim": 64, "intermediate": 512, "vocab": 1000,
             "layers": 2}


def tiny(c: Composite) -> Composite:
    """A CPU-sized copy of a composite (same code path, small tensors): the runner's smoke run."""
    params = dict(c.params)
    context = c.context
    if c.module == "triggers":
        params["sentence_tokens"] = 16
        context = 256
    elif c.method in ("rag", "rag_two_stage"):
        params.update(corpus_docs=2048, encoder_layers=1, candidates=8)
        if params.get("first_stage") == "ivf":
            params.update(nlist=64, nprobe=8)
    elif c.method == "memory_as_context":
        params.update(segment_tokens=128, summary_tokens=64)
        if params.get("memory_module") == "backbone":
            params["dims"] = TINY_DIMS
        context = 4096
    elif c.method == "memagent":
        params.update(chunk_tokens=256, memory_tokens=64, question_tokens=32, dims=TINY_DIMS)
        context = 1024
    elif c.method == "ttt":
        params.update(chunk_tokens=256, fw_heads=16, window_tokens=256)
        context = 1024
    elif c.method == "seer_attention":
        context = 4096 + c.context % 64
        params.setdefault("token_budget", 512)
        if params.get("mode") == "threshold":
            params["selected_fraction"] = 0.125
    else:
        context = 4096
    return replace(c, batch=min(c.batch, 2), context=context, params=params)
