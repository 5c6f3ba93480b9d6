"""Retrieval-augmented generation: retrieve documents for the query, prepend them to the prompt,
prefill, decode; retrieve again whenever the trigger policy fires.

Single-stage `rag` (BM25; FS-RAG, FLARE, DRAGIN on Llama-2-7B in the paper):
Prepare:   the query's terms and their idf (tokenising and building the index are offline).
Relevancy: BM25 of every document. On a GPU, over a forward index (each document's (term,
           weight) slots; weight = idf x the tf / length factor, precomputed): torch.isin of the
           slots against the query terms, then a masked weight sum; or over an inverted index:
           the query terms' posting lists concatenated and scatter-added into per-document scores.
Retrieval: top-k documents.
Apply:     the documents' tokens gathered and prepended; the new prompt is prefilled (a Prefill
           phase: the prefix changed, so nothing of the old KV cache is reused) and decoding goes on.
On the host CPU (`kind: cpu`), as bm25s runs it (the paper's RAG baseline): an inverted index of
(float32 score, int32 document) postings, per query a zeroed float32 score per document, each query
term's posting list accumulated with np.add.at (sorted by document), and np.argpartition for the
top k; only the query crosses to the CPU and the k ids back.
On an FPGA, Relevancy + Retrieval fuse into the `bm25_topk` kernel streaming its own forward
index (4-byte (term, tf) slots) from FPGA HBM: only the query and the k ids cross PCIe.

Two-stage `rag_two_stage`: Prepare runs an embedding model over the query; Relevancy is a first
stage over the corpus (flat or IVF inner product, or BM25) and Retrieval keeps `candidates`;
then a cross-encoder scores the (query, document) pairs and the top k are prepended. hetsim
places a step by its name and the paper keeps the cross-encoder (a compute-bound model) on the
GPU while the FPGA runs the first stage, so the rerank is lowered as the Prepare of a second
request-level phase ('rerank'): it counts as memory processing either way.

Triggers (`trigger`): once (retrieve before generating); fs-rag (again after every generated
sentence of `sentence_tokens`); flare (generate the next sentence ahead; if any of its tokens has
low confidence, probability `trigger_prob` each, retrieve with it and regenerate it); dragin
(after any token whose attention/entropy signal fires, probability `trigger_prob`). Draws come
from the run's seeded generator; a batch retrieves together (its requests share one schedule).
FLARE's discarded look-ahead sentences are decode steps too, so they count as output tokens.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field

from hetsim.ops import Cast, Elementwise, FpgaKernel, Gather, Matmul, Op, Reduction, ScatterAdd, TopK, dtype_bytes
from hetsim.workloads.base import Decode, LayerWork, Method, MethodParams, Phase, Prefill, RequestSteps, StepWork
from hetsim.workloads.common import INDEX_ID_BYTES, byte_copy, encoder_ops, encoder_weight_bytes
from hetsim.workloads.dense import Dense

BM25_KERNEL, IP_KERNEL = "bm25_topk", "inner_product_topk"
TOKEN_ID = "int32"  # document tokens as stored for prepending
FPGA_SLOT_BYTES = 4  # bm25_topk: one 16-bit term + 16-bit tf per slot
FORWARD_SLOT_BYTES = 4  # GPU forward index: int16 term + bf16 precomputed weight
POSTING_BYTES = 8 + 2  # GPU inverted index as torch uses it: int64 doc id + bf16 weight
CPU_POSTING_BYTES = 4 + 4  # bm25s: float32 score + int32 document per posting (a CSC matrix)


class RagParams(MethodParams):
    corpus_docs: int = Field(1_000_000, gt=0, description="documents in the corpus (paper: up to 20M)")
    doc_tokens: int = Field(128, gt=0, description="tokens per document (paper's BM25 kernel: 128)")
    vocab: int = Field(65_536, gt=0, description="BM25 vocabulary (paper: 65,536)")
    query_terms: int = Field(16, gt=0, description="distinct terms per query")
    index: Literal["forward", "inverted"] = Field("forward", description="GPU BM25 index layout")
    term_doc_fraction: float = Field(0.01, description="inverted: share of documents an average query term occurs in")
    scored_share: float | None = Field(None, ge=0, le=1, description="cpu top-k: share of documents holding any "
                                       "query term (default: from term_doc_fraction, terms independent)")
    top_k: int = Field(3, gt=0, description="documents prepended (FS-RAG authors' code: 3)")
    trigger: Literal["once", "fs-rag", "flare", "dragin"] = "fs-rag"
    sentence_tokens: int = Field(32, gt=0, description="fs-rag / flare: tokens per generated sentence")
    trigger_prob: float = Field(0.05, description="flare: per-token low-confidence probability; "
                                                  "dragin: per-token trigger probability")


class Rag(Method):
    name = "rag"
    description = "single-stage RAG: BM25 top-k documents prepended and prefilled; FS-RAG / FLARE / DRAGIN triggers"
    Params = RagParams
    fpga_kernels = (BM25_KERNEL,)
    request_level = True

    def check(self) -> None:
        p = self.p
        if p.top_k > p.corpus_docs:
            raise self.bad("top_k", f"top-k of {p.top_k} documents exceeds the corpus of {p.corpus_docs}")
        if not 0 < p.trigger_prob <= 1:
            raise self.bad("trigger_prob", f"{p.trigger_prob} is outside (0, 1]")
        if p.query_terms > p.vocab:
            raise self.bad("query_terms", f"{p.query_terms} exceeds the vocabulary of {p.vocab}")
        if not 0 < p.term_doc_fraction <= 1 or p.query_terms * p.term_doc_fraction > 1:
            raise self.bad("term_doc_fraction", f"{p.term_doc_fraction} must be in (0, 1] with query_terms x it "
                                                "<= 1 (postings of one query cannot outnumber the documents)")
        self.check_stages()
        self._dense = Dense(Dense.Params(), self.workload, self.model)

    def check_stages(self) -> None:
        """Parameters of the first stage and the reranker (two-stage only)."""

    # ---------------------------------------------------------------- the retrieval schedule
    def schedule(self, rng: np.random.Generator) -> list[tuple[str, int]]:
        """('decode', n) runs and ('retrieve', tokens generated so far) events after the first retrieval."""
        p, total = self.p, self.workload.decode_tokens
        out: list[tuple[str, int]] = []
        done = 0
        if p.trigger == "once":
            return [("decode", total)]
        if p.trigger == "dragin":
            fires = rng.random(total) < p.trigger_prob
            run = 0
            for t in range(total):
                run += 1
                if fires[t] and t < total - 1:
                    out += [("decode", run), ("retrieve", t + 1)]
                    run = 0
            return out + ([("decode", run)] if run else [])
        while done < total:
            n = min(p.sentence_tokens, total - done)
            out.append(("decode", n))
            if p.trigger == "flare" and (rng.random(n) < p.trigger_prob).any():
                out += [("retrieve", done), ("decode", n)]  # retrieve with the look-ahead, regenerate it
            done += n
            if p.trigger == "fs-rag" and done < total:
                out.append(("retrieve", done))
        return out

    def prompt_tokens(self, generated: int) -> int:
        """The prompt after a retrieval: the documents, the question, what was generated so far."""
        return self.p.top_k * self.p.doc_tokens + self.workload.context_tokens + generated

    def plan(self, rng) -> list[Phase]:
        phases: list[Phase] = [*self.retrieval_phases(0)]
        context = self.prompt_tokens(0)
        phases.append(Prefill(context, 0, "prefill"))
        n_retrievals = 0
        for event, n in self.schedule(rng):
            if event == "decode":
                phases.append(Decode(n, context))
                context += n
            else:
                n_retrievals += 1
                phases += self.retrieval_phases(n_retrievals)
                context = self.prompt_tokens(n)
                phases.append(Prefill(context, 0, "re-prefill"))
        return phases

    def retrieval_phases(self, i: int) -> list[RequestSteps]:
        return [RequestSteps(self.search_work(self.workload.batch), f"retrieval:{i}")]

    # ---------------------------------------------------------------- BM25
    def bm25_relevancy_gpu(self, b: int) -> list[Op]:
        p = self.p
        n, s, q = p.corpus_docs, p.doc_tokens, p.query_terms
        if p.index == "forward":
            return [Elementwise(b * n * s, 1, "int16", float(q), q, name="bm25_term_match"),
                    Elementwise(b * n * s, 2, "bf16", 1.0, name="bm25_masked_weight"),
                    Reduction(b * n, s, "bf16", "sum", name="bm25_doc_sum")]
        postings = b * q * math.ceil(p.term_doc_fraction * n)
        return [byte_copy(postings * POSTING_BYTES, "postings_concat"),
                Elementwise(b * n, 0, "fp32", 0.0, name="scores_zero"),
                # index_add_ needs source and scores of one dtype: the bf16 weights cast to fp32 first
                # (hetsim/method_code/bm25.py traces it), then an atomic add into a random 4-byte score per
                # posting plus its int64 id: a 4-byte row gather's bytes at index_add's element rate, as the
                # traced index_add_ is lowered (hetsim.stacks.aten)
                Cast(postings, "bf16", "fp32", name="postings_weight_fp32"),
                Gather(postings, 4, b * n, aten="aten.index_add_.default", elements=postings,
                       name="postings_index_add")]

    def postings_per_term(self) -> int:
        """Postings of an average query term: the documents it occurs in."""
        return math.ceil(self.p.term_doc_fraction * self.p.corpus_docs)

    def scored_share(self) -> float:
        """Expected share of documents holding any query term (a non-zero BM25 score; the rest tie
        at zero): 1 - (1 - term_doc_fraction) ** query_terms, terms occurring independently."""
        p = self.p
        if p.scored_share is not None:
            return p.scored_share
        return 1.0 - (1.0 - min(1.0, self.postings_per_term() / p.corpus_docs)) ** p.query_terms

    def bm25_relevancy_cpu(self, b: int) -> list[Op]:
        """bm25s's scoring of `b` queries (BM25._compute_relevance_from_scores), one numpy call per op:
        the query's largest id checked, its terms' posting bounds read from indptr (starts, ends),
        zeroed scores, then one np.add.at per query term over its posting list."""
        p = self.p
        q = p.query_terms
        per_query: list[Op] = [Reduction(1, q, "int32", "max", name="query_max_id"),
                               Gather(q, 4, p.vocab + 1, name="posting_starts"),
                               Gather(q, 4, p.vocab + 1, name="posting_ends"),
                               Elementwise(p.corpus_docs, 0, "fp32", 0.0, name="scores_zero")]
        per_query += [ScatterAdd(self.postings_per_term(), p.corpus_docs, name="postings_add_at")] * q
        return per_query * b

    def bm25_index_bytes(self, kind: str) -> int:
        p = self.p
        slots = p.corpus_docs * p.doc_tokens
        if kind == "fpga":
            return slots * FPGA_SLOT_BYTES
        if kind == "cpu":
            return slots * CPU_POSTING_BYTES
        return slots * (FORWARD_SLOT_BYTES if p.index == "forward" else POSTING_BYTES)

    def bm25_kernel(self, b: int, k: int, out_bytes: int) -> FpgaKernel:
        p = self.p
        return FpgaKernel(BM25_KERNEL, p.corpus_docs, p.doc_tokens * FPGA_SLOT_BYTES, p.doc_tokens, k, rows=b,
                          resident_bytes=self.bm25_index_bytes("fpga"), out_bytes=out_bytes, name="bm25_topk")

    def query_terms_op(self, b: int) -> Gather:
        return Gather(b * self.p.query_terms, 4, self.p.vocab, name="query_idf")

    def search_work(self, b: int) -> LayerWork:
        p = self.p
        query = b * p.query_terms * 6  # term ids and their idf
        scores = b * p.corpus_docs * (4 if p.index == "inverted" else 2)
        ids = b * p.top_k * INDEX_ID_BYTES
        docs = b * p.top_k * p.doc_tokens * dtype_bytes(TOKEN_ID)
        prepare = StepWork("prepare", {"gpu": (self.query_terms_op(b),), "cpu": (self.query_terms_op(b),)},
                           (("model", b * p.query_terms * 4),), query)
        relevancy = StepWork("relevancy", {"gpu": tuple(self.bm25_relevancy_gpu(b)),
                                           "fpga": (self.bm25_kernel(b, 0, scores),),
                                           "cpu": tuple(self.bm25_relevancy_cpu(b))},
                             (("prepare", query),), scores)
        dtype = "fp32" if p.index == "inverted" else "bf16"
        retrieval = StepWork("retrieval", {"gpu": (TopK(b, p.corpus_docs, p.top_k, dtype, name="topk_docs"),),
                                           "cpu": (TopK(b, p.corpus_docs, p.top_k, "fp32",
                                                        self.scored_share(), name="topk_docs"),)},
                             (("relevancy", scores),), ids)
        apply = self.prepend(b, ids, docs)
        fused = {(("relevancy", "retrieval"), "fpga"): (self.bm25_kernel(b, p.top_k, ids),)}
        return LayerWork((prepare, relevancy, retrieval, apply), fused)

    def prepend(self, b: int, ids: int, docs: int) -> StepWork:
        p = self.p
        row = p.doc_tokens * dtype_bytes(TOKEN_ID)
        return StepWork("apply", {"gpu": (Gather(b * p.top_k, row, p.corpus_docs, name="gather_doc_tokens"),)},
                        (("retrieval", ids),), docs)

    # ---------------------------------------------------------------- memory and placement
    def max_tokens(self) -> int:
        return self.prompt_tokens(self.workload.decode_tokens)

    def index_bytes(self, kind: str) -> int:
        return self.bm25_index_bytes(kind)

    def resident_bytes(self, batch: int, tokens: int, kind_of) -> dict[str, int]:
        out = super().resident_bytes(batch, self.max_tokens(), kind_of)
        out["relevancy"] = self.index_bytes(kind_of("relevancy"))
        return out

    def fpga_topk(self) -> list[tuple[str, str, int]]:
        return [("top_k", BM25_KERNEL, self.p.top_k)]

    def paper_placement(self, gpu: str, fpga: str) -> tuple[dict[str, str], int | None]:
        steps, _ = super().paper_placement(gpu, fpga)
        return steps, 1  # the LLM layers have no FPGA work to overlap: micro-batches only re-read weights

    def max_sequence_tokens(self) -> int:
        return self.max_tokens()

    # a RAG step is a request-level phase; the LLM layers themselves attend densely
    def decode_layer(self, kind: str, batch: int, context: int) -> LayerWork:
        return self._dense.decode_layer(kind, batch, context)

    def prefill_layer(self, kind: str, batch: int, context: int, new_tokens: int | None = None) -> LayerWork:
        return self._dense.prefill_layer(kind, batch, context, new_tokens)


class RagTwoStageParams(RagParams):
    first_stage: Literal["flat", "ivf", "bm25"] = Field("flat", description="first-stage retrieval")
    candidates: int = Field(64, gt=0, description="first-stage documents the cross-encoder reranks")
    nlist: int = Field(4096, gt=0, description="ivf: inverted lists (clusters)")
    nprobe: int = Field(32, gt=0, description="ivf: lists scanned per query")
    query_tokens: int = Field(32, gt=0, description="tokens of the query the encoders read")
    encoder_layers: int = Field(12, gt=0, description="embedding model and cross-encoder layers (BERT-base)")
    encoder_hidden: int = Field(768, gt=0, description="encoder width = embedding dim (BERT-base)")
    encoder_heads: int = Field(12, gt=0)
    encoder_intermediate: int = Field(3072, gt=0)
    encoder_vocab: int = Field(30_522, gt=0)


class RagTwoStage(Rag):
    name = "rag_two_stage"
    description = "two-stage RAG: embedding model, flat/IVF inner product or BM25, cross-encoder rerank, top-k"
    Params = RagTwoStageParams
    fpga_kernels = (IP_KERNEL, BM25_KERNEL)

    def check_stages(self) -> None:
        p = self.p
        if p.candidates > p.corpus_docs:
            raise self.bad("candidates", f"{p.candidates} candidates exceed the corpus of {p.corpus_docs}")
        if p.top_k > p.candidates:
            raise self.bad("top_k", f"top-k of {p.top_k} exceeds the {p.candidates} reranked candidates")
        if p.encoder_hidden % p.encoder_heads:
            raise self.bad("encoder_heads", f"{p.encoder_heads} heads do not divide encoder_hidden {p.encoder_hidden}")
        if p.first_stage == "ivf":
            if p.nlist > p.corpus_docs:
                raise self.bad("nlist", f"{p.nlist} lists exceed the corpus of {p.corpus_docs}")
            if p.nprobe > p.nlist:
                raise self.bad("nprobe", f"{p.nprobe} exceeds nlist {p.nlist}")
            if self.scanned < p.candidates:
                raise self.bad("nprobe", f"the {p.nprobe} lists scanned hold about {self.scanned} documents, fewer "
                                         f"than the {p.candidates} candidates")

    @property
    def scanned(self) -> int:
        """Documents an IVF query scores: nprobe lists of corpus / nlist documents."""
        p = self.p
        return min(p.corpus_docs, math.ceil(p.corpus_docs * p.nprobe / p.nlist))

    @property
    def emb_bytes(self) -> int:
        return self.p.encoder_hidden * dtype_bytes(self.model.dtype)

    def retrieval_phases(self, i: int) -> list[RequestSteps]:
        b = self.workload.batch
        return [RequestSteps(self.first_stage_work(b), f"retrieval:{i}"),
                RequestSteps(self.rerank_work(b), f"rerank:{i}")]

    def encoder(self, sequences: int, tokens: int, prefix: str) -> list[Op]:
        p = self.p
        return encoder_ops(sequences, tokens, p.encoder_layers, p.encoder_hidden, p.encoder_heads,
                           p.encoder_intermediate, self.model.dtype, prefix)

    def first_stage_work(self, b: int) -> LayerWork:
        p, d = self.p, self.model.dtype
        c, dim = p.candidates, p.encoder_hidden
        ids = b * c * INDEX_ID_BYTES
        if p.first_stage == "bm25":
            prepare_ops: list[Op] = [self.query_terms_op(b)]
            query = b * p.query_terms * 6
            gpu = self.bm25_relevancy_gpu(b)
            n_scored, scores = p.corpus_docs, b * p.corpus_docs * 4
            kernels = lambda k, out: (self.bm25_kernel(b, k, out),)  # noqa: E731
        else:
            prepare_ops = [*self.encoder(b, p.query_tokens, "embed"),
                           Reduction(b * dim, p.query_tokens, d, "sum", name="embed_mean_pool"),
                           Elementwise(b * dim, 1, d, 3.0, name="embed_normalize")]
            query = b * self.emb_bytes
            gpu, n_scored, kernels = self.inner_product(b)
            scores = b * n_scored * dtype_bytes(d)
        prepare = StepWork("prepare", {"gpu": tuple(prepare_ops)}, (("model", b * p.query_tokens * 4),), query)
        relevancy = StepWork("relevancy", {"gpu": tuple(gpu), "fpga": kernels(0, scores)}, (("prepare", query),),
                             scores)
        retrieval = StepWork("retrieval", {"gpu": (TopK(b, n_scored, c, d, name="topk_candidates"),)},
                             (("relevancy", scores),), ids)
        return LayerWork((prepare, relevancy, retrieval), {(("relevancy", "retrieval"), "fpga"): kernels(c, ids)})

    def inner_product(self, b: int):
        """GPU ops, documents scored, and the FPGA kernels (k, out_bytes) -> ops of a flat or IVF scan."""
        p, d = self.p, self.model.dtype
        dim, n = p.encoder_hidden, p.corpus_docs
        resident = self.index_bytes("fpga")

        def ip_kernel(items: int, k: int, out: int, name: str) -> FpgaKernel:
            return FpgaKernel(IP_KERNEL, items, self.emb_bytes, dim, k, rows=b, resident_bytes=resident, out_bytes=out,
                              name=name)

        if p.first_stage == "flat":
            gpu = [Matmul(b, n, dim, dtype=d, name="flat_scan")]
            return gpu, n, lambda k, out: (ip_kernel(n, k, out, "flat_ip_topk"),)
        probe_ids = b * p.nprobe * INDEX_ID_BYTES
        gpu = [Matmul(b, p.nlist, dim, dtype=d, name="ivf_centroids"),
               TopK(b, p.nlist, p.nprobe, d, name="ivf_probe_lists"),
               Gather(b * self.scanned, self.emb_bytes, b * n, name="ivf_gather_lists"),
               Matmul(1, self.scanned, dim, batch=b, dtype=d, shared_b=False, name="ivf_scan")]
        return gpu, self.scanned, lambda k, out: (ip_kernel(p.nlist, p.nprobe, probe_ids, "ivf_centroid_topk"),
                                                  ip_kernel(self.scanned, k, out, "ivf_list_ip_topk"))

    def rerank_work(self, b: int) -> LayerWork:
        p, d = self.p, self.model.dtype
        pairs, tokens = b * p.candidates, p.query_tokens + p.doc_tokens
        ids = b * p.top_k * INDEX_ID_BYTES
        docs = b * p.top_k * p.doc_tokens * dtype_bytes(TOKEN_ID)
        rerank = (*self.encoder(pairs, tokens, "rerank"),
                  Matmul(pairs, 1, p.encoder_hidden, dtype=d, name="rerank_head"),
                  TopK(b, p.candidates, p.top_k, d, name="topk_reranked"))
        prepare = StepWork("prepare", {"gpu": rerank}, (("model", pairs * tokens * 4),), ids)
        apply = StepWork("apply", {"gpu": self.prepend(b, ids, docs).ops["gpu"]}, (("prepare", ids),), docs)
        return LayerWork((prepare, apply))

    def index_bytes(self, kind: str) -> int:
        p = self.p
        if p.first_stage == "bm25":
            return self.bm25_index_bytes(kind)
        centroids = p.nlist * self.emb_bytes if p.first_stage == "ivf" else 0
        return p.corpus_docs * self.emb_bytes + centroids

    def resident_bytes(self, batch: int, tokens: int, kind_of) -> dict[str, int]:
        out = super().resident_bytes(batch, tokens, kind_of)
        p = self.p
        out["prepare"] = out.get("prepare", 0) + 2 * encoder_weight_bytes(
            p.encoder_layers, p.encoder_hidden, p.encoder_intermediate, p.encoder_vocab, dtype_bytes(self.model.dtype))
        return out

    def fpga_topk(self) -> list[tuple[str, str, int]]:
        p = self.p
        if p.first_stage == "bm25":
            return [("candidates", BM25_KERNEL, p.candidates)]
        probes = [("nprobe", IP_KERNEL, p.nprobe)] if p.first_stage == "ivf" else []
        return [*probes, ("candidates", IP_KERNEL, p.candidates)]
